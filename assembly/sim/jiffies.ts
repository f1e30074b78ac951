// kernel/time: jiffies, the tick count the dirty throttle does its arithmetic in (CONFIG_HZ ticks a second).
// Pauses, BANDWIDTH_INTERVAL and MAX_PAUSE are whole ticks, so HZ changes the throttle's time behaviour.
import { param, CFG_HZ } from "./config";

export let HZ: u64 = 250;
/** INITIAL_JIFFIES: the kernel starts jiffies away from 0 so that a stamp of 0 can mean "never"
 *  (current->dirty_paused_when, dom->period_time). Its start wraps 5 minutes after boot; here it does not. */
const INITIAL_JIFFIES: u64 = 1000;

export function jiffies_init(): void { HZ = <u64>param(CFG_HZ); }

/** One tick in ns: what a kworker sleeps per slow-path loop (should_reclaim_retry()), and what the model has a user
 *  task wait after a failed reclaim round that did not sleep in reclaim_throttle() (fs/reclaim_throttle.ts). */
@inline export function jiffy_ns(): u64 { return 1_000_000_000 / HZ; }

/** A duration in ns as whole jiffies (rounded down; the kernel's intervals here are whole ticks at every HZ). */
@inline export function ns_to_jiffies(ns: u64): u64 { return ns * HZ / 1_000_000_000; }

/** jiffies at virtual time ns. */
@inline export function jiffies_at(ns: u64): u64 { return INITIAL_JIFFIES + ns_to_jiffies(ns); }

/** The first virtual ns at which jiffies reads j (a tick's start). A timer armed for tick j fires later:
 *  timer_fire_ns(). */
export function jiffies_to_ns(j: u64): u64 {
  if (j <= INITIAL_JIFFIES) return 0;
  return ((j - INITIAL_JIFFIES) * 1_000_000_000 + HZ - 1) / HZ;
}

/** kernel/time/timer.c (6.12.118): the virtual ns at which a timer armed at virtual time t to expire `timeout`
 *  jiffies later fires (schedule_timeout(), io_schedule_timeout(), a delayed work's timer). __mod_timer() puts it
 *  in the wheel bucket calc_wheel_index() picks by the delta (levels of 64 buckets, each 8 times coarser than the
 *  last: LVL_START(n) = 63 << 3 * (n - 1)), and calc_index() rounds the expiry up past it at that level's
 *  granularity ("The timer wheel has to guarantee that a timer does not fire early"): one tick past
 *  jiffies + timeout below 63 jiffies, the next multiple of 8 above it below 504, of 64 below 4032. So
 *  schedule_timeout(1) sleeps one to two ticks. The wheel's clock is taken to be jiffies (an idle base is
 *  forwarded by __mod_timer()); a deferrable timer is treated alike. */
export function timer_fire_ns(t: u64, timeout: u64): u64 {
  const expires = jiffies_at(t) + timeout;
  let shift: u64 = 0;
  // LVL_DEPTH 9 (HZ > 100): at most 8 levels of coarsening
  for (let start: u64 = 63; timeout >= start && shift < 24; start <<= 3) shift += 3;
  return jiffies_to_ns(((expires >> shift) + 1) << shift);
}

/** include/linux/log2.h: ilog2() (floor), and -1 for 0 as fls_long(0) - 1 gives. */
@inline export function ilog2(x: u64): i64 { return 63 - <i64>clz(x); }
/** include/linux/log2.h: roundup_pow_of_two(). */
@inline export function roundup_pow_of_two(x: u64): u64 { return x <= 1 ? 1 : <u64>1 << (64 - clz(x - 1)); }
