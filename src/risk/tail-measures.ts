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
import type { EngineContext } from '../context.js';
import { InputError, KernelError } from '../errors.js';
import { MAX_ARGUMENT_LENGTH } from '../arguments.js';
import { checkContext } from './validate.js';

/** A VaR / ES pair with its order-statistic index. */
export interface TailEstimate {
  var: number;
  es: number;
  /** k of the VaR order statistic L_(k) (1-based; for weighted samples, its rank). */
  k: number;
  n: number;
}

/**
 * k = ceil(n c), treating n c within 1e-9 of an integer as that integer (1 <= k <= n).
 * @param n the sample size, an integer >= 1.
 * @param c the confidence, a number in (0, 1).
 * @throws InputError for an `n` that is not an integer in [1, 2^53 - 1] or a `c` outside (0, 1).
 */
export function tailIndex(n: number, c: number): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new InputError('n', n, 'an integer >= 1 (the sample size)');
  checkConfidence(c, 'c');
  return tailIndexUnchecked(n, c);
}

/** tailIndex for the library's own callers (a checked n >= 1 and c in (0, 1)). */
export function tailIndexUnchecked(n: number, c: number): number {
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

/**
 * The length of an array-like sample, O(1): a length in [1, MAX_ARGUMENT_LENGTH], first and last
 * elements numbers (the library's own callers, whose samples are Float64Arrays they computed).
 * @throws InputError naming `path`, `path.length` or `path[i]`.
 */
function sampleShape(x: unknown, path: string): number {
  const n = x !== null && typeof x === 'object' ? (x as { length?: unknown }).length : undefined;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new InputError(path, x, 'a non-empty array of numbers');
  if (n > MAX_ARGUMENT_LENGTH) throw new InputError(`${path}.length`, n, `at most ${MAX_ARGUMENT_LENGTH} elements`);
  const a = x as ArrayLike<unknown>;
  if (typeof a[0] !== 'number') throw new InputError(`${path}[0]`, a[0], 'a number');
  if (typeof a[n - 1] !== 'number') throw new InputError(`${path}[${n - 1}]`, a[n - 1], 'a number');
  return n;
}

/**
 * The length of an array-like sample of finite numbers: a length in [1, MAX_ARGUMENT_LENGTH] and
 * every element a finite number (a NaN, a string or a hole would make the order statistics
 * meaningless). The ends are probed first, so an object that only claims a length
 * (`{ length: 1e10 }`) is rejected before any memory is reserved or any long loop runs.
 * @throws InputError naming `path`, `path.length` or the first bad `path[i]`.
 */
function sampleLength(x: unknown, path: string): number {
  const n = sampleShape(x, path);
  const a = x as ArrayLike<unknown>;
  const finite = (i: number): void => {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`${path}[${i}]`, v, 'a finite number');
  };
  finite(0);
  finite(n - 1);
  for (let i = 1; i < n - 1; i++) finite(i);
  return n;
}

/**
 * Empirical VaR and ES (see the file comment) of P&L samples (`sign` = -1, losses are -pnl) or of
 * losses (`sign` = +1), via one `tailSelect` kernel call. The input is not modified.
 * VaR and ES in the sample's units, at `confidence` in (0, 1).
 * @throws InputError for a sample that is not an array of at least one finite number (naming `sample`
 *   or the first bad `sample[i]`), a confidence outside (0, 1) or a `sign` other than 1 and -1;
 *   KernelError if the selection kernel rejects the call (a bug).
 */
export function empiricalTail(ctx: EngineContext, sample: ArrayLike<number>, confidence: number, sign: 1 | -1 = -1): TailEstimate {
  checkContext(ctx);
  sampleLength(sample, 'sample');
  return empiricalTailUnchecked(ctx, sample, confidence, sign);
}

/**
 * empiricalTail for the library's own callers: O(1) shape checks only, so a P&L that overflowed
 * (a non-finite element) gives a non-finite VaR that the caller reports as a computation failure.
 */
export function empiricalTailUnchecked(ctx: EngineContext, sample: ArrayLike<number>, confidence: number, sign: 1 | -1 = -1): TailEstimate {
  const n = sampleShape(sample, 'sample');
  checkConfidence(confidence);
  if (sign !== 1 && sign !== -1) throw new InputError('sign', sign, '1 (losses) or -1 (P&L)');
  const k = tailIndexUnchecked(n, confidence);
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
  const rc = ctx.kernels.tailSelect(n, p, idx, pOut);
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
 * @throws InputError for losses or weights that are not arrays of finite numbers of one length,
 *   a negative weight, weights summing to zero or overflowing, or a confidence outside (0, 1).
 */
export function weightedTail(losses: ArrayLike<number>, weights: ArrayLike<number>, confidence: number): TailEstimate {
  const n = sampleLength(losses, 'losses');
  const nw = weights !== null && typeof weights === 'object' ? (weights as { length?: unknown }).length : undefined;
  if (nw !== n) throw new InputError('weights', weights, `${n} weights (one per loss)`);
  sampleLength(weights, 'weights');
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    if (!(weights[i] >= 0)) throw new InputError(`weights[${i}]`, weights[i], 'a weight >= 0');
    wsum += weights[i];
  }
  if (!(wsum > 0 && Number.isFinite(wsum))) throw new InputError('weights', weights, 'weights with a positive, finite sum');
  return weightedTailUnchecked(losses, weights, confidence);
}

/** weightedTail for the library's own callers (age weights; losses that may have overflowed): O(1) shape checks only. */
export function weightedTailUnchecked(losses: ArrayLike<number>, weights: ArrayLike<number>, confidence: number): TailEstimate {
  const n = sampleShape(losses, 'losses');
  if (sampleShape(weights, 'weights') !== n) throw new InputError('weights', weights, `${n} weights (one per loss)`);
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
