// Sweep speed-up: 8 configurations of scenarios/default.json (fuse.max_pages 32..256 × legacy-copy and nocopy,
// about 0.3-1 s each) run one after the other in this thread, then on a pool of 2 worker threads. The pool's
// start-up (each worker compiles the core; under tsx it also compiles the TypeScript) is timed apart.
import { readFileSync } from "node:fs";
import { parseJsonText } from "../host/scenario/resolve.js";
import { planSweep } from "../host/sweep/plan.js";
import { parseVary } from "../host/sweep/vary.js";
import { runSweepJob, sweepLineText } from "../host/sweep/run-job.js";
import { SweepPool } from "../host/sweep/pool.js";
import { coreModuleSync } from "../host/core/load-node.js";

export interface SweepBenchResult {
  configurations: number;
  workers: number;
  sequentialMs: number;
  /** The pool, once its workers are ready. */
  poolMs: number;
  poolStartMs: number;
  /** poolMs / sequentialMs: 0.5 is a perfect use of 2 cores. */
  ratio: number;
  /** The pool's lines equal the sequential ones byte for byte. */
  identical: boolean;
}

export async function sweepBench(workers = 2): Promise<SweepBenchResult> {
  const url = new URL("../scenarios/default.json", import.meta.url);
  const jobs = planSweep({
    scenario: parseJsonText(readFileSync(url, "utf8"), "default.json"),
    source: "default.json",
    varies: [parseVary("fuse.max_pages=32,64,128,256")],
    sets: ["policies=[\"legacy-copy\",\"nocopy\"]"],
  });
  const module = coreModuleSync("release");
  let t = performance.now();
  const sequential = jobs.map((j) => sweepLineText(runSweepJob(j, module)));
  const sequentialMs = performance.now() - t;

  t = performance.now();
  const pool = new SweepPool(workers);
  try {
    await pool.ready();
    const poolStartMs = performance.now() - t;
    t = performance.now();
    const lines = (await pool.run(jobs)).map(sweepLineText);
    const poolMs = performance.now() - t;
    return {
      configurations: jobs.length,
      workers,
      sequentialMs: Math.round(sequentialMs),
      poolMs: Math.round(poolMs),
      poolStartMs: Math.round(poolStartMs),
      ratio: Math.round((poolMs / sequentialMs) * 100) / 100,
      identical: lines.every((l, i) => l === sequential[i]),
    };
  } finally {
    await pool.close();
  }
}
