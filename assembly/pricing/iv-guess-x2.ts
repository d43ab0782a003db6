// Pieces of the implied-vol batch's lowest-branch guess for two quotes per v128 (implied-volatility.ts
// guessLowestList), each lane the bits of the scalar routine it replaces (every IEEE +, -, *, /
// is correctly rounded, so the same operands give the same double in a lane as in a scalar).
// WASM-only: the JS twin has no pair path.

import { expMinusHalfSquareX2, normalCdfOverPdfX2, normalCdfX2, tailRatioX2 } from "../math/f64x2-normal";

// Constants, each twice: 0 NORMAL_CENTRAL_LIMIT, 1 sqrt(2 pi), 2 TINY, 3 Infinity, 4..8 cbrt's P0..P4, 9 2.
const GX2: usize = memory.data<f64>([
  0.66291, 0.66291,
  2.50662827463100050241576528481, 2.50662827463100050241576528481,
  2.2250738585072014e-308, 2.2250738585072014e-308,
  Infinity, Infinity,
  1.87595182427177009643, 1.87595182427177009643,
  -1.88497979543377169875, -1.88497979543377169875,
  1.621429720105354466140, 1.621429720105354466140,
  -0.758397934778766047437, -0.758397934778766047437,
  0.145996192886612446982, 0.145996192886612446982,
  2.0, 2.0,
], 16);

// @ts-ignore: decorator
@inline
function kq(i: i32): v128 {
  return v128.load(GX2 + (<usize>i << 4));
}

/** Phi(-z) of the last lowerMapNormalsX2 (module state: no allocation in kernels). */
export let lowerMapCdf: v128 = f64x2.splat(0.0);
/** Phi(-z)/phi(z) of the last lowerMapNormalsX2. */
export let lowerMapRatio: v128 = f64x2.splat(0.0);

// @ts-ignore: decorator
@inline
/**
 * normalCdfX2(-z) and normalCdfOverPdfX2(-z) for the lower map (z > 0) into lowerMapCdf and
 * lowerMapRatio. Both lanes in the tail (z > 0.66291, the normal functions' central limit): the
 * two functions there are exp(-z^2/2) R(z) and sqrt(2 pi) R(z) with one tail ratio R
 * (f64x2-normal.ts), so R is computed once: the same operations on the same operands as the two
 * calls, hence their bits. Otherwise (a central or NaN lane) the two calls.
 */
export function lowerMapNormalsX2(z: v128): void {
  if (i64x2.all_true(f64x2.gt(z, kq(0)))) {
    const tail = tailRatioX2(z);
    lowerMapCdf = f64x2.mul(expMinusHalfSquareX2(z), tail);
    lowerMapRatio = f64x2.mul(kq(1), tail);
    return;
  }
  lowerMapCdf = normalCdfX2(f64x2.neg(z));
  lowerMapRatio = normalCdfOverPdfX2(f64x2.neg(z));
}

// @ts-ignore: decorator
@inline
/**
 * Cube root lane-wise, each lane NativeMath.cbrt's bits (musl src/math/cbrt.c, as AssemblyScript
 * has it) for positive normal finite lanes; a pair with any other lane takes NativeMath.cbrt per
 * lane. hx / 3 as (hx * 0xAAAAAAAB) >> 33, exact for every 32-bit hx.
 */
export function cbrtX2(x: v128): v128 {
  if (!i64x2.all_true(v128.and(f64x2.ge(x, kq(2)), f64x2.lt(x, kq(3))))) {
    return f64x2.replace_lane(f64x2.splat(Math.cbrt(f64x2.extract_lane(x, 0))), 1, Math.cbrt(f64x2.extract_lane(x, 1)));
  }
  const hx = i64x2.shr_u(x, 32); // the sign bit is clear here
  const third = i64x2.shr_u(i64x2.mul(hx, i64x2.splat(0xAAAAAAAB)), 33);
  let t: v128 = i64x2.shl(i64x2.add(third, i64x2.splat(715094163)), 32);
  let r = f64x2.mul(f64x2.mul(t, t), f64x2.div(t, x));
  t = f64x2.mul(t, f64x2.add(
    f64x2.add(kq(4), f64x2.mul(r, f64x2.add(kq(5), f64x2.mul(r, kq(6))))),
    f64x2.mul(f64x2.mul(f64x2.mul(r, r), r), f64x2.add(kq(7), f64x2.mul(r, kq(8)))),
  ));
  t = v128.and(i64x2.add(t, i64x2.splat(0x80000000)), i64x2.splat(0xFFFFFFFFC0000000));
  const s = f64x2.mul(t, t);
  r = f64x2.div(x, s);
  r = f64x2.div(f64x2.sub(r, t), f64x2.add(f64x2.mul(kq(9), t), r));
  return f64x2.add(t, f64x2.mul(t, r));
}
