// Runs one SimConfig from boot to the end and builds its report; fails loudly on a broken invariant.
import type { SimConfig } from "../scenario/sim-config.js";
import { Simulator, type RunProgress } from "./simulator.js";
import { buildReport, type RunReport } from "./report.js";
import type { CostModel } from "./cost-model.js";
import { bootFromCensus, type ZoneCensus } from "../core/from-census.js";

export interface RunOptions {
  module: WebAssembly.Module;
  costs?: CostModel;
  timing?: boolean;
  samples?: boolean;
  onProgress?: (p: RunProgress) => void;
  /** Start from a real machine's free lists and pageblock census (--from-proc) instead of a fresh boot. */
  census?: readonly ZoneCensus[];
}

export function runScenario(config: SimConfig, opts: RunOptions): RunReport {
  const sim = new Simulator(config, opts.module, opts.costs);
  if (opts.census) bootFromCensus(sim.allocator, opts.census);
  const outcome = sim.run(opts.onProgress);
  return buildReport(sim, outcome, { timing: opts.timing ?? true, samples: opts.samples ?? false });
}
