// GBM path stepping two paths at a time, one per f64x2 lane, for mcShard's common case (GBM, inline
// Philox draws, a payoff read from S_T alone: no stored nodes). Each lane runs the scalar step of
// paths.ts,
//   z = normal(j) + mu; x += drift + sd z; sumZ += z; Xi += sd z; Vx += sd sd; W += sqrt(dt) z,
// with the same operations in the same order: WASM SIMD has no fused multiply-add, so every lane
// is bit for bit the scalar path (and the JS twin, which keeps the scalar loop). The pair's normals
// are made a chunk at a time by pair-draws.ts; an antithetic pair shares one Philox path and lane 1
// takes the negated normal (an exact sign flip, as draw() does).
//
// Results are left in pair-draws.ts's end state, pair 0 (no multi-value): lane 0 the first path, lane 1 the second.

import { CHUNK } from "./draws";
import { pairBegin, pairFill, pairNormal, pairEnd } from "./pair-draws";

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
