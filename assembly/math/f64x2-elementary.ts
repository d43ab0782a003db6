// exp and log on two doubles at once (f64x2): lane for lane the operation sequence of the scalar
// exp and log in elementary.ts (musl/ARM, tables verbatim). WASM SIMD has no fused multiply-add
// and every f64x2 operation used here (add, sub, mul, div, sqrt, min, compare, bit ops) is the
// correctly rounded IEEE operation of its scalar twin, so each lane of expX2(v) is exactly
// exp(lane) (and logX2 exactly log): vector kernels built on these keep the scalar kernels' bits,
// hence their accuracy and the WASM / JS twin agreement. Error is therefore the scalar's: within
// 0.52 ulp of the correctly rounded value (measured against mpmath in test/simd-math.test.ts).
//
// Table lookups are per lane (one 16-byte load of the (tail, bits) pair per lane, then a shuffle).
// Lanes outside the common range go to the scalar routine, which owns the special cases:
// exp: |x| >= 512 or NaN (overflow, underflow into the subnormals); log: x <= 0, subnormal,
// Infinity or NaN. exp's |x| < 2^-54 (result 1) and log's near-1 polynomial are vectorised.

import { exp, log, EXP_TAB, LOG_TAB1, LOG_TAB2 } from "./elementary";

// exp's constants, each twice (one v128 per constant): V8 materialises a v128.const from general
// registers at every use, a load is one instruction.
const EXP_X2: usize = memory.data<u64>([
  0x40671547652B82FE, 0x40671547652B82FE, // 0x1.71547652b82fep0 * 128
  0xBF762E42FEFA0000, 0xBF762E42FEFA0000,
  0xBD0CF79ABC9E3B3A, 0xBD0CF79ABC9E3B3A,
  0x4338000000000000, 0x4338000000000000,
  0x3FDFFFFFFFFFFDBD, 0x3FDFFFFFFFFFFDBD,
  0x3FC555555555543C, 0x3FC555555555543C,
  0x3FA55555CF172B91, 0x3FA55555CF172B91,
  0x3F81111167A4D017, 0x3F81111167A4D017,
  0x4080000000000000, 0x4080000000000000, // 512
  0x000000000000007F, 0x000000000000007F, // 127
], 16);

// log's polynomial constants, each twice (as EXP_X2).
const LOG_X2: usize = memory.data<u64>([
  0xBFE0000000000000, 0xBFE0000000000000,
  0x3FD5555555555577, 0x3FD5555555555577,
  0xBFCFFFFFFFFFFDCB, 0xBFCFFFFFFFFFFDCB,
  0x3FC999999995DD0C, 0x3FC999999995DD0C,
  0xBFC55555556745A7, 0xBFC55555556745A7,
  0x3FC24924A344DE30, 0x3FC24924A344DE30,
  0xBFBFFFFFA4423D65, 0xBFBFFFFFA4423D65,
  0x3FBC7184282AD6CA, 0x3FBC7184282AD6CA,
  0xBFB999EB43B068FF, 0xBFB999EB43B068FF,
  0x3FB78182F7AFD085, 0x3FB78182F7AFD085,
  0xBFB5521375D145CD, 0xBFB5521375D145CD,
  0x41A0000000000000, 0x41A0000000000000,
  0xBFE0000000000001, 0xBFE0000000000001,
  0x3FD555555551305B, 0x3FD555555551305B,
  0xBFCFFFFFFFEB4590, 0xBFCFFFFFFFEB4590,
  0x3FC999B324F10111, 0x3FC999B324F10111,
  0xBFC55575E506C89F, 0xBFC55575E506C89F,
  0x3FE62E42FEFA3800, 0x3FE62E42FEFA3800,
  0x3D2EF35793C76730, 0x3D2EF35793C76730,
  0x0010000000000000, 0x0010000000000000, // smallest normal
  0x7FF0000000000000, 0x7FF0000000000000, // Infinity
  0x3FEE000000000000, 0x3FEE000000000000, // 0.9375
  0x3FF1090000000000, 0x3FF1090000000000, // 1.064697265625
  0x3FF0000000000000, 0x3FF0000000000000, // 1
  0x3FE6000000000000, 0x3FE6000000000000, // log reduction offset
  0x000000000000007F, 0x000000000000007F, // 127
  0xFFF0000000000000, 0xFFF0000000000000, // exponent mask
], 16);

// @ts-ignore: decorator
@inline
function expLanesScalar(x: v128): v128 {
  return f64x2.replace_lane(f64x2.splat(exp(f64x2.extract_lane(x, 0))), 1, exp(f64x2.extract_lane(x, 1)));
}

// @ts-ignore: decorator
@inline
function logLanesScalar(x: v128): v128 {
  return f64x2.replace_lane(f64x2.splat(log(f64x2.extract_lane(x, 0))), 1, log(f64x2.extract_lane(x, 1)));
}

// @ts-ignore: decorator
@inline
/** e^x lane-wise, each lane bit-identical to elementary.ts exp (within 0.52 ulp). */
export function expX2(x: v128): v128 {
  // The scalar's fast path is 2^-54 <= |x| < 512; below 2^-54 it returns 1, which the formula
  // gives too (k = 0, table entry (0, 1.0), r = x, so 1 + x + O(x^2) rounds to 1), so tiny
  // lanes need no select.
  if (!i64x2.all_true(f64x2.lt(f64x2.abs(x), v128.load(EXP_X2, 128)))) return expLanesScalar(x); // also NaN
  return expX2Core(x);
}

// @ts-ignore: decorator
@inline
/**
 * expX2 for lanes the caller knows satisfy |x| < 512 (not NaN), e.g. from a range check it makes
 * anyway: the same bits without expX2's own check (a compare, a test and a branch per call).
 */
export function expX2InRange(x: v128): v128 {
  return expX2Core(x);
}

// The table formula of exp for |x| < 512.
// @ts-ignore: decorator
@inline
function expX2Core(x: v128): v128 {
  const InvLn2N = v128.load(EXP_X2);
  const NegLn2hiN = v128.load(EXP_X2, 16);
  const NegLn2loN = v128.load(EXP_X2, 32);
  const shift = v128.load(EXP_X2, 48);
  const C2 = v128.load(EXP_X2, 64);
  const C3 = v128.load(EXP_X2, 80);
  const C4 = v128.load(EXP_X2, 96);
  const C5 = v128.load(EXP_X2, 112);
  const z = f64x2.mul(InvLn2N, x);
  let kd = f64x2.add(z, shift);
  const ki = kd;
  kd = f64x2.sub(kd, shift);
  const r = f64x2.add(f64x2.add(x, f64x2.mul(kd, NegLn2hiN)), f64x2.mul(kd, NegLn2loN));
  const idx = v128.and(ki, v128.load(EXP_X2, 144));
  const e0 = v128.load(EXP_TAB + (<usize>i64x2.extract_lane(idx, 0) << 4));
  const e1 = v128.load(EXP_TAB + (<usize>i64x2.extract_lane(idx, 1) << 4));
  const tail = i64x2.shuffle(e0, e1, 0, 2);
  const sbits = i64x2.add(i64x2.shuffle(e0, e1, 1, 3), i64x2.shl(ki, 45));
  const r2 = f64x2.mul(r, r);
  const tmp = f64x2.add(
    f64x2.add(f64x2.add(tail, r), f64x2.mul(r2, f64x2.add(C2, f64x2.mul(r, C3)))),
    f64x2.mul(f64x2.mul(r2, r2), f64x2.add(C4, f64x2.mul(r, C5))),
  );
  return f64x2.add(sbits, f64x2.mul(sbits, tmp));
}

// @ts-ignore: decorator
@inline
/** Natural logarithm lane-wise, each lane bit-identical to elementary.ts log (within 0.52 ulp). */
export function logX2(x: v128): v128 {
  // Normal, positive, finite lanes only; everything else takes the scalar's special cases.
  if (!i64x2.all_true(v128.and(
    f64x2.ge(x, v128.load(LOG_X2, 304)), f64x2.lt(x, v128.load(LOG_X2, 320)),
  ))) return logLanesScalar(x);
  const near = v128.and(f64x2.ge(x, v128.load(LOG_X2, 336)), f64x2.lt(x, v128.load(LOG_X2, 352)));
  let out = f64x2.splat(0.0);
  if (v128.any_true(near)) out = v128.bitselect(logNearOne(x), out, near);
  if (!i64x2.all_true(near)) out = v128.bitselect(out, logTableX2(x), near);
  return out;
}

// log x for 0.9375 <= x < 1.0647: degree-11 polynomial in x - 1, leading terms split (scalar: elementary.ts).
// @ts-ignore: decorator
@inline
function logNearOne(x: v128): v128 {
  const B0 = v128.load(LOG_X2, 0);
  const B1 = v128.load(LOG_X2, 16);
  const B2 = v128.load(LOG_X2, 32);
  const B3 = v128.load(LOG_X2, 48);
  const B4 = v128.load(LOG_X2, 64);
  const B5 = v128.load(LOG_X2, 80);
  const B6 = v128.load(LOG_X2, 96);
  const B7 = v128.load(LOG_X2, 112);
  const B8 = v128.load(LOG_X2, 128);
  const B9 = v128.load(LOG_X2, 144);
  const B10 = v128.load(LOG_X2, 160);
  const Ox1p27 = v128.load(LOG_X2, 176);
  const r = f64x2.sub(x, v128.load(LOG_X2, 368));
  const r2 = f64x2.mul(r, r);
  const r3 = f64x2.mul(r2, r);
  // r3 * (B1 + r*B2 + r2*B3 + r3 * (B4 + r*B5 + r2*B6 + r3 * (B7 + r*B8 + r2*B9 + r3*B10)))
  const inner3 = f64x2.add(f64x2.add(f64x2.add(B7, f64x2.mul(r, B8)), f64x2.mul(r2, B9)), f64x2.mul(r3, B10));
  const inner2 = f64x2.add(f64x2.add(f64x2.add(B4, f64x2.mul(r, B5)), f64x2.mul(r2, B6)), f64x2.mul(r3, inner3));
  const inner1 = f64x2.add(f64x2.add(f64x2.add(B1, f64x2.mul(r, B2)), f64x2.mul(r2, B3)), f64x2.mul(r3, inner2));
  const y = f64x2.mul(r3, inner1);
  let w = f64x2.mul(r, Ox1p27);
  const rhi = f64x2.sub(f64x2.add(r, w), w);
  const rlo = f64x2.sub(r, rhi);
  w = f64x2.mul(f64x2.mul(rhi, rhi), B0);
  const hi = f64x2.add(r, w);
  let lo = f64x2.add(f64x2.sub(r, hi), w);
  lo = f64x2.add(lo, f64x2.mul(f64x2.mul(B0, rlo), f64x2.add(rhi, r)));
  return f64x2.add(f64x2.add(y, lo), hi);
}

/**
 * log x for positive normal finite x by the 128-interval tables (scalar: elementary.ts): logX2's
 * table branch alone, for callers whose arguments are known to lie there (the inverse normal's
 * tails), so their loops carry no range tests.
 */
// @ts-ignore: decorator
@inline
export function logTableX2(x: v128): v128 {
  const A0 = v128.load(LOG_X2, 192);
  const A1 = v128.load(LOG_X2, 208);
  const A2 = v128.load(LOG_X2, 224);
  const A3 = v128.load(LOG_X2, 240);
  const A4 = v128.load(LOG_X2, 256);
  const Ln2hi = v128.load(LOG_X2, 272);
  const Ln2lo = v128.load(LOG_X2, 288);
  const tmp = i64x2.sub(x, v128.load(LOG_X2, 384));
  const i = v128.and(i64x2.shr_u(tmp, 45), v128.load(LOG_X2, 400));
  const k = i64x2.shr_s(tmp, 52);
  const z = i64x2.sub(x, v128.and(tmp, v128.load(LOG_X2, 416)));
  const i0 = <usize>i64x2.extract_lane(i, 0) << 4;
  const i1 = <usize>i64x2.extract_lane(i, 1) << 4;
  const t0 = v128.load(LOG_TAB1 + i0);
  const t1 = v128.load(LOG_TAB1 + i1);
  const invc = i64x2.shuffle(t0, t1, 0, 2);
  const logc = i64x2.shuffle(t0, t1, 1, 3);
  const c0 = v128.load(LOG_TAB2 + i0);
  const c1 = v128.load(LOG_TAB2 + i1);
  const chi = i64x2.shuffle(c0, c1, 0, 2);
  const clo = i64x2.shuffle(c0, c1, 1, 3);
  const r = f64x2.mul(f64x2.sub(f64x2.sub(z, chi), clo), invc);
  // k fits in 11 bits: convert through i32 lanes (no i64x2 -> f64x2 conversion in WASM SIMD).
  const kd = f64x2.convert_low_i32x4_s(i32x4.shuffle(k, k, 0, 2, 0, 2));
  const w = f64x2.add(f64x2.mul(kd, Ln2hi), logc);
  const hi = f64x2.add(w, r);
  const lo = f64x2.add(f64x2.add(f64x2.sub(w, hi), r), f64x2.mul(kd, Ln2lo));
  const r2 = f64x2.mul(r, r);
  // lo + r2*A0 + r*r2*(A1 + r*A2 + r2*(A3 + r*A4)) + hi
  const poly = f64x2.add(f64x2.add(A1, f64x2.mul(r, A2)), f64x2.mul(r2, f64x2.add(A3, f64x2.mul(r, A4))));
  return f64x2.add(f64x2.add(f64x2.add(lo, f64x2.mul(r2, A0)), f64x2.mul(f64x2.mul(r, r2), poly)), hi);
}

// log1pSmall's coefficients (math/elementary.ts), each twice, then its range 2^-6.
const LOG1P_SMALL_X2: usize = memory.data<f64>([
  0.3333333333333333, 0.3333333333333333,
  -0.25, -0.25,
  0.2, 0.2,
  -0.16666666666666666, -0.16666666666666666,
  0.14285714285714285, 0.14285714285714285,
  -0.125, -0.125,
  0.1111111111111111, 0.1111111111111111,
  -0.5, -0.5,
  0.015625, 0.015625,
], 16);

// [simd] Heston QE: the martingale correction's log(1 - 2 A a) is log1pSmall(-2 A a) on every lane
// almost always; its kernels evaluate that polynomial and take logX2(1 - 2 A a) where a lane's
// |2 A a| exceeds 2^-6.
// @ts-ignore: decorator
@inline
/** Lanes with |x| <= 2^-6, where log1pSmallX2 is log1pSmall (all ones there, else 0; NaN: 0). */
export function log1pSmallMask(x: v128): v128 {
  return f64x2.le(f64x2.abs(x), v128.load(LOG1P_SMALL_X2, 128));
}

// @ts-ignore: decorator
@inline
/** log1pSmall (math/elementary.ts) lane-wise, bit for bit: ln(1 + x) within 0.56 ulp where |x| <= 2^-6. */
export function log1pSmallX2(x: v128): v128 {
  const x2 = f64x2.mul(x, x);
  const p = f64x2.add(
    f64x2.add(v128.load(LOG1P_SMALL_X2), f64x2.mul(x, v128.load(LOG1P_SMALL_X2, 16))),
    f64x2.mul(x2, f64x2.add(
      f64x2.add(v128.load(LOG1P_SMALL_X2, 32), f64x2.mul(x, v128.load(LOG1P_SMALL_X2, 48))),
      f64x2.mul(x2, f64x2.add(
        f64x2.add(v128.load(LOG1P_SMALL_X2, 64), f64x2.mul(x, v128.load(LOG1P_SMALL_X2, 80))),
        f64x2.mul(x2, v128.load(LOG1P_SMALL_X2, 96)),
      )),
    )),
  );
  return f64x2.add(x, f64x2.add(f64x2.mul(x2, v128.load(LOG1P_SMALL_X2, 112)), f64x2.mul(f64x2.mul(x2, x), p)));
}
