import { describe, it, expect, beforeAll } from 'vitest';
import snapshot from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { loadDeribitChain, CsvRowError, InputError, Status, type Engine } from '../src/index.js';

function quantile(values: number[], p: number): number {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

describe('loadDeribitChain', () => {
  it('parses the bundled 2026-01-05 snapshot: 1288 options (628 BTC, 660 ETH), nothing skipped', () => {
    const chain = loadDeribitChain(snapshot);
    expect(chain.length).toBe(1288);
    expect(chain.skipped).toEqual([]);
    expect(chain.currency.filter((c) => c === 'BTC').length).toBe(628);
    expect(chain.currency.filter((c) => c === 'ETH').length).toBe(660);
    expect(chain.instrument[0]).toBe('BTC-16JAN26-82000-C');
    expect(chain.type[0]).toBe(1);
    expect(chain.strike[0]).toBe(82000);
    expect(chain.forward[0]).toBe(93758.42);
    expect(chain.line[0]).toBe(2);
    const noBid = chain.bid.filter((b) => Number.isNaN(b)).length;
    expect(noBid).toBeGreaterThan(0); // empty bid_price cells become NaN, they are not dropped
  });

  it('reports malformed rows with their line number and column, skipping or rejecting per option', () => {
    const [header, r1, r2, r3] = snapshot.split('\n');
    const bad = [header, r1, r2.replace(',call,', ',cal,').replace(',put,', ',cal,'), r3.replace(/,(\d+\.\d+),(\d{4}-\d\d-\d\dT)/, ',abc,$2'), 'too,few,cells', r1].join('\n');
    const chain = loadDeribitChain(bad);
    expect(chain.length).toBe(2);
    expect(chain.skipped.map((s) => [s.line, s.column])).toEqual([[3, 'option_type'], [4, 'strike'], [5, '*']]);
    let caught: unknown;
    try {
      loadDeribitChain(bad, { onError: 'reject' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CsvRowError);
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as CsvRowError).line).toBe(3);
    expect((caught as CsvRowError).column).toBe('option_type');
    expect(() => loadDeribitChain('a,b\n1,2')).toThrow(InputError);
    expect(() => loadDeribitChain(42 as never)).toThrow(InputError);
  });
});

describe.each(BACKENDS)('Deribit snapshot consistency (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it("Black-76 at Deribit's mark IV reproduces mark_price in coins (median error <= 5e-5 coin: IV is published to 4 digits)", () => {
    const c = loadDeribitChain(snapshot);
    const r = engine.black76({ forwards: c.forward, strikes: c.strike, expiries: c.timeToMaturity, vols: c.markIv, types: c.type, settlement: 'coin' });
    expect(r.status.every((s) => s === Status.ok)).toBe(true);
    const err = Array.from(r.price, (p, i) => Math.abs(p - c.mark[i]));
    expect(quantile(err, 0.5)).toBeLessThan(5e-5);
    expect(quantile(err, 1)).toBeLessThan(1e-3);
  });

  it("coin-settled delta is the Black forward delta Deribit publishes (median |diff| <= 3e-4; delta is rounded to 5 decimals, IV to 4 digits, and greeks were taken during a ~1 minute collection run)", () => {
    const c = loadDeribitChain(snapshot);
    const r = engine.black76({ forwards: c.forward, strikes: c.strike, expiries: c.timeToMaturity, vols: c.markIv, types: c.type, settlement: 'coin', greeks: true });
    const err = Array.from(r.delta!, (d, i) => Math.abs(d - c.delta[i]));
    expect(quantile(err, 0.5)).toBeLessThan(3e-4);
    expect(quantile(err, 0.99)).toBeLessThan(1e-2);
    // The premium-adjusted delta is a different quantity (delta - price in coins), not what the column holds.
    const adj = Array.from(r.premiumAdjustedDelta!, (d, i) => Math.abs(d - c.delta[i]));
    expect(quantile(adj, 0.5)).toBeGreaterThan(1e-2);
    // Vega in USD per vol point = vega per 1.00 / 100.
    const vegaErr = Array.from(r.vega!, (v, i) => Math.abs(v / 100 - c.vega[i]) / Math.max(c.vega[i], 1));
    expect(quantile(vegaErr, 0.5)).toBeLessThan(2e-3);
  });
});

/** The bundled snapshot's header, its cells by column name, and a way to rebuild a row with some cells replaced. */
const LINES = snapshot.split('\n');
const HEADER = LINES[0].split(',');
const colOf = (name: string) => HEADER.indexOf(name);
/** Row `k` of the snapshot (1-based data row) with cells replaced by column name. */
function editRow(k: number, edits: Record<string, string>): string {
  const cells = LINES[k].split(',');
  for (const [name, v] of Object.entries(edits)) cells[colOf(name)] = v;
  return cells.join(',');
}
/** A chain of the header, rows 1 and 2 unchanged, and `row` as line 4. */
const withRow = (row: string) => [LINES[0], LINES[1], LINES[2], row].join('\n');

function rowError(f: () => unknown): CsvRowError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CsvRowError);
  expect(caught).toBeInstanceOf(InputError);
  return caught as CsvRowError;
}

describe('loadDeribitChain: numbers are decimal only (issue 11 item 8)', () => {
  // Each of these used to be read by Number(): 0x10 as 16, 0b1 as 1, '' or ' ' as 0, 1e999 as Infinity.
  const notDecimal = ['0x10', '0b1', '0o7', '1_000', '82_000', 'Infinity', '-Infinity', 'NaN', '1e999', '-1e999', '0x1p4', '1e', '.', '+', '82000 1', '８２０００'];

  it.each(notDecimal)('a required number %j is a malformed row naming line and column (skip lists it, reject throws)', (bad) => {
    const csv = withRow(editRow(3, { strike: bad }));
    const chain = loadDeribitChain(csv);
    expect(chain.length).toBe(2);
    expect(chain.skipped).toHaveLength(1);
    expect(chain.skipped[0]).toMatchObject({ line: 4, column: 'strike', value: bad });
    const e = rowError(() => loadDeribitChain(csv, { onError: 'reject' }));
    expect([e.line, e.column, e.value]).toEqual([4, 'strike', bad]);
  });

  it.each(['', ' ', '\t'])('a required number that is empty or blank (%j) is malformed', (bad) => {
    for (const column of ['strike', 'underlying', 'time_to_maturity']) {
      const chain = loadDeribitChain(withRow(editRow(3, { [column]: bad })));
      expect(chain.skipped.map((s) => [s.line, s.column])).toEqual([[4, column]]);
    }
  });

  it.each(['0x10', '0b1', 'Infinity', '1e999', '1_000', 'NaN'])('an optional number %j is malformed too; empty or blank optional cells are NaN', (bad) => {
    for (const column of ['bid_price', 'implied_volatility', 'open_interest', 'index_price']) {
      const chain = loadDeribitChain(withRow(editRow(3, { [column]: bad })));
      expect(chain.skipped.map((s) => [s.line, s.column, s.value])).toEqual([[4, column, bad]]);
    }
    const blank = loadDeribitChain(withRow(editRow(3, { bid_price: '', ask_price: '  ' })));
    expect(blank.skipped).toEqual([]);
    expect(Number.isNaN(blank.bid[2]) && Number.isNaN(blank.ask[2])).toBe(true);
  });

  it('decimal spellings (sign, fraction, exponent, spaces around) read as the number they write', () => {
    const base = loadDeribitChain(withRow(LINES[3]));
    const strike = base.strike[2];
    const fwd = base.forward[2];
    for (const [s, f] of [[`+${strike}`, `${fwd}0`], [`${strike / 1000}e3`, ` ${fwd} `], [`${strike}.`, `${fwd / 10}E+1`]]) {
      const c = loadDeribitChain(withRow(editRow(3, { strike: s, underlying: f })), { onError: 'reject' });
      expect(c.strike[2]).toBe(strike);
      expect(c.forward[2]).toBe(fwd);
    }
    // A decimal that underflows is the 0 it rounds to: time_to_maturity 1e-999 is 0 (>= 0 is allowed)...
    // ...but the row then expires at the snapshot while its expiry_datetime is later: the date check reports it.
    expect(loadDeribitChain(withRow(editRow(3, { time_to_maturity: '1e-999' }))).skipped[0]).toMatchObject({ line: 4, column: 'time_to_maturity' });
  });
});

describe('loadDeribitChain: the dates of a row agree (issue 11 item 9)', () => {
  const ts = LINES[1].split(',')[colOf('timestamp')];
  // Row 1 expires 2026-01-16, row 2 on 2026-12-25; the snapshot is 2026-01-05T15:33:29.748387Z.
  const lateT = LINES[2].split(',')[colOf('time_to_maturity')];

  it('an expiry before the snapshot with a positive time_to_maturity is dropped, naming time_to_maturity and both dates', () => {
    // The row of the issue: expired on 2 January, but a T that puts it on the December slice.
    const row = editRow(1, { instrument_name: 'BTC-2JAN26-82000-C', expiry_datetime: '2026-01-02T08:00:00+00:00', time_to_maturity: lateT });
    const chain = loadDeribitChain(withRow(row));
    expect(chain.length).toBe(2);
    expect(chain.instrument).not.toContain('BTC-2JAN26-82000-C');
    const issue = chain.skipped[0];
    expect([issue.line, issue.column, issue.value]).toEqual([4, 'time_to_maturity', lateT]);
    // The reason carries the values it was checked against (the expiry and the snapshot time).
    expect(issue.reason).toContain('2026-01-02T08:00:00+00:00');
    expect(issue.reason).toContain(ts);
    const e = rowError(() => loadDeribitChain(withRow(row), { onError: 'reject' }));
    expect([e.line, e.column]).toEqual([4, 'time_to_maturity']);
  });

  it('an expired row with time_to_maturity 0 agrees (kept); so does a timestamp without an offset (read as UTC)', () => {
    const expired = editRow(1, { instrument_name: 'BTC-2JAN26-82000-C', expiry_datetime: '2026-01-02T08:00:00+00:00', time_to_maturity: '0' });
    expect(loadDeribitChain(withRow(expired), { onError: 'reject' }).length).toBe(3);
    const noZone = editRow(1, { timestamp: ts.replace('+00:00', ''), expiry_datetime: '2026-01-16T08:00:00' });
    expect(loadDeribitChain(withRow(noZone), { onError: 'reject' }).length).toBe(3);
  });

  it('a time_to_maturity off by more than an hour from (expiry - snapshot) is reported; within the hour it is kept', () => {
    const T = Number(LINES[1].split(',')[colOf('time_to_maturity')]);
    const hour = 1 / (365.25 * 24);
    expect(loadDeribitChain(withRow(editRow(1, { time_to_maturity: String(T + 0.9 * hour) })), { onError: 'reject' }).length).toBe(3);
    const off = loadDeribitChain(withRow(editRow(1, { time_to_maturity: String(T + 1.1 * hour) })));
    expect(off.skipped.map((s) => [s.line, s.column])).toEqual([[4, 'time_to_maturity']]);
    expect(off.skipped[0].reason).toContain('2026-01-16T08:00:00+00:00');
  });

  it('says which of the three disagrees: expiry_datetime against the instrument name and T, or the instrument name against both', () => {
    // expiry_datetime moved to 17 January: the name (16JAN26) and T agree with each other, so expiry_datetime is the odd one.
    const badExpiry = loadDeribitChain(withRow(editRow(1, { expiry_datetime: '2026-01-17T08:00:00+00:00' })));
    expect(badExpiry.skipped.map((s) => [s.line, s.column])).toEqual([[4, 'expiry_datetime']]);
    expect(badExpiry.skipped[0].reason).toContain('BTC-16JAN26-82000-C');
    // The name says 17JAN26 while expiry_datetime and T say the 16th: the name is the odd one.
    const badName = loadDeribitChain(withRow(editRow(1, { instrument_name: 'BTC-17JAN26-82000-C' })));
    expect(badName.skipped.map((s) => [s.line, s.column])).toEqual([[4, 'instrument_name']]);
    // Without an expiry_datetime column the name's expiry (08:00 UTC) is checked against T.
    const drop = (line: string) => line.split(',').filter((_, j) => j !== colOf('expiry_datetime')).join(',');
    const noCol = [LINES[0], LINES[1], editRow(2, { instrument_name: 'BTC-2JAN26-40000-P' })].map(drop).join('\n');
    expect(loadDeribitChain(noCol).skipped.map((s) => [s.line, s.column])).toEqual([[3, 'time_to_maturity']]);
    // Dates that are not ISO 8601, or impossible, are malformed.
    for (const bad of ['16/01/2026', '2026-02-30T08:00:00Z', 'soon']) {
      expect(loadDeribitChain(withRow(editRow(1, { expiry_datetime: bad }))).skipped.map((s) => s.column)).toEqual(['expiry_datetime']);
    }
    expect(loadDeribitChain(withRow(editRow(1, { timestamp: 'yesterday' }))).skipped.map((s) => s.column)).toEqual(['timestamp']);
  });

  it('both bundled snapshots pass the checks: nothing skipped', async () => {
    const other = (await import('../data/market/deribit_options_snapshot_20260415T102447Z.csv?raw')).default;
    expect(loadDeribitChain(snapshot, { onError: 'reject' }).length).toBe(1288);
    expect(loadDeribitChain(other, { onError: 'reject' }).length).toBe(1630);
  });
});

describe('loadDeribitChain options (issue 11 item 7)', () => {
  it('null, a number, an array or a misspelled key is an InputError naming the path', () => {
    expectInputError(() => loadDeribitChain(snapshot, null as never), 'options');
    expectInputError(() => loadDeribitChain(snapshot, 42 as never), 'options');
    expectInputError(() => loadDeribitChain(snapshot, [] as never), 'options');
    const e = expectInputError(() => loadDeribitChain(snapshot, { onErorr: 'reject' } as never), 'options.onErorr');
    expect(e.suggestion).toBe('onError');
    expectInputError(() => loadDeribitChain(snapshot, { onError: 'bogus' as never }), 'options.onError');
    // undefined options and an explicit undefined onError keep the default.
    expect(loadDeribitChain(snapshot, undefined).length).toBe(1288);
    expect(loadDeribitChain(snapshot, { onError: undefined }).length).toBe(1288);
  });
});

describe.each(BACKENDS)('an expired row no longer joins a later slice of the surface (%s)', (backend) => {
  it('buildSurface on the chain with the bad row equals buildSurface without it', async () => {
    const engine = await engineFor(backend);
    const base = engine.buildSurface(loadDeribitChain(snapshot), { currency: 'BTC' });
    // A quote the surface keeps on a later expiry, copied under a name and date that expired before the snapshot.
    const name = base.instruments[base.instruments.length - 1];
    const k = LINES.findIndex((l) => l.split(',')[colOf('instrument_name')] === name);
    const expiredName = name.replace(/-\d{1,2}[A-Z]{3}\d{2}-/, '-2JAN26-');
    const row = editRow(k, { instrument_name: expiredName, expiry_datetime: '2026-01-02T08:00:00+00:00' });
    const chain = loadDeribitChain(`${snapshot.trimEnd()}\n${row}\n`);
    expect(chain.skipped.map((s) => s.column)).toEqual(['time_to_maturity']);
    const s = engine.buildSurface(chain, { currency: 'BTC' });
    expect(s.instruments).not.toContain(expiredName);
    expect(s.kept).toBe(base.kept);
    expect(s.expiries).toEqual(base.expiries);
    expect(Array.from(s.quotes.vols)).toEqual(Array.from(base.quotes.vols));
  });
});
