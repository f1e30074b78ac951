// The road to the OOM killer (mm/page_alloc.c should_reclaim_retry(), 6.12.118), worked on the 16 MiB Normal-only
// machine of test/kswapd-kcompactd.test.ts (min 128, low 160, high 192 pages; per-cpu lists off).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mmHarness } from "./helpers/harness.js";
import { GFP_ATOMIC, GFP_HIGHUSER_MOVABLE, ALLOC_FAILED } from "../host/core/constants.js";

test("no zone could meet the request even with its file LRU reclaimed: the OOM killer runs at the first failed round", () => {
  const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, {}, "nocopy", "1M");
  // four pages written (dirty: the harness starts no flusher, and nothing else writes them back): the file LRU
  for (let i = 0; i < 4; i++) assert.is(t.h.harness_do_write(0, i * 4096, 4096), 0);
  // movable pages down to the min watermark (128 free), then GFP_ATOMIC pages below it (ALLOC_MIN_RESERVE and
  // ALLOC_NON_BLOCK: min less a half, less a quarter of that)
  while (t.alloc(GFP_HIGHUSER_MOVABLE, 0) !== ALLOC_FAILED);
  assert.is(t.zone("Normal").nrFreePages, 128);
  while (t.alloc(GFP_ATOMIC, 0) !== ALLOC_FAILED);
  const free = t.zone("Normal").nrFreePages;
  assert.ok(free < 128 - 4, `${free} free`);
  // The writer's next page: the fast path and the min-watermark try fail, direct reclaim finds only the four dirty
  // pages (no ->writepage on 6.16: nothing freed), so no progress. should_reclaim_retry(): zone_reclaimable_pages()
  // is the file LRU, 4 (not 0, so the stable fix's "count the free pages instead" does not apply): free + 4 is
  // under min 128, so no retry can help; no highatomic block to give back; __alloc_pages_may_oom() at once. With
  // 17 rounds before the OOM killer whatever the zones hold (the model before), this write would only wait.
  assert.is(t.stat("oom_kills"), 0);
  t.h.harness_do_write(0, 4 * 4096, 4096);
  assert.is(t.stat("oom_kills"), 1);
  t.ok();
});

test.run();
