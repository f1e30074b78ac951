// Boot: memmap_init() types every pageblock MOVABLE (CMA for the CMA area), then memblock_free_all()
// frees each zone in the largest aligned chunks, to the tail of the lists (FPI_TO_TAIL); the per-cpu lists
// start empty with high and batch from the watermarks (setup_per_zone_wmarks() ends in zone_pcp_update(), so
// the raise khugepaged makes with THP enabled reaches pcp->high too).
import {
  MAX_NR_ZONES, MAX_PAGE_ORDER, pageblock_nr_pages, MIGRATE_MOVABLE, MIGRATE_CMA, ZONE_NORMAL,
} from "./constants";
import { page_metadata_init, nr_pages } from "./page";
import { zone_start, zone_end, zones_reset, set_pageblock_migratetype, set_mobility_disabled } from "./zone";
import { setup_per_zone_wmarks } from "./watermark";
import { split_large_buddy } from "./page_alloc";
import { set_fallback_policy } from "./rmqueue";
import { pcp_setup } from "./pcp";

// mm/memblock.c: __free_pages_memory() on one zone's range
function free_range_to_tail(start: u32, end: u32): void {
  while (start < end) {
    let order: u32 = start == 0 ? MAX_PAGE_ORDER : min(MAX_PAGE_ORDER, <u32>ctz(start));
    while (start + (<u32>1 << order) > end) order--;
    split_large_buddy(start, order, true);
    start += <u32>1 << order;
  }
}

// static: the runtime allocates nothing after start (assembly/sim/arena.ts)
const boot_zone_sizes = new StaticArray<u32>(<i32>MAX_NR_ZONES);

export function mm_boot(dma32: u32, normal: u32, movable: u32, cma: u32, fallback: u32, mobility_disabled: bool, pcp: bool, thp: bool): void {
  page_metadata_init(dma32 + normal + movable);
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
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) free_range_to_tail(unchecked(zone_start[z]), unchecked(zone_end[z]));
}
