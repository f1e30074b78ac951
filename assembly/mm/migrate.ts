// Page migration (mm/migrate.c): move a movable folio to a new one. The outcomes follow the kernel: a folio
// under writeback gets -EBUSY in MIGRATE_ASYNC and MIGRATE_SYNC_LIGHT, and is waited on in MIGRATE_SYNC
// (migrate_folio_unmap); extra references (a pipe holding spliced pages) give -EAGAIN
// (folio_migrate_mapping's refcount check); pages that are not on the LRU (temp pages, slab) never move.
import { NONE } from "./constants";
import {
  PG_lru, PG_head, PG_owner, PG_temp, PG_folio_writeback, PG_folio_dirty, page_flags, set_page_flags, page_order, page_ref,
  page_next, page_prev, set_page_next, set_page_prev, page_alloc_mt,
} from "./page";
import { __free_pages } from "./page_alloc";
import { OWNER_ANON, anon_set_pfn } from "./anon";
import { MAX_INODES, OWNER_SHMEM, set_mapping_pfn, set_backing_pfn } from "../fs/inode";
import {
  st_add, MIGRATE_FAIL_WRITEBACK, MIGRATE_FAIL_UNMOVABLE, MIGRATE_FAIL_PINNED, MIGRATE_FAIL_NOMEM, MIGRATE_FAIL_DIRTY,
  PGMIGRATE_SUCCESS,
} from "../fs/stats";
import { g, CFG_POLICY, CFG_FUSE_WRITEPAGE, POLICY_NOCOPY_MIGRATE_SKIP, POLICY_NOCOPY_CANCEL } from "../sim/config";
import { fuse_writepage } from "../fuse/writepage";
import { fuse_cancel_folio_writeback } from "../fuse/cancel";
import { data_copy_page } from "../sim/data";

export const MIGRATE_ASYNC: u32 = 0;
export const MIGRATE_SYNC_LIGHT: u32 = 1;
export const MIGRATE_SYNC: u32 = 2;

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

/**
 * Migrates the folio at `head` into a new folio from `alloc_target(order)` (NONE if none). Counts the
 * failure reason. The writeback rule depends on the policy: nocopy waits in MIGRATE_SYNC,
 * nocopy-migrate-skip never waits on these mappings (the rejected v6 patch), nocopy-cancel cancels the
 * writeback (impossible once spliced).
 */
export function migrate_folio(head: u32, mode: u32, alloc_target: (order: u32) => u32): i32 {
  if (!folio_isolatable(head)) { st_add(MIGRATE_FAIL_UNMOVABLE, 1); return ENOTMOVABLE; }
  const order = page_order(head);
  const n: u32 = <u32>1 << order;
  if ((page_flags(head) & PG_folio_writeback) != 0) {
    const policy = <u32>g(CFG_POLICY);
    if (policy == POLICY_NOCOPY_CANCEL && is_pagecache(head)) {
      if (!fuse_cancel_folio_writeback(head)) { st_add(MIGRATE_FAIL_PINNED, 1); return EBUSY; }
    } else if (policy == POLICY_NOCOPY_MIGRATE_SKIP && is_pagecache(head)) {
      st_add(MIGRATE_FAIL_WRITEBACK, 1);
      return EBUSY;
    } else if (mode != MIGRATE_SYNC) {
      st_add(MIGRATE_FAIL_WRITEBACK, 1);
      return EBUSY;
    } else {
      return MIGRATE_WAIT;
    }
  }
  // 6.1/6.6: FUSE has no ->migrate_folio, so move_to_new_folio() takes fallback_migrate_folio(): a dirty folio
  // moves only in MIGRATE_SYNC, and then only after writeout() has sent it through ->writepage (-EAGAIN: the
  // caller retries the then clean folio)
  if (g(CFG_FUSE_WRITEPAGE) != 0 && is_pagecache(head) && (page_flags(head) & PG_folio_dirty) != 0) {
    if (mode != MIGRATE_SYNC) { st_add(MIGRATE_FAIL_DIRTY, 1); return EBUSY; }
    fuse_writepage(page_next(head), page_prev(head));
    return EAGAIN;
  }
  for (let i: u32 = 0; i < n; i++) {
    if (page_ref(head + i) > 1) { st_add(MIGRATE_FAIL_PINNED, 1); return EAGAIN; }
  }
  const dst = alloc_target(order);
  if (dst == NONE) { st_add(MIGRATE_FAIL_NOMEM, 1); return ENOMEM; }
  move_folio(head, dst, n);
  st_add(PGMIGRATE_SUCCESS, n);
  return MIGRATEPAGE_SUCCESS;
}

/** folio_migrate_mapping() + folio_migrate_flags(): the new folio takes the old one's place and state. */
export function move_folio(src: u32, dst: u32, n: u32): void {
  const owner = page_next(src);
  for (let i: u32 = 0; i < n; i++) {
    data_copy_page(dst + i, src + i); // folio_copy()
    set_page_flags(dst + i, page_flags(src + i));
    set_page_next(dst + i, page_next(src + i));
    set_page_prev(dst + i, page_prev(src + i));
    if (owner < MAX_INODES) set_mapping_pfn(owner, page_prev(src + i), dst + i);
    else if (owner - OWNER_SHMEM < MAX_INODES) set_backing_pfn(owner - OWNER_SHMEM, page_prev(src + i), dst + i);
  }
  if (owner == OWNER_ANON) anon_set_pfn(page_prev(src), dst);
  // __free_pages() clears the source's state; it went to the destination
  __free_pages(src, page_order(src));
}
