// The run report (README "Report schema"): read-only views of the simulator's end state.
import type { Simulator, Integrity, RunOutcome, Sample } from "./simulator.js";
import { procJson, type PagetypeinfoJson } from "../proc/index.js";
import { migratetype_names } from "../core/constants.js";
import { folioOrder, runKernel, whatIfs, type Kernel } from "../scenario/kernel.js";
import { runPolicyOf, type Mechanisms, type PresetName } from "../scenario/policy.js";

export interface RunReport {
  scenario: string;
  /** The policy's name: its preset's, or the preset and the mechanisms that differ ("nocopy+migrate=skip"). */
  policy: string;
  /** The named policy it starts from (host/scenario/policy.ts PRESETS). */
  preset: PresetName;
  /** What the run did: writeback mode, migration of writeback folios, splice for unprivileged servers, the request
   *  timeout in force (s, 0 = none), the writeback area (pages, 0 = none), large folios. */
  mechanisms: Mechanisms;
  server: string;
  /** How the server reads /dev/fuse: "splice" (splice(2): a WRITE's pages stay referenced by its pipe), "read"
   *  (read(2) into its buffer), or "read: pipe-max-size" when it asked to splice but, unprivileged, could not grow
   *  libfuse's pipe to 2 MiB past machine.sysctl.pipe_max_size (libfuse then reads for good). */
  serverReads: "splice" | "read" | "read: pipe-max-size";
  seed: number;
  /** The Linux version whose rules the run followed (machine.kernel, or the policy's writeback mode's default). */
  kernel: Kernel;
  /** The page-cache LRU reclaim worked (machine.lru): "classic" or "mglru". */
  lru: "classic" | "mglru";
  /** Page-cache folio order the FUSE files got (fuse.large_folios under the kernel's rule). */
  maxFolioOrder: number;
  /** Configurations no released kernel has (allowed as what-ifs): empty for a kernel's own configuration. */
  whatIf: string[];
  /** "writeback-cache": write(2) dirties the page cache and the flusher writes it back (temp-page copy or copy-free);
   *  "write-through" (fuse.writeback_cache false): each write(2) sends synchronous FUSE_WRITEs from the writer
   *  (fuse_perform_write), pages are never dirty and the temp-page/copy-free distinction does not arise. */
  writeMode: "writeback-cache" | "write-through";
  modelled: {
    /** What fio reports: the mean of fioRunsMiBps once a run has finished; before that, the bytes acked to the
     *  writers over the virtual time so far. */
    throughputMiBps: number;
    /** Each finished run of the fio jobs (run.fio_runs), MiB/s: the run's bytes over fio's runtime, the longest
     *  job's from the run's start to its last write(2) (fio stops its clock before it closes the file). */
    fioRunsMiBps: number[];
    /** Virtual time when the last writer finished, its file closed (after fio's clock stopped), ns. */
    writersDoneNs: number;
    /** Virtual time at the end of the run (after the final sync), ns. */
    virtualNs: number;
    bytesWritten: number;
    /** Bytes copied by the kernel for writeback (legacy temp pages). */
    bytesCopiedWriteback: number;
    /** Bytes the server copied (reading /dev/fuse unless spliced, then into its backing file). */
    bytesCopiedServer: number;
    peakTempPages: number;
    peakNrWriteback: number;
    peakNrDirty: number;
    requestsSent: number;
    secondaryRequests: number;
    longestWritebackHoldNs: number;
    writerWritebackWaits: number;
    writerThrottleNs: number;
    /** Synchronous requests the writers sent, and the time they slept waiting for the replies. */
    getattrRequests: number;
    /** FUSE_SETATTR requests ->write_inode sent for the files' times (the flusher's, fsync's and close's). */
    setattrRequests: number;
    fsyncRequests: number;
    /** FUSE_FLUSH requests: each writer's close(2) (fuse_flush(), after writing back and waiting for its file). */
    flushRequests: number;
    releaseRequests: number;
    /** FUSE_READs from fuse_write_begin(): a write smaller than a folio, to a folio not uptodate inside i_size. */
    readRequests: number;
    /** fio layouts whose fallocate() failed (the server's tmpfs ran out of memory); the file then starts empty. */
    fallocateFails: number;
    writerRequestWaitNs: number;
    /** fuse_writepages() calls that returned at once: WB_SYNC_NONE while num_background >= congestion_threshold. */
    congestedWritepages: number;
    /** Temp-page allocations that found nothing even after direct reclaim (legacy), and the time stalled on them. */
    tempAllocStalls: number;
    tempAllocStallNs: number;
    connectionAborts: number;
    /** The server's memory at the end: its tmpfs backing files (NR_SHMEM) and its threads' receive buffers, pages. */
    serverShmemPages: number;
    serverBufferPages: number;
    serverAllocStalls: number;
    /** The splice-copy remedy: payload pages the kernel copied into the server's pipes (fresh unmovable pages held
     *  from the server's read until its store), instead of giving the pipe references to the folios. */
    serverPipeCopies: number;
    /** Sleeps of the writers and the server's threads in direct reclaim (mm/vmscan.c reclaim_throttle(): a sweep
     *  that reclaimed nothing, VMSCAN_THROTTLE_NOPROGRESS; the node marked congested by kswapd,
     *  VMSCAN_THROTTLE_CONGESTED), and the time they slept, ns; kswapd's sleeps on folios it met again still under
     *  writeback (VMSCAN_THROTTLE_WRITEBACK: nr_immediate) and their time. */
    reclaimThrottle: { noprogress: number; congested: number; ns: number; kswapdWriteback: number; kswapdNs: number };
    /** Kernel paths the run reached that the model does not take (README, "Where the emulator differs"): a result is
     *  exposed to the difference only where these are above 0. `throttleDirectReclaim`: direct reclaims by a user task
     *  that throttle_direct_reclaim() would have held for kswapd; `migrationTargetMisses`: contiguous-range and
     *  offline migration targets not found without the reclaim and compaction the kernel's would try;
     *  `writeoutTempMisses`: 6.1/6.6 migration writeouts whose temp page the model gave up on after one round of
     *  reclaim (the kernel's GFP_NOFS allocation loops), failing the page with the file's error. */
    departures: { throttleDirectReclaim: number; migrationTargetMisses: number; writeoutTempMisses: number };
    /** libfuse workers the server started (one at first, another whenever every one was busy, up to server.threads). */
    serverThreads: number;
    /** The OOM killer (out_of_memory): kills by the kind of task, when the first came (ns, 0 = none), and OOMs that
     *  found nothing to kill (the kernel panics there). */
    oomKills: { total: number; server: number; writers: number; churn: number; thp: number; noVictim: number; firstNs: number };
    /** 6.1/6.6 ->writepage from reclaim or migration: AOP_WRITEPAGE_ACTIVATE (a page left clean and unwritten) and
     *  pages kswapd wrote through ->writepage (NR_VMSCAN_WRITE: pageout() counts every result but the first). */
    writepageActivate: number;
    vmscanWrite: number;
    /** Writers blocked for good at the end (a hang). */
    hangs: number;
    synced: boolean;
    /** The kernel's own objects around FUSE requests (assembly/mm/slab.ts): per slab cache that was used, named as
     *  /proc/slabinfo names it, its object size, objects per slab, pages per slab, the pages its slabs hold at the
     *  end and at peak, slabs allocated at the minimum order (ORDER_FALLBACK) and allocations that got no page. */
    slab: Record<string, { objsize: number; objperslab: number; pagesperslab: number; pages: number; peakPages: number; orderFallback: number; allocFailures: number }>;
    /** Pageblock conversion: Unmovable pageblocks at the most of any sample, the pageblocks holding a legacy temp
     *  page at the most and when nr_writeback_temp peaked. */
    blocks: { peakUnmovable: number; peakTempBlocks: number; tempBlocksAtPeak: number };
  };
  /** High-order allocations and what stood in their way, in /proc/vmstat's terms where the kernel counts it. */
  highOrder: {
    thpAttempts: number;
    thpSuccessPct: number;
    contigAttempts: number;
    contigSuccessPct: number;
    /** alloc_contig_range waits on writeback (MIGRATE_SYNC) still going when the run ended. */
    contigHangs: number;
    contigWaitNs: number;
    /** Memory offline (offline_pages) of memory blocks: started, completed, total time they took or have taken, and
     *  those still waiting when the run stopped (a MIGRATE_SYNC wait on writeback that never ended). */
    offline: { attempts: number; done: number; waitNs: number; hangs: number };
    compactStall: number;
    compactFail: number;
    compactSuccess: number;
    /** compact_isolated: pages isolated by either scanner (and by alloc_contig_range). */
    compactIsolated: number;
    /** compact_daemon_wake: kcompactd_do_work() runs. */
    compactDaemonWake: number;
    /** pgmigrate_success / pgmigrate_fail: pages of isolated folios that did / did not migrate. */
    pgmigrateSuccess: number;
    pgmigrateFail: number;
    /** pgmigrate_fail by mm_migrate_pages' reason: MR_COMPACTION, MR_CONTIG_RANGE (pages). */
    migrateFailures: { compaction: number; contigRange: number };
    /** Folios the compaction migrate scanner met and did not isolate, by cause, once per visit (a rescan counts
     *  again): under writeback (ISOLATE_ASYNC_MIGRATE), not on the LRU, anon with extra references, and on 6.1/6.6
     *  dirty FUSE folios (no ->migrate_folio, so ISOLATE_ASYNC_MIGRATE leaves them). The model's breakdown of
     *  isolate_migratepages_block()'s isolate_fail paths; no kernel counter has it. */
    isolateFailures: { writeback: number; notLru: number; pinned: number; dirty: number };
    writebackCancelled: number;
  };
  /** Pageblocks counted by "Number of mixed blocks", summed over zones and types. */
  mixedBlocks: number;
  /** /proc/vmstat names. */
  vmstat: { nr_free_pages: number; nr_dirty: number; nr_writeback: number; nr_writeback_temp: number };
  pagetypeinfo: PagetypeinfoJson;
  /** Pageblocks per migratetype over all zones, at the end. */
  pageblocks: Record<string, number>;
  integrity: Integrity;
  /** Wall-clock measures of the emulator itself; left out with --no-timing (then the report is byte-identical
   *  for the same scenario and seed). */
  emulator?: EmulatorSpeed;
  samples?: Sample[];
  /** Only when the run was stopped early (Ctrl-C): the report is of the state at that moment. */
  interrupted?: true;
}

/** What a run cost in wall time. The whole run is what a user waits for: instantiating the core, booting the
 *  machine and setting up the run (the Simulator's constructor), the event loop, and building this report.
 *  Compiling the module (once per process, coreModuleSync) and Node's own start are not counted. */
export interface EmulatorSpeed {
  /** The whole run, ms. */
  wallMs: number;
  /** Its parts: instantiation, boot and set-up; the event loop; building the report. */
  setupMs: number;
  loopMs: number;
  reportMs: number;
  /** Over the whole run: pages written per second, events per second, virtual time over wall time. */
  pagesPerSecond: number;
  eventsPerSecond: number;
  virtualOverWall: number;
  /** The same over the event loop alone. */
  loopPagesPerSecond: number;
  loopEventsPerSecond: number;
  loopVirtualOverWall: number;
}

/** When the last writer finished, in virtual seconds, or that it had not when the run stopped (a duration). */
export function formatWritersDone(r: RunReport): string {
  return r.modelled.writersDoneNs > 0 ? (r.modelled.writersDoneNs / 1e9).toFixed(3) : "still writing";
}

export function buildReport(sim: Simulator, outcome: RunOutcome, opts: { timing: boolean; samples: boolean }): RunReport {
  const reportStart = performance.now();
  const c = sim.config;
  const rp = runPolicyOf(c);
  const kernel = runKernel(c.kernel, rp.mechanisms.writeback);
  const folios = { ...c.fuse, largeFolios: rp.mechanisms.largeFolios };
  const st = sim.stats();
  const zones = sim.zones();
  const proc = procJson(zones);
  const pageblocks: Record<string, number> = {};
  migratetype_names.forEach((name, mt) => { pageblocks[name] = zones.reduce((s, z) => s + (z.blocks[mt] ?? 0), 0); });
  const doneNs = st.writers_done_ns > 0 ? st.writers_done_ns : sim.virtualNs();
  // fio's bandwidth: the bytes the run's write(2)s returned over its runtime (the close after the last write is
  // outside it; a job that failed or was killed ends its runtime there, with the bytes it had written)
  const runBytes = sim.fioRunBytes();
  const runs = sim.fioRuntimes().map((ns, i) => runBytes[i]! / 2 ** 20 / (ns / 1e9));
  const report: RunReport = {
    scenario: c.name,
    policy: rp.name,
    preset: rp.preset,
    mechanisms: rp.mechanisms,
    server: c.server.name,
    serverReads: c.server.splice ? "splice" : c.server.spliceAsked ? "read: pipe-max-size" : "read",
    seed: c.run.seed,
    kernel,
    lru: c.kernelConfig.lru,
    maxFolioOrder: folioOrder(folios, kernel),
    whatIf: whatIfs(folios, kernel, c.bdi, c.kernelConfig.freeHigh, rp.mechanisms.writeback, rp.mechanisms.timeoutS),
    writeMode: c.fuse.writebackCache ? "writeback-cache" : "write-through",
    modelled: {
      throughputMiBps: round(runs.length > 0 ? runs.reduce((a, b) => a + b, 0) / runs.length : doneNs > 0 ? st.bytes_written / 2 ** 20 / (doneNs / 1e9) : 0, 1),
      fioRunsMiBps: runs.map((v) => round(v, 1)),
      writersDoneNs: st.writers_done_ns,
      virtualNs: sim.virtualNs(),
      bytesWritten: st.bytes_written,
      bytesCopiedWriteback: st.bytes_copied_writeback,
      bytesCopiedServer: st.bytes_copied_server,
      peakTempPages: st.peak_nr_writeback_temp,
      peakNrWriteback: st.peak_nr_writeback,
      peakNrDirty: st.peak_nr_dirty,
      requestsSent: st.requests_sent,
      secondaryRequests: st.secondary_requests,
      longestWritebackHoldNs: st.longest_wb_hold_ns,
      writerWritebackWaits: st.writer_wb_waits,
      writerThrottleNs: st.writer_throttle_ns,
      getattrRequests: st.getattr_requests,
      setattrRequests: st.setattr_requests,
      fsyncRequests: st.fsync_requests,
      flushRequests: st.flush_requests,
      releaseRequests: st.release_requests,
      readRequests: st.read_requests,
      fallocateFails: st.fallocate_fails,
      writerRequestWaitNs: st.writer_req_wait_ns,
      congestedWritepages: st.flusher_congested_calls,
      tempAllocStalls: st.temp_alloc_stalls,
      tempAllocStallNs: st.temp_alloc_stall_ns,
      connectionAborts: st.conn_aborts,
      serverShmemPages: st.nr_shmem,
      serverBufferPages: st.server_buffer_pages,
      serverAllocStalls: st.server_alloc_stalls,
      serverPipeCopies: st.server_pipe_copies,
      reclaimThrottle: {
        noprogress: st.reclaim_throttle_noprogress, congested: st.reclaim_throttle_congested, ns: st.reclaim_throttle_ns,
        kswapdWriteback: st.kswapd_throttle_writeback, kswapdNs: st.kswapd_throttle_ns,
      },
      departures: {
        throttleDirectReclaim: st.direct_reclaim_unthrottled, migrationTargetMisses: st.migration_target_misses,
        writeoutTempMisses: st.writeout_temp_misses,
      },
      serverThreads: st.server_threads,
      oomKills: {
        total: st.oom_kills, server: st.oom_kill_server, writers: st.oom_kill_writer, churn: st.oom_kill_churn, thp: st.oom_kill_thp,
        noVictim: st.oom_no_victim, firstNs: st.oom_first_ns,
      },
      writepageActivate: st.writepage_activate,
      vmscanWrite: st.nr_vmscan_write,
      hangs: outcome.writersBlocked,
      synced: outcome.synced,
      slab: slabReport(sim),
      blocks: { peakUnmovable: st.peak_unmovable_pageblocks, peakTempBlocks: st.peak_temp_pageblocks, tempBlocksAtPeak: st.temp_pageblocks_at_peak },
    },
    vmstat: {
      nr_free_pages: zones.reduce((s, z) => s + z.nrFreePages, 0),
      nr_dirty: st.nr_dirty,
      nr_writeback: st.nr_writeback,
      nr_writeback_temp: st.nr_writeback_temp,
    },
    highOrder: {
      thpAttempts: st.thp_attempts,
      thpSuccessPct: round(st.thp_attempts > 0 ? (100 * st.thp_success) / st.thp_attempts : 0, 1),
      contigAttempts: st.contig_attempts,
      contigSuccessPct: round(st.contig_attempts > 0 ? (100 * st.contig_success) / st.contig_attempts : 0, 1),
      contigHangs: st.contig_hangs,
      contigWaitNs: st.contig_wait_ns,
      offline: { attempts: st.offline_attempts, done: st.offline_success, waitNs: st.offline_wait_ns, hangs: st.offline_hangs },
      compactStall: st.compact_stall,
      compactFail: st.compact_fail,
      compactSuccess: st.compact_success,
      compactIsolated: st.compact_isolated,
      compactDaemonWake: st.compact_daemon_wake,
      pgmigrateSuccess: st.pgmigrate_success,
      pgmigrateFail: st.pgmigrate_fail,
      migrateFailures: { compaction: st.pgmigrate_fail_compaction, contigRange: st.pgmigrate_fail_contig_range },
      isolateFailures: { writeback: st.isolate_fail_writeback, notLru: st.isolate_fail_not_lru, pinned: st.isolate_fail_pinned, dirty: st.isolate_fail_dirty },
      writebackCancelled: st.writeback_cancelled,
    },
    mixedBlocks: zones.reduce((s, z) => s + z.mixed.reduce((a, b) => a + b, 0), 0),
    pagetypeinfo: proc.pagetypeinfo,
    pageblocks,
    integrity: sim.integrity(),
  };
  if (opts.timing) {
    const end = performance.now();
    const wallMs = end - sim.createdAt, loopMs = outcome.wallMs, reportMs = end - reportStart;
    const pages = st.bytes_written / 4096, virtualS = sim.virtualNs() / 1e9;
    report.emulator = {
      wallMs: round(wallMs, 1),
      setupMs: round(wallMs - loopMs - reportMs, 1),
      loopMs: round(loopMs, 1),
      reportMs: round(reportMs, 1),
      pagesPerSecond: Math.round(pages / (wallMs / 1000)),
      eventsPerSecond: Math.round(st.events / (wallMs / 1000)),
      virtualOverWall: round(virtualS / (wallMs / 1000), 2),
      loopPagesPerSecond: Math.round(pages / (loopMs / 1000)),
      loopEventsPerSecond: Math.round(st.events / (loopMs / 1000)),
      loopVirtualOverWall: round(virtualS / (loopMs / 1000), 2),
    };
  }
  if (opts.samples) report.samples = sim.samples();
  if (outcome.interrupted) report.interrupted = true;
  return report;
}

/** The caches a run used (any slab at some point), in core order. */
function slabReport(sim: Simulator): RunReport["modelled"]["slab"] {
  const out: RunReport["modelled"]["slab"] = {};
  for (const c of sim.slabinfo()) {
    if (c.peak_pages === 0 && c.alloc_failures === 0) continue;
    out[c.name] = {
      objsize: c.objsize, objperslab: c.objperslab, pagesperslab: c.pagesperslab, pages: c.pages, peakPages: c.peak_pages,
      orderFallback: c.order_fallback, allocFailures: c.alloc_failures,
    };
  }
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
