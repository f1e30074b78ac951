// Hostile input, by class (issue 10): what a fuzzer found to abort the core, recurse without end, read forever,
// run for hours without a word, or print garbage. Each case must end with exit 2 and one line that says what to
// change, or run correctly. Small cases live in test/corpus/hostile/; the large ones (40,000 workloads, 100,000
// levels of nesting, a 17 MiB file) are written to a temp directory here. Nothing is timed: a case that hung
// would hang this test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cli } from "./helpers/cli.js";
import { resolveScenario } from "../host/scenario/resolve.js";
import { checkRunEstimate, MAX_EVENTS } from "../host/sim/work-estimate.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const corpus = join(root, "test/corpus/hostile");
const tmp = mkdtempSync(join(tmpdir(), "fusewb-hostile-"));
const big = (name: string, text: string): string => { const p = join(tmp, name); writeFileSync(p, text); return p; };
const c = (name: string): string => join(corpus, name);

interface Case { class: string; argv: string[]; expect: string }

const deepArray = (n: number): string => "[".repeat(n) + "]".repeat(n);
const manyWorkloads = JSON.stringify({ workloads: Array.from({ length: 40000 }, () => ({ type: "churn", kind: "movable", rate: 1, lifetime: "1s" })), run: { duration: "1s" } });
const manySections = JSON.stringify({ workloads: [{ type: "fio", job: Array.from({ length: 20000 }, (_, i) => `[j${i}]\nrw=write\nbs=4k\nsize=4k\n`).join("") }] });
const manyServers = JSON.stringify({ workloads: [{ type: "fio", size: "4k" }], servers: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`s${i}`, {}])) });
const values = (n: number): string => Array.from({ length: n }, (_, i) => String(i + 1)).join(",");
const aDir = join(tmp, "a-directory");
mkdirSync(aDir);

const cases: Case[] = [
  // 1. limits that aborted inside the core: refused at validation, naming the limit
  { class: "core limit", argv: ["run", c("memory-2t.json")], expect: 'machine.memory: "2T" is not allowed; use at most 1T' },
  { class: "core limit", argv: ["replay", c("machine-over-1t.trace")], expect: "is more than the core takes (at most 268435456, 1T)" },
  { class: "core limit", argv: ["run", c("fio-2t.json")], expect: 'one job writes at most "1023G"' },
  { class: "core limit", argv: ["run", c("fio-files-over-4g.json")], expect: "of wasm32 memory (the machine's pages and the files' pages); one instance holds 4.0 GiB" },
  { class: "core limit", argv: ["run", c("sample-1ns.json")], expect: 'run.sample_interval: "1ns" is not allowed; it gives 1.0e+10 samples over 10s and at most 8000000 fit; use at least "1250ns"' },
  { class: "core limit", argv: ["run", c("data-mode-too-big.json")], expect: "run.data_mode keeps a 4 KiB frame per page of file data" },
  { class: "core limit", argv: ["fio-table", "--size", "2T"], expect: '--size: workloads: fio "seq-write" of size "2T" is not allowed' },
  // 2. nesting: a stated depth, found without recursion
  { class: "deep JSON", argv: ["run", c("nested-array-65.json")], expect: "line 1, column 65: nested deeper than 64 levels" },
  { class: "deep JSON", argv: ["run", c("nested-object-unclosed-65.json")], expect: "nested deeper than 64 levels" },
  { class: "deep JSON", argv: ["run", c("nested-valid-object-70.json")], expect: "nested deeper than 64 levels" },
  { class: "deep JSON", argv: ["run", big("nested-array-100000.json", deepArray(100000))], expect: "nested deeper than 64 levels" },
  { class: "deep JSON", argv: ["run", big("nested-object-100000.json", '{"a":'.repeat(100000))], expect: "nested deeper than 64 levels" },
  { class: "deep JSON", argv: ["run", "scenarios/default.json", "--set", `fuse=${deepArray(100000)}`], expect: "override value nested deeper than 64 levels" },
  { class: "deep JSON", argv: ["sweep", "scenarios/default.json", "--vary", `fuse=${deepArray(100000)}`], expect: "--vary value nested deeper than 64 levels" },
  { class: "deep JSON", argv: ["merge", c("deep-shard.jsonl")], expect: "deep-shard.jsonl:1: nested deeper than 64 levels" },
  // 3. output paths: checked before any run
  { class: "output path", argv: ["sweep", "scenarios/default.json", "--vary", "fuse.max_pages=32", "--out", aDir], expect: `--out: ${aDir} is a directory` },
  { class: "output path", argv: ["merge", c("deep-shard.jsonl"), "--out", aDir], expect: `--out: ${aDir} is a directory` },
  { class: "output path", argv: ["run", "scenarios/default.json", "--html", aDir], expect: `--html: ${aDir} is a directory` },
  { class: "output path", argv: ["compare", "scenarios/default.json", "--html", join(tmp, "no-such-dir", "r.html")], expect: "the directory" },
  // 4. what is read: regular files only, never more than a stated size
  { class: "input file", argv: ["run", "/dev/zero"], expect: "/dev/zero: is a device; give a regular file" },
  { class: "input file", argv: ["run", "/dev/urandom"], expect: "/dev/urandom: is a device" },
  { class: "input file", argv: ["replay", "/dev/urandom"], expect: "/dev/urandom: is a device" },
  { class: "input file", argv: ["merge", "/dev/zero"], expect: "/dev/zero: is a device" },
  { class: "input file", argv: ["run", aDir], expect: "is a directory; give a regular file" },
  { class: "input file", argv: ["run", "scenarios/default.json", "--from-proc", "/dev/zero"], expect: "--from-proc: cannot read /dev/zero/buddyinfo" },
  { class: "input file", argv: ["run", big("17-MiB.json", " ".repeat(17 * 2 ** 20))], expect: "larger than 16 MiB, the limit for a scenario file" },
  // 5. runs that would not end for hours: refused with the estimate (--force runs them anyway)
  { class: "work estimate", argv: ["run", c("churn-1e9.json")], expect: 'about 6.0e+10 events (most from churn "churn-movable" at 1.0e+9/s for 30s' },
  { class: "work estimate", argv: ["run", c("duration-1000h.json")], expect: "over 1000h of virtual time; runs are limited to 2.0e+8 events" },
  { class: "work estimate", argv: ["run", c("highorder-every-1ns.json")], expect: 'highorder "thp" every 1ns' },
  { class: "work estimate", argv: ["run", c("stuck-writer-with-churn.json")], expect: "add --force to run it anyway" },
  { class: "work estimate", argv: ["compare", c("churn-1e9.json")], expect: "add --force" },
  { class: "work estimate", argv: ["proc", c("churn-1e9.json")], expect: "add --force" },
  { class: "work estimate", argv: ["sweep", c("churn-1e9.json"), "--vary", "run.seed=1,2"], expect: "sweep run 0: about 6.0e+10 events" },
  // 6. sizes checked before the work that scales with them
  { class: "checked first", argv: ["run", c("workloads-97.json")], expect: "workloads: 97 entries are not allowed; at most 64 fio jobs and 32 churn or highorder workloads" },
  { class: "checked first", argv: ["run", big("workloads-40000.json", manyWorkloads)], expect: "workloads: 40000 entries are not allowed" },
  { class: "checked first", argv: ["run", c("job-sections-65.json")], expect: "65 job sections are not allowed; at most 64 fio jobs in all" },
  { class: "checked first", argv: ["run", big("job-sections-20000.json", manySections)], expect: "20000 job sections are not allowed" },
  { class: "checked first", argv: ["compare", c("servers-65.json")], expect: "servers: 65 servers are not allowed; at most 64" },
  { class: "checked first", argv: ["compare", big("servers-1000.json", manyServers)], expect: "1000 servers are not allowed" },
  { class: "checked first", argv: ["run", c("policies-50.json")], expect: "policies: 50 entries are not allowed" },
  { class: "checked first", argv: ["sweep", "scenarios/default.json", "--vary", `fuse.max_pages=${values(500)}`, "--vary", `fuse.max_background=${values(500)}`], expect: "--vary: 250000 combinations are not allowed; at most 100000" },
  // 7. no NaN: a table of zero-byte runs is refused
  { class: "no NaN", argv: ["fio-table", "--size", "0"], expect: '--size: "0" is not allowed; use at least 1M' },
  { class: "no NaN", argv: ["fio-table", "--size", "1k"], expect: '--size: "1k" is not allowed; use at least 1M' },
  // 8. unused policies are not validated
  { class: "policy not run", argv: ["run", c("all-dma32.json"), "--policy", "nocopy-wb-area"], expect: "fuse.wb_area: 0 is not allowed with policy nocopy-wb-area" },
];

const classes = new Set(cases.map((k) => k.class));

test(`${cases.length} hostile inputs in ${classes.size} classes: exit 2 and one line each`, async () => {
  for (const k of cases) {
    const r = await cli(k.argv);
    const what = `${k.class}: ${k.argv.join(" ").slice(0, 120)}`;
    assert.is(r.code, 2, `${what}: exit code (stderr: ${r.stderr.slice(0, 300)})`);
    const lines = r.stderr.trimEnd().split("\n");
    assert.is(lines.length, 1, `${what}: one line, got ${JSON.stringify(r.stderr.slice(0, 300))}`);
    assert.ok(lines[0]!.startsWith("fusewb: "), what);
    assert.not.match(r.stderr, /\n\s+at |RuntimeError|unreachable|WASM core aborted|internal error|NaN/, what);
    assert.ok(lines[0]!.includes(k.expect), `${what}:\n  ${lines[0]}\n  should contain: ${k.expect}`);
  }
});

test("an all-DMA32 machine runs: the policies it cannot have are refused only when asked for", async () => {
  const r = await cli(["run", c("all-dma32.json"), "--json", "--no-timing"]);
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { integrity: { pagesWritten: number; writesPersisted: number } };
  assert.is(report.integrity.pagesWritten, 16 * 256); // 16 MiB
  assert.is(report.integrity.writesPersisted, report.integrity.pagesWritten);
});

test("data mode on a 64 GiB machine: real requests, every byte persisted, no hang", async () => {
  const r = await cli(["run", c("data-mode-64g.json"), "--json", "--no-timing"]);
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { modelled: { requestsSent: number; synced: boolean; hangs: number }; integrity: { pagesWritten: number; writesPersisted: number; corrupt: number } };
  assert.ok(report.modelled.requestsSent > 0);
  assert.ok(report.modelled.synced);
  assert.is(report.modelled.hangs, 0);
  assert.is(report.integrity.pagesWritten, 32 * 256);
  assert.is(report.integrity.writesPersisted, 32 * 256, "byte-compared in data mode");
  assert.is(report.integrity.corrupt, 0);
});

test("the work bound: refused without --force, let through with it", () => {
  const config = resolveScenario({ machine: { memory: "64M" }, workloads: [{ type: "churn", kind: "movable", rate: 1e9, lifetime: "1ms" }], run: { duration: "30s" } });
  assert.throws(() => checkRunEstimate(config), /add --force/);
  const e = checkRunEstimate(config, { force: true });
  assert.ok(e.events > MAX_EVENTS); // 2 events an allocation, 1e9 a second, 30 s: 6e10
  assert.is(Math.round(e.events / 1e9), 60);
});

test("standard input is read up to the same limit", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "host/cli.ts", "run", "-"], { cwd: root, input: " ".repeat(17 * 2 ** 20), encoding: "utf8" });
  assert.is(r.status, 2, r.stderr);
  assert.is(r.stderr.trim(), "fusewb: stdin: larger than 16 MiB, the limit for a scenario file");
});

test("Ctrl-C ends a long run cleanly: a partial report marked interrupted, exit 130", async () => {
  // 60 s of churn at 1e6 allocations a second: a minute or more of wall time, stopped after its first output
  const child = spawn(process.execPath, ["--import", "tsx", "host/cli.ts", "run", "-", "--json", "--no-timing"], { cwd: root });
  child.stdin.end(JSON.stringify({ machine: { memory: "256M" }, workloads: [{ type: "churn", kind: "movable", rate: 1e6, lifetime: "10ms" }], run: { duration: "60s" } }));
  let stdout = "", stderr = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  try {
    // let it start running (the core compiled and booted), then interrupt
    await new Promise((resolve) => setTimeout(resolve, 4000));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.is(code, 130, stderr);
    const report = JSON.parse(stdout) as { interrupted?: boolean; modelled: { virtualNs: number } };
    assert.is(report.interrupted, true);
    assert.ok(report.modelled.virtualNs > 0 && report.modelled.virtualNs < 60e9, "stopped part of the way");
    assert.match(stderr, /fusewb: interrupted at [\d.]+ s of virtual time \(nocopy\); that report is partial/);
  } finally {
    child.kill("SIGKILL");
  }
});

test.run();
