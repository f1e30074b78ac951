// What `fusewb replay` prints: /proc/pagetypeinfo then /proc/buddyinfo, or the same as JSON.
import type { ZoneView } from "../core/allocator-model.js";
import { migratetype_names } from "../core/constants.js";
import {
  formatBuddyinfo, formatPagetypeinfo, procJson, perType, perOrder, type PerOrder, type PerType, type PerZone,
  type ProcJson, type MigratetypeName,
} from "../proc/index.js";

export interface ReplayJson {
  /** Summed over zones; per zone in `zones`. */
  pagetypeinfo: { blocks: PerType<number>; mixed: PerType<number>; free: PerType<PerOrder> };
  /** Free blocks per order, per zone name. */
  buddyinfo: Record<string, PerOrder>;
  /** Allocations that failed, by name, in trace order. */
  failed: string[];
  /** The per-zone views: buddyinfo, pagetypeinfo, extfrag and unusable indices. */
  zones: ProcJson;
}

const typeName = (mt: number): MigratetypeName => migratetype_names[mt]!;

function sumCounts(perZone: PerZone<PerType<number>>): PerType<number> {
  return perType((mt) => Object.values(perZone).reduce((sum, z) => sum + z[typeName(mt)], 0));
}

function sumOrders(perZone: PerZone<PerType<PerOrder>>): PerType<PerOrder> {
  return perType((mt) => perOrder((o) => Object.values(perZone).reduce((sum, z) => sum + (z[typeName(mt)][o] ?? 0), 0)));
}

export function replayJson(zones: ZoneView[], failed: string[]): ReplayJson {
  const proc = procJson(zones);
  return {
    pagetypeinfo: {
      blocks: sumCounts(proc.pagetypeinfo.blocks),
      mixed: sumCounts(proc.pagetypeinfo.mixed),
      free: sumOrders(proc.pagetypeinfo.free),
    },
    buddyinfo: proc.buddyinfo,
    failed,
    zones: proc,
  };
}

export function replayText(zones: ZoneView[], failed: string[]): string {
  let out = formatPagetypeinfo(zones) + "\n" + formatBuddyinfo(zones);
  if (failed.length > 0) out += `\n# failed allocations (${failed.length}): ${failed.join(" ")}\n`;
  return out;
}
