import { describe, it, expect, beforeAll } from 'vitest';
import btcCsv from '../data/history/BTCUSDT_1d.csv?raw';
import ethCsv from '../data/history/ETHUSDT_1d.csv?raw';
import solCsv from '../data/history/SOLUSDT_1d.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
import { alignHistories, parsePriceCsv, stressedVar, type Engine, type Portfolio } from '../src/index.js';

const BOOK: Portfolio = {
  spots: { BTC: 90000, ETH: 3000 },
  positions: [
    { kind: 'spot', asset: 'BTC', quantity: 1 },
    { kind: 'option', asset: 'BTC', quantity: -2, strike: 80000, expiry: 30 / 365, vol: 0.5, type: 'put' },
    { kind: 'perpetual', asset: 'ETH', quantity: 10, fundingRate: 0.1 },
  ],
};

describe('price histories', () => {
  it('aligns BTC, ETH and SOL on common dates (from SOL\'s first day) and reports no gaps in the bundled data', () => {
    const a = alignHistories({ BTC: parsePriceCsv(btcCsv), ETH: parsePriceCsv(ethCsv), SOL: parsePriceCsv(solCsv) });
    expect(a.dates[0]).toBe('2020-08-11');
    expect(a.dates.length).toBe(1975);
    expect(a.gaps).toEqual([]);
    expect(a.returns.SOL.length).toBe(1974);
    expect([...a.spanDays].every((d) => d === 1)).toBe(true);
  });

  it('reports gaps: a missing calendar day and dates another asset lacks', () => {
    const a = alignHistories({
      X: { dates: ['2024-01-01', '2024-01-02', '2024-01-04'], close: Float64Array.of(1, 2, 3) },
      Y: { dates: ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'], close: Float64Array.of(1, 2, 3, 4) },
    }, 'simple');
    expect(a.dates).toEqual(['2024-01-01', '2024-01-02', '2024-01-04']);
    // Each missing (asset, date) is listed once: a hole in X's own calendar.
    expect(a.gaps).toEqual([{ asset: 'X', date: '2024-01-03', kind: 'missingDay' }]);
    expect(a.spanDays[1]).toBe(2);
    expect(a.returns.Y[1]).toBeCloseTo(4 / 2 - 1, 15);
  });
});

describe.each(BACKENDS)('stress tests (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('finds the March 2020, May 2022 and November 2022 windows in the data and revalues the book under them', () => {
    const history = alignHistories({ BTC: parsePriceCsv(btcCsv), ETH: parsePriceCsv(ethCsv) });
    const r = engine.stressTest({ portfolio: BOOK, history, windowDays: 3 });
    expect(r.historical.map((w) => w.name)).toHaveLength(3);
    for (const w of r.historical) console.log(`[risk] ${w.name}: ${w.start} -> ${w.end}, BTC ${(100 * w.moves.BTC).toFixed(1)}%, ETH ${(100 * w.moves.ETH).toFixed(1)}%, P&L ${w.pnl.toFixed(0)} USD`);
    const [covid, luna, ftx] = r.historical;
    expect(covid.end >= '2020-03-12' && covid.end <= '2020-03-13').toBe(true);
    expect(covid.moves.BTC).toBeLessThan(-0.3);
    expect(luna.end.startsWith('2022-05')).toBe(true);
    expect(ftx.end >= '2022-11-08' && ftx.end <= '2022-11-10').toBe(true);
    for (const w of r.historical) expect(w.pnl).toBeLessThan(0);
    expect(r.worst.pnl).toBe(Math.min(...r.historical.map((w) => w.pnl)));
  });

  it('hypothetical spot x vol grid by full revaluation: a spot-only book loses q S x exactly', () => {
    const spot: Portfolio = { spots: { BTC: 90000 }, positions: [{ kind: 'spot', asset: 'BTC', quantity: 2 }] };
    const g = engine.stressTest({ portfolio: spot, grid: { spotShocks: [-0.3, -0.1, 0, 0.1, 0.3], volShocks: [-0.1, 0, 0.2] } }).grid!;
    g.spotShocks.forEach((x, i) => g.pnl[i].forEach((p) => expect(p).toBeCloseTo(2 * 90000 * x, 6)));
    const book = engine.stressTest({ portfolio: BOOK, grid: { spotShocks: [-0.5, -0.16, 0, 0.16], volShocks: [0.5, 0, -0.25], volShockMode: 'relative' } });
    // Short puts: the worst point is the large down move with vol up.
    expect(book.worst.name).toBe('grid spot -0.5 vol 0.5');
  });

  it('stressed VaR: the worst 250-day stretch of history gives at least the current VaR', () => {
    const history = alignHistories({ BTC: parsePriceCsv(btcCsv), ETH: parsePriceCsv(ethCsv) });
    const s = stressedVar(engine, { portfolio: BOOK, history, confidence: 0.99, windowDays: 250 });
    console.log(`[risk] stressed VaR 99% (250d): ${s.var.toFixed(0)} USD (ES ${s.es.toFixed(0)}), ${s.start} -> ${s.end}; current ${s.currentVar.toFixed(0)}`);
    expect(s.var).toBeGreaterThanOrEqual(s.currentVar);
    expect(s.es).toBeGreaterThanOrEqual(s.var);
  });
});
