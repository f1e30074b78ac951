// Read-only views of the allocator for the host's /proc files (mm/vmstat.c), filled in one call per zone.
import {
  MAX_NR_ZONES, NR_PAGE_ORDERS, MIGRATE_TYPES, MIGRATE_CMA, MIGRATE_MOVABLE, pageblock_nr_pages, NONE,
} from "./constants";
import {
  PG_buddy, PG_owner, page_flags, page_order, page_alloc_mt, page_next, nr_pages, nr_pageblocks, pb_mt,
  MAX_ORDER_NR_PAGES, max_order_block_free,
} from "./page";
import {
  zone_start, zone_end, fa_head, fa_count, fa_index, NR_FREE_PAGES, NR_FREE_CMA_PAGES, nr_free_highatomic,
  nr_reserved_highatomic, wmark_min, wmark_low, wmark_high, watermark_boost, lowmem_reserve, zone_managed_pages,
} from "./zone";
import {
  per_cpu_pcp, pcp_list_len, pcp_list_nth, NR_PCP_LISTS, nr_pcp_cpus, pcp_cpu_base,
  set_this_cpu, restore_pcp_cpu_base,
} from "./pcp";

export const ZONE_VIEW_WORDS: u32 = 96;
const zone_view_buf = new StaticArray<i32>(<i32>ZONE_VIEW_WORDS);
export function zone_view_ptr(): usize { return changetype<usize>(zone_view_buf); }

// mm/vmstat.c (page_owner): pagetypeinfo_showmixedcount_print() for one zone, into mixed[]. An order-0 page moves
// on by one under a branch, not by an add of its order: the add made each page's address wait for the load of the
// page before (8 ms a report over the 16 GiB default job's 2 M allocated pages); the branch is predicted.
function count_mixed(z: u32, mixed: StaticArray<i32>, at: i32): void {
  const end = unchecked(zone_end[z]);
  let pfn = unchecked(zone_start[z]);
  while (pfn < end) {
    // a free order-10 buddy, stepped over without reading its head (page.ts: max_order_free)
    if ((pfn & (MAX_ORDER_NR_PAGES - 1)) == 0 && max_order_block_free(pfn)) { pfn += MAX_ORDER_NR_PAGES; continue; }
    let block_end = (pfn & ~(pageblock_nr_pages - 1)) + pageblock_nr_pages;
    if (block_end > end) block_end = end;
    const block_mt = <u32>load<u8>(pb_mt + <usize>(pfn >> 9));
    for (; pfn < block_end; pfn++) {
      const f = page_flags(pfn);
      if ((f & PG_buddy) != 0) { pfn += (<u32>1 << page_order(pfn)) - 1; continue; }
      if ((f & PG_owner) == 0) continue;
      if (page_alloc_mt(pfn) != block_mt) {
        const slot = block_mt == MIGRATE_CMA ? MIGRATE_MOVABLE : block_mt;
        unchecked(mixed[at + <i32>slot] += 1);
        pfn = block_end;
        break;
      }
      const order = page_order(pfn);
      if (order != 0) pfn += (<u32>1 << order) - 1;
    }
  }
}

/** Fills the zone view buffer (layout in host/core/wasm-allocator.ts) for zone z. */
export function fill_zone_view(z: u32): void {
  const b = zone_view_buf;
  for (let i = 0; i < <i32>ZONE_VIEW_WORDS; i++) unchecked(b[i] = 0);
  unchecked(b[0] = <i32>unchecked(zone_start[z]));
  unchecked(b[1] = <i32>zone_managed_pages(z));
  for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++)
    for (let o: u32 = 0; o < NR_PAGE_ORDERS; o++)
      unchecked(b[2 + <i32>(mt * NR_PAGE_ORDERS + o)] = <i32>unchecked(fa_count[fa_index(z, o, mt)]));
  for (let p = unchecked(zone_start[z]); p < unchecked(zone_end[z]); p += pageblock_nr_pages)
    unchecked(b[68 + <i32>load<u8>(pb_mt + <usize>(p >> 9))] += 1);
  count_mixed(z, b, 74);
  unchecked(b[80] = unchecked(NR_FREE_PAGES[z]));
  unchecked(b[81] = unchecked(NR_FREE_CMA_PAGES[z]));
  unchecked(b[82] = unchecked(nr_free_highatomic[z]));
  unchecked(b[83] = <i32>unchecked(nr_reserved_highatomic[z]));
  unchecked(b[84] = <i32>unchecked(wmark_min[z]));
  unchecked(b[85] = <i32>unchecked(wmark_low[z]));
  unchecked(b[86] = <i32>unchecked(wmark_high[z]));
  unchecked(b[87] = <i32>unchecked(watermark_boost[z]));
  for (let j: u32 = 0; j < MAX_NR_ZONES; j++) unchecked(b[88 + <i32>j] = <i32>unchecked(lowmem_reserve[z * MAX_NR_ZONES + j]));
  // /proc/zoneinfo's "pagesets": the pages every CPU holds on its lists, and CPU 0's high, batch, high_min and
  // high_max (the same on every CPU until their high is tuned)
  let count: u32 = 0;
  for (let c: u32 = 0; c < nr_pcp_cpus; c++) count += per_cpu_pcp(c, z).count;
  unchecked(b[91] = <i32>count);
  const pcp0 = per_cpu_pcp(0, z);
  unchecked(b[92] = <i32>pcp0.high);
  unchecked(b[93] = <i32>pcp0.batch);
  unchecked(b[94] = <i32>pcp0.high_min);
  unchecked(b[95] = <i32>pcp0.high_max);
}

// Word-wise FNV-1a over every free list, every per-cpu list, then every pageblock type (docs/allocator.md,
// "State digest").
@inline function fnv(h: u32, w: u32): u32 { return (h ^ w) * 16777619; }
export function state_digest(): u32 {
  let h: u32 = 2166136261;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++)
    for (let o: u32 = 0; o < NR_PAGE_ORDERS; o++)
      for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) {
        const i = fa_index(z, o, mt);
        h = fnv(h, unchecked(fa_count[i]));
        // a corrupted list may loop: stop after more entries than pages (the digest then differs)
        let n: u32 = 0;
        for (let p = unchecked(fa_head[i]); p != NONE && n <= nr_pages; p = page_next(p), n++) h = fnv(h, p);
      }
  const saved = pcp_cpu_base;
  for (let c: u32 = 0; c < nr_pcp_cpus; c++) {
    set_this_cpu(c);
    for (let z: u32 = 0; z < MAX_NR_ZONES; z++)
      for (let pindex: u32 = 0; pindex < NR_PCP_LISTS; pindex++) {
        const n = pcp_list_len(z, pindex);
        h = fnv(h, n);
        for (let k: u32 = 0; k < min(n, nr_pages + 1); k++) h = fnv(h, pcp_list_nth(z, pindex, k));
      }
  }
  restore_pcp_cpu_base(saved);
  for (let b: u32 = 0; b < nr_pageblocks; b++) h = fnv(h, <u32>load<u8>(pb_mt + <usize>b));
  return h;
}

/** Copies per-cpu list (z, pindex) head to tail into dst (at most max PFNs); returns its length. */
export function pcp_list_walk(z: u32, pindex: u32, dst: usize, max: u32): u32 {
  const n = pcp_list_len(z, pindex);
  for (let k: u32 = 0; k < min(n, max); k++) store<u32>(dst + (<usize>k << 2), pcp_list_nth(z, pindex, k));
  return n;
}

/** Copies list (z, order, mt) head to tail into dst (at most max PFNs); returns its length. */
export function free_list_walk(z: u32, order: u32, mt: u32, dst: usize, max: u32): u32 {
  let n: u32 = 0;
  for (let p = unchecked(fa_head[fa_index(z, order, mt)]); p != NONE && n <= nr_pages; p = page_next(p)) {
    if (n < max) store<u32>(dst + (<usize>n << 2), p);
    n++;
  }
  return n; // more than nr_pages: the list loops
}
