// Allocation and free entry points (mm/page_alloc.c): __alloc_pages, get_page_from_freelist, rmqueue
// (rmqueue_pcplist, rmqueue_bulk, rmqueue_buddy), prep_new_page, reserve_highatomic_pageblock, __free_pages
// (through the per-cpu lists, pcp.ts), __free_one_page.
// The steps a page takes through the buddy lists (__rmqueue, __rmqueue_smallest, page_del_and_expand, expand,
// __add_to_free_list, __del_page_from_free_list, __free_one_page, prep_new_page, __free_pages, and __alloc_pages
// itself, and get_page_from_freelist() on the fast path) are @inline: a call costs V8's wasm code a frame and a stack
// check, and a page refilling or leaving a per-cpu list made five or six of them (inlining them made the allocator
// benchmark 20-25 % faster).
import {
  MAX_PAGE_ORDER, MAX_NR_ZONES, pageblock_order, pageblock_nr_pages, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE,
  MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE, __GFP_MOVABLE,
  __GFP_RECLAIMABLE, __GFP_HIGH, __GFP_WRITE, GFP_LRU, GFP_NO_KSWAPD, ALLOC_WMARK_LOW, ALLOC_WMARK_MIN, ALLOC_NOFRAGMENT, ALLOC_CMA,
  ALLOC_MIN_RESERVE, ALLOC_NON_BLOCK, ALLOC_HIGHATOMIC, ALLOC_RESERVES, ALLOC_KSWAPD, NONE, PAGE_ALLOC_COSTLY_ORDER,
} from "./constants";
import {
  PG_buddy, PG_head, PG_owner, PG_lru, PAGE_WORD_FREE, PAGE_WORD_ORDER, nr_pages, word_at, link_at, make_page_word, MAX_ORDER_NR_PAGES,
  page_word, set_page_word, store_page_word, set_page_links, get_pageblock_migratetype, store_boundary_words,
} from "./page";
import {
  populated_zone, page_zone, zone_managed_pages, nr_reserved_highatomic, page_group_by_mobility_disabled,
  __add_to_free_list, __del_page_from_free_list, account_freepages, set_pageblock_migratetype,
  change_pageblock_range, migratetype_is_mergeable, zone_flags, ZONE_BOOSTED_WATERMARK, ZONE_BELOW_HIGH,
  free_list_head, move_to_free_list, NR_FREE_CMA_PAGES,
} from "./zone";
import { zone_watermark_fast, zone_watermark_fast_mark, high_wmark_pages, __zone_watermark_ok } from "./watermark";
import {
  __rmqueue, __rmqueue_smallest, __rmqueue_smallest_run, run_taken, __move_freepages_block, prep_move_freepages_block,
  set_rmqueue_mode, RMQUEUE_NORMAL,
} from "./rmqueue";
import {
  pcp_allowed_order, order_to_pindex, pcp_list_add, pcp_list_add_tail_run, pcp_list_pop_first, nr_pcp_alloc, nr_pcp_free, nr_pcp_high,
  free_pcppages_bulk, pcp_free_migratetype, per_cpu_pages, this_cpu_pcp,
  pcp_all_empty, drain_all_pages, PCPF_PREV_FREE_HIGH_ORDER, PCPF_FREE_HIGH_BATCH, CONFIG_PCP_BATCH_SCALE_MAX,
  pcp_auto_tune, nr_pcp_free_61, nr_pcp_high_61,
} from "./pcp";
import { node_dirty_ok } from "../fs/dirty";

// include/linux/gfp.h: gfp_migratetype(): the mobility bits shifted down, as the kernel does (no branch on the
// type, which a random mix of requests would mispredict); both bits set, which the kernel warns about, is MOVABLE
@inline export function gfp_migratetype(gfp: u32): u32 {
  if (page_group_by_mobility_disabled) return MIGRATE_UNMOVABLE;
  const mt = (gfp & (__GFP_MOVABLE | __GFP_RECLAIMABLE)) >> GFP_MOVABLE_SHIFT;
  return mt > MIGRATE_RECLAIMABLE ? MIGRATE_MOVABLE : mt;
}
const GFP_MOVABLE_SHIFT: u32 = 3;

// include/linux/gfp.h: gfp_zone(): GFP_HIGHUSER_MOVABLE may use ZONE_MOVABLE, the rest stop at Normal
/** Set by the simulation: mm/vmscan.c wakeup_kswapd(zone, gfp has __GFP_DIRECT_RECLAIM, order, highest_zoneidx)
 *  (the allocator alone, as in the trace replay, has no kswapd). */
let wakeup_kswapd: (z: u32, direct_reclaim: bool, order: u32, highest: u32) => void = no_kswapd;
function no_kswapd(z: u32, direct_reclaim: bool, order: u32, highest: u32): void {}
export function set_kswapd_hook(f: (z: u32, direct_reclaim: bool, order: u32, highest: u32) => void): void { wakeup_kswapd = f; }

/** Set by the simulation: mm/page-writeback.c node_dirty_ok() applies (the allocator alone has no dirty pages).
 *  A direct call, not a hook: every page-cache allocation asks, and V8's call_indirect costs more than the test. */
let dirty_pages_tracked: bool = false;
export function set_node_dirty_ok_tracked(on: bool): void { dirty_pages_tracked = on; }

/** nocopy-wb-area: ZONE_MOVABLE is the dedicated writeback area; only alloc_pages_wb_area() allocates there. */
let movable_zone_is_wb_area: bool = false;
let zone_floor: i32 = 0;
export function set_wb_area(on: bool): void { movable_zone_is_wb_area = on; }

export function highest_zoneidx(gfp: u32): u32 {
  if (populated_zone(ZONE_MOVABLE) && !movable_zone_is_wb_area && (gfp & __GFP_MOVABLE) != 0) return ZONE_MOVABLE;
  if (populated_zone(ZONE_NORMAL)) return ZONE_NORMAL;
  return ZONE_DMA32;
}

// mm/page_alloc.c: reserve_highatomic_pageblock()
function reserve_highatomic_pageblock(pfn: u32, order: u32, z: u32): void {
  const managed = zone_managed_pages(z);
  if (managed / 100 < pageblock_nr_pages) return;
  const max_managed = (managed / 100 + pageblock_nr_pages - 1) & ~(pageblock_nr_pages - 1);
  if (unchecked(nr_reserved_highatomic[z]) >= max_managed) return;
  const mt = get_pageblock_migratetype(pfn);
  if (!migratetype_is_mergeable(mt)) return;
  if (order < pageblock_order) {
    if (!prep_move_freepages_block(z, pfn)) return;
    __move_freepages_block(z, pfn & ~(pageblock_nr_pages - 1), mt, MIGRATE_HIGHATOMIC);
    unchecked(nr_reserved_highatomic[z] += pageblock_nr_pages);
  } else {
    change_pageblock_range(pfn, order, MIGRATE_HIGHATOMIC);
    unchecked(nr_reserved_highatomic[z] += <u32>1 << order);
  }
}

// mm/page_alloc.c: unreserve_highatomic_pageblock() (6.15): give one HIGHATOMIC reserve block back to the caller's
// migratetype, in the zonelist's order (highest zone first); without `force` a zone keeps its last reserved block
// ("Preserve at least one pageblock unless memory pressure is really high"). True when a block was converted.
export function unreserve_highatomic_pageblock(gfp: u32, force: bool): bool {
  const mt = gfp_migratetype(gfp);
  for (let z = <i32>highest_zoneidx(gfp); z >= 0; z--) {
    const zone = <u32>z;
    if (!populated_zone(zone)) continue;
    if (!force && unchecked(nr_reserved_highatomic[zone]) <= pageblock_nr_pages) continue;
    for (let order: u32 = 0; order <= MAX_PAGE_ORDER; order++) {
      const page = free_list_head(zone, order, MIGRATE_HIGHATOMIC);
      if (page == NONE) continue;
      const size = min<u32>(max<u32>(pageblock_nr_pages, <u32>1 << order), unchecked(nr_reserved_highatomic[zone]));
      unchecked(nr_reserved_highatomic[zone] -= size);
      // "Convert to ac->migratetype and avoid the normal pageblock stealing heuristics"
      if (order < pageblock_order) {
        if (!prep_move_freepages_block(zone, page)) continue; // move_freepages_block() == -1 (WARN_ON_ONCE)
        __move_freepages_block(zone, page & ~(pageblock_nr_pages - 1), MIGRATE_HIGHATOMIC, mt);
      } else {
        move_to_free_list(page, zone, order, MIGRATE_HIGHATOMIC, mt);
        change_pageblock_range(page, order, mt);
      }
      return true;
    }
  }
  return false;
}

/** mm/page_alloc.c: __alloc_pages_direct_reclaim() once reclaim made progress (with none it returns at once): try
 *  again; failing that, pages may be pinned on the per-cpu lists or in the highatomic reserves: unreserve a block,
 *  drain every CPU's lists, and try once more. */
export function alloc_pages_after_reclaim(gfp: u32, order: u32): u32 {
  let page = get_page_from_freelist_slowpath(gfp, order);
  if (page != NONE) return page;
  const unreserved = unreserve_highatomic_pageblock(gfp, false);
  // drain_all_pages(NULL); with every list empty and nothing unreserved the retry would find what the last try did
  if (!unreserved && pcp_all_empty()) return NONE;
  drain_all_pages();
  return get_page_from_freelist_slowpath(gfp, order);
}

// mm/page_alloc.c: rmqueue_buddy()
function rmqueue_buddy(z: u32, order: u32, alloc_flags: u32, mt: u32): u32 {
  let page: u32 = NONE;
  set_rmqueue_mode(RMQUEUE_NORMAL);
  if ((alloc_flags & ALLOC_HIGHATOMIC) != 0) page = __rmqueue_smallest(z, order, MIGRATE_HIGHATOMIC);
  if (page == NONE) {
    page = __rmqueue(z, order, mt, alloc_flags);
    if (page == NONE && (alloc_flags & ALLOC_NON_BLOCK) != 0) page = __rmqueue_smallest(z, order, MIGRATE_HIGHATOMIC);
  }
  return page;
}

// mm/page_alloc.c: rmqueue_bulk(): up to `count` blocks for the list, each to its tail (PFN order)
function rmqueue_bulk(z: u32, order: u32, count: u32, pcp: per_cpu_pages, pindex: u32, mt: u32, alloc_flags: u32): u32 {
  set_rmqueue_mode(RMQUEUE_NORMAL);
  let i: u32 = 0;
  // order 0 with no CMA pages to balance against: each __rmqueue() below would start with __rmqueue_smallest(), and
  // while that finds a block it takes the block's pages one after another, so they are taken a run at a time
  // (the same pages, lists and counts); once it finds none, __rmqueue()'s fallbacks take over page by page
  if (order == 0 && ((alloc_flags & ALLOC_CMA) == 0 || unchecked(NR_FREE_CMA_PAGES[z]) == 0)) {
    while (i < count) {
      const pfn = __rmqueue_smallest_run(z, count - i, mt);
      if (pfn == NONE) break;
      const n = run_taken;
      pcp_list_add_tail_run(pcp, pindex, pfn, n);
      i += n;
    }
  }
  for (; i < count; i++) {
    const page = __rmqueue(z, order, mt, alloc_flags);
    if (page == NONE) break;
    pcp_list_add(pcp, pindex, page, order, true);
  }
  return i;
}

// mm/page_alloc.c: rmqueue_pcplist() + __rmqueue_pcplist(): an allocation halves free_count; the list's first
// block, refilled when empty
@inline function rmqueue_pcplist(z: u32, order: u32, mt: u32, alloc_flags: u32): u32 {
  const pcp = this_cpu_pcp(z);
  // 6.7+: free_count halves; 6.1: "On allocation, reduce the number of pages that are batch freed" (free_factor,
  // the same field). Never negative, so one arithmetic shift is both, without a branch on the version.
  pcp.free_count >>= 1;
  const pindex = order_to_pindex(mt, order);
  let page = pcp_list_pop_first(pcp, pindex, order);
  if (page == NONE) {
    rmqueue_bulk(z, order, nr_pcp_alloc(pcp, z, order), pcp, pindex, mt, alloc_flags);
    page = pcp_list_pop_first(pcp, pindex, order);
  }
  return page;
}

// mm/page_alloc.c: rmqueue(): the per-cpu lists for the orders they cache, else (or when they fail) the buddy;
// then, with ALLOC_KSWAPD, a zone whose watermark a fallback boosted wakes kswapd
@inline function rmqueue(z: u32, order: u32, alloc_flags: u32, mt: u32): u32 {
  let page: u32 = NONE;
  if (pcp_allowed_order(order)) page = rmqueue_pcplist(z, order, mt, alloc_flags);
  if (page == NONE) page = rmqueue_buddy(z, order, alloc_flags, mt);
  if ((alloc_flags & ALLOC_KSWAPD) != 0 && (unchecked(zone_flags[z]) & ZONE_BOOSTED_WATERMARK) != 0) {
    unchecked(zone_flags[z] &= ~ZONE_BOOSTED_WATERMARK);
    wakeup_kswapd(z, false, 0, z); // wakeup_kswapd(zone, 0, 0, zone_idx(zone)): a mask of 0
  }
  return page;
}

/** From this order up, prep_new_page() fills the records two pages a step and __free_pages() clears the words in
 *  one loop; below it, page by page (two stores a page cost less than the bulk set-up). */
const FILL_MIN_ORDER: u32 = 4;

/** The records of n pages from pfn set to word w and NONE links, two pages an iteration; n is even. Written raw,
 *  so under the keys of page.ts: a link's is pfn +- 1024 (NONE is stored as its complement, one less a page on
 *  each half), the word's is 0 but on a MAX_PAGE_ORDER boundary, where the word is written again through the
 *  accessor. */
@inline function fill_page_words(pfn: u32, n: usize, w: u32): void {
  const words = word_at(pfn);
  const w2 = <u64>w | (<u64>w << 32);
  for (let i: usize = 0; i < n << 2; i += 8) store<u64>(words + i, w2);
  const links = link_at(pfn);
  let l = <u64>~(pfn + MAX_ORDER_NR_PAGES) | (<u64>~(pfn - MAX_ORDER_NR_PAGES) << 32);
  for (let i: usize = 0; i < n << 3; i += 16) {
    store<u64>(links + i, l);
    store<u64>(links + i, l - 0x1_0000_0001, 8);
    l -= 0x2_0000_0002;
  }
  store_boundary_words(pfn, <u32>n, w);
}

// mm/page_alloc.c: prep_new_page() with page_owner's __set_page_owner_handle(): every page records the
// allocation's order and migratetype, the head is marked
@inline export function prep_new_page(pfn: u32, order: u32, gfp: u32, mt: u32): void {
  const lru: u32 = (gfp & GFP_LRU) != 0 ? PG_lru : 0;
  if (order >= FILL_MIN_ORDER) {
    const n = <usize>1 << order;
    fill_page_words(pfn, n, make_page_word(PG_owner | lru, order, mt, 1));
    set_page_word(pfn, PG_owner | PG_head | lru, order, mt, 1);
  } else {
    // the head's word written once (an order-0 allocation, the common one, has nothing else)
    set_page_word(pfn, PG_owner | PG_head | lru, order, mt, 1);
    set_page_links(pfn, NONE, NONE);
    // the tails; the test keeps the loop (and V8's stack check at its header) out of order 0's copy
    if (order != 0) {
      const n: u32 = <u32>1 << order;
      for (let i: u32 = 1; i < n; i++) {
        const p = pfn + i;
        set_page_word(p, PG_owner | lru, order, mt, 1);
        set_page_links(p, NONE, NONE);
      }
    }
  }
}

// mm/page_alloc.c: get_page_from_freelist()'s step for one zone of the zonelist: NONE where the walk continues
// (zone not populated, below the request's watermark, nothing on its lists)
@inline function get_page_from_zone(z: u32, gfp: u32, order: u32, alloc_flags: u32, mt: u32, highest: u32): u32 {
  if (!populated_zone(z)) return NONE;
  // a zone found below its high watermark is marked (ZONE_BELOW_HIGH) for the per-cpu lists' high;
  // above it, the request's own watermark is not checked
  if ((unchecked(zone_flags[z]) & ZONE_BELOW_HIGH) != 0 || !zone_watermark_fast_mark(z, order, high_wmark_pages(z), highest, alloc_flags)) {
    unchecked(zone_flags[z] |= ZONE_BELOW_HIGH);
    if (!zone_watermark_fast(z, order, alloc_flags, highest)) return NONE;
  }
  const page = rmqueue(z, order, alloc_flags, mt);
  if (page == NONE) return NONE;
  prep_new_page(page, order, gfp, mt);
  if ((alloc_flags & ALLOC_HIGHATOMIC) != 0) reserve_highatomic_pageblock(page, order, z);
  return page;
}

// mm/page_alloc.c: get_page_from_freelist(): the zonelist walk from zone `from` down, then, when every zone failed
// under ALLOC_NOFRAGMENT, the whole walk again without it. Out of line: the slow path's attempts, and the fast
// path's after its preferred zone (rare: one copy of the code serves them).
function get_page_from_freelist_from(gfp: u32, order: u32, alloc_flags: u32, mt: u32, highest: u32, from: i32): u32 {
  while (true) {
    for (let zi = from; zi >= zone_floor; zi--) {
      const page = get_page_from_zone(<u32>zi, gfp, order, alloc_flags, mt, highest);
      if (page != NONE) return page;
    }
    if ((alloc_flags & ALLOC_NOFRAGMENT) == 0) return NONE;
    alloc_flags &= ~ALLOC_NOFRAGMENT;
    from = <i32>highest;
  }
  return NONE;
}

/** get_page_from_freelist() out of line, for the slow path's attempts. */
function get_page_from_freelist(gfp: u32, order: u32, alloc_flags: u32, mt: u32, highest: u32): u32 {
  return get_page_from_freelist_from(gfp, order, alloc_flags, mt, highest, <i32>highest);
}

// mm/page_alloc.c: get_page_from_freelist() on the fast path (__alloc_pages()'s first attempt), where nearly every
// allocation ends on the preferred zone's per-cpu list: that zone's step is inlined here, out of the walk's loops
// (their headers and the values they keep live cost the order-0 allocator stream about 2 %), and the walk goes on
// out of line from the next zone down. The call it replaced cost a frame, a stack check and the spill of every live value
// (V8's wasm code has no callee-saved registers).
@inline function get_page_from_freelist_inline(gfp: u32, order: u32, alloc_flags: u32, mt: u32, highest: u32): u32 {
  if (<i32>highest >= zone_floor) {
    // the fast path's flags hold none of ALLOC_RESERVES (gfp_to_alloc_flags() adds them): said here, so that the
    // compiler drops what depends on them from this copy (the watermark's reserves, reserve_highatomic_pageblock())
    const page = get_page_from_zone(highest, gfp, order, alloc_flags & ~ALLOC_RESERVES, mt, highest);
    if (page != NONE) return page;
  }
  return get_page_from_freelist_from(gfp, order, alloc_flags, mt, highest, <i32>highest - 1);
}

// mm/page_alloc.c: alloc_flags_nofragment(): ALLOC_KSWAPD from the mask, and ALLOC_NOFRAGMENT when the preferred
// zone is Normal. The machine is one node (UMA), where the kernel assumes DMA32 is populated and does not check it.
@inline function alloc_flags_nofragment(preferred: u32, gfp: u32): u32 {
  const kswapd: u32 = (gfp & GFP_NO_KSWAPD) == 0 ? ALLOC_KSWAPD : 0;
  return kswapd | (preferred == ZONE_NORMAL ? ALLOC_NOFRAGMENT : 0);
}

// mm/page_alloc.c: gfp_to_alloc_flags() + gfp_to_alloc_flags_cma(): the slow path's flags
@inline export function gfp_to_alloc_flags(gfp: u32, order: u32): u32 {
  let flags: u32 = ALLOC_WMARK_MIN | (gfp_migratetype(gfp) == MIGRATE_MOVABLE ? ALLOC_CMA : 0);
  if ((gfp & GFP_NO_KSWAPD) == 0) flags |= ALLOC_KSWAPD;
  if ((gfp & __GFP_HIGH) != 0) {
    flags |= ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK;
    if (order > 0) flags |= ALLOC_HIGHATOMIC;
  }
  return flags;
}

/** get_page_from_freelist() with the slow path's flags: the retries after reclaim or compaction. */
export function get_page_from_freelist_slowpath(gfp: u32, order: u32): u32 {
  return get_page_from_freelist(gfp, order, gfp_to_alloc_flags(gfp, order), gfp_migratetype(gfp), highest_zoneidx(gfp));
}

/** The fast path, then the slow path up to its first attempt: wake kswapd (ALLOC_KSWAPD) and try at the min
 *  watermark; returns a PFN or NONE. What follows a failure is the caller's: direct reclaim, then
 *  alloc_pages_after_reclaim() if it freed something, or compaction. Reclaim that frees nothing leaves the per-cpu
 *  lists alone (__alloc_pages_direct_reclaim() returns before its drain when !did_some_progress), so an allocator
 *  with nothing to reclaim, as in the allocator streams and the trace replay, never drains them here. */
@inline export function __alloc_pages(gfp: u32, order: u32): u32 {
  if (order > MAX_PAGE_ORDER) return NONE;
  const mt = gfp_migratetype(gfp);
  const highest = highest_zoneidx(gfp);
  // first_zones_zonelist(): the first populated zone at or below highest, which is highest itself (highest_zoneidx()
  // names a populated zone, or DMA32), so nothing is searched (a loop here cost a few % of the order-0 stream)
  const preferred = highest;
  // gfp_to_alloc_flags_cma()
  const cma: u32 = mt == MIGRATE_MOVABLE ? ALLOC_CMA : 0;
  // ac->spread_dirty_pages (__GFP_WRITE): the first pass skips a node over its dirty limit (one node: every zone);
  // __alloc_pages() clears it before the slow path, which may then exceed the limit
  const page = (gfp & __GFP_WRITE) != 0 && dirty_pages_tracked && !node_dirty_ok() ? NONE
    : get_page_from_freelist_inline(gfp, order, ALLOC_WMARK_LOW | cma | alloc_flags_nofragment(preferred, gfp), mt, highest);
  if (page != NONE) return page;
  const flags = gfp_to_alloc_flags(gfp, order);
  // __alloc_pages_slowpath(): wake_all_kswapds() (one node: one kswapd)
  if ((flags & ALLOC_KSWAPD) != 0) wakeup_kswapd(preferred, (gfp & __GFP_HIGH) == 0, order, highest);
  return get_page_from_freelist(gfp, order, flags, mt, highest);
}

/** current->flags & PF_MEMALLOC: set while reclaim runs (kswapd always has it; __perform_reclaim() sets it for a
 *  direct reclaimer, memalloc_noreclaim_save()). An allocation made meanwhile (a 6.1/6.6 ->writepage's temp page
 *  and request objects) ignores the watermarks and never reclaims itself. */
export let pf_memalloc: bool = false;
export function set_pf_memalloc(on: bool): bool { const was = pf_memalloc; pf_memalloc = on; return was; }

/** mm/page_alloc.c: __alloc_pages_slowpath() in a PF_MEMALLOC task (kswapd): __gfp_pfmemalloc_flags() gives
 *  ALLOC_NO_WATERMARKS, and get_page_from_freelist() then skips every watermark (try_this_zone): the request fails
 *  only when the zones' free lists are empty. Such a task never enters direct reclaim ("Avoid recursion of direct
 *  reclaim"). Off the hot path: only allocations made inside reclaim (pf_memalloc) ask for it. */
export function alloc_pages_memalloc(gfp: u32, order: u32): u32 {
  const page = __alloc_pages(gfp, order);
  if (page != NONE || order > MAX_PAGE_ORDER) return page;
  const mt = gfp_migratetype(gfp);
  // gfp_to_alloc_flags_cma(gfp_mask, reserve_flags) | (alloc_flags & ALLOC_KSWAPD): a claim made here still wakes
  // kswapd through ZONE_BOOSTED_WATERMARK
  const flags: u32 = (mt == MIGRATE_MOVABLE ? ALLOC_CMA : 0) | ((gfp & GFP_NO_KSWAPD) == 0 ? ALLOC_KSWAPD : 0);
  const highest = highest_zoneidx(gfp);
  for (let zi = <i32>highest; zi >= zone_floor; zi--) {
    const z = <u32>zi;
    if (!populated_zone(z)) continue;
    const p = rmqueue(z, order, flags, mt);
    if (p == NONE) continue;
    prep_new_page(p, order, gfp, mt);
    return p;
  }
  return NONE;
}

// mm/page_alloc.c: page_is_buddy() (with find_buddy_page_pfn()'s range check)
@inline export function page_is_buddy(buddy: u32, order: u32, z: u32): bool {
  if (buddy >= nr_pages) return false;
  // PageBuddy() and buddy_order() from the one word
  if ((page_word(buddy) & (PG_buddy | PAGE_WORD_ORDER)) != (PG_buddy | (order << 16))) return false;
  return page_zone(buddy) == z;
}

// mm/page_alloc.c: buddy_merge_likely()
@inline function buddy_merge_likely(pfn: u32, buddy_pfn: u32, order: u32, z: u32): bool {
  if (order >= MAX_PAGE_ORDER - 1) return false;
  const higher = buddy_pfn & pfn;
  return page_is_buddy(higher ^ (<u32>1 << (order + 1)), order + 1, z);
}

// mm/page_alloc.c: __free_one_page()
@inline export function __free_one_page(pfn: u32, z: u32, order: u32, mt: u32, to_tail: bool): void {
  account_freepages(z, <i32>1 << order, mt);
  let buddy_pfn: u32 = 0;
  while (order < MAX_PAGE_ORDER) {
    let buddy_mt = mt;
    buddy_pfn = pfn ^ (<u32>1 << order);
    if (!page_is_buddy(buddy_pfn, order, z)) break;
    if (order >= pageblock_order) {
      // no merging between pageblocks without fallbacks (CMA, HIGHATOMIC, ISOLATE) and normal ones
      buddy_mt = get_pageblock_migratetype(buddy_pfn);
      if (mt != buddy_mt && (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(buddy_mt))) break;
    }
    __del_page_from_free_list(buddy_pfn, z, order, buddy_mt);
    // match the buddy's type so that a later expand() puts the halves on the right lists
    if (buddy_mt != mt) set_pageblock_migratetype(buddy_pfn, mt);
    pfn &= buddy_pfn;
    order++;
  }
  if (!to_tail) to_tail = buddy_merge_likely(pfn, buddy_pfn, order, z);
  __add_to_free_list(pfn, z, order, mt, to_tail);
}

// mm/page_alloc.c: split_large_buddy(): a free above pageblock_order is freed block by block
export function split_large_buddy(pfn: u32, order: u32, to_tail: bool): void {
  const end = pfn + (<u32>1 << order);
  const z = page_zone(pfn);
  if (order > pageblock_order) order = pageblock_order;
  do {
    __free_one_page(pfn, z, order, get_pageblock_migratetype(pfn), to_tail);
    pfn += <u32>1 << order;
  } while (pfn != end);
}

/** True when pfn is the head of a live allocation of exactly this order. */
export function is_allocation_head(pfn: u32, order: u32): bool {
  if (pfn >= nr_pages || order > MAX_PAGE_ORDER) return false;
  return (page_word(pfn) & (PG_head | PG_owner | PAGE_WORD_ORDER)) == (PG_head | PG_owner | (order << 16));
}

// mm/page_alloc.c: free_frozen_page_commit() (6.15): halve alloc_factor, add the block at the list's head;
// consecutive frees of orders 1-3 past a batch set free_high; count the freed pages in free_count (up to
// batch << 5); at nr_pcp_high() give nr_pcp_free() pages back, and clear ZONE_BELOW_HIGH once the zone is over
// its high watermark again
/** 6.16+: free_high needs free_count >= batch + high_min / 2 (machine-config.ts freeHighHighMin). */
let free_high_high_min: bool = false;
export function set_free_high_high_min(on: bool): void { free_high_high_min = on; }

// mm/page_alloc.c (6.1): free_unref_page_commit(): the block at the list's head; free_high (all back) for an order
// 1-3 free while free_factor is up; at nr_pcp_high() give nr_pcp_free() pages back
@inline function free_unref_page_commit_61(z: u32, pcp: per_cpu_pages, pfn: u32, order: u32, pindex: u32): void {
  pcp_list_add(pcp, pindex, pfn, order, false);
  const batch = <i32>pcp.batch;
  const free_high = pcp.free_factor != 0 && order != 0 && order <= PAGE_ALLOC_COSTLY_ORDER;
  const high = nr_pcp_high_61(pcp, z, batch, free_high);
  if (<i32>pcp.count >= high) free_pcppages_bulk(z, nr_pcp_free_61(pcp, batch, high, free_high), pcp, pindex);
}

@inline function free_frozen_page_commit(z: u32, pcp: per_cpu_pages, pfn: u32, order: u32, pindex: u32): void {
  if (!pcp_auto_tune) { free_unref_page_commit_61(z, pcp, pfn, order, pindex); return; }
  pcp.alloc_factor >>= 1;
  pcp_list_add(pcp, pindex, pfn, order, false);
  const batch = <i32>pcp.batch;
  let free_high = false;
  const flags = pcp.flags;
  if (order != 0 && order <= PAGE_ALLOC_COSTLY_ORDER) {
    const threshold = free_high_high_min ? batch + <i32>(pcp.high_min >> 1) : batch;
    free_high = pcp.free_count >= threshold && (flags & PCPF_PREV_FREE_HIGH_ORDER) != 0 &&
      ((flags & PCPF_FREE_HIGH_BATCH) == 0 || <i32>pcp.count >= batch);
    pcp.flags = flags | PCPF_PREV_FREE_HIGH_ORDER;
  } else if ((flags & PCPF_PREV_FREE_HIGH_ORDER) != 0) {
    pcp.flags = flags & ~PCPF_PREV_FREE_HIGH_ORDER;
  }
  if (pcp.free_count < batch << CONFIG_PCP_BATCH_SCALE_MAX) pcp.free_count += 1 << order;
  const high = nr_pcp_high(pcp, z, batch, free_high);
  if (<i32>pcp.count >= high) {
    free_pcppages_bulk(z, nr_pcp_free(pcp, batch, high, free_high), pcp, pindex);
    if ((unchecked(zone_flags[z]) & ZONE_BELOW_HIGH) != 0 && __zone_watermark_ok(z, 0, high_wmark_pages(z), ZONE_MOVABLE, 0))
      unchecked(zone_flags[z] &= ~ZONE_BELOW_HIGH);
  }
}

// mm/page_alloc.c: __free_frozen_pages(): cached orders go to the per-cpu list of their block's type
// (HIGHATOMIC and CMA to MOVABLE's, ISOLATE straight to the buddy lists)
@inline function free_to_pcp_or_buddy(pfn: u32, order: u32): void {
  if (!pcp_allowed_order(order)) { split_large_buddy(pfn, order, false); return; }
  const mt = get_pageblock_migratetype(pfn);
  if (mt == MIGRATE_ISOLATE) {
    store_page_word(pfn, PAGE_WORD_FREE); // __free_pages() left a cached order's head to the list that takes it
    split_large_buddy(pfn, order, false);
    return;
  }
  const z = page_zone(pfn);
  free_frozen_page_commit(z, this_cpu_pcp(z), pfn, order, order_to_pindex(pcp_free_migratetype(mt), order));
}

// mm/page_alloc.c: __free_pages() -> __free_frozen_pages(); the caller checked the head. Below FILL_MIN_ORDER
// (every order the per-cpu lists cache but THP's) the head's word is left to the list that takes the block:
// pcp_list_add() writes it whole, and the buddy branch clears it first (free_to_pcp_or_buddy()).
@inline export function __free_pages(pfn: u32, order: u32): void {
  if (order < FILL_MIN_ORDER) {
    // the tails (order 0 has none: the test keeps the loop out of its copy, as in prep_new_page())
    if (order != 0) {
      const n: u32 = <u32>1 << order;
      for (let i: u32 = 1; i < n; i++) store_page_word(pfn + i, PAGE_WORD_FREE);
    }
  } else {
    // PAGE_WORD_FREE in every word; the links keep what they hold
    memory.fill(word_at(pfn), 0, <usize>4 << order);
    store_boundary_words(pfn, <u32>1 << order, PAGE_WORD_FREE);
  }
  free_to_pcp_or_buddy(pfn, order);
}


/** A movable folio from the writeback area (ZONE_MOVABLE) only, for nocopy-wb-area. NONE when it is full. */
export function alloc_pages_wb_area(order: u32): u32 {
  if (!movable_zone_is_wb_area || !populated_zone(ZONE_MOVABLE)) return NONE;
  zone_floor = <i32>ZONE_MOVABLE;
  movable_zone_is_wb_area = false;
  const page = __alloc_pages(__GFP_MOVABLE | GFP_LRU, order);
  movable_zone_is_wb_area = true;
  zone_floor = 0;
  return page;
}
