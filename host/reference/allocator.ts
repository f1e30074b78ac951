// The plain-TypeScript reference allocator: the oracle for differential tests against the WASM core.
// It implements docs/allocator.md rule by rule, with the kernel's function names (mm/page_alloc.c, 6.15,
// and 6.10-6.14 for the `largest-steal` fallback policy). Per-page state and free lists live in buddy.ts,
// the per-cpu lists in pcp.ts, watermarks in watermarks.ts, the read-only views in views.ts.
import type { AllocatorModel, ZoneView } from "../core/allocator-model.js";
import {
  __GFP_HIGH,
  __GFP_MOVABLE,
  __GFP_RECLAIMABLE,
  ALLOC_FAILED,
  EINVAL,
  GFP_LRU,
  MAX_PAGE_ORDER,
  MIGRATE_CMA,
  MIGRATE_HIGHATOMIC,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
  MIGRATE_PCPTYPES,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
  NR_PAGE_ORDERS,
  OP_ALLOC,
  OP_FREE,
  OP_VMSTAT_REFRESH,
  pageblock_nr_pages,
  pageblock_order,
  ZONE_DMA32,
  ZONE_MOVABLE,
  ZONE_NORMAL,
} from "../core/constants.js";
import { type MachineConfig, validateMachineConfig } from "../core/machine-config.js";
import { resultsArray } from "../core/results-array.js";
import { at, FPI_NONE, MemMap, migratetype_is_mergeable, type Zone } from "./buddy.js";
import { checkInvariants, freeLists, stateDigest, zoneViews } from "./views.js";
import { pcp_allowed_order, type RmqueueMode } from "./pcp.js";
import {
  ALLOC_CMA,
  ALLOC_HIGHATOMIC,
  ALLOC_MIN_RESERVE,
  ALLOC_NOFRAGMENT,
  ALLOC_NON_BLOCK,
  ALLOC_WMARK_LOW,
  ALLOC_WMARK_MIN,
  wmark_pages,
  zone_watermark_fast,
} from "./watermarks.js";

// enum rmqueue_mode (mm/page_alloc.c, 6.15)
const RMQUEUE_NORMAL = 0;
const RMQUEUE_CMA = 1;
const RMQUEUE_CLAIM = 2;
const RMQUEUE_STEAL = 3;

// mm/page_alloc.c: fallbacks[] (only the three request types fall back)
const fallbacks: number[][] = [
  [MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE], // UNMOVABLE
  [MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE], // MOVABLE
  [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE], // RECLAIMABLE
];

/** struct alloc_context: the zonelist (highest zone first, absent zones skipped) and the request's type. */
interface AllocContext {
  zonelist: Zone[];
  highest_zoneidx: number;
  migratetype: number;
}

export class ReferenceAllocator implements AllocatorModel {
  readonly config: MachineConfig;
  readonly mm: MemMap;

  constructor(config: MachineConfig) {
    const err = validateMachineConfig(config);
    if (err !== null) throw new Error(err);
    this.config = { ...config };
    this.mm = new MemMap(this.config);
  }

  apply(ops: Int32Array, results?: Int32Array): Int32Array {
    if (ops.length % 3 !== 0) throw new Error(`apply: ops has ${ops.length} entries, not a multiple of 3`);
    const out = resultsArray(ops.length / 3, results);
    for (let i = 0; i < out.length; i++) {
      const [op, a, b] = [at(ops, 3 * i), at(ops, 3 * i + 1), at(ops, 3 * i + 2)];
      if (op === OP_ALLOC) out[i] = this.alloc(a, b);
      else if (op === OP_FREE) out[i] = this.free(a, b);
      else if (op === OP_VMSTAT_REFRESH) {
        this.refresh_cpu_vm_stats();
        out[i] = 0;
      } else throw new Error(`apply: op ${op} at triple ${i} is not OP_ALLOC (${OP_ALLOC}), OP_FREE (${OP_FREE}) or OP_VMSTAT_REFRESH (${OP_VMSTAT_REFRESH})`);
    }
    return out;
  }

  /** One allocation: its PFN, or ALLOC_FAILED. */
  alloc(gfp: number, order: number): number {
    return this.__alloc_pages(gfp, order);
  }

  /** One free: 0, or EINVAL when pfn heads no live allocation of this order. */
  free(pfn: number, order: number): number {
    const mm = this.mm;
    if (!(order >= 0 && order <= MAX_PAGE_ORDER && pfn >= 0 && pfn < mm.nr_pages)) return EINVAL;
    if (!at(mm.alloc_head, pfn) || at(mm.alloc_order, pfn) !== order) return EINVAL;
    mm.free_pages_prepare(pfn, order);
    this.__free_frozen_pages(pfn, order);
    return 0;
  }

  // mm/page_alloc.c: __free_frozen_pages(): orders the per-cpu lists cache go to the list of their block's
  // type (HIGHATOMIC and CMA to MOVABLE's; ISOLATE straight to the buddy lists), through
  // free_frozen_page_commit() (pcp.ts). The rest: __free_pages_ok().
  private __free_frozen_pages(pfn: number, order: number): void {
    const mm = this.mm;
    let mt = mm.get_pageblock_migratetype(pfn);
    if (!pcp_allowed_order(order) || mt === MIGRATE_ISOLATE) {
      mm.split_large_buddy(pfn, order, FPI_NONE);
      return;
    }
    if (mt >= MIGRATE_PCPTYPES) mt = MIGRATE_MOVABLE;
    mm.zone_of(pfn).pcp.free_frozen_page_commit(pfn, mt, order);
  }

  /** vmstat_update() -> refresh_cpu_vm_stats(): decay_pcp_high() on every populated zone. */
  private refresh_cpu_vm_stats(): void {
    for (const zone of this.mm.zones) if (zone) zone.pcp.decay_pcp_high();
  }

  freeLists(): string[] {
    return freeLists(this.mm);
  }

  stateDigest(): number {
    return stateDigest(this.mm);
  }

  zones(): ZoneView[] {
    return zoneViews(this.mm);
  }

  pageblockTypes(): Uint8Array {
    return this.mm.pageblock_mt.slice();
  }

  checkInvariants(): string | null {
    return checkInvariants(this.mm);
  }

  // include/linux/gfp.h: gfp_migratetype()
  private gfp_migratetype(gfp: number): number {
    if (!this.mm.grouping) return MIGRATE_UNMOVABLE;
    if (gfp & __GFP_MOVABLE) return MIGRATE_MOVABLE;
    if (gfp & __GFP_RECLAIMABLE) return MIGRATE_RECLAIMABLE;
    return MIGRATE_UNMOVABLE;
  }

  // mm/page_alloc.c: __alloc_pages() (fast path, then the slow path's one watermark-min attempt)
  private __alloc_pages(gfp: number, order: number): number {
    if (!(order >= 0 && order <= MAX_PAGE_ORDER)) return ALLOC_FAILED;
    const zones = this.mm.zones;
    const mt = this.gfp_migratetype(gfp);
    let highest_zoneidx = zones[ZONE_NORMAL] ? ZONE_NORMAL : ZONE_DMA32;
    if (gfp & __GFP_MOVABLE && zones[ZONE_MOVABLE]) highest_zoneidx = ZONE_MOVABLE;
    const zonelist: Zone[] = [];
    for (let z = highest_zoneidx; z >= ZONE_DMA32; z--) {
      const zone = zones[z];
      if (zone) zonelist.push(zone);
    }
    const ac: AllocContext = { zonelist, highest_zoneidx, migratetype: mt };
    // gfp_to_alloc_flags_cma(): ALLOC_CMA for a MOVABLE request type
    const cma = mt === MIGRATE_MOVABLE ? ALLOC_CMA : 0;

    let alloc_flags = ALLOC_WMARK_LOW | cma | this.alloc_flags_nofragment(at(zonelist, 0));
    let pfn = this.get_page_from_freelist(gfp, order, alloc_flags, ac);
    if (pfn >= 0) return pfn;

    // mm/page_alloc.c: gfp_to_alloc_flags() (__GFP_HIGH here is GFP_ATOMIC: no direct reclaim)
    alloc_flags = ALLOC_WMARK_MIN | cma;
    if (gfp & __GFP_HIGH) alloc_flags |= ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | (order > 0 ? ALLOC_HIGHATOMIC : 0);
    pfn = this.get_page_from_freelist(gfp, order, alloc_flags, ac);
    if (pfn >= 0) return pfn;
    if (gfp & __GFP_HIGH) return ALLOC_FAILED;
    // __alloc_pages_direct_reclaim(): nothing to reclaim here; drain_all_pages() and one more try
    if (zones.some((z) => z !== null && z.pcp.count > 0)) {
      for (const zone of zones) if (zone) zone.pcp.drain_pages_zone();
      pfn = this.get_page_from_freelist(gfp, order, alloc_flags, ac);
    }
    return pfn >= 0 ? pfn : ALLOC_FAILED;
  }

  // mm/page_alloc.c: alloc_flags_nofragment() (one node: set whenever the preferred zone is Normal)
  private alloc_flags_nofragment(preferred: Zone): number {
    return preferred.idx === ZONE_NORMAL ? ALLOC_NOFRAGMENT : 0;
  }

  // mm/page_alloc.c: get_page_from_freelist()
  private get_page_from_freelist(gfp: number, order: number, alloc_flags: number, ac: AllocContext): number {
    for (;;) {
      for (const zone of ac.zonelist) {
        // ZONE_BELOW_HIGH: set when the zone is found under its high watermark (boost included), for the
        // per-cpu lists' high; above it, the request's own watermark is not checked
        if (zone.below_high || !zone_watermark_fast(zone, order, zone.watermark.high + zone.watermark_boost, ac.highest_zoneidx, alloc_flags)) {
          zone.below_high = true;
          if (!zone_watermark_fast(zone, order, wmark_pages(zone, alloc_flags), ac.highest_zoneidx, alloc_flags)) continue;
        }
        const pfn = this.rmqueue(zone, order, alloc_flags, ac.migratetype);
        if (pfn < 0) continue;
        this.mm.prep_new_page(pfn, order, ac.migratetype, (gfp & GFP_LRU) !== 0);
        if (alloc_flags & ALLOC_HIGHATOMIC) this.reserve_highatomic_pageblock(pfn, order, zone);
        return pfn;
      }
      if (!(alloc_flags & ALLOC_NOFRAGMENT)) return -1;
      alloc_flags &= ~ALLOC_NOFRAGMENT;
    }
  }

  // mm/page_alloc.c: rmqueue(): the per-cpu list for the orders it caches (rmqueue_pcplist(), pcp.ts), else
  // (or when it finds nothing) the buddy
  private rmqueue(zone: Zone, order: number, alloc_flags: number, mt: number): number {
    if (pcp_allowed_order(order)) {
      const pfn = zone.pcp.rmqueue_pcplist(order, mt, alloc_flags, (o, m, f, mode) => this.__rmqueue(zone, o, m, f, mode));
      if (pfn >= 0) return pfn;
    }
    return this.rmqueue_buddy(zone, order, alloc_flags, mt);
  }

  // mm/page_alloc.c: rmqueue_buddy()
  private rmqueue_buddy(zone: Zone, order: number, alloc_flags: number, mt: number): number {
    let pfn = -1;
    if (alloc_flags & ALLOC_HIGHATOMIC) pfn = this.mm.__rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC);
    if (pfn < 0) {
      pfn = this.__rmqueue(zone, order, mt, alloc_flags, { m: RMQUEUE_NORMAL });
      if (pfn < 0 && alloc_flags & ALLOC_NON_BLOCK) pfn = this.mm.__rmqueue_smallest(zone, order, MIGRATE_HIGHATOMIC);
    }
    return pfn;
  }

  // mm/page_alloc.c: __rmqueue() (6.15: `mode` remembers, within one rmqueue_bulk(), which step last found
  // pages; 6.10-6.14 had no modes and ends in __rmqueue_fallback() instead of claim + steal)
  private __rmqueue(zone: Zone, order: number, mt: number, alloc_flags: number, mode: RmqueueMode): number {
    const mm = this.mm;
    let pfn: number;
    if (alloc_flags & ALLOC_CMA && zone.nr_free_cma_pages > Math.floor(zone.nr_free_pages / 2)) {
      pfn = mm.__rmqueue_smallest(zone, order, MIGRATE_CMA);
      if (pfn >= 0) return pfn;
    }
    if (this.config.fallback === "largest-steal") {
      pfn = mm.__rmqueue_smallest(zone, order, mt);
      if (pfn >= 0) return pfn;
      if (alloc_flags & ALLOC_CMA) {
        pfn = mm.__rmqueue_smallest(zone, order, MIGRATE_CMA);
        if (pfn >= 0) return pfn;
      }
      return this.__rmqueue_fallback(zone, order, mt, alloc_flags);
    }
    // switch (*mode) with its fallthroughs
    if (mode.m === RMQUEUE_NORMAL) {
      pfn = mm.__rmqueue_smallest(zone, order, mt);
      if (pfn >= 0) return pfn;
    }
    if (mode.m <= RMQUEUE_CMA && alloc_flags & ALLOC_CMA) {
      pfn = mm.__rmqueue_smallest(zone, order, MIGRATE_CMA);
      if (pfn >= 0) {
        mode.m = RMQUEUE_CMA;
        return pfn;
      }
    }
    if (mode.m <= RMQUEUE_CLAIM) {
      pfn = this.__rmqueue_claim(zone, order, mt, alloc_flags);
      if (pfn >= 0) {
        mode.m = RMQUEUE_NORMAL;
        return pfn;
      }
    }
    if (alloc_flags & ALLOC_NOFRAGMENT) return -1;
    pfn = this.__rmqueue_steal(zone, order, mt);
    if (pfn >= 0) mode.m = RMQUEUE_STEAL;
    return pfn;
  }

  // mm/page_alloc.c: should_try_claim_block() (6.10-6.14: can_steal_fallback(), the same rule)
  private should_try_claim_block(order: number, start_mt: number): boolean {
    if (order >= pageblock_order) return true;
    if (order >= pageblock_order >> 1) return true; // C integer division: 4
    if (start_mt === MIGRATE_RECLAIMABLE || start_mt === MIGRATE_UNMOVABLE) return true;
    return !this.mm.grouping;
  }

  // mm/page_alloc.c: find_suitable_fallback() (-2: too low to claim, -1: no fallback list at this order)
  private find_suitable_fallback(zone: Zone, order: number, mt: number, claimable: boolean): number {
    if (claimable && !this.should_try_claim_block(order, mt)) return -2;
    for (const fallback_mt of at(fallbacks, mt)) if (zone.list(order, fallback_mt).length > 0) return fallback_mt;
    return -1;
  }

  // mm/page_alloc.c: __rmqueue_claim()
  private __rmqueue_claim(zone: Zone, order: number, start_mt: number, alloc_flags: number): number {
    const min_order = order < pageblock_order && alloc_flags & ALLOC_NOFRAGMENT ? pageblock_order : order;
    for (let current_order = MAX_PAGE_ORDER; current_order >= min_order; current_order--) {
      const fallback_mt = this.find_suitable_fallback(zone, current_order, start_mt, true);
      if (fallback_mt === -1) continue;
      if (fallback_mt === -2) break;
      const page = at(zone.list(current_order, fallback_mt), 0);
      const pfn = this.try_to_claim_block(zone, page, current_order, order, start_mt, fallback_mt);
      if (pfn >= 0) return pfn;
    }
    return -1;
  }

  // mm/page_alloc.c: __rmqueue_steal()
  private __rmqueue_steal(zone: Zone, order: number, start_mt: number): number {
    for (let current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
      const fallback_mt = this.find_suitable_fallback(zone, current_order, start_mt, false);
      if (fallback_mt === -1) continue;
      const pfn = at(zone.list(current_order, fallback_mt), 0);
      this.mm.page_del_and_expand(zone, pfn, order, current_order, fallback_mt);
      return pfn;
    }
    return -1;
  }

  // mm/page_alloc.c: try_to_claim_block() (-1: not claimed)
  private try_to_claim_block(zone: Zone, pfn: number, current_order: number, order: number, start_type: number, block_type: number): number {
    const mm = this.mm;
    // "Take ownership for orders >= pageblock_order": retype every covered block, keep the order-sized head
    if (current_order >= pageblock_order) {
      mm.del_page_from_free_list(pfn, zone, current_order, block_type);
      mm.change_pageblock_range(pfn, current_order, start_type);
      const nr_added = mm.expand(zone, pfn, order, current_order, start_type);
      mm.account_freepages(zone, nr_added, start_type);
      return pfn;
    }
    this.boost_watermark(zone);
    return this.claim_whole_block(zone, pfn, order, start_type, block_type);
  }

  // The common tail of try_to_claim_block() and (6.10-6.14) steal_suitable_fallback(): count free and
  // alike pages and, with at least half the block, move the block's free pages to start_type.
  private claim_whole_block(zone: Zone, pfn: number, order: number, start_type: number, block_type: number): number {
    const mm = this.mm;
    const prep = mm.prep_move_freepages_block(zone, pfn);
    if (!prep) return -1;
    let alike: number;
    if (start_type === MIGRATE_MOVABLE) alike = prep.movable;
    else if (block_type === MIGRATE_MOVABLE) alike = pageblock_nr_pages - (prep.free + prep.movable);
    else alike = 0;
    if (prep.free + alike >= 1 << (pageblock_order - 1) || !mm.grouping) {
      mm.__move_freepages_block(zone, prep.start_pfn, block_type, start_type);
      return mm.__rmqueue_smallest(zone, order, start_type);
    }
    return -1;
  }

  // mm/page_alloc.c: __rmqueue_fallback() as in 6.10-6.14 (policy `largest-steal`)
  private __rmqueue_fallback(zone: Zone, order: number, start_mt: number, alloc_flags: number): number {
    const min_order = order < pageblock_order && alloc_flags & ALLOC_NOFRAGMENT ? pageblock_order : order;
    for (let current_order = MAX_PAGE_ORDER; current_order >= min_order; current_order--) {
      let fallback_mt = this.find_suitable_fallback(zone, current_order, start_mt, false);
      if (fallback_mt === -1) continue;
      let can_steal = this.should_try_claim_block(current_order, start_mt);
      if (!can_steal && start_mt === MIGRATE_MOVABLE && current_order > order) {
        // find_smallest: steal the smallest foreign buddy instead (can_steal recomputed, as the kernel does)
        for (current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
          fallback_mt = this.find_suitable_fallback(zone, current_order, start_mt, false);
          if (fallback_mt !== -1) break;
        }
        can_steal = this.should_try_claim_block(current_order, start_mt);
      }
      const pfn = at(zone.list(current_order, fallback_mt), 0);
      return this.steal_suitable_fallback(zone, pfn, current_order, order, start_mt, can_steal);
    }
    return -1;
  }

  // mm/page_alloc.c: steal_suitable_fallback() as in 6.10-6.14
  private steal_suitable_fallback(zone: Zone, pfn: number, current_order: number, order: number, start_type: number, whole_block: boolean): number {
    const mm = this.mm;
    const block_type = mm.get_pageblock_migratetype(pfn);
    if (block_type !== MIGRATE_HIGHATOMIC) {
      // "Take ownership for orders >= pageblock_order", as in try_to_claim_block()
      if (current_order >= pageblock_order) {
        mm.del_page_from_free_list(pfn, zone, current_order, block_type);
        mm.change_pageblock_range(pfn, current_order, start_type);
        const nr_added = mm.expand(zone, pfn, order, current_order, start_type);
        mm.account_freepages(zone, nr_added, start_type);
        return pfn;
      }
      this.boost_watermark(zone);
      if (whole_block) {
        const claimed = this.claim_whole_block(zone, pfn, order, start_type, block_type);
        if (claimed >= 0) return claimed;
      }
    }
    // single_page:
    mm.page_del_and_expand(zone, pfn, order, current_order, block_type);
    return pfn;
  }

  // mm/page_alloc.c: boost_watermark() (watermark_boost_factor 15000; kswapd, which would undo it, is not modelled)
  private boost_watermark(zone: Zone): boolean {
    if (pageblock_nr_pages * 4 > zone.managed) return false;
    let max_boost = Math.floor((zone.watermark.high * 15000) / 10000);
    if (max_boost === 0) return false;
    max_boost = Math.max(pageblock_nr_pages, max_boost);
    zone.watermark_boost = Math.min(zone.watermark_boost + pageblock_nr_pages, max_boost);
    return true;
  }

  // mm/page_alloc.c: reserve_highatomic_pageblock()
  private reserve_highatomic_pageblock(pfn: number, order: number, zone: Zone): void {
    const mm = this.mm;
    if (Math.floor(zone.managed / 100) < pageblock_nr_pages) return;
    const max_managed = Math.ceil(Math.floor(zone.managed / 100) / pageblock_nr_pages) * pageblock_nr_pages;
    if (zone.nr_reserved_highatomic >= max_managed) return;
    const mt = mm.get_pageblock_migratetype(pfn);
    if (!migratetype_is_mergeable(mt)) return;
    if (order < pageblock_order) {
      if (mm.move_freepages_block(zone, pfn, mt, MIGRATE_HIGHATOMIC) === -1) return;
      zone.nr_reserved_highatomic += pageblock_nr_pages;
    } else {
      mm.change_pageblock_range(pfn, order, MIGRATE_HIGHATOMIC);
      zone.nr_reserved_highatomic += 1 << order;
    }
  }
}
