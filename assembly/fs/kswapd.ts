// kswapd (mm/vmscan.c: balance_pgdat): woken by an allocation that found a zone below its low watermark
// (plus boost), it reclaims clean page cache until the zone is back at the high watermark, then clears the
// boost.
import { MAX_NR_ZONES } from "../mm/constants";
import { NR_FREE_PAGES, wmark_low, wmark_high, watermark_boost, populated_zone } from "../mm/zone";
import { kswapd_shrink_page_cache, clear_pgdat_dirty } from "./reclaim";

/** One pass; returns pages reclaimed. */
export function kswapd_balance(): u32 {
  let reclaimed: u32 = 0;
  let balanced = true;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) {
    if (!populated_zone(z)) continue;
    const free = <i64>unchecked(NR_FREE_PAGES[z]);
    const boost = <i64>unchecked(watermark_boost[z]);
    if (free >= <i64>unchecked(wmark_low[z]) + boost) {
      if (boost > 0 && free >= <i64>unchecked(wmark_high[z]) + boost) unchecked(watermark_boost[z] = 0);
      continue;
    }
    balanced = false;
    const want = <i64>unchecked(wmark_high[z]) + boost - free;
    reclaimed += kswapd_shrink_page_cache(<u32>min<i64>(want, 1 << 16));
    if (<i64>unchecked(NR_FREE_PAGES[z]) >= <i64>unchecked(wmark_high[z]) + boost) unchecked(watermark_boost[z] = 0);
  }
  if (balanced) clear_pgdat_dirty(); // mm/vmscan.c: clear_pgdat_congested() once the node is balanced
  return reclaimed;
}
