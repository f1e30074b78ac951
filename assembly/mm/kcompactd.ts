// kcompactd (mm/compaction.c, 6.15): woken by kswapd (wakeup_kcompactd() after boosted reclaim and when it
// goes to sleep) for an order, it compacts each zone with MIGRATE_SYNC_LIGHT until a page of that order is
// free (kcompactd_do_work()); with vm.compaction_proactiveness > 0 it also wakes every
// HPAGE_FRAG_CHECK_INTERVAL_MSEC and compacts whole zones while the node's fragmentation score is above the
// proactiveness watermark (proactive compaction, compact_node()). The simulation runs kcompactd's work as events
// (sim/run.ts); its CPU time is not charged (it runs on another CPU).
import { MAX_NR_ZONES, ALLOC_WMARK_MIN } from "./constants";
import { populated_zone } from "./zone";
import { drain_all_pages_zone } from "./pcp";
import { MIGRATE_SYNC_LIGHT } from "./migrate";
import { cc, cc_start } from "./compact_control";
import {
  compact_zone, compaction_deferred, compaction_defer_reset, defer_compaction, compaction_suit_allocation_order,
  fragmentation_score_node, fragmentation_score_wmark, COMPACT_CONTINUE, COMPACT_SUCCESS, COMPACT_COMPLETE,
  COMPACT_PARTIAL_SKIPPED,
} from "./compaction";
import { kswapd_is_running } from "../fs/kswapd";
import { st_add, COMPACT_DAEMON_WAKE, COMPACT_DAEMON_MIGRATE_SCANNED, COMPACT_DAEMON_FREE_SCANNED } from "../fs/stats";
import { param, CFG_COMPACTION_PROACTIVENESS } from "../sim/config";

/** mm/compaction.c: HPAGE_FRAG_CHECK_INTERVAL_MSEC, in ns */
export const HPAGE_FRAG_CHECK_INTERVAL_NS: u64 = 500_000_000;
const COMPACT_MAX_DEFER_SHIFT: u64 = 6;

/** pgdat->kcompactd_max_order and kcompactd_highest_zoneidx */
let kcompactd_max_order: u32 = 0;
let kcompactd_highest_zoneidx: u32 = MAX_NR_ZONES - 1;
/** wq_has_sleeper(&pgdat->kcompactd_wait): kcompactd sleeps and no wake-up is scheduled. */
let kcompactd_sleeping: bool = true;
let schedule_kcompactd: () => void = nothing;
function nothing(): void {}

/** pgdat->nr_zones - 1: the highest populated zone */
function top_zone(): u32 {
  let top: u32 = 0;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) if (populated_zone(z)) top = z;
  return top;
}

export function kcompactd_init(schedule: () => void): void {
  kcompactd_max_order = 0;
  kcompactd_highest_zoneidx = top_zone();
  kcompactd_sleeping = true;
  schedule_kcompactd = schedule;
}

// mm/compaction.c: kcompactd_node_suitable(): some zone where compaction for the order could help
function kcompactd_node_suitable(): bool {
  const highest = kcompactd_highest_zoneidx;
  for (let z: u32 = 0; z <= highest; z++) {
    if (!populated_zone(z)) continue;
    if (compaction_suit_allocation_order(z, kcompactd_max_order, highest, ALLOC_WMARK_MIN, false) == COMPACT_CONTINUE) return true;
  }
  return false;
}

// mm/compaction.c: wakeup_kcompactd()
export function wakeup_kcompactd(order: u32, highest: u32): void {
  if (order == 0) return;
  if (kcompactd_max_order < order) kcompactd_max_order = order;
  if (kcompactd_highest_zoneidx > highest) kcompactd_highest_zoneidx = highest;
  if (!kcompactd_sleeping) return;
  if (!kcompactd_node_suitable()) return;
  kcompactd_sleeping = false;
  schedule_kcompactd();
}

/** kcompactd woken (its work scheduled) and not yet back asleep. */
export function kcompactd_is_awake(): bool { return !kcompactd_sleeping; }

/** kcompactd_work_requested(): an order was asked for (possibly while the node was not suitable). */
export function kcompactd_work_requested(): bool { return kcompactd_max_order > 0; }

// mm/compaction.c: kcompactd_do_work(): each zone up to the requested one, unless deferred or unsuitable;
// GFP_KERNEL, so cc->migratetype is UNMOVABLE and a free block of any type the allocator could claim ends it
export function kcompactd_do_work(): void {
  const order = kcompactd_max_order;
  const highest = kcompactd_highest_zoneidx;
  st_add(COMPACT_DAEMON_WAKE, 1);
  // one compact_control for every zone: compact_zone() resets its counters and scanners per zone, but not
  // whole_zone, fast_search_fail or search_order, which carry from one zone to the next
  cc_start(0, <i32>order, MIGRATE_SYNC_LIGHT, ALLOC_WMARK_MIN, highest);
  for (let z: u32 = 0; z <= highest; z++) {
    if (!populated_zone(z)) continue;
    if (compaction_deferred(z, order)) continue;
    if (compaction_suit_allocation_order(z, order, z, ALLOC_WMARK_MIN, false) != COMPACT_CONTINUE) continue;
    cc.zone = z;
    const status = compact_zone();
    if (status == COMPACT_SUCCESS) compaction_defer_reset(z, order, false);
    else if (status == COMPACT_PARTIAL_SKIPPED || status == COMPACT_COMPLETE) {
      // buddy pages stranded on the per-cpu lists could coalesce: drain_all_pages(zone), then defer as
      // sync direct compaction does
      drain_all_pages_zone(z);
      defer_compaction(z, order);
    }
    st_add(COMPACT_DAEMON_MIGRATE_SCANNED, <i64>cc.total_migrate_scanned);
    st_add(COMPACT_DAEMON_FREE_SCANNED, <i64>cc.total_free_scanned);
  }
  if (kcompactd_max_order <= order) kcompactd_max_order = 0;
  if (kcompactd_highest_zoneidx >= highest) kcompactd_highest_zoneidx = top_zone();
}

/** The wake-up event: the work, then back to sleep. */
export function kcompactd_run(): void {
  kcompactd_do_work();
  kcompactd_sleeping = true;
}

// mm/compaction.c: should_proactive_compact_node()
function should_proactive_compact_node(): bool {
  if (<u32>param(CFG_COMPACTION_PROACTIVENESS) == 0 || kswapd_is_running()) return false;
  return fragmentation_score_node() > fragmentation_score_wmark(false);
}

// mm/compaction.c: compact_node(pgdat, proactive = true): every zone, whole, MIGRATE_SYNC_LIGHT, skip hints
// ignored, until the zone's score is at the low watermark (compact_finished()'s proactive branch)
function compact_node_proactive(): void {
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    if (!populated_zone(z)) continue;
    cc_start(z, -1, MIGRATE_SYNC_LIGHT, 0, 0);
    cc.whole_zone = true;
    cc.ignore_skip_hint = true;
    cc.proactive_compaction = true;
    compact_zone();
    st_add(COMPACT_DAEMON_MIGRATE_SCANNED, <i64>cc.total_migrate_scanned);
    st_add(COMPACT_DAEMON_FREE_SCANNED, <i64>cc.total_free_scanned);
  }
}

/** kcompactd's timed wake-up (wait_event_freezable_timeout() expired): work asked for meanwhile, or proactive
 *  compaction. Returns the next timeout in ns (0: none, proactiveness is 0: MAX_SCHEDULE_TIMEOUT). */
export function kcompactd_timer(): u64 {
  if (<u32>param(CFG_COMPACTION_PROACTIVENESS) == 0) return 0;
  if (kcompactd_work_requested()) {
    kcompactd_do_work();
    return HPAGE_FRAG_CHECK_INTERVAL_NS;
  }
  let timeout = HPAGE_FRAG_CHECK_INTERVAL_NS;
  if (should_proactive_compact_node()) {
    const prev_score = fragmentation_score_node();
    compact_node_proactive();
    // no progress: defer proactive compaction
    if (fragmentation_score_node() >= prev_score) timeout = HPAGE_FRAG_CHECK_INTERVAL_NS << COMPACT_MAX_DEFER_SHIFT;
  }
  return timeout;
}
