// CONFIG_DEBUG_VM for the allocator: recount everything the fast paths keep incrementally.
// Returns 0 when all holds, else a code (host/core/invariant-codes.ts names them); debug_vm_pfn says where.
import {
  MAX_NR_ZONES, NR_PAGE_ORDERS, MIGRATE_TYPES, MIGRATE_CMA, MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE, NONE,
  pageblock_order, MAX_PAGE_ORDER,
} from "./constants";
import {
  PG_buddy, PG_owner, PG_head, PG_pcp, nr_pages, page_flags, page_order, page_ref,
  page_next, page_prev, get_pageblock_migratetype, page_alloc_mt, MT_NONE, MAX_ORDER_NR_PAGES, max_order_block_free,
} from "./page";
import {
  fa_head, fa_tail, fa_count, fa_orders, fa_index, page_zone, NR_FREE_PAGES, NR_FREE_CMA_PAGES,
  nr_free_highatomic, nr_reserved_highatomic, zone_start, zone_end,
} from "./zone";
import { arena_intact } from "../sim/arena";
import { NR_PCP_LISTS, this_cpu_pcp, pcp_list_len, pcp_list_nth, pindex_to_order, nr_pcp_cpus, pcp_cpu_base, set_this_cpu, restore_pcp_cpu_base } from "./pcp";

export let debug_vm_pfn: u32 = NONE;
export const INV_OK: i32 = 0;
export const INV_LIST_LINKS: i32 = 1;
export const INV_LIST_COUNT: i32 = 2;
export const INV_BUDDY_WRONG_LIST: i32 = 3;
export const INV_BUDDY_MISALIGNED: i32 = 4;
export const INV_BUDDY_OVERLAP: i32 = 5;
export const INV_BUDDY_ZONE: i32 = 6;
export const INV_FREE_PAGE_STATE: i32 = 7;
export const INV_NR_FREE: i32 = 8;
export const INV_NR_FREE_CMA: i32 = 9;
export const INV_NR_FREE_HIGHATOMIC: i32 = 10;
export const INV_UNLISTED_BUDDY: i32 = 11;
export const INV_ALLOC_STATE: i32 = 12;
export const INV_HOLE: i32 = 13;
export const INV_ORDER_MASK: i32 = 14;
export const INV_PCP_LIST: i32 = 15;
export const INV_PCP_COUNT: i32 = 16;
export const INV_PAGEBLOCK_TYPE: i32 = 17;
export const INV_RESERVED_HIGHATOMIC: i32 = 18;
export const INV_ARENA: i32 = 19;
export const INV_MAX_ORDER_FREE: i32 = 37;

function fail(code: i32, pfn: u32): i32 { debug_vm_pfn = pfn; return code; }

/** This CPU's lists: lengths and pcp->count; members are PG_pcp blocks of the list's order and zone. */
let checked_pcp_blocks: u32 = 0;
function check_pcp_lists_this_cpu(): i32 {
  checked_pcp_blocks = 0;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    let pages: u32 = 0;
    for (let pindex: u32 = 0; pindex < NR_PCP_LISTS; pindex++) {
      const o = pindex_to_order(pindex);
      const n = pcp_list_len(z, pindex);
      if (n > nr_pages) return fail(INV_PCP_COUNT, z);
      for (let k: u32 = 0; k < n; k++) {
        const p = pcp_list_nth(z, pindex, k);
        if (p >= nr_pages) return fail(INV_PCP_LIST, p);
        if (page_flags(p) != PG_pcp || page_order(p) != o || (p & ((<u32>1 << o) - 1)) != 0) return fail(INV_PCP_LIST, p);
        if (page_zone(p) != z) return fail(INV_PCP_LIST, p);
      }
      pages += n << o;
      checked_pcp_blocks += n;
    }
    if (pages != this_cpu_pcp(z).count) return fail(INV_PCP_COUNT, z);
  }
  return 0;
}

export function check_allocator(): i32 {
  debug_vm_pfn = NONE;
  // the AssemblyScript runtime allocated nothing after the arena took over: its block would lie inside the arena
  if (!arena_intact()) return fail(INV_ARENA, NONE);
  // 0. the pageblock census adds up: every block has a valid type, so "Number of blocks type" sums to the zone's
  // blocks; and reserve_highatomic_pageblock()'s count is the HIGHATOMIC blocks (an alloc_contig_range() in
  // progress may hold some of them as ISOLATE, to be given back their type when it ends)
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    let ha: u32 = 0, iso: u32 = 0;
    for (let pfn = unchecked(zone_start[z]); pfn < unchecked(zone_end[z]); pfn += <u32>1 << pageblock_order) {
      const mt = get_pageblock_migratetype(pfn);
      if (mt >= MIGRATE_TYPES) return fail(INV_PAGEBLOCK_TYPE, pfn);
      if (mt == MIGRATE_HIGHATOMIC) ha++;
      else if (mt == MIGRATE_ISOLATE) iso++;
    }
    const reserved = unchecked(nr_reserved_highatomic[z]);
    if (reserved < ha << pageblock_order || reserved > (ha + iso) << pageblock_order) return fail(INV_RESERVED_HIGHATOMIC, z);
  }
  let listed: u32 = 0;
  // 1. every list: links consistent, count right, members are buddies of that order, on their block's type
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    let free: i32 = 0, cma: i32 = 0, ha: i32 = 0;
    for (let o: u32 = 0; o < NR_PAGE_ORDERS; o++) {
      for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) {
        const i = fa_index(z, o, mt);
        let n: u32 = 0;
        let prev = NONE;
        for (let p = unchecked(fa_head[i]); p != NONE; p = page_next(p)) {
          if (p >= nr_pages || page_prev(p) != prev || n > nr_pages) return fail(INV_LIST_LINKS, p);
          if ((page_flags(p) & PG_buddy) == 0 || page_order(p) != o) return fail(INV_LIST_LINKS, p);
          if (get_pageblock_migratetype(p) != mt) return fail(INV_BUDDY_WRONG_LIST, p);
          if ((p & ((<u32>1 << o) - 1)) != 0) return fail(INV_BUDDY_MISALIGNED, p);
          if (page_zone(p) != z || page_zone(p + (<u32>1 << o) - 1) != z) return fail(INV_BUDDY_ZONE, p);
          prev = p;
          n++;
        }
        if (unchecked(fa_tail[i]) != prev || unchecked(fa_count[i]) != n) return fail(INV_LIST_COUNT, prev);
        const marked = (unchecked(fa_orders[z * MIGRATE_TYPES + mt]) >> o) & 1;
        if (marked != (n != 0 ? 1 : 0)) return fail(INV_ORDER_MASK, z * MIGRATE_TYPES + mt);
        listed += n;
        const pages = <i32>(n << o);
        if (mt != MIGRATE_ISOLATE) free += pages;
        if (mt == MIGRATE_CMA) cma += pages;
        if (mt == MIGRATE_HIGHATOMIC) ha += pages;
      }
    }
    if (free != unchecked(NR_FREE_PAGES[z])) return fail(INV_NR_FREE, z);
    if (cma != unchecked(NR_FREE_CMA_PAGES[z])) return fail(INV_NR_FREE_CMA, z);
    if (ha != unchecked(nr_free_highatomic[z])) return fail(INV_NR_FREE_HIGHATOMIC, z);
  }
  // 2. every per-cpu list: lengths and pcp->count; members are PG_pcp blocks of the list's order (that each
  // is on one list only is checked by the memory walk below, which counts the PG_pcp blocks it meets)
  let pcp_blocks: u32 = 0;
  const saved_cpu = pcp_cpu_base;
  for (let c: u32 = 0; c < nr_pcp_cpus; c++) {
    set_this_cpu(c); // each CPU's lists
    const r = check_pcp_lists_this_cpu();
    if (r != 0) { restore_pcp_cpu_base(saved_cpu); return r; }
    pcp_blocks += checked_pcp_blocks;
  }
  restore_pcp_cpu_base(saved_cpu);
  // 3. walk memory: buddies, per-cpu blocks and allocations tile every page exactly once; a free page is clean
  let buddies: u32 = 0, on_pcp: u32 = 0;
  for (let pfn: u32 = 0; pfn < nr_pages; ) {
    const f = page_flags(pfn);
    if ((f & (PG_buddy | PG_pcp)) != 0) {
      const n = <u32>1 << page_order(pfn);
      if ((f & PG_buddy) != 0) buddies++; else on_pcp++;
      for (let q = pfn; q < pfn + n; q++) {
        const g = page_flags(q);
        if (q != pfn && (g & (PG_buddy | PG_pcp)) != 0) return fail(INV_BUDDY_OVERLAP, q);
        // a free page carries no state at all: not dirty, not under writeback, not on the LRU, no owner
        const allowed = q == pfn ? f & (PG_buddy | PG_pcp) : 0;
        if ((g & ~allowed) != 0 || page_ref(q) != 0 || page_alloc_mt(q) != MT_NONE) return fail(INV_FREE_PAGE_STATE, q);
      }
      pfn += n;
    } else if ((f & PG_owner) != 0 && (f & PG_head) != 0) {
      const o = page_order(pfn);
      const n = <u32>1 << o;
      if ((pfn & (n - 1)) != 0 || pfn + n > nr_pages) return fail(INV_ALLOC_STATE, pfn);
      const mt = page_alloc_mt(pfn);
      for (let q = pfn + 1; q < pfn + n; q++) {
        const g = page_flags(q);
        if ((g & (PG_owner | PG_head | PG_buddy)) != PG_owner || page_order(q) != o || page_alloc_mt(q) != mt)
          return fail(INV_ALLOC_STATE, q);
      }
      pfn += n;
    } else {
      return fail(INV_HOLE, pfn);
    }
  }
  if (buddies != listed || on_pcp != pcp_blocks) return fail(INV_UNLISTED_BUDDY, NONE);
  // 4. the map of free order-10 blocks (page.ts: max_order_free) says what their heads say
  for (let pfn: u32 = 0; pfn < nr_pages; pfn += MAX_ORDER_NR_PAGES) {
    const free10 = (page_flags(pfn) & PG_buddy) != 0 && page_order(pfn) == MAX_PAGE_ORDER;
    if (max_order_block_free(pfn) != free10) return fail(INV_MAX_ORDER_FREE, pfn);
  }
  return INV_OK;
}
