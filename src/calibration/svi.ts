import type { EngineContext } from '../context.js';
import { scanSviButterfly } from '../math/svi-butterfly-scan.js';
import { InputError } from '../errors.js';
import { callKernel, calibrationKernels } from './kernel-call.js';
import { KernelError } from '../errors.js';
import { columnBytes } from '../memory-arena.js';
import { leanBoxOk, leanSliceFitCount, leanSliceRun, leanWorkspace, LeanWorkspaces, type LeanBox, type LeanWorkspace } from './lean-slice-fit.js';
import { checkKeys } from '../option-keys.js';
import { requireNumberArray } from '../arguments.js';
import { countOption, fitStatistics, MARKET_KEYS, optionalFunction, prepareQuotes, worstReason, type PreparedQuotes, type VolEvaluator } from './quotes.js';
import { now } from '../clock.js';
import { boundsArrays, calibrate, checkedGlobalStage, fixedMaskOf, MAX_EXTRA_STARTS, type CalibrateOptions, type GlobalStage, type PenaltyTerm } from './calibrate.js';
import { volModel } from './vol-model.js';
import type { EndReason, FitResultBase, LossFunction, MarketArgs } from './types.js';
import { enumOption } from '../batch-inputs.js';
import { boundHits, checkedQuality, combinedQuality, fitQuality, type BoundHit, type FitQuality, type QualityThresholds } from './fit-quality.js';

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

function sviToArray(p: SviParams): Float64Array {
  return Float64Array.of(p.a, p.b, p.rho, p.m, p.sigma);
}

function sviFromArray(v: ArrayLike<number>): SviParams {
  return { a: v[0], b: v[1], rho: v[2], m: v[3], sigma: v[4] };
}

/**
 * The check of an SviParams argument of the public scalar functions: an object whose five fields
 * are numbers (any numbers: out-of-domain ones give NaN where documented) and that has no other
 * key. Written out field by field, with no allocation, so it costs a few ns per call (the generic
 * keyed version measured ten times that).
 * @throws InputError naming `path`, `path.<name>` (not a number) or `path.<key>` (an unknown key).
 */
function requireSviParams(p: unknown, path: string): void {
  if (p === null || typeof p !== 'object') throw new InputError(path, p, 'SviParams { a, b, rho, m, sigma }');
  const q = p as Record<string, unknown>;
  if (typeof q.a !== 'number' || typeof q.b !== 'number' || typeof q.rho !== 'number' || typeof q.m !== 'number' || typeof q.sigma !== 'number') {
    if (Array.isArray(p) || ArrayBuffer.isView(p)) throw new InputError(path, p, 'SviParams { a, b, rho, m, sigma }');
    for (const name of SVI_PARAM_NAMES) if (typeof q[name] !== 'number') throw new InputError(`${path}.${name}`, q[name], 'a number');
  }
  // for-in also walks inherited enumerable keys: on a miss, checkKeys (own keys) decides.
  for (const key in q) if (key !== 'a' && key !== 'b' && key !== 'rho' && key !== 'm' && key !== 'sigma') checkKeys(q, SVI_PARAM_NAMES, path);
}

/**
 * w(k) and its first two derivatives in k.
 * w is total implied variance (vol^2 x years) at log-moneyness k = ln(K / F).
 * Any numbers are accepted (out-of-domain ones give NaN or a negative w).
 * @throws InputError naming `p`, `p.<name>` (not a number, or an unknown key) or `k` (not a number).
 */
export function sviTotalVariance(p: SviParams, k: number): { w: number; dw: number; d2w: number } {
  requireSviParams(p, 'p');
  if (typeof k !== 'number') throw new InputError('k', k, 'a number');
  return sviTotalVarianceAt(p, k);
}

/** {@link sviTotalVariance} without the argument checks. @internal for checked callers' loops. */
export function sviTotalVarianceAt(p: SviParams, k: number): { w: number; dw: number; d2w: number } {
  const d = k - p.m;
  const q = Math.sqrt(d * d + p.sigma * p.sigma);
  return { w: p.a + p.b * (p.rho * d + q), dw: p.b * (p.rho + d / q), d2w: (p.b * p.sigma * p.sigma) / (q * q * q) };
}

/**
 * Durrleman's function g(k) = (1 - k w'/(2w))^2 - w'^2/4 (1/w + 1/4) + w''/2 (Gatheral & Jacquier
 * 2014, eq. 2.1): the risk-neutral density is proportional to g, so a slice is free of butterfly
 * arbitrage iff g >= 0 (and w > 0) everywhere. NaN where w <= 0 (or w is NaN).
 * @throws InputError naming `p`, `p.<name>` (not a number, or an unknown key) or `k` (not a number).
 */
export function sviDurrlemanG(p: SviParams, k: number): number {
  requireSviParams(p, 'p');
  if (typeof k !== 'number') throw new InputError('k', k, 'a number');
  return durrlemanG(p, k);
}

function durrlemanG(p: SviParams, k: number): number {
  // sviTotalVarianceAt written out: the butterfly check calls this on every grid point of every
  // fit, and the returned object was most of a warm refit's garbage.
  const d = k - p.m;
  const q = Math.sqrt(d * d + p.sigma * p.sigma);
  const w = p.a + p.b * (p.rho * d + q), dw = p.b * (p.rho + d / q), d2w = (p.b * p.sigma * p.sigma) / (q * q * q);
  if (!(w > 0)) return NaN;
  const t = 1 - (k * dw) / (2 * w);
  return t * t - ((dw * dw) / 4) * (1 / w + 0.25) + d2w / 2;
}

/** The log-moneyness grid of a butterfly or calendar check: `points` equally spaced k in [kMin, kMax]. */
export interface ArbitrageGrid {
  /** Default -1.5. */
  kMin?: number;
  /** Default 1.5. */
  kMax?: number;
  /** Default 301; at most {@link MAX_GRID_POINTS}. */
  points?: number;
}

const ARBITRAGE_GRID_KEYS = ['kMin', 'kMax', 'points'] as const satisfies readonly (keyof ArbitrageGrid)[];

/** Most points of one arbitrage-check grid. */
export const MAX_GRID_POINTS = 1_000_000;

/**
 * A checked grid with its defaults filled in.
 * @throws InputError naming `path` (or `path.kMin`, ...) unless kMin < kMax are finite and points
 *   is an integer in [2, MAX_GRID_POINTS], or for an unknown key.
 */
export function checkedGrid(grid: unknown, path: string, def: Required<ArbitrageGrid> = { kMin: -1.5, kMax: 1.5, points: 301 }): Required<ArbitrageGrid> {
  if (grid === undefined) return def;
  if (grid === null || typeof grid !== 'object' || Array.isArray(grid)) throw new InputError(path, grid, '{ kMin?, kMax?, points? }');
  checkKeys(grid, ARBITRAGE_GRID_KEYS, path);
  const g = grid as ArbitrageGrid;
  const kMin = g.kMin ?? def.kMin, kMax = g.kMax ?? def.kMax, points = g.points ?? def.points;
  if (typeof kMin !== 'number' || !Number.isFinite(kMin)) throw new InputError(`${path}.kMin`, kMin, 'a finite number');
  if (typeof kMax !== 'number' || !Number.isFinite(kMax) || !(kMax > kMin)) throw new InputError(`${path}.kMax`, kMax, `a finite number > kMin = ${kMin}`);
  if (typeof points !== 'number' || !Number.isInteger(points) || points < 2 || points > MAX_GRID_POINTS) throw new InputError(`${path}.points`, points, `an integer in [2, ${MAX_GRID_POINTS}]`);
  return { kMin, kMax, points };
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
  /** Durrleman's g >= 0 and w > 0 at every grid point. */
  durrlemanFree: boolean;
  /** Lee's wing bound b (1 + |rho|) <= 2 holds (to 1e-12 relative: a fit at the cap passes). */
  leeWingFree: boolean;
  /** The checks that failed, by name: `'durrleman'` (g < 0 or w <= 0 on the grid), `'leeWing'`. Empty when arbitrage-free. */
  failed: ('durrleman' | 'leeWing')[];
}

/** Lee's moment bound on the wing slope of total variance in log-moneyness: b (1 + |rho|) <= 2. */
export const LEE_WING_BOUND = 2;

/** Relative slack of the Lee check: a fit placed at the cap by the parametrisation may round 1 ulp above it. */
const LEE_TOLERANCE = 1e-12;

/**
 * Durrleman's g on a uniform grid, and Lee's wing bound.
 * @throws InputError naming `p` or `p.<name>` unless p is SviParams with number fields; (path
 *   `grid...`) unless grid.kMin < grid.kMax are finite and grid.points is an integer in [2, 1e6].
 */
export function sviButterflyCheck(p: SviParams, grid: ArbitrageGrid = {}): SviButterflyCheck {
  requireSviParams(p, 'p');
  const { kMin, kMax, points } = checkedGrid(grid, 'grid');
  return butterflyOnGrid(p, kMin, kMax, points);
}

/** {@link sviButterflyCheck} on a checked grid. */
function butterflyOnGrid(p: SviParams, kMin: number, kMax: number, points: number): SviButterflyCheck {
  // The JS kernel's own loop (the same expressions as the sviButterflyGrid kernel, so the same bits).
  scanSviButterfly(p.a, p.b, p.rho, p.m, p.sigma, kMin, kMax, points, BUTTERFLY_SCAN, 0);
  return butterflyResult(p, kMin, kMax, points, BUTTERFLY_SCAN[0], BUTTERFLY_SCAN[1], BUTTERFLY_SCAN[2]);
}

/** Scratch of {@link butterflyOnGrid}: smallest g, its first index, the count of g < 0. */
const BUTTERFLY_SCAN = new Float64Array(3);

/**
 * {@link butterflyOnGrid} with the grid scanned by the engine's `sviButterflyGrid` kernel (two
 * grid points per f64x2 on WASM; the same bits as the loop): a fit checks 301 points per slice,
 * which in JavaScript cost about a tenth of a 25-quote fit.
 */
function butterflyOnGridKernel(ctx: EngineContext, p: SviParams, kMin: number, kMax: number, points: number): SviButterflyCheck {
  const { arena } = ctx;
  arena.reset();
  arena.reserve(40 + 24 + 32);
  const pp = arena.alloc(40), po = arena.alloc(24);
  let f64 = arena.views.f64;
  const bp = pp >>> 3;
  f64[bp] = p.a;
  f64[bp + 1] = p.b;
  f64[bp + 2] = p.rho;
  f64[bp + 3] = p.m;
  f64[bp + 4] = p.sigma;
  const rc = calibrationKernels(ctx).sviButterflyGrid(pp, kMin, kMax, points, po);
  if (rc !== 0) throw new KernelError('sviButterflyGrid', rc);
  f64 = arena.views.f64;
  const bo = po >>> 3;
  return butterflyResult(p, kMin, kMax, points, f64[bo], f64[bo + 1], f64[bo + 2]);
}

/** The check from a grid scan: min g, its first index (-1 for none) and the count of g < 0. */
function butterflyResult(p: SviParams, kMin: number, kMax: number, points: number, minG: number, at: number, negative: number): SviButterflyCheck {
  const kAt = at >= 0 ? kMin + ((kMax - kMin) * at) / (points - 1) : NaN;
  const wingSlope = p.b * (1 + Math.abs(p.rho));
  const durrlemanFree = negative === 0;
  const leeWingFree = wingSlope <= LEE_WING_BOUND * (1 + LEE_TOLERANCE);
  const failed: SviButterflyCheck['failed'] = [];
  if (!durrlemanFree) failed.push('durrleman');
  if (!leeWingFree) failed.push('leeWing');
  return { minG, kAtMinG: kAt, negativePoints: negative, arbitrageFree: durrlemanFree && leeWingFree, wingSlope, durrlemanFree, leeWingFree, failed };
}

/**
 * A point of a calendar-spread arbitrage: total variance at the longer expiry below the shorter
 * one's at the same log forward-moneyness k = ln(K / F_T) (each slice against its own forward).
 */
export interface CalendarViolation {
  /** The pair of slices (expiryIndex, expiryIndex + 1), ascending expiry. */
  expiryIndex: number;
  /** Log forward-moneyness ln(K / F_T). */
  k: number;
  /** Total variance (vol^2 x years) of the shorter and the longer slice at k. */
  wShort: number;
  wLong: number;
}

/**
 * Calendar-spread arbitrage between consecutive slices: w(k, T_{i+1}) >= w(k, T_i) at every k of
 * the grid (Gatheral & Jacquier 2014, Lemma 2.1: total variance nondecreasing in T at fixed
 * forward-moneyness; with forwards differing by expiry this is the condition for call prices
 * in forward units). A point counts as a violation when w_long < w_short (1 - 1e-12) (rounding
 * of the two slice evaluations is far smaller), or either is not finite.
 */
export interface CalendarCheck {
  /** No violation on any pair's grid. */
  arbitrageFree: boolean;
  /** Grid points compared, over every consecutive pair. */
  checkedPoints: number;
  /** Every violating grid point, pair by pair, ascending k. */
  violations: CalendarViolation[];
  /** The violation with the largest w_short - w_long (null when there is none). */
  worst: CalendarViolation | null;
  /** The grid of each pair (expiryIndex = position). */
  grids: Required<ArbitrageGrid>[];
}

/** Relative tolerance of the calendar comparison (see {@link CalendarCheck}). */
const CALENDAR_TOLERANCE = 1e-12;

/**
 * Calendar check of total-variance slices given as functions w_i(k), ascending expiry, on one
 * grid per consecutive pair.
 * @internal shared by SVI and SSVI.
 */
export function calendarCheck(w: ((k: number) => number)[], grids: Required<ArbitrageGrid>[]): CalendarCheck {
  const violations: CalendarViolation[] = [];
  let worst: CalendarViolation | null = null;
  let checkedPoints = 0;
  for (let i = 0; i + 1 < w.length; i++) {
    const { kMin, kMax, points } = grids[i];
    for (let j = 0; j < points; j++) {
      const k = kMin + ((kMax - kMin) * j) / (points - 1);
      const wShort = w[i](k), wLong = w[i + 1](k);
      checkedPoints++;
      if (wLong >= wShort - CALENDAR_TOLERANCE * Math.abs(wShort) && Number.isFinite(wShort) && Number.isFinite(wLong)) continue;
      const v = { expiryIndex: i, k, wShort, wLong };
      violations.push(v);
      if (worst === null || !(wShort - wLong <= worst.wShort - worst.wLong)) worst = v;
    }
  }
  return { arbitrageFree: violations.length === 0, checkedPoints, violations, worst, grids };
}

/**
 * Calendar-spread check of SVI slices (ascending expiry, each in its own forward's log-moneyness):
 * w(k, T_{i+1}) >= w(k, T_i) on a grid per consecutive pair; see {@link CalendarCheck}.
 * @param grid one grid for every pair, or one per pair (length = slices - 1). Default: k in [-1.5, 1.5], 301 points.
 * @throws InputError for a malformed grid (path `grid` or `grid[i]`).
 * @example
 * sviCalendarCheck([{ a: 0.01, b: 0.1, rho: 0, m: 0, sigma: 0.1 }, { a: 0.005, b: 0.1, rho: 0, m: 0, sigma: 0.1 }], { kMin: -1, kMax: 1, points: 3 })
 * // { arbitrageFree: false, checkedPoints: 3, violations: [3 points, wShort - wLong = 0.005], ... }
 */
export function sviCalendarCheck(params: readonly SviParams[], grid?: ArbitrageGrid | readonly ArbitrageGrid[]): CalendarCheck {
  if (!Array.isArray(params)) throw new InputError('params', params, 'an array of SviParams, ascending expiry');
  const pairs = Math.max(0, params.length - 1);
  let grids: Required<ArbitrageGrid>[];
  if (Array.isArray(grid)) {
    if (grid.length !== pairs) throw new InputError('grid', grid, `one grid per consecutive pair (${pairs})`);
    grids = grid.map((g, i) => checkedGrid(g, `grid[${i}]`));
  } else {
    const g = checkedGrid(grid, 'grid');
    grids = Array.from({ length: pairs }, () => g);
  }
  const w = params.map((p, i) => {
    const v = checkedSvi(p, `params[${i}]`);
    const q = sviFromArray(v);
    return (k: number) => sviTotalVarianceAt(q, k).w;
  });
  return calendarCheck(w, grids);
}

/** Arguments of `engine.fitSvi`: the common market arguments plus SVI options. */
export interface FitSviArgs extends MarketArgs {
  /** Starting point for every slice (default: a heuristic from the slice's wings). */
  initial?: SviParams | SviParams[];
  /**
   * Box bounds. Defaults from the slice's data (log-moneyness in [kLo, kHi], max total variance
   * wMax): a in [-wMax, wMax], b in [0, 2] (Lee), rho in [-0.999, 0.999], m in [kLo - 1, kHi + 1],
   * sigma in [1e-4, 2]. Lee's wing bound b (1 + |rho|) <= 2 is enforced on top of the box (see
   * `engine.fitSvi`); a lower bound on b above 2 is an InputError.
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
  /**
   * Grid of the calendar check between consecutive slices (k = ln(K / F_T)), the same for every
   * pair. Default: `arbitrageGrid` if given, else per pair the span of both slices' quoted
   * log-moneyness (quotes with weight > 0) widened by 0.5 on each side, 301 points: the same range
   * the butterfly check covers, which is the range the fitted surface is meant to be used on
   * (margin scenarios and risk revalue options outside the quoted strikes).
   */
  calendarGrid?: ArbitrageGrid;
  /** Test hook: every parameter vector evaluated, per slice (raw SVI a, b, rho, m, sigma). */
  onEvaluate?: (slice: number, params: Float64Array, cost: number) => void;
  /**
   * Robust loss of the residuals (see `LossFunction`): `'soft_l1'` or `'huber'` keep one bad
   * quote (a stale bid, a 0.0001 / 0.01 market) from dragging its slice. Default `'linear'`.
   */
  loss?: LossFunction;
  /**
   * The loss's soft margin f, in the residuals' units: vol decimals with the vol objective
   * (default 0.01, one vol point); price units with the price objective (required there with a
   * robust loss).
   */
  lossScale?: number;
  /** Thresholds of the `quality` flags (defaults: rmse 2 vol points, half the quotes inside bid-ask, 2 quotes over the parameters, bound tolerance 1e-6 of the box). */
  quality?: QualityThresholds;
  /**
   * A previous fit (its `params`, one SviParams per slice, or one for all) to start LM from:
   * no heuristic start, no `extraStarts`, no global stage (giving either with a warm start is an
   * InputError). After a few quotes change, the refit lands on the cold fit's minimum when the
   * change is small (see the tests for the tolerance).
   */
  warmStart?: FitSviResult | SviParams | readonly SviParams[];
  /**
   * How slices are tied in time. `'independent'` (default): each slice fitted on its own, the
   * calendar check only reported. `'penalty'`: slices fitted in ascending expiry; a slice whose
   * independent fit lies below the previous (already fitted) slice anywhere on their calendar grid
   * (see `calendarGrid`) is refitted from there with penalty residuals
   * lambda * s * max(0, w_prev(k_j) (1 + 1e-6) - w(k_j)) / w_prev(k_j) on that grid, lambda =
   * {@link SVI_CALENDAR_LAMBDA}, s the slice's weighted RMS residual at its independent fit (so the
   * penalty is in the quotes' own units, vol or price). The 1e-6 relative margin lets the soft
   * penalty land exactly calendar-free. A slice already above its predecessor keeps its independent
   * fit. Not with `warmStart` on the lean path: a warm start with `'penalty'` takes the general
   * path. A violation the penalty cannot clear stays in `calendar` and flags `calendarArbitrage`.
   * The default calendar grid reaches 0.5 beyond the quoted strikes, where a short expiry's wings
   * are extrapolation: on the SPX sample, tying the slices there moved rmse from 0.42 to 6.5 vol
   * points and left crossings; give `calendarGrid` over the quoted range (0.42 to 0.4204, none).
   */
  calendar?: 'independent' | 'penalty';
}

/**
 * Weight lambda of the calendar penalty of `fitSvi({ calendar: 'penalty' })`: a relative
 * shortfall of 1e-6 of total variance at one grid point costs as much as the slice's mean squared
 * quote residual, so crossings go to the 1e-6 margin while a crossing-free move of the slice that
 * costs little rmse exists (on the SPX sample, see test/calibration-svi-calendar.test.ts).
 */
export const SVI_CALENDAR_LAMBDA = 1e6;

/** Relative margin the calendar penalty keeps the longer slice above the shorter one. */
const SVI_CALENDAR_MARGIN = 1e-6;

const FIT_SVI_KEYS = [
  ...MARKET_KEYS, 'initial', 'bounds', 'fixed', 'extraStarts', 'global', 'arbitrageGrid', 'calendarGrid', 'onEvaluate',
  'loss', 'lossScale', 'quality', 'warmStart', 'calendar',
] as const satisfies readonly (keyof FitSviArgs)[];

/** One expiry slice of {@link FitSviResult}. */
export interface SviSliceFit extends FitResultBase {
  expiry: number;
  params: SviParams;
  quotes: number;
  butterfly: SviButterflyCheck;
  /** Free parameters of the slice that ended on (or within `quality.boundTolerance` of) a bound: its box, or for b Lee's cap. */
  atBounds: string[];
  /** The same, with side, value and bound; `constraint: 'leeWing'` for b at Lee's cap 2 / (1 + |rho|). */
  boundHits: BoundHit[];
  /** Flags of this slice (no calendarArbitrage: that is between slices, in the result's `quality`). */
  quality: FitQuality;
}

/** Result of `engine.fitSvi`: per-slice fits plus the overall statistics over every quote. */
export interface FitSviResult extends FitResultBase {
  /** Per slice, ascending expiry. */
  params: SviParams[];
  slices: SviSliceFit[];
  /** Calendar-spread check between consecutive slices (see {@link FitSviArgs.calendarGrid}). */
  calendar: CalendarCheck;
  /** Every slice passes its butterfly check and the calendar check passes. */
  arbitrageFree: boolean;
  /** Parameter names at a bound in any slice (per slice: `slices[i].atBounds`). */
  atBounds: string[];
  /** Every slice's flags, plus calendarArbitrage: ok only when every slice is ok and the surface is calendar-free. */
  quality: FitQuality;
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
 * The buffers of a lean fit (a warm refit, or a cold fit from one start) of an m-quote slice on
 * one engine: the LM workspace and vols, and the slice's scratch columns (log-moneyness, total
 * variance, weights, final model vols: a refit's own, never in its result), made once per
 * (engine, m) and reused by every refit.
 */
interface SviWarmWorkspace extends LeanWorkspace {
  k: Float64Array;
  w: Float64Array;
  weights: Float64Array;
  model: Float64Array;
}

const warmWorkspaces = new LeanWorkspaces<SviWarmWorkspace>((m) => ({
  ...leanWorkspace(m, 5), k: new Float64Array(m), w: new Float64Array(m), weights: new Float64Array(m), model: new Float64Array(m),
}));

/**
 * {@link sviEvaluator} without per-call arrays or closures: the same kernel call on the same
 * inputs (so the same numbers), for the lean path. The slice's log-moneyness stays in the heap
 * between calls: an LM run evaluates 10 to 40 times, and re-placing the columns each time
 * (reset, reserve, four allocations, each reading the heap's size, which on WASM is a call into
 * the engine's `memory.buffer` getter, plus the copy of k) cost more than the 25-quote kernel.
 * The column is re-placed whenever it no longer holds k (another call used the arena in between:
 * every arena user resets it and owns it only during its own synchronous call) or lies below the
 * arena's floor.
 */
function sviLeanEvaluator(ctx: EngineContext, k: Float64Array, expiry: number): VolEvaluator {
  const K = calibrationKernels(ctx);
  const m = k.length;
  const kBytes = columnBytes(m, 8), jBytes = columnBytes(5 * m, 8);
  let pk = -1, pp = 0, po = 0, pj = 0;
  const place = () => {
    const { arena } = ctx;
    arena.reset();
    arena.reserve(2 * kBytes + 48 + jBytes + 64);
    pk = arena.alloc(m * 8);
    pp = arena.alloc(40);
    po = arena.alloc(m * 8);
    pj = arena.alloc(m * 40);
    arena.views.f64.set(k, pk >>> 3);
  };
  return (p, out, jac) => {
    const { arena } = ctx;
    let f64 = arena.views.f64;
    // Below the arena's floor lies memory the arena no longer owns (resident arrays allocated
    // since): re-place there whatever it holds.
    let placed = pk >= arena.floor;
    if (placed) {
      const bk = pk >>> 3;
      for (let i = 0; i < m && placed; i++) placed = f64[bk + i] === k[i];
    }
    if (!placed) {
      place();
      f64 = arena.views.f64;
    }
    const bp = pp >>> 3;
    for (let j = 0; j < 5; j++) f64[bp + j] = p[j];
    const rc = K.sviSliceEvaluate(m, pk, expiry, pp, 0, po, jac ? pj : 0);
    if (rc !== 0) throw new KernelError('sviSliceEvaluate', rc);
    f64 = arena.views.f64;
    const bo = po >>> 3;
    for (let i = 0; i < m; i++) out[i] = f64[bo + i];
    if (jac) {
      const bj = pj >>> 3;
      for (let i = 0; i < 5 * m; i++) jac[i] = f64[bj + i];
    }
  };
}

/** Slices fitted by the lean path in this thread (see lean-slice-fit.ts). @internal */
export { leanSliceFitCount };

/**
 * Lee's wing bound as part of the box: the optimiser sees t in [0, 1] in place of b, with
 * b = bLo + t (U(rho) - bLo), U(rho) = min(bHi, 2 / (1 + |rho|)), so every point it evaluates
 * has bLo <= b <= bHi and b (1 + |rho|) <= 2; rho's box is narrowed to |rho| <= 2 / bLo - 1 so
 * that U(rho) >= bLo. With b fixed the coordinate is b itself and rho's box is narrowed to
 * |rho| <= 2 / b - 1. The map is continuous, smooth except where U switches from bHi to Lee's
 * cap and at rho = 0 (|rho|), like SSVI's own parametrisation.
 * @internal
 */
export interface SviLeeMap {
  /** b is fixed: coordinate 1 is b itself. */
  identity: boolean;
  bLo: number;
  bHi: number;
}

/** U(rho) and dU/drho of {@link SviLeeMap}. */
function leeCap(map: SviLeeMap, rho: number): { U: number; dU: number; lee: boolean } {
  const a = 1 + Math.abs(rho);
  const cap = LEE_WING_BOUND / a;
  if (cap < map.bHi) return { U: cap, dU: rho === 0 ? 0 : (-LEE_WING_BOUND * Math.sign(rho)) / (a * a), lee: true };
  return { U: map.bHi, dU: 0, lee: false };
}

/** Internal y -> natural x (a, b, rho, m, sigma); returns dB/dt and dB/drho. */
function sviLeeToNatural(map: SviLeeMap, y: ArrayLike<number>, x: Float64Array): { dBdT: number; dBdRho: number } {
  x[0] = y[0];
  x[2] = y[2];
  x[3] = y[3];
  x[4] = y[4];
  if (map.identity) {
    x[1] = y[1];
    return { dBdT: 1, dBdRho: 0 };
  }
  const { U, dU } = leeCap(map, y[2]);
  x[1] = map.bLo + y[1] * (U - map.bLo);
  return { dBdT: U - map.bLo, dBdRho: y[1] * dU };
}

/** Natural x -> internal y (t clipped to [0, 1]). */
function sviLeeFromNatural(map: SviLeeMap, x: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(x as ArrayLike<number>);
  if (map.identity) return y;
  const { U } = leeCap(map, x[2]);
  const span = U - map.bLo;
  y[1] = span > 0 ? Math.min(1, Math.max(0, (x[1] - map.bLo) / span)) : 0;
  return y;
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
 * k = ln(K / F), w total implied variance (vol^2 x years), one per k.
 * @throws InputError naming `k` or `k[i]` (not a non-empty array of numbers), `w`, `w.length` or `w[i]`.
 */
export function sviInitialGuess(k: ArrayLike<number>, w: ArrayLike<number>): Float64Array {
  requireNumberArray(k, 'k', 1);
  requireNumberArray(w, 'w', k.length, k.length);
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

function sviStart(initial: FitSviArgs['initial'], slice: number, nSlices: number, k: Float64Array, w: Float64Array, path = 'initial'): Float64Array {
  if (initial === undefined) return sviInitialGuess(k, w);
  if (Array.isArray(initial)) {
    if (initial.length !== nSlices) throw new InputError(path, initial, `one SviParams per slice (${nSlices})`);
    return checkedSvi(initial[slice], `${path}[${slice}]`);
  }
  return checkedSvi(initial as SviParams, path);
}

function checkedSvi(p: SviParams, path: string): Float64Array {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new InputError(path, p, 'SviParams { a, b, rho, m, sigma }');
  checkKeys(p, SVI_PARAM_NAMES, path);
  for (const name of SVI_PARAM_NAMES) if (typeof p[name] !== 'number' || !Number.isFinite(p[name])) throw new InputError(`${path}.${name}`, p[name], 'a finite number');
  return sviToArray(p);
}

/**
 * The warm start of a fit as SviParams per slice (a FitSviResult's `params`, an array, or one for all).
 * @throws InputError naming `warmStart` for anything else.
 */
function warmSviParams(v: unknown): SviParams | SviParams[] {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'slices' in v && 'params' in v && Array.isArray((v as FitSviResult).params)) {
    return (v as FitSviResult).params;
  }
  if (v === null || typeof v !== 'object') throw new InputError('warmStart', v, 'a FitSviResult, SviParams or SviParams[]');
  return v as SviParams | SviParams[];
}

/**
 * The robust-loss options of a fit: the loss and its scale in the residuals' units (default 0.01
 * vol with the vol objective; required with the price objective).
 * @throws InputError naming `loss` or `lossScale`.
 * @internal shared by SVI, SSVI, SABR, Heston and Bates.
 */
export function robustOptions(args: { loss?: unknown; lossScale?: unknown }, objective: 'vol' | 'price'): { loss: LossFunction; lossScale: number } {
  const loss = enumOption(args.loss as LossFunction | undefined, ['linear', 'soft_l1', 'huber'] as const, 'linear', 'loss');
  let lossScale = args.lossScale;
  if (lossScale === undefined) {
    if (loss !== 'linear' && objective === 'price') throw new InputError('lossScale', lossScale, 'a finite number > 0 in price units (required with a robust loss and the price objective)');
    lossScale = objective === 'vol' ? 0.01 : 1;
  }
  if (typeof lossScale !== 'number' || !(lossScale > 0) || lossScale === Infinity) throw new InputError('lossScale', lossScale, 'a finite number > 0');
  return { loss, lossScale };
}

/** Usable quotes of a subset (weight > 0). @internal */
export function usableQuotes(Q: PreparedQuotes, indices: ArrayLike<number>): number {
  let n = 0;
  for (let r = 0; r < indices.length; r++) if (Q.weights[indices[r]] > 0) n++;
  return n;
}

/**
 * Fit raw SVI to each expiry slice of the quotes (slices = distinct `quotes.expiries`), by
 * box-constrained Levenberg-Marquardt with the analytic Jacobian from the `sviSliceEvaluate`
 * kernel, and check each fitted slice for butterfly arbitrage (Durrleman's g on a grid, Lee's
 * wing bound). Lee's bound b (1 + |rho|) <= 2 is a constraint of the fit, not only a check: the
 * optimiser moves b in [bLo, min(bHi, 2 / (1 + |rho|))] (when the box optimum breaks it); a slice whose
 * fit ends at that cap is flagged `leeWingBound` (its wings wanted to be steeper than any
 * arbitrage-free smile). Quotes whose price has no implied vol get weight 0 (residual NaN).
 * Every slice and the result carry `quality` ({ ok, flags }) and `boundHits`.
 * @throws InputError for a malformed call (including a `bounds.lower.b` above 2, a fixed `b` above
 *   2, or `extraStarts` / `global` beside `warmStart`).
 */
export function fitSvi(ctx: EngineContext, args: FitSviArgs): FitSviResult {
  const t0 = now();
  const Q = prepareQuotes(ctx, args, FIT_SVI_KEYS);
  const fixedMask = fixedMaskOf(args.fixed, SVI_PARAM_NAMES); // checked once, before any slice
  const global = checkedGlobalStage(args.global);
  const extraStarts = countOption(args.extraStarts, 0, MAX_EXTRA_STARTS, 'extraStarts');
  const userGrid = args.arbitrageGrid === undefined ? undefined : checkedGrid(args.arbitrageGrid, 'arbitrageGrid');
  const calendarGrid = args.calendarGrid === undefined ? undefined : checkedGrid(args.calendarGrid, 'calendarGrid');
  const onEvaluate = optionalFunction(args.onEvaluate, 'onEvaluate');
  const robust = robustOptions(args, Q.objective);
  const thresholds = checkedQuality(args.quality, Q.objective);
  const warm = args.warmStart === undefined ? undefined : warmSviParams(args.warmStart);
  const calendarMode = enumOption(args.calendar, ['independent', 'penalty'] as const, 'independent', 'calendar');
  if (warm !== undefined) {
    if (args.extraStarts) throw new InputError('extraStarts', args.extraStarts, '0 or absent with warmStart (a warm start runs LM from the previous fit only)');
    if (global) throw new InputError('global', args.global, 'absent with warmStart');
    if (args.initial !== undefined) throw new InputError('initial', args.initial, 'absent with warmStart');
  }
  // The lean path: one LM run per stage on reused buffers, the same arithmetic as calibrate's (the
  // same numbers, see test/calibration-warm-lean.test.ts and test/calibration-svi-lean.test.ts): a
  // warm refit, or a cold fit from one start (no extra starts, no global stage). calibrate's own
  // overhead per fit (its options, a fresh LM workspace, per-evaluation arrays) cost a 25-quote
  // slice more than its kernel calls. The other options take the general path.
  const lean = (warm !== undefined || (extraStarts === 0 && global === undefined)) && Q.objective === 'vol' && robust.loss === 'linear' &&
    onEvaluate === undefined && (args.jacobian === undefined || args.jacobian === 'analytic') && calendarMode === 'independent';
  const residuals = new Float64Array(Q.n).fill(NaN);
  const allModel = new Float64Array(Q.n).fill(NaN);
  const slices: SviSliceFit[] = [];
  const spans: [number, number][] = [];
  const freeParams = 5 - (fixedMask ? fixedMask.filter(Boolean).length : 0);
  Q.slices.forEach(({ expiry, indices }, s) => {
    const ts = now();
    const m = indices.length;
    // The lean path's scratch columns come from the engine's workspace for this size (new typed
    // arrays cost more than a small slice's kernel calls); they are fully overwritten here.
    const leanWs = lean ? warmWorkspaces.get(ctx, m) : undefined;
    const k = leanWs ? leanWs.k : new Float64Array(m), w = leanWs ? leanWs.w : new Float64Array(m), weights = leanWs ? leanWs.weights : new Float64Array(m);
    let kLo = Infinity, kHi = -Infinity, wMax = 0, usable = 0;
    for (let r = 0; r < m; r++) {
      const i = indices[r];
      k[r] = Q.logMoneyness[i];
      w[r] = Q.vols[i] * Q.vols[i] * expiry;
      weights[r] = Q.weights[i];
      if (weights[r] > 0) {
        usable++;
        if (k[r] < kLo) kLo = k[r];
        if (k[r] > kHi) kHi = k[r];
        if (w[r] > wMax) wMax = w[r];
      }
    }
    if (!(kLo <= kHi)) {
      kLo = -1;
      kHi = 1;
      wMax = 1;
    }
    spans.push([kLo, kHi]);
    let x0: Float64Array;
    if (warm !== undefined) x0 = sviStart(warm, s, Q.slices.length, k, w, 'warmStart');
    else {
      const wk = usable < m ? k.filter((_, r) => weights[r] > 0) : k, ww = usable < m ? w.filter((_, r) => weights[r] > 0) : w;
      x0 = sviStart(args.initial, s, Q.slices.length, usable ? wk : k, usable ? ww : w);
    }
    const evaluator = lean ? sviLeanEvaluator(ctx, k, expiry) : sviEvaluator(ctx, k, expiry);
    let leanTarget = false;
    // Only Lee's stage 2 (and the onEvaluate hook) need these: most refits never allocate them.
    let xNat: Float64Array | undefined, jNat: Float64Array | undefined, natural: Float64Array | undefined;
    const run = (box: ParameterBoxLike, map: SviLeeMap, first: boolean, penalty?: (map: SviLeeMap) => PenaltyTerm) => {
      // The optimiser's coordinates: with Lee's map, b replaced by its fraction t of [bLo, U(rho)].
      const xn = map.identity ? undefined : (xNat ??= new Float64Array(5)), jn = map.identity ? undefined : (jNat ??= new Float64Array(m * 5));
      const internal: VolEvaluator = map.identity ? evaluator : (y, out, jac) => {
        const { dBdT, dBdRho } = sviLeeToNatural(map, y, xn!);
        evaluator(xn!, out, jac ? jn! : null);
        if (!jac) return;
        const jNat = jn!;
        for (let r = 0; r < m; r++) {
          const o = r * 5;
          const jb = jNat[o + 1];
          jac[o] = jNat[o];
          jac[o + 1] = jb * dBdT;
          jac[o + 2] = jNat[o + 2] + jb * dBdRho;
          jac[o + 3] = jNat[o + 3];
          jac[o + 4] = jNat[o + 4];
        }
      };
      // A start or box LM's option checks would refuse (a NaN heuristic start from a slice without
      // a usable quote, lower > upper) takes the general path, which reports it as it always has.
      if (lean && leanBoxOk(box)) {
        const ws = leanWs!;
        if (!leanTarget) {
          for (let r = 0; r < m; r++) ws.target[r] = Q.vols[indices[r]];
          leanTarget = true;
        }
        return leanSliceRun(ws, internal, SVI_PARAM_NAMES, box, weights, fixedMask, args.maxIterations, args.tolerance, thresholds.boundTolerance);
      }
      const model = volModel(SVI_PARAM_NAMES, internal, () => box);
      return calibrate(ctx, penalty ? { ...model, penalty: penalty(map) } : model, { Q, indices }, {
        ...sliceFitOptions(args, warm !== undefined || !first ? 0 : extraStarts, warm !== undefined || !first ? undefined : global), weights,
        bounds: undefined, // in the box already
        ...(robust.loss === 'linear' ? {} : robust),
        quality: { boundTolerance: thresholds.boundTolerance },
        onEvaluate: onEvaluate ? (p, c) => {
          const nat = (natural ??= new Float64Array(5));
          sviLeeToNatural(map, p, nat);
          onEvaluate(s, Float64Array.from(nat), c);
        } : undefined,
      });
    };
    // Stage 1 in the natural box; only when its optimum breaks Lee's bound, stage 2 refits in
    // Lee's parametrisation from that optimum pulled onto the cap (so fits that satisfy the bound
    // are exactly the unconstrained ones, and the rest end with b (1 + |rho|) <= 2).
    const bFixed = fixedMask?.[1] === true;
    let { box, map } = sviLeeBox(args.bounds, x0, kLo, kHi, wMax, bFixed, true);
    let fit = run(box, map, true);
    let iterations = fit.iterations;
    if (!bFixed && !(fit.params[1] * (1 + Math.abs(fit.params[2])) <= LEE_WING_BOUND * (1 + LEE_TOLERANCE))) {
      ({ box, map } = sviLeeBox(args.bounds, fit.params, kLo, kHi, wMax, false, false));
      fit = run(box, map, false);
      iterations += fit.iterations;
    }
    const xf = new Float64Array(5);
    sviLeeToNatural(map, fit.params, xf);
    if (calendarMode === 'penalty' && s > 0) {
      // The pair's calendar grid, as the check below builds it.
      const prev = slices[s - 1].params;
      const grid = calendarGrid ?? userGrid ?? quotedSpanGrid(spans[s - 1], [kLo, kHi], 0.5);
      if (calendarShortfall(prev, sviFromArray(xf), grid)) {
        // The slice's weighted RMS residual, floored at 1e-4 (0.01 vol points, or 1e-4 in price
        // units) times the RMS weight: an exact fit still gets a penalty that bites.
        let sw = 0;
        for (let r = 0; r < m; r++) sw += weights[r];
        const floor = 1e-4 * Math.sqrt(sw / Math.max(1, usable));
        const scale = Math.max(Math.sqrt((2 * ((fit as { cost?: number }).cost ?? 0)) / Math.max(1, usable)), floor);
        const penalty = (mp: SviLeeMap) => sviCalendarPenalty(prev, grid, mp, SVI_CALENDAR_LAMBDA * (scale > 0 ? scale : 1e-8));
        ({ box, map } = sviLeeBox(args.bounds, xf, kLo, kHi, wMax, bFixed, true));
        fit = run(box, map, false, penalty);
        iterations += fit.iterations;
        if (!bFixed && !(fit.params[1] * (1 + Math.abs(fit.params[2])) <= LEE_WING_BOUND * (1 + LEE_TOLERANCE))) {
          ({ box, map } = sviLeeBox(args.bounds, fit.params, kLo, kHi, wMax, false, false));
          fit = run(box, map, false, penalty);
          iterations += fit.iterations;
        }
        sviLeeToNatural(map, fit.params, xf);
      }
    }
    const model = leanWs ? leanWs.model : new Float64Array(m);
    evaluator(xf, model, null);
    for (let r = 0; r < m; r++) allModel[indices[r]] = model[r];
    const stats = fitStatistics(ctx, Q, indices, model, residuals);
    const params = sviFromArray(xf);
    const grid = userGrid ?? { kMin: kLo - 0.5, kMax: kHi + 0.5, points: 301 };
    const butterfly = butterflyOnGridKernel(ctx, params, grid.kMin, grid.kMax, grid.points);
    const hits = sviBoundHits(fit.boundHits, map, xf);
    const quality = fitQuality({
      reason: fit.reason, rmse: stats.rmse, insideBidAsk: stats.insideBidAsk, quotes: usable, freeParams, boundHits: hits,
      butterflyFree: butterfly.durrlemanFree, leeWingFree: butterfly.leeWingFree,
    }, thresholds);
    const sliceResiduals = new Float64Array(m);
    for (let r = 0; r < m; r++) sliceResiduals[r] = residuals[indices[r]];
    slices.push({
      expiry, params, quotes: m, reason: fit.reason, iterations, ...stats,
      residuals: sliceResiduals, elapsedMs: now() - ts, butterfly, atBounds: hits.map((h) => h.name), boundHits: hits, quality,
    });
  });
  const calendar = calendarCheck(
    slices.map((x) => (k: number) => sviTotalVarianceAt(x.params, k).w),
    spans.slice(1).map(([lo, hi], i) => calendarGrid ?? userGrid ?? quotedSpanGrid(spans[i], [lo, hi], 0.5)),
  );
  return assembleSliceResult(ctx, Q, slices, allModel, residuals, t0, (sl) => ({
    params: sl.map((x) => x.params), slices: sl, calendar,
    arbitrageFree: sl.every((x) => x.butterfly.arbitrageFree) && calendar.arbitrageFree, atBounds: unionAtBounds(sl),
    quality: combinedQuality(sl.map((x) => x.quality), calendar.arbitrageFree ? [] : ['calendarArbitrage']),
  }));
}

/** Some grid point where `next` lies below `prev` by more than the calendar check's tolerance. */
function calendarShortfall(prev: SviParams, next: SviParams, grid: Required<ArbitrageGrid>): boolean {
  const { kMin, kMax, points } = grid;
  for (let j = 0; j < points; j++) {
    const k = kMin + ((kMax - kMin) * j) / (points - 1);
    const wShort = sviTotalVarianceAt(prev, k).w, wLong = sviTotalVarianceAt(next, k).w;
    if (!(wLong >= wShort - CALENDAR_TOLERANCE * Math.abs(wShort))) return true;
  }
  return false;
}

/**
 * The calendar penalty of one slice against the previous one on the pair's grid, in the
 * optimiser's coordinates (Lee's map): residual j = c max(0, w_prev(k_j) (1 + margin) - w(k_j)) / d_j,
 * d_j = w_prev(k_j) floored at 1e-3 of its largest value on the grid (a relative shortfall).
 */
function sviCalendarPenalty(prev: SviParams, grid: Required<ArbitrageGrid>, map: SviLeeMap, c: number): PenaltyTerm {
  const { kMin, kMax, points } = grid;
  const ks = new Float64Array(points), target = new Float64Array(points), scale = new Float64Array(points);
  let wTop = 0;
  for (let j = 0; j < points; j++) {
    ks[j] = kMin + ((kMax - kMin) * j) / (points - 1);
    const w = sviTotalVarianceAt(prev, ks[j]).w;
    target[j] = w * (1 + SVI_CALENDAR_MARGIN);
    if (w > wTop) wTop = w;
  }
  for (let j = 0; j < points; j++) {
    const w = target[j] / (1 + SVI_CALENDAR_MARGIN);
    scale[j] = c / Math.max(w, 1e-3 * wTop, Number.MIN_VALUE);
  }
  const x = new Float64Array(5);
  return {
    size: points,
    evaluate(y, out, jac) {
      const { dBdT, dBdRho } = sviLeeToNatural(map, y, x);
      const a = x[0], b = x[1], rho = x[2], m = x[3], sigma = x[4];
      for (let j = 0; j < points; j++) {
        const d = ks[j] - m, q = Math.sqrt(d * d + sigma * sigma);
        const short = target[j] - (a + b * (rho * d + q));
        const on = short > 0;
        out[j] = on ? scale[j] * short : 0;
        if (!jac) continue;
        const o = j * 5;
        if (!on) {
          jac[o] = jac[o + 1] = jac[o + 2] = jac[o + 3] = jac[o + 4] = 0;
          continue;
        }
        const f = -scale[j], dwdb = rho * d + q;
        jac[o] = f;
        jac[o + 1] = f * dwdb * dBdT;
        jac[o + 2] = f * (b * d + dwdb * dBdRho);
        jac[o + 3] = f * -b * (rho + d / q);
        jac[o + 4] = f * ((b * sigma) / q);
      }
    },
  };
}

/**
 * The optimiser's box of one slice (internal coordinates: t in [0, 1] for b unless b is fixed) and
 * the Lee map, from the default box overridden by `bounds`.
 * @throws InputError naming `bounds.lower.b` (above 2) or `initial.b` (a fixed b above 2).
 */
function sviLeeBox(bounds: FitSviArgs['bounds'], x0: Float64Array, kLo: number, kHi: number, wMax: number, bFixed: boolean, natural: boolean):
  { box: ParameterBoxLike; map: SviLeeMap } {
  const { lower, upper } = boundsArrays(bounds, SVI_PARAM_NAMES, sviDefaultBounds(kLo, kHi, wMax));
  const bLo = Math.max(0, lower[1]), bHi = upper[1];
  if (bLo > LEE_WING_BOUND) throw new InputError('bounds.lower.b', lower[1], `at most ${LEE_WING_BOUND} (Lee's wing bound b (1 + |rho|) <= 2)`);
  const bRef = bFixed ? x0[1] : natural ? 0 : bLo;
  if (bFixed && x0[1] > LEE_WING_BOUND) throw new InputError('initial.b', x0[1], `at most ${LEE_WING_BOUND} with b fixed (Lee's wing bound b (1 + |rho|) <= 2)`);
  if (bRef > 0) {
    const rhoMax = LEE_WING_BOUND / bRef - 1;
    lower[2] = Math.max(lower[2], -rhoMax);
    upper[2] = Math.min(upper[2], rhoMax);
    if (lower[2] > upper[2]) throw new InputError('bounds.lower.rho', lower[2], `at most ${upper[2]} (Lee's wing bound with b >= ${bRef})`);
  }
  const map: SviLeeMap = { identity: bFixed || natural, bLo, bHi };
  if (natural && !bFixed) return { box: { initial: Float64Array.from(x0), lower, upper }, map };
  if (!bFixed) {
    lower[1] = 0;
    upper[1] = 1;
  }
  const start = Float64Array.from(x0);
  start[2] = Math.min(upper[2], Math.max(lower[2], start[2]));
  return { box: { initial: sviLeeFromNatural(map, start), lower, upper }, map };
}

type ParameterBoxLike = LeanBox;

/**
 * A slice's bound hits in natural parameters: coordinate t of b maps to b at bLo (lower) or at
 * U(rho) (upper: the box's bHi, or Lee's cap, `constraint: 'leeWing'`).
 */
function sviBoundHits(hits: BoundHit[], map: SviLeeMap, xf: Float64Array): BoundHit[] {
  return hits.map((h): BoundHit => {
    if (h.name !== 'b' || map.identity) return h;
    if (h.side === 'lower') return { ...h, value: xf[1], bound: map.bLo };
    const { U, lee } = leeCap(map, xf[2]);
    return { name: 'b', side: 'upper', value: xf[1], bound: U, constraint: lee ? 'leeWing' : 'box' };
  });
}

/**
 * The default calendar grid of two consecutive slices: the union of their quoted log-moneyness
 * spans widened by `margin` on each side (the butterfly check's default range), 301 points (a
 * single point widened to +-0.01).
 * @internal
 */
export function quotedSpanGrid(a: [number, number], b: [number, number], margin = 0): Required<ArbitrageGrid> {
  let kMin = Math.min(a[0], b[0]) - margin, kMax = Math.max(a[1], b[1]) + margin;
  if (!(kMax > kMin)) {
    kMin -= 0.01;
    kMax += 0.01;
  }
  return { kMin, kMax, points: 301 };
}

/** @internal overall statistics of per-slice fits. */
export function assembleSliceResult<S extends FitResultBase, R>(
  ctx: EngineContext, Q: PreparedQuotes, slices: S[], allModel: Float64Array, residuals: Float64Array, t0: number,
  extra: (slices: S[]) => R,
): FitResultBase & R {
  // One slice holds every quote in index order: its statistics are the overall ones.
  const stats = slices.length === 1 && slices[0].residuals.length === Q.n
    ? { rmse: slices[0].rmse, maxAbsError: slices[0].maxAbsError, insideBidAsk: slices[0].insideBidAsk }
    : fitStatistics(ctx, Q, Int32Array.from({ length: Q.n }, (_, i) => i), allModel, new Float64Array(Q.n));
  const reason: EndReason = worstReason(slices.map((x) => x.reason));
  return {
    reason, iterations: slices.reduce((s, x) => s + x.iterations, 0), ...stats, residuals, elapsedMs: now() - t0, ...extra(slices),
  };
}

/** Names at a bound in any slice, in first-seen order. @internal shared by SVI and SABR. */
export function unionAtBounds(slices: readonly { atBounds: string[] }[]): string[] {
  const out: string[] = [];
  for (const x of slices) for (const name of x.atBounds) if (!out.includes(name)) out.push(name);
  return out;
}

/**
 * The calibration-loop options shared by the per-slice fits (SVI, SABR) and SSVI: the call's
 * bounds, fixed names, iteration settings, and the global stage tried first.
 * @internal
 */
export function sliceFitOptions(
  args: { bounds?: unknown; fixed?: readonly string[]; maxIterations?: number; tolerance?: number; jacobian?: MarketArgs['jacobian'] },
  extraStarts: number, global: GlobalStage | undefined,
): CalibrateOptions {
  return {
    bounds: args.bounds as CalibrateOptions['bounds'], fixed: args.fixed, extraStarts, global, globalStart: 'first',
    maxIterations: args.maxIterations ?? 200, tolerance: args.tolerance ?? 1e-10, jacobian: args.jacobian,
  };
}
