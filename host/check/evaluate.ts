// Evaluating a scenario's checks on the reports of its runs: each check on each run is one test point that says
// the value, what was expected and, when it failed, by how much it missed.
import { InputError } from "../util/input-error.js";
import type { RunReport } from "../sim/report.js";
import type { Tolerance } from "../scenario/expect-schema.js";
import { resolveReportPath, type Scalar } from "./report-path.js";
import type { BoundCheck, BoundOperand, ScenarioPlan } from "./plan.js";

/** What one run gave: its report, or why it has none (an invariant broke, the core trapped). */
export interface RunOutcome {
  report?: RunReport;
  error?: string;
}

/** One TAP test point / JUnit test case. */
export interface TestPoint {
  ok: boolean;
  description: string;
  /** The failure in one line (stderr, JUnit's message). */
  failure?: string;
  /** Key: value lines of the TAP YAML block and the JUnit body. */
  details?: Record<string, Scalar>;
}

/** A number as a person reads it: integers whole, others to 6 significant digits. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(6)));
}

const show = (v: Scalar): string => (typeof v === "number" ? formatNumber(v) : JSON.stringify(v));

function toleranceOf(t: Tolerance | undefined, bound: number): number {
  if (!t) return 0;
  return "abs" in t ? t.abs : (Math.abs(bound) * t.pct) / 100;
}

function toleranceText(t: Tolerance | undefined): string {
  if (!t) return "";
  return ` (tolerance ${"abs" in t ? formatNumber(t.abs) : `${formatNumber(t.pct)} %`})`;
}

/** Reads a field of a run's report; a path the report does not have is the scenario's mistake (exit 2). */
function field(plan: ScenarioPlan, where: string, report: RunReport, path: string): Scalar {
  const r = resolveReportPath(report, path);
  if (!r.ok) throw new InputError(`${plan.source}: ${where}: ${r.problem}`);
  return r.value;
}

interface Bound {
  value: Scalar;
  /** How it was found: `legacy-copy/stuck highOrder.thpSuccessPct` (absent for a literal). */
  from?: string;
}

function operandValue(plan: ScenarioPlan, where: string, o: BoundOperand, outcomes: ReadonlyMap<string, RunOutcome>, labels: ReadonlyMap<string, string>): Bound | { error: string } {
  if (o.kind === "literal") return { value: o.value };
  const out = outcomes.get(o.run);
  const label = labels.get(o.run) ?? o.run;
  if (!out?.report) return { error: `the run compared with, ${label}, failed: ${out?.error ?? "no report"}` };
  const v = field(plan, where, out.report, o.path);
  const from = `${label} ${o.path}${o.times !== 1 ? ` x ${formatNumber(o.times)}` : ""}${o.plus !== 0 ? ` ${o.plus < 0 ? "-" : "+"} ${formatNumber(Math.abs(o.plus))}` : ""}`;
  if (o.times === 1 && o.plus === 0) return { value: v, from };
  if (typeof v !== "number") throw new InputError(`${plan.source}: ${where}: ${o.path} of ${label} is ${show(v)}; times and plus need a number`);
  return { value: v * o.times + o.plus, from };
}

/** Passes or not, and by how much it missed (how far past the bound, tolerance included). */
function compare(check: BoundCheck, v: Scalar, bounds: Bound[]): { ok: boolean; missedBy?: number; expected: string } {
  const t = check.tolerance;
  const b0 = bounds[0]!;
  const said = (b: Bound): string => `${show(b.value)}${b.from ? ` (${b.from})` : ""}`;
  if (check.op === "==" || check.op === "!=") {
    const eq = check.op === "==";
    const expected = `${check.op} ${said(b0)}${toleranceText(t)}`;
    if (typeof v !== "number" || typeof b0.value !== "number") return { ok: (v === b0.value) === eq, expected };
    const slack = toleranceOf(t, b0.value), diff = Math.abs(v - b0.value);
    return eq ? { ok: diff <= slack, missedBy: diff - slack, expected } : { ok: diff > slack, missedBy: slack - diff, expected };
  }
  const nums = bounds.map((b) => b.value);
  if (typeof v !== "number" || nums.some((n) => typeof n !== "number"))
    throw new InputError(`${check.where}: ${check.op} compares numbers; ${check.path} is ${show(v)}${nums.some((n) => typeof n !== "number") ? `, the bound ${nums.map(show).join(", ")}` : ""}`);
  const n = nums as number[];
  if (check.op === "in") {
    const lo = n[0]! - toleranceOf(t, n[0]!), hi = n[1]! + toleranceOf(t, n[1]!);
    const expected = `in [${said(bounds[0]!)}, ${said(bounds[1]!)}]${toleranceText(t)}`;
    return { ok: v >= lo && v <= hi, missedBy: v < lo ? lo - v : v - hi, expected };
  }
  const slack = toleranceOf(t, n[0]!);
  const expected = `${check.op} ${said(b0)}${toleranceText(t)}`;
  switch (check.op) {
    case ">=": return { ok: v >= n[0]! - slack, missedBy: n[0]! - slack - v, expected };
    case ">": return { ok: v > n[0]! - slack, missedBy: n[0]! - slack - v, expected };
    case "<=": return { ok: v <= n[0]! + slack, missedBy: v - (n[0]! + slack), expected };
    case "<": return { ok: v < n[0]! + slack, missedBy: v - (n[0]! + slack), expected };
  }
}

/** The test points of a scenario's checks, one per check and run, in the order of the file. */
export function evaluateChecks(plan: ScenarioPlan, outcomes: ReadonlyMap<string, RunOutcome>): TestPoint[] {
  const labels = new Map(plan.runs.map((r) => [r.key, r.label]));
  return plan.checks.map((check): TestPoint => {
    const label = labels.get(check.run) ?? check.run;
    const description = `${check.name} [${label}]`;
    const base = { scenario: plan.source, expectation: check.where, run: label, path: check.path };
    const out = outcomes.get(check.run);
    if (!out?.report) {
      const problem = `the run failed: ${out?.error ?? "no report"}`;
      return { ok: false, description, failure: `${plan.source} ${check.where} [${label}]: ${problem}`, details: { ...base, problem } };
    }
    const bounds: Bound[] = [];
    for (const o of check.operands) {
      const b = operandValue(plan, `${check.where}`, o, outcomes, labels);
      if ("error" in b) return { ok: false, description, failure: `${plan.source} ${check.where} [${label}]: ${b.error}`, details: { ...base, problem: b.error } };
      bounds.push(b);
    }
    const value = field(plan, `${check.where}.path`, out.report, check.path);
    let r: ReturnType<typeof compare>;
    try {
      r = compare(check, value, bounds);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`${plan.source}: ${e.message}`);
      throw e;
    }
    const details: Record<string, Scalar> = { ...base, value, expected: r.expected };
    if (r.ok) return { ok: true, description, details };
    const missed = r.missedBy === undefined ? "" : `, missed by ${formatNumber(r.missedBy)}${r.missedBy === 0 ? ` (${check.op} is strict)` : ""}`;
    if (r.missedBy !== undefined) details.missed_by = Number(formatNumber(r.missedBy));
    return { ok: false, description, details, failure: `${plan.source} ${check.where} "${check.name}" [${label}]: ${check.path} is ${show(value)}, expected ${r.expected}${missed}` };
  });
}

/** The runs themselves: each must finish with no invariant broken and no corrupt page (what `run` exits 1 for). */
export function runPoints(plan: ScenarioPlan, outcomes: ReadonlyMap<string, RunOutcome>): TestPoint[] {
  return plan.runs.map((run): TestPoint => {
    const out = outcomes.get(run.key);
    const description = `${run.label} runs clean: no invariant broken, no corrupt page`;
    const problem = !out?.report ? (out?.error ?? "no report") : out.report.integrity.corrupt > 0 ? `${out.report.integrity.corrupt} pages on the server hold what no error explains` : undefined;
    if (problem === undefined) return { ok: true, description };
    return { ok: false, description, failure: `${plan.source} [${run.label}]: ${problem}`, details: { scenario: plan.source, run: run.label, problem } };
  });
}
