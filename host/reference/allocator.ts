// The plain-TypeScript reference allocator: the oracle for differential tests against the WASM core.
// It implements docs/allocator.md rule by rule, with the kernel's function names (mm/page_alloc.c, 6.15,
// and 6.10-6.14 for the `largest-steal` fallback policy). Per-page state and free lists live in buddy.ts,
// the per-cpu lists in pcp.ts, watermarks in watermarks.ts, the fallback to other migratetypes in fallback.ts,
// the read-only views in views.ts.
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
import { __rmqueue_claim, __rmqueue_fallback, __rmqueue_steal } from "./fallback.js";
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
    // __alloc_pages_direct_reclaim(): there is nothing to reclaim here, and reclaim without progress returns before
    // its drain_all_pages() and retry: the request fails (the per-cpu lists keep their pages)
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
      return __rmqueue_fallback(this.mm, zone, order, mt, alloc_flags);
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
      pfn = __rmqueue_claim(this.mm, zone, order, mt, alloc_flags);
      if (pfn >= 0) {
        mode.m = RMQUEUE_NORMAL;
        return pfn;
      }
    }
    if (alloc_flags & ALLOC_NOFRAGMENT) return -1;
    pfn = __rmqueue_steal(this.mm, zone, order, mt);
    if (pfn >= 0) mode.m = RMQUEUE_STEAL;
    return pfn;
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
