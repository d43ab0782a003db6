// Poisson jump counts for the Merton and Bates steps of the JS twin (paths.ts, hedging/hedge-paths.ts):
// the operations of assembly/montecarlo/jump-counts.ts, so the same counts on both backends.

/** Largest Poisson count drawn per step (the facade keeps lambda dt <= 50, far below it). */
export const MAX_JUMPS = 1000;

/** Poisson(mean) count by summing the probabilities until they pass u (e0 = e^{-mean}); 0 iff u <= e0. */
export function poisson(u: number, mean: number, e0: number): number {
  let n = 0;
  let pk = e0;
  let cdf = pk;
  while (u > cdf && n < MAX_JUMPS) {
    ++n;
    pk *= mean / n;
    cdf += pk;
    if (pk === 0.0 && n > mean) break;
  }
  return n;
}

/** The sum of n > 0 log jumps N(m, delta^2), n m + delta sqrt(n) Zj (the Merton and Bates steps). */
export function jumpSum(n: number, jm: number, jv: number, zj: number): number {
  return n * jm + jv * Math.sqrt(n) * zj;
}
