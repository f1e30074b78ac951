// kswapd and kcompactd (mm/vmscan.c, mm/compaction.c, 6.15) one step at a time on the 16 MiB Normal-only machine
// of test/compaction.test.ts (min 128, low 160, high 192 pages; per-cpu lists off). Expected values are derived
// in the comments.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mmHarness, COMPACT_PRIO_ASYNC, COMPACT_PRIO_SYNC_LIGHT, CACHED_MIGRATE_ASYNC, CACHED_FREE, BLOCKSKIP_FLUSH, NONE } from "./helpers/harness.js";
import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL, GFP_TRANSHUGE, ALLOC_FAILED } from "../host/core/constants.js";

const NORMAL = 1;
const machine = (proactiveness = 0) => mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, { compaction_proactiveness: proactiveness });
function fill(t: ReturnType<typeof machine>, gfp: number): void {
  while (t.alloc(gfp, 0) !== ALLOC_FAILED);
}

test("a fallback claim boosts the watermark; rmqueue() sees ZONE_BOOSTED_WATERMARK and wakes kswapd; kswapd's boosted pass wakes kcompactd", () => {
  const t = machine();
  fill(t, GFP_HIGHUSER_MOVABLE); // PFNs 0-3967
  t.mm.harness_kswapd(); // the fill woke kswapd; let it run (nothing to reclaim) and sleep
  for (let pfn = 0; pfn < 2400; pfn += 2) t.free(pfn, 0); // 1328 free, no order-9 block
  assert.is(t.zone("Normal").watermarkBoost, 0);
  // GFP_KERNEL: the ALLOC_NOFRAGMENT pass finds no block of pageblock_order to claim; without it,
  // __rmqueue_claim() tries the order-7 MOVABLE buddy at 3968 (its block: 128 free + 384 movable, too few alike
  // pages) and the hole heading the order-0 list (2398, freed last; its block 176 free + 336 movable): each
  // try_to_claim_block() boosts the watermark (512 = max(pageblock_nr_pages, 192 * 15000 / 10000) at most) and,
  // with ALLOC_KSWAPD, flags the zone; __rmqueue_steal() then takes 2398.
  assert.is(t.alloc(GFP_KERNEL, 0), 2398);
  assert.is(t.zone("Normal").watermarkBoost, 512);
  // rmqueue() cleared the flag and called wakeup_kswapd(zone, 0, 0, Normal): the node is balanced (1327 free >
  // 192 + 512) but boosted, so kswapd is woken, not kcompactd
  assert.not.ok(t.mm.harness_zone_boosted(NORMAL));
  assert.ok(t.mm.harness_kswapd_awake());
  assert.not.ok(t.mm.harness_kcompactd_awake());
  // balance_pgdat(): balanced, so the boost is reclaimed - there is no page cache: nothing, and boosted reclaim
  // without progress stops; the boost is taken back, and wakeup_kcompactd(pageblock_order) finds compaction
  // suitable (1327 > 128 + 1024 + 32, fragmentation index near 1000): kcompactd is woken.
  t.mm.harness_kswapd();
  assert.is(t.stat("pageoutrun"), 2);
  assert.is(t.zone("Normal").watermarkBoost, 0);
  assert.not.ok(t.mm.harness_kswapd_awake());
  assert.ok(t.mm.harness_kcompactd_awake());
  t.mm.harness_kcompactd();
  assert.is(t.stat("compact_daemon_wake"), 1);
  assert.not.ok(t.mm.harness_kcompactd_awake());
  t.ok();
});

test("kswapd going to sleep consumes compact_blockskip_flush: skip bits of blocks without an LRU or free sample stay", () => {
  const t = machine();
  fill(t, GFP_KERNEL); // all 8 blocks UNMOVABLE (test/compaction.test.ts, deferral)
  for (let pfn = 0; pfn < 2400; pfn += 2) t.free(pfn, 0);
  t.mm.harness_direct_compact(GFP_TRANSHUGE, 9, COMPACT_PRIO_ASYNC);
  t.mm.harness_direct_compact(GFP_TRANSHUGE, 9, COMPACT_PRIO_SYNC_LIGHT); // skip bits on blocks 0-6
  assert.is(t.mm.harness_compact_state(NORMAL, BLOCKSKIP_FLUSH), 1, "a direct compaction's scanners met");
  // kswapd: balanced (1328 free > 192) and not boosted: balance_pgdat() stops at once, kswapd_try_to_sleep()
  // calls reset_isolation_suitable(). __reset_isolation_suitable() walks from both ends to the middle (migrate
  // side 0, 512, 1024, 1536; free side 4095, 3583, 3071, 2559): the lower blocks' samples (every 8th page) are
  // unmovable pages or holes, and a hole is not looked for until a source was found; the upper blocks are not
  // MOVABLE. Nothing is cleared, and with nothing reset the cached positions are where the walk stopped: 2048
  // and 2047.
  t.mm.harness_kswapd();
  assert.is(t.mm.harness_compact_state(NORMAL, BLOCKSKIP_FLUSH), 0);
  for (const pfn of [0, 512, 1024, 1536, 2048, 2560, 3072]) assert.ok(t.mm.harness_pageblock_skip(pfn), `block ${pfn}`);
  assert.is(t.mm.harness_compact_state(NORMAL, CACHED_MIGRATE_ASYNC), 2048);
  assert.is(t.mm.harness_compact_state(NORMAL, CACHED_FREE), 2047);
  t.ok();
});

test("proactive compaction: vm.compaction_proactiveness 0 never compacts; 20 compacts while the score is above 90", () => {
  const setup = (proactiveness: number) => {
    const t = machine(proactiveness);
    fill(t, GFP_HIGHUSER_MOVABLE);
    t.mm.harness_kswapd(); // kswapd asleep: kswapd_is_running() would hold proactive compaction back
    for (let pfn = 0; pfn < 2400; pfn += 2) t.free(pfn, 0);
    return t;
  };
  const off = setup(0);
  // proactiveness 0: kcompactd sleeps without a timeout (MAX_SCHEDULE_TIMEOUT)
  assert.is(off.mm.harness_kcompactd_timer(), 0);
  assert.is(off.stat("compact_daemon_migrate_scanned"), 0);
  const on = setup(20);
  // extfrag_for_order(9): all 1328 free pages are in blocks below order 9: 100; weighted by the zone's share of
  // the node, 4096 * 100 / 4097 = 99 > fragmentation_score_wmark(high) = min(100 - 20 + min(10, 80 / 2), 100) = 90
  assert.is(on.mm.harness_fragmentation_score(), 99);
  const timeout = on.mm.harness_kcompactd_timer();
  // compact_node(): the whole zone, sync-light, until the zone's score is at most the low mark 80 (or the
  // scanners meet); the score went down, so the next check is HPAGE_FRAG_CHECK_INTERVAL_MSEC away
  assert.ok(on.stat("compact_daemon_migrate_scanned") > 0);
  assert.ok(on.mm.harness_fragmentation_score() <= 80, `${on.mm.harness_fragmentation_score()}`);
  assert.is(timeout, 500e6);
  assert.is(on.stat("compact_daemon_wake"), 0, "proactive compaction is no kcompactd_do_work()");
  // the score is at the low mark now, below the high one: the next timeout compacts nothing
  const scanned = on.stat("compact_daemon_migrate_scanned");
  on.mm.harness_kcompactd_timer();
  assert.is(on.stat("compact_daemon_migrate_scanned"), scanned);
  on.ok();
});

test("kswapd reclaims with ZONE_RECLAIM_ACTIVE: the pages it frees pass through a per-cpu list kept under 4 batches", () => {
  // 64 MiB with per-cpu lists on the scenario's 8 CPUs (machine.cpus), all of this on CPU 0: Normal 12288 pages,
  // min/low/high 192/240/288 (test/vmstat-counters.test.ts), batch rounddown_pow_of_two(3 + 1) - 1 = 3, and
  // zone_highsize() splits over the 8 CPUs: high_min = max(240 / 8, 12) = 30, high_max = 12288 / 8 / 8 = 192. 256
  // clean page-cache pages, then GFP_KERNEL allocations until the watermarks refuse: the refills raised high to 192
  // while the zone was above its high watermark. The allocations here do not reclaim, and without reclaim progress
  // __alloc_pages_direct_reclaim() does not drain: the last refill's pages stay on the list.
  const t = mmHarness({ memory: "64M", thp: false, pcp: true }, {}, "nocopy", "1M");
  for (let i = 0; i < 256; i++) t.h.harness_do_write(0, i * 4096, 4096);
  t.h.harness_writeback(0);
  for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) t.h.harness_server_reply(r);
  while (t.alloc(GFP_KERNEL, 0) !== ALLOC_FAILED);
  // The writeback request's own objects keep 30 slab pages (kmalloc-16 to kmalloc-4k, fuse_request: one empty slab
  // each, min_partial): the watermarks refuse with 267 pages free or on the list (the model's count; 255 before the
  // slab caches, not re-derived by hand), 136 of them on the list: 95 UNMOVABLE order-0 pages (the last refills),
  // 29 MOVABLE ones, and an UNMOVABLE order-2 and order-3 block (slab pages the emptied caches gave back).
  const before = t.zone("Normal");
  assert.equal([before.nrFreePages + before.pcp.count, before.pcp.count, before.pcp.high], [267, 136, 192]);
  const len = (pindex: number): number => t.mm.harness_pcp_list_len(0, NORMAL, pindex) >>> 0;
  // order_to_pindex(): MIGRATE_PCPTYPES * order + migratetype for orders 0-3
  assert.equal([len(0), len(1), len(6), len(9)], [95, 29, 1, 1]);
  // balance_pgdat() sets ZONE_RECLAIM_ACTIVE and reclaims 180 of the 256 pages (all in Normal), one free at a time:
  // the inactive list's pages >> priority at priorities 8 to 1 (1, 1, 3, 7, 15, 28, 50, 75: test/vmstat-counters.test.ts
  // has the same machine). The allocations' fallbacks claimed the blocks holding them for UNMOVABLE, so each joins
  // list 0, and free_pcppages_bulk() starts there. nr_pcp_high() lowers high by max(free_count, 3) each time (to
  // high_min 30 long before the end) and returns min(3 << 2, high) = 12; the lists hold 136 + 1 >= 12 from the first
  // free on, so every free gives back nr_pcp_free() = clamp(free_count, 3, 12 - 3) pages (free_count 1, 2, ... after
  // the allocations halved it to 0): 3, 3, 3, 4, ..., 9, 9, ..., from list 0's tail, and once list 0 runs dry, round
  // robin over the MOVABLE order-0 list and the two blocks (a block counts its 4 or 8 pages: the last bulk may give
  // back more than asked). The lists are empty after about 25 frees; from then on each free adds a page to list 0
  // and every ninth reaches 12 and gives 9 back, leaving 3. The 256 frees this test made before the reclaim followed
  // the kernel's scan targets left 7 (256 = 180 + 76, 76 = 8 * 9 + 4): 180 leave 3, and 136 + 180 - 3 = 313 given back.
  t.mm.harness_kswapd();
  assert.is(t.stat("pgsteal_kswapd"), 180);
  const after = t.zone("Normal");
  assert.equal([after.nrFreePages, after.pcp.count, after.pcp.high], [before.nrFreePages + 313, 3, 30]);
  assert.equal([len(0), len(1), len(6), len(9)], [3, 0, 0, 0]);
  t.ok();
});

test.run();
