/**
 * Hedge effectiveness of a hedge against a hedged item, from their value changes over the same
 * periods or scenarios (the tests of hedge accounting, IAS 39 / ASC 815, and the risk reductions a
 * desk reads):
 * - regression of the hedge's changes y on the hedged item's changes x by ordinary least squares:
 *   slope b = Sxy / Sxx, intercept a = mean(y) - b mean(x), R^2 = Sxy^2 / (Sxx Syy), the slope's
 *   standard error sqrt(SSE / (n - 2) / Sxx); highly effective when -1.25 <= b <= -0.8 and
 *   R^2 >= 0.8 (the conventional thresholds);
 * - dollar offset: -sum y / sum x (cumulative; the 80%-125% band) and per period;
 * - variance reduction 1 - Var(x + y) / Var(x), and VaR / ES reduction of the hedged position
 *   (empirical, losses = -(x + y), the estimator of the risk module) at `confidence`.
 * A pure function of the two series: no kernel runs.
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { weightedTailUnchecked } from '../risk/tail-measures.js';

/** Arguments of {@link hedgeEffectiveness}. */
export interface HedgeEffectivenessArgs {
  /** Value changes of the hedged item (USD) per period or scenario. */
  hedged: ArrayLike<number>;
  /** Value changes of the hedge (USD), same periods. */
  hedge: ArrayLike<number>;
  /** Confidence of VaR and ES in (0, 1); default 0.99. */
  confidence?: number;
  /** The dollar-offset band (default [0.8, 1.25]). */
  band?: readonly [number, number];
}

const KEYS = ['hedged', 'hedge', 'confidence', 'band'] as const satisfies readonly (keyof HedgeEffectivenessArgs)[];

/** A VaR/ES pair before and after hedging, and the reduction 1 - after / before. */
export interface TailReduction {
  unhedged: number;
  hedged: number;
  reduction: number;
}

/** Result of {@link hedgeEffectiveness}. */
export interface HedgeEffectivenessResult {
  n: number;
  /** OLS regression of hedge changes on hedged-item changes. */
  regression: { slope: number; intercept: number; rSquared: number; correlation: number; slopeStandardError: number };
  /** -sum(hedge) / sum(hedged), whether it lies in the band, and per-period ratios (NaN where the hedged item did not move). */
  dollarOffset: { ratio: number; withinBand: boolean; band: [number, number]; periods: Float64Array; periodsWithinBand: number };
  /** 1 - Var(hedged + hedge) / Var(hedged) (population variances). */
  varianceReduction: number;
  var: TailReduction;
  es: TailReduction;
  confidence: number;
  /** Slope in [-band[1], -band[0]] and R^2 >= 0.8. */
  highlyEffective: boolean;
}

function series(v: unknown, path: string): Float64Array {
  const n = v !== null && typeof v === 'object' ? (v as { length?: unknown }).length : undefined;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || typeof v === 'string') throw new InputError(path, v, 'an array of numbers');
  const a = v as ArrayLike<unknown>;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(`${path}[${i}]`, x, 'a finite number');
    out[i] = x;
  }
  return out;
}

/**
 * Hedge effectiveness statistics of two series of value changes (see the module docs).
 * @throws InputError for series that are not finite numbers (`hedged[3]`), of different lengths or
 * shorter than 3 (`hedge`), a hedged item that never moves (`hedged`: the ratios are undefined), a
 * confidence outside (0, 1), a band that is not 0 < lo < hi, or an unknown key.
 */
export function hedgeEffectiveness(args: HedgeEffectivenessArgs): HedgeEffectivenessResult {
  if (args === null || typeof args !== 'object') throw new InputError('args', args, 'an object { hedged, hedge }');
  checkKeys(args, KEYS, 'args');
  const x = series(args.hedged, 'hedged');
  const y = series(args.hedge, 'hedge');
  const n = x.length;
  if (n < 3) throw new InputError('hedged', args.hedged, 'at least 3 changes');
  if (y.length !== n) throw new InputError('hedge', args.hedge, `${n} changes (one per hedged change)`);
  const confidence = args.confidence ?? 0.99;
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) throw new InputError('confidence', confidence, 'a number in (0, 1)');
  const band = args.band ?? [0.8, 1.25];
  if (!Array.isArray(band) || band.length !== 2 || !(band[0] > 0 && band[1] > band[0] && Number.isFinite(band[1]))) throw new InputError('band', band, 'a pair [lo, hi] with 0 < lo < hi');
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  const sumX = mx, sumY = my;
  mx /= n; my /= n;
  let sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
  }
  if (!(sxx > 0)) throw new InputError('hedged', args.hedged, 'changes that are not all equal (no regression on a constant)');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const rSquared = syy > 0 ? (sxy * sxy) / (sxx * syy) : 0;
  // Residuals summed directly: syy - slope sxy cancels catastrophically for a near-perfect hedge.
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i] - my - slope * (x[i] - mx)) ** 2;
  const slopeStandardError = n > 2 ? Math.sqrt(sse / (n - 2) / sxx) : NaN;
  const ratio = sumX === 0 ? NaN : -sumY / sumX;
  const inBand = (r: number) => r >= band[0] && r <= band[1];
  const periods = x.map((xi, i) => (xi === 0 ? NaN : -y[i] / xi));
  let periodsWithinBand = 0;
  for (const r of periods) if (inBand(r)) periodsWithinBand++;
  const h = x.map((xi, i) => xi + y[i]);
  const tail = (pnl: Float64Array) => weightedTailUnchecked(pnl.map((v) => -v), new Float64Array(n).fill(1), confidence);
  const t0 = tail(x), t1 = tail(h);
  const red = (a: number, b: number) => (a > 0 ? 1 - b / a : NaN);
  const varH = (() => { let m = 0; for (const v of h) m += v; m /= n; let s = 0; for (const v of h) s += (v - m) ** 2; return s; })();
  return {
    n,
    regression: { slope, intercept, rSquared, correlation: syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0, slopeStandardError },
    dollarOffset: { ratio, withinBand: inBand(ratio), band: [band[0], band[1]], periods, periodsWithinBand: periodsWithinBand / n },
    varianceReduction: 1 - varH / sxx,
    var: { unhedged: t0.var, hedged: t1.var, reduction: red(t0.var, t1.var) },
    es: { unhedged: t0.es, hedged: t1.es, reduction: red(t0.es, t1.es) },
    confidence,
    highlyEffective: slope >= -band[1] && slope <= -band[0] && rSquared >= 0.8,
  };
}
