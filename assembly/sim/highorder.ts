// Periodic high-order allocation attempts: THP faults (order 9, movable: a first try on the local node with async
// compaction only, then the costly slow path: async compaction, direct reclaim, sync-light compaction; outside
// MADV_HUGEPAGE the free lists alone)
// and contiguous ranges via alloc_contig_range (CMA-like, gigantic pages), each held for a while.
import { NONE, MAX_PAGE_ORDER, GFP_TRANSHUGE, GFP_TRANSHUGE_LIGHT, ZONE_MOVABLE, ZONE_NORMAL, pageblock_order, __GFP_MOVABLE, GFP_LRU } from "../mm/constants";
import { set_page_next, set_page_prev, page_flags, PG_folio_writeback } from "../mm/page";
import { __free_pages, __alloc_pages } from "../mm/page_alloc";
import { populated_zone, zone_start, zone_end } from "../mm/zone";
import { alloc_pages_may_reclaim, alloc_pages_thisnode_noretry } from "../mm/direct_compact";
import {
  alloc_contig_pages, alloc_contig_range, free_contig_range, contig_slot, contig_wait_pfn, contig_wait_start,
  contig_wait_zone, contig_range_isolated, CONTIG_OK, CONTIG_WAIT,
} from "../mm/contig";
import { OWNER_ANON, ANON_THP, ANON_PGTABLE, anon_slot_alloc, anon_slot_free, anon_pfn, anon_order, anon_kind, anon_owner, anon_reap } from "../mm/anon";
import { alloc_pages_oom_round, slowpath_next_round, oom_progress, OOM_CTX_CHURN } from "./oom";
import { now, schedule } from "./clock";
import { charge_reset } from "./charge";
import { wl_param, WL_KIND, WL_ORDER, WL_RATE_OR_INTERVAL, WL_LIFETIME_OR_HOLD, WL_THP, WL_THP_NOMADVISE, WL_OFFLINE, MAX_WL } from "./config";
import { wb_area } from "./mechanisms";
import {
  st_add, OFFLINE_ATTEMPTS, OFFLINE_SUCCESS, OFFLINE_WAIT_NS, OFFLINE_HANGS, THP_ATTEMPTS, THP_SUCCESS, CONTIG_ATTEMPTS,
  CONTIG_SUCCESS, CONTIG_HANGS, CONTIG_WAIT_NS, THP_FAULT_ALLOC, THP_FAULT_FALLBACK,
} from "../fs/stats";

export const EV_HIGHORDER: u32 = 32;
export const EV_HIGHORDER_FREE: u32 = 33;
/** MIGRATE_SYNC polls the folio it waits on this often (it sleeps in folio_wait_writeback). */
const WAIT_POLL_NS: u64 = 1_000_000;

// An attempt waiting on writeback keeps its start time, so the wait is measured and a never-ending wait
// is a hang at the end of the run.
const waiting_since = new StaticArray<u64>(MAX_WL);
const waiting = new StaticArray<bool>(MAX_WL);
const wait_pfn = new StaticArray<u32>(MAX_WL);
const wait_start = new StaticArray<u32>(MAX_WL);
const wait_zone = new StaticArray<u32>(MAX_WL);
const next_due = new StaticArray<u64>(MAX_WL);
/** THP pages each THP workload's process holds (its rss), and whether the OOM killer killed it. */
const thp_pages = new StaticArray<u32>(MAX_WL);
const thp_killed = new StaticArray<bool>(MAX_WL);
/** A THP workload's fault that fell back to base pages (VM_FAULT_FALLBACK): the region's pages still to fault. */
const fb_left = new StaticArray<u32>(MAX_WL);
/** The fault (huge or fallen back) still needs its page table. */
const pt_pending = new StaticArray<bool>(MAX_WL);
export function highorder_reset(): void {
  for (let i = 0; i < MAX_WL; i++) {
    unchecked(waiting[i] = false); unchecked(thp_pages[i] = 0); unchecked(thp_killed[i] = false);
    unchecked(fb_left[i] = 0); unchecked(pt_pending[i] = false);
    unchecked(offline_next[i] = 0); unchecked(offline_busy[i] = false); unchecked(offline_isolated[i] = false);
  }
}
/** A THP workload is a process the OOM killer may choose; contiguous ranges are the kernel's (CMA-like, pinned). */
export function highorder_is_task(i: u32): bool {
  const kind = <u32>wl_param(i, WL_KIND);
  return (kind == WL_THP || kind == WL_THP_NOMADVISE) && !unchecked(thp_killed[i]);
}
export function highorder_rss(i: u32): u32 { return unchecked(thp_pages[i]); }
export function highorder_oom_kill(i: u32): void {
  unchecked(thp_killed[i] = true);
  anon_reap(ANON_THP, i, free_thp);
  anon_reap(ANON_PGTABLE, i, free_thp); // exit_mmap() frees the page tables when the killed task exits
  unchecked(thp_pages[i] = 0);
  unchecked(fb_left[i] = 0);
  unchecked(pt_pending[i] = false);
}
function free_thp(pfn: u32, order: u32): void { __free_pages(pfn, order); }

function hold(i: u32, slot: u32): void {
  const h = <u64>wl_param(i, WL_LIFETIME_OR_HOLD);
  if (h > 0) schedule(now + h, EV_HIGHORDER_FREE, slot);
}

/** A THP fault: do_huge_pmd_anonymous_page()'s allocation, counted as thp_fault_alloc or thp_fault_fallback;
 *  the THP is anon, kept by the caller, in the rss of THP workload `owner` (NONE: no workload's). Returns its PFN
 *  or NONE. */
export function thp_fault(order: u32, owner: u32 = NONE, madvised: bool = true): u32 {
  st_add(THP_ATTEMPTS, 1);
  // mm/huge_memory.c: vma_thp_gfp_mask() under defrag=madvise (the default): a MADV_HUGEPAGE region gets
  // GFP_TRANSHUGE (direct reclaim and compaction, kswapd not woken); any other region GFP_TRANSHUGE_LIGHT ("Only do
  // synchronous compaction if madvised"): the free lists at the low, then the min watermark, nothing woken.
  // mm/mempolicy.c alloc_pages_mpol() (CONFIG_NUMA): a PMD-sized fault first tries the local node with
  // __GFP_THISNODE | __GFP_NORETRY, and only a mask with __GFP_DIRECT_RECLAIM tries again with itself
  let pfn: u32;
  if (!madvised) pfn = __alloc_pages(GFP_TRANSHUGE_LIGHT, order);
  else {
    pfn = order == pageblock_order ? alloc_pages_thisnode_noretry(GFP_TRANSHUGE, order) : NONE;
    if (pfn == NONE) pfn = alloc_pages_may_reclaim(GFP_TRANSHUGE, order);
  }
  if (pfn == NONE) { st_add(THP_FAULT_FALLBACK, 1); return NONE; }
  st_add(THP_SUCCESS, 1);
  st_add(THP_FAULT_ALLOC, 1);
  const slot = anon_slot_alloc(pfn, order, ANON_THP, owner);
  const n: u32 = <u32>1 << order;
  if (owner != NONE) unchecked(thp_pages[owner] += n);
  for (let k: u32 = 0; k < n; k++) { set_page_next(pfn + k, OWNER_ANON); set_page_prev(pfn + k, slot); }
  last_thp_slot = slot;
  return pfn;
}
let last_thp_slot: u32 = NONE;

/** GFP_PGTABLE_USER (GFP_KERNEL | __GFP_ACCOUNT | __GFP_ZERO): unmovable. GFP_HIGHUSER_MOVABLE: an anon base page. */
const GFP_PGTABLE_USER: u32 = 0;
const GFP_HIGHUSER_MOVABLE: u32 = __GFP_MOVABLE | GFP_LRU;

/** One order-0 page of THP workload i's process (a page table, or a base page of a region whose THP fault fell
 *  back), held as its THPs are. Neither may fail (order 0, GFP_KERNEL or GFP_HIGHUSER_MOVABLE): one that did not
 *  come after direct reclaim counts toward the OOM killer, and the process tries again after its reclaim's sleeps,
 *  or a jiffy (as a churn workload's allocation does); false then (its next EV_HIGHORDER goes on). */
function workload_page(i: u32, gfp: u32, kind: u32): bool {
  const pfn = alloc_pages_oom_round(OOM_CTX_CHURN + i, gfp, 0);
  if (unchecked(thp_killed[i])) { if (pfn != NONE) __free_pages(pfn, 0); return false; } // it chose this very process
  if (pfn == NONE) { schedule(slowpath_next_round(), EV_HIGHORDER, i); return false; }
  oom_progress(OOM_CTX_CHURN + i);
  const slot = anon_slot_alloc(pfn, 0, kind, i);
  set_page_next(pfn, OWNER_ANON);
  set_page_prev(pfn, slot);
  if (kind == ANON_THP) unchecked(thp_pages[i] += 1);
  hold(i, slot);
  return true;
}

/** EV_HIGHORDER for workload i: one attempt (or the next poll of a MIGRATE_SYNC wait). */
export function highorder_attempt(i: u32): void {
  const kind = <u32>wl_param(i, WL_KIND), order = <u32>wl_param(i, WL_ORDER);
  const interval = <u64>wl_param(i, WL_RATE_OR_INTERVAL);
  if (kind == WL_THP || kind == WL_THP_NOMADVISE) {
    if (unchecked(thp_killed[i])) return;
    if (!unchecked(pt_pending[i]) && unchecked(fb_left[i]) == 0) {
      if (thp_fault(order, i, kind == WL_THP) != NONE) {
        hold(i, last_thp_slot);
        // __do_huge_pmd_anonymous_page(): then pte_alloc_one(), a page table deposited with the huge PMD
        // (pgtable_trans_huge_deposit()) for its life
        if (order == pageblock_order) unchecked(pt_pending[i] = true);
      } else if (order == pageblock_order) {
        // do_huge_pmd_anonymous_page() returns VM_FAULT_FALLBACK: __handle_mm_fault() goes on to handle_pte_fault()
        // -> do_anonymous_page(): a page table (pte_alloc()), then an order-0 page; the process's touches of the
        // rest of the 2 MiB region fault one page each (khugepaged, which might collapse it later, is not modelled)
        unchecked(pt_pending[i] = true);
        unchecked(fb_left[i] = <u32>1 << order);
      }
    }
    if (unchecked(pt_pending[i])) {
      if (!workload_page(i, GFP_PGTABLE_USER, ANON_PGTABLE)) return;
      unchecked(pt_pending[i] = false);
    }
    while (unchecked(fb_left[i]) != 0) {
      if (!workload_page(i, GFP_HIGHUSER_MOVABLE, ANON_THP)) return;
      unchecked(fb_left[i]--);
    }
    // the next fault comes an interval after this one returned, its sleeps in reclaim_throttle() included
    schedule(now + <u64>charge_reset() + interval, EV_HIGHORDER, i);
    return;
  }
  if (kind == WL_OFFLINE) { offline_step(i, order, interval); return; }
  // contig / gigantic: alloc_contig_pages() from the top zone. A MIGRATE_SYNC wait sleeps in
  // folio_wait_writeback() on one folio; only when its writeback ends does the range go on.
  let r: i32;
  if (unchecked(waiting[i])) {
    const p = unchecked(wait_pfn[i]);
    // requests that fall due while the allocating task sleeps are not served: they count as failed attempts
    while (now >= unchecked(next_due[i])) { st_add(CONTIG_ATTEMPTS, 1); unchecked(next_due[i] += interval); }
    if ((page_flags(p) & PG_folio_writeback) != 0) { schedule(now + WAIT_POLL_NS, EV_HIGHORDER, i); return; }
    st_add(CONTIG_WAIT_NS, <i64>(now - unchecked(waiting_since[i])));
    unchecked(waiting[i] = false);
    // awake, its range still isolated: the attempt goes on in that range; if that range then fails,
    // alloc_contig_pages() goes on to the next one and the lower zones, all in the same call
    r = alloc_contig_range(unchecked(wait_start[i]), order, unchecked(wait_zone[i]), false, i, true);
    if (r != CONTIG_OK && r != CONTIG_WAIT) r = alloc_contig_pages(order, unchecked(wait_zone[i]), i, unchecked(wait_start[i]) + (<u32>1 << order));
  } else {
    st_add(CONTIG_ATTEMPTS, 1);
    // the writeback area (nocopy-wb-area) is not a place to look for contiguous memory: that is its point
    const top = populated_zone(ZONE_MOVABLE) && !wb_area ? ZONE_MOVABLE : ZONE_NORMAL;
    r = alloc_contig_pages(order, top, i);
  }
  if (r == CONTIG_WAIT) {
    if (!unchecked(waiting[i])) unchecked(next_due[i] = now + interval);
    unchecked(waiting[i] = true);
    unchecked(waiting_since[i] = now);
    unchecked(wait_pfn[i] = contig_wait_pfn);
    unchecked(wait_start[i] = contig_wait_start);
    unchecked(wait_zone[i] = contig_wait_zone);
    schedule(now + WAIT_POLL_NS, EV_HIGHORDER, i);
    return;
  }
  if (r == CONTIG_OK) { st_add(CONTIG_SUCCESS, 1); hold(i, contig_slot); }
  schedule(now + interval, EV_HIGHORDER, i);
}

// mm/memory_hotplug.c: offline_pages() of one memory block: isolate it, then loop scan_movable_pages() +
// do_migrate_range() (MIGRATE_SYNC: a folio under writeback is waited on) until every page is free; it gives up
// only on a signal, which nothing sends here. Blocks go from the top of the top zone down, one per interval once the
// previous one is offline; an offline block's pages are gone from the machine for the rest of the run.
const offline_next = new StaticArray<u32>(MAX_WL);
const offline_since = new StaticArray<u64>(MAX_WL);
const offline_busy = new StaticArray<bool>(MAX_WL);
/** The block being taken offline is isolated (start_isolate_page_range() succeeded): it stays so until offline. */
const offline_isolated = new StaticArray<bool>(MAX_WL);
const OFFLINE_RETRY_NS: u64 = 1_000_000;

function offline_step(i: u32, order: u32, interval: u64): void {
  const z = populated_zone(ZONE_MOVABLE) ? ZONE_MOVABLE : ZONE_NORMAL;
  const nr: u32 = <u32>1 << order;
  if (!unchecked(offline_busy[i])) {
    // the next block down from the zone's end
    const next = unchecked(offline_next[i]) == 0 ? (unchecked(zone_end[z]) & ~(nr - 1)) : unchecked(offline_next[i]);
    if (next < unchecked(zone_start[z]) + nr) return; // nothing left to offline
    unchecked(offline_next[i] = next - nr);
    unchecked(offline_busy[i] = true);
    unchecked(offline_isolated[i] = false);
    unchecked(offline_since[i] = now);
    st_add(OFFLINE_ATTEMPTS, 1);
  } else if (unchecked(waiting[i])) {
    // asleep in folio_wait_writeback() until the folio's writeback ends
    if ((page_flags(unchecked(wait_pfn[i])) & PG_folio_writeback) != 0) { schedule(now + WAIT_POLL_NS, EV_HIGHORDER, i); return; }
    unchecked(waiting[i] = false);
  }
  const start = unchecked(offline_next[i]);
  // a refused isolation (an unmovable page) is tried again from the start; once isolated, the block stays so
  const r = alloc_contig_range(start, order, z, true, i, unchecked(offline_isolated[i]));
  unchecked(offline_isolated[i] = contig_range_isolated);
  if (r == CONTIG_WAIT) {
    unchecked(waiting[i] = true);
    unchecked(wait_pfn[i] = contig_wait_pfn);
    schedule(now + WAIT_POLL_NS, EV_HIGHORDER, i);
    return;
  }
  if (r != CONTIG_OK) { schedule(now + OFFLINE_RETRY_NS, EV_HIGHORDER, i); return; } // the do { } while (ret) loop
  // offlined: the block's pages stay taken for good
  st_add(OFFLINE_SUCCESS, 1);
  st_add(OFFLINE_WAIT_NS, <i64>(now - unchecked(offline_since[i])));
  unchecked(offline_busy[i] = false);
  schedule(now + interval, EV_HIGHORDER, i);
}

function free_chunk(pfn: u32, order: u32): void { __free_pages(pfn, order); }

/** EV_HIGHORDER_FREE: the hold time is over (an OOM kill may have freed a THP already: then only the slot goes). */
export function highorder_free(slot: u32): void {
  const pfn = anon_pfn(slot);
  if (pfn != NONE) {
    const order = anon_order(slot);
    if (anon_kind(slot) == ANON_THP) {
      __free_pages(pfn, order);
      const owner = anon_owner(slot);
      if (owner != NONE) unchecked(thp_pages[owner] -= <u32>1 << order);
    } else if (order <= MAX_PAGE_ORDER) __free_pages(pfn, order);
    else free_contig_range(pfn, order, free_chunk);
  }
  anon_slot_free(slot);
}

/** At the end of the run: waits still going are hangs (a MIGRATE_SYNC wait that never ended). */
export function highorder_finish(): void {
  for (let i = 0; i < MAX_WL; i++) {
    if (unchecked(offline_busy[i])) {
      st_add(OFFLINE_HANGS, 1);
      st_add(OFFLINE_WAIT_NS, <i64>(now - unchecked(offline_since[i])));
      unchecked(offline_busy[i] = false);
    } else if (unchecked(waiting[i])) {
      st_add(CONTIG_HANGS, 1);
      st_add(CONTIG_WAIT_NS, <i64>(now - unchecked(waiting_since[i])));
    }
    unchecked(waiting[i] = false);
  }
}
