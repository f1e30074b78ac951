// `fusewb merge`: shard outputs (JSON lines from `fusewb sweep --shard i/n`) → one JSON-lines stream sorted
// by index. Lines are copied as they are, so merged shards equal the unsharded run byte for byte. A run
// listed twice, or missing (every line carries the sweep's size, `of`), is a one-line error.
import { InputError } from "../util/input-error.js";
import { jsonTooDeepAt, MAX_JSON_DEPTH } from "../scenario/json-text.js";
import type { SweepLine } from "./run-job.js";
import { MAX_COMBINATIONS } from "./vary.js";
import { POLICIES } from "../scenario/sim-config.js";

/** The most runs one sweep can make: its combinations, each under every policy. */
const MAX_SWEEP_RUNS = MAX_COMBINATIONS * POLICIES.length;

export interface ShardText {
  source: string;
  text: string;
}

export interface Merged {
  /** The lines as written, sorted by index. */
  lines: string[];
  parsed: SweepLine[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function mergeShards(shards: readonly ShardText[]): Merged {
  const found = new Map<number, { raw: string; line: SweepLine; where: string }>();
  let of: number | undefined, ofWhere = "";
  for (const { source, text } of shards) {
    text.split("\n").forEach((rawLine, i) => {
      const raw = rawLine.replace(/\r$/, "");
      if (raw.trim() === "") return;
      const where = `${source}:${i + 1}`;
      let v: unknown;
      if (jsonTooDeepAt(raw) >= 0) throw new InputError(`${where}: nested deeper than ${MAX_JSON_DEPTH} levels; not a line fusewb sweep prints`);
      try {
        v = JSON.parse(raw);
      } catch {
        throw new InputError(`${where}: not JSON; merge takes the JSON lines that fusewb sweep prints`);
      }
      if (!isRecord(v) || !Number.isSafeInteger(v.index) || !Number.isSafeInteger(v.of) || !isRecord(v.vary) || typeof v.policy !== "string" ||
          (v.report === undefined && typeof v.error !== "string"))
        throw new InputError(`${where}: not a sweep line; each line is { "index", "of", "vary", "policy", "report" } from fusewb sweep`);
      // the report is read as a run's report (integrity, modelled): a line whose report lacks them was not printed by sweep
      if (v.report !== undefined && !(isRecord(v.report) && isRecord(v.report.integrity) && isRecord(v.report.modelled)))
        throw new InputError(`${where}: its "report" is not a run's report (no integrity or modelled section); merge takes the lines fusewb sweep prints`);
      const line = v as unknown as SweepLine;
      if (line.of < 1 || line.of > MAX_SWEEP_RUNS)
        throw new InputError(`${where}: a sweep of ${line.of} runs is not allowed; a sweep makes 1 to ${MAX_SWEEP_RUNS} runs (${MAX_COMBINATIONS} combinations of ${POLICIES.length} policies)`);
      if (line.index < 0 || line.index >= line.of) throw new InputError(`${where}: index ${line.index} is not allowed; the sweep has runs 0..${line.of - 1}`);
      if (of === undefined) { of = line.of; ofWhere = where; }
      else if (line.of !== of) throw new InputError(`${where}: a sweep of ${line.of} runs, but ${ofWhere} is from a sweep of ${of}; merge shards of one sweep`);
      const dup = found.get(line.index);
      if (dup) throw new InputError(`${where}: run ${line.index} is also at ${dup.where}; give each shard's output once`);
      found.set(line.index, { raw, line, where });
    });
  }
  if (of === undefined) throw new InputError("merge: no sweep lines in the input");
  const missing: number[] = [];
  for (let k = 0; k < of; k++) if (!found.has(k)) missing.push(k);
  if (missing.length > 0) {
    const list = missing.slice(0, 8).join(", ") + (missing.length > 8 ? `, ... (${missing.length} in all)` : "");
    throw new InputError(`merge: run${missing.length > 1 ? "s" : ""} ${list} of 0..${of - 1} ${missing.length > 1 ? "are" : "is"} missing; merge the output of every shard`);
  }
  const sorted = [...found.entries()].sort(([a], [b]) => a - b).map(([, e]) => e);
  return { lines: sorted.map((e) => e.raw), parsed: sorted.map((e) => e.line) };
}
