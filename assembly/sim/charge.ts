// The cost of what the running context does in the current event, accumulated in virtual nanoseconds.
export let acc: f64 = 0;
@inline export function charge(ns: f64): void { acc += ns; }
export function charge_reset(): f64 { const a = acc; acc = 0; return a; }
