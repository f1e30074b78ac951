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

test(`${inputs.length} malformed inputs: exit 2 and one line each`, async () => {
  assert.ok(inputs.length >= 50, `the corpus has ${inputs.length} inputs`);
  for (const { what, argv } of inputs) assertOneLineError(await cli(argv), what);
});

test("an option value that starts with a dash: the line says how to give it", async () => {
  const r = await cli(["run", "scenarios/default.json", "--seed", "-1"]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /--seed -1: a value that starts with "-" goes after "=": --seed=-1/);
});

test("--help lists every command", async () => {
  const r = await cli(["--help"]);
  assert.is(r.code, 0);
  for (const c of ["run", "compare", "fio-table", "replay", "proc", "sweep", "merge"]) assert.match(r.stdout, new RegExp(`^  ${c} `, "m"));
});

test.run();
