/**
 * Statistics of a sample of hedged P&L (one value per simulated path): moments with their
 * standard errors, empirical quantiles, VaR and ES as positive losses, and a histogram on given
 * edges. Pure functions of the sample in path order, so the same paths give the same numbers
 * whatever the backend or the worker count.
 */

/** Moments, quantiles and tail measures of a P&L sample (USD, discounted to t = 0). */
export interface PnlDistribution {
  /** Number of paths. */
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator). */
  sd: number;
  /** Standard error of the mean, sd / sqrt(n). */
  stdErr: number;
  /**
   * Standard error of `sd`, sqrt((m4 / s^4 - (n - 3)/(n - 1)) / (4 n)) x sd: the delta method on
   * the sample variance, with the sample fourth central moment m4 (valid for any distribution with
   * a finite fourth moment; sd / sqrt(2 n) for a normal sample).
   */
  sdStdErr: number;
  min: number;
  max: number;
  /** Empirical quantiles (linear interpolation between order statistics, Hyndman-Fan type 7). */
  quantiles: { probability: number; value: number }[];
  /** Confidence level of `valueAtRisk` and `expectedShortfall` (e.g. 0.99). */
  confidence: number;
  /** Value at risk: minus the (1 - confidence) quantile, a positive number for a loss. */
  valueAtRisk: number;
  /** Expected shortfall: minus the mean of the worst ceil(n (1 - confidence)) outcomes (>= valueAtRisk up to interpolation). */
  expectedShortfall: number;
}

/** Type-7 quantile of sorted values at probability p in [0, 1]. */
export function sortedQuantile(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * The distribution of `values` (finite numbers, at least 2): see {@link PnlDistribution}.
 * `probabilities` in [0, 1], `confidence` in (0, 1). `values` is not modified. `sorted`, when
 * given, is `values` sorted as `Float64Array.prototype.sort` sorts them (the caller's copy, so a
 * caller that needs the order statistics too sorts once).
 */
export function pnlDistribution(values: Float64Array, probabilities: readonly number[], confidence: number, sorted?: Float64Array): PnlDistribution {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
  }
  const variance = n > 1 ? m2 / (n - 1) : Number.NaN;
  const sd = Math.sqrt(variance);
  const pm2 = m2 / n;
  const kurtosis = pm2 > 0 ? m4 / n / (pm2 * pm2) : 0;
  const sdStdErr = n > 3 && sd > 0 ? sd * Math.sqrt(Math.max(kurtosis - (n - 3) / (n - 1), 0) / (4 * n)) : 0;
  sorted ??= Float64Array.from(values).sort();
  const tail = Math.max(1, Math.ceil(n * (1 - confidence) - 1e-9));
  let tailSum = 0;
  for (let i = 0; i < tail; i++) tailSum += sorted[i]!;
  return {
    n, mean, sd, stdErr: sd / Math.sqrt(n), sdStdErr, min: sorted[0]!, max: sorted[n - 1]!,
    quantiles: probabilities.map((p) => ({ probability: p, value: sortedQuantile(sorted, p) })),
    confidence, valueAtRisk: -sortedQuantile(sorted, 1 - confidence), expectedShortfall: -tailSum / tail,
  };
}

/** Counts of `values` in the bins [edges[i], edges[i + 1]) (the last bin closed); values outside are not counted. */
export function histogramCounts(values: Float64Array, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(Math.max(bins, 0)).fill(0);
  if (bins < 1) return counts;
  const lo = edges[0]!;
  const hi = edges[bins]!;
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= lo && v <= hi)) continue;
    const b = width > 0 ? Math.min(Math.floor((v - lo) / width), bins - 1) : 0;
    counts[b]!++;
  }
  return counts;
}
