// JUnit XML of a check, the form CI systems read (GitHub test reporters, GitLab, Jenkins): a <testsuite> per
// scenario, a <testcase> per test point, a <failure> with its one-line message and its numbers.
import type { ScenarioResult } from "./tap.js";

/** Text for an attribute or a text node: markup escaped, and the control characters XML 1.0 forbids dropped. */
function xml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function formatJunit(results: readonly ScenarioResult[]): string {
  const all = results.flatMap((r) => r.points);
  const failures = all.filter((p) => !p.ok).length;
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="fusewb check" tests="${all.length}" failures="${failures}" errors="0">`];
  for (const r of results) {
    const f = r.points.filter((p) => !p.ok).length;
    out.push(`  <testsuite name="${xml(r.source)}" tests="${r.points.length}" failures="${f}" errors="0" skipped="0">`);
    for (const p of r.points) {
      const head = `    <testcase classname="${xml(r.source)}" name="${xml(p.description)}"`;
      if (p.ok) {
        out.push(`${head}/>`);
        continue;
      }
      const body = Object.entries(p.details ?? {}).map(([k, v]) => `${k}: ${typeof v === "string" ? v : String(v)}`).join("\n");
      out.push(`${head}>`, `      <failure message="${xml(p.failure ?? p.description)}" type="fusewb.check">${xml(body)}</failure>`, `    </testcase>`);
    }
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`);
  return out.join("\n") + "\n";
}
