// The one-option path of the pricing facade (reused batch frames, allocation-free key and length
// checks): results are fresh arrays each call, identical to the same element of a batch, whatever
// the calls before them (shapes, sizes, errors); the contract's errors survive the fast path.
import { describe, expect, it } from 'vitest';
import { InputError, Status, type BlackScholesArgs, type Engine } from '../src/index.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';

describe.each(BACKENDS)('pricing facade, one option per call (%s)', (backend) => {
  const get = (): Promise<Engine> => engineFor(backend);

  it('each call returns its own arrays; one-option calls equal the batch element bit for bit, interleaved with other shapes', async () => {
    const e = await get();
    const strikes = Float64Array.from({ length: 40 }, (_, i) => 60 + 2 * i);
    const batch = e.blackScholes({ spots: 100, strikes, expiries: 0.7, vols: 0.3, rates: 0.02, types: 'put', greeks: true });
    const first = e.blackScholes({ spots: 100, strikes: strikes[0]!, expiries: 0.7, vols: 0.3, rates: 0.02, types: 'put' });
    const kept = first.price[0];
    for (let i = 0; i < strikes.length; i++) {
      // Alternate scalars, 1-element arrays, greeks and a batch call between the singles.
      const s = i % 2
        ? e.blackScholes({ spots: [100], strikes: [strikes[i]!], expiries: [0.7], vols: [0.3], rates: [0.02], types: ['put'], greeks: true })
        : e.blackScholes({ spots: 100, strikes: strikes[i]!, expiries: 0.7, vols: 0.3, rates: 0.02, types: 'put', greeks: true });
      if (i % 5 === 0) e.impliedVol({ prices: [1, 2], forwards: 100, strikes: 100, expiries: 1, types: 'call' });
      for (const k of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'] as const) {
        expect(s[k].length).toBe(1);
        expect(Object.is(s[k][0], batch[k][i]), `${k}[${i}]`).toBe(true);
      }
      expect(s.price).not.toBe(first.price);
    }
    // The first result was not overwritten by the later calls.
    expect(Object.is(first.price[0], kept)).toBe(true);
    expect(Object.keys(first)).toEqual(['price', 'status']);
  });

  it('black76 and impliedVol singles equal their batch elements; coin greeks carry premiumAdjustedDelta', async () => {
    const e = await get();
    const forwards = [90, 100, 110, 120];
    const b = e.black76({ forwards, strikes: 100, expiries: 0.25, vols: 0.5, types: 'call', discountFactors: 0.99, settlement: 'coin', greeks: true });
    const iv = e.impliedVol({ prices: b.price, forwards, strikes: 100, expiries: 0.25, types: 'call', discountFactors: 0.99, settlement: 'coin' });
    forwards.forEach((f, i) => {
      const s = e.black76({ forwards: f, strikes: 100, expiries: 0.25, vols: 0.5, types: 'call', discountFactors: 0.99, settlement: 'coin', greeks: true });
      expect(Object.is(s.premiumAdjustedDelta[0], b.premiumAdjustedDelta[i])).toBe(true);
      const v = e.impliedVol({ prices: b.price[i]!, forwards: f, strikes: 100, expiries: 0.25, types: 'call', discountFactors: 0.99, settlement: 'coin' });
      expect(Object.is(v.vols[0], iv.vols[i])).toBe(true);
      expect(v.status[0]).toBe(Status.ok);
    });
  });

  it('after many good calls: a misspelled key is an InputError with its suggestion, a bad element is NaN with a status', async () => {
    const e = await get();
    const good = { spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0.01, types: 'call' as const };
    for (let i = 0; i < 2000; i++) e.blackScholes(good);
    const typo = expectInputError(() => e.blackScholes({ ...good, dividendYield: 0.02 } as never), 'dividendYield');
    expect(typo.suggestion).toBe('dividendYields');
    expect(expectInputError(() => e.black76({ forwards: 100, strikes: 100, expiries: 1, vols: 0.2, types: 'call', rates: 0.01 } as never), 'rates').suggestion)
      .toBe('discountFactors');
    expect(expectInputError(() => e.impliedVol({ prices: 5, forwards: 100, strikes: 100, expiries: 1, type: 'call' } as never), 'type').suggestion).toBe('types');
    expectInputError(() => e.blackScholes({ ...good, strikes: [100, 101], vols: [0.2] }), 'vols');
    expectInputError(() => e.blackScholes({ ...good, spots: ['100'] as never }), 'spots[0]');
    expectInputError(() => e.blackScholes({ ...good, rates: undefined as never }), 'rates');
    expectInputError(() => e.blackScholes({ ...good, types: 'cal' as never }), 'types');
    expectInputError(() => e.blackScholes({ ...good, greeks: 1 as never }), 'greeks');
    const bad = e.blackScholes({ ...good, vols: -1 });
    expect(Number.isNaN(bad.price[0])).toBe(true);
    expect(bad.status[0]).toBe(Status.invalidInput);
    // Pool options without workers: an error unless undefined (the synchronous call).
    expectInputError(() => e.blackScholes({ ...good, onProgress: () => {} } as never), 'onProgress');
    expect(e.blackScholes({ ...good, workers: undefined, signal: undefined } as BlackScholesArgs).status[0]).toBe(Status.ok);
    // And the path still works after the errors.
    expect(e.blackScholes(good).status[0]).toBe(Status.ok);
  });

  it('keys are checked as Object.keys sees them: inherited enumerable keys are ignored, own unknown ones are not', async () => {
    const e = await get();
    const args = Object.assign(Object.create({ bogus: 1 }) as object, { spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' });
    expect(e.blackScholes(args as BlackScholesArgs).status[0]).toBe(Status.ok);
    const err = expectInputError(() => e.blackScholes({ ...(args as object), bogus: 1 } as never), 'bogus');
    expect(err).toBeInstanceOf(InputError);
  });

  it('inputs are not mutated and nothing of them is kept: the next call with other inputs is unaffected', async () => {
    const e = await get();
    const spots = [100, 101];
    const types = ['call', 'put'] as const;
    const copy = JSON.stringify([spots, types]);
    const r1 = e.blackScholes({ spots, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: [...types] });
    const r2 = e.blackScholes({ spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' });
    expect(JSON.stringify([spots, types])).toBe(copy);
    expect(Object.is(r1.price[0], r2.price[0])).toBe(true);
    expect(r1.price.length).toBe(2);
  });
});
