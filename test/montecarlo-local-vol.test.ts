// [surface] The localVol Monte Carlo model: a flat surface is GBM (bit for bit, and within 3 SE of
// Black-Scholes); an SSVI surface and an SVI-slice surface reprice their own vanillas (Black with
// surface.vol, written out here) within 3 standard errors plus a stated discretisation bias bound;
// WASM and JS twins agree bit for bit on the paths and on the results; workers 1 vs 2 bit for bit;
// malformed model specs are InputErrors naming the field.
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, InputError, type Engine, type MonteCarloResult, type VolSurface } from '../src/index.js';
import { closeSharedPools } from '../src/parallel/index.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';

afterAll(async () => {
  await closeSharedPools();
});

/**
 * Standard normal CDF, W. J. Cody's rational approximation as given by Hart (1968) / West (2005),
 * "Better approximations to cumulative normal functions" (double precision, |error| < 1e-14):
 * written here, independent of the library.
 */
function ncdf(x: number): number {
  const z = Math.abs(x);
  let c = 0;
  if (z <= 37) {
    const e = Math.exp((-z * z) / 2);
    if (z < 7.07106781186547) {
      let n = 3.52624965998911e-2 * z + 0.700383064443688;
      n = n * z + 6.37396220353165;
      n = n * z + 33.912866078383;
      n = n * z + 112.079291497871;
      n = n * z + 221.213596169931;
      n = n * z + 220.206867912376;
      let d = 8.83883476483184e-2 * z + 1.75566716318264;
      d = d * z + 16.064177579207;
      d = d * z + 86.7807322029461;
      d = d * z + 296.564248779674;
      d = d * z + 637.333633378831;
      d = d * z + 793.826512519948;
      d = d * z + 440.413735824752;
      c = (e * n) / d;
    } else {
      let b = z + 0.65;
      b = z + 4 / b;
      b = z + 3 / b;
      b = z + 2 / b;
      b = z + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

/** Black price of a call (+1) or put (-1) on the forward F, discounted at rate r over T years. */
function black(theta: 1 | -1, F: number, K: number, T: number, vol: number, r: number): number {
  const sd = vol * Math.sqrt(T);
  const d1 = Math.log(F / K) / sd + sd / 2;
  const d2 = d1 - sd;
  return Math.exp(-r * T) * theta * (F * ncdf(theta * d1) - K * ncdf(theta * d2));
}

const SPOT = 100;
const RATE = 0.03;
const DIV = 0.01;

/** SSVI (power-law phi; Gatheral & Jacquier 2014: eta (1 + |rho|) <= 2, so free of static arbitrage), ATM vol 20%. */
function ssviSurface(e: Engine): VolSurface {
  const expiries = [0.25, 0.5, 1, 1.5];
  return e.volSurface(
    { phi: 'powerLaw', params: { rho: -0.5, eta: 1, gamma: 0.4, thetas: expiries.map((T) => 0.04 * T), expiries } },
    { spot: SPOT, rate: RATE, dividendYield: DIV },
  );
}

/** Raw SVI slices (forwards from the spot and carry), calendar-ordered on the grid the surface checks. */
function sviSurface(e: Engine): VolSurface {
  const fwd = (T: number): number => SPOT * Math.exp((RATE - DIV) * T);
  return e.volSurface([
    { expiry: 0.5, forward: fwd(0.5), params: { a: 0.012, b: 0.06, rho: -0.35, m: 0.02, sigma: 0.2 } },
    { expiry: 1, forward: fwd(1), params: { a: 0.025, b: 0.08, rho: -0.3, m: 0.02, sigma: 0.25 } },
  ]);
}

/**
 * Discretisation bias bound of log-Euler on these surfaces, in price units at S0 = 100: |bias| <=
 * 1.5 dt. Measured (400,000 antithetic paths with the underlying control, SE ~ 0.007) on the SSVI
 * surface: the 80 put at T = 1 is off Black by -0.089, -0.027, -0.015 at 12, 50, 200 steps (dt =
 * 1/12, 1/50, 1/200: weak order 1, constant ~1.1), the 90 put at T = 0.5 by -0.044, -0.017, -0.006
 * at 12, 50, 200 steps (constant ~0.5 x 2 since dt = T / steps). The tests run at dt = 0.01, where
 * the bound is 0.015: under a third of the 3 SE they also allow.
 */
const BIAS_PER_DT = 1.5;

function comparable(r: MonteCarloResult): unknown {
  const { elapsedMs: _t, details, ...rest } = r;
  const { workers: _w, workersUsed: _u, ...d } = details;
  return { ...rest, details: d };
}

describe.each(BACKENDS)('localVol Monte Carlo (%s)', (backend) => {
  it('a flat surface is GBM: bit for bit the same paths and prices, and within 3 SE of Black-Scholes', async () => {
    const e = await engineFor(backend);
    const vol = 0.2;
    const T = 1;
    const flat = e.volSurface([{ expiry: T, forward: SPOT * Math.exp((RATE - DIV) * T), params: { a: vol * vol * T, b: 0, rho: 0, m: 0, sigma: 0.1 } }]);
    const lv = { kind: 'localVol', surface: flat, spot: SPOT, rate: RATE, dividendYield: DIV } as const;
    const gbm = { kind: 'gbm', spot: SPOT, rate: RATE, dividendYield: DIV, vol } as const;
    for (const payoff of [
      { kind: 'european', strike: 105, type: 'call' },
      { kind: 'barrier', strike: 100, type: 'call', barrier: 85, direction: 'down', knock: 'out' },
    ] as const) {
      const args = { payoff, expiry: T, steps: 20, paths: 20_000, seed: 5 };
      const a = e.monteCarloSync({ ...args, model: lv });
      const b = e.monteCarloSync({ ...args, model: gbm });
      // A constant local vol makes the log-Euler step the exact GBM step, operation for operation.
      expect(Object.is(a.price, b.price) && Object.is(a.stdErr, b.stdErr)).toBe(true);
      expect(a.details.localVol).toMatchObject({ minLocalVol: vol, maxLocalVol: vol, forwardMismatch: 0 });
    }
    const r = e.monteCarloSync({ model: lv, payoff: { kind: 'european', strike: 105, type: 'call' }, expiry: T, steps: 20, paths: 40_000, seed: 9, antithetic: true });
    const ref = black(1, SPOT * Math.exp((RATE - DIV) * T), 105, T, vol, RATE);
    // GBM log steps are exact: no discretisation bias, only sampling error.
    expect(Math.abs(r.price - ref)).toBeLessThanOrEqual(3 * r.stdErr);
    const paths = e.simulatePaths({ model: lv, expiry: T, steps: 8, paths: 64, seed: 3 });
    expect(paths).toEqual(e.simulatePaths({ model: gbm, expiry: T, steps: 8, paths: 64, seed: 3 }));
  });

  it('an SSVI surface reprices its own vanillas (3 expiries x 5 strikes) within 3 SE + the bias bound', async () => {
    const e = await engineFor(backend);
    const s = ssviSurface(e);
    const dt = 0.01;
    const steps = 100;
    const n = 16_384;
    // One path set to T = 1 with antithetic pairs; the vanillas at 0.25, 0.5 and 1 read steps 25, 50, 100.
    const paths = e.simulatePaths({ model: { kind: 'localVol', surface: s, spot: SPOT, rate: RATE, dividendYield: DIV }, expiry: steps * dt, steps, paths: n, seed: 17, antithetic: true });
    for (const T of [0.25, 0.5, 1]) {
      const col = Math.round(T / dt);
      const F = SPOT * Math.exp((RATE - DIV) * T);
      for (const K of [80, 90, 100, 110, 120]) {
        const theta: 1 | -1 = K < F ? -1 : 1; // out of the money: the informative side of the smile
        const df = Math.exp(-RATE * T);
        // Antithetic pair averages are the independent samples.
        let sum = 0;
        let sumSq = 0;
        for (let p = 0; p < n; p += 2) {
          const y = 0.5 * df * (Math.max(theta * (paths[p * (steps + 1) + col]! - K), 0) + Math.max(theta * (paths[(p + 1) * (steps + 1) + col]! - K), 0));
          sum += y;
          sumSq += y * y;
        }
        const m = n / 2;
        const mean = sum / m;
        const se = Math.sqrt((sumSq / m - mean * mean) / (m - 1));
        const vol = s.vol({ strikes: [K], expiries: [T] }).vols[0]!;
        const ref = black(theta, F, K, T, vol, RATE);
        const err = Math.abs(mean - ref);
        expect(err, `T ${T}, K ${K}: MC ${mean} +- ${se}, Black ${ref} (vol ${vol})`).toBeLessThanOrEqual(3 * se + BIAS_PER_DT * dt);
      }
    }
  });

  it('an SVI-slice surface reprices its vanillas through engine.monteCarloSync (control variate) within 3 SE + the bias bound', async () => {
    const e = await engineFor(backend);
    const s = sviSurface(e);
    const T = 0.75; // between the slices: total variance interpolated in T
    const steps = 75;
    const F = SPOT * Math.exp((RATE - DIV) * T);
    for (const [K, type] of [[85, 'put'], [100, 'call'], [115, 'call']] as const) {
      const r = e.monteCarloSync({
        model: { kind: 'localVol', surface: s, spot: SPOT, rate: RATE, dividendYield: DIV }, payoff: { kind: 'european', strike: K, type },
        expiry: T, steps, paths: 16_384, seed: 23, antithetic: true, controlVariate: 'underlying',
      });
      const vol = s.vol({ strikes: [K], expiries: [T] }).vols[0]!;
      const ref = black(type === 'call' ? 1 : -1, F, K, T, vol, RATE);
      expect(Math.abs(r.price - ref), `K ${K}: MC ${r.price} +- ${r.stdErr}, Black ${ref}`).toBeLessThanOrEqual(3 * r.stdErr + BIAS_PER_DT * (T / steps));
      expect(r.details.model).toBe('localVol');
      expect(r.details.localVol!.times).toBe(steps);
      expect(r.details.localVol!.forwardMismatch).toBeLessThan(1e-12);
    }
  });

  it('workers 1 vs 2: the same result bit for bit', async () => {
    const e = await engineFor(backend);
    const args = {
      model: { kind: 'localVol', surface: ssviSurface(e), spot: SPOT, rate: RATE, dividendYield: DIV },
      payoff: { kind: 'barrier', strike: 100, type: 'put', barrier: 120, direction: 'up', knock: 'out' },
      expiry: 0.5, steps: 25, paths: 8192, seed: 31, shardSize: 1024,
    } as const;
    const one = await e.monteCarlo(args);
    const two = await e.monteCarlo({ ...args, workers: 2 });
    expect(comparable(two)).toEqual(comparable(one));
    expect(Object.is(two.price, one.price) && Object.is(two.stdErr, one.stdErr)).toBe(true);
    expect(two.details.workersUsed).toBe(2);
  });

  it('malformed model specs are InputErrors naming the field', async () => {
    const e = await engineFor(backend);
    const s = ssviSurface(e);
    const model = { kind: 'localVol', surface: s, spot: SPOT, rate: RATE } as const;
    const base = { payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, steps: 10, paths: 100, seed: 1 } as const;
    const run = (m: unknown, extra: object = {}) => () => e.monteCarloSync({ ...base, ...extra, model: m } as never);
    expectInputError(run({ ...model, surface: s.toJSON() }), 'model.surface');
    expectInputError(run({ ...model, surface: undefined }), 'model.surface');
    expectInputError(run({ ...model, spot: -1 }), 'model.spot');
    expectInputError(run({ ...model, rate: Number.NaN }), 'model.rate');
    expectInputError(run({ ...model, dividendYield: '0' }), 'model.dividendYield');
    expectInputError(run({ ...model, vol: 0.2 }), 'model.vol'); // a key localVol does not have
    expectInputError(run({ ...model, grid: { points: 2 } }), 'model.grid.points');
    expectInputError(run({ ...model, grid: { times: 1.5 } }), 'model.grid.times');
    expectInputError(run({ ...model, grid: { width: 0 } }), 'model.grid.width');
    expectInputError(run({ ...model, grid: { point: 11 } }), 'model.grid.point');
    expectInputError(run(model, { greeks: true }), 'greeks');
    // Butterfly arbitrage in the wings (b (1 + |rho|) far above Lee's bound): no local vol there.
    const bad = e.volSurface([{ expiry: 1, forward: SPOT * Math.exp(RATE), params: { a: -0.3, b: 1.6, rho: 0.9, m: 0, sigma: 0.3 } }]);
    expectInputError(run({ ...model, surface: bad }), 'model.surface');
    const err = expectInputError(run({ ...model, grid: { times: 5000 } }), 'model.grid.times');
    expect(err).toBeInstanceOf(InputError);
  });
});

describe('localVol Monte Carlo: WASM and JS twins', () => {
  it('the same paths and the same results bit for bit (Philox and Sobol)', async () => {
    const w = await createEngine({ backend: 'wasm' });
    const j = await createEngine({ backend: 'js' });
    const args = (e: Engine) => ({ model: { kind: 'localVol', surface: ssviSurface(e), spot: SPOT, rate: RATE, dividendYield: DIV }, expiry: 1, steps: 40 } as const);
    const pw = w.simulatePaths({ ...args(w), paths: 512, seed: 77 });
    const pj = j.simulatePaths({ ...args(j), paths: 512, seed: 77 });
    let same = pw.length === pj.length;
    for (let i = 0; i < pw.length && same; i++) same = Object.is(pw[i], pj[i]);
    expect(same).toBe(true);
    for (const extra of [{ rng: 'philox', antithetic: true }, { rng: 'sobol', qmc: { replications: 4 } }, { importanceSampling: true }] as const) {
      const payoff = { kind: 'asian', strike: 95, type: 'put', averaging: 'arithmetic' } as const;
      const rw = w.monteCarloSync({ ...args(w), ...extra, payoff, paths: 2048, seed: 5 });
      const rj = j.monteCarloSync({ ...args(j), ...extra, payoff, paths: 2048, seed: 5 });
      expect(comparable(rj)).toEqual(comparable(rw));
      expect(Object.is(rj.price, rw.price) && Object.is(rj.stdErr, rw.stdErr)).toBe(true);
    }
  });
});
