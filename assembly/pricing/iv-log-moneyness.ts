// ln(F/K) for two options per v128, lane for lane the operations of the implied-vol batch's scalar
// logMoneyness (implied-volatility.ts), so each lane is that function's bits: near the money
// log1p((F - K)/K) with musl's log1p (fdlibm, Sun Microsystems 1993, as AssemblyScript's
// NativeMath.log1p has it), else ln(F/K) with logX2 (= the scalar Math.log, see
// ../math/f64x2-elementary.ts). Why lane-wise IEEE operations reproduce the scalar: each lane sees
// the same sequence of correctly rounded +, -, *, / on the same operands.
// WASM-only (the JS twin has no pair path; its logMoneyness is the scalar's).

import { logX2 } from "../math/f64x2-elementary";

// Constants, each twice: ln2_hi, ln2_lo, Lg1..Lg7 (musl log1p.c), then 1, 2, 0.5, 2^-53 (as the
// high-word test |x| < 2^-53), TINY, Infinity, 0.5 (ratio window), 2.
const L1P_X2: usize = memory.data<u64>([
  0x3FE62E42FEE00000, 0x3FE62E42FEE00000,
  0x3DEA39EF35793C76, 0x3DEA39EF35793C76,
  0x3FE5555555555593, 0x3FE5555555555593,
  0x3FD999999997FA04, 0x3FD999999997FA04,
  0x3FD2492494229359, 0x3FD2492494229359,
  0x3FCC71C51D8E78AF, 0x3FCC71C51D8E78AF,
  0x3FC7466496CB03DE, 0x3FC7466496CB03DE,
  0x3FC39A09D078C69F, 0x3FC39A09D078C69F,
  0x3FC2F112DF3E5244, 0x3FC2F112DF3E5244,
  0x3FF0000000000000, 0x3FF0000000000000, // 1
  0x4000000000000000, 0x4000000000000000, // 2
  0x3FE0000000000000, 0x3FE0000000000000, // 0.5
  0x0010000000000000, 0x0010000000000000, // smallest normal (TINY)
  0x7FF0000000000000, 0x7FF0000000000000, // Infinity
], 16);

// @ts-ignore: decorator
@inline
function kg(i: i32): v128 {
  return v128.load(L1P_X2 + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline
function hiWord(v: v128): v128 {
  return i64x2.shr_u(v, 32);
}

// @ts-ignore: decorator
@inline
/**
 * log1p lane-wise for lanes in (-0.5, 1] (the near-the-money window of logMoneyness), each lane
 * NativeMath.log1p's bits. There 1 + x lies in (0.5, 2], so musl's k is -1, 0 or 1 and its
 * correction c is x - (u - 1) (k < 2); k = 0 lanes (-0.2929 <= x < 0.4142) use f = x, c = 0 and
 * give the same expression with dk = 0 (adding +0 to a nonzero double is exact); lanes with
 * |x| < 2^-53 return x, as the scalar does.
 */
export function log1pNearX2(x: v128): v128 {
  const hx = hiWord(x); // high words as unsigned 64-bit lanes
  // musl: k = 0 when hx < 0x3FDA827A (0 <= x < sqrt 2 - 1) or, for negative x, hx <= 0xBFD2BEC4.
  const positive = i64x2.ge_s(x, i64x2.splat(0)); // sign bit clear
  const kZero = v128.bitselect(
    i64x2.lt_s(hx, i64x2.splat(0x3FDA827A)),
    i64x2.le_s(hx, i64x2.splat(0xBFD2BEC4)),
    positive,
  );
  const one = kg(9);
  const u = f64x2.add(one, x);
  const hu = i64x2.add(hiWord(u), i64x2.splat(0x3FF00000 - 0x3FE6A09E));
  const kInt = i64x2.sub(i64x2.shr_u(hu, 20), i64x2.splat(0x3FF));
  const uf = u;
  const c1 = f64x2.div(f64x2.sub(x, f64x2.sub(uf, one)), uf);
  const huR = i64x2.add(v128.and(hu, i64x2.splat(0x000FFFFF)), i64x2.splat(0x3FE6A09E));
  const uR = v128.or(i64x2.shl(huR, 32), v128.and(u, i64x2.splat(0xFFFFFFFF)));
  const f1 = f64x2.sub(uR, one);
  const f = v128.bitselect(x, f1, kZero);
  const c = v128.andnot(c1, kZero);
  const k = v128.andnot(kInt, kZero);
  const dk = f64x2.convert_low_i32x4_s(i32x4.shuffle(k, k, 0, 2, 0, 2));
  const hfsq = f64x2.mul(f64x2.mul(kg(11), f), f);
  const s = f64x2.div(f, f64x2.add(kg(10), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(kg(3), f64x2.mul(w, f64x2.add(kg(5), f64x2.mul(w, kg(7))))));
  const t2 = f64x2.mul(z, f64x2.add(kg(2), f64x2.mul(w, f64x2.add(kg(4), f64x2.mul(w, f64x2.add(kg(6), f64x2.mul(w, kg(8))))))));
  const r = f64x2.add(t2, t1);
  // s * (hfsq + r) + (dk * ln2_lo + c) - hfsq + f + dk * ln2_hi
  const y = f64x2.add(
    f64x2.add(
      f64x2.sub(f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), f64x2.add(f64x2.mul(dk, kg(1)), c)), hfsq),
      f,
    ),
    f64x2.mul(dk, kg(0)),
  );
  // |x| < 2^-53: musl returns x ((hx << 1) < (0x3CA00000 << 1) on the high word).
  const tiny = i64x2.lt_s(v128.and(hx, i64x2.splat(0x7FFFFFFF)), i64x2.splat(0x3CA00000));
  return v128.bitselect(x, y, tiny);
}

// @ts-ignore: decorator
@inline
/**
 * ln(F/K) for two lanes of positive finite F and K, each lane the bits of the scalar logMoneyness
 * (implied-volatility.ts): log1p((F - K)/K) for 0.5 < F/K < 2, ln(F/K) for a normal finite ratio,
 * ln F - ln K otherwise (F/K over- or underflows; per lane, rare).
 */
export function logMoneynessX2(forward: v128, strike: v128): v128 {
  const ratio = f64x2.div(forward, strike);
  const near = v128.and(f64x2.gt(ratio, kg(11)), f64x2.lt(ratio, kg(10)));
  const allNear = i64x2.all_true(near);
  if (!allNear && !i64x2.all_true(v128.and(f64x2.ge(ratio, kg(12)), f64x2.lt(ratio, kg(13))))) {
    return f64x2.replace_lane(
      f64x2.splat(logMoneynessLane(f64x2.extract_lane(forward, 0), f64x2.extract_lane(strike, 0))),
      1, logMoneynessLane(f64x2.extract_lane(forward, 1), f64x2.extract_lane(strike, 1)),
    );
  }
  let out = f64x2.splat(0.0);
  if (v128.any_true(near)) out = log1pNearX2(f64x2.div(f64x2.sub(forward, strike), strike));
  if (allNear) return out;
  return v128.bitselect(out, logX2(ratio), near);
}

// The scalar logMoneyness (a copy: implied-volatility.ts imports this file).
function logMoneynessLane(forward: f64, strike: f64): f64 {
  const ratio = forward / strike;
  if (ratio > 0.5 && ratio < 2.0) return Math.log1p((forward - strike) / strike);
  if (ratio >= 2.2250738585072014e-308 && ratio < Infinity) return Math.log(ratio);
  return Math.log(forward) - Math.log(strike);
}
