/**
 * Hedge effectiveness against a hand computation: the regression by the normal equations
 * [n sum x; sum x sum x^2] [a; b] = [sum y; sum xy] solved in the test (Cramer's rule), R^2 as
 * 1 - SSE/SST, the dollar offset and variance reduction from their definitions; on the bundled
 * histories (a cross hedge of ETH with the BTC perpetual at the minimum-variance ratio, where the
 * variance reduction must equal R^2 = rho^2) and on simulated windows (a perfect hedge, a noisy one).
 * Tolerances: 1e-10 relative (sums of a few hundred products of O(1e3) numbers, two algorithms).
 */
import { describe, expect, it } from 'vitest';
import { expectInputError } from './backends.js';
import { rng } from './seeded-random.js';
import { alignHistories, hedgeEffectiveness, parsePriceCsv } from '../src/index.js';
import btcCsv from '../data/history/BTCUSDT_1d.csv?raw';
import ethCsv from '../data/history/ETHUSDT_1d.csv?raw';

function normalEquations(x: ArrayLike<number>, y: ArrayLike<number>) {
  const n = x.length;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) { sx += x[i]; sy += y[i]; sxx += x[i] * x[i]; sxy += x[i] * y[i]; }
  const det = n * sxx - sx * sx;
  const a = (sy * sxx - sx * sxy) / det;
  const b = (n * sxy - sx * sy) / det;
  let sse = 0, sst = 0;
  const my = sy / n;
  for (let i = 0; i < n; i++) { sse += (y[i] - a - b * x[i]) ** 2; sst += (y[i] - my) ** 2; }
  return { a, b, r2: 1 - sse / sst, sse };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('hedgeEffectiveness', () => {
  it('regression, R^2, dollar offset and variance reduction equal the hand computation (simulated windows)', () => {
    const r = rng(17);
    for (const noise of [0, 0.05, 0.5]) {
      const x = Float64Array.from({ length: 250 }, () => 1000 * (r() - 0.5));
      const y = x.map((v) => -0.95 * v + noise * 1000 * (r() - 0.5) + 3);
      const e = hedgeEffectiveness({ hedged: x, hedge: y });
      const ne = normalEquations(x, y);
      expect(rel(e.regression.slope, ne.b)).toBeLessThan(1e-10);
      expect(rel(e.regression.intercept, ne.a)).toBeLessThan(1e-8);
      expect(Math.abs(e.regression.rSquared - ne.r2)).toBeLessThan(1e-10);
      const sumX = x.reduce((s, v) => s + v, 0), sumY = y.reduce((s, v) => s + v, 0);
      expect(rel(e.dollarOffset.ratio, -sumY / sumX)).toBeLessThan(1e-12);
      const varOf = (a: Float64Array) => { const m = a.reduce((s, v) => s + v, 0) / a.length; return a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length; };
      expect(Math.abs(e.varianceReduction - (1 - varOf(x.map((v, i) => v + y[i])) / varOf(x)))).toBeLessThan(1e-10);
      const se = Math.sqrt(ne.sse / (250 - 2) / x.reduce((s, v) => s + (v - sumX / 250) ** 2, 0));
      // A perfect hedge's SSE is rounding noise in both computations (absolute floor 1e-12 of the slope).
      expect(Math.abs(e.regression.slopeStandardError - se)).toBeLessThanOrEqual(1e-8 * se + 1e-12);
      expect(e.es.hedged).toBeGreaterThanOrEqual(e.var.hedged);
      if (noise === 0) expect(e.highlyEffective).toBe(true);
      if (noise === 0.5) expect(e.highlyEffective).toBe(false);
    }
  });

  it('a perfect hedge: slope -1, R^2 1, dollar offset 1, variance and ES reductions 1', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => Math.sin(i) * 100 + 1);
    const e = hedgeEffectiveness({ hedged: x, hedge: x.map((v) => -v) });
    expect(e.regression.slope).toBeCloseTo(-1, 14);
    expect(e.regression.rSquared).toBeCloseTo(1, 14);
    expect(e.dollarOffset.ratio).toBeCloseTo(1, 14);
    expect(e.dollarOffset.withinBand).toBe(true);
    expect(e.varianceReduction).toBeCloseTo(1, 14);
    expect(e.es.reduction).toBeCloseTo(1, 14);
  });

  it('on the bundled histories: ETH hedged with the BTC perpetual at the minimum-variance ratio reduces variance by exactly rho^2 = R^2', () => {
    const al = alignHistories({ BTC: parsePriceCsv(btcCsv), ETH: parsePriceCsv(ethCsv) }, 'simple');
    for (const [from, to] of [[al.returns.BTC.length - 365, al.returns.BTC.length], [al.returns.BTC.length - 730, al.returns.BTC.length - 365]]) {
      const sEth = al.prices.ETH[from], sBtc = al.prices.BTC[from];
      // USD P&L of 100 ETH and of one BTC perpetual per day, on daily simple returns (prices as of the window start).
      const x = Float64Array.from(al.returns.ETH.subarray(from, to), (r) => 100 * sEth * r);
      const b = Float64Array.from(al.returns.BTC.subarray(from, to), (r) => sBtc * r);
      const ne = normalEquations(b, x); // x on b: h* = cov(x, b) / var(b)
      const y = b.map((v) => -ne.b * v);
      const e = hedgeEffectiveness({ hedged: x, hedge: y, confidence: 0.95 });
      expect(Math.abs(e.varianceReduction - e.regression.rSquared)).toBeLessThan(1e-10);
      expect(Math.abs(e.regression.rSquared - ne.r2)).toBeLessThan(1e-10);
      expect(e.varianceReduction).toBeGreaterThan(0.4);
      expect(e.var.hedged).toBeLessThan(e.var.unhedged);
    }
  });

  it('malformed calls throw InputError naming the field; inputs are not mutated', () => {
    const x = [1, 2, 3, 4];
    const y = [-1, -2, -3, -4.5];
    hedgeEffectiveness({ hedged: x, hedge: y });
    expect(x).toEqual([1, 2, 3, 4]);
    expectInputError(() => hedgeEffectiveness({ hedged: x, hedge: [1, 2, 3] }), 'hedge');
    expectInputError(() => hedgeEffectiveness({ hedged: [1, NaN, 3, 4], hedge: y }), 'hedged[1]');
    expectInputError(() => hedgeEffectiveness({ hedged: [1, 1, 1, 1], hedge: y }), 'hedged');
    expectInputError(() => hedgeEffectiveness({ hedged: x, hedge: y, confidence: 1 }), 'confidence');
    expectInputError(() => hedgeEffectiveness({ hedged: x, hedge: y, band: [1.25, 0.8] }), 'band');
    expect(expectInputError(() => hedgeEffectiveness({ hedged: x, hedge: y, confidance: 0.9 } as never), 'args.confidance').suggestion).toBe('confidence');
  });
});
