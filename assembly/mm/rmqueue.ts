// Taking a free block off the buddy lists: __rmqueue() and its fallbacks (mm/page_alloc.c).
import {
  MAX_PAGE_ORDER, NR_PAGE_ORDERS, pageblock_order, pageblock_nr_pages, MIGRATE_UNMOVABLE, MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE, MIGRATE_HIGHATOMIC, MIGRATE_CMA, MIGRATE_PCPTYPES, ALLOC_CMA, ALLOC_NOFRAGMENT, ALLOC_KSWAPD,
  NONE, FALLBACK_LARGEST_STEAL,
} from "./constants";
import {
  PG_buddy, PG_lru, page_flags, page_order, set_page_links,
  get_pageblock_migratetype,
} from "./page";
import {
  __add_to_free_list, __del_page_from_free_list, account_freepages, free_list_head, free_list_empty, free_orders_from,
  move_to_free_list, set_pageblock_migratetype, change_pageblock_range, page_group_by_mobility_disabled,
  NR_FREE_PAGES, NR_FREE_CMA_PAGES, zone_start, zone_end, zone_flags, ZONE_BOOSTED_WATERMARK,
} from "./zone";
import { boost_watermark } from "./watermark";

/** Which fallback __rmqueue runs: FALLBACK_CLAIM_THEN_STEAL (6.15+) or FALLBACK_LARGEST_STEAL (6.10-6.14). */
export let fallback_policy: u32 = 0;
export function set_fallback_policy(p: u32): void { fallback_policy = p; }

// mm/page_alloc.c: fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1]
const fallbacks: StaticArray<u32> = [
  MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE,   // UNMOVABLE
  MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, // MOVABLE
  MIGRATE_UNMOVABLE, MIGRATE_MOVABLE,     // RECLAIMABLE
];

// mm/page_alloc.c: expand(): the upper halves go to the head of their lists; returns pages added
@inline function expand(z: u32, pfn: u32, low: u32, high: u32, mt: u32): u32 {
  let size: u32 = <u32>1 << high;
  let nr_added: u32 = 0;
  while (high > low) {
    high--;
    size >>= 1;
    __add_to_free_list(pfn + size, z, high, mt, false);
    nr_added += size;
  }
  return nr_added;
}

// mm/page_alloc.c: page_del_and_expand()
@inline function page_del_and_expand(z: u32, pfn: u32, low: u32, high: u32, mt: u32): void {
  let nr_pages = <i32>1 << high;
  __del_page_from_free_list(pfn, z, high, mt);
  nr_pages -= <i32>expand(z, pfn, low, high, mt);
  account_freepages(z, -nr_pages, mt);
}

// mm/page_alloc.c: __rmqueue_smallest()
@inline export function __rmqueue_smallest(z: u32, order: u32, mt: u32): u32 {
  const orders = free_orders_from(z, order, mt);
  if (orders == 0) return NONE;
  const o = <u32>ctz(orders); // the smallest order with a free block of this type
  const pfn = free_list_head(z, o, mt);
  page_del_and_expand(z, pfn, order, o, mt);
  return pfn;
}

/** How many pages the last __rmqueue_smallest_run() took. */
export let run_taken: u32 = 0;

/** __rmqueue_smallest() for order 0 called until `want` pages are taken or the block at the head of the smallest
 *  non-empty order is used up, in one step: the lists below that order are empty, so each call takes the next page
 *  of that block in PFN order (expand() puts every upper half at the head of an empty list, and the next call
 *  takes the smallest), and what is left of the block lies on those lists as the aligned pieces of its remainder,
 *  one a list. Returns the first PFN (NONE: no block of this type), the pages taken in run_taken: the lists, the
 *  links and the free counts end as the calls one by one leave them (each page taken with NONE links, as
 *  __del_page_from_free_list() leaves it); the words of the pages after the first are left for the caller to
 *  write, as rmqueue_bulk() does when it lists them. */
@inline export function __rmqueue_smallest_run(z: u32, want: u32, mt: u32): u32 {
  const orders = free_orders_from(z, 0, mt);
  if (orders == 0) return NONE;
  const o = <u32>ctz(orders);
  const pfn = free_list_head(z, o, mt);
  __del_page_from_free_list(pfn, z, o, mt);
  const size: u32 = <u32>1 << o;
  const take = min(want, size);
  // their words are the caller's to write (rmqueue_bulk() lists them at once: pcp_list_add_tail_run())
  for (let k: u32 = 1; k < take; k++) set_page_links(pfn + k, NONE, NONE);
  // the remainder [take, size) as expand() and the calls after it leave it: the aligned pieces from its low end
  for (let x = take; x < size; ) {
    const order = <u32>ctz(x);
    __add_to_free_list(pfn + x, z, order, mt, false);
    x += <u32>1 << order;
  }
  account_freepages(z, -<i32>take, mt);
  run_taken = take;
  return pfn;
}

// mm/page_alloc.c: should_try_claim_block() (can_steal_fallback() before 6.15)
function should_try_claim_block(order: u32, start_mt: u32): bool {
  if (order >= pageblock_order) return true;
  if (order >= pageblock_order / 2) return true;
  if (start_mt == MIGRATE_RECLAIMABLE || start_mt == MIGRATE_UNMOVABLE) return true;
  if (page_group_by_mobility_disabled) return true;
  return false;
}

/** find_suitable_fallback() results besides a migratetype */
const FALLBACK_NONE: i32 = -1;
const FALLBACK_STOP: i32 = -2;

// mm/page_alloc.c: find_suitable_fallback(): the first non-empty fallbacks[] list at this order
function find_suitable_fallback(z: u32, order: u32, mt: u32, claimable: bool): i32 {
  if (claimable && !should_try_claim_block(order, mt)) return FALLBACK_STOP;
  for (let i: u32 = 0; i < 2; i++) {
    const fallback_mt = unchecked(fallbacks[mt * 2 + i]);
    if (!free_list_empty(z, order, fallback_mt)) return <i32>fallback_mt;
  }
  return FALLBACK_NONE;
}

/** find_suitable_fallback(area, order, mt, claimable=true) >= 0, as __compact_finished() asks it. */
export function fallback_claimable(z: u32, order: u32, mt: u32): bool {
  return mt < MIGRATE_PCPTYPES && find_suitable_fallback(z, order, mt, true) >= 0;
}

// mm/page_alloc.c: __move_freepages_block(): every buddy of the block, in PFN order, to the tail of new_mt
export function __move_freepages_block(z: u32, start_pfn: u32, old_mt: u32, new_mt: u32): u32 {
  const end = start_pfn + pageblock_nr_pages;
  let moved: u32 = 0;
  for (let pfn = start_pfn; pfn < end; ) {
    if ((page_flags(pfn) & PG_buddy) == 0) { pfn++; continue; }
    const order = page_order(pfn);
    move_to_free_list(pfn, z, order, old_mt, new_mt);
    pfn += <u32>1 << order;
    moved += <u32>1 << order;
  }
  set_pageblock_migratetype(start_pfn, new_mt);
  return moved;
}

// mm/page_alloc.c: prep_move_freepages_block(); results in prep_free / prep_movable
let prep_free: u32 = 0;
let prep_movable: u32 = 0;
export function prep_move_freepages_block(z: u32, pfn: u32): bool {
  const start = pfn & ~(pageblock_nr_pages - 1);
  const end = start + pageblock_nr_pages;
  if (start < unchecked(zone_start[z]) || end - 1 >= unchecked(zone_end[z])) return false;
  prep_free = 0;
  prep_movable = 0;
  for (let p = start; p < end; ) {
    const f = page_flags(p);
    if ((f & PG_buddy) != 0) {
      const nr = <u32>1 << page_order(p);
      prep_free += nr;
      p += nr;
      continue;
    }
    // PageLRU() || __PageMovable(): we assume LRU pages could be isolated for migration
    if ((f & PG_lru) != 0) prep_movable++;
    p++;
  }
  return true;
}

// Decides whether the free and compatible pages of a block are enough to claim it (both kernels).
function claim_threshold_met(start_type: u32, block_type: u32): bool {
  let alike: u32 = 0;
  if (start_type == MIGRATE_MOVABLE) alike = prep_movable;
  else if (block_type == MIGRATE_MOVABLE) alike = pageblock_nr_pages - (prep_free + prep_movable);
  return prep_free + alike >= (pageblock_nr_pages >> 1) || page_group_by_mobility_disabled;
}

// mm/page_alloc.c: try_to_claim_block() (steal_suitable_fallback() on 6.10-6.14, see below)
// mm/page_alloc.c: boost the watermark; with ALLOC_KSWAPD, flag the zone so that rmqueue() wakes kswapd ("the
// node may be balanced overall and kswapd will not wake naturally")
@inline function boost_and_flag(z: u32, alloc_flags: u32): void {
  if (boost_watermark(z) && (alloc_flags & ALLOC_KSWAPD) != 0) unchecked(zone_flags[z] |= ZONE_BOOSTED_WATERMARK);
}

/** "Take ownership for orders >= pageblock_order": a buddy of a pageblock or more is retyped whole, in
 *  try_to_claim_block() (6.15) and steal_suitable_fallback() (6.10-6.14) alike. */
function take_whole_blocks(z: u32, pfn: u32, current_order: u32, order: u32, start_type: u32, block_type: u32): u32 {
  __del_page_from_free_list(pfn, z, current_order, block_type);
  change_pageblock_range(pfn, current_order, start_type);
  const nr_added = expand(z, pfn, order, current_order, start_type);
  // the whole buddy left block_type's count; what expand() put back counts for start_type
  account_freepages(z, -(<i32>1 << current_order), block_type);
  account_freepages(z, <i32>nr_added, start_type);
  return pfn;
}

function try_to_claim_block(z: u32, pfn: u32, current_order: u32, order: u32, start_type: u32, block_type: u32, alloc_flags: u32): u32 {
  if (current_order >= pageblock_order) return take_whole_blocks(z, pfn, current_order, order, start_type, block_type);
  boost_and_flag(z, alloc_flags);
  if (!prep_move_freepages_block(z, pfn)) return NONE;
  if (claim_threshold_met(start_type, block_type)) {
    __move_freepages_block(z, pfn & ~(pageblock_nr_pages - 1), block_type, start_type);
    return __rmqueue_smallest(z, order, start_type);
  }
  return NONE;
}

// mm/page_alloc.c: __rmqueue_claim()
function __rmqueue_claim(z: u32, order: u32, start_mt: u32, alloc_flags: u32): u32 {
  let min_order = order;
  if (order < pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT) != 0) min_order = pageblock_order;
  for (let co = <i32>MAX_PAGE_ORDER; co >= <i32>min_order; co--) {
    const fb = find_suitable_fallback(z, <u32>co, start_mt, true);
    if (fb == FALLBACK_NONE) continue;
    if (fb == FALLBACK_STOP) break;
    const head = free_list_head(z, <u32>co, <u32>fb);
    const page = try_to_claim_block(z, head, <u32>co, order, start_mt, <u32>fb, alloc_flags);
    if (page != NONE) return page;
  }
  return NONE;
}

// mm/page_alloc.c: __rmqueue_steal(): the smallest foreign buddy; the block keeps its type
function __rmqueue_steal(z: u32, order: u32, start_mt: u32): u32 {
  for (let co = order; co < NR_PAGE_ORDERS; co++) {
    const fb = find_suitable_fallback(z, co, start_mt, false);
    if (fb == FALLBACK_NONE) continue;
    const page = free_list_head(z, co, <u32>fb);
    page_del_and_expand(z, page, order, co, <u32>fb);
    return page;
  }
  return NONE;
}

// mm/page_alloc.c (6.10-6.14): steal_suitable_fallback()
function steal_suitable_fallback(z: u32, pfn: u32, current_order: u32, order: u32, start_type: u32, whole_block: bool, alloc_flags: u32): u32 {
  const block_type = get_pageblock_migratetype(pfn);
  if (block_type != MIGRATE_HIGHATOMIC) {
    if (current_order >= pageblock_order) return take_whole_blocks(z, pfn, current_order, order, start_type, block_type);
    boost_and_flag(z, alloc_flags);
    if (whole_block && prep_move_freepages_block(z, pfn) && claim_threshold_met(start_type, block_type)) {
      __move_freepages_block(z, pfn & ~(pageblock_nr_pages - 1), block_type, start_type);
      return __rmqueue_smallest(z, order, start_type);
    }
  }
  page_del_and_expand(z, pfn, order, current_order, block_type);
  return pfn;
}

// mm/page_alloc.c (6.10-6.14): __rmqueue_fallback(): the largest foreign buddy, claimed or split
function __rmqueue_fallback(z: u32, order: u32, start_mt: u32, alloc_flags: u32): u32 {
  let min_order = order;
  if (order < pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT) != 0) min_order = pageblock_order;
  for (let co = <i32>MAX_PAGE_ORDER; co >= <i32>min_order; co--) {
    let fb = find_suitable_fallback(z, <u32>co, start_mt, false);
    if (fb == FALLBACK_NONE) continue;
    let current_order = <u32>co;
    let can_steal = should_try_claim_block(current_order, start_mt);
    if (!can_steal && start_mt == MIGRATE_MOVABLE && current_order > order) {
      // find_smallest: a movable request that cannot claim splits the smallest foreign buddy instead
      for (current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
        fb = find_suitable_fallback(z, current_order, start_mt, false);
        if (fb != FALLBACK_NONE) break;
      }
      can_steal = should_try_claim_block(current_order, start_mt);
    }
    const page = free_list_head(z, current_order, <u32>fb);
    return steal_suitable_fallback(z, page, current_order, order, start_mt, can_steal, alloc_flags);
  }
  return NONE;
}

// enum rmqueue_mode: where the last __rmqueue() of a rmqueue_bulk() found pages, so that the next one of the
// same batch does not search the emptier modes again
export const RMQUEUE_NORMAL: u32 = 0;
const RMQUEUE_CMA: u32 = 1;
const RMQUEUE_CLAIM: u32 = 2;
const RMQUEUE_STEAL: u32 = 3;
/** The caller's `*mode`: rmqueue_buddy() and rmqueue_bulk() set it to RMQUEUE_NORMAL before their calls. */
export let rmqueue_mode: u32 = RMQUEUE_NORMAL;
export function set_rmqueue_mode(m: u32): void { rmqueue_mode = m; }

// mm/page_alloc.c: __rmqueue() (6.15); 6.10-6.14 had no modes and ended in __rmqueue_fallback()
@inline export function __rmqueue(z: u32, order: u32, mt: u32, alloc_flags: u32): u32 {
  let page: u32 = NONE;
  if ((alloc_flags & ALLOC_CMA) != 0 && unchecked(NR_FREE_CMA_PAGES[z]) > unchecked(NR_FREE_PAGES[z]) / 2) {
    page = __rmqueue_smallest(z, order, MIGRATE_CMA);
    if (page != NONE) return page;
  }
  if (fallback_policy == FALLBACK_LARGEST_STEAL) {
    page = __rmqueue_smallest(z, order, mt);
    if (page != NONE) return page;
    if ((alloc_flags & ALLOC_CMA) != 0) {
      page = __rmqueue_smallest(z, order, MIGRATE_CMA);
      if (page != NONE) return page;
    }
    if (mt >= MIGRATE_PCPTYPES) return NONE; // only the three PCP types have fallbacks[]
    return __rmqueue_fallback(z, order, mt, alloc_flags);
  }
  // the switch's fallthrough, case by case
  if (rmqueue_mode == RMQUEUE_NORMAL) {
    page = __rmqueue_smallest(z, order, mt);
    if (page != NONE) return page;
  }
  if (rmqueue_mode <= RMQUEUE_CMA && (alloc_flags & ALLOC_CMA) != 0) {
    page = __rmqueue_smallest(z, order, MIGRATE_CMA);
    if (page != NONE) { rmqueue_mode = RMQUEUE_CMA; return page; }
  }
  if (mt >= MIGRATE_PCPTYPES) return NONE;
  if (rmqueue_mode <= RMQUEUE_CLAIM) {
    page = __rmqueue_claim(z, order, mt, alloc_flags);
    if (page != NONE) { rmqueue_mode = RMQUEUE_NORMAL; return page; } // replenished the preferred list
  }
  if ((alloc_flags & ALLOC_NOFRAGMENT) == 0) {
    page = __rmqueue_steal(z, order, mt);
    if (page != NONE) { rmqueue_mode = RMQUEUE_STEAL; return page; }
  }
  return NONE;
}
