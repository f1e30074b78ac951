// Background memory churn beside the writers: anon-like movable allocations (on the LRU, migratable) and
// slab-like unmovable or reclaimable ones, at a rate, each freed after an exponential lifetime.
import { NONE, GFP_LRU, __GFP_MOVABLE, __GFP_RECLAIMABLE, PAGE_ALLOC_COSTLY_ORDER } from "../mm/constants";
import { set_page_next, set_page_prev } from "../mm/page";
import { __free_pages } from "../mm/page_alloc";
import { OWNER_ANON, ANON_CHURN, anon_slot_alloc, anon_slot_free, anon_pfn, anon_order, anon_owner, anon_reap } from "../mm/anon";
import { alloc_pages_oom_round, slowpath_next_round, oom_progress, OOM_CTX_CHURN } from "./oom";
import { now, schedule } from "./clock";
import { charge_reset } from "./charge";
import { sample, DIST_EXPONENTIAL } from "./prng";
import { wl_param, WL_KIND, WL_ORDER, WL_RATE_OR_INTERVAL, WL_LIFETIME_OR_HOLD, WL_CHURN_MOVABLE, WL_CHURN_RECLAIMABLE, MAX_WL } from "./config";
import { st_add, CHURN_ALLOCS, CHURN_ALLOC_FAILS } from "../fs/stats";

export const EV_CHURN_ALLOC: u32 = 30;
export const EV_CHURN_FREE: u32 = 31;

function churn_gfp(kind: u32): u32 {
  if (kind == WL_CHURN_MOVABLE) return __GFP_MOVABLE | GFP_LRU;
  if (kind == WL_CHURN_RECLAIMABLE) return __GFP_RECLAIMABLE;
  return 0;
}

/** Pages each anon churn workload holds now: its process's rss, which oom_badness() weighs. */
const live_pages = new StaticArray<u32>(MAX_WL);
/** The OOM killer killed the workload's process: it allocates no more. */
const killed = new StaticArray<bool>(MAX_WL);
export function churn_reset(): void { for (let i = 0; i < MAX_WL; i++) { unchecked(live_pages[i] = 0); unchecked(killed[i] = false); } }
/** A process the OOM killer may choose: anon churn (slab churn is the kernel's own memory). */
export function churn_is_task(i: u32): bool { return <u32>wl_param(i, WL_KIND) == WL_CHURN_MOVABLE && !unchecked(killed[i]); }
export function churn_rss(i: u32): u32 { return unchecked(live_pages[i]); }
/** The OOM killer kills workload i: its anon memory goes back at once (the OOM reaper), and it stops. */
export function churn_oom_kill(i: u32): void {
  unchecked(killed[i] = true);
  anon_reap(ANON_CHURN, i, free_pages);
  unchecked(live_pages[i] = 0);
}
function free_pages(pfn: u32, order: u32): void { __free_pages(pfn, order); }

/** EV_CHURN_ALLOC for workload i: one allocation, with the slow path's direct reclaim (and compaction for
 *  order > 0) when memory is short. One of order <= PAGE_ALLOC_COSTLY_ORDER that still fails counts toward the
 *  OOM killer and is tried again (in the kernel it may not fail: GFP_KERNEL and GFP_HIGHUSER_MOVABLE loop in
 *  __alloc_pages_slowpath() until out_of_memory() frees something); a costly one fails and is dropped
 *  (__alloc_pages_may_oom() does not help costly orders). */
export function churn_alloc(i: u32): void {
  if (unchecked(killed[i])) return;
  const kind = <u32>wl_param(i, WL_KIND), order = <u32>wl_param(i, WL_ORDER);
  const pfn = alloc_pages_oom_round(OOM_CTX_CHURN + i, churn_gfp(kind), order);
  if (unchecked(killed[i])) { if (pfn != NONE) __free_pages(pfn, order); return; } // it chose this very process
  if (pfn == NONE) {
    st_add(CHURN_ALLOC_FAILS, 1);
    if (order <= PAGE_ALLOC_COSTLY_ORDER) {
      // the process is still in this allocation: it tries again
      const at = slowpath_next_round();
      unchecked(next_alloc_at[i] = at);
      schedule(at, EV_CHURN_ALLOC, i);
      return;
    }
  } else {
    st_add(CHURN_ALLOCS, 1);
    oom_progress(OOM_CTX_CHURN + i);
    const slot = anon_slot_alloc(pfn, order, ANON_CHURN, i);
    const n: u32 = <u32>1 << order;
    if (kind == WL_CHURN_MOVABLE) unchecked(live_pages[i] += n);
    for (let k: u32 = 0; k < n; k++) { set_page_next(pfn + k, OWNER_ANON); set_page_prev(pfn + k, slot); }
    schedule(now + <u64>sample(DIST_EXPONENTIAL, wl_param(i, WL_LIFETIME_OR_HOLD), 0), EV_CHURN_FREE, slot);
  }
  // the workload's process allocates again after this allocation returned: its sleeps in reclaim_throttle() (the
  // running context's charge; the allocator charges nothing else) come before the next interarrival time
  const rate = wl_param(i, WL_RATE_OR_INTERVAL);
  const slept = <u64>charge_reset();
  if (rate > 0) {
    const at = now + slept + <u64>sample(DIST_EXPONENTIAL, 1e9 / rate, 0);
    unchecked(next_alloc_at[i] = at);
    schedule(at, EV_CHURN_ALLOC, i);
  }
}
/** When each workload's next allocation was scheduled for (tests). */
const next_alloc_at = new StaticArray<u64>(MAX_WL);
export function churn_next_alloc_at(i: u32): u64 { return unchecked(next_alloc_at[i]); }

/** EV_CHURN_FREE: the allocation's lifetime is over (it may have migrated since: the slot knows where; an OOM kill
 *  may have freed it already). */
export function churn_free(slot: u32): void {
  const pfn = anon_pfn(slot);
  if (pfn != NONE) {
    __free_pages(pfn, anon_order(slot));
    const i = anon_owner(slot);
    if (<u32>wl_param(i, WL_KIND) == WL_CHURN_MOVABLE) unchecked(live_pages[i] -= <u32>1 << anon_order(slot));
  }
  anon_slot_free(slot);
}
