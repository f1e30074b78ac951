// Reclaim of clean page cache under memory pressure (mm/vmscan.c, shrink_folio_list on clean file folios):
// oldest file data first; never a dirty folio, one under writeback, or one with extra references (a pipe).
import { NONE } from "../mm/constants";
import { PG_dirty, PG_folio_dirty, PG_folio_writeback, page_flags, page_order, page_ref } from "../mm/page";
import { __free_pages } from "../mm/page_alloc";
import { page_zone } from "../mm/zone";
import { nr_inodes, inode_pages, mapping_pfn, set_mapping_pfn } from "./inode";
import { st_add, mod_file_lru, PGSTEAL_CLEAN } from "./stats";

const scan_index = new StaticArray<u32>(64);
/** The cursor of reclaim aimed at one zone (the writeback area), apart from the global one. */
const zone_scan_index = new StaticArray<u32>(64);
export function reclaim_reset(): void {
  for (let i = 0; i < 64; i++) { unchecked(scan_index[i] = 0); unchecked(zone_scan_index[i] = 0); }
}

/** Frees clean, unreferenced page-cache folios until `want` pages are freed, scanning at most a bounded
 *  number of cached pages per call (like shrink_lruvec's nr_to_scan): a cache full of dirty or
 *  writeback folios makes reclaim fail fast instead of walking every file. */
export function shrink_page_cache(want: u32): u32 { return shrink_cache(want, NONE); }

/** The same, freeing only folios of zone z (reclaim with sc->reclaim_idx aimed at a zone, as an allocation
 *  that may only use that zone gets): nocopy-wb-area makes room in its area this way. */
export function shrink_zone_page_cache(z: u32, want: u32): u32 { return shrink_cache(want, z); }

function shrink_cache(want: u32, zone: u32): u32 {
  const cursor = zone == NONE ? scan_index : zone_scan_index;
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
      let busy = (page_flags(head) & (PG_folio_dirty | PG_folio_writeback)) != 0 || (zone != NONE && page_zone(head) != zone);
      for (let k: u32 = 0; k < n && !busy; k++) busy = page_ref(head + k) > 1 || (page_flags(head + k) & PG_dirty) != 0;
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
  return freed;
}
