// Discrete hedging shard kernel: pure-JS twin of assembly/hedging/hedge-paths.ts (see there for the
// accounting, the strategies and the references). Line for line the AssemblyScript kernel with
// `heap` views for raw loads and stores; the WASM twin makes GBM paths two per f64x2 lane and hedges
// every model's paths two at a time (with loops specialised to the delta clock), bit for bit this
// scalar loop. Draws and path steps are those of src/kernels/montecarlo (same Philox
// stream layout, same step formulas), exp / log / normal cdf and pdf the shared implementations (the
// deltas' cdf the table of normal-cdf-table.ts, built from them):
// every output is the WASM twin's, bit for bit.
//
// Returns 0, or 1 for a malformed call (count, nOptions or nRuns < 0, steps < 1, unknown code, an interval < 1,
// path indices beyond 2^32).

import type { KernelHeap } from '../heap.js';
import { drawsShardBegin, drawsShardPath, draw, normal, uniform, asUniform } from '../montecarlo/draws.js';
import { exp, log, logOneMinus } from '../math/elementary.js';
import { poisson, jumpSum } from '../montecarlo/jump-counts.js';
import { normalCdf, normalPdf } from '../math/normal-distribution.js';
import { MODEL_GBM, MODEL_HESTON_EULER, MODEL_MERTON, MODEL_BATES, MODEL_LOCAL_VOL, DRAWS_PHILOX } from '../montecarlo/layout.js';
import { localVolAt, localVolRow } from '../montecarlo/local-vol-grid.js';
import {
  H_MODEL, H_SPOT, H_RATE, H_DIVIDEND, H_HORIZON, H_VOL, H_V0, H_KAPPA, H_THETA, H_VOL_OF_VAR, H_RHO,
  H_JUMP_INTENSITY, H_JUMP_MEAN, H_JUMP_VOL, H_HEDGE_VOL, H_STRATEGY, H_BAND_MODE, H_BAND,
  H_RISK_AVERSION, H_TO_EDGE, H_PROPORTIONAL, H_FIXED, H_OPTION_PROPORTIONAL, H_HEDGE_TYPE, H_HEDGE_STRIKE,
  H_HEDGE_EXPIRY, STRATEGY_NONE, STRATEGY_DELTA_GAMMA, BAND_NONE, BAND_WHALLEY_WILMOTT,
  OPT_QUANTITY, OPT_TYPE, OPT_STRIKE, OPT_EXPIRY, OPT_SETTLE, OPT_HEDGE_VOL, OPT_COLUMNS, HEDGE_STEP_COLUMNS, HEDGE_OPTION_COLUMNS,
  H_LV_TIMES, H_LV_POINTS, H_LV_KMIN, H_LV_DK, H_LV_GRID,
} from './layout.js';
import { normalCdfTable, normalCdfTableInit } from './normal-cdf-table.js';

const PSI_C = 1.5;
const THIRD = 1.0 / 3.0;
/** Smallest hedge-option gamma, relative to the book's gamma per unit, that delta-gamma hedging uses. */
const GAMMA_FLOOR = 1e-8;

/** f64 to i32 as AssemblyScript's `<i32>` (saturating truncation, NaN to 0). */
function toI32(v: number): number {
  if (v !== v) return 0;
  if (v >= 2147483647) return 2147483647;
  if (v <= -2147483648) return -2147483648;
  return Math.trunc(v);
}

/** Black-Scholes price at spot S (x = ln S) from one option row of the table (element index; sdt > 0: alive). */
function bsPrice(F: Float64Array, typ: number, K: number, S: number, x: number, row: number): number {
  const sdt = F[row + 4]!;
  if (!(sdt > 0.0)) {
    const e = typ * (S - K);
    return e > 0.0 ? e : 0.0;
  }
  const d1 = x * F[row]! + F[row + 1]!;
  const eq = F[row + 2]!;
  const kd = F[row + 3]!;
  return typ > 0.0 ? eq * S * normalCdf(d1) - kd * normalCdf(d1 - sdt) : kd * normalCdf(sdt - d1) - eq * S * normalCdf(-d1);
}

/** The call's settings shared by every path (element indices into the heap's f64 view). */
interface Setup {
  F: Float64Array;
  steps: number;
  n: number;
  opt: number;
  stepTab: number;
  optTab: number;
  rowLen: number;
  spot: number;
  strategy: number;
  every: number;
  bandMode: number;
  band: number;
  riskAversion: number;
  toEdge: boolean;
  prop: number;
  fixed: number;
  optProp: number;
  hType: number;
  hStrike: number;
  pnl0: number;
  h0: number;
}

const result = { pnl: 0, cost: 0, trades: 0 };

/** Hedge one path whose log spots x_0..x_steps are at element pX (stride `stride` elements). */
function hedgePath(c: Setup, pX: number, stride: number): void {
  const F = c.F;
  const steps = c.steps;
  const n = c.n;
  const gammaHedge = c.strategy === STRATEGY_DELTA_GAMMA;
  const needGamma = gammaHedge || c.bandMode === BAND_WHALLEY_WILMOTT;
  let pnl = c.pnl0;
  let cost = 0.0;
  let trades = 0.0;
  let h = 0.0;
  let g = 0.0;
  let Sprev = c.spot;
  let Hprev = c.h0;
  let next = 0;
  for (let i = 0; i <= steps; ++i) {
    const x = F[pX + i * stride]!;
    const S = i === 0 ? c.spot : exp(x);
    const st = c.stepTab + i * HEDGE_STEP_COLUMNS;
    const D = F[st]!;
    const rowI = c.optTab + i * c.rowLen;
    let H = Hprev;
    if (i > 0) {
      const stPrev = st - HEDGE_STEP_COLUMNS;
      pnl += h * (F[st + 1]! * S - F[stPrev]! * Sprev);
      if (gammaHedge) {
        H = bsPrice(F, c.hType, c.hStrike, S, x, rowI + n * HEDGE_OPTION_COLUMNS);
        pnl += g * (D * H - F[stPrev]! * Hprev);
      }
      for (let k = 0; k < n; ++k) {
        const o = c.opt + k * OPT_COLUMNS;
        const settle = toI32(F[o + OPT_SETTLE]!);
        if (settle === i) {
          const e = F[o + OPT_TYPE]! * (S - F[o + OPT_STRIKE]!);
          if (e > 0.0) pnl += F[o + OPT_QUANTITY]! * D * e;
        } else if (i === steps && settle > steps) {
          pnl += F[o + OPT_QUANTITY]! * D * bsPrice(F, F[o + OPT_TYPE]!, F[o + OPT_STRIKE]!, S, x, rowI + k * HEDGE_OPTION_COLUMNS);
        }
      }
    }
    if (i < steps && c.strategy !== STRATEGY_NONE && i === next) {
      next += c.every;
      let db = 0.0;
      let gb = 0.0;
      let qAbs = 0.0;
      let gAbs = 0.0;
      for (let k = 0; k < n; ++k) {
        const o = c.opt + k * OPT_COLUMNS;
        if (toI32(F[o + OPT_SETTLE]!) <= i) continue;
        const row = rowI + k * HEDGE_OPTION_COLUMNS;
        const a = F[row]!;
        const d1 = x * a + F[row + 1]!;
        const eq = F[row + 2]!;
        const q = F[o + OPT_QUANTITY]!;
        const N1 = normalCdfTable(d1);
        db += q * (eq * (F[o + OPT_TYPE]! > 0.0 ? N1 : N1 - 1.0));
        if (needGamma) {
          const gk = q * (eq * normalPdf(d1) * a / S);
          gb += gk;
          qAbs += Math.abs(q);
          gAbs += Math.abs(gk);
        }
      }
      let gs = 0.0;
      let hs = -db;
      if (gammaHedge) {
        const row = rowI + n * HEDGE_OPTION_COLUMNS;
        const a = F[row]!;
        const d1 = x * a + F[row + 1]!;
        const eq = F[row + 2]!;
        const N1 = normalCdfTable(d1);
        const dH = eq * (c.hType > 0.0 ? N1 : N1 - 1.0);
        const gH = eq * normalPdf(d1) * a / S;
        gs = gAbs === 0.0 ? 0.0 : gH * qAbs > GAMMA_FLOOR * gAbs ? -gb / gH : g;
        hs = -(db + gs * dH);
        gb += gs * gH;
      }
      let trade: boolean;
      let hn = hs;
      if (c.bandMode === BAND_NONE) {
        trade = hs !== h || gs !== g;
      } else {
        const w = c.bandMode === BAND_WHALLEY_WILMOTT
          ? (gb !== 0.0 ? exp(log(1.5 * F[st + 2]! * c.prop * S * gb * gb / c.riskAversion) * THIRD) : 0.0)
          : c.band;
        const dev = hs - h;
        trade = Math.abs(dev) > w;
        if (trade && c.toEdge) hn = dev > 0.0 ? hs - w : hs + w;
      }
      if (trade) {
        const cc = c.prop * Math.abs(hn - h) * S + c.optProp * Math.abs(gs - g) * H + c.fixed;
        pnl -= D * cc;
        cost += D * cc;
        trades += 1.0;
        h = hn;
        g = gs;
      }
    }
    Sprev = S;
    Hprev = H;
  }
  result.pnl = pnl;
  result.cost = cost;
  result.trades = trades;
}

export function hedgeShard(
  heap: KernelHeap, pathStart: number, count: number, steps: number, seedLo: number, seedHi: number, stream: number,
  pParams: number, nOptions: number, pOptions: number, nRuns: number, pEvery: number, pScratch: number, pPnl: number, pCost: number, pTrades: number,
): number {
  count |= 0;
  steps |= 0;
  nOptions |= 0;
  nRuns |= 0;
  const F = heap.f64;
  const pp0 = pParams >>> 3;
  const par = (i: number): number => F[pp0 + i]!;
  if (count < 0 || steps < 1 || nOptions < 0 || nRuns < 0) return 1;
  const ev0 = pEvery >>> 3;
  for (let r = 0; r < nRuns; ++r) {
    const e = F[ev0 + r]!;
    if (!(e >= 1.0 && e <= 2147483647.0)) return 1;
  }
  if (!(pathStart >= 0.0) || pathStart !== Math.floor(pathStart) || pathStart + count > 4294967296.0) return 1;
  const model = toI32(par(H_MODEL));
  const strategy = toI32(par(H_STRATEGY));
  const bandMode = toI32(par(H_BAND_MODE));
  if ((model < MODEL_GBM || model > MODEL_BATES) && model !== MODEL_LOCAL_VOL) return 1;
  if (strategy < STRATEGY_NONE || strategy > STRATEGY_DELTA_GAMMA || bandMode < BAND_NONE || bandMode > BAND_WHALLEY_WILMOTT) return 1;
  const dps = model === MODEL_GBM || model === MODEL_LOCAL_VOL ? 1 : model === MODEL_MERTON ? 3 : model === MODEL_BATES ? 4 : 2;
  if (steps * dps > 0x7fffffff) return 1;
  const start = pathStart;
  // [hedging] Local vol: mcShard's grid (paths.ts), after the block; its checks.
  const lvTf = model === MODEL_LOCAL_VOL ? par(H_LV_TIMES) : 2.0;
  const lvKf = model === MODEL_LOCAL_VOL ? par(H_LV_POINTS) : 2.0;
  const lvKMin = par(H_LV_KMIN);
  const lvDk = par(H_LV_DK);
  if (model === MODEL_LOCAL_VOL && (!(lvTf >= 2.0) || !(lvKf >= 2.0) || lvTf !== Math.floor(lvTf) || lvKf !== Math.floor(lvKf) || !(lvTf <= 1e9) || !(lvKf <= 1e9) || !(lvDk > 0.0))) return 1;
  const lvT = toI32(lvTf);
  const lvK = toI32(lvKf);
  const pGrid = pParams + H_LV_GRID * 8;
  normalCdfTableInit();

  const spot = par(H_SPOT);
  const rate = par(H_RATE);
  const divi = par(H_DIVIDEND);
  const T = par(H_HORIZON);
  const vol = par(H_VOL);
  const v0 = par(H_V0);
  const kappa = par(H_KAPPA);
  const theta = par(H_THETA);
  const xi = par(H_VOL_OF_VAR);
  const rho = par(H_RHO);
  const lambda = par(H_JUMP_INTENSITY);
  const jm = par(H_JUMP_MEAN);
  const jv = par(H_JUMP_VOL);
  const hv = par(H_HEDGE_VOL);
  const hStrike = par(H_HEDGE_STRIKE);
  const hExpiry = par(H_HEDGE_EXPIRY);
  const opt = pOptions >>> 3;

  const dt = T / steps;
  const sqdt = Math.sqrt(dt);
  const lnS0 = log(spot);

  const stepTab = pScratch >>> 3;
  const optTab = stepTab + (steps + 1) * HEDGE_STEP_COLUMNS;
  const rowLen = (nOptions + 1) * HEDGE_OPTION_COLUMNS;
  const pPath = optTab + (steps + 1) * rowLen;
  for (let i = 0; i <= steps; ++i) {
    const t = i * dt;
    const st = stepTab + i * HEDGE_STEP_COLUMNS;
    F[st] = exp(-rate * t);
    F[st + 1] = exp(divi * dt - rate * t);
    F[st + 2] = exp(-rate * (T - t));
    for (let k = 0; k <= nOptions; ++k) {
      const row = optTab + i * rowLen + k * HEDGE_OPTION_COLUMNS;
      let K: number;
      let tau: number;
      let alive: boolean;
      let vk = hv;
      if (k < nOptions) {
        const o = opt + k * OPT_COLUMNS;
        K = F[o + OPT_STRIKE]!;
        tau = F[o + OPT_EXPIRY]! - t;
        alive = i < F[o + OPT_SETTLE]!;
        vk = F[o + OPT_HEDGE_VOL]!;
      } else {
        K = hStrike;
        tau = hExpiry - t;
        alive = strategy === STRATEGY_DELTA_GAMMA;
      }
      if (alive && tau > 0.0 && K > 0.0) {
        const sdt = vk * Math.sqrt(tau);
        const a = 1.0 / sdt;
        F[row] = a;
        F[row + 1] = ((rate - divi + 0.5 * vk * vk) * tau - log(K)) * a;
        F[row + 2] = exp(-divi * tau);
        F[row + 3] = K * exp(-rate * tau);
        F[row + 4] = sdt;
      } else {
        F[row] = 0.0;
        F[row + 1] = 0.0;
        F[row + 2] = 0.0;
        F[row + 3] = 0.0;
        F[row + 4] = 0.0;
      }
    }
  }
  let pnl0 = 0.0;
  for (let k = 0; k < nOptions; ++k) {
    const o = opt + k * OPT_COLUMNS;
    pnl0 -= F[o + OPT_QUANTITY]! * bsPrice(F, F[o + OPT_TYPE]!, F[o + OPT_STRIKE]!, spot, lnS0, optTab + k * HEDGE_OPTION_COLUMNS);
  }
  const hType = par(H_HEDGE_TYPE);
  const setup: Setup = {
    F, steps, n: nOptions, opt, stepTab, optTab, rowLen, spot, strategy, every: 1, bandMode,
    band: par(H_BAND), riskAversion: par(H_RISK_AVERSION), toEdge: par(H_TO_EDGE) !== 0.0, prop: par(H_PROPORTIONAL),
    fixed: par(H_FIXED), optProp: par(H_OPTION_PROPORTIONAL), hType, hStrike, pnl0,
    h0: strategy === STRATEGY_DELTA_GAMMA ? bsPrice(F, hType, hStrike, spot, lnS0, optTab + nOptions * HEDGE_OPTION_COLUMNS) : 0.0,
  };

  const gSd = vol * sqdt;
  const jumps = model === MODEL_MERTON || model === MODEL_BATES;
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

  drawsShardBegin(heap, DRAWS_PHILOX, false, count, steps, dps, seedLo, seedHi, stream, 0, 0);
  const out0 = pPnl >>> 3;
  const cost0 = pCost >>> 3;
  const trades0 = pTrades >>> 3;
  for (let i = 0; i < count; ++i) {
    drawsShardPath(start, i);
    let x = lnS0;
    let v = v0;
    F[pPath] = x;
    for (let s = 0; s < steps; ++s) {
      const j0 = s * dps;
      if (model === MODEL_GBM) {
        const z = normal(j0);
        x += gDrift + gSd * z;
      } else if (model === MODEL_MERTON) {
        const z = normal(j0);
        const uN = uniform(j0 + 1);
        const nj = poisson(uN, lamDt, pois0);
        const jump = nj > 0 ? jumpSum(nj, jm, jv, normal(j0 + 2)) : 0.0;
        x += gDrift + gSd * z + jump;
      } else if (model === MODEL_LOCAL_VOL) {
        // mcShard's log-Euler step: sigma at the step's midpoint time and its starting k = ln(S / F(t_s)).
        const z = normal(j0);
        const sig = localVolAt(F, pGrid, lvT, lvK, lvKMin, lvDk, localVolRow(s, steps, lvT), x - (lnS0 + (rate - divi) * (s * dt)));
        x += ((rate - divi) - 0.5 * sig * sig) * dt + sig * sqdt * z;
      } else if (model === MODEL_HESTON_EULER) {
        const zv = normal(j0);
        const z = normal(j0 + 1);
        const vp = v > 0.0 ? v : 0.0;
        const sv = Math.sqrt(vp * dt);
        x += (rate - divi - 0.5 * vp) * dt + sv * (rho * zv + sq1mr * z);
        v += kappa * (theta - vp) * dt + xi * sv * zv;
      } else {
        const uv = draw(j0);
        const z = normal(j0 + 1);
        const m = theta + (v - theta) * E;
        const s2 = v * c1 + c2;
        const m2 = m * m;
        let vn: number;
        let k0: number;
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
        if (model === MODEL_BATES) {
          const uN = uniform(j0 + 2);
          const nj = poisson(uN, lamDt, pois0);
          if (nj > 0) x += jumpSum(nj, jm, jv, normal(j0 + 3));
        }
        v = vn;
      }
      F[pPath + s + 1] = x;
    }
    for (let r = 0; r < nRuns; ++r) {
      setup.every = toI32(F[ev0 + r]!);
      hedgePath(setup, pPath, 1);
      const o = r * count + i;
      F[out0 + o] = result.pnl;
      F[cost0 + o] = result.cost;
      F[trades0 + o] = result.trades;
    }
  }
  return 0;
}
