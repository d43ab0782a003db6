// Full revaluation of portfolios over scenarios: accounts x positions x scenarios in one call.
// Mirrored in src/kernels/risk/portfolio-revalue.ts. Layout and instrument conventions: layout.ts.
//
// Each scenario moves every factor's spot by a log-return (S' = S e^{r}), optionally shocks its
// implied vols, and advances time by `horizon` years (T' = max(T - h, 0)), so the zero scenario
// carries theta and funding. Options are repriced with the accurate normalised Black function
// (Jaeckel 2015): price = DF [intrinsic + min(F, K) c(-|x|, s)], x = ln(F/K), s = vol sqrt(T).
// Per-position USD P&L is V(scenario) - V(base); an account's P&L is the sum over its positions,
// in USD, or in coins of a numeraire factor: sum V'/S'_num - sum V/S_num.

import { black76Undiscounted } from "../pricing/normalised-black";
import { black76UndiscountedX2 } from "./black76-x2";
import {
  POS_F64_COLUMNS, POS_I32_COLUMNS, COL_QUANTITY, COL_STRIKE, COL_EXPIRY, COL_VOL, COL_RATE, COL_CARRY, COL_VOL_SCALE,
  COL_KIND, COL_FACTOR, COL_ACCOUNT, COL_TYPE, KIND_SPOT, KIND_PERPETUAL, KIND_FUTURE, KIND_INVERSE_FUTURE,
  KIND_OPTION_USD, KIND_OPTION_COIN, VOL_SHOCK_ABSOLUTE, VOL_SHOCK_RELATIVE, VOL_SHOCK_LOG,
} from "./layout";

// @ts-ignore: decorator
@inline
function shockedVol(vol: f64, d: f64, mode: i32): f64 {
  let v = mode == VOL_SHOCK_ABSOLUTE ? vol + d : mode == VOL_SHOCK_RELATIVE ? vol * (1.0 + d) : vol * Math.exp(d);
  return v > 0.0 ? v : v == v ? 0.0 : v;
}

/**
 * Revalue n positions over m scenarios of f factors.
 * pSpots: f64 [nFactors] base spots. pLogReturns: f64 [m][nFactors]. pVolShocks: f64 [m][nFactors] or 0.
 * pNumeraire: i32 [nAccounts] (-1 = USD, else a factor whose coin the account counts in) or 0 (all USD).
 * pScratch: f64 [nFactors][m] (spot ratios, written here). pOut: f64 [nAccounts][m] account P&L
 * (overwritten). pPositionPnl: f64 [n][m] USD P&L per position, or 0.
 * Returns 0, or 1 for a malformed call (bad counts, kind, factor, account or mode): nothing useful written.
 */
export function portfolioRevalue(
  n: i32, m: i32, nFactors: i32, nAccounts: i32, pPosF64: usize, pPosI32: usize, pSpots: usize,
  pLogReturns: usize, pVolShocks: usize, volMode: i32, horizon: f64, pNumeraire: usize,
  pScratch: usize, pOut: usize, pPositionPnl: usize,
): i32 {
  if (n < 0 || m < 0 || nFactors < 1 || nAccounts < 1 || volMode < 0 || volMode > 2 || !(horizon >= 0.0)) return 1;
  const colStride = <usize>n << 3;
  const icolStride = <usize>n << 2;
  for (let i = 0; i < n; i++) {
    const oi = <usize>i << 2;
    const kind = load<i32>(pPosI32 + <usize>COL_KIND * icolStride + oi);
    const f = load<i32>(pPosI32 + <usize>COL_FACTOR * icolStride + oi);
    const a = load<i32>(pPosI32 + <usize>COL_ACCOUNT * icolStride + oi);
    if (kind < KIND_SPOT || kind > KIND_OPTION_COIN || f < 0 || f >= nFactors || a < 0 || a >= nAccounts) return 1;
  }
  if (pNumeraire != 0) {
    for (let a = 0; a < nAccounts; a++) {
      const num = load<i32>(pNumeraire + (<usize>a << 2));
      if (num < -1 || num >= nFactors) return 1;
    }
  }
  // Spot ratios, transposed to [factor][scenario] so the position loop reads them contiguously.
  const mStride = <usize>m << 3;
  for (let s = 0; s < m; s++) {
    for (let f = 0; f < nFactors; f++) {
      const r = load<f64>(pLogReturns + ((<usize>s * <usize>nFactors + <usize>f) << 3));
      store<f64>(pScratch + <usize>f * mStride + (<usize>s << 3), Math.exp(r));
    }
  }
  // Accounts start from minus their base value (in their numeraire).
  for (let a = 0; a < nAccounts; a++) {
    const row = pOut + <usize>a * mStride;
    for (let s = 0; s < m; s++) store<f64>(row + (<usize>s << 3), 0.0);
  }
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const oi = <usize>i << 2;
    const kind = load<i32>(pPosI32 + <usize>COL_KIND * icolStride + oi);
    const f = load<i32>(pPosI32 + <usize>COL_FACTOR * icolStride + oi);
    const a = load<i32>(pPosI32 + <usize>COL_ACCOUNT * icolStride + oi);
    const theta = <f64>load<i32>(pPosI32 + <usize>COL_TYPE * icolStride + oi);
    const q = load<f64>(pPosF64 + <usize>COL_QUANTITY * colStride + o);
    const K = load<f64>(pPosF64 + <usize>COL_STRIKE * colStride + o);
    const T = load<f64>(pPosF64 + <usize>COL_EXPIRY * colStride + o);
    const vol = load<f64>(pPosF64 + <usize>COL_VOL * colStride + o);
    const rate = load<f64>(pPosF64 + <usize>COL_RATE * colStride + o);
    const carry = load<f64>(pPosF64 + <usize>COL_CARRY * colStride + o);
    const volScale = load<f64>(pPosF64 + <usize>COL_VOL_SCALE * colStride + o);
    const S = load<f64>(pSpots + (<usize>f << 3));
    const num = pNumeraire != 0 ? load<i32>(pNumeraire + (<usize>a << 2)) : -1;
    const numBase = num >= 0 ? load<f64>(pSpots + (<usize>num << 3)) : 1.0;
    const ratios = pScratch + <usize>f * mStride;
    const numRatios = num >= 0 ? pScratch + <usize>num * mStride : 0;
    const outRow = pOut + <usize>a * mStride;
    const posRow = pPositionPnl != 0 ? pPositionPnl + <usize>i * mStride : 0;
    const T1 = Math.max(T - horizon, 0.0);
    // Base value and the per-position constants of the scenario value V' = V(S ratio, vol shock).
    let base: f64 = 0.0;
    if (kind == KIND_SPOT) {
      base = q * S;
    } else if (kind == KIND_OPTION_USD || kind == KIND_OPTION_COIN) {
      const F = S * Math.exp(carry * T);
      const x = Math.log(F / K);
      const b = black76Undiscounted(F, K, x, vol * Math.sqrt(T), theta);
      base = kind == KIND_OPTION_USD ? q * Math.exp(-rate * T) * b : q * Math.exp(-rate * T) * b / F * S;
    }
    const baseNum = base / numBase;
    // Scenario constants.
    const F0 = S * Math.exp(carry * T);
    const F1base = S * Math.exp(carry * T1); // forward at T' before the spot move
    const DF1 = Math.exp(-rate * T1);
    const x1base = Math.log(F1base / K);
    const sqrtT1 = Math.sqrt(T1);
    const funding = carry * horizon;
    let s0 = 0;
    if (kind == KIND_OPTION_USD || kind == KIND_OPTION_COIN) {
      // Options: two scenarios per f64x2 lane pair, each lane the scalar loop's operations below.
      const S2 = f64x2.splat(S);
      const F1base2 = f64x2.splat(F1base);
      const x1base2 = f64x2.splat(x1base);
      const qDF1 = f64x2.mul(f64x2.splat(q), f64x2.splat(DF1));
      const sqrtT12 = f64x2.splat(sqrtT1);
      const base2 = f64x2.splat(base);
      const baseNum2 = f64x2.splat(baseNum);
      const numBase2 = f64x2.splat(numBase);
      const fStride = <usize>nFactors << 3;
      for (; s0 + 2 <= m; s0 += 2) {
        const os = <usize>s0 << 3;
        const ratio = v128.load(ratios + os);
        const S1 = f64x2.mul(S2, ratio);
        const F1 = f64x2.mul(F1base2, ratio);
        const pr = pLogReturns + ((<usize>s0 * <usize>nFactors + <usize>f) << 3);
        const x1 = f64x2.add(x1base2, v128.load64_lane(pr + fStride, v128.load64_zero(pr), 1));
        let vol1 = f64x2.splat(vol);
        if (pVolShocks != 0) {
          const pv = pVolShocks + ((<usize>s0 * <usize>nFactors + <usize>f) << 3);
          vol1 = f64x2.replace_lane(
            f64x2.splat(shockedVol(vol, volScale * load<f64>(pv), volMode)),
            1, shockedVol(vol, volScale * load<f64>(pv + fStride), volMode),
          );
        }
        const b = black76UndiscountedX2(F1, K, x1, f64x2.mul(vol1, sqrtT12), theta);
        let v = f64x2.mul(qDF1, b);
        if (kind != KIND_OPTION_USD) v = f64x2.mul(f64x2.div(v, F1), S1);
        if (posRow != 0) v128.store(posRow + os, f64x2.sub(v, base2));
        const vNum = numRatios != 0 ? f64x2.div(v, f64x2.mul(numBase2, v128.load(numRatios + os))) : v;
        v128.store(outRow + os, f64x2.add(v128.load(outRow + os), f64x2.sub(vNum, baseNum2)));
      }
    }
    for (let s = s0; s < m; s++) {
      const os = <usize>s << 3;
      const ratio = load<f64>(ratios + os);
      const S1 = S * ratio;
      let v: f64;
      if (kind == KIND_SPOT) {
        v = q * S1;
      } else if (kind == KIND_PERPETUAL) {
        v = q * (S1 - S) - q * S1 * funding;
      } else if (kind == KIND_FUTURE) {
        v = q * (F1base * ratio - F0);
      } else if (kind == KIND_INVERSE_FUTURE) {
        v = q * (1.0 / F0 - 1.0 / (F1base * ratio)) * S1;
      } else {
        const F1 = F1base * ratio;
        const x1 = x1base + load<f64>(pLogReturns + ((<usize>s * <usize>nFactors + <usize>f) << 3));
        let vol1 = vol;
        if (pVolShocks != 0) {
          vol1 = shockedVol(vol, volScale * load<f64>(pVolShocks + ((<usize>s * <usize>nFactors + <usize>f) << 3)), volMode);
        }
        const b = black76Undiscounted(F1, K, x1, vol1 * sqrtT1, theta);
        v = kind == KIND_OPTION_USD ? q * DF1 * b : q * DF1 * b / F1 * S1;
      }
      if (posRow != 0) store<f64>(posRow + os, v - base);
      const vNum = numRatios != 0 ? v / (numBase * load<f64>(numRatios + os)) : v;
      store<f64>(outRow + os, load<f64>(outRow + os) + (vNum - baseNum));
    }
  }
  return 0;
}
