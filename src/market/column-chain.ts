/**
 * Reader of an option chain in any CSV whose columns are named by the caller
 * (`columns: { expiry: 'Expiry', strike: 'K', type: 'CP', bid: 'Bid', ask: 'Ask' }`).
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { parseDecimal } from '../csv-number.js';
import { splitCsvLine, YEAR_MS } from './csv-text.js';
import { blankRow, chainOfRows, type ChainRow } from './chain-rows.js';
import { expiryMs, expiryTimeOffsetMs, valuationMs } from './expiry-time.js';
import { CsvRowError, type ChainRowIssue, type OptionChain, type PriceUnit } from './option-chain.js';

/** Header names of the columns to read. `expiry`, `strike`, `type`, `bid`, `ask` are required. */
export interface ChainColumns {
  /** Expiry: ISO 8601 date (at `expiryTime`) or date-time. */
  expiry: string;
  /** Strike (quote currency, e.g. USD). */
  strike: string;
  /** `call`/`put`, `C`/`P` (any case), or `1`/`-1`. */
  type: string;
  /** Best bid and ask in `priceUnit` (empty or 0: no quote). */
  bid: string;
  ask: string;
  /** Venue mark price, implied vol (decimal), spot of the underlying, forward of the expiry (quote currency). */
  mark?: string;
  iv?: string;
  underlying?: string;
  forward?: string;
  /** Instrument name, underlying name, quote time (ISO 8601), open interest, volume, delta. */
  instrument?: string;
  currency?: string;
  timestamp?: string;
  openInterest?: string;
  volume?: string;
  delta?: string;
}

/** Options of {@link loadColumnChain}. */
export interface ColumnChainOptions {
  columns: ChainColumns;
  /** Units of bid/ask/mark: `'quote'` (default; USD, discounted) or `'underlying'` (coin-settled, as Deribit). */
  priceUnit?: PriceUnit;
  /** Quote time (ISO 8601; no offset: UTC). Required unless `columns.timestamp` is given. */
  valuationTime?: string;
  /** Time of day of date-only expiries, `'16:00-04:00'`, `'08:00Z'` (default `'00:00Z'`). */
  expiryTime?: string;
  /** Underlying name when there is no `columns.currency` (default `'UNDERLYING'`). */
  underlying?: string;
  /** Minimum price step in `priceUnit` (used by the tick filter; default NaN: unknown, filter off). */
  tickSize?: number;
  /** `'skip'` (default): drop malformed rows into `skipped`; `'reject'`: throw on the first. */
  onError?: 'skip' | 'reject';
  /** File name used in errors. */
  fileName?: string;
}

const OPTION_KEYS = ['columns', 'priceUnit', 'valuationTime', 'expiryTime', 'underlying', 'tickSize', 'onError', 'fileName'] as const satisfies readonly (keyof ColumnChainOptions)[];
const COLUMN_KEYS = ['expiry', 'strike', 'type', 'bid', 'ask', 'mark', 'iv', 'underlying', 'forward', 'instrument', 'currency', 'timestamp', 'openInterest', 'volume', 'delta'] as const satisfies readonly (keyof ChainColumns)[];
const REQUIRED = ['expiry', 'strike', 'type', 'bid', 'ask'] as const;

/** `call`, `put`, `C`, `P`, `1`, `-1` (any case, spaces around) -> +1 / -1, else 0. */
export function optionTypeOf(cell: string): 1 | -1 | 0 {
  const t = cell.trim().toLowerCase();
  if (t === 'call' || t === 'c' || t === '1' || t === '+1') return 1;
  if (t === 'put' || t === 'p' || t === '-1') return -1;
  return 0;
}

/** Check the shared chain-reader options (`priceUnit`, `underlying`, `tickSize`, `fileName`, `onError`). */
export function checkReaderOptions(o: Record<string, unknown>): { priceUnit: PriceUnit; tickSize: number; onError: 'skip' | 'reject'; file: string | undefined } {
  const priceUnit = o.priceUnit ?? 'quote';
  if (priceUnit !== 'quote' && priceUnit !== 'underlying') throw new InputError('options.priceUnit', priceUnit, "'quote' (quote currency, discounted) or 'underlying' (coin-settled)");
  const tickSize = o.tickSize ?? NaN;
  if (typeof tickSize !== 'number' || (!Number.isNaN(tickSize) && !(tickSize > 0 && tickSize < Infinity))) throw new InputError('options.tickSize', tickSize, 'a finite positive price step');
  const onError = o.onError ?? 'skip';
  if (onError !== 'skip' && onError !== 'reject') throw new InputError('options.onError', onError, "'skip' or 'reject'");
  if (o.fileName !== undefined && typeof o.fileName !== 'string') throw new InputError('options.fileName', o.fileName, 'a file name string');
  if (o.underlying !== undefined && (typeof o.underlying !== 'string' || o.underlying.trim() === '')) throw new InputError('options.underlying', o.underlying, 'a non-empty underlying name');
  return { priceUnit, tickSize, onError, file: o.fileName as string | undefined };
}

/**
 * Parse a CSV option chain whose columns are mapped by `options.columns` (header names). Line 1
 * (after blank lines) is the header. Numbers are decimal (see `loadDeribitChain`); an empty
 * optional cell is NaN. Time to expiry in years of 365.25 days from the quote time (the row's
 * `timestamp` column, else `valuationTime`), 0 for an expiry at or before it.
 * A row is malformed when its cell count differs from the header's, its type is not a call/put
 * spelling, its strike is not positive, a price is negative or not a number, or its expiry is
 * not an ISO 8601 date.
 * @throws InputError for malformed options (`options.columns.bid`, ...); CsvRowError naming the
 * file, line and column when a mapped column is missing from the header, or (with
 * `onError: 'reject'`) on the first malformed row.
 */
export function loadColumnChain(text: string, options: ColumnChainOptions): OptionChain {
  if (typeof text !== 'string') throw new InputError('text', text, 'the CSV text as a string');
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InputError('options', options, 'an options object with columns');
  checkKeys(options, OPTION_KEYS, 'options');
  const { priceUnit, tickSize, onError, file } = checkReaderOptions(options as unknown as Record<string, unknown>);
  const columns = options.columns as unknown;
  if (columns === null || typeof columns !== 'object' || Array.isArray(columns)) throw new InputError('options.columns', columns, "a column map such as { expiry: 'Expiry', strike: 'Strike', type: 'Type', bid: 'Bid', ask: 'Ask' }");
  checkKeys(columns as Record<string, unknown>, COLUMN_KEYS, 'options.columns');
  const map = columns as Record<string, unknown>;
  for (const key of REQUIRED) if (typeof map[key] !== 'string') throw new InputError(`options.columns.${key}`, map[key], 'the header name of that column');
  for (const key of COLUMN_KEYS) if (map[key] !== undefined && typeof map[key] !== 'string') throw new InputError(`options.columns.${key}`, map[key], 'the header name of that column');
  const timeOffset = expiryTimeOffsetMs(options.expiryTime, 'options.expiryTime');
  const fixedValuation = options.valuationTime === undefined ? NaN : valuationMs(options.valuationTime, 'options.valuationTime');
  if (Number.isNaN(fixedValuation) && map.timestamp === undefined) throw new InputError('options.valuationTime', undefined, 'the quote time (ISO 8601) when there is no columns.timestamp');

  const lines = text.split(/\r?\n/);
  let at = 0;
  while (at < lines.length && lines[at].trim() === '') at++;
  const header = splitCsvLine(lines[at] ?? '').map((h) => h.trim());
  const col = new Map<string, number>();
  for (const key of COLUMN_KEYS) {
    const name = map[key] as string | undefined;
    if (name === undefined) continue;
    const j = header.indexOf(name.trim());
    if (j < 0) throw new CsvRowError({ line: at + 1, column: name, value: (lines[at] ?? '').slice(0, 80), reason: `a header with column ${JSON.stringify(name)} (options.columns.${key})` }, file);
    col.set(key, j);
  }
  const rows: ChainRow[] = [];
  const stamps: number[] = [];
  const skipped: ChainRowIssue[] = [];
  const fail = (issue: ChainRowIssue) => {
    if (onError === 'reject') throw new CsvRowError(issue, file);
    skipped.push(issue);
  };
  const times = new Map<string, number>();
  const cachedTime = (s: string, f: (s: string) => number) => {
    let t = times.get(s);
    if (t === undefined) times.set(s, (t = f(s)));
    return t;
  };
  const name = (key: string) => map[key] as string;
  const numeric: [keyof ChainRow, string, number][] = [];
  for (const [field, key, min] of [['bid', 'bid', 0], ['ask', 'ask', 0], ['mark', 'mark', 0], ['markIv', 'iv', 0], ['index', 'underlying', 0], ['forward', 'forward', 0], ['openInterest', 'openInterest', 0], ['volume', 'volume', 0], ['delta', 'delta', -1]] as const) {
    if (col.has(key)) numeric.push([field, key, min]);
  }
  const underlying = options.underlying ?? 'UNDERLYING';
  let firstValuation = fixedValuation;
  for (let i = at + 1; i < lines.length; i++) {
    const textLine = lines[i];
    if (textLine.trim() === '') continue;
    const line = i + 1;
    const cells = splitCsvLine(textLine);
    if (cells.length !== header.length) {
      fail({ line, column: '*', value: textLine.slice(0, 80), reason: `${header.length} cells (got ${cells.length})` });
      continue;
    }
    const row = blankRow();
    const type = optionTypeOf(cells[col.get('type')!]);
    if (type === 0) {
      fail({ line, column: name('type'), value: cells[col.get('type')!], reason: "'call' or 'put' (C/P, 1/-1)" });
      continue;
    }
    row.type = type;
    row.strike = parseDecimal(cells[col.get('strike')!]);
    if (!(row.strike > 0)) {
      fail({ line, column: name('strike'), value: cells[col.get('strike')!], reason: 'a positive number' });
      continue;
    }
    const expiryText = cells[col.get('expiry')!].trim();
    row.expiryMs = cachedTime(`e:${expiryText}`, () => expiryMs(expiryText, timeOffset));
    if (Number.isNaN(row.expiryMs)) {
      fail({ line, column: name('expiry'), value: expiryText, reason: 'an ISO 8601 date or date-time such as 2023-08-25 or 2023-08-25T20:00:00Z' });
      continue;
    }
    let quoteMs = fixedValuation;
    if (col.has('timestamp')) {
      const stamp = cells[col.get('timestamp')!].trim();
      quoteMs = cachedTime(`t:${stamp}`, () => { try { return valuationMs(stamp, ''); } catch { return NaN; } });
      if (Number.isNaN(quoteMs)) {
        fail({ line, column: name('timestamp'), value: stamp, reason: 'an ISO 8601 date-time' });
        continue;
      }
    }
    if (Number.isNaN(firstValuation)) firstValuation = quoteMs;
    let bad = false;
    for (const [field, key, min] of numeric) {
      const raw = cells[col.get(key)!];
      const v = raw.trim() === '' ? NaN : parseDecimal(raw);
      if ((raw.trim() !== '' && Number.isNaN(v)) || v < min || (key === 'delta' && v > 1)) {
        fail({ line, column: name(key), value: raw, reason: key === 'delta' ? 'a number in [-1, 1] or an empty cell' : 'a number >= 0 or an empty cell' });
        bad = true;
        break;
      }
      (row[field] as number) = v;
    }
    if (bad) continue;
    row.timeToMaturity = Math.max(0, row.expiryMs - quoteMs) / YEAR_MS;
    row.instrument = col.has('instrument') ? cells[col.get('instrument')!].trim() : `${line}`;
    row.currency = col.has('currency') ? cells[col.get('currency')!].trim() : underlying;
    row.line = line;
    rows.push(row);
    stamps.push(quoteMs);
  }
  const valuationTime = Number.isNaN(firstValuation) ? '' : new Date(firstValuation).toISOString();
  const chain = chainOfRows(rows, { venue: 'columns', priceUnit, tickSize, valuationTime }, skipped);
  if (col.has('timestamp')) chain.timestamp = stamps.map((t) => new Date(t).toISOString());
  return chain;
}
