// alloc_contig_range() (mm/page_alloc.c alloc_contig_range_noprof(), __alloc_contig_migrate_range();
// mm/page_isolation.c): isolate the range's pageblocks, then, batch by batch, isolate up to COMPACT_CLUSTER_MAX
// pages of LRU folios (isolate_migratepages_range()), reclaim the clean page cache among them
// (reclaim_clean_pages_from_list()) and migrate the rest with MIGRATE_SYNC, retrying a batch's failures up to 5
// tries; then take the whole range. One unmovable page refuses the range with -EBUSY; a batch that still fails
// after its 5th try ends the attempt with -EBUSY (the rest of the range is never isolated); a folio under
// copy-free writeback makes MIGRATE_SYNC wait for the server, and the range stays isolated while it sleeps. Memory
// offline (highorder.ts offline_step()) shares the isolation and the final take, migrates as do_migrate_range()
// does (offline_migrate_range(): top-down, 512-page batches, each asynchronously first), and keeps its range
// isolated until it is offline.
import {
  NONE, MAX_PAGE_ORDER, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE, pageblock_nr_pages, pageblock_order, __GFP_MOVABLE, GFP_LRU,
} from "./constants";
import { PG_buddy, PG_owner, PG_head, page_flags, page_order, get_pageblock_migratetype, set_page_next, set_page_prev } from "./page";
import { zone_start, zone_end, __del_page_from_free_list, populated_zone, set_pageblock_migratetype, account_freepages, page_group_by_mobility_disabled } from "./zone";
import { __alloc_pages, prep_new_page, __free_one_page, split_large_buddy, page_is_buddy } from "./page_alloc";
import { __move_freepages_block } from "./rmqueue";
import {
  migrate_one, migrate_folio, migrate_pages, migrate_wait_pfn, put_target, putback_lru, folio_isolatable, MIGRATE_SYNC, MIGRATE_ASYNC,
  MIGRATEPAGE_SUCCESS, MIGRATE_WAIT, ENOMEM, EAGAIN, MR_CONTIG_RANGE, MR_MEMORY_HOTPLUG,
} from "./migrate";
import { OWNER_ANON, anon_slot_alloc, ANON_CONTIG } from "./anon";
import { st_add, COMPACT_ISOLATED, PGMIGRATE_SUCCESS, MIGRATION_TARGET_MISSES } from "../fs/stats";
import { arena_alloc } from "../sim/arena";
import { drain_all_pages_zone, zone_pcp_disable, zone_pcp_enable } from "./pcp";
import { cc, cc_start, cc_migrate_list, cc_nr_migrate_folios, cc_migrate_clear, set_cc_nr_migrate_folios } from "./compact_control";
import { isolate_migratepages_range } from "./compaction_isolate";
import { __isolate_free_page } from "./compaction_free";
import { reclaim_clean_pages_from_list, clean_reclaimed } from "../fs/shrink_folio";
import { param, CFG_UNDO_ISOLATE_MOVABLE, MAX_WL } from "../sim/config";

export const CONTIG_OK: i32 = 0;
export const CONTIG_EBUSY: i32 = -16;
export const CONTIG_ENOMEM: i32 = -12;
/** A folio in the range is under writeback and MIGRATE_SYNC waits for it: try again later. */
export const CONTIG_WAIT: i32 = 1;

/** The folio MIGRATE_SYNC waits on, and its range, when alloc_contig_pages() returned CONTIG_WAIT. */
export let contig_wait_pfn: u32 = NONE;
export let contig_wait_start: u32 = NONE;
export let contig_wait_zone: u32 = 0;
/** The slot of the last successful allocation. */
export let contig_slot: u32 = NONE;
/** Whether the last alloc_contig_range() returned with its range still isolated: a CONTIG_WAIT (the kernel's task
 *  sleeps in folio_wait_writeback() inside __alloc_contig_migrate_range(), between start_isolate_page_range() and
 *  undo_isolate_page_range()), or memory offline that is not done (offline_pages() undoes its isolation only when
 *  it fails for good, at failed_removal_isolated, which a signal alone reaches here). */
export let contig_range_isolated: bool = false;

/** The callers whose range can stay isolated between calls (a high-order workload each, MAX_WL of them), and
 *  CONTIG_CALLER for a call that ends with its range (the harness). */
export const CONTIG_CALLER: u32 = <u32>MAX_WL;
const MAX_RANGE_BLOCKS: u32 = 1 << 10;
// per caller, per pageblock of its range (up to 512 MiB): the block's type before the caller isolated it,
// NOT_ISOLATED if it did not; kept while the caller's range stays isolated
const saved_mt = new StaticArray<u8>(<i32>((CONTIG_CALLER + 1) * MAX_RANGE_BLOCKS));
const NOT_ISOLATED: u8 = 0xff;
/** saved_mt's part for the current call's caller. */
let saved_base: u32 = 0;
@inline function saved(b: u32): u8 { return unchecked(saved_mt[saved_base + b]); }
@inline function set_saved(b: u32, mt: u8): void { unchecked(saved_mt[saved_base + b] = mt); }

/** mm/migrate.c: alloc_migration_target() for a contiguous range or memory offline: the fast path and the min
 *  watermark only, where the kernel's target allocation, with its caller's mask (direct reclaim allowed), may also
 *  reclaim and compact (README, "Where the emulator differs"); each miss is counted (MIGRATION_TARGET_MISSES). */
function alloc_migration_target(order: u32): u32 {
  const page = __alloc_pages(__GFP_MOVABLE | GFP_LRU, order);
  if (page == NONE) st_add(MIGRATION_TARGET_MISSES, 1);
  return page;
}

// mm/page_isolation.c: has_unmovable_pages()
function has_unmovable_pages(block: u32): bool {
  for (let p = block; p < block + pageblock_nr_pages; ) {
    const f = page_flags(p);
    if ((f & PG_buddy) != 0) { p += <u32>1 << page_order(p); continue; }
    if ((f & (PG_owner | PG_head)) == (PG_owner | PG_head)) {
      if (!folio_isolatable(p)) return true;
      p += <u32>1 << page_order(p);
      continue;
    }
    p++;
  }
  return false;
}

/** The type undo_isolate_page_range() leaves block b of the range with. Up to 6.16 unset_migratetype_isolate()
 *  moves the block to the migratetype its caller passes, and alloc_contig_pages() (__alloc_contig_pages()) passes
 *  MIGRATE_MOVABLE: an UNMOVABLE or RECLAIMABLE block that passed has_unmovable_pages() comes out MOVABLE, whether
 *  the attempt succeeded or not (6.1.192 and 6.12.118 alloc_contig_range()'s `done:` label). Zi Yan's "Make
 *  MIGRATE_ISOLATE a standalone bit" series ("mm/page_isolation: remove migratetype from
 *  undo_isolate_page_range()"; posted as v6 on 30 May 2025, in mm for the 6.17 merge window; its commits are in
 *  Linus' tree) makes isolation a bit of its own (PB_migrate_isolate) that undo clears: 6.17 on, the block keeps
 *  its type. The release is inferred from those dates and the mainline commits; no 6.17 tag was seen to hold them.
 *  Offline keeps the type: offline_pages() keeps its block isolated across do_migrate_range() rounds and takes it
 *  away once offline, so no undo the kernel does reaches a block the machine still has. */
function undo_mt(b: u32, offline: bool): u32 {
  // under page_group_by_mobility_disabled set_pageblock_migratetype() records MIGRATE_UNMOVABLE for it; the kernel's
  // __move_freepages_block() would still put the free pages on the MOVABLE lists, a mismatch its 6.10 free-list
  // checks warn about: the model moves them to the type the block gets
  if (!offline && param(CFG_UNDO_ISOLATE_MOVABLE) != 0) return page_group_by_mobility_disabled ? MIGRATE_UNMOVABLE : MIGRATE_MOVABLE;
  return <u32>saved(b);
}

// mm/page_alloc.c: find_large_buddy(): the head of a free buddy that holds start_pfn from below, else start_pfn
function find_large_buddy(start_pfn: u32): u32 {
  let pfn = start_pfn;
  for (let order: u32 = 0; (page_flags(pfn) & PG_buddy) == 0; ) {
    if (++order > MAX_PAGE_ORDER) return start_pfn;
    pfn &= ~((<u32>1 << order) - 1);
  }
  return pfn + (<u32>1 << page_order(pfn)) > start_pfn ? pfn : start_pfn;
}

/** mm/page_alloc.c: move_freepages_block_isolate() (6.12.118), what set_migratetype_isolate() and
 *  unset_migratetype_isolate() use for a contiguous range: a block inside or at the start of a free buddy larger
 *  than a pageblock takes its new type and the buddy is freed again block by block (split_large_buddy(), each piece
 *  to its own block's list), so no buddy straddles blocks of two types; otherwise __move_freepages_block(). Memory
 *  offline isolates through it too (offline_pages() -> start_isolate_page_range()). */
function move_freepages_block_isolate(z: u32, block: u32, mt: u32): void {
  const pfn = find_large_buddy(block);
  if (pfn != block || ((page_flags(block) & PG_buddy) != 0 && page_order(block) > pageblock_order)) {
    const order = page_order(pfn);
    const old_mt = get_pageblock_migratetype(pfn);
    // del_page_from_free_list(): off the list, and out of the free counts its type keeps
    __del_page_from_free_list(pfn, z, order, old_mt);
    account_freepages(z, -(<i32>1 << order), old_mt);
    set_pageblock_migratetype(block, mt);
    split_large_buddy(pfn, order, false);
    return;
  }
  __move_freepages_block(z, block, get_pageblock_migratetype(block), mt);
}

/** mm/page_isolation.c: unset_migratetype_isolate() (6.12.118) of an isolated block: "Because freepage with more
 *  than pageblock_order on isolated pageblock is restricted to merge due to freepage counting problem, it is
 *  possible that there is free buddy page": a free page of order pageblock_order or more (below MAX_PAGE_ORDER) at
 *  the block's start whose buddy of that order is free and not isolated is taken off the free list
 *  (__isolate_free_page(): no watermark check and no block moved for an isolated block) and freed again with its
 *  new type (__putback_isolated_page(): __free_one_page() to the tail), so it merges with that buddy; any other
 *  block goes through move_freepages_block_isolate(). */
function unset_migratetype_isolate(z: u32, block: u32, mt: u32): void {
  if (get_pageblock_migratetype(block) != MIGRATE_ISOLATE) return;
  if ((page_flags(block) & PG_buddy) != 0) {
    const order = page_order(block);
    if (order >= pageblock_order && order < MAX_PAGE_ORDER) {
      const buddy = block ^ (<u32>1 << order);
      if (page_is_buddy(buddy, order, z) && get_pageblock_migratetype(buddy) != MIGRATE_ISOLATE) {
        __isolate_free_page(block, z, order);
        set_pageblock_migratetype(block, mt);
        __free_one_page(block, z, order, mt, true);
        return;
      }
    }
  }
  move_freepages_block_isolate(z, block, mt);
}

/** undo_isolate_page_range() of the range: the blocks this attempt isolated (unset_migratetype_isolate() passes
 *  over a block that is not MIGRATE_ISOLATE; the model has no other isolator to leave one so). */
function undo_isolate(first_block: u32, nblocks: u32, z: u32, offline: bool): void {
  for (let b: u32 = 0; b < nblocks; b++) {
    if (saved(b) == NOT_ISOLATED) continue;
    unset_migratetype_isolate(z, first_block + b * pageblock_nr_pages, undo_mt(b, offline));
  }
}

/** set_migratetype_isolate() of block b: false if it is isolated already or has an unmovable page. */
function isolate_block(first_block: u32, b: u32, z: u32, offline: bool): bool {
  const block = first_block + b * pageblock_nr_pages;
  if (get_pageblock_migratetype(block) == MIGRATE_ISOLATE || has_unmovable_pages(block)) return false;
  set_saved(b, <u8>get_pageblock_migratetype(block));
  move_freepages_block_isolate(z, block, MIGRATE_ISOLATE);
  return true;
}

/** NR_MAX_BATCHED_MIGRATION (mm/migrate.c: HPAGE_PMD_NR): migrate_pages() takes its list this many pages at a time. */
const NR_MAX_BATCHED_MIGRATION: u32 = 512;
/** mm/migrate.c: NR_MAX_MIGRATE_ASYNC_RETRY: migrate_pages_sync()'s MIGRATE_ASYNC passes over a batch. */
const NR_MAX_MIGRATE_ASYNC_RETRY: i32 = 3;
// do_migrate_range()'s source list: the folio heads of the range, lowest PFN first (its list's tail); arena memory,
// taken the first time memory offline runs
let offline_heads: usize = 0;
let offline_heads_cap: u32 = 0;

/** mm/memory_hotplug.c: offline_pages()' loop of scan_movable_pages() and do_migrate_range() (6.12.118) over
 *  [start, end), for offline_step(). do_migrate_range() isolates every movable folio of the range onto one list
 *  (isolate_folio_to_list() -> list_add(): the highest PFN at its head; a folio that is not on the LRU is not
 *  isolated and keeps the block busy) and hands it to migrate_pages(MIGRATE_SYNC, MR_MEMORY_HOTPLUG), which takes it
 *  NR_MAX_BATCHED_MIGRATION pages at a time from the head; migrate_pages_sync() runs each batch in MIGRATE_ASYNC
 *  first (a folio under writeback is -EBUSY there; these failures are not counted) and then "one by one
 *  synchronously" over the batch's failures, where a folio under writeback is waited on (CONTIG_WAIT,
 *  contig_wait_pfn set: the model's caller sleeps until its writeback ends and runs the range again; the kernel keeps
 *  the folios not reached yet isolated, off the LRU, where the model leaves them). Failures after that are counted
 *  (pgmigrate_fail); -ENOMEM ends the round. The kernel loops until no movable page is left, its task spinning;
 *  the model makes up to 5 rounds and then lets its caller retry 1 ms later (CONTIG_EBUSY). MIGRATEPAGE_SUCCESS once
 *  a round left nothing movable. */
function offline_migrate_range(start: u32, end: u32): i32 {
  if (offline_heads_cap < end - start) {
    offline_heads_cap = max<u32>(end - start, MAX_RANGE_BLOCKS * pageblock_nr_pages);
    offline_heads = arena_alloc(<usize>offline_heads_cap << 2);
  }
  for (let round = 0; round < 5; round++) {
    let busy = false;
    let n: u32 = 0;
    for (let p = start; p < end; ) {
      const f = page_flags(p);
      if ((f & PG_buddy) != 0) { p += <u32>1 << page_order(p); continue; }
      if ((f & (PG_owner | PG_head)) != (PG_owner | PG_head)) { p++; continue; }
      // scan_movable_pages() passes over a page neither on the LRU nor movable, and isolate_folio_to_list() takes
      // only what folio_isolate_lru() can: such a folio is never migrated (nor counted), and keeps the block busy
      if (folio_isolatable(p)) store<u32>(offline_heads + (<usize>(n++) << 2), p); else busy = true;
      p += <u32>1 << page_order(p);
    }
    // migrate_pages(): batches from the list's head, the highest PFN
    let hi = <i32>n - 1;
    while (hi >= 0) {
      let lo = hi, pages: u32 = 0;
      while (lo >= 0) {
        pages += <u32>1 << page_order(load<u32>(offline_heads + (<usize>lo << 2)));
        lo--;
        if (pages >= NR_MAX_BATCHED_MIGRATION) break;
      }
      // heads (lo, hi] form the batch, in list order from hi down. MIGRATE_ASYNC first: what moves is counted
      // now, a failure waits for the synchronous pass (kept in place, failed ones toward hi)
      let failed = hi + 1;
      for (let k = hi; k > lo; k--) {
        const head = load<u32>(offline_heads + (<usize>k << 2));
        const nr = <i64>1 << page_order(head); // before the move frees the head into a buddy
        let r: i32 = EAGAIN;
        for (let pass = 0; pass < NR_MAX_MIGRATE_ASYNC_RETRY && r == EAGAIN; pass++) r = migrate_folio(head, MIGRATE_ASYNC, alloc_migration_target, put_target);
        if (r == ENOMEM) return CONTIG_ENOMEM;
        if (r == MIGRATEPAGE_SUCCESS) { st_add(PGMIGRATE_SUCCESS, nr); continue; }
        store<u32>(offline_heads + (<usize>(--failed) << 2), head);
      }
      // then one by one synchronously, in the order the asynchronous pass met them
      for (let k = hi; k >= failed; k--) {
        const head = load<u32>(offline_heads + (<usize>k << 2));
        const r = migrate_one(head, MIGRATE_SYNC, MR_MEMORY_HOTPLUG, alloc_migration_target, put_target);
        if (r == MIGRATE_WAIT) { contig_wait_pfn = head; return CONTIG_WAIT; }
        if (r == ENOMEM) return CONTIG_ENOMEM;
        if (r != MIGRATEPAGE_SUCCESS) busy = true;
      }
      hi = lo;
    }
    if (!busy) return MIGRATEPAGE_SUCCESS;
  }
  return CONTIG_EBUSY;
}

/** mm/page_alloc.c: __alloc_contig_migrate_range() (6.12.118; 6.1.192 the same loop) for [start, end) with
 *  alloc_contig_range_noprof()'s compact_control: MIGRATE_SYNC, ignore_skip_hint, no_set_skip_hint, alloc_contig,
 *  order -1. While pfn < end or the list holds folios: an empty list is refilled by isolate_migratepages_range()
 *  from pfn (tries = 0), a list still holding failures is tried again until `++tries == 5` (-EBUSY); each time
 *  reclaim_clean_pages_from_list() first, then migrate_pages(MR_CONTIG_RANGE), whose -ENOMEM ends it. Returns
 *  MIGRATEPAGE_SUCCESS, CONTIG_EBUSY, CONTIG_ENOMEM, or CONTIG_WAIT (contig_wait_pfn set). On an error the folios
 *  left on the list go back to the LRU (putback_movable_pages(); migrate_pages() put each failure back already). */
function alloc_contig_migrate_range(start: u32, end: u32, z: u32): i32 {
  cc_start(z, -1, MIGRATE_SYNC, 0, 0);
  cc.ignore_skip_hint = true;
  cc.no_set_skip_hint = true;
  cc.alloc_contig = true;
  cc.finish_pageblock = false;
  cc.total_migrate_scanned = 0;
  cc_migrate_clear();
  let pfn = start;
  let tries: u32 = 0;
  let ret: i32 = MIGRATEPAGE_SUCCESS;
  while (pfn < end || cc_nr_migrate_folios != 0) {
    if (cc_nr_migrate_folios == 0) {
      cc.nr_migratepages = 0;
      isolate_migratepages_range(pfn, end); // counts compact_isolated, once per isolation
      pfn = cc.migrate_pfn;
      tries = 0;
      if (cc_nr_migrate_folios == 0) continue; // nothing isolated up to end: the loop ends with pfn == end
    } else if (++tries == 5) {
      ret = CONTIG_EBUSY;
      break;
    }
    const left = reclaim_clean_pages_from_list(cc_migrate_list, cc_nr_migrate_folios);
    set_cc_nr_migrate_folios(left);
    cc.nr_migratepages -= <u32>clean_reclaimed;
    if (left == 0) continue;
    const r = migrate_pages(cc_migrate_list, left, MIGRATE_SYNC, MR_CONTIG_RANGE, alloc_migration_target, put_target);
    if (migrate_wait_pfn != NONE) {
      // MIGRATE_SYNC sleeps in folio_wait_writeback() with the range isolated; the model's caller walks the range
      // again from its start when the writeback ends (highorder.ts): the folios of this list not migrated yet stay on
      // the LRU meanwhile (the kernel's are isolated, off it) and are isolated (and counted) again then
      contig_wait_pfn = migrate_wait_pfn;
      cc_migrate_clear();
      return CONTIG_WAIT;
    }
    // -ENOMEM: migrate_pages() bailed out (and put the rest back), and so does the range
    if (r == ENOMEM) { cc_migrate_clear(); return CONTIG_ENOMEM; }
    set_cc_nr_migrate_folios(<u32>r); // the failures stay on the list
  }
  if (ret != MIGRATEPAGE_SUCCESS) {
    // putback_movable_pages(&cc->migratepages), from the list's head (migrate_pages() put each failure back
    // already, in this order: the LRU ends the same)
    for (let i = <i32>cc_nr_migrate_folios - 1; i >= 0; i--) putback_lru(unchecked(cc_migrate_list[i]));
  }
  cc_migrate_clear();
  return ret;
}

/** mm/page_alloc.c: alloc_contig_range() of [start, start + 2^order) in zone z for `caller` (CONTIG_CALLER, or the
 *  high-order workload whose range may stay isolated); `offline`: offline_pages()'s migration
 *  (offline_migrate_range()) instead of __alloc_contig_migrate_range(). `resume`: the caller's range is still
 *  isolated from its last call (contig_range_isolated), which is taken up where the kernel's task goes on: after
 *  its sleep in folio_wait_writeback(), or in offline_pages()' next do_migrate_range() round. The model walks the
 *  range again from its start (what was migrated is free and isolated now), without a new drain_all_pages(). */
export function alloc_contig_range(start: u32, order: u32, z: u32, offline: bool = false, caller: u32 = CONTIG_CALLER, resume: bool = false): i32 {
  // offline_pages() turns the zone's per-cpu lists off before it isolates the range and on again when it ends,
  // whether the block went offline or its isolation was refused; a round that leaves the block isolated keeps
  // them off (a MIGRATE_SYNC sleep included). alloc_contig_range() only drains them.
  if (offline && !resume) zone_pcp_disable(z);
  const r = __alloc_contig_range(start, order, z, offline, caller, resume);
  if (offline && !contig_range_isolated) zone_pcp_enable(z);
  return r;
}

function __alloc_contig_range(start: u32, order: u32, z: u32, offline: bool, caller: u32, resume: bool): i32 {
  const nr: u32 = <u32>1 << order;
  const nblocks = max<u32>(1, nr / pageblock_nr_pages);
  contig_range_isolated = false;
  if (nblocks > MAX_RANGE_BLOCKS) return CONTIG_EBUSY;
  saved_base = min(caller, CONTIG_CALLER) * MAX_RANGE_BLOCKS;
  const first_block = start & ~(pageblock_nr_pages - 1);
  if (!resume) {
    // start_isolate_page_range() isolates whole pageblocks, those of [pageblock_start_pfn(start), end): the first,
    // then the last, then the ones between; a refusal undoes those isolated (undo_isolate_page_range()), and the
    // caller goes to the next range (not a migration failure)
    for (let b: u32 = 0; b < nblocks; b++) set_saved(b, NOT_ISOLATED);
    if (!isolate_block(first_block, 0, z, offline)) return CONTIG_EBUSY;
    if (nblocks > 1 && !isolate_block(first_block, nblocks - 1, z, offline)) { undo_isolate(first_block, nblocks, z, offline); return CONTIG_EBUSY; }
    for (let b: u32 = 1; b + 1 < nblocks; b++) {
      if (!isolate_block(first_block, b, z, offline)) { undo_isolate(first_block, nblocks, z, offline); return CONTIG_EBUSY; }
    }
    // drain_all_pages(cc.zone): blocks of the range waiting on per-cpu lists go to the ISOLATE lists
    drain_all_pages_zone(z);
  }
  const end = start + nr;
  const r = offline ? offline_migrate_range(start, end) : alloc_contig_migrate_range(start, end, z);
  if (r == CONTIG_WAIT) {
    // the task sleeps with its range isolated: the range's free pages stay off the free lists and out of
    // NR_FREE_PAGES, and nothing new is allocated in it, until the writeback ends (or for good)
    contig_wait_start = start; contig_wait_zone = z;
    contig_range_isolated = true;
    return CONTIG_WAIT;
  }
  // offline_pages() loops (scan_movable_pages(), do_migrate_range(), test_pages_isolated()) with its range isolated
  // until every page is free; the model's caller retries it a little later, the range still isolated
  if (offline && r != MIGRATEPAGE_SUCCESS) { contig_range_isolated = true; return r; }
  // `if (ret && ret != -EBUSY) goto done;`: -EBUSY falls through to test_pages_isolated(), which fails while a page
  // of the range is in use
  if (r == CONTIG_ENOMEM) { undo_isolate(first_block, nblocks, z, offline); return CONTIG_ENOMEM; }
  // test_pages_isolated(): every page of the range is free now, or the attempt fails (before any is taken)
  for (let p = start; p < end; ) {
    if ((page_flags(p) & PG_buddy) == 0) {
      if (offline) { contig_range_isolated = true; return CONTIG_EBUSY; } // offline_pages()' `} while (ret);`
      undo_isolate(first_block, nblocks, z, offline);
      return CONTIG_EBUSY;
    }
    p += <u32>1 << page_order(p);
  }
  // isolate_freepages_range(): take them (compact_isolated)
  for (let p = start; p < end; ) {
    const o = page_order(p);
    __del_page_from_free_list(p, z, o, MIGRATE_ISOLATE); // ISOLATE pages are not counted free
    // a free buddy larger than the range (an order-10 page over two blocks): keep the range, free the rest
    for (let k = order; k < o; k++) {
      const piece = p + (<u32>1 << k);
      __free_one_page(piece, z, k, get_pageblock_migratetype(piece), false);
    }
    p += <u32>1 << min(o, order);
  }
  // isolate_freepages_block() counts them; offline_pages() takes its block with __offline_isolated_pages(), no count
  if (!offline) st_add(COMPACT_ISOLATED, nr);
  // undo_isolate_page_range() at `done:` (the pages are allocated now, so the blocks' type is all that changes)
  undo_isolate(first_block, nblocks, z, offline);
  const chunk = min(order, MAX_PAGE_ORDER);
  contig_slot = anon_slot_alloc(start, order, ANON_CONTIG);
  for (let p = start; p < end; p += <u32>1 << chunk) {
    prep_new_page(p, chunk, 0, MIGRATE_MOVABLE); // CMA-style: movable type, not on the LRU (pinned)
    set_page_next(p, OWNER_ANON);
    set_page_prev(p, contig_slot);
  }
  return CONTIG_OK;
}

/** mm/page_alloc.c: alloc_contig_pages(): the first aligned range of the zone that works, zones from the top. */
export function alloc_contig_pages(order: u32, highest: u32, caller: u32 = CONTIG_CALLER, from: u32 = NONE): i32 {
  contig_wait_pfn = NONE;
  const nr: u32 = <u32>1 << order;
  let result = CONTIG_ENOMEM;
  for (let zi = <i32>highest; zi >= 0; zi--) {
    const z = <u32>zi;
    if (!populated_zone(z)) continue;
    let pfn = (unchecked(zone_start[z]) + nr - 1) & ~(nr - 1);
    // a call that slept in a range goes on after it (`from`: the next range of zone `highest`)
    if (from != NONE && z == highest) pfn = from;
    for (; pfn + nr <= unchecked(zone_end[z]); pfn += nr) {
      const r = alloc_contig_range(pfn, order, z, false, caller);
      if (r == CONTIG_OK || r == CONTIG_WAIT) return r;
      result = r;
    }
  }
  return result;
}

/** free_contig_range() */
export function free_contig_range(start: u32, order: u32, free_chunk: (pfn: u32, order: u32) => void): void {
  const chunk = min(order, MAX_PAGE_ORDER);
  for (let p = start; p < start + (<u32>1 << order); p += <u32>1 << chunk) free_chunk(p, chunk);
}
