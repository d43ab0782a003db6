// Batch European option pricing: Black-Scholes-Merton on spot (continuous dividend yield) and
// Black-76 on the forward, with seven greeks. Prices go through the normalised Black function, so
// deep out-of-the-money values keep relative accuracy. Mirrored in src/kernels/pricing/black-scholes.ts.
//
// Output block at pOut, column-major, n f64 each: price, delta, gamma, vega, theta, rho, vanna, volga.
// Units: vega per 1.00 of vol, theta = -dV/dT per year (value lost as a year passes), rho per 1.00
// of rate. Black-76 greeks are taken with the forward fixed and rho/theta with respect to the
// continuously compounded discount rate r = -ln(DF)/T.

import { normalCdfGivenPdf, normalPdf } from "../math/normal-distribution";
import { normalisedOtmCallUnscaled } from "./normalised-black";
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
    d1 = x / s + 0.5 * s;
    d2 = d1 - s;
  } else {
    d1 = x > 0.0 ? Infinity : x < 0.0 ? -Infinity : 0.0;
    d2 = d1;
  }
  // phi(d2) = phi(d1) F/K, so one density serves both distribution values (unless phi(d1) underflowed).
  const n1 = normalPdf(d1);
  const n2 = n1 > 1e-280 ? n1 * (underlyingDisc / strikeDisc) : normalPdf(d2);
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

/**
 * Black-Scholes-Merton batch: spot S, strike K, expiry T (years), vol (annualised decimal), rate r
 * and dividend yield q (continuously compounded), type +1 call / -1 put.
 */
export function blackScholesBatch(
  n: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize,
  pDividend: usize, pType: usize, greeks: i32, pOut: usize, pStatus: usize,
): i32 {
  if (n < 0) return 1;
  const stride = <usize>n << 3;
  for (let i = 0; i < n; i++) {
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
      continue;
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
      continue;
    }
    store<f64>(pOut + o, price);
    store<u8>(pStatus + <usize>i, STATUS_OK);
    if (greeks != 0 && !writeGreeks(stride, o, pOut, theta, x, s, sqrtT, vol, fwdDisc, strikeDisc, S, T, r, q, true, price)) {
      writeInvalid(n, i, greeks, pOut, pStatus);
    }
  }
  return 0;
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
  const stride = <usize>n << 3;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const F = load<f64>(pForward + o);
    const K = load<f64>(pStrike + o);
    const T = load<f64>(pExpiry + o);
    const vol = load<f64>(pVol + o);
    const DF = load<f64>(pDiscount + o);
    const ty = load<i8>(pType + <usize>i);
    if (!(F > 0.0 && K > 0.0 && T >= 0.0 && vol >= 0.0 && DF > 0.0) || !isFiniteF(F + K + T + vol + DF) || (ty != 1 && ty != -1)) {
      writeInvalid(n, i, greeks, pOut, pStatus);
      continue;
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
      continue;
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
  return 0;
}
