// Jump models over both backends: Merton against its Poisson series of Black-Scholes prices
// (price, pathwise delta and vega), Bates against the characteristic-function price (itself
// checked here against Lewis's 50-digit Heston values). The jump parameters are named as in
// batesPrice (lambda, muJ, deltaJ); the former names jumpIntensity, jumpMean, jumpVol still work.
import { beforeAll, describe, expect, it } from 'vitest';
import hestonCsv from './fixtures/montecarlo-heston-reference.csv?raw';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { hestonPrice, parseCsv } from './montecarlo-reference.js';
import {
  BATES_PARAM_NAMES, bsmPrice, createMonteCarloJob, mertonPrice, type BatesModel, type Engine, type MertonModel, type MonteCarloArgs,
} from '../src/index.js';

const merton: MertonModel = { kind: 'merton', spot: 100, rate: 0.05, dividendYield: 0.01, vol: 0.2, lambda: 1, muJ: -0.1, deltaJ: 0.15 };
const bates = {
  kind: 'bates', spot: 100, rate: 0.01, dividendYield: 0.02, v0: 0.04, kappa: 4, theta: 0.25, sigma: 1, rho: -0.5,
  lambda: 0.5, muJ: -0.1, deltaJ: 0.15,
} as const satisfies BatesModel;
/** The reference pricer (test/montecarlo-reference.ts) takes the jump parameters under their former names. */
const reference = <M extends { lambda: number; muJ: number; deltaJ: number }>(m: M) => ({ ...m, jumpIntensity: m.lambda, jumpMean: m.muJ, jumpVol: m.deltaJ });
/** A model under the deprecated names. */
function deprecatedNames<M extends { lambda: number; muJ: number; deltaJ: number }>(m: M) {
  const { lambda, muJ, deltaJ, ...rest } = m;
  return { ...rest, jumpIntensity: lambda, jumpMean: muJ, jumpVol: deltaJ };
}

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
    const ref = hestonPrice(reference(bates), strike, 1, type);
    expect(Math.abs(r.price - ref) / r.stdErr).toBeLessThan(3);
  });

  it('the compensated jump drift keeps the discounted spot a martingale (Merton and Bates, within 3 se)', () => {
    for (const model of [merton, { ...bates, lambda: 3 }]) {
      const r = engine.monteCarloSync({ model, payoff: { kind: 'european', strike: 0, type: 'call' }, expiry: 2, paths: 40_000, steps: 8, seed: 44 });
      expect(Math.abs(r.price - 100 * Math.exp(-model.dividendYield! * 2)) / r.stdErr).toBeLessThan(3);
    }
  });
});

describe('jump parameter names: lambda / muJ / deltaJ as in batesPrice; jumpIntensity / jumpMean / jumpVol deprecated aliases', () => {
  const euro = { kind: 'european', strike: 100, type: 'call' } as const;
  const args = (model: unknown): MonteCarloArgs => ({ model, payoff: euro, expiry: 1, paths: 64, steps: 4, seed: 5 } as MonteCarloArgs);

  it('the canonical names are the names batesPrice uses', () => {
    expect(BATES_PARAM_NAMES).toEqual(expect.arrayContaining(['lambda', 'muJ', 'deltaJ']));
  });

  it.each([['merton', merton], ['bates', bates]] as const)('%s: the old names give the same job, bit for bit, as the new ones; both names agreeing is accepted', (_kind, model) => {
    const canonical = createMonteCarloJob(args(model));
    expect(canonical.model).toMatchObject({ lambda: model.lambda, muJ: model.muJ, deltaJ: model.deltaJ });
    expect(createMonteCarloJob(args(deprecatedNames(model))).params).toEqual(canonical.params);
    expect(createMonteCarloJob(args(reference(model))).params).toEqual(canonical.params);
    // One parameter under each name works too (each parameter is resolved on its own).
    const { lambda: _l, ...mixed } = model;
    expect(createMonteCarloJob(args({ ...mixed, jumpIntensity: model.lambda })).params).toEqual(canonical.params);
  });

  it.each([
    ['lambda', 'jumpIntensity', 2], ['muJ', 'jumpMean', 0.3], ['deltaJ', 'jumpVol', 0.4],
  ] as const)('%s and %s both given and different: InputError at the deprecated name', (name, alias, other) => {
    for (const model of [merton, bates]) {
      const e = expectInputError(() => createMonteCarloJob(args({ ...model, [alias]: other })), `model.${alias}`);
      expect(e.value).toBe(other);
      expect(model[name]).not.toBe(other);
    }
  });

  it('missing under both names is an InputError at the canonical name; a bad value names the key it came under', () => {
    const { deltaJ: _d, ...noDelta } = merton;
    expectInputError(() => createMonteCarloJob(args(noDelta)), 'model.deltaJ');
    expectInputError(() => createMonteCarloJob(args({ ...deprecatedNames(merton), jumpVol: -1 })), 'model.jumpVol');
    expectInputError(() => createMonteCarloJob(args({ ...merton, lambda: -1 })), 'model.lambda');
    expectInputError(() => createMonteCarloJob(args({ ...bates, muJ: NaN })), 'model.muJ');
    // Jump names are not model keys of the jump-free models.
    expectInputError(() => createMonteCarloJob(args({ kind: 'gbm', spot: 100, rate: 0, vol: 0.2, lambda: 1 })), 'model.lambda');
  });
});

describe.each(BACKENDS)('jump parameter names through the engine (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it.each([['merton', merton], ['bates', bates]] as const)('%s: monteCarloSync and simulatePaths give identical numbers under the old and the new names', (_kind, model) => {
    const run = (m: unknown) => engine.monteCarloSync({ model: m, payoff: { kind: 'european', strike: 95, type: 'put' }, expiry: 0.5, paths: 4000, steps: 8, seed: 77 } as MonteCarloArgs);
    const a = run(model);
    const b = run(deprecatedNames(model));
    expect([b.price, b.stdErr]).toEqual([a.price, a.stdErr]);
    const sim = (m: unknown) => Array.from(engine.simulatePaths({ model: m, expiry: 0.5, paths: 8, steps: 8, seed: 77 } as never));
    expect(sim(deprecatedNames(model))).toEqual(sim(model));
    expectInputError(() => run({ ...model, jumpMean: model.muJ + 0.01 }), 'model.jumpMean');
  });
});
