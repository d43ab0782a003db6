/**
 * The one calibration loop every model uses (Heston, Bates, SABR, SVI, SSVI).
 *
 * The split follows QuantLib's (model / pricing engine / calibration helpers / optimizer + end
 * criteria) without its objects: a {@link CalibrationModel} is a small record (parameter names, a
 * default start and box from the quotes, and a batch residual + Jacobian function over the
 * engine's kernels, plus an optional penalty); the quotes are whatever the model reads; the loop
 * owns everything else: bounds overridden by name, fixed parameters, weights, extra and
 * multi-starts, the seeded differential-evolution stage, Levenberg-Marquardt from every start, and
 * the report (reason, converged, iterations, rmse, parameters that ended at a bound).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { enumOption } from '../batch-inputs.js';
import { multiStart } from '../math/optimise/multi-start.js';
import { DE_MAX_GENERATIONS, DE_MAX_POPULATION, differentialEvolution, type DifferentialEvolutionResult } from '../math/optimise/differential-evolution.js';
import type { EndReason, JacobianMode, LeastSquaresProblem, LossFunction } from '../math/optimise/least-squares.js';
import { robustCost } from '../math/optimise/levenberg-marquardt.js';
import { countOption, optionalFunction } from './quotes.js';
import { boundHits, checkedQuality, fitQuality, type BoundHit, type FitQuality, type QualityThresholds } from './fit-quality.js';

/** A start and a box, one entry per parameter (the model's `names` order). */
export interface ParameterBox {
  initial: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

/**
 * Extra residuals appended after the quote residuals with weight 1 (a soft constraint such as
 * Heston's Feller condition). `evaluate` writes `size` residuals into `out` and, when `jacobian`
 * is not null, their rows (row-major `size x nParams`).
 */
export interface PenaltyTerm {
  readonly size: number;
  evaluate(params: Float64Array, out: Float64Array, jacobian: Float64Array | null): void;
}

/**
 * A model as the calibration loop sees it.
 * @typeParam Q the quotes the model reads (prepared quote columns, one slice, ...).
 */
export interface CalibrationModel<Q> {
  /** Parameter names, in vector and Jacobian-column order. */
  readonly names: readonly string[];
  /** The default start and box for these quotes. */
  defaults(quotes: Q): ParameterBox;
  /**
   * The batch residuals model - market on the quotes, and their Jacobian, over the engine's
   * kernels (one kernel call per evaluation where the model allows).
   */
  residuals(engine: EngineContext, quotes: Q): LeastSquaresProblem;
  /** Optional penalty residuals (weight 1) appended to the quote residuals. */
  penalty?: PenaltyTerm;
}

/** Options of a global (differential evolution, DE/rand/1/bin) stage before the local fit. */
export interface GlobalStage {
  /** Seed (integer in [0, 2^53)): the stage is a pure function of it and of the quotes. */
  seed: number;
  /** Population size; default max(15, 10 x the number of parameters). At most 100000. */
  populationSize?: number;
  /** Generations at most (the stage also stops when the population's costs agree to 1e-10); default 100. */
  maxGenerations?: number;
}

export const GLOBAL_STAGE_KEYS = ['seed', 'populationSize', 'maxGenerations'] as const satisfies readonly (keyof GlobalStage)[];

/** Most extra starts per slice or calibration. */
export const MAX_EXTRA_STARTS = 10_000;

/** Options of {@link Engine.calibrate}. Parameter-keyed options use the model's names. */
export interface CalibrateOptions {
  /** The optimiser: box-constrained Levenberg-Marquardt (the only one; named so results say what ran). */
  method?: 'levenbergMarquardt';
  /** Start, by name or as a Float64Array in `names` order (default: the model's). */
  initial?: Float64Array | Readonly<Record<string, number>>;
  /** More starts (by name); the best fit over every start is kept. */
  starts?: readonly Readonly<Record<string, number>>[];
  /** Extra starts spread over the box around the start (van der Corput points). Default 0. */
  extraStarts?: number;
  /** Box bounds by name, overriding the model's defaults. */
  bounds?: { lower?: Readonly<Record<string, number>>; upper?: Readonly<Record<string, number>> };
  /** Parameters held at their start value. */
  fixed?: readonly string[];
  /** Weights w_i >= 0 of the squared quote residuals (length = the model's residuals). Default 1. */
  weights?: ArrayLike<number>;
  /** A seeded differential-evolution stage over the box before the local fits. */
  global?: GlobalStage;
  /** Where the global stage's best point joins the starts: tried first or last (ties keep the first). Default 'last'. */
  globalStart?: 'first' | 'last';
  /** LM iterations per start. Default 200. */
  maxIterations?: number;
  /** LM function, step and gradient tolerance. Default 1e-10. */
  tolerance?: number;
  /** Analytic (default) or finite-difference Jacobian. */
  jacobian?: JacobianMode;
  /** Test hook: every point evaluated (every start, and the global stage) with its cost. */
  onEvaluate?: (params: Float64Array, cost: number) => void;
  /** Robust loss of the quote residuals (LM's `loss`; penalty residuals too). Default 'linear'. */
  loss?: LossFunction;
  /** The loss's soft margin f, in the residuals' units. Default 1. */
  lossScale?: number;
  /**
   * Thresholds of `quality` (see {@link QualityThresholds}). `maxRmse` is in the residuals' units
   * here and has no default (the loop does not know the units); the model fits set their own.
   */
  quality?: QualityThresholds;
}

/** What the global stage did. */
export interface GlobalStageReport {
  /** Cost 1/2 sum w r^2 of the stage's best point (before the local fit). */
  cost: number;
  reason: 'converged' | 'maxGenerations';
  generations: number;
  evaluations: number;
  /** Index in `runs` of the LM run started from the stage's best point. */
  run: number;
}

/** Result of {@link Engine.calibrate}. */
export interface CalibrateResult {
  /** Fitted parameters in `names` order, and by name. */
  params: Float64Array;
  named: Record<string, number>;
  reason: EndReason;
  /** True unless the best run hit its iteration limit or never had finite residuals. */
  converged: boolean;
  /** LM iterations over every start. */
  iterations: number;
  /** Residual evaluations, finite-difference and global-stage ones included. */
  evaluations: number;
  /** 1/2 sum w_i r_i^2 at `params`, penalty included. */
  cost: number;
  /** Root mean square of the unweighted quote residuals with weight > 0, in the residuals' units (NaN if none). */
  rmse: number;
  /** Unweighted quote residuals at `params` (penalty excluded). */
  residuals: Float64Array;
  /** Free parameters that ended on (or within `quality.boundTolerance` of) their lower or upper bound, in `names` order. */
  atBounds: string[];
  /** The same parameters with the side, value and bound. */
  boundHits: BoundHit[];
  /** Flags: notConverged, parameterAtBound, tooFewQuotes, rmseAboveThreshold (with `quality.maxRmse`). */
  quality: FitQuality;
  /** The start that gave the kept fit, and every run. */
  bestStart: number;
  runs: { reason: EndReason; cost: number; iterations: number }[];
  /** The box used. */
  lower: Float64Array;
  upper: Float64Array;
  global?: GlobalStageReport;
}

/**
 * Calibrate `model` to `quotes` on `engine`: the model's default start and box, overridden by the
 * options; LM from every start (the start, `starts`, `extraStarts` perturbed points, and the
 * global stage's best point), keeping the lowest cost. Stopping is never an error: `reason` says why.
 * @throws InputError for malformed options (paths `initial`, `starts[i]`, `bounds.lower.<name>`,
 *   `fixed[i]`, `weights`, `global.seed`, ...).
 * @example
 * const fit = calibrate(engine, model, quotes, { fixed: ['m'], global: { seed: 1 } });
 * fit.named // { a: ..., b: ..., ... }; fit.atBounds // e.g. ['rho']
 */
export function calibrate<Q>(engine: EngineContext, model: CalibrationModel<Q>, quotes: Q, options: CalibrateOptions = {}): CalibrateResult {
  const names = model.names;
  const global = checkedGlobalStage(options.global);
  const onEvaluate = optionalFunction(options.onEvaluate, 'onEvaluate');
  if (options.method !== undefined && options.method !== 'levenbergMarquardt') throw new InputError('method', options.method, "'levenbergMarquardt'");
  const def = model.defaults(quotes);
  const { lower, upper } = boundsArrays(options.bounds, names, def);
  const x0 = options.initial === undefined ? def.initial : startVector(options.initial, names, 'initial');
  if (options.starts !== undefined && !Array.isArray(options.starts)) throw new InputError('starts', options.starts, 'an array of parameter sets');
  const extra = countOption(options.extraStarts, 0, MAX_EXTRA_STARTS, 'extraStarts');
  const starts = [x0, ...(options.starts ?? []).map((s, i) => startVector(s, names, `starts[${i}]`)), ...perturbedStarts(x0, lower, upper, extra)];
  const penalty = model.penalty;
  const fixed = fixedMaskOf(options.fixed, names);
  const quoteProblem = model.residuals(engine, quotes);
  const m = quoteProblem.nResiduals;
  const problem = penalty ? withPenalty(quoteProblem, penalty) : quoteProblem;
  const weights = new Float64Array(problem.nResiduals).fill(1);
  if (options.weights !== undefined) {
    // Checked here, before a global stage would spend its generations on a meaningless cost.
    const w: unknown = options.weights;
    if (w === null || typeof w !== 'object' || (w as ArrayLike<unknown>).length !== m) throw new InputError('weights', w, `an array of ${m} weights`);
    for (let i = 0; i < m; i++) {
      const wi = (w as ArrayLike<unknown>)[i];
      if (typeof wi !== 'number') throw new InputError(`weights[${i}]`, wi, 'a finite number >= 0');
      if (!(wi >= 0 && wi < Infinity)) throw new InputError(`weights[${i}]`, wi, 'a finite number >= 0');
      weights[i] = wi;
    }
  }
  const globalStart = enumOption(options.globalStart, ['first', 'last'] as const, 'last', 'globalStart');
  const loss = enumOption(options.loss, ['linear', 'soft_l1', 'huber'] as const, 'linear', 'loss');
  const lossScale = options.lossScale ?? 1;
  if (typeof lossScale !== 'number' || !(lossScale > 0) || lossScale === Infinity) throw new InputError('lossScale', lossScale, 'a finite number > 0');
  const thresholds = checkedQuality(options.quality, 'price');
  let report: GlobalStageReport | undefined;
  let globalEvaluations = 0;
  if (global) {
    const de = globalStage(problem, starts, lower, upper, weights, fixed, global, onEvaluate, names, loss === 'linear' ? undefined : { loss, lossScale });
    const first = globalStart === 'first';
    report = { cost: de.cost, reason: de.reason === 'converged' ? 'converged' : 'maxGenerations', generations: de.generations, evaluations: de.evaluations, run: first ? 0 : starts.length };
    globalEvaluations = de.evaluations;
    if (first) starts.unshift(de.params);
    else starts.push(de.params);
  }
  const fit = multiStart(problem, {
    starts, lower, upper, fixed, weights,
    maxIterations: options.maxIterations ?? 200, tolerance: options.tolerance ?? 1e-10, jacobian: options.jacobian, onEvaluate,
    ...(loss === 'linear' ? {} : { loss, lossScale }),
  });
  const hits = boundHits(fit.params, lower, upper, fixed, names, thresholds.boundTolerance);
  const rmse = quoteRmse(fit.residuals, weights, m);
  let usable = 0;
  for (let i = 0; i < m; i++) if (weights[i] > 0 && Number.isFinite(fit.residuals[i])) usable++;
  const freeParams = names.length - (fixed ? fixed.filter(Boolean).length : 0);
  const out: CalibrateResult = {
    params: fit.params, named: Object.fromEntries(names.map((name, j) => [name, fit.params[j]])),
    reason: fit.reason, converged: fit.reason !== 'maxIterations' && fit.reason !== 'nonFinite' && Number.isFinite(fit.cost), iterations: fit.iterations,
    evaluations: fit.evaluations + globalEvaluations, cost: fit.cost,
    rmse, residuals: fit.residuals.slice(0, m),
    atBounds: hits.map((h) => h.name), boundHits: hits,
    quality: fitQuality({ reason: fit.reason, rmse, insideBidAsk: NaN, quotes: usable, freeParams, boundHits: hits }, thresholds),
    bestStart: fit.bestStart, runs: fit.runs, lower, upper,
  };
  if (report) out.global = report;
  return out;
}

/** RMS of the first m residuals over those with weight > 0 and a finite value (NaN if none). */
function quoteRmse(r: Float64Array, weights: Float64Array, m: number): number {
  let ss = 0, count = 0;
  for (let i = 0; i < m; i++) {
    if (!(weights[i] > 0) || !Number.isFinite(r[i])) continue;
    ss += r[i] * r[i];
    count++;
  }
  return count ? Math.sqrt(ss / count) : NaN;
}

/**
 * Names of the free parameters at (or beyond, for a start outside a degenerate box) their lower
 * or upper bound.
 */
export function boundParameters(x: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>, fixed: readonly boolean[] | undefined, names: readonly string[]): string[] {
  const out: string[] = [];
  for (let j = 0; j < names.length; j++) if (!fixed?.[j] && (x[j] <= lower[j] || x[j] >= upper[j])) out.push(names[j]);
  return out;
}

/** A problem with the penalty's residuals appended (the inner problem sees arrays of its own length). */
export function withPenalty(problem: LeastSquaresProblem, penalty: PenaltyTerm): LeastSquaresProblem {
  const m = problem.nResiduals, n = problem.nParams;
  // The optimiser swaps a handful of buffers: their heads are cached, not re-cut per evaluation.
  const heads = new WeakMap<Float64Array, Float64Array>();
  const head = (a: Float64Array, len: number): Float64Array => {
    let v = heads.get(a);
    if (v === undefined) heads.set(a, (v = a.subarray(0, len)));
    return v;
  };
  return {
    nParams: n, nResiduals: m + penalty.size, hasJacobian: problem.hasJacobian,
    evaluate(p, res, jac) {
      problem.evaluate(p, head(res, m), jac ? head(jac, m * n) : null);
      penalty.evaluate(p, res.subarray(m), jac ? jac.subarray(m * n) : null);
    },
  };
}

/**
 * A start given by name (or as a Float64Array) in `names` order.
 * @throws InputError naming `path` or `path.<name>`.
 */
function startVector(p: unknown, names: readonly string[], path: string): Float64Array {
  if (p instanceof Float64Array) {
    // A vector from the calling facade, which has checked it.
    if (p.length !== names.length) throw new InputError(path, p, `${names.length} numbers (${names.join(', ')})`);
    return p;
  }
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new InputError(path, p, `{ ${names.join(', ')} }`);
  checkKeys(p, names, path);
  return Float64Array.from(names, (name) => {
    const v = (p as Record<string, unknown>)[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`${path}.${name}`, v, 'a finite number');
    return v;
  });
}

/**
 * A checked `global` option (undefined when absent).
 * @throws InputError naming `global`, `global.seed`, ... for a malformed stage or an unknown key.
 */
export function checkedGlobalStage(v: unknown, path = 'global'): GlobalStage | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(path, v, '{ seed, populationSize?, maxGenerations? }');
  checkKeys(v, GLOBAL_STAGE_KEYS, path);
  const g = v as GlobalStage;
  if (typeof g.seed !== 'number' || !Number.isInteger(g.seed) || g.seed < 0 || g.seed >= 2 ** 53) throw new InputError(`${path}.seed`, g.seed, 'an integer in [0, 2^53)');
  if (g.populationSize !== undefined && (typeof g.populationSize !== 'number' || !Number.isInteger(g.populationSize) || g.populationSize < 4 || g.populationSize > DE_MAX_POPULATION)) {
    throw new InputError(`${path}.populationSize`, g.populationSize, `an integer in [4, ${DE_MAX_POPULATION}]`);
  }
  if (g.maxGenerations !== undefined && (typeof g.maxGenerations !== 'number' || !Number.isInteger(g.maxGenerations) || g.maxGenerations < 0 || g.maxGenerations > DE_MAX_GENERATIONS)) {
    throw new InputError(`${path}.maxGenerations`, g.maxGenerations, `an integer in [0, ${DE_MAX_GENERATIONS}]`);
  }
  return { seed: g.seed, populationSize: g.populationSize, maxGenerations: g.maxGenerations };
}

/**
 * The differential-evolution stage of a calibration: DE/rand/1/bin over the box, the cost
 * 1/2 sum w_i r_i^2 of `problem` (residuals without Jacobian), the population seeded with
 * `starts`; fixed parameters stay at their value in starts[0].
 * @throws InputError naming `bounds.lower.<name>` / `bounds.upper.<name>` for a free parameter
 *   whose bound is not finite (the stage samples the box).
 */
export function globalStage(
  problem: LeastSquaresProblem,
  starts: Float64Array[],
  lower: Float64Array,
  upper: Float64Array,
  weights: Float64Array,
  fixed: readonly boolean[] | undefined,
  global: GlobalStage,
  onEvaluate?: (params: Float64Array, cost: number) => void,
  names?: readonly string[],
  robust?: { loss: LossFunction; lossScale: number },
): DifferentialEvolutionResult {
  const lo = Float64Array.from(lower), hi = Float64Array.from(upper);
  for (let j = 0; j < lo.length; j++) {
    if (fixed?.[j]) {
      const v = Math.min(hi[j], Math.max(lo[j], starts[0][j]));
      lo[j] = v;
      hi[j] = v;
      continue;
    }
    const name = names?.[j] ?? String(j);
    if (!Number.isFinite(lo[j])) throw new InputError(`bounds.lower.${name}`, lo[j], 'a finite bound (the global stage samples the box)');
    if (!Number.isFinite(hi[j])) throw new InputError(`bounds.upper.${name}`, hi[j], 'a finite bound (the global stage samples the box)');
  }
  const r = new Float64Array(problem.nResiduals);
  return differentialEvolution((p) => {
    problem.evaluate(p, r, null);
    let c = 0;
    if (robust) c = 2 * robustCost(r, robust.loss, robust.lossScale, weights).cost;
    else for (let i = 0; i < r.length; i++) c += weights[i] * r[i] * r[i];
    const cost = Number.isFinite(c) ? 0.5 * c : Infinity;
    if (onEvaluate) onEvaluate(Float64Array.from(p), cost);
    return cost;
  }, { lower: lo, upper: hi, seed: global.seed, populationSize: global.populationSize, maxGenerations: global.maxGenerations ?? 100, seeds: starts });
}

/**
 * Box bounds: the model's defaults, overridden per named parameter by `bounds.lower` / `bounds.upper`.
 * @throws InputError naming `bounds`, or `bounds.lower.<name>` / `bounds.upper.<name>` for a non-number.
 */
export function boundsArrays(
  bounds: unknown, names: readonly string[], def: { lower: Float64Array; upper: Float64Array },
): { lower: Float64Array; upper: Float64Array } {
  const lower = Float64Array.from(def.lower), upper = Float64Array.from(def.upper);
  if (bounds === undefined) return { lower, upper };
  if (bounds === null || typeof bounds !== 'object' || Array.isArray(bounds)) throw new InputError('bounds', bounds, '{ lower?, upper? }');
  checkKeys(bounds, ['lower', 'upper'], 'bounds');
  const sides = bounds as { lower?: Record<string, unknown>; upper?: Record<string, unknown> };
  for (const side of ['lower', 'upper'] as const) {
    const v = sides[side];
    if (v === undefined) continue;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(`bounds.${side}`, v, `{ ${names.join('?, ')}? }`);
    checkKeys(v, names, `bounds.${side}`);
  }
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

/**
 * A `fixed` list of parameter names as a boolean mask.
 * @throws InputError naming `fixed` (not an array) or `fixed[i]` (not one of `names`).
 */
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
