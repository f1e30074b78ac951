// Reclaim of page cache under memory pressure (mm/vmscan.c: shrink_folio_list() on file folios): oldest file data
// first; clean, unreferenced folios are freed; never a folio under writeback or with extra references (a pipe).
// A dirty folio is marked PG_reclaim the first time; only kswapd writes one, on a later encounter while
// PGDAT_DIRTY says the file folios it takes are all dirty, through pageout() -> ->writepage: FUSE has one only
// in 6.1/6.6 (fs/fuse/writepage.ts), and with it reclaim may leave a page clean and unwritten.
import { NONE } from "../mm/constants";
import { PG_dirty, PG_folio_dirty, PG_folio_writeback, PG_reclaim, page_flags, set_page_flags, page_order, page_ref } from "../mm/page";
import { g, CFG_FUSE_WRITEPAGE } from "../sim/config";
import { fuse_writepage, WP_SENT } from "../fuse/writepage";
import { __free_pages } from "../mm/page_alloc";
import { page_zone } from "../mm/zone";
import { nr_inodes, inode_pages, mapping_pfn, set_mapping_pfn } from "./inode";
import { st_add, mod_file_lru, PGSTEAL_CLEAN } from "./stats";

/** include/linux/swap.h: SWAP_CLUSTER_MAX, the batch direct reclaim tries to free. */
export const SWAP_CLUSTER_MAX: u32 = 32;

const scan_index = new StaticArray<u32>(64);
/** The cursor of reclaim aimed at one zone (the writeback area), apart from the global one. */
const zone_scan_index = new StaticArray<u32>(64);
export function reclaim_reset(): void {
  for (let i = 0; i < 64; i++) { unchecked(scan_index[i] = 0); unchecked(zone_scan_index[i] = 0); }
}

/** Frees clean, unreferenced page-cache folios until `want` pages are freed, scanning at most a bounded
 *  number of cached pages per call (like shrink_lruvec's nr_to_scan): a cache full of dirty or
 *  writeback folios makes reclaim fail fast instead of walking every file. */
export function shrink_page_cache(want: u32): u32 { return shrink_cache(want, NONE, false); }

/** kswapd's reclaim (balance_pgdat): the only context that writes dirty file folios back (6.1/6.6 FUSE). */
export function kswapd_shrink_page_cache(want: u32): u32 { return shrink_cache(want, NONE, true); }

/** PGDAT_DIRTY: the file folios reclaim took were all dirty and not under writeback (shrink_node()). */
let pgdat_dirty: bool = false;
/** clear_pgdat_congested(): kswapd found the node balanced. */
export function clear_pgdat_dirty(): void { pgdat_dirty = false; }

/** The same, freeing only folios of zone z (reclaim with sc->reclaim_idx aimed at a zone, as an allocation
 *  that may only use that zone gets): nocopy-wb-area makes room in its area this way. */
export function shrink_zone_page_cache(z: u32, want: u32): u32 { return shrink_cache(want, z, false); }

function shrink_cache(want: u32, zone: u32, kswapd: bool): u32 {
  const cursor = zone == NONE ? scan_index : zone_scan_index;
  const writepage = g(CFG_FUSE_WRITEPAGE) != 0;
  let taken: u32 = 0, unqueued_dirty: u32 = 0;
  let freed: u32 = 0;
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
        } else if (fuse_writepage(ino, first) == WP_SENT) {
          // written synchronously into a temp page (the original's writeback already ended): free it now
          dirty = false;
        }
        // AOP_WRITEPAGE_ACTIVATE left it clean: activated, freed by a later pass as clean page cache
      }
      busy = busy || dirty;
      if (!busy) {
        for (let k: u32 = 0; k < n; k++) set_mapping_pfn(ino, first + k, NONE);
        __free_pages(head, page_order(head));
        freed += n;
        st_add(PGSTEAL_CLEAN, n);
        mod_file_lru(-<i64>n);
      }
      i = first + n;
    }
    // keep scanning from here next time, unless the file was all busy (start over then)
    unchecked(cursor[ino] = i >= pages ? 0 : i);
  }
  // shrink_node(): allow kswapd to start writing pages once the file folios it takes are all dirty
  if (taken > 0 && unqueued_dirty == taken) pgdat_dirty = true;
  return freed;
}
