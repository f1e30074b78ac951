// mm/vmscan.c (6.1.192 and 6.12.118 alike): reclaim_throttle() for the two reasons a direct reclaimer sleeps on
// here, VMSCAN_THROTTLE_NOPROGRESS (consider_reclaim_throttle(): a sweep of every priority reclaimed nothing) and
// VMSCAN_THROTTLE_CONGESTED (shrink_node() while kswapd has marked the node congested). Each sleep is
// schedule_timeout(1): until the next tick. Kernel threads other than kswapd (the flusher's kworker, kcompactd) and
// user workers only cond_resched(); kswapd itself never throttles for these two reasons. Either reason is skipped
// when kswapd has given up on the node or at most half the file LRU is dirty or under writeback
// (skip_throttle_noprogress()).
// The sleep is the running context's time (sim/charge.ts): what it does after reclaim, and its next step, come that
// much later. kswapd's own VMSCAN_THROTTLE_WRITEBACK sleep is fs/kswapd.ts's. Not modelled: the early wake of
// NOPROGRESS sleepers when another reclaimer reclaims better than one page in eight (consider_reclaim_throttle()),
// cgroup v1's WRITEBACK sleep, and VMSCAN_THROTTLE_ISOLATED (too_many_isolated(): one reclaimer at a time here).
import { MAX_NR_ZONES, MAX_RECLAIM_RETRIES, ZONE_NORMAL } from "../mm/constants";
import { zone_managed_pages, NR_FREE_PAGES, wmark_min } from "../mm/zone";
import { context_now, charge } from "../sim/charge";
import { current_is_user_task } from "../sim/cpus";
import { timer_fire_ns } from "../sim/jiffies";
import { zone_reclaimable_pages } from "./lru";
import {
  st_add, stat_value, NR_FILE_DIRTY, NR_WRITEBACK, RECLAIM_THROTTLE_NOPROGRESS, RECLAIM_THROTTLE_CONGESTED,
  RECLAIM_THROTTLE_NS,
} from "./stats";


export const VMSCAN_THROTTLE_NOPROGRESS: u32 = 0;
export const VMSCAN_THROTTLE_CONGESTED: u32 = 1;

/** The time user tasks have slept here so far in the run (the RECLAIM_THROTTLE_NS count): a caller compares it
 *  before and after an allocation to learn whether, and how long, its reclaim slept (every sleep is longer than 0). */
@inline export function reclaim_slept_ns(): i64 { return stat_value(RECLAIM_THROTTLE_NS); }

// skip_throttle_noprogress(): "If kswapd is disabled, reschedule if necessary but do not throttle as the system is
// likely near OOM", and "If there are a lot of dirty/writeback folios then do not throttle as throttling will occur
// when the folios cycle towards the end of the LRU if still under writeback": 2 * NR_ZONE_WRITE_PENDING (the
// node's NR_FILE_DIRTY + NR_WRITEBACK: a legacy temp page is NR_WRITEBACK_TEMP, not counted) <= the managed zones'
// zone_reclaimable_pages() (fs/lru.ts)
function skip_throttle_noprogress(kswapd_failures: u32): bool {
  if (kswapd_failures >= MAX_RECLAIM_RETRIES) return true;
  let reclaimable: u64 = 0;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) if (zone_managed_pages(z) != 0) reclaimable += zone_reclaimable_pages(z);
  const write_pending = <u64>max<i64>(stat_value(NR_FILE_DIRTY) + stat_value(NR_WRITEBACK), 0);
  return 2 * write_pending <= reclaimable;
}

/** mm/vmscan.c: allow_direct_reclaim() (6.1.192 and 6.12.118 alike): false when the free pages of the zones up to
 *  Normal that have reclaimable pages (zone_reclaimable_pages(): the file LRU here, or the free pages of a zone with
 *  none) are at most half their min watermarks, while kswapd has not given up on the node. throttle_direct_reclaim()
 *  then holds a user task (not a PF_KTHREAD) until kswapd restores them: killable and unbounded with __GFP_FS, up to
 *  HZ without. Not modelled: the model's reclaimer goes on at once; reclaim counts the times it would have waited
 *  (DIRECT_RECLAIM_UNTHROTTLED). */
export function allow_direct_reclaim(kswapd_failures: u32): bool {
  if (kswapd_failures >= MAX_RECLAIM_RETRIES) return true;
  let reserve: u64 = 0, free: u64 = 0;
  for (let z: u32 = 0; z <= ZONE_NORMAL; z++) {
    if (zone_managed_pages(z) == 0 || zone_reclaimable_pages(z) == 0) continue;
    reserve += <u64>unchecked(wmark_min[z]);
    free += <u64>max<i32>(unchecked(NR_FREE_PAGES[z]), 0);
  }
  // "If there are no reserves (unexpected config) then do not throttle"
  return reserve == 0 || free > reserve / 2;
}

/** reclaim_throttle(pgdat, reason) for NOPROGRESS or CONGESTED, from a direct reclaimer (kswapd's callers never
 *  ask for these). */
export function reclaim_throttle(reason: u32, kswapd_failures: u32): void {
  // "Do not throttle user workers, kthreads other than kswapd or workqueues": cond_resched() only
  if (!current_is_user_task()) return;
  if (skip_throttle_noprogress(kswapd_failures)) return;
  // timeout = 1: schedule_timeout(1), which the timer wheel ends at the second tick from now (timer_fire_ns())
  const t = context_now();
  const slept = timer_fire_ns(t, 1) - t;
  charge(<f64>slept);
  st_add(reason == VMSCAN_THROTTLE_NOPROGRESS ? RECLAIM_THROTTLE_NOPROGRESS : RECLAIM_THROTTLE_CONGESTED, 1);
  st_add(RECLAIM_THROTTLE_NS, <i64>slept);
}
