// The list of runs a sweep makes: every combination of the --vary values, each under its policies (the
// scenario's `policies`, or its `policy`, or --policy; a varied `policy` runs alone), numbered 0.. in that
// order. Every shard computes the same list, so index k names the same run everywhere.
import { InputError } from "../util/input-error.js";
import { applyOverrides, resolveScenario, scenarioPolicies } from "../scenario/resolve.js";
import type { PolicyChoice, SimConfig } from "../scenario/sim-config.js";
import { choiceName } from "../scenario/policy.js";
import type { CostModel } from "../sim/cost-model.js";
import { parsePolicyList } from "../cli/scenario-input.js";
import { cartesianProduct, type Vary } from "./vary.js";

export interface SweepJob {
  index: number;
  /** How many runs the whole sweep has (all shards). */
  of: number;
  vary: Record<string, unknown>;
  /** Its name (policy.ts choiceName()). */
  policy: string;
  config: SimConfig;
  /** A cost model other than cost/cost-model.json (tests of a changed model); not part of the line. */
  costs?: CostModel;
}

export interface SweepPlanInput {
  /** The scenario object as parsed from its file (before overrides). */
  scenario: unknown;
  source: string;
  varies: readonly Vary[];
  /** --set overrides, applied before each combination's. */
  sets?: readonly string[];
  /** --policy: comma-separated policies for every combination. */
  policyOption?: string;
  /** Applied to every run (e.g. timing off is the runner's; this is for run.* fields such as the seed). */
  extraOverrides?: readonly string[];
}

export function planSweep(input: SweepPlanInput): SweepJob[] {
  const variesPolicy = input.varies.some((v) => v.path === "policy" || v.path === "policies");
  if (variesPolicy && input.policyOption !== undefined) throw new InputError("--policy: not allowed together with --vary policy=...; vary the policy or fix it, not both");
  // a field fixed (--set, --seed) and varied, itself or an object around it, would silently take the varied value:
  // refuse it (a --vary inside a --set object refines it, which is what the two say)
  const fixedPaths = [...(input.sets ?? []), ...(input.extraOverrides ?? [])].map((o) => o.slice(0, Math.max(0, o.indexOf("="))).trim());
  for (const v of input.varies) {
    const clash = fixedPaths.find((p) => p === v.path || p.startsWith(`${v.path}.`));
    if (clash !== undefined)
      throw new InputError(`--vary ${v.path}: ${clash} is also fixed (${clash === "run.seed" ? "--seed or --set" : "--set"}); vary the field or fix it, not both`);
  }
  const fixed = input.policyOption === undefined ? undefined : parsePolicyList(input.policyOption);
  const runs: Omit<SweepJob, "index" | "of">[] = [];
  cartesianProduct(input.varies).forEach((combo, c) => {
    const overrides = [...(input.sets ?? []), ...(input.extraOverrides ?? []), ...combo.overrides];
    let config: SimConfig, policies: PolicyChoice[];
    try {
      const parsed = applyOverrides(input.scenario, overrides, input.source);
      const fromFile = scenarioPolicies(parsed, input.source);
      policies = fixed ?? (fromFile.policies && !variesPolicy ? fromFile.policies : [fromFile.policy]);
      config = resolveScenario(parsed, input.source, policies);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      throw new InputError(`sweep: combination ${c} (${combo.overrides.join(" ")}): ${e.message}`);
    }
    for (const policy of policies) runs.push({ vary: combo.vary, policy: choiceName(policy), config: { ...config, policy } });
  });
  return runs.map((r, index) => ({ index, of: runs.length, ...r }));
}
