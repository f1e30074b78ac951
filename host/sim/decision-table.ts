// The decision table (DESIGN.md section 4): policies x server behaviours -> what each costs and risks.
import type { RunReport } from "./report.js";

export interface DecisionRow {
  policy: string;
  server: string;
  /** The Linux version whose rules the run followed, with " MGLRU" when reclaim worked the multi-gen LRU. */
  kernel: string;
  throughputMiBps: number;
  mibCopied: number;
  peakTempPages: number;
  unmovableBlocks: number;
  mixedBlocks: number;
  thpSuccessPct: number;
  contigSuccessPct: number;
  /** pgmigrate_fail (pages) by mm_migrate_pages' reason: MR_COMPACTION, MR_CONTIG_RANGE. */
  migrateFailures: { compaction: number; contigRange: number };
  /** Folios compaction's migrate scanner left in place, per visit: under writeback, not on the LRU. */
  isolateFailures: { writeback: number; notLru: number };
  longestWritebackHoldMs: number;
  writesLost: number;
  /** Pages 6.1/6.6 reclaim or migration left clean and unwritten, without an error (integrity.writesLostSilently). */
  writesLostSilently: number;
  /** Writers blocked for good, plus MIGRATE_SYNC waits that never ended. */
  hangs: number;
}

export function decisionRow(r: RunReport): DecisionRow {
  const f = r.highOrder.migrateFailures, i = r.highOrder.isolateFailures;
  return {
    policy: r.policy,
    server: r.server,
    kernel: r.lru === "mglru" ? `${r.kernel} MGLRU` : r.kernel,
    throughputMiBps: Math.round(r.modelled.throughputMiBps),
    mibCopied: Math.round(r.modelled.bytesCopiedWriteback / 2 ** 20),
    peakTempPages: r.modelled.peakTempPages,
    unmovableBlocks: r.pageblocks.Unmovable ?? 0,
    mixedBlocks: r.mixedBlocks,
    thpSuccessPct: r.highOrder.thpSuccessPct,
    contigSuccessPct: r.highOrder.contigSuccessPct,
    migrateFailures: { compaction: f.compaction, contigRange: f.contigRange },
    isolateFailures: { writeback: i.writeback, notLru: i.notLru },
    longestWritebackHoldMs: Math.round(r.modelled.longestWritebackHoldNs / 1e4) / 100,
    writesLost: r.integrity.writesLost,
    writesLostSilently: r.integrity.writesLostSilently,
    hangs: r.modelled.hangs + r.highOrder.contigHangs,
  };
}

export const DECISION_COLUMNS = [
  "policy", "server", "kernel", "MiB/s", "MiB copied", "peak temp", "unmov blocks", "mixed", "THP %", "contig %",
  "pgmigrate_fail cmp/contig", "not isolated wb/!lru", "longest hold ms", "lost", "lost silently", "hangs",
] as const;

export function decisionCells(d: DecisionRow): string[] {
  const f = d.migrateFailures, i = d.isolateFailures;
  return [
    d.policy, d.server, d.kernel, String(d.throughputMiBps), String(d.mibCopied), String(d.peakTempPages), String(d.unmovableBlocks),
    String(d.mixedBlocks), d.thpSuccessPct.toFixed(1), d.contigSuccessPct.toFixed(1), `${f.compaction}/${f.contigRange}`,
    `${i.writeback}/${i.notLru}`,
    d.longestWritebackHoldMs.toFixed(2), String(d.writesLost), String(d.writesLostSilently), String(d.hangs),
  ];
}

export function formatDecisionTable(rows: DecisionRow[]): string {
  const cells = [[...DECISION_COLUMNS] as string[], ...rows.map(decisionCells)];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n") + "\n";
}
