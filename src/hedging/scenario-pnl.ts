/**
 * P&L of resolved positions (one unit of each hedge instrument, or the book's positions at their
 * sizes) under a scenario set, and under a portfolio-margin grid.
 *
 * Scenario sets (the risk module's {@link ScenarioSet}: log-returns of each asset's index, optional
 * vol shocks, a horizon) are valued here with the same conventions as `engine.bookGreeks`: every
 * forward moves with its index (F' = S' e^{basis (T - h)}), options are repriced with Black-76 at the
 * shocked vol in ONE batch call (positions x scenarios), coin-settled options are valued at the
 * coin premium times the index, inverse futures and perpetuals by their coin P&L at the index.
 * A perpetual with a `fundingRate` pays funding over the horizon at the scenario mark, as
 * `revaluePortfolio` counts it: q S' rate h for a linear one; a coin-settled one pays its USD face
 * (size x entry price, or today's index without one) x rate x h, in coin at the scenario index.
 *
 * Grid P&L comes from the margin engine itself: `portfolioMargin` of one single-position account
 * per position, under the grid with every weight 1, no dampener, no extended scaling and no
 * add-ons, returns each position's raw scenario P&L with the grid's own vega scaling and vol floor.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { black76 } from '../pricing/black-pricing.js';
import { flattenScenarios, type ScenarioSet } from '../risk/portfolio.js';
import { checkKeys } from '../option-keys.js';
import { portfolioMargin } from '../margin/portfolio-margin.js';
import { scenarioGrid, type ScenarioGrid } from '../margin/grids.js';
import type { MarginMarket, MarginPosition, ResolvedPosition } from '../margin/types.js';

const SCENARIO_KEYS = ['assets', 'logReturns', 'volShocks', 'volShockMode', 'horizon'] as const satisfies readonly (keyof ScenarioSet)[];

/** A scenario set checked: assets, row-major log-returns and vol shocks [m][nAssets], mode, horizon (years). */
export interface CheckedScenarios {
  assets: string[];
  m: number;
  logReturns: Float64Array;
  volShocks: Float64Array | undefined;
  volShockMode: 'absolute' | 'relative' | 'log';
  horizon: number;
}

/**
 * @param assetsInBook assets the positions reference, the column order when `assets` is absent.
 * @throws InputError at `<path>...` for a malformed set or an asset of the book it lacks.
 */
export function checkScenarios(sc: unknown, assetsInBook: readonly string[], path = 'scenarios'): CheckedScenarios {
  if (sc === null || typeof sc !== 'object' || Array.isArray(sc)) throw new InputError(path, sc, 'a scenario set { logReturns, assets?, volShocks?, volShockMode?, horizon? }');
  const s = sc as ScenarioSet;
  checkKeys(s, SCENARIO_KEYS, path);
  let assets: string[];
  if (s.assets === undefined) assets = [...assetsInBook];
  else {
    if (!Array.isArray(s.assets)) throw new InputError(`${path}.assets`, s.assets, 'an array of asset names');
    s.assets.forEach((a, i) => { if (typeof a !== 'string' || a === '') throw new InputError(`${path}.assets[${i}]`, a, 'an asset name'); });
    assets = [...s.assets];
  }
  for (const a of assetsInBook) if (!assets.includes(a)) throw new InputError(`${path}.assets`, s.assets, `a list including ${a} (held by the book or a hedge)`);
  const nF = Math.max(1, assets.length);
  const logReturns = flattenScenarios(s.logReturns, nF, `${path}.logReturns`);
  const m = logReturns.length / nF;
  if (m < 1) throw new InputError(`${path}.logReturns`, s.logReturns, 'at least one scenario');
  let volShocks: Float64Array | undefined;
  if (s.volShocks !== undefined) {
    volShocks = flattenScenarios(s.volShocks, nF, `${path}.volShocks`);
    if (volShocks.length !== logReturns.length) throw new InputError(`${path}.volShocks`, s.volShocks, `${m} rows (one per scenario)`);
  }
  const mode = s.volShockMode ?? 'absolute';
  if (mode !== 'absolute' && mode !== 'relative' && mode !== 'log') throw new InputError(`${path}.volShockMode`, mode, "'absolute', 'relative' or 'log'");
  const horizon = s.horizon ?? 1 / 365;
  if (typeof horizon !== 'number' || !(horizon >= 0 && Number.isFinite(horizon))) throw new InputError(`${path}.horizon`, horizon, 'a time in years >= 0');
  return { assets, m, logReturns, volShocks, volShockMode: mode, horizon };
}

/**
 * P&L (USD) of each position under each scenario, row-major [positions][m].
 * @param vols each position's implied vol (options; the book's marks), NaN for other kinds.
 */
export function scenarioPnl(ctx: EngineContext, positions: readonly ResolvedPosition[], vols: ArrayLike<number>, sc: CheckedScenarios): Float64Array {
  const n = positions.length, m = sc.m, nF = Math.max(1, sc.assets.length);
  const out = new Float64Array(n * m);
  const col = positions.map((p) => sc.assets.indexOf(p.asset));
  const opts: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = positions[i];
    if (p.kind === 'option') {
      opts.push(i);
      continue;
    }
    const q = p.size, S = p.index;
    for (let s = 0; s < m; s++) {
      const S2 = S * Math.exp(sc.logReturns[s * nF + col[i]]);
      let pnl: number;
      if (p.kind === 'spot') pnl = q * (S2 - S);
      else if (p.kind === 'perpetual') {
        // Longs pay funding over the horizon (a negative rate pays shorts): on the scenario mark for a
        // linear contract, on the fixed USD face for an inverse one (coins N rate h / S', worth N rate h).
        const face = p.settlement === 'usd' ? q * S2 : q * (Number.isNaN(p.entryPrice) ? S : p.entryPrice);
        pnl = q * (S2 - S) - face * p.fundingRate * sc.horizon;
      } else {
        const T2 = Math.max(0, p.expiry - sc.horizon);
        const F2 = S2 * Math.exp(p.basis * T2);
        if (p.settlement === 'usd') pnl = q * (F2 - p.forward);
        else {
          // Inverse future: value S N (1/e - 1/F), N = q e (e = entry, or today's forward).
          const e = Number.isNaN(p.entryPrice) ? p.forward : p.entryPrice;
          const N = q * e;
          pnl = N * ((S2 - S) / e - S2 / F2 + S / p.forward);
        }
      }
      out[i * m + s] = pnl;
    }
  }
  if (opts.length === 0) return out;
  // Base values and scenario values of the options in one Black-76 call: (1 + m) rows per option.
  const k = opts.length, rows = k * (1 + m);
  const F = new Float64Array(rows), K = new Float64Array(rows), T = new Float64Array(rows), V = new Float64Array(rows), DF = new Float64Array(rows);
  const types = new Int8Array(rows);
  opts.forEach((i, j) => {
    const p = positions[i];
    for (let s = -1; s < m; s++) {
      const r = j * (1 + m) + s + 1;
      const ret = s < 0 ? 0 : sc.logReturns[s * nF + col[i]];
      const shock = s < 0 || sc.volShocks === undefined ? 0 : sc.volShocks[s * nF + col[i]];
      const T2 = s < 0 ? p.expiry : Math.max(0, p.expiry - sc.horizon);
      const vol = vols[i];
      const v2 = sc.volShockMode === 'absolute' ? vol + shock : sc.volShockMode === 'relative' ? vol * (1 + shock) : vol * Math.exp(shock);
      F[r] = p.index * Math.exp(ret) * Math.exp(p.basis * T2);
      K[r] = p.strike;
      T[r] = T2;
      V[r] = Math.max(0, v2);
      DF[r] = Math.exp(-p.rate * T2);
      types[r] = p.type;
    }
  });
  const res = black76(ctx, { forwards: F, strikes: K, expiries: T, vols: V, types, discountFactors: DF });
  opts.forEach((i, j) => {
    const p = positions[i];
    const value = (r: number, S: number) => p.size * res.price[r] * (p.settlement === 'coin' ? S / F[r] : 1);
    const base = j * (1 + m);
    const v0 = value(base, p.index);
    for (let s = 0; s < m; s++) {
      const S2 = p.index * Math.exp(sc.logReturns[s * nF + col[i]]);
      out[i * m + s] = value(base + s + 1, S2) - v0;
    }
  });
  return out;
}

/** The grid with raw P&L: every weight 1, no dampener or extended scaling, no add-ons. */
export function rawGrid(grid: ScenarioGrid): ScenarioGrid {
  return scenarioGrid({
    ...grid, name: `${grid.name} (raw P&L)`, scenarios: grid.scenarios.map((s) => ({ ...s, weight: 1 })), extendedDampener: 0, extendedScaling: 'none',
    addOns: {}, combine: 'sum',
  }, 'grid');
}

/**
 * Raw grid P&L (USD) of each position, row-major [positions][scenarios], from the margin engine.
 * @param positions margin positions as the caller gave them (sizes included).
 */
export function gridPnl(ctx: EngineContext, positions: readonly MarginPosition[], market: MarginMarket, raw: ScenarioGrid): Float64Array {
  const m = raw.scenarios.length;
  const out = new Float64Array(positions.length * m);
  if (positions.length === 0) return out;
  const res = portfolioMargin(ctx, positions.map((p) => ({ positions: [p] })), market, raw, { aggregation: 'joint' });
  res.forEach((r, i) => out.set(r.scenarioPnl, i * m));
  return out;
}
