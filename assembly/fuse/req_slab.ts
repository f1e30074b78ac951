// The kernel's own allocations around a FUSE request, from the slab caches of assembly/mm/slab.ts, where fs/fuse
// makes them (6.12 and 7.2 read; 6.1 the same calls):
//   - struct fuse_writepage_args: kzalloc(sizeof(*wpa), GFP_NOFS) in fuse_writepage_args_alloc(), when the
//     writeback walk starts a request (legacy: after its first temp page, fuse_writepages_fill(); copy-free:
//     fuse_writepages_fill() / fuse_iomap_writeback_range()). sizeof on x86-64, counted from the structures: 272
//     bytes (6.1), 288 (6.12), 272 (7.2): kmalloc-512 on every modelled kernel;
//   - its page (folio) array with the descriptors: fuse_pages_alloc() / fuse_folios_alloc(), kzalloc(n * (8 + 8)),
//     GFP_NOFS, one slot at first, then fuse_pages_realloc() when the request is full: min(max(2 * n,
//     FUSE_DEFAULT_MAX_PAGES_PER_REQ), fc->max_pages) slots, the old array freed (16 B, 512 B, 1 KiB, 2 KiB, 4 KiB
//     at max_pages 256);
//   - struct fuse_req from fuse_req_cachep when the request is sent: fuse_send_writepage() ->
//     fuse_simple_background(args->force) -> fuse_request_alloc(GFP_ATOMIC), on -ENOMEM again with
//     GFP_NOFS | __GFP_NOFAIL; a synchronous request (GETATTR, FSYNC, write-through WRITE) gets it in
//     fuse_simple_request() -> fuse_get_req() with GFP_KERNEL, and a write-through WRITE's page array is
//     fuse_pages_alloc(nr_pages, GFP_KERNEL) in fuse_perform_write();
//   - all of them freed when the request ends (request.ts: request_free()).
// Not modelled: legacy fuse_writepages()'s kcalloc(fc->max_pages, sizeof(struct page *)) for data.orig_pages,
// allocated and freed within each ->writepages call (6.16 dropped it), and the fuse_file references.
import { NONE } from "../mm/constants";
import { kmalloc, kmem_cache_alloc, kmem_cache_free, slab_ids, slab_inuse, slab_pfn, SLAB_FUSE_REQUEST } from "../mm/slab";
import {
  req_slab_req, set_req_slab_req, req_slab_wpa, set_req_slab_wpa, req_slab_arr, set_req_slab_arr, req_arr_cap,
  set_req_arr_cap, req_state, req_kind, req_nr, oldest_inflight, next_inflight, REQ_BUILDING, REQ_SECONDARY,
  REQ_KIND_WRITEBACK,
} from "./request";
import { param, CFG_MAX_PAGES } from "../sim/config";
import { arena_alloc } from "../sim/arena";

/** GFP_NOFS, GFP_KERNEL, GFP_ATOMIC: none carries __GFP_MOVABLE or __GFP_RECLAIMABLE (the emulator's mask 0:
 *  unmovable, kswapd allowed); GFP_ATOMIC adds __GFP_HIGH and may not reclaim. */
const GFP_NOFS: u32 = 0;
const GFP_KERNEL: u32 = 0;
const GFP_ATOMIC_HIGH: u32 = 0x20; // __GFP_HIGH

/** sizeof(struct fuse_writepage_args) (6.12; 6.1 and 7.2: 272): kmalloc-512 on every modelled kernel. */
const SIZEOF_FUSE_WRITEPAGE_ARGS: u32 = 288;
/** sizeof(struct page *) + sizeof(struct fuse_page_desc) (7.2: struct folio * and struct fuse_folio_desc). */
const PAGE_SLOT_BYTES: u32 = 16;
/** fs/fuse/fuse_i.h: FUSE_DEFAULT_MAX_PAGES_PER_REQ */
const FUSE_DEFAULT_MAX_PAGES_PER_REQ: u32 = 32;

/** fs/fuse/file.c: fuse_writepage_args_alloc(): the wpa and a one-slot page array, GFP_NOFS. */
export function fuse_writepage_args_alloc(req: u32): void {
  set_req_slab_wpa(req, kmalloc(SIZEOF_FUSE_WRITEPAGE_ARGS, GFP_NOFS, true));
  set_req_slab_arr(req, kmalloc(PAGE_SLOT_BYTES, GFP_NOFS, true));
  set_req_arr_cap(req, 1);
}

/** fs/fuse/file.c: fuse_writepage_need_send() / fuse_iomap_writeback_range(): before slot `n` is filled, a full
 *  array (ap->num_folios == data->max_folios) grows by fuse_pages_realloc(). The test is inline, the growth out of
 *  line: the writeback paths ask before every page and the array is full once per doubling. */
@inline export function fuse_pages_grow_if_full(req: u32, n: u32): void {
  const cap = req_arr_cap(req);
  if (n >= cap && cap != 0) fuse_pages_realloc(req, cap);
}

/** fs/fuse/file.c: fuse_pages_realloc() of a full array of `cap` slots: the new array is allocated, the old one
 *  freed. A failed allocation sends the request in the kernel; here the request keeps its array and the failure
 *  is counted by the cache. */
export function fuse_pages_realloc(req: u32, cap: u32): void {
  const npages = min(max(cap * 2, FUSE_DEFAULT_MAX_PAGES_PER_REQ), <u32>param(CFG_MAX_PAGES));
  if (npages <= cap) return;
  const arr = kmalloc(npages * PAGE_SLOT_BYTES, GFP_NOFS, true);
  if (arr == NONE) return;
  const old = req_slab_arr(req);
  if (old != NONE) kmem_cache_free(old);
  set_req_slab_arr(req, arr);
  set_req_arr_cap(req, npages);
}

/** fs/fuse/file.c fuse_send_writepage() -> fs/fuse/dev.c fuse_simple_background() -> fuse_request_alloc(): the
 *  fuse_req of a background WRITE, GFP_ATOMIC (fi->lock held), then GFP_NOFS | __GFP_NOFAIL. */
export function fuse_request_alloc_background(req: u32): void {
  if (req_slab_req(req) != NONE) return;
  let s = kmem_cache_alloc(SLAB_FUSE_REQUEST, GFP_ATOMIC_HIGH, false);
  if (s == NONE) s = kmem_cache_alloc(SLAB_FUSE_REQUEST, GFP_NOFS, true, true);
  set_req_slab_req(req, s);
}

/** fs/fuse/dev.c fuse_simple_request() -> fuse_get_req() -> fuse_request_alloc(GFP_KERNEL); a write-through
 *  WRITE also holds its page array (fuse_perform_write(): fuse_pages_alloc(nr_pages, GFP_KERNEL), allocated here
 *  when it is sent rather than before its pages are filled). */
export function fuse_request_alloc_sync(req: u32, write: bool, force: bool): void {
  if (write && req_nr(req) > 0) {
    set_req_slab_arr(req, kmalloc(req_nr(req) * PAGE_SLOT_BYTES, GFP_KERNEL, true));
    set_req_arr_cap(req, req_nr(req));
  }
  // __fuse_simple_request(): a request with args->force (fuse_flush()'s FUSE_FLUSH) is allocated
  // GFP_KERNEL | __GFP_NOFAIL; the others through fuse_get_req(), GFP_KERNEL
  set_req_slab_req(req, kmem_cache_alloc(SLAB_FUSE_REQUEST, GFP_KERNEL, true, force));
}

// ---- the checker --------------------------------------------------------------------------------------------

let held: usize = 0;
let held_cap: u32 = 0;
/** The request, or the slab's first page, the checker names. */
export let req_slab_invariant_where: u32 = NONE;
/** Objects in use, per slab, are exactly the objects the live requests hold; a request being built or waiting as a
 *  secondary holds no fuse_req (it is allocated when the request is sent); only writeback requests hold a wpa. */
export function check_request_objects(): bool {
  const ids = slab_ids();
  if (held_cap < ids) { held = arena_alloc(<usize>ids << 2); held_cap = ids; }
  memory.fill(held, 0, <usize>ids << 2);
  for (let r = oldest_inflight(); r != NONE; r = next_inflight(r)) {
    const st = req_state(r);
    const sr = req_slab_req(r), sw = req_slab_wpa(r), sa = req_slab_arr(r);
    if ((st == REQ_BUILDING || st == REQ_SECONDARY) && sr != NONE) { req_slab_invariant_where = r; return false; }
    if (req_kind(r) != REQ_KIND_WRITEBACK && sw != NONE) { req_slab_invariant_where = r; return false; }
    if (sr != NONE) { if (sr >= ids) { req_slab_invariant_where = r; return false; } store<u32>(held + (<usize>sr << 2), load<u32>(held + (<usize>sr << 2)) + 1); }
    if (sw != NONE) { if (sw >= ids) { req_slab_invariant_where = r; return false; } store<u32>(held + (<usize>sw << 2), load<u32>(held + (<usize>sw << 2)) + 1); }
    if (sa != NONE) { if (sa >= ids) { req_slab_invariant_where = r; return false; } store<u32>(held + (<usize>sa << 2), load<u32>(held + (<usize>sa << 2)) + 1); }
  }
  for (let id: u32 = 0; id < ids; id++) {
    if (load<u32>(held + (<usize>id << 2)) != slab_inuse_or_zero(id)) { req_slab_invariant_where = slab_pfn(id); return false; }
  }
  return true;
}
/** slab_inuse() of a live slab, 0 for a free id (whose stale count the checker must not read). */
function slab_inuse_or_zero(id: u32): u32 { return slab_pfn(id) == NONE ? 0 : slab_inuse(id); }
