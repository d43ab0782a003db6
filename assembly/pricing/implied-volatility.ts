// Black-76 implied volatility to attainable machine accuracy, after P. Jaeckel, "Let's be
// rational", Wilmott (2015) 40-53 (and its 2016 revision): an initial guess from four
// Delbourgo-Gregory rational cubic branches, then at most a few Householder(3) steps on a branch-
// specific transformation of the objective. Written from the published mathematics.
//
// Reduction. With x = ln(F/K) and beta = price / (DF sqrt(F K)), put-call parity and
// b_put(x, s) = b_call(-x, s) turn every case into an out-of-the-money call: x <= 0 and
// 0 < beta < b_max = e^{x/2}. The normalised Black function b(s) = c(x, s) (normalised-black.ts)
// rises from 0 to b_max, is convex up to its inflection s_c = sqrt(2|x|) and concave after it, with
//   b''/b' = x^2/s^3 - s/4,        b'''/b' = (b''/b')^2 - 3 x^2/s^4 - 1/4.
//
// Branches. The tangent at s_c meets 0 at s_l = s_c - b_c/v_c and b_max at s_u = s_c + (b_max -
// b_c)/v_c (b_c = b(s_c), v_c = b'(s_c)), which splits (0, b_max) at b_l = b(s_l), b_c, b_u = b(s_u):
//  - beta < b_l: interpolate, in beta, the lower map f_l(s) = (2 pi |x|/sqrt 27) Phi(-z)^3 with
//    z = |x|/(sqrt(3) s) (f_l ~ b as s -> 0), from (0, 0, slope 1) to f_l(s_l) matching f_l'' there;
//    invert f_l in closed form with inverseNormalCdfFast (AS 241: a guess needs no last ulp).
//    Objective g = 1/ln b - 1/ln beta.
//  - b_l <= beta < b_c and b_c <= beta <= b_u: interpolate s(beta) itself with ds/db = 1/b' at both
//    ends and d2s/db2 = 0 at s_c (the inflection). Objective g = b - beta.
//  - beta > b_u: interpolate the upper map f_u(s) = Phi(-s/2) from f_u(s_u) to (b_max, 0, slope
//    -1/2), s = -2 Phi^{-1}(f). Objective g = ln((b_max - beta)/(b_max - b)) with b_max - b from
//    normalisedBlackComplement (no cancellation); beta <= b_max/2 falls back to g = b - beta.
// Each control parameter fits the second derivative at one end, raised to the minimum that keeps
// the interpolant monotone and convex/concave like the data (rational-cubic.ts).
//
// Iteration. With nu = -g/g', h2 = g''/g', h3 = g'''/g' the Householder(3) step is
//   ds = nu (1 + h2 nu/2) / (1 + nu (h2 + h3 nu/6)).
// Writing p = b'/b, q = b''/b', r = b'''/b', lambda = 1/ln b, G = b'/(b_max - b):
//   lowest:  nu = (ln beta - ln b) ln b / (ln beta p), h2 = q - p(1 + 2 lambda),
//            h3 = r + 2 p^2 (1 + 3 lambda (1 + lambda)) - 3 p q (1 + 2 lambda);
//   middle:  nu = (beta - b)/b', h2 = q, h3 = r;
//   upper:   nu = -ln((b_max - beta)/(b_max - b))/G, h2 = q + G, h3 = r + G (2G + 3q).
// (Checked against finite differences in test/implied-volatility.test.ts.) Each evaluation of b
// also tightens a bracket [sLeft, sRight] around the root; a step that leaves the bracket (or is
// not finite, e.g. when b underflows) is replaced by bisection, and steps are bounded below by
// -s/2. Householder(3) converges with order four: on the test sweeps each step is at most ~60
// (previous step)^4 in units of s, so a step of at most 2^-17 s (inside the bracket) leaves a
// truncation error below 60 * 2^-68 s ~ eps/1000. On the middle objective b - beta (rounding noise
// of the step ~ eps b/(s b'), O(eps) there) such a step is the last: no evaluation only to confirm.
// On the lowest and upper objectives the step computed from a nearly converged point carries more
// noise (ln b and b_max - b of a b accurate to tens of ulps deep in the tails) and stopping at the
// first step <= eps s keeps the result at the attainable accuracy (measured: stopping early there
// moves the round-trip grid of test/implied-volatility.test.ts from 5.9u to 6.3u); those loops
// stop at that step or after MAX_ITERATIONS evaluations once the step is below 2^-32 s (the third
// step is at rounding level). The solve counts as converged when it stopped on a final middle step
// or the last step was below 2^-32 s, so the flag only trips when the iteration has failed.
//
// Mirrored line for line in src/kernels/pricing/implied-volatility.ts, except the batch's f64x2 pair
// section (WASM-only, each element the scalar path's bits: test/simd-pricing.test.ts).

import { normalCdf, normalCdfOverPdf, normalPdf } from "../math/normal-distribution";
import { inverseNormalCdfFast } from "../math/inverse-normal";
import { exp } from "../math/elementary";
import { expX2, logX2 } from "../math/f64x2-elementary";
import { logMoneynessX2 } from "./iv-log-moneyness";
import { cbrtX2, lowerMapCdf, lowerMapNormalsX2, lowerMapRatio } from "./iv-guess-x2";
import { inverseNormalCdfFastX2, normalCdfOverPdfX2, normalCdfX2, normalPdfX2 } from "../math/f64x2-normal";
import {
  logOtmCallUnscaled, logOtmCallVegaRatio, normalisedComplementUnscaledGivenPdf, normalisedIntrinsic,
  normalisedOtmCallUnscaledGivenPdf, normalisedOtmCallUnscaledGivenPdfHX2,
  normalisedComplementUnscaledGivenPdfHX2,
} from "./normalised-black";
import {
  convexControlForLeftCurvature, convexControlForLeftCurvatureX2, convexControlForRightCurvature,
  convexControlForRightCurvatureX2, rationalCubicInterpolation, rationalCubicInterpolationX2,
} from "./rational-cubic";
import {
  STATUS_ABOVE_MAXIMUM, STATUS_BELOW_INTRINSIC, STATUS_INVALID_INPUT, STATUS_NOT_CONVERGED, STATUS_OK,
} from "../status";

const EPS: f64 = 2.220446049250313e-16;
const TINY: f64 = 2.2250738585072014e-308;
const SQRT_DBL_MAX: f64 = 1.3407807929942596e154;
const CONVERGED_STEP: f64 = 2.3283064365386963e-10; // 2^-32
// A middle-objective Householder step of at most this (relative to s) is the last (see above).
const FINAL_STEP: f64 = 7.62939453125e-6; // 2^-17
// Evaluations after which a solve that has reached CONVERGED_STEP stops (every solve on the test
// grids has); one that has not yet (a guess on a branch end, a bisection) continues up to MAX_EVALUATIONS.
const MAX_ITERATIONS: i32 = 3;
const MAX_EVALUATIONS: i32 = 64;
// Below this normalised price (2^-960) the lowest branch works with ln(beta): beta and b may underflow.
const LOG_BETA: f64 = 1.0208493871852617e-289;

const SQRT_THREE: f64 = 1.73205080756887729352744634151;
const TWO_PI: f64 = 6.28318530717958647692528676656;
const TWO_PI_OVER_SQRT_27: f64 = 1.20919957615614523372938550509;
const SQRT_PI_OVER_TWO: f64 = 1.25331413731550025120788264241;
const PI_OVER_SIX: f64 = 0.523598775598298873077107230547;
const INV_SQRT_2PI: f64 = 0.398942280401432677939946059934;

const LOWEST: i32 = 0;
const MIDDLE: i32 = 1;
const UPPER: i32 = 2;
const LOWEST_LOG: i32 = 3;

// Outputs of the last solve and of the map helpers (module state: no allocation in kernels).
let solveConverged: bool = true;
let mapValue: f64 = 0.0;
let mapSlope: f64 = 0.0;
let mapCurvature: f64 = 0.0;

// f_l(s) = (2 pi |x| / sqrt 27) Phi(-z)^3, z = |x|/(sqrt 3 s), and its first two derivatives
// with respect to beta = b(x, s): f' = 2 pi z^2 Phi^2 e^{z^2 + s^2/8} and
// f'' = (2 pi z^2 / s) Phi e^{2 z^2 + s^2/4} [2 z + (s^2/4 - 2 - 2 z^2) Phi/phi], Phi = Phi(-z).
function lowerMap(x: f64, s: f64): void {
  const ax = Math.abs(x);
  const z = ax / (SQRT_THREE * s);
  const y = z * z;
  const s2 = s * s;
  const cdf = normalCdf(-z);
  const ratio = normalCdfOverPdf(-z); // Phi(-z)/phi(z)
  // e^{2 z^2 + s^2/4} as the square of e^{z^2 + s^2/8} (one exponential; a guess needs no last
  // ulp), the shared exp (elementary.ts: the f64x2 batch has its twin expX2).
  const e = exp(y + 0.125 * s2);
  mapCurvature = TWO_PI * y / s * cdf * (e * e)
    * (2.0 * z + (0.25 * s2 - 2.0 - 2.0 * y) * ratio);
  mapSlope = TWO_PI * y * cdf * cdf * e;
  mapValue = TWO_PI_OVER_SQRT_27 * ax * (cdf * cdf * cdf);
}

// s with f_l(s) = f.
// @ts-ignore: decorator
@inline
function inverseLowerMap(x: f64, f: f64): f64 {
  const ax = Math.abs(x);
  if (!(f > 0.0) || ax < TINY) return 0.0;
  return Math.abs(ax / (SQRT_THREE * inverseNormalCdfFast(Math.cbrt(f / (TWO_PI_OVER_SQRT_27 * ax)))));
}

// s with ln f_l(s) = lnF (f underflows; f_l ~ beta there).
function inverseLowerMapLog(x: f64, lnF: f64): f64 {
  const ax = Math.abs(x);
  const z = Math.exp((lnF - Math.log(TWO_PI_OVER_SQRT_27 * ax)) * (1.0 / 3.0));
  return Math.abs(ax / (SQRT_THREE * inverseNormalCdfFast(z)));
}

// f_u(s) = Phi(-s/2) and its first two derivatives with respect to beta:
// f' = -e^{w/2}/2, f'' = sqrt(pi/2) e^{w + s^2/8} w/s with w = (x/s)^2.
function upperMap(x: f64, s: f64): void {
  mapValue = normalCdf(-0.5 * s);
  if (x == 0.0) {
    mapSlope = -0.5;
    mapCurvature = 0.0;
    return;
  }
  const h = x / s;
  const w = h * h;
  mapSlope = -0.5 * Math.exp(0.5 * w);
  mapCurvature = SQRT_PI_OVER_TWO * Math.exp(w + 0.125 * s * s) * w / s;
}

// Householder(3) refinement of s on the branch's objective, kept inside [sLeft, sRight]. The
// bracket is closed: the guess may sit exactly on a branch end (beta = b_c puts it on s_c, the root).
// LOWEST_LOG: the lowest objective with ln b = x/2 + logOtmCallUnscaled and ln beta = lnBetaLog.
function refine(kind: i32, beta: f64, lnBetaLog: f64, x: f64, bMax: f64, s0: f64, sLeft0: f64, sRight0: f64): f64 {
  let s = s0;
  let sLeft = sLeft0;
  let sRight = sRight0;
  if (!(s >= sLeft && s <= sRight)) s = sRight < Infinity ? 0.5 * (sLeft + sRight) : 2.0 * sLeft;
  const lnBeta = kind == LOWEST ? Math.log(beta) : lnBetaLog;
  const gap = bMax - beta; // exact when beta >= b_max/2 (the only case the upper objective uses it)
  let ds: f64 = Infinity;
  let finalStep = false;
  for (let iteration = 0; iteration < MAX_EVALUATIONS; iteration++) {
    // b, b' and b_max - b share bMax = e^{x/2} and one density phi(x/s + s/2).
    const pdfA = normalPdf(x / s + 0.5 * s);
    const vega = bMax * pdfA;
    const h = x / s;
    const q = h * h / s - 0.25 * s; // b''/b'
    const hs = h / s;
    const r = q * q - 3.0 * hs * hs - 0.25; // b'''/b'
    let nu: f64;
    let h2: f64;
    let h3: f64;
    if (kind == UPPER) {
      const c = bMax * normalisedComplementUnscaledGivenPdf(x, s, pdfA);
      if (c < gap) sRight = s;
      else if (c > gap) sLeft = s;
      else { ds = 0.0; break; }
      const g = vega / c;
      nu = -Math.log(gap / c) / g;
      h2 = q + g;
      h3 = r + g * (2.0 * g + 3.0 * q);
    } else if (kind == LOWEST_LOG) {
      const lnB = 0.5 * x + logOtmCallUnscaled(x, s, pdfA);
      if (lnB > lnBeta) sRight = s;
      else if (lnB < lnBeta) sLeft = s;
      else { ds = 0.0; break; }
      const p = logOtmCallVegaRatio;
      const lambda = 1.0 / lnB;
      const bend = 1.0 + 2.0 * lambda;
      nu = (lnBeta - lnB) * lnB / lnBeta / p;
      h2 = q - p * bend;
      h3 = r + 2.0 * p * p * (1.0 + 3.0 * lambda * (1.0 + lambda)) - 3.0 * p * q * bend;
    } else {
      const b = bMax * normalisedOtmCallUnscaledGivenPdf(x, s, pdfA);
      if (b > beta) sRight = s;
      else if (b < beta) sLeft = s;
      else { ds = 0.0; break; }
      if (kind == LOWEST) {
        const lnB = Math.log(b);
        const p = vega / b;
        const lambda = 1.0 / lnB;
        const bend = 1.0 + 2.0 * lambda;
        nu = (lnBeta - lnB) * lnB / lnBeta / p;
        h2 = q - p * bend;
        h3 = r + 2.0 * p * p * (1.0 + 3.0 * lambda * (1.0 + lambda)) - 3.0 * p * q * bend;
      } else {
        nu = (beta - b) / vega;
        h2 = q;
        h3 = r;
      }
    }
    let step = nu * (1.0 + 0.5 * h2 * nu) / (1.0 + nu * (h2 + h3 * nu * (1.0 / 6.0)));
    if (Math.abs(step) <= EPS * s) {
      // Converged: the step is at rounding level (and may point a rounding error past the bracket).
      ds = step;
      s += step;
      break;
    }
    step = Math.max(step, -0.5 * s);
    let next = s + step;
    const inside = next >= sLeft && next <= sRight;
    if (!inside) next = sRight < Infinity ? 0.5 * (sLeft + sRight) : 2.0 * s;
    finalStep = kind == MIDDLE && inside && Math.abs(step) <= FINAL_STEP * s;
    ds = next - s;
    s = next;
    if (finalStep) break;
    if (iteration >= MAX_ITERATIONS - 1 && Math.abs(ds) <= CONVERGED_STEP * s) break;
  }
  solveConverged = (finalStep || Math.abs(ds) <= CONVERGED_STEP * s) && s > 0.0 && s < Infinity;
  return s;
}

// s with c(x, s) = beta for an out-of-the-money call: x <= 0, 0 < beta < e^{x/2}. Below LOG_BETA
// the caller also passes lnBeta = ln beta computed without underflow (beta itself may be 0 then).
function otmCallImpliedVolatility(beta: f64, lnBeta: f64, x: f64): f64 {
  const bMax = Math.exp(0.5 * x);
  const sC = Math.sqrt(-2.0 * x);
  let bC: f64 = 0.0;
  let vC: f64 = INV_SQRT_2PI;
  if (x < 0.0) {
    const pdfC = normalPdf(x / sC + 0.5 * sC);
    bC = bMax * normalisedOtmCallUnscaledGivenPdf(x, sC, pdfC);
    vC = bMax * pdfC;
  }
  // The second evaluation: at the tangent's zero s_l below the inflection, at s_u above it.
  const s2 = secondPoint(beta, sC, bMax, bC, vC);
  const pdf2 = normalPdf(x / s2 + 0.5 * s2);
  const b2 = bMax * normalisedOtmCallUnscaledGivenPdf(x, s2, pdf2);
  if (!guess(beta, lnBeta, x, bMax, sC, bC, vC, s2, pdf2, b2)) {
    solveConverged = false;
    return NaN;
  }
  return refine(guessKind, beta, lnBeta, x, bMax, guessS, guessLeft, guessRight);
}

// s_l = s_c - b_c/v_c when beta < b_c, else s_u = s_c + (b_max - b_c)/v_c.
// @ts-ignore: decorator
@inline
function secondPoint(beta: f64, sC: f64, bMax: f64, bC: f64, vC: f64): f64 {
  if (beta < bC) return sC - bC / vC;
  return vC > TINY ? sC + (bMax - bC) / vC : sC;
}

// The initial guess of otmCallImpliedVolatility from b at s_c and at the second point (s2, pdf2 =
// phi(x/s2 + s2/2), b2 = b(s2)): sets guessKind, guessS, guessLeft, guessRight; false when there is
// no solution to refine (lnBeta beyond b_l's logarithm).
let guessKind: i32 = MIDDLE;
let guessS: f64 = 0.0;
let guessLeft: f64 = 0.0;
let guessRight: f64 = 0.0;

function guess(beta: f64, lnBeta: f64, x: f64, bMax: f64, sC: f64, bC: f64, vC: f64, s2: f64, pdf2: f64, b2: f64): bool {
  if (beta < bC) {
    const sL = s2;
    const pdfL = pdf2;
    const bL = b2;
    if (beta < LOG_BETA) {
      // Deep in the lowest branch (f_l ~ beta as beta -> 0): all in logarithms. Needs b_l normal.
      if (!(lnBeta < Math.log(bL))) return false;
      return setGuess(LOWEST_LOG, inverseLowerMapLog(x, lnBeta), 0.0, sL);
    }
    if (beta < bL) {
      lowerMap(x, sL);
      const rL = convexControlForRightCurvature(0.0, bL, 0.0, mapValue, 1.0, mapSlope, mapCurvature, true);
      let f = rationalCubicInterpolation(beta, 0.0, bL, 0.0, mapValue, 1.0, mapSlope, rL);
      if (!(f > 0.0)) {
        const t = beta / bL;
        f = (mapValue * t + bL * (1.0 - t)) * t;
      }
      return setGuess(LOWEST, inverseLowerMap(x, f), 0.0, sL);
    }
    const invVL = 1.0 / (bMax * pdfL);
    const invVC = 1.0 / vC;
    const rLM = convexControlForRightCurvature(bL, bC, sL, sC, invVL, invVC, 0.0, false);
    return setGuess(MIDDLE, rationalCubicInterpolation(beta, bL, bC, sL, sC, invVL, invVC, rLM), sL, sC);
  }
  const sU = s2;
  const pdfU = pdf2;
  const bU = b2;
  if (beta <= bU) {
    const invVC = 1.0 / vC;
    const invVU = 1.0 / (bMax * pdfU);
    const rUM = convexControlForLeftCurvature(bC, bU, sC, sU, invVC, invVU, 0.0, false);
    return setGuess(MIDDLE, rationalCubicInterpolation(beta, bC, bU, sC, sU, invVC, invVU, rUM), sC, sU);
  }
  upperMap(x, sU);
  let f: f64 = NaN;
  if (mapCurvature > -SQRT_DBL_MAX && mapCurvature < SQRT_DBL_MAX) {
    const rU = convexControlForLeftCurvature(bU, bMax, mapValue, 0.0, mapSlope, -0.5, mapCurvature, true);
    f = rationalCubicInterpolation(beta, bU, bMax, mapValue, 0.0, mapSlope, -0.5, rU);
  }
  if (!(f > 0.0)) {
    const width = bMax - bU;
    const t = (beta - bU) / width;
    f = (mapValue * (1.0 - t) + 0.5 * width * t) * (1.0 - t);
  }
  return setGuess(beta > 0.5 * bMax ? UPPER : MIDDLE, -2.0 * inverseNormalCdfFast(f), sU, Infinity);
}

// @ts-ignore: decorator
@inline
function setGuess(kind: i32, s: f64, left: f64, right: f64): bool {
  guessKind = kind;
  guessS = s;
  guessLeft = left;
  guessRight = right;
  return true;
}

/**
 * Normalised implied total volatility s = sigma sqrt(T) with b(x, s, theta) = beta.
 * beta = price / (DF sqrt(F K)) (a normalised, undiscounted price), x = ln(F/K), theta > 0 for a
 * call and < 0 for a put. Returns 0 when beta equals the normalised intrinsic value, NaN when beta
 * is below it, at or above the maximum (e^{theta x/2}), or any input is NaN (and NaN if the solver
 * did not converge, never expected: the batch reports that as STATUS_NOT_CONVERGED).
 * Accuracy: attainable precision, |ds/s| of a few eps * (1 + |b / (s b')|).
 */
export function normalisedImpliedVolatility(beta: f64, x: f64, theta: f64): f64 {
  solveConverged = true;
  if (!(theta > 0.0 || theta < 0.0) || !(Math.abs(x) < Infinity) || beta != beta) return NaN;
  const intrinsic = normalisedIntrinsic(x, theta);
  const maximum = Math.exp(theta > 0.0 ? 0.5 * x : -0.5 * x);
  if (beta < intrinsic || beta >= maximum) return NaN;
  if (beta == intrinsic) return 0.0;
  const xOtm = -Math.abs(x);
  const betaOtm = beta - intrinsic;
  if (!(betaOtm < Math.exp(0.5 * xOtm))) return NaN;
  const s = otmCallImpliedVolatility(betaOtm, betaOtm < LOG_BETA ? Math.log(betaOtm) : 0.0, xOtm);
  return solveConverged ? s : NaN;
}

// ln(F/K) to a relative accuracy of a few ulps: near the money F - K is exact (Sterbenz) and
// log1p keeps the digits that ln of the rounded ratio F/K ~ 1 would lose (an absolute error of
// eps in F/K is a relative error of eps/|x| in x, and s scales like |x| deep out of the money).
// Finite for every pair of positive finite doubles.
function logMoneyness(forward: f64, strike: f64): f64 {
  const ratio = forward / strike;
  if (ratio > 0.5 && ratio < 2.0) return Math.log1p((forward - strike) / strike);
  // F/K overflows (or leaves the normal range) for F = 1e300, K = 1e-10: the difference of logs.
  if (ratio >= TINY && ratio < Infinity) return Math.log(ratio);
  return Math.log(forward) - Math.log(strike);
}

// ---- the batch: validation and the solve two elements per v128 -----------------------------------
// Neighbouring elements are validated and reduced two per v128 (prepareX2; a pair where either is
// not a common solve goes to prepare per element). Elements that need the common solve
// (beta >= LOG_BETA, x < 0) evaluate b at s_c and at the second point two per v128, take the
// rational guesses two per v128 (the lowest branch's maps and the rational cubics of the lowest and
// middle branches; the upper branch's per element), and refine two per v128 (b and, for the upper
// objective, b_max - b for both lanes at once); every other case (ln beta, x = 0, an element
// decided by validation) runs the scalar routines. The evaluations and the refinement handle two
// pairs at once, statement by statement interleaved: one pair's iteration is one long chain of
// dependent operations (density, b, logarithm, divisions) and the loop's exit depends on the data,
// so the core hardly overlaps consecutive pairs by itself (measured: +8% for the refinement, +3%
// for the evaluations; three pairs at once were slower, too many live v128 values). The
// vector steps are lane for lane the scalar operations, each lane stopping where the scalar loop
// stops, so every element gets the scalar path's bits (test/simd-pricing.test.ts,
// test/simd-iv-blocks.test.ts: batch = single calls, and batch = the scalar kernel
// normalisedImpliedVolatility).

const NEEDS_SOLVE: u8 = 255;
// Outputs of prepare (module state: no allocation in kernels).
let preVol: f64 = NaN;
let preBeta: f64 = 0.0;
let preLnBeta: f64 = 0.0;
let preX: f64 = 0.0;
let preExpiry: f64 = 0.0;
let preBmax: f64 = 0.0;

// Validation and reduction of element i: the final status (preVol its vol), or NEEDS_SOLVE with
// preBeta, preLnBeta, preX and preExpiry set.
function prepare(
  i: i32, pPrice: usize, pForward: usize, pStrike: usize, pExpiry: usize, pDiscount: usize, pType: usize, coin: i32,
): u8 {
  const o = <usize>i << 3;
  const quoted = load<f64>(pPrice + o);
  const forward = load<f64>(pForward + o);
  const strike = load<f64>(pStrike + o);
  const expiry = load<f64>(pExpiry + o);
  const discount = load<f64>(pDiscount + o);
  const type = load<i8>(pType + <usize>i);
  preVol = NaN;
  const price = coin != 0 ? quoted * forward : quoted;
  if (!(
    forward > 0.0 && forward < Infinity && strike > 0.0 && strike < Infinity &&
    expiry > 0.0 && expiry < Infinity && discount > 0.0 && discount < Infinity &&
    quoted >= 0.0 && price < Infinity && (type == 1 || type == -1)
  )) return STATUS_INVALID_INPUT;
  const theta: f64 = type > 0 ? 1.0 : -1.0;
  const intrinsic = Math.max(theta * (forward - strike), 0.0);
  const maximum = type > 0 ? forward : strike;
  if (price < discount * intrinsic) return STATUS_BELOW_INTRINSIC;
  if (price >= discount * maximum) return STATUS_ABOVE_MAXIMUM;
  // Out-of-the-money part in normalised units; x <= 0 after put-call symmetry.
  const timeValue = price / discount - intrinsic;
  const beta = timeValue / (Math.sqrt(forward) * Math.sqrt(strike));
  const x = -Math.abs(logMoneyness(forward, strike));
  // beta underflows when sqrt(F K) is large (F = 70000, price 1e-305): ln beta from the logs
  // (an absolute error of a few ulps of each log moves s by about u/2 that deep in the tail).
  const lnBeta = beta < LOG_BETA ? Math.log(timeValue) - 0.5 * (Math.log(forward) + Math.log(strike)) : 0.0;
  if (!(timeValue > 0.0)) {
    preVol = 0.0;
    return STATUS_OK;
  }
  const bMax = Math.exp(0.5 * x); // b_max, kept for the solve (evaluatePairs)
  if (!(beta < bMax)) return STATUS_ABOVE_MAXIMUM;
  preBmax = bMax;
  preBeta = beta;
  preLnBeta = lnBeta;
  preX = x;
  preExpiry = expiry;
  return NEEDS_SOLVE;
}

// Writes element i: the status from prepare, or the scalar solve's result.
function finishScalar(i: i32, st: u8, vol0: f64, beta: f64, lnBeta: f64, x: f64, expiry: f64, pVol: usize, pStatus: usize): void {
  let vol = vol0;
  let status = st;
  if (st == NEEDS_SOLVE) {
    const s = otmCallImpliedVolatility(beta, lnBeta, x);
    if (solveConverged) {
      vol = s / Math.sqrt(expiry);
      status = STATUS_OK;
    } else {
      vol = NaN;
      status = STATUS_NOT_CONVERGED;
    }
  }
  store<f64>(pVol + (<usize>i << 3), vol);
  store<u8>(pStatus + <usize>i, status);
}

// Constants of the vector solve, each twice (V8 rebuilds a v128.const at every use): 0.5, -2,
// TINY, 0.25, 3, 1, 2, 1/6, EPS, CONVERGED_STEP, Infinity, FINAL_STEP, 1/sqrt(2 pi), LOG_BETA, -1.
const IV_X2: usize = memory.data<f64>([
  0.5, 0.5, -2.0, -2.0, 2.2250738585072014e-308, 2.2250738585072014e-308, 0.25, 0.25, 3.0, 3.0, 1.0, 1.0,
  2.0, 2.0, 1.0 / 6.0, 1.0 / 6.0, 2.220446049250313e-16, 2.220446049250313e-16,
  2.3283064365386963e-10, 2.3283064365386963e-10, Infinity, Infinity, 7.62939453125e-6, 7.62939453125e-6,
  INV_SQRT_2PI, INV_SQRT_2PI, LOG_BETA, LOG_BETA, -1.0, -1.0,
], 16);

// @ts-ignore: decorator
@inline
function kx(i: i32): v128 {
  return v128.load(IV_X2 + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline
function lanes(a: f64, b: f64): v128 {
  return f64x2.replace_lane(f64x2.splat(a), 1, b);
}

// normalisedOtmCallUnscaledGivenPdfHX2 as a function, not inlined at its six call sites (two pairs'
// two evaluations, two pairs' refinement step): the same speed (measured), 28 KB less module to
// compile at start-up.
function otmCallX2(x: v128, s: v128, h: v128, pdfA: v128): v128 {
  return normalisedOtmCallUnscaledGivenPdfHX2(x, s, h, pdfA);
}

// Lane-wise converged flags of the first pair of the last refineX4 (bit 0 lane 0, bit 1 lane 1).
let convergedX2: i32 = 0;
// Lane-wise converged flags of the second pair of the last refineX4 (as convergedX2 for the first).
let convergedX2B: i32 = 0;
// s of the second pair of the last refineX4.
let refinedB: v128 = f64x2.splat(0.0);

// refine() for two pairs of lanes A and B of one objective `kind` (LOWEST, MIDDLE or UPPER), in
// lockstep: a lane that leaves the scalar loop is frozen while the others continue (each lane's
// operations, and where it stops, are the scalar refine's, so its bits). The two pairs go
// statement by statement interleaved: one pair's iteration is a long chain of dependent operations
// (density, b, logarithm, divisions), so two independent chains side by side keep the core's units
// busy. `kind` is a run-time value (one copy of the loop for the three objectives: the module stays
// small; its tests are predictable, a list holds one objective). Returns pair A's s (flags in
// convergedX2), pair B's in refinedB and convergedX2B.
// @ts-ignore: decorator
@inline
function refineX4(
  kind: i32, betaA: v128, xA: v128, bMaxA: v128, s0A: v128, sLeft0A: v128, sRight0A: v128,
  betaB: v128, xB: v128, bMaxB: v128, s0B: v128, sLeft0B: v128, sRight0B: v128,
): v128 {
  const zero = f64x2.splat(0.0);
  const half = kx(0);
  const one = kx(5);
  const inf = kx(10);
  let sA = s0A;
  let sB = s0B;
  let sLeftA = sLeft0A;
  let sLeftB = sLeft0B;
  let sRightA = sRight0A;
  let sRightB = sRight0B;
  const finiteRightA = f64x2.lt(sRightA, inf);
  const finiteRightB = f64x2.lt(sRightB, inf);
  const inside0A = v128.and(f64x2.ge(sA, sLeftA), f64x2.le(sA, sRightA));
  const inside0B = v128.and(f64x2.ge(sB, sLeftB), f64x2.le(sB, sRightB));
  sA = v128.bitselect(sA, v128.bitselect(f64x2.mul(half, f64x2.add(sLeftA, sRightA)), f64x2.mul(kx(6), sLeftA), finiteRightA), inside0A);
  sB = v128.bitselect(sB, v128.bitselect(f64x2.mul(half, f64x2.add(sLeftB, sRightB)), f64x2.mul(kx(6), sLeftB), finiteRightB), inside0B);
  const lnBetaA = kind == LOWEST ? logX2(betaA) : zero;
  const lnBetaB = kind == LOWEST ? logX2(betaB) : zero;
  const gapA = f64x2.sub(bMaxA, betaA);
  const gapB = f64x2.sub(bMaxB, betaB);
  let dsA = inf;
  let dsB = inf;
  let finalStepA = zero;
  let finalStepB = zero;
  let activeA = f64x2.eq(zero, zero);
  let activeB = activeA;
  for (let iteration = 0; iteration < MAX_EVALUATIONS; iteration++) {
    const hA = f64x2.div(xA, sA);
    const hB = f64x2.div(xB, sB);
    const pdfAA = normalPdfX2(f64x2.add(hA, f64x2.mul(half, sA)));
    const pdfAB = normalPdfX2(f64x2.add(hB, f64x2.mul(half, sB)));
    const vegaA = f64x2.mul(bMaxA, pdfAA);
    const vegaB = f64x2.mul(bMaxB, pdfAB);
    const qA = f64x2.sub(f64x2.div(f64x2.mul(hA, hA), sA), f64x2.mul(kx(3), sA));
    const qB = f64x2.sub(f64x2.div(f64x2.mul(hB, hB), sB), f64x2.mul(kx(3), sB));
    const hsA = f64x2.div(hA, sA);
    const hsB = f64x2.div(hB, sB);
    const rA = f64x2.sub(f64x2.sub(f64x2.mul(qA, qA), f64x2.mul(f64x2.mul(kx(4), hsA), hsA)), kx(3));
    const rB = f64x2.sub(f64x2.sub(f64x2.mul(qB, qB), f64x2.mul(f64x2.mul(kx(4), hsB), hsB)), kx(3));
    let bA = one;
    let bB = one;
    let cA = one;
    let cB = one;
    let aboveA: v128;
    let aboveB: v128;
    let belowA: v128;
    let belowB: v128;
    if (kind == UPPER) {
      cA = f64x2.mul(bMaxA, normalisedComplementUnscaledGivenPdfHX2(xA, sA, hA, pdfAA));
      cB = f64x2.mul(bMaxB, normalisedComplementUnscaledGivenPdfHX2(xB, sB, hB, pdfAB));
      aboveA = f64x2.lt(cA, gapA);
      aboveB = f64x2.lt(cB, gapB);
      belowA = f64x2.gt(cA, gapA);
      belowB = f64x2.gt(cB, gapB);
    } else {
      bA = f64x2.mul(bMaxA, otmCallX2(xA, sA, hA, pdfAA));
      bB = f64x2.mul(bMaxB, otmCallX2(xB, sB, hB, pdfAB));
      aboveA = f64x2.gt(bA, betaA);
      aboveB = f64x2.gt(bB, betaB);
      belowA = f64x2.lt(bA, betaA);
      belowB = f64x2.lt(bB, betaB);
    }
    sRightA = v128.bitselect(sA, sRightA, v128.and(aboveA, activeA));
    sRightB = v128.bitselect(sB, sRightB, v128.and(aboveB, activeB));
    sLeftA = v128.bitselect(sA, sLeftA, v128.and(belowA, activeA));
    sLeftB = v128.bitselect(sB, sLeftB, v128.and(belowB, activeB));
    const hitA = v128.andnot(activeA, v128.or(aboveA, belowA));
    const hitB = v128.andnot(activeB, v128.or(aboveB, belowB));
    dsA = v128.bitselect(zero, dsA, hitA);
    dsB = v128.bitselect(zero, dsB, hitB);
    activeA = v128.and(activeA, v128.or(aboveA, belowA));
    activeB = v128.and(activeB, v128.or(aboveB, belowB));
    if (!v128.any_true(v128.or(activeA, activeB))) break;
    let nuA: v128;
    let nuB: v128;
    let h2A: v128;
    let h2B: v128;
    let h3A: v128;
    let h3B: v128;
    if (kind == LOWEST) {
      const lnBA = logX2(v128.bitselect(bA, one, activeA));
      const lnBB = logX2(v128.bitselect(bB, one, activeB));
      const pA = f64x2.div(vegaA, bA);
      const pB = f64x2.div(vegaB, bB);
      const lambdaA = f64x2.div(one, lnBA);
      const lambdaB = f64x2.div(one, lnBB);
      const bendA = f64x2.add(one, f64x2.mul(kx(6), lambdaA));
      const bendB = f64x2.add(one, f64x2.mul(kx(6), lambdaB));
      nuA = f64x2.div(f64x2.div(f64x2.mul(f64x2.sub(lnBetaA, lnBA), lnBA), lnBetaA), pA);
      nuB = f64x2.div(f64x2.div(f64x2.mul(f64x2.sub(lnBetaB, lnBB), lnBB), lnBetaB), pB);
      h2A = f64x2.sub(qA, f64x2.mul(pA, bendA));
      h2B = f64x2.sub(qB, f64x2.mul(pB, bendB));
      h3A = f64x2.sub(
        f64x2.add(rA, f64x2.mul(f64x2.mul(f64x2.mul(kx(6), pA), pA), f64x2.add(one, f64x2.mul(f64x2.mul(kx(4), lambdaA), f64x2.add(one, lambdaA))))),
        f64x2.mul(f64x2.mul(f64x2.mul(kx(4), pA), qA), bendA),
      );
      h3B = f64x2.sub(
        f64x2.add(rB, f64x2.mul(f64x2.mul(f64x2.mul(kx(6), pB), pB), f64x2.add(one, f64x2.mul(f64x2.mul(kx(4), lambdaB), f64x2.add(one, lambdaB))))),
        f64x2.mul(f64x2.mul(f64x2.mul(kx(4), pB), qB), bendB),
      );
    } else if (kind == UPPER) {
      const gA = f64x2.div(vegaA, cA);
      const gB = f64x2.div(vegaB, cB);
      nuA = f64x2.div(f64x2.neg(logX2(v128.bitselect(f64x2.div(gapA, cA), one, activeA))), gA);
      nuB = f64x2.div(f64x2.neg(logX2(v128.bitselect(f64x2.div(gapB, cB), one, activeB))), gB);
      h2A = f64x2.add(qA, gA);
      h2B = f64x2.add(qB, gB);
      h3A = f64x2.add(rA, f64x2.mul(gA, f64x2.add(f64x2.mul(kx(6), gA), f64x2.mul(kx(4), qA))));
      h3B = f64x2.add(rB, f64x2.mul(gB, f64x2.add(f64x2.mul(kx(6), gB), f64x2.mul(kx(4), qB))));
    } else {
      nuA = f64x2.div(f64x2.sub(betaA, bA), vegaA);
      nuB = f64x2.div(f64x2.sub(betaB, bB), vegaB);
      h2A = qA;
      h2B = qB;
      h3A = rA;
      h3B = rB;
    }
    let stepA = f64x2.div(
      f64x2.mul(nuA, f64x2.add(one, f64x2.mul(f64x2.mul(half, h2A), nuA))),
      f64x2.add(one, f64x2.mul(nuA, f64x2.add(h2A, f64x2.mul(f64x2.mul(h3A, nuA), kx(7))))),
    );
    let stepB = f64x2.div(
      f64x2.mul(nuB, f64x2.add(one, f64x2.mul(f64x2.mul(half, h2B), nuB))),
      f64x2.add(one, f64x2.mul(nuB, f64x2.add(h2B, f64x2.mul(f64x2.mul(h3B, nuB), kx(7))))),
    );
    const convA = v128.and(activeA, f64x2.le(f64x2.abs(stepA), f64x2.mul(kx(8), sA)));
    const convB = v128.and(activeB, f64x2.le(f64x2.abs(stepB), f64x2.mul(kx(8), sB)));
    dsA = v128.bitselect(stepA, dsA, convA);
    dsB = v128.bitselect(stepB, dsB, convB);
    sA = v128.bitselect(f64x2.add(sA, stepA), sA, convA);
    sB = v128.bitselect(f64x2.add(sB, stepB), sB, convB);
    activeA = v128.andnot(activeA, convA);
    activeB = v128.andnot(activeB, convB);
    if (!v128.any_true(v128.or(activeA, activeB))) break;
    stepA = f64x2.max(stepA, f64x2.mul(f64x2.neg(half), sA));
    stepB = f64x2.max(stepB, f64x2.mul(f64x2.neg(half), sB));
    let nextA = f64x2.add(sA, stepA);
    let nextB = f64x2.add(sB, stepB);
    const insideA = v128.and(f64x2.ge(nextA, sLeftA), f64x2.le(nextA, sRightA));
    const insideB = v128.and(f64x2.ge(nextB, sLeftB), f64x2.le(nextB, sRightB));
    nextA = v128.bitselect(nextA, v128.bitselect(f64x2.mul(half, f64x2.add(sLeftA, sRightA)), f64x2.mul(kx(6), sA), f64x2.lt(sRightA, inf)), insideA);
    nextB = v128.bitselect(nextB, v128.bitselect(f64x2.mul(half, f64x2.add(sLeftB, sRightB)), f64x2.mul(kx(6), sB), f64x2.lt(sRightB, inf)), insideB);
    const lastA = kind == MIDDLE ? v128.and(v128.and(activeA, insideA), f64x2.le(f64x2.abs(stepA), f64x2.mul(kx(11), sA))) : zero;
    const lastB = kind == MIDDLE ? v128.and(v128.and(activeB, insideB), f64x2.le(f64x2.abs(stepB), f64x2.mul(kx(11), sB))) : zero;
    dsA = v128.bitselect(f64x2.sub(nextA, sA), dsA, activeA);
    dsB = v128.bitselect(f64x2.sub(nextB, sB), dsB, activeB);
    sA = v128.bitselect(nextA, sA, activeA);
    sB = v128.bitselect(nextB, sB, activeB);
    if (kind == MIDDLE) {
      finalStepA = v128.or(finalStepA, lastA);
      finalStepB = v128.or(finalStepB, lastB);
      activeA = v128.andnot(activeA, lastA);
      activeB = v128.andnot(activeB, lastB);
      if (!v128.any_true(v128.or(activeA, activeB))) break;
    }
    if (iteration >= MAX_ITERATIONS - 1) {
      activeA = v128.andnot(activeA, f64x2.le(f64x2.abs(dsA), f64x2.mul(kx(9), sA)));
      activeB = v128.andnot(activeB, f64x2.le(f64x2.abs(dsB), f64x2.mul(kx(9), sB)));
      if (!v128.any_true(v128.or(activeA, activeB))) break;
    }
  }
  const okA = v128.and(v128.and(v128.or(finalStepA, f64x2.le(f64x2.abs(dsA), f64x2.mul(kx(9), sA))), f64x2.gt(sA, zero)), f64x2.lt(sA, inf));
  const okB = v128.and(v128.and(v128.or(finalStepB, f64x2.le(f64x2.abs(dsB), f64x2.mul(kx(9), sB))), f64x2.gt(sB, zero)), f64x2.lt(sB, inf));
  convergedX2 = (i64x2.extract_lane(okA, 0) != 0 ? 1 : 0) | (i64x2.extract_lane(okA, 1) != 0 ? 2 : 0);
  convergedX2B = (i64x2.extract_lane(okB, 0) != 0 ? 1 : 0) | (i64x2.extract_lane(okB, 1) != 0 ? 2 : 0);
  refinedB = sB;
  return sA;
}

// The batch works in blocks of BLOCK elements: (1) validation and reduction two elements per
// v128 (prepareX2, else per element), the elements that need the common solve (beta >= LOG_BETA,
// x < 0) listed with b_max = e^{x/2}, every other one finished by the scalar routines; (2) the two
// evaluations of b, two listed elements per v128, then the rational guesses grouped by guess
// branch (lists built without data-dependent branches), two per v128 except the upper branch's;
// (3) the refinement, two elements of the same objective (lowest,
// middle, upper) per v128: a pair never evaluates two objectives' formulas, and its lanes, both on
// one objective, tend to need the same number of steps (the lockstep wastes fewer evaluations).
const BLOCK: i32 = 256;
// Per listed element (f64 columns of BLOCK): beta, x, expiry, b_max, guess, bracket left and
// right, then s_c, b_c, v_c, the second point s2, its density and b(s2); then (i32 columns of
// BLOCK + 2) the three objective lists, the element's index in the block and the four guess lists.
// Columns COL_STRIDE apart, a cache line more than BLOCK doubles: at BLOCK * 8 = 2 KiB apart every
// other column would map to the same L1 set for the same element (4 KiB ways), more than its 8 ways.
const COL_STRIDE: usize = BLOCK * 8 + 64;
const IV_BLOCK: usize = memory.data(<i32>COL_STRIDE * 17 + (BLOCK + 2) * 4 * 8, 64);
const COL_BETA: usize = COL_STRIDE * 0;
const COL_X: usize = COL_STRIDE * 1;
const COL_EXPIRY: usize = COL_STRIDE * 2;
const COL_BMAX: usize = COL_STRIDE * 3;
const COL_GUESS: usize = COL_STRIDE * 4;
const COL_LEFT: usize = COL_STRIDE * 5;
const COL_RIGHT: usize = COL_STRIDE * 6;
const COL_SC: usize = COL_STRIDE * 7;
const COL_BC: usize = COL_STRIDE * 8;
const COL_VC: usize = COL_STRIDE * 9;
const COL_S2: usize = COL_STRIDE * 10;
const COL_PDF2: usize = COL_STRIDE * 11;
const COL_B2: usize = COL_STRIDE * 12;
// the lowest guess's lower map at s_l (value, slope, curvature) and its interpolated f
const COL_MAP_VALUE: usize = COL_STRIDE * 13;
const COL_MAP_SLOPE: usize = COL_STRIDE * 14;
const COL_MAP_CURVATURE: usize = COL_STRIDE * 15;
const COL_MAP_F: usize = COL_STRIDE * 16;
const COL_INDEX: usize = COL_STRIDE * 17;
const LIST_SIZE: usize = (BLOCK + 2) * 4;
const INDEX_LIST: i32 = 3; // then lists 4..7: beta < b_l, b_l <= beta < b_c, b_c <= beta <= b_u, beta > b_u

// @ts-ignore: decorator
@inline
function col(c: usize, k: i32): usize {
  return IV_BLOCK + c + (<usize>k << 3);
}

// @ts-ignore: decorator
@inline
function listAt(list: i32, j: i32): usize {
  return IV_BLOCK + COL_INDEX + LIST_SIZE * <usize>list + (<usize>j << 2);
}

// @ts-ignore: decorator
@inline
function gather2(c: usize, k0: i32, k1: i32): v128 {
  return v128.load64_lane(col(c, k1), v128.load64_zero(col(c, k0)), 1);
}

// @ts-ignore: decorator
@inline
function scatter2(c: usize, k0: i32, k1: i32, v: v128): void {
  v128.store64_lane(col(c, k0), v, 0);
  v128.store64_lane(col(c, k1), v, 1);
}

// otmCallImpliedVolatility's two evaluations of b, both lanes at once (x < 0 here), for listed
// elements k0, k1 (pair A) and k2, k3 (pair B), stored with each element's guess branch. The two
// pairs go statement by statement interleaved (two independent dependency chains side by side, as
// refineX4). k1 = k0 for a lone element; pairB = false when there is no pair B (k2, k3 then repeat
// pair A's elements, computed but not listed again).
function evaluatePairs(k0: i32, k1: i32, k2: i32, k3: i32, pairB: bool): void {
  const betaA = gather2(COL_BETA, k0, k1);
  const betaB = gather2(COL_BETA, k2, k3);
  const xA = gather2(COL_X, k0, k1);
  const xB = gather2(COL_X, k2, k3);
  const half = kx(0);
  const bMaxA = gather2(COL_BMAX, k0, k1);
  const bMaxB = gather2(COL_BMAX, k2, k3);
  const sCA = f64x2.sqrt(f64x2.mul(kx(1), xA));
  const sCB = f64x2.sqrt(f64x2.mul(kx(1), xB));
  // phi(x/s_c + s_c/2): the argument is 0 up to rounding, |a| <= a few ulps of sqrt(|x|/2) < 2^-27
  // for every double x (|x| <= 1500), where normalPdf gives 1/sqrt(2 pi) to the last bit
  // (exp(-a^2/2) rounds to 1 below 2^-53, and so does its compensation factor).
  const pdfC = kx(12);
  const bCA = f64x2.mul(bMaxA, otmCallX2(xA, sCA, f64x2.div(xA, sCA), pdfC));
  const bCB = f64x2.mul(bMaxB, otmCallX2(xB, sCB, f64x2.div(xB, sCB), pdfC));
  const vCA = f64x2.mul(bMaxA, pdfC);
  const vCB = f64x2.mul(bMaxB, pdfC);
  const lowerA = f64x2.lt(betaA, bCA);
  const lowerB = f64x2.lt(betaB, bCB);
  // s_l = s_c - b_c/v_c below b_c, s_u = s_c + (b_max - b_c)/v_c above (s_c where v_c <= TINY):
  // one division for both lanes' cases
  const dA = f64x2.div(v128.bitselect(bCA, f64x2.sub(bMaxA, bCA), lowerA), vCA);
  const dB = f64x2.div(v128.bitselect(bCB, f64x2.sub(bMaxB, bCB), lowerB), vCB);
  const sUA = v128.bitselect(f64x2.add(sCA, dA), sCA, f64x2.gt(vCA, kx(2)));
  const sUB = v128.bitselect(f64x2.add(sCB, dB), sCB, f64x2.gt(vCB, kx(2)));
  const s2A = v128.bitselect(f64x2.sub(sCA, dA), sUA, lowerA);
  const s2B = v128.bitselect(f64x2.sub(sCB, dB), sUB, lowerB);
  const h2A = f64x2.div(xA, s2A);
  const h2B = f64x2.div(xB, s2B);
  const pdf2A = normalPdfX2(f64x2.add(h2A, f64x2.mul(half, s2A)));
  const pdf2B = normalPdfX2(f64x2.add(h2B, f64x2.mul(half, s2B)));
  const b2A = f64x2.mul(bMaxA, otmCallX2(xA, s2A, h2A, pdf2A));
  const b2B = f64x2.mul(bMaxB, otmCallX2(xB, s2B, h2B, pdf2B));
  // (a repeated element, k1 = k0 or a pair B that repeats pair A, gets the same values twice)
  scatter2(COL_SC, k0, k1, sCA);
  scatter2(COL_SC, k2, k3, sCB);
  scatter2(COL_BC, k0, k1, bCA);
  scatter2(COL_BC, k2, k3, bCB);
  scatter2(COL_VC, k0, k1, vCA);
  scatter2(COL_VC, k2, k3, vCB);
  scatter2(COL_S2, k0, k1, s2A);
  scatter2(COL_S2, k2, k3, s2B);
  scatter2(COL_PDF2, k0, k1, pdf2A);
  scatter2(COL_PDF2, k2, k3, pdf2B);
  scatter2(COL_B2, k0, k1, b2A);
  scatter2(COL_B2, k2, k3, b2B);
  // guess's branch, as a list number: 4 + (beta >= b_c) * 2 + (beta >= b_l below b_c, beta > b_u above).
  const secondA = v128.bitselect(f64x2.ge(betaA, b2A), f64x2.gt(betaA, b2A), lowerA);
  const secondB = v128.bitselect(f64x2.ge(betaB, b2B), f64x2.gt(betaB, b2B), lowerB);
  listGuess(k0, 4 + <i32>(i64x2.extract_lane(lowerA, 0) == 0) * 2 + <i32>(i64x2.extract_lane(secondA, 0) != 0));
  if (k1 != k0) listGuess(k1, 4 + <i32>(i64x2.extract_lane(lowerA, 1) == 0) * 2 + <i32>(i64x2.extract_lane(secondA, 1) != 0));
  if (!pairB) return;
  listGuess(k2, 4 + <i32>(i64x2.extract_lane(lowerB, 0) == 0) * 2 + <i32>(i64x2.extract_lane(secondB, 0) != 0));
  if (k3 != k2) listGuess(k3, 4 + <i32>(i64x2.extract_lane(lowerB, 1) == 0) * 2 + <i32>(i64x2.extract_lane(secondB, 1) != 0));
}

// Guess list counts of the current block (lists 4..7).
let guessCount0: i32 = 0;
let guessCount1: i32 = 0;
let guessCount2: i32 = 0;
let guessCount3: i32 = 0;

// Appends k to guess list `list` without a data-dependent branch (neighbours mix branches): every
// list gets k at its end, one count moves.
// @ts-ignore: decorator
@inline
function listGuess(k: i32, list: i32): void {
  store<i32>(listAt(4, guessCount0), k);
  store<i32>(listAt(5, guessCount1), k);
  store<i32>(listAt(6, guessCount2), k);
  store<i32>(listAt(7, guessCount3), k);
  guessCount0 += <i32>(list == 4);
  guessCount1 += <i32>(list == 5);
  guessCount2 += <i32>(list == 6);
  guessCount3 += <i32>(list == 7);
}

// Constants of the vector lowest guess, each twice: sqrt 3, 2 pi, 2 pi/sqrt 27, 1/8, 2, TINY.
const LOW_X2: usize = memory.data<f64>([
  SQRT_THREE, SQRT_THREE, TWO_PI, TWO_PI, TWO_PI_OVER_SQRT_27, TWO_PI_OVER_SQRT_27, 0.125, 0.125, 2.0, 2.0,
  2.2250738585072014e-308, 2.2250738585072014e-308,
], 16);

// @ts-ignore: decorator
@inline
function kl(i: i32): v128 {
  return v128.load(LOW_X2 + (<usize>i << 4));
}

// The guesses of the lowest branch (guess list 4: beta < b_l), two elements per v128: lowerMap and
// inverseLowerMap lane for lane (the shared exp and its twin expX2, normalCdf, normalCdfOverPdf and
// AS 241 and their f64x2 twins), the rational cubic per lane. Same bits as guess() per element.
function guessLowestList(count: i32): void {
  // Three passes over the list, two elements per v128 (each pass's iterations independent of each
  // other, so the core overlaps neighbouring pairs' dependency chains): the lower map, the
  // rational cubic, the inverse map.
  for (let j = 0; j < count; j += 2) {
    const k0 = load<i32>(listAt(4, j));
    const k1 = j + 1 < count ? load<i32>(listAt(4, j + 1)) : k0;
    const x = gather2(COL_X, k0, k1);
    const sL = gather2(COL_S2, k0, k1);
    // lowerMap(x, sL)
    const ax = f64x2.abs(x);
    const z = f64x2.div(ax, f64x2.mul(kl(0), sL));
    const y = f64x2.mul(z, z);
    const s2 = f64x2.mul(sL, sL);
    lowerMapNormalsX2(z);
    const cdf = lowerMapCdf; // normalCdfX2(-z)
    const ratio = lowerMapRatio; // normalCdfOverPdfX2(-z)
    const e = expX2(f64x2.add(y, f64x2.mul(kl(3), s2)));
    const two = kl(4);
    const curvature = f64x2.mul(
      f64x2.mul(f64x2.mul(f64x2.div(f64x2.mul(kl(1), y), sL), cdf), f64x2.mul(e, e)),
      f64x2.add(f64x2.mul(two, z), f64x2.mul(f64x2.sub(f64x2.sub(f64x2.mul(kx(3), s2), two), f64x2.mul(two, y)), ratio)),
    );
    const slope = f64x2.mul(f64x2.mul(f64x2.mul(f64x2.mul(kl(1), y), cdf), cdf), e);
    const value = f64x2.mul(f64x2.mul(kl(2), ax), f64x2.mul(f64x2.mul(cdf, cdf), cdf));
    scatter2(COL_MAP_VALUE, k0, k1, value);
    scatter2(COL_MAP_SLOPE, k0, k1, slope);
    scatter2(COL_MAP_CURVATURE, k0, k1, curvature);
  }
  for (let j = 0; j < count; j += 2) {
    // lowestInterpolation two per v128 (rational-cubic.ts's f64x2 twins, same bits)
    const k0 = load<i32>(listAt(4, j));
    const k1 = j + 1 < count ? load<i32>(listAt(4, j + 1)) : k0;
    const beta = gather2(COL_BETA, k0, k1);
    const bL = gather2(COL_B2, k0, k1);
    const value = gather2(COL_MAP_VALUE, k0, k1);
    const slope = gather2(COL_MAP_SLOPE, k0, k1);
    const zero = f64x2.splat(0.0);
    const one = kx(5);
    const rL = convexControlForRightCurvatureX2(zero, bL, zero, value, one, slope, gather2(COL_MAP_CURVATURE, k0, k1), true);
    const f = rationalCubicInterpolationX2(beta, zero, bL, zero, value, one, slope, rL);
    // f <= 0 (or NaN): the quadratic through (0, 0) and (b_l, value) with slope 1 at 0
    const t = f64x2.div(beta, bL);
    const quadratic = f64x2.mul(f64x2.add(f64x2.mul(value, t), f64x2.mul(bL, f64x2.sub(one, t))), t);
    scatter2(COL_MAP_F, k0, k1, v128.bitselect(f, quadratic, f64x2.gt(f, zero)));
  }
  for (let j = 0; j < count; j += 2) {
    const k0 = load<i32>(listAt(4, j));
    const k1 = j + 1 < count ? load<i32>(listAt(4, j + 1)) : k0;
    const ax = f64x2.abs(gather2(COL_X, k0, k1));
    const sL = gather2(COL_S2, k0, k1);
    // inverseLowerMap(x, f): 0 where f <= 0 or |x| < TINY
    const f = gather2(COL_MAP_F, k0, k1);
    const live = v128.and(f64x2.gt(f, f64x2.splat(0.0)), f64x2.ge(ax, kl(5)));
    const arg = f64x2.div(f, f64x2.mul(kl(2), ax));
    const p = cbrtX2(arg);
    let quantile: v128;
    if (i64x2.all_true(v128.and(f64x2.gt(p, f64x2.splat(0.0)), f64x2.lt(p, kx(5))))) quantile = inverseNormalCdfFastX2(p);
    else quantile = lanes(inverseNormalCdfFast(f64x2.extract_lane(p, 0)), inverseNormalCdfFast(f64x2.extract_lane(p, 1)));
    const s = v128.and(f64x2.abs(f64x2.div(ax, f64x2.mul(kl(0), quantile))), live);
    store<f64>(col(COL_GUESS, k0), f64x2.extract_lane(s, 0));
    store<f64>(col(COL_LEFT, k0), 0.0);
    store<f64>(col(COL_RIGHT, k0), f64x2.extract_lane(sL, 0));
    store<i32>(listAt(LOWEST, listCount0++), k0);
    if (k1 == k0) continue;
    store<f64>(col(COL_GUESS, k1), f64x2.extract_lane(s, 1));
    store<f64>(col(COL_LEFT, k1), 0.0);
    store<f64>(col(COL_RIGHT, k1), f64x2.extract_lane(sL, 1));
    store<i32>(listAt(LOWEST, listCount0++), k1);
  }
}

// The rational guesses of one guess list, per element (one branch of guess per list).
function guessList(list: i32, count: i32): void {
  for (let j = 0; j < count; j++) {
    const k = load<i32>(listAt(list, j));
    // beta >= LOG_BETA: never LOWEST_LOG, always a guess.
    guess(load<f64>(col(COL_BETA, k)), 0.0, load<f64>(col(COL_X, k)), load<f64>(col(COL_BMAX, k)), load<f64>(col(COL_SC, k)),
      load<f64>(col(COL_BC, k)), load<f64>(col(COL_VC, k)), load<f64>(col(COL_S2, k)), load<f64>(col(COL_PDF2, k)), load<f64>(col(COL_B2, k)));
    storeGuess(k);
  }
}

// The middle-branch guesses (guess list 5: b_l <= beta < b_c, list 6: b_c <= beta <= b_u) two per
// v128: guess()'s reciprocal slopes, control parameter and rational cubic lane for lane
// (rational-cubic.ts's f64x2 twins, same bits). A pair with a lane outside its branch's interval
// (a NaN b(s2)) takes guess() per element. Same list order as guessList.
function guessMiddleList(list: i32, count: i32): void {
  for (let j = 0; j < count; j += 2) {
    const k0 = load<i32>(listAt(list, j));
    const k1 = j + 1 < count ? load<i32>(listAt(list, j + 1)) : k0;
    const beta = gather2(COL_BETA, k0, k1);
    const sC = gather2(COL_SC, k0, k1);
    const bC = gather2(COL_BC, k0, k1);
    const s2 = gather2(COL_S2, k0, k1);
    const b2 = gather2(COL_B2, k0, k1);
    const one = kx(5);
    const inv2 = f64x2.div(one, f64x2.mul(gather2(COL_BMAX, k0, k1), gather2(COL_PDF2, k0, k1)));
    const invC = f64x2.div(one, gather2(COL_VC, k0, k1));
    const zero = f64x2.splat(0.0);
    let inside: v128;
    let s: v128;
    if (list == 5) {
      inside = v128.and(f64x2.ge(beta, b2), f64x2.lt(beta, bC));
      s = rationalCubicInterpolationX2(beta, b2, bC, s2, sC, inv2, invC, convexControlForRightCurvatureX2(b2, bC, s2, sC, inv2, invC, zero, false));
    } else {
      inside = v128.and(f64x2.le(beta, b2), f64x2.ge(beta, bC));
      s = rationalCubicInterpolationX2(beta, bC, b2, sC, s2, invC, inv2, convexControlForLeftCurvatureX2(bC, b2, sC, s2, invC, inv2, zero, false));
    }
    if (!i64x2.all_true(inside)) {
      guessOne(k0);
      if (k1 != k0) guessOne(k1);
      continue;
    }
    const left = list == 5 ? s2 : sC;
    const right = list == 5 ? sC : s2;
    store<f64>(col(COL_GUESS, k0), f64x2.extract_lane(s, 0));
    store<f64>(col(COL_LEFT, k0), f64x2.extract_lane(left, 0));
    store<f64>(col(COL_RIGHT, k0), f64x2.extract_lane(right, 0));
    store<i32>(listAt(MIDDLE, listCount1++), k0);
    if (k1 == k0) continue;
    store<f64>(col(COL_GUESS, k1), f64x2.extract_lane(s, 1));
    store<f64>(col(COL_LEFT, k1), f64x2.extract_lane(left, 1));
    store<f64>(col(COL_RIGHT, k1), f64x2.extract_lane(right, 1));
    store<i32>(listAt(MIDDLE, listCount1++), k1);
  }
}

// guess() for listed element k (beta >= LOG_BETA) and its result stored.
function guessOne(k: i32): void {
  guess(load<f64>(col(COL_BETA, k)), 0.0, load<f64>(col(COL_X, k)), load<f64>(col(COL_BMAX, k)), load<f64>(col(COL_SC, k)),
    load<f64>(col(COL_BC, k)), load<f64>(col(COL_VC, k)), load<f64>(col(COL_S2, k)), load<f64>(col(COL_PDF2, k)), load<f64>(col(COL_B2, k)));
  storeGuess(k);
}

// Counts of the three objective lists of the current block.
let listCount0: i32 = 0;
let listCount1: i32 = 0;
let listCount2: i32 = 0;

// @ts-ignore: decorator
@inline
function storeGuess(k: i32): void {
  store<f64>(col(COL_GUESS, k), guessS);
  store<f64>(col(COL_LEFT, k), guessLeft);
  store<f64>(col(COL_RIGHT, k), guessRight);
  if (guessKind == LOWEST) store<i32>(listAt(LOWEST, listCount0++), k);
  else if (guessKind == MIDDLE) store<i32>(listAt(MIDDLE, listCount1++), k);
  else store<i32>(listAt(UPPER, listCount2++), k);
}

// Moves the elements of objective list `list` whose guess lies in the small-t region of the
// normalised call (s / 2 < 0.21, normalised-black.ts) to the front of the list, so refineList pairs
// them with each other: a pair with one lane in each region evaluates both regions' formulas at
// every step. Only the pairing changes; each lane's steps are its own (same bits).
function partitionSmallT(list: i32, count: i32): void {
  // The swap without a data-dependent branch (neighbours mix regions): an element outside the
  // region stores both entries back unchanged.
  let front = 0;
  for (let j = 0; j < count; j++) {
    const k = load<i32>(listAt(list, j));
    const small = 0.5 * load<f64>(col(COL_GUESS, k)) < 0.21;
    const kf = load<i32>(listAt(list, front));
    store<i32>(listAt(list, j), select<i32>(kf, k, small));
    store<i32>(listAt(list, front), select<i32>(k, kf, small));
    front += <i32>small;
  }
}

// Refines the listed elements of one objective, two pairs at a time (refineX4), and writes their results.
function refineList(kind: i32, count: i32, base: i32, pVol: usize, pStatus: usize): void {
  for (let j = 0; j < count; j += 4) {
    // A short last group repeats its first elements (a repeated lane stops where its original does:
    // no extra steps) and writes each element once.
    const k0 = load<i32>(listAt(kind, j));
    const k1 = j + 1 < count ? load<i32>(listAt(kind, j + 1)) : k0;
    const pairB = j + 2 < count;
    const k2 = pairB ? load<i32>(listAt(kind, j + 2)) : k0;
    const k3 = j + 3 < count ? load<i32>(listAt(kind, j + 3)) : pairB ? k2 : k1;
    const sA = refineX4(
      kind, gather2(COL_BETA, k0, k1), gather2(COL_X, k0, k1), gather2(COL_BMAX, k0, k1),
      gather2(COL_GUESS, k0, k1), gather2(COL_LEFT, k0, k1), gather2(COL_RIGHT, k0, k1),
      gather2(COL_BETA, k2, k3), gather2(COL_X, k2, k3), gather2(COL_BMAX, k2, k3),
      gather2(COL_GUESS, k2, k3), gather2(COL_LEFT, k2, k3), gather2(COL_RIGHT, k2, k3),
    );
    // sigma = s / sqrt(T) for both lanes (the scalar's operations)
    const volA = f64x2.div(sA, f64x2.sqrt(gather2(COL_EXPIRY, k0, k1)));
    writeResult(base, k0, f64x2.extract_lane(volA, 0), (convergedX2 & 1) != 0, pVol, pStatus);
    if (k1 != k0) writeResult(base, k1, f64x2.extract_lane(volA, 1), (convergedX2 & 2) != 0, pVol, pStatus);
    if (!pairB) continue;
    const volB = f64x2.div(refinedB, f64x2.sqrt(gather2(COL_EXPIRY, k2, k3)));
    writeResult(base, k2, f64x2.extract_lane(volB, 0), (convergedX2B & 1) != 0, pVol, pStatus);
    if (k3 != k2) writeResult(base, k3, f64x2.extract_lane(volB, 1), (convergedX2B & 2) != 0, pVol, pStatus);
  }
}


// @ts-ignore: decorator
@inline
function writeResult(base: i32, k: i32, vol: f64, converged: bool, pVol: usize, pStatus: usize): void {
  const i = base + load<i32>(listAt(INDEX_LIST, k));
  store<f64>(pVol + (<usize>i << 3), converged ? vol : NaN);
  store<u8>(pStatus + <usize>i, converged ? STATUS_OK : STATUS_NOT_CONVERGED);
}

// Element base + k by the scalar prepare: listed at `listed` (returns listed + 1) when it needs the
// common solve, else finished in place (returns listed).
// @ts-ignore: decorator
@inline
function prepareOne(
  base: i32, k: i32, listed: i32, pPrice: usize, pForward: usize, pStrike: usize, pExpiry: usize, pDiscount: usize,
  pType: usize, coin: i32, pVol: usize, pStatus: usize,
): i32 {
  const i = base + k;
  const st = prepare(i, pPrice, pForward, pStrike, pExpiry, pDiscount, pType, coin);
  if (st == NEEDS_SOLVE && preBeta >= LOG_BETA && preX < 0.0) {
    store<f64>(col(COL_BETA, listed), preBeta);
    store<f64>(col(COL_X, listed), preX);
    store<f64>(col(COL_EXPIRY, listed), preExpiry);
    store<f64>(col(COL_BMAX, listed), preBmax);
    store<i32>(listAt(INDEX_LIST, listed), k);
    return listed + 1;
  }
  finishScalar(i, st, preVol, preBeta, preLnBeta, preX, preExpiry, pVol, pStatus);
  return listed;
}

// prepare() for elements i and i + 1 at once, lane for lane its operations (logMoneynessX2 for
// logMoneyness, expX2 for Math.exp: same bits). When both need the common solve (valid, strictly
// between intrinsic and maximum, beta >= LOG_BETA, x < 0) they are listed at slots `slot` and
// `slot + 1` (columns beta, x, expiry, b_max; the caller lists their indices) and it returns true;
// otherwise it returns false having listed nothing (the caller takes prepare per element).
function prepareX2(
  i: i32, slot: i32, pPrice: usize, pForward: usize, pStrike: usize, pExpiry: usize, pDiscount: usize, pType: usize, coin: i32,
): bool {
  const t0 = <i32>load<i8>(pType + <usize>i);
  const t1 = <i32>load<i8>(pType + <usize>i, 1);
  if (!((t0 == 1 || t0 == -1) && (t1 == 1 || t1 == -1))) return false;
  const o = <usize>i << 3;
  const quoted = v128.load(pPrice + o);
  const forward = v128.load(pForward + o);
  const strike = v128.load(pStrike + o);
  const expiry = v128.load(pExpiry + o);
  const discount = v128.load(pDiscount + o);
  const zero = f64x2.splat(0.0);
  const inf = kx(10);
  const price = coin != 0 ? f64x2.mul(quoted, forward) : quoted;
  const valid = v128.and(
    v128.and(v128.and(f64x2.gt(forward, zero), f64x2.lt(forward, inf)), v128.and(f64x2.gt(strike, zero), f64x2.lt(strike, inf))),
    v128.and(
      v128.and(v128.and(f64x2.gt(expiry, zero), f64x2.lt(expiry, inf)), v128.and(f64x2.gt(discount, zero), f64x2.lt(discount, inf))),
      v128.and(f64x2.ge(quoted, zero), f64x2.lt(price, inf)),
    ),
  );
  if (!i64x2.all_true(valid)) return false;
  const call = lanes(t0 > 0 ? -1.0 : 1.0, t1 > 0 ? -1.0 : 1.0); // sign bit set for a call
  const isCall = i64x2.lt_s(call, i64x2.splat(0));
  const theta = v128.bitselect(kx(5), kx(14), isCall);
  const intrinsic = f64x2.max(f64x2.mul(theta, f64x2.sub(forward, strike)), zero);
  const maximum = v128.bitselect(forward, strike, isCall);
  if (!i64x2.all_true(v128.and(f64x2.ge(price, f64x2.mul(discount, intrinsic)), f64x2.lt(price, f64x2.mul(discount, maximum))))) return false;
  const timeValue = f64x2.sub(f64x2.div(price, discount), intrinsic);
  const beta = f64x2.div(timeValue, f64x2.mul(f64x2.sqrt(forward), f64x2.sqrt(strike)));
  const x = f64x2.neg(f64x2.abs(logMoneynessX2(forward, strike)));
  if (!i64x2.all_true(v128.and(v128.and(f64x2.gt(timeValue, zero), f64x2.ge(beta, kx(13))), f64x2.lt(x, zero)))) return false;
  const bMax = expX2(f64x2.mul(kx(0), x));
  if (!i64x2.all_true(f64x2.lt(beta, bMax))) return false;
  v128.store(col(COL_BETA, slot), beta);
  v128.store(col(COL_X, slot), x);
  v128.store(col(COL_EXPIRY, slot), expiry);
  v128.store(col(COL_BMAX, slot), bMax);
  return true;
}

// Elements base .. base + m - 1 (m <= BLOCK; see the section comment).
function impliedVolatilityBlock(
  base: i32, m: i32, pPrice: usize, pForward: usize, pStrike: usize, pExpiry: usize, pDiscount: usize,
  pType: usize, coin: i32, pVol: usize, pStatus: usize,
): void {
  let listed = 0;
  let k = 0;
  for (; k + 1 < m; k += 2) {
    if (prepareX2(base + k, listed, pPrice, pForward, pStrike, pExpiry, pDiscount, pType, coin)) {
      store<i32>(listAt(INDEX_LIST, listed), k);
      store<i32>(listAt(INDEX_LIST, listed + 1), k + 1);
      listed += 2;
    } else {
      listed = prepareOne(base, k, listed, pPrice, pForward, pStrike, pExpiry, pDiscount, pType, coin, pVol, pStatus);
      listed = prepareOne(base, k + 1, listed, pPrice, pForward, pStrike, pExpiry, pDiscount, pType, coin, pVol, pStatus);
    }
  }
  if (k < m) listed = prepareOne(base, k, listed, pPrice, pForward, pStrike, pExpiry, pDiscount, pType, coin, pVol, pStatus);
  listCount0 = 0;
  listCount1 = 0;
  listCount2 = 0;
  guessCount0 = 0;
  guessCount1 = 0;
  guessCount2 = 0;
  guessCount3 = 0;
  // Pairs for the two evaluations: the elements whose b(s_c) takes the small-t series (s_c / 2 <
  // 0.21, i.e. x > -0.0882) first, so few pairs evaluate both regions' formulas. The order is
  // built in the LOWEST list's room (filled only later, by the guesses), from both ends without a
  // data-dependent branch; only the pairing changes, not any element's bits.
  let front = 0;
  let back = listed - 1;
  for (let k = 0; k < listed; k++) {
    const small = load<f64>(col(COL_X, k)) > -0.0882;
    store<i32>(listAt(LOWEST, front), k);
    store<i32>(listAt(LOWEST, back), k);
    front += <i32>small;
    back -= <i32>!small;
  }
  for (let j = 0; j < listed; j += 4) {
    // a short last group repeats its first elements (listed once: see evaluatePairs)
    const k0 = load<i32>(listAt(LOWEST, j));
    const k1 = j + 1 < listed ? load<i32>(listAt(LOWEST, j + 1)) : k0;
    const pairB = j + 2 < listed;
    const k2 = pairB ? load<i32>(listAt(LOWEST, j + 2)) : k0;
    const k3 = j + 3 < listed ? load<i32>(listAt(LOWEST, j + 3)) : pairB ? k2 : k1;
    evaluatePairs(k0, k1, k2, k3, pairB);
  }
  guessLowestList(guessCount0);
  guessMiddleList(5, guessCount1);
  guessMiddleList(6, guessCount2);
  guessList(7, guessCount3);
  partitionSmallT(LOWEST, listCount0);
  partitionSmallT(MIDDLE, listCount1);
  partitionSmallT(UPPER, listCount2);
  refineList(LOWEST, listCount0, base, pVol, pStatus);
  refineList(MIDDLE, listCount1, base, pVol, pStatus);
  refineList(UPPER, listCount2, base, pVol, pStatus);
}

/**
 * Black-76 implied volatilities. Per element i: price, forward F, strike K, expiry T (years) and
 * discount factor DF (f64 columns), type (i8, +1 call / -1 put). coin = 1 means prices are in units
 * of the underlying (USD price = price * F). Writes sigma (annualised, NaN when there is none) to
 * pVol and a status (status.ts) to pStatus: INVALID_INPUT for a non-finite input, F, K, T or
 * DF <= 0, price < 0 or a type other than +-1; BELOW_INTRINSIC for price < DF (theta(F - K))^+;
 * ABOVE_MAXIMUM for price >= DF F (call) or DF K (put); a price equal to the intrinsic value has
 * sigma = 0. Elements are independent. Returns 0.
 */
export function impliedVolatilityBatch(
  n: i32, pPrice: usize, pForward: usize, pStrike: usize, pExpiry: usize, pDiscount: usize,
  pType: usize, coin: i32, pVol: usize, pStatus: usize,
): i32 {
  for (let i = 0; i < n; i += BLOCK) {
    impliedVolatilityBlock(i, min(BLOCK, n - i), pPrice, pForward, pStrike, pExpiry, pDiscount, pType, coin, pVol, pStatus);
  }
  return 0;
}
