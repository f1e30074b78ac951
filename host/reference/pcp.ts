// The reference's per-cpu page lists (one CPU): struct per_cpu_pages and the parts of mm/page_alloc.c that
// only touch it: zone_batchsize(), zone_highsize(), order_to_pindex(), nr_pcp_alloc(), nr_pcp_free(),
// free_pcppages_bulk(), drain_pages_zone(). high and batch are fixed (no 6.7+ auto-tuning), as in the core.
import {
  MIGRATE_MOVABLE,
  MIGRATE_PCPTYPES,
  NR_LOWORDER_PCP_LISTS,
  NR_PCP_LISTS,
  PAGE_ALLOC_COSTLY_ORDER,
  pageblock_order,
} from "../core/constants.js";
import { at, FPI_NONE, type MemMap, type Zone } from "./buddy.js";

/** struct per_cpu_pages: lists[pindex] hold PFNs, first entry = list head. count is in pages. */
export class PerCpuPages {
  count = 0;
  readonly lists: number[][] = Array.from({ length: NR_PCP_LISTS }, () => []);
  constructor(
    readonly high: number,
    readonly batch: number,
  ) {}

  list(pindex: number): number[] {
    return at(this.lists, pindex);
  }
}

// mm/page_alloc.c: zone_batchsize(): min(managed / 1024, 1 MiB of pages) / 4, as a 2^n - 1
export function zone_batchsize(managed: number): number {
  let batch = Math.min(Math.floor(managed / 1024), 256);
  batch = Math.floor(batch / 4);
  if (batch < 1) batch = 1;
  return 2 ** Math.floor(Math.log2(batch + Math.floor(batch / 2))) - 1;
}

/** zone_pcp_init(): enabled, high is zone_highsize() for one CPU (the low watermark, at least 4 batches);
 *  disabled, the boot pageset (high 0, batch 1). */
export function zone_pcp_init(zone: Zone, enabled: boolean): PerCpuPages {
  if (!enabled) return new PerCpuPages(0, 1);
  const batch = Math.max(1, zone_batchsize(zone.managed)); // zone_set_pageset_high_and_batch()
  return new PerCpuPages(Math.max(zone.watermark.low, batch * 4), batch);
}

// mm/page_alloc.c: pcp_allowed_order()
export const pcp_allowed_order = (order: number): boolean => order <= PAGE_ALLOC_COSTLY_ORDER || order === pageblock_order;

// mm/page_alloc.c: order_to_pindex() (the THP lists: UNMOVABLE and RECLAIMABLE share the first)
export function order_to_pindex(mt: number, order: number): number {
  if (order > PAGE_ALLOC_COSTLY_ORDER) return NR_LOWORDER_PCP_LISTS + (mt === MIGRATE_MOVABLE ? 1 : 0);
  return MIGRATE_PCPTYPES * order + mt;
}

// mm/page_alloc.c: pindex_to_order()
export const pindex_to_order = (pindex: number): number =>
  pindex >= NR_LOWORDER_PCP_LISTS ? pageblock_order : Math.floor(pindex / MIGRATE_PCPTYPES);

// mm/page_alloc.c: nr_pcp_alloc() (fixed batch: orders above 0 take batch >> order, at least 2)
export function nr_pcp_alloc(pcp: PerCpuPages, order: number): number {
  if (pcp.high < pcp.batch) return 1;
  return pcp.batch > 1 ? Math.max(pcp.batch >> order, 2) : pcp.batch;
}

// mm/page_alloc.c: nr_pcp_free() (free factor 0: one batch, leaving a batch on the lists)
export function nr_pcp_free(pcp: PerCpuPages): number {
  if (pcp.high < pcp.batch) return 1;
  return Math.min(pcp.batch, pcp.high - pcp.batch);
}

/** list_add() / list_add_tail() of a block onto a pcp list. */
export function pcp_list_add(mm: MemMap, pcp: PerCpuPages, pindex: number, pfn: number, order: number, tail: boolean): void {
  if (tail) pcp.list(pindex).push(pfn);
  else pcp.list(pindex).unshift(pfn);
  mm.pcp_order[pfn] = order;
  pcp.count += 1 << order;
}

/** list_del() of the list's block at position i. */
export function pcp_list_del(mm: MemMap, pcp: PerCpuPages, pindex: number, i: number): number {
  const list = pcp.list(pindex);
  const pfn = at(list, i);
  list.splice(i, 1);
  pcp.count -= 1 << at(mm.pcp_order, pfn);
  mm.pcp_order[pfn] = -1;
  return pfn;
}

// mm/page_alloc.c: free_pcppages_bulk(): `count` pages from the lists' tails, round-robin from pindex
export function free_pcppages_bulk(mm: MemMap, zone: Zone, count: number, pindex: number): void {
  const pcp = zone.pcp;
  count = Math.min(count, pcp.count);
  pindex = pindex - 1;
  while (count > 0) {
    do {
      if (++pindex > NR_PCP_LISTS - 1) pindex = 0;
    } while (pcp.list(pindex).length === 0);
    const order = pindex_to_order(pindex);
    do {
      const list = pcp.list(pindex);
      const pfn = pcp_list_del(mm, pcp, pindex, list.length - 1);
      count -= 1 << order;
      mm.__free_one_page(pfn, order, mm.get_pageblock_migratetype(pfn), FPI_NONE);
    } while (count > 0 && pcp.list(pindex).length > 0);
  }
}

// mm/page_alloc.c: drain_pages_zone()
export function drain_pages_zone(mm: MemMap, zone: Zone): void {
  if (zone.pcp.count > 0) free_pcppages_bulk(mm, zone, zone.pcp.count, 0);
}
