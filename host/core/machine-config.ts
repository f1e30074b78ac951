import { pageblock_nr_pages } from "./constants.js";

/** Which `__rmqueue` fallback the allocator runs (docs/allocator.md). */
export type FallbackPolicy = "claim-then-steal" | "largest-steal";
export const FALLBACK_POLICIES: readonly FallbackPolicy[] = ["claim-then-steal", "largest-steal"];

/** The emulated machine's memory: zone sizes in 4 KiB pages, laid out DMA32, Normal, Movable from PFN 0. */
export interface MachineConfig {
  dma32Pages: number;
  normalPages: number;
  movablePages: number;
  /** The last `cmaPages` pages of the Normal zone are a CMA area (pageblocks of type CMA). */
  cmaPages: number;
  /** `claim-then-steal` is Linux 6.15+ (and 6.12.28+, through stable), `largest-steal` is 6.10-6.14 (and 6.12.0-6.12.27). */
  fallback: FallbackPolicy;
  /** false emulates `page_group_by_mobility_disabled`. */
  mobilityGrouping: boolean;
  /** Per-cpu page lists (one CPU). false: every zone keeps the boot pageset (high 0, batch 1), so pages go
   *  straight to and from the buddy lists. */
  pcp: boolean;
  /** Transparent huge pages enabled (`always` or `madvise`): khugepaged's set_recommended_min_free_kbytes()
   *  raises min_free_kbytes (about 44 MiB on 8 GiB). false here, so that traces and allocator tests keep the
   *  watermarks they were written against; scenarios default to true (machine.thp), as distributions ship. */
  thp: boolean;
  /** mm/page_alloc.c free_frozen_page_commit(): the free_count a run of order 1-3 frees needs before free_high
   *  empties the list: `batch` up to 6.15, `batch + high_min / 2` from 6.16 ("mm: pcp: increase pcp->free_count
   *  threshold to trigger free_high"). Scenarios set it from the run's kernel (kernel.ts); traces and allocator
   *  tests keep 6.15's. */
  freeHighHighMin: boolean;
  /** The per-cpu lists' `high` auto-tuned as 6.7+ does (high_min..high_max, alloc_factor, free_count, the decay
   *  each second: docs/allocator.md); false: 6.1/6.6's fixed `high` (the low watermark split over the CPUs) and
   *  `free_factor`, with nothing decayed. Scenarios set it from the run's kernel (kernel.ts); traces and allocator
   *  tests keep 6.15's. */
  pcpAutoTune: boolean;
}

export const defaultMachineConfig: MachineConfig = {
  dma32Pages: 0,
  normalPages: 0,
  movablePages: 0,
  cmaPages: 0,
  fallback: "claim-then-steal",
  mobilityGrouping: true,
  pcp: true,
  thp: false,
  freeHighHighMin: false,
  pcpAutoTune: true,
};

/** Largest machine the core takes: 1 TiB (2^28 pages), DESIGN.md section 2's. Its struct pages are 3 GiB of
 *  the 4 GiB one wasm32 instance addresses; the core places them in linear memory it grows itself
 *  (assembly/sim/arena.ts), not in the AssemblyScript runtime's heap, whose blocks stop at 1 GiB. Everything else
 *  (the schema, traces, /proc import) reads this number. */
export const MAX_NR_PAGES = 2 ** 28;
/** The same limit as text for messages. */
export const MAX_MEMORY_TEXT = "1T";

/** The page counts validateMachineConfig() checks and names in its messages. */
const MACHINE_PAGE_FIELDS = ["dma32Pages", "normalPages", "movablePages", "cmaPages"] as const;
export type MachinePageField = (typeof MACHINE_PAGE_FIELDS)[number];

/** validateMachineConfig()'s message with its page-count fields named as the caller's input names them (a
 *  scenario's machine section, a trace's machine line). */
export function renameMachinePageFields(text: string, names: Readonly<Record<MachinePageField, string>>): string {
  return text.replace(/\b(dma32|normal|movable|cma)Pages\b/g, (f: string) => names[f as MachinePageField] ?? f);
}

/** Returns a one-line error naming the field and what is allowed, or null when the config is valid. */
export function validateMachineConfig(c: MachineConfig): string | null {
  for (const field of MACHINE_PAGE_FIELDS) {
    const v = c[field];
    if (!Number.isInteger(v) || v < 0 || v % pageblock_nr_pages !== 0)
      return `machine.${field}: ${String(v)} is not allowed; use a non-negative multiple of ${pageblock_nr_pages} pages (one pageblock)`;
  }
  const total = c.dma32Pages + c.normalPages + c.movablePages;
  if (total === 0) return "machine: no memory; give dma32Pages, normalPages or movablePages > 0";
  if (total > MAX_NR_PAGES) return `machine: ${total} pages is more than the core takes (at most ${MAX_NR_PAGES}, ${MAX_MEMORY_TEXT})`;
  if (c.cmaPages > c.normalPages) return `machine.cmaPages: ${c.cmaPages} is larger than the Normal zone (${c.normalPages} pages)`;
  if (c.normalPages === 0 && c.dma32Pages === 0) return "machine: a Movable zone alone is not allowed; give dma32Pages or normalPages > 0";
  return null;
}
