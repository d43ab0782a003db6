// Heston Monte Carlo over both backends: Andersen's QE scheme (with martingale correction)
// against Alan Lewis's 50-digit reference prices and the Kahl-Jaeckel 10-year call, the
// full-truncation Euler baseline, the martingale property of the discounted spot, and the
// pathwise delta against the characteristic-function price. Reference values:
// test/fixtures/montecarlo-heston-reference.csv (copy of the shared reference file).
import { beforeAll, describe, expect, it } from 'vitest';
import hestonCsv from './fixtures/montecarlo-heston-reference.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
import { hestonPrice, parseCsv } from './montecarlo-reference.js';
import type { Engine, HestonModel } from '../src/index.js';

const rows = parseCsv(hestonCsv);
const lewisRows = rows.filter((r) => r.case!.startsWith('Lewis'));
const kjRow = rows.find((r) => r.case!.startsWith('Kahl-Jaeckel'))!;
const lewis: HestonModel = { kind: 'heston', spot: 100, rate: 0.01, dividendYield: 0.02, v0: 0.04, kappa: 4, theta: 0.25, sigma: 1, rho: -0.5 };
const kj: HestonModel = { kind: 'heston', spot: 100, rate: 0, dividendYield: 0, v0: 0.16, kappa: 1, theta: 0.16, sigma: 2, rho: -0.8 };

describe.each(BACKENDS)('Monte Carlo, Heston (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('the fixture holds the ten Lewis prices and the Kahl-Jaeckel value', () => {
    expect(lewisRows.length).toBe(10);
    expect(+kjRow.expected!).toBe(4.95212);
  });

  // Calls and puts at K = 80, 100, 120 (six of the ten rows keep the run time reasonable).
  it.each(lewisRows.filter((r) => [80, 100, 120].includes(+r.strike!)).map((r) => [r.type!, +r.strike!, +r.expected!] as const))(
    'QE, 50 steps: Lewis %s K = %d within 3 se (antithetic + underlying control)', (type, strike, expected) => {
      const r = engine.monteCarloSync({
        model: lewis, payoff: { kind: 'european', strike, type: type as 'call' | 'put' }, expiry: 1, paths: 40_000, steps: 50,
        seed: 31 + strike, antithetic: true, controlVariate: 'underlying',
      });
      expect(Math.abs(r.price - expected) / r.stdErr).toBeLessThan(3);
      expect(r.details.scheme).toContain('QE');
    });

  it('QE, 100 steps: the Kahl-Jaeckel 10-year call (4.95212) within 3 se', () => {
    const r = engine.monteCarloSync({
      model: kj, payoff: { kind: 'european', strike: 200, type: 'call' }, expiry: 10, paths: 60_000, steps: 100, seed: 33, antithetic: true,
    });
    expect(Math.abs(r.price - 4.95212) / r.stdErr).toBeLessThan(3);
  });

  it('full-truncation Euler is the biased baseline: on Kahl-Jaeckel it misses by more than 5 se where QE does not', () => {
    const args = { payoff: { kind: 'european', strike: 200, type: 'call' }, expiry: 10, paths: 60_000, steps: 50, seed: 34, antithetic: true } as const;
    const euler = engine.monteCarloSync({ model: { ...kj, scheme: 'euler' }, ...args });
    const qe = engine.monteCarloSync({ model: kj, ...args });
    expect(Math.abs(euler.price - 4.95212) / euler.stdErr).toBeGreaterThan(5);
    expect(Math.abs(qe.price - 4.95212)).toBeLessThan(Math.abs(euler.price - 4.95212));
  });

  it('martingale correction: the discounted spot averages S0 e^{-qT} within 3 se even for Kahl-Jaeckel with 10 steps of a year', () => {
    const r = engine.monteCarloSync({
      model: kj, payoff: { kind: 'european', strike: 200, type: 'call' }, expiry: 10, paths: 60_000, steps: 10, seed: 35, controlVariate: 'underlying',
    });
    const cv = r.details.controlVariate!;
    // The control's sample mean, and its standard error from a run with the control as the payoff
    // (a zero-strike call pays S_T; same seed, so the same paths).
    const spot = engine.monteCarloSync({
      model: kj, payoff: { kind: 'european', strike: 0, type: 'call' }, expiry: 10, paths: 60_000, steps: 10, seed: 35,
    });
    expect(spot.price).toBe(cv.sampleMean);
    expect(Math.abs(spot.price - 100) / spot.stdErr).toBeLessThan(3);
  });

  it('pathwise delta of a Heston call within 3 se of the characteristic-function delta; vega is refused with an InputError', () => {
    const r = engine.monteCarloSync({
      model: lewis, payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, paths: 40_000, steps: 25, seed: 36, greeks: true,
    });
    const h = 0.01;
    const ref = (hestonPrice({ ...lewis, spot: 100 + h }, 100, 1, 'call') - hestonPrice({ ...lewis, spot: 100 - h }, 100, 1, 'call')) / (2 * h);
    expect(r.greeks!.delta!.method).toBe('pathwise');
    expect(Math.abs(r.greeks!.delta!.value - ref) / r.greeks!.delta!.stdErr).toBeLessThan(3);
    expect(r.greeks!.vega).toBeUndefined();
    expect(() => engine.monteCarloSync({
      model: lewis, payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, paths: 100, steps: 2, seed: 1, greeks: { vega: true },
    })).toThrowError(expect.objectContaining({ name: 'InputError', path: 'greeks.vega' }));
  });

  it('digital under Heston: likelihood-ratio delta within 3 se of the characteristic-function difference quotient', () => {
    // Digital call = -dC/dK, by central differences of the CF call price in strike.
    const dig = (S: number) => -(hestonPrice({ ...lewis, spot: S }, 100.01, 1, 'call') - hestonPrice({ ...lewis, spot: S }, 99.99, 1, 'call')) / 0.02;
    const r = engine.monteCarloSync({
      model: lewis, payoff: { kind: 'digital', strike: 100, type: 'call' }, expiry: 1, paths: 40_000, steps: 25, seed: 37, greeks: true,
    });
    expect(Math.abs(r.price - dig(100)) / r.stdErr).toBeLessThan(3);
    const refDelta = (dig(100.5) - dig(99.5)) / 1;
    expect(r.greeks!.delta!.method).toBe('likelihoodRatio');
    expect(Math.abs(r.greeks!.delta!.value - refDelta) / r.greeks!.delta!.stdErr).toBeLessThan(3);
  });

  it('importance sampling (default shift of the independent normal) on a deep OTM digital (K = 250): within 3 se of the CF value, factor > 5', () => {
    const ref = -(hestonPrice(lewis, 250.01, 1, 'call') - hestonPrice(lewis, 249.99, 1, 'call')) / 0.02;
    const args = { model: lewis, payoff: { kind: 'digital', strike: 250, type: 'call' }, expiry: 1, paths: 40_000, steps: 20 } as const;
    const is = engine.monteCarloSync({ ...args, seed: 38, importanceSampling: true });
    const plain = engine.monteCarloSync({ ...args, seed: 39 });
    expect(Math.abs(is.price - ref) / is.stdErr).toBeLessThan(3);
    expect((plain.stdErr / is.stdErr) ** 2).toBeGreaterThan(5);
    expect(is.details.importanceSampling!.varianceReductionFactor).toBeGreaterThan(5);
  });

  it('continuous barrier with the bridge on the local variance: 20 and 100 steps agree within 3 se (discrete monitoring would move by ~1)', () => {
    const payoff = { kind: 'barrier', strike: 100, type: 'call', barrier: 80, direction: 'down', knock: 'out' } as const;
    const coarse = engine.monteCarloSync({ model: lewis, payoff, expiry: 1, paths: 40_000, steps: 20, seed: 40, antithetic: true });
    const fine = engine.monteCarloSync({ model: lewis, payoff, expiry: 1, paths: 40_000, steps: 100, seed: 41, antithetic: true });
    expect(Math.abs(coarse.price - fine.price)).toBeLessThan(3 * Math.hypot(coarse.stdErr, fine.stdErr));
  });
});
