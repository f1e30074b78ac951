// Reading a scenario file for a command: the text, overrides (--set / --vary), and the policies to run.
import { readFileSync } from "node:fs";
import { InputError } from "../util/input-error.js";
import { parseJsonText, resolveScenario, resolveCompare, applyOverrides } from "../scenario/resolve.js";
import { POLICIES, type Policy, type SimConfig, type CompareConfig } from "../scenario/sim-config.js";
import { machineFromProc } from "../proc-import/from-dir.js";
import type { ZoneCensus } from "../core/from-census.js";

/** --from-proc <dir>: the machine and its starting state from a real /proc/buddyinfo + /proc/pagetypeinfo. */
export function applyFromProc(config: SimConfig, dir: string | undefined): { config: SimConfig; census?: readonly ZoneCensus[] } {
  if (dir === undefined) return { config };
  const pm = machineFromProc(dir, { fallback: config.machine.fallback, mobilityGrouping: config.machine.mobilityGrouping, pcp: config.machine.pcp, thp: config.machine.thp });
  for (const note of pm.notes) process.stderr.write(`fusewb: --from-proc: ${note}\n`);
  return { config: { ...config, machine: pm.machine }, census: pm.census };
}

export function readText(path: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export interface LoadedScenario {
  raw: unknown;
  source: string;
  config: SimConfig;
  compare: CompareConfig;
  /** The policies `run` goes through: --policy, else the file's `policies`, else its `policy`. */
  runPolicies: Policy[];
}

export function parsePolicyList(text: string): Policy[] {
  return text.split(",").map((p) => {
    const name = p.trim();
    if (!(POLICIES as readonly string[]).includes(name))
      throw new InputError(`--policy: "${name}" is not allowed; allowed: ${POLICIES.join(", ")}`);
    return name as Policy;
  });
}

export function loadScenario(path: string, overrides: readonly string[] = [], policyOption?: string): LoadedScenario {
  const source = path === "-" ? "stdin" : path;
  const parsed = applyOverrides(parseJsonText(readText(path), source), overrides);
  const config = resolveScenario(parsed, source);
  const compare = resolveCompare(parsed, source);
  const filePolicies = typeof parsed === "object" && parsed !== null && "policies" in parsed;
  const runPolicies = policyOption ? parsePolicyList(policyOption) : filePolicies ? compare.policies : [config.policy];
  return { raw: parsed, source, config, compare, runPolicies };
}

export function parseSeed(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 2 ** 32 - 1) throw new InputError(`--seed: "${v}" is not allowed; use a whole number 0..4294967295`);
  return Number(v);
}
