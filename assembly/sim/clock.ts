// Virtual time and the event queue of the discrete-event simulation: a binary min-heap ordered by
// (time, sequence), so events at the same nanosecond run in the order they were scheduled (determinism).
import { arena_alloc } from "./arena";

/** Virtual nanoseconds since boot. */
export let now: u64 = 0;
/** The harness moves time by hand. */
export function set_now(t: u64): void { now = t; }

let ev_time: usize = 0; // u64 per slot
let ev_seq: usize = 0; // u32
let ev_type: usize = 0; // u32
let ev_arg: usize = 0; // u32
let ev_cap: u32 = 0;
let ev_len: u32 = 0;
let ev_next_seq: u32 = 0;

export function events_init(cap: u32): void {
  ev_cap = cap;
  ev_len = 0;
  ev_next_seq = 0;
  now = 0;
  ev_time = arena_alloc(<usize>cap << 3);
  ev_seq = arena_alloc(<usize>cap << 2);
  ev_type = arena_alloc(<usize>cap << 2);
  ev_arg = arena_alloc(<usize>cap << 2);
}

function grow(): void {
  const cap = ev_cap << 1;
  const t = arena_alloc(<usize>cap << 3), s = arena_alloc(<usize>cap << 2);
  const y = arena_alloc(<usize>cap << 2), a = arena_alloc(<usize>cap << 2);
  memory.copy(t, ev_time, <usize>ev_len << 3);
  memory.copy(s, ev_seq, <usize>ev_len << 2);
  memory.copy(y, ev_type, <usize>ev_len << 2);
  memory.copy(a, ev_arg, <usize>ev_len << 2);
  ev_time = t; ev_seq = s; ev_type = y; ev_arg = a; ev_cap = cap;
}

@inline function t_at(i: u32): u64 { return load<u64>(ev_time + (<usize>i << 3)); }
@inline function s_at(i: u32): u32 { return load<u32>(ev_seq + (<usize>i << 2)); }
@inline function less(i: u32, j: u32): bool {
  const a = t_at(i), b = t_at(j);
  return a < b || (a == b && s_at(i) < s_at(j));
}
function swap(i: u32, j: u32): void {
  const t = t_at(i); store<u64>(ev_time + (<usize>i << 3), t_at(j)); store<u64>(ev_time + (<usize>j << 3), t);
  const pi = <usize>i << 2, pj = <usize>j << 2;
  let x = load<u32>(ev_seq + pi); store<u32>(ev_seq + pi, load<u32>(ev_seq + pj)); store<u32>(ev_seq + pj, x);
  x = load<u32>(ev_type + pi); store<u32>(ev_type + pi, load<u32>(ev_type + pj)); store<u32>(ev_type + pj, x);
  x = load<u32>(ev_arg + pi); store<u32>(ev_arg + pi, load<u32>(ev_arg + pj)); store<u32>(ev_arg + pj, x);
}

/** Schedules (type, arg) at virtual time t (never before now). */
export function schedule(t: u64, type: u32, arg: u32): void {
  if (t < now) t = now;
  if (ev_len == ev_cap) grow();
  let i = ev_len++;
  store<u64>(ev_time + (<usize>i << 3), t);
  store<u32>(ev_seq + (<usize>i << 2), ev_next_seq++);
  store<u32>(ev_type + (<usize>i << 2), type);
  store<u32>(ev_arg + (<usize>i << 2), arg);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(i, p)) break;
    swap(i, p);
    i = p;
  }
}

export function events_pending(): u32 { return ev_len; }
/** The pending events of this type (the invariant checker's: a linear scan). */
export function events_of_type(type: u32): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < ev_len; i++) if (load<u32>(ev_type + (<usize>i << 2)) == type) n++;
  return n;
}
export function next_event_time(): u64 { return ev_len == 0 ? <u64>-1 : t_at(0); }

/** Popped event's type and argument (valid after pop_event). */
export let popped_type: u32 = 0;
export let popped_arg: u32 = 0;

/** Removes the earliest event and advances the clock to it. */
export function pop_event(): void {
  now = t_at(0);
  popped_type = load<u32>(ev_type);
  popped_arg = load<u32>(ev_arg);
  ev_len--;
  if (ev_len == 0) return;
  swap(0, ev_len);
  let i: u32 = 0;
  while (true) {
    const l: u32 = 2 * i + 1, r: u32 = l + 1;
    let m: u32 = i;
    if (l < ev_len && less(l, m)) m = l;
    if (r < ev_len && less(r, m)) m = r;
    if (m == i) break;
    swap(i, m);
    i = m;
  }
}
