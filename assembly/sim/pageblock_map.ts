// A census of every pageblock for the HTML report's map: its migratetype and what its 512 pages hold.
// Eight u16 per block: mt, free, under writeback, temp, spliced (extra references), other unmovable
// (allocated with a non-movable type), movable allocated, dirty.
import { pageblock_nr_pages, MIGRATE_MOVABLE, MAX_PAGE_ORDER } from "../mm/constants";
import {
  nr_pageblocks, pb_mt, page_flags, page_alloc_mt, page_ref, PG_buddy, PG_pcp, PG_owner, PG_writeback, PG_temp, PG_dirty,
  page_order, max_order_block_free,
} from "../mm/page";
import { arena_alloc } from "./arena";

export const MAP_WORDS: u32 = 8;
let map: usize = 0;
let map_cap: u32 = 0;

export function pageblock_map_fill(): usize {
  if (map_cap < nr_pageblocks) { map = arena_alloc(<usize>nr_pageblocks * MAP_WORDS << 1); map_cap = nr_pageblocks; }
  memory.fill(map, 0, <usize>nr_pageblocks * MAP_WORDS << 1);
  for (let b: u32 = 0; b < nr_pageblocks; b++) {
    const rec = map + (<usize>b * MAP_WORDS << 1);
    store<u16>(rec, <u16>load<u8>(pb_mt + <usize>b));
    const start = b * pageblock_nr_pages, end = start + pageblock_nr_pages;
    // either pageblock of a free order-10 buddy, told without reading its head (page.ts: max_order_free)
    if (max_order_block_free(start & ~((<u32>1 << MAX_PAGE_ORDER) - 1))) {
      store<u16>(rec, <u16>pageblock_nr_pages, 2);
      continue;
    }
    for (let p = start; p < end; ) {
      const f = page_flags(p);
      if ((f & (PG_buddy | PG_pcp)) != 0) { // free: on a buddy list or waiting on a per-cpu list
        const n = min(<u32>1 << page_order(p), end - p);
        store<u16>(rec, load<u16>(rec, 2) + <u16>n, 2);
        p += n;
        continue;
      }
      if ((f & PG_owner) != 0) {
        if ((f & PG_writeback) != 0) store<u16>(rec, load<u16>(rec, 4) + 1, 4);
        if ((f & PG_temp) != 0) store<u16>(rec, load<u16>(rec, 6) + 1, 6);
        if (page_ref(p) > 1) store<u16>(rec, load<u16>(rec, 8) + 1, 8);
        if ((f & PG_temp) == 0 && page_alloc_mt(p) != MIGRATE_MOVABLE) store<u16>(rec, load<u16>(rec, 10) + 1, 10);
        if (page_alloc_mt(p) == MIGRATE_MOVABLE) store<u16>(rec, load<u16>(rec, 12) + 1, 12);
        if ((f & PG_dirty) != 0) store<u16>(rec, load<u16>(rec, 14) + 1, 14);
      }
      p++;
    }
  }
  return map;
}
