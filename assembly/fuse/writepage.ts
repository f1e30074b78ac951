// fs/fuse/file.c (6.1, 6.6): fuse_writepage(), the ->writepage that only reclaim (mm/vmscan.c pageout()) and
// migration (mm/migrate.c writeout(), from fallback_migrate_folio(): FUSE had no ->migrate_folio then) call, both
// with WB_SYNC_NONE. Its caller has already cleared the page's dirty bit (folio_clear_dirty_for_io()):
//   - a page in flight (the rb-tree) is redirtied and skipped;
//   - while num_background >= congestion_threshold it returns AOP_WRITEPAGE_ACTIVATE and nothing redirties the
//     page: it stays clean with its data never sent, and reclaim frees it later as clean page cache. fsync finds
//     nothing dirty and returns 0: the data is lost silently;
//   - otherwise fuse_writepage_locked() sends the page alone in a request of its own (a temp-page copy).
// 6.12 and later have no FUSE ->writepage (and give FUSE filemap_migrate_folio()): none of this happens there.
import { NONE } from "../mm/constants";
import { folio_clear_dirty_for_io, set_folio_locked } from "../fs/folio";
import { mapping_pfn, ino_error, set_unwritten_bit } from "../fs/inode";
import { st_add, WRITEPAGE_ACTIVATE } from "../fs/stats";
import { param, CFG_CONGESTION_THRESHOLD } from "../sim/config";
import { fuse_page_is_writeback, legacy_writepage, legacy_wpa, legacy_wpa_clear, legacy_wpa_restore } from "./legacy";
import { fuse_send_writepage, num_background } from "./conn";

/** fuse_writepage() outcomes (the stat WRITEPAGE_ACTIVATE counts the third). */
export const WP_SENT: u32 = 0;
export const WP_REDIRTIED: u32 = 1;
export const WP_ACTIVATE: u32 = 2;
export const WP_ENOMEM: u32 = 3;

/** folio_clear_dirty_for_io() then fuse_writepage() on the order-0 page-cache page at (ino, index). From kswapd
 *  (PF_MEMALLOC: page_alloc.ts pf_memalloc) the temp page ignores the watermarks; migration's writeout() is not
 *  in reclaim, and its GFP_NOFS allocation would loop in the kernel where the model fails it (README differences). */
export function fuse_writepage(ino: u32, index: u32): u32 {
  // ->writepage is called with the page locked (pageout(), writeout()): its writeback ends before it is unlocked,
  // so folio_end_writeback() does not rotate it
  set_folio_locked(true);
  const r = writepage_locked(ino, index);
  set_folio_locked(false);
  return r;
}

function writepage_locked(ino: u32, index: u32): u32 {
  const pfn = mapping_pfn(ino, index);
  if (fuse_page_is_writeback(ino, index)) return WP_REDIRTIED; // cleared, then redirty_page_for_writepage()
  if (num_background >= <u32>param(CFG_CONGESTION_THRESHOLD)) {
    folio_clear_dirty_for_io(ino, pfn, index);
    set_unwritten_bit(ino, index);
    st_add(WRITEPAGE_ACTIVATE, 1);
    return WP_ACTIVATE;
  }
  // fuse_writepage_locked(): a one-page request of its own, beside whatever the flusher is filling
  const saved = legacy_wpa;
  legacy_wpa_clear();
  const ok = legacy_writepage(ino, index, 1, 4096, fuse_send_writepage);
  const req = legacy_wpa;
  legacy_wpa_restore(saved);
  if (!ok) {
    // the temp page could not be had: mapping_set_error(), end_page_writeback(); the page is clean, unwritten
    folio_clear_dirty_for_io(ino, pfn, index);
    unchecked(ino_error[ino] = 1);
    return WP_ENOMEM;
  }
  if (req != NONE) fuse_send_writepage(req);
  return WP_SENT;
}
