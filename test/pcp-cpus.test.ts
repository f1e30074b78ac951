// Per-cpu page lists per CPU (mm/page_alloc.c): each CPU has its own pageset per zone, zone_highsize() splits the
// lists' high over the online CPUs, an allocation refills and takes from its own CPU's lists and a free goes to
// the freeing CPU's (free_frozen_page_commit()), and only drain_all_pages() empties the others. A run places its
// contexts on CPUs (assembly/sim/cpus.ts); here the test picks the CPU.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mmHarness } from "./helpers/harness.js";
import { GFP_KERNEL } from "../host/core/constants.js";

const NORMAL = 1; // ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE
const COUNT = 0, BATCH = 2, HIGH_MIN = 3, HIGH_MAX = 4;

test("two CPUs: high split between them; a page freed on CPU 1 joins CPU 1's list, and CPU 0 cannot take it", () => {
  // 64 MiB: Normal 12,288 pages, low watermark 240, batch 3 (test/kswapd-kcompactd.test.ts). zone_highsize():
  // high_min = 240 / 2 = 120, high_max = 12,288 / 8 / 2 = 768, each at least 4 batches.
  const t = mmHarness({ memory: "64M", thp: false, pcp: true, cpus: 2 }, {}, "nocopy", "1M");
  const pcp = (c: number, f: number): number => t.mm.harness_pcp(c, NORMAL, f) >>> 0;
  for (const c of [0, 1]) assert.equal([pcp(c, HIGH_MIN), pcp(c, HIGH_MAX), pcp(c, BATCH)], [120, 768, 3], `CPU ${c}`);
  const free0 = t.zone("Normal").nrFreePages;
  t.mm.harness_set_cpu(0);
  // CPU 0's first order-0 allocation refills its list: nr_pcp_alloc() clamps high to 120 and, the zone above its
  // high watermark, raises it by the batch; a batch of 3 comes off the buddy lists, one is handed out
  const p = t.alloc(GFP_KERNEL, 0);
  assert.equal([pcp(0, COUNT), pcp(1, COUNT)], [2, 0]);
  assert.is(t.zone("Normal").nrFreePages, free0 - 3, "pages on a per-cpu list are not in NR_FREE_PAGES");
  t.ok();
  // freed on CPU 1 (say a server worker ending the request that carried it): CPU 1's list
  t.mm.harness_set_cpu(1);
  t.free(p, 0);
  assert.equal([pcp(0, COUNT), pcp(1, COUNT)], [2, 1]);
  t.ok();
  // CPU 0 allocates from its own list twice, then refills from the buddy lists: p stays on CPU 1's
  t.mm.harness_set_cpu(0);
  const got = [t.alloc(GFP_KERNEL, 0), t.alloc(GFP_KERNEL, 0), t.alloc(GFP_KERNEL, 0)];
  assert.not.ok(got.includes(p), "the page on CPU 1's list is not CPU 0's to take");
  assert.is(pcp(1, COUNT), 1);
  t.ok();
  // drain_all_pages(): every CPU's lists go back to the buddy allocator
  t.mm.harness_drain_all_pages();
  assert.equal([pcp(0, COUNT), pcp(1, COUNT)], [0, 0]);
  assert.is(t.zone("Normal").nrFreePages, free0 - 3, "the three pages still allocated");
  t.ok();
});

test.run();
