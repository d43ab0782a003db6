// [surface] engine.volSurface from what the package's fitters return today: fitSvi, fitSsvi,
// calibrateHeston / plain Heston and Bates parameters. References: the generating SVI slices
// (synthetic quotes), the fit's own SSVI slices, and the Heston pricer + implied-vol inversion
// called independently here.
import { describe, it, expect } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import { Status } from '../src/index.js';

type Svi = { a: number; b: number; rho: number; m: number; sigma: number };
const sviW = (p: Svi, k: number) => p.a + p.b * (p.rho * (k - p.m) + Math.hypot(k - p.m, p.sigma));

const TRUE_SLICES: { T: number; F: number; p: Svi }[] = [
  { T: 0.1, F: 100.2, p: { a: 0.003, b: 0.06, rho: -0.4, m: 0.01, sigma: 0.12 } },
  { T: 0.4, F: 100.8, p: { a: 0.015, b: 0.09, rho: -0.35, m: 0, sigma: 0.18 } },
  { T: 1, F: 102, p: { a: 0.04, b: 0.11, rho: -0.3, m: -0.02, sigma: 0.25 } },
];

/** Quotes on the generating slices: 21 strikes per expiry. */
function quotes() {
  const strikes: number[] = [], expiries: number[] = [], vols: number[] = [], forwards: number[] = [];
  for (const s of TRUE_SLICES) {
    for (let i = 0; i <= 20; i++) {
      const k = -0.5 + 0.05 * i;
      strikes.push(s.F * Math.exp(k));
      expiries.push(s.T);
      forwards.push(s.F);
      vols.push(Math.sqrt(sviW(s.p, k) / s.T));
    }
  }
  return { strikes, expiries, vols, forwards };
}

describe.each(BACKENDS)('volSurface from fits on %s', (backend) => {
  it('fitSvi result (+ forwards per slice): the surface reprices the quotes within the fit rmse', async () => {
    const engine = await engineFor(backend);
    const q = quotes();
    const fit = engine.fitSvi({ forwards: q.forwards, quotes: { strikes: q.strikes, expiries: q.expiries, vols: q.vols } });
    const s = engine.volSurface(fit, { forwards: TRUE_SLICES.map((x) => x.F) });
    expect(s.source).toBe('svi');
    expect(s.slices.map((x) => x.expiry)).toEqual(TRUE_SLICES.map((x) => x.T));
    const { vols, status } = s.vol({ strikes: q.strikes, expiries: q.expiries });
    for (let i = 0; i < vols.length; i++) {
      expect(status[i]).toBe(Status.ok);
      // The fit recovers the generating slices (rmse reported in vol points; 1e-4 vol points is far above it).
      expect(Math.abs(vols[i] - q.vols[i])).toBeLessThanOrEqual(Math.max(1e-6, 2 * fit.rmse / 100));
    }
    expect(s.calendar.arbitrageFree).toBe(true);
  });

  it('fitSsvi result: the surface slices are the fit\'s own SSVI slices', async () => {
    const engine = await engineFor(backend);
    const q = quotes();
    const fit = engine.fitSsvi({ forwards: q.forwards, quotes: { strikes: q.strikes, expiries: q.expiries, vols: q.vols } });
    const s = engine.volSurface(fit, { forwards: TRUE_SLICES.map((x) => x.F) });
    expect(s.source).toBe('ssvi');
    const k = [-0.4, -0.1, 0, 0.2, 0.5];
    fit.slices.forEach((slice) => {
      const w = s.totalVariance({ moneyness: k, expiries: [slice.expiry] }).totalVariances;
      // The fit's slice.svi is GJ's mapping of the same (theta, phi, rho): equal to rounding.
      k.forEach((x, i) => expect(Math.abs(w[i] - sviW(slice.svi, x))).toBeLessThanOrEqual(1e-14 * w[i]));
    });
    // SSVI is calendar-free by construction (GJ Theorem 4.1), and the surface check agrees.
    expect(s.calendar.arbitrageFree).toBe(fit.arbitrage.calendarFree);
  });

  it('Heston parameters: SVI slices of the model reproduce its implied vols at the slice expiries (off the fitting grid)', async () => {
    const engine = await engineFor(backend);
    const params = { v0: 0.04, kappa: 2, theta: 0.05, sigma: 0.5, rho: -0.6 };
    const expiries = [0.1, 0.5, 1];
    const s = engine.volSurface({ params }, { spot: 100, rate: 0.02, expiries });
    expect(s.source).toBe('heston');
    expect(s.sliceRmse!.length).toBe(3);
    // SVI fits the Heston smile within a few hundredths of a vol point on +-3 standard deviations.
    for (const r of s.sliceRmse!) expect(r).toBeLessThan(0.1);
    for (const T of expiries) {
      const F = 100 * Math.exp(0.02 * T);
      const sd = Math.sqrt(0.05 * T);
      const k = [-2.1 * sd, -0.77 * sd, 0.13 * sd, 1.3 * sd, 2.2 * sd];
      const K = k.map((x) => F * Math.exp(x));
      const types = k.map((x) => (x >= 0 ? 'call' : 'put') as 'call' | 'put');
      const price = engine.hestonPrice({ forwards: F, strikes: K, expiries: T, types, params }).price;
      const iv = engine.impliedVol({ prices: price, forwards: F, strikes: K, expiries: T, types }).vols;
      const v = s.vol({ strikes: K, expiries: [T] }).vols;
      // 0.2 vol points: the SVI slice's fit error between grid points.
      k.forEach((_, i) => expect(Math.abs(v[i] - iv[i])).toBeLessThan(0.002));
    }
    // Local vol exists (Heston slices are free of butterfly arbitrage) at the money.
    const lv = s.localVol({ moneyness: [0], expiries: [0.3] });
    expect(lv.status[0]).toBe(Status.ok);
  });

  it('Bates parameters build a bates surface; a calibrateHeston-shaped result is accepted', async () => {
    const engine = await engineFor(backend);
    const bates = { v0: 0.04, kappa: 2, theta: 0.05, sigma: 0.4, rho: -0.5, lambda: 0.3, muJ: -0.1, deltaJ: 0.15 };
    const s = engine.volSurface({ params: bates }, { forwards: [100, 100], expiries: [0.25, 1] });
    expect(s.source).toBe('bates');
    expect(s.vol({ moneyness: [0], expiries: 0.5 }).status[0]).toBe(Status.ok);
    const h = engine.volSurface({ params: { v0: 0.04, kappa: 2, theta: 0.05, sigma: 0.5, rho: -0.6 }, reason: 'converged', rmse: 0.1 } as never, { spot: 100 });
    expect(h.slices.length).toBe(6);
  });
});
