// Multi-asset Monte Carlo shard kernel: correlated GBM for n assets, simulated exactly, with one
// payoff on the assets at expiry per path and its control variate. Simulates paths
// [pathStart, pathStart + count) and ADDS the sums of the accumulator block (layout.ts, the same
// fields as mcShard) at pAcc. Nothing is allocated; pScratch holds (4 n + n^2) f64 the kernel
// owns during the call. If pPaths != 0 the spots are written there, row-major
// [count][steps + 1][n]. Mirrored line for line in src/kernels/montecarlo/multi-asset.ts.
//
// Model (x_a = ln S_a, dt = T / steps, n draws per step, draw j = step * n + a):
//   x_a += (r - q_a - vol_a^2 / 2) dt + vol_a sqrt(dt) sum_{k <= a} L_ak Z_k
// with Z_k = normal(step * n + k) from draws.ts (the draws mcShard uses) and L the
// lower-triangular factor of the correlation matrix (C = L L^T; the facade factors it, zero
// pivots giving zero columns). With n = 1 and L = [1] every operation is the one mcShard does for
// GBM (x += drift + (vol sqrt(dt)) Z, the sum starting from 0 + L_00 Z_0 = Z_0 exactly), so a
// one-asset basket with weight 1 gives mcShard's European sums bit for bit, draw layout included.
//
// Payoffs (DF = e^{-rT}, theta = +-1): basket (theta (sum w_a S_a - K))^+; geometric basket
// (theta (W exp(sum (w_a / W) x_a) - K))^+ with W = sum w_a; spread (theta (S_i - S_j - K))^+;
// best-of / worst-of (theta (max or min S_a - K))^+. Controls: CV_UNDERLYING X = DF sum c_a S_a,
// CV_GEOMETRIC_BASKET X = the geometric basket on the payoff's weights, strike and type.
// Antithetic pairs, Philox / Sobol buffers / Sobol + Brownian bridge draw sources as in mcShard.
// No greeks and no importance sampling (w = 1; the per-path fields are filled as mcShard does).
//
// Returns 0, or 1 for a malformed call (count < 0, steps < 1, n < 1, unknown code, odd antithetic
// range, spread assets out of range, path indices beyond 2^32, steps x n >= 2^31).

import { drawsShardBegin, drawsShardPath, normal } from "./draws";
import { exp, log } from "../math/elementary";
import {
  P_MODEL, P_RATE, P_EXPIRY, P_ASSETS, P_PAYOFF, P_STRIKE, P_TYPE, P_ASSET_LONG, P_ASSET_SHORT, P_ANTITHETIC, P_CONTROL,
  MODEL_MULTI_GBM, PAYOFF_NONE, PAYOFF_BASKET, PAYOFF_GEOMETRIC_BASKET, PAYOFF_SPREAD, PAYOFF_BEST_OF, PAYOFF_WORST_OF,
  CV_NONE, CV_UNDERLYING, CV_GEOMETRIC_BASKET, DRAWS_PHILOX, DRAWS_SOBOL_BRIDGE,
  MA_SPOT, MA_DIVIDEND, MA_VOL, MA_WEIGHT, MA_CV_WEIGHT, MA_FACTOR,
  A_SAMPLES, A_SUM_Y, A_SUM_YY, A_SUM_X, A_SUM_XX, A_SUM_XY, A_PATHS, A_SUM_W, A_SUM_WW, A_PATH_Y, A_PATH_YY,
} from "./layout";


// @ts-ignore: decorator
@inline
function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

// @ts-ignore: decorator
@inline
function acc(p: usize, i: i32, v: f64): void {
  const a = p + (<usize>i << 3);
  store<f64>(a, load<f64>(a) + v);
}

export function mcMultiAssetShard(
  pathStart: f64, count: i32, steps: i32, n: i32, seedLo: u32, seedHi: u32, stream: u32,
  pParams: usize, pAssets: usize, drawMode: i32, pDraws: usize, pAcc: usize, pPaths: usize, pBridge: usize, pScratch: usize,
): i32 {
  if (count < 0 || steps < 1 || n < 1 || drawMode < DRAWS_PHILOX || drawMode > DRAWS_SOBOL_BRIDGE) return 1;
  if (!(pathStart >= 0.0) || pathStart != Math.floor(pathStart) || pathStart + <f64>count > 4294967296.0) return 1;
  if (<i64>steps * <i64>n > 0x7fffffff || <f64>ld(pParams, P_ASSETS) != <f64>n) return 1;
  const model = <i32>ld(pParams, P_MODEL);
  const payoff = <i32>ld(pParams, P_PAYOFF);
  const control = <i32>ld(pParams, P_CONTROL);
  const anti = ld(pParams, P_ANTITHETIC) != 0.0;
  if (model != MODEL_MULTI_GBM) return 1;
  if (payoff != PAYOFF_NONE && (payoff < PAYOFF_BASKET || payoff > PAYOFF_WORST_OF)) return 1;
  if (control != CV_NONE && control != CV_UNDERLYING && control != CV_GEOMETRIC_BASKET) return 1;
  const iLong = <i32>ld(pParams, P_ASSET_LONG);
  const iShort = <i32>ld(pParams, P_ASSET_SHORT);
  if (payoff == PAYOFF_SPREAD && (iLong < 0 || iLong >= n || iShort < 0 || iShort >= n)) return 1;
  const start = <u64>pathStart;
  if (anti && ((start & 1) != 0 || (count & 1) != 0)) return 1;

  const rate = ld(pParams, P_RATE);
  const T = ld(pParams, P_EXPIRY);
  const K = ld(pParams, P_STRIKE);
  const typ = ld(pParams, P_TYPE);
  const dt = T / <f64>steps;
  const sqdt = Math.sqrt(dt);
  const DF = exp(-rate * T);
  const needGeo = payoff == PAYOFF_GEOMETRIC_BASKET || control == CV_GEOMETRIC_BASKET;

  // Scratch: drift[n], A[n x n] = diag(vol sqrt(dt)) L, x[n], z[n], geometric weights w / W [n].
  const pDrift = pScratch;
  const pA = pDrift + (<usize>n << 3);
  const pX = pA + (<usize>(n * n) << 3);
  const pZ = pX + (<usize>n << 3);
  const pG = pZ + (<usize>n << 3);
  const pSpot = pAssets + (<usize>(MA_SPOT * n) << 3);
  const pDiv = pAssets + (<usize>(MA_DIVIDEND * n) << 3);
  const pVol = pAssets + (<usize>(MA_VOL * n) << 3);
  const pWt = pAssets + (<usize>(MA_WEIGHT * n) << 3);
  const pCw = pAssets + (<usize>(MA_CV_WEIGHT * n) << 3);
  const pL = pAssets + (<usize>(MA_FACTOR * n) << 3);
  let wSum: f64 = 0.0;
  for (let a = 0; a < n; ++a) wSum += ld(pWt, a);
  for (let a = 0; a < n; ++a) {
    const vol = ld(pVol, a);
    st(pDrift, a, (rate - ld(pDiv, a) - 0.5 * vol * vol) * dt);
    const sd = vol * sqdt;
    for (let k = 0; k < n; ++k) st(pA, a * n + k, k <= a ? sd * ld(pL, a * n + k) : 0.0);
    st(pG, a, needGeo ? ld(pWt, a) / wSum : 0.0);
  }

  const pathBytes = (<usize>(steps + 1) * <usize>n) << 3;
  drawsShardBegin(drawMode, anti, count, steps, n, seedLo, seedHi, stream, pDraws, pBridge);

  // Pending first path of an antithetic pair.
  let pY: f64 = 0.0;
  let pXc: f64 = 0.0;

  for (let i = 0; i < count; ++i) {
    const odd = drawsShardPath(start, i);
    const pOutRow = pPaths + <usize>i * pathBytes;
    for (let a = 0; a < n; ++a) {
      const s0 = ld(pSpot, a);
      st(pX, a, log(s0));
      if (pPaths != 0) st(pOutRow, a, s0);
    }

    for (let s = 0; s < steps; ++s) {
      const j0 = <u32>(s * n);
      for (let a = 0; a < n; ++a) st(pZ, a, normal(j0 + <u32>a));
      for (let a = 0; a < n; ++a) {
        const row = pA + (<usize>(a * n) << 3);
        let c: f64 = 0.0;
        for (let k = 0; k <= a; ++k) c += load<f64>(row + (<usize>k << 3)) * ld(pZ, k);
        st(pX, a, ld(pX, a) + (ld(pDrift, a) + c));
      }
      if (pPaths != 0) {
        const out = pOutRow + ((<usize>(s + 1) * <usize>n) << 3);
        for (let a = 0; a < n; ++a) st(out, a, exp(ld(pX, a)));
      }
    }

    // Payoff and control.
    let Y: f64 = 0.0;
    let geo: f64 = 0.0;
    if (needGeo) {
      let g: f64 = 0.0;
      for (let a = 0; a < n; ++a) g += ld(pG, a) * ld(pX, a);
      geo = wSum * exp(g);
    }
    if (payoff == PAYOFF_BASKET) {
      let b: f64 = 0.0;
      for (let a = 0; a < n; ++a) b += ld(pWt, a) * exp(ld(pX, a));
      const e = typ * (b - K);
      if (e > 0.0) Y = DF * e;
    } else if (payoff == PAYOFF_GEOMETRIC_BASKET) {
      const e = typ * (geo - K);
      if (e > 0.0) Y = DF * e;
    } else if (payoff == PAYOFF_SPREAD) {
      const e = typ * (exp(ld(pX, iLong)) - exp(ld(pX, iShort)) - K);
      if (e > 0.0) Y = DF * e;
    } else if (payoff == PAYOFF_BEST_OF || payoff == PAYOFF_WORST_OF) {
      let m = ld(pX, 0);
      for (let a = 1; a < n; ++a) {
        const xa = ld(pX, a);
        if (payoff == PAYOFF_BEST_OF ? xa > m : xa < m) m = xa;
      }
      const e = typ * (exp(m) - K);
      if (e > 0.0) Y = DF * e;
    }
    let X: f64 = 0.0;
    if (control == CV_UNDERLYING) {
      let u: f64 = 0.0;
      for (let a = 0; a < n; ++a) u += ld(pCw, a) * exp(ld(pX, a));
      X = DF * u;
    } else if (control == CV_GEOMETRIC_BASKET) {
      const e = typ * (geo - K);
      X = e > 0.0 ? DF * e : 0.0;
    }
    const w: f64 = 1.0;
    const wY = w * Y;
    acc(pAcc, A_PATHS, 1.0);
    acc(pAcc, A_SUM_W, w);
    acc(pAcc, A_SUM_WW, w * w);
    acc(pAcc, A_PATH_Y, wY);
    acc(pAcc, A_PATH_YY, wY * Y);
    let sY = wY;
    let sX = w * X;
    if (anti) {
      if (!odd) {
        pY = sY;
        pXc = sX;
        continue;
      }
      sY = 0.5 * (pY + sY);
      sX = 0.5 * (pXc + sX);
    }
    acc(pAcc, A_SAMPLES, 1.0);
    acc(pAcc, A_SUM_Y, sY);
    acc(pAcc, A_SUM_YY, sY * sY);
    if (control != CV_NONE) {
      acc(pAcc, A_SUM_X, sX);
      acc(pAcc, A_SUM_XX, sX * sX);
      acc(pAcc, A_SUM_XY, sX * sY);
    }
  }
  return 0;
}
