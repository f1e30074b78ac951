// Reclaim of page cache under memory pressure (mm/vmscan.c, 6.12): do_try_to_free_pages() and kswapd's
// shrink_node() over the file LRU (fs/lru.ts): scan targets from the lists' sizes and the priority, oldest
// folios first; clean, unreferenced folios are freed; a folio under writeback or dirty is marked PG_reclaim and
// activated, to come back to the inactive tail when its writeback ends (folio_rotate_reclaimable()); only
// kswapd writes a dirty one, on a later encounter while PGDAT_DIRTY, through pageout() -> ->writepage: FUSE has
// one only in 6.1/6.6 (fs/fuse/writepage.ts), and with it reclaim may leave a page clean and unwritten.
// The machine has no swap: all reclaim is file reclaim. Counted as shrink_inactive_list() counts it: pages
// scanned (pgscan_*) and reclaimed (pgsteal_*), by reclaimer: kswapd or direct. With the multi-gen LRU
// (machine.lru "mglru") shrink_node() hands the node to lru_gen_shrink_node() (fs/lru_gen_reclaim.ts); the
// per-folio decisions are shrink_folio_list()'s for both (fs/shrink_folio.ts).
import { NONE, MAX_NR_ZONES, PAGE_ALLOC_COSTLY_ORDER, ZONE_DMA32, ZONE_NORMAL, __GFP_MOVABLE } from "../mm/constants";
import { page_order } from "../mm/page";
import { param, CFG_RECLAIM_612 } from "../sim/config";
import { highest_zoneidx, pf_memalloc, set_pf_memalloc } from "../mm/page_alloc";
import { page_zone, populated_zone, wmark_min, wmark_high, watermark_boost } from "../mm/zone";
import { __zone_watermark_ok } from "../mm/watermark";
import { compaction_suitable, compact_gap } from "../mm/compaction";
import { mapping_pfn, file_page_ino, file_page_index } from "./inode";
import {
  LRU_INACTIVE_FILE, LRU_ACTIVE_FILE, lru_gen, lru_reset, lru_pop_tail, lru_add, lru_nr_folios, lru_pages, lruvec_lru_size,
  folio_set_active,
} from "./lru";
import { lru_gen_shrink_node } from "./lru_gen_reclaim";
import {
  sc, ScanControl, zone_ineligible, clear_pgdat_dirty, set_pgdat_dirty, set_pgdat_writeback, lruvec_node_congested, set_lruvec_node_congested,
} from "./scan_control";
import {
  isolated_folios, kept_folios, nr_kept, shrink_folio_list, stat_nr_unqueued_dirty, stat_nr_taken, stat_nr_dirty, stat_nr_congested,
  stat_nr_immediate,
} from "./shrink_folio";
import { reclaim_throttle, allow_direct_reclaim, VMSCAN_THROTTLE_NOPROGRESS, VMSCAN_THROTTLE_CONGESTED } from "./reclaim_throttle";
import { current_is_user_task } from "../sim/cpus";
import { wakeup_flusher_threads_vmscan } from "./writeback";
import {
  st_add, PGSTEAL_KSWAPD, PGSTEAL_DIRECT, PGSCAN_KSWAPD, PGSCAN_DIRECT, ALLOCSTALL_DMA32, ALLOCSTALL_NORMAL,
  ALLOCSTALL_MOVABLE, PGDEACTIVATE, PGREFILL, DIRECT_RECLAIM_UNTHROTTLED,
} from "./stats";

/** include/linux/swap.h: SWAP_CLUSTER_MAX, direct reclaim's sc->nr_to_reclaim */
export const SWAP_CLUSTER_MAX: u32 = 32;

/** include/linux/mmzone.h: DEF_PRIORITY */
export const DEF_PRIORITY: i32 = 12;

export function reclaim_reset(): void {
  kswapd_failures = 0;
  clear_pgdat_dirty();
  lru_reset();
}

/** pgdat->kswapd_failures: balance_pgdat() runs that reclaimed nothing; any reclaim progress resets it
 *  (shrink_node(): "On reclaim progress, reset the failure counter"). */
export let kswapd_failures: u32 = 0;
export function kswapd_failed(): void { kswapd_failures++; }

/** Reclaim aimed at zone z (the wb-area proposal makes room in its area this way, "as kswapd's balance_pgdat()
 *  would"): kswapd's shrink_node() at falling priority, folios of other zones skipped, until `want` pages are
 *  reclaimed. Counted as kswapd's. */
export function shrink_zone_page_cache(z: u32, want: u32): u32 {
  if (pf_memalloc) return 0;
  set_pf_memalloc(true);
  sc_init(<u64>want, MAX_NR_ZONES - 1, 0, true, z);
  for (sc.priority = DEF_PRIORITY; sc.priority >= 0 && sc.nr_reclaimed < sc.nr_to_reclaim; sc.priority--) shrink_node();
  set_pf_memalloc(false);
  return <u32>sc.nr_reclaimed;
}

/** Direct reclaim for a page-cache allocation (GFP_HIGHUSER_MOVABLE) that failed: the writers' path. */
export function shrink_page_cache(want: u32): u32 { return <u32>perform_reclaim(highest_zoneidx(__GFP_MOVABLE), 0, <u64>want); }

// mm/vmscan.c: compaction_ready() (6.15): the allocation would already succeed at the min watermark, or
// compaction_suitable() holds at the high watermark: reclaim leaves this zone to compaction
function compaction_ready(z: u32, order: u32, reclaim_idx: u32): bool {
  const boost = <i64>unchecked(watermark_boost[z]);
  if (__zone_watermark_ok(z, order, <i64>unchecked(wmark_min[z]) + boost, reclaim_idx, 0)) return true;
  return compaction_suitable(z, order, <i64>unchecked(wmark_high[z]) + boost, reclaim_idx);
}

/** mm/page_alloc.c: __perform_reclaim() -> mm/vmscan.c: try_to_free_pages(), for an allocation of `order` with
 *  this mask: sc->nr_to_reclaim = SWAP_CLUSTER_MAX. Returns the pages reclaimed (1 when it stopped because a zone
 *  was ready for compaction: "Aborted reclaim to try compaction? don't OOM, then"). */
export function try_to_free_pages(gfp: u32, order: u32): u32 {
  return <u32>perform_reclaim(highest_zoneidx(gfp), order, SWAP_CLUSTER_MAX);
}

// mm/page_alloc.c: __perform_reclaim(): the reclaimer runs with PF_MEMALLOC (memalloc_noreclaim_save()); a task
// already in reclaim does not recurse into it ("Avoid recursion of direct reclaim", __alloc_pages_slowpath())
function perform_reclaim(reclaim_idx: u32, order: u32, nr_to_reclaim: u64): u64 {
  if (pf_memalloc) return 0;
  // try_to_free_pages() -> throttle_direct_reclaim(): not modelled (reclaim_throttle.ts), counted
  if (current_is_user_task() && !allow_direct_reclaim(kswapd_failures)) st_add(DIRECT_RECLAIM_UNTHROTTLED, 1);
  set_pf_memalloc(true);
  const r = do_try_to_free_pages(reclaim_idx, order, nr_to_reclaim);
  set_pf_memalloc(false);
  return r;
}

// do_try_to_free_pages(): __count_zid_vm_events(ALLOCSTALL, sc->reclaim_idx, 1)
function count_allocstall(reclaim_idx: u32): void {
  st_add(reclaim_idx == ZONE_DMA32 ? ALLOCSTALL_DMA32 : reclaim_idx == ZONE_NORMAL ? ALLOCSTALL_NORMAL : ALLOCSTALL_MOVABLE, 1);
}

// mm/vmscan.c: isolate_lru_folios(): from the list's tail, until nr_to_scan pages of eligible folios are taken;
// a folio in a zone above sc->reclaim_idx goes back to the head ("Splice any skipped folios to the start of the
// LRU list") and counts only in nr_scanned. Returns the folios taken (in isolated_folios, oldest first).
function isolate_lru_folios(nr_to_scan: u64, l: u32): u32 {
  let scan: u64 = 0, total_scan: u64 = 0;
  let k: u32 = 0;
  let left = lru_nr_folios(l);
  while (scan < nr_to_scan && left > 0) {
    const e = lru_pop_tail(l);
    left--;
    const ino = file_page_ino(e), index = file_page_index(e, ino);
    const head = mapping_pfn(ino, index);
    const n = <u64>1 << page_order(head);
    total_scan += n;
    const z = page_zone(head);
    if (zone_ineligible(z)) { lru_add(ino, index, head, false); continue; }
    scan += n;
    unchecked(isolated_folios[k++] = e);
  }
  isolated_scanned = total_scan;
  return k;
}
let isolated_scanned: u64 = 0;

// move_folios_to_lru(): a folio reclaim keeps goes back to the head of the list its PG_active names
@inline function putback(ino: u32, index: u32, head: u32): void { lru_add(ino, index, head, false); }

// mm/vmscan.c: shrink_inactive_list(): isolate_lru_folios() from the inactive tail, shrink_folio_list(), the folios
// kept back on their lists (activated ones on the active list's head), and the flusher nudged when everything
// taken was dirty and not yet queued
function shrink_inactive_list(nr_to_scan: u64): u64 {
  const k = isolate_lru_folios(nr_to_scan, LRU_INACTIVE_FILE);
  st_add(sc.kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, <i64>isolated_scanned);
  if (k == 0) return 0;
  const freed = shrink_folio_list(0, k);
  for (let j: u32 = 0; j < nr_kept; j++) {
    const e = unchecked(kept_folios[j]);
    const ino = file_page_ino(e), first = file_page_index(e, ino);
    putback(ino, first, mapping_pfn(ino, first));
  }
  sc.nr_dirty += stat_nr_dirty;
  sc.nr_congested += stat_nr_congested;
  sc.nr_immediate += stat_nr_immediate;
  sc.nr_unqueued_dirty += stat_nr_unqueued_dirty;
  sc.nr_taken += stat_nr_taken;
  sc.nr_file_taken += stat_nr_taken;
  st_add(sc.kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, <i64>freed);
  // "If dirty folios are scanned that are not queued for IO ... Nudge the flusher threads in case they are asleep."
  if (stat_nr_unqueued_dirty == stat_nr_taken) wakeup_flusher_threads_vmscan();
  return freed;
}

// mm/vmscan.c: shrink_active_list() for unmapped file folios: folio_referenced() finds no mapping, so every folio
// taken is deactivated, onto the inactive list's head (PGREFILL pages scanned, PGDEACTIVATE folios' pages moved)
function shrink_active_list(nr_to_scan: u64): void {
  const k = isolate_lru_folios(nr_to_scan, LRU_ACTIVE_FILE);
  st_add(PGREFILL, <i64>isolated_scanned);
  let moved: u64 = 0;
  for (let j: u32 = 0; j < k; j++) {
    const e = unchecked(isolated_folios[j]);
    const ino = file_page_ino(e), first = file_page_index(e, ino);
    const head = mapping_pfn(ino, first);
    folio_set_active(head, false);
    moved += <u64>1 << page_order(head);
    putback(ino, first, head);
  }
  st_add(PGDEACTIVATE, <i64>moved);
}

// lib/math/int_sqrt.c: the floor of the square root
function int_sqrt(x: u64): u64 {
  let r = <u64>Math.sqrt(<f64>x);
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

// mm/vmscan.c: inactive_is_low(): inactive * int_sqrt(10 * GiB of the file LRU) < active
function inactive_is_low(): bool {
  const inactive = lru_pages(LRU_INACTIVE_FILE), active = lru_pages(LRU_ACTIVE_FILE);
  const gb = (inactive + active) >> 18;
  const ratio: u64 = gb != 0 ? int_sqrt(gb * 10) : 1;
  return inactive * ratio < active;
}

// mm/vmscan.c: shrink_lruvec() with get_scan_count()'s SCAN_FILE (no swap): each file list's size in the eligible
// zones >> priority, in SWAP_CLUSTER_MAX batches, inactive then active, until nr_to_reclaim is met; global direct
// reclaim at DEF_PRIORITY scans its whole target anyway (proportional_reclaim)
function shrink_lruvec(): void {
  let nr_inactive = lruvec_lru_size(LRU_INACTIVE_FILE, sc.reclaim_idx) >> <u64>sc.priority;
  let nr_active = lruvec_lru_size(LRU_ACTIVE_FILE, sc.reclaim_idx) >> <u64>sc.priority;
  const proportional = !sc.kswapd && sc.priority == DEF_PRIORITY;
  let reclaimed: u64 = 0;
  while (nr_inactive != 0 || nr_active != 0) {
    if (nr_inactive != 0) {
      const s = min<u64>(nr_inactive, SWAP_CLUSTER_MAX);
      nr_inactive -= s;
      reclaimed += shrink_inactive_list(s);
    }
    if (nr_active != 0) {
      const s = min<u64>(nr_active, SWAP_CLUSTER_MAX);
      nr_active -= s;
      if (sc.may_deactivate) shrink_active_list(s); else sc.skipped_deactivate = true;
    }
    if (reclaimed < sc.nr_to_reclaim || proportional) continue;
    break; // no anon list to keep in proportion: "if (!nr_file || !nr_anon) break;"
  }
  sc.nr_reclaimed += reclaimed;
}

// mm/vmscan.c: shrink_node(): prepare_scan_control() (deactivation when the inactive list is low; refaults are
// not modelled), shrink_lruvec(), then kswapd's PGDAT_WRITEBACK and PGDAT_DIRTY from what it took, kswapd's
// VMSCAN_THROTTLE_WRITEBACK sleep on nr_immediate (fs/kswapd.ts: shrink_node() stops there and
// kswapd_shrink_node_resume() goes on after it), kswapd's LRUVEC_NODE_CONGESTED, and a direct reclaimer's
// VMSCAN_THROTTLE_CONGESTED sleep while the node is marked (fs/reclaim_throttle.ts).
function shrink_node(): u64 {
  // "if (lru_gen_enabled() && root_reclaim(sc))": sc->nr cleared, lru_gen_shrink_node(), and on progress the
  // failure counter reset ("done:" there)
  if (lru_gen) {
    sc.nr_dirty = 0; sc.nr_congested = 0; sc.nr_immediate = 0; sc.nr_unqueued_dirty = 0; sc.nr_writeback = 0; sc.nr_taken = 0; sc.nr_file_taken = 0;
    const r = lru_gen_shrink_node();
    if (r != 0) kswapd_failures = 0;
    return r;
  }
  sn_before = sc.nr_reclaimed;
  sn_reclaimable = false;
  return shrink_node_rounds(false);
}

/** shrink_node()'s locals: what the call had reclaimed before it, whether a round reclaimed anything, where this
 *  round began. kswapd keeps its own across its sleep (kswapd_sn_*), when direct reclaim may run shrink_node(). */
let sn_before: u64 = 0, sn_start: u64 = 0, sn_reclaimable: bool = false;
let kswapd_sn_before: u64 = 0, kswapd_sn_start: u64 = 0, kswapd_sn_reclaimable: bool = false;
const kswapd_sc = new ScanControl();

// shrink_node()'s `again:` rounds; `resume`: kswapd woke from its VMSCAN_THROTTLE_WRITEBACK sleep inside the round
// and goes on after it. Returns the pages the call reclaimed; when kswapd must sleep, it returns with
// kswapd_writeback_throttle set and its state saved.
function shrink_node_rounds(resume: bool): u64 {
  while (true) {
    if (!resume) {
      sc.nr_dirty = 0; sc.nr_congested = 0; sc.nr_immediate = 0; sc.nr_unqueued_dirty = 0; sc.nr_writeback = 0; sc.nr_taken = 0; sc.nr_file_taken = 0;
      sn_start = sc.nr_reclaimed;
      // prepare_scan_control(): deactivation when the inactive list is low; cache_trim_mode when there are inactive
      // file pages at this priority and no deactivation (it steers anon scanning, absent here, and kswapd's restart)
      sc.may_deactivate = sc.force_deactivate || inactive_is_low();
      sc.cache_trim_mode = (lru_pages(LRU_INACTIVE_FILE) >> <u64>sc.priority) != 0 && !sc.may_deactivate && !sc.no_cache_trim_mode;
      shrink_lruvec();
      if (sc.kswapd) {
        if (sc.nr_writeback != 0 && sc.nr_writeback == sc.nr_taken) set_pgdat_writeback();
        // "Allow kswapd to start writing pages during reclaim." (also when it took nothing: 0 == 0)
        if (sc.nr_unqueued_dirty == sc.nr_file_taken) set_pgdat_dirty();
        // "If kswapd scans pages marked for immediate reclaim and under writeback (nr_immediate), it implies that
        // pages are cycling through the LRU faster than they are written so forcibly stall until some pages complete
        // writeback": reclaim_throttle(pgdat, VMSCAN_THROTTLE_WRITEBACK), before the congestion mark below
        if (sc.nr_immediate != 0) {
          kswapd_writeback_throttle = true;
          kswapd_sc.copy_from(sc);
          kswapd_sn_before = sn_before; kswapd_sn_start = sn_start; kswapd_sn_reclaimable = sn_reclaimable;
          return sc.nr_reclaimed - sn_before;
        }
      }
    }
    resume = false;
    // "Tag a node/memcg as congested if all the dirty pages were marked for writeback and immediate reclaim"
    if (sc.kswapd && sc.nr_dirty != 0 && sc.nr_dirty == sc.nr_congested) set_lruvec_node_congested();
    // "Stall direct reclaim for IO completions if the lruvec is node is congested" (current_may_throttle(): no
    // task here has PF_LOCAL_THROTTLE)
    if (!sc.kswapd && lruvec_node_congested) reclaim_throttle(VMSCAN_THROTTLE_CONGESTED, kswapd_failures);
    const node_reclaimed = sc.nr_reclaimed - sn_start;
    if (node_reclaimed != 0) sn_reclaimable = true;
    if (!should_continue_reclaim(node_reclaimed)) break;
  }
  // "On reclaim progress, reset the failure counter"; a kswapd run that reclaimed nothing in cache_trim_mode
  // restarts once without it (6.12+: balance_pgdat())
  if (sn_reclaimable) kswapd_failures = 0;
  else if (sc.cache_trim_mode) sc.cache_trim_mode_failed = true;
  return sc.nr_reclaimed - sn_before;
}

// mm/vmscan.c: in_reclaim_compaction(): a high-order request reclaims for compaction when the order is costly or
// the priority has fallen below DEF_PRIORITY - 2 (every mask here has __GFP_IO: gfp_compaction_allowed())
function in_reclaim_compaction(): bool {
  return sc.order != 0 && (sc.order > PAGE_ALLOC_COSTLY_ORDER || sc.priority < DEF_PRIORITY - 2);
}

// mm/vmscan.c: should_continue_reclaim(): reclaim for compaction goes on at the same priority until a zone would
// allow the allocation or compaction at the min watermark, while the last round made progress and the inactive
// file list holds more than compact_gap(order) pages (6.15's compaction_suitable() with the watermark passed in)
function should_continue_reclaim(nr_reclaimed: u64): bool {
  if (!in_reclaim_compaction()) return false;
  if (nr_reclaimed == 0) return false;
  for (let z: u32 = 0; z <= sc.reclaim_idx && z < MAX_NR_ZONES; z++) {
    if (!populated_zone(z)) continue;
    const min_wmark = <i64>unchecked(wmark_min[z]) + <i64>unchecked(watermark_boost[z]);
    if (__zone_watermark_ok(z, sc.order, min_wmark, sc.reclaim_idx, 0)) return false;
    if (compaction_suitable(z, sc.order, min_wmark, sc.reclaim_idx)) return false;
  }
  return lru_pages(LRU_INACTIVE_FILE) > compact_gap(sc.order);
}

function sc_init(nr_to_reclaim: u64, reclaim_idx: u32, order: u32, kswapd: bool, only_zone: u32): void {
  sc.nr_to_reclaim = nr_to_reclaim;
  sc.order = order;
  sc.nr_reclaimed = 0;
  sc.nr_scanned = 0;
  sc.reclaim_idx = reclaim_idx;
  sc.kswapd = kswapd;
  sc.may_writepage = true;
  sc.force_deactivate = false;
  sc.skipped_deactivate = false;
  sc.only_zone = only_zone;
  sc.memcg_full_walk = false;
  sc.no_cache_trim_mode = false;
  sc.cache_trim_mode_failed = false;
}

// mm/vmscan.c: do_try_to_free_pages() for global direct reclaim: shrink_zones() at falling priority until
// nr_to_reclaim pages are reclaimed or a costly order finds a zone ready for compaction; a run that skipped
// deactivation retries with force_deactivate. Returns the pages reclaimed, 1 when it stopped for compaction.
function do_try_to_free_pages(reclaim_idx: u32, order: u32, nr_to_reclaim: u64): u64 {
  sc_init(nr_to_reclaim, reclaim_idx, order, false, NONE);
  let compaction_is_ready = false;
  while (true) {
    count_allocstall(reclaim_idx);
    for (sc.priority = DEF_PRIORITY; sc.priority >= 0; sc.priority--) {
      sc.nr_scanned = 0;
      // shrink_zones(): the zonelist from reclaim_idx down; one node, so one shrink_node()
      let shrunk = false;
      for (let z = <i32>min<u32>(reclaim_idx, MAX_NR_ZONES - 1); z >= 0; z--) {
        if (!populated_zone(<u32>z)) continue;
        if (order > PAGE_ALLOC_COSTLY_ORDER && compaction_ready(<u32>z, order, reclaim_idx)) { compaction_is_ready = true; continue; }
        if (shrunk) continue;
        shrunk = true;
        shrink_node();
      }
      // shrink_zones() ends in consider_reclaim_throttle() once a node was reached: "Throttle if making no progress
      // at high prioities" (the wake of NOPROGRESS sleepers on better than 1/8 efficiency is not modelled)
      if (shrunk && sc.priority == 1 && sc.nr_reclaimed == 0) reclaim_throttle(VMSCAN_THROTTLE_NOPROGRESS, kswapd_failures);
      if (sc.nr_reclaimed >= sc.nr_to_reclaim) break;
      if (compaction_is_ready) break;
    }
    if (sc.nr_reclaimed != 0) return sc.nr_reclaimed;
    if (compaction_is_ready) return 1;
    // 6.12+: "high concurrency can result in individual threads not seeing enough cgroups ... Avoid false OOMs":
    // one more sweep with memcg_full_walk (with the root cgroup alone, the same sweep again)
    if (param(CFG_RECLAIM_612) != 0 && !sc.memcg_full_walk) { sc.memcg_full_walk = true; continue; }
    if (!sc.skipped_deactivate) return 0;
    sc.force_deactivate = true;
    sc.skipped_deactivate = false;
  }
  return 0;
}

// balance_pgdat()'s own scan_control fields, kept across its kswapd_shrink_node() calls (6.12+)
let kswapd_no_cache_trim_mode: bool = false;
let kswapd_cache_trim_mode_failed: bool = false;
/** balance_pgdat() starts with a fresh scan_control. */
export function kswapd_sc_reset(): void { kswapd_no_cache_trim_mode = false; kswapd_cache_trim_mode_failed = false; }
/** balance_pgdat()'s restart: "Restart only if it went through the priority loop all the way, but cache_trim_mode
 *  didn't work" (6.12+), once: sets no_cache_trim_mode and says whether to restart. */
export function kswapd_cache_trim_restart(): bool {
  if (param(CFG_RECLAIM_612) == 0 || kswapd_no_cache_trim_mode || !kswapd_cache_trim_mode_failed) return false;
  kswapd_no_cache_trim_mode = true;
  return true;
}

/** kswapd_shrink_node() at this priority and order: shrink_node() for up to nr_to_reclaim pages, kswapd's
 *  sc->may_writepage (none while reclaiming a boost only). Returns the pages reclaimed; kswapd_nr_scanned()
 *  says what shrink_folio_list() took. */
/** The last kswapd_shrink_node() met folios for immediate reclaim: kswapd sleeps in reclaim_throttle(). */
export let kswapd_writeback_throttle: bool = false;
export function kswapd_shrink_node(priority: i32, order: u32, nr_to_reclaim: u64, reclaim_idx: u32, may_writepage: bool): u64 {
  kswapd_writeback_throttle = false;
  sc_init(nr_to_reclaim, reclaim_idx, order, true, NONE);
  sc.no_cache_trim_mode = kswapd_no_cache_trim_mode;
  sc.cache_trim_mode_failed = kswapd_cache_trim_mode_failed;
  sc.priority = priority;
  sc.may_writepage = may_writepage;
  // kswapd runs with PF_MEMALLOC
  const was = set_pf_memalloc(true);
  const r = shrink_node();
  set_pf_memalloc(was);
  kswapd_cache_trim_mode_failed = sc.cache_trim_mode_failed;
  return r;
}
/** kswapd woke from its reclaim_throttle() sleep inside shrink_node(): its scan_control and the call's locals come
 *  back (direct reclaim used the one object meanwhile), and the round goes on after the sleep. Returns what the
 *  whole kswapd_shrink_node() call reclaimed; kswapd_writeback_throttle again if a later round must sleep. */
export function kswapd_shrink_node_resume(): u64 {
  kswapd_writeback_throttle = false;
  sc.copy_from(kswapd_sc);
  sn_before = kswapd_sn_before; sn_start = kswapd_sn_start; sn_reclaimable = kswapd_sn_reclaimable;
  const was = set_pf_memalloc(true);
  const r = shrink_node_rounds(true);
  set_pf_memalloc(was);
  kswapd_cache_trim_mode_failed = sc.cache_trim_mode_failed;
  return r;
}
export function kswapd_nr_scanned(): u64 { return sc.nr_scanned; }
/** The priority kswapd_shrink_node() left: MGLRU's set_initial_priority() may have lowered it. */
export function kswapd_priority(): i32 { return sc.priority; }
