// Every reclaim, compaction, migration and THP counter the report and /proc/vmstat carry is counted where
// mm/ counts it: each test plants one event of a kind and sees exactly that counted. Expected values are derived
// in the comments (the 16 MiB machine's arithmetic is test/compaction.test.ts's).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mmHarness, COMPACT_PRIO_ASYNC, COMPACT_PRIO_SYNC_LIGHT, NONE } from "./helpers/harness.js";
import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL, GFP_TRANSHUGE, ALLOC_FAILED } from "../host/core/constants.js";
import { vmstatView } from "../host/proc/vmstat.js";

const NORMAL = 1;
const small = () => mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false });
/** Allocates `gfp` order-0 pages until the watermarks refuse; returns how many (3968 on the 16 MiB machine). */
function fill(t: ReturnType<typeof small>, gfp: number): number {
  let n = 0;
  while (t.alloc(gfp, 0) !== ALLOC_FAILED) n++;
  return n;
}
/** Writes `pages` order-0 page-cache pages of file 0 and has the server answer: clean, cached, reclaimable. */
function cleanCache(t: ReturnType<typeof small>, pages: number): void {
  for (let i = 0; i < pages; i++) t.h.harness_do_write(0, i * 4096, 4096);
  t.h.harness_writeback(0);
  for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) t.h.harness_server_reply(r);
}

test("direct reclaim: allocstall by sc->reclaim_idx, pgscan_direct and pgsteal_direct by the pages", () => {
  // 64 MiB: DMA32 16 MiB + Normal 48 MiB. GFP_KERNEL reclaims for Normal (gfp_zone()).
  const t = mmHarness({ memory: "64M", thp: false, pcp: false }, {}, "nocopy", "1M");
  cleanCache(t, 64);
  // try_to_free_pages(): sc.nr_to_reclaim = SWAP_CLUSTER_MAX = 32. do_try_to_free_pages() lowers the priority
  // from DEF_PRIORITY 12 until 32 are reclaimed; get_scan_count() targets the inactive file list's pages >> priority
  // (no swap: SCAN_FILE), the oldest first, all clean and freed: nothing at 12-7 (64 >> 7 = 0), then 1 (64 >> 6),
  // 1 (63 >> 5), 3 (62 >> 4), 7 (59 >> 3), 13 (52 >> 2), 19 (39 >> 1): 44 >= 32 after priority 1
  assert.is(t.mm.harness_try_to_free_pages(GFP_KERNEL, 0), 44);
  assert.is(t.stat("allocstall_normal"), 1);
  assert.is(t.stat("pgscan_direct"), 44);
  assert.is(t.stat("pgsteal_direct"), 44);
  // the oldest pages went first: indices 0-43 are gone, 44 is cached
  assert.is(t.h.harness_mapping_pfn(0, 43) >>> 0, NONE);
  assert.ok((t.h.harness_mapping_pfn(0, 44) >>> 0) !== NONE);
  assert.is(t.stat("pgscan_kswapd") + t.stat("pgsteal_kswapd") + t.stat("allocstall_dma32") + t.stat("allocstall_movable"), 0);
  // a movable mask on a machine with ZONE_MOVABLE reclaims for Movable; a DMA32-only machine for DMA32. With
  // nothing cached nothing is reclaimed, and 6.12+ (these runs' 6.16) sweeps once more with memcg_full_walk
  // ("Avoid false OOMs"): each retry counts allocstall again
  const m = mmHarness({ memory: "64M", movable: "16M", thp: false, pcp: false });
  m.mm.harness_try_to_free_pages(GFP_HIGHUSER_MOVABLE, 0);
  assert.is(m.stat("allocstall_movable"), 2);
  const d = mmHarness({ memory: "16M", dma32: "16M", thp: false, pcp: false });
  d.mm.harness_try_to_free_pages(GFP_KERNEL, 0);
  assert.is(d.stat("allocstall_dma32"), 2);
  // 6.1 has no such retry: one sweep, one allocstall
  const old = mmHarness({ memory: "16M", dma32: "16M", thp: false, pcp: false, kernel: "6.1" }, {}, "legacy-copy");
  old.mm.harness_try_to_free_pages(GFP_KERNEL, 0);
  assert.is(old.stat("allocstall_dma32"), 1);
});

test("kswapd: one balance_pgdat() run is a pageoutrun; it reclaims the page cache into pgscan/pgsteal_kswapd", () => {
  const t = mmHarness({ memory: "64M", thp: false, pcp: false }, {}, "nocopy", "1M");
  cleanCache(t, 256);
  fill(t, GFP_KERNEL); // every zone at its min watermark (DMA32 above its reserve for Normal requests)
  // Unbalanced: DMA32 112 free <= 96 + lowmem_reserve 48, Normal 255 <= 288 (high), and the GFP_KERNEL
  // allocations' fallbacks into MOVABLE blocks boosted the watermarks (boost_watermark()): balance_pgdat() drops
  // the boost reclaim for an unbalanced node and reclaims at priority 12 down to 1 against high + boost, which
  // the 256 pages cannot meet. kswapd_shrink_node() asks for max(96, 32) + max(288 + boost, 32) pages each time
  // and scans the inactive list's pages >> priority, the oldest first, all clean: nothing at 12-9, then 1 (256 >> 8),
  // 1 (255 >> 7), 3, 7, 15, 28, 50 and 75 (151 >> 1): 180 pages. Then the boost is taken back: Normal's 435 free
  // are above 288, balanced, and kswapd sleeps.
  t.mm.harness_kswapd();
  assert.is(t.stat("pageoutrun"), 1);
  assert.is(t.stat("pgscan_kswapd"), 180);
  assert.is(t.stat("pgsteal_kswapd"), 180);
  assert.is(t.zone("Normal").nrFreePages, 435);
  assert.is(t.stat("allocstall_normal") + t.stat("pgscan_direct"), 0, "kswapd is no direct reclaim");
  assert.not.ok(t.mm.harness_kswapd_awake());
  t.ok();
});

test("direct compaction: compact_stall, compact_success, compact_isolated, both scanners' pages, pgmigrate_*", () => {
  const t = small();
  fill(t, GFP_HIGHUSER_MOVABLE);
  for (let pfn = 0; pfn < 1536; pfn += 2) t.free(pfn, 0);
  for (let pfn = 3072; pfn < 3968; pfn++) if (pfn !== 3328 && pfn !== 3840) t.free(pfn, 0);
  t.h.harness_get_page(1); // an extra reference: isolated, then -EAGAIN in migration (folio_migrate_mapping())
  // Async, order 9 (test/compaction.test.ts "cached scanner positions", run 1): block 0's 256 odd pages are
  // isolated (compact_isolated 256), the fast free-list search isolates the order-8 buddy at 3072 (256 more).
  // Page 1 fails all 3 async passes: pgmigrate_fail 1 under MR_COMPACTION; 255 migrate. Block 0 is not free, so
  // compaction goes on to block 1 (512..1023): its 256 odd pages are isolated and migrated into the rest of
  // the targets and a second order-8 buddy (3584), block 1 merges: COMPACT_SUCCESS, and the THP is at 512.
  assert.is(t.mm.harness_direct_compact(GFP_TRANSHUGE, 9, COMPACT_PRIO_ASYNC), 512);
  assert.is(t.stat("compact_stall"), 1);
  assert.is(t.stat("compact_success"), 1);
  assert.is(t.stat("compact_fail"), 0);
  assert.is(t.stat("pgmigrate_fail"), 1);
  assert.is(t.stat("pgmigrate_fail_compaction"), 1);
  assert.is(t.stat("pgmigrate_success"), 255 + 256);
  // isolated: 512 folios by the migrate scanner, 2 x 256 free pages by the fast search
  assert.is(t.stat("compact_isolated"), 512 + 512);
  // the migrate scanner covered blocks 0 and 1 pfn by pfn (holes count 1, isolated folios 1 each), and before
  // block 1 fast_find_migrateblock() walked the MOVABLE lists of orders 8 to 3 for a block below 512 (the first
  // eighth of the scan space): 17 entries (block 0's buddies 256, 128, 64, 32, 16, 8 - skipped, block 0 has its
  // skip bit - and the upper halves of blocks 6 and 7: 3584; 3456, 3968; 3392, 3904; 3360, 3872; 3344, 3856;
  // 3336, 3848), none usable, each counted as scanned
  assert.is(t.stat("compact_migrate_scanned"), 1024 + 17);
  // the fast search: one list entry for each order-8 buddy, plus its other 255 pages as isolate_freepages_block()
  // counts an isolated chunk
  assert.is(t.stat("compact_free_scanned"), 2 * 256);
  t.ok();
});

test("compaction's migrate scanner: folios not isolated because under writeback or pinned (anon)", () => {
  const t = small();
  // the file's 16 pages (64 KiB), one-page folios under copy-free writeback at PFNs 0-15 (no answer yet)
  for (let i = 0; i < 16; i++) t.h.harness_do_write(0, i * 4096, 4096);
  t.h.harness_writeback(0);
  const anon = t.mm.harness_anon_alloc(GFP_HIGHUSER_MOVABLE, 0); // an anon page at 16, pinned below
  assert.is(anon, 16);
  t.h.harness_get_page(anon);
  // The request's own objects took 6 unmovable slab pages (kmalloc-512's order-2 slab, kmalloc-16, fuse_request,
  // assembly/fuse/req_slab.ts): the first, finding no unmovable page, claimed the order-10 buddy at 1024 (blocks 2
  // and 3, away from block 0: the slab pages are 1024-1029) and boosted the watermark, which stops the fill early
  // until kswapd, woken for it, clears the boost (balance_pgdat()); the fill then goes on to the same watermark as
  // before: 6 pages fewer
  const filled = new Set<number>();
  for (let k = 0; k < 2; k++) {
    for (let p = t.alloc(GFP_HIGHUSER_MOVABLE, 0); p !== ALLOC_FAILED; p = t.alloc(GFP_HIGHUSER_MOVABLE, 0)) filled.add(p);
    if (k === 0) t.mm.harness_kswapd();
  }
  assert.is(filled.size, 3968 - 17 - 6);
  // holes after them: every other PFN up to 2418 that the fill took (the slab pages and the pages left free at
  // the watermark stay as they are)
  for (let pfn = 18; pfn < 2418; pfn += 2) if (filled.has(pfn)) t.free(pfn, 0);
  // Sync-light (ISOLATE_ASYNC_MIGRATE as async) scans block 0 first: the 16 folios under writeback are not taken
  // (once each: the block is scanned once in this run), nor the pinned anon page (folio_ref_count - 1 >
  // folio_mapcount). (Pages not on the LRU: test/compaction.test.ts, deferral, counts 2384 of them.)
  t.mm.harness_direct_compact(GFP_TRANSHUGE, 9, COMPACT_PRIO_SYNC_LIGHT);
  assert.is(t.stat("isolate_fail_writeback"), 16);
  assert.is(t.stat("isolate_fail_pinned"), 1);
  assert.is(t.stat("isolate_fail_not_lru"), 0);
  t.ok();
});

test("alloc_contig_range(): a folio that fails every try counts in pgmigrate_fail under MR_CONTIG_RANGE, once a try", () => {
  const t = small();
  for (let i = 0; i < 512; i++) assert.is(t.alloc(GFP_HIGHUSER_MOVABLE, 0), i);
  t.h.harness_get_page(0);
  // Range [0, 512): __alloc_contig_migrate_range() isolates the first COMPACT_CLUSTER_MAX (32) folios, PFNs 0-31;
  // 31 migrate in the first try, page 0 fails all five (the same list retried): pgmigrate_fail_contig_range 5,
  // -EBUSY, and PFNs 32-511 are never isolated. The 31 moved pages went to block 1 (the lowest free buddy), so
  // range [512, 1024) migrates them once more (one batch of 31) and succeeds.
  assert.is(t.mm.harness_alloc_contig(9), 0);
  assert.is(t.stat("pgmigrate_fail_contig_range"), 5);
  assert.is(t.stat("pgmigrate_fail"), 5);
  assert.is(t.stat("pgmigrate_success"), 31 + 31);
  t.ok();
});

test("THP faults: thp_fault_alloc when a THP is had, thp_fault_fallback when not", () => {
  const t = small();
  assert.is(t.mm.harness_thp_fault(9), 0, "boot left free order-10 buddies");
  assert.is(t.stat("thp_fault_alloc"), 1);
  fill(t, GFP_KERNEL);
  assert.is(t.mm.harness_thp_fault(9), NONE);
  assert.is(t.stat("thp_fault_fallback"), 1);
  assert.is(t.stat("thp_fault_alloc"), 1);
});

test("kcompactd: a wake-up for order 9 runs kcompactd_do_work(), counted in compact_daemon_*", () => {
  const t = small();
  fill(t, GFP_HIGHUSER_MOVABLE);
  for (let pfn = 0; pfn < 1536; pfn += 2) t.free(pfn, 0);
  for (let pfn = 3072; pfn < 3968; pfn++) if (pfn !== 3328 && pfn !== 3840) t.free(pfn, 0);
  // kcompactd_node_suitable(): no order-9 page at the min watermark, enough free pages and fragmentation:
  // compaction_suit_allocation_order() says COMPACT_CONTINUE, so the wake-up is scheduled
  t.mm.harness_wakeup_kcompactd(9, NORMAL);
  t.mm.harness_kcompactd();
  assert.is(t.stat("compact_daemon_wake"), 1);
  // kcompactd's scanning is compaction's too: every page it scanned is in both counters
  assert.ok(t.stat("compact_daemon_migrate_scanned") > 0);
  assert.is(t.stat("compact_daemon_migrate_scanned"), t.stat("compact_migrate_scanned"));
  assert.is(t.stat("compact_daemon_free_scanned"), t.stat("compact_free_scanned"));
  assert.is(t.stat("compact_stall"), 0, "no direct compaction");
  t.ok();
});

test("/proc/vmstat prints each counter under the kernel's name; pgscan_file and pgsteal_file are the sums", () => {
  const t = mmHarness({ memory: "64M", thp: false, pcp: false }, {}, "nocopy", "1M");
  cleanCache(t, 64);
  t.mm.harness_try_to_free_pages(GFP_KERNEL, 0);
  const view = new Map(vmstatView(t.sim.zones(), t.sim.stats()));
  for (const name of [
    "allocstall_dma32", "allocstall_normal", "allocstall_movable", "pgsteal_kswapd", "pgsteal_direct", "pgscan_kswapd",
    "pgscan_direct", "pgscan_file", "pgsteal_file", "pageoutrun", "pgmigrate_success", "pgmigrate_fail",
    "compact_migrate_scanned", "compact_free_scanned", "compact_isolated", "compact_stall", "compact_fail",
    "compact_success", "compact_daemon_wake", "compact_daemon_migrate_scanned", "compact_daemon_free_scanned",
    "thp_fault_alloc", "thp_fault_fallback",
  ]) assert.ok(view.has(name), name);
  assert.is(view.get("pgscan_file"), 44);
  assert.is(view.get("pgsteal_file"), 44);
  // the file LRU's lists: what reclaim left is inactive (clean folios are freed, not activated)
  assert.equal([view.get("nr_inactive_file"), view.get("nr_active_file"), view.get("pgactivate")], [20, 0, 0]);
  assert.not.ok(view.has("thp_attempts"), "what a kernel name prints is not repeated under ours");
});

test.run();
