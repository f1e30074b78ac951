import type { ZoneView } from "../core/allocator-model.js";
import { MIGRATE_TYPES, NR_PAGE_ORDERS } from "../core/constants.js";

/** The emulated machine has one NUMA node. */
export const NODE_ID = 0;

/** mm/vmstat.c: walk_zones_in_node(assert_populated=true): only zones with present pages are printed. */
export function populatedZones(zones: readonly ZoneView[]): ZoneView[] {
  // present = managed here (no holes, no reserved memory modelled).
  return zones.filter((zone) => zone.managedPages > 0);
}

/** free_area[order].nr_free: the buddies on every list of that order, ISOLATE included. */
export function nrFree(zone: ZoneView, order: number): number {
  let count = 0;
  for (let mt = 0; mt < MIGRATE_TYPES; mt++) count += zone.freeCount[mt]?.[order] ?? 0;
  return count;
}

/** printf "%<width>lu" / "%<width>d" / "%<width>s": right-justified, never truncated. */
export function rjust(value: number | string, width: number): string {
  return String(value).padStart(width);
}

/** "Node %d, zone %8s ": the zone prefix that buddyinfo, blocks, mixed and the extfrag files share. */
export function zonePrefix(zone: ZoneView): string {
  return `Node ${NODE_ID}, zone ${rjust(zone.name, 8)} `;
}

// mm/vmstat.c: frag_show() / frag_show_print()
export function formatBuddyinfo(zones: readonly ZoneView[]): string {
  let out = "";
  for (const zone of populatedZones(zones)) {
    out += zonePrefix(zone);
    for (let order = 0; order < NR_PAGE_ORDERS; order++) out += `${rjust(nrFree(zone, order), 6)} `;
    out += "\n";
  }
  return out;
}
