// Boot from a real machine's census instead of memblock_free_all(): the host writes, per zone, the
// "Number of blocks type" row and the free buddies per (migratetype, order) of /proc/pagetypeinfo into
// census_ptr(), then mm_boot_from_census() rebuilds a state with exactly those numbers, on a machine that
// mm_init() booted with the same zone sizes (its watermarks are kept; its free lists are replaced).
//   1. layout_zone() (census_layout.ts): every pageblock gets a type, and the order-10 pairs are marked.
//   2. Every page becomes an order-0 allocation of its block's type (a "boot-time" owner; movable ones are on
//      the LRU, so compaction can move them), then free buddies are cut out of the blocks: whole pairs for
//      order 10, whole blocks for order 9, and the smaller orders dealt round-robin over the type's other
//      blocks, highest order first. No two free buddies of one order are each other's buddy (the kernel
//      would have merged them), so __free_one_page() sees the state the kernel would have.
// Mixed blocks differ from the real machine: every allocated page has its block's type (CMA blocks hold
// MOVABLE pages, HIGHATOMIC blocks UNMOVABLE ones), so only CMA and HIGHATOMIC blocks count as mixed.
import {
  MAX_NR_ZONES, MAX_PAGE_ORDER, NR_PAGE_ORDERS, MIGRATE_TYPES, MIGRATE_UNMOVABLE, MIGRATE_MOVABLE,
  MIGRATE_HIGHATOMIC, MIGRATE_CMA, MIGRATE_ISOLATE, pageblock_order, pageblock_nr_pages, NONE,
} from "./constants";
import {
  PG_owner, PG_head, PG_lru, MT_NONE, nr_pageblocks, set_page_flags, set_page_order, set_page_alloc_mt,
  set_page_ref, set_page_next, set_page_prev, get_pageblock_migratetype, set_max_order_block_free,
} from "./page";
import {
  zone_start, zone_end, fa_head, fa_tail, fa_count, fa_orders, fa_index, NR_FREE_PAGES, NR_FREE_CMA_PAGES,
  nr_free_highatomic, nr_reserved_highatomic, watermark_boost, populated_zone, __add_to_free_list,
  account_freepages, migratetype_is_mergeable,
} from "./zone";
import {
  census_blocks, census_free, CENSUS_OK, CENSUS_NO_ROOM, fail, BLK_OPEN, BLK_PAIR, BLK_FREE9, state, set_state,
  la, set_la, lb, set_lb, census_scratch_init, layout_zone,
} from "./census_layout";
import { pcp_zone_reset } from "./pcp";
import { arena_alloc } from "../sim/arena";

export { census_ptr, census_error_zone, census_error_mt, census_error_order } from "./census_layout";

// Per-pageblock region counts and dealt buddies, indexed by pageblock number.
/** Open regions per block: U(q) at [q], C(q) at [NR_PAGE_ORDERS + q] (u16 counts; see place_count()). */
const REGION_WORDS: u32 = 2 * NR_PAGE_ORDERS;
let blk_regions: usize = 0;
let blk_buddies: usize = 0; // u16 per (block, order < pageblock_order): buddies dealt to the block
@inline function region_at(b: u32, i: u32): usize { return blk_regions + ((<usize>b * REGION_WORDS + i) << 1); }
@inline function buddies_at(b: u32, o: u32): usize { return blk_buddies + ((<usize>b * pageblock_order + o) << 1); }

/** Would a free order-9 buddy at block b merge with its partner block (mm/page_alloc.c: __free_one_page())? */
function merges_with_partner(z: u32, b: u32): bool {
  const partner = b ^ 1;
  if (partner < (unchecked(zone_start[z]) >> pageblock_order) || partner >= (unchecked(zone_end[z]) >> pageblock_order)) return false;
  if (state(partner) != BLK_FREE9) return false;
  const mt = get_pageblock_migratetype(b << pageblock_order);
  const other = get_pageblock_migratetype(partner << pageblock_order);
  return mt == other || (migratetype_is_mergeable(mt) && migratetype_is_mergeable(other));
}

/** The open blocks of type mt in zone z into list_a, ascending; returns how many. */
function open_blocks(z: u32, mt: u32): u32 {
  let n: u32 = 0;
  const end = unchecked(zone_end[z]) >> pageblock_order;
  for (let b = unchecked(zone_start[z]) >> pageblock_order; b < end; b++)
    if (state(b) == BLK_OPEN && get_pageblock_migratetype(b << pageblock_order) == mt) set_la(n++, b);
  return n;
}

/** Picks census_free(z, mt, 9) whole free blocks, evenly spread, none mergeable with its partner. */
function choose_free_blocks(z: u32, mt: u32): i32 {
  const need = census_free(z, mt, pageblock_order);
  const n = open_blocks(z, mt);
  let from: u32 = 0;
  for (let i: u32 = 0; i < need; i++) {
    let at = max(from, <u32>((<u64>(2 * i + 1) * n) / (2 * <u64>need)));
    if (at >= n) at = 0;
    let found: u32 = NONE;
    for (let tries: u32 = 0; tries < n && found == NONE; tries++, at = at + 1 == n ? 0 : at + 1) {
      const b = la(at);
      if (state(b) == BLK_OPEN && !merges_with_partner(z, b)) found = at;
    }
    if (found == NONE) return fail(CENSUS_NO_ROOM, z, mt, pageblock_order);
    set_state(la(found), BLK_FREE9);
    from = found + 1;
  }
  return CENSUS_OK;
}

// Regions of a block that buddies are cut from. C(q): an aligned range of order q that must keep at least one
// allocated page (else it would be a free buddy of order q, merged). U(q): one with no such duty, whose
// sibling keeps an allocated page, so it may become a free buddy of order q. A block starts as C(9).
// A buddy of order o < q cut from either kind leaves U(q-1) .. U(o+1) and C(o): the buddy takes the top of
// each half in turn. The choice: U(o) whole if there is one, else the smallest q > o (C before U).
@inline function regions_u(r: usize, q: u32): u32 { return <u32>load<u16>(r + (<usize>q << 1)); }
@inline function regions_c(r: usize, q: u32): u32 { return <u32>load<u16>(r + (<usize>(NR_PAGE_ORDERS + q) << 1)); }
@inline function add_u(r: usize, q: u32, d: i32): void { store<u16>(r + (<usize>q << 1), <u16>(<i32>regions_u(r, q) + d)); }
@inline function add_c(r: usize, q: u32, d: i32): void { store<u16>(r + (<usize>(NR_PAGE_ORDERS + q) << 1), <u16>(<i32>regions_c(r, q) + d)); }

/** The region a buddy of order o is cut from: q, plus NR_PAGE_ORDERS if it is a C region; NONE if none fits. */
function pick_region(r: usize, o: u32): u32 {
  if (regions_u(r, o) > 0) return o;
  for (let q = o + 1; q < pageblock_order + 1; q++) {
    if (regions_c(r, q) > 0) return NR_PAGE_ORDERS + q;
    if (regions_u(r, q) > 0) return q;
  }
  return NONE;
}

/** Counts one buddy of order o into block b's regions; false if it has no room. */
function place_count(b: u32, o: u32): bool {
  const r = region_at(b, 0);
  const pick = pick_region(r, o);
  if (pick == NONE) return false;
  const q = pick % NR_PAGE_ORDERS;
  if (pick >= NR_PAGE_ORDERS) add_c(r, q, -1); else add_u(r, q, -1);
  if (q > o) {
    for (let l = q - 1; l > o; l--) add_u(r, l, 1);
    add_c(r, o, 1);
  }
  const at = buddies_at(b, o);
  store<u16>(at, load<u16>(at) + 1);
  return true;
}

/** Deals the buddies below pageblock_order of type mt over its open blocks: highest order first, round-robin. */
function deal_buddies(z: u32, mt: u32): i32 {
  const n = open_blocks(z, mt);
  for (let i: u32 = 0; i < n; i++) {
    const b = la(i);
    memory.fill(region_at(b, 0), 0, <usize>REGION_WORDS << 1);
    memory.fill(buddies_at(b, 0), 0, <usize>pageblock_order << 1);
    add_c(region_at(b, 0), pageblock_order, 1);
  }
  for (let o = <i32>pageblock_order - 1; o >= 0; o--) {
    let need = census_free(z, mt, <u32>o);
    if (need == 0) continue;
    let active: u32 = 0;
    for (let i: u32 = 0; i < n; i++) if (pick_region(region_at(la(i), 0), <u32>o) != NONE) set_lb(active++, la(i));
    let i: u32 = 0;
    while (need > 0) {
      if (active == 0) return fail(CENSUS_NO_ROOM, z, mt, <u32>o);
      if (i >= active) i = 0;
      if (place_count(lb(i), <u32>o)) { need--; i++; }
      else set_lb(i, lb(--active)); // full: drop it, keep the cursor
    }
  }
  return CENSUS_OK;
}

/** A page of the boot-time owner: an order-0 allocation of type mt (on the LRU if movable). */
@inline function owner_mt(block_mt: u32): u32 {
  if (block_mt == MIGRATE_CMA || block_mt == MIGRATE_ISOLATE) return MIGRATE_MOVABLE;
  if (block_mt == MIGRATE_HIGHATOMIC) return MIGRATE_UNMOVABLE;
  return block_mt;
}

function allocate_block(b: u32): void {
  const mt = owner_mt(get_pageblock_migratetype(b << pageblock_order));
  const flags = PG_owner | PG_head | (mt == MIGRATE_MOVABLE ? PG_lru : 0);
  const start = b << pageblock_order;
  for (let p = start; p < start + pageblock_nr_pages; p++) {
    set_page_flags(p, flags);
    set_page_order(p, 0);
    set_page_alloc_mt(p, mt);
    set_page_ref(p, 1);
    set_page_next(p, NONE);
    set_page_prev(p, NONE);
  }
}

/** Frees [pfn, pfn + 2^order) as one buddy on the tail of its block type's list (ascending PFN, as at boot). */
function free_buddy(z: u32, pfn: u32, order: u32): void {
  const n: u32 = <u32>1 << order;
  for (let p = pfn; p < pfn + n; p++) {
    set_page_flags(p, 0);
    set_page_order(p, 0);
    set_page_alloc_mt(p, MT_NONE);
    set_page_ref(p, 0);
  }
  const mt = get_pageblock_migratetype(pfn);
  __add_to_free_list(pfn, z, order, mt, true);
  account_freepages(z, <i32>n, mt);
}

// Region stacks for one block while its buddies are cut: U(q) at stack q, C(q) at stack NR_PAGE_ORDERS + q.
const STACK_CAP: i32 = <i32>pageblock_nr_pages;
const stack = new StaticArray<u32>(<i32>REGION_WORDS * STACK_CAP);
const stack_len = new StaticArray<u32>(<i32>REGION_WORDS);
@inline function push(s: u32, pfn: u32): void {
  const n = unchecked(stack_len[s]);
  unchecked(stack[<i32>s * STACK_CAP + <i32>n] = pfn);
  unchecked(stack_len[s] = n + 1);
}
@inline function pop(s: u32): u32 {
  const n = unchecked(stack_len[s]) - 1;
  unchecked(stack_len[s] = n);
  return unchecked(stack[<i32>s * STACK_CAP + <i32>n]);
}

/** Cuts block b's dealt buddies at real PFNs, replaying place_count()'s choices in the same order. */
function cut_block(z: u32, b: u32): void {
  for (let s: u32 = 0; s < REGION_WORDS; s++) unchecked(stack_len[s] = 0);
  const counts = region_at(b, 0); // reused as the live region counts of the replay
  memory.fill(counts, 0, <usize>REGION_WORDS << 1);
  add_c(counts, pageblock_order, 1);
  push(NR_PAGE_ORDERS + pageblock_order, b << pageblock_order);
  for (let o = <i32>pageblock_order - 1; o >= 0; o--) {
    const order = <u32>o;
    const nr = <u32>load<u16>(buddies_at(b, order));
    for (let i: u32 = 0; i < nr; i++) {
      const pick = pick_region(counts, order);
      const q = pick % NR_PAGE_ORDERS;
      let pfn = pop(pick);
      if (pick >= NR_PAGE_ORDERS) add_c(counts, q, -1); else add_u(counts, q, -1);
      for (let l = q; l > order + 1; l--) {
        push(l - 1, pfn);
        add_u(counts, l - 1, 1);
        pfn += <u32>1 << (l - 1);
      }
      if (q > order) {
        push(NR_PAGE_ORDERS + order, pfn);
        add_c(counts, order, 1);
        pfn += <u32>1 << order;
      }
      free_buddy(z, pfn, order);
    }
  }
}

function free_area_reset(z: u32): void {
  for (let o: u32 = 0; o < NR_PAGE_ORDERS; o++)
    for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) {
      const i = fa_index(z, o, mt);
      unchecked(fa_head[i] = NONE);
      unchecked(fa_tail[i] = NONE);
      unchecked(fa_count[i] = 0);
    }
  for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) unchecked(fa_orders[z * MIGRATE_TYPES + mt] = 0);
  for (let p = unchecked(zone_start[z]); p < unchecked(zone_end[z]); p += 1 << MAX_PAGE_ORDER) set_max_order_block_free(p, false);
  pcp_zone_reset(z);
  unchecked(NR_FREE_PAGES[z] = 0);
  unchecked(NR_FREE_CMA_PAGES[z] = 0);
  unchecked(nr_free_highatomic[z] = 0);
  unchecked(watermark_boost[z] = 0);
}

/**
 * Rebuilds every populated zone from the census. Returns 0, or a code with census_error_{zone,mt,order}():
 * 1 the zone's block census does not match its size, 2 too few aligned block pairs of a type for its order-10
 * buddies, 3 the free buddies of a (type, order) do not fit in the type's blocks. After an error the
 * machine's state is unusable.
 */
export function mm_boot_from_census(): i32 {
  fail(CENSUS_OK, NONE, NONE, NONE);
  census_scratch_init(nr_pageblocks);
  if (blk_regions == 0) {
    blk_regions = arena_alloc(<usize>nr_pageblocks * REGION_WORDS << 1);
    blk_buddies = arena_alloc(<usize>nr_pageblocks * pageblock_order << 1);
  }
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    if (!populated_zone(z)) continue;
    let r = layout_zone(z);
    for (let mt: u32 = 0; mt < MIGRATE_TYPES && r == CENSUS_OK; mt++) r = choose_free_blocks(z, mt);
    for (let mt: u32 = 0; mt < MIGRATE_TYPES && r == CENSUS_OK; mt++) r = deal_buddies(z, mt);
    if (r != CENSUS_OK) return r;
  }
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    if (!populated_zone(z)) continue;
    free_area_reset(z);
    const first = unchecked(zone_start[z]) >> pageblock_order, end = unchecked(zone_end[z]) >> pageblock_order;
    for (let b = first; b < end; b++) {
      allocate_block(b);
      const s = state(b);
      if (s == BLK_PAIR) { if ((b & 1) == 1) free_buddy(z, (b - 1) << pageblock_order, MAX_PAGE_ORDER); }
      else if (s == BLK_FREE9) free_buddy(z, b << pageblock_order, pageblock_order);
      else cut_block(z, b);
    }
    unchecked(nr_reserved_highatomic[z] = census_blocks(z, MIGRATE_HIGHATOMIC) << pageblock_order);
  }
  return CENSUS_OK;
}
