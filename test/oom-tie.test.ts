// The OOM killer's choice among tasks with equal badness (mm/oom_kill.c oom_evaluate_task(), 6.1.192 and 6.12.118:
// "if (points == LONG_MIN || points < oc->chosen_points) goto next;"): a task with as many points as the one chosen
// so far replaces it, so among equals the last in for_each_process() order goes (here: the server, the fio jobs,
// then the workloads in the scenario's order).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { Simulator } from "../host/sim/simulator.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { debugCore } from "../host/core/wasm.js";

function twoHogs(pages: [number, number]) {
  const config = resolveScenario({
    machine: { memory: "64M" },
    workloads: [
      { type: "fio", rw: "write", bs: "4k", size: "64k" },
      { type: "churn", name: "hog-a", kind: "movable", rate: 1, lifetime: "1h" },
      { type: "churn", name: "hog-b", kind: "movable", rate: 1, lifetime: "1h" },
    ],
  }, "oom-tie");
  const sim = new Simulator(config, coreModuleSync("debug"), undefined, "harness");
  const h = debugCore(sim.allocator.core);
  pages.forEach((n, i) => { for (let k = 0; k < n; k++) h.harness_churn_alloc(i); });
  return { sim, h };
}

test("equal rss: the workload met last is killed; one page more and the first is", () => {
  // oom_badness() = rss + page tables (rss / 512 here): 100 pages each, 100 points each. The server (no receive
  // buffer yet: 0 points) and the fio job (not inside a write: not a task) do not compete
  const tie = twoHogs([100, 100]);
  assert.ok(tie.h.harness_out_of_memory());
  assert.equal([tie.h.harness_churn_is_task(0), tie.h.harness_churn_is_task(1)].map(Boolean), [true, false]);
  assert.equal([tie.sim.stat("oom_kills"), tie.sim.stat("oom_kill_churn")], [1, 1]);
  const first = twoHogs([101, 100]);
  assert.ok(first.h.harness_out_of_memory());
  assert.equal([first.h.harness_churn_is_task(0), first.h.harness_churn_is_task(1)].map(Boolean), [false, true]);
});

test.run();
