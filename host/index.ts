// fusewb's embedding API (the package's "." export). No Node-only import on this path, so a browser can load
// it and pass its own compiled core; in Node, "fusewb/node" adds loadCoreModule() and machineFromProc().
//
//   const emu = await createEmulator(scenarioObject, { module });
//   while (!emu.step(100_000).done) console.log(emu.counters().nr_writeback);
//   console.log(emu.procViews().buddyinfo, emu.report().modelled.throughputMiBps);
import type { SimConfig, PolicyChoice } from "./scenario/sim-config.js";
import type { CostModel } from "./sim/cost-model.js";
import type { ZoneCensus } from "./core/from-census.js";
import type { MachineConfig } from "./core/machine-config.js";
import { Emulator } from "./embed/emulator.js";

export { Emulator, type StepResult, type ProcViews } from "./embed/emulator.js";
export type { SimConfig, Policy, PolicyChoice, Workload, FuseConfig, ServerConfig } from "./scenario/sim-config.js";
export type { PolicySpec, Mechanisms, PresetName } from "./scenario/policy.js";
export type { MachineConfig } from "./core/machine-config.js";
export type { ZoneView } from "./core/allocator-model.js";
export type { ZoneCensus } from "./core/from-census.js";
export type { RunReport } from "./sim/report.js";
export type { PageblockCensus } from "./sim/simulator.js";
export { PageblockTable } from "./sim/pageblock-table.js";
export type { StatName } from "./sim/layout.js";
export type { CostModel } from "./sim/cost-model.js";
export type { ProcJson, PagetypeinfoJson } from "./proc/index.js";
export { formatBuddyinfo, formatPagetypeinfo, procJson } from "./proc/index.js";
export { machineFromProcText, type ProcMachine } from "./proc-import/machine.js";
export { InputError } from "./util/input-error.js";

export interface EmulatorOptions {
  /** The compiled core (build/release.wasm); or give its bytes as `wasm`. In Node: loadCoreModule() from "fusewb/node". */
  module?: WebAssembly.Module;
  wasm?: BufferSource;
  /** Run this policy (a preset's name, or a preset with mechanisms of its own) instead of the scenario's `policy`. */
  policy?: PolicyChoice;
  /** Start from a real machine's memory (machineFromProcText / machineFromProc) instead of an all-free one:
   *  its zone sizes replace the scenario's machine. */
  fromProc?: { machine: MachineConfig; census: readonly ZoneCensus[] };
  costs?: CostModel;
}

/** Already resolved (all numbers) rather than a scenario file's object (units such as "4G"). */
function isSimConfig(s: object): s is SimConfig {
  const c = s as Partial<SimConfig>;
  return typeof c.machine?.normalPages === "number" && typeof c.run?.durationNs === "number" && Array.isArray(c.workloads);
}

async function compiledCore(opts: EmulatorOptions): Promise<WebAssembly.Module> {
  if (opts.module) return opts.module;
  if (opts.wasm) return WebAssembly.compile(opts.wasm);
  const url = new URL("../build/release.wasm", import.meta.url);
  if (url.protocol === "file:") throw new Error('createEmulator: pass { module } (in Node: import { loadCoreModule } from "fusewb/node")');
  const response = await fetch(url);
  if (!response.ok) throw new Error(`createEmulator: cannot fetch ${url.href}: ${response.status}; pass { module } or { wasm }`);
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * A new emulated machine for one run of `scenario`: a scenario file's object (validated; a bad one throws an
 * InputError naming the field) or a resolved SimConfig. Scenario objects need the scenario parser (zod), which
 * is loaded on first use; a SimConfig does not.
 */
export async function createEmulator(scenario: object | SimConfig, opts: EmulatorOptions = {}): Promise<Emulator> {
  let config: SimConfig;
  if (isSimConfig(scenario)) config = scenario;
  else {
    const { resolveScenario } = await import("./scenario/resolve.js");
    config = resolveScenario(scenario, "scenario");
  }
  if (opts.policy) config = { ...config, policy: opts.policy };
  if (opts.fromProc) {
    const { fallback, mobilityGrouping, pcp, thp } = config.machine;
    config = { ...config, machine: { ...opts.fromProc.machine, fallback, mobilityGrouping, pcp, thp } };
  }
  const module = await compiledCore(opts);
  return new Emulator(config, module, {
    ...(opts.costs ? { costs: opts.costs } : {}),
    ...(opts.fromProc ? { census: opts.fromProc.census } : {}),
  });
}
