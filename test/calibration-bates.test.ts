import { describe, it, expect, beforeAll } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import { BATES_PARAM_NAMES, type BatesParams, type Engine } from '../src/index.js';

const TRUE: BatesParams = { v0: 0.04, kappa: 3, theta: 0.05, sigma: 0.6, rho: -0.7, lambda: 0.5, muJ: -0.1, deltaJ: 0.15 };
const F = 100;

function surface(engine: Engine) {
  const strikes: number[] = [], expiries: number[] = [];
  for (const T of [0.1, 0.25, 0.5, 1, 2]) for (let j = 0; j < 40; j++) {
    strikes.push(F * Math.exp(Math.sqrt(0.06 * T) * (-3 + (5 * j) / 39)));
    expiries.push(T);
  }
  const types = strikes.map((K) => (K >= F ? 'call' : 'put')) as ('call' | 'put')[];
  const prices = engine.batesPrice({ forwards: F, strikes, expiries, types, params: TRUE }).price;
  const vols = engine.impliedVol({ prices, forwards: F, strikes, expiries, types }).vols;
  return { strikes, expiries, types, prices, vols };
}

describe.each(BACKENDS)('Bates pricing and calibration (%s)', (backend) => {
  let engine: Engine;
  let s: ReturnType<typeof surface>;
  beforeAll(async () => {
    engine = await engineFor(backend);
    s = surface(engine);
  });

  it('lambda = 0 gives the Heston prices and gradient; put-call parity holds with jumps', () => {
    const args = { forwards: F, strikes: s.strikes, expiries: s.expiries, types: s.types, gradient: true };
    const h = engine.hestonPrice({ ...args, params: { ...TRUE, lambda: 0 } });
    const b = engine.batesPrice({ ...args, params: { ...TRUE, lambda: 0 } });
    for (let i = 0; i < s.strikes.length; i++) {
      expect(Math.abs(b.price[i] - h.price[i])).toBeLessThan(1e-12 * F);
      for (let k = 0; k < 5; k++) expect(Math.abs(b.gradient![8 * i + k] - h.gradient![5 * i + k])).toBeLessThan(1e-10 * F);
    }
    const c = engine.batesPrice({ ...args, types: 'call', gradient: false, params: TRUE }).price;
    const p = engine.batesPrice({ ...args, types: 'put', gradient: false, params: TRUE }).price;
    for (let i = 0; i < s.strikes.length; i++) expect(Math.abs(c[i] - p[i] - (F - s.strikes[i]))).toBeLessThan(1e-11 * F);
  });

  it('the 8-column gradient matches central differences of the prices', () => {
    const args = { forwards: F, strikes: s.strikes, expiries: s.expiries, types: s.types };
    for (const P of [TRUE, { ...TRUE, lambda: 2, muJ: 0.2, deltaJ: 0.4, rho: 0.3 }]) {
      const g = engine.batesPrice({ ...args, params: P, gradient: true }).gradient!;
      BATES_PARAM_NAMES.forEach((name, k) => {
        const h = 1e-5 * Math.max(Math.abs(P[name]), 0.1);
        const up = engine.batesPrice({ ...args, params: { ...P, [name]: P[name] + h } }).price;
        const dn = engine.batesPrice({ ...args, params: { ...P, [name]: P[name] - h } }).price;
        let worst = 0, scale = 0;
        for (let i = 0; i < up.length; i++) scale = Math.max(scale, Math.abs((up[i] - dn[i]) / (2 * h)));
        for (let i = 0; i < up.length; i++) worst = Math.max(worst, Math.abs(g[8 * i + k] - (up[i] - dn[i]) / (2 * h)));
        expect(worst / scale, `d/d${name}`).toBeLessThan(1e-6);
      });
    }
  });

  for (const initial of [undefined, { v0: 0.1, kappa: 0.5, theta: 0.1, sigma: 0.3, rho: 0, lambda: 1, muJ: 0, deltaJ: 0.3 }]) {
    it(`recovers known Bates parameters from a 200-quote surface, start ${initial ? 'far (kappa 0.5)' : 'default'}`, () => {
      const r = engine.calibrateBates({ forwards: F, quotes: { strikes: s.strikes, expiries: s.expiries, types: s.types, vols: s.vols }, initial });
      console.log(`${backend} Bates ${initial ? 'far' : 'default'}: ${JSON.stringify(r.params)} ${r.reason} ${r.iterations} it ${r.evaluations} ev rmse ${r.rmse.toExponential(2)} ${r.elapsedMs.toFixed(1)} ms`);
      for (const name of BATES_PARAM_NAMES) expect(Math.abs(r.params[name] - TRUE[name]), name).toBeLessThan(1e-4);
      expect(r.rmse).toBeLessThan(1e-5);
    });
  }
});
