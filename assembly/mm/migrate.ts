// Page migration (mm/migrate.c): move a movable folio to a new one. The outcomes follow the kernel: a folio
// under writeback gets -EBUSY in MIGRATE_ASYNC and MIGRATE_SYNC_LIGHT, and is waited on in MIGRATE_SYNC
// (migrate_folio_unmap); extra references (a pipe holding spliced pages) give -EAGAIN
// (folio_migrate_mapping's refcount check); pages that are not on the LRU (temp pages, slab) never move.
import { NONE } from "./constants";
import {
  PG_lru, PG_head, PG_owner, PG_temp, PG_folio_writeback, PG_folio_dirty, page_flags, set_page_flags, page_order, folio_extra_ref,
  page_next, page_prev, set_page_next, set_page_prev, page_alloc_mt,
} from "./page";
import { __free_pages } from "./page_alloc";
import { OWNER_ANON, anon_set_pfn } from "./anon";
import { MAX_INODES, OWNER_SHMEM, set_mapping_pfn, set_backing_pfn } from "../fs/inode";
import { lru_add, lru_del, folio_test_lru } from "../fs/lru";
import {
  st_add, WRITEOUT_TEMP_MISSES, PGMIGRATE_SUCCESS, PGMIGRATE_FAIL, PGMIGRATE_FAIL_COMPACTION, PGMIGRATE_FAIL_CONTIG_RANGE,
} from "../fs/stats";
import { param, CFG_FUSE_WRITEPAGE } from "../sim/config";
import { migrate_writeback, MIGRATE_WB_SKIP, MIGRATE_WB_CANCEL } from "../sim/mechanisms";
import { fuse_writepage, WP_ENOMEM } from "../fuse/writepage";
import { fuse_cancel_folio_writeback } from "../fuse/cancel";
import { data_copy_page } from "../sim/data";

// include/linux/migrate_mode.h
export const MIGRATE_ASYNC: u32 = 0;
export const MIGRATE_SYNC_LIGHT: u32 = 1;
export const MIGRATE_SYNC: u32 = 2;

// include/linux/migrate_mode.h: enum migrate_reason, the `reason` of the mm_migrate_pages tracepoint
export const MR_COMPACTION: u32 = 0;
export const MR_MEMORY_HOTPLUG: u32 = 2;
export const MR_SYSCALL: u32 = 3;
export const MR_CONTIG_RANGE: u32 = 6;

/** mm/migrate.c: NR_MAX_MIGRATE_PAGES_RETRY: passes over folios that got -EAGAIN. */
const NR_MAX_MIGRATE_PAGES_RETRY: i32 = 10;

export const MIGRATEPAGE_SUCCESS: i32 = 0;
export const EAGAIN: i32 = -11;
export const ENOMEM: i32 = -12;
export const EBUSY: i32 = -16;
/** Not an LRU folio: isolation fails (temp pages, slab, page tables...). */
export const ENOTMOVABLE: i32 = -95;
/** MIGRATE_SYNC must wait for this folio's writeback to end (the caller waits on the virtual clock). */
export const MIGRATE_WAIT: i32 = 1;

/** Is this an allocated LRU folio head that isolate_migratepages_block() would take? */
export function folio_isolatable(pfn: u32): bool {
  const f = page_flags(pfn);
  return (f & (PG_owner | PG_head | PG_lru)) == (PG_owner | PG_head | PG_lru) && (f & PG_temp) == 0;
}

/** A FUSE page-cache folio (copy-free writeback applies to it). */
@inline function is_pagecache(head: u32): bool { return page_next(head) < MAX_INODES; }

/** Does writeback keep the folio at `head` from being isolated by compaction (ISOLATE_ASYNC_MIGRATE, set for
 *  every mode but MIGRATE_SYNC: isolate_migratepages_block() takes only folios it can migrate without blocking)?
 *  The cancel remedy (MIGRATE_WB_CANCEL) isolates a FUSE folio anyway, to cancel its writeback in migrate_folio(). */
export function writeback_blocks_isolation(head: u32): bool {
  if ((page_flags(head) & PG_folio_writeback) == 0) return false;
  return !(migrate_writeback == MIGRATE_WB_CANCEL && is_pagecache(head));
}

/** The target a failed migration hands back (put_new_folio(): compaction_free(), or folio_put() for callers that
 *  pass none). */
export type FreeTarget = (dst: u32, order: u32) => void;

/** folio_put() of an unused target: the allocator takes it back (migrate_folio_undo_dst() without put_new_folio). */
export function put_target(dst: u32, order: u32): void { __free_pages(dst, order); }

/**
 * Migrates the folio at `head` into a new folio: migrate_folio_unmap() and migrate_folio_move() for one folio.
 * As there, the target comes first (get_new_folio(): `alloc_target(order)`, -ENOMEM if it gives NONE), so a
 * folio that then fails still asks for one (compaction's free scanner runs for it) and gives it back through
 * `free_target` (migrate_folio_undo_dst()). The writeback rule is the migrate mechanism (mechanisms.ts): the
 * kernel waits in MIGRATE_SYNC, skip never waits on these mappings (the rejected v6 patch), cancel cancels the
 * writeback (impossible once spliced). MIGRATE_WAIT gives the target back too: the kernel sleeps in
 * folio_wait_writeback() holding it, the model's caller retries the folio when the writeback ends.
 * Counts nothing: migrate_pages() does.
 */
export function migrate_folio(head: u32, mode: u32, alloc_target: (order: u32) => u32, free_target: FreeTarget): i32 {
  if (!folio_isolatable(head)) return ENOTMOVABLE;
  const order = page_order(head);
  const dst = alloc_target(order);
  if (dst == NONE) return ENOMEM;
  const r = migrate_folio_ready(head, mode);
  if (r != MIGRATEPAGE_SUCCESS) { free_target(dst, order); return r; }
  move_folio(head, dst, <u32>1 << order);
  return MIGRATEPAGE_SUCCESS;
}

/** What stops the folio at `head` from moving now: its writeback (migrate_folio_unmap()), 6.1/6.6's dirty FUSE
 *  folio (fallback_migrate_folio()), an extra reference (folio_migrate_mapping()); MIGRATEPAGE_SUCCESS if none. */
function migrate_folio_ready(head: u32, mode: u32): i32 {
  if ((page_flags(head) & PG_folio_writeback) != 0) {
    if (migrate_writeback == MIGRATE_WB_CANCEL && is_pagecache(head)) {
      if (!fuse_cancel_folio_writeback(head)) return EBUSY;
    } else if (migrate_writeback == MIGRATE_WB_SKIP && is_pagecache(head)) {
      return EBUSY;
    } else if (mode != MIGRATE_SYNC) {
      return EBUSY;
    } else {
      return MIGRATE_WAIT;
    }
  }
  // 6.1/6.6: FUSE has no ->migrate_folio, so move_to_new_folio() takes fallback_migrate_folio(): a dirty folio
  // moves only in MIGRATE_SYNC, and then only after writeout() has sent it through ->writepage (-EAGAIN: the
  // caller retries the then clean folio). Compaction never gets here with one (compaction_isolate.ts).
  if (param(CFG_FUSE_WRITEPAGE) != 0 && is_pagecache(head) && (page_flags(head) & PG_folio_dirty) != 0) {
    if (mode != MIGRATE_SYNC) return EBUSY;
    // mm/migrate.c writeout(): its GFP_NOFS temp page loops in the kernel's allocator; the model's fails after one
    // round of reclaim (README differences), counted
    if (fuse_writepage(page_next(head), page_prev(head)) == WP_ENOMEM) st_add(WRITEOUT_TEMP_MISSES, 1);
    return EAGAIN;
  }
  // folio_migrate_mapping(): a reference beyond the mapping's (a pipe holding spliced pages) is -EAGAIN
  if (folio_extra_ref(head, <u32>1 << page_order(head))) return EAGAIN;
  return MIGRATEPAGE_SUCCESS;
}

// mm/migrate.c: a folio that was isolated and not migrated goes back on its LRU list's head (folio_putback_lru()
// -> folio_add_lru())
export function putback_lru(head: u32): void {
  const owner = page_next(head), index = page_prev(head);
  if (owner >= MAX_INODES || !folio_test_lru(owner, index)) return;
  lru_del(owner, index, head);
  lru_add(owner, index, head, false);
}

/** mm/migrate.c: migrate_pages() of one folio: -EAGAIN is retried, NR_MAX_MIGRATE_PAGES_RETRY (10) passes (6.1:
 *  every mode; 6.12: MIGRATE_ASYNC; its other modes make 3 passes in MIGRATE_ASYNC, then 7 in their own,
 *  migrate_pages_sync(): the same outcome for every folio here, where no time passes between passes); the
 *  outcome counted in pgmigrate_success or pgmigrate_fail (pages) and, for a failure, under its reason. */
export function migrate_one(head: u32, mode: u32, reason: u32, alloc_target: (order: u32) => u32, free_target: FreeTarget): i32 {
  const n = <i64>1 << page_order(head);
  let r: i32 = EAGAIN;
  for (let pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && r == EAGAIN; pass++) r = migrate_folio(head, mode, alloc_target, free_target);
  if (r == MIGRATEPAGE_SUCCESS) { st_add(PGMIGRATE_SUCCESS, n); return r; }
  if (r == MIGRATE_WAIT) return r; // MIGRATE_SYNC sleeps in folio_wait_writeback(): not a failure (yet)
  if (r != ENOTMOVABLE) putback_lru(head);
  st_add(PGMIGRATE_FAIL, n);
  if (reason == MR_COMPACTION) st_add(PGMIGRATE_FAIL_COMPACTION, n);
  else if (reason == MR_CONTIG_RANGE) st_add(PGMIGRATE_FAIL_CONTIG_RANGE, n);
  return r;
}

/** The folio the last MIGRATE_SYNC migrate_pages() stopped at to wait for its writeback, NONE if it did not. */
export let migrate_wait_pfn: u32 = NONE;

/** mm/migrate.c: migrate_pages() over `nr` isolated folios, the list's head first (list_add() put the last
 *  isolated there): returns how many failed, or ENOMEM when no target could be had (the rest go back
 *  uncounted, as migrate_pages_batch() does after -ENOMEM). The folios that failed stay on the list
 *  (`list_splice(&ret_folios, from)`), in heads[0, failed) in the order they were met, so a caller that retries
 *  the list (__alloc_contig_migrate_range()) meets them in the same order again. MIGRATE_SYNC waiting on a folio's
 *  writeback returns at once with the folio in migrate_wait_pfn (NONE otherwise; the model's caller keeps its range
 *  isolated and walks it again when the writeback ends; the folios not reached yet stay where they are). */
export function migrate_pages(heads: StaticArray<u32>, nr: u32, mode: u32, reason: u32, alloc_target: (order: u32) => u32, free_target: FreeTarget): i32 {
  let failed: i32 = 0;
  migrate_wait_pfn = NONE;
  // failed folios are kept from the top of heads[] down, so that heads[nr - failed, nr) holds them in their order
  let keep = <i32>nr;
  for (let i = <i32>nr - 1; i >= 0; i--) {
    const head = unchecked(heads[i]);
    const r = migrate_one(head, mode, reason, alloc_target, free_target);
    if (r == ENOMEM) {
      // putback_movable_pages() of the rest
      for (let j = i - 1; j >= 0; j--) if (folio_isolatable(unchecked(heads[j]))) putback_lru(unchecked(heads[j]));
      return ENOMEM;
    }
    if (r == MIGRATE_WAIT) { migrate_wait_pfn = head; return failed; }
    if (r != MIGRATEPAGE_SUCCESS) { failed++; unchecked(heads[--keep] = head); }
  }
  // move them down to heads[0, failed), the list's head (the first met) at the top as before
  for (let k: i32 = 0; k < failed; k++) unchecked(heads[k] = unchecked(heads[keep + k]));
  return failed;
}

/** folio_migrate_mapping() + folio_migrate_flags(): the new folio takes the old one's place and state. */
export function move_folio(src: u32, dst: u32, n: u32): void {
  const owner = page_next(src);
  // isolation took the source off the file LRU; migrate_folio_move() -> folio_add_lru(dst): the new folio goes
  // on the head of the list the flags it inherits name
  const on_lru = owner < MAX_INODES && folio_test_lru(owner, page_prev(src));
  if (on_lru) lru_del(owner, page_prev(src), src);
  for (let i: u32 = 0; i < n; i++) {
    data_copy_page(dst + i, src + i); // folio_copy()
    set_page_flags(dst + i, page_flags(src + i));
    set_page_next(dst + i, page_next(src + i));
    set_page_prev(dst + i, page_prev(src + i));
    if (owner < MAX_INODES) set_mapping_pfn(owner, page_prev(src + i), dst + i);
    else if (owner - OWNER_SHMEM < MAX_INODES) set_backing_pfn(owner - OWNER_SHMEM, page_prev(src + i), dst + i);
  }
  if (owner == OWNER_ANON) anon_set_pfn(page_prev(src), dst);
  if (on_lru) lru_add(owner, page_prev(dst), dst, false);
  // __free_pages() clears the source's state; it went to the destination
  __free_pages(src, page_order(src));
}
