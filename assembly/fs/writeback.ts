// The bdi flusher (fs/fs-writeback.c: wb_workfn -> wb_do_writeback -> wb_writeback -> writeback_sb_inodes) and
// FUSE's ->writepages (fs/fuse/file.c: fuse_writepages) on one inode at a time.
// - Work: a sync of everything (WB_SYNC_ALL, the run's final sync), background writeback while the bdi is over
//   its background threshold (wb_check_background_flush), and kupdate writeback of inodes dirtied more than
//   dirty_expire_interval ago (wb_check_old_data_flush).
// - Each fuse_writepages() call gets nr_to_write = writeback_chunk_size() pages. For WB_SYNC_NONE it returns at
//   once, writing nothing, while fc->num_background >= fc->congestion_threshold (the congestion gate, in every
//   version 6.1 ... 7.2): the inode is redirtied (redirty_tail) and the round made no progress.
// - The calls come in passes over b_io (queue_io(): every inode the work wants); wb_writeback() checks the
//   background threshold only between passes (or once HZ/10 of a pass that wrote something has passed), so a pass
//   writes every dirty file before background writeback can stop. A pass that made no progress ends the work
//   ("No more inodes for IO, bail"), and the flusher sleeps. Nothing in FUSE wakes it when requests complete: a writer's
//   balance_dirty_pages() kicks it (wb_start_background_writeback), and wb_workfn re-arms itself for
//   dirty_writeback_interval while the bdi has dirty inodes (wb_wakeup_delayed).
// - A data-integrity walk (WB_SYNC_ALL) waits for a folio still under writeback (folio_prepare_writeback()).
// fsync runs ->writepages in the writer's own context (fs/fs/writer.ts uses writepages_walk() below).
import { NONE } from "../mm/constants";
import { now, schedule } from "../sim/clock";
import { acc, charge, charge_reset } from "../sim/charge";
import { param, cost_ns, CFG_MAX_PAGES, CFG_MAX_WRITE, CFG_CONGESTION_THRESHOLD, CFG_WB_ACCT, COST_WAKEUP } from "../sim/config";
import { nr_inodes, ino_nr_dirty, ino_nr_writeback, ino_writeback_index, ino_dirtied_when, next_dirty_index, MAX_INODES } from "./inode";
import { wb_over_bg_thresh, dom_dirty_limit } from "./dirty";
import { do_writepages_start, do_writepages_end, avg_write_bandwidth } from "./wb_bandwidth";
import { jiffy_ns, jiffies_at, HZ } from "../sim/jiffies";
import { legacy_writepage, legacy_wpa, legacy_wpa_clear, legacy_wpa_restore } from "../fuse/legacy";
import { nocopy_writepage, nocopy_wpa, nocopy_wpa_clear, nocopy_wpa_restore, nocopy_wait_pfn } from "../fuse/nocopy";
import { fuse_send_writepage, is_legacy, num_background } from "../fuse/conn";
import { PG_folio_writeback, page_flags } from "../mm/page";
import { st_add, stat_value, FLUSHER_CONGESTED_CALLS, TEMP_ALLOC_STALL_NS, NR_FILE_DIRTY } from "./stats";

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

let work: u32 = WORK_NONE;
/** An EV_FLUSHER is scheduled (writeback_in_progress()): a kick changes nothing. */
let scheduled: bool = false;
let timer_armed: bool = false;
/** A WB_SYNC_ALL walk waits for this folio's writeback (folio_wait_writeback); NONE when not waiting. */
let waiting_pfn: u32 = NONE;
// the fuse_writepages() call in progress
let in_call: bool = false;
let cur_ino: u32 = 0;
let call_index: u32 = 0;
let nr_to_write: i64 = 0;
/** Pages the call in progress has written so far. */
let call_wrote: i64 = 0;
// wb->b_io and the pass over it (writeback_sb_inodes()): queue_io() fills b_io with every inode the work wants
// once b_io is empty; a pass writes each of them in turn (one ->writepages call each) and wb_writeback() checks the
// background threshold only between passes, or after HZ/10 of a pass that wrote something.
const in_b_io = new StaticArray<bool>(<i32>MAX_INODES);
let b_io_len: u32 = 0;
let pass_open: bool = false;
let pass_start: u64 = 0;
/** writeback_sb_inodes()'s total_wrote: pages written in this pass, plus one per inode it left clean. */
let pass_wrote: i64 = 0;
/** A final sync(2) of everything (the run's end): write back every dirty page, whatever the thresholds. */
export let sync_all: bool = false;
/** The work's nr_pages: LONG_MAX for background and sync work, the dirty pages counted when a kupdate run began
 *  (wb_check_old_data_flush()); each call's pages come off it, and the work ends once it is used up. */
let work_nr_pages: i64 = 0;
/** wb->last_old_flush, in jiffies: the last kupdate run (wb_init() sets it at mount). */
let last_old_flush: u64 = 0;

export function flusher_init(): void {
  work = WORK_NONE; scheduled = false; timer_armed = false; waiting_pfn = NONE; in_call = false;
  cur_ino = 0; call_index = 0; nr_to_write = 0; sync_all = false;
  for (let i = 0; i < <i32>MAX_INODES; i++) unchecked(in_b_io[i] = false);
  b_io_len = 0; pass_open = false; pass_start = 0; pass_wrote = 0;
  work_nr_pages = 0; last_old_flush = jiffies_at(now);
}

export function request_sync_all(): void { sync_all = true; wakeup_flusher(); }

/** wb_wakeup() / wb_start_background_writeback(): run the flusher unless it is running (writeback_in_progress). */
export function wakeup_flusher(): void {
  if (scheduled || waiting_pfn != NONE) return;
  scheduled = true;
  schedule(now + <u64>cost_ns(COST_WAKEUP), EV_FLUSHER, 0);
}

/** EV_FLUSHER_TIMER: the delayed wake-up of wb_workfn. */
export function flusher_timer(): void {
  timer_armed = false;
  wakeup_flusher();
}

/** writeback_in_progress(wb): the flusher is scheduled, working, or waiting inside a walk. */
export function flusher_running(): bool { return scheduled || waiting_pfn != NONE || in_call; }

/** A request ended: a WB_SYNC_ALL walk waiting on one of its folios goes on (folio_end_writeback wakes it). */
export function flusher_on_complete(): void {
  if (waiting_pfn == NONE || (page_flags(waiting_pfn) & PG_folio_writeback) != 0) return;
  waiting_pfn = NONE;
  wakeup_flusher();
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

function inode_wants(ino: u32, w: u32): bool {
  if (!any_dirty(ino)) return false;
  if (w == WORK_KUPDATE) return unchecked(ino_dirtied_when[ino]) + DIRTY_EXPIRE_INTERVAL_NS <= now;
  return true;
}

/** wb_do_writeback(): the work to do now, in the kernel's order: queued work (the sync), then
 *  wb_check_old_data_flush() (kupdate: at most once a dirty_writeback_interval, for the pages dirty then,
 *  get_nr_dirty_pages(): NR_FILE_DIRTY plus the dirty inodes), then wb_check_background_flush(). */
function pick_work(): u32 {
  if (sync_all) { work_nr_pages = i64.MAX_VALUE; return WORK_SYNC; }
  const j = jiffies_at(now);
  if (j >= last_old_flush + DIRTY_WRITEBACK_INTERVAL_NS * HZ / 1_000_000_000) {
    last_old_flush = j;
    let nr: i64 = stat_value(NR_FILE_DIRTY);
    for (let i: u32 = 0; i < nr_inodes; i++) if (any_dirty(i)) nr++;
    if (nr > 0) { work_nr_pages = nr; return WORK_KUPDATE; }
  }
  if (wb_over_bg_thresh()) { work_nr_pages = i64.MAX_VALUE; return WORK_BACKGROUND; }
  return WORK_NONE;
}

// ---- the ->writepages walk, shared with fsync -------------------------------------------------------------

export const WALK_SENT: u32 = 0; // a request was sent (the caller yields to let time pass)
export const WALK_BUDGET: u32 = 1; // nr_to_write is used up
export const WALK_END: u32 = 2; // no dirty page left at or after the cursor
export const WALK_WAIT: u32 = 3; // WB_SYNC_ALL must wait for walk_wait_pfn's writeback
export const WALK_STALL: u32 = 4; // the legacy temp page found no memory: stall a jiffy, then call again
/** After writepages_walk(): where the walk stopped, and how many pages it wrote. */
export let walk_index: u32 = 0;
export let walk_wrote: i64 = 0;
export let walk_wait_pfn: u32 = NONE;

let sent_in_walk: u32 = 0;
/** Requests sent by every walk so far (the harness counts its own). */
let sends_total: u32 = 0;
function send(req: u32): void { fuse_send_writepage(req); sent_in_walk++; sends_total++; }

/** Sends a request a walk had built (fuse_writepages_send()). */
export function send_request(req: u32): void { send(req); }

/** Sends the request the walk was filling, if any (end of fuse_writepages()). */
export function send_building(): void {
  if (is_legacy()) { if (legacy_wpa != NONE) { const r = legacy_wpa; legacy_wpa_clear(); send(r); } }
  else if (nocopy_wpa != NONE) { const r = nocopy_wpa; nocopy_wpa_clear(); send(r); }
}

/** write_cache_pages() with fuse_writepages_fill() (or iomap's walk) over `ino` from `index`: up to `budget`
 *  pages, stopping after the first request it sends when `yield_on_send`. `sync`: WB_SYNC_ALL. */
export function writepages_walk(ino: u32, index: u32, budget: i64, sync: bool, yield_on_send: bool): u32 {
  // do_writepages(): the bdi's bandwidth estimate brackets every ->writepages call
  do_writepages_start(now + <u64>acc, writeback_inodes());
  const r = writepages_walk_inner(ino, index, budget, sync, yield_on_send);
  do_writepages_end(now + <u64>acc);
  return r;
}

function writepages_walk_inner(ino: u32, index: u32, budget: i64, sync: bool, yield_on_send: bool): u32 {
  const max_pages = <u32>param(CFG_MAX_PAGES), max_write = <u32>param(CFG_MAX_WRITE);
  sent_in_walk = 0;
  walk_wrote = 0;
  let i = next_dirty_index(ino, index);
  while (true) {
    if (i == NONE) { walk_index = 0; return WALK_END; }
    walk_index = i;
    if (walk_wrote >= budget) return WALK_BUDGET;
    if (is_legacy()) {
      if (!legacy_writepage(ino, i, max_pages, max_write, send)) return WALK_STALL;
      walk_wrote++;
      i++;
    } else {
      const next = nocopy_writepage(ino, i, max_pages, max_write, sync, send);
      if (next == NONE) { walk_wait_pfn = nocopy_wait_pfn; return WALK_WAIT; }
      walk_wrote += <i64>(next - i);
      i = next;
    }
    walk_index = i;
    if (yield_on_send && sent_in_walk > 0) return WALK_SENT;
    i = next_dirty_index(ino, i);
  }
  return WALK_END;
}

// ---- the flusher ------------------------------------------------------------------------------------------

/** Ends the fuse_writepages() call in progress: its last request goes out, and the inode is requeued (it leaves
 *  b_io; one left clean counts toward the pass's progress). */
function end_call(cyclic_index: u32): void {
  send_building();
  if (work != WORK_SYNC) unchecked(ino_writeback_index[cur_ino] = cyclic_index);
  in_call = false;
  work_nr_pages -= call_wrote; // writeback_sb_inodes(): work->nr_pages -= write_chunk - wbc.nr_to_write
  pass_wrote += call_wrote;
  if (!any_dirty(cur_ino)) pass_wrote++;
  cur_ino = (cur_ino + 1) % nr_inodes;
}

/** queue_io(): every inode the work wants joins b_io. */
function queue_io(): void {
  for (let i: u32 = 0; i < nr_inodes; i++) {
    if (!unchecked(in_b_io[i]) && inode_wants(i, work)) { unchecked(in_b_io[i] = true); b_io_len++; }
  }
}

/** The next inode of b_io from cur_ino, taken off the list; NONE when b_io is empty. */
function b_io_next(): u32 {
  for (let d: u32 = 0; d < nr_inodes; d++) {
    const ino = (cur_ino + d) % nr_inodes;
    if (unchecked(in_b_io[ino])) { unchecked(in_b_io[ino] = false); b_io_len--; return ino; }
  }
  return NONE;
}

/** wb_writeback()'s loop head, after a pass (or before the first): false when the work is over. A pass that made
 *  no progress ends it ("No more inodes for IO, bail"); background work ends once the bdi is back under its
 *  background threshold; then b_io is refilled if empty, and a new pass begins. */
function wb_writeback_next_pass(): bool {
  if (pass_open && pass_wrote == 0 && b_io_len == 0) { pass_open = false; return false; }
  pass_open = false;
  if (work_nr_pages <= 0) return false;
  if (work == WORK_BACKGROUND && !wb_over_bg_thresh()) return false;
  if (work == WORK_SYNC && !sync_all) return false;
  if (b_io_len == 0) queue_io();
  if (b_io_len == 0) {
    // nothing left for this work: a sync is complete once its writeback ends (sim_all_clean)
    if (work == WORK_SYNC) sync_all = false;
    return false;
  }
  pass_open = true;
  pass_start = now;
  pass_wrote = 0;
  return true;
}

/** writeback_sb_inodes(): start ->writepages on the next inode of the pass. False when the work is over and the
 *  flusher sleeps. */
function start_call(): bool {
  for (let k: u32 = 0; k <= 4 * nr_inodes + 8; k++) {
    if (work == WORK_NONE) {
      // wb_do_writeback(): the next work (queued sync, then background, then kupdate)
      work = pick_work();
      if (work == WORK_NONE) return false;
      if (!wb_writeback_next_pass()) {
        // a kupdate run that found no inode dirty for dirty_expire_interval ends at once, and the background check
        // follows it (wb_do_writeback())
        const kupdate = work == WORK_KUPDATE;
        work = WORK_NONE;
        if (kupdate) continue;
        return false;
      }
    } else if (!pass_open || b_io_len == 0 ||
               (pass_wrote > 0 && (jiffies_at(now) > jiffies_at(pass_start) + HZ / 10 || work_nr_pages <= 0))) {
      // the pass is over: b_io is empty, or it wrote for HZ/10 (or the work's nr_pages) and yields to the loop head
      const progress = pass_wrote > 0;
      if (!wb_writeback_next_pass()) {
        work = WORK_NONE;
        // a work that bailed without progress ends the flusher's run (wb_workfn sleeps); one that finished
        // (under the threshold, or a sync done) lets wb_do_writeback look for the next
        if (!progress) return false;
        continue;
      }
    }
    const ino = b_io_next();
    if (ino == NONE) continue;
    cur_ino = ino;
    const background = work != WORK_SYNC;
    if (background && num_background >= <u32>param(CFG_CONGESTION_THRESHOLD)) {
      // fuse_writepages(): congested, return 0 having written nothing; requeue_inode() redirties the inode
      st_add(FLUSHER_CONGESTED_CALLS, 1);
      unchecked(ino_dirtied_when[ino] = now);
      cur_ino = (ino + 1) % nr_inodes;
      continue;
    }
    in_call = true;
    call_wrote = 0;
    call_index = background ? unchecked(ino_writeback_index[ino]) : 0;
    nr_to_write = background ? writeback_chunk_size() : LONG_MAX_PAGES;
    return true;
  }
  return false;
}

/** One event of the flusher: fill and send one request, then yield for the time it took. */
export function flusher_step(): void {
  charge_reset();
  scheduled = false;
  if (waiting_pfn != NONE) return;
  if (!in_call && !start_call()) { flusher_sleep(); return; }
  const r = writepages_walk(cur_ino, call_index, nr_to_write, work == WORK_SYNC, true);
  nr_to_write -= walk_wrote;
  call_wrote += walk_wrote;
  call_index = walk_index;
  if (r == WALK_WAIT) { waiting_pfn = walk_wait_pfn; return; } // flusher_on_complete() goes on
  if (r == WALK_STALL) {
    // stuck in __alloc_pages_slowpath(): reclaim_throttle(), then the same page again
    st_add(TEMP_ALLOC_STALL_NS, <i64>jiffy_ns());
    scheduled = true;
    schedule(now + <u64>charge_reset() + jiffy_ns(), EV_FLUSHER, 0);
    return;
  }
  if (r == WALK_END || r == WALK_BUDGET) end_call(r == WALK_END ? 0 : walk_index);
  scheduled = true;
  schedule(now + <u64>charge_reset(), EV_FLUSHER, 0);
}

/** wb_workfn()'s end: nothing to do now; with dirty inodes left, wake again after dirty_writeback_interval. */
function flusher_sleep(): void {
  for (let i: u32 = 0; i < nr_inodes; i++) if (any_dirty(i)) { wb_wakeup_delayed(); return; }
}

/** mm/backing-dev.c: wb_wakeup_delayed(): the flusher's delayed work, queued once (a pending one stays). Also what
 *  __mark_inode_dirty() does when an inode becomes dirty, so that writeback happens later on a quiet bdi. */
export function wb_wakeup_delayed(): void {
  if (timer_armed) return;
  timer_armed = true;
  schedule(now + DIRTY_WRITEBACK_INTERVAL_NS, EV_FLUSHER_TIMER, 0);
}

/** Test harness: one WB_SYNC_ALL pass of ->writepages over every dirty page of `ino`; returns the requests sent.
 *  A folio under writeback is skipped instead of waited on (the harness has no clock to wait on). */
export function writeback_inode_all(ino: u32): u32 {
  const saved_legacy = legacy_wpa, saved_nocopy = nocopy_wpa;
  legacy_wpa_clear(); nocopy_wpa_clear();
  const before = sends_total;
  writepages_walk(ino, 0, LONG_MAX_PAGES, false, false); // a temp-page stall just ends the pass: no clock here
  send_building();
  legacy_wpa_restore(saved_legacy); nocopy_wpa_restore(saved_nocopy);
  return sends_total - before;
}
