// CONFIG_DEBUG_VM for writeback (DESIGN.md section 5): recount the counters and ownership the fast paths
// keep incrementally. 0 when all holds, else a code (host/core/invariant-codes.ts) and sim_invariant_pfn().
import { NONE } from "../mm/constants";
import {
  PG_owner, PG_head, PG_dirty, PG_writeback, PG_folio_dirty, PG_folio_writeback, PG_temp, nr_pages, page_flags,
  page_order, page_next, page_prev,
} from "../mm/page";
import { check_allocator, debug_vm_pfn } from "../mm/debug_vm";
import { check_compaction } from "../mm/compact_control";
import { stat_value, wb_stat_check, NR_FILE_DIRTY, NR_WRITEBACK, NR_WRITEBACK_TEMP, NR_FILE_LRU, NR_SHMEM, WB_DIRTIED, WB_WRITTEN, NR_ACTIVE_FILE } from "../fs/stats";
import { lru_check, lru_pages, folio_test_lru, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE } from "../fs/lru";
import { fprop_local_events, fprop_global_events } from "../fs/flex_proportions";
import { nr_inodes, ino_nr_dirty, test_dirty_bit, backing_pfn, OWNER_SHMEM, folio_wb_pending } from "../fs/inode";
import {
  oldest_inflight, next_inflight, req_nr, req_pfn, req_state, req_kind, req_ino, req_start, REQ_FREE, REQ_KIND_WRITEBACK,
} from "../fuse/request";
import { is_legacy } from "../fuse/conn";
import { OWNER_SLAB, check_slab_caches, slab_invariant_where } from "../mm/slab";
import { check_request_objects, req_slab_invariant_where } from "../fuse/req_slab";
import { OWNER_FUSE_DEV, check_server_dev_pages, server_dev_invariant_where } from "../fuse/server";
import { arena_alloc } from "./arena";
import { flusher_check, flusher_invariant_where } from "../fs/writeback";

export let sim_invariant_pfn: u32 = NONE;
export const INV_NR_DIRTY: i32 = 20;
export const INV_NR_WRITEBACK: i32 = 21;
export const INV_NR_WRITEBACK_TEMP: i32 = 22;
export const INV_TEMP_OWNER: i32 = 23;
export const INV_WRITEBACK_OWNER: i32 = 24;
export const INV_DIRTY_TAG: i32 = 25;
export const INV_INODE_DIRTY: i32 = 26;
export const INV_NR_FILE_LRU: i32 = 27;
export const INV_WB_WRITTEN: i32 = 28;
export const INV_SYNC_WRITE_PAGE: i32 = 29;
export const INV_SHMEM: i32 = 30;
// 31 is compaction's (assembly/mm/compact_control.ts)
export const INV_SLAB_OBJECTS: i32 = 32;
export const INV_SLAB_PAGES: i32 = 33;
export const INV_WB_PENDING: i32 = 34;
export const INV_WB_LISTS: i32 = 35;
export const INV_LRU: i32 = 36;

let mark: usize = 0;
let mark_cap: u32 = 0;

function fail(code: i32, pfn: u32): i32 { sim_invariant_pfn = pfn; return code; }

/** Runs after every event when the checker does, before it. Debug builds set it to plant a fault on purpose
 *  (assembly/sim/plant.ts) and show that the checkers report it; nothing else sets it. */
function no_fault(): void {}
export let after_checked_event: () => void = no_fault;
export function set_after_checked_event(f: () => void): void { after_checked_event = f; }

// static: the runtime allocates nothing after boot (assembly/sim/arena.ts)
const inode_dirty_scratch = new StaticArray<u32>(64);

export function check_sim_invariants(): i32 {
  const a = check_allocator();
  if (a != 0) { sim_invariant_pfn = debug_vm_pfn; return a; }
  sim_invariant_pfn = NONE;
  const c = check_compaction();
  if (c != 0) return c;
  if (mark_cap < nr_pages) { mark = arena_alloc(<usize>nr_pages); mark_cap = nr_pages; }
  memory.fill(mark, 0, <usize>nr_pages);
  // every page a live request carries is carried once
  let carried: i64 = 0;
  for (let r = oldest_inflight(); r != NONE; r = next_inflight(r)) {
    if (req_state(r) == REQ_FREE) return fail(INV_TEMP_OWNER, r);
    const n = req_nr(r);
    if (req_kind(r) != REQ_KIND_WRITEBACK) {
      // a write-through FUSE_WRITE or write_begin's FUSE_READ carries its file's own page-cache pages (GETATTR,
      // FSYNC and FLUSH carry none)
      for (let i: u32 = 0; i < n; i++) {
        const p = req_pfn(r, i);
        if (p >= nr_pages || (page_flags(p) & PG_owner) == 0 || page_next(p) != req_ino(r) || page_prev(p) != req_start(r) + i) return fail(INV_SYNC_WRITE_PAGE, p);
      }
      continue;
    }
    for (let i: u32 = 0; i < n; i++) {
      const p = req_pfn(r, i);
      if (p == NONE) continue; // its writeback was cancelled (nocopy-cancel)
      // carried twice: a temp page owned by two requests (legacy), or a folio in two requests
      if (load<u8>(mark + <usize>p) != 0) return fail(is_legacy() ? INV_TEMP_OWNER : INV_WRITEBACK_OWNER, p);
      store<u8>(mark + <usize>p, 1);
      carried++;
      const f = page_flags(p);
      if (is_legacy()) {
        if ((f & (PG_temp | PG_owner)) != (PG_temp | PG_owner) || page_next(p) != r) return fail(INV_TEMP_OWNER, p);
      } else if ((f & PG_writeback) == 0) return fail(INV_WRITEBACK_OWNER, p);
    }
  }
  // recount the counters from the pages
  let dirty: i64 = 0, writeback: i64 = 0, temp: i64 = 0, file_lru: i64 = 0, shmem: i64 = 0;
  let slab_pages: u32 = 0, dev_pages: u32 = 0;
  const inode_dirty = inode_dirty_scratch;
  memory.fill(changetype<usize>(inode_dirty), 0, 64 << 2);
  for (let p: u32 = 0; p < nr_pages; p++) {
    const f = page_flags(p);
    if ((f & PG_owner) == 0) continue;
    if (page_next(p) == OWNER_SLAB) slab_pages++;
    if (page_next(p) == OWNER_FUSE_DEV) dev_pages++;
    if ((f & PG_temp) == 0 && page_next(p) < nr_inodes) file_lru++; // a page-cache page (owner: its inode)
    if ((f & PG_temp) == 0 && page_next(p) - OWNER_SHMEM < nr_inodes) {
      // a page of the server's tmpfs file: the backing map points at it
      if (backing_pfn(page_next(p) - OWNER_SHMEM, page_prev(p)) != p) return fail(INV_SHMEM, p);
      shmem++;
    }
    if ((f & PG_temp) != 0) {
      temp++;
      if (load<u8>(mark + <usize>p) == 0) return fail(INV_TEMP_OWNER, p); // a temp page no request owns
    }
    if ((f & PG_writeback) != 0 && !is_legacy() && load<u8>(mark + <usize>p) == 0) return fail(INV_WRITEBACK_OWNER, p);
    if ((f & PG_head) != 0) {
      const n = <i64>1 << page_order(p);
      if ((f & PG_folio_dirty) != 0) dirty += n;
      if ((f & PG_folio_writeback) != 0) writeback += n;
      if ((f & PG_temp) == 0 && page_next(p) < nr_inodes) {
        // a page-cache folio: on a file LRU list (between events nothing holds one isolated)
        if (!folio_test_lru(page_next(p), page_prev(p))) return fail(INV_LRU, p);
        // a large folio's write_bytes_pending (fs/folio.ts) is its blocks under writeback; a one-block folio has none
        let under: u32 = 0;
        for (let i: u32 = 0; i < <u32>n; i++) if ((page_flags(p + i) & PG_writeback) != 0) under++;
        if (n > 1 && folio_wb_pending(page_next(p), page_prev(p)) != under) return fail(INV_WB_PENDING, p);
      }
    }
    if ((f & PG_dirty) != 0 && (f & PG_temp) == 0) {
      const ino = page_next(p);
      if (ino < nr_inodes) {
        unchecked(inode_dirty[ino] += 1);
        if (!test_dirty_bit(ino, page_prev(p))) return fail(INV_DIRTY_TAG, p); // owner words: (inode, index)
      }
    }
  }
  if (dirty != stat_value(NR_FILE_DIRTY)) return fail(INV_NR_DIRTY, NONE);
  if (writeback != stat_value(NR_WRITEBACK)) return fail(INV_NR_WRITEBACK, NONE);
  if (temp != stat_value(NR_WRITEBACK_TEMP)) return fail(INV_NR_WRITEBACK_TEMP, NONE);
  if (is_legacy() && carried != temp) return fail(INV_TEMP_OWNER, NONE);
  if (file_lru != stat_value(NR_FILE_LRU)) return fail(INV_NR_FILE_LRU, NONE);
  // the file LRU: its live entries are the page-cache folios' heads, each on the list its flags name (lru_check()),
  // and their pages are every page-cache page (so no folio is missing from every list)
  if (lru_check() == NONE) return fail(INV_LRU, NONE);
  if (<i64>(lru_pages(LRU_INACTIVE_FILE) + lru_pages(LRU_ACTIVE_FILE)) != file_lru) return fail(INV_LRU, NONE);
  if (<i64>lru_pages(LRU_ACTIVE_FILE) != stat_value(NR_ACTIVE_FILE)) return fail(INV_LRU, NONE);
  if (shmem != stat_value(NR_SHMEM)) return fail(INV_SHMEM, NONE);
  // every page written back was dirtied first; the wb's completions are among the domain's; each wb percpu
  // counter's shared count and its CPUs' deltas (each under the batch) add up to its exact value
  if (stat_value(WB_WRITTEN) > stat_value(WB_DIRTIED) || fprop_local_events() > fprop_global_events() || wb_stat_check() != 0) return fail(INV_WB_WRITTEN, NONE);
  for (let i: u32 = 0; i < nr_inodes; i++) if (unchecked(inode_dirty[i]) != unchecked(ino_nr_dirty[i])) return fail(INV_INODE_DIRTY, i);
  // the wb's inode lists: a dirty inode marked dirty and listed, queued ones on b_io, I_SYNC only where writeback is
  if (!flusher_check()) return fail(INV_WB_LISTS, flusher_invariant_where);
  // the slab caches: their pages (allocated, owned, unmovable, off the LRU) and counts, then their objects against
  // what the live requests hold
  if (!check_slab_caches(slab_pages)) return fail(INV_SLAB_PAGES, slab_invariant_where);
  if (!check_request_objects()) return fail(INV_SLAB_OBJECTS, req_slab_invariant_where);
  // the splice read path's pages (fuse_dev_splice_read()'s array, the pipes' rings): each held by a worker
  if (!check_server_dev_pages(dev_pages)) return fail(INV_SLAB_PAGES, server_dev_invariant_where);
  return 0;
}

