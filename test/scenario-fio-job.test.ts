// fio job files (host/scenario/fio-job.ts): the subset of fio(1)'s job file format the emulator runs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { parseFioJob } from "../host/scenario/fio-job.js";
import { resolveScenario } from "../host/scenario/resolve.js";
import { InputError } from "../host/util/input-error.js";

test("the benchmark's job: one section is one writer", () => {
  const jobs = parseFioJob("[job]\nrw=write\nbs=1M\nsize=2G\nnumjobs=2\nioengine=sync\nfsync_on_close=1");
  // fsync_on_close=1 is our endFsync; 1M and 2G are powers of 1024, as fio reads them (kb_base=1024).
  assert.equal(jobs, [{ name: "job", rw: "write", bs: 1 << 20, size: 2 ** 31, numjobs: 2, fsync: 0, endFsync: true, rate: 0, fallocate: "native", timeBased: false, runtimeNs: 0, rampNs: 0, invalidate: true }]);
});

test("[global] sets defaults for the sections after it; name= renames; bare booleans are 1", () => {
  const jobs = parseFioJob(
    ["; two writers", "[global]", "ioengine=psync", "bs=4k", "size=1G", "", "[a]", "rw=randwrite", "# b overrides size", "[b]", "name=bee", "size=256M", "numjobs=3", "fsync=32", "end_fsync"].join("\n"),
  );
  assert.equal(jobs, [
    { name: "a", rw: "randwrite", bs: 4096, size: 2 ** 30, numjobs: 1, fsync: 0, endFsync: false, rate: 0, fallocate: "native", timeBased: false, runtimeNs: 0, rampNs: 0, invalidate: true },
    { name: "bee", rw: "write", bs: 4096, size: 256 << 20, numjobs: 3, fsync: 32, endFsync: true, rate: 0, fallocate: "native", timeBased: false, runtimeNs: 0, rampNs: 0, invalidate: true },
  ]);
});

test("fio's defaults: rw=write, bs=4k, numjobs=1, fallocate=native (fio built with fallocate(), as on Linux)", () => {
  assert.equal(parseFioJob("[x]\r\nsize=8k\r\n"), [{ name: "x", rw: "write", bs: 4096, size: 8192, numjobs: 1, fsync: 0, endFsync: false, rate: 0, fallocate: "native", timeBased: false, runtimeNs: 0, rampNs: 0, invalidate: true }]);
});

test("fallocate= takes fio's modes and its old boolean spellings (0: none, 1: posix)", () => {
  const mode = (v: string): string => parseFioJob(`[x]\nsize=8k\nfallocate=${v}\n`)[0]!.fallocate;
  assert.equal(["none", "native", "posix", "keep", "truncate", "0", "1"].map(mode), ["none", "native", "posix", "keep", "truncate", "none", "posix"]);
});

test("a job file in a scenario gives one workload per section", () => {
  const config = resolveScenario({ workloads: [{ type: "fio", job: "[global]\nbs=1M\nsize=1G\n[w1]\n[w2]\nrw=randwrite\n" }] });
  assert.equal(config.workloads.map((w) => (w.kind === "fio" ? [w.name, w.rw, w.bs] : [])), [["w1", "write", 1 << 20], ["w2", "randwrite", 1 << 20]]);
});

test("an unknown key names the key and the allowed ones", () => {
  assert.throws(
    () => parseFioJob("[a]\nsize=1G\niodepth=4\n", "a.fio"),
    (e: Error) => e instanceof InputError && e.message === 'a.fio: line 3: key "iodepth" is not allowed; allowed: name, rw, bs, size, numjobs, ioengine, fsync, end_fsync, fsync_on_close, rate, fallocate, time_based, runtime, ramp_time, invalidate, direct, group_reporting',
  );
});

// Each malformed job file, and the words its message must contain (the key or line at fault).
const badJobs: Record<string, string> = {
  "unknown-key.fio": 'key "iodepth"',
  "cmdline-direct.fio": "--direct=1: direct=1 is not allowed",
  "time-based-no-runtime.fio": "time_based needs a runtime",
  "key-typo.fio": 'did you mean "size"',
  "ioengine-libaio.fio": "ioengine=libaio",
  "rw-read.fio": "rw=read",
  "no-size.fio": "no size",
  "bs-zero.fio": "bs=0",
  "numjobs-zero.fio": "numjobs=0",
  "option-before-section.fio": "line 1: rw",
  "only-global.fio": "no job",
  "empty.fio": "no job",
  "size-bad-unit.fio": "size=1Q",
  "size-percent.fio": "size=50%",
  "bs-over-size.fio": "bs 2M is larger than size 1M",
  "end-fsync-yes.fio": "end_fsync=yes",
  "empty-section-name.fio": "[] has no name",
  "size-without-value.fio": "size has no value",
  "fallocate-bad.fio": "fallocate=yes",
};

const dir = new URL("./corpus/bad-fio-jobs/", import.meta.url);

test("every malformed job file in the corpus is listed here, and the other way round", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith(".fio")).sort();
  assert.ok(files.length >= 8);
  assert.equal(files, Object.keys(badJobs).sort());
});

for (const [file, expected] of Object.entries(badJobs)) {
  test(`bad job ${file}: one line, no stack, names what is wrong`, () => {
    const text = readFileSync(new URL(file, dir), "utf8");
    for (const run of [() => parseFioJob(text, file), () => resolveScenario({ workloads: [{ type: "fio", job: text }] }, "s.json")]) {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      assert.instance(error, InputError);
      const message = (error as InputError).message;
      assert.not.match(message, /\n/);
      assert.not.match(message, /\bat .*:\d+:\d+/);
      assert.ok(message.includes(expected), `${message} should mention ${expected}`);
    }
    // Inside a scenario the path leads to the job text.
    assert.throws(() => resolveScenario({ workloads: [{ type: "fio", job: text }] }, "s.json"), (e: Error) => e.message.startsWith("s.json: workloads.0.job: "));
  });
}

test.run();
