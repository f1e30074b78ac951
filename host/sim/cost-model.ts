// The cost model: cost/cost-model.json, checked against the core's entries.
import costModelJson from "../../cost/cost-model.json" with { type: "json" };
import { COST_NAMES, type CostName } from "./layout.js";
import { InputError } from "../util/input-error.js";

export type CostModel = Record<CostName, number>;

interface CostFile {
  costs: Record<string, { ns: number; source: string }>;
}

/** Turns a cost file into numbers, refusing missing, unknown or negative entries. */
export function parseCostModel(file: unknown, source = "cost model"): CostModel {
  const costs = (file as CostFile | null)?.costs;
  if (typeof costs !== "object" || costs === null) throw new InputError(`${source}: no "costs" object`);
  const out = {} as CostModel;
  for (const name of COST_NAMES) {
    const entry = costs[name];
    if (!entry || typeof entry.ns !== "number" || !(entry.ns >= 0))
      throw new InputError(`${source}: costs.${name}.ns is missing or not a non-negative number`);
    out[name] = entry.ns;
  }
  for (const name of Object.keys(costs))
    if (!(COST_NAMES as readonly string[]).includes(name))
      throw new InputError(`${source}: costs.${name} is unknown; allowed: ${COST_NAMES.join(", ")}`);
  return out;
}

export const defaultCostModel: CostModel = parseCostModel(costModelJson, "cost/cost-model.json");
