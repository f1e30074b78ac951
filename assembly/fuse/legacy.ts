// The legacy copy path, Linux <= 6.15 (fs/fuse/file.c): fuse_writepages_fill() copies every dirty page into
// an order-0 UNMOVABLE temp page, the original's writeback ends as soon as the request is queued
// (fuse_writepages_send), the request sits in the per-inode rb-tree until the reply, a page redirtied in
// flight becomes a one-page secondary request (fuse_writepage_add), and fuse_writepage_end() frees the
// temp pages and sends the secondary.
import { NONE, pageblock_order } from "../mm/constants";
import { PG_temp, nr_pageblocks, set_page_flags, page_flags, set_page_next, set_page_prev, page_ref, set_page_ref } from "../mm/page";
import { __alloc_pages, __free_pages, alloc_pages_after_reclaim, alloc_pages_memalloc, pf_memalloc } from "../mm/page_alloc";
import {
  folio_clear_dirty_for_io, folio_start_writeback_block, folio_end_writeback_block, set_folio_locked,
} from "../fs/folio";
import { mapping_pfn, page_version, set_server_version, ino_nr_writeback } from "../fs/inode";
import {
  mod_writeback_temp, stat_value, st_max, TEMP_PAGEBLOCKS, PEAK_TEMP_PAGEBLOCKS, TEMP_PAGEBLOCKS_AT_PEAK, NR_WRITEBACK_TEMP,
  PEAK_NR_WRITEBACK_TEMP, st_add, TEMP_PAGES_ALLOCATED, TEMP_ALLOC_STALLS, BYTES_COPIED_WRITEBACK, SECONDARY_REQUESTS,
  SECONDARY_REFRESHES, RBTREE_OPS,
} from "../fs/stats";
import { rb_find_overlap, rb_insert, rb_erase, rb_set_end, rb_last_visits } from "./rbtree";
import { try_to_free_pages } from "../fs/reclaim";
import { wb_writeout_add } from "../fs/wb_bandwidth";
import {
  request_alloc, request_free, req_ino, req_start, req_nr, set_req_nr, req_pfn, set_req_pfn, set_req_ver, req_ver,
  req_next, set_req_next, set_req_state, REQ_SECONDARY,
} from "./request";
import { fuse_writepage_args_alloc, fuse_pages_grow_if_full } from "./req_slab";
import { charge } from "../sim/charge";
import { data_copy_page } from "../sim/data";
import {
  cost_ns, COST_PAGE_ALLOC, COST_PAGE_FREE, COST_COPY_PER_BYTE, COST_TEMP_PAGE_ACCOUNT, COST_RBTREE_NODE,
  COST_REQUEST_SETUP, COST_FOLIO_START_WRITEBACK, COST_FOLIO_END_WRITEBACK, COST_WRITEPAGES_PER_FOLIO,
} from "../sim/config";
import { arena_alloc } from "../sim/arena";

/** GFP_NOFS | __GFP_HIGHMEM: no __GFP_MOVABLE, so the temp page is MIGRATE_UNMOVABLE. */
const GFP_TEMP: u32 = 0;

// Temp pages per pageblock, to count the pageblocks they occupy (a measure, no kernel state): TEMP_PAGEBLOCKS now,
// its peak, and its value when nr_writeback_temp last peaked.
let temp_per_block: usize = 0;
let temp_blocks_cap: u32 = 0;
export function temp_blocks_reset(): void {
  if (temp_blocks_cap < nr_pageblocks) { temp_per_block = arena_alloc(<usize>nr_pageblocks << 1); temp_blocks_cap = nr_pageblocks; }
  memory.fill(temp_per_block, 0, <usize>temp_blocks_cap << 1);
}
function temp_block_account(pfn: u32, d: i32): void {
  const at = temp_per_block + (<usize>(pfn >> pageblock_order) << 1);
  const n = <i32>load<u16>(at) + d;
  store<u16>(at, <u16>n);
  if (d > 0 && n == 1) { st_add(TEMP_PAGEBLOCKS, 1); st_max(PEAK_TEMP_PAGEBLOCKS, stat_value(TEMP_PAGEBLOCKS)); }
  if (d < 0 && n == 0) st_add(TEMP_PAGEBLOCKS, -1);
  if (d > 0 && stat_value(NR_WRITEBACK_TEMP) == stat_value(PEAK_NR_WRITEBACK_TEMP)) st_add(TEMP_PAGEBLOCKS_AT_PEAK, stat_value(TEMP_PAGEBLOCKS) - stat_value(TEMP_PAGEBLOCKS_AT_PEAK));
}

@inline function rb_charge(): void { charge(<f64>rb_last_visits() * cost_ns(COST_RBTREE_NODE)); st_add(RBTREE_OPS, 1); }

/** fuse_page_is_writeback(): is this index covered by an in-flight request? (charged: an rb-tree walk) */
export function fuse_page_is_writeback(ino: u32, index: u32): bool {
  const r = rb_find_overlap(ino, index, index);
  rb_charge();
  return r != NONE;
}

/** The temp page: allocate (UNMOVABLE), copy the data, account NR_WRITEBACK_TEMP. False when the allocator found
 *  nothing even after direct reclaim: the caller stalls and tries again (see legacy_writepage()). */
@inline function temp_page_fill(req: u32, slot: u32, ino: u32, index: u32): bool {
  let tmp: u32;
  if (pf_memalloc) {
    // kswapd's pageout() -> ->writepage (6.1/6.6) runs with PF_MEMALLOC: no watermarks, no direct reclaim
    tmp = alloc_pages_memalloc(GFP_TEMP, 0);
    charge(cost_ns(COST_PAGE_ALLOC));
  } else {
    tmp = __alloc_pages(GFP_TEMP, 0);
    charge(cost_ns(COST_PAGE_ALLOC));
    // __alloc_pages_slowpath(): direct reclaim for GFP_NOFS | __GFP_HIGHMEM (sc->reclaim_idx Normal: page cache in
    // ZONE_MOVABLE is skipped), then the retry
    if (tmp == NONE && try_to_free_pages(GFP_TEMP, 0) > 0) tmp = alloc_pages_after_reclaim(GFP_TEMP, 0);
  }
  if (tmp == NONE) { st_add(TEMP_ALLOC_STALLS, 1); return false; }
  set_page_flags(tmp, page_flags(tmp) | PG_temp);
  set_page_next(tmp, req); // owner: the request
  set_page_prev(tmp, index);
  data_copy_page(tmp, mapping_pfn(ino, index)); // folio_copy()
  charge(4096.0 * cost_ns(COST_COPY_PER_BYTE) + cost_ns(COST_TEMP_PAGE_ACCOUNT));
  st_add(BYTES_COPIED_WRITEBACK, 4096);
  st_add(TEMP_PAGES_ALLOCATED, 1);
  mod_writeback_temp(1);
  temp_block_account(tmp, 1);
  set_req_pfn(req, slot, tmp);
  set_req_ver(req, slot, page_version(ino, index));
  return true;
}

/** The request being filled by the current writeback pass (data->wpa), or NONE. */
export let legacy_wpa: u32 = NONE;

/** fuse_writepages_fill() for the page at `index` (order-0 folios only: the legacy path has no large folios).
 *  Returns false when the temp page could not be allocated yet. GFP_NOFS | __GFP_HIGHMEM at order 0 never fails
 *  in the kernel: __alloc_pages_slowpath() loops (no __GFP_FS, so out_of_memory() kills nobody and reports
 *  progress), so the caller (the flusher, a kworker) sleeps a jiffy in should_reclaim_retry()
 *  (schedule_timeout_uninterruptible(1) for PF_WQ_WORKER) and calls again for the same page, which stays dirty
 *  meanwhile. */
export function legacy_writepage(ino: u32, index: u32, max_pages: u32, max_write: u32, send: (req: u32) => void): bool {
  const pfn = mapping_pfn(ino, index);
  charge(cost_ns(COST_WRITEPAGES_PER_FOLIO));
  // write_cache_pages() holds the folio locked and referenced: the allocations below (the temp page, the request's
  // objects, sending the one before) may reclaim or compact, and must not move or free it meanwhile
  set_page_ref(pfn, page_ref(pfn) + 1);
  const ok = legacy_writepage_locked(ino, index, pfn, max_pages, max_write, send);
  set_page_ref(pfn, page_ref(pfn) - 1); // folio_unlock()
  return ok;
}

function legacy_writepage_locked(ino: u32, index: u32, pfn: u32, max_pages: u32, max_write: u32, send: (req: u32) => void): bool {
  // fuse_writepage_need_send(): in flight already, full, too many bytes, or a gap
  if (legacy_wpa != NONE) {
    const n = req_nr(legacy_wpa);
    if (fuse_page_is_writeback(ino, index) || n == max_pages || (n + 1) * 4096 > max_write ||
        req_start(legacy_wpa) + n != index) {
      const r = legacy_wpa;
      legacy_wpa = NONE;
      send(r);
    }
  }
  let req = legacy_wpa;
  let fresh = false;
  if (req == NONE) {
    req = request_alloc(ino, index);
    charge(cost_ns(COST_REQUEST_SETUP));
    fresh = true;
  } else fuse_pages_grow_if_full(req, req_nr(req)); // fuse_writepage_need_send(): a full array grows first
  if (!temp_page_fill(req, req_nr(req), ino, index)) {
    if (fresh) request_free(req);
    return false;
  }
  // fuse_writepage_args_setup() comes after the temp folio in fuse_writepages_fill()
  if (fresh) fuse_writepage_args_alloc(req);
  folio_clear_dirty_for_io(ino, pfn, index);
  folio_start_writeback_block(pfn);
  charge(cost_ns(COST_FOLIO_START_WRITEBACK));
  unchecked(ino_nr_writeback[ino] += 1);
  if (!fresh) {
    // ap->num_pages++ under fi->lock: the request, in the tree since its first page, now covers this one too
    set_req_nr(req, req_nr(req) + 1);
    rb_set_end(ino, req_start(req), index);
    return true;
  }
  set_req_nr(req, 1);
  // fuse_writepage_add() -> fuse_insert_writeback(): a new request goes into fi->writepages at once, so that
  // fuse_write_begin() waits for its pages while it is still being filled; a page already in flight becomes (or
  // refreshes) a secondary request instead
  const old = rb_find_overlap(ino, index, index);
  rb_charge();
  if (old == NONE) {
    rb_insert(ino, index, index, req);
    legacy_wpa = req;
    return true;
  }
  let tmp = req_next(old);
  while (tmp != NONE && req_start(tmp) != index) tmp = req_next(tmp);
  if (tmp != NONE) {
    // swap the new temp page into the existing secondary; the old copy is freed
    const old_tmp = req_pfn(tmp, 0);
    set_req_pfn(tmp, 0, req_pfn(req, 0));
    set_req_ver(tmp, 0, req_ver(req, 0));
    set_page_next(req_pfn(tmp, 0), tmp);
    temp_page_release(old_tmp);
    unchecked(ino_nr_writeback[ino] -= 1);
    request_free(req);
    st_add(SECONDARY_REFRESHES, 1);
  } else {
    set_req_next(req, req_next(old));
    set_req_next(old, req);
    set_req_state(req, REQ_SECONDARY);
    st_add(SECONDARY_REQUESTS, 1);
  }
  // not continued as data->wpa: the original's writeback ends now, on the folio fuse_writepages_fill() holds locked
  set_folio_locked(true);
  folio_end_writeback_block(pfn);
  set_folio_locked(false);
  charge(cost_ns(COST_FOLIO_END_WRITEBACK));
  return true;
}

/** fuse_writepages_send(): queued (the request has been in the rb-tree since its first page), then the
 *  originals' writeback ends at once. */
export function legacy_send(req: u32): void {
  const ino = req_ino(req), start = req_start(req), n = req_nr(req);
  for (let i: u32 = 0; i < n; i++) {
    folio_end_writeback_block(mapping_pfn(ino, start + i));
    charge(cost_ns(COST_FOLIO_END_WRITEBACK));
  }
}

@inline function temp_page_release(tmp: u32): void {
  temp_block_account(tmp, -1);
  __free_pages(tmp, 0);
  charge(cost_ns(COST_PAGE_FREE) + cost_ns(COST_TEMP_PAGE_ACCOUNT));
  // fuse_writepage_finish_stat(): WB_WRITEBACK and NR_WRITEBACK_TEMP down, wb_writeout_inc() (the bdi has no
  // BDI_CAP_WRITEBACK_ACCT on this path: the original folio's writeback end counts nothing)
  mod_writeback_temp(-1);
  wb_writeout_add(1);
}

/** fuse_writepage_end() / fuse_writepage_finish(): record what the server got (unless error), free the
 *  temp pages, erase from the tree and send the secondaries. `resend` queues a secondary. */
export function legacy_end(req: u32, ok: bool, resend: (req: u32) => void): void {
  const ino = req_ino(req), start = req_start(req), n = req_nr(req);
  for (let i: u32 = 0; i < n; i++) {
    if (ok) set_server_version(ino, start + i, req_ver(req, i));
    temp_page_release(req_pfn(req, i));
  }
  unchecked(ino_nr_writeback[ino] -= n);
  rb_erase(ino, start);
  rb_charge();
  let next = req_next(req);
  set_req_next(req, NONE);
  while (next != NONE) {
    const after = req_next(next);
    set_req_next(next, NONE);
    if (ok) {
      rb_insert(ino, req_start(next), req_start(next), next);
      rb_charge();
      resend(next);
    } else {
      legacy_end_secondary_error(next);
    }
    next = after;
  }
}

/** A secondary of a request that ended with an error (abort): never sent, its temp page freed. */
function legacy_end_secondary_error(req: u32): void {
  const ino = req_ino(req);
  temp_page_release(req_pfn(req, 0));
  unchecked(ino_nr_writeback[ino] -= 1);
  request_free(req);
}

export function legacy_wpa_clear(): void { legacy_wpa = NONE; }
/** Puts back the flusher's request after another context (fsync) ran a walk of its own. */
export function legacy_wpa_restore(req: u32): void { legacy_wpa = req; }
/** An abort ended the request the flusher was filling. */
export function legacy_wpa_forget(req: u32): void { if (legacy_wpa == req) legacy_wpa = NONE; }
