/**
 * Stress tests by full revaluation:
 * - historical windows found in the data: within each named period (default March 2020, May
 *   2022, November 2022), the `windowDays`-day window (close to close) with the worst portfolio
 *   P&L, its moves applied to today's portfolio as one instantaneous shock (no time passes);
 * - hypothetical grids: every asset's spot moved by the same simple return, crossed with vol
 *   shocks (SPAN / Deribit risk-matrix style);
 * - stressed VaR: historical VaR/ES of today's portfolio over the `windowDays`-long stretch of
 *   history (1-day moves) where it is largest.
 */
import type { EngineContext } from '../engine.js';
import { InputError } from '../errors.js';
import { revaluePortfolio, type Portfolio } from './portfolio.js';
import type { AlignedHistories } from './returns.js';
import { checkConfidence, empiricalTail } from './tail-measures.js';

export interface StressPeriod { name: string; from: string; to: string }

/** Default periods: the COVID crash, the Terra/LUNA collapse and the FTX collapse. */
export const DEFAULT_STRESS_PERIODS: readonly StressPeriod[] = [
  { name: 'March 2020 (COVID crash)', from: '2020-03-01', to: '2020-03-31' },
  { name: 'May 2022 (Terra/LUNA)', from: '2022-05-01', to: '2022-05-31' },
  { name: 'November 2022 (FTX)', from: '2022-11-01', to: '2022-11-30' },
];

export interface StressTestArgs {
  portfolio: Portfolio;
  /** Aligned price histories of the portfolio's assets (alignHistories). */
  history?: AlignedHistories;
  periods?: readonly StressPeriod[];
  /** Window length in days searched within each period (default 3). */
  windowDays?: number;
  /** Vol shocks applied with each historical window, per asset (absolute, default none). */
  historicalVolShocks?: Record<string, number>;
  /** Hypothetical grid: simple spot returns x vol shocks. */
  grid?: { spotShocks: readonly number[]; volShocks?: readonly number[]; volShockMode?: 'absolute' | 'relative' | 'log' };
}

export interface StressWindowResult { name: string; start: string; end: string; moves: Record<string, number>; pnl: number }

export interface StressTestResult {
  historical: StressWindowResult[];
  grid?: { spotShocks: number[]; volShocks: number[]; /** [spot][vol] P&L */ pnl: number[][] };
  /** The worst P&L over all windows and grid points. */
  worst: { name: string; pnl: number };
}

/**
 * Historical-window and hypothetical-grid stress tests by full revaluation (see the file comment);
 * P&L in USD, positive = gain.
 * @throws InputError for malformed arguments (naming the field), or a portfolio / history mismatch.
 */
export function stressTest(ctx: EngineContext, args: StressTestArgs): StressTestResult {
  if (args === null || typeof args !== 'object') throw new InputError('args', args, 'an object');
  const assets = Object.keys(args.portfolio?.spots ?? {});
  const k = assets.length;
  const historical: StressWindowResult[] = [];
  let worst = { name: '', pnl: Infinity };
  if (args.history) {
    const h = args.history;
    const wd = args.windowDays ?? 3;
    if (!Number.isInteger(wd) || wd < 1) throw new InputError('windowDays', wd, 'a positive integer');
    for (const a of assets) if (!h.prices[a]) throw new InputError('history', a, `a history with asset ${a}`);
    for (const p of args.periods ?? DEFAULT_STRESS_PERIODS) {
      // Candidate windows: end index e, start index e - wd, both inside the period (start close may be the day before).
      const idx: number[] = [];
      h.dates.forEach((d, i) => { if (d >= p.from && d <= p.to) idx.push(i); });
      if (idx.length === 0) continue;
      const cands: [number, number][] = [];
      for (const e of idx) { const s = e - wd; if (s >= 0 && h.dates[s] >= shiftDay(p.from, -1)) cands.push([s, e]); }
      if (cands.length === 0) continue;
      const lr = new Float64Array(cands.length * k);
      cands.forEach(([s, e], j) => assets.forEach((a, f) => (lr[j * k + f] = Math.log(h.prices[a][e] / h.prices[a][s]))));
      const vs = args.historicalVolShocks ? new Float64Array(cands.length * k).map((_, i) => args.historicalVolShocks?.[assets[i % k]] ?? 0) : undefined;
      const pnl = revaluePortfolio(ctx, { portfolio: args.portfolio, scenarios: { assets, logReturns: lr, volShocks: vs, horizon: 0 } }).pnl;
      let j = 0;
      for (let q = 1; q < pnl.length; q++) if (pnl[q] < pnl[j]) j = q;
      const [s, e] = cands[j];
      const moves = Object.fromEntries(assets.map((a, f) => [a, Math.expm1(lr[j * k + f])]));
      historical.push({ name: p.name, start: h.dates[s], end: h.dates[e], moves, pnl: pnl[j] });
      if (pnl[j] < worst.pnl) worst = { name: p.name, pnl: pnl[j] };
    }
  }
  let grid: StressTestResult['grid'];
  if (args.grid) {
    const ss = [...args.grid.spotShocks];
    const vv = [...(args.grid.volShocks ?? [0])];
    ss.forEach((x, i) => { if (!(x > -1) || !Number.isFinite(x)) throw new InputError(`grid.spotShocks[${i}]`, x, 'a simple return > -1'); });
    vv.forEach((x, i) => { if (!Number.isFinite(x)) throw new InputError(`grid.volShocks[${i}]`, x, 'a finite number'); });
    const m = ss.length * vv.length;
    const lr = new Float64Array(m * k), vs = new Float64Array(m * k);
    ss.forEach((x, i) => vv.forEach((v, j) => { for (let f = 0; f < k; f++) { lr[(i * vv.length + j) * k + f] = Math.log1p(x); vs[(i * vv.length + j) * k + f] = v; } }));
    const pnl = revaluePortfolio(ctx, { portfolio: args.portfolio, scenarios: { assets, logReturns: lr, volShocks: vs, volShockMode: args.grid.volShockMode ?? 'absolute', horizon: 0 } }).pnl;
    const rows = ss.map((_, i) => vv.map((__, j) => pnl[i * vv.length + j]));
    grid = { spotShocks: ss, volShocks: vv, pnl: rows };
    ss.forEach((x, i) => vv.forEach((v, j) => { if (rows[i][j] < worst.pnl) worst = { name: `grid spot ${x} vol ${v}`, pnl: rows[i][j] }; }));
  }
  return { historical, grid, worst };
}

function shiftDay(d: string, days: number): string {
  return new Date(Date.parse(`${d}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);
}

/**
 * Stressed VaR: historical VaR and ES of today's portfolio under the 1-day moves of each
 * `windowDays`-long stretch of the history (every `step` days), reported for the stretch where
 * VaR is largest.
 * VaR and ES are positive USD losses at `confidence` in (0, 1).
 * @throws InputError for a confidence outside (0, 1), a window outside [20, n], or a history lacking a portfolio asset.
 */
export function stressedVar(ctx: EngineContext, args: { portfolio: Portfolio; history: AlignedHistories; confidence: number; windowDays?: number; step?: number }):
  { var: number; es: number; start: string; end: string; windows: number; currentVar: number } {
  const c = checkConfidence(args?.confidence);
  const h = args.history;
  const assets = Object.keys(args.portfolio?.spots ?? {});
  const k = assets.length;
  const n = h.dates.length - 1;
  const W = args.windowDays ?? 250;
  if (!Number.isInteger(W) || W < 20 || W > n) throw new InputError('windowDays', W, `an integer in [20, ${n}]`);
  const step = args.step ?? 5;
  const lr = new Float64Array(n * k);
  for (let t = 0; t < n; t++) assets.forEach((a, f) => (lr[t * k + f] = h.returns[a]?.[t] ?? NaN));
  if (lr.some((x) => !Number.isFinite(x))) throw new InputError('history', h, 'log returns for every portfolio asset');
  const pnl = revaluePortfolio(ctx, { portfolio: args.portfolio, scenarios: { assets, logReturns: lr } }).pnl;
  let best = { var: -Infinity, es: -Infinity, s: 0 };
  let windows = 0;
  for (let s = 0; s + W <= n; s += step) {
    const t = empiricalTail(ctx, pnl.subarray(s, s + W), c);
    windows++;
    if (t.var > best.var) best = { var: t.var, es: t.es, s };
  }
  const cur = empiricalTail(ctx, pnl.subarray(n - W, n), c);
  return { var: best.var, es: best.es, start: h.dates[best.s + 1], end: h.dates[best.s + W], windows, currentVar: cur.var };
}
