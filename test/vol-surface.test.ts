// [surface] VolSurface: the documented interpolation / extrapolation rules against an independent
// re-implementation written here from the rules (not from the kernel), on both backends; the twins
// bit for bit; JSON round trip bit for bit; input errors naming their fields; per-point statuses.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { BACKENDS, engineFor, expectInputError, propertySeed } from './backends.js';
import { createEngine, InputError, Status, VolSurface, type VolSurfaceSlice } from '../src/index.js';
import { surfaceLogForward, surfaceValueAt } from '../src/kernels/surface/vol-surface.js';
import { log as logShared } from '../src/kernels/math/elementary.js';

const EPS = 2 ** -52;

/** Three SVI slices with forwards, calendar-ordered on [-1.5, 1.5] (checked by the surface itself below). */
const SLICES = [
  { expiry: 0.1, forward: 100.3, params: { a: 0.004, b: 0.08, rho: -0.4, m: 0.02, sigma: 0.15 } },
  { expiry: 0.5, forward: 101.1, params: { a: 0.02, b: 0.1, rho: -0.3, m: 0, sigma: 0.2 } },
  { expiry: 2, forward: 104, params: { a: 0.07, b: 0.12, rho: -0.25, m: -0.05, sigma: 0.3 } },
];

/** Raw SVI total variance, written out here. */
function sviW(p: { a: number; b: number; rho: number; m: number; sigma: number }, k: number): number {
  return p.a + p.b * (p.rho * (k - p.m) + Math.hypot(k - p.m, p.sigma));
}

/** The documented time rules: linear in T between slices, T/T1 scaling before, constant vol or last slope after. */
function refW(k: number, T: number, extrapolation: 'constantVol' | 'flatForwardVariance' = 'constantVol'): number {
  const s = SLICES;
  if (T <= s[0].expiry) return (T / s[0].expiry) * sviW(s[0].params, k);
  const n = s.length;
  if (T > s[n - 1].expiry) {
    const wn = sviW(s[n - 1].params, k);
    if (extrapolation === 'constantVol') return (T / s[n - 1].expiry) * wn;
    const wp = sviW(s[n - 2].params, k);
    return wn + ((T - s[n - 1].expiry) * (wn - wp)) / (s[n - 1].expiry - s[n - 2].expiry);
  }
  let i = 0;
  while (s[i + 1].expiry < T) i++;
  const x = (T - s[i].expiry) / (s[i + 1].expiry - s[i].expiry);
  return (1 - x) * sviW(s[i].params, k) + x * sviW(s[i + 1].params, k);
}

/** ln F linear in T through the slices' forwards, end segments extended. */
function refForward(T: number): number {
  const s = SLICES;
  let j = 1;
  while (j < s.length - 1 && s[j].expiry < T) j++;
  const a = s[j - 1], b = s[j];
  return Math.exp(Math.log(a.forward) + ((T - a.expiry) / (b.expiry - a.expiry)) * (Math.log(b.forward) - Math.log(a.forward)));
}

function points(): { k: number[]; T: number[] } {
  const k: number[] = [], T: number[] = [];
  for (const t of [0.02, 0.1, 0.3, 0.5, 1.2, 2, 3.5]) for (let i = 0; i <= 20; i++) {
    k.push(-1 + i * 0.1);
    T.push(t);
  }
  return { k, T };
}

describe.each(BACKENDS)('VolSurface on %s', (backend) => {
  it('vol and total variance follow the documented rules (independent re-implementation, both extrapolations)', async () => {
    const engine = await engineFor(backend);
    const { k, T } = points();
    for (const extrapolation of ['constantVol', 'flatForwardVariance'] as const) {
      const s = engine.volSurface(SLICES, { extrapolation });
      const { totalVariances, status } = s.totalVariance({ moneyness: k, expiries: T });
      const { vols } = s.vol({ moneyness: k, expiries: T });
      for (let i = 0; i < k.length; i++) {
        const w = refW(k[i], T[i], extrapolation);
        expect(status[i]).toBe(Status.ok);
        // Two roundings per slice evaluation and a few in the interpolation: 1e-14 relative is ~50 ulps of slack.
        expect(Math.abs(totalVariances[i] - w)).toBeLessThanOrEqual(1e-14 * w);
        expect(Math.abs(vols[i] - Math.sqrt(w / T[i]))).toBeLessThanOrEqual(1e-14 * vols[i]);
      }
    }
  });

  it('at a slice expiry the surface is that slice exactly (to an ulp or two)', async () => {
    const engine = await engineFor(backend);
    const s = engine.volSurface(SLICES);
    for (const slice of SLICES) {
      const k = [-0.8, -0.2, 0, 0.3, 0.9];
      const { totalVariances } = s.totalVariance({ moneyness: k, expiries: [slice.expiry] });
      k.forEach((x, i) => expect(Math.abs(totalVariances[i] - sviW(slice.params, x))).toBeLessThanOrEqual(4 * EPS * totalVariances[i]));
    }
  });

  it('strikes are ln(K / F(T)) with F log-linear in T; forward() hits the slice forwards exactly', async () => {
    const engine = await engineFor(backend);
    const s = engine.volSurface(SLICES);
    const T = [0.05, 0.1, 0.3, 0.5, 1, 2, 3];
    const F = s.forward(T);
    T.forEach((t, i) => expect(Math.abs(F[i] - refForward(t))).toBeLessThanOrEqual(1e-13 * F[i]));
    expect(Array.from(s.forward(SLICES.map((x) => x.expiry)))).toEqual(SLICES.map((x) => x.forward));
    const k = T.map((_, i) => -0.3 + 0.1 * i);
    const byK = s.vol({ moneyness: k, expiries: T }).vols;
    const byStrike = s.vol({ strikes: k.map((x, i) => refForward(T[i]) * Math.exp(x)), expiries: T }).vols;
    // ln(F e^k) - ln F recovers k to a few ulps of ln F (~4.6): 1e-14 absolute in k, times dvol/dk < 1.
    byK.forEach((v, i) => expect(Math.abs(byStrike[i] - v)).toBeLessThanOrEqual(1e-13));
  });

  it('a spot anchors the forward curve at T = 0 (with rate and dividend yield giving slice forwards)', async () => {
    const engine = await engineFor(backend);
    const s = engine.volSurface(SLICES.map(({ expiry, params }) => ({ expiry, params })), { spot: 100, rate: 0.03, dividendYield: 0.01 });
    expect(s.forward([0])[0]).toBe(100);
    const F = s.forward([0.05, 0.1, 1]);
    for (const [i, t] of [0.05, 0.1, 1].entries()) expect(Math.abs(F[i] - 100 * Math.exp(0.02 * t))).toBeLessThanOrEqual(1e-13 * F[i]);
  });

  it('a broadcast expiry equals the same expiry per point; chunked runs equal one-chunk runs bit for bit', async () => {
    const engine = await engineFor(backend);
    const small = await createEngine({ backend, chunkSize: 7 });
    const s = engine.volSurface(SLICES);
    const k = Array.from({ length: 50 }, (_, i) => -1 + i * 0.04);
    const a = s.localVol({ moneyness: k, expiries: [0.7] });
    const b = s.localVol({ moneyness: k, expiries: k.map(() => 0.7) });
    const c = s.withEngine(small).localVol({ moneyness: k, expiries: 0.7 });
    expect(a).toEqual(b);
    expect(c).toEqual(a);
  });

  it('a bad point gets NaN and invalidInput; the rest of the batch is unaffected', async () => {
    const engine = await engineFor(backend);
    const s = engine.volSurface(SLICES);
    const r = s.vol({ strikes: [100, NaN, -1, 0, 100, 100, Infinity], expiries: [0.5, 0.5, 0.5, 0.5, 0, -1, 0.5] });
    expect(Array.from(r.status)).toEqual([Status.ok, ...Array(6).fill(Status.invalidInput)]);
    expect(r.vols[0]).toBeGreaterThan(0);
    for (let i = 1; i < 7; i++) expect(r.vols[i]).toBeNaN();
  });

  it('total variance <= 0 gets NaN and status arbitrage (not a number)', async () => {
    const engine = await engineFor(backend);
    // a < 0: w(k) < 0 near k = m (w(m) = a + b sigma = -0.01).
    const s = engine.volSurface([{ expiry: 1, forward: 100, params: { a: -0.02, b: 0.1, rho: 0, m: 0, sigma: 0.1 } }]);
    const r = s.vol({ moneyness: [0, 2], expiries: 1 });
    expect(r.status[0]).toBe(Status.arbitrage);
    expect(r.vols[0]).toBeNaN();
    expect(r.status[1]).toBe(Status.ok);
  });

  it('the calendar check reports crossing slices (never repaired)', async () => {
    const engine = await engineFor(backend);
    const crossing = [
      { expiry: 0.5, forward: 100, params: { a: 0.02, b: 0.2, rho: 0, m: 0, sigma: 0.1 } },
      { expiry: 1, forward: 100, params: { a: 0.04, b: 0.05, rho: 0, m: 0, sigma: 0.1 } },
    ];
    const s = engine.volSurface(crossing);
    expect(s.calendar.arbitrageFree).toBe(false);
    const worst = s.calendar.worst!;
    expect(worst.wLong).toBeLessThan(worst.wShort);
    // Independent: the slices cross where 0.02 + 0.2 q = 0.04 + 0.05 q, q = sqrt(k^2 + 0.01) = 2/15.
    const kCross = Math.sqrt((2 / 15) ** 2 - 0.01);
    expect(Math.abs(worst.k)).toBeGreaterThan(kCross);
    expect(engine.volSurface(SLICES).calendar).toMatchObject({ arbitrageFree: true, violations: 0, worst: null, checkedPoints: 2 * 301 });
  });

  it('toJSON / fromJSON round trip: same JSON, same bits, on the same and on the other backend', async () => {
    const engine = await engineFor(backend);
    const s = engine.volSurface(SLICES, { underlying: 'BTC', valuationTime: Date.UTC(2026, 7, 22, 8), extrapolation: 'flatForwardVariance', spot: 100 });
    const text = JSON.stringify(s);
    const back = VolSurface.fromJSON(JSON.parse(text), engine);
    expect(back.toJSON()).toEqual(s.toJSON());
    expect(JSON.stringify(back)).toBe(text);
    expect(VolSurface.fromJSON(text, engine).toJSON()).toEqual(s.toJSON());
    expect(back.underlying).toBe('BTC');
    expect(back.valuationTime).toBe(Date.UTC(2026, 7, 22, 8));
    const { k, T } = points();
    const other = await engineFor(backend === 'wasm' ? 'js' : 'wasm');
    for (const m of ['vol', 'totalVariance', 'localVol'] as const) {
      const a = s[m]({ moneyness: k, expiries: T }), b = back[m]({ moneyness: k, expiries: T });
      const c = engine.volSurface(JSON.parse(text)).withEngine(other)[m]({ moneyness: k, expiries: T });
      expect(b).toEqual(a);
      expect(c).toEqual(a);
    }
  });
});

describe('VolSurface: WASM and JS twins bit for bit', () => {
  it('every output, strikes and moneyness, random points including edges', async () => {
    const w = await engineFor('wasm'), j = await engineFor('js');
    const sw = w.volSurface(SLICES, { spot: 100 }), sj = j.volSurface(SLICES, { spot: 100 });
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const n = 5001;
    const k = Float64Array.from({ length: n }, () => -3 + 6 * rnd());
    const K = k.map((x) => 100 * Math.exp(x));
    const T = Float64Array.from({ length: n }, () => 4 * rnd() ** 2);
    k[7] = NaN;
    T[8] = 0;
    K[9] = -1;
    for (const m of ['vol', 'totalVariance', 'localVol'] as const) {
      expect(sw[m]({ moneyness: k, expiries: T })).toEqual(sj[m]({ moneyness: k, expiries: T }));
      expect(sw[m]({ strikes: K, expiries: T })).toEqual(sj[m]({ strikes: K, expiries: T }));
    }
  });
});

describe('VolSurface: malformed calls throw InputError naming the field', () => {
  it('points', async () => {
    const s = (await engineFor('js')).volSurface(SLICES);
    expectInputError(() => s.vol({ strikes: [100], moneyness: [0], expiries: [1] }), 'args.moneyness');
    expectInputError(() => s.vol({ expiries: [1] }), 'args.strikes');
    expectInputError(() => s.vol({ strikes: [100, 101], expiries: [1, 2, 3] }), 'args.expiries.length');
    expectInputError(() => s.vol({ strikes: [100, '101' as unknown as number], expiries: 1 }), 'args.strikes[1]');
    const e = expectInputError(() => s.vol({ strike: [100], expiries: 1 } as never), 'args.strike');
    expect(e.suggestion).toBe('strikes');
    expectInputError(() => VolSurface.fromJSON(s.toJSON()).vol({ moneyness: [0], expiries: 1 }), 'engine');
  });

  it('building', async () => {
    const engine = await engineFor('js');
    expectInputError(() => engine.volSurface(SLICES.map(({ expiry, params }) => ({ expiry, params }))), 'options.forwards');
    expectInputError(() => engine.volSurface([SLICES[1], SLICES[0]]), 'slices[1].expiry');
    expectInputError(() => engine.volSurface([{ ...SLICES[0], params: { ...SLICES[0].params, sigma: 0 } }]), 'slices[0].sigma');
    expectInputError(() => engine.volSurface([{ ...SLICES[0], params: { ...SLICES[0].params, rho: 1 } }]), 'slices[0].rho');
    expectInputError(() => engine.volSurface([{ ...SLICES[0], params: { ...SLICES[0].params, b: NaN } }]), 'fit[0].params.b');
    expectInputError(() => engine.volSurface(SLICES, { extrapolation: 'flat' as never }), 'options.extrapolation');
    expectInputError(() => engine.volSurface(SLICES, { extrapolaton: 'constantVol' } as never), 'options.extrapolaton');
    expectInputError(() => engine.volSurface({} as never), 'fit');
    expectInputError(() => engine.volSurface(SLICES, { calendarGrid: { points: 1 } }), 'options.calendarGrid.points');
  });

  it('fromJSON names the field', async () => {
    const s = (await engineFor('js')).volSurface(SLICES);
    const j = () => JSON.parse(JSON.stringify(s)) as Record<string, unknown> & { slices: VolSurfaceSlice[] };
    const bad = (f: (x: ReturnType<typeof j>) => void, path: string) => {
      const x = j();
      f(x);
      expectInputError(() => VolSurface.fromJSON(x), path);
    };
    bad((x) => (x.kind = 'other'), 'json.kind');
    bad((x) => (x.version = 2), 'json.version');
    bad((x) => (x.slices[2].sigma = -1), 'json.slices[2].sigma');
    bad((x) => (x.slices[1].forward = 0), 'json.slices[1].forward');
    bad((x) => (x.slices[1].expiry = 0.05), 'json.slices[1].expiry');
    bad((x) => ((x.slices[0] as unknown as Record<string, number>).sigmaa = 1), 'json.slices[0].sigmaa');
    bad((x) => (x.extra = 1), 'json.extra');
    bad((x) => (x.slices = []), 'json.slices.length');
    expectInputError(() => VolSurface.fromJSON('{not json'), 'json');
    expect(() => VolSurface.fromJSON(null)).toThrow(InputError);
  });

  it('nothing the caller passed is mutated', async () => {
    const engine = await engineFor('wasm');
    const fits = JSON.parse(JSON.stringify(SLICES));
    const s = engine.volSurface(fits, { forwards: [1, 2, 3] });
    expect(fits).toEqual(SLICES);
    const k = Float64Array.of(-0.1, 0, 0.1), T = [0.3, 0.3, 0.3];
    s.localVol({ moneyness: k, expiries: T });
    expect(Array.from(k)).toEqual([-0.1, 0, 0.1]);
    expect(T).toEqual([0.3, 0.3, 0.3]);
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.slices[0])).toBe(true);
  });
});

describe.each(BACKENDS)('VolSurface properties on %s (fast-check, seed printed)', (backend) => {
  it('ordered slices give total variance nondecreasing in T at every k, both extrapolations', async () => {
    const engine = await engineFor(backend);
    const seed = propertySeed(`vol-surface calendar monotone ${backend}`);
    fc.assert(fc.property(
      fc.array(fc.double({ min: 0, max: 0.05, noNaN: true }), { minLength: 1, maxLength: 5 }),
      fc.record({ b: fc.double({ min: 0, max: 0.5, noNaN: true }), rho: fc.double({ min: -0.9, max: 0.9, noNaN: true }), m: fc.double({ min: -0.3, max: 0.3, noNaN: true }), sigma: fc.double({ min: 0.01, max: 1, noNaN: true }) }),
      fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: 1e-3, max: 5, noNaN: true }), fc.double({ min: 1e-3, max: 5, noNaN: true }),
      (increments, shape, k, t1, t2) => {
        // Slices that differ only in a (a nondecreasing): w_{i+1}(k) - w_i(k) = a_{i+1} - a_i >= 0 at every k.
        let a = 0.01;
        const slices = increments.map((d, i) => ({ expiry: 0.1 * (i + 1) ** 2, forward: 100, params: { ...shape, a: (a += d) } }));
        const [lo, hi] = t1 <= t2 ? [t1, t2] : [t2, t1];
        for (const extrapolation of ['constantVol', 'flatForwardVariance'] as const) {
          const w = engine.volSurface(slices, { extrapolation }).totalVariance({ moneyness: [k, k], expiries: [lo, hi] });
          if (w.status[0] === Status.ok && w.status[1] === Status.ok) expect(w.totalVariances[1]).toBeGreaterThanOrEqual(w.totalVariances[0]);
          expect(engine.volSurface(slices).calendar.arbitrageFree).toBe(true);
        }
      },
    ), { seed, numRuns: 200 });
  });

  it('scaling strikes and forwards by the same factor leaves vols unchanged (sticky moneyness)', async () => {
    const engine = await engineFor(backend);
    const seed = propertySeed(`vol-surface scale invariance ${backend}`);
    fc.assert(fc.property(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: -1.5, max: 1.5, noNaN: true }), fc.double({ min: 0.01, max: 3, noNaN: true }), (c, k, T) => {
      const scaled = engine.volSurface(SLICES.map((s) => ({ ...s, forward: s.forward * c })));
      const base = engine.volSurface(SLICES);
      const K = base.forward([T])[0] * Math.exp(k);
      const v0 = base.vol({ strikes: [K], expiries: [T] }).vols[0], v1 = scaled.vol({ strikes: [K * c], expiries: [T] }).vols[0];
      // k differs by rounding in ln(c K) - ln(c F): a few ulps of |ln(c K)| <= 15, times |dvol/dk| < 1.
      expect(Math.abs(v1 - v0)).toBeLessThanOrEqual(1e-13);
    }), { seed, numRuns: 200 });
  });
});

describe('VolSurface.kernelData and the per-point twin function (for kernels that walk a surface)', () => {
  it('surfaceValueAt / surfaceLogForward over kernelData() give the batch results bit for bit', async () => {
    const s = (await engineFor('wasm')).volSurface(SLICES, { spot: 100, extrapolation: 'flatForwardVariance' });
    const d = s.kernelData();
    expect(d.nSlices).toBe(3);
    expect(d.nForwards).toBe(4);
    expect(d.extrapolation).toBe(1);
    const { k, T } = points();
    const K = k.map((x, i) => 100 * Math.exp(x + 0.01 * T[i]));
    for (const [output, m] of [[0, 'vol'], [1, 'totalVariance'], [2, 'localVol']] as const) {
      const batch = Object.values(s[m]({ strikes: K, expiries: T }))[0] as Float64Array;
      K.forEach((x, i) => {
        const kk = logShared(x) - surfaceLogForward(d.forwards, 0, d.nForwards, T[i]);
        expect(Object.is(surfaceValueAt(d.slices, 0, d.nSlices, kk, T[i], output, d.extrapolation), batch[i])).toBe(true);
      });
    }
  });
});
