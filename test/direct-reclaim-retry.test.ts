// What an allocation that failed its watermarks gets back after direct reclaim (mm/page_alloc.c, 6.15):
// __alloc_pages_direct_reclaim() returns at once when try_to_free_pages() freed nothing; after progress it tries
// again, then unreserve_highatomic_pageblock(ac, false) and drain_all_pages(NULL), and tries once more. Before the
// OOM killer, should_reclaim_retry() gives back the highatomic reserve with force (the last block too).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mmHarness, NONE } from "./helpers/harness.js";
import { GFP_KERNEL, GFP_ATOMIC } from "../host/core/constants.js";

const NORMAL = 1; // ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE
const COUNT = 0;
const NORMAL_START = 65536; // 1 GiB: DMA32 is the first 256 MiB

/** Allocates order-0 GFP_KERNEL pages on the current CPU until the watermarks refuse one; returns them. */
function fill(t: ReturnType<typeof mmHarness>): number[] {
  const pfns: number[] = [];
  for (;;) {
    const p = t.alloc(GFP_KERNEL, 0) >>> 0;
    if (p === NONE) return pfns;
    pfns.push(p);
  }
}

test("pages on another CPU's list: no drain without reclaim progress, a drain and a page after it", () => {
  const t = mmHarness({ memory: "1G", thp: false, pcp: true, cpus: 2 }, {}, "nocopy", "1M");
  const pcp = (c: number): number => t.mm.harness_pcp(c, NORMAL, COUNT) >>> 0;
  t.mm.harness_set_cpu(0);
  const pfns = fill(t);
  // pages of Normal freed on CPU 1 (a worker freeing what the flusher allocated) wait on CPU 1's list
  t.mm.harness_set_cpu(1);
  for (const p of pfns.filter((p) => p >= NORMAL_START).slice(-50)) t.free(p, 0);
  t.ok();
  const free = t.zone("Normal").nrFreePages, c0 = pcp(0), c1 = pcp(1);
  assert.ok(c1 > 0, "CPU 1 keeps freed pages on its list");
  assert.ok(free <= t.zone("Normal").watermark.min, "Normal is at or under its min watermark");
  // CPU 0 again: the watermark check comes before any list is looked at, and with nothing reclaimed
  // __alloc_pages_direct_reclaim() returns before its drain: the request fails and both lists keep their pages
  t.mm.harness_set_cpu(0);
  assert.is(t.alloc(GFP_KERNEL, 0) >>> 0, NONE);
  assert.equal([pcp(0), pcp(1)], [c0, c1]);
  // after progress: the retry fails the same way, then drain_all_pages() returns every list's pages to the buddy
  // lists (free + c0 + c1, over the min watermark) and the last try succeeds (refilling CPU 0's list)
  const p = t.mm.harness_alloc_after_reclaim(GFP_KERNEL, 0) >>> 0;
  assert.is.not(p, NONE);
  assert.is(pcp(1), 0, "CPU 1's list was drained");
  assert.is(t.zone("Normal").nrFreePages + pcp(0) + 1, free + c0 + c1, "every page accounted for");
  t.ok();
});

test("the highatomic reserve: a GFP_ATOMIC order-2 page reserves its block; the last block goes back only with force", () => {
  // 1 GiB, boot pagesets (no per-cpu lists): Normal has 196,608 pages, min 768, low 964. Filling it with order-0
  // GFP_KERNEL pages stops with NR_FREE_PAGES at min (an order-0 page needs free > min).
  const t = mmHarness({ memory: "1G", thp: false, pcp: false, cpus: 1 }, {}, "nocopy", "1M");
  const pfns = fill(t);
  const normal = () => t.zone("Normal");
  assert.is(normal().nrFreePages, normal().watermark.min);
  // 100 pages back: 868 free, under low, so GFP_ATOMIC goes to the slow path, where ALLOC_MIN_RESERVE and
  // ALLOC_NON_BLOCK lower min and ALLOC_HIGHATOMIC, the list empty, takes an ordinary page and
  // reserve_highatomic_pageblock() reserves its pageblock: managed / 100 = 1,966 >= pageblock_nr_pages, and the
  // limit ALIGN(1966, 512) = 2,048 is not reached
  for (const p of pfns.filter((p) => p >= NORMAL_START).slice(-100)) t.free(p, 0);
  assert.is(normal().nrFreePages, 868);
  assert.is.not(t.alloc(GFP_ATOMIC, 2) >>> 0, NONE);
  assert.is(normal().nrReservedHighatomic, 512);
  assert.ok(normal().nrFreeHighatomic > 0, "the block's free pages moved to the HIGHATOMIC lists");
  t.ok();
  // __alloc_pages_direct_reclaim()'s unreserve (force false) keeps a zone's last reserved block
  assert.is(t.mm.harness_unreserve_highatomic(GFP_KERNEL, 0), 0);
  assert.is(normal().nrReservedHighatomic, 512);
  // should_reclaim_retry() before the OOM killer (force true): the block becomes the request's type (UNMOVABLE)
  assert.is(t.mm.harness_unreserve_highatomic(GFP_KERNEL, 1), 1);
  assert.equal([normal().nrReservedHighatomic, normal().nrFreeHighatomic], [0, 0]);
  assert.is(t.mm.harness_unreserve_highatomic(GFP_KERNEL, 1), 0, "nothing left to give back");
  t.ok();
});

test.run();
