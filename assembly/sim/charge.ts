// The cost of what the running context does in the current event, accumulated in virtual nanoseconds.
import { now } from "./clock";

export let acc: f64 = 0;
@inline export function charge(ns: f64): void { acc += ns; }
export function charge_reset(): f64 { const a = acc; acc = 0; return a; }
/** The running context's own virtual time: its event's start plus what it has been charged so far. A wake-up it
 *  gives another context, and anything it stamps, starts from here (docs/architecture.md). */
@inline export function context_now(): u64 { return now + <u64>acc; }
