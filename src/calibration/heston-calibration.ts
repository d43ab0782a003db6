import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { black76 } from '../pricing/black-pricing.js';
import { impliedVol } from '../pricing/implied-vol.js';
import { hestonPrice, HESTON_PARAM_NAMES, type HestonParams } from '../pricing/heston-price.js';
import { MARKET_KEYS, prepareQuotes, type PreparedQuotes } from './quotes.js';
import { now } from '../clock.js';
import { calibrate, type CalibrateOptions, type CalibrationModel, type GlobalStage, type GlobalStageReport, type ParameterBox, type PenaltyTerm } from './calibrate.js';
import type { EndReason, FitResultBase, LeastSquaresProblem, LossFunction, MarketArgs } from './types.js';
import { robustOptions, usableQuotes } from './svi.js';
import { checkedQuality, fitQuality, type BoundHit, type FitQuality, type QualityThresholds } from './fit-quality.js';

/**
 * A stochastic-volatility model as calibration sees it: discounted prices (in the forward's
 * currency) of quotes on forwards, and their gradient with respect to the parameter vector,
 * row-major `m x names.length`, in one kernel call.
 */
export interface PricingModel {
  readonly names: readonly string[];
  /** Prices at `p` into `out`; with `grad` not null, dV_i/dp_j into grad[i * n + j]. NaN where the kernel failed. */
  price(p: Float64Array, out: Float64Array, grad: Float64Array | null): void;
}

/** Quote columns in kernel order (sorted by expiry) plus the permutation back to quote order. */
export interface SortedQuotes {
  /** order[r] = the quote index of row r. */
  order: Int32Array;
  F: Float64Array;
  K: Float64Array;
  T: Float64Array;
  D: Float64Array;
  types: Int8Array;
}

/** Rows sorted by expiry (the prepared slices are already ascending), so the pricer shares phi per expiry. */
export function sortQuotes(Q: PreparedQuotes): SortedQuotes {
  const order = new Int32Array(Q.n);
  let r = 0;
  for (const s of Q.slices) for (const i of s.indices) order[r++] = i;
  const pick = (c: Float64Array) => Float64Array.from(order, (i) => c[i]);
  return { order, F: pick(Q.forwards), K: pick(Q.strikes), T: pick(Q.expiries), D: pick(Q.discounts), types: Int8Array.from(order, (i) => Q.types[i]) };
}

/** Feller condition 2 kappa theta >= sigma^2 at the fitted parameters. */
export interface FellerReport {
  /** 2 kappa theta / sigma^2 (>= 1: the variance process does not reach 0). */
  ratio: number;
  holds: boolean;
}

/** Options shared by `calibrateHeston` and `calibrateBates` beyond {@link MarketArgs}. */
export interface StochasticVolCalibrationOptions<P> {
  /** Starting point (default: v0 from the shortest ATM vol, theta from the longest, kappa 2, sigma 1, rho from the skew sign). */
  initial?: P;
  /** More starting points: the best fit over all starts is kept (multi-start). */
  starts?: P[];
  /** Extra starts spread over the box around `initial` (van der Corput points). Default 0. */
  extraStarts?: number;
  /** Box bounds per parameter (defaults documented on each model). */
  bounds?: { lower?: Partial<P>; upper?: Partial<P> };
  /** Parameters held at their initial value. */
  fixed?: (keyof P & string)[];
  /**
   * Feller condition 2 kappa theta >= sigma^2 as a penalty: a residual
   * `fellerPenalty * max(0, sigma^2 - 2 kappa theta)` (in the objective's units: vol decimals or
   * price units) appended to the quote residuals. Default 0 (off). The result reports whether the
   * condition holds in any case.
   */
  fellerPenalty?: number;
  /**
   * A seeded differential-evolution stage (DE/rand/1/bin, Philox-driven: a pure function of the
   * seed and the quotes) over the bounds before the local fit: its population is seeded with the
   * starts, and its best point is one more LM start (the last of `runs`). Fixed parameters stay at
   * their initial value. Every member of every generation is one pricing batch over all quotes,
   * so the stage costs about populationSize x (maxGenerations + 1) evaluations (defaults
   * max(15, 10 x parameters) and 100: 5050 for Heston, 8080 for Bates).
   */
  global?: GlobalStage;
  /** Test hook: every point the residuals are evaluated at (all starts, and the global stage), with its cost. */
  onEvaluate?: (params: Float64Array, cost: number) => void;
  /** Robust loss of the residuals, as in `fitSvi`. Default 'linear'. */
  loss?: LossFunction;
  /** The loss's soft margin (vol decimals with the vol objective, default 0.01; required in price units with the price objective). */
  lossScale?: number;
  /** Thresholds of the `quality` flags, as in `fitSvi` (rmse default 2 vol points). */
  quality?: QualityThresholds;
  /**
   * A previous fit (or its `params`) to start LM from: one run from there, no `initial`, `starts`,
   * `extraStarts` or `global` beside it (InputError).
   */
  warmStart?: StochasticVolFit<P> | P;
}

/** The keys of {@link StochasticVolCalibrationOptions} plus {@link MarketArgs}: every key calibrateHeston and calibrateBates take. */
const STOCHASTIC_VOL_KEYS = [
  ...MARKET_KEYS, 'initial', 'starts', 'extraStarts', 'bounds', 'fixed', 'fellerPenalty', 'global', 'onEvaluate', 'loss', 'lossScale', 'quality', 'warmStart',
] as const satisfies readonly (keyof (MarketArgs & StochasticVolCalibrationOptions<object>))[];

export type { GlobalStageReport } from './calibrate.js';

/** Result of a stochastic-volatility calibration. */
export interface StochasticVolFit<P> extends FitResultBase {
  params: P;
  /** Residual evaluations, finite-difference ones included. */
  evaluations: number;
  /** Starts tried, and which gave the kept fit. */
  bestStart: number;
  runs: { reason: EndReason; cost: number; iterations: number }[];
  feller: FellerReport;
  /** Model implied vols in quote order (NaN where the model price has none). */
  modelVols: Float64Array;
  /** With `global`: what the differential-evolution stage did. */
  global?: GlobalStageReport;
  /** Free parameters that ended on (or within `quality.boundTolerance` of) a bound of the box. */
  atBounds: string[];
  /** The same, with side, value and bound. */
  boundHits: BoundHit[];
  /** Flags of the fit (rmse, inside bid-ask, bounds, quotes, convergence). */
  quality: FitQuality;
}

/**
 * The least-squares problem of a price model on prepared quotes (rows in {@link SortedQuotes} order).
 * Vol objective: r_i = IV(model price_i) - market vol_i with dr/dp = dV/dp / vega_Black(IV), the
 * Black-76 vega at the model's implied vol (exact, since d IV / dV = 1 / vega); where the model
 * price has no implied vol (far out of the money, or below intrinsic) the residual falls back to the
 * vega-scaled price error (V - V_mkt) / vega_mkt, continuous with the former to first order.
 * Price objective: r_i = V_i - market price_i (coins with `settlement: 'coin'`: V / F).
 */
export function priceModelProblem(ctx: EngineContext, Q: PreparedQuotes, S: SortedQuotes, model: PricingModel, fellerPenalty: number, fellerIdx: [number, number, number] | null): LeastSquaresProblem {
  const m = Q.n;
  const n = model.names.length;
  const withFeller = fellerPenalty > 0 && fellerIdx !== null;
  const mv = Float64Array.from(S.order, (i) => Q.vols[i]);
  const w = Float64Array.from(S.order, (i) => Q.weights[i]);
  const coin = Q.settlement === 'coin';
  const marketPrices = Q.prices ? Float64Array.from(S.order, (i) => Q.prices![i]) : null;
  const safeVols = Float64Array.from(mv, (v) => (Number.isFinite(v) && v > 0 ? v : 0.5));
  const mkt = black76(ctx, { forwards: S.F, strikes: S.K, expiries: S.T, vols: safeVols, types: S.types, discountFactors: S.D, greeks: true });
  const mktPrice = mkt.price.slice(), mktVega = mkt.vega!.slice();
  const P = new Float64Array(m);
  const G = new Float64Array(m * n);
  const ivSafe = new Float64Array(m);
  return {
    nParams: n, nResiduals: m + (withFeller ? 1 : 0),
    evaluate(p, res, jac) {
      model.price(p, P, jac ? G : null);
      if (Q.objective === 'price') {
        for (let r = 0; r < m; r++) {
          const s = coin ? 1 / S.F[r] : 1;
          const ok = w[r] > 0 && marketPrices !== null && Number.isFinite(marketPrices[r]);
          res[r] = ok ? P[r] * s - marketPrices![r] : 0;
          if (jac) for (let j = 0; j < n; j++) jac[r * n + j] = ok ? G[r * n + j] * s : 0;
        }
      } else {
        const iv = impliedVol(ctx, { prices: P, forwards: S.F, strikes: S.K, expiries: S.T, types: S.types, discountFactors: S.D }).vols;
        for (let r = 0; r < m; r++) ivSafe[r] = Number.isFinite(iv[r]) && iv[r] > 0 ? iv[r] : safeVols[r];
        const vega = jac ? black76(ctx, { forwards: S.F, strikes: S.K, expiries: S.T, vols: ivSafe, types: S.types, discountFactors: S.D, greeks: true }).vega! : null;
        for (let r = 0; r < m; r++) {
          if (!(w[r] > 0)) {
            res[r] = 0;
            if (jac) for (let j = 0; j < n; j++) jac[r * n + j] = 0;
            continue;
          }
          // The residual depends only on the point (so the cost is the same whether or not a
          // Jacobian is asked for); a model vega that underflows only changes the Jacobian row,
          // which then scales the price gradient by the market vega instead.
          const exact = Number.isFinite(iv[r]) && iv[r] > 0;
          res[r] = exact ? iv[r] - mv[r] : (P[r] - mktPrice[r]) / mktVega[r];
          if (jac) {
            const inv = 1 / (exact && vega![r] > 0 ? vega![r] : mktVega[r]);
            for (let j = 0; j < n; j++) jac[r * n + j] = G[r * n + j] * inv;
          }
        }
      }
      if (withFeller) {
        const [ik, it, is] = fellerIdx!;
        const gap = p[is] * p[is] - 2 * p[ik] * p[it];
        const on = gap > 0;
        res[m] = on ? fellerPenalty * gap : 0;
        if (jac) {
          for (let j = 0; j < n; j++) jac[m * n + j] = 0;
          if (on) {
            jac[m * n + is] = 2 * fellerPenalty * p[is];
            jac[m * n + ik] = -2 * fellerPenalty * p[it];
            jac[m * n + it] = -2 * fellerPenalty * p[ik];
          }
        }
      }
    },
  };
}

/** ATM vol per slice (the quote nearest the forward) and the sign of the longest slice's skew. */
function smileSummary(Q: PreparedQuotes): { atmFirst: number; atmLast: number; skew: number } {
  const atm: number[] = [];
  let skew = 0;
  for (const s of Q.slices) {
    let best = -1, sx = 0, sy = 0, sxx = 0, sxy = 0, c = 0;
    for (const i of s.indices) {
      if (!(Q.weights[i] > 0)) continue;
      if (best < 0 || Math.abs(Q.logMoneyness[i]) < Math.abs(Q.logMoneyness[best])) best = i;
      const x = Q.logMoneyness[i], y = Q.vols[i];
      sx += x; sy += y; sxx += x * x; sxy += x * y; c++;
    }
    if (best >= 0) atm.push(Q.vols[best]);
    if (c > 2) skew = (c * sxy - sx * sy) / (c * sxx - sx * sx);
  }
  const fallback = 0.3;
  return { atmFirst: atm.length ? atm[0] : fallback, atmLast: atm.length ? atm[atm.length - 1] : fallback, skew: Number.isFinite(skew) ? skew : 0 };
}

/**
 * Feller condition 2 kappa theta >= sigma^2 as one penalty residual
 * `weight * max(0, sigma^2 - 2 kappa theta)` with its gradient, for parameters at indices
 * (kappa, theta, sigma) = `idx`.
 */
export function fellerPenaltyTerm(weight: number, idx: readonly [number, number, number], nParams: number): PenaltyTerm {
  const [ik, it, is] = idx;
  return {
    size: 1,
    evaluate(p, out, jac) {
      const gap = p[is] * p[is] - 2 * p[ik] * p[it];
      const on = gap > 0;
      out[0] = on ? weight * gap : 0;
      if (jac) {
        for (let j = 0; j < nParams; j++) jac[j] = 0;
        if (on) {
          jac[is] = 2 * weight * p[is];
          jac[ik] = -2 * weight * p[it];
          jac[it] = -2 * weight * p[ik];
        }
      }
    },
  };
}

/**
 * A stochastic-volatility model as the calibration loop sees it: vol (or price) residuals of the
 * pricing model on the sorted quotes, the model's default box, and the Feller penalty when asked
 * for (read, and checked, when the loop asks for it).
 */
export function stochasticVolModel(
  pricing: PricingModel,
  S: SortedQuotes,
  defaults: (Q: PreparedQuotes, summary: { atmFirst: number; atmLast: number; skew: number }) => ParameterBox,
  fellerPenalty: unknown,
  fellerIdx: [number, number, number],
): CalibrationModel<PreparedQuotes> {
  return {
    names: pricing.names,
    defaults: (Q) => defaults(Q, smileSummary(Q)),
    residuals: (engine, Q) => priceModelProblem(engine, Q, S, pricing, 0, null),
    get penalty(): PenaltyTerm | undefined {
      const w = fellerPenalty ?? 0;
      if (typeof w !== 'number' || !(w >= 0) || w === Infinity) throw new InputError('fellerPenalty', w, 'a finite number >= 0');
      return w > 0 ? fellerPenaltyTerm(w, fellerIdx, pricing.names.length) : undefined;
    },
  };
}

/** Fit statistics of a price model at its fitted parameters, in quote order. */
function priceModelStatistics(ctx: EngineContext, Q: PreparedQuotes, S: SortedQuotes, model: PricingModel, params: Float64Array):
  Pick<FitResultBase, 'rmse' | 'maxAbsError' | 'residuals' | 'insideBidAsk'> & { modelVols: Float64Array } {
  const prices = new Float64Array(Q.n);
  model.price(params, prices, null);
  const ivSorted = impliedVol(ctx, { prices, forwards: S.F, strikes: S.K, expiries: S.T, types: S.types, discountFactors: S.D }).vols;
  const modelVols = new Float64Array(Q.n).fill(NaN);
  const residuals = new Float64Array(Q.n).fill(NaN);
  let ss = 0, count = 0, maxAbs = 0, inside = 0, withQuote = 0;
  for (let r = 0; r < Q.n; r++) {
    const i = S.order[r];
    modelVols[i] = ivSorted[r];
    const modelPrice = Q.settlement === 'coin' ? prices[r] / S.F[r] : prices[r];
    const e = Q.objective === 'vol' ? 100 * (ivSorted[r] - Q.vols[i]) : modelPrice - Q.prices![i];
    if (Q.weights[i] > 0 && Number.isFinite(e)) {
      residuals[i] = e;
      ss += e * e;
      count++;
      maxAbs = Math.max(maxAbs, Math.abs(e));
    }
    if (Q.bids && Q.asks && Q.weights[i] > 0 && Number.isFinite(Q.bids[i]) && Number.isFinite(Q.asks[i])) {
      const v = Q.given === 'vol' ? ivSorted[r] : modelPrice;
      withQuote++;
      if (v >= Q.bids[i] && v <= Q.asks[i]) inside++;
    }
  }
  return { rmse: count ? Math.sqrt(ss / count) : NaN, maxAbsError: count ? maxAbs : NaN, residuals, modelVols, insideBidAsk: Q.bids && withQuote ? inside / withQuote : NaN };
}

/** Calibration of any {@link PricingModel} through the generic loop ({@link calibrate}), from one or several starts. */
export function calibratePriceModel<P extends object>(
  ctx: EngineContext,
  args: MarketArgs & StochasticVolCalibrationOptions<P>,
  makeModel: (S: SortedQuotes) => PricingModel,
  defaults: (Q: PreparedQuotes, summary: { atmFirst: number; atmLast: number; skew: number }) => ParameterBox,
  fellerIdx: [number, number, number],
): StochasticVolFit<P> {
  const t0 = now();
  const Q = prepareQuotes(ctx, args, STOCHASTIC_VOL_KEYS);
  const S = sortQuotes(Q);
  const pricing = makeModel(S);
  const robust = robustOptions(args, Q.objective);
  const thresholds = checkedQuality(args.quality, Q.objective);
  let initial = args.initial as Record<string, number> | undefined;
  if (args.warmStart !== undefined) {
    for (const key of ['initial', 'starts', 'extraStarts', 'global'] as const) {
      if (args[key] !== undefined && !(key === 'extraStarts' && args[key] === 0)) throw new InputError(key, args[key], 'absent with warmStart (a warm start runs LM from the previous fit only)');
    }
    const w = args.warmStart as unknown;
    if (w === null || typeof w !== 'object') throw new InputError('warmStart', w, 'a previous fit or its params');
    initial = ('params' in w && 'runs' in w ? (w as StochasticVolFit<P>).params : w) as unknown as Record<string, number>;
    if (initial === null || typeof initial !== 'object') throw new InputError('warmStart', w, 'a previous fit or its params');
    checkKeys(initial, pricing.names, 'warmStart');
    for (const name of pricing.names) {
      if (typeof initial[name] !== 'number' || !Number.isFinite(initial[name])) throw new InputError(`warmStart.${name}`, initial[name], 'a finite number');
    }
  }
  const fit = calibrate(ctx, stochasticVolModel(pricing, S, defaults, args.fellerPenalty, fellerIdx), Q, {
    initial, starts: args.starts as Record<string, number>[] | undefined,
    extraStarts: args.extraStarts, bounds: args.bounds as CalibrateOptions['bounds'], fixed: args.fixed as string[] | undefined,
    weights: Float64Array.from(S.order, (i) => Q.weights[i]), global: args.global,
    maxIterations: args.maxIterations ?? 100, tolerance: args.tolerance ?? 1e-10, jacobian: args.jacobian, onEvaluate: args.onEvaluate,
    ...(robust.loss === 'linear' ? {} : robust), quality: { boundTolerance: thresholds.boundTolerance },
  });
  const stats = priceModelStatistics(ctx, Q, S, pricing, fit.params);
  const [ik, it, is] = fellerIdx;
  const ratio = (2 * fit.params[ik] * fit.params[it]) / (fit.params[is] * fit.params[is]);
  const out: StochasticVolFit<P> = {
    params: fit.named as P, reason: fit.reason, iterations: fit.iterations, evaluations: fit.evaluations, ...stats,
    elapsedMs: 0, bestStart: fit.bestStart, runs: fit.runs, feller: { ratio, holds: ratio >= 1 }, atBounds: fit.atBounds,
    boundHits: fit.boundHits,
    quality: fitQuality({
      reason: fit.reason, rmse: stats.rmse, insideBidAsk: stats.insideBidAsk, quotes: usableQuotes(Q, S.order),
      freeParams: pricing.names.length - (args.fixed?.length ?? 0), boundHits: fit.boundHits,
    }, thresholds),
  };
  if (fit.global) out.global = fit.global;
  out.elapsedMs = now() - t0;
  return out;
}

/** Arguments of `engine.calibrateHeston`. */
export interface CalibrateHestonArgs extends MarketArgs, StochasticVolCalibrationOptions<HestonParams> {}

/** Result of `engine.calibrateHeston`: `rmse`, `maxAbsError` and `residuals` in vol points (vol objective) or price units. */
export type CalibrateHestonResult = StochasticVolFit<HestonParams>;

/** Heston prices and gradient on sorted quotes, through `hestonPriceBatch` (one kernel call per evaluation). */
export function hestonModel(ctx: EngineContext, S: SortedQuotes): PricingModel {
  const base = { forwards: S.F, strikes: S.K, expiries: S.T, types: S.types, discountFactors: S.D };
  return {
    names: HESTON_PARAM_NAMES,
    price(p, out, grad) {
      const r = hestonPrice(ctx, { ...base, params: { v0: p[0], kappa: p[1], theta: p[2], sigma: p[3], rho: p[4] }, gradient: grad !== null });
      out.set(r.price);
      if (grad) grad.set(r.gradient!);
    },
  };
}

/** Default Heston box: v0, theta in [1e-6, max(4, 4 maxVol^2)], kappa in [1e-3, 50], sigma in [1e-3, 10], rho in [-0.999, 0.999]. */
export function hestonDefaults(Q: PreparedQuotes, s: { atmFirst: number; atmLast: number; skew: number }): { initial: Float64Array; lower: Float64Array; upper: Float64Array } {
  let vMax = 0;
  for (let i = 0; i < Q.n; i++) if (Q.weights[i] > 0 && Number.isFinite(Q.vols[i])) vMax = Math.max(vMax, Q.vols[i]);
  const varMax = Math.max(4, 4 * vMax * vMax);
  return {
    initial: Float64Array.of(s.atmFirst ** 2, 2, s.atmLast ** 2, 1, s.skew < 0 ? -0.5 : 0),
    lower: Float64Array.of(1e-6, 1e-3, 1e-6, 1e-3, -0.999),
    upper: Float64Array.of(varMax, 50, varMax, 10, 0.999),
  };
}

/**
 * Calibrate Heston (1993) to a surface of European quotes by box-constrained Levenberg-Marquardt
 * with the analytic Jacobian: each evaluation is one `hestonPriceBatch` call returning every price
 * and its gradient in (v0, kappa, theta, sigma, rho) (Cui et al. 2017), converted to vol residuals
 * with the Black-76 vega at the model's implied vol (see {@link priceModelProblem}).
 * `jacobian: 'forward' | 'central'` differences the residuals instead (for comparison).
 * Default bounds: see {@link hestonDefaults}. Stopping is never an error: `reason` says why.
 * @throws InputError for a malformed call (quotes, bounds, starts, fixed names).
 * @example
 * engine.calibrateHeston({ forwards: 100, quotes: { strikes, expiries, vols } }).params
 * // { v0: 0.04, kappa: 3, theta: 0.05, sigma: 0.6, rho: -0.7 } (to ~1e-6 on a synthetic surface)
 */
export function calibrateHeston(ctx: EngineContext, args: CalibrateHestonArgs): CalibrateHestonResult {
  return calibratePriceModel<HestonParams>(ctx, args, (S) => hestonModel(ctx, S), hestonDefaults, [1, 2, 3]);
}
