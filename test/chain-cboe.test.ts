/**
 * Cboe's delayed-quotes chain (data/market/spx_quotedata_20230820.csv, provenance in data/README.md):
 * layout, dates and times, errors with file, line and column; the surface built from it against
 * Cboe's own IV column (a reference no one here computed).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import spx from '../data/market/spx_quotedata_20230820.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
import { CsvRowError, InputError, lastSessionClose, loadCboeChain, loadChain, type Engine } from '../src/index.js';

const FILE_LINES = spx.split(/\r?\n/);
/** Data rows: the lines after the header (line 4) that are not blank. */
const DATA_ROWS = FILE_LINES.slice(4).filter((l) => l.trim() !== '');
const YEAR_MS = 365.25 * 86400e3;
/** Friday 2023-08-18 16:15 EDT (UTC-4): the close the Sunday download's quotes are from. */
const FRIDAY_CLOSE = Date.UTC(2023, 7, 18, 20, 15);

describe('loadCboeChain on the SPX download', () => {
  const chain = loadCboeChain(spx, { fileName: 'spx.csv' });

  it('reads every row as a call and a put, spot from Last:, quote time at the last session close', () => {
    expect(chain.skipped).toEqual([]);
    expect(chain.length).toBe(2 * DATA_ROWS.length);
    expect(new Set(chain.currency)).toEqual(new Set(['SPX']));
    expect(chain.priceUnit).toBe('quote');
    expect(chain.venue).toBe('cboe');
    expect(Array.from(new Set(chain.index))).toEqual([4369.71]);
    expect(chain.timestamp[0]).toBe(new Date(FRIDAY_CLOSE).toISOString());
    expect(Array.from(chain.forward).every(Number.isNaN)).toBe(true);
    // Row 1 (file line 5): the strike-200 SPX monthly of Aug 18, a.m.-settled 09:30 EDT, already expired.
    expect([chain.instrument[0], chain.instrument[1], chain.strike[0], chain.line[0], chain.type[0], chain.type[1]]).toEqual(['SPX230818C00200000', 'SPX230818P00200000', 200, 5, 1, -1]);
    expect(chain.expiry[0]).toBe('2023-08-18T13:30:00.000Z');
    expect(chain.timeToMaturity[0]).toBe(0);
  });

  it('SPXW settles at 16:00 New York, SPX at 09:30; T in 365.25-day years from the Friday close', () => {
    const i = chain.instrument.indexOf('SPXW230825C04350000');
    expect(chain.expiry[i]).toBe('2023-08-25T20:00:00.000Z');
    expect(chain.timeToMaturity[i]).toBeCloseTo((Date.UTC(2023, 7, 25, 20) - FRIDAY_CLOSE) / YEAR_MS, 15);
    // Line 1539 of the file: 4350 call bid 51.4 ask 51.8, IV 0.1581; put bid 26.4 ask 26.8.
    expect([chain.bid[i], chain.ask[i], chain.markIv[i], chain.line[i]]).toEqual([51.4, 51.8, 0.1581, 1539]);
    expect([chain.bid[i + 1], chain.ask[i + 1]]).toEqual([26.4, 26.8]);
    // December: EST (UTC-5) for the 2023-12-15 SPX monthly, a.m.-settled.
    const dec = chain.instrument.indexOf('SPX231215C04400000');
    expect(chain.expiry[dec]).toBe('2023-12-15T14:30:00.000Z');
  });

  it('zero IV and delta are "none" (NaN); zero bids stay 0', () => {
    expect(Number.isNaN(chain.markIv[0])).toBe(true);
    expect(Number.isNaN(chain.delta[0])).toBe(true);
    expect(chain.bid[0]).toBe(0);
  });

  it('loadChain({ format: "cboe" }) is loadCboeChain; valuationTime overrides the Date: line', () => {
    const viaLoad = loadChain(spx, { format: 'cboe' });
    expect(Array.from(viaLoad.timeToMaturity)).toEqual(Array.from(loadCboeChain(spx).timeToMaturity));
    const sunday = loadCboeChain(spx, { valuationTime: '2023-08-21T02:42:00Z' });
    const i = sunday.instrument.indexOf('SPXW230825C04350000');
    expect(sunday.timeToMaturity[i]).toBeCloseTo((Date.UTC(2023, 7, 25, 20) - Date.UTC(2023, 7, 21, 2, 42)) / YEAR_MS, 15);
  });
});

describe('lastSessionClose', () => {
  it('keeps a time in a weekday session, else steps back to the last weekday close (16:15 New York)', () => {
    const inSession = Date.UTC(2023, 7, 18, 15, 0); // Fri 11:00 EDT
    expect(lastSessionClose(inSession)).toBe(inSession);
    expect(lastSessionClose(Date.UTC(2023, 7, 21, 2, 42))).toBe(FRIDAY_CLOSE); // Sun 22:42 EDT
    expect(lastSessionClose(Date.UTC(2023, 7, 19, 12, 0))).toBe(FRIDAY_CLOSE); // Saturday
    expect(lastSessionClose(Date.UTC(2023, 7, 21, 12, 0))).toBe(FRIDAY_CLOSE); // Mon 08:00 EDT, before the open
    expect(lastSessionClose(Date.UTC(2023, 7, 18, 23, 0))).toBe(FRIDAY_CLOSE); // Fri 19:00 EDT, after the close
    // Winter (EST, UTC-5): Tue 2024-01-09 07:00 EST -> Mon 2024-01-08 16:15 EST = 21:15Z.
    expect(lastSessionClose(Date.UTC(2024, 0, 9, 12, 0))).toBe(Date.UTC(2024, 0, 8, 21, 15));
  });

  it('throws InputError for a non-finite or non-number time', () => {
    for (const bad of [NaN, Infinity, -1, '2023' as never, undefined as never]) expect(() => lastSessionClose(bad)).toThrow(InputError);
  });
});

describe('loadCboeChain errors name the file, line and column', () => {
  const lines = spx.split('\n');
  const withLine = (at: number, text: string) => [...lines.slice(0, at), text, ...lines.slice(at + 1)].join('\n');

  function csvError(f: () => unknown): CsvRowError {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(CsvRowError);
      return e as CsvRowError;
    }
    throw new Error('expected a CsvRowError');
  }

  it('layout lines: Last:, Date:, header columns', () => {
    const noLast = csvError(() => loadCboeChain(withLine(1, 'Standard & Poors 500 Index,Change: 1'), { fileName: 'x.csv' }));
    expect([noLast.file, noLast.line, noLast.column]).toEqual(['x.csv', 2, 'Last']);
    const noDate = csvError(() => loadCboeChain(withLine(2, '"Date: someday",Bid: 1'), { fileName: 'x.csv' }));
    expect([noDate.line, noDate.column]).toEqual([3, 'Date']);
    const header = lines[3].replace('Strike', 'K');
    const noStrike = csvError(() => loadCboeChain(withLine(3, header), { fileName: 'x.csv' }));
    expect([noStrike.line, noStrike.column]).toEqual([4, 'Strike']);
    const putBid = lines[3].split(',');
    putBid[15] = 'Bidd';
    expect(csvError(() => loadCboeChain(withLine(3, putBid.join(',')))).column).toBe('Puts Bid');
    // A Deribit file read as Cboe fails on its first line.
    expect(() => loadChain('instrument_name,option_type,strike\n', { format: 'cboe' })).toThrow(CsvRowError);
  });

  it('malformed rows: skipped with their line and column, or rejected', () => {
    const cells = lines[1538].split(',');
    cells[15] = '-3'; // put bid
    const text = withLine(1538, cells.join(','));
    const skipped = loadCboeChain(text);
    expect(skipped.skipped.map((s) => [s.line, s.column, s.value])).toEqual([[1539, 'Puts Bid', '-3']]);
    expect(skipped.length).toBe(2 * DATA_ROWS.length - 2);
    const e = csvError(() => loadCboeChain(text, { onError: 'reject', fileName: 'spx.csv' }));
    expect([e.file, e.line, e.column, e.value]).toEqual(['spx.csv', 1539, 'Puts Bid', '-3']);
    const badExpiry = withLine(1538, lines[1538].replace('Fri Aug 25 2023', 'Fri Aug 32 2023'));
    expect(loadCboeChain(badExpiry).skipped.map((s) => [s.line, s.column])).toEqual([[1539, 'Expiration Date']]);
    const short = withLine(1538, '1,2,3');
    expect(loadCboeChain(short).skipped.map((s) => [s.line, s.column])).toEqual([[1539, '*']]);
  });

  it('options are checked', () => {
    expect(() => loadCboeChain(spx, { onError: 'ignore' as never })).toThrow(InputError);
    expect(() => loadCboeChain(spx, { valuationTime: 'monday' })).toThrow(InputError);
    expect(() => loadCboeChain(spx, { underlyng: 'SPX' } as never)).toThrow(InputError);
    expect(() => loadCboeChain(42 as never)).toThrow(InputError);
  });
});

describe.each(BACKENDS)('the SPX surface (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it("mid implied vols agree with Cboe's IV column near the money (a reference computed by Cboe)", () => {
    const chain = loadCboeChain(spx);
    const s = engine.buildSurface(chain, { minExpiry: 14 / 365 });
    const ivOf = new Map(chain.instrument.map((name, i) => [name, chain.markIv[i]]));
    const diffs: number[] = [];
    for (let i = 0; i < s.kept; i++) {
      const k = Math.log(s.quotes.strikes[i] / s.forwards[i]);
      const cboe = ivOf.get(s.instruments[i])!;
      if (Math.abs(k) > 0.05 || !(cboe > 0)) continue;
      diffs.push(100 * (s.quotes.vols[i] - cboe));
    }
    diffs.sort((a, b) => Math.abs(a) - Math.abs(b));
    const median = diffs[diffs.length >> 1];
    const p90 = Math.abs(diffs[Math.floor(0.9 * diffs.length)]);
    console.log(`${backend}: ${diffs.length} near-the-money quotes (|ln K/F| <= 5%, T >= 14 days): median |mid IV - Cboe IV| ${Math.abs(median).toFixed(3)} vol pts, 90th percentile ${p90.toFixed(3)}`);
    // Cboe's IV uses its own rate, forward and price: measured 0.03 vol points median, 0.075 at
    // the 90th percentile. Bounds at about 3x: a forward off by 5 bp (2.2 index points) moves a
    // one-month at-the-money vol by about 0.2 vol points (dC/dF = 1/2 against a vega of 5 points
    // per vol point), so these bounds hold the parity forwards to a few basis points.
    expect(diffs.length).toBeGreaterThan(300);
    expect(Math.abs(median)).toBeLessThan(0.1);
    expect(p90).toBeLessThan(0.25);
  });

  it('buildSurface prices reprice: Black-76 of the mid vol with the discount factor gives the quoted mid', () => {
    const chain = loadCboeChain(spx);
    const s = engine.buildSurface(chain, {});
    expect(s.priceUnit).toBe('quote');
    expect(s.kept).toBeGreaterThan(5000);
    const q = s.quotes;
    const re = engine.black76({ forwards: s.forwards, strikes: q.strikes, expiries: q.expiries, vols: q.vols, types: q.types, settlement: 'coin' });
    // midPrices are forward units (undiscounted price / F): the coin-settled Black-76 of the mid vol.
    re.price.forEach((p, i) => expect(Math.abs(p - s.midPrices[i])).toBeLessThan(1e-12));
    // And in USD: DF * F * midPrice is the file's mid.
    const mid = new Map(chain.instrument.map((name, i) => [name, 0.5 * (chain.bid[i] + chain.ask[i])]));
    for (let i = 0; i < s.kept; i += 97) expect(s.discountFactors[i] * s.forwards[i] * s.midPrices[i]).toBeCloseTo(mid.get(s.instruments[i])!, 9);
  });
});
