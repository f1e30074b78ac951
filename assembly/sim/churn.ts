// Background memory churn beside the writers: anon-like movable allocations (on the LRU, migratable) and
// slab-like unmovable or reclaimable ones, at a rate, each freed after an exponential lifetime.
import { NONE, GFP_LRU, __GFP_MOVABLE, __GFP_RECLAIMABLE } from "../mm/constants";
import { set_page_next, set_page_prev } from "../mm/page";
import { __free_pages } from "../mm/page_alloc";
import { alloc_pages_may_reclaim } from "../mm/direct_compact";
import { OWNER_ANON, ANON_CHURN, anon_slot_alloc, anon_slot_free, anon_pfn, anon_order } from "../mm/anon";
import { now, schedule } from "./clock";
import { sample, DIST_EXPONENTIAL } from "./prng";
import { w, WL_KIND, WL_ORDER, WL_RATE_OR_INTERVAL, WL_LIFETIME_OR_HOLD, WL_CHURN_MOVABLE, WL_CHURN_RECLAIMABLE } from "./config";
import { st_add, CHURN_ALLOCS, CHURN_ALLOC_FAILS } from "../fs/stats";

export const EV_CHURN_ALLOC: u32 = 30;
export const EV_CHURN_FREE: u32 = 31;

function churn_gfp(kind: u32): u32 {
  if (kind == WL_CHURN_MOVABLE) return __GFP_MOVABLE | GFP_LRU;
  if (kind == WL_CHURN_RECLAIMABLE) return __GFP_RECLAIMABLE;
  return 0;
}

/** EV_CHURN_ALLOC for workload i: one allocation, with the slow path's direct reclaim (and compaction for
 *  order > 0) when memory is short. */
export function churn_alloc(i: u32): void {
  const kind = <u32>w(i, WL_KIND), order = <u32>w(i, WL_ORDER);
  const pfn = alloc_pages_may_reclaim(churn_gfp(kind), order);
  if (pfn == NONE) st_add(CHURN_ALLOC_FAILS, 1);
  else {
    st_add(CHURN_ALLOCS, 1);
    const slot = anon_slot_alloc(pfn, order, ANON_CHURN);
    const n: u32 = <u32>1 << order;
    for (let k: u32 = 0; k < n; k++) { set_page_next(pfn + k, OWNER_ANON); set_page_prev(pfn + k, slot); }
    schedule(now + <u64>sample(DIST_EXPONENTIAL, w(i, WL_LIFETIME_OR_HOLD), 0), EV_CHURN_FREE, slot);
  }
  const rate = w(i, WL_RATE_OR_INTERVAL);
  if (rate > 0) schedule(now + <u64>sample(DIST_EXPONENTIAL, 1e9 / rate, 0), EV_CHURN_ALLOC, i);
}

/** EV_CHURN_FREE: the allocation's lifetime is over (it may have migrated since: the slot knows where). */
export function churn_free(slot: u32): void {
  const pfn = anon_pfn(slot);
  if (pfn == NONE) return;
  __free_pages(pfn, anon_order(slot));
  anon_slot_free(slot);
}
