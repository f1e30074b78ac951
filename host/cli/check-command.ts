// `fusewb check <scenario|dir>...`: run the runs the scenarios' expectations name on worker threads, and print
// TAP 14 (and JUnit XML with --junit): a test point per run, per check and run, per snapshot. Exit 1 when one
// fails, 2 on bad input. `--shard i/n` runs one shard of the runs and prints their JSON lines instead;
// `fusewb merge` joins the shards and `check --from merged.jsonl` evaluates them.
import type { Command } from "./command.js";
import { InputError } from "../util/input-error.js";
import { checkOutputPath, readInputFile, writeOutputFile } from "../util/files.js";
import { checkRunEstimate } from "../sim/work-estimate.js";
import { interruptRequested, EXIT_INTERRUPTED } from "./interrupt.js";
import { parseJobs } from "./sweep-command.js";
import { parseShard, inShard } from "../sweep/shard.js";
import { runPoolWithProgress } from "./pool-progress.js";
import { mergeShards } from "../sweep/merge.js";
import { lineFailed, sweepLineText, type SweepLine } from "../sweep/run-job.js";
import { expandScenarioPaths, planCheck } from "../check/plan.js";
import { linesMatchPlan, outcomesOf, scenarioResult } from "../check/run-check.js";
import { TAP_HEADER, tapSubtest, tapTrailer, type ScenarioResult } from "../check/tap.js";
import { formatJunit } from "../check/junit.js";

export const checkCommand: Command = {
  name: "check",
  usage: "check <scenario.json|dir>... [--junit file.xml] [--update] [--shard i/n] [--out runs.jsonl] [--from runs.jsonl] [--jobs n]",
  summary: "run what the scenarios' `expect` sections name, evaluate the checks and snapshots, print TAP 14; exit 1 if one fails",
  options: {
    junit: { type: "string", help: "also write the results as JUnit XML to this file" },
    update: { type: "boolean", help: "write each scenario's snapshot (x.snapshot.json beside x.json) from this run instead of comparing with it" },
    shard: { type: "string", help: "run only shard i of n (0-based) of the runs and print their JSON lines; merge the shards with fusewb merge, then check --from" },
    out: { type: "string", help: "also write the runs' JSON lines (the format of sweep, --shard and --from) to this file" },
    from: { type: "string", help: "evaluate the merged JSON lines of every shard (fusewb merge) instead of running" },
    jobs: { type: "string", help: "worker threads (default: every core)" },
    force: { type: "boolean", help: "run even when a run's work estimate is above the limit" },
  },
  async run(args, values) {
    const shardText = values.shard as string | undefined, from = values.from as string | undefined;
    const out = values.out as string | undefined, junit = values.junit as string | undefined;
    if (shardText !== undefined && from !== undefined) throw new InputError("check: --shard and --from exclude each other; run the shards, merge them, then check --from the merged lines");
    if (shardText !== undefined && (values.update || junit !== undefined)) throw new InputError(`check: ${values.update ? "--update" : "--junit"} is not allowed with --shard; a shard only runs, check --from evaluates`);
    if (out !== undefined) checkOutputPath("--out", out);
    if (junit !== undefined) checkOutputPath("--junit", junit);
    const plan = planCheck(expandScenarioPaths(args));
    const shard = shardText === undefined ? undefined : parseShard(shardText);
    const mine = shard ? plan.jobs.filter((j) => inShard(j.index, shard)) : plan.jobs;
    let lines: SweepLine[];
    const results: ScenarioResult[] = [];
    // a scenario's runs are numbered together: once its last one is in, its test points can be printed
    const lastJob = plan.scenarios.map((_, s) => plan.owners.reduce((last, o, i) => (o.scenario === s ? i : last), -1));
    const byIndex = new Map<number, SweepLine>();
    let nextScenario = 0;
    const emitReady = (upTo: number): void => {
      while (nextScenario < plan.scenarios.length && lastJob[nextScenario]! <= upTo) {
        const r = scenarioResult(plan.scenarios[nextScenario]!, outcomesOf(plan, nextScenario, byIndex), { update: Boolean(values.update) });
        results.push(r);
        process.stdout.write(tapSubtest(results.length, r));
        nextScenario++;
      }
    };
    // merged lines that do not fit the plan are bad input: one line on stderr, before any TAP
    let merged: ReturnType<typeof mergeShards> | undefined;
    if (from !== undefined) {
      merged = mergeShards([{ source: from, text: readInputFile(from, "shard") }]);
      linesMatchPlan(plan, merged.parsed, from);
    }
    if (!shard) process.stdout.write(TAP_HEADER);
    if (merged !== undefined) {
      lines = merged.parsed;
      for (const l of lines) byIndex.set(l.index, l);
      emitReady(plan.jobs.length - 1);
    } else {
      for (const j of mine) checkRunEstimate(j.config, { force: Boolean(values.force), source: `${String(j.vary.scenario)} ${j.policy}/${String(j.vary.server)}` });
      try {
        lines = await runPoolWithProgress(mine, {
          workers: parseJobs(values.jobs as string | undefined),
          label: "check",
          onLine: (line) => {
            if (shard) {
              if (out === undefined) process.stdout.write(sweepLineText(line) + "\n");
              return;
            }
            byIndex.set(line.index, line);
            emitReady(line.index);
          },
        });
      } catch (e) {
        if (e instanceof InputError && !shard) process.stdout.write(`Bail out! ${e.message.replace(/[\r\n]+/g, " ")}\n`);
        throw e;
      }
    }
    if (out !== undefined) writeOutputFile("--out", out, lines.map((l) => sweepLineText(l) + "\n").join(""));
    if (interruptRequested()) {
      if (!shard) process.stdout.write("Bail out! interrupted\n");
      process.stderr.write(`fusewb: interrupted: ${lines.length} of ${mine.length} runs done; ${results.length} of ${plan.scenarios.length} scenarios evaluated\n`);
      return EXIT_INTERRUPTED;
    }
    if (shard) {
      const failed = lines.filter(lineFailed);
      for (const l of failed) process.stderr.write(`fusewb: run ${l.index} (${String(l.vary.scenario)} ${l.policy}/${String(l.vary.server)}): ${l.error ?? `${l.report?.integrity.corrupt} corrupt pages`}\n`);
      return failed.length > 0 ? 1 : 0;
    }
    process.stdout.write(tapTrailer(results));
    if (junit !== undefined) writeOutputFile("--junit", junit, formatJunit(results));
    const failures = results.flatMap((r) => r.points).filter((p) => !p.ok);
    // one line each, whatever a check's name holds (TAP escapes it its own way)
    for (const p of failures) process.stderr.write(`fusewb: check failed: ${(p.failure ?? p.description).replace(/[\r\n]+/g, " ")}\n`);
    return failures.length > 0 ? 1 : 0;
  },
};
