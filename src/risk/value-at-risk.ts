/**
 * `engine.valueAtRisk`: VaR and ES, reported as positive losses, by one of several methods, on
 * P&L samples (`pnl`, positive = gain; time-ordered, oldest first, where the method uses the
 * order) or on a portfolio revalued over scenarios. Estimator conventions: tail-measures.ts.
 *
 * Horizons (`horizonDays`, default 1): P&L samples are one-period (daily) values.
 * - 'sqrt' (default for historical and parametric methods): VaR_h = sqrt(h) VaR_1, ES likewise
 *   (the square-root-of-time rule; exact only for i.i.d. zero-mean normal P&L). Normal: the mean
 *   scales with h and sigma with sqrt(h), which is exact for i.i.d. normal P&L.
 * - 'overlapping' (historical methods on a P&L series): h-day P&L = sums of h consecutive daily
 *   P&Ls (overlapping windows, n - h + 1 of them).
 * - 'simulation' ('filteredHistorical', 'ewma', 'garch'): h-step paths of the volatility model,
 *   bootstrapping standardised residuals (FHS) with seeded Philox draws.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { ewmaVariance, fitGarch, garchFilter, type GarchFit, type GarchDistribution, type GarchModel } from './garch.js';
import {
  cornishFisherVarEsUnchecked as cornishFisherVarEs, fitStudentTUnchecked as fitStudentT, normalVarEsUnchecked as normalVarEs,
  sampleMomentsUnchecked as sampleMoments, studentTVarEsUnchecked as studentTVarEs,
} from './parametric.js';
import { revaluePortfolio, type Portfolio, type ScenarioSet } from './portfolio.js';
import { forEachPhiloxRow, seedWords, type Seed } from './random.js';
import { checkConfidence, empiricalTailUnchecked as empiricalTail, finiteSample, weightedTailUnchecked as weightedTail, type TailEstimate } from './tail-measures.js';
import { normalPdf, inverseNormalCdf, studentTPdf, studentTQuantile } from './distributions.js';
import { allocate, type Allocation } from './allocation.js';
import { bootstrapInterval, type BootstrapInterval } from './bootstrap.js';
import { deltaGammaVar, type DeltaGammaOptions } from './delta-gamma.js';
import { monteCarloScenarios, type MonteCarloVarOptions } from './monte-carlo-var.js';
import {
  BOOTSTRAP_SAMPLES_MAX, HORIZON_DAYS_MAX, SIMULATIONS_MAX, STUDENT_T_NU_MAX, WEIGHTS_LENGTH_MAX, checkBoolean, checkContext, checkEnum, checkInt,
  checkOptions, keysOf, optionalOptions,
} from './validate.js';

export type VarMethod =
  | 'historical' | 'ageWeighted' | 'volatilityScaled' | 'filteredHistorical'
  | 'normal' | 'studentT' | 'cornishFisher' | 'ewma' | 'garch'
  | 'deltaNormal' | 'deltaGamma' | 'monteCarlo';

const METHODS: readonly VarMethod[] = [
  'historical', 'ageWeighted', 'volatilityScaled', 'filteredHistorical', 'normal', 'studentT', 'cornishFisher',
  'ewma', 'garch', 'deltaNormal', 'deltaGamma', 'monteCarlo',
];

export interface ValueAtRiskArgs {
  /** P&L samples (positive = gain), oldest first. Give this, or `portfolio` with `scenarios` (or `monteCarlo`). */
  pnl?: ArrayLike<number>;
  portfolio?: Portfolio;
  scenarios?: ScenarioSet;
  /** Confidence level in (0, 1), e.g. 0.99. */
  confidence: number;
  /** Default 'historical'. */
  method?: VarMethod;
  /** Horizon in days: an integer in [1, 10000] (default 1); with 'overlapping' at most the number of P&L samples - 1. */
  horizonDays?: number;
  /** 'sqrt' | 'overlapping' | 'simulation'; defaults per method (see the file comment). */
  horizonScaling?: 'sqrt' | 'overlapping' | 'simulation';
  /** Decay: ageWeighted (BRW) default 0.98; volatilityScaled / ewma default 0.94. */
  lambda?: number;
  /** Volatility model of 'garch' and 'filteredHistorical' (default GARCH(1,1), normal). */
  garch?: { model?: GarchModel; distribution?: GarchDistribution };
  /**
   * Student-t degrees of freedom (fitted by maximum likelihood when absent): a number in (1, 10^6]
   * (the t's ES is finite only for nu > 1; VaR and ES use the location-scale t, not a unit-variance
   * one, so no variance is needed at one day), and > 2 when `horizonDays` > 1 (the t's horizon is
   * reached by 'sqrt' scaling, and the square-root-of-time rule needs a finite variance).
   * Beyond 10^6 the t is the normal to 4e-6: use method 'normal'.
   */
  nu?: number;
  /** Paths of the multi-step simulation, an integer in [100, 10^7] (default 10000), and its seed (default 0). */
  simulations?: number;
  seed?: Seed;
  /** Euler allocation per position (portfolio inputs; historical, ageWeighted, normal, monteCarlo). */
  allocation?: boolean;
  /**
   * Seeded bootstrap confidence intervals of VaR and ES (resampling the P&L; 'historical' and parametric fits):
   * `samples` an integer in [10, 10^6] (default 1000), `level` in (0, 1) (default 0.9), `seed` (default 0).
   */
  bootstrap?: { samples?: number; seed?: Seed; level?: number };
  /** Monte Carlo full revaluation: risk-factor model (method 'monteCarlo'). */
  monteCarlo?: MonteCarloVarOptions;
  /** Delta-normal / delta-gamma options (method 'deltaNormal' | 'deltaGamma'). */
  deltaGamma?: DeltaGammaOptions;
}

export interface ValueAtRiskResult {
  /** Value at risk, a positive loss (negative when even the tail is a gain). */
  var: number;
  /** Expected shortfall, a positive loss, >= var. */
  es: number;
  confidence: number;
  method: VarMethod;
  horizonDays: number;
  /** How the horizon was reached: 'none' (1 day), 'sqrt', 'overlapping', 'simulation', 'scenarios' (the scenarios' own horizon). */
  horizonMethod: 'none' | 'sqrt' | 'overlapping' | 'simulation' | 'scenarios';
  /** Number of P&L samples (scenarios, paths) used. */
  observations: number;
  /** Method details: fitted parameters, forecast volatility, ... */
  details: Record<string, unknown>;
  /** Per-position Euler allocation (with `allocation: true`). */
  allocation?: Allocation;
  /** Bootstrap intervals (with `bootstrap`). */
  bootstrap?: { var: BootstrapInterval; es: BootstrapInterval; samples: number; level: number };
}

const VAR_KEYS = keysOf<ValueAtRiskArgs>()([
  'pnl', 'portfolio', 'scenarios', 'confidence', 'method', 'horizonDays', 'horizonScaling', 'lambda', 'garch', 'nu',
  'simulations', 'seed', 'allocation', 'bootstrap', 'monteCarlo', 'deltaGamma',
]);
const GARCH_KEYS = keysOf<NonNullable<ValueAtRiskArgs['garch']>>()(['model', 'distribution']);
const BOOTSTRAP_KEYS = keysOf<NonNullable<ValueAtRiskArgs['bootstrap']>>()(['samples', 'seed', 'level']);
const SCALINGS = ['sqrt', 'overlapping', 'simulation'] as const satisfies readonly NonNullable<ValueAtRiskArgs['horizonScaling']>[];
const GARCH_MODELS = ['garch', 'gjr'] as const satisfies readonly GarchModel[];
const GARCH_DISTRIBUTIONS = ['normal', 't'] as const satisfies readonly GarchDistribution[];

/**
 * Checks of the method options shared by valueAtRisk and rollingBacktest (`lambda`, `garch`, `nu`),
 * under `path` (`''` for valueAtRisk, `'options'` for the backtest).
 * @throws InputError naming the field.
 */
export function checkMethodOptions(o: Partial<Pick<ValueAtRiskArgs, 'lambda' | 'garch' | 'nu'>>, path: string): void {
  const at = (k: string) => (path === '' ? k : `${path}.${k}`);
  if (o.lambda !== undefined) decay(o.lambda, 0, at('lambda'));
  const g = optionalOptions(o.garch, GARCH_KEYS, at('garch'));
  if (g) {
    checkEnum(g.model, GARCH_MODELS, at('garch.model'), 'garch');
    checkEnum(g.distribution, GARCH_DISTRIBUTIONS, at('garch.distribution'), 'normal');
  }
  if (o.nu !== undefined && (typeof o.nu !== 'number' || !(o.nu > 1 && o.nu <= STUDENT_T_NU_MAX))) {
    throw new InputError(at('nu'), o.nu, `a number in (1, ${STUDENT_T_NU_MAX}] (Student-t degrees of freedom)`);
  }
}

/** A one-sample estimator: P&L sample -> VaR/ES at 1 day, with details. */
type Estimator = (pnl: ArrayLike<number>) => EstimatorResult;

/** One estimate, with the scenario P&L it took its quantiles from (empirical methods). */
interface EstimatorResult { var: number; es: number; details: Record<string, unknown>; scenarioPnl?: ArrayLike<number> }

/** Refit schedule of GARCH-based methods (and the Student-t nu) in rolling backtests: refit when `age >= every`. */
export interface GarchFitCache { fit?: GarchFit; nu?: number; age: number; every: number }

function decay(v: unknown, fallback: number, path = 'lambda'): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v > 0 && v < 1)) throw new InputError(path, v, 'a number in (0, 1)');
  return v;
}

/**
 * Age weights (Boudoukh, Richardson and Whitelaw 1998): w_i proportional to lambda^(n-1-i), newest (last) heaviest.
 * @param n the number of weights, an integer in [0, WEIGHTS_LENGTH_MAX].
 * @param lambda the decay per observation, a number in (0, 1] (1: equal weights).
 * @throws InputError for any other `n` or `lambda`.
 */
export function ageWeights(n: number, lambda: number): Float64Array {
  checkInt(n, 'n', 0, WEIGHTS_LENGTH_MAX);
  if (typeof lambda !== 'number' || !(lambda > 0 && lambda <= 1)) throw new InputError('lambda', lambda, 'a number in (0, 1]');
  const w = new Float64Array(n);
  let x = 1;
  for (let i = n - 1; i >= 0; i--) {
    w[i] = x;
    x *= lambda;
  }
  return w;
}

function negate(x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = -x[i];
  return out;
}

function tailResult(t: TailEstimate, details: Record<string, unknown> = {}, scenarioPnl?: ArrayLike<number>): EstimatorResult {
  return { var: t.var, es: t.es, details: { ...details, k: t.k }, scenarioPnl };
}

/** Unit-variance innovation quantile and tail mean for 'garch'/'ewma' parametric VaR. */
function innovationTail(dist: GarchDistribution, nu: number | undefined, c: number): { q: number; tail: number } {
  if (dist === 'normal') {
    const z = inverseNormalCdf(c);
    return { q: z, tail: normalPdf(z) / (1 - c) };
  }
  const v = nu as number;
  const k = Math.sqrt((v - 2) / v);
  const t = studentTQuantile(c, v);
  return { q: k * t, tail: (k * studentTPdf(t, v) * (v + t * t)) / ((v - 1) * (1 - c)) };
}

/**
 * h-step simulation of a volatility-filtered P&L: standardised residuals z (bootstrapped with
 * Philox uniforms), variance recursion `next(h, x)`. Returns the simulated h-day P&L sums.
 */
function simulateFiltered(
  ctx: EngineContext, z: ArrayLike<number>, sigma2: number, next: (h: number, x: number) => number, steps: number, paths: number, seed: Seed,
): Float64Array {
  const out = new Float64Array(paths);
  const nz = z.length;
  forEachPhiloxRow(ctx, false, paths, steps, seed, 11, 0, (p, u) => {
    let h = sigma2;
    let sum = 0;
    for (let j = 0; j < steps; j++) {
      const x = Math.sqrt(h) * z[Math.min(nz - 1, Math.floor(u[j] * nz))];
      sum += x;
      h = next(h, x);
    }
    out[p] = sum;
  });
  return out;
}

/**
 * VaR and ES as positive losses in the P&L's unit (USD for portfolios) at `confidence` in (0, 1),
 * by `method`, over `horizonDays` days; see {@link ValueAtRiskArgs}.
 * @throws InputError for a malformed call (naming the field); KernelError if a kernel rejects the call (a bug).
 */
export function valueAtRisk(ctx: EngineContext, args: ValueAtRiskArgs): ValueAtRiskResult {
  checkContext(ctx);
  checkOptions(args, VAR_KEYS, '', 'args');
  const c = checkConfidence(args.confidence);
  const method = checkEnum(args.method, METHODS, 'method', 'historical');
  const h = checkInt(args.horizonDays, 'horizonDays', 1, HORIZON_DAYS_MAX, 1);
  const scalingOption = args.horizonScaling === undefined ? undefined : checkEnum(args.horizonScaling, SCALINGS, 'horizonScaling');
  const paths = checkInt(args.simulations, 'simulations', 100, SIMULATIONS_MAX, 10000);
  const seed = args.seed === undefined ? 0 : args.seed;
  seedWords(seed, 'seed');
  checkMethodOptions(args, '');
  if (args.nu !== undefined && h > 1 && method === 'studentT' && (scalingOption ?? 'sqrt') === 'sqrt' && !(args.nu > 2)) {
    throw new InputError('nu', args.nu, "a number > 2 with horizonScaling 'sqrt' (the square-root-of-time rule needs a finite variance)");
  }
  const allocation = checkBoolean(args.allocation, 'allocation');
  const boot = optionalOptions(args.bootstrap, BOOTSTRAP_KEYS, 'bootstrap');
  if (boot) {
    checkInt(boot.samples, 'bootstrap.samples', 10, BOOTSTRAP_SAMPLES_MAX, 1000);
    if (boot.level !== undefined && (typeof boot.level !== 'number' || !(boot.level > 0 && boot.level < 1))) {
      throw new InputError('bootstrap.level', boot.level, 'a number in (0, 1)');
    }
    seedWords(boot.seed === undefined ? 0 : boot.seed, 'bootstrap.seed');
  }

  // Methods that need a portfolio and build their own scenarios.
  if (method === 'deltaNormal' || method === 'deltaGamma') {
    if (!args.portfolio) throw new InputError('portfolio', args.portfolio, `a portfolio (method '${method}')`);
    const r = deltaGammaVar(ctx, args.portfolio, c, method, args.deltaGamma, args.scenarios);
    return { var: r.var, es: r.es, confidence: c, method, horizonDays: h, horizonMethod: 'scenarios', observations: r.observations, details: r.details };
  }

  let pnl: ArrayLike<number>;
  let positionPnl: Float64Array | undefined;
  let fromScenarios = false;
  let nPositions = 0;
  if (method === 'monteCarlo') {
    if (!args.portfolio || !args.monteCarlo) throw new InputError('monteCarlo', args.monteCarlo, "a portfolio and monteCarlo options (method 'monteCarlo')");
    const sc = monteCarloScenarios(ctx, args.portfolio, args.monteCarlo);
    const rv = revaluePortfolio(ctx, { portfolio: args.portfolio, scenarios: sc, positionPnl: allocation });
    const t = empiricalTail(ctx, rv.pnl, c);
    const res: ValueAtRiskResult = {
      var: t.var, es: t.es, confidence: c, method, horizonDays: h, horizonMethod: 'scenarios', observations: rv.scenarios,
      details: { k: t.k, horizonYears: sc.horizon, paths: rv.scenarios, seed: args.monteCarlo.seed ?? 0 },
    };
    if (allocation && rv.positionPnl) res.allocation = allocate(ctx, rv.pnl, rv.positionPnl, args.portfolio.positions.length, c, 'historical', undefined, 1, args.portfolio.positions.map((p) => p.quantity));
    if (args.bootstrap) res.bootstrap = bootstrapInterval(ctx, rv.pnl, (x) => { const e = empiricalTail(ctx, x, c); return [e.var, e.es]; }, args.bootstrap);
    return res;
  }
  if (args.pnl !== undefined) {
    pnl = finiteSample(args.pnl, 'pnl', 2);
  } else if (args.portfolio !== undefined || args.scenarios !== undefined) {
    // revaluePortfolio names whichever of the two is missing or malformed.
    const rv = revaluePortfolio(ctx, { portfolio: args.portfolio as Portfolio, scenarios: args.scenarios as ScenarioSet, positionPnl: allocation });
    pnl = rv.pnl;
    positionPnl = rv.positionPnl;
    nPositions = (args.portfolio as Portfolio).positions.length;
    fromScenarios = true;
  } else {
    throw new InputError('pnl', args.pnl, 'P&L samples, or a portfolio with scenarios');
  }
  const n = pnl.length;

  let scaling: ValueAtRiskResult['horizonMethod'];
  const historicalFamily = method === 'historical' || method === 'ageWeighted' || method === 'volatilityScaled';
  const simFamily = method === 'filteredHistorical' || method === 'ewma' || method === 'garch';
  if (h === 1) scaling = fromScenarios ? 'scenarios' : 'none';
  else if (scalingOption) scaling = scalingOption;
  else scaling = simFamily ? 'simulation' : 'sqrt';
  if (h > 1 && scaling === 'overlapping' && !(historicalFamily && !fromScenarios)) {
    throw new InputError('horizonScaling', scaling, "'sqrt' (overlapping windows need a P&L series and a historical method)");
  }
  if (h > 1 && scaling === 'simulation' && !simFamily) {
    throw new InputError('horizonScaling', scaling, "'sqrt' or 'overlapping' (simulation is for filteredHistorical, ewma and garch)");
  }
  if (h > 1 && fromScenarios && scaling !== 'sqrt') throw new InputError('horizonScaling', scaling, "'sqrt' for scenario P&L (or scenarios with the horizon built in)");

  // h-day P&L by overlapping sums when asked.
  let sample: ArrayLike<number> = pnl;
  if (h > 1 && scaling === 'overlapping') {
    if (n - h + 1 < 2) throw new InputError('horizonDays', h, `at most ${n - 1} for ${n} observations`);
    const s = new Float64Array(n - h + 1);
    let run = 0;
    for (let i = 0; i < n; i++) {
      run += pnl[i];
      if (i >= h) run -= pnl[i - h];
      if (i >= h - 1) s[i - h + 1] = run;
    }
    sample = s;
  }

  const est = estimator(ctx, method, c, args, h, scaling, paths, seed);
  const r = est(sample);
  let VaR = r.var, ES = r.es;
  if (h > 1 && scaling === 'sqrt' && method !== 'normal') {
    VaR *= Math.sqrt(h);
    ES *= Math.sqrt(h);
  }
  const res: ValueAtRiskResult = {
    var: VaR, es: ES, confidence: c, method, horizonDays: h, horizonMethod: scaling, observations: sample.length, details: r.details,
  };
  if (allocation) {
    if (!positionPnl) throw new InputError('allocation', true, 'a portfolio with scenarios (per-position P&L)');
    if (method !== 'historical' && method !== 'ageWeighted' && method !== 'normal') {
      throw new InputError('method', method, "'historical', 'ageWeighted', 'normal' or 'monteCarlo' with allocation");
    }
    const weights = method === 'ageWeighted' ? ageWeights(n, decay(args.lambda, 0.98)) : undefined;
    res.allocation = allocate(ctx, pnl, positionPnl, nPositions, c, method === 'normal' ? 'normal' : 'historical', weights, h > 1 ? Math.sqrt(h) : 1, args.portfolio?.positions.map((p) => p.quantity));
  }
  if (args.bootstrap) {
    res.bootstrap = bootstrapInterval(ctx, sample, (x) => {
      const b = est(x);
      const f = h > 1 && scaling === 'sqrt' && method !== 'normal' ? Math.sqrt(h) : 1;
      return [b.var * f, b.es * f];
    }, args.bootstrap);
  }
  return res;
}

/** The one-sample estimator of a method (also used by the rolling backtest runner). */
export function estimator(
  ctx: EngineContext, method: VarMethod, c: number, args: Partial<ValueAtRiskArgs>, h = 1,
  scaling: ValueAtRiskResult['horizonMethod'] = 'none', paths = 10000, seed: Seed = 0, cache?: GarchFitCache,
): Estimator {
  switch (method) {
    case 'historical':
      return (x) => tailResult(empiricalTail(ctx, x, c), {}, x);
    case 'ageWeighted': {
      const lambda = decay(args.lambda, 0.98);
      return (x) => tailResult(weightedTail(negate(x), ageWeights(x.length, lambda), c), { lambda });
    }
    case 'volatilityScaled': {
      const lambda = decay(args.lambda, 0.94);
      return (x) => {
        const e = ewmaVariance(x, lambda);
        const sNow = Math.sqrt(e.forecastVariance);
        const scaled = new Float64Array(x.length);
        for (let i = 0; i < x.length; i++) scaled[i] = (x[i] * sNow) / Math.sqrt(e.variances[i]);
        return tailResult(empiricalTail(ctx, scaled, c), { lambda, forecastVolatility: sNow }, scaled);
      };
    }
    case 'normal':
      return (x) => {
        const m = sampleMoments(x);
        const r = normalVarEs(-m.mean * h, m.sd * Math.sqrt(h), c);
        return { ...r, details: { mean: m.mean, sd: m.sd } };
      };
    case 'studentT':
      return (x) => {
        let nu = args.nu;
        if (nu === undefined && cache?.nu !== undefined && cache.age < cache.every) nu = cache.nu;
        const f = fitStudentT(negate(x), nu);
        if (cache && nu === undefined) {
          cache.nu = f.nu;
          cache.age = 0;
        }
        const r = studentTVarEs(f.mu, f.scale, f.nu, c);
        return { ...r, details: { mu: f.mu, scale: f.scale, nu: f.nu, logLikelihood: f.logLikelihood } };
      };
    case 'cornishFisher':
      return (x) => {
        const m = sampleMoments(negate(x));
        const r = cornishFisherVarEs(m.mean, m.sd, m.skewness, m.excessKurtosis, c);
        return { var: r.var, es: r.es, details: { mean: m.mean, sd: m.sd, skewness: m.skewness, excessKurtosis: m.excessKurtosis, z: r.z } };
      };
    case 'ewma': {
      const lambda = decay(args.lambda, 0.94);
      return (x) => {
        const e = ewmaVariance(x, lambda);
        if (h > 1 && scaling === 'simulation') {
          const sims = simulateFiltered(ctx, normalQuantiles(4096), e.forecastVariance, (v, y) => lambda * v + (1 - lambda) * y * y, h, paths, seed);
          return tailResult(empiricalTail(ctx, sims, c), { lambda, forecastVolatility: Math.sqrt(e.forecastVariance), paths });
        }
        const s = Math.sqrt(e.forecastVariance);
        const { q, tail } = innovationTail('normal', undefined, c);
        return { var: s * q, es: s * tail, details: { lambda, forecastVolatility: s } };
      };
    }
    case 'garch':
    case 'filteredHistorical': {
      const model = args.garch?.model ?? 'garch';
      const dist = args.garch?.distribution ?? 'normal';
      return (x) => {
        let fit: GarchFit;
        if (cache?.fit && cache.age < cache.every) {
          fit = garchFilter(cache.fit, x);
        } else {
          fit = fitGarch(ctx, x, { model, distribution: dist });
          if (cache) {
            cache.fit = fit;
            cache.age = 0;
          }
        }
        const details = garchDetails(fit);
        const z = Float64Array.from(x, (v, i) => v / Math.sqrt(fit.variances[i]));
        const next = (v: number, y: number) => fit.omega + (fit.alpha + (y < 0 ? fit.gamma ?? 0 : 0)) * y * y + fit.beta * v;
        if (method === 'garch') {
          if (h > 1 && scaling === 'simulation') {
            const draws = dist === 'normal' ? normalQuantiles(2048) : tQuantiles(2048, fit.nu as number);
            const sims = simulateFiltered(ctx, draws, fit.forecastVariance, next, h, paths, seed);
            return tailResult(empiricalTail(ctx, sims, c), { ...details, paths });
          }
          const s = Math.sqrt(fit.forecastVariance);
          const { q, tail } = innovationTail(dist, fit.nu, c);
          return { var: s * q, es: s * tail, details };
        }
        if (h > 1 && scaling === 'simulation') {
          const sims = simulateFiltered(ctx, z, fit.forecastVariance, next, h, paths, seed);
          return tailResult(empiricalTail(ctx, sims, c), { ...details, paths });
        }
        const s = Math.sqrt(fit.forecastVariance);
        const scen = z.map((v) => v * s);
        return tailResult(empiricalTail(ctx, scen, c), details, scen);
      };
    }
    default:
      throw new InputError('method', method, 'a P&L-sample method');
  }
}

function garchDetails(fit: GarchFit): Record<string, unknown> {
  return {
    omega: fit.omega, alpha: fit.alpha, beta: fit.beta, gamma: fit.gamma, nu: fit.nu, converged: fit.converged,
    logLikelihood: fit.logLikelihood, forecastVolatility: Math.sqrt(fit.forecastVariance),
  };
}

/** m equally spaced normal quantiles (midpoints): a deterministic innovation set for simulation. */
function normalQuantiles(m: number): Float64Array {
  return Float64Array.from({ length: m }, (_, i) => inverseNormalCdf((i + 0.5) / m));
}

function tQuantiles(m: number, nu: number): Float64Array {
  const k = Math.sqrt((nu - 2) / nu);
  return Float64Array.from({ length: m }, (_, i) => k * studentTQuantile((i + 0.5) / m, nu));
}
