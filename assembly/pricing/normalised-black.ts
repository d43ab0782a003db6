// The normalised Black function of Jaeckel ("Let's be rational", 2015):
//   b(x, s, theta) = theta [e^{x/2} Phi(theta(h + t)) - e^{-x/2} Phi(theta(h - t))],
//   x = ln(F/K), s = sigma sqrt(T), h = x/s, t = s/2,
// so that a Black-76 price is DF * sqrt(F K) * b. Every branch is evaluated without cancellation
// so the *relative* error stays at a few ulps, deep out of the money included.
//
// Reduction: b(x, s, theta) = intrinsic(x, theta) + c(-|x|, s), where c(x <= 0, s) is the
// out-of-the-money call. With a = h + t, and Y = Phi/phi, the identity
//   e^{-x/2} Phi(h - t) = e^{x/2} phi(a) Y(h - t)
// gives c = e^{x/2} [Phi(a) - phi(a) Y(h - t)], and when both arguments are far in the tail
// c = e^{x/2} phi(a) [Y(h + t) - Y(h - t)], a difference we expand instead of subtracting:
//  - asymptotic region (a < -10): Y(z) ~ -sum_k (-1)^k (2k-1)!! z^{-(2k+1)}; the difference of
//    each term is 2t h^{2k} / r^{2k+1} * E_k(t^2/h^2) with r = (h+t)(h-t) and
//    E_k(e) = sum_i C(2k+1, 2i+1) e^i, a sum of positive terms;
//  - small-t region (t < 0.21): Y(h+t) - Y(h-t) = 2 sum_{m odd} Y^{(m)}(h) t^m / m!, with
//    Y' = 1 + hY and Y^{(n+1)} = h Y^{(n)} + n Y^{(n-1)}; the error of the forward recurrence
//    (about |h|^n ulps) is damped by t^n / n!.
// Mirrored in src/kernels/pricing/normalised-black.ts.

import { normalPdf, normalCdfOverPdf, normalCdfGivenPdf, normalCdfOverPdfGivenPdf, NORMAL_CENTRAL_LIMIT } from "../math/normal-distribution";
import { expX2 } from "../math/f64x2-elementary";
import {
  normalCdfCentralPartX2, normalCdfOverPdfGivenPdfFromPartX2, normalCdfPartSelectX2, normalCdfPartX2, normalCdfTailFromRatioX2, tailRatioX2,
  normalCdfCentralX2, normalCdfGivenPdfX2, normalCdfOverPdfGivenPdfBelowX2, normalCdfOverPdfGivenPdfX2, normalCdfOverPdfX2, normalCdfTailGivenPdfX2, normalPdfX2,
} from "../math/f64x2-normal";

const ASYMPTOTIC_LIMIT: f64 = -10.0;
const SMALL_T_LIMIT: f64 = 0.21;

/** Normalised intrinsic value theta (e^{x/2} - e^{-x/2}) when positive, else 0. */
export function normalisedIntrinsic(x: f64, theta: f64): f64 {
  if (theta * x <= 0.0) return 0.0;
  return 2.0 * Math.sinh(0.5 * Math.abs(x));
}

// Y(h+t) - Y(h-t) by its asymptotic expansion; requires h + t < -10 (so |h| > t).
function asymptoticDifference(h: f64, t: f64): f64 {
  const e = (t / h) * (t / h);
  const r = (h + t) * (h - t);
  const q = (h / r) * (h / r);
  let sum: f64 = 1.0;
  let coeff: f64 = 1.0; // (-1)^k (2k-1)!! q^k
  for (let k = 1; k <= 40; k++) {
    coeff *= -<f64>(2 * k - 1) * q;
    // E_k(e) = sum_{i=0..k} C(2k+1, 2i+1) e^i, accumulated with a running binomial.
    const n = <f64>(2 * k + 1);
    let binom = n;
    let power: f64 = 1.0;
    let ek = n;
    for (let i = 1; i <= k; i++) {
      const j = <f64>(2 * i - 1);
      binom *= ((n - j) * (n - j - 1.0)) / ((j + 1.0) * (j + 2.0));
      power *= e;
      ek += binom * power;
    }
    const term = coeff * ek;
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return (2.0 * t / r) * sum;
}

// Y(h+t) - Y(h-t) by its Taylor series in t about h; for t < 0.21 and h >= -10.2.
function smallTDifference(h: f64, t: f64): f64 {
  let yPrev = normalCdfOverPdf(h); // Y^{(0)}
  let yCur = 1.0 + h * yPrev; // Y^{(1)}
  let power = t; // t^n / n!
  let sum = yCur * power;
  const t2 = t * t;
  for (let n = 1; n < 15; n += 2) {
    // advance two orders: Y^{(n+1)}, Y^{(n+2)}
    const yNext = h * yCur + <f64>n * yPrev;
    const yNext2 = h * yNext + <f64>(n + 1) * yCur;
    yPrev = yNext;
    yCur = yNext2;
    power *= t2 / (<f64>(n + 1) * <f64>(n + 2));
    sum += yCur * power;
  }
  return 2.0 * sum;
}

/**
 * c(x, s) e^{-x/2} for x <= 0: the out-of-the-money normalised call without its scale factor, in
 * [0, 1]. A Black-76 time value is DF sqrt(FK) e^{x/2} times this, and sqrt(FK) e^{-|x|/2} =
 * min(F, K), so pricing kernels multiply by DF min(F, K) and need neither exp(x/2) nor square roots.
 */
export function normalisedOtmCallUnscaled(x: f64, s: f64): f64 {
  return normalisedOtmCallUnscaledGivenPdf(x, s, normalPdf(x / s + 0.5 * s));
}

/**
 * normalisedOtmCallUnscaled with pdfA = phi(x/s + s/2) supplied by a caller that needs it anyway
 * (the vega is e^{x/2} pdfA): one density per evaluation in the implied-vol iteration.
 */
export function normalisedOtmCallUnscaledGivenPdf(x: f64, s: f64, pdfA: f64): f64 {
  if (!(s > 0.0)) return s == 0.0 ? 0.0 : NaN;
  const h = x / s;
  const t = 0.5 * s;
  const a = h + t;
  // pdfA = 0: a below about -38.6 (or -Infinity when s or x/s over/underflowed), value 0 to the
  // last bit; the expansion would give 0 * NaN for an infinite h.
  if (a < ASYMPTOTIC_LIMIT) return pdfA > 0.0 ? pdfA * asymptoticDifference(h, t) : 0.0;
  if (t < SMALL_T_LIMIT) return pdfA * smallTDifference(h, t);
  // One density serves both tails: phi(h - t) = phi(h + t) e^{x} (since (h - t)^2 = (h + t)^2 - 2x),
  // and Y(h - t) needs it only in the central region.
  const b = h - t;
  const pdfB = Math.abs(b) <= NORMAL_CENTRAL_LIMIT ? pdfA * Math.exp(x) : 0.0;
  return normalCdfGivenPdf(a, pdfA) - pdfA * normalCdfOverPdfGivenPdf(b, pdfB);
}

const LN_SQRT_2PI: f64 = 0.918938533204672741780329736406;

/** b'/b of the last logOtmCallUnscaled evaluation (module state: no allocation in kernels). */
export let logOtmCallVegaRatio: f64 = 0.0;

/**
 * ln(c(x, s) e^{-x/2}) for x <= 0, s > 0: the logarithm of normalisedOtmCallUnscaled where that
 * underflows (deep out of the money, c below ~1e-300), from ln phi(a) + ln(Y(h+t) - Y(h-t)) in the
 * asymptotic and small-t regions. Also sets logOtmCallVegaRatio = b'/b (= phi(a)/unscaled). The
 * absolute error of the result is a few ulps of a^2/2, i.e. a relative error of b of the same
 * order as the direct evaluation's (the density's argument a is rounded the same way).
 */
export function logOtmCallUnscaled(x: f64, s: f64, pdfA: f64): f64 {
  const h = x / s;
  const t = 0.5 * s;
  const a = h + t;
  let d: f64 = 0.0;
  if (a < ASYMPTOTIC_LIMIT) d = asymptoticDifference(h, t);
  else if (t < SMALL_T_LIMIT) d = smallTDifference(h, t);
  else {
    const u = normalisedOtmCallUnscaledGivenPdf(x, s, pdfA);
    logOtmCallVegaRatio = pdfA / u;
    return Math.log(u);
  }
  logOtmCallVegaRatio = 1.0 / d;
  return (-0.5 * a * a - LN_SQRT_2PI) + Math.log(d);
}

/**
 * Out-of-the-money normalised call c(x, s) for x <= 0: e^{x/2} Phi(h+t) - e^{-x/2} Phi(h-t).
 * Relative accuracy of a few ulps in every region (see the file comment).
 */
export function normalisedBlackOtmCall(x: f64, s: f64): f64 {
  return Math.exp(0.5 * x) * normalisedOtmCallUnscaled(x, s);
}

/**
 * e^{x/2} - c(x, s) for x <= 0, i.e. the distance of an OTM call below its upper bound, as a sum
 * of positive terms: e^{x/2} [Phi(-(h+t)) + phi(h+t) Y(h-t)].
 */
export function normalisedBlackComplement(x: f64, s: f64): f64 {
  return Math.exp(0.5 * x) * normalisedComplementUnscaledGivenPdf(x, s, normalPdf(x / s + 0.5 * s));
}

/** (e^{x/2} - c(x, s)) e^{-x/2} for x <= 0, with pdfA = phi(x/s + s/2) supplied by the caller. */
export function normalisedComplementUnscaledGivenPdf(x: f64, s: f64, pdfA: f64): f64 {
  const h = x / s;
  const t = 0.5 * s;
  const a = h + t;
  const b = h - t;
  const pdfB = Math.abs(b) <= NORMAL_CENTRAL_LIMIT ? pdfA * Math.exp(x) : 0.0;
  return normalCdfGivenPdf(-a, pdfA) + pdfA * normalCdfOverPdfGivenPdf(b, pdfB);
}

/** Normalised vega db/ds = e^{x/2} phi(x/s + s/2) (the same for calls and puts). */
export function normalisedVega(x: f64, s: f64): f64 {
  return Math.exp(0.5 * x) * normalPdf(x / s + 0.5 * s);
}

/**
 * Normalised Black price b(x, s, theta); x = ln(F/K), s = sigma sqrt(T), theta = +1 call, -1 put.
 * A Black-76 price is DF * sqrt(F K) * b.
 */
export function normalisedBlack(x: f64, s: f64, theta: f64): f64 {
  return normalisedIntrinsic(x, theta) + normalisedBlackOtmCall(-Math.abs(x), s);
}

/**
 * Undiscounted Black-76 price from the accurate normalised OTM call: intrinsic + min(F, K) c(-|x|, s),
 * x = ln(F/K), s = vol sqrt(T), theta = +1 call / -1 put. Shared by the revaluation and
 * liquidation-price kernels. Below s = 1e-100 the time value is below 1e-100 min(F, K) (and x/s
 * may overflow): intrinsic only.
 */
// @ts-ignore: decorator
@inline
export function black76Undiscounted(F: f64, K: f64, x: f64, s: f64, theta: f64): f64 {
  const intrinsic = theta * x > 0.0 ? theta * (F - K) : 0.0;
  if (!(s > 1e-100)) return s == s ? intrinsic : NaN;
  return intrinsic + Math.min(F, K) * normalisedOtmCallUnscaled(-Math.abs(x), s);
}

// ---- two options per v128 (f64x2) -------------------------------------------------------------
// Lane for lane the operations of normalisedOtmCallUnscaledGivenPdf above (same bits, see
// ../math/f64x2-elementary.ts): the small-t and central regions are vectorised with per-lane
// selection; a lane with s <= 0 or in the asymptotic region (a < -10, deep out of the money)
// sends the pair to the scalar routine lane by lane.

// Constants of the vector path, each twice (V8 rebuilds a v128.const at every use; a load is one
// instruction): 0.5, SMALL_T_LIMIT, ASYMPTOTIC_LIMIT, NORMAL_CENTRAL_LIMIT, 1, 2.
export const NB_X2: usize = memory.data<f64>([
  0.5, 0.5, 0.21, 0.21, -10.0, -10.0, 0.66291, 0.66291, 1.0, 1.0, 2.0, 2.0,
], 16);

// The Taylor series' coefficients, each twice, per step of two orders (n = 1, 3, ..., 13): n, n + 1,
// (n + 1)(n + 2) (the products exact), so the unrolled steps load them (no int-to-float conversion
// and splat per step, no loop).
const TAYLOR_X2: usize = memory.data<f64>([
  1.0, 1.0, 2.0, 2.0, 6.0, 6.0,
  3.0, 3.0, 4.0, 4.0, 20.0, 20.0,
  5.0, 5.0, 6.0, 6.0, 42.0, 42.0,
  7.0, 7.0, 8.0, 8.0, 72.0, 72.0,
  9.0, 9.0, 10.0, 10.0, 110.0, 110.0,
  11.0, 11.0, 12.0, 12.0, 156.0, 156.0,
  13.0, 13.0, 14.0, 14.0, 210.0, 210.0,
], 16);

// Y(h+t) - Y(h-t) by its Taylor series (smallTDifference), lane-wise, given y0 = Y(h) = normalCdfOverPdfX2(h).
// @ts-ignore: decorator
@inline
export function taylorDifferenceX2(h: v128, t: v128, y0: v128): v128 {
  let yPrev = y0;
  let yCur = f64x2.add(v128.load(NB_X2, 64), f64x2.mul(h, yPrev));
  let power = t;
  let sum = f64x2.mul(yCur, power);
  const t2 = f64x2.mul(t, t);
  // The scalar's loop n = 1, 3, ..., 13, unrolled (binaryen keeps loops); step i's constants at TAYLOR_X2 + 48 i.
  {
    const yNext = f64x2.add(f64x2.mul(h, yCur), f64x2.mul(v128.load(TAYLOR_X2, 0), yPrev));
    const yNext2 = f64x2.add(f64x2.mul(h, yNext), f64x2.mul(v128.load(TAYLOR_X2, 16), yCur));
    yPrev = yNext;
    yCur = yNext2;
    power = f64x2.mul(power, f64x2.div(t2, v128.load(TAYLOR_X2, 32)));
    sum = f64x2.add(sum, f64x2.mul(yCur, power));
  }
  {
    const yNext = f64x2.add(f64x2.mul(h, yCur), f64x2.mul(v128.load(TAYLOR_X2, 48), yPrev));
    const yNext2 = f64x2.add(f64x2.mul(h, yNext), f64x2.mul(v128.load(TAYLOR_X2, 64), yCur));
    yPrev = yNext;
    yCur = yNext2;
    power = f64x2.mul(power, f64x2.div(t2, v128.load(TAYLOR_X2, 80)));
    sum = f64x2.add(sum, f64x2.mul(yCur, power));
  }
  {
    const yNext = f64x2.add(f64x2.mul(h, yCur), f64x2.mul(v128.load(TAYLOR_X2, 96), yPrev));
    const yNext2 = f64x2.add(f64x2.mul(h, yNext), f64x2.mul(v128.load(TAYLOR_X2, 112), yCur));
    yPrev = yNext;
    yCur = yNext2;
    power = f64x2.mul(power, f64x2.div(t2, v128.load(TAYLOR_X2, 128)));
    sum = f64x2.add(sum, f64x2.mul(yCur, power));
  }
  {
    const yNext = f64x2.add(f64x2.mul(h, yCur), f64x2.mul(v128.load(TAYLOR_X2, 144), yPrev));
    const yNext2 = f64x2.add(f64x2.mul(h, yNext), f64x2.mul(v128.load(TAYLOR_X2, 160), yCur));
    yPrev = yNext;
    yCur = yNext2;
    power = f64x2.mul(power, f64x2.div(t2, v128.load(TAYLOR_X2, 176)));
    sum = f64x2.add(sum, f64x2.mul(yCur, power));
  }
  {
    const yNext = f64x2.add(f64x2.mul(h, yCur), f64x2.mul(v128.load(TAYLOR_X2, 192), yPrev));
    const yNext2 = f64x2.add(f64x2.mul(h, yNext), f64x2.mul(v128.load(TAYLOR_X2, 208), yCur));
    yPrev = yNext;
    yCur = yNext2;
    power = f64x2.mul(power, f64x2.div(t2, v128.load(TAYLOR_X2, 224)));
    sum = f64x2.add(sum, f64x2.mul(yCur, power));
  }
  {
    const yNext = f64x2.add(f64x2.mul(h, yCur), f64x2.mul(v128.load(TAYLOR_X2, 240), yPrev));
    const yNext2 = f64x2.add(f64x2.mul(h, yNext), f64x2.mul(v128.load(TAYLOR_X2, 256), yCur));
    yPrev = yNext;
    yCur = yNext2;
    power = f64x2.mul(power, f64x2.div(t2, v128.load(TAYLOR_X2, 272)));
    sum = f64x2.add(sum, f64x2.mul(yCur, power));
  }
  {
    const yNext = f64x2.add(f64x2.mul(h, yCur), f64x2.mul(v128.load(TAYLOR_X2, 288), yPrev));
    const yNext2 = f64x2.add(f64x2.mul(h, yNext), f64x2.mul(v128.load(TAYLOR_X2, 304), yCur));
    yPrev = yNext;
    yCur = yNext2;
    power = f64x2.mul(power, f64x2.div(t2, v128.load(TAYLOR_X2, 320)));
    sum = f64x2.add(sum, f64x2.mul(yCur, power));
  }
  return f64x2.mul(v128.load(NB_X2, 80), sum);
}

// Y(h+t) - Y(h-t) by its Taylor series (smallTDifference), lane-wise.
// @ts-ignore: decorator
@inline
function smallTDifferenceX2(h: v128, t: v128): v128 {
  return taylorDifferenceX2(h, t, normalCdfOverPdfX2(h));
}

// pdfA (Y(h+t) - Y(h-t)) by the Taylor series in t: normalisedOtmCallUnscaledGivenPdf's small-t region.
// @ts-ignore: decorator
@inline
function otmSmallTX2(h: v128, t: v128, pdfA: v128): v128 {
  return f64x2.mul(pdfA, smallTDifferenceX2(h, t));
}

// Phi(a) - pdfA Y(h - t): normalisedOtmCallUnscaledGivenPdf's last region (t >= 0.21, a >= -10).
// @ts-ignore: decorator
@inline
function otmGeneralX2(x: v128, h: v128, t: v128, a: v128, pdfA: v128): v128 {
  const b = f64x2.sub(h, t);
  const central = f64x2.le(f64x2.abs(b), v128.load(NB_X2, 48));
  let pdfB = f64x2.splat(0.0);
  if (v128.any_true(central)) pdfB = v128.and(f64x2.mul(pdfA, expX2(x)), central);
  // b = h - t < 0 (x <= 0): the Below form, same bits without the z > 0 form's division (s11: implied vol ~1.5% faster).
  return f64x2.sub(normalCdfGivenPdfX2(a, pdfA), f64x2.mul(pdfA, normalCdfOverPdfGivenPdfBelowX2(b, pdfB)));
}

// @ts-ignore: decorator
@inline
/**
 * normalisedOtmCallUnscaledGivenPdf on two (x, s, pdfA) lanes, each lane the scalar's bits:
 * c(x, s) e^{-x/2} for x <= 0.
 */
export function normalisedOtmCallUnscaledGivenPdfX2(x: v128, s: v128, pdfA: v128): v128 {
  return normalisedOtmCallUnscaledGivenPdfHX2(x, s, f64x2.div(x, s), pdfA);
}

// @ts-ignore: decorator
@inline
/**
 * normalisedOtmCallUnscaledGivenPdfX2 with h = x / s supplied by a caller that has it (the
 * implied-vol iteration computes it for the density; V8 and binaryen do not merge the two divisions).
 */
export function normalisedOtmCallUnscaledGivenPdfHX2(x: v128, s: v128, h: v128, pdfA: v128): v128 {
  const half = v128.load(NB_X2);
  const t = f64x2.mul(half, s);
  const a = f64x2.add(h, t);
  // s > 0 and a >= -10 in both lanes (false for NaN), else the scalar routine per lane.
  if (!i64x2.all_true(v128.and(f64x2.gt(s, f64x2.splat(0.0)), f64x2.ge(a, v128.load(NB_X2, 32))))) {
    return f64x2.replace_lane(
      f64x2.splat(normalisedOtmCallUnscaledGivenPdf(f64x2.extract_lane(x, 0), f64x2.extract_lane(s, 0), f64x2.extract_lane(pdfA, 0))),
      1, normalisedOtmCallUnscaledGivenPdf(f64x2.extract_lane(x, 1), f64x2.extract_lane(s, 1), f64x2.extract_lane(pdfA, 1)),
    );
  }
  const smallT = f64x2.lt(t, v128.load(NB_X2, 16));
  let out = f64x2.splat(0.0);
  if (v128.any_true(smallT)) out = otmSmallTX2(h, t, pdfA);
  if (i64x2.all_true(smallT)) return out;
  return v128.bitselect(out, otmGeneralX2(x, h, t, a, pdfA), smallT);
}

// @ts-ignore: decorator
@inline
/** normalisedComplementUnscaledGivenPdf on two lanes (x <= 0, s > 0), each lane the scalar's bits. */
export function normalisedComplementUnscaledGivenPdfX2(x: v128, s: v128, pdfA: v128): v128 {
  return normalisedComplementUnscaledGivenPdfHX2(x, s, f64x2.div(x, s), pdfA);
}

// @ts-ignore: decorator
@inline
/** normalisedComplementUnscaledGivenPdfX2 with h = x / s supplied by the caller. */
export function normalisedComplementUnscaledGivenPdfHX2(x: v128, s: v128, h: v128, pdfA: v128): v128 {
  const t = f64x2.mul(v128.load(NB_X2), s);
  const a = f64x2.add(h, t);
  const b = f64x2.sub(h, t);
  const central = f64x2.le(f64x2.abs(b), v128.load(NB_X2, 48));
  let pdfB = f64x2.splat(0.0);
  if (v128.any_true(central)) pdfB = v128.and(f64x2.mul(pdfA, expX2(x)), central);
  // b = h - t <= 0 (x <= 0): the Below form, as otmGeneralX2.
  return f64x2.add(normalCdfGivenPdfX2(f64x2.neg(a), pdfA), f64x2.mul(pdfA, normalCdfOverPdfGivenPdfBelowX2(b, pdfB)));
}

// @ts-ignore: decorator
@inline
export function gather(p: usize, k0: i32, k1: i32): v128 {
  return v128.load64_lane(p + (<usize>k1 << 3), v128.load64_zero(p + (<usize>k0 << 3)), 1);
}

/**
 * out[k] = normalisedOtmCallUnscaledGivenPdf(-|x[k]|, s[k], pdf[k]) for k < m (m even, at most 2^15;
 * f64 columns; pIdx: room for 3m i16 indices). Same bits per element as the scalar routine. For the
 * pairs k, k + 1 with pOk[k] != 0 (u8) it first computes from x (pXs) and s (pS) what the caller
 * needs again: -|x| into pX, h = -|x| / s into pH and the density pdf = phi(h + s/2) into pPdf; the
 * other pairs' pX, pH, pS, pPdf are the caller's (s = 0: value 0, by the scalar routine).
 * Elements are grouped by region first (small t; general with a = h + t central; general with a in
 * the tail; scalar-only), so that each v128 pairs two elements of one region and no pair evaluates
 * two regions' formulas (a batch sorted by nothing mixes them in ~40% of neighbouring pairs). Each
 * region then runs as short passes over its pairs (small t: Y(h), then the series; general:
 * pdfA Y(b) for every general pair, then Phi(a) - that by a's region): a short loop body of
 * independent iterations lets the processor overlap several pairs, where one long body per pair
 * waits on its own chain of dependent operations (each pass is latency-bound alone).
 */
export function normalisedOtmCallUnscaledBlock(
  m: i32, pXs: usize, pOk: usize, pX: usize, pH: usize, pS: usize, pPdf: usize, pOut: usize, pIdx: usize,
): void {
  const counts = otmBlockClassifyPass(m, pXs, pOk, pX, pH, pS, pPdf, pOut, pIdx, 0, 0);
  otmBlockRegionPasses(m, counts, pX, pH, pS, pPdf, pOut, pIdx, 0, 0);
}

/**
 * normalisedOtmCallUnscaledBlock that also leaves, for greeks, the parts of Phi(a) and Phi(b)
 * (normalCdfPartX2; a = h + s/2, b = h - s/2, d1 and d2 up to sign) at pPartA and pPartB: from the
 * general region's Phi(a) and pdfA Y(b) passes, and a pass of its own for small t; NaN at both for
 * a pair with an element the block evaluates by the scalar routine. Same outputs as
 * normalisedOtmCallUnscaledBlock.
 */
export function normalisedOtmCallUnscaledBlockParts(
  m: i32, pXs: usize, pOk: usize, pX: usize, pH: usize, pS: usize, pPdf: usize, pOut: usize, pIdx: usize, pPartA: usize, pPartB: usize,
): void {
  const counts = otmBlockClassifyPass(m, pXs, pOk, pX, pH, pS, pPdf, pOut, pIdx, pPartA, pPartB);
  otmBlockRegionPasses(m, counts, pX, pH, pS, pPdf, pOut, pIdx, pPartA, pPartB);
}

// The passes of normalisedOtmCallUnscaledBlock, exported (inlined where used) so that
// bench/price-probe times the kernel's own code pass by pass. The classification pass returns the
// three list lengths packed (otmBlockSmall, otmBlockCentral, otmBlockTail read them back).

// @ts-ignore: decorator
@inline
export function otmBlockSmall(counts: i64): i32 {
  return <i32>(counts & 0xffff);
}

// @ts-ignore: decorator
@inline
export function otmBlockCentral(counts: i64): i32 {
  return <i32>((counts >> 16) & 0xffff);
}

// @ts-ignore: decorator
@inline
export function otmBlockTail(counts: i64): i32 {
  return <i32>(counts >> 32);
}

// Every region's passes after the classification, in the kernel's order.
// @ts-ignore: decorator
@inline
export function otmBlockRegionPasses(
  m: i32, counts: i64, pX: usize, pH: usize, pS: usize, pPdf: usize, pOut: usize, pIdx: usize, pPartA: usize, pPartB: usize,
): void {
  const nSmall = otmBlockSmall(counts);
  const nCentral = otmBlockCentral(counts);
  const nTail = otmBlockTail(counts);
  const pCentral = pIdx + (<usize>m << 1);
  const pTail = pIdx + (<usize>m << 2);
  // Small t: Y(h) into out, then pdfA (Y(h+t) - Y(h-t)) by the series from it.
  smallTRatioPass(pIdx, nSmall, pH, pOut);
  smallTSeriesPass(pIdx, nSmall, pH, pS, pPdf, pOut);
  if (pPartA != 0) smallTPartPass(pIdx, nSmall, pH, pS, pPartA, pPartB);
  // General: pdfA Y(b) into out (both lists), then Phi(a) - out by a's region.
  generalProductPass(pTail, nTail, pX, pH, pS, pPdf, pOut, pPartB);
  generalProductPass(pCentral, nCentral, pX, pH, pS, pPdf, pOut, pPartB);
  generalCentralPass(pCentral, nCentral, pH, pS, pOut, pPartA);
  generalTailPass(pTail, nTail, pH, pS, pPdf, pOut, pPartA);
}

// The parts of Phi(a) and Phi(b) (normalCdfPartX2) for the n small-t elements listed at pList, at
// pPartA and pPartB (a = h + s/2, b = h - s/2 as the general region's passes compute them).
// @ts-ignore: decorator
@inline
export function smallTPartPass(pList: usize, n: i32, pH: usize, pS: usize, pPartA: usize, pPartB: usize): void {
  const half = v128.load(NB_X2);
  for (let j = 0; j < n; j += 2) {
    const k0 = <i32>load<i16>(pList + (<usize>j << 1));
    const k1 = j + 1 < n ? <i32>load<i16>(pList + (<usize>j << 1), 2) : k0;
    const h = gather(pH, k0, k1);
    const t = f64x2.mul(half, gather(pS, k0, k1));
    // Lanes mix the central region and the tail at random.
    const partA = normalCdfPartSelectX2(f64x2.add(h, t));
    const partB = normalCdfPartSelectX2(f64x2.sub(h, t));
    v128.store64_lane(pPartA + (<usize>k0 << 3), partA, 0);
    v128.store64_lane(pPartA + (<usize>k1 << 3), partA, 1);
    v128.store64_lane(pPartB + (<usize>k0 << 3), partB, 0);
    v128.store64_lane(pPartB + (<usize>k1 << 3), partB, 1);
  }
}

// The block's first pass: for the pairs with pOk[k] != 0, -|x|, h and the density; every element
// classified by region into the index lists at pIdx (small t from the front, general with a
// central from m, general with a in the tail from 2m); scalar-only elements evaluated here.
// With pPartA != 0: NaN parts for the pairs with a scalar-only element (normalisedOtmCallUnscaledBlockParts).
// Returns the list lengths, small | central << 16 | tail << 32.
// @ts-ignore: decorator
@inline
export function otmBlockClassifyPass(
  m: i32, pXs: usize, pOk: usize, pX: usize, pH: usize, pS: usize, pPdf: usize, pOut: usize, pIdx: usize, pPartA: usize, pPartB: usize,
): i64 {
  const half = v128.load(NB_X2);
  let nSmall = 0;
  let nCentral = 0;
  let nTail = 0;
  const pCentral = pIdx + (<usize>m << 1);
  const pTail = pIdx + (<usize>m << 2);
  for (let k = 0; k < m; k += 2) {
    const o = <usize>k << 3;
    const s = v128.load(pS + o);
    const t = f64x2.mul(half, s);
    let h: v128;
    if (load<u8>(pOk + <usize>k) != 0) {
      const ax = f64x2.neg(f64x2.abs(v128.load(pXs + o)));
      v128.store(pX + o, ax);
      h = f64x2.div(ax, s);
      v128.store(pH + o, h);
      v128.store(pPdf + o, normalPdfX2(f64x2.add(h, t)));
    } else {
      h = v128.load(pH + o);
    }
    const a = f64x2.add(h, t);
    const vector = i64x2.bitmask(v128.and(f64x2.gt(s, f64x2.splat(0.0)), f64x2.ge(a, v128.load(NB_X2, 32))));
    const small = i64x2.bitmask(f64x2.lt(t, v128.load(NB_X2, 16))) & vector;
    const central = i64x2.bitmask(f64x2.le(f64x2.abs(a), v128.load(NB_X2, 48))) & vector & ~small;
    const tail = vector & ~small & ~central;
    // Every list gets the index, the counts move (no data-dependent branch: neighbours mix regions).
    store<i16>(pIdx + (<usize>nSmall << 1), <i16>k);
    store<i16>(pCentral + (<usize>nCentral << 1), <i16>k);
    store<i16>(pTail + (<usize>nTail << 1), <i16>k);
    nSmall += small & 1;
    nCentral += central & 1;
    nTail += tail & 1;
    store<i16>(pIdx + (<usize>nSmall << 1), <i16>(k + 1));
    store<i16>(pCentral + (<usize>nCentral << 1), <i16>(k + 1));
    store<i16>(pTail + (<usize>nTail << 1), <i16>(k + 1));
    nSmall += small >> 1;
    nCentral += central >> 1;
    nTail += tail >> 1;
    if (vector != 3) {
      if (pPartA != 0) {
        v128.store(pPartA + o, f64x2.splat(NaN));
        v128.store(pPartB + o, f64x2.splat(NaN));
      }
      for (let kk = k; kk < k + 2; kk++) {
        const q = <usize>kk << 3;
        const s1 = load<f64>(pS + q);
        const a1 = load<f64>(pX + q) / s1 + 0.5 * s1;
        if (!(s1 > 0.0 && a1 >= ASYMPTOTIC_LIMIT)) {
          store<f64>(pOut + q, normalisedOtmCallUnscaledGivenPdf(load<f64>(pX + q), s1, load<f64>(pPdf + q)));
        }
      }
    }
  }
  return <i64>nSmall | (<i64>nCentral << 16) | (<i64>nTail << 32);
}

// out[k] = Y(h) for the n small-t elements listed at pList.
// @ts-ignore: decorator
@inline
export function smallTRatioPass(pList: usize, n: i32, pH: usize, pOut: usize): void {
  for (let j = 0; j < n; j += 2) {
    const k0 = <i32>load<i16>(pList + (<usize>j << 1));
    const k1 = j + 1 < n ? <i32>load<i16>(pList + (<usize>j << 1), 2) : k0;
    const y0 = normalCdfOverPdfX2(gather(pH, k0, k1));
    v128.store64_lane(pOut + (<usize>k0 << 3), y0, 0);
    v128.store64_lane(pOut + (<usize>k1 << 3), y0, 1);
  }
}

// out[k] = pdfA (Y(h+t) - Y(h-t)) by the series from out[k] = Y(h), for the n small-t elements listed at pList.
// @ts-ignore: decorator
@inline
export function smallTSeriesPass(pList: usize, n: i32, pH: usize, pS: usize, pPdf: usize, pOut: usize): void {
  const half = v128.load(NB_X2);
  for (let j = 0; j < n; j += 2) {
    const k0 = <i32>load<i16>(pList + (<usize>j << 1));
    const k1 = j + 1 < n ? <i32>load<i16>(pList + (<usize>j << 1), 2) : k0;
    const t = f64x2.mul(half, gather(pS, k0, k1));
    const r = f64x2.mul(gather(pPdf, k0, k1), taylorDifferenceX2(gather(pH, k0, k1), t, gather(pOut, k0, k1)));
    v128.store64_lane(pOut + (<usize>k0 << 3), r, 0);
    v128.store64_lane(pOut + (<usize>k1 << 3), r, 1);
  }
}

// out[k] = Phi(a) - out[k] for the n general elements listed at pList whose a is central.
// @ts-ignore: decorator
@inline
export function generalCentralPass(pList: usize, n: i32, pH: usize, pS: usize, pOut: usize, pPartA: usize): void {
  const half = v128.load(NB_X2);
  for (let j = 0; j < n; j += 2) {
    const k0 = <i32>load<i16>(pList + (<usize>j << 1));
    const k1 = j + 1 < n ? <i32>load<i16>(pList + (<usize>j << 1), 2) : k0;
    const h = gather(pH, k0, k1);
    const a = f64x2.add(h, f64x2.mul(half, gather(pS, k0, k1)));
    let phiA: v128;
    if (pPartA != 0) {
      // normalCdfCentralX2(a) from its part, kept.
      const part = normalCdfCentralPartX2(a);
      v128.store64_lane(pPartA + (<usize>k0 << 3), part, 0);
      v128.store64_lane(pPartA + (<usize>k1 << 3), part, 1);
      phiA = f64x2.add(half, part);
    } else {
      phiA = normalCdfCentralX2(a);
    }
    const r = f64x2.sub(phiA, gather(pOut, k0, k1));
    v128.store64_lane(pOut + (<usize>k0 << 3), r, 0);
    v128.store64_lane(pOut + (<usize>k1 << 3), r, 1);
  }
}

// out[k] = Phi(a) - out[k] for the n general elements listed at pList whose a is in the tail.
// @ts-ignore: decorator
@inline
export function generalTailPass(pList: usize, n: i32, pH: usize, pS: usize, pPdf: usize, pOut: usize, pPartA: usize): void {
  const half = v128.load(NB_X2);
  for (let j = 0; j < n; j += 2) {
    const k0 = <i32>load<i16>(pList + (<usize>j << 1));
    const k1 = j + 1 < n ? <i32>load<i16>(pList + (<usize>j << 1), 2) : k0;
    const h = gather(pH, k0, k1);
    const a = f64x2.add(h, f64x2.mul(half, gather(pS, k0, k1)));
    let phiA: v128;
    if (pPartA != 0) {
      // normalCdfTailGivenPdfX2(a, pdfA) from its tail ratio, kept.
      const ratio = tailRatioX2(f64x2.abs(a));
      v128.store64_lane(pPartA + (<usize>k0 << 3), ratio, 0);
      v128.store64_lane(pPartA + (<usize>k1 << 3), ratio, 1);
      phiA = normalCdfTailFromRatioX2(a, gather(pPdf, k0, k1), ratio);
    } else {
      phiA = normalCdfTailGivenPdfX2(a, gather(pPdf, k0, k1));
    }
    const r = f64x2.sub(phiA, gather(pOut, k0, k1));
    v128.store64_lane(pOut + (<usize>k0 << 3), r, 0);
    v128.store64_lane(pOut + (<usize>k1 << 3), r, 1);
  }
}

// out[k] = pdfA Y(h - t) for the n general-region elements listed at pList (otmGeneralX2's second term).
// @ts-ignore: decorator
@inline
export function generalProductPass(pList: usize, n: i32, pX: usize, pH: usize, pS: usize, pPdf: usize, pOut: usize, pPartB: usize): void {
  for (let j = 0; j < n; j += 2) {
    const k0 = <i32>load<i16>(pList + (<usize>j << 1));
    const k1 = j + 1 < n ? <i32>load<i16>(pList + (<usize>j << 1), 2) : k0;
    const t = f64x2.mul(v128.load(NB_X2), gather(pS, k0, k1));
    const b = f64x2.sub(gather(pH, k0, k1), t);
    const pdfA = gather(pPdf, k0, k1);
    const central = f64x2.le(f64x2.abs(b), v128.load(NB_X2, 48));
    let pdfB = f64x2.splat(0.0);
    if (v128.any_true(central)) pdfB = v128.and(f64x2.mul(pdfA, expX2(gather(pX, k0, k1))), central);
    // b = h - t <= -0.21 outside the central region (h <= 0, t >= 0.21 in the general region).
    let r: v128;
    if (pPartB != 0) {
      // From the part of Phi(b), kept.
      const part = normalCdfPartX2(b);
      v128.store64_lane(pPartB + (<usize>k0 << 3), part, 0);
      v128.store64_lane(pPartB + (<usize>k1 << 3), part, 1);
      r = f64x2.mul(pdfA, normalCdfOverPdfGivenPdfFromPartX2(b, pdfB, part));
    } else {
      r = f64x2.mul(pdfA, normalCdfOverPdfGivenPdfBelowX2(b, pdfB));
    }
    v128.store64_lane(pOut + (<usize>k0 << 3), r, 0);
    v128.store64_lane(pOut + (<usize>k1 << 3), r, 1);
  }
}

// @ts-ignore: decorator
@inline
/** normalisedOtmCallUnscaled on two lanes (x <= 0), each lane the scalar's bits. */
export function normalisedOtmCallUnscaledX2(x: v128, s: v128): v128 {
  return normalisedOtmCallUnscaledGivenPdfX2(x, s, normalPdfX2(f64x2.add(f64x2.div(x, s), f64x2.mul(v128.load(NB_X2), s))));
}
