// Snapshots of key metrics (`fusewb check --update`): a small JSON file beside the scenario, one entry per run
// with the fields of its report, that later checks compare with. The same scenario and seed give the same
// numbers, so the default tolerance is 0: any move is flagged, and a change meant to move them is followed by
// --update and a diff of the file in review.
import { InputError } from "../util/input-error.js";
import { readInputFile, writeOutputFile } from "../util/files.js";
import { parseJsonText } from "../scenario/resolve.js";
import type { Tolerance } from "../scenario/expect-schema.js";
import { resolveReportPath, type Scalar } from "./report-path.js";
import { formatNumber, type RunOutcome, type TestPoint } from "./evaluate.js";
import type { ScenarioPlan } from "./plan.js";

/** The decision table's metrics (host/sim/decision-table.ts) as report fields, and what a run lost or left. */
export const DEFAULT_SNAPSHOT_PATHS = [
  "modelled.throughputMiBps",
  "modelled.bytesCopiedWriteback",
  "modelled.peakTempPages",
  "modelled.peakNrWriteback",
  "modelled.peakNrDirty",
  "pageblocks.Unmovable",
  "mixedBlocks",
  "highOrder.thpSuccessPct",
  "highOrder.contigSuccessPct",
  "highOrder.migrateFailures.compaction",
  "highOrder.migrateFailures.contigRange",
  "highOrder.isolateFailures.writeback",
  "highOrder.isolateFailures.notLru",
  "modelled.longestWritebackHoldNs",
  "integrity.writesLost",
  "integrity.writesLostSilently",
  "integrity.pending",
  "modelled.hangs",
  "highOrder.contigHangs",
  "modelled.oomKills.total",
] as const;

export interface SnapshotFile {
  scenario: string;
  note: string;
  /** Run label → report field → value. */
  runs: Record<string, Record<string, Scalar>>;
}

const NOTE = "written by fusewb check --update; fusewb check compares the runs with it (tolerances: the scenario's expect.snapshot)";

function pathsOf(plan: ScenarioPlan): readonly string[] {
  return plan.expect?.snapshot?.paths ?? DEFAULT_SNAPSHOT_PATHS;
}

/** A field the snapshot keeps, in one run's report; a path that leads to no value is the scenario's mistake. */
function snapshotValue(plan: ScenarioPlan, report: unknown, path: string): Scalar {
  const r = resolveReportPath(report, path);
  if (!r.ok) throw new InputError(`${plan.source}: expect.snapshot.paths: ${r.problem}`);
  return r.value;
}

/** Each field the snapshot keeps must lead to a value of a report: checked on every check, not only --update. */
export function checkSnapshotPaths(plan: ScenarioPlan, outcomes: ReadonlyMap<string, RunOutcome>): void {
  const report = plan.runs.map((run) => outcomes.get(run.key)?.report).find((r) => r !== undefined);
  if (report) for (const path of pathsOf(plan)) snapshotValue(plan, report, path);
}

/** The snapshot of the runs that finished. */
export function takeSnapshot(plan: ScenarioPlan, outcomes: ReadonlyMap<string, RunOutcome>): SnapshotFile {
  const runs: SnapshotFile["runs"] = {};
  for (const run of plan.runs) {
    const report = outcomes.get(run.key)?.report;
    if (!report) continue;
    const metrics: Record<string, Scalar> = {};
    for (const path of pathsOf(plan)) metrics[path] = snapshotValue(plan, report, path);
    runs[run.label] = metrics;
  }
  return { scenario: plan.name, note: NOTE, runs };
}

export function writeSnapshot(plan: ScenarioPlan, snapshot: SnapshotFile): void {
  writeOutputFile("--update", plan.snapshotPath, JSON.stringify(snapshot, null, 2) + "\n");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A snapshot file as written by --update; anything else is one line. */
export function readSnapshot(path: string): SnapshotFile {
  const v = parseJsonText(readInputFile(path, "scenario"), path);
  const bad = (why: string): never => {
    throw new InputError(`${path}: ${why}; it is the file fusewb check --update writes (delete it and run --update to write it again)`);
  };
  if (!isRecord(v) || !isRecord(v.runs)) return bad("no \"runs\" object");
  for (const [label, metrics] of Object.entries(v.runs)) {
    if (!isRecord(metrics)) return bad(`runs.${JSON.stringify(label)} is not an object of report fields`);
    for (const [p, x] of Object.entries(metrics))
      if (typeof x !== "number" && typeof x !== "boolean" && typeof x !== "string") return bad(`runs.${JSON.stringify(label)}.${p} is not a number`);
  }
  return { scenario: typeof v.scenario === "string" ? v.scenario : "", note: NOTE, runs: v.runs as SnapshotFile["runs"] };
}

function toleranceFor(plan: ScenarioPlan, path: string): Tolerance | undefined {
  return plan.expect?.snapshot?.tolerances?.[path] ?? plan.expect?.snapshot?.tolerance;
}

const TOLERANCE_TEXT = (t: Tolerance | undefined): string => (!t ? "0" : "abs" in t ? formatNumber(t.abs) : `${formatNumber(t.pct)} %`);

/** One test point per run: every metric within its tolerance of the snapshot. */
export function compareSnapshot(plan: ScenarioPlan, saved: SnapshotFile, outcomes: ReadonlyMap<string, RunOutcome>): TestPoint[] {
  const now = takeSnapshot(plan, outcomes);
  const file = plan.snapshotPath;
  return plan.runs.flatMap((run): TestPoint[] => {
    const current = now.runs[run.label];
    if (!current) return []; // the run failed: its own test point says so
    const before = saved.runs[run.label];
    const description = `snapshot [${run.label}]: ${Object.keys(current).length} metrics as in ${file}`;
    if (!before) {
      const problem = `${file} has no entry for this run; run fusewb check --update ${plan.source} to add it`;
      return [{ ok: false, description, failure: `${plan.source} snapshot [${run.label}]: ${problem}`, details: { scenario: plan.source, run: run.label, problem } }];
    }
    const moved: string[] = [];
    const details: Record<string, Scalar> = { scenario: plan.source, run: run.label, snapshot: file };
    for (const [path, value] of Object.entries(current)) {
      const old = before[path];
      const t = toleranceFor(plan, path);
      if (old === undefined) {
        moved.push(`${path} is new (${JSON.stringify(value)}), not in the snapshot`);
        continue;
      }
      if (typeof value === "number" && typeof old === "number") {
        const slack = !t ? 0 : "abs" in t ? t.abs : (Math.abs(old) * t.pct) / 100;
        const delta = value - old;
        if (Math.abs(delta) <= slack) continue;
        const pct = old !== 0 ? ` (${delta > 0 ? "+" : ""}${formatNumber((100 * delta) / Math.abs(old))} %)` : "";
        moved.push(`${path} moved ${formatNumber(old)} -> ${formatNumber(value)}, by ${delta > 0 ? "+" : ""}${formatNumber(delta)}${pct}, tolerance ${TOLERANCE_TEXT(t)}`);
      } else if (value !== old) {
        moved.push(`${path} changed ${JSON.stringify(old)} -> ${JSON.stringify(value)}`);
      }
    }
    for (const path of Object.keys(before)) if (!(path in current)) moved.push(`${path} is no longer kept (expect.snapshot.paths)`);
    if (moved.length === 0) return [{ ok: true, description }];
    moved.forEach((m, i) => { details[`moved_${i + 1}`] = m; });
    return [{ ok: false, description, details, failure: `${plan.source} snapshot [${run.label}]: ${moved.join("; ")}` }];
  });
}

/** Labels in the snapshot that the check no longer runs (said as a comment, not a failure). */
export function obsoleteRuns(plan: ScenarioPlan, saved: SnapshotFile): string[] {
  const planned = new Set(plan.runs.map((r) => r.label));
  return Object.keys(saved.runs).filter((l) => !planned.has(l));
}
