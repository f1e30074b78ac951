// The kernel a run emulates (`machine.kernel`), and the rules that change between the versions fusewb models.
// One setting selects them all, so a run never mixes, say, 6.15's allocator fallback with 6.1's reclaim. Each
// writeback mode (the policy's mechanism, policy.ts) stands for a range of versions: the temp-page copy is what
// Linux did up to 6.15, the copy-free path is 6.16 on; without `machine.kernel` a run takes its mode's default.
import type { FallbackPolicy } from "../core/machine-config.js";
import type { Mechanisms } from "./policy.js";

export const KERNELS = ["6.1", "6.6", "6.12", "6.15", "6.16", "6.18"] as const;
export type Kernel = (typeof KERNELS)[number];

export interface KernelRules {
  /** fs/fuse/file.c: temp-page copy with the rb-tree (<= 6.15), or the folio itself under writeback (6.16+). */
  writeback: "temp-copy" | "copy-free";
  /** mm/page_alloc.c __rmqueue() fallback: claim a whole block first (6.15+), or steal from the largest
   *  foreign buddy (6.10-6.14; 6.1 and 6.6 are modelled the same way, see docs/fuse.md). 6.12 is 6.12.28 and later
   *  (Debian's 6.12.118 is the source read): 6.15's __rmqueue_claim()/__rmqueue_steal() came to it through stable
   *  ("mm: page_alloc: don't steal single pages from biggest buddy", ChangeLog-6.12.28). The first is the version's
   *  own; a second, where there is one, may be chosen with machine.fallback (6.12.0-6.12.27, and the November 2024
   *  tree of the published fio table, have the largest steal). */
  fallbacks: readonly [FallbackPolicy, ...FallbackPolicy[]];
  /** fs/fuse/file.c has fuse_writepage() as ->writepage, called by reclaim (pageout) and migration (writeout, from
   *  fallback_migrate_folio: no ->migrate_folio): 6.1 and 6.6. Gone by 6.12 (filemap_migrate_folio instead). */
  fuseWritepage: boolean;
  /** sizeof(struct fuse_req) on x86-64 with Debian's configuration (CONFIG_VIRTIO_FS=m): 152 bytes in 6.1-6.12; 6.14
   *  adds ring_entry and ring_queue (CONFIG_FUSE_IO_URING, default y) and 6.15 create_time (request timeouts): 176
   *  (fs/fuse/fuse_i.h; 7.2's fuse_dev_i.h has the same fields). The fuse_request slab cache's object size. */
  fuseReqSize: number;
  /** mm/page-writeback.c: how __wb_calc_thresh() raises a small wb share. "none" (6.1-6.12): no bump there, and the
   *  strictlimit wb_dirty < 8 cases in wb_position_ratio()/wb_update_dirty_ratelimit(); "consolidated" (6.14+, Jim
   *  Zhao's "Consolidate wb_thresh bumping logic into __wb_calc_thresh"): max(wb_thresh, (thresh - dirty) / 100, or
   *  / 8 without strictlimit) before the max_ratio cap, and no wb_dirty < 8 cases. (6.13's floor is in no kernel
   *  modelled here.) */
  wbThreshBump: "none" | "consolidated";
  /** BDI_CAP_WRITEBACK_ACCT on the FUSE bdi: 6.18+ ("fuse: use default writeback accounting", 494d2f508883, in the
   *  6.18 merge window): __folio_start/end_writeback() count WB_WRITEBACK and the writeout, track
   *  wb->writeback_inodes and queue bw_dwork when an inode's writeback ends. Before, fuse_bdi_init() clears it and
   *  FUSE counts WB_WRITEBACK and wb_writeout_inc() per folio itself (6.16's fuse_writepage_finish(), 6.17's iomap
   *  path too): no bw_dwork, writeback_inodes stays 0. */
  wbAcct: boolean;
  /** mm/page_alloc.c free_frozen_page_commit(): free_high needs free_count >= batch + high_min / 2 from 6.16
   *  (c544a952ba61, "mm: pcp: increase pcp->free_count threshold to trigger free_high"), >= batch before
   *  (machine-config.ts). */
  freeHighHighMin: boolean;
  /** mm/page_alloc.c: the per-cpu lists' `high` auto-tuned between high_min and high_max, with alloc_factor and
   *  free_count ("mm, pcp: ..." series by Huang Ying, 6.7); 6.1 and 6.6 have a fixed `high` and free_factor
   *  (6.1.192's nr_pcp_free(), nr_pcp_high(), free_unref_page_commit(), __rmqueue_pcplist()). */
  pcpAutoTune: boolean;
  /** mm/vmscan.c: do_try_to_free_pages()'s memcg_full_walk retry and balance_pgdat()'s cache_trim_mode restart, in
   *  6.12's and 7.2.13's source, not in 6.1's (6.6 is taken as 6.1 here). */
  reclaim612: boolean;
  /** machine.lru "mglru" is allowed: the multi-gen LRU is modelled from Debian's 6.12.118 mm/vmscan.c
   *  (assembly/fs/lru_gen_reclaim.ts); 6.1 introduced it in a form not modelled (6.6 is taken as 6.1 here). */
  mglru: boolean;
  /** mm/page_isolation.c undo_isolate_page_range(start, end, migratetype): after an alloc_contig_range() attempt
   *  every pageblock of the range is set to the caller's type, MIGRATE_MOVABLE from alloc_contig_pages() (6.1.192,
   *  6.12.118), whatever type it had; Zi Yan's "Make MIGRATE_ISOLATE a standalone bit" ("mm/page_isolation: remove
   *  migratetype from undo_isolate_page_range()", v6 of 30 May 2025, merged for 6.17 as far as the mailing lists
   *  and Linus' tree show) keeps the block's own type. 6.17 is not modelled: 6.1-6.16 convert, 6.18 does not. */
  undoIsolateMovable: boolean;
  /** mm/filemap.c generic_perform_write(): balance_dirty_pages_ratelimited() at the top of each chunk, before
   *  ->write_begin() (6.12.118), or after ->write_end() and the short-copy check (6.1.192). The move came between
   *  the two; neither 6.6's file nor the commit was found in fusewb's sources, and 6.6 is taken as 6.1 here, as
   *  for reclaim. The pages a chunk dirties are counted in
   *  current->nr_dirtied at ->write_end() (folio_account_dirtied()) either way: with the call at the top, the
   *  last chunk of a write(2) is checked only at the next write(2)'s first chunk, after an fsync in between, or
   *  never after a job's last write. */
  bdpBeforeWriteBegin: boolean;
  /** fs/fuse/dev.c fuse_check_timeout() and fc->timeout (fuse.request_timeout, the fs.fuse.*_request_timeout
   *  sysctls): "fuse: add kernel-enforced timeout option for requests", in 6.14; 6.1, 6.6 and 6.12 have none. */
  requestTimeouts: boolean;
}

/** The version each writeback mode runs on when the scenario names none. */
export function defaultKernel(writeback: Mechanisms["writeback"]): Kernel {
  return writeback === "copy" ? "6.15" : "6.16";
}

const order = (k: Kernel): number => KERNELS.indexOf(k);
const atLeast = (k: Kernel, v: Kernel): boolean => order(k) >= order(v);

export function kernelRules(k: Kernel): KernelRules {
  return {
    writeback: atLeast(k, "6.16") ? "copy-free" : "temp-copy",
    fallbacks: k === "6.12" ? ["claim-then-steal", "largest-steal"] : atLeast(k, "6.15") ? ["claim-then-steal"] : ["largest-steal"],
    fuseWritepage: !atLeast(k, "6.12"),
    fuseReqSize: atLeast(k, "6.15") ? 176 : 152,
    wbThreshBump: atLeast(k, "6.15") ? "consolidated" : "none",
    wbAcct: atLeast(k, "6.18"),
    freeHighHighMin: atLeast(k, "6.16"),
    pcpAutoTune: atLeast(k, "6.12"),
    reclaim612: atLeast(k, "6.12"),
    mglru: atLeast(k, "6.12"),
    undoIsolateMovable: !atLeast(k, "6.18"),
    bdpBeforeWriteBegin: atLeast(k, "6.12"),
    requestTimeouts: atLeast(k, "6.15"),
  };
}

/** The kernel whose tree the published fio table was measured on: Joanne Koong's copy-free series as posted in
 *  November 2024 (the table is in its commit message from v3 on, and unchanged in the 6.16 merge) on a 6.12-era
 *  base. Copy-free writeback on it is a what-if (whatIfs() names it): no released 6.12 has it. The posted versions
 *  differ from 6.16's fs/fuse/file.c in ways the fio jobs do not meet: fuse_write_begin() still waited on the
 *  folio's writeback (sequential writes never find one under writeback), and NR_WRITEBACK was counted twice
 *  (Jingbo Xu's review of v5; neither the strictlimit wb numbers nor wb_over_bg_thresh() read it). */
export const PUBLISHED_TABLE_KERNEL: Kernel = "6.12";

/** The versions a writeback mode may run on: the temp-page copy is <= 6.15, copy-free 6.16+, and copy-free on
 *  PUBLISHED_TABLE_KERNEL as a what-if. */
export function kernelsFor(writeback: Mechanisms["writeback"]): Kernel[] {
  const want = writeback === "copy" ? "temp-copy" : "copy-free";
  return KERNELS.filter((k) => kernelRules(k).writeback === want || (want === "copy-free" && k === PUBLISHED_TABLE_KERNEL));
}

/** The run's kernel: the scenario's, or the writeback mode's default. */
export function runKernel(kernel: Kernel | null, writeback: Mechanisms["writeback"]): Kernel {
  return kernel ?? defaultKernel(writeback);
}

/** The largest page-cache folio order a FUSE file gets. No released kernel gives FUSE files large folios:
 *  fs/fuse/file.c fuse_init_file_inode() sets no folio order range in 6.1, 6.12, 6.16, 6.17/6.18 or 7.2 (the
 *  6.16 "support large folios" commits made the paths folio-aware without switching them on), so "auto" is
 *  order 0 on every modelled kernel. "on" forces the order of the proposed patch "fuse: enable large folios (if
 *  writeback cache is unused)" (Aug 2025): ilog2(min(min(max_write, max_read) / PAGE_SIZE, max_pages)), a what-if
 *  (whatIfs() names it). The temp-page copy path never has large folios. */
export function folioOrder(fuse: Pick<FuseLike, "largeFolios" | "maxFolioOrder">, k: Kernel): number {
  if (kernelRules(k).writeback === "temp-copy" || fuse.largeFolios !== "on") return 0;
  return fuse.maxFolioOrder;
}

interface FuseLike { largeFolios: "auto" | "on" | "off"; writebackCache: boolean; maxFolioOrder: number }

/** The free_high threshold a run's per-cpu lists use: its kernel's, or the version machine.free_high names. */
export function freeHighHighMin(k: Kernel, freeHigh: "kernel" | "6.15" | "6.16"): boolean {
  return freeHigh === "kernel" ? kernelRules(k).freeHighHighMin : freeHigh === "6.16";
}

/** Configurations the run's kernel does not have, named in the report (allowed as what-ifs, never defaults). */
export function whatIfs(fuse: FuseLike, k: Kernel, bdi: { wbBgStart: boolean } = { wbBgStart: false }, freeHigh: "kernel" | "6.15" | "6.16" = "kernel", writeback: Mechanisms["writeback"] = "copy", requestTimeoutS = 0): string[] {
  const out: string[] = [];
  if (requestTimeoutS > 0 && !kernelRules(k).requestTimeouts)
    out.push(`a request timeout of ${requestTimeoutS} s on ${k} (fuse.request_timeout, machine.sysctl.*_request_timeout, or the policy's): request timeouts came in 6.14 ("fuse: add kernel-enforced timeout option for requests"); no released ${k} has them`);
  if (writeback === "copy-free" && kernelRules(k).writeback === "temp-copy")
    out.push(`copy-free writeback on ${k} (machine.kernel): the tree the published fio table was measured on (Joanne Koong's series as posted in November 2024, on a 6.12-era base); no released ${k} has it`);
  if (freeHighHighMin(k, freeHigh) !== kernelRules(k).freeHighHighMin)
    out.push(`the per-cpu lists' free_high threshold of ${freeHigh} (machine.free_high) on ${k}, which has ${kernelRules(k).freeHighHighMin ? "6.16's batch + high_min / 2" : "6.15's batch"}`);
  if (folioOrder(fuse, k) !== 0) {
    const patch = "large folios (fuse.large_folios: true): no released kernel gives FUSE files large folios; order from the proposed \"fuse: enable large folios\" patch";
    out.push(fuse.writebackCache ? `${patch}, which keeps them off with the writeback cache ("performance tanks" under strictlimit)` : patch);
  }
  if (bdi.wbBgStart) out.push(`background writeback started at the wb's background threshold (machine.bdi.wb_bg_start: true): "mm: start background writeback based on per-wb threshold for strictlimit BDIs" (March 2026) came after every kernel fusewb models (6.1-6.18)`);
  return out;
}
