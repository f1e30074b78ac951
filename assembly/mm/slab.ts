// mm/slub.c (6.12, the same rules in 7.2), simply: the kmem_caches the FUSE writeback path allocates from, each
// with its object size, objects per slab and slab order (calculate_order()), slabs whose pages come from the
// buddy allocator with the cache's migratetype and go back to it when the slab is empty, and one partial list
// per cache (kmem_cache_node->partial; one node).
// Differences from SLUB, on purpose: no per-cpu slab (c->slab) and no per-cpu partial lists
// (CONFIG_SLUB_CPU_PARTIAL): an allocation takes the first slab of the node's partial list, as get_partial_node()
// would after the cpu slab and cpu partials ran out, and a freed object goes straight back to its slab
// (__slab_free() without kmem_cache_has_cpu_partial()). Which object of a slab is handed out does not matter
// here, only which slab: an object is its slab's id. Only the objects FUSE allocates are in these caches: the
// kmalloc caches are shared with the whole kernel, whose other objects the model does not have.
import {
  NONE, MIGRATE_UNMOVABLE, GFP_NO_KSWAPD, MAX_PAGE_ORDER,
} from "./constants";
import { PG_owner, PG_head, PG_lru, page_flags, page_order, set_page_next, set_page_prev, page_next, page_prev, page_alloc_mt, nr_pages } from "./page";
import { __alloc_pages, __free_pages, alloc_pages_memalloc } from "./page_alloc";
import { arena_alloc } from "../sim/arena";

/** The slow path with direct reclaim and compaction (direct_compact.ts alloc_pages_may_reclaim(), set by sim_init;
 *  a hook rather than an import, which would run compaction's module set-up before migrate.ts's). */
let alloc_pages_may_reclaim: (gfp: u32, order: u32) => u32 = alloc_pages_no_reclaim;
function alloc_pages_no_reclaim(gfp: u32, order: u32): u32 { return __alloc_pages(gfp, order); }
export function set_slab_reclaim_hook(f: (gfp: u32, order: u32) => u32): void { alloc_pages_may_reclaim = f; }

/** Owner word `next` of a slab page; `prev` is the slab's id. */
export const OWNER_SLAB: u32 = 0xffffff01;

// include/linux/slab.h: kmalloc_caches[KMALLOC_NORMAL][] (x86-64: KMALLOC_MIN_SIZE 8, KMALLOC_SHIFT_HIGH 13), then
// fs/fuse/dev.c fuse_dev_init(): kmem_cache_create("fuse_request", sizeof(struct fuse_req), 0, 0, NULL): no
// SLAB_RECLAIM_ACCOUNT, so unmovable like the kmalloc caches (GFP_NOFS / GFP_KERNEL / GFP_ATOMIC carry no
// __GFP_ACCOUNT, so kmalloc-cg is not used either).
export const NR_KMALLOC: u32 = 13;
export const SLAB_FUSE_REQUEST: u32 = 13;
export const NR_SLAB_CACHES: i32 = 14;
const KMALLOC_SIZES: StaticArray<u32> = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];

// mm/slub.c: slub_max_order = PAGE_ALLOC_COSTLY_ORDER, MIN_PARTIAL 5, MAX_PARTIAL 10, MAX_OBJS_PER_PAGE 32767
const slub_max_order: u32 = 3;
const MIN_PARTIAL: u32 = 5;
const MAX_PARTIAL: u32 = 10;
const MAX_OBJS_PER_PAGE: u32 = 32767;

// per cache
const c_size = new StaticArray<u32>(NR_SLAB_CACHES);
const c_order = new StaticArray<u32>(NR_SLAB_CACHES);
const c_min_order = new StaticArray<u32>(NR_SLAB_CACHES);
const c_objects = new StaticArray<u32>(NR_SLAB_CACHES);
const c_min_partial = new StaticArray<u32>(NR_SLAB_CACHES);
const c_partial_head = new StaticArray<u32>(NR_SLAB_CACHES);
const c_partial_tail = new StaticArray<u32>(NR_SLAB_CACHES);
const c_nr_partial = new StaticArray<u32>(NR_SLAB_CACHES);
const c_inuse = new StaticArray<u32>(NR_SLAB_CACHES);
const c_total_objects = new StaticArray<u32>(NR_SLAB_CACHES);
const c_slabs = new StaticArray<u32>(NR_SLAB_CACHES);
const c_pages = new StaticArray<u32>(NR_SLAB_CACHES);
const c_peak_pages = new StaticArray<u32>(NR_SLAB_CACHES);
/** ORDER_FALLBACK: slabs allocated at the minimum order because the cache's order failed. */
const c_order_fallback = new StaticArray<u32>(NR_SLAB_CACHES);
/** Object allocations that got no slab page at all (the kernel would loop or fail the caller; see kmem_cache_alloc). */
const c_alloc_fail = new StaticArray<u32>(NR_SLAB_CACHES);
export let slab_pages_total: u32 = 0;
export let slab_pages_peak: u32 = 0;

// per slab (struct slab), by id; s_next doubles as the free-id list
let cap: u32 = 0;
let s_cache: usize = 0, s_pfn: usize = 0, s_order: usize = 0, s_objects: usize = 0, s_inuse: usize = 0;
let s_next: usize = 0, s_prev: usize = 0, s_listed: usize = 0;
let free_id: u32 = NONE;

@inline function at(base: usize, id: u32): usize { return base + (<usize>id << 2); }
@inline export function slab_cache(id: u32): u32 { return load<u32>(at(s_cache, id)); }
@inline export function slab_pfn(id: u32): u32 { return load<u32>(at(s_pfn, id)); }
@inline export function slab_inuse(id: u32): u32 { return load<u32>(at(s_inuse, id)); }
export function slab_ids(): u32 { return cap; }

function grow(): void {
  const n: u32 = cap == 0 ? 64 : cap << 1;
  const w = <usize>n << 2, ow = <usize>cap << 2;
  const a = arena_alloc(w), b = arena_alloc(w), o = arena_alloc(w), j = arena_alloc(w), u = arena_alloc(w);
  const nx = arena_alloc(w), pv = arena_alloc(w), l = arena_alloc(w);
  if (cap > 0) {
    memory.copy(a, s_cache, ow); memory.copy(b, s_pfn, ow); memory.copy(o, s_order, ow); memory.copy(j, s_objects, ow);
    memory.copy(u, s_inuse, ow); memory.copy(nx, s_next, ow); memory.copy(pv, s_prev, ow); memory.copy(l, s_listed, ow);
  }
  s_cache = a; s_pfn = b; s_order = o; s_objects = j; s_inuse = u; s_next = nx; s_prev = pv; s_listed = l;
  for (let i = n; i > cap; i--) {
    store<u32>(at(s_pfn, i - 1), NONE);
    store<u32>(at(s_next, i - 1), free_id);
    free_id = i - 1;
  }
  cap = n;
}

@inline function get_order(size: u32): u32 {
  let o: u32 = 0;
  while ((<u32>4096 << o) < size) o++;
  return o;
}
@inline function order_objects(order: u32, size: u32): u32 { return (<u32>4096 << order) / size; }
function fls(x: u32): u32 { return x == 0 ? 0 : 32 - clz(x); }
function ilog2(x: u32): u32 { return 31 - clz(x); }

// mm/slub.c: calc_slab_order(): the smallest order from min_order whose leftover is at most 1/fract_leftover
function calc_slab_order(size: u32, min_order: u32, max_order: u32, fract_leftover: u32): u32 {
  let order = min_order;
  for (; order <= max_order; order++) {
    const slab_size = <u32>4096 << order;
    if (slab_size % size <= slab_size / fract_leftover) break;
  }
  return order;
}

// mm/slub.c: calculate_order() (6.8+): min_objects = 4 * (fls(nr_cpus) + 1), then the best order accepting 1/16,
// 1/8, 1/4, 1/2 waste up to slub_max_order
export function calculate_order(size: u32, nr_cpus: u32): u32 {
  let min_objects = 4 * (fls(max<u32>(nr_cpus, 1)) + 1);
  const max_objects = max<u32>(order_objects(slub_max_order, size), 1);
  min_objects = min(min_objects, max_objects);
  const min_order = get_order(min_objects * size);
  if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE) return get_order(size * MAX_OBJS_PER_PAGE) - 1;
  for (let fraction: u32 = 16; fraction > 1; fraction /= 2) {
    const order = calc_slab_order(size, min_order, slub_max_order, fraction);
    if (order <= slub_max_order) return order;
  }
  return min(get_order(size), MAX_PAGE_ORDER);
}

/** Sets up every cache: sizeof(struct fuse_req) of the run's kernel, and the online CPUs calculate_order() counts. */
export function slab_init(fuse_req_size: u32, nr_cpus: u32): void {
  cap = 0; free_id = NONE; slab_pages_total = 0; slab_pages_peak = 0;
  grow();
  for (let c: u32 = 0; c < <u32>NR_SLAB_CACHES; c++) {
    // calculate_sizes(): without a ctor, RCU or debugging the free pointer sits inside the object, and the size
    // is aligned to sizeof(void *) (kmalloc sizes are their own alignment)
    const size = c < NR_KMALLOC ? unchecked(KMALLOC_SIZES[c]) : (max<u32>(fuse_req_size, 8) + 7) & ~7;
    unchecked(c_size[c] = size);
    const order = calculate_order(size, nr_cpus);
    unchecked(c_order[c] = order);
    unchecked(c_min_order[c] = get_order(size));
    unchecked(c_objects[c] = order_objects(order, size));
    // set_min_partial(s, ilog2(s->size) / 2), clamped to [MIN_PARTIAL, MAX_PARTIAL]
    unchecked(c_min_partial[c] = max(MIN_PARTIAL, min(MAX_PARTIAL, ilog2(size) / 2)));
    unchecked(c_partial_head[c] = NONE); unchecked(c_partial_tail[c] = NONE); unchecked(c_nr_partial[c] = 0);
    unchecked(c_inuse[c] = 0); unchecked(c_total_objects[c] = 0); unchecked(c_slabs[c] = 0); unchecked(c_pages[c] = 0);
    unchecked(c_peak_pages[c] = 0); unchecked(c_order_fallback[c] = 0); unchecked(c_alloc_fail[c] = 0);
  }
}

/** include/linux/slab.h: kmalloc_index() for x86-64 (96 and 192 between the powers of two). */
export function kmalloc_cache(size: u32): u32 {
  for (let i: u32 = 0; i < NR_KMALLOC; i++) if (size <= unchecked(KMALLOC_SIZES[i])) return i;
  return NONE; // above KMALLOC_MAX_CACHE_SIZE: kmalloc_large(), straight from the page allocator (not used here)
}

// mm/slub.c: add_partial() / remove_partial()
function add_partial(c: u32, id: u32, to_tail: bool): void {
  store<u32>(at(s_listed, id), 1);
  if (to_tail) {
    const t = unchecked(c_partial_tail[c]);
    store<u32>(at(s_prev, id), t); store<u32>(at(s_next, id), NONE);
    if (t == NONE) unchecked(c_partial_head[c] = id); else store<u32>(at(s_next, t), id);
    unchecked(c_partial_tail[c] = id);
  } else {
    const h = unchecked(c_partial_head[c]);
    store<u32>(at(s_next, id), h); store<u32>(at(s_prev, id), NONE);
    if (h == NONE) unchecked(c_partial_tail[c] = id); else store<u32>(at(s_prev, h), id);
    unchecked(c_partial_head[c] = id);
  }
  unchecked(c_nr_partial[c] += 1);
}
function remove_partial(c: u32, id: u32): void {
  const p = load<u32>(at(s_prev, id)), n = load<u32>(at(s_next, id));
  if (p == NONE) unchecked(c_partial_head[c] = n); else store<u32>(at(s_next, p), n);
  if (n == NONE) unchecked(c_partial_tail[c] = p); else store<u32>(at(s_prev, n), p);
  store<u32>(at(s_listed, id), 0);
  unchecked(c_nr_partial[c] -= 1);
}

// mm/slub.c: allocate_slab(): the cache's order first without reclaim or kswapd (__GFP_NORETRY, ~__GFP_RECLAIM,
// when the mask could reclaim and that order is above the minimum), then the minimum order with the caller's mask
// (ORDER_FALLBACK). `may_reclaim`: the mask has __GFP_DIRECT_RECLAIM (GFP_NOFS, GFP_KERNEL; not GFP_ATOMIC).
function allocate_slab(c: u32, gfp: u32, may_reclaim: bool, no_watermarks: bool = false): u32 {
  let order = unchecked(c_order[c]);
  const min_order = unchecked(c_min_order[c]);
  let pfn: u32 = NONE;
  if (no_watermarks) { order = min_order; pfn = alloc_pages_memalloc(gfp, order); }
  else if (may_reclaim && order > min_order) pfn = __alloc_pages(gfp | GFP_NO_KSWAPD, order);
  else pfn = may_reclaim ? alloc_pages_may_reclaim(gfp, order) : __alloc_pages(gfp, order);
  if (pfn == NONE && order > min_order) {
    order = min_order;
    pfn = may_reclaim ? alloc_pages_may_reclaim(gfp, order) : __alloc_pages(gfp, order);
    if (pfn != NONE) unchecked(c_order_fallback[c] += 1);
  }
  if (pfn == NONE) return NONE;
  if (free_id == NONE) grow();
  const id = free_id;
  free_id = load<u32>(at(s_next, id));
  const n: u32 = <u32>1 << order;
  for (let i: u32 = 0; i < n; i++) { set_page_next(pfn + i, OWNER_SLAB); set_page_prev(pfn + i, id); }
  store<u32>(at(s_cache, id), c); store<u32>(at(s_pfn, id), pfn); store<u32>(at(s_order, id), order);
  store<u32>(at(s_objects, id), order_objects(order, unchecked(c_size[c])));
  store<u32>(at(s_inuse, id), 0); store<u32>(at(s_listed, id), 0);
  unchecked(c_slabs[c] += 1);
  unchecked(c_pages[c] += n);
  unchecked(c_total_objects[c] += order_objects(order, unchecked(c_size[c])));
  if (unchecked(c_pages[c]) > unchecked(c_peak_pages[c])) unchecked(c_peak_pages[c] = unchecked(c_pages[c]));
  slab_pages_total += n;
  if (slab_pages_total > slab_pages_peak) slab_pages_peak = slab_pages_total;
  return id;
}

// mm/slub.c: discard_slab() -> __free_slab(): the pages go back to the page allocator
function discard_slab(id: u32): void {
  const c = load<u32>(at(s_cache, id)), pfn = load<u32>(at(s_pfn, id)), order = load<u32>(at(s_order, id));
  const n: u32 = <u32>1 << order;
  __free_pages(pfn, order);
  unchecked(c_slabs[c] -= 1);
  unchecked(c_pages[c] -= n);
  unchecked(c_total_objects[c] -= load<u32>(at(s_objects, id)));
  slab_pages_total -= n;
  store<u32>(at(s_pfn, id), NONE);
  store<u32>(at(s_next, id), free_id);
  free_id = id;
}

/** kmem_cache_alloc(): an object of cache c; returns its slab's id, NONE when no slab page could be had. Where
 *  the kernel cannot fail (__GFP_NOFAIL, or an order-0 GFP_NOFS/GFP_KERNEL slab, "too small to fail", which
 *  loops in __alloc_pages_slowpath()), the caller goes on without the object and the failure is counted
 *  (slab_alloc_failures): the model has no place to park the flusher or the server's reply there. */
export function kmem_cache_alloc(c: u32, gfp: u32, may_reclaim: bool, nofail: bool = false): u32 {
  let id = unchecked(c_partial_head[c]);
  if (id == NONE) {
    id = allocate_slab(c, gfp, may_reclaim);
    // __GFP_NOFAIL: __alloc_pages_slowpath() loops on (should_reclaim_retry(), then __alloc_pages_may_oom(), whose
    // out_of_memory() returns true for a mask without __GFP_FS), and its last resort there is
    // __alloc_pages_cpuset_fallback(ALLOC_NO_WATERMARKS); the model takes that at once, at the slab's min order
    if (id == NONE && nofail) id = allocate_slab(c, gfp, false, true);
    if (id == NONE) { unchecked(c_alloc_fail[c] += 1); return NONE; }
    add_partial(c, id, false); // a new slab becomes the one allocations come from
  }
  const inuse = load<u32>(at(s_inuse, id)) + 1;
  store<u32>(at(s_inuse, id), inuse);
  unchecked(c_inuse[c] += 1);
  if (inuse == load<u32>(at(s_objects, id))) remove_partial(c, id); // full slabs are on no list
  return id;
}

/** kmalloc(size): an object of the kmalloc cache for `size`. */
export function kmalloc(size: u32, gfp: u32, may_reclaim: bool): u32 {
  return kmem_cache_alloc(kmalloc_cache(size), gfp, may_reclaim);
}

/** kmalloc() above KMALLOC_MAX_CACHE_SIZE (8 KiB: KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1): mm/slub.c
 *  __kmalloc_large_node() -> alloc_pages(flags | __GFP_COMP, get_order(size)), no slab (unmovable for a mask
 *  without __GFP_MOVABLE). `may_reclaim`: one round of direct compaction and reclaim (the slow path as
 *  direct_compact.ts has it: __GFP_NORETRY's, and where a mask could retry further the model fails there too).
 *  The head PFN or NONE; the caller sets the owner words and frees with __free_pages(pfn, kmalloc_large_order()). */
export function kmalloc_large(size: u32, gfp: u32, may_reclaim: bool): u32 {
  const order = get_order(size);
  return may_reclaim ? alloc_pages_may_reclaim(gfp, order) : __alloc_pages(gfp, order);
}
export function kmalloc_large_order(size: u32): u32 { return get_order(size); }
/** An order-0 page with one round of reclaim (vmalloc's pages, alloc_page()). */
export function alloc_page_may_reclaim(gfp: u32): u32 { return alloc_pages_may_reclaim(gfp, 0); }

// mm/slub.c: __slab_free(): an empty slab goes back to the page allocator once the node keeps min_partial
// partial slabs; otherwise a slab that was full goes onto the partial list's tail
export function kmem_cache_free(id: u32): void {
  const c = load<u32>(at(s_cache, id));
  const objects = load<u32>(at(s_objects, id));
  const was_full = load<u32>(at(s_inuse, id)) == objects;
  const inuse = load<u32>(at(s_inuse, id)) - 1;
  store<u32>(at(s_inuse, id), inuse);
  unchecked(c_inuse[c] -= 1);
  if (inuse == 0 && unchecked(c_nr_partial[c]) >= unchecked(c_min_partial[c])) {
    if (!was_full) remove_partial(c, id);
    discard_slab(id);
    return;
  }
  if (was_full) add_partial(c, id, true);
}

// ---- views and the checker -----------------------------------------------------------------------------------

/** Per cache, SLAB_CACHE_WORDS values: /proc/slabinfo's objsize, objperslab, pagesperslab, active_objs, num_objs,
 *  num_slabs (= active_slabs: SLUB counts every slab active), then the pages its slabs hold now and at peak,
 *  ORDER_FALLBACK and the allocations that got no page. */
export const SLAB_CACHE_WORDS: i32 = 10;
const out = new StaticArray<f64>(NR_SLAB_CACHES * SLAB_CACHE_WORDS);
export function slab_stats_fill(): usize {
  for (let c = 0; c < NR_SLAB_CACHES; c++) {
    const o = c * SLAB_CACHE_WORDS;
    unchecked(out[o] = <f64>c_size[c]);
    unchecked(out[o + 1] = <f64>c_objects[c]);
    unchecked(out[o + 2] = <f64>(1 << c_order[c]));
    unchecked(out[o + 3] = <f64>c_inuse[c]);
    unchecked(out[o + 4] = <f64>c_total_objects[c]);
    unchecked(out[o + 5] = <f64>c_slabs[c]);
    unchecked(out[o + 6] = <f64>c_pages[c]);
    unchecked(out[o + 7] = <f64>c_peak_pages[c]);
    unchecked(out[o + 8] = <f64>c_order_fallback[c]);
    unchecked(out[o + 9] = <f64>c_alloc_fail[c]);
  }
  return changetype<usize>(out);
}
export function slab_alloc_failures(): u32 {
  let n: u32 = 0;
  for (let c = 0; c < NR_SLAB_CACHES; c++) n += unchecked(c_alloc_fail[c]);
  return n;
}
/** Test hook (plant.ts): an object its cache counts that nobody holds. */
export function slab_leak_object(id: u32): void { store<u32>(at(s_inuse, id), load<u32>(at(s_inuse, id)) + 1); unchecked(c_inuse[slab_cache(id)] += 1); }

/** The slab's pages are one allocation of its order, unmovable, off the LRU, and owned by it. */
function slab_pages_ok(id: u32): u32 {
  const pfn = load<u32>(at(s_pfn, id)), order = load<u32>(at(s_order, id));
  if (pfn >= nr_pages) return pfn;
  const f = page_flags(pfn);
  if ((f & (PG_owner | PG_head)) != (PG_owner | PG_head) || page_order(pfn) != order) return pfn;
  const n: u32 = <u32>1 << order;
  for (let i: u32 = 0; i < n; i++) {
    const p = pfn + i;
    if ((page_flags(p) & (PG_owner | PG_lru)) != PG_owner || page_next(p) != OWNER_SLAB || page_prev(p) != id) return p;
    if (page_alloc_mt(p) != MIGRATE_UNMOVABLE) return p;
  }
  return NONE;
}

export let slab_invariant_where: u32 = NONE;
const slabs = new StaticArray<u32>(NR_SLAB_CACHES);
const pages = new StaticArray<u32>(NR_SLAB_CACHES);
const inuse = new StaticArray<u32>(NR_SLAB_CACHES);
const total = new StaticArray<u32>(NR_SLAB_CACHES);
const listed = new StaticArray<u32>(NR_SLAB_CACHES);
/** Every live slab's pages are its own (an allocated, unmovable, non-LRU block of its order); each cache's slab,
 *  page, object and partial counts add up; a slab is on the partial list exactly when it has a free object.
 *  Returns false on the first fault (slab_invariant_where: the page, or the cache). */
export function check_slab_caches(slab_pages_seen: u32): bool {
  for (let c = 0; c < NR_SLAB_CACHES; c++) {
    unchecked(slabs[c] = 0); unchecked(pages[c] = 0); unchecked(inuse[c] = 0); unchecked(total[c] = 0); unchecked(listed[c] = 0);
  }
  let all_pages: u32 = 0;
  for (let id: u32 = 0; id < cap; id++) {
    if (load<u32>(at(s_pfn, id)) == NONE) continue;
    const bad = slab_pages_ok(id);
    if (bad != NONE) { slab_invariant_where = bad; return false; }
    const c = load<u32>(at(s_cache, id));
    const u = load<u32>(at(s_inuse, id)), objs = load<u32>(at(s_objects, id));
    const on_list = load<u32>(at(s_listed, id)) != 0;
    if (u > objs || on_list != (u < objs)) { slab_invariant_where = load<u32>(at(s_pfn, id)); return false; }
    unchecked(slabs[c] += 1);
    unchecked(pages[c] += <u32>1 << load<u32>(at(s_order, id)));
    unchecked(inuse[c] += u);
    unchecked(total[c] += objs);
    if (on_list) unchecked(listed[c] += 1);
    all_pages += <u32>1 << load<u32>(at(s_order, id));
  }
  for (let c = 0; c < NR_SLAB_CACHES; c++) {
    let walked: u32 = 0;
    for (let id = unchecked(c_partial_head[c]); id != NONE && walked <= cap; id = load<u32>(at(s_next, id))) walked++;
    if (unchecked(slabs[c]) != unchecked(c_slabs[c]) || unchecked(pages[c]) != unchecked(c_pages[c]) ||
        unchecked(inuse[c]) != unchecked(c_inuse[c]) || unchecked(total[c]) != unchecked(c_total_objects[c]) ||
        unchecked(listed[c]) != unchecked(c_nr_partial[c]) || walked != unchecked(c_nr_partial[c])) {
      slab_invariant_where = <u32>c;
      return false;
    }
  }
  // no page claims a slab that is not there: the pages marked OWNER_SLAB are the live slabs' pages
  if (all_pages != slab_pages_total || slab_pages_seen != slab_pages_total) { slab_invariant_where = NONE; return false; }
  return true;
}
