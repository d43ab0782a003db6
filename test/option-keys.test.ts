import { describe, expect, it } from 'vitest';
import { InputError } from '../src/index.js';
import { checkKeys, closestKey } from '../src/option-keys.js';

describe('checkKeys: unknown option keys', () => {
  const allowed = ['horizonDays', 'method', 'antithetic', 'dividendYields', 'rates', 'horizonScaling'] as const;

  it('suggests the closest valid key for the issue-11 misspellings', () => {
    expect(closestKey('horizonDay', allowed)).toBe('horizonDays');
    expect(closestKey('methd', allowed)).toBe('method');
    expect(closestKey('antitheic', allowed)).toBe('antithetic');
    expect(closestKey('dividendYield', allowed)).toBe('dividendYields');
    expect(closestKey('rate', allowed)).toBe('rates');
  });

  it('offers no suggestion for an unrelated key', () => {
    expect(closestKey('zzzzzzzz', allowed)).toBeUndefined();
  });

  it('throws an InputError naming the path, the value and the suggestion', () => {
    let caught: unknown;
    try {
      checkKeys({ method: 'normal', horizonDay: 10 }, allowed, 'options');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    const err = caught as InputError;
    expect(err.path).toBe('options.horizonDay');
    expect(err.value).toBe(10);
    expect(err.suggestion).toBe('horizonDays');
    expect(err.message).toContain("did you mean 'horizonDays'?");
  });

  it('rejects a JSON __proto__ key instead of skipping it', () => {
    const o = JSON.parse('{"__proto__": {"x": 1}}') as object;
    expect(() => checkKeys(o, allowed, '')).toThrow(InputError);
  });

  it('accepts known keys and an empty object', () => {
    expect(() => checkKeys({}, allowed, 'o')).not.toThrow();
    expect(() => checkKeys({ rates: 1, method: 'x' }, allowed, 'o')).not.toThrow();
  });
});

describe('closestKey: short keys', () => {
  it('does not suggest a one-letter key because the misspelling contains that letter', () => {
    expect(closestKey('sigm', ['v0', 'kappa', 'theta', 'sigma', 'rho', 'm'])).toBe('sigma');
  });
});
