// The emulator: one Simulator driven a batch of events at a time, with read-only views of it between steps. It is
// the one way a run is driven: the embedding API, the CLI's run, compare and proc, the HTML capture and the sweep
// workers all go through it, with observers (onProgress, shouldStop) between batches. No Node-only import here
// (browsers use it): the caller brings the compiled core.
import type { SimConfig } from "../scenario/sim-config.js";
import { Simulator, type Integrity, type PageblockCensus, type RunOutcome, type RunProgress } from "../sim/simulator.js";
import type { PageblockTable } from "../sim/pageblock-table.js";
import { buildReport, type RunReport } from "../sim/report.js";
import type { StatName, BdiStatName } from "../sim/layout.js";
import type { CostModel } from "../sim/cost-model.js";
import type { ZoneView } from "../core/allocator-model.js";
import { bootFromCensus, type ZoneCensus } from "../core/from-census.js";
import { formatBuddyinfo, formatPagetypeinfo, procJson, type ProcJson } from "../proc/index.js";
import { formatVmstat, vmstatJson, vmstatView } from "../proc/vmstat.js";

export interface StepResult {
  /** The run is over: synced, the duration reached, idle, or given up as hung. Further steps do nothing. */
  done: boolean;
  /** Virtual time now, ns. */
  virtualNs: number;
  /** Events this step ran (at most maxEvents; fewer when the writers finished or the run ended). */
  events: number;
}

export interface ProcViews {
  /** /proc/buddyinfo, /proc/pagetypeinfo and /proc/vmstat as the kernel prints them. */
  buddyinfo: string;
  pagetypeinfo: string;
  vmstat: string;
  /** The same as numbers, with the extfrag and unusable indices. */
  json: ProcJson & { vmstat: Record<string, number> };
}

/** How run() drives the emulator: batches and the observers called between them. */
export interface DriveOptions {
  /** Events per batch (default: 200,000, or 2,000 with run.check_invariants). */
  batch?: number;
  /** Stop at this virtual time, ns, at the latest (fusewb proc --at). */
  untilNs?: number;
  /** Called after every batch: progress bars, the HTML report's pageblock maps. */
  onProgress?: (p: RunProgress) => void;
  /** Asked after every batch: true ends the run where it stands (the integrity check still runs; the outcome
   *  says `interrupted`). */
  shouldStop?: () => boolean;
}

export interface EmulatorOptions {
  costs?: CostModel;
  /** Boot from a real machine's census (host/proc-import) instead of an all-free machine. */
  census?: readonly ZoneCensus[];
}

export class Emulator {
  private readonly sim: Simulator;

  constructor(readonly config: SimConfig, module: WebAssembly.Module, opts: EmulatorOptions = {}) {
    this.sim = new Simulator(config, module, opts.costs);
    if (opts.census) bootFromCensus(this.sim.allocator, opts.census);
  }

  /** Runs to the end (the writers finish, then the final sync; or the duration), batch by batch. */
  run(opts: DriveOptions = {}): RunOutcome {
    return this.sim.run(opts.onProgress, opts.batch, opts.untilNs, opts.shouldStop);
  }

  /** run() that gives the event loop a turn every ~50 ms of wall time (Ctrl-C, timers); the same result. */
  runAsync(opts: DriveOptions = {}): Promise<RunOutcome> {
    return this.sim.runAsync(opts.onProgress, opts.batch, opts.untilNs, opts.shouldStop);
  }

  /** What the run came to so far (final once done). */
  outcome(): RunOutcome { return this.sim.outcome(); }

  /** The data's fate: written, persisted, lost, corrupt, pending (filled when the run is over). */
  integrity(): Integrity { return this.sim.integrity(); }

  /** Every pageblock's migratetype and what its pages hold now (the HTML report's maps). */
  pageblockMap(): PageblockCensus[] { return this.sim.pageblockMap(); }

  /** The same as one typed array, eight u16 a block (what the reports keep: cheap on a large machine). */
  pageblockTable(): PageblockTable { return this.sim.pageblockTable(); }

  /** Runs at most maxEvents events, as Simulator.run() does batch by batch (final sync included). */
  step(maxEvents: number): StepResult {
    const r = this.sim.step(maxEvents);
    return { done: r.done, virtualNs: this.virtualNs(), events: r.events };
  }

  get done(): boolean { return this.sim.done; }

  virtualNs(): number { return this.sim.virtualNs(); }

  /** Steps until the run is over; returns the report. */
  runToCompletion(batch = 200_000): RunReport {
    while (!this.step(batch).done);
    return this.report();
  }

  /** The simulator's counters by name (nr_dirty, nr_writeback, bytes_written, compact_stall, ...). */
  counters(): Record<StatName, number> { return this.sim.stats(); }

  zones(): ZoneView[] { return this.sim.zones(); }

  /** The FUSE bdi's /sys/kernel/debug/bdi/<bdi>/stats and the dirty throttle's estimates (dirty_ratelimit,
   *  write bandwidth), in pages and pages a second. */
  bdiStats(): Record<BdiStatName, number> { return this.sim.bdiStats(); }

  procViews(): ProcViews {
    const zones = this.sim.zones();
    const vmstat = vmstatView(zones, this.sim.stats());
    return {
      buddyinfo: formatBuddyinfo(zones),
      pagetypeinfo: formatPagetypeinfo(zones),
      vmstat: formatVmstat(vmstat),
      json: { ...procJson(zones), vmstat: vmstatJson(vmstat) },
    };
  }

  /** The run report (README "Report schema") of the state now; integrity is checked when the run is over. */
  report(opts: { timing?: boolean; samples?: boolean } = {}): RunReport {
    return buildReport(this.sim, this.sim.outcome(), { timing: opts.timing ?? false, samples: opts.samples ?? false });
  }

  /** The invariant checker (DESIGN.md section 5): null when all hold, else one line. */
  checkInvariants(): string | null { return this.sim.checkInvariants(); }
}
