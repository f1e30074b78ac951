// The reference allocator's fallback to other migratetypes (mm/page_alloc.c, 6.15: __rmqueue_claim() and
// __rmqueue_steal(); 6.10-6.14: __rmqueue_fallback() and steal_suitable_fallback(), the `largest-steal` policy), with
// the watermark boost a fallback triggers. allocator.ts's __rmqueue() calls these; docs/allocator.md has the rules.
import {
  MAX_PAGE_ORDER, MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, NR_PAGE_ORDERS,
  pageblock_nr_pages, pageblock_order,
} from "../core/constants.js";
import { ALLOC_NOFRAGMENT } from "./watermarks.js";
import { at, MemMap, type Zone } from "./buddy.js";

// mm/page_alloc.c: fallbacks[] (only the three request types fall back)
const fallbacks: number[][] = [
  [MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE], // UNMOVABLE
  [MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE], // MOVABLE
  [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE], // RECLAIMABLE
];

// mm/page_alloc.c: should_try_claim_block() (6.10-6.14: can_steal_fallback(), the same rule)
function should_try_claim_block(mm: MemMap, order: number, start_mt: number): boolean {
  if (order >= pageblock_order) return true;
  if (order >= pageblock_order >> 1) return true; // C integer division: 4
  if (start_mt === MIGRATE_RECLAIMABLE || start_mt === MIGRATE_UNMOVABLE) return true;
  return !mm.grouping;
}

// mm/page_alloc.c: find_suitable_fallback() (-2: too low to claim, -1: no fallback list at this order)
export function find_suitable_fallback(mm: MemMap, zone: Zone, order: number, mt: number, claimable: boolean): number {
  if (claimable && !should_try_claim_block(mm, order, mt)) return -2;
  for (const fallback_mt of at(fallbacks, mt)) if (zone.list(order, fallback_mt).length > 0) return fallback_mt;
  return -1;
}

// mm/page_alloc.c: __rmqueue_claim()
export function __rmqueue_claim(mm: MemMap, zone: Zone, order: number, start_mt: number, alloc_flags: number): number {
  const min_order = order < pageblock_order && alloc_flags & ALLOC_NOFRAGMENT ? pageblock_order : order;
  for (let current_order = MAX_PAGE_ORDER; current_order >= min_order; current_order--) {
    const fallback_mt = find_suitable_fallback(mm, zone, current_order, start_mt, true);
    if (fallback_mt === -1) continue;
    if (fallback_mt === -2) break;
    const page = at(zone.list(current_order, fallback_mt), 0);
    const pfn = try_to_claim_block(mm, zone, page, current_order, order, start_mt, fallback_mt);
    if (pfn >= 0) return pfn;
  }
  return -1;
}

// mm/page_alloc.c: __rmqueue_steal()
export function __rmqueue_steal(mm: MemMap, zone: Zone, order: number, start_mt: number): number {
  for (let current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
    const fallback_mt = find_suitable_fallback(mm, zone, current_order, start_mt, false);
    if (fallback_mt === -1) continue;
    const pfn = at(zone.list(current_order, fallback_mt), 0);
    mm.page_del_and_expand(zone, pfn, order, current_order, fallback_mt);
    return pfn;
  }
  return -1;
}

/** "Take ownership for orders >= pageblock_order": retype every covered block, keep the order-sized head; in
 *  try_to_claim_block() (6.15) and steal_suitable_fallback() (6.10-6.14) alike. */
function take_whole_blocks(mm: MemMap, zone: Zone, pfn: number, current_order: number, order: number, start_type: number, block_type: number): number {
  mm.del_page_from_free_list(pfn, zone, current_order, block_type);
  mm.change_pageblock_range(pfn, current_order, start_type);
  const nr_added = mm.expand(zone, pfn, order, current_order, start_type);
  mm.account_freepages(zone, nr_added, start_type);
  return pfn;
}

// mm/page_alloc.c: try_to_claim_block() (-1: not claimed)
export function try_to_claim_block(mm: MemMap, zone: Zone, pfn: number, current_order: number, order: number, start_type: number, block_type: number): number {
  if (current_order >= pageblock_order) return take_whole_blocks(mm, zone, pfn, current_order, order, start_type, block_type);
  boost_watermark(mm, zone);
  return claim_whole_block(mm, zone, pfn, order, start_type, block_type);
}

// The common tail of try_to_claim_block() and (6.10-6.14) steal_suitable_fallback(): count free and
// alike pages and, with at least half the block, move the block's free pages to start_type.
export function claim_whole_block(mm: MemMap, zone: Zone, pfn: number, order: number, start_type: number, block_type: number): number {
  const prep = mm.prep_move_freepages_block(zone, pfn);
  if (!prep) return -1;
  let alike: number;
  if (start_type === MIGRATE_MOVABLE) alike = prep.movable;
  else if (block_type === MIGRATE_MOVABLE) alike = pageblock_nr_pages - (prep.free + prep.movable);
  else alike = 0;
  if (prep.free + alike >= 1 << (pageblock_order - 1) || !mm.grouping) {
    mm.__move_freepages_block(zone, prep.start_pfn, block_type, start_type);
    return mm.__rmqueue_smallest(zone, order, start_type);
  }
  return -1;
}

// mm/page_alloc.c: __rmqueue_fallback() as in 6.10-6.14 (policy `largest-steal`)
export function __rmqueue_fallback(mm: MemMap, zone: Zone, order: number, start_mt: number, alloc_flags: number): number {
  const min_order = order < pageblock_order && alloc_flags & ALLOC_NOFRAGMENT ? pageblock_order : order;
  for (let current_order = MAX_PAGE_ORDER; current_order >= min_order; current_order--) {
    let fallback_mt = find_suitable_fallback(mm, zone, current_order, start_mt, false);
    if (fallback_mt === -1) continue;
    let can_steal = should_try_claim_block(mm, current_order, start_mt);
    if (!can_steal && start_mt === MIGRATE_MOVABLE && current_order > order) {
      // find_smallest: steal the smallest foreign buddy instead (can_steal recomputed, as the kernel does)
      for (current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
        fallback_mt = find_suitable_fallback(mm, zone, current_order, start_mt, false);
        if (fallback_mt !== -1) break;
      }
      can_steal = should_try_claim_block(mm, current_order, start_mt);
    }
    const pfn = at(zone.list(current_order, fallback_mt), 0);
    return steal_suitable_fallback(mm, zone, pfn, current_order, order, start_mt, can_steal);
  }
  return -1;
}

// mm/page_alloc.c: steal_suitable_fallback() as in 6.10-6.14
export function steal_suitable_fallback(mm: MemMap, zone: Zone, pfn: number, current_order: number, order: number, start_type: number, whole_block: boolean): number {
  const block_type = mm.get_pageblock_migratetype(pfn);
  if (block_type !== MIGRATE_HIGHATOMIC) {
    if (current_order >= pageblock_order) return take_whole_blocks(mm, zone, pfn, current_order, order, start_type, block_type);
    boost_watermark(mm, zone);
    if (whole_block) {
      const claimed = claim_whole_block(mm, zone, pfn, order, start_type, block_type);
      if (claimed >= 0) return claimed;
    }
  }
  // single_page:
  mm.page_del_and_expand(zone, pfn, order, current_order, block_type);
  return pfn;
}

// mm/page_alloc.c: boost_watermark() (watermark_boost_factor 15000; kswapd, which would undo it, is not modelled)
export function boost_watermark(mm: MemMap, zone: Zone): boolean {
  if (pageblock_nr_pages * 4 > zone.managed) return false;
  let max_boost = Math.floor((zone.watermark.high * 15000) / 10000);
  if (max_boost === 0) return false;
  max_boost = Math.max(pageblock_nr_pages, max_boost);
  zone.watermark_boost = Math.min(zone.watermark_boost + pageblock_nr_pages, max_boost);
  return true;
}
