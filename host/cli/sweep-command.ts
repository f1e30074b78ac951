// `fusewb sweep <scenario> --vary path=v1,v2 ...`: the cartesian product of the varied fields (each under the
// scenario's policies), run on worker threads, printed as JSON lines in index order; --shard i/n runs
// every n-th run only, for batch runners; `fusewb merge` joins the shards again.
import type { Command } from "./command.js";
import { InputError } from "../util/input-error.js";
import { wholeNumberOption } from "./whole-number.js";
import { writeOutputFile, checkOutputPath } from "../util/files.js";
import { checkRunFits, checkRunEstimate } from "../sim/work-estimate.js";
import { interruptRequested, EXIT_INTERRUPTED } from "./interrupt.js";
import { readText, parseSeed } from "./scenario-input.js";
import { parseJsonText } from "../scenario/resolve.js";
import { parseVary } from "../sweep/vary.js";
import { parseShard, inShard, NO_SHARD } from "../sweep/shard.js";
import { planSweep } from "../sweep/plan.js";
import { defaultWorkers } from "../sweep/pool.js";
import { runPoolWithProgress } from "./pool-progress.js";
import { lineFailed, sweepLineText, type SweepLine } from "../sweep/run-job.js";
import { formatSweepTable } from "../sweep/table.js";
import { sweepPlotSvg } from "../sweep/plot.js";

export function parseJobs(text: string | undefined): number {
  if (text === undefined) return defaultWorkers();
  return wholeNumberOption(text, 1, 1024, `--jobs: "${text}" is not allowed; use a whole number of worker threads from 1 to 1024`);
}

export const sweepCommand: Command = {
  name: "sweep",
  usage: "sweep <scenario.json> --vary key=v1,v2... [--vary ...] [--policy p[,p]] [--set key=value]... [--seed n] [--shard i/n] [--jobs n] [--out file] [--table] [--plot file.svg]",
  summary: "run every combination of the --vary values (first --vary slowest) on worker threads; JSON lines { index, of, vary, policy, report } in index order",
  options: {
    vary: { type: "string", multiple: true, help: "a field and its values, e.g. --vary fuse.max_pages=32,256 (values as --set reads them)" },
    policy: { type: "string", help: "policies for every combination, comma-separated (default: the scenario's policies, or its policy)" },
    set: { type: "string", multiple: true, help: "override a field in every run, e.g. --set run.duration=5s" },
    seed: { type: "string", help: "the PRNG seed of every run (overrides run.seed)" },
    shard: { type: "string", help: "run only shard i of n (0-based): runs k with k mod n = i" },
    jobs: { type: "string", help: "worker threads (default: every core, os.availableParallelism())" },
    out: { type: "string", help: "write the JSON lines to this file instead of standard output" },
    table: { type: "boolean", help: "print a table of the key metrics instead of JSON lines (JSON still goes to --out)" },
    plot: { type: "string", help: "write an SVG chart of MiB/s against the first --vary field (numeric), a line per other combination" },
    json: { type: "boolean", help: "print JSON lines (the default)" },
    force: { type: "boolean", help: "run even when a run's work estimate is above the limit" },
    "no-timing": { type: "boolean", help: "accepted as run takes it; sweep lines never carry the emulator's wall-clock section" },
  },
  async run(args, values) {
    if (args.length !== 1) throw new InputError("sweep: give exactly one scenario file (or - for standard input)");
    if (values.json && values.table) throw new InputError("sweep: --json and --table exclude each other; --out keeps the JSON lines with --table");
    if (values.out !== undefined) checkOutputPath("--out", values.out as string);
    if (values.plot !== undefined) checkOutputPath("--plot", values.plot as string);
    const source = args[0] === "-" ? "stdin" : args[0]!;
    const seed = parseSeed(values.seed as string | undefined);
    const jobs = planSweep({
      scenario: parseJsonText(readText(args[0]!), source),
      source,
      varies: ((values.vary as string[] | undefined) ?? []).map(parseVary),
      sets: (values.set as string[] | undefined) ?? [],
      ...(values.policy !== undefined ? { policyOption: values.policy as string } : {}),
      extraOverrides: seed === undefined ? [] : [`run.seed=${seed}`],
    });
    const shard = values.shard === undefined ? NO_SHARD : parseShard(values.shard as string);
    const mine = jobs.filter((j) => inShard(j.index, shard));
    // before any worker starts: every run must fit wasm32, and each must be within the work bound
    for (const j of mine) {
      checkRunFits(j.config, `sweep run ${j.index}`);
      checkRunEstimate(j.config, { force: Boolean(values.force), source: `sweep run ${j.index}` });
    }
    const workers = parseJobs(values.jobs as string | undefined);
    const stream = !values.table && values.out === undefined && values.plot === undefined;
    const lines = await runPoolWithProgress(mine, {
      workers,
      label: "sweep",
      onLine: (line: SweepLine) => { if (stream) process.stdout.write(sweepLineText(line) + "\n"); },
    });
    if (values.out !== undefined) writeOutputFile("--out", values.out as string, lines.map((l) => sweepLineText(l) + "\n").join(""));
    if (values.table) process.stdout.write(formatSweepTable(lines));
    if (values.plot !== undefined) writeOutputFile("--plot", values.plot as string, sweepPlotSvg(lines));
    const failed = lines.filter(lineFailed);
    for (const l of failed) process.stderr.write(`fusewb: run ${l.index} (${l.policy}): ${l.error ?? `${l.report?.integrity.corrupt} corrupt pages`}\n`);
    if (interruptRequested()) {
      process.stderr.write(`fusewb: interrupted: ${lines.length} of ${mine.length} runs done and printed; the others did not finish\n`);
      return EXIT_INTERRUPTED;
    }
    return failed.length > 0 ? 1 : 0;
  },
};
