// Multi-asset Monte Carlo shard kernel (pure-JS twin of assembly/montecarlo/multi-asset.ts):
// correlated GBM for n assets, simulated exactly, one payoff on the assets at expiry per path and
// its control variate; ADDS the sums of the accumulator block at pAcc. Line for line the
// AssemblyScript kernel; `heap` views replace raw loads and stores.
//
// Model (x_a = ln S_a, dt = T / steps, n draws per step, draw j = step * n + a):
//   x_a += (r - q_a - vol_a^2 / 2) dt + vol_a sqrt(dt) sum_{k <= a} L_ak Z_k
// with Z_k = normal(step * n + k) from draws.ts and L the lower-triangular factor of the
// correlation matrix (C = L L^T). With n = 1 and L = [1] every operation is the one mcShard does
// for GBM, so a one-asset basket with weight 1 gives mcShard's European sums bit for bit.
//
// Payoffs (DF = e^{-rT}, theta = +-1): basket (theta (sum w_a S_a - K))^+; geometric basket
// (theta (W exp(sum (w_a / W) x_a) - K))^+ with W = sum w_a; spread (theta (S_i - S_j - K))^+;
// best-of / worst-of (theta (max or min S_a - K))^+. Controls: CV_UNDERLYING X = DF sum c_a S_a,
// CV_GEOMETRIC_BASKET X = the geometric basket on the payoff's weights, strike and type.
//
// Returns 0, or 1 for a malformed call (see the AssemblyScript kernel).

import type { KernelHeap } from '../heap.js';
import { drawsShardBegin, drawsShardPath, normal } from './draws.js';
import { exp, log } from '../math/elementary.js';
import {
  P_MODEL, P_RATE, P_EXPIRY, P_ASSETS, P_PAYOFF, P_STRIKE, P_TYPE, P_ASSET_LONG, P_ASSET_SHORT, P_ANTITHETIC, P_CONTROL,
  MODEL_MULTI_GBM, PAYOFF_NONE, PAYOFF_BASKET, PAYOFF_GEOMETRIC_BASKET, PAYOFF_SPREAD, PAYOFF_BEST_OF, PAYOFF_WORST_OF,
  CV_NONE, CV_UNDERLYING, CV_GEOMETRIC_BASKET, DRAWS_PHILOX, DRAWS_SOBOL_BRIDGE,
  MA_SPOT, MA_DIVIDEND, MA_VOL, MA_WEIGHT, MA_CV_WEIGHT, MA_FACTOR,
  A_SAMPLES, A_SUM_Y, A_SUM_YY, A_SUM_X, A_SUM_XX, A_SUM_XY, A_PATHS, A_SUM_W, A_SUM_WW, A_PATH_Y, A_PATH_YY,
} from './layout.js';

export function mcMultiAssetShard(
  heap: KernelHeap, pathStart: number, count: number, steps: number, n: number, seedLo: number, seedHi: number, stream: number,
  pParams: number, pAssets: number, drawMode: number, pDraws: number, pAcc: number, pPaths: number, pBridge: number, pScratch: number,
): number {
  count |= 0;
  steps |= 0;
  n |= 0;
  drawMode |= 0;
  const F = heap.f64;
  const pp0 = pParams >>> 3;
  const pa = pAcc >>> 3;
  const par = (i: number): number => F[pp0 + i]!;
  if (count < 0 || steps < 1 || n < 1 || drawMode < DRAWS_PHILOX || drawMode > DRAWS_SOBOL_BRIDGE) return 1;
  if (!(pathStart >= 0.0) || pathStart !== Math.floor(pathStart) || pathStart + count > 4294967296.0) return 1;
  if (steps * n > 0x7fffffff || par(P_ASSETS) !== n) return 1;
  const model = par(P_MODEL);
  const payoff = par(P_PAYOFF);
  const control = par(P_CONTROL);
  const anti = par(P_ANTITHETIC) !== 0.0;
  if (model !== MODEL_MULTI_GBM) return 1;
  if (payoff !== PAYOFF_NONE && !(payoff >= PAYOFF_BASKET && payoff <= PAYOFF_WORST_OF && Number.isInteger(payoff))) return 1;
  if (control !== CV_NONE && control !== CV_UNDERLYING && control !== CV_GEOMETRIC_BASKET) return 1;
  const iLong = Math.trunc(par(P_ASSET_LONG));
  const iShort = Math.trunc(par(P_ASSET_SHORT));
  if (payoff === PAYOFF_SPREAD && !(iLong >= 0 && iLong < n && iShort >= 0 && iShort < n)) return 1;
  const start = pathStart;
  if (anti && ((start & 1) !== 0 || (count & 1) !== 0)) return 1;

  const rate = par(P_RATE);
  const T = par(P_EXPIRY);
  const K = par(P_STRIKE);
  const typ = par(P_TYPE);
  const dt = T / steps;
  const sqdt = Math.sqrt(dt);
  const DF = exp(-rate * T);
  const needGeo = payoff === PAYOFF_GEOMETRIC_BASKET || control === CV_GEOMETRIC_BASKET;

  // Scratch (f64 indices): drift[n], A[n x n] = diag(vol sqrt(dt)) L, x[n], z[n], geometric weights w / W [n].
  const iDrift = pScratch >>> 3;
  const iA = iDrift + n;
  const iX = iA + n * n;
  const iZ = iX + n;
  const iG = iZ + n;
  const a0 = pAssets >>> 3;
  const iSpot = a0 + MA_SPOT * n;
  const iDiv = a0 + MA_DIVIDEND * n;
  const iVol = a0 + MA_VOL * n;
  const iWt = a0 + MA_WEIGHT * n;
  const iCw = a0 + MA_CV_WEIGHT * n;
  const iL = a0 + MA_FACTOR * n;
  let wSum = 0.0;
  for (let a = 0; a < n; ++a) wSum += F[iWt + a]!;
  for (let a = 0; a < n; ++a) {
    const vol = F[iVol + a]!;
    F[iDrift + a] = (rate - F[iDiv + a]! - 0.5 * vol * vol) * dt;
    const sd = vol * sqdt;
    for (let k = 0; k < n; ++k) F[iA + a * n + k] = k <= a ? sd * F[iL + a * n + k]! : 0.0;
    F[iG + a] = needGeo ? F[iWt + a]! / wSum : 0.0;
  }

  const pathLen = (steps + 1) * n;
  drawsShardBegin(heap, drawMode, anti, count, steps, n, seedLo, seedHi, stream, pDraws, pBridge);

  // Pending first path of an antithetic pair.
  let pY = 0.0;
  let pXc = 0.0;

  for (let i = 0; i < count; ++i) {
    const odd = drawsShardPath(start, i);
    const iOutRow = (pPaths >>> 3) + i * pathLen;
    for (let a = 0; a < n; ++a) {
      const s0 = F[iSpot + a]!;
      F[iX + a] = log(s0);
      if (pPaths !== 0) F[iOutRow + a] = s0;
    }

    for (let s = 0; s < steps; ++s) {
      const j0 = s * n;
      for (let a = 0; a < n; ++a) F[iZ + a] = normal(j0 + a);
      for (let a = 0; a < n; ++a) {
        const row = iA + a * n;
        let c = 0.0;
        for (let k = 0; k <= a; ++k) c += F[row + k]! * F[iZ + k]!;
        F[iX + a] = F[iX + a]! + (F[iDrift + a]! + c);
      }
      if (pPaths !== 0) {
        const out = iOutRow + (s + 1) * n;
        for (let a = 0; a < n; ++a) F[out + a] = exp(F[iX + a]!);
      }
    }

    // Payoff and control.
    let Y = 0.0;
    let geo = 0.0;
    if (needGeo) {
      let g = 0.0;
      for (let a = 0; a < n; ++a) g += F[iG + a]! * F[iX + a]!;
      geo = wSum * exp(g);
    }
    if (payoff === PAYOFF_BASKET) {
      let b = 0.0;
      for (let a = 0; a < n; ++a) b += F[iWt + a]! * exp(F[iX + a]!);
      const e = typ * (b - K);
      if (e > 0.0) Y = DF * e;
    } else if (payoff === PAYOFF_GEOMETRIC_BASKET) {
      const e = typ * (geo - K);
      if (e > 0.0) Y = DF * e;
    } else if (payoff === PAYOFF_SPREAD) {
      const e = typ * (exp(F[iX + iLong]!) - exp(F[iX + iShort]!) - K);
      if (e > 0.0) Y = DF * e;
    } else if (payoff === PAYOFF_BEST_OF || payoff === PAYOFF_WORST_OF) {
      let m = F[iX]!;
      for (let a = 1; a < n; ++a) {
        const xa = F[iX + a]!;
        if (payoff === PAYOFF_BEST_OF ? xa > m : xa < m) m = xa;
      }
      const e = typ * (exp(m) - K);
      if (e > 0.0) Y = DF * e;
    }
    let X = 0.0;
    if (control === CV_UNDERLYING) {
      let u = 0.0;
      for (let a = 0; a < n; ++a) u += F[iCw + a]! * exp(F[iX + a]!);
      X = DF * u;
    } else if (control === CV_GEOMETRIC_BASKET) {
      const e = typ * (geo - K);
      X = e > 0.0 ? DF * e : 0.0;
    }
    const w = 1.0;
    const wY = w * Y;
    F[pa + A_PATHS] += 1.0;
    F[pa + A_SUM_W] += w;
    F[pa + A_SUM_WW] += w * w;
    F[pa + A_PATH_Y] += wY;
    F[pa + A_PATH_YY] += wY * Y;
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
    F[pa + A_SAMPLES] += 1.0;
    F[pa + A_SUM_Y] += sY;
    F[pa + A_SUM_YY] += sY * sY;
    if (control !== CV_NONE) {
      F[pa + A_SUM_X] += sX;
      F[pa + A_SUM_XX] += sX * sX;
      F[pa + A_SUM_XY] += sX * sY;
    }
  }
  return 0;
}
