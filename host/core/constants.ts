// Kernel constants, named as in include/linux/mmzone.h and gfp.h. The WASM core has its own copy
// (assembly/mm/constants.ts); test/constants.test.ts checks that the two agree.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const MAX_PAGE_ORDER = 10;
export const NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;
export const pageblock_order = 9;
export const pageblock_nr_pages = 1 << pageblock_order;

// enum migratetype (include/linux/mmzone.h)
export const MIGRATE_UNMOVABLE = 0;
export const MIGRATE_MOVABLE = 1;
export const MIGRATE_RECLAIMABLE = 2;
export const MIGRATE_PCPTYPES = 3;
export const MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES;
export const MIGRATE_CMA = 4;
export const MIGRATE_ISOLATE = 5;
export const MIGRATE_TYPES = 6;

// Per-cpu lists (mm/page_alloc.c, include/linux/mmzone.h): orders 0..3 per PCP type, then the two THP lists.
export const PAGE_ALLOC_COSTLY_ORDER = 3;
export const NR_LOWORDER_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1);
export const NR_PCP_LISTS = NR_LOWORDER_PCP_LISTS + 2;

// Names as /proc/pagetypeinfo prints them (mm/vmstat.c: migratetype_names[]).
export const migratetype_names = ["Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"] as const;

export const ZONE_DMA32 = 0;
export const ZONE_NORMAL = 1;
export const ZONE_MOVABLE = 2;
export const MAX_NR_ZONES = 3;
export const zone_names = ["DMA32", "Normal", "Movable"] as const;

// GFP bits: the kernel's names, our values (only the bits the emulator reads).
export const __GFP_MOVABLE = 0x08;
export const __GFP_RECLAIMABLE = 0x10;
export const __GFP_HIGH = 0x20;
/** Ours: the caller puts the folio on the LRU at once (page cache, anon), so it counts as movable. */
export const GFP_LRU = 0x100;
/** Ours, inverted: the kernel's mask lacks __GFP_KSWAPD_RECLAIM (every other mask here has it). */
export const GFP_NO_KSWAPD = 0x200;

export const GFP_KERNEL = 0;
export const GFP_ATOMIC = __GFP_HIGH;
export const GFP_HIGHUSER_MOVABLE = __GFP_MOVABLE | GFP_LRU;
export const GFP_KERNEL_RECLAIMABLE = __GFP_RECLAIMABLE;
/** A THP fault in a MADV_HUGEPAGE region (defrag=madvise): direct reclaim and compaction, kswapd not woken. */
export const GFP_TRANSHUGE = GFP_HIGHUSER_MOVABLE | GFP_NO_KSWAPD;

/** Batch operation codes (see AllocatorModel.apply). */
export const OP_ALLOC = 1;
export const OP_FREE = 2;
/** (OP_VMSTAT_REFRESH, 0, 0): a second passes for the per-cpu lists: vmstat_update()'s decay_pcp_high() on
 *  every zone; result 0. */
export const OP_VMSTAT_REFRESH = 3;
/** Result of a failed allocation. */
export const ALLOC_FAILED = -1;
/** Result of a free that names no live allocation head of that order (the caller's bug, not a kernel path). */
export const EINVAL = -22;
