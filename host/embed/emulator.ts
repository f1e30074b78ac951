// The embedding API's emulator: one Simulator driven a batch of events at a time, with read-only views of it
// between steps. No Node-only import here (browsers use it): the caller brings the compiled core.
import type { SimConfig } from "../scenario/sim-config.js";
import { Simulator, type RunOutcome } from "../sim/simulator.js";
import { buildReport, type RunReport } from "../sim/report.js";
import { RUN_STATUS, type StatName } from "../sim/layout.js";
import type { CostModel } from "../sim/cost-model.js";
import type { ZoneView } from "../core/allocator-model.js";
import { bootFromCensus, type ZoneCensus } from "../core/from-census.js";
import { describeInvariant } from "../core/invariant-codes.js";
import { formatBuddyinfo, formatPagetypeinfo, procJson, type ProcJson } from "../proc/index.js";
import { formatVmstat, vmstatJson, vmstatView } from "../proc/vmstat.js";

/** The core's run-loop exports (assembly/sim/run.ts), as Simulator.run() uses them. */
interface RunLoopExports {
  sim_run(maxEvents: number, untilNs: number, check: number): number;
  sim_sync_all(): void;
  sim_all_clean(): number;
  sim_writers_blocked(): number;
  integrity_check(): void;
  sim_check_invariants(): number;
  sim_invariant_where(): number;
}

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

/** A run with no duration gives up 10 virtual minutes after its last progress (as Simulator.run()). */
const HANG_HORIZON_NS = 600e9;

export class Emulator {
  private readonly sim: Simulator;
  private readonly loop: RunLoopExports;
  private horizon: number;
  private lastBytes = -1;
  private writersDone = false;
  private synced = false;
  private finished = false;
  private wallMs = 0;

  /** census: boot from a real machine's census (host/proc-import) instead of an all-free machine. */
  constructor(readonly config: SimConfig, module: WebAssembly.Module, opts: { costs?: CostModel; census?: readonly ZoneCensus[] } = {}) {
    this.sim = new Simulator(config, module, opts.costs);
    if (opts.census) bootFromCensus(this.sim.allocator, opts.census);
    this.loop = this.sim.allocator.core as unknown as RunLoopExports;
    this.horizon = config.run.durationNs > 0 ? config.run.durationNs : HANG_HORIZON_NS;
  }

  /** Runs at most maxEvents events, the way Simulator.run() does batch by batch (final sync included). */
  step(maxEvents: number): StepResult {
    const before = this.sim.stat("events");
    if (!this.finished) {
      const start = performance.now();
      const check = this.config.run.checkInvariants ? 1 : 0;
      const duration = this.config.run.durationNs;
      const status = this.loop.sim_run(Math.max(1, Math.floor(maxEvents)), this.horizon, check);
      if (status === RUN_STATUS.INVARIANT)
        throw new Error(`after ${this.virtualNs()} ns: ${describeInvariant(this.loop.sim_check_invariants(), this.loop.sim_invariant_where() >>> 0)}`);
      const bytes = this.sim.stat("bytes_written");
      if (duration === 0 && bytes !== this.lastBytes) { this.horizon = this.virtualNs() + HANG_HORIZON_NS; this.lastBytes = bytes; }
      if (status === RUN_STATUS.WRITERS_DONE) {
        this.writersDone = true;
        if (duration === 0) this.loop.sim_sync_all();
      } else if (status === RUN_STATUS.SYNCED) {
        this.synced = true;
        this.finish();
      } else if (status === RUN_STATUS.TIME_LIMIT || status === RUN_STATUS.IDLE) {
        this.finish();
      }
      this.wallMs += performance.now() - start;
    }
    return { done: this.finished, virtualNs: this.virtualNs(), events: this.sim.stat("events") - before };
  }

  private finish(): void {
    if (this.writersDone && this.loop.sim_all_clean()) this.synced = true;
    this.loop.integrity_check();
    this.finished = true;
  }

  get done(): boolean { return this.finished; }

  virtualNs(): number { return this.sim.virtualNs(); }

  /** Steps until the run is over; returns the report. */
  runToCompletion(batch = 200_000): RunReport {
    while (!this.step(batch).done);
    return this.report();
  }

  /** The simulator's counters by name (nr_dirty, nr_writeback, bytes_written, compact_stall, ...). */
  counters(): Record<StatName, number> { return this.sim.stats(); }

  zones(): ZoneView[] { return this.sim.zones(); }

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
    const outcome: RunOutcome = { writersDone: this.writersDone, synced: this.synced, writersBlocked: this.loop.sim_writers_blocked(), wallMs: this.wallMs };
    return buildReport(this.sim, outcome, { timing: opts.timing ?? false, samples: opts.samples ?? false });
  }

  /** The invariant checker (DESIGN.md section 5): null when all hold, else one line. */
  checkInvariants(): string | null { return this.sim.checkInvariants(); }
}
