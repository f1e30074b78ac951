// The shipped suite: `fusewb check scenarios/`, as CI would run it, in its own process. A change to the model
// that breaks one of the README's claims encoded in scenarios/*.json `expect` fails here with the scenario,
// the expectation, the value and the miss.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

test("fusewb check scenarios/ passes", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "host/cli.ts", "check", "scenarios/"], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.is(r.status, 0, `exit ${r.status}\n${r.stderr}`);
  const scenarios = readdirSync(new URL("../scenarios/", import.meta.url)).filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json") && !f.endsWith(".snapshot.json"));
  // one subtest per scenario, each passing, and checks beyond the runs themselves
  assert.is([...r.stdout.matchAll(/^ok \d+ - scenarios\/.*\.json$/gm)].length, scenarios.length, r.stdout);
  assert.ok([...r.stdout.matchAll(/^ {4}ok \d+ - (?!.* runs clean: )/gm)].length >= 50, "the scenarios carry their expectations");
  assert.not.match(r.stdout, /not ok/);
});

test.run();
