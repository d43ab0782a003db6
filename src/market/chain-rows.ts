/**
 * Row accumulation shared by the chain readers (Cboe, column-mapped CSV, arrays): rows pushed one
 * at a time, turned into the column-wise {@link OptionChain} once at the end.
 */
import type { ChainRowIssue, ChainVenue, OptionChain, PriceUnit } from './option-chain.js';

/** One option as a reader produced it (numbers NaN when absent). */
export interface ChainRow {
  instrument: string;
  currency: string;
  type: 1 | -1;
  strike: number;
  /** Expiry, ms since epoch. */
  expiryMs: number;
  timeToMaturity: number;
  bid: number;
  ask: number;
  mark: number;
  forward: number;
  index: number;
  markIv: number;
  delta: number;
  openInterest: number;
  volume: number;
  last: number;
  line: number;
}

/** Metadata of a chain under construction. */
export interface ChainMeta {
  venue: ChainVenue;
  priceUnit: PriceUnit;
  tickSize: number;
  /** Quote time, ISO 8601 (every row's `timestamp`). */
  valuationTime: string;
}

/** Build the column-wise chain from rows (the mid is (bid + ask) / 2 when both are positive, else NaN). */
export function chainOfRows(rows: readonly ChainRow[], meta: ChainMeta, skipped: ChainRowIssue[]): OptionChain {
  const n = rows.length;
  // A plain loop: Float64Array.from with a mapping function is several times slower in V8.
  const num = (get: (r: ChainRow) => number) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = get(rows[i]);
    return out;
  };
  // The same expiry appears on hundreds of rows: format each distinct one once.
  const iso = new Map<number, string>();
  const isoOf = (ms: number) => {
    let s = iso.get(ms);
    if (s === undefined) iso.set(ms, (s = Number.isFinite(ms) ? new Date(ms).toISOString() : ''));
    return s;
  };
  return {
    length: n,
    instrument: rows.map((r) => r.instrument),
    currency: rows.map((r) => r.currency),
    type: Int8Array.from(rows, (r) => r.type),
    strike: num((r) => r.strike),
    expiry: rows.map((r) => isoOf(r.expiryMs)),
    timeToMaturity: num((r) => r.timeToMaturity),
    bid: num((r) => r.bid),
    ask: num((r) => r.ask),
    mark: num((r) => r.mark),
    mid: num((r) => (r.bid > 0 && r.ask > 0 ? 0.5 * (r.bid + r.ask) : NaN)),
    forward: num((r) => r.forward),
    index: num((r) => r.index),
    markIv: num((r) => r.markIv),
    delta: num((r) => r.delta),
    vega: new Float64Array(n).fill(NaN),
    openInterest: num((r) => r.openInterest),
    timestamp: new Array<string>(n).fill(meta.valuationTime),
    line: Int32Array.from(rows, (r) => r.line),
    skipped,
    priceUnit: meta.priceUnit,
    venue: meta.venue,
    tickSize: meta.tickSize,
    volume: num((r) => r.volume),
    last: num((r) => r.last),
  };
}

/** A row with every optional number NaN. */
export function blankRow(): ChainRow {
  return {
    instrument: '', currency: '', type: 1, strike: NaN, expiryMs: NaN, timeToMaturity: NaN, bid: NaN, ask: NaN, mark: NaN,
    forward: NaN, index: NaN, markIv: NaN, delta: NaN, openInterest: NaN, volume: NaN, last: NaN, line: 0,
  };
}
