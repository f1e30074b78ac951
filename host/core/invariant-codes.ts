// What each code from the core's invariant checker (assembly/mm/debug_vm.ts) means.
export const invariantMessages: Readonly<Record<number, string>> = {
  1: "free list links are broken, or a listed page is not a buddy of that order",
  2: "free list length or tail does not match its count",
  3: "a free page is not on its pageblock's migratetype list (6.10 freelist hygiene)",
  4: "a buddy is not aligned to its order",
  5: "two buddies overlap",
  6: "a buddy crosses a zone boundary",
  7: "a free page is dirty, under writeback, on the LRU, referenced or owned",
  8: "NR_FREE_PAGES differs from the free lists",
  9: "NR_FREE_CMA_PAGES differs from the CMA free lists",
  10: "nr_free_highatomic differs from the HIGHATOMIC free lists",
  11: "a buddy is not on any free list, or a PG_pcp block on no per-cpu list",
  12: "an allocation's pages disagree on order, type or head",
  13: "a page is neither free nor part of an allocation",
  14: "a free list's bit in the non-empty order mask (fa_orders) is wrong",
  15: "a per-cpu list's links are broken, or a member is not a clean PG_pcp block of the list's order and zone",
  16: "a per-cpu list's length, tail or the zone's pcp count is wrong",
  17: "a pageblock's migratetype is not a valid type, so the blocks per type do not add up to the zone's blocks",
  18: "nr_reserved_highatomic differs from the HIGHATOMIC pageblocks",
  19: "the AssemblyScript runtime allocated after boot, inside the core's arena (assembly/sim/arena.ts: no `new` outside top-level statics)",
  // writeback (assembly/sim/debug.ts)
  20: "NR_FILE_DIRTY differs from the dirty folios",
  21: "NR_WRITEBACK differs from the folios under writeback",
  22: "NR_WRITEBACK_TEMP differs from the temp pages",
  23: "a temp page is not owned by exactly one in-flight request",
  24: "a page under writeback is not carried by exactly one in-flight request",
  25: "a dirty page is missing from its inode's DIRTY tag",
  26: "an inode's dirty page count differs from its dirty pages",
  27: "NR_FILE_LRU (active + inactive file) differs from the page-cache pages",
  28: "WB_WRITTEN exceeds WB_DIRTIED, or the wb's writeout completions exceed the domain's",
  29: "a write-through FUSE_WRITE carries a page that is not its file's page-cache page at that index",
  30: "a tmpfs page of the server's backing store is not where its file's backing map says, or NR_SHMEM is off",
  // compaction (assembly/mm/compact_control.ts)
  31: "compaction left folios isolated for migration or free pages isolated as targets",
  // slab caches (assembly/mm/slab.ts, assembly/fuse/req_slab.ts)
  32: "a slab's objects in use differ from the objects the live FUSE requests hold (fuse_req, fuse_writepage_args, page arrays)",
  33: "a slab page is not an allocated, unmovable, non-LRU page owned by its slab, or a cache's slab, page, object or partial counts do not add up",
  // folio writeback (assembly/fs/folio.ts)
  34: "a page-cache folio's write_bytes_pending differs from its blocks under writeback",
  // the wb's inode lists (assembly/fs/wb_lists.ts)
  35: "the wb's inode lists are inconsistent: a dirty inode not marked dirty or on no list, a queued inode off b_io, I_SYNC held outside a writeback, or flusher events not one while it is scheduled and none otherwise",
  // the file LRU (assembly/fs/lru.ts)
  36: "the file LRU is inconsistent: a listed folio is not a page-cache folio's head or is on the list its PG_active does not name, a list's folio or page counts are off, or a page-cache folio is on neither list",
  // the allocator again (assembly/mm/debug_vm.ts)
  37: "the map of free MAX_PAGE_ORDER blocks (max_order_free, which the reports' page walks trust) disagrees with a block's head",
};

export function describeInvariant(code: number, pfn: number): string {
  const where = pfn === 0xffffffff ? "" : ` (pfn or zone ${pfn})`;
  return `invariant ${code}: ${invariantMessages[code] ?? "unknown"}${where}`;
}

