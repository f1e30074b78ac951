// Dirty limits (mm/page-writeback.c): the global thresholds from dirty_ratio / dirty_background_ratio, and
// the FUSE bdi's own share under BDI_CAP_STRICTLIMIT and max_ratio (wb_calc_thresh, wb_dirty_limits).
import { g, CFG_DIRTY_RATIO, CFG_DIRTY_BACKGROUND_RATIO, CFG_STRICTLIMIT, CFG_BDI_MAX_RATIO } from "../sim/config";
import { st, NR_FILE_DIRTY, WB_RECLAIMABLE, WB_WRITEBACK, NR_WRITEBACK, NR_WRITEBACK_TEMP } from "./stats";

export let dirty_thresh: i64 = 0;
export let bg_thresh: i64 = 0;
export let wb_thresh: i64 = 0;
export let wb_bg_thresh: i64 = 0;
/** Where a writer is paused (balance_dirty_pages' setpoint between freerun and the limit). */
export let wb_setpoint: i64 = 0;

/** dirtyable: global_dirtyable_memory(), taken as the machine's pages minus the watermark reserve. */
export function dirty_limits_init(dirtyable: i64): void {
  dirty_thresh = dirtyable * <i64>g(CFG_DIRTY_RATIO) / 100;
  bg_thresh = dirtyable * <i64>g(CFG_DIRTY_BACKGROUND_RATIO) / 100;
  // wb_calc_thresh(): the bdi's share of the threshold; this bdi does all the writeout, capped by max_ratio
  wb_thresh = <i64>(<f64>dirty_thresh * g(CFG_BDI_MAX_RATIO) / 100.0);
  if (wb_thresh < 1) wb_thresh = 1;
  wb_bg_thresh = dirty_thresh > 0 ? wb_thresh * bg_thresh / dirty_thresh : 0;
  const freerun = (wb_thresh + wb_bg_thresh) / 2;
  wb_setpoint = (freerun + wb_thresh) / 2;
}

@inline export function strictlimit(): bool { return g(CFG_STRICTLIMIT) != 0; }

/** wb_dirty as balance_dirty_pages() counts it: WB_RECLAIMABLE + WB_WRITEBACK (temp pages included). */
@inline export function wb_dirty(): i64 { return st(WB_RECLAIMABLE) + st(WB_WRITEBACK); }

/** Must a writer pause? With strictlimit the bdi's own numbers decide, otherwise the global ones. */
export function over_dirty_setpoint(): bool {
  if (strictlimit()) return wb_dirty() > wb_setpoint;
  const global = st(NR_FILE_DIRTY) + st(NR_WRITEBACK) + st(NR_WRITEBACK_TEMP);
  return global > (dirty_thresh + bg_thresh) / 2 + (dirty_thresh - bg_thresh) / 4;
}

/** wb_over_bg_thresh(): should background writeback run? */
export function wb_over_bg_thresh(): bool {
  if (st(NR_FILE_DIRTY) > bg_thresh) return true;
  return st(WB_RECLAIMABLE) > wb_bg_thresh;
}
