// Bad input through the command line, in-process: every malformed scenario, fio job file and trace of the
// corpus gives exit code 2 and one line on stderr that names the problem; never a stack trace or a trap.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { cli } from "./helpers/cli.js";

const corpus = new URL("./corpus/", import.meta.url).pathname;

function assertOneLineError(r: { code: number; stderr: string }, what: string): void {
  assert.is(r.code, 2, `${what}: exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.is(lines.length, 1, `${what}: one line, got ${JSON.stringify(r.stderr)}`);
  assert.ok(lines[0]!.startsWith("fusewb: "), what);
  assert.not.match(r.stderr, /\n\s+at |RuntimeError|unreachable|WASM core aborted|internal error/, what);
}

const inputs: { what: string; argv: string[] }[] = [];
for (const dir of ["bad-scenarios", "bad-json-syntax"])
  for (const f of readdirSync(join(corpus, dir)).sort()) inputs.push({ what: `${dir}/${f}`, argv: ["run", join(corpus, dir, f)] });
const tmp = mkdtempSync(join(tmpdir(), "fusewb-bad-"));
for (const f of readdirSync(join(corpus, "bad-fio-jobs")).sort()) {
  // an fio job file goes where a writer workload is expected
  const path = join(tmp, `${f}.json`);
  writeFileSync(path, JSON.stringify({ machine: { memory: "64M" }, workloads: [{ type: "fio", job: readFileSync(join(corpus, "bad-fio-jobs", f), "utf8") }] }));
  inputs.push({ what: `bad-fio-jobs/${f}`, argv: ["run", path] });
}
for (const f of readdirSync(join(corpus, "bad-traces")).sort()) inputs.push({ what: `bad-traces/${f}`, argv: ["replay", join(corpus, "bad-traces", f)] });
inputs.push({ what: "unknown command", argv: ["frobnicate"] });
inputs.push({ what: "unknown option", argv: ["run", "scenarios/default.json", "--colour"] });
inputs.push({ what: "unknown policy", argv: ["run", "scenarios/default.json", "--policy", "fast"] });
inputs.push({ what: "bad seed", argv: ["run", "scenarios/default.json", "--seed", "-1"] });
inputs.push({ what: "bad override", argv: ["run", "scenarios/default.json", "--set", "fuse.max_pages=0"] });
inputs.push({ what: "fio-table --runs 0", argv: ["fio-table", "--runs", "0"] });
inputs.push({ what: "a version that JSON reads as another", argv: ["run", "scenarios/default.json", "--policy", "legacy-copy", "--set", "machine.kernel=6.10"] });
inputs.push({ what: "a policy given twice", argv: ["run", "scenarios/default.json", "--policy", "nocopy,nocopy"] });
inputs.push({ what: "an empty --policy", argv: ["run", "scenarios/default.json", "--policy="] });
inputs.push({ what: "a server given twice", argv: ["compare", "scenarios/bad-server.json", "--server", "healthy,healthy"] });
inputs.push({ what: "an empty --server", argv: ["compare", "scenarios/bad-server.json", "--server="] });
const noFio = join(tmp, "no-fio.json");
writeFileSync(noFio, JSON.stringify({ machine: { memory: "64M" }, workloads: [{ type: "churn", name: "c", kind: "movable", order: 0, rate: 1000, lifetime: "10ms", start: "0" }], run: { duration: "100ms" } }));
inputs.push({ what: "fio-table without a fio workload", argv: ["fio-table", noFio] });
// a snapshot field that no report has, or a tolerance for a field the snapshot does not keep: refused on every
// check, not only at --update
for (const [name, snapshot] of [["snapshot-path-unknown", { paths: ["nope.x"] }], ["snapshot-tolerance-unknown", { tolerances: { nope: "1%" } }]] as const) {
  const path = join(tmp, `${name}.json`);
  writeFileSync(path, JSON.stringify({ machine: { memory: "64M" }, workloads: [{ type: "fio", rw: "write", bs: "1M", size: "4M" }],
    expect: { checks: [{ path: "modelled.throughputMiBps", ">": 0 }], snapshot } }));
  inputs.push({ what: `check ${name}`, argv: ["check", path, "--jobs", "1"] });
}
inputs.push({ what: "a field both varied and fixed", argv: ["sweep", "scenarios/default.json", "--vary", "run.seed=1,2", "--seed", "3"] });
inputs.push({ what: "a field both varied and --set", argv: ["sweep", "scenarios/default.json", "--vary", "fuse.max_pages=32,64", "--set", "fuse.max_pages=5"] });
inputs.push({ what: "an HZ past any number", argv: ["run", "scenarios/default.json", "--set", "machine.hz=1e30"] });
inputs.push({ what: "a rate that makes the run endless", argv: ["run", "scenarios/default.json", "--set", "workloads.0.rate=1"] });
// sweep lines that fusewb sweep never prints: a sweep size beyond any sweep's (the missing-run list would be
// built over it), a report without a run's sections
for (const [name, line] of [
  ["sweep-size-huge", { index: 0, of: 1e12, vary: {}, policy: "nocopy", report: { integrity: {}, modelled: {} } }],
  ["sweep-size-zero", { index: 0, of: 0, vary: {}, policy: "nocopy", error: "x" }],
  ["report-empty", { index: 0, of: 1, vary: {}, policy: "nocopy", report: {} }],
] as const) {
  const path = join(tmp, `${name}.jsonl`);
  writeFileSync(path, JSON.stringify(line) + "\n");
  inputs.push({ what: `merge ${name}`, argv: ["merge", path] });
  inputs.push({ what: `merge ${name} --table`, argv: ["merge", path, "--table"] });
}

const notSweepLines = join(tmp, "not-sweep-lines.jsonl");
writeFileSync(notSweepLines, '{"bogus": 1}\n');
inputs.push({ what: "check --from a file of other lines", argv: ["check", "scenarios/default.json", "--from", notSweepLines] });

test(`${inputs.length} malformed inputs: exit 2 and one line each`, async () => {
  assert.ok(inputs.length >= 50, `the corpus has ${inputs.length} inputs`);
  for (const { what, argv } of inputs) assertOneLineError(await cli(argv), what);
});

test("check --from lines that are not the plan's: the one line, and no TAP before it", async () => {
  const r = await cli(["check", "scenarios/default.json", "--from", notSweepLines]);
  assertOneLineError(r, "check --from");
  assert.is(r.stdout, "");
});

test("an option value that starts with a dash: the line says how to give it", async () => {
  const r = await cli(["run", "scenarios/default.json", "--seed", "-1"]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /--seed -1: a value that starts with "-" goes after "=": --seed=-1/);
});

test("the lines name the fix: a version is a string, a policy list names each once", async () => {
  assert.match((await cli(["run", "scenarios/default.json", "--policy", "legacy-copy", "--set", "machine.kernel=6.10"])).stderr,
    /machine\.kernel: "6\.10" is not allowed; did you mean "6\.1"\? allowed: 6\.1, 6\.6, 6\.12/);
  assert.match((await cli(["run", join(corpus, "bad-scenarios", "kernel-as-number.json")])).stderr,
    /machine\.kernel: 6\.1 is not allowed; give the version as a string, "6\.1" \(a number drops trailing zeros/);
  assert.match((await cli(["run", join(corpus, "bad-scenarios", "scenario-is-a-list.json")])).stderr, /scenario-is-a-list\.json: a list is not a scenario/);
  assert.match((await cli(["run", "scenarios/default.json", "--policy", "nocopy,nocopy"])).stderr, /--policy: "nocopy" is listed twice/);
  // a fix is offered only where it works: "12" without its quotes parses, "0x10" would not; 1e309 is JSON's Infinity
  assert.match((await cli(["run", "scenarios/default.json", "--set", 'fuse.max_pages="12"'])).stderr, /use a number, without quotes: 12$/m);
  assert.match((await cli(["run", "scenarios/default.json", "--set", "fuse.max_pages=0x10"])).stderr, /fuse\.max_pages: "0x10" is not allowed; use a number$/m);
  assert.match((await cli(["run", "scenarios/default.json", "--set", "machine.memory=1e309"])).stderr, /machine\.memory: Infinity is not a size/);
  assert.match((await cli(["run", "scenarios/default.json", "--set", "machine.hz=1e30"])).stderr, /machine\.hz: 1e\+30 is not allowed; CONFIG_HZ is one of 100, 250, 300, 1000/);
  assert.match((await cli(["run", "scenarios/default.json", "--set", "workloads.0.rate=1"])).stderr, /run\.duration: not given, so the run lasts as long as its fio jobs/);
  // a trace's machine line is answered in its own keys, not the core's field names
  assert.match((await cli(["replay", join(corpus, "bad-traces", "pages-not-pageblocks.trace")])).stderr, /machine pages= less dma32= and movable= \(the Normal zone\): 2000 is not allowed/);
  assert.match((await cli(["replay", join(corpus, "bad-traces", "field-twice.trace")])).stderr, /machine pages= is given twice/);
  // --set machine.kernel=6.12 still runs 6.12 (the text is kept, not the number)
  const r = await cli(["run", "scenarios/default.json", "--policy", "legacy-copy", "--set", "machine.kernel=6.12", "--set", "workloads.0.size=8M", "--json", "--no-timing"]);
  assert.is(r.code, 0, r.stderr);
  assert.is((JSON.parse(r.stdout) as { kernel: string }).kernel, "6.12");
});

test("--help lists every command", async () => {
  const r = await cli(["--help"]);
  assert.is(r.code, 0);
  for (const c of ["run", "compare", "fio-table", "replay", "proc", "sweep", "merge"]) assert.match(r.stdout, new RegExp(`^  ${c} `, "m"));
});

test.run();
