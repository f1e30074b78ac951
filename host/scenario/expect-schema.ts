// The `expect` section of a scenario (README "Expectations"): what must hold in the reports of its runs, for
// `fusewb check`. A check names a field of the report by its JSON path, the runs it applies to (variant,
// policy, server) and one comparison, against a number or against the same (or another) field of another run:
//   { "path": "highOrder.thpSuccessPct", "policy": "nocopy", "<": { "policy": "legacy-copy" }, "tolerance": 1 }
// Variants are the scenario with `--set` overrides, so a check can compare a scenario with itself changed
// (grouping off, another kernel). What depends on the runs (a policy the scenario runs, a server it has) is
// checked by host/check/plan.ts; what one section can say alone is checked here.
import { z } from "zod";
import { POLICIES } from "./sim-config.js";
import { show } from "./units.js";
import { didYouMean } from "./issues.js";

/** A report field: dotted names, list elements by index (`highOrder.isolateFailures.writeback`). */
export const REPORT_PATH_PATTERN = "^[A-Za-z_$][\\w$]*(\\.[\\w$]+)*$";
const REPORT_PATH_RE = new RegExp(REPORT_PATH_PATTERN);
/** A variant's name: a word, a version or a short phrase with - . + _ (`no-grouping`, `6.1`). */
export const VARIANT_NAME_PATTERN = "^[A-Za-z0-9][\\w.+-]*$";

/** The comparisons, in the order their keys are looked for. `in` is a closed range [low, high]. */
export const COMPARISONS = [">=", "<=", ">", "<", "==", "!=", "in"] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** Bounds on lists, so that a hostile file is refused before anything walks it. */
export const MAX_CHECKS = 1000;
export const MAX_VARIANTS = 64;

const reportPath = z.string()
  .refine((v) => REPORT_PATH_RE.test(v), { error: (i) => `${show(i.input)} is not allowed; a report field is dotted names, e.g. "highOrder.thpSuccessPct"` })
  .meta({ pattern: REPORT_PATH_PATTERN })
  .describe("a field of the run's report (fusewb run --json) by its dotted path, e.g. \"highOrder.thpSuccessPct\"");

/** A policy the scenario runs: a preset's name, or a combination's as reports name it ("nocopy+migrate=skip"). */
const POLICY_COMBINATION_PATTERN = `^(?:${POLICIES.join("|")})\\+[^\\s]+$`;
const POLICY_COMBINATION_RE = new RegExp(POLICY_COMBINATION_PATTERN);
const policy = z.string()
  .refine((v) => (POLICIES as readonly string[]).includes(v) || POLICY_COMBINATION_RE.test(v), {
    error: (i) => `${show(i.input)} is not allowed;${typeof i.input === "string" ? didYouMean(i.input, POLICIES) : ""} allowed: ${POLICIES.join(", ")}, or a combination as reports name it, e.g. "nocopy+migrate=skip"`,
  })
  .meta({ anyOf: [{ type: "string", enum: [...POLICIES] }, { type: "string", pattern: POLICY_COMBINATION_PATTERN }] });
const serverName = z.string().min(1);

function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, { error: (iss) => (iss.code === "unrecognized_keys" ? `allowed: ${allowed}` : undefined) });
}

/** Another run's value: the subject's own variant, policy, server and path unless given; times * value + plus. */
const refSchema = strict({
  variant: z.string().min(1).optional().describe("the variant of the run compared with (default: the checked run's)"),
  policy: policy.optional().describe("its policy (default: the checked run's)"),
  server: serverName.optional().describe("its server (default: the checked run's)"),
  path: reportPath.optional().describe("its field (default: the checked field)"),
  times: z.number().min(-1e12).max(1e12).optional().describe("multiply its value (default 1)"),
  plus: z.number().min(-1e15).max(1e15).optional().describe("then add this (default 0)"),
});
export type ParsedRef = z.output<typeof refSchema>;
export type Operand = number | boolean | string | ParsedRef;

const REF_JSON = z.toJSONSchema(refSchema, { io: "input", target: "draft-07" });
delete REF_JSON.$schema;
/** Shared parts of the JSON Schema (host/scenario/json-schema.ts puts them under `definitions`): a reference
 *  is written once, not once per comparison. */
export const EXPECT_JSON_DEFINITIONS = { expectReference: REF_JSON };
const REF_FORM = `{ "policy", "server", "variant", "path", "times", "plus" } naming another run or field`;

/** A comparison's right-hand side: a number (a boolean or string too for == and !=), or a reference. Parsed by
 *  hand so that a wrong value gets one message saying both forms, not the first branch's complaint. */
function operand(scalars: boolean) {
  const literal = scalars ? "a number, true, false, a string" : "a number";
  return z
    .unknown()
    .transform((v, ctx): Operand => {
      if (typeof v === "number" && Number.isFinite(v)) return v;
      if (scalars && (typeof v === "boolean" || typeof v === "string")) return v;
      if (typeof v === "object" && v !== null && !Array.isArray(v)) {
        const r = refSchema.safeParse(v, { reportInput: true });
        if (r.success) {
          if (Object.keys(r.data).every((k) => k === "times" || k === "plus"))
            ctx.issues.push({ code: "custom", message: `${show(v)} is not allowed; a reference names the other run or field: at least one of variant, policy, server, path`, input: v });
          return r.data;
        }
        // the reference's own complaints, with their paths inside it
        for (const issue of r.error.issues) ctx.issues.push({ ...issue, input: issue.input } as (typeof ctx.issues)[number]);
        return z.NEVER;
      }
      ctx.issues.push({ code: "custom", message: `${show(v)} is not allowed; use ${literal} or ${REF_FORM}`, input: v });
      return z.NEVER;
    })
    .meta({ anyOf: [{ type: "number" }, ...(scalars ? [{ type: "boolean" }, { type: "string" }] : []), { $ref: "#/definitions/expectReference" }] });
}

const TOLERANCE_FORM = 'use a number (absolute) or a percentage of the expected value, e.g. "5%"';

/** An absolute amount, or a percentage of the value compared with. */
export type Tolerance = { abs: number } | { pct: number };

const tolerance = z
  .unknown()
  .transform((v, ctx): Tolerance => {
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) return { abs: v };
    const m = typeof v === "string" ? /^(\d+(?:\.\d+)?) ?%$/.exec(v) : null;
    if (m && Number(m[1]) <= 1000) return { pct: Number(m[1]) };
    ctx.issues.push({ code: "custom", message: `${show(v)} is not allowed; ${TOLERANCE_FORM}`, input: v });
    return z.NEVER;
  })
  .meta({ anyOf: [{ type: "number", minimum: 0 }, { type: "string", pattern: "^(\\d+(?:\\.\\d+)?) ?%$" }] });

/** One value or a non-empty list of them, always a list once parsed; a bad element is named by its index. */
function oneOrMore<T>(item: z.ZodType<T>) {
  const json = z.toJSONSchema(item, { io: "input", target: "draft-07" });
  delete json.$schema;
  return z
    .unknown()
    .transform((v, ctx): T[] => {
      const list = Array.isArray(v) ? v : [v];
      if (list.length === 0) {
        ctx.issues.push({ code: "custom", message: "[] is not allowed; give one value or a non-empty list", input: v });
        return z.NEVER;
      }
      const out: T[] = [];
      list.forEach((x, i) => {
        const r = item.safeParse(x, { reportInput: true });
        if (r.success) out.push(r.data);
        else for (const issue of r.error.issues) ctx.issues.push({ ...issue, input: issue.input, path: [...(Array.isArray(v) ? [i] : []), ...issue.path] } as (typeof ctx.issues)[number]);
      });
      return out;
    })
    .meta({ anyOf: [json, { type: "array", items: json, minItems: 1 }] });
}

const checkShape = {
  name: z.string().min(1).optional().describe("what the check says, in the TAP line (default: the comparison)"),
  variant: oneOrMore(z.string().min(1)).optional().describe("names from expect.variants it holds for (default: the scenario as written)"),
  policy: oneOrMore(policy).optional().describe("the policies it holds for (default: every policy the scenario runs)"),
  server: oneOrMore(serverName).optional().describe("the servers it holds for (default: every server of the scenario)"),
  path: reportPath,
  ">=": operand(false).optional(),
  "<=": operand(false).optional(),
  ">": operand(false).optional(),
  "<": operand(false).optional(),
  "==": operand(true).optional(),
  "!=": operand(true).optional(),
  in: z.tuple([operand(false), operand(false)]).optional().describe("a closed range [low, high]"),
  tolerance: tolerance.optional().describe("how far past the bound still passes: a number, or a percentage of the bound (default 0)"),
};

const checkSchema = strict(checkShape).superRefine((c, ctx) => {
  const given = COMPARISONS.filter((k) => c[k] !== undefined);
  if (given.length !== 1)
    ctx.addIssue({ code: "custom", message: `${given.length === 0 ? "no comparison" : `${given.join(" and ")} together`} is not allowed; give exactly one of ${COMPARISONS.join(", ")}`, input: c });
  const range = c.in;
  if (range && typeof range[0] === "number" && typeof range[1] === "number" && range[0] > range[1])
    ctx.addIssue({ code: "custom", message: `[${range[0]}, ${range[1]}] is not allowed; a range is [low, high] with low <= high`, input: range, path: ["in"] });
});
export type ParsedCheck = z.output<typeof checkSchema>;

const snapshotSchema = strict({
  paths: z.array(reportPath).min(1).max(MAX_CHECKS).optional().describe("the report fields kept in the snapshot (default: the decision table's metrics)"),
  tolerance: tolerance.optional().describe("how far a metric may move before the check fails (default 0: the same seed gives the same numbers)"),
  tolerances: z.record(reportPath, tolerance).optional().describe("a tolerance per field, over tolerance"),
});

export const expectSchema = strict({
  variants: z.record(z.string().refine((v) => new RegExp(VARIANT_NAME_PATTERN).test(v), { error: (i) => `${show(i.input)} is not allowed; a variant's name is letters, digits and - . + _, e.g. "no-grouping"` }).meta({ pattern: VARIANT_NAME_PATTERN }),
    z.array(z.string().min(1)).min(1).max(64).describe("--set overrides, e.g. \"machine.mobility_grouping=false\""))
    .optional().meta({ maxProperties: MAX_VARIANTS }).describe("named copies of the scenario with overrides (as --set writes them), for checks that compare the scenario with itself changed"),
  checks: z.array(checkSchema).min(1).max(MAX_CHECKS).optional().describe("what must hold in the reports; fusewb check runs the runs these name"),
  snapshot: snapshotSchema.optional().describe("what fusewb check --update keeps beside the scenario (x.snapshot.json) and later runs compare with"),
}).superRefine((e, ctx) => {
  // a check that names a variant the section does not declare: said here, with the names it has
  const names = Object.keys(e.variants ?? {});
  const unknown = (v: string | undefined, path: PropertyKey[]): void => {
    if (v !== undefined && !names.includes(v))
      ctx.addIssue({ code: "custom", message: `${show(v)} is not allowed; ${names.length ? `expect.variants has: ${names.join(", ")}` : "expect.variants declares none"}`, input: v, path });
  };
  e.checks?.forEach((c, i) => {
    c.variant?.forEach((v, j) => unknown(v, ["checks", i, "variant", ...(c.variant!.length > 1 ? [j] : [])]));
    for (const k of COMPARISONS) {
      const o = c[k];
      for (const [j, x] of (k === "in" ? (o as Operand[] | undefined) ?? [] : [o as Operand | undefined]).entries())
        if (typeof x === "object" && x !== null) unknown(x.variant, ["checks", i, k, ...(k === "in" ? [j] : []), "variant"]);
    }
  });
});
export type ParsedExpect = z.output<typeof expectSchema>;
