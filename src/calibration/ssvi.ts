import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { hestonPhi, hestonPhiPrime } from '../math/heston-phi.js';
import { checkKeys } from '../option-keys.js';
import { MAX_ARGUMENT_LENGTH, requireNumberArray } from '../arguments.js';
import { callKernel, calibrationKernels } from './kernel-call.js';
import { countOption, fitStatistics, MARKET_KEYS, MAX_QUOTES, optionalFunction, prepareQuotes, type PreparedQuotes, type VolEvaluator } from './quotes.js';
import { now } from '../clock.js';
import { calibrate, checkedGlobalStage, MAX_EXTRA_STARTS, type GlobalStage, type ParameterBox } from './calibrate.js';
import { volModel } from './vol-model.js';
import {
  calendarCheck, checkedGrid, quotedSpanGrid, sviButterflyCheck, sviTotalVarianceAt,
  type ArbitrageGrid, type CalendarCheck, type SviButterflyCheck, type SviParams,
} from './svi.js';
import type { FitResultBase, LossFunction, MarketArgs } from './types.js';
import { robustOptions, usableQuotes } from './svi.js';
import { checkedQuality, fitQuality, type BoundHit, type FitQuality, type QualityThresholds } from './fit-quality.js';

/** The SSVI curvature function phi(theta) (Gatheral & Jacquier 2014, section 4). */
export type SsviPhi = 'powerLaw' | 'hestonLike';

/**
 * SSVI surface parameters: w(k, theta_t) = theta_t / 2 (1 + rho phi k + sqrt((phi k + rho)^2 + 1 - rho^2)).
 * Power law: phi(theta) = eta theta^-gamma (1 + theta)^(gamma - 1) (GJ eq. 4.5);
 * Heston-like: phi(theta) = 1/(lambda theta) (1 - (1 - e^(-lambda theta)) / (lambda theta)) (GJ eq. 4.4).
 */
export interface SsviParams {
  rho: number;
  eta?: number;
  gamma?: number;
  lambda?: number;
  /** ATM total variance theta_t per slice (ascending expiries). */
  thetas: Float64Array;
  expiries: Float64Array;
}

/** Arguments of `engine.fitSsvi`. */
export interface FitSsviArgs extends MarketArgs {
  /** Default 'powerLaw'. */
  phi?: SsviPhi;
  /** Starting point (thetas default to the market's ATM total variances). */
  initial?: { rho?: number; eta?: number; gamma?: number; lambda?: number; thetas?: ArrayLike<number> };
  extraStarts?: number;
  global?: GlobalStage;
  /** Grid of each slice's butterfly check. Default: the slice's k range widened by 0.5 on each side. */
  arbitrageGrid?: ArbitrageGrid;
  /** Grid of the calendar check between consecutive slices; default as in `fitSvi` (`arbitrageGrid` if given, else the pair's quoted k span widened by 0.5, 301 points). */
  calendarGrid?: ArbitrageGrid;
  /** Test hook: every internal parameter vector evaluated (see {@link ssviFromInternal}). */
  onEvaluate?: (params: Float64Array, cost: number) => void;
  /** Robust loss of the residuals, as in `fitSvi`. Default 'linear'. */
  loss?: LossFunction;
  /** The loss's soft margin (vol decimals; default 0.01), as in `fitSvi`. */
  lossScale?: number;
  /** Thresholds of the `quality` flags, as in `fitSvi`. */
  quality?: QualityThresholds;
  /**
   * A previous fit (or its `params`) to start LM from: same `phi` and the same number of expiries;
   * no `initial`, `extraStarts` or `global` beside it (InputError).
   */
  warmStart?: FitSsviResult | SsviParams;
}

const FIT_SSVI_KEYS = [
  ...MARKET_KEYS, 'phi', 'initial', 'extraStarts', 'global', 'arbitrageGrid', 'calendarGrid', 'onEvaluate', 'loss', 'lossScale', 'quality', 'warmStart',
] as const satisfies readonly (keyof FitSsviArgs)[];

const SSVI_INITIAL_KEYS = ['rho', 'eta', 'gamma', 'lambda', 'thetas'] as const satisfies readonly (keyof NonNullable<FitSsviArgs['initial']>)[];

/** One slice of an SSVI fit. */
export interface SsviSliceFit {
  expiry: number;
  theta: number;
  phi: number;
  quotes: number;
  rmse: number;
  maxAbsError: number;
  /** Fraction of the slice's quotes within [bid, ask]; NaN without bids and asks. */
  insideBidAsk: number;
  /** The slice as raw SVI, checked on a grid (Durrleman's g). */
  svi: SviParams;
  butterfly: SviButterflyCheck;
}

/** Static-arbitrage diagnostics of an SSVI fit (GJ 2014 Theorems 4.1 and 4.2). */
export interface SsviArbitrage {
  /**
   * GJ Theorem 4.1, free of calendar-spread arbitrage: theta_t nondecreasing, theta phi(theta)
   * nondecreasing from slice to slice, and 0 <= d(theta phi)/d theta <= (1 + sqrt(1 - rho^2)) / rho^2 phi(theta)
   * at every fitted theta and midway between consecutive ones.
   */
  calendarFree: boolean;
  /** min over those thetas of (1 + sqrt(1 - rho^2)) / rho^2 phi - d(theta phi)/d theta, and of d(theta phi)/d theta (both >= 0 required). */
  calendarMargin: number;
  /** theta phi (1 + |rho|) < 4 and theta phi^2 (1 + |rho|) <= 4 at every fitted theta. */
  butterflyFree: boolean;
  /** max over slices of theta phi (1 + |rho|) (< 4 required) and theta phi^2 (1 + |rho|) (<= 4). */
  maxThetaPhi: number;
  maxThetaPhi2: number;
  /**
   * The conditions that failed, by name (empty when arbitrage-free): calendar (Theorem 4.1)
   * `'thetaDecreasing'` (theta_t not nondecreasing), `'thetaPhiDecreasing'` (theta phi not
   * nondecreasing), `'thetaPhiSlope'` (d(theta phi)/d theta outside [0, (1 + sqrt(1 - rho^2)) / rho^2 phi]);
   * butterfly (Theorem 4.2) `'thetaPhiWing'` (theta phi (1 + |rho|) >= 4), `'thetaPhi2Wing'`
   * (theta phi^2 (1 + |rho|) > 4).
   */
  failed: ('thetaDecreasing' | 'thetaPhiDecreasing' | 'thetaPhiSlope' | 'thetaPhiWing' | 'thetaPhi2Wing')[];
}

/** Result of `engine.fitSsvi`. */
export interface FitSsviResult extends FitResultBase {
  phi: SsviPhi;
  params: SsviParams;
  slices: SsviSliceFit[];
  arbitrage: SsviArbitrage;
  /** The fitted slices compared on a grid, as `fitSvi` does (see {@link FitSsviArgs.calendarGrid}). */
  calendar: CalendarCheck;
  /** Theorem 4.1 and 4.2 conditions hold and the grid calendar check passes. */
  arbitrageFree: boolean;
  /** Internal coordinates that ended on (or within `quality.boundTolerance` of) a bound: 'rho', 'u', 'gamma', 'dTheta[s]' (theta_s - theta_{s-1}). */
  atBounds: string[];
  /** The same, with side, value and bound (internal coordinates). */
  boundHits: BoundHit[];
  /** Flags of the surface fit (butterflyArbitrage / calendarArbitrage from `arbitrage` and the grid check). */
  quality: FitQuality;
}

/**
 * The internal parametrisation the optimizer sees, which turns GJ's sufficient no-arbitrage
 * conditions into box bounds: y = [rho, u, gamma, d_0, ..., d_{S-1}] with
 * theta_s = d_0 + ... + d_s (d >= 0: theta nondecreasing, no calendar arbitrage) and
 * power law eta = 2 u / (1 + |rho|), u in (0, 1] (eta (1 + |rho|) <= 2 with gamma in (0, 1/2]:
 * free of static arbitrage, GJ Corollary 4.1 / Remark 4.4), or Heston-like
 * lambda = (1 + |rho|) / 4 + u, u >= 0 (GJ Corollary 4.1: lambda >= (1 + |rho|) / 4).
 * Returns the natural vector x = [rho, eta | lambda, gamma | 0, theta_0..theta_{S-1}] and, if
 * asked, the partials d eta/d rho and d eta/d u (dLambda likewise).
 * @param y the internal vector, length 3 + S.
 * @param x output: overwritten with the natural vector (a Float64Array of y's length; may be y itself).
 * @throws InputError naming `y` or `y[i]` (not an array of at least 3 numbers), `phi` (not
 *   'powerLaw' or 'hestonLike'), `x` or `x.length` (not a Float64Array of y's length); nothing
 *   is written to x then.
 */
export function ssviFromInternal(y: ArrayLike<number>, phi: SsviPhi, x: Float64Array): { dRho: number; dU: number } {
  requireNumberArray(y, 'y', 3, MAX_ARGUMENT_LENGTH);
  if (phi !== 'powerLaw' && phi !== 'hestonLike') throw new InputError('phi', phi, "'powerLaw' or 'hestonLike'");
  if (!(x instanceof Float64Array)) throw new InputError('x', x, 'a Float64Array (the output)');
  if (x.length !== y.length) throw new InputError('x.length', x.length, `y.length = ${y.length}`);
  return ssviToNatural(y, phi, x);
}

/** {@link ssviFromInternal} without the argument checks (the fit's hot path). */
function ssviToNatural(y: ArrayLike<number>, phi: SsviPhi, x: Float64Array): { dRho: number; dU: number } {
  const S = x.length - 3;
  const rho = y[0], u = y[1];
  const a = 1 + Math.abs(rho);
  const sgn = rho > 0 ? 1 : rho < 0 ? -1 : 0;
  x[0] = rho;
  let dRho: number, dU: number;
  if (phi === 'powerLaw') {
    x[1] = (2 * u) / a;
    dRho = (-2 * u * sgn) / (a * a);
    dU = 2 / a;
    x[2] = y[2];
  } else {
    x[1] = a / 4 + u;
    dRho = sgn / 4;
    dU = 1;
    x[2] = 0;
  }
  let theta = 0;
  for (let s = 0; s < S; s++) {
    theta += y[3 + s];
    x[3 + s] = theta;
  }
  return { dRho, dU };
}

function phiOf(phi: SsviPhi, x: ArrayLike<number>, theta: number): number {
  return phi === 'powerLaw' ? x[1] * Math.pow(theta, -x[2]) * Math.pow(1 + theta, x[2] - 1) : hestonPhi(x[1] * theta) ;
}

/**
 * d(theta phi(theta)) / d theta: power law phi (1 - gamma) / (1 + theta); Heston-like, with
 * u = lambda theta and phi = psi(u), psi(u) + u psi'(u).
 */
function thetaPhiSlope(phi: SsviPhi, x: ArrayLike<number>, theta: number): number {
  if (phi === 'powerLaw') return (phiOf(phi, x, theta) * (1 - x[2])) / (1 + theta);
  const u = x[1] * theta;
  return hestonPhi(u) + u * hestonPhiPrime(u);
}

/**
 * GJ 2014 Theorem 4.1 at the given thetas: 0 <= d(theta phi)/d theta <= (1 + sqrt(1 - rho^2)) / rho^2 phi.
 * Returns the smallest slack (negative: violated; NaN: not computable).
 */
function calendarSlack(phi: SsviPhi, x: ArrayLike<number>, thetas: number[]): number {
  const rho = x[0];
  const bound = rho === 0 ? Infinity : (1 + Math.sqrt(1 - rho * rho)) / (rho * rho);
  let slack = Infinity;
  for (const theta of thetas) {
    const d = thetaPhiSlope(phi, x, theta);
    const upper = bound * phiOf(phi, x, theta);
    const s = Math.min(d, upper - d);
    if (!(s >= slack)) slack = s; // NaN propagates
  }
  return slack;
}

/**
 * An SSVI slice (theta, phi, rho) as raw SVI (Gatheral-Jacquier 2014, section 3 mapping with Delta = mu = 0).
 * theta is ATM total variance (vol^2 x years). Any numbers are accepted (out of domain, e.g.
 * |rho| > 1 or phi = 0, the fields are NaN or infinite).
 * @throws InputError naming `theta`, `phi` or `rho` when it is not a number.
 */
export function ssviSliceAsSvi(theta: number, phi: number, rho: number): SviParams {
  if (typeof theta !== 'number') throw new InputError('theta', theta, 'a number');
  if (typeof phi !== 'number') throw new InputError('phi', phi, 'a number');
  if (typeof rho !== 'number') throw new InputError('rho', rho, 'a number');
  return { a: (theta / 2) * (1 - rho * rho), b: (theta * phi) / 2, rho, m: -rho / phi, sigma: Math.sqrt(1 - rho * rho) / phi };
}

/**
 * Fit an SSVI surface to every quote at once: one rho and phi for the surface, one ATM total
 * variance per expiry, by box-constrained Levenberg-Marquardt in the parametrisation of
 * {@link ssviFromInternal} (so the fitted surface satisfies GJ's no-calendar and no-butterfly
 * conditions by construction), with the analytic Jacobian of the `ssviEvaluate` kernel.
 * @throws InputError for a malformed call.
 */
export function fitSsvi(ctx: EngineContext, args: FitSsviArgs): FitSsviResult {
  const t0 = now();
  const Q = prepareQuotes(ctx, args, FIT_SSVI_KEYS);
  const phi: SsviPhi = args.phi ?? 'powerLaw';
  if (phi !== 'powerLaw' && phi !== 'hestonLike') throw new InputError('phi', phi, "'powerLaw' or 'hestonLike'");
  const global = checkedGlobalStage(args.global);
  const extraStarts = countOption(args.extraStarts, 0, MAX_EXTRA_STARTS, 'extraStarts');
  const userGrid = args.arbitrageGrid === undefined ? undefined : checkedGrid(args.arbitrageGrid, 'arbitrageGrid');
  const calendarGrid = args.calendarGrid === undefined ? undefined : checkedGrid(args.calendarGrid, 'calendarGrid');
  const onEvaluate = optionalFunction(args.onEvaluate, 'onEvaluate');
  const robust = robustOptions(args, Q.objective);
  const thresholds = checkedQuality(args.quality, Q.objective);
  const warm = args.warmStart === undefined ? undefined : warmSsviInitial(args.warmStart, phi, Q.slices.length);
  if (warm !== undefined) {
    if (args.extraStarts) throw new InputError('extraStarts', args.extraStarts, '0 or absent with warmStart (a warm start runs LM from the previous fit only)');
    if (global) throw new InputError('global', args.global, 'absent with warmStart');
    if (args.initial !== undefined) throw new InputError('initial', args.initial, 'absent with warmStart');
  }
  const init = warm ?? checkedSsviInitial(args.initial, Q.slices.length, phi);
  const S = Q.slices.length;
  const np = 3 + S;
  // The Jacobian is quotes x (3 + expiries) doubles: refuse a size that cannot be allocated (1 GiB).
  if (Q.n * np > 2 ** 27) throw new InputError('quotes.expiries', args.quotes.expiries, `at most ${Math.floor(2 ** 27 / Q.n) - 3} distinct expiries for ${Q.n} quotes (the SSVI Jacobian is quotes x (3 + expiries))`);
  const thetaMkt = marketThetas(Q);
  const evaluator = ssviEvaluator(ctx, Q, phi);
  const all = Int32Array.from({ length: Q.n }, (_, i) => i);
  const fit = calibrate(ctx, volModel(ssviInternalNames(S), evaluator, () => ssviBox(phi, init, thetaMkt)), { Q, indices: all }, {
    fixed: phi === 'hestonLike' ? ['gamma'] : undefined, extraStarts: warm ? 0 : extraStarts, global: warm ? undefined : global, globalStart: 'first', weights: Float64Array.from(Q.weights),
    maxIterations: args.maxIterations ?? 200, tolerance: args.tolerance ?? 1e-10, jacobian: args.jacobian, onEvaluate,
    ...(robust.loss === 'linear' ? {} : robust), quality: { boundTolerance: thresholds.boundTolerance },
  });
  const model = new Float64Array(Q.n);
  evaluator(fit.params, model, null);
  const residuals = new Float64Array(Q.n).fill(NaN);
  const stats = fitStatistics(ctx, Q, all, model, residuals);
  const xf = new Float64Array(np);
  ssviToNatural(fit.params, phi, xf);
  const { slices, spans } = ssviSlices(ctx, Q, phi, xf, model, userGrid);
  const arbitrage = ssviArbitrage(phi, xf);
  const calendar = calendarCheck(
    slices.map((x) => (k: number) => sviTotalVarianceAt(x.svi, k).w),
    spans.slice(1).map((b, i) => calendarGrid ?? userGrid ?? quotedSpanGrid(spans[i], b, 0.5)),
  );
  const params: SsviParams = { rho: xf[0], thetas: xf.slice(3), expiries: Float64Array.from(Q.slices, (x) => x.expiry) };
  if (phi === 'powerLaw') {
    params.eta = xf[1];
    params.gamma = xf[2];
  } else params.lambda = xf[1];
  const quality = fitQuality({
    reason: fit.reason, rmse: stats.rmse, insideBidAsk: stats.insideBidAsk, quotes: usableQuotes(Q, all),
    freeParams: np - (phi === 'hestonLike' ? 1 : 0), boundHits: fit.boundHits,
    butterflyFree: arbitrage.butterflyFree && slices.every((x) => x.butterfly.durrlemanFree),
    calendarFree: arbitrage.calendarFree && calendar.arbitrageFree,
  }, thresholds);
  return {
    phi, params, reason: fit.reason, iterations: fit.iterations, ...stats, residuals, elapsedMs: now() - t0, slices,
    arbitrage, calendar, arbitrageFree: arbitrage.calendarFree && arbitrage.butterflyFree && calendar.arbitrageFree,
    atBounds: fit.atBounds, boundHits: fit.boundHits, quality,
  };
}

/**
 * Names of the internal coordinates y (see {@link ssviFromInternal}), as `atBounds` reports them:
 * 'rho'; 'u' (at its upper bound the power law's eta (1 + |rho|) = 2, the no-arbitrage limit;
 * Heston-like lambda = (1 + |rho|) / 4 + u at 0); 'gamma' (gamma; fixed for Heston-like);
 * 'dTheta[s]' (theta_s - theta_{s-1}; at 0 two slices share their ATM total variance).
 */
export function ssviInternalNames(slices: number): string[] {
  return ['rho', 'u', 'gamma', ...Array.from({ length: slices }, (_, s) => `dTheta[${s}]`)];
}

/** Market ATM total variance per slice: linear interpolation of w in k across 0 (nearest otherwise). */
function marketThetas(Q: PreparedQuotes): number[] {
  return Q.slices.map(({ expiry, indices }) => {
    let lo = -1, hi = -1;
    for (const i of indices) {
      if (!(Q.weights[i] > 0)) continue;
      const k = Q.logMoneyness[i];
      if (k <= 0 && (lo < 0 || k > Q.logMoneyness[lo])) lo = i;
      if (k >= 0 && (hi < 0 || k < Q.logMoneyness[hi])) hi = i;
    }
    const w = (i: number) => Q.vols[i] * Q.vols[i] * expiry;
    if (lo >= 0 && hi >= 0 && hi !== lo) {
      const kl = Q.logMoneyness[lo], kh = Q.logMoneyness[hi];
      return w(lo) + ((w(hi) - w(lo)) * (0 - kl)) / (kh - kl);
    }
    return lo >= 0 ? w(lo) : hi >= 0 ? w(hi) : 0.04 * expiry;
  });
}

/**
 * The start (from `initial`, else rho -0.3, eta 0.5 / lambda 1 above its floor, gamma 0.3, the
 * market thetas made nondecreasing) and the box of the internal coordinates.
 */
function ssviBox(phi: SsviPhi, init: ReturnType<typeof checkedSsviInitial>, thetaMkt: number[]): ParameterBox {
  const S = thetaMkt.length, np = 3 + S;
  const y0 = new Float64Array(np);
  y0[0] = init.rho ?? -0.3;
  if (phi === 'powerLaw') {
    y0[1] = init.eta !== undefined ? (init.eta * (1 + Math.abs(y0[0]))) / 2 : 0.5;
    y0[2] = init.gamma ?? 0.3;
  } else {
    y0[1] = init.lambda !== undefined ? Math.max(0, init.lambda - (1 + Math.abs(y0[0])) / 4) : 1;
    y0[2] = 0;
  }
  const th = init.thetas ?? thetaMkt;
  let prev = 0;
  th.forEach((t, s) => {
    const c = Math.max(t, prev, 1e-8);
    y0[3 + s] = c - prev;
    prev = c;
  });
  const lower = new Float64Array(np), upper = new Float64Array(np);
  lower[0] = -0.999;
  upper[0] = 0.999;
  if (phi === 'powerLaw') {
    lower[1] = 1e-4;
    upper[1] = 1;
    lower[2] = 0.01;
    upper[2] = 0.5;
  } else {
    lower[1] = 0;
    upper[1] = 200;
    lower[2] = 0;
    upper[2] = 0;
  }
  const thetaMax = thetaMkt.reduce((mx, t) => Math.max(mx, t), 1e-6) * 4; // no spread: S can be large
  for (let s = 0; s < S; s++) {
    lower[3 + s] = s === 0 ? 1e-8 : 0;
    upper[3 + s] = thetaMax;
  }
  return { initial: y0, lower, upper };
}

/**
 * Model vols of every quote and their Jacobian in the internal coordinates: one `ssviEvaluate`
 * kernel call in the natural parameters, then the chain rule through {@link ssviFromInternal}
 * (theta_s is a cumulative sum of d, so its column is a suffix sum).
 */
function ssviEvaluator(ctx: EngineContext, Q: PreparedQuotes, phi: SsviPhi): VolEvaluator {
  const S = Q.slices.length, np = 3 + S;
  const sliceOf = new Int32Array(Q.n);
  Q.slices.forEach(({ indices }, s) => indices.forEach((i) => (sliceOf[i] = s)));
  const K = calibrationKernels(ctx);
  const kCol = Float64Array.from(Q.logMoneyness), tCol = Float64Array.from(Q.expiries);
  const x = new Float64Array(np);
  const jNat = new Float64Array(Q.n * np);
  const phiKind = phi === 'powerLaw' ? 0 : 1;
  return (y, out, jac) => {
    const { dRho, dU } = ssviToNatural(y, phi, x);
    callKernel(ctx, 'ssviEvaluate', [kCol, tCol, sliceOf, x], [out, jac ? jNat : null], (i, o) =>
      K.ssviEvaluate(Q.n, i[0], i[1], i[2], S, phiKind, i[3], 0, o[0], o[1]));
    if (!jac) return;
    for (let r = 0; r < Q.n; r++) {
      const row = r * np;
      jac[row] = jNat[row] + jNat[row + 1] * dRho;
      jac[row + 1] = jNat[row + 1] * dU;
      jac[row + 2] = jNat[row + 2];
      let acc = 0;
      for (let s = S - 1; s >= 0; s--) {
        acc += jNat[row + 3 + s];
        jac[row + 3 + s] = acc;
      }
    }
  };
}

/** Per-slice reports of a fitted surface (natural parameters xf) and each slice's quoted k span. */
function ssviSlices(ctx: EngineContext, Q: PreparedQuotes, phi: SsviPhi, xf: Float64Array, model: Float64Array, userGrid: Required<ArbitrageGrid> | undefined):
  { slices: SsviSliceFit[]; spans: [number, number][] } {
  const rho = xf[0];
  const spans: [number, number][] = [];
  const slices = Q.slices.map(({ expiry, indices }, s) => {
    const theta = xf[3 + s];
    const ph = phiOf(phi, xf, theta);
    const modelSlice = Float64Array.from(indices, (i) => model[i]);
    const scratch = new Float64Array(Q.n);
    const st = fitStatistics(ctx, Q, indices, modelSlice, scratch);
    let kLo = Infinity, kHi = -Infinity;
    for (const i of indices) {
      kLo = Math.min(kLo, Q.logMoneyness[i]);
      kHi = Math.max(kHi, Q.logMoneyness[i]);
    }
    // The calendar grid spans quoted (weight > 0) moneyness only, as in fitSvi.
    let qLo = Infinity, qHi = -Infinity;
    for (const i of indices) {
      if (!(Q.weights[i] > 0)) continue;
      qLo = Math.min(qLo, Q.logMoneyness[i]);
      qHi = Math.max(qHi, Q.logMoneyness[i]);
    }
    spans.push(qLo <= qHi ? [qLo, qHi] : [kLo, kHi]);
    const svi = ssviSliceAsSvi(theta, ph, rho);
    return {
      expiry, theta, phi: ph, quotes: indices.length, ...st, svi,
      butterfly: sviButterflyCheck(svi, userGrid ?? { kMin: kLo - 0.5, kMax: kHi + 0.5, points: 301 }),
    };
  });
  return { slices, spans };
}

/** GJ 2014 Theorems 4.1 and 4.2 at the fitted natural parameters xf. */
function ssviArbitrage(phi: SsviPhi, xf: Float64Array): SsviArbitrage {
  const S = xf.length - 3, rho = xf[0];
  let maxThetaPhi = 0, maxThetaPhi2 = 0, calendarFree = true;
  const failed = new Set<SsviArbitrage['failed'][number]>();
  for (let s = 0; s < S; s++) {
    const theta = xf[3 + s];
    const ph = phiOf(phi, xf, theta);
    maxThetaPhi = Math.max(maxThetaPhi, theta * ph * (1 + Math.abs(rho)));
    maxThetaPhi2 = Math.max(maxThetaPhi2, theta * ph * ph * (1 + Math.abs(rho)));
    if (s > 0 && theta < xf[2 + s]) {
      calendarFree = false;
      failed.add('thetaDecreasing');
    }
    if (s > 0 && theta * ph < xf[2 + s] * phiOf(phi, xf, xf[2 + s]) * (1 - 1e-12)) {
      calendarFree = false;
      failed.add('thetaPhiDecreasing');
    }
  }
  // GJ Theorem 4.1's slope condition at every fitted theta and midway between consecutive ones.
  const thetaPoints: number[] = [];
  for (let s = 0; s < S; s++) {
    thetaPoints.push(xf[3 + s]);
    if (s + 1 < S) thetaPoints.push(0.5 * (xf[3 + s] + xf[4 + s]));
  }
  const calendarMargin = calendarSlack(phi, xf, thetaPoints);
  const phiScale = thetaPoints.reduce((mx, t) => Math.max(mx, phiOf(phi, xf, t)), 1);
  if (!(calendarMargin >= -1e-12 * phiScale)) {
    calendarFree = false;
    failed.add('thetaPhiSlope');
  }
  if (!(maxThetaPhi < 4)) failed.add('thetaPhiWing');
  if (!(maxThetaPhi2 <= 4 * (1 + 1e-12))) failed.add('thetaPhi2Wing');
  const order = ['thetaDecreasing', 'thetaPhiDecreasing', 'thetaPhiSlope', 'thetaPhiWing', 'thetaPhi2Wing'] as const;
  return {
    calendarFree, calendarMargin, butterflyFree: maxThetaPhi < 4 && maxThetaPhi2 <= 4 * (1 + 1e-12), maxThetaPhi, maxThetaPhi2,
    failed: order.filter((f) => failed.has(f)),
  };
}

/**
 * The start of a warm SSVI fit from a previous result or its params.
 * @throws InputError naming `warmStart` (not a fit of this phi and number of expiries).
 */
function warmSsviInitial(v: unknown, phi: SsviPhi, S: number): ReturnType<typeof checkedSsviInitial> {
  if (v === null || typeof v !== 'object') throw new InputError('warmStart', v, 'a FitSsviResult or its SsviParams');
  const p = ('params' in v && 'arbitrage' in v ? (v as FitSsviResult).params : v) as SsviParams;
  if (p === null || typeof p !== 'object' || !(p.thetas instanceof Float64Array || Array.isArray(p.thetas))) throw new InputError('warmStart', v, 'a FitSsviResult or its SsviParams');
  if (p.thetas.length !== S) throw new InputError('warmStart.thetas', p.thetas, `${S} ATM total variances (one per expiry of these quotes)`);
  const fromPhi = p.lambda !== undefined ? 'hestonLike' : 'powerLaw';
  if (fromPhi !== phi) throw new InputError('warmStart', v, `a fit with phi '${phi}'`);
  return checkedSsviInitial(phi === 'powerLaw' ? { rho: p.rho, eta: p.eta, gamma: p.gamma, thetas: p.thetas } : { rho: p.rho, lambda: p.lambda, thetas: p.thetas }, S, phi);
}

/** `initial` of fitSsvi checked: finite numbers, thetas one per slice. */
function checkedSsviInitial(v: unknown, S: number, phi: SsviPhi): { rho?: number; eta?: number; gamma?: number; lambda?: number; thetas?: number[] } {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError('initial', v, '{ rho?, eta?, gamma?, lambda?, thetas? }');
  checkKeys(v, SSVI_INITIAL_KEYS, 'initial');
  const o = v as Record<string, unknown>;
  // A start for the other phi's parameters would be dropped: say so instead.
  for (const name of phi === 'powerLaw' ? ['lambda'] : ['eta', 'gamma']) {
    if (o[name] !== undefined) throw new InputError(`initial.${name}`, o[name], `absent with phi '${phi}'`);
  }
  for (const name of ['rho', 'eta', 'gamma', 'lambda'] as const) {
    const x = o[name];
    if (x !== undefined && (typeof x !== 'number' || !Number.isFinite(x))) throw new InputError(`initial.${name}`, x, 'a finite number');
  }
  const out = { rho: o.rho as number | undefined, eta: o.eta as number | undefined, gamma: o.gamma as number | undefined, lambda: o.lambda as number | undefined } as ReturnType<typeof checkedSsviInitial>;
  if (o.thetas !== undefined) {
    const t = o.thetas as ArrayLike<unknown>;
    if (t === null || typeof t !== 'object' || t.length !== S || S > MAX_QUOTES) throw new InputError('initial.thetas', o.thetas, `${S} ATM total variances (one per expiry)`);
    out.thetas = [];
    for (let s = 0; s < S; s++) {
      const x = t[s];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(`initial.thetas[${s}]`, x, 'a finite number');
      out.thetas.push(x);
    }
  }
  return out;
}
