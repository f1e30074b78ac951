// The file LRU's scan targets (mm/vmscan.c 6.12, docs/compaction.md): get_scan_count() gives each list its pages in
// the zones up to sc->reclaim_idx >> sc->priority, shrink_lruvec() works through them in SWAP_CLUSTER_MAX batches
// and stops at nr_to_reclaim, except global direct reclaim at DEF_PRIORITY, which scans its whole target
// (proportional_reclaim). Expected values are worked out in the comments.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mmHarness, NONE } from "./helpers/harness.js";
import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL } from "../host/core/constants.js";

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
  // target is 0, nothing is scanned and nothing reclaimed (a retry with force_deactivate is not made: nothing was
  // skipped)
  const t = mmHarness({ memory: "64M", movable: "32M", thp: false, pcp: false }, {}, "nocopy", "1M");
  cleanCache(t, 64);
  const first = t.h.harness_mapping_pfn(0, 0) >>> 0;
  assert.ok(first >= t.zone("Movable").startPfn, `page 0 at pfn ${first}, in Movable`);
  assert.is(t.mm.harness_try_to_free_pages(GFP_KERNEL, 0), 0);
  assert.equal([t.stat("pgscan_direct"), t.stat("allocstall_normal")], [0, 1]);
  // GFP_HIGHUSER_MOVABLE reclaims for Movable: 64 >> 6 = 1 at priority 6, then 1, 3, 7, 13, 19 (as on a machine
  // without ZONE_MOVABLE: test/vmstat-counters.test.ts): 44
  assert.is(t.mm.harness_try_to_free_pages(GFP_HIGHUSER_MOVABLE, 0), 44);
  assert.equal([t.stat("pgscan_direct"), t.stat("allocstall_movable")], [44, 1]);
  t.ok();
});

test.run();
