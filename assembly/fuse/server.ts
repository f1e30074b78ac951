// The FUSE server model: N threads reading requests from /dev/fuse, a passthrough to a backing file
// (tmpfs), latency per request and per byte, splice, and the faults of DESIGN.md 1.3 (slow, stops, drops
// a fraction, crashes). Threads work in parallel; contention on the backing file (tmpfs takes the inode lock
// per write) is not modelled beyond what the scenario's per-byte cost says.
import { NONE } from "../mm/constants";
import { page_ref, set_page_ref } from "../mm/page";
import { now, schedule } from "../sim/clock";
import { charge, charge_reset } from "../sim/charge";
import { sample, next_unit } from "../sim/prng";
import {
  g, c, CFG_SERVER_THREADS, CFG_LATENCY_KIND, CFG_LATENCY_MEAN_NS, CFG_LATENCY_SIGMA, CFG_PER_BYTE_NS,
  CFG_SPLICE, CFG_PRIVILEGED, CFG_SLOW_FACTOR, CFG_STOP_AFTER_REQUESTS, CFG_STOP_AT_NS, CFG_DROP_FRACTION,
  CFG_SPLICE_HOLD_NS, CFG_POLICY, POLICY_NOCOPY_SPLICE_COPY, COST_SYSCALL, COST_COPY_PER_BYTE, COST_DEV_READ,
  COST_SERVER_PER_REQUEST, COST_SERVER_BACKING_PER_PAGE, COST_SERVER_BACKING_PER_BYTE, COST_WAKEUP,
} from "../sim/config";
import {
  pending_pop, req_ino, req_start, req_nr, req_pfn, set_req_state, set_req_spliced, req_spliced, splice_release_pages,
  REQ_PROCESSING, REQ_LOST_BY_SERVER,
} from "./request";
import { request_replied, connected, is_legacy } from "./conn";
import { data_server_store } from "../sim/data";
import { st_add, BYTES_COPIED_SERVER, REQUESTS_DROPPED } from "../fs/stats";

export const EV_SERVER_PICK: u32 = 10;
export const EV_SERVER_REPLY: u32 = 11;
export const EV_SPLICE_RELEASE: u32 = 12;

const T_IDLE: u32 = 0;
const T_BUSY: u32 = 1;
const T_STUCK: u32 = 2;
const MAX_THREADS: i32 = 256;
const t_state = new StaticArray<u32>(MAX_THREADS);
const t_req = new StaticArray<u32>(MAX_THREADS);
const t_pick_scheduled = new StaticArray<bool>(MAX_THREADS);
let nr_threads: u32 = 0;
let requests_read: u32 = 0;

export function server_init(): void {
  held_len = 0; held_head = 0;
  nr_threads = min(<u32>g(CFG_SERVER_THREADS), <u32>MAX_THREADS);
  requests_read = 0;
  for (let t: u32 = 0; t < nr_threads; t++) {
    unchecked(t_state[t] = T_IDLE); unchecked(t_req[t] = NONE); unchecked(t_pick_scheduled[t] = false);
  }
}

/** The server has stopped answering (a stuck or hung daemon): no thread reads or replies any more. */
function server_stopped(): bool {
  const after = <u32>g(CFG_STOP_AFTER_REQUESTS);
  const at = <u64>g(CFG_STOP_AT_NS);
  return (after != 0 && requests_read >= after) || (at != 0 && now >= at);
}

/** Does this server read requests with splice()? Unprivileged servers are refused it by nocopy-splice-copy. */
export function server_splices(): bool {
  if (g(CFG_SPLICE) == 0) return false;
  if (<u32>g(CFG_POLICY) == POLICY_NOCOPY_SPLICE_COPY && g(CFG_PRIVILEGED) == 0) return false;
  return true;
}

/** A request was queued: wake one idle thread (it pays the wake-up latency). */
export function server_wake_one(): void {
  for (let t: u32 = 0; t < nr_threads; t++) {
    if (unchecked(t_state[t]) == T_IDLE && !unchecked(t_pick_scheduled[t])) {
      unchecked(t_pick_scheduled[t] = true);
      schedule(now + <u64>c(COST_WAKEUP), EV_SERVER_PICK, t);
      return;
    }
  }
}

/** A thread looks for a request (fuse_dev_do_read) and works on it until its reply time. */
export function server_pick(t: u32): void {
  unchecked(t_pick_scheduled[t] = false);
  if (unchecked(t_state[t]) != T_IDLE) return;
  if (!connected || server_stopped()) { unchecked(t_state[t] = T_STUCK); return; }
  const req = pending_pop();
  if (req == NONE) return; // stays idle until server_wake_one()
  requests_read++;
  set_req_state(req, REQ_PROCESSING);
  unchecked(t_state[t] = T_BUSY);
  unchecked(t_req[t] = req);
  const n = req_nr(req);
  const bytes = <f64>n * 4096.0;
  const slow = g(CFG_SLOW_FACTOR);
  charge_reset();
  // read(2) of /dev/fuse: header plus the payload copied out, or the pages spliced into a pipe
  charge(c(COST_SYSCALL) + c(COST_DEV_READ));
  if (server_splices()) {
    set_req_spliced(req, true);
    for (let i: u32 = 0; i < n; i++) { const p = req_pfn(req, i); if (p != NONE) set_page_ref(p, page_ref(p) + 1); }
  } else {
    charge(bytes * c(COST_COPY_PER_BYTE));
    st_add(BYTES_COPIED_SERVER, <i64>bytes);
  }
  // the payload reaches the backing file (the tmpfs write below); data mode copies the real bytes
  for (let i: u32 = 0; i < n; i++) data_server_store(req_ino(req), req_start(req) + i, req_pfn(req, i));
  charge(c(COST_SERVER_PER_REQUEST) * slow);
  charge(sample(<u32>g(CFG_LATENCY_KIND), g(CFG_LATENCY_MEAN_NS), g(CFG_LATENCY_SIGMA)) * slow);
  // pwrite(2) of the payload to the backing file (passthrough): the server's own work, scaled by `slow`
  charge((c(COST_SYSCALL) + <f64>n * c(COST_SERVER_BACKING_PER_PAGE) +
    bytes * (c(COST_SERVER_BACKING_PER_BYTE) + c(COST_COPY_PER_BYTE) + g(CFG_PER_BYTE_NS))) * slow);
  st_add(BYTES_COPIED_SERVER, <i64>bytes);
  const done = now + <u64>charge_reset();
  schedule(done, EV_SERVER_REPLY, t);
}

/** The thread writes its reply; the kernel's end of the request runs in this context. */
export function server_reply(t: u32): void {
  const req = unchecked(t_req[t]);
  if (unchecked(t_state[t]) != T_BUSY || req == NONE) return;
  unchecked(t_req[t] = NONE);
  if (!connected) { unchecked(t_state[t] = T_STUCK); return; }
  if (server_stopped()) {
    // it read the request and will never answer: the pages stay pinned
    set_req_state(req, REQ_LOST_BY_SERVER);
    unchecked(t_state[t] = T_STUCK);
    return;
  }
  const drop = g(CFG_DROP_FRACTION);
  charge_reset();
  if (drop > 0 && next_unit() <= drop) {
    set_req_state(req, REQ_LOST_BY_SERVER);
    st_add(REQUESTS_DROPPED, 1);
  } else {
    charge(c(COST_SYSCALL));
    const hold = <u64>g(CFG_SPLICE_HOLD_NS);
    if (req_spliced(req)) {
      // temp pages are freed at the reply whatever the pipe holds (they are unmovable anyway)
      if (hold == 0 || is_legacy()) splice_release_pages(req); else splice_hold_pages(req, now + hold);
    }
    request_replied(req);
  }
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
    const p = heap.alloc(<usize>cap << 2), u = heap.alloc(<usize>cap << 3);
    for (let i: u32 = 0; i < held_len; i++) {
      const j = (held_head + i) % held_cap;
      store<u32>(p + (<usize>i << 2), load<u32>(held_pfn + (<usize>j << 2)));
      store<u64>(u + (<usize>i << 3), load<u64>(held_until + (<usize>j << 3)));
    }
    held_pfn = p; held_until = u; held_cap = cap; held_head = 0;
  }
  for (let i: u32 = 0; i < n; i++) {
    const j = (held_head + held_len) % held_cap;
    store<u32>(held_pfn + (<usize>j << 2), req_pfn(req, i));
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
