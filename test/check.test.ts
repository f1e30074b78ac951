// `fusewb check`: expectations in scenarios, their arithmetic, TAP and JUnit output, exit codes, and snapshots
// that flag a metric a changed model moved.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { tinyScenario } from "./helpers/tiny-scenario.js";
import { cli } from "./helpers/cli.js";
import { throwsInput } from "./helpers/throws-input.js";
import { planCheck, planScenario } from "../host/check/plan.js";
import { evaluateChecks, type RunOutcome } from "../host/check/evaluate.js";
import { runCheck } from "../host/check/run-check.js";
import { readSnapshot } from "../host/check/snapshot.js";
import { defaultCostModel } from "../host/sim/cost-model.js";
import type { RunReport } from "../host/sim/report.js";

const dir = mkdtempSync(join(tmpdir(), "fusewb-check-"));
let n = 0;
function scenarioFile(expect: unknown, extra: Record<string, unknown> = {}): string {
  const path = join(dir, `s${n++}.json`);
  writeFileSync(path, JSON.stringify({ ...tinyScenario(7), ...extra, expect }, null, 2));
  return path;
}

const copiesNothing = { name: "copy-free copies nothing", policy: "nocopy", path: "modelled.bytesCopiedWriteback", "==": 0 };
// The tiny scenario writes 8 MiB sequentially and syncs: the temp-page copy copies each page once, so what it
// copied equals what was written, and a bound one page (4096 bytes) lower misses by exactly 4096.
const onePageShort = { name: "fails by one page", policy: "legacy-copy", path: "modelled.bytesCopiedWriteback", "<=": { path: "modelled.bytesWritten", plus: -4096 } };

test("a failing expectation: exit 1, a TAP line naming it, the value and by how much it missed; passing: exit 0", async () => {
  const failing = scenarioFile({ checks: [copiesNothing, onePageShort] });
  const r = await cli(["check", failing]);
  assert.is(r.code, 1, r.stderr);
  assert.ok(r.stdout.startsWith("TAP version 14\n"));
  // two runs first (legacy-copy, nocopy: the scenario's policies), then the checks in file order
  assert.match(r.stdout, /^ {4}1\.\.4$/m);
  assert.match(r.stdout, /^ {4}ok 3 - copy-free copies nothing \[nocopy\/s\]$/m);
  assert.match(r.stdout, /^ {4}not ok 4 - fails by one page \[legacy-copy\/s\]$/m);
  assert.match(r.stdout, /^ {6}value: 8388608$/m);
  assert.match(r.stdout, /^ {6}missed_by: 4096$/m);
  assert.match(r.stdout, new RegExp(`^not ok 1 - ${failing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  assert.match(r.stdout, /^1\.\.1\n# 4 tests in 1 scenarios: 3 passed, 1 failed\n$/m);
  assert.match(r.stderr, /check failed: .*s\d+\.json expect\.checks\.1 "fails by one page" \[legacy-copy\/s\]: modelled\.bytesCopiedWriteback is 8388608, expected <= 8384512 \(legacy-copy\/s modelled\.bytesWritten - 4096\), missed by 4096/);
  const passing = await cli(["check", scenarioFile({ checks: [copiesNothing] })]);
  assert.is(passing.code, 0, passing.stderr);
  assert.not.match(passing.stdout, /not ok/);
  // only the run the check names runs: nocopy
  assert.match(passing.stdout, /# 2 tests in 1 scenarios: 2 passed, 0 failed/, passing.stdout);
});

test("--junit writes JUnit XML: a testsuite per scenario, a testcase per test point, the failure with its message", async () => {
  const xml = join(dir, "junit.xml");
  const r = await cli(["check", scenarioFile({ checks: [copiesNothing, onePageShort] }), "--junit", xml]);
  assert.is(r.code, 1);
  const text = readFileSync(xml, "utf8");
  assert.ok(text.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="fusewb check" tests="4" failures="1" errors="0">`));
  assert.is(text.match(/<testsuite /g)?.length, 1);
  assert.is(text.match(/<testcase /g)?.length, 4);
  assert.is(text.match(/<failure message="[^"<>]*fails by one page[^"<>]*missed by 4096" type="fusewb.check">/g)?.length, 1);
  // well-formed: every element that opens closes, in order
  const stack: string[] = [];
  for (const m of text.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) assert.is(stack.pop(), m[2]);
    else stack.push(m[2]!);
  }
  assert.equal(stack, []);
});

/** A report with just the fields the arithmetic below reads. */
function fakeReport(thp: number, copied: number): RunOutcome {
  return { report: { highOrder: { thpSuccessPct: thp }, modelled: { bytesCopiedWriteback: copied }, integrity: { corrupt: 0 } } as unknown as RunReport };
}

test("the arithmetic: bounds, tolerances, ranges, strictness, references with times and plus", () => {
  const plan = planScenario(scenarioFile({
    checks: [
      { policy: "nocopy", path: "highOrder.thpSuccessPct", ">=": 85, tolerance: 5 },
      { policy: "nocopy", path: "highOrder.thpSuccessPct", ">=": 90, tolerance: "10%" },
      { policy: "nocopy", path: "highOrder.thpSuccessPct", in: [81, 100] },
      { policy: "nocopy", path: "highOrder.thpSuccessPct", "<": { policy: "legacy-copy" } },
      { policy: "nocopy", path: "highOrder.thpSuccessPct", "==": { policy: "legacy-copy", times: 0.5, plus: 40 } },
      { policy: "nocopy", path: "highOrder.thpSuccessPct", "!=": 80 },
      { policy: "nocopy", path: "highOrder.thpSuccessPct", ">": { policy: "legacy-copy", path: "modelled.bytesCopiedWriteback" } },
    ],
  }));
  const key = (policy: string): string => plan.runs.find((r) => r.policy === policy)!.key;
  const outcomes = new Map([[key("nocopy"), fakeReport(80, 0)], [key("legacy-copy"), fakeReport(80, 100)]]);
  const points = evaluateChecks(plan, outcomes);
  const got = points.map((p) => [p.ok, p.details?.missed_by]);
  assert.equal(got, [
    [true, undefined], // 80 >= 85 - 5
    [false, 1], // 90 - 10 % of 90 = 81: 80 misses by 1
    [false, 1], // below [81, 100] by 1
    [false, 0], // 80 < 80 fails, and misses by nothing: the comparison is strict
    [true, undefined], // 80 == 0.5 * 80 + 40
    [false, 0], // 80 != 80 fails (no tolerance: a miss of 0)
    [false, 20], // 80 > 100 (the other run's other field) misses by 20
  ]);
  assert.match(points[1]!.details!.expected as string, /^>= 90 \(tolerance 10 %\)$/);
  assert.match(points[4]!.details!.expected as string, /^== 80 \(legacy-copy\/s highOrder\.thpSuccessPct x 0\.5 \+ 40\)$/);
});

test("mistakes that need the runs to see are one line before anything runs; a report field that is not there, exit 2", async () => {
  throwsInput(() => planScenario(scenarioFile({ checks: [{ policy: "nocopy-cancel", path: "mixedBlocks", "==": 0 }] })), /expect\.checks\.0\.policy: "nocopy-cancel" is not allowed; the scenario runs legacy-copy, nocopy/);
  throwsInput(() => planScenario(scenarioFile({ checks: [{ path: "mixedBlocks", "==": { server: "slow" } }] })), /expect\.checks\.0\."=="\.server: "slow" is not allowed; the scenario has the servers s/);
  throwsInput(() => planScenario(scenarioFile({ checks: [{ path: "mixedBlocks", "==": { variant: "none" } }] })), /expect\.checks\.0\."=="\.variant: "none" is not allowed; expect\.variants declares none/);
  throwsInput(() => planScenario(scenarioFile({ variants: { big: ["fuse.max_pages=100000"] }, checks: [{ variant: "big", path: "mixedBlocks", "==": 0 }] })), /\(variant big\): fuse\.max_pages: 100000 is not allowed/);
  throwsInput(() => planScenario(scenarioFile({ checks: [{ path: "mixedBlocks", ">=": 0, "<=": 1 }] })), /expect\.checks\.0: >= and <= together is not allowed; give exactly one of/);
  throwsInput(() => planScenario(scenarioFile({ variants: { v: ["expect.checks=[]"] }, checks: [{ variant: "v", path: "mixedBlocks", "==": 0 }] })), /expect\.variants\.v\.0: "expect\.checks=\[\]" is not allowed; a variant changes the scenario, not its expectations/);
  // 1000 checks over 64 variants, 64 servers and 7 policies would be 28 million test points: refused first
  const servers = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`s${i}`, {}]));
  const variants = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`v${i}`, [`run.seed=${i}`]]));
  const huge = scenarioFile({ variants, checks: Array.from({ length: 1000 }, () => ({ variant: Object.keys(variants), path: "mixedBlocks", ">=": 0 })) }, { servers, policies: undefined });
  throwsInput(() => planScenario(huge), /expect\.checks: more than 100000 checks of runs are not allowed/);
  const typo = await cli(["check", scenarioFile({ checks: [{ path: "highOrder.thpSucessPct", ">=": 0 }] })]);
  assert.is(typo.code, 2);
  assert.match(typo.stderr, /^fusewb: .*expect\.checks\.0\.path: the report has no field highOrder\.thpSucessPct; did you mean "thpSuccessPct"\?/);
  assert.is(typo.stderr.trimEnd().split("\n").length, 1);
  const none = await cli(["check", join(dir, "absent.json")]);
  assert.is(none.code, 2);
});

test("snapshots: --update writes them beside the scenario; the same model passes exactly, a changed one is flagged", async () => {
  const path = scenarioFile(undefined, { expect: undefined });
  // without checks the check runs every policy against every server: both paths
  const plan = planCheck([path]);
  assert.equal(plan.scenarios[0]!.runs.map((r) => r.label), ["legacy-copy/s", "nocopy/s"]);
  const updated = await runCheck(plan, { workers: 1, update: true });
  assert.ok(updated.results[0]!.points.every((p) => p.ok));
  const snapPath = path.replace(/\.json$/, ".snapshot.json");
  assert.ok(existsSync(snapPath));
  const snap = readSnapshot(snapPath);
  assert.equal(Object.keys(snap.runs), ["legacy-copy/s", "nocopy/s"]);
  assert.is(snap.runs["nocopy/s"]!["modelled.bytesCopiedWriteback"], 0);
  // the same seed gives the same numbers: nothing moves at tolerance 0
  const again = await runCheck(plan, { workers: 1 });
  const snapPoints = again.results[0]!.points.filter((p) => p.description.startsWith("snapshot"));
  assert.is(snapPoints.length, 2);
  assert.ok(snapPoints.every((p) => p.ok), JSON.stringify(snapPoints));
  // a changed model: every byte copied costs four times as much (the writers' copy_from_user and the temp copy)
  const costs = { ...defaultCostModel, copy_per_byte: defaultCostModel.copy_per_byte * 4 };
  const changed = await runCheck(plan, { workers: 1, costs });
  const moved = changed.results[0]!.points.filter((p) => !p.ok);
  assert.equal(moved.map((p) => p.description.split(":")[0]), ["snapshot [legacy-copy/s]", "snapshot [nocopy/s]"]);
  // slower copies hold each request's pages longer (this tiny run's throughput is bound elsewhere and stays)
  for (const p of moved) assert.match(p.failure!, /modelled\.longestWritebackHoldNs moved \d+ -> \d+, by \+\d+/);
  // a snapshot edited by hand: the delta is exactly what was changed
  const old = snap.runs["legacy-copy/s"]!["modelled.peakTempPages"] as number;
  snap.runs["legacy-copy/s"]!["modelled.peakTempPages"] = old + 10;
  writeFileSync(snapPath, JSON.stringify(snap));
  const r = await cli(["check", path]);
  assert.is(r.code, 1);
  assert.match(r.stderr, new RegExp(`snapshot \\[legacy-copy/s\\]: modelled\\.peakTempPages moved ${old + 10} -> ${old}, by -10 \\(-\\d+(\\.\\d+)? %\\), tolerance 0`));
  // a tolerance in the scenario lets it through
  const tolerant = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  writeFileSync(path, JSON.stringify({ ...tolerant, expect: { snapshot: { tolerances: { "modelled.peakTempPages": 10 } } } }));
  assert.is((await cli(["check", path])).code, 0);
});

test("--shard runs a share of the runs; merged and evaluated with --from, the TAP is the unsharded check's", async () => {
  const path = scenarioFile({ variants: { wt: ["fuse.writeback_cache=false"] }, checks: [copiesNothing, { variant: "wt", path: "modelled.peakNrDirty", "==": 0 }] });
  const all = join(dir, "all.jsonl");
  const direct = await cli(["check", path, "--out", all]);
  assert.is(direct.code, 0, direct.stderr);
  const shards = [0, 1, 2].map((i) => join(dir, `shard${i}.jsonl`));
  for (const [i, s] of shards.entries()) assert.is((await cli(["check", path, "--shard", `${i}/3`, "--out", s])).code, 0);
  const merged = await cli(["merge", ...shards]);
  assert.is(merged.stdout, readFileSync(all, "utf8"));
  const mergedPath = join(dir, "merged.jsonl");
  writeFileSync(mergedPath, merged.stdout);
  const from = await cli(["check", path, "--from", mergedPath]);
  assert.is(from.code, 0);
  assert.is(from.stdout, direct.stdout);
  const other = await cli(["check", scenarioFile({ checks: [copiesNothing] }), "--from", mergedPath]);
  assert.is(other.code, 2, other.stderr);
  // the merged check ran three runs (nocopy; both policies of the write-through variant), this one names one
  assert.match(other.stderr, /its runs are from a check of 3 runs, but these scenarios make 1;/, other.stderr);
});

test.run();
