// The report's emulator section (issue 12): wallMs is the whole run a user waits for, and its parts add up to it.
// No timing is asserted, only how the fields relate: the loop is a part of the whole, so its rates are higher.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";

test("emulator: setup + loop + report = the whole run; rates over the loop are at least those over the whole", () => {
  const config = resolveScenario({ machine: { memory: "64M" }, workloads: [{ type: "fio", rw: "write", bs: "64k", size: "1M" }] }, "t");
  const e = runScenario(config, { module: coreModuleSync("release"), timing: true }).emulator!;
  // each part is rounded to 0.1 ms
  assert.ok(Math.abs(e.setupMs + e.loopMs + e.reportMs - e.wallMs) <= 0.2, JSON.stringify(e));
  assert.ok(e.setupMs >= 0 && e.loopMs > 0 && e.reportMs >= 0 && e.loopMs <= e.wallMs, JSON.stringify(e));
  assert.ok(e.loopPagesPerSecond >= e.pagesPerSecond && e.loopEventsPerSecond >= e.eventsPerSecond, JSON.stringify(e));
  assert.ok(e.loopVirtualOverWall >= e.virtualOverWall, JSON.stringify(e));
  // 1 MiB written: 256 pages over the whole run's seconds. wallMs is rounded to 0.1 ms, so the true wall time W
  // lies within 0.05 ms of it and pages recomputed from it are off by up to 256 * 0.05 / W (a run can take < 1 ms)
  const pages = (e.pagesPerSecond * e.wallMs) / 1000;
  assert.ok(Math.abs(pages - 256) <= (256 * 0.05) / Math.max(e.wallMs - 0.05, 0.01) + 1, `${pages} pages in ${e.wallMs} ms`);
});

test("emulator: left out without timing", () => {
  const config = resolveScenario({ machine: { memory: "64M" }, workloads: [{ type: "fio", rw: "write", bs: "64k", size: "1M" }] }, "t");
  assert.is(runScenario(config, { module: coreModuleSync("release"), timing: false }).emulator, undefined);
});

test.run();
