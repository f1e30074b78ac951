// `npm run bench`: every benchmark, printed as tables; the README records a run of it. `npm run bench -- --quick`
// checks that every table runs (short timings, 64 MiB fio jobs, 256 MiB scale jobs): its numbers are not the
// README's.
import os from "node:os";
import { readFileSync } from "node:fs";
import { allocBench, allocStreams, calibrationNsPerElement } from "./alloc.bench.js";
import { parseScenario } from "../host/scenario/resolve.js";
import { fioTable } from "../host/sim/fio-table.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { bootBench, runBench, cliRunBench } from "./scale.bench.js";

const quick = process.argv.includes("--quick");

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(1)} k`);

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus()[0]?.model ?? "?"} x${os.cpus().length}, node ${process.version}\n`);

  console.log(`calibration: a summing loop over an Int32Array takes ${calibrationNsPerElement().toFixed(2)} ns per element\n`);
  console.log("alloc+free, same recorded streams (400,000 operations each, 256 MiB machine, per-cpu lists on)");
  const rows = await allocBench(quick ? { timeMs: 200 } : {});
  console.table(rows.map((r) => ({ stream: r.stream, model: r.model, "ops/s": fmt(r.opsPerSec), "alloc+free pairs/s": fmt(r.pairsPerSec), samples: r.samples })));
  for (const { name } of allocStreams) {
    const [wasm, ref] = rows.filter((r) => r.stream === name);
    if (wasm && ref) console.log(`${name}: wasm / reference ${(wasm.opsPerSec / ref.opsPerSec).toFixed(1)}x`);
  }
  console.log("");

  console.log("fio table (scenarios/default.json: 2 jobs x 2 GiB, passthrough_ll over tmpfs), modelled and emulator speed");
  const base = parseScenario(readFileSync(new URL("../scenarios/default.json", import.meta.url), "utf8"), "default.json");
  const table = fioTable(base, coreModuleSync("release"), quick ? { sizeBytes: 64 * 2 ** 20 } : {});
  console.table(table.map((r) => ({
    bs: r.bs,
    "legacy MiB/s": r.legacyMiBps,
    "nocopy MiB/s": r.nocopyMiBps,
    gain: `${r.gainPct} %`,
    "published gain": `${r.publishedGainPct} %`,
    "legacy: pages/s, virtual/wall (loop)": `${fmt(r.emulator.legacy.pagesPerSecond)}, ${r.emulator.legacy.virtualOverWall}x (${fmt(r.emulator.legacy.loopPagesPerSecond)}, ${r.emulator.legacy.loopVirtualOverWall}x)`,
    "nocopy: pages/s, virtual/wall (loop)": `${fmt(r.emulator.nocopy.pagesPerSecond)}, ${r.emulator.nocopy.virtualOverWall}x (${fmt(r.emulator.nocopy.loopPagesPerSecond)}, ${r.emulator.nocopy.loopVirtualOverWall}x)`,
  })));
  console.log("");

  // issue 12: 16 GiB and 1 TiB (DESIGN.md's largest machine, booted for real)
  console.log(`scale: boot (a fresh instance and mm_init, best of ${quick ? 1 : 3}), and the default job (2 jobs x ${quick ? "256 MiB" : "2 GiB"}, bs 1M) per policy;`);
  console.log("whole run = instantiate, boot, event loop and report (the report's emulator.wallMs); loop = the event loop alone");
  const sizes = ["16G", "1T"];
  console.table(sizes.map((m) => bootBench(m, quick ? 1 : 3)).map((b) => ({
    machine: b.memory, pages: b.pages, "boot, ms": b.bootMs.toFixed(1), "boot, ns/page": b.nsPerPage.toFixed(2),
  })));
  const runs = sizes.flatMap((m) => runBench(m, quick ? "256M" : undefined));
  console.table(runs.map((r) => ({
    machine: r.memory,
    policy: r.policy,
    "whole, ms": r.speed.wallMs,
    "setup/loop/report, ms": `${r.speed.setupMs}/${r.speed.loopMs}/${r.speed.reportMs}`,
    "pages/s (loop)": `${fmt(r.speed.pagesPerSecond)} (${fmt(r.speed.loopPagesPerSecond)})`,
    "events/s (loop)": `${fmt(r.speed.eventsPerSecond)} (${fmt(r.speed.loopEventsPerSecond)})`,
    "virtual/wall (loop)": `${r.speed.virtualOverWall}x (${r.speed.loopVirtualOverWall}x)`,
  })));
  for (const policy of ["nocopy", "legacy-copy"]) {
    const [small, big] = sizes.map((m) => runs.find((r) => r.memory === m && r.policy === policy)!);
    console.log(`${policy}: the 1 TiB whole run costs ${(big!.speed.wallMs / small!.speed.wallMs).toFixed(2)}x the 16 GiB one's`);
  }
  console.log("\nthe same 16 GiB job from the command line, a process a run (`fusewb run scenarios/default.json --policy p`):");
  console.log("its only run calls each of the module's functions for the first time, so V8 compiles them during it");
  console.table((["nocopy", "legacy-copy"] as const).map((policy) => {
    const speed = cliRunBench(policy, quick ? "256M" : undefined);
    return {
      policy,
      "whole, ms": speed.wallMs,
      "setup/loop/report, ms": `${speed.setupMs}/${speed.loopMs}/${speed.reportMs}`,
      "pages/s (loop)": `${fmt(speed.pagesPerSecond)} (${fmt(speed.loopPagesPerSecond)})`,
      "virtual/wall (loop)": `${speed.virtualOverWall}x (${speed.loopVirtualOverWall}x)`,
    };
  }));
}

await main();

// Sweeps (issue 5): the same 8 runs one after the other, then on 2 worker threads.
{
  const { sweepBench } = await import("./sweep.bench.js");
  console.log("\nsweep: 8 configurations (default.json, fuse.max_pages 32..256 x legacy-copy/nocopy), sequential vs 2 workers");
  const r = await sweepBench(2);
  console.table([{
    configurations: r.configurations,
    "sequential, ms": r.sequentialMs,
    "2 workers, ms": r.poolMs,
    "pool start, ms": r.poolStartMs,
    "workers / sequential": r.ratio,
    "identical lines": r.identical,
  }]);
}
