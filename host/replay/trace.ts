// The allocation trace format of `fusewb replay` (README "Trace replay"):
//   machine pages=<n> dma32=<n> [movable=<n>] [cma=<n>] [fallback=claim-then-steal|largest-steal] [grouping=on|off]
//           [pcp=on|off] [thp=on|off]   (thp defaults to off: a trace recorded before the key existed keeps its
//           watermarks; thp=on applies khugepaged's min_free_kbytes raise, as machine.thp does in a scenario)
//   alloc <name> <order> <movable|unmovable|reclaimable> [atomic]
//   free <name>
//   tick          (a second passes: vmstat_update()'s decay_pcp_high() lowers the per-cpu lists' high)
//   # comment
import { InputError } from "../util/input-error.js";
import { defaultMachineConfig, validateMachineConfig, renameMachinePageFields, FALLBACK_POLICIES, type MachineConfig } from "../core/machine-config.js";
import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL, GFP_KERNEL_RECLAIMABLE, __GFP_HIGH, MAX_PAGE_ORDER } from "../core/constants.js";

export type TraceOp =
  | { kind: "alloc"; line: number; name: string; order: number; gfp: number }
  | { kind: "free"; line: number; name: string }
  | { kind: "tick"; line: number };

export interface Trace {
  machine: MachineConfig;
  ops: TraceOp[];
}

const typeGfp: Readonly<Record<string, number>> = {
  movable: GFP_HIGHUSER_MOVABLE,
  unmovable: GFP_KERNEL,
  reclaimable: GFP_KERNEL_RECLAIMABLE,
};

function parseCount(value: string | undefined, key: string, line: number): number {
  if (value === undefined || !/^\d+$/.test(value))
    throw new InputError(`trace line ${line}: machine ${key}=${value ?? ""} is not a whole number of pages`);
  return Number(value);
}

/** validateMachineConfig speaks of MachineConfig fields; say it with the machine line's keys. */
function machineProblemInTraceTerms(problem: string): string {
  const key = { dma32Pages: "dma32=", normalPages: "pages= less dma32= and movable= (the Normal zone)", movablePages: "movable=", cmaPages: "cma=" };
  return renameMachinePageFields(problem.replace(/^machine\./, "machine "), key);
}

function parseMachine(words: string[], line: number): MachineConfig {
  const fields = new Map<string, string>();
  for (const w of words) {
    const eq = w.indexOf("=");
    if (eq < 0) throw new InputError(`trace line ${line}: machine field "${w}" is not key=value`);
    const key = w.slice(0, eq);
    if (fields.has(key)) throw new InputError(`trace line ${line}: machine ${key}= is given twice; give each field once`);
    fields.set(key, w.slice(eq + 1));
  }
  const allowed = ["pages", "dma32", "movable", "cma", "fallback", "grouping", "pcp", "thp"];
  for (const k of fields.keys())
    if (!allowed.includes(k)) throw new InputError(`trace line ${line}: unknown machine field "${k}"; allowed: ${allowed.join(", ")}`);
  const pages = parseCount(fields.get("pages"), "pages", line);
  const dma32 = fields.has("dma32") ? parseCount(fields.get("dma32"), "dma32", line) : 0;
  const movable = fields.has("movable") ? parseCount(fields.get("movable"), "movable", line) : 0;
  const cma = fields.has("cma") ? parseCount(fields.get("cma"), "cma", line) : 0;
  if (pages === 0) throw new InputError(`trace line ${line}: machine pages=0 is not allowed; give the machine's pages, e.g. pages=262144`);
  if (dma32 + movable > pages)
    throw new InputError(`trace line ${line}: machine dma32 + movable (${dma32 + movable}) exceeds pages=${pages}`);
  const fallback = fields.get("fallback") ?? "claim-then-steal";
  if (!(FALLBACK_POLICIES as readonly string[]).includes(fallback))
    throw new InputError(`trace line ${line}: machine fallback=${fallback} is unknown; allowed: ${FALLBACK_POLICIES.join(", ")}`);
  const grouping = fields.get("grouping") ?? "on";
  if (grouping !== "on" && grouping !== "off")
    throw new InputError(`trace line ${line}: machine grouping=${grouping}; allowed: on, off`);
  const pcp = fields.get("pcp") ?? "on";
  if (pcp !== "on" && pcp !== "off")
    throw new InputError(`trace line ${line}: machine pcp=${pcp}; allowed: on, off`);
  const thp = fields.get("thp") ?? "off";
  if (thp !== "on" && thp !== "off")
    throw new InputError(`trace line ${line}: machine thp=${thp}; allowed: on, off`);
  const machine: MachineConfig = {
    ...defaultMachineConfig,
    pcp: pcp === "on",
    thp: thp === "on",
    dma32Pages: dma32,
    normalPages: pages - dma32 - movable,
    movablePages: movable,
    cmaPages: cma,
    fallback: fallback as MachineConfig["fallback"],
    mobilityGrouping: grouping === "on",
  };
  const err = validateMachineConfig(machine);
  if (err) throw new InputError(`trace line ${line}: ${machineProblemInTraceTerms(err)}`);
  return machine;
}

export function parseTrace(text: string): Trace {
  let machine: MachineConfig | null = null;
  const ops: TraceOp[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const content = lines[i]!.replace(/#.*$/, "").trim();
    if (content === "") continue;
    const [verb, ...args] = content.split(/\s+/);
    if (verb === "machine") {
      if (machine) throw new InputError(`trace line ${line}: a second machine line; a trace has exactly one, before any operation`);
      if (ops.length > 0) throw new InputError(`trace line ${line}: the machine line must come before any operation`);
      machine = parseMachine(args, line);
      continue;
    }
    if (!machine) throw new InputError(`trace line ${line}: "${verb}" before the machine line (e.g. "machine pages=262144 dma32=65536")`);
    if (verb === "alloc") {
      if (args.length < 3 || args.length > 4)
        throw new InputError(`trace line ${line}: expected "alloc <name> <order> <movable|unmovable|reclaimable> [atomic]"`);
      const [name, orderText, type, flag] = args as [string, string, string, string | undefined];
      if (!/^\d+$/.test(orderText) || Number(orderText) > MAX_PAGE_ORDER)
        throw new InputError(`trace line ${line}: order "${orderText}" is not allowed; use 0..${MAX_PAGE_ORDER}`);
      const gfp = typeGfp[type];
      if (gfp === undefined) throw new InputError(`trace line ${line}: type "${type}" is unknown; allowed: movable, unmovable, reclaimable`);
      if (flag !== undefined && flag !== "atomic") throw new InputError(`trace line ${line}: flag "${flag}" is unknown; allowed: atomic`);
      ops.push({ kind: "alloc", line, name, order: Number(orderText), gfp: gfp | (flag ? __GFP_HIGH : 0) });
    } else if (verb === "free") {
      if (args.length !== 1) throw new InputError(`trace line ${line}: expected "free <name>"`);
      ops.push({ kind: "free", line, name: args[0]! });
    } else if (verb === "tick") {
      if (args.length !== 0) throw new InputError(`trace line ${line}: expected "tick" alone`);
      ops.push({ kind: "tick", line });
    } else {
      throw new InputError(`trace line ${line}: unknown operation "${verb}"; allowed: machine, alloc, free, tick, # comment`);
    }
  }
  if (!machine) throw new InputError("trace: no machine line (e.g. \"machine pages=262144 dma32=65536\")");
  return { machine, ops };
}
