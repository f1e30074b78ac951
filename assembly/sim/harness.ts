// A kernel-harness API for tests (like tools/testing/vma): set up a state, do one thing, look at the exact
// state after. Nothing here runs on its own: no writer, flusher or server thread is scheduled.
import { NONE } from "../mm/constants";
import { page_flags, page_alloc_mt, page_order, page_ref, set_page_ref } from "../mm/page";
import { mapping_pfn, page_version, set_page_version, server_version } from "../fs/inode";
import { folio_mark_blocks_dirty } from "../fs/folio";
import { harness_write, set_writers_autostart } from "../fs/writer";
import { writeback_inode_all } from "../fs/writeback";
import { pending_pop, set_req_state, set_req_spliced, req_nr, req_pfn, req_start, req_next, REQ_PROCESSING } from "../fuse/request";
import { request_replied } from "../fuse/conn";
import { sim_init } from "./run";
import { __alloc_pages } from "../mm/page_alloc";
import { migrate_folio } from "../mm/migrate";
import { __GFP_MOVABLE, GFP_LRU } from "../mm/constants";

/** sim_init() without starting the writers (the host sets server threads to 0). */
export function harness_init(): void {
  set_writers_autostart(false);
  sim_init();
  set_writers_autostart(true);
}

/** write(2) by writer j (file j) of len bytes at off: 0 done, 1 waits on writeback, 2 no memory. */
export function harness_do_write(j: u32, off: f64, len: f64): u32 { return harness_write(j, <u64>off, <u64>len); }

/** ->writepages over every dirty page of file ino; returns the requests sent. */
export function harness_writeback(ino: u32): u32 { return writeback_inode_all(ino); }

/** The server reads the oldest pending request (NONE if none). */
export function harness_server_read(): u32 {
  const r = pending_pop();
  if (r != NONE) set_req_state(r, REQ_PROCESSING);
  return r;
}

/** The server replies to a request it read. */
export function harness_server_reply(req: u32): void { request_replied(req); }

export function harness_req_pages(req: u32): u32 { return req_nr(req); }
export function harness_req_start(req: u32): u32 { return req_start(req); }
export function harness_req_pfn(req: u32, i: u32): u32 { return req_pfn(req, i); }
export function harness_req_next(req: u32): u32 { return req_next(req); }
export function harness_mapping_pfn(ino: u32, index: u32): u32 { return mapping_pfn(ino, index); }
/** flags | order << 16 | allocation migratetype << 24 */
export function harness_page_info(pfn: u32): u32 {
  return page_flags(pfn) | (page_order(pfn) << 16) | (page_alloc_mt(pfn) << 24);
}

/** The page is dirtied again without fuse_write_begin()'s wait: what a direct read into an mmaped FUSE file
 *  does (the comment in fuse_writepage_need_send()). Returns false if the page is not cached. */
export function harness_redirty(ino: u32, index: u32): bool {
  const pfn = mapping_pfn(ino, index);
  if (pfn == NONE) return false;
  set_page_version(ino, index, page_version(ino, index) + 1);
  folio_mark_blocks_dirty(ino, index, pfn, 1);
  return true;
}
export function harness_page_version(ino: u32, index: u32): u32 { return page_version(ino, index); }
export function harness_server_version(ino: u32, index: u32): u32 { return server_version(ino, index); }

function harness_target(order: u32): u32 { return __alloc_pages(__GFP_MOVABLE | GFP_LRU, order); }
/** migrate_folio() of the folio holding pfn, in mode 0 async, 1 sync-light, 2 sync; returns the result. */
export function harness_migrate_pfn(pfn: u32, mode: u32): i32 {
  return migrate_folio(pfn & ~((<u32>1 << page_order(pfn)) - 1), mode, harness_target);
}

/** The server reads the oldest pending request with splice(): its pages are referenced by a pipe. */
export function harness_server_read_spliced(): u32 {
  const r = harness_server_read();
  if (r == NONE) return r;
  set_req_spliced(r, true);
  const n = req_nr(r);
  for (let i: u32 = 0; i < n; i++) { const p = req_pfn(r, i); if (p != NONE) set_page_ref(p, page_ref(p) + 1); }
  return r;
}
/** get_page(): one more reference on the page (a pipe or a GUP pin holding it). */
export function harness_get_page(pfn: u32): void { set_page_ref(pfn, page_ref(pfn) + 1); }
