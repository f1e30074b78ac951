// struct zone and struct free_area: zone spans, buddy free lists per (order, migratetype), free-page
// accounting (account_freepages, 6.10 freelist hygiene) and watermarks.
import {
  MAX_NR_ZONES, NR_PAGE_ORDERS, MIGRATE_TYPES, MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_HIGHATOMIC,
  MIGRATE_PCPTYPES, MIGRATE_UNMOVABLE, NONE, pageblock_nr_pages, MAX_PAGE_ORDER,
} from "./constants";
import {
  PG_buddy, PAGE_WORD_ORDER, page_word, store_page_word, store_pageblock_migratetype, set_max_order_block_free,
} from "./page";
import { pfn_list_add, pfn_list_del } from "./pfn_list";

// The tables live in static memory (memory.data), not in `new StaticArray`s: their addresses are then constants
// the compiler folds into every access, where a StaticArray's address is a global loaded each time.
// ZONE_TABLE: bytes of a table with one 4-byte entry per zone.
const ZONE_TABLE: i32 = <i32>MAX_NR_ZONES * 4;

// Per-zone scalars, indexed by zone id.
export const zone_start = changetype<StaticArray<u32>>(memory.data(ZONE_TABLE, 16));
export const zone_end = changetype<StaticArray<u32>>(memory.data(ZONE_TABLE, 16));
export const NR_FREE_PAGES = changetype<StaticArray<i32>>(memory.data(ZONE_TABLE, 16));
export const NR_FREE_CMA_PAGES = changetype<StaticArray<i32>>(memory.data(ZONE_TABLE, 16));
export const nr_free_highatomic = changetype<StaticArray<i32>>(memory.data(ZONE_TABLE, 16));
export const nr_reserved_highatomic = changetype<StaticArray<u32>>(memory.data(ZONE_TABLE, 16));
export const wmark_min = changetype<StaticArray<u32>>(memory.data(ZONE_TABLE, 16));
export const wmark_low = changetype<StaticArray<u32>>(memory.data(ZONE_TABLE, 16));
export const wmark_high = changetype<StaticArray<u32>>(memory.data(ZONE_TABLE, 16));
export const watermark_boost = changetype<StaticArray<u32>>(memory.data(ZONE_TABLE, 16));
/** zone->flags; ZONE_BOOSTED_WATERMARK: a fallback boosted the watermark, rmqueue() wakes kswapd.
 *  ZONE_RECLAIM_ACTIVE: kswapd is in balance_pgdat() (set_reclaim_active()); ZONE_BELOW_HIGH: an allocation
 *  found the zone under its high watermark, cleared by a free that finds it above again (both 6.7+, for the
 *  per-cpu lists' pcp->high tuning, pcp.ts). */
export const zone_flags = changetype<StaticArray<u32>>(memory.data(ZONE_TABLE, 16));
export const ZONE_BOOSTED_WATERMARK: u32 = 1;
export const ZONE_RECLAIM_ACTIVE: u32 = 2;
export const ZONE_BELOW_HIGH: u32 = 4;
/** lowmem_reserve[zone * MAX_NR_ZONES + highest_zoneidx] */
export const lowmem_reserve = changetype<StaticArray<u32>>(memory.data(ZONE_TABLE * <i32>MAX_NR_ZONES, 16));

// free_area[zone][order].free_list[mt]: head, tail and length of each doubly linked list of PFNs.
const NR_LISTS: i32 = <i32>(MAX_NR_ZONES * NR_PAGE_ORDERS * MIGRATE_TYPES);
export const fa_head = changetype<StaticArray<u32>>(memory.data(NR_LISTS * 4, 16));
export const fa_tail = changetype<StaticArray<u32>>(memory.data(NR_LISTS * 4, 16));
export const fa_count = changetype<StaticArray<u32>>(memory.data(NR_LISTS * 4, 16));
/** Bit o of fa_orders[z * MIGRATE_TYPES + mt] is set while free_list[mt] of order o is not empty: the
 *  searches over orders (__rmqueue_smallest, the watermark's order check) read one word, not 11 heads. */
export const fa_orders = changetype<StaticArray<u32>>(memory.data(ZONE_TABLE * <i32>MIGRATE_TYPES, 16));

/** page_group_by_mobility_disabled */
export let page_group_by_mobility_disabled: bool = false;
export function set_mobility_disabled(v: bool): void { page_group_by_mobility_disabled = v; }

@inline export function fa_index(z: u32, order: u32, mt: u32): i32 {
  return <i32>((z * NR_PAGE_ORDERS + order) * MIGRATE_TYPES + mt);
}

@inline export function zone_managed_pages(z: u32): u32 {
  return unchecked(zone_end[z]) - unchecked(zone_start[z]);
}
/** totalram_pages(): the managed pages of every zone (one node). */
export function totalram_pages(): u64 {
  let total: u64 = 0;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) total += <u64>zone_managed_pages(z);
  return total;
}
@inline export function populated_zone(z: u32): bool { return zone_managed_pages(z) != 0; }

/** page_zone(): zones are contiguous PFN ranges from 0, in id order, so the zone is the number of zone ends at
 *  or below pfn (counted without branches: random PFNs would mispredict them). */
@inline export function page_zone(pfn: u32): u32 {
  return <u32>(pfn >= unchecked(zone_end[0])) + <u32>(pfn >= unchecked(zone_end[1]));
}

export function zones_reset(): void {
  for (let i = 0; i < NR_LISTS; i++) {
    unchecked(fa_head[i] = NONE);
    unchecked(fa_tail[i] = NONE);
    unchecked(fa_count[i] = 0);
  }
  for (let i = 0; i < <i32>(MAX_NR_ZONES * MIGRATE_TYPES); i++) unchecked(fa_orders[i] = 0);
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    unchecked(NR_FREE_PAGES[z] = 0);
    unchecked(NR_FREE_CMA_PAGES[z] = 0);
    unchecked(nr_free_highatomic[z] = 0);
    unchecked(nr_reserved_highatomic[z] = 0);
    unchecked(watermark_boost[z] = 0);
    unchecked(zone_flags[z] = 0);
  }
  page_group_by_mobility_disabled = false;
}

// mm/page_alloc.c: __add_to_free_list()
@inline export function __add_to_free_list(pfn: u32, z: u32, order: u32, mt: u32, tail: bool): void {
  const i = fa_index(z, order, mt);
  pfn_list_add(fa_head, fa_tail, i, pfn, tail);
  unchecked(fa_count[i] += 1);
  unchecked(fa_orders[z * MIGRATE_TYPES + mt] |= <u32>1 << order);
  // SetPageBuddy() + set_buddy_order() in one store; other bits are kept for the checker to see
  store_page_word(pfn, (page_word(pfn) & ~PAGE_WORD_ORDER) | PG_buddy | (order << 16));
  if (order == MAX_PAGE_ORDER) set_max_order_block_free(pfn, true);
}

// mm/page_alloc.c: __del_page_from_free_list() (clears PageBuddy and the order, as the kernel does)
@inline export function __del_page_from_free_list(pfn: u32, z: u32, order: u32, mt: u32): void {
  const i = fa_index(z, order, mt);
  pfn_list_del(fa_head, fa_tail, i, pfn);
  if ((unchecked(fa_count[i] -= 1)) == 0) unchecked(fa_orders[z * MIGRATE_TYPES + mt] &= ~(<u32>1 << order));
  store_page_word(pfn, page_word(pfn) & ~(PG_buddy | PAGE_WORD_ORDER)); // __ClearPageBuddy(), order 0
  if (order == MAX_PAGE_ORDER) set_max_order_block_free(pfn, false);
}

// mm/page_alloc.c: account_freepages()
@inline export function account_freepages(z: u32, nr: i32, mt: u32): void {
  if (mt == MIGRATE_ISOLATE) return;
  unchecked(NR_FREE_PAGES[z] += nr);
  if (mt == MIGRATE_CMA) unchecked(NR_FREE_CMA_PAGES[z] += nr);
  else if (mt == MIGRATE_HIGHATOMIC) unchecked(nr_free_highatomic[z] += nr);
}

// mm/page_alloc.c: move_to_free_list(): to the tail of the new type's list
export function move_to_free_list(pfn: u32, z: u32, order: u32, old_mt: u32, new_mt: u32): void {
  __del_page_from_free_list(pfn, z, order, old_mt);
  __add_to_free_list(pfn, z, order, new_mt, true);
  account_freepages(z, -(<i32>1 << order), old_mt);
  account_freepages(z, <i32>1 << order, new_mt);
}

@inline export function free_list_empty(z: u32, order: u32, mt: u32): bool {
  return (unchecked(fa_orders[z * MIGRATE_TYPES + mt]) & (<u32>1 << order)) == 0;
}
/** The orders >= order whose free_list[mt] is not empty, as a bit mask. */
@inline export function free_orders_from(z: u32, order: u32, mt: u32): u32 {
  return unchecked(fa_orders[z * MIGRATE_TYPES + mt]) >> order << order;
}
@inline export function free_list_head(z: u32, order: u32, mt: u32): u32 {
  return unchecked(fa_head[fa_index(z, order, mt)]);
}

// mm/page_alloc.c: set_pageblock_migratetype()
export function set_pageblock_migratetype(pfn: u32, mt: u32): void {
  if (page_group_by_mobility_disabled && mt < MIGRATE_PCPTYPES) mt = MIGRATE_UNMOVABLE;
  store_pageblock_migratetype(pfn, mt);
}

// mm/page_alloc.c: change_pageblock_range()
export function change_pageblock_range(pfn: u32, order: u32, mt: u32): void {
  const end = pfn + (<u32>1 << order);
  for (let p = pfn; p < end; p += pageblock_nr_pages) set_pageblock_migratetype(p, mt);
}

// include/linux/mmzone.h: migratetype_is_mergeable()
@inline export function migratetype_is_mergeable(mt: u32): bool { return mt < MIGRATE_PCPTYPES; }
