// The headline table of the copy-free patch (DESIGN.md 1.2): fio sync sequential write, 2 jobs, through
// passthrough_ll -o writeback -o max_threads=4 over tmpfs, bs 1k / 4k / 1M, legacy copy against copy-free, each the
// mean of the published method's 10 runs on one mount.
import type { SimConfig } from "../scenario/sim-config.js";
import { runScenario } from "./run-scenario.js";
import type { CostModel } from "./cost-model.js";
import type { EmulatorSpeed } from "./report.js";

/** Published MiB/s (Joanne Koong's series, cover letter): legacy -> copy-free. */
export const PUBLISHED = [
  { bs: "1k", bytes: 1024, legacy: 351, nocopy: 341 },
  { bs: "4k", bytes: 4096, legacy: 1818, nocopy: 2246 },
  { bs: "1M", bytes: 1 << 20, legacy: 1851, nocopy: 2685 },
] as const;

export interface FioTableRow {
  bs: "1k" | "4k" | "1M";
  legacyMiBps: number;
  nocopyMiBps: number;
  gainPct: number;
  publishedLegacyMiBps: number;
  publishedNocopyMiBps: number;
  publishedGainPct: number;
  /** The runs averaged (the published table: 10 runs on one mount), and the first of them alone (a fresh mount). */
  runs: number;
  firstRunLegacyMiBps: number;
  firstRunNocopyMiBps: number;
  /** What-ifs of the runs (configurations their kernels do not have; empty on the kernel's own). */
  whatIf: string[];
  /** What each run cost in wall time (report.ts: EmulatorSpeed; the whole run and the loop alone). */
  emulator: { legacy: EmulatorSpeed; nocopy: EmulatorSpeed };
}

const pct = (a: number, b: number): number => Math.round((b / a - 1) * 1000) / 10;

/** The published method: "averages observed from 10 runs, throwing away outliers", on one passthrough_ll mount
 *  (cover letter of the series). Which runs were thrown away is not said: the model averages all of them. */
export const PUBLISHED_RUNS = 10;

/** Runs the table on `base` (scenarios/default.json), overriding bs (and size per job when given): each row is
 *  the mean of `runs` runs of the jobs back to back on one mount (run.fio_runs). */
export function fioTable(base: SimConfig, module: WebAssembly.Module, opts: { sizeBytes?: number; costs?: CostModel; runs?: number } = {}): FioTableRow[] {
  const runs = opts.runs ?? PUBLISHED_RUNS;
  return PUBLISHED.map((p) => {
    const run = (policy: "legacy-copy" | "nocopy") => runScenario({
      ...base,
      run: { ...base.run, fioRuns: runs },
      policy,
      workloads: base.workloads.map((w) => (w.kind === "fio" ? { ...w, bs: p.bytes, size: opts.sizeBytes ?? w.size } : w)),
    }, { module, timing: true, costs: opts.costs });
    const l = run("legacy-copy"), n = run("nocopy");
    const speed = (r: typeof l): EmulatorSpeed => r.emulator!;
    return {
      bs: p.bs,
      legacyMiBps: Math.round(l.modelled.throughputMiBps),
      nocopyMiBps: Math.round(n.modelled.throughputMiBps),
      gainPct: pct(l.modelled.throughputMiBps, n.modelled.throughputMiBps),
      publishedLegacyMiBps: p.legacy,
      publishedNocopyMiBps: p.nocopy,
      publishedGainPct: pct(p.legacy, p.nocopy),
      runs,
      firstRunLegacyMiBps: Math.round(l.modelled.fioRunsMiBps[0] ?? 0),
      firstRunNocopyMiBps: Math.round(n.modelled.fioRunsMiBps[0] ?? 0),
      whatIf: [...new Set([...l.whatIf, ...n.whatIf])],
      emulator: { legacy: speed(l), nocopy: speed(n) },
    };
  });
}
