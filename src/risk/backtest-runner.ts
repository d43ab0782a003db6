/**
 * Rolling backtest runner: for each day t after the first `window` days, forecast VaR and ES of
 * day t's loss from the previous `window` P&Ls with each method, record the loss and the hit
 * I_t = 1{L_t > VaR_t}, then run every test: Kupiec, Christoffersen, the traffic light (whole
 * sample and last 250 days) and Acerbi-Szekely Z2 with critical values simulated from each
 * method's own predictive distribution (normal / t with the fitted parameters, or the
 * empirical scenario distribution of historical-type methods).
 * P&L_t = notional x r_t (returns as given). GARCH-based methods refit every `refitEvery` days
 * and filter the window with the last fit in between; Student-t refits nu on the same schedule
 * (location and scale every day).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { acerbiSzekely, christoffersen, kupiec, trafficLight, type AcerbiSzekelyResult, type ChristoffersenResult, type KupiecResult, type TrafficLightResult } from './backtests.js';
import { inverseNormalCdf } from './distributions.js';
import { priceReturns } from './returns.js';
import type { Seed } from './random.js';
import { checkConfidence, finiteSample } from './tail-measures.js';
import { ageWeights, checkMethodOptions, estimator, type GarchFitCache, type ValueAtRiskArgs, type VarMethod } from './value-at-risk.js';
import { SIMULATIONS_MAX, STUDENT_T_NU_MAX, checkEnum, checkInt, checkNumber, checkOptions, checkStrings, keysOf, optionalOptions, checkContext } from './validate.js';
import { seedWords } from './random.js';
import { now } from '../clock.js';

export interface RollingBacktestArgs {
  /** Returns, oldest first; or `prices` (then `returnType`, default 'log'). */
  returns?: ArrayLike<number>;
  prices?: ArrayLike<number>;
  returnType?: 'log' | 'simple';
  /** Dates of the returns (or of the prices: the first is dropped), to label the forecasts. */
  dates?: readonly string[];
  methods: readonly VarMethod[];
  /** Estimation window in days. */
  window: number;
  confidence: number;
  /** P&L per unit return (default 1: P&L in return units). */
  notional?: number;
  /** GARCH (and Student-t nu) refit interval in days, a positive integer (default 20). */
  refitEvery?: number;
  /** Forecast every `step` days, a positive integer (default 1). */
  step?: number;
  /** Method options (lambda, garch, nu) as in valueAtRisk. */
  options?: Pick<ValueAtRiskArgs, 'lambda' | 'garch' | 'nu'>;
  /** Acerbi-Szekely simulations, an integer in [10, 10^7] (default 500), and seed (default 0). */
  esSimulations?: number;
  seed?: Seed;
}

export interface MethodBacktest {
  method: VarMethod;
  /** Forecast VaR_t and ES_t, realised loss L_t and hit I_t per forecast day. */
  vars: Float64Array;
  ess: Float64Array;
  losses: Float64Array;
  hits: Uint8Array;
  dates?: string[];
  observations: number;
  exceptions: number;
  expectedExceptions: number;
  kupiec: KupiecResult;
  christoffersen: ChristoffersenResult;
  trafficLight: TrafficLightResult;
  /** The traffic light on the last 250 forecasts (the regulatory window), when there are that many. */
  trafficLightLast250?: TrafficLightResult;
  acerbiSzekely: AcerbiSzekelyResult;
  /** Milliseconds spent forecasting. */
  elapsedMs: number;
}

const BACKTEST_KEYS = keysOf<RollingBacktestArgs>()([
  'returns', 'prices', 'returnType', 'dates', 'methods', 'window', 'confidence', 'notional', 'refitEvery', 'step', 'options',
  'esSimulations', 'seed',
]);
const METHOD_OPTION_KEYS = keysOf<NonNullable<RollingBacktestArgs['options']>>()(['lambda', 'garch', 'nu']);
const SERIES_METHODS = [
  'historical', 'ageWeighted', 'volatilityScaled', 'filteredHistorical', 'normal', 'studentT', 'cornishFisher', 'ewma', 'garch',
] as const satisfies readonly VarMethod[];

type Predictive =
  | { kind: 'normal'; loc: number; scale: number }
  | { kind: 't'; loc: number; scale: number; nu: number }
  | { kind: 'empirical'; sorted: Float64Array; cw?: Float64Array }
  | { kind: 'quantile'; q: (u: number) => number };


/**
 * Rolling VaR/ES backtest of several methods on one return series (see the file comment): VaR/ES
 * in P&L units (notional x returns) at `confidence`, with Kupiec, Christoffersen, traffic light and
 * Acerbi-Szekely per method.
 * @throws InputError for malformed arguments (naming the field).
 */
export function rollingBacktest(ctx: EngineContext, args: RollingBacktestArgs): { observations: number; window: number; confidence: number; methods: Record<string, MethodBacktest> } {
  checkContext(ctx);
  checkOptions(args, BACKTEST_KEYS, '', 'args');
  const c = checkConfidence(args.confidence);
  let r: ArrayLike<number>;
  let dates = args.dates === undefined ? undefined : checkStrings(args.dates, 'dates');
  if (args.returns !== undefined) r = finiteSample(args.returns, 'returns', 3);
  else if (args.prices !== undefined) {
    const kind = checkEnum(args.returnType, ['log', 'simple'] as const, 'returnType', 'log');
    r = priceReturns(finiteSample(args.prices, 'prices', 3), kind);
    if (dates) dates = dates.slice(1);
  } else throw new InputError('returns', args.returns, 'returns or prices');
  const n = r.length;
  if (dates && dates.length !== n) throw new InputError('dates', args.dates, `${n} dates (one per return)`);
  const W = args.window;
  if (!Number.isInteger(W) || W < 20 || W >= n) throw new InputError('window', W, `an integer in [20, ${n - 1}]`);
  const notional = checkNumber(args.notional, 'notional', 'any', 1);
  if (notional === 0) throw new InputError('notional', notional, 'a non-zero finite number');
  const step = checkInt(args.step, 'step', 1, Number.MAX_SAFE_INTEGER, 1);
  const every = checkInt(args.refitEvery, 'refitEvery', 1, Number.MAX_SAFE_INTEGER, 20);
  const esSimulations = checkInt(args.esSimulations, 'esSimulations', 10, SIMULATIONS_MAX, 500);
  const seed = args.seed === undefined ? 0 : args.seed;
  seedWords(seed, 'seed');
  const options = optionalOptions(args.options, METHOD_OPTION_KEYS, 'options') as RollingBacktestArgs['options'];
  if (options) checkMethodOptions(options, 'options');
  if (!Array.isArray(args.methods) || args.methods.length === 0) throw new InputError('methods', args.methods, 'a non-empty array of methods');
  args.methods.forEach((m, i) => {
    if (m === 'deltaNormal' || m === 'deltaGamma' || m === 'monteCarlo') throw new InputError(`methods[${i}]`, m, 'a P&L-series method (not a portfolio method)');
    checkEnum(m, SERIES_METHODS, `methods[${i}]`);
  });
  const pnl = Float64Array.from(r, (x) => notional * x);
  const out: Record<string, MethodBacktest> = {};
  for (const method of args.methods) {
    const cache: GarchFitCache = { age: 0, every };
    const est = estimator(ctx, method, c, options ?? {}, 1, 'none', 10000, 0, cache);
    const vars: number[] = [], ess: number[] = [], losses: number[] = [], hits: number[] = [], ds: string[] = [];
    const preds: Predictive[] = [];
    const t0 = now();
    for (let t = W; t < n; t += step) {
      const win = pnl.subarray(t - W, t);
      const e = est(win);
      cache.age += step;
      vars.push(e.var);
      ess.push(e.es);
      const L = -pnl[t];
      losses.push(L);
      hits.push(L > e.var ? 1 : 0);
      if (dates) ds.push(dates[t]);
      preds.push(predictive(method, e, win, options?.lambda));
    }
    const elapsedMs = now() - t0;
    const T = vars.length;
    const x = hits.reduce((a, b) => a + b, 0);
    const distribution = predictiveDistribution(preds);
    const res: MethodBacktest = {
      method, vars: Float64Array.from(vars), ess: Float64Array.from(ess), losses: Float64Array.from(losses), hits: Uint8Array.from(hits),
      observations: T, exceptions: x, expectedExceptions: T * (1 - c),
      kupiec: kupiec({ observations: T, exceedances: x, confidence: c }),
      christoffersen: christoffersen({ hits, confidence: c }),
      trafficLight: trafficLight({ observations: T, exceedances: x, confidence: c }),
      acerbiSzekely: acerbiSzekely({ losses, vars, ess, confidence: c, distribution, simulations: esSimulations, seed }),
      elapsedMs,
    };
    if (dates) res.dates = ds;
    if (T >= 250) res.trafficLightLast250 = trafficLight({ observations: 250, exceedances: hits.slice(T - 250).reduce((a, b) => a + b, 0), confidence: c });
    out[method] = res;
  }
  return { observations: n, window: W, confidence: c, methods: out };
}

function predictive(method: VarMethod, e: { details: Record<string, unknown>; scenarioPnl?: ArrayLike<number> }, win: Float64Array, lambda?: number): Predictive {
  const d = e.details as Record<string, number>;
  switch (method) {
    case 'normal':
      return { kind: 'normal', loc: -d.mean, scale: d.sd };
    case 'ewma':
      return { kind: 'normal', loc: 0, scale: d.forecastVolatility };
    case 'studentT':
      return { kind: 't', loc: d.mu, scale: d.scale, nu: d.nu };
    case 'garch':
      // A fitted nu past STUDENT_T_NU_MAX is the normal (the t helpers lose accuracy there).
      return d.nu && d.nu <= STUDENT_T_NU_MAX ? { kind: 't', loc: 0, scale: d.forecastVolatility * Math.sqrt((d.nu - 2) / d.nu), nu: d.nu } : { kind: 'normal', loc: 0, scale: d.forecastVolatility };
    case 'cornishFisher': {
      const { mean, sd, skewness: S, excessKurtosis: K } = d;
      return {
        kind: 'quantile',
        q: (u) => {
          const z = inverseNormalCdf(u);
          const z2 = z * z;
          return mean + sd * (z + ((z2 - 1) * S) / 6 + ((z2 * z - 3 * z) * K) / 24 - ((2 * z2 * z - 5 * z) * S * S) / 36);
        },
      };
    }
    case 'ageWeighted': {
      const w = ageWeights(win.length, lambda ?? 0.98);
      const order = Array.from({ length: win.length }, (_, i) => i).sort((a, b) => win[b] - win[a]); // losses ascending
      const sorted = Float64Array.from(order, (i) => -win[i]);
      let wsum = 0;
      for (const x of w) wsum += x;
      let cum = 0;
      const cw = Float64Array.from(order, (i) => (cum += w[i] / wsum));
      return { kind: 'empirical', sorted, cw };
    }
    default: {
      const s = e.scenarioPnl ?? win;
      return { kind: 'empirical', sorted: Float64Array.from(s, (x) => -x).sort() };
    }
  }
}

function predictiveDistribution(preds: Predictive[]): Parameters<typeof acerbiSzekely>[0]['distribution'] {
  const k = preds[0]?.kind;
  if (preds.every((p) => p.kind === 'normal')) {
    return { kind: 'normal', location: preds.map((p) => (p as { loc: number }).loc), scale: preds.map((p) => (p as { scale: number }).scale) };
  }
  if (preds.every((p) => p.kind === 't')) {
    const ps = preds as { loc: number; scale: number; nu: number }[];
    return { kind: 't', location: ps.map((p) => p.loc), scale: ps.map((p) => p.scale), nu: ps.map((p) => p.nu) };
  }
  if (k === 'empirical' && preds.every((p) => p.kind === 'empirical')) {
    const ps = preds as { sorted: Float64Array; cw?: Float64Array }[];
    return { kind: 'empirical', sorted: (t) => ps[t].sorted, cumulativeWeights: ps[0].cw ? (t) => ps[t].cw as Float64Array : undefined };
  }
  // Mixed (GARCH-t falling back, Cornish-Fisher): per-period quantile functions.
  return {
    kind: 'custom',
    quantile: (t, u) => {
      const p = preds[t];
      if (p.kind === 'quantile') return p.q(u);
      if (p.kind === 'normal') return p.loc + p.scale * inverseNormalCdf(u);
      if (p.kind === 'empirical') return p.sorted[Math.min(p.sorted.length - 1, Math.max(0, Math.ceil(u * p.sorted.length) - 1))];
      throw new InputError('predictive', p.kind, 'a supported predictive distribution');
    },
  };
}
