// struct fuse_conn: background WRITE requests with active_background against max_background
// (fuse_request_queue_background, flush_bg_queue), synchronous requests (fuse_simple_request), request end,
// connection abort (fuse_abort_conn) and the 6.15 request timeout (fuse_check_timeout).
import { NONE } from "../mm/constants";
import { now, schedule } from "../sim/clock";
import { charge } from "../sim/charge";
import {
  param, cost_ns, CFG_MAX_BACKGROUND, COST_REQUEST_QUEUE,
  COST_REQUEST_END,
} from "../sim/config";
import {
  bg_queue_push, bg_queue_pop, pending_push, pending_pop, request_free, req_state, req_created, oldest_inflight,
  next_inflight, req_ino, req_nr, queues_clear, req_spliced, splice_release_pages, req_kind, req_owner, req_start,
  req_ver, req_pfn, REQ_SECONDARY, REQ_BUILDING, REQ_KIND_WRITEBACK, REQ_KIND_WRITE, REQ_KIND_READ, REQ_KIND_FLUSH, REQ_KIND_RELEASE, req_kind_background,
  REQ_PROCESSING, REQ_LOST_BY_SERVER, request_sent, req_sent, pending_head, bg_queue_head, req_readseq, fuse_req_hash,
  FUSE_PQ_HASH_BITS,
} from "./request";
import { legacy_send, legacy_end } from "./legacy";
import { writeback_temp_copy } from "../sim/mechanisms";
import { fuse_request_alloc_background, fuse_request_alloc_sync } from "./req_slab";
import { nocopy_end } from "./nocopy";
import { ino_error, set_server_version } from "../fs/inode";
import { page_ref, set_page_ref, page_flags, set_page_flags, PG_uptodate } from "../mm/page";
import { data_server_read } from "../sim/data";
import {
  stat_value, st_add, st_max, RELEASE_REQUESTS, REQUESTS_SENT, REQUESTS_REPLIED, CONN_ABORTS, REQUESTS_ABORTED, LONGEST_WB_HOLD_NS,
  PAGES_WRITTEN_BACK,
} from "../fs/stats";

export let active_background: u32 = 0;
export let num_background: u32 = 0;
export let connected: bool = true;
export let peak_num_background: u32 = 0;

/** Hooks the simulator sets: wake a server thread, tell writers and the flusher that pages completed, wake the
 *  writer a synchronous request was sent by (ok: a reply, not an abort). */
let on_pending: () => void = noop;
let on_complete: (ino: u32) => void = noop_ino;
let on_sync_reply: (owner: u32, kind: u32, ok: bool) => void = noop_sync;
function noop(): void {}
function noop_ino(ino: u32): void {}
function noop_sync(owner: u32, kind: u32, ok: bool): void {}
export function conn_init(pending_cb: () => void, complete_cb: (ino: u32) => void, sync_cb: (owner: u32, kind: u32, ok: bool) => void): void {
  active_background = 0; num_background = 0; connected = true; peak_num_background = 0;
  on_pending = pending_cb; on_complete = complete_cb; on_sync_reply = sync_cb;
}

/** The writeback mode: the temp-page copy (<= 6.15) rather than copy-free (mechanisms.ts). */
@inline export function is_legacy(): bool { return writeback_temp_copy; }

// fs/fuse/dev.c: flush_bg_queue()
function flush_bg_queue(): void {
  const max = <u32>param(CFG_MAX_BACKGROUND);
  let moved = false;
  while (active_background < max) {
    const r = bg_queue_pop();
    if (r == NONE) break;
    active_background++;
    pending_push(r);
    moved = true;
  }
  if (moved) on_pending();
}

/** fuse_writepages_send() / fuse_send_writepage(): hand a built request to the connection. */
export function fuse_send_writepage(req: u32): void {
  if (is_legacy() && req_state(req) == REQ_BUILDING) legacy_send(req);
  fuse_request_alloc_background(req);
  request_sent(req); // fuse_request_init(): req->create_time = jiffies
  charge(cost_ns(COST_REQUEST_QUEUE));
  st_add(REQUESTS_SENT, 1);
  // fuse_simple_background() fails on a broken connection only (-ENOTCONN), and fuse_send_writepage()'s out_free
  // then ends the request's writeback and frees it (6.1, 6.12 and 6.16 alike) without mapping_set_error(): the
  // file records no error for its pages
  if (!connected) { end_request(req, false, false); return; }
  fuse_request_queue_background(req);
}

/** fs/fuse/dev.c fuse_request_queue_background(): counted in num_background, queued on bg_queue, and moved on to
 *  the input queue while fewer than max_background are active (flush_bg_queue()). */
function fuse_request_queue_background(req: u32): void {
  num_background++;
  if (num_background > peak_num_background) peak_num_background = num_background;
  bg_queue_push(req);
  flush_bg_queue();
}

/** fs/fuse/file.c fuse_file_put() (fuse_release() -> fuse_release_common()/fuse_file_release() at a file's last
 *  close, once no writeback request holds the fuse_file): FUSE_RELEASE through fuse_simple_background(ff->fm, args,
 *  GFP_KERNEL | __GFP_NOFAIL) (args->force), asynchronous on a FUSE mount (fc->destroy is set for fuseblk only); on a
 *  broken connection it fails and fuse_release_end() runs at once. */
export function fuse_send_release(req: u32): void {
  fuse_request_alloc_sync(req, false, true);
  request_sent(req);
  charge(cost_ns(COST_REQUEST_QUEUE));
  st_add(RELEASE_REQUESTS, 1);
  if (!connected) { end_request(req, false, false); return; }
  fuse_request_queue_background(req);
}

/** fs/fuse/dev.c: fuse_simple_request() -> __fuse_request_send(): a synchronous request is queued on the input
 *  queue at once (queue_request_and_unlock), past bg_queue and without counting in num_background. */
export function fuse_send_sync(req: u32): void {
  fuse_request_alloc_sync(req, req_kind(req) == REQ_KIND_WRITE, req_kind(req) == REQ_KIND_FLUSH);
  request_sent(req); // fuse_get_req() -> fuse_request_alloc() -> fuse_request_init(): req->create_time = jiffies
  charge(cost_ns(COST_REQUEST_QUEUE));
  if (req_kind(req) == REQ_KIND_WRITE) st_add(REQUESTS_SENT, 1);
  if (!connected) { end_request(req, false); return; }
  pending_push(req);
  on_pending();
}

/** A secondary request sent from fuse_writepage_end() (legacy only). */
function resend(req: u32): void { fuse_send_writepage(req); }

/** fuse_request_end(): ok = the server replied (not an abort). A writeback WRITE ends its pages' writeback
 *  (fuse_writepage_end); a synchronous request wakes its sender. A request that ends without a reply records the
 *  error on the file (fuse_writepage_end()'s mapping_set_error()) unless `set_error` is false: a writeback
 *  request the connection refused (fuse_send_writepage()'s out_free). */
export function end_request(req: u32, ok: bool, set_error: bool = true): void {
  const ino = req_ino(req);
  const n = req_nr(req);
  const kind = req_kind(req);
  charge(cost_ns(COST_REQUEST_END));
  if (!ok) {
    if (set_error && kind != REQ_KIND_RELEASE) unchecked(ino_error[ino] = 1);
    st_add(REQUESTS_ABORTED, 1);
  }
  if (req_spliced(req)) splice_release_pages(req);
  if (kind == REQ_KIND_WRITEBACK) {
    st_max(LONGEST_WB_HOLD_NS, <i64>(now - req_created(req)));
    if (ok) { st_add(REQUESTS_REPLIED, 1); st_add(PAGES_WRITTEN_BACK, n); }
    if (is_legacy()) legacy_end(req, ok, resend); else nocopy_end(req, ok);
  } else if (kind == REQ_KIND_RELEASE) {
    // fuse_release_end(): iput() of the inode the request held; nobody waits, and an abort records no error
  } else {
    if (kind == REQ_KIND_WRITE) {
      if (ok) st_add(REQUESTS_REPLIED, 1);
      const start = req_start(req);
      for (let i: u32 = 0; i < n; i++) {
        if (ok) set_server_version(ino, start + i, req_ver(req, i));
        // fuse_send_write_pages(): unlock_page() and put_page() on each page of the request
        const p = req_pfn(req, i);
        set_page_ref(p, page_ref(p) - 1);
      }
    } else if (kind == REQ_KIND_READ) {
      // fuse_do_readpage(): the reply filled the folio, which is now uptodate (an error leaves it not uptodate);
      // write_begin's lookup reference goes back with the page lock when the write moves on
      const start = req_start(req);
      for (let i: u32 = 0; i < n; i++) {
        const p = req_pfn(req, i);
        if (ok) { set_page_flags(p, page_flags(p) | PG_uptodate); data_server_read(ino, start + i, p); }
        set_page_ref(p, page_ref(p) - 1);
      }
    }
    on_sync_reply(req_owner(req), kind, ok);
  }
  request_free(req);
  on_complete(ino);
}

/** The server's reply: a background request leaves num_background and active_background (fuse_request_end with
 *  FR_BACKGROUND), which lets flush_bg_queue() move the next one. */
export function request_replied(req: u32): void {
  const background = req_kind_background(req_kind(req));
  // fuse_request_end(): the counters drop and flush_bg_queue() moves the next queued request to the pending list
  // (waking a reader) under bg_lock, before the end callback (fuse_writepage_end()) runs
  if (background) {
    if (num_background > 0) num_background--;
    if (active_background > 0) active_background--;
    if (connected) flush_bg_queue();
  }
  end_request(req, true);
}


// fs/fuse/dev.c: fuse_abort_conn(): every request ends with an error; pages are not redirtied, the data
// they carried is lost and the error is recorded on the mapping.
/** Set by the flusher: forget the request it was filling (data->wpa), which an abort just ended. */
let abort_building: (req: u32) => void = noop_ino;
export function set_abort_building_hook(f: (req: u32) => void): void { abort_building = f; }

/** Set by the server model: the readers fuse_abort_conn() wakes (wake_up_all(&fiq->waitq)) return. */
let on_abort: () => void = noop;
export function set_abort_hook(f: () => void): void { on_abort = f; }

export function fuse_abort_conn(): void {
  if (!connected) return;
  connected = false;
  st_add(CONN_ABORTS, 1);
  queues_clear();
  // end every in-flight request, oldest first (secondaries end with their primary)
  let r = oldest_inflight();
  while (r != NONE) {
    const next = next_inflight(r);
    // a request still being filled by the flusher is sent first (legacy: into the tree, originals end); a
    // synchronous one its writer has built but not yet queued just ends
    if (req_state(r) == REQ_BUILDING && req_kind(r) == REQ_KIND_WRITEBACK) { if (is_legacy()) legacy_send(r); abort_building(r); }
    if (req_state(r) != REQ_SECONDARY) end_request(r, false);
    r = next;
    // end_request may have freed secondaries that came next; restart from the oldest
    if (r != NONE && req_state(r) == 0) r = oldest_inflight();
  }
  active_background = 0;
  num_background = 0;
  on_abort();
}

/** fs/fuse/dev.c fuse_request_expired(): has the request at the head of a list passed create_time + req_timeout
 *  (time_is_before_jiffies())? create_time is its fuse_req's allocation at send, not the start of its fill. */
function head_expired(r: u32, timeout_ns: u64): bool { return r != NONE && now - req_sent(r) > timeout_ns; }

const FUSE_PQ_HASH_SIZE: u32 = 1 << FUSE_PQ_HASH_BITS;
const bucket_head = new StaticArray<u32>(FUSE_PQ_HASH_SIZE);
/** fs/fuse/dev.c fuse_check_timeout() (6.15+): only the head of each list is looked at: fiq->pending, fc->bg_queue,
 *  then each device's fpq->io and the 256 fpq->processing buckets (fuse_fpq_processing_expired()). A request still
 *  being filled, or a secondary waiting in the tree, has no fuse_req and is on no list. fpq->io holds a request
 *  only while a read or reply copies it, which takes no virtual time here: it is always empty. A bucket's head is
 *  the request of that bucket the server read first (fuse_dev_do_read() appends at the tail). */
export function fuse_request_expired(timeout_ns: u64): bool {
  if (head_expired(pending_head(), timeout_ns)) return true;
  if (head_expired(bg_queue_head(), timeout_ns)) return true;
  for (let b: u32 = 0; b < FUSE_PQ_HASH_SIZE; b++) unchecked(bucket_head[b] = NONE);
  for (let r = oldest_inflight(); r != NONE; r = next_inflight(r)) {
    const st = req_state(r);
    if (st != REQ_PROCESSING && st != REQ_LOST_BY_SERVER) continue;
    const b = fuse_req_hash(r);
    const h = unchecked(bucket_head[b]);
    if (h == NONE || req_readseq(r) < req_readseq(h)) unchecked(bucket_head[b] = r);
  }
  for (let b: u32 = 0; b < FUSE_PQ_HASH_SIZE; b++) if (head_expired(unchecked(bucket_head[b]), timeout_ns)) return true;
  return false;
}


