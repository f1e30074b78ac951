// The simulation's seeded PRNG (SplitMix64) and the latency distributions drawn from it.
let state: u64 = 0;

export function prng_seed(seed: u64): void { state = seed ^ 0x5deece66d; }

export function next_u64(): u64 {
  state += 0x9e3779b97f4a7c15;
  let z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** Uniform in (0, 1]. */
export function next_unit(): f64 { return (<f64>(next_u64() >> 11) + 1.0) / 9007199254740992.0; }

export function below(n: u32): u32 { return <u32>((next_u64() >> 32) * <u64>n >> 32); }

export const DIST_FIXED: u32 = 0;
export const DIST_EXPONENTIAL: u32 = 1;
export const DIST_LOGNORMAL: u32 = 2;

/** A sample of the distribution with the given mean (ns). */
export function sample(kind: u32, mean: f64, sigma: f64): f64 {
  if (mean <= 0) return 0;
  if (kind == DIST_EXPONENTIAL) return -mean * Math.log(next_unit());
  if (kind == DIST_LOGNORMAL) {
    // Box-Muller; mu chosen so that the lognormal's mean is `mean`
    const n = Math.sqrt(-2.0 * Math.log(next_unit())) * Math.cos(2.0 * Math.PI * next_unit());
    return Math.exp(Math.log(mean) - sigma * sigma / 2.0 + sigma * n);
  }
  return mean;
}
