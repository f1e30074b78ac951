// Boot: memmap_init() types every pageblock MOVABLE (CMA for the CMA area), then memblock_free_all()
// frees each zone in the largest aligned chunks, to the tail of the lists (FPI_TO_TAIL); the per-cpu lists
// start empty with high and batch from the watermarks (setup_per_zone_wmarks() ends in zone_pcp_update(), so
// the raise khugepaged makes with THP enabled reaches pcp->high too).
import {
  MAX_NR_ZONES, MAX_PAGE_ORDER, MIGRATE_TYPES, pageblock_order, pageblock_nr_pages, MIGRATE_MOVABLE, MIGRATE_CMA,
  ZONE_NORMAL, NR_PAGE_ORDERS, NONE,
} from "./constants";
import {
  page_metadata_init, nr_pages, get_pageblock_migratetype, set_page_next, set_page_prev, MAX_ORDER_NR_PAGES,
  set_max_order_block_free,
} from "./page";
import {
  zone_start, zone_end, zones_reset, set_pageblock_migratetype, set_mobility_disabled, account_freepages,
  fa_index, fa_head, fa_tail, fa_count, fa_orders,
} from "./zone";
import { setup_per_zone_wmarks } from "./watermark";
import { split_large_buddy } from "./page_alloc";
import { set_fallback_policy } from "./rmqueue";
import { pcp_setup } from "./pcp";
import { set_free_high_high_min } from "./page_alloc";
import { set_pcp_auto_tune } from "./pcp";

// mm/page_alloc.c: __free_pages_core() -> __free_pages_ok(FPI_TO_TAIL) -> split_large_buddy() (6.15) of a
// MAX_PAGE_ORDER block whose pageblocks share a type: the first pageblock goes to the order-9 list's tail, the
// second merges with it (list_del() resets the links) and the pair goes to the order-10 list's tail. What is
// left is what this writes directly: one order-10 head at the tail, the free counters up by 1024. Boot is then
// O(MAX_PAGE_ORDER blocks), and the per-page part of __free_pages_core() (__ClearPageReserved(),
// set_page_count(0)) is the zeroed memmap (page.ts: page_metadata_init).
// The head's record is written only where it differs from what zeroed memory reads as at a block boundary
// (PAGE_WORD_BOOT_BUDDY, linked to the blocks 1024 pages on either side, page.ts): the list's first block's prev,
// a block that does not follow the list's tail, and each list's last next (boot_end_lists()). Nothing is read
// first: on this VM a read of untouched memory faults as a write does.
function free_max_order_block(pfn: u32, z: u32): bool {
  const mt = get_pageblock_migratetype(pfn);
  for (let b: u32 = 1; b < <u32>1 << (MAX_PAGE_ORDER - pageblock_order); b++)
    if (get_pageblock_migratetype(pfn + (b << pageblock_order)) != mt) return false;
  account_freepages(z, <i32>1 << MAX_PAGE_ORDER, mt);
  // zone.ts: __add_to_free_list(pfn, z, MAX_PAGE_ORDER, mt, true)
  const i = fa_index(z, MAX_PAGE_ORDER, mt);
  const last = unchecked(fa_tail[i]);
  if (last == NONE) {
    unchecked(fa_head[i] = pfn);
    set_page_prev(pfn, NONE);
  } else if (last + MAX_ORDER_NR_PAGES != pfn || unchecked(boot_implicit_tail[i]) != last) {
    // the tail's next is NONE (written) or an implicit pfn + 1024 that is not this block
    set_page_next(last, pfn);
    set_page_prev(pfn, last);
  }
  unchecked(fa_tail[i] = pfn);
  unchecked(boot_implicit_tail[i] = pfn); // its next reads as pfn + 1024 until a block follows or boot ends
  unchecked(fa_count[i] += 1);
  unchecked(fa_orders[z * MIGRATE_TYPES + mt] |= <u32>1 << MAX_PAGE_ORDER);
  set_max_order_block_free(pfn, true);
  return true;
}

/** Per order-10 list (fa_index()), the block free_max_order_block() last put at its tail, NONE if none. */
const boot_implicit_tail = new StaticArray<u32>(<i32>(MAX_NR_ZONES * NR_PAGE_ORDERS * MIGRATE_TYPES));

/** The last block of every order-10 list, if its next is still implicit, gets NONE (list_add_tail()'s). */
function boot_end_lists(): void {
  for (let i = 0; i < boot_implicit_tail.length; i++) {
    const last = unchecked(boot_implicit_tail[i]);
    if (last != NONE && unchecked(fa_tail[i]) == last) set_page_next(last, NONE);
  }
}

// mm/memblock.c: __free_pages_memory() on one zone's range
function free_range_to_tail(start: u32, end: u32, z: u32): void {
  while (start < end) {
    let order: u32 = start == 0 ? MAX_PAGE_ORDER : min(MAX_PAGE_ORDER, <u32>ctz(start));
    while (start + (<u32>1 << order) > end) order--;
    // a block of two types (the CMA area's edge) frees block by block, as split_large_buddy() does
    if (order != MAX_PAGE_ORDER || !free_max_order_block(start, z)) split_large_buddy(start, order, true);
    start += <u32>1 << order;
  }
}

// static: the runtime allocates nothing after start (assembly/sim/arena.ts)
const boot_zone_sizes = new StaticArray<u32>(<i32>MAX_NR_ZONES);

export function mm_boot(dma32: u32, normal: u32, movable: u32, cma: u32, fallback: u32, mobility_disabled: bool, pcp: bool, thp: bool, free_high_high_min: bool, pcp_auto_tune: bool): void {
  page_metadata_init(dma32 + normal + movable);
  set_free_high_high_min(free_high_high_min);
  set_pcp_auto_tune(pcp_auto_tune);
  zones_reset();
  set_fallback_policy(fallback);
  set_mobility_disabled(mobility_disabled);
  const sizes = boot_zone_sizes;
  unchecked(sizes[0] = dma32); unchecked(sizes[1] = normal); unchecked(sizes[2] = movable);
  let pfn: u32 = 0;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    unchecked(zone_start[z] = pfn);
    pfn += unchecked(sizes[z]);
    unchecked(zone_end[z] = pfn);
  }
  const cma_start = unchecked(zone_end[ZONE_NORMAL]) - cma;
  for (let p: u32 = 0; p < nr_pages; p += pageblock_nr_pages) {
    set_pageblock_migratetype(p, p >= cma_start && p < unchecked(zone_end[ZONE_NORMAL]) ? MIGRATE_CMA : MIGRATE_MOVABLE);
  }
  setup_per_zone_wmarks(thp);
  pcp_setup(pcp);
  for (let i = 0; i < boot_implicit_tail.length; i++) unchecked(boot_implicit_tail[i] = NONE);
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) free_range_to_tail(unchecked(zone_start[z]), unchecked(zone_end[z]), z);
  boot_end_lists();
}
