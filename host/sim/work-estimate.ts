// What a run will cost, estimated before it starts: the virtual time it may cover, the events it will dispatch,
// the samples it will keep and the wasm32 memory the core needs. Two kinds of limit come of it:
//  - hard limits, what one wasm32 instance cannot hold (4 GiB in all) and the per-job file cap: refused always,
//    with the field to change (checkRunFits, called by every Simulator);
//  - a bound on the work, MAX_EVENTS: beyond it a run takes many minutes, so the commands refuse it unless
//    --force is given (checkRunEstimate), and say what makes it long.
import type { SimConfig } from "../scenario/sim-config.js";
import { formatDuration, formatSize } from "../scenario/units.js";
import { InputError } from "../util/input-error.js";

const GiB = 2 ** 30;
/** What one wasm32 instance can address. */
export const WASM32_BYTES = 4 * GiB;
/** A job's page tables (4 bytes a page each) stay under 1 GiB: the cap from when they were one block of the
 *  AssemblyScript runtime (BLOCK_MAXSIZE, just under 1 GiB). The core's arrays are now in its own arena
 *  (assembly/sim/arena.ts), and a file that large would not fit 4 GiB anyway (18 bytes a page of file data). */
const MAX_BLOCK_BYTES = GiB - 64;
/** Events a run may dispatch without --force: minutes of wall time (0.3 to 2 million events a second). */
export const MAX_EVENTS = 2e8;
/** Samples: one doubling array of 64-byte rows, at most 512 MiB. */
export const MAX_SAMPLES = 8_000_000;
/** A run with no duration gives up this long after its last progress (simulator.ts, HANG_HORIZON_NS). */
const HANG_HORIZON_NS = 600e9;
/** For a run without a duration: how fast its unlimited writers are assumed to go, to bound how long the other
 *  workloads run beside them. The modelled paths write 0.3 to 2.7 GiB/s; this is slower, so it over-counts. */
const ASSUMED_WRITE_BPS = 100 * 2 ** 20;
const TIMEOUT_TIMER_NS = 15e9;
/** How fast a time_based job is assumed to write, to count its work: 1 GiB/s a job, about what one free-running
 *  writer reaches in the cost model; jobs sharing a FUSE mount write less each. Its events are counted a write(2)
 *  and a request of max_pages at a time, four events each, not four a page as for a job bounded by its file: at
 *  four a page, the 2026 strictlimit job (scenarios/wb-bg-start.json, 667 k events) was counted at 1.3e8. */
const ASSUMED_TIME_BASED_BPS = 2 ** 30;
type FioWorkload = Extract<SimConfig["workloads"][number], { kind: "fio" }>;

/** How long one run of a job can take: runtime= bounds it (after its ramp), time_based fills it. */
function jobSpanNs(w: FioWorkload): number {
  const bySize = (w.size / (w.rateBps > 0 ? w.rateBps : ASSUMED_WRITE_BPS)) * 1e9;
  if (w.runtimeNs === 0) return bySize;
  const byTime = w.rampNs + w.runtimeNs;
  return w.timeBased ? byTime : Math.min(bySize, byTime);
}

/** Bytes one run of a job writes at most. */
function jobBytes(w: FioWorkload): number {
  if (!w.timeBased) return w.size;
  const bps = w.rateBps > 0 ? Math.min(w.rateBps, ASSUMED_TIME_BASED_BPS) : ASSUMED_TIME_BASED_BPS;
  return Math.max(w.size, (bps * (w.rampNs + w.runtimeNs)) / 1e9);
}

export interface WorkEstimate {
  /** Virtual time the run may cover, ns. */
  horizonNs: number;
  events: number;
  samples: number;
  memoryBytes: number;
  /** The largest contributor to `events`, for messages. */
  mostEvents: string;
}

const sci = (n: number): string => (n < 1e6 ? String(Math.round(n)) : n.toExponential(1));

/** Pages of file data the writers write: every fio job writes its own file. */
function filePages(config: SimConfig): number {
  return config.workloads.reduce((s, w) => s + (w.kind === "fio" ? Math.ceil(w.size / 4096) * w.numjobs : 0), 0);
}

function horizonNs(config: SimConfig, untilNs?: number): number {
  let h = config.run.durationNs;
  if (h === 0) {
    // until the writers are done: rate-limited ones take size / rate, the others are assumed slow
    for (const w of config.workloads)
      if (w.kind === "fio") h = Math.max(h, (config.run.fioRuns ?? 1) * jobSpanNs(w));
    const f = config.server.faults;
    if (f.stopAfterRequests > 0 || f.stopAtNs > 0 || f.dropFraction > 0 || f.slowFactor > 1) h += HANG_HORIZON_NS;
  }
  return untilNs === undefined ? h : Math.min(h, untilNs);
}

export function estimateWork(config: SimConfig, untilNs?: number): WorkEstimate {
  const H = horizonNs(config, untilNs);
  const seconds = H / 1e9;
  const parts: [string, number][] = [];
  for (const w of config.workloads) {
    if (w.kind === "churn") parts.push([`churn "${w.name}" at ${sci(w.ratePerSec)}/s for ${formatDuration(Math.round(H))}`, 2 * w.ratePerSec * seconds]);
    else if (w.kind === "highorder") parts.push([`highorder "${w.name}" every ${formatDuration(w.intervalNs)} for ${formatDuration(Math.round(H))}`, (H / w.intervalNs) * (w.holdNs > 0 ? 2 : 1)]);
    else {
      const bytes = jobBytes(w);
      const perJob = w.timeBased
        ? 4 * (Math.ceil(bytes / w.bs) + Math.ceil(bytes / (4096 * config.fuse.maxPages)))
        : Math.ceil(bytes / w.bs) + 4 * Math.ceil(bytes / 4096);
      parts.push([`fio "${w.name}" of ${formatSize(w.size)} in ${formatSize(w.bs)} writes${w.timeBased ? `, time_based for ${formatDuration(w.rampNs + w.runtimeNs)}` : ""}${(config.run.fioRuns ?? 1) > 1 ? `, ${config.run.fioRuns} runs` : ""}`, (config.run.fioRuns ?? 1) * w.numjobs * perJob]);
    }
  }
  const samples = H / config.run.sampleIntervalNs;
  parts.push([`a sample every ${formatDuration(config.run.sampleIntervalNs)} for ${formatDuration(Math.round(H))}`, samples]);
  parts.push(["request timeout checks", H / TIMEOUT_TIMER_NS]);
  const events = parts.reduce((s, [, n]) => s + n, 0);
  const most = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { horizonNs: H, events, samples, memoryBytes: memoryBytes(config, samples, seconds), mostEvents: `${most[0]}: ${sci(most[1])}` };
}

/** The core's linear memory: page metadata, the files' per-page arrays, data mode, samples, and the rest. */
function memoryBytes(config: SimConfig, samples: number, seconds: number): number {
  const m = config.machine;
  const pages = m.dma32Pages + m.normalPages + m.movablePages;
  const F = filePages(config);
  let bytes = 64 * 2 ** 20; // requests, events, rings, tables
  // struct page (12 B), the checker's marks (1 B); per pageblock: its type, the temp-page count, compaction's skip
  // bit and the report's map (20 B), a /proc census boot's regions, buddies and lists (71 B)
  bytes += pages * 13 + (pages / 512) * 96;
  bytes += F * 22.25; // per file page: its PFN, the server's tmpfs PFN, two content versions, its LRU slot, write_bytes_pending (u16), the DIRTY and unwritten bits
  // the file LRU's two rings, each with room for twice the folios that can be cached; with MGLRU, each of the four
  // generations' rings may come to hold every cached folio (the aging moves whole generations), at twice its live
  // entries, and leaves the halves it outgrew in the arena
  bytes += Math.min(F, pages) * (config.kernelConfig.lru === "mglru" ? 64 : 16);
  bytes += Math.min(samples, MAX_SAMPLES * 2) * 256; // a doubling array of 64-byte rows, and the ones it outgrew
  // live allocations: never more than were made, nor than the machine has pages for
  for (const w of config.workloads)
    if (w.kind === "churn") bytes += Math.min(w.ratePerSec * Math.min(w.lifetimeNs / 1e9, seconds), pages / 2 ** w.order) * 3 * 16;
  if (config.run.dataMode) bytes += pages * 4 + F * 4096 * 2 + Math.min(F, pages) * 4096; // frame map, images, the page cache's frames
  return bytes;
}

const gib = (b: number): string => `${(b / GiB).toFixed(1)} GiB`;

/** The hard limits: what does not fit one wasm32 instance is refused with the field to change. */
export function checkRunFits(config: SimConfig, source = "scenario"): void {
  const e = estimateWork(config);
  if (e.samples > MAX_SAMPLES) {
    const least = Math.ceil(e.horizonNs / MAX_SAMPLES);
    // without run.duration the run lasts as long as its fio jobs (a slow rate= makes that long): name the cause
    if (config.run.durationNs === 0)
      throw new InputError(`${source}: run.duration: not given, so the run lasts as long as its fio jobs, ${formatDuration(Math.round(e.horizonNs))} (their size over their rate=), and a sample every "${formatDuration(config.run.sampleIntervalNs)}" gives ${sci(e.samples)} samples where at most ${MAX_SAMPLES} fit; give run.duration, a higher rate=, or run.sample_interval of at least "${formatDuration(least)}"`);
    throw new InputError(`${source}: run.sample_interval: "${formatDuration(config.run.sampleIntervalNs)}" is not allowed; it gives ${sci(e.samples)} samples over ${formatDuration(Math.round(e.horizonNs))} and at most ${MAX_SAMPLES} fit; use at least "${formatDuration(least)}"`);
  }
  const maxFile = Math.floor(((MAX_BLOCK_BYTES / 4) * 4096) / GiB) * GiB; // a file's PFN table under 1 GiB
  for (const w of config.workloads)
    if (w.kind === "fio" && w.size > maxFile)
      throw new InputError(`${source}: workloads: fio "${w.name}" of size "${formatSize(w.size)}" is not allowed; one job writes at most "${formatSize(maxFile)}" (its page table stays under 1 GiB)`);
  if (e.memoryBytes > WASM32_BYTES) {
    const why = config.run.dataMode ? "run.data_mode keeps a 4 KiB frame per page of file data and two images of the files" : "the machine's pages and the files' pages";
    throw new InputError(`${source}: workloads, machine.memory: this run needs about ${gib(e.memoryBytes)} of wasm32 memory (${why}); one instance holds ${gib(WASM32_BYTES)}: write less (the fio jobs' size x numjobs)${config.run.dataMode ? ", or turn run.data_mode off" : ", or use a smaller machine"}`);
  }
}

/** The work bound: a run estimated beyond MAX_EVENTS is refused unless forced. */
export function checkRunEstimate(config: SimConfig, opts: { force?: boolean; untilNs?: number; source?: string } = {}): WorkEstimate {
  const e = estimateWork(config, opts.untilNs);
  if (!opts.force && e.events > MAX_EVENTS)
    throw new InputError(`${opts.source ?? "scenario"}: about ${sci(e.events)} events (most from ${e.mostEvents}) over ${formatDuration(Math.round(e.horizonNs))} of virtual time; runs are limited to ${sci(MAX_EVENTS)} events, minutes of wall time; shorten run.duration or the rates, or add --force to run it anyway`);
  return e;
}
