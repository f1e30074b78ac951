// The CLI's way to run jobs on the sweep's worker pool: a "label: k/n runs" counter on a terminal, and Ctrl-C
// ending the pool with the lines done so far (sweep, compare).
import { runPool } from "../sweep/pool.js";
import type { SweepJob } from "../sweep/plan.js";
import type { SweepLine } from "../sweep/run-job.js";
import { watchInterrupt } from "./interrupt.js";

export async function runPoolWithProgress(jobs: readonly SweepJob[], opts: { workers: number; label: string; onLine?: (line: SweepLine) => void }): Promise<SweepLine[]> {
  const tty = process.stderr.isTTY;
  let done = 0;
  let stopPool = (): void => {};
  const unwatch = watchInterrupt(() => stopPool());
  try {
    return await runPool(jobs, {
      workers: opts.workers,
      onStart: (stop) => { stopPool = stop; },
      onLine: (line) => {
        opts.onLine?.(line);
        if (tty) process.stderr.write(`\r${opts.label}: ${++done}/${jobs.length} runs`);
      },
    });
  } finally {
    unwatch();
    if (tty && jobs.length > 0) process.stderr.write("\n");
  }
}
