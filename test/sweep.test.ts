// Sweeps: the product's order, sharding, the worker pool against in-process runs, and merge.
import { test } from "uvu";
import { tinyScenario } from "./helpers/tiny-scenario.js";
import * as assert from "uvu/assert";
import { cartesianProduct, parseVary, splitValues } from "../host/sweep/vary.js";
import { inShard, parseShard } from "../host/sweep/shard.js";
import { planSweep, type SweepJob } from "../host/sweep/plan.js";
import { runSweepJob, sweepLineText, type SweepLine } from "../host/sweep/run-job.js";
import { runPool } from "../host/sweep/pool.js";
import { mergeShards } from "../host/sweep/merge.js";
import { formatSweepTable } from "../host/sweep/table.js";
import { sweepPlotSvg } from "../host/sweep/plot.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { throwsInput } from "./helpers/throws-input.js";

const scenario = tinyScenario(7);


test("the product: first --vary slowest, last fastest; values read as --set reads them", () => {
  const combos = cartesianProduct([parseVary("fuse.max_pages=32,256"), parseVary("server.faults.slow=1,20"), parseVary("x=a")]);
  // nested loops in the order given: (32,1) (32,20) (256,1) (256,20), each with x=a
  assert.equal(combos.map((c) => c.vary), [
    { "fuse.max_pages": 32, "server.faults.slow": 1, x: "a" },
    { "fuse.max_pages": 32, "server.faults.slow": 20, x: "a" },
    { "fuse.max_pages": 256, "server.faults.slow": 1, x: "a" },
    { "fuse.max_pages": 256, "server.faults.slow": 20, x: "a" },
  ]);
  assert.equal(combos[1]!.overrides, ["fuse.max_pages=32", "server.faults.slow=20", "x=a"]);
  assert.equal(cartesianProduct([]), [{ overrides: [], vary: {} }]);
});

test("values: commas inside JSON lists, objects and strings do not split", () => {
  assert.equal(splitValues('1M,[1,2],{"a":1,"b":2},"x,y", 4k'), ["1M", "[1,2]", '{"a":1,"b":2}', '"x,y"', "4k"]);
  assert.equal(cartesianProduct([parseVary('a=[1,2],"s"')]).map((c) => c.vary.a), [[1, 2], "s"]);
});

test("bad --vary: one line each", () => {
  throwsInput(() => parseVary("=1,2"), /write <field.path>=<value>/);
  throwsInput(() => parseVary("fuse.max_pages=32,,64"), /an empty value/);
  throwsInput(() => parseVary("fuse.max_pages=32,32"), /32 is listed twice/);
  throwsInput(() => cartesianProduct([parseVary("a=1"), parseVary("a=2")]), /a is varied twice/);
});

test("--shard i/n: run k goes to shard k mod n; the shards partition the runs", () => {
  assert.equal(parseShard("1/3"), { index: 1, count: 3 });
  for (const bad of ["3/3", "1/0", "-1/2", "a/b", "1"]) throwsInput(() => parseShard(bad), /write i\/n with 0 <= i < n/);
  const n = 3;
  const owners = Array.from({ length: 10 }, (_, k) => [0, 1, 2].filter((i) => inShard(k, { index: i, count: n })));
  assert.equal(owners, Array.from({ length: 10 }, (_, k) => [k % n]));
});

test("the plan: combinations × the scenario's policies, numbered in that order", () => {
  const jobs = planSweep({ scenario, source: "tiny", varies: [parseVary("fuse.max_pages=8,32")] });
  assert.equal(jobs.map((j) => [j.index, j.of, j.vary["fuse.max_pages"], j.policy, j.config.fuse.maxPages]), [
    [0, 4, 8, "legacy-copy", 8],
    [1, 4, 8, "nocopy", 8],
    [2, 4, 32, "legacy-copy", 32],
    [3, 4, 32, "nocopy", 32],
  ]);
  // a varied policy runs alone, whatever the file's `policies`
  const byPolicy = planSweep({ scenario, source: "tiny", varies: [parseVary("policy=nocopy,nocopy-timeout")] });
  assert.equal(byPolicy.map((j) => j.policy), ["nocopy", "nocopy-timeout"]);
  assert.equal(planSweep({ scenario, source: "tiny", varies: [], policyOption: "nocopy" }).map((j) => j.policy), ["nocopy"]);
  throwsInput(() => planSweep({ scenario, source: "tiny", varies: [parseVary("policy=nocopy")], policyOption: "nocopy" }), /--policy: not allowed together/);
  throwsInput(() => planSweep({ scenario, source: "tiny", varies: [parseVary("fuse.max_pages=8,100000")] }), /combination 1 \(fuse.max_pages=100000\): tiny: fuse.max_pages/);
});

/** JSON lines, as `fusewb sweep` prints them. */
const textOf = (lines: readonly SweepLine[]): string => lines.map((l) => sweepLineText(l) + "\n").join("");

test("workers give the in-process lines; two shards merged equal the unsharded run byte for byte", async () => {
  const jobs = planSweep({ scenario, source: "tiny", varies: [parseVary("fuse.max_pages=8,32"), parseVary("server.threads=1,4")] });
  assert.is(jobs.length, 8);
  const module = coreModuleSync("release");
  const inProcess = textOf(jobs.map((j) => runSweepJob(j, module)));
  const unsharded = textOf(await runPool(jobs, { workers: 2 }));
  assert.is(unsharded, inProcess);
  const shard = (i: number): SweepJob[] => jobs.filter((j) => inShard(j.index, { index: i, count: 2 }));
  const s0 = textOf(await runPool(shard(0), { workers: 2 }));
  const s1 = textOf(shard(1).map((j) => runSweepJob(j, module))); // any runner gives the same lines
  const merged = mergeShards([{ source: "s1.jsonl", text: s1 }, { source: "s0.jsonl", text: s0 }]);
  assert.is(merged.lines.map((l) => l + "\n").join(""), unsharded);
  assert.equal(merged.parsed.map((l) => l.index), [0, 1, 2, 3, 4, 5, 6, 7]);
  const table = formatSweepTable(merged.parsed);
  assert.match(table.split("\n")[0]!, /^#\s+fuse\.max_pages\s+server\.threads\s+policy\s+MiB\/s/);
  assert.is(table.trimEnd().split("\n").length, 9); // header + one row per run
});

test("merge: a run twice, a run missing, shards of two sweeps, or not a sweep line is one line of error", () => {
  const line = (index: number, of = 3): string => JSON.stringify({ index, of, vary: {}, policy: "nocopy", report: { integrity: {}, modelled: {} } });
  const text = (...ks: number[]): string => ks.map((k) => line(k)).join("\n") + "\n";
  throwsInput(() => mergeShards([{ source: "a", text: text(0, 1) }, { source: "b", text: text(1, 2) }]), /^b:1: run 1 is also at a:2/);
  throwsInput(() => mergeShards([{ source: "a", text: text(0) }, { source: "b", text: text(2) }]), /^merge: run 1 of 0\.\.2 is missing/);
  throwsInput(() => mergeShards([{ source: "a", text: text(0) }]), /runs 1, 2 of 0\.\.2 are missing/);
  throwsInput(() => mergeShards([{ source: "a", text: text(0) }, { source: "b", text: line(1, 4) }]), /^b:1: a sweep of 4 runs, but a:1 is from a sweep of 3/);
  throwsInput(() => mergeShards([{ source: "a", text: "{oops\n" }]), /^a:1: not JSON/);
  throwsInput(() => mergeShards([{ source: "a", text: '{"index":0}\n' }]), /^a:1: not a sweep line/);
  throwsInput(() => mergeShards([{ source: "a", text: "\n" }]), /no sweep lines/);
  // a line sweep never prints: neither report nor error, a report without a run's sections, a size no sweep has
  throwsInput(() => mergeShards([{ source: "a", text: '{"index":0,"of":1,"vary":{},"policy":"nocopy"}\n' }]), /^a:1: not a sweep line/);
  throwsInput(() => mergeShards([{ source: "a", text: '{"index":0,"of":1,"vary":{},"policy":"nocopy","report":{}}\n' }]), /^a:1: its "report" is not a run's report/);
  throwsInput(() => mergeShards([{ source: "a", text: line(0, 1e12) }]), /^a:1: a sweep of 1000000000000 runs is not allowed; a sweep makes 1 to 700000 runs/);
  assert.equal(mergeShards([{ source: "a", text: text(2, 0) }, { source: "b", text: text(1) }]).lines, [line(0), line(1), line(2)]);
});

test("--plot: MiB/s against the first --vary field, one polyline per other combination; a non-numeric axis is refused", () => {
  const module = coreModuleSync("release");
  const jobs = planSweep({ scenario, source: "tiny", varies: [parseVary("machine.bdi.max_ratio=1,5")], policyOption: "legacy-copy,nocopy" });
  const lines = jobs.map((j) => runSweepJob(j, module));
  const svg = sweepPlotSvg(lines);
  // two policies, nothing else varied: a line each, with a point per max_ratio
  const polylines = [...svg.matchAll(/<polyline points="([^"]+)"[^>]*><title>([^<]+)<\/title>/g)];
  assert.equal(polylines.map((m) => m[2]), ["legacy-copy", "nocopy"]);
  for (const m of polylines) assert.is(m[1]!.split(" ").length, 2);
  const named = planSweep({ scenario, source: "tiny", varies: [parseVary("policy=nocopy,legacy-copy")] }).map((j) => runSweepJob(j, module));
  throwsInput(() => sweepPlotSvg(named), /policy=nocopy is not allowed on the x axis; the first --vary field must have numeric values/);
});

test.run();
