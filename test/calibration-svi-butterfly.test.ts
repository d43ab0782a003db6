import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sviButterflyCheck, type Engine, type SviParams } from '../src/index.js';
import { BACKENDS, engineFor, propertySeed } from './backends.js';

// The sviButterflyGrid kernel (issue 13 [simd]): the scan of Durrleman's g over a fit's butterfly
// grid, two grid points per f64x2 on WASM. fitSvi checks each slice with it; the public
// sviButterflyCheck runs the JS twin's loop (scanSviButterfly), so the bit-for-bit property below
// tests something on WASM only (on the JS backend both sides are that loop). The kernel must give
// the loop's numbers bit for bit (same operations per point, lanes merged to the loop's first
// minimum), and the loop is checked against an independent re-implementation of g from Gatheral &
// Jacquier (2014), eq. 2.1.

/** The kernel's three outputs for params p on a grid, through the engine's arena. */
function scan(engine: Engine, p: SviParams, kMin: number, kMax: number, points: number): { rc: number; minG: number; at: number; negative: number } {
  const { arena, kernels } = engine as unknown as { arena: Engine['arena']; kernels: Engine['kernels'] };
  arena.reset();
  arena.reserve(128);
  const pp = arena.alloc(40), po = arena.alloc(24);
  const f = arena.views.f64;
  f.set([p.a, p.b, p.rho, p.m, p.sigma], pp >>> 3);
  f.fill(12345, po >>> 3, (po >>> 3) + 3);
  const rc = kernels.sviButterflyGrid(pp, kMin, kMax, points, po);
  const g = arena.views.f64;
  return { rc, minG: g[po >>> 3], at: g[(po >>> 3) + 1], negative: g[(po >>> 3) + 2] };
}

/** g(k) written from the paper's formula with w and its derivatives by hand (another order of operations). */
function durrleman(p: SviParams, k: number): number {
  const x = k - p.m;
  const root = Math.hypot(x, p.sigma);
  const w = p.a + p.b * p.rho * x + p.b * root;
  const w1 = p.b * p.rho + (p.b * x) / root;
  const w2 = (p.b * p.sigma ** 2) / root ** 3;
  if (!(w > 0)) return -Infinity;
  return (1 - (k * w1) / (2 * w)) ** 2 - (w1 ** 2 / 4) * (1 / w + 1 / 4) + w2 / 2;
}

const params = fc.record({
  a: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
  b: fc.double({ min: 0, max: 2, noNaN: true }),
  rho: fc.double({ min: -0.999, max: 0.999, noNaN: true }),
  m: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
  sigma: fc.double({ min: 1e-3, max: 1, noNaN: true }),
});
const grid = fc.record({ kMin: fc.double({ min: -3, max: 0, noNaN: true }), width: fc.double({ min: 1e-3, max: 4, noNaN: true }), points: fc.integer({ min: 2, max: 400 }) });

describe.each(BACKENDS)('sviButterflyGrid kernel (%s)', (backend) => {
  it('property: the same bits as sviButterflyCheck\'s loop, any slice and grid (odd and even point counts) (fast-check)', async () => {
    const engine = await engineFor(backend);
    const seed = propertySeed(`sviButterflyGrid ${backend}`);
    fc.assert(fc.property(params, grid, (p, { kMin, width, points }) => {
      const kMax = kMin + width;
      const r = scan(engine, p, kMin, kMax, points);
      const ref = sviButterflyCheck(p, { kMin, kMax, points });
      expect(r.rc).toBe(0);
      expect(Object.is(r.minG, ref.minG)).toBe(true);
      expect(r.negative).toBe(ref.negativePoints);
      const kAt = r.at >= 0 ? kMin + ((kMax - kMin) * r.at) / (points - 1) : NaN;
      expect(Object.is(kAt, ref.kAtMinG)).toBe(true);
    }), { seed, numRuns: 300 });
  });

  it('edge cases: w <= 0 on part of the grid (minimum -Infinity at its first point), NaN parameters, two points, a malformed grid', async () => {
    const engine = await engineFor(backend);
    // a < 0 with steep wings: w <= 0 near the money; the scan's minimum is -Infinity at the first such point.
    const p = { a: -0.1, b: 1.5, rho: 0.3, m: 0, sigma: 0.05 };
    const r = scan(engine, p, -2, 2, 201);
    const firstBad = Array.from({ length: 201 }, (_, i) => -2 + (4 * i) / 200).findIndex((k) => !(p.a + p.b * (p.rho * k + Math.hypot(k, p.sigma)) > 0));
    expect(firstBad).toBeGreaterThan(0);
    expect(r.minG).toBe(-Infinity);
    expect(r.at).toBe(firstBad);
    const nan = scan(engine, { ...p, a: NaN }, -1, 1, 11);
    expect(nan).toEqual({ rc: 0, minG: -Infinity, at: 0, negative: 11 });
    const two = scan(engine, { a: 0.02, b: 0.15, rho: -0.4, m: 0.05, sigma: 0.2 }, -1, 1, 2);
    expect(two.rc).toBe(0);
    expect(two.negative).toBe(0);
    expect(two.at === 0 || two.at === 1).toBe(true);
    expect(scan(engine, p, -1, 1, 1).rc).toBe(1);
  });

  it('fitSvi reports the same butterfly check as sviButterflyCheck on the fitted parameters', async () => {
    const engine = await engineFor(backend);
    const F = 100, T = 0.5;
    const strikes = Array.from({ length: 25 }, (_, i) => F * Math.exp(-0.6 + 0.05 * i));
    const TRUE = { a: 0.02, b: 0.15, rho: -0.4, m: 0.05, sigma: 0.2 };
    const vols = strikes.map((K, i) => Math.sqrt((TRUE.a + TRUE.b * (TRUE.rho * (Math.log(K / F) - TRUE.m) + Math.hypot(Math.log(K / F) - TRUE.m, TRUE.sigma))) / T) + 0.002 * Math.sin(1.7 * i));
    for (const arbitrageGrid of [undefined, { kMin: -1, kMax: 1, points: 51 }]) {
      const fit = engine.fitSvi({ forwards: F, quotes: { strikes, expiries: T, vols }, arbitrageGrid });
      const kLo = Math.log(strikes[0] / F), kHi = Math.log(strikes[24] / F);
      expect(fit.slices[0].butterfly).toEqual(sviButterflyCheck(fit.params[0], arbitrageGrid ?? { kMin: kLo - 0.5, kMax: kHi + 0.5, points: 301 }));
    }
  });
});

describe('sviButterflyCheck\'s loop against an independent g', () => {
  it('property: min g to 1e-9 relative (1e-12 absolute) and the negative count wherever no |g| is within 1e-9 of 0 (fast-check)', () => {
    // Two orders of the same operations differ by a few ulps of the terms of g; its terms are O(1)
    // to O(1 / w), so 1e-9 relative to max(1, |g|) leaves room for w down to ~1e-6.
    const seed = propertySeed('sviButterflyCheck vs independent g');
    fc.assert(fc.property(params, grid, (p, { kMin, width, points }) => {
      const kMax = kMin + width;
      const gs = Array.from({ length: points }, (_, i) => durrleman(p, kMin + (width * i) / (points - 1))).map((g) => (Number.isNaN(g) ? -Infinity : g));
      const ref = sviButterflyCheck(p, { kMin, kMax, points });
      const minG = Math.min(...gs);
      if (minG === -Infinity) expect(ref.minG).toBe(-Infinity);
      else expect(Math.abs(ref.minG - minG)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(minG)) + 1e-12);
      // (-Infinity, where w <= 0, is no near-zero g: |g| <= 1e-9 |g| would hold for it and skip the count.)
      if (gs.every((g) => !Number.isFinite(g) || !(Math.abs(g) <= 1e-9 * Math.max(1, Math.abs(g))))) expect(ref.negativePoints).toBe(gs.filter((g) => g < 0).length);
    }), { seed, numRuns: 300 });
  });
});
