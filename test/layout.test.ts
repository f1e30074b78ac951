// The host writes the core's parameter arrays and reads its stat array by index; the indices are declared
// on both sides (assembly/sim/config.ts, assembly/fs/stats.ts and host/sim/layout.ts). This keeps them equal.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { CFG, CFG_WORDS, JOB, JOB_WORDS, COST_NAMES, STAT_NAMES, STAT_WORDS, WRITEBACK_MODE_INDEX, MIGRATE_INDEX, SPLICE_INDEX, WL_WORDS, MAX_WL, MAX_JOBS, BDI_STAT_NAMES } from "../host/sim/layout.js";
import { EVENT_NAMES } from "../host/sim/events.js";

function constants(file: string): Map<string, number> {
  const src = readFileSync(new URL(`../assembly/${file}`, import.meta.url), "utf8");
  const out = new Map<string, number>();
  for (const m of src.matchAll(/export const (\w+): [iu]32 = (\d+);/g)) out.set(m[1]!, Number(m[2]));
  return out;
}
const config = constants("sim/config.ts");
const stats = constants("fs/stats.ts");

test("scenario parameters: every CFG_ index and the array size", () => {
  for (const [k, v] of Object.entries(CFG)) assert.is(config.get(`CFG_${k}`), v, `CFG_${k}`);
  assert.is(config.get("CFG_WORDS"), CFG_WORDS);
});

test("writer jobs and memory workloads", () => {
  for (const [k, v] of Object.entries(JOB)) assert.is(config.get(`JOB_${k}`), v, `JOB_${k}`);
  assert.is(config.get("JOB_WORDS"), JOB_WORDS);
  assert.is(config.get("MAX_JOBS"), MAX_JOBS);
  assert.is(config.get("WL_WORDS"), WL_WORDS);
  assert.is(config.get("MAX_WL"), MAX_WL);
});

test("the cost model: one COST_ index per name, in order", () => {
  COST_NAMES.forEach((name, i) => assert.is(config.get(`COST_${name.toUpperCase()}`), i, name));
  assert.is(config.get("COST_WORDS"), COST_NAMES.length);
});

// The report calls NR_FILE_DIRTY nr_dirty, as /proc/vmstat does.
const statAlias: Record<string, string> = { nr_dirty: "NR_FILE_DIRTY" };

test("the stat array: one index per name, in order", () => {
  STAT_NAMES.forEach((name, i) => assert.is(stats.get(statAlias[name] ?? name.toUpperCase()), i, name));
  assert.is(stats.get("STAT_WORDS"), STAT_WORDS);
});

test("the bdi stats: as many names as the core fills", () => {
  assert.is(constants("fs/bdi_stats.ts").get("BDI_STATS_WORDS"), BDI_STAT_NAMES.length);
});

test("policy mechanisms: host names and core numbers agree", () => {
  const mech = constants("sim/mechanisms.ts");
  assert.is(mech.get("WRITEBACK_TEMP_COPY"), WRITEBACK_MODE_INDEX.copy);
  assert.is(mech.get("WRITEBACK_COPY_FREE"), WRITEBACK_MODE_INDEX["copy-free"]);
  assert.is(mech.get("MIGRATE_WB_KERNEL"), MIGRATE_INDEX.kernel);
  assert.is(mech.get("MIGRATE_WB_SKIP"), MIGRATE_INDEX.skip);
  assert.is(mech.get("MIGRATE_WB_CANCEL"), MIGRATE_INDEX["cancel-if-not-spliced"]);
  assert.is(mech.get("SPLICE_UNPRIV_ALLOW"), SPLICE_INDEX.allow);
  assert.is(mech.get("SPLICE_UNPRIV_COPY"), SPLICE_INDEX.copy);
});

test("event types: every EV_ constant of the core has a name in host/sim/events.ts, and no other", () => {
  const core = new Map<number, string>();
  for (const file of ["fs/writer.ts", "fs/writeback.ts", "fs/wb_bandwidth.ts", "fuse/server.ts", "sim/run.ts", "sim/churn.ts", "sim/highorder.ts"]) {
    const src = readFileSync(new URL(`../assembly/${file}`, import.meta.url), "utf8");
    for (const m of src.matchAll(/const (EV_\w+): u32 = (\d+);/g)) {
      assert.not.ok(core.has(Number(m[2])), `${m[1]} reuses ${m[2]}`);
      core.set(Number(m[2]), m[1]!);
    }
  }
  assert.equal([...core.keys()].sort((a, b) => a - b), Object.keys(EVENT_NAMES).map(Number).sort((a, b) => a - b));
});

test.run();
