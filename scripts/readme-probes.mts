// README numbers that come from runs no CLI command prints as such (npm run readme-numbers runs this):
// pageblock conversion and its variants ("Pageblock conversion under legacy writeback"), Gorman's experiment
// ("Fragmentation sanity check"), and the fio table's per-run means and settled-run samples ("The fio table").
import { readFileSync } from "node:fs";
import { parseScenario } from "../host/scenario/resolve.js";
import { blockConversionScenario, gormanScenario } from "../test/helpers/reference-runs.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { fioTable } from "../host/sim/fio-table.js";
import { defaultCostModel } from "../host/sim/cost-model.js";

const release = coreModuleSync("release");

/** test/block-conversion.test.ts's run (test/helpers/reference-runs.ts). */
function conversion(policy: string, machine: Record<string, unknown> = {}, bs = "1M"): string {
  const r = runScenario(blockConversionScenario(policy, machine, bs), { module: release, timing: false });
  return JSON.stringify({ policy, machine, bs, unmovableEnd: r.pageblocks.Unmovable, blocks: r.modelled.blocks, peakTemp: r.modelled.peakTempPages });
}
for (const p of ["legacy-copy", "nocopy"]) console.log(conversion(p));
for (const m of [{ cpus: 2 }, { cpus: 1 }, { pcp: false }, { kernel: "6.12" }, { kernel: "6.1" }, { memory: "2G" }]) {
  for (const p of "kernel" in m ? ["legacy-copy"] : ["legacy-copy", "nocopy"]) console.log(conversion(p, m));
}
for (const p of ["legacy-copy", "nocopy"]) console.log(conversion(p, {}, "4k"));

/** test/high-order-runs.test.ts's Gorman run: scenarios/mobility-grouping.json for 10 s. */
function gorman(grouping: boolean): string {
  const r = runScenario(gormanScenario(grouping), { module: release, timing: false });
  return JSON.stringify({ grouping, thpSuccessPct: r.highOrder.thpSuccessPct, thpAttempts: r.highOrder.thpAttempts, oom: r.modelled.oomKills });
}
console.log(gorman(true));
console.log(gorman(false));

// The fio table's rows run alone: each run's MiB/s (the mean of runs 3-10), and a settled 4k run's 1 ms samples
const base = parseScenario(readFileSync(new URL("../scenarios/default.json", import.meta.url), "utf8"), "default.json");
const fio = (bs: number, policy: "legacy-copy" | "nocopy", runs: number, sampleIntervalNs: number) =>
  runScenario({ ...base, policy, run: { ...base.run, fioRuns: runs, sampleIntervalNs }, workloads: base.workloads.map((w) => (w.kind === "fio" ? { ...w, bs } : w)) }, { module: release, timing: false, samples: true });
for (const bs of [4096, 1 << 20]) for (const policy of ["legacy-copy", "nocopy"] as const) {
  const runs = fio(bs, policy, 10, base.run.sampleIntervalNs).modelled.fioRunsMiBps;
  const late = runs.slice(2);
  console.log(JSON.stringify({ bs, policy, runs: runs.map(Math.round), meanOfRuns3to10: Math.round(late.reduce((a, b) => a + b, 0) / late.length) }));
}
for (const policy of ["legacy-copy", "nocopy"] as const) {
  const r = fio(4096, policy, 4, 1_000_000);
  const s = r.samples!;
  const total = s[s.length - 1]!.bytes_written;
  const settled = s.filter((x) => x.bytes_written >= total / 2); // runs 3 and 4 of 4
  let still = 0, idle = 0;
  for (let i = 1; i < settled.length; i++) {
    if (settled[i]!.bytes_written === settled[i - 1]!.bytes_written) still++;
    if (settled[i]!.active_background === 0) idle++;
  }
  const pct = (n: number) => Math.round((100 * n) / settled.length);
  console.log(JSON.stringify({ bs: 4096, policy, settledSamples: settled.length, noWritePct: pct(still), serverIdlePct: pct(idle), writerThrottleNs: r.modelled.writerThrottleNs }));
}

// The fio table with one cost changed (README, "The writers' own cost"): write_iter at 0.8 and 1.2 us
for (const ns of [800, 1200]) {
  const rows = fioTable(base, release, { costs: { ...defaultCostModel, write_iter: ns } });
  console.log(JSON.stringify({ write_iter: ns, rows: rows.map((r) => ({ bs: r.bs, legacy: r.legacyMiBps, nocopy: r.nocopyMiBps, gainPct: r.gainPct })) }));
}
