// Pure-JS twin of assembly/risk/portfolio-revalue.ts (same argument order; the heap views come
// first). See that file and layout.ts for the conventions.
import type { KernelHeap } from '../heap.js';
import { black76Undiscounted } from '../pricing/normalised-black.js';
import {
  COL_ACCOUNT, COL_CARRY, COL_EXPIRY, COL_FACTOR, COL_KIND, COL_QUANTITY, COL_RATE, COL_STRIKE, COL_TYPE, COL_VOL,
  COL_VOL_SCALE, KIND_FUTURE, KIND_INVERSE_FUTURE, KIND_OPTION_COIN, KIND_OPTION_USD, KIND_PERPETUAL, KIND_SPOT,
  VOL_SHOCK_ABSOLUTE, VOL_SHOCK_RELATIVE,
} from './layout.js';

function shockedVol(vol: number, d: number, mode: number): number {
  const v = mode === VOL_SHOCK_ABSOLUTE ? vol + d : mode === VOL_SHOCK_RELATIVE ? vol * (1 + d) : vol * Math.exp(d);
  return v > 0 ? v : v === v ? 0 : v;
}

export function portfolioRevalue(
  heap: KernelHeap, n: number, m: number, nFactors: number, nAccounts: number, pPosF64: number, pPosI32: number,
  pSpots: number, pLogReturns: number, pVolShocks: number, volMode: number, horizon: number, pNumeraire: number,
  pScratch: number, pOut: number, pPositionPnl: number,
): number {
  if (n < 0 || m < 0 || nFactors < 1 || nAccounts < 1 || volMode < 0 || volMode > 2 || !(horizon >= 0)) return 1;
  const { f64, i32 } = heap;
  const F = pPosF64 >>> 3;
  const I = pPosI32 >>> 2;
  const col = (c: number, i: number): number => f64[F + c * n + i];
  const icol = (c: number, i: number): number => i32[I + c * n + i];
  for (let i = 0; i < n; i++) {
    const kind = icol(COL_KIND, i), f = icol(COL_FACTOR, i), a = icol(COL_ACCOUNT, i);
    if (kind < KIND_SPOT || kind > KIND_OPTION_COIN || f < 0 || f >= nFactors || a < 0 || a >= nAccounts) return 1;
  }
  const iNum = pNumeraire >>> 2;
  if (pNumeraire !== 0) {
    for (let a = 0; a < nAccounts; a++) {
      const num = i32[iNum + a];
      if (num < -1 || num >= nFactors) return 1;
    }
  }
  const iSpots = pSpots >>> 3, iLr = pLogReturns >>> 3, iVs = pVolShocks >>> 3, iScr = pScratch >>> 3;
  const iOut = pOut >>> 3, iPos = pPositionPnl >>> 3;
  for (let s = 0; s < m; s++) {
    for (let f = 0; f < nFactors; f++) f64[iScr + f * m + s] = Math.exp(f64[iLr + s * nFactors + f]);
  }
  f64.fill(0, iOut, iOut + nAccounts * m);
  for (let i = 0; i < n; i++) {
    const kind = icol(COL_KIND, i), f = icol(COL_FACTOR, i), a = icol(COL_ACCOUNT, i), theta = icol(COL_TYPE, i);
    const q = col(COL_QUANTITY, i), K = col(COL_STRIKE, i), T = col(COL_EXPIRY, i), vol = col(COL_VOL, i);
    const rate = col(COL_RATE, i), carry = col(COL_CARRY, i), volScale = col(COL_VOL_SCALE, i);
    const S = f64[iSpots + f];
    const num = pNumeraire !== 0 ? i32[iNum + a] : -1;
    const numBase = num >= 0 ? f64[iSpots + num] : 1;
    const ratios = iScr + f * m;
    const numRatios = num >= 0 ? iScr + num * m : -1;
    const outRow = iOut + a * m;
    const posRow = pPositionPnl !== 0 ? iPos + i * m : -1;
    const T1 = Math.max(T - horizon, 0);
    let base = 0;
    if (kind === KIND_SPOT) {
      base = q * S;
    } else if (kind === KIND_OPTION_USD || kind === KIND_OPTION_COIN) {
      const F0 = S * Math.exp(carry * T);
      const x = Math.log(F0 / K);
      const b = black76Undiscounted(F0, K, x, vol * Math.sqrt(T), theta);
      base = kind === KIND_OPTION_USD ? q * Math.exp(-rate * T) * b : q * Math.exp(-rate * T) * b / F0 * S;
    }
    const baseNum = base / numBase;
    const F0 = S * Math.exp(carry * T);
    const F1base = S * Math.exp(carry * T1);
    const DF1 = Math.exp(-rate * T1);
    const x1base = Math.log(F1base / K);
    const sqrtT1 = Math.sqrt(T1);
    const funding = carry * horizon;
    for (let s = 0; s < m; s++) {
      const ratio = f64[ratios + s];
      const S1 = S * ratio;
      let v: number;
      if (kind === KIND_SPOT) {
        v = q * S1;
      } else if (kind === KIND_PERPETUAL) {
        v = q * (S1 - S) - q * S1 * funding;
      } else if (kind === KIND_FUTURE) {
        v = q * (F1base * ratio - F0);
      } else if (kind === KIND_INVERSE_FUTURE) {
        v = q * (1 / F0 - 1 / (F1base * ratio)) * S1;
      } else {
        const F1 = F1base * ratio;
        const x1 = x1base + f64[iLr + s * nFactors + f];
        let vol1 = vol;
        if (pVolShocks !== 0) vol1 = shockedVol(vol, volScale * f64[iVs + s * nFactors + f], volMode);
        const b = black76Undiscounted(F1, K, x1, vol1 * sqrtT1, theta);
        v = kind === KIND_OPTION_USD ? q * DF1 * b : q * DF1 * b / F1 * S1;
      }
      if (posRow >= 0) f64[posRow + s] = v - base;
      const vNum = numRatios >= 0 ? v / (numBase * f64[numRatios + s]) : v;
      f64[outRow + s] += vNum - baseNum;
    }
  }
  return 0;
}
