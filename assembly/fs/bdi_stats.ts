// /sys/kernel/debug/bdi/<bdi>/stats (mm/backing-dev.c: bdi_debug_stats_show) with the throttle's own
// estimates (the bdi_dirty_ratelimit tracepoint's fields): what the host reports and tests read, in one batch.
// The thresholds are computed as balance_dirty_pages() would compute them now.
import { stat_value, wb_stat, WB_RECLAIMABLE, WB_WRITEBACK, WB_DIRTIED, WB_WRITTEN, BDP_PAUSES } from "./stats";
import {
  domain_dirty_avail, domain_dirty_limits, wb_dirty_limits, dtc_avail, dtc_thresh, dtc_bg_thresh, dtc_wb_thresh,
  dtc_wb_bg_thresh, dom_dirty_limit,
} from "./dirty";
import { write_bandwidth, avg_write_bandwidth, dirty_ratelimit, balanced_dirty_ratelimit } from "./wb_bandwidth";
import { bdp_ratelimit_pages } from "./balance_dirty_pages";

export const BDI_STATS_WORDS: i32 = 16;
const out = new StaticArray<f64>(BDI_STATS_WORDS);

/** Fills and returns [BdiWriteback, BdiReclaimable, BdiDirtyThresh, DirtyThresh, BackgroundThresh, BdiDirtied,
 *  BdiWritten (pages), write_bandwidth, avg_write_bandwidth, dirty_ratelimit, balanced_dirty_ratelimit (pages/s),
 *  dirty_limit, dirtyable, wb_bg_thresh, ratelimit_pages, pauses]. */
export function bdi_stats_fill(): usize {
  domain_dirty_avail(true);
  domain_dirty_limits();
  wb_dirty_limits();
  // bdi_collect_stats(): wb_stat(), the percpu counters' shared counts (stats.ts)
  unchecked(out[0] = <f64>wb_stat(WB_WRITEBACK));
  unchecked(out[1] = <f64>wb_stat(WB_RECLAIMABLE));
  unchecked(out[2] = <f64>dtc_wb_thresh);
  unchecked(out[3] = <f64>dtc_thresh);
  unchecked(out[4] = <f64>dtc_bg_thresh);
  unchecked(out[5] = <f64>wb_stat(WB_DIRTIED));
  unchecked(out[6] = <f64>wb_stat(WB_WRITTEN));
  unchecked(out[7] = <f64>write_bandwidth);
  unchecked(out[8] = <f64>avg_write_bandwidth);
  unchecked(out[9] = <f64>dirty_ratelimit);
  unchecked(out[10] = <f64>balanced_dirty_ratelimit);
  unchecked(out[11] = <f64>dom_dirty_limit);
  unchecked(out[12] = <f64>dtc_avail);
  unchecked(out[13] = <f64>dtc_wb_bg_thresh);
  unchecked(out[14] = <f64>bdp_ratelimit_pages());
  unchecked(out[15] = <f64>stat_value(BDP_PAUSES));
  return changetype<usize>(out);
}
