// The reference's per-cpu page lists: struct per_cpu_pages for one CPU and the mm/page_alloc.c functions that
// work on it, written from the kernel's text (6.15 for the allocation and free paths, rmqueue_mode included;
// zone_batchsize() and zone_highsize() as they read since 5.14). Not from the core: the core keeps each list
// as a ring of PFNs and folds these functions into its allocator; here, as in the kernel, every page carries
// its own list_head (pcp_list) and each list is circular with a sentinel head, and the functions keep the
// kernel's split and arguments.
//
// What the contract (docs/allocator.md, "Per-cpu lists") leaves out, and so what is left out here, each at the
// line where the kernel has it: pcp->high is fixed (high_min == high_max, no decay_pcp_high()); there is no
// alloc_factor (nr_pcp_alloc() never scales the batch up), no free_count (nr_pcp_free() never frees more than
// a batch), no free_high (PCPF_PREV_FREE_HIGH_ORDER), no ZONE_RECLAIM_ACTIVE or ZONE_BELOW_HIGH, and no
// pcp trylock failure. All of these are the 6.7+ tuning of the lists' size; with them at rest the kernel's
// formulas below give exactly the contract's numbers.
import {
  MIGRATE_MOVABLE,
  MIGRATE_PCPTYPES,
  NR_LOWORDER_PCP_LISTS,
  NR_PCP_LISTS,
  PAGE_ALLOC_COSTLY_ORDER,
  pageblock_order,
} from "../core/constants.js";
import { FPI_NONE, type MemMap, type Zone } from "./buddy.js";

// mm/page_alloc.c: BOOT_PAGESET_HIGH, BOOT_PAGESET_BATCH ("effectively disable the pcplists")
const BOOT_PAGESET_HIGH = 0;
const BOOT_PAGESET_BATCH = 1;
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

// mm/page_alloc.c: zone_highsize() with percpu_pagelist_high_fraction 0: the low watermark, split over the
// CPUs of the zone's node (cpumask_weight() + cpu_online: one CPU here), at least four batches
export function zone_highsize(zone: Zone, batch: number, cpu_online: number): number {
  const total_pages = zone.watermark.low;
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
  high = BOOT_PAGESET_HIGH;
  batch = BOOT_PAGESET_BATCH;
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

  // mm/page_alloc.c: zone_set_pageset_high_and_batch() + pageset_update() (cpu_online 0, as at boot)
  zone_set_pageset_high_and_batch(): void {
    const new_batch = Math.max(1, zone_batchsize(this.zone.managed));
    const new_high = zone_highsize(this.zone, new_batch, 0);
    this.batch = new_batch;
    this.high = new_high;
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

  // mm/page_alloc.c: rmqueue_pcplist(): (pcp->free_count >>= 1 here: no free_count) the list of
  // (migratetype, order), refilled by __rmqueue_pcplist() when empty
  rmqueue_pcplist(order: number, migratetype: number, alloc_flags: number, __rmqueue: RmqueueFn): number {
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

  // mm/page_alloc.c: nr_pcp_alloc() (6.7+). high = clamp(high, high_min, high_max) is high itself (fixed);
  // "if we had larger pcp->high" does not apply (high_min == high_max); alloc_factor is 0, so the order-0
  // batch is base_batch and the scale-up branch never runs
  private nr_pcp_alloc(order: number): number {
    const base_batch = this.batch;
    const high = this.high;
    if (high < base_batch) return 1; // PCP disabled or boot pageset
    let batch = base_batch; // order ? base_batch : base_batch << alloc_factor (0)
    if (!order) {
      const max_nr_alloc = Math.max(high - this.count - base_batch, base_batch);
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

  // mm/page_alloc.c: free_frozen_page_commit() (free_unref_page_commit() before 6.14): onto the list's head,
  // and past high give nr_pcp_free() pages back. (pcp->alloc_factor >>= 1, the PCPF_PREV_FREE_HIGH_ORDER /
  // free_high logic for orders 1..3 and pcp->free_count: not modelled)
  free_frozen_page_commit(pfn: number, migratetype: number, order: number): void {
    const pindex = order_to_pindex(migratetype, order);
    this.list_add(pfn, pindex, order);
    this.count += 1 << order;
    const batch = this.batch;
    const high = this.nr_pcp_high();
    if (this.count >= high) this.free_pcppages_bulk(this.nr_pcp_free(batch, high), pindex);
  }

  // mm/page_alloc.c: nr_pcp_high(): high itself (fixed, no free_high, reclaim never active on the zone)
  private nr_pcp_high(): number {
    const high = this.high;
    if (!high) return 0;
    return high;
  }

  // mm/page_alloc.c: nr_pcp_free(): clamp(free_count, batch, high - batch) with free_count 0: one batch,
  // leaving at least a batch on the lists
  private nr_pcp_free(batch: number, high: number): number {
    if (high < batch) return 1; // PCP disabled or boot pageset
    const min_nr_free = batch; // "Leave at least pcp->batch pages on the list"
    const max_nr_free = high - batch;
    const free_count = 0;
    return Math.min(Math.max(free_count, min_nr_free), max_nr_free); // clamp_t(int, free_count, min, max)
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
