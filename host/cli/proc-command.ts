// `fusewb proc <scenario>`: run a scenario (its first policy) to the end, or to --at, and print the machine's
// /proc/buddyinfo, /proc/pagetypeinfo and /proc/vmstat as the kernel would, one after the other like
// `head /proc/buddyinfo /proc/pagetypeinfo /proc/vmstat`.
import type { Command } from "./command.js";
import { InputError } from "../util/input-error.js";
import { checkRunEstimate } from "../sim/work-estimate.js";
import { watchInterrupt, interruptRequested, EXIT_INTERRUPTED } from "./interrupt.js";
import { loadScenario, parseSeed, applyFromProc } from "./scenario-input.js";
import { choiceName } from "../scenario/policy.js";
import { parseDuration } from "../scenario/units.js";
import { Emulator } from "../embed/emulator.js";
import { coreModuleSync } from "../core/load-node.js";
import { formatBuddyinfo, formatPagetypeinfo, procJson } from "../proc/index.js";
import { formatVmstat, vmstatJson, vmstatView } from "../proc/vmstat.js";

/** The keys of `proc --json`, in the order it prints them; --help lists them from here, and the object literal
 *  that prints them must have exactly these. */
export const PROC_JSON_KEYS = ["scenario", "policy", "seed", "virtualNs", "buddyinfo", "pagetypeinfo", "extfrag", "unusable", "pagesets", "vmstat"] as const;

export const procCommand: Command = {
  name: "proc",
  usage: "proc <scenario.json> [--at <time>] [--policy p] [--seed n] [--set key=value]... [--json]",
  summary: "run a scenario (its first policy) to the end or to --at; print /proc/buddyinfo, /proc/pagetypeinfo, /proc/vmstat",
  options: {
    at: { type: "string", help: "stop at this virtual time, e.g. 2s (default: the end of the run)" },
    policy: { type: "string", help: "the policy to run (default: the scenario's first)" },
    seed: { type: "string", help: "the PRNG seed (overrides run.seed)" },
    set: { type: "string", multiple: true, help: "override a scenario field, e.g. --set fuse.max_pages=32" },
    json: { type: "boolean", help: `print { ${PROC_JSON_KEYS.join(", ")} }` },
    "from-proc": { type: "string", help: "start from a real machine: a directory with buddyinfo and pagetypeinfo" },
    force: { type: "boolean", help: "run even when the work estimate is above the limit" },
  },
  async run(args, values) {
    if (args.length !== 1) throw new InputError("proc: give exactly one scenario file (or - for standard input)");
    const atNs = values.at === undefined ? undefined : parseDuration(values.at, "--at");
    const sets = [...((values.set as string[] | undefined) ?? [])];
    const seed = parseSeed(values.seed as string | undefined);
    if (seed !== undefined) sets.push(`run.seed=${seed}`);
    const loaded = loadScenario(args[0]!, sets, values.policy as string | undefined);
    if (values.policy !== undefined && loaded.runPolicies.length > 1) throw new InputError("--policy: proc shows one machine; give one policy");
    const policy = loaded.runPolicies[0]!;
    checkRunEstimate(loaded.config, { force: Boolean(values.force), source: loaded.source, ...(atNs === undefined ? {} : { untilNs: atNs }) });
    const start = applyFromProc({ ...loaded.config, policy }, values["from-proc"] as string | undefined);
    const sim = new Emulator(start.config, coreModuleSync("release"), start.census ? { census: start.census } : {});
    const unwatch = watchInterrupt();
    try {
      await sim.runAsync({ ...(atNs === undefined ? {} : { untilNs: atNs }), shouldStop: interruptRequested });
    } catch (e) {
      if (e instanceof InputError) throw e;
      process.stderr.write(`fusewb: ${choiceName(policy)}: ${(e as Error).message}\n`);
      return 1;
    } finally {
      unwatch();
    }
    const zones = sim.zones();
    const vmstat = vmstatView(zones, sim.counters());
    const broken = sim.checkInvariants();
    const corrupt = sim.integrity().corrupt;
    if (values.json) {
      const json: Record<(typeof PROC_JSON_KEYS)[number], unknown> = { scenario: loaded.config.name, policy, seed: loaded.config.run.seed, virtualNs: sim.virtualNs(), ...procJson(zones), vmstat: vmstatJson(vmstat) };
      process.stdout.write(JSON.stringify(json, null, 2) + "\n");
    } else {
      process.stdout.write(
        `==> /proc/buddyinfo <==\n${formatBuddyinfo(zones)}\n==> /proc/pagetypeinfo <==\n${formatPagetypeinfo(zones)}\n` +
        `==> /proc/vmstat <==\n${formatVmstat(vmstat)}`,
      );
    }
    if (broken) process.stderr.write(`fusewb: ${choiceName(policy)}: ${broken}\n`);
    if (corrupt > 0) process.stderr.write(`fusewb: ${choiceName(policy)}: ${corrupt} pages on the server differ from what was written\n`);
    if (interruptRequested()) {
      process.stderr.write(`fusewb: interrupted at ${(sim.virtualNs() / 1e9).toFixed(3)} s of virtual time; the views are of that moment\n`);
      return EXIT_INTERRUPTED;
    }
    return broken || corrupt > 0 ? 1 : 0;
  },
};
