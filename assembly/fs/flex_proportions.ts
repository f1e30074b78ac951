// lib/flex_proportions.c (6.15): a wb's share of the writeout completions, with a history that halves every
// period. The model has one wb (the FUSE bdi's) in the global domain, so one local counter in one global;
// counts are exact (the percpu_counter read error is 0).
export const FPROP_FRAC_SHIFT: i64 = 10;
export const FPROP_FRAC_BASE: i64 = 1 << FPROP_FRAC_SHIFT;

/** fprop_global: events starts at 1 ("Use 1 to avoid dealing with periods with 0 events"). */
let g_events: i64 = 1;
let g_period: u32 = 0;
/** fprop_local_percpu of the FUSE wb. */
let l_events: i64 = 0;
let l_period: u32 = 0;

/** fprop_fraction_percpu()'s results. */
export let fprop_numerator: u64 = 0;
export let fprop_denominator: u64 = 1;

export function fprop_init(): void { g_events = 1; g_period = 0; l_events = 0; l_period = 0; }
export function fprop_global_events(): i64 { return g_events; }
export function fprop_local_events(): i64 { return l_events; }

/** fprop_new_period(): age every count by 2^-periods; false when there was nothing to age (events <= 1). */
export function fprop_new_period(periods: i32): bool {
  let events = g_events;
  if (events <= 1) return false;
  if (periods < 64) events -= events >> periods;
  g_events -= events;
  g_period += <u32>periods;
  return true;
}

/** fprop_reflect_period_percpu(): the local count catches up with the periods it missed. */
function fprop_reflect_period_percpu(): void {
  const period = g_period;
  if (l_period >= period) return;
  if (period - l_period < 64) l_events = l_events >> <i64>(period - l_period);
  else l_events = 0;
  l_period = period;
}

/** fprop_fraction_percpu(): numerator / denominator, at most 1 and denominator > 0. */
export function fprop_fraction_percpu(): void {
  fprop_reflect_period_percpu();
  let num = max<i64>(l_events, 0), den = max<i64>(g_events, 0);
  if (den <= num) den = num != 0 ? num : 1;
  fprop_numerator = <u64>num;
  fprop_denominator = <u64>den;
}

/** __fprop_add_percpu_max(): add nr events, but never past a fraction of max_frac / FPROP_FRAC_BASE. */
export function __fprop_add_percpu_max(max_frac: i64, nr: i64): void {
  if (max_frac < FPROP_FRAC_BASE) {
    fprop_fraction_percpu();
    const tmp = <i64>fprop_denominator * max_frac - (<i64>fprop_numerator << FPROP_FRAC_SHIFT);
    if (tmp < 0) return; // maximum fraction already exceeded
    if (tmp < nr * (FPROP_FRAC_BASE - max_frac)) nr = (tmp + FPROP_FRAC_BASE - max_frac - 1) / (FPROP_FRAC_BASE - max_frac);
  }
  // __fprop_add_percpu()
  fprop_reflect_period_percpu();
  l_events += nr;
  g_events += nr;
}
