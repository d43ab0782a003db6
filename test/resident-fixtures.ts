/**
 * Shared by the resident-array tests: a deterministic option surface with bad elements, and a
 * bit-for-bit comparison of two pricing results.
 */
import { expect } from 'vitest';
import type { PricingResult } from '../src/index.js';

/** A deterministic surface with bad elements: NaN spot, negative vol, zero spot, an Int8 type of 3, zero expiry. */
export function surface(n: number) {
  let x = 12345;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const spots = new Float64Array(n), strikes = new Float64Array(n), expiries = new Float64Array(n), vols = new Float64Array(n);
  const rates = new Float64Array(n), dividendYields = new Float64Array(n), types = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    spots[i] = 50 + 100 * rnd();
    strikes[i] = spots[i] * Math.exp(0.6 * (rnd() - 0.5));
    expiries[i] = 0.01 + 2 * rnd();
    vols[i] = 0.05 + 0.8 * rnd();
    rates[i] = 0.1 * (rnd() - 0.3);
    dividendYields[i] = 0.05 * rnd();
    types[i] = rnd() < 0.5 ? 1 : -1;
  }
  if (n > 7) {
    spots[1] = NaN; vols[3] = -0.2; spots[5] = 0; types[6] = 3; expiries[7] = 0;
  }
  return { spots, strikes, expiries, vols, rates, dividendYields, types };
}

/** Every output column and the status, bit for bit; returns the number of differing values. */
export function differences(a: PricingResult, b: PricingResult, cols: readonly string[]): number {
  let d = 0;
  for (const c of cols) {
    const x = (a as unknown as Record<string, Float64Array>)[c], y = (b as unknown as Record<string, Float64Array>)[c];
    expect(x.length).toBe(y.length);
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) d++;
  }
  for (let i = 0; i < a.status.length; i++) if (a.status[i] !== b.status[i]) d++;
  return d;
}
