// kswapd (mm/vmscan.c, 6.15): wakeup_kswapd(), kswapd()'s loop, balance_pgdat() with boosted reclaim,
// kswapd_try_to_sleep() and the kcompactd wake-ups. One node, so one kswapd. The simulation runs a kswapd pass
// as one event (EV_KSWAPD); kswapd's own CPU time is not charged (it runs on another CPU).
import { MAX_NR_ZONES, pageblock_order } from "../mm/constants";
import { populated_zone, zone_managed_pages, wmark_high, watermark_boost, zone_flags, ZONE_RECLAIM_ACTIVE } from "../mm/zone";
import { __zone_watermark_ok } from "../mm/watermark";
import { reset_isolation_suitable, compact_gap } from "../mm/compaction";
import { wakeup_kcompactd } from "../mm/kcompactd";
import {
  kswapd_shrink_node, kswapd_nr_scanned, kswapd_failures, kswapd_failed, SWAP_CLUSTER_MAX, DEF_PRIORITY,
  kswapd_sc_reset, kswapd_cache_trim_restart, kswapd_priority,
} from "./reclaim";
import { lru_gen } from "./lru";
import { set_initial_priority } from "./lru_gen_reclaim";
import { clear_pgdat_dirty } from "./scan_control";
import { st_add, PAGEOUTRUN } from "./stats";

/** mm/internal.h: MAX_RECLAIM_RETRIES */
const MAX_RECLAIM_RETRIES: u32 = 16;

/** pgdat->kswapd_order and kswapd_highest_zoneidx (MAX_NR_ZONES: no request since the last read). */
let kswapd_order: u32 = 0;
let kswapd_highest_zoneidx: u32 = MAX_NR_ZONES;
let prev_highest_zoneidx: u32 = MAX_NR_ZONES - 1;
/** waitqueue_active(&pgdat->kswapd_wait): kswapd sleeps and a wake-up has not been scheduled. */
let kswapd_sleeping: bool = true;
/** balance_pgdat()'s zone_boosts[]: each zone's boost when the pass began. */
const zone_boosts = new StaticArray<u32>(<i32>MAX_NR_ZONES);
/** Schedules a kswapd pass (the simulation's event queue, set by sim/run.ts). */
let schedule_kswapd: () => void = nothing;
function nothing(): void {}

export function kswapd_init(schedule: () => void): void {
  kswapd_order = 0;
  kswapd_highest_zoneidx = MAX_NR_ZONES;
  prev_highest_zoneidx = MAX_NR_ZONES - 1;
  kswapd_sleeping = true;
  schedule_kswapd = schedule;
}

/** kswapd_is_running(): awake, or woken and about to run. */
export function kswapd_is_running(): bool { return !kswapd_sleeping; }

// mm/vmscan.c: pgdat_balanced(): some eligible zone meets its high watermark (boost included) at this order
export function pgdat_balanced(order: u32, highest: u32): bool {
  let any = false;
  for (let z: u32 = 0; z <= highest && z < MAX_NR_ZONES; z++) {
    if (!populated_zone(z)) continue;
    any = true;
    const mark = <i64>unchecked(wmark_high[z]) + <i64>unchecked(watermark_boost[z]);
    if (__zone_watermark_ok(z, order, mark, highest, 0)) return true;
  }
  return !any;
}

// mm/vmscan.c: pgdat_watermark_boosted()
function pgdat_watermark_boosted(highest: u32): bool {
  for (let z: u32 = 0; z <= highest && z < MAX_NR_ZONES; z++) if (populated_zone(z) && unchecked(watermark_boost[z]) != 0) return true;
  return false;
}

// mm/vmscan.c: wakeup_kswapd(): record the request; a balanced, unboosted node (or a hopeless one) wakes
// kcompactd instead, and only for a mask without __GFP_DIRECT_RECLAIM
export function wakeup_kswapd(z: u32, direct_reclaim: bool, order: u32, highest: u32): void {
  if (!populated_zone(z)) return;
  if (kswapd_highest_zoneidx == MAX_NR_ZONES || kswapd_highest_zoneidx < highest) kswapd_highest_zoneidx = highest;
  if (kswapd_order < order) kswapd_order = order;
  if (!kswapd_sleeping) return;
  if (kswapd_failures >= MAX_RECLAIM_RETRIES || (pgdat_balanced(order, highest) && !pgdat_watermark_boosted(highest))) {
    if (!direct_reclaim) wakeup_kcompactd(order, highest);
    return;
  }
  kswapd_sleeping = false;
  schedule_kswapd();
}

// mm/vmscan.c: set_reclaim_active() / clear_reclaim_active(): while kswapd reclaims, the eligible managed zones
// carry ZONE_RECLAIM_ACTIVE, which caps what a free leaves on the per-cpu lists (nr_pcp_high())
function set_reclaim_active(highest: u32, on: bool): void {
  for (let z: u32 = 0; z <= highest && z < MAX_NR_ZONES; z++) {
    if (zone_managed_pages(z) == 0) continue;
    if (on) unchecked(zone_flags[z] |= ZONE_RECLAIM_ACTIVE);
    else unchecked(zone_flags[z] &= ~ZONE_RECLAIM_ACTIVE);
  }
}

// mm/vmscan.c: balance_pgdat(): reclaim until a zone is balanced; with boosted watermarks, reclaim the boost too
// (only while the node is balanced otherwise), then take the boost back and wake kcompactd. Returns sc.order.
function balance_pgdat(order: u32, highest: u32): u32 {
  st_add(PAGEOUTRUN, 1);
  let nr_boost_reclaim: u64 = 0;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    unchecked(zone_boosts[z] = 0);
    if (!populated_zone(z) || z > highest) continue;
    nr_boost_reclaim += <u64>unchecked(watermark_boost[z]);
    unchecked(zone_boosts[z] = unchecked(watermark_boost[z]));
  }
  const boosted = nr_boost_reclaim != 0;
  let sc_order = order;
  let total_reclaimed: u64 = 0;
  let balanced_out = false;
  let restart = true;
  let last_nr_to_reclaim: u64 = 0;
  kswapd_sc_reset();
  while (restart) {
    restart = false;
    set_reclaim_active(highest, true);
    let priority = DEF_PRIORITY;
    while (priority >= 1) {
      let raise_priority = true;
      const balanced = pgdat_balanced(sc_order, highest);
      // an imbalanced node ignores the boost and does ordinary reclaim
      if (!balanced && nr_boost_reclaim != 0) { nr_boost_reclaim = 0; restart = true; break; }
      if (nr_boost_reclaim == 0 && balanced) { balanced_out = true; break; }
      if (nr_boost_reclaim != 0 && priority == DEF_PRIORITY - 2) raise_priority = false;
      // kswapd_age_node(): with MGLRU, lru_gen_age_node() -> set_initial_priority(), from the nr_to_reclaim the last
      // kswapd_shrink_node() left in the scan_control (none before the first); the classic lists age anon only
      if (lru_gen) priority = set_initial_priority(priority, last_nr_to_reclaim);
      // "Do not writeback or swap pages for boosted reclaim", unless reclaim is in trouble
      const may_writepage = nr_boost_reclaim == 0 || priority < DEF_PRIORITY - 2;
      // kswapd_shrink_node(): sum over the eligible zones of max(high_wmark_pages, SWAP_CLUSTER_MAX)
      let nr_to_reclaim: u64 = 0;
      for (let z: u32 = 0; z <= highest; z++)
        if (populated_zone(z)) nr_to_reclaim += max<u64>(<u64>unchecked(wmark_high[z]) + <u64>unchecked(watermark_boost[z]), SWAP_CLUSTER_MAX);
      last_nr_to_reclaim = nr_to_reclaim;
      const nr_reclaimed = kswapd_shrink_node(priority, sc_order, nr_to_reclaim, highest, may_writepage);
      priority = kswapd_priority();
      total_reclaimed += nr_reclaimed;
      // fragmentation may keep a high-order request unbalanced: after a compaction gap, check at order 0
      if (sc_order != 0 && total_reclaimed >= compact_gap(sc_order)) sc_order = 0;
      // "There should be no need to raise the scanning priority if enough pages are already being scanned"
      if (kswapd_nr_scanned() >= nr_to_reclaim) raise_priority = false;
      nr_boost_reclaim -= min(nr_boost_reclaim, nr_reclaimed);
      // boosted reclaim that makes no progress stops: no writeback is issued for it
      if (nr_boost_reclaim != 0 && nr_reclaimed == 0) break;
      if (raise_priority || nr_reclaimed == 0) priority--;
    }
    if (balanced_out || restart) continue; // goto out / goto restart (the boost dropped)
    // 6.12+: "Restart only if it went through the priority loop all the way, but cache_trim_mode didn't work."
    if (total_reclaimed == 0 && priority < 1 && kswapd_cache_trim_restart()) restart = true;
  }
  // 6.1 and 6.12 count every run that ended unbalanced without reclaiming, boosted or not (7.2.13 leaves boosted
  // runs out: not modelled)
  if (!balanced_out && total_reclaimed == 0) kswapd_failed();
  set_reclaim_active(highest, false); // out: clear_reclaim_active()
  if (boosted) {
    for (let z: u32 = 0; z <= highest; z++) {
      const b = unchecked(zone_boosts[z]);
      if (b == 0) continue;
      unchecked(watermark_boost[z] -= min(unchecked(watermark_boost[z]), b));
    }
    // "As there is now likely space, wakeup kcompact to defragment pageblocks."
    wakeup_kcompactd(pageblock_order, highest);
  }
  return sc_order;
}

// mm/vmscan.c: kswapd_try_to_sleep(): a balanced node resets the compaction skip hints and wakes kcompactd for
// the order that woke kswapd, then sleeps. The short HZ/10 nap and its premature-wake check are folded in: a
// node not balanced here leaves kswapd to the next wake-up instead of looping (the simulation has no CPU time
// for kswapd, so its busy loop would be events without cost).
function kswapd_try_to_sleep(alloc_order: u32, reclaim_order: u32, highest: u32): void {
  // prepare_kswapd_sleep(): a balanced node clears PGDAT_DIRTY (clear_pgdat_congested())
  const balanced = pgdat_balanced(reclaim_order, highest);
  if (balanced) clear_pgdat_dirty();
  if (kswapd_failures >= MAX_RECLAIM_RETRIES || balanced) {
    reset_isolation_suitable();
    wakeup_kcompactd(alloc_order, highest);
  }
  kswapd_sleeping = true;
}

/** The EV_KSWAPD pass: kswapd()'s loop from a wake-up to its next sleep. */
export function kswapd_run(): void {
  const alloc_order = kswapd_order;
  const highest = kswapd_highest_zoneidx == MAX_NR_ZONES ? prev_highest_zoneidx : kswapd_highest_zoneidx;
  prev_highest_zoneidx = highest;
  kswapd_order = 0;
  kswapd_highest_zoneidx = MAX_NR_ZONES;
  const reclaim_order = balance_pgdat(alloc_order, highest);
  // reclaim_order < alloc_order: sleep for the order reclaimed, kcompactd for the one asked for; otherwise
  // kswapd() rereads kswapd_order (0 unless woken again meanwhile) before it tries to sleep
  if (reclaim_order < alloc_order) kswapd_try_to_sleep(alloc_order, reclaim_order, highest);
  else {
    const again = kswapd_order;
    kswapd_try_to_sleep(again, again, highest);
  }
}
