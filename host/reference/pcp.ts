// The reference's per-cpu page lists: struct per_cpu_pages for one CPU and the mm/page_alloc.c functions that
// work on it, written from the kernel's text (6.15 for the allocation and free paths, rmqueue_mode included;
// zone_batchsize() and zone_highsize() as they read since 5.14). Not from the core: the core keeps each list
// as a ring of PFNs and folds these functions into its allocator; here, as in the kernel, every page carries
// its own list_head (pcp_list) and each list is circular with a sentinel head, and the functions keep the
// kernel's split and arguments.
//
// pcp->high is tuned as 6.7+ does (docs/allocator.md, "Per-cpu lists"): between high_min (the low watermark)
// and high_max (an eighth of the zone), with alloc_factor, free_count, free_high (PCPF_PREV_FREE_HIGH_ORDER),
// ZONE_BELOW_HIGH (set by get_page_from_freelist(), allocator.ts) and decay_pcp_high(). Left out, each at the
// line where the kernel has it: ZONE_RECLAIM_ACTIVE (the reference has no kswapd) and the pcp trylock failure
// (one CPU, nothing contends).
import {
  MIGRATE_MOVABLE,
  MIGRATE_PCPTYPES,
  NR_LOWORDER_PCP_LISTS,
  NR_PCP_LISTS,
  PAGE_ALLOC_COSTLY_ORDER,
  pageblock_order,
  ZONE_MOVABLE,
} from "../core/constants.js";
import { FPI_NONE, type MemMap, type Zone } from "./buddy.js";
import { __zone_watermark_ok } from "./watermarks.js";

// mm/page_alloc.c: BOOT_PAGESET_HIGH, BOOT_PAGESET_BATCH ("effectively disable the pcplists")
const BOOT_PAGESET_HIGH = 0;
const BOOT_PAGESET_BATCH = 1;
// include/linux/mmzone.h: pcp->flags
export const PCPF_PREV_FREE_HIGH_ORDER = 1 << 0;
export const PCPF_FREE_HIGH_BATCH = 1 << 1;
/** mm/Kconfig: PCP_BATCH_SCALE_MAX (default 5) */
export const CONFIG_PCP_BATCH_SCALE_MAX = 5;
/** mm/page_alloc.c: MIN_PERCPU_PAGELIST_HIGH_FRACTION */
const MIN_PERCPU_PAGELIST_HIGH_FRACTION = 8;
/** The modelled CPU's cacheinfo per_cpu_data_slice_size in pages (1 MiB), as the core's (assembly/mm/pcp.ts). */
const PER_CPU_DATA_SLICE_PAGES = 256;
/** HPAGE_PMD_ORDER on x86-64: the one high order the lists cache. */
const HPAGE_PMD_ORDER = pageblock_order;

// mm/page_alloc.c: pcp_allowed_order()
export function pcp_allowed_order(order: number): boolean {
  if (order <= PAGE_ALLOC_COSTLY_ORDER) return true;
  return order === HPAGE_PMD_ORDER; // CONFIG_TRANSPARENT_HUGEPAGE
}

// mm/page_alloc.c: order_to_pindex() (two THP lists since "add movable THP list": movable and the rest)
export function order_to_pindex(migratetype: number, order: number): number {
  if (order > PAGE_ALLOC_COSTLY_ORDER) {
    const movable = migratetype === MIGRATE_MOVABLE ? 1 : 0;
    return NR_LOWORDER_PCP_LISTS + movable;
  }
  return MIGRATE_PCPTYPES * order + migratetype;
}

// mm/page_alloc.c: pindex_to_order()
export function pindex_to_order(pindex: number): number {
  let order = Math.floor(pindex / MIGRATE_PCPTYPES);
  if (pindex >= NR_LOWORDER_PCP_LISTS) order = HPAGE_PMD_ORDER;
  return order;
}

// mm/page_alloc.c: zone_batchsize(): ~0.1 % of the zone or 1 MiB, whichever is smaller, as a 2^n - 1
export function zone_batchsize(managed_pages: number): number {
  let batch = Math.min(managed_pages >> 10, (1024 * 1024) / 4096);
  batch = Math.floor(batch / 4); // "We effectively *= 4 below"
  if (batch < 1) batch = 1;
  return rounddown_pow_of_two(batch + Math.floor(batch / 2)) - 1;
}

function rounddown_pow_of_two(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

// mm/page_alloc.c: zone_highsize(): the low watermark (high_fraction 0) or managed / high_fraction, split over
// the CPUs of the zone's node (cpumask_weight() + cpu_online: one CPU here), at least four batches
export function zone_highsize(zone: Zone, batch: number, cpu_online: number, high_fraction: number): number {
  const total_pages = high_fraction === 0 ? zone.watermark.low : Math.floor(zone.managed / high_fraction);
  let nr_split_cpus = 1 + cpu_online;
  if (!nr_split_cpus) nr_split_cpus = 1;
  const high = Math.floor(total_pages / nr_split_cpus);
  return Math.max(high, batch << 2);
}

/** enum rmqueue_mode (6.15), shared by every __rmqueue() call of one rmqueue_bulk(). */
export interface RmqueueMode { m: number }
const RMQUEUE_NORMAL = 0; // the other modes are the buddy side's (allocator.ts)

/** What the per-cpu code calls under zone->lock: the buddy allocator's __rmqueue(). */
export type RmqueueFn = (order: number, migratetype: number, alloc_flags: number, mode: RmqueueMode) => number;

/** struct per_cpu_pages of one zone on the one CPU. */
export class PerCpuPages {
  /** Pages on all lists (not counted in NR_FREE_PAGES). */
  count = 0;
  /** 0 until the first use clamps it into [high_min, high_max] (per_cpu_pages_init() zeroes the struct). */
  high = 0;
  high_min = BOOT_PAGESET_HIGH;
  high_max = BOOT_PAGESET_HIGH;
  batch = BOOT_PAGESET_BATCH;
  /** Pages freed since allocations last halved it (sizes what a full list gives back). */
  free_count = 0;
  /** Doublings of the order-0 refill batch (consecutive refills raise it, each free halves it). */
  alloc_factor = 0;
  /** Before 6.7 (config.pcpAutoTune false): doublings of what a full list gives back (each give-back raises it,
   *  each allocation halves it). */
  free_factor = 0;
  flags = 0;
  // struct list_head, embedded: slot (pfn - start_pfn) is that page's pcp_list, slot span + pindex the
  // sentinel head of lists[pindex]. Empty list: the head points at itself.
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly span: number;

  constructor(
    private readonly mm: MemMap,
    private readonly zone: Zone,
  ) {
    this.span = zone.managed;
    this.next = new Int32Array(this.span + NR_PCP_LISTS);
    this.prev = new Int32Array(this.span + NR_PCP_LISTS);
    // per_cpu_pages_init(): INIT_LIST_HEAD() for every list, the boot pageset's high and batch
    for (let pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
      const head = this.span + pindex;
      this.next[head] = head;
      this.prev[head] = head;
    }
  }

  // mm/page_alloc.c: zone_set_pageset_high_and_batch() + pageset_update() (cpu_online 0, as at boot;
  // percpu_pagelist_high_fraction 0), then zone_pcp_update_cacheinfo()'s PCPF_FREE_HIGH_BATCH
  zone_set_pageset_high_and_batch(): void {
    const new_batch = Math.max(1, zone_batchsize(this.zone.managed));
    this.high_min = zone_highsize(this.zone, new_batch, 0, 0);
    this.high_max = zone_highsize(this.zone, new_batch, 0, MIN_PERCPU_PAGELIST_HIGH_FRACTION);
    this.batch = new_batch;
    if (!this.mm.config.pcpAutoTune) {
      // 6.1's pageset_update(): one fixed high, zone_highsize() of the low watermark; no cache-size flag
      this.high = this.high_max = this.high_min;
      return;
    }
    if (PER_CPU_DATA_SLICE_PAGES > 3 * new_batch) this.flags |= PCPF_FREE_HIGH_BATCH;
    else this.flags &= ~PCPF_FREE_HIGH_BATCH;
  }

  /** pcp->high = clamp(pcp->high, high_min, high_max) */
  private clamp_high(): number {
    this.high = Math.min(Math.max(this.high, this.high_min), this.high_max);
    return this.high;
  }

  // ---- include/linux/list.h, on page slots -------------------------------------------------------------

  private slot(pfn: number): number { return pfn - this.zone.start_pfn; }
  private pfn(slot: number): number { return slot + this.zone.start_pfn; }
  private head(pindex: number): number { return this.span + pindex; }

  private __list_add(entry: number, prev: number, next: number): void {
    this.prev[next] = entry;
    this.next[entry] = next;
    this.prev[entry] = prev;
    this.next[prev] = entry;
  }
  private list_add(pfn: number, pindex: number, order: number): void {
    const head = this.head(pindex);
    this.__list_add(this.slot(pfn), head, this.next[head]!);
    this.mm.pcp_order[pfn] = order; // the page is on a pcp list, of this order (the checker's view of it)
  }
  private list_add_tail(pfn: number, pindex: number, order: number): void {
    const head = this.head(pindex);
    this.__list_add(this.slot(pfn), this.prev[head]!, head);
    this.mm.pcp_order[pfn] = order;
  }
  private list_del(pfn: number): void {
    const entry = this.slot(pfn);
    const prev = this.prev[entry]!, next = this.next[entry]!;
    this.next[prev] = next;
    this.prev[next] = prev;
    this.mm.pcp_order[pfn] = -1;
  }
  private list_empty(pindex: number): boolean {
    const head = this.head(pindex);
    return this.next[head] === head;
  }
  private list_first_entry(pindex: number): number { return this.pfn(this.next[this.head(pindex)]!); }
  private list_last_entry(pindex: number): number { return this.pfn(this.prev[this.head(pindex)]!); }

  /** lists[pindex], head to tail, as PFNs (for the views and the checker). */
  list(pindex: number): number[] {
    const out: number[] = [];
    const head = this.head(pindex);
    for (let e = this.next[head]!; e !== head; e = this.next[e]!) out.push(this.pfn(e));
    return out;
  }

  // ---- allocation --------------------------------------------------------------------------------------

  // mm/page_alloc.c: rmqueue_pcplist(): an allocation halves free_count ("reduce the number of pages that are
  // batch freed"); the list of (migratetype, order), refilled by __rmqueue_pcplist() when empty
  rmqueue_pcplist(order: number, migratetype: number, alloc_flags: number, __rmqueue: RmqueueFn): number {
    if (this.mm.config.pcpAutoTune) this.free_count >>= 1;
    else this.free_factor >>= 1; // 6.1: "On allocation, reduce the number of pages that are batch freed"
    const pindex = order_to_pindex(migratetype, order);
    return this.__rmqueue_pcplist(order, migratetype, alloc_flags, pindex, __rmqueue);
  }

  // mm/page_alloc.c: __rmqueue_pcplist(): refill an empty list with nr_pcp_alloc() blocks, take its first
  private __rmqueue_pcplist(order: number, migratetype: number, alloc_flags: number, pindex: number, __rmqueue: RmqueueFn): number {
    if (this.list_empty(pindex)) {
      const batch = this.nr_pcp_alloc(order);
      const alloced = this.rmqueue_bulk(order, batch, pindex, migratetype, alloc_flags, __rmqueue);
      this.count += alloced << order;
      if (this.list_empty(pindex)) return -1;
    }
    const page = this.list_first_entry(pindex);
    this.list_del(page);
    this.count -= 1 << order;
    return page;
  }

  // mm/page_alloc.c: nr_pcp_alloc() (6.7+): consecutive order-0 refills double the batch (alloc_factor); "if
  // we had larger pcp->high, we could avoid to allocate from zone": a zone not below its high watermark
  // raises pcp->high by the batch
  private nr_pcp_alloc(order: number): number {
    const base_batch = this.batch;
    // 6.1's __rmqueue_pcplist(): a batch, scaled by order unless it is 1
    if (!this.mm.config.pcpAutoTune) return base_batch > 1 ? Math.max(base_batch >> order, 2) : base_batch;
    let high = this.clamp_high();
    if (high < base_batch) return 1; // PCP disabled or boot pageset
    let batch = order ? base_batch : base_batch << this.alloc_factor;
    if (this.high_min !== this.high_max && !this.zone.below_high) high = this.high = Math.min(high + batch, this.high_max);
    if (!order) {
      const max_nr_alloc = Math.max(high - this.count - base_batch, base_batch);
      // "Double the number of pages allocated each time there is subsequent allocation of order-0 pages"
      if (batch <= max_nr_alloc && this.alloc_factor < CONFIG_PCP_BATCH_SCALE_MAX) this.alloc_factor++;
      batch = Math.min(batch, max_nr_alloc);
    }
    // scale by order when the lists may hold free pages; batch 1 (small zones, boot pagesets) must not
    if (batch > 1) batch = Math.max(batch >> order, 2);
    return batch;
  }

  // mm/page_alloc.c: rmqueue_bulk(): up to count blocks from the buddy lists, each to the list's tail, with
  // one rmqueue_mode for the whole refill (6.15); returns how many
  private rmqueue_bulk(order: number, count: number, pindex: number, migratetype: number, alloc_flags: number, __rmqueue: RmqueueFn): number {
    const rmqm: RmqueueMode = { m: RMQUEUE_NORMAL };
    let i = 0;
    for (; i < count; ++i) {
      const page = __rmqueue(order, migratetype, alloc_flags, rmqm);
      if (page < 0) break;
      this.list_add_tail(page, pindex, order);
    }
    return i;
  }

  // ---- free --------------------------------------------------------------------------------------------

  // mm/page_alloc.c: free_frozen_page_commit() (6.15; free_unref_page_commit() before 6.14): onto the list's
  // head; consecutive frees of orders 1..3 set free_high; past nr_pcp_high() give nr_pcp_free() pages back,
  // and a zone back above its high watermark clears ZONE_BELOW_HIGH
  free_frozen_page_commit(pfn: number, migratetype: number, order: number): void {
    if (!this.mm.config.pcpAutoTune) { this.free_unref_page_commit_61(pfn, migratetype, order); return; }
    this.alloc_factor >>= 1; // "On freeing, reduce the number of pages that are batch allocated"
    const pindex = order_to_pindex(migratetype, order);
    this.list_add(pfn, pindex, order);
    this.count += 1 << order;
    const batch = this.batch;
    let free_high = false;
    if (order && order <= PAGE_ALLOC_COSTLY_ORDER) {
      // 6.16+: batch + high_min / 2 ("mm: pcp: increase pcp->free_count threshold to trigger free_high")
      const threshold = this.mm.config.freeHighHighMin ? batch + (this.high_min >> 1) : batch;
      free_high =
        this.free_count >= threshold &&
        (this.flags & PCPF_PREV_FREE_HIGH_ORDER) !== 0 &&
        (!(this.flags & PCPF_FREE_HIGH_BATCH) || this.count >= batch);
      this.flags |= PCPF_PREV_FREE_HIGH_ORDER;
    } else if (this.flags & PCPF_PREV_FREE_HIGH_ORDER) {
      this.flags &= ~PCPF_PREV_FREE_HIGH_ORDER;
    }
    if (this.free_count < batch << CONFIG_PCP_BATCH_SCALE_MAX) this.free_count += 1 << order;
    const high = this.nr_pcp_high(batch, free_high);
    if (this.count >= high) {
      this.free_pcppages_bulk(this.nr_pcp_free(batch, high, free_high), pindex);
      const zone = this.zone; // zone_watermark_ok(zone, 0, high_wmark_pages(zone), ZONE_MOVABLE, 0)
      if (zone.below_high && __zone_watermark_ok(zone, 0, zone.watermark.high + zone.watermark_boost, ZONE_MOVABLE, 0)) zone.below_high = false;
    }
  }

  // mm/page_alloc.c (6.1): free_unref_page_commit(): onto the list's head; an order 1-3 free while free_factor is
  // up gives everything back (free_high); else at high, batch << free_factor (nr_pcp_free(), which raises
  // free_factor while that stays under high - batch), at least a batch left. (ZONE_RECLAIM_ACTIVE's cap of four
  // batches: never, the reference has no kswapd)
  private free_unref_page_commit_61(pfn: number, migratetype: number, order: number): void {
    const pindex = order_to_pindex(migratetype, order);
    this.list_add(pfn, pindex, order);
    this.count += 1 << order;
    const free_high = this.free_factor !== 0 && order !== 0 && order <= PAGE_ALLOC_COSTLY_ORDER;
    const high = !this.high || free_high ? 0 : this.high;
    if (this.count < high) return;
    const batch = this.batch;
    let nr: number;
    if (free_high) nr = this.count;
    else if (high < batch) nr = 1;
    else {
      const min_nr_free = batch, max_nr_free = high - batch;
      const b = batch << this.free_factor;
      if (b < max_nr_free && this.free_factor < CONFIG_PCP_BATCH_SCALE_MAX) this.free_factor++;
      nr = Math.min(Math.max(b, min_nr_free), max_nr_free);
    }
    this.free_pcppages_bulk(nr, pindex);
  }

  // mm/page_alloc.c: nr_pcp_high(): the count at which a free gives pages back, adjusting pcp->high on the way.
  // (ZONE_RECLAIM_ACTIVE, which caps it at four batches while kswapd runs: never, the reference has no kswapd)
  private nr_pcp_high(batch: number, free_high: boolean): number {
    let high = this.clamp_high();
    if (!high) return 0;
    if (free_high) {
      this.high = Math.max(high - (batch << CONFIG_PCP_BATCH_SCALE_MAX), this.high_min);
      return 0;
    }
    if (this.high_min === this.high_max) return high;
    if (this.zone.below_high) {
      const free_count = Math.max(this.free_count, batch);
      this.high = Math.max(high - free_count, this.high_min);
      high = Math.max(this.count, this.high_min);
    } else if (this.count >= high) {
      const need_high = this.free_count + batch; // "large enough to hold batch freed pages"
      if (this.high < need_high) this.high = Math.min(Math.max(need_high, this.high_min), this.high_max);
    }
    return high;
  }

  // mm/page_alloc.c: nr_pcp_free(): with free_high as much as possible (up to batch << 5); else the pages
  // freed in a row, clamp(free_count, batch, high - batch), leaving at least a batch on the lists
  private nr_pcp_free(batch: number, high: number, free_high: boolean): number {
    if (free_high) return Math.min(this.count, batch << CONFIG_PCP_BATCH_SCALE_MAX);
    if (high < batch) return 1; // PCP disabled or boot pageset
    const min_nr_free = batch; // "Leave at least pcp->batch pages on the list"
    const max_nr_free = high - batch;
    return Math.min(Math.max(this.free_count, min_nr_free), max_nr_free); // clamp_t(int, free_count, min, max)
  }

  // mm/page_alloc.c: decay_pcp_high(), from vmstat_update() -> refresh_cpu_vm_stats() each second: high loses
  // an eighth (not below high_min, nor more than batch << 5 under the count); what the lists hold above it
  // goes back a batch at a time, each from pindex 0
  decay_pcp_high(): boolean {
    if (!this.mm.config.pcpAutoTune) return false; // 6.1 leaves a local zone's lists alone
    let todo = false;
    if (this.high > this.high_min) {
      this.high = Math.max(this.count - (this.batch << CONFIG_PCP_BATCH_SCALE_MAX), this.high - (this.high >> 3), this.high_min);
      if (this.high > this.high_min) todo = true;
    }
    let to_drain = this.count - this.high;
    while (to_drain > 0) {
      const to_drain_batched = Math.min(to_drain, this.batch);
      this.free_pcppages_bulk(to_drain_batched, 0);
      todo = true;
      to_drain -= to_drain_batched;
    }
    return todo;
  }

  // mm/page_alloc.c: free_pcppages_bulk(): count pages from the lists' tails, round-robin from pindex, each
  // block to __free_one_page() with its pageblock's type (6.10+)
  free_pcppages_bulk(count: number, pindex: number): void {
    count = Math.min(this.count, count);
    pindex = pindex - 1; // the requested pindex is drained first
    while (count > 0) {
      do {
        if (++pindex > NR_PCP_LISTS - 1) pindex = 0;
      } while (this.list_empty(pindex));
      const order = pindex_to_order(pindex);
      const nr_pages = 1 << order;
      do {
        const page = this.list_last_entry(pindex);
        const mt = this.mm.get_pageblock_migratetype(page);
        this.list_del(page);
        count -= nr_pages;
        this.count -= nr_pages;
        this.mm.__free_one_page(page, order, mt, FPI_NONE);
      } while (count > 0 && !this.list_empty(pindex));
    }
  }

  // mm/page_alloc.c: drain_pages_zone()
  drain_pages_zone(): void {
    if (this.count) this.free_pcppages_bulk(this.count, 0);
  }
}
