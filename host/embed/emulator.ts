// The embedding API's emulator: one Simulator driven a batch of events at a time, with read-only views of it
// between steps. No Node-only import here (browsers use it): the caller brings the compiled core.
import type { SimConfig } from "../scenario/sim-config.js";
import { Simulator } from "../sim/simulator.js";
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

export class Emulator {
  private readonly sim: Simulator;

  /** census: boot from a real machine's census (host/proc-import) instead of an all-free machine. */
  constructor(readonly config: SimConfig, module: WebAssembly.Module, opts: { costs?: CostModel; census?: readonly ZoneCensus[] } = {}) {
    this.sim = new Simulator(config, module, opts.costs);
    if (opts.census) bootFromCensus(this.sim.allocator, opts.census);
  }

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
