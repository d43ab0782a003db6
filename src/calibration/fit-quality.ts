/**
 * How good a fit is, as data: the parameters that ended at (or within a small relative distance
 * of) a bound of their box, and quality flags with the thresholds that raised them. A fit is `ok`
 * only when no flag is raised; `converged` (the optimiser's stop reason) is a separate matter: a
 * converged fit with a parameter on its bound or half its quotes outside the bid-ask is not ok.
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import type { EndReason } from '../math/optimise/least-squares.js';

/**
 * Why a fit is not ok.
 * - `rmseAboveThreshold`: rmse above `maxRmse` (vol points with the vol objective);
 * - `quotesOutsideBidAsk`: the fraction of model values inside [bid, ask] below `minInsideBidAsk`;
 * - `butterflyArbitrage`: Durrleman's g < 0 (or w <= 0) somewhere on the check grid, or an SSVI
 *   butterfly condition (GJ 2014 Theorem 4.2) fails;
 * - `calendarArbitrage`: total variance decreasing in expiry on the grid, or an SSVI calendar
 *   condition (GJ 2014 Theorem 4.1) fails;
 * - `leeWingBound`: a wing slope b (1 + |rho|) of total variance at (or above) Lee's moment bound 2:
 *   the fit wanted steeper wings than any arbitrage-free smile has;
 * - `parameterAtBound`: a free parameter at (or within `boundTolerance` of) a bound of its box;
 * - `tooFewQuotes`: fewer usable quotes (weight > 0) than free parameters plus `quoteMargin`;
 * - `notConverged`: the optimiser stopped at its iteration limit or on non-finite residuals.
 */
export type QualityFlag =
  | 'rmseAboveThreshold' | 'quotesOutsideBidAsk' | 'butterflyArbitrage' | 'calendarArbitrage'
  | 'leeWingBound' | 'parameterAtBound' | 'tooFewQuotes' | 'notConverged';

/** Every quality flag, in the order results list them. */
export const QUALITY_FLAGS: readonly QualityFlag[] = [
  'notConverged', 'parameterAtBound', 'tooFewQuotes', 'rmseAboveThreshold', 'quotesOutsideBidAsk',
  'butterflyArbitrage', 'calendarArbitrage', 'leeWingBound',
];

/** A fit's verdict: `ok` iff `flags` is empty. */
export interface FitQuality {
  ok: boolean;
  /** Raised flags, in {@link QUALITY_FLAGS} order, without repeats. */
  flags: QualityFlag[];
}

/**
 * Thresholds of the quality flags (option `quality` of every fit).
 */
export interface QualityThresholds {
  /**
   * Largest acceptable rmse, in the result's rmse units: vol points (0.01 of annualised vol) with
   * the vol objective, price units with the price objective. Default 2 vol points with the vol
   * objective; no threshold (Infinity) with the price objective unless given.
   */
  maxRmse?: number;
  /** Smallest acceptable fraction of quotes inside their bid-ask (when bids and asks are given). Default 0.5. */
  minInsideBidAsk?: number;
  /** Usable quotes must be at least free parameters + this margin. Default 2. */
  quoteMargin?: number;
  /**
   * A parameter counts as at a bound when within this fraction of its box's width of it (of
   * max(1, |bound|) when the other side is infinite). Default 1e-6.
   */
  boundTolerance?: number;
}

export const QUALITY_KEYS = ['maxRmse', 'minInsideBidAsk', 'quoteMargin', 'boundTolerance'] as const satisfies readonly (keyof QualityThresholds)[];

/** Default {@link QualityThresholds} (maxRmse with the vol objective). */
export const DEFAULT_QUALITY: Readonly<Required<QualityThresholds>> = { maxRmse: 2, minInsideBidAsk: 0.5, quoteMargin: 2, boundTolerance: 1e-6 };

/**
 * Checked thresholds with defaults filled in (`maxRmse` Infinity with the price objective unless given).
 * @throws InputError naming `quality` or `quality.<key>` (a negative or non-number threshold, an unknown key).
 */
export function checkedQuality(v: unknown, objective: 'vol' | 'price' = 'vol', path = 'quality'): Required<QualityThresholds> {
  const def = { ...DEFAULT_QUALITY, maxRmse: objective === 'vol' ? DEFAULT_QUALITY.maxRmse : Infinity };
  if (v === undefined) return def;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(path, v, `{ ${QUALITY_KEYS.join('?, ')}? }`);
  checkKeys(v, QUALITY_KEYS, path);
  const q = v as QualityThresholds;
  const num = (x: unknown, name: string, fallback: number, max = Infinity): number => {
    if (x === undefined) return fallback;
    if (typeof x !== 'number' || !(x >= 0) || !(x <= max)) throw new InputError(`${path}.${name}`, x, `a number in [0, ${max}]`);
    return x;
  };
  const quoteMargin = num(q.quoteMargin, 'quoteMargin', def.quoteMargin, 1e6);
  if (!Number.isInteger(quoteMargin)) throw new InputError(`${path}.quoteMargin`, quoteMargin, 'an integer >= 0');
  return {
    maxRmse: num(q.maxRmse, 'maxRmse', def.maxRmse),
    minInsideBidAsk: num(q.minInsideBidAsk, 'minInsideBidAsk', def.minInsideBidAsk, 1),
    quoteMargin,
    boundTolerance: num(q.boundTolerance, 'boundTolerance', def.boundTolerance, 0.5),
  };
}

/** A parameter that ended at (or within the tolerance of) a bound. */
export interface BoundHit {
  /** Parameter name (the model's names; internal coordinates where a model documents them). */
  name: string;
  side: 'lower' | 'upper';
  /** Fitted value and the bound it sits at. */
  value: number;
  bound: number;
  /**
   * What the bound is: `'box'` (the parameter's box, default or given) or `'leeWing'` (SVI's b at
   * Lee's wing cap b (1 + |rho|) = 2).
   */
  constraint: 'box' | 'leeWing';
}

/**
 * The free parameters of x at (or within `tolerance` x box width of) a bound, lower side first.
 * A degenerate box (lower = upper) of a free parameter counts as both bounds: reported as lower.
 */
export function boundHits(
  x: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>, fixed: readonly boolean[] | undefined,
  names: readonly string[], tolerance: number = DEFAULT_QUALITY.boundTolerance,
): BoundHit[] {
  const out: BoundHit[] = [];
  for (let j = 0; j < names.length; j++) {
    if (fixed?.[j]) continue;
    const lo = lower[j], hi = upper[j], v = x[j];
    const width = Number.isFinite(hi - lo) ? hi - lo : NaN;
    const slack = (b: number) => tolerance * (Number.isFinite(width) && width > 0 ? width : Math.max(1, Math.abs(b)));
    if (Number.isFinite(lo) && v <= lo + slack(lo)) out.push({ name: names[j], side: 'lower', value: v, bound: lo, constraint: 'box' });
    else if (Number.isFinite(hi) && v >= hi - slack(hi)) out.push({ name: names[j], side: 'upper', value: v, bound: hi, constraint: 'box' });
  }
  return out;
}

/** Stop reasons that are not convergence. */
export function isNotConverged(reason: EndReason): boolean {
  return reason === 'maxIterations' || reason === 'nonFinite' || reason === 'maxGenerations';
}

/** What a quality verdict is computed from; absent or NaN facts raise nothing. */
export interface QualityFacts {
  reason: EndReason;
  rmse: number;
  insideBidAsk: number;
  /** Usable quotes (weight > 0, a finite market value). */
  quotes: number;
  freeParams: number;
  boundHits: readonly BoundHit[];
  butterflyFree?: boolean;
  calendarFree?: boolean;
  /** Lee's wing bound holds with slack (false when a wing slope is at, or above, 2). */
  leeWingFree?: boolean;
}

/** The verdict on a fit from its facts and thresholds. */
export function fitQuality(f: QualityFacts, t: Required<QualityThresholds>): FitQuality {
  const raised = new Set<QualityFlag>();
  if (isNotConverged(f.reason)) raised.add('notConverged');
  if (f.boundHits.some((h) => h.constraint === 'box')) raised.add('parameterAtBound');
  if (f.quotes < f.freeParams + t.quoteMargin) raised.add('tooFewQuotes');
  if (f.rmse > t.maxRmse || (f.quotes > 0 && Number.isNaN(f.rmse))) raised.add('rmseAboveThreshold');
  if (f.insideBidAsk < t.minInsideBidAsk) raised.add('quotesOutsideBidAsk');
  if (f.butterflyFree === false) raised.add('butterflyArbitrage');
  if (f.calendarFree === false) raised.add('calendarArbitrage');
  if (f.leeWingFree === false || f.boundHits.some((h) => h.constraint === 'leeWing')) raised.add('leeWingBound');
  return qualityOf(raised);
}

/** A verdict from a set of flags (listed in {@link QUALITY_FLAGS} order). */
export function qualityOf(raised: Iterable<QualityFlag>): FitQuality {
  const set = new Set(raised);
  const flags = QUALITY_FLAGS.filter((f) => set.has(f));
  return { ok: flags.length === 0, flags };
}

/** The union of several verdicts (a surface of slices) plus extra flags. */
export function combinedQuality(parts: readonly FitQuality[], extra: Iterable<QualityFlag> = []): FitQuality {
  const set = new Set<QualityFlag>(extra);
  for (const p of parts) for (const f of p.flags) set.add(f);
  return qualityOf(set);
}
