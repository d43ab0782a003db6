import type { EngineContext } from '../engine.js';
import { InputError } from '../errors.js';
import { callKernel, calibrationKernels } from './kernel-call.js';
import { multiStart } from './levenberg-marquardt.js';
import { differentialEvolution } from './differential-evolution.js';
import { fitStatistics, now, prepareQuotes, volProblem, worstReason, type PreparedQuotes, type VolEvaluator } from './quotes.js';
import type { EndReason, FitResultBase, LmResult, MarketArgs } from './types.js';

/**
 * Raw SVI parameters of one slice (Gatheral 2004): total variance
 * w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)), k = ln(K / F).
 */
export interface SviParams {
  a: number;
  b: number;
  rho: number;
  m: number;
  sigma: number;
}

/** Parameter order in vectors and Jacobian columns. */
export const SVI_PARAM_NAMES = ['a', 'b', 'rho', 'm', 'sigma'] as const;

export function sviToArray(p: SviParams): Float64Array {
  return Float64Array.of(p.a, p.b, p.rho, p.m, p.sigma);
}

export function sviFromArray(v: ArrayLike<number>): SviParams {
  return { a: v[0], b: v[1], rho: v[2], m: v[3], sigma: v[4] };
}

/**
 * w(k) and its first two derivatives in k.
 * w is total implied variance (vol^2 x years) at log-moneyness k = ln(K / F).
 * @throws Nothing.
 */
export function sviTotalVariance(p: SviParams, k: number): { w: number; dw: number; d2w: number } {
  const d = k - p.m;
  const q = Math.sqrt(d * d + p.sigma * p.sigma);
  return { w: p.a + p.b * (p.rho * d + q), dw: p.b * (p.rho + d / q), d2w: (p.b * p.sigma * p.sigma) / (q * q * q) };
}

/**
 * Durrleman's function g(k) = (1 - k w'/(2w))^2 - w'^2/4 (1/w + 1/4) + w''/2 (Gatheral & Jacquier
 * 2014, eq. 2.1): the risk-neutral density is proportional to g, so a slice is free of butterfly
 * arbitrage iff g >= 0 (and w > 0) everywhere. NaN where w <= 0.
 * @throws Nothing.
 */
export function sviDurrlemanG(p: SviParams, k: number): number {
  const { w, dw, d2w } = sviTotalVariance(p, k);
  if (!(w > 0)) return NaN;
  const t = 1 - (k * dw) / (2 * w);
  return t * t - ((dw * dw) / 4) * (1 / w + 0.25) + d2w / 2;
}

/** The log-moneyness grid of a butterfly check. */
export interface ArbitrageGrid {
  /** Default -1.5. */
  kMin?: number;
  /** Default 1.5. */
  kMax?: number;
  /** Default 301. */
  points?: number;
}

/** Butterfly-arbitrage diagnostics of one SVI slice on a grid. */
export interface SviButterflyCheck {
  /** min over the grid of g(k) (-Infinity if w <= 0 somewhere). */
  minG: number;
  /** Where the minimum is. */
  kAtMinG: number;
  /** Grid points with g < 0 or w <= 0. */
  negativePoints: number;
  /** No negative point on the grid, and the Roger Lee wing bound b (1 + |rho|) <= 2 holds. */
  arbitrageFree: boolean;
  /** b (1 + |rho|): the larger wing slope of w, at most 2 by Lee's moment formula. */
  wingSlope: number;
}

/**
 * Durrleman's g on a uniform grid, and Lee's wing bound.
 * @throws InputError unless grid.kMin < grid.kMax and grid.points is an integer >= 2.
 */
export function sviButterflyCheck(p: SviParams, grid: ArbitrageGrid = {}): SviButterflyCheck {
  const kMin = grid.kMin ?? -1.5, kMax = grid.kMax ?? 1.5, points = grid.points ?? 301;
  if (!(kMin < kMax) || !Number.isInteger(points) || points < 2) throw new InputError('grid', grid, 'kMin < kMax and points >= 2');
  let minG = Infinity, kAt = NaN, negative = 0;
  for (let i = 0; i < points; i++) {
    const k = kMin + ((kMax - kMin) * i) / (points - 1);
    let g = sviDurrlemanG(p, k);
    if (Number.isNaN(g)) g = -Infinity;
    if (g < 0) negative++;
    if (g < minG) {
      minG = g;
      kAt = k;
    }
  }
  const wingSlope = p.b * (1 + Math.abs(p.rho));
  return { minG, kAtMinG: kAt, negativePoints: negative, arbitrageFree: negative === 0 && wingSlope <= 2, wingSlope };
}

/** Options of a global (differential evolution) stage before the local fit. */
export interface GlobalStage {
  seed: number;
  populationSize?: number;
  maxGenerations?: number;
}

/** Arguments of `engine.fitSvi`: the common market arguments plus SVI options. */
export interface FitSviArgs extends MarketArgs {
  /** Starting point for every slice (default: a heuristic from the slice's wings). */
  initial?: SviParams | SviParams[];
  /**
   * Box bounds. Defaults from the slice's data (log-moneyness in [kLo, kHi], max total variance
   * wMax): a in [-wMax, wMax], b in [0, 2] (Lee), rho in [-0.999, 0.999], m in [kLo - 1, kHi + 1],
   * sigma in [1e-4, 2].
   */
  bounds?: { lower?: Partial<SviParams>; upper?: Partial<SviParams> };
  /** Parameters held at their initial value. */
  fixed?: (keyof SviParams)[];
  /** Also start from this many perturbed points per slice and keep the best fit. Default 0. */
  extraStarts?: number;
  /** Differential evolution over the bounds first, then the local fit from its best point. */
  global?: GlobalStage;
  /** Grid of the butterfly check. Default: the slice's k range widened by 0.5 on each side. */
  arbitrageGrid?: ArbitrageGrid;
  /** Test hook: every parameter vector evaluated, per slice. */
  onEvaluate?: (slice: number, params: Float64Array, cost: number) => void;
}

/** One expiry slice of {@link FitSviResult}. */
export interface SviSliceFit extends FitResultBase {
  expiry: number;
  params: SviParams;
  quotes: number;
  butterfly: SviButterflyCheck;
}

/** Result of `engine.fitSvi`: per-slice fits plus the overall statistics over every quote. */
export interface FitSviResult extends FitResultBase {
  /** Per slice, ascending expiry. */
  params: SviParams[];
  slices: SviSliceFit[];
  /** Every slice passes its butterfly check. */
  arbitrageFree: boolean;
}

/** A VolEvaluator for raw SVI on quotes with log-moneyness `k` and one expiry, via the kernel. */
export function sviEvaluator(ctx: EngineContext, k: Float64Array, expiry: number): VolEvaluator {
  const K = calibrationKernels(ctx);
  const m = k.length;
  return (p, out, jac) => {
    callKernel(ctx, 'sviSliceEvaluate', [k, p.length === 5 ? p : p.subarray(0, 5)], [out, jac], (i, o) =>
      K.sviSliceEvaluate(m, i[0], expiry, i[1], 0, o[0], o[1]));
  };
}

/**
 * Default box for a slice with log-moneyness in [kLo, kHi] and max total variance wMax:
 * a in [-wMax, wMax], b in [0, 2] (Lee), rho in [-0.999, 0.999], m in [kLo - 1, kHi + 1],
 * sigma in [1e-4, 2].
 */
export function sviDefaultBounds(kLo: number, kHi: number, wMax: number): { lower: Float64Array; upper: Float64Array } {
  return {
    lower: Float64Array.of(-wMax, 0, -0.999, kLo - 1, 1e-4),
    upper: Float64Array.of(wMax, 2, 0.999, kHi + 1, 2),
  };
}

/**
 * A starting point from the data: ATM total variance and the two wing slopes of w(k) give b and
 * rho (b (1 + rho) and -b (1 - rho) are the right and left slopes), m = 0, sigma = 0.1.
 * k = ln(K / F), w total implied variance (vol^2 x years).
 * @throws Nothing: unchecked arguments.
 */
export function sviInitialGuess(k: ArrayLike<number>, w: ArrayLike<number>): Float64Array {
  let iAtm = 0, iLo = 0, iHi = 0;
  for (let i = 0; i < k.length; i++) {
    if (Math.abs(k[i]) < Math.abs(k[iAtm])) iAtm = i;
    if (k[i] < k[iLo]) iLo = i;
    if (k[i] > k[iHi]) iHi = i;
  }
  const wAtm = w[iAtm];
  const sR = k[iHi] - k[iAtm] > 1e-3 ? (w[iHi] - wAtm) / (k[iHi] - k[iAtm]) : 0.05;
  const sL = k[iAtm] - k[iLo] > 1e-3 ? (w[iLo] - wAtm) / (k[iLo] - k[iAtm]) : -0.05;
  let b = Math.max(1e-3, Math.min(1.9, (sR - sL) / 2));
  let rho = Math.max(-0.9, Math.min(0.9, (sR + sL) / (2 * b)));
  if (!Number.isFinite(rho)) rho = 0;
  if (!Number.isFinite(b)) b = 0.1;
  const sigma = 0.1;
  const a = wAtm - b * sigma; // w(0) = a + b sqrt(m^2 + sigma^2) with m = 0
  return Float64Array.of(a, b, rho, 0, sigma);
}

/** The options shared by per-slice fits. */
export interface SliceFitSettings {
  maxIterations?: number;
  tolerance?: number;
  jacobian?: MarketArgs['jacobian'];
}

/**
 * Fit one vol-parametric slice: optional DE stage, LM from `starts`, best cost wins.
 * @internal shared by SVI and SABR.
 */
export function fitSlice(
  problem: ReturnType<typeof volProblem>,
  starts: Float64Array[],
  lower: Float64Array,
  upper: Float64Array,
  weights: Float64Array,
  fixed: boolean[] | undefined,
  settings: SliceFitSettings,
  global: GlobalStage | undefined,
  onEvaluate?: (params: Float64Array, cost: number) => void,
): LmResult {
  const lmOptions = {
    lower, upper, weights, fixed,
    maxIterations: settings.maxIterations ?? 200, tolerance: settings.tolerance ?? 1e-10, jacobian: settings.jacobian,
    onEvaluate,
  };
  const all = [...starts];
  if (global) {
    const r = new Float64Array(problem.nResiduals);
    const de = differentialEvolution((p) => {
      problem.evaluate(p, r, null);
      let c = 0;
      for (let i = 0; i < r.length; i++) c += weights[i] * r[i] * r[i];
      const cost = 0.5 * c;
      if (onEvaluate) onEvaluate(Float64Array.from(p), cost);
      return cost;
    }, { lower, upper, seed: global.seed, populationSize: global.populationSize, maxGenerations: global.maxGenerations ?? 100, seeds: starts });
    all.unshift(de.params);
  }
  return multiStart(problem, { ...lmOptions, starts: all });
}

/**
 * Box bounds: the model's defaults, overridden per named parameter by `bounds.lower` / `bounds.upper`
 * (shared by every calibration).
 * @throws InputError naming `bounds`, or `bounds.lower.<name>` / `bounds.upper.<name>` for a non-number.
 */
export function boundsArrays(
  bounds: unknown, names: readonly string[], def: { lower: Float64Array; upper: Float64Array },
): { lower: Float64Array; upper: Float64Array } {
  const lower = Float64Array.from(def.lower), upper = Float64Array.from(def.upper);
  if (bounds === undefined) return { lower, upper };
  if (bounds === null || typeof bounds !== 'object') throw new InputError('bounds', bounds, '{ lower?, upper? }');
  const sides = bounds as { lower?: Record<string, unknown>; upper?: Record<string, unknown> };
  names.forEach((name, j) => {
    const lo = sides.lower?.[name], hi = sides.upper?.[name];
    if (lo !== undefined) {
      if (typeof lo !== 'number' || Number.isNaN(lo)) throw new InputError(`bounds.lower.${name}`, lo, 'a number');
      lower[j] = lo;
    }
    if (hi !== undefined) {
      if (typeof hi !== 'number' || Number.isNaN(hi)) throw new InputError(`bounds.upper.${name}`, hi, 'a number');
      upper[j] = hi;
    }
  });
  return { lower, upper };
}

/** Perturbed starts around x, deterministic, clipped to the box. */
export function perturbedStarts(x: Float64Array, lower: Float64Array, upper: Float64Array, count: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let s = 0; s < count; s++) {
    const y = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) {
      // Points at fractions 1/4, 3/4, 1/8, 5/8, ... of the box (van der Corput in base 2), per coordinate shifted.
      let t = 0, f = 0.5, i = s + 1 + j * 7;
      while (i > 0) {
        if (i & 1) t += f;
        i >>= 1;
        f /= 2;
      }
      const lo = Number.isFinite(lower[j]) ? lower[j] : x[j] - 1, hi = Number.isFinite(upper[j]) ? upper[j] : x[j] + 1;
      y[j] = 0.5 * x[j] + 0.5 * (lo + (hi - lo) * t);
    }
    out.push(y);
  }
  return out;
}

function sviStart(initial: FitSviArgs['initial'], slice: number, nSlices: number, k: Float64Array, w: Float64Array): Float64Array {
  if (initial === undefined) return sviInitialGuess(k, w);
  if (Array.isArray(initial)) {
    if (initial.length !== nSlices) throw new InputError('initial', initial, `one SviParams per slice (${nSlices})`);
    return checkedSvi(initial[slice], `initial[${slice}]`);
  }
  return checkedSvi(initial as SviParams, 'initial');
}

function checkedSvi(p: SviParams, path: string): Float64Array {
  if (p === null || typeof p !== 'object') throw new InputError(path, p, 'SviParams { a, b, rho, m, sigma }');
  for (const name of SVI_PARAM_NAMES) if (typeof p[name] !== 'number' || !Number.isFinite(p[name])) throw new InputError(`${path}.${name}`, p[name], 'a finite number');
  return sviToArray(p);
}

/**
 * Fit raw SVI to each expiry slice of the quotes (slices = distinct `quotes.expiries`), by
 * box-constrained Levenberg-Marquardt with the analytic Jacobian from the `sviSliceEvaluate`
 * kernel, and check each fitted slice for butterfly arbitrage (Durrleman's g on a grid, Lee's
 * wing bound). Quotes whose price has no implied vol get weight 0 (residual NaN).
 * @throws InputError for a malformed call.
 */
export function fitSvi(ctx: EngineContext, args: FitSviArgs): FitSviResult {
  const t0 = now();
  const Q = prepareQuotes(ctx, args);
  const fixedMask = fixedMaskOf(args.fixed, SVI_PARAM_NAMES);
  const residuals = new Float64Array(Q.n).fill(NaN);
  const allModel = new Float64Array(Q.n).fill(NaN);
  const slices: SviSliceFit[] = [];
  Q.slices.forEach(({ expiry, indices }, s) => {
    const ts = now();
    const k = Float64Array.from(indices, (i) => Q.logMoneyness[i]);
    const w = Float64Array.from(indices, (i) => Q.vols[i] * Q.vols[i] * expiry);
    const weights = Float64Array.from(indices, (i) => Q.weights[i]);
    let kLo = Infinity, kHi = -Infinity, wMax = 0;
    k.forEach((x, r) => {
      if (weights[r] > 0) {
        kLo = Math.min(kLo, x);
        kHi = Math.max(kHi, x);
        wMax = Math.max(wMax, w[r]);
      }
    });
    if (!(kLo <= kHi)) {
      kLo = -1;
      kHi = 1;
      wMax = 1;
    }
    const { lower, upper } = boundsArrays(args.bounds, SVI_PARAM_NAMES, sviDefaultBounds(kLo, kHi, wMax));
    const wk = k.filter((_, r) => weights[r] > 0), ww = w.filter((_, r) => weights[r] > 0);
    const x0 = sviStart(args.initial, s, Q.slices.length, wk.length ? wk : k, ww.length ? ww : w);
    const starts = [x0, ...perturbedStarts(x0, lower, upper, args.extraStarts ?? 0)];
    const evaluator = sviEvaluator(ctx, k, expiry);
    const problem = volProblem(ctx, Q, indices, 5, evaluator);
    const fit = fitSlice(problem, starts, lower, upper, weights, fixedMask, args, args.global,
      args.onEvaluate ? (p, c) => args.onEvaluate!(s, p, c) : undefined);
    const model = new Float64Array(indices.length);
    evaluator(fit.params, model, null);
    indices.forEach((i, r) => (allModel[i] = model[r]));
    const stats = fitStatistics(ctx, Q, indices, model, residuals);
    const params = sviFromArray(fit.params);
    const grid = args.arbitrageGrid ?? { kMin: kLo - 0.5, kMax: kHi + 0.5, points: 301 };
    slices.push({
      expiry, params, quotes: indices.length, reason: fit.reason, iterations: fit.iterations, ...stats,
      residuals: Float64Array.from(indices, (i) => residuals[i]), elapsedMs: now() - ts, butterfly: sviButterflyCheck(params, grid),
    });
  });
  return assembleSliceResult(ctx, Q, slices, allModel, residuals, t0, (sl) => ({
    params: sl.map((x) => x.params), slices: sl, arbitrageFree: sl.every((x) => x.butterfly.arbitrageFree),
  }));
}

/** @internal overall statistics of per-slice fits. */
export function assembleSliceResult<S extends FitResultBase, R>(
  ctx: EngineContext, Q: PreparedQuotes, slices: S[], allModel: Float64Array, residuals: Float64Array, t0: number,
  extra: (slices: S[]) => R,
): FitResultBase & R {
  const all = Int32Array.from({ length: Q.n }, (_, i) => i);
  const scratch = new Float64Array(Q.n);
  const stats = fitStatistics(ctx, Q, all, allModel, scratch);
  const reason: EndReason = worstReason(slices.map((x) => x.reason));
  return {
    reason, iterations: slices.reduce((s, x) => s + x.iterations, 0), ...stats, residuals, elapsedMs: now() - t0, ...extra(slices),
  };
}

/** A `fixed` list of parameter names as a boolean mask. */
export function fixedMaskOf(fixed: readonly string[] | undefined, names: readonly string[]): boolean[] | undefined {
  if (fixed === undefined) return undefined;
  if (!Array.isArray(fixed)) throw new InputError('fixed', fixed, `an array of parameter names (${names.join(', ')})`);
  const mask = names.map(() => false);
  fixed.forEach((name, i) => {
    const j = names.indexOf(name);
    if (j < 0) throw new InputError(`fixed[${i}]`, name, names.map((x) => `'${x}'`).join(' or '));
    mask[j] = true;
  });
  return mask;
}
