// The reference allocator's memory: per-page state, pageblock types, the zones' free lists, and the list
// and free-path primitives of mm/page_alloc.c (docs/allocator.md). Plain arrays, no cleverness: this is the
// oracle the WASM core is compared against, PFN for PFN.
import {
  MAX_NR_ZONES,
  MAX_PAGE_ORDER,
  MIGRATE_CMA,
  MIGRATE_HIGHATOMIC,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
  MIGRATE_PCPTYPES,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  NR_PAGE_ORDERS,
  pageblock_nr_pages,
  pageblock_order,
} from "../core/constants.js";
import type { MachineConfig } from "../core/machine-config.js";
import { __setup_per_zone_wmarks, setup_per_zone_lowmem_reserve } from "./watermarks.js";
import { PerCpuPages } from "./pcp.js";

// mm/internal.h: fpi_t
export const FPI_NONE = 0;
export const FPI_TO_TAIL = 1 << 1;

/** a[i], checked: the reference fails loudly rather than read past an array. */
export function at<T>(a: ArrayLike<T>, i: number): T {
  const v = a[i];
  if (v === undefined) throw new Error(`reference allocator: index ${i} out of range (length ${a.length})`);
  return v;
}

/** One zone: its span, free lists and counters (struct zone). */
export class Zone {
  /** free_area[order][mt]: buddy head PFNs, list head first. */
  readonly free_area: number[][][] = [];
  nr_free_pages = 0; // NR_FREE_PAGES
  nr_free_cma_pages = 0; // NR_FREE_CMA_PAGES
  nr_free_highatomic = 0;
  nr_reserved_highatomic = 0;
  watermark = { min: 0, low: 0, high: 0 };
  watermark_boost = 0;
  lowmem_reserve = [0, 0, 0];
  /** zone->flags & ZONE_BELOW_HIGH: an allocation found the zone under its high watermark (pcp.ts). */
  below_high = false;
  /** The one CPU's per_cpu_pages (pcp.ts), made at boot after the watermarks. */
  pcp!: PerCpuPages;

  constructor(
    readonly idx: number,
    readonly start_pfn: number,
    readonly managed: number,
  ) {
    for (let o = 0; o < NR_PAGE_ORDERS; o++) {
      const lists: number[][] = [];
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) lists.push([]);
      this.free_area.push(lists);
    }
  }

  /** free_area[order].free_list[mt] */
  list(order: number, mt: number): number[] {
    return at(at(this.free_area, order), mt);
  }

  get end_pfn(): number {
    return this.start_pfn + this.managed;
  }

  // include/linux/mmzone.h: zone_spans_pfn()
  spans(pfn: number): boolean {
    return pfn >= this.start_pfn && pfn < this.end_pfn;
  }
}

// include/linux/mmzone.h: migratetype_is_mergeable()
export const migratetype_is_mergeable = (mt: number): boolean => mt < MIGRATE_PCPTYPES;

/** struct page (the fields the allocator reads) for every PFN, the pageblock bitmap, and the zones. */
export class MemMap {
  readonly nr_pages: number;
  readonly grouping: boolean; // !page_group_by_mobility_disabled
  /** zones[idx], null when absent (empty). */
  readonly zones: (Zone | null)[] = [];
  /** Buddy order on the head of a free buddy (PageBuddy), else -1. */
  readonly buddy_order: Int8Array;
  /** Allocation order on every page of a live allocation, else -1. */
  readonly alloc_order: Int8Array;
  /** 1 on the head page of a live allocation. */
  readonly alloc_head: Uint8Array;
  /** The allocation's gfp_migratetype() on every page of it (page_owner). */
  readonly alloc_mt: Uint8Array;
  /** PG_lru on every page of an allocation made with GFP_LRU. */
  readonly lru: Uint8Array;
  /** One migratetype per pageblock. */
  readonly pageblock_mt: Uint8Array;
  /** Order on the head of a block on a per-cpu list, else -1. */
  readonly pcp_order: Int8Array;

  constructor(readonly config: MachineConfig) {
    const c = config;
    this.nr_pages = c.dma32Pages + c.normalPages + c.movablePages;
    this.grouping = c.mobilityGrouping;
    this.buddy_order = new Int8Array(this.nr_pages).fill(-1);
    this.alloc_order = new Int8Array(this.nr_pages).fill(-1);
    this.alloc_head = new Uint8Array(this.nr_pages);
    this.alloc_mt = new Uint8Array(this.nr_pages);
    this.lru = new Uint8Array(this.nr_pages);
    this.pageblock_mt = new Uint8Array(this.nr_pages / pageblock_nr_pages);
    this.pcp_order = new Int8Array(this.nr_pages).fill(-1);
    let start = 0;
    for (const size of [c.dma32Pages, c.normalPages, c.movablePages]) {
      this.zones.push(size > 0 ? new Zone(this.zones.length, start, size) : null);
      start += size;
    }
    this.boot(c);
  }

  // mm/mm_init.c: memmap_init(), memblock_free_all(), init_cma_reserved_pageblock(), then
  // mm/page_alloc.c: __setup_per_zone_wmarks() (after khugepaged's raise when THP is on),
  // setup_per_zone_lowmem_reserve(), zone_pcp_init()
  private boot(c: MachineConfig): void {
    for (let pfn = 0; pfn < this.nr_pages; pfn += pageblock_nr_pages) this.set_pageblock_migratetype(pfn, MIGRATE_MOVABLE);
    const cmaStart = c.dma32Pages + c.normalPages - c.cmaPages;
    for (let pfn = cmaStart; pfn < cmaStart + c.cmaPages; pfn += pageblock_nr_pages) this.set_pageblock_migratetype(pfn, MIGRATE_CMA);
    for (const zone of this.zones) {
      if (!zone) continue;
      for (let pfn = zone.start_pfn; pfn < zone.end_pfn; ) {
        let order = MAX_PAGE_ORDER;
        while (pfn % (1 << order) !== 0 || pfn + (1 << order) > zone.end_pfn) order--;
        this.split_large_buddy(pfn, order, FPI_TO_TAIL); // __free_pages_core() -> __free_pages_ok()
        pfn += 1 << order;
      }
    }
    const managed = this.zones.map((z) => (z ? z.managed : 0));
    const wmarks = __setup_per_zone_wmarks(managed, c.thp);
    const reserve = setup_per_zone_lowmem_reserve(managed);
    for (let i = 0; i < MAX_NR_ZONES; i++) {
      const zone = this.zones[i];
      if (!zone) continue;
      zone.watermark = at(wmarks, i);
      zone.lowmem_reserve = at(reserve, i);
      // setup_zone_pageset(): the boot pageset's high 0 and batch 1, then the zone's own unless disabled
      zone.pcp = new PerCpuPages(this, zone);
      if (c.pcp) zone.pcp.zone_set_pageset_high_and_batch();
    }
  }

  zone_of(pfn: number): Zone {
    for (const zone of this.zones) if (zone && zone.spans(pfn)) return zone;
    throw new Error(`reference allocator: PFN ${pfn} is in no zone`);
  }

  // mm/page_alloc.c: get_pfnblock_migratetype()
  get_pageblock_migratetype(pfn: number): number {
    return at(this.pageblock_mt, Math.floor(pfn / pageblock_nr_pages));
  }

  // mm/page_alloc.c: set_pageblock_migratetype()
  set_pageblock_migratetype(pfn: number, mt: number): void {
    if (!this.grouping && mt < MIGRATE_PCPTYPES) mt = MIGRATE_UNMOVABLE;
    this.pageblock_mt[Math.floor(pfn / pageblock_nr_pages)] = mt;
  }

  // mm/page_alloc.c: change_pageblock_range()
  change_pageblock_range(pfn: number, start_order: number, mt: number): void {
    for (let i = 0; i < 1 << (start_order - pageblock_order); i++) this.set_pageblock_migratetype(pfn + i * pageblock_nr_pages, mt);
  }

  // mm/page_alloc.c: account_freepages()
  account_freepages(zone: Zone, nr_pages: number, mt: number): void {
    if (mt === MIGRATE_ISOLATE) return;
    zone.nr_free_pages += nr_pages;
    if (mt === MIGRATE_CMA) zone.nr_free_cma_pages += nr_pages;
    else if (mt === MIGRATE_HIGHATOMIC) zone.nr_free_highatomic += nr_pages;
  }

  // mm/page_alloc.c: __add_to_free_list() + set_buddy_order()
  __add_to_free_list(pfn: number, zone: Zone, order: number, mt: number, tail: boolean): void {
    const list = zone.list(order, mt);
    if (tail) list.push(pfn);
    else list.unshift(pfn);
    this.buddy_order[pfn] = order;
  }

  // mm/page_alloc.c: __del_page_from_free_list() (clears PageBuddy; no accounting)
  __del_page_from_free_list(pfn: number, zone: Zone, order: number, mt: number): void {
    const list = zone.list(order, mt);
    const i = list.indexOf(pfn);
    if (i < 0) throw new Error(`reference allocator: PFN ${pfn} is not on free list (${zone.idx} ${order} ${mt})`);
    list.splice(i, 1);
    this.buddy_order[pfn] = -1;
  }

  // mm/page_alloc.c: del_page_from_free_list()
  del_page_from_free_list(pfn: number, zone: Zone, order: number, mt: number): void {
    this.__del_page_from_free_list(pfn, zone, order, mt);
    this.account_freepages(zone, -(1 << order), mt);
  }

  // mm/page_alloc.c: move_to_free_list() (list_move_tail)
  move_to_free_list(pfn: number, zone: Zone, order: number, old_mt: number, new_mt: number): void {
    const list = zone.list(order, old_mt);
    const i = list.indexOf(pfn);
    if (i < 0) throw new Error(`reference allocator: PFN ${pfn} is not on free list (${zone.idx} ${order} ${old_mt})`);
    list.splice(i, 1);
    zone.list(order, new_mt).push(pfn);
    this.account_freepages(zone, -(1 << order), old_mt);
    this.account_freepages(zone, 1 << order, new_mt);
  }

  // mm/page_alloc.c: page_is_buddy() via find_buddy_page_pfn(): a free buddy of exactly this order, same zone
  page_is_buddy(pfn: number, buddy_pfn: number, order: number): boolean {
    if (buddy_pfn < 0 || buddy_pfn >= this.nr_pages) return false;
    if (at(this.buddy_order, buddy_pfn) !== order) return false;
    return this.zone_of(buddy_pfn) === this.zone_of(pfn);
  }

  // mm/page_alloc.c: buddy_merge_likely()
  buddy_merge_likely(pfn: number, buddy_pfn: number, order: number): boolean {
    if (order >= MAX_PAGE_ORDER - 1) return false;
    const higher_page_pfn = buddy_pfn & pfn;
    return this.page_is_buddy(higher_page_pfn, higher_page_pfn ^ (1 << (order + 1)), order + 1);
  }

  // mm/page_alloc.c: __free_one_page()
  __free_one_page(pfn: number, order: number, mt: number, fpi: number): void {
    const zone = this.zone_of(pfn);
    this.account_freepages(zone, 1 << order, mt);
    let buddy_pfn = pfn ^ (1 << order);
    while (order < MAX_PAGE_ORDER) {
      buddy_pfn = pfn ^ (1 << order);
      if (!this.page_is_buddy(pfn, buddy_pfn, order)) break;
      let buddy_mt = mt;
      if (order >= pageblock_order) {
        buddy_mt = this.get_pageblock_migratetype(buddy_pfn);
        if (mt !== buddy_mt && (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(buddy_mt))) break;
      }
      this.__del_page_from_free_list(buddy_pfn, zone, order, buddy_mt);
      if (buddy_mt !== mt) this.set_pageblock_migratetype(buddy_pfn, mt);
      pfn &= buddy_pfn;
      order++;
    }
    const to_tail = (fpi & FPI_TO_TAIL) !== 0 || this.buddy_merge_likely(pfn, buddy_pfn, order);
    this.__add_to_free_list(pfn, zone, order, mt, to_tail);
  }

  // mm/page_alloc.c: split_large_buddy() (free_one_page() is this under zone->lock)
  split_large_buddy(pfn: number, order: number, fpi: number): void {
    const end = pfn + (1 << order);
    if (order > pageblock_order) order = pageblock_order;
    for (; pfn < end; pfn += 1 << order) this.__free_one_page(pfn, order, this.get_pageblock_migratetype(pfn), fpi);
  }

  // mm/page_alloc.c: free_pages_prepare() + page_owner's __reset_page_owner(): the allocation's pages are
  // plain free pages again (the caller checked that pfn heads a live allocation of this order)
  free_pages_prepare(pfn: number, order: number): void {
    for (let p = pfn; p < pfn + (1 << order); p++) {
      this.alloc_order[p] = -1;
      this.alloc_head[p] = 0;
      this.alloc_mt[p] = 0;
      this.lru[p] = 0;
    }
  }

  // mm/page_alloc.c: prep_new_page() + page_owner's set_page_owner(); lru: the caller's folio_add_lru()
  prep_new_page(pfn: number, order: number, mt: number, lru: boolean): void {
    for (let p = pfn; p < pfn + (1 << order); p++) {
      this.alloc_order[p] = order;
      this.alloc_mt[p] = mt;
      this.lru[p] = lru ? 1 : 0;
    }
    this.alloc_head[pfn] = 1;
  }

  // mm/page_alloc.c: expand() (upper halves to the head of their list; returns the pages added)
  expand(zone: Zone, pfn: number, low: number, high: number, mt: number): number {
    let nr_added = 0;
    while (high > low) {
      high--;
      this.__add_to_free_list(pfn + (1 << high), zone, high, mt, false);
      nr_added += 1 << high;
    }
    return nr_added;
  }

  // mm/page_alloc.c: page_del_and_expand()
  page_del_and_expand(zone: Zone, pfn: number, low: number, high: number, mt: number): void {
    this.__del_page_from_free_list(pfn, zone, high, mt);
    const nr_pages = (1 << high) - this.expand(zone, pfn, low, high, mt);
    this.account_freepages(zone, -nr_pages, mt);
  }

  // mm/page_alloc.c: __rmqueue_smallest() (-1 when no list of mt from order up has a page)
  __rmqueue_smallest(zone: Zone, order: number, mt: number): number {
    for (let current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
      const list = zone.list(current_order, mt);
      if (list.length === 0) continue;
      const pfn = at(list, 0);
      this.page_del_and_expand(zone, pfn, order, current_order, mt);
      return pfn;
    }
    return -1;
  }

  // mm/page_alloc.c: prep_move_freepages_block() (null when the block straddles the zone's edge)
  prep_move_freepages_block(zone: Zone, pfn: number): { start_pfn: number; free: number; movable: number } | null {
    const start = pfn - (pfn % pageblock_nr_pages);
    const end = start + pageblock_nr_pages;
    if (!zone.spans(start) || !zone.spans(end - 1)) return null;
    let free = 0;
    let movable = 0;
    for (let p = start; p < end; ) {
      const order = at(this.buddy_order, p);
      if (order >= 0) {
        free += 1 << order;
        p += 1 << order;
        continue;
      }
      if (at(this.lru, p)) movable++;
      p++;
    }
    return { start_pfn: start, free, movable };
  }

  // mm/page_alloc.c: __move_freepages_block() (buddies in ascending PFN order to the tail; retype the block)
  __move_freepages_block(zone: Zone, start_pfn: number, old_mt: number, new_mt: number): number {
    let pages_moved = 0;
    for (let p = start_pfn; p < start_pfn + pageblock_nr_pages; ) {
      const order = at(this.buddy_order, p);
      if (order < 0) {
        p++;
        continue;
      }
      this.move_to_free_list(p, zone, order, old_mt, new_mt);
      p += 1 << order;
      pages_moved += 1 << order;
    }
    this.set_pageblock_migratetype(start_pfn, new_mt);
    return pages_moved;
  }

  // mm/page_alloc.c: move_freepages_block() (-1 when the block straddles the zone's edge)
  move_freepages_block(zone: Zone, pfn: number, old_mt: number, new_mt: number): number {
    const prep = this.prep_move_freepages_block(zone, pfn);
    if (!prep) return -1;
    return this.__move_freepages_block(zone, prep.start_pfn, old_mt, new_mt);
  }
}
