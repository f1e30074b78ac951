// The simulation: boot the writeback machinery on a booted allocator, dispatch events in time order, sample
// time series, and check integrity at the end. The host drives it in batches of events (sim_run).
import { NONE, MAX_NR_ZONES, NR_PAGE_ORDERS, MIGRATE_TYPES, MIGRATE_UNMOVABLE, pageblock_order } from "../mm/constants";
import { PG_dirty, PG_writeback, page_flags } from "../mm/page";
import { NR_FREE_PAGES, fa_count, fa_index } from "../mm/zone";
import { now, schedule, pop_event, popped_type, popped_arg, events_init, events_pending, next_event_time } from "./clock";
import { prng_seed } from "./prng";
import { context_now, charge_reset } from "./charge";
import {
  param, cfg, CFG_SEED, CFG_MAX_PAGES, CFG_SAMPLE_INTERVAL_NS, CFG_CRASH_AT_NS,
  CFG_MAX_FOLIO_ORDER, CFG_COMPACTION_PROACTIVENESS, CFG_FUSE_REQ_SIZE, CFG_NR_CPUS,
} from "./config";
import { slab_init, set_slab_reclaim_hook } from "../mm/slab";
import { stats_reset, wb_stat_init, stat_value, st_add, st_max, PEAK_UNMOVABLE_PAGEBLOCKS, LONGEST_WB_HOLD_NS, EVENTS, BYTES_WRITTEN, NR_FILE_DIRTY, NR_WRITEBACK, NR_WRITEBACK_TEMP, HANGS } from "../fs/stats";
import { dirty_limits_init } from "../fs/dirty";
import { wb_bandwidth_init, wb_update_bandwidth_workfn, EV_WB_BW_DWORK } from "../fs/wb_bandwidth";
import { balance_dirty_pages_init } from "../fs/balance_dirty_pages";
import { jiffies_init, jiffies_at, timer_fire_ns, ns_to_jiffies, HZ } from "./jiffies";
import { nr_inodes, inode_pages, page_version, server_version, mapping_pfn, ino_error, ino_nr_dirty, ino_nr_writeback, test_unwritten_bit } from "../fs/inode";
import {
  writer_on_sync_reply, writers_init, writers_layout, writer_step, writers_on_complete, writers_all_done, writers_blocked,
  writer_memory_retry, writer_pause_end, EV_WRITER, EV_WRITER_MEMORY_RETRY, EV_WRITER_PAUSE,
  writers_forget_building, writers_on_i_sync,
} from "../fs/writer";
import {
  flusher_init, set_i_sync_hook, flusher_on_sync_reply, flusher_step, flusher_timer, flusher_on_complete, flusher_running, wb_wakeup, request_sync_all,
  walk_forget_deferred, EV_FLUSHER, EV_FLUSHER_TIMER,
} from "../fs/writeback";
import {
  requests_init, nr_requests_live, oldest_inflight, next_inflight, req_created, req_kind, req_ino, req_start, req_nr,
  REQ_KIND_WRITE, OWNER_FLUSHER,
} from "../fuse/request";
import { rb_init, rb_find_overlap } from "../fuse/rbtree";
import { conn_init, fuse_abort_conn, fuse_request_expired, set_abort_building_hook, active_background, connected } from "../fuse/conn";
import {
  server_init, server_crash, server_wake_one, server_pick, server_reply, server_store_retry, splice_release_due, EV_SERVER_PICK,
  EV_SERVER_REPLY, EV_SPLICE_RELEASE, EV_SERVER_STORE,
} from "../fuse/server";
import { legacy_wpa_forget, temp_blocks_reset } from "../fuse/legacy";
import { nocopy_wpa_forget } from "../fuse/nocopy";
import { check_sim_invariants, after_checked_event } from "./debug";
import { anon_reset } from "../mm/anon";
import { compaction_init } from "../mm/compact_control";
import { nr_pageblocks, pb_mt } from "../mm/page";
import { reclaim_reset } from "../fs/reclaim";
import { kswapd_init, kswapd_run, wakeup_kswapd } from "../fs/kswapd";
import { kcompactd_init, kcompactd_run, kcompactd_timer, HPAGE_FRAG_CHECK_INTERVAL_NS } from "../mm/kcompactd";
import { set_wb_area, set_kswapd_hook, set_node_dirty_ok_tracked } from "../mm/page_alloc";
import { mechanisms_init, wb_area, request_timeout_ns, writeback_temp_copy } from "./mechanisms";
import { refresh_cpu_vm_stats, pcp_set_cpus } from "../mm/pcp";
import { run_on, cpus_init, CTX_TIMER, CTX_WRITER, CTX_FLUSHER, CTX_SERVER, CTX_KSWAPD, CTX_KCOMPACTD, CTX_WORKLOAD } from "./cpus";
import { data_init, data_page_matches, data_out_of_memory } from "./data";
import { churn_alloc, churn_free, churn_reset, EV_CHURN_ALLOC, EV_CHURN_FREE } from "./churn";
import { oom_reset } from "./oom";
import { highorder_attempt, highorder_free, highorder_reset, highorder_finish, EV_HIGHORDER, EV_HIGHORDER_FREE } from "./highorder";
import { wl_param, WL_KIND, WL_RATE_OR_INTERVAL, WL_START, WL_THP, CFG_NR_WL } from "./config";
// last: imported earlier, direct_compact.ts would set up compaction's module before migrate.ts's constants
import { alloc_pages_may_reclaim, alloc_pages_noretry } from "../mm/direct_compact";
import { set_folio_noretry_hook } from "../fs/folio";
import { arena_alloc, arena_grow_in_chunks } from "./arena";

const EV_SAMPLE: u32 = 20;
const EV_TIMEOUT_CHECK: u32 = 21;
const EV_CRASH: u32 = 22;
const EV_KSWAPD: u32 = 23;
const EV_KCOMPACTD: u32 = 50;
const EV_KCOMPACTD_TIMER: u32 = 51;
const EV_VMSTAT: u32 = 52;
/** mm/vmstat.c: sysctl_stat_interval = HZ; vmstat_shepherd() and vmstat_update() run on whole seconds
 *  (round_jiffies_relative()). */
const STAT_INTERVAL_NS: u64 = 1_000_000_000;
/** kswapd and kcompactd run this long after a wake-up (a context switch away). */
const KTHREAD_WAKE_NS: u64 = 10_000;
// wakeup_kswapd() and wakeup_kcompactd() run in the waker's context, at its own time within its event (context_now():
// the allocation that wakes kswapd comes after the work the waker has already done in this event), as the
// flusher's, a server worker's and a writer's wake-ups are
function schedule_kswapd(): void { schedule(context_now() + KTHREAD_WAKE_NS, EV_KSWAPD, 0); }
function schedule_kswapd_at(at: u64, arg: u32): void { schedule(at, EV_KSWAPD, arg); }
function schedule_kcompactd(): void { schedule(context_now() + KTHREAD_WAKE_NS, EV_KCOMPACTD, 0); }
/** kcompactd's timeout: a new one replaces the pending one (the generation in the event's argument). */
let kcompactd_timer_gen: u32 = 0;
function arm_kcompactd_timer(timeout: u64): void {
  kcompactd_timer_gen++;
  // wait_event_freezable_timeout(..., msecs_to_jiffies(timeout)): a timer on the wheel (timer_fire_ns())
  if (timeout > 0) schedule(timer_fire_ns(now, ns_to_jiffies(timeout)), EV_KCOMPACTD_TIMER, kcompactd_timer_gen);
}
// The timer re-arms only while something else is scheduled: with nothing else left to happen, memory (and the
// fragmentation score) cannot change, and the run would never go idle.
function kcompactd_timer_fired(gen: u32): void {
  if (gen != kcompactd_timer_gen) return;
  const timeout = kcompactd_timer();
  if (events_pending() > 0) arm_kcompactd_timer(timeout);
}
// mm/vmstat.c: vmstat_update() each second: refresh_cpu_vm_stats(true), whose part the model has is
// decay_pcp_high() (pcp.ts). The kernel's shepherd stops re-queueing it on a CPU whose counters stopped moving;
// here it stops when nothing else is scheduled, as kcompactd's timer does.
function vmstat_update(): void {
  refresh_cpu_vm_stats();
  if (events_pending() > 0) schedule(now + STAT_INTERVAL_NS, EV_VMSTAT, 0);
}
/** fs/fuse: the timeout check is a delayed work queued FUSE_TIMEOUT_TIMER_FREQ * HZ (15 s) after the connection is
 *  set up and again at the end of each check; its timer fires as the wheel rounds it (timer_fire_ns()). */
function next_timeout_check(): u64 { return timer_fire_ns(now, 15 * HZ); }

/** A request ended: wake who waits on its pages. Nothing here wakes the flusher for more writeback:
 *  fs/fuse/dev.c fuse_request_end() does not; writers kick it from balance_dirty_pages(). */
function on_complete(ino: u32): void {
  writers_on_complete(ino);
  flusher_on_complete();
}
/** A synchronous request ended: a writer's, or the flusher's ->write_inode. */
function on_sync_reply(owner: u32, kind: u32, ok: bool): void {
  if (owner == OWNER_FLUSHER) flusher_on_sync_reply(); else writer_on_sync_reply(owner, kind, ok);
}
function forget_building(req: u32): void { legacy_wpa_forget(req); nocopy_wpa_forget(req); writers_forget_building(req); walk_forget_deferred(req); }

/** The context an event runs in (sim/cpus.ts): its argument is the writer, worker or workload number. */
function event_context(t: u32): u32 {
  if (t == EV_WRITER || t == EV_WRITER_MEMORY_RETRY || t == EV_WRITER_PAUSE) return CTX_WRITER;
  if (t == EV_FLUSHER || t == EV_FLUSHER_TIMER) return CTX_FLUSHER;
  if (t == EV_SERVER_PICK || t == EV_SERVER_REPLY || t == EV_SERVER_STORE || t == EV_SPLICE_RELEASE) return CTX_SERVER;
  if (t == EV_KSWAPD) return CTX_KSWAPD;
  if (t == EV_KCOMPACTD || t == EV_KCOMPACTD_TIMER) return CTX_KCOMPACTD;
  if (t == EV_CHURN_ALLOC || t == EV_CHURN_FREE || t == EV_HIGHORDER || t == EV_HIGHORDER_FREE) return CTX_WORKLOAD;
  return CTX_TIMER;
}

export function sim_init(): void {
  arena_grow_in_chunks();
  // machine.cpus: every CPU's per-cpu lists, high split over them (zone_highsize()); the run starts on CPU 0
  pcp_set_cpus(<u32>max<f64>(param(CFG_NR_CPUS), 1));
  cpus_init();
  run_on(CTX_TIMER, 0);
  if (param(CFG_MAX_FOLIO_ORDER) > 9) unchecked(cfg[CFG_MAX_FOLIO_ORDER] = 9); // MAX_PAGECACHE_ORDER (x86-64)
  prng_seed(<u64>param(CFG_SEED));
  mechanisms_init();
  set_wb_area(wb_area);
  sync_started = false;
  writers_done_reported = false;
  events_init(1024);
  stats_reset();
  wb_stat_init(<u32>param(CFG_NR_CPUS));
  samples_reset();
  slab_init(<u32>param(CFG_FUSE_REQ_SIZE), <u32>param(CFG_NR_CPUS));
  set_slab_reclaim_hook(alloc_pages_may_reclaim);
  set_folio_noretry_hook(alloc_pages_noretry);
  temp_blocks_reset();
  requests_init(<u32>param(CFG_MAX_PAGES));
  rb_init(256, 64);
  conn_init(server_wake_one, on_complete, on_sync_reply);
  set_abort_building_hook(forget_building);
  set_i_sync_hook(writers_on_i_sync);
  server_init();
  flusher_init();
  // the FUSE bdi (bdi_init, fuse_bdi_init) and writeback_set_ratelimit(); the limits themselves are
  // recomputed on every balance_dirty_pages() from the counters
  jiffies_init();
  dirty_limits_init();
  wb_bandwidth_init();
  balance_dirty_pages_init(wb_wakeup, flusher_running, jiffies_at(0));
  data_init();
  writers_init();
  anon_reset();
  compaction_init(nr_pageblocks);
  reclaim_reset();
  highorder_reset();
  churn_reset();
  oom_reset();
  kswapd_init(schedule_kswapd, schedule_kswapd_at);
  kcompactd_init(schedule_kcompactd);
  set_kswapd_hook(wakeup_kswapd);
  set_node_dirty_ok_tracked(true);
  kcompactd_timer_gen = 0;
  if (param(CFG_COMPACTION_PROACTIVENESS) > 0) arm_kcompactd_timer(HPAGE_FRAG_CHECK_INTERVAL_NS);
  laid_out = false;
  schedule(STAT_INTERVAL_NS, EV_VMSTAT, 0);
  const nr_wl = <u32>param(CFG_NR_WL);
  for (let i: u32 = 0; i < nr_wl; i++) {
    const kind = <u32>wl_param(i, WL_KIND);
    const start = <u64>wl_param(i, WL_START);
    if (kind < WL_THP) { if (wl_param(i, WL_RATE_OR_INTERVAL) > 0) schedule(start, EV_CHURN_ALLOC, i); }
    else schedule(start + <u64>wl_param(i, WL_RATE_OR_INTERVAL), EV_HIGHORDER, i);
  }
  const interval = <u64>param(CFG_SAMPLE_INTERVAL_NS);
  if (interval > 0) schedule(0, EV_SAMPLE, 0);
  if (request_timeout_ns > 0) schedule(next_timeout_check(), EV_TIMEOUT_CHECK, 0);
  if (param(CFG_CRASH_AT_NS) > 0) schedule(<u64>param(CFG_CRASH_AT_NS), EV_CRASH, 0);
}

export const RUN_BUDGET: i32 = 0;
export const RUN_TIME_LIMIT: i32 = 1;
export const RUN_IDLE: i32 = 2;
export const RUN_WRITERS_DONE: i32 = 3;
export const RUN_INVARIANT: i32 = 4;
/** After sim_sync_all(): everything written has reached the server (or an abort ended it). */
export const RUN_SYNCED: i32 = 5;
/** Data mode could not get memory for a page frame or a file image within wasm32's 4 GiB. */
export const RUN_DATA_OUT_OF_MEMORY: i32 = 6;
let sync_started = false;
let writers_done_reported = false;
/** fio's file layout runs once, at the first sim_run(): after a census boot (which replaces the machine's pages
 *  between sim_init() and the run), before the first event. */
let laid_out = false;

/** Runs at most max_events events with time <= until_ns. Stops early (RUN_WRITERS_DONE) the moment the
 *  last writer finishes, so the host can start the final sync. check: run the invariant checker after
 *  every event (RUN_INVARIANT when it fails; sim_invariant_code() says which). */
export function sim_run(max_events: u32, until_ns: f64, check: bool): i32 {
  const until = <u64>until_ns;
  if (!laid_out) { laid_out = true; writers_layout(); }
  // a sync with nothing left to write is over at once (the writers' close(2) may have written everything), not at
  // whatever unrelated event comes next
  if (sync_started && sim_all_clean()) return RUN_SYNCED;
  for (let i: u32 = 0; i < max_events; i++) {
    if (data_out_of_memory) return RUN_DATA_OUT_OF_MEMORY;
    if (events_pending() == 0) return RUN_IDLE;
    if (next_event_time() > until) return RUN_TIME_LIMIT;
    pop_event();
    charge_reset();
    st_add(EVENTS, 1);
    const t = popped_type, a = popped_arg;
    run_on(event_context(t), a);
    if (t == EV_WRITER) writer_step(a);
    else if (t == EV_FLUSHER) flusher_step();
    else if (t == EV_FLUSHER_TIMER) flusher_timer(a);
    else if (t == EV_SERVER_PICK) server_pick(a);
    else if (t == EV_SERVER_REPLY) server_reply(a);
    else if (t == EV_SPLICE_RELEASE) splice_release_due();
    else if (t == EV_SERVER_STORE) server_store_retry(a);
    else if (t == EV_SAMPLE) { sample_now(); schedule(now + <u64>param(CFG_SAMPLE_INTERVAL_NS), EV_SAMPLE, 0); }
    else if (t == EV_TIMEOUT_CHECK) {
      if (fuse_request_expired(request_timeout_ns)) fuse_abort_conn();
      else schedule(next_timeout_check(), EV_TIMEOUT_CHECK, 0);
    } else if (t == EV_CRASH) server_crash();
    else if (t == EV_WRITER_MEMORY_RETRY) writer_memory_retry(a);
    else if (t == EV_WRITER_PAUSE) writer_pause_end(a);
    else if (t == EV_WB_BW_DWORK) wb_update_bandwidth_workfn();
    else if (t == EV_KSWAPD) kswapd_run(a);
    else if (t == EV_KCOMPACTD) {
      kcompactd_run();
      if (param(CFG_COMPACTION_PROACTIVENESS) > 0) arm_kcompactd_timer(HPAGE_FRAG_CHECK_INTERVAL_NS); // timeout reset
    } else if (t == EV_KCOMPACTD_TIMER) kcompactd_timer_fired(a);
    else if (t == EV_VMSTAT) vmstat_update();
    else if (t == EV_CHURN_ALLOC) churn_alloc(a);
    else if (t == EV_CHURN_FREE) churn_free(a);
    else if (t == EV_HIGHORDER) highorder_attempt(a);
    else if (t == EV_HIGHORDER_FREE) highorder_free(a);
    if (check) {
      after_checked_event();
      if (check_sim_invariants() != 0) return RUN_INVARIANT;
    }
    if (!writers_done_reported && writers_all_done()) { writers_done_reported = true; return RUN_WRITERS_DONE; }
    if (sync_started && sim_all_clean()) return RUN_SYNCED;
  }
  return RUN_BUDGET;
}

export function sim_now(): f64 { return <f64>now; }
export function sim_sync_all(): void { sync_started = true; request_sync_all(); }
/** Nothing dirty or under writeback and no request alive: everything the writers wrote has reached the server. */
export function sim_all_clean(): bool {
  for (let i: u32 = 0; i < nr_inodes; i++) if (unchecked(ino_nr_dirty[i]) > 0 || unchecked(ino_nr_writeback[i]) > 0) return false;
  return nr_requests_live == 0;
}
/** A writer blocked this long when the run ends is counted as a hang. */
const HUNG_NS: u64 = 5_000_000_000;
export function sim_writers_blocked(): u32 { return writers_blocked(HUNG_NS); }

// Time series: t, bytes written, nr_dirty, nr_writeback, nr_writeback_temp, free pages, free blocks of
// order >= pageblock_order, active background requests.
export const SAMPLE_WORDS: u32 = 8;
let samples: usize = 0;
let samples_cap: u32 = 0;
let samples_len: u32 = 0;
function samples_reset(): void { samples_len = 0; if (samples_cap == 0) { samples_cap = 256; samples = arena_alloc(<usize>samples_cap * SAMPLE_WORDS << 3); } }
function sample_now(): void {
  if (samples_len == samples_cap) {
    const bigger = arena_alloc(<usize>samples_cap * 2 * SAMPLE_WORDS << 3);
    memory.copy(bigger, samples, <usize>samples_cap * SAMPLE_WORDS << 3);
    samples = bigger;
    samples_cap *= 2;
  }
  let free: i64 = 0, high_order: i64 = 0;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    free += <i64>unchecked(NR_FREE_PAGES[z]);
    for (let o = pageblock_order; o < NR_PAGE_ORDERS; o++)
      for (let mt: u32 = 0; mt < MIGRATE_TYPES; mt++) high_order += <i64>unchecked(fa_count[fa_index(z, o, mt)]) << (o - pageblock_order);
  }
  const row = samples + (<usize>samples_len * SAMPLE_WORDS << 3);
  store<f64>(row, <f64>now);
  store<f64>(row, <f64>stat_value(BYTES_WRITTEN), 8);
  store<f64>(row, <f64>stat_value(NR_FILE_DIRTY), 16);
  store<f64>(row, <f64>stat_value(NR_WRITEBACK), 24);
  store<f64>(row, <f64>stat_value(NR_WRITEBACK_TEMP), 32);
  store<f64>(row, <f64>free, 40);
  store<f64>(row, <f64>high_order, 48);
  store<f64>(row, <f64>active_background, 56);
  samples_len++;
  // the Unmovable pageblocks now (a pageblock's type byte), for their peak over the run
  let unmovable: i64 = 0;
  for (let b: u32 = 0; b < nr_pageblocks; b++) if (load<u8>(pb_mt + <usize>b) == <u8>MIGRATE_UNMOVABLE) unmovable++;
  st_max(PEAK_UNMOVABLE_PAGEBLOCKS, unmovable);
}
export function samples_ptr(): usize { return samples; }
export function samples_count(): u32 { return samples_len; }

/** Is (ino, index) in a write-through FUSE_WRITE still in flight? Its write(2) has not returned: the data is on its
 *  way, not lost. (At most one such request per writer.) */
function sync_write_in_flight(ino: u32, index: u32): bool {
  for (let r = oldest_inflight(); r != NONE; r = next_inflight(r)) {
    if (req_kind(r) != REQ_KIND_WRITE || req_ino(r) != ino) continue;
    if (index >= req_start(r) && index < req_start(r) + req_nr(r)) return true;
  }
  return false;
}

// Integrity (DESIGN.md section 2, "Data"): compare every page's last written version with the backing store.
export const INTEGRITY_WORDS: u32 = 9;
const integrity = new StaticArray<f64>(<i32>INTEGRITY_WORDS);
export function integrity_ptr(): usize { return changetype<usize>(integrity); }
/** Fills [pagesWritten, persisted, lost (error recorded), corrupt, pending (still dirty or in flight), inodes with
 *  errors, the inode and the index of the first corrupt page (-1 if none), lost silently to reclaim or migration
 *  (6.1/6.6 ->writepage left them clean and unwritten)]. */
export function integrity_check(): void {
  let written: f64 = 0, persisted: f64 = 0, lost: f64 = 0, corrupt: f64 = 0, pending: f64 = 0, errors: f64 = 0;
  let first_ino: f64 = -1, first_index: f64 = -1, lost_reclaim: f64 = 0;
  const legacy = writeback_temp_copy;
  for (let ino: u32 = 0; ino < nr_inodes; ino++) {
    if (unchecked(ino_error[ino]) != 0) errors++;
    const pages = inode_pages(ino);
    for (let i: u32 = 0; i < pages; i++) {
      const v = page_version(ino, i);
      if (v == 0) continue;
      written++;
      const sv = server_version(ino, i);
      if (sv == v) {
        // data mode: the bytes too
        if (data_page_matches(ino, i)) persisted++;
        else { if (corrupt == 0) { first_ino = ino; first_index = i; } corrupt++; }
        continue;
      }
      // Still on its way: dirty or under writeback in the page cache, or (legacy) copied into a temp page of a
      // request in flight. The legacy original is clean once copied, so reclaim may have dropped it: the
      // rb-tree is asked whether or not the index is still cached.
      const pfn = mapping_pfn(ino, i);
      const busy = (pfn != NONE && (page_flags(pfn) & (PG_dirty | PG_writeback)) != 0) ||
        (legacy && rb_find_overlap(ino, i, i) != NONE) || sync_write_in_flight(ino, i);
      // after an abort nothing more reaches the server: what is still dirty is lost with the connection
      if (sv < v && busy && connected) pending++;
      else if (sv < v && (unchecked(ino_error[ino]) != 0 || !connected)) lost++;
      // clean, unwritten, no error: fsync returns 0 and a later read gets what the server has
      else if (sv < v && test_unwritten_bit(ino, i)) lost_reclaim++;
      else {
        // a version no writer wrote, or an acknowledged write gone without an error
        if (corrupt == 0) { first_ino = ino; first_index = i; }
        corrupt++;
      }
    }
  }
  if (writers_blocked(HUNG_NS) > 0) st_add(HANGS, <i64>writers_blocked(HUNG_NS));
  // requests still in flight hold their pages too: the longest hold counts them up to now
  for (let r = oldest_inflight(); r != NONE; r = next_inflight(r)) st_max(LONGEST_WB_HOLD_NS, <i64>(now - req_created(r)));
  highorder_finish();
  unchecked(integrity[0] = written); unchecked(integrity[1] = persisted); unchecked(integrity[2] = lost);
  unchecked(integrity[3] = corrupt); unchecked(integrity[4] = pending); unchecked(integrity[5] = errors);
  unchecked(integrity[6] = first_ino); unchecked(integrity[7] = first_index);
  unchecked(integrity[8] = lost_reclaim);
}
