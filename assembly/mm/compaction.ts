// Memory compaction (mm/compaction.c): a migrate scanner up from the zone start and a free scanner down
// from the end, 32 pages a batch, pageblock skip bits, deferral, compaction_suitable() with the extfrag
// threshold. Pages the free scanner takes are held off the free lists until the run ends.
import {
  NONE, NR_PAGE_ORDERS, MIGRATE_TYPES, MIGRATE_MOVABLE, MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_PCPTYPES,
  pageblock_order, pageblock_nr_pages, MAX_NR_ZONES, ALLOC_CMA, __GFP_MOVABLE, GFP_LRU, PAGE_ALLOC_COSTLY_ORDER,
} from "./constants";
import { PG_buddy, PG_owner, PG_head, PG_folio_writeback, page_flags, page_order, get_pageblock_migratetype } from "./page";
import {
  zone_start, zone_end, fa_count, fa_index, free_list_empty, __del_page_from_free_list, account_freepages,
  wmark_low, wmark_min, populated_zone,
} from "./zone";
import { __zone_watermark_ok } from "./watermark";
import { __free_one_page, prep_new_page } from "./page_alloc";
import { migrate_folio, folio_isolatable, MIGRATE_ASYNC, MIGRATE_SYNC, MIGRATEPAGE_SUCCESS, EAGAIN, MIGRATE_WAIT } from "./migrate";
import {
  st_add, COMPACT_MIGRATE_SCANNED, COMPACT_FREE_SCANNED, MIGRATE_FAIL_WRITEBACK, MIGRATE_FAIL_UNMOVABLE, PGMIGRATE_FAIL,
} from "../fs/stats";
import { drain_pages_zone } from "./pcp";

export const COMPACT_SKIPPED: i32 = 1;
export const COMPACT_DEFERRED: i32 = 2;
export const COMPACT_CONTINUE: i32 = 3;
export const COMPACT_COMPLETE: i32 = 4;
export const COMPACT_SUCCESS: i32 = 5;

const COMPACT_CLUSTER_MAX: u32 = 32;
const COMPACT_MAX_DEFER_SHIFT: u32 = 6;
/** /proc/sys/vm/extfrag_threshold */
const sysctl_extfrag_threshold: i32 = 500;

// Per-zone deferral state and pageblock skip bits.
const compact_considered = new StaticArray<u32>(<i32>MAX_NR_ZONES);
const compact_defer_shift = new StaticArray<u32>(<i32>MAX_NR_ZONES);
const compact_order_failed = new StaticArray<u32>(<i32>MAX_NR_ZONES);
let skip_bits: usize = 0;

export function compaction_init(nr_pageblocks: u32): void {
  skip_bits = heap.alloc(<usize>nr_pageblocks);
  memory.fill(skip_bits, 0, <usize>nr_pageblocks);
  for (let z = 0; z < <i32>MAX_NR_ZONES; z++) {
    unchecked(compact_considered[z] = 0); unchecked(compact_defer_shift[z] = 0); unchecked(compact_order_failed[z] = 0);
  }
}

// mm/compaction.c: defer_compaction(), compaction_deferred(), compaction_defer_reset()
export function defer_compaction(z: u32, order: u32): void {
  unchecked(compact_considered[z] = 0);
  let s = unchecked(compact_defer_shift[z]) + 1;
  if (s > COMPACT_MAX_DEFER_SHIFT) s = COMPACT_MAX_DEFER_SHIFT;
  unchecked(compact_defer_shift[z] = s);
  if (order < unchecked(compact_order_failed[z])) unchecked(compact_order_failed[z] = order);
}
export function compaction_deferred(z: u32, order: u32): bool {
  const limit: u32 = <u32>1 << unchecked(compact_defer_shift[z]);
  if (order < unchecked(compact_order_failed[z])) return false;
  const c = unchecked(compact_considered[z]) + 1;
  if (c >= limit) { unchecked(compact_considered[z] = limit); return false; }
  unchecked(compact_considered[z] = c);
  return true;
}
export function compaction_defer_reset(z: u32, order: u32, alloc_success: bool): void {
  if (alloc_success) { unchecked(compact_considered[z] = 0); unchecked(compact_defer_shift[z] = 0); }
  if (order >= unchecked(compact_order_failed[z])) unchecked(compact_order_failed[z] = order + 1);
}

// mm/vmstat.c: fill_contig_page_info() + __fragmentation_index()
export function fragmentation_index(z: u32, order: u32): i32 {
  let free_pages: u64 = 0, free_blocks_total: u64 = 0, free_blocks_suitable: u64 = 0;
  for (let o: u32 = 0; o < NR_PAGE_ORDERS; o++) {
    let blocks: u64 = 0;
    for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) blocks += <u64>unchecked(fa_count[fa_index(z, o, mt)]);
    free_blocks_total += blocks;
    free_pages += blocks << o;
    if (o >= order) free_blocks_suitable += blocks << (o - order);
  }
  const requested: u64 = <u64>1 << order;
  if (free_blocks_total == 0) return 0;
  if (free_blocks_suitable > 0) return -1000;
  return 1000 - <i32>((1000 + free_pages * 1000 / requested) / free_blocks_total);
}

// mm/compaction.c: compaction_suitable(): enough free memory above the watermark to migrate into, and
// for costly orders a failure that fragmentation (not low memory) explains
export function compaction_suitable(z: u32, order: u32, highest: u32): bool {
  const mark = <i64>(order > PAGE_ALLOC_COSTLY_ORDER ? unchecked(wmark_low[z]) : unchecked(wmark_min[z])) + (<i64>2 << order);
  if (!__zone_watermark_ok(z, 0, mark, highest, ALLOC_CMA)) return false;
  if (order > PAGE_ALLOC_COSTLY_ORDER) {
    const fragindex = fragmentation_index(z, order);
    if (fragindex >= 0 && fragindex <= sysctl_extfrag_threshold) return false;
  }
  return true;
}

// compact_control
let cc_zone: u32 = 0, cc_order: u32 = 0, cc_mode: u32 = 0, cc_mt: u32 = 0;
let cc_migrate_pfn: u32 = 0, cc_free_pfn: u32 = 0;
// isolated free chunks (cc->freepages)
const cc_free_pfn_list = new StaticArray<u32>(1024);
const cc_free_order_list = new StaticArray<u32>(1024);
let cc_nr_free: u32 = 0;
/** Pages held in the lists above. */
let cc_isolated: u32 = 0;

/** Holds a free chunk for compaction_alloc(); false when the list is full. */
function cc_push(pfn: u32, order: u32): bool {
  if (cc_nr_free >= 1024) return false;
  unchecked(cc_free_pfn_list[cc_nr_free] = pfn);
  unchecked(cc_free_order_list[cc_nr_free] = order);
  cc_nr_free++;
  cc_isolated += <u32>1 << order;
  return true;
}
/** Set when a MIGRATE_SYNC migration met a folio under writeback: the caller must wait (contig). */
export let cc_wait_pfn: u32 = NONE;

// mm/compaction.c: suitable_migration_target(): movable (or CMA) blocks, not whole free pageblocks
function suitable_migration_target(pfn: u32): bool {
  if ((page_flags(pfn) & PG_buddy) != 0 && page_order(pfn) >= pageblock_order) return false;
  const mt = get_pageblock_migratetype(pfn);
  return mt == MIGRATE_MOVABLE || mt == MIGRATE_CMA;
}

// mm/compaction.c: isolate_freepages(): the free scanner, from the top down, never below the migrate scanner
function isolate_freepages(): void {
  const zstart = unchecked(zone_start[cc_zone]);
  while (cc_isolated < COMPACT_CLUSTER_MAX) {
    if (cc_free_pfn < zstart + pageblock_nr_pages || cc_free_pfn <= cc_migrate_pfn + pageblock_nr_pages) return;
    cc_free_pfn -= pageblock_nr_pages;
    const block = cc_free_pfn;
    if (!suitable_migration_target(block)) continue;
    for (let p = block; p < block + pageblock_nr_pages; ) {
      st_add(COMPACT_FREE_SCANNED, 1);
      const f = page_flags(p);
      if ((f & PG_buddy) == 0) { p++; continue; }
      const o = page_order(p);
      if (cc_nr_free < 1024) {
        const mt = get_pageblock_migratetype(p);
        __del_page_from_free_list(p, cc_zone, o, mt);
        account_freepages(cc_zone, -(<i32>1 << o), mt);
        cc_push(p, o);
      }
      p += <u32>1 << o;
    }
  }
}

// mm/compaction.c: compaction_alloc(): a target folio carved from the isolated free pages
function compaction_alloc(order: u32): u32 {
  for (let pass = 0; pass < 2; pass++) {
    for (let i: u32 = 0; i < cc_nr_free; i++) {
      const o = unchecked(cc_free_order_list[i]);
      if (o < order) continue;
      const p = unchecked(cc_free_pfn_list[i]);
      // keep the upper halves isolated, as the kernel splits isolated high-order pages
      let high = o;
      unchecked(cc_free_pfn_list[i] = cc_free_pfn_list[cc_nr_free - 1]);
      unchecked(cc_free_order_list[i] = cc_free_order_list[cc_nr_free - 1]);
      cc_nr_free--;
      cc_isolated -= <u32>1 << o;
      while (high > order) {
        high--;
        const piece = p + (<u32>1 << high);
        // no room in the list: give it back
        if (!cc_push(piece, high)) __free_one_page(piece, cc_zone, high, get_pageblock_migratetype(piece), false);
      }
      prep_compaction_target(p, order);
      return p;
    }
    isolate_freepages();
  }
  return NONE;
}

/** The carved page becomes an allocated folio; move_folio() then gives it the source's state. */
function prep_compaction_target(pfn: u32, order: u32): void { prep_new_page(pfn, order, __GFP_MOVABLE | GFP_LRU, MIGRATE_MOVABLE); }

// mm/compaction.c: release_free_list(): what the free scanner isolated and did not use goes back
function release_freepages(): void {
  for (let i: u32 = 0; i < cc_nr_free; i++) {
    const p = unchecked(cc_free_pfn_list[i]);
    __free_one_page(p, cc_zone, unchecked(cc_free_order_list[i]), get_pageblock_migratetype(p), false);
  }
  cc_nr_free = 0;
  cc_isolated = 0;
}

// mm/compaction.c: __compact_finished(): a free page of the order now exists on a list the request can use
function compact_finished(): bool {
  for (let o = cc_order; o < NR_PAGE_ORDERS; o++) {
    if (!free_list_empty(cc_zone, o, cc_mt)) return true;
    if (cc_mt == MIGRATE_MOVABLE && !free_list_empty(cc_zone, o, MIGRATE_CMA)) return true;
    // a whole foreign pageblock can be claimed
    if (o >= pageblock_order)
      for (let mt: u32 = 0; mt < MIGRATE_PCPTYPES; mt++) if (!free_list_empty(cc_zone, o, mt)) return true;
  }
  return false;
}

@inline function test_skip(pfn: u32): bool { return load<u8>(skip_bits + <usize>(pfn >> pageblock_order)) != 0; }
@inline function set_skip(pfn: u32): void { store<u8>(skip_bits + <usize>(pfn >> pageblock_order), 1); }
export function reset_skip_bits(z: u32): void {
  for (let p = unchecked(zone_start[z]); p < unchecked(zone_end[z]); p += pageblock_nr_pages) store<u8>(skip_bits + <usize>(p >> pageblock_order), 0);
}

// mm/compaction.c: isolate_migratepages_block() + migrate_pages() for one pageblock; returns the folios moved
function compact_block(block: u32): u32 {
  let moved: u32 = 0, failed: u32 = 0;
  const retries: i32 = cc_mode == MIGRATE_ASYNC ? 3 : 10; // NR_MAX_MIGRATE_(ASYNC_)PAGES_RETRY
  for (let p = block; p < block + pageblock_nr_pages; ) {
    st_add(COMPACT_MIGRATE_SCANNED, 1);
    const f = page_flags(p);
    if ((f & PG_buddy) != 0) { p += <u32>1 << page_order(p); continue; }
    if ((f & (PG_owner | PG_head)) != (PG_owner | PG_head)) { p++; continue; }
    const n: u32 = <u32>1 << page_order(p);
    if (!folio_isolatable(p)) { st_add(MIGRATE_FAIL_UNMOVABLE, 1); failed++; p += n; continue; }
    // async isolation takes only folios it can migrate without blocking: not under writeback
    if (cc_mode == MIGRATE_ASYNC && (f & PG_folio_writeback) != 0) { st_add(MIGRATE_FAIL_WRITEBACK, 1); failed++; p += n; continue; }
    let r: i32 = EAGAIN;
    for (let pass = 0; pass < retries && r == EAGAIN; pass++) r = migrate_folio(p, cc_mode, compaction_alloc);
    if (r == MIGRATEPAGE_SUCCESS) moved++;
    else {
      failed++;
      st_add(PGMIGRATE_FAIL, n);
      if (r == MIGRATE_WAIT) { cc_wait_pfn = p; return moved; }
      // no free page left to migrate into and the free scanner has met this one: the run is over
      if (r < 0 && cc_isolated == 0 && cc_free_pfn <= cc_migrate_pfn + pageblock_nr_pages) return moved;
    }
    p += n;
  }
  // nothing could be moved out of this block: skip it next time (isolation_suitable)
  if (moved == 0 && failed > 0 && cc_mode != MIGRATE_SYNC) set_skip(block);
  return moved;
}

/** mm/compaction.c: compact_zone() for `order` pages of migratetype `mt` (MOVABLE for THP). */
export function compact_zone(z: u32, order: u32, mode: u32, mt: u32, highest: u32): i32 {
  if (!populated_zone(z)) return COMPACT_SKIPPED;
  if (compaction_deferred(z, order)) return COMPACT_DEFERRED;
  if (!compaction_suitable(z, order, highest)) return COMPACT_SKIPPED;
  cc_zone = z; cc_order = order; cc_mode = mode; cc_mt = mt; cc_nr_free = 0; cc_isolated = 0; cc_wait_pfn = NONE;
  cc_migrate_pfn = unchecked(zone_start[z]);
  cc_free_pfn = unchecked(zone_end[z]);
  let result = COMPACT_COMPLETE;
  while (true) {
    if (compact_finished()) { result = COMPACT_SUCCESS; break; }
    if (cc_migrate_pfn + pageblock_nr_pages > cc_free_pfn) break; // the scanners met
    const block = cc_migrate_pfn;
    cc_migrate_pfn += pageblock_nr_pages;
    if (test_skip(block) && mode != MIGRATE_SYNC) continue;
    // suitable_migration_source(): async direct compaction scans only blocks of the request's type
    const bmt = get_pageblock_migratetype(block);
    if (bmt == MIGRATE_ISOLATE) continue;
    if (mode == MIGRATE_ASYNC && bmt != mt && !(mt == MIGRATE_MOVABLE && bmt == MIGRATE_CMA)) continue;
    const moved = compact_block(block);
    // lru_add_drain_cpu_zone(): the scanner leaves a block it migrated from, so the sources freed to the
    // per-cpu lists go back to the buddy lists, where compact_finished() and the allocation can see them
    if (moved > 0 && order > 0) drain_pages_zone(z);
    if (cc_wait_pfn != NONE) break;
  }
  release_freepages();
  if (result == COMPACT_COMPLETE) reset_skip_bits(z); // __reset_isolation_suitable after a full pass
  return result;
}
