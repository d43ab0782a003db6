// Batch European option pricing: Black-Scholes-Merton on spot (continuous dividend yield) and
// Black-76 on the forward, with seven greeks. Prices go through the normalised Black function, so
// deep out-of-the-money values keep relative accuracy. Mirrored in src/kernels/pricing/black-scholes.ts
// (the scalar element path; the f64x2 pair path below is WASM-only and gives each element the
// scalar path's bits, test/simd-pricing.test.ts).
//
// Output block at pOut, column-major, n f64 each: price, delta, gamma, vega, theta, rho, vanna, volga.
// Units: vega per 1.00 of vol, theta = -dV/dT per year (value lost as a year passes), rho per 1.00
// of rate. Black-76 greeks are taken with the forward fixed and rho/theta with respect to the
// continuously compounded discount rate r = -ln(DF)/T.

import { normalCdfGivenPdf, normalPdf } from "../math/normal-distribution";
import { normalisedOtmCallUnscaled, normalisedOtmCallUnscaledBlock, normalisedOtmCallUnscaledBlockParts } from "./normalised-black";
import { expX2, logX2 } from "../math/f64x2-elementary";
import { normalCdfFromPartX2, normalCdfGivenPdfSelectX2, normalPdfX2 } from "../math/f64x2-normal";
import { STATUS_OK, STATUS_INVALID_INPUT } from "../status";

// @ts-ignore: decorator
@inline
function isFiniteF(v: f64): bool {
  return v - v == 0.0;
}

// ln(a/b) for positive finite a, b: the ratio's log unless it overflows or leaves the normal range
// (spot 100, strike 1e-307), then the difference of logs. Finite for every such pair.
// @ts-ignore: decorator
@inline
function logRatio(a: f64, b: f64): f64 {
  const r = a / b;
  if (r >= 2.2250738585072014e-308 && r < Infinity) return Math.log(r);
  return Math.log(a) - Math.log(b);
}

// @ts-ignore: decorator
@inline
function writeInvalid(n: i32, i: i32, greeks: i32, pOut: usize, pStatus: usize): void {
  const cols = greeks != 0 ? 8 : 1;
  const stride = <usize>n << 3;
  const o = <usize>i << 3;
  for (let c = 0; c < cols; c++) store<f64>(pOut + <usize>c * stride + o, NaN);
  store<u8>(pStatus + <usize>i, STATUS_INVALID_INPUT);
}

// Writes the greeks of one element. `spotScale` = dV/dF multiplier to spot (Dq / DF) for
// Black-Scholes, 1 for Black-76; `underlying` is S or F accordingly.
// @ts-ignore: decorator
@inline
function writeGreeks(
  stride: usize, o: usize, pOut: usize, theta: f64, x: f64, s: f64, sqrtT: f64, vol: f64,
  underlyingDisc: f64, strikeDisc: f64, underlying: f64, T: f64, rate: f64, carryYield: f64, spotMode: bool, price: f64,
): bool {
  // underlyingDisc = S e^{-qT} (spot mode) or F DF (forward mode); strikeDisc = K DF.
  let d1: f64, d2: f64;
  if (s > 0.0) {
    // d2 from x/s, not d1 - s: one rounding fewer, and it is +-(h -+ s/2), whose Phi parts the pair
    // path's price block computes (greeksCdfX2).
    d1 = x / s + 0.5 * s;
    d2 = x / s - 0.5 * s;
  } else {
    d1 = x > 0.0 ? Infinity : x < 0.0 ? -Infinity : 0.0;
    d2 = d1;
  }
  // phi(d2) = phi(d1) F/K, so one density serves both: the one at -|x|/s + s/2, which the price's
  // normalised call evaluates too (phi(d1) where x <= 0, phi(d2) up to the rounding of d2 where
  // x > 0; the pair path reuses it), the other by the ratio unless the first underflowed.
  let n1: f64, n2: f64;
  if (s > 0.0) {
    const base = normalPdf(-Math.abs(x) / s + 0.5 * s);
    if (x > 0.0) {
      n2 = base;
      n1 = base > 1e-280 ? base / (underlyingDisc / strikeDisc) : normalPdf(d1);
    } else {
      n1 = base;
      n2 = base > 1e-280 ? base * (underlyingDisc / strikeDisc) : normalPdf(d2);
    }
  } else {
    n1 = normalPdf(d1);
    n2 = n1 > 1e-280 ? n1 * (underlyingDisc / strikeDisc) : normalPdf(d2);
  }
  const N1 = normalCdfGivenPdf(theta * d1, n1);
  const N2 = normalCdfGivenPdf(theta * d2, n2);
  const perUnit = underlyingDisc / underlying; // e^{-qT} or DF
  const delta = theta * perUnit * N1;
  const vega = underlyingDisc * n1 * sqrtT;
  let gamma: f64, vanna: f64, volga: f64;
  if (s > 0.0 && n1 > 0.0) {
    gamma = perUnit * n1 / (underlying * s);
    vanna = -perUnit * n1 * d2 / vol;
    volga = vega * d1 * d2 / vol;
  } else {
    gamma = x == 0.0 && T > 0.0 && s == 0.0 ? Infinity : 0.0; // n1 = 0: d1 infinite or beyond ~38.6
    vanna = 0.0;
    volga = 0.0;
  }
  const decay = sqrtT > 0.0 && n1 > 0.0 ? -underlyingDisc * n1 * vol / (2.0 * sqrtT) : 0.0;
  let thetaG: f64, rho: f64;
  if (spotMode) {
    // A distribution value 0 contributes 0 even when its factor over/underflowed (rate 1e308: K e^{-rT} = 0).
    const strikeN2 = N2 > 0.0 ? strikeDisc * N2 : 0.0;
    const underN1 = N1 > 0.0 ? underlyingDisc * N1 : 0.0;
    thetaG = decay - theta * rate * strikeN2 + theta * carryYield * underN1;
    rho = theta * strikeN2 * T;
  } else {
    thetaG = decay + rate * price;
    rho = -T * price;
  }
  store<f64>(pOut + stride + o, delta);
  store<f64>(pOut + 2 * stride + o, gamma);
  store<f64>(pOut + 3 * stride + o, vega);
  store<f64>(pOut + 4 * stride + o, thetaG);
  store<f64>(pOut + 5 * stride + o, rho);
  store<f64>(pOut + 6 * stride + o, vanna);
  store<f64>(pOut + 7 * stride + o, volga);
  // NaN anywhere: the element is out of representable range (gamma = +Infinity at zero vol at the money is the limit, kept).
  return delta == delta && gamma == gamma && vega == vega && thetaG == thetaG && rho == rho && vanna == vanna && volga == volga;
}

// One Black-Scholes element (the scalar path: the rare cases of a pair, an odd last element).
function blackScholesElement(
  n: i32, i: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize,
  pDividend: usize, pType: usize, greeks: i32, pOut: usize, pStatus: usize,
): void {
  const stride = <usize>n << 3;
  const o = <usize>i << 3;
  const S = load<f64>(pSpot + o);
  const K = load<f64>(pStrike + o);
  const T = load<f64>(pExpiry + o);
  const vol = load<f64>(pVol + o);
  const r = load<f64>(pRate + o);
  const q = load<f64>(pDividend + o);
  const ty = load<i8>(pType + <usize>i);
  if (!(S > 0.0 && K > 0.0 && T >= 0.0 && vol >= 0.0) || !isFiniteF(S + K + T + vol + r + q) || (ty != 1 && ty != -1)) {
    writeInvalid(n, i, greeks, pOut, pStatus);
    return;
  }
  const theta = <f64>ty;
  const sqrtT = Math.sqrt(T);
  const s = vol * sqrtT;
  // r - q can overflow where r T and q T do not (r = -1e308, q = 1e308, T = 1e-308).
  const carry0 = (r - q) * T;
  const x = logRatio(S, K) + (isFinite<f64>(carry0) ? carry0 : r * T - q * T);
  // DF sqrt(F K) = sqrt(S K) e^{-(r+q)T/2}
  // Time value = DF min(F, K) c(-|x|, s) e^{|x|/2}; intrinsic computed directly (exact for s = 0).
  const fwdDisc = S * Math.exp(-q * T);
  const strikeDisc = K * Math.exp(-r * T);
  const itm = theta * x > 0.0;
  const price = (itm ? theta * (fwdDisc - strikeDisc) : 0.0) + Math.min(fwdDisc, strikeDisc) * normalisedOtmCallUnscaled(-Math.abs(x), s);
  // Final guard: a non-finite price or a NaN greek means the inputs are beyond representable range.
  if (!isFiniteF(price) || x != x) {
    writeInvalid(n, i, greeks, pOut, pStatus);
    return;
  }
  store<f64>(pOut + o, price);
  store<u8>(pStatus + <usize>i, STATUS_OK);
  if (greeks != 0 && !writeGreeks(stride, o, pOut, theta, x, s, sqrtT, vol, fwdDisc, strikeDisc, S, T, r, q, true, price)) {
    writeInvalid(n, i, greeks, pOut, pStatus);
  }
}

// One Black-76 element (the scalar path).
function black76Element(
  n: i32, i: i32, pForward: usize, pStrike: usize, pExpiry: usize, pVol: usize, pDiscount: usize,
  pType: usize, coin: i32, greeks: i32, pOut: usize, pStatus: usize,
): void {
  const stride = <usize>n << 3;
  const o = <usize>i << 3;
  const F = load<f64>(pForward + o);
  const K = load<f64>(pStrike + o);
  const T = load<f64>(pExpiry + o);
  const vol = load<f64>(pVol + o);
  const DF = load<f64>(pDiscount + o);
  const ty = load<i8>(pType + <usize>i);
  if (!(F > 0.0 && K > 0.0 && T >= 0.0 && vol >= 0.0 && DF > 0.0) || !isFiniteF(F + K + T + vol + DF) || (ty != 1 && ty != -1)) {
    writeInvalid(n, i, greeks, pOut, pStatus);
    return;
  }
  const theta = <f64>ty;
  const sqrtT = Math.sqrt(T);
  const s = vol * sqrtT;
  const x = logRatio(F, K);
  const intrinsic = theta * x > 0.0 ? theta * (F - K) : 0.0;
  const price = DF * (intrinsic + Math.min(F, K) * normalisedOtmCallUnscaled(-Math.abs(x), s));
  const quoted = coin != 0 ? price / F : price;
  if (!isFiniteF(quoted)) {
    writeInvalid(n, i, greeks, pOut, pStatus);
    return;
  }
  store<f64>(pOut + o, quoted);
  store<u8>(pStatus + <usize>i, STATUS_OK);
  if (greeks != 0) {
    const rate = T > 0.0 ? -Math.log(DF) / T : 0.0;
    if (!writeGreeks(stride, o, pOut, theta, x, s, sqrtT, vol, F * DF, K * DF, F, T, rate, 0.0, false, price)) {
      writeInvalid(n, i, greeks, pOut, pStatus);
    }
  }
}

// ---- two options per v128 (f64x2) -------------------------------------------------------------
// The pair paths compute two consecutive elements with the scalar path's operations lane for lane
// (f64x2 exp/log/normal, ../math/f64x2-*.ts), so every lane is the scalar path's bits. A pair
// with anything uncommon (an invalid element, s = 0, a ratio or carry out of range, a non-finite
// result, a lane in the asymptotic region) returns false before the caller runs both elements
// through the scalar path, which then writes every output of both.

// Constants of the pair paths, each twice (V8 rebuilds a v128.const at every use): 0.5, 1e-280,
// 2, the smallest normal, Infinity, 1, NORMAL_CENTRAL_LIMIT.
const BS_X2: usize = memory.data<f64>([
  0.5, 0.5, 1e-280, 1e-280, 2.0, 2.0, 2.2250738585072014e-308, 2.2250738585072014e-308, Infinity, Infinity, 1.0, 1.0,
  0.66291, 0.66291,
], 16);

// @ts-ignore: decorator
@inline
function allFiniteX2(v: v128): bool {
  return i64x2.all_true(f64x2.eq(f64x2.sub(v, v), f64x2.splat(0.0)));
}

// theta of elements i, i + 1 as f64 lanes (the i8 type flags widened and converted, no branch);
// a lane is valid when |theta| = 1 (validTheta).
// @ts-ignore: decorator
@inline
function thetaX2(pType: usize, i: i32): v128 {
  const t = i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load16_splat(pType + <usize>i)));
  return f64x2.convert_low_i32x4_s(t);
}

// @ts-ignore: decorator
@inline
function validTheta(theta: v128): v128 {
  return f64x2.eq(f64x2.abs(theta), v128.load(BS_X2, 80));
}

// writeGreeks on a pair with s > 0 in both lanes, in two passes over a block (each a short loop
// body whose pairs the processor overlaps): greeksCdfX2 (the densities and distribution values,
// into scratch, from the price block's parts of Phi), then greeksRestX2 (the greeks from them;
// false, nothing written, when one is NaN). Probe (s11, bench/price-probe): the parts spare pass 1
// the two CDF evaluations (both regions' rationals each), 15.0 -> 4.4-5.7 ns per option, for
// +0.4 ns in the general region's passes and +3.2 ns for the small-t pass (a quarter of the bench
// surface's elements, four rationals each).

// d1 of a pair: x / s is h = -|x| / s where x <= 0 and -h where x > 0 (IEEE division is exact in
// sign), so no division here. d1 = a = h + s/2 (x <= 0) or -b = -(h - s/2) (x > 0), and
// d2X2 = b or -a, each the bits of the block's a and b (rounding is symmetric in sign).
// @ts-ignore: decorator
@inline
function d1X2(x: v128, s: v128, h: v128): v128 {
  const otm = f64x2.le(x, f64x2.splat(0.0));
  return f64x2.add(v128.bitselect(h, f64x2.neg(h), otm), f64x2.mul(v128.load(BS_X2), s));
}

// @ts-ignore: decorator
@inline
function d2X2(x: v128, s: v128, h: v128): v128 {
  const otm = f64x2.le(x, f64x2.splat(0.0));
  return f64x2.sub(v128.bitselect(h, f64x2.neg(h), otm), f64x2.mul(v128.load(BS_X2), s));
}

// writeGreeks' n1, N1 and N2 of the pair in scratch slots k, k + 1 (C_N1D, C_N1, C_N2; N2 only
// withN2, Black-76's greeks do not read it), from the parts of Phi(a) and Phi(b) the price block
// left in C_PART_A, C_PART_B (normalisedOtmCallUnscaledBlockParts): theta d1 = sigma a, theta d2 =
// sigma b where x <= 0 (sigma = theta), theta d1 = sigma b, theta d2 = sigma a where x > 0 (sigma =
// -theta), and Phi(sigma w) from the part of Phi(w) is normalCdfFromPartX2 with the part times
// sigma where central (odd) and as is in the tail (even): the bits of evaluating it. Evaluated
// afresh only for a pair the block left without parts (NaN: an element of the scalar-only region).
// @ts-ignore: decorator
@inline
function greeksCdfX2(k: usize, theta: v128, x: v128, s: v128, underlyingDisc: v128, strikeDisc: v128, pdfA: v128, h: v128, withN2: bool): void {
  const otm = f64x2.le(x, f64x2.splat(0.0));
  const d1 = d1X2(x, s, h);
  const d2 = d2X2(x, s, h);
  // pdfA = phi(-|x|/s + s/2) is the scalar's `base` to the bit (the same operations on the same
  // values): phi(d1) where x <= 0, phi(d2) where x > 0; the other density by the forward/strike ratio.
  const ratio = f64x2.div(underlyingDisc, strikeDisc);
  // Both, selected: otm lanes mix at random in half the pairs (a branch would mispredict).
  let other = v128.bitselect(f64x2.mul(pdfA, ratio), f64x2.div(pdfA, ratio), otm);
  const useRatio = f64x2.gt(pdfA, v128.load(BS_X2, 16));
  if (!i64x2.all_true(useRatio)) other = v128.bitselect(other, normalPdfX2(v128.bitselect(d2, d1, otm)), useRatio);
  const n1 = v128.bitselect(pdfA, other, otm);
  const n2 = v128.bitselect(other, pdfA, otm);
  v128.store(C_N1D + k, n1);
  const z1 = f64x2.mul(theta, d1);
  const z2 = f64x2.mul(theta, d2);
  const partA = v128.load(C_PART_A + k);
  const partB = v128.load(C_PART_B + k);
  if (i64x2.all_true(v128.and(f64x2.eq(partA, partA), f64x2.eq(partB, partB)))) {
    const sigma = v128.bitselect(theta, f64x2.neg(theta), otm);
    const limit = v128.load(BS_X2, 96);
    const part1 = v128.bitselect(partA, partB, otm);
    v128.store(C_N1 + k, normalCdfFromPartX2(z1, n1, v128.bitselect(f64x2.mul(sigma, part1), part1, f64x2.le(f64x2.abs(z1), limit))));
    if (withN2) {
      const part2 = v128.bitselect(partB, partA, otm);
      v128.store(C_N2 + k, normalCdfFromPartX2(z2, n2, v128.bitselect(f64x2.mul(sigma, part2), part2, f64x2.le(f64x2.abs(z2), limit))));
    }
  } else {
    // Both regions' formulas, selected: arguments mix the central region and the tail at random.
    v128.store(C_N1 + k, normalCdfGivenPdfSelectX2(z1, n1));
    if (withN2) v128.store(C_N2 + k, normalCdfGivenPdfSelectX2(z2, n2));
  }
}

// writeGreeks' greeks of the pair from greeksCdfX2's scratch, stored at pDst + c dstStride (c = 0..6:
// delta, gamma, vega, theta, rho, vanna, volga); false (nothing written) when a greek is NaN.
// @ts-ignore: decorator
@inline
function greeksRestX2(
  pDst: usize, dstStride: usize, k: usize, theta: v128, x: v128, s: v128, sqrtT: v128, vol: v128,
  underlyingDisc: v128, strikeDisc: v128, underlying: v128, T: v128, rate: v128, carryYield: v128, spotMode: bool, price: v128,
  h: v128,
): bool {
  const zero = f64x2.splat(0.0);
  const d1 = d1X2(x, s, h);
  const d2 = d2X2(x, s, h);
  const n1 = v128.load(C_N1D + k);
  const N1 = v128.load(C_N1 + k);
  const N2 = v128.load(C_N2 + k);
  const perUnit = f64x2.div(underlyingDisc, underlying);
  const delta = f64x2.mul(f64x2.mul(theta, perUnit), N1);
  const vega = f64x2.mul(f64x2.mul(underlyingDisc, n1), sqrtT);
  // s > 0 here, so the scalar's other branch (n1 = 0) gives 0 for all three.
  const live = f64x2.gt(n1, zero);
  const gamma = v128.and(f64x2.div(f64x2.mul(perUnit, n1), f64x2.mul(underlying, s)), live);
  const vanna = v128.and(f64x2.div(f64x2.mul(f64x2.mul(f64x2.neg(perUnit), n1), d2), vol), live);
  const volga = v128.and(f64x2.div(f64x2.mul(f64x2.mul(vega, d1), d2), vol), live);
  const decay = v128.and(
    f64x2.div(f64x2.mul(f64x2.mul(f64x2.neg(underlyingDisc), n1), vol), f64x2.mul(v128.load(BS_X2, 32), sqrtT)), live,
  );
  let thetaG: v128, rho: v128;
  if (spotMode) {
    const strikeN2 = v128.and(f64x2.mul(strikeDisc, N2), f64x2.gt(N2, zero));
    const underN1 = v128.and(f64x2.mul(underlyingDisc, N1), f64x2.gt(N1, zero));
    thetaG = f64x2.add(
      f64x2.sub(decay, f64x2.mul(f64x2.mul(theta, rate), strikeN2)), f64x2.mul(f64x2.mul(theta, carryYield), underN1),
    );
    rho = f64x2.mul(f64x2.mul(theta, strikeN2), T);
  } else {
    thetaG = f64x2.add(decay, f64x2.mul(rate, price));
    rho = f64x2.mul(f64x2.neg(T), price);
  }
  const ok = v128.and(
    v128.and(v128.and(f64x2.eq(delta, delta), f64x2.eq(gamma, gamma)), v128.and(f64x2.eq(vega, vega), f64x2.eq(thetaG, thetaG))),
    v128.and(v128.and(f64x2.eq(rho, rho), f64x2.eq(vanna, vanna)), f64x2.eq(volga, volga)),
  );
  if (!i64x2.all_true(ok)) return false;
  v128.store(pDst, delta);
  v128.store(pDst + dstStride, gamma);
  v128.store(pDst + 2 * dstStride, vega);
  v128.store(pDst + 3 * dstStride, thetaG);
  v128.store(pDst + 4 * dstStride, rho);
  v128.store(pDst + 5 * dstStride, vanna);
  v128.store(pDst + 6 * dstStride, volga);
  return true;
}

// Block scratch (static: kernels do not allocate): BLOCK elements per column. The pair paths run
// as passes over a block, each a short loop body over independent pairs, which the processor
// overlaps (one long body per pair waits on its own chain of dependent operations: measured ~15%
// slower): prepare (per pair: inputs, validity, x, s, discounts); the normalised OTM call of the
// whole block (normalisedOtmCallUnscaledBlock: -|x|, h, the density, then the regions' passes;
// with greeks normalisedOtmCallUnscaledBlockParts, which also keeps the parts of Phi(a), Phi(b)
// that N(d1), N(d2) are rebuilt from); finish (per pair: price, status); with greeks, their
// distribution values, then the greeks (one pass doing both measured the same). The passes are
// exported @inline functions: bench/price-probe/probe.ts times them, not a copy of them. A
// pair that fails a pass (prepare: anything uncommon; later: a non-finite value) is marked and
// runs through the scalar element path after the passes, which writes every output of both.
// 128 elements: as fast as 64 (measured), the scratch (19 KB) in L1 beside the columns.
export const BLOCK: i32 = 128;
const COL: usize = <usize>BLOCK << 3;
const SCRATCH: usize = memory.data(<i32>(COL * 18) + BLOCK * 6 + BLOCK, 16);
export const C_AX: usize = SCRATCH; // -|x|
export const C_S: usize = SCRATCH + COL;
export const C_PDF: usize = SCRATCH + 2 * COL;
export const C_OTM: usize = SCRATCH + 3 * COL;
export const C_X: usize = SCRATCH + 4 * COL;
const C_SQRTT: usize = SCRATCH + 5 * COL;
const C_FD: usize = SCRATCH + 6 * COL; // S e^{-qT} (Black-Scholes)
const C_SD: usize = SCRATCH + 7 * COL; // K e^{-rT} (Black-Scholes)
const C_THETA: usize = SCRATCH + 8 * COL;
// h = -|x| / s, divided once: the block's regions, its formulas and the greeks' d1 reuse it.
export const C_H: usize = SCRATCH + 9 * COL;
// The greeks' distribution values and n1 (greeksCdfX2): N2 in a column of its own, N1 over -|x| and n1
// over the density (both read for the last time before: by the block, by greeksCdfX2 on the same slot).
const C_N2: usize = SCRATCH + 10 * COL;
const C_N1: usize = C_AX;
const C_N1D: usize = C_PDF;
// With greeks, the parts of Phi(a) and Phi(b) the block computed (normalisedOtmCallUnscaledBlockParts).
export const C_PART_A: usize = SCRATCH + 11 * COL;
export const C_PART_B: usize = SCRATCH + 12 * COL;
export const C_IDX: usize = SCRATCH + 13 * COL; // 3 BLOCK i16
// With greeks, prepare keeps the inputs greeks pass 2 reads (S, T, vol, r, q: 5 columns; Black-76:
// F, T, vol, K, DF, which its pass 1 reads too): read
// there from the caller's columns, which share cache sets with the seven output columns written
// beside them whenever the column length is a multiple of 512 (the facade's chunks), they cost
// 1.5-2.5 ns per option more (s11, interleaved A/B).
const C_IN: usize = C_IDX + <usize>BLOCK * 6 + <usize>BLOCK;
export const C_OK: usize = C_IDX + <usize>BLOCK * 6; // BLOCK u8, per pair at its first slot

// @ts-ignore: decorator
@inline
function parkSlots(k: usize): void {
  // A pair left to the scalar path: s = 0 makes the block's OTM evaluation trivial (value 0).
  v128.store(C_S + k, f64x2.splat(0.0));
  v128.store(C_AX + k, f64x2.splat(0.0));
  v128.store(C_H + k, f64x2.splat(0.0));
  v128.store(C_PDF + k, f64x2.splat(0.0));
}

// The five input columns greeks pass 2 reads from scratch slots k, k + 1 (C_IN): Black-Scholes
// S, T, vol, r, q; Black-76 F, T, vol, K, DF.
// @ts-ignore: decorator
@inline
function keepInputsX2(k: usize, c0: v128, c1: v128, c2: v128, c3: v128, c4: v128): void {
  v128.store(C_IN + k, c0);
  v128.store(C_IN + COL + k, c1);
  v128.store(C_IN + 2 * COL + k, c2);
  v128.store(C_IN + 3 * COL + k, c3);
  v128.store(C_IN + 4 * COL + k, c4);
}

// Stage 1 of Black-Scholes elements i, i + 1 into scratch slots k, k + 1 (keepInputs: with the inputs
// greeks pass 2 reads, C_IN); false if the pair is not vector material.
// @ts-ignore: decorator
@inline
export function blackScholesPrepare(
  i: i32, k: usize, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize, keepInputs: bool,
): bool {
  const o = <usize>i << 3;
  const S = v128.load(pSpot + o);
  const K = v128.load(pStrike + o);
  const T = v128.load(pExpiry + o);
  const vol = v128.load(pVol + o);
  const r = v128.load(pRate + o);
  const q = v128.load(pDividend + o);
  const theta = thetaX2(pType, i);
  const zero = f64x2.splat(0.0);
  const sqrtT = f64x2.sqrt(T);
  const s = f64x2.mul(vol, sqrtT);
  const carry0 = f64x2.mul(f64x2.sub(r, q), T);
  const ratio = f64x2.div(S, K);
  // Every condition of the vector path in one mask and one branch (lanes that fail compute
  // garbage, never a trap): valid finite inputs and type, s > 0, a finite carry, S/K normal and
  // finite (logRatio's first branch).
  const sum = f64x2.add(f64x2.add(f64x2.add(f64x2.add(f64x2.add(S, K), T), vol), r), q);
  let ok = v128.and(v128.and(f64x2.gt(S, zero), f64x2.gt(K, zero)), v128.and(f64x2.ge(T, zero), f64x2.ge(vol, zero)));
  ok = v128.and(ok, v128.and(f64x2.eq(f64x2.sub(sum, sum), zero), validTheta(theta)));
  ok = v128.and(ok, v128.and(f64x2.gt(s, zero), f64x2.eq(f64x2.sub(carry0, carry0), zero)));
  ok = v128.and(ok, v128.and(f64x2.ge(ratio, v128.load(BS_X2, 48)), f64x2.lt(ratio, v128.load(BS_X2, 64))));
  if (!i64x2.all_true(ok)) return false;
  // Finite: |ln(ratio)| < 745 cannot carry a finite carry0 past the largest double.
  const x = f64x2.add(logX2(ratio), carry0);
  const qT = f64x2.mul(f64x2.neg(q), T);
  // e^{-0} = 1 exactly (no dividend yield: skip the exponential, same bits).
  const fwdDisc = i64x2.all_true(f64x2.eq(qT, zero)) ? S : f64x2.mul(S, expX2(qT));
  const strikeDisc = f64x2.mul(K, expX2(f64x2.mul(f64x2.neg(r), T)));
  v128.store(C_S + k, s);
  v128.store(C_X + k, x);
  v128.store(C_SQRTT + k, sqrtT);
  v128.store(C_FD + k, fwdDisc);
  v128.store(C_SD + k, strikeDisc);
  v128.store(C_THETA + k, theta);
  if (keepInputs) keepInputsX2(k, S, T, vol, r, q);
  return true;
}

// Stage 3 of Black-Scholes elements i, i + 1 from scratch slots k, k + 1: the price and status;
// false: run them through the scalar path.
// @ts-ignore: decorator
@inline
function blackScholesFinish(i: i32, k: usize, pOut: usize, pStatus: usize): bool {
  const o = <usize>i << 3;
  const x = v128.load(C_X + k);
  const theta = v128.load(C_THETA + k);
  const fwdDisc = v128.load(C_FD + k);
  const strikeDisc = v128.load(C_SD + k);
  const itm = f64x2.gt(f64x2.mul(theta, x), f64x2.splat(0.0));
  const intrinsic = v128.and(f64x2.mul(theta, f64x2.sub(fwdDisc, strikeDisc)), itm);
  const price = f64x2.add(intrinsic, f64x2.mul(f64x2.min(fwdDisc, strikeDisc), v128.load(C_OTM + k)));
  if (!allFiniteX2(price)) return false;
  v128.store(pOut + o, price);
  store<u16>(pStatus + <usize>i, (<u16>STATUS_OK << 8) | <u16>STATUS_OK);
  return true;
}

// Greeks pass 1 of a finished Black-Scholes pair (greeksCdfX2).
// @ts-ignore: decorator
@inline
function blackScholesGreeksCdf(k: usize): void {
  greeksCdfX2(
    k, v128.load(C_THETA + k), v128.load(C_X + k), v128.load(C_S + k), v128.load(C_FD + k), v128.load(C_SD + k),
    v128.load(C_PDF + k), v128.load(C_H + k), true,
  );
}

// Greeks pass 2 of a Black-Scholes pair (greeksRestX2); false: run it through the scalar path.
// @ts-ignore: decorator
@inline
function blackScholesGreeksRest(n: i32, i: i32, k: usize, pOut: usize): bool {
  const o = <usize>i << 3;
  return greeksRestX2(
    pOut + (<usize>n << 3) + o, <usize>n << 3, k, v128.load(C_THETA + k), v128.load(C_X + k), v128.load(C_S + k), v128.load(C_SQRTT + k),
    v128.load(C_IN + 2 * COL + k), v128.load(C_FD + k), v128.load(C_SD + k), v128.load(C_IN + k), v128.load(C_IN + COL + k),
    v128.load(C_IN + 3 * COL + k), v128.load(C_IN + 4 * COL + k), true, f64x2.splat(0.0), v128.load(C_H + k),
  );
}

// Stage 1 of Black-76 elements i, i + 1 (C_FD, C_SD unused).
// @ts-ignore: decorator
@inline
function black76Prepare(
  i: i32, k: usize, pForward: usize, pStrike: usize, pExpiry: usize, pVol: usize, pDiscount: usize, pType: usize, keepInputs: bool,
): bool {
  const o = <usize>i << 3;
  const F = v128.load(pForward + o);
  const K = v128.load(pStrike + o);
  const T = v128.load(pExpiry + o);
  const vol = v128.load(pVol + o);
  const DF = v128.load(pDiscount + o);
  const theta = thetaX2(pType, i);
  const zero = f64x2.splat(0.0);
  const sqrtT = f64x2.sqrt(T);
  const s = f64x2.mul(vol, sqrtT);
  const ratio = f64x2.div(F, K);
  // One mask, one branch (see blackScholesPrepare).
  const sum = f64x2.add(f64x2.add(f64x2.add(f64x2.add(F, K), T), vol), DF);
  let ok = v128.and(
    v128.and(v128.and(f64x2.gt(F, zero), f64x2.gt(K, zero)), v128.and(f64x2.ge(T, zero), f64x2.ge(vol, zero))), f64x2.gt(DF, zero),
  );
  ok = v128.and(ok, v128.and(f64x2.eq(f64x2.sub(sum, sum), zero), validTheta(theta)));
  ok = v128.and(ok, v128.and(f64x2.gt(s, zero), v128.and(f64x2.ge(ratio, v128.load(BS_X2, 48)), f64x2.lt(ratio, v128.load(BS_X2, 64)))));
  if (!i64x2.all_true(ok)) return false;
  const x = logX2(ratio);
  v128.store(C_S + k, s);
  v128.store(C_X + k, x);
  v128.store(C_SQRTT + k, sqrtT);
  v128.store(C_THETA + k, theta);
  if (keepInputs) keepInputsX2(k, F, T, vol, K, DF);
  return true;
}

// The undiscounted-times-DF price of Black-76 elements i, i + 1 from scratch slots k, k + 1 (the scalar's `price`).
// @ts-ignore: decorator
@inline
function black76PriceX2(o: usize, k: usize, pForward: usize, pStrike: usize, pDiscount: usize): v128 {
  return black76PriceOfX2(k, v128.load(pForward + o), v128.load(pStrike + o), v128.load(pDiscount + o));
}

// black76PriceX2 given the pair's F, K and DF.
// @ts-ignore: decorator
@inline
function black76PriceOfX2(k: usize, F: v128, K: v128, DF: v128): v128 {
  const theta = v128.load(C_THETA + k);
  const intrinsic = v128.and(f64x2.mul(theta, f64x2.sub(F, K)), f64x2.gt(f64x2.mul(theta, v128.load(C_X + k)), f64x2.splat(0.0)));
  return f64x2.mul(DF, f64x2.add(intrinsic, f64x2.mul(f64x2.min(F, K), v128.load(C_OTM + k))));
}

// Stage 3 of Black-76 elements i, i + 1: the (quoted) price and status; false: the scalar path.
// @ts-ignore: decorator
@inline
function black76Finish(i: i32, k: usize, pForward: usize, pStrike: usize, pDiscount: usize, coin: i32, pOut: usize, pStatus: usize): bool {
  const o = <usize>i << 3;
  const price = black76PriceX2(o, k, pForward, pStrike, pDiscount);
  const quoted = coin != 0 ? f64x2.div(price, v128.load(pForward + o)) : price;
  if (!allFiniteX2(quoted)) return false;
  v128.store(pOut + o, quoted);
  store<u16>(pStatus + <usize>i, (<u16>STATUS_OK << 8) | <u16>STATUS_OK);
  return true;
}

// Greeks pass 1 of a finished Black-76 pair (greeksCdfX2), its inputs from C_IN.
// @ts-ignore: decorator
@inline
function black76GreeksCdf(k: usize): void {
  const DF = v128.load(C_IN + 4 * COL + k);
  greeksCdfX2(
    k, v128.load(C_THETA + k), v128.load(C_X + k), v128.load(C_S + k), f64x2.mul(v128.load(C_IN + k), DF),
    f64x2.mul(v128.load(C_IN + 3 * COL + k), DF), v128.load(C_PDF + k), v128.load(C_H + k), false,
  );
}

// Greeks pass 2 of a Black-76 pair (greeksRestX2, the price recomputed unquoted), its inputs from
// C_IN; false: the scalar path.
// @ts-ignore: decorator
@inline
function black76GreeksRest(n: i32, i: i32, k: usize, pOut: usize): bool {
  const o = <usize>i << 3;
  const F = v128.load(C_IN + k);
  const T = v128.load(C_IN + COL + k);
  const K = v128.load(C_IN + 3 * COL + k);
  const DF = v128.load(C_IN + 4 * COL + k);
  // T > 0 here (s > 0).
  const rate = f64x2.div(f64x2.neg(logX2(DF)), T);
  return greeksRestX2(
    pOut + (<usize>n << 3) + o, <usize>n << 3, k, v128.load(C_THETA + k), v128.load(C_X + k), v128.load(C_S + k), v128.load(C_SQRTT + k),
    v128.load(C_IN + 2 * COL + k), f64x2.mul(F, DF), f64x2.mul(K, DF), F, T, rate, f64x2.splat(0.0), false,
    black76PriceOfX2(k, F, K, DF), v128.load(C_H + k),
  );
}

// The passes of one block of blackScholesBatch (elements i0 .. i0 + m - 1, m even), exported
// (inlined where used) so that bench/price-probe times the kernel's own code pass by pass.

// Stage 1 of every pair of the block (blackScholesPrepare); pairs that fail it are marked in C_OK and parked.
// keepInputs (a constant at each call: the price path's copy keeps nothing) with greeks.
// @ts-ignore: decorator
@inline
export function blackScholesPreparePass(
  i0: i32, m: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize, keepInputs: bool,
): void {
  for (let k = 0; k < m; k += 2) {
    const ok = blackScholesPrepare(i0 + k, <usize>k << 3, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType, keepInputs);
    if (!ok) parkSlots(<usize>k << 3);
    store<u8>(C_OK + <usize>k, ok ? 1 : 0);
  }
}

// Stage 2: the normalised OTM call of the whole block (normalisedOtmCallUnscaledBlock on the scratch).
// @ts-ignore: decorator
@inline
export function otmCallPass(m: i32): void {
  normalisedOtmCallUnscaledBlock(m, C_X, C_OK, C_AX, C_H, C_S, C_PDF, C_OTM, C_IDX);
}

// Stage 2 with greeks: the same, leaving the parts of Phi(a) and Phi(b) for greeksCdfX2 in C_PART_A, C_PART_B.
// @ts-ignore: decorator
@inline
export function otmCallPartsPass(m: i32): void {
  normalisedOtmCallUnscaledBlockParts(m, C_X, C_OK, C_AX, C_H, C_S, C_PDF, C_OTM, C_IDX, C_PART_A, C_PART_B);
}

// Stage 3: prices and statuses of the marked pairs (blackScholesFinish); a pair that fails is unmarked.
// @ts-ignore: decorator
@inline
export function blackScholesFinishPass(i0: i32, m: i32, pOut: usize, pStatus: usize): void {
  for (let k = 0; k < m; k += 2) {
    if (load<u8>(C_OK + <usize>k) != 0 && !blackScholesFinish(i0 + k, <usize>k << 3, pOut, pStatus)) store<u8>(C_OK + <usize>k, 0);
  }
}

// Greeks pass 1 of the marked pairs (blackScholesGreeksCdf).
// @ts-ignore: decorator
@inline
export function blackScholesGreeksCdfPass(m: i32): void {
  for (let k = 0; k < m; k += 2) if (load<u8>(C_OK + <usize>k) != 0) blackScholesGreeksCdf(<usize>k << 3);
}

// Greeks pass 2 of the marked pairs (blackScholesGreeksRest); a pair that fails is unmarked.
// @ts-ignore: decorator
@inline
export function blackScholesGreeksRestPass(n: i32, i0: i32, m: i32, pOut: usize): void {
  for (let k = 0; k < m; k += 2) {
    if (load<u8>(C_OK + <usize>k) != 0 && !blackScholesGreeksRest(n, i0 + k, <usize>k << 3, pOut)) {
      store<u8>(C_OK + <usize>k, 0);
    }
  }
}

/**
 * Black-Scholes-Merton batch: spot S, strike K, expiry T (years), vol (annualised decimal), rate r
 * and dividend yield q (continuously compounded), type +1 call / -1 put.
 */
export function blackScholesBatch(
  n: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize,
  pDividend: usize, pType: usize, greeks: i32, pOut: usize, pStatus: usize,
): i32 {
  if (n < 0) return 1;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const m = min(BLOCK, n - i0) & ~1; // pairs; an odd last element goes to the scalar path
    if (greeks != 0) blackScholesPreparePass(i0, m, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType, true);
    else blackScholesPreparePass(i0, m, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType, false);
    if (greeks != 0) otmCallPartsPass(m);
    else otmCallPass(m);
    // Pairs that fail a pass are marked and run through the scalar path last (it writes every output of both).
    blackScholesFinishPass(i0, m, pOut, pStatus);
    if (greeks != 0) {
      blackScholesGreeksCdfPass(m);
      blackScholesGreeksRestPass(n, i0, m, pOut);
    }
    for (let k = 0; k < m; k += 2) {
      if (load<u8>(C_OK + <usize>k) == 0) {
        blackScholesElement(n, i0 + k, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType, greeks, pOut, pStatus);
        blackScholesElement(n, i0 + k + 1, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType, greeks, pOut, pStatus);
      }
    }
    if (i0 + m < n && m < BLOCK) blackScholesElement(n, i0 + m, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType, greeks, pOut, pStatus);
  }
  return 0;
}

// Stage 1 of every pair of a Black-76 block (black76Prepare; keepInputs with greeks), as blackScholesPreparePass.
// @ts-ignore: decorator
@inline
function black76PreparePass(
  i0: i32, m: i32, pForward: usize, pStrike: usize, pExpiry: usize, pVol: usize, pDiscount: usize, pType: usize, keepInputs: bool,
): void {
  for (let k = 0; k < m; k += 2) {
    const ok = black76Prepare(i0 + k, <usize>k << 3, pForward, pStrike, pExpiry, pVol, pDiscount, pType, keepInputs);
    if (!ok) parkSlots(<usize>k << 3);
    store<u8>(C_OK + <usize>k, ok ? 1 : 0);
  }
}

/**
 * Black-76 batch: forward F, strike K, expiry T (years), vol, discount factor DF, type +1/-1.
 * coin = 1 returns the price divided by F (coin-settled, inverse options); greeks stay those of
 * the USD value (what Deribit displays), see the facade's documentation.
 */
export function black76Batch(
  n: i32, pForward: usize, pStrike: usize, pExpiry: usize, pVol: usize, pDiscount: usize,
  pType: usize, coin: i32, greeks: i32, pOut: usize, pStatus: usize,
): i32 {
  if (n < 0) return 1;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const m = min(BLOCK, n - i0) & ~1;
    if (greeks != 0) black76PreparePass(i0, m, pForward, pStrike, pExpiry, pVol, pDiscount, pType, true);
    else black76PreparePass(i0, m, pForward, pStrike, pExpiry, pVol, pDiscount, pType, false);
    if (greeks != 0) otmCallPartsPass(m);
    else otmCallPass(m);
    for (let k = 0; k < m; k += 2) {
      if (load<u8>(C_OK + <usize>k) != 0 && !black76Finish(i0 + k, <usize>k << 3, pForward, pStrike, pDiscount, coin, pOut, pStatus)) {
        store<u8>(C_OK + <usize>k, 0);
      }
    }
    if (greeks != 0) {
      for (let k = 0; k < m; k += 2) if (load<u8>(C_OK + <usize>k) != 0) black76GreeksCdf(<usize>k << 3);
      for (let k = 0; k < m; k += 2) {
        if (load<u8>(C_OK + <usize>k) != 0 && !black76GreeksRest(n, i0 + k, <usize>k << 3, pOut)) {
          store<u8>(C_OK + <usize>k, 0);
        }
      }
    }
    for (let k = 0; k < m; k += 2) {
      if (load<u8>(C_OK + <usize>k) == 0) {
        black76Element(n, i0 + k, pForward, pStrike, pExpiry, pVol, pDiscount, pType, coin, greeks, pOut, pStatus);
        black76Element(n, i0 + k + 1, pForward, pStrike, pExpiry, pVol, pDiscount, pType, coin, greeks, pOut, pStatus);
      }
    }
    if (i0 + m < n && m < BLOCK) black76Element(n, i0 + m, pForward, pStrike, pExpiry, pVol, pDiscount, pType, coin, greeks, pOut, pStatus);
  }
  return 0;
}
