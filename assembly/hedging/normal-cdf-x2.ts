// Phi(z) on two lanes without data-dependent branches, for the hedging loop: both of Cody's forms
// (math/normal-distribution.ts normalCdf: the central rational for |z| <= 0.66291, the tail form
// exp(-z^2/2) x tailRatio beyond) are evaluated and selected per lane. Lane for lane the scalar
// normalCdf's operations in its order, so the bits are normalCdf's (and the JS twin's); the
// selects replace math/f64x2-normal.ts normalCdfX2's branches on which region the lanes are in,
// which a hedge's d1 (wandering around 0 along the path) mispredicts about every other step.

import { expMinusHalfSquareX2, tailRatioX2 } from "../math/f64x2-normal";
import { NORMAL_CENTRAL_LIMIT } from "../math/normal-distribution";

// Cody's central coefficients (normal-distribution.ts centralPart), one v128 each.
const KC: usize = memory.data<f64>([
  1.1102230246251565e-16, 1.1102230246251565e-16,
  0.065682337918207449113, 0.065682337918207449113,
  2.2352520354606839287, 2.2352520354606839287,
  47.20258190468824187, 47.20258190468824187,
  161.02823106855587881, 161.02823106855587881,
  976.09855173777669322, 976.09855173777669322,
  1067.6894854603709582, 1067.6894854603709582,
  10260.932208618978205, 10260.932208618978205,
  18154.981253343561249, 18154.981253343561249,
  45507.789335026729956, 45507.789335026729956,
  0.5, 0.5,
  1.0, 1.0,
  0.0, 0.0,
], 16);

// @ts-ignore: decorator
@inline
function kc(i: i32): v128 {
  return v128.load(KC + (<usize>i << 4));
}

/** normalCdf lane-wise, branch-free in the region (same bits as the scalar normalCdf per lane). */
// @ts-ignore: decorator
@inline
export function normalCdfSelectX2(z: v128): v128 {
  const y = f64x2.abs(z);
  const zsq = v128.and(f64x2.mul(z, z), f64x2.gt(y, kc(0)));
  let num = f64x2.mul(kc(1), zsq);
  let den = zsq;
  num = f64x2.mul(f64x2.add(num, kc(2)), zsq);
  den = f64x2.mul(f64x2.add(den, kc(3)), zsq);
  num = f64x2.mul(f64x2.add(num, kc(4)), zsq);
  den = f64x2.mul(f64x2.add(den, kc(5)), zsq);
  num = f64x2.mul(f64x2.add(num, kc(6)), zsq);
  den = f64x2.mul(f64x2.add(den, kc(7)), zsq);
  const central = f64x2.add(kc(10), f64x2.div(f64x2.mul(z, f64x2.add(num, kc(8))), f64x2.add(den, kc(9))));
  const lower = f64x2.mul(expMinusHalfSquareX2(y), tailRatioX2(y));
  const tail = v128.bitselect(lower, f64x2.sub(kc(11), lower), f64x2.lt(z, kc(12)));
  const out = v128.bitselect(central, tail, f64x2.le(y, f64x2.splat(NORMAL_CENTRAL_LIMIT)));
  return v128.bitselect(out, z, f64x2.eq(z, z));
}
