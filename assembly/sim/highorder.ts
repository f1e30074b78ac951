// Periodic high-order allocation attempts: THP faults (order 9, movable, the costly slow path: async compaction,
// direct reclaim, sync-light compaction)
// and contiguous ranges via alloc_contig_range (CMA-like, gigantic pages), each held for a while.
import { NONE, MAX_PAGE_ORDER, GFP_TRANSHUGE, ZONE_MOVABLE, ZONE_NORMAL } from "../mm/constants";
import { set_page_next, set_page_prev, page_flags, PG_folio_writeback } from "../mm/page";
import { __free_pages } from "../mm/page_alloc";
import { populated_zone } from "../mm/zone";
import { alloc_pages_may_reclaim } from "../mm/direct_compact";
import {
  alloc_contig_pages, alloc_contig_range, free_contig_range, contig_slot, contig_wait_pfn, contig_wait_start,
  contig_wait_zone, CONTIG_OK, CONTIG_WAIT,
} from "../mm/contig";
import { OWNER_ANON, ANON_THP, anon_slot_alloc, anon_slot_free, anon_pfn, anon_order, anon_kind } from "../mm/anon";
import { now, schedule } from "./clock";
import { w, g, WL_KIND, WL_ORDER, WL_RATE_OR_INTERVAL, WL_LIFETIME_OR_HOLD, WL_THP, MAX_WL, CFG_POLICY, POLICY_NOCOPY_WB_AREA } from "./config";
import {
  st_add, THP_ATTEMPTS, THP_SUCCESS, CONTIG_ATTEMPTS, CONTIG_SUCCESS, CONTIG_HANGS, CONTIG_WAIT_NS, THP_FAULT_ALLOC,
  THP_FAULT_FALLBACK,
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
export function highorder_reset(): void { for (let i = 0; i < MAX_WL; i++) { unchecked(waiting[i] = false); } }

function hold(i: u32, slot: u32): void {
  const h = <u64>w(i, WL_LIFETIME_OR_HOLD);
  if (h > 0) schedule(now + h, EV_HIGHORDER_FREE, slot);
}

/** A THP fault: do_huge_pmd_anonymous_page()'s allocation, counted as thp_fault_alloc or thp_fault_fallback;
 *  the THP is anon, kept by the caller. Returns its PFN or NONE. */
export function thp_fault(order: u32): u32 {
  st_add(THP_ATTEMPTS, 1);
  // vma_thp_gfp_mask() of a MADV_HUGEPAGE region under defrag=madvise is GFP_TRANSHUGE (direct reclaim and
  // compaction, kswapd not woken)
  const pfn = alloc_pages_may_reclaim(GFP_TRANSHUGE, order);
  if (pfn == NONE) { st_add(THP_FAULT_FALLBACK, 1); return NONE; }
  st_add(THP_SUCCESS, 1);
  st_add(THP_FAULT_ALLOC, 1);
  const slot = anon_slot_alloc(pfn, order, ANON_THP);
  const n: u32 = <u32>1 << order;
  for (let k: u32 = 0; k < n; k++) { set_page_next(pfn + k, OWNER_ANON); set_page_prev(pfn + k, slot); }
  last_thp_slot = slot;
  return pfn;
}
let last_thp_slot: u32 = NONE;

/** EV_HIGHORDER for workload i: one attempt (or the next poll of a MIGRATE_SYNC wait). */
export function highorder_attempt(i: u32): void {
  const kind = <u32>w(i, WL_KIND), order = <u32>w(i, WL_ORDER);
  const interval = <u64>w(i, WL_RATE_OR_INTERVAL);
  if (kind == WL_THP) {
    if (thp_fault(order) != NONE) hold(i, last_thp_slot);
    schedule(now + interval, EV_HIGHORDER, i);
    return;
  }
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
    r = alloc_contig_range(unchecked(wait_start[i]), order, unchecked(wait_zone[i]));
  } else {
    st_add(CONTIG_ATTEMPTS, 1);
    // the writeback area of nocopy-wb-area is not a place to look for contiguous memory: that is its point
    const top = populated_zone(ZONE_MOVABLE) && <u32>g(CFG_POLICY) != POLICY_NOCOPY_WB_AREA ? ZONE_MOVABLE : ZONE_NORMAL;
    r = alloc_contig_pages(order, top);
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

function free_chunk(pfn: u32, order: u32): void { __free_pages(pfn, order); }

/** EV_HIGHORDER_FREE: the hold time is over. */
export function highorder_free(slot: u32): void {
  const pfn = anon_pfn(slot);
  if (pfn == NONE) return;
  const order = anon_order(slot);
  if (anon_kind(slot) == ANON_THP || order <= MAX_PAGE_ORDER) __free_pages(pfn, order);
  else free_contig_range(pfn, order, free_chunk);
  anon_slot_free(slot);
}

/** At the end of the run: waits still going are hangs (a MIGRATE_SYNC wait that never ended). */
export function highorder_finish(): void {
  for (let i = 0; i < MAX_WL; i++) if (unchecked(waiting[i])) { st_add(CONTIG_HANGS, 1); st_add(CONTIG_WAIT_NS, <i64>(now - unchecked(waiting_since[i]))); unchecked(waiting[i] = false); }
}
