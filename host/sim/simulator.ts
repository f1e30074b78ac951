// One emulated machine running one scenario: configures a fresh WASM instance from a SimConfig (config-words.ts),
// runs the event loop in batches (host/embed/emulator.ts drives it), and reads counters, /proc views, time series and integrity back in batches.
import type { SimConfig } from "../scenario/sim-config.js";
import { WasmAllocator } from "../core/wasm-allocator.js";
import { debugCore, type CoreExports } from "../core/wasm.js";
import type { ZoneView } from "../core/allocator-model.js";
import { SLAB_CACHE_NAMES, SLAB_CACHE_FIELDS } from "./layout.js";
import { STAT_NAMES, STAT_WORDS, SAMPLE_COLUMNS, RUN_STATUS, BDI_STAT_NAMES, type StatName, type BdiStatName } from "./layout.js";
import { writeConfigWords } from "./config-words.js";
import { defaultCostModel, type CostModel } from "./cost-model.js";
import { InputError } from "../util/input-error.js";
import { PageblockTable, PAGEBLOCK_FIELDS } from "./pageblock-table.js";
import { describeInvariant } from "../core/invariant-codes.js";
import { describeEvent } from "./events.js";
import { checkRunFits } from "./work-estimate.js";
import { policyContext, policyProblem, runPolicyOf, specOf } from "../scenario/policy.js";
import { freeHighHighMin, kernelRules, runKernel } from "../scenario/kernel.js";

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

/** A run with no duration gives up 10 virtual minutes after its last progress. */
const HANG_HORIZON_NS = 600e9;

/** The writeback area mechanism carves its dedicated area out of the Normal zone as ZONE_MOVABLE; a scenario
 *  that already has a Movable zone uses that zone as the area. */
export function machineFor(config: SimConfig): SimConfig["machine"] {
  const policy = runPolicyOf(config);
  // the run's kernel, not only machine.kernel: each policy runs its default version when none is named
  const kernel = runKernel(config.kernel, policy.mechanisms.writeback);
  const m = { ...config.machine, freeHighHighMin: freeHighHighMin(kernel, config.kernelConfig.freeHigh), pcpAutoTune: kernelRules(kernel).pcpAutoTune };
  const areaPages = policy.mechanisms.wbAreaPages;
  if (areaPages === 0 || m.movablePages > 0) return m;
  const area = Math.min(areaPages, m.normalPages - m.cmaPages - 512);
  if (area <= 0) return m;
  return { ...m, normalPages: m.normalPages - area, movablePages: area };
}

export class Simulator {
  readonly allocator: WasmAllocator;
  private readonly sim: CoreExports;
  /** performance.now() before the instance: the report's emulator.wallMs counts from here (report.ts). */
  readonly createdAt = performance.now();

  /** mode "harness": nothing starts on its own; test/ drives writes, writeback and replies one by one. */
  constructor(readonly config: SimConfig, module: WebAssembly.Module, costs: CostModel = defaultCostModel, mode: "run" | "harness" = "run") {
    checkRunFits(config, config.name); // before the instance: what does not fit wasm32 is one line, not a trap
    const problem = policyProblem(specOf(config.policy), policyContext(config.fuse));
    if (problem) throw new InputError(`policy.${problem.field}: ${problem.text}`);
    this.allocator = new WasmAllocator(machineFor(config), module);
    this.sim = this.allocator.core;
    writeConfigWords(this.sim, config, costs);
    if (mode === "harness") debugCore(this.sim).harness_init();
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

  /** fio's runtime of each finished run of the jobs (run.fio_runs), virtual ns: the longest job's, from its epoch
   *  (its start, or its ramp_time's end) to its last write(2), as fio's update_runtime() records it before the jobs
   *  close their files. */
  fioRuntimes(): number[] { return this.fioRunArray(this.sim.fio_runtimes_ptr()); }

  /** The bytes each finished run's write(2)s returned after the jobs' ramps: every job's whole file, unless an error
   *  (an aborted connection), the OOM killer or runtime= ended a job early, or time_based took it round again. */
  fioRunBytes(): number[] { return this.fioRunArray(this.sim.fio_run_bytes_ptr()); }

  /** A per-run array the core keeps (at most 100 runs). */
  private fioRunArray(ptr: number): number[] {
    const n = Math.min(this.stat("fio_runs_done"), 100);
    return Array.from(new Float64Array(this.allocator.core.memory.buffer, ptr, n));
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

  /** Every pageblock's migratetype and what its pages hold, for the pageblock map: a copy of the core's table. */
  pageblockTable(): PageblockTable {
    const ptr = this.sim.pageblock_map_fill() >>> 0;
    const n = this.allocator.config.dma32Pages + this.allocator.config.normalPages + this.allocator.config.movablePages;
    return new PageblockTable(new Uint16Array(this.allocator.core.memory.buffer, ptr, (n / 512) * PAGEBLOCK_FIELDS).slice());
  }

  /** The same, an object a pageblock. */
  pageblockMap(): PageblockCensus[] {
    const table = this.pageblockTable();
    return Array.from({ length: table.length }, (_, b) => table.census(b));
  }

  checkInvariants(): string | null {
    const code = this.sim.sim_check_invariants();
    return code === 0 ? null : describeInvariant(code, this.sim.sim_invariant_where() >>> 0);
  }
}
