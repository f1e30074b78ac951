// struct scan_control (mm/vmscan.c), the fields reclaim of the file LRU reads and writes, and the node's reclaim
// flags. One reclaimer runs at a time here (PF_MEMALLOC keeps an allocation inside reclaim from recursing into it),
// so one scan_control serves kswapd and direct reclaim alike; each entry point fills it (reclaim.ts sc_init()).
import { NONE } from "../mm/constants";

export class ScanControl {
  nr_to_reclaim: u64 = 0;
  nr_reclaimed: u64 = 0;
  /** Pages shrink_folio_list() took (kswapd's raise_priority test reads it). */
  nr_scanned: u64 = 0;
  priority: i32 = 0;
  reclaim_idx: u32 = 0;
  /** current_is_kswapd() */
  kswapd: bool = false;
  may_writepage: bool = true;
  may_deactivate: bool = false;
  force_deactivate: bool = false;
  skipped_deactivate: bool = false;
  /** The wb-area proposal's reclaim aimed at one zone: folios of other zones are passed over as those above
   *  reclaim_idx are (NONE: ordinary reclaim). */
  only_zone: u32 = NONE;
  order: u32 = 0;
  memcg_full_walk: bool = false;
  cache_trim_mode: bool = false;
  no_cache_trim_mode: bool = false;
  cache_trim_mode_failed: bool = false;
  // sc->nr, per shrink_node() (pages)
  /** Under writeback and already marked, met by kswapd while PGDAT_WRITEBACK: kswapd's VMSCAN_THROTTLE_WRITEBACK. */
  nr_immediate: u64 = 0;
  /** Folios dirty or under writeback that shrink_folio_list() met. */
  nr_dirty: u64 = 0;
  /** Of those, under writeback and already PG_reclaim: met a second time before their writeback ended. */
  nr_congested: u64 = 0;
  nr_unqueued_dirty: u64 = 0;
  nr_writeback: u64 = 0;
  nr_taken: u64 = 0;
  nr_file_taken: u64 = 0;

  /** Every field from `o` (kswapd's scan_control kept across its sleep in reclaim_throttle(), while direct
   *  reclaimers use the one object). */
  copy_from(o: ScanControl): void {
    this.nr_to_reclaim = o.nr_to_reclaim; this.nr_reclaimed = o.nr_reclaimed; this.nr_scanned = o.nr_scanned;
    this.priority = o.priority; this.reclaim_idx = o.reclaim_idx; this.kswapd = o.kswapd;
    this.may_writepage = o.may_writepage; this.may_deactivate = o.may_deactivate;
    this.force_deactivate = o.force_deactivate; this.skipped_deactivate = o.skipped_deactivate;
    this.only_zone = o.only_zone; this.order = o.order; this.memcg_full_walk = o.memcg_full_walk;
    this.cache_trim_mode = o.cache_trim_mode; this.no_cache_trim_mode = o.no_cache_trim_mode;
    this.cache_trim_mode_failed = o.cache_trim_mode_failed;
    this.nr_immediate = o.nr_immediate; this.nr_dirty = o.nr_dirty; this.nr_congested = o.nr_congested;
    this.nr_unqueued_dirty = o.nr_unqueued_dirty; this.nr_writeback = o.nr_writeback; this.nr_taken = o.nr_taken;
    this.nr_file_taken = o.nr_file_taken;
  }
}

export const sc = new ScanControl();

/** A folio in zone z is not this reclaim's to take: above sc->reclaim_idx (isolate_lru_folios() skips it,
 *  sort_folio() promotes it), or, for the wb-area's reclaim, outside the zone it aims at. */
@inline export function zone_ineligible(z: u32): bool {
  return z > sc.reclaim_idx || (sc.only_zone != NONE && z != sc.only_zone);
}

/** PGDAT_DIRTY: the file folios reclaim took were all dirty and not under writeback (shrink_node()). */
export let pgdat_dirty: bool = false;
/** PGDAT_WRITEBACK: everything kswapd took was under writeback (shrink_node()). */
export let pgdat_writeback: bool = false;
/** LRUVEC_NODE_CONGESTED (6.1: LRUVEC_CONGESTED) on the root lruvec: every dirty or writeback folio a kswapd
 *  shrink_node() took was under writeback and already marked for immediate reclaim (shrink_node()). Direct
 *  reclaimers then sleep in reclaim_throttle(VMSCAN_THROTTLE_CONGESTED) (fs/reclaim_throttle.ts). */
export let lruvec_node_congested: bool = false;
export function set_pgdat_dirty(): void { pgdat_dirty = true; }
export function set_pgdat_writeback(): void { pgdat_writeback = true; }
export function set_lruvec_node_congested(): void { lruvec_node_congested = true; }
/** clear_pgdat_congested(): kswapd found the node balanced. */
export function clear_pgdat_dirty(): void { pgdat_dirty = false; pgdat_writeback = false; lruvec_node_congested = false; }
