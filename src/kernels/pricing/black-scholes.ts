// Pure-JS twin of assembly/pricing/black-scholes.ts (same kernels, same argument order; the heap
// views come first). See that file for the conventions and units.

import { normalCdfGivenPdf, normalPdf } from '../math/normal-distribution.js';
import { normalisedOtmCallUnscaled } from './normalised-black.js';
import { STATUS_OK, STATUS_INVALID_INPUT } from '../status.js';
import type { KernelHeap } from '../heap.js';

// ln(a/b) for positive finite a, b: the ratio's log unless it overflows or leaves the normal range
// (spot 100, strike 1e-307), then the difference of logs. Finite for every such pair.
function logRatio(a: number, b: number): number {
  const r = a / b;
  if (r >= 2.2250738585072014e-308 && r < Infinity) return Math.log(r);
  return Math.log(a) - Math.log(b);
}

function writeInvalid(f64: Float64Array, u8: Uint8Array, n: number, i: number, greeks: number, iOut: number, pStatus: number): void {
  const cols = greeks !== 0 ? 8 : 1;
  for (let c = 0; c < cols; c++) f64[iOut + c * n + i] = NaN;
  u8[pStatus + i] = STATUS_INVALID_INPUT;
}

function writeGreeks(
  f64: Float64Array, n: number, i: number, iOut: number, theta: number, x: number, s: number, sqrtT: number, vol: number,
  underlyingDisc: number, strikeDisc: number, underlying: number, T: number, rate: number, carryYield: number, spotMode: boolean, price: number,
): boolean {
  let d1: number, d2: number;
  if (s > 0) {
    // d2 from x/s, not d1 - s: one rounding fewer, and the WASM pair path reuses the price's Phi(+-d2) parts.
    d1 = x / s + 0.5 * s;
    d2 = x / s - 0.5 * s;
  } else {
    d1 = x > 0 ? Infinity : x < 0 ? -Infinity : 0;
    d2 = d1;
  }
  // One density for both (phi(d2) = phi(d1) F/K): the one at -|x|/s + s/2 (see the WASM twin).
  let n1: number, n2: number;
  if (s > 0) {
    const base = normalPdf(-Math.abs(x) / s + 0.5 * s);
    if (x > 0) {
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
  const perUnit = underlyingDisc / underlying;
  const delta = theta * perUnit * N1;
  const vega = underlyingDisc * n1 * sqrtT;
  let gamma: number, vanna: number, volga: number;
  if (s > 0 && n1 > 0) {
    gamma = perUnit * n1 / (underlying * s);
    vanna = -perUnit * n1 * d2 / vol;
    volga = vega * d1 * d2 / vol;
  } else {
    gamma = x === 0 && T > 0 && s === 0 ? Infinity : 0; // n1 = 0: d1 infinite or beyond ~38.6
    vanna = 0;
    volga = 0;
  }
  const decay = sqrtT > 0 && n1 > 0 ? -underlyingDisc * n1 * vol / (2 * sqrtT) : 0;
  let thetaG: number, rho: number;
  if (spotMode) {
    // A distribution value 0 contributes 0 even when its factor over/underflowed (rate 1e308: K e^{-rT} = 0).
    const strikeN2 = N2 > 0 ? strikeDisc * N2 : 0;
    const underN1 = N1 > 0 ? underlyingDisc * N1 : 0;
    thetaG = decay - theta * rate * strikeN2 + theta * carryYield * underN1;
    rho = theta * strikeN2 * T;
  } else {
    thetaG = decay + rate * price;
    rho = -T * price;
  }
  f64[iOut + n + i] = delta;
  f64[iOut + 2 * n + i] = gamma;
  f64[iOut + 3 * n + i] = vega;
  f64[iOut + 4 * n + i] = thetaG;
  f64[iOut + 5 * n + i] = rho;
  f64[iOut + 6 * n + i] = vanna;
  f64[iOut + 7 * n + i] = volga;
  // NaN anywhere: the element is out of representable range (gamma = +Infinity at zero vol at the money is the limit, kept).
  return delta === delta && gamma === gamma && vega === vega && thetaG === thetaG && rho === rho && vanna === vanna && volga === volga;
}

/** Black-Scholes-Merton batch (see the WASM twin). */
export function blackScholesBatch(
  heap: KernelHeap, n: number, pSpot: number, pStrike: number, pExpiry: number, pVol: number, pRate: number,
  pDividend: number, pType: number, greeks: number, pOut: number, pStatus: number,
): number {
  if (n < 0) return 1;
  const { f64, i8, u8 } = heap;
  const iS = pSpot >>> 3, iK = pStrike >>> 3, iT = pExpiry >>> 3, iV = pVol >>> 3, iR = pRate >>> 3, iQ = pDividend >>> 3, iOut = pOut >>> 3;
  for (let i = 0; i < n; i++) {
    const S = f64[iS + i], K = f64[iK + i], T = f64[iT + i], vol = f64[iV + i], r = f64[iR + i], q = f64[iQ + i];
    const ty = i8[pType + i];
    if (!(S > 0 && K > 0 && T >= 0 && vol >= 0) || !Number.isFinite(S + K + T + vol + r + q) || (ty !== 1 && ty !== -1)) {
      writeInvalid(f64, u8, n, i, greeks, iOut, pStatus);
      continue;
    }
    const theta = ty;
    const sqrtT = Math.sqrt(T);
    const s = vol * sqrtT;
    // r - q can overflow where r T and q T do not (r = -1e308, q = 1e308, T = 1e-308).
    const carry0 = (r - q) * T;
    const x = logRatio(S, K) + (Number.isFinite(carry0) ? carry0 : r * T - q * T);
    // Intrinsic part directly (exact for s = 0), time value through the normalised OTM call.
    // Time value = DF min(F, K) c(-|x|, s) e^{|x|/2}; intrinsic computed directly (exact for s = 0).
    const fwdDisc = S * Math.exp(-q * T);
    const strikeDisc = K * Math.exp(-r * T);
    const itm = theta * x > 0;
    const price = (itm ? theta * (fwdDisc - strikeDisc) : 0) + Math.min(fwdDisc, strikeDisc) * normalisedOtmCallUnscaled(-Math.abs(x), s);
    // Final guard: a non-finite price or a NaN greek means the inputs are beyond representable range.
    if (!(price - price === 0) || x !== x) {
      writeInvalid(f64, u8, n, i, greeks, iOut, pStatus);
      continue;
    }
    f64[iOut + i] = price;
    u8[pStatus + i] = STATUS_OK;
    if (greeks !== 0 && !writeGreeks(f64, n, i, iOut, theta, x, s, sqrtT, vol, fwdDisc, strikeDisc, S, T, r, q, true, price)) {
      writeInvalid(f64, u8, n, i, greeks, iOut, pStatus);
    }
  }
  return 0;
}

/** Black-76 batch (see the WASM twin). */
export function black76Batch(
  heap: KernelHeap, n: number, pForward: number, pStrike: number, pExpiry: number, pVol: number, pDiscount: number,
  pType: number, coin: number, greeks: number, pOut: number, pStatus: number,
): number {
  if (n < 0) return 1;
  const { f64, i8, u8 } = heap;
  const iF = pForward >>> 3, iK = pStrike >>> 3, iT = pExpiry >>> 3, iV = pVol >>> 3, iD = pDiscount >>> 3, iOut = pOut >>> 3;
  for (let i = 0; i < n; i++) {
    const F = f64[iF + i], K = f64[iK + i], T = f64[iT + i], vol = f64[iV + i], DF = f64[iD + i];
    const ty = i8[pType + i];
    if (!(F > 0 && K > 0 && T >= 0 && vol >= 0 && DF > 0) || !Number.isFinite(F + K + T + vol + DF) || (ty !== 1 && ty !== -1)) {
      writeInvalid(f64, u8, n, i, greeks, iOut, pStatus);
      continue;
    }
    const theta = ty;
    const sqrtT = Math.sqrt(T);
    const s = vol * sqrtT;
    const x = logRatio(F, K);
    const intrinsic = theta * x > 0 ? theta * (F - K) : 0;
    const price = DF * (intrinsic + Math.min(F, K) * normalisedOtmCallUnscaled(-Math.abs(x), s));
    const quoted = coin !== 0 ? price / F : price;
    if (!(quoted - quoted === 0)) {
      writeInvalid(f64, u8, n, i, greeks, iOut, pStatus);
      continue;
    }
    f64[iOut + i] = quoted;
    u8[pStatus + i] = STATUS_OK;
    if (greeks !== 0) {
      const rate = T > 0 ? -Math.log(DF) / T : 0;
      if (!writeGreeks(f64, n, i, iOut, theta, x, s, sqrtT, vol, F * DF, K * DF, F, T, rate, 0, false, price)) {
        writeInvalid(f64, u8, n, i, greeks, iOut, pStatus);
      }
    }
  }
  return 0;
}
