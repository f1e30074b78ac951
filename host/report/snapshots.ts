// Runs one SimConfig and keeps pageblock maps from a few moments of it, for the HTML report: when a quarter,
// half and three quarters of the writers' data has been written (or of the duration has passed), when the
// writers are done, and at the end. No Node import: the browser demo runs scenarios through this too.
import type { SimConfig } from "../scenario/sim-config.js";
import type { RunProgress, RunOutcome } from "../sim/simulator.js";
import type { PageblockTable } from "../sim/pageblock-table.js";
import type { RunReport } from "../sim/report.js";
import type { ZoneCensus } from "../core/from-census.js";
import { Emulator } from "../embed/emulator.js";
import type { CostModel } from "../sim/cost-model.js";
import type { ZoneStart } from "./pageblock-map.js";
import { seconds } from "./xml.js";

export interface PageblockSnapshot {
  label: string;
  tNs: number;
  blocks: PageblockTable;
}

export interface CapturedRun {
  report: RunReport;
  snapshots: PageblockSnapshot[];
  zones: ZoneStart[];
}

export interface CaptureOptions {
  module: WebAssembly.Module;
  costs?: CostModel;
  timing?: boolean;
  onProgress?: (p: RunProgress) => void;
  /** Moments, as fractions of the data written (or of the duration when the run has one). */
  fractions?: readonly number[];
  /** Fewer samples than this and the run is repeated with a finer sample interval (see captureRun). */
  minSamples?: number;
  /** Asked between batches: true ends the run where it stands (a partial report). */
  shouldStop?: () => boolean;
  /** Start from a real machine's census (--from-proc) instead of a fresh boot. */
  census?: readonly ZoneCensus[];
}

/** The simulator looks at the machine only between batches; small batches put the maps close to their
 *  moments. A sim_run call costs about as much as a handful of events, so this costs a few percent. */
const BATCH_EVENTS = 64;
const TARGET_SAMPLES = 200;

function fioBytes(config: SimConfig): number {
  return config.workloads.reduce((s, w) => s + (w.kind === "fio" ? w.size * w.numjobs : 0), 0);
}

/** A run being captured: the simulator, the progress callback that takes the maps, and the end. */
function startCapture(config: SimConfig, opts: CaptureOptions): { emu: Emulator; onProgress: (p: RunProgress) => void; end: (outcome: RunOutcome) => CapturedRun } {
  const emu = new Emulator(config, opts.module, { ...(opts.costs ? { costs: opts.costs } : {}), ...(opts.census ? { census: opts.census } : {}) });
  const total = fioBytes(config);
  const duration = config.run.durationNs;
  const fractions = [...(opts.fractions ?? [0.25, 0.5, 0.75])].sort((a, b) => a - b);
  const snapshots: PageblockSnapshot[] = [];
  const take = (label: string, tNs: number): void => { snapshots.push({ label, tNs, blocks: emu.pageblockTable() }); };
  let next = 0, writersDone = total === 0;
  const onProgress = (p: RunProgress): void => {
    opts.onProgress?.(p);
    // Time moments when the run has a duration (the writers may never finish), else data moments.
    const at = duration > 0 ? p.virtualNs / duration : p.bytesWritten / (total || 1);
    let crossed = -1;
    while (next < fractions.length && at >= fractions[next]!) crossed = next++;
    if (crossed >= 0 && !(total > 0 && p.bytesWritten >= total)) {
      const what = duration > 0 ? "of the duration" : `written (${Math.round(p.bytesWritten / 2 ** 20)} MiB)`;
      take(`${Math.round(at * 100)}% ${what}, t = ${seconds(p.virtualNs)}`, p.virtualNs);
    }
    if (!writersDone && p.bytesWritten >= total) {
      writersDone = true;
      take(`writers done, t = ${seconds(p.virtualNs)}`, p.virtualNs);
    }
  };
  const end = (outcome: RunOutcome): CapturedRun => {
    take(`end${outcome.synced ? " (after the final sync)" : ""}, t = ${seconds(emu.virtualNs())}`, emu.virtualNs());
    const report = emu.report({ timing: opts.timing ?? true, samples: true });
    return { report, snapshots, zones: emu.zones().map((z) => ({ name: z.name, startPfn: z.startPfn })) };
  };
  return { emu, onProgress, end };
}

function captureOnce(config: SimConfig, opts: CaptureOptions): CapturedRun {
  const c = startCapture(config, opts);
  return c.end(c.emu.run({ batch: BATCH_EVENTS, onProgress: c.onProgress, ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}) }));
}

async function captureOnceAsync(config: SimConfig, opts: CaptureOptions): Promise<CapturedRun> {
  const c = startCapture(config, opts);
  return c.end(await c.emu.runAsync({ batch: BATCH_EVENTS, onProgress: c.onProgress, ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}) }));
}

/** The interval that gives a run of `virtualNs` about TARGET_SAMPLES samples, if it had too few. */
function finerInterval(first: CapturedRun, opts: CaptureOptions): number | null {
  const virtualNs = first.report.modelled.virtualNs;
  if ((first.report.samples?.length ?? 0) >= (opts.minSamples ?? 50) || virtualNs <= 0 || first.report.interrupted) return null;
  return Math.max(1000, Math.floor(virtualNs / TARGET_SAMPLES));
}

/** Runs the config with samples and maps. A run shorter than a few sample intervals would give charts of one
 *  or two points, so it is repeated with the interval set to about 1/200 of its length. Sample events only
 *  read counters, so the second run is the same run sampled more finely: the same counters and peaks; only
 *  the time the run is seen to end may move, by less than one sample interval. */
export function captureRun(config: SimConfig, opts: CaptureOptions): CapturedRun {
  const first = captureOnce(config, opts);
  const sampleIntervalNs = finerInterval(first, opts);
  return sampleIntervalNs === null ? first : captureOnce({ ...config, run: { ...config.run, sampleIntervalNs } }, opts);
}

/** captureRun() that lets the event loop in between batches: for commands that stop on Ctrl-C. */
export async function captureRunAsync(config: SimConfig, opts: CaptureOptions): Promise<CapturedRun> {
  const first = await captureOnceAsync(config, opts);
  const sampleIntervalNs = finerInterval(first, opts);
  return sampleIntervalNs === null ? first : captureOnceAsync({ ...config, run: { ...config.run, sampleIntervalNs } }, opts);
}
