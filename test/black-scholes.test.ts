import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import haugCsv from '../data/reference/haug_european_bsm_values.csv?raw';
import haugGreeksCsv from '../data/reference/haug_european_bsm_greeks.csv?raw';
import pyVollib from '../data/reference/py_vollib_bs_values.json';
import reference from './fixtures/black-reference.json';
import { BACKENDS, engineFor, EPS, propertySeed, relDiff } from './backends.js';
import { Status, type Engine, type PricingResult } from '../src/index.js';

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

const GREEKS = ['delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'] as const;

describe.each(BACKENDS)('Black-Scholes-Merton pricing (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('matches Haug (1998) pp. 2-8, 24, 27: 43 prices to the printed 4 decimals (tol 1e-4, as QuantLib)', () => {
    const rows = parseCsv(haugCsv);
    expect(rows.length).toBe(43);
    const r = engine.blackScholes({
      spots: rows.map((x) => +x.spot), strikes: rows.map((x) => +x.strike), expiries: rows.map((x) => +x.t),
      vols: rows.map((x) => +x.vol), rates: rows.map((x) => +x.r), dividendYields: rows.map((x) => +x.q),
      types: rows.map((x) => x.type as 'call' | 'put'),
    });
    rows.forEach((row, i) => {
      expect(Math.abs(r.price[i] - +row.expected_price), `row ${row.source_line}`).toBeLessThanOrEqual(+row.tolerance);
    });
  });

  it('matches Haug (1998) pp. 11-16 greeks (delta, elasticity, gamma, vega, theta per year and day, rho, dividend rho)', () => {
    for (const row of parseCsv(haugGreeksCsv)) {
      const S = +row.spot, T = +row.t;
      const r = engine.blackScholes({ spots: S, strikes: +row.strike, expiries: T, vols: +row.vol, rates: +row.r, dividendYields: +row.q, types: row.type as 'call' | 'put', greeks: true });
      const value: Record<string, number> = {
        delta: r.delta![0], gamma: r.gamma![0], vega: r.vega![0], rho: r.rho![0],
        theta_per_year: r.theta![0], theta_per_day: r.theta![0] / 365,
        elasticity: (r.delta![0] * S) / r.price[0],
        // dV/dq with S, r fixed is -T S e^{-qT} N(d1) theta = -T S delta.
        dividend_rho: -T * S * r.delta![0],
      };
      expect(Math.abs(value[row.greek] - +row.expected), `${row.greek} line ${row.source_line}`).toBeLessThanOrEqual(+row.tolerance_used_in_test);
    }
  });

  it('matches py_vollib (MIT): 101 rows of prices and greeks, to the digits its table prints', () => {
    const cols = pyVollib.columns as string[];
    const rows = (pyVollib.data as number[][]).map((d) => Object.fromEntries(cols.map((c, i) => [c, d[i]])));
    const n = rows.length;
    const common = { spots: rows.map((x) => x.S), strikes: rows.map((x) => x.K), expiries: rows.map((x) => x.t), vols: rows.map((x) => x.v), rates: rows.map((x) => x.R), greeks: true };
    const c = engine.blackScholes({ ...common, types: 'call' });
    const p = engine.blackScholes({ ...common, types: 'put' });
    // py_vollib's table rounds to 6 significant digits or to 10 decimals (rows like 1.1e-09 and 0.0),
    // so the tolerance is 6e-6 relative plus 1e-10 absolute. Its theta is per year, vega and rho per 1.00.
    const check = (got: number, want: number, what: string) => {
      expect(Math.abs(got - want), what).toBeLessThanOrEqual(6e-6 * Math.abs(want) + 1e-10);
    };
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      check(c.price[i], row.bs_call, `call price ${i}`);
      check(p.price[i], row.bs_put, `put price ${i}`);
      check(c.delta![i], row.CD, `call delta ${i}`);
      check(c.gamma![i], row.CG, `call gamma ${i}`);
      check(c.theta![i], row.CT, `call theta ${i}`);
      check(c.vega![i], row.CV, `call vega ${i}`);
      check(c.rho![i], row.CR, `call rho ${i}`);
      check(p.delta![i], row.PD, `put delta ${i}`);
      check(p.theta![i], row.PT, `put theta ${i}`);
      check(p.rho![i], row.PR, `put rho ${i}`);
      check(c.price[i], row.call_vals, `call_vals ${i}`);
    }
  });

  it('price and all greeks within 4 ulps x condition number of a 60-digit mpmath reference (260 cases, deep OTM/ITM, 1 day..30 years)', () => {
    const cases = reference.cases;
    const r = engine.blackScholes({
      spots: cases.map((c) => c.S), strikes: cases.map((c) => c.K), expiries: cases.map((c) => c.T), vols: cases.map((c) => c.vol),
      rates: cases.map((c) => c.r), dividendYields: cases.map((c) => c.q), types: cases.map((c) => c.type as 'call' | 'put'), greeks: true,
    });
    let worstWellConditioned = 0;
    let worstScaled = 0;
    for (const key of ['price', ...GREEKS] as const) {
      const got = r[key]!;
      cases.forEach((c, i) => {
        const want = (c as unknown as Record<string, number>)[key];
        const kappa = (c as unknown as Record<string, number | null>)['kappa_' + key];
        if (want === 0 || kappa === null || Math.abs(want) < 1e-290) return;
        const err = relDiff(got[i], want);
        const scaled = err / (EPS * (1 + kappa));
        worstScaled = Math.max(worstScaled, scaled);
        if (kappa <= 20) worstWellConditioned = Math.max(worstWellConditioned, err);
        expect(scaled, `${key} case ${i} (kappa ${kappa?.toFixed(1)}): got ${got[i]}, want ${want}`).toBeLessThanOrEqual(4 * 8);
      });
    }
    // The target: relative error <= 1e-13 wherever the value is well conditioned.
    expect(worstWellConditioned).toBeLessThanOrEqual(1e-13);
    console.log(`[${backend}] worst error / (eps (1 + kappa)) = ${worstScaled.toFixed(2)}; worst relative error at kappa <= 20: ${worstWellConditioned.toExponential(2)}`);
  });

  it('put-call parity C - P = S e^{-qT} - K e^{-rT} (to 8 ulps of the larger leg)', () => {
    const n = 500;
    const spots = Array.from({ length: n }, (_, i) => 50 + i);
    const args = { spots, strikes: 300, expiries: 0.7, vols: 0.45, rates: 0.03, dividendYields: 0.01 };
    const c = engine.blackScholes({ ...args, types: 'call' });
    const p = engine.blackScholes({ ...args, types: 'put' });
    for (let i = 0; i < n; i++) {
      const fwdLeg = spots[i] * Math.exp(-0.01 * 0.7);
      const kLeg = 300 * Math.exp(-0.03 * 0.7);
      const scale = Math.max(c.price[i], p.price[i], fwdLeg, kLeg);
      expect(Math.abs(c.price[i] - p.price[i] - (fwdLeg - kLeg))).toBeLessThanOrEqual(8 * EPS * scale * 4);
    }
  });

  it('greeks agree with central differences of the price (relative 2e-6, the O(h^2) truncation at h = 1e-4 relative)', () => {
    const base = { S: 97, K: 105, T: 0.83, v: 0.37, r: 0.04, q: 0.015 };
    for (const type of ['call', 'put'] as const) {
      const price = (o: Partial<typeof base>) => {
        const a = { ...base, ...o };
        return engine.blackScholes({ spots: a.S, strikes: a.K, expiries: a.T, vols: a.v, rates: a.r, dividendYields: a.q, types: type }).price[0];
      };
      const g = engine.blackScholes({ spots: base.S, strikes: base.K, expiries: base.T, vols: base.v, rates: base.r, dividendYields: base.q, types: type, greeks: true });
      const d = (key: keyof typeof base, f: (o: Partial<typeof base>) => number = price) => {
        const h = base[key] * 1e-4;
        return (f({ [key]: base[key] + h }) - f({ [key]: base[key] - h })) / (2 * h);
      };
      const deltaAt = (o: Partial<typeof base>) => {
        const a = { ...base, ...o };
        return engine.blackScholes({ spots: a.S, strikes: a.K, expiries: a.T, vols: a.v, rates: a.r, dividendYields: a.q, types: type, greeks: true }).delta![0];
      };
      const vegaAt = (o: Partial<typeof base>) => {
        const a = { ...base, ...o };
        return engine.blackScholes({ spots: a.S, strikes: a.K, expiries: a.T, vols: a.v, rates: a.r, dividendYields: a.q, types: type, greeks: true }).vega![0];
      };
      expect(relDiff(g.delta![0], d('S'))).toBeLessThan(2e-6);
      expect(relDiff(g.gamma![0], d('S', deltaAt))).toBeLessThan(2e-6);
      expect(relDiff(g.vega![0], d('v'))).toBeLessThan(2e-6);
      expect(relDiff(g.theta![0], -d('T'))).toBeLessThan(2e-6);
      expect(relDiff(g.rho![0], d('r'))).toBeLessThan(2e-6);
      expect(relDiff(g.vanna![0], d('v', deltaAt))).toBeLessThan(2e-6);
      expect(relDiff(g.volga![0], d('v', vegaAt))).toBeLessThan(2e-6);
    }
  });

  it('property: call prices decrease and are convex in strike; puts increase and are convex (fast-check)', () => {
    const seed = propertySeed(`strike monotonicity/convexity ${backend}`);
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e4, noNaN: true }), fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.double({ min: 0.01, max: 3, noNaN: true }), fc.double({ min: -0.02, max: 0.15, noNaN: true }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        (S, T, v, r, m) => {
          const K = S * m;
          const h = K * 0.01;
          const strikes = [K - h, K, K + h];
          for (const type of ['call', 'put'] as const) {
            const p = engine.blackScholes({ spots: S, strikes, expiries: T, vols: v, rates: r, types: type }).price;
            const tol = 64 * EPS * Math.max(p[0], p[1], p[2], S);
            if (type === 'call' ? p[0] < p[1] - tol || p[1] < p[2] - tol : p[0] > p[1] + tol || p[1] > p[2] + tol) return false;
            if (p[0] - 2 * p[1] + p[2] < -4 * tol) return false;
          }
          return true;
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it('property: scaling invariance V(lambda S, lambda K) = lambda V(S, K), greeks scale as their units (fast-check)', () => {
    const seed = propertySeed(`scaling invariance ${backend}`);
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e4, noNaN: true }), fc.double({ min: 0.3, max: 3, noNaN: true }), fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.double({ min: 0.02, max: 2, noNaN: true }), fc.integer({ min: -6, max: 6 }), fc.constantFrom('call' as const, 'put' as const),
        (S, m, T, v, e, type) => {
          const lambda = 10 ** e;
          const a = engine.blackScholes({ spots: S, strikes: S * m, expiries: T, vols: v, rates: 0.02, dividendYields: 0.01, types: type, greeks: true });
          const b = engine.blackScholes({ spots: S * lambda, strikes: S * m * lambda, expiries: T, vols: v, rates: 0.02, dividendYields: 0.01, types: type, greeks: true });
          if (a.price[0] < 1e-250) return true;
          const tol = 1e-11; // a price that is ill-conditioned in S and K (deep OTM) loses ~kappa ulps to the rescaling itself
          return relDiff(b.price[0] / lambda, a.price[0]) < tol * Math.max(1, Math.log(a.price[0] / S) ** 2)
            && relDiff(b.delta![0], a.delta![0]) < tol * Math.max(1, Math.log(Math.abs(a.delta![0])) ** 2)
            && (a.gamma![0] * S < 1e-280 || relDiff(b.gamma![0] * lambda, a.gamma![0]) < tol * Math.max(1, Math.log(a.gamma![0] * S) ** 2)); // denormals carry fewer digits
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it('a bad element gets NaN and Status.invalidInput; its neighbours are unaffected', () => {
    const spots = [100, NaN, 100, -5, 100, 100, 100, 100];
    const strikes = [100, 100, 0, 100, 100, 100, 100, 100];
    const vols = [0.2, 0.2, 0.2, 0.2, -0.1, 0.2, 0.2, Infinity];
    const expiries = [1, 1, 1, 1, 1, -1, 1, 1];
    const r = engine.blackScholes({ spots, strikes, expiries, vols, rates: 0.01, types: 'call', greeks: true });
    expect(Array.from(r.status)).toEqual([0, 1, 1, 1, 1, 1, 0, 1].map((b) => (b ? Status.invalidInput : Status.ok)));
    const good = engine.blackScholes({ spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0.01, types: 'call', greeks: true });
    for (const i of [0, 6]) expect(r.price[i]).toBe(good.price[0]);
    for (const i of [1, 2, 3, 4, 5, 7]) for (const k of ['price', ...GREEKS] as const) expect(r[k]![i]).toBeNaN();
  });

  it('zero vol or zero expiry gives the discounted intrinsic value', () => {
    const r = engine.blackScholes({ spots: [110, 90, 110, 90], strikes: 100, expiries: [0, 0, 1, 1], vols: [0.3, 0.3, 0, 0], rates: 0.05, types: 'call' });
    expect(r.price[0]).toBe(10);
    expect(r.price[1]).toBe(0);
    expect(relDiff(r.price[2], 110 - 100 * Math.exp(-0.05))).toBeLessThan(1e-15);
    expect(r.price[3]).toBe(0);
  });
});

describe.each(BACKENDS)('Black-76 and coin settlement (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('Haug/QuantLib Black-76 check: F = K = 19, T = 0.75, r = 0.10, vol = 0.28 gives call = put = 1.7010507252', () => {
    const r = engine.black76({ forwards: 19, strikes: 19, expiries: 0.75, vols: 0.28, discountFactors: Math.exp(-0.1 * 0.75), types: ['call', 'put'] });
    expect(Math.abs(r.price[0] - 1.7010507252)).toBeLessThan(1e-10);
    expect(Math.abs(r.price[1] - 1.7010507252)).toBeLessThan(1e-10);
  });

  it('inverse (coin-settled) call: F = 60000, K = 65000, T = 30/365, vol = 0.60 gives 2237.868155 USD = 0.0372978026 BTC', () => {
    const args = { forwards: 60000, strikes: 65000, expiries: 30 / 365, vols: 0.6, types: 'call' as const, greeks: true };
    const usd = engine.black76(args);
    const coin = engine.black76({ ...args, settlement: 'coin' });
    expect(Math.abs(usd.price[0] - 2237.868155)).toBeLessThan(1e-6);
    expect(Math.abs(coin.price[0] - 0.0372978026)).toBeLessThan(1e-10);
    expect(coin.delta![0]).toBe(usd.delta![0]);
    expect(coin.premiumAdjustedDelta![0]).toBeCloseTo(usd.delta![0] - coin.price[0], 15);
  });

  it('Black-76 equals Black-Scholes with F = S e^{(r-q)T} and DF = e^{-rT} (price, delta in F, vega)', () => {
    const S = 100, r = 0.03, q = 0.01, T = 1.3;
    const strikes = [60, 80, 100, 120, 160];
    const bs = engine.blackScholes({ spots: S, strikes, expiries: T, vols: 0.25, rates: r, dividendYields: q, types: 'put', greeks: true });
    const F = S * Math.exp((r - q) * T);
    const b76 = engine.black76({ forwards: F, strikes, expiries: T, vols: 0.25, discountFactors: Math.exp(-r * T), types: 'put', greeks: true });
    strikes.forEach((_, i) => {
      expect(relDiff(b76.price[i], bs.price[i])).toBeLessThan(1e-13);
      expect(relDiff(b76.delta![i] * F / S, bs.delta![i])).toBeLessThan(1e-13);
      expect(relDiff(b76.vega![i], bs.vega![i])).toBeLessThan(1e-13);
    });
  });

  it('Black-76 theta and rho agree with central differences (forward fixed, r = -ln(DF)/T)', () => {
    const F = 2000, K = 2300, T = 0.4, v = 0.7, r = 0.05;
    const price = (TT: number, rr: number) => engine.black76({ forwards: F, strikes: K, expiries: TT, vols: v, discountFactors: Math.exp(-rr * TT), types: 'call' }).price[0];
    const g = engine.black76({ forwards: F, strikes: K, expiries: T, vols: v, discountFactors: Math.exp(-r * T), types: 'call', greeks: true });
    const h = 1e-5;
    expect(relDiff(g.theta![0], -(price(T + h, r) - price(T - h, r)) / (2 * h))).toBeLessThan(1e-6);
    expect(relDiff(g.rho![0], (price(T, r + h) - price(T, r - h)) / (2 * h))).toBeLessThan(1e-6);
  });
});

describe('WASM and JS twins agree', () => {
  it('on prices and greeks over a wide grid, to 64 ulps x condition number (measured max printed)', async () => {
    const [w, j] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    const cases = reference.cases;
    const args = {
      spots: cases.map((c) => c.S), strikes: cases.map((c) => c.K), expiries: cases.map((c) => c.T), vols: cases.map((c) => c.vol),
      rates: cases.map((c) => c.r), dividendYields: cases.map((c) => c.q), types: cases.map((c) => c.type as 'call' | 'put'), greeks: true,
    };
    const a: PricingResult = w.blackScholes(args);
    const b: PricingResult = j.blackScholes(args);
    let worst = 0;
    for (const key of ['price', ...GREEKS] as const) {
      cases.forEach((c, i) => {
        const kappa = (c as unknown as Record<string, number | null>)['kappa_' + key] ?? 1;
        if (a[key]![i] === 0 && b[key]![i] === 0) return;
        const scaled = relDiff(a[key]![i], b[key]![i]) / (EPS * (1 + kappa));
        worst = Math.max(worst, scaled);
        expect(scaled, `${key}[${i}]`).toBeLessThanOrEqual(64);
      });
    }
    console.log(`WASM vs JS: worst |diff| / (eps (1 + kappa)) = ${worst.toFixed(3)}`);
  });
});
