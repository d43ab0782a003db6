/**
 * Price histories as the margin calibrations take them, and returns over a margin period of risk
 * (MPOR): the h-day simple return R_t = P_{t+h} / P_t - 1, whose negative is the loss fraction of a
 * long holding liquidated h days after its last margin call.
 *
 * Overlapping MPOR returns (default) start on every day: n - h of them from n prices. They use all
 * the data but neighbours share h - 1 days, so they are autocorrelated: quantile estimates are
 * unbiased but noisier than their count suggests, and coverage tests on them need non-overlapping
 * sub-samples. Non-overlapping returns start every h days: floor((n - 1) / h) independent-ish
 * observations (anchored at the end of the window, so the latest price is always used).
 */
import { InputError } from '../errors.js';
import { requireInteger, requireNumberArray } from '../arguments.js';
import { checkPath } from './standard-params.js';
import { parsePriceCsv, type PriceHistory } from '../risk/returns.js';

/** A price history: CSV text (parsePriceCsv), a {@link PriceHistory}, or closing prices oldest first. */
export type HistoryInput = string | PriceHistory | ArrayLike<number>;

/** A validated history: prices oldest first, with dates when the input had them. */
export interface PriceSeries {
  close: Float64Array;
  dates?: string[];
}

/** Most prices a history may hold (2^26: 180,000 years of daily prices). */
const MAX_PRICES = 2 ** 26;

/**
 * Validate a history input and return its prices (a copy; the input is not modified).
 * @param path the argument's name in error messages (`history`, `histories.BTC`; default `'history'`).
 * @param minPrices fewest prices accepted (an integer >= 0, default 3).
 * @throws InputError for unparsable CSV (the path names the line), non-positive or non-finite
 * prices, fewer than `minPrices` prices, or a path or minPrices of the wrong type.
 */
export function priceSeries(history: unknown, path = 'history', minPrices = 3): PriceSeries {
  checkPath(path);
  requireInteger(minPrices, 'minPrices', 0, MAX_PRICES);
  let s: PriceSeries;
  if (typeof history === 'string') {
    try {
      const h = parsePriceCsv(history);
      s = { close: h.close, dates: h.dates };
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`${path} (${e.path})`, e.value, 'CSV with a timestamp (or date) and close column, ascending dates, positive closes');
      throw e;
    }
  } else if (history !== null && typeof history === 'object' && 'close' in history && 'dates' in history) {
    const h = history as PriceHistory;
    const close = h.close as unknown;
    if (!Array.isArray(h.dates) || close === null || typeof close !== 'object' || (close as ArrayLike<unknown>).length !== h.dates.length || h.dates.length > MAX_PRICES) {
      throw new InputError(path, history, 'a PriceHistory { dates, close } of equal lengths');
    }
    s = { close: numbersOf(close as ArrayLike<unknown>, `${path}.close`), dates: [...h.dates] };
  } else if (history !== null && typeof history === 'object' && typeof (history as ArrayLike<number>).length === 'number') {
    // A length bound that no daily history approaches: `{ length: 1e10 }` must not exhaust memory.
    const n = (history as ArrayLike<number>).length;
    if (!(Number.isSafeInteger(n) && n >= 0 && n <= MAX_PRICES)) throw new InputError(`${path}.length`, n, `a whole number of prices <= ${MAX_PRICES}`);
    s = { close: numbersOf(history as ArrayLike<unknown>, path) };
  } else {
    throw new InputError(path, history, 'CSV text, a PriceHistory or an array of prices');
  }
  const c = s.close;
  for (let i = 0; i < c.length; i++) {
    if (!(c[i] > 0) || !Number.isFinite(c[i])) throw new InputError(`${path}${s.dates ? `.close` : ''}[${i}]`, c[i], 'a positive finite price');
  }
  if (c.length < minPrices) throw new InputError(path, history, `at least ${minPrices} prices`);
  return s;
}

/** A Float64Array copy of an array-like of numbers. @throws InputError at `path[i]` for a non-number. */
function numbersOf(a: ArrayLike<unknown>, path: string): Float64Array {
  if (a instanceof Float64Array) return a.slice();
  const out = new Float64Array(a.length);
  for (let i = 0; i < out.length; i++) {
    const v = a[i];
    if (typeof v !== 'number') throw new InputError(`${path}[${i}]`, v, 'a positive finite price');
    out[i] = v;
  }
  return out;
}

/** @throws InputError unless `days` is a positive integer. */
export function checkDays(days: unknown, path: string): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) throw new InputError(path, days, 'a positive integer (days)');
  return days;
}

/**
 * MPOR simple returns P_{t+h} / P_t - 1 of prices[from..to] (inclusive indices), overlapping (one
 * per start day) or not (every h days, anchored at `to`). Returns the returns in time order and,
 * for each, the index of its end price.
 * @param prices prices oldest first (USD; NaN and non-positive values are the caller's to exclude).
 * @param days the MPOR h (an integer >= 1).
 * @param from first index of the window (an integer, 0 <= from < prices.length).
 * @param to last index of the window (an integer, from <= to < prices.length).
 * @throws InputError for prices that are not an array of numbers, or a days, overlapping, from or to of the wrong type or range.
 */
export function mporReturns(prices: ArrayLike<number>, days: number, overlapping = true, from = 0, to?: number): { returns: Float64Array; ends: Int32Array } {
  const n = requireNumberArray(prices, 'prices').length;
  requireInteger(days, 'days', 1, Number.MAX_VALUE);
  if (typeof overlapping !== 'boolean') throw new InputError('overlapping', overlapping, 'a boolean');
  requireInteger(from, 'from', 0, Math.max(n - 1, 0));
  if (to === undefined) to = n - 1;
  else requireInteger(to, 'to', -1, n - 1);
  const step = overlapping ? 1 : days;
  const count = to - from - days < 0 ? 0 : Math.floor((to - from - days) / step) + 1;
  const returns = new Float64Array(count);
  const ends = new Int32Array(count);
  // Anchor at the window's end: the last return always ends at `to`.
  for (let j = 0; j < count; j++) {
    const e = to - (count - 1 - j) * step;
    returns[j] = prices[e] / prices[e - days] - 1;
    ends[j] = e;
  }
  return { returns, ends };
}
