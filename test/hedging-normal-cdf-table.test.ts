// The hedge deltas' table-plus-Taylor normal cdf (src/kernels/hedging/normal-cdf-table.ts; the WASM
// twin's bits are checked through engine.simulateHedging's backend parity in
// hedging-simulate.test.ts): its absolute error against an independent Phi, the stated bound.
import { describe, expect, it } from 'vitest';
import { normalCdfTable, normalCdfTableInit } from '../src/kernels/hedging/normal-cdf-table.js';
import { normalCdf } from '../src/kernels/math/normal-distribution.js';

/** Phi by Abramowitz-Stegun 26.2.11 (series, |x| < 5) and 26.2.14 (continued fraction): not Cody's route. */
function referenceCdf(x: number): number {
  const z = Math.abs(x);
  let p: number;
  if (z < 5) {
    let term = z;
    let sum = z;
    for (let k = 1; k < 400; k++) {
      term *= (z * z) / (2 * k + 1);
      sum += term;
      if (term < 1e-18 * sum) break;
    }
    p = 0.5 + (sum * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
  } else {
    let f = z;
    for (let k = 80; k >= 1; k--) f = z + k / f;
    p = 1 - Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) / f;
  }
  return x >= 0 ? p : 1 - p;
}

describe('normalCdfTable (hedge deltas)', () => {
  normalCdfTableInit();

  it('is within 3e-13 of Phi on [-8, 8], worst at cell edges (h = 1/64)', () => {
    // Bound: Taylor remainder max|Phi^(5)| (h/2)^5 / 5! = 3 phi(0) 2^-35 / 120 = 2.9e-13, plus
    // rounding; the reference itself is good to ~1e-15 absolute (series terms summed to 1e-18).
    let worst = 0;
    for (let i = -8 * 64 * 8; i <= 8 * 64 * 8; i++) {
      for (const z of [i / 512, (i + 0.5) / 512, (i + 0.123456789) / 512]) {
        if (Math.abs(z) > 8) continue;
        worst = Math.max(worst, Math.abs(normalCdfTable(z) - referenceCdf(z)));
      }
    }
    expect(worst).toBeLessThan(3e-13);
    // The approximation is what is measured (not the exact function by accident): at a cell edge
    // near 0 the truncation error is of the order of the bound.
    expect(Math.abs(normalCdfTable(0.5 / 64) - referenceCdf(0.5 / 64))).toBeGreaterThan(1e-15);
  });

  it('is the exact Phi at the grid points and beyond |z| = 8 (and passes NaN)', () => {
    for (const z of [0, 1, -2.5, 7.984375]) expect(normalCdfTable(z)).toBe(normalCdf(z));
    for (const z of [8.0000001, -9, 40, -40, Infinity, -Infinity]) expect(normalCdfTable(z)).toBe(normalCdf(z));
    expect(normalCdfTable(Number.NaN)).toBeNaN();
  });

  it('is monotone across cell edges to within its error', () => {
    for (let j = -511; j <= 511; j++) {
      const edge = (j + 0.5) / 64;
      const below = normalCdfTable(edge - 1e-12);
      const above = normalCdfTable(edge + 1e-12);
      expect(above - below).toBeGreaterThan(-6e-13);
    }
  });
});
