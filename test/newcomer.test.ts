// What a newcomer following the README met (issue 13): sweep refused --no-timing that run takes, proc --help
// left out keys that proc --json prints, and the command that starts the CLI at once in a checkout.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { tinyScenario } from "./helpers/tiny-scenario.js";
import { cli } from "./helpers/cli.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const path = join(mkdtempSync(join(tmpdir(), "fusewb-newcomer-")), "tiny.json");
writeFileSync(path, JSON.stringify(tinyScenario(11)));

test("sweep takes --no-timing as run does (its lines never carry the wall-clock section)", async () => {
  const r = await cli(["sweep", path, "--vary", "fuse.max_pages=8,32", "--policy", "nocopy", "--no-timing", "--jobs", "1"]);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { report: Record<string, unknown> });
  assert.is(lines.length, 2);
  for (const l of lines) assert.not.ok("emulator" in l.report);
});

test("proc --help lists every key proc --json prints, in order", async () => {
  const help = await cli(["proc", "--help"]);
  const listed = /--json {2}print \{ ([^}]*) \}/.exec(help.stdout)?.[1]?.split(", ");
  assert.ok(listed, help.stdout);
  const json = await cli(["proc", path, "--json"]);
  assert.is(json.code, 0, json.stderr);
  assert.equal(Object.keys(JSON.parse(json.stdout) as object), listed);
});

test("npm run fusewb -- <command> runs the CLI from the sources in the checkout", () => {
  const r = spawnSync("npm", ["run", "--silent", "fusewb", "--", "--help"], { cwd: root, encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^usage: fusewb <command> \[options\]$/m);
  assert.match(r.stdout, /^ {2}check /m);
});

test.run();
