// Dirty limits (mm/page-writeback.c, 6.15/6.16): dirtyable memory and the global thresholds, recomputed on
// every call from counters kept incrementally (global_dirtyable_memory, domain_dirty_limits), the FUSE wb's
// share of them (__wb_calc_thresh: writeout fraction, min_ratio/max_ratio, 6.14+'s bump for a small share), and
// wb_over_bg_thresh() for the flusher. One global domain (no memcg writeback: FUSE has no
// BDI_CAP_CGROUP_WRITEBACK) and one bdi with one wb.
import { MAX_NR_ZONES } from "../mm/constants";
import { NR_FREE_PAGES } from "../mm/zone";
import { totalreserve_pages } from "../mm/watermark";
import { param, CFG_DIRTY_RATIO, CFG_DIRTY_BACKGROUND_RATIO, CFG_STRICTLIMIT, CFG_BDI_MAX_RATIO, CFG_BDI_MIN_RATIO, CFG_WB_THRESH_CONSOLIDATED } from "../sim/config";
import { stat_value, NR_FILE_DIRTY, NR_WRITEBACK, NR_FILE_LRU, WB_RECLAIMABLE, WB_WRITEBACK, wb_stat, wb_stat_sum, wb_stat_error } from "./stats";
import { fprop_fraction_percpu, fprop_numerator, fprop_denominator, fprop_new_period, __fprop_add_percpu_max, FPROP_FRAC_BASE } from "./flex_proportions";
import { now } from "../sim/clock";
import { HZ, jiffies_at } from "../sim/jiffies";

const PAGE_SIZE: u64 = 4096;
const UINT_MAX: u64 = 0xffffffff;
/** include/linux/backing-dev.h (6.5+): bdi ratios are parts per million, BDI_RATIO_SCALE per percent. */
export const BDI_RATIO_SCALE: u64 = 10000;

// struct backing_dev_info of the FUSE bdi
/** bdi->min_ratio and bdi->max_ratio, ppm (bdi_set_max_ratio(bdi, 1) stores 1 * BDI_RATIO_SCALE). */
export let bdi_min_ratio: u64 = 0;
export let bdi_max_ratio: u64 = 100 * BDI_RATIO_SCALE;
/** bdi->max_prop_frac: FPROP_FRAC_BASE * max_ratio / (100 * BDI_RATIO_SCALE). */
export let bdi_max_prop_frac: i64 = FPROP_FRAC_BASE;
/** The global bdi_min_ratio: the sum of every bdi's min_ratio (one bdi here). */
let bdi_min_ratio_sum: u64 = 0;
let strict: bool = true;

// struct wb_domain global_wb_domain
/** dom->dirty_limit: follows thresh up at once and down slowly (update_dirty_limit). */
export let dom_dirty_limit: u64 = 0;
export let dom_dirty_limit_tstamp: u64 = 0;
/** dom->period_time: when the writeout fraction next ages, 0 while aging is off. */
let dom_period_time: u64 = 0;

// struct dirty_throttle_control of the global domain, filled by the calls below
export let dtc_avail: u64 = 0;
export let dtc_dirty: u64 = 0;
export let dtc_thresh: u64 = 0;
export let dtc_bg_thresh: u64 = 0;
export let dtc_wb_dirty: u64 = 0;
export let dtc_wb_thresh: u64 = 0;
export let dtc_wb_bg_thresh: u64 = 0;
export let dtc_pos_ratio: u64 = 0;
export let dtc_freerun: bool = false;
export let dtc_dirty_exceeded: bool = false;
export function set_dtc_pos_ratio(v: u64): void { dtc_pos_ratio = v; }
export function set_dtc_freerun(v: bool): void { dtc_freerun = v; }
export function set_dtc_dirty_exceeded(v: bool): void { dtc_dirty_exceeded = v; }
export function set_dom_dirty_limit(v: u64, tstamp: u64): void { dom_dirty_limit = v; dom_dirty_limit_tstamp = tstamp; }
/** Test harness: a dtc as balance_dirty_pages() would have filled it, and BDI_CAP_STRICTLIMIT. */
export function dtc_set(thresh: u64, bg_thresh: u64, dirty: u64, wb_thresh: u64, wb_bg_thresh: u64, wb_dirty: u64): void {
  dtc_thresh = thresh; dtc_bg_thresh = bg_thresh; dtc_dirty = dirty;
  dtc_wb_thresh = wb_thresh; dtc_wb_bg_thresh = wb_bg_thresh; dtc_wb_dirty = wb_dirty;
}
export function set_strictlimit(v: bool): void { strict = v; }
/** The kernel's rule for a small wb share: 6.14+'s consolidated bump, or 6.1-6.12's (none here; wb_dirty < 8 cases
 *  in the controller). From CFG_WB_THRESH_CONSOLIDATED, which the run's machine.kernel sets. */
let consolidated: bool = true;
@inline export function wb_thresh_consolidated(): bool { return consolidated; }

/** bdi_set_min_ratio() / bdi_set_max_ratio() from the scenario (percent), and BDI_CAP_STRICTLIMIT. */
export function dirty_limits_init(): void {
  bdi_min_ratio = <u64>Math.round(param(CFG_BDI_MIN_RATIO) * <f64>BDI_RATIO_SCALE);
  bdi_max_ratio = <u64>Math.round(param(CFG_BDI_MAX_RATIO) * <f64>BDI_RATIO_SCALE);
  bdi_min_ratio_sum = bdi_min_ratio;
  bdi_max_prop_frac = <i64>(<u64>FPROP_FRAC_BASE * bdi_max_ratio / (100 * BDI_RATIO_SCALE));
  strict = param(CFG_STRICTLIMIT) != 0;
  consolidated = param(CFG_WB_THRESH_CONSOLIDATED) != 0;
  dom_dirty_limit = 0;
  dom_dirty_limit_tstamp = 0;
  dom_period_time = 0;
}

/** VM_COMPLETIONS_PERIOD_LEN: the writeout fraction halves every 3 s. */
@inline function wp_next_time(cur: u64): u64 { const t = cur + 3 * HZ; return t == 0 ? 1 : t; }

/** writeout_period(), the domain's deferrable timer, run for every expiry up to jiffies j: catching up when
 *  the fraction is next used is the same as the timer firing at each expiry, as nothing reads it between. */
export function writeout_period_catch_up(j: u64): void {
  while (dom_period_time != 0 && j >= dom_period_time) {
    if (fprop_new_period(1)) dom_period_time = wp_next_time(dom_period_time);
    else dom_period_time = 0; // aging zeroed every fraction: the timer stops
  }
}

/** wb_domain_writeout_add(): nr completions of the wb, never past bdi->max_prop_frac of all; the first
 *  event after aging stopped starts the timer again. */
export function wb_domain_writeout_add(nr: i64): void {
  const j = jiffies_at(now);
  writeout_period_catch_up(j);
  __fprop_add_percpu_max(bdi_max_prop_frac, nr);
  if (dom_period_time == 0) dom_period_time = wp_next_time(j);
}

@inline export function strictlimit(): bool { return strict; }

/** global_dirtyable_memory(): free pages less totalreserve_pages, plus the file LRU (no highmem on x86-64). */
export function global_dirtyable_memory(): u64 {
  let x: u64 = 0;
  for (let z: u32 = 0; z < MAX_NR_ZONES; z++) x += <u64>max<i32>(unchecked(NR_FREE_PAGES[z]), 0);
  x -= min<u64>(x, totalreserve_pages);
  x += <u64>stat_value(NR_FILE_LRU);
  return x + 1; // "Ensure that we never return 0"
}

/** mm/page-writeback.c: node_dirty_ok(): NR_FILE_DIRTY + NR_WRITEBACK within node_dirty_limit(), vm.dirty_ratio of
 *  the node's dirtyable memory (one node: node_dirtyable_memory() is global_dirtyable_memory() without its "+ 1";
 *  no dirty_bytes, no rt tasks). NR_WRITEBACK_TEMP is not counted. */
export function node_dirty_ok(): bool {
  const limit = <u64>param(CFG_DIRTY_RATIO) * (global_dirtyable_memory() - 1) / 100;
  return <u64>stat_value(NR_FILE_DIRTY) + <u64>stat_value(NR_WRITEBACK) <= min<u64>(limit, UINT_MAX);
}

/** dirty_freerun_ceiling(): the middle of the background and the throttling threshold. */
@inline export function dirty_freerun_ceiling(thresh: u64, bg_thresh: u64): u64 { return (thresh + bg_thresh) / 2; }

/** hard_dirty_limit(): the domain's limit never drops below its slowly following dirty_limit. */
@inline export function hard_dirty_limit(thresh: u64): u64 { return max<u64>(thresh, dom_dirty_limit); }

/** domain_dirty_avail(): dtc->avail and dtc->dirty (NR_FILE_DIRTY, plus NR_WRITEBACK when asked; the legacy
 *  path's NR_WRITEBACK_TEMP is not in it). */
export function domain_dirty_avail(include_writeback: bool): void {
  dtc_avail = global_dirtyable_memory();
  dtc_dirty = <u64>stat_value(NR_FILE_DIRTY);
  if (include_writeback) dtc_dirty += <u64>stat_value(NR_WRITEBACK);
}

/** domain_dirty_limits(): thresh and bg_thresh from vm.dirty_ratio and vm.dirty_background_ratio, in
 *  per-PAGE_SIZE units for precision (no *_bytes sysctls, no rt/dl tasks here). */
export function domain_dirty_limits(): void {
  const ratio = <u64>param(CFG_DIRTY_RATIO) * PAGE_SIZE / 100;
  const bg_ratio = <u64>param(CFG_DIRTY_BACKGROUND_RATIO) * PAGE_SIZE / 100;
  let thresh = ratio * dtc_avail / PAGE_SIZE;
  let bg_thresh = bg_ratio * dtc_avail / PAGE_SIZE;
  if (thresh > UINT_MAX) thresh = UINT_MAX;
  if (bg_thresh >= thresh) bg_thresh = thresh / 2;
  dtc_thresh = thresh;
  dtc_bg_thresh = bg_thresh;
}

/** __wb_calc_thresh(): the wb's share of `thresh` (the domain's throttling or background threshold). With one
 *  wb per bdi, wb_min_max_ratio() does not scale min/max by bandwidth (this_bw == tot_bw). */
export function __wb_calc_thresh(thresh: u64): u64 {
  writeout_period_catch_up(jiffies_at(now));
  fprop_fraction_percpu();
  let wb_thresh = thresh * (100 * BDI_RATIO_SCALE - bdi_min_ratio_sum) / (100 * BDI_RATIO_SCALE);
  wb_thresh *= fprop_numerator;
  wb_thresh = wb_thresh / fprop_denominator;
  wb_thresh += thresh * bdi_min_ratio / (100 * BDI_RATIO_SCALE);
  // 6.14+ (Jim Zhao, "Consolidate wb_thresh bumping logic into __wb_calc_thresh"): a share near 0 because the wb
  // was idle, not slow, is raised so that occasional writes are not blocked; 6.1-6.12 have no bump here
  if (consolidated && thresh > dtc_dirty) wb_thresh = max<u64>(wb_thresh, (thresh - dtc_dirty) / (strict ? 100 : 8));
  const wb_max_thresh = thresh * bdi_max_ratio / (100 * BDI_RATIO_SCALE);
  if (wb_thresh > wb_max_thresh) wb_thresh = wb_max_thresh;
  return wb_thresh;
}

/** wb_dirty_limits(): wb_thresh, wb_bg_thresh and wb_dirty (WB_RECLAIMABLE + WB_WRITEBACK): summed over every
 *  CPU's delta when the threshold is under 2 * wb_stat_error() ("to avoid the stacked BDI deadlock"), the shared
 *  counts alone above it (stats.ts). */
export function wb_dirty_limits(): void {
  dtc_wb_thresh = __wb_calc_thresh(dtc_thresh);
  dtc_wb_bg_thresh = dtc_thresh != 0 ? dtc_wb_thresh * dtc_bg_thresh / dtc_thresh : 0;
  dtc_wb_dirty = dtc_wb_thresh < 2 * wb_stat_error()
    ? <u64>(wb_stat_sum(WB_RECLAIMABLE) + wb_stat_sum(WB_WRITEBACK))
    : <u64>(wb_stat(WB_RECLAIMABLE) + wb_stat(WB_WRITEBACK));
}

/** wb_over_bg_thresh() -> domain_over_bg_thresh(): should background writeback go on? Dirty pages only
 *  (writeback excluded), against the global and then the wb's background threshold. */
export function wb_over_bg_thresh(): bool {
  domain_dirty_avail(false);
  domain_dirty_limits();
  if (dtc_dirty > dtc_bg_thresh) return true;
  // wb_bg_dirty_limits()
  dtc_wb_bg_thresh = __wb_calc_thresh(dtc_bg_thresh);
  dtc_wb_dirty = <u64>(dtc_wb_bg_thresh < 2 * wb_stat_error() ? wb_stat_sum(WB_RECLAIMABLE) : wb_stat(WB_RECLAIMABLE));
  return dtc_wb_dirty > dtc_wb_bg_thresh;
}
