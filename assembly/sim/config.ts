// Scenario and cost-model parameters, written by the host into f64 arrays before sim_init(). Declared once: the
// host's indices (host/gen/contract.ts: CFG, JOB, WL, WL_KIND, COST_NAMES) are generated from this file at build
// time by scripts/gen-contract.mjs. Workload words are i32, workload kinds u32: the generator tells them apart so.

/** The writeback policy's mechanisms (assembly/sim/mechanisms.ts decodes them): temp-page copy 0, copy-free 1. */
export const CFG_WRITEBACK_MODE: i32 = 0;
export const CFG_SEED: i32 = 1;
export const CFG_DURATION_NS: i32 = 2;
export const CFG_SAMPLE_INTERVAL_NS: i32 = 3;
export const CFG_CHECK_INVARIANTS: i32 = 4;
export const CFG_DATA_MODE: i32 = 5;
export const CFG_DIRTY_RATIO: i32 = 6;
export const CFG_DIRTY_BACKGROUND_RATIO: i32 = 7;
export const CFG_STRICTLIMIT: i32 = 8;
export const CFG_BDI_MAX_RATIO: i32 = 9;
export const CFG_MAX_PAGES: i32 = 10;
export const CFG_MAX_WRITE: i32 = 11;
export const CFG_MAX_BACKGROUND: i32 = 12;
export const CFG_CONGESTION_THRESHOLD: i32 = 13;
export const CFG_WRITEBACK_CACHE: i32 = 14;
export const CFG_MAX_FOLIO_ORDER: i32 = 15;
export const CFG_REQUEST_TIMEOUT_S: i32 = 16;
export const CFG_WB_AREA_PAGES: i32 = 17;
export const CFG_SERVER_THREADS: i32 = 18;
export const CFG_LATENCY_KIND: i32 = 19;
export const CFG_LATENCY_MEAN_NS: i32 = 20;
export const CFG_LATENCY_SIGMA: i32 = 21;
export const CFG_PER_BYTE_NS: i32 = 22;
export const CFG_SPLICE: i32 = 23;
export const CFG_PRIVILEGED: i32 = 24;
export const CFG_SLOW_FACTOR: i32 = 25;
export const CFG_STOP_AFTER_REQUESTS: i32 = 26;
export const CFG_STOP_AT_NS: i32 = 27;
export const CFG_DROP_FRACTION: i32 = 28;
export const CFG_CRASH_AT_NS: i32 = 29;
export const CFG_SPLICE_HOLD_NS: i32 = 30;
export const CFG_NR_JOBS: i32 = 31;
/** Memory workloads in use (the WL_ table below holds MAX_WL). */
export const CFG_NR_WL: i32 = 32;
/** server.attr_timeout: attr_valid in the server's replies (passthrough_ll: 1 s), ns. */
export const CFG_ATTR_TIMEOUT_NS: i32 = 33;
/** server.backing: 1 = tmpfs (shmem pages of this machine), 0 = external (no local memory). */
export const CFG_SERVER_BACKING: i32 = 34;
/** 1 on 6.1/6.6: FUSE has ->writepage (fuse_writepage) for reclaim and no ->migrate_folio. */
export const CFG_FUSE_WRITEPAGE: i32 = 35;
/** The bdi's min_ratio, percent of the dirty threshold (bdi_set_min_ratio; 0 unless an admin sets it). */
export const CFG_BDI_MIN_RATIO: i32 = 36;
/** CONFIG_HZ: the tick rate the dirty throttle counts its pauses and intervals in. */
export const CFG_HZ: i32 = 37;
/** nr_cpu_ids = num_online_cpus(): sizes ratelimit_pages and wb_stat_error(). */
export const CFG_NR_CPUS: i32 = 38;
/** vm.compaction_proactiveness, 0..100 */
export const CFG_COMPACTION_PROACTIVENESS: i32 = 39;
/** sizeof(struct fuse_req) of the run's kernel: the fuse_request slab cache's object size (assembly/mm/slab.ts). */
export const CFG_FUSE_REQ_SIZE: i32 = 40;
/** What migration does with a FUSE folio under writeback: MIGRATE_WB_* (mechanisms.ts). */
export const CFG_MIGRATE_WRITEBACK: i32 = 41;
/** Splice for an unprivileged server: SPLICE_UNPRIV_* (mechanisms.ts). */
export const CFG_SPLICE_UNPRIVILEGED: i32 = 42;
/** 1: the what-if machine.bdi.wb_bg_start (assembly/fs/balance_dirty_pages.ts). */
export const CFG_WB_BG_START: i32 = 43;
/** 1 on 6.14+: __wb_calc_thresh()'s consolidated bump (assembly/fs/dirty.ts); 0: 6.1-6.12's rules. */
export const CFG_WB_THRESH_CONSOLIDATED: i32 = 44;
/** 1 on 6.18+: the FUSE bdi has BDI_CAP_WRITEBACK_ACCT (writeback_inodes, bw_dwork); 0: FUSE's own accounting. */
export const CFG_WB_ACCT: i32 = 45;
/** run.fio_runs: how many times the fio jobs run back to back on the same mount (a benchmark's repeated runs). */
export const CFG_FIO_RUNS: i32 = 46;
/** 1 on 6.12+: reclaim's memcg_full_walk retry in do_try_to_free_pages() and balance_pgdat()'s cache_trim_mode
 *  restart (assembly/fs/reclaim.ts); 0: 6.1's reclaim, which has neither. */
export const CFG_RECLAIM_612: i32 = 47;
/** 1: lru_gen_enabled(), the multi-gen LRU (CONFIG_LRU_GEN_ENABLED, machine.lru "mglru": fs/lru_gen.ts); 0: the
 *  classic active/inactive lists. */
export const CFG_LRU_GEN: i32 = 48;
/** 1 before 6.17: undo_isolate_page_range(start, end, migratetype) sets every pageblock of the range to the
 *  caller's migratetype (alloc_contig_pages() passes MIGRATE_MOVABLE) after an alloc_contig_range() attempt,
 *  whatever it was (6.1.192, 6.12.118); 0 (6.17+, Zi Yan's "Make MIGRATE_ISOLATE a standalone bit"): the block
 *  keeps its own type (assembly/mm/contig.ts). */
export const CFG_UNDO_ISOLATE_MOVABLE: i32 = 49;
/** 1 on 6.12+: generic_perform_write() calls balance_dirty_pages_ratelimited() at the top of each chunk, before
 *  ->write_begin(); 0 (6.1, 6.6): after ->write_end() (assembly/fs/writer.ts). */
export const CFG_BDP_BEFORE_WRITE_BEGIN: i32 = 50;
export const CFG_WORDS: i32 = 51;

// Per writer job, JOB_WORDS values from jobs_ptr() + job * JOB_WORDS.
export const JOB_BS: i32 = 0;
export const JOB_SIZE: i32 = 1;
export const JOB_RANDOM: i32 = 2;
export const JOB_FSYNC_EVERY: i32 = 3;
export const JOB_END_FSYNC: i32 = 4;
/** fio rate=: bytes per second, 0 = unlimited. */
export const JOB_RATE: i32 = 5;
/** How fio lays the file out before the job's clock starts (filesetup.c: extend_file() -> fallocate_file()):
 *  LAYOUT_* below. */
export const JOB_FALLOCATE: i32 = 6;
/** fio time_based: at the end of the file the job goes on from its start (io_u.c get_next_seq_offset()) until its
 *  runtime has passed. */
export const JOB_TIME_BASED: i32 = 7;
/** fio runtime= (its `timeout`), ns after the ramp: the job stops issuing once it has passed (0 = none). */
export const JOB_RUNTIME_NS: i32 = 8;
/** fio ramp_time=, ns: the writes of the job's first ramp_time are made and not counted. */
export const JOB_RAMP_NS: i32 = 9;
/** fio invalidate= (default 1): posix_fadvise(POSIX_FADV_DONTNEED) of the file when a time_based job wraps. */
export const JOB_INVALIDATE: i32 = 10;
export const JOB_WORDS: i32 = 11;
/** fallocate=none: an empty file. */
export const LAYOUT_NONE: i32 = 0;
/** fallocate=native or posix: fallocate(fd, 0, 0, size) (os/os-linux.h fio_fallocate()), i_size = size. */
export const LAYOUT_FALLOCATE: i32 = 1;
/** fallocate=keep: fallocate(FALLOC_FL_KEEP_SIZE): space allocated, i_size stays 0. */
export const LAYOUT_KEEP_SIZE: i32 = 2;
/** fallocate=truncate: ftruncate(size): i_size = size, nothing allocated. */
export const LAYOUT_TRUNCATE: i32 = 3;
export const MAX_JOBS: i32 = 64;

// Memory workloads, WL_WORDS values each from workloads_ptr() + i * WL_WORDS: churn (kind 0..2 =
// movable, unmovable, reclaimable), high-order attempts (kind 3..5 = thp, contig, gigantic) and memory offline (6).
export const WL_KIND: i32 = 0;
export const WL_ORDER: i32 = 1;
/** churn: allocations per second; high-order: interval between attempts, ns. */
export const WL_RATE_OR_INTERVAL: i32 = 2;
/** churn: mean lifetime, ns; high-order: hold time, ns. */
export const WL_LIFETIME_OR_HOLD: i32 = 3;
/** When the workload starts, ns (its first allocation or attempt). */
export const WL_START: i32 = 4;
export const WL_WORDS: i32 = 5;
export const MAX_WL: i32 = 32;
export const WL_CHURN_MOVABLE: u32 = 0;
export const WL_CHURN_UNMOVABLE: u32 = 1;
export const WL_CHURN_RECLAIMABLE: u32 = 2;
export const WL_THP: u32 = 3;
export const WL_CONTIG: u32 = 4;
export const WL_GIGANTIC: u32 = 5;
/** Memory offline of a memory block in the top zone (offline_pages()): kind 6. */
export const WL_OFFLINE: u32 = 6;
/** THP faults outside a MADV_HUGEPAGE region (highorder `madvise: false`): kind 7. */
export const WL_THP_NOMADVISE: u32 = 7;
export const wl = new StaticArray<f64>(MAX_WL * WL_WORDS);
@inline export function wl_param(i: u32, k: i32): f64 { return unchecked(wl[<i32>i * WL_WORDS + k]); }

// Cost model (host/sim/cost-model.json documents each number), nanoseconds.
export const COST_SYSCALL: i32 = 0;
export const COST_COPY_PER_BYTE: i32 = 1;
export const COST_PAGE_ALLOC: i32 = 2;
export const COST_PAGE_FREE: i32 = 3;
export const COST_PAGECACHE_LOOKUP: i32 = 4;
export const COST_PAGECACHE_INSERT: i32 = 5;
export const COST_FOLIO_MARK_DIRTY: i32 = 6;
export const COST_BLOCK_STATE: i32 = 7;
export const COST_WRITEPAGES_PER_FOLIO: i32 = 8;
export const COST_FOLIO_START_WRITEBACK: i32 = 9;
export const COST_FOLIO_END_WRITEBACK: i32 = 10;
export const COST_TEMP_PAGE_ACCOUNT: i32 = 11;
export const COST_RBTREE_NODE: i32 = 12;
export const COST_REQUEST_SETUP: i32 = 13;
export const COST_REQUEST_QUEUE: i32 = 14;
export const COST_DEV_READ: i32 = 15;
export const COST_SERVER_PER_REQUEST: i32 = 16;
export const COST_SERVER_BACKING_PER_PAGE: i32 = 17;
export const COST_SERVER_BACKING_PER_BYTE: i32 = 18;
export const COST_REQUEST_END: i32 = 19;
export const COST_WAKEUP: i32 = 20;
export const COST_BALANCE_DIRTY_PAGES: i32 = 21;
export const COST_WRITE_ITER: i32 = 22;
export const COST_THREAD_CREATE: i32 = 23;
export const COST_PAGECACHE_REMOVE: i32 = 24;
export const COST_WORDS: i32 = 25;

export const cfg = new StaticArray<f64>(CFG_WORDS);
export const jobs = new StaticArray<f64>(MAX_JOBS * JOB_WORDS);
export const cost = new StaticArray<f64>(COST_WORDS);

@inline export function cost_ns(i: i32): f64 { return unchecked(cost[i]); }
@inline export function param(i: i32): f64 { return unchecked(cfg[i]); }
@inline export function job(j: u32, i: i32): f64 { return unchecked(jobs[<i32>j * JOB_WORDS + i]); }
