import type { ZoneView } from "../core/allocator-model.js";
import {
  MIGRATE_CMA,
  MIGRATE_HIGHATOMIC,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
  NR_PAGE_ORDERS,
  type migratetype_names,
} from "../core/constants.js";
import { nrFree, populatedZones } from "./buddyinfo.js";
import { fragmentationIndex, unusableFreeIndex } from "./extfrag.js";

/** One value per order, order 0 first (NR_PAGE_ORDERS entries). */
export type PerOrder = number[];
/** A migratetype as /proc/pagetypeinfo names it. */
export type MigratetypeName = (typeof migratetype_names)[number];
export type PerType<T> = Record<MigratetypeName, T>;
/** Keyed by zone name ("DMA32", "Normal", "Movable"); only populated zones appear. */
export type PerZone<T> = { [zone: string]: T };

export interface PagetypeinfoJson {
  /** Free buddies per type and order; the true count, without the text file's 100000 walk cap. */
  free: PerZone<PerType<PerOrder>>;
  /** "Number of blocks type". */
  blocks: PerZone<PerType<number>>;
  /** "Number of mixed blocks". */
  mixed: PerZone<PerType<number>>;
}

export interface ProcJson {
  buddyinfo: PerZone<PerOrder>;
  pagetypeinfo: PagetypeinfoJson;
  /** fragmentation_index() per order, in thousandths (-1000: the request would succeed). */
  extfrag: PerZone<PerOrder>;
  /** unusable_free_index() per order, in thousandths. */
  unusable: PerZone<PerOrder>;
  /** /proc/zoneinfo's "pagesets": pages on every CPU's per-cpu lists (free, but neither in buddyinfo nor in
   *  NR_FREE_PAGES), and CPU 0's high, batch, and the range high is tuned in (high_min, high_max). */
  pagesets: PerZone<{ count: number; high: number; batch: number; highMin: number; highMax: number }>;
}

// Spelled out so the result is typed without a cast; key order is the kernel's migratetype order.
export function perType<T>(value: (mt: number) => T): PerType<T> {
  return {
    Unmovable: value(MIGRATE_UNMOVABLE),
    Movable: value(MIGRATE_MOVABLE),
    Reclaimable: value(MIGRATE_RECLAIMABLE),
    HighAtomic: value(MIGRATE_HIGHATOMIC),
    CMA: value(MIGRATE_CMA),
    Isolate: value(MIGRATE_ISOLATE),
  };
}

export function perOrder(value: (order: number) => number): PerOrder {
  return Array.from({ length: NR_PAGE_ORDERS }, (_, order) => value(order));
}

/** The /proc/buddyinfo, /proc/pagetypeinfo and debugfs extfrag data, as numbers. */
export function procJson(zones: readonly ZoneView[]): ProcJson {
  const json: ProcJson = {
    buddyinfo: {},
    pagetypeinfo: { free: {}, blocks: {}, mixed: {} },
    extfrag: {},
    unusable: {},
    pagesets: {},
  };
  for (const zone of populatedZones(zones)) {
    json.buddyinfo[zone.name] = perOrder((order) => nrFree(zone, order));
    json.pagetypeinfo.free[zone.name] = perType((mt) => perOrder((order) => zone.freeCount[mt]?.[order] ?? 0));
    json.pagetypeinfo.blocks[zone.name] = perType((mt) => zone.blocks[mt] ?? 0);
    json.pagetypeinfo.mixed[zone.name] = perType((mt) => zone.mixed[mt] ?? 0);
    json.extfrag[zone.name] = perOrder((order) => fragmentationIndex(zone, order));
    json.unusable[zone.name] = perOrder((order) => unusableFreeIndex(zone, order));
    json.pagesets[zone.name] = { ...zone.pcp };
  }
  return json;
}
