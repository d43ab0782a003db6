// Pure-JS twin of assembly/margin/liquidation-price.ts (same argument order; the heap views come
// first). See that file for the method and layout.ts for the columns.
import type { KernelHeap } from '../heap.js';
import { black76Undiscounted } from '../pricing/normalised-black.js';
import { KIND_FUTURE, KIND_INVERSE_FUTURE, KIND_OPTION_COIN, KIND_OPTION_USD, KIND_PERPETUAL, KIND_SPOT } from '../risk/layout.js';
import {
  LIQ_ALREADY, LIQ_CARRY, LIQ_CONSTANT, LIQ_ENTRY, LIQ_EXPIRY, LIQ_FOUND, LIQ_INVALID, LIQ_KIND, LIQ_MM_MARK_RATE,
  LIQ_MM_RATE, LIQ_NONE, LIQ_NOT_CONVERGED, LIQ_OUT_COLUMNS, LIQ_OUT_EQUITY, LIQ_OUT_EVALUATIONS, LIQ_OUT_ITERATIONS,
  LIQ_OUT_MARGIN, LIQ_OUT_PRICE, LIQ_PROB_COINS, LIQ_PROB_EQUITY, LIQ_PROB_INDEX, LIQ_PROB_LOWER, LIQ_PROB_MARGIN,
  LIQ_PROB_UPPER, LIQ_QUANTITY, LIQ_RATE, LIQ_RULE, LIQ_RULE_NONE, LIQ_RULE_PREMIUM, LIQ_RULE_SHORT_OPTION,
  LIQ_RULE_TIERS, LIQ_SCAN_FIRST, LIQ_SCAN_GROWTH, LIQ_SIZE_RATE, LIQ_STRIKE, LIQ_TIER_COLUMNS, LIQ_TIER_COUNT, LIQ_TIER_START,
  LIQ_TYPE, LIQ_UNIT, LIQ_VALUE_SCALE, LIQ_VOL,
} from './layout.js';

const EPS = 2.220446049250313e-16;

let gEquity = 0;
let gMargin = 0;

function tierMargin(f64: Float64Array, N: number, start: number, count: number, iTiers: number): number {
  if (count <= 0) return 0;
  let k = start;
  const last = start + count - 1;
  while (k < last && N > f64[iTiers + k * LIQ_TIER_COLUMNS]) k++;
  const row = iTiers + k * LIQ_TIER_COLUMNS;
  return N * f64[row + 1] - f64[row + 2];
}

function evaluate(
  heap: KernelHeap, s: number, i0: number, i1: number, n: number, pF: number, pI: number, pTiers: number,
  equity0: number, margin0: number, coins: number,
): void {
  const { f64, i32 } = heap;
  const F0 = pF >>> 3, I0 = pI >>> 2, iTiers = pTiers >>> 3;
  let e = equity0 + coins * s;
  let m = margin0;
  for (let i = i0; i < i1; i++) {
    const kind = i32[I0 + LIQ_KIND * n + i];
    const q = f64[F0 + LIQ_QUANTITY * n + i];
    if (kind === KIND_SPOT) {
      e += q * s * f64[F0 + LIQ_VALUE_SCALE * n + i];
      continue;
    }
    const T = f64[F0 + LIQ_EXPIRY * n + i];
    const F = s * Math.exp(f64[F0 + LIQ_CARRY * n + i] * T);
    const rule = i32[I0 + LIQ_RULE * n + i];
    e += f64[F0 + LIQ_CONSTANT * n + i];
    if (kind === KIND_PERPETUAL || kind === KIND_FUTURE) {
      e += q * (F - f64[F0 + LIQ_ENTRY * n + i]);
      if (rule === LIQ_RULE_TIERS) {
        m += tierMargin(f64, Math.abs(q) * F, i32[I0 + LIQ_TIER_START * n + i], i32[I0 + LIQ_TIER_COUNT * n + i], iTiers);
      }
    } else if (kind === KIND_INVERSE_FUTURE) {
      e += q * (1 / f64[F0 + LIQ_ENTRY * n + i] - 1 / F) * s;
      if (rule === LIQ_RULE_TIERS) {
        const coinSize = Math.abs(q) / F;
        const X = coinSize * s;
        m += tierMargin(f64, X, i32[I0 + LIQ_TIER_START * n + i], i32[I0 + LIQ_TIER_COUNT * n + i], iTiers)
          + X * coinSize * f64[F0 + LIQ_SIZE_RATE * n + i];
      }
    } else {
      const K = f64[F0 + LIQ_STRIKE * n + i];
      const theta = i32[I0 + LIQ_TYPE * n + i];
      const sd = f64[F0 + LIQ_VOL * n + i] * Math.sqrt(T);
      const df = Math.exp(-f64[F0 + LIQ_RATE * n + i] * T);
      const b = black76Undiscounted(F, K, Math.log(F / K), sd, theta);
      const mark = kind === KIND_OPTION_USD ? df * b : df * b / F * s;
      e += q * mark;
      if (rule === LIQ_RULE_SHORT_OPTION) {
        const unit = kind === KIND_OPTION_COIN || i32[I0 + LIQ_UNIT * n + i] === 0 ? s : F;
        const c = f64[F0 + LIQ_MM_RATE * n + i];
        const d = f64[F0 + LIQ_MM_MARK_RATE * n + i];
        m += Math.abs(q) * (Math.max(c * unit, d * mark) + mark);
      } else if (rule === LIQ_RULE_PREMIUM) {
        m += Math.abs(q) * mark;
      }
    }
  }
  gEquity = e;
  gMargin = m;
}

function writeOut(
  heap: KernelHeap, pOut: number, pStatus: number, p: number, dir: number, price: number, equity: number, margin: number,
  iterations: number, evaluations: number, status: number,
): void {
  const row = (pOut >>> 3) + (p * 2 + dir) * LIQ_OUT_COLUMNS;
  heap.f64[row + LIQ_OUT_PRICE] = price;
  heap.f64[row + LIQ_OUT_EQUITY] = equity;
  heap.f64[row + LIQ_OUT_MARGIN] = margin;
  heap.f64[row + LIQ_OUT_ITERATIONS] = iterations;
  heap.f64[row + LIQ_OUT_EVALUATIONS] = evaluations;
  heap.u8[pStatus + p * 2 + dir] = status;
}

export function liquidationPrice(
  heap: KernelHeap, nProblems: number, nPositions: number, pPosF64: number, pPosI32: number, pStarts: number,
  pProblems: number, nTiers: number, pTiers: number, maxIterations: number, pOut: number, pStatus: number,
): number {
  if (nProblems < 0 || nPositions < 0 || nTiers < 0 || maxIterations < 1) return 1;
  const { f64, i32 } = heap;
  const iStarts = pStarts >>> 2;
  if (i32[iStarts] !== 0 || i32[iStarts + nProblems] !== nPositions) return 1;
  for (let p = 0; p < nProblems; p++) if (i32[iStarts + p + 1] < i32[iStarts + p]) return 1;
  const I0 = pPosI32 >>> 2;
  for (let i = 0; i < nPositions; i++) {
    const kind = i32[I0 + LIQ_KIND * nPositions + i];
    const rule = i32[I0 + LIQ_RULE * nPositions + i];
    const t0 = i32[I0 + LIQ_TIER_START * nPositions + i];
    const tn = i32[I0 + LIQ_TIER_COUNT * nPositions + i];
    if (kind !== KIND_SPOT && kind !== KIND_PERPETUAL && kind !== KIND_FUTURE && kind !== KIND_INVERSE_FUTURE && kind !== KIND_OPTION_USD && kind !== KIND_OPTION_COIN) return 1;
    if (rule < LIQ_RULE_NONE || rule > LIQ_RULE_PREMIUM) return 1;
    if (rule === LIQ_RULE_TIERS && (t0 < 0 || tn < 0 || t0 + tn > nTiers)) return 1;
  }
  const P0 = pProblems >>> 3;
  for (let p = 0; p < nProblems; p++) {
    const s0 = f64[P0 + LIQ_PROB_INDEX * nProblems + p];
    const equity0 = f64[P0 + LIQ_PROB_EQUITY * nProblems + p];
    const margin0 = f64[P0 + LIQ_PROB_MARGIN * nProblems + p];
    const coins = f64[P0 + LIQ_PROB_COINS * nProblems + p];
    const lower = f64[P0 + LIQ_PROB_LOWER * nProblems + p];
    const upper = f64[P0 + LIQ_PROB_UPPER * nProblems + p];
    const i0 = i32[iStarts + p];
    const i1 = i32[iStarts + p + 1];
    const ok = s0 > 0 && s0 < Infinity && lower > 0 && lower < s0 && upper > s0 && upper < Infinity
      && Math.abs(equity0) < Infinity && Math.abs(margin0) < Infinity && Math.abs(coins) < Infinity;
    let f0 = NaN;
    if (ok) {
      evaluate(heap, s0, i0, i1, nPositions, pPosF64, pPosI32, pTiers, equity0, margin0, coins);
      f0 = gEquity - gMargin;
    }
    if (!(f0 === f0) || !(Math.abs(gEquity) < Infinity) || !(Math.abs(gMargin) < Infinity)) {
      for (let dir = 0; dir < 2; dir++) writeOut(heap, pOut, pStatus, p, dir, NaN, NaN, NaN, 0, ok ? 1 : 0, LIQ_INVALID);
      continue;
    }
    if (f0 <= 0) {
      for (let dir = 0; dir < 2; dir++) writeOut(heap, pOut, pStatus, p, dir, s0, gEquity, gMargin, 0, 1, LIQ_ALREADY);
      continue;
    }
    for (let dir = 0; dir < 2; dir++) {
      const sign = dir === 0 ? -1 : 1;
      const bound = dir === 0 ? lower : upper;
      const span = Math.abs(Math.log(bound / s0));
      let a = s0, fa = f0;
      let b = s0, fb = f0, eb = gEquity, mb = gMargin;
      let cum = 0, step = LIQ_SCAN_FIRST;
      let evaluations = 1;
      let bracketed = false, bad = false;
      for (;;) {
        cum += step;
        step *= LIQ_SCAN_GROWTH;
        const atBound = cum >= span;
        b = atBound ? bound : s0 * Math.exp(sign * cum);
        evaluate(heap, b, i0, i1, nPositions, pPosF64, pPosI32, pTiers, equity0, margin0, coins);
        fb = gEquity - gMargin;
        eb = gEquity;
        mb = gMargin;
        evaluations += 1;
        if (!(fb === fb)) { bad = true; break; }
        if (fb <= 0) { bracketed = true; break; }
        if (atBound) break;
        a = b;
        fa = fb;
      }
      if (bad) {
        writeOut(heap, pOut, pStatus, p, dir, NaN, NaN, NaN, 0, evaluations, LIQ_INVALID);
        continue;
      }
      if (!bracketed) {
        writeOut(heap, pOut, pStatus, p, dir, NaN, eb, mb, 0, evaluations, LIQ_NONE);
        continue;
      }
      let x = b, ex = eb, mx = mb;
      let iterations = 0;
      let converged = fb === 0 || Math.abs(fb) <= 4 * EPS * (Math.abs(eb) + Math.abs(mb));
      while (!converged && iterations < maxIterations) {
        iterations++;
        const lo = Math.min(a, b), hi = Math.max(a, b);
        let c = (a * fb - b * fa) / (fb - fa);
        if (!(c > lo && c < hi)) c = 0.5 * (a + b);
        if (!(c > lo && c < hi)) { converged = true; break; }
        evaluate(heap, c, i0, i1, nPositions, pPosF64, pPosI32, pTiers, equity0, margin0, coins);
        const fc = gEquity - gMargin;
        evaluations += 1;
        if (!(fc === fc)) { bad = true; break; }
        x = c;
        ex = gEquity;
        mx = gMargin;
        if (fc === 0 || Math.abs(fc) <= 4 * EPS * (Math.abs(gEquity) + Math.abs(gMargin))) { converged = true; break; }
        if ((fc > 0) !== (fb > 0)) {
          a = b;
          fa = fb;
        } else {
          fa *= 0.5;
        }
        b = c;
        fb = fc;
        if (Math.abs(b - a) <= 4 * EPS * b) { converged = true; break; }
      }
      if (bad) writeOut(heap, pOut, pStatus, p, dir, NaN, NaN, NaN, iterations, evaluations, LIQ_INVALID);
      else writeOut(heap, pOut, pStatus, p, dir, x, ex, mx, iterations, evaluations, converged ? LIQ_FOUND : LIQ_NOT_CONVERGED);
    }
  }
  return 0;
}
