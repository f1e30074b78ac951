// libfuse's worker pool (lib/fuse_loop_mt.c, fuse_session_loop_mt()): one worker at start; a worker that takes a
// request and leaves none available starts another, up to max_threads (server.threads, libfuse's default 10);
// workers never exit. Expected counts follow from that rule and the client's concurrency.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";

const release = coreModuleSync("release");

function threadsStarted(threads: number | undefined, workload: Record<string, unknown>, fuse: Record<string, unknown> = {}): number {
  const r = runScenario(resolveScenario({
    machine: { memory: "2G" },
    fuse: { max_pages: 256, max_write: "1M", ...fuse },
    policy: "nocopy",
    server: { ...(threads === undefined ? {} : { threads }), per_request: { dist: "fixed", mean: "20us" } },
    workloads: [{ type: "fio", rw: "write", size: "16M", fallocate: "none", ...workload }],
  }, "server-pool"), { module: release, timing: false });
  return r.modelled.serverThreads;
}

test("a client with one request at a time gets two workers: the first starts a spare as it takes the request", () => {
  // write-through, one job: each write(2) is one synchronous FUSE_WRITE and the writer waits for its reply, so
  // at most one request is ever queued. Worker 1 takes the first (numavail 1 -> 0) and starts worker 2; after
  // that one worker is always idle when a request comes, and no third is started.
  assert.is(threadsStarted(undefined, { bs: "1M", numjobs: 1 }, { writeback_cache: false }), 2);
});

test("twelve clients with a request each outnumber the workers: the pool grows to max_threads and no further", () => {
  // write-through, twelve jobs: each job has one synchronous FUSE_WRITE outstanding at a time, so up to twelve
  // requests wait together; each worker that takes one while others wait finds none available and starts
  // another, until max_threads
  assert.is(threadsStarted(undefined, { bs: "1M", numjobs: 12 }, { writeback_cache: false }), 10);
  assert.is(threadsStarted(4, { bs: "1M", numjobs: 12 }, { writeback_cache: false }), 4);
});

test("server.threads 1 is a single worker (passthrough_ll -o max_threads=1)", () => {
  assert.is(threadsStarted(1, { bs: "1M", numjobs: 2 }), 1);
});

function bufferRun(threads: number | undefined, workload: Record<string, unknown>, fuse: Record<string, unknown> = {}, faults: Record<string, unknown> = {}) {
  return runScenario(resolveScenario({
    machine: { memory: "2G" },
    fuse: { max_pages: 256, max_write: "1M", ...fuse },
    policy: "nocopy",
    server: { ...(threads === undefined ? {} : { threads }), splice: false, per_request: { dist: "fixed", mean: "20us" }, faults },
    workloads: [{ type: "fio", rw: "write", size: "16M", fallocate: "none", ...workload }],
  }, "server-pool"), { module: release, timing: false });
}
function bufferPages(threads: number | undefined, workload: Record<string, unknown>, fuse: Record<string, unknown> = {}): number {
  return bufferRun(threads, workload, fuse).modelled.serverBufferPages;
}

test("a queued request wakes the longest-sleeping worker: a serial client's requests alternate between two workers", () => {
  // fuse_dev_do_read() sleeps in wait_event_interruptible_exclusive() (exclusive waiters join fiq->waitq at the
  // tail) and wake_up() wakes the head. A serial write-through client: worker 1 takes request 1 and starts worker
  // 2, which finds nothing and sleeps; worker 1 replies, finds nothing and sleeps behind worker 2; request 2 wakes
  // worker 2, request 3 worker 1, and so on. Without splice each worker faults in its receive buffer
  // (max_write + 4 KiB = 257 pages) on its first 1 MiB request, so both buffers are in: 2 x 257.
  assert.is(bufferPages(undefined, { bs: "1M", numjobs: 1 }, { writeback_cache: false }), 2 * 257);
  // one worker: one buffer
  assert.is(bufferPages(1, { bs: "1M", numjobs: 1 }, { writeback_cache: false }), 257);
});

test("a crashed server's memory goes back as an exiting process's does, and no OOM kill is counted", () => {
  // do_exit(): exit_mm() frees the anon memory (the receive buffers), exit_files() closes /dev/fuse
  // (fuse_dev_release() -> fuse_abort_conn()). A serial 1 MiB write-through client faults in 257 pages per worker;
  // after the crash none is left.
  const r = bufferRun(undefined, { bs: "1M", numjobs: 1, size: "256M" }, { writeback_cache: false }, { crash_at: "50ms" });
  assert.is(r.modelled.connectionAborts, 1);
  assert.is(r.modelled.serverBufferPages, 0);
  assert.is(r.modelled.oomKills.total, 0);
});

test.run();
