import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import btcCsv from '../data/history/BTCUSDT_1d.csv?raw';
import ref from './fixtures/risk-reference.json';
import { BACKENDS, engineFor, propertySeed } from './backends.js';
import {
  normalVarEs, studentTVarEs, parsePriceCsv, priceReturns, philoxNormals, portfolioSensitivities, type Engine, type Portfolio,
} from '../src/index.js';
import { approximatePnl } from '../src/risk/delta-gamma.js';

// /work/shared/reference/README.md: analytic VaR/ES of a zero-mean, unit-variance normal loss (10 decimals).
const NORMAL_TABLE = [
  { c: 0.95, var: 1.644853627, es: 2.0627128075 },
  { c: 0.975, var: 1.9599639845, es: 2.3378027922 },
  { c: 0.99, var: 2.326347874, es: 2.6652142203 },
];

const OPTIONS: Portfolio = {
  spots: { BTC: 90000, ETH: 3000 },
  positions: [
    { kind: 'option', asset: 'BTC', quantity: -2, strike: 95000, expiry: 30 / 365, vol: 0.5, type: 'call' },
    { kind: 'option', asset: 'BTC', quantity: 3, strike: 85000, expiry: 45 / 365, vol: 0.55, type: 'put', settlement: 'coin' },
    { kind: 'option', asset: 'ETH', quantity: 40, strike: 3100, expiry: 20 / 365, vol: 0.7, type: 'call' },
    { kind: 'perpetual', asset: 'ETH', quantity: -15 },
    { kind: 'spot', asset: 'BTC', quantity: 0.5 },
  ],
};

describe('analytic VaR and ES', () => {
  it('normal: the reference table to its 10 decimals, and mpmath to 1e-14', () => {
    for (const row of NORMAL_TABLE) {
      const r = normalVarEs(0, 1, row.c);
      expect(Math.abs(r.var - row.var)).toBeLessThan(6e-11);
      expect(Math.abs(r.es - row.es)).toBeLessThan(6e-11);
    }
    for (const row of ref.tailReference.filter((x) => x.distribution === 'normal')) {
      const r = normalVarEs(0, 1, row.confidence);
      expect(Math.abs(r.var - row.var) / row.var).toBeLessThan(1e-14);
      expect(Math.abs(r.es - row.es) / row.es).toBeLessThan(1e-14);
    }
  });

  it('unit-variance Student-t (nu = 3, 4, 5, 8): VaR and ES vs mpmath (ES by quadrature of x f(x)), relative 1e-12', () => {
    for (const row of ref.tailReference.filter((x) => x.distribution === 't')) {
      const nu = row.nu as number;
      const r = studentTVarEs(0, Math.sqrt((nu - 2) / nu), nu, row.confidence);
      expect(Math.abs(r.var - row.var) / row.var, `VaR nu ${nu} c ${row.confidence}`).toBeLessThan(1e-12);
      expect(Math.abs(r.es - row.es) / row.es, `ES nu ${nu} c ${row.confidence}`).toBeLessThan(1e-12);
    }
  });
});

describe.each(BACKENDS)('valueAtRisk (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('historical estimator conventions by hand: losses 1..100', () => {
    const pnl = Array.from({ length: 100 }, (_, i) => -(i + 1));
    const a = engine.valueAtRisk({ pnl, confidence: 0.95 });
    expect(a.var).toBe(95); // k = ceil(95) = 95
    expect(a.es).toBeCloseTo(98, 12); // mean of 96..100
    const b = engine.valueAtRisk({ pnl, confidence: 0.975 });
    expect(b.var).toBe(98); // k = ceil(97.5) = 98
    expect(b.es).toBeCloseTo((99 + 100 + 0.5 * 98) / 2.5, 12); // fractional atom of L_(98)
  });

  it('historical, normal and Student-t on 200000 seeded normals agree with the analytic normal (3 standard errors)', () => {
    const z = philoxNormals(200000, 20260101, 0, 0, 0, engine);
    for (const row of NORMAL_TABLE) {
      const h = engine.valueAtRisk({ pnl: z, confidence: row.c });
      // se of a quantile: sqrt(c(1-c)/n)/phi(z); of ES roughly sqrt(var of the tail / (n(1-c)))
      const seVar = Math.sqrt((row.c * (1 - row.c)) / z.length) / (Math.exp(-0.5 * row.var * row.var) / Math.sqrt(2 * Math.PI));
      expect(Math.abs(h.var - row.var)).toBeLessThan(3 * seVar);
      expect(Math.abs(h.es - row.es)).toBeLessThan(3 * seVar * 1.5);
      const n = engine.valueAtRisk({ pnl: z, confidence: row.c, method: 'normal' });
      expect(Math.abs(n.var - row.var)).toBeLessThan(0.01);
      expect(n.es).toBeGreaterThan(n.var);
    }
    const t = engine.valueAtRisk({ pnl: z.subarray(0, 20000), confidence: 0.99, method: 'studentT' });
    expect(t.details.nu as number).toBeGreaterThan(30); // normal data: large fitted nu
  });

  it('Student-t fit recovers nu = 4 from 20000 seeded t draws (within 0.5)', () => {
    const u = philoxNormals(100000, 7, 1, 0, 0, engine);
    // t_4 = Z / sqrt(chi2_4 / 4) from 5 normals per draw
    const x = new Float64Array(20000);
    for (let i = 0; i < 20000; i++) {
      let c2 = 0;
      for (let j = 1; j < 5; j++) c2 += u[5 * i + j] ** 2;
      x[i] = u[5 * i] / Math.sqrt(c2 / 4);
    }
    const r = engine.valueAtRisk({ pnl: x, confidence: 0.99, method: 'studentT' });
    expect(Math.abs((r.details.nu as number) - 4)).toBeLessThan(0.5);
  });

  it('ES coherence on samples (fast-check): monotone, translation invariant, positively homogeneous, subadditive; ES >= VaR', () => {
    const seed = propertySeed(`ES coherence ${backend}`);
    const sample = fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 5, maxLength: 400 });
    fc.assert(fc.property(sample, fc.double({ min: 0.5, max: 0.995, noNaN: true }), fc.double({ min: -500, max: 500, noNaN: true }),
      fc.double({ min: 0.01, max: 100, noNaN: true }), fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 400, maxLength: 400 }),
      fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 400, maxLength: 400 }),
      (x, c, a, lam, bump, other) => {
        const tol = (v: number) => 1e-9 * (1 + Math.abs(v));
        const es = (p: ArrayLike<number>) => engine.valueAtRisk({ pnl: p, confidence: c });
        const base = es(x);
        expect(base.es).toBeGreaterThanOrEqual(base.var);
        // Monotone: larger losses (smaller P&L) in every state give a larger ES.
        const worse = x.map((v, i) => v - bump[i]);
        expect(es(worse).es).toBeGreaterThanOrEqual(base.es - tol(base.es));
        // Translation: adding cash a to P&L lowers ES by a.
        const t = es(x.map((v) => v + a));
        expect(Math.abs(t.es - (base.es - a))).toBeLessThanOrEqual(tol(base.es) + tol(a));
        // Homogeneity.
        const h = es(x.map((v) => v * lam));
        expect(Math.abs(h.es - lam * base.es)).toBeLessThanOrEqual(tol(lam * base.es) * 10);
        // Subadditivity on paired samples.
        const y = x.map((_, i) => other[i]);
        const s = es(x.map((v, i) => v + y[i]));
        expect(s.es).toBeLessThanOrEqual(base.es + es(y).es + tol(base.es) * 10);
      }), { seed, numRuns: 100 });
  });

  it('BTC daily history: historical VaR/ES of a 1 BTC-equivalent return series; 10 days by sqrt and by overlapping windows', () => {
    const h = parsePriceCsv(btcCsv);
    expect(h.dates.length).toBe(3065);
    const r = priceReturns(h.close, 'log');
    const one = engine.valueAtRisk({ pnl: r, confidence: 0.99 });
    const sqrt10 = engine.valueAtRisk({ pnl: r, confidence: 0.99, horizonDays: 10 });
    const over10 = engine.valueAtRisk({ pnl: r, confidence: 0.99, horizonDays: 10, horizonScaling: 'overlapping' });
    console.log(`[risk] BTC 99% 1-day historical VaR ${one.var.toFixed(4)} ES ${one.es.toFixed(4)}; 10-day sqrt ${sqrt10.var.toFixed(4)}, overlapping ${over10.var.toFixed(4)} (ES ${over10.es.toFixed(4)})`);
    expect(one.var).toBeGreaterThan(0.05);
    expect(one.es).toBeGreaterThan(one.var);
    expect(sqrt10.var).toBeCloseTo(one.var * Math.sqrt(10), 12);
    expect(sqrt10.horizonMethod).toBe('sqrt');
    expect(over10.horizonMethod).toBe('overlapping');
    expect(over10.observations).toBe(r.length - 9);
    for (const method of ['ageWeighted', 'volatilityScaled', 'normal', 'studentT', 'cornishFisher', 'ewma', 'garch', 'filteredHistorical'] as const) {
      const m = engine.valueAtRisk({ pnl: r.subarray(r.length - 1000), confidence: 0.99, method });
      expect(m.es, method).toBeGreaterThanOrEqual(m.var);
      expect(m.var, method).toBeGreaterThan(0);
    }
    const fhs10 = engine.valueAtRisk({ pnl: r.subarray(r.length - 1000), confidence: 0.99, method: 'filteredHistorical', horizonDays: 10, simulations: 2000, seed: 3 });
    expect(fhs10.horizonMethod).toBe('simulation');
    expect(fhs10.es).toBeGreaterThan(fhs10.var);
  });

  it('Euler allocation: component VaR and ES sum to the total (historical, age-weighted, normal); incremental recomputed', () => {
    const z = philoxNormals(2 * 3000, 11, 0, 0, 0, engine);
    const scenarios = { logReturns: Array.from({ length: 3000 }, (_, s) => [0.03 * z[2 * s], 0.04 * (0.6 * z[2 * s] + 0.8 * z[2 * s + 1])]) };
    for (const method of ['historical', 'ageWeighted', 'normal'] as const) {
      const r = engine.valueAtRisk({ portfolio: OPTIONS, scenarios, confidence: 0.99, method, allocation: true });
      const a = r.allocation!;
      expect(Math.abs(a.sumComponentVar - r.var), method).toBeLessThan(1e-8 * Math.abs(r.var));
      expect(Math.abs(a.sumComponentEs - r.es), method).toBeLessThan(1e-8 * Math.abs(r.es));
      expect(a.positions).toHaveLength(5);
      for (const p of a.positions) {
        expect(Number.isFinite(p.incrementalVar)).toBe(true);
        expect(p.marginalVar! * OPTIONS.positions[p.index].quantity).toBeCloseTo(p.componentVar, 8);
      }
    }
  });

  it('delta-gamma(-vega) matches full revaluation for small shocks (relative error O(shock)); delta-normal does not capture gamma', () => {
    const z = philoxNormals(4 * 2000, 5, 0, 0, 0, engine);
    const rels: number[] = [];
    for (const size of [0.01, 0.002]) {
      const lr = new Float64Array(2 * 2000), vs = new Float64Array(2 * 2000);
      for (let i = 0; i < 4000; i++) { lr[i] = size * z[i]; vs[i] = size * z[4000 + i]; }
      const full = engine.revaluePortfolio({ portfolio: OPTIONS, scenarios: { logReturns: lr, volShocks: vs, horizon: 1 / 365 } }).pnl;
      const sens = portfolioSensitivities(engine, OPTIONS, 1 / 365, 'absolute');
      const dg = approximatePnl(sens, lr, vs, true);
      const dn = approximatePnl(sens, lr, vs, false);
      let errG = 0, errN = 0, scale = 0;
      for (let s = 0; s < 2000; s++) {
        errG = Math.max(errG, Math.abs(dg[s] - full[s]));
        errN = Math.max(errN, Math.abs(dn[s] - full[s]));
        scale = Math.max(scale, Math.abs(full[s]));
      }
      console.log(`[risk] shock ${size}: max |delta-gamma - full| / max |full| = ${(errG / scale).toExponential(2)}, delta-normal ${(errN / scale).toExponential(2)}`);
      expect(errG / scale).toBeLessThan(size === 0.01 ? 1e-2 : 2e-3);
      expect(errG).toBeLessThan(errN / 10);
      rels.push(errG / scale);
    }
    // Omitted terms (volga, third order in the spot) are second order: the relative error shrinks at least linearly.
    expect(rels[1]).toBeLessThan(rels[0] / 3);
    const scen = { logReturns: Array.from({ length: 2000 }, (_, s) => [0.005 * z[2 * s], 0.005 * z[2 * s + 1]]) };
    const full = engine.valueAtRisk({ portfolio: OPTIONS, scenarios: scen, confidence: 0.99 });
    const dgv = engine.valueAtRisk({ portfolio: OPTIONS, scenarios: scen, confidence: 0.99, method: 'deltaGamma' });
    expect(Math.abs(dgv.var - full.var) / full.var).toBeLessThan(0.01);
    // Covariance route: delta-normal analytic and delta-gamma Cornish-Fisher.
    const cov = [[0.03 ** 2, 0.6 * 0.03 * 0.04], [0.6 * 0.03 * 0.04, 0.04 ** 2]];
    const dnc = engine.valueAtRisk({ portfolio: OPTIONS, confidence: 0.99, method: 'deltaNormal', deltaGamma: { covariance: cov } });
    const dgc = engine.valueAtRisk({ portfolio: OPTIONS, confidence: 0.99, method: 'deltaGamma', deltaGamma: { covariance: cov } });
    expect(dnc.es).toBeGreaterThan(dnc.var);
    expect(Number.isFinite(dgc.var)).toBe(true);
  });

  it('bootstrap intervals are seeded and reproducible, bracket the estimate, and the same on both backends', async () => {
    const z = philoxNormals(2000, 9, 0, 0, 0, engine);
    const a = engine.valueAtRisk({ pnl: z, confidence: 0.99, bootstrap: { samples: 200, seed: 42 } });
    const b = engine.valueAtRisk({ pnl: z, confidence: 0.99, bootstrap: { samples: 200, seed: 42 } });
    expect(a.bootstrap).toEqual(b.bootstrap);
    expect(a.bootstrap!.var.lower).toBeLessThan(a.var);
    expect(a.bootstrap!.var.upper).toBeGreaterThan(a.var);
    expect(a.bootstrap!.es.lower).toBeLessThan(a.es);
    const other = await engineFor(backend === 'js' ? 'wasm' : 'js');
    expect(other.valueAtRisk({ pnl: z, confidence: 0.99, bootstrap: { samples: 200, seed: 42 } }).bootstrap).toEqual(a.bootstrap);
  });

  it('Monte Carlo full revaluation: seeded, reproducible, backend-independent; spot-only VaR matches the lognormal quantile', async () => {
    const mc = { vols: [0.6, 0.8], correlation: [[1, 0.7], [0.7, 1]], volOfVol: [1.5, 1.5], spotVolCorrelation: [-0.4, -0.3], paths: 20000, seed: 99 };
    const a = engine.valueAtRisk({ portfolio: OPTIONS, confidence: 0.99, method: 'monteCarlo', monteCarlo: mc });
    const b = engine.valueAtRisk({ portfolio: OPTIONS, confidence: 0.99, method: 'monteCarlo', monteCarlo: mc });
    expect(a.var).toBe(b.var);
    const other = await engineFor(backend === 'js' ? 'wasm' : 'js');
    const c = other.valueAtRisk({ portfolio: OPTIONS, confidence: 0.99, method: 'monteCarlo', monteCarlo: mc });
    expect(Math.abs(c.var - a.var)).toBeLessThan(1e-9 * Math.abs(a.var));
    const spot: Portfolio = { spots: { BTC: 90000 }, positions: [{ kind: 'spot', asset: 'BTC', quantity: 1 }] };
    const s = engine.valueAtRisk({ portfolio: spot, confidence: 0.99, method: 'monteCarlo', monteCarlo: { vols: [0.6], paths: 100000, seed: 1, horizonDays: 10 } });
    const h = 10 / 365;
    const exact = 90000 * (1 - Math.exp(-0.5 * 0.36 * h - 0.6 * Math.sqrt(h) * 2.326347874));
    expect(Math.abs(s.var - exact) / exact).toBeLessThan(0.02);
    const withAlloc = engine.valueAtRisk({ portfolio: OPTIONS, confidence: 0.99, method: 'monteCarlo', monteCarlo: { ...mc, paths: 5000 }, allocation: true });
    expect(Math.abs(withAlloc.allocation!.sumComponentEs - withAlloc.es)).toBeLessThan(1e-8 * Math.abs(withAlloc.es));
  });

  it('malformed calls are InputErrors naming the field', () => {
    expect(() => engine.valueAtRisk({ pnl: [1, 2, 3], confidence: 1 })).toThrow(expect.objectContaining({ code: 'INPUT', path: 'confidence' }));
    expect(() => engine.valueAtRisk({ pnl: [1, NaN, 3], confidence: 0.9 })).toThrow(expect.objectContaining({ code: 'INPUT', path: 'pnl[1]' }));
    expect(() => engine.valueAtRisk({ pnl: [1, 2, 3], confidence: 0.9, method: 'bogus' as never })).toThrow(expect.objectContaining({ code: 'INPUT', path: 'method' }));
    // Monte Carlo correlation: the library's checks, never a silent change of the matrix (a scaled
    // diagonal once doubled the vols, an asymmetric or indefinite matrix was factored regardless).
    const mcVar = (correlation: number[][]) => () => engine.valueAtRisk({
      portfolio: OPTIONS, confidence: 0.99, method: 'monteCarlo', monteCarlo: { vols: [0.6, 0.8], correlation, paths: 100, seed: 1 },
    });
    expect(mcVar([[4, 0], [0, 4]])).toThrow(expect.objectContaining({ code: 'INPUT', path: 'monteCarlo.correlation[0][0]' }));
    expect(mcVar([[1, 0.99], [-0.5, 1]])).toThrow(expect.objectContaining({ code: 'INPUT' }));
    expect(mcVar([[1, NaN], [NaN, 1]])).toThrow(expect.objectContaining({ code: 'INPUT', path: 'monteCarlo.correlation[0][1]' }));
    expect(mcVar([[1, 1.2], [1.2, 1]])).toThrow(expect.objectContaining({ code: 'INPUT', path: 'monteCarlo.correlation[0][1]' }));
  });
});
