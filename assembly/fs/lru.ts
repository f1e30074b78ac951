// The node's file LRU lists (include/linux/mm_inline.h, mm/swap.c, mm/vmscan.c, 6.12): LRU_INACTIVE_FILE and
// LRU_ACTIVE_FILE of the one lruvec, the classic two-list LRU (lru_gen_enabled() false: Debian's 6.1; its 6.12
// enables MGLRU at boot, which is not modelled: README). Only the FUSE files' page-cache folios are on them: the
// server's tmpfs pages are swap-backed (the anon LRU, never scanned without swap), temp pages, slab and churn are
// not LRU pages.
//
// A list is a ring of entries, each a folio's first file page (fs/inode.ts file_page_id()), newest at the head
// end: lruvec_add_folio() pushes at the head, lruvec_add_folio_tail() at the tail, isolate_lru_folios() pops the
// tail. The kernel's struct page has room for list links beside mapping and index; the page records here do not
// (at 1 TiB they already take 3 GiB of wasm32's 4), so a folio finds its place through its file index instead:
// lru_slot(ino, index) holds its list and ring position. A folio that leaves its list anywhere but at the tail
// (filemap_remove_folio(), a move to the other list) only has its slot cleared or changed; its old entry stays
// in the ring, stale, skipped when it reaches the tail and dropped when the ring is compacted. An entry is live
// exactly when its slot names its list and position: a position is written again only after its entry left
// the ring, so a stale entry can never be mistaken for a live one. A ring has room for twice the folios that
// can be cached (the files' pages, at most the machine's), so compacting a full one frees at least half of it.
import { NONE, MAX_NR_ZONES } from "../mm/constants";
import { PG_active, PG_head, page_flags, set_page_flags, page_order, page_prev, nr_pages } from "../mm/page";
import { page_zone } from "../mm/zone";
import { arena_alloc } from "../sim/arena";
import { lru_slot, set_lru_slot, mapping_pfn, total_file_pages, file_page_id, file_page_ino, file_page_index } from "./inode";
import { st_add, NR_ACTIVE_FILE } from "./stats";

export const LRU_INACTIVE_FILE: u32 = 0;
export const LRU_ACTIVE_FILE: u32 = 1;
const NR_LRU: i32 = 2;
/** No folio: lru_pop_tail() on an empty list. */
export const LRU_EMPTY: u32 = NONE;

/** Ring base, capacity, the oldest entry's position and the entries held (live or stale). */
const ring = new StaticArray<usize>(NR_LRU);
const cap = new StaticArray<u32>(NR_LRU);
const lo = new StaticArray<u32>(NR_LRU);
const len = new StaticArray<u32>(NR_LRU);
/** Folios on each list, and their pages per zone (lruvec_lru_size() sums zones up to sc->reclaim_idx). */
const nr_folios = new StaticArray<u32>(NR_LRU);
const zone_pages = new StaticArray<u64>(NR_LRU * <i32>MAX_NR_ZONES);

export function lru_reset(): void {
  for (let l = 0; l < NR_LRU; l++) {
    unchecked(ring[l] = 0); unchecked(cap[l] = 0); unchecked(lo[l] = 0); unchecked(len[l] = 0);
    unchecked(nr_folios[l] = 0);
  }
  for (let i = 0; i < NR_LRU * <i32>MAX_NR_ZONES; i++) unchecked(zone_pages[i] = 0);
}

@inline function wrap(l: u32, pos: u32): u32 { const c = unchecked(cap[l]); return pos >= c ? pos - c : pos; }
@inline function entry_at(l: u32, pos: u32): u32 { return load<u32>(unchecked(ring[l]) + (<usize>pos << 2)); }
@inline function set_entry(l: u32, pos: u32, id: u32): void { store<u32>(unchecked(ring[l]) + (<usize>pos << 2), id); }
@inline function slot_of(l: u32, pos: u32): u32 { return (l << 31) | pos; }
function entry_live(l: u32, pos: u32, id: u32): bool {
  const ino = file_page_ino(id);
  return lru_slot(ino, file_page_index(id, ino)) == slot_of(l, pos);
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
    // the first folio: sized for every file page there is (all files exist before the first write)
    const cached = min<u64>(<u64>total_file_pages, <u64>nr_pages);
    const want = <u32>min<u64>(cached * 2 + 64, 1 << 30);
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

function account(l: u32, head: u32, sign: i32): void {
  const n = <u64>1 << page_order(head);
  const i = <i32>l * <i32>MAX_NR_ZONES + <i32>page_zone(head);
  if (sign > 0) { unchecked(nr_folios[l] += 1); unchecked(zone_pages[i] += n); }
  else { unchecked(nr_folios[l] -= 1); unchecked(zone_pages[i] -= n); }
  if (l == LRU_ACTIVE_FILE) st_add(NR_ACTIVE_FILE, sign > 0 ? <i64>n : -<i64>n);
}

/** lruvec_add_folio() (tail false) or lruvec_add_folio_tail(): the folio at `head`, file index `index`, goes on
 *  the list its PG_active says. It must be on none. */
export function lru_add(ino: u32, index: u32, head: u32, tail: bool): void {
  const l = (page_flags(head) & PG_active) != 0 ? LRU_ACTIVE_FILE : LRU_INACTIVE_FILE;
  if (unchecked(len[l]) >= unchecked(cap[l])) make_room(l);
  let pos: u32;
  if (tail) { pos = unchecked(lo[l]) == 0 ? unchecked(cap[l]) - 1 : unchecked(lo[l]) - 1; unchecked(lo[l] = pos); }
  else pos = wrap(l, unchecked(lo[l]) + unchecked(len[l]));
  unchecked(len[l] += 1);
  set_entry(l, pos, file_page_id(ino, index));
  set_lru_slot(ino, index, slot_of(l, pos));
  account(l, head, 1);
}

/** folio_add_lru() of a new page-cache folio of `nr` pages (never active): lru_add() without its tests, since every
 *  page written passes here. */
@inline export function folio_add_lru(ino: u32, index: u32, head: u32, nr: u32): void {
  if (unchecked(len[0]) >= unchecked(cap[0])) make_room(LRU_INACTIVE_FILE);
  const pos = wrap(LRU_INACTIVE_FILE, unchecked(lo[0]) + unchecked(len[0]));
  unchecked(len[0] += 1);
  set_entry(LRU_INACTIVE_FILE, pos, file_page_id(ino, index));
  set_lru_slot(ino, index, pos); // slot_of(LRU_INACTIVE_FILE, pos)
  unchecked(nr_folios[0] += 1);
  unchecked(zone_pages[<i32>page_zone(head)] += <u64>nr);
}

/** lruvec_del_folio(): the folio leaves its list (its entry goes stale). */
export function lru_del(ino: u32, index: u32, head: u32): void {
  const s = lru_slot(ino, index);
  if (s == NONE) return;
  set_lru_slot(ino, index, NONE);
  account(s >> 31, head, -1);
}

/** Is the folio whose first page is file index `index` on an LRU list? */
@inline export function folio_test_lru(ino: u32, index: u32): bool { return lru_slot(ino, index) != NONE; }

/** The oldest folio of list l, taken off it (its first page's file_page_id()), or LRU_EMPTY. */
export function lru_pop_tail(l: u32): u32 {
  while (unchecked(len[l]) != 0) {
    const pos = unchecked(lo[l]);
    const id = entry_at(l, pos);
    unchecked(lo[l] = wrap(l, pos + 1));
    unchecked(len[l] -= 1);
    const ino = file_page_ino(id), index = file_page_index(id, ino);
    if (lru_slot(ino, index) != slot_of(l, pos)) continue;
    set_lru_slot(ino, index, NONE);
    account(l, mapping_pfn(ino, index), -1);
    return id;
  }
  return LRU_EMPTY;
}

/** lruvec_page_state(NR_LRU_BASE + l): the list's pages in every zone. */
export function lru_pages(l: u32): u64 { return lruvec_lru_size(l, MAX_NR_ZONES - 1); }

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

// CONFIG_DEBUG_VM: every live entry is a cached folio's head whose PG_active names this list, and the counts add up.
// Returns the folios found live on list l, or NONE when an entry is wrong.
export function lru_check_list(l: u32): u32 {
  let live: u32 = 0;
  const pages = zone_scratch;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) unchecked(pages[z] = 0);
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
  if (live != unchecked(nr_folios[l])) return NONE;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) if (unchecked(pages[z]) != unchecked(zone_pages[<i32>l * <i32>MAX_NR_ZONES + <i32>z])) return NONE;
  return live;
}
const zone_scratch = new StaticArray<u64>(<i32>MAX_NR_ZONES);
