// Monte Carlo under GBM over both backends: European prices and greeks against Black-Scholes
// (within 3 standard errors, and the standard error itself within 10% of sd/sqrt(n)), digital
// likelihood-ratio greeks, Asian options (geometric closed form, geometric-Asian control variate),
// barriers against Reiner-Rubinstein (Brownian-bridge corrected, discrete monitoring), and the
// variance-reduction factors actually achieved (antithetic, control variates, importance sampling).
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import {
  barrierPrice, bsmDigitalPrice, bsmPrice, geometricAsianPrice, type Engine, type MonteCarloArgs, type MonteCarloResult,
} from '../src/index.js';
import { normalCdf } from '../src/kernels/math/normal-distribution.js';

const gbm = { kind: 'gbm', spot: 100, rate: 0.08, dividendYield: 0.04, vol: 0.25 } as const;

/** |estimate - reference| in standard errors. */
const z = (est: { value?: number; price?: number; stdErr: number }, ref: number): number =>
  Math.abs((est.price ?? est.value)! - ref) / est.stdErr;

/** Standard deviation of the discounted European payoff under GBM (for the stderr check). */
function europeanPayoffSd(S: number, K: number, T: number, r: number, q: number, v: number, type: 'call' | 'put'): number {
  const F = S * Math.exp((r - q) * T);
  const s = v * Math.sqrt(T);
  const d1 = Math.log(F / K) / s + 0.5 * s;
  const d2 = d1 - s;
  const th = type === 'call' ? 1 : -1;
  const m2 = F * F * Math.exp(s * s) * normalCdf(th * (d1 + s)) - 2 * K * F * normalCdf(th * d1) + K * K * normalCdf(th * d2);
  const DF = Math.exp(-r * T);
  const price = bsmPrice(S, K, T, r, q, v, type);
  return Math.sqrt(DF * DF * m2 - price * price);
}

/** Black-Scholes delta and vega by central differences of the closed form. */
function bsGreeks(f: (o: { spot?: number; vol?: number }) => number): { delta: number; vega: number } {
  return { delta: (f({ spot: 100.01 }) - f({ spot: 99.99 })) / 0.02, vega: (f({ vol: 0.2501 }) - f({ vol: 0.2499 })) / 2e-4 };
}

describe.each(BACKENDS)('Monte Carlo, GBM (%s)', (backend) => {
  let engine: Engine;
  const mc = (a: Omit<MonteCarloArgs, 'model'> & { model?: MonteCarloArgs['model'] }): MonteCarloResult =>
    engine.monteCarloSync({ model: gbm, ...a } as MonteCarloArgs);
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it.each(['call', 'put'] as const)('European %s: within 3 se of Black-Scholes; stderr within 10% of sd/sqrt(n); pathwise delta and vega within 3 se', (type) => {
    const n = 200_000;
    const r = mc({ payoff: { kind: 'european', strike: 105, type }, expiry: 1, paths: n, steps: 1, seed: 2024, greeks: true });
    const ref = bsmPrice(100, 105, 1, 0.08, 0.04, 0.25, type);
    expect(z(r, ref)).toBeLessThan(3);
    const theory = europeanPayoffSd(100, 105, 1, 0.08, 0.04, 0.25, type) / Math.sqrt(n);
    expect(Math.abs(r.stdErr / theory - 1)).toBeLessThan(0.1);
    expect(r.paths).toBe(n);
    expect(r.details.samples).toBe(n);
    expect(r.ci95[0]).toBeCloseTo(r.price - 1.959963984540054 * r.stdErr, 12);
    const g = bsGreeks((o) => bsmPrice(o.spot ?? 100, 105, 1, 0.08, 0.04, o.vol ?? 0.25, type));
    expect(r.greeks!.delta!.method).toBe('pathwise');
    expect(z(r.greeks!.delta!, g.delta)).toBeLessThan(3);
    expect(z(r.greeks!.vega!, g.vega)).toBeLessThan(3);
  });

  it('European call with 50 exact steps per path: same terminal law (within 3 se of Black-Scholes, stderr within 10%)', () => {
    const n = 40_000;
    const r = mc({ payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 2, paths: n, steps: 50, seed: 77, greeks: true });
    expect(z(r, bsmPrice(100, 100, 2, 0.08, 0.04, 0.25, 'call'))).toBeLessThan(3);
    expect(Math.abs(r.stdErr / (europeanPayoffSd(100, 100, 2, 0.08, 0.04, 0.25, 'call') / Math.sqrt(n)) - 1)).toBeLessThan(0.1);
    const g = bsGreeks((o) => bsmPrice(o.spot ?? 100, 100, 2, 0.08, 0.04, o.vol ?? 0.25, 'call'));
    expect(z(r.greeks!.vega!, g.vega)).toBeLessThan(3);
  });

  it('antithetic variates reduce the variance of a European call (factor > 1.3 on the same budget; measured ~1.7)', () => {
    const args = { payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, paths: 100_000, steps: 1 } as const;
    const plain = mc({ ...args, seed: 1 });
    const anti = mc({ ...args, seed: 2, antithetic: true });
    expect(anti.details.samples).toBe(50_000);
    const factor = (plain.stdErr / anti.stdErr) ** 2;
    expect(factor).toBeGreaterThan(1.3);
    // The factor the result reports (from the same paths' per-path moments) agrees with the measured one.
    expect(Math.abs(anti.details.varianceReductionFactor / factor - 1)).toBeLessThan(0.15);
    expect(z(anti, bsmPrice(100, 100, 1, 0.08, 0.04, 0.25, 'call'))).toBeLessThan(3);
  });

  it('control variate (discounted underlying): price within 3 se, reported beta and factor (> 3)', () => {
    const r = mc({ payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, paths: 100_000, steps: 1, seed: 3, controlVariate: 'underlying' });
    expect(z(r, bsmPrice(100, 100, 1, 0.08, 0.04, 0.25, 'call'))).toBeLessThan(3);
    const cv = r.details.controlVariate!;
    expect(cv.kind).toBe('underlying');
    expect(cv.mean).toBeCloseTo(100 * Math.exp(-0.04), 12);
    expect(cv.beta).toBeGreaterThan(0.5);
    expect(cv.varianceReductionFactor).toBeGreaterThan(3);
    expect(r.details.varianceReductionFactor).toBeGreaterThan(3);
  });

  it.each(['call', 'put'] as const)('digital %s: price within 3 se; likelihood-ratio delta and vega within 3 se of the closed form', (type) => {
    const r = mc({ payoff: { kind: 'digital', strike: 110, type, cash: 10 }, expiry: 1, paths: 100_000, steps: 8, seed: 5, greeks: true });
    const f = (o: { spot?: number; vol?: number }) => bsmDigitalPrice(o.spot ?? 100, 110, 1, 0.08, 0.04, o.vol ?? 0.25, type, 10);
    expect(z(r, f({}))).toBeLessThan(3);
    const g = bsGreeks(f);
    expect(r.greeks!.delta!.method).toBe('likelihoodRatio');
    expect(z(r.greeks!.delta!, g.delta)).toBeLessThan(3);
    expect(z(r.greeks!.vega!, g.vega)).toBeLessThan(3);
  });

  it('geometric Asian: within 3 se of the discrete closed form; pathwise delta and vega within 3 se', () => {
    const r = mc({ payoff: { kind: 'asian', strike: 100, type: 'call', averaging: 'geometric' }, expiry: 1, paths: 100_000, steps: 12, seed: 6, greeks: true });
    const f = (o: { spot?: number; vol?: number }) => geometricAsianPrice(o.spot ?? 100, 100, 1, 0.08, 0.04, o.vol ?? 0.25, 'call', 12);
    expect(z(r, f({}))).toBeLessThan(3);
    const g = bsGreeks(f);
    expect(z(r.greeks!.delta!, g.delta)).toBeLessThan(3);
    expect(z(r.greeks!.vega!, g.vega)).toBeLessThan(3);
  });

  it('arithmetic Asian with the geometric-Asian control: factor > 100 (measured ~850), agrees with plain MC; pathwise delta = common-random-number difference', () => {
    const payoff = { kind: 'asian', strike: 100, type: 'call', averaging: 'arithmetic' } as const;
    const base = { payoff, expiry: 1, paths: 100_000, steps: 12, seed: 8 } as const;
    const plain = mc({ ...base, seed: 9 });
    const cv = mc({ ...base, controlVariate: 'geometricAsian', greeks: true });
    expect(cv.details.controlVariate!.varianceReductionFactor).toBeGreaterThan(100);
    expect((plain.stdErr / cv.stdErr) ** 2).toBeGreaterThan(100);
    expect(cv.details.controlVariate!.correlation).toBeGreaterThan(0.99);
    expect(Math.abs(cv.price - plain.price)).toBeLessThan(3 * Math.hypot(cv.stdErr, plain.stdErr));
    // Arithmetic >= geometric average, so the call is worth more than its geometric twin.
    expect(cv.price).toBeGreaterThan(cv.details.controlVariate!.mean);
    // Pathwise delta against a central difference with the same paths (spot bumped +-0.1%).
    const h = 0.1;
    const up = mc({ ...base, model: { ...gbm, spot: 100 + h } });
    const dn = mc({ ...base, model: { ...gbm, spot: 100 - h } });
    const noCv = mc({ ...base, greeks: { delta: true } });
    expect(Math.abs(noCv.greeks!.delta!.value - (up.price - dn.price) / (2 * h))).toBeLessThan(1e-3);
  });

  const barrierCases = [
    ['down', 'out', 95, 'call', 100], ['down', 'in', 95, 'call', 90], ['up', 'out', 105, 'call', 90], ['up', 'in', 105, 'call', 110],
    ['down', 'out', 95, 'put', 110], ['down', 'in', 95, 'put', 100], ['up', 'out', 105, 'put', 100], ['up', 'in', 105, 'put', 90],
  ] as const;
  it.each(barrierCases)('barrier %s-and-%s (H = %d) %s K = %d, continuous via the Brownian bridge: price within 3 se of Reiner-Rubinstein; LR delta and vega within 3 se', (direction, knock, barrier, type, strike) => {
    const payoff = { kind: 'barrier', strike, type, barrier, direction, knock, rebate: 3, monitoring: 'continuous' } as const;
    const r = mc({ payoff, expiry: 0.5, paths: 60_000, steps: 10, seed: 10, greeks: true });
    const f = (o: { spot?: number; vol?: number }) => barrierPrice({
      spot: o.spot ?? 100, strike, barrier, expiry: 0.5, rate: 0.08, dividendYield: 0.04, vol: o.vol ?? 0.25, type, direction, knock, rebate: 3,
    });
    expect(z(r, f({}))).toBeLessThan(3);
    const g = bsGreeks(f);
    expect(r.greeks!.delta!.method).toBe('likelihoodRatio');
    expect(z(r.greeks!.delta!, g.delta)).toBeLessThan(3);
    expect(z(r.greeks!.vega!, g.vega)).toBeLessThan(3);
    expect(r.details.barrier!.knockProbability).toBeGreaterThan(0);
  });

  it('barrier in + out = vanilla + discounted rebate, path by path (same seed), for both monitorings', () => {
    for (const monitoring of ['continuous', 'discrete'] as const) {
      const common = { strike: 100, type: 'call', barrier: 90, direction: 'down', rebate: 2, monitoring } as const;
      const run = (knock: 'in' | 'out') => mc({ payoff: { kind: 'barrier', ...common, knock }, expiry: 1, paths: 20_000, steps: 16, seed: 12 });
      const vanilla = mc({ payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, paths: 20_000, steps: 16, seed: 12 });
      expect(run('in').price + run('out').price).toBeCloseTo(vanilla.price + 2 * Math.exp(-0.08), 10);
    }
  });

  it('discrete monitoring: a down-and-out call is worth more than continuous, and within 3 se + 0.5% of the Broadie-Glasserman-Kou shifted barrier', () => {
    const steps = 12;
    const payoff = { kind: 'barrier', strike: 100, type: 'call', barrier: 92, direction: 'down', knock: 'out', monitoring: 'discrete' } as const;
    const r = mc({ payoff, expiry: 1, paths: 100_000, steps, seed: 13 });
    const base = { spot: 100, strike: 100, expiry: 1, rate: 0.08, dividendYield: 0.04, vol: 0.25, type: 'call', direction: 'down', knock: 'out' } as const;
    const continuous = barrierPrice({ ...base, barrier: 92 });
    const bgk = barrierPrice({ ...base, barrier: 92 * Math.exp(-0.5826 * 0.25 * Math.sqrt(1 / steps)) });
    expect(r.price).toBeGreaterThan(continuous + 3 * r.stdErr);
    expect(Math.abs(r.price - bgk)).toBeLessThan(3 * r.stdErr + 0.005 * bgk);
  });

  it('importance sampling on a deep out-of-the-money digital (K = 2 S): within 3 se, factor > 20 against plain MC on the same budget, ESS reported', () => {
    const payoff = { kind: 'digital', strike: 200, type: 'call' } as const;
    const ref = bsmDigitalPrice(100, 200, 1, 0.08, 0.04, 0.25, 'call');
    const args = { payoff, expiry: 1, paths: 100_000, steps: 4 } as const;
    const plain = mc({ ...args, seed: 14 });
    const is = mc({ ...args, seed: 15, importanceSampling: true });
    expect(z(is, ref)).toBeLessThan(3);
    expect(z(plain, ref)).toBeLessThan(3);
    const measured = (plain.stdErr / is.stdErr) ** 2;
    expect(measured).toBeGreaterThan(20);
    const d = is.details.importanceSampling!;
    expect(d.varianceReductionFactor).toBeGreaterThan(20);
    expect(d.shift).toBeGreaterThan(0);
    expect(d.effectiveSampleSize).toBeGreaterThan(1);
    expect(d.effectiveSampleSize).toBeLessThanOrEqual(100_000);
    // The plain-MC error the result estimates from its own reweighted paths matches a real plain run.
    expect(Math.abs(is.details.plainStdErr / plain.stdErr - 1)).toBeLessThan(0.25);
  });

  it('importance sampling with an explicit shift, antithetic pairs and greeks stays unbiased', () => {
    const payoff = { kind: 'european', strike: 160, type: 'call' } as const;
    const r = mc({ payoff, expiry: 1, paths: 100_000, steps: 1, seed: 16, antithetic: true, importanceSampling: { shift: 1.5 }, greeks: true });
    const f = (o: { spot?: number; vol?: number }) => bsmPrice(o.spot ?? 100, 160, 1, 0.08, 0.04, o.vol ?? 0.25, 'call');
    expect(z(r, f({}))).toBeLessThan(3);
    expect(z(r.greeks!.delta!, bsGreeks(f).delta)).toBeLessThan(3);
    expect(z(r.greeks!.vega!, bsGreeks(f).vega)).toBeLessThan(3);
    expect(r.details.importanceSampling!.shift).toBe(1.5);
  });
});
