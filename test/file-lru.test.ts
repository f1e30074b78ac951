// The file LRU's scan targets (mm/vmscan.c 6.12, docs/compaction.md): get_scan_count() gives each list its pages in
// the zones up to sc->reclaim_idx >> sc->priority, shrink_lruvec() works through them in SWAP_CLUSTER_MAX batches
// and stops at nr_to_reclaim, except global direct reclaim at DEF_PRIORITY, which scans its whole target
// (proportional_reclaim). Expected values are worked out in the comments.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { harness, mmHarness, NONE } from "./helpers/harness.js";
import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL, GFP_TRANSHUGE, ALLOC_FAILED } from "../host/core/constants.js";

type H = ReturnType<typeof mmHarness>;
/** Writes `pages` order-0 page-cache pages of file 0 and has the server answer: clean, cached, reclaimable. */
function cleanCache(t: H, pages: number): void {
  for (let i = 0; i < pages; i++) t.h.harness_do_write(0, i * 4096, 4096);
  for (let n = t.h.harness_writeback(0); n > 0; n = t.h.harness_writeback(0))
    for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) t.h.harness_server_reply(r);
}

test("direct reclaim at DEF_PRIORITY scans its whole target, past nr_to_reclaim (proportional reclaim)", () => {
  // 147,456 clean pages (576 MiB) on a 1 GiB machine: 147,456 >> 12 = 36 pages at priority 12. The first batch of
  // 32 already meets nr_to_reclaim, but global direct reclaim at DEF_PRIORITY does not stop there: the last 4 are
  // scanned and freed too, and do_try_to_free_pages() then stops with 36 >= 32
  const t = mmHarness({ memory: "1G", thp: false, pcp: false }, {}, "nocopy", "576M");
  cleanCache(t, 147_456);
  assert.is(t.stat("nr_file_lru"), 147_456);
  assert.is(t.mm.harness_try_to_free_pages(GFP_KERNEL, 0), 36);
  assert.equal([t.stat("pgscan_direct"), t.stat("pgsteal_direct"), t.stat("allocstall_normal")], [36, 36, 1]);
  // oldest first: indices 0-35
  assert.is(t.h.harness_mapping_pfn(0, 35) >>> 0, NONE);
  assert.ok((t.h.harness_mapping_pfn(0, 36) >>> 0) !== NONE);
  t.ok();
});

test("the scan target counts only the zones up to sc->reclaim_idx: page cache in ZONE_MOVABLE is out of GFP_KERNEL's reach", () => {
  // 64 MiB with 32 MiB of ZONE_MOVABLE: the 64 page-cache pages (GFP_HIGHUSER_MOVABLE) go to Movable, the highest
  // zone. GFP_KERNEL reclaims for Normal: lruvec_lru_size(LRU_INACTIVE_FILE, ZONE_NORMAL) is 0, so every priority's
  // target is 0, nothing is scanned and nothing reclaimed; 6.12+ (this run's 6.16) sweeps once more with
  // memcg_full_walk ("Avoid false OOMs"), so allocstall counts twice; no force_deactivate retry: nothing was skipped
  const t = mmHarness({ memory: "64M", movable: "32M", thp: false, pcp: false }, {}, "nocopy", "1M");
  cleanCache(t, 64);
  const first = t.h.harness_mapping_pfn(0, 0) >>> 0;
  assert.ok(first >= t.zone("Movable").startPfn, `page 0 at pfn ${first}, in Movable`);
  assert.is(t.mm.harness_try_to_free_pages(GFP_KERNEL, 0), 0);
  assert.equal([t.stat("pgscan_direct"), t.stat("allocstall_normal")], [0, 2]);
  // GFP_HIGHUSER_MOVABLE reclaims for Movable: 64 >> 6 = 1 at priority 6, then 1, 3, 7, 13, 19 (as on a machine
  // without ZONE_MOVABLE: test/vmstat-counters.test.ts): 44
  assert.is(t.mm.harness_try_to_free_pages(GFP_HIGHUSER_MOVABLE, 0), 44);
  assert.equal([t.stat("pgscan_direct"), t.stat("allocstall_movable")], [44, 1]);
  t.ok();
});

test("reclaim for a costly order goes on at the same priority until the allocation or compaction could proceed (should_continue_reclaim())", () => {
  // 4,096 clean pages (page cache from PFN 4096, Normal's start, in index order), then GFP_KERNEL allocations until the
  // watermarks refuse: Normal at its min (192 free). Order 0: 1 + 1 + 3 + 7 + 15 + 31 pages at priorities 12-7
  // (4096 >> 12, 4095 >> 11, ...): 58 >= 32. Order 9 (GFP_TRANSHUGE): no zone is compaction_ready(), so reclaim runs;
  // at priority 12 one page (proportional), then 4095 >> 12 = 0 ends that priority; at 11 one page a round
  // (4095 >> 11 = 1), and shrink_node() goes round again (in_reclaim_compaction(): a costly order) while each round
  // reclaims, no zone passes the order-9 watermark or compaction_suitable() at min, and the inactive list is over
  // compact_gap(9) = 1024 pages. The oldest pages are the lowest PFNs: the 512th frees the pageblock at 4096, the
  // order-9 watermark check at min passes, and the 512 pages are over nr_to_reclaim
  const run = (gfp: number, order: number): number => {
    const t = mmHarness({ memory: "64M", thp: false, pcp: false }, {}, "nocopy", "32M");
    cleanCache(t, 4096);
    while (t.alloc(GFP_KERNEL, 0) !== ALLOC_FAILED);
    assert.is(t.zone("Normal").nrFreePages, 192);
    const r = t.mm.harness_try_to_free_pages(gfp, order);
    assert.is(t.stat("pgscan_direct"), r, "every page scanned was clean and freed");
    t.ok();
    return r;
  };
  assert.is(run(GFP_KERNEL, 0), 58);
  assert.is(run(GFP_TRANSHUGE, 9), 512);
});

test("6.12+: a kswapd run that reclaimed nothing in cache_trim_mode sweeps once more without it (balance_pgdat())", () => {
  // 16 dirty pages, memory filled to the watermarks (test/kernel-outcomes.test.ts has the same setup and its trace):
  // 6.1's first balance_pgdat() marks and activates 1 + 1 + 3 + 5 pages at priorities 4-1 and stops; its second
  // deactivates 3 and activates 5 more. 6.12's first sweep is the same, with cache_trim_mode on (inactive pages >>
  // priority and no deactivation) and nothing reclaimed: cache_trim_mode_failed, so balance_pgdat() restarts with
  // no_cache_trim_mode, and its second sweep is 6.1's second run. One kswapd run, one pageoutrun, 15 pages scanned
  const kswapdOnce = (kernel: string, policy: "legacy-copy"): [number, number, number] => {
    const t = harness(policy, 64, {}, { kernel });
    assert.is(t.h.harness_do_write(0, 0, 16 * 4096), 0);
    while (t.sim.allocator.apply(new Int32Array([1, GFP_KERNEL, 0]))[0] !== ALLOC_FAILED);
    t.h.harness_kswapd();
    t.ok();
    return [t.stat("pgscan_kswapd"), t.stat("pgdeactivate"), t.stat("pageoutrun")];
  };
  assert.equal(kswapdOnce("6.1", "legacy-copy"), [10, 0, 1]);
  assert.equal(kswapdOnce("6.12", "legacy-copy"), [15, 3, 1]);
});

test.run();
