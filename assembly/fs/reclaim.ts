// Reclaim of page cache under memory pressure (mm/vmscan.c: shrink_folio_list() on file folios): oldest file data
// first; clean, unreferenced folios are freed; never a folio under writeback or with extra references (a pipe).
// A dirty folio is marked PG_reclaim the first time; only kswapd writes one, on a later encounter while
// PGDAT_DIRTY says the file folios it takes are all dirty, through pageout() -> ->writepage: FUSE has one only
// in 6.1/6.6 (fs/fuse/writepage.ts), and with it reclaim may leave a page clean and unwritten.
// The machine has no swap: all reclaim is file reclaim. Counted as shrink_inactive_list() counts it: pages
// scanned (pgscan_*) and reclaimed (pgsteal_*), by reclaimer: kswapd or direct.
import { NONE, MAX_NR_ZONES, PAGE_ALLOC_COSTLY_ORDER, ZONE_DMA32, ZONE_NORMAL, __GFP_MOVABLE } from "../mm/constants";
import { PG_dirty, PG_folio_dirty, PG_folio_writeback, PG_reclaim, page_flags, set_page_flags, page_order, page_ref } from "../mm/page";
import { param, CFG_FUSE_WRITEPAGE } from "../sim/config";
import { fuse_writepage, WP_SENT, WP_ENOMEM, WP_ACTIVATE } from "../fuse/writepage";
import { highest_zoneidx } from "../mm/page_alloc";
import { page_zone, populated_zone, wmark_min, wmark_high, watermark_boost } from "../mm/zone";
import { __zone_watermark_ok } from "../mm/watermark";
import { compaction_suitable } from "../mm/compaction";
import { nr_inodes, inode_pages, mapping_pfn } from "./inode";
import { filemap_remove_folio } from "./folio";
import { wakeup_flusher_threads_vmscan } from "./writeback";
import {
  st_add, NR_VMSCAN_WRITE, PGSTEAL_KSWAPD, PGSTEAL_DIRECT, PGSCAN_KSWAPD, PGSCAN_DIRECT, ALLOCSTALL_DMA32, ALLOCSTALL_NORMAL,
  ALLOCSTALL_MOVABLE,
} from "./stats";

/** include/linux/swap.h: SWAP_CLUSTER_MAX, direct reclaim's sc->nr_to_reclaim */
export const SWAP_CLUSTER_MAX: u32 = 32;

const scan_index = new StaticArray<u32>(64);
/** The cursor of reclaim aimed at one zone (the writeback area), apart from the global one. */
const zone_scan_index = new StaticArray<u32>(64);
export function reclaim_reset(): void {
  for (let i = 0; i < 64; i++) { unchecked(scan_index[i] = 0); unchecked(zone_scan_index[i] = 0); }
  kswapd_failures = 0;
}

/** pgdat->kswapd_failures: balance_pgdat() runs that reclaimed nothing; any reclaim progress resets it
 *  (shrink_node(): "On reclaim progress, reset the failure counter"). */
export let kswapd_failures: u32 = 0;
export function kswapd_failed(): void { kswapd_failures++; }

/** Pages the last shrink_cache() scanned (sc->nr_scanned of that pass). */
export let last_nr_scanned: u32 = 0;

/** kswapd_shrink_node()'s shrink_node(): up to `want` pages, counted as kswapd's. */
export function kswapd_shrink_cache(want: u32): u32 { return shrink_cache(want, NONE, true); }

/** The same, freeing only folios of zone z (reclaim with sc->reclaim_idx aimed at a zone): nocopy-wb-area makes
 *  room in its area this way, "as kswapd's balance_pgdat() would", and it is counted as kswapd's. */
export function shrink_zone_page_cache(z: u32, want: u32): u32 { return shrink_cache(want, z, true); }

/** Direct reclaim for a page-cache allocation (GFP_HIGHUSER_MOVABLE) that failed: the writers' path. */
export function shrink_page_cache(want: u32): u32 { return direct_reclaim(highest_zoneidx(__GFP_MOVABLE), want); }

// mm/vmscan.c: compaction_ready() (6.15): the allocation would already succeed at the min watermark, or
// compaction_suitable() holds at the high watermark: reclaim leaves this zone to compaction
function compaction_ready(z: u32, order: u32, reclaim_idx: u32): bool {
  const boost = <i64>unchecked(watermark_boost[z]);
  if (__zone_watermark_ok(z, order, <i64>unchecked(wmark_min[z]) + boost, reclaim_idx, 0)) return true;
  return compaction_suitable(z, order, <i64>unchecked(wmark_high[z]) + boost, reclaim_idx);
}

/** mm/page_alloc.c: __perform_reclaim() -> mm/vmscan.c: try_to_free_pages(), for an allocation of `order` with
 *  this mask: sc->nr_to_reclaim = SWAP_CLUSTER_MAX. For a costly order, shrink_zones() skips every zone where
 *  compaction_ready() holds; when all do, nothing is reclaimed (do_try_to_free_pages() returns to compact). */
export function try_to_free_pages(gfp: u32, order: u32): u32 {
  const reclaim_idx = highest_zoneidx(gfp);
  if (order > PAGE_ALLOC_COSTLY_ORDER) {
    let all_ready = true;
    for (let z: u32 = 0; z <= reclaim_idx && all_ready; z++) if (populated_zone(z) && !compaction_ready(z, order, reclaim_idx)) all_ready = false;
    if (all_ready) { count_allocstall(reclaim_idx); return 0; }
  }
  return direct_reclaim(reclaim_idx, SWAP_CLUSTER_MAX);
}

// do_try_to_free_pages(): __count_zid_vm_events(ALLOCSTALL, sc->reclaim_idx, 1)
function count_allocstall(reclaim_idx: u32): void {
  st_add(reclaim_idx == ZONE_DMA32 ? ALLOCSTALL_DMA32 : reclaim_idx == ZONE_NORMAL ? ALLOCSTALL_NORMAL : ALLOCSTALL_MOVABLE, 1);
}

function direct_reclaim(reclaim_idx: u32, want: u32): u32 {
  count_allocstall(reclaim_idx < MAX_NR_ZONES ? reclaim_idx : ZONE_NORMAL);
  return shrink_cache(want, NONE, false);
}

/** Frees clean, unreferenced page-cache folios until `want` pages are freed, scanning at most a bounded
 *  number of cached pages per call (like shrink_lruvec's nr_to_scan): a cache full of dirty or
 *  writeback folios makes reclaim fail fast instead of walking every file. */
/** PGDAT_DIRTY: the file folios reclaim took were all dirty and not under writeback (shrink_node()). */
let pgdat_dirty: bool = false;
/** clear_pgdat_congested(): kswapd found the node balanced. */
export function clear_pgdat_dirty(): void { pgdat_dirty = false; }

function shrink_cache(want: u32, zone: u32, kswapd: bool): u32 {
  const cursor = zone == NONE ? scan_index : zone_scan_index;
  const writepage = param(CFG_FUSE_WRITEPAGE) != 0;
  let taken: u32 = 0, unqueued_dirty: u32 = 0;
  let freed: u32 = 0, scanned: u32 = 0;
  let budget: u32 = max<u32>(want << 5, 1024);
  for (let ino: u32 = 0; ino < nr_inodes && freed < want && budget > 0; ino++) {
    const pages = inode_pages(ino);
    let i = unchecked(cursor[ino]);
    while (i < pages && freed < want && budget > 0) {
      const pfn = mapping_pfn(ino, i);
      if (pfn == NONE) { i++; continue; } // not cached: costs no budget (the LRU holds only cached folios)
      budget--;
      const head = pfn & ~((<u32>1 << page_order(pfn)) - 1);
      const n: u32 = <u32>1 << page_order(head);
      const first = i - (pfn - head);
      if (zone != NONE && page_zone(head) != zone) { i = first + n; continue; }
      scanned += n; // isolate_lru_folios(): nr_scanned counts the folio's pages
      taken++;
      const f = page_flags(head);
      let busy = (f & PG_folio_writeback) != 0;
      for (let k: u32 = 0; k < n && !busy; k++) busy = page_ref(head + k) > 1;
      let dirty = (f & PG_folio_dirty) != 0;
      for (let k: u32 = 0; k < n && !dirty; k++) dirty = (page_flags(head + k) & PG_dirty) != 0;
      if (!busy && dirty) {
        unqueued_dirty++;
        // only kswapd writes, and only a folio it met before (PG_reclaim) while PGDAT_DIRTY is set
        if (!writepage || !kswapd || (f & PG_reclaim) == 0 || !pgdat_dirty) {
          set_page_flags(head, f | PG_reclaim);
        } else {
          // pageout(): kswapd (PF_MEMALLOC) calls ->writepage; the folio is not under writeback after it (the temp
          // page took the data), so PG_reclaim clears whatever it returned, and every result but
          // AOP_WRITEPAGE_ACTIVATE counts NR_VMSCAN_WRITE
          const r = fuse_writepage(ino, first, true);
          set_page_flags(head, page_flags(head) & ~PG_reclaim);
          if (r != WP_ACTIVATE) st_add(NR_VMSCAN_WRITE, 1);
          // PAGE_SUCCESS with the folio clean (sent, or failed with the mapping's error set): freed now. A folio
          // found in flight was redirtied and stays; AOP_WRITEPAGE_ACTIVATE left it clean and activated: a later
          // pass frees it as clean page cache
          if (r == WP_SENT || r == WP_ENOMEM) dirty = false;
        }
      }
      busy = busy || dirty;
      if (!busy) {
        filemap_remove_folio(ino, first, head);
        freed += n;
      }
      i = first + n;
    }
    // keep scanning from here next time, unless the file was all busy (start over then)
    unchecked(cursor[ino] = i >= pages ? 0 : i);
  }
  if (taken > 0 && unqueued_dirty == taken) {
    // shrink_inactive_list(): "Nudge the flusher threads in case they are asleep" (every reclaimer)
    wakeup_flusher_threads_vmscan();
    // shrink_node(), kswapd only: allow kswapd to start writing pages once the file folios it takes are all dirty
    if (kswapd) pgdat_dirty = true;
  }
  // shrink_inactive_list(): PGSCAN_KSWAPD/PGSCAN_DIRECT + PGSCAN_FILE, PGSTEAL_KSWAPD/PGSTEAL_DIRECT + PGSTEAL_FILE
  st_add(kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, scanned);
  st_add(kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, freed);
  if (freed > 0) kswapd_failures = 0;
  last_nr_scanned = scanned;
  return freed;
}
