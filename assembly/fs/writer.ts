// fio-like writer jobs doing write(2) through the FUSE writeback cache: fuse_cache_write_iter() ->
// generic_perform_write() with fuse_write_begin()/fuse_write_end(), balance_dirty_pages_ratelimited() per
// folio, and fsync (every N writes and/or at the end). Each job writes its own file (inode = job number).
// fuse_write_begin() waits for writeback of the page on the temp-page path (fuse_wait_on_page_writeback(), the
// rb-tree, <= 6.15); from 6.16 it does not wait at all, so a write redirties a folio the server still holds.
// fsync (fuse_fsync -> file_write_and_wait_range) runs ->writepages with WB_SYNC_ALL in the writer's own
// context, past the congestion gate, then waits until nothing of the file is in flight.
import { NONE } from "../mm/constants";
import { page_order, page_flags } from "../mm/page";
import { now, schedule } from "../sim/clock";
import { charge, charge_reset } from "../sim/charge";
import {
  g, c, job, CFG_NR_JOBS, CFG_MAX_FOLIO_ORDER, JOB_BS, JOB_SIZE, JOB_RANDOM, JOB_FSYNC_EVERY, JOB_END_FSYNC, JOB_RATE,
  COST_WRITE_ITER, COST_COPY_PER_BYTE, COST_PAGE_ALLOC, COST_PAGECACHE_LOOKUP, COST_PAGECACHE_INSERT,
  COST_FOLIO_MARK_DIRTY, COST_BLOCK_STATE, COST_BALANCE_DIRTY_PAGES, COST_WAKEUP,
} from "../sim/config";
import { inode_create, inode_pages, mapping_pfn, page_version, set_page_version, ino_nr_dirty, ino_nr_writeback } from "./inode";
import { filemap_alloc_folio, folio_head, folio_mark_blocks_dirty } from "./folio";
import { PG_folio_writeback } from "../mm/page";
import { over_dirty_setpoint, wb_over_bg_thresh } from "./dirty";
import { shrink_page_cache } from "./reclaim";
import { data_write, data_file } from "../sim/data";
import {
  st_add, WRITES_ACKED, BYTES_WRITTEN, BYTES_COPIED_WRITE, WRITER_WB_WAITS, WRITER_WB_WAIT_NS, WRITER_THROTTLE_NS,
  WRITERS_DONE_NS, stat,
} from "./stats";
import { fuse_page_is_writeback, legacy_wpa, legacy_wpa_clear, legacy_wpa_restore } from "../fuse/legacy";
import { nocopy_wpa, nocopy_wpa_clear, nocopy_wpa_restore } from "../fuse/nocopy";
import { rb_find_overlap } from "../fuse/rbtree";
import { is_legacy, connected } from "../fuse/conn";
import { writepages_walk, send_building, walk_index, walk_wait_pfn, WALK_WAIT, WALK_STALL, JIFFY_NS } from "./writeback";
import { st_add as stat_add, TEMP_ALLOC_STALL_NS } from "./stats";

export const EV_WRITER: u32 = 1;
export const EV_WRITER_MEMORY_RETRY: u32 = 3;
/** mm/vmscan.c: reclaim_throttle() sleeps up to HZ/10 when reclaim makes no progress. */
const MEMORY_RETRY_NS: u64 = 100_000_000;

const W_RUNNING: u32 = 0;
const W_WAIT_WB: u32 = 1;
const W_WAIT_THROTTLE: u32 = 2;
const W_WAIT_FSYNC: u32 = 3;
const W_WAIT_MEMORY: u32 = 4;
const W_DONE: u32 = 5;
/** In fsync's ->writepages walk: waiting for a folio's writeback to end (folio_wait_writeback), or stalled a
 *  jiffy in the allocator for a temp page; the walk goes on from w_fsync_index afterwards. */
const W_WAIT_FSYNC_FOLIO: u32 = 6;
const W_WAIT_FSYNC_STALL: u32 = 7;

const MAX_W: i32 = 64;
const w_state = new StaticArray<u32>(MAX_W);
const w_done_bytes = new StaticArray<u64>(MAX_W); // bytes of completed write(2) calls
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
const FSYNC_NONE: u32 = 0;
const FSYNC_WALK: u32 = 1;
const FSYNC_WAIT: u32 = 2;
let nr_writers: u32 = 0;
let writers_running: u32 = 0;

/** Hook: wake the flusher (wb_start_background_writeback / sync). */
let kick_flusher: () => void = nothing;
function nothing(): void {}

function gcd(a: u64, b: u64): u64 { while (b != 0) { const t = a % b; a = b; b = t; } return a; }

/** False in the test harness: writes happen only when a test calls harness_write(). */
let autostart: bool = true;
export function set_writers_autostart(v: bool): void { autostart = v; }

export function writers_init(kick: () => void): void {
  kick_flusher = kick;
  nr_writers = <u32>g(CFG_NR_JOBS);
  writers_running = nr_writers;
  for (let j: u32 = 0; j < nr_writers; j++) {
    const size = <u64>job(j, JOB_SIZE);
    const ino = inode_create(<u32>((size + 4095) >> 12));
    data_file(ino, inode_pages(ino));
    unchecked(w_state[j] = W_RUNNING);
    unchecked(w_done_bytes[j] = 0);
    unchecked(w_cur_left[j] = 0);
    unchecked(w_writes[j] = 0);
    unchecked(w_fsync_phase[j] = FSYNC_NONE);
    // randwrite: an affine permutation of the blocks, so each block is written once (fio's random map)
    const blocks = size / <u64>job(j, JOB_BS);
    let a: u64 = blocks > 1 ? (<u64>2654435761 % blocks) | 1 : 1;
    while (blocks > 1 && gcd(a, blocks) != 1) a += 2;
    unchecked(w_perm_a[j] = a);
    if (autostart) schedule(0, EV_WRITER, j);
  }
}

export function writers_all_done(): bool { return writers_running == 0; }

function writer_block(j: u32, state: u32): void {
  unchecked(w_state[j] = state);
  unchecked(w_blocked_at[j] = now + <u64>charge_reset());
}

function writer_finish(j: u32): void {
  unchecked(w_state[j] = W_DONE);
  writers_running--;
  if (writers_running == 0) unchecked(stat[WRITERS_DONE_NS] = <i64>(now + <u64>charge_reset()));
}

export const WRITE_DONE: u32 = 0;
export const WRITE_BLOCKED_WB: u32 = 1;
export const WRITE_BLOCKED_MEMORY: u32 = 2;
export const WRITE_THROTTLED: u32 = 3;

/** generic_perform_write() with fuse_write_begin()/fuse_write_end() for what is left of writer j's current
 *  write(2) (w_cur_off, w_cur_left). Blocks the writer (writer_block) when it must wait. */
export function generic_perform_write(j: u32): u32 {
  const ino = j;
  const max_order = <u32>g(CFG_MAX_FOLIO_ORDER);
  const file_pages = inode_pages(ino);
  while (unchecked(w_cur_left[j]) > 0) {
    const off = unchecked(w_cur_off[j]);
    const index = <u32>(off >> 12);
    let pfn = mapping_pfn(ino, index);
    charge(c(COST_PAGECACHE_LOOKUP));
    if (pfn == NONE) {
      const left_pages = <u32>((unchecked(w_cur_left[j]) + (off & 4095) + 4095) >> 12);
      let head = filemap_alloc_folio(ino, index, left_pages, max_order, file_pages);
      // direct reclaim of clean page cache, then one more try
      if (head == NONE && shrink_page_cache(<u32>32) > 0) head = filemap_alloc_folio(ino, index, left_pages, max_order, file_pages);
      if (head == NONE) {
        // reclaim_throttle(VMSCAN_THROTTLE_NOPROGRESS): sleep and try again
        writer_block(j, W_WAIT_MEMORY);
        schedule(unchecked(w_blocked_at[j]) + MEMORY_RETRY_NS, EV_WRITER_MEMORY_RETRY, j);
        return WRITE_BLOCKED_MEMORY;
      }
      charge(c(COST_PAGE_ALLOC) + c(COST_PAGECACHE_INSERT));
      pfn = mapping_pfn(ino, index);
    }
    const head = folio_head(pfn);
    // fuse_write_begin(): <= 6.15 waits for the range's in-flight temp copies (the rb-tree); 6.16 waits for nothing
    if (is_legacy() && fuse_page_is_writeback(ino, index)) {
      unchecked(w_wait_index[j] = index);
      st_add(WRITER_WB_WAITS, 1);
      writer_block(j, W_WAIT_WB);
      return WRITE_BLOCKED_WB;
    }
    // copy the user data into the folio, up to the folio's end
    const folio_end = (<u64>(index - (pfn - head)) + (<u64>1 << page_order(head))) << 12;
    const chunk = min(unchecked(w_cur_left[j]), folio_end - off);
    charge(<f64>chunk * c(COST_COPY_PER_BYTE));
    st_add(BYTES_COPIED_WRITE, <i64>chunk);
    data_write(ino, off, chunk, pfn, unchecked(w_writes[j]));
    const first = index, last = <u32>((off + chunk - 1) >> 12);
    for (let i = first; i <= last; i++) set_page_version(ino, i, page_version(ino, i) + 1);
    const n = last - first + 1;
    if (folio_mark_blocks_dirty(ino, first, pfn, n)) charge(c(COST_FOLIO_MARK_DIRTY));
    charge(<f64>n * c(COST_BLOCK_STATE));
    unchecked(w_cur_off[j] = off + chunk);
    unchecked(w_cur_left[j] -= chunk);
    // balance_dirty_pages_ratelimited()
    charge(c(COST_BALANCE_DIRTY_PAGES));
    if (wb_over_bg_thresh()) kick_flusher();
    if (over_dirty_setpoint()) return WRITE_THROTTLED;
  }
  return WRITE_DONE;
}

/** One event of writer j: continue its write(2) (or start the next), until it blocks or the call ends. */
export function writer_step(j: u32): void {
  if (unchecked(w_state[j]) != W_RUNNING) return;
  if (!connected) { writer_finish(j); return; } // writes to an aborted connection fail with ENOTCONN
  charge_reset();
  if (unchecked(w_fsync_phase[j]) != FSYNC_NONE) { fsync_step(j); return; }
  const bs = <u64>job(j, JOB_BS), size = <u64>job(j, JOB_SIZE);
  if (unchecked(w_cur_left[j]) == 0) {
    const done = unchecked(w_done_bytes[j]);
    if (done >= size) {
      if (job(j, JOB_END_FSYNC) != 0 && !inode_clean(j)) { start_fsync(j); return; }
      writer_finish(j);
      return;
    }
    const k = done / bs;
    const blocks = size / bs;
    const block = job(j, JOB_RANDOM) != 0 ? (k * unchecked(w_perm_a[j])) % blocks : k;
    unchecked(w_cur_off[j] = block * bs);
    unchecked(w_cur_left[j] = min(bs, size - block * bs));
    charge(c(COST_WRITE_ITER));
  }
  const r = generic_perform_write(j);
  if (r == WRITE_THROTTLED) {
    if (unchecked(w_cur_left[j]) == 0) write_done(j, bs);
    writer_block(j, W_WAIT_THROTTLE);
    return;
  }
  if (r != WRITE_DONE) return;
  write_done(j, bs);
  const every = <u64>job(j, JOB_FSYNC_EVERY);
  if (every != 0 && unchecked(w_writes[j]) % every == 0 && !inode_clean(j)) { start_fsync(j); return; }
  let next = now + <u64>charge_reset();
  // fio rate=: sleep until the bytes done so far are within the rate
  const rate = job(j, JOB_RATE);
  if (rate > 0) {
    const due = <u64>(<f64>unchecked(w_done_bytes[j]) / rate * 1e9);
    if (due > next) next = due;
  }
  schedule(next, EV_WRITER, j);
}

function write_done(j: u32, bs: u64): void {
  unchecked(w_writes[j] += 1);
  unchecked(w_done_bytes[j] += bs);
  st_add(WRITES_ACKED, 1);
  st_add(BYTES_WRITTEN, <i64>bs);
}

@inline function inode_clean(ino: u32): bool {
  return unchecked(ino_nr_dirty[ino]) == 0 && unchecked(ino_nr_writeback[ino]) == 0;
}

function start_fsync(j: u32): void {
  unchecked(w_fsync_phase[j] = FSYNC_WALK);
  unchecked(w_fsync_index[j] = 0);
  fsync_step(j);
}

/** fuse_fsync(): file_write_and_wait_range() runs ->writepages (WB_SYNC_ALL: no congestion gate) over the file in
 *  this context, waiting on folios still under writeback; then the file's writeback must end (fdatawait, and
 *  fuse_sync_writes() for the temp-page path's requests in flight) before fsync returns. */
function fsync_step(j: u32): void {
  const ino = j;
  if (unchecked(w_fsync_phase[j]) == FSYNC_WALK) {
    // the walk builds requests of its own: the flusher's half-built one waits aside
    const saved_legacy = legacy_wpa, saved_nocopy = nocopy_wpa;
    legacy_wpa_clear(); nocopy_wpa_clear();
    const r = writepages_walk(ino, unchecked(w_fsync_index[j]), i64.MAX_VALUE, true, false);
    // where the kernel keeps filling its request across the wait, this sends it first (a small difference)
    send_building();
    legacy_wpa_restore(saved_legacy); nocopy_wpa_restore(saved_nocopy);
    unchecked(w_fsync_index[j] = walk_index);
    if (r == WALK_WAIT) {
      unchecked(w_wait_pfn[j] = walk_wait_pfn);
      writer_block(j, W_WAIT_FSYNC_FOLIO);
      return;
    }
    if (r == WALK_STALL) {
      stat_add(TEMP_ALLOC_STALL_NS, <i64>JIFFY_NS);
      writer_block(j, W_WAIT_FSYNC_STALL);
      schedule(unchecked(w_blocked_at[j]) + JIFFY_NS, EV_WRITER_MEMORY_RETRY, j);
      return;
    }
    unchecked(w_fsync_phase[j] = FSYNC_WAIT);
  }
  if (!inode_clean(j) && connected) { writer_block(j, W_WAIT_FSYNC); return; }
  unchecked(w_fsync_phase[j] = FSYNC_NONE);
  schedule(now + <u64>charge_reset(), EV_WRITER, j);
}

function wake(j: u32, ns_stat: i32): void {
  const at = max(now, unchecked(w_blocked_at[j]));
  st_add(ns_stat, <i64>(now - min(now, unchecked(w_blocked_at[j]))));
  unchecked(w_state[j] = W_RUNNING);
  schedule(at + <u64>c(COST_WAKEUP), EV_WRITER, j);
}

/** EV_WRITER_MEMORY_RETRY: a writer that found no memory tries again. */
export function writer_memory_retry(j: u32): void {
  const s = unchecked(w_state[j]);
  if (s == W_WAIT_MEMORY || s == W_WAIT_FSYNC_STALL) wake(j, WRITER_THROTTLE_NS);
}

/** Pages of `ino` finished writeback (or memory was freed): wake the writers that can go on. */
export function writers_on_complete(ino: u32): void {
  for (let j: u32 = 0; j < nr_writers; j++) {
    const s = unchecked(w_state[j]);
    if (s == W_WAIT_WB && j == ino) {
      const index = unchecked(w_wait_index[j]);
      // bookkeeping only, not charged: the woken writer re-checks (and pays) in fuse_write_begin()
      const busy = rb_find_overlap(ino, index, index) != NONE;
      if (!busy || !connected) wake(j, WRITER_WB_WAIT_NS);
    } else if (s == W_WAIT_THROTTLE) {
      if (!over_dirty_setpoint() || !connected) wake(j, WRITER_THROTTLE_NS);
    } else if (s == W_WAIT_FSYNC && j == ino) {
      if (inode_clean(j) || !connected) wake(j, WRITER_THROTTLE_NS);
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

/** Test harness (assembly/sim/harness.ts): one write(2) of writer j at [off, off+len), run at once.
 *  Returns WRITE_DONE, or what it blocks on (the rest of the write stays pending in the writer). */
export function harness_write(j: u32, off: u64, len: u64): u32 {
  unchecked(w_state[j] = W_RUNNING);
  unchecked(w_cur_off[j] = off);
  unchecked(w_cur_left[j] = len);
  const r = generic_perform_write(j);
  if (r == WRITE_DONE || r == WRITE_THROTTLED) unchecked(w_state[j] = W_DONE);
  return r == WRITE_THROTTLED ? WRITE_DONE : r;
}
