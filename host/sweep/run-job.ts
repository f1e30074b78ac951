// One run of a sweep, the same in a worker and in-process: its JSON line has the run's index, the sweep's
// size, the varied values, the policy and the report (emulator timing left out, so lines are byte-identical
// for the same scenario and seed wherever they run), or an error.
import { runScenario } from "../sim/run-scenario.js";
import type { RunReport } from "../sim/report.js";
import type { SweepJob } from "./plan.js";

export interface SweepLine {
  index: number;
  of: number;
  vary: Record<string, unknown>;
  /** The policy's name (policy.ts choiceName()). */
  policy: string;
  report?: RunReport;
  /** Why the run failed (an invariant broke); the sweep exits 1. */
  error?: string;
}

export function runSweepJob(job: SweepJob, module: WebAssembly.Module): SweepLine {
  const line: SweepLine = { index: job.index, of: job.of, vary: job.vary, policy: job.policy };
  try {
    line.report = runScenario(job.config, { module, timing: false, ...(job.costs ? { costs: job.costs } : {}) });
  } catch (e) {
    line.error = e instanceof Error ? e.message : String(e);
  }
  return line;
}

/** A run failed: an error, or data on the server that no error explains. */
export function lineFailed(line: SweepLine): boolean {
  return line.error !== undefined || (line.report?.integrity.corrupt ?? 0) > 0;
}

export function sweepLineText(line: SweepLine): string {
  return JSON.stringify(line);
}
