/**
 * Price histories and returns: parse daily CSV candles, compute log or simple returns, and align
 * several assets on common dates, reporting the gaps (missing calendar days in a series, and
 * dates one asset has and another lacks).
 */
import { InputError } from '../errors.js';
import { checkArrayLike, checkEnum, checkOptions, keysOf, optionalOptions } from './validate.js';
import { dict } from '../data-tables.js';
import { DECIMAL_NUMBER } from '../csv-number.js';

export interface PriceHistory {
  /** ISO dates (YYYY-MM-DD), ascending. */
  dates: string[];
  /** Closing prices. */
  close: Float64Array;
}

/** Options of {@link parsePriceCsv}. */
export interface ParsePriceCsvOptions {
  /** The file the text came from, named in errors. */
  file?: string;
}

const PARSE_KEYS = keysOf<ParsePriceCsvOptions>()(['file']);

/**
 * A malformed row of a price-history CSV. `path` is `line N` (1-based, the header is line 1);
 * `line`, `column` (the header name of the bad cell) and `file` (when the caller named it) locate
 * it; `value` is the cell's text.
 */
export class PriceCsvError extends InputError {
  readonly line: number;
  readonly column: string;
  readonly file?: string;
  constructor(line: number, column: string, value: unknown, expected: string, file?: string) {
    super(`line ${line}`, value, `${expected} in column '${column}'`);
    this.name = 'PriceCsvError';
    this.line = line;
    this.column = column;
    if (file !== undefined) {
      this.file = file;
      this.message = `${file}: ${this.message}`;
    }
  }
}

/** True for a valid calendar date written YYYY-MM-DD. */
export function isIsoDate(d: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return false;
  const t = Date.parse(`${d}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
}

/**
 * Parse a daily candle CSV with a header naming `timestamp` (or `date`) and `close` columns
 * (Binance klines as bundled in data/history/). Dates keep their first 10 characters and must be
 * calendar dates YYYY-MM-DD in ascending order; closes must be positive decimal numbers that fit a
 * double (spaces around a cell are ignored).
 * @throws InputError (path `text`) for a missing header column; {@link PriceCsvError} naming the
 *   line, column and file (when given) of the first malformed row.
 */
export function parsePriceCsv(text: string, options?: ParsePriceCsvOptions): PriceHistory {
  if (typeof text !== 'string') throw new InputError('text', text, 'CSV text');
  const o = optionalOptions(options, PARSE_KEYS, 'options');
  const file = o?.file;
  if (file !== undefined && typeof file !== 'string') throw new InputError('options.file', file, 'a file name');
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const head = header.map((s) => s.trim().toLowerCase());
  const iDate = head.indexOf('timestamp') >= 0 ? head.indexOf('timestamp') : head.indexOf('date');
  const iClose = head.indexOf('close');
  if (iDate < 0 || iClose < 0) throw new InputError('text', lines[0], "a header with 'timestamp' (or 'date') and 'close'");
  const dateCol = header[iDate].trim(), closeCol = header[iClose].trim();
  const dates: string[] = [];
  const close = new Float64Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const cols = lines[i].split(',');
    const d = (cols[iDate] ?? '').trim().slice(0, 10);
    if (!isIsoDate(d)) throw new PriceCsvError(i + 1, dateCol, d, 'a date YYYY-MM-DD', file);
    const cell = (cols[iClose] ?? '').trim();
    if (!DECIMAL_NUMBER.test(cell)) throw new PriceCsvError(i + 1, closeCol, cell, 'a positive close (a decimal number)', file);
    const c = Number(cell);
    if (!Number.isFinite(c)) throw new PriceCsvError(i + 1, closeCol, cell, 'a positive close that fits a double (at most 1.8e308)', file);
    if (!(c > 0)) throw new PriceCsvError(i + 1, closeCol, cell, 'a positive close', file);
    if (dates.length && d <= dates[dates.length - 1]) throw new PriceCsvError(i + 1, dateCol, d, `a date after ${dates[dates.length - 1]} (ascending)`, file);
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
  checkEnum(kind, KINDS, 'kind');
  const n = checkArrayLike(prices, 'prices').length;
  // Every price checked before the output is allocated (a `{ length: 1e10 }` fails at prices[0]).
  for (let t = 0; t < n; t++) {
    const p = prices[t];
    if (typeof p !== 'number' || !(p > 0) || p === Infinity) throw new InputError(`prices[${t}]`, p, 'a positive finite price');
  }
  const r = new Float64Array(Math.max(n - 1, 0));
  for (let t = 1; t < n; t++) {
    r[t - 1] = kind === 'log' ? Math.log(prices[t] / prices[t - 1]) : prices[t] / prices[t - 1] - 1;
  }
  return r;
}

const KINDS = ['log', 'simple'] as const;
const HISTORY_KEYS = keysOf<PriceHistory>()(['dates', 'close']);

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
  checkEnum(kind, KINDS, 'kind');
  if (histories === null || typeof histories !== 'object' || Array.isArray(histories)) throw new InputError('histories', histories, 'an object of histories by asset');
  const assets = Object.keys(histories);
  if (assets.length === 0) throw new InputError('histories', histories, 'at least one asset');
  const gaps: Gap[] = [];
  const gapSeen = new Set<string>(); // `${asset}\u0000${date}`: each (asset, date) listed once, in O(1)
  const maps = assets.map((a) => {
    const h = histories[a];
    const path = `histories.${a}`;
    checkOptions(h, HISTORY_KEYS, path);
    if (!Array.isArray(h.dates) || h.dates.length === 0) throw new InputError(`${path}.dates`, h.dates, 'a non-empty array of dates YYYY-MM-DD');
    const close = checkArrayLike(h.close, `${path}.close`);
    if (close.length !== h.dates.length) throw new InputError(`${path}.close`, h.close, `${h.dates.length} prices (one per date)`);
    const m = new Map<string, number>();
    let prev = NaN;
    h.dates.forEach((d, i) => {
      const x = typeof d === 'string' && isIsoDate(d) ? dayNumber(d) : NaN;
      if (!Number.isFinite(x)) throw new InputError(`${path}.dates[${i}]`, d, 'a date YYYY-MM-DD');
      if (i > 0 && !(x > prev)) throw new InputError(`${path}.dates[${i}]`, d, `a date after ${h.dates[i - 1]} (ascending)`);
      const c = close[i];
      if (typeof c !== 'number' || !(c > 0) || c === Infinity) throw new InputError(`${path}.close[${i}]`, c, 'a positive finite price');
      m.set(d, c);
      if (i > 0) {
        for (let y = prev + 1; y < x; y++) {
          gaps.push({ asset: a, date: dateOf(y), kind: 'missingDay' });
          gapSeen.add(`${a}\u0000${dateOf(y)}`);
        }
      }
      prev = x;
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
      const key = `${a}\u0000${d}`;
      if (!gapSeen.has(key)) {
        gapSeen.add(key);
        gaps.push({ asset: a, date: d, kind: 'notInOtherAssets' });
      }
    });
    return missing.length === 0;
  });
  // Null-prototype tables: an asset named `__proto__` or `constructor` is data, not a prototype.
  const prices = dict<Float64Array>();
  const returns = dict<Float64Array>();
  assets.forEach((a, i) => {
    prices[a] = Float64Array.from(dates, (d) => maps[i].get(d) as number);
    returns[a] = priceReturns(prices[a], kind);
  });
  const spanDays = Int32Array.from(dates.slice(1), (d, i) => dayNumber(d) - dayNumber(dates[i]));
  return { dates, prices, returns, spanDays, gaps };
}
