// Kernel constants, named as in include/linux/mmzone.h and gfp.h: the core's (assembly/mm/constants.ts, generated
// into host/gen/kernel-constants.ts by `npm run build:wasm`), and what only the host needs, derived from them.
import { PAGE_SHIFT, __GFP_MOVABLE, __GFP_RECLAIMABLE, __GFP_HIGH, GFP_LRU } from "../gen/kernel-constants.js";

export {
  PAGE_SHIFT, MAX_PAGE_ORDER, NR_PAGE_ORDERS, pageblock_order, pageblock_nr_pages,
  MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_PCPTYPES, MIGRATE_HIGHATOMIC, MIGRATE_CMA,
  MIGRATE_ISOLATE, MIGRATE_TYPES, PAGE_ALLOC_COSTLY_ORDER, NR_LOWORDER_PCP_LISTS, NR_PCP_LISTS,
  ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE, MAX_NR_ZONES,
  __GFP_MOVABLE, __GFP_RECLAIMABLE, __GFP_HIGH, GFP_LRU, GFP_NO_KSWAPD, GFP_TRANSHUGE,
  OP_ALLOC, OP_FREE, OP_VMSTAT_REFRESH, ALLOC_FAILED, EINVAL,
} from "../gen/kernel-constants.js";

export const PAGE_SIZE = 1 << PAGE_SHIFT;

// Names as /proc/pagetypeinfo prints them (mm/vmstat.c: migratetype_names[]).
export const migratetype_names = ["Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"] as const;
export const zone_names = ["DMA32", "Normal", "Movable"] as const;

// GFP masks the host's allocation batches use (include/linux/gfp_types.h), from the core's bits.
export const GFP_KERNEL = 0;
export const GFP_ATOMIC = __GFP_HIGH;
export const GFP_HIGHUSER_MOVABLE = __GFP_MOVABLE | GFP_LRU;
export const GFP_KERNEL_RECLAIMABLE = __GFP_RECLAIMABLE;
