// The bdi flusher (fs/fs-writeback.c, 6.15: wb_workfn -> wb_writeback -> writeback_sb_inodes) calling FUSE's
// ->writepages on one inode at a time: background writeback, started by balance_dirty_pages(), in passes
// that give each dirty inode a write_chunk (writeback_chunk_size) while the bdi is over its background
// threshold; WB_SYNC_ALL for inodes an fsync waits on and for the final sync.
import { NONE } from "../mm/constants";
import { now, schedule } from "../sim/clock";
import { acc, charge, charge_reset } from "../sim/charge";
import { g, c, CFG_MAX_PAGES, CFG_MAX_WRITE, CFG_CONGESTION_THRESHOLD, COST_WAKEUP } from "../sim/config";
import { nr_inodes, ino_nr_dirty, ino_nr_writeback, ino_writeback_index, next_dirty_index } from "./inode";
import { do_writepages_start, do_writepages_end, avg_write_bandwidth } from "./wb_bandwidth";
import { wb_over_bg_thresh, dom_dirty_limit } from "./dirty";
import { HZ, jiffies_at, jiffies_to_ns } from "../sim/jiffies";
import { sync_requested, writer_count } from "./writer";
import { legacy_writepage, legacy_wpa, legacy_wpa_clear } from "../fuse/legacy";
import { nocopy_writepage, nocopy_wpa, nocopy_wpa_clear } from "../fuse/nocopy";
import { fuse_send_writepage, is_legacy, connected, num_background } from "../fuse/conn";

export const EV_FLUSHER: u32 = 2;
/** wb->dwork queued with a delay (wb_wakeup_delayed): the periodic flusher run. */
export const EV_WB_DWORK: u32 = 42;
/** mm/page-writeback.c: dirty_writeback_interval (5 s) and dirty_expire_interval (30 s), the sysctl defaults. */
const DIRTY_WRITEBACK_INTERVAL_S: u64 = 5;
const DIRTY_EXPIRE_INTERVAL_S: u64 = 30;
/** fs/fs-writeback.c: MIN_WRITEBACK_PAGES (4 MiB), and DIRTY_SCOPE (writeback_chunk_size's share of the limit). */
const MIN_WRITEBACK_PAGES: u64 = 1024;
const DIRTY_SCOPE: u64 = 8;

let running: bool = false;
let cur_ino: u32 = 0;
let chunk_pages: u32 = 0;
/** A final sync(2) of everything (the run's end): write back every dirty page, whatever the thresholds. */
export let sync_all: bool = false;
export function request_sync_all(): void { sync_all = true; wakeup_flusher(); }

export function flusher_init(): void {
  running = false; cur_ino = 0; chunk_pages = 0; sync_all = false; pass_active = false; turn_started = false;
  no_progress = false;
  dwork_pending = false; periodic = false; kupdate = false; last_old_flush = jiffies_at(now);
  for (let i = 0; i < 64; i++) unchecked(dirtied_when[i] = 0);
}

// The periodic flusher: __mark_inode_dirty() of the first dirty inode, and every run that leaves dirty inodes
// behind, queue the flusher dirty_writeback_interval later (wb_wakeup_delayed); that run writes back inodes
// dirty for longer than dirty_expire_interval (wb_check_old_data_flush, kupdate) and checks the background
// threshold (wb_check_background_flush), which is how a bdi that stays in its freerun region gets cleaned.
const dirtied_when = new StaticArray<u64>(64);
let dwork_pending = false;
let periodic = false;
let kupdate = false;
let last_old_flush: u64 = 0;

function any_inode_dirty(): bool {
  for (let i: u32 = 0; i < nr_inodes; i++) if (unchecked(ino_nr_dirty[i]) > 0) return true;
  return false;
}

/** wb_wakeup_delayed(): queue_delayed_work(), a no-op while one is pending. */
function wb_wakeup_delayed(): void {
  if (dwork_pending) return;
  dwork_pending = true;
  schedule(jiffies_to_ns(jiffies_at(now) + DIRTY_WRITEBACK_INTERVAL_S * HZ), EV_WB_DWORK, 0);
}

/** __mark_inode_dirty(I_DIRTY_PAGES) on a clean inode: dirtied_when, and the delayed wakeup when the wb had
 *  no dirty inode before (inode_io_list_move_locked() returned wakeup_bdi). */
export function __mark_inode_dirty(ino: u32): void {
  unchecked(dirtied_when[ino] = jiffies_at(now));
  for (let i: u32 = 0; i < nr_inodes; i++) if (i != ino && unchecked(ino_nr_dirty[i]) > 0) return;
  wb_wakeup_delayed();
}

/** EV_WB_DWORK: the delayed flusher run. */
export function wb_dwork_fn(): void {
  dwork_pending = false;
  periodic = true;
  wakeup_flusher();
}

/** Dirty for longer than dirty_expire_interval: kupdate writes it back. */
@inline function inode_expired(ino: u32): bool {
  return jiffies_at(now) >= unchecked(dirtied_when[ino]) + DIRTY_EXPIRE_INTERVAL_S * HZ;
}

/** wb_wakeup(): schedule the flusher if it sleeps. */
export function wakeup_flusher(): void {
  if (running) return;
  running = true;
  schedule(now + <u64>c(COST_WAKEUP), EV_FLUSHER, 0);
}

function inode_wants_writeback(ino: u32, background: bool): bool {
  if (unchecked(ino_nr_dirty[ino]) == 0) return false;
  return background || sync_all || (ino < writer_count() && unchecked(sync_requested[ino]));
}

/** wb->writeback_inodes: inodes with folios under writeback, counted only with BDI_CAP_WRITEBACK_ACCT (the
 *  copy-free path; the legacy path's FUSE bdi accounts its temp pages itself). */
function writeback_inodes(): u32 {
  if (is_legacy()) return 0;
  let n: u32 = 0;
  for (let i: u32 = 0; i < nr_inodes; i++) if (unchecked(ino_nr_writeback[i]) > 0) n++;
  return n;
}

/** Is there WB_SYNC_ALL work left (an fsync waiting, or the final sync) with pages still dirty? */
export function sync_work_pending(): bool {
  for (let i: u32 = 0; i < nr_inodes; i++) if (inode_wants_writeback(i, false)) return true;
  return false;
}

let sent_this_step: u32 = 0;
function send(req: u32): void { fuse_send_writepage(req); sent_this_step++; }

/** Sends the request the current pass was filling, if any (end of fuse_writepages()). */
function send_building(): void {
  if (is_legacy()) { if (legacy_wpa != NONE) { const r = legacy_wpa; legacy_wpa_clear(); send(r); } }
  else if (nocopy_wpa != NONE) { const r = nocopy_wpa; nocopy_wpa_clear(); send(r); }
}

// wb_writeback()'s passes: the background check (wb_over_bg_thresh) is made before each pass, not per page;
// a pass (queue_io, then __writeback_inodes_wb) gives every inode that wants writeback one write_chunk, and
// ends early once it wrote something and HZ/10 has gone by.
const in_b_io = new StaticArray<bool>(64);
let pass_active = false;
let pass_start: u64 = 0;
let pass_wrote = false;
let write_chunk: u64 = 0;
/** The current inode's ->writepages call has begun (fuse_writepages() checks congestion once, at its start). */
let turn_started = false;
/** A pass wrote nothing: wb_writeback() stops (no progress, nothing in b_more_io). */
let no_progress = false;

/** writeback_chunk_size(): WB_SYNC_ALL writes the whole inode; background writeback
 *  min(avg_write_bandwidth / 2, dirty_limit / DIRTY_SCOPE) rounded to MIN_WRITEBACK_PAGES, at least that. */
function writeback_chunk_size(ino: u32): u64 {
  if (inode_wants_writeback(ino, false)) return U64.MAX_VALUE;
  const pages = min<u64>(avg_write_bandwidth / 2, dom_dirty_limit / DIRTY_SCOPE);
  return (pages + MIN_WRITEBACK_PAGES) / MIN_WRITEBACK_PAGES * MIN_WRITEBACK_PAGES;
}

function sync_work_outside_pass(): bool {
  for (let i: u32 = 0; i < nr_inodes; i++) if (!unchecked(in_b_io[i]) && inode_wants_writeback(i, false)) return true;
  return false;
}

/** The next inode of b_io from `from` on, or NONE. */
function next_b_io(from: u32): u32 {
  for (let k: u32 = 0; k < nr_inodes; k++) { const i = (from + k) % nr_inodes; if (unchecked(in_b_io[i])) return i; }
  return NONE;
}

/** This inode's turn is over (chunk written, or nothing dirty from writeback_index on): requeue_inode(). */
function inode_turn_done(ino: u32): void {
  send_building();
  unchecked(in_b_io[ino] = false);
  chunk_pages = 0;
  turn_started = false;
  const next = next_b_io(ino + 1);
  // bail out to wb_writeback() often enough to check the background threshold
  if (next == NONE || (pass_wrote && jiffies_at(now + <u64>acc) > pass_start + HZ / 10)) {
    pass_active = false;
    no_progress = !pass_wrote;
    return;
  }
  cur_ino = next;
  write_chunk = writeback_chunk_size(next);
}

/** One event of the flusher: fill and send one request, then yield for the time it took. */
export function flusher_step(): void {
  charge_reset();
  if (!connected) { running = false; pass_active = false; return; }
  // a pass that wrote nothing ends wb_writeback() ("No more inodes for IO, bail")
  if (!pass_active && no_progress) { flusher_stop(); return; }
  // background writeback yields to data-integrity work (wb_writeback: "Stop them if there is other work")
  if (pass_active && sync_work_outside_pass()) { send_building(); pass_active = false; }
  if (!pass_active) {
    // wb_writeback(): stop background writeback below the background threshold; queue_io() the inodes
    const background = wb_over_bg_thresh();
    // wb_check_old_data_flush(): a periodic run at least dirty_writeback_interval after the last one
    if (periodic) {
      periodic = false;
      const j = jiffies_at(now);
      if (j >= last_old_flush + DIRTY_WRITEBACK_INTERVAL_S * HZ) { last_old_flush = j; kupdate = true; }
    }
    let first: u32 = NONE;
    for (let i: u32 = 0; i < nr_inodes; i++) {
      const want = inode_wants_writeback(i, background || (kupdate && inode_expired(i)));
      unchecked(in_b_io[i] = want);
      if (want && first == NONE) first = i;
    }
    if (first == NONE) { flusher_stop(); return; }
    pass_active = true;
    pass_start = jiffies_at(now);
    pass_wrote = false;
    if (!unchecked(in_b_io[cur_ino])) { cur_ino = next_b_io(cur_ino); chunk_pages = 0; turn_started = false; }
    write_chunk = writeback_chunk_size(cur_ino);
  }
  const ino = cur_ino;
  sent_this_step = 0;
  if (!turn_started) {
    turn_started = true;
    // fuse_writepages(): background (WB_SYNC_NONE) writeback sends nothing while the connection has
    // congestion_threshold background requests: the pages stay dirty
    if (!inode_wants_writeback(ino, false) && num_background >= <u32>g(CFG_CONGESTION_THRESHOLD)) {
      inode_turn_done(ino);
      schedule(now + <u64>charge_reset(), EV_FLUSHER, 0);
      return;
    }
  }
  do_writepages_start(now, writeback_inodes());
  const max_pages = <u32>g(CFG_MAX_PAGES), max_write = <u32>g(CFG_MAX_WRITE);
  let index = next_dirty_index(ino, unchecked(ino_writeback_index[ino]));
  while (sent_this_step == 0) {
    if (index == NONE) {
      // writeback_iter(): the end of the file ends this pass over it; range_cyclic starts the next at 0
      unchecked(ino_writeback_index[ino] = 0);
      inode_turn_done(ino);
      break;
    }
    let next: u32;
    if (is_legacy()) {
      if (!legacy_writepage(ino, index, max_pages, max_write, send)) { send_building(); break; } // no temp page
      next = index + 1;
      chunk_pages++;
    } else {
      next = nocopy_writepage(ino, index, max_pages, max_write, send);
      chunk_pages += next - index;
    }
    pass_wrote = true;
    unchecked(ino_writeback_index[ino] = next);
    if (<u64>chunk_pages >= write_chunk) {
      // wbc->nr_to_write used up: the inode goes back to b_more_io for the next pass
      inode_turn_done(ino);
      break;
    }
    index = next_dirty_index(ino, next);
  }
  do_writepages_end(now + <u64>acc);
  schedule(now + <u64>charge_reset(), EV_FLUSHER, 0);
}

/** wb_workfn() ends: no background work left (or no progress); dirty inodes left behind get the periodic run. */
function flusher_stop(): void {
  send_building();
  running = false;
  pass_active = false;
  kupdate = false;
  no_progress = false;
  sent_this_step = 0;
  if (any_inode_dirty()) wb_wakeup_delayed();
}

export function flusher_running(): bool { return running; }

/** Test harness: one WB_SYNC_ALL pass of ->writepages over every dirty page of `ino`. */
export function writeback_inode_all(ino: u32): u32 {
  const max_pages = <u32>g(CFG_MAX_PAGES), max_write = <u32>g(CFG_MAX_WRITE);
  sent_this_step = 0;
  let index = next_dirty_index(ino, 0);
  while (index != NONE) {
    let next: u32;
    if (is_legacy()) {
      if (!legacy_writepage(ino, index, max_pages, max_write, send)) break;
      next = index + 1;
    } else next = nocopy_writepage(ino, index, max_pages, max_write, send);
    index = next_dirty_index(ino, next);
  }
  send_building();
  return sent_this_step;
}
