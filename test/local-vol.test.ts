// [surface] Dupire local vol from a VolSurface (Gatheral's formula with analytic derivatives)
// against references no one here wrote into the kernel: a flat surface (constant local vol), and
// central finite differences of total variance computed in this file from the SVI / SSVI closed
// forms and the documented time interpolation, fed to Gatheral's formula written out here.
// Arbitrage gives NaN and status arbitrage, never a number.
import { describe, it, expect } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import { Status } from '../src/index.js';

type Svi = { a: number; b: number; rho: number; m: number; sigma: number };
const sviW = (p: Svi, k: number) => p.a + p.b * (p.rho * (k - p.m) + Math.hypot(k - p.m, p.sigma));

/** Gatheral (2006) eq. 1.10, in total variance. */
function gatheral(k: number, w: number, wT: number, wk: number, wkk: number): number {
  const g = 1 - (k / w) * wk + 0.25 * (-0.25 - 1 / w + (k * k) / (w * w)) * wk * wk + 0.5 * wkk;
  return Math.sqrt(wT / g);
}

/** Local vol of w(k, T) by central differences in k (step h) and a one-sided difference in T inside its linear segment. */
function fdLocalVol(w: (k: number, T: number) => number, k: number, T: number, Tnode: number): number {
  const h = 1e-4;
  const w0 = w(k, T);
  const wk = (w(k + h, T) - w(k - h, T)) / (2 * h);
  const wkk = (w(k + h, T) - 2 * w0 + w(k - h, T)) / (h * h);
  // w is linear in T inside a segment: a difference toward the segment's start is exact up to rounding.
  const dT = Math.min(1e-3, (T - Tnode) / 2);
  const wT = (w0 - w(k, T - dT)) / dT;
  return gatheral(k, w0, wT, wk, wkk);
}

describe.each(BACKENDS)('local vol on %s', (backend) => {
  it('a flat surface has local vol equal to its implied vol everywhere (before, between, after the slices)', async () => {
    const engine = await engineFor(backend);
    const vol = 0.37;
    const slices = [0.2, 0.7, 1.5].map((T) => ({ expiry: T, forward: 100, params: { a: vol * vol * T, b: 0, rho: 0, m: 0, sigma: 0.1 } }));
    for (const extrapolation of ['constantVol', 'flatForwardVariance'] as const) {
      const s = engine.volSurface(slices, { extrapolation });
      const k = [-1, -0.2, 0, 0.4, 1.3, -1, 0, 1, 0.5];
      const T = [0.05, 0.2, 0.5, 0.7, 1, 1.5, 2, 4, 10];
      const { localVols, status } = s.localVol({ moneyness: k, expiries: T });
      const vols = s.vol({ strikes: k.map((x) => 100 * Math.exp(x)), expiries: T }).vols;
      for (let i = 0; i < k.length; i++) {
        expect(status[i]).toBe(Status.ok);
        // sqrt(wT / 1) with wT = (vol^2 T1 - vol^2 T0) / (T1 - T0): a few roundings, 1e-15 relative.
        expect(Math.abs(localVols[i] - vol)).toBeLessThanOrEqual(1e-15 * 4);
        expect(Math.abs(vols[i] - vol)).toBeLessThanOrEqual(1e-15 * 4);
      }
    }
  });

  it('SVI slices: local vol matches finite differences of the interpolated total variance (1e-6 relative)', async () => {
    const engine = await engineFor(backend);
    const P: Svi[] = [
      { a: 0.004, b: 0.08, rho: -0.4, m: 0.02, sigma: 0.15 },
      { a: 0.02, b: 0.1, rho: -0.3, m: 0, sigma: 0.2 },
      { a: 0.07, b: 0.12, rho: -0.25, m: -0.05, sigma: 0.3 },
    ];
    const Ts = [0.1, 0.5, 2];
    const s = engine.volSurface(P.map((params, i) => ({ expiry: Ts[i], forward: 100, params })));
    const w = (k: number, T: number): number => {
      if (T <= Ts[0]) return (T / Ts[0]) * sviW(P[0], k);
      const i = T <= Ts[1] ? 0 : 1;
      const x = (T - Ts[i]) / (Ts[i + 1] - Ts[i]);
      return (1 - x) * sviW(P[i], k) + x * sviW(P[i + 1], k);
    };
    const k: number[] = [], T: number[] = [], node: number[] = [];
    for (const [t, t0] of [[0.05, 0], [0.3, 0.1], [0.45, 0.1], [1.1, 0.5], [1.9, 0.5]]) {
      for (let i = 0; i <= 16; i++) {
        k.push(-0.8 + 0.1 * i);
        T.push(t);
        node.push(t0);
      }
    }
    const { localVols, status } = s.localVol({ moneyness: k, expiries: T });
    let checked = 0;
    for (let i = 0; i < k.length; i++) {
      const ref = fdLocalVol(w, k[i], T[i], node[i]);
      expect(status[i]).toBe(Status.ok);
      // Finite-difference error: h^2 w''''/12 ~ 1e-8 x O(30) on w'' ~ 0.5, rounding eps w / h^2 ~ 1e-9.
      expect(Math.abs(localVols[i] - ref)).toBeLessThanOrEqual(1e-6 * ref);
      checked++;
    }
    expect(checked).toBe(85);
  });

  it('SSVI (power law): local vol matches finite differences of the SSVI closed form interpolated in T', async () => {
    const engine = await engineFor(backend);
    const rho = -0.35, eta = 0.9, gamma = 0.4;
    const thetas = [0.01, 0.03, 0.08], expiries = [0.25, 0.75, 2];
    const s = engine.volSurface({ phi: 'powerLaw', params: { rho, eta, gamma, thetas: Float64Array.from(thetas), expiries: Float64Array.from(expiries) } }, { forwards: [100, 100, 100] });
    expect(s.source).toBe('ssvi');
    const ssvi = (k: number, theta: number) => {
      const phi = eta * theta ** -gamma * (1 + theta) ** (gamma - 1);
      return (theta / 2) * (1 + rho * phi * k + Math.sqrt((phi * k + rho) ** 2 + 1 - rho * rho));
    };
    const w = (k: number, T: number): number => {
      if (T <= expiries[0]) return (T / expiries[0]) * ssvi(k, thetas[0]);
      const i = T <= expiries[1] ? 0 : 1;
      const x = (T - expiries[i]) / (expiries[i + 1] - expiries[i]);
      return (1 - x) * ssvi(k, thetas[i]) + x * ssvi(k, thetas[i + 1]);
    };
    // The mapping to raw SVI reproduces the closed form at the slices.
    const atSlices = s.totalVariance({ moneyness: [-0.5, 0, 0.5, -0.5, 0, 0.5], expiries: [0.25, 0.25, 0.25, 2, 2, 2] }).totalVariances;
    [-0.5, 0, 0.5, -0.5, 0, 0.5].forEach((k, i) => {
      const ref = ssvi(k, thetas[i < 3 ? 0 : 2]);
      expect(Math.abs(atSlices[i] - ref)).toBeLessThanOrEqual(1e-14 * ref);
    });
    const cases: [number, number, number][] = [];
    for (const [t, t0] of [[0.1, 0], [0.5, 0.25], [1.5, 0.75]]) for (let i = 0; i <= 10; i++) cases.push([-0.6 + 0.12 * i, t, t0]);
    const { localVols, status } = s.localVol({ moneyness: cases.map((c) => c[0]), expiries: cases.map((c) => c[1]) });
    cases.forEach(([k, T, t0], i) => {
      const ref = fdLocalVol(w, k, T, t0);
      expect(status[i]).toBe(Status.ok);
      expect(Math.abs(localVols[i] - ref)).toBeLessThanOrEqual(1e-6 * ref);
    });
  });

  it('butterfly arbitrage (Durrleman g < 0: Gatheral & Jacquier 2014, Vogt\'s slice) gives NaN and status arbitrage exactly where g < 0', async () => {
    const engine = await engineFor(backend);
    const p = { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 };
    const s = engine.volSurface([{ expiry: 1, forward: 1, params: p }]);
    const k = Array.from({ length: 301 }, (_, i) => -1.5 + 0.01 * i);
    const { localVols, status } = s.localVol({ moneyness: k, expiries: 1 });
    let negative = 0, positive = 0;
    k.forEach((x, i) => {
      // g from the closed-form derivatives of raw SVI, written here.
      const d = x - p.m, q = Math.hypot(d, p.sigma);
      const w = p.a + p.b * (p.rho * d + q), w1 = p.b * (p.rho + d / q), w2 = (p.b * p.sigma * p.sigma) / (q * q * q);
      const g = (1 - (x * w1) / (2 * w)) ** 2 - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2;
      if (Math.abs(g) < 1e-9) return; // too close to the boundary to call
      if (g < 0 || !(w > 0)) {
        negative++;
        expect(status[i]).toBe(Status.arbitrage);
        expect(localVols[i]).toBeNaN();
      } else {
        positive++;
        expect(status[i]).toBe(Status.ok);
        expect(localVols[i]).toBeGreaterThan(0);
      }
    });
    expect(negative).toBeGreaterThan(5);
    expect(positive).toBeGreaterThan(100);
  });

  it('calendar arbitrage (crossing slices: dw/dT < 0) gives NaN and status arbitrage between them, a number elsewhere', async () => {
    const engine = await engineFor(backend);
    const P = [{ a: 0.02, b: 0.2, rho: 0, m: 0, sigma: 0.1 }, { a: 0.04, b: 0.05, rho: 0, m: 0, sigma: 0.1 }];
    const s = engine.volSurface(P.map((params, i) => ({ expiry: [0.5, 1][i], forward: 100, params })));
    const k = Array.from({ length: 41 }, (_, i) => -1 + 0.05 * i);
    const { localVols, status } = s.localVol({ moneyness: k, expiries: 0.75 });
    let crossed = 0;
    k.forEach((x, i) => {
      const dw = sviW(P[1], x) - sviW(P[0], x);
      if (Math.abs(dw) < 1e-12) return;
      if (dw < 0) {
        crossed++;
        expect(status[i]).toBe(Status.arbitrage);
        expect(localVols[i]).toBeNaN();
      } else expect(status[i]).toBe(Status.ok);
    });
    expect(crossed).toBeGreaterThan(10);
  });
});
