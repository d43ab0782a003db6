// Poisson jump counts for the Merton and Bates steps (paths.ts, the f64x2 path kernels, hedging/hedge-paths.ts):
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

/** The sum of n > 0 log jumps N(m, delta^2), n m + delta sqrt(n) Zj (the Merton and Bates steps). */
// @ts-ignore: decorator
@inline
export function jumpSum(n: i32, jm: f64, jv: f64, zj: f64): f64 {
  return <f64>n * jm + jv * Math.sqrt(<f64>n) * zj;
}

/**
 * The jump sums of a step on two lanes (uniforms u0, u1, jump normals z0, z1), as paths.ts's Merton
 * and Bates steps: n m + delta sqrt(n) Zj for n = poisson(u, lambda dt) > 0, else 0.0 (u >
 * e^{-lambda dt} exactly where n > 0). Lane by lane (the counting loop has no vector form); the
 * path kernels call it only on steps where a lane jumps. Scalar arguments: an exported function
 * with v128 parameters draws AssemblyScript's AS112 warning.
 */
export function jumpSumsX2(u0: f64, u1: f64, z0: f64, z1: f64, lamDt: f64, pois0: f64, jm: f64, jv: f64): v128 {
  const n0 = poisson(u0, lamDt, pois0);
  const n1 = poisson(u1, lamDt, pois0);
  const j0 = n0 > 0 ? jumpSum(n0, jm, jv, z0) : 0.0;
  const j1 = n1 > 0 ? jumpSum(n1, jm, jv, z1) : 0.0;
  return f64x2.replace_lane(f64x2.splat(j0), 1, j1);
}
