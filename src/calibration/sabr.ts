import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { callKernel, calibrationKernels } from './kernel-call.js';
import { checkKeys } from '../option-keys.js';
import { requireNumber, requireNumberArray } from '../arguments.js';
import { countOption, fitStatistics, MARKET_KEYS, optionalFunction, prepareQuotes, type PreparedQuotes, type VolEvaluator } from './quotes.js';
import { now } from '../clock.js';
import { boundsArrays, calibrate, checkedGlobalStage, fixedMaskOf, MAX_EXTRA_STARTS, type GlobalStage } from './calibrate.js';
import type { EndReason } from '../math/optimise/least-squares.js';
import { leanBoxOk, leanSliceRun, leanWorkspace, LeanWorkspaces, type LeanBox } from './lean-slice-fit.js';
import { assembleSliceResult, robustOptions, sliceFitOptions, unionAtBounds, usableQuotes } from './svi.js';
import { checkedQuality, combinedQuality, fitQuality, type BoundHit, type FitQuality, type QualityThresholds } from './fit-quality.js';
import type { LossFunction } from './types.js';
import { volModel } from './vol-model.js';
import type { FitResultBase, MarketArgs } from './types.js';

/** SABR parameters of one slice (beta is fixed per calibration). */
export interface SabrParams {
  /** Initial vol level alpha (> 0, in forward^(1-beta) units). */
  alpha: number;
  /** Correlation rho in (-1, 1). */
  rho: number;
  /** Vol of vol nu (>= 0). */
  nu: number;
}

export const SABR_PARAM_NAMES = ['alpha', 'rho', 'nu'] as const;

/** Arguments of `engine.calibrateSabr`. */
export interface CalibrateSabrArgs extends MarketArgs {
  /** CEV exponent beta in [0, 1], fixed during the calibration. Default 1 (lognormal backbone). */
  beta?: number;
  /** Starting point for every slice, or one per slice (default: from the smile's slope and curvature). */
  initial?: SabrParams | SabrParams[];
  bounds?: { lower?: Partial<SabrParams>; upper?: Partial<SabrParams> };
  fixed?: (keyof SabrParams)[];
  extraStarts?: number;
  global?: GlobalStage;
  onEvaluate?: (slice: number, params: Float64Array, cost: number) => void;
  /** Robust loss of the residuals, as in `fitSvi`. Default 'linear'. */
  loss?: LossFunction;
  /** The loss's soft margin (vol decimals; default 0.01), as in `fitSvi`. */
  lossScale?: number;
  /** Thresholds of the `quality` flags, as in `fitSvi`. */
  quality?: QualityThresholds;
}

const CALIBRATE_SABR_KEYS = [
  ...MARKET_KEYS, 'beta', 'initial', 'bounds', 'fixed', 'extraStarts', 'global', 'onEvaluate', 'loss', 'lossScale', 'quality',
] as const satisfies readonly (keyof CalibrateSabrArgs)[];

/** One expiry slice of {@link CalibrateSabrResult}. */
export interface SabrSliceFit extends FitResultBase {
  expiry: number;
  forward: number;
  params: SabrParams;
  quotes: number;
  /** Free parameters of the slice that ended on (or within `quality.boundTolerance` of) a bound of its box. */
  atBounds: string[];
  /** The same, with side, value and bound. */
  boundHits: BoundHit[];
  /** Flags of this slice. */
  quality: FitQuality;
}

/** Result of `engine.calibrateSabr`. */
export interface CalibrateSabrResult extends FitResultBase {
  beta: number;
  params: SabrParams[];
  slices: SabrSliceFit[];
  /** Parameter names at a bound in any slice (per slice: `slices[i].atBounds`). */
  atBounds: string[];
  /** Every slice's flags: ok only when every slice is. */
  quality: FitQuality;
}

/**
 * Hagan et al. (2002) eq. (2.17a) lognormal implied vols for one slice, through the kernel
 * (JS-side convenience for tests and plotting). Optionally the Jacobian in (alpha, rho, nu).
 */
export function sabrVols(ctx: EngineContext, strikes: ArrayLike<number>, forward: number, expiry: number, beta: number, p: SabrParams, jacobian = false): { vols: Float64Array; jacobian?: Float64Array } {
  const K = Float64Array.from(strikes);
  const vols = new Float64Array(K.length);
  const jac = jacobian ? new Float64Array(K.length * 3) : null;
  sabrEvaluator(ctx, K, forward, expiry, beta)(Float64Array.of(p.alpha, p.rho, p.nu), vols, jac);
  return jac ? { vols, jacobian: jac } : { vols };
}

/** A VolEvaluator for SABR on one slice, via the `sabrSliceEvaluate` kernel. */
export function sabrEvaluator(ctx: EngineContext, strikes: Float64Array, forward: number, expiry: number, beta: number): VolEvaluator {
  const Kn = calibrationKernels(ctx);
  const m = strikes.length;
  return (p, out, jac) => {
    callKernel(ctx, 'sabrSliceEvaluate', [strikes, p], [out, jac], (i, o) => Kn.sabrSliceEvaluate(m, i[0], forward, expiry, beta, i[1], 0, o[0], o[1]));
  };
}

/** LM buffers of lean SABR slice fits, per engine and slice size. */
const sabrWorkspaces = new LeanWorkspaces((m) => leanWorkspace(m, 3));

/**
 * The box calibrate would use (the slice's, overridden by `bounds`), or undefined where LM's option
 * checks would refuse it (a NaN start, lower > upper): the general path then reports that as it always has.
 * @throws InputError as calibrate does for malformed `bounds`.
 */
function sabrLeanBox(bounds: unknown, box: LeanBox): LeanBox | undefined {
  const { lower, upper } = boundsArrays(bounds, SABR_PARAM_NAMES, box);
  const lean = { initial: box.initial, lower, upper };
  return leanBoxOk(lean) ? lean : undefined;
}

/**
 * One lean LM run of a SABR slice (lean-slice-fit.ts), its params copied out of the reused workspace.
 * @throws InputError naming `maxIterations` or `tolerance`.
 */
function sabrLeanFit(
  ctx: EngineContext, Q: PreparedQuotes, indices: Int32Array, evaluator: VolEvaluator, box: LeanBox,
  weights: Float64Array, fixed: boolean[] | undefined, maxIterations: number | undefined, tolerance: number | undefined, boundTolerance: number | undefined,
): { params: Float64Array; reason: EndReason; iterations: number; atBounds: string[]; boundHits: BoundHit[] } {
  const m = indices.length;
  const ws = sabrWorkspaces.get(ctx, m);
  for (let r = 0; r < m; r++) ws.target[r] = Q.vols[indices[r]];
  const fit = leanSliceRun(ws, evaluator, SABR_PARAM_NAMES, box, weights, fixed, maxIterations, tolerance, boundTolerance);
  return { params: Float64Array.from(fit.params), reason: fit.reason, iterations: fit.iterations, atBounds: fit.boundHits.map((h) => h.name), boundHits: fit.boundHits };
}

/**
 * A starting point from the smile: a weighted parabola sigma ~ c0 + c1 k + c2 k^2 near the money
 * and Hagan's small-k expansion (beta = 1: c1 = rho nu / 2, c2 = (2 - 3 rho^2) nu^2 / (12 alpha)),
 * so nu^2 = 6 alpha c2 + 6 c1^2 and rho = 2 c1 / nu; alpha = c0 F^(1 - beta).
 * Vols as decimals (one per k; NaN vols are skipped), k = ln(K / F).
 * @throws InputError naming `k` or `k[i]` (not a non-empty array of numbers), `vols`, `vols.length`
 *   or `vols[i]`, `forward` or `beta` (not a number).
 */
export function sabrInitialGuess(k: ArrayLike<number>, vols: ArrayLike<number>, forward: number, beta: number): Float64Array {
  requireNumberArray(k, 'k', 1);
  requireNumberArray(vols, 'vols', k.length, k.length);
  requireNumber(forward, 'forward');
  requireNumber(beta, 'beta');
  // Normal equations of the parabola, weighting quotes near the money.
  const S = new Float64Array(9), b = new Float64Array(3);
  for (let i = 0; i < k.length; i++) {
    if (!Number.isFinite(vols[i])) continue;
    const w = Math.exp(-(k[i] * k[i]) / 0.08);
    const phi = [1, k[i], k[i] * k[i]];
    for (let a = 0; a < 3; a++) {
      b[a] += w * phi[a] * vols[i];
      for (let c = 0; c < 3; c++) S[a * 3 + c] += w * phi[a] * phi[c];
    }
  }
  const c = solve3(S, b);
  let c0 = c[0], c1 = c[1], c2 = c[2];
  if (!(c0 > 0) || !Number.isFinite(c1) || !Number.isFinite(c2)) {
    let iAtm = 0;
    for (let i = 1; i < k.length; i++) if (Math.abs(k[i]) < Math.abs(k[iAtm])) iAtm = i;
    c0 = vols[iAtm];
    c1 = 0;
    c2 = 0.1;
  }
  const nu = Math.min(10, Math.max(0.05, Math.sqrt(Math.max(6 * c0 * c2 + 6 * c1 * c1, 0))));
  const rho = Math.max(-0.9, Math.min(0.9, (2 * c1) / nu));
  return Float64Array.of(c0 * Math.pow(forward, 1 - beta), rho, nu);
}

function solve3(A: Float64Array, b: Float64Array): Float64Array {
  const det = (m: ArrayLike<number>) => m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  const d = det(A);
  const out = new Float64Array(3);
  for (let j = 0; j < 3; j++) {
    const M = Float64Array.from(A);
    for (let i = 0; i < 3; i++) M[i * 3 + j] = b[i];
    out[j] = det(M) / d;
  }
  return out;
}

function checkedSabr(p: SabrParams, path: string): Float64Array {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new InputError(path, p, 'SabrParams { alpha, rho, nu }');
  checkKeys(p, SABR_PARAM_NAMES, path);
  for (const name of SABR_PARAM_NAMES) if (typeof p[name] !== 'number' || !Number.isFinite(p[name])) throw new InputError(`${path}.${name}`, p[name], 'a finite number');
  return Float64Array.of(p.alpha, p.rho, p.nu);
}

/**
 * Calibrate SABR (Hagan 2002 lognormal expansion, eq. 2.17a; beta fixed) to each expiry slice,
 * by box-constrained Levenberg-Marquardt with the analytic Jacobian of the `sabrSliceEvaluate`
 * kernel. Quotes of a slice must share one forward.
 * @throws InputError for a malformed call (beta outside [0, 1], forwards differing within a slice...).
 */
export function calibrateSabr(ctx: EngineContext, args: CalibrateSabrArgs): CalibrateSabrResult {
  const t0 = now();
  const Q = prepareQuotes(ctx, args, CALIBRATE_SABR_KEYS);
  const beta = args.beta ?? 1;
  if (typeof beta !== 'number' || !(beta >= 0 && beta <= 1)) throw new InputError('beta', beta, 'a number in [0, 1]');
  const fixedMask = fixedMaskOf(args.fixed, SABR_PARAM_NAMES); // checked once, before any slice
  const robust = robustOptions(args, Q.objective);
  const thresholds = checkedQuality(args.quality, Q.objective);
  const freeParams = 3 - (fixedMask ? fixedMask.filter(Boolean).length : 0);
  const global = checkedGlobalStage(args.global);
  const extraStarts = countOption(args.extraStarts, 0, MAX_EXTRA_STARTS, 'extraStarts');
  const onEvaluate = optionalFunction(args.onEvaluate, 'onEvaluate');
  // The lean path (as fitSvi's): one start, the vol objective, the linear loss and the analytic
  // Jacobian run LM on buffers reused per engine and slice size, the arithmetic of the general
  // calibration loop (the same numbers, test/calibration-svi-lean.test.ts), without its per-fit
  // set-up, which cost a 25-quote slice more than its kernel calls.
  const lean = extraStarts === 0 && global === undefined && Q.objective === 'vol' && robust.loss === 'linear' && onEvaluate === undefined &&
    (args.jacobian === undefined || args.jacobian === 'analytic');
  const residuals = new Float64Array(Q.n).fill(NaN);
  const allModel = new Float64Array(Q.n).fill(NaN);
  const slices: SabrSliceFit[] = [];
  Q.slices.forEach(({ expiry, indices }, s) => {
    const ts = now();
    const forward = Q.forwards[indices[0]];
    const m = indices.length;
    // Plain loops (typed-array iteration and Float64Array.from with a map function cost a small
    // slice more than its LM iterations); the same values.
    const strikes = new Float64Array(m), weights = new Float64Array(m), k = new Float64Array(m), v = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      const i = indices[r];
      if (Math.abs(Q.forwards[i] - forward) > 1e-12 * forward) throw new InputError(`forwards[${i}]`, Q.forwards[i], `the slice's forward ${forward} (one forward per expiry)`);
      strikes[r] = Q.strikes[i];
      weights[r] = Q.weights[i];
      k[r] = Q.logMoneyness[i];
      v[r] = Q.weights[i] > 0 ? Q.vols[i] : NaN;
    }
    let x0: Float64Array;
    if (args.initial === undefined) x0 = sabrInitialGuess(k, v, forward, beta);
    else if (Array.isArray(args.initial)) {
      if (args.initial.length !== Q.slices.length) throw new InputError('initial', args.initial, `one SabrParams per slice (${Q.slices.length})`);
      x0 = checkedSabr(args.initial[s], `initial[${s}]`);
    } else x0 = checkedSabr(args.initial as SabrParams, 'initial');
    let vMax = 0;
    for (let r = 0; r < m; r++) if (Number.isFinite(v[r])) vMax = Math.max(vMax, v[r]);
    const scale = Math.pow(forward, 1 - beta);
    const box = {
      initial: x0,
      lower: Float64Array.of(1e-4 * scale, -0.999, 0),
      upper: Float64Array.of(Math.max(5, 4 * vMax) * scale, 0.999, 25),
    };
    const evaluator = sabrEvaluator(ctx, strikes, forward, expiry, beta);
    const leanBox = lean ? sabrLeanBox(args.bounds, box) : undefined;
    const fit = leanBox
      ? sabrLeanFit(ctx, Q, indices, evaluator, leanBox, weights, fixedMask, args.maxIterations, args.tolerance, thresholds.boundTolerance)
      : calibrate(ctx, volModel(SABR_PARAM_NAMES, evaluator, () => box), { Q, indices }, {
        ...sliceFitOptions(args, extraStarts, global), weights,
        ...(robust.loss === 'linear' ? {} : robust), quality: { boundTolerance: thresholds.boundTolerance },
        onEvaluate: onEvaluate ? (p, c) => onEvaluate(s, p, c) : undefined,
      });
    const model = new Float64Array(m);
    evaluator(fit.params, model, null);
    for (let r = 0; r < m; r++) allModel[indices[r]] = model[r];
    const stats = fitStatistics(ctx, Q, indices, model, residuals);
    const sliceResiduals = new Float64Array(m);
    for (let r = 0; r < m; r++) sliceResiduals[r] = residuals[indices[r]];
    slices.push({
      expiry, forward, params: { alpha: fit.params[0], rho: fit.params[1], nu: fit.params[2] }, quotes: indices.length,
      reason: fit.reason, iterations: fit.iterations, ...stats, residuals: sliceResiduals, elapsedMs: now() - ts,
      atBounds: fit.atBounds, boundHits: fit.boundHits,
      quality: fitQuality({ reason: fit.reason, rmse: stats.rmse, insideBidAsk: stats.insideBidAsk, quotes: usableQuotes(Q, indices), freeParams, boundHits: fit.boundHits }, thresholds),
    });
  });
  return assembleSliceResult(ctx, Q, slices, allModel, residuals, t0, (sl) => ({
    beta, params: sl.map((x) => x.params), slices: sl, atBounds: unionAtBounds(sl), quality: combinedQuality(sl.map((x) => x.quality)),
  }));
}
