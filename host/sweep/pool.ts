// A pool of worker threads running sweep jobs (host/sweep/worker.ts): each worker compiles its own core and
// takes the next job when it finishes one, so all cores stay busy. Lines come back in the jobs' order
// whatever the workers' timing. From dist/ the worker is worker.js; under tsx (sources) it is worker.ts,
// started through a bootstrap that registers tsx in the worker.
import { Worker } from "node:worker_threads";
import os from "node:os";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import type { SweepJob } from "./plan.js";
import type { SweepLine } from "./run-job.js";

/** What a worker posts: "ready" once its core is compiled, then one line per job. */
export type WorkerMessage = "ready" | SweepLine;

export function defaultWorkers(): number {
  return os.availableParallelism();
}

/** tsx's ESM API where import.meta.resolve is missing (tsx runs this file as CommonJS under uvu -r tsx): the
 *  "import" target of its "./esm/api" export, found through its package.json. */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve("tsx/package.json");
  const pkg = require(pkgPath) as { exports: Record<string, { import?: { default?: string } } | string> };
  const entry = pkg.exports["./esm/api"];
  const target = typeof entry === "object" ? entry.import?.default : undefined;
  if (!target) throw new Error("cannot find tsx's ESM API (tsx/esm/api) to start a TypeScript sweep worker; build with npm run build:host");
  return pathToFileURL(join(dirname(pkgPath), target)).href;
}

/** Under tsx the worker is TypeScript: register tsx's loader in the worker thread, then import it (Node 20
 *  passes neither the parent's loader hooks nor `--import` in execArgv on to workers). */
function startTsWorker(): Worker {
  const api = typeof import.meta.resolve === "function" ? import.meta.resolve("tsx/esm/api") : tsxEsmApi();
  const entry = new URL("./worker.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}

export function startSweepWorker(): Worker {
  if (import.meta.url.endsWith(".ts")) return startTsWorker();
  return new Worker(new URL("./worker.js", import.meta.url));
}

export class SweepPool {
  private readonly workers: Worker[] = [];
  private readonly started: Promise<void>;
  private busy = false;
  private broken: Error | null = null;
  /** The handlers of the run in progress. */
  private onMessage: ((w: Worker, line: SweepLine) => void) | null = null;
  private onFailure: ((e: Error) => void) | null = null;
  private onStop: (() => void) | null = null;
  private readonly failStart: (e: Error) => void;

  constructor(size: number = defaultWorkers()) {
    const ready: Promise<void>[] = [];
    let failStart: (e: Error) => void = () => {};
    const failed = new Promise<never>((_, reject) => { failStart = reject; });
    this.failStart = (e) => failStart(e);
    for (let i = 0; i < Math.max(1, size); i++) {
      const w = startSweepWorker();
      this.workers.push(w);
      ready.push(new Promise((resolve) => {
        w.on("message", (m: WorkerMessage) => {
          if (m === "ready") resolve();
          else this.onMessage?.(w, m);
        });
      }));
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => { if (code !== 0) this.fail(new Error(`a sweep worker exited with code ${code}`)); });
    }
    this.started = Promise.race([Promise.all(ready).then(() => undefined), failed]);
    this.started.catch(() => undefined); // a start-up failure is reported by ready() or run(), not as unhandled
  }

  get size(): number { return this.workers.length; }

  private fail(e: Error): void {
    if (this.broken) return;
    this.broken = e;
    this.failStart(e);
    this.onFailure?.(e);
  }

  /** Resolves when every worker has compiled its core (to time runs without the start-up). */
  ready(): Promise<void> {
    return this.broken ? Promise.reject(this.broken) : this.started;
  }

  /** Runs the jobs; `onLine` sees each line in the jobs' order as soon as it and all before it are done. */
  run(jobs: readonly SweepJob[], onLine?: (line: SweepLine) => void): Promise<SweepLine[]> {
    if (this.busy) return Promise.reject(new Error("SweepPool.run: one run at a time"));
    if (this.broken) return Promise.reject(this.broken);
    if (jobs.length === 0) return Promise.resolve([]);
    this.busy = true;
    const lines = new Array<SweepLine | undefined>(jobs.length);
    const position = new Map(jobs.map((j, i) => [j.index, i]));
    let next = 0, emitted = 0;
    return new Promise<SweepLine[]>((resolve, reject) => {
      const end = (e: Error | null): void => {
        this.busy = false;
        this.onMessage = null;
        this.onFailure = null;
        this.onStop = null;
        if (e) reject(e);
        else resolve(lines.slice(0, emitted) as SweepLine[]);
      };
      this.onStop = () => end(null);
      const feed = (w: Worker): void => { if (next < jobs.length) w.postMessage(jobs[next++]); };
      this.onFailure = (e) => end(e);
      this.onMessage = (w, line) => {
        const at = position.get(line.index);
        if (at === undefined || lines[at] !== undefined) return end(new Error(`a sweep worker answered for an unknown run ${line.index}`));
        lines[at] = line;
        feed(w);
        try {
          while (emitted < jobs.length && lines[emitted] !== undefined) {
            const ready = lines[emitted++]!;
            onLine?.(ready);
          }
        } catch (e) {
          return end(e instanceof Error ? e : new Error(String(e)));
        }
        if (emitted === jobs.length) end(null);
      };
      for (const w of this.workers) feed(w);
    });
  }

  /** Ends the run in progress at once: it resolves with the lines done so far, in order; the runs still going
   *  are dropped when close() terminates the workers (Ctrl-C). */
  stop(): void { this.onStop?.(); }

  /** Lets the workers exit. */
  async close(): Promise<void> {
    this.onFailure = null;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Runs every job on a pool of min(workers, jobs) threads, then closes it. Rejects if a worker dies. */
export async function runPool(jobs: readonly SweepJob[], opts: { workers?: number; onLine?: (line: SweepLine) => void; onStart?: (stop: () => void) => void } = {}): Promise<SweepLine[]> {
  if (jobs.length === 0) return [];
  const pool = new SweepPool(Math.min(opts.workers ?? defaultWorkers(), jobs.length));
  opts.onStart?.(() => pool.stop());
  try {
    return await pool.run(jobs, opts.onLine);
  } finally {
    await pool.close();
  }
}
