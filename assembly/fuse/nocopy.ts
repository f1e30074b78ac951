// The copy-free path, Linux >= 6.16 (Joanne Koong, "fuse: remove tmp folio for writebacks and internal rb
// tree"): the page-cache folio itself is sent and stays under writeback until the server replies. With
// iomap (6.17) a large folio writes only its dirty blocks, as {folio, offset, len} ranges.
import { NONE } from "../mm/constants";
import { PG_dirty, PG_folio_writeback, page_flags, page_order, page_ref, set_page_ref } from "../mm/page";
import {
  folio_head, folio_test, folio_clear_dirty_for_io, folio_start_writeback_block, folio_end_writeback_block,
} from "../fs/folio";
import { mapping_pfn, page_version, set_server_version, ino_nr_writeback } from "../fs/inode";
import { request_alloc, req_ino, req_start, req_nr, set_req_nr, req_pfn, set_req_pfn, set_req_ver, req_ver } from "./request";
import { fuse_writepage_args_alloc, fuse_pages_grow_if_full } from "./req_slab";
import { charge } from "../sim/charge";
import { alloc_pages_wb_area } from "../mm/page_alloc";
import { move_folio } from "../mm/migrate";
import { zone_start, wmark_high, NR_FREE_PAGES } from "../mm/zone";
import { ZONE_MOVABLE } from "../mm/constants";
import { st_add, WB_AREA_MOVES, BYTES_COPIED_WRITEBACK } from "../fs/stats";
import {
  cost_ns, param, CFG_WB_ACCT, COST_REQUEST_SETUP, COST_FOLIO_START_WRITEBACK, COST_FOLIO_END_WRITEBACK, COST_WRITEPAGES_PER_FOLIO,
  COST_BLOCK_STATE, COST_COPY_PER_BYTE,
} from "../sim/config";
import { wb_area } from "../sim/mechanisms";
import { shrink_zone_page_cache } from "../fs/reclaim";
import { wb_writeout_add, wb_inode_writeback_end } from "../fs/wb_bandwidth";

/** Per-block dirty snapshot of the folio being written (MAX_PAGECACHE_ORDER 9: 512 blocks). */
const was_dirty = new StaticArray<bool>(512);

/** The request being filled by the current writeback pass, or NONE. */
export let nocopy_wpa: u32 = NONE;

/** The folio a WB_SYNC_ALL pass must wait for, when nocopy_writepage() returned NONE. */
export let nocopy_wait_pfn: u32 = NONE;
/** What the last nocopy_writepage() took from wbc->nr_to_write: folio_nr_pages() of a folio it wrote
 *  (writeback_iter()), 0 for a folio WB_SYNC_NONE skipped (folio_prepare_writeback() false). */
export let nocopy_nr_written: u32 = 0;

/** Writes back the dirty folio containing `index`: each dirty block joins the current request unless it is
 *  full (max_pages, max_write) or not contiguous, in which case that one is sent and a new one started.
 *  Returns the index after the folio, or NONE when a data-integrity pass (`sync`) must first wait for the
 *  folio's writeback to end (nocopy_wait_pfn). */
export function nocopy_writepage(ino: u32, index: u32, max_pages: u32, max_write: u32, sync: bool, send: (req: u32) => void): u32 {
  let pfn = mapping_pfn(ino, index);
  // an order-0 folio under a branch: the walk's next index (first + nr) then does not wait for the load of the
  // page's order, which is most of a page's time in the walk otherwise (the branch is predicted)
  const order = page_order(pfn);
  let head = pfn;
  let nr: u32 = 1;
  let first = index;
  if (order != 0) {
    head = folio_head(pfn);
    nr = <u32>1 << order;
    first = index - (pfn - head);
  }
  // mm/page-writeback.c: folio_prepare_writeback(): a folio still under writeback (redirtied while the server
  // holds it: 6.16's fuse_write_begin() no longer waits) is skipped by WB_SYNC_NONE and waited on by WB_SYNC_ALL
  charge(cost_ns(COST_WRITEPAGES_PER_FOLIO));
  nocopy_nr_written = 0;
  if (folio_test(head, PG_folio_writeback)) {
    if (sync) { nocopy_wait_pfn = head; return NONE; }
    return first + nr;
  }
  nocopy_nr_written = nr;
  // the writeback area (nocopy-wb-area): the folio moves into the dedicated area before its writeback starts, so that what a
  // server pins stays there; a full area first gives up clean cache of its own (folios whose writeback is
  // over), and only an area full of dirty or writeback folios lets this one be written back where it is
  if (wb_area && head < unchecked(zone_start[ZONE_MOVABLE])) {
    let dst = alloc_pages_wb_area(page_order(head));
    if (dst == NONE) {
      // as kswapd's balance_pgdat() would for the area's zone: reclaim it up to its high watermark
      const short = <i64>unchecked(wmark_high[ZONE_MOVABLE]) + <i64>nr - <i64>unchecked(NR_FREE_PAGES[ZONE_MOVABLE]);
      if (shrink_zone_page_cache(ZONE_MOVABLE, <u32>max<i64>(short, <i64>nr)) > 0) dst = alloc_pages_wb_area(page_order(head));
    }
    if (dst != NONE) {
      move_folio(head, dst, nr);
      charge(<f64>nr * 4096.0 * cost_ns(COST_COPY_PER_BYTE));
      st_add(WB_AREA_MOVES, 1);
      st_add(BYTES_COPIED_WRITEBACK, <i64>nr * 4096);
      pfn = dst + (pfn - head);
      head = dst;
    }
  }
  charge(cost_ns(COST_FOLIO_START_WRITEBACK));
  // write_cache_pages() holds the folio locked, and referenced by its batch, while ->writepages fills the request:
  // the allocations below (the request's objects, sending the one before) may reclaim or compact, and must not
  // take this folio once folio_clear_dirty_for_io() has made it clean and before its writeback has started
  for (let i: u32 = 0; i < nr; i++) set_page_ref(head + i, page_ref(head + i) + 1);
  // which blocks go: read the per-block dirty bits before folio_clear_dirty_for_io() clears them
  for (let i: u32 = 0; i < nr; i++) unchecked(was_dirty[i] = (page_flags(head + i) & PG_dirty) != 0);
  folio_clear_dirty_for_io(ino, head, first);
  for (let i: u32 = 0; i < nr; i++) {
    if (!unchecked(was_dirty[i])) continue;
    const idx = first + i;
    if (nocopy_wpa != NONE) {
      const n = req_nr(nocopy_wpa);
      if (n == max_pages || (n + 1) * 4096 > max_write || req_start(nocopy_wpa) + n != idx) {
        const r = nocopy_wpa;
        nocopy_wpa = NONE;
        send(r);
      }
    }
    if (nocopy_wpa == NONE) {
      nocopy_wpa = request_alloc(ino, idx);
      charge(cost_ns(COST_REQUEST_SETUP));
      fuse_writepage_args_alloc(nocopy_wpa);
    } else fuse_pages_grow_if_full(nocopy_wpa, req_nr(nocopy_wpa)); // a full folio array grows first
    const n = req_nr(nocopy_wpa);
    set_req_pfn(nocopy_wpa, n, head + i);
    set_req_ver(nocopy_wpa, n, page_version(ino, idx));
    set_req_nr(nocopy_wpa, n + 1);
    folio_start_writeback_block(head + i);
    charge(cost_ns(COST_BLOCK_STATE));
    unchecked(ino_nr_writeback[ino] += 1);
  }
  for (let i: u32 = 0; i < nr; i++) set_page_ref(head + i, page_ref(head + i) - 1); // folio_unlock()
  return first + nr;
}

/** fuse_writepage_end() on the copy-free path: the blocks' writeback ends (and the folio's, when its last
 *  block ends); errors are recorded by the caller, pages are not redirtied. Returns folios whose
 *  writeback ended. */
export function nocopy_end(req: u32, ok: bool): u32 {
  const ino = req_ino(req), start = req_start(req), n = req_nr(req);
  let ended: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const v = req_ver(req, i);
    if (ok && v != 0) set_server_version(ino, start + i, v); // 0: cancelled before the server read it
    const p = req_pfn(req, i);
    if (p == NONE) continue; // writeback already cancelled (nocopy-cancel)
    charge(cost_ns(COST_BLOCK_STATE));
    unchecked(ino_nr_writeback[ino] -= 1);
    if (folio_end_writeback_block(p)) {
      ended++;
      charge(cost_ns(COST_FOLIO_END_WRITEBACK));
      if (param(CFG_WB_ACCT) != 0) {
        // __folio_end_writeback() with BDI_CAP_WRITEBACK_ACCT (fuse's default writeback accounting, 6.18):
        // __wb_writeout_add() of the folio's pages, and the bandwidth update once the inode has none left
        wb_writeout_add(<i64>1 << page_order(folio_head(p)));
        if (unchecked(ino_nr_writeback[ino]) == 0) wb_inode_writeback_end();
      } else {
        // 6.16/6.17 fuse_writepage_finish(): FUSE's own wb_writeout_inc() per folio; the bdi has no
        // BDI_CAP_WRITEBACK_ACCT, so no wb_inode_writeback_end() and no bw_dwork
        wb_writeout_add(1);
      }
    }
  }
  return ended;
}

export function nocopy_wpa_clear(): void { nocopy_wpa = NONE; }
/** Puts back the flusher's request after another context (fsync) ran a walk of its own. */
export function nocopy_wpa_restore(req: u32): void { nocopy_wpa = req; }
/** An abort ended the request the flusher was filling. */
export function nocopy_wpa_forget(req: u32): void { if (nocopy_wpa == req) nocopy_wpa = NONE; }
