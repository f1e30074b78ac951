// A server frozen mid-write, then memory pressure (scenarios/frozen-server.json): what each kernel's code paths
// make of it. Each outcome is derived from the paths cited beside it, not coded anywhere as an outcome.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { applyOverrides, resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";
import type { RunReport } from "../host/sim/report.js";
import { harness, mmHarness, MIGRATE_SYNC } from "./helpers/harness.js";
import { GFP_KERNEL, GFP_ATOMIC, ALLOC_FAILED } from "../host/core/constants.js";

const release = coreModuleSync("release");
const scenario = JSON.parse(readFileSync(new URL("../scenarios/frozen-server.json", import.meta.url), "utf8")) as unknown;
function run(kernel: string, policy: string): RunReport {
  return runScenario(resolveScenario(applyOverrides(scenario, [`machine.kernel="${kernel}"`, `policy=${policy}`]), "frozen-server"), { module: release, timing: false });
}
const k61 = run("6.1", "legacy-copy"), k612 = run("6.12", "legacy-copy"), k618 = run("6.18", "nocopy");

test("every kernel: the writer stops on its GETATTR within a second of the freeze, and the hog is OOM-killed", () => {
  for (const r of [k61, k612, k618]) {
    // fuse_cache_write_iter(): attributes from the open at 0 expire at 1 s, the GETATTR then refreshes them to ~2 s,
    // and the next one, after the freeze at 2 s, is never answered
    assert.is(r.modelled.getattrRequests, 2, r.kernel);
    assert.is(r.modelled.hangs, 1, `${r.kernel}: the writer never comes back`);
    // neither the server's tmpfs pages nor dirty/in-flight FUSE pages can be reclaimed: the hog's allocations reach
    // out_of_memory(), which picks the task with the largest rss, the hog
    assert.is(r.modelled.oomKills.churn, 1, r.kernel);
    assert.is(r.modelled.oomKills.server + r.modelled.oomKills.writers, 0, r.kernel);
    assert.is(r.integrity.corrupt, 0);
    assert.is(r.integrity.writesLost, 0, `${r.kernel}: no abort, no error`);
  }
});

test("6.1: reclaim writes dirty FUSE pages through fuse_writepage(), which leaves them clean and unwritten while congested", () => {
  // The flusher's last chunk went to the frozen server: requests of 256 pages, fewer than congestion_threshold (9), so
  // kswapd's first ->writepage calls are sent (a page each, nr_vmscan_write) until num_background reaches 9; every
  // later call returns AOP_WRITEPAGE_ACTIVATE with the page's dirty bit already cleared, and reclaim later frees it
  // as clean page cache: lost, no error on the mapping (fsync would return 0)
  const vmscanWrite = k61.modelled.vmscanWrite, chunk = (k61.integrity.pending - vmscanWrite) / 256;
  assert.ok(vmscanWrite >= 1 && Number.isInteger(chunk) && chunk >= 1, `${chunk} requests of 256 pages and ${vmscanWrite} single pages wait`);
  assert.is(chunk + vmscanWrite, 9, "single-page requests are sent until num_background reaches congestion_threshold");
  assert.ok(k61.modelled.writepageActivate > 10_000, `${k61.modelled.writepageActivate} pages`);
  assert.is(k61.integrity.writesLostSilently, k61.modelled.writepageActivate, "every page left clean and unwritten is lost");
  assert.is(k61.integrity.filesWithErrors, 0, "silently: no error recorded");
  assert.is(k61.vmstat.nr_dirty, 0, "nothing dirty is left to write");
  assert.is(k61.integrity.pending, k61.vmstat.nr_writeback_temp, "only the temp copies in flight still wait");
});

test("6.12 (no FUSE ->writepage) and 6.18: nothing is lost; what stayed dirty is pinned once kupdate sends it", () => {
  for (const r of [k612, k618]) {
    assert.is(r.modelled.writepageActivate + r.modelled.vmscanWrite, 0, `${r.kernel}: reclaim never writes FUSE pages`);
    assert.is(r.integrity.writesLostSilently, 0, r.kernel);
    assert.ok(r.integrity.pending > 0, `${r.kernel}: the data waits for the server`);
  }
  // what the gate kept back is still dirty; what went out waits in temp copies (6.12) or as the folios (6.18)
  assert.ok(k612.vmstat.nr_dirty > 10_000 && k618.vmstat.nr_dirty > 10_000, "most of the data waits dirty");
  assert.is(k612.integrity.pending, k612.vmstat.nr_dirty + k612.vmstat.nr_writeback_temp);
  assert.is(k618.integrity.pending, k618.vmstat.nr_dirty + k618.vmstat.nr_writeback);
});

test("memory offline waits on 6.18 (MIGRATE_SYNC on a folio under writeback), not on 6.12 (the originals are clean)", () => {
  assert.is(k618.highOrder.offline.hangs, 1, "one memory block holds folios the frozen server never releases");
  assert.is(k612.highOrder.offline.hangs, 0);
  assert.is(k612.highOrder.offline.done, k612.highOrder.offline.attempts);
});

test("6.1: kswapd's ->writepage gets its temp page under the min watermark (PF_MEMALLOC), so an uncongested server gets the page", () => {
  // kswapd runs with PF_MEMALLOC: __gfp_pfmemalloc_flags() gives its allocations ALLOC_NO_WATERMARKS, and
  // fuse_writepage_locked()'s alloc_page(GFP_NOFS | __GFP_HIGHMEM) succeeds while any zone has a free page. 16 dirty
  // pages (0-15, on the inactive list in that order), then GFP_KERNEL allocations until the watermarks refuse
  const t = harness("legacy-copy", 64, {}, { kernel: "6.1" });
  assert.is(t.h.harness_do_write(0, 0, 16 * 4096), 0);
  while (t.sim.allocator.apply(new Int32Array([1, GFP_KERNEL, 0]))[0] !== ALLOC_FAILED);
  const normal = t.sim.zones().find((z) => z.name === "Normal")!;
  // (6.1's refills take one batch, so the last one stops at the min watermark, where the next GFP_KERNEL refuses)
  assert.ok(normal.nrFreePages <= normal.watermark.min, `${normal.nrFreePages} free, min ${normal.watermark.min}`);
  // balance_pgdat() scans each list's pages >> priority (12 down to 1), so kswapd meets a dirty page twice only after
  // the list turned over. Run 1: 1 + 1 + 3 + 5 pages at priorities 4-1, each dirty and not yet PG_reclaim: marked
  // and activated (0-9); PGDAT_DIRTY (nothing unqueued-dirty apart from what was taken). Run 2: the inactive list is
  // low (6 < 10): page 0 deactivated at 3; at 2 page 10 activated, 1 and 2 deactivated; at 1 (8 and 8: not low)
  // 11-14 activated. Run 3: page 3 deactivated at 3; at 2 page 15 activated, 4 and 5 deactivated; at 1 the tail is
  // 0, 1, 2, marked, with PGDAT_DIRTY: pageout() -> ->writepage, each sent with its temp page (the originals are
  // clean and freed), no ENOMEM, and the server's 3 requests stay under the congestion threshold
  t.h.harness_kswapd();
  t.h.harness_kswapd();
  assert.equal([t.stat("pgscan_kswapd"), t.stat("pgactivate"), t.stat("pgdeactivate"), t.stat("nr_vmscan_write")], [15, 15, 3, 0]);
  t.h.harness_kswapd();
  assert.equal([t.stat("nr_vmscan_write"), t.stat("writepage_activate"), t.stat("temp_alloc_stalls")], [3, 0, 0]);
  assert.equal([t.stat("requests_sent"), t.stat("nr_writeback_temp"), t.stat("pgsteal_kswapd")], [3, 3, 3]);
  t.ok();
});

test("6.1: migration's writeout() whose temp page finds no memory: the model fails the page with the file's error and counts it", () => {
  // A 32 MiB machine with a 16 MiB Movable zone: the written page lands in ZONE_MOVABLE (PFN 4096), and GFP_KERNEL then
  // GFP_ATOMIC allocations take Normal to 48 free pages (below min: ALLOC_MIN_RESERVE and ALLOC_NON_BLOCK). A
  // MIGRATE_SYNC migration of the dirty page: the target comes from ZONE_MOVABLE; fallback_migrate_folio() ->
  // writeout() -> fuse_writepage(): the temp page (GFP_NOFS | __GFP_HIGHMEM, not movable: Normal only) fails, and so
  // does the one round of direct reclaim (nothing reclaimable). The kernel's allocation would loop until memory came
  // back; the model's fuse_writepage_locked() fails (mapping_set_error(), the page left clean), counted in
  // writeout_temp_misses (report: modelled.departures.writeoutTempMisses). The next pass moves the now clean page.
  const t = mmHarness({ memory: "32M", dma32: 0, movable: "16M", thp: false, pcp: false, kernel: "6.1" }, {}, "legacy-copy", "1M");
  assert.is(t.h.harness_do_write(0, 0, 4096), 0);
  assert.is(t.h.harness_mapping_pfn(0, 0) >>> 0, 4096);
  while (t.alloc(GFP_KERNEL, 0) !== ALLOC_FAILED);
  while (t.alloc(GFP_ATOMIC, 0) !== ALLOC_FAILED);
  assert.is(t.zone("Normal").nrFreePages, 48);
  assert.is(t.h.harness_migrate_pfn(4096, MIGRATE_SYNC), 0);
  assert.equal([t.stat("writeout_temp_misses"), t.h.harness_ino_error(0), t.h.harness_mapping_pfn(0, 0) >>> 0], [1, 1, 4097]);
  t.ok();
});

test.run();
