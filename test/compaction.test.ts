// Compaction as mm/compaction.c (6.15) runs it, one call at a time on a 16 MiB Normal-only machine (8
// pageblocks, per-cpu lists off, THP off so the watermarks stay the square-root rule's). Every expected value is
// derived in the comments from the kernel's rules as docs/compaction.md lists them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  mmHarness, COMPACT_PRIO_ASYNC, COMPACT_PRIO_SYNC_LIGHT, CACHED_MIGRATE_ASYNC, CACHED_MIGRATE_SYNC, CACHED_FREE,
  DEFER_SHIFT, CONSIDERED, NONE, PG_owner,
} from "./helpers/harness.js";
import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL, GFP_TRANSHUGE, ALLOC_FAILED } from "../host/core/constants.js";

const NORMAL = 1;

/** The machine, filled: every page that the watermarks let go is allocated with `gfp`, one at a time. */
function filled(gfp: number) {
  const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false });
  // 4096 pages: min_free_kbytes = int_sqrt(4096*4*16) = 512, pages_min 128; tmp = max(128/4, 4096*10/10000) = 32
  assert.equal(t.zone("Normal").watermark, { min: 128, low: 160, high: 192 });
  // The fast path allocates while free > low (160), the slow path while free > min (128): 4096 - 128 = 3968
  // pages, in PFN order (__rmqueue_smallest() takes each list's head; expand() puts the upper halves there).
  let n = 0;
  for (let pfn = t.alloc(gfp, 0); pfn !== ALLOC_FAILED; pfn = t.alloc(gfp, 0), n++) assert.is(pfn, n);
  assert.is(n, 3968);
  return t;
}
/** Frees the even PFNs in [0, end): order-0 holes that cannot merge (their odd buddies stay allocated). */
function freeEvens(t: ReturnType<typeof filled>, end: number): void {
  for (let pfn = 0; pfn < end; pfn += 2) t.free(pfn, 0);
}

test("compaction_suitable() (6.15): the caller's watermark + compact_gap(9) + (low - min) for a costly order", () => {
  const t = filled(GFP_HIGHUSER_MOVABLE);
  const suitable = (w: number): boolean => t.mm.harness_compaction_suitable(NORMAL, 9, w, NORMAL) !== 0;
  const MIN = 0, HIGH = 2;
  // 128 free pages remain (an order-7 buddy at 3968) plus the holes. At the min watermark the order-0 check wants
  // free > 128 + 1024 + (160 - 128) = 1184; at the high watermark (compaction_ready()) free > 192 + 1024 + 32 =
  // 1248 (before 6.15 that test was low + gap, then high + gap = 1216). The fragmentation index stays near 1000
  // (about 1000 - (1000 + free*1000/512) / (holes + 1) with over a thousand holes), far above extfrag_threshold.
  freeEvens(t, 2 * 1056);
  assert.is(t.zone("Normal").nrFreePages, 1184);
  assert.not.ok(suitable(MIN), "1184 free: not above 1184");
  t.free(2 * 1056, 0);
  assert.ok(suitable(MIN), "1185 free");
  freeEvens(t, 2 * 1120); // 63 more holes: 1248 free
  assert.is(t.zone("Normal").nrFreePages, 1248);
  assert.ok(suitable(MIN));
  assert.not.ok(suitable(HIGH), "1248 free: not above 1248 (pre-6.15: 1216 would pass)");
  t.free(2 * 1120, 0);
  assert.ok(suitable(HIGH), "1249 free");
  t.ok();
});

test("deferral: async COMPACT_COMPLETE does not defer, sync-light does; a deferred zone still counts a stall", () => {
  // Unmovable pages: the first GFP_KERNEL allocation claims the order-10 MOVABLE buddy at 0 whole
  // (ALLOC_NOFRAGMENT: claims start at pageblock_order) and retypes blocks 0-1 UNMOVABLE, and so on: all 8 blocks.
  const t = filled(GFP_KERNEL);
  freeEvens(t, 2400); // 1200 holes: 1328 free > 1184, fragmentation index 998
  // Async, for THP: every block is UNMOVABLE, not a source for an async movable request
  // (suitable_migration_source()): nothing is scanned, the migrate scanner runs into the free scanner's block
  // (3584), compact_finished() sees the scanners met: COMPACT_COMPLETE (whole zone: 0 <= compact_init_migrate_pfn).
  assert.is(t.mm.harness_direct_compact(GFP_TRANSHUGE, 9, COMPACT_PRIO_ASYNC), NONE);
  assert.is(t.stat("compact_stall"), 1);
  assert.is(t.stat("compact_fail"), 1);
  assert.is(t.stat("compact_migrate_scanned"), 0);
  assert.is(t.mm.harness_compact_state(NORMAL, DEFER_SHIFT), 0, "try_to_compact_pages(): no defer at COMPACT_PRIO_ASYNC");
  // compaction_deferred() ran once: considered 0 + 1 reached the limit 1 << 0 and stays there
  assert.is(t.mm.harness_compact_state(NORMAL, CONSIDERED), 1);
  // Sync-light scans every block type: blocks 0-6 (up to the free scanner at 3584), 3584 pfns, each a hole or an
  // unmovable page that is not on the LRU (3584 - 1200 = 2384 of them); nothing isolated, so each block gets its
  // skip bit; the scanners meet: COMPACT_COMPLETE, and this time the zone is deferred (defer_shift 1).
  assert.is(t.mm.harness_direct_compact(GFP_TRANSHUGE, 9, COMPACT_PRIO_SYNC_LIGHT), NONE);
  assert.is(t.stat("compact_migrate_scanned"), 3584);
  assert.is(t.stat("isolate_fail_not_lru"), 2384);
  assert.is(t.mm.harness_compact_state(NORMAL, DEFER_SHIFT), 1);
  assert.is(t.mm.harness_compact_state(NORMAL, CONSIDERED), 0);
  for (const pfn of [0, 512, 3072]) assert.ok(t.mm.harness_pageblock_skip(pfn), `block at ${pfn} skipped next time`);
  assert.not.ok(t.mm.harness_pageblock_skip(3584), "the free scanner's block was never scanned");
  // Deferred: compaction_deferred() counts 1 < 1 << 1 and skips the zone; try_to_compact_pages() returns
  // COMPACT_DEFERRED, which is not COMPACT_SKIPPED, so __alloc_pages_direct_compact() counts a stall and a fail.
  assert.is(t.mm.harness_direct_compact(GFP_TRANSHUGE, 9, COMPACT_PRIO_ASYNC), NONE);
  assert.is(t.stat("compact_stall"), 3);
  assert.is(t.stat("compact_fail"), 3);
  assert.is(t.stat("compact_migrate_scanned"), 3584, "nothing scanned while deferred");
  t.ok();
});

test("cached scanner positions: the next compaction starts where the last one left off, not at the zone's start", () => {
  const t = filled(GFP_HIGHUSER_MOVABLE);
  freeEvens(t, 1536); // holes in blocks 0-2: 768 pages
  // blocks 6 and 7 free but for one page each (3328, 3840): an order-8 buddy in each lower half, no order 9
  for (let pfn = 3072; pfn < 3968; pfn++) if (pfn !== 3328 && pfn !== 3840) t.free(pfn, 0);
  assert.is(t.zone("Normal").nrFreePages, 768 + 511 + 511);
  // Run 1 (async, order 9): the migrate scanner takes all 256 odd pages of block 0 in one pass (last_migrated_pfn
  // starts at 0, in block 0, so cc->finish_pageblock is set and COMPACT_CLUSTER_MAX does not cut it short).
  // fast_isolate_freepages() walks the order-8 MOVABLE list from its tail: the buddy at 3072 (freed before 3584,
  // both went to the head) is in the top quarter of the scan space (>= 2560) and gives all 256 targets. Block 0
  // is then free, merges to order 9: COMPACT_SUCCESS. Finishing block 0 called update_cached_migrate(512):
  // pageblock_end_pfn(512) = 1024, one block past block 0 (the kernel's ALIGN(pfn + 1) on a block's end pfn).
  assert.is(t.mm.harness_direct_compact(GFP_TRANSHUGE, 9, COMPACT_PRIO_ASYNC), 0);
  assert.is(t.stat("compact_success"), 1);
  assert.is(t.mm.harness_compact_state(NORMAL, CACHED_MIGRATE_ASYNC), 1024);
  assert.is(t.mm.harness_compact_state(NORMAL, CACHED_MIGRATE_SYNC), 0, "async leaves the sync position alone");
  // the fast search's highest block (3072) is below the cached free pfn (3584): unchanged
  assert.is(t.mm.harness_compact_state(NORMAL, CACHED_FREE), 3584);
  assert.is(t.stat("pgmigrate_success"), 256, "256 single-page folios moved");
  // Run 2 starts at 1024: block 1 is never looked at, block 2 is emptied (into the order-8 buddy at 3584) and
  // becomes the THP. A compaction that restarted at the zone's start would have emptied block 1 (512) instead.
  assert.is(t.mm.harness_direct_compact(GFP_TRANSHUGE, 9, COMPACT_PRIO_ASYNC), 1024);
  assert.ok(t.h.harness_page_info(513) & PG_owner, "block 1 is as it was");
  assert.not.ok(t.mm.harness_pageblock_skip(512));
  assert.is(t.stat("pgmigrate_success"), 512);
  t.ok();
});

test.run();
