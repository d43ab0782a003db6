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
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { revaluePortfolio, type Portfolio } from './portfolio.js';
import { isIsoDate, type AlignedHistories } from './returns.js';
import { checkConfidence, empiricalTailUnchecked as empiricalTail } from './tail-measures.js';
import { checkArray, checkEnum, checkInt, checkNumber, checkOptions, checkStrings, keysOf, optionalOptions, checkContext } from './validate.js';
import { own } from '../data-tables.js';

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
  /** Window length in days searched within each period: a positive integer below the history's length (default 3). */
  windowDays?: number;
  /** Vol shocks applied with each historical window, per asset (absolute, default none). */
  historicalVolShocks?: Record<string, number>;
  /** Hypothetical grid: simple spot returns x vol shocks. */
  grid?: { spotShocks: readonly number[]; volShocks?: readonly number[]; volShockMode?: 'absolute' | 'relative' | 'log' };
}

/** Arguments of {@link stressedVar}. */
export interface StressedVarArgs {
  portfolio: Portfolio;
  /** Aligned price histories of the portfolio's assets (alignHistories). */
  history: AlignedHistories;
  /** Confidence in (0, 1). */
  confidence: number;
  /** Window length in days, an integer in [20, returns] (default 250). */
  windowDays?: number;
  /** Days between window starts, a positive integer (default 5). */
  step?: number;
}

const STRESS_KEYS = keysOf<StressTestArgs>()(['portfolio', 'history', 'periods', 'windowDays', 'historicalVolShocks', 'grid']);
const GRID_KEYS = keysOf<NonNullable<StressTestArgs['grid']>>()(['spotShocks', 'volShocks', 'volShockMode']);
const PERIOD_KEYS = keysOf<StressPeriod>()(['name', 'from', 'to']);
const STRESSED_VAR_KEYS = keysOf<StressedVarArgs>()(['portfolio', 'history', 'confidence', 'windowDays', 'step']);
const HISTORY_KEYS = keysOf<AlignedHistories>()(['dates', 'prices', 'returns', 'spanDays', 'gaps']);
const VOL_SHOCK_MODES = ['absolute', 'relative', 'log'] as const;

/**
 * An aligned history holding `field` ('prices': dates.length values, 'returns': dates.length - 1)
 * for every asset, as own properties. Returns the dates.
 * @throws InputError naming the field.
 */
function checkHistory(h: unknown, assets: readonly string[], field: 'prices' | 'returns'): string[] {
  checkOptions(h, HISTORY_KEYS, 'history');
  const hist = h as AlignedHistories;
  const dates = checkStrings(hist.dates, 'history.dates', 2);
  const table = hist[field] as unknown;
  if (table === null || typeof table !== 'object') throw new InputError(`history.${field}`, table, 'an object of series by asset');
  const len = field === 'prices' ? dates.length : dates.length - 1;
  for (const a of assets) {
    const series = own(table as Record<string, unknown>, a);
    if (series === undefined) throw new InputError('history', a, `a history with asset ${a}`);
    const x = series as ArrayLike<unknown>;
    if (series === null || typeof series !== 'object' || x.length !== len) throw new InputError(`history.${field}.${a}`, series, `${len} numbers (one per ${field === 'prices' ? 'date' : 'return'})`);
    for (let i = 0; i < len; i++) {
      const v = x[i];
      if (typeof v !== 'number' || !Number.isFinite(v) || (field === 'prices' && !(v > 0))) {
        throw new InputError(`history.${field}.${a}[${i}]`, v, field === 'prices' ? 'a positive finite price' : 'a finite log-return');
      }
    }
  }
  return dates;
}

/** Portfolio asset names (spot keys), after a shape check. */
function portfolioAssets(portfolio: unknown): string[] {
  if (portfolio === null || typeof portfolio !== 'object') throw new InputError('portfolio', portfolio, 'an object');
  const spots = (portfolio as Portfolio).spots;
  if (spots === null || typeof spots !== 'object' || Array.isArray(spots)) throw new InputError('portfolio.spots', spots, 'an object of spots');
  return Object.keys(spots);
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
  checkContext(ctx);
  checkOptions(args, STRESS_KEYS, '', 'args');
  const assets = portfolioAssets(args.portfolio);
  const k = assets.length;
  if (args.history === undefined && args.grid === undefined) throw new InputError('history', args.history, 'a history or a grid (or both)');
  const historical: StressWindowResult[] = [];
  let worst = { name: '', pnl: Infinity };
  const volShocksByAsset = args.historicalVolShocks;
  if (volShocksByAsset !== undefined) {
    if (volShocksByAsset === null || typeof volShocksByAsset !== 'object' || Array.isArray(volShocksByAsset)) {
      throw new InputError('historicalVolShocks', volShocksByAsset, 'an object of vol shocks by asset');
    }
    for (const a of Object.keys(volShocksByAsset)) {
      if (!assets.includes(a)) throw new InputError(`historicalVolShocks.${a}`, volShocksByAsset[a], `an asset of the portfolio (${assets.join(', ')})`);
      checkNumber(volShocksByAsset[a], `historicalVolShocks.${a}`);
    }
  }
  if (args.history !== undefined) {
    const h = args.history;
    const dates0 = checkHistory(h, assets, 'prices');
    const wd = checkInt(args.windowDays, 'windowDays', 1, dates0.length - 1, 3);
    const periods = checkArray(args.periods === undefined ? DEFAULT_STRESS_PERIODS : args.periods, 'periods') as readonly StressPeriod[];
    periods.forEach((p, i) => {
      checkOptions(p, PERIOD_KEYS, `periods[${i}]`);
      if (typeof p.name !== 'string') throw new InputError(`periods[${i}].name`, p.name, 'a string');
      for (const f of ['from', 'to'] as const) {
        if (typeof p[f] !== 'string' || !isIsoDate(p[f])) {
          throw new InputError(`periods[${i}].${f}`, p[f], 'a date YYYY-MM-DD');
        }
      }
    });
    for (const p of periods) {
      // Candidate windows: end index e, start index e - wd, both inside the period (start close may be the day before).
      const idx: number[] = [];
      h.dates.forEach((d, i) => { if (d >= p.from && d <= p.to) idx.push(i); });
      if (idx.length === 0) continue;
      const cands: [number, number][] = [];
      for (const e of idx) { const s = e - wd; if (s >= 0 && h.dates[s] >= shiftDay(p.from, -1)) cands.push([s, e]); }
      if (cands.length === 0) continue;
      const lr = new Float64Array(cands.length * k);
      cands.forEach(([s, e], j) => assets.forEach((a, f) => (lr[j * k + f] = Math.log(h.prices[a][e] / h.prices[a][s]))));
      const vs = volShocksByAsset ? new Float64Array(cands.length * k).map((_, i) => own(volShocksByAsset, assets[i % k]) ?? 0) : undefined;
      const pnl = revaluePortfolio(ctx, { portfolio: args.portfolio, scenarios: { assets, logReturns: lr, volShocks: vs, horizon: 0 } }).pnl;
      let j = 0;
      for (let q = 1; q < pnl.length; q++) if (pnl[q] < pnl[j]) j = q;
      const [s, e] = cands[j];
      const moves: Record<string, number> = Object.create(null);
      assets.forEach((a, f) => (moves[a] = Math.expm1(lr[j * k + f])));
      historical.push({ name: p.name, start: h.dates[s], end: h.dates[e], moves, pnl: pnl[j] });
      if (pnl[j] < worst.pnl) worst = { name: p.name, pnl: pnl[j] };
    }
  }
  let grid: StressTestResult['grid'];
  if (args.grid !== undefined) {
    const g = optionalOptions(args.grid, GRID_KEYS, 'grid') as NonNullable<StressTestArgs['grid']>;
    const ss = [...(checkArray(g.spotShocks, 'grid.spotShocks', 1, 'an array of simple returns') as number[])];
    const vv = [...(checkArray(g.volShocks === undefined ? [0] : g.volShocks, 'grid.volShocks', 1, 'an array of vol shocks') as number[])];
    const volShockMode = checkEnum(g.volShockMode, VOL_SHOCK_MODES, 'grid.volShockMode', 'absolute');
    ss.forEach((x, i) => { if (!(x > -1) || !Number.isFinite(x)) throw new InputError(`grid.spotShocks[${i}]`, x, 'a simple return > -1'); });
    vv.forEach((x, i) => { if (!Number.isFinite(x)) throw new InputError(`grid.volShocks[${i}]`, x, 'a finite number'); });
    const m = ss.length * vv.length;
    const lr = new Float64Array(m * k), vs = new Float64Array(m * k);
    ss.forEach((x, i) => vv.forEach((v, j) => { for (let f = 0; f < k; f++) { lr[(i * vv.length + j) * k + f] = Math.log1p(x); vs[(i * vv.length + j) * k + f] = v; } }));
    const pnl = revaluePortfolio(ctx, { portfolio: args.portfolio, scenarios: { assets, logReturns: lr, volShocks: vs, volShockMode, horizon: 0 } }).pnl;
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
export function stressedVar(ctx: EngineContext, args: StressedVarArgs):
  { var: number; es: number; start: string; end: string; windows: number; currentVar: number } {
  checkContext(ctx);
  checkOptions(args, STRESSED_VAR_KEYS, '', 'args');
  const c = checkConfidence(args.confidence);
  const assets = portfolioAssets(args.portfolio);
  const k = assets.length;
  const h = args.history;
  const n = checkHistory(h, assets, 'returns').length - 1;
  if (n < 20) throw new InputError('history.dates', h.dates, 'at least 21 dates (20 returns)');
  const W = checkInt(args.windowDays === undefined ? 250 : args.windowDays, 'windowDays', 20, n);
  // A zero, negative or fractional step would never reach the end of the history.
  const step = checkInt(args.step, 'step', 1, Number.MAX_SAFE_INTEGER, 5);
  const lr = new Float64Array(n * k);
  for (let t = 0; t < n; t++) assets.forEach((a, f) => (lr[t * k + f] = h.returns[a][t]));
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
