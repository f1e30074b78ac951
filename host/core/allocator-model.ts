import type { MachineConfig } from "./machine-config.js";

/** What one zone looks like, read from a model's state: the input of every /proc view. */
export interface ZoneView {
  /** "DMA32" | "Normal" | "Movable" */
  name: string;
  startPfn: number;
  /** Spanned = present = managed pages (no holes, no reserved memory modelled). */
  managedPages: number;
  /** freeCount[mt][order]: number of free buddies on list (order, mt), ISOLATE included. */
  freeCount: number[][];
  /** blocks[mt]: pageblocks of that type ("Number of blocks type"). */
  blocks: number[];
  /** mixed[mt]: pageblocks counted by pagetypeinfo_showmixedcount_print(). */
  mixed: number[];
  /** NR_FREE_PAGES, NR_FREE_CMA_PAGES, nr_free_highatomic (account_freepages). */
  nrFreePages: number;
  nrFreeCmaPages: number;
  nrFreeHighatomic: number;
  nrReservedHighatomic: number;
  /** _watermark[WMARK_MIN/LOW/HIGH], without boost. */
  watermark: { min: number; low: number; high: number };
  watermarkBoost: number;
  /** lowmem_reserve[j] for j = DMA32, Normal, Movable. */
  lowmemReserve: number[];
  /** per_cpu_pages: the pages on every CPU's lists (not in nrFreePages), and CPU 0's high (0 until first used,
   *  then tuned between highMin and highMax) and batch. The allocator API runs on one CPU; a simulation has
   *  machine.cpus of them. */
  pcp: { count: number; high: number; batch: number; highMin: number; highMax: number };
}

/**
 * The allocator as both the WASM core and the TS reference expose it. Operations come in batches:
 * ops is a flat list of triples (OP_ALLOC, gfp, order), (OP_FREE, pfn, order) or (OP_VMSTAT_REFRESH, 0, 0); the
 * result of each triple is the PFN (or ALLOC_FAILED) for an allocation, 0 (or EINVAL) for a free, 0 for the
 * once-a-second decay of the per-cpu lists' high.
 */
export interface AllocatorModel {
  readonly config: MachineConfig;
  /** Runs the batch; returns one result per triple. With `results` (at least ops.length / 3 long) the results
   *  are written there and a view of them is returned, so a caller applying many batches reuses one array. */
  apply(ops: Int32Array, results?: Int32Array): Int32Array;
  /** Every free list as "zone order mt: pfn pfn ..." lines, head to tail, in (zone, order, mt) order, then
   *  every per-cpu list of the current CPU (the allocator API's one) as "pcp zone pindex: pfn ..." lines. */
  freeLists(): string[];
  /** FNV-1a over the free lists (zone, order, mt, length, then PFNs head to tail), every CPU's per-cpu lists (zone,
   *  pindex, length, PFNs) and the pageblock types. */
  stateDigest(): number;
  zones(): ZoneView[];
  /** Pageblock migratetypes, one per pageblock from PFN 0. */
  pageblockTypes(): Uint8Array;
  /** The invariant checker (DESIGN.md section 5): null when all hold, else a one-line description. */
  checkInvariants(): string | null;
}
