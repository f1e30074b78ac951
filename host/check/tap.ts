// TAP version 14 (testanything.org/tap-version-14-specification.html) of a check: one subtest per scenario, a
// test point per run, check and snapshot, the numbers of a failure in its YAML block (two spaces deeper than
// the test point). Nothing in it depends on the machine or the clock, so a check gives the same text wherever
// it runs.
import type { Scalar } from "./report-path.js";
import type { TestPoint } from "./evaluate.js";

export interface ScenarioResult {
  source: string;
  points: TestPoint[];
  /** `# ...` lines inside the subtest (a snapshot written, runs a snapshot no longer matches). */
  comments: string[];
}

/** A description on one line, with `#` and `\` escaped as TAP 14 asks. */
function escapeDescription(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/\\/g, "\\\\").replace(/#/g, "\\#");
}

/** A YAML scalar: numbers and booleans bare, strings as JSON (a valid double-quoted YAML scalar). */
function yamlScalar(v: Scalar): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

function testPoint(n: number, p: TestPoint, indent: string): string[] {
  const lines = [`${indent}${p.ok ? "ok" : "not ok"} ${n} - ${escapeDescription(p.description)}`];
  if (!p.ok && p.details) {
    lines.push(`${indent}  ---`);
    for (const [k, v] of Object.entries(p.details)) lines.push(`${indent}  ${k}: ${yamlScalar(v)}`);
    lines.push(`${indent}  ...`);
  }
  return lines;
}

export const TAP_HEADER = "TAP version 14\n";

/** One scenario as a subtest and the parent's test point numbered `n`. */
export function tapSubtest(n: number, r: ScenarioResult): string {
  const inner = ["    1.." + r.points.length, ...r.comments.map((c) => `    # ${c.replace(/[\r\n]+/g, " ")}`)];
  r.points.forEach((p, i) => inner.push(...testPoint(i + 1, p, "    ")));
  const failed = r.points.filter((p) => !p.ok).length;
  const parent: TestPoint = failed === 0 ? { ok: true, description: r.source } : { ok: false, description: r.source, details: { failed, of: r.points.length } };
  return [`# Subtest: ${escapeDescription(r.source)}`, ...inner, ...testPoint(n, parent, "")].join("\n") + "\n";
}

/** The plan line and a summary comment, after the last subtest. */
export function tapTrailer(results: readonly ScenarioResult[]): string {
  const points = results.flatMap((r) => r.points);
  const failed = points.filter((p) => !p.ok).length;
  return `1..${results.length}\n# ${points.length} tests in ${results.length} scenarios: ${points.length - failed} passed, ${failed} failed\n`;
}

/** The whole TAP document at once (for --from, tests and the programmatic API). */
export function formatTap(results: readonly ScenarioResult[]): string {
  return TAP_HEADER + results.map((r, i) => tapSubtest(i + 1, r)).join("") + tapTrailer(results);
}
