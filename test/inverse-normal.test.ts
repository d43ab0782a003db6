import { describe, it, expect, beforeAll } from 'vitest';
import reference from './fixtures/inverse-normal-reference.json';
import { BACKENDS, engineFor, EPS } from './backends.js';
import type { Engine } from '../src/index.js';

// Reference values: scripts/fixtures/gen_implied_vol.py (mpmath, 50 digits), p in [1e-300, 1 - 1e-16].
const cases = reference.cases as { p: number; x: number }[];

describe.each(BACKENDS)('inverseNormalCdf (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it(`matches mpmath on ${cases.length} probabilities: <= 3u in the tails, <= 5u in the centre (measured 2.7u, 4.6u)`, () => {
    expect(reference.tool).toMatch(/mpmath/);
    let tail = 0;
    let centre = 0;
    for (const { p, x } of cases) {
      const y = engine.kernels.inverseNormalCdf(p);
      const err = x === 0 ? Math.abs(y) : Math.abs(y - x) / Math.abs(x) / EPS;
      if (p < 0.075 || p > 0.925) tail = Math.max(tail, err);
      else centre = Math.max(centre, err);
    }
    expect(tail).toBeLessThanOrEqual(3);
    expect(centre).toBeLessThanOrEqual(5);
  });

  it(`inverseNormalCdfFast (AS 241 alone, the Monte Carlo draws' inverse) matches mpmath on ${cases.length} probabilities: <= 8u in the tails (measured 6.5u, i.e. 7e-16 relative), <= 5u in the centre (measured 3.5u)`, () => {
    let tail = 0;
    let centre = 0;
    for (const { p, x } of cases) {
      const y = engine.kernels.inverseNormalCdfFast(p);
      const err = x === 0 ? Math.abs(y) : Math.abs(y - x) / Math.abs(x) / EPS;
      if (p < 0.075 || p > 0.925) tail = Math.max(tail, err);
      else centre = Math.max(centre, err);
      if (Math.abs(p - 0.5) <= 0.425) expect(y).toBe(engine.kernels.inverseNormalCdf(p)); // the same code in the centre
    }
    expect(tail).toBeLessThanOrEqual(8);
    expect(centre).toBeLessThanOrEqual(5);
    const f = engine.kernels.inverseNormalCdfFast;
    expect([f(0), f(1), f(0.5)]).toEqual([-Infinity, Infinity, 0]);
    expect(f(NaN)).toBeNaN();
    for (let k = 2; k <= 53; k++) expect(f(2 ** -k)).toBe(-f(1 - 2 ** -k));
  });

  it('maps the ends and NaN: p <= 0 -> -Infinity, p >= 1 -> +Infinity, NaN -> NaN, 1/2 -> 0', () => {
    const f = engine.kernels.inverseNormalCdf;
    expect(f(0)).toBe(-Infinity);
    expect(f(-0.5)).toBe(-Infinity);
    expect(f(1)).toBe(Infinity);
    expect(f(1.5)).toBe(Infinity);
    expect(f(NaN)).toBeNaN();
    expect(f(0.5)).toBe(0);
    expect(f(Number.MIN_VALUE)).toBeLessThan(-38);
  });

  it('is exactly odd about 1/2 for p in [1/2, 1), where 1 - p is exact', () => {
    const f = engine.kernels.inverseNormalCdf;
    for (let i = 1; i < 400; i++) {
      const p = 0.5 + (0.5 * i) / 400;
      expect(f(1 - p)).toBe(-f(p));
    }
    for (let k = 2; k <= 53; k++) expect(f(2 ** -k)).toBe(-f(1 - 2 ** -k));
  });

  it('round-trips normalCdf: |x - Phi^{-1}(Phi(x))| <= 4u (|x| + Phi(x)/phi(x)) for x in [-37.5, 6]', () => {
    // Phi(x) carries a relative error of a few u, which moves the quantile by u Phi/phi; beyond
    // that only the inverse's own error (in units of |x|) remains.
    const k = engine.kernels;
    let worst = 0;
    for (let x = -37.5; x <= 6; x += 0.0625) {
      const p = k.normalCdf(x);
      const back = k.inverseNormalCdf(p);
      const scale = Math.abs(x) + k.normalCdfOverPdf(x);
      worst = Math.max(worst, Math.abs(back - x) / scale / EPS);
    }
    expect(worst).toBeLessThanOrEqual(4);
  });

  it('is monotone increasing on a fine grid across the region boundaries', () => {
    const f = engine.kernels.inverseNormalCdf;
    const ps = [1e-300, 1e-100, 1e-12, 1.4e-11, 1.5e-11, 1e-5, 0.0749999, 0.075, 0.0750001, 0.3, 0.5, 0.7, 0.9249999, 0.925, 0.9250001, 1 - 1e-12];
    for (let i = 1; i < ps.length; i++) expect(f(ps[i])).toBeGreaterThan(f(ps[i - 1]));
    // around r = 5, i.e. p = exp(-25) ~ 1.39e-11
    let prev = f(1.3e-11);
    for (let p = 1.3e-11; p < 1.5e-11; p += 1e-14) {
      const y = f(p);
      expect(y).toBeGreaterThanOrEqual(prev);
      prev = y;
    }
  });
});
