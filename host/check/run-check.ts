// A check from end to end: plan the runs, run them on the sweep's worker pool (or take them from the merged
// output of sharded checks), and turn each scenario's reports into test points: the runs, the checks, the
// snapshot. The CLI (host/cli/check-command.ts) prints the points as they come; tests call runCheck().
import { existsSync } from "node:fs";
import { InputError } from "../util/input-error.js";
import { runPool } from "../sweep/pool.js";
import type { SweepLine } from "../sweep/run-job.js";
import type { CostModel } from "../sim/cost-model.js";
import { evaluateChecks, runPoints, type RunOutcome } from "./evaluate.js";
import { checkSnapshotPaths, compareSnapshot, obsoleteRuns, readSnapshot, takeSnapshot, writeSnapshot } from "./snapshot.js";
import type { CheckPlan, ScenarioPlan } from "./plan.js";
import type { ScenarioResult } from "./tap.js";

/** One scenario's test points from the outcomes of its runs; with `update`, its snapshot is written first. */
export function scenarioResult(plan: ScenarioPlan, outcomes: ReadonlyMap<string, RunOutcome>, opts: { update?: boolean } = {}): ScenarioResult {
  const points = [...runPoints(plan, outcomes), ...evaluateChecks(plan, outcomes)];
  const comments: string[] = [];
  if (opts.update) {
    // takeSnapshot() resolves every kept field in every run's report
    const snap = takeSnapshot(plan, outcomes);
    writeSnapshot(plan, snap);
    comments.push(`snapshot written: ${plan.snapshotPath} (${Object.keys(snap.runs).length} runs)`);
  } else {
    // the scenario's own fields are checked whether or not a snapshot was written yet
    if (plan.expect?.snapshot?.paths) checkSnapshotPaths(plan, outcomes);
    if (existsSync(plan.snapshotPath)) {
      const saved = readSnapshot(plan.snapshotPath);
      points.push(...compareSnapshot(plan, saved, outcomes));
      for (const label of obsoleteRuns(plan, saved)) comments.push(`${plan.snapshotPath} keeps ${label}, which this check no longer runs (--update drops it)`);
    }
  }
  return { source: plan.source, points, comments };
}

/** The outcome of each run of one scenario, from the lines of its jobs. */
export function outcomesOf(plan: CheckPlan, scenario: number, lines: ReadonlyMap<number, SweepLine>): Map<string, RunOutcome> {
  const out = new Map<string, RunOutcome>();
  plan.owners.forEach((o, index) => {
    if (o.scenario !== scenario) return;
    const line = lines.get(index);
    if (line) out.set(o.run.key, line.report ? { report: line.report } : { error: line.error ?? "no report" });
  });
  return out;
}

/** Checks that merged lines (`fusewb merge` of `check --shard` outputs) are the runs this plan makes. */
export function linesMatchPlan(plan: CheckPlan, lines: readonly SweepLine[], source: string): void {
  if (lines.length > 0 && lines[0]!.of !== plan.jobs.length)
    throw new InputError(`${source}: its runs are from a check of ${lines[0]!.of} runs, but these scenarios make ${plan.jobs.length}; give the scenarios the shards were given`);
  for (const line of lines) {
    const job = plan.jobs[line.index];
    if (!job || job.policy !== line.policy || JSON.stringify(job.vary) !== JSON.stringify(line.vary))
      throw new InputError(`${source}: run ${line.index} is ${JSON.stringify({ ...line.vary, policy: line.policy })}, but this check's run ${line.index} is ${job ? JSON.stringify({ ...job.vary, policy: job.policy }) : "none"}; give the scenarios the shards were given, in the same order`);
  }
}

/** Every scenario's result once all runs are done (for tests and embedders; the CLI streams instead). */
export async function runCheck(plan: CheckPlan, opts: { workers?: number; update?: boolean; costs?: CostModel } = {}): Promise<{ results: ScenarioResult[]; lines: SweepLine[] }> {
  const jobs = opts.costs ? plan.jobs.map((j) => ({ ...j, costs: opts.costs })) : plan.jobs;
  const lines = await runPool(jobs, { ...(opts.workers !== undefined ? { workers: opts.workers } : {}) });
  const byIndex = new Map(lines.map((l) => [l.index, l]));
  const results = plan.scenarios.map((s, i) => scenarioResult(s, outcomesOf(plan, i, byIndex), { update: opts.update ?? false }));
  return { results, lines };
}
