// alloc_contig_range() (mm/page_alloc.c, mm/page_isolation.c): isolate the range's pageblocks, migrate every
// page in use out of it with MIGRATE_SYNC (up to 5 tries), then take the whole range. One unmovable page
// fails the range with -EBUSY; a folio under copy-free writeback makes MIGRATE_SYNC wait for the server.
import {
  NONE, MAX_PAGE_ORDER, MIGRATE_ISOLATE, MIGRATE_MOVABLE, pageblock_nr_pages, __GFP_MOVABLE, GFP_LRU,
} from "./constants";
import { PG_buddy, PG_owner, PG_head, page_flags, page_order, get_pageblock_migratetype, set_page_next, set_page_prev } from "./page";
import { zone_start, zone_end, __del_page_from_free_list, populated_zone } from "./zone";
import { __alloc_pages, prep_new_page, __free_one_page } from "./page_alloc";
import { __move_freepages_block } from "./rmqueue";
import { migrate_one, put_target, folio_isolatable, MIGRATE_SYNC, MIGRATEPAGE_SUCCESS, MIGRATE_WAIT, ENOMEM, MR_CONTIG_RANGE } from "./migrate";
import { OWNER_ANON, anon_slot_alloc, ANON_CONTIG } from "./anon";
import { st_add, COMPACT_ISOLATED } from "../fs/stats";
import { drain_all_pages_zone } from "./pcp";

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

const saved_mt = new StaticArray<u8>(1 << 10); // per pageblock of a range (up to 512 MiB)

function alloc_migration_target(order: u32): u32 { return __alloc_pages(__GFP_MOVABLE | GFP_LRU, order); }

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

function undo_isolate(first_block: u32, nblocks: u32, z: u32): void {
  for (let b: u32 = 0; b < nblocks; b++) __move_freepages_block(z, first_block + b * pageblock_nr_pages, MIGRATE_ISOLATE, <u32>unchecked(saved_mt[b]));
}

/** mm/page_alloc.c: alloc_contig_range() of [start, start + 2^order) in zone z. */
export function alloc_contig_range(start: u32, order: u32, z: u32): i32 {
  const nr: u32 = <u32>1 << order;
  const nblocks = max<u32>(1, nr / pageblock_nr_pages);
  if (nblocks > <u32>(1 << 10)) return CONTIG_EBUSY;
  // start_isolate_page_range() isolates whole pageblocks: those of [pageblock_start_pfn(start), end)
  const first_block = start & ~(pageblock_nr_pages - 1);
  for (let b: u32 = 0; b < nblocks; b++) {
    const block = first_block + b * pageblock_nr_pages;
    if (get_pageblock_migratetype(block) == MIGRATE_ISOLATE || has_unmovable_pages(block)) {
      // a range refused before any migration: not a migration failure (the caller tries the next range)
      undo_isolate(first_block, b, z);
      return CONTIG_EBUSY;
    }
    unchecked(saved_mt[b] = <u8>get_pageblock_migratetype(block));
    __move_freepages_block(z, block, get_pageblock_migratetype(block), MIGRATE_ISOLATE);
  }
  // drain_all_pages(cc.zone): blocks of the range waiting on per-cpu lists go to the ISOLATE lists
  drain_all_pages_zone(z);
  // __alloc_contig_migrate_range(): up to 5 tries over the range; isolate_migratepages_range() takes every LRU
  // folio (MIGRATE_SYNC: no ISOLATE_ASYNC_MIGRATE, writeback included), migrate_pages(MR_CONTIG_RANGE) moves them
  const end = start + nr;
  for (let attempt = 0; attempt < 5; attempt++) {
    let busy = false;
    for (let p = start; p < end; ) {
      const f = page_flags(p);
      if ((f & PG_buddy) != 0) { p += <u32>1 << page_order(p); continue; }
      if ((f & (PG_owner | PG_head)) != (PG_owner | PG_head)) { p++; continue; }
      const n: u32 = <u32>1 << page_order(p);
      st_add(COMPACT_ISOLATED, n);
      const r = migrate_one(p, MIGRATE_SYNC, MR_CONTIG_RANGE, alloc_migration_target, put_target);
      if (r == MIGRATE_WAIT) {
        // MIGRATE_SYNC sleeps in folio_wait_writeback(); the model gives the range back and retries it when the
        // writeback ends (highorder.ts), so the folios isolated so far are isolated (and counted) again then
        contig_wait_pfn = p; contig_wait_start = start; contig_wait_zone = z;
        undo_isolate(first_block, nblocks, z);
        return CONTIG_WAIT;
      }
      // migrate_pages() bails out on -ENOMEM, and so does the range (retrying is pointless)
      if (r == ENOMEM) { undo_isolate(first_block, nblocks, z); return CONTIG_ENOMEM; }
      if (r != MIGRATEPAGE_SUCCESS) busy = true;
      p += n;
    }
    if (!busy) break;
    if (attempt == 4) { undo_isolate(first_block, nblocks, z); return CONTIG_EBUSY; }
  }
  // test_pages_isolated() + isolate_freepages_range(): every page is free now; take them (compact_isolated)
  for (let p = start; p < end; ) {
    if ((page_flags(p) & PG_buddy) == 0) { undo_isolate(first_block, nblocks, z); return CONTIG_EBUSY; }
    const o = page_order(p);
    __del_page_from_free_list(p, z, o, MIGRATE_ISOLATE); // ISOLATE pages are not counted free
    // a free buddy larger than the range (an order-10 page over two blocks): keep the range, free the rest
    for (let k = order; k < o; k++) {
      const piece = p + (<u32>1 << k);
      __free_one_page(piece, z, k, get_pageblock_migratetype(piece), false);
    }
    p += <u32>1 << min(o, order);
  }
  st_add(COMPACT_ISOLATED, nr);
  for (let b: u32 = 0; b < nblocks; b++) {
    const block = first_block + b * pageblock_nr_pages;
    // undo_isolate_page_range(): the blocks get their type back (their pages are allocated now)
    __move_freepages_block(z, block, MIGRATE_ISOLATE, <u32>unchecked(saved_mt[b]));
  }
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
export function alloc_contig_pages(order: u32, highest: u32): i32 {
  contig_wait_pfn = NONE;
  const nr: u32 = <u32>1 << order;
  let result = CONTIG_ENOMEM;
  for (let zi = <i32>highest; zi >= 0; zi--) {
    const z = <u32>zi;
    if (!populated_zone(z)) continue;
    let pfn = (unchecked(zone_start[z]) + nr - 1) & ~(nr - 1);
    for (; pfn + nr <= unchecked(zone_end[z]); pfn += nr) {
      const r = alloc_contig_range(pfn, order, z);
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
