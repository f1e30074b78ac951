// The host/core contract is generated from the core's declarations (scripts/gen-contract.mjs, run by `npm run
// build:wasm`). These read the compiled core's own exported values at run time and compare them with what the
// generator took from the sources, so a generator that misread a declaration fails here.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { coreModuleSync } from "../host/core/load-node.js";
import { instantiateCore } from "../host/core/wasm.js";
import { SAMPLE_WORDS, INTEGRITY_WORDS, BDI_STATS_WORDS, SLAB_CACHE_WORDS, NR_SLAB_CACHES, CFG, CFG_WORDS, STAT_NAMES, STAT_WORDS } from "../host/gen/contract.js";
import { SAMPLE_COLUMNS, BDI_STAT_NAMES, SLAB_CACHE_NAMES, SLAB_CACHE_FIELDS } from "../host/sim/layout.js";
import { EVENT_NAMES } from "../host/sim/events.js";

const core = instantiateCore(coreModuleSync("release"));

test("the sizes the generator read are the compiled core's exported values", () => {
  assert.is(core.SAMPLE_WORDS.value, SAMPLE_WORDS);
  assert.is(core.INTEGRITY_WORDS.value, INTEGRITY_WORDS);
  assert.is(core.BDI_STATS_WORDS.value, BDI_STATS_WORDS);
  assert.is(core.SLAB_CACHE_WORDS.value, SLAB_CACHE_WORDS);
  assert.is(core.NR_SLAB_CACHES.value, NR_SLAB_CACHES);
  // the host's names of what the core fills in order: as many as the core fills (the compiler checks this too)
  assert.is(SAMPLE_COLUMNS.length, SAMPLE_WORDS);
  assert.is(BDI_STAT_NAMES.length, BDI_STATS_WORDS);
  assert.is(SLAB_CACHE_NAMES.length, NR_SLAB_CACHES);
  assert.is(SLAB_CACHE_FIELDS.length, SLAB_CACHE_WORDS);
});

test("every config word and stat has its own index inside its array", () => {
  const cfg = Object.values(CFG);
  assert.is(new Set(cfg).size, cfg.length, "no config word is used twice");
  assert.ok(Math.max(...cfg) < CFG_WORDS);
  assert.is(new Set(STAT_NAMES).size, STAT_NAMES.length);
  assert.ok(STAT_NAMES.length <= STAT_WORDS);
  // /proc/vmstat's name for NR_FILE_DIRTY
  assert.is(STAT_NAMES[0], "nr_dirty");
});

test("every event type the core declares has a name", () => {
  for (const e of Object.values(EVENT_NAMES)) assert.ok(e.name.length > 0);
});

test.run();
