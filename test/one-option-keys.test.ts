/**
 * The key checks of the synchronous pricing calls run first as chains of string compares
 * (hasOnlyBlackScholesKeys, hasOnlyBlack76Keys, hasOnlyImpliedVolKeys; issue 13 session 10), with
 * the Set-based checkArgsKeys behind them for the error. A chain that listed a key the args type
 * does not have would let that key through silently; one that missed a key would only be slower.
 * Checked here against the key lists the compiler ties to the args types, over every key of every
 * model, the pool options, misspellings and keys built at run time (not internalised literals).
 */
import { describe, expect, it } from 'vitest';
import { hasOnlyBlack76Keys, hasOnlyBlackScholesKeys, PRICING_KEY_LISTS } from '../src/pricing/black-pricing.js';
import { hasOnlyImpliedVolKeys, IMPLIED_VOL_KEY_LIST } from '../src/pricing/implied-vol.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';

const CHECKS = [
  { name: 'blackScholes', check: hasOnlyBlackScholesKeys, keys: PRICING_KEY_LISTS.blackScholes as readonly string[] },
  { name: 'black76', check: hasOnlyBlack76Keys, keys: PRICING_KEY_LISTS.black76 as readonly string[] },
  { name: 'impliedVol', check: hasOnlyImpliedVolKeys, keys: IMPLIED_VOL_KEY_LIST },
];

/** Every key of every model, the pool options, singular forms and misspellings of each. */
function candidates(): string[] {
  const all = new Set<string>(['workers', 'signal', 'onProgress', 'pool', 'workerUrl', 'rate', 'spot', 'forward', 'price', 'type', 'greek', '', 'constructor', '__proto__', 'toString']);
  for (const c of CHECKS) {
    for (const k of c.keys) {
      all.add(k);
      all.add(k.slice(0, -1));
      all.add(`${k}s`);
      all.add(k.toUpperCase());
      all.add(`${k.slice(0, 1)}${k.slice(2)}`);
    }
  }
  return [...all];
}

describe('one-option key checks: compare chains agree with the key lists', () => {
  for (const c of CHECKS) {
    it(`${c.name}: true exactly for objects whose own keys are all listed`, () => {
      // All listed keys at once, and each alone; keys built at run time (not literals).
      expect(c.check(Object.fromEntries(c.keys.map((k) => [k, 1])))).toBe(true);
      for (const k of c.keys) expect(c.check({ [k.split('').join('')]: undefined })).toBe(true);
      expect(c.check({})).toBe(true);
      for (const k of candidates()) {
        if (k === '__proto__') continue; // not an own key when written as a literal key
        const o = Object.fromEntries([[k, 1]]);
        expect(c.check(o), `key '${k}'`).toBe(c.keys.includes(k));
        // Next to the listed keys too.
        expect(c.check({ ...Object.fromEntries(c.keys.map((x) => [x, 1])), ...o }), `key '${k}' with the others`).toBe(c.keys.includes(k));
      }
      // Inherited enumerable keys are not the caller's: ignored, as checkKeys does.
      const proto = { bogus: 1 };
      expect(c.check(Object.assign(Object.create(proto) as object, { [c.keys[0]]: 1 }))).toBe(true);
    });
  }
});

describe.each(BACKENDS)('pricing calls with an unknown key (%s)', (backend) => {
  it('are InputErrors naming the key, one option and batch', async () => {
    const e = await engineFor(backend);
    const bs = { spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' as const };
    expectInputError(() => e.blackScholes({ ...bs, dividendYield: 0.01 } as never), 'dividendYield');
    expectInputError(() => e.blackScholes({ ...bs, spots: [100, 101], discountFactors: 1 } as never), 'discountFactors');
    expectInputError(() => e.blackScholes({ ...bs, workers: undefined, signal: undefined, bogus: 1 } as never), 'bogus');
    const b76 = { forwards: 100, strikes: 100, expiries: 1, vols: 0.2, types: 'put' as const };
    expectInputError(() => e.black76({ ...b76, rates: 0.01 } as never), 'rates');
    expectInputError(() => e.impliedVol({ prices: 8, forwards: 100, strikes: 100, expiries: 1, types: 'call', vols: 0.2 } as never), 'vols');
  });
});
