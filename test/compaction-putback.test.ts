// Direct async compaction gives up an order-aligned block at its first folio it cannot isolate (skip_on_failure)
// and puts back what it had isolated there: putback_movable_pages(&cc->migratepages) walks the list from its head,
// where list_add() put the folio isolated last (mm/compaction.c isolate_migratepages_block(), mm/migrate.c,
// 6.12.118), and folio_putback_lru() adds each to its LRU list's head, so the folio isolated first ends at the head.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { harness, NONE, COMPACT_PRIO_ASYNC } from "./helpers/harness.js";
import { GFP_HIGHUSER_MOVABLE, GFP_TRANSHUGE, ALLOC_FAILED } from "../host/core/constants.js";

test("skip_on_failure puts the block's isolated folios back newest first: the LRU keeps their order, tail to head", () => {
  // two files of 64 pages (file_page_id: file 0's pages 0-63, file 1's from 64). File 0's pages 0-3 are written
  // (dirty) at PFNs 0-3, then file 1's page 0 at PFN 4, sent to a server that does not answer: under writeback
  const t = harness("nocopy", 64, {}, { memory: "16M", dma32: 0, thp: false, pcp: false }, {}, 2);
  for (let i = 0; i < 4; i++) assert.is(t.h.harness_do_write(0, i * 4096, 4096), 0);
  assert.is(t.h.harness_do_write(1, 0, 4096), 0);
  assert.equal([0, 1, 2, 3].map((i) => t.h.harness_mapping_pfn(0, i) >>> 0), [0, 1, 2, 3]);
  assert.is(t.h.harness_mapping_pfn(1, 0) >>> 0, 4);
  assert.is(t.h.harness_writeback(1), 1);
  const lru = (): number[] => {
    const out: number[] = [];
    for (let k = 0; ; k++) { const e = t.h.harness_lru_entry(0, k) >>> 0; if (e === NONE) return out; out.push(e); }
  };
  // the inactive list from its tail: written first, oldest
  assert.equal(lru(), [0, 1, 2, 3, 64]);
  // movable memory fragmented so that no order-9 block is free: every page taken, every other one given back
  const taken: number[] = [];
  for (;;) { const p = t.sim.allocator.apply(new Int32Array([1, GFP_HIGHUSER_MOVABLE, 0]))[0]!; if (p === ALLOC_FAILED) break; taken.push(p); }
  for (let k = 0; k < taken.length; k += 2) t.sim.allocator.apply(new Int32Array([2, taken[k]!, 0]));
  // direct async compaction for order 9 starts at the zone's first block: PFNs 0-3 are isolated (a dirty folio of
  // 6.16's FUSE has ->migrate_folio), PFN 4 fails (under writeback, async), and the block is given up. The list
  // holds 3, 2, 1, 0 from its head; each goes back to the LRU head in that order, so 0 is the head and 64 the tail
  t.h.harness_direct_compact(GFP_TRANSHUGE, 9, COMPACT_PRIO_ASYNC);
  assert.is(t.stat("isolate_fail_writeback"), 1);
  assert.equal(lru(), [64, 3, 2, 1, 0]);
  t.ok();
});

test.run();
