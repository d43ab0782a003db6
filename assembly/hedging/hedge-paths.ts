// Discrete hedging shard kernel: simulates paths [pathStart, pathStart + count) of one model with
// the Monte Carlo engine's draws and steps (assembly/montecarlo: same Philox stream layout, same
// step formulas, so path i here is path i of mcShard / simulatePaths for the same model, seed,
// stream and steps), and along each path runs a self-financing hedge of a book of vanillas.
// Writes per path the hedged P&L, the costs paid and the number of rebalancings with a trade.
// Mirrored line for line in src/kernels/hedging/hedge-paths.ts.
//
// Accounting (everything discounted to t = 0 with D_i = e^{-r t_i}, t_i = i dt, dt = T / steps):
//  P&L = sum_k q_k (D_settle payoff_k - V_k(0))                   options bought (q > 0) or sold at t = 0
//      + sum_i h_i (D_{i+1} e^{q dt} S_{i+1} - D_i S_i)           underlying held over [t_i, t_i+1], carry reinvested
//      + sum_i g_i (D_{i+1} H_{i+1} - D_i H_i)                    hedge option held (delta-gamma)
//      - sum_i D_i (k |dh_i| S_i + k_o |dg_i| H_i + f 1{trade})   proportional and fixed costs
// V_k(0) and H_i are Black-Scholes prices at the hedge vol sigma_h; an option settles at its
// intrinsic value at step round(expiry / dt) (OPT_SETTLE) or, alive at the horizon, is marked at
// its Black-Scholes price there. Each gain term is a Q-martingale increment, so with no costs and
// a GBM at sigma_h the mean P&L is 0 (up to the discretisation of the settlement dates).
//
// Hedge: at rebalancing step i (i % every == 0, i < steps; one run per interval of pEvery, same paths) the target is, with the book's
// Black-Scholes delta D_b and gamma G_b at sigma_h over its live options,
//   delta:        h* = -D_b
//   delta-gamma:  g* = -G_b / G_H, h* = -(D_b + g* D_H)            (H the hedge option)
// (g* = 0 when the book has no gamma left; the holding g is kept when G_H is under 1e-8 of the
// book's gamma per unit, GAMMA_FLOOR: an option far from the money would take absurd quantities).
// Clock rule: trade to (h*, g*). Band rule: trade only when |h* - h| > w, to the nearest edge of
// the band (h* -+ w) or to h*; w = H_BAND, or Whalley and Wilmott's asymptotic half-width
// w = (3/2 e^{-r(T-t)} k S G^2 / gamma)^{1/3} (A. Whalley, P. Wilmott, "An asymptotic analysis of
// an optimal hedging model for option pricing with transaction costs", Math. Finance 7(3) 1997),
// G the gamma of book plus hedge option. The cube root is exp(log(.)/3) of the shared functions.
//
// d1 = (ln S - ln K + (r - q + sigma_h^2/2) tau) / (sigma_h sqrt tau) is formed as x a + b from
// per-step, per-option constants (the scratch table), with x = ln S the path state itself: no
// logarithm per step. The deltas take Phi from normal-cdf-table.ts (table plus Taylor, < 3e-13 off
// the exact Phi); prices and gammas use Cody's cdf and pdf (math/normal-distribution.ts) on the shared
// exp, exp and log the shared elementary functions: every output is bit for bit the JS twin's.
//
// GBM paths are made two at a time, one per f64x2 lane (pair-draws.ts draws, gbm-log-paths.ts):
// the same operations in the same order per lane, bit for bit the scalar loop. Paths of the other
// models are made one at a time into the same lanes; every pair is then hedged by the pair loops
// (hedgeDeltaClockX2, hedgePathX2), bit for bit hedgePath, which hedges an odd last path.
//
// Returns 0, or 1 for a malformed call (count, nOptions or nRuns < 0, steps < 1, unknown code, an interval < 1,
// path indices beyond 2^32).

import { drawsShardBegin, drawsShardPath, draw, normal, uniform, asUniform } from "../montecarlo/draws";
import { exp, log, logOneMinus } from "../math/elementary";
import { poisson, jumpSum } from "../montecarlo/jump-counts";
import { normalCdf, normalPdf } from "../math/normal-distribution";
import { expX2, logX2 } from "../math/f64x2-elementary";
import { normalPdfX2, normalCdfX2 } from "../math/f64x2-normal";
import { MODEL_GBM, MODEL_HESTON_EULER, MODEL_MERTON, MODEL_BATES, MODEL_LOCAL_VOL, DRAWS_PHILOX } from "../montecarlo/layout";
import { localVolAt, localVolRow } from "../montecarlo/local-vol-grid";
import { gbmLogPathPair } from "./gbm-log-paths";
import { normalCdfTable, normalCdfTableX2, normalCdfTableInit } from "./normal-cdf-table";
import {
  H_MODEL, H_SPOT, H_RATE, H_DIVIDEND, H_HORIZON, H_VOL, H_V0, H_KAPPA, H_THETA, H_VOL_OF_VAR, H_RHO,
  H_JUMP_INTENSITY, H_JUMP_MEAN, H_JUMP_VOL, H_HEDGE_VOL, H_STRATEGY, H_BAND_MODE, H_BAND,
  H_RISK_AVERSION, H_TO_EDGE, H_PROPORTIONAL, H_FIXED, H_OPTION_PROPORTIONAL, H_HEDGE_TYPE, H_HEDGE_STRIKE,
  H_HEDGE_EXPIRY, STRATEGY_NONE, STRATEGY_DELTA, STRATEGY_DELTA_GAMMA, BAND_NONE, BAND_WHALLEY_WILMOTT,
  OPT_QUANTITY, OPT_TYPE, OPT_STRIKE, OPT_EXPIRY, OPT_SETTLE, OPT_HEDGE_VOL, OPT_COLUMNS, HEDGE_STEP_COLUMNS, HEDGE_OPTION_COLUMNS,
  H_LV_TIMES, H_LV_POINTS, H_LV_KMIN, H_LV_DK, H_LV_GRID,
} from "./layout";

const PSI_C: f64 = 1.5;
const THIRD: f64 = 1.0 / 3.0;
/** Smallest hedge-option gamma, relative to the book's gamma per unit, that delta-gamma hedging uses. */
const GAMMA_FLOOR: f64 = 1e-8;

// @ts-ignore: decorator
@inline
function par(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
function put(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** Black-Scholes price at spot S (x = ln S) from one option row of the table (sdt > 0: alive). */
// @ts-ignore: decorator
@inline
function bsPrice(typ: f64, K: f64, S: f64, x: f64, row: usize): f64 {
  const sdt = at(row, 4);
  if (!(sdt > 0.0)) {
    const e = typ * (S - K);
    return e > 0.0 ? e : 0.0;
  }
  const d1 = x * at(row, 0) + at(row, 1);
  const eq = at(row, 2);
  const kd = at(row, 3);
  return typ > 0.0 ? eq * S * normalCdf(d1) - kd * normalCdf(d1 - sdt) : kd * normalCdf(sdt - d1) - eq * S * normalCdf(-d1);
}

// Shared by the scalar and pair loops (set by hedgeShard).
let gSteps: i32 = 0;
let gN: i32 = 0;
let gOpt: usize = 0;
let gStepTab: usize = 0;
let gOptTab: usize = 0;
let gRowBytes: usize = 0;
let gSpot: f64 = 0.0;
let gStrategy: i32 = 0;
let gEvery: i32 = 1;
let gBandMode: i32 = 0;
let gBand: f64 = 0.0;
let gRiskAversion: f64 = 1.0;
let gToEdge: bool = true;
let gProp: f64 = 0.0;
let gFixed: f64 = 0.0;
let gOptProp: f64 = 0.0;
let gHType: f64 = 1.0;
let gHStrike: f64 = 0.0;
let gPnl0: f64 = 0.0;
let gH0: f64 = 0.0;

// The result of the last hedgePath.
let rPnl: f64 = 0.0;
let rCost: f64 = 0.0;
let rTrades: f64 = 0.0;
let rPnl1: f64 = 0.0;
let rCost1: f64 = 0.0;
let rTrades1: f64 = 0.0;

/** Hedge one path whose log spots x_0..x_steps are at pX (stride `stride` bytes). Result in rPnl, rCost, rTrades. */
function hedgePath(pX: usize, stride: usize): void {
  const steps = gSteps;
  const n = gN;
  const gammaHedge = gStrategy == STRATEGY_DELTA_GAMMA;
  const needGamma = gammaHedge || gBandMode == BAND_WHALLEY_WILMOTT;
  let pnl = gPnl0;
  let cost: f64 = 0.0;
  let trades: f64 = 0.0;
  let h: f64 = 0.0;
  let g: f64 = 0.0;
  let Sprev = gSpot;
  let Hprev = gH0;
  let next: i32 = 0;
  for (let i = 0; i <= steps; ++i) {
    const x = load<f64>(pX + <usize>i * stride);
    const S = i == 0 ? gSpot : exp(x);
    const st = gStepTab + <usize>i * (<usize>HEDGE_STEP_COLUMNS << 3);
    const D = at(st, 0);
    const rowI = gOptTab + <usize>i * gRowBytes;
    let H = Hprev;
    if (i > 0) {
      const stPrev = st - (<usize>HEDGE_STEP_COLUMNS << 3);
      pnl += h * (at(st, 1) * S - at(stPrev, 0) * Sprev);
      if (gammaHedge) {
        H = bsPrice(gHType, gHStrike, S, x, rowI + (<usize>n * HEDGE_OPTION_COLUMNS << 3));
        pnl += g * (D * H - at(stPrev, 0) * Hprev);
      }
      for (let k = 0; k < n; ++k) {
        const o = gOpt + (<usize>(k * OPT_COLUMNS) << 3);
        const settle = <i32>at(o, OPT_SETTLE);
        if (settle == i) {
          const e = at(o, OPT_TYPE) * (S - at(o, OPT_STRIKE));
          if (e > 0.0) pnl += at(o, OPT_QUANTITY) * D * e;
        } else if (i == steps && settle > steps) {
          pnl += at(o, OPT_QUANTITY) * D * bsPrice(at(o, OPT_TYPE), at(o, OPT_STRIKE), S, x, rowI + (<usize>(k * HEDGE_OPTION_COLUMNS) << 3));
        }
      }
    }
    if (i < steps && gStrategy != STRATEGY_NONE && i == next) {
      next += gEvery;
      let db: f64 = 0.0;
      let gb: f64 = 0.0;
      let qAbs: f64 = 0.0;
      let gAbs: f64 = 0.0;
      for (let k = 0; k < n; ++k) {
        const o = gOpt + (<usize>(k * OPT_COLUMNS) << 3);
        if (<i32>at(o, OPT_SETTLE) <= i) continue;
        const row = rowI + (<usize>(k * HEDGE_OPTION_COLUMNS) << 3);
        const a = at(row, 0);
        const d1 = x * a + at(row, 1);
        const eq = at(row, 2);
        const q = at(o, OPT_QUANTITY);
        const N1 = normalCdfTable(d1);
        db += q * (eq * (at(o, OPT_TYPE) > 0.0 ? N1 : N1 - 1.0));
        if (needGamma) {
          const gk = q * (eq * normalPdf(d1) * a / S);
          gb += gk;
          qAbs += Math.abs(q);
          gAbs += Math.abs(gk);
        }
      }
      let gs: f64 = 0.0;
      let hs = -db;
      if (gammaHedge) {
        const row = rowI + (<usize>n * HEDGE_OPTION_COLUMNS << 3);
        const a = at(row, 0);
        const d1 = x * a + at(row, 1);
        const eq = at(row, 2);
        const N1 = normalCdfTable(d1);
        const dH = eq * (gHType > 0.0 ? N1 : N1 - 1.0);
        const gH = eq * normalPdf(d1) * a / S;
        // No gamma to hedge: no hedge option. A hedge option with under 1e-8 of the book's gamma per
        // unit (far from the money) would take absurd quantities: keep the holding instead.
        gs = gAbs == 0.0 ? 0.0 : gH * qAbs > GAMMA_FLOOR * gAbs ? -gb / gH : g;
        hs = -(db + gs * dH);
        gb += gs * gH;
      }
      let trade: bool;
      let hn = hs;
      if (gBandMode == BAND_NONE) {
        trade = hs != h || gs != g;
      } else {
        const w = gBandMode == BAND_WHALLEY_WILMOTT
          ? (gb != 0.0 ? exp(log(1.5 * at(st, 2) * gProp * S * gb * gb / gRiskAversion) * THIRD) : 0.0)
          : gBand;
        const dev = hs - h;
        trade = Math.abs(dev) > w;
        if (trade && gToEdge) hn = dev > 0.0 ? hs - w : hs + w;
      }
      if (trade) {
        const c = gProp * Math.abs(hn - h) * S + gOptProp * Math.abs(gs - g) * H + gFixed;
        pnl -= D * c;
        cost += D * c;
        trades += 1.0;
        h = hn;
        g = gs;
      }
    }
    Sprev = S;
    Hprev = H;
  }
  rPnl = pnl;
  rCost = cost;
  rTrades = trades;
}

/** bsPrice on two spots at once (x = ln S per lane): the row is shared, so the alive test is one branch. */
// @ts-ignore: decorator
@inline
function bsPriceX2(typ: f64, K: f64, S: v128, x: v128, row: usize): v128 {
  const sdt = at(row, 4);
  if (!(sdt > 0.0)) {
    const e = f64x2.mul(f64x2.splat(typ), f64x2.sub(S, f64x2.splat(K)));
    return v128.bitselect(e, f64x2.splat(0.0), f64x2.gt(e, f64x2.splat(0.0)));
  }
  const d1 = f64x2.add(f64x2.mul(x, f64x2.splat(at(row, 0))), f64x2.splat(at(row, 1)));
  const eq = f64x2.splat(at(row, 2));
  const kd = f64x2.splat(at(row, 3));
  const sdt2 = f64x2.splat(sdt);
  return typ > 0.0
    ? f64x2.sub(f64x2.mul(f64x2.mul(eq, S), normalCdfX2(d1)), f64x2.mul(kd, normalCdfX2(f64x2.sub(d1, sdt2))))
    : f64x2.sub(f64x2.mul(kd, normalCdfX2(f64x2.sub(sdt2, d1))), f64x2.mul(f64x2.mul(eq, S), normalCdfX2(f64x2.neg(d1))));
}

/** Spots e^x of the pair's steps 1..steps, into the lanes after the log spots (see hedgePathX2). */
function spotsX2(pX: usize): void {
  const steps = gSteps;
  const pS = pX + (<usize>(steps + 1) << 4);
  for (let i = 1; i <= steps; ++i) v128.store(pS + (<usize>i << 4), expX2(v128.load(pX + (<usize>i << 4))));
}

/**
 * The book's delta at every rebalancing date of the pair at pX into pDb, [steps + 1][2]
 * (strategies without gamma), option by option: sum_k q_k e^{-q tau} (Phi(d1) - (0 or 1)) in k order
 * from 0, as the scalar loop adds it (N - 0 is N, so calls and puts share one line). Dates are
 * independent, so two go side by side (two Phi chains for the out-of-order core to overlap).
 */
function bookDeltasX2(pX: usize, pDb: usize): void {
  const steps = gSteps;
  const every = gEvery;
  const zero = f64x2.splat(0.0);
  for (let i = 0; i < steps; i += every) v128.store(pDb + (<usize>i << 4), zero);
  const stride = <usize>every * gRowBytes;
  for (let k = 0; k < gN; ++k) {
    const o = gOpt + (<usize>(k * OPT_COLUMNS) << 3);
    const settle = <i32>at(o, OPT_SETTLE);
    // Alive at date i while i < settle.
    const end = settle < steps ? settle : steps;
    const q = f64x2.splat(at(o, OPT_QUANTITY));
    const shift = f64x2.splat(at(o, OPT_TYPE) > 0.0 ? 0.0 : 1.0);
    let row = gOptTab + (<usize>(k * HEDGE_OPTION_COLUMNS) << 3);
    let i = 0;
    for (; i + every < end; i += every << 1) {
      const pi = pDb + (<usize>i << 4);
      const pj = pDb + (<usize>(i + every) << 4);
      const rj = row + stride;
      const d1i = f64x2.add(f64x2.mul(v128.load(pX + (<usize>i << 4)), f64x2.splat(at(row, 0))), f64x2.splat(at(row, 1)));
      const d1j = f64x2.add(f64x2.mul(v128.load(pX + (<usize>(i + every) << 4)), f64x2.splat(at(rj, 0))), f64x2.splat(at(rj, 1)));
      const Ni = normalCdfTableX2(d1i);
      const Nj = normalCdfTableX2(d1j);
      v128.store(pi, f64x2.add(v128.load(pi), f64x2.mul(q, f64x2.mul(f64x2.splat(at(row, 2)), f64x2.sub(Ni, shift)))));
      v128.store(pj, f64x2.add(v128.load(pj), f64x2.mul(q, f64x2.mul(f64x2.splat(at(rj, 2)), f64x2.sub(Nj, shift)))));
      row = rj + stride;
    }
    if (i < end) {
      const pi = pDb + (<usize>i << 4);
      const d1i = f64x2.add(f64x2.mul(v128.load(pX + (<usize>i << 4)), f64x2.splat(at(row, 0))), f64x2.splat(at(row, 1)));
      v128.store(pi, f64x2.add(v128.load(pi), f64x2.mul(q, f64x2.mul(f64x2.splat(at(row, 2)), f64x2.sub(normalCdfTableX2(d1i), shift)))));
    }
  }
}

/**
 * hedgePath on two paths at once, one per f64x2 lane (log spots interleaved at pX, [steps + 1][2],
 * then their spots from spotsX2, then room for the book deltas, [steps + 1][2] each):
 * the scalar loop's operations in its order, branches that differ per lane (settlement, band
 * trades) as selects of the updated and the kept value. Results: lane 0 in rPnl.., lane 1 in rPnl1..
 */
function hedgePathX2(pX: usize): void {
  const steps = gSteps;
  const n = gN;
  const gammaHedge = gStrategy == STRATEGY_DELTA_GAMMA;
  const needGamma = gammaHedge || gBandMode == BAND_WHALLEY_WILMOTT;
  const zero = f64x2.splat(0.0);
  const one = f64x2.splat(1.0);
  const spot2 = f64x2.splat(gSpot);
  let pnl = f64x2.splat(gPnl0);
  let cost = zero;
  let trades = zero;
  let h = zero;
  let g = zero;
  let Sprev = spot2;
  let Hprev = f64x2.splat(gH0);
  // Delta without gamma: the book's deltas first, in a loop of their own (bookDeltasX2).
  const pS = pX + (<usize>(steps + 1) << 4);
  const pDb = pS + (<usize>(steps + 1) << 4);
  const deltaOnly = !needGamma && gStrategy != STRATEGY_NONE;
  if (deltaOnly) bookDeltasX2(pX, pDb);
  let next: i32 = 0;
  for (let i = 0; i <= steps; ++i) {
    const x = v128.load(pX + (<usize>i << 4));
    const S = i == 0 ? spot2 : v128.load(pS + (<usize>i << 4));
    const st = gStepTab + <usize>i * (<usize>HEDGE_STEP_COLUMNS << 3);
    const D = f64x2.splat(at(st, 0));
    const rowI = gOptTab + <usize>i * gRowBytes;
    let H = Hprev;
    if (i > 0) {
      const stPrev = st - (<usize>HEDGE_STEP_COLUMNS << 3);
      const Dp = f64x2.splat(at(stPrev, 0));
      pnl = f64x2.add(pnl, f64x2.mul(h, f64x2.sub(f64x2.mul(f64x2.splat(at(st, 1)), S), f64x2.mul(Dp, Sprev))));
      if (gammaHedge) {
        H = bsPriceX2(gHType, gHStrike, S, x, rowI + (<usize>n * HEDGE_OPTION_COLUMNS << 3));
        pnl = f64x2.add(pnl, f64x2.mul(g, f64x2.sub(f64x2.mul(D, H), f64x2.mul(Dp, Hprev))));
      }
      for (let k = 0; k < n; ++k) {
        const o = gOpt + (<usize>(k * OPT_COLUMNS) << 3);
        const settle = <i32>at(o, OPT_SETTLE);
        if (settle == i) {
          const e = f64x2.mul(f64x2.splat(at(o, OPT_TYPE)), f64x2.sub(S, f64x2.splat(at(o, OPT_STRIKE))));
          const added = f64x2.add(pnl, f64x2.mul(f64x2.mul(f64x2.splat(at(o, OPT_QUANTITY)), D), e));
          pnl = v128.bitselect(added, pnl, f64x2.gt(e, zero));
        } else if (i == steps && settle > steps) {
          const v = bsPriceX2(at(o, OPT_TYPE), at(o, OPT_STRIKE), S, x, rowI + (<usize>(k * HEDGE_OPTION_COLUMNS) << 3));
          pnl = f64x2.add(pnl, f64x2.mul(f64x2.mul(f64x2.splat(at(o, OPT_QUANTITY)), D), v));
        }
      }
    }
    if (i < steps && gStrategy != STRATEGY_NONE && i == next) {
      next += gEvery;
      let db = zero;
      let gb = zero;
      let qAbs: f64 = 0.0;
      let gAbs = zero;
      if (deltaOnly) db = v128.load(pDb + (<usize>i << 4));
      else for (let k = 0; k < n; ++k) {
        const o = gOpt + (<usize>(k * OPT_COLUMNS) << 3);
        if (<i32>at(o, OPT_SETTLE) <= i) continue;
        const row = rowI + (<usize>(k * HEDGE_OPTION_COLUMNS) << 3);
        const a = f64x2.splat(at(row, 0));
        const d1 = f64x2.add(f64x2.mul(x, a), f64x2.splat(at(row, 1)));
        const eq = f64x2.splat(at(row, 2));
        const q = f64x2.splat(at(o, OPT_QUANTITY));
        const N1 = normalCdfTableX2(d1);
        db = f64x2.add(db, f64x2.mul(q, f64x2.mul(eq, at(o, OPT_TYPE) > 0.0 ? N1 : f64x2.sub(N1, one))));
        if (needGamma) {
          const gk = f64x2.mul(q, f64x2.div(f64x2.mul(f64x2.mul(eq, normalPdfX2(d1)), a), S));
          gb = f64x2.add(gb, gk);
          qAbs += Math.abs(at(o, OPT_QUANTITY));
          gAbs = f64x2.add(gAbs, f64x2.abs(gk));
        }
      }
      let gs = zero;
      let hs = f64x2.neg(db);
      if (gammaHedge) {
        const row = rowI + (<usize>n * HEDGE_OPTION_COLUMNS << 3);
        const a = f64x2.splat(at(row, 0));
        const d1 = f64x2.add(f64x2.mul(x, a), f64x2.splat(at(row, 1)));
        const eq = f64x2.splat(at(row, 2));
        const N1 = normalCdfTableX2(d1);
        const dH = f64x2.mul(eq, gHType > 0.0 ? N1 : f64x2.sub(N1, one));
        const gH = f64x2.div(f64x2.mul(f64x2.mul(eq, normalPdfX2(d1)), a), S);
        const usable = f64x2.gt(f64x2.mul(gH, f64x2.splat(qAbs)), f64x2.mul(f64x2.splat(GAMMA_FLOOR), gAbs));
        gs = v128.bitselect(zero, v128.bitselect(f64x2.div(f64x2.neg(gb), gH), g, usable), f64x2.eq(gAbs, zero));
        hs = f64x2.neg(f64x2.add(db, f64x2.mul(gs, dH)));
        gb = f64x2.add(gb, f64x2.mul(gs, gH));
      }
      let trade: v128;
      let hn = hs;
      if (gBandMode == BAND_NONE) {
        trade = v128.or(f64x2.ne(hs, h), f64x2.ne(gs, g));
      } else {
        let w: v128;
        if (gBandMode == BAND_WHALLEY_WILMOTT) {
          const arg = f64x2.div(f64x2.mul(f64x2.mul(f64x2.mul(f64x2.splat(1.5 * at(st, 2) * gProp), S), gb), gb), f64x2.splat(gRiskAversion));
          w = v128.bitselect(expX2(f64x2.mul(logX2(arg), f64x2.splat(THIRD))), zero, f64x2.ne(gb, zero));
        } else {
          w = f64x2.splat(gBand);
        }
        const dev = f64x2.sub(hs, h);
        trade = f64x2.gt(f64x2.abs(dev), w);
        if (gToEdge) hn = v128.bitselect(v128.bitselect(f64x2.sub(hs, w), f64x2.add(hs, w), f64x2.gt(dev, zero)), hs, trade);
      }
      if (v128.any_true(trade)) {
        const c = f64x2.add(
          f64x2.add(f64x2.mul(f64x2.mul(f64x2.splat(gProp), f64x2.abs(f64x2.sub(hn, h))), S), f64x2.mul(f64x2.mul(f64x2.splat(gOptProp), f64x2.abs(f64x2.sub(gs, g))), H)),
          f64x2.splat(gFixed),
        );
        const Dc = f64x2.mul(D, c);
        pnl = v128.bitselect(f64x2.sub(pnl, Dc), pnl, trade);
        cost = v128.bitselect(f64x2.add(cost, Dc), cost, trade);
        trades = v128.bitselect(f64x2.add(trades, one), trades, trade);
        h = v128.bitselect(hn, h, trade);
        g = v128.bitselect(gs, g, trade);
      }
    }
    Sprev = S;
    Hprev = H;
  }
  rPnl = f64x2.extract_lane(pnl, 0);
  rCost = f64x2.extract_lane(cost, 0);
  rTrades = f64x2.extract_lane(trades, 0);
  rPnl1 = f64x2.extract_lane(pnl, 1);
  rCost1 = f64x2.extract_lane(cost, 1);
  rTrades1 = f64x2.extract_lane(trades, 1);
}

/**
 * The settlement loop of step i (options settling at i; at the horizon, those alive are marked):
 * hedgePathX2's loop, for the pair loops that call it only at event steps (eventAfter). Out of
 * line: inlined, its Black-Scholes marks crowd the registers of the step loop.
 */
function settleX2(pnl: v128, i: i32, S: v128, x: v128, D: v128, rowI: usize): v128 {
  const steps = gSteps;
  for (let k = 0; k < gN; ++k) {
    const o = gOpt + (<usize>(k * OPT_COLUMNS) << 3);
    const settle = <i32>at(o, OPT_SETTLE);
    if (settle == i) {
      const e = f64x2.mul(f64x2.splat(at(o, OPT_TYPE)), f64x2.sub(S, f64x2.splat(at(o, OPT_STRIKE))));
      const added = f64x2.add(pnl, f64x2.mul(f64x2.mul(f64x2.splat(at(o, OPT_QUANTITY)), D), e));
      pnl = v128.bitselect(added, pnl, f64x2.gt(e, f64x2.splat(0.0)));
    } else if (i == steps && settle > steps) {
      const v = bsPriceX2(at(o, OPT_TYPE), at(o, OPT_STRIKE), S, x, rowI + (<usize>(k * HEDGE_OPTION_COLUMNS) << 3));
      pnl = f64x2.add(pnl, f64x2.mul(f64x2.mul(f64x2.splat(at(o, OPT_QUANTITY)), D), v));
    }
  }
  return pnl;
}

/**
 * The first step after i where settleX2 does anything: an option settles, or the horizon when an
 * option is alive there; steps + 1 when none is left.
 */
function eventAfter(i: i32): i32 {
  const steps = gSteps;
  let e = steps + 1;
  for (let k = 0; k < gN; ++k) {
    const settle = <i32>at(gOpt + (<usize>(k * OPT_COLUMNS) << 3), OPT_SETTLE);
    const s = settle > steps ? steps : settle;
    if (s > i && s < e) e = s;
  }
  return e;
}

/**
 * hedgePathX2 for the delta strategy on the clock (BAND_NONE), the common case, and for no hedge
 * (STRATEGY_NONE: h stays 0, the same gain line, no rebalancing): the same
 * operations on each lane in the same order, so the same bits, with what this strategy makes
 * constant taken out of the step loop. The hedge option's terms vanish (g = gs = H = 0: the
 * option-cost term of a trade is the constant (k_o 0) 0), a trade is hs != h, and a masked
 * update x -/+ (Dc & trade) equals the select of hedgePathX2 bit for bit (x - (+0) is x, and cost
 * and trades are never -0). Options are visited only at their settlement steps (eventAfter).
 */
function hedgeDeltaClockX2(pX: usize): void {
  const steps = gSteps;
  const every = gEvery;
  const zero = f64x2.splat(0.0);
  const one = f64x2.splat(1.0);
  const prop = f64x2.splat(gProp);
  const gTerm = f64x2.splat(gOptProp * Math.abs(0.0 - 0.0) * 0.0);
  const fixed = f64x2.splat(gFixed);
  const pS = pX + (<usize>(steps + 1) << 4);
  const pDb = pS + (<usize>(steps + 1) << 4);
  const hedged = gStrategy == STRATEGY_DELTA;
  if (hedged) bookDeltasX2(pX, pDb);
  let pnl = f64x2.splat(gPnl0);
  let cost = zero;
  let trades = zero;
  let h = zero;
  let Sprev = f64x2.splat(gSpot);
  let Dprev = at(gStepTab, 0);
  let next = every;
  let event = eventAfter(0);
  // Date 0: a trade from h = 0 at the spot.
  if (hedged) {
    const hs = f64x2.neg(v128.load(pDb));
    const trade = f64x2.ne(hs, h);
    const c = f64x2.add(f64x2.add(f64x2.mul(f64x2.mul(prop, f64x2.abs(f64x2.sub(hs, h))), Sprev), gTerm), fixed);
    const Dc = v128.and(f64x2.mul(f64x2.splat(Dprev), c), trade);
    pnl = f64x2.sub(pnl, Dc);
    cost = f64x2.add(cost, Dc);
    trades = f64x2.add(trades, v128.and(one, trade));
    h = v128.bitselect(hs, h, trade);
  }
  let st = gStepTab;
  for (let i = 1; i <= steps; ++i) {
    st += <usize>HEDGE_STEP_COLUMNS << 3;
    const S = v128.load(pS + (<usize>i << 4));
    const D = at(st, 0);
    pnl = f64x2.add(pnl, f64x2.mul(h, f64x2.sub(f64x2.mul(f64x2.splat(at(st, 1)), S), f64x2.mul(f64x2.splat(Dprev), Sprev))));
    if (i == event) {
      pnl = settleX2(pnl, i, S, v128.load(pX + (<usize>i << 4)), f64x2.splat(D), gOptTab + <usize>i * gRowBytes);
      event = eventAfter(i);
    }
    if (i == next && i < steps && hedged) {
      next += every;
      const hs = f64x2.neg(v128.load(pDb + (<usize>i << 4)));
      const trade = f64x2.ne(hs, h);
      const c = f64x2.add(f64x2.add(f64x2.mul(f64x2.mul(prop, f64x2.abs(f64x2.sub(hs, h))), S), gTerm), fixed);
      const Dc = v128.and(f64x2.mul(f64x2.splat(D), c), trade);
      pnl = f64x2.sub(pnl, Dc);
      cost = f64x2.add(cost, Dc);
      trades = f64x2.add(trades, v128.and(one, trade));
      h = v128.bitselect(hs, h, trade);
    }
    Dprev = D;
    Sprev = S;
  }
  rPnl = f64x2.extract_lane(pnl, 0);
  rCost = f64x2.extract_lane(cost, 0);
  rTrades = f64x2.extract_lane(trades, 0);
  rPnl1 = f64x2.extract_lane(pnl, 1);
  rCost1 = f64x2.extract_lane(cost, 1);
  rTrades1 = f64x2.extract_lane(trades, 1);
}

export function hedgeShard(
  pathStart: f64, count: i32, steps: i32, seedLo: u32, seedHi: u32, stream: u32,
  pParams: usize, nOptions: i32, pOptions: usize, nRuns: i32, pEvery: usize, pScratch: usize, pPnl: usize, pCost: usize, pTrades: usize,
): i32 {
  if (count < 0 || steps < 1 || nOptions < 0 || nRuns < 0) return 1;
  for (let r = 0; r < nRuns; ++r) {
    const e = at(pEvery, r);
    if (!(e >= 1.0 && e <= 2147483647.0)) return 1;
  }
  if (!(pathStart >= 0.0) || pathStart != Math.floor(pathStart) || pathStart + <f64>count > 4294967296.0) return 1;
  const model = <i32>par(pParams, H_MODEL);
  const strategy = <i32>par(pParams, H_STRATEGY);
  const bandMode = <i32>par(pParams, H_BAND_MODE);
  if ((model < MODEL_GBM || model > MODEL_BATES) && model != MODEL_LOCAL_VOL) return 1;
  if (strategy < STRATEGY_NONE || strategy > STRATEGY_DELTA_GAMMA || bandMode < BAND_NONE || bandMode > BAND_WHALLEY_WILMOTT) return 1;
  const dps: i32 = model == MODEL_GBM || model == MODEL_LOCAL_VOL ? 1 : model == MODEL_MERTON ? 3 : model == MODEL_BATES ? 4 : 2;
  if (<i64>steps * <i64>dps > 0x7fffffff) return 1;
  const start = <u64>pathStart;
  // [hedging] Local vol: mcShard's grid (paths.ts), after the block; its checks.
  const lvTf = model == MODEL_LOCAL_VOL ? par(pParams, H_LV_TIMES) : 2.0;
  const lvKf = model == MODEL_LOCAL_VOL ? par(pParams, H_LV_POINTS) : 2.0;
  const lvKMin = par(pParams, H_LV_KMIN);
  const lvDk = par(pParams, H_LV_DK);
  if (model == MODEL_LOCAL_VOL && (!(lvTf >= 2.0) || !(lvKf >= 2.0) || lvTf != Math.floor(lvTf) || lvKf != Math.floor(lvKf) || !(lvTf <= 1e9) || !(lvKf <= 1e9) || !(lvDk > 0.0))) return 1;
  const lvT = <i32>lvTf;
  const lvK = <i32>lvKf;
  const pGrid = pParams + (<usize>H_LV_GRID << 3);

  const spot = par(pParams, H_SPOT);
  const rate = par(pParams, H_RATE);
  const divi = par(pParams, H_DIVIDEND);
  const T = par(pParams, H_HORIZON);
  const vol = par(pParams, H_VOL);
  const v0 = par(pParams, H_V0);
  const kappa = par(pParams, H_KAPPA);
  const theta = par(pParams, H_THETA);
  const xi = par(pParams, H_VOL_OF_VAR);
  const rho = par(pParams, H_RHO);
  const lambda = par(pParams, H_JUMP_INTENSITY);
  const jm = par(pParams, H_JUMP_MEAN);
  const jv = par(pParams, H_JUMP_VOL);
  const hv = par(pParams, H_HEDGE_VOL);

  normalCdfTableInit();
  gSteps = steps;
  gN = nOptions;
  gOpt = pOptions;
  gSpot = spot;
  gStrategy = strategy;
  gBandMode = bandMode;
  gBand = par(pParams, H_BAND);
  gRiskAversion = par(pParams, H_RISK_AVERSION);
  gToEdge = par(pParams, H_TO_EDGE) != 0.0;
  gProp = par(pParams, H_PROPORTIONAL);
  gFixed = par(pParams, H_FIXED);
  gOptProp = par(pParams, H_OPTION_PROPORTIONAL);
  gHType = par(pParams, H_HEDGE_TYPE);
  gHStrike = par(pParams, H_HEDGE_STRIKE);
  const hExpiry = par(pParams, H_HEDGE_EXPIRY);

  const dt = T / <f64>steps;
  const sqdt = Math.sqrt(dt);
  const lnS0 = log(spot);

  // Scratch: step table [steps + 1][3], option table [steps + 1][n + 1][5], path lanes [steps + 1][2].
  gStepTab = pScratch;
  gOptTab = gStepTab + (<usize>(steps + 1) * HEDGE_STEP_COLUMNS << 3);
  gRowBytes = <usize>((nOptions + 1) * HEDGE_OPTION_COLUMNS) << 3;
  const pPath = gOptTab + <usize>(steps + 1) * gRowBytes;
  for (let i = 0; i <= steps; ++i) {
    const t = <f64>i * dt;
    const st = gStepTab + <usize>i * (<usize>HEDGE_STEP_COLUMNS << 3);
    put(st, 0, exp(-rate * t));
    put(st, 1, exp(divi * dt - rate * t));
    put(st, 2, exp(-rate * (T - t)));
    for (let k = 0; k <= nOptions; ++k) {
      const row = gOptTab + <usize>i * gRowBytes + (<usize>(k * HEDGE_OPTION_COLUMNS) << 3);
      let K: f64;
      let tau: f64;
      let alive: bool;
      let vk = hv;
      if (k < nOptions) {
        const o = pOptions + (<usize>(k * OPT_COLUMNS) << 3);
        K = at(o, OPT_STRIKE);
        tau = at(o, OPT_EXPIRY) - t;
        alive = <f64>i < at(o, OPT_SETTLE);
        vk = at(o, OPT_HEDGE_VOL);
      } else {
        K = gHStrike;
        tau = hExpiry - t;
        alive = strategy == STRATEGY_DELTA_GAMMA;
      }
      if (alive && tau > 0.0 && K > 0.0) {
        const sdt = vk * Math.sqrt(tau);
        const a = 1.0 / sdt;
        put(row, 0, a);
        put(row, 1, ((rate - divi + 0.5 * vk * vk) * tau - log(K)) * a);
        put(row, 2, exp(-divi * tau));
        put(row, 3, K * exp(-rate * tau));
        put(row, 4, sdt);
      } else {
        put(row, 0, 0.0);
        put(row, 1, 0.0);
        put(row, 2, 0.0);
        put(row, 3, 0.0);
        put(row, 4, 0.0);
      }
    }
  }
  // Premiums at t = 0 and the hedge option's first price.
  let pnl0: f64 = 0.0;
  for (let k = 0; k < nOptions; ++k) {
    const o = pOptions + (<usize>(k * OPT_COLUMNS) << 3);
    pnl0 -= at(o, OPT_QUANTITY) * bsPrice(at(o, OPT_TYPE), at(o, OPT_STRIKE), spot, lnS0, gOptTab + (<usize>(k * HEDGE_OPTION_COLUMNS) << 3));
  }
  gPnl0 = pnl0;
  gH0 = strategy == STRATEGY_DELTA_GAMMA ? bsPrice(gHType, gHStrike, spot, lnS0, gOptTab + (<usize>(nOptions * HEDGE_OPTION_COLUMNS) << 3)) : 0.0;

  // Model constants (paths.ts).
  const gSd = vol * sqdt;
  const jumps = model == MODEL_MERTON || model == MODEL_BATES;
  const jumpK = jumps ? exp(jm + 0.5 * jv * jv) - 1.0 : 0.0;
  const lamDt = lambda * dt;
  const pois0 = exp(-lamDt);
  const gDrift = (rate - divi - lambda * jumpK - 0.5 * vol * vol) * dt;
  const E = exp(-kappa * dt);
  const c1 = kappa > 0.0 ? xi * xi * E * (1.0 - E) / kappa : 0.0;
  const c2 = kappa > 0.0 ? theta * xi * xi * (1.0 - E) * (1.0 - E) / (2.0 * kappa) : 0.0;
  const rOverXi = xi > 0.0 ? rho / xi : 0.0;
  const K0 = -rOverXi * kappa * theta * dt;
  const K1 = 0.5 * dt * (kappa * rOverXi - 0.5) - rOverXi;
  const K2 = 0.5 * dt * (kappa * rOverXi - 0.5) + rOverXi;
  const K3 = 0.5 * dt * (1.0 - rho * rho);
  const K4 = K3;
  const Acorr = K2 + 0.5 * K4;
  const Kv = K1 + 0.5 * K3;
  const hDrift = (rate - divi - lambda * jumpK) * dt;
  const sq1mr = Math.sqrt(Math.max(1.0 - rho * rho, 0.0));

  drawsShardBegin(DRAWS_PHILOX, false, count, steps, dps, seedLo, seedHi, stream, 0, 0);
  const pairs = model == MODEL_GBM;
  const fast = (strategy == STRATEGY_DELTA && bandMode == BAND_NONE) || strategy == STRATEGY_NONE;
  for (let i = 0; i < count; ++i) {
    if (pairs && i + 1 < count) {
      const pathA = <u32>(start + <u64>i);
      gbmLogPathPair(pathA, pathA + 1, steps, lnS0, gDrift, gSd, pPath);
      hedgePairRuns(pPath, fast, nRuns, pEvery, count, i, pPnl, pCost, pTrades);
      ++i;
      continue;
    }
    drawsShardPath(start, i);
    let x = lnS0;
    let v = v0;
    // Other models: paths one at a time, into the lanes of the pair layout (path i in lane i & 1),
    // then hedged two at a time by the pair loops; an odd last path alone (scalar, stride 16).
    const pLane = pPath + (<usize>(pairs ? 0 : i & 1) << 3);
    store<f64>(pLane, x);
    for (let s = 0; s < steps; ++s) {
      const j0 = <u32>(s * dps);
      if (model == MODEL_GBM) {
        const z = normal(j0);
        x += gDrift + gSd * z;
      } else if (model == MODEL_MERTON) {
        const z = normal(j0);
        const uN = uniform(j0 + 1);
        const nj = poisson(uN, lamDt, pois0);
        const jump = nj > 0 ? jumpSum(nj, jm, jv, normal(j0 + 2)) : 0.0;
        x += gDrift + gSd * z + jump;
      } else if (model == MODEL_LOCAL_VOL) {
        // mcShard's log-Euler step: sigma at the step's midpoint time and its starting k = ln(S / F(t_s)).
        const z = normal(j0);
        const sig = localVolAt(pGrid, lvT, lvK, lvKMin, lvDk, localVolRow(s, steps, lvT), x - (lnS0 + (rate - divi) * (<f64>s * dt)));
        x += ((rate - divi) - 0.5 * sig * sig) * dt + sig * sqdt * z;
      } else if (model == MODEL_HESTON_EULER) {
        const zv = normal(j0);
        const z = normal(j0 + 1);
        const vp = v > 0.0 ? v : 0.0;
        const sv = Math.sqrt(vp * dt);
        x += (rate - divi - 0.5 * vp) * dt + sv * (rho * zv + sq1mr * z);
        v += kappa * (theta - vp) * dt + xi * sv * zv;
      } else {
        // Heston QE (and Bates), paths.ts's step.
        const uv = draw(j0);
        const z = normal(j0 + 1);
        const m = theta + (v - theta) * E;
        const s2 = v * c1 + c2;
        const m2 = m * m;
        let vn: f64;
        let k0: f64;
        if (s2 <= PSI_C * m2) {
          const t2 = 2.0 * m2 / s2;
          const b2 = t2 - 1.0 + Math.sqrt(t2 * (t2 - 1.0));
          const a = m / (1.0 + b2);
          const bz = Math.sqrt(b2) + normal(j0);
          vn = a * bz * bz;
          const y = 2.0 * Acorr * a;
          const d = 1.0 - y;
          k0 = d > 0.0 ? -Acorr * b2 * a / d + 0.5 * logOneMinus(y, d) - Kv * v : K0;
        } else {
          const psi = s2 / m2;
          const pp = (psi - 1.0) / (psi + 1.0);
          const beta = (1.0 - pp) / m;
          const u = asUniform(uv);
          vn = u <= pp ? 0.0 : log((1.0 - pp) / (1.0 - u)) / beta;
          k0 = Acorr < beta ? -log(pp + beta * (1.0 - pp) / (beta - Acorr)) - Kv * v : K0;
        }
        const sd = Math.sqrt(K3 * v + K4 * vn);
        x += hDrift + k0 + K1 * v + K2 * vn + sd * z;
        if (model == MODEL_BATES) {
          const uN = uniform(j0 + 2);
          const nj = poisson(uN, lamDt, pois0);
          if (nj > 0) x += jumpSum(nj, jm, jv, normal(j0 + 3));
        }
        v = vn;
      }
      store<f64>(pLane + (<usize>(s + 1) << 4), x);
    }
    if (!pairs && (i & 1) != 0) {
      hedgePairRuns(pPath, fast, nRuns, pEvery, count, i - 1, pPnl, pCost, pTrades);
    } else if (pairs || i + 1 == count) {
      for (let r = 0; r < nRuns; ++r) {
        gEvery = <i32>at(pEvery, r);
        hedgePath(pPath, 16);
        const o = r * count + i;
        put(pPnl, o, rPnl);
        put(pCost, o, rCost);
        put(pTrades, o, rTrades);
      }
    }
  }
  return 0;
}

/**
 * Hedge the pair of paths i, i + 1 whose log spots are in the lanes at pPath once per interval
 * of pEvery (the spots first, spotsX2), and write their outputs.
 */
function hedgePairRuns(pPath: usize, fast: bool, nRuns: i32, pEvery: usize, count: i32, i: i32, pPnl: usize, pCost: usize, pTrades: usize): void {
  spotsX2(pPath);
  for (let r = 0; r < nRuns; ++r) {
    gEvery = <i32>at(pEvery, r);
    if (fast) hedgeDeltaClockX2(pPath);
    else hedgePathX2(pPath);
    const o = r * count + i;
    put(pPnl, o, rPnl);
    put(pCost, o, rCost);
    put(pTrades, o, rTrades);
    put(pPnl, o + 1, rPnl1);
    put(pCost, o + 1, rCost1);
    put(pTrades, o + 1, rTrades1);
  }
}
