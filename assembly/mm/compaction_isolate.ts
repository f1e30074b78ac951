// Compaction's migrate scanner (mm/compaction.c, 6.15): fast_find_migrateblock(), isolate_migratepages() and
// isolate_migratepages_block() take the folios to move, from the bottom of the zone up. The free scanner is
// compaction_free.ts. Skip bits and the cached scanner positions are kept as the kernel keeps them.
import {
  NONE, NR_PAGE_ORDERS, MIGRATE_TYPES, MIGRATE_MOVABLE, MIGRATE_CMA, PAGE_ALLOC_COSTLY_ORDER, pageblock_order,
  pageblock_nr_pages,
} from "./constants";
import {
  PG_buddy, PG_owner, PG_head, PG_lru, PG_temp, PG_pcp, PG_folio_dirty, page_flags, page_order, page_ref, page_next,
  get_pageblock_migratetype,
} from "./page";
import { zone_start, fa_head, fa_tail, fa_count, fa_index } from "./zone";
import { pfn_list_move_tail } from "./pfn_list";
import { MIGRATE_ASYNC, MIGRATE_SYNC, writeback_blocks_isolation, putback_lru } from "./migrate";
import { MAX_INODES } from "../fs/inode";
import { param, CFG_FUSE_WRITEPAGE } from "../sim/config";
import { OWNER_ANON } from "./anon";
import {
  cc, cc_migrate_add, cc_migrate_clear, cc_migrate_list, cc_nr_migrate_folios, COMPACT_CLUSTER_MAX, get_pageblock_skip, set_pageblock_skip,
  compact_cached_migrate_pfn, pageblock_start_pfn, pageblock_end_pfn, pageblock_aligned, block_end_pfn,
  is_via_compact_memory, isolation_suitable, compound_head_order, freelist_scan_limit,
} from "./compact_control";
import {
  st_add, COMPACT_ISOLATED, ISOLATE_FAIL_WRITEBACK, ISOLATE_FAIL_NOT_LRU, ISOLATE_FAIL_PINNED, ISOLATE_FAIL_DIRTY,
} from "../fs/stats";

export const ISOLATE_ABORT: i32 = 0;
export const ISOLATE_NONE: i32 = 1;
export const ISOLATE_SUCCESS: i32 = 2;

// mm/compaction.c: pageblock_skip_persistent(): a compound page of pageblock_order or more starts the block
function pageblock_skip_persistent(pfn: u32): bool {
  const f = page_flags(pfn);
  return (f & PG_owner) != 0 && page_order(pfn) >= pageblock_order;
}

// mm/compaction.c: update_cached_migrate(): where async and sync compaction restart ("Set for isolation rather
// than compaction": alloc_contig_range()'s no_set_skip_hint leaves them alone)
function update_cached_migrate(pfn: u32): void {
  if (cc.no_set_skip_hint) return;
  pfn = pageblock_end_pfn(pfn);
  const z = cc.zone;
  if (pfn > unchecked(compact_cached_migrate_pfn[2 * z])) unchecked(compact_cached_migrate_pfn[2 * z] = pfn);
  if (cc.mode != MIGRATE_ASYNC && pfn > unchecked(compact_cached_migrate_pfn[2 * z + 1])) unchecked(compact_cached_migrate_pfn[2 * z + 1] = pfn);
}

// mm/compaction.c: skip_isolation_on_order(): a folio as large as the target cannot help form it
function skip_isolation_on_order(order: u32, target_order: i32): bool {
  if (!is_via_compact_memory(target_order) && <i32>order >= target_order) return true;
  return order >= pageblock_order;
}

// mm/compaction.c: suitable_migration_source() (6.12.118; the same text in 6.1.192): async direct compaction takes
// folios only from blocks of its own type (MOVABLE and CMA for a movable request); everything else, from any block
function suitable_migration_source(block: u32): bool {
  if (pageblock_skip_persistent(block)) return false;
  if (cc.mode != MIGRATE_ASYNC || !cc.direct_compaction) return true;
  const block_mt = get_pageblock_migratetype(block);
  if (cc.migratetype == MIGRATE_MOVABLE) return block_mt == MIGRATE_MOVABLE || block_mt == MIGRATE_CMA; // is_migrate_movable()
  return block_mt == cc.migratetype;
}

// mm/compaction.c: isolate_migratepages_block() for [low_pfn, end_pfn) of one pageblock: folios go onto
// cc->migratepages until COMPACT_CLUSTER_MAX pages are isolated (all of the block with cc->finish_pageblock).
// Direct async compaction gives up on a cc->order-aligned block at its first failure (skip_on_failure).
// alloc_contig_range() gets here through isolate_migratepages_range() with cc->alloc_contig (compound pages of any
// order are taken), MIGRATE_SYNC (no ISOLATE_ASYNC_MIGRATE: folios under writeback and dirty ones are taken),
// ignore_skip_hint and no_set_skip_hint.
function isolate_migratepages_block(low_pfn: u32, end_pfn: u32): void {
  let nr_scanned: u64 = 0, nr_isolated: u32 = 0;
  let valid_page: u32 = NONE;
  let skip_updated = false;
  const async_migrate = cc.mode != MIGRATE_SYNC; // ISOLATE_ASYNC_MIGRATE
  const skip_on_failure = cc.direct_compaction && cc.mode == MIGRATE_ASYNC;
  let next_skip_pfn: u32 = skip_on_failure ? block_end_pfn(low_pfn, <u32>cc.order) : 0;
  const zstart = unchecked(zone_start[cc.zone]);
  let aborted = false;
  while (low_pfn < end_pfn) {
    if (skip_on_failure && low_pfn >= next_skip_pfn) {
      // every candidate of the previous order-aligned block was isolated: migrate them now
      if (nr_isolated != 0) break;
      next_skip_pfn = block_end_pfn(low_pfn, <u32>cc.order);
    }
    nr_scanned++;
    if (valid_page == NONE && (pageblock_aligned(low_pfn) || low_pfn == zstart)) {
      if (!isolation_suitable(low_pfn)) { low_pfn = end_pfn; aborted = true; break; }
      valid_page = low_pfn;
    }
    const f = page_flags(low_pfn);
    if ((f & PG_buddy) != 0) {
      const o = page_order(low_pfn);
      if (o > 0) { low_pfn += (<u32>1 << o) - 1; nr_scanned += (<u64>1 << o) - 1; }
      low_pfn++;
      continue;
    }
    // the reason this pfn is not isolated, or 0 once it is
    let fail = 0;
    let n: u32 = 1;
    const order = compound_head_order(low_pfn);
    if (order > 0 && !cc.alloc_contig && skip_isolation_on_order(order, cc.order)) {
      low_pfn += (<u32>1 << order) - 1;
      nr_scanned += (<u64>1 << order) - 1;
      fail = ISOLATE_FAIL_NOT_LRU; // not counted below: a compound page too large is no failure to report
    } else if ((f & (PG_owner | PG_head | PG_lru)) != (PG_owner | PG_head | PG_lru) || (f & PG_temp) != 0) {
      // !PageLRU: temp pages, slab, per-cpu pages, pinned ranges; a tail page (folio_get_nontail_page() fails)
      fail = ISOLATE_FAIL_NOT_LRU;
      if ((f & (PG_head | PG_pcp)) != 0) st_add(ISOLATE_FAIL_NOT_LRU, 1); // once per folio or per-cpu block
    } else {
      n = <u32>1 << page_order(low_pfn);
      // an anon folio with references beyond its mapping is pinned: migration would fail
      if (page_next(low_pfn) == OWNER_ANON && page_ref(low_pfn) > 1) { fail = ISOLATE_FAIL_PINNED; st_add(ISOLATE_FAIL_PINNED, 1); }
      // ISOLATE_ASYNC_MIGRATE: writeback would require blocking
      else if (async_migrate && writeback_blocks_isolation(low_pfn)) { fail = ISOLATE_FAIL_WRITEBACK; st_add(ISOLATE_FAIL_WRITEBACK, 1); }
      // ISOLATE_ASYNC_MIGRATE and PageDirty(): a dirty folio is taken only if its mapping has ->migrate_folio
      // (migrate_dirty = !mapping || mapping->a_ops->migrate_folio, 6.1.192 and 6.12.118 alike): 6.1/6.6's FUSE has
      // none (fuse_file_aops), so its dirty folios stay where they are; 6.12+ gives FUSE filemap_migrate_folio(),
      // and shmem and anon have their own
      else if (async_migrate && param(CFG_FUSE_WRITEPAGE) != 0 && (f & PG_folio_dirty) != 0 && page_next(low_pfn) < MAX_INODES) {
        fail = ISOLATE_FAIL_DIRTY; st_add(ISOLATE_FAIL_DIRTY, 1);
      }
    }
    if (fail == 0) {
      // under the lru lock, the first isolation in the block sets its skip bit (test_and_set_skip())
      if (!skip_updated && valid_page != NONE) {
        skip_updated = true;
        if (!cc.ignore_skip_hint) {
          const was = get_pageblock_skip(valid_page);
          if (!was) set_pageblock_skip(valid_page);
          if (was && !cc.finish_pageblock) { low_pfn = end_pfn; aborted = true; break; }
        }
      }
      low_pfn += n - 1; // the folio is taken off the LRU
      cc_migrate_add(low_pfn - (n - 1));
      cc.nr_migratepages += n;
      nr_isolated += n;
      nr_scanned += <u64>n - 1;
      low_pfn++;
      if (cc.nr_migratepages >= COMPACT_CLUSTER_MAX && !cc.finish_pageblock) break;
      continue;
    }
    // isolate_fail: without skip_on_failure, go on; with it, give up on this order-aligned block
    if (!skip_on_failure) { low_pfn++; continue; }
    if (nr_isolated != 0) {
      // putback_movable_pages(&cc->migratepages): from the list's head, where list_add() put the folio isolated
      // last, each folio back on its LRU list's head (folio_putback_lru())
      for (let i = <i32>cc_nr_migrate_folios - 1; i >= 0; i--) putback_lru(unchecked(cc_migrate_list[i]));
      cc_migrate_clear(); nr_isolated = 0;
    }
    if (low_pfn < next_skip_pfn) {
      low_pfn = next_skip_pfn - 1;
      next_skip_pfn += <u32>1 << <u32>cc.order;
    }
    low_pfn++;
  }
  if (!aborted && low_pfn > end_pfn) low_pfn = end_pfn;
  // isolate_abort: a block scanned to its end with nothing isolated (or rescanned) is skipped from now on
  if (low_pfn == end_pfn && (nr_isolated == 0 || cc.finish_pageblock)) {
    if (!cc.no_set_skip_hint && valid_page != NONE && !skip_updated) set_pageblock_skip(valid_page);
    update_cached_migrate(low_pfn);
  }
  cc.total_migrate_scanned += nr_scanned;
  if (nr_isolated != 0) st_add(COMPACT_ISOLATED, nr_isolated);
  cc.migrate_pfn = low_pfn;
}

// mm/compaction.c: update_fast_start_pfn(), reinit_migrate_pfn()
function update_fast_start_pfn(pfn: u32): void {
  if (cc.fast_start_pfn == NONE) return;
  if (cc.fast_start_pfn == 0) cc.fast_start_pfn = pfn;
  cc.fast_start_pfn = min(cc.fast_start_pfn, pfn);
}
function reinit_migrate_pfn(): u32 {
  if (cc.fast_start_pfn == 0 || cc.fast_start_pfn == NONE) return cc.migrate_pfn;
  cc.migrate_pfn = cc.fast_start_pfn;
  cc.fast_start_pfn = NONE;
  return cc.migrate_pfn;
}

// mm/compaction.c: fast_find_migrateblock(): for a costly order, look on the MOVABLE free lists (orders
// cc->order - 1 down to PAGE_ALLOC_COSTLY_ORDER) for a block in the first half (later: the first eighth) of the
// scan space that already has free pages, and start there; a fruitless search falls back on the lowest one seen
function fast_find_migrateblock(): u32 {
  const limit = freelist_scan_limit();
  let nr_scanned: u32 = 0;
  let pfn = cc.migrate_pfn;
  const zstart = unchecked(zone_start[cc.zone]);
  if (cc.ignore_skip_hint || cc.finish_pageblock) return pfn;
  // a continuation of a scan that COMPACT_CLUSTER_MAX cut short
  if (pfn != zstart && pfn != pageblock_start_pfn(pfn)) return pfn;
  if (cc.order <= <i32>PAGE_ALLOC_COSTLY_ORDER) return pfn;
  // keep non-movable requests below a pageblock from polluting movable blocks
  if (cc.direct_compaction && cc.migratetype != MIGRATE_MOVABLE) return pfn;
  let distance = (cc.free_pfn - cc.migrate_pfn) >> 1;
  if (cc.migrate_pfn != zstart) distance >>= 2;
  const high_pfn = pageblock_start_pfn(cc.migrate_pfn + distance);
  let found_block = false;
  for (let order = cc.order - 1; order >= <i32>PAGE_ALLOC_COSTLY_ORDER && !found_block && nr_scanned < limit; order--) {
    let nr_free: u32 = 0;
    for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) nr_free += unchecked(fa_count[fa_index(cc.zone, <u32>order, mt)]);
    if (nr_free == 0) continue;
    const li = fa_index(cc.zone, <u32>order, MIGRATE_MOVABLE);
    for (let freepage = unchecked(fa_head[li]); freepage != NONE; ) {
      const next = page_next(freepage);
      if (nr_scanned++ >= limit) { pfn_list_move_tail(fa_head, fa_tail, li, freepage); break; }
      if (freepage < high_pfn) {
        if (get_pageblock_skip(freepage)) { freepage = next; continue; } // skipped recently
        // reorder so that a future search skips recent pages
        pfn_list_move_tail(fa_head, fa_tail, li, freepage);
        update_fast_start_pfn(freepage);
        pfn = max(pageblock_start_pfn(freepage), zstart);
        cc.fast_search_fail = 0;
        found_block = true;
        break;
      }
      freepage = next;
    }
  }
  cc.total_migrate_scanned += nr_scanned;
  if (!found_block) {
    cc.fast_search_fail++;
    pfn = reinit_migrate_pfn();
  }
  return pfn;
}

/** mm/compaction.c: isolate_migratepages(): from where fast_find_migrateblock() says (else cc->migrate_pfn), the
 *  first suitable block below the free scanner is isolated from; skipped and unsuitable blocks are stepped over. */
export function isolate_migratepages(): i32 {
  let low_pfn = fast_find_migrateblock();
  const zstart = unchecked(zone_start[cc.zone]);
  let block_start = max(pageblock_start_pfn(low_pfn), zstart);
  // the fast search has already checked the block's skip bit
  let fast_find_block = low_pfn != cc.migrate_pfn && cc.fast_search_fail == 0;
  let block_end = pageblock_end_pfn(low_pfn);
  for (; block_end <= cc.free_pfn; fast_find_block = false, cc.migrate_pfn = low_pfn = block_end, block_start = block_end, block_end += pageblock_nr_pages) {
    if ((pageblock_aligned(low_pfn) || low_pfn == zstart) && !fast_find_block && !isolation_suitable(block_start)) continue;
    if (!suitable_migration_source(block_start)) { update_cached_migrate(block_end); continue; }
    isolate_migratepages_block(low_pfn, block_end);
    break;
  }
  return cc.nr_migratepages != 0 ? ISOLATE_SUCCESS : ISOLATE_NONE;
}

/** mm/compaction.c: isolate_migratepages_range() (CONFIG_CMA / alloc_contig_range()): block by block from start_pfn
 *  (the first and last block may be partial) until COMPACT_CLUSTER_MAX pages are on cc->migratepages or end_pfn is
 *  reached; cc->migrate_pfn says where the next call starts. The caller sets cc up (alloc_contig_range()'s
 *  compact_control). pageblock_pfn_to_page() finds every block of a zone's range whole here (no holes). */
export function isolate_migratepages_range(start_pfn: u32, end_pfn: u32): void {
  let pfn = start_pfn;
  let block_end = pageblock_end_pfn(pfn);
  for (; pfn < end_pfn; pfn = block_end, block_end += pageblock_nr_pages) {
    isolate_migratepages_block(pfn, min(block_end, end_pfn));
    if (cc.nr_migratepages >= COMPACT_CLUSTER_MAX) break;
  }
}
