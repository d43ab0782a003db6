// [surface] Margin marked by a VolSurface in place of mark IVs (`market.surface`).
// References: (1) a market whose mark IVs are the surface's own vols (built here from the surface
// at each instrument's strike and expiry) must give the same margin bit for bit; (2) SVI fitted to
// the bundled Deribit snapshot's BTC mark IVs: each option's vol moves by exactly the fit's
// residual at that quote, and the book's portfolio margin by at most the vega-weighted residuals.
import { afterAll, describe, it, expect } from 'vitest';
import { closeSharedPools } from '../src/parallel/index.js';
import snapshot from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import {
  DERIBIT_GRID, DERIBIT_STANDARD, forwardFor, loadDeribitChain, marketFromDeribitChain, resolveAccounts,
  type MarginAccount, type MarginMarket,
} from '../src/index.js';

const chain = loadDeribitChain(snapshot);
const market: MarginMarket = marketFromDeribitChain(chain);

/** BTC options of the snapshot with a mark IV, by expiry. */
function btcRows(): number[] {
  const rows: number[] = [];
  for (let i = 0; i < chain.length; i++) if (chain.currency[i] === 'BTC' && chain.markIv[i] > 0 && chain.timeToMaturity[i] > 0.01) rows.push(i);
  return rows;
}

/** A book of BTC options by name: alternate long and short, every 5th quoted option. */
function book(rows: number[]): MarginAccount {
  return { collateral: { BTC: 50 }, positions: rows.filter((_, j) => j % 5 === 0).map((i, j) => ({ instrument: chain.instrument[i], size: j % 2 ? -1 : 2 })) };
}

describe.each(BACKENDS)('margin marked by a VolSurface on %s', (backend) => {
  afterAll(async () => {
    await closeSharedPools();
  });

  it('a market whose mark IVs are the surface\'s own vols gives the same resolution and margins, bit for bit', async () => {
    const engine = await engineFor(backend);
    const rows = btcRows();
    const expiries = [...new Set(rows.map((i) => chain.timeToMaturity[i]))].sort((a, b) => a - b);
    const btc = market.assets.BTC;
    const surface = engine.volSurface(
      expiries.map((T) => ({ expiry: T, forward: forwardFor(btc, T), params: { a: 0.25 * T, b: 0.08 + 0.05 * T, rho: -0.1, m: 0.02, sigma: 0.3 } })),
      { underlying: 'BTC', spot: btc.index },
    );
    const names = rows.map((i) => chain.instrument[i]);
    const { vols } = surface.vol({ strikes: rows.map((i) => chain.strike[i]), expiries: rows.map((i) => chain.timeToMaturity[i]) });
    const marks = new Map(names.map((n, j) => [n, vols[j]]));
    const byMarks: MarginMarket = { ...market, vols: Object.fromEntries([...Object.entries(market.vols ?? {}), ...marks]) };
    const bySurface: MarginMarket = { ...market, surface };
    const acc = book(rows);
    const a = resolveAccounts(engine, acc, byMarks)[0], b = resolveAccounts(engine, acc, bySurface)[0];
    expect(b.positions.map((p) => p.vol)).toEqual(a.positions.map((p) => p.vol));
    expect(b.positions.map((p) => p.markPerUnit)).toEqual(a.positions.map((p) => p.markPerUnit));
    expect(engine.standardMargin(acc, bySurface, DERIBIT_STANDARD)).toEqual(engine.standardMargin(acc, byMarks, DERIBIT_STANDARD));
    expect(engine.portfolioMargin(acc, bySurface, DERIBIT_GRID)).toEqual(engine.portfolioMargin(acc, byMarks, DERIBIT_GRID));
    // The same through the JSON (bound to the engine of the call) and through a Map by asset.
    expect(engine.portfolioMargin(acc, { ...market, surface: surface.toJSON() }, DERIBIT_GRID)).toEqual(engine.portfolioMargin(acc, byMarks, DERIBIT_GRID));
    expect(engine.portfolioMargin(acc, { ...market, surface: new Map([['BTC', surface]]) }, DERIBIT_GRID)).toEqual(engine.portfolioMargin(acc, byMarks, DERIBIT_GRID));
    // A position's own vol still wins over the surface.
    const own = resolveAccounts(engine, { positions: [{ instrument: names[0], size: 1, vol: 0.77 }] }, bySurface)[0];
    expect(own.positions[0].vol).toBe(0.77);
  });

  it('SVI fitted to the Deribit BTC marks: vols move by the fit residual, portfolio margin by at most the vega-weighted residuals', async () => {
    const engine = await engineFor(backend);
    const rows = btcRows();
    const fit = engine.fitSvi({
      forwards: rows.map((i) => forwardFor(market.assets.BTC, chain.timeToMaturity[i])),
      quotes: { strikes: rows.map((i) => chain.strike[i]), expiries: rows.map((i) => chain.timeToMaturity[i]), vols: rows.map((i) => chain.markIv[i]) },
    });
    const surface = engine.volSurface(fit, { forwards: fit.slices.map((s) => forwardFor(market.assets.BTC, s.expiry)), underlying: 'BTC' });
    const acc = book(rows);
    const a = resolveAccounts(engine, acc, market)[0], b = resolveAccounts(engine, acc, { ...market, surface })[0];
    const inBook = rows.filter((_, j) => j % 5 === 0);
    let vegaResid = 0;
    inBook.forEach((row, j) => {
      const q = rows.indexOf(row);
      const resid = fit.residuals[q] / 100; // residuals are in vol points
      // Same strike, expiry and forward as the fit saw: the surface vol is the fit's model vol, 1e-12 of rounding.
      expect(Math.abs(b.positions[j].vol - a.positions[j].vol - resid)).toBeLessThan(1e-12);
      // Black vega per unit (USD) x |residual|, summed with the position size: a first-order bound on the mark change.
      const p = a.positions[j], T = p.expiry, F = p.forward, K = p.strike, s = p.vol;
      const d1 = (Math.log(F / K) + 0.5 * s * s * T) / (s * Math.sqrt(T));
      vegaResid += Math.abs(p.size) * F * Math.sqrt(T) * Math.exp(-0.5 * d1 * d1) / Math.sqrt(2 * Math.PI) * Math.abs(resid);
    });
    const ma = engine.portfolioMargin(acc, market, DERIBIT_GRID), mb = engine.portfolioMargin(acc, { ...market, surface }, DERIBIT_GRID);
    // Each scenario's P&L moves by at most the sum of |size| vega |residual| (to first order; 10% for the second).
    expect(Math.abs(mb.initialMargin - ma.initialMargin)).toBeLessThanOrEqual(1.1 * vegaResid * 2);
    console.log(`[surface] BTC 2026-01-05 SVI on marks: rmse ${fit.rmse.toFixed(3)} vol pts; portfolio IM by marks ${ma.initialMargin.toFixed(0)} USD, by surface ${mb.initialMargin.toFixed(0)} USD (bound ${(2.2 * vegaResid).toFixed(0)})`);
  });

  it('on the worker pool: the surface crosses as JSON, each worker binds it; results equal the in-thread call bit for bit', async () => {
    const engine = await engineFor(backend);
    const rows = btcRows();
    const btc = market.assets.BTC;
    const expiries = [...new Set(rows.map((i) => chain.timeToMaturity[i]))].sort((a, b) => a - b);
    const surface = engine.volSurface(expiries.map((T) => ({ expiry: T, forward: forwardFor(btc, T), params: { a: 0.25 * T, b: 0.1, rho: -0.1, m: 0, sigma: 0.3 } })), { underlying: 'BTC' });
    const names = rows.map((i) => chain.instrument[i]);
    const accounts: MarginAccount[] = Array.from({ length: 12 }, (_, a) => ({ positions: Array.from({ length: 4 }, (_, k) => ({ instrument: names[(a * 37 + k * 101) % names.length], size: ((a + k) % 5) - 2 })) }));
    const mk = { ...market, surface };
    const ref = engine.portfolioMargin(accounts, mk, DERIBIT_GRID);
    const par = await engine.portfolioMarginParallel(accounts, mk, DERIBIT_GRID, { workers: 2, accountsPerShard: 5 });
    expect(par).toEqual(ref);
    // The caller's market is not changed by the conversion for the workers.
    expect(mk.surface).toBe(surface);
  });

  it('malformed surfaces name market.surface', async () => {
    const engine = await engineFor(backend);
    const acc = book(btcRows());
    expectInputError(() => engine.portfolioMargin(acc, { ...market, surface: 3 as never }, DERIBIT_GRID), 'market.surface');
    expectInputError(() => engine.portfolioMargin(acc, { ...market, surface: new Map([['BTC', {}]]) as never }, DERIBIT_GRID), 'market.surface.BTC');
    expectInputError(() => engine.portfolioMargin(acc, { ...market, surfaces: 1 } as never, DERIBIT_GRID), 'market.surfaces');
  });
});
