// run.fio_runs: the fio jobs run again on the same mount once every job of a run has closed its file, as the
// published benchmark's "averages observed from 10 runs" did. Expected counts follow from the kernel's open path.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { Simulator } from "../host/sim/simulator.js";
import { debugCore } from "../host/core/wasm.js";
import { defaultCostModel, type CostModel } from "../host/sim/cost-model.js";

const debug = coreModuleSync("debug");

function runs(fioRuns: number, bs: string, costs: CostModel = defaultCostModel) {
  return runScenario(resolveScenario({
    machine: { memory: "64M" },
    fuse: { max_pages: 256, max_write: "1M", writeback_cache: true },
    policy: "nocopy",
    server: { threads: 4, per_request: { dist: "fixed", mean: "2us" } },
    workloads: [{ type: "fio", rw: "write", bs, size: "2M", numjobs: 2 }],
    run: { fio_runs: fioRuns, check_invariants: true },
  }, "fio-runs"), { module: debug, costs, timing: false });
}

test("each run opens the file anew, which drops its cached pages: every run reads every page a 1 KiB write starts", () => {
  // fio's layout gave each 2 MiB file its size, so a 1 KiB write to a page not in the cache reads it first
  // (fuse_write_begin()). Opening the file drops the cache (fuse_open() -> invalidate_inode_pages2(),
  // no FOPEN_KEEP_CACHE), so each of the 3 runs reads each of the 2 x 512 pages once: 3 x 1024. Were the pages
  // kept, runs 2 and 3 would find them uptodate and read nothing.
  const r = runs(3, "1k");
  assert.is(r.modelled.readRequests, 3 * 2 * 512);
  assert.is(r.modelled.fioRunsMiBps.length, 3);
  assert.is(r.modelled.flushRequests, 3 * 2, "each run closes each job's file once");
  assert.is(r.integrity.pending, 0);
});

test("the report's throughput is the mean of the runs' own", () => {
  const r = runs(4, "1M");
  const v = r.modelled.fioRunsMiBps;
  assert.is(v.length, 4);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  assert.ok(Math.abs(r.modelled.throughputMiBps - mean) < 0.1, `${r.modelled.throughputMiBps} against the mean ${mean}`);
  // every run writes both files whole: 4 x 4 MiB in all, over the whole run's time
  assert.is(r.modelled.bytesWritten, 4 * 4 * 2 ** 20);
});

test("one run is the plain run", () => {
  const r = runs(1, "1M");
  assert.is(r.modelled.fioRunsMiBps.length, 1);
  assert.ok(Math.abs(r.modelled.fioRunsMiBps[0]! - r.modelled.throughputMiBps) < 0.1);
});

test("each run's jobs are new tasks: their dirty-throttle state starts afresh (copy_process())", () => {
  // 6.12: balance_dirty_pages_ratelimited() at the top of each chunk. A fresh task has nr_dirtied_pause 32; a job of
  // 32 writes of 4 KiB checks before each with at most 31 dirtied (1 GiB machine: ratelimit_pages far above 32, no
  // dirty_exceeded), so it never enters balance_dirty_pages() and ends with nr_dirtied 32. The second run's task
  // starts at 0 again and ends the same way; had it kept the first's 32, its first check would have entered
  // balance_dirty_pages() (free run: nr_dirtied 0, nr_dirtied_pause from dirty_poll_interval()).
  const task = (fioRuns: number): number[] => {
    const sim = new Simulator(resolveScenario({
      machine: { memory: "1G", kernel: "6.12" },
      policy: "legacy-copy",
      workloads: [{ type: "fio", rw: "write", bs: "4k", size: 32 * 4096, numjobs: 1 }],
      run: { fio_runs: fioRuns },
    }, "fio-runs-fork"), debug);
    sim.run();
    const h = debugCore(sim.allocator.core);
    return [sim.stat("fio_runs_done"), h.harness_task_nr_dirtied(0), h.harness_task_nr_dirtied_pause(0), sim.stat("bdp_pauses")];
  };
  assert.equal(task(1), [1, 32, 32, 0]);
  assert.equal(task(2), [2, 32, 32, 0]);
});

test("fio's clock stops at the job's last write(2): the close's writeback and FUSE_FLUSH are outside the run's time", () => {
  // thread_main() records the runtime (update_runtime()) when do_io() returns, and only then close_and_free_files()
  // closes the file: fuse_flush() writes the file's last dirty pages back, waits for them and sends FUSE_FLUSH.
  // So the run's bandwidth is its bytes over a time that ends before the last writer has finished its close.
  const r = runs(1, "4k");
  const runtimeNs = (4 * 2 ** 20) / r.modelled.fioRunsMiBps[0]! * 1e9 / 2 ** 20;
  assert.is(r.modelled.flushRequests, 2, "each job closed its file");
  assert.ok(runtimeNs < r.modelled.writersDoneNs, `fio's runtime ${runtimeNs} ns ends before the close, ${r.modelled.writersDoneNs} ns`);
  // with a server whose every request takes 2 us, the close's FLUSH round trip alone is more than that
  assert.ok(r.modelled.writersDoneNs - runtimeNs > 2000);
});

test("a job that fails ends fio's clock with the bytes it wrote: a crashed server's run is its bytes over its time", () => {
  // The server dies 5 ms in; the connection is aborted, the jobs' next write(2)s fail (ENOTCONN), do_io() stops on
  // the error and the runtime ends there, with the bytes written so far, not the job's whole size.
  const r = runScenario(resolveScenario({
    machine: { memory: "64M" },
    fuse: { max_pages: 256, max_write: "1M", writeback_cache: true },
    policy: "nocopy",
    server: { threads: 4, per_request: { dist: "fixed", mean: "2us" }, faults: { crash_at: "5ms" } },
    workloads: [{ type: "fio", rw: "write", bs: "4k", size: "16M", numjobs: 2 }],
    run: { check_invariants: true },
  }, "fio-runs-crash"), { module: debug, timing: false });
  const m = r.modelled;
  assert.ok(m.bytesWritten > 0 && m.bytesWritten < 32 * 2 ** 20, `${m.bytesWritten} bytes written`);
  assert.is(m.fioRunsMiBps.length, 1);
  const expected = m.bytesWritten / 2 ** 20 / (m.writersDoneNs / 1e9);
  assert.ok(Math.abs(m.fioRunsMiBps[0]! - expected) <= 0.05, `${m.fioRunsMiBps[0]} MiB/s against ${expected}`);
});

test("a later run's open drops its file's cached pages inside fio's clock, each folio charged pagecache_remove", () => {
  // Run 1 opens empty files; run 2's open (fuse_open() -> invalidate_inode_pages2()) frees each job's 512 clean
  // order-0 folios before the job's first write, in the job's own task, so both jobs start 512 x pagecache_remove
  // late. With 1 ms a folio that is 512 ms, far more than the rest of a 2 x 2 MiB run, and run 1 is unchanged.
  const slow = { ...defaultCostModel, pagecache_remove: 1e6 };
  const free = { ...defaultCostModel, pagecache_remove: 0 };
  const a = runs(2, "1M", free).modelled, b = runs(2, "1M", slow).modelled;
  assert.is(b.fioRunsMiBps[0], a.fioRunsMiBps[0], "the first run has nothing cached to drop");
  assert.ok(Math.abs(b.writersDoneNs - a.writersDoneNs - 512e6) < 1e3, `run 2 ended ${b.writersDoneNs - a.writersDoneNs} ns later, expected 512 ms`);
  // inside fio's clock: run 2's bandwidth is its 4 MiB over its old runtime plus the 512 ms (rounded to 0.1 MiB/s)
  const expected = 4 / (4 / a.fioRunsMiBps[1]! + 0.512);
  assert.ok(Math.abs(b.fioRunsMiBps[1]! - expected) < 0.1, `run 2 at ${b.fioRunsMiBps[1]} MiB/s, expected ${expected}`);
});

test.run();
