/** An {@link OptionChain} from quotes already in memory (arrays of strikes, expiries, bids, asks). */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { YEAR_MS } from './csv-text.js';
import { blankRow, chainOfRows, type ChainRow } from './chain-rows.js';
import { expiryMs, expiryTimeOffsetMs, valuationMs } from './expiry-time.js';
import type { OptionChain, PriceUnit } from './option-chain.js';

/** Arguments of {@link chainFromQuotes}: one entry per option in each array. */
export interface ChainQuotes {
  /** Underlying name (what `buildSurface({ currency })` selects), e.g. `'SPX'`. */
  underlying: string;
  /** Quote time (ISO 8601; no offset: UTC). Required when `expiries` are dates. */
  valuationTime?: string;
  /** Spot of the underlying (quote currency), used for spot-carry forwards and reported as `index`. */
  spot?: number;
  /** Expiry of each option: years from the quote time (number >= 0) or an ISO 8601 date / date-time. */
  expiries: ArrayLike<number> | readonly string[];
  /** Strikes (quote currency, > 0). */
  strikes: ArrayLike<number>;
  /** `'call'` / `'put'` or +1 / -1 per option. */
  types: readonly ('call' | 'put')[] | ArrayLike<number>;
  /** Best bid and ask in `priceUnit` (>= 0; NaN or 0: no quote). */
  bids: ArrayLike<number>;
  asks: ArrayLike<number>;
  /** Venue mark prices, implied vols (decimal), forwards of each option's expiry (quote currency); NaN: none. */
  marks?: ArrayLike<number>;
  vols?: ArrayLike<number>;
  forwards?: ArrayLike<number>;
  /** Instrument names (default `'<underlying>#<index>'`). */
  instruments?: readonly string[];
  /** `'quote'` (default: quote currency, discounted) or `'underlying'` (coin-settled). */
  priceUnit?: PriceUnit;
  /** Minimum price step in `priceUnit` (default NaN: unknown, tick filter off). */
  tickSize?: number;
  /** Time of day of date-only expiries (`'16:00-04:00'`, default `'00:00Z'`). */
  expiryTime?: string;
}

const KEYS = ['underlying', 'valuationTime', 'spot', 'expiries', 'strikes', 'types', 'bids', 'asks', 'marks', 'vols', 'forwards', 'instruments', 'priceUnit', 'tickSize', 'expiryTime'] as const satisfies readonly (keyof ChainQuotes)[];

/** Most options one chain holds (2^24, as a calibration call). */
const MAX_OPTIONS = 2 ** 24;

function arrayOf(v: unknown, path: string, n: number | undefined): ArrayLike<unknown> {
  if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<unknown>).length !== 'number') throw new InputError(path, v, n === undefined ? 'an array' : `an array of ${n} values`);
  const a = v as ArrayLike<unknown>;
  if (!Number.isInteger(a.length) || a.length > MAX_OPTIONS || (n !== undefined && a.length !== n)) throw new InputError(path, v, n === undefined ? `an array of at most ${MAX_OPTIONS} values` : `an array of ${n} values (strikes.length)`);
  return a;
}

/**
 * Build an {@link OptionChain} from arrays (struct of arrays, one entry per option). Nothing passed
 * is kept or modified: every column is copied. Times to expiry in years (365.25-day years when
 * computed from dates); `line` is 0 on every option.
 * @throws InputError naming the field and index (`bids[3]`) for a missing or mis-sized array, a
 * strike that is not finite and positive, a price that is negative or not a number, an expiry that
 * is neither a number >= 0 nor an ISO date, a type that is not a call/put, or a malformed option.
 */
export function chainFromQuotes(quotes: ChainQuotes): OptionChain {
  if (quotes === null || typeof quotes !== 'object' || Array.isArray(quotes)) throw new InputError('quotes', quotes, 'an object { underlying, expiries, strikes, types, bids, asks, ... }');
  checkKeys(quotes, KEYS, 'quotes');
  const q = quotes as unknown as Record<string, unknown>;
  if (typeof q.underlying !== 'string' || q.underlying.trim() === '') throw new InputError('underlying', q.underlying, "a non-empty underlying name such as 'SPX'");
  const priceUnit = q.priceUnit ?? 'quote';
  if (priceUnit !== 'quote' && priceUnit !== 'underlying') throw new InputError('priceUnit', priceUnit, "'quote' or 'underlying'");
  const tickSize = q.tickSize ?? NaN;
  if (typeof tickSize !== 'number' || (!Number.isNaN(tickSize) && !(tickSize > 0 && tickSize < Infinity))) throw new InputError('tickSize', tickSize, 'a finite positive price step');
  const spotValue = q.spot ?? NaN;
  if (q.spot !== undefined && (typeof spotValue !== 'number' || !(spotValue > 0 && spotValue < Infinity))) throw new InputError('spot', q.spot, 'a finite positive spot price');
  const spot = spotValue as number;
  const strikes = arrayOf(q.strikes, 'strikes', undefined);
  const n = strikes.length;
  const expiries = arrayOf(q.expiries, 'expiries', n);
  const types = arrayOf(q.types, 'types', n);
  const bids = arrayOf(q.bids, 'bids', n);
  const asks = arrayOf(q.asks, 'asks', n);
  const optional = (key: string) => (q[key] === undefined ? undefined : arrayOf(q[key], key, n));
  const marks = optional('marks'), vols = optional('vols'), forwards = optional('forwards'), instruments = optional('instruments');
  const timeOffset = expiryTimeOffsetMs(q.expiryTime, 'expiryTime');
  const quoteMs = q.valuationTime === undefined ? NaN : valuationMs(q.valuationTime, 'valuationTime');
  const price = (a: ArrayLike<unknown> | undefined, path: string, i: number, positive = false) => {
    if (a === undefined) return NaN;
    const v = a[i];
    if (typeof v !== 'number' || v < 0 || v === Infinity || (positive && v === 0)) throw new InputError(`${path}[${i}]`, v, positive ? 'a finite positive number or NaN (none)' : 'a finite number >= 0 or NaN (no quote)');
    return v;
  };
  const rows: ChainRow[] = [];
  for (let i = 0; i < n; i++) {
    const row = blankRow();
    const K = strikes[i];
    if (typeof K !== 'number' || !(K > 0 && K < Infinity)) throw new InputError(`strikes[${i}]`, K, 'a finite positive strike');
    row.strike = K;
    const t = types[i];
    row.type = t === 'call' || t === 1 ? 1 : t === 'put' || t === -1 ? -1 : (() => { throw new InputError(`types[${i}]`, t, "'call' / 'put' or +1 / -1"); })();
    const e = expiries[i];
    if (typeof e === 'number') {
      if (!(e >= 0 && e < Infinity)) throw new InputError(`expiries[${i}]`, e, 'years to expiry, a finite number >= 0, or an ISO date');
      row.timeToMaturity = e;
      row.expiryMs = Number.isNaN(quoteMs) ? NaN : quoteMs + e * YEAR_MS;
    } else {
      const ms = typeof e === 'string' ? expiryMs(e, timeOffset) : NaN;
      if (Number.isNaN(ms)) throw new InputError(`expiries[${i}]`, e, 'an ISO 8601 date or date-time, or years to expiry');
      if (Number.isNaN(quoteMs)) throw new InputError('valuationTime', undefined, 'the quote time (ISO 8601) when expiries are dates');
      row.expiryMs = ms;
      row.timeToMaturity = Math.max(0, ms - quoteMs) / YEAR_MS;
    }
    row.bid = price(bids, 'bids', i);
    row.ask = price(asks, 'asks', i);
    row.mark = price(marks, 'marks', i);
    row.markIv = price(vols, 'vols', i);
    row.forward = price(forwards, 'forwards', i, true);
    row.index = spot;
    if (instruments !== undefined && typeof instruments[i] !== 'string') throw new InputError(`instruments[${i}]`, instruments[i], 'an instrument name string');
    row.instrument = instruments === undefined ? `${q.underlying}#${i}` : (instruments[i] as string);
    row.currency = q.underlying;
    rows.push(row);
  }
  const chain = chainOfRows(rows, { venue: 'arrays', priceUnit, tickSize, valuationTime: Number.isNaN(quoteMs) ? '' : new Date(quoteMs).toISOString() }, []);
  // Expiries given as years without a quote time have no calendar date: name them by their years.
  if (Number.isNaN(quoteMs)) chain.expiry = rows.map((r) => `T=${r.timeToMaturity}`);
  return chain;
}
