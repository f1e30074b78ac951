// The one-screen summary of `fusewb run`: one column per policy.
import { formatWritersDone, type RunReport } from "../sim/report.js";

const mib = (b: number): string => (b / 2 ** 20).toFixed(0);

export function formatSummary(reports: RunReport[]): string {
  if (reports.length === 0) return "";
  const rows: [string, (r: RunReport) => string][] = [
    ["policy", (r) => r.policy],
    ["server", (r) => r.server],
    ["kernel (page-cache folio order)", (r) => `${r.kernel}${r.lru === "mglru" ? " MGLRU" : ""} (${r.maxFolioOrder})`],
    ["write mode", (r) => r.writeMode],
    ["modelled write throughput, MiB/s", (r) => r.modelled.throughputMiBps.toFixed(0)],
    ["  writers done at (virtual s)", formatWritersDone],
    ["bytes copied for writeback, MiB", (r) => mib(r.modelled.bytesCopiedWriteback)],
    ["peak temp pages (nr_writeback_temp)", (r) => String(r.modelled.peakTempPages)],
    ["peak nr_writeback", (r) => String(r.modelled.peakNrWriteback)],
    ["peak nr_dirty", (r) => String(r.modelled.peakNrDirty)],
    ["FUSE_WRITE requests", (r) => String(r.modelled.requestsSent)],
    ["GETATTR/READ/FSYNC/FLUSH requests, writers' wait ms", (r) => `${r.modelled.getattrRequests}/${r.modelled.readRequests}/${r.modelled.fsyncRequests}/${r.modelled.flushRequests}, ${(r.modelled.writerRequestWaitNs / 1e6).toFixed(1)}`],
    ["SETATTR requests (->write_inode: the files' times)", (r) => String(r.modelled.setattrRequests)],
    ["congested ->writepages calls", (r) => String(r.modelled.congestedWritepages)],
    ["longest writeback hold, ms", (r) => (r.modelled.longestWritebackHoldNs / 1e6).toFixed(2)],
    ["pageblocks Unmovable/Movable/Reclaimable", (r) => `${r.pageblocks.Unmovable}/${r.pageblocks.Movable}/${r.pageblocks.Reclaimable}`],
    ["mixed pageblocks", (r) => String(r.mixedBlocks)],
    ["THP success % (attempts)", (r) => `${r.highOrder.thpSuccessPct} (${r.highOrder.thpAttempts})`],
    ["contig success % (attempts, hangs)", (r) => `${r.highOrder.contigSuccessPct} (${r.highOrder.contigAttempts}, ${r.highOrder.contigHangs})`],
    ["pgmigrate_fail pages, compaction/contig", (r) => `${r.highOrder.migrateFailures.compaction}/${r.highOrder.migrateFailures.contigRange}`],
    ["not isolated by compaction wb/!lru/pinned/dirty", (r) => `${r.highOrder.isolateFailures.writeback}/${r.highOrder.isolateFailures.notLru}/${r.highOrder.isolateFailures.pinned}/${r.highOrder.isolateFailures.dirty}`],
    ["integrity persisted/lost/corrupt/pending", (r) => `${r.integrity.writesPersisted}/${r.integrity.writesLost}/${r.integrity.corrupt}/${r.integrity.pending}`],
    ["  lost silently (reclaim/migration, 6.1/6.6)", (r) => String(r.integrity.writesLostSilently)],
    ["OOM kills (server/writers/churn/THP)", (r) => `${r.modelled.oomKills.total} (${r.modelled.oomKills.server}/${r.modelled.oomKills.writers}/${r.modelled.oomKills.churn}/${r.modelled.oomKills.thp})`],
    ["hangs (writers blocked at the end)", (r) => String(r.modelled.hangs)],
    // README, "Where the emulator differs": where these are 0 the run never met the difference
    ["not modelled, met: reclaim throttle/target/writeout", (r) => {
      const d = r.modelled.departures;
      return `${d.throttleDirectReclaim}/${d.migrationTargetMisses}/${d.writeoutTempMisses}`;
    }],
    // the whole run (instantiate, boot, loop, report), then the event loop alone
    ["emulator: simulated pages per wall s (loop)", (r) => (r.emulator ? `${(r.emulator.pagesPerSecond / 1e6).toFixed(2)} M (${(r.emulator.loopPagesPerSecond / 1e6).toFixed(2)} M)` : "-")],
    ["emulator: virtual time / wall time (loop)", (r) => (r.emulator ? `${r.emulator.virtualOverWall.toFixed(1)}x (${r.emulator.loopVirtualOverWall.toFixed(1)}x)` : "-")],
  ];
  const cells = rows.map(([label, f]) => [label, ...reports.map(f)]);
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const title = `${reports[0]!.scenario} (seed ${reports[0]!.seed})`;
  return [title, ...cells.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("   ")), ...whatIfLines(reports)].join("\n") + "\n";
}

/** A configuration no released kernel has, said under a table once per distinct text (run summary, decision table). */
export function whatIfLines(reports: readonly RunReport[]): string[] {
  const whatIf = [...new Set(reports.flatMap((r) => r.whatIf.map((w) => `what-if (${r.policy}): ${w}`)))];
  if (reports.some((r) => r.writeMode === "write-through"))
    whatIf.push("write-through (fuse.writeback_cache false): write(2) sends synchronous FUSE_WRITEs; no page is left dirty, so the temp-page copy and copy-free paths do not differ");
  return whatIf;
}
