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

/** jiffies at virtual time ns. */
@inline export function jiffies_at(ns: u64): u64 { return INITIAL_JIFFIES + ns * HZ / 1_000_000_000; }

/** The first virtual ns at which jiffies reads j (a tick's start): where a timer set to expire at j fires. */
export function jiffies_to_ns(j: u64): u64 {
  if (j <= INITIAL_JIFFIES) return 0;
  return ((j - INITIAL_JIFFIES) * 1_000_000_000 + HZ - 1) / HZ;
}

/** include/linux/log2.h: ilog2() (floor), and -1 for 0 as fls_long(0) - 1 gives. */
@inline export function ilog2(x: u64): i64 { return 63 - <i64>clz(x); }
/** include/linux/log2.h: roundup_pow_of_two(). */
@inline export function roundup_pow_of_two(x: u64): u64 { return x <= 1 ? 1 : <u64>1 << (64 - clz(x - 1)); }
