/**
 * Column-mapped CSVs, chains from arrays and loadChain: the same Deribit snapshot read three ways
 * gives the same surface; errors name the file, line and column (CSV) or the field and index
 * (arrays); nothing passed is modified.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import jan from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
import { chainFromQuotes, CsvRowError, InputError, loadChain, loadColumnChain, loadDeribitChain, type Engine, type OptionChain } from '../src/index.js';

const DERIBIT_COLUMNS = {
  expiry: 'expiry_datetime', strike: 'strike', type: 'option_type', bid: 'bid_price', ask: 'ask_price', forward: 'underlying',
  instrument: 'instrument_name', currency: 'currency', timestamp: 'timestamp', iv: 'implied_volatility', mark: 'mark_price', underlying: 'index_price',
} as const;

function expectPath(f: () => unknown, path: string): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).path).toBe(path);
    return e as InputError;
  }
  throw new Error(`expected an InputError at ${path}`);
}

describe('loadColumnChain', () => {
  const deribit = loadDeribitChain(jan);
  const mapped = loadColumnChain(jan, { columns: DERIBIT_COLUMNS, priceUnit: 'underlying', tickSize: 0.0001, fileName: 'jan.csv' });

  it("reads Deribit's CSV through a column map: same options, prices, forwards; T from the timestamps", () => {
    expect(mapped.length).toBe(deribit.length);
    expect(mapped.instrument).toEqual(deribit.instrument);
    expect(Array.from(mapped.type)).toEqual(Array.from(deribit.type));
    expect(Array.from(mapped.bid)).toEqual(Array.from(deribit.bid));
    expect(Array.from(mapped.forward)).toEqual(Array.from(deribit.forward));
    expect(Array.from(mapped.index)).toEqual(Array.from(deribit.index));
    // Deribit's time_to_maturity is (expiry - timestamp) / 365.25 days, to the millisecond.
    mapped.timeToMaturity.forEach((T, i) => expect(Math.abs(T - deribit.timeToMaturity[i])).toBeLessThan(1e-3 / (365.25 * 86400)));
    expect(mapped.line[0]).toBe(2);
    expect(mapped.priceUnit).toBe('underlying');
  });

  it('type spellings, date-only expiries at expiryTime, a fixed valuationTime', () => {
    const csv = 'Exp,K,CP,B,A\n2026-03-27,100,C,1,1.2\n2026-03-27,100,p,0.5,0.6\n2026-03-27,90,-1,0.1,0.2\n2026-03-27,110,Call,0.3,0.4\n';
    const c = loadColumnChain(csv, { columns: { expiry: 'Exp', strike: 'K', type: 'CP', bid: 'B', ask: 'A' }, valuationTime: '2026-03-20T08:00:00Z', expiryTime: '08:00Z', underlying: 'ABC' });
    expect(Array.from(c.type)).toEqual([1, -1, -1, 1]);
    expect(c.expiry[0]).toBe('2026-03-27T08:00:00.000Z');
    expect(c.timeToMaturity[0]).toBeCloseTo(7 / 365.25, 15);
    expect(c.currency).toEqual(['ABC', 'ABC', 'ABC', 'ABC']);
    const ny = loadColumnChain(csv, { columns: { expiry: 'Exp', strike: 'K', type: 'CP', bid: 'B', ask: 'A' }, valuationTime: '2026-03-20T08:00:00Z', expiryTime: '16:00-04:00' });
    expect(ny.expiry[0]).toBe('2026-03-27T20:00:00.000Z');
  });

  it('errors: a missing header column (file, line, column), a bad row (skip or reject), options', () => {
    let e: unknown;
    try {
      loadColumnChain('a,b\n', { columns: { ...DERIBIT_COLUMNS, bid: 'Bid' }, fileName: 'q.csv' });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(CsvRowError);
    expect([(e as CsvRowError).file, (e as CsvRowError).line, (e as CsvRowError).column]).toEqual(['q.csv', 1, 'expiry_datetime']);
    const lines = jan.split('\n');
    lines[3] = lines[3].replace(',call,', ',straddle,').replace(',put,', ',straddle,');
    const bad = lines.join('\n');
    const skipped = loadColumnChain(bad, { columns: DERIBIT_COLUMNS, priceUnit: 'underlying' });
    expect(skipped.skipped.map((s) => [s.line, s.column, s.value])).toEqual([[4, 'option_type', 'straddle']]);
    try {
      loadColumnChain(bad, { columns: DERIBIT_COLUMNS, onError: 'reject', fileName: 'jan.csv' });
      throw new Error('no error');
    } catch (x) {
      expect(x).toBeInstanceOf(CsvRowError);
      expect([(x as CsvRowError).file, (x as CsvRowError).line, (x as CsvRowError).column]).toEqual(['jan.csv', 4, 'option_type']);
    }
    const min = { expiry: 'e', strike: 'k', type: 't', bid: 'b', ask: 'a' };
    expectPath(() => loadColumnChain('e,k,t,b,a\n', { columns: min }), 'options.valuationTime');
    expectPath(() => loadColumnChain('e,k,t,b,a\n', { columns: { ...min, strke: 'k' } as never, valuationTime: '2026-01-01' }), 'options.columns.strke');
    expectPath(() => loadColumnChain('e,k,t,b,a\n', { columns: { ...min, bid: 3 } as never, valuationTime: '2026-01-01' }), 'options.columns.bid');
    expectPath(() => loadColumnChain('e,k,t,b,a\n', { columns: min, valuationTime: '2026-01-01', expiryTime: '25:00' }), 'options.expiryTime');
    expectPath(() => loadColumnChain('e,k,t,b,a\n', { columns: min, valuationTime: '2026-01-01', priceUnit: 'coins' as never }), 'options.priceUnit');
  });
});

describe('loadChain', () => {
  it('dispatches by format; keys of another format are InputErrors naming the key', () => {
    const viaLoad = loadChain(jan);
    expect(Array.from(viaLoad.strike)).toEqual(Array.from(loadDeribitChain(jan).strike));
    expect(loadChain(jan, { format: 'columns', columns: DERIBIT_COLUMNS, priceUnit: 'underlying' }).length).toBe(viaLoad.length);
    expectPath(() => loadChain(jan, { format: 'cboe', columns: DERIBIT_COLUMNS }), 'options.columns');
    expectPath(() => loadChain(jan, { priceUnit: 'quote' }), 'options.priceUnit');
    expectPath(() => loadChain(jan, { format: 'csv' as never }), 'options.format');
    expectPath(() => loadChain(jan, { format: 'columns' }), 'options.columns');
    expectPath(() => loadChain(jan, { formatt: 'cboe' } as never), 'options.formatt');
  });
});

describe('chainFromQuotes', () => {
  it('errors name the field and index; nothing passed is modified', () => {
    const base = { underlying: 'X', expiries: [0.5, 0.5], strikes: [90, 110], types: ['put', 'call'] as ('call' | 'put')[], bids: [1, 1], asks: [1.2, 1.2] };
    const frozen = JSON.stringify(base);
    chainFromQuotes(base);
    expect(JSON.stringify(base)).toBe(frozen);
    expectPath(() => chainFromQuotes({ ...base, bids: [1, -1] }), 'bids[1]');
    expectPath(() => chainFromQuotes({ ...base, strikes: [90, 0] }), 'strikes[1]');
    expectPath(() => chainFromQuotes({ ...base, types: ['put', 'straddle' as never] }), 'types[1]');
    expectPath(() => chainFromQuotes({ ...base, expiries: [0.5, -1] }), 'expiries[1]');
    expectPath(() => chainFromQuotes({ ...base, expiries: ['2026-01-01', '2026-02-01'] }), 'valuationTime');
    expectPath(() => chainFromQuotes({ ...base, asks: [1] }), 'asks');
    expectPath(() => chainFromQuotes({ ...base, underlying: '' }), 'underlying');
    expectPath(() => chainFromQuotes({ ...base, strike: [1, 2] } as never), 'quotes.strike');
    const dated = chainFromQuotes({ ...base, expiries: ['2026-07-01', '2026-07-01T16:00:00-04:00'], valuationTime: '2026-01-01T00:00:00Z' });
    expect(dated.expiry).toEqual(['2026-07-01T00:00:00.000Z', '2026-07-01T20:00:00.000Z']);
    expect(dated.timeToMaturity[0]).toBeCloseTo(181 / 365.25, 15);
  });
});

describe.each(BACKENDS)('buildSurface on every format (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  /** The Deribit chain as arrays (its own T, prices, forwards, instruments). */
  function asArrays(c: OptionChain): OptionChain {
    return chainFromQuotes({
      underlying: 'BTC', expiries: c.timeToMaturity, strikes: c.strike, types: c.type, bids: c.bid, asks: c.ask,
      forwards: c.forward, instruments: c.instrument, priceUnit: 'underlying', tickSize: 0.0001,
    });
  }

  it('the Deribit snapshot as arrays gives the same surface bit for bit; through a column map, to the T rounding', () => {
    const deribit = loadDeribitChain(jan);
    const btc = (() => {
      const idx = deribit.currency.flatMap((c, i) => (c === 'BTC' ? [i] : []));
      const pick = <A extends Float64Array | Int8Array>(a: A) => idx.map((i) => a[i]);
      return { ...deribit, length: idx.length, instrument: idx.map((i) => deribit.instrument[i]), currency: idx.map(() => 'BTC'), type: Int8Array.from(pick(deribit.type)), strike: Float64Array.from(pick(deribit.strike)), timeToMaturity: Float64Array.from(pick(deribit.timeToMaturity)), bid: Float64Array.from(pick(deribit.bid)), ask: Float64Array.from(pick(deribit.ask)), forward: Float64Array.from(pick(deribit.forward)) } as OptionChain;
    })();
    const ref = engine.buildSurface(deribit, { currency: 'BTC' });
    const arrays = engine.buildSurface(asArrays(btc), { currency: 'BTC' });
    expect(arrays.instruments).toEqual(ref.instruments);
    expect(Array.from(arrays.quotes.vols)).toEqual(Array.from(ref.quotes.vols));
    expect(Array.from(arrays.forwards)).toEqual(Array.from(ref.forwards));
    const mapped = engine.buildSurface(loadColumnChain(jan, { columns: DERIBIT_COLUMNS, priceUnit: 'underlying', tickSize: 0.0001 }), { currency: 'BTC' });
    expect(mapped.instruments).toEqual(ref.instruments);
    // T differs by < 1 ms in a year (1e-10 relative): vols agree to 1e-8.
    mapped.quotes.vols.forEach((v, i) => expect(Math.abs(v - ref.quotes.vols[i])).toBeLessThan(1e-8));
  });

  it('the Deribit path is unchanged by default: forwards are the per-expiry median futures, DF 1, and the kept set is the old rule', () => {
    const chain = loadDeribitChain(jan);
    const s = engine.buildSurface(chain, { currency: 'ETH' });
    expect(Array.from(s.discountFactors).every((d) => d === 1)).toBe(true);
    // The rule of the Deribit-only buildSurface, recomputed here: OTM against the median forward,
    // a bid and an ask, not crossed, T >= 2 days; IVs exist for all of them on this snapshot.
    const median = (a: number[]) => {
      const x = a.slice().sort((p, q) => p - q);
      return x.length % 2 ? x[(x.length - 1) / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
    };
    const F = new Map<number, number>();
    for (const T of new Set(chain.timeToMaturity)) F.set(T, median(Array.from(chain.forward).filter((_, i) => chain.timeToMaturity[i] === T && chain.currency[i] === 'ETH')));
    const expected = chain.instrument.filter((_, i) => {
      const T = chain.timeToMaturity[i], K = chain.strike[i], f = F.get(T)!;
      return chain.currency[i] === 'ETH' && T >= 2 / 365 && (chain.type[i] === 1 ? K >= f : K < f) && chain.bid[i] > 0 && chain.ask[i] > 0 && chain.bid[i] < chain.ask[i];
    });
    expect([...s.instruments].sort()).toEqual(expected.sort());
  });

  it('a chain without any forward or spot: expiries without enough pairs are counted as noForward', () => {
    const c = chainFromQuotes({ underlying: 'X', expiries: [0.5, 0.5], strikes: [90, 110], types: ['put', 'call'], bids: [1, 1], asks: [1.2, 1.2] });
    const s = engine.buildSurface(c, { minQuotesPerExpiry: 1 });
    expect(s.dropped.noForward).toBe(2);
    expect(s.kept).toBe(0);
    expect(s.forwardCurve[0].source).toBe('spot-carry');
    expect(Number.isNaN(s.forwardCurve[0].forward)).toBe(true);
  });

  it('currency may be omitted when the chain has one underlying, not when it has two', () => {
    expectPath(() => engine.buildSurface(loadDeribitChain(jan), {}), 'options.currency');
  });
});
