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
 * @param path the argument's name in error messages (`history`, `histories.BTC`).
 * @throws InputError for unparsable CSV (the path names the line), non-positive or non-finite
 * prices, or fewer than `minPrices` prices.
 */
export function priceSeries(history: unknown, path: string, minPrices = 3): PriceSeries {
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
    if (!Array.isArray(h.dates) || !h.close || h.dates.length !== h.close.length || h.dates.length > MAX_PRICES) throw new InputError(path, history, 'a PriceHistory { dates, close } of equal lengths');
    s = { close: Float64Array.from(h.close), dates: [...h.dates] };
  } else if (history !== null && typeof history === 'object' && typeof (history as ArrayLike<number>).length === 'number') {
    // A length bound that no daily history approaches: `{ length: 1e10 }` must not exhaust memory.
    const n = (history as ArrayLike<number>).length;
    if (!(Number.isSafeInteger(n) && n >= 0 && n <= MAX_PRICES)) throw new InputError(`${path}.length`, n, `a whole number of prices <= ${MAX_PRICES}`);
    s = { close: Float64Array.from(history as ArrayLike<number>) };
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

/** @throws InputError unless `days` is a positive integer. */
export function checkDays(days: unknown, path: string): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) throw new InputError(path, days, 'a positive integer (days)');
  return days;
}

/**
 * MPOR simple returns P_{t+h} / P_t - 1 of prices[from..to] (inclusive indices), overlapping (one
 * per start day) or not (every h days, anchored at `to`). Returns the returns in time order and,
 * for each, the index of its end price.
 */
export function mporReturns(prices: ArrayLike<number>, days: number, overlapping = true, from = 0, to = prices.length - 1): { returns: Float64Array; ends: Int32Array } {
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
