// Runs one SimConfig from boot to the end through the Emulator (the one run driver) and builds its report; fails
// loudly on a broken invariant.
import type { SimConfig } from "../scenario/sim-config.js";
import type { RunProgress } from "./simulator.js";
import type { RunReport } from "./report.js";
import type { CostModel } from "./cost-model.js";
import type { ZoneCensus } from "../core/from-census.js";
import { Emulator } from "../embed/emulator.js";

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

function start(config: SimConfig, opts: RunOptions): Emulator {
  return new Emulator(config, opts.module, { ...(opts.costs ? { costs: opts.costs } : {}), ...(opts.census ? { census: opts.census } : {}) });
}

const drive = (opts: RunOptions) => ({
  ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
});

export function runScenario(config: SimConfig, opts: RunOptions): RunReport {
  const emu = start(config, opts);
  emu.run(drive(opts));
  return emu.report({ timing: opts.timing ?? true, samples: opts.samples ?? false });
}

/** runScenario() that lets the event loop in between batches (Emulator.runAsync): for commands that stop
 *  on Ctrl-C. */
export async function runScenarioAsync(config: SimConfig, opts: RunOptions): Promise<RunReport> {
  const emu = start(config, opts);
  await emu.runAsync(drive(opts));
  return emu.report({ timing: opts.timing ?? true, samples: opts.samples ?? false });
}
