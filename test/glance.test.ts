// The summary at a glance (host/cli/glance.ts): the bar's length, the verdicts' order and colours, and colour
// only on a terminal without NO_COLOR; `run` keeps its summary rows above it unless --brief.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { bar, formatGlance, useColour, verdicts } from "../host/cli/glance.js";
import { tinyScenario } from "./helpers/tiny-scenario.js";
import { cli } from "./helpers/cli.js";
import type { RunReport } from "../host/sim/report.js";

function fake(policy: string, mib: number, over: { corrupt?: number; silently?: number; lost?: number; hangs?: number; contigHangs?: number; oom?: number } = {}): RunReport {
  return {
    policy, server: "s",
    modelled: { throughputMiBps: mib, hangs: over.hangs ?? 0, oomKills: { total: over.oom ?? 0 } },
    highOrder: { contigHangs: over.contigHangs ?? 0, offline: { hangs: 0 } },
    integrity: { corrupt: over.corrupt ?? 0, writesLostSilently: over.silently ?? 0, writesLost: over.lost ?? 0 },
  } as unknown as RunReport;
}

test("the bar: eighths of a cell, the fastest run full width", () => {
  assert.is(bar(100, 100, 4), "████");
  // 50 of 100 over 4 cells is 2 cells; 1/16 of 4 cells is 2 eighths
  assert.is(bar(50, 100, 4), "██");
  assert.is(bar(100 / 16, 100, 4), "▎");
  assert.is(bar(0, 0, 4), "");
});

test("verdicts: what the report says went wrong, worst first; ok when nothing did", () => {
  assert.equal(verdicts(fake("nocopy", 1)), [{ level: "ok", text: "ok" }]);
  const v = verdicts(fake("legacy-copy", 1, { lost: 5, silently: 7, hangs: 2, contigHangs: 1, oom: 1 }));
  assert.equal(v.map((x) => x.level), ["bad", "bad", "bad", "warn", "warn"]);
  assert.equal(v.map((x) => x.text), ["lost silently 7 pages", "2 writers hang", "1 MIGRATE_SYNC wait never ends", "lost 5 pages to an abort (reported)", "1 OOM kill"]);
});

test("plain text unless asked for colour; colour only on a terminal and never with NO_COLOR", () => {
  const reports = [fake("legacy-copy", 50, { hangs: 1 }), fake("nocopy", 100)];
  const plain = formatGlance(reports, { colour: false, width: 8 });
  assert.not.match(plain, /\x1b/);
  assert.equal(plain.split("\n").slice(1, 3), ["legacy-copy     50  ████      1 writer hangs", "nocopy         100  ████████  ok"]);
  const coloured = formatGlance(reports, { colour: true, width: 8 });
  assert.match(coloured, /\x1b\[31m1 writer hangs\x1b\[0m/);
  assert.match(coloured, /\x1b\[32mok\x1b\[0m/);
  assert.is(useColour({ isTTY: true }, {}), true);
  assert.is(useColour({ isTTY: false }, {}), false);
  assert.is(useColour({ isTTY: true }, { NO_COLOR: "1" }), false);
  assert.is(useColour({ isTTY: true }, { NO_COLOR: "" }), true, "an empty NO_COLOR does not count (no-color.org)");
});

test("run prints its summary rows and the glance under them; --brief only the glance", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "fusewb-glance-")), "tiny.json");
  writeFileSync(path, JSON.stringify(tinyScenario(3)));
  const full = await cli(["run", path]);
  assert.is(full.code, 0);
  assert.match(full.stdout, /^modelled write throughput, MiB\/s /m);
  assert.match(full.stdout, /^legacy-copy +\d+ +█+.* ok\nnocopy +\d+ +█+.* ok\n$/m);
  assert.not.match(full.stdout, /\x1b/, "captured output is not a terminal");
  const brief = await cli(["run", path, "--brief"]);
  assert.not.match(brief.stdout, /modelled write throughput/);
  assert.is(brief.stdout.trimEnd().split("\n").length, 3);
});

test.run();
