// Liquidation prices: for each problem (an account and one risky asset, layout.ts), the levels S
// of that asset's index below and above today's S0 where equity(S) = maintenance margin(S), the
// asset's forwards moving in proportion (F = S e^{bT}), vols and every other asset fixed. A
// coin-settled (inverse) future or perpetual keeps its USD face N: equity N (1/E - 1/F) S.
// Mirrored in src/kernels/margin/liquidation-price.ts.
//
// f(S) = equity(S) - MM(S) is continuous (tiered maintenance is a "tax bracket" schedule, the
// option rules are maxima of continuous functions) but need not be monotone (option books), so
// each direction first scans outward from S0 on log-steps growing geometrically (0.1% x 1.25^k)
// to the search bound, which brackets the *nearest* sign change to the step's resolution, then
// refines it with the Illinois variant of regula falsi (Dowell & Jarratt 1971: superlinear,
// never leaves the bracket, falls back to bisection when an iterate would), stopping when
// |f| is at rounding level of equity and margin, the bracket is a few ulps wide, or the cap is hit.
// Every loop is bounded: the scan by the bound (at most ~60 steps for any finite bound ratio
// up to 1e300), the refinement by maxIterations.

import { black76Undiscounted } from "../pricing/normalised-black";
import { KIND_SPOT, KIND_PERPETUAL, KIND_FUTURE, KIND_INVERSE_FUTURE, KIND_OPTION_USD, KIND_OPTION_COIN } from "../risk/layout";
import {
  LIQ_QUANTITY, LIQ_STRIKE, LIQ_EXPIRY, LIQ_VOL, LIQ_RATE, LIQ_CARRY, LIQ_ENTRY, LIQ_CONSTANT, LIQ_MM_RATE,
  LIQ_MM_MARK_RATE, LIQ_SIZE_RATE, LIQ_VALUE_SCALE, LIQ_KIND, LIQ_TYPE, LIQ_RULE, LIQ_TIER_START, LIQ_TIER_COUNT, LIQ_UNIT,
  LIQ_RULE_NONE, LIQ_RULE_TIERS, LIQ_RULE_SHORT_OPTION, LIQ_RULE_PREMIUM, LIQ_TIER_COLUMNS, LIQ_PROB_INDEX,
  LIQ_PROB_EQUITY, LIQ_PROB_MARGIN, LIQ_PROB_COINS, LIQ_PROB_LOWER, LIQ_PROB_UPPER, LIQ_OUT_COLUMNS, LIQ_OUT_PRICE,
  LIQ_OUT_EQUITY, LIQ_OUT_MARGIN, LIQ_OUT_ITERATIONS, LIQ_OUT_EVALUATIONS, LIQ_FOUND, LIQ_INVALID, LIQ_NOT_CONVERGED,
  LIQ_NONE, LIQ_ALREADY, LIQ_SCAN_FIRST, LIQ_SCAN_GROWTH,
} from "./layout";

const EPS: f64 = 2.220446049250313e-16;

// Equity and maintenance margin of the last evaluation (a kernel has no allocator for tuples).
let gEquity: f64 = 0.0;
let gMargin: f64 = 0.0;

// Tax-bracket maintenance of notional N: the first row with N <= upTo (the last row past every cap).
// @ts-ignore: decorator
@inline
function tierMargin(N: f64, start: i32, count: i32, pTiers: usize): f64 {
  if (count <= 0) return 0.0;
  let k = start;
  const last = start + count - 1;
  while (k < last && N > load<f64>(pTiers + ((<usize>k * <usize>LIQ_TIER_COLUMNS) << 3))) k++;
  const row = pTiers + ((<usize>k * <usize>LIQ_TIER_COLUMNS) << 3);
  return N * load<f64>(row + 8) - load<f64>(row + 16);
}

// Equity and maintenance margin at level s of positions [i0, i1), into gEquity / gMargin.
function evaluate(
  s: f64, i0: i32, i1: i32, n: i32, pF: usize, pI: usize, pTiers: usize, equity0: f64, margin0: f64, coins: f64,
): void {
  const cs = <usize>n << 3;
  const ics = <usize>n << 2;
  let e = equity0 + coins * s;
  let m = margin0;
  for (let i = i0; i < i1; i++) {
    const o = <usize>i << 3;
    const oi = <usize>i << 2;
    const kind = load<i32>(pI + <usize>LIQ_KIND * ics + oi);
    const q = load<f64>(pF + <usize>LIQ_QUANTITY * cs + o);
    if (kind == KIND_SPOT) {
      e += q * s * load<f64>(pF + <usize>LIQ_VALUE_SCALE * cs + o);
      continue;
    }
    const T = load<f64>(pF + <usize>LIQ_EXPIRY * cs + o);
    const F = s * Math.exp(load<f64>(pF + <usize>LIQ_CARRY * cs + o) * T);
    const rule = load<i32>(pI + <usize>LIQ_RULE * ics + oi);
    e += load<f64>(pF + <usize>LIQ_CONSTANT * cs + o);
    if (kind == KIND_PERPETUAL || kind == KIND_FUTURE) {
      e += q * (F - load<f64>(pF + <usize>LIQ_ENTRY * cs + o));
      if (rule == LIQ_RULE_TIERS) {
        m += tierMargin(Math.abs(q) * F, load<i32>(pI + <usize>LIQ_TIER_START * ics + oi), load<i32>(pI + <usize>LIQ_TIER_COUNT * ics + oi), pTiers);
      }
    } else if (kind == KIND_INVERSE_FUTURE) {
      // USD face q fixed: coin P&L q (1/E - 1/F) worth s each; the rules see |q| / F coins of notional |q| s / F.
      e += q * (1.0 / load<f64>(pF + <usize>LIQ_ENTRY * cs + o) - 1.0 / F) * s;
      if (rule == LIQ_RULE_TIERS) {
        const coinSize = Math.abs(q) / F;
        const X = coinSize * s;
        m += tierMargin(X, load<i32>(pI + <usize>LIQ_TIER_START * ics + oi), load<i32>(pI + <usize>LIQ_TIER_COUNT * ics + oi), pTiers)
          + X * coinSize * load<f64>(pF + <usize>LIQ_SIZE_RATE * cs + o);
      }
    } else {
      const K = load<f64>(pF + <usize>LIQ_STRIKE * cs + o);
      const theta = <f64>load<i32>(pI + <usize>LIQ_TYPE * ics + oi);
      const sd = load<f64>(pF + <usize>LIQ_VOL * cs + o) * Math.sqrt(T);
      const df = Math.exp(-load<f64>(pF + <usize>LIQ_RATE * cs + o) * T);
      const b = black76Undiscounted(F, K, Math.log(F / K), sd, theta);
      const mark = kind == KIND_OPTION_USD ? df * b : df * b / F * s;
      e += q * mark;
      if (rule == LIQ_RULE_SHORT_OPTION) {
        const unit = kind == KIND_OPTION_COIN || load<i32>(pI + <usize>LIQ_UNIT * ics + oi) == 0 ? s : F;
        const c = load<f64>(pF + <usize>LIQ_MM_RATE * cs + o);
        const d = load<f64>(pF + <usize>LIQ_MM_MARK_RATE * cs + o);
        m += Math.abs(q) * (Math.max(c * unit, d * mark) + mark);
      } else if (rule == LIQ_RULE_PREMIUM) {
        m += Math.abs(q) * mark;
      }
    }
  }
  gEquity = e;
  gMargin = m;
}

// @ts-ignore: decorator
@inline
function writeOut(pOut: usize, pStatus: usize, p: i32, dir: i32, price: f64, equity: f64, margin: f64, iterations: f64, evaluations: f64, status: u8): void {
  const row = pOut + ((<usize>(p * 2 + dir) * <usize>LIQ_OUT_COLUMNS) << 3);
  store<f64>(row + (<usize>LIQ_OUT_PRICE << 3), price);
  store<f64>(row + (<usize>LIQ_OUT_EQUITY << 3), equity);
  store<f64>(row + (<usize>LIQ_OUT_MARGIN << 3), margin);
  store<f64>(row + (<usize>LIQ_OUT_ITERATIONS << 3), iterations);
  store<f64>(row + (<usize>LIQ_OUT_EVALUATIONS << 3), evaluations);
  store<u8>(pStatus + <usize>(p * 2 + dir), status);
}

/**
 * Liquidation levels of nProblems problems over nPositions positions (layout.ts): writes f64
 * [nProblems][2][LIQ_OUT_COLUMNS] at pOut (direction 0 below, 1 above the index) and u8 statuses
 * [nProblems][2] at pStatus. maxIterations caps the refinement per direction.
 * Returns 0, or 1 for a malformed call (counts, starts, kinds, rules or tier rows out of range).
 */
export function liquidationPrice(
  nProblems: i32, nPositions: i32, pPosF64: usize, pPosI32: usize, pStarts: usize, pProblems: usize,
  nTiers: i32, pTiers: usize, maxIterations: i32, pOut: usize, pStatus: usize,
): i32 {
  if (nProblems < 0 || nPositions < 0 || nTiers < 0 || maxIterations < 1) return 1;
  if (load<i32>(pStarts) != 0 || load<i32>(pStarts + (<usize>nProblems << 2)) != nPositions) return 1;
  for (let p = 0; p < nProblems; p++) {
    if (load<i32>(pStarts + (<usize>(p + 1) << 2)) < load<i32>(pStarts + (<usize>p << 2))) return 1;
  }
  const ics = <usize>nPositions << 2;
  for (let i = 0; i < nPositions; i++) {
    const oi = <usize>i << 2;
    const kind = load<i32>(pPosI32 + <usize>LIQ_KIND * ics + oi);
    const rule = load<i32>(pPosI32 + <usize>LIQ_RULE * ics + oi);
    const t0 = load<i32>(pPosI32 + <usize>LIQ_TIER_START * ics + oi);
    const tn = load<i32>(pPosI32 + <usize>LIQ_TIER_COUNT * ics + oi);
    if (kind != KIND_SPOT && kind != KIND_PERPETUAL && kind != KIND_FUTURE && kind != KIND_INVERSE_FUTURE && kind != KIND_OPTION_USD && kind != KIND_OPTION_COIN) return 1;
    if (rule < LIQ_RULE_NONE || rule > LIQ_RULE_PREMIUM) return 1;
    if (rule == LIQ_RULE_TIERS && (t0 < 0 || tn < 0 || t0 + tn > nTiers)) return 1;
  }
  const ps = <usize>nProblems << 3;
  for (let p = 0; p < nProblems; p++) {
    const op = <usize>p << 3;
    const s0 = load<f64>(pProblems + <usize>LIQ_PROB_INDEX * ps + op);
    const equity0 = load<f64>(pProblems + <usize>LIQ_PROB_EQUITY * ps + op);
    const margin0 = load<f64>(pProblems + <usize>LIQ_PROB_MARGIN * ps + op);
    const coins = load<f64>(pProblems + <usize>LIQ_PROB_COINS * ps + op);
    const lower = load<f64>(pProblems + <usize>LIQ_PROB_LOWER * ps + op);
    const upper = load<f64>(pProblems + <usize>LIQ_PROB_UPPER * ps + op);
    const i0 = load<i32>(pStarts + (<usize>p << 2));
    const i1 = load<i32>(pStarts + (<usize>(p + 1) << 2));
    const ok = s0 > 0.0 && s0 < Infinity && lower > 0.0 && lower < s0 && upper > s0 && upper < Infinity
      && Math.abs(equity0) < Infinity && Math.abs(margin0) < Infinity && Math.abs(coins) < Infinity;
    let f0: f64 = NaN;
    if (ok) {
      evaluate(s0, i0, i1, nPositions, pPosF64, pPosI32, pTiers, equity0, margin0, coins);
      f0 = gEquity - gMargin;
    }
    if (!(f0 == f0) || !(Math.abs(gEquity) < Infinity) || !(Math.abs(gMargin) < Infinity)) {
      for (let dir = 0; dir < 2; dir++) writeOut(pOut, pStatus, p, dir, NaN, NaN, NaN, 0.0, ok ? 1.0 : 0.0, LIQ_INVALID);
      continue;
    }
    if (f0 <= 0.0) {
      for (let dir = 0; dir < 2; dir++) writeOut(pOut, pStatus, p, dir, s0, gEquity, gMargin, 0.0, 1.0, LIQ_ALREADY);
      continue;
    }
    for (let dir = 0; dir < 2; dir++) {
      const sign: f64 = dir == 0 ? -1.0 : 1.0;
      const bound = dir == 0 ? lower : upper;
      const span = Math.abs(Math.log(bound / s0));
      // Outward scan: (a, fa) the last level with f > 0, (b, fb) the next.
      let a = s0, fa = f0;
      let b = s0, fb = f0, eb = gEquity, mb = gMargin;
      let cum: f64 = 0.0, step = LIQ_SCAN_FIRST;
      let evaluations: f64 = 1.0;
      let bracketed = false, bad = false;
      while (true) {
        cum += step;
        step *= LIQ_SCAN_GROWTH;
        const atBound = cum >= span;
        b = atBound ? bound : s0 * Math.exp(sign * cum);
        evaluate(b, i0, i1, nPositions, pPosF64, pPosI32, pTiers, equity0, margin0, coins);
        fb = gEquity - gMargin;
        eb = gEquity;
        mb = gMargin;
        evaluations += 1.0;
        if (!(fb == fb)) { bad = true; break; }
        if (fb <= 0.0) { bracketed = true; break; }
        if (atBound) break;
        a = b;
        fa = fb;
      }
      if (bad) {
        writeOut(pOut, pStatus, p, dir, NaN, NaN, NaN, 0.0, evaluations, LIQ_INVALID);
        continue;
      }
      if (!bracketed) {
        writeOut(pOut, pStatus, p, dir, NaN, eb, mb, 0.0, evaluations, LIQ_NONE);
        continue;
      }
      // Illinois refinement of the bracket [a, b] (fa > 0 >= fb); x is the latest iterate.
      let x = b, ex = eb, mx = mb;
      let iterations: i32 = 0;
      let converged = fb == 0.0 || Math.abs(fb) <= 4.0 * EPS * (Math.abs(eb) + Math.abs(mb));
      while (!converged && iterations < maxIterations) {
        iterations++;
        const lo = Math.min(a, b), hi = Math.max(a, b);
        let c = (a * fb - b * fa) / (fb - fa);
        if (!(c > lo && c < hi)) c = 0.5 * (a + b);
        if (!(c > lo && c < hi)) { converged = true; break; } // a and b are adjacent doubles
        evaluate(c, i0, i1, nPositions, pPosF64, pPosI32, pTiers, equity0, margin0, coins);
        const fc = gEquity - gMargin;
        evaluations += 1.0;
        if (!(fc == fc)) { bad = true; break; }
        x = c;
        ex = gEquity;
        mx = gMargin;
        if (fc == 0.0 || Math.abs(fc) <= 4.0 * EPS * (Math.abs(gEquity) + Math.abs(gMargin))) { converged = true; break; }
        if ((fc > 0.0) != (fb > 0.0)) {
          a = b;
          fa = fb;
        } else {
          fa *= 0.5;
        }
        b = c;
        fb = fc;
        if (Math.abs(b - a) <= 4.0 * EPS * b) { converged = true; break; }
      }
      if (bad) {
        writeOut(pOut, pStatus, p, dir, NaN, NaN, NaN, <f64>iterations, evaluations, LIQ_INVALID);
      } else {
        writeOut(pOut, pStatus, p, dir, x, ex, mx, <f64>iterations, evaluations, converged ? LIQ_FOUND : LIQ_NOT_CONVERGED);
      }
    }
  }
  return 0;
}
