// balance_dirty_pages() (mm/page-writeback.c, 6.15/6.16): the writer-side feedback controller. A task that
// has dirtied nr_dirtied_pause pages checks the limits; below the freerun ceiling it goes on, above it the
// position control (wb_position_ratio: a cubic around the setpoint, strictlimit on the wb's own numbers)
// scales the base rate dirty_ratelimit into task_ratelimit, and the task sleeps for the time its pages
// are worth at that rate (wb_min_pause .. wb_max_pause, at most MAX_PAUSE). The sleep is a timeout, never
// woken by completions; after it the task returns to writing, or loops while task_ratelimit is 0.
import { HZ, jiffies_at, timer_fire_ns, ilog2, roundup_pow_of_two } from "../sim/jiffies";
import { param, CFG_NR_CPUS, CFG_WB_BG_START } from "../sim/config";
import { stat_value, st_add, wb_stat_error, NR_FILE_DIRTY, BDP_PAUSES } from "./stats";
import {
  strictlimit, domain_dirty_avail, domain_dirty_limits, wb_dirty_limits, dirty_freerun_ceiling, hard_dirty_limit,
  dtc_dirty, dtc_thresh, dtc_bg_thresh, dtc_wb_dirty, dtc_wb_thresh, dtc_wb_bg_thresh, dtc_pos_ratio, dtc_freerun,
  dtc_dirty_exceeded, set_dtc_pos_ratio, set_dtc_freerun, set_dtc_dirty_exceeded, set_dom_dirty_limit, wb_thresh_consolidated,
} from "./dirty";
import {
  RATELIMIT_CALC_SHIFT, BANDWIDTH_INTERVAL, avg_write_bandwidth, dirty_ratelimit, bw_time_stamp, wb_dirty_exceeded,
  set_wb_dirty_exceeded, __wb_update_bandwidth,
} from "./wb_bandwidth";

/** DIRTY_POLL_THRESH: 128 KiB in pages; the smallest nr_dirtied_pause worth a pause. */
const DIRTY_POLL_THRESH: u64 = 128 >> (12 - 10);
/** kernel/fork.c: a new task starts with nr_dirtied_pause = 128 >> (PAGE_SHIFT - 10). */
const NR_DIRTIED_PAUSE_INIT: u64 = 128 >> (12 - 10);
@inline function MAX_PAUSE(): u64 { return max<u64>(HZ / 5, 1); }

// Hooks the simulator sets: wb_start_background_writeback() and writeback_in_progress().
let start_background: () => void = nothing;
let in_progress: () => bool = never;
function nothing(): void {}
function never(): bool { return false; }

const MAX_TASKS: i32 = 64;
// struct task_struct's dirty fields, one task per writer; each writer runs on its own CPU (bdp_ratelimits)
const nr_dirtied = new StaticArray<u64>(MAX_TASKS);
const nr_dirtied_pause = new StaticArray<u64>(MAX_TASKS);
const dirty_paused_when = new StaticArray<u64>(MAX_TASKS);
const bdp_ratelimits = new StaticArray<u64>(MAX_TASKS);
// a balance_dirty_pages() call asleep in io_schedule_timeout(): what it resumes with
const loop_pages_dirtied = new StaticArray<u64>(MAX_TASKS);
const loop_now = new StaticArray<u64>(MAX_TASKS);
const loop_pause = new StaticArray<i64>(MAX_TASKS);
const loop_task_ratelimit = new StaticArray<u64>(MAX_TASKS);
const loop_nr_dirtied_pause = new StaticArray<u64>(MAX_TASKS);
const loop_wb_dirty = new StaticArray<u64>(MAX_TASKS);
/** ratelimit_pages: after this many pages dirtied on a CPU, its next task checks the limits anyway. */
let ratelimit_pages: u64 = 32;

/** writeback_set_ratelimit() at boot: dom->dirty_limit and ratelimit_pages from the global threshold. */
export function balance_dirty_pages_init(start_bg: () => void, running: () => bool, j: u64): void {
  start_background = start_bg;
  in_progress = running;
  domain_dirty_avail(true);
  domain_dirty_limits();
  set_dom_dirty_limit(dtc_thresh, j);
  ratelimit_pages = dtc_thresh / (<u64>max<f64>(param(CFG_NR_CPUS), 1) * 32);
  if (ratelimit_pages < 16) ratelimit_pages = 16;
  for (let i = 0; i < MAX_TASKS; i++) {
    balance_dirty_pages_task_fork(<u32>i);
    unchecked(bdp_ratelimits[i] = 0);
  }
}

/** pos_ratio_polynom(): 1 + ((setpoint - dirty) / (limit - setpoint))^3 in 1/1024 units, clamped to [0, 2]. */
export function pos_ratio_polynom(setpoint: u64, dirty: u64, limit: u64): i64 {
  const x: i64 = ((<i64>setpoint - <i64>dirty) << <i64>RATELIMIT_CALC_SHIFT) / <i64>((limit - setpoint) | 1);
  let pos_ratio = x;
  pos_ratio = pos_ratio * x >> <i64>RATELIMIT_CALC_SHIFT;
  pos_ratio = pos_ratio * x >> <i64>RATELIMIT_CALC_SHIFT;
  pos_ratio += 1 << <i64>RATELIMIT_CALC_SHIFT;
  return min<i64>(max<i64>(pos_ratio, 0), 2 << <i64>RATELIMIT_CALC_SHIFT);
}

/** wb_position_ratio(): dtc->pos_ratio from the global cubic, then the wb's: under strictlimit the smaller of
 *  the global one and the cubic of wb_dirty around (wb_thresh + wb_bg_thresh) / 2 with its limit at wb_thresh;
 *  otherwise scaled by the wb's linear control line and its reserve area. */
export function wb_position_ratio(): void {
  const write_bw = avg_write_bandwidth;
  const freerun = dirty_freerun_ceiling(dtc_thresh, dtc_bg_thresh);
  const limit = hard_dirty_limit(dtc_thresh);
  let wb_thresh = dtc_wb_thresh;
  set_dtc_pos_ratio(0);
  if (dtc_dirty >= limit) return;
  const setpoint = (freerun + limit) / 2;
  let pos_ratio = pos_ratio_polynom(setpoint, dtc_dirty, limit);
  if (strictlimit()) {
    // 6.1-6.12 only (6.14's consolidation dropped it): a nearly clean wb runs at up to twice the rate
    if (!wb_thresh_consolidated() && dtc_wb_dirty < 8) { set_dtc_pos_ratio(<u64>min<i64>(pos_ratio * 2, 2 << <i64>RATELIMIT_CALC_SHIFT)); return; }
    if (dtc_wb_dirty >= wb_thresh) return;
    const wb_setpoint = dirty_freerun_ceiling(wb_thresh, dtc_wb_bg_thresh);
    if (wb_setpoint == 0 || wb_setpoint == wb_thresh) return;
    const wb_pos_ratio = pos_ratio_polynom(wb_setpoint, dtc_wb_dirty, wb_thresh);
    set_dtc_pos_ratio(<u64>min<i64>(pos_ratio, wb_pos_ratio));
    return;
  }
  // the wb's linear control line: f(wb_setpoint) = 1, span 8 * write_bw in the single-wb case
  if (wb_thresh > dtc_thresh) wb_thresh = dtc_thresh;
  // 6.1-6.12: an idle wb's share is raised here; 6.14+ does it in __wb_calc_thresh()
  if (!wb_thresh_consolidated()) wb_thresh = max<u64>(wb_thresh, (limit - dtc_dirty) / 8);
  let x: u64 = (wb_thresh << 16) / (dtc_thresh | 1);
  const wb_setpoint = setpoint * x >> 16;
  const span = (dtc_thresh - wb_thresh + 8 * write_bw) * x >> 16;
  let x_intercept = wb_setpoint + span;
  let pr = <u64>pos_ratio;
  if (dtc_wb_dirty < x_intercept - span / 4) pr = pr * (x_intercept - dtc_wb_dirty) / ((x_intercept - wb_setpoint) | 1);
  else pr /= 4;
  // the wb reserve area, against a dirty pool running dry
  x_intercept = wb_thresh / 2;
  if (dtc_wb_dirty < x_intercept) {
    if (dtc_wb_dirty > x_intercept / 8) pr = pr * x_intercept / dtc_wb_dirty;
    else pr *= 8;
  }
  set_dtc_pos_ratio(pr);
}

/** dirty_poll_interval(): pages until the next check, near-sqrt of the distance to the threshold. */
export function dirty_poll_interval(dirty: u64, thresh: u64): u64 {
  if (thresh > dirty) return <u64>1 << <u64>(ilog2(thresh - dirty) >> 1);
  return 1;
}

/** wb_max_pause(): never sleep longer than it takes to write 1/8 of wb_dirty out, nor MAX_PAUSE (jiffies). */
export function wb_max_pause(wb_dirty: u64): u64 {
  const bw = avg_write_bandwidth;
  let t = wb_dirty / (1 + bw / roundup_pow_of_two(1 + HZ / 8));
  t++;
  return min<u64>(t, MAX_PAUSE());
}

/** wb_min_pause()'s nr_dirtied_pause result. */
export let min_pause_nr_dirtied_pause: u64 = 0;

/** wb_min_pause(): the target pause (10 ms, more with concurrent dirtiers) and the pages that fill it at
 *  dirty_ratelimit; returns the shortest pause worth sleeping (jiffies). */
export function wb_min_pause(max_pause: i64, task_ratelimit: u64, ratelimit: u64): i64 {
  const hi = ilog2(avg_write_bandwidth);
  const lo = ilog2(ratelimit);
  let t: i64 = max<i64>(1, <i64>HZ / 100);
  if (hi > lo) t += (hi - lo) * (10 * <i64>HZ) / 1024;
  t = min<i64>(t, 1 + max_pause / 2);
  const hz2 = <i64>roundup_pow_of_two(HZ);
  let pages: i64 = <i64>ratelimit * t / hz2;
  if (pages < <i64>DIRTY_POLL_THRESH) {
    t = max_pause;
    pages = <i64>ratelimit * t / hz2;
    if (pages > <i64>DIRTY_POLL_THRESH) {
      pages = <i64>DIRTY_POLL_THRESH;
      t = <i64>HZ * <i64>DIRTY_POLL_THRESH / <i64>ratelimit;
    }
  }
  const pause: i64 = <i64>HZ * pages / (<i64>task_ratelimit + 1);
  if (pause > max_pause) {
    t = max_pause;
    pages = <i64>task_ratelimit * t / hz2;
  }
  min_pause_nr_dirtied_pause = <u64>pages;
  return pages >= <i64>DIRTY_POLL_THRESH ? 1 + t / 2 : t;
}

// balance_dirty_pages_pause()'s results, in jiffies and pages (a second)
export let bdp_task_ratelimit: u64 = 0;
export let bdp_max_pause: i64 = 0;
export let bdp_min_pause: i64 = 0;
export let bdp_nr_dirtied_pause: u64 = 0;
export let bdp_period: i64 = 0;
export let bdp_pause: i64 = 0;

/** The arithmetic of one balance_dirty_pages() pass once dtc->pos_ratio is known: task_ratelimit =
 *  dirty_ratelimit * pos_ratio, the pause bounds, and the pause `pages_dirtied` pages are worth at that rate
 *  less the think time since dirty_paused_when (`think`, jiffies; 0 when the task never paused). With
 *  task_ratelimit 0 the pause is max_pause. */
export function balance_dirty_pages_pause(pages_dirtied: u64, think: i64): void {
  const ratelimit = dirty_ratelimit;
  const task_ratelimit = ratelimit * dtc_pos_ratio >> RATELIMIT_CALC_SHIFT;
  const max_pause = <i64>wb_max_pause(dtc_wb_dirty);
  bdp_task_ratelimit = task_ratelimit;
  bdp_max_pause = max_pause;
  bdp_min_pause = wb_min_pause(max_pause, task_ratelimit, ratelimit);
  bdp_nr_dirtied_pause = min_pause_nr_dirtied_pause;
  if (task_ratelimit == 0) {
    bdp_period = max_pause;
    bdp_pause = max_pause;
    return;
  }
  bdp_period = <i64>(HZ * pages_dirtied / task_ratelimit);
  bdp_pause = bdp_period - think;
}

/** One pass of balance_dirty_pages()'s loop for task j at virtual time t. Returns the virtual time its
 *  io_schedule_timeout() ends, or 0 when the task goes on writing. */
function balance_dirty_pages_loop(j: u32, t: u64): u64 {
  let jnow = jiffies_at(t);
  const strict = strictlimit();
  const pages_dirtied = unchecked(loop_pages_dirtied[j]);
  const nr_dirty = <u64>stat_value(NR_FILE_DIRTY);
  // balance_domain_limits(): domain_dirty_avail, domain_dirty_limits, domain_dirty_freerun
  domain_dirty_avail(true);
  domain_dirty_limits();
  if (strict) {
    wb_dirty_limits();
    set_dtc_freerun(dtc_wb_dirty <= dirty_freerun_ceiling(dtc_wb_thresh, dtc_wb_bg_thresh));
  } else set_dtc_freerun(dtc_dirty <= dirty_freerun_ceiling(dtc_thresh, dtc_bg_thresh));
  // 6.1-6.18 start background writeback here on the global threshold only (`!laptop_mode && nr_dirty >
  // bg_thresh`): a strictlimit wb free-runs up to its freerun ceiling with nothing written back, and the
  // flusher starts when the writer leaves freerun (below). The what-if machine.bdi.wb_bg_start adds Koong's
  // check from "mm: start background writeback based on per-wb threshold for strictlimit BDIs" (mm-hotfixes,
  // March 2026): `strictlimit && wb_dirty > wb_bg_thresh`.
  if (!in_progress() && (nr_dirty > dtc_bg_thresh || (strict && param(CFG_WB_BG_START) != 0 && dtc_wb_dirty > dtc_wb_bg_thresh))) start_background();
  if (dtc_freerun) {
    // free_running: poll again after about sqrt(distance to the threshold) pages
    unchecked(dirty_paused_when[j] = jnow);
    unchecked(nr_dirtied[j] = 0);
    unchecked(nr_dirtied_pause[j] = strict ? dirty_poll_interval(dtc_wb_dirty, dtc_wb_thresh) : dirty_poll_interval(dtc_dirty, dtc_thresh));
    return 0;
  }
  if (!in_progress()) start_background();
  // balance_wb_limits(): wb_dirty_freerun (nothing more under strictlimit; no PF_LOCAL_THROTTLE writer here),
  // wb_dirty_exceeded, wb_position_ratio
  if (!strict) wb_dirty_limits();
  set_dtc_dirty_exceeded(dtc_wb_dirty > dtc_wb_thresh && (dtc_dirty > dtc_thresh || strict));
  wb_position_ratio();
  set_wb_dirty_exceeded(dtc_dirty_exceeded);
  if (bw_time_stamp + BANDWIDTH_INTERVAL() < jnow) __wb_update_bandwidth(jnow, true);
  // throttle according to the global dtc
  const think: i64 = unchecked(dirty_paused_when[j]) != 0 ? <i64>jnow - <i64>unchecked(dirty_paused_when[j]) : 0;
  balance_dirty_pages_pause(pages_dirtied, think);
  const task_ratelimit = bdp_task_ratelimit;
  let pause = bdp_pause;
  if (task_ratelimit != 0) {
    // less than min_pause to sleep: carry the think time over to the next period, or reset
    if (pause < bdp_min_pause) {
      if (pause < -<i64>HZ) {
        unchecked(dirty_paused_when[j] = jnow);
        unchecked(nr_dirtied[j] = 0);
      } else if (bdp_period != 0) {
        unchecked(dirty_paused_when[j] += <u64>bdp_period);
        unchecked(nr_dirtied[j] = 0);
      } else if (unchecked(nr_dirtied_pause[j]) <= pages_dirtied) {
        unchecked(nr_dirtied_pause[j] += pages_dirtied);
      }
      return 0;
    }
    if (pause > bdp_max_pause) {
      // for an occasional dropped task_ratelimit: the rest counts against the next period
      jnow += <u64>min<i64>(pause - bdp_max_pause, bdp_max_pause);
      pause = bdp_max_pause;
    }
  }
  const nr_pause = bdp_nr_dirtied_pause;
  // pause: io_schedule_timeout(pause) from the real jiffies
  unchecked(loop_now[j] = jnow);
  unchecked(loop_pause[j] = pause);
  unchecked(loop_task_ratelimit[j] = task_ratelimit);
  unchecked(loop_nr_dirtied_pause[j] = nr_pause);
  unchecked(loop_wb_dirty[j] = dtc_wb_dirty);
  st_add(BDP_PAUSES, 1);
  // io_schedule_timeout(pause): the timer wheel wakes the task a tick after jiffies + pause (timer_fire_ns())
  return timer_fire_ns(t, <u64>pause);
}

/** kernel/fork.c copy_process(): a new task j starts with nr_dirtied 0, nr_dirtied_pause 32 and no pause behind it
 *  (6.12.118). Its CPU's bdp_ratelimits is the CPU's, and stays. */
export function balance_dirty_pages_task_fork(j: u32): void {
  unchecked(nr_dirtied[j] = 0);
  unchecked(nr_dirtied_pause[j] = NR_DIRTIED_PAUSE_INIT);
  unchecked(dirty_paused_when[j] = 0);
}

/** folio_account_dirtied() for task j: a folio of `nr` pages newly dirtied adds to current->nr_dirtied and to this
 *  CPU's bdp_ratelimits (each writer is on its own CPU here). */
export function task_account_dirtied(j: u32, nr: u64): void {
  unchecked(nr_dirtied[j] += nr);
  unchecked(bdp_ratelimits[j] += nr);
}

/** mm/page-writeback.c balance_dirty_pages_ratelimited_flags() for task j at virtual time t, on the pages the task
 *  has dirtied so far (task_account_dirtied()). Returns the virtual time the task wakes from a throttle pause, or 0
 *  to go on. */
export function balance_dirty_pages_ratelimited(j: u32, t: u64): u64 {
  let ratelimit = unchecked(nr_dirtied_pause[j]);
  if (wb_dirty_exceeded) ratelimit = min<u64>(ratelimit, 32 >> (12 - 10));
  if (unchecked(nr_dirtied[j]) >= ratelimit) unchecked(bdp_ratelimits[j] = 0);
  else if (unchecked(bdp_ratelimits[j]) >= ratelimit_pages) {
    unchecked(bdp_ratelimits[j] = 0);
    ratelimit = 0;
  }
  if (unchecked(nr_dirtied[j]) < ratelimit) return 0;
  unchecked(loop_pages_dirtied[j] = unchecked(nr_dirtied[j]));
  return balance_dirty_pages_loop(j, t);
}

/** The pause of task j ended at virtual time t: the rest of the loop body, and the next pass while
 *  task_ratelimit was 0 (unless wb_dirty is within the counters' error). Returns the next wake-up or 0. */
export function balance_dirty_pages_pause_end(j: u32, t: u64): u64 {
  unchecked(dirty_paused_when[j] = unchecked(loop_now[j]) + <u64>unchecked(loop_pause[j]));
  unchecked(nr_dirtied[j] = 0);
  unchecked(nr_dirtied_pause[j] = unchecked(loop_nr_dirtied_pause[j]));
  if (unchecked(loop_task_ratelimit[j]) != 0) return 0;
  if (unchecked(loop_wb_dirty[j]) <= wb_stat_error()) return 0;
  return balance_dirty_pages_loop(j, t);
}

/** Test harness: the task's dirty fields. */
export function task_nr_dirtied(j: u32): u64 { return unchecked(nr_dirtied[j]); }
export function task_nr_dirtied_pause(j: u32): u64 { return unchecked(nr_dirtied_pause[j]); }
export function task_dirty_paused_when(j: u32): u64 { return unchecked(dirty_paused_when[j]); }
export function bdp_ratelimit_pages(): u64 { return ratelimit_pages; }
