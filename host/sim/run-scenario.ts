// Runs one SimConfig from boot to the end and builds its report; fails loudly on a broken invariant.
import type { SimConfig } from "../scenario/sim-config.js";
import { Simulator, type RunProgress } from "./simulator.js";
import { buildReport, type RunReport } from "./report.js";
import type { CostModel } from "./cost-model.js";

export interface RunOptions {
  module: WebAssembly.Module;
  costs?: CostModel;
  timing?: boolean;
  samples?: boolean;
  onProgress?: (p: RunProgress) => void;
}

export function runScenario(config: SimConfig, opts: RunOptions): RunReport {
  const sim = new Simulator(config, opts.module, opts.costs);
  const outcome = sim.run(opts.onProgress);
  return buildReport(sim, outcome, { timing: opts.timing ?? true, samples: opts.samples ?? false });
}
