// alloc_contig_range() as 6.12's alloc_contig_range_noprof() and __alloc_contig_migrate_range() run it (6.1 has the
// same loop): batches of up to COMPACT_CLUSTER_MAX (32) pages isolated by isolate_migratepages_range(), the clean
// page cache among them freed by reclaim_clean_pages_from_list() before migrate_pages(MR_CONTIG_RANGE), a batch's
// failures retried on the same list until `++tries == 5` (-EBUSY: the rest of the range is never isolated), and
// undo_isolate_page_range(start, end, MIGRATE_MOVABLE) after every attempt (6.1-6.16; 6.17+ keeps the block's type).
// Each outcome is derived by hand below; the 16 MiB machine is test/vmstat-counters.test.ts's (one Normal zone,
// PFNs 0-4095, no per-cpu lists, nothing allocated at boot below PFN 1024 that a test does not allocate).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mmHarness, NONE, PG_buddy, PG_owner } from "./helpers/harness.js";
import { GFP_HIGHUSER_MOVABLE, ALLOC_FAILED } from "../host/core/constants.js";

const PG_reclaim = 1 << 13, PG_active = 1 << 14;
const MIGRATE_UNMOVABLE = 0, MIGRATE_MOVABLE = 1, MIGRATE_ISOLATE = 5;
const small = (kernel?: string) => mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false, ...(kernel ? { kernel } : {}) });
type T = ReturnType<typeof small>;
const flags = (t: T, pfn: number): number => t.h.harness_page_info(pfn) & 0xffff;
/** The first 512 movable order-0 pages (anon-like, on the LRU): PFNs 0-511, the first pageblock. */
function fillBlock0(t: T): void {
  for (let i = 0; i < 512; i++) assert.is(t.alloc(GFP_HIGHUSER_MOVABLE, 0), i);
}
/** Writes `pages` order-0 page-cache pages of file 0 (PFNs 0 up) and sends them to the server. */
function writeCache(t: T, pages: number): void {
  for (let i = 0; i < pages; i++) t.h.harness_do_write(0, i * 4096, 4096);
  t.h.harness_writeback(0);
}

test("a folio that cannot move in the first batch: -EBUSY after 5 tries of that batch, the later batches never isolated", () => {
  const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, {}, "nocopy", "256k");
  writeCache(t, 64);
  for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) t.h.harness_server_reply(r);
  for (let i = 0; i < 64; i++) assert.is(t.h.harness_mapping_pfn(0, i) >>> 0, i, "clean page cache at PFNs 0-63");
  t.h.harness_get_page(5); // a pipe's reference: __remove_mapping() and folio_migrate_mapping() both fail on it
  // Range [0, 512): isolate_migratepages_range() takes PFNs 0-31 (32 pages = COMPACT_CLUSTER_MAX) and stops at
  // cc->migrate_pfn 32. reclaim_clean_pages_from_list() frees 31 of them and keeps PFN 5 (extra reference);
  // migrate_pages() fails it (-EAGAIN after its passes) and it stays on the list; tries 1-4 do the same, and the
  // 5th `++tries == 5` ends the loop with -EBUSY before PFNs 32-511 are isolated. test_pages_isolated() fails, the
  // range is given up. Range [512, 1024) holds nothing (no folio was migrated into it) and is allocated.
  assert.is(t.mm.harness_alloc_contig(9), 0);
  assert.is(t.stat("pgmigrate_fail_contig_range"), 5);
  assert.is(t.stat("pgmigrate_success"), 0);
  // compact_isolated: 32 at the one isolation (not per try), then the 512 free pages of range [512, 1024)
  assert.is(t.stat("compact_isolated"), 32 + 512);
  // the first batch: PFN 5 still cached, the other 31 dropped; the later batches were never touched: indices
  // 32-63 are cached at their PFNs as before
  assert.is(t.h.harness_mapping_pfn(0, 5) >>> 0, 5);
  for (let i = 0; i < 32; i++) if (i !== 5) assert.is(t.h.harness_mapping_pfn(0, i) >>> 0, NONE, `index ${i}`);
  for (let i = 32; i < 64; i++) assert.is(t.h.harness_mapping_pfn(0, i) >>> 0, i, `index ${i}`);
  t.ok();
});

test("anon folios: the pages of the batch after the one that fails are never migrated (pgmigrate counts)", () => {
  const t = small();
  fillBlock0(t);
  t.h.harness_get_page(5); // an extra reference: folio_migrate_mapping() gives -EAGAIN on every pass
  // Range [0, 512): PFNs 0-31 isolated; migrate_pages() moves 31 of them (the list's head, PFN 31, first) and PFN 5
  // fails all 5 tries: -EBUSY, PFNs 32-511 never isolated. The 31 targets came from block 1 (block 0 is isolated),
  // so range [512, 1024) has 31 folios: one batch, all moved, the range allocated.
  assert.is(t.mm.harness_alloc_contig(9), 0);
  assert.is(t.stat("pgmigrate_fail_contig_range"), 5);
  assert.is(t.stat("pgmigrate_success"), 31 + 31);
  assert.is(t.stat("compact_isolated"), 32 + 31 + 512);
  for (let pfn = 32; pfn < 512; pfn++) assert.is(flags(t, pfn) & (PG_owner | PG_buddy), PG_owner, `pfn ${pfn}`);
  t.ok();
});

test("clean page cache in the range is reclaimed (freed), not migrated: no pgmigrate_success for it", () => {
  const t = small();
  writeCache(t, 16);
  for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) t.h.harness_server_reply(r);
  // the file's 16 pages are clean page cache at PFNs 0-15 (the request's slab pages lie at 1024 and up)
  for (let i = 0; i < 16; i++) assert.is(t.h.harness_mapping_pfn(0, i) >>> 0, i);
  // Range [0, 512): one batch of 16 folios; reclaim_clean_pages_from_list() takes all of them (file LRU, not
  // dirty) and shrink_folio_list() frees each (clean, unmapped, no extra reference: __remove_mapping()), so the
  // list is empty and migrate_pages() has nothing to do; the range is free and allocated. No pgsteal (only
  // shrink_inactive_list() counts it) and no pgactivate.
  assert.is(t.mm.harness_alloc_contig(9), 0);
  assert.is(t.stat("pgmigrate_success"), 0);
  assert.is(t.stat("pgsteal_direct") + t.stat("pgsteal_kswapd"), 0);
  assert.is(t.stat("pgactivate"), 0);
  for (let i = 0; i < 16; i++) assert.is(t.h.harness_mapping_pfn(0, i) >>> 0, NONE, `index ${i} was dropped`);
  assert.is(t.stat("compact_isolated"), 16 + 512);
  t.ok();
});

test("page cache under writeback in the batch: PG_reclaim and activated by shrink_folio_list(), then MIGRATE_SYNC waits on the list's head", () => {
  const t = small(); // nocopy on 6.16: the folio itself stays under writeback until the server answers
  writeCache(t, 16);
  for (let i = 0; i < 16; i++) assert.ok(t.h.harness_page_info(i) & (1 << 9), `pfn ${i} under writeback`);
  // One batch of 16 (not dirty: folio_clear_dirty_for_io() at writeback start): reclaim_clean_pages_from_list() takes
  // them all; shrink_folio_list() (not kswapd, writeback_throttling_sane()) is case 2 for each: PG_reclaim set,
  // activate_locked (pgactivate 16). migrate_pages() then meets the list's head first: the kept folios are spliced
  // back in the reverse of the order met, and shrink_folio_list() met them from the isolation list's head (PFN 15,
  // the last isolated) down, so the head is PFN 0, whose writeback MIGRATE_SYNC waits on.
  assert.is(t.mm.harness_alloc_contig(9), 1);
  assert.is(t.mm.harness_contig_wait_pfn(), 0);
  assert.is(t.stat("pgactivate"), 16);
  assert.is(t.stat("pgmigrate_success"), 0);
  for (let i = 0; i < 16; i++) assert.is(flags(t, i) & (PG_reclaim | PG_active), PG_reclaim | PG_active, `pfn ${i}`);
  t.ok();
});

test("a MIGRATE_SYNC wait sleeps with the range isolated; awake, the attempt goes on in it, and its undo merges what isolation split (unset_migratetype_isolate())", () => {
  const t = small();
  // one page written back and answered first, so the request's slab pages exist; then movable pages up to PFN 2047
  // and the file's other 15 pages under writeback from PFN 2048 (block 4). Free on the Movable lists, order 9 and up: 2560
  // (the rest of block 5) and 3072-4095 (order 10)
  t.h.harness_do_write(0, 0, 4096);
  t.h.harness_writeback(0);
  const answer = (): void => { for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) t.h.harness_server_reply(r); };
  answer();
  for (;;) { const p = t.alloc(GFP_HIGHUSER_MOVABLE, 0); if (p >= 2048) { t.free(p, 0); break; } }
  for (let i = 1; i < 16; i++) t.h.harness_do_write(0, i * 4096, 4096); // the rest of the 64 KiB file
  t.h.harness_writeback(0);
  assert.is(t.h.harness_mapping_pfn(0, 1) >>> 0, 2048);
  const free = (order: number): number => t.zone("Normal").freeCount[MIGRATE_MOVABLE]![order]!;
  const buddyOrder = (pfn: number): number => ((t.h.harness_page_info(pfn) >>> 0) & PG_buddy ? (t.h.harness_page_info(pfn) >>> 16) & 0xff : -1);
  const blockTypes = (): number[] => t.sim.pageblockMap().slice(4, 8).map((b) => b.mt);
  assert.equal([free(10), buddyOrder(3072)], [1, 10]);
  const freeBefore = t.zone("Normal").nrFreePages;
  // alloc_contig_pages(order 11): range [0, 2048) fails its isolation at the unmovable block by PFN 1024 (undone at
  // once). Range [2048, 4096): blocks 4, 7, then 5 and 6 are isolated; move_freepages_block_isolate() on block 7 finds
  // it inside the order-10 page at 3072 and splits that into order-9 pages at 3072 (block 6, Movable for now) and
  // 3584 (isolated); block 6's is moved when block 6 is. MIGRATE_SYNC waits on the page cache under writeback, and
  // the task sleeps in folio_wait_writeback() with blocks 4-7 isolated: their free pages (block 4's 497 beside the
  // file's 15, blocks 5-7's 1,536) are on the ISOLATE lists, outside NR_FREE_PAGES. (The order-9 page left on the
  // Movable lists is block 3's, at 1536: the failed range [0, 2048) isolated it and its undo made it Movable, 6.16.)
  assert.is(t.mm.harness_alloc_contig(11), 1);
  const w = t.mm.harness_contig_wait_pfn();
  assert.ok(w >= 2048 && w < 2063, `waits on ${w}`);
  assert.ok(t.mm.harness_contig_range_isolated());
  assert.equal(blockTypes(), [MIGRATE_ISOLATE, MIGRATE_ISOLATE, MIGRATE_ISOLATE, MIGRATE_ISOLATE]);
  assert.equal([free(9), free(10), buddyOrder(1536), buddyOrder(3072), buddyOrder(3584)], [1, 0, 9, 9, 9]);
  const isolated = t.zone("Normal").freeCount[MIGRATE_ISOLATE]!.reduce((sum, n, order) => sum + n * 2 ** order, 0);
  assert.is(isolated, 497 + 1536);
  assert.is(t.zone("Normal").nrFreePages, freeBefore - 497 - 1536);
  t.ok();
  // a pipe's reference on the file's page at PFN 2050 (index 3); then the server answers: the writeback ends. Awake,
  // the task goes on in its range: one batch of the 15 clean folios, reclaim_clean_pages_from_list() frees 14 and
  // keeps PFN 2050, which fails migrate_pages() (-EAGAIN) 5 times: -EBUSY, test_pages_isolated() fails and
  // undo_isolate_page_range() runs over blocks 4-7. Block 6's order-9 page has its buddy at 3584 still isolated:
  // move_freepages_block_isolate(). Block 7's has its buddy at 3072 free and Movable again: __isolate_free_page()
  // and __putback_isolated_page(), which merge them: the order-10 page is back (without that step, two order-9 pages)
  t.h.harness_get_page(2050);
  answer();
  assert.is(t.mm.harness_contig_resume(11), -16);
  assert.not.ok(t.mm.harness_contig_range_isolated());
  assert.equal(blockTypes(), [MIGRATE_MOVABLE, MIGRATE_MOVABLE, MIGRATE_MOVABLE, MIGRATE_MOVABLE]);
  assert.equal([free(10), buddyOrder(3072)], [1, 10]);
  assert.is(t.h.harness_mapping_pfn(0, 3) >>> 0, 2050);
  t.ok();
});

test("memory offline keeps its block isolated between do_migrate_range() rounds (offline_pages()), and takes it once every page is free", () => {
  const t = small();
  fillBlock0(t);
  t.h.harness_get_page(5); // an extra reference: folio_migrate_mapping() gives -EAGAIN on every pass
  // offline_pages() of block 0 (PFNs 0-511, Normal zone): start_isolate_page_range(), then the model's 5 walks of
  // do_migrate_range(): 511 folios migrate (to targets outside the isolated block), PFN 5 fails each walk. The round
  // ends -EBUSY and the block stays isolated, its 511 freed pages on the ISOLATE lists (not NR_FREE_PAGES), where
  // no allocation can take them
  const freeBefore = t.zone("Normal").nrFreePages;
  assert.is(t.mm.harness_offline_range(0, 9, 1, 0), -16);
  assert.ok(t.mm.harness_contig_range_isolated());
  assert.is(t.sim.pageblockMap()[0]!.mt, MIGRATE_ISOLATE);
  assert.is(t.stat("pgmigrate_success"), 511);
  // do_migrate_range()'s reason is MR_MEMORY_HOTPLUG: in pgmigrate_fail, not under contig_range; and offline counts no
  // compact_isolated (only compaction's isolate_migratepages_block() and isolate_freepages_block() do)
  assert.equal([t.stat("pgmigrate_fail"), t.stat("pgmigrate_fail_contig_range"), t.stat("compact_isolated")], [5, 0, 0]);
  const isolated = t.zone("Normal").freeCount[MIGRATE_ISOLATE]!.reduce((sum, n, order) => sum + n * 2 ** order, 0);
  assert.is(isolated, 511);
  // the targets came from the free pages outside block 0: 511 fewer of them
  assert.is(t.zone("Normal").nrFreePages, freeBefore - 511);
  const p = t.alloc(GFP_HIGHUSER_MOVABLE, 0);
  assert.ok(p >= 512, `a new allocation lands outside the isolated block (${p})`);
  t.ok();
  // the reference goes: the next round (the block still isolated, no new isolation) migrates PFN 5 and takes the block
  t.h.harness_put_page(5);
  assert.is(t.mm.harness_offline_range(0, 9, 1, 1), 0);
  assert.not.ok(t.mm.harness_contig_range_isolated());
  for (let pfn = 0; pfn < 512; pfn++) assert.is(flags(t, pfn) & (PG_owner | PG_buddy), PG_owner, `pfn ${pfn}`);
  t.ok();
});

test("memory offline migrates its range from the top, 512 pages at a time, each batch asynchronously first: it waits on the highest folio under writeback, the batches below untouched", () => {
  // 6.12.118 do_migrate_range(): every folio of [0, 1024) on one list, the highest PFN at its head
  // (isolate_folio_to_list() -> list_add()); migrate_pages() takes it NR_MAX_BATCHED_MIGRATION (512) pages at a time
  // from the head, and migrate_pages_sync() runs each batch in MIGRATE_ASYNC first, then one by one synchronously.
  // File pages 0-1023 sit at PFNs 0-1023, sent in requests of 256 pages (max_pages 256); the server answers every
  // request but the one for pages 512-767, which stay under writeback. Batch 1 is PFNs 1023-512: the asynchronous
  // pass moves PFNs 1023-768 (256 folios) and passes over 767-512 (-EBUSY), and the synchronous pass meets PFN 767
  // first and sleeps in folio_wait_writeback(). Batch 2 (PFNs 511-0) is never reached. (Walking the range upwards,
  // as the model did before, would have moved PFNs 0-511 and waited on PFN 512.)
  const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, {}, "nocopy", "4M");
  writeCache(t, 1024);
  for (let i = 0; i < 1024; i++) assert.is(t.h.harness_mapping_pfn(0, i) >>> 0, i, `page ${i} at PFN ${i}`);
  const reqs: number[] = [];
  for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) reqs.push(r);
  assert.is(reqs.length, 4, "4 requests of 256 pages");
  reqs.forEach((r, k) => { if (k !== 2) t.h.harness_server_reply(r); });
  assert.is(t.mm.harness_offline_range(0, 10, 1, 0), 1, "MIGRATE_SYNC waits");
  assert.is(t.mm.harness_contig_wait_pfn() >>> 0, 767);
  assert.is(t.stat("pgmigrate_success"), 256);
  const moved = (from: number, to: number): boolean[] => Array.from({ length: to - from }, (_, i) => t.h.harness_mapping_pfn(0, from + i) >>> 0 !== from + i);
  assert.ok(moved(768, 1024).every(Boolean), "batch 1 moved but for its folios under writeback");
  assert.ok(!moved(512, 768).some(Boolean), "the folios under writeback stay");
  assert.ok(!moved(0, 512).some(Boolean), "batch 2 not reached");
  t.ok();
});

test("memory offline: within a batch the asynchronous pass comes first, so the folios below the one it then waits on have moved", () => {
  // As above, with the server holding the request for pages 768-1023 (the top of batch 1): the asynchronous pass
  // passes over PFNs 1023-768 and moves 767-512; the synchronous pass then waits on PFN 1023, the first it meets.
  // (A batch migrated one by one synchronously from its head would have waited on PFN 1023 having moved nothing.)
  const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, {}, "nocopy", "4M");
  writeCache(t, 1024);
  const reqs: number[] = [];
  for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) reqs.push(r);
  reqs.forEach((r, k) => { if (k !== 3) t.h.harness_server_reply(r); });
  assert.is(t.mm.harness_offline_range(0, 10, 1, 0), 1);
  assert.is(t.mm.harness_contig_wait_pfn() >>> 0, 1023);
  assert.is(t.stat("pgmigrate_success"), 256);
  for (let i = 512; i < 768; i++) assert.ok(t.h.harness_mapping_pfn(0, i) >>> 0 !== i, `page ${i} moved`);
  for (const i of [0, 511, 768, 1023]) assert.is(t.h.harness_mapping_pfn(0, i) >>> 0, i, `page ${i} in place`);
  t.ok();
});

test("memory offline turns the zone's per-cpu lists off for its whole run (zone_pcp_disable()), an isolated round included, and back on when the block is offline", () => {
  const t = mmHarness({ memory: "64M", dma32: 0, thp: false });
  const pcp = (field: number): number => t.mm.harness_pcp(0, 1, field) >>> 0; // CPU 0, Normal zone: 0 count, 2 batch, 3 high_min, 4 high_max
  const p = t.alloc(GFP_HIGHUSER_MOVABLE, 0); // the refill leaves the rest of its batch on CPU 0's list
  const before = [pcp(2), pcp(3), pcp(4)];
  assert.ok(before[0]! > 1 && before[1]! > 0 && pcp(0) > 0, `lists on: batch ${before[0]}, high_min ${before[1]}, count ${pcp(0)}`);
  t.h.harness_get_page(p); // pinned: every do_migrate_range() round fails on it
  const block = p - (p % 512);
  // offline_pages() of p's block: zone_pcp_disable() (high_min = high_max = 0, batch 1, the lists drained), then
  // a round that ends -EBUSY with the block still isolated: the lists stay off
  assert.is(t.mm.harness_offline_range(block, 9, 1, 0), -16);
  assert.equal([pcp(0), pcp(2), pcp(3), pcp(4)], [0, 1, 0, 0]);
  // an allocation and a free meanwhile pass straight through (nr_pcp_alloc() and nr_pcp_free() give 1 when
  // high < batch; the freed page cannot stay on a list whose high is 0)
  const q = t.alloc(GFP_HIGHUSER_MOVABLE, 0);
  t.free(q, 0);
  assert.is(pcp(0), 0);
  t.ok();
  // the pin goes: the next round migrates p, the block goes offline, and zone_pcp_enable() gives the pagesets back
  t.h.harness_put_page(p);
  assert.is(t.mm.harness_offline_range(block, 9, 1, 1), 0);
  assert.equal([pcp(2), pcp(3), pcp(4)], before);
  t.ok();
});

test("undo_isolate_page_range(): an Unmovable block of the range comes out Movable after an attempt on 6.1-6.16, keeps its type on 6.18", () => {
  for (const [kernel, after] of [["6.16", MIGRATE_MOVABLE], ["6.18", MIGRATE_UNMOVABLE]] as const) {
    // a failed attempt: block 0 (every page allocated, PFN 5 pinned) of type Unmovable passes has_unmovable_pages()
    // (it tests pages, not the type), is isolated, fails with -EBUSY, and is undone to alloc_contig_pages()'s
    // MIGRATE_MOVABLE (6.16) or its own type (6.18); range [512, 1024) then succeeds
    const t = small(kernel);
    fillBlock0(t);
    t.h.harness_get_page(5);
    t.mm.harness_set_pageblock_mt(0, MIGRATE_UNMOVABLE);
    assert.is(t.sim.pageblockMap()[0]!.mt, MIGRATE_UNMOVABLE);
    assert.is(t.mm.harness_alloc_contig(9), 0);
    assert.is(t.sim.pageblockMap()[0]!.mt, after, `${kernel}: failed attempt`);
    t.ok();
    // a successful attempt: a free Unmovable block 0 is taken whole; the same undo at `done:`
    const u = small(kernel);
    u.mm.harness_set_pageblock_mt(0, MIGRATE_UNMOVABLE);
    assert.is(u.mm.harness_alloc_contig(9), 0);
    assert.ok(flags(u, 0) & PG_owner, "range [0, 512) allocated");
    assert.is(u.sim.pageblockMap()[0]!.mt, after, `${kernel}: successful attempt`);
    u.ok();
  }
});

test("a migration target the model does not reclaim or compact for is counted: a full zone, each range's first target missing", () => {
  const t = small();
  while (t.alloc(GFP_HIGHUSER_MOVABLE, 0) !== ALLOC_FAILED);
  assert.is(t.zone("Normal").nrFreePages, 128, "the min watermark");
  // Each of the zone's 8 pageblock ranges in turn: its first batch is isolated (32 anon pages), and the first
  // target's allocation fails at the fast path (low, 160) and at the min watermark (128 free is not above 128):
  // migrate_pages() gives -ENOMEM, the folio counts as failed, the range is given up and the next is tried. The
  // kernel's target could reclaim and compact first; the model counts the 8 misses.
  assert.is(t.mm.harness_alloc_contig(9), -12);
  assert.is(t.stat("migration_target_misses"), 8);
  assert.is(t.stat("pgmigrate_fail_contig_range"), 8);
  t.ok();
});

test.run();
