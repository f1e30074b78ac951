// `fusewb sweep --table` / `fusewb merge --table`: one row per run, the varied values and the key metrics.
import type { SweepLine } from "./run-job.js";
import type { RunReport } from "../sim/report.js";

type Column = [title: string, cell: (r: RunReport) => string];

const fixed = (n: number | undefined, digits: number): string => (n === undefined ? "-" : n.toFixed(digits));

const METRICS: readonly Column[] = [
  ["MiB/s", (r) => fixed(r.modelled?.throughputMiBps, 0)],
  ["copied MiB", (r) => fixed(r.modelled === undefined ? undefined : r.modelled.bytesCopiedWriteback / 2 ** 20, 0)],
  ["peak temp", (r) => fixed(r.modelled?.peakTempPages, 0)],
  ["peak wb", (r) => fixed(r.modelled?.peakNrWriteback, 0)],
  ["wb hold ms", (r) => fixed(r.modelled === undefined ? undefined : r.modelled.longestWritebackHoldNs / 1e6, 2)],
  ["unmov blocks", (r) => fixed(r.pageblocks?.Unmovable, 0)],
  ["mixed", (r) => fixed(r.mixedBlocks, 0)],
  ["THP %", (r) => fixed(r.highOrder?.thpSuccessPct, 1)],
  ["lost", (r) => fixed(r.integrity?.writesLost, 0)],
  ["corrupt", (r) => fixed(r.integrity?.corrupt, 0)],
  ["hangs", (r) => fixed(r.modelled?.hangs, 0)],
];

const show = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

export function formatSweepTable(lines: readonly SweepLine[]): string {
  const paths = [...new Set(lines.flatMap((l) => Object.keys(l.vary)))];
  const header = ["#", ...paths, "policy", ...METRICS.map(([t]) => t)];
  const rows = lines.map((l) => [
    String(l.index),
    ...paths.map((p) => (p in l.vary ? show(l.vary[p]) : "-")),
    l.policy,
    ...METRICS.map(([, cell]) => (l.report ? cell(l.report) : "-")),
    ...(l.error !== undefined ? [`error: ${l.error}`] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (row: string[]): string =>
    row.map((c, i) => (i >= widths.length ? c : i <= paths.length + 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [fmt(header), ...rows.map(fmt)].join("\n") + "\n";
}
