// Zone watermarks: setup (calculate_min_free_kbytes, khugepaged's set_recommended_min_free_kbytes,
// __setup_per_zone_wmarks, setup_per_zone_lowmem_reserve), checks
// (__zone_watermark_ok, zone_watermark_fast) and boosting (boost_watermark).
import {
  MAX_NR_ZONES, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE, NR_PAGE_ORDERS, MIGRATE_PCPTYPES, MIGRATE_CMA,
  MIGRATE_HIGHATOMIC, ALLOC_CMA, ALLOC_RESERVES, ALLOC_MIN_RESERVE, ALLOC_NON_BLOCK, ALLOC_HIGHATOMIC,
  ALLOC_WMARK_MASK, ALLOC_WMARK_MIN, ALLOC_WMARK_LOW, pageblock_nr_pages, PAGE_SHIFT,
} from "./constants";
import {
  zone_managed_pages, wmark_min, wmark_low, wmark_high, watermark_boost, lowmem_reserve, NR_FREE_PAGES,
  NR_FREE_CMA_PAGES, nr_free_highatomic, free_orders_from,
} from "./zone";

// include/linux/mmzone.h: sysctl_lowmem_reserve_ratio[] (DMA32 256, Normal 32)
const lowmem_reserve_ratio: StaticArray<u32> = [256, 32, 0];
const watermark_scale_factor: u64 = 10;
const watermark_boost_factor: u64 = 15000;

// lib/math/int_sqrt.c: int_sqrt64(), floor of the square root
function int_sqrt(x: u64): u64 {
  let r = <u64>Math.floor(Math.sqrt(<f64>x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/** vm.min_free_kbytes as boot left it (calculate_min_free_kbytes(), raised by khugepaged when THP is on). */
export let min_free_kbytes: u64 = 0;

// mm/page_alloc.c: calculate_min_free_kbytes(): lowmem_kbytes = nr_free_buffer_pages() * 4, read before any
// watermark is set (init_per_zone_wmark_min() runs first), so it is all managed DMA32 + Normal memory
function calculate_min_free_kbytes(): u64 {
  const lowmem_kbytes: u64 = (<u64>zone_managed_pages(ZONE_DMA32) + <u64>zone_managed_pages(ZONE_NORMAL)) << 2;
  let kb = int_sqrt(lowmem_kbytes * 16);
  if (kb < 128) kb = 128;
  if (kb > 262144) kb = 262144;
  return kb;
}

// mm/page_alloc.c: nr_free_buffer_pages() = nr_free_zone_pages(gfp_zone(GFP_USER)): what DMA32 and Normal
// hold above their high watermarks (high_wmark_pages(), boost included: 0 at boot)
function nr_free_buffer_pages(): u64 {
  let sum: u64 = 0;
  for (let z: u32 = ZONE_DMA32; z <= ZONE_NORMAL; z++) {
    const size: u64 = zone_managed_pages(z);
    const high: u64 = <u64>unchecked(wmark_high[z]) + <u64>unchecked(watermark_boost[z]);
    if (size > high) sum += size - high;
  }
  return sum;
}

// mm/khugepaged.c: set_recommended_min_free_kbytes() (6.15), run by start_stop_khugepaged() when THP is
// enabled: two pageblocks per zone for fallbacks, plus MIGRATE_PCPTYPES^2 more, never above 5 % of lowmem;
// ZONE_MOVABLE is not counted (zone_idx(zone) > gfp_zone(GFP_USER))
function set_recommended_min_free_kbytes(current: u64): u64 {
  let nr_zones: u64 = 0;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) if (zone_managed_pages(z) != 0 && z <= ZONE_NORMAL) nr_zones++;
  let recommended_min: u64 = <u64>pageblock_nr_pages * nr_zones * 2;
  recommended_min += <u64>pageblock_nr_pages * nr_zones * <u64>MIGRATE_PCPTYPES * <u64>MIGRATE_PCPTYPES;
  const cap = nr_free_buffer_pages() / 20;
  if (recommended_min > cap) recommended_min = cap;
  recommended_min <<= PAGE_SHIFT - 10;
  return recommended_min > current ? recommended_min : current;
}

// mm/page_alloc.c: init_per_zone_wmark_min() at boot, then (THP on) khugepaged's raise and
// setup_per_zone_wmarks() again with the raised min_free_kbytes
export function setup_per_zone_wmarks(thp: bool): void {
  min_free_kbytes = calculate_min_free_kbytes();
  __setup_per_zone_wmarks();
  if (thp) {
    min_free_kbytes = set_recommended_min_free_kbytes(min_free_kbytes);
    __setup_per_zone_wmarks();
  }
}

// mm/page_alloc.c: __setup_per_zone_wmarks() from min_free_kbytes, then setup_per_zone_lowmem_reserve()
function __setup_per_zone_wmarks(): void {
  const lowmem_pages: u64 = <u64>zone_managed_pages(ZONE_DMA32) + <u64>zone_managed_pages(ZONE_NORMAL);
  const pages_min: u64 = min_free_kbytes >> (PAGE_SHIFT - 10);
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    const managed: u64 = zone_managed_pages(z);
    // the zone's proportional share of pages_min; it sets the low/high gaps even where min is capped
    const share: u64 = managed == 0 ? 0 : pages_min * managed / lowmem_pages;
    let min: u64 = share;
    if (managed != 0 && z == ZONE_MOVABLE) {
      // like highmem: a small min, __GFP_HIGH and PF_MEMALLOC allocations rarely need these pages
      min = managed / 1024;
      if (min < 32) min = 32;
      if (min > 128) min = 128;
    }
    let tmp = share >> 2;
    const scaled = managed * watermark_scale_factor / 10000;
    if (scaled > tmp) tmp = scaled;
    unchecked(wmark_min[z] = <u32>min);
    unchecked(wmark_low[z] = <u32>(min + tmp));
    unchecked(wmark_high[z] = <u32>(min + tmp + tmp));
    unchecked(watermark_boost[z] = 0);
  }
  // mm/page_alloc.c: setup_per_zone_lowmem_reserve()
  for (let i: u32 = 0; i < MAX_NR_ZONES; i++) {
    let managed_above: u64 = 0;
    for (let j: u32 = 0; j < MAX_NR_ZONES; j++) {
      let r: u64 = 0;
      if (j > i) {
        managed_above += zone_managed_pages(j);
        const ratio = unchecked(lowmem_reserve_ratio[i]);
        r = ratio != 0 && zone_managed_pages(i) != 0 ? managed_above / <u64>ratio : 0;
      }
      unchecked(lowmem_reserve[i * MAX_NR_ZONES + j] = <u32>r);
    }
  }
  calculate_totalreserve_pages();
}

/** wmark_pages(): the watermark plus the boost. */
@inline export function wmark_pages(z: u32, alloc_flags: u32): i64 {
  const w = alloc_flags & ALLOC_WMARK_MASK;
  const base = w == ALLOC_WMARK_MIN ? unchecked(wmark_min[z]) : (w == ALLOC_WMARK_LOW ? unchecked(wmark_low[z]) : unchecked(wmark_high[z]));
  return <i64>base + <i64>unchecked(watermark_boost[z]);
}

// mm/page_alloc.c: __zone_watermark_unusable_free(). Selects, not branches: ALLOC_CMA follows the request's
// migratetype, which a random mix of requests would mispredict.
@inline function zone_watermark_unusable_free(z: u32, order: u32, alloc_flags: u32): i64 {
  let unusable: i64 = (<i64>1 << order) - 1;
  unusable += select<i64>(0, <i64>unchecked(nr_free_highatomic[z]), (alloc_flags & ALLOC_RESERVES) != 0);
  unusable += select<i64>(0, <i64>unchecked(NR_FREE_CMA_PAGES[z]), (alloc_flags & ALLOC_CMA) != 0);
  return unusable;
}

// mm/page_alloc.c: __zone_watermark_ok()
export function __zone_watermark_ok(z: u32, order: u32, mark: i64, highest_zoneidx: u32, alloc_flags: u32): bool {
  return __zone_watermark_ok_free(z, order, mark, highest_zoneidx, alloc_flags, <i64>unchecked(NR_FREE_PAGES[z]));
}

/** __zone_watermark_ok() with the free pages given, as should_reclaim_retry() asks it ("if we reclaimed all
 *  reclaimable pages"); the order > 0 test still looks at the free lists as they are. */
export function __zone_watermark_ok_free(z: u32, order: u32, mark: i64, highest_zoneidx: u32, alloc_flags: u32, free: i64): bool {
  let min = mark;
  const free_pages = free - zone_watermark_unusable_free(z, order, alloc_flags);
  if ((alloc_flags & ALLOC_RESERVES) != 0) {
    if ((alloc_flags & ALLOC_MIN_RESERVE) != 0) {
      min -= min / 2;
      if ((alloc_flags & ALLOC_NON_BLOCK) != 0) min -= min / 4;
    }
  }
  if (free_pages <= min + <i64>unchecked(lowmem_reserve[z * MAX_NR_ZONES + highest_zoneidx])) return false;
  if (order == 0) return true;
  // a free block of at least this order on a list the request may use (the kernel walks the orders)
  let orders: u32 = 0;
  for (let mt: u32 = 0; mt < MIGRATE_PCPTYPES; mt++) orders |= free_orders_from(z, order, mt);
  if ((alloc_flags & ALLOC_CMA) != 0) orders |= free_orders_from(z, order, MIGRATE_CMA);
  if ((alloc_flags & ALLOC_HIGHATOMIC) != 0) orders |= free_orders_from(z, order, MIGRATE_HIGHATOMIC);
  return orders != 0;
}

// mm/page_alloc.c: zone_watermark_fast(): the order-0 shortcut, then the full check and the boost exception
// (which looks at the request's watermark in alloc_flags, whatever the mark)
@inline export function zone_watermark_fast_mark(z: u32, order: u32, mark: i64, highest_zoneidx: u32, alloc_flags: u32): bool {
  if (order == 0) {
    // the order-0 fast check: free pages less the reserves this request may not touch, above the mark
    const free = <i64>unchecked(NR_FREE_PAGES[z]);
    let reserved = zone_watermark_unusable_free(z, 0, alloc_flags);
    if (reserved > free) reserved = free;
    if (free - reserved > mark + <i64>unchecked(lowmem_reserve[z * MAX_NR_ZONES + highest_zoneidx])) return true;
  }
  if (__zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags)) return true;
  if (order == 0 && (alloc_flags & ALLOC_MIN_RESERVE) != 0 && unchecked(watermark_boost[z]) != 0 &&
      (alloc_flags & ALLOC_WMARK_MASK) == ALLOC_WMARK_MIN) {
    return __zone_watermark_ok(z, order, <i64>unchecked(wmark_min[z]), highest_zoneidx, alloc_flags);
  }
  return false;
}

/** zone_watermark_fast() at the watermark alloc_flags name (wmark_pages()). */
export function zone_watermark_fast(z: u32, order: u32, alloc_flags: u32, highest_zoneidx: u32): bool {
  return zone_watermark_fast_mark(z, order, wmark_pages(z, alloc_flags), highest_zoneidx, alloc_flags);
}

/** include/linux/mmzone.h: high_wmark_pages(), the boost included. */
@inline export function high_wmark_pages(z: u32): i64 {
  return <i64>unchecked(wmark_high[z]) + <i64>unchecked(watermark_boost[z]);
}

// mm/page_alloc.c: boost_watermark()
export function boost_watermark(z: u32): bool {
  if (watermark_boost_factor == 0) return false;
  if (pageblock_nr_pages * 4 > zone_managed_pages(z)) return false;
  let max_boost: u64 = <u64>unchecked(wmark_high[z]) * watermark_boost_factor / 10000;
  if (max_boost == 0) return false;
  if (max_boost < <u64>pageblock_nr_pages) max_boost = pageblock_nr_pages;
  let boost: u64 = <u64>unchecked(watermark_boost[z]) + <u64>pageblock_nr_pages;
  if (boost > max_boost) boost = max_boost;
  unchecked(watermark_boost[z] = <u32>boost);
  return true;
}

/** Pages the dirty limits do not count as dirtyable (global_dirtyable_memory() subtracts them from free). */
export let totalreserve_pages: u64 = 0;

// mm/page_alloc.c: calculate_totalreserve_pages() (6.15), run whenever the watermarks or lowmem_reserve are
// set: per zone the largest lowmem_reserve it keeps for the zones above, plus its high watermark, at most its
// managed pages.
export function calculate_totalreserve_pages(): void {
  let reserve: u64 = 0;
  for (let i: u32 = 0; i < MAX_NR_ZONES; i++) {
    let m: u64 = 0;
    for (let j = i; j < MAX_NR_ZONES; j++) m = max<u64>(m, <u64>unchecked(lowmem_reserve[i * MAX_NR_ZONES + j]));
    // high_wmark_pages() includes the boost, which is 0 when the watermarks are set
    m += <u64>unchecked(wmark_high[i]) + <u64>unchecked(watermark_boost[i]);
    const managed = <u64>zone_managed_pages(i);
    if (m > managed) m = managed;
    reserve += m;
  }
  totalreserve_pages = reserve;
}
