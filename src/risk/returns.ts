/**
 * Price histories and returns: parse daily CSV candles, compute log or simple returns, and align
 * several assets on common dates, reporting the gaps (missing calendar days in a series, and
 * dates one asset has and another lacks).
 */
import { InputError } from '../errors.js';

export interface PriceHistory {
  /** ISO dates (YYYY-MM-DD), ascending. */
  dates: string[];
  /** Closing prices. */
  close: Float64Array;
}

/**
 * Parse a daily candle CSV with a header naming `timestamp` (or `date`) and `close` columns
 * (Binance klines as bundled in data/history/). Dates keep their first 10 characters.
 * @throws InputError naming the line of a malformed row.
 */
export function parsePriceCsv(text: string): PriceHistory {
  if (typeof text !== 'string') throw new InputError('text', text, 'CSV text');
  const lines = text.trim().split(/\r?\n/);
  const head = lines[0].split(',').map((s) => s.trim().toLowerCase());
  const iDate = head.indexOf('timestamp') >= 0 ? head.indexOf('timestamp') : head.indexOf('date');
  const iClose = head.indexOf('close');
  if (iDate < 0 || iClose < 0) throw new InputError('text', lines[0], "a header with 'timestamp' (or 'date') and 'close'");
  const dates: string[] = [];
  const close = new Float64Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const cols = lines[i].split(',');
    const d = (cols[iDate] ?? '').trim().slice(0, 10);
    const c = Number(cols[iClose]);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || !(c > 0)) throw new InputError(`line ${i + 1}`, lines[i], 'a date and a positive close');
    if (dates.length && d <= dates[dates.length - 1]) throw new InputError(`line ${i + 1}`, d, 'dates in ascending order');
    dates.push(d);
    close[i - 1] = c;
  }
  return { dates, close };
}

/**
 * Returns r_t = ln(P_t / P_{t-1}) ('log') or P_t / P_{t-1} - 1 ('simple'); length n - 1.
 * @throws InputError for a non-positive price or an unknown `kind`.
 */
export function priceReturns(prices: ArrayLike<number>, kind: 'log' | 'simple' = 'log'): Float64Array {
  if (kind !== 'log' && kind !== 'simple') throw new InputError('kind', kind, "'log' or 'simple'");
  const n = prices.length;
  const r = new Float64Array(Math.max(n - 1, 0));
  for (let t = 1; t < n; t++) {
    if (!(prices[t] > 0) || !(prices[t - 1] > 0)) throw new InputError(`prices[${prices[t] > 0 ? t - 1 : t}]`, prices[t] > 0 ? prices[t - 1] : prices[t], 'a positive price');
    r[t - 1] = kind === 'log' ? Math.log(prices[t] / prices[t - 1]) : prices[t] / prices[t - 1] - 1;
  }
  return r;
}

const DAY = 86400000;
function dayNumber(d: string): number {
  return Math.round(Date.parse(`${d}T00:00:00Z`) / DAY);
}
function dateOf(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** A date one asset lacks: a missing calendar day inside its own history, or a date other assets have (each (asset, date) listed once). */
export interface Gap { asset: string; date: string; kind: 'missingDay' | 'notInOtherAssets' }

export interface AlignedHistories {
  /** Dates present in every asset, ascending. */
  dates: string[];
  prices: Record<string, Float64Array>;
  /** Returns between consecutive common dates (length dates - 1), and the day count each spans. */
  returns: Record<string, Float64Array>;
  spanDays: Int32Array;
  gaps: Gap[];
}

/**
 * Align histories on the dates every asset has (their intersection, which starts at the latest
 * first date). Returns between consecutive common dates; a return spanning more than one calendar
 * day is kept and flagged in `spanDays`, and every missing day is listed in `gaps`.
 * @throws InputError for no assets or a malformed history.
 */
export function alignHistories(histories: Record<string, PriceHistory>, kind: 'log' | 'simple' = 'log'): AlignedHistories {
  const assets = Object.keys(histories);
  if (assets.length === 0) throw new InputError('histories', histories, 'at least one asset');
  const gaps: Gap[] = [];
  const maps = assets.map((a) => {
    const h = histories[a];
    if (!h || !Array.isArray(h.dates) || h.dates.length !== h.close?.length) throw new InputError(`histories.${a}`, h, 'a PriceHistory');
    const m = new Map<string, number>();
    h.dates.forEach((d, i) => {
      m.set(d, h.close[i]);
      if (i > 0) {
        for (let x = dayNumber(h.dates[i - 1]) + 1; x < dayNumber(d); x++) gaps.push({ asset: a, date: dateOf(x), kind: 'missingDay' });
      }
    });
    return m;
  });
  const start = Math.max(...assets.map((a) => dayNumber(histories[a].dates[0])));
  const end = Math.min(...assets.map((a) => dayNumber(histories[a].dates[histories[a].dates.length - 1])));
  const all = new Set<string>();
  assets.forEach((a) => histories[a].dates.forEach((d) => { const x = dayNumber(d); if (x >= start && x <= end) all.add(d); }));
  const dates = [...all].sort().filter((d) => {
    const missing = assets.filter((_, i) => !maps[i].has(d));
    missing.forEach((a) => {
      if (!gaps.some((g) => g.asset === a && g.date === d)) gaps.push({ asset: a, date: d, kind: 'notInOtherAssets' });
    });
    return missing.length === 0;
  });
  const prices: Record<string, Float64Array> = {};
  const returns: Record<string, Float64Array> = {};
  assets.forEach((a, i) => {
    prices[a] = Float64Array.from(dates, (d) => maps[i].get(d) as number);
    returns[a] = priceReturns(prices[a], kind);
  });
  const spanDays = Int32Array.from(dates.slice(1), (d, i) => dayNumber(d) - dayNumber(dates[i]));
  return { dates, prices, returns, spanDays, gaps };
}
