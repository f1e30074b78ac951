// Debug build only (assembly/debug_index.ts): plants one fault of a chosen kind, so that a test can show each
// invariant checker (assembly/mm/debug_vm.ts, assembly/sim/debug.ts) and the integrity check (run.ts) report it.
// A state fault is planted as if the handler of one event had the bug: armed for an event number, it is made
// right after that event (or the first later one where the state it needs exists) and before the checker runs,
// so the failure names that event. Integrity faults are planted after the run, before integrity_check() again.
import { plant_inode_unlisted } from "../fs/wb_lists";
import { flusher_scheduled, EV_FLUSHER } from "../fs/writeback";
import { now, schedule } from "./clock";
import {
  NONE, MAX_NR_ZONES, NR_PAGE_ORDERS, MIGRATE_TYPES, MIGRATE_PCPTYPES, pageblock_nr_pages, MAX_PAGE_ORDER,
} from "../mm/constants";
import {
  PG_buddy, PG_owner, PG_head, PG_dirty, PG_temp, nr_pages, nr_pageblocks, page_flags, page_order, page_word,
  store_page_word, set_flag, page_next, page_prev, set_page_prev, page_alloc_mt, set_page_alloc_mt, PAGE_WORD_FREE,
  store_pageblock_migratetype, set_max_order_block_free, max_order_block_free,
} from "../mm/page";
import {
  fa_head, fa_tail, fa_count, fa_orders, fa_index, NR_FREE_PAGES, NR_FREE_CMA_PAGES, nr_free_highatomic,
  nr_reserved_highatomic, populated_zone, __add_to_free_list, __del_page_from_free_list, account_freepages,
} from "../mm/zone";
import { NR_PCP_LISTS, per_cpu_pcp, pcp_list_len, pcp_list_nth } from "../mm/pcp";
import { stat_value, st_add, wb_stat_mod, EVENTS, NR_FILE_DIRTY, NR_WRITEBACK, NR_WRITEBACK_TEMP, NR_FILE_LRU, WB_DIRTIED, WB_WRITTEN, NR_SHMEM } from "../fs/stats";
import {
  nr_inodes, inode_pages, lru_slot, set_lru_slot, ino_nr_dirty, ino_error, clear_dirty_bit, mapping_pfn, page_version, set_page_version,
  server_version, set_server_version, set_unwritten_bit, folio_wb_pending, set_folio_wb_pending,
} from "../fs/inode";
import { oldest_inflight, next_inflight, req_nr, req_pfn, set_req_pfn, req_kind, REQ_KIND_WRITE } from "../fuse/request";
import { set_after_checked_event } from "./debug";
import { slab_ids, slab_pfn, slab_leak_object } from "../mm/slab";
import { PG_lru } from "../mm/page";
import { cc } from "../mm/compact_control";
import { data_backing_byte } from "./data";

// State faults; the number is the invariant code the checker must answer with (27, 28: 23 and 24 again; 29-33:
// codes 27-31).
export const PLANT_LIST_LINK: u32 = 1;
export const PLANT_LIST_COUNT: u32 = 2;
export const PLANT_BLOCK_RETYPED: u32 = 3;
export const PLANT_BUDDY_MISALIGNED: u32 = 4;
export const PLANT_BUDDY_OVERLAP: u32 = 5;
export const PLANT_BUDDY_OTHER_ZONE: u32 = 6;
export const PLANT_FREE_PAGE_DIRTY: u32 = 7;
export const PLANT_NR_FREE: u32 = 8;
export const PLANT_NR_FREE_CMA: u32 = 9;
export const PLANT_NR_FREE_HIGHATOMIC: u32 = 10;
export const PLANT_UNLISTED_BUDDY: u32 = 11;
export const PLANT_ALLOC_TAIL: u32 = 12;
export const PLANT_HOLE: u32 = 13;
export const PLANT_ORDER_MASK: u32 = 14;
export const PLANT_PCP_DIRTY: u32 = 15;
export const PLANT_PCP_COUNT: u32 = 16;
export const PLANT_PAGEBLOCK_TYPE: u32 = 17;
export const PLANT_RESERVED_HIGHATOMIC: u32 = 18;
export const PLANT_RUNTIME_ALLOC: u32 = 19;
export const PLANT_NR_DIRTY: u32 = 20;
export const PLANT_NR_WRITEBACK: u32 = 21;
export const PLANT_NR_WRITEBACK_TEMP: u32 = 22;
export const PLANT_TEMP_LOST: u32 = 23;
export const PLANT_WRITEBACK_NO_REQUEST: u32 = 24;
export const PLANT_DIRTY_TAG: u32 = 25;
export const PLANT_INODE_DIRTY: u32 = 26;
export const PLANT_TEMP_TWICE: u32 = 27;
export const PLANT_WRITEBACK_TWICE: u32 = 28;
export const PLANT_NR_FILE_LRU: u32 = 29;
export const PLANT_WB_WRITTEN: u32 = 30;
export const PLANT_SYNC_WRITE_PAGE: u32 = 31;
export const PLANT_NR_SHMEM: u32 = 32;
export const PLANT_COMPACT_HELD: u32 = 33;
// Slab faults (codes 32, 33): an object the cache counts that no request holds; a slab page put on the LRU.
export const PLANT_SLAB_OBJECT_LEAK: u32 = 34;
export const PLANT_SLAB_PAGE_LRU: u32 = 35;
// A page-cache folio's write_bytes_pending off by one (code 34).
export const PLANT_WB_PENDING: u32 = 36;
// The wb's inode lists (code 35): a dirty inode on no list.
export const PLANT_INODE_UNLISTED: u32 = 37;
// The flusher (code 35): a second chain of flusher events beside the one it scheduled.
export const PLANT_FLUSHER_TWICE: u32 = 38;
// The file LRU (code 36): a page-cache folio dropped from its list without its list's count.
export const PLANT_LRU_LOST: u32 = 39;
// Integrity faults, planted after the run on the first page whose last write reached the server.
export const PLANT_STORE_BYTE: u32 = 40;
export const PLANT_STORE_NEWER: u32 = 41;
export const PLANT_STORE_STALE: u32 = 42;
export const PLANT_STORE_STALE_ERROR: u32 = 43;
export const PLANT_STORE_STALE_DIRTY: u32 = 44;
export const PLANT_PAGE_UNWRITTEN: u32 = 45;
// The map of free order-10 blocks (code 37): a block in use that the map calls free.
export const PLANT_MAX_ORDER_FREE: u32 = 46;
export const PLANT_STORE_STALE_ACTIVATED: u32 = 46;

let armed_kind: u32 = 0;
let armed_at: i64 = 0;
let planted_event: i64 = -1;
let planted_where: u32 = NONE;
let planted_ino: u32 = NONE;

/** Arms a state fault for event number at_event (1 = the first event). */
export function debug_plant_fault(kind: u32, at_event: f64): void {
  armed_kind = kind;
  armed_at = <i64>at_event;
  planted_event = -1;
  planted_where = NONE;
  set_after_checked_event(plant_when_due);
}
/** The event after which the fault was planted (-1: not yet); where: the PFN, zone or inode the checker names. */
export function debug_planted_event(): f64 { return <f64>planted_event; }
export function debug_planted_where(): u32 { return planted_where; }
export function debug_planted_ino(): u32 { return planted_ino; }

function plant_when_due(): void {
  if (planted_event >= 0 || stat_value(EVENTS) < armed_at) return;
  if (plant_state(armed_kind)) planted_event = stat_value(EVENTS);
}

function done(where: u32): bool { planted_where = where; return true; }

// ---- the allocator ----------------------------------------------------------------------------------------

/** The first free-list member in the checker's walk order (zone, order, type, head to tail) that passes test. */
let found_z: u32 = 0, found_o: u32 = 0, found_mt: u32 = 0;
function first_listed(min_order: u32, max_mt: u32, min_zone: u32): u32 {
  for (let z = min_zone; z < MAX_NR_ZONES; z++)
    for (let o = min_order; o < NR_PAGE_ORDERS; o++)
      for (let mt: u32 = 0; mt < max_mt; mt++) {
        const p = unchecked(fa_head[fa_index(z, o, mt)]);
        if (p != NONE) { found_z = z; found_o = o; found_mt = mt; return p; }
      }
  return NONE;
}
function first_populated_zone(): u32 {
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) if (populated_zone(z)) return z;
  return 0;
}
/** The lowest PFN of an allocation of at least min_order (its head), NONE if none. */
function first_allocation(min_order: u32, order0_only: bool): u32 {
  for (let p: u32 = 0; p < nr_pages; p++) {
    const f = page_flags(p);
    if ((f & (PG_owner | PG_head)) != (PG_owner | PG_head)) continue;
    const o = page_order(p);
    if (order0_only ? o == 0 : o >= min_order) return p;
  }
  return NONE;
}

function plant_allocator(kind: u32): bool {
  if (kind == PLANT_RUNTIME_ALLOC) {
    // the bug the arena's canary is for: a `new` (here its allocation) in code that runs after boot
    heap.alloc(16);
    return done(NONE);
  }
  if (kind == PLANT_LIST_LINK) {
    // the head's prev link points at itself instead of nowhere
    const p = first_listed(0, MIGRATE_TYPES, 0);
    if (p == NONE) return false;
    set_page_prev(p, p);
    return done(p);
  }
  if (kind == PLANT_LIST_COUNT) {
    // a free-list count off by one; the checker names the list's tail
    const p = first_listed(0, MIGRATE_TYPES, 0);
    if (p == NONE) return false;
    const i = fa_index(found_z, found_o, found_mt);
    unchecked(fa_count[i] += 1);
    return done(unchecked(fa_tail[i]));
  }
  if (kind == PLANT_BLOCK_RETYPED) {
    // a free page's pageblock changes type without its free pages moving lists (no move_freepages_block())
    const p = first_listed(0, MIGRATE_PCPTYPES, 0);
    if (p == NONE) return false;
    store_pageblock_migratetype(p, (found_mt + 1) % MIGRATE_PCPTYPES);
    return done(p);
  }
  if (kind == PLANT_BUDDY_MISALIGNED) {
    // a buddy of order >= 1 listed one page off its alignment
    const p = first_listed(1, MIGRATE_TYPES, 0);
    if (p == NONE) return false;
    __del_page_from_free_list(p, found_z, found_o, found_mt);
    __add_to_free_list(p + 1, found_z, found_o, found_mt, false);
    return done(p + 1);
  }
  if (kind == PLANT_BUDDY_OVERLAP) {
    // a second buddy head inside a free block
    const p = first_listed(1, MIGRATE_TYPES, 0);
    if (p == NONE) return false;
    store_page_word(p + 1, PG_buddy);
    return done(p + 1);
  }
  if (kind == PLANT_BUDDY_OTHER_ZONE) {
    // a buddy of one zone on another zone's list, its counts moved with it
    const p = first_listed(0, MIGRATE_TYPES, 1);
    if (p == NONE) return false;
    const n = <i32>1 << found_o;
    __del_page_from_free_list(p, found_z, found_o, found_mt);
    account_freepages(found_z, -n, found_mt);
    __add_to_free_list(p, 0, found_o, found_mt, false);
    account_freepages(0, n, found_mt);
    return done(p);
  }
  if (kind == PLANT_FREE_PAGE_DIRTY) {
    // a page both free and dirty
    const p = first_listed(0, MIGRATE_TYPES, 0);
    if (p == NONE) return false;
    set_flag(p, PG_dirty);
    return done(p);
  }
  if (kind == PLANT_NR_FREE || kind == PLANT_NR_FREE_CMA || kind == PLANT_NR_FREE_HIGHATOMIC) {
    const z = first_populated_zone();
    if (kind == PLANT_NR_FREE) unchecked(NR_FREE_PAGES[z] += 1);
    else if (kind == PLANT_NR_FREE_CMA) unchecked(NR_FREE_CMA_PAGES[z] += 1);
    else unchecked(nr_free_highatomic[z] += 1);
    return done(z);
  }
  if (kind == PLANT_UNLISTED_BUDDY) {
    // a buddy taken off its list (and out of the free counts) but still marked PageBuddy
    const p = first_listed(0, MIGRATE_TYPES, 0);
    if (p == NONE) return false;
    const w = page_word(p);
    __del_page_from_free_list(p, found_z, found_o, found_mt);
    account_freepages(found_z, -(<i32>1 << found_o), found_mt);
    store_page_word(p, w);
    return done(NONE);
  }
  if (kind == PLANT_ALLOC_TAIL) {
    // a tail page of an allocation records another allocation migratetype than its head
    const h = first_allocation(1, false);
    if (h == NONE) return false;
    set_page_alloc_mt(h + 1, (page_alloc_mt(h) + 1) % MIGRATE_PCPTYPES);
    return done(h + 1);
  }
  if (kind == PLANT_HOLE) {
    // an order-0 allocation whose page forgets it: neither free nor allocated
    const p = first_allocation(0, true);
    if (p == NONE) return false;
    store_page_word(p, PAGE_WORD_FREE);
    return done(p);
  }
  if (kind == PLANT_MAX_ORDER_FREE) {
    // the first block the map does not call free is called free: the reports would step over its pages
    for (let p: u32 = 0; p + (<u32>1 << MAX_PAGE_ORDER) <= nr_pages; p += <u32>1 << MAX_PAGE_ORDER) {
      if (max_order_block_free(p)) continue;
      set_max_order_block_free(p, true);
      return done(p);
    }
    return false;
  }
  if (kind == PLANT_ORDER_MASK) {
    // the non-empty-order mask claims a free list that is empty
    for (let z: u32 = 0; z < MAX_NR_ZONES; z++)
      for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++)
        for (let o: u32 = 0; o < NR_PAGE_ORDERS; o++) {
          if (unchecked(fa_count[fa_index(z, o, mt)]) != 0) continue;
          unchecked(fa_orders[z * MIGRATE_TYPES + mt] |= <u32>1 << o);
          return done(z * MIGRATE_TYPES + mt);
        }
    return false;
  }
  if (kind == PLANT_PCP_DIRTY) {
    // a block waiting on a per-cpu list is dirty
    for (let z: u32 = 0; z < MAX_NR_ZONES; z++)
      for (let pindex: u32 = 0; pindex < NR_PCP_LISTS; pindex++) {
        if (pcp_list_len(z, pindex) == 0) continue;
        const p = pcp_list_nth(z, pindex, 0);
        set_flag(p, PG_dirty);
        return done(p);
      }
    return false;
  }
  if (kind == PLANT_PCP_COUNT) {
    const z = first_populated_zone();
    per_cpu_pcp(0, z).count += 1;
    return done(z);
  }
  if (kind == PLANT_PAGEBLOCK_TYPE) {
    // the last pageblock gets a type that does not exist
    const p = (nr_pageblocks - 1) * pageblock_nr_pages;
    store_pageblock_migratetype(p, MIGRATE_TYPES);
    return done(p);
  }
  if (kind == PLANT_RESERVED_HIGHATOMIC) {
    const z = first_populated_zone();
    unchecked(nr_reserved_highatomic[z] += pageblock_nr_pages);
    return done(z);
  }
  return false;
}

// ---- writeback ------------------------------------------------------------------------------------------

/** The first in-flight request carrying at least min_pages pages (NONE if none). */
function first_request(min_pages: u32): u32 {
  for (let r = oldest_inflight(); r != NONE; r = next_inflight(r)) {
    if (req_nr(r) < min_pages) continue;
    let ok = true;
    for (let i: u32 = 0; i < min_pages; i++) if (req_pfn(r, i) == NONE) ok = false;
    if (ok) return r;
  }
  return NONE;
}

function plant_writeback(kind: u32): bool {
  if (kind == PLANT_NR_DIRTY) { st_add(NR_FILE_DIRTY, 1); return done(NONE); }
  if (kind == PLANT_NR_WRITEBACK) { st_add(NR_WRITEBACK, 1); return done(NONE); }
  if (kind == PLANT_NR_WRITEBACK_TEMP) { st_add(NR_WRITEBACK_TEMP, 1); return done(NONE); }
  if (kind == PLANT_TEMP_LOST || kind == PLANT_WRITEBACK_NO_REQUEST) {
    // legacy: a temp page its request forgets (still allocated, still counted); copy-free: a folio page
    // under writeback that no request carries
    const r = first_request(1);
    if (r == NONE) return false;
    const p = req_pfn(r, 0);
    set_req_pfn(r, 0, NONE);
    return done(p);
  }
  if (kind == PLANT_TEMP_TWICE || kind == PLANT_WRITEBACK_TWICE) {
    // the request's second page slot names its first page: one page owned twice
    const r = first_request(2);
    if (r == NONE) return false;
    const p = req_pfn(r, 0);
    set_req_pfn(r, 1, p);
    return done(p);
  }
  if (kind == PLANT_DIRTY_TAG) {
    // a dirty page-cache page whose index loses the DIRTY tag: writeback would never find it
    for (let p: u32 = 0; p < nr_pages; p++) {
      const f = page_flags(p);
      if ((f & (PG_owner | PG_dirty | PG_temp)) != (PG_owner | PG_dirty)) continue;
      const ino = page_next(p); // owner words: (inode, index)
      if (ino >= nr_inodes) continue;
      clear_dirty_bit(ino, page_prev(p));
      return done(p);
    }
    return false;
  }
  if (kind == PLANT_NR_FILE_LRU) { st_add(NR_FILE_LRU, 1); return done(NONE); }
  if (kind == PLANT_WB_WRITTEN) { wb_stat_mod(WB_WRITTEN, stat_value(WB_DIRTIED) - stat_value(WB_WRITTEN) + 1); return done(NONE); }
  if (kind == PLANT_COMPACT_HELD) {
    // compaction returns with a free page still isolated as a migration target
    cc.nr_freepages += 1;
    return done(NONE);
  }
  if (kind == PLANT_NR_SHMEM) {
    if (stat_value(NR_SHMEM) == 0) return false;
    st_add(NR_SHMEM, 1);
    return done(NONE);
  }
  if (kind == PLANT_SYNC_WRITE_PAGE) {
    // a write-through FUSE_WRITE whose first slot names the wrong page
    for (let r = oldest_inflight(); r != NONE; r = next_inflight(r)) {
      if (req_kind(r) != REQ_KIND_WRITE || req_nr(r) == 0) continue;
      const p = req_pfn(r, 0) ^ 1;
      set_req_pfn(r, 0, p);
      return done(p);
    }
    return false;
  }
  if (kind == PLANT_INODE_DIRTY) {
    if (nr_inodes == 0) return false;
    unchecked(ino_nr_dirty[0] += 1);
    return done(0);
  }
  if (kind == PLANT_LRU_LOST) {
    for (let i: u32 = 0; i < nr_inodes; i++) {
      for (let x: u32 = 0; x < inode_pages(i); x++) {
        if (lru_slot(i, x) == NONE) continue;
        set_lru_slot(i, x, NONE);
        return done(mapping_pfn(i, x));
      }
    }
    return false;
  }
  if (kind == PLANT_FLUSHER_TWICE) {
    if (!flusher_scheduled()) return false;
    schedule(now + 1000, EV_FLUSHER, 0);
    return done(NONE);
  }
  if (kind == PLANT_INODE_UNLISTED) {
    for (let i: u32 = 0; i < nr_inodes; i++) if (unchecked(ino_nr_dirty[i]) > 0 && plant_inode_unlisted(i)) return done(i);
    return false;
  }
  if (kind == PLANT_WB_PENDING) {
    // the lowest large page-cache folio (a one-block folio keeps no count): one block more pending than its
    // PG_writeback bits say
    for (let p: u32 = 0; p < nr_pages; p++) {
      const f = page_flags(p);
      if ((f & (PG_owner | PG_head | PG_temp)) != (PG_owner | PG_head) || page_next(p) >= nr_inodes) continue;
      if (page_order(p) == 0) continue;
      set_folio_wb_pending(page_next(p), page_prev(p), folio_wb_pending(page_next(p), page_prev(p)) + 1);
      return done(p);
    }
    return false;
  }
  return false;
}

/** The first live slab (lowest id), NONE if none. */
function first_slab(): u32 {
  for (let id: u32 = 0; id < slab_ids(); id++) if (slab_pfn(id) != NONE) return id;
  return NONE;
}

function plant_slab(kind: u32): bool {
  const id = first_slab();
  if (id == NONE) return false;
  // a kfree() that forgot its object: the slab still counts it, no request holds it
  if (kind == PLANT_SLAB_OBJECT_LEAK) { slab_leak_object(id); return done(slab_pfn(id)); }
  // a slab page that claims to be on the LRU, where compaction would try to migrate it
  if (kind == PLANT_SLAB_PAGE_LRU) { set_flag(slab_pfn(id), PG_lru); return done(slab_pfn(id)); }
  return false;
}

function plant_state(kind: u32): bool {
  if (kind == PLANT_SLAB_OBJECT_LEAK || kind == PLANT_SLAB_PAGE_LRU) return plant_slab(kind);
  return kind < 20 || kind == PLANT_MAX_ORDER_FREE ? plant_allocator(kind) : plant_writeback(kind);
}

// ---- integrity ------------------------------------------------------------------------------------------

/** Plants an integrity fault on the first page (by inode, then index) whose last written version the server
 *  holds; returns false if there is none (or, for PLANT_STORE_STALE_DIRTY, if that page is not cached). The
 *  caller runs integrity_check() again: the run's own final check has already been made. */
export function debug_plant_integrity(kind: u32): bool {
  for (let ino: u32 = 0; ino < nr_inodes; ino++) {
    const pages = inode_pages(ino);
    for (let i: u32 = 0; i < pages; i++) {
      const v = page_version(ino, i);
      if (v == 0 || server_version(ino, i) != v) continue;
      planted_ino = ino;
      if (kind == PLANT_STORE_BYTE) {
        // one byte of the server's backing store changes (data mode)
        const at = data_backing_byte(ino, i, 100);
        if (at == 0) return false;
        store<u8>(at, load<u8>(at) ^ 0x5a);
      } else if (kind == PLANT_STORE_NEWER) set_server_version(ino, i, v + 1); // a version no writer wrote
      else if (kind == PLANT_STORE_STALE) set_server_version(ino, i, v - 1); // an acknowledged write lost, no error
      else if (kind == PLANT_STORE_STALE_ERROR) {
        set_server_version(ino, i, v - 1); // lost, and an abort recorded an error on the mapping
        unchecked(ino_error[ino] = 1);
      } else if (kind == PLANT_STORE_STALE_DIRTY) {
        // still on its way: dirty again in the page cache, not yet sent
        const pfn = mapping_pfn(ino, i);
        if (pfn == NONE) continue;
        set_server_version(ino, i, v - 1);
        set_flag(pfn, PG_dirty);
      } else if (kind == PLANT_STORE_STALE_ACTIVATED) {
        // 6.1/6.6 reclaim: ->writepage returned AOP_WRITEPAGE_ACTIVATE and left the page clean, never sent
        set_server_version(ino, i, v - 1);
        set_unwritten_bit(ino, i);
      } else if (kind == PLANT_PAGE_UNWRITTEN) {
        set_page_version(ino, i, 0); // the page cache forgets the page was ever written
        set_server_version(ino, i, 0);
      } else return false;
      return done(i);
    }
  }
  return false;
}
