import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { BACKENDS, engineFor, propertySeed } from './backends.js';
import { garchLogLikelihood, type Engine, type Portfolio } from '../src/index.js';

const PORTFOLIO: Portfolio = {
  spots: { BTC: 90000, ETH: 3000 },
  positions: [
    { kind: 'spot', asset: 'BTC', quantity: 2 },
    { kind: 'perpetual', asset: 'ETH', quantity: -10, fundingRate: 0.1 },
    { kind: 'future', asset: 'BTC', quantity: 1, expiry: 0.25, basis: 0.05 },
    { kind: 'future', asset: 'ETH', quantity: 30000, expiry: 0.5, basis: 0.04, settlement: 'coin' },
    { kind: 'option', asset: 'BTC', quantity: -3, strike: 100000, expiry: 30 / 365, vol: 0.55, type: 'call' },
    { kind: 'option', asset: 'BTC', quantity: 5, strike: 80000, expiry: 60 / 365, vol: 0.6, type: 'put', settlement: 'coin' },
    { kind: 'option', asset: 'ETH', quantity: 20, strike: 3000, expiry: 7 / 365, vol: 0.7, type: 'call', rate: 0.04, basis: 0.02 },
  ],
};

describe.each(BACKENDS)('risk kernels (%s)', (backend) => {
  let engine: Engine;
  // The other backend, so the twin checks below compare WASM with JS on both passes.
  let other: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
    other = await engineFor(backend === 'js' ? 'wasm' : 'js');
  });

  it('portfolioRevalue: the zero scenario with no elapsed time is 0; option P&L matches engine.black76 repricing', () => {
    const sc = { logReturns: [[0, 0], [0.05, -0.1], [-0.2, 0.03]], volShocks: [[0, 0], [0.1, -0.05], [0.2, 0.3]], horizon: 0 };
    const r = engine.revaluePortfolio({ portfolio: PORTFOLIO, scenarios: sc, positionPnl: true });
    expect(r.pnl[0]).toBe(0);
    const m = 3;
    // Position 4: short 3 BTC calls (USD); scenario 2: spot e^{-0.2}, vol + 0.2.
    const S = 90000, T = 30 / 365;
    const p0 = engine.black76({ forwards: S, strikes: 100000, expiries: T, vols: 0.55, types: 'call' }).price[0];
    const p1 = engine.black76({ forwards: S * Math.exp(-0.2), strikes: 100000, expiries: T, vols: 0.75, types: 'call' }).price[0];
    expect(r.positionPnl![4 * m + 2]).toBeCloseTo(-3 * (p1 - p0), 8);
    // Position 5: coin-settled put, USD value = coin price x spot = Black76 / F x S (basis 0: F = S).
    const c0 = engine.black76({ forwards: S, strikes: 80000, expiries: 60 / 365, vols: 0.6, types: 'put', settlement: 'coin' }).price[0];
    const S1 = S * Math.exp(0.05);
    const c1 = engine.black76({ forwards: S1, strikes: 80000, expiries: 60 / 365, vols: 0.7, types: 'put', settlement: 'coin' }).price[0];
    expect(r.positionPnl![5 * m + 1]).toBeCloseTo(5 * (c1 * S1 - c0 * S), 8);
    // Inverse future: coin P&L q (1/F0 - 1/F1) converted at the scenario spot.
    const E = 3000, F0 = E * Math.exp(0.04 * 0.5);
    const F1 = F0 * Math.exp(-0.1);
    expect(r.positionPnl![3 * m + 1]).toBeCloseTo(30000 * (1 / F0 - 1 / F1) * E * Math.exp(-0.1), 9);
    // Totals are the position sums.
    for (let s = 0; s < m; s++) {
      let sum = 0;
      for (let i = 0; i < 7; i++) sum += r.positionPnl![i * m + s];
      expect(r.pnl[s]).toBeCloseTo(sum, 8);
    }
  });

  it('portfolioRevalue: time passing gives theta and funding; accounts in a coin numeraire', () => {
    const portfolio: Portfolio = {
      ...PORTFOLIO,
      accounts: { usd: {}, btc: { numeraire: 'BTC' } },
      positions: PORTFOLIO.positions.map((p, i) => ({ ...p, account: i % 2 ? 'btc' : 'usd' })),
    };
    const r = engine.revaluePortfolio({ portfolio, scenarios: { logReturns: [[0, 0], [0.1, 0.1]], horizon: 1 / 365 }, positionPnl: true });
    // Perp funding: -q S f h = 10 * 3000 * 0.1 / 365 (short receives funding).
    expect(r.positionPnl![1 * 2 + 0]).toBeCloseTo(10 * 3000 * 0.1 / 365, 9);
    // Short call earns theta over a day; the zero scenario's total is small but not 0.
    expect(r.positionPnl![4 * 2 + 0]).toBeGreaterThan(0);
    // BTC account: sum V'/S' - sum V/S over its positions (spot-less account: its positions have base 0 or option values).
    const usd = r.accounts!.usd, btc = r.accounts!.btc;
    let usdSum = 0;
    for (const i of [0, 2, 4, 6]) usdSum += r.positionPnl![i * 2 + 1];
    expect(usd[1]).toBeCloseTo(usdSum, 7);
    // BTC account (positions 1, 3, 5), in BTC: sum V'/S'_BTC - sum V/S_BTC. Base values V: the
    // perpetual and the inverse future carry none (their value is their P&L), the coin put is worth
    // 5 x its coin price x S today (engine.black76, independent of the revaluation kernel).
    const S = 90000, S1 = S * Math.exp(0.1);
    const put0 = 5 * S * engine.black76({ forwards: S, strikes: 80000, expiries: 60 / 365, vols: 0.6, types: 'put', settlement: 'coin' }).price[0];
    const pnl = (i: number) => r.positionPnl![i * 2 + 1];
    const expected = (pnl(1) + pnl(3) + put0 + pnl(5)) / S1 - put0 / S;
    // 1e-12 relative to the coin values involved (the sums cancel to a small number of BTC).
    expect(Math.abs(btc[1] - expected)).toBeLessThan(1e-12 * (Math.abs(put0) + Math.abs(pnl(1)) + Math.abs(pnl(3))) / S);
    expect(Math.abs(btc[1])).toBeGreaterThan(1e-6);
  });

  it('portfolioRevalue: WASM and JS twins agree to 1e-12 relative on random portfolios (fast-check)', () => {
    const seed = propertySeed('portfolioRevalue twins');
    fc.assert(fc.property(
      fc.array(fc.record({
        kind: fc.constantFrom('spot', 'perpetual', 'future', 'option'), asset: fc.constantFrom('BTC', 'ETH'),
        quantity: fc.double({ min: -100, max: 100, noNaN: true }), strike: fc.double({ min: 500, max: 200000, noNaN: true }),
        expiry: fc.double({ min: 0, max: 2, noNaN: true }), vol: fc.double({ min: 0, max: 3, noNaN: true }),
        call: fc.boolean(), coin: fc.boolean(),
      }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.tuple(fc.double({ min: -0.5, max: 0.5, noNaN: true }), fc.double({ min: -0.5, max: 0.5, noNaN: true })), { minLength: 1, maxLength: 20 }),
      (ps, scen) => {
        const portfolio: Portfolio = {
          spots: { BTC: 90000, ETH: 3000 },
          positions: ps.map((p) => p.kind === 'option'
            ? { kind: 'option', asset: p.asset, quantity: p.quantity, strike: p.strike, expiry: p.expiry, vol: p.vol, type: p.call ? 'call' : 'put', settlement: p.coin ? 'coin' : 'usd' }
            : p.kind === 'future' ? { kind: 'future', asset: p.asset, quantity: p.quantity, expiry: p.expiry, basis: 0.03, settlement: p.coin ? 'coin' : 'usd' }
              : { kind: p.kind as 'spot' | 'perpetual', asset: p.asset, quantity: p.quantity }),
        };
        const scenarios = { logReturns: scen.map((s) => [s[0], s[1]]), volShocks: scen.map((s) => [s[1], s[0]]), volShockMode: 'relative' as const };
        const a = engine.revaluePortfolio({ portfolio, scenarios }).pnl;
        const b = other.revaluePortfolio({ portfolio, scenarios }).pnl;
        let scale = 1;
        for (const p of portfolio.positions) scale += Math.abs(p.quantity) * 200000;
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-12 * scale);
      }), { seed, numRuns: 50 });
  });

  it('portfolioRevalue: malformed calls are InputErrors naming the field', () => {
    expect(() => engine.revaluePortfolio({ portfolio: { spots: { BTC: 1 }, positions: [{ kind: 'spot', asset: 'XRP', quantity: 1 }] }, scenarios: { logReturns: [[0]] } }))
      .toThrow(expect.objectContaining({ code: 'INPUT', path: 'portfolio.positions[0].asset' }));
    expect(() => engine.revaluePortfolio({ portfolio: PORTFOLIO, scenarios: { logReturns: [[0, NaN]] } }))
      .toThrow(expect.objectContaining({ code: 'INPUT', path: 'scenarios.logReturns[0][1]' }));
  });

  it('tailSelect via VaR: the k-th order statistic equals the sorted array, input unmodified, twins identical', () => {
    const seed = propertySeed('tailSelect');
    fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 3000 }), fc.double({ min: 0.5, max: 0.999, noNaN: true }), (xs, c) => {
      const copy = [...xs];
      const r = engine.valueAtRisk({ pnl: xs, confidence: c });
      expect(xs).toEqual(copy);
      const losses = xs.map((x) => -x).sort((a, b) => a - b);
      const n = xs.length;
      const k = r.details.k as number;
      // + 0 maps -0 to 0: with both zeros in the sample either one is the k-th order statistic (the
      // sort keeps their input order, the selection need not); fast-check draws both now and then.
      expect(r.var + 0).toBe(losses[k - 1] + 0);
      let tail = 0;
      for (let i = k; i < n; i++) tail += losses[i];
      const es = (tail + (k - n * c) * losses[k - 1]) / (n * (1 - c));
      expect(Math.abs(r.es - Math.max(es, r.var))).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(es)));
      expect(other.valueAtRisk({ pnl: xs, confidence: c }).es).toBe(r.es);
    }), { seed, numRuns: 60, examples: [[[0, -0], 0.5], [[5, -0, 0, 3], 0.9]] });
  });

  it('garchLikelihood: analytic gradient matches central differences (GARCH/GJR, normal/t) and the twins agree', () => {
    const r = Float64Array.from({ length: 500 }, (_, i) => Math.sin(i * 1.7) * (1 + 0.5 * Math.cos(i / 13)));
    for (const model of ['garch', 'gjr'] as const) {
      for (const distribution of ['normal', 't'] as const) {
        const p = { model, distribution, omega: 0.05, alpha: 0.08, beta: 0.85, gamma: 0.06, nu: 6 };
        const a = garchLogLikelihood(engine, r, p);
        const b = garchLogLikelihood(other, r, p);
        expect(Math.abs(a.logLikelihood - b.logLikelihood)).toBeLessThan(1e-10 * Math.abs(b.logLikelihood));
        const keys = ['omega', 'alpha', 'beta', ...(model === 'gjr' ? ['gamma' as const] : []), ...(distribution === 't' ? ['nu' as const] : [])] as const;
        for (const k of keys) {
          const h = 1e-6 * Math.max(1, Math.abs(p[k]));
          const up = garchLogLikelihood(engine, r, { ...p, [k]: p[k] + h }).logLikelihood;
          const dn = garchLogLikelihood(engine, r, { ...p, [k]: p[k] - h }).logLikelihood;
          const fd = (up - dn) / (2 * h);
          expect(Math.abs(a.gradient[k] - fd), `${model} ${distribution} ${k}`).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
        }
      }
    }
  });
});
