import type { ZoneView } from "../core/allocator-model.js";
import { MIGRATE_TYPES, NR_PAGE_ORDERS, migratetype_names, pageblock_nr_pages, pageblock_order } from "../core/constants.js";
import { NODE_ID, populatedZones, rjust, zonePrefix } from "./buddyinfo.js";

/** pagetypeinfo_showfree_print() stops walking a free list at this many entries (it holds zone->lock). */
const FREE_LIST_WALK_CAP = 100000;

// mm/vmstat.c: pagetypeinfo_showfree_print(): "%s%6lu ", with ">" when the walk hit the cap.
function freeCountCell(count: number): string {
  return count >= FREE_LIST_WALK_CAP ? `>${rjust(FREE_LIST_WALK_CAP, 6)} ` : `${rjust(count, 6)} `;
}

// mm/vmstat.c: pagetypeinfo_showfree()
function showfree(zones: readonly ZoneView[]): string {
  let out = `${"Free pages count per migrate type at order".padEnd(43)} `;
  for (let order = 0; order < NR_PAGE_ORDERS; order++) out += `${rjust(order, 6)} `;
  out += "\n";
  for (const zone of zones) {
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      out += `Node ${rjust(NODE_ID, 4)}, zone ${rjust(zone.name, 8)}, type ${rjust(migratetype_names[mt] ?? "", 12)} `;
      for (let order = 0; order < NR_PAGE_ORDERS; order++) out += freeCountCell(zone.freeCount[mt]?.[order] ?? 0);
      out += "\n";
    }
  }
  return out;
}

/** The per-type table shared by "Number of blocks type" and "Number of mixed blocks". */
function perTypeTable(title: string, zones: readonly ZoneView[], counts: (zone: ZoneView) => readonly number[]): string {
  let out = `\n${title.padEnd(23)}`;
  for (let mt = 0; mt < MIGRATE_TYPES; mt++) out += `${rjust(migratetype_names[mt] ?? "", 12)} `;
  out += "\n";
  for (const zone of zones) {
    const row = counts(zone);
    out += zonePrefix(zone);
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) out += `${rjust(row[mt] ?? 0, 12)} `;
    out += "\n";
  }
  return out;
}

// mm/vmstat.c: pagetypeinfo_show(), with CONFIG_CMA, CONFIG_MEMORY_ISOLATION and page_owner=on
// (pagetypeinfo_showmixedcount() prints nothing without page_owner; rows from mm/page_owner.c:
// pagetypeinfo_showmixedcount_print()).
export function formatPagetypeinfo(zones: readonly ZoneView[]): string {
  const populated = populatedZones(zones);
  if (populated.length === 0) return ""; // memoryless node: !node_state(N_MEMORY)
  return (
    `Page block order: ${pageblock_order}\n` +
    `Pages per block:  ${pageblock_nr_pages}\n` +
    "\n" +
    showfree(populated) +
    perTypeTable("Number of blocks type ", populated, (zone) => zone.blocks) +
    perTypeTable("Number of mixed blocks ", populated, (zone) => zone.mixed)
  );
}
