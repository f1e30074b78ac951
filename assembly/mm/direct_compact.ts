// Direct compaction and direct reclaim in the allocation slow path (mm/page_alloc.c: __alloc_pages_slowpath(),
// __alloc_pages_direct_compact(), __alloc_pages_direct_reclaim(); mm/compaction.c: try_to_compact_pages(),
// compact_zone_order(); 6.15).
import { NONE, MAX_PAGE_ORDER, PAGE_ALLOC_COSTLY_ORDER, MIGRATE_MOVABLE, __GFP_HIGH } from "./constants";
import { __alloc_pages, alloc_pages_after_reclaim, get_page_from_freelist_slowpath, gfp_to_alloc_flags, highest_zoneidx, gfp_migratetype, pf_memalloc, alloc_pages_memalloc } from "./page_alloc";
import { populated_zone, page_zone } from "./zone";
import { MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT } from "./migrate";
import { cc, cc_start, compact_blockskip_flush } from "./compact_control";
import {
  compact_zone, compaction_deferred, compaction_defer_reset, defer_compaction, COMPACT_SKIPPED, COMPACT_DEFERRED,
  COMPACT_COMPLETE, COMPACT_PARTIAL_SKIPPED, COMPACT_SUCCESS,
} from "./compaction";
import { try_to_free_pages } from "../fs/reclaim";
import { st_add, COMPACT_STALL, COMPACT_FAIL, COMPACT_SUCCESS as STAT_COMPACT_SUCCESS } from "../fs/stats";

// include/linux/compaction.h: enum compact_priority
export const COMPACT_PRIO_SYNC_FULL: u32 = 0;
export const COMPACT_PRIO_SYNC_LIGHT: u32 = 1;
export const COMPACT_PRIO_ASYNC: u32 = 2;
const MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL;
export const DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;
export const INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC;

// mm/compaction.c: compact_zone_order()
function compact_zone_order(z: u32, order: u32, gfp: u32, prio: u32, alloc_flags: u32, highest: u32): i32 {
  cc_start(z, <i32>order, prio == COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC : MIGRATE_SYNC_LIGHT, alloc_flags, highest);
  cc.migratetype = gfp_migratetype(gfp);
  cc.direct_compaction = true;
  cc.whole_zone = prio == MIN_COMPACT_PRIORITY;
  cc.ignore_skip_hint = prio == MIN_COMPACT_PRIORITY;
  cc.ignore_block_suitable = prio == MIN_COMPACT_PRIORITY;
  return compact_zone();
}

// mm/compaction.c: try_to_compact_pages(): every zone of the zonelist not deferred, until one succeeds; only
// a synchronous priority defers a zone that compacted to the end (async COMPACT_COMPLETE does not)
function try_to_compact_pages(gfp: u32, order: u32, alloc_flags: u32, prio: u32): i32 {
  let rc = COMPACT_SKIPPED;
  const highest = highest_zoneidx(gfp);
  for (let zi = <i32>highest; zi >= 0; zi--) {
    const z = <u32>zi;
    if (!populated_zone(z)) continue;
    if (prio > MIN_COMPACT_PRIORITY && compaction_deferred(z, order)) { rc = max(COMPACT_DEFERRED, rc); continue; }
    const status = compact_zone_order(z, order, gfp, prio, alloc_flags, highest);
    rc = max(status, rc);
    if (status == COMPACT_SUCCESS) {
      // the allocation should succeed here, but that is not certain yet
      compaction_defer_reset(z, order, false);
      break;
    }
    if (prio != COMPACT_PRIO_ASYNC && (status == COMPACT_COMPLETE || status == COMPACT_PARTIAL_SKIPPED)) defer_compaction(z, order);
  }
  return rc;
}

/** The compact_result of the last __alloc_pages_direct_compact(). */
let compact_result: i32 = COMPACT_SKIPPED;

// mm/page_alloc.c: __alloc_pages_direct_compact(): a stall is counted unless every zone was skipped (a
// deferred zone counts); then one allocation attempt, compact_success or compact_fail
export function __alloc_pages_direct_compact(gfp: u32, order: u32, prio: u32): u32 {
  compact_result = COMPACT_SKIPPED;
  if (order == 0) return NONE;
  const alloc_flags = gfp_to_alloc_flags(gfp, order);
  const result = try_to_compact_pages(gfp, order, alloc_flags, prio);
  compact_result = result;
  if (result == COMPACT_SKIPPED) return NONE;
  st_add(COMPACT_STALL, 1);
  const page = get_page_from_freelist_slowpath(gfp, order);
  if (page != NONE) {
    const z = page_zone(page);
    unchecked(compact_blockskip_flush[z] = false);
    compaction_defer_reset(z, order, true);
    st_add(STAT_COMPACT_SUCCESS, 1);
    return page;
  }
  st_add(COMPACT_FAIL, 1);
  return NONE;
}

// mm/page_alloc.c: __alloc_pages_direct_reclaim(): try_to_free_pages(), then, if it freed anything, an attempt and
// once more after unreserving a highatomic block and draining the per-cpu lists
/** did_some_progress of the last alloc_pages_may_reclaim(): its direct reclaim reclaimed something (the OOM
 *  path's should_reclaim_retry() starts its count again then). */
export let did_some_progress: bool = false;

function __alloc_pages_direct_reclaim(gfp: u32, order: u32): u32 {
  // did_some_progress: with nothing reclaimed it returns at once, without its retry, unreserve and drain
  did_some_progress = try_to_free_pages(gfp, order) != 0;
  if (!did_some_progress) return NONE;
  return alloc_pages_after_reclaim(gfp, order);
}

/** The first of a PMD-sized THP fault's two tries (mm/mempolicy.c alloc_pages_mpol(), CONFIG_NUMA as Debian builds
 *  it, one node): the local node with __GFP_THISNODE | __GFP_NORETRY ("don't reclaim unnecessarily, just compact"):
 *  the fast path, the slow path's first try, the async direct compaction a costly order gets, and then nopage
 *  (__alloc_pages_slowpath(): "costly_order && __GFP_NORETRY": COMPACT_SKIPPED or COMPACT_DEFERRED end it, and so
 *  does __GFP_THISNODE otherwise). The caller then tries again with the fault's own mask. */
export function alloc_pages_thisnode_noretry(gfp: u32, order: u32): u32 {
  if (pf_memalloc) return alloc_pages_memalloc(gfp, order);
  const page = __alloc_pages(gfp, order);
  if (page != NONE || order <= PAGE_ALLOC_COSTLY_ORDER || order > MAX_PAGE_ORDER) return page;
  return __alloc_pages_direct_compact(gfp, order, INIT_COMPACT_PRIORITY);
}

/** A page-cache folio above the mapping's smallest order: __filemap_get_folio() asks for it with __GFP_NORETRY |
 *  __GFP_NOWARN, so __alloc_pages_slowpath() makes one round and gives up (below). The caller then tries the next
 *  order down. */
export function alloc_pages_noretry(gfp: u32, order: u32): u32 { return __alloc_pages_slowpath(gfp, order, true); }

/** __alloc_pages() with the slow path of a mask that may reclaim (below). A costly request without
 *  __GFP_RETRY_MAYFAIL (a THP fault in a MADV_HUGEPAGE region, GFP_TRANSHUGE) stops after its round, as the kernel's
 *  does; for the others, should_reclaim_retry()'s further rounds and the OOM killer are not modelled here: they
 *  fail there too, and the caller counts the failure (sim/oom.ts). */
export function alloc_pages_may_reclaim(gfp: u32, order: u32): u32 { return __alloc_pages_slowpath(gfp, order, false); }

/** mm/page_alloc.c: __alloc_pages_slowpath(), one round: after the first attempts, async compaction first for a
 *  costly or non-movable high-order request, direct reclaim, then direct compaction at DEF_COMPACT_PRIORITY
 *  (sync-light). With __GFP_NORETRY (`noretry`) a costly order stops after its first compaction if that was
 *  COMPACT_SKIPPED or COMPACT_DEFERRED ("fail immediately ... unless the allocator has requested compaction and
 *  reclaim retry") and otherwise keeps INIT_COMPACT_PRIORITY (async) for the second. */
function __alloc_pages_slowpath(gfp: u32, order: u32, noretry: bool): u32 {
  // "Avoid recursion of direct reclaim": inside reclaim, no watermarks and no reclaim
  if (pf_memalloc) return alloc_pages_memalloc(gfp, order);
  did_some_progress = false;
  let page = __alloc_pages(gfp, order);
  if (page != NONE || order > MAX_PAGE_ORDER || (gfp & __GFP_HIGH) != 0) return page;
  const costly = order > PAGE_ALLOC_COSTLY_ORDER;
  let compact_priority = DEF_COMPACT_PRIORITY;
  if (order > 0 && (costly || gfp_migratetype(gfp) != MIGRATE_MOVABLE)) {
    page = __alloc_pages_direct_compact(gfp, order, INIT_COMPACT_PRIORITY);
    if (page != NONE) return page;
    if (noretry && costly) {
      if (compact_result == COMPACT_SKIPPED || compact_result == COMPACT_DEFERRED) return NONE;
      compact_priority = INIT_COMPACT_PRIORITY;
    }
  }
  page = __alloc_pages_direct_reclaim(gfp, order);
  if (page != NONE) return page;
  return __alloc_pages_direct_compact(gfp, order, compact_priority);
}
