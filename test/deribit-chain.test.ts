import { describe, it, expect, beforeAll } from 'vitest';
import snapshot from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
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
