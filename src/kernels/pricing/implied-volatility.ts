// Black-76 implied volatility to attainable machine accuracy, after P. Jaeckel, 'Let's be
// rational', Wilmott (2015) 40-53 (and its 2016 revision): an initial guess from four
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
// Pure-JS twin of assembly/pricing/implied-volatility.ts (same steps, same order of operations).

import { normalCdf, normalCdfOverPdf, normalPdf } from '../math/normal-distribution.js';
import { inverseNormalCdfFast } from '../math/inverse-normal.js';
import { exp } from '../math/elementary.js';
import {
  logOtmCallUnscaled, logOtmCallVegaRatio, normalisedComplementUnscaledGivenPdf, normalisedIntrinsic,
  normalisedOtmCallUnscaledGivenPdf,
} from './normalised-black.js';
import {
  convexControlForLeftCurvature, convexControlForRightCurvature, rationalCubicInterpolation,
} from './rational-cubic.js';
import {
  STATUS_ABOVE_MAXIMUM, STATUS_BELOW_INTRINSIC, STATUS_INVALID_INPUT, STATUS_NOT_CONVERGED, STATUS_OK,
} from '../status.js';
import type { KernelHeap } from '../heap.js';

const EPS: number = 2.220446049250313e-16;
const TINY: number = 2.2250738585072014e-308;
const SQRT_DBL_MAX: number = 1.3407807929942596e154;
const CONVERGED_STEP: number = 2.3283064365386963e-10; // 2^-32
// A middle-objective Householder step of at most this (relative to s) is the last (see above).
const FINAL_STEP: number = 7.62939453125e-6; // 2^-17
// Evaluations after which a solve that has reached CONVERGED_STEP stops (every solve on the test
// grids has); one that has not yet (a guess on a branch end, a bisection) continues up to MAX_EVALUATIONS.
const MAX_ITERATIONS: number = 3;
const MAX_EVALUATIONS: number = 64;
// Below this normalised price (2^-960) the lowest branch works with ln(beta): beta and b may underflow.
const LOG_BETA: number = 1.0208493871852617e-289;

const SQRT_THREE: number = 1.73205080756887729352744634151;
const TWO_PI: number = 6.28318530717958647692528676656;
const TWO_PI_OVER_SQRT_27: number = 1.20919957615614523372938550509;
const SQRT_PI_OVER_TWO: number = 1.25331413731550025120788264241;
const PI_OVER_SIX: number = 0.523598775598298873077107230547;
const INV_SQRT_2PI: number = 0.398942280401432677939946059934;

const LOWEST: number = 0;
const MIDDLE: number = 1;
const UPPER: number = 2;
const LOWEST_LOG: number = 3;

// Outputs of the last solve and of the map helpers (module state: no allocation in kernels).
let solveConverged: boolean = true;
let mapValue: number = 0.0;
let mapSlope: number = 0.0;
let mapCurvature: number = 0.0;

// f_l(s) = (2 pi |x| / sqrt 27) Phi(-z)^3, z = |x|/(sqrt 3 s), and its first two derivatives
// with respect to beta = b(x, s): f' = 2 pi z^2 Phi^2 e^{z^2 + s^2/8} and
// f'' = (2 pi z^2 / s) Phi e^{2 z^2 + s^2/4} [2 z + (s^2/4 - 2 - 2 z^2) Phi/phi], Phi = Phi(-z).
function lowerMap(x: number, s: number): void {
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
function inverseLowerMap(x: number, f: number): number {
  const ax = Math.abs(x);
  if (!(f > 0.0) || ax < TINY) return 0.0;
  return Math.abs(ax / (SQRT_THREE * inverseNormalCdfFast(Math.cbrt(f / (TWO_PI_OVER_SQRT_27 * ax)))));
}

// s with ln f_l(s) = lnF (f underflows; f_l ~ beta there).
function inverseLowerMapLog(x: number, lnF: number): number {
  const ax = Math.abs(x);
  const z = Math.exp((lnF - Math.log(TWO_PI_OVER_SQRT_27 * ax)) * (1.0 / 3.0));
  return Math.abs(ax / (SQRT_THREE * inverseNormalCdfFast(z)));
}

// f_u(s) = Phi(-s/2) and its first two derivatives with respect to beta:
// f' = -e^{w/2}/2, f'' = sqrt(pi/2) e^{w + s^2/8} w/s with w = (x/s)^2.
function upperMap(x: number, s: number): void {
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
function refine(kind: number, beta: number, lnBetaLog: number, x: number, bMax: number, s0: number, sLeft0: number, sRight0: number): number {
  let s = s0;
  let sLeft = sLeft0;
  let sRight = sRight0;
  if (!(s >= sLeft && s <= sRight)) s = sRight < Infinity ? 0.5 * (sLeft + sRight) : 2.0 * sLeft;
  const lnBeta = kind == LOWEST ? Math.log(beta) : lnBetaLog;
  const gap = bMax - beta; // exact when beta >= b_max/2 (the only case the upper objective uses it)
  let ds: number = Infinity;
  let finalStep = false;
  for (let iteration = 0; iteration < MAX_EVALUATIONS; iteration++) {
    // b, b' and b_max - b share bMax = e^{x/2} and one density phi(x/s + s/2).
    const pdfA = normalPdf(x / s + 0.5 * s);
    const vega = bMax * pdfA;
    const h = x / s;
    const q = h * h / s - 0.25 * s; // b''/b'
    const hs = h / s;
    const r = q * q - 3.0 * hs * hs - 0.25; // b'''/b'
    let nu: number;
    let h2: number;
    let h3: number;
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
function otmCallImpliedVolatility(beta: number, lnBeta: number, x: number): number {
  const bMax = Math.exp(0.5 * x);
  const sC = Math.sqrt(-2.0 * x);
  let bC: number = 0.0;
  let vC: number = INV_SQRT_2PI;
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
function secondPoint(beta: number, sC: number, bMax: number, bC: number, vC: number): number {
  if (beta < bC) return sC - bC / vC;
  return vC > TINY ? sC + (bMax - bC) / vC : sC;
}

// The initial guess of otmCallImpliedVolatility from b at s_c and at the second point (s2, pdf2 =
// phi(x/s2 + s2/2), b2 = b(s2)): sets guessKind, guessS, guessLeft, guessRight; false when there is
// no solution to refine (lnBeta beyond b_l's logarithm).
let guessKind: number = MIDDLE;
let guessS: number = 0.0;
let guessLeft: number = 0.0;
let guessRight: number = 0.0;

function guess(beta: number, lnBeta: number, x: number, bMax: number, sC: number, bC: number, vC: number, s2: number, pdf2: number, b2: number): boolean {
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
  let f: number = NaN;
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

function setGuess(kind: number, s: number, left: number, right: number): boolean {
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
export function normalisedImpliedVolatility(beta: number, x: number, theta: number): number {
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
function logMoneyness(forward: number, strike: number): number {
  const ratio = forward / strike;
  if (ratio > 0.5 && ratio < 2.0) return Math.log1p((forward - strike) / strike);
  // F/K overflows (or leaves the normal range) for F = 1e300, K = 1e-10: the difference of logs.
  if (ratio >= TINY && ratio < Infinity) return Math.log(ratio);
  return Math.log(forward) - Math.log(strike);
}

/**
 * Black-76 implied volatilities. Per element i: price, forward F, strike K, expiry T (years) and
 * discount factor DF (number columns), type (i8, +1 call / -1 put). coin = 1 means prices are in units
 * of the underlying (USD price = price * F). Writes sigma (annualised, NaN when there is none) to
 * pVol and a status (status.ts) to pStatus: INVALID_INPUT for a non-finite input, F, K, T or
 * DF <= 0, price < 0 or a type other than +-1; BELOW_INTRINSIC for price < DF (theta(F - K))^+;
 * ABOVE_MAXIMUM for price >= DF F (call) or DF K (put); a price equal to the intrinsic value has
 * sigma = 0. Elements are independent. Returns 0.
 */
export function impliedVolatilityBatch(
  heap: KernelHeap, n: number, pPrice: number, pForward: number, pStrike: number, pExpiry: number, pDiscount: number,
  pType: number, coin: number, pVol: number, pStatus: number,
): number {
  const f64 = heap.f64;
  const i8 = heap.i8;
  const u8 = heap.u8;
  const price0 = pPrice >>> 3;
  const forward0 = pForward >>> 3;
  const strike0 = pStrike >>> 3;
  const expiry0 = pExpiry >>> 3;
  const discount0 = pDiscount >>> 3;
  const vol0 = pVol >>> 3;
  for (let i = 0; i < n; i++) {
    const quoted = f64[price0 + i];
    const forward = f64[forward0 + i];
    const strike = f64[strike0 + i];
    const expiry = f64[expiry0 + i];
    const discount = f64[discount0 + i];
    const type = i8[pType + i];
    let vol: number = NaN;
    let status: number = STATUS_INVALID_INPUT;
    const price = coin != 0 ? quoted * forward : quoted;
    if (
      forward > 0.0 && forward < Infinity && strike > 0.0 && strike < Infinity &&
      expiry > 0.0 && expiry < Infinity && discount > 0.0 && discount < Infinity &&
      quoted >= 0.0 && price < Infinity && (type == 1 || type == -1)
    ) {
      const theta: number = type > 0 ? 1.0 : -1.0;
      const intrinsic = Math.max(theta * (forward - strike), 0.0);
      const maximum = type > 0 ? forward : strike;
      if (price < discount * intrinsic) {
        status = STATUS_BELOW_INTRINSIC;
      } else if (price >= discount * maximum) {
        status = STATUS_ABOVE_MAXIMUM;
      } else {
        // Out-of-the-money part in normalised units; x <= 0 after put-call symmetry.
        const timeValue = price / discount - intrinsic;
        const beta = timeValue / (Math.sqrt(forward) * Math.sqrt(strike));
        const x = -Math.abs(logMoneyness(forward, strike));
        // beta underflows when sqrt(F K) is large (F = 70000, price 1e-305): ln beta from the logs
        // (an absolute error of a few ulps of each log moves s by about u/2 that deep in the tail).
        const lnBeta = beta < LOG_BETA ? Math.log(timeValue) - 0.5 * (Math.log(forward) + Math.log(strike)) : 0.0;
        if (!(timeValue > 0.0)) {
          vol = 0.0;
          status = STATUS_OK;
        } else if (!(beta < Math.exp(0.5 * x))) {
          status = STATUS_ABOVE_MAXIMUM;
        } else {
          const s = otmCallImpliedVolatility(beta, lnBeta, x);
          if (solveConverged) {
            vol = s / Math.sqrt(expiry);
            status = STATUS_OK;
          } else {
            status = STATUS_NOT_CONVERGED;
          }
        }
      }
    }
    f64[vol0 + i] = vol;
    u8[pStatus + i] = status;
  }
  return 0;
}
