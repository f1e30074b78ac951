// The decision table (DESIGN.md section 4): policies x server behaviours -> what each costs and risks.
import type { RunReport } from "./report.js";

export interface DecisionRow {
  policy: string;
  server: string;
  /** The Linux version whose rules the run followed. */
  kernel: string;
  throughputMiBps: number;
  mibCopied: number;
  peakTempPages: number;
  unmovableBlocks: number;
  mixedBlocks: number;
  thpSuccessPct: number;
  contigSuccessPct: number;
  compactionFailures: { writeback: number; unmovable: number; pinned: number; locked: number };
  longestWritebackHoldMs: number;
  writesLost: number;
  /** Pages 6.1/6.6 reclaim or migration left clean and unwritten, without an error (integrity.writesLostSilently). */
  writesLostSilently: number;
  /** Writers blocked for good, plus MIGRATE_SYNC waits that never ended. */
  hangs: number;
}

export function decisionRow(r: RunReport): DecisionRow {
  const f = r.highOrder.migrateFailures;
  return {
    policy: r.policy,
    server: r.server,
    kernel: r.kernel,
    throughputMiBps: Math.round(r.modelled.throughputMiBps),
    mibCopied: Math.round(r.modelled.bytesCopiedWriteback / 2 ** 20),
    peakTempPages: r.modelled.peakTempPages,
    unmovableBlocks: r.pageblocks.Unmovable ?? 0,
    mixedBlocks: r.mixedBlocks,
    thpSuccessPct: r.highOrder.thpSuccessPct,
    contigSuccessPct: r.highOrder.contigSuccessPct,
    compactionFailures: { writeback: f.writeback, unmovable: f.unmovable, pinned: f.pinned, locked: f.locked },
    longestWritebackHoldMs: Math.round(r.modelled.longestWritebackHoldNs / 1e4) / 100,
    writesLost: r.integrity.writesLost,
    writesLostSilently: r.integrity.writesLostSilently,
    hangs: r.modelled.hangs + r.highOrder.contigHangs,
  };
}

export const DECISION_COLUMNS = [
  "policy", "server", "kernel", "MiB/s", "MiB copied", "peak temp", "unmov blocks", "mixed", "THP %", "contig %",
  "fail wb/unmov/pin", "longest hold ms", "lost", "lost silently", "hangs",
] as const;

export function decisionCells(d: DecisionRow): string[] {
  const f = d.compactionFailures;
  return [
    d.policy, d.server, d.kernel, String(d.throughputMiBps), String(d.mibCopied), String(d.peakTempPages), String(d.unmovableBlocks),
    String(d.mixedBlocks), d.thpSuccessPct.toFixed(1), d.contigSuccessPct.toFixed(1), `${f.writeback}/${f.unmovable}/${f.pinned}`,
    d.longestWritebackHoldMs.toFixed(2), String(d.writesLost), String(d.writesLostSilently), String(d.hangs),
  ];
}

export function formatDecisionTable(rows: DecisionRow[]): string {
  const cells = [[...DECISION_COLUMNS] as string[], ...rows.map(decisionCells)];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n") + "\n";
}
