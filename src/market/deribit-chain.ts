import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { parseDecimal } from '../csv-number.js';
import { parseIsoTime, splitCsvLine, YEAR_MS } from './csv-text.js';
import { CsvRowError, type ChainRowIssue, type OptionChain } from './option-chain.js';

export { CsvRowError, type ChainRowIssue } from './option-chain.js';

/**
 * A Deribit option chain snapshot: an {@link OptionChain} whose prices are in coins per coin of
 * underlying (inverse, coin-settled options) and whose `forward` is the listed future or Deribit's
 * synthetic forward of each row (USD).
 */
export type DeribitChain = OptionChain;

/** Options of {@link loadDeribitChain}. */
export interface LoadChainOptions {
  /** `'skip'` (default): drop malformed rows and list them in `skipped`; `'reject'`: throw on the first. */
  onError?: 'skip' | 'reject';
  /** File name used in errors (CsvRowError's `file`). */
  fileName?: string;
}

/** Deribit's smallest option price step, in coins (0.0001 BTC or ETH). */
const DERIBIT_TICK = 0.0001;

const OPTION_KEYS = ['onError', 'fileName'] as const satisfies readonly (keyof LoadChainOptions)[];

/**
 * How far `time_to_maturity` may stand from (expiry_datetime - timestamp), in years: one hour. The
 * bundled snapshots agree to 1 ms (T is computed from the run's start time); a collector that
 * stamps T at each row's fetch drifts by the run's length (about a minute). Two expiries are at
 * least a day apart, so a row that disagrees by more than an hour is on the wrong slice.
 */
const MATURITY_TOLERANCE = 3600 * 1000 / YEAR_MS;

/** Month codes of Deribit instrument names (`27MAR26`). */
const MONTH_CODES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Expiry (ms, 08:00 UTC as Deribit lists) of an instrument name like `BTC-27MAR26-90000-C`, or NaN. */
function expiryOfInstrument(name: string): number {
  const m = /^[A-Za-z0-9_]+-(\d{1,2})([A-Z]{3})(\d{2})(?:-|$)/.exec(name);
  const month = m ? MONTH_CODES.indexOf(m[2]) : -1;
  if (!m || month < 0) return NaN;
  const t = Date.UTC(2000 + Number(m[3]), month, Number(m[1]), 8);
  return new Date(t).getUTCDate() === Number(m[1]) ? t : NaN;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const years = (x: number) => String(Number(x.toPrecision(6)));

/**
 * The dates of one row against each other: the expiry of `instrument_name` (`27MAR26`, 08:00 UTC),
 * `expiry_datetime`, and `timestamp` + `time_to_maturity`. Returns the issue naming the column
 * that disagrees with the others (and both values), or undefined when they agree or cannot be
 * checked (a column absent or empty).
 */
function dateIssue(line: number, name: string, expiryText: string, stampText: string, T: number, rawT: string, time: (text: string) => number): ChainRowIssue | undefined {
  const expiry = expiryText.trim() === '' ? NaN : time(expiryText);
  if (expiryText.trim() !== '' && Number.isNaN(expiry)) return { line, column: 'expiry_datetime', value: expiryText, reason: 'an ISO 8601 date-time such as 2026-03-27T08:00:00+00:00' };
  const stamp = stampText.trim() === '' ? NaN : time(stampText);
  if (stampText.trim() !== '' && Number.isNaN(stamp)) return { line, column: 'timestamp', value: stampText, reason: 'an ISO 8601 date-time such as 2026-01-05T15:33:29+00:00' };
  const named = expiryOfInstrument(name);
  const DAY = 86400000;
  // Does time_to_maturity match an expiry (0 for one at or before the snapshot)? Needs the snapshot time.
  const agreesWithT = (ms: number) => !Number.isNaN(stamp) && Math.abs(Math.max(0, ms - stamp) / YEAR_MS - T) <= MATURITY_TOLERANCE;
  if (!Number.isNaN(named) && !Number.isNaN(expiry) && Math.floor(named / DAY) !== Math.floor(expiry / DAY)) {
    // Two witnesses disagree: the one time_to_maturity backs is right, the other is reported.
    if (agreesWithT(expiry)) return { line, column: 'instrument_name', value: name, reason: `an instrument expiring on ${isoDay(expiry)} as expiry_datetime ${expiryText.trim()} and time_to_maturity ${rawT.trim()} say` };
    return { line, column: 'expiry_datetime', value: expiryText, reason: `the expiry of instrument_name ${name} (${isoDay(named)})` };
  }
  const exp = Number.isNaN(expiry) ? named : expiry;
  if (Number.isNaN(exp) || Number.isNaN(stamp) || agreesWithT(exp)) return undefined;
  const implied = Math.max(0, exp - stamp) / YEAR_MS;
  const source = Number.isNaN(expiry) ? `the expiry of instrument_name ${name} (${new Date(exp).toISOString()})` : `expiry_datetime ${expiryText.trim()}`;
  const why = exp <= stamp
    ? `${source} is not after the snapshot timestamp ${stampText.trim()}`
    : `${years(implied)} years from timestamp ${stampText.trim()} to ${source}`;
  return { line, column: 'time_to_maturity', value: rawT, reason: `${years(implied)} (${why})` };
}

const REQUIRED = ['instrument_name', 'option_type', 'strike', 'time_to_maturity', 'underlying'] as const;
const OPTIONAL_NUMERIC = ['bid_price', 'ask_price', 'mark_price', 'mid_price', 'index_price', 'implied_volatility', 'delta', 'vega', 'open_interest'] as const;

/** For a cell JavaScript would read as a number but a CSV must not (`0x10`, `0b1`, `1e999`): what is expected instead. */
function notationHint(raw: string): string {
  return raw.trim() !== '' && !Number.isNaN(Number(raw)) ? ' in decimal notation (finite; no hex, binary, octal or Infinity)' : '';
}

/**
 * Parse a Deribit option-chain snapshot CSV (the format of `data/market/*.csv`; columns in
 * `data/README.md`). Required columns: instrument_name, option_type, strike, time_to_maturity,
 * underlying; the price, IV and greek columns are read when present (empty cell -> NaN).
 *
 * Numbers are decimal only: an optional sign, digits with an optional fraction, an optional
 * exponent (`93758.42`, `-0.03302`, `1.5e-3`), surrounding spaces allowed. `0x10`, `0b1`, `1_000`,
 * `Infinity`, `NaN` and values that overflow a double (`1e999`) are malformed, never read as a number.
 *
 * A row is malformed when it has the wrong number of cells, an unknown option_type, a required
 * number that is missing, not decimal, or not positive (time_to_maturity may be 0, not negative),
 * an optional number that is neither decimal nor empty, or dates that disagree. The dates of a row
 * are checked against each other when present: the expiry in `instrument_name` (`27MAR26`),
 * `expiry_datetime`, and the snapshot `timestamp` + `time_to_maturity` (years of 365.25 days,
 * within one hour; 0 for an expiry at or before the snapshot). The issue names the column that
 * disagrees with the other two (`time_to_maturity` when it alone disagrees, e.g. a positive T on an
 * option whose expiry is before the snapshot) and, in its reason, the values it was checked against.
 * Dates are ISO 8601; a date-time without an offset is UTC.
 * @param options `{ onError, fileName }`; unknown keys are an InputError (with the closest valid key).
 * @throws InputError if `csvText` is not a string, `options` is not an options object, or a
 * required column is missing; CsvRowError on the first malformed row when `onError: 'reject'`.
 */
export function loadDeribitChain(csvText: string, options: LoadChainOptions = {}): DeribitChain {
  if (typeof csvText !== 'string') throw new InputError('csvText', csvText, 'the CSV text as a string');
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InputError('options', options, "an options object { onError?: 'skip' | 'reject' }");
  checkKeys(options, OPTION_KEYS, 'options');
  const onError = options.onError ?? 'skip';
  if (onError !== 'skip' && onError !== 'reject') throw new InputError('options.onError', onError, "'skip' or 'reject'");
  const file = options.fileName;
  if (file !== undefined && typeof file !== 'string') throw new InputError('options.fileName', file, 'a file name string');
  const lines = csvText.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const col = new Map(header.map((h, i) => [h, i]));
  for (const r of REQUIRED) if (!col.has(r)) throw new InputError(`header.${r}`, lines[0], `a CSV header with column ${r}`);

  const cell = (cells: string[], name: string) => (col.has(name) ? cells[col.get(name)!] : '');
  // A chain has one timestamp and a dozen expiries: parse each distinct date text once.
  const times = new Map<string, number>();
  const time = (text: string) => {
    let t = times.get(text);
    if (t === undefined) times.set(text, (t = parseIsoTime(text)));
    return t;
  };
  // Numeric columns, parsed once per row while checking it: the required three, then the optional ones present.
  const numeric = [...(['strike', 'time_to_maturity', 'underlying'] as const), ...OPTIONAL_NUMERIC.filter((c) => col.has(c))];
  const numIdx = numeric.map((c) => col.get(c)!);
  const keep: { cells: string[]; line: number; nums: Float64Array }[] = [];
  const skipped: ChainRowIssue[] = [];
  const fail = (issue: ChainRowIssue) => {
    if (onError === 'reject') throw new CsvRowError(issue, file);
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
    const nums = new Float64Array(numeric.length);
    for (let j = 0; j < numeric.length; j++) nums[j] = parseDecimal(cells[numIdx[j]]);
    for (const [j, name] of (['strike', 'time_to_maturity', 'underlying'] as const).entries()) {
      const raw = cells[numIdx[j]];
      const v = nums[j];
      if (!(name === 'time_to_maturity' ? v >= 0 : v > 0)) {
        fail({ line, column: name, value: raw, reason: (name === 'time_to_maturity' ? 'a number >= 0' : 'a positive number') + notationHint(raw) });
        bad = true;
        break;
      }
    }
    if (bad) continue;
    for (let j = 3; j < numeric.length; j++) {
      const name = numeric[j];
      const raw = cells[numIdx[j]];
      if (Number.isNaN(nums[j]) && raw.trim() !== '') {
        fail({ line, column: name, value: raw, reason: 'a number or an empty cell' + notationHint(raw) });
        bad = true;
        break;
      }
    }
    if (bad) continue;
    const rawT = cells[col.get('time_to_maturity')!];
    const issue = dateIssue(line, cells[col.get('instrument_name')!], cell(cells, 'expiry_datetime'), cell(cells, 'timestamp'), nums[1], rawT, time);
    if (issue) {
      fail(issue);
      continue;
    }
    keep.push({ cells, line, nums });
  }

  const n = keep.length;
  const text = (name: string) => keep.map((k) => (col.has(name) ? k.cells[col.get(name)!] : ''));
  const num = (name: string) => {
    const out = new Float64Array(n).fill(NaN);
    const j = (numeric as readonly string[]).indexOf(name);
    if (j >= 0) keep.forEach((k, i) => (out[i] = k.nums[j]));
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
    priceUnit: 'underlying',
    venue: 'deribit',
    tickSize: DERIBIT_TICK,
  };
}
