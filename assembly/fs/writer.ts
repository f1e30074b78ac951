// fio-like writer jobs doing write(2) through the FUSE writeback cache: fuse_cache_write_iter() ->
// generic_perform_write() with fuse_write_begin()/fuse_write_end(), balance_dirty_pages_ratelimited() per
// folio, and fsync (every N writes and/or at the end). Each job writes its own file (inode = job number).
import { NONE } from "../mm/constants";
import { page_order } from "../mm/page";
import { now, schedule } from "../sim/clock";
import { acc, charge, charge_reset } from "../sim/charge";
import {
  g, c, job, CFG_NR_JOBS, CFG_MAX_FOLIO_ORDER, JOB_BS, JOB_SIZE, JOB_RANDOM, JOB_FSYNC_EVERY, JOB_END_FSYNC, JOB_RATE,
  COST_WRITE_ITER, COST_COPY_PER_BYTE, COST_PAGE_ALLOC, COST_PAGECACHE_LOOKUP, COST_PAGECACHE_INSERT,
  COST_FOLIO_MARK_DIRTY, COST_BLOCK_STATE, COST_BALANCE_DIRTY_PAGES, COST_WAKEUP,
} from "../sim/config";
import { inode_create, inode_pages, mapping_pfn, page_version, set_page_version, ino_nr_dirty, ino_nr_writeback } from "./inode";
import { filemap_alloc_folio, folio_head, folio_test, folio_mark_blocks_dirty, folio_nr_pages } from "./folio";
import { PG_folio_writeback } from "../mm/page";
import { balance_dirty_pages_ratelimited, balance_dirty_pages_pause_end } from "./balance_dirty_pages";
import { shrink_page_cache } from "./reclaim";
import { data_write, data_file } from "../sim/data";
import {
  st_add, WRITES_ACKED, BYTES_WRITTEN, BYTES_COPIED_WRITE, WRITER_WB_WAITS, WRITER_WB_WAIT_NS, WRITER_THROTTLE_NS,
  WRITERS_DONE_NS, stat,
} from "./stats";
import { fuse_page_is_writeback } from "../fuse/legacy";
import { rb_find_overlap } from "../fuse/rbtree";
import { is_legacy, connected } from "../fuse/conn";

export const EV_WRITER: u32 = 1;
export const EV_WRITER_MEMORY_RETRY: u32 = 3;
/** The end of a writer's balance_dirty_pages() pause (io_schedule_timeout). */
export const EV_WRITER_PAUSE: u32 = 40;
/** mm/vmscan.c: reclaim_throttle() sleeps up to HZ/10 when reclaim makes no progress. */
const MEMORY_RETRY_NS: u64 = 100_000_000;

const W_RUNNING: u32 = 0;
const W_WAIT_WB: u32 = 1;
const W_WAIT_THROTTLE: u32 = 2;
const W_WAIT_FSYNC: u32 = 3;
const W_WAIT_MEMORY: u32 = 4;
const W_DONE: u32 = 5;

const MAX_W: i32 = 64;
const w_state = new StaticArray<u32>(MAX_W);
const w_done_bytes = new StaticArray<u64>(MAX_W); // bytes of completed write(2) calls
const w_cur_off = new StaticArray<u64>(MAX_W);
const w_cur_left = new StaticArray<u64>(MAX_W);
const w_writes = new StaticArray<u64>(MAX_W);
const w_wait_index = new StaticArray<u32>(MAX_W);
const w_blocked_at = new StaticArray<u64>(MAX_W);
const w_perm_a = new StaticArray<u64>(MAX_W);
const w_wake_at = new StaticArray<u64>(MAX_W); // the end of the writer's throttle pause
let nr_writers: u32 = 0;
let writers_running: u32 = 0;
/** Writers blocked on fsync ask the flusher for WB_SYNC_ALL writeback of their inode. */
export const sync_requested = new StaticArray<bool>(MAX_W);

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
    unchecked(sync_requested[j] = false);
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
    // fuse_write_begin(): wait for writeback of this range (legacy: the rb-tree; copy-free: the folio)
    const busy = is_legacy() ? fuse_page_is_writeback(ino, index) : folio_test(head, PG_folio_writeback);
    if (busy) {
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
    const newly_dirty = folio_mark_blocks_dirty(ino, first, pfn, n);
    if (newly_dirty) charge(c(COST_FOLIO_MARK_DIRTY));
    charge(<f64>n * c(COST_BLOCK_STATE));
    unchecked(w_cur_off[j] = off + chunk);
    unchecked(w_cur_left[j] -= chunk);
    charge(c(COST_BALANCE_DIRTY_PAGES));
    const wake = balance_dirty_pages_ratelimited(j, newly_dirty ? <u64>folio_nr_pages(head) : 0, now + <u64>acc);
    if (wake != 0) { unchecked(w_wake_at[j] = wake); return WRITE_THROTTLED; }
  }
  return WRITE_DONE;
}

/** One event of writer j: continue its write(2) (or start the next), until it blocks or the call ends. */
export function writer_step(j: u32): void {
  if (unchecked(w_state[j]) != W_RUNNING) return;
  if (!connected) { writer_finish(j); return; } // writes to an aborted connection fail with ENOTCONN
  charge_reset();
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
    schedule(unchecked(w_wake_at[j]), EV_WRITER_PAUSE, j);
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
  unchecked(sync_requested[j] = true);
  writer_block(j, W_WAIT_FSYNC);
  kick_flusher();
}

function wake(j: u32, ns_stat: i32): void {
  const at = max(now, unchecked(w_blocked_at[j]));
  st_add(ns_stat, <i64>(now - min(now, unchecked(w_blocked_at[j]))));
  unchecked(w_state[j] = W_RUNNING);
  schedule(at + <u64>c(COST_WAKEUP), EV_WRITER, j);
}

/** EV_WRITER_MEMORY_RETRY: a writer that found no memory tries again. */
export function writer_memory_retry(j: u32): void {
  if (unchecked(w_state[j]) == W_WAIT_MEMORY) wake(j, WRITER_THROTTLE_NS);
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
      const pfn = mapping_pfn(ino, index);
      // bookkeeping only, not charged: the woken writer re-checks (and pays) in fuse_write_begin()
      const busy = is_legacy() ? rb_find_overlap(ino, index, index) != NONE : folio_test(folio_head(pfn), PG_folio_writeback);
      if (!busy || !connected) wake(j, WRITER_WB_WAIT_NS);
    } else if (s == W_WAIT_FSYNC && j == ino) {
      if (inode_clean(j) || !connected) { unchecked(sync_requested[j] = false); wake(j, WRITER_THROTTLE_NS); }
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
