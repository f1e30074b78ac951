// Scale and speed (issue 12), for a 16 GiB and a 1 TiB machine: boot in ns per page (a fresh instance and
// mm_init, as the Simulator does it), and the default fio job (scenarios/default.json: 2 jobs x 2 GiB, bs 1M)
// copy-free and legacy, over the whole run (instantiate, boot, loop, report: the report's emulator.wallMs) and
// over the event loop alone (emulator.loopMs).
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { machineFor } from "../host/sim/simulator.js";
import { WasmAllocator } from "../host/core/wasm-allocator.js";
import { coreModuleSync } from "../host/core/load-node.js";
import type { EmulatorSpeed } from "../host/sim/report.js";

export interface ScaleBootRow { memory: string; pages: number; bootMs: number; nsPerPage: number }
export interface ScaleRunRow { memory: string; policy: string; speed: EmulatorSpeed }

const scenario = (): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL("../scenarios/default.json", import.meta.url), "utf8")) as Record<string, unknown>;

/** The best of `tries` boots (a fresh instance each: memory only grows, so a boot cannot be repeated in one). */
export function bootBench(memory: string, tries: number): ScaleBootRow {
  const config = resolveScenario({ ...scenario(), machine: { memory } }, "scale");
  const machine = machineFor(config);
  const pages = machine.dma32Pages + machine.normalPages + machine.movablePages;
  const module = coreModuleSync("release");
  let best = Infinity;
  for (let i = 0; i < tries; i++) {
    const t = performance.now();
    new WasmAllocator(machine, module); // instantiate + mm_init
    best = Math.min(best, performance.now() - t);
  }
  return { memory, pages, bootMs: best, nsPerPage: (best * 1e6) / pages };
}

/** The default job on `memory`, one run per policy; sizePerJob overrides the 2 GiB (the bench's --quick). */
export function runBench(memory: string, sizePerJob?: string): ScaleRunRow[] {
  const raw = scenario();
  const workloads = (raw.workloads as Record<string, unknown>[]).map((w) => (sizePerJob ? { ...w, size: sizePerJob } : w));
  // an untimed run of each policy on the same machine first: otherwise the first row pays for the process's first
  // instance of that size and V8's warm-up (its setup measured 80 ms against 20-25 ms on a second run)
  for (const policy of ["nocopy", "legacy-copy"] as const)
    runScenario(resolveScenario({ ...raw, machine: { memory }, policy, workloads: workloads.map((w) => ({ ...w, size: "16M" })) }, "warm-up"), { module: coreModuleSync("release"), timing: false });
  return (["nocopy", "legacy-copy"] as const).map((policy) => {
    const config = resolveScenario({ ...raw, machine: { memory }, policy, workloads }, "scale");
    const report = runScenario(config, { module: coreModuleSync("release"), timing: true });
    return { memory, policy, speed: report.emulator! };
  });
}

/** The default job as a user runs it: `fusewb run scenarios/default.json --policy p --json`, a process of its own
 *  (its one run compiles the module's functions as it first calls them, unlike runBench()'s, which follow a
 *  warm-up run). The report's emulator section counts instantiate, boot, loop and report, not Node's start or
 *  the module's compile. sizePerJob: as runBench()'s. */
export function cliRunBench(policy: "nocopy" | "legacy-copy", sizePerJob?: string): EmulatorSpeed {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const args = ["--import", "tsx", "host/cli.ts", "run", "scenarios/default.json", "--policy", policy, "--json"];
  if (sizePerJob) args.push("--set", `workloads.0.size=${sizePerJob}`);
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`cliRunBench: fusewb run exited ${r.status}: ${r.stderr.trim()}`);
  const report = JSON.parse(r.stdout) as { emulator?: EmulatorSpeed };
  if (!report.emulator) throw new Error("cliRunBench: the report has no emulator section");
  return report.emulator;
}
