// The FUSE server model: libfuse's worker pool reading requests from /dev/fuse, a passthrough to a backing file,
// latency per request and per byte, splice, and the faults of DESIGN.md 1.3 (slow, stops, drops a fraction, crashes). Over
// tmpfs (server.backing, passthrough_ll's usual store) every byte received lands in shmem pages of this machine,
// and without splice each thread's receive buffer is anon memory: both are movable and, without swap, never
// reclaimed. Threads work in parallel; contention on the backing file (tmpfs takes the inode lock per write) is
// not modelled beyond what the scenario's per-byte cost says.
import { NONE, __GFP_MOVABLE, GFP_LRU } from "../mm/constants";
import { page_ref, set_page_ref, set_page_next, set_page_prev, page_next, page_prev, page_flags, page_alloc_mt, PG_owner, PG_lru } from "../mm/page";
import { kmalloc_large, kmalloc_large_order, alloc_page_may_reclaim } from "../mm/slab";
import { MIGRATE_UNMOVABLE } from "../mm/constants";
import { __alloc_pages, __free_pages, alloc_pages_after_reclaim } from "../mm/page_alloc";
import { OWNER_ANON, ANON_SERVER_BUFFER, anon_slot_alloc, anon_reap } from "../mm/anon";
import { oom_after_no_progress, oom_progress, OOM_CTX_SERVER } from "../sim/oom";
import { OWNER_SHMEM, backing_pfn, set_backing_pfn, mod_shmem } from "../fs/inode";
import { shrink_page_cache, SWAP_CLUSTER_MAX } from "../fs/reclaim";
import { reclaim_slept_ns } from "../fs/reclaim_throttle";
import { jiffy_ns } from "../sim/jiffies";
import { now, schedule } from "../sim/clock";
import { context_now, charge, charge_reset } from "../sim/charge";
import { sample, next_unit } from "../sim/prng";
import {
  param, cost_ns, CFG_SERVER_THREADS, CFG_LATENCY_KIND, CFG_LATENCY_MEAN_NS, CFG_LATENCY_SIGMA, CFG_PER_BYTE_NS,
  CFG_SPLICE, CFG_PRIVILEGED, CFG_SLOW_FACTOR, CFG_STOP_AFTER_REQUESTS, CFG_STOP_AT_NS, CFG_DROP_FRACTION,
  CFG_SPLICE_HOLD_NS, CFG_SERVER_BACKING, COST_SYSCALL, COST_PAGE_ALLOC, COST_COPY_PER_BYTE, COST_DEV_READ,
  COST_SERVER_PER_REQUEST, COST_SERVER_BACKING_PER_PAGE, COST_SERVER_BACKING_PER_BYTE, COST_WAKEUP, COST_PAGECACHE_LOOKUP,
  COST_THREAD_CREATE,
} from "../sim/config";
import {
  pending_pop, request_read, req_ino, req_start, req_nr, req_pfn, set_req_state, set_req_spliced, req_spliced, splice_release_pages,
  req_kind, REQ_PROCESSING, REQ_LOST_BY_SERVER, REQ_KIND_WRITEBACK, REQ_KIND_WRITE, REQ_KIND_READ, REQ_KIND_SETATTR,
} from "./request";
import { request_replied, connected, is_legacy, fuse_abort_conn, set_abort_hook } from "./conn";
import { splice_unprivileged_copy } from "../sim/mechanisms";
import { data_server_store } from "../sim/data";
import { totalram_pages } from "../mm/zone";
import {
  stat_value, st_add, BYTES_COPIED_SERVER, REQUESTS_DROPPED, SERVER_ALLOC_STALLS, SERVER_BUFFER_PAGES, NR_SHMEM, SERVER_THREADS,
  SERVER_PIPE_COPIES,
} from "../fs/stats";
import { arena_alloc } from "../sim/arena";

export const EV_SERVER_PICK: u32 = 10;
export const EV_SERVER_REPLY: u32 = 11;
export const EV_SPLICE_RELEASE: u32 = 12;
export const EV_SERVER_STORE: u32 = 13;

const T_IDLE: u32 = 0;
const T_BUSY: u32 = 1;
const T_STUCK: u32 = 2;
const MAX_THREADS: i32 = 256;
const t_state = new StaticArray<u32>(MAX_THREADS);
const t_req = new StaticArray<u32>(MAX_THREADS);
const t_pick_scheduled = new StaticArray<bool>(MAX_THREADS);
/** Pages of the request in hand already in the backing store (a thread that ran out of memory goes on from here). */
const t_stored = new StaticArray<u32>(MAX_THREADS);
/** The request in hand has had its service charged (server_serve()). */
const t_served = new StaticArray<bool>(MAX_THREADS);
/** Pages of the thread's receive buffer faulted in so far. */
const t_buffer_pages = new StaticArray<u32>(MAX_THREADS);
// libfuse's fuse_session_loop_mt() (lib/fuse_loop_mt.c, 3.14 and 3.18): one worker at start; a worker that takes a
// request and leaves no other one available (numavail == 0) starts another while numworker < max_threads
// (server.threads: passthrough_ll's -o max_threads, FUSE_LOOP_MT_DEF_MAX_THREADS = 10). Workers never exit
// (helper.c's max_idle_threads is -1 in 3.14 and UINT_MAX in 3.18, both "never destroy").
let max_threads: u32 = 0;
/** mt->numworker and mt->numavail. */
let nr_threads: u32 = 0;
let nr_avail: u32 = 0;
let requests_read: u32 = 0;
// fiq->waitq: the workers asleep in fuse_dev_do_read()'s wait_event_interruptible_exclusive(). An exclusive waiter
// is queued at the tail (prepare_to_wait_event(): __add_wait_queue_entry_tail() for WQ_FLAG_EXCLUSIVE) and
// wake_up() (fuse_dev_wake_and_unlock()) wakes the first one, removing it (autoremove_wake_function()): the
// longest sleeper. A woken worker that finds the queue empty again goes back to sleep at the tail.
const sleepers = new StaticArray<u32>(MAX_THREADS);
const t_asleep = new StaticArray<bool>(MAX_THREADS);
let sleep_head: u32 = 0, sleep_len: u32 = 0;

function worker_sleep(t: u32): void {
  if (unchecked(t_asleep[t])) return;
  unchecked(t_asleep[t] = true);
  unchecked(sleepers[(sleep_head + sleep_len) % <u32>MAX_THREADS] = t);
  sleep_len++;
}

// The splice read path's own kernel allocations (6.12 and 6.1 alike), all unmovable (no __GFP_MOVABLE):
//   - each worker's pipe ring: libfuse's first receive creates the worker's pipe and grows it to its 1 MiB + 4 KiB
//     buffer (fuse_session_receive_buf_int(): F_SETPIPE_SZ), which fs/pipe.c round_pipe_size() makes 2 MiB, 512
//     slots; pipe_resize_ring(): kcalloc(nr_slots, sizeof(struct pipe_buffer) = 40, GFP_KERNEL_ACCOUNT |
//     __GFP_NOWARN) = 20 KiB, above KMALLOC_MAX_CACHE_SIZE, so an order-3 page block (__kmalloc_large_node()),
//     held for the pipe's life. If it fails, F_SETPIPE_SZ fails and libfuse reads for good (llp->can_grow = 0);
//   - fs/fuse/dev.c fuse_dev_splice_read(): kvmalloc_array(pipe->max_usage, sizeof(struct pipe_buffer), GFP_KERNEL)
//     before fuse_dev_do_read() waits for a request, kvfree() after it returns: 20 KiB, order 3 with __GFP_NORETRY
//     (kmalloc_gfp_adjust()), else vmalloc's five order-0 pages; held while the worker sleeps in splice(2);
//   - fuse_copy_fill(): alloc_page(GFP_HIGHUSER) for the request's header in the pipe, freed when libfuse reads the
//     header out of the pipe (fuse_session_process_buf_int() / the small-request copy), before the store.
// Not modelled: the 16-slot ring a new pipe starts with (a kmalloc-1024 object, freed by the resize), vmalloc's
// struct vm_struct, vmap_area and page array, and a server that exits when a splice(2) fails with -ENOMEM.
export const OWNER_FUSE_DEV: u32 = 0xffffff02;
/** What a worker's OWNER_FUSE_DEV page is: its pipe's ring, its pipe_buffer array (or that array's vmalloc pages),
 *  or a page the kernel filled for its pipe (fuse_copy_fill(): the header's page, or a payload copy). */
const DEV_RING: u32 = 0, DEV_BUFS: u32 = 1, DEV_BUFS_VMALLOC: u32 = 2, DEV_PIPE_PAGE: u32 = 3;
const PIPE_SLOTS: u32 = 512;
const SIZEOF_PIPE_BUFFER: u32 = 40;
const PIPE_BUFS_BYTES: u32 = PIPE_SLOTS * SIZEOF_PIPE_BUFFER;
const VMALLOC_PAGES: u32 = (PIPE_BUFS_BYTES + 4095) / 4096;
const GFP_KERNEL: u32 = 0; // unmovable, may reclaim
const t_ring = new StaticArray<u32>(MAX_THREADS);
const t_ring_failed = new StaticArray<bool>(MAX_THREADS);
const t_bufs = new StaticArray<u32>(MAX_THREADS);
const t_bufs_vm = new StaticArray<u32>(MAX_THREADS * 5);
const t_bufs_nvm = new StaticArray<u32>(MAX_THREADS);
/** The splice-copy remedy: the payload copies in worker t's pipe (FUSE_MAX_MAX_PAGES slots a worker). */
const MAX_PIPE_COPIES: i32 = 256;
const t_copy = new StaticArray<u32>(MAX_THREADS * MAX_PIPE_COPIES);
const t_ncopy = new StaticArray<u32>(MAX_THREADS);

function dev_own(pfn: u32, order: u32, t: u32, kind: u32): void {
  const n: u32 = <u32>1 << order;
  for (let i: u32 = 0; i < n; i++) { set_page_next(pfn + i, OWNER_FUSE_DEV); set_page_prev(pfn + i, (t << 2) | kind); }
}

/** The worker's pipe at its first receive: its 512-slot ring (pipe_resize_ring()). False: it reads instead. */
function worker_pipe(t: u32): bool {
  if (unchecked(t_ring[t]) != NONE) return true;
  if (unchecked(t_ring_failed[t])) return false;
  const p = kmalloc_large(PIPE_BUFS_BYTES, GFP_KERNEL, true);
  if (p == NONE) { unchecked(t_ring_failed[t] = true); return false; }
  charge(cost_ns(COST_PAGE_ALLOC));
  dev_own(p, kmalloc_large_order(PIPE_BUFS_BYTES), t, DEV_RING);
  unchecked(t_ring[t] = p);
  return true;
}
/** The head PFN of worker t's pipe ring (kind 0) or pipe_buffer array (kind 1), NONE if it holds none. */
export function server_dev_pfn(t: u32, kind: u32): u32 { return kind == DEV_RING ? unchecked(t_ring[t]) : unchecked(t_bufs[t]); }
/** Does worker t read /dev/fuse with splice(2)? */
function thread_splices(t: u32): bool { return server_splices() && unchecked(t_ring[t]) != NONE; }

/** fuse_dev_splice_read(): the pipe_buffer array, kvmalloc_array() on entry (kept while the worker sleeps). */
function splice_bufs_alloc(t: u32): void {
  if (unchecked(t_bufs[t]) != NONE || unchecked(t_bufs_nvm[t]) != 0) return;
  const p = kmalloc_large(PIPE_BUFS_BYTES, GFP_KERNEL, true);
  charge(cost_ns(COST_PAGE_ALLOC));
  if (p != NONE) { dev_own(p, kmalloc_large_order(PIPE_BUFS_BYTES), t, DEV_BUFS); unchecked(t_bufs[t] = p); return; }
  // __kvmalloc_node(): the vmalloc fallback, order-0 pages
  for (let i: u32 = 0; i < VMALLOC_PAGES; i++) {
    const q = alloc_page_may_reclaim(GFP_KERNEL);
    if (q == NONE) break; // -ENOMEM: not modelled (libfuse would end its session); the read goes on without it
    dev_own(q, 0, t, DEV_BUFS_VMALLOC);
    unchecked(t_bufs_vm[t * 5 + i] = q);
    unchecked(t_bufs_nvm[t] = i + 1);
  }
}
/** kvfree(bufs) as fuse_dev_splice_read() returns. */
function splice_bufs_free(t: u32): void {
  const p = unchecked(t_bufs[t]);
  if (p != NONE) { __free_pages(p, kmalloc_large_order(PIPE_BUFS_BYTES)); unchecked(t_bufs[t] = NONE); }
  const n = unchecked(t_bufs_nvm[t]);
  for (let i: u32 = 0; i < n; i++) __free_pages(unchecked(t_bufs_vm[t * 5 + i]), 0);
  unchecked(t_bufs_nvm[t] = 0);
}
/** fuse_copy_fill(): the header's page in the pipe, alloc_page(GFP_HIGHUSER); libfuse reads the header out at
 *  once, which releases the pipe buffer and frees the page (a failure is not modelled: the read goes on). */
function splice_header_page(t: u32): void {
  const p = splice_header_alloc(t);
  if (p != NONE) __free_pages(p, 0);
}
function splice_header_alloc(t: u32): u32 {
  const p = alloc_page_may_reclaim(GFP_KERNEL);
  charge(cost_ns(COST_PAGE_ALLOC));
  if (p != NONE) dev_own(p, 0, t, DEV_PIPE_PAGE);
  return p;
}

/** The splice-copy remedy (policy nocopy-splice-copy, an unprivileged server): fuse_copy_page() copies each payload
 *  page into a fresh pipe page, as 6.12 already does for a request's user pages ("Can't control lifetime of pipe
 *  buffers, so always copy user pages": fuse_copy_fill(), alloc_page(GFP_HIGHUSER), unmovable) instead of giving the
 *  pipe a reference to the folio (fuse_ref_page()). The server still splices. An order-0 allocation in a user task
 *  does not fail: it loops in the allocator (false: the worker stalls, server_stall(), and goes on from the next
 *  page). */
@inline function pipe_copies(): bool { return splice_unprivileged_copy && param(CFG_PRIVILEGED) == 0; }
function pipe_copy_fill(t: u32, req: u32): bool {
  const n = min(req_nr(req), <u32>MAX_PIPE_COPIES);
  for (let i = unchecked(t_ncopy[t]); i < n; i++) {
    const p = alloc_user_page(GFP_KERNEL);
    if (p == NONE) return false;
    oom_progress(OOM_CTX_SERVER + t);
    charge(4096.0 * cost_ns(COST_COPY_PER_BYTE));
    st_add(BYTES_COPIED_SERVER, 4096);
    st_add(SERVER_PIPE_COPIES, 1);
    dev_own(p, 0, t, DEV_PIPE_PAGE);
    unchecked(t_copy[t * MAX_PIPE_COPIES + i] = p);
    unchecked(t_ncopy[t] = i + 1);
  }
  return true;
}
/** The pipe's copies are released (iter_file_splice_write() at the store, or the pipe's release on exit). */
function pipe_copy_release(t: u32): void {
  const n = unchecked(t_ncopy[t]);
  for (let i: u32 = 0; i < n; i++) __free_pages(unchecked(t_copy[t * MAX_PIPE_COPIES + i]), 0);
  unchecked(t_ncopy[t] = 0);
}
/** fuse_abort_conn() wakes every reader (wake_up_all(&fiq->waitq)): their splice(2) returns and frees its array. */
function server_conn_aborted(): void { for (let t: u32 = 0; t < nr_threads; t++) splice_bufs_free(t); }

/** The checker: every page owned by OWNER_FUSE_DEV is one the workers hold (a ring, a pipe_buffer array or its
 *  vmalloc pages), allocated, unmovable and off the LRU, and `seen` (the pages the page walk found with that
 *  owner) is their number. */
export let server_dev_invariant_where: u32 = NONE;
export function check_server_dev_pages(seen: u32): bool {
  let held: u32 = 0;
  for (let t: u32 = 0; t < nr_threads; t++) {
    const r = unchecked(t_ring[t]), b = unchecked(t_bufs[t]);
    if (r != NONE) { if (!dev_block_ok(r, kmalloc_large_order(PIPE_BUFS_BYTES), t, DEV_RING)) return false; held += <u32>1 << kmalloc_large_order(PIPE_BUFS_BYTES); }
    if (b != NONE) { if (!dev_block_ok(b, kmalloc_large_order(PIPE_BUFS_BYTES), t, DEV_BUFS)) return false; held += <u32>1 << kmalloc_large_order(PIPE_BUFS_BYTES); }
    const n = unchecked(t_bufs_nvm[t]);
    for (let i: u32 = 0; i < n; i++) { if (!dev_block_ok(unchecked(t_bufs_vm[t * 5 + i]), 0, t, DEV_BUFS_VMALLOC)) return false; held++; }
    // payload copies live in the pipe of a worker from its read until its store is done (its reply event)
    const c = unchecked(t_ncopy[t]);
    for (let i: u32 = 0; i < c; i++) { if (!dev_block_ok(unchecked(t_copy[t * MAX_PIPE_COPIES + i]), 0, t, DEV_PIPE_PAGE)) return false; held++; }
    if (c != 0 && unchecked(t_state[t]) != T_BUSY) { server_dev_invariant_where = unchecked(t_copy[t * MAX_PIPE_COPIES]); return false; }
    // only a worker inside splice(2) holds an array: one asleep in read, or between its reply and its next read
    if ((b != NONE || n != 0) && unchecked(t_state[t]) == T_BUSY) { server_dev_invariant_where = b != NONE ? b : unchecked(t_bufs_vm[t * 5]); return false; }
  }
  if (held != seen) { server_dev_invariant_where = NONE; return false; }
  return true;
}
function dev_block_ok(pfn: u32, order: u32, t: u32, kind: u32): bool {
  const n: u32 = <u32>1 << order;
  for (let i: u32 = 0; i < n; i++) {
    const p = pfn + i;
    if ((page_flags(p) & (PG_owner | PG_lru)) != PG_owner || page_next(p) != OWNER_FUSE_DEV || page_prev(p) != ((t << 2) | kind) ||
        page_alloc_mt(p) != MIGRATE_UNMOVABLE) { server_dev_invariant_where = p; return false; }
  }
  return true;
}

function worker_init(t: u32): void {
  unchecked(t_ring[t] = NONE); unchecked(t_ring_failed[t] = false); unchecked(t_bufs[t] = NONE); unchecked(t_bufs_nvm[t] = 0);
  unchecked(t_ncopy[t] = 0); unchecked(t_served[t] = false);
  unchecked(t_state[t] = T_IDLE); unchecked(t_req[t] = NONE); unchecked(t_pick_scheduled[t] = false);
  unchecked(t_buffer_pages[t] = 0); unchecked(t_stored[t] = 0); unchecked(t_asleep[t] = false);
}

export function server_init(): void {
  held_len = 0; held_head = 0;
  sleep_head = 0; sleep_len = 0;
  max_threads = min(<u32>param(CFG_SERVER_THREADS), <u32>MAX_THREADS);
  nr_threads = 1; nr_avail = 1;
  worker_init(0);
  worker_sleep(0); // the first worker is already in read(2) of /dev/fuse
  st_add(SERVER_THREADS, 1);
  requests_read = 0;
  killed = false;
  set_abort_hook(server_conn_aborted);
}

/** fuse_do_work() after a worker took a request: numavail--, and fuse_loop_start_thread() when none is left. The
 *  new worker's first read(2) of /dev/fuse follows its creation, which the taking worker pays under the lock. */
function worker_took_request(): void {
  nr_avail--;
  if (nr_avail != 0 || nr_threads >= max_threads) return;
  const t = nr_threads++;
  nr_avail++;
  worker_init(t);
  st_add(SERVER_THREADS, 1);
  charge(cost_ns(COST_THREAD_CREATE));
  unchecked(t_pick_scheduled[t] = true);
  schedule(context_now(), EV_SERVER_PICK, t);
}

/** The server has stopped answering (a stuck or hung daemon): no thread reads or replies any more. */
function server_stopped(): bool {
  const after = <u32>param(CFG_STOP_AFTER_REQUESTS);
  const at = <u64>param(CFG_STOP_AT_NS);
  return (after != 0 && requests_read >= after) || (at != 0 && now >= at);
}

/** Does this server read requests with splice()? (Under the splice-copy remedy an unprivileged one still does,
 *  and gets copies in its pipe: pipe_copies().) */
export function server_splices(): bool { return param(CFG_SPLICE) != 0; }

/** A request was queued (fuse_dev_wake_and_unlock(): wake_up(&fiq->waitq)): the longest-sleeping worker wakes
 *  (it pays the wake-up latency). A worker between its reply and its next read is not asleep: it finds the request
 *  itself if it gets there first. */
export function server_wake_one(): void {
  while (sleep_len > 0) {
    const t = unchecked(sleepers[sleep_head]);
    sleep_head = (sleep_head + 1) % <u32>MAX_THREADS;
    sleep_len--;
    unchecked(t_asleep[t] = false);
    if (unchecked(t_state[t]) != T_IDLE || unchecked(t_pick_scheduled[t])) continue;
    unchecked(t_pick_scheduled[t] = true);
    // the wake-up is the caller's, at its own virtual time (now + its charge so far in this event)
    schedule(context_now() + <u64>cost_ns(COST_WAKEUP), EV_SERVER_PICK, t);
    return;
  }
}

/** A thread looks for a request (fuse_dev_do_read) and works on it until its reply time. */
export function server_pick(t: u32): void {
  unchecked(t_pick_scheduled[t] = false);
  if (unchecked(t_state[t]) != T_IDLE) return;
  if (!connected || server_stopped()) { splice_bufs_free(t); unchecked(t_state[t] = T_STUCK); return; }
  // libfuse's receive: splice(2) from /dev/fuse into the worker's pipe (its first receive creates the pipe), and
  // fuse_dev_splice_read() allocates its pipe_buffer array before it waits
  const splicing = server_splices() && worker_pipe(t);
  if (splicing) splice_bufs_alloc(t);
  const req = pending_pop();
  if (req == NONE) { worker_sleep(t); return; } // idle until server_wake_one() reaches it
  requests_read++;
  request_read(req);
  unchecked(t_state[t] = T_BUSY);
  unchecked(t_req[t] = req);
  unchecked(t_stored[t] = 0);
  unchecked(t_served[t] = false);
  const n = req_nr(req);
  const bytes = <f64>n * 4096.0;
  const slow = param(CFG_SLOW_FACTOR);
  charge_reset();
  // read(2) of /dev/fuse: header plus the payload copied out, or the pages spliced into a pipe
  charge(cost_ns(COST_SYSCALL) + cost_ns(COST_DEV_READ));
  let copied = true;
  if (splicing && pipe_copies() && is_write(req)) {
    // the splice-copy remedy: fuse_dev_do_read() fills the pipe with the header's page, then a copy of each payload
    // page, while fuse_dev_splice_read() holds its pipe_buffer array; the array is freed as the splice returns and
    // the header's page when libfuse reads the header out. (A copy that must wait for memory stalls the worker with
    // both already released: the kernel's allocator loop would hold them.)
    const h = splice_header_alloc(t);
    copied = pipe_copy_fill(t, req);
    splice_bufs_free(t);
    if (h != NONE) __free_pages(h, 0);
  } else if (splicing) {
    // the header's page (fuse_copy_fill()), then kvfree(bufs) as the splice returns; libfuse reads the header out
    splice_header_page(t);
    splice_bufs_free(t);
  }
  worker_took_request();
  if (req_kind(req) == REQ_KIND_READ) {
    // lo_read() -> fuse_reply_data(): libfuse without splice preads the range from the backing file into a buffer
    // (fuse_buf_copy: a lookup and a copy per page, a hole or a fallocated page reads as zeros) and writes the
    // reply, which the kernel copies into the folio (fuse_dev_do_write -> fuse_copy_args) in this thread's write(2)
    charge((cost_ns(COST_SERVER_PER_REQUEST) + cost_ns(COST_SYSCALL) + <f64>n * cost_ns(COST_PAGECACHE_LOOKUP) +
      bytes * (cost_ns(COST_COPY_PER_BYTE) + param(CFG_PER_BYTE_NS))) * slow);
    charge(sample(<u32>param(CFG_LATENCY_KIND), param(CFG_LATENCY_MEAN_NS), param(CFG_LATENCY_SIGMA)) * slow);
    charge(bytes * cost_ns(COST_COPY_PER_BYTE));
    st_add(BYTES_COPIED_SERVER, <i64>bytes);
    schedule(now + <u64>charge_reset(), EV_SERVER_REPLY, t);
    return;
  }
  if (!is_write(req)) {
    // GETATTR (passthrough_ll lo_getattr: fstatat) or FSYNC (lo_fsync: fsync on tmpfs): one system call each;
    // SETATTR of the times (lo_setattr: futimens, then lo_getattr's fstatat for the reply): two
    const calls: f64 = req_kind(req) == REQ_KIND_SETATTR ? 2 : 1;
    charge((cost_ns(COST_SERVER_PER_REQUEST) + calls * cost_ns(COST_SYSCALL)) * slow);
    charge(sample(<u32>param(CFG_LATENCY_KIND), param(CFG_LATENCY_MEAN_NS), param(CFG_LATENCY_SIGMA)) * slow);
    schedule(now + <u64>charge_reset(), EV_SERVER_REPLY, t);
    return;
  }
  if (splicing && pipe_copies()) {
    if (!copied) { server_stall(t, GFP_KERNEL); return; }
  } else if (splicing) {
    set_req_spliced(req, true);
    for (let i: u32 = 0; i < n; i++) { const p = req_pfn(req, i); if (p != NONE) set_page_ref(p, page_ref(p) + 1); }
  } else {
    // libfuse reads into its per-thread buffer (max_write + 4 KiB, malloc'd anon memory): its pages are
    // faulted in as a request first reaches them
    if (!receive_buffer_fault(t, n + 1)) { server_stall(t, __GFP_MOVABLE | GFP_LRU); return; }
  }
  server_serve(t);
  server_store(t);
}

/** The server's work on a WRITE once its payload is in hand (once a request, also when the read had to wait for
 *  memory first): a read(2) copies the payload out into the receive buffer; then libfuse's dispatch and the
 *  request's latency draw. */
function server_serve(t: u32): void {
  const req = unchecked(t_req[t]);
  const bytes = <f64>req_nr(req) * 4096.0;
  const slow = param(CFG_SLOW_FACTOR);
  unchecked(t_served[t] = true);
  if (!thread_splices(t)) {
    charge(bytes * cost_ns(COST_COPY_PER_BYTE));
    st_add(BYTES_COPIED_SERVER, <i64>bytes);
  }
  charge(cost_ns(COST_SERVER_PER_REQUEST) * slow);
  charge(sample(<u32>param(CFG_LATENCY_KIND), param(CFG_LATENCY_MEAN_NS), param(CFG_LATENCY_SIGMA)) * slow);
}

/** pwrite(2) of the payload to the backing file (passthrough), from the page reached so far: over tmpfs each index
 *  needs a shmem page of this machine's memory the first time it is written (shmem_write_begin ->
 *  shmem_get_folio -> shmem_alloc_folio, GFP_HIGHUSER_MOVABLE). The server's own work is scaled by `slow`. */
function server_store(t: u32): void {
  const req = unchecked(t_req[t]);
  const n = req_nr(req), ino = req_ino(req), start = req_start(req);
  const tmpfs = param(CFG_SERVER_BACKING) != 0;
  for (let i = unchecked(t_stored[t]); i < n; i++) {
    if (tmpfs && backing_pfn(ino, start + i) == NONE) {
      const p = alloc_user_page();
      if (p == NONE) { unchecked(t_stored[t] = i); server_stall(t, __GFP_MOVABLE | GFP_LRU); return; }
      oom_progress(OOM_CTX_SERVER + t);
      set_page_next(p, OWNER_SHMEM + ino);
      set_page_prev(p, start + i);
      set_backing_pfn(ino, start + i, p);
      mod_shmem(1);
    }
    // the payload reaches the backing file; data mode copies the real bytes
    data_server_store(ino, start + i, req_pfn(req, i));
  }
  // passthrough_ll lo_write_buf(): fuse_buf_copy() splices the pipe into the backing file (FUSE_BUF_IS_FD), whose
  // ->splice_write (iter_file_splice_write()) copies and releases the pipe buffers before fuse_reply_write(): the
  // pipe's references end when this work is done, at the reply's event (server_reply())
  const bytes = <f64>n * 4096.0;
  const slow = param(CFG_SLOW_FACTOR);
  charge((cost_ns(COST_SYSCALL) + <f64>n * cost_ns(COST_SERVER_BACKING_PER_PAGE) +
    bytes * (cost_ns(COST_SERVER_BACKING_PER_BYTE) + cost_ns(COST_COPY_PER_BYTE) + param(CFG_PER_BYTE_NS))) * slow);
  st_add(BYTES_COPIED_SERVER, <i64>bytes);
  schedule(now + <u64>charge_reset(), EV_SERVER_REPLY, t);
}

/** fio's layout fallocate() reaching the server (FUSE_FALLOCATE -> passthrough_ll lo_fallocate() -> fallocate() on
 *  the backing file): over tmpfs shmem_fallocate() allocates every page of the range at once; when memory runs out
 *  it frees the pages it added (shmem_undo_range()) and fails. It runs before the job's clock starts (fio's
 *  setup_files()), so nothing is charged. False when it failed. */
export function server_fallocate(ino: u32, pages: u32): bool {
  if (param(CFG_SERVER_BACKING) == 0) return true;
  // the mount's size= (tmpfs's default, shmem_default_max_blocks(): half of RAM) bounds the blocks of all its files:
  // a range longer than that fails before anything is allocated ("avoid a swapstorm"), and
  // shmem_inode_acct_blocks() fails an allocation past it
  const max_blocks = totalram_pages() / 2;
  if (<u64>pages > max_blocks) return false;
  for (let from: u32 = 0; from < pages; from += SHMEM_FALLOCATE_STEP) {
    const i = shmem_fallocate_pages(ino, from, min(pages, from + SHMEM_FALLOCATE_STEP), max_blocks);
    if (i == NONE) continue;
    for (let k: u32 = 0; k < i; k++) {
      const q = backing_pfn(ino, k);
      if (q == NONE) continue;
      set_backing_pfn(ino, k, NONE);
      __free_pages(q, 0);
      mod_shmem(-1);
    }
    charge_reset();
    return false;
  }
  charge_reset();
  return true;
}

/** shmem_fallocate()'s pages [from, to): the index whose allocation failed, or NONE. server_fallocate() walks a file
 *  in steps of this many pages: a whole file's loop in one call ran in V8's baseline code to its end (a wasm function
 *  switches to its optimized code at its next call), and a file is laid out once. */
const SHMEM_FALLOCATE_STEP: u32 = 1024;
function shmem_fallocate_pages(ino: u32, from: u32, to: u32, max_blocks: u64): u32 {
  for (let i = from; i < to; i++) {
    if (backing_pfn(ino, i) != NONE) continue;
    const p = <u64>stat_value(NR_SHMEM) < max_blocks ? alloc_user_page() : NONE;
    if (p == NONE) return i;
    set_page_next(p, OWNER_SHMEM + ino);
    set_page_prev(p, i);
    set_backing_pfn(ino, i, p);
    mod_shmem(1);
  }
  return NONE;
}

/** An order-0 page a server thread allocates: user memory by default (anon or shmem: GFP_HIGHUSER_MOVABLE, on the
 *  LRU), or an unmovable kernel page (the splice-copy remedy's pipe copies, GFP_HIGHUSER), with direct reclaim of
 *  clean page cache when the free lists are short; NONE if even that finds nothing. */
let user_page_progress = false;
/** Did the last alloc_user_page()'s reclaim sleep in reclaim_throttle()? */
let user_page_slept = false;
@inline function alloc_user_page(gfp: u32 = __GFP_MOVABLE | GFP_LRU): u32 {
  const slept = reclaim_slept_ns();
  let p = __alloc_pages(gfp, 0);
  user_page_progress = false;
  if (p == NONE && (user_page_progress = shrink_page_cache(SWAP_CLUSTER_MAX) > 0)) p = alloc_pages_after_reclaim(gfp, 0);
  user_page_slept = reclaim_slept_ns() != slept;
  if (p != NONE) charge(cost_ns(COST_PAGE_ALLOC));
  return p;
}

/** Faults in thread t's receive buffer up to `pages` pages (anon, movable). False when memory ran out. */
function receive_buffer_fault(t: u32, pages: u32): bool {
  while (unchecked(t_buffer_pages[t]) < pages) {
    const p = alloc_user_page();
    if (p == NONE) return false;
    oom_progress(OOM_CTX_SERVER + t); // this allocation is over: the next one counts its own loops
    const slot = anon_slot_alloc(p, 0, ANON_SERVER_BUFFER);
    set_page_next(p, OWNER_ANON);
    set_page_prev(p, slot);
    unchecked(t_buffer_pages[t] += 1);
    st_add(SERVER_BUFFER_PAGES, 1);
  }
  return true;
}

/** The thread found no memory (its allocation loops in __alloc_pages_slowpath): past MAX_RECLAIM_RETRIES loops the
 *  OOM killer runs, and the thread tries again at once; before that it tries again after its reclaim's throttle
 *  sleeps (in the charge), or a jiffy when the round did not sleep (writer.ts grab_folio()). */
function server_stall(t: u32, gfp: u32): void {
  st_add(SERVER_ALLOC_STALLS, 1);
  const killed = oom_after_no_progress(OOM_CTX_SERVER + t, gfp, user_page_progress);
  schedule(now + <u64>charge_reset() + (killed || user_page_slept ? 0 : jiffy_ns()), EV_SERVER_STORE, t);
}

/** The server process is one the OOM killer may choose while it lives; its rss is its threads' receive buffers. */
let killed: bool = false;
export function server_is_task(): bool { return connected && !killed; }
export function server_rss(): u32 { return <u32>stat_value(SERVER_BUFFER_PAGES); }
/** Killed: /dev/fuse is released and the connection aborted (fuse_dev_release -> fuse_abort_conn); every request in
 *  flight ends with an error; the buffers go back. The tmpfs files stay: files outlive their writer. */
export function server_oom_kill(): void { server_exit(); }
/** The server process dies (EV_CRASH, crash_at): do_exit() -> exit_mm() frees its anon memory (the receive
 *  buffers) as the OOM reaper does for a kill, and exit_files() closes /dev/fuse (fuse_dev_release() ->
 *  fuse_abort_conn()). No OOM kill is counted. */
export function server_crash(): void { server_exit(); }
function server_exit(): void {
  killed = true;
  fuse_abort_conn();
  anon_reap(ANON_SERVER_BUFFER, NONE, free_page);
  st_add(SERVER_BUFFER_PAGES, -stat_value(SERVER_BUFFER_PAGES));
  // exit_files(): the pipes go, with their rings (pipe_resize_ring()'s kcalloc, freed by free_pipe_info())
  const order = kmalloc_large_order(PIPE_BUFS_BYTES);
  for (let t: u32 = 0; t < nr_threads; t++) {
    unchecked(t_buffer_pages[t] = 0);
    splice_bufs_free(t);
    pipe_copy_release(t);
    const r = unchecked(t_ring[t]);
    if (r != NONE) { __free_pages(r, order); unchecked(t_ring[t] = NONE); }
  }
}
function free_page(pfn: u32, order: u32): void { __free_pages(pfn, order); }

/** EV_SERVER_STORE: a stalled thread tries again (the receive buffer, then the backing store). */
export function server_store_retry(t: u32): void {
  const req = unchecked(t_req[t]);
  if (unchecked(t_state[t]) != T_BUSY || req == NONE) return;
  if (!connected) { pipe_copy_release(t); unchecked(t_req[t] = NONE); unchecked(t_state[t] = T_STUCK); return; }
  charge_reset();
  if (!thread_splices(t) && !receive_buffer_fault(t, req_nr(req) + 1)) { server_stall(t, __GFP_MOVABLE | GFP_LRU); return; }
  if (thread_splices(t) && pipe_copies() && is_write(req) && !pipe_copy_fill(t, req)) { server_stall(t, GFP_KERNEL); return; }
  if (!unchecked(t_served[t])) server_serve(t);
  server_store(t);
}

@inline function is_write(req: u32): bool { const k = req_kind(req); return k == REQ_KIND_WRITEBACK || k == REQ_KIND_WRITE; }

/** The thread writes its reply; the kernel's end of the request runs in this context. */
export function server_reply(t: u32): void {
  const req = unchecked(t_req[t]);
  if (unchecked(t_state[t]) != T_BUSY || req == NONE) return;
  unchecked(t_req[t] = NONE);
  // the abort ended the request (and dropped its pipe references, end_request()); the pipe's copies go as the
  // session exits
  if (!connected) { pipe_copy_release(t); unchecked(t_state[t] = T_STUCK); return; }
  // the store (lo_write_buf()) is done: the pipe buffers it consumed are released, the references to the folios or
  // the remedy's copies. splice_hold is the fault of a server that keeps the references past its reply
  pipe_copy_release(t);
  const hold = <u64>param(CFG_SPLICE_HOLD_NS);
  if (req_spliced(req) && hold == 0) splice_release_pages(req);
  if (server_stopped()) {
    // it read the request and will never answer: the pages stay pinned
    set_req_state(req, REQ_LOST_BY_SERVER);
    unchecked(t_state[t] = T_STUCK);
    return;
  }
  const drop = param(CFG_DROP_FRACTION);
  charge_reset();
  if (drop > 0 && is_write(req) && next_unit() <= drop) {
    set_req_state(req, REQ_LOST_BY_SERVER);
    st_add(REQUESTS_DROPPED, 1);
  } else {
    charge(cost_ns(COST_SYSCALL));
    if (req_spliced(req)) {
      // a pipe held past the reply (splice_hold): temp pages are freed at the reply whatever the pipe holds (they
      // are unmovable anyway)
      if (is_legacy()) splice_release_pages(req); else splice_hold_pages(req, now + hold);
    }
    request_replied(req);
  }
  nr_avail++; // fuse_do_work(): back from fuse_session_process_buf_int()
  unchecked(t_state[t] = T_IDLE);
  unchecked(t_pick_scheduled[t] = true);
  schedule(now + <u64>charge_reset(), EV_SERVER_PICK, t);
}

// Pages a pipe still references after the reply (splice_hold): released in time order.
let held_pfn: usize = 0;
let held_until: usize = 0;
let held_cap: u32 = 0, held_head: u32 = 0, held_len: u32 = 0;

function splice_hold_pages(req: u32, until: u64): void {
  const n = req_nr(req);
  if (held_len + n > held_cap) {
    const cap = max(held_cap << 1, held_len + n + 1024);
    const p = arena_alloc(<usize>cap << 2), u = arena_alloc(<usize>cap << 3);
    for (let i: u32 = 0; i < held_len; i++) {
      const j = (held_head + i) % held_cap;
      store<u32>(p + (<usize>i << 2), load<u32>(held_pfn + (<usize>j << 2)));
      store<u64>(u + (<usize>i << 3), load<u64>(held_until + (<usize>j << 3)));
    }
    held_pfn = p; held_until = u; held_cap = cap; held_head = 0;
  }
  for (let i: u32 = 0; i < n; i++) {
    // a page whose writeback was cancelled before the server read the request was never spliced (no reference)
    const pfn = req_pfn(req, i);
    if (pfn == NONE) continue;
    const j = (held_head + held_len) % held_cap;
    store<u32>(held_pfn + (<usize>j << 2), pfn);
    store<u64>(held_until + (<usize>j << 3), until);
    held_len++;
  }
  set_req_spliced(req, false);
  schedule(until, EV_SPLICE_RELEASE, 0);
}

/** EV_SPLICE_RELEASE: the pipes whose hold time has passed drop their page references. */
export function splice_release_due(): void {
  while (held_len > 0 && load<u64>(held_until + (<usize>held_head << 3)) <= now) {
    const p = load<u32>(held_pfn + (<usize>held_head << 2));
    if (page_ref(p) > 1) set_page_ref(p, page_ref(p) - 1);
    held_head = (held_head + 1) % held_cap;
    held_len--;
  }
}
