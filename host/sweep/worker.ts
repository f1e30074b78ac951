// A sweep worker thread: its own compiled core, then one job at a time from the pool (host/sweep/pool.ts)
// until it is sent null; it posts "ready" once its core is compiled.
import { parentPort } from "node:worker_threads";
import { coreModuleSync } from "../core/load-node.js";
import { runSweepJob } from "./run-job.js";
import type { SweepJob } from "./plan.js";

const port = parentPort;
if (!port) throw new Error("host/sweep/worker is a worker thread; start it through host/sweep/pool");
const module = coreModuleSync("release");
port.on("message", (job: SweepJob | null) => {
  if (job === null) {
    port.close();
    return;
  }
  port.postMessage(runSweepJob(job, module));
});
port.postMessage("ready");
