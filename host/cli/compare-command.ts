// `fusewb compare <scenario>`: every policy against every server behaviour of the scenario, one table.
import type { Command } from "./command.js";
import { InputError } from "../util/input-error.js";
import { writeOutputFile, checkOutputPath } from "../util/files.js";
import { loadCompare, parseNameList, parseSeed } from "./scenario-input.js";
import { choiceName } from "../scenario/policy.js";
import { runScenarioAsync } from "../sim/run-scenario.js";
import { checkRunEstimate } from "../sim/work-estimate.js";
import { watchInterrupt, interruptRequested, EXIT_INTERRUPTED } from "./interrupt.js";
import { coreModuleSync } from "../core/load-node.js";
import { decisionRow, decisionCells, formatDecisionTable, DECISION_COLUMNS } from "../sim/decision-table.js";
import { captureRunAsync, type CapturedRun } from "../report/snapshots.js";
import { renderHtmlReport } from "../report/html.js";
import { progressReporter } from "./progress.js";
import type { RunReport } from "../sim/report.js";
import { whatIfLines } from "./summary.js";
import { formatGlance, useColour } from "./glance.js";
import { parseJobs } from "./sweep-command.js";
import { runPoolWithProgress } from "./pool-progress.js";
import type { SweepJob } from "../sweep/plan.js";

export const compareCommand: Command = {
  name: "compare",
  usage: "compare <scenario.json> [--policy p[,p]] [--server name[,name]] [--seed n] [--set key=value]... [--json] [--html file] [--brief] [--jobs n]",
  summary: "run every policy against every server of the scenario (`policies` x `servers`) and print the decision table",
  options: {
    policy: { type: "string", help: "only these policies, comma-separated" },
    server: { type: "string", help: "only these servers (names from the scenario's `servers`), comma-separated" },
    seed: { type: "string", help: "the PRNG seed (overrides run.seed)" },
    set: { type: "string", multiple: true, help: "override a scenario field, e.g. --set run.duration=10s" },
    json: { type: "boolean", help: "print { rows: DecisionRow[], reports: RunReport[] }" },
    html: { type: "string", help: "also write an HTML report: the decision table, time series and each run's final pageblock map" },
    force: { type: "boolean", help: "run even when a run's work estimate is above the limit" },
    brief: { type: "boolean", help: "print only the table at a glance (throughput bar and verdict per run), not the decision table above it" },
    jobs: { type: "string", help: "worker threads for the runs (default: every core, os.availableParallelism(); --html runs them in this thread)" },
  },
  async run(args, values) {
    if (args.length !== 1) throw new InputError("compare: give exactly one scenario file");
    const sets = (values.set as string[] | undefined) ?? [];
    const seed = parseSeed(values.seed as string | undefined);
    if (seed !== undefined) sets.push(`run.seed=${seed}`);
    const compare = loadCompare(args[0]!, sets, values.policy as string | undefined);
    const policies = compare.policies;
    let servers = compare.servers;
    if (values.server !== undefined) {
      const wanted = parseNameList("--server", values.server as string, servers.map((s) => s.name), "the scenario");
      servers = servers.filter((s) => wanted.includes(s.name));
    }
    for (const server of servers) checkRunEstimate({ ...compare.base, server }, { force: Boolean(values.force), source: args[0]! });
    const html = values.html as string | undefined;
    if (html !== undefined) checkOutputPath("--html", html);
    const reports: RunReport[] = [];
    const captured: CapturedRun[] = [];
    const total = servers.length * policies.length;
    const workers = Math.min(parseJobs(values.jobs as string | undefined), total);
    let partial = false; // an interrupted in-process run is reported where it stopped
    if (!html && workers > 1) {
      // the runs are independent: on the sweep's worker threads, reports back in the table's order
      const jobs: SweepJob[] = servers.flatMap((server, si) => policies.map((policy, pi) => ({
        index: si * policies.length + pi, of: total, vary: { server: server.name }, policy: choiceName(policy),
        config: { ...compare.base, policy, server },
      })));
      const lines = await runPoolWithProgress(jobs, { workers, label: "compare" });
      for (const l of lines) {
        if (l.error !== undefined) throw new Error(`${String(l.vary.server)} ${l.policy}: ${l.error}`);
        reports.push(l.report!);
      }
    } else {
      const module = coreModuleSync(); // the workers compile their own
      const unwatch = watchInterrupt();
      for (const server of servers) {
        for (const policy of policies) {
          if (interruptRequested()) break;
          const progress = progressReporter(true, `${server.name} ${choiceName(policy)}`);
          const config = { ...compare.base, policy, server };
          if (html) {
            // only the final map of each run: 35 runs of an 8 GiB machine at five moments would be tens of MB
            const run = await captureRunAsync(config, { module, timing: false, onProgress: progress.update, shouldStop: interruptRequested });
            captured.push({ ...run, snapshots: run.snapshots.slice(-1) });
            reports.push({ ...run.report, samples: undefined });
          } else {
            reports.push(await runScenarioAsync(config, { module, timing: false, onProgress: progress.update, shouldStop: interruptRequested }));
          }
          progress.done();
        }
      }
      unwatch();
      partial = true;
    }
    const rows = reports.map(decisionRow);
    if (html) {
      const decisionTable = { columns: [...DECISION_COLUMNS], rows: rows.map(decisionCells) };
      writeOutputFile("--html", html, renderHtmlReport({ runs: captured, decisionTable }));
    }
    if (values.json) process.stdout.write(JSON.stringify({ rows, reports }, null, 2) + "\n");
    else {
      const whatIf = whatIfLines(reports).map((l) => `${l}\n`).join("");
      process.stdout.write((values.brief ? "" : `${formatDecisionTable(rows)}${whatIf}\n`) + formatGlance(reports, { colour: useColour() }));
    }
    if (interruptRequested()) {
      process.stderr.write(partial
        ? `fusewb: interrupted after ${reports.length} of ${total} runs; the last is partial\n`
        : `fusewb: interrupted: ${reports.length} of ${total} runs done; the others did not finish\n`);
      return EXIT_INTERRUPTED;
    }
    return reports.some((r) => r.integrity.corrupt > 0) ? 1 : 0;
  },
};
