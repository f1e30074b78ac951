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
  /** Asked between batches of events: true ends the run where it stands (a partial report, `interrupted`). */
  shouldStop?: () => boolean;
}

function start(config: SimConfig, opts: RunOptions): Simulator {
  const sim = new Simulator(config, opts.module, opts.costs);
  if (opts.census) bootFromCensus(sim.allocator, opts.census);
  return sim;
}

export function runScenario(config: SimConfig, opts: RunOptions): RunReport {
  const sim = start(config, opts);
  const outcome = sim.run(opts.onProgress, undefined, undefined, opts.shouldStop);
  return buildReport(sim, outcome, { timing: opts.timing ?? true, samples: opts.samples ?? false });
}

/** runScenario() that lets the event loop in between batches (Simulator.runAsync): for commands that stop
 *  on Ctrl-C. */
export async function runScenarioAsync(config: SimConfig, opts: RunOptions): Promise<RunReport> {
  const sim = start(config, opts);
  const outcome = await sim.runAsync(opts.onProgress, undefined, undefined, opts.shouldStop);
  return buildReport(sim, outcome, { timing: opts.timing ?? true, samples: opts.samples ?? false });
}
