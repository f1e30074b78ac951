// nocopy-cancel (a remedy discussed at LSFMM+BPF 2025): when a folio under writeback must migrate, cancel
// its writeback instead of waiting. A request the server has not read gives the page back dirty (it is sent
// again later); one it has read has copied the data already, so the folio's writeback ends now. Pages the
// server spliced and has not yet stored (lo_write_buf() empties the pipe into the backing file) are still
// referenced by its pipe: they cannot be cancelled.
import { NONE } from "../mm/constants";
import { page_order } from "../mm/page";
import { folio_end_writeback_block, folio_mark_blocks_dirty } from "../fs/folio";
import { ino_nr_writeback } from "../fs/inode";
import { st_add, WRITEBACK_CANCELLED } from "../fs/stats";
import {
  oldest_inflight, next_inflight, req_nr, req_pfn, set_req_pfn, set_req_ver, req_state, req_spliced, req_ino,
  req_start, REQ_BG_QUEUED, REQ_PENDING, REQ_BUILDING,
} from "./request";

/** Returns false (nothing changed) when a page of the folio sits in a spliced request. */
export function fuse_cancel_folio_writeback(head: u32): bool {
  const n: u32 = <u32>1 << page_order(head);
  // first pass: can every in-flight block be cancelled?
  for (let r = oldest_inflight(); r != NONE; r = next_inflight(r)) {
    if (!req_spliced(r)) continue;
    const k = req_nr(r);
    for (let i: u32 = 0; i < k; i++) { const p = req_pfn(r, i); if (p != NONE && p >= head && p < head + n) return false; }
  }
  for (let r = oldest_inflight(); r != NONE; r = next_inflight(r)) {
    const k = req_nr(r);
    const unread = req_state(r) == REQ_BG_QUEUED || req_state(r) == REQ_PENDING || req_state(r) == REQ_BUILDING;
    for (let i: u32 = 0; i < k; i++) {
      const p = req_pfn(r, i);
      if (p == NONE || p < head || p >= head + n) continue;
      set_req_pfn(r, i, NONE);
      const ino = req_ino(r);
      unchecked(ino_nr_writeback[ino] -= 1);
      folio_end_writeback_block(p);
      if (unread) {
        // the server never saw it: the block is dirty again and goes out with a later request
        set_req_ver(r, i, 0);
        folio_mark_blocks_dirty(ino, req_start(r) + i, p, 1);
      }
      st_add(WRITEBACK_CANCELLED, 1);
    }
  }
  return true;
}
