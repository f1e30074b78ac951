// Page-cache folios: allocation on write (__filemap_get_folio with FGP_WRITEBEGIN), per-block dirty and
// writeback state (iomap_folio_state: one block per 4 KiB page), and the folio-level flags and counters.
import { NONE, GFP_LRU, __GFP_MOVABLE, __GFP_WRITE } from "../mm/constants";
import {
  PG_dirty, PG_writeback, PG_folio_dirty, PG_folio_writeback, PG_uptodate, PG_reclaim, PG_active, page_flags, set_page_flags,
  page_order, set_page_next, set_page_prev, page_next, page_prev, page_ref,
} from "../mm/page";
import { __alloc_pages, __free_pages, alloc_pages_after_reclaim } from "../mm/page_alloc";
import {
  set_mapping_pfn, mapping_pfn, set_dirty_bit, clear_dirty_bit, clear_unwritten_bit, ino_nr_dirty,
  folio_wb_pending, set_folio_wb_pending, inode_pages,
} from "./inode";
import { mark_inode_dirty_pages } from "./writeback";
import { mod_dirty, mod_writeback, mod_file_lru, st_add, wb_stat_mod, FOLIO_ALLOC_FAILS, FOLIOS_ALLOCATED, WB_DIRTIED, PGROTATED } from "./stats";
import { lru_add, lru_del, folio_test_lru, folio_add_lru } from "./lru";
import { acct_reclaim_writeback } from "./kswapd";
import { data_zero } from "../sim/data";
import { writeback_temp_copy } from "../sim/mechanisms";
import { param, cost_ns, CFG_WB_ACCT, COST_PAGECACHE_REMOVE } from "../sim/config";
import { charge } from "../sim/charge";

/** The slow path a large folio gets (direct_compact.ts alloc_pages_noretry(), set by sim_init; a hook rather than
 *  an import, which would run compaction's module set-up before migrate.ts's, as mm/slab.ts says). */
let alloc_folio_noretry: (gfp: u32, order: u32) => u32 = alloc_folio_fast;
function alloc_folio_fast(gfp: u32, order: u32): u32 { return __alloc_pages(gfp, order); }
export function set_folio_noretry_hook(f: (gfp: u32, order: u32) => u32): void { alloc_folio_noretry = f; }

/** GFP_HIGHUSER_MOVABLE: page-cache folios are movable and go on the LRU at once. */
/** GFP_HIGHUSER_MOVABLE (FUSE's mapping_gfp_mask) with __GFP_WRITE: every page-cache folio here is allocated to be
 *  written (fuse_write_begin() and fuse_fill_write_pages(): __filemap_get_folio(FGP_WRITEBEGIN), and FUSE's bdi
 *  keeps BDI_CAP_WRITEBACK). */
export const GFP_PAGECACHE: u32 = __GFP_MOVABLE | GFP_LRU | __GFP_WRITE;

@inline export function folio_head(pfn: u32): u32 { return pfn & ~((<u32>1 << page_order(pfn)) - 1); }
@inline export function folio_nr_pages(head: u32): u32 { return <u32>1 << page_order(head); }
@inline export function folio_test(head: u32, flag: u32): bool { return (page_flags(head) & flag) != 0; }
@inline function set_bits(pfn: u32, f: u32): void { set_page_flags(pfn, page_flags(pfn) | f); }
@inline function clear_bits(pfn: u32, f: u32): void { set_page_flags(pfn, page_flags(pfn) & ~f); }

/** mm/page-writeback.c: folio_mark_dirty() clears PG_reclaim before ->dirty_folio(): "if the folio is redirtied,
 *  the flag will be reset", whether or not the folio was clean (folio_redirty_for_writepage() does not). */
@inline export function folio_clear_reclaim(head: u32): void {
  const f = page_flags(head);
  if ((f & PG_reclaim) != 0) set_page_flags(head, f & ~PG_reclaim);
}

/**
 * mm/filemap.c: __filemap_get_folio(FGP_CREAT) for a write at `index` of `len_pages`: the order follows the
 * write's length (fgf_set_order), the index's alignment and the mapping's max folio order, and falls back
 * to smaller orders when the allocation fails. Returns the head PFN or NONE (the order reached is in
 * page_order(head)). Every page's owner words record (inode, index) for migration and reclaim.
 */
export function filemap_alloc_folio(ino: u32, index: u32, len_pages: u32, max_order: u32, file_pages: u32, after_reclaim: bool = false): u32 {
  let order: u32 = 0;
  while (order < max_order && (<u32>2 << order) <= len_pages) order++;
  if (index != 0 && order > <u32>ctz(index)) order = <u32>ctz(index);
  // a folio must not reach past the file's end, and must not cover an index already cached
  while (order > 0 && index + (<u32>1 << order) > file_pages) order--;
  while (order > 0) {
    let clear = true;
    for (let i: u32 = 0; i < (<u32>1 << order); i++) if (mapping_pfn(ino, index + i) != NONE) { clear = false; break; }
    if (clear) break;
    order--;
  }
  while (true) {
    // __filemap_get_folio(): an order above the mapping's minimum (0) is asked for with __GFP_NORETRY: one round of
    // the slow path (reclaim and compaction), then the next order down; order 0 is the caller's (grab_folio())
    const head = after_reclaim ? alloc_pages_after_reclaim(GFP_PAGECACHE, order)
      : order > 0 ? alloc_folio_noretry(GFP_PAGECACHE, order) : __alloc_pages(GFP_PAGECACHE, order);
    if (head != NONE) {
      const n: u32 = <u32>1 << order;
      for (let i: u32 = 0; i < n; i++) {
        set_page_next(head + i, ino);
        set_page_prev(head + i, index + i);
        set_mapping_pfn(ino, index + i, head + i);
      }
      st_add(FOLIOS_ALLOCATED, 1);
      mod_file_lru(<i64>n);
      folio_add_lru(ino, index, head, n); // filemap_add_folio() -> folio_add_lru(): the inactive list's head
      data_zero(head, n);
      return head;
    }
    st_add(FOLIO_ALLOC_FAILS, 1);
    if (order == 0) return NONE;
    order--;
  }
  return NONE;
}

/** iomap_set_range_dirty() + filemap_dirty_folio(): the blocks [pfn, pfn+n) become dirty; the folio is
 *  accounted dirty (all its pages, as folio_account_dirtied does) when it was clean. Returns true if the
 *  folio went from clean to dirty. */
@inline export function folio_mark_blocks_dirty(ino: u32, index: u32, pfn: u32, n: u32): bool {
  const head = folio_head(pfn);
  for (let i: u32 = 0; i < n; i++) {
    if ((page_flags(pfn + i) & PG_dirty) == 0) {
      set_bits(pfn + i, PG_dirty | PG_uptodate);
      set_dirty_bit(ino, index + i);
      clear_unwritten_bit(ino, index + i); // dirty again: it will be written after all
      // __mark_inode_dirty(I_DIRTY_PAGES): a clean inode is dated and joins b_dirty (fs/wb_lists.ts)
      mark_inode_dirty_pages(ino);
      unchecked(ino_nr_dirty[ino] += 1);
    }
  }
  if (folio_test(head, PG_folio_dirty)) return false;
  set_bits(head, PG_folio_dirty);
  // folio_account_dirtied(): NR_FILE_DIRTY, WB_RECLAIMABLE, WB_DIRTIED (the task's nr_dirtied is the
  // writer's: task_account_dirtied())
  mod_dirty(<i64>folio_nr_pages(head));
  wb_stat_mod(WB_DIRTIED, <i64>folio_nr_pages(head));
  return true;
}

/** folio_clear_dirty_for_io() + iomap's per-block clear: returns the number of dirty blocks cleared. */
export function folio_clear_dirty_for_io(ino: u32, head: u32, first_index: u32): u32 {
  const n = folio_nr_pages(head);
  let cleared: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if ((page_flags(head + i) & PG_dirty) != 0) {
      clear_bits(head + i, PG_dirty);
      clear_dirty_bit(ino, first_index + i);
      cleared++;
    }
  }
  unchecked(ino_nr_dirty[ino] -= cleared);
  if (folio_test(head, PG_folio_dirty)) {
    clear_bits(head, PG_folio_dirty);
    mod_dirty(-<i64>n);
  }
  return cleared;
}

// fs/iomap/buffered-io.c: iomap_start_folio_write() adds to the folio's ifs->write_bytes_pending and
// iomap_finish_folio_write() ends the folio's writeback when atomic_sub_and_test() brings it to 0 (6.17): a
// counter per folio, not a walk of its blocks. Here the counter is in blocks and counts the blocks whose
// PG_writeback bit is set (a bit set twice counts once), so the folio ends exactly when its last bit clears.
// It is kept per file index of the folio's head, whose owner words are (inode, index), for large folios only: a
// one-block folio has no iomap_folio_state (ifs_alloc() allocates none for a single block), and
// iomap_finish_folio_write() ends its writeback at once (`!ifs`); its block's PG_writeback bit is all there is.

/** What a folio under writeback adds to the wb's WB_WRITEBACK. __folio_start_writeback() counts it only with
 *  BDI_CAP_WRITEBACK_ACCT (the copy-free path on 6.18+: the folio's pages); NR_WRITEBACK it counts always. Before
 *  that, fuse_bdi_init() clears the flag and FUSE counts WB_WRITEBACK itself: the temp page on the legacy path
 *  (legacy.ts), one inc_wb_stat() per folio on 6.16's copy-free path (fuse_writepage_args_page_fill()). */
function wb_writeback_charge(head: u32): i64 {
  if (writeback_temp_copy) return 0;
  return param(CFG_WB_ACCT) != 0 ? <i64>folio_nr_pages(head) : 1;
}

/** folio_start_writeback() for the folio, with the per-block writeback bit on block pfn. */
export function folio_start_writeback_block(pfn: u32): void {
  const head = folio_head(pfn);
  const f = page_flags(pfn);
  if ((f & PG_writeback) == 0) {
    set_page_flags(pfn, f | PG_writeback);
    if (page_order(head) != 0) {
      const ino = page_next(head), index = page_prev(head);
      set_folio_wb_pending(ino, index, folio_wb_pending(ino, index) + 1);
    }
  }
  if (!folio_test(head, PG_folio_writeback)) {
    set_bits(head, PG_folio_writeback);
    mod_writeback(<i64>folio_nr_pages(head), wb_writeback_charge(head));
  }
}

/** iomap_finish_folio_write(): clears the block's writeback bit; when no block of the folio is left under
 *  writeback, folio_end_writeback(). Returns true when the folio's writeback ended. */
@inline export function folio_end_writeback_block(pfn: u32): bool {
  const head = folio_head(pfn);
  const ino = page_next(head), index = page_prev(head);
  const f = page_flags(pfn);
  if (page_order(head) == 0) {
    // a one-block folio has no iomap_folio_state (ifs_alloc()): its writeback ends with its block's
    if ((f & PG_writeback) != 0) set_page_flags(pfn, f & ~PG_writeback);
  } else {
    let pending = folio_wb_pending(ino, index);
    if ((f & PG_writeback) != 0) {
      set_page_flags(pfn, f & ~PG_writeback);
      set_folio_wb_pending(ino, index, --pending);
    }
    if (pending != 0) return false;
  }
  // folio_end_writeback(): a folio reclaim marked loses the mark, then goes to the inactive tail (MGLRU: the oldest
  // generation's), to be freed next, unless it is locked; PG_writeback is cleared after (__folio_end_writeback())
  if ((page_flags(head) & PG_reclaim) != 0) {
    clear_bits(head, PG_reclaim);
    if (!folio_locked) folio_rotate_reclaimable(ino, index, head);
  }
  clear_bits(head, PG_folio_writeback);
  mod_writeback(-<i64>folio_nr_pages(head), -wb_writeback_charge(head));
  acct_reclaim_writeback(folio_nr_pages(head));
  return true;
}

/** The folio whose writeback ends is locked by its caller (folio_test_locked() in folio_rotate_reclaimable()):
 *  legacy fuse_writepages_fill() ending a secondary request's page, and 6.1/6.6's ->writepage (reclaim's pageout(),
 *  migration's writeout()), which end writeback on the page they were called with locked. */
let folio_locked: bool = false;
export function set_folio_locked(on: bool): void { folio_locked = on; }

// mm/swap.c: folio_rotate_reclaimable() -> lru_move_tail() (6.12): a clean folio on the LRU leaves its list for
// the inactive tail, PG_active cleared. (The kernel moves it through a per-cpu batch of 31; here at once.)
function folio_rotate_reclaimable(ino: u32, index: u32, head: u32): void {
  if ((page_flags(head) & PG_folio_dirty) != 0 || !folio_test_lru(ino, index)) return;
  lru_del(ino, index, head);
  clear_bits(head, PG_active);
  lru_add(ino, index, head, true);
  st_add(PGROTATED, <i64>folio_nr_pages(head));
}

/** mm/filemap.c: filemap_remove_folio() and the last folio_put(): the clean, unreferenced folio at `head`, whose
 *  first page is file index `first`, leaves the page cache and the file LRU and is freed (reclaim and invalidation). */
export function filemap_remove_folio(ino: u32, first: u32, head: u32): void {
  __filemap_remove_folio(ino, first, head);
  __free_pages(head, page_order(head)); // the freed head's word is rewritten whole, PG_active with it
}

/** __filemap_remove_folio(): the folio leaves the page cache and the file LRU; the caller frees it (6.1/6.6 reclaim
 *  frees its order-0 folios together at the end of shrink_folio_list()). */
export function __filemap_remove_folio(ino: u32, first: u32, head: u32): void {
  const n = folio_nr_pages(head);
  lru_del(ino, first, head);
  for (let k: u32 = 0; k < n; k++) set_mapping_pfn(ino, first + k, NONE);
  mod_file_lru(-<i64>n);
}

/** mm/truncate.c: invalidate_inode_pages2() as the open calls it (6.12: fuse_open(); 6.1: fuse_open_common()) when
 *  the server's open reply has no FOPEN_KEEP_CACHE (passthrough_ll's default cache mode): every cached folio of the
 *  file leaves the page cache and is freed. A folio still dirty or under writeback is left (the kernel waits for
 *  the writeback and launders a dirty one, folio_launder(); after fio's close(2) there is none), and so is one still
 *  referenced (a pipe held past the reply, splice_hold): the kernel removes it and frees it at its last reference,
 *  which the model cannot keep apart from the cache. Each folio removed is charged to the caller (pagecache_remove:
 *  the opening task's time). Returns the pages freed. */
export function invalidate_inode_pages2(ino: u32): u32 { return mapping_try_invalidate(ino); }

/** mm/truncate.c: mapping_try_invalidate() over the whole file (posix_fadvise(POSIX_FADV_DONTNEED)):
 *  mapping_evict_folio() removes each folio that is clean, not under writeback and not referenced beyond the page
 *  cache, charged pagecache_remove to the caller, and leaves the rest. Returns the pages freed. */
export function mapping_try_invalidate(ino: u32): u32 {
  const pages = inode_pages(ino);
  let freed: u32 = 0;
  let i: u32 = 0;
  while (i < pages) {
    const pfn = mapping_pfn(ino, i);
    if (pfn == NONE) { i++; continue; }
    const head = folio_head(pfn);
    const n = folio_nr_pages(head);
    const first = i - (pfn - head);
    let busy = (page_flags(head) & (PG_folio_dirty | PG_folio_writeback)) != 0;
    for (let k: u32 = 0; k < n && !busy; k++) busy = page_ref(head + k) > 1 || (page_flags(head + k) & (PG_dirty | PG_writeback)) != 0;
    if (!busy) {
      filemap_remove_folio(ino, first, head);
      charge(cost_ns(COST_PAGECACHE_REMOVE));
      freed += n;
    }
    i = first + n;
  }
  return freed;
}
