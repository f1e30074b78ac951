// What `fusewb check` runs: for each scenario, the runs its expectations name (a variant of the scenario, a
// policy it runs, one of its servers), numbered across all scenarios in a stable order so that `--shard i/n`
// and `fusewb merge` work as they do for sweeps. A scenario without checks runs as `compare` would with its
// `policies` (or `policy`): every policy against every server. Mistakes that need the runs to see (a policy
// the scenario does not run, a server it does not have) are one line here, before anything runs.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../util/input-error.js";
import { readInputFile } from "../util/files.js";
import { parseJsonText, applyOverrides, resolveCompare, scenarioPolicies, scenarioExpect } from "../scenario/resolve.js";
import { didYouMean, formatPath } from "../scenario/issues.js";
import { DEFAULT_SNAPSHOT_PATHS } from "./snapshot.js";
import { COMPARISONS, type Comparison, type Operand, type ParsedCheck, type ParsedExpect, type ParsedRef } from "../scenario/expect-schema.js";
import type { SimConfig } from "../scenario/sim-config.js";
import { choiceName } from "../scenario/policy.js";
import { checkRunFits } from "../sim/work-estimate.js";
import type { SweepJob } from "../sweep/plan.js";

/** One run of a scenario's check. `variant` null is the scenario as written. */
export interface CheckRun {
  key: string;
  label: string;
  variant: string | null;
  /** Its name (policy.ts choiceName()). */
  policy: string;
  server: string;
  config: SimConfig;
}

/** The other side of a comparison, bound to a run: a literal, or a field of a run times a factor plus a term. */
export type BoundOperand =
  | { kind: "literal"; value: number | boolean | string }
  | { kind: "ref"; run: string; path: string; times: number; plus: number };

/** One check applied to one run: what `fusewb check` prints one TAP line for. */
export interface BoundCheck {
  /** Where it is in the file: `expect.checks.3`. */
  where: string;
  name: string;
  run: string;
  path: string;
  op: Comparison;
  operands: BoundOperand[];
  tolerance: ParsedCheck["tolerance"];
}

export interface ScenarioPlan {
  source: string;
  name: string;
  /** Where `--update` keeps its snapshot: beside the scenario. */
  snapshotPath: string;
  expect: ParsedExpect | undefined;
  /** The runs it needs, in the order they are numbered. */
  runs: CheckRun[];
  checks: BoundCheck[];
}

export interface CheckPlan {
  scenarios: ScenarioPlan[];
  /** Every run of every scenario, as the sweep pool takes them (index = position). */
  jobs: SweepJob[];
  /** Which scenario and run each job is. */
  owners: { scenario: number; run: CheckRun }[];
}

/** Checks bound to runs (each check times the runs it names), per scenario: each is a TAP line, and a file of
 *  1000 checks over 64 servers and 64 variants must be refused before millions of them are built. */
export const MAX_BOUND_CHECKS = 100_000;

/** `x.json` → `x.snapshot.json`. */
export function snapshotPathOf(source: string): string {
  return `${source.replace(/\.json$/i, "")}.snapshot.json`;
}

/** Scenario files and directories → scenario files, directories read in name order (not recursively), leaving
 *  out the JSON Schema and snapshot files that live beside scenarios. */
export function expandScenarioPaths(args: readonly string[]): string[] {
  if (args.length === 0) throw new InputError("check: give scenario files or directories of them");
  const out: string[] = [];
  for (const arg of args) {
    if (arg === "-") throw new InputError("check: give scenario files or directories; a scenario on standard input has nowhere to keep its snapshot");
    const st = statSync(arg, { throwIfNoEntry: false });
    if (!st) throw new InputError(`cannot read ${arg}: ENOENT`);
    if (!st.isDirectory()) {
      out.push(arg);
      continue;
    }
    const files = readdirSync(arg).filter((f) => /\.json$/i.test(f) && !/\.(schema|snapshot)\.json$/i.test(f)).sort();
    if (files.length === 0) throw new InputError(`${arg}: no scenario files (*.json) in this directory`);
    out.push(...files.map((f) => join(arg, f)));
  }
  return [...new Set(out)];
}

const runKey = (variant: string | null, policy: string, server: string): string => `${variant ?? ""}\u0000${policy}\u0000${server}`;
const runLabel = (variant: string | null, policy: string, server: string): string => `${variant === null ? "" : `${variant}: `}${policy}/${server}`;

interface VariantRuns {
  policies: string[];
  servers: string[];
  runs: Map<string, CheckRun>;
}

/** The runs one variant of the scenario can make: its policies against its servers. */
function variantRuns(obj: unknown, source: string, expect: ParsedExpect | undefined, variant: string | null): VariantRuns {
  let scenario = obj;
  if (variant !== null) {
    const overrides = expect?.variants?.[variant] ?? [];
    const own = overrides.findIndex((o) => /^\s*expect(\.|=|$)/.test(o));
    if (own >= 0) throw new InputError(`${source}: ${formatPath(["expect", "variants", variant, own])}: ${JSON.stringify(overrides[own])} is not allowed; a variant changes the scenario, not its expectations`);
    try {
      // the expect section was validated with the file; each variant's copy is checked without it
      const { expect: _, ...rest } = obj as Record<string, unknown>;
      scenario = applyOverrides(rest, overrides);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`${source}: ${formatPath(["expect", "variants", variant])}: ${e.message}`);
      throw e;
    }
  }
  const where = variant === null ? source : `${source} (variant ${variant})`;
  const fromFile = scenarioPolicies(scenario, where);
  const policies = fromFile.policies ?? [fromFile.policy];
  const compare = resolveCompare(scenario, where, policies);
  const runs = new Map<string, CheckRun>();
  for (const choice of policies)
    for (const server of compare.servers) {
      const config: SimConfig = { ...compare.base, policy: choice, server };
      const policy = choiceName(choice);
      checkRunFits(config, where);
      runs.set(runKey(variant, policy, server.name), { key: runKey(variant, policy, server.name), label: runLabel(variant, policy, server.name), variant, policy, server: server.name, config });
    }
  return { policies: policies.map(choiceName), servers: compare.servers.map((s) => s.name), runs };
}

function describeOperand(o: Operand): string {
  if (typeof o !== "object") return JSON.stringify(o);
  const run = [o.variant && `${o.variant}:`, o.policy, o.server && `/${o.server}`].filter(Boolean).join("");
  const base = [run, o.path].filter(Boolean).join(" ");
  return `${o.times !== undefined && o.times !== 1 ? `${o.times} x ` : ""}${base}${o.plus ? ` ${o.plus < 0 ? "-" : "+"} ${Math.abs(o.plus)}` : ""}`;
}

/** The comparison as the TAP line says it when the check has no name: `highOrder.thpSuccessPct < legacy-copy`. */
function defaultName(c: ParsedCheck, op: Comparison): string {
  const rhs = op === "in" ? `[${(c.in ?? []).map(describeOperand).join(", ")}]` : describeOperand(c[op] as Operand);
  const tol = c.tolerance ? ` (tolerance ${"abs" in c.tolerance ? c.tolerance.abs : `${c.tolerance.pct} %`})` : "";
  return `${c.path} ${op} ${rhs}${tol}`;
}

/** One scenario file → the runs its check needs and its checks bound to them. */
export function planScenario(source: string): ScenarioPlan {
  const obj = parseJsonText(readInputFile(source, "scenario"), source);
  const expect = scenarioExpect(obj, source);
  const fail = (path: readonly PropertyKey[], text: string): never => {
    throw new InputError(`${source}: ${formatPath(path)}: ${text}`);
  };
  const variants = new Map<string | null, VariantRuns>();
  const variantOf = (v: string | null): VariantRuns => {
    let r = variants.get(v);
    if (!r) variants.set(v, (r = variantRuns(obj, source, expect, v)));
    return r;
  };
  // every declared variant must make a valid scenario, used or not
  for (const v of Object.keys(expect?.variants ?? {})) variantOf(v);
  // a tolerance for a field the snapshot does not keep would never apply
  const kept: readonly string[] = expect?.snapshot?.paths ?? DEFAULT_SNAPSHOT_PATHS;
  for (const k of Object.keys(expect?.snapshot?.tolerances ?? {}))
    if (!kept.includes(k)) fail(["expect", "snapshot", "tolerances", k], `not a field the snapshot keeps;${didYouMean(k, kept)} it keeps: ${kept.join(", ")}`);
  const needed = new Set<string>();
  const checks: BoundCheck[] = [];
  const scope = (v: string | null): string => (v === null ? "the scenario" : `variant ${v}`);
  (expect?.checks ?? []).forEach((c, i) => {
    const at = ["expect", "checks", i];
    const op = COMPARISONS.find((k) => c[k] !== undefined)!;
    const raw = op === "in" ? c.in! : [c[op] as Operand];
    for (const variant of c.variant ?? [null]) {
      const vr = variantOf(variant);
      for (const [j, p] of (c.policy ?? []).entries())
        if (!vr.policies.includes(p)) fail([...at, "policy", ...(c.policy!.length > 1 ? [j] : [])], `${JSON.stringify(p)} is not allowed; ${scope(variant)} runs ${vr.policies.join(", ")} (its policies, or its policy)`);
      for (const [j, s] of (c.server ?? []).entries())
        if (!vr.servers.includes(s)) fail([...at, "server", ...(c.server!.length > 1 ? [j] : [])], `${JSON.stringify(s)} is not allowed; ${scope(variant)} has the servers ${vr.servers.join(", ")}`);
      for (const policy of c.policy ?? vr.policies)
        for (const server of c.server ?? vr.servers) {
          if (checks.length >= MAX_BOUND_CHECKS)
            fail(["expect", "checks"], `more than ${MAX_BOUND_CHECKS} checks of runs are not allowed (each check counts once per run it names: per variant, policy and server); name the runs`);
          const subject = runKey(variant, policy, server);
          needed.add(subject);
          const operands = raw.map((o, j): BoundOperand => {
            if (typeof o !== "object") return { kind: "literal", value: o };
            const ref: ParsedRef = o;
            const rv = ref.variant ?? variant;
            const rvr = variantOf(rv);
            const refAt = [...at, op, ...(op === "in" ? [j] : [])];
            const rp = ref.policy ?? policy, rs = ref.server ?? server;
            if (!rvr.policies.includes(rp))
              fail([...refAt, ref.policy ? "policy" : "variant"], `${JSON.stringify(ref.policy ?? rv)} is not allowed; ${scope(rv)} runs ${rvr.policies.join(", ")}, not ${rp}${ref.policy ? "" : " (the checked run's policy): name a policy"}`);
            if (!rvr.servers.includes(rs))
              fail([...refAt, ref.server ? "server" : "variant"], `${JSON.stringify(ref.server ?? rv)} is not allowed; ${scope(rv)} has the servers ${rvr.servers.join(", ")}, not ${rs}${ref.server ? "" : " (the checked run's server): name a server"}`);
            const key = runKey(rv, rp, rs);
            if (key === subject && (ref.path ?? c.path) === c.path)
              fail(refAt, `${describeOperand(o)} is not allowed; it names the checked field of the checked run itself`);
            needed.add(key);
            return { kind: "ref", run: key, path: ref.path ?? c.path, times: ref.times ?? 1, plus: ref.plus ?? 0 };
          });
          checks.push({ where: formatPath(at), name: c.name ?? defaultName(c, op), run: subject, path: c.path, op, operands, tolerance: c.tolerance });
        }
    }
  });
  // without checks: every run of the scenario as written (for its snapshot, and that it runs clean)
  if (checks.length === 0) for (const key of variantOf(null).runs.keys()) needed.add(key);
  // numbered in the order: the scenario as written, then the variants as declared; policies; servers
  const order: (string | null)[] = [null, ...Object.keys(expect?.variants ?? {})];
  const runs = order.flatMap((v) => (variants.has(v) ? [...variants.get(v)!.runs.values()] : [])).filter((r) => needed.has(r.key));
  const name = runs[0]?.config.name ?? source;
  return { source, name, snapshotPath: snapshotPathOf(source), expect, runs, checks };
}

/** Every scenario's plan and the jobs of all of them, numbered 0.. across scenarios. */
export function planCheck(sources: readonly string[]): CheckPlan {
  const scenarios = sources.map(planScenario);
  const owners = scenarios.flatMap((s, scenario) => s.runs.map((run) => ({ scenario, run })));
  const jobs: SweepJob[] = owners.map(({ scenario, run }, index) => ({
    index,
    of: owners.length,
    vary: { scenario: scenarios[scenario]!.source, ...(run.variant === null ? {} : { variant: run.variant }), server: run.server },
    policy: run.policy,
    config: run.config,
  }));
  return { scenarios, jobs, owners };
}
