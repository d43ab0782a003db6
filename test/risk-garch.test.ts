import { describe, it, expect, beforeAll } from 'vitest';
import btcCsv from '../data/history/BTCUSDT_1d.csv?raw';
import ref from './fixtures/risk-reference.json';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { ewmaVariance, garchLogLikelihood, parsePriceCsv, philoxNormals, priceReturns, simulateGarch, type Engine, type GarchParameters } from '../src/index.js';

const now = () => performance.now();

describe.each(BACKENDS)('GARCH and EWMA (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  const CASES: { p: GarchParameters; n: number; seed: number }[] = [
    { p: { model: 'garch', distribution: 'normal', omega: 0.05, alpha: 0.08, beta: 0.9 }, n: 4000, seed: 1 },
    { p: { model: 'gjr', distribution: 'normal', omega: 0.05, alpha: 0.03, beta: 0.88, gamma: 0.12 }, n: 4000, seed: 2 },
    { p: { model: 'garch', distribution: 't', omega: 0.1, alpha: 0.1, beta: 0.85, nu: 5 }, n: 4000, seed: 3 },
    { p: { model: 'gjr', distribution: 't', omega: 0.05, alpha: 0.04, beta: 0.88, gamma: 0.1, nu: 6 }, n: 5000, seed: 4 },
  ];
  for (const { p, n, seed } of CASES) {
    it(`recovers simulated ${p.model}-${p.distribution} parameters within 4 standard errors (n = ${n}, Philox seed ${seed})`, () => {
      const r = simulateGarch(p, n, seed, { ctx: engine });
      const fit = engine.fitGarch(r, { model: p.model, distribution: p.distribution });
      expect(fit.converged).toBe(true);
      const keys = ['omega', 'alpha', 'beta', ...(p.model === 'gjr' ? ['gamma' as const] : []), ...(p.distribution === 't' ? ['nu' as const] : [])] as const;
      const report = keys.map((k) => `${k} ${(fit[k] as number).toFixed(4)} (true ${p[k]}, se ${(fit.standardErrors[k] as number).toFixed(4)})`).join(', ');
      console.log(`[risk] ${p.model}-${p.distribution}: ${report}; logL ${fit.logLikelihood.toFixed(2)}, ${fit.iterations} iterations, ${fit.reason}`);
      for (const k of keys) {
        const se = fit.standardErrors[k] as number;
        expect(se, k).toBeGreaterThan(0);
        expect(Math.abs((fit[k] as number) - (p[k] as number)), `${k}: ${report}`).toBeLessThan(4 * se);
      }
      // The gradient vanishes at the optimum (interior): re-evaluated by the likelihood kernel, each
      // |dlogL/dtheta| x se is below 1e-3 (one se from the optimum it would be ~1), so the fit sits
      // within 1e-3 se of the maximum.
      const g = garchLogLikelihood(engine, r, fit, fit.variance0).gradient;
      for (const k of keys) {
        const scaled = Math.abs((g[k] as number) * (fit.standardErrors[k] as number));
        expect(scaled, `${k}: gradient x se`).toBeLessThan(1e-3);
      }
      // Variances follow the recursion s2_t = omega + (alpha + gamma 1{r<0}) r_{t-1}^2 + beta s2_{t-1}
      // from s2_0 = variance0; a sum of positive terms, so 1e-12 relative is rounding.
      expect(fit.variances[0]).toBe(fit.variance0);
      const gamma = fit.gamma ?? 0;
      let worst = 0;
      for (let t = 1; t < r.length; t++) {
        const x = r[t - 1];
        const want = fit.omega + (fit.alpha + (x < 0 ? gamma : 0)) * x * x + fit.beta * fit.variances[t - 1];
        worst = Math.max(worst, Math.abs(fit.variances[t] - want) / want);
      }
      expect(worst).toBeLessThan(1e-12);
    });
  }

  it('BTC daily log-returns (x100, last 2000): log-likelihood at least scipy SLSQP\'s (same convention), parameters close', () => {
    const h = parsePriceCsv(btcCsv);
    const r = priceReturns(h.close).map((x) => 100 * x).slice(-2000);
    for (const want of ref.garchBtc.fits) {
      const fit = engine.fitGarch(r, { model: want.model as 'garch' | 'gjr', distribution: want.distribution as 'normal' | 't' });
      expect(fit.variance0).toBeCloseTo(ref.garchBtc.variance0, 10);
      console.log(`[risk] BTC ${want.model}-${want.distribution}: logL ${fit.logLikelihood.toFixed(4)} (scipy ${want.logLikelihood.toFixed(4)}), alpha ${fit.alpha.toFixed(4)} beta ${fit.beta.toFixed(4)} gamma ${fit.gamma?.toFixed(4)} nu ${fit.nu?.toFixed(3)} (scipy ${want.alpha.toFixed(4)} ${want.beta.toFixed(4)} ${want.gamma?.toFixed(4)} ${want.nu?.toFixed(3)}), ${fit.reason}`);
      expect(fit.logLikelihood).toBeGreaterThan(want.logLikelihood - 1e-4);
      expect(Math.abs(fit.alpha - want.alpha)).toBeLessThan(0.01);
      expect(Math.abs(fit.beta - want.beta)).toBeLessThan(0.01);
      if (want.nu) expect(Math.abs((fit.nu as number) - want.nu)).toBeLessThan(0.1);
    }
  });

  it('fits 3000 returns quickly (timing printed; the benchmark target is 30 ms)', () => {
    const r = simulateGarch({ model: 'gjr', distribution: 't', omega: 0.05, alpha: 0.04, beta: 0.88, gamma: 0.1, nu: 6 }, 3000, 9, { ctx: engine });
    engine.fitGarch(r, { model: 'garch' });
    const times: Record<string, number> = {};
    for (const [model, distribution] of [['garch', 'normal'], ['garch', 't'], ['gjr', 't']] as const) {
      const t0 = now();
      const fit = engine.fitGarch(r, { model, distribution });
      times[`${model}-${distribution}`] = now() - t0;
      expect(fit.converged).toBe(true);
    }
    console.log(`[risk] fitGarch on 3000 returns (${backend}): ${Object.entries(times).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}`);
  });

  it('EWMA: RiskMetrics recursion with lambda 0.94 and the documented initialisation (mean of r^2)', () => {
    const r = [0.01, -0.02, 0.015, -0.03, 0.005];
    const e = ewmaVariance(r);
    const init = r.reduce((a, x) => a + x * x, 0) / r.length;
    expect(e.variances[0]).toBe(init);
    let h = init;
    for (let t = 1; t < r.length; t++) {
      h = 0.94 * h + 0.06 * r[t - 1] ** 2;
      expect(e.variances[t]).toBeCloseTo(h, 17);
    }
    expect(e.forecastVariance).toBeCloseTo(0.94 * h + 0.06 * r[4] ** 2, 17);
  });

  it('unknown option keys are InputErrors naming the key and the closest valid one (fitGarch, simulateGarch)', () => {
    const r = Array.from(philoxNormals(50, 3));
    expect(expectInputError(() => engine.fitGarch(r, { modle: 'gjr' } as never), 'options.modle').suggestion).toBe('model');
    expect(expectInputError(() => engine.fitGarch(r, { distribution: 't', maxIteration: 5 } as never), 'options.maxIteration').suggestion).toBe('maxIterations');
    const p = { model: 'garch', distribution: 'normal', omega: 0.1, alpha: 0.1, beta: 0.8 } as const;
    expect(expectInputError(() => simulateGarch(p, 10, 1, { varianc0: 2 } as never), 'options.varianc0').suggestion).toBe('variance0');
    expect(simulateGarch(p, 10, 1, null as never).length).toBe(10);
  });

  it('malformed calls are InputErrors', () => {
    expect(() => engine.fitGarch([1, 2, 3], {})).toThrow(expect.objectContaining({ code: 'INPUT', path: 'returns' }));
    expect(() => engine.fitGarch(new Array(20).fill(0.1), { model: 'egarch' as never })).toThrow(expect.objectContaining({ code: 'INPUT', path: 'options.model' }));
  });
});

describe('GARCH fits do not depend on the backend', () => {
  // The likelihood kernels of both backends use the shared log/log1p of math/elementary.ts (and
  // ln Gamma and digamma built on it), so they return the same bits and the optimiser (JS, the same
  // on both) takes the same path. Before, weakly identified series landed on different optima per
  // backend: r[0] = 0 and 300 seeded Philox normals, GJR-t, beta 0.0004 (WASM) vs 0.70 (JS) at
  // seed 11, and 11 of 12 such seeds gave different parameters. Normals drawn without an engine
  // (the private JS context), so both fits see the same series.
  const KEYS = ['omega', 'alpha', 'beta', 'gamma', 'nu', 'logLikelihood', 'iterations', 'evaluations', 'forecastVariance'] as const;
  const cases: [string, 'garch' | 'gjr', 'normal' | 't', number][] = [];
  for (let seed = 0; seed < 12; seed++) cases.push([`r[0] = 0, 300 normals, seed ${seed}`, 'gjr', 't', seed]);
  cases.push(['300 normals, seed 3', 'garch', 'normal', 3], ['300 normals, seed 5', 'garch', 't', 5], ['300 normals, seed 7', 'gjr', 'normal', 7]);

  it.each(cases)('%s, %s-%s: the same parameters, likelihood, variances and standard errors, bit for bit', async (_, model, distribution, seed) => {
    const [wasm, js] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    const r = Array.from(philoxNormals(300, seed));
    if (model === 'gjr' && distribution === 't') r[0] = 0;
    const a = wasm.fitGarch(r, { model, distribution });
    const b = js.fitGarch(r, { model, distribution });
    for (const k of KEYS) expect(Object.is(a[k], b[k]), `${k}: wasm ${a[k]} js ${b[k]}`).toBe(true);
    expect(a.reason).toBe(b.reason);
    for (const [k, v] of Object.entries(a.standardErrors)) expect(Object.is(v, (b.standardErrors as Record<string, number>)[k]), `se ${k}`).toBe(true);
    expect(a.variances.every((v, t) => Object.is(v, b.variances[t]))).toBe(true);
  });

  it('garchLogLikelihood (the kernel) gives the same bits on both backends across parameters, Student-t and normal', async () => {
    const [wasm, js] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    const r = Array.from(philoxNormals(500, 99, 1)).map((x) => 1.7 * x);
    for (const nu of [2.05, 3, 4.5, 8, 30, 200]) {
      for (const beta of [0.0004, 0.5, 0.9]) {
        const p = { model: 'gjr', distribution: 't', omega: 0.07, alpha: 0.05, beta, gamma: 0.04, nu } as const;
        const a = garchLogLikelihood(wasm, r, p), b = garchLogLikelihood(js, r, p);
        expect(Object.is(a.logLikelihood, b.logLikelihood), `nu ${nu} beta ${beta}: ${a.logLikelihood} vs ${b.logLikelihood}`).toBe(true);
        for (const [k, v] of Object.entries(a.gradient)) expect(Object.is(v, (b.gradient as Record<string, number>)[k]), `d/d${k}`).toBe(true);
      }
    }
    const pn = { model: 'garch', distribution: 'normal', omega: 0.1, alpha: 0.1, beta: 0.8 } as const;
    expect(Object.is(garchLogLikelihood(wasm, r, pn).logLikelihood, garchLogLikelihood(js, r, pn).logLikelihood)).toBe(true);
  });
});

describe.each(BACKENDS)('Student-t GARCH likelihood for large nu (%s)', (backend) => {
  // ln Gamma((nu+1)/2) - ln Gamma(nu/2) cancels two terms of size (nu/2) ln(nu/2); computed as a
  // difference its rounding error reached ~1 per observation at nu = 3e14, and fitGarch climbed that
  // noise to logL +73 on 300 normals whose GJR-t maximum is -430. The kernel now uses the asymptotic
  // series from nu = 20 on (see garch-likelihood.ts).
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });
  const r = Array.from(philoxNormals(300, 1)).map((x) => 1.3 * x);
  const pn = { model: 'gjr', distribution: 'normal', omega: 0.1, alpha: 0.05, beta: 0.8, gamma: 0.1 } as const;

  it('tends to the normal likelihood as nu grows: |logL_t - logL_normal| <= (1 + max z^4) n / nu (the O(1/nu) term) + 1e-12 |logL|', () => {
    const normal = garchLogLikelihood(engine, r, pn);
    let z4 = 0;
    r.forEach((x, t) => (z4 = Math.max(z4, (x * x / normal.variances[t]!) ** 2)));
    for (const nu of [1e4, 1e6, 1e10, 1e14, 3e14, 1e18, 1e200]) {
      const t = garchLogLikelihood(engine, r, { ...pn, distribution: 't', nu });
      const gap = Math.abs(t.logLikelihood - normal.logLikelihood);
      expect(gap, `nu ${nu}: t ${t.logLikelihood} normal ${normal.logLikelihood}`).toBeLessThanOrEqual((1 + z4) * r.length / nu + 1e-12 * Math.abs(normal.logLikelihood));
      // d logL / d nu is O(n / nu^2); its per-observation terms (-log1p(q)/2 + (nu+1) q / (2 (nu-2)(1+q)),
      // q = z^2 / (nu - 2)) cancel to that from size q / 2, so rounding adds ~1e-16 q per observation.
      expect(Math.abs(t.gradient.nu), `nu ${nu}: d/dnu ${t.gradient.nu}`).toBeLessThanOrEqual((1 + z4) * r.length * (1 / (nu * nu) + 1e-13 / nu));
    }
  });

  it('is continuous where the kernel switches to the series (nu = 20), and d/dnu matches central differences on both sides', () => {
    const at = (nu: number) => garchLogLikelihood(engine, r, { ...pn, distribution: 't', nu });
    // Across the switch: the two sides differ by the slope times 4e-11 plus rounding (1e-12 relative).
    const lo = at(20 * (1 - 1e-12)), hi = at(20 * (1 + 1e-12));
    expect(Math.abs(hi.logLikelihood - lo.logLikelihood)).toBeLessThan(1e-10);
    for (const nu of [4, 12, 19.5, 20.5, 60, 1e3, 1e5]) {
      const h = 1e-4 * nu;
      const fd = (at(nu + h).logLikelihood - at(nu - h).logLikelihood) / (2 * h);
      const g = at(nu).gradient.nu;
      // Central difference: truncation ~h^2 |f'''| and rounding ~1e-13 |logL| / h; 1e-6 relative plus that.
      expect(Math.abs(fd - g), `nu ${nu}: kernel ${g} fd ${fd}`).toBeLessThan(1e-6 * Math.abs(g) + 1e-13 * 500 / h);
    }
  });

  // Series 26, 47, 58, 105, 108 and 131 are 6 of the first 150 where the t fit climbed the rounding
  // noise (gains of 11 to 23,393 units, nu ~ 1e13..9e15); 0..5 are ordinary ones.
  it('fitGarch GJR-t on series of 300 normals (r[0] = 0) never beats the GJR-normal fit by more than 10 log-likelihood units (2 x gain ~ chi2(1) on normal data)', () => {
    for (const seed of [0, 1, 2, 3, 4, 5, 26, 47, 58, 105, 108, 131]) {
      const x = Array.from(philoxNormals(300, seed));
      x[0] = 0;
      const t = engine.fitGarch(x, { model: 'gjr', distribution: 't' });
      const n = engine.fitGarch(x, { model: 'gjr', distribution: 'normal' });
      expect(t.logLikelihood - n.logLikelihood, `seed ${seed}: t ${t.logLikelihood} (nu ${t.nu}) normal ${n.logLikelihood}`).toBeLessThan(10);
    }
  });
});
