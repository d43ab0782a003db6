/**
 * Reader of Cboe's delayed-quotes option-chain download (the "Download CSV" of
 * cboe.com/delayed_quotes): index name and `Last:` on the first line, `Date:` on the second, a
 * header, then one row per (expiry, strike) with the call's columns, the strike, the put's columns.
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { parseDecimal } from '../csv-number.js';
import { splitCsvLine, YEAR_MS } from './csv-text.js';
import { blankRow, chainOfRows, type ChainRow } from './chain-rows.js';
import { CsvRowError, type ChainRowIssue, type OptionChain } from './option-chain.js';

/** Options of {@link loadCboeChain}. */
export interface CboeChainOptions {
  /** `'skip'` (default): drop malformed rows and list them in `skipped`; `'reject'`: throw on the first. */
  onError?: 'skip' | 'reject';
  /** File name used in errors (`spx.csv line 7: Bid`). */
  fileName?: string;
  /** Underlying name of every option (default: the shortest option root, `SPX` for SPX and SPXW). */
  underlying?: string;
  /**
   * Quote time (ISO 8601) overriding the file's `Date:` line. Cboe's `Date:` is when the page was
   * downloaded: on a weekend that is after the last session the prices come from.
   */
  valuationTime?: string;
}

const OPTION_KEYS = ['onError', 'fileName', 'underlying', 'valuationTime'] as const satisfies readonly (keyof CboeChainOptions)[];

/** SPX's smallest price step at or above 3.00 is 0.10 and below 0.05: the finer one, in USD. */
const CBOE_TICK = 0.05;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** UTC offsets (hours) of the zone abbreviations Cboe's `Date:` line uses. */
const ZONES = new Map<string, number>([
  ['EDT', -4], ['EST', -5], ['CDT', -5], ['CST', -6], ['MDT', -6], ['MST', -7], ['PDT', -7], ['PST', -8], ['UTC', 0], ['GMT', 0], ['Z', 0],
]);

/**
 * Roots whose options settle on the expiry day's opening prints (a.m. settlement, 09:30 New York);
 * every other root settles at the 16:00 close (SPXW, equities, ETFs).
 */
const AM_ROOTS = new Set(['SPX', 'NDX', 'RUT']);

/** New York's UTC offset in hours on a calendar day (US rule since 2007: second Sunday of March to first Sunday of November). */
export function newYorkOffsetHours(year: number, month0: number, day: number): number {
  const nthSunday = (m: number, n: number) => {
    const first = new Date(Date.UTC(year, m, 1)).getUTCDay();
    return 1 + ((7 - first) % 7) + 7 * (n - 1);
  };
  const start = Date.UTC(year, 2, nthSunday(2, 2));
  const end = Date.UTC(year, 10, nthSunday(10, 1));
  const t = Date.UTC(year, month0, day);
  return t >= start && t < end ? -4 : -5;
}

/** ms of a New York wall-clock time on a calendar day. */
function newYorkTime(year: number, month0: number, day: number, hour: number, minute: number): number {
  return Date.UTC(year, month0, day, hour, minute) - newYorkOffsetHours(year, month0, day) * 3600000;
}

/** `Date: August 20, 2023 at 10:42 PM EDT` -> ms, or NaN. A time without a zone is New York time. */
function parseQuoteDate(cell: string): number {
  const m = /^\s*Date:\s*([A-Za-z]+)\s+(\d{1,2}),?\s+(\d{4})(?:\s+at\s+(\d{1,2}):(\d{2})\s*([AaPp][Mm])?\s*([A-Za-z]{1,4})?)?\s*$/.exec(cell);
  if (!m) return NaN;
  const month0 = MONTHS.indexOf(m[1].slice(0, 3).toLowerCase());
  const day = Number(m[2]), year = Number(m[3]);
  if (month0 < 0 || new Date(Date.UTC(year, month0, day)).getUTCDate() !== day) return NaN;
  let hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  if (m[6] !== undefined) {
    if (hour < 1 || hour > 12) return NaN;
    hour = (hour % 12) + (m[6].toUpperCase() === 'PM' ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return NaN;
  if (m[7] === undefined) return newYorkTime(year, month0, day, hour, minute);
  const zone = ZONES.get(m[7].toUpperCase());
  if (zone === undefined) return NaN;
  return Date.UTC(year, month0, day, hour, minute) - zone * 3600000;
}

/** The regular session's close, 16:15 New York (index options trade 15 minutes past the stocks). */
const CLOSE_MINUTES = 16 * 60 + 15;
const OPEN_MINUTES = 9 * 60 + 30;

/**
 * The time the prices of a download at `ms` are from: `ms` itself during a weekday's regular
 * session (09:30 to 16:15 New York), else the close of the last weekday session before it (a
 * Sunday-evening download holds Friday's closing quotes). Exchange holidays are not known here:
 * pass `valuationTime` for a download made on one.
 * @param ms the download time, ms since epoch.
 * @returns ms since epoch.
 * @throws InputError unless `ms` is a finite number within the years 1970 to 9999.
 */
export function lastSessionClose(ms: number): number {
  if (typeof ms !== 'number' || !(ms >= 0 && ms < 253402300800000)) throw new InputError('ms', ms, 'a time in ms since epoch (1970 to 9999)');
  const probe = new Date(ms);
  let y = probe.getUTCFullYear(), m0 = probe.getUTCMonth(), d = probe.getUTCDate();
  // The New York calendar day and minute of `ms`.
  let local = new Date(ms + newYorkOffsetHours(y, m0, d) * 3600000);
  y = local.getUTCFullYear(); m0 = local.getUTCMonth(); d = local.getUTCDate();
  local = new Date(ms + newYorkOffsetHours(y, m0, d) * 3600000);
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const weekday = local.getUTCDay();
  const inSession = weekday >= 1 && weekday <= 5 && minute >= OPEN_MINUTES && minute <= CLOSE_MINUTES;
  if (inSession) return ms;
  // Today's close if it is a weekday after the close, else step back to the previous weekday.
  let day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  if (!(weekday >= 1 && weekday <= 5 && minute > CLOSE_MINUTES)) {
    do day -= 86400000; while ([0, 6].includes(new Date(day).getUTCDay()));
  }
  const c = new Date(day);
  return newYorkTime(c.getUTCFullYear(), c.getUTCMonth(), c.getUTCDate(), 16, 15);
}

/** `Fri Aug 25 2023` (weekday optional) -> [year, month0, day], or undefined. */
function parseExpiryDate(cell: string): [number, number, number] | undefined {
  const m = /^\s*(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})[a-z]*\s+(\d{1,2}),?\s+(\d{4})\s*$/.exec(cell);
  if (!m) return undefined;
  const month0 = MONTHS.indexOf(m[1].toLowerCase());
  const day = Number(m[2]), year = Number(m[3]);
  if (month0 < 0 || new Date(Date.UTC(year, month0, day)).getUTCDate() !== day) return undefined;
  return [year, month0, day];
}

/** OCC-style option symbol `SPXW230825C04350000` -> its root (`SPXW`), or undefined. */
function rootOf(symbol: string): string | undefined {
  const m = /^\s*([A-Z][A-Z0-9.]*?)\d{6}[CP]\d{8}\s*$/.exec(symbol);
  return m ? m[1] : undefined;
}

/** Column names of each side's block, as the header spells them. */
const SIDE_COLUMNS = { last: 'Last Sale', bid: 'Bid', ask: 'Ask', volume: 'Volume', iv: 'IV', delta: 'Delta', openInterest: 'Open Interest' } as const;
type SideKey = keyof typeof SIDE_COLUMNS;

/**
 * Parse Cboe's delayed-quotes option-chain CSV (e.g. `data/market/spx_quotedata_20230820.csv`)
 * into an {@link OptionChain} with prices in USD per unit of index (`priceUnit: 'quote'`).
 *
 * Layout (blank lines before it are ignored): line 1 the index name and `Last: <spot>`; line 2
 * `"Date: August 20, 2023 at 10:42 PM EDT"` (the quote time); line 3 the header
 * `Expiration Date,Calls,...,Strike,Puts,...`; then rows. Each side's `Bid`, `Ask` are required
 * columns; `Last Sale`, `Volume`, `IV` (decimal), `Delta`, `Open Interest` are read when present.
 * A zero `IV` or `Delta` is "none" (NaN); a zero bid or ask stays 0 (no quote: counted by
 * buildSurface). Expiry times: 09:30 New York for the a.m.-settled roots SPX, NDX, RUT, 16:00 New
 * York for every other root (SPXW); `timeToMaturity` in years of 365.25 days from the quote time,
 * which is the `Date:` line's time during a weekday session (09:30 to 16:15 New York) and else the
 * last weekday session's 16:15 close (a Sunday download holds Friday's closing quotes; see
 * `lastSessionClose`), or `valuationTime` when given;
 * 0 for an expiry at or before it. `index` is the `Last:` spot on every row; `forward` is NaN (Cboe
 * publishes none: see `chainForwards`).
 * @param options `{ onError, fileName, underlying, valuationTime }`; unknown keys are an InputError.
 * @throws InputError if `text` is not a string or an option is malformed; CsvRowError (naming the
 * file, line and column) when the first three lines are not Cboe's layout, a required column is
 * missing, or (with `onError: 'reject'`) on the first malformed row.
 */
export function loadCboeChain(text: string, options: CboeChainOptions = {}): OptionChain {
  if (typeof text !== 'string') throw new InputError('text', text, 'the CSV text as a string');
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InputError('options', options, 'an options object');
  checkKeys(options, OPTION_KEYS, 'options');
  const onError = options.onError ?? 'skip';
  if (onError !== 'skip' && onError !== 'reject') throw new InputError('options.onError', onError, "'skip' or 'reject'");
  const file = options.fileName;
  if (file !== undefined && typeof file !== 'string') throw new InputError('options.fileName', file, 'a file name string');
  if (options.underlying !== undefined && (typeof options.underlying !== 'string' || options.underlying.trim() === '')) throw new InputError('options.underlying', options.underlying, 'a non-empty underlying name such as SPX');
  let valuationOverride = NaN;
  if (options.valuationTime !== undefined) {
    valuationOverride = typeof options.valuationTime === 'string' ? Date.parse(options.valuationTime) : NaN;
    if (Number.isNaN(valuationOverride) || !/^\d{4}-\d{2}-\d{2}/.test(String(options.valuationTime))) throw new InputError('options.valuationTime', options.valuationTime, 'an ISO 8601 date-time such as 2023-08-18T20:15:00Z');
  }
  const layout = (issue: ChainRowIssue) => new CsvRowError(issue, file);

  const lines = text.split(/\r?\n/);
  let at = 0;
  while (at < lines.length && lines[at].trim() === '') at++;
  const first = splitCsvLine(lines[at] ?? '');
  const lastCell = first.find((c) => /^\s*Last:/.test(c));
  const spot = lastCell === undefined ? NaN : parseDecimal(lastCell.replace(/^\s*Last:/, ''));
  if (!(spot > 0)) throw layout({ line: at + 1, column: 'Last', value: lines[at] ?? '', reason: "Cboe's first line: the index name and 'Last: <price>' with a positive price" });
  const dateLine = at + 1;
  const dateCells = splitCsvLine(lines[dateLine] ?? '');
  const downloadMs = parseQuoteDate(dateCells[0] ?? '');
  const quoteMs = Number.isNaN(valuationOverride) ? (Number.isNaN(downloadMs) ? NaN : lastSessionClose(downloadMs)) : valuationOverride;
  if (Number.isNaN(downloadMs) && Number.isNaN(valuationOverride)) throw layout({ line: dateLine + 1, column: 'Date', value: dateCells[0] ?? '', reason: "Cboe's second line: 'Date: August 20, 2023 at 10:42 PM EDT'" });
  const headerLine = dateLine + 1;
  const header = splitCsvLine(lines[headerLine] ?? '').map((h) => h.trim());
  const strikeAt = header.indexOf('Strike'), callsAt = header.indexOf('Calls'), putsAt = header.indexOf('Puts'), expiryAt = header.indexOf('Expiration Date');
  for (const [name, at2] of [['Expiration Date', expiryAt], ['Calls', callsAt], ['Strike', strikeAt], ['Puts', putsAt]] as const) {
    if (at2 < 0) throw layout({ line: headerLine + 1, column: name, value: lines[headerLine] ?? '', reason: `a header with column ${name} (Expiration Date,Calls,...,Strike,Puts,...)` });
  }
  // Each side's block: the columns after its name up to the next block.
  const side = (from: number, to: number, label: string) => {
    const idx = new Map<SideKey, number>();
    for (const key of Object.keys(SIDE_COLUMNS) as SideKey[]) {
      const j = header.slice(from + 1, to).indexOf(SIDE_COLUMNS[key]);
      if (j >= 0) idx.set(key, from + 1 + j);
    }
    for (const key of ['bid', 'ask'] as const) {
      if (!idx.has(key)) throw layout({ line: headerLine + 1, column: `${label} ${SIDE_COLUMNS[key]}`, value: lines[headerLine] ?? '', reason: `a ${SIDE_COLUMNS[key]} column in the ${label} block` });
    }
    return idx;
  };
  const callBlock = [...(callsAt < strikeAt ? side(callsAt, strikeAt, 'Calls') : side(callsAt, putsAt > callsAt ? putsAt : header.length, 'Calls'))];
  const putBlock = [...side(putsAt, putsAt > strikeAt ? header.length : strikeAt, 'Puts')];
  const sides = [['Calls', callsAt, callBlock, 1], ['Puts', putsAt, putBlock, -1]] as const;
  // Expiry instants per (date text, a.m. or p.m. settlement), computed once.
  const settleCache = new Map<string, number>();

  const rows: ChainRow[] = [];
  const skipped: ChainRowIssue[] = [];
  const fail = (issue: ChainRowIssue) => {
    if (onError === 'reject') throw new CsvRowError(issue, file);
    skipped.push(issue);
  };
  const expiryCache = new Map<string, [number, number, number] | undefined>();
  for (let i = headerLine + 1; i < lines.length; i++) {
    const textLine = lines[i];
    if (textLine.trim() === '') continue;
    const line = i + 1;
    const cells = splitCsvLine(textLine);
    if (cells.length !== header.length) {
      fail({ line, column: '*', value: textLine.slice(0, 80), reason: `${header.length} cells (got ${cells.length})` });
      continue;
    }
    const expiryText = cells[expiryAt];
    let ymd = expiryCache.get(expiryText);
    if (!expiryCache.has(expiryText)) expiryCache.set(expiryText, (ymd = parseExpiryDate(expiryText)));
    if (!ymd) {
      fail({ line, column: 'Expiration Date', value: expiryText, reason: 'a date such as Fri Aug 25 2023' });
      continue;
    }
    const strike = parseDecimal(cells[strikeAt]);
    if (!(strike > 0)) {
      fail({ line, column: 'Strike', value: cells[strikeAt], reason: 'a positive number' });
      continue;
    }
    const made: ChainRow[] = [];
    let bad = false;
    for (const [label, nameAt, block, type] of sides) {
      const symbol = cells[nameAt].trim();
      const root = rootOf(symbol);
      if (root === undefined) {
        fail({ line, column: label, value: symbol, reason: 'an option symbol such as SPXW230825C04350000' });
        bad = true;
        break;
      }
      const row = blankRow();
      for (const [key, j] of block) {
        const raw = cells[j];
        const v = raw.trim() === '' ? NaN : parseDecimal(raw);
        if ((raw.trim() !== '' && Number.isNaN(v)) || v < (key === 'delta' ? -1 : 0) || (key === 'delta' && v > 1)) {
          fail({ line, column: `${label} ${SIDE_COLUMNS[key]}`, value: raw, reason: key === 'delta' ? 'a number in [-1, 1] or an empty cell' : 'a number >= 0 or an empty cell' });
          bad = true;
          break;
        }
        if (key === 'iv' || key === 'delta') row[key === 'iv' ? 'markIv' : 'delta'] = v === 0 ? NaN : v;
        else row[key] = v;
      }
      if (bad) break;
      const [y, m0, d] = ymd;
      row.instrument = symbol;
      row.currency = root;
      row.type = type;
      row.strike = strike;
      const am = AM_ROOTS.has(root);
      const settleKey = `${am ? 'a' : 'p'}${expiryText}`;
      let settle = settleCache.get(settleKey);
      if (settle === undefined) settleCache.set(settleKey, (settle = am ? newYorkTime(y, m0, d, 9, 30) : newYorkTime(y, m0, d, 16, 0)));
      row.expiryMs = settle;
      row.timeToMaturity = Math.max(0, row.expiryMs - quoteMs) / YEAR_MS;
      row.index = spot;
      row.line = line;
      made.push(row);
    }
    if (!bad) rows.push(...made);
  }
  // One underlying for SPX and SPXW: the shortest root when every root extends it.
  const roots = [...new Set(rows.map((r) => r.currency))].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const base = options.underlying ?? (roots.length > 0 && roots.every((r) => r.startsWith(roots[0])) ? roots[0] : undefined);
  if (base !== undefined) for (const r of rows) r.currency = base;
  return chainOfRows(rows, { venue: 'cboe', priceUnit: 'quote', tickSize: CBOE_TICK, valuationTime: new Date(quoteMs).toISOString() }, skipped);
}
