// Census boot, part 1 (assembly/mm/from_census.ts is part 2): the census the host writes, the result codes,
// the per-pageblock scratch, and layout_zone(), which gives every pageblock of a zone a type. CMA blocks sit
// together at the end of the zone (a CMA area is one range); the other non-movable types are spread evenly
// through the zone between MOVABLE ones, as a long-running machine has them; each order-10 buddy of the
// census gets an aligned pair of blocks of its type.
import { MAX_NR_ZONES, MAX_PAGE_ORDER, NR_PAGE_ORDERS, MIGRATE_TYPES, MIGRATE_MOVABLE, MIGRATE_CMA, pageblock_order, NONE } from "./constants";
import { zone_start, zone_end, set_pageblock_migratetype } from "./zone";
import { arena_alloc } from "../sim/arena";

// Census words per zone: blocks[mt] (6), then free[mt * NR_PAGE_ORDERS + order] (66).
const CENSUS_FREE: i32 = <i32>MIGRATE_TYPES;
export const CENSUS_ZONE_WORDS: i32 = <i32>(MIGRATE_TYPES + MIGRATE_TYPES * NR_PAGE_ORDERS);
const census = new StaticArray<i32>(<i32>MAX_NR_ZONES * CENSUS_ZONE_WORDS);
/** Where the host writes the census: MAX_NR_ZONES records of 72 i32 (host/core/from-census.ts). */
export function census_ptr(): usize { return changetype<usize>(census); }

@inline export function census_blocks(z: u32, mt: u32): u32 { return <u32>unchecked(census[<i32>z * CENSUS_ZONE_WORDS + <i32>mt]); }
@inline export function census_free(z: u32, mt: u32, order: u32): u32 {
  return <u32>unchecked(census[<i32>z * CENSUS_ZONE_WORDS + CENSUS_FREE + <i32>(mt * NR_PAGE_ORDERS + order)]);
}

// Result codes of mm_boot_from_census(); census_error_{zone,mt,order}() say where.
export const CENSUS_OK: i32 = 0;
/** The zone's block census does not add up to the zone's size. */
export const CENSUS_ZONE_SIZE: i32 = 1;
/** More order-10 buddies of a type than aligned pairs of its blocks. */
export const CENSUS_NO_PAIRS: i32 = 2;
/** Free buddies of this (type, order) do not fit in the type's blocks. */
export const CENSUS_NO_ROOM: i32 = 3;
let err_zone: u32 = NONE, err_mt: u32 = NONE, err_order: u32 = NONE;
export function census_error_zone(): u32 { return err_zone; }
export function census_error_mt(): u32 { return err_mt; }
export function census_error_order(): u32 { return err_order; }
export function fail(code: i32, z: u32, mt: u32, order: u32): i32 { err_zone = z; err_mt = mt; err_order = order; return code; }

// Per-pageblock scratch, indexed by pageblock number: the block's state, and two lists for the phases.
export const BLK_OPEN: u8 = 0; // holds allocated pages and buddies below pageblock_order
export const BLK_PAIR: u8 = 1; // half of a free order-10 buddy
export const BLK_FREE9: u8 = 2; // one free order-9 buddy
let blk_state: usize = 0;
let list_a: usize = 0, list_b: usize = 0; // u32 lists of block numbers or slot contents

@inline export function state(b: u32): u8 { return load<u8>(blk_state + <usize>b); }
@inline export function set_state(b: u32, s: u8): void { store<u8>(blk_state + <usize>b, s); }
@inline export function la(i: u32): u32 { return load<u32>(list_a + (<usize>i << 2)); }
@inline export function set_la(i: u32, v: u32): void { store<u32>(list_a + (<usize>i << 2), v); }
@inline export function lb(i: u32): u32 { return load<u32>(list_b + (<usize>i << 2)); }
@inline export function set_lb(i: u32, v: u32): void { store<u32>(list_b + (<usize>i << 2), v); }

// Per-type scratch of layout_zone(), static: after boot the runtime allocates nothing (assembly/sim/arena.ts)
const pairs_scratch = new StaticArray<u32>(<i32>MIGRATE_TYPES);
const singles_scratch = new StaticArray<u32>(<i32>MIGRATE_TYPES);
const done_scratch = new StaticArray<u32>(<i32>MIGRATE_TYPES);

/** Allocates the scratch once per instance (the arena never frees) and marks every block open. */
export function census_scratch_init(nr_blocks: u32): void {
  if (blk_state == 0) {
    blk_state = arena_alloc(<usize>nr_blocks);
    list_a = arena_alloc(<usize>nr_blocks << 2);
    list_b = arena_alloc(<usize>nr_blocks << 2);
  }
  memory.fill(blk_state, BLK_OPEN, <usize>nr_blocks);
}

/** Item j of n, with p of the n items of one kind spread evenly: is item j of that kind? */
@inline function spread_hit(j: u32, n: u32, p: u32): bool {
  return (<u64>(j + 1) * p) / n > (<u64>j * p) / n;
}

// A slot content (two blocks of an aligned pair): first type, second type, and whether it is an order-10 pair.
@inline function content(a: u32, b: u32, pair: bool): u32 { return a | (b << 8) | (pair ? 0x10000 : 0); }

function set_block(b: u32, mt: u32, s: u8): void {
  set_pageblock_migratetype(b << pageblock_order, mt);
  set_state(b, s);
}

/**
 * Types every pageblock of zone z and marks the order-10 pairs. Returns a result code.
 * Non-CMA blocks: the aligned pairs of the range are "slots"; a lone block at either end takes a single block.
 * Each slot holds an order-10 pair unit of one type, or two single blocks. The slots that hold a non-movable
 * block are spread evenly over all slots; the rest are MOVABLE.
 */
export function layout_zone(z: u32): i32 {
  const first = unchecked(zone_start[z]) >> pageblock_order;
  const end = unchecked(zone_end[z]) >> pageblock_order;
  let total: u32 = 0;
  for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) total += census_blocks(z, mt);
  if (total != end - first) return fail(CENSUS_ZONE_SIZE, z, NONE, NONE);

  // The CMA area: the last blocks of the zone, its order-10 pairs first.
  const cma_first = end - census_blocks(z, MIGRATE_CMA);
  let need = census_free(z, MIGRATE_CMA, MAX_PAGE_ORDER);
  for (let b = cma_first; b < end; b++) set_block(b, MIGRATE_CMA, BLK_OPEN);
  for (let b = (cma_first + 1) & ~1; b + 1 < end && need > 0; b += 2, need--) { set_state(b, BLK_PAIR); set_state(b + 1, BLK_PAIR); }
  if (need > 0) return fail(CENSUS_NO_PAIRS, z, MIGRATE_CMA, MAX_PAGE_ORDER);

  // Pair units and single blocks per type.
  const pairs = pairs_scratch;
  memory.fill(changetype<usize>(pairs), 0, <usize>MIGRATE_TYPES << 2);
  const singles = singles_scratch;
  memory.fill(changetype<usize>(singles), 0, <usize>MIGRATE_TYPES << 2);
  let pair_units: u32 = 0, widest: u32 = MIGRATE_MOVABLE;
  for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) {
    if (mt == MIGRATE_CMA) continue;
    const p = census_free(z, mt, MAX_PAGE_ORDER), n = census_blocks(z, mt);
    if (2 * <u64>p > <u64>n) return fail(CENSUS_NO_PAIRS, z, mt, MAX_PAGE_ORDER);
    unchecked(pairs[mt] = p);
    unchecked(singles[mt] = n - 2 * p);
    pair_units += p;
    if (p > unchecked(pairs[widest])) widest = mt;
  }
  const pa = (first + 1) & ~1, pb = cma_first & ~1;
  const slots: u32 = pb > pa ? (pb - pa) >> 1 : 0;
  if (pair_units > slots) return fail(CENSUS_NO_PAIRS, z, widest, MAX_PAGE_ORDER);

  // Lone blocks at the ends of the range take a single: MOVABLE if any, else the type with most singles.
  const lone_lo: u32 = first < cma_first && (first & 1) != 0 ? first : NONE;
  const lone_hi: u32 = cma_first > first && (cma_first & 1) != 0 && cma_first - 1 != lone_lo ? cma_first - 1 : NONE;
  for (let end_ = 0; end_ < 2; end_++) {
    const b = end_ == 0 ? lone_lo : lone_hi;
    if (b == NONE) continue;
    let mt = MIGRATE_MOVABLE;
    if (unchecked(singles[mt]) == 0)
      for (let t: u32 = 0; t < MIGRATE_TYPES; t++) if (t != MIGRATE_CMA && unchecked(singles[t]) > unchecked(singles[mt])) mt = t;
    unchecked(singles[mt] -= 1);
    set_block(b, mt, BLK_OPEN);
  }

  // Minor contents (holding a non-movable block) into list_a: each type's pair units spread among its
  // singles, the types interleaved by their fraction done; a single is partnered with a MOVABLE single while
  // there are enough to go round (spread evenly), else with the next unpartnered minor single.
  let minor_singles: u32 = 0, minor_units: u32 = 0;
  for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) {
    if (mt == MIGRATE_CMA || mt == MIGRATE_MOVABLE) continue;
    minor_singles += unchecked(singles[mt]);
    minor_units += unchecked(pairs[mt]) + unchecked(singles[mt]);
  }
  const movable_singles = unchecked(singles[MIGRATE_MOVABLE]);
  const partnered = min(movable_singles, minor_singles);
  const done = done_scratch;
  memory.fill(changetype<usize>(done), 0, <usize>MIGRATE_TYPES << 2);
  let k: u32 = 0, single_index: u32 = 0, pending: u32 = NONE;
  for (let u: u32 = 0; u < minor_units; u++) {
    // the type furthest behind: smallest (2 done + 1) / (2 n)
    let mt: u32 = NONE;
    for (let t: u32 = 0; t < MIGRATE_TYPES; t++) {
      if (t == MIGRATE_CMA || t == MIGRATE_MOVABLE) continue;
      const n = unchecked(pairs[t]) + unchecked(singles[t]);
      if (unchecked(done[t]) == n) continue;
      if (mt == NONE) { mt = t; continue; }
      const m = unchecked(pairs[mt]) + unchecked(singles[mt]);
      if (<u64>(2 * unchecked(done[t]) + 1) * m < <u64>(2 * unchecked(done[mt]) + 1) * n) mt = t;
    }
    const n = unchecked(pairs[mt]) + unchecked(singles[mt]);
    const j = unchecked(done[mt]);
    unchecked(done[mt] = j + 1);
    if (spread_hit(j, n, unchecked(pairs[mt]))) { set_la(k++, content(mt, mt, true)); continue; }
    if (spread_hit(single_index++, minor_singles, partnered)) set_la(k++, content(mt, MIGRATE_MOVABLE, false));
    else if (pending == NONE) pending = mt;
    else { set_la(k++, content(pending, mt, false)); pending = NONE; }
  }
  // Movable contents into list_b: order-10 pair units spread among pairs of single blocks.
  const mm_slots = (movable_singles - partnered) >> 1;
  const filler = unchecked(pairs[MIGRATE_MOVABLE]) + mm_slots;
  for (let j: u32 = 0; j < filler; j++)
    set_lb(j, content(MIGRATE_MOVABLE, MIGRATE_MOVABLE, spread_hit(j, filler, unchecked(pairs[MIGRATE_MOVABLE]))));
  if (k + filler != slots) return fail(CENSUS_ZONE_SIZE, z, NONE, NONE); // cannot happen: counts add up

  // Minor content i goes to slot floor((2i + 1) * slots / 2k); the other slots take movable contents in order.
  let next_minor: u32 = 0, next_filler: u32 = 0;
  for (let s: u32 = 0; s < slots; s++) {
    let c: u32;
    if (next_minor < k && <u32>((<u64>(2 * next_minor + 1) * slots) / (2 * <u64>k)) == s) c = la(next_minor++);
    else c = lb(next_filler++);
    const b = pa + 2 * s;
    const st: u8 = (c & 0x10000) != 0 ? BLK_PAIR : BLK_OPEN;
    set_block(b, c & 0xff, st);
    set_block(b + 1, (c >> 8) & 0xff, st);
  }
  return CENSUS_OK;
}
