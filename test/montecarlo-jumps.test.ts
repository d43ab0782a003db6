// Jump models over both backends: Merton against its Poisson series of Black-Scholes prices
// (price, pathwise delta and vega), Bates against the characteristic-function price (itself
// checked here against Lewis's 50-digit Heston values).
import { beforeAll, describe, expect, it } from 'vitest';
import hestonCsv from './fixtures/montecarlo-heston-reference.csv?raw';
import { BACKENDS, engineFor } from './backends.js';
import { hestonPrice, parseCsv } from './montecarlo-reference.js';
import { bsmPrice, mertonPrice, type BatesModel, type Engine, type MertonModel } from '../src/index.js';

const merton: MertonModel = { kind: 'merton', spot: 100, rate: 0.05, dividendYield: 0.01, vol: 0.2, jumpIntensity: 1, jumpMean: -0.1, jumpVol: 0.15 };
const bates: BatesModel = {
  kind: 'bates', spot: 100, rate: 0.01, dividendYield: 0.02, v0: 0.04, kappa: 4, theta: 0.25, sigma: 1, rho: -0.5,
  jumpIntensity: 0.5, jumpMean: -0.1, jumpVol: 0.15,
};

describe('reference pricers used below', () => {
  it('the characteristic-function Heston price reproduces the ten Lewis values to 1e-11 relative', () => {
    const p = { spot: 100, rate: 0.01, dividendYield: 0.02, v0: 0.04, kappa: 4, theta: 0.25, sigma: 1, rho: -0.5 };
    for (const r of parseCsv(hestonCsv).filter((x) => x.case!.startsWith('Lewis'))) {
      const v = hestonPrice(p, +r.strike!, 1, r.type as 'call' | 'put');
      expect(Math.abs(v / +r.expected! - 1), `${r.type} ${r.strike}`).toBeLessThan(1e-11);
    }
  });

  it('Merton series: no jumps is Black-Scholes; prices sum the Poisson mixture', () => {
    expect(mertonPrice(100, 90, 0.5, 0.05, 0.01, 0.3, 0, -0.1, 0.2, 'put')).toBeCloseTo(bsmPrice(100, 90, 0.5, 0.05, 0.01, 0.3, 'put'), 14);
    const c = mertonPrice(100, 100, 1, 0.05, 0.01, 0.2, 1, -0.1, 0.15, 'call');
    const p = mertonPrice(100, 100, 1, 0.05, 0.01, 0.2, 1, -0.1, 0.15, 'put');
    expect(c - p).toBeCloseTo(100 * Math.exp(-0.01) - 100 * Math.exp(-0.05), 12);
  });
});

describe.each(BACKENDS)('Monte Carlo, jump models (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it.each([['call', 100], ['put', 90], ['call', 130]] as const)('Merton %s K = %d: within 3 se of the series; pathwise delta and vega within 3 se', (type, strike) => {
    const r = engine.monteCarloSync({ model: merton, payoff: { kind: 'european', strike, type }, expiry: 1, paths: 60_000, steps: 4, seed: 41, greeks: true });
    const f = (S: number, v: number) => mertonPrice(S, strike, 1, 0.05, 0.01, v, 1, -0.1, 0.15, type);
    expect(Math.abs(r.price - f(100, 0.2)) / r.stdErr).toBeLessThan(3);
    const delta = (f(100.01, 0.2) - f(99.99, 0.2)) / 0.02;
    const vega = (f(100, 0.2001) - f(100, 0.1999)) / 2e-4;
    expect(Math.abs(r.greeks!.delta!.value - delta) / r.greeks!.delta!.stdErr).toBeLessThan(3);
    expect(Math.abs(r.greeks!.vega!.value - vega) / r.greeks!.vega!.stdErr).toBeLessThan(3);
  });

  it('Merton digital: likelihood-ratio delta (conditional on the jumps) within 3 se of the series difference quotient', () => {
    const dig = (S: number) => -(mertonPrice(S, 100.01, 1, 0.05, 0.01, 0.2, 1, -0.1, 0.15, 'call') - mertonPrice(S, 99.99, 1, 0.05, 0.01, 0.2, 1, -0.1, 0.15, 'call')) / 0.02;
    const r = engine.monteCarloSync({ model: merton, payoff: { kind: 'digital', strike: 100, type: 'call' }, expiry: 1, paths: 60_000, steps: 4, seed: 42, greeks: true });
    expect(Math.abs(r.price - dig(100)) / r.stdErr).toBeLessThan(3);
    expect(Math.abs(r.greeks!.delta!.value - (dig(100.5) - dig(99.5))) / r.greeks!.delta!.stdErr).toBeLessThan(3);
  });

  it.each([['call', 100], ['put', 90]] as const)('Bates (QE, 50 steps) %s K = %d within 3 se of the characteristic-function price', (type, strike) => {
    const r = engine.monteCarloSync({
      model: bates, payoff: { kind: 'european', strike, type }, expiry: 1, paths: 40_000, steps: 50, seed: 43, antithetic: true, controlVariate: 'underlying',
    });
    const ref = hestonPrice(bates, strike, 1, type);
    expect(Math.abs(r.price - ref) / r.stdErr).toBeLessThan(3);
  });

  it('the compensated jump drift keeps the discounted spot a martingale (Merton and Bates, within 3 se)', () => {
    for (const model of [merton, { ...bates, jumpIntensity: 3 }]) {
      const r = engine.monteCarloSync({ model, payoff: { kind: 'european', strike: 0, type: 'call' }, expiry: 2, paths: 40_000, steps: 8, seed: 44 });
      expect(Math.abs(r.price - 100 * Math.exp(-model.dividendYield! * 2)) / r.stdErr).toBeLessThan(3);
    }
  });
});
