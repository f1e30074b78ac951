// Writeback counters with the kernel's names (include/linux/mmzone.h node_stat_item, wb_stat_item) and the
// run's own tallies. One i64 array, read by the host in one batch (stats_ptr()). The host's names of the stats
// (host/gen/contract.ts STAT_NAMES: each constant in lower case, NR_FILE_DIRTY as nr_dirty) are generated from here.

import { current_cpu } from "../sim/cpus";

export const NR_FILE_DIRTY: i32 = 0;
export const NR_WRITEBACK: i32 = 1;
export const NR_WRITEBACK_TEMP: i32 = 2;
export const WB_RECLAIMABLE: i32 = 3;
export const WB_WRITEBACK: i32 = 4;
export const PEAK_NR_DIRTY: i32 = 5;
export const PEAK_NR_WRITEBACK: i32 = 6;
export const PEAK_NR_WRITEBACK_TEMP: i32 = 7;
export const WRITES_ACKED: i32 = 8;
export const BYTES_WRITTEN: i32 = 9;
export const BYTES_COPIED_WRITEBACK: i32 = 10;
export const TEMP_PAGES_ALLOCATED: i32 = 11;
export const REQUESTS_SENT: i32 = 12;
export const SECONDARY_REQUESTS: i32 = 13;
export const SECONDARY_REFRESHES: i32 = 14;
export const REQUESTS_REPLIED: i32 = 15;
export const WRITER_WB_WAITS: i32 = 16;
export const WRITER_WB_WAIT_NS: i32 = 17;
export const WRITER_THROTTLE_NS: i32 = 18;
export const LONGEST_WB_HOLD_NS: i32 = 19;
export const CONN_ABORTS: i32 = 20;
export const FOLIO_ALLOC_FAILS: i32 = 21;
/** Temp-page allocations that found no page even after direct reclaim: the flusher stalls and retries. */
export const TEMP_ALLOC_STALLS: i32 = 22;
export const WRITERS_DONE_NS: i32 = 23;
export const EVENTS: i32 = 24;
export const PAGES_WRITTEN_BACK: i32 = 25;
export const RBTREE_OPS: i32 = 26;
export const BYTES_COPIED_WRITE: i32 = 27;
export const BYTES_COPIED_SERVER: i32 = 28;
export const FOLIOS_ALLOCATED: i32 = 29;
export const REQUESTS_DROPPED: i32 = 30;
export const REQUESTS_ABORTED: i32 = 31;
export const HANGS: i32 = 32;
export const STAT_WORDS: i32 = 121;

export const stat = new StaticArray<i64>(STAT_WORDS);
export function stats_reset(): void {
  for (let i = 0; i < STAT_WORDS; i++) unchecked(stat[i] = 0);
  wb_stat_reset();
}

@inline export function stat_value(i: i32): i64 { return unchecked(stat[i]); }
@inline export function st_add(i: i32, v: i64): void { unchecked(stat[i] += v); }
@inline export function st_max(i: i32, v: i64): void { if (v > unchecked(stat[i])) unchecked(stat[i] = v); }

/** mod_node_page_state() with the peaks the reports show. */
export function mod_dirty(v: i64): void { st_add(NR_FILE_DIRTY, v); wb_stat_mod(WB_RECLAIMABLE, v); st_max(PEAK_NR_DIRTY, stat_value(NR_FILE_DIRTY)); }
/** NR_WRITEBACK counts the folio's pages always; WB_WRITEBACK what the wb is charged (folio.ts: wb_writeback_charge()). */
export function mod_writeback(v: i64, wb: i64): void { st_add(NR_WRITEBACK, v); wb_stat_mod(WB_WRITEBACK, wb); st_max(PEAK_NR_WRITEBACK, stat_value(NR_WRITEBACK)); }
export function mod_writeback_temp(v: i64): void {
  st_add(NR_WRITEBACK_TEMP, v); wb_stat_mod(WB_WRITEBACK, v); st_max(PEAK_NR_WRITEBACK_TEMP, stat_value(NR_WRITEBACK_TEMP));
}

// include/linux/backing-dev.h: the wb's four stat items are percpu_counters, changed with wb_stat_mod() ->
// percpu_counter_add_batch(..., WB_STAT_BATCH) on the CPU that runs the change (lib/percpu_counter.c, 6.12.118):
// a CPU's delta goes into the shared count only once it reaches the batch either way. wb_stat() reads the shared
// count (percpu_counter_read_positive()), wb_stat_sum() adds every CPU's delta (percpu_counter_sum_positive()): the
// exact value, which stat[] holds. The writers count WB_RECLAIMABLE and WB_DIRTIED up on their CPUs, the flusher
// counts WB_RECLAIMABLE down and WB_WRITEBACK up on its own, the server's workers count WB_WRITEBACK down and
// WB_WRITTEN up on theirs, so the shared counts can be off by up to WB_STAT_BATCH - 1 pages per CPU.
const WB_STAT_ITEMS: i32 = 4;
/** The CPUs a delta is kept for: every context of a run is on one below this (sim/cpus.ts context_cpu()). */
const WB_STAT_CPUS: i32 = 1024;
const wb_count = new StaticArray<i64>(WB_STAT_ITEMS);
const wb_delta = new StaticArray<i64>(WB_STAT_ITEMS * WB_STAT_CPUS);
let wb_stat_batch: i64 = 32;
let wb_nr_cpu_ids: i64 = 8;
@inline function wb_item(i: i32): i32 { return i == WB_RECLAIMABLE ? 0 : i == WB_WRITEBACK ? 1 : i == WB_DIRTIED ? 2 : 3; }

/** WB_STAT_BATCH = 8 * (1 + ilog2(nr_cpu_ids)), for the run's machine.cpus (stats_reset() zeroes the counts). */
export function wb_stat_init(nr_cpu_ids: u32): void {
  wb_nr_cpu_ids = <i64>max<u32>(nr_cpu_ids, 1);
  wb_stat_batch = 8 * (1 + <i64>(31 - clz<u32>(<u32>wb_nr_cpu_ids)));
}
/** wb_stat_error(): nr_cpu_ids * WB_STAT_BATCH, the percpu counters' possible error. */
export function wb_stat_error(): u64 { return <u64>(wb_nr_cpu_ids * wb_stat_batch); }
function wb_stat_reset(): void {
  for (let i = 0; i < WB_STAT_ITEMS; i++) unchecked(wb_count[i] = 0);
  for (let i = 0; i < WB_STAT_ITEMS * WB_STAT_CPUS; i++) unchecked(wb_delta[i] = 0);
}

/** wb_stat_mod(wb, item, amount) on the running context's CPU. */
export function wb_stat_mod(item: i32, amount: i64): void {
  st_add(item, amount);
  const k = wb_item(item);
  const d = k * WB_STAT_CPUS + <i32>current_cpu;
  const count = unchecked(wb_delta[d]) + amount;
  if (abs<i64>(count) >= wb_stat_batch) {
    unchecked(wb_count[k] += count);
    unchecked(wb_delta[d] = 0);
  } else unchecked(wb_delta[d] = count);
}
/** percpu_counter_read(): the shared count alone. */
export function wb_stat_read(item: i32): i64 { return unchecked(wb_count[wb_item(item)]); }
/** wb_stat(): percpu_counter_read_positive(). */
export function wb_stat(item: i32): i64 { return max<i64>(wb_stat_read(item), 0); }
/** wb_stat_sum(): percpu_counter_sum_positive(), the exact value. */
export function wb_stat_sum(item: i32): i64 { return max<i64>(stat_value(item), 0); }
/** CONFIG_DEBUG_VM-style check: the shared count and every delta add up to the exact value (0: they do). */
export function wb_stat_check(): i32 {
  for (let k = 0; k < WB_STAT_ITEMS; k++) {
    const item = unchecked(wb_items[k]);
    let sum = unchecked(wb_count[k]);
    for (let c = 0; c < WB_STAT_CPUS; c++) {
      const d = unchecked(wb_delta[k * WB_STAT_CPUS + c]);
      if (abs<i64>(d) >= wb_stat_batch) return item + 1;
      sum += d;
    }
    if (sum != stat_value(item)) return item + 1;
  }
  return 0;
}

// Migration and compaction (include/linux/vm_event_item.h names, counted where mm/ counts them), the model's
// breakdowns of them, high-order attempts.
export const PGMIGRATE_SUCCESS: i32 = 33;
export const PGMIGRATE_FAIL: i32 = 34;
export const COMPACT_STALL: i32 = 35;
export const COMPACT_FAIL: i32 = 36;
export const COMPACT_SUCCESS: i32 = 37;
export const COMPACT_MIGRATE_SCANNED: i32 = 38;
export const COMPACT_FREE_SCANNED: i32 = 39;
/** Folios the compaction migrate scanner met and did not isolate (isolate_migratepages_block()'s
 *  isolate_fail paths), by cause, once per visit: under writeback with ISOLATE_ASYNC_MIGRATE (async and
 *  sync-light), not on the LRU (temp pages, slab, per-cpu pages, pinned ranges), an anon folio with extra
 *  references. No kernel counter has them; tracing mm_compaction_isolate_migratepages sees only the totals. */
export const ISOLATE_FAIL_WRITEBACK: i32 = 40;
export const ISOLATE_FAIL_NOT_LRU: i32 = 41;
export const ISOLATE_FAIL_PINNED: i32 = 42;
/** pgmigrate_fail split by mm_migrate_pages' reason: MR_COMPACTION, MR_CONTIG_RANGE (pages). */
export const PGMIGRATE_FAIL_COMPACTION: i32 = 43;
export const PGMIGRATE_FAIL_CONTIG_RANGE: i32 = 44;
export const PGSTEAL_KSWAPD: i32 = 45;
export const WRITEBACK_CANCELLED: i32 = 46;
export const WB_AREA_MOVES: i32 = 47;
export const THP_ATTEMPTS: i32 = 48;
export const THP_SUCCESS: i32 = 49;
export const CONTIG_ATTEMPTS: i32 = 50;
export const CONTIG_SUCCESS: i32 = 51;
/** alloc_contig_range waits (MIGRATE_SYNC on writeback) that had not ended when the run stopped. */
export const CONTIG_HANGS: i32 = 52;
export const CONTIG_WAIT_NS: i32 = 53;
/** Churn allocations that failed: a costly order's is dropped; a smaller one's process retries it (a failed round
 *  of __alloc_pages_slowpath()'s loop, counted each time). */
export const CHURN_ALLOC_FAILS: i32 = 54;
export const CHURN_ALLOCS: i32 = 55;
/** fuse_writepages() calls that returned at once: WB_SYNC_NONE while num_background >= congestion_threshold. */
export const FLUSHER_CONGESTED_CALLS: i32 = 56;
/** Time the flusher spent stalled in the allocator for temp pages (legacy), ns. */
export const TEMP_ALLOC_STALL_NS: i32 = 57;
/** Synchronous requests writers sent: GETATTR (fuse_update_attributes) and FSYNC. */
export const GETATTR_REQUESTS: i32 = 58;
export const FSYNC_REQUESTS: i32 = 59;
/** Time writers slept in request_wait_answer() for synchronous requests, ns. */
export const WRITER_REQ_WAIT_NS: i32 = 60;
/** Server threads that found no memory for their receive buffer or the tmpfs backing store, and stalled. */
export const SERVER_ALLOC_STALLS: i32 = 61;
/** NR_SHMEM: pages of the server's tmpfs backing files; pages of the server threads' receive buffers (anon). */
export const NR_SHMEM: i32 = 62;
export const SERVER_BUFFER_PAGES: i32 = 63;
/** fuse_writepage() (6.1/6.6) returned AOP_WRITEPAGE_ACTIVATE: a page left clean and unwritten. */
export const WRITEPAGE_ACTIVATE: i32 = 64;
/** NR_VMSCAN_WRITE: pages kswapd wrote through ->writepage (pageout(): every result but AOP_WRITEPAGE_ACTIVATE). */
export const NR_VMSCAN_WRITE: i32 = 65;
/** Dirty FUSE folios compaction's migrate scanner left in place on 6.1/6.6 (isolate_migratepages_block(): FUSE has no
 *  ->migrate_folio there, and ISOLATE_ASYNC_MIGRATE takes no dirty folio of such a mapping). */
export const ISOLATE_FAIL_DIRTY: i32 = 66;
/** oom_kill_process() calls, by the kind of task killed, the time of the first, and OOMs with no task to kill. */
export const OOM_KILLS: i32 = 67;
export const OOM_KILL_SERVER: i32 = 68;
export const OOM_KILL_WRITER: i32 = 69;
export const OOM_KILL_CHURN: i32 = 70;
export const OOM_KILL_THP: i32 = 71;
export const OOM_NO_VICTIM: i32 = 72;
export const OOM_FIRST_NS: i32 = 73;
/** Memory offline (offline_pages) of memory blocks: started, completed, time they took (or have taken so far), and
 *  those still going when the run stopped. */
export const OFFLINE_ATTEMPTS: i32 = 74;
export const OFFLINE_SUCCESS: i32 = 75;
export const OFFLINE_WAIT_NS: i32 = 76;
export const OFFLINE_HANGS: i32 = 77;

// Dirty throttling (mm/page-writeback.c): NR_ACTIVE_FILE + NR_INACTIVE_FILE as one count (page-cache folios on
// the file LRU, what global_dirtyable_memory() adds to the free pages), the wb_stat_item counters the
// bandwidth estimate reads, and the pauses balance_dirty_pages() made writers sleep.
export const NR_FILE_LRU: i32 = 78;
export const WB_DIRTIED: i32 = 79;
export const WB_WRITTEN: i32 = 80;
/** The wb's percpu counter items in their slot order (wb_item() maps an item to its slot). */
const wb_items: StaticArray<i32> = [WB_RECLAIMABLE, WB_WRITEBACK, WB_DIRTIED, WB_WRITTEN];
export const BDP_PAUSES: i32 = 81;
/** Page-cache pages added to (+) or dropped from (-) the file LRU. */
export function mod_file_lru(v: i64): void { st_add(NR_FILE_LRU, v); }

// Reclaim (mm/vmscan.c: shrink_inactive_list(), do_try_to_free_pages(), balance_pgdat()); all of it is file
// reclaim (the machine has no swap), so pgscan_file/pgsteal_file are the sums.
export const PGSTEAL_DIRECT: i32 = 82;
export const PGSCAN_KSWAPD: i32 = 83;
export const PGSCAN_DIRECT: i32 = 84;
/** allocstall_<zone>: direct reclaim entered, by sc->reclaim_idx (ZONE_DMA is folded into DMA32). */
export const ALLOCSTALL_DMA32: i32 = 85;
export const ALLOCSTALL_NORMAL: i32 = 86;
export const ALLOCSTALL_MOVABLE: i32 = 87;
export const COMPACT_ISOLATED: i32 = 88;
export const COMPACT_DAEMON_WAKE: i32 = 89;
export const COMPACT_DAEMON_MIGRATE_SCANNED: i32 = 90;
export const COMPACT_DAEMON_FREE_SCANNED: i32 = 91;
export const THP_FAULT_ALLOC: i32 = 92;
export const THP_FAULT_FALLBACK: i32 = 93;
export const PAGEOUTRUN: i32 = 94;
// Pageblock conversion (test/block-conversion.test.ts): Unmovable pageblocks at the most of any sample; the
// pageblocks holding at least one legacy temp page now, at most, and when nr_writeback_temp peaked.
export const PEAK_UNMOVABLE_PAGEBLOCKS: i32 = 95;
export const TEMP_PAGEBLOCKS: i32 = 96;
export const PEAK_TEMP_PAGEBLOCKS: i32 = 97;
export const TEMP_PAGEBLOCKS_AT_PEAK: i32 = 98;
/** Synchronous FUSE_READs writers sent from fuse_write_begin() (a partial write to a folio not uptodate inside
 *  i_size: fuse_do_readpage()/fuse_do_readfolio()). */
export const READ_REQUESTS: i32 = 99;
/** fio's layout fallocate() that failed (the server's tmpfs found no memory; shmem_fallocate() undid it). */
export const FALLOCATE_FAILS: i32 = 100;
/** FUSE_FLUSH requests: fuse_flush() when a writer closes its file. */
export const FLUSH_REQUESTS: i32 = 101;
/** wb_update_bandwidth_workfn() runs (bw_dwork, queued by wb_inode_writeback_end() with BDI_CAP_WRITEBACK_ACCT). */
export const WB_BW_DWORK: i32 = 102;
/** libfuse workers started (fuse_loop_start_thread(): mt->numworker at the end; threads never exit). */
export const SERVER_THREADS: i32 = 103;
/** fio runs finished (run.fio_runs: the jobs run again on the same mount once every job of a run has closed). */
export const FIO_RUNS_DONE: i32 = 104;
/** FUSE_SETATTR requests ->write_inode sent for the files' times (fuse_write_inode()). */
export const SETATTR_REQUESTS: i32 = 105;
// The file LRU (mm/vmscan.c, mm/swap.c; fs/lru.ts): NR_ACTIVE_FILE (NR_INACTIVE_FILE is NR_FILE_LRU less it),
// folios moved to the active list by reclaim (PGACTIVATE), back by shrink_active_list() (PGDEACTIVATE, after
// PGREFILL pages scanned there), and to the inactive tail when their writeback ended (PGROTATED).
export const NR_ACTIVE_FILE: i32 = 106;
export const PGACTIVATE: i32 = 107;
export const PGDEACTIVATE: i32 = 108;
export const PGREFILL: i32 = 109;
export const PGROTATED: i32 = 110;
// mm/vmscan.c reclaim_throttle() of a user task in direct reclaim (the kernel's trace_mm_vmscan_throttled, no vmstat
// counter): sleeps for VMSCAN_THROTTLE_NOPROGRESS and VMSCAN_THROTTLE_CONGESTED, and the virtual time they took
export const RECLAIM_THROTTLE_NOPROGRESS: i32 = 111;
export const RECLAIM_THROTTLE_CONGESTED: i32 = 112;
export const RECLAIM_THROTTLE_NS: i32 = 113;
// kswapd's reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK) (shrink_node()'s nr_immediate): sleeps, and their time
export const KSWAPD_THROTTLE_WRITEBACK: i32 = 114;
export const KSWAPD_THROTTLE_NS: i32 = 115;
// the splice-copy remedy: payload pages the kernel copied into a server's pipe (fuse_copy_fill(), unmovable)
export const SERVER_PIPE_COPIES: i32 = 116;
/** FUSE_RELEASE requests: fuse_file_put() at each close(2)'s last reference, in the background. */
export const RELEASE_REQUESTS: i32 = 117;
// Where a run reaches a kernel path the model does not take (README, "Where the emulator differs"), counted so a
// report says whether the difference could have mattered: direct reclaims by a user task that
// throttle_direct_reclaim() would have held (allow_direct_reclaim() false: the model reclaims at once), and
// migration targets alloc_migration_target() did not find at the fast path and the min watermark (the kernel's
// __GFP_RETRY_MAYFAIL target would reclaim and compact first), and 6.1/6.6 migration writeouts whose temp page was
// not found after one round of reclaim (the kernel's GFP_NOFS allocation loops; the model fails the page with the
// file's error).
export const DIRECT_RECLAIM_UNTHROTTLED: i32 = 118;
export const MIGRATION_TARGET_MISSES: i32 = 119;
export const WRITEOUT_TEMP_MISSES: i32 = 120;
