// Kernel constants (include/linux/mmzone.h, gfp.h), declared once: scripts/gen-contract.mjs generates the host's
// copy (host/gen/kernel-constants.ts) from this file at build time. Keep each one `export const NAME: type = expr;`.

export const PAGE_SHIFT: u32 = 12;
export const MAX_PAGE_ORDER: u32 = 10;
export const NR_PAGE_ORDERS: u32 = 11;
export const pageblock_order: u32 = 9;
export const pageblock_nr_pages: u32 = 512;

export const MIGRATE_UNMOVABLE: u32 = 0;
export const MIGRATE_MOVABLE: u32 = 1;
export const MIGRATE_RECLAIMABLE: u32 = 2;
export const MIGRATE_PCPTYPES: u32 = 3;
export const MIGRATE_HIGHATOMIC: u32 = 3;
export const MIGRATE_CMA: u32 = 4;
export const MIGRATE_ISOLATE: u32 = 5;
export const MIGRATE_TYPES: u32 = 6;

// Per-cpu lists: orders 0..PAGE_ALLOC_COSTLY_ORDER for each PCP type, then two THP lists (not movable, movable).
export const PAGE_ALLOC_COSTLY_ORDER: u32 = 3;
export const NR_LOWORDER_PCP_LISTS: u32 = 12;
export const NR_PCP_LISTS: u32 = 14;

export const ZONE_DMA32: u32 = 0;
export const ZONE_NORMAL: u32 = 1;
export const ZONE_MOVABLE: u32 = 2;
export const MAX_NR_ZONES: u32 = 3;

export const __GFP_MOVABLE: u32 = 0x08;
export const __GFP_RECLAIMABLE: u32 = 0x10;
export const __GFP_HIGH: u32 = 0x20;
/** Ours: the folio goes on the LRU at once (page cache, anon). */
export const GFP_LRU: u32 = 0x100;
/** Ours, inverted: the kernel's mask lacks __GFP_KSWAPD_RECLAIM. The emulator's other masks have it, as
 *  GFP_KERNEL, GFP_NOFS, GFP_HIGHUSER_MOVABLE and GFP_ATOMIC do; GFP_TRANSHUGE (a THP fault in a
 *  MADV_HUGEPAGE region: direct reclaim, no kswapd) does not. */
export const GFP_NO_KSWAPD: u32 = 0x200;
/** __GFP_WRITE: a page-cache page allocated to be written (mm/filemap.c __filemap_get_folio() with FGP_WRITE on a
 *  mapping that can write back): get_page_from_freelist()'s first pass skips a node over its dirty limit
 *  (ac->spread_dirty_pages, node_dirty_ok()). */
export const __GFP_WRITE: u32 = 0x400;
export const GFP_TRANSHUGE: u32 = __GFP_MOVABLE | GFP_LRU | GFP_NO_KSWAPD;
/** GFP_TRANSHUGE_LIGHT: no __GFP_RECLAIM at all (neither kswapd nor direct reclaim and compaction). The model's
 *  masks have no __GFP_DIRECT_RECLAIM bit: a caller that may not reclaim calls __alloc_pages() alone. */
export const GFP_TRANSHUGE_LIGHT: u32 = __GFP_MOVABLE | GFP_LRU | GFP_NO_KSWAPD;

// alloc_flags (mm/internal.h); values are ours.
export const ALLOC_WMARK_MIN: u32 = 0;
export const ALLOC_WMARK_LOW: u32 = 1;
export const ALLOC_WMARK_HIGH: u32 = 2;
export const ALLOC_WMARK_MASK: u32 = 3;
export const ALLOC_NOFRAGMENT: u32 = 0x10;
export const ALLOC_CMA: u32 = 0x20;
export const ALLOC_MIN_RESERVE: u32 = 0x40;
export const ALLOC_NON_BLOCK: u32 = 0x80;
export const ALLOC_HIGHATOMIC: u32 = 0x100;
/** allow waking kswapd (the mask has __GFP_KSWAPD_RECLAIM) */
export const ALLOC_KSWAPD: u32 = 0x200;
export const ALLOC_RESERVES: u32 = ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_HIGHATOMIC;

/** List terminator and "no page". */
export const NONE: u32 = 0xffffffff;

export const OP_ALLOC: i32 = 1;
export const OP_FREE: i32 = 2;
/** vmstat_update()'s decay_pcp_high() on every zone: a second passing for the per-cpu lists. */
export const OP_VMSTAT_REFRESH: i32 = 3;
export const ALLOC_FAILED: i32 = -1;
export const EINVAL: i32 = -22;

/** Fallback policies (docs/allocator.md). */
export const FALLBACK_CLAIM_THEN_STEAL: u32 = 0;
export const FALLBACK_LARGEST_STEAL: u32 = 1;

/** mm/internal.h: MAX_RECLAIM_RETRIES: reclaim rounds without progress before the OOM path, and kswapd runs that
 *  reclaimed nothing before it gives up on the node. */
export const MAX_RECLAIM_RETRIES: u32 = 16;
