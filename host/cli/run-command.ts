// `fusewb run <scenario>`: run the scenario under each of its policies; a summary table, or --json reports.
import type { Command } from "./command.js";
import { InputError } from "../util/input-error.js";
import { writeOutputFile, checkOutputPath } from "../util/files.js";
import { checkRunEstimate, MAX_EVENTS } from "../sim/work-estimate.js";
import { watchInterrupt, interruptRequested, EXIT_INTERRUPTED } from "./interrupt.js";

const MAX_EVENTS_TEXT = MAX_EVENTS.toExponential(0);
import { loadScenario, parseSeed, applyFromProc } from "./scenario-input.js";
import { choiceName } from "../scenario/policy.js";
import { runScenarioAsync } from "../sim/run-scenario.js";
import { coreModuleSync } from "../core/load-node.js";
import type { RunReport } from "../sim/report.js";
import { formatSummary } from "./summary.js";
import { formatGlance, useColour } from "./glance.js";
import { progressReporter } from "./progress.js";
import { captureRunAsync, type CapturedRun } from "../report/snapshots.js";
import { renderHtmlReport } from "../report/html.js";

export const runCommand: Command = {
  name: "run",
  usage: "run <scenario.json> [--policy p[,p]] [--seed n] [--set key=value]... [--json] [--no-timing] [--samples] [--check] [--html report.html] [--brief]",
  summary: "run a scenario (under each policy of its `policies`, or its `policy`) and print the summary",
  options: {
    policy: { type: "string", help: "policies to run, comma-separated (overrides the scenario's)" },
    seed: { type: "string", help: "the PRNG seed (overrides run.seed)" },
    set: { type: "string", multiple: true, help: "override a scenario field, e.g. --set fuse.max_pages=32" },
    json: { type: "boolean", help: "print the report as JSON (an array when several policies run)" },
    "no-timing": { type: "boolean", help: "leave out the emulator's wall-clock section (byte-identical output per seed)" },
    samples: { type: "boolean", help: "include the time series in the JSON report" },
    check: { type: "boolean", help: "run the invariant checker after every event (slow; exit 1 if one fails)" },
    "from-proc": { type: "string", help: "start from a real machine: a directory with buddyinfo and pagetypeinfo (copies of /proc's)" },
    html: { type: "string", help: "also write an HTML report (pageblock maps at a few moments, time series) to this file" },
    force: { type: "boolean", help: `run even when the work estimate is above ${MAX_EVENTS_TEXT} events (minutes of wall time)` },
    brief: { type: "boolean", help: "print only the table at a glance (throughput bar and verdict per policy), not the summary rows above it" },
  },
  async run(args, values) {
    if (args.length !== 1) throw new InputError("run: give exactly one scenario file (or - for standard input)");
    const sets = (values.set as string[] | undefined) ?? [];
    const seed = parseSeed(values.seed as string | undefined);
    if (seed !== undefined) sets.push(`run.seed=${seed}`);
    if (values.check) sets.push("run.check_invariants=true");
    const loaded = loadScenario(args[0]!, sets, values.policy as string | undefined);
    checkRunEstimate(loaded.config, { force: Boolean(values.force), source: loaded.source });
    const module = coreModuleSync(values.check ? "debug" : "release");
    const html = values.html as string | undefined;
    if (html !== undefined) checkOutputPath("--html", html);
    const reports: RunReport[] = [];
    const captured: CapturedRun[] = [];
    let failed = false;
    const unwatch = watchInterrupt();
    for (const policy of loaded.runPolicies) {
      if (interruptRequested()) break;
      const progress = progressReporter(true, `${loaded.config.name} ${choiceName(policy)}`);
      try {
        const { config, census } = applyFromProc({ ...loaded.config, policy }, values["from-proc"] as string | undefined);
        const timing = !values["no-timing"];
        if (html) {
          // The report needs samples and maps; the JSON keeps its samples only when --samples asked for them.
          const run = await captureRunAsync(config, { module, timing, onProgress: progress.update, shouldStop: interruptRequested, ...(census ? { census } : {}) });
          captured.push(run);
          reports.push(values.samples ? run.report : { ...run.report, samples: undefined });
        } else {
          reports.push(await runScenarioAsync(config, { module, timing, samples: Boolean(values.samples), onProgress: progress.update, census, shouldStop: interruptRequested }));
        }
      } catch (e) {
        progress.done();
        if (e instanceof InputError) throw e;
        process.stderr.write(`fusewb: ${choiceName(policy)}: ${(e as Error).message}\n`);
        failed = true;
        continue;
      }
      progress.done();
      const last = reports.at(-1)!;
      if (last.integrity.corrupt > 0) {
        failed = true;
        process.stderr.write(`fusewb: ${choiceName(policy)}: integrity: ${last.integrity.corrupt} pages hold what no error explains\n`);
      }
    }
    unwatch();
    if (values.json) process.stdout.write(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + "\n");
    else process.stdout.write((values.brief ? "" : `${formatSummary(reports)}\n`) + formatGlance(reports, { colour: useColour() }));
    if (html) writeHtml(html, captured);
    if (interruptRequested()) {
      const last = reports.at(-1);
      process.stderr.write(`fusewb: interrupted${last ? ` at ${(last.modelled.virtualNs / 1e9).toFixed(3)} s of virtual time (${last.policy}); that report is partial` : ""}\n`);
      return EXIT_INTERRUPTED;
    }
    return failed ? 1 : 0;
  },
};

function writeHtml(path: string, runs: CapturedRun[]): void {
  writeOutputFile("--html", path, renderHtmlReport({ runs }));
}
