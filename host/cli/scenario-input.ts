// Reading a scenario file for a command: the text, overrides (--set / --vary), and the policies to run.
import { InputError } from "../util/input-error.js";
import { wholeNumberOption } from "./whole-number.js";
import { readInputFile } from "../util/files.js";
import { checkRunFits } from "../sim/work-estimate.js";
import { parseJsonText, resolveScenario, resolveCompare, applyOverrides, scenarioPolicies } from "../scenario/resolve.js";
import { POLICIES, type Policy, type PolicyChoice, type SimConfig, type CompareConfig } from "../scenario/sim-config.js";
import { machineFromProc } from "../proc-import/from-dir.js";
import type { ZoneCensus } from "../core/from-census.js";

/** --from-proc <dir>: the machine and its starting state from a real /proc/buddyinfo + /proc/pagetypeinfo. */
export function applyFromProc(config: SimConfig, dir: string | undefined): { config: SimConfig; census?: readonly ZoneCensus[] } {
  if (dir === undefined) return { config };
  const pm = machineFromProc(dir, { fallback: config.machine.fallback, mobilityGrouping: config.machine.mobilityGrouping, pcp: config.machine.pcp, thp: config.machine.thp });
  for (const note of pm.notes) process.stderr.write(`fusewb: --from-proc: ${note}\n`);
  return { config: { ...config, machine: pm.machine }, census: pm.census };
}

/** A scenario file's text (- for standard input): a regular file of at most INPUT_LIMITS.scenario bytes. */
export function readText(path: string): string {
  return readInputFile(path, "scenario");
}

export interface LoadedScenario {
  raw: unknown;
  source: string;
  config: SimConfig;
  /** The policies `run` goes through: --policy, else the file's `policies`, else its `policy`. */
  runPolicies: PolicyChoice[];
}

export function parsePolicyList(text: string): Policy[] {
  return parseNameList("--policy", text, POLICIES) as Policy[];
}

/** `--policy a,b` / `--server a,b`: names from `allowed`, each once. */
export function parseNameList(option: string, text: string, allowed: readonly string[], where = ""): string[] {
  const names = text.split(",").map((n) => n.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (!allowed.includes(name))
      throw new InputError(`${option}: ${JSON.stringify(name)} is not ${where === "" ? "allowed" : `in ${where}`}; allowed: ${allowed.join(", ")}`);
    if (seen.has(name)) throw new InputError(`${option}: ${JSON.stringify(name)} is listed twice; give each once`);
    seen.add(name);
  }
  return names;
}

/** The scenario a `run` or `proc` command reads, checked for the policies that will run. */
export function loadScenario(path: string, overrides: readonly string[] = [], policyOption?: string): LoadedScenario {
  const source = path === "-" ? "stdin" : path;
  const parsed = applyOverrides(parseJsonText(readText(path), source), overrides, source);
  const fromFile = scenarioPolicies(parsed, source);
  const runPolicies = policyOption !== undefined ? parsePolicyList(policyOption) : fromFile.policies ?? [fromFile.policy];
  const config = resolveScenario(parsed, source, runPolicies);
  checkRunFits(config, source);
  return { raw: parsed, source, config, runPolicies };
}

/** The scenario `compare` reads: its policies (or --policy) under each of its servers. */
export function loadCompare(path: string, overrides: readonly string[] = [], policyOption?: string): CompareConfig {
  const source = path === "-" ? "stdin" : path;
  const parsed = applyOverrides(parseJsonText(readText(path), source), overrides, source);
  const compare = resolveCompare(parsed, source, policyOption !== undefined ? parsePolicyList(policyOption) : undefined);
  for (const server of compare.servers) checkRunFits({ ...compare.base, server }, source);
  return compare;
}

export function parseSeed(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return wholeNumberOption(v, 0, 2 ** 32 - 1, `--seed: "${v}" is not allowed; use a whole number 0..4294967295`);
}
