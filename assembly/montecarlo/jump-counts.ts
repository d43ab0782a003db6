// Poisson jump counts for the Merton and Bates steps (paths.ts, gbm-pairs.ts, hedging/hedge-paths.ts):
// N ~ Poisson(lambda dt) by inverse-CDF summation of one uniform. Mirrored in
// src/kernels/montecarlo/jump-counts.ts (the same operations, so the same counts on both backends).

/** Largest Poisson count drawn per step (the facade keeps lambda dt <= 50, far below it). */
export const MAX_JUMPS: i32 = 1000;

/** Poisson(mean) count by summing the probabilities until they pass u (e0 = e^{-mean}); 0 iff u <= e0. */
// @ts-ignore: decorator
@inline
export function poisson(u: f64, mean: f64, e0: f64): i32 {
  let n: i32 = 0;
  let pk = e0;
  let cdf = pk;
  while (u > cdf && n < MAX_JUMPS) {
    ++n;
    pk *= mean / <f64>n;
    cdf += pk;
    if (pk == 0.0 && <f64>n > mean) break;
  }
  return n;
}
