// One emulated machine running one scenario: configures a fresh WASM instance from a SimConfig, runs the
// event loop in batches, and reads counters, /proc views, time series and integrity back in batches.
import type { SimConfig } from "../scenario/sim-config.js";
import { WasmAllocator } from "../core/wasm-allocator.js";
import type { ZoneView } from "../core/allocator-model.js";
import { SLAB_CACHE_NAMES, SLAB_CACHE_FIELDS } from "./layout.js";
import { CFG, CFG_WORDS, JOB, JOB_WORDS, MAX_JOBS, MAX_WL, WL_WORDS, WL_KIND_INDEX, COST_NAMES, STAT_NAMES, STAT_WORDS, SAMPLE_COLUMNS, POLICY_INDEX,
  RUN_STATUS, LATENCY_INDEX, BDI_STAT_NAMES, type StatName, type BdiStatName } from "./layout.js";
import { defaultCostModel, type CostModel } from "./cost-model.js";
import { InputError } from "../util/input-error.js";
import { describeInvariant } from "../core/invariant-codes.js";
import { folioOrder, kernelRules, runKernel } from "../scenario/kernel.js";
import { describeEvent } from "./events.js";
import { checkRunFits } from "./work-estimate.js";

/** The core's extra exports for the writeback simulation. */
interface SimExports {
  cfg_ptr(): number; jobs_ptr(): number; cost_ptr(): number; stats_ptr(): number; workloads_ptr(): number;
  sim_init(): void; sim_run(maxEvents: number, untilNs: number, check: number): number; sim_now(): number;
  sim_sync_all(): void; sim_all_clean(): number; sim_writers_blocked(): number;
  samples_ptr(): number; samples_count(): number; bdi_stats_fill(): number; slab_stats_fill(): number;
  integrity_check(): void; integrity_ptr(): number;
  sim_check_invariants(): number; sim_invariant_where(): number;
  sim_last_event_type(): number; sim_last_event_arg(): number; sim_data_frames_peak(): number;
}

export type Sample = Record<(typeof SAMPLE_COLUMNS)[number], number>;
export type SlabCacheInfo = { name: (typeof SLAB_CACHE_NAMES)[number] } & Record<(typeof SLAB_CACHE_FIELDS)[number], number>;

/** One pageblock: its migratetype and how many of its 512 pages are in each state. */
export interface PageblockCensus {
  mt: number;
  free: number;
  /** Under writeback (copy-free folios waiting for the server). */
  writeback: number;
  /** FUSE temp pages (legacy). */
  temp: number;
  /** Held by a pipe (splice) beyond the page cache's own reference. */
  spliced: number;
  /** Allocated with a non-movable type (temp pages excluded). */
  unmovable: number;
  movable: number;
  dirty: number;
}

export interface Integrity {
  /** write(2) calls that returned to the writer. */
  writesAcked: number;
  /** Distinct pages written; each page's last acked content is what must reach the server. */
  pagesWritten: number;
  /** Pages whose last acked content is in the server's backing store. */
  writesPersisted: number;
  /** Pages whose last content never reached the server and whose mapping recorded an error (an abort). */
  writesLost: number;
  /** Pages whose backing store holds something no error explains (must be 0). */
  corrupt: number;
  /** Pages still dirty or in flight when the run stopped (a hang or a duration cut). */
  pending: number;
  /** Files whose mapping recorded a write error. */
  filesWithErrors: number;
  /** Pages whose last content was dropped without an error and without reaching the server: on 6.1/6.6 reclaim
   *  (pageout) or migration (writeout) cleared their dirty bit and FUSE's ->writepage, congested, returned
   *  AOP_WRITEPAGE_ACTIVATE without redirtying them. fsync returns 0; a read gets the server's old data. */
  writesLostSilently: number;
}

export interface RunProgress { virtualNs: number; bytesWritten: number; }

export interface RunOutcome {
  /** The writers finished (all acked), and the final sync completed (everything reached the server). */
  writersDone: boolean;
  synced: boolean;
  /** Writers still blocked at the end (waiting for writeback, throttled, in fsync): a hang. */
  writersBlocked: number;
  wallMs: number;
  /** The run was stopped before its end (run()'s shouldStop, e.g. Ctrl-C). */
  interrupted?: boolean;
}

const HANG_HORIZON_NS = 600e9;
/** fs/fuse: FUSE_TIMEOUT_TIMER_FREQ; timeouts below it are raised to it. */
const NOCOPY_TIMEOUT_DEFAULT_S = 15; // a run with no duration gives up 10 virtual minutes after its last progress

/** nocopy-wb-area carves its dedicated area (fuse.wb_area) out of the Normal zone as ZONE_MOVABLE; a
 *  scenario that already has a Movable zone uses that zone as the area. */
export function machineFor(config: SimConfig): SimConfig["machine"] {
  const m = config.machine;
  if (config.policy !== "nocopy-wb-area" || m.movablePages > 0 || config.fuse.wbAreaPages === 0) return m;
  const area = Math.min(config.fuse.wbAreaPages, m.normalPages - m.cmaPages - 512);
  if (area <= 0) return m;
  return { ...m, normalPages: m.normalPages - area, movablePages: area };
}

export class Simulator {
  readonly allocator: WasmAllocator;
  private readonly sim: SimExports;

  /** mode "harness": nothing starts on its own; test/ drives writes, writeback and replies one by one. */
  constructor(readonly config: SimConfig, module: WebAssembly.Module, costs: CostModel = defaultCostModel, mode: "run" | "harness" = "run") {
    checkRunFits(config, config.name); // before the instance: what does not fit wasm32 is one line, not a trap
    this.allocator = new WasmAllocator(machineFor(config), module);
    this.sim = this.allocator.core as unknown as SimExports;
    const jobs = config.workloads.flatMap((w) => (w.kind === "fio" ? Array.from({ length: w.numjobs }, () => w) : []));
    if (jobs.length > MAX_JOBS) throw new InputError(`workloads: ${jobs.length} fio jobs in all; at most ${MAX_JOBS}`);
    const mem = (): ArrayBuffer => this.allocator.core.memory.buffer;
    const cfg = new Float64Array(mem(), this.sim.cfg_ptr(), CFG_WORDS);
    const f = config.fuse, s = config.server, flt = s.faults;
    const set = (k: keyof typeof CFG, v: number | boolean): void => { cfg[CFG[k]] = typeof v === "boolean" ? (v ? 1 : 0) : v; };
    set("POLICY", POLICY_INDEX[config.policy]);
    set("SEED", config.run.seed);
    set("DURATION_NS", config.run.durationNs);
    set("SAMPLE_INTERVAL_NS", config.run.sampleIntervalNs);
    set("CHECK_INVARIANTS", config.run.checkInvariants);
    set("DATA_MODE", config.run.dataMode);
    set("DIRTY_RATIO", config.sysctl.dirtyRatio);
    set("DIRTY_BACKGROUND_RATIO", config.sysctl.dirtyBackgroundRatio);
    set("COMPACTION_PROACTIVENESS", config.sysctl.compactionProactiveness);
    set("STRICTLIMIT", config.bdi.strictlimit);
    set("BDI_MAX_RATIO", config.bdi.maxRatio);
    set("BDI_MIN_RATIO", config.bdi.minRatio);
    set("WB_BG_START", config.bdi.wbBgStart);
    set("HZ", config.kernelConfig.hz);
    set("NR_CPUS", config.kernelConfig.cpus);
    set("MAX_PAGES", f.maxPages);
    set("MAX_WRITE", f.maxWrite);
    set("MAX_BACKGROUND", f.maxBackground);
    set("CONGESTION_THRESHOLD", f.congestionThreshold);
    set("WRITEBACK_CACHE", f.writebackCache);
    set("MAX_FOLIO_ORDER", folioOrder(f, runKernel(config.kernel, config.policy)));
    // nocopy-timeout is "copy-free with request timeouts on": the scenario's timeout, or the smallest the
    // kernel accepts (15 s, one check period) when the scenario sets none
    set("REQUEST_TIMEOUT_S", config.policy === "nocopy-timeout" ? f.requestTimeoutS || NOCOPY_TIMEOUT_DEFAULT_S : f.requestTimeoutS);
    set("WB_AREA_PAGES", f.wbAreaPages);
    set("SERVER_THREADS", s.threads);
    set("LATENCY_KIND", LATENCY_INDEX[s.perRequest.kind]);
    set("LATENCY_MEAN_NS", s.perRequest.meanNs);
    set("LATENCY_SIGMA", s.perRequest.sigma);
    set("PER_BYTE_NS", s.perByteNs);
    set("SPLICE", s.splice);
    set("PRIVILEGED", s.privileged);
    set("ATTR_TIMEOUT_NS", s.attrTimeoutNs);
    set("SERVER_BACKING", s.backing === "tmpfs");
    set("FUSE_WRITEPAGE", kernelRules(runKernel(config.kernel, config.policy)).fuseWritepage);
    set("FUSE_REQ_SIZE", kernelRules(runKernel(config.kernel, config.policy)).fuseReqSize);
    set("SLOW_FACTOR", flt.slowFactor);
    set("STOP_AFTER_REQUESTS", flt.stopAfterRequests);
    set("STOP_AT_NS", flt.stopAtNs);
    set("DROP_FRACTION", flt.dropFraction);
    set("CRASH_AT_NS", flt.crashAtNs);
    set("SPLICE_HOLD_NS", flt.spliceHoldNs);
    set("NR_JOBS", jobs.length);
    const jobArr = new Float64Array(mem(), this.sim.jobs_ptr(), MAX_JOBS * JOB_WORDS);
    jobs.forEach((w, j) => {
      jobArr[j * JOB_WORDS + JOB.BS] = w.bs;
      jobArr[j * JOB_WORDS + JOB.SIZE] = w.size;
      jobArr[j * JOB_WORDS + JOB.RANDOM] = w.rw === "randwrite" ? 1 : 0;
      jobArr[j * JOB_WORDS + JOB.FSYNC_EVERY] = w.fsync;
      jobArr[j * JOB_WORDS + JOB.END_FSYNC] = w.endFsync ? 1 : 0;
      jobArr[j * JOB_WORDS + JOB.RATE] = w.rateBps;
    });
    const memWl = config.workloads.filter((w) => w.kind !== "fio");
    if (memWl.length > MAX_WL) throw new InputError(`workloads: ${memWl.length} churn/highorder workloads; at most ${MAX_WL}`);
    set("NR_WL", memWl.length);
    const wlArr = new Float64Array(mem(), this.sim.workloads_ptr(), MAX_WL * WL_WORDS);
    memWl.forEach((w, i) => {
      const at = i * WL_WORDS;
      if (w.kind === "churn") wlArr.set([WL_KIND_INDEX[w.type], w.order, w.ratePerSec, w.lifetimeNs, w.startNs], at);
      else if (w.kind === "highorder") wlArr.set([WL_KIND_INDEX[w.type], w.order, w.intervalNs, w.holdNs, w.startNs], at);
    });
    const costArr = new Float64Array(mem(), this.sim.cost_ptr(), COST_NAMES.length);
    COST_NAMES.forEach((name, i) => { costArr[i] = costs[name]; });
    if (mode === "harness") (this.allocator.core as unknown as { harness_init(): void }).harness_init();
    else this.sim.sim_init();
  }

  // Stepping state: the run is driven a batch of events at a time by step(), and run() is step() in a loop.
  private horizon = 0;
  private lastBytes = -1;
  private writersDone = false;
  private synced = false;
  private finished = false;
  private interrupted = false;
  private wallMs = 0;
  private untilNs: number | undefined;

  /** Stop the run at this virtual time (ns) at the latest (fusewb proc --at). */
  stopAt(untilNs: number): void {
    this.untilNs = untilNs;
    this.horizon = Math.min(this.horizon, untilNs);
  }

  /** Runs at most maxEvents events: the writers finish, then a final sync writes everything back (no duration),
   *  or the run goes to its duration. Throws if the invariant checker fails (check mode). */
  step(maxEvents: number): { done: boolean; events: number } {
    if (this.finished) return { done: true, events: 0 };
    const start = performance.now();
    const before = this.stat("events");
    const check = this.config.run.checkInvariants ? 1 : 0;
    const duration = this.config.run.durationNs;
    const cap = (t: number): number => (this.untilNs === undefined ? t : Math.min(t, this.untilNs));
    if (this.lastBytes < 0) this.horizon = cap(duration > 0 ? duration : HANG_HORIZON_NS);
    const status = this.sim.sim_run(Math.max(1, Math.floor(maxEvents)), this.horizon, check);
    if (status === RUN_STATUS.INVARIANT) {
      const event = describeEvent(this.stat("events"), this.sim.sim_last_event_type(), this.sim.sim_last_event_arg(), this.virtualNs());
      throw new Error(`after ${event}: ${describeInvariant(this.sim.sim_check_invariants(), this.sim.sim_invariant_where() >>> 0)}`);
    }
    if (status === RUN_STATUS.DATA_OUT_OF_MEMORY) {
      const frames = this.sim.sim_data_frames_peak() >>> 0;
      throw new InputError(`run.data_mode: true is not possible for this run: at ${this.virtualNs()} ns it needed more than the 4 GiB one wasm32 instance holds (${frames} page frames of file data at once, 4 KiB each, plus twice the files' size for the writers' and the server's copies); write less, or turn data_mode off`);
    }
    const bytes = this.stat("bytes_written");
    // a run with no duration gives up HANG_HORIZON_NS after its last progress
    if (duration === 0 && bytes !== this.lastBytes) this.horizon = cap(this.virtualNs() + HANG_HORIZON_NS);
    this.lastBytes = bytes;
    if (status === RUN_STATUS.WRITERS_DONE) {
      this.writersDone = true;
      if (duration === 0) this.sim.sim_sync_all();
    } else if (status === RUN_STATUS.SYNCED) {
      this.synced = true;
      this.finish();
    } else if (status === RUN_STATUS.TIME_LIMIT || status === RUN_STATUS.IDLE) {
      this.finish();
    }
    this.wallMs += performance.now() - start;
    return { done: this.finished, events: this.stat("events") - before };
  }

  private finish(): void {
    if (this.writersDone && this.sim.sim_all_clean()) this.synced = true;
    this.sim.integrity_check();
    this.finished = true;
  }

  get done(): boolean { return this.finished; }

  /** What the run came to so far (final once done). */
  outcome(): RunOutcome {
    const o: RunOutcome = { writersDone: this.writersDone, synced: this.synced, writersBlocked: this.sim.sim_writers_blocked(), wallMs: this.wallMs };
    if (this.interrupted) o.interrupted = true;
    return o;
  }

  /** Runs to the end (see step()), calling onProgress between batches; shouldStop, asked between batches too,
   *  ends the run early where it stands (the integrity check still runs; outcome().interrupted says so). */
  run(onProgress?: (p: RunProgress) => void, batchEvents?: number, untilNs?: number, shouldStop?: () => boolean): RunOutcome {
    if (untilNs !== undefined) this.stopAt(untilNs);
    const batch = batchEvents ?? (this.config.run.checkInvariants ? 2_000 : 200_000);
    while (!this.step(batch).done) {
      onProgress?.({ virtualNs: this.virtualNs(), bytesWritten: this.lastBytes });
      if (shouldStop?.()) {
        this.interrupted = true;
        this.finish();
        break;
      }
    }
    onProgress?.({ virtualNs: this.virtualNs(), bytesWritten: this.lastBytes });
    return this.outcome();
  }

  /** run(), giving the event loop a turn every ~50 ms of wall time, so that signals (Ctrl-C: shouldStop) and
   *  timers get through during a long run. The same batches in the same order: the same result as run(). */
  async runAsync(onProgress?: (p: RunProgress) => void, batchEvents?: number, untilNs?: number, shouldStop?: () => boolean): Promise<RunOutcome> {
    if (untilNs !== undefined) this.stopAt(untilNs);
    const batch = batchEvents ?? (this.config.run.checkInvariants ? 2_000 : 200_000);
    let turn = performance.now();
    while (!this.step(batch).done) {
      onProgress?.({ virtualNs: this.virtualNs(), bytesWritten: this.lastBytes });
      if (performance.now() - turn > 50) {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        turn = performance.now();
      }
      if (shouldStop?.()) {
        this.interrupted = true;
        this.finish();
        break;
      }
    }
    onProgress?.({ virtualNs: this.virtualNs(), bytesWritten: this.lastBytes });
    return this.outcome();
  }

  virtualNs(): number { return this.sim.sim_now(); }

  stats(): Record<StatName, number> {
    const arr = new BigInt64Array(this.allocator.core.memory.buffer, this.sim.stats_ptr(), STAT_WORDS);
    return Object.fromEntries(STAT_NAMES.map((n, i) => [n, Number(arr[i])])) as Record<StatName, number>;
  }

  stat(name: StatName): number {
    const arr = new BigInt64Array(this.allocator.core.memory.buffer, this.sim.stats_ptr(), STAT_WORDS);
    return Number(arr[STAT_NAMES.indexOf(name)]);
  }

  /** The FUSE bdi's debugfs stats and throttle estimates now (the thresholds as balance_dirty_pages() sees them). */
  bdiStats(): Record<BdiStatName, number> {
    const arr = new Float64Array(this.allocator.core.memory.buffer, this.sim.bdi_stats_fill(), BDI_STAT_NAMES.length);
    return Object.fromEntries(BDI_STAT_NAMES.map((n, i) => [n, arr[i]!])) as Record<BdiStatName, number>;
  }

  /** The slab caches FUSE allocates from, /proc/slabinfo's columns and the pages each holds now and at peak. */
  slabinfo(): SlabCacheInfo[] {
    const w = SLAB_CACHE_FIELDS.length;
    const arr = new Float64Array(this.allocator.core.memory.buffer, this.sim.slab_stats_fill(), SLAB_CACHE_NAMES.length * w);
    return SLAB_CACHE_NAMES.map((name, c) => ({
      name, ...Object.fromEntries(SLAB_CACHE_FIELDS.map((f, k) => [f, arr[c * w + k]!])),
    }) as SlabCacheInfo);
  }

  samples(): Sample[] {
    const n = this.sim.samples_count();
    const w = SAMPLE_COLUMNS.length;
    const arr = new Float64Array(this.allocator.core.memory.buffer, this.sim.samples_ptr(), n * w);
    const rows: Sample[] = [];
    for (let i = 0; i < n; i++)
      rows.push(Object.fromEntries(SAMPLE_COLUMNS.map((c, k) => [c, arr[i * w + k]!])) as Sample);
    return rows;
  }

  /** The first page the integrity check counted as corrupt (file and page index), or null. */
  firstCorrupt(): { ino: number; index: number } | null {
    const a = new Float64Array(this.allocator.core.memory.buffer, this.sim.integrity_ptr(), 8);
    return a[6]! < 0 ? null : { ino: a[6]!, index: a[7]! };
  }

  /** Filled by run(). */
  integrity(): Integrity {
    const a = new Float64Array(this.allocator.core.memory.buffer, this.sim.integrity_ptr(), 9);
    return {
      writesAcked: this.stat("writes_acked"),
      pagesWritten: a[0]!, writesPersisted: a[1]!, writesLost: a[2]!, corrupt: a[3]!, pending: a[4]!, filesWithErrors: a[5]!,
      writesLostSilently: a[8]!,
    };
  }

  zones(): ZoneView[] { return this.allocator.zones(); }

  /** Every pageblock's migratetype and what its pages hold, for the pageblock map. */
  pageblockMap(): PageblockCensus[] {
    const core = this.allocator.core as unknown as { pageblock_map_fill(): number };
    const ptr = core.pageblock_map_fill() >>> 0;
    const n = this.allocator.config.dma32Pages + this.allocator.config.normalPages + this.allocator.config.movablePages;
    const arr = new Uint16Array(this.allocator.core.memory.buffer, ptr, (n / 512) * 8);
    const out: PageblockCensus[] = [];
    for (let b = 0; b < n / 512; b++) {
      const at = (i: number): number => arr[b * 8 + i]!;
      out.push({ mt: at(0), free: at(1), writeback: at(2), temp: at(3), spliced: at(4), unmovable: at(5), movable: at(6), dirty: at(7) });
    }
    return out;
  }

  checkInvariants(): string | null {
    const code = this.sim.sim_check_invariants();
    return code === 0 ? null : describeInvariant(code, this.sim.sim_invariant_where() >>> 0);
  }
}
