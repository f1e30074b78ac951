// fio-like writer jobs doing write(2) through the FUSE writeback cache: fuse_cache_write_iter() ->
// generic_perform_write() with fuse_write_begin()/fuse_write_end(), balance_dirty_pages_ratelimited() per
// folio (after write_end up to 6.6, before write_begin from 6.12), and fsync (every N writes and/or at the end).
// Each job writes its own file (inode = job number).
// fuse_write_begin() waits for writeback of the page on the temp-page path (fuse_wait_on_page_writeback(), the
// rb-tree, <= 6.15); from 6.16 it does not wait at all, so a write redirties a folio the server still holds.
// fsync (fuse_fsync -> file_write_and_wait_range) runs ->writepages with WB_SYNC_ALL in the writer's own
// context, past the congestion gate, then waits until nothing of the file is in flight.
import { NONE } from "../mm/constants";
import { page_order, page_flags, set_page_flags, page_ref, set_page_ref, PG_folio_writeback, PG_uptodate } from "../mm/page";
import { now, schedule } from "../sim/clock";
import { context_now, charge, charge_reset } from "../sim/charge";
import {
  param, cost_ns, job, CFG_NR_JOBS, CFG_FIO_RUNS, CFG_MAX_FOLIO_ORDER, CFG_WRITEBACK_CACHE, CFG_MAX_WRITE, CFG_MAX_PAGES, CFG_ATTR_TIMEOUT_NS,
  JOB_BS, JOB_SIZE, JOB_RANDOM, JOB_FSYNC_EVERY, JOB_END_FSYNC, JOB_RATE, JOB_FALLOCATE, LAYOUT_FALLOCATE,
  JOB_TIME_BASED, JOB_RUNTIME_NS, JOB_RAMP_NS, JOB_INVALIDATE, CFG_CONGESTION_THRESHOLD,
  LAYOUT_KEEP_SIZE, LAYOUT_TRUNCATE, COST_WRITE_ITER, COST_COPY_PER_BYTE,
  COST_PAGE_ALLOC, COST_PAGECACHE_LOOKUP, COST_PAGECACHE_INSERT, COST_FOLIO_MARK_DIRTY, COST_BLOCK_STATE,
  COST_BALANCE_DIRTY_PAGES, COST_WAKEUP, COST_SYSCALL, CFG_BDP_BEFORE_WRITE_BEGIN,
} from "../sim/config";
import {
  inode_create, inode_pages, mapping_pfn, page_version, set_page_version, ino_nr_writeback,
  ino_attr_valid_until, ino_i_size, next_dirty_index,
} from "./inode";
import {
  filemap_alloc_folio, GFP_PAGECACHE, folio_head, folio_mark_blocks_dirty, folio_clear_reclaim, folio_nr_pages, invalidate_inode_pages2,
  mapping_try_invalidate,
} from "./folio";
import {
  balance_dirty_pages_ratelimited, balance_dirty_pages_pause_end, task_account_dirtied, balance_dirty_pages_task_fork,
} from "./balance_dirty_pages";
import { shrink_page_cache, SWAP_CLUSTER_MAX } from "./reclaim";
import { reclaim_slept_ns } from "./reclaim_throttle";
import { data_write, data_file } from "../sim/data";
import {
  st_add, WRITES_ACKED, BYTES_WRITTEN, BYTES_COPIED_WRITE, WRITER_WB_WAITS, WRITER_WB_WAIT_NS, WRITER_THROTTLE_NS,
  WRITERS_DONE_NS, TEMP_ALLOC_STALL_NS, GETATTR_REQUESTS, FSYNC_REQUESTS, SETATTR_REQUESTS, WRITER_REQ_WAIT_NS, READ_REQUESTS,
  FALLOCATE_FAILS, FLUSH_REQUESTS, FIO_RUNS_DONE, stat,
} from "./stats";
import { fuse_page_is_writeback, legacy_wpa, legacy_wpa_clear, legacy_wpa_restore } from "../fuse/legacy";
import { nocopy_wpa, nocopy_wpa_clear, nocopy_wpa_restore } from "../fuse/nocopy";
import { rb_find_overlap } from "../fuse/rbtree";
import { is_legacy, connected, fuse_send_sync, fuse_send_release, num_background } from "../fuse/conn";
import {
  request_alloc_kind, set_req_pfn, set_req_ver, set_req_nr, REQ_KIND_WRITE, REQ_KIND_GETATTR, REQ_KIND_FSYNC,
  REQ_KIND_READ, REQ_KIND_FLUSH, REQ_KIND_SETATTR, REQ_KIND_RELEASE, REQ_BUILDING, REQ_PROCESSING, REQ_LOST_BY_SERVER, req_state, req_kind, req_nr,
} from "../fuse/request";
import { server_fallocate } from "../fuse/server";
import {
  writepages_walk, writepages_call_start, writepages_call_end, send_building, send_request, walk_index, walk_wait_pfn,
  WALK_WAIT, WALK_STALL, WALK_SENT, write_inode_now_begin, set_walking, send_deferred, walk_ctx_writer, walk_has_deferred,
  write_inode_now_end, write_inode_now_needed, mark_inode_dirty_sync,
} from "./writeback";
import { jiffy_ns, jiffies_at } from "../sim/jiffies";
import { writeback_single_inode_flags } from "./wb_lists";
import { oom_after_no_progress, oom_progress } from "../sim/oom";

export const EV_WRITER: u32 = 1;
export const EV_WRITER_MEMORY_RETRY: u32 = 3;
/** The end of a writer's balance_dirty_pages() pause (io_schedule_timeout). */
export const EV_WRITER_PAUSE: u32 = 40;

const W_RUNNING: u32 = 0;
const W_WAIT_WB: u32 = 1;
const W_WAIT_THROTTLE: u32 = 2;
const W_WAIT_FSYNC: u32 = 3;
const W_WAIT_MEMORY: u32 = 4;
const W_DONE: u32 = 5;
/** In fsync's ->writepages walk: waiting for a folio's writeback to end (folio_wait_writeback), or stalled in the
 *  allocator for a temp page (its reclaim's throttle sleeps, or a jiffy); the walk goes on from w_fsync_index
 *  afterwards. */
const W_WAIT_FSYNC_FOLIO: u32 = 6;
const W_WAIT_FSYNC_STALL: u32 = 7;
/** Asleep in request_wait_answer() for a synchronous request (GETATTR, FSYNC, a write-through FUSE_WRITE). */
const W_WAIT_REQ: u32 = 8;
/** close(2): write_inode_now() waits for the flusher's writeback of the inode to end (inode_wait_for_writeback()). */
const W_WAIT_I_SYNC: u32 = 9;

const MAX_W: i32 = 64;
const w_state = new StaticArray<u32>(MAX_W);
const w_done_bytes = new StaticArray<u64>(MAX_W); // bytes of completed write(2) calls in this pass over the file
/** fio's td->epoch: when the job's I/O began, restarted when its ramp_time ends (reset_all_stats()); its runtime and
 *  its rate= are counted from here. */
const w_epoch = new StaticArray<u64>(MAX_W);
/** fio's td->io_bytes: the bytes of the write(2)s completed since w_epoch (the ones fio counts). */
const w_io_bytes = new StaticArray<u64>(MAX_W);
/** The job's ramp_time is over (at once without one). */
const w_ramp_over = new StaticArray<bool>(MAX_W);
/** fio's td->io_issues: the writes issued since w_epoch (fsync= counts them; the ramp's end restarts them). */
const w_issues = new StaticArray<u64>(MAX_W);
/** The runtime ran out during a rate= sleep: fio's rate_ddir() gives DDIR_TIMEOUT, and set_io_u_file() closes the
 *  file inside do_io(), so the close is in the job's runtime. */
const w_rate_timeout = new StaticArray<bool>(MAX_W);
/** The write to the file's start after a time_based wrap goes out without another runtime check (get_io_u() returns
 *  it after its fadvise). */
const w_skip_runtime_check = new StaticArray<bool>(MAX_W);
const w_cur_off = new StaticArray<u64>(MAX_W);
const w_cur_left = new StaticArray<u64>(MAX_W);
const w_writes = new StaticArray<u64>(MAX_W);
const w_wait_index = new StaticArray<u32>(MAX_W);
const w_blocked_at = new StaticArray<u64>(MAX_W);
const w_perm_a = new StaticArray<u64>(MAX_W);
/** fsync in progress: 0 none, 1 walking (->writepages WB_SYNC_ALL), 2 waiting for the file's writeback to end. */
const w_fsync_phase = new StaticArray<u32>(MAX_W);
const w_fsync_index = new StaticArray<u32>(MAX_W);
const w_wait_pfn = new StaticArray<u32>(MAX_W);
/** The request an fsync walk was filling when it blocked (on a folio's writeback, or in the allocator for a legacy
 *  temp page): write_cache_pages() waits with data->wpa half built and goes on filling it (NONE: none). */
const w_fsync_wpa = new StaticArray<u32>(MAX_W);
/** close(2)'s write_inode_now() holds the inode's I_SYNC (fs/wb_lists.ts) from its walk to the end of its fdatawait. */
const w_i_sync = new StaticArray<bool>(MAX_W);
/** The fsync or close has done its ->write_inode part (below), or sent its FUSE_SETATTR and waits for it. */
const w_meta_done = new StaticArray<bool>(MAX_W);
const w_meta_sent = new StaticArray<bool>(MAX_W);
/** The file's mtime and ctime, as the jiffy they were last set in (file_update_time(); the coarse clock). */
const w_mtime_jiffy = new StaticArray<u64>(MAX_W);
/** A write(2) has begun whose file_update_time() is still to come (after fuse_update_attributes()). */
const w_times_pending = new StaticArray<bool>(MAX_W);
const FSYNC_NONE: u32 = 0;
const FSYNC_WALK: u32 = 1;
const FSYNC_WAIT: u32 = 2;
/** The FUSE_FSYNC request is out. */
const FSYNC_REQ: u32 = 3;
/** posix_fadvise(POSIX_FADV_DONTNEED) at a time_based job's wrap (fadvise_step()): its WB_SYNC_NONE walk. */
const FSYNC_FADV: u32 = 4;
/** posix_fadvise()'s walk has ended with requests still to go out: they do at the next event, then the invalidate. */
const FSYNC_FADV_DROP: u32 = 5;
/** The synchronous request writer j has built and sends at its next event (NONE: none). */
const w_req = new StaticArray<u32>(MAX_W);
/** A write(2) is under way (started, not yet returned to fio). */
const w_in_write = new StaticArray<bool>(MAX_W);
/** close(2) has begun: the fsync-like walk that follows belongs to fuse_flush() and ends in FUSE_FLUSH. */
const w_closing = new StaticArray<bool>(MAX_W);
/** fio's td->last_ddir_issued is a sync: the job's last I/O was an fsync (should_fsync() is false). */
const w_last_sync = new StaticArray<bool>(MAX_W);
/** The fsync or close walk's ->writepages call has begun (do_writepages() brackets it once, across its waits). */
const w_walk_open = new StaticArray<bool>(MAX_W);
/** Chosen by the OOM killer while a request it had built was not yet queued: it ends at that request's reply. */
const w_killed = new StaticArray<bool>(MAX_W);
const w_wake_at = new StaticArray<u64>(MAX_W); // the end of the writer's throttle pause
/** 6.12+: the current chunk has had its balance_dirty_pages_ratelimited() call at the top of the loop; a writer
 *  that then waits (write_begin, memory, a read) does not make it again when it goes on. */
const w_bdp_checked = new StaticArray<bool>(MAX_W);
let nr_writers: u32 = 0;
let writers_running: u32 = 0;
/** run.fio_runs: for each run of the jobs, fio's runtime (ns): the longest job's, from the run's start to the
 *  return of its last write(2) (or its end_fsync). fio's thread_main() records it (update_runtime()) when do_io()
 *  returns, before close_and_free_files() closes the file, so the close's writeback and FUSE_FLUSH are outside it.
 *  The next run starts when the last job has closed its file (fio_next_run()). */
const MAX_FIO_RUNS: i32 = 100;
const fio_runtime = new StaticArray<f64>(MAX_FIO_RUNS);
/** The bytes each run's write(2)s returned (the jobs' whole files, unless an error or a kill ended one early; a
 *  ramp_time's writes are not among them). */
const fio_run_bytes = new StaticArray<f64>(MAX_FIO_RUNS);
let fio_run: u32 = 0;
/** When job j's do_io() returned in this run (0: not yet; a job killed first ends its clock when it exits). */
const w_io_end = new StaticArray<u64>(MAX_W);
export function fio_runtimes_ptr(): usize { return changetype<usize>(fio_runtime); }
export function fio_run_bytes_ptr(): usize { return changetype<usize>(fio_run_bytes); }

function gcd(a: u64, b: u64): u64 { while (b != 0) { const t = a % b; a = b; b = t; } return a; }

/** False in the test harness: writes happen only when a test calls harness_write(). */
let autostart: bool = true;
export function set_writers_autostart(v: bool): void { autostart = v; }

/** The writers; balance_dirty_pages() starts background writeback for them (wb_start_background_writeback). */
export function writers_init(): void {
  nr_writers = <u32>param(CFG_NR_JOBS);
  writers_running = nr_writers;
  fio_run = 0;
  for (let j: u32 = 0; j < nr_writers; j++) {
    const size = <u64>job(j, JOB_SIZE);
    const ino = inode_create(<u32>((size + 4095) >> 12));
    data_file(ino, inode_pages(ino));
    writer_open(j, 0);
    unchecked(w_killed[j] = false);
    // randwrite: an affine permutation of the blocks, so each block is written once (fio's random map)
    const blocks = size / <u64>job(j, JOB_BS);
    let a: u64 = blocks > 1 ? (<u64>2654435761 % blocks) | 1 : 1;
    while (blocks > 1 && gcd(a, blocks) != 1) a += 2;
    unchecked(w_perm_a[j] = a);
    if (autostart) schedule(0, EV_WRITER, j);
  }
}

/** fio lays each job's file out before the job's clock starts (filesetup.c: setup_files() -> extend_file() ->
 *  fallocate_file()): by default fallocate(fd, 0, 0, size) (fallocate=native), which FUSE sends as FUSE_FALLOCATE
 *  and, on success, turns into i_size = size (fuse_file_fallocate()). Runs once the machine is set up. */
export function writers_layout(): void {
  if (!autostart) return; // the test harness lays nothing out: its machine starts empty
  for (let j: u32 = 0; j < nr_writers; j++) {
    const ino = j;
    const layout = <i32>job(j, JOB_FALLOCATE);
    const size = <u64>job(j, JOB_SIZE);
    if (layout == LAYOUT_FALLOCATE || layout == LAYOUT_KEEP_SIZE) {
      // a failed fallocate leaves i_size alone; fio logs it and writes anyway (native_fallocate())
      if (!server_fallocate(ino, inode_pages(ino))) st_add(FALLOCATE_FAILS, 1);
      else if (layout == LAYOUT_FALLOCATE) unchecked(ino_i_size[ino] = size);
    } else if (layout == LAYOUT_TRUNCATE) {
      unchecked(ino_i_size[ino] = size);
    }
  }
}

export function writers_all_done(): bool { return writers_running == 0; }

/** fio opens job j's file at t and starts its I/O from the first block. */
function writer_open(j: u32, t: u64): void {
  unchecked(w_state[j] = W_RUNNING);
  unchecked(w_bdp_checked[j] = false);
  unchecked(w_done_bytes[j] = 0);
  unchecked(w_cur_left[j] = 0);
  unchecked(w_writes[j] = 0);
  unchecked(w_fsync_phase[j] = FSYNC_NONE);
  unchecked(w_fsync_wpa[j] = NONE);
  unchecked(w_i_sync[j] = false);
  unchecked(w_meta_sent[j] = false);
  unchecked(w_times_pending[j] = false);
  unchecked(w_req[j] = NONE);
  unchecked(w_in_write[j] = false);
  unchecked(w_closing[j] = false);
  unchecked(w_last_sync[j] = false);
  unchecked(w_walk_open[j] = false);
  unchecked(w_io_end[j] = 0);
  unchecked(w_epoch[j] = t);
  unchecked(w_io_bytes[j] = 0);
  unchecked(w_ramp_over[j] = job(j, JOB_RAMP_NS) == 0);
  unchecked(w_issues[j] = 0);
  unchecked(w_rate_timeout[j] = false);
  unchecked(w_skip_runtime_check[j] = false);
  // the file was just opened (LOOKUP/CREATE): its attributes are fresh for attr_timeout
  unchecked(ino_attr_valid_until[j] = t + <u64>param(CFG_ATTR_TIMEOUT_NS));
}

/** The next of run.fio_runs, as a benchmark script starts fio again on the same mount once the last job of a run
 *  has closed its file: each file exists with its size (fio lays nothing out again), and opening it drops its
 *  cached pages (fuse_open() -> invalidate_inode_pages2(): passthrough_ll sets no FOPEN_KEEP_CACHE in its
 *  default cache mode). The bdi's estimates, the server's tmpfs files and the rest of the machine carry over; the
 *  jobs are new tasks (fio forks them), whose dirty-throttle state starts afresh (copy_process()). */
function fio_next_run(t: u64): bool {
  if (fio_run >= <u32>param(CFG_FIO_RUNS) || !autostart || !connected) return false;
  for (let j: u32 = 0; j < nr_writers; j++) if (unchecked(w_killed[j])) return false; // a killed fio ends the script
  for (let j: u32 = 0; j < nr_writers; j++) {
    // the job's open(2) drops the cached pages inside fio's clock (files are opened by do_io()'s first
    // get_io_u()): each job's task pays for its own file before its first write
    invalidate_inode_pages2(j);
    balance_dirty_pages_task_fork(j);
    writer_open(j, t);
    schedule(t + <u64>charge_reset(), EV_WRITER, j);
  }
  writers_running = nr_writers;
  return true;
}

function writer_block(j: u32, state: u32): void {
  unchecked(w_state[j] = state);
  unchecked(w_blocked_at[j] = now + <u64>charge_reset());
}

function writer_finish(j: u32): void {
  release_i_sync(j);
  unchecked(w_state[j] = W_DONE);
  if (unchecked(w_io_end[j]) == 0) unchecked(w_io_end[j] = context_now());
  writers_running--;
  if (writers_running != 0) return;
  const t = now + <u64>charge_reset();
  // fio's group figures (stat.c sum_thread_stats()): the longest job's runtime, from its epoch (the ramp's end) to
  // the return of its do_io(), and the bytes of every job
  let runtime: u64 = 0, bytes: u64 = 0;
  for (let k: u32 = 0; k < nr_writers; k++) {
    runtime = max(runtime, unchecked(w_io_end[k]) - min(unchecked(w_io_end[k]), unchecked(w_epoch[k])));
    bytes += unchecked(w_io_bytes[k]);
  }
  if (fio_run < <u32>MAX_FIO_RUNS) {
    unchecked(fio_runtime[fio_run] = <f64>runtime);
    unchecked(fio_run_bytes[fio_run] = <f64>bytes);
  }
  fio_run++;
  st_add(FIO_RUNS_DONE, 1);
  if (!fio_next_run(t)) unchecked(stat[WRITERS_DONE_NS] = <i64>t);
}

export const WRITE_DONE: u32 = 0;
export const WRITE_BLOCKED_WB: u32 = 1;
export const WRITE_BLOCKED_MEMORY: u32 = 2;
export const WRITE_THROTTLED: u32 = 3;
/** Write-through: the data went out in a synchronous FUSE_WRITE the writer now waits for. */
export const WRITE_SENT: u32 = 4;
/** fuse_write_begin() sent a synchronous FUSE_READ for the folio and waits for it. */
export const WRITE_READING: u32 = 5;

/** __filemap_get_folio(FGP_CREAT) for writer j at `index`: the cached folio's PFN, or a new folio (direct reclaim
 *  of clean page cache and one more try when memory is short). NONE when the writer must wait for memory (it is
 *  blocked here). */
@inline function grab_folio(j: u32, ino: u32, index: u32, max_order: u32): u32 {
  let pfn = mapping_pfn(ino, index);
  charge(cost_ns(COST_PAGECACHE_LOOKUP));
  if (pfn != NONE) return pfn;
  const off = unchecked(w_cur_off[j]);
  const left_pages = <u32>((unchecked(w_cur_left[j]) + (off & 4095) + 4095) >> 12);
  const file_pages = inode_pages(ino);
  const slept = reclaim_slept_ns();
  let head = filemap_alloc_folio(ino, index, left_pages, max_order, file_pages);
  let progress = false;
  if (head == NONE && (progress = shrink_page_cache(SWAP_CLUSTER_MAX) > 0)) head = filemap_alloc_folio(ino, index, left_pages, max_order, file_pages, true);
  // GFP_HIGHUSER_MOVABLE may not fail: past MAX_RECLAIM_RETRIES loops without progress the OOM killer runs
  if (head == NONE && oom_after_no_progress(j, GFP_PAGECACHE, progress)) {
    if (unchecked(w_state[j]) == W_DONE) return NONE; // it chose this writer
    head = filemap_alloc_folio(ino, index, left_pages, max_order, file_pages);
  }
  if (head == NONE) {
    // the allocation loops again (should_reclaim_retry() only cond_resched()s a user task) after whatever its
    // reclaim slept in reclaim_throttle() (charged: fs/reclaim_throttle.ts); a round that did not sleep waits a
    // jiffy, standing in for the CPU of the reclaim passes the kernel's task spins through (not charged)
    writer_block(j, W_WAIT_MEMORY);
    schedule(unchecked(w_blocked_at[j]) + (reclaim_slept_ns() != slept ? 0 : jiffy_ns()), EV_WRITER_MEMORY_RETRY, j);
    return NONE;
  }
  oom_progress(j);
  charge(cost_ns(COST_PAGE_ALLOC) + cost_ns(COST_PAGECACHE_INSERT));
  return mapping_pfn(ino, index);
}

/** copy_from_user into the page cache: the bytes [off, off + len) of page-cache PFN pfn onwards, each page's content
 *  version one higher. */
@inline function copy_into_cache(j: u32, ino: u32, off: u64, len: u64, pfn: u32): void {
  charge(<f64>len * cost_ns(COST_COPY_PER_BYTE));
  st_add(BYTES_COPIED_WRITE, <i64>len);
  data_write(ino, off, len, pfn, unchecked(w_writes[j]));
  const last = <u32>((off + len - 1) >> 12);
  for (let i = <u32>(off >> 12); i <= last; i++) set_page_version(ino, i, page_version(ino, i) + 1);
}

/** balance_dirty_pages_ratelimited() from writer j's generic_perform_write(), charged: true when the writer must
 *  pause (until w_wake_at). */
function writer_balance_dirty_pages(j: u32): bool {
  charge(cost_ns(COST_BALANCE_DIRTY_PAGES));
  const wake = balance_dirty_pages_ratelimited(j, context_now());
  if (wake == 0) return false;
  unchecked(w_wake_at[j] = wake);
  return true;
}

/** generic_perform_write() with fuse_write_begin()/fuse_write_end() for what is left of writer j's current
 *  write(2) (w_cur_off, w_cur_left). Blocks the writer (writer_block) when it must wait. */
export function generic_perform_write(j: u32): u32 {
  const ino = j;
  const max_order = <u32>param(CFG_MAX_FOLIO_ORDER);
  const bdp_first = param(CFG_BDP_BEFORE_WRITE_BEGIN) != 0;
  while (unchecked(w_cur_left[j]) > 0) {
    // 6.12+: balance_dirty_pages_ratelimited() at the top of each chunk, before ->write_begin()
    if (bdp_first && !unchecked(w_bdp_checked[j])) {
      unchecked(w_bdp_checked[j] = true);
      if (writer_balance_dirty_pages(j)) return WRITE_THROTTLED;
    }
    const off = unchecked(w_cur_off[j]);
    const index = <u32>(off >> 12);
    const pfn = grab_folio(j, ino, index, max_order);
    if (pfn == NONE) return WRITE_BLOCKED_MEMORY;
    // an order-0 folio under a branch: the next chunk's offset then does not wait for the load of the page's order
    const order = page_order(pfn);
    const head = order == 0 ? pfn : folio_head(pfn);
    // fuse_write_begin(): <= 6.15 waits for the range's in-flight temp copies (the rb-tree); 6.16 waits for nothing
    if (is_legacy() && fuse_page_is_writeback(ino, index)) {
      unchecked(w_wait_index[j] = index);
      st_add(WRITER_WB_WAITS, 1);
      writer_block(j, W_WAIT_WB);
      return WRITE_BLOCKED_WB;
    }
    const folio_pos = <u64>(index - (pfn - head)) << 12;
    const folio_bytes = <u64>4096 << order;
    const chunk = min(unchecked(w_cur_left[j]), folio_pos + folio_bytes - off);
    // fuse_write_begin(): a write that does not cover the whole folio, to a folio not uptodate that begins inside
    // i_size, reads the folio first: fuse_do_readpage() (6.16: fuse_do_readfolio()), a synchronous FUSE_READ.
    // Past i_size the folio is zeroed instead, and fuse_write_end() marks it uptodate.
    if ((page_flags(head) & PG_uptodate) == 0 && chunk < folio_bytes && unchecked(ino_i_size[ino]) > folio_pos) {
      send_read(j, ino, head, <u32>(folio_pos >> 12), folio_nr_pages(head));
      return WRITE_READING;
    }
    // copy the user data into the folio, up to the folio's end
    copy_into_cache(j, ino, off, chunk, pfn);
    // fuse_write_end(): i_size_write() past the old end
    if (off + chunk > unchecked(ino_i_size[ino])) unchecked(ino_i_size[ino] = off + chunk);
    const n = <u32>((off + chunk - 1) >> 12) - index + 1;
    // fuse_write_end() -> folio_mark_dirty() (6.1: set_page_dirty()): a folio reclaim marked loses the mark
    folio_clear_reclaim(head);
    const newly_dirty = folio_mark_blocks_dirty(ino, index, pfn, n);
    if (newly_dirty) {
      charge(cost_ns(COST_FOLIO_MARK_DIRTY));
      task_account_dirtied(j, <u64>folio_nr_pages(head));
    }
    charge(<f64>n * cost_ns(COST_BLOCK_STATE));
    unchecked(w_cur_off[j] = off + chunk);
    unchecked(w_cur_left[j] -= chunk);
    unchecked(w_bdp_checked[j] = false);
    // <= 6.6: balance_dirty_pages_ratelimited() after ->write_end()
    if (!bdp_first && writer_balance_dirty_pages(j)) return WRITE_THROTTLED;
  }
  return WRITE_DONE;
}

/** fs/fuse/file.c: fuse_perform_write() without the writeback cache, one round: fuse_fill_write_pages() copies up
 *  to max_write bytes over at most max_pages pages (fuse_wr_pages) into page-cache pages that stay clean, ending
 *  at a page it does not fill whole, and fuse_send_write_pages() sends them as one synchronous FUSE_WRITE. Before
 *  sending it waits for writeback of those pages (<= 6.15: the rb-tree). */
function fuse_perform_write(j: u32): u32 {
  const ino = j;
  const off = unchecked(w_cur_off[j]);
  const first = <u32>(off >> 12);
  const max_pages = <u64>param(CFG_MAX_PAGES);
  let count = min(unchecked(w_cur_left[j]), <u64>param(CFG_MAX_WRITE));
  count = min(count, (max_pages << 12) - (off & 4095));
  const last = <u32>((off + count - 1) >> 12);
  for (let i = first; i <= last; i++) {
    if (is_legacy() && fuse_page_is_writeback(ino, i)) {
      unchecked(w_wait_index[j] = i);
      st_add(WRITER_WB_WAITS, 1);
      writer_block(j, W_WAIT_WB);
      return WRITE_BLOCKED_WB;
    }
  }
  // every page first: a writer that must wait for memory has copied nothing yet, and finds the pages it got
  // in the page cache when it tries again (the kernel fills page by page; its allocation does not give up)
  // (each page locked and referenced as it is found, so that reclaim for the next one cannot take it)
  for (let i = first; i <= last; i++) {
    const pfn = grab_folio(j, ino, i, 0);
    if (pfn == NONE) {
      for (let k = first; k < i; k++) { const p = mapping_pfn(ino, k); set_page_ref(p, page_ref(p) - 1); }
      return WRITE_BLOCKED_MEMORY;
    }
    set_page_ref(pfn, page_ref(pfn) + 1);
  }
  const req = request_alloc_kind(ino, first, REQ_KIND_WRITE, j);
  for (let i = first; i <= last; i++) {
    const pfn = mapping_pfn(ino, i);
    const from = max(off, <u64>i << 12), to = min(off + count, <u64>(i + 1) << 12);
    copy_into_cache(j, ino, from, to - from, pfn);
    // the page stays locked and referenced by the request until its reply: reclaim and migration leave it alone
    set_page_flags(pfn, page_flags(pfn) | PG_uptodate);
    set_req_pfn(req, i - first, pfn);
    set_req_ver(req, i - first, page_version(ino, i));
  }
  set_req_nr(req, last - first + 1);
  // fuse_write_update_attr() at the reply; the write-through path never reads i_size back
  if (off + count > unchecked(ino_i_size[ino])) unchecked(ino_i_size[ino] = off + count);
  unchecked(w_cur_off[j] = off + count);
  unchecked(w_cur_left[j] -= count);
  send_when_ready(j, req);
  return WRITE_SENT;
}

/** The writer has done its CPU work for a synchronous request: it goes out once that time has passed (the
 *  writer's next event), and the writer sleeps in request_wait_answer() until the reply. */
function send_when_ready(j: u32, req: u32): void {
  unchecked(w_req[j] = req);
  schedule(now + <u64>charge_reset(), EV_WRITER, j);
}

/** fuse_do_readpage() for the n pages of the folio at `head` (file index `start`): the folio stays locked with write_begin's
 *  reference until the reply (reclaim and migration leave it alone), and the writer sleeps in request_wait_answer(). */
function send_read(j: u32, ino: u32, head: u32, start: u32, n: u32): void {
  st_add(READ_REQUESTS, 1);
  const req = request_alloc_kind(ino, start, REQ_KIND_READ, j);
  for (let i: u32 = 0; i < n; i++) {
    set_page_ref(head + i, page_ref(head + i) + 1);
    set_req_pfn(req, i, head + i);
  }
  set_req_nr(req, n);
  send_when_ready(j, req);
}

function send_sync(j: u32, kind: u32): void {
  st_add(kind == REQ_KIND_GETATTR ? GETATTR_REQUESTS : kind == REQ_KIND_FLUSH ? FLUSH_REQUESTS :
    kind == REQ_KIND_SETATTR ? SETATTR_REQUESTS : FSYNC_REQUESTS, 1);
  charge(cost_ns(COST_SYSCALL));
  send_when_ready(j, request_alloc_kind(j, 0, kind, j));
}

/** One event of writer j: continue its write(2) (or start the next), until it blocks or the call ends. */
export function writer_step(j: u32): void {
  if (unchecked(w_state[j]) != W_RUNNING) return;
  if (!connected) { writer_finish(j); return; } // writes to an aborted connection fail with ENOTCONN
  charge_reset();
  // the requests its walk built in its last event reach the connection now, once their fill's time has passed (an
  // abort forgot them); the writer pays for queueing them (fuse_simple_background()), as the flusher does
  send_deferred(walk_ctx_writer(j));
  const req = unchecked(w_req[j]);
  if (req != NONE) {
    // fuse_simple_request(): queued now; the writer sleeps until writer_on_sync_reply()
    fuse_send_sync(req);
    if (unchecked(w_req[j]) != NONE) writer_block(j, W_WAIT_REQ);
    else schedule(now + <u64>charge_reset(), EV_WRITER, j); // an aborted connection ended it at once
    return;
  }
  if (unchecked(w_killed[j])) { writer_finish(j); return; }
  if (unchecked(w_fsync_phase[j]) != FSYNC_NONE) { fsync_step(j); return; }
  const bs = <u64>job(j, JOB_BS), size = <u64>job(j, JOB_SIZE);
  if (unchecked(w_cur_left[j]) == 0) {
    // the write(2) whose last bytes went out before a wait (write-through request, throttling) returns now
    if (unchecked(w_in_write[j])) { finish_write(j, bs); return; }
    let done = unchecked(w_done_bytes[j]);
    const time_based = job(j, JOB_TIME_BASED) != 0;
    // fio's do_io(): runtime_exceeded() before each I/O, then (without time_based) the end of the file
    const over = (unchecked(w_rate_timeout[j]) || !unchecked(w_skip_runtime_check[j])) && runtime_exceeded(j);
    unchecked(w_skip_runtime_check[j] = false);
    if (over || (done >= size && !time_based)) {
      if (unchecked(w_closing[j])) { writer_finish(j); return; }
      // fio's do_io(): end_fsync when should_fsync(), i.e. unless the job's last I/O was already an fsync; the
      // kernel's fuse_fsync() sends FUSE_FSYNC whether or not the file is dirty
      if (job(j, JOB_END_FSYNC) != 0 && !unchecked(w_last_sync[j])) { start_fsync(j); return; }
      // do_io() returns here and fio's clock stops (thread_main(): update_runtime() before close_and_free_files());
      // then fio closes the file: fuse_flush() -> write_inode_now(inode, 1) (WB_SYNC_ALL, waits for the writeback)
      // and fuse_sync_writes(), then a synchronous FUSE_FLUSH (passthrough_ll asks for no FOPEN_NOFLUSH)
      // (a runtime that ran out in a rate= sleep closed the file inside do_io(): the clock stops after the close)
      if (!unchecked(w_rate_timeout[j])) unchecked(w_io_end[j] = context_now());
      unchecked(w_closing[j] = true);
      start_fsync(j);
      return;
    }
    if (done >= size) {
      // time_based: get_next_seq_offset() takes the job back to the file's start (the file stays open), and with
      // invalidate=1 (fio's default) loop_cache_invalidate() first drops the file's cache: posix_fadvise(DONTNEED)
      unchecked(w_done_bytes[j] = 0);
      done = 0;
      if (job(j, JOB_INVALIDATE) != 0) {
        unchecked(w_fsync_phase[j] = FSYNC_FADV);
        unchecked(w_fsync_index[j] = 0);
        fsync_step(j);
        return;
      }
    }
    const k = done / bs;
    const blocks = size / bs;
    const block = job(j, JOB_RANDOM) != 0 ? (k * unchecked(w_perm_a[j])) % blocks : k;
    unchecked(w_cur_off[j] = block * bs);
    unchecked(w_cur_left[j] = min(bs, size - block * bs));
    unchecked(w_in_write[j] = true);
    charge(cost_ns(COST_WRITE_ITER));
    unchecked(w_times_pending[j] = true);
    // fuse_cache_write_iter(): with the writeback cache, fuse_update_attributes(STATX_SIZE | STATX_MODE) first,
    // a synchronous GETATTR once the attributes' timeout (the server's attr_valid) has passed
    if (param(CFG_WRITEBACK_CACHE) != 0 && now >= unchecked(ino_attr_valid_until[j])) { send_sync(j, REQ_KIND_GETATTR); return; }
  }
  if (param(CFG_WRITEBACK_CACHE) == 0) {
    fuse_perform_write(j);
    return;
  }
  // __generic_file_write_iter(): file_update_time() before the copy
  if (unchecked(w_times_pending[j])) { unchecked(w_times_pending[j] = false); file_update_time(j); }
  const r = generic_perform_write(j);
  if (r == WRITE_THROTTLED) {
    // asleep in balance_dirty_pages() until its pause ends (inside write(2): it returns afterwards)
    writer_block(j, W_WAIT_THROTTLE);
    schedule(unchecked(w_wake_at[j]), EV_WRITER_PAUSE, j);
    return;
  }
  if (r != WRITE_DONE) return;
  finish_write(j, bs);
}

/** write(2) returns: acknowledged, then an fsync if the job asks for one, or the next write (fio's rate= permitting). */
function finish_write(j: u32, bs: u64): void {
  unchecked(w_in_write[j] = false);
  unchecked(w_last_sync[j] = false);
  unchecked(w_writes[j] += 1);
  unchecked(w_issues[j] += 1);
  unchecked(w_done_bytes[j] += bs);
  unchecked(w_io_bytes[j] += bs);
  st_add(WRITES_ACKED, 1);
  st_add(BYTES_WRITTEN, <i64>bs);
  // fio 3.33's io_completed() -> should_account() -> ramp_time_over(): the first write to complete once ramp_time has
  // passed ends the ramp, and reset_all_stats() restarts the epoch and wipes the bytes, this write's included
  if (!unchecked(w_ramp_over[j]) && <f64>(context_now() - unchecked(w_epoch[j])) >= job(j, JOB_RAMP_NS)) {
    unchecked(w_ramp_over[j] = true);
    unchecked(w_io_bytes[j] = 0);
    unchecked(w_issues[j] = 0);
    unchecked(w_epoch[j] = context_now());
  }
  const every = <u64>job(j, JOB_FSYNC_EVERY);
  // fio's get_rw_ddir(): a sync after every fsync_blocks writes, clean file or not
  if (every != 0 && unchecked(w_issues[j]) != 0 && unchecked(w_issues[j]) % every == 0) { start_fsync(j); return; }
  schedule_next_write(j);
}

/** The writer's next event: at once, or with fio rate= when the bytes done so far are ahead of the rate (fio sleeps
 *  before it issues the next I/O, after an fsync as after a write). */
function schedule_next_write(j: u32): void {
  let next = now + <u64>charge_reset();
  const rate = job(j, JOB_RATE);
  if (rate > 0) {
    // fio's rate is the job's own: the bytes since its epoch (its start in this run, or its ramp's end)
    let due = unchecked(w_epoch[j]) + <u64>(<f64>unchecked(w_io_bytes[j]) / rate * 1e9);
    // rate_ddir(): a sleep that would pass the end of the runtime stops there, and no write follows
    const runtime = job(j, JOB_RUNTIME_NS);
    const end = unchecked(w_epoch[j]) + <u64>runtime;
    if (runtime > 0 && unchecked(w_ramp_over[j]) && next < end && due > end) { due = end; unchecked(w_rate_timeout[j] = true); }
    if (due > next) next = due;
  }
  schedule(next, EV_WRITER, j);
}

/** fio's runtime_exceeded() (backend.c): never during the ramp; then whether `runtime` has passed since the epoch. */
function runtime_exceeded(j: u32): bool {
  const runtime = job(j, JOB_RUNTIME_NS);
  if (runtime == 0 || !unchecked(w_ramp_over[j])) return false;
  return <f64>(context_now() - unchecked(w_epoch[j])) >= runtime;
}

function start_fsync(j: u32): void {
  unchecked(w_fsync_phase[j] = FSYNC_WALK);
  unchecked(w_meta_done[j] = false);
  unchecked(w_fsync_index[j] = 0);
  fsync_step(j);
}

/** fuse_fsync(): file_write_and_wait_range() runs ->writepages (WB_SYNC_ALL: no congestion gate) over the file in
 *  this context, waiting on folios still under writeback; then the file's writeback must end (fdatawait, and
 *  fuse_sync_writes() for the temp-page path's requests in flight); then a synchronous FUSE_FSYNC. */
function fsync_step(j: u32): void {
  const ino = j;
  const phase = unchecked(w_fsync_phase[j]);
  if (phase == FSYNC_FADV) { fadvise_step(j); return; }
  if (phase == FSYNC_FADV_DROP) { fadvise_invalidate(j); return; }
  if (phase == FSYNC_REQ) {
    unchecked(w_fsync_phase[j] = FSYNC_NONE);
    unchecked(w_last_sync[j] = true);
    if (unchecked(w_closing[j])) {
      // close(2)'s fput(): fuse_release() (write_inode_now() again with the writeback cache: the inode is clean and
      // nothing is under writeback, so it returns at once) -> fuse_file_put(): no writeback request holds the
      // fuse_file any more, so FUSE_RELEASE goes out in the background; the task does not wait for it
      if (connected) fuse_send_release(request_alloc_kind(ino, 0, REQ_KIND_RELEASE, j));
      // after close(2) the job has nothing left to pace: it ends at once, not after a rate= interval
      schedule(now + <u64>charge_reset(), EV_WRITER, j);
    } else schedule_next_write(j);
    return;
  }
  if (phase == FSYNC_WALK && unchecked(w_closing[j]) && !unchecked(w_i_sync[j]) && unchecked(w_fsync_wpa[j]) == NONE &&
      unchecked(w_fsync_index[j]) == 0) {
    // fuse_flush() -> write_inode_now(inode, 1) -> writeback_single_inode(): one writeback of an inode at a time; an
    // inode that is clean with nothing under writeback needs none
    if (!write_inode_now_begin(ino, j)) { writer_block(j, W_WAIT_I_SYNC); return; } // inode_wait_for_writeback()
    if (write_inode_now_needed) unchecked(w_i_sync[j] = true);
    else unchecked(w_fsync_phase[j] = FSYNC_WAIT);
  }
  if (unchecked(w_fsync_phase[j]) == FSYNC_WALK) {
    if (!unchecked(w_walk_open[j])) { unchecked(w_walk_open[j] = true); writepages_call_start(); }
    const slept_before = reclaim_slept_ns();
    const r = writer_walk(j, true);
    // a request went out of the walk: its fill's time passes before the walk goes on (writer_step())
    if (r == WALK_SENT) { schedule(now + <u64>charge_reset(), EV_WRITER, j); return; }
    if (r == WALK_WAIT) {
      unchecked(w_wait_pfn[j] = walk_wait_pfn);
      writer_block(j, W_WAIT_FSYNC_FOLIO);
      return;
    }
    if (r == WALK_STALL) { walk_stall(j, slept_before); return; }
    unchecked(w_fsync_phase[j] = FSYNC_WAIT);
    // the walk's last requests go out when its CPU has passed, before the wait for their writeback
    if (walk_has_deferred(walk_ctx_writer(j))) { schedule(now + <u64>charge_reset(), EV_WRITER, j); return; }
  }
  // legacy close: the originals' writeback ended as their temp pages were filled, so write_inode_now()'s fdatawait
  // finds none; its ->write_inode and the end of I_SYNC come before fuse_sync_writes() waits for the temp pages
  if (is_legacy() && unchecked(w_closing[j]) && !unchecked(w_meta_done[j]) && !write_inode_step(j)) return;
  // file_write_and_wait_range() / filemap_fdatawait() and fuse_sync_writes() wait for the writeback in flight, not
  // for the file to be clean: a page redirtied after the walk passed it stays dirty
  if (unchecked(ino_nr_writeback[j]) > 0 && connected) { writer_block(j, W_WAIT_FSYNC); return; }
  // close: the rest of write_inode_now(); fsync: sync_inode_metadata()
  if (!unchecked(w_meta_done[j]) && !write_inode_step(j)) return;
  unchecked(w_fsync_phase[j] = FSYNC_REQ);
  send_sync(j, unchecked(w_closing[j]) ? REQ_KIND_FLUSH : REQ_KIND_FSYNC);
}

/** One stretch of a writer's ->writepages walk over its file (fsync and close: WB_SYNC_ALL; fadvise: WB_SYNC_NONE)
 *  from w_fsync_index, inside the call the caller opened (w_walk_open). The walk builds requests of its own: the
 *  flusher's half-built one waits aside, and the walk takes back the one it held when it stopped. It stops after each
 *  request it sends (WALK_SENT), which reaches the connection at the writer's next event, once the CPU of its fill
 *  has passed (fuse_writepages_send() runs inside the walk, as for the flusher). When it blocks (write_cache_pages()
 *  in folio_prepare_writeback() -> folio_wait_writeback(), or in the temp page's allocation inside
 *  fuse_writepages_fill()) it keeps data->wpa half built, sent when the walk ends; at its end fuse_writepages() sends
 *  the last request and the call ends. */
function writer_walk(j: u32, sync: bool): u32 {
  const saved_legacy = legacy_wpa, saved_nocopy = nocopy_wpa;
  legacy_wpa_clear(); nocopy_wpa_clear();
  const held = unchecked(w_fsync_wpa[j]);
  unchecked(w_fsync_wpa[j] = NONE);
  if (is_legacy()) legacy_wpa_restore(held); else nocopy_wpa_restore(held);
  set_walking(walk_ctx_writer(j));
  const r = writepages_walk(j, unchecked(w_fsync_index[j]), i64.MAX_VALUE, sync, true);
  if (r == WALK_WAIT || r == WALK_STALL || r == WALK_SENT) {
    unchecked(w_fsync_wpa[j] = is_legacy() ? legacy_wpa : nocopy_wpa);
  } else {
    send_building();
    unchecked(w_walk_open[j] = false);
    writepages_call_end();
  }
  set_walking(NONE);
  // the writer sleeps next (on a folio's writeback, or in the temp page's allocation): what it built goes out now,
  // up to a fill period early, as the flusher's does
  if (r == WALK_WAIT || r == WALK_STALL) send_deferred(walk_ctx_writer(j));
  legacy_wpa_restore(saved_legacy); nocopy_wpa_restore(saved_nocopy);
  unchecked(w_fsync_index[j] = walk_index);
  return r;
}

/** A writer's ->writepages walk (fsync, close, fadvise) stalled on a legacy temp page: its GFP_NOFS allocation loops
 *  in this user task, after its reclaim's throttle sleeps (in the charge), or a jiffy standing in for the uncharged
 *  CPU of a round that did not sleep (grab_folio()); the walk goes on at EV_WRITER_MEMORY_RETRY. */
function walk_stall(j: u32, slept_before: i64): void {
  const slept = reclaim_slept_ns() - slept_before;
  const spin = slept != 0 ? 0 : jiffy_ns();
  st_add(TEMP_ALLOC_STALL_NS, slept + <i64>spin);
  writer_block(j, W_WAIT_FSYNC_STALL);
  schedule(unchecked(w_blocked_at[j]) + spin, EV_WRITER_MEMORY_RETRY, j);
}

/** fio's loop_cache_invalidate() at a time_based job's wrap (io_u.c; invalidate=1): posix_fadvise(fd, 0, size,
 *  POSIX_FADV_DONTNEED) in the job's own context. mm/fadvise.c generic_fadvise() (FUSE has no ->fadvise):
 *  __filemap_fdatawrite_range(WB_SYNC_NONE) -> do_writepages() -> fuse_writepages(), which writes nothing while
 *  the connection is congested (num_background >= congestion_threshold) and otherwise sends the file's dirty
 *  folios, passing over those still under writeback; then mapping_try_invalidate() drops every clean folio that is
 *  not under writeback and not referenced elsewhere. The walk blocks only where fsync's does for a legacy temp
 *  page's allocation; the write to the file's start follows. */
function fadvise_step(j: u32): void {
  const ino = j;
  // the call stays open across a stall (w_walk_open): only its first step makes the system call
  if (!unchecked(w_walk_open[j])) {
    charge(cost_ns(COST_SYSCALL));
    // filemap_fdatawrite_wbc(): nothing to write unless the mapping is tagged dirty
    if (next_dirty_index(ino, 0) == NONE) { fadvise_invalidate(j); return; }
    unchecked(w_walk_open[j] = true);
    writepages_call_start();
    if (num_background >= <u32>param(CFG_CONGESTION_THRESHOLD)) {
      unchecked(w_walk_open[j] = false);
      writepages_call_end();
      fadvise_invalidate(j);
      return;
    }
  }
  const slept_before = reclaim_slept_ns();
  // WB_SYNC_NONE passes over folios under writeback: the walk never waits (WALK_WAIT), it may stall
  const r = writer_walk(j, false);
  if (r == WALK_SENT) { schedule(now + <u64>charge_reset(), EV_WRITER, j); return; }
  if (r == WALK_STALL) { walk_stall(j, slept_before); return; }
  // generic_fadvise() invalidates after its writeback call has sent the last requests
  if (walk_has_deferred(walk_ctx_writer(j))) {
    unchecked(w_fsync_phase[j] = FSYNC_FADV_DROP);
    schedule(now + <u64>charge_reset(), EV_WRITER, j);
    return;
  }
  fadvise_invalidate(j);
}

/** generic_fadvise()'s second half: mapping_try_invalidate() over the file (deactivate_file_folio() of the folios
 *  it leaves is not modelled), then the job's write to the file's start. */
function fadvise_invalidate(j: u32): void {
  mapping_try_invalidate(j);
  unchecked(w_fsync_phase[j] = FSYNC_NONE);
  unchecked(w_fsync_index[j] = 0);
  unchecked(w_skip_runtime_check[j] = true);
  schedule_next_write(j);
}

/** __writeback_single_inode()'s ->write_inode part for fsync and close: with I_SYNC held (close took it for its
 *  walk; fsync's sync_inode_metadata() takes it here, waiting for the flusher's writeback of the inode, and does
 *  nothing for an inode with nothing dirty and nothing under writeback), the inode's dirty flags are taken, and
 *  times dirtied since the last ->write_inode (I_DIRTY_SYNC) go to the server: fuse_write_inode() ->
 *  fuse_flush_times(), a synchronous FUSE_SETATTR. Then I_SYNC clears. False while it waits. */
function write_inode_step(j: u32): bool {
  const ino = j;
  if (!unchecked(w_i_sync[j]) && !unchecked(w_meta_sent[j])) {
    if (unchecked(w_closing[j])) { unchecked(w_meta_done[j] = true); return true; } // write_inode_now() had nothing to do
    if (!write_inode_now_begin(ino, j)) { writer_block(j, W_WAIT_I_SYNC); return false; }
    if (!write_inode_now_needed) { unchecked(w_meta_done[j] = true); return true; }
    unchecked(w_i_sync[j] = true);
  }
  if (!unchecked(w_meta_sent[j]) && writeback_single_inode_flags(ino) && connected) {
    unchecked(w_meta_sent[j] = true);
    send_sync(j, REQ_KIND_SETATTR);
    return false;
  }
  unchecked(w_meta_sent[j] = false);
  unchecked(w_meta_done[j] = true);
  release_i_sync(j);
  return true;
}

/** file_update_time() at the start of a write(2): with the writeback cache a regular FUSE file has no S_NOCMTIME
 *  (fuse_iget()), so mtime and ctime move to the coarse clock's now (a jiffy) whenever it has moved, and
 *  generic_update_time() marks the inode I_DIRTY_SYNC (FUSE has no ->update_time). */
function file_update_time(j: u32): void {
  if (param(CFG_WRITEBACK_CACHE) == 0) return;
  const t = jiffies_at(context_now());
  if (unchecked(w_mtime_jiffy[j]) == t) return;
  unchecked(w_mtime_jiffy[j] = t);
  mark_inode_dirty_sync(j);
}

/** The reply to (or the abort of) writer j's synchronous request. A GETATTR reply refreshes the attributes for
 *  attr_timeout; the writer goes on where it left off. */
export function writer_on_sync_reply(j: u32, kind: u32, ok: bool): void {
  unchecked(w_req[j] = NONE);
  if (ok && kind == REQ_KIND_GETATTR) unchecked(ino_attr_valid_until[j] = now + <u64>param(CFG_ATTR_TIMEOUT_NS));
  if (unchecked(w_state[j]) == W_WAIT_REQ) wake(j, WRITER_REQ_WAIT_NS);
}

// The wake-up is the waker's, at its own virtual time (now + its charge so far in this event): a server thread's
// reply wakes the writer from inside its write(2) to /dev/fuse, after the reply's own work (fuse_request_end()).
function wake(j: u32, ns_stat: i32): void {
  const t = context_now();
  const at = max(t, unchecked(w_blocked_at[j]));
  st_add(ns_stat, <i64>(t - min(t, unchecked(w_blocked_at[j]))));
  unchecked(w_state[j] = W_RUNNING);
  schedule(at + <u64>cost_ns(COST_WAKEUP), EV_WRITER, j);
}

/** EV_WRITER_MEMORY_RETRY: a writer that found no memory tries again. */
export function writer_memory_retry(j: u32): void {
  const s = unchecked(w_state[j]);
  if (s == W_WAIT_MEMORY || s == W_WAIT_FSYNC_STALL) wake(j, WRITER_THROTTLE_NS);
}

/** EV_WRITER_PAUSE: the writer's throttle pause is over; balance_dirty_pages() returns or pauses again. */
export function writer_pause_end(j: u32): void {
  if (unchecked(w_state[j]) != W_WAIT_THROTTLE || now != unchecked(w_wake_at[j])) return; // woken otherwise
  const again = balance_dirty_pages_pause_end(j, now);
  if (again != 0) { unchecked(w_wake_at[j] = again); schedule(again, EV_WRITER_PAUSE, j); return; }
  wake(j, WRITER_THROTTLE_NS);
}

/** Pages of `ino` finished writeback (or memory was freed): wake the writers that can go on. A writer
 *  throttled in balance_dirty_pages() is not among them: its pause is a timeout. */
export function writers_on_complete(ino: u32): void {
  for (let j: u32 = 0; j < nr_writers; j++) {
    const s = unchecked(w_state[j]);
    if (s == W_WAIT_WB && j == ino) {
      const index = unchecked(w_wait_index[j]);
      // bookkeeping only, not charged: the woken writer re-checks (and pays) in fuse_write_begin()
      const busy = rb_find_overlap(ino, index, index) != NONE;
      if (!busy || !connected) wake(j, WRITER_WB_WAIT_NS);
    } else if (s == W_WAIT_FSYNC && j == ino) {
      if (unchecked(ino_nr_writeback[j]) == 0 || !connected) wake(j, WRITER_THROTTLE_NS);
    } else if (s == W_WAIT_FSYNC_FOLIO) {
      // folio_end_writeback() wakes the walk; the folio may have moved or been freed since (then it is done)
      if ((page_flags(unchecked(w_wait_pfn[j])) & PG_folio_writeback) == 0 || !connected) wake(j, WRITER_WB_WAIT_NS);
    } else if (s == W_WAIT_MEMORY || !connected) {
      if (s != W_DONE && s != W_RUNNING) wake(j, WRITER_THROTTLE_NS);
    }
  }
}

/** Writers blocked for at least `ns` (on writeback, throttled, in fsync or out of memory): a hang when the
 *  run ends (the kernel's hung task detector waits 120 s; runs here are shorter). */
export function writers_blocked(ns: u64): u32 {
  let n: u32 = 0;
  for (let j: u32 = 0; j < nr_writers; j++) {
    const s = unchecked(w_state[j]);
    if (s != W_RUNNING && s != W_DONE && now >= unchecked(w_blocked_at[j]) + ns) n++;
  }
  return n;
}
export function writer_count(): u32 { return nr_writers; }

/** fio's process is one the OOM killer may choose while it runs; its rss in the model is its I/O buffer. */
export function writer_is_task(j: u32): bool { return unchecked(w_state[j]) != W_DONE && !unchecked(w_killed[j]); }
export function writer_rss(j: u32): u32 { return <u32>((<u64>job(j, JOB_BS) + 4095) >> 12); }
/** Killed: the job ends (its dirty pages stay in the page cache, written back as any others). */
export function writer_oom_kill(j: u32): void {
  unchecked(w_fsync_phase[j] = FSYNC_NONE);
  release_i_sync(j);
  // a walk blocked with a request half built: the model ends the job at once, so the request goes out now (the
  // kernel's task, in an uninterruptible wait, would finish the walk first)
  const held = unchecked(w_fsync_wpa[j]);
  unchecked(w_fsync_wpa[j] = NONE);
  if (held != NONE) send_request(held);
  const req = unchecked(w_req[j]);
  // request_wait_answer(): a fatal signal ends the wait only for a request still pending and not forced; one the
  // server has read ("already in userspace") or one with args->force (fuse_flush()'s FUSE_FLUSH: FR_FORCE) is
  // waited out, so the job ends at the reply (or the abort). A request it built and queues at its next event is
  // sent first, then waited out alike.
  if (req != NONE && (req_state(req) == REQ_BUILDING || req_state(req) == REQ_PROCESSING ||
      req_state(req) == REQ_LOST_BY_SERVER || req_kind(req) == REQ_KIND_FLUSH)) {
    unchecked(w_killed[j] = true);
    return;
  }
  unchecked(w_req[j] = NONE);
  writer_finish(j);
}

/** The end of close(2)'s write_inode_now() (or of its job): the inode's I_SYNC clears. */
function release_i_sync(j: u32): void {
  if (!unchecked(w_i_sync[j])) return;
  unchecked(w_i_sync[j] = false);
  // write_inode_step() took the dirty flags already; a job that ends on the way (an abort, the OOM killer) takes them here
  write_inode_now_end(j, !unchecked(w_meta_done[j]));
}

/** inode_sync_complete() on `ino`: its writer's close, waiting for the flusher's writeback of it, goes on. */
export function writers_on_i_sync(ino: u32): void {
  if (ino < nr_writers && unchecked(w_state[ino]) == W_WAIT_I_SYNC) wake(ino, WRITER_WB_WAIT_NS);
}

/** An abort ended the request a blocked fsync walk was holding. */
export function writers_forget_building(req: u32): void {
  for (let j: u32 = 0; j < nr_writers; j++) if (unchecked(w_fsync_wpa[j]) == req) unchecked(w_fsync_wpa[j] = NONE);
}

/** Test harness: writer j's fsync (or close(2)'s fuse_flush()), one step (the first call starts it): its state after,
 *  and in `harness_fsync_held` the pages of the request a blocked walk holds (0 for none). */
export let harness_fsync_held: u32 = 0;
export function harness_fsync_step(j: u32, close: bool): u32 {
  send_deferred(walk_ctx_writer(j)); // as writer_step() does at its start
  if (unchecked(w_fsync_phase[j]) == FSYNC_NONE) { unchecked(w_closing[j] = close); start_fsync(j); } else fsync_step(j);
  const held = unchecked(w_fsync_wpa[j]);
  harness_fsync_held = held == NONE ? 0 : req_nr(held);
  return unchecked(w_state[j]);
}

/** Test harness (assembly/sim/harness.ts): one write(2) of writer j at [off, off+len), run at once.
 *  Returns WRITE_DONE, or what it blocks on (the rest of the write stays pending in the writer). The harness has
 *  no clock: a balance_dirty_pages() pause takes no time, and the write goes on after it (the task's pause
 *  bookkeeping is left as the pause found it). */
export function harness_write(j: u32, off: u64, len: u64): u32 {
  unchecked(w_state[j] = W_RUNNING);
  unchecked(w_cur_off[j] = off);
  unchecked(w_cur_left[j] = len);
  unchecked(w_bdp_checked[j] = false);
  let r = generic_perform_write(j);
  while (r == WRITE_THROTTLED && unchecked(w_cur_left[j]) > 0) r = generic_perform_write(j);
  if (r == WRITE_DONE || r == WRITE_THROTTLED) unchecked(w_state[j] = W_DONE);
  return r == WRITE_THROTTLED ? WRITE_DONE : r;
}
