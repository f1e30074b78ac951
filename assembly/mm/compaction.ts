// Memory compaction (mm/compaction.c, 6.15): deferral, compaction_suitable() with the 6.15 watermark rule,
// the skip-bit reset (__reset_isolation_suitable), compact_finished() and compact_zone() with the cached
// scanner positions. The scanners are compaction_isolate.ts and compaction_free.ts, the state compact_control.ts; direct
// compaction is direct_compact.ts, kcompactd and proactive compaction kcompactd.ts.
// Not modelled: capture_control (a page freed during direct compaction handed straight to the compactor; here
// the allocation after compaction finds it on the free list), lock contention (COMPACT_CONTENDED only from
// -ENOMEM), too_many_isolated() (nothing else isolates while compaction runs).
import {
  NONE, NR_PAGE_ORDERS, MIGRATE_TYPES, MIGRATE_MOVABLE, MIGRATE_CMA, PAGE_ALLOC_COSTLY_ORDER, MAX_NR_ZONES,
  pageblock_order, pageblock_nr_pages, ALLOC_CMA, ALLOC_WMARK_MASK,
} from "./constants";
import { PG_buddy, PG_lru, PG_owner, page_flags, page_order, get_pageblock_migratetype } from "./page";
import {
  zone_start, zone_end, fa_count, fa_index, free_list_empty, wmark_min, wmark_low, populated_zone, zone_managed_pages, totalram_pages,
} from "./zone";
import { __zone_watermark_ok, wmark_pages } from "./watermark";
import { fallback_claimable } from "./rmqueue";
import { drain_pages_zone } from "./pcp";
import { MIGRATE_ASYNC, MIGRATE_SYNC, MR_COMPACTION, ENOMEM, migrate_pages } from "./migrate";
import {
  cc, cc_migrate_list, cc_nr_migrate_folios, cc_migrate_clear, compact_cached_free_pfn, compact_cached_migrate_pfn,
  compact_init_migrate_pfn, compact_init_free_pfn, compact_considered, compact_defer_shift, compact_order_failed,
  compact_blockskip_flush, get_pageblock_skip, clear_pageblock_skip, reset_cached_positions, pageblock_start_pfn,
  pageblock_aligned, block_end_pfn, is_via_compact_memory,
} from "./compact_control";
import { isolate_migratepages, ISOLATE_NONE } from "./compaction_isolate";
import { compaction_alloc, compaction_free, release_free_list } from "./compaction_free";
import { kswapd_is_running } from "../fs/kswapd";
import { st_add, COMPACT_MIGRATE_SCANNED, COMPACT_FREE_SCANNED } from "../fs/stats";
import { param, CFG_COMPACTION_PROACTIVENESS } from "../sim/config";

// include/linux/compaction.h: enum compact_result, in the kernel's order (callers take the max)
export const COMPACT_NOT_SUITABLE_ZONE: i32 = 0;
export const COMPACT_SKIPPED: i32 = 1;
export const COMPACT_DEFERRED: i32 = 2;
export const COMPACT_NO_SUITABLE_PAGE: i32 = 3;
export const COMPACT_CONTINUE: i32 = 4;
export const COMPACT_COMPLETE: i32 = 5;
export const COMPACT_PARTIAL_SKIPPED: i32 = 6;
export const COMPACT_CONTENDED: i32 = 7;
export const COMPACT_SUCCESS: i32 = 8;

const COMPACT_MAX_DEFER_SHIFT: u32 = 6;
/** /proc/sys/vm/extfrag_threshold */
const sysctl_extfrag_threshold: i32 = 500;
/** The order proactive compaction scores fragmentation at (COMPACTION_HPAGE_ORDER = HPAGE_PMD_ORDER). */
export const COMPACTION_HPAGE_ORDER: u32 = 9;

// mm/internal.h: compact_gap(): room for the pages being migrated and their targets
@inline export function compact_gap(order: u32): u64 { return <u64>2 << order; }

// mm/compaction.c: defer_compaction(), compaction_deferred(), compaction_defer_reset(), compaction_restarting()
export function defer_compaction(z: u32, order: u32): void {
  unchecked(compact_considered[z] = 0);
  let s = unchecked(compact_defer_shift[z]) + 1;
  if (order < unchecked(compact_order_failed[z])) unchecked(compact_order_failed[z] = order);
  if (s > COMPACT_MAX_DEFER_SHIFT) s = COMPACT_MAX_DEFER_SHIFT;
  unchecked(compact_defer_shift[z] = s);
}
export function compaction_deferred(z: u32, order: u32): bool {
  const limit: u32 = <u32>1 << unchecked(compact_defer_shift[z]);
  if (order < unchecked(compact_order_failed[z])) return false;
  const c = unchecked(compact_considered[z]) + 1;
  if (c >= limit) { unchecked(compact_considered[z] = limit); return false; }
  unchecked(compact_considered[z] = c);
  return true;
}
export function compaction_defer_reset(z: u32, order: u32, alloc_success: bool): void {
  if (alloc_success) { unchecked(compact_considered[z] = 0); unchecked(compact_defer_shift[z] = 0); }
  if (order >= unchecked(compact_order_failed[z])) unchecked(compact_order_failed[z] = order + 1);
}
function compaction_restarting(z: u32, order: u32): bool {
  if (order < unchecked(compact_order_failed[z])) return false;
  return unchecked(compact_defer_shift[z]) == COMPACT_MAX_DEFER_SHIFT &&
    unchecked(compact_considered[z]) >= (<u32>1 << unchecked(compact_defer_shift[z]));
}

// mm/vmstat.c: fill_contig_page_info(), over every list of every order (free_area[order].nr_free)
let ci_free_pages: u64 = 0, ci_free_blocks_total: u64 = 0, ci_free_blocks_suitable: u64 = 0;
function fill_contig_page_info(z: u32, order: u32): void {
  ci_free_pages = 0; ci_free_blocks_total = 0; ci_free_blocks_suitable = 0;
  for (let o: u32 = 0; o < NR_PAGE_ORDERS; o++) {
    let blocks: u64 = 0;
    for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) blocks += <u64>unchecked(fa_count[fa_index(z, o, mt)]);
    ci_free_blocks_total += blocks;
    ci_free_pages += blocks << o;
    if (o >= order) ci_free_blocks_suitable += blocks << (o - order);
  }
}

// mm/vmstat.c: fragmentation_index() (__fragmentation_index)
export function fragmentation_index(z: u32, order: u32): i32 {
  fill_contig_page_info(z, order);
  const requested: u64 = <u64>1 << order;
  if (ci_free_blocks_total == 0) return 0;
  if (ci_free_blocks_suitable > 0) return -1000;
  return 1000 - <i32>((1000 + ci_free_pages * 1000 / requested) / ci_free_blocks_total);
}

// mm/vmstat.c: extfrag_for_order(): the percentage of free memory not in blocks of this order or larger
export function extfrag_for_order(z: u32, order: u32): u32 {
  fill_contig_page_info(z, order);
  if (ci_free_pages == 0) return 0;
  return <u32>((ci_free_pages - (ci_free_blocks_suitable << order)) * 100 / ci_free_pages);
}

// mm/compaction.c: fragmentation_score_zone() and fragmentation_score_wmark(), for proactive compaction
export function fragmentation_score_zone(z: u32): u32 { return extfrag_for_order(z, COMPACTION_HPAGE_ORDER); }
export function fragmentation_score_wmark(low: bool): u32 {
  const wmark_low: u32 = 100 - <u32>param(CFG_COMPACTION_PROACTIVENESS);
  const leeway = min<u32>(10, wmark_low / 2);
  return low ? wmark_low : min<u32>(wmark_low + leeway, 100);
}

// mm/compaction.c: __compaction_suitable() (6.15): order-0 pages above the caller's watermark plus the gap,
// and for costly orders the low - min distance on top (ALLOC_CMA: CMA pages are migration targets)
function __compaction_suitable(z: u32, order: u32, watermark: i64, highest: u32): bool {
  watermark += <i64>compact_gap(order);
  if (order > PAGE_ALLOC_COSTLY_ORDER) watermark += <i64>unchecked(wmark_low[z]) - <i64>unchecked(wmark_min[z]);
  return __zone_watermark_ok(z, 0, watermark, highest, ALLOC_CMA);
}

// mm/compaction.c: compaction_suitable() (6.15): __compaction_suitable(), and for a costly order a failure the
// fragmentation index (not a lack of memory) explains: fragindex outside 0..extfrag_threshold
export function compaction_suitable(z: u32, order: u32, watermark: i64, highest: u32): bool {
  if (!__compaction_suitable(z, order, watermark, highest)) return false;
  if (order > PAGE_ALLOC_COSTLY_ORDER) {
    const fragindex = fragmentation_index(z, order);
    if (fragindex >= 0 && fragindex <= sysctl_extfrag_threshold) return false;
  }
  return true;
}

// mm/compaction.c: compaction_suit_allocation_order(): SUCCESS if the order is already there at the caller's
// watermark, SKIPPED if compaction cannot help, else CONTINUE
export function compaction_suit_allocation_order(z: u32, order: u32, highest: u32, alloc_flags: u32, is_async: bool): i32 {
  const watermark = wmark_pages(z, alloc_flags & ALLOC_WMARK_MASK);
  if (__zone_watermark_ok(z, order, watermark, highest, alloc_flags)) return COMPACT_SUCCESS;
  // an async costly request without ALLOC_CMA: enough free memory outside CMA pageblocks, or skip
  if (order > PAGE_ALLOC_COSTLY_ORDER && is_async && (alloc_flags & ALLOC_CMA) == 0) {
    if (!__zone_watermark_ok(z, 0, watermark + <i64>compact_gap(order), highest, 0)) return COMPACT_SKIPPED;
  }
  if (!compaction_suitable(z, order, watermark, highest)) return COMPACT_SKIPPED;
  return COMPACT_CONTINUE;
}

// mm/compaction.c: __reset_isolation_pfn(): clear a block's skip bit if a sample (every 8th page) finds an LRU
// page (a migration source) or a free page (a target); a block a compound page of pageblock_order fills keeps it
function __reset_isolation_pfn(z: u32, pfn: u32, check_source: bool, check_target: bool): bool {
  const f = page_flags(pfn);
  if ((f & PG_owner) != 0 && page_order(pfn) >= pageblock_order) return false; // pageblock_skip_persistent()
  if (check_source && check_target && !get_pageblock_skip(pfn)) return true;
  if (!check_source && check_target && get_pageblock_migratetype(pfn) != MIGRATE_MOVABLE) return false;
  let page = max(pageblock_start_pfn(pfn), unchecked(zone_start[z]));
  const end_page = min(pageblock_start_pfn(pfn) + pageblock_nr_pages - 1, unchecked(zone_end[z]) - 1);
  do {
    const pf = page_flags(page);
    if ((check_source && (pf & PG_lru) != 0) || (check_target && (pf & PG_buddy) != 0)) {
      clear_pageblock_skip(page);
      return true;
    }
    page += <u32>1 << PAGE_ALLOC_COSTLY_ORDER;
  } while (page <= end_page);
  return false;
}

// mm/compaction.c: __reset_isolation_suitable(): after a full direct compaction (compact_blockskip_flush),
// walk the zone from both ends, clear the skip bits of blocks that may serve again and restart the scanners at
// the outermost of them
function __reset_isolation_suitable(z: u32): void {
  if (!unchecked(compact_blockskip_flush[z])) return;
  unchecked(compact_blockskip_flush[z] = false);
  let migrate_pfn = <i64>unchecked(zone_start[z]);
  let free_pfn = <i64>unchecked(zone_end[z]) - 1;
  let reset_migrate = free_pfn, reset_free = migrate_pfn;
  let source_set = false, free_set = false;
  for (; migrate_pfn < free_pfn; migrate_pfn += pageblock_nr_pages, free_pfn -= pageblock_nr_pages) {
    if (__reset_isolation_pfn(z, <u32>migrate_pfn, true, source_set) && migrate_pfn < reset_migrate) {
      source_set = true;
      reset_migrate = migrate_pfn;
      unchecked(compact_init_migrate_pfn[z] = <u32>reset_migrate);
      unchecked(compact_cached_migrate_pfn[2 * z] = <u32>reset_migrate);
      unchecked(compact_cached_migrate_pfn[2 * z + 1] = <u32>reset_migrate);
    }
    if (__reset_isolation_pfn(z, <u32>free_pfn, free_set, true) && free_pfn > reset_free) {
      free_set = true;
      reset_free = free_pfn;
      unchecked(compact_init_free_pfn[z] = <u32>reset_free);
      unchecked(compact_cached_free_pfn[z] = <u32>reset_free);
    }
  }
  // leave no distance if no suitable block was reset
  if (reset_migrate >= reset_free) {
    unchecked(compact_cached_migrate_pfn[2 * z] = <u32>migrate_pfn);
    unchecked(compact_cached_migrate_pfn[2 * z + 1] = <u32>migrate_pfn);
    unchecked(compact_cached_free_pfn[z] = <u32>max<i64>(free_pfn, 0));
  }
}

/** mm/compaction.c: reset_isolation_suitable(pgdat): kswapd, going to sleep, flushes the zones' skip hints. */
export function reset_isolation_suitable(): void {
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) if (populated_zone(z)) __reset_isolation_suitable(z);
}

// mm/compaction.c: compact_scanners_met()
@inline function compact_scanners_met(): bool { return (cc.free_pfn >> pageblock_order) <= (cc.migrate_pfn >> pageblock_order); }

// mm/compaction.c: __compact_finished() + compact_finished()
function compact_finished(): i32 {
  const z = cc.zone;
  if (compact_scanners_met()) {
    reset_cached_positions(z);
    // kswapd clears the skip hints when it goes to sleep, if a direct compactor asked for it
    if (cc.direct_compaction) unchecked(compact_blockskip_flush[z] = true);
    return cc.whole_zone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED;
  }
  if (cc.proactive_compaction) {
    if (kswapd_is_running()) return COMPACT_PARTIAL_SKIPPED;
    return fragmentation_score_zone(z) > fragmentation_score_wmark(true) ? COMPACT_CONTINUE : COMPACT_SUCCESS;
  }
  if (is_via_compact_memory(cc.order)) return COMPACT_CONTINUE;
  // finish scanning a pageblock, so that it is as free as possible
  if (!pageblock_aligned(cc.migrate_pfn)) return COMPACT_CONTINUE;
  const mt = cc.migratetype;
  for (let o = <u32>cc.order; o < NR_PAGE_ORDERS; o++) {
    if (!free_list_empty(z, o, mt)) return COMPACT_SUCCESS;
    if (mt == MIGRATE_MOVABLE && !free_list_empty(z, o, MIGRATE_CMA)) return COMPACT_SUCCESS;
    // the allocation would claim a block of another type
    if (fallback_claimable(z, o, mt)) return COMPACT_SUCCESS;
  }
  return COMPACT_CONTINUE; // COMPACT_NO_SUITABLE_PAGE
}

/** mm/compaction.c: compact_zone() with the compact_control `cc` the caller filled in. */
export function compact_zone(): i32 {
  const z = cc.zone;
  const start_pfn = unchecked(zone_start[z]), end_pfn = unchecked(zone_end[z]);
  const sync = cc.mode != MIGRATE_ASYNC;
  cc.total_migrate_scanned = 0;
  cc.total_free_scanned = 0;
  cc.nr_freepages = 0;
  cc.fast_start_pfn = 0;
  cc_migrate_clear();
  let ret: i32;
  if (!is_via_compact_memory(cc.order)) {
    ret = compaction_suit_allocation_order(z, <u32>cc.order, cc.highest_zoneidx, cc.alloc_flags, cc.mode == MIGRATE_ASYNC);
    if (ret != COMPACT_CONTINUE) return ret;
    // clear the skip hints if compaction is retried after it was deferred the longest
    if (compaction_restarting(z, <u32>cc.order)) __reset_isolation_suitable(z);
  }
  // the scanners start where the last compaction left them, unless the whole zone is asked for
  if (cc.whole_zone) {
    cc.migrate_pfn = start_pfn;
    cc.free_pfn = pageblock_start_pfn(end_pfn - 1);
  } else {
    cc.migrate_pfn = unchecked(compact_cached_migrate_pfn[2 * z + (sync ? 1 : 0)]);
    cc.free_pfn = unchecked(compact_cached_free_pfn[z]);
    if (cc.free_pfn < start_pfn || cc.free_pfn >= end_pfn) {
      cc.free_pfn = pageblock_start_pfn(end_pfn - 1);
      unchecked(compact_cached_free_pfn[z] = cc.free_pfn);
    }
    if (cc.migrate_pfn < start_pfn || cc.migrate_pfn >= end_pfn) {
      cc.migrate_pfn = start_pfn;
      unchecked(compact_cached_migrate_pfn[2 * z] = start_pfn);
      unchecked(compact_cached_migrate_pfn[2 * z + 1] = start_pfn);
    }
    const init = unchecked(compact_init_migrate_pfn[z]);
    if (init != NONE && cc.migrate_pfn <= init) cc.whole_zone = true;
  }
  let last_migrated_pfn: u32 = 0;
  // async and sync keep separate cached positions; until a block with candidates is found, keep them equal
  let update_cached = !sync && unchecked(compact_cached_migrate_pfn[2 * z]) == unchecked(compact_cached_migrate_pfn[2 * z + 1]);
  while ((ret = compact_finished()) == COMPACT_CONTINUE) {
    const iteration_start_pfn = cc.migrate_pfn;
    // a second visit to the block last migrated from scans it to its end (and then skips it)
    cc.finish_pageblock = pageblock_start_pfn(last_migrated_pfn) == pageblock_start_pfn(iteration_start_pfn);
    let rescan = true;
    while (rescan) {
      rescan = false;
      const r = isolate_migratepages();
      if (r == ISOLATE_NONE) {
        if (update_cached) unchecked(compact_cached_migrate_pfn[2 * z + 1] = unchecked(compact_cached_migrate_pfn[2 * z]));
        break;
      }
      update_cached = false;
      last_migrated_pfn = max(start_pfn, pageblock_start_pfn(cc.migrate_pfn - 1));
      const err = migrate_pages(cc_migrate_list, cc_nr_migrate_folios, cc.mode, MR_COMPACTION, compaction_alloc, compaction_free);
      cc_migrate_clear();
      if (err != 0) {
        // -ENOMEM with the scanners apart: out of targets, stop (COMPACT_CONTENDED)
        if (err == ENOMEM && !compact_scanners_met()) { ret = COMPACT_CONTENDED; break; }
        // a failure inside a partly scanned block: scan the rest of it, so that it is marked skip
        if (!pageblock_aligned(cc.migrate_pfn) && !cc.ignore_skip_hint && !cc.finish_pageblock && cc.mode < MIGRATE_SYNC) {
          cc.finish_pageblock = true;
          if (cc.order == <i32>COMPACTION_HPAGE_ORDER) last_migrated_pfn = 0; // draining does not help THP then
          rescan = true;
        }
      }
    }
    if (ret == COMPACT_CONTENDED) break;
    // check_drain: the migrate scanner left the cc->order block it migrated from: lru_add_drain_cpu_zone()
    // brings the freed sources back from the per-cpu lists so that they merge
    if (cc.order > 0 && last_migrated_pfn != 0) {
      const current_block_start = block_end_pfn(cc.migrate_pfn, <u32>cc.order) - (<u32>1 << <u32>cc.order);
      // lru_add_drain_cpu_zone(): this CPU's lists only (drain_local_pages(zone))
      if (last_migrated_pfn < current_block_start) { drain_pages_zone(z); last_migrated_pfn = 0; }
    }
  }
  // unused targets go back; the free scanner restarts no lower than the highest of them
  if (cc.nr_freepages > 0) {
    const free_pfn = pageblock_start_pfn(release_free_list());
    if (free_pfn > unchecked(compact_cached_free_pfn[z])) unchecked(compact_cached_free_pfn[z] = free_pfn);
  }
  st_add(COMPACT_MIGRATE_SCANNED, <i64>cc.total_migrate_scanned);
  st_add(COMPACT_FREE_SCANNED, <i64>cc.total_free_scanned);
  return ret;
}

/** The node's fragmentation score (fragmentation_score_node()): each zone's score weighted by its size. */
export function fragmentation_score_node(): u32 {
  const present = totalram_pages(); // the node's pages: one node here
  let score: u64 = 0;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    if (!populated_zone(z)) continue;
    score += <u64>zone_managed_pages(z) * <u64>fragmentation_score_zone(z) / (present + 1);
  }
  return <u32>score;
}
