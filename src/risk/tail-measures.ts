/**
 * Empirical VaR and ES of a sample, the estimator conventions every method shares.
 *
 * Losses L = -P&L (positive = loss). With n equally weighted losses sorted ascending
 * L_(1) <= ... <= L_(n) and confidence c:
 *   VaR_c = L_(k),  k = ceil(n c)            (the lower c-quantile: inf{x : F_n(x) >= c})
 *   ES_c  = [ sum_{i > k} L_(i) + (k - n c) L_(k) ] / (n (1 - c))
 * which is exactly the expected shortfall (Acerbi and Tasche 2002) of the empirical distribution:
 * it puts the fractional atom (k - nc)/n of L_(k) in the tail, so it is coherent on every sample
 * (subadditive, monotone, positively homogeneous, translation invariant), ES >= VaR, and consistent.
 * With weights w_i (summing to 1): VaR = the smallest loss whose cumulative weight reaches c,
 * ES = [ sum_{L_i > VaR} w_i L_i + (W(L <= VaR) - c) VaR ] / (1 - c).
 *
 * Order statistics come from the `tailSelect` kernel (Floyd-Rivest selection, no full sort).
 */
import type { EngineContext } from '../engine.js';
import { riskKernels } from './kernels-access.js';
import { InputError, KernelError } from '../errors.js';

/** A VaR / ES pair with its order-statistic index. */
export interface TailEstimate {
  var: number;
  es: number;
  /** k of the VaR order statistic L_(k) (1-based; for weighted samples, its rank). */
  k: number;
  n: number;
}

/**
 * k = ceil(n c), treating n c within 1e-9 of an integer as that integer.
 * @throws Nothing.
 */
export function tailIndex(n: number, c: number): number {
  const nc = n * c;
  const r = Math.round(nc);
  const k = Math.abs(nc - r) <= 1e-9 * Math.max(1, nc) ? r : Math.ceil(nc);
  return Math.min(Math.max(k, 1), n);
}

/** @throws InputError unless c is a number in (0, 1). */
export function checkConfidence(c: unknown, path = 'confidence'): number {
  if (typeof c !== 'number' || !(c > 0 && c < 1)) throw new InputError(path, c, 'a number in (0, 1)');
  return c;
}

/** @throws InputError unless every element is finite; returns a Float64Array copy-free when possible. */
export function finiteSample(x: unknown, path: string, minLength = 1): ArrayLike<number> {
  // The length must be a safe non-negative integer: `{ length: NaN }` or `{ length: -1 }` is not a sample.
  const n = x !== null && typeof x === 'object' ? (x as { length?: unknown }).length : undefined;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new InputError(path, x, 'an array of numbers');
  const a = x as ArrayLike<number>;
  if (n < minLength) throw new InputError(path, x, `at least ${minLength} values`);
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] !== 'number' || !Number.isFinite(a[i])) throw new InputError(`${path}[${i}]`, a[i], 'a finite number');
  }
  return a;
}

/** The length of an array-like sample: a safe integer >= 1, first and last elements numbers. @throws InputError. */
function sampleLength(x: unknown, path: string): number {
  const n = x !== null && typeof x === 'object' ? (x as { length?: unknown }).length : undefined;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new InputError(path, x, 'a non-empty array of numbers');
  // O(1) probe of the ends: an object that only claims a length (`{ length: 1e10 }`) is rejected
  // before any memory is reserved for it.
  const a = x as ArrayLike<unknown>;
  if (typeof a[0] !== 'number') throw new InputError(`${path}[0]`, a[0], 'a number');
  if (typeof a[n - 1] !== 'number') throw new InputError(`${path}[${n - 1}]`, a[n - 1], 'a number');
  return n;
}

/**
 * Empirical VaR and ES (see the file comment) of P&L samples (`sign` = -1, losses are -pnl) or of
 * losses (`sign` = +1), via one `tailSelect` kernel call. The input is not modified.
 * VaR and ES in the sample's units, at `confidence` in (0, 1).
 * @throws InputError for a sample that is not array-like with at least one element, or a confidence
 *   outside (0, 1) (O(1) checks: the elements are not validated, valueAtRisk does that);
 *   KernelError if the selection kernel rejects the call (a bug).
 */
export function empiricalTail(ctx: EngineContext, sample: ArrayLike<number>, confidence: number, sign: 1 | -1 = -1): TailEstimate {
  const n = sampleLength(sample, 'sample');
  checkConfidence(confidence);
  if (sign !== 1 && sign !== -1) throw new InputError('sign', sign, '1 (losses) or -1 (P&L)');
  const k = tailIndex(n, confidence);
  const { arena } = ctx;
  arena.reset();
  arena.reserve(8 * n + 64);
  const p = arena.alloc(8 * n);
  const pOut = arena.alloc(24);
  const v = arena.views;
  if (sample instanceof Float64Array) v.f64.set(sample, p >>> 3);
  else for (let i = 0; i < n; i++) v.f64[(p >>> 3) + i] = sample[i];
  // Losses L = sign x. For sign -1, L_(k) = -x_(n-k+1): select x at 0-based index n - k, and the
  // tail (losses above L_(k)) is the elements below it.
  const idx = sign === 1 ? k - 1 : n - k;
  const rc = riskKernels(ctx).tailSelect(n, p, idx, pOut);
  if (rc !== 0) throw new KernelError('tailSelect', rc);
  const o = arena.views.f64;
  const kth = o[pOut >>> 3];
  const tailSum = sign === 1 ? o[(pOut >>> 3) + 2] : -o[(pOut >>> 3) + 1];
  const VaR = sign * kth;
  const nc = n * confidence;
  const es = n - nc > 0 ? (tailSum + (k - nc) * VaR) / (n - nc) : VaR;
  return { var: VaR, es: Math.max(es, VaR), k, n };
}

/**
 * Weighted empirical VaR and ES of losses (weights normalised to sum 1); a JS sort, O(n log n).
 * VaR and ES in the losses' units, at `confidence` in (0, 1).
 * @throws InputError for array shapes (lengths) or a confidence outside (0, 1); elements are unchecked.
 */
export function weightedTail(losses: ArrayLike<number>, weights: ArrayLike<number>, confidence: number): TailEstimate {
  const n = sampleLength(losses, 'losses');
  if (sampleLength(weights, 'weights') !== n) throw new InputError('weights', weights, `${n} weights (one per loss)`);
  checkConfidence(confidence);
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += weights[i];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => losses[a] - losses[b]);
  let cum = 0;
  let j = 0;
  for (; j < n; j++) {
    cum += weights[order[j]] / wsum;
    if (cum >= confidence - 1e-12) break;
  }
  j = Math.min(j, n - 1);
  const VaR = losses[order[j]];
  // Include every tie of VaR in W(L <= VaR).
  while (j + 1 < n && losses[order[j + 1]] === VaR) {
    j++;
    cum += weights[order[j]] / wsum;
  }
  let tail = 0;
  for (let i = j + 1; i < n; i++) tail += (weights[order[i]] / wsum) * losses[order[i]];
  const es = (tail + (Math.min(cum, 1) - confidence) * VaR) / (1 - confidence);
  return { var: VaR, es: Math.max(es, VaR), k: j + 1, n };
}
