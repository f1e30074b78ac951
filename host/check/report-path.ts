// A report field by its dotted path (`highOrder.isolateFailures.writeback`), as expectations and snapshots name
// them. The report's shape is the one `fusewb run --json` prints, so a path that does not lead to a number, a
// boolean or a string is the user's mistake, said with the keys that are there.
import { didYouMean } from "../scenario/issues.js";

export type Scalar = number | boolean | string;

export type PathResult = { ok: true; value: Scalar } | { ok: false; problem: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Follows `path` in `report`; on failure, says where the path left the report and what it could have named. */
export function resolveReportPath(report: unknown, path: string): PathResult {
  const segments = path.split(".");
  let cur: unknown = report;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const here = segments.slice(0, i).join(".");
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg) || Number(seg) >= cur.length)
        return { ok: false, problem: `${here} is a list of ${cur.length}; use an index from 0 to ${cur.length - 1} after it` };
      cur = cur[Number(seg)];
    } else if (isRecord(cur)) {
      if (!Object.hasOwn(cur, seg)) {
        const keys = Object.keys(cur);
        return { ok: false, problem: `the report has no field ${here ? `${here}.` : ""}${seg};${didYouMean(seg, keys)} ${here || "the report"} has: ${keys.join(", ")}` };
      }
      cur = cur[seg];
    } else {
      return { ok: false, problem: `${here} is ${JSON.stringify(cur)}, which has no field ${seg}` };
    }
  }
  if (typeof cur === "number" || typeof cur === "boolean" || typeof cur === "string") return { ok: true, value: cur };
  const keys = isRecord(cur) ? Object.keys(cur) : [];
  if (keys.length > 0) return { ok: false, problem: `${path} is an object, not a number; name one of its fields: ${keys.map((k) => `${path}.${k}`).join(", ")}` };
  return { ok: false, problem: `${path} is ${Array.isArray(cur) ? "a list" : JSON.stringify(cur) ?? "missing"}, not a number` };
}
