// High-order allocation with direct compaction (mm/page_alloc.c: __alloc_pages_slowpath ->
// __alloc_pages_direct_compact): try, compact each zone of the zonelist async, try again, then sync-light.
import { NONE, MIGRATE_MOVABLE } from "./constants";
import { __alloc_pages, highest_zoneidx, gfp_migratetype } from "./page_alloc";
import { populated_zone } from "./zone";
import { compact_zone, compaction_defer_reset, defer_compaction, COMPACT_SUCCESS, COMPACT_COMPLETE } from "./compaction";
import { MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT } from "./migrate";
import { st_add, COMPACT_STALL, COMPACT_FAIL, COMPACT_SUCCESS as STAT_COMPACT_SUCCESS } from "../fs/stats";

export function alloc_pages_direct_compact(gfp: u32, order: u32): u32 {
  let page = __alloc_pages(gfp, order);
  if (page != NONE) return page;
  const highest = highest_zoneidx(gfp);
  const mt = gfp_migratetype(gfp);
  const modes: StaticArray<u32> = [MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT];
  for (let m = 0; m < 2; m++) {
    st_add(COMPACT_STALL, 1);
    let ran = false;
    for (let zi = <i32>highest; zi >= 0; zi--) {
      const z = <u32>zi;
      if (!populated_zone(z)) continue;
      const r = compact_zone(z, order, unchecked(modes[m]), mt == MIGRATE_MOVABLE ? MIGRATE_MOVABLE : mt, highest);
      if (r == COMPACT_SUCCESS || r == COMPACT_COMPLETE) ran = true;
      page = __alloc_pages(gfp, order);
      if (page != NONE) {
        compaction_defer_reset(z, order, true);
        st_add(STAT_COMPACT_SUCCESS, 1);
        return page;
      }
      if (r == COMPACT_COMPLETE) defer_compaction(z, order);
    }
    if (ran) st_add(COMPACT_FAIL, 1);
  }
  return NONE;
}
