// GBM and Merton path stepping two paths at a time, one per f64x2 lane, for mcShard's common case
// (GBM or Merton, inline Philox draws, a payoff read from S_T alone: no stored nodes). Each lane runs
// the scalar step of paths.ts,
//   z = normal(j) + mu; x += drift + sd z (+ J, Merton's jumps); sumZ += z; Xi += sd z; Vx += sd sd;
//   W += sqrt(dt) z,
// with the same operations in the same order: WASM SIMD has no fused multiply-add, so every lane
// is bit for bit the scalar path (and the JS twin, which keeps the scalar loop). The pair's draws
// (normals, and Merton's jump-count uniforms) are made a chunk at a time by pair-draws.ts; an
// antithetic pair shares one Philox path and lane 1 takes the negated normal and the flipped
// uniform (exact, as draw() does).
//
// Results are left in pair-draws.ts's end state, pair 0 (no multi-value): lane 0 the first path, lane 1 the second.

import { CHUNK } from "./draws";
import { pairBegin, pairFill, pairFillThirds, pairNormal, pairNormalOfUniform, pairUniform, pairEnd } from "./pair-draws";
import { jumpSumsX2 } from "./jump-counts";

/**
 * Step Philox paths pathA and pathB (or, when `flip`, pathA in lane 0 and its antithetic mirror in
 * lane 1) through `steps` GBM steps of one draw each from x = x0: drift = (r - q - lambda k -
 * vol^2 / 2) dt, sd = vol sqrt(dt) (> 0 or 0), mu the importance-sampling shift.
 * The generator (seed, stream) is the one drawsShardBegin set for this call.
 */
export function gbmPathPair(
  pathA: u32, pathB: u32, flip: bool, steps: i32, x0: f64, mu: f64, drift: f64, sd: f64, sqdt: f64,
): void {
  const mu2 = f64x2.splat(mu);
  const drift2 = f64x2.splat(drift);
  const sd2 = f64x2.splat(sd);
  const sdsd2 = f64x2.splat(sd * sd);
  const sqdt2 = f64x2.splat(sqdt);
  pairBegin(flip);
  let x = f64x2.splat(x0);
  let sumZ = f64x2.splat(0.0);
  let Xi = f64x2.splat(0.0);
  let Vx = f64x2.splat(0.0);
  let W = f64x2.splat(0.0);
  let first = f64x2.splat(0.0);
  for (let base = 0; base < steps; base += <i32>CHUNK) {
    const left = steps - base;
    const m = left < <i32>CHUNK ? left : <i32>CHUNK;
    const n = <u32>((m + 1) & ~1);
    pairFill(pathA, pathB, <u32>base, n);
    let i = 0;
    if (base == 0) {
      const z = f64x2.add(pairNormal(0), mu2);
      x = f64x2.add(x, f64x2.add(drift2, f64x2.mul(sd2, z)));
      sumZ = f64x2.add(sumZ, z);
      Xi = f64x2.add(Xi, f64x2.mul(sd2, z));
      Vx = f64x2.add(Vx, sdsd2);
      W = f64x2.add(W, f64x2.mul(sqdt2, z));
      if (sd > 0.0) first = f64x2.div(z, sd2);
      i = 1;
    }
    for (; i < m; ++i) {
      const z = f64x2.add(pairNormal(<u32>i), mu2);
      x = f64x2.add(x, f64x2.add(drift2, f64x2.mul(sd2, z)));
      sumZ = f64x2.add(sumZ, z);
      Xi = f64x2.add(Xi, f64x2.mul(sd2, z));
      Vx = f64x2.add(Vx, sdsd2);
      W = f64x2.add(W, f64x2.mul(sqdt2, z));
    }
  }
  pairEnd(0, x, sumZ, Xi, Vx, W, first);
}

/** Merton steps per chunk of draws: 3 draws a step, the chunk a multiple of 3 and even (252 <= CHUNK). */
const MERTON_CHUNK_STEPS: i32 = 84;

/**
 * gbmPathPair for Merton (three draws a step: Z, the jump-count uniform U, the jump normal Zj):
 * x += drift + sd z + J per lane, J = n m + delta sqrt(n) Zj for n = poisson(U, lambda dt) > 0, else
 * 0, paths.ts's step lane for lane (drift includes -lambda k dt; pois0 = e^{-lambda dt}; jm = m,
 * jv = delta). A step where some lane's U passes pois0 (a jump: n > 0 exactly there) counts the
 * two lanes' jumps one at a time; the rest of the step stays in f64x2.
 */
export function mertonPathPair(
  pathA: u32, pathB: u32, flip: bool, steps: i32, x0: f64, mu: f64, drift: f64, sd: f64, sqdt: f64,
  lamDt: f64, pois0: f64, jm: f64, jv: f64,
): void {
  const mu2 = f64x2.splat(mu);
  const drift2 = f64x2.splat(drift);
  const sd2 = f64x2.splat(sd);
  const sdsd2 = f64x2.splat(sd * sd);
  const sqdt2 = f64x2.splat(sqdt);
  const pois02 = f64x2.splat(pois0);
  const zero = f64x2.splat(0.0);
  pairBegin(flip);
  let x = f64x2.splat(x0);
  let sumZ = zero;
  let Xi = zero;
  let Vx = zero;
  let W = zero;
  let first = zero;
  for (let base = 0; base < steps; base += MERTON_CHUNK_STEPS) {
    const left = steps - base;
    const m = left < MERTON_CHUNK_STEPS ? left : MERTON_CHUNK_STEPS;
    // Uniforms of every draw, normals of each step's Z only (compact, index i); a jump normal on demand.
    pairFillThirds(pathA, pathB, <u32>(3 * base), <u32>((3 * m + 1) & ~1));
    for (let i = 0; i < m; ++i) {
      const j = <u32>(3 * i);
      const z = f64x2.add(pairNormal(<u32>i), mu2);
      const u = pairUniform(j + 1);
      let jump = zero;
      if (v128.any_true(f64x2.gt(u, pois02))) {
        const zj = pairNormalOfUniform(j + 2);
        jump = jumpSumsX2(f64x2.extract_lane(u, 0), f64x2.extract_lane(u, 1), f64x2.extract_lane(zj, 0), f64x2.extract_lane(zj, 1), lamDt, pois0, jm, jv);
      }
      x = f64x2.add(x, f64x2.add(f64x2.add(drift2, f64x2.mul(sd2, z)), jump));
      sumZ = f64x2.add(sumZ, z);
      Xi = f64x2.add(Xi, f64x2.mul(sd2, z));
      Vx = f64x2.add(Vx, sdsd2);
      W = f64x2.add(W, f64x2.mul(sqdt2, z));
      if (base == 0 && i == 0 && sd > 0.0) first = f64x2.div(z, sd2);
    }
  }
  pairEnd(0, x, sumZ, Xi, Vx, W, first);
}

