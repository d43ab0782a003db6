import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FitSviArgs, FitSviResult } from '../src/index.js';
import { levenbergMarquardt, lmLeanSettings, lmRunIn, lmWorkspace } from '../src/math/optimise/levenberg-marquardt.js';
import { BACKENDS, engineFor, expectInputError, propertySeed } from './backends.js';

// The lean warm path of fitSvi (issue 16, warm-start SVI refit): with `warmStart`, the vol
// objective, the linear loss and the analytic Jacobian, the slice is refitted on buffers reused
// per engine instead of through the general calibration loop. Its reference is the general loop
// itself, reached with the same call plus an `onEvaluate` hook (a hook observes, it does not change
// any number): the two must agree bit for bit, every field but the elapsed times.

const F = 100;
const NAMES = ['a', 'b', 'rho', 'm', 'sigma'] as const;
type P = { a: number; b: number; rho: number; m: number; sigma: number };
const sviW = (p: P, k: number) => p.a + p.b * (p.rho * (k - p.m) + Math.sqrt((k - p.m) ** 2 + p.sigma ** 2));
const strikesOver = (n: number, lo: number, hi: number) => Array.from({ length: n }, (_, i) => F * Math.exp(lo + ((hi - lo) * i) / (n - 1)));

/** Vols of an SVI smile plus a deterministic wiggle (so the fit is not exact). */
function smile(p: P, t: number, strikes: number[], wiggle = 0.002): number[] {
  return strikes.map((K, i) => Math.sqrt(sviW(p, Math.log(K / F)) / t) + wiggle * Math.sin(1.7 * i));
}

/** A result without its wall-clock fields (the only ones allowed to differ). */
function timeless(r: FitSviResult): unknown {
  return { ...r, elapsedMs: 0, slices: r.slices.map((s) => ({ ...s, elapsedMs: 0 })) };
}

/** Lean (no hook) and general (with a no-op hook) warm fits of the same call. */
function bothPaths(fit: (a: FitSviArgs) => FitSviResult, args: FitSviArgs): { lean: FitSviResult; general: FitSviResult } {
  const general = fit({ ...args, onEvaluate: () => undefined });
  const lean = fit(args);
  return { lean, general };
}

describe.each(BACKENDS)('fitSvi warm start, lean path (%s)', (backend) => {
  const TRUE: P = { a: 0.02, b: 0.15, rho: -0.4, m: 0.05, sigma: 0.2 };
  const T = 0.5;
  const strikes = strikesOver(25, -0.6, 0.6);
  const base = smile(TRUE, T, strikes);

  it('equals the general calibration loop bit for bit after one quote moves (every field but elapsedMs)', async () => {
    const engine = await engineFor(backend);
    const fit = (a: FitSviArgs) => engine.fitSvi(a);
    const previous = fit({ forwards: F, quotes: { strikes, expiries: T, vols: base } });
    for (let s = 0; s < 8; s++) {
      const vols = base.slice();
      vols[(s * 7) % 25] += (s % 2 ? -1 : 1) * 0.005;
      const args: FitSviArgs = { forwards: F, quotes: { strikes, expiries: T, vols }, warmStart: previous };
      const { lean, general } = bothPaths(fit, args);
      expect(timeless(lean)).toEqual(timeless(general));
      // toEqual treats 0 and -0 alike and NaN as equal: the parameters are also compared with Object.is.
      for (const k of NAMES) expect(Object.is(lean.params[0][k], general.params[0][k]), k).toBe(true);
    }
  });

  it('equals the general loop on the awkward cases: Lee cap (stage 2), fixed and bounded parameters, zero weights, NaN quotes, several slices, an iteration limit', async () => {
    const engine = await engineFor(backend);
    const fit = (a: FitSviArgs) => engine.fitSvi(a);
    // Steep wings: the box optimum breaks Lee's b (1 + |rho|) <= 2 and stage 2 refits on the cap.
    const steep: P = { a: -0.3, b: 1.9, rho: 0.6, m: 0, sigma: 0.3 };
    const steepVols = smile(steep, 1, strikes, 0.001);
    const steepPrev = fit({ forwards: F, quotes: { strikes, expiries: 1, vols: steepVols } });
    const moved = steepVols.slice();
    moved[3] += 0.004;
    const lee = bothPaths(fit, { forwards: F, quotes: { strikes, expiries: 1, vols: moved }, warmStart: steepPrev });
    expect(timeless(lee.lean)).toEqual(timeless(lee.general));
    // The case is the one it is meant to be: the refit ends on Lee's cap.
    expect(lee.lean.slices[0].boundHits).toContainEqual(expect.objectContaining({ name: 'b', constraint: 'leeWing' }));
    const vols = base.slice();
    vols[10] += 0.005;
    const nanVols = vols.slice();
    nanVols[4] = NaN;
    const weights = strikes.map((_, i) => (i === 2 ? 0 : 1 + 0.1 * i));
    const previous = fit({ forwards: F, quotes: { strikes, expiries: T, vols: base } });
    const cases: FitSviArgs[] = [
      { forwards: F, quotes: { strikes, expiries: T, vols }, warmStart: previous, fixed: ['m'] },
      { forwards: F, quotes: { strikes, expiries: T, vols }, warmStart: previous, fixed: ['b', 'sigma'] },
      { forwards: F, quotes: { strikes, expiries: T, vols }, warmStart: previous, bounds: { upper: { rho: -0.45 } } },
      { forwards: F, quotes: { strikes, expiries: T, vols, weights }, warmStart: previous },
      { forwards: F, quotes: { strikes, expiries: T, vols: nanVols }, warmStart: previous },
      { forwards: F, quotes: { strikes, expiries: T, vols }, warmStart: previous, maxIterations: 1 },
      { forwards: F, quotes: { strikes, expiries: T, vols }, warmStart: previous, tolerance: 1e-6, quality: { maxRmse: 0.01 } },
      { forwards: F, quotes: { strikes, expiries: T, vols }, warmStart: previous.params[0], jacobian: 'analytic' },
    ];
    for (const [i, args] of cases.entries()) {
      const { lean, general } = bothPaths(fit, args);
      expect(timeless(lean), `case ${i}`).toEqual(timeless(general));
    }
    // Two slices of different sizes, alternating with the one-slice refits above (the workspaces are per size).
    const s2 = strikesOver(11, -0.4, 0.4);
    const quotes = { strikes: [...strikes, ...s2], expiries: [...strikes.map(() => T), ...s2.map(() => 1)], vols: [...vols, ...smile(TRUE, 1, s2)] };
    const prev2 = fit({ forwards: F, quotes });
    const q2 = { ...quotes, vols: quotes.vols.slice() };
    q2.vols[30] += 0.003;
    const two = bothPaths(fit, { forwards: F, quotes: q2, warmStart: prev2 });
    expect(timeless(two.lean)).toEqual(timeless(two.general));
    expect(two.lean.slices.map((s) => s.quotes)).toEqual([25, 11]);
  });

  it('keeps the calling contract: malformed options are InputErrors naming the field; nothing passed is mutated', async () => {
    const engine = await engineFor(backend);
    const previous = engine.fitSvi({ forwards: F, quotes: { strikes, expiries: T, vols: base } });
    const snapshot = structuredClone(previous.params);
    const vols = base.slice();
    const args = { forwards: F, quotes: { strikes, expiries: T, vols }, warmStart: previous };
    expectInputError(() => engine.fitSvi({ ...args, maxIterations: 1.5 }), 'maxIterations');
    expectInputError(() => engine.fitSvi({ ...args, tolerance: -1 }), 'tolerance');
    expectInputError(() => engine.fitSvi({ ...args, warmStart: { ...previous.params[0], sigma: NaN } }), 'warmStart.sigma');
    expectInputError(() => engine.fitSvi({ ...args, fixed: ['s' as never] }), 'fixed[0]');
    engine.fitSvi(args);
    expect(previous.params).toEqual(snapshot);
    expect(vols).toEqual(base);
    // A result's arrays are its own (not the reused workspace's): a later refit leaves them alone.
    const r1 = engine.fitSvi(args);
    const kept = { params: structuredClone(r1.params), residuals: r1.residuals.slice(), sliceResiduals: r1.slices[0].residuals.slice() };
    const other = base.slice();
    other[0] += 0.01;
    engine.fitSvi({ ...args, quotes: { strikes, expiries: T, vols: other } });
    expect(r1.params).toEqual(kept.params);
    expect(r1.residuals).toEqual(kept.residuals);
    expect(r1.slices[0].residuals).toEqual(kept.sliceResiduals);
  });

  it('property: after a random small move of random quotes, the lean warm refit equals the general one bit for bit and the cold fit to 1e-6 (fast-check)', async () => {
    const engine = await engineFor(backend);
    const fit = (a: FitSviArgs) => engine.fitSvi(a);
    const previous = fit({ forwards: F, quotes: { strikes, expiries: T, vols: base } });
    const seed = propertySeed(`lean warm SVI refit ${backend}`);
    fc.assert(fc.property(
      fc.array(fc.record({ i: fc.integer({ min: 0, max: 24 }), dv: fc.double({ min: -0.005, max: 0.005, noNaN: true }) }), { minLength: 1, maxLength: 3 }),
      (moves) => {
        const vols = base.slice();
        for (const { i, dv } of moves) vols[i] += dv;
        const args: FitSviArgs = { forwards: F, quotes: { strikes, expiries: T, vols }, warmStart: previous };
        const { lean, general } = bothPaths(fit, args);
        expect(timeless(lean)).toEqual(timeless(general));
        // Against the cold fit (heuristic start, an independent LM path to the same minimum):
        // both stop on the relative cost reduction 1e-10, so parameters agree to about
        // sqrt(1e-10) times their scale (1e-6 leaves room), the rmse (vol points) far tighter.
        const cold = fit({ forwards: F, quotes: { strikes, expiries: T, vols } });
        for (const k of NAMES) expect(Math.abs(lean.params[0][k] - cold.params[0][k]), k).toBeLessThan(1e-6);
        expect(Math.abs(lean.rmse - cold.rmse)).toBeLessThan(1e-8);
      },
    ), { seed, numRuns: 40 });
  });
});

describe('LM on a reused workspace', () => {
  it('gives what a fresh levenbergMarquardt run gives, run after run, on an exponential-decay fit', () => {
    // y = p0 exp(-p1 t) + p2 on 12 points, with a wiggle: a small textbook problem with an analytic Jacobian.
    const t = Float64Array.from({ length: 12 }, (_, i) => i / 3);
    const problemFor = (p0: number) => {
      const y = Float64Array.from(t, (ti, i) => p0 * Math.exp(-0.7 * ti) + 0.3 + 0.01 * Math.cos(i));
      return {
        nParams: 3, nResiduals: 12,
        evaluate(p: Float64Array, r: Float64Array, J: Float64Array | null) {
          for (let i = 0; i < 12; i++) {
            const e = Math.exp(-p[1] * t[i]);
            r[i] = p[0] * e + p[2] - y[i];
            if (J) {
              J[i * 3] = e;
              J[i * 3 + 1] = -p[0] * t[i] * e;
              J[i * 3 + 2] = 1;
            }
          }
        },
      };
    };
    const ws = lmWorkspace(12, 3);
    const lower = [0, 0, -1], upper = [10, 5, 1], weights = Float64Array.from(t, (_, i) => 1 + (i % 3));
    for (const p0 of [2, 3.5, 0.5, 2]) {
      const problem = problemFor(p0);
      const initial = [1, 1, 0];
      const fresh = levenbergMarquardt(problem, { initial, lower, upper, weights });
      const reused = lmRunIn(problem, lmLeanSettings(ws, initial, lower, upper, undefined, weights, undefined, undefined), ws);
      expect(Array.from(reused.params)).toEqual(Array.from(fresh.params));
      expect(Array.from(reused.residuals)).toEqual(Array.from(fresh.residuals));
      expect({ ...reused, params: 0, residuals: 0 }).toEqual({ ...fresh, params: 0, residuals: 0 });
      expect(fresh.reason).not.toBe('nonFinite');
    }
  });
});
