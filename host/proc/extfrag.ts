import type { ZoneView } from "../core/allocator-model.js";
import { MAX_PAGE_ORDER, NR_PAGE_ORDERS } from "../core/constants.js";
import { nrFree, populatedZones, rjust, zonePrefix } from "./buddyinfo.js";

/** mm/vmstat.c: struct contig_page_info. */
export interface ContigPageInfo {
  freePages: number;
  freeBlocksTotal: number;
  freeBlocksSuitable: number;
}

// mm/vmstat.c: fill_contig_page_info(). Multiplications, not shifts: JS shifts are 32-bit.
export function fillContigPageInfo(zone: ZoneView, suitableOrder: number): ContigPageInfo {
  const info: ContigPageInfo = { freePages: 0, freeBlocksTotal: 0, freeBlocksSuitable: 0 };
  for (let order = 0; order < NR_PAGE_ORDERS; order++) {
    const blocks = nrFree(zone, order);
    info.freeBlocksTotal += blocks;
    info.freePages += blocks * 2 ** order;
    if (order >= suitableOrder) info.freeBlocksSuitable += blocks * 2 ** (order - suitableOrder);
  }
  return info;
}

// mm/vmstat.c: __fragmentation_index(). Thousandths; -1000 when the request would succeed.
// The u64 result is cast to int: a lone free block of order k < order gives 1000 - (1000 + 2^k*1000/2^order),
// a negative value down to -500 (e.g. one order-8 buddy asked for order 9), which the kernel prints as is.
function __fragmentation_index(order: number, info: ContigPageInfo): number {
  const requested = 2 ** order;
  if (order > MAX_PAGE_ORDER) return 0; // WARN_ON_ONCE
  if (info.freeBlocksTotal === 0) return 0;
  if (info.freeBlocksSuitable > 0) return -1000;
  // div_u64 twice: both quotients are of non-negative integers, so floor is C's division.
  return 1000 - Math.floor((1000 + Math.floor((info.freePages * 1000) / requested)) / info.freeBlocksTotal);
}

// mm/vmstat.c: unusable_free_index(). Thousandths; no free memory at all counts as all unusable.
function unusable_free_index(order: number, info: ContigPageInfo): number {
  if (info.freePages === 0) return 1000;
  return Math.floor(((info.freePages - info.freeBlocksSuitable * 2 ** order) * 1000) / info.freePages);
}

// mm/vmstat.c: fragmentation_index()
export function fragmentationIndex(zone: ZoneView, order: number): number {
  return __fragmentation_index(order, fillContigPageInfo(zone, order));
}

export function unusableFreeIndex(zone: ZoneView, order: number): number {
  return unusable_free_index(order, fillContigPageInfo(zone, order));
}

/** printf "%0<width>d": the sign comes first and counts towards the width ("-07", "-500"). */
function zeroPadded(value: number, width: number): string {
  const sign = value < 0 ? "-" : "";
  return sign + String(Math.abs(value)).padStart(width - sign.length, "0");
}

/** "<intFmt>.%03d " of index / 1000, index % 1000 with C's truncating int division (-1000 → "-1.000"). */
function thousandths(index: number, intWidth: number): string {
  const whole = Math.trunc(index / 1000) + 0; // + 0 turns -0 into 0
  const frac = (index % 1000) + 0;
  return `${rjust(whole, intWidth)}.${zeroPadded(frac, 3)} `;
}

function formatPerOrder(zones: readonly ZoneView[], index: (zone: ZoneView, order: number) => number, intWidth: number): string {
  let out = "";
  for (const zone of populatedZones(zones)) {
    out += zonePrefix(zone);
    for (let order = 0; order < NR_PAGE_ORDERS; order++) out += thousandths(index(zone, order), intWidth);
    out += "\n";
  }
  return out;
}

// mm/vmstat.c: extfrag_show_print(): /sys/kernel/debug/extfrag/extfrag_index, "%2d.%03d ".
export function formatExtfragIndex(zones: readonly ZoneView[]): string {
  return formatPerOrder(zones, fragmentationIndex, 2);
}

// mm/vmstat.c: unusable_show_print(): /sys/kernel/debug/extfrag/unusable_index, "%d.%03d ".
export function formatUnusableIndex(zones: readonly ZoneView[]): string {
  return formatPerOrder(zones, unusableFreeIndex, 1);
}
