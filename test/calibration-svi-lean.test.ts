import { describe, expect, it } from 'vitest';
import type { CalibrateSabrArgs, CalibrateSabrResult, Engine, FitSviArgs, FitSviResult } from '../src/index.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { leanSliceFitCount } from '../src/calibration/svi.js';

// The lean path of a cold fitSvi (issue 13, facade cost): a fit from one start (no extraStarts, no
// global stage) with the vol objective, the linear loss and the analytic Jacobian runs LM on
// buffers reused per engine instead of through the general calibration loop, as the warm refit
// already did (test/calibration-warm-lean.test.ts). Its reference is the general loop itself,
// reached with the same call plus an `onEvaluate` hook (a hook observes, it changes no number):
// the two must agree bit for bit, every field but the elapsed times. Then the WASM and JS fits of
// the same calls are pinned equal.

const F = 100;
const NAMES = ['a', 'b', 'rho', 'm', 'sigma'] as const;
type P = { a: number; b: number; rho: number; m: number; sigma: number };
const sviW = (p: P, k: number) => p.a + p.b * (p.rho * (k - p.m) + Math.sqrt((k - p.m) ** 2 + p.sigma ** 2));
const strikesOver = (n: number, lo: number, hi: number) => Array.from({ length: n }, (_, i) => F * Math.exp(lo + ((hi - lo) * i) / (n - 1)));
const smile = (p: P, t: number, strikes: number[], wiggle = 0) => strikes.map((K, i) => Math.sqrt(sviW(p, Math.log(K / F)) / t) + wiggle * Math.sin(1.7 * i));

/** A result without its wall-clock fields (the only ones allowed to differ). */
function timeless(r: FitSviResult): unknown {
  return { ...r, elapsedMs: 0, slices: r.slices.map((s) => ({ ...s, elapsedMs: 0 })) };
}

const TRUE: P = { a: 0.02, b: 0.15, rho: -0.4, m: 0.05, sigma: 0.2 };
const T = 0.5;
// bench/calibration.mjs's slice: 25 strikes over k = -0.6..+0.6.
const strikes = strikesOver(25, -0.6, 0.6);
const exact = smile(TRUE, T, strikes);
const vols = smile(TRUE, T, strikes, 0.002);
const nanVols = vols.slice();
nanVols[4] = NaN;
const weights = strikes.map((_, i) => (i === 2 ? 0 : 1 + 0.1 * i));
const steep: P = { a: -0.3, b: 1.9, rho: 0.6, m: 0, sigma: 0.3 };
const s11 = strikesOver(11, -0.4, 0.4);

/** Every cold call the lean path takes, with what each exercises. */
const CASES: [string, FitSviArgs][] = [
  ['standard start (bench)', { forwards: F, quotes: { strikes, expiries: T, vols: exact }, initial: { a: 0.01, b: 0.1, rho: 0, m: 0, sigma: 0.1 } }],
  ['far start (bench)', { forwards: F, quotes: { strikes, expiries: T, vols: exact }, initial: { a: 0.1, b: 0.5, rho: 0.5, m: -0.3, sigma: 0.8 } }],
  ['heuristic start, exact smile', { forwards: F, quotes: { strikes, expiries: T, vols: exact } }],
  ['heuristic start, wiggled smile', { forwards: F, quotes: { strikes, expiries: T, vols } }],
  ['wide bound tolerance (parameters near a bound flagged)', { forwards: F, quotes: { strikes, expiries: T, vols }, quality: { boundTolerance: 0.3 } }],
  ["Lee's cap (stage 2 refit)", { forwards: F, quotes: { strikes, expiries: 1, vols: smile(steep, 1, strikes, 0.001) } }],
  ['m fixed', { forwards: F, quotes: { strikes, expiries: T, vols }, fixed: ['m'] }],
  ['b and sigma fixed', { forwards: F, quotes: { strikes, expiries: T, vols }, fixed: ['b', 'sigma'], initial: { a: 0.01, b: 0.12, rho: 0, m: 0, sigma: 0.25 } }],
  ['rho bounded (ends at the bound)', { forwards: F, quotes: { strikes, expiries: T, vols }, bounds: { upper: { rho: -0.45 } } }],
  ['weights, one 0', { forwards: F, quotes: { strikes, expiries: T, vols, weights } }],
  ['a NaN quote', { forwards: F, quotes: { strikes, expiries: T, vols: nanVols } }],
  ['maxIterations 1', { forwards: F, quotes: { strikes, expiries: T, vols }, maxIterations: 1 }],
  ['tolerance 1e-6, maxRmse', { forwards: F, quotes: { strikes, expiries: T, vols }, tolerance: 1e-6, quality: { maxRmse: 0.01 } }],
  ['bids and asks, own grid', { forwards: F, quotes: { strikes, expiries: T, vols, bids: vols.map((v) => v - 0.001), asks: vols.map((v) => v + 0.001) }, arbitrageGrid: { kMin: -1, kMax: 1, points: 51 } }],
  ['spot, rate and dividend yield', { spot: 100, rate: 0.03, dividendYield: 0.01, quotes: { strikes, expiries: T, vols } }],
  ['two slices of different sizes, per-slice starts', {
    forwards: F, quotes: { strikes: [...strikes, ...s11], expiries: [...strikes.map(() => T), ...s11.map(() => 1)], vols: [...vols, ...smile(TRUE, 1, s11, 0.001)] },
    initial: [{ a: 0.01, b: 0.1, rho: 0, m: 0, sigma: 0.1 }, { a: 0.02, b: 0.1, rho: -0.2, m: 0, sigma: 0.2 }],
  }],
];

const s3 = strikesOver(3, -0.2, 0.2), s200 = strikesOver(200, -0.8, 0.8);
/** Degenerate calls, on the lean path too (not pinned across backends: see the describe below). */
const DEGENERATE: [string, FitSviArgs][] = [
  ['every parameter fixed', { forwards: F, quotes: { strikes, expiries: T, vols }, fixed: ['a', 'b', 'rho', 'm', 'sigma'] }],
  ['maxIterations 0', { forwards: F, quotes: { strikes, expiries: T, vols }, maxIterations: 0 }],
  ['every weight 0', { forwards: F, quotes: { strikes, expiries: T, vols, weights: strikes.map(() => 0) } }],
  ['one quote', { forwards: F, quotes: { strikes: [100], expiries: T, vols: [0.2] } }],
  ['three quotes', { forwards: F, quotes: { strikes: s3, expiries: T, vols: smile(TRUE, T, s3) } }],
  ['200 quotes', { forwards: F, quotes: { strikes: s200, expiries: T, vols: smile(TRUE, T, s200, 0.002) } }],
  ['prices given (vols implied first), inconsistent', { forwards: F, quotes: { strikes, expiries: T, prices: strikes.map((K) => Math.max(F - K, 0) + 2) } }],
  ['negative total variance at the start', { forwards: F, quotes: { strikes, expiries: T, vols }, initial: { a: -0.5, b: 0.1, rho: 0, m: 0, sigma: 0.1 } }],
];

describe.each(BACKENDS)('fitSvi cold fit, lean path (%s)', (backend) => {
  it('equals the general calibration loop bit for bit on every case (every field but elapsedMs)', async () => {
    const engine = await engineFor(backend);
    for (const [name, args] of [...CASES, ...DEGENERATE]) {
      const before = leanSliceFitCount();
      const general = engine.fitSvi({ ...args, onEvaluate: () => undefined });
      const between = leanSliceFitCount();
      const lean = engine.fitSvi(args);
      // The comparison means something only if the hook kept the general loop and its absence took the lean path.
      expect(between, name).toBe(before);
      if (CASES.some(([n]) => n === name)) expect(leanSliceFitCount(), name).toBeGreaterThan(between);
      expect(timeless(lean), name).toEqual(timeless(general));
      // toEqual treats 0 and -0 alike: the parameters are also compared with Object.is.
      lean.params.forEach((p, s) => {
        for (const k of NAMES) expect(Object.is(p[k], general.params[s][k]), `${name}: slice ${s} ${k}`).toBe(true);
      });
    }
  });

  it('the cases are the ones they are meant to be: exact fits reach the smile, the cap and the bound are hit', async () => {
    const engine = await engineFor(backend);
    const fit = (name: string) => engine.fitSvi(CASES.find(([n]) => n === name)![1]);
    // Exact quotes from raw SVI: the fit recovers the parameters (the minimum is 0; LM stops on a
    // small step at relative cost 1e-10, so about 1e-6 of the parameters' scale).
    for (const name of ['standard start (bench)', 'far start (bench)', 'heuristic start, exact smile']) {
      const r = fit(name);
      for (const k of NAMES) expect(Math.abs(r.params[0][k] - TRUE[k]), `${name} ${k}`).toBeLessThan(1e-6);
      expect(r.rmse).toBeLessThan(1e-8);
    }
    expect(fit("Lee's cap (stage 2 refit)").slices[0].boundHits).toContainEqual(expect.objectContaining({ name: 'b', constraint: 'leeWing' }));
    expect(fit('rho bounded (ends at the bound)').atBounds).toContain('rho');
    expect(fit('maxIterations 1').reason).toBe('maxIterations');
    expect(fit('wide bound tolerance (parameters near a bound flagged)').atBounds.length).toBeGreaterThan(0); // the tolerance reaches the flags
    expect(fit('two slices of different sizes, per-slice starts').slices.map((s) => s.quotes)).toEqual([25, 11]);
  });

  it('keeps the calling contract: the general path\'s InputErrors, nothing passed mutated, results that own their arrays', async () => {
    const engine = await engineFor(backend);
    const args: FitSviArgs = { forwards: F, quotes: { strikes, expiries: T, vols } };
    // A box with lower > upper and a slice with no usable quote (a NaN heuristic start) are
    // refused by LM's option checks on the general path; the lean path hands them over to it.
    for (const withHook of [false, true]) {
      const hook = withHook ? { onEvaluate: () => undefined } : {};
      expectInputError(() => engine.fitSvi({ ...args, ...hook, bounds: { lower: { a: 0.5 }, upper: { a: 0.1 } } }), 'lower[0]');
      expectInputError(() => engine.fitSvi({ ...args, ...hook, quotes: { strikes, expiries: T, vols: vols.map(() => NaN) } }), 'starts[0][0]');
      expectInputError(() => engine.fitSvi({ ...args, ...hook, maxIterations: 1.5 }), 'maxIterations');
      expectInputError(() => engine.fitSvi({ ...args, ...hook, tolerance: -1 }), 'tolerance');
    }
    const before = vols.slice();
    const initial = { a: 0.01, b: 0.1, rho: 0, m: 0, sigma: 0.1 };
    const r1 = engine.fitSvi({ ...args, initial });
    expect(vols).toEqual(before);
    expect(initial).toEqual({ a: 0.01, b: 0.1, rho: 0, m: 0, sigma: 0.1 });
    const kept = { params: structuredClone(r1.params), residuals: r1.residuals.slice(), slice: r1.slices[0].residuals.slice() };
    engine.fitSvi({ ...args, quotes: { strikes, expiries: T, vols: nanVols } });
    expect(r1.params).toEqual(kept.params);
    expect(r1.residuals).toEqual(kept.residuals);
    expect(r1.slices[0].residuals).toEqual(kept.slice);
  });
});

describe.each(BACKENDS)('calibrateSabr, lean path (%s)', (backend) => {
  // calibrateSabr takes the same lean path for one start with the vol objective, the linear loss
  // and the analytic Jacobian; its reference is again the general loop, reached with a no-op hook.
  const sabrCases: [string, CalibrateSabrArgs][] = [
    ['default start', { forwards: F, quotes: { strikes, expiries: T, vols } }],
    ['beta 0.5, start given', { forwards: F, quotes: { strikes, expiries: T, vols }, beta: 0.5, initial: { alpha: 2, rho: -0.2, nu: 0.8 } }],
    ['rho fixed', { forwards: F, quotes: { strikes, expiries: T, vols }, fixed: ['rho'] }],
    ['nu bounded (ends at the bound)', { forwards: F, quotes: { strikes, expiries: T, vols }, bounds: { upper: { nu: 0.3 } } }],
    ['weights, one 0; a NaN quote', { forwards: F, quotes: { strikes, expiries: T, vols: nanVols, weights } }],
    ['maxIterations 1, tolerance 1e-6', { forwards: F, quotes: { strikes, expiries: T, vols }, maxIterations: 1, tolerance: 1e-6 }],
    ['two slices of different sizes', { forwards: F, quotes: { strikes: [...strikes, ...s11], expiries: [...strikes.map(() => T), ...s11.map(() => 1)], vols: [...vols, ...smile(TRUE, 1, s11, 0.001)] } }],
    ['wide bound tolerance (parameters near a bound flagged)', { forwards: F, quotes: { strikes, expiries: T, vols }, quality: { boundTolerance: 0.3 } }],
  ];
  const timelessSabr = (r: CalibrateSabrResult) => ({ ...r, elapsedMs: 0, slices: r.slices.map((x) => ({ ...x, elapsedMs: 0 })) });

  it('equals the general calibration loop bit for bit on every case (every field but elapsedMs)', async () => {
    const engine = await engineFor(backend);
    for (const [name, args] of sabrCases) {
      const before = leanSliceFitCount();
      const general = engine.calibrateSabr({ ...args, onEvaluate: () => undefined });
      const between = leanSliceFitCount();
      const lean = engine.calibrateSabr(args);
      expect(between, name).toBe(before);
      expect(leanSliceFitCount(), name).toBeGreaterThan(between);
      expect(timelessSabr(lean), name).toEqual(timelessSabr(general));
      lean.params.forEach((p, s) => {
        for (const k of ['alpha', 'rho', 'nu'] as const) expect(Object.is(p[k], general.params[s][k]), `${name}: slice ${s} ${k}`).toBe(true);
      });
    }
    expect(engine.calibrateSabr(sabrCases[3][1]).atBounds).toContain('nu');
    expect(engine.calibrateSabr(sabrCases[5][1]).reason).toBe('maxIterations');
    expect(engine.calibrateSabr(sabrCases[7][1]).atBounds.length).toBeGreaterThan(0); // the tolerance reaches the flags
  });

  it('keeps the general path\'s InputErrors (malformed bounds, lower > upper, bad maxIterations)', async () => {
    const engine = await engineFor(backend);
    const args: CalibrateSabrArgs = { forwards: F, quotes: { strikes, expiries: T, vols } };
    for (const hook of [{}, { onEvaluate: () => undefined }]) {
      expectInputError(() => engine.calibrateSabr({ ...args, ...hook, bounds: { lower: { nu: 'x' as never } } }), 'bounds.lower.nu');
      expectInputError(() => engine.calibrateSabr({ ...args, ...hook, bounds: { lower: { nu: 2 }, upper: { nu: 1 } } }), 'lower[2]');
      expectInputError(() => engine.calibrateSabr({ ...args, ...hook, maxIterations: -1 }), 'maxIterations');
    }
  });
});

describe('fitSvi, calibrateSabr, calibrateSsvi: WASM and JS twin fits agree', () => {
  // The SVI and SABR slice kernels agree to a few ulps between the twins (bit for bit for SVI, see
  // test/simd-heston-svi.test.ts), and the rest of a fit is the same TypeScript: the same LM path,
  // so the same iterations, end reason, flags and bound hits, and parameters within 1e-12 (a few
  // ulps of the kernel, carried through a handful of well-conditioned LM steps).
  const surface = (() => {
    const q = { strikes: [] as number[], expiries: [] as number[], vols: [] as number[] };
    for (const t of [0.1, 0.25, 0.5, 1, 2]) {
      const s = strikesOver(40, -0.6, 0.6);
      q.strikes.push(...s);
      q.expiries.push(...s.map(() => t));
      q.vols.push(...smile({ a: 0.08 * t, b: 0.1 + 0.02 * t, rho: -0.4, m: 0.05, sigma: 0.2 }, t, s, 0.001));
    }
    return q;
  })();
  const fits: [string, (e: Engine) => { params: unknown; iterations: number; reason: string; atBounds: string[]; quality: unknown; rmse: number }][] = [
    ...CASES.map(([name, args]): [string, (e: Engine) => FitSviResult] => [`SVI ${name}`, (e) => e.fitSvi(args)]),
    ['SVI 5-slice surface', (e) => e.fitSvi({ forwards: F, quotes: surface })],
    ['SVI warm refit', (e) => {
      const previous = e.fitSvi({ forwards: F, quotes: { strikes, expiries: T, vols } });
      const moved = vols.slice();
      moved[7] += 0.005;
      return e.fitSvi({ forwards: F, quotes: { strikes, expiries: T, vols: moved }, warmStart: previous });
    }],
    ['SABR slice', (e) => e.calibrateSabr({ forwards: F, quotes: { strikes, expiries: T, vols } })],
    ['SSVI surface', (e) => e.calibrateSsvi({ forwards: F, quotes: surface })],
  ];
  const numbers = (v: unknown): number[] => {
    if (typeof v === 'number') return [v];
    if (ArrayBuffer.isView(v)) return Array.from(v as Float64Array);
    if (Array.isArray(v)) return v.flatMap(numbers);
    if (v !== null && typeof v === 'object') return Object.values(v).flatMap(numbers);
    return [];
  };
  it.each(fits)('%s', async (_, fit) => {
    const [w, j] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    const rw = fit(w), rj = fit(j);
    expect(rw.iterations).toBe(rj.iterations);
    expect(rw.reason).toBe(rj.reason);
    expect(rw.atBounds).toEqual(rj.atBounds);
    expect(rw.quality).toEqual(rj.quality);
    const pw = numbers(rw.params), pj = numbers(rj.params);
    expect(pw.length).toBe(pj.length);
    expect(pw.length).toBeGreaterThan(0);
    pw.forEach((v, i) => expect(Math.abs(v - pj[i]), `param ${i}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(pj[i]))));
    expect(Math.abs(rw.rmse - rj.rmse)).toBeLessThanOrEqual(1e-10);
  });
});
