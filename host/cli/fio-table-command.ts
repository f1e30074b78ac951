// `fusewb fio-table`: the patch's fio table from the model, beside the published numbers.
import type { Command } from "./command.js";
import { InputError } from "../util/input-error.js";
import { loadScenario } from "./scenario-input.js";
import { fioTable, PUBLISHED_RUNS } from "../sim/fio-table.js";
import { coreModuleSync } from "../core/load-node.js";
import { parseSize } from "../scenario/units.js";
import { checkRunFits, checkRunEstimate } from "../sim/work-estimate.js";
import { wholeNumberOption } from "./whole-number.js";

const LARGEST_BS = 1 << 20;

/** --runs: a whole number of runs, 1 to 100 (run.fio_runs' bounds). */
function parseRuns(text: string): number {
  return wholeNumberOption(text, 1, 100, `fio-table: --runs: "${text}" is not allowed; use a whole number from 1 to 100`);
}

const DEFAULT_SCENARIO = new URL("../../scenarios/default.json", import.meta.url);

export const fioTableCommand: Command = {
  name: "fio-table",
  usage: "fio-table [scenario.json] [--size 2G] [--runs 10] [--set key=value]... [--json]",
  summary: "bs 1k/4k/1M, legacy-copy against nocopy, modelled MiB/s beside the published ones (default: scenarios/default.json)",
  options: {
    size: { type: "string", help: "bytes per job (default: the scenario's, 2G)" },
    runs: { type: "string", help: `runs of the jobs averaged per row, back to back on one mount (default ${PUBLISHED_RUNS}, the published method)` },
    set: { type: "string", multiple: true, help: "override a scenario field in every run, e.g. --set machine.bdi.wb_bg_start=true" },
    json: { type: "boolean", help: "print [{ bs, legacyMiBps, nocopyMiBps, gainPct, publishedGainPct, ... }]" },
    force: { type: "boolean", help: "run even when the work estimate is above the limit" },
  },
  run(args, values) {
    if (args.length > 1) throw new InputError("fio-table: at most one scenario file");
    const path = args[0] ?? DEFAULT_SCENARIO.pathname;
    // every row writes whole blocks of its bs: the largest, 1M, must fit a job at least once
    const sizeBytes = values.size === undefined ? undefined : parseSize(values.size as string, "--size", { min: LARGEST_BS });
    const runs = values.runs === undefined ? PUBLISHED_RUNS : parseRuns(values.runs as string);
    const base = loadScenario(path, (values.set as string[] | undefined) ?? []).config;
    // the table sets each fio job's bs: a scenario without one has nothing to measure
    if (!base.workloads.some((w) => w.kind === "fio"))
      throw new InputError(`fio-table: ${args[0] ?? "the default scenario"}: workloads: no fio workload; the table runs the scenario's fio jobs at bs 1k, 4k and 1M`);
    // the 1k row is the most work: a write(2) per KiB
    const heaviest = { ...base, run: { ...base.run, fioRuns: runs }, workloads: base.workloads.map((w) => (w.kind === "fio" ? { ...w, bs: 1024, size: sizeBytes ?? w.size } : w)) };
    checkRunFits(heaviest, "--size");
    checkRunEstimate(heaviest, { force: Boolean(values.force), source: "fio-table" });
    const rows = fioTable(base, coreModuleSync(), { sizeBytes, runs });
    if (values.json) {
      process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
      return 0;
    }
    const lines = [runs > 1 ? `mean of ${runs} runs on one mount (the first run alone, a fresh mount, in brackets)` : "one run on a fresh mount",
      "bs      legacy MiB/s     nocopy MiB/s   gain   published: legacy  nocopy   gain"];
    for (const r of rows) {
      const cell = (mean: number, first: number): string => (runs > 1 ? `${mean} (${first})` : String(mean)).padStart(16);
      lines.push(`${r.bs.padEnd(4)} ${cell(r.legacyMiBps, r.firstRunLegacyMiBps)} ${cell(r.nocopyMiBps, r.firstRunNocopyMiBps)} ${(r.gainPct.toFixed(1) + "%").padStart(7)}` +
        `   ${String(r.publishedLegacyMiBps).padStart(16)} ${String(r.publishedNocopyMiBps).padStart(7)} ${(r.publishedGainPct.toFixed(1) + "%").padStart(7)}`);
    }
    for (const w of rows[0]?.whatIf ?? []) lines.push(`what-if: ${w}`);
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};
