// `fusewb sweep --vary fuse.max_pages=32`: set one field of a scenario, before validation. The path is dotted
// (array elements by index: workloads.0.bs); the value is JSON if it parses as JSON (32, true, "x", {...}),
// else the text itself (1M, nocopy, 30s). Missing objects along the path are created.
import { InputError } from "../util/input-error.js";
import { jsonTooDeepAt, MAX_JSON_DEPTH } from "./json-text.js";

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Fields whose values are versions: `machine.kernel=6.10` means "6.10", which JSON would read as the number 6.1. */
const VERSION_FIELDS: ReadonlySet<string> = new Set(["machine.kernel", "machine.free_high"]);

/** A `path=value` override's value: JSON if it parses as JSON, else the text; a version field's number keeps its
 *  text. `what` names the option in the nesting error (--set, --vary). */
export function overrideValue(text: string, path: string, what = "override"): unknown {
  if (jsonTooDeepAt(text) >= 0) throw new InputError(`${what} value nested deeper than ${MAX_JSON_DEPTH} levels; a scenario needs 4`);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return text;
  }
  return typeof value === "number" && VERSION_FIELDS.has(path) ? text.trim() : value;
}

/** One `path=value`, applied to `root` in place. */
function applyOne(root: Json, override: string): void {
  const bad = (why: string): never => {
    throw new InputError(`override ${JSON.stringify(override)}: ${why}`);
  };
  const eq = override.indexOf("=");
  if (eq <= 0) bad("write <field.path>=<value>, e.g. fuse.max_pages=32");
  const segments = override.slice(0, eq).trim().split(".");
  const value = overrideValue(override.slice(eq + 1), segments.join("."));
  if (segments.some((s) => s === "")) bad("a field path has no empty parts; write e.g. server.faults.slow=20");
  const forbidden = segments.find((s) => s === "__proto__" || s === "constructor" || s === "prototype");
  if (forbidden) bad(`"${forbidden}" is not a scenario field`);
  let cur: unknown = root;
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    const here = segments.slice(0, k).join(".") || "the scenario";
    const last = k === segments.length - 1;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg) || Number(seg) >= cur.length)
        bad(cur.length === 0 ? `${here} is an empty list; there is no element ${seg} to set` : `${here} is a list of ${cur.length}; use an index from 0 to ${cur.length - 1} after it`);
      const index = Number(seg);
      if (last) cur[index] = value;
      else cur = cur[index];
    } else if (isObject(cur)) {
      if (last) cur[seg] = value;
      else {
        if (cur[seg] === undefined) cur[seg] = {};
        cur = cur[seg];
      }
    } else {
      bad(`${here} is ${JSON.stringify(cur)}, not an object, so it has no field "${seg}"`);
    }
  }
}

/** A scenario is a JSON object: anything else is refused, naming where it came from. */
export function requireScenarioObject(obj: unknown, source: string): asserts obj is Json {
  if (!isObject(obj))
    throw new InputError(`${source}: ${Array.isArray(obj) ? "a list" : JSON.stringify(obj)?.slice(0, 60)} is not a scenario; a scenario is a JSON object { "workloads": [...], ... }`);
}

/** A copy of `obj` (the scenario read from `source`) with each `path=value` override applied in order. */
export function applyOverrides(obj: unknown, overrides: readonly string[], source = "the scenario"): unknown {
  requireScenarioObject(obj, source);
  const root = structuredClone(obj);
  for (const o of overrides) applyOne(root, o);
  return root;
}
