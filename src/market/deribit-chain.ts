import { InputError } from '../errors.js';

/**
 * A Deribit option chain snapshot, column-wise (one entry per option). Prices are in coins per
 * coin of underlying (inverse, coin-settled options); NaN where the snapshot has no value (an empty
 * `bid_price` means no bid).
 */
export interface DeribitChain {
  /** Number of options kept. */
  length: number;
  /** e.g. `BTC-27MAR26-90000-C`. */
  instrument: string[];
  /** `BTC`, `ETH`, ... */
  currency: string[];
  /** +1 call, -1 put. */
  type: Int8Array;
  /** Strike in USD. */
  strike: Float64Array;
  /** Expiry timestamp (ISO 8601, 08:00 UTC on Deribit). */
  expiry: string[];
  /** Time to expiry in years (seconds / (365.25 * 86400)), as published in the snapshot. */
  timeToMaturity: Float64Array;
  /** Best bid, best ask, Deribit mark and mid, in coins. */
  bid: Float64Array;
  ask: Float64Array;
  mark: Float64Array;
  mid: Float64Array;
  /** The forward in USD (a listed future or Deribit's synthetic forward). */
  forward: Float64Array;
  /** Spot index in USD. */
  index: Float64Array;
  /** Deribit's mark implied volatility (decimal). */
  markIv: Float64Array;
  /** Deribit's Black delta. */
  delta: Float64Array;
  /** Deribit's vega, USD per vol point. */
  vega: Float64Array;
  /** Open interest in contracts of one coin. */
  openInterest: Float64Array;
  /** Snapshot collection time (ISO 8601). */
  timestamp: string[];
  /** Source line (1-based, header = line 1) of each kept option. */
  line: Int32Array;
  /** Rows that were skipped, with their line number and why. */
  skipped: ChainRowIssue[];
}

/** A malformed row: its 1-based line number, the column at fault and the raw text. */
export interface ChainRowIssue {
  line: number;
  column: string;
  value: string;
  reason: string;
}

/** A malformed row in a CSV input, with its line number and column. */
export class CsvRowError extends InputError {
  readonly line: number;
  readonly column: string;
  constructor(issue: ChainRowIssue) {
    super(`line ${issue.line}: ${issue.column}`, issue.value, issue.reason);
    this.name = 'CsvRowError';
    this.line = issue.line;
    this.column = issue.column;
  }
}

/** Options of {@link loadDeribitChain}. */
export interface LoadChainOptions {
  /** `'skip'` (default): drop malformed rows and list them in `skipped`; `'reject'`: throw on the first. */
  onError?: 'skip' | 'reject';
}

const REQUIRED = ['instrument_name', 'option_type', 'strike', 'time_to_maturity', 'underlying'] as const;
const OPTIONAL_NUMERIC = ['bid_price', 'ask_price', 'mark_price', 'mid_price', 'index_price', 'implied_volatility', 'delta', 'vega', 'open_interest'] as const;

/** Split one CSV line (RFC 4180 quoting). */
function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Parse a Deribit option-chain snapshot CSV (the format of `data/market/*.csv`; columns in
 * `data/README.md`). Required columns: instrument_name, option_type, strike, time_to_maturity,
 * underlying; the price, IV and greek columns are read when present (empty cell -> NaN).
 * A row is malformed when it has the wrong number of cells, an unknown option_type, or a required
 * number that is missing, non-numeric, or not positive (time_to_maturity may not be negative).
 * @throws InputError if `csvText` is not a string or a required column is missing;
 * CsvRowError on the first malformed row when `onError: 'reject'`.
 */
export function loadDeribitChain(csvText: string, options: LoadChainOptions = {}): DeribitChain {
  if (typeof csvText !== 'string') throw new InputError('csvText', csvText, 'the CSV text as a string');
  const onError = options.onError ?? 'skip';
  if (onError !== 'skip' && onError !== 'reject') throw new InputError('options.onError', onError, "'skip' or 'reject'");
  const lines = csvText.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const col = new Map(header.map((h, i) => [h, i]));
  for (const r of REQUIRED) if (!col.has(r)) throw new InputError(`header.${r}`, lines[0], `a CSV header with column ${r}`);

  const keep: { cells: string[]; line: number }[] = [];
  const skipped: ChainRowIssue[] = [];
  const fail = (issue: ChainRowIssue) => {
    if (onError === 'reject') throw new CsvRowError(issue);
    skipped.push(issue);
  };
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i];
    if (text.trim() === '') continue;
    const cells = splitCsvLine(text);
    const line = i + 1;
    if (cells.length !== header.length) {
      fail({ line, column: '*', value: text.slice(0, 80), reason: `${header.length} cells (got ${cells.length})` });
      continue;
    }
    const type = cells[col.get('option_type')!];
    if (type !== 'call' && type !== 'put') {
      fail({ line, column: 'option_type', value: type, reason: "'call' or 'put'" });
      continue;
    }
    let bad = false;
    for (const name of ['strike', 'time_to_maturity', 'underlying'] as const) {
      const raw = cells[col.get(name)!];
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v) || (name === 'time_to_maturity' ? v < 0 : v <= 0)) {
        fail({ line, column: name, value: raw, reason: name === 'time_to_maturity' ? 'a number >= 0' : 'a positive number' });
        bad = true;
        break;
      }
    }
    if (bad) continue;
    for (const name of OPTIONAL_NUMERIC) {
      const idx = col.get(name);
      if (idx === undefined) continue;
      const raw = cells[idx];
      if (raw.trim() !== '' && !Number.isFinite(Number(raw))) {
        fail({ line, column: name, value: raw, reason: 'a number or an empty cell' });
        bad = true;
        break;
      }
    }
    if (!bad) keep.push({ cells, line });
  }

  const n = keep.length;
  const text = (name: string) => keep.map((k) => (col.has(name) ? k.cells[col.get(name)!] : ''));
  const num = (name: string) => {
    const out = new Float64Array(n).fill(NaN);
    const idx = col.get(name);
    if (idx !== undefined) keep.forEach((k, i) => (out[i] = k.cells[idx].trim() === '' ? NaN : Number(k.cells[idx])));
    return out;
  };
  const instrument = text('instrument_name');
  return {
    length: n,
    instrument,
    currency: col.has('currency') ? text('currency') : instrument.map((s) => s.split('-')[0]),
    type: Int8Array.from(keep, (k) => (k.cells[col.get('option_type')!] === 'call' ? 1 : -1)),
    strike: num('strike'),
    expiry: text('expiry_datetime'),
    timeToMaturity: num('time_to_maturity'),
    bid: num('bid_price'),
    ask: num('ask_price'),
    mark: num('mark_price'),
    mid: num('mid_price'),
    forward: num('underlying'),
    index: num('index_price'),
    markIv: num('implied_volatility'),
    delta: num('delta'),
    vega: num('vega'),
    openInterest: num('open_interest'),
    timestamp: text('timestamp'),
    line: Int32Array.from(keep, (k) => k.line),
    skipped,
  };
}
