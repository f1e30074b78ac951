// The release build exports the API and nothing for tests: the writeback harness, the rb-tree's pokes and the
// fault plants are in the debug build only (assembly/debug_index.ts), which exports everything release does.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { coreModuleSync } from "../host/core/load-node.js";

const names = (target: "release" | "debug"): string[] => WebAssembly.Module.exports(coreModuleSync(target)).map((e) => e.name);
const TEST_HOOK = /^(harness_|rbtree_|debug_|PLANT_)/;

test("release.wasm exports no test hook", () => {
  const hooks = names("release").filter((n) => TEST_HOOK.test(n));
  assert.equal(hooks, []);
});

test("debug.wasm exports the release API and the test hooks", () => {
  const debug = new Set(names("debug"));
  for (const n of names("release")) assert.ok(debug.has(n), n);
  for (const n of ["harness_do_write", "rbtree_poke", "debug_plant_fault", "debug_plant_integrity"]) assert.ok(debug.has(n), n);
});

test.run();
