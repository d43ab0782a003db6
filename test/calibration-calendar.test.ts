// Issue 11 item 10: multi-expiry SVI reported `arbitrageFree: true` without any calendar check.
// The fits now compare total variance of consecutive slices at the same log forward-moneyness
// k = ln(K / F_T) on a grid and report it (`calendar`), and `arbitrageFree` includes it.
import { describe, it, expect, beforeAll } from 'vitest';
import jan from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { loadDeribitChain, sviCalendarCheck, sviTotalVariance, type Engine, type SviParams } from '../src/index.js';

// Two slices whose total variances cross at k = -0.1: w_long - w_short = 0.01 + 0.1 k
// (same b, m, sigma; rho -0.5 -> +0.5; a 0.01 -> 0.02), so the longer expiry has less total
// variance for every k < -0.1 (a calendar spread there has negative cost).
const SHORT: SviParams = { a: 0.01, b: 0.1, rho: -0.5, m: 0, sigma: 0.1 };
const LONG_CROSSING: SviParams = { a: 0.02, b: 0.1, rho: 0.5, m: 0, sigma: 0.1 };
const LONG_ABOVE: SviParams = { ...SHORT, a: 0.02 }; // w_long = w_short + 0.01 everywhere
const T = [0.25, 0.5];
// Forwards differ by expiry, so the check must compare each slice in its own ln(K / F_T).
const FWD = [100, 104];
const K_QUOTED = Array.from({ length: 21 }, (_, i) => -0.5 + 0.05 * i); // quoted k in [-0.5, 0.5]

function twoSliceQuotes(long: SviParams) {
  const strikes: number[] = [], expiries: number[] = [], forwards: number[] = [], vols: number[] = [];
  [SHORT, long].forEach((p, s) => {
    for (const k of K_QUOTED) {
      strikes.push(FWD[s] * Math.exp(k));
      expiries.push(T[s]);
      forwards.push(FWD[s]);
      vols.push(Math.sqrt(sviTotalVariance(p, k).w / T[s]));
    }
  });
  return { forwards, quotes: { strikes, expiries, vols } };
}

// The grid of the issue's count: k = -1 + 0.02 j, j = 0..99 (100 points in [-1, 0.98]) for each of
// the 9 consecutive pairs of the 10 BTC slices: 900 points.
const ISSUE_GRID = { kMin: -1, kMax: 0.98, points: 100 };

describe('sviCalendarCheck (free function)', () => {
  it('finds exactly the grid points where the longer slice has less total variance, and the worst one', () => {
    // k = -0.5 + j / 99: the crossing k = -0.1 (j = 39.6) is not on the grid, so j = 0..39 violate.
    const c = sviCalendarCheck([SHORT, LONG_CROSSING], { kMin: -0.5, kMax: 0.5, points: 100 });
    expect(c.arbitrageFree).toBe(false);
    expect(c.checkedPoints).toBe(100);
    expect(c.violations.length).toBe(40);
    for (const v of c.violations) {
      expect(v.expiryIndex).toBe(0);
      expect(v.k).toBeLessThan(-0.1);
      expect(v.wShort).toBe(sviTotalVariance(SHORT, v.k).w);
      expect(v.wLong).toBe(sviTotalVariance(LONG_CROSSING, v.k).w);
    }
    // Worst at the grid's left end: w_short - w_long = -(0.01 + 0.1 * -0.5) = 0.04.
    expect(c.worst!.k).toBe(-0.5);
    expect(Math.abs(c.worst!.wShort - c.worst!.wLong - 0.04)).toBeLessThan(1e-15);
    const ok = sviCalendarCheck([SHORT, LONG_ABOVE], { kMin: -0.5, kMax: 0.5, points: 100 });
    expect(ok).toMatchObject({ arbitrageFree: true, violations: [], worst: null, checkedPoints: 100 });
    // Equal slices (zero forward variance) are not an arbitrage.
    expect(sviCalendarCheck([SHORT, SHORT]).arbitrageFree).toBe(true);
  });

  it('rejects malformed grids and parameters with the path', () => {
    expectInputError(() => sviCalendarCheck([SHORT, SHORT], { kMin: 1, kMax: 0 }), 'grid.kMax');
    expectInputError(() => sviCalendarCheck([SHORT, SHORT], { points: 1e9 }), 'grid.points');
    expectInputError(() => sviCalendarCheck([SHORT, SHORT], { kmin: -1 } as never), 'grid.kmin');
    expectInputError(() => sviCalendarCheck([SHORT, SHORT], [{}, {}]), 'grid');
    expectInputError(() => sviCalendarCheck([SHORT, { ...SHORT, sigm: 1 } as never]), 'params[1].sigm');
    expectInputError(() => sviCalendarCheck([SHORT, { ...SHORT, a: NaN }]), 'params[1].a');
  });
});

describe.each(BACKENDS)('calendar arbitrage in multi-expiry fits (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('a constructed crossing surface: fitSvi reports the violations and arbitrageFree false', () => {
    const r = engine.fitSvi({ ...twoSliceQuotes(LONG_CROSSING), calendarGrid: { kMin: -0.5, kMax: 0.5, points: 100 } });
    // The fit reproduces the exact slices (synthetic vols), so the check sees the crossing at k = -0.1.
    expect(r.rmse).toBeLessThan(1e-6); // vol points
    expect(r.slices.every((s) => s.butterfly.arbitrageFree)).toBe(true);
    expect(r.calendar.violations.length).toBe(40);
    expect(r.calendar.violations.every((v) => v.expiryIndex === 0 && v.k < -0.1)).toBe(true);
    expect(r.arbitrageFree).toBe(false);
    // Default grid: the union of both slices' quoted k spans [-0.5, 0.5] widened by 0.5 (the
    // butterfly check's range), [-1, 1], 301 points.
    const d = engine.fitSvi(twoSliceQuotes(LONG_CROSSING));
    expect(d.calendar.grids).toHaveLength(1);
    expect(d.calendar.grids[0].kMin).toBeCloseTo(-1, 12);
    expect(d.calendar.grids[0].kMax).toBeCloseTo(1, 12);
    expect(d.calendar.grids[0].points).toBe(301);
    // k = -1 + j / 150 < -0.1 for j < 135 (k = -0.1 exactly at j = 135: zero gap, within the tolerance).
    expect(d.calendar.violations.length).toBeGreaterThanOrEqual(135);
    expect(d.calendar.violations.length).toBeLessThanOrEqual(136);
    // The same grid as the butterfly check unless one is given.
    const g = engine.fitSvi({ ...twoSliceQuotes(LONG_CROSSING), arbitrageGrid: { kMin: -0.5, kMax: 0.5, points: 100 } });
    expect(g.calendar.violations.length).toBe(40);
    expect(d.arbitrageFree).toBe(false);
  });

  it('fitSsvi: the calendar grid defaults to arbitrageGrid when one is given, as in fitSvi', () => {
    const grid = { kMin: -0.3, kMax: 0.3, points: 50 };
    const r = engine.fitSsvi({ ...twoSliceQuotes(LONG_ABOVE), arbitrageGrid: grid });
    expect(r.calendar.grids).toEqual([grid]);
  });

  it('a constructed calendar-free surface stays arbitrageFree', () => {
    const r = engine.fitSvi(twoSliceQuotes(LONG_ABOVE));
    expect(r.calendar.arbitrageFree).toBe(true);
    expect(r.calendar.checkedPoints).toBe(301);
    expect(r.arbitrageFree).toBe(r.slices.every((s) => s.butterfly.arbitrageFree));
    expect(r.arbitrageFree).toBe(true);
  });

  it('the bundled BTC 2026-01-05 surface: 37 of 900 points of k in [-1, 1] invert (the issue\'s count), recounted independently', () => {
    const s = engine.buildSurface(loadDeribitChain(jan), { currency: 'BTC' });
    const args = { forwards: s.forwards, quotes: s.quotes };
    const r = engine.fitSvi({ ...args, calendarGrid: ISSUE_GRID });
    expect(r.params).toHaveLength(10);
    // Independent recount from the fitted parameters.
    let inverted = 0;
    for (let i = 0; i + 1 < r.params.length; i++) {
      for (let j = 0; j < 100; j++) {
        const k = -1 + 0.02 * j;
        if (sviTotalVariance(r.params[i + 1], k).w < sviTotalVariance(r.params[i], k).w) inverted++;
      }
    }
    expect(r.calendar.checkedPoints).toBe(900);
    expect(r.calendar.violations.length).toBe(inverted);
    expect(inverted).toBe(37); // the figure the issue reports
    expect(r.arbitrageFree).toBe(false);
    expect(r.calendar.worst!.wShort - r.calendar.worst!.wLong).toBe(Math.max(...r.calendar.violations.map((v) => v.wShort - v.wLong)));
    // On its default grid (each pair's quoted k span widened by 0.5, as the butterfly check) the check runs too, and arbitrageFree is its AND with the butterflies.
    const d = engine.fitSvi(args);
    expect(d.calendar.checkedPoints).toBe(9 * 301);
    expect(d.arbitrageFree).toBe(d.calendar.arbitrageFree && d.slices.every((x) => x.butterfly.arbitrageFree));
    // The default grid flags this surface too (the issue: arbitrageFree was reported true), and the
    // count matches an independent recount on the reported grids (1e-12 relative, the check's tolerance).
    let recount = 0;
    d.calendar.grids.forEach((g, i) => {
      for (let j = 0; j < g.points; j++) {
        const k = g.kMin + ((g.kMax - g.kMin) * j) / (g.points - 1);
        const ws = sviTotalVariance(d.params[i], k).w, wl = sviTotalVariance(d.params[i + 1], k).w;
        if (wl < ws - 1e-12 * Math.abs(ws)) recount++;
      }
    });
    expect(recount).toBeGreaterThan(0);
    expect(d.calendar.violations.length).toBe(recount);
    expect(d.arbitrageFree).toBe(false);
    for (let i = 0; i < 9; i++) {
      const span = (e: number) => {
        const ks = Array.from(s.quotes.strikes.keys()).filter((q) => s.quotes.expiries[q] === s.expiries[e].expiry).map((q) => Math.log(s.quotes.strikes[q] / s.forwards[q]));
        return [Math.min(...ks), Math.max(...ks)];
      };
      const [a0, a1] = span(i), [b0, b1] = span(i + 1);
      expect(d.calendar.grids[i].kMin).toBe(Math.min(a0, b0) - 0.5);
      expect(d.calendar.grids[i].kMax).toBe(Math.max(a1, b1) + 0.5);
    }
  });

  it('fitSsvi: the grid check and GJ Theorem 4.1 (slope of theta phi) are reported and enter arbitrageFree', () => {
    const s = engine.buildSurface(loadDeribitChain(jan), { currency: 'BTC' });
    for (const phi of ['powerLaw', 'hestonLike'] as const) {
      const r = engine.fitSsvi({ forwards: s.forwards, quotes: s.quotes, phi, calendarGrid: ISSUE_GRID });
      expect(r.calendar.checkedPoints).toBe(900);
      // SSVI in the internal parametrisation is calendar-free by construction (theta nondecreasing, theta phi nondecreasing).
      expect(r.calendar.arbitrageFree).toBe(true);
      expect(r.arbitrage.calendarFree).toBe(true);
      // The Theorem 4.1 slack recomputed independently: min over fitted thetas and midpoints of
      // d(theta phi)/d theta and (1 + sqrt(1 - rho^2)) / rho^2 phi - d(theta phi)/d theta, by central differences.
      const p = r.params;
      const phiOf = (th: number) => (phi === 'powerLaw'
        ? p.eta! * th ** -p.gamma! * (1 + th) ** (p.gamma! - 1)
        : (1 / (p.lambda! * th)) * (1 - (1 - Math.exp(-p.lambda! * th)) / (p.lambda! * th)));
      const bound = (1 + Math.sqrt(1 - p.rho * p.rho)) / (p.rho * p.rho);
      const thetas: number[] = [];
      p.thetas.forEach((t, i) => {
        thetas.push(t);
        if (i + 1 < p.thetas.length) thetas.push(0.5 * (t + p.thetas[i + 1]));
      });
      let slack = Infinity;
      for (const th of thetas) {
        const h = 1e-5 * th;
        const d = ((th + h) * phiOf(th + h) - (th - h) * phiOf(th - h)) / (2 * h);
        slack = Math.min(slack, d, bound * phiOf(th) - d);
      }
      // Central differences of theta phi: truncation and rounding ~1e-8 relative to phi (phi up to ~100 here).
      expect(Math.abs(r.arbitrage.calendarMargin - slack)).toBeLessThan(1e-6 * Math.max(1, Math.abs(slack)));
      expect(r.arbitrage.calendarMargin).toBeGreaterThan(0);
      expect(r.arbitrageFree).toBe(r.arbitrage.butterflyFree && r.arbitrage.calendarFree && r.calendar.arbitrageFree);
    }
  });
});
