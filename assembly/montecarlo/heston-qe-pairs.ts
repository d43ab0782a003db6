// Heston QE path stepping two paths at a time, one per f64x2 lane, for mcShard's common case
// (inline Philox draws, a payoff read from S_T alone): each lane runs the QE step of paths.ts
// (Andersen 2008, psi_c = 1.5, martingale-corrected K0*) with the same operations in the same
// order. The quadratic and exponential branches become masks: a branch is evaluated when some
// lane takes it, then selected per lane; logarithms are logX2 (math/f64x2-elementary.ts, lane for
// lane the shared scalar log). WASM SIMD has no fused multiply-add, so every lane is bit for bit
// the scalar path and the JS twin. Draws: pair-draws.ts (d0 = Uv with its normal, d1 = Z).

import { CHUNK } from "./draws";
import { pairBegin, pairFill, pairNormal, pairUniform, pairEnd } from "./pair-draws";
import { logX2 } from "../math/f64x2-elementary";

/** Andersen's switching level psi_c (paths.ts PSI_C). */
const PSI_C: f64 = 1.5;

/**
 * Step Philox paths pathA and pathB (or pathA and its antithetic mirror when `flip`) through
 * `steps` Heston QE steps of two draws each from x = x0, v = v0, with the step constants of
 * mcShard (E = e^{-kappa dt}, c1, c2, Acorr = K2 + K4 / 2, Kv = K1 + K3 / 2, K0..K4, hDrift =
 * (r - q) dt) and the importance-sampling shift mu. End state in pair-draws.ts's globals.
 */
export function hestonQePathPair(
  pathA: u32, pathB: u32, flip: bool, steps: i32, x0: f64, v0: f64, mu: f64, theta: f64, E: f64,
  c1: f64, c2: f64, Acorr: f64, Kv: f64, K0: f64, K1: f64, K2: f64, K3: f64, K4: f64, hDrift: f64,
): void {
  const one = f64x2.splat(1.0);
  const zero = f64x2.splat(0.0);
  const mu2 = f64x2.splat(mu);
  const theta2 = f64x2.splat(theta);
  const E2 = f64x2.splat(E);
  const c12 = f64x2.splat(c1);
  const c22 = f64x2.splat(c2);
  const psic = f64x2.splat(PSI_C);
  const two = f64x2.splat(2.0);
  const half = f64x2.splat(0.5);
  const twoA = f64x2.splat(2.0 * Acorr);
  const minusA = f64x2.splat(-Acorr);
  const A2 = f64x2.splat(Acorr);
  const Kv2 = f64x2.splat(Kv);
  const K02 = f64x2.splat(K0);
  const K12 = f64x2.splat(K1);
  const K22 = f64x2.splat(K2);
  const K32 = f64x2.splat(K3);
  const K42 = f64x2.splat(K4);
  const hDrift2 = f64x2.splat(hDrift);
  pairBegin(flip);
  let x = f64x2.splat(x0);
  let v = f64x2.splat(v0);
  let sumZ = zero;
  let Xi = zero;
  let Vx = zero;
  let first = zero;
  const draws = steps << 1;
  for (let base = 0; base < draws; base += <i32>CHUNK) {
    const left = draws - base;
    const n = left < <i32>CHUNK ? left : <i32>CHUNK;
    pairFill(pathA, pathB, <u32>base, <u32>n);
    for (let i = 0; i < n; i += 2) {
      const z = f64x2.add(pairNormal(<u32>i + 1), mu2);
      const m = f64x2.add(theta2, f64x2.mul(f64x2.sub(v, theta2), E2));
      const s2 = f64x2.add(f64x2.mul(v, c12), c22);
      const m2 = f64x2.mul(m, m);
      const quad = f64x2.le(s2, f64x2.mul(psic, m2));
      const Kvv = f64x2.mul(Kv2, v);
      let vn = zero;
      let k0 = zero;
      if (v128.any_true(quad)) {
        const t2 = f64x2.div(f64x2.mul(two, m2), s2);
        const b2 = f64x2.add(f64x2.sub(t2, one), f64x2.sqrt(f64x2.mul(t2, f64x2.sub(t2, one))));
        const a = f64x2.div(m, f64x2.add(one, b2));
        const bz = f64x2.add(f64x2.sqrt(b2), pairNormal(<u32>i));
        vn = f64x2.mul(f64x2.mul(a, bz), bz);
        const d = f64x2.sub(one, f64x2.mul(twoA, a));
        const corrected = f64x2.sub(
          f64x2.add(f64x2.div(f64x2.mul(f64x2.mul(minusA, b2), a), d), f64x2.mul(half, logX2(d))), Kvv,
        );
        k0 = v128.bitselect(corrected, K02, f64x2.gt(d, zero));
      }
      if (!i64x2.all_true(quad)) {
        const psi = f64x2.div(s2, m2);
        const pp = f64x2.div(f64x2.sub(psi, one), f64x2.add(psi, one));
        const onePp = f64x2.sub(one, pp);
        const beta = f64x2.div(onePp, m);
        const u = pairUniform(<u32>i);
        const vnE = v128.andnot(f64x2.div(logX2(f64x2.div(onePp, f64x2.sub(one, u))), beta), f64x2.le(u, pp));
        const corrected = f64x2.sub(
          f64x2.neg(logX2(f64x2.add(pp, f64x2.div(f64x2.mul(beta, onePp), f64x2.sub(beta, A2))))), Kvv,
        );
        const k0E = v128.bitselect(corrected, K02, f64x2.lt(A2, beta));
        vn = v128.bitselect(vn, vnE, quad);
        k0 = v128.bitselect(k0, k0E, quad);
      }
      const sd = f64x2.sqrt(f64x2.add(f64x2.mul(K32, v), f64x2.mul(K42, vn)));
      x = f64x2.add(x, f64x2.add(f64x2.add(f64x2.add(f64x2.add(hDrift2, k0), f64x2.mul(K12, v)), f64x2.mul(K22, vn)), f64x2.mul(sd, z)));
      v = vn;
      sumZ = f64x2.add(sumZ, z);
      Xi = f64x2.add(Xi, f64x2.mul(sd, z));
      Vx = f64x2.add(Vx, f64x2.mul(sd, sd));
      if (base == 0 && i == 0) first = v128.and(f64x2.div(z, sd), f64x2.gt(sd, zero));
    }
  }
  pairEnd(x, sumZ, Xi, Vx, zero, first);
}
