/**
 * fitSvi({ calendar: 'penalty' }): slices fitted in expiry order, each bounded below by the previous
 * one through penalty residuals on the pair's calendar grid (issue 14: independent SVI fits of the
 * SPX sample cross between AM/PM neighbours hours apart).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError, loadChain, type Engine } from '../src/index.js';
import type { Surface } from '../src/calibration/surface.js';
import { BACKENDS, engineFor } from './backends.js';
import spx from '../data/market/spx_quotedata_20230820.csv?raw';

interface Svi { a: number; b: number; rho: number; m: number; sigma: number }
/** Raw SVI total variance, written out here (not the library's). */
const sviW = (p: Svi, k: number) => p.a + p.b * (p.rho * (k - p.m) + Math.sqrt((k - p.m) ** 2 + p.sigma ** 2));

/** The quotes of every expiry with at least 10 quotes (as test/surface-acceptance.test.ts), in one call's columns. */
function spxArgs(s: Surface) {
  const keep = new Set(s.expiries.filter((e) => e.quotes >= 10).map((e) => e.expiry));
  const idx: number[] = [];
  for (let i = 0; i < s.kept; i++) if (keep.has(s.quotes.expiries[i])) idx.push(i);
  const pick = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]);
  const strikes = pick(s.quotes.strikes), forwards = pick(s.forwards), expiries = pick(s.quotes.expiries);
  // Quoted log-moneyness span per expiry, for the independent check.
  const spans = new Map<number, [number, number]>();
  idx.forEach((i, r) => {
    const k = Math.log(strikes[r] / forwards[r]), sp = spans.get(expiries[r]) ?? [Infinity, -Infinity];
    spans.set(expiries[r], [Math.min(sp[0], k), Math.max(sp[1], k)]);
  });
  return {
    args: { forwards, quotes: { strikes, expiries, vols: pick(s.quotes.vols), bids: pick(s.quotes.bids), asks: pick(s.quotes.asks), weights: pick(s.quotes.weights) } },
    spans: [...spans.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]),
  };
}

/**
 * Crossing points of consecutive slices on a grid over the k range every expiry quotes, by the SVI
 * formula written out here; 1e-9 relative: far above the rounding of two evaluations, far below a
 * real crossing (the ones found measure 1e-2).
 */
function crossings(params: Svi[], spans: [number, number][], points = 401) {
  const kMin = Math.max(...spans.map((s) => s[0])), kMax = Math.min(...spans.map((s) => s[1]));
  const bad: { pair: number; k: number; rel: number }[] = [];
  for (let j = 1; j < params.length; j++) {
    for (let g = 0; g < points; g++) {
      const k = kMin + ((kMax - kMin) * g) / (points - 1);
      const w0 = sviW(params[j - 1], k), w1 = sviW(params[j], k);
      if (!(w1 >= w0 * (1 - 1e-9))) bad.push({ pair: j - 1, k, rel: (w0 - w1) / w0 });
    }
  }
  return bad;
}

describe.each(BACKENDS)('fitSvi calendar: penalty (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('SPX sample: the constrained surface is calendar-free (calendarCheck and an independent check), rmse within 1.05x of the independent fit', () => {
    const surface = engine.buildSurface(loadChain(spx, { format: 'cboe' }), { minExpiry: 2 / 365 });
    const { args, spans } = spxArgs(surface);
    // The calendar grid over the k range every expiry quotes (as the acceptance test): the wings of
    // the wider default grid are extrapolation for a short expiry, not a market to keep.
    const calendarGrid = { kMin: Math.max(...spans.map((s) => s[0])), kMax: Math.min(...spans.map((s) => s[1])), points: 301 };
    const free = engine.fitSvi({ ...args, calendarGrid });
    const tied = engine.fitSvi({ ...args, calendarGrid, calendar: 'penalty' });
    const before = crossings(free.params, spans), after = crossings(tied.params, spans);
    console.log(`${backend} SPX ${free.params.length} slices: independent rmse ${free.rmse.toFixed(5)} calendar violations ${free.calendar.violations.length} `
      + `(independent check ${before.length}, worst ${(100 * Math.max(0, ...before.map((b) => b.rel))).toFixed(2)}% of w); `
      + `penalty rmse ${tied.rmse.toFixed(5)} violations ${tied.calendar.violations.length} (independent check ${after.length})`);
    // The known failure this fixes (else the test proves nothing).
    expect(free.calendar.arbitrageFree).toBe(false);
    expect(before.length).toBeGreaterThan(0);
    expect(tied.calendar.arbitrageFree).toBe(true);
    expect(tied.calendar.checkedPoints).toBe(free.calendar.checkedPoints);
    expect(tied.quality.flags).not.toContain('calendarArbitrage');
    expect(after).toEqual([]);
    // Only the crossing slices move, by a fraction of their own error (measured 1.0006x on both
    // backends): 1.05x leaves room for either backend's rounding without hiding a real distortion.
    expect(tied.rmse).toBeLessThanOrEqual(1.05 * free.rmse);
    // Slices that were not below their (unchanged) predecessor keep their independent fit exactly.
    expect(tied.params[0]).toEqual(free.params[0]);
  });

  it('a synthetic pair of crossing slices is uncrossed; the default fit is unchanged and keeps the crossing', () => {
    // Two expiries whose vols make the longer one's total variance lower on the put wing: w_long -
    // w_short = 0.0005 + 0.006 k below k = 0 (about 0.0005 + 0.006 k, negative for k < -0.083).
    const short = { a: 0.004, b: 0.06, rho: -0.7, m: 0, sigma: 0.1 }, long = { a: 0.0045, b: 0.06, rho: -0.6, m: 0, sigma: 0.1 };
    const T0 = 0.1, T1 = 0.12;
    const ks = Array.from({ length: 21 }, (_, i) => -0.4 + 0.04 * i);
    const strikes: number[] = [], expiries: number[] = [], vols: number[] = [];
    for (const [T, p] of [[T0, short], [T1, long]] as const) for (const k of ks) {
      strikes.push(100 * Math.exp(k));
      expiries.push(T);
      vols.push(Math.sqrt(sviW(p, k) / T));
    }
    const args = { spot: 100, rate: 0, quotes: { strikes, expiries, vols } };
    const free = engine.fitSvi(args);
    expect(engine.fitSvi({ ...args, calendar: 'independent' })).toEqual({ ...free, elapsedMs: expect.any(Number), slices: free.slices.map((s) => ({ ...s, elapsedMs: expect.any(Number) })) });
    const tied = engine.fitSvi({ ...args, calendar: 'penalty' });
    const span: [number, number] = [-0.4, 0.4];
    expect(crossings(free.params, [span, span]).length).toBeGreaterThan(0);
    expect(free.quality.flags).toContain('calendarArbitrage');
    expect(tied.calendar.arbitrageFree).toBe(true);
    expect(crossings(tied.params, [span, span])).toEqual([]);
    expect(tied.quality.flags).not.toContain('calendarArbitrage');
    expect(tied.params[0]).toEqual(free.params[0]);
    // A penalty that cannot move the slice (every parameter fixed at a crossing start) leaves the
    // crossing flagged, never hidden.
    const stuck = engine.fitSvi({ ...args, calendar: 'penalty', initial: [short, long], fixed: ['a', 'b', 'rho', 'm', 'sigma'] });
    expect(stuck.calendar.arbitrageFree).toBe(false);
    expect(stuck.quality.ok).toBe(false);
    expect(stuck.quality.flags).toContain('calendarArbitrage');
  });

  it('a warm start with the penalty takes the general path and stays calendar-free; the lean warm refit is unchanged', () => {
    const short = { a: 0.004, b: 0.06, rho: -0.7, m: 0, sigma: 0.1 }, long = { a: 0.0045, b: 0.06, rho: -0.6, m: 0, sigma: 0.1 };
    const ks = Array.from({ length: 21 }, (_, i) => -0.4 + 0.04 * i);
    const strikes: number[] = [], expiries: number[] = [], vols: number[] = [];
    for (const [T, p] of [[0.1, short], [0.12, long]] as const) for (const k of ks) {
      strikes.push(100 * Math.exp(k));
      expiries.push(T);
      vols.push(Math.sqrt(sviW(p, k) / T));
    }
    const args = { spot: 100, rate: 0, quotes: { strikes, expiries, vols } };
    const tied = engine.fitSvi({ ...args, calendar: 'penalty' });
    const warmTied = engine.fitSvi({ ...args, calendar: 'penalty', warmStart: tied });
    expect(warmTied.calendar.arbitrageFree).toBe(true);
    expect(crossings(warmTied.params, [[-0.4, 0.4], [-0.4, 0.4]])).toEqual([]);
    // The lean warm path (default calendar) still refits the crossing data as the cold independent fit does.
    const free = engine.fitSvi(args);
    const warmFree = engine.fitSvi({ ...args, warmStart: free });
    expect(warmFree.calendar.arbitrageFree).toBe(false);
    for (let j = 0; j < 2; j++) for (const name of ['a', 'b', 'rho', 'm', 'sigma'] as const) {
      // A refit from its own optimum on exact data: stays within LM's tolerance of it.
      expect(warmFree.params[j][name]).toBeCloseTo(free.params[j][name], 6);
    }
  });

  it('a bad calendar value or a misspelled key is an InputError naming the field', () => {
    const args = { spot: 100, rate: 0, quotes: { strikes: [90, 100, 110, 120, 80, 95], expiries: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], vols: [0.25, 0.2, 0.18, 0.19, 0.3, 0.22] } };
    expect(() => engine.fitSvi({ ...args, calendar: 'penalt' as never })).toThrow(InputError);
    expect(() => engine.fitSvi({ ...args, calendar: 'penalt' as never })).toThrow(/calendar.*'penalty'/s);
    expect(() => engine.fitSvi({ ...args, calender: 'penalty' } as never)).toThrow(/calendar/);
  });
});
