// A run on a configuration no released kernel has says so in the text output too, not only in --json's `whatIf`:
// under the run summary and under compare's decision table.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cli } from "./helpers/cli.js";

const base = ["scenarios/bad-server.json", "--policy", "nocopy", "--server", "healthy", "--set", "run.duration=1s"];

test("compare: machine.free_high=6.15 on a 6.16 run is named under the decision table", async () => {
  const r = await cli(["compare", ...base, "--set", "machine.free_high=6.15"]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /what-if \(nocopy\): the per-cpu lists' free_high threshold of 6\.15 \(machine\.free_high\) on 6\.16/);
  const plain = await cli(["compare", ...base]);
  assert.is(plain.code, 0, plain.stderr);
  assert.not.match(plain.stdout, /what-if/, "the run's own kernel's rule is no what-if");
});

test.run();
