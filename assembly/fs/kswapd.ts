// kswapd (mm/vmscan.c, 6.15): wakeup_kswapd(), kswapd()'s loop, balance_pgdat() with boosted reclaim,
// kswapd_try_to_sleep() and the kcompactd wake-ups. One node, so one kswapd. The simulation runs a kswapd pass
// as one event (EV_KSWAPD), or as several when kswapd sleeps in reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK) inside
// it; kswapd's own CPU time is not charged (it runs on another CPU).
import { MAX_NR_ZONES, pageblock_order, MAX_RECLAIM_RETRIES } from "../mm/constants";
import { populated_zone, zone_managed_pages, wmark_high, watermark_boost, zone_flags, ZONE_RECLAIM_ACTIVE } from "../mm/zone";
import { __zone_watermark_ok } from "../mm/watermark";
import { reset_isolation_suitable, compact_gap } from "../mm/compaction";
import { wakeup_kcompactd } from "../mm/kcompactd";
import {
  kswapd_shrink_node, kswapd_nr_scanned, kswapd_failures, kswapd_failed, SWAP_CLUSTER_MAX, DEF_PRIORITY,
  kswapd_sc_reset, kswapd_cache_trim_restart, kswapd_priority, kswapd_shrink_node_resume,
} from "./reclaim";
import { lru_gen } from "./lru";
import { set_initial_priority } from "./lru_gen_reclaim";
import { clear_pgdat_dirty } from "./scan_control";
import { st_add, PAGEOUTRUN, KSWAPD_THROTTLE_WRITEBACK, KSWAPD_THROTTLE_NS } from "./stats";
import { kswapd_writeback_throttle } from "./reclaim";
import { now } from "../sim/clock";
import { context_now } from "../sim/charge";
import { HZ, timer_fire_ns } from "../sim/jiffies";


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

export function kswapd_init(schedule: () => void, schedule_at: (at: u64, arg: u32) => void): void {
  kswapd_order = 0;
  kswapd_highest_zoneidx = MAX_NR_ZONES;
  prev_highest_zoneidx = MAX_NR_ZONES - 1;
  kswapd_sleeping = true;
  schedule_kswapd = schedule;
  schedule_kswapd_at = schedule_at;
  kswapd_throttled = false;
  kswapd_sleep_gen = 0;
  kswapd_sleep_until = 0;
  bp_after_shrink = false;
  bp_slept = false;
  bp_in_priority_loop = false;
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

// balance_pgdat()'s state, kept across kswapd's sleeps in reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK): the pass
// goes on after each sleep where it stopped
let bp_alloc_order: u32 = 0;
let bp_highest: u32 = 0;
let bp_nr_boost_reclaim: u64 = 0;
let bp_boosted: bool = false;
let bp_sc_order: u32 = 0;
let bp_total_reclaimed: u64 = 0;
let bp_balanced_out: bool = false;
let bp_restart: bool = false;
let bp_in_priority_loop: bool = false;
let bp_priority: i32 = 0;
let bp_raise_priority: bool = false;
let bp_last_nr_to_reclaim: u64 = 0;
let bp_nr_to_reclaim: u64 = 0;
let bp_nr_reclaimed: u64 = 0;
let bp_nr_scanned: u64 = 0;
/** The pass slept inside kswapd_shrink_node(): it goes on with what follows it. */
let bp_after_shrink: bool = false;
/** The pass slept in reclaim_throttle() at least once. */
let bp_slept: bool = false;

// mm/vmscan.c: balance_pgdat(): reclaim until a zone is balanced; with boosted watermarks, reclaim the boost too
// (only while the node is balanced otherwise), then take the boost back and wake kcompactd
function balance_pgdat_begin(order: u32, highest: u32): void {
  st_add(PAGEOUTRUN, 1);
  bp_alloc_order = order;
  bp_highest = highest;
  bp_nr_boost_reclaim = 0;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    unchecked(zone_boosts[z] = 0);
    if (!populated_zone(z) || z > highest) continue;
    bp_nr_boost_reclaim += <u64>unchecked(watermark_boost[z]);
    unchecked(zone_boosts[z] = unchecked(watermark_boost[z]));
  }
  bp_boosted = bp_nr_boost_reclaim != 0;
  bp_sc_order = order;
  bp_total_reclaimed = 0;
  bp_balanced_out = false;
  bp_restart = true;
  bp_in_priority_loop = false;
  bp_after_shrink = false;
  bp_slept = false;
  bp_last_nr_to_reclaim = 0;
  kswapd_sc_reset();
}

/** balance_pgdat() from where it stands: true when the pass is over (bp_sc_order is its sc.order), false when
 *  kswapd went to sleep in reclaim_throttle() inside kswapd_shrink_node(). */
function balance_pgdat_continue(): bool {
  const highest = bp_highest;
  while (true) {
    if (!bp_in_priority_loop) {
      if (!bp_restart) break;
      bp_restart = false;
      set_reclaim_active(highest, true);
      bp_priority = DEF_PRIORITY;
      bp_in_priority_loop = true;
    }
    while (bp_priority >= 1) {
      if (bp_after_shrink) {
        // awake: kswapd_shrink_node()'s shrink_node() goes on after its sleep (the congestion mark, more rounds)
        bp_after_shrink = false;
        bp_nr_reclaimed = kswapd_shrink_node_resume();
        bp_priority = kswapd_priority();
        bp_nr_scanned = kswapd_nr_scanned();
        if (kswapd_writeback_throttle) { bp_after_shrink = true; return false; }
      } else {
        bp_raise_priority = true;
        const balanced = pgdat_balanced(bp_sc_order, highest);
        // an imbalanced node ignores the boost and does ordinary reclaim
        if (!balanced && bp_nr_boost_reclaim != 0) { bp_nr_boost_reclaim = 0; bp_restart = true; break; }
        if (bp_nr_boost_reclaim == 0 && balanced) { bp_balanced_out = true; break; }
        if (bp_nr_boost_reclaim != 0 && bp_priority == DEF_PRIORITY - 2) bp_raise_priority = false;
        // kswapd_age_node(): with MGLRU, lru_gen_age_node() -> set_initial_priority(), from the nr_to_reclaim the last
        // kswapd_shrink_node() left in the scan_control (none before the first); the classic lists age anon only
        if (lru_gen) bp_priority = set_initial_priority(bp_priority, bp_last_nr_to_reclaim);
        // "Do not writeback or swap pages for boosted reclaim", unless reclaim is in trouble
        const may_writepage = bp_nr_boost_reclaim == 0 || bp_priority < DEF_PRIORITY - 2;
        // kswapd_shrink_node(): sum over the eligible zones of max(high_wmark_pages, SWAP_CLUSTER_MAX)
        let nr_to_reclaim: u64 = 0;
        for (let z: u32 = 0; z <= highest; z++)
          if (populated_zone(z)) nr_to_reclaim += max<u64>(<u64>unchecked(wmark_high[z]) + <u64>unchecked(watermark_boost[z]), SWAP_CLUSTER_MAX);
        bp_nr_to_reclaim = nr_to_reclaim;
        bp_last_nr_to_reclaim = nr_to_reclaim;
        bp_nr_reclaimed = kswapd_shrink_node(bp_priority, bp_sc_order, nr_to_reclaim, highest, may_writepage);
        bp_priority = kswapd_priority();
        bp_nr_scanned = kswapd_nr_scanned();
        // shrink_node(): "If kswapd scans pages marked for immediate reclaim and under writeback (nr_immediate), it
        // implies that pages are cycling through the LRU faster than they are written so forcibly stall until some
        // pages complete writeback"
        if (kswapd_writeback_throttle) { bp_after_shrink = true; return false; }
      }
      bp_total_reclaimed += bp_nr_reclaimed;
      // fragmentation may keep a high-order request unbalanced: after a compaction gap, check at order 0
      if (bp_sc_order != 0 && bp_total_reclaimed >= compact_gap(bp_sc_order)) bp_sc_order = 0;
      // "There should be no need to raise the scanning priority if enough pages are already being scanned"
      if (bp_nr_scanned >= bp_nr_to_reclaim) bp_raise_priority = false;
      bp_nr_boost_reclaim -= min(bp_nr_boost_reclaim, bp_nr_reclaimed);
      // boosted reclaim that makes no progress stops: no writeback is issued for it
      if (bp_nr_boost_reclaim != 0 && bp_nr_reclaimed == 0) break;
      if (bp_raise_priority || bp_nr_reclaimed == 0) bp_priority--;
    }
    bp_in_priority_loop = false;
    if (bp_balanced_out || bp_restart) continue; // goto out / goto restart (the boost dropped)
    // 6.12+: "Restart only if it went through the priority loop all the way, but cache_trim_mode didn't work."
    if (bp_total_reclaimed == 0 && bp_priority < 1 && kswapd_cache_trim_restart()) bp_restart = true;
  }
  // 6.1 and 6.12 count every run that ended unbalanced without reclaiming, boosted or not (7.2.13 leaves boosted
  // runs out: not modelled)
  if (!bp_balanced_out && bp_total_reclaimed == 0) kswapd_failed();
  set_reclaim_active(highest, false); // out: clear_reclaim_active()
  if (bp_boosted) {
    for (let z: u32 = 0; z <= highest; z++) {
      const b = unchecked(zone_boosts[z]);
      if (b == 0) continue;
      unchecked(watermark_boost[z] -= min(unchecked(watermark_boost[z]), b));
    }
    // "As there is now likely space, wakeup kcompact to defragment pageblocks."
    wakeup_kcompactd(pageblock_order, highest);
  }
  return true;
}

// mm/vmscan.c: kswapd_try_to_sleep(): a balanced (or hopeless) node resets the compaction skip hints and wakes
// kcompactd for the order that woke kswapd, then sleeps; the short HZ/10 nap and its premature-wake check are
// folded in. A node neither balanced nor hopeless sends kswapd() straight back to balance_pgdat(): here at once
// after a pass that slept in reclaim_throttle() (time passed, as in the kernel's loop); after a pass that did not,
// kswapd waits for the next wake-up instead, because kswapd's passes cost no time in the model (it runs on a CPU of
// its own, not charged) and its loop would run every failing pass up to MAX_RECLAIM_RETRIES at one instant.
function kswapd_try_to_sleep(alloc_order: u32, reclaim_order: u32, highest: u32): void {
  // prepare_kswapd_sleep(): "Hopeless node, leave it to direct reclaim" comes first and keeps the node's congestion
  // flags; a balanced node clears them (clear_pgdat_congested())
  const hopeless = kswapd_failures >= MAX_RECLAIM_RETRIES;
  const balanced = !hopeless && pgdat_balanced(reclaim_order, highest);
  if (balanced) clear_pgdat_dirty();
  if (hopeless || balanced) {
    reset_isolation_suitable();
    wakeup_kcompactd(alloc_order, highest);
  } else if (bp_slept) {
    schedule_kswapd_at(now, 0); // kswapd() loops: the next pass reads kswapd_order and the zone index anew
    return;
  }
  kswapd_sleeping = true;
}

/** The EV_KSWAPD event: kswapd()'s loop from a wake-up to its next sleep (arg 0), or the end of its sleep in
 *  reclaim_throttle() (arg: that sleep's number; an older one's timer is stale). */
export function kswapd_run(arg: u32 = 0): void {
  if (arg != 0) {
    if (!kswapd_throttled || arg != kswapd_sleep_gen) return;
    kswapd_throttled = false;
    st_add(KSWAPD_THROTTLE_NS, <i64>(now - kswapd_sleep_start));
  } else {
    if (kswapd_throttled) return; // asleep inside a pass: the pass goes on when it wakes
    const alloc_order = kswapd_order;
    const highest = kswapd_highest_zoneidx == MAX_NR_ZONES ? prev_highest_zoneidx : kswapd_highest_zoneidx;
    prev_highest_zoneidx = highest;
    kswapd_order = 0;
    kswapd_highest_zoneidx = MAX_NR_ZONES;
    balance_pgdat_begin(alloc_order, highest);
  }
  if (!balance_pgdat_continue()) { kswapd_throttle_writeback(); return; }
  const alloc_order = bp_alloc_order, highest = bp_highest, reclaim_order = bp_sc_order;
  // reclaim_order < alloc_order: sleep for the order reclaimed, kcompactd for the one asked for; otherwise
  // kswapd() rereads kswapd_order (0 unless woken again meanwhile) before it tries to sleep
  if (reclaim_order < alloc_order) kswapd_try_to_sleep(alloc_order, reclaim_order, highest);
  else {
    const again = kswapd_order;
    kswapd_try_to_sleep(again, again, highest);
  }
}

// mm/vmscan.c: reclaim_throttle(pgdat, VMSCAN_THROTTLE_WRITEBACK) for kswapd: a sleep of HZ/10 ("These figures are
// pulled out of thin air"), or until more than SWAP_CLUSTER_MAX pages per throttled task have finished writeback
// since it began (__acct_reclaim_writeback(), from folio_end_writeback()); kswapd is the only task that sleeps here
// (a direct reclaimer does only under cgroup v1, which the model does not have)
/** kswapd sleeps in reclaim_throttle(): the pass stands still until the timer or the writeback wakes it. */
export let kswapd_throttled: bool = false;
/** The number of kswapd's current (or last) sleep: its timer event carries it. */
let kswapd_sleep_gen: u32 = 0;
let kswapd_sleep_start: u64 = 0;
/** When the sleep's timeout ends it. */
export let kswapd_sleep_until: u64 = 0;
/** Pages whose writeback ended since the sleep began (NR_THROTTLED_WRITTEN less nr_reclaim_start). */
let kswapd_throttled_written: u64 = 0;
/** The writeback woke kswapd before its timer: its wake-up event is queued. */
let kswapd_woken: bool = false;
/** Schedules EV_KSWAPD at a time with an argument (the simulation's event queue, set by sim/run.ts). */
let schedule_kswapd_at: (at: u64, arg: u32) => void = nothing_at;
function nothing_at(at: u64, arg: u32): void {}

function kswapd_throttle_writeback(): void {
  kswapd_throttled = true;
  bp_slept = true;
  kswapd_sleep_gen++;
  kswapd_sleep_start = now;
  kswapd_throttled_written = 0;
  kswapd_woken = false;
  kswapd_sleep_until = timer_fire_ns(now, HZ / 10);
  st_add(KSWAPD_THROTTLE_WRITEBACK, 1);
  schedule_kswapd_at(kswapd_sleep_until, kswapd_sleep_gen);
}

/** mm/internal.h: acct_reclaim_writeback(): a folio of nr pages finished writeback; only while a task sleeps in
 *  reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK) (here: kswapd) does __acct_reclaim_writeback() count it. */
@inline export function acct_reclaim_writeback(nr: u32): void { if (kswapd_throttled) __acct_reclaim_writeback(nr); }

/** mm/vmscan.c: __acct_reclaim_writeback(): more than SWAP_CLUSTER_MAX pages per throttled task wake it. */
function __acct_reclaim_writeback(nr: u32): void {
  if (kswapd_woken) return;
  kswapd_throttled_written += nr;
  if (kswapd_throttled_written <= <u64>SWAP_CLUSTER_MAX) return;
  kswapd_woken = true;
  // wake_up() from the context that ended the folio's writeback, at its own time in its event
  kswapd_sleep_until = context_now();
  kswapd_sleep_gen++; // the timer's event is stale from here
  schedule_kswapd_at(kswapd_sleep_until, kswapd_sleep_gen);
}

/** Is kswapd asleep inside a pass? */
export function kswapd_is_throttled(): bool { return kswapd_throttled; }
/** The argument of the event that ends kswapd's sleep. */
export function kswapd_sleep_number(): u32 { return kswapd_sleep_gen; }
