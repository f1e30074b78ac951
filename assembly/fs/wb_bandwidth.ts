// The wb's estimates (mm/page-writeback.c, 6.15/6.16): writeout completions (__wb_writeout_add; dirty.ts ages
// the domain's), the write bandwidth (wb_update_write_bandwidth), the domain's dirty_limit (update_dirty_limit)
// and the base throttle rate dirty_ratelimit (wb_update_dirty_ratelimit), refreshed at most every
// BANDWIDTH_INTERVAL by balance_dirty_pages(), do_writepages() and, with BDI_CAP_WRITEBACK_ACCT, the bw_dwork
// queued when an inode's writeback ends.
import { now, schedule } from "../sim/clock";
import { HZ, jiffies_at, timer_fire_ns, ilog2, roundup_pow_of_two } from "../sim/jiffies";
import { stat_value, st_add, WB_DIRTIED, WB_WRITTEN, WB_BW_DWORK, wb_stat_mod, wb_stat, wb_stat_read } from "./stats";
import { fprop_init } from "./flex_proportions";
import {
  strictlimit, dtc_dirty, dtc_thresh, dtc_bg_thresh, dtc_wb_dirty, dtc_wb_thresh,
  dtc_wb_bg_thresh, dtc_pos_ratio, dom_dirty_limit, dom_dirty_limit_tstamp, set_dom_dirty_limit,
  dirty_freerun_ceiling, hard_dirty_limit, wb_domain_writeout_add, wb_thresh_consolidated,
} from "./dirty";

export const RATELIMIT_CALC_SHIFT: u64 = 10;
/** mm/backing-dev.c: INIT_BW, 100 MB/s in pages a second: every estimate starts there. */
export const INIT_BW: u64 = 100 << (20 - 12);
export const EV_WB_BW_DWORK: u32 = 41;

// struct bdi_writeback of the FUSE bdi
export let bw_time_stamp: u64 = 0;
export let dirtied_stamp: u64 = 0;
export let written_stamp: u64 = 0;
/** Pages a second: the last period's estimate and its smoothed value. */
export let write_bandwidth: u64 = INIT_BW;
export let avg_write_bandwidth: u64 = INIT_BW;
/** Pages a second: the base throttle rate, and the balanced rate it was last steered towards. */
export let dirty_ratelimit: u64 = INIT_BW;
export let balanced_dirty_ratelimit: u64 = INIT_BW;
export let wb_dirty_exceeded: bool = false;
export function set_wb_dirty_exceeded(v: bool): void { wb_dirty_exceeded = v; }
let bw_dwork_pending = false;

@inline export function BANDWIDTH_INTERVAL(): u64 { return max<u64>(HZ / 5, 1); }

/** wb_init() and wb_domain_init() at mount. */
export function wb_bandwidth_init(): void {
  const j = jiffies_at(now);
  bw_time_stamp = j;
  dirtied_stamp = 0;
  written_stamp = 0;
  write_bandwidth = INIT_BW;
  avg_write_bandwidth = INIT_BW;
  dirty_ratelimit = INIT_BW;
  balanced_dirty_ratelimit = INIT_BW;
  wb_dirty_exceeded = false;
  bw_dwork_pending = false;
  fprop_init();
}

/** Test harness: set the wb's estimates directly. */
export function wb_bandwidth_set(write_bw: u64, avg_bw: u64, ratelimit: u64, balanced: u64): void {
  write_bandwidth = write_bw; avg_write_bandwidth = avg_bw; dirty_ratelimit = ratelimit; balanced_dirty_ratelimit = balanced;
}
export function wb_stamps_set(time_stamp: u64, dirtied: u64, written: u64): void {
  bw_time_stamp = time_stamp; dirtied_stamp = dirtied; written_stamp = written;
}

/** __wb_writeout_add(): nr pages finished writeback (wb_writeout_inc() is nr = 1): WB_WRITTEN and the
 *  domain's completions. */
export function wb_writeout_add(nr: i64): void {
  wb_stat_mod(WB_WRITTEN, nr);
  wb_domain_writeout_add(nr);
}

/** wb_update_write_bandwidth(): bw over the elapsed ticks, smoothed over a ~3 s period, then once more. */
export function wb_update_write_bandwidth(elapsed: u64, written: u64): void {
  const period = roundup_pow_of_two(3 * HZ);
  let avg = avg_write_bandwidth;
  const old = write_bandwidth;
  let bw: u64 = written - min<u64>(written, written_stamp);
  bw *= HZ;
  if (elapsed > period) {
    bw = bw / elapsed;
    avg = bw;
  } else {
    bw += write_bandwidth * (period - elapsed);
    bw >>= <u64>ilog2(period);
    // one more level of smoothing, for filtering out sudden spikes
    if (avg > old && old >= bw) avg -= (avg - old) >> 3;
    if (avg < old && old <= bw) avg += (old - avg) >> 3;
  }
  avg = max<u64>(avg, 1); // tot_write_bandwidth > 0 while dirty (one wb: no tot to keep)
  write_bandwidth = bw;
  avg_write_bandwidth = avg;
}

/** update_dirty_limit(): follow thresh up in one step, down by 1/32 of the gap, never below dirty. */
export function update_dirty_limit(): void {
  let thresh = dtc_thresh;
  let limit = dom_dirty_limit;
  if (limit < thresh) { set_dom_dirty_limit(thresh, dom_dirty_limit_tstamp); return; }
  thresh = max<u64>(thresh, dtc_dirty);
  if (limit > thresh) {
    limit -= (limit - thresh) >> 5;
    set_dom_dirty_limit(limit, dom_dirty_limit_tstamp);
  }
}

/** domain_update_dirty_limit(): at most once a BANDWIDTH_INTERVAL. */
function domain_update_dirty_limit(j: u64): void {
  if (j < dom_dirty_limit_tstamp + BANDWIDTH_INTERVAL()) return;
  update_dirty_limit();
  set_dom_dirty_limit(dom_dirty_limit, j);
}

/** wb_update_dirty_ratelimit(): steer dirty_ratelimit towards balanced_dirty_ratelimit =
 *  task_ratelimit * write_bw / dirty_rate, only when the position error agrees, in damped steps. */
export function wb_update_dirty_ratelimit(dirtied: u64, elapsed: u64): void {
  let dirty = dtc_dirty;
  const freerun = dirty_freerun_ceiling(dtc_thresh, dtc_bg_thresh);
  const limit = hard_dirty_limit(dtc_thresh);
  let setpoint = (freerun + limit) / 2;
  const write_bw = avg_write_bandwidth;
  let ratelimit = dirty_ratelimit;
  // the dirty rate matches the writeout rate in the long term
  const dirty_rate = (dirtied - dirtied_stamp) * HZ / elapsed;
  // task_ratelimit reflects each dd's dirty rate for the past 200ms
  let task_ratelimit = ratelimit * dtc_pos_ratio >> RATELIMIT_CALC_SHIFT;
  task_ratelimit++; // helps ramp up dirty_ratelimit from tiny values
  let balanced = task_ratelimit * write_bw / (dirty_rate | 1);
  if (balanced > write_bw) balanced = write_bw;
  let step: u64 = 0;
  // strictlimit: the position error is the wb's own
  if (strictlimit()) {
    dirty = dtc_wb_dirty;
    // 6.1-6.12 ramp dirty_ratelimit up by force while the wb is nearly clean; 6.14's consolidation dropped it
    if (!wb_thresh_consolidated() && dtc_wb_dirty < 8) setpoint = dtc_wb_dirty + 1;
    else setpoint = (dtc_wb_thresh + dtc_wb_bg_thresh) / 2;
  }
  if (dirty < setpoint) {
    const x = min<u64>(min<u64>(balanced_dirty_ratelimit, balanced), task_ratelimit);
    if (ratelimit < x) step = x - ratelimit;
  } else {
    const x = max<u64>(max<u64>(balanced_dirty_ratelimit, balanced), task_ratelimit);
    if (ratelimit > x) step = ratelimit - x;
  }
  // don't pursue 100% rate matching: slow down near the target
  const shift = ratelimit / (2 * step + 1);
  if (shift < 64) step = ((step >> shift) + 7) / 8;
  else step = 0;
  if (ratelimit < balanced) ratelimit += step;
  else ratelimit -= step;
  dirty_ratelimit = max<u64>(ratelimit, 1);
  balanced_dirty_ratelimit = balanced;
}

/** __wb_update_bandwidth() at jiffies j: the ratelimit (from balance_dirty_pages, whose dtc is filled)
 *  and the bandwidth estimates, then new stamps. */
export function __wb_update_bandwidth(j: u64, update_ratelimit: bool): void {
  const elapsed = max<u64>(j - bw_time_stamp, 1);
  // percpu_counter_read(): the shared counts, without the CPUs' deltas
  const dirtied = <u64>wb_stat_read(WB_DIRTIED), written = <u64>wb_stat_read(WB_WRITTEN);
  if (update_ratelimit) {
    domain_update_dirty_limit(j);
    wb_update_dirty_ratelimit(dirtied, elapsed);
  }
  wb_update_write_bandwidth(elapsed, written);
  dirtied_stamp = dirtied;
  written_stamp = written;
  bw_time_stamp = j;
}

/** wb_update_bandwidth(): the bandwidth alone. */
export function wb_update_bandwidth(): void { __wb_update_bandwidth(jiffies_at(now), false); }

/** do_writepages(), before ->writepages: wb_bandwidth_estimate_start() restarts the estimate after more than
 *  a second idle with no inode under writeback. */
export function do_writepages_start(t: u64, writeback_inodes: u32): void {
  const j = jiffies_at(t);
  if (j - bw_time_stamp > HZ && writeback_inodes == 0) {
    dirtied_stamp = <u64>wb_stat(WB_DIRTIED);
    written_stamp = <u64>wb_stat(WB_WRITTEN);
    bw_time_stamp = j;
  }
}

/** do_writepages(), after ->writepages: refresh the bandwidth if it is older than BANDWIDTH_INTERVAL. */
export function do_writepages_end(t: u64): void {
  const j = jiffies_at(t);
  if (bw_time_stamp + BANDWIDTH_INTERVAL() < j) __wb_update_bandwidth(j, false);
}

/** wb_inode_writeback_end() (BDI_CAP_WRITEBACK_ACCT: the copy-free path): an inode's last folio under
 *  writeback ended; the bandwidth update is queued BANDWIDTH_INTERVAL later (queue_delayed_work). */
export function wb_inode_writeback_end(): void {
  if (bw_dwork_pending) return;
  bw_dwork_pending = true;
  schedule(timer_fire_ns(now, BANDWIDTH_INTERVAL()), EV_WB_BW_DWORK, 0);
}

/** EV_WB_BW_DWORK: wb_update_bandwidth_workfn(). */
export function wb_update_bandwidth_workfn(): void {
  bw_dwork_pending = false;
  st_add(WB_BW_DWORK, 1);
  wb_update_bandwidth();
}
