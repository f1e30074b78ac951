// Per-cpu page lists (struct per_cpu_pages), one set per CPU and zone, and the parts of
// mm/page_alloc.c (6.15) that only touch them: zone_batchsize(), zone_highsize(), order_to_pindex(),
// nr_pcp_alloc(), nr_pcp_high(), nr_pcp_free(), free_pcppages_bulk(), decay_pcp_high(), drain_pages_zone().
// rmqueue_pcplist(), rmqueue_bulk() and the free side (free_frozen_page_commit()) are in page_alloc.ts beside
// the paths they serve.
// Orders 0..PAGE_ALLOC_COSTLY_ORDER and pageblock_order (THP) are cached here; a page on a pcp list is neither
// PageBuddy nor allocated (PG_pcp marks it for the checker) and is not counted in NR_FREE_PAGES.
// Each list is a deque of PFNs (a ring buffer) rather than a list_head through the pages: the kernel only ever
// adds at the head or tail and takes from the head (rmqueue) or tail (free_pcppages_bulk), so the order is the
// same, and the hot path reads one contiguous array instead of the links of pages scattered over memory.
// Before 6.7 (6.1, 6.6: machine-config.ts pcpAutoTune false) pcp->high is fixed at the low watermark split over
// the CPUs, a refill takes a batch, a full list gives back batch << free_factor (free_factor grows with each
// such give-back and halves with each allocation), and the lists are never decayed ("6.1" functions below and in
// page_alloc.ts). From 6.7:
// pcp->high is tuned as 6.7+ does (docs/allocator.md, "Per-cpu lists"): it moves between high_min (the low
// watermark) and high_max (an eighth of the zone), growing while allocations refill the lists and the zone is
// above its high watermark, shrinking when it is below it or kswapd runs, and decaying by an eighth each
// second (decay_pcp_high(), from vmstat_update(): the simulation's EV_VMSTAT, a replay's OP_VMSTAT_REFRESH).
// alloc_factor doubles the refill of consecutive order-0 allocations; free_count counts consecutive freed
// pages and sizes what a full list gives back; free_high drains after consecutive frees of orders 1-3.
// The paths work on the running context's CPU (this_cpu_pcp(), this_cpu_ptr(zone->per_cpu_pageset)), which the
// run sets per event (sim/cpus.ts), and pass its pageset on as the kernel passes pcp; drain_all_pages() and
// vmstat's decay visit every CPU. A machine boots with one CPU's lists (the allocator alone, and the reference
// model); a run then sets machine.cpus (pcp_set_cpus()).
import {
  MAX_NR_ZONES, MIGRATE_PCPTYPES, MIGRATE_MOVABLE, pageblock_order, NONE, PAGE_ALLOC_COSTLY_ORDER,
  NR_LOWORDER_PCP_LISTS, NR_PCP_LISTS,
} from "./constants";
export { NR_PCP_LISTS };
import { PG_pcp, MT_NONE, PAGE_WORD_FREE, set_page_word, store_page_word, get_pageblock_migratetype } from "./page";
import { zone_managed_pages, populated_zone, wmark_low, zone_flags, ZONE_RECLAIM_ACTIVE, ZONE_BELOW_HIGH } from "./zone";
import { __free_one_page } from "./page_alloc";
import { arena_alloc } from "../sim/arena";

/** The CPUs whose lists are kept: machine.cpus, at most MAX_PCP_CPUS (the run's contexts map onto these). */
export const MAX_PCP_CPUS: u32 = 64;
const NR_SETS = <i32>(MAX_PCP_CPUS * MAX_NR_ZONES);
export let nr_pcp_cpus: u32 = 1;
/** The CPUs zone_highsize() splits high over (num_online_cpus(): one node). */
let nr_split_cpus: u32 = 1;
let pcp_enabled: bool = true;
/** The running context's CPU times MAX_NR_ZONES: its pageset of zone z is pcp_cpu_base + z. */
export let pcp_cpu_base: u32 = 0;
/** The running context is on `cpu` (folded onto the kept CPUs). */
@inline export function set_this_cpu(cpu: u32): void { pcp_cpu_base = (cpu % nr_pcp_cpus) * MAX_NR_ZONES; }
/** Back to the CPU a walk over every CPU started on (the value of pcp_cpu_base it saved). */
@inline export function restore_pcp_cpu_base(base: u32): void { pcp_cpu_base = base; }

/** struct per_cpu_pages (include/linux/mmzone.h), one per CPU and zone, its lists[] after the counters: a path
 *  finds its pageset's address once (this_cpu_pcp()) and passes it on, as the kernel passes pcp, and each field
 *  is then one load at a fixed offset from it (a table per field, as before, cost an index computation each). */
@unmanaged export class per_cpu_pages {
  /** Pages on the lists. */
  count: u32;
  high: u32;
  high_min: u32;
  high_max: u32;
  batch: u32;
  flags: u32;
  alloc_factor: u32;
  /** Pages freed since the last allocation halved it (6.7+). */
  free_count: i32;
  /** Before 6.7, pcp->free_factor (the doublings of what a full list gives back), in the field that became
   *  free_count. */
  @inline get free_factor(): u32 { return <u32>this.free_count; }
  @inline set free_factor(v: u32) { this.free_count = <i32>v; }
}
/** One of pcp->lists[]: a ring of mask + 1 PFN slots in the arena, the head at slot `first`. */
@unmanaged export class pcp_list {
  ring: usize;
  mask: u32;
  first: u32;
  len: u32;
}
/** Bytes of a pageset: the counters, then NR_PCP_LISTS lists. */
const PCP_SIZE_SHIFT: usize = 8;
const PCP_LISTS_OFFSET: usize = 32;
const PCP_LIST_SIZE: usize = 16;
// static memory, as zone.ts's tables: a constant address
const pcp_sets: usize = memory.data(NR_SETS << <i32>PCP_SIZE_SHIFT, 16);

/** Pageset ps = cpu * MAX_NR_ZONES + zone. */
@inline function pcp_at(ps: u32): per_cpu_pages { return changetype<per_cpu_pages>(pcp_sets + (<usize>ps << PCP_SIZE_SHIFT)); }
/** this_cpu_ptr(zone->per_cpu_pageset): the running context's pageset of zone z. */
@inline export function this_cpu_pcp(z: u32): per_cpu_pages { return pcp_at(pcp_cpu_base + z); }
/** per_cpu_ptr(zone->per_cpu_pageset, cpu). */
@inline export function per_cpu_pcp(cpu: u32, z: u32): per_cpu_pages { return pcp_at(cpu * MAX_NR_ZONES + z); }
/** &pcp->lists[pindex]. */
@inline export function pcp_list_of(pcp: per_cpu_pages, pindex: u32): pcp_list {
  return changetype<pcp_list>(changetype<usize>(pcp) + PCP_LISTS_OFFSET + <usize>pindex * PCP_LIST_SIZE);
}
/** Slots of a new ring; a full ring doubles (pcp->count is bounded by high plus a refill, so it settles). */
const RING_MIN: u32 = 64;
/** pcp->high tuned as 6.7+ does (high_min..high_max, alloc_factor, free_count, decay); false: 6.1/6.6's fixed high
 *  and free_factor (machine-config.ts pcpAutoTune). Set at boot, before pcp_setup(). */
export let pcp_auto_tune: bool = true;
export function set_pcp_auto_tune(on: bool): void { pcp_auto_tune = on; }
/** include/linux/mmzone.h: the last free was of orders 1-3; the CPU's cache slice holds more than 3 batches. */
export const PCPF_PREV_FREE_HIGH_ORDER: u32 = 1;
export const PCPF_FREE_HIGH_BATCH: u32 = 2;
/** mm/Kconfig: PCP_BATCH_SCALE_MAX, default 5: alloc_factor's limit, and batch << 5 caps free_count. */
export const CONFIG_PCP_BATCH_SCALE_MAX: u32 = 5;
/** mm/page_alloc.c: MIN_PERCPU_PAGELIST_HIGH_FRACTION: high_max is managed / 8 split over the node's CPUs. */
const MIN_PERCPU_PAGELIST_HIGH_FRACTION: u32 = 8;
/** The modelled CPU's share of its last-level cache (cacheinfo's per_cpu_data_slice_size), in pages: 1 MiB,
 *  below what current x86 parts give each CPU (32 MiB L3 over 16 threads is 2 MiB). More than 3 batches (3 x
 *  63 pages at most), so zone_pcp_update_cacheinfo() sets PCPF_FREE_HIGH_BATCH on every zone. */
const PER_CPU_DATA_SLICE_PAGES: u32 = 256;

// mm/page_alloc.c: pcp_allowed_order()
@inline export function pcp_allowed_order(order: u32): bool {
  return order <= PAGE_ALLOC_COSTLY_ORDER || order == pageblock_order;
}

// mm/page_alloc.c: order_to_pindex(): the THP lists are shared by UNMOVABLE and RECLAIMABLE
@inline export function order_to_pindex(mt: u32, order: u32): u32 {
  if (order > PAGE_ALLOC_COSTLY_ORDER) return NR_LOWORDER_PCP_LISTS + (mt == MIGRATE_MOVABLE ? 1 : 0);
  return MIGRATE_PCPTYPES * order + mt;
}

// mm/page_alloc.c: pindex_to_order()
@inline export function pindex_to_order(pindex: u32): u32 {
  return pindex >= NR_LOWORDER_PCP_LISTS ? pageblock_order : pindex / MIGRATE_PCPTYPES;
}

// mm/page_alloc.c: zone_batchsize(): ~0.1 % of the zone or 1 MiB, whichever is smaller, as 2^n - 1
function zone_batchsize(z: u32): u32 {
  let batch = min(zone_managed_pages(z) >> 10, <u32>256);
  batch /= 4;
  if (batch < 1) batch = 1;
  const b = batch + batch / 2;
  return (<u32>1 << (31 - clz(b))) - 1;
}

// mm/page_alloc.c: zone_highsize(): the low watermark (high_fraction 0) or managed / high_fraction, split over
// the node's CPUs, at least 4 batches
function zone_highsize(z: u32, batch: u32, high_fraction: u32): u32 {
  const total = high_fraction == 0 ? unchecked(wmark_low[z]) : zone_managed_pages(z) / high_fraction;
  return max(total / nr_split_cpus, batch << 2);
}

/** mm/page_alloc.c: zone_pcp_init() + zone_set_pageset_high_and_batch() (percpu_pagelist_high_fraction 0:
 *  high_min from the low watermark, high_max from MIN_PERCPU_PAGELIST_HIGH_FRACTION, each split over the CPUs),
 *  after the watermarks; per_cpu_pages_init() leaves pcp->high 0 until the first use clamps it;
 *  zone_pcp_update_cacheinfo() sets PCPF_FREE_HIGH_BATCH. With the lists disabled every zone keeps the boot
 *  pageset's high_min = high_max = 0 and batch 1: pages pass straight through. Boot sets up one CPU. */
export function pcp_setup(enabled: bool): void {
  pcp_enabled = enabled;
  pcp_configure(1);
}

/** A run's machine.cpus: every CPU's lists, empty, with high split over all of them (before anything is allocated
 *  on the lists: the run's first step). */
export function pcp_set_cpus(cpus: u32): void {
  if (cpus < 1) cpus = 1;
  if (cpus == nr_split_cpus) return;
  drain_all_pages();
  pcp_configure(cpus);
}

function pcp_configure(cpus: u32): void {
  nr_split_cpus = cpus;
  nr_pcp_cpus = min(cpus, MAX_PCP_CPUS);
  pcp_cpu_base = 0;
  for (let c: u32 = 0; c < nr_pcp_cpus; c++) {
    for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
      const pcp = per_cpu_pcp(c, z);
      for (let pindex: u32 = 0; pindex < NR_PCP_LISTS; pindex++) {
        const list = pcp_list_of(pcp, pindex);
        if (list.ring == 0) {
          list.ring = arena_alloc(<usize>RING_MIN << 2);
          list.mask = RING_MIN - 1;
        }
        list.first = 0;
        list.len = 0;
      }
    }
  }
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) unchecked(pcp_disabled[z] = 0);
  for (let c: u32 = 0; c < nr_pcp_cpus; c++) {
    for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
      const pcp = per_cpu_pcp(c, z);
      pcp.count = 0;
      pcp.high = 0;
      pcp.free_count = 0;
      pcp.alloc_factor = 0;
      pageset_set_high_and_batch(pcp, z);
    }
  }
}

/** zone_set_pageset_high_and_batch() for one CPU's pageset of zone z (pageset_update()). */
function pageset_set_high_and_batch(pcp: per_cpu_pages, z: u32): void {
  const on = pcp_enabled && zone_managed_pages(z) != 0;
  // zone_set_pageset_high_and_batch(): max(1, zone_batchsize()), which is 0 on zones under 2048 pages
  const batch = on ? max<u32>(1, zone_batchsize(z)) : 1;
  pcp.batch = batch;
  pcp.high_min = on ? zone_highsize(z, batch, 0) : 0;
  // before 6.7, pageset_update() sets the one high, zone_highsize() of the low watermark (high_max = high_min
  // leaves it fixed), and there is no cache-size flag
  pcp.high_max = on ? (pcp_auto_tune ? zone_highsize(z, batch, MIN_PERCPU_PAGELIST_HIGH_FRACTION) : pcp.high_min) : 0;
  if (!pcp_auto_tune) pcp.high = pcp.high_min;
  pcp.flags = on && pcp_auto_tune && PER_CPU_DATA_SLICE_PAGES > 3 * batch ? PCPF_FREE_HIGH_BATCH : 0;
}

/** zone_pcp_disable() calls per zone not yet matched by zone_pcp_enable() (pcp_batch_high_lock serializes the
 *  kernel's callers; memory offline workloads of one zone may overlap here). */
const pcp_disabled = new StaticArray<u32>(<i32>MAX_NR_ZONES);

/** mm/page_alloc.c (6.12.118) zone_pcp_disable(): every CPU's pageset of the zone gets high_min = high_max = 0 and
 *  batch 1 (__zone_set_pageset_high_and_batch(zone, 0, 0, 1); 6.1: high 0), the boot pageset's values, and
 *  __drain_all_pages(zone, true) empties the lists: until zone_pcp_enable() every free of the zone's pages goes
 *  to the buddy lists and every allocation refills one page. offline_pages() holds it for its whole run. */
export function zone_pcp_disable(z: u32): void {
  const n = unchecked(pcp_disabled[z]);
  unchecked(pcp_disabled[z] = n + 1);
  if (n == 0) {
    for (let c: u32 = 0; c < nr_pcp_cpus; c++) {
      const pcp = per_cpu_pcp(c, z);
      pcp.batch = 1;
      pcp.high_min = 0;
      pcp.high_max = 0;
      if (!pcp_auto_tune) pcp.high = 0;
    }
  }
  drain_all_pages_zone(z);
}

/** zone_pcp_enable(): the zone's pagesets get back zone->pageset_high_min, _high_max and _batch. */
export function zone_pcp_enable(z: u32): void {
  const n = unchecked(pcp_disabled[z]) - 1;
  unchecked(pcp_disabled[z] = n);
  if (n != 0) return;
  for (let c: u32 = 0; c < nr_pcp_cpus; c++) pageset_set_high_and_batch(per_cpu_pcp(c, z), z);
}

/** Empties a zone's lists on every CPU without freeing anything (a state rebuilt from a census has none). */
export function pcp_zone_reset(z: u32): void {
  for (let c: u32 = 0; c < nr_pcp_cpus; c++) {
    const pcp = per_cpu_pcp(c, z);
    for (let pindex: u32 = 0; pindex < NR_PCP_LISTS; pindex++) {
      const list = pcp_list_of(pcp, pindex);
      list.first = 0;
      list.len = 0;
    }
    pcp.count = 0;
  }
}

/** Slot k (0 = head) of a list. */
@inline function slot(list: pcp_list, k: u32): usize {
  return list.ring + (<usize>((list.first + k) & list.mask) << 2);
}

/** A full ring doubles, its entries copied in list order to the start of the new one. */
function pcp_ring_grow(list: pcp_list): void {
  const len = list.len;
  const ring = arena_alloc(<usize>len << 3);
  for (let k: u32 = 0; k < len; k++) store<u32>(ring + (<usize>k << 2), load<u32>(slot(list, k)));
  list.ring = ring;
  list.mask = (len << 1) - 1;
  list.first = 0;
}

/** list_add() (head) or list_add_tail() of a free block to pcp->lists[pindex]; its head page carries PG_pcp and
 *  the order. The ring's fields are read once into locals: a store to one of them would otherwise make the
 *  compiled code load the others again (it cannot tell they do not alias), on the free path's critical chain. */
@inline export function pcp_list_add(pcp: per_cpu_pages, pindex: u32, pfn: u32, order: u32, tail: bool): void {
  const list = pcp_list_of(pcp, pindex);
  set_page_word(pfn, PG_pcp, order, MT_NONE, 0);
  const len = list.len;
  if (len > list.mask) pcp_ring_grow(list);
  const ring = list.ring, mask = list.mask;
  let first = list.first;
  if (tail) {
    store<u32>(ring + (<usize>((first + len) & mask) << 2), pfn);
  } else {
    first = (first - 1) & mask;
    list.first = first;
    store<u32>(ring + (<usize>first << 2), pfn);
  }
  list.len = len + 1;
  pcp.count += <u32>1 << order;
}

/** pcp_list_add(pcp, pindex, pfn + k, 0, true) for k from 0 to n - 1 (rmqueue_bulk()'s order-0 runs): the same
 *  words, entries and counts, the ring growing at the same lengths, with the list's fields kept in locals. */
export function pcp_list_add_tail_run(pcp: per_cpu_pages, pindex: u32, pfn: u32, n: u32): void {
  const list = pcp_list_of(pcp, pindex);
  let len = list.len;
  let k: u32 = 0;
  while (k < n) {
    if (len > list.mask) { list.len = len; pcp_ring_grow(list); }
    const ring = list.ring, mask = list.mask, first = list.first;
    const end = min(n, k + mask + 1 - len);
    for (; k < end; k++, len++) {
      set_page_word(pfn + k, PG_pcp, 0, MT_NONE, 0);
      store<u32>(ring + (<usize>((first + len) & mask) << 2), pfn + k);
    }
  }
  list.len = len;
  pcp.count += n;
}

/** list_del() of the head block of pcp->lists[pindex] (rmqueue_pcplist), or NONE if the list is empty. The head
 *  page keeps its PG_pcp word: prep_new_page() writes every field next. */
@inline export function pcp_list_pop_first(pcp: per_cpu_pages, pindex: u32, order: u32): u32 {
  const list = pcp_list_of(pcp, pindex);
  const len = list.len;
  if (len == 0) return NONE;
  const first = list.first;
  const pfn = load<u32>(list.ring + (<usize>first << 2));
  list.first = (first + 1) & list.mask;
  list.len = len - 1;
  pcp.count -= <u32>1 << order;
  return pfn;
}

/** list_del() of the tail block (free_pcppages_bulk); its head page is left clean, as a free page's. */
@inline function pcp_list_pop_last(pcp: per_cpu_pages, pindex: u32, order: u32): u32 {
  const list = pcp_list_of(pcp, pindex);
  const len = list.len - 1;
  const pfn = load<u32>(slot(list, len));
  list.len = len;
  pcp.count -= <u32>1 << order;
  store_page_word(pfn, PAGE_WORD_FREE);
  return pfn;
}

/** Block k of this CPU's list (z, pindex), counted from the head; k < pcp_list_len(). For the checker and the views. */
export function pcp_list_nth(z: u32, pindex: u32, k: u32): u32 { return load<u32>(slot(pcp_list_of(this_cpu_pcp(z), pindex), k)); }
@inline export function pcp_list_len(z: u32, pindex: u32): u32 { return pcp_list_of(this_cpu_pcp(z), pindex).len; }

/** pcp->high = clamp(pcp->high, high_min, high_max), the first thing nr_pcp_alloc() and nr_pcp_high() do. */
@inline function pcp_clamp_high(pcp: per_cpu_pages): u32 {
  const high = min(max(pcp.high, pcp.high_min), pcp.high_max);
  pcp.high = high;
  return high;
}

// mm/page_alloc.c: nr_pcp_alloc(): how many blocks a refill takes. Consecutive order-0 refills double it
// (alloc_factor, up to batch << CONFIG_PCP_BATCH_SCALE_MAX, within what high leaves room for); with the zone
// above its high watermark each refill raises pcp->high by the batch, so the lists may keep what they took.
export function nr_pcp_alloc(pcp: per_cpu_pages, z: u32, order: u32): u32 {
  const base_batch = <i32>pcp.batch;
  // 6.1 __rmqueue_pcplist(): a batch, scaled by order when the lists may hold pages ("Batch can be 1 for small
  // zones or for boot pagesets")
  if (!pcp_auto_tune) return <u32>(base_batch > 1 ? max(base_batch >> order, 2) : base_batch);
  const high_min = pcp.high_min, high_max = pcp.high_max;
  let high = <i32>pcp_clamp_high(pcp);
  if (high < base_batch) return 1; // PCP disabled or boot pageset
  let batch = order != 0 ? base_batch : base_batch << pcp.alloc_factor;
  if (high_min != high_max && (unchecked(zone_flags[z]) & ZONE_BELOW_HIGH) == 0) {
    high = min(high + batch, <i32>high_max);
    pcp.high = <u32>high;
  }
  if (order == 0) {
    const max_nr_alloc = max(high - <i32>pcp.count - base_batch, base_batch);
    if (batch <= max_nr_alloc && pcp.alloc_factor < CONFIG_PCP_BATCH_SCALE_MAX) pcp.alloc_factor += 1;
    batch = min(batch, max_nr_alloc);
  }
  if (batch > 1) batch = max(batch >> order, 2);
  return <u32>batch;
}

// mm/page_alloc.c: free_pcppages_bulk(): `count` pages from the lists' tails, round-robin from pindex
export function free_pcppages_bulk(z: u32, count: i32, pcp: per_cpu_pages, pindex: u32): void {
  count = min(count, <i32>pcp.count);
  let p = <i32>pindex - 1;
  while (count > 0) {
    do {
      if (++p > <i32>NR_PCP_LISTS - 1) p = 0;
    } while (pcp_list_of(pcp, <u32>p).len == 0);
    const order = pindex_to_order(<u32>p);
    do {
      const pfn = pcp_list_pop_last(pcp, <u32>p, order);
      const mt = get_pageblock_migratetype(pfn);
      count -= <i32>1 << order;
      __free_one_page(pfn, z, order, mt, false);
    } while (count > 0 && pcp_list_of(pcp, <u32>p).len != 0);
  }
}

// mm/page_alloc.c: nr_pcp_free(): with free_high, all (up to batch << 5); else the consecutively freed pages,
// at least a batch, leaving at least one on the lists
@inline export function nr_pcp_free(pcp: per_cpu_pages, batch: i32, high: i32, free_high: bool): i32 {
  if (free_high) return min(<i32>pcp.count, batch << CONFIG_PCP_BATCH_SCALE_MAX);
  if (high < batch) return 1; // PCP disabled or boot pageset
  return min(max(pcp.free_count, batch), high - batch); // clamp_t(free_count, batch, high - batch)
}

// mm/page_alloc.c (6.1): nr_pcp_free(): everything with free_high; else batch << free_factor, raising
// free_factor while that stays under high - batch, clamped to leave at least a batch
@inline export function nr_pcp_free_61(pcp: per_cpu_pages, batch: i32, high: i32, free_high: bool): i32 {
  if (free_high) return <i32>pcp.count;
  if (high < batch) return 1; // PCP disabled or boot pageset
  const min_nr_free = batch, max_nr_free = high - batch;
  const ff = pcp.free_factor;
  const b = batch << ff;
  if (b < max_nr_free && ff < CONFIG_PCP_BATCH_SCALE_MAX) pcp.free_factor = ff + 1;
  return min(max(b, min_nr_free), max_nr_free);
}

// mm/page_alloc.c (6.1): nr_pcp_high(): 0 with free_high; four batches at most while kswapd reclaims; else high
@inline export function nr_pcp_high_61(pcp: per_cpu_pages, z: u32, batch: i32, free_high: bool): i32 {
  const high = <i32>pcp.high;
  if (high == 0 || free_high) return 0;
  if ((unchecked(zone_flags[z]) & ZONE_RECLAIM_ACTIVE) == 0) return high;
  return min(batch << 2, high);
}

// mm/page_alloc.c: nr_pcp_high(): the count at which a free gives pages back, adjusting pcp->high on the way:
// free_high lowers it and returns 0; reclaim (kswapd) in progress and a zone below its high watermark lower it
// by what was freed consecutively; otherwise a full list raises it to hold a batch more than that
@inline export function nr_pcp_high(pcp: per_cpu_pages, z: u32, batch: i32, free_high: bool): i32 {
  const high_min = <i32>pcp.high_min, high_max = <i32>pcp.high_max;
  let high = <i32>pcp_clamp_high(pcp);
  if (high == 0) return 0;
  if (free_high) {
    pcp.high = <u32>max(high - (batch << CONFIG_PCP_BATCH_SCALE_MAX), high_min);
    return 0;
  }
  const flags = unchecked(zone_flags[z]);
  if ((flags & ZONE_RECLAIM_ACTIVE) != 0) {
    const free_count = max(pcp.free_count, batch);
    const h = max(high - free_count, high_min);
    pcp.high = <u32>h;
    return min(batch << 2, h);
  }
  if (high_min == high_max) return high;
  if ((flags & ZONE_BELOW_HIGH) != 0) {
    const free_count = max(pcp.free_count, batch);
    pcp.high = <u32>max(high - free_count, high_min);
    high = max(<i32>pcp.count, high_min);
  } else if (<i32>pcp.count >= high) {
    const need_high = pcp.free_count + batch;
    if (high < need_high) pcp.high = <u32>min(max(need_high, high_min), high_max);
  }
  return high;
}

// mm/page_alloc.c: decay_pcp_high(), from refresh_cpu_vm_stats() each second: pcp->high loses an eighth (not
// below high_min, nor more than batch << 5 under the count), and the lists give back what is above it, a
// batch at a time. True while there is more to do.
export function decay_pcp_high(z: u32, pcp: per_cpu_pages): bool {
  // before 6.7 refresh_cpu_vm_stats() leaves a local zone's lists alone (only a remote node's are drained)
  if (!pcp_auto_tune) return false;
  const high_min = pcp.high_min;
  const batch = <i32>pcp.batch;
  let todo = false;
  const high = pcp.high;
  if (high > high_min) {
    const h = max(max(<i32>pcp.count - (batch << CONFIG_PCP_BATCH_SCALE_MAX), <i32>(high - (high >> 3))), <i32>high_min);
    pcp.high = <u32>h;
    if (<u32>h > high_min) todo = true;
  }
  let to_drain = <i32>pcp.count - <i32>pcp.high;
  while (to_drain > 0) {
    free_pcppages_bulk(z, min(to_drain, batch), pcp, 0);
    todo = true;
    to_drain -= min(to_drain, batch);
  }
  return todo;
}

// mm/vmstat.c: refresh_cpu_vm_stats(do_pagesets): decay_pcp_high() on every populated zone (the NUMA drain
// of remote pagesets has no remote node here). vmstat_update() runs it on each CPU each sysctl_stat_interval
// (1 s); here every CPU's at once, in CPU order.
export function refresh_cpu_vm_stats(): void {
  for (let c: u32 = 0; c < nr_pcp_cpus; c++)
    for (let z: u32 = 0; z < MAX_NR_ZONES; z++) if (populated_zone(z)) decay_pcp_high(z, per_cpu_pcp(c, z));
}

// mm/page_alloc.c: drain_pages_zone(cpu, zone) (drain_local_pages(zone) on this CPU): every page of the zone's
// lists back to the buddy allocator (6.7+ frees batch << 5 at a time, each round from pindex 0: lists emptied in
// order either way, so one round here)
function drain_pcp(z: u32, pcp: per_cpu_pages): void {
  const count = pcp.count;
  if (count != 0) free_pcppages_bulk(z, <i32>count, pcp, 0);
}
export function drain_pages_zone(z: u32): void { drain_pcp(z, this_cpu_pcp(z)); }

/** No CPU holds a page of any zone on its lists. */
export function pcp_all_empty(): bool {
  const n = nr_pcp_cpus * MAX_NR_ZONES;
  for (let ps: u32 = 0; ps < n; ps++) if (pcp_at(ps).count != 0) return false;
  return true;
}

// mm/page_alloc.c: drain_all_pages(zone): every CPU's lists of the zone (__drain_all_pages(): each CPU that has
// pages there drains its own), in CPU order
export function drain_all_pages_zone(z: u32): void {
  for (let c: u32 = 0; c < nr_pcp_cpus; c++) drain_pcp(z, per_cpu_pcp(c, z));
}

// mm/page_alloc.c: drain_all_pages(NULL): every CPU, every zone
export function drain_all_pages(): void {
  for (let c: u32 = 0; c < nr_pcp_cpus; c++)
    for (let z: u32 = 0; z < MAX_NR_ZONES; z++) drain_pcp(z, per_cpu_pcp(c, z));
}

/** Migratetype of the list a freed page joins (free_frozen_pages()): HIGHATOMIC and CMA go to MOVABLE. */
@inline export function pcp_free_migratetype(mt: u32): u32 { return mt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : mt; }

/** The length of CPU c's list pindex of zone z (blocks, not pages). */
export function pcp_list_len_of_cpu(c: u32, z: u32, pindex: u32): u32 { return pcp_list_of(per_cpu_pcp(c, z), pindex).len; }
