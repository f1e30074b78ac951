// The node's file LRU lists (include/linux/mm_inline.h, mm/swap.c, mm/vmscan.c, 6.12), in either of the kernel's
// two forms, as CONFIG_LRU_GEN_ENABLED / lru_gen_enabled() chooses at boot (machine.lru):
// - classic: LRU_INACTIVE_FILE and LRU_ACTIVE_FILE of the one lruvec;
// - MGLRU: lrugen->folios[gen][LRU_GEN_FILE][zone], MAX_NR_GENS generations per zone between min_seq and max_seq
//   (lru_gen_add_folio(), lru_gen_del_folio(), folio_inc_gen(); the aging that moves the sequence numbers is in
//   fs/lru_gen.ts). The two youngest generations count as active, the rest as inactive (lru_gen_update_size()),
//   so nr_active_file and nr_inactive_file mean what they mean in the kernel's /proc/vmstat under MGLRU.
// Only the FUSE files' page-cache folios are on them: the server's tmpfs pages are swap-backed (the anon LRU, never
// scanned without swap: get_swappiness() is 0), temp pages, slab and churn are not LRU pages.
//
// A list is a ring of entries, each a folio's first file page (fs/inode.ts file_page_id()), newest at the head
// end: lruvec_add_folio() pushes at the head, lruvec_add_folio_tail() at the tail, isolation pops the tail. The
// kernel's struct page has room for list links beside mapping and index; the page records here do not (at 1 TiB
// they already take 3 GiB of wasm32's 4), so a folio finds its place through its file index instead:
// lru_slot(ino, index) holds its list and ring position (classic: list << 31 | position; MGLRU: gen << 30 |
// position, the zone being the folio's own, as folio_lru_gen() reads the generation from folio->flags). A folio
// that leaves its list anywhere but at the tail (filemap_remove_folio(), a move to another list) only has its
// slot cleared or changed; its old entry stays in the ring, stale, skipped when it reaches the tail and dropped
// when the ring is compacted. An entry is live exactly when its slot names its list and position (and, with
// MGLRU, the folio is in the ring's zone): a position is written again only after its entry left the ring, so a
// stale entry can never be mistaken for a live one. A classic ring has room for twice the folios that can be
// cached (the files' pages, at most the machine's), so compacting a full one frees at least half of it; the
// twelve MGLRU rings start small and double when more than half of a full one is live.
import { NONE, MAX_NR_ZONES } from "../mm/constants";
import { PG_active, PG_head, PG_reclaim, PG_folio_dirty, PG_folio_writeback, page_flags, set_page_flags, page_order, page_prev, nr_pages } from "../mm/page";
import { page_zone, NR_FREE_PAGES } from "../mm/zone";
import { arena_alloc } from "../sim/arena";
import { param, CFG_LRU_GEN } from "../sim/config";
import { lru_slot, set_lru_slot, mapping_pfn, total_file_pages, file_page_id, file_page_ino, file_page_index } from "./inode";
import { st_add, NR_ACTIVE_FILE } from "./stats";

export const LRU_INACTIVE_FILE: u32 = 0;
export const LRU_ACTIVE_FILE: u32 = 1;
/** include/linux/mmzone.h: MIN_NR_GENS, MAX_NR_GENS */
export const MIN_NR_GENS: u64 = 2;
export const MAX_NR_GENS: u32 = 4;
/** Rings: the two classic lists, then MGLRU's generation x zone lists (ring 2 + gen * MAX_NR_ZONES + zone). */
const NR_RINGS: i32 = 2 + <i32>(MAX_NR_GENS * MAX_NR_ZONES);
/** No folio: lru_pop_tail() on an empty list. */
export const LRU_EMPTY: u32 = NONE;

/** Ring base, capacity, the oldest entry's position and the entries held (live or stale). */
const ring = new StaticArray<usize>(NR_RINGS);
const cap = new StaticArray<u32>(NR_RINGS);
const lo = new StaticArray<u32>(NR_RINGS);
const len = new StaticArray<u32>(NR_RINGS);
/** Folios live on each ring. */
const nr_folios = new StaticArray<u32>(NR_RINGS);
/** Pages on the inactive and active lists per zone (lruvec_lru_size() sums zones up to sc->reclaim_idx); with
 *  MGLRU, the generations' pages as lru_gen_update_size() counts them for compatibility. */
const zone_pages = new StaticArray<u64>(2 * <i32>MAX_NR_ZONES);

/** lru_gen_enabled() for this run (CFG_LRU_GEN), read at lru_reset(). */
export let lru_gen: bool = false;
/** lrugen->max_seq and lrugen->min_seq[LRU_GEN_FILE] (lru_gen_init_lruvec(): max_seq = MIN_NR_GENS + 1, min_seq
 *  0). The anon type's sequence is not kept: nothing anon is on an LRU here, and with no swap it is never evicted. */
export let max_seq: u64 = 0;
export let min_seq: u64 = 0;
/** lrugen->nr_pages[gen][LRU_GEN_FILE][zone] */
const gen_pages = new StaticArray<u64>(<i32>(MAX_NR_GENS * MAX_NR_ZONES));

export function lru_reset(): void {
  for (let l = 0; l < NR_RINGS; l++) {
    unchecked(ring[l] = 0); unchecked(cap[l] = 0); unchecked(lo[l] = 0); unchecked(len[l] = 0);
    unchecked(nr_folios[l] = 0);
  }
  for (let i = 0; i < 2 * <i32>MAX_NR_ZONES; i++) unchecked(zone_pages[i] = 0);
  for (let i = 0; i < <i32>(MAX_NR_GENS * MAX_NR_ZONES); i++) unchecked(gen_pages[i] = 0);
  lru_gen = param(CFG_LRU_GEN) != 0;
  max_seq = MIN_NR_GENS + 1;
  min_seq = 0;
}

@inline export function lru_gen_from_seq(seq: u64): u32 { return <u32>(seq % <u64>MAX_NR_GENS); }
/** lru_gen_is_active(): the two youngest generations */
@inline export function lru_gen_is_active(gen: u32): bool {
  return gen == lru_gen_from_seq(max_seq) || gen == lru_gen_from_seq(max_seq - 1);
}
@inline function gen_ring(gen: u32, zone: u32): u32 { return 2 + gen * MAX_NR_ZONES + zone; }
@inline function ring_gen(l: u32): u32 { return (l - 2) / MAX_NR_ZONES; }
@inline function ring_zone(l: u32): u32 { return (l - 2) % MAX_NR_ZONES; }

@inline function wrap(l: u32, pos: u32): u32 { const c = unchecked(cap[l]); return pos >= c ? pos - c : pos; }
@inline function entry_at(l: u32, pos: u32): u32 { return load<u32>(unchecked(ring[l]) + (<usize>pos << 2)); }
@inline function set_entry(l: u32, pos: u32, id: u32): void { store<u32>(unchecked(ring[l]) + (<usize>pos << 2), id); }
@inline function slot_of(l: u32, pos: u32): u32 { return l < 2 ? (l << 31) | pos : (ring_gen(l) << 30) | pos; }
function entry_live(l: u32, pos: u32, id: u32): bool {
  const ino = file_page_ino(id), index = file_page_index(id, ino);
  if (lru_slot(ino, index) != slot_of(l, pos)) return false;
  return l < 2 || page_zone(mapping_pfn(ino, index)) == ring_zone(l);
}
function reslot(id: u32, slot: u32): void {
  const ino = file_page_ino(id);
  set_lru_slot(ino, file_page_index(id, ino), slot);
}

// a full ring (or none yet) keeps its live entries in order (compacted in place); one more than half live (files
// added after the ring was sized) moves to one twice as large
function make_room(l: u32): void {
  const c = unchecked(cap[l]);
  if (c == 0) {
    // a classic list's first folio: sized for every file page there is (all files exist before the first write);
    // an MGLRU generation's starts small: twelve rings of that size would not fit a large machine
    const cached = min<u64>(<u64>total_file_pages, <u64>nr_pages);
    const want = l < 2 ? <u32>min<u64>(cached * 2 + 64, 1 << 30) : <u32>min<u64>(cached + 64, 256);
    unchecked(ring[l] = arena_alloc(<usize>want << 2)); unchecked(cap[l] = want);
    return;
  }
  const from = unchecked(lo[l]);
  let kept: u32 = 0;
  for (let i: u32 = 0; i < c; i++) {
    const p = wrap(l, from + i);
    const id = entry_at(l, p);
    if (!entry_live(l, p, id)) continue;
    const q = wrap(l, from + kept);
    set_entry(l, q, id);
    reslot(id, slot_of(l, q));
    kept++;
  }
  unchecked(len[l] = kept);
  if (kept <= c >> 1) return;
  const nc = c << 1;
  const base = arena_alloc(<usize>nc << 2);
  for (let k: u32 = 0; k < kept; k++) {
    const id = entry_at(l, wrap(l, from + k));
    store<u32>(base + (<usize>k << 2), id);
    reslot(id, slot_of(l, k));
  }
  unchecked(ring[l] = base); unchecked(cap[l] = nc); unchecked(lo[l] = 0);
}

// the folio's pages on (sign > 0) or off ring l: the ring's folios, the lists' pages per zone, NR_ACTIVE_FILE, and
// with MGLRU the generation's pages (lru_gen_update_size() for an addition or a deletion)
function account(l: u32, head: u32, sign: i32): void {
  const n = <u64>1 << page_order(head);
  const z = page_zone(head);
  let active = l == LRU_ACTIVE_FILE;
  if (l >= 2) {
    const g = ring_gen(l);
    active = lru_gen_is_active(g);
    const gi = <i32>(g * MAX_NR_ZONES + z);
    if (sign > 0) unchecked(gen_pages[gi] += n); else unchecked(gen_pages[gi] -= n);
  }
  const i = (active ? <i32>MAX_NR_ZONES : 0) + <i32>z;
  if (sign > 0) { unchecked(nr_folios[l] += 1); unchecked(zone_pages[i] += n); }
  else { unchecked(nr_folios[l] -= 1); unchecked(zone_pages[i] -= n); }
  if (active) st_add(NR_ACTIVE_FILE, sign > 0 ? <i64>n : -<i64>n);
}

// list_add() (tail false) or list_add_tail() of the folio on ring l, its slot set; not counted
function ring_push(l: u32, id: u32, tail: bool): void {
  if (unchecked(len[l]) >= unchecked(cap[l])) make_room(l);
  let pos: u32;
  if (tail) { pos = unchecked(lo[l]) == 0 ? unchecked(cap[l]) - 1 : unchecked(lo[l]) - 1; unchecked(lo[l] = pos); }
  else pos = wrap(l, unchecked(lo[l]) + unchecked(len[l]));
  unchecked(len[l] += 1);
  set_entry(l, pos, id);
  reslot(id, slot_of(l, pos));
}

// the live folio at ring l's tail, its entry gone from the ring (its slot still names it: the caller sets it), or
// LRU_EMPTY
function ring_take_tail(l: u32): u32 {
  while (unchecked(len[l]) != 0) {
    const pos = unchecked(lo[l]);
    const id = entry_at(l, pos);
    unchecked(lo[l] = wrap(l, pos + 1));
    unchecked(len[l] -= 1);
    if (entry_live(l, pos, id)) return id;
  }
  return LRU_EMPTY;
}

// include/linux/mm_inline.h: lru_gen_add_folio() (6.12) of a folio whose flags are final: an active one to the
// youngest generation (PG_active cleared: "see the comment on MIN_NR_GENS about PG_active"), one reclaim marked
// while dirty or under writeback to the second youngest, one rotated by folio_rotate_reclaimable() (reclaiming) to
// the oldest, anything else to the second oldest unless only MIN_NR_GENS generations are left
function lru_gen_add_folio(ino: u32, index: u32, head: u32, reclaiming: bool): void {
  const f = page_flags(head);
  let seq: u64;
  if ((f & PG_active) != 0) seq = max_seq;
  else if ((f & PG_reclaim) != 0 && (f & (PG_folio_dirty | PG_folio_writeback)) != 0) seq = max_seq - 1;
  else if (reclaiming || min_seq + MIN_NR_GENS >= max_seq) seq = min_seq;
  else seq = min_seq + 1;
  if ((f & PG_active) != 0) set_page_flags(head, f & ~PG_active);
  const l = gen_ring(lru_gen_from_seq(seq), page_zone(head));
  ring_push(l, file_page_id(ino, index), reclaiming);
  account(l, head, 1);
}

/** lruvec_add_folio() (tail false) or lruvec_add_folio_tail(): the folio at `head`, file index `index`, goes on
 *  the list its flags say (classic: PG_active; MGLRU: lru_gen_add_folio()). It must be on none. */
export function lru_add(ino: u32, index: u32, head: u32, tail: bool): void {
  if (lru_gen) { lru_gen_add_folio(ino, index, head, tail); return; }
  const l = (page_flags(head) & PG_active) != 0 ? LRU_ACTIVE_FILE : LRU_INACTIVE_FILE;
  ring_push(l, file_page_id(ino, index), tail);
  account(l, head, 1);
}

/** folio_add_lru() of a new page-cache folio of `nr` pages (never active: write(2) is no fault, so MGLRU does not
 *  make it active either): lru_add() without its tests on the classic lists, since every page written passes here. */
@inline export function folio_add_lru(ino: u32, index: u32, head: u32, nr: u32): void {
  if (lru_gen) { lru_gen_add_folio(ino, index, head, false); return; }
  if (unchecked(len[0]) >= unchecked(cap[0])) make_room(LRU_INACTIVE_FILE);
  const pos = wrap(LRU_INACTIVE_FILE, unchecked(lo[0]) + unchecked(len[0]));
  unchecked(len[0] += 1);
  set_entry(LRU_INACTIVE_FILE, pos, file_page_id(ino, index));
  set_lru_slot(ino, index, pos); // slot_of(LRU_INACTIVE_FILE, pos)
  unchecked(nr_folios[0] += 1);
  unchecked(zone_pages[<i32>page_zone(head)] += <u64>nr);
}

// the ring a folio's slot names
@inline function slot_ring(s: u32, head: u32): u32 { return lru_gen ? gen_ring(s >>> 30, page_zone(head)) : s >>> 31; }

/** lruvec_del_folio(): the folio leaves its list (its entry goes stale). With MGLRU, lru_gen_del_folio() not
 *  reclaiming: a folio of an active generation takes PG_active with it ("for folio_migrate_flags()"), so that it
 *  comes back to the youngest generation. */
export function lru_del(ino: u32, index: u32, head: u32): void {
  const s = lru_slot(ino, index);
  if (s == NONE) return;
  set_lru_slot(ino, index, NONE);
  const l = slot_ring(s, head);
  account(l, head, -1);
  if (lru_gen && lru_gen_is_active(ring_gen(l))) set_page_flags(head, page_flags(head) | PG_active);
}

/** Is the folio whose first page is file index `index` on an LRU list? */
@inline export function folio_test_lru(ino: u32, index: u32): bool { return lru_slot(ino, index) != NONE; }

/** The oldest folio of classic list l, taken off it (its first page's file_page_id()), or LRU_EMPTY. */
export function lru_pop_tail(l: u32): u32 {
  const id = ring_take_tail(l);
  if (id == LRU_EMPTY) return id;
  const ino = file_page_ino(id), index = file_page_index(id, ino);
  set_lru_slot(ino, index, NONE);
  account(l, mapping_pfn(ino, index), -1);
  return id;
}

/** MGLRU: the oldest folio of generation gen in zone z, taken off it by isolate_folio() (lru_gen_del_folio()
 *  reclaiming: no PG_active), or LRU_EMPTY. */
export function lru_gen_isolate_tail(gen: u32, z: u32): u32 { return lru_pop_tail(gen_ring(gen, z)); }

/** MGLRU: folio_inc_gen() of the oldest folio of generation gen in zone z, then list_move_tail() to the tail of
 *  the generation after min_seq's (sort_folio()'s ineligible folios, inc_min_seq()); lru_gen_update_size() counts
 *  a promotion from an inactive to an active generation. The callers only move folios out of min_seq's generation
 *  with at least MIN_NR_GENS + 1 generations (scan_folios(), inc_min_seq()), which is never active, so a removal
 *  and an addition (account()) count the same. Returns its pages, 0 when the list is empty. */
export function lru_gen_inc_gen_tail(gen: u32, z: u32): u32 {
  const l = gen_ring(gen, z);
  const id = ring_take_tail(l);
  if (id == LRU_EMPTY) return 0;
  const ino = file_page_ino(id);
  const head = mapping_pfn(ino, file_page_index(id, ino));
  const nl = gen_ring((lru_gen_from_seq(min_seq) + 1) % MAX_NR_GENS, z);
  account(l, head, -1);
  account(nl, head, 1);
  ring_push(nl, id, true);
  return <u32>1 << page_order(head);
}

/** MGLRU: live folios of generation gen in zone z (list_empty() is 0). */
export function lru_gen_nr_folios(gen: u32, z: u32): u32 { return unchecked(nr_folios[gen_ring(gen, z)]); }
/** lrugen->nr_pages[gen][LRU_GEN_FILE][z] */
export function lru_gen_pages(gen: u32, z: u32): u64 { return unchecked(gen_pages[<i32>(gen * MAX_NR_ZONES + z)]); }

/** For tests: the k-th live folio (file_page_id() of its head) of generation gen in zone z, counted from the tail;
 *  LRU_EMPTY past the end. */
export function lru_gen_entry(gen: u32, z: u32, k: u32): u32 { return lru_entry(gen_ring(gen, z), k); }

/** For tests: the k-th live folio (file_page_id() of its head) of list l (LRU_INACTIVE_FILE, LRU_ACTIVE_FILE),
 *  counted from the tail; LRU_EMPTY past the end. */
export function lru_entry(l: u32, k: u32): u32 {
  let seen: u32 = 0;
  for (let i: u32 = 0; i < unchecked(len[l]); i++) {
    const p = wrap(l, unchecked(lo[l]) + i);
    const id = entry_at(l, p);
    if (!entry_live(l, p, id)) continue;
    if (seen++ == k) return id;
  }
  return LRU_EMPTY;
}

/** inc_min_seq() / try_to_inc_min_seq() done (fs/lru_gen.ts): min_seq moves on. */
export function lru_gen_set_min_seq(seq: u64): void { min_seq = seq; }
/** inc_max_seq()'s end (fs/lru_gen.ts): "Update the active/inactive LRU sizes for compatibility": the generation
 *  that was second youngest becomes inactive and the one about to be youngest (empty, or the oldest's list before
 *  min_seq moved) active, then max_seq moves on. */
export function lru_gen_set_max_seq(seq: u64): void {
  const prev = lru_gen_from_seq(max_seq - 1), next = lru_gen_from_seq(max_seq + 1);
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    const delta = <i64>lru_gen_pages(prev, z) - <i64>lru_gen_pages(next, z);
    if (delta == 0) continue;
    unchecked(zone_pages[<i32>z] += <u64>delta);
    unchecked(zone_pages[<i32>(MAX_NR_ZONES + z)] -= <u64>delta);
    st_add(NR_ACTIVE_FILE, -delta);
  }
  max_seq = seq;
}

/** lruvec_page_state(NR_LRU_BASE + l): the list's pages in every zone. */
export function lru_pages(l: u32): u64 { return lruvec_lru_size(l, MAX_NR_ZONES - 1); }

/** The file LRU pages of zone z, both lists (zone_reclaimable_pages() without anon). */
export function lru_zone_file_pages(z: u32): u64 {
  return unchecked(zone_pages[<i32>z]) + unchecked(zone_pages[<i32>(MAX_NR_ZONES + z)]);
}

/** mm/vmscan.c: zone_reclaimable_pages(): the zone's file LRU (no swap, so anon does not count), or its free pages
 *  when that is 0 (the stable fix in 6.1.192 and 6.12.118: "ensure zones with sufficient free pages are not
 *  skipped"). */
export function zone_reclaimable_pages(z: u32): u64 {
  const file = lru_zone_file_pages(z);
  return file != 0 ? file : <u64>max<i32>(unchecked(NR_FREE_PAGES[z]), 0);
}

/** lruvec_lru_size(lruvec, lru, zone_idx): the list's pages in zones up to zone_idx. */
export function lruvec_lru_size(l: u32, zone_idx: u32): u64 {
  let n: u64 = 0;
  for (let z: u32 = 0; z <= zone_idx && z < MAX_NR_ZONES; z++) n += unchecked(zone_pages[<i32>l * <i32>MAX_NR_ZONES + <i32>z]);
  return n;
}

export function lru_nr_folios(l: u32): u32 { return unchecked(nr_folios[l]); }

/** folio_set_active() / folio_clear_active() on the head page (the folio is off the lists). */
export function folio_set_active(head: u32, on: bool): void {
  const f = page_flags(head);
  set_page_flags(head, on ? f | PG_active : f & ~PG_active);
}

// CONFIG_DEBUG_VM: every live entry of ring l is a cached folio's head in the ring's zone (MGLRU), never active on
// an MGLRU list and active exactly on the classic active list; the ring's folio count holds and its pages per zone
// are added to pages[]. Returns the folios found live, or NONE when an entry is wrong.
function check_ring(l: u32, pages: StaticArray<u64>): u32 {
  let live: u32 = 0;
  for (let i: u32 = 0; i < unchecked(len[l]); i++) {
    const p = wrap(l, unchecked(lo[l]) + i);
    const id = entry_at(l, p);
    if (id >= total_file_pages) return NONE;
    if (!entry_live(l, p, id)) continue;
    const ino = file_page_ino(id), index = file_page_index(id, ino);
    const head = mapping_pfn(ino, index);
    if (head == NONE || page_prev(head) != index || (page_flags(head) & PG_head) == 0) return NONE;
    if (((page_flags(head) & PG_active) != 0) != (l == LRU_ACTIVE_FILE)) return NONE;
    unchecked(pages[page_zone(head)] += <u64>1 << page_order(head));
    live++;
  }
  return live != unchecked(nr_folios[l]) ? NONE : live;
}

/** CONFIG_DEBUG_VM over the lists: the rings (check_ring()); the per-zone page counts of the classic lists, or with
 *  MGLRU each generation's nr_pages, no folio outside min_seq..max_seq, min_seq + MIN_NR_GENS <= max_seq + 1 and at
 *  most MAX_NR_GENS generations, and the inactive/active counts the sum of the generations on each side. Returns
 *  the folios on the lists, or NONE. */
export function lru_check(): u32 {
  let folios: u32 = 0;
  const pages = zone_scratch;
  if (!lru_gen) {
    for (let l: u32 = 0; l < 2; l++) {
      for (let z: u32 = 0; z < MAX_NR_ZONES; z++) unchecked(pages[z] = 0);
      const live = check_ring(l, pages);
      if (live == NONE) return NONE;
      for (let z: u32 = 0; z < MAX_NR_ZONES; z++) if (unchecked(pages[z]) != unchecked(zone_pages[<i32>l * <i32>MAX_NR_ZONES + <i32>z])) return NONE;
      folios += live;
    }
    return folios;
  }
  if (unchecked(len[0]) != 0 || unchecked(len[1]) != 0) return NONE;
  if (max_seq < min_seq + MIN_NR_GENS - 1 || max_seq - min_seq + 1 > <u64>MAX_NR_GENS) return NONE;
  const side = side_scratch;
  for (let i = 0; i < 2 * <i32>MAX_NR_ZONES; i++) unchecked(side[i] = 0);
  for (let g: u32 = 0; g < MAX_NR_GENS; g++) {
    let in_range = false;
    for (let seq = min_seq; seq <= max_seq; seq++) if (lru_gen_from_seq(seq) == g) in_range = true;
    for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
      const l = gen_ring(g, z);
      for (let k: u32 = 0; k < MAX_NR_ZONES; k++) unchecked(pages[k] = 0);
      const live = check_ring(l, pages);
      if (live == NONE || (live != 0 && !in_range)) return NONE;
      for (let k: u32 = 0; k < MAX_NR_ZONES; k++) if (k != z && unchecked(pages[k]) != 0) return NONE;
      if (unchecked(pages[z]) != lru_gen_pages(g, z)) return NONE;
      unchecked(side[(lru_gen_is_active(g) ? <i32>MAX_NR_ZONES : 0) + <i32>z] += unchecked(pages[z]));
      folios += live;
    }
  }
  for (let i = 0; i < 2 * <i32>MAX_NR_ZONES; i++) if (unchecked(side[i]) != unchecked(zone_pages[i])) return NONE;
  return folios;
}
const zone_scratch = new StaticArray<u64>(<i32>MAX_NR_ZONES);
const side_scratch = new StaticArray<u64>(2 * <i32>MAX_NR_ZONES);
