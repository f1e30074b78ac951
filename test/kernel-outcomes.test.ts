// A server frozen mid-write, then memory pressure (scenarios/frozen-server.json): what each kernel's code paths
// make of it. Each outcome is derived from the paths cited beside it, not coded anywhere as an outcome.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { applyOverrides, resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";
import type { RunReport } from "../host/sim/report.js";

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
  // kswapd's pageout() sends single-page requests to the frozen server until num_background reaches
  // congestion_threshold (9); each later page gets AOP_WRITEPAGE_ACTIVATE with its dirty bit already cleared, and
  // is then freed as clean page cache: lost, with no error on the mapping (fsync would return 0)
  assert.is(k61.modelled.vmscanWrite, 9, "the requests pageout() sent before the gate closed");
  assert.ok(k61.modelled.writepageActivate > 0);
  assert.is(k61.integrity.writesLostSilently, k61.modelled.writepageActivate, "every page left clean and unwritten is lost");
  assert.is(k61.integrity.filesWithErrors, 0, "silently: no error recorded");
  assert.is(k61.integrity.pending, 9, "only what pageout() sent waits in temp pages");
});

test("6.12 (no FUSE ->writepage) and 6.18: nothing is lost; what stayed dirty is pinned once kupdate sends it", () => {
  for (const r of [k612, k618]) {
    assert.is(r.modelled.writepageActivate + r.modelled.vmscanWrite, 0, `${r.kernel}: reclaim never writes FUSE pages`);
    assert.is(r.integrity.writesLostSilently, 0, r.kernel);
    assert.ok(r.integrity.pending > 0, `${r.kernel}: the data waits for the server`);
  }
  // kupdate (dirty_expire_interval 30 s) sends the last dirty pages: temp copies on 6.12, the folios themselves on 6.18
  assert.is(k612.vmstat.nr_writeback_temp, k612.integrity.pending);
  assert.is(k618.vmstat.nr_writeback, k618.integrity.pending);
});

test("memory offline waits on 6.18 (MIGRATE_SYNC on a folio under writeback), not on 6.12 (the originals are clean)", () => {
  assert.is(k618.highOrder.offline.hangs, 1, "one memory block holds folios the frozen server never releases");
  assert.is(k612.highOrder.offline.hangs, 0);
  assert.is(k612.highOrder.offline.done, k612.highOrder.offline.attempts);
});

test.run();
