// `npm run bench`: every benchmark, printed as tables; the README records a run of it.
import os from "node:os";
import { readFileSync } from "node:fs";
import { allocBench, allocStreams, calibrationNsPerElement } from "./alloc.bench.js";
import { parseScenario } from "../host/scenario/resolve.js";
import { fioTable } from "../host/sim/fio-table.js";
import { coreModuleSync } from "../host/core/load-node.js";

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(1)} k`);

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus()[0]?.model ?? "?"} x${os.cpus().length}, node ${process.version}\n`);

  console.log(`calibration: a summing loop over an Int32Array takes ${calibrationNsPerElement().toFixed(2)} ns per element\n`);
  console.log("alloc+free, same recorded streams (400,000 operations each, 256 MiB machine, per-cpu lists on)");
  const rows = await allocBench();
  console.table(rows.map((r) => ({ stream: r.stream, model: r.model, "ops/s": fmt(r.opsPerSec), "alloc+free pairs/s": fmt(r.pairsPerSec), samples: r.samples })));
  for (const { name } of allocStreams) {
    const [wasm, ref] = rows.filter((r) => r.stream === name);
    if (wasm && ref) console.log(`${name}: wasm / reference ${(wasm.opsPerSec / ref.opsPerSec).toFixed(1)}x`);
  }
  console.log("");

  console.log("fio table (scenarios/default.json: 2 jobs x 2 GiB, passthrough_ll over tmpfs), modelled and emulator speed");
  const base = parseScenario(readFileSync(new URL("../scenarios/default.json", import.meta.url), "utf8"), "default.json");
  const table = fioTable(base, coreModuleSync("release"));
  console.table(table.map((r) => ({
    bs: r.bs,
    "legacy MiB/s": r.legacyMiBps,
    "nocopy MiB/s": r.nocopyMiBps,
    gain: `${r.gainPct} %`,
    "published gain": `${r.publishedGainPct} %`,
    "legacy: pages/s, virtual/wall": `${fmt(r.emulator.legacy.pagesPerSecond)}, ${r.emulator.legacy.virtualOverWall}x`,
    "nocopy: pages/s, virtual/wall": `${fmt(r.emulator.nocopy.pagesPerSecond)}, ${r.emulator.nocopy.virtualOverWall}x`,
  })));
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
