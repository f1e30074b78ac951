// mm/vmscan.c: shrink_folio_list() (6.12) for the file folios reclaim isolated, both LRUs' (reclaim.ts's classic
// lists, lru_gen_reclaim.ts's generations). Every folio here is an unmapped FUSE page-cache folio that nothing
// marked accessed (fuse_write_begin() takes its folio without FGP_ACCESSED, nothing here reads through the page
// cache), so folio_check_references() gives FOLIOREF_RECLAIM, and with MGLRU every folio is in tier 0:
// - under writeback: PG_reclaim and activate_locked (kswapd meeting one already marked while PGDAT_WRITEBACK counts
//   it nr_immediate and leaves the flag);
// - dirty: PG_reclaim and activate_locked, unless kswapd meets it marked while PGDAT_DIRTY: then pageout() (a FUSE
//   ->writepage only on 6.1/6.6; without one PAGE_ACTIVATE). PGDAT_DIRTY is set only by the classic shrink_node();
//   with MGLRU reclaim never writes a file folio;
// - held by a pipe (splice): kept;
// - clean: __remove_mapping() and freed (6.1/6.6: order-0 folios together after the list, the last met first).
// activate_locked sets PG_active and counts PGACTIVATE; the caller puts the folios kept back on their LRU.
import { PG_dirty, PG_folio_dirty, PG_folio_writeback, PG_reclaim, page_flags, set_page_flags, page_order, folio_extra_ref, page_next, page_prev } from "../mm/page";
import { param, CFG_FUSE_WRITEPAGE, CFG_RECLAIM_612 } from "../sim/config";
import { __free_pages } from "../mm/page_alloc";
import { fuse_writepage, WP_SENT, WP_ENOMEM, WP_ACTIVATE } from "../fuse/writepage";
import { mapping_pfn, file_page_ino, file_page_index, file_page_id, MAX_INODES } from "./inode";
import { folio_set_active, lru_del, lru_add } from "./lru";
import { filemap_remove_folio, __filemap_remove_folio } from "./folio";
import { sc, pgdat_dirty, pgdat_writeback } from "./scan_control";
import { st_add, NR_VMSCAN_WRITE, PGACTIVATE } from "./stats";

/** The most folios one shrink_folio_list() gets: isolate_lru_folios() takes SWAP_CLUSTER_MAX pages, scan_folios()
 *  MIN_LRU_BATCH (64) pages or MAX_LRU_BATCH (4096) folios scanned. */
export const MAX_ISOLATED: i32 = 4096;
/** The folios the caller isolated (file_page_id() of each head), oldest first. */
export const isolated_folios = new StaticArray<u32>(MAX_ISOLATED);
/** After shrink_folio_list(): the folios kept, in the order they were met (move_folios_to_lru()'s order). */
export const kept_folios = new StaticArray<u32>(MAX_ISOLATED);
export let nr_kept: u32 = 0;
/** 6.1/6.6: the order-0 folios freed, list_add()ed to free_folios in the order they were met. */
const free_folios = new StaticArray<u32>(MAX_ISOLATED);
/** struct reclaim_stat of the last call: pages dirty or under writeback (nr_dirty), under writeback and already
 *  PG_reclaim (nr_congested), dirty and not under writeback, and pages taken. */
export let stat_nr_dirty: u64 = 0;
/** Pages kswapd met under writeback and already marked while PGDAT_WRITEBACK (case 1: nr_immediate). */
export let stat_nr_immediate: u64 = 0;
export let stat_nr_congested: u64 = 0;
export let stat_nr_unqueued_dirty: u64 = 0;
export let stat_nr_taken: u64 = 0;

function activate_locked(head: u32, n: u32): void {
  folio_set_active(head, true);
  st_add(PGACTIVATE, <i64>n);
}

/** shrink_folio_list() of isolated_folios[from, from + k): returns the pages reclaimed; the folios it keeps are in
 *  kept_folios[0, nr_kept). Adds each folio's pages to sc.nr_scanned, and sc.nr_writeback as the kernel's stat. */
export function shrink_folio_list(from: u32, k: u32): u64 {
  const writepage = param(CFG_FUSE_WRITEPAGE) != 0;
  // 6.1/6.6 free order-0 folios after the loop (free_unref_page_list(&free_folios)); 6.12 frees them in batches of
  // a folio_batch, in the order they were met, as if one at a time here
  const batch_at_end = param(CFG_RECLAIM_612) == 0;
  let nr_free: u32 = 0;
  let taken: u64 = 0, unqueued: u64 = 0, freed: u64 = 0, nr_dirty: u64 = 0, congested: u64 = 0, immediate: u64 = 0;
  nr_kept = 0;
  for (let j = from; j < from + k; j++) {
    const e = unchecked(isolated_folios[j]);
    const ino = file_page_ino(e), first = file_page_index(e, ino);
    const head = mapping_pfn(ino, first);
    const n: u32 = <u32>1 << page_order(head);
    taken += n;
    sc.nr_scanned += n;
    const f = page_flags(head);
    const writeback = (f & PG_folio_writeback) != 0;
    let dirty = (f & PG_folio_dirty) != 0;
    for (let i: u32 = 0; i < n && !dirty; i++) dirty = (page_flags(head + i) & PG_dirty) != 0;
    if (dirty || writeback) nr_dirty += n;
    if (dirty && !writeback) unqueued += n;
    // "Treat this folio as congested if folios are cycling through the LRU so quickly that the folios marked for
    // immediate reclaim are making it to the end of the LRU a second time."
    if (writeback && (f & PG_reclaim) != 0) congested += n;
    let keep = true;
    if (writeback) {
      // case 1 (kswapd, marked, PGDAT_WRITEBACK: nr_immediate) leaves the flag as it is; case 2 sets it
      if (!(sc.kswapd && (f & PG_reclaim) != 0 && pgdat_writeback)) { set_page_flags(head, f | PG_reclaim); sc.nr_writeback += n; }
      else immediate += n;
      activate_locked(head, n);
    } else if (dirty && (!sc.kswapd || (f & PG_reclaim) == 0 || !pgdat_dirty)) {
      // "Only kswapd can writeback filesystem folios ...": the first encounter marks it for immediate reclaim
      set_page_flags(head, f | PG_reclaim);
      activate_locked(head, n);
    } else if (dirty && !sc.may_writepage) {
      // keep_locked
    } else if (dirty && folio_extra_ref(head, n)) {
      // pageout(): is_page_cache_freeable() fails while a pipe holds a page: PAGE_KEEP
    } else if (dirty && !writepage) {
      // no ->writepage (6.12+): PAGE_ACTIVATE
      activate_locked(head, n);
    } else {
      let write_kept = false;
      if (dirty) {
        // 6.1/6.6: ->writepage from kswapd (PF_MEMALLOC): the temp page took the data and the folio is not under
        // writeback after it, so PG_reclaim is cleared whatever it returned; AOP_WRITEPAGE_ACTIVATE is
        // PAGE_ACTIVATE (the folio left clean and unwritten), anything else counts NR_VMSCAN_WRITE and is
        // PAGE_SUCCESS: a folio redirtied meanwhile (found in flight) is kept; a clean one is freed below
        const r = fuse_writepage(ino, first);
        set_page_flags(head, page_flags(head) & ~PG_reclaim);
        if (r == WP_ACTIVATE) { activate_locked(head, n); write_kept = true; }
        else {
          st_add(NR_VMSCAN_WRITE, 1);
          write_kept = r != WP_SENT && r != WP_ENOMEM;
        }
      }
      // __remove_mapping(): folio_ref_freeze() fails while a pipe holds a page: keep
      if (!write_kept && !folio_extra_ref(head, n)) {
        if (batch_at_end && n == 1) { __filemap_remove_folio(ino, first, head); unchecked(free_folios[nr_free++] = head); }
        else filemap_remove_folio(ino, first, head); // a large folio: destroy_large_folio() at once
        freed += n;
        keep = false;
      }
    }
    if (keep) unchecked(kept_folios[nr_kept++] = e);
  }
  // free_unref_page_list() walks the list from its head: the folio freed last goes back first
  for (let j = <i32>nr_free - 1; j >= 0; j--) __free_pages(unchecked(free_folios[j]), 0);
  stat_nr_dirty = nr_dirty;
  stat_nr_congested = congested;
  stat_nr_immediate = immediate;
  stat_nr_unqueued_dirty = unqueued;
  stat_nr_taken = taken;
  return freed;
}

/** Pages the last reclaim_clean_pages_from_list() freed (its nr_reclaimed). */
export let clean_reclaimed: u64 = 0;

/** What reclaim_clean_pages_from_list() takes: FUSE page cache (file-LRU) that is not dirty. */
@inline function clean_file_folio(head: u32): bool {
  return page_next(head) < MAX_INODES && (page_flags(head) & PG_folio_dirty) == 0;
}

/**
 * mm/vmscan.c: reclaim_clean_pages_from_list() (6.1.192 and 6.12.118 alike), what __alloc_contig_migrate_range()
 * calls before each migrate_pages(): the folios of the isolated list `heads[0, nr)` (the list's head at nr - 1, as
 * migrate_pages() takes it) that are file-LRU, not dirty, not movable-ops, not hugetlb, not unevictable, lose
 * PG_active (folio_clear_active()) and go through shrink_folio_list() with its own scan_control `{ .gfp_mask =
 * GFP_KERNEL, .may_unmap = 1 }` and ignore_references: not kswapd, may_writepage 0. Here that is FUSE page cache that
 * is not dirty (shmem and anon are swap-backed, not file-LRU). A clean folio is freed (no pgsteal: only
 * shrink_inactive_list() counts that); one under writeback gets PG_reclaim and is activated (PGACTIVATE), one a pipe
 * holds fails __remove_mapping() and is kept as it is; both stay on the list for migrate_pages(). NR_ISOLATED_FILE
 * (lowered by the pages freed) is not modelled. Returns the folios left: the kept ones are list_splice()d back at
 * the list's head, in the reverse of the order shrink_folio_list() met them (it keeps with list_add()), ahead of the
 * folios it did not take. Pages freed in clean_reclaimed.
 * The model keeps isolated folios on their LRU list (migrate.ts puts them back or moves them from there), so each
 * clean folio leaves its list here, as shrink_folio_list() expects, and a kept one goes back on the head of the list
 * its flags name.
 */
export function reclaim_clean_pages_from_list(heads: StaticArray<u32>, nr: u32): u32 {
  // list_for_each_entry_safe() from the list's head; list_move() to clean_folios, whose tail (lru_to_folio()) is the
  // first moved: shrink_folio_list() meets them in the list's order
  let k: u32 = 0, others: u32 = 0;
  for (let i = <i32>nr - 1; i >= 0; i--) {
    const head = unchecked(heads[i]);
    if (clean_file_folio(head)) {
      const ino = page_next(head), index = page_prev(head);
      lru_del(ino, index, head);
      folio_set_active(head, false);
      unchecked(isolated_folios[k++] = file_page_id(ino, index));
    }
  }
  clean_reclaimed = 0;
  if (k == 0) return nr;
  // the folios not taken keep their order at the bottom of heads[]
  for (let i: u32 = 0; i < nr; i++) {
    const head = unchecked(heads[i]);
    if (!clean_file_folio(head)) unchecked(heads[others++] = head);
  }
  // current_is_kswapd() is false and sc.may_writepage 0 for this call; the reclaimer's own scan_control (one
  // could be between its steps) is left as it was
  const was_kswapd = sc.kswapd, was_may_writepage = sc.may_writepage, was_scanned = sc.nr_scanned, was_writeback = sc.nr_writeback;
  sc.kswapd = false;
  sc.may_writepage = false;
  clean_reclaimed = shrink_folio_list(0, k);
  sc.kswapd = was_kswapd; sc.may_writepage = was_may_writepage; sc.nr_scanned = was_scanned; sc.nr_writeback = was_writeback;
  // list_splice(&clean_folios, folio_list): the kept folios, the last kept at the head
  let n = others;
  for (let j: u32 = 0; j < nr_kept; j++) {
    const e = unchecked(kept_folios[j]);
    const ino = file_page_ino(e), index = file_page_index(e, ino);
    const head = mapping_pfn(ino, index);
    lru_add(ino, index, head, false);
    unchecked(heads[n++] = head);
  }
  return n;
}
