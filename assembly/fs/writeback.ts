// The bdi flusher (fs/fs-writeback.c: wb_workfn -> wb_do_writeback -> wb_writeback -> writeback_sb_inodes) and
// FUSE's ->writepages (fs/fuse/file.c: fuse_writepages) on one inode at a time.
// - Work, each wb_do_writeback() round in the kernel's order: a queued sync of everything (WB_SYNC_ALL, the run's
//   final sync), kupdate (wb_check_old_data_flush(): at most once a dirty_writeback_interval), then background
//   writeback while the bdi is over its background threshold (wb_check_background_flush()).
// - The inodes come from the wb's lists (fs/wb_lists.ts): queue_io() fills b_io when it is empty, the flusher takes
//   b_io's tail, and requeue_inode() puts each inode back after its call. Each fuse_writepages() call gets
//   nr_to_write = writeback_chunk_size() pages. For WB_SYNC_NONE it returns at once, writing nothing, while
//   fc->num_background >= fc->congestion_threshold (the congestion gate, in every version 6.1 ... 7.2).
// - wb_writeback() checks the background threshold only between passes (or once HZ/10 of a pass that wrote
//   something has passed), so a pass writes every dirty file before background writeback can stop. A pass that made
//   no progress ends the work ("No more inodes for IO, bail"), and the flusher sleeps. Nothing in FUSE wakes it when
//   requests complete: a writer's balance_dirty_pages() kicks it (wb_start_background_writeback), and wb_workfn
//   re-arms itself for dirty_writeback_interval while the bdi has dirty inodes (wb_wakeup_delayed).
// - I_SYNC: the flusher's call and close(2)'s write_inode_now() never write the same inode at once.
// - A data-integrity walk (WB_SYNC_ALL) waits for a folio still under writeback (folio_prepare_writeback()).
// fsync runs ->writepages in the writer's own context (fs/fs/writer.ts uses writepages_walk() below).
import { NONE } from "../mm/constants";
import { now, schedule, events_of_type } from "../sim/clock";
import { context_now, charge, charge_reset } from "../sim/charge";
import { param, cost_ns, CFG_MAX_PAGES, CFG_MAX_WRITE, CFG_CONGESTION_THRESHOLD, CFG_WB_ACCT, COST_WAKEUP, MAX_JOBS } from "../sim/config";
import { nr_inodes, ino_nr_dirty, ino_nr_writeback, ino_writeback_index, next_dirty_index } from "./inode";
import {
  wb_lists_init, wb_lists_check, wb_has_dirty_io, list_empty, list_tail, queue_io, requeue_io, requeue_inode,
  __mark_inode_dirty, __mark_inode_dirty_sync, inode_dirty_pages, writeback_single_inode_flags, write_inode_now_requeue, inode_dirty, inode_i_sync,
  inode_set_i_sync, I_SYNC_FLUSHER, B_IO, B_MORE_IO, wb_lists_invariant_where,
} from "./wb_lists";
import { wb_over_bg_thresh, dom_dirty_limit } from "./dirty";
import { do_writepages_start, do_writepages_end, avg_write_bandwidth } from "./wb_bandwidth";
import { jiffy_ns, jiffies_at, HZ, timer_fire_ns, ns_to_jiffies } from "../sim/jiffies";
import { legacy_writepage, legacy_wpa, legacy_wpa_clear, legacy_wpa_restore } from "../fuse/legacy";
import { nocopy_writepage, nocopy_wpa, nocopy_wpa_clear, nocopy_wpa_restore, nocopy_wait_pfn, nocopy_nr_written } from "../fuse/nocopy";
import { fuse_send_writepage, fuse_send_sync, is_legacy, num_background, connected } from "../fuse/conn";
import { request_alloc_kind, REQ_KIND_SETATTR, OWNER_FLUSHER } from "../fuse/request";
import { PG_folio_writeback, page_flags } from "../mm/page";
import { st_add, stat_value, FLUSHER_CONGESTED_CALLS, TEMP_ALLOC_STALL_NS, NR_FILE_DIRTY, SETATTR_REQUESTS } from "./stats";

export const EV_FLUSHER: u32 = 2;
/** wb_wakeup_delayed(): the flusher's own timer, dirty_writeback_interval after it last ran. */
export const EV_FLUSHER_TIMER: u32 = 4;

/** fs/fs-writeback.c: MIN_WRITEBACK_PAGES, 4 MiB. */
const MIN_WRITEBACK_PAGES: i64 = 1024;
/** include/linux/writeback.h: DIRTY_SCOPE. */
const DIRTY_SCOPE: i64 = 8;
/** vm.dirty_writeback_centisecs (500) and vm.dirty_expire_centisecs (3000) defaults. */
const DIRTY_WRITEBACK_INTERVAL_NS: u64 = 5_000_000_000;
const DIRTY_EXPIRE_INTERVAL_NS: u64 = 30_000_000_000;
/** ->writepages called with LONG_MAX pages to write (WB_SYNC_ALL). */
const LONG_MAX_PAGES: i64 = i64.MAX_VALUE;

const WORK_NONE: u32 = 0;
const WORK_BACKGROUND: u32 = 1;
const WORK_KUPDATE: u32 = 2;
const WORK_SYNC: u32 = 3;
/** wb_check_start_all()'s work: WB_SYNC_NONE over get_nr_dirty_pages(), neither for_background nor for_kupdate. */
const WORK_START_ALL: u32 = 4;

// wb_do_writeback()'s round: the queued work (the sync), then wb_check_start_all(), wb_check_old_data_flush() and
// wb_check_background_flush(), each once; wb_workfn() starts another round while work is queued
const STAGE_WORK_LIST: u32 = 0;
const STAGE_START_ALL: u32 = 1;
const STAGE_KUPDATE: u32 = 2;
const STAGE_BACKGROUND: u32 = 3;
const STAGE_END: u32 = 4;
/** WB_start_all: wb_start_writeback() asked for a flush of everything (reclaim met only dirty folios). */
let start_all: bool = false;
let stage: u32 = STAGE_END;

let work: u32 = WORK_NONE;
/** An EV_FLUSHER is scheduled (writeback_in_progress()): a kick changes nothing. */
let scheduled: bool = false;
let timer_armed: bool = false;
/** Which arming of the timer is current: a kick that moves the delayed work to now makes the pending event stale. */
let timer_gen: u32 = 0;
/** A WB_SYNC_ALL walk waits for this folio's writeback (folio_wait_writeback); NONE when not waiting. */
let waiting_pfn: u32 = NONE;
/** inode_sleep_on_writeback(): the flusher waits for this inode's I_SYNC, held by a write_inode_now(). */
let waiting_ino: u32 = NONE;
/** ->write_inode: the flusher waits for its FUSE_SETATTR (fuse_flush_times()) before the call's end. */
let waiting_meta: bool = false;
/** The SETATTR is being queued (an aborted connection ends it at once, inside fuse_send_sync()). */
let sending_meta: bool = false;
/** ->write_inode is due for this inode at the flusher's next event (after the CPU time of the call that led to it). */
let meta_to_send: u32 = NONE;
// the fuse_writepages() call in progress
let in_call: bool = false;
let cur_ino: u32 = 0;
let call_index: u32 = 0;
let nr_to_write: i64 = 0;
/** Pages the call in progress has written so far. */
let call_wrote: i64 = 0;
// wb_writeback() and its passes (writeback_sb_inodes()) over b_io
/** queue_io() has run for this work ("queued"): a pass without progress then ends the work. */
let queued: bool = false;
/** wb_writeback()'s dirtied_before: the work's start (sync work), refreshed at each queue_io() otherwise. */
let work_dirtied_before: i64 = 0;
let pass_open: bool = false;
let pass_start: u64 = 0;
/** writeback_sb_inodes()'s dirtied_before, for requeue_inode(). */
let pass_dirtied_before: i64 = 0;
/** writeback_sb_inodes()'s total_wrote: pages written in this pass, plus one per inode it left clean. */
let pass_wrote: i64 = 0;
/** A final sync(2) of everything (the run's end): write back every dirty page, whatever the thresholds. */
export let sync_all: bool = false;
/** The work's nr_pages: LONG_MAX for background and sync work, the dirty pages counted when a kupdate run began
 *  (wb_check_old_data_flush()); each call's pages come off it, and the work ends once it is used up. */
let work_nr_pages: i64 = 0;
/** wb->last_old_flush, in jiffies: the last kupdate run (wb_init() sets it at mount). */
let last_old_flush: u64 = 0;
/** Writers waiting for an inode's I_SYNC (set by the run: writers_on_i_sync()). */
let on_i_sync_complete: (ino: u32) => void = noop_i_sync;
function noop_i_sync(ino: u32): void {}
export function set_i_sync_hook(f: (ino: u32) => void): void { on_i_sync_complete = f; }

export function flusher_init(): void {
  work = WORK_NONE; stage = STAGE_END; scheduled = false; timer_armed = false; waiting_pfn = NONE; waiting_ino = NONE;
  waiting_meta = false; sending_meta = false; meta_to_send = NONE;
  in_call = false; cur_ino = 0; call_index = 0; nr_to_write = 0; sync_all = false; start_all = false;
  wb_lists_init();
  queued = false; work_dirtied_before = 0; pass_open = false; pass_start = 0; pass_dirtied_before = 0; pass_wrote = 0;
  work_nr_pages = 0; last_old_flush = jiffies_at(now);
  walking_ctx = NONE;
  for (let c: u32 = 0; c < NR_WALK_CTX; c++) unchecked(nr_deferred[c] = 0);
}

export function request_sync_all(): void { sync_all = true; wb_wakeup(); }

/** fs/fs-writeback.c: wakeup_flusher_threads(WB_REASON_VMSCAN) -> wb_start_writeback(): reclaim found only dirty
 *  folios not queued for writeback (shrink_inactive_list(): nr_unqueued_dirty == nr_taken). A wb with dirty I/O
 *  gets WB_start_all, unless already set, and a wake-up. */
export function wakeup_flusher_threads_vmscan(): void {
  if (!wb_has_dirty_io() || start_all) return;
  start_all = true;
  wb_wakeup();
}

/** fs/fs-writeback.c: wb_wakeup(): mod_delayed_work(bdi_wq, &wb->dwork, 0), for a kick from outside the flusher
 *  (balance_dirty_pages()'s wb_start_background_writeback(), a queued sync, reclaim). A pending periodic timer is
 *  the same delayed work: it is moved to now, not left to fire again at its old time. A kick while the flusher runs
 *  (reclaim from inside its own ->writepages call, say) queues one more run after this one: start_call() starts
 *  another round for a pending sync or start-all; the timer is left pending. */
export function wb_wakeup(): void {
  if (flusher_running()) return;
  if (timer_armed) { timer_armed = false; timer_gen++; }
  wakeup_flusher();
}

/** wb_wakeup() / wb_start_background_writeback(): run the flusher unless it is running (writeback_in_progress).
 *  The kick is the caller's, at its own virtual time (now + its charge so far in this event). */
export function wakeup_flusher(): void {
  if (scheduled || waiting_pfn != NONE || waiting_ino != NONE || waiting_meta) return;
  scheduled = true;
  schedule(context_now() + <u64>cost_ns(COST_WAKEUP), EV_FLUSHER, 0);
}

/** The periodic timer is pending (wb->dwork queued with a delay). */
export function flusher_timer_armed(): bool { return timer_armed; }

/** EV_FLUSHER_TIMER: the delayed wake-up of wb_workfn, unless a kick took it first (`gen` is stale). */
export function flusher_timer(gen: u32): void {
  if (!timer_armed || gen != timer_gen) return;
  timer_armed = false;
  wakeup_flusher();
}

/** An EV_FLUSHER is pending (the fault plants' and the checker's view). */
export function flusher_scheduled(): bool { return scheduled; }

/** writeback_in_progress(wb): the flusher is scheduled, working, or waiting inside a walk or on an inode. */
export function flusher_running(): bool {
  return scheduled || waiting_pfn != NONE || waiting_ino != NONE || waiting_meta || in_call;
}

/** A request ended: a WB_SYNC_ALL walk waiting on one of its folios goes on (folio_end_writeback wakes it). */
export function flusher_on_complete(): void {
  if (waiting_pfn == NONE || (page_flags(waiting_pfn) & PG_folio_writeback) != 0) return;
  waiting_pfn = NONE;
  wakeup_flusher();
}

/** inode_sync_complete(): I_SYNC is clear; whoever sleeps on it goes on (inode_wake_up_bit()). */
function inode_sync_complete(ino: u32): void {
  inode_set_i_sync(ino, NONE);
  if (waiting_ino == ino) { waiting_ino = NONE; wakeup_flusher(); }
  on_i_sync_complete(ino);
}

/** Test harness: I_SYNC taken by the flusher on `ino`, or released through inode_sync_complete(). */
export function harness_flusher_hold(ino: u32, hold: bool): void {
  if (hold) inode_set_i_sync(ino, I_SYNC_FLUSHER); else inode_sync_complete(ino);
}

/** write_inode_now() by writer j at close (writeback_single_inode()): false when another writeback of the inode
 *  holds I_SYNC (the writer waits for inode_sync_complete()); else true, with `needed` telling whether there is
 *  anything to do (I_DIRTY_PAGES, or pages under writeback to wait for). Takes I_SYNC when there is. */
export let write_inode_now_needed: bool = false;
export function write_inode_now_begin(ino: u32, j: u32): bool {
  if (inode_i_sync(ino) != NONE) return false;
  // nothing to do for an inode not dirty with no folio under writeback (PAGECACHE_TAG_WRITEBACK: legacy's temp
  // pages are not the mapping's, fuse_sync_writes() waits for them afterwards)
  write_inode_now_needed = inode_dirty(ino) || (!is_legacy() && unchecked(ino_nr_writeback[ino]) > 0);
  if (write_inode_now_needed) inode_set_i_sync(ino, j);
  return true;
}
/** The end of write_inode_now()'s writeback_single_inode(): the inode's lists, then I_SYNC clears (`flags`: take
 *  the dirty flags too, when __writeback_single_inode() has not). */
export function write_inode_now_end(ino: u32, flags: bool): void {
  if (flags) writeback_single_inode_flags(ino);
  write_inode_now_requeue(ino, jiffies_at(now));
  inode_sync_complete(ino);
}

/** __mark_inode_dirty(I_DIRTY_PAGES) for a page of `ino` just dirtied (filemap_dirty_folio()). Its first test
 *  (the flags are there already, as they are for all but the first page of a dirtying) is inline: a page is
 *  dirtied per page written. */
@inline export function mark_inode_dirty_pages(ino: u32): void {
  if (!inode_dirty_pages(ino)) mark_inode_dirty_pages_list(ino);
}
function mark_inode_dirty_pages_list(ino: u32): void {
  if (__mark_inode_dirty(ino, jiffies_at(now))) wb_wakeup_delayed();
}
/** __mark_inode_dirty(I_DIRTY_SYNC) for new times of `ino` (generic_update_time()). */
export function mark_inode_dirty_sync(ino: u32): void {
  if (__mark_inode_dirty_sync(ino, jiffies_at(now))) wb_wakeup_delayed();
}

/** fs/fs-writeback.c: writeback_chunk_size() for WB_SYNC_NONE work: min(avg_write_bandwidth / 2,
 *  global_wb_domain.dirty_limit / DIRTY_SCOPE), rounded down to MIN_WRITEBACK_PAGES after adding one. */
function writeback_chunk_size(): i64 {
  let pages = min<i64>(<i64>avg_write_bandwidth / 2, <i64>dom_dirty_limit / DIRTY_SCOPE);
  pages = min<i64>(pages, work_nr_pages);
  return (pages + MIN_WRITEBACK_PAGES) / MIN_WRITEBACK_PAGES * MIN_WRITEBACK_PAGES;
}

/** wb->writeback_inodes: inodes with folios under writeback, counted only with BDI_CAP_WRITEBACK_ACCT (6.18+,
 *  copy-free; before, the FUSE bdi clears it and accounts its writeback itself). */
function writeback_inodes(): u32 {
  if (is_legacy() || param(CFG_WB_ACCT) == 0) return 0;
  let n: u32 = 0;
  for (let i: u32 = 0; i < nr_inodes; i++) if (unchecked(ino_nr_writeback[i]) > 0) n++;
  return n;
}

@inline function any_dirty(ino: u32): bool { return unchecked(ino_nr_dirty[ino]) > 0; }

/** get_nr_dirty_pages(): NR_FILE_DIRTY plus get_nr_dirty_inodes() (the kernel's "wild approximation", every inode in
 *  use; here the dirty inodes). */
function get_nr_dirty_pages(): i64 {
  let nr: i64 = stat_value(NR_FILE_DIRTY);
  for (let i: u32 = 0; i < nr_inodes; i++) if (inode_dirty(i)) nr++;
  return nr;
}

/** The next work of wb_do_writeback()'s round: the queued sync, then wb_check_start_all() (WB_start_all: a
 *  WB_SYNC_NONE work over get_nr_dirty_pages(); the bit clears once it is done), wb_check_old_data_flush() (kupdate:
 *  at most once a dirty_writeback_interval, for the pages dirty then), then wb_check_background_flush(). WORK_NONE
 *  once the round is over. */
function next_work(): u32 {
  while (stage != STAGE_END) {
    const s = stage;
    stage++;
    if (s == STAGE_WORK_LIST) {
      if (sync_all) { work_nr_pages = i64.MAX_VALUE; return WORK_SYNC; }
    } else if (s == STAGE_START_ALL) {
      if (start_all) {
        const nr = get_nr_dirty_pages();
        if (nr > 0) { work_nr_pages = nr; return WORK_START_ALL; }
        start_all = false;
      }
    } else if (s == STAGE_KUPDATE) {
      const j = jiffies_at(now);
      if (j >= last_old_flush + ns_to_jiffies(DIRTY_WRITEBACK_INTERVAL_NS)) {
        last_old_flush = j;
        const nr = get_nr_dirty_pages();
        if (nr > 0) { work_nr_pages = nr; return WORK_KUPDATE; }
      }
    } else if (wb_over_bg_thresh()) { work_nr_pages = i64.MAX_VALUE; return WORK_BACKGROUND; }
  }
  return WORK_NONE;
}

// ---- the ->writepages walk, shared with fsync -------------------------------------------------------------

export const WALK_SENT: u32 = 0; // a request was sent (the caller yields to let time pass)
export const WALK_BUDGET: u32 = 1; // nr_to_write is used up
export const WALK_END: u32 = 2; // no dirty page left at or after the cursor
export const WALK_WAIT: u32 = 3; // WB_SYNC_ALL must wait for walk_wait_pfn's writeback
export const WALK_STALL: u32 = 4; // the legacy temp page found no memory: stall (the caller's rule), then call again
/** After writepages_walk(): where the walk stopped, and how many pages it wrote. */
export let walk_index: u32 = 0;
export let walk_wrote: i64 = 0;
export let walk_wait_pfn: u32 = NONE;

let sent_in_walk: u32 = 0;
/** Requests sent by every walk so far (the harness counts its own). */
let sends_total: u32 = 0;
function send(req: u32): void {
  sent_in_walk++; sends_total++;
  // fuse_writepages_send() runs inside write_cache_pages() once the request's last folio is filled: a request a walk
  // built reaches the connection when the walker's CPU up to here has passed, at the walker's next event (now + the
  // charge this event accumulated); the flusher's and a writer's walk (fsync, close, fadvise) alike
  if (walking_ctx != NONE) {
    const n = unchecked(nr_deferred[walking_ctx]);
    if (n < MAX_DEFERRED) {
      unchecked(deferred[walking_ctx * MAX_DEFERRED + n] = req);
      unchecked(nr_deferred[walking_ctx] = n + 1);
      return;
    }
  }
  fuse_send_writepage(req);
}
/** The context whose walk is running (WALK_CTX_FLUSHER, or walk_ctx_writer(j)), whose sends wait for its next
 *  event; NONE outside a walk. */
let walking_ctx: u32 = NONE;
export const WALK_CTX_FLUSHER: u32 = 0;
/** A writer's walk context: fsync, close(2) and fadvise walk the writer's file in its own context. */
@inline export function walk_ctx_writer(j: u32): u32 { return 1 + j; }
const NR_WALK_CTX: u32 = 1 + <u32>MAX_JOBS;
/** Requests a context's walk built in its last event, to be sent at the start of its next (two at most: the walk
 *  stops after its first send, and the call's end may send the request it was filling). */
const MAX_DEFERRED: u32 = 4;
const deferred = new StaticArray<u32>(<i32>(NR_WALK_CTX * MAX_DEFERRED));
const nr_deferred = new StaticArray<u32>(<i32>NR_WALK_CTX);
/** Runs the walk of `ctx` from here on (NONE: the walk's event is over). */
export function set_walking(ctx: u32): void { walking_ctx = ctx; }
/** Whether the context's walk built requests in this event that are still to go out. */
export function walk_has_deferred(ctx: u32): bool { return unchecked(nr_deferred[ctx]) != 0; }
/** Sends what the context's last event built, in order. */
export function send_deferred(ctx: u32): void {
  const n = unchecked(nr_deferred[ctx]);
  unchecked(nr_deferred[ctx] = 0);
  for (let i: u32 = 0; i < n; i++) fuse_send_writepage(unchecked(deferred[ctx * MAX_DEFERRED + i]));
}
/** fuse_abort_conn() ended a request a walk had built and not yet sent. */
export function walk_forget_deferred(req: u32): void {
  for (let c: u32 = 0; c < NR_WALK_CTX; c++) {
    const n = unchecked(nr_deferred[c]);
    let k: u32 = 0;
    for (let i: u32 = 0; i < n; i++) {
      const r = unchecked(deferred[c * MAX_DEFERRED + i]);
      if (r != req) unchecked(deferred[c * MAX_DEFERRED + k++] = r);
    }
    unchecked(nr_deferred[c] = k);
  }
}

/** Sends a request a walk had built (fuse_writepages_send()). */
export function send_request(req: u32): void { send(req); }

/** Sends the request the walk was filling, if any (end of fuse_writepages()). */
export function send_building(): void {
  if (is_legacy()) { if (legacy_wpa != NONE) { const r = legacy_wpa; legacy_wpa_clear(); send(r); } }
  else if (nocopy_wpa != NONE) { const r = nocopy_wpa; nocopy_wpa_clear(); send(r); }
}

/** mm/page-writeback.c: do_writepages() around one ->writepages call (which may span several of the model's
 *  events): wb_bandwidth_estimate_start() before it, and after it wb_update_bandwidth() once BANDWIDTH_INTERVAL has
 *  passed. FUSE's congested call, which returns at once, is a call too. */
export function writepages_call_start(): void { do_writepages_start(context_now(), writeback_inodes()); }
export function writepages_call_end(): void { do_writepages_end(context_now()); }

/** write_cache_pages() with fuse_writepages_fill() (or iomap's walk) over `ino` from `index`: up to `budget`
 *  pages, stopping after the first request it sends when `yield_on_send`. `sync`: WB_SYNC_ALL. A segment of a
 *  ->writepages call: the caller brackets the whole call (writepages_call_start(), writepages_call_end()). */
export function writepages_walk(ino: u32, index: u32, budget: i64, sync: bool, yield_on_send: bool): u32 {
  const max_pages = <u32>param(CFG_MAX_PAGES), max_write = <u32>param(CFG_MAX_WRITE);
  sent_in_walk = 0;
  walk_wrote = 0;
  // do_writepages(): nothing to do with nr_to_write <= 0; writeback_index stays
  if (budget <= 0) { walk_index = index; return WALK_BUDGET; }
  let i = next_dirty_index(ino, index);
  while (true) {
    if (i == NONE) { walk_index = 0; return WALK_END; }
    walk_index = i;
    if (is_legacy()) {
      if (!legacy_writepage(ino, i, max_pages, max_write, send)) return WALK_STALL;
      walk_wrote++;
      i++;
    } else {
      const next = nocopy_writepage(ino, i, max_pages, max_write, sync, send);
      if (next == NONE) { walk_wait_pfn = nocopy_wait_pfn; return WALK_WAIT; }
      // writeback_iter(): nr_to_write -= folio_nr_pages() for each folio handed to the filesystem, the whole folio
      // even when the walk entered it past its first index; a skipped folio takes nothing
      walk_wrote += <i64>nocopy_nr_written;
      i = next;
    }
    walk_index = i;
    // writeback_iter(): once nr_to_write <= 0 the walk ends at once, writeback_index = folio_next_index(), even when
    // that folio was the file's last dirty one
    if (walk_wrote >= budget) return WALK_BUDGET;
    if (yield_on_send && sent_in_walk > 0) return WALK_SENT;
    i = next_dirty_index(ino, i);
  }
  return WALK_END;
}

// ---- the flusher ------------------------------------------------------------------------------------------

/** The end of the flusher's fuse_writepages() call on cur_ino (__writeback_single_inode() and the rest of
 *  writeback_sb_inodes()'s turn): its last request goes out, the work's nr_pages and the pass's progress are
 *  counted, requeue_inode() puts the inode where the kernel does, and I_SYNC clears. True when ->write_inode must
 *  go out first (the rest follows its reply: end_call_finish()). */
function end_call(cyclic_index: u32): bool {
  send_building();
  writepages_call_end();
  const ino = cur_ino;
  if (work != WORK_SYNC) unchecked(ino_writeback_index[ino] = cyclic_index);
  in_call = false;
  work_nr_pages -= call_wrote; // work->nr_pages -= write_chunk - wbc.nr_to_write
  pass_wrote += call_wrote;
  // __writeback_single_inode(): the dirty flags are taken; new times go to the server (->write_inode) before the
  // inode is requeued, with I_SYNC held, whether ->writepages wrote anything or not
  if (writeback_single_inode_flags(ino) && connected) {
    // fuse_write_inode() -> fuse_flush_times(): a synchronous FUSE_SETATTR of the times in the flusher's context
    // (fuse_simple_request() sleeps until the reply), queued at its next event: send_write_inode()
    meta_to_send = ino;
    return true;
  }
  end_call_finish(ino);
  return false;
}

/** The rest of writeback_sb_inodes()'s turn on `ino`: the pass's progress, requeue_inode(), I_SYNC's end. */
function end_call_finish(ino: u32): void {
  if (!inode_dirty(ino)) pass_wrote++; // an inode left clean counts as progress
  requeue_inode(ino, nr_to_write, work == WORK_SYNC, pass_dirtied_before, jiffies_at(now));
  inode_sync_complete(ino);
}

/** The flusher's event that queues its ->write_inode's SETATTR; it then sleeps until the reply. */
function send_write_inode(): void {
  const ino = meta_to_send;
  meta_to_send = NONE;
  st_add(SETATTR_REQUESTS, 1);
  waiting_meta = true;
  sending_meta = true;
  fuse_send_sync(request_alloc_kind(ino, 0, REQ_KIND_SETATTR, OWNER_FLUSHER));
  sending_meta = false;
  if (waiting_meta) return;
  // an aborted connection ended it at once
  end_call_finish(ino);
  scheduled = true;
  schedule(now + <u64>charge_reset(), EV_FLUSHER, 0);
}

/** The reply to (or the abort of) the flusher's FUSE_SETATTR: the call's end goes on, then the next step. */
export function flusher_on_sync_reply(): void {
  if (!waiting_meta) return;
  waiting_meta = false;
  if (sending_meta) return;
  end_call_finish(cur_ino);
  wakeup_flusher();
}

const START_CALL: u32 = 0; // a ->writepages call is set up on cur_ino
const START_SLEEP: u32 = 1; // the round is over: wb_workfn() ends
const START_WAIT: u32 = 2; // inode_sleep_on_writeback(): wait for an inode's I_SYNC (waiting_ino)

/** wb_writeback()'s loop head, before each pass: false when the work is over. Background and kupdate work yield
 *  to a queued sync; background work stops under the background threshold; b_io is refilled when empty. */
function wb_writeback_loop_head(): bool {
  if (work_nr_pages <= 0) return false;
  if ((work == WORK_BACKGROUND || work == WORK_KUPDATE) && sync_all) return false;
  if (work == WORK_BACKGROUND && !wb_over_bg_thresh()) return false;
  if (list_empty(B_IO)) {
    const j = <i64>jiffies_at(now);
    if (work == WORK_KUPDATE) work_dirtied_before = j - <i64>ns_to_jiffies(DIRTY_EXPIRE_INTERVAL_NS);
    else if (work == WORK_BACKGROUND) work_dirtied_before = j;
    queue_io(work_dirtied_before);
    queued = true;
  }
  return true;
}

/** writeback_sb_inodes() up to the next ->writepages call, with wb_writeback() and wb_do_writeback() around it. */
function start_call(): u32 {
  for (let k: u32 = 0; k <= 16 * nr_inodes + 32; k++) {
    if (work == WORK_NONE) {
      if (stage == STAGE_END) stage = STAGE_WORK_LIST; // wb_workfn() -> wb_do_writeback()
      work = next_work();
      if (work == WORK_NONE) {
        // the round is over; wb_workfn() runs another while work is queued, or when a kick came during this one
        // (a start-all set after its stage had passed)
        if (sync_all || start_all) continue;
        return START_SLEEP;
      }
      queued = false;
      work_dirtied_before = <i64>jiffies_at(now);
      pass_open = false;
    }
    if (!pass_open) {
      if (!wb_writeback_loop_head()) {
        if (work == WORK_SYNC) sync_all = false; // the sync work is done (its writeback ends before the run does)
        if (work == WORK_START_ALL) start_all = false; // wb_check_start_all(): clear_bit(WB_start_all)
        work = WORK_NONE;
        continue;
      }
      pass_open = true;
      pass_start = now;
      pass_wrote = 0;
      const j = <i64>jiffies_at(now);
      pass_dirtied_before = work == WORK_KUPDATE ? j - <i64>ns_to_jiffies(DIRTY_EXPIRE_INTERVAL_NS) : j;
    }
    if (list_empty(B_IO) ||
        (pass_wrote > 0 && (jiffies_at(now) > jiffies_at(pass_start) + HZ / 10 || work_nr_pages <= 0))) {
      // the pass is over (b_io empty, or it wrote for HZ/10 or the work's nr_pages): back to wb_writeback()
      pass_open = false;
      if (pass_wrote > 0 || !queued) continue;
      if (list_empty(B_MORE_IO)) { // "No more inodes for IO, bail"
        if (work == WORK_SYNC) sync_all = false;
        if (work == WORK_START_ALL) start_all = false;
        work = WORK_NONE;
        continue;
      }
      // nothing written: wait for the inode at b_more_io's tail to become available (its I_SYNC)
      const ino = list_tail(B_MORE_IO);
      if (inode_i_sync(ino) != NONE) { waiting_ino = ino; return START_WAIT; }
      continue;
    }
    const ino = list_tail(B_IO);
    if (inode_i_sync(ino) != NONE) {
      // written back by a write_inode_now(): WB_SYNC_NONE work moves on (requeue_io), a sync waits for it
      if (work != WORK_SYNC) { requeue_io(ino); continue; }
      waiting_ino = ino;
      return START_WAIT;
    }
    cur_ino = ino;
    inode_set_i_sync(ino, I_SYNC_FLUSHER);
    const background = work != WORK_SYNC;
    nr_to_write = background ? writeback_chunk_size() : LONG_MAX_PAGES;
    call_wrote = 0;
    writepages_call_start();
    if (background && num_background >= <u32>param(CFG_CONGESTION_THRESHOLD)) {
      // fuse_writepages(): congested, return 0 having written nothing (requeue_inode() then redirties the inode)
      st_add(FLUSHER_CONGESTED_CALLS, 1);
      if (end_call(unchecked(ino_writeback_index[ino]))) return START_WAIT;
      continue;
    }
    in_call = true;
    call_index = background ? unchecked(ino_writeback_index[ino]) : 0;
    return START_CALL;
  }
  return START_SLEEP;
}

/** One event of the flusher: fill and send one request, then yield for the time it took. */
export function flusher_step(): void {
  charge_reset();
  scheduled = false;
  send_deferred(WALK_CTX_FLUSHER); // the requests the last event filled, before a ->write_inode's SETATTR (the kernel's order)
  if (meta_to_send != NONE) { send_write_inode(); return; }
  if (waiting_pfn != NONE || waiting_ino != NONE || waiting_meta) return;
  if (!in_call) {
    const s = start_call();
    if (s == START_WAIT) {
      // inode_sync_complete() wakes it; a ->write_inode goes out at the next event
      if (meta_to_send != NONE) { scheduled = true; schedule(now + <u64>charge_reset(), EV_FLUSHER, 0); }
      return;
    }
    if (s == START_SLEEP) { flusher_sleep(); return; }
  }
  set_walking(WALK_CTX_FLUSHER);
  const r = writepages_walk(cur_ino, call_index, nr_to_write, work == WORK_SYNC, true);
  set_walking(NONE);
  nr_to_write -= walk_wrote;
  call_wrote += walk_wrote;
  call_index = walk_index;
  // the flusher sleeps next (on a folio's writeback, or a jiffy in the temp page's allocation): what it built goes
  // out now, up to a fill period early
  if (r == WALK_WAIT || r == WALK_STALL) send_deferred(WALK_CTX_FLUSHER);
  if (r == WALK_WAIT) { waiting_pfn = walk_wait_pfn; return; } // flusher_on_complete() goes on
  if (r == WALK_STALL) {
    // stuck in __alloc_pages_slowpath(): should_reclaim_retry() sleeps a kworker a jiffy per loop
    // (reclaim_throttle() returns at once for PF_KTHREAD), then the same page again
    st_add(TEMP_ALLOC_STALL_NS, <i64>jiffy_ns());
    scheduled = true;
    schedule(now + <u64>charge_reset() + jiffy_ns(), EV_FLUSHER, 0);
    return;
  }
  if (r == WALK_END || r == WALK_BUDGET) {
    set_walking(WALK_CTX_FLUSHER);
    end_call(r == WALK_END ? 0 : walk_index);
    set_walking(NONE);
  }
  scheduled = true;
  schedule(now + <u64>charge_reset(), EV_FLUSHER, 0);
}

/** wb_workfn()'s end: nothing to do now; with dirty inodes left (wb_has_dirty_io()), wake again after
 *  dirty_writeback_interval. */
function flusher_sleep(): void {
  if (wb_has_dirty_io()) wb_wakeup_delayed();
}

/** mm/backing-dev.c: wb_wakeup_delayed(): the flusher's delayed work, queued once (a pending one stays). Also what
 *  __mark_inode_dirty() does when the first inode becomes dirty, so that writeback happens later on a quiet bdi. */
export function wb_wakeup_delayed(): void {
  if (timer_armed) return;
  timer_armed = true;
  // queue_delayed_work(bdi_wq, &wb->dwork, msecs_to_jiffies(dirty_writeback_interval * 10)): 5 s of jiffies, a
  // level-2 timer at HZ 250 (up to 64 ticks late, timer_fire_ns())
  schedule(timer_fire_ns(now, ns_to_jiffies(DIRTY_WRITEBACK_INTERVAL_NS)), EV_FLUSHER_TIMER, timer_gen);
}

/** The checker's view: the wb's lists, and the flusher's I_SYNC only on the inode of its call. */
export let flusher_invariant_where: u32 = NONE;
export function flusher_check(): bool {
  if (!wb_lists_check(nr_inodes)) { flusher_invariant_where = wb_lists_invariant_where; return false; }
  // one wb_workfn(): one flusher event at most, and one exactly while it says it is scheduled (a kick that scheduled
  // a second chain of events would run the flusher twice as fast)
  if (events_of_type(EV_FLUSHER) != (scheduled ? 1 : 0)) { flusher_invariant_where = NONE - 1; return false; }
  for (let i: u32 = 0; i < nr_inodes; i++)
    if (inode_i_sync(i) == I_SYNC_FLUSHER && !((in_call || waiting_meta || meta_to_send != NONE) && i == cur_ino)) {
      flusher_invariant_where = i;
      return false;
    }
  return true;
}

/** Test harness: one WB_SYNC_ALL pass of ->writepages over every dirty page of `ino`; returns the requests sent.
 *  A folio under writeback is skipped instead of waited on (the harness has no clock to wait on). */
export function writeback_inode_all(ino: u32): u32 {
  const saved_legacy = legacy_wpa, saved_nocopy = nocopy_wpa;
  legacy_wpa_clear(); nocopy_wpa_clear();
  const before = sends_total;
  writepages_call_start();
  writepages_walk(ino, 0, LONG_MAX_PAGES, false, false); // a temp-page stall just ends the pass: no clock here
  send_building();
  writepages_call_end();
  legacy_wpa_restore(saved_legacy); nocopy_wpa_restore(saved_nocopy);
  return sends_total - before;
}
