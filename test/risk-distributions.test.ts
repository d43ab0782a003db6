import { describe, it, expect } from 'vitest';
import ref from './fixtures/risk-reference.json';
import {
  betaInc, binomialCdf, chiSquareCdf, chiSquareSf, digamma, logGamma, studentTCdf, studentTPdf, studentTQuantile, studentTSf,
} from '../src/index.js';

// Reference values: mpmath at 50 digits (scripts/fixtures/gen_risk_reference.py).
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

describe('risk distribution functions vs mpmath', () => {
  it('chi-square cdf and survival (regularized incomplete gamma), relative 1e-12 (sf below 1e-300 excluded)', () => {
    let worst = 0;
    for (const r of ref.chiSquare) {
      worst = Math.max(worst, rel(chiSquareCdf(r.x, r.k), r.cdf));
      if (r.sf > 1e-300) worst = Math.max(worst, rel(chiSquareSf(r.x, r.k), r.sf));
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('Student-t cdf, survival and density for nu = 1..1000, |t| up to 100: relative 1e-12 (5e-12 at nu = 1000)', () => {
    // At nu = 1000, ln B(500, 1/2) = ln Gamma(500) + ln Gamma(1/2) - ln Gamma(500.5) cancels (~2600 - 2600): a few 1e-12.
    for (const r of ref.studentT) {
      const tol = r.nu >= 1000 ? 5e-12 : 1e-12;
      const e = Math.max(rel(studentTCdf(r.t, r.nu), r.cdf), rel(studentTSf(r.t, r.nu), r.sf), rel(studentTPdf(r.t, r.nu), r.pdf));
      expect(e, `t ${r.t} nu ${r.nu}`).toBeLessThan(tol);
    }
  });

  it('Student-t quantile for p = 1e-10..1-1e-6, nu = 1..200: relative 1e-12 (absolute 1e-15 at the median)', () => {
    for (const r of ref.studentTQuantile) {
      const q = studentTQuantile(r.p, r.nu);
      if (r.quantile === 0) expect(Math.abs(q)).toBeLessThan(1e-15);
      else expect(rel(q, r.quantile), `p ${r.p} nu ${r.nu}`).toBeLessThan(1e-12);
    }
  });

  it('binomial cdf (regularized incomplete beta) to 5e-12 relative (ln B(n - k, k + 1) of n = 1000 carries ~1e-12)', () => {
    for (const r of ref.binomial) expect(rel(binomialCdf(r.k, r.n, r.p), r.cdf), `k ${r.k} n ${r.n} p ${r.p}`).toBeLessThan(5e-12);
  });

  it('logGamma to 1e-14 absolute, digamma to 1e-13 relative', () => {
    for (const r of ref.gamma) {
      expect(Math.abs(logGamma(r.x) - r.lgamma), `lgamma ${r.x}`).toBeLessThan(1e-14 * Math.max(1, Math.abs(r.lgamma)));
      expect(rel(digamma(r.x), r.digamma), `digamma ${r.x}`).toBeLessThan(1e-13);
    }
  });

  it('closed forms: t_1 is Cauchy, t_2 has F(t) = 1/2 + t / (2 sqrt(2 + t^2)); I_x(1, 1) = x', () => {
    for (const t of [-20, -1, 0.3, 5]) {
      // The closed forms themselves cancel for t << 0 (1/2 - 0.48...): 1e-13.
      expect(rel(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI)).toBeLessThan(1e-13);
      expect(rel(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)))).toBeLessThan(1e-13);
    }
    expect(betaInc(0.3, 1, 1)).toBeCloseTo(0.3, 15);
  });
});
