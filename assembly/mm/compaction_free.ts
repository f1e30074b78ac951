// Compaction's free scanner (mm/compaction.c, 6.15): fast_isolate_freepages() and isolate_freepages() take the
// free pages to migrate into, from the top of the zone down; compaction_alloc() hands a target out,
// release_free_list() returns what is left. The migrate scanner is compaction_isolate.ts.
import {
  NONE, MAX_PAGE_ORDER, NR_PAGE_ORDERS, MIGRATE_TYPES, MIGRATE_MOVABLE, MIGRATE_CMA, MIGRATE_ISOLATE, pageblock_order,
  pageblock_nr_pages, ALLOC_CMA, __GFP_MOVABLE, GFP_LRU,
} from "./constants";
import {
  PG_buddy, PAGE_WORD_FREE, page_flags, page_order, page_prev, get_pageblock_migratetype, nr_pages, store_page_word, set_page_links,
} from "./page";
import {
  zone_start, zone_end, wmark_min, fa_head, fa_tail, fa_count, fa_index, __del_page_from_free_list,
  account_freepages, migratetype_is_mergeable,
} from "./zone";
import { pfn_list_move_head } from "./pfn_list";
import { __zone_watermark_ok } from "./watermark";
import { prep_new_page, __free_pages } from "./page_alloc";
import { __move_freepages_block, prep_move_freepages_block } from "./rmqueue";
import { MIGRATE_ASYNC } from "./migrate";
import {
  cc, COMPACT_CLUSTER_MAX, freepages_add_tail, freepages_add_head, freepages_pop_head, freepages_len, freepages_room,
  set_pageblock_skip, compact_cached_free_pfn, compact_init_free_pfn, pageblock_start_pfn, pageblock_end_pfn,
  isolation_suitable, compound_head_order, freelist_scan_limit,
} from "./compact_control";
import { st_add, COMPACT_ISOLATED } from "../fs/stats";

// mm/compaction.c: update_pageblock_skip(): a block the free scanner finished is skipped from now on
function update_pageblock_skip(block: u32, pfn: u32): void {
  set_pageblock_skip(block);
  if (pfn < unchecked(compact_cached_free_pfn[cc.zone])) unchecked(compact_cached_free_pfn[cc.zone] = pfn);
}

/** mm/page_alloc.c: __isolate_free_page() of the free page at pfn in zone z (the kernel's page_zone()): obey the
 *  min watermark as if allocating, unless the block is isolated; a chunk of half a pageblock or more turns its
 *  mergeable blocks MOVABLE. Returns the pages taken, 0 when the watermark refused. */
export function __isolate_free_page(pfn: u32, z: u32, order: u32): u32 {
  const mt = get_pageblock_migratetype(pfn);
  if (mt != MIGRATE_ISOLATE) {
    const watermark = <i64>unchecked(wmark_min[z]) + (<i64>1 << order);
    if (!__zone_watermark_ok(z, 0, watermark, 0, ALLOC_CMA)) return 0;
  }
  __del_page_from_free_list(pfn, z, order, mt);
  account_freepages(z, -(<i32>1 << order), mt);
  if (order >= pageblock_order - 1) {
    const end = pfn + (<u32>1 << order) - 1;
    for (let p = pfn; p < end; p += pageblock_nr_pages) {
      const bmt = get_pageblock_migratetype(p);
      if (migratetype_is_mergeable(bmt) && prep_move_freepages_block(z, p)) __move_freepages_block(z, pageblock_start_pfn(p), bmt, MIGRATE_MOVABLE);
    }
  }
  return <u32>1 << order;
}

// mm/compaction.c: isolate_freepages_block() (not strict): free chunks from [start, end), `stride` apart;
// stops once the targets cover what waits to migrate. Returns the pages isolated; the position reached is
// left in free_block_pos.
let free_block_pos: u32 = 0;
function isolate_freepages_block(start: u32, end_pfn: u32, stride: u32): u32 {
  let blockpfn = start;
  let nr_scanned: u64 = 0, total_isolated: u32 = 0;
  for (; blockpfn < end_pfn; blockpfn += stride) {
    nr_scanned++;
    const order = compound_head_order(blockpfn);
    if (order > 0) {
      if (order <= MAX_PAGE_ORDER && blockpfn + (<u32>1 << order) <= end_pfn) {
        blockpfn += (<u32>1 << order) - 1;
        nr_scanned += (<u64>1 << order) - 1;
      }
      continue;
    }
    if ((page_flags(blockpfn) & PG_buddy) == 0) continue;
    const o = page_order(blockpfn);
    if (!freepages_room(o)) break;
    const isolated = __isolate_free_page(blockpfn, cc.zone, o);
    if (isolated == 0) break;
    nr_scanned += <u64>isolated - 1;
    total_isolated += isolated;
    cc.nr_freepages += isolated;
    freepages_add_tail(o, blockpfn);
    if (cc.nr_migratepages <= cc.nr_freepages) { blockpfn += isolated; break; }
    blockpfn += isolated - 1;
  }
  if (blockpfn > end_pfn) blockpfn = end_pfn;
  free_block_pos = blockpfn;
  cc.total_free_scanned += nr_scanned;
  if (total_isolated != 0) st_add(COMPACT_ISOLATED, total_isolated);
  return total_isolated;
}

// mm/compaction.c: pageblock_pfn_to_page(): the pageblock at `block` lies in the zone being compacted
@inline function pageblock_in_zone(block: u32): bool {
  return block < nr_pages && block >= unchecked(zone_start[cc.zone]) && block < unchecked(zone_end[cc.zone]);
}

// mm/compaction.c: suitable_migration_target(): a block that is not one large free page, MOVABLE or CMA
function suitable_migration_target(block: u32): bool {
  if ((page_flags(block) & PG_buddy) != 0) {
    const order: u32 = cc.order > 0 ? <u32>cc.order : pageblock_order;
    if (page_order(block) >= order) return false;
  }
  if (cc.ignore_block_suitable) return true;
  const mt = get_pageblock_migratetype(block);
  return mt == MIGRATE_MOVABLE || mt == MIGRATE_CMA;
}

// mm/compaction.c: fast_isolate_around(): not for async direct compaction (the only caller here that finds a
// page with nothing isolated yet is the scan-start fallback)
function fast_isolate_around(pfn: u32): void {
  if (cc.nr_freepages >= cc.nr_migratepages) return;
  if (cc.direct_compaction && cc.mode == MIGRATE_ASYNC) return;
  const start = max(pageblock_start_pfn(pfn), unchecked(zone_start[cc.zone]));
  const end = min(pageblock_end_pfn(pfn), unchecked(zone_end[cc.zone]));
  isolate_freepages_block(start, end, 1);
  if (free_block_pos == end) set_pageblock_skip(start); // full or nearly full: skip it in the future
}

/** mm/compaction.c: next_search_order(): the orders below cc->order, round-robin. -1 when the search wrapped. */
function next_search_order(order: i32): i32 {
  order--;
  if (order < 0) order = cc.order - 1;
  if (order == cc.search_order) {
    cc.search_order--;
    if (cc.search_order < 0) cc.search_order = cc.order - 1;
    return -1;
  }
  return order;
}

// mm/compaction.c: fast_isolate_freepages(): for order > 0, one free chunk (of an order below cc->order) from the
// tail of a MOVABLE free list, preferably in the top quarter of the scan space, else the highest in the top half;
// the list is rotated so that the next search starts past it. A search that starts the scan and finds nothing
// moves the free scanner to the highest block seen (or, for direct compaction, the top half's bottom).
function fast_isolate_freepages(): void {
  let limit = max<u32>(1, freelist_scan_limit() >> 1);
  let nr_scanned: u64 = 0;
  let highest: u32 = 0;
  let page: u32 = NONE;
  let scan_start = false;
  if (cc.order <= 0) return;
  const zstart = unchecked(zone_start[cc.zone]);
  if (cc.free_pfn >= unchecked(compact_init_free_pfn[cc.zone])) {
    limit = pageblock_nr_pages >> 1;
    scan_start = true;
  }
  const distance = cc.free_pfn - cc.migrate_pfn;
  let low_pfn = pageblock_start_pfn(cc.free_pfn - (distance >> 2));
  const min_pfn = pageblock_start_pfn(cc.free_pfn - (distance >> 1));
  if (min_pfn > low_pfn) low_pfn = min_pfn;
  cc.search_order = min<i32>(cc.order - 1, cc.search_order);
  for (let order = cc.search_order; page == NONE && order >= 0; order = next_search_order(order)) {
    let nr_free: u32 = 0;
    for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) nr_free += unchecked(fa_count[fa_index(cc.zone, <u32>order, mt)]);
    if (nr_free == 0) continue;
    const li = fa_index(cc.zone, <u32>order, MIGRATE_MOVABLE);
    let order_scanned: u32 = 0;
    let high_pfn: u32 = 0;
    let freepage: u32 = NONE; // the entry the walk stopped at (NONE: it ran through the list)
    for (let p = unchecked(fa_tail[li]); p != NONE; p = page_prev(p)) {
      order_scanned++;
      nr_scanned++;
      if (p >= highest) highest = max(pageblock_start_pfn(p), zstart);
      if (p >= low_pfn) {
        cc.fast_search_fail = 0;
        cc.search_order = order;
        page = p;
        freepage = p;
        break;
      }
      if (p >= min_pfn && p > high_pfn) {
        high_pfn = p;
        limit >>= 1; // shorten the scan once a candidate is found
      }
      if (order_scanned >= limit) { freepage = p; break; }
    }
    // use the highest candidate if no preferred one was found
    if (page == NONE && high_pfn != 0) { page = high_pfn; freepage = page; }
    if (freepage != NONE) pfn_list_move_head(fa_head, fa_tail, li, freepage);
    if (page != NONE) {
      const isolated = __isolate_free_page(page, cc.zone, <u32>order);
      if (isolated != 0) {
        nr_scanned += <u64>isolated - 1;
        cc.nr_freepages += isolated;
        freepages_add_tail(<u32>order, page);
        st_add(COMPACT_ISOLATED, isolated);
      } else {
        order = cc.search_order + 1; // isolation failed: abort the search
        page = NONE;
      }
    }
    if (cc.nr_freepages >= cc.nr_migratepages) break;
    if (order_scanned >= limit) limit = max<u32>(1, limit >> 1);
  }
  if (page == NONE) {
    cc.fast_search_fail++;
    if (scan_start) {
      if (highest >= min_pfn) {
        page = highest;
        cc.free_pfn = highest;
      } else if (cc.direct_compaction && min_pfn < nr_pages) {
        // pfn_valid(min_pfn): with the scanners crossed, free_pfn - migrate_pfn wraps and min_pfn is no PFN at all;
        // pageblock_pfn_to_page(): a block outside the zone is no target
        page = pageblock_in_zone(min_pfn) && suitable_migration_target(min_pfn) ? min_pfn : NONE;
        cc.free_pfn = min_pfn;
      }
    }
  }
  if (highest != 0 && highest >= unchecked(compact_cached_free_pfn[cc.zone])) {
    highest -= pageblock_nr_pages;
    unchecked(compact_cached_free_pfn[cc.zone] = highest);
  }
  cc.total_free_scanned += nr_scanned;
  if (page == NONE) return;
  fast_isolate_around(page);
}

/** mm/compaction.c: isolate_freepages(): a fast search first; then down from cc->free_pfn, never below the
 *  migrate scanner's block. */
function isolate_freepages(): void {
  fast_isolate_freepages();
  if (cc.nr_freepages != 0) return;
  const zend = unchecked(zone_end[cc.zone]);
  let isolate_start_pfn = cc.free_pfn;
  let block_start = pageblock_start_pfn(isolate_start_pfn);
  let block_end = min(block_start + pageblock_nr_pages, zend);
  const low_pfn = pageblock_end_pfn(cc.migrate_pfn);
  let stride: u32 = cc.mode == MIGRATE_ASYNC ? COMPACT_CLUSTER_MAX : 1;
  for (; block_start >= low_pfn; block_end = block_start, block_start -= pageblock_nr_pages, isolate_start_pfn = block_start) {
    if (!pageblock_in_zone(block_start)) continue; // pageblock_pfn_to_page()
    if (!suitable_migration_target(block_start)) continue;
    if (!isolation_suitable(block_start)) continue;
    const nr_isolated = isolate_freepages_block(isolate_start_pfn, block_end, stride);
    isolate_start_pfn = free_block_pos;
    if (isolate_start_pfn == block_end) update_pageblock_skip(block_start, block_start - pageblock_nr_pages);
    if (cc.nr_freepages >= cc.nr_migratepages) {
      // restart at the previous block if this one is used up
      if (isolate_start_pfn >= block_end) isolate_start_pfn = block_start - pageblock_nr_pages;
      break;
    } else if (isolate_start_pfn < block_end) {
      break; // isolation failed early (the watermark): do not go on
    }
    if (nr_isolated != 0) { stride = 1; continue; }
    stride = min(COMPACT_CLUSTER_MAX, stride << 1);
  }
  cc.free_pfn = isolate_start_pfn;
}

/** mm/compaction.c: compaction_alloc(): the first chunk of the smallest order that fits, split down to `order`
 *  (remainders to the head of their lists); one round of isolate_freepages() when none is held. */
export function compaction_alloc(order: u32): u32 {
  let has_isolated_pages = false;
  while (true) {
    let start_order = order;
    while (start_order < NR_PAGE_ORDERS && freepages_len(start_order) == 0) start_order++;
    if (start_order == NR_PAGE_ORDERS) {
      if (has_isolated_pages) return NONE;
      isolate_freepages();
      has_isolated_pages = true;
      continue;
    }
    const page = freepages_pop_head(start_order);
    let size: u32 = <u32>1 << start_order;
    while (start_order > order) {
      start_order--;
      size >>= 1;
      freepages_add_head(start_order, page + size);
    }
    // post_alloc_hook() + prep_compound_page(); migrate_folio() gives it the source's state
    prep_new_page(page, order, __GFP_MOVABLE | GFP_LRU, MIGRATE_MOVABLE);
    cc.nr_freepages -= <u32>1 << order;
    cc.nr_migratepages -= <u32>1 << order;
    return page;
  }
  return NONE;
}

/** mm/compaction.c: compaction_free(): a target migration did not use goes back to the head of cc->freepages at
 *  its order, its records as the free scanner isolated it (free_pages_prepare()). */
export function compaction_free(dst: u32, order: u32): void {
  const n: u32 = <u32>1 << order;
  for (let i: u32 = 0; i < n; i++) { store_page_word(dst + i, PAGE_WORD_FREE); set_page_links(dst + i, NONE, NONE); }
  freepages_add_head(order, dst);
  cc.nr_freepages += n;
  cc.nr_migratepages += n;
}

/** mm/compaction.c: release_free_list(): unused targets go back through __free_pages(); the highest PFN freed. */
export function release_free_list(): u32 {
  let high_pfn: u32 = 0;
  for (let o: u32 = 0; o < NR_PAGE_ORDERS; o++) {
    for (let p = freepages_pop_head(o); p != NONE; p = freepages_pop_head(o)) {
      prep_new_page(p, o, __GFP_MOVABLE, MIGRATE_MOVABLE); // post_alloc_hook()
      __free_pages(p, o);
      if (p > high_pfn) high_pfn = p;
    }
  }
  cc.nr_freepages = 0;
  return high_pfn;
}
