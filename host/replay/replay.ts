// Applies a parsed trace to an allocator from boot, in batches: a batch ends only where a free needs the
// PFN of an allocation still in the same batch.
import type { AllocatorModel } from "../core/allocator-model.js";
import { InputError } from "../util/input-error.js";
import { OP_ALLOC, OP_FREE, OP_VMSTAT_REFRESH, ALLOC_FAILED } from "../core/constants.js";
import type { Trace } from "./trace.js";

export interface ReplayResult {
  /** Names of the allocations that failed, in trace order. */
  failed: string[];
}

export function replayTrace(trace: Trace, model: AllocatorModel): ReplayResult {
  const live = new Map<string, { pfn: number; order: number }>();
  const failedNames = new Set<string>();
  const failed: string[] = [];
  let batch: number[] = [];
  let pendingNames: (string | null)[] = [];
  let pendingOrders: number[] = [];
  let pendingSet = new Set<string>();

  const flush = (): void => {
    if (batch.length === 0) return;
    const results = model.apply(new Int32Array(batch));
    pendingNames.forEach((name, i) => {
      if (name === null) return;
      const r = results[i]!;
      if (r === ALLOC_FAILED) {
        failed.push(name);
        failedNames.add(name);
      } else live.set(name, { pfn: r, order: pendingOrders[i]! });
    });
    batch = [];
    pendingNames = [];
    pendingOrders = [];
    pendingSet = new Set();
  };

  for (const op of trace.ops) {
    if (op.kind === "tick") {
      batch.push(OP_VMSTAT_REFRESH, 0, 0);
      pendingNames.push(null);
      pendingOrders.push(0);
      continue;
    }
    if (op.kind === "alloc") {
      if (live.has(op.name) || pendingSet.has(op.name))
        throw new InputError(`trace line ${op.line}: "${op.name}" is already allocated; free it first or use another name`);
      failedNames.delete(op.name);
      batch.push(OP_ALLOC, op.gfp, op.order);
      pendingNames.push(op.name);
      pendingOrders.push(op.order);
      pendingSet.add(op.name);
      continue;
    }
    if (pendingSet.has(op.name)) flush();
    const a = live.get(op.name);
    if (!a) {
      if (failedNames.has(op.name)) continue; // its allocation failed: nothing to free
      throw new InputError(`trace line ${op.line}: free of "${op.name}", which is not allocated`);
    }
    live.delete(op.name);
    batch.push(OP_FREE, a.pfn, a.order);
    pendingNames.push(null);
    pendingOrders.push(a.order);
  }
  flush();
  return { failed };
}
