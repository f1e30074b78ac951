// Indices of the core's parameter and result arrays (assembly/sim/config.ts, assembly/fs/stats.ts);
// test/layout.test.ts checks both sides agree.

export const CFG = {
  POLICY: 0, SEED: 1, DURATION_NS: 2, SAMPLE_INTERVAL_NS: 3, CHECK_INVARIANTS: 4, DATA_MODE: 5, DIRTY_RATIO: 6,
  DIRTY_BACKGROUND_RATIO: 7, STRICTLIMIT: 8, BDI_MAX_RATIO: 9, MAX_PAGES: 10, MAX_WRITE: 11, MAX_BACKGROUND: 12,
  CONGESTION_THRESHOLD: 13, WRITEBACK_CACHE: 14, MAX_FOLIO_ORDER: 15, REQUEST_TIMEOUT_S: 16, WB_AREA_PAGES: 17,
  SERVER_THREADS: 18, LATENCY_KIND: 19, LATENCY_MEAN_NS: 20, LATENCY_SIGMA: 21, PER_BYTE_NS: 22, SPLICE: 23,
  PRIVILEGED: 24, SLOW_FACTOR: 25, STOP_AFTER_REQUESTS: 26, STOP_AT_NS: 27, DROP_FRACTION: 28, CRASH_AT_NS: 29,
  SPLICE_HOLD_NS: 30, NR_JOBS: 31, NR_WL: 32, ATTR_TIMEOUT_NS: 33, SERVER_BACKING: 34, FUSE_WRITEPAGE: 35,
  BDI_MIN_RATIO: 36, HZ: 37, NR_CPUS: 38, COMPACTION_PROACTIVENESS: 39, FUSE_REQ_SIZE: 40,
  WB_BG_START: 41,
} as const;
export const CFG_WORDS = 42;

/** Memory workloads: kind (churn movable/unmovable/reclaimable = 0..2, thp/contig/gigantic = 3..5), order,
 *  rate per s or interval ns, lifetime or hold ns. */
export const WL_WORDS = 5;
export const MAX_WL = 32;
export const WL_KIND_INDEX = { movable: 0, unmovable: 1, reclaimable: 2, thp: 3, contig: 4, gigantic: 5, offline: 6 } as const;

export const JOB = { BS: 0, SIZE: 1, RANDOM: 2, FSYNC_EVERY: 3, END_FSYNC: 4, RATE: 5 } as const;
export const JOB_WORDS = 6;
export const MAX_JOBS = 64;

/** Cost model entries in core order; host/sim/cost-model.ts maps cost/cost-model.json onto them. */
export const COST_NAMES = [
  "syscall", "copy_per_byte", "page_alloc", "page_free", "pagecache_lookup", "pagecache_insert",
  "folio_mark_dirty", "block_state", "writepages_per_folio", "folio_start_writeback", "folio_end_writeback",
  "temp_page_account", "rbtree_node", "request_setup", "request_queue", "dev_read", "server_per_request",
  "server_backing_per_page", "server_backing_per_byte", "request_end", "wakeup", "balance_dirty_pages",
  "write_iter",
] as const;
export type CostName = (typeof COST_NAMES)[number];

/** The core's stat array (assembly/fs/stats.ts), by name. */
export const STAT_NAMES = [
  "nr_dirty", "nr_writeback", "nr_writeback_temp", "wb_reclaimable", "wb_writeback", "peak_nr_dirty",
  "peak_nr_writeback", "peak_nr_writeback_temp", "writes_acked", "bytes_written", "bytes_copied_writeback",
  "temp_pages_allocated", "requests_sent", "secondary_requests", "secondary_refreshes", "requests_replied",
  "writer_wb_waits", "writer_wb_wait_ns", "writer_throttle_ns", "longest_wb_hold_ns", "conn_aborts",
  "folio_alloc_fails", "temp_alloc_stalls", "writers_done_ns", "events", "pages_written_back", "rbtree_ops",
  "bytes_copied_write", "bytes_copied_server", "folios_allocated", "requests_dropped", "requests_aborted", "hangs",
  "pgmigrate_success", "pgmigrate_fail", "compact_stall", "compact_fail", "compact_success", "compact_migrate_scanned",
  "compact_free_scanned", "isolate_fail_writeback", "isolate_fail_not_lru", "isolate_fail_pinned",
  "pgmigrate_fail_compaction", "pgmigrate_fail_contig_range", "pgsteal_kswapd", "writeback_cancelled", "wb_area_moves",
  "thp_attempts", "thp_success", "contig_attempts", "contig_success", "contig_hangs", "contig_wait_ns",
  "churn_alloc_fails", "churn_allocs", "flusher_congested_calls", "temp_alloc_stall_ns",
  "getattr_requests", "fsync_requests", "writer_req_wait_ns", "server_alloc_stalls",
  "nr_shmem", "server_buffer_pages", "writepage_activate", "nr_vmscan_write", "migrate_fail_dirty",
  "oom_kills", "oom_kill_server", "oom_kill_writer", "oom_kill_churn", "oom_kill_thp", "oom_no_victim", "oom_first_ns",
  "offline_attempts", "offline_success", "offline_wait_ns", "offline_hangs",
  "nr_file_lru", "wb_dirtied", "wb_written", "bdp_pauses",
  "pgsteal_direct", "pgscan_kswapd", "pgscan_direct", "allocstall_dma32",
  "allocstall_normal", "allocstall_movable", "compact_isolated", "compact_daemon_wake", "compact_daemon_migrate_scanned",
  "compact_daemon_free_scanned", "thp_fault_alloc", "thp_fault_fallback", "pageoutrun",
  "peak_unmovable_pageblocks", "temp_pageblocks", "peak_temp_pageblocks", "temp_pageblocks_at_peak",
] as const;
export type StatName = (typeof STAT_NAMES)[number];
export const STAT_WORDS = 100;

/** assembly/fs/bdi_stats.ts: /sys/kernel/debug/bdi/<bdi>/stats and the throttle's estimates, in core order
 *  (pages, and pages a second for the bandwidths and rates). */
export const BDI_STAT_NAMES = [
  "BdiWriteback", "BdiReclaimable", "BdiDirtyThresh", "DirtyThresh", "BackgroundThresh", "BdiDirtied", "BdiWritten",
  "write_bandwidth", "avg_write_bandwidth", "dirty_ratelimit", "balanced_dirty_ratelimit", "dirty_limit",
  "dirtyable", "wb_bg_thresh", "ratelimit_pages", "pauses",
] as const;
export type BdiStatName = (typeof BDI_STAT_NAMES)[number];

/** assembly/mm/slab.ts: the caches in core order (kmalloc_caches[KMALLOC_NORMAL][], then fuse_request), and the
 *  values slab_stats_fill() gives for each. */
export const SLAB_CACHE_NAMES = [
  "kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96", "kmalloc-128", "kmalloc-192", "kmalloc-256",
  "kmalloc-512", "kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k", "fuse_request",
] as const;
export const SLAB_CACHE_FIELDS = [
  "objsize", "objperslab", "pagesperslab", "active_objs", "num_objs", "num_slabs", "pages", "peak_pages",
  "order_fallback", "alloc_failures",
] as const;

export const SAMPLE_COLUMNS = [
  "t_ns", "bytes_written", "nr_dirty", "nr_writeback", "nr_writeback_temp", "nr_free_pages", "free_pageblocks",
  "active_background",
] as const;

export const POLICY_INDEX = {
  "legacy-copy": 0, nocopy: 1, "nocopy-migrate-skip": 2, "nocopy-timeout": 3, "nocopy-splice-copy": 4,
  "nocopy-cancel": 5, "nocopy-wb-area": 6,
} as const;

export const RUN_STATUS = { BUDGET: 0, TIME_LIMIT: 1, IDLE: 2, WRITERS_DONE: 3, INVARIANT: 4, SYNCED: 5, DATA_OUT_OF_MEMORY: 6 } as const;
export const LATENCY_INDEX = { fixed: 0, exponential: 1, lognormal: 2 } as const;
