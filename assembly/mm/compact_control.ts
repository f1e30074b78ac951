// struct compact_control (mm/internal.h) and the compaction fields of struct zone (include/linux/mmzone.h):
// the cached scanner positions, deferral, the pageblock skip bits and compact_blockskip_flush. One compaction
// runs at a time (direct, kcompactd and proactive compaction never nest), so one compact_control serves all.
import { MAX_NR_ZONES, NR_PAGE_ORDERS, pageblock_order, NONE, MIGRATE_UNMOVABLE } from "./constants";
import { zone_start, zone_end } from "./zone";
import { PG_owner, PG_head, page_flags, page_order } from "./page";
import { MIGRATE_ASYNC } from "./migrate";
import { arena_alloc } from "../sim/arena";

/** mm/compaction.c: COMPACT_CLUSTER_MAX (= SWAP_CLUSTER_MAX) */
export const COMPACT_CLUSTER_MAX: u32 = 32;

export class CompactControl {
  zone: u32 = 0;
  /** -1: compact the whole zone (compact_memory, proactive compaction: is_via_compact_memory()) */
  order: i32 = 0;
  mode: u32 = MIGRATE_ASYNC;
  migratetype: u32 = 0;
  highest_zoneidx: u32 = 0;
  alloc_flags: u32 = 0;
  direct_compaction: bool = false;
  whole_zone: bool = false;
  ignore_skip_hint: bool = false;
  ignore_block_suitable: bool = false;
  proactive_compaction: bool = false;
  finish_pageblock: bool = false;
  /** alloc_contig_range()'s isolation (isolate_migratepages_range()): compound pages are taken whatever their order
   *  (no skip_isolation_on_order()), and neither skip bits nor the cached scanner positions are written
   *  (no_set_skip_hint: "Set for isolation rather than compaction") */
  alloc_contig: bool = false;
  no_set_skip_hint: bool = false;
  /** fast_isolate_freepages(): the order its search starts at; fast searches that found nothing */
  search_order: i32 = 0;
  fast_search_fail: u32 = 0;
  /** fast_find_migrateblock()'s lowest candidate: 0 none yet, NONE (ULONG_MAX) used */
  fast_start_pfn: u32 = 0;
  migrate_pfn: u32 = 0;
  free_pfn: u32 = 0;
  /** pages isolated for migration, and free pages isolated as targets */
  nr_migratepages: u32 = 0;
  nr_freepages: u32 = 0;
  total_migrate_scanned: u64 = 0;
  total_free_scanned: u64 = 0;
}
export const cc = new CompactControl();

/** A new compaction of zone z, as the kernel's designated initializer `struct compact_control cc = { .order, .mode,
 *  ... }` gives it: what the caller names, everything else 0/false (migratetype MIGRATE_UNMOVABLE), search_order
 *  from the order (0 for the whole-zone order -1). The caller then sets the flags it needs. */
export function cc_start(z: u32, order: i32, mode: u32, alloc_flags: u32, highest_zoneidx: u32): void {
  cc.zone = z;
  cc.order = order;
  cc.search_order = max<i32>(order, 0);
  cc.fast_search_fail = 0;
  cc.migratetype = MIGRATE_UNMOVABLE;
  cc.mode = mode;
  cc.alloc_flags = alloc_flags;
  cc.highest_zoneidx = highest_zoneidx;
  cc.direct_compaction = false;
  cc.whole_zone = false;
  cc.ignore_skip_hint = false;
  cc.ignore_block_suitable = false;
  cc.proactive_compaction = false;
  cc.alloc_contig = false;
  cc.no_set_skip_hint = false;
}

// cc->migratepages: the heads of the isolated folios, in isolation order (migrate_pages() takes them from the
// list head, where list_add() put the last one). At most a pageblock's worth.
export const cc_migrate_list = new StaticArray<u32>(1 << pageblock_order);
export let cc_nr_migrate_folios: u32 = 0;
export function cc_migrate_add(head: u32): void { unchecked(cc_migrate_list[cc_nr_migrate_folios++] = head); }
export function cc_migrate_clear(): void { cc_nr_migrate_folios = 0; cc.nr_migratepages = 0; }
/** The list after migrate_pages() or reclaim_clean_pages_from_list() left its first n entries. */
export function set_cc_nr_migrate_folios(n: u32): void { cc_nr_migrate_folios = n; }

// cc->freepages[order]: deques of free chunks the free scanner isolated (list_add_tail), split remainders go to
// the head (list_add), compaction_alloc() takes the head.
// The rings are allocated by compaction_init() (the simulation), so a machine booted for the allocator alone
// does not carry them.
const FREE_RING: u32 = 2048;
let fp_ring: usize = 0;
const fp_first = new StaticArray<u32>(<i32>NR_PAGE_ORDERS);
const fp_len = new StaticArray<u32>(<i32>NR_PAGE_ORDERS);
@inline function fp_slot(order: u32, k: u32): usize {
  return fp_ring + ((<usize>(order * FREE_RING + ((unchecked(fp_first[order]) + k) & (FREE_RING - 1)))) << 2);
}
export function freepages_len(order: u32): u32 { return unchecked(fp_len[order]); }
export function freepages_add_tail(order: u32, pfn: u32): void {
  store<u32>(fp_slot(order, unchecked(fp_len[order])), pfn);
  unchecked(fp_len[order] += 1);
}
export function freepages_add_head(order: u32, pfn: u32): void {
  unchecked(fp_first[order] = (unchecked(fp_first[order]) - 1) & (FREE_RING - 1));
  store<u32>(fp_slot(order, 0), pfn);
  unchecked(fp_len[order] += 1);
}
export function freepages_pop_head(order: u32): u32 {
  if (unchecked(fp_len[order]) == 0) return NONE;
  const pfn = load<u32>(fp_slot(order, 0));
  unchecked(fp_first[order] = (unchecked(fp_first[order]) + 1) & (FREE_RING - 1));
  unchecked(fp_len[order] -= 1);
  return pfn;
}
/** Room for one more chunk of this order (the isolating scanner stops when the ring is full). */
export function freepages_room(order: u32): bool { return unchecked(fp_len[order]) < FREE_RING; }

// struct zone: compact_cached_free_pfn, compact_cached_migrate_pfn[ASYNC, SYNC], compact_init_*_pfn,
// compact_considered, compact_defer_shift, compact_order_failed, compact_blockskip_flush. Zero at boot, as the
// kernel's zeroed zones are, except the scanners' cached positions: the kernel's zeros lie outside every real
// zone (ZONE_DMA starts at pfn 1), so compact_zone() resets them to the zone's ends on first use; here the first
// zone starts at pfn 0, where a zero free pfn would look valid, so they start at the zone's ends; and
// compact_init_migrate_pfn starts at NONE (no value yet), since the kernel's 0 is below every zone's first pfn and
// so makes no compaction whole-zone (compact_zone(): migrate_pfn <= compact_init_migrate_pfn) before the first
// __reset_isolation_suitable() sets it, where the model's 0 would for the zone starting at pfn 0.
export const compact_cached_free_pfn = new StaticArray<u32>(<i32>MAX_NR_ZONES);
export const compact_cached_migrate_pfn = new StaticArray<u32>(<i32>MAX_NR_ZONES * 2);
export const compact_init_migrate_pfn = new StaticArray<u32>(<i32>MAX_NR_ZONES);
export const compact_init_free_pfn = new StaticArray<u32>(<i32>MAX_NR_ZONES);
export const compact_considered = new StaticArray<u32>(<i32>MAX_NR_ZONES);
export const compact_defer_shift = new StaticArray<u32>(<i32>MAX_NR_ZONES);
export const compact_order_failed = new StaticArray<u32>(<i32>MAX_NR_ZONES);
export const compact_blockskip_flush = new StaticArray<bool>(<i32>MAX_NR_ZONES);

// PB_migrate_skip: one byte per pageblock
let skip_bits: usize = 0;
let skip_bits_len: u32 = 0;

export function compaction_init(nr_pageblocks: u32): void {
  if (skip_bits_len < nr_pageblocks) { skip_bits = arena_alloc(<usize>nr_pageblocks); skip_bits_len = nr_pageblocks; }
  if (fp_ring == 0) fp_ring = arena_alloc(<usize>(NR_PAGE_ORDERS * FREE_RING) << 2);
  memory.fill(skip_bits, 0, <usize>nr_pageblocks);
  for (let z = 0; z < <i32>MAX_NR_ZONES; z++) {
    reset_cached_positions(<u32>z);
    unchecked(compact_init_migrate_pfn[z] = NONE);
    unchecked(compact_init_free_pfn[z] = 0);
    unchecked(compact_considered[z] = 0);
    unchecked(compact_defer_shift[z] = 0);
    unchecked(compact_order_failed[z] = 0);
    unchecked(compact_blockskip_flush[z] = false);
  }
  for (let o: u32 = 0; o < NR_PAGE_ORDERS; o++) { unchecked(fp_first[o] = 0); unchecked(fp_len[o] = 0); }
  cc_nr_migrate_folios = 0;
}

@inline export function get_pageblock_skip(pfn: u32): bool { return load<u8>(skip_bits + <usize>(pfn >> pageblock_order)) != 0; }
@inline export function set_pageblock_skip(pfn: u32): void { store<u8>(skip_bits + <usize>(pfn >> pageblock_order), 1); }
@inline export function clear_pageblock_skip(pfn: u32): void { store<u8>(skip_bits + <usize>(pfn >> pageblock_order), 0); }

// mm/compaction.c: reset_cached_positions()
export function reset_cached_positions(z: u32): void {
  unchecked(compact_cached_migrate_pfn[2 * z] = unchecked(zone_start[z]));
  unchecked(compact_cached_migrate_pfn[2 * z + 1] = unchecked(zone_start[z]));
  unchecked(compact_cached_free_pfn[z] = pageblock_start_pfn(unchecked(zone_end[z]) - 1));
}

@inline export function pageblock_start_pfn(pfn: u32): u32 { return pfn & ~((<u32>1 << pageblock_order) - 1); }
/** pageblock_end_pfn(pfn) = ALIGN(pfn + 1, pageblock_nr_pages): the end of the block holding pfn (so a block's
 *  end pfn, which is the next block's start, gives the next block's end). */
@inline export function pageblock_end_pfn(pfn: u32): u32 { return pageblock_start_pfn(pfn) + (<u32>1 << pageblock_order); }
/** block_end_pfn(pfn, order) = ALIGN(pfn + 1, 1 << order) */
@inline export function block_end_pfn(pfn: u32, order: u32): u32 { return (pfn & ~((<u32>1 << order) - 1)) + (<u32>1 << order); }
@inline export function pageblock_aligned(pfn: u32): bool { return (pfn & ((<u32>1 << pageblock_order) - 1)) == 0; }

/** is_via_compact_memory(): order -1 (compact_memory, proactive compaction) */
@inline export function is_via_compact_memory(order: i32): bool { return order == -1; }

// mm/compaction.c: isolation_suitable()
@inline export function isolation_suitable(pfn: u32): bool { return cc.ignore_skip_hint || !get_pageblock_skip(pfn); }

/** The order of an allocated head of order >= 1 (a compound page: THP, large folio, slab), else 0. */
@inline export function compound_head_order(pfn: u32): u32 {
  const f = page_flags(pfn);
  return (f & (PG_owner | PG_head)) == (PG_owner | PG_head) ? page_order(pfn) : 0;
}

/** mm/compaction.c: freelist_scan_limit() */
@inline export function freelist_scan_limit(): u32 { return (COMPACT_CLUSTER_MAX >> min<u32>(63, cc.fast_search_fail)) + 1; }

/** CONFIG_DEBUG_VM for compaction, between compactions: no folio is left isolated for migration and no free page
 *  is left isolated as a target (a page held there is on no free list and in no allocation). 0, or
 *  INV_COMPACT_HELD. */
export const INV_COMPACT_HELD: i32 = 31;
export function check_compaction(): i32 {
  if (cc_nr_migrate_folios != 0 || cc.nr_migratepages != 0 || cc.nr_freepages != 0) return INV_COMPACT_HELD;
  for (let o: u32 = 0; o < NR_PAGE_ORDERS; o++) if (unchecked(fp_len[o]) != 0) return INV_COMPACT_HELD;
  return 0;
}
