// struct fuse_writepage_args / fuse_req for FUSE_WRITE: a pool of requests in linear memory, each with its
// page table (the temp pages or the page-cache pages it carries, and the content version of each), and the
// connection's queues: fc->bg_queue (over max_background), fiq->pending, and the processing set.
import { NONE } from "../mm/constants";
import { now } from "../sim/clock";
import { page_ref, set_page_ref } from "../mm/page";
import { kmem_cache_free } from "../mm/slab";
import { arena_alloc } from "../sim/arena";

export const REQ_FREE: u32 = 0;
export const REQ_BUILDING: u32 = 1;
export const REQ_BG_QUEUED: u32 = 2;
export const REQ_PENDING: u32 = 3;
export const REQ_PROCESSING: u32 = 4;
/** Linked as a secondary (wpa->next) of an in-flight request; sent when that one ends. */
export const REQ_SECONDARY: u32 = 5;
/** Read by a server that will never reply (dropped or stopped server). */
export const REQ_LOST_BY_SERVER: u32 = 6;

// What a request is. Writeback WRITEs are background requests (fuse_simple_background, counted in
// num_background); the others are synchronous (fuse_simple_request): the writer that sent one sleeps in
// request_wait_answer() until the reply, and they go straight to the input queue, past bg_queue.
export const REQ_KIND_WRITEBACK: u32 = 0;
/** FUSE_WRITE from fuse_perform_write() (write-through, no writeback cache): page-cache pages, not under writeback. */
export const REQ_KIND_WRITE: u32 = 1;
export const REQ_KIND_GETATTR: u32 = 2;
export const REQ_KIND_FSYNC: u32 = 3;
/** FUSE_READ from fuse_write_begin() -> fuse_do_readpage(): the folio's own page-cache pages, filled by the reply. */
export const REQ_KIND_READ: u32 = 4;
/** FUSE_FLUSH from fuse_flush() at close(2). */
export const REQ_KIND_FLUSH: u32 = 5;
/** FUSE_SETATTR of the file's times from ->write_inode (fuse_write_inode() -> fuse_flush_times()). */
export const REQ_KIND_SETATTR: u32 = 6;
/** FUSE_RELEASE from fuse_release() -> fuse_file_put() at a file's last close: a background request
 *  (fuse_simple_background(), counted in num_background) that nobody waits for; fuse_release_end() only drops the
 *  inode. */
export const REQ_KIND_RELEASE: u32 = 7;
/** The kinds that go through fuse_simple_background(): bg_queue, num_background, active_background. */
@inline export function req_kind_background(kind: u32): bool { return kind == REQ_KIND_WRITEBACK || kind == REQ_KIND_RELEASE; }
/** The owner of the flusher's synchronous request (its ->write_inode), where writers' requests name the writer. */
export const OWNER_FLUSHER: u32 = 0xfffffffe;

let cap: u32 = 0;
let max_pages_per_req: u32 = 0;
let r_ino: usize = 0, r_start: usize = 0, r_nr: usize = 0, r_state: usize = 0, r_next: usize = 0;
let r_qnext: usize = 0, r_created: usize = 0, r_splice: usize = 0, r_kind: usize = 0, r_owner: usize = 0;
let r_prev_inflight: usize = 0, r_next_inflight: usize = 0;
// The fuse_req's create_time (stamped when it is allocated at send: fuse_request_init() from fuse_request_alloc()),
// its in.h.unique (fuse_dev_queue_req(): fuse_get_unique_locked(), FUSE_REQ_ID_STEP apart) and the order in which
// the server read it (list_move_tail() onto its fpq->processing bucket in fuse_dev_do_read()).
let r_sent: usize = 0, r_unique: usize = 0, r_readseq: usize = 0;
let reqctr: u64 = 0;
let readctr: u32 = 0;
let r_pfn: usize = 0, r_ver: usize = 0;
// The kernel's own objects a request holds (assembly/fuse/req_slab.ts allocates them), each the id of the slab it
// is in, or NONE: its struct fuse_req (fuse_request cache), its fuse_writepage_args (kmalloc) and its page/folio
// array with the descriptors (kmalloc, fuse_pages_alloc()/fuse_folios_alloc()), and that array's capacity in pages.
let r_slab_req: usize = 0, r_slab_wpa: usize = 0, r_slab_arr: usize = 0, r_arr_cap: usize = 0;
let free_head: u32 = NONE;
export let nr_requests_live: u32 = 0;

function alloc_arrays(n: u32, per: u32): void {
  const o_ino = r_ino, o_start = r_start, o_nr = r_nr, o_state = r_state, o_next = r_next, o_q = r_qnext;
  const o_created = r_created, o_splice = r_splice, o_pi = r_prev_inflight, o_ni = r_next_inflight;
  const o_pfn = r_pfn, o_ver = r_ver, o_kind = r_kind, o_owner = r_owner;
  const o_sr = r_slab_req, o_sw = r_slab_wpa, o_sa = r_slab_arr, o_ac = r_arr_cap;
  const o_sent = r_sent, o_uq = r_unique, o_rs = r_readseq;
  const old = cap;
  const w = <usize>n << 2;
  r_ino = arena_alloc(w); r_start = arena_alloc(w); r_nr = arena_alloc(w); r_state = arena_alloc(w);
  r_next = arena_alloc(w); r_qnext = arena_alloc(w); r_created = arena_alloc(<usize>n << 3); r_splice = arena_alloc(w);
  r_prev_inflight = arena_alloc(w); r_next_inflight = arena_alloc(w); r_kind = arena_alloc(w); r_owner = arena_alloc(w);
  r_pfn = arena_alloc(<usize>n * per << 2); r_ver = arena_alloc(<usize>n * per << 2);
  r_slab_req = arena_alloc(w); r_slab_wpa = arena_alloc(w); r_slab_arr = arena_alloc(w); r_arr_cap = arena_alloc(w);
  r_sent = arena_alloc(<usize>n << 3); r_unique = arena_alloc(<usize>n << 3); r_readseq = arena_alloc(w);
  if (old > 0) {
    memory.copy(r_sent, o_sent, <usize>old << 3); memory.copy(r_unique, o_uq, <usize>old << 3);
    memory.copy(r_readseq, o_rs, <usize>old << 2);
    const ow = <usize>old << 2;
    memory.copy(r_ino, o_ino, ow); memory.copy(r_start, o_start, ow); memory.copy(r_nr, o_nr, ow);
    memory.copy(r_state, o_state, ow); memory.copy(r_next, o_next, ow); memory.copy(r_qnext, o_q, ow);
    memory.copy(r_created, o_created, <usize>old << 3); memory.copy(r_splice, o_splice, ow);
    memory.copy(r_prev_inflight, o_pi, ow); memory.copy(r_next_inflight, o_ni, ow);
    memory.copy(r_kind, o_kind, ow); memory.copy(r_owner, o_owner, ow);
    memory.copy(r_pfn, o_pfn, <usize>old * per << 2); memory.copy(r_ver, o_ver, <usize>old * per << 2);
    memory.copy(r_slab_req, o_sr, ow); memory.copy(r_slab_wpa, o_sw, ow); memory.copy(r_slab_arr, o_sa, ow);
    memory.copy(r_arr_cap, o_ac, ow);
  }
  // new slots onto the free list, lowest id first
  for (let i = n; i > old; i--) {
    store<u32>(r_state + (<usize>(i - 1) << 2), REQ_FREE);
    store<u32>(r_qnext + (<usize>(i - 1) << 2), free_head);
    free_head = i - 1;
  }
  cap = n;
}

export function requests_init(max_pages: u32): void {
  cap = 0; free_head = NONE; nr_requests_live = 0; max_pages_per_req = max_pages;
  reqctr = 0; readctr = 0;
  inflight_head = NONE; inflight_tail = NONE;
  bg_head = NONE; bg_tail = NONE; pend_head = NONE; pend_tail = NONE; nr_bg_queued = 0; nr_pending = 0;
  alloc_arrays(64, max_pages);
}

@inline function field_ptr(base: usize, id: u32): usize { return base + (<usize>id << 2); }
@inline export function req_ino(id: u32): u32 { return load<u32>(field_ptr(r_ino, id)); }
@inline export function req_start(id: u32): u32 { return load<u32>(field_ptr(r_start, id)); }
@inline export function req_nr(id: u32): u32 { return load<u32>(field_ptr(r_nr, id)); }
@inline export function set_req_nr(id: u32, n: u32): void { store<u32>(field_ptr(r_nr, id), n); }
@inline export function req_state(id: u32): u32 { return load<u32>(field_ptr(r_state, id)); }
@inline export function set_req_state(id: u32, s: u32): void { store<u32>(field_ptr(r_state, id), s); }
@inline export function req_next(id: u32): u32 { return load<u32>(field_ptr(r_next, id)); }
@inline export function set_req_next(id: u32, n: u32): void { store<u32>(field_ptr(r_next, id), n); }
@inline export function req_created(id: u32): u64 { return load<u64>(r_created + (<usize>id << 3)); }
/** When its fuse_req was allocated: the request was sent (fuse_simple_background() / fuse_get_req()). */
@inline export function req_sent(id: u32): u64 { return load<u64>(r_sent + (<usize>id << 3)); }
export function request_sent(id: u32): void { store<u64>(r_sent + (<usize>id << 3), now); }
@inline export function req_kind(id: u32): u32 { return load<u32>(field_ptr(r_kind, id)); }
@inline export function req_slab_req(id: u32): u32 { return load<u32>(field_ptr(r_slab_req, id)); }
@inline export function set_req_slab_req(id: u32, s: u32): void { store<u32>(field_ptr(r_slab_req, id), s); }
@inline export function req_slab_wpa(id: u32): u32 { return load<u32>(field_ptr(r_slab_wpa, id)); }
@inline export function set_req_slab_wpa(id: u32, s: u32): void { store<u32>(field_ptr(r_slab_wpa, id), s); }
@inline export function req_slab_arr(id: u32): u32 { return load<u32>(field_ptr(r_slab_arr, id)); }
@inline export function set_req_slab_arr(id: u32, s: u32): void { store<u32>(field_ptr(r_slab_arr, id), s); }
@inline export function req_arr_cap(id: u32): u32 { return load<u32>(field_ptr(r_arr_cap, id)); }
@inline export function set_req_arr_cap(id: u32, n: u32): void { store<u32>(field_ptr(r_arr_cap, id), n); }
/** The writer a synchronous request wakes. */
@inline export function req_owner(id: u32): u32 { return load<u32>(field_ptr(r_owner, id)); }
@inline export function req_spliced(id: u32): bool { return load<u32>(field_ptr(r_splice, id)) != 0; }
@inline export function set_req_spliced(id: u32, v: bool): void { store<u32>(field_ptr(r_splice, id), v ? 1 : 0); }
@inline export function req_pfn(id: u32, i: u32): u32 { return load<u32>(r_pfn + ((<usize>id * max_pages_per_req + i) << 2)); }
@inline export function set_req_pfn(id: u32, i: u32, pfn: u32): void { store<u32>(r_pfn + ((<usize>id * max_pages_per_req + i) << 2), pfn); }
@inline export function req_ver(id: u32, i: u32): u32 { return load<u32>(r_ver + ((<usize>id * max_pages_per_req + i) << 2)); }
@inline export function set_req_ver(id: u32, i: u32, v: u32): void { store<u32>(r_ver + ((<usize>id * max_pages_per_req + i) << 2), v); }

// In-flight list, oldest first: what fuse_check_timeout() looks at, and what an abort ends.
let inflight_head: u32 = NONE, inflight_tail: u32 = NONE;
export function oldest_inflight(): u32 { return inflight_head; }
export function next_inflight(id: u32): u32 { return load<u32>(field_ptr(r_next_inflight, id)); }

/** A new writeback request for inode `ino` from index `start`, created now (pages are added by the caller). */
export function request_alloc(ino: u32, start: u32): u32 { return request_alloc_kind(ino, start, REQ_KIND_WRITEBACK, NONE); }

/** A new request of `kind` for inode `ino`; `owner` is the writer a synchronous request wakes. */
export function request_alloc_kind(ino: u32, start: u32, kind: u32, owner: u32): u32 {
  if (free_head == NONE) alloc_arrays(cap << 1, max_pages_per_req);
  const id = free_head;
  free_head = load<u32>(field_ptr(r_qnext, id));
  store<u32>(field_ptr(r_ino, id), ino);
  store<u32>(field_ptr(r_start, id), start);
  store<u32>(field_ptr(r_nr, id), 0);
  store<u32>(field_ptr(r_state, id), REQ_BUILDING);
  store<u32>(field_ptr(r_next, id), NONE);
  store<u32>(field_ptr(r_qnext, id), NONE);
  store<u64>(r_created + (<usize>id << 3), now);
  store<u64>(r_sent + (<usize>id << 3), now);
  store<u64>(r_unique + (<usize>id << 3), 0);
  store<u32>(field_ptr(r_readseq, id), 0);
  store<u32>(field_ptr(r_splice, id), 0);
  store<u32>(field_ptr(r_kind, id), kind);
  store<u32>(field_ptr(r_owner, id), owner);
  store<u32>(field_ptr(r_slab_req, id), NONE); store<u32>(field_ptr(r_slab_wpa, id), NONE); store<u32>(field_ptr(r_slab_arr, id), NONE);
  store<u32>(field_ptr(r_arr_cap, id), 0);
  // append to the in-flight list
  store<u32>(field_ptr(r_prev_inflight, id), inflight_tail);
  store<u32>(field_ptr(r_next_inflight, id), NONE);
  if (inflight_tail == NONE) inflight_head = id; else store<u32>(field_ptr(r_next_inflight, inflight_tail), id);
  inflight_tail = id;
  nr_requests_live++;
  return id;
}

/** The request ends: fs/fuse/file.c fuse_writepage_free() (kfree(ap->pages or ap->folios), kfree(wpa)), run from
 *  args->end, then fs/fuse/dev.c fuse_put_request() -> fuse_request_free() (kmem_cache_free(fuse_req_cachep)). A
 *  request never sent (a refreshed secondary, a fill that stalled) holds no fuse_req. */
export function request_free(id: u32): void {
  const sa = load<u32>(field_ptr(r_slab_arr, id)), sw = load<u32>(field_ptr(r_slab_wpa, id)), sr = load<u32>(field_ptr(r_slab_req, id));
  if (sa != NONE) kmem_cache_free(sa);
  if (sw != NONE) kmem_cache_free(sw);
  if (sr != NONE) kmem_cache_free(sr);
  store<u32>(field_ptr(r_slab_req, id), NONE); store<u32>(field_ptr(r_slab_wpa, id), NONE); store<u32>(field_ptr(r_slab_arr, id), NONE);
  const p = load<u32>(field_ptr(r_prev_inflight, id)), n = load<u32>(field_ptr(r_next_inflight, id));
  if (p == NONE) inflight_head = n; else store<u32>(field_ptr(r_next_inflight, p), n);
  if (n == NONE) inflight_tail = p; else store<u32>(field_ptr(r_prev_inflight, n), p);
  store<u32>(field_ptr(r_state, id), REQ_FREE);
  store<u32>(field_ptr(r_qnext, id), free_head);
  free_head = id;
  nr_requests_live--;
}

// FIFO queues through r_qnext.
let bg_head: u32 = NONE, bg_tail: u32 = NONE, pend_head: u32 = NONE, pend_tail: u32 = NONE;
export let nr_bg_queued: u32 = 0;
export let nr_pending: u32 = 0;

export function bg_queue_push(id: u32): void {
  store<u32>(field_ptr(r_qnext, id), NONE);
  if (bg_tail == NONE) bg_head = id; else store<u32>(field_ptr(r_qnext, bg_tail), id);
  bg_tail = id; nr_bg_queued++;
  set_req_state(id, REQ_BG_QUEUED);
}
export function bg_queue_pop(): u32 {
  const id = bg_head;
  if (id == NONE) return NONE;
  bg_head = load<u32>(field_ptr(r_qnext, id));
  if (bg_head == NONE) bg_tail = NONE;
  nr_bg_queued--;
  return id;
}
export function pending_push(id: u32): void {
  store<u32>(field_ptr(r_qnext, id), NONE);
  if (pend_tail == NONE) pend_head = id; else store<u32>(field_ptr(r_qnext, pend_tail), id);
  pend_tail = id; nr_pending++;
  set_req_state(id, REQ_PENDING);
  // fs/fuse/dev.c fuse_dev_queue_req(): req->in.h.unique = fuse_get_unique_locked(fiq) (reqctr += FUSE_REQ_ID_STEP).
  // The model's counter starts at the run's first request (FUSE_INIT, LOOKUP and OPEN before it are not modelled).
  reqctr += 2;
  store<u64>(r_unique + (<usize>id << 3), reqctr);
}
/** The head of fiq->pending and of fc->bg_queue (what fuse_check_timeout() looks at). */
export function pending_head(): u32 { return pend_head; }
export function bg_queue_head(): u32 { return bg_head; }

/** fs/fuse/dev.c fuse_dev_do_read(): the server read the request; it joins the tail of its fpq->processing bucket. */
export function request_read(id: u32): void {
  set_req_state(id, REQ_PROCESSING);
  store<u32>(field_ptr(r_readseq, id), ++readctr);
}
/** The order in which the server read it (1 = first). */
@inline export function req_readseq(id: u32): u32 { return load<u32>(field_ptr(r_readseq, id)); }
// fs/fuse/fuse_i.h: FUSE_PQ_HASH_BITS
export const FUSE_PQ_HASH_BITS: u32 = 8;
/** fs/fuse/dev.c fuse_req_hash(): hash_long(unique & ~FUSE_INT_REQ_BIT, FUSE_PQ_HASH_BITS), hash_64_generic() on
 *  x86-64: val * GOLDEN_RATIO_64 >> (64 - bits). */
export function fuse_req_hash(id: u32): u32 {
  const unique = load<u64>(r_unique + (<usize>id << 3)) & ~(<u64>1);
  return <u32>((unique * 0x61C8864680B583EB) >> (64 - FUSE_PQ_HASH_BITS));
}
export function pending_pop(): u32 {
  const id = pend_head;
  if (id == NONE) return NONE;
  pend_head = load<u32>(field_ptr(r_qnext, id));
  if (pend_head == NONE) pend_tail = NONE;
  nr_pending--;
  return id;
}
export function queues_clear(): void { bg_head = NONE; bg_tail = NONE; pend_head = NONE; pend_tail = NONE; nr_bg_queued = 0; nr_pending = 0; }

/** The pipe drops its references to the request's pages (after the reply, or when the connection dies). */
export function splice_release_pages(req: u32): void {
  const n = req_nr(req);
  for (let i: u32 = 0; i < n; i++) {
    const p = req_pfn(req, i);
    if (p != NONE && page_ref(p) > 1) set_page_ref(p, page_ref(p) - 1);
  }
  set_req_spliced(req, false);
}
