// Watermarks and lowmem reserves of the reference allocator (docs/allocator.md, "Watermarks"), and the
// watermark check itself. Integer arithmetic throughout: every division floors, as the kernel's unsigned
// longs do (all operands are non-negative and well below 2^53).
import {
  MAX_NR_ZONES,
  MIGRATE_CMA,
  MIGRATE_HIGHATOMIC,
  MIGRATE_PCPTYPES,
  NR_PAGE_ORDERS,
  ZONE_DMA32,
  ZONE_MOVABLE,
  ZONE_NORMAL,
  pageblock_nr_pages,
} from "../core/constants.js";
import { at, type Zone } from "./buddy.js";

// mm/internal.h: alloc flags (the kernel's values)
export const ALLOC_WMARK_MIN = 0;
export const ALLOC_WMARK_LOW = 1;
export const ALLOC_WMARK_HIGH = 2;
export const ALLOC_WMARK_MASK = 3;
export const ALLOC_NON_BLOCK = 0x10;
export const ALLOC_MIN_RESERVE = 0x20;
export const ALLOC_CMA = 0x80;
export const ALLOC_NOFRAGMENT = 0x100;
export const ALLOC_HIGHATOMIC = 0x200;
export const ALLOC_RESERVES = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC;

/** mm/page_alloc.c: sysctl_lowmem_reserve_ratio[] (DMA32 256, Normal 32, Movable unused). */
const lowmem_reserve_ratio = [256, 32, 0];
const watermark_scale_factor = 10;
const SWAP_CLUSTER_MAX = 32;

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

// lib/math/int_sqrt.c: int_sqrt() (floor of the square root, exact for any safe integer)
export function int_sqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

// mm/page_alloc.c: calculate_min_free_kbytes() (lowmem in pages; 4 KiB pages)
export function calculate_min_free_kbytes(lowmemPages: number): number {
  return clamp(int_sqrt(lowmemPages * 4 * 16), 128, 262144);
}

// mm/khugepaged.c: set_recommended_min_free_kbytes() (6.15): with THP on, two pageblocks per DMA32/Normal zone
// plus MIGRATE_PCPTYPES^2 more, capped at 5 % of nr_free_buffer_pages() (what DMA32 and Normal hold above
// their high watermarks, under the watermarks set so far); raises min_free_kbytes, never lowers it.
export function set_recommended_min_free_kbytes(managed: number[], minFreeKbytes: number): number {
  const lowZones = [ZONE_DMA32, ZONE_NORMAL].filter((z) => at(managed, z) > 0);
  const wmarks = wmarksFor(managed, minFreeKbytes);
  const nr_free_buffer_pages = lowZones.reduce((s, z) => s + Math.max(at(managed, z) - at(wmarks, z).high, 0), 0);
  let recommended = pageblock_nr_pages * lowZones.length * 2;
  recommended += pageblock_nr_pages * lowZones.length * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
  recommended = Math.min(recommended, Math.floor(nr_free_buffer_pages / 20)) * 4;
  return Math.max(recommended, minFreeKbytes);
}

/** min_free_kbytes as boot leaves it: the square-root rule, raised by khugepaged when THP is on. */
export function min_free_kbytes(managed: number[], thp: boolean): number {
  const sqrtRule = calculate_min_free_kbytes(at(managed, ZONE_DMA32) + at(managed, ZONE_NORMAL));
  return thp ? set_recommended_min_free_kbytes(managed, sqrtRule) : sqrtRule;
}

// mm/page_alloc.c: __setup_per_zone_wmarks() (managed[z] = 0 for an absent zone)
export function __setup_per_zone_wmarks(managed: number[], thp: boolean): { min: number; low: number; high: number }[] {
  return wmarksFor(managed, min_free_kbytes(managed, thp));
}

function wmarksFor(managed: number[], minFreeKbytes: number): { min: number; low: number; high: number }[] {
  const lowmem = at(managed, ZONE_DMA32) + at(managed, ZONE_NORMAL);
  const pages_min = Math.floor(minFreeKbytes / 4);
  const out: { min: number; low: number; high: number }[] = [];
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    const m = at(managed, z);
    if (m === 0) {
      out.push({ min: 0, low: 0, high: 0 });
      continue;
    }
    // Deviation kept from the doc: for Movable the kernel spaces low/high by a quarter of the zone's
    // proportional share floor(pages_min * managed / lowmem), not of the capped min used here.
    // the zone's proportional share sets the low/high gaps even where min is capped (Movable)
    const share = Math.floor((pages_min * m) / lowmem);
    const min = z === ZONE_MOVABLE ? clamp(Math.floor(m / 1024), SWAP_CLUSTER_MAX, 128) : share;
    const gap = Math.max(Math.floor(share / 4), Math.floor((m * watermark_scale_factor) / 10000));
    out.push({ min, low: min + gap, high: min + 2 * gap });
  }
  return out;
}

// mm/page_alloc.c: setup_per_zone_lowmem_reserve() (result[i][j] = lowmem_reserve[j] of zone i)
export function setup_per_zone_lowmem_reserve(managed: number[]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < MAX_NR_ZONES; i++) {
    const row = [0, 0, 0];
    const ratio = at(lowmem_reserve_ratio, i);
    let upper = 0;
    for (let j = i + 1; j < MAX_NR_ZONES; j++) {
      upper += at(managed, j);
      row[j] = ratio === 0 || at(managed, i) === 0 ? 0 : Math.floor(upper / ratio);
    }
    out.push(row);
  }
  return out;
}

// include/linux/mmzone.h: wmark_pages() (_watermark[w] + watermark_boost)
export function wmark_pages(zone: Zone, alloc_flags: number): number {
  const w = alloc_flags & ALLOC_WMARK_MASK;
  const base = w === ALLOC_WMARK_MIN ? zone.watermark.min : w === ALLOC_WMARK_LOW ? zone.watermark.low : zone.watermark.high;
  return base + zone.watermark_boost;
}

// mm/page_alloc.c: __zone_watermark_ok() (with __zone_watermark_unusable_free() folded in)
export function __zone_watermark_ok(z: Zone, order: number, mark: number, highest_zoneidx: number, alloc_flags: number): boolean {
  let free = z.nr_free_pages - ((1 << order) - 1);
  if (!(alloc_flags & ALLOC_RESERVES)) free -= z.nr_free_highatomic;
  if (!(alloc_flags & ALLOC_CMA)) free -= z.nr_free_cma_pages;
  let min = mark;
  if (alloc_flags & ALLOC_MIN_RESERVE) {
    min -= Math.floor(min / 2);
    if (alloc_flags & ALLOC_NON_BLOCK) min -= Math.floor(min / 4);
  }
  if (free <= min + at(z.lowmem_reserve, highest_zoneidx)) return false;
  if (order === 0) return true;
  for (let o = order; o < NR_PAGE_ORDERS; o++) {
    for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) if (z.list(o, mt).length > 0) return true;
    if (alloc_flags & ALLOC_CMA && z.list(o, MIGRATE_CMA).length > 0) return true;
    if (alloc_flags & ALLOC_HIGHATOMIC && z.list(o, MIGRATE_HIGHATOMIC).length > 0) return true;
  }
  return false;
}

// mm/page_alloc.c: zone_watermark_fast() (its order-0 shortcut never decides otherwise than
// __zone_watermark_ok(), so only the retry against the unboosted min watermark is kept)
export function zone_watermark_fast(z: Zone, order: number, mark: number, highest_zoneidx: number, alloc_flags: number): boolean {
  if (__zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags)) return true;
  if (order === 0 && alloc_flags & ALLOC_MIN_RESERVE && z.watermark_boost > 0 && (alloc_flags & ALLOC_WMARK_MASK) === ALLOC_WMARK_MIN)
    return __zone_watermark_ok(z, order, z.watermark.min, highest_zoneidx, alloc_flags);
  return false;
}
