// The host's side of the host/core contract, generated from the core's own declarations (run by `npm run build:wasm`
// after asc): nothing in host/ keeps a second table of indices, constants or exports by hand.
//
//   host/gen/contract.ts          config words, job and workload words, cost and stat indices, mechanism values,
//                                 run statuses, event types and array sizes: the `export const X: i32 = N` of the
//                                 core files listed below, as numbers, grouped by prefix
//   host/gen/kernel-constants.ts  every constant of assembly/mm/constants.ts
//   host/gen/core-exports.ts      the typed export surface of build/release.wasm and build/debug.wasm, from the
//                                 .d.ts asc writes with --bindings raw (bool is a number on the raw instance)
//
// The files are generated, not checked in (.gitignore); `npm ci` and `npm test` build them.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";

const root = new URL("../", import.meta.url);
const read = (path) => readFileSync(new URL(path, root), "utf8");

/** `export const NAME: u32 = expr;` (and `const EV_X: u32 = N;` where asked), evaluated in order. */
function constants(path, { all = false, only = "", scope: outer = new Map() } = {}) {
  const out = new Map();
  const re = all ? /^(?:export )?const (\w+): [iuf](?:8|16|32|64|size) = (.+);/ : /^export const (\w+): [iuf](?:8|16|32|64|size) = (.+);/;
  for (const line of read(path).split("\n")) {
    const m = re.exec(line);
    if (!m) continue;
    const [, name, text] = m;
    if (!name.startsWith(only)) continue;
    const expr = text.replace(/<[iu](?:8|16|32|64|size)>/g, "").replace(/_(?=\d)/g, "");
    const scope = { ...Object.fromEntries(outer), ...Object.fromEntries(out) };
    let value;
    try {
      value = Function(...Object.keys(scope), `"use strict"; return (${expr});`)(...Object.values(scope));
    } catch (e) {
      throw new Error(`gen-contract: ${path}: cannot evaluate ${name} = ${text}: ${e.message}`);
    }
    if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`gen-contract: ${path}: ${name} is not a number`);
    // u32 constants keep their unsigned value (0xffffffff, not -1)
    out.set(name, /: u32 =/.test(line) ? value >>> 0 : value);
  }
  return out;
}

const lines = [];
const emit = (s) => lines.push(s);
const json = (v) => JSON.stringify(v);
/** { SUFFIX: value } of the constants named prefix + suffix, in declaration order. */
function group(map, prefix, keep = () => true) {
  return Object.fromEntries([...map].filter(([k, v]) => k.startsWith(prefix) && keep(k, v)).map(([k, v]) => [k.slice(prefix.length), v]));
}
function object(name, obj, doc) {
  emit(`/** ${doc} */`);
  emit(`export const ${name} = {`);
  for (const [k, v] of Object.entries(obj)) emit(`  ${/^[A-Za-z_$][\w$]*$/.test(k) ? k : json(k)}: ${v},`);
  emit("} as const;");
}
function scalar(name, value, doc) {
  if (doc) emit(`/** ${doc} */`);
  emit(`export const ${name} = ${value};`);
}
/** Names in index order 0..n-1, or an error naming the gap. */
function names(path, obj, words, rename = (k) => k.toLowerCase()) {
  const arr = [];
  for (const [k, v] of Object.entries(obj)) {
    if (arr[v] !== undefined) throw new Error(`gen-contract: ${path}: ${k} reuses index ${v} (${arr[v]})`);
    arr[v] = rename(k);
  }
  for (let i = 0; i < arr.length; i++) if (arr[i] === undefined) throw new Error(`gen-contract: ${path}: no name for index ${i}`);
  if (words !== undefined && arr.length > words) throw new Error(`gen-contract: ${path}: ${arr.length} names for ${words} words`);
  return arr;
}

// ---- contract.ts ----------------------------------------------------------------------------------------------

const config = constants("assembly/sim/config.ts");
const stats = constants("assembly/fs/stats.ts");
const mech = constants("assembly/sim/mechanisms.ts");
const run = constants("assembly/sim/run.ts");
const bdi = constants("assembly/fs/bdi_stats.ts");
const slab = constants("assembly/mm/slab.ts");
const prng = constants("assembly/sim/prng.ts");
const kernel = constants("assembly/mm/constants.ts");
const census = constants("assembly/mm/census_layout.ts", { scope: kernel });
const rbtree = constants("assembly/fuse/rbtree.ts");
const rbcheck = constants("assembly/fuse/rbtree_check.ts");
const rbdebug = constants("assembly/fuse/rbtree_debug.ts");
const cpus = constants("assembly/sim/cpus.ts");
const events = new Map();
for (const f of ["fs/writer.ts", "fs/writeback.ts", "fs/wb_bandwidth.ts", "fuse/server.ts", "sim/run.ts", "sim/churn.ts", "sim/highorder.ts", "sim/events.ts"]) {
  let file;
  try { file = constants(`assembly/${f}`, { all: true, only: "EV_" }); } catch (e) { if (e.code === "ENOENT") continue; throw e; }
  for (const [k, v] of file) {
    if (!k.startsWith("EV_")) continue;
    const other = [...events].find(([, w]) => w === v);
    if (other && other[0] !== k) throw new Error(`gen-contract: assembly/${f}: ${k} reuses event type ${v} (${other[0]})`);
    events.set(k, v);
  }
}

// The report calls NR_FILE_DIRTY nr_dirty, as /proc/vmstat does; every other stat is its constant in lower case.
const statName = (k) => (k === "NR_FILE_DIRTY" ? "nr_dirty" : k.toLowerCase());
const statIndices = group(stats, "", (k) => k !== "STAT_WORDS");

emit("// Generated by scripts/gen-contract.mjs from the core's declarations (npm run build:wasm); do not edit.");
emit("");
object("CFG", group(config, "CFG_", (k) => k !== "CFG_WORDS"), "Scenario parameter words (assembly/sim/config.ts CFG_*): the host writes cfg_ptr()[i].");
scalar("CFG_WORDS", config.get("CFG_WORDS"));
object("JOB", group(config, "JOB_", (k) => k !== "JOB_WORDS"), "Words of one writer job (JOB_*), JOB_WORDS each from jobs_ptr().");
scalar("JOB_WORDS", config.get("JOB_WORDS"));
object("LAYOUT", group(config, "LAYOUT_"), "fio's file layout, the JOB_FALLOCATE word's values (assembly/sim/config.ts LAYOUT_*).");
scalar("MAX_JOBS", config.get("MAX_JOBS"));
// workload words are i32 indices, workload kinds u32 values (config.ts declares them so)
const wlSource = read("assembly/sim/config.ts");
const isKind = (k) => new RegExp(`export const ${k}: u32`).test(wlSource);
object("WL", group(config, "WL_", (k) => k !== "WL_WORDS" && !isKind(k)), "Words of one memory workload (WL_*), WL_WORDS each from workloads_ptr().");
object("WL_KIND", group(config, "WL_", (k) => isKind(k)), "Memory workload kinds (the WL_KIND word).");
scalar("WL_WORDS", config.get("WL_WORDS"));
scalar("MAX_WL", config.get("MAX_WL"));
emit("/** Cost model entries in core order (COST_*): host/sim/cost-model.ts maps cost/cost-model.json onto them. */");
scalar("COST_NAMES", `${json(names("assembly/sim/config.ts", group(config, "COST_", (k) => k !== "COST_WORDS"), config.get("COST_WORDS")))} as const`);
emit("/** The core's stat array (assembly/fs/stats.ts), by name, in index order. */");
scalar("STAT_NAMES", `${json(names("assembly/fs/stats.ts", statIndices, stats.get("STAT_WORDS"), statName))} as const`);
scalar("STAT_WORDS", stats.get("STAT_WORDS"));
object("MECHANISM", group(mech, ""), "Values of the mechanism words (assembly/sim/mechanisms.ts).");
object("DIST", group(prng, "DIST_"), "Server latency distributions (assembly/sim/prng.ts sample()).");
object("CENSUS", group(census, "CENSUS_"), "The census boot's buffer layout and result codes (assembly/mm/census_layout.ts).");
object("RB_COLOR", group(rbtree, "RB_"), "The rb-tree's node colors (assembly/fuse/rbtree.ts).");
object("RB_ERR", group(rbcheck, "RB_ERR_"), "rb_check()'s failures (assembly/fuse/rbtree_check.ts RB_ERR_*; RB_OK is 0).");
object("RB_FIELD", group(rbdebug, "RB_F_"), "rb_poke()/rb_peek() fields (assembly/fuse/rbtree_debug.ts).");
object("RUN_STATUS", group(run, "RUN_"), "sim_run()'s results (assembly/sim/run.ts RUN_*).");
object("CTX", group(cpus, "CTX_"), "The simulation's contexts (assembly/sim/cpus.ts CTX_*): who runs an event.");
scalar("SAMPLE_WORDS", run.get("SAMPLE_WORDS"), "Columns of one sample (samples_ptr()).");
scalar("INTEGRITY_WORDS", run.get("INTEGRITY_WORDS"), "Words integrity_check() fills (integrity_ptr()).");
scalar("BDI_STATS_WORDS", bdi.get("BDI_STATS_WORDS"), "Words bdi_stats_fill() fills.");
scalar("NR_SLAB_CACHES", slab.get("NR_SLAB_CACHES"), "Caches slab_stats_fill() reports, SLAB_CACHE_WORDS each.");
scalar("SLAB_CACHE_WORDS", slab.get("SLAB_CACHE_WORDS"));
object("EV", Object.fromEntries([...events].sort((a, b) => a[1] - b[1])), "Event types (the EV_ constants of the core's event sources).");
mkdirSync(new URL("host/gen/", root), { recursive: true });
writeFileSync(new URL("host/gen/contract.ts", root), lines.join("\n") + "\n");

// ---- kernel-constants.ts --------------------------------------------------------------------------------------

lines.length = 0;
emit("// Generated by scripts/gen-contract.mjs from assembly/mm/constants.ts (npm run build:wasm); do not edit.");
emit("");
for (const [k, v] of kernel) emit(`export const ${k} = ${v};`);
writeFileSync(new URL("host/gen/kernel-constants.ts", root), lines.join("\n") + "\n");

// ---- core-exports.ts ------------------------------------------------------------------------------------------

/** The members of asc's `declare namespace __AdaptedExports { ... }`, as interface members of the raw instance. */
function surface(dts) {
  const text = read(dts);
  const start = text.indexOf("declare namespace __AdaptedExports {");
  const end = text.indexOf("\n}\n", start);
  if (start < 0 || end < 0) throw new Error(`gen-contract: ${dts}: no __AdaptedExports namespace (asc --bindings raw)`);
  return text
    .slice(text.indexOf("\n", start) + 1, end)
    .replace(/export function /g, "")
    .replace(/export const /g, "readonly ")
    // the raw instance passes and returns bool as an i32
    .replace(/\bboolean\b/g, "number");
}
lines.length = 0;
emit("// Generated by scripts/gen-contract.mjs from the .d.ts asc writes beside build/release.wasm and build/debug.wasm");
emit("// (npm run build:wasm); do not edit. Every value is a number (bool: 0 or 1); pointers index `memory`.");
emit("");
emit("/** The release core's exports (assembly/index.ts). */");
emit("export interface CoreExports {");
emit(surface("build/release.d.ts"));
emit("}");
emit("");
const exportNames = (dts) => [...read(dts).matchAll(/^  export (?:function|const) (\w+)/gm)].map((m) => m[1]);
emit("/** Every name CoreExports has: instantiateCore() checks the instance exports them all. */");
emit(`export const CORE_EXPORT_NAMES = ${json(exportNames("build/release.d.ts"))} as const;`);
emit("");
emit("/** The debug core's exports: the release API and the test hooks (assembly/debug_index.ts). */");
emit("export interface DebugCoreExports {");
emit(surface("build/debug.d.ts"));
emit("}");
writeFileSync(new URL("host/gen/core-exports.ts", root), lines.join("\n") + "\n");
