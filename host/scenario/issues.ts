// zod issues as one line a user can act on: `<field.path>: <value> is not allowed; <what is allowed>`.
// zod's own messages ("Invalid input: expected number, received string") name neither the field nor the fix,
// so each issue code is worded here from the issue's data.
import type { z } from "zod";
import { show } from "./units.js";

type Issue = z.core.$ZodIssue;

/** `workloads.0.bs`; keys that are not plain words are quoted: `servers."my server".threads`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === "number" || (typeof p === "string" && /^[A-Za-z_$][\w$-]*$/.test(p)) ? String(p) : JSON.stringify(String(p))))
    .join(".");
}

/** Edits (insert, delete, substitute, swap two neighbours) from a to b: optimal string alignment. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/** ` did you mean "memory"?` when one allowed word is a small edit away, else "". */
export function didYouMean(word: string, allowed: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const a of allowed) {
    const d = editDistance(word.toLowerCase(), a.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [a, d];
  }
  return best === undefined ? "" : ` did you mean "${best}"?`;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "an array",
  object: "an object",
  record: "an object",
};

function isPrefix(prefix: readonly PropertyKey[], path: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => p === path[i]);
}

/** The issue to report. The first one, except that an unknown key in the same object comes first: a
 *  misspelt key is usually why a required one is "missing". */
export function pickIssue(issues: readonly Issue[]): Issue | undefined {
  const first = issues[0];
  if (!first) return undefined;
  return issues.find((i) => i.code === "unrecognized_keys" && isPrefix(i.path, first.path)) ?? first;
}

function bound(n: number | bigint): string {
  return typeof n === "bigint" ? n.toString() : Number.isSafeInteger(n) || !Number.isInteger(n) ? String(n) : n.toExponential();
}

/** What went wrong, after the path: `"fast" is not allowed; allowed: legacy-copy, nocopy, ...`. */
function describe(issue: Issue): { path: readonly PropertyKey[]; text: string } {
  const value = show(issue.input);
  switch (issue.code) {
    case "invalid_type": {
      const want = EXPECTED[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return { path: issue.path, text: `missing; give ${want}` };
      // "2" for 2, "true" for true: say what to drop.
      // (only a JSON number: "0x10" or "010" would not parse without its quotes either)
      const quoted = typeof issue.input === "string" && ((want === "a number" && /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(issue.input.trim())) || (want === "true or false" && /^(true|false)$/.test(issue.input)));
      return { path: issue.path, text: `${value} is not allowed; use ${want}${quoted ? `, without quotes: ${issue.input}` : ""}` };
    }
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      const limit = small ? issue.minimum : issue.maximum;
      if (issue.origin === "array" || issue.origin === "set")
        return { path: issue.path, text: `${value} is not allowed; give ${small ? "at least" : "at most"} ${bound(limit)} item${limit === 1 ? "" : "s"}` };
      if (issue.origin === "string")
        return { path: issue.path, text: small && limit === 1 ? `${value} is not allowed; use a non-empty string` : `${value} is not allowed; use ${small ? "at least" : "at most"} ${bound(limit)} characters` };
      const inclusive = issue.inclusive !== false;
      const how = small ? (inclusive ? "at least" : "more than") : inclusive ? "at most" : "less than";
      return { path: issue.path, text: `${value} is not allowed; use ${how} ${bound(limit)}` };
    }
    case "invalid_value": {
      const names = issue.values.map((v) => (typeof v === "string" ? v : String(v)));
      if (names.length === 1) return { path: issue.path, text: `${value} is not allowed; use ${JSON.stringify(issue.values[0])}` };
      const hint = typeof issue.input === "string" ? didYouMean(issue.input, names) : "";
      return { path: issue.path, text: `${value} is not allowed;${hint} allowed: ${names.join(", ")}` };
    }
    case "unrecognized_keys": {
      const key = issue.keys[0] ?? "";
      const allowed = issue.message.startsWith("allowed: ") ? issue.message.slice("allowed: ".length).split(", ") : [];
      const list = allowed.length > 0 ? ` allowed here: ${allowed.join(", ")}` : "";
      return { path: [...issue.path, key], text: `unknown key;${didYouMean(key, allowed)}${list}` };
    }
    case "invalid_union": {
      if (issue.discriminator !== undefined) {
        const input = issue.input;
        const given = typeof input === "object" && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>)[issue.discriminator] : undefined;
        const options = "options" in issue && issue.options ? issue.options.map(String) : [];
        if (typeof input !== "object" || input === null || Array.isArray(input))
          return { path: issue.path.slice(0, -1), text: `${value} is not allowed; use an object with ${issue.discriminator}: ${options.join(", ")}` };
        if (given === undefined) return { path: issue.path, text: `missing; give one of: ${options.join(", ")}` };
        const hint = typeof given === "string" ? didYouMean(given, options) : "";
        return { path: issue.path, text: `${show(given)} is not allowed;${hint} allowed: ${options.join(", ")}` };
      }
      // A plain union: report the branch that got furthest: one that took the value's shape and complained about
      // something inside it (a preset name or a policy object), then the fewest complaints.
      const inside = (b: readonly Issue[]): number => {
        const i = pickIssue(b);
        return i && i.path.length > (isPrefix(issue.path, i.path) ? issue.path.length : 0) ? 0 : 1;
      };
      const branches = issue.errors.filter((b) => b.length > 0).sort((a, b) => inside(a) - inside(b) || a.length - b.length);
      const inner = branches[0] ? pickIssue(branches[0]) : undefined;
      if (inner) {
        const d = describe(inner);
        return { path: isPrefix(issue.path, d.path) ? d.path : [...issue.path, ...d.path], text: d.text };
      }
      return { path: issue.path, text: `${value} is not allowed` };
    }
    case "invalid_key": {
      const inner = pickIssue(issue.issues);
      return { path: issue.path, text: `a key ${inner ? describe(inner).text : "is not allowed"}` };
    }
    case "invalid_element": {
      const inner = pickIssue(issue.issues);
      return { path: [...issue.path, String(issue.key)], text: inner ? describe(inner).text : `${value} is not allowed` };
    }
    case "not_multiple_of":
      return { path: issue.path, text: `${value} is not allowed; use a multiple of ${issue.divisor}` };
    case "invalid_format":
      return { path: issue.path, text: `${value} is not allowed; use the form ${issue.pattern ?? issue.format}` };
    case "custom":
      return { path: issue.path, text: issue.message };
  }
}

/** One line, `<field.path>: <complaint>` (just the complaint for the whole document). */
export function formatIssue(issue: Issue): string {
  const { path, text } = describe(issue);
  const line = path.length > 0 ? `${formatPath(path)}: ${text}` : text;
  return line.replace(/\s*[\r\n]+\s*/g, " ");
}
