// fio's time_based, runtime= and ramp_time= (read in fio's backend.c, io_u.c and time.c; docs/fuse.md), and the
// command-line form of a job, as commit messages quote it. Expected values follow from fio's rules, not from a run.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkFioJobFile, parseFioJob } from "../host/scenario/fio-job.js";
import { resolveScenario } from "../host/scenario/resolve.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { Simulator } from "../host/sim/simulator.js";
import { estimateWork } from "../host/sim/work-estimate.js";

const debug = coreModuleSync("debug");
const GiB = 2 ** 30;

test("a fio command line is the job file it stands for: --name= starts a job, a bare option is 1", () => {
  const cmd = "fio --name=writeback_test --ioengine=psync --rw=write --bs=128k \\\n    --size=2G --numjobs=4 --ramp_time=10 --runtime=20 \\\n    --time_based --group_reporting=1 --direct=0";
  const file = "[writeback_test]\nioengine=psync\nrw=write\nbs=128k\nsize=2G\nnumjobs=4\nramp_time=10\nruntime=20\ntime_based\ngroup_reporting=1\ndirect=0\n";
  const jobs = parseFioJob(cmd);
  assert.equal(jobs, parseFioJob(file));
  assert.equal(jobs, [{
    name: "writeback_test", rw: "write", bs: 128 << 10, size: 2 * GiB, numjobs: 4, fsync: 0, endFsync: false, rate: 0, fallocate: "native",
    timeBased: true, runtimeNs: 20e9, rampNs: 10e9, invalidate: true,
  }]);
});

test("a command line's options before the first --name are global, and so is any --name that begins with \"global\"", () => {
  const jobs = parseFioJob("fio --size=1M --runtime=1 --name=a --name=b --bs=64k --name=global2 --rw=randwrite --name=c");
  assert.equal(jobs.map((j) => [j.name, j.size, j.runtimeNs, j.bs, j.rw]), [
    ["a", 2 ** 20, 1e9, 4096, "write"], ["b", 2 ** 20, 1e9, 65536, "write"], ["c", 2 ** 20, 1e9, 4096, "randwrite"],
  ]);
});

test("fio's time values: whole seconds by default, or with one of parse.c's units; what fio would misread is refused", () => {
  const ns = (v: string): number => parseFioJob(`[x]\nsize=1M\nruntime=${v}\n`)[0]!.runtimeNs;
  assert.equal(["20", "250ms", "250MS", "100us", "100usec", "3s", "2m", "1h", "1d"].map(ns), [20e9, 250e6, 250e6, 100e3, 100e3, 3e9, 120e9, 3600e9, 86400e9]);
  // get_mult_time(): strtoll() keeps "1.5"'s whole part (1 s); an unknown unit multiplies by 1 (us): "20sec" is 20 us
  const problem = (v: string): string => { const r = checkFioJobFile(`[x]\nsize=1M\nruntime=${v}\n`); return r.ok ? "accepted" : r.problem; };
  assert.match(problem("1.5"), /^line 3: runtime=1\.5 is not allowed; fio reads only the whole part of 1\.5/);
  assert.match(problem("20sec"), /^line 3: runtime=20sec is not allowed; fio reads the unit "sec" as microseconds/);
});

test("what the emulator cannot run, or fio would not, is refused with the option at fault", () => {
  const problem = (text: string): string => {
    const r = checkFioJobFile(text);
    return r.ok ? "accepted" : r.problem;
  };
  assert.is(problem("[x]\nsize=1M\ntime_based\n"), "line 3: time_based needs a runtime; give runtime=, e.g. runtime=20");
  assert.is(problem("fio --name=x --size=1M --direct=1"), "--direct=1: direct=1 is not allowed; the emulator runs buffered writers: use direct=0");
  assert.is(problem("fio --name=x --size=100k --bs=64k --time_based --runtime=1"), "--time_based: time_based needs size a multiple of bs (100k is not a multiple of 64k): fio reopens the file at each pass of such a job, which is not modelled");
  assert.is(problem("fio --name=x --size=1M --rw=randwrite --time_based --runtime=1"), "accepted");
  assert.match(problem("[x]\nsize=1M\nruntime=soon\n"), /^line 3: runtime=soon is not allowed; give a whole number of seconds/);
  assert.match(problem("fio jobfile.fio"), /"jobfile\.fio" is not allowed; give the job as --key=value options/);
  // the shell's quoting, as commit messages quote a name: 'seq write', "seq", seq\ write; an unclosed quote is refused
  for (const name of ["'seq write'", '"seq write"', "seq\\ write"]) {
    const r = checkFioJobFile(`fio --name=${name} --rw=write --size=1M`);
    assert.ok(r.ok && r.jobs[0]!.name === "seq write", `${name}: ${JSON.stringify(r)}`);
  }
  assert.is(problem('fio --name="seq --rw=write --size=1M'), "a double quote is not closed; close it or leave the quotes out");
});

/** A 256 MiB machine whose FUSE bdi has no strictlimit share: the jobs below stay far under its dirty limits, so no
 *  write sleeps in balance_dirty_pages() and the last write before the runtime's end takes microseconds. */
function sim(job: string, bdi: Record<string, unknown> = { max_ratio: 100, strictlimit: false }, memory = "256M"): Simulator {
  const s = new Simulator(resolveScenario({
    machine: { memory, bdi },
    fuse: { max_pages: 256, max_write: "1M", writeback_cache: true },
    policy: "nocopy",
    server: { threads: 4, per_request: { dist: "fixed", mean: "2us" } },
    workloads: [{ type: "fio", job }],
    run: { check_invariants: true },
  }, "fio-time-based"), debug);
  s.run();
  return s;
}

test("time_based: the job goes round its file until runtime has passed, and fio's clock is the runtime", () => {
  // backend.c do_io(): with time_based the end of the file does not end the loop (get_next_seq_offset() goes back
  // to the start); runtime_exceeded() before each write ends it once 50 ms have passed since the epoch. The
  // runtime fio records is from the epoch to do_io()'s return: at least 50 ms, and at most one write more.
  const s = sim("fio --name=t --rw=write --bs=64k --size=1M --numjobs=2 --runtime=50ms --time_based");
  const [runtime] = s.fioRuntimes();
  assert.ok(runtime! >= 50e6 && runtime! < 51e6, `fio's runtime ${runtime} ns`);
  const written = s.stat("bytes_written");
  assert.ok(written > 2 * 2 * 2 ** 20, `${written} bytes: each job went round its 1 MiB file more than twice`);
  assert.is(s.fioRunBytes()[0], written, "no ramp: every write counts");
});

test("ramp_time: the job writes for ramp_time first, and only what comes after counts", () => {
  // time.c ramp_time_over(): the first write to complete once 20 ms have passed ends the ramp, and
  // reset_all_stats() restarts the epoch and wipes the bytes (that write's too). Then 30 ms of runtime.
  const s = sim("fio --name=t --rw=write --bs=64k --size=1M --numjobs=2 --ramp_time=20ms --runtime=30ms --time_based");
  const [runtime] = s.fioRuntimes(), [counted] = s.fioRunBytes();
  assert.ok(runtime! >= 30e6 && runtime! < 31e6, `fio's runtime ${runtime} ns`);
  const written = s.stat("bytes_written");
  assert.ok(counted! > 0 && counted! < written, `${counted} bytes counted of ${written} written`);
  // the ramp's share: about 20 of the 50 ms (the writers' speed changes as the bdi's estimates settle)
  assert.ok(counted! < written * 0.9, `${counted} of ${written}`);
  assert.ok(s.stat("writers_done_ns") >= 50e6);
});

test("runtime without time_based ends a job before its file's end", () => {
  const s = sim("fio --name=t --rw=write --bs=64k --size=64M --numjobs=1 --runtime=5ms");
  const written = s.stat("bytes_written");
  assert.ok(written > 0 && written < 64 * 2 ** 20, `${written} bytes`);
  const [runtime] = s.fioRuntimes();
  assert.ok(runtime! >= 5e6 && runtime! < 6e6, `fio's runtime ${runtime} ns`);
});

test("invalidate=1: each wrap drops the file's clean cache (posix_fadvise(DONTNEED)), so the next pass allocates again", () => {
  // io_u.c loop_cache_invalidate() at each wrap; mm/fadvise.c: WB_SYNC_NONE writeback of the dirty pages, then
  // mapping_try_invalidate() of the clean ones (a page still dirty or under writeback stays). Here FUSE's own
  // strictlimit share of this 512 MiB machine (1 %, some 230 pages) is under the 2 x 128 pages of the files, so the
  // flusher writes the front of a file back while a pass writes its end, and each wrap finds those pages clean and
  // drops them. With invalidate=0 the pages stay cached and the later passes write into them: each of the 2 x 128
  // pages is allocated once. (Without writeback during a pass the whole file is dirty at the wrap: nothing drops.)
  const job = (inv: number): string => `fio --name=t --rw=write --bs=64k --size=512k --numjobs=2 --runtime=100ms --time_based --invalidate=${inv}`;
  const kept = sim(job(0), {}, "512M"), dropped = sim(job(1), {}, "512M");
  assert.is(kept.stat("folios_allocated"), 2 * 128);
  assert.ok(kept.stat("bytes_written") >= 4 * 2 * 2 ** 19, "four passes or more");
  assert.ok(dropped.stat("bytes_written") >= 4 * 2 * 2 ** 19, "four passes or more");
  assert.ok(dropped.stat("folios_allocated") >= 2 * 2 * 128, `${dropped.stat("folios_allocated")} folios allocated over the passes`);
});

test("the wrap's posix_fadvise(DONTNEED) writes the file's dirty pages back, and cannot drop what is then under writeback", () => {
  // Without a strictlimit share these jobs stay far under every dirty threshold: nothing else starts writeback
  // (no writer leaves freerun, kupdate's 30 s expiry is far off), so with invalidate=0 the only requests are the
  // two closes' (1 MiB each, one request of 256 pages). With invalidate=1 a wrap's __filemap_fdatawrite_range()
  // sends the dirty file (WB_SYNC_NONE: the folios still under writeback from the last wrap's request, redirtied
  // by the pass, are passed over), and mapping_try_invalidate() then finds every page dirty or under writeback and
  // drops none: a pass dirties the whole file before its wrap, so each page is allocated once either way.
  const job = (inv: number): string => `fio --name=t --rw=write --bs=64k --size=1M --numjobs=2 --runtime=20ms --time_based --invalidate=${inv}`;
  const kept = sim(job(0)), flushed = sim(job(1));
  assert.is(kept.stat("requests_sent"), 2);
  const wraps = flushed.stat("bytes_written") / 2 ** 20 - 2; // every pass after each job's first began with a wrap
  assert.ok(wraps >= 4, `${wraps} wraps`);
  assert.ok(flushed.stat("requests_sent") > 2 + wraps / 4, `${flushed.stat("requests_sent")} requests for ${wraps} wraps`);
  assert.is(flushed.stat("folios_allocated"), 2 * 256);
  assert.is(kept.stat("folios_allocated"), 2 * 256);
});

test("rate= with runtime: a sleep that would pass the runtime's end stops there, no write follows, and the close is in the runtime", () => {
  // io_u.c rate_ddir(): at 4 MiB/s a 128 KiB write is due every 31.25 ms; the runtime ends at 100 ms, inside the
  // sleep before the fourth write, so the sleep ends at 100 ms with DDIR_TIMEOUT, set_io_u_file() closes the file
  // inside do_io(), and fio's runtime is 100 ms and the close; three writes counted. (Sleeping the whole interval,
  // as the model did, gave 125 ms.)
  const s = sim("fio --name=t --rw=write --bs=128k --size=1M --rate=4M --runtime=100ms --time_based");
  const [runtime] = s.fioRuntimes(), [counted] = s.fioRunBytes();
  assert.is(counted, 4 * 128 * 1024, "writes at 0, 31.25, 62.5 and 93.75 ms");
  assert.ok(runtime! > 100e6 && runtime! < 101e6, `fio's runtime ${runtime} ns: the close's writeback and FLUSH after 100 ms`);
  assert.is(s.stat("flush_requests"), 1);
});

test("the work estimate counts a time_based job by its time, not its file", () => {
  const config = (timeBased: boolean) => resolveScenario({
    workloads: [{ type: "fio", job: `fio --name=t --bs=128k --size=64M --numjobs=4 --runtime=20${timeBased ? " --time_based" : ""}` }],
  }, "estimate");
  const once = estimateWork(config(false)), timed = estimateWork(config(true));
  assert.ok(timed.events > 5 * once.events, `${timed.events} events against ${once.events}`);
  assert.ok(timed.horizonNs >= 20e9);
  // a minute of four 128 KiB writers, the common form of the job, is counted within the run limit (2e8 events)
  const minute = resolveScenario({ workloads: [{ type: "fio", job: "fio --name=t --bs=128k --size=2G --numjobs=4 --runtime=60 --time_based" }] }, "estimate");
  assert.ok(estimateWork(minute).events < 2e7, `${estimateWork(minute).events} events`);
});

test.run();
