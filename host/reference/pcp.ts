// The reference's per-cpu page lists (one CPU): struct per_cpu_pages and the parts of mm/page_alloc.c (6.15)
// that only touch it: zone_batchsize(), zone_highsize(), order_to_pindex(), nr_pcp_alloc(), nr_pcp_high(),
// nr_pcp_free(), free_pcppages_bulk(), decay_pcp_high(), drain_pages_zone(). pcp->high is tuned between
// high_min and high_max as 6.7+ does (alloc_factor, free_count, free_high), as in the core; the reference has
// no kswapd, so never ZONE_RECLAIM_ACTIVE.
import {
  MIGRATE_MOVABLE,
  MIGRATE_PCPTYPES,
  NR_LOWORDER_PCP_LISTS,
  NR_PCP_LISTS,
  PAGE_ALLOC_COSTLY_ORDER,
  pageblock_order,
} from "../core/constants.js";
import { at, FPI_NONE, type MemMap, type Zone } from "./buddy.js";

// include/linux/mmzone.h: pcp->flags
export const PCPF_PREV_FREE_HIGH_ORDER = 1 << 0;
export const PCPF_FREE_HIGH_BATCH = 1 << 1;
/** mm/Kconfig: PCP_BATCH_SCALE_MAX (default 5) */
export const CONFIG_PCP_BATCH_SCALE_MAX = 5;
/** mm/page_alloc.c: MIN_PERCPU_PAGELIST_HIGH_FRACTION */
const MIN_PERCPU_PAGELIST_HIGH_FRACTION = 8;
/** The modelled CPU's cacheinfo per_cpu_data_slice_size in pages (1 MiB), as the core's (assembly/mm/pcp.ts). */
const PER_CPU_DATA_SLICE_PAGES = 256;

/** struct per_cpu_pages: lists[pindex] hold PFNs, first entry = list head. count is in pages; high is 0 until
 *  first clamped into [high_min, high_max] (per_cpu_pages_init() zeroes it). */
export class PerCpuPages {
  count = 0;
  high = 0;
  free_count = 0;
  alloc_factor = 0;
  flags = 0;
  readonly lists: number[][] = Array.from({ length: NR_PCP_LISTS }, () => []);
  constructor(
    readonly high_min: number,
    readonly high_max: number,
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

// mm/page_alloc.c: zone_highsize() for one CPU: the low watermark (high_fraction 0) or managed / high_fraction,
// at least 4 batches
function zone_highsize(zone: Zone, batch: number, high_fraction: number): number {
  const total = high_fraction === 0 ? zone.watermark.low : Math.floor(zone.managed / high_fraction);
  return Math.max(total, batch * 4);
}

/** zone_pcp_init() + zone_set_pageset_high_and_batch() + zone_pcp_update_cacheinfo(): enabled, high_min from
 *  the low watermark and high_max from an eighth of the zone; disabled, the boot pageset (high_min = high_max =
 *  0, batch 1). */
export function zone_pcp_init(zone: Zone, enabled: boolean): PerCpuPages {
  if (!enabled) return new PerCpuPages(0, 0, 1);
  const batch = Math.max(1, zone_batchsize(zone.managed));
  const pcp = new PerCpuPages(zone_highsize(zone, batch, 0), zone_highsize(zone, batch, MIN_PERCPU_PAGELIST_HIGH_FRACTION), batch);
  if (PER_CPU_DATA_SLICE_PAGES > 3 * batch) pcp.flags |= PCPF_FREE_HIGH_BATCH;
  return pcp;
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

/** pcp->high = clamp(pcp->high, high_min, high_max) */
function clamp_high(pcp: PerCpuPages): number {
  pcp.high = Math.min(Math.max(pcp.high, pcp.high_min), pcp.high_max);
  return pcp.high;
}

// mm/page_alloc.c: nr_pcp_alloc(): blocks per refill; alloc_factor doubles consecutive order-0 refills, and a
// zone not below its high watermark raises pcp->high by the batch
export function nr_pcp_alloc(pcp: PerCpuPages, zone: Zone, order: number): number {
  const base_batch = pcp.batch;
  let high = clamp_high(pcp);
  if (high < base_batch) return 1;
  let batch = order ? base_batch : base_batch << pcp.alloc_factor;
  if (pcp.high_min !== pcp.high_max && !zone.below_high) high = pcp.high = Math.min(high + batch, pcp.high_max);
  if (!order) {
    const max_nr_alloc = Math.max(high - pcp.count - base_batch, base_batch);
    if (batch <= max_nr_alloc && pcp.alloc_factor < CONFIG_PCP_BATCH_SCALE_MAX) pcp.alloc_factor++;
    batch = Math.min(batch, max_nr_alloc);
  }
  if (batch > 1) batch = Math.max(batch >> order, 2);
  return batch;
}

// mm/page_alloc.c: nr_pcp_free(): free_high frees all (up to batch << 5); else clamp(free_count, batch, high - batch)
export function nr_pcp_free(pcp: PerCpuPages, batch: number, high: number, free_high: boolean): number {
  if (free_high) return Math.min(pcp.count, batch << CONFIG_PCP_BATCH_SCALE_MAX);
  if (high < batch) return 1;
  return Math.min(Math.max(pcp.free_count, batch), high - batch);
}

// mm/page_alloc.c: nr_pcp_high() (no ZONE_RECLAIM_ACTIVE: the reference has no kswapd)
export function nr_pcp_high(pcp: PerCpuPages, zone: Zone, batch: number, free_high: boolean): number {
  let high = clamp_high(pcp);
  if (!high) return 0;
  if (free_high) {
    pcp.high = Math.max(high - (batch << CONFIG_PCP_BATCH_SCALE_MAX), pcp.high_min);
    return 0;
  }
  if (pcp.high_min === pcp.high_max) return high;
  if (zone.below_high) {
    pcp.high = Math.max(high - Math.max(pcp.free_count, batch), pcp.high_min);
    high = Math.max(pcp.count, pcp.high_min);
  } else if (pcp.count >= high) {
    const need_high = pcp.free_count + batch;
    if (pcp.high < need_high) pcp.high = Math.min(Math.max(need_high, pcp.high_min), pcp.high_max);
  }
  return high;
}

// mm/page_alloc.c: decay_pcp_high(): high loses an eighth (not below high_min, nor more than batch << 5 under
// the count); what the lists hold above it goes back a batch at a time, each from pindex 0
export function decay_pcp_high(mm: MemMap, zone: Zone): void {
  const pcp = zone.pcp;
  if (pcp.high > pcp.high_min)
    pcp.high = Math.max(pcp.count - (pcp.batch << CONFIG_PCP_BATCH_SCALE_MAX), pcp.high - (pcp.high >> 3), pcp.high_min);
  let to_drain = pcp.count - pcp.high;
  while (to_drain > 0) {
    const n = Math.min(to_drain, pcp.batch);
    free_pcppages_bulk(mm, zone, n, 0);
    to_drain -= n;
  }
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
