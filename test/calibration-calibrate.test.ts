// The generic calibration loop (src/calibration/calibrate.ts) on a problem with a known answer:
// raw SVI quotes generated from known parameters, the model evaluated by the engine's
// `sviSliceEvaluate` kernel, so both backends run.
import { describe, it, expect, beforeAll } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import { InputError, type Engine } from '../src/index.js';
import { calibrate, type CalibrationModel } from '../src/calibration/calibrate.js';
import { prepareQuotes } from '../src/calibration/quotes.js';
import { sviDefaultBounds, sviEvaluator, SVI_PARAM_NAMES } from '../src/calibration/svi.js';
import { volModel, type QuoteSubset } from '../src/calibration/vol-model.js';

const F = 100, T = 0.5;
const TRUE = { a: 0.02, b: 0.15, rho: -0.4, m: 0.05, sigma: 0.2 };
const START = Float64Array.of(0.01, 0.1, 0, 0, 0.1);
const ks = Array.from({ length: 25 }, (_, i) => -0.6 + 0.05 * i);
const w = (p: typeof TRUE, k: number) => p.a + p.b * (p.rho * (k - p.m) + Math.sqrt((k - p.m) ** 2 + p.sigma ** 2));

function setup(engine: Engine, vols = ks.map((k) => Math.sqrt(w(TRUE, k) / T))): { model: CalibrationModel<QuoteSubset>; quotes: QuoteSubset } {
  const Q = prepareQuotes(engine, { forwards: F, quotes: { strikes: ks.map((k) => F * Math.exp(k)), expiries: T, vols } });
  const k = Float64Array.from(Q.logMoneyness);
  const model = volModel(SVI_PARAM_NAMES, sviEvaluator(engine, k, T), () => ({ initial: START, ...sviDefaultBounds(-0.6, 0.6, 0.1) }));
  return { model, quotes: { Q, indices: Int32Array.from(ks, (_, i) => i) } };
}

describe.each(BACKENDS)('calibrate (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('recovers the parameters that generated the quotes; converged, nothing at a bound', () => {
    const { model, quotes } = setup(engine);
    const fit = calibrate(engine, model, quotes);
    // Exact quotes: the residuals vanish at the true point; LM stops at tolerance 1e-10 on the
    // cost, so the parameters agree to ~1e-8 (rmse in vol decimals below 1e-9).
    for (const [name, v] of Object.entries(TRUE)) expect(fit.named[name]).toBeCloseTo(v, 7);
    expect(fit.converged).toBe(true);
    expect(fit.rmse).toBeLessThan(1e-9);
    expect(fit.atBounds).toEqual([]);
    expect(fit.residuals).toHaveLength(ks.length);
    expect(fit.iterations).toBeGreaterThan(0);
  });

  it('holds fixed parameters at their start value exactly', () => {
    const { model, quotes } = setup(engine);
    const fit = calibrate(engine, model, quotes, { fixed: ['m', 'sigma'], initial: { a: 0.01, b: 0.1, rho: 0, m: 0.1, sigma: 0.3 } });
    expect(fit.named.m).toBe(0.1);
    expect(fit.named.sigma).toBe(0.3);
    // The other three still move (a wrong m and sigma leave a nonzero but reduced error).
    expect(fit.named.a).not.toBe(0.01);
    expect(fit.rmse).toBeGreaterThan(1e-6);
  });

  it('respects a bound that excludes the true value and reports the parameter in atBounds', () => {
    const { model, quotes } = setup(engine);
    const fit = calibrate(engine, model, quotes, { bounds: { upper: { rho: -0.5 } } });
    expect(fit.named.rho).toBe(-0.5);
    expect(fit.upper[2]).toBe(-0.5);
    expect(fit.atBounds).toEqual(['rho']);
    for (let j = 0; j < 5; j++) {
      expect(fit.params[j]).toBeGreaterThanOrEqual(fit.lower[j]);
      expect(fit.params[j]).toBeLessThanOrEqual(fit.upper[j]);
    }
  });

  it('a zero weight removes a corrupted quote: the fit recovers the parameters and its rmse ignores that quote', () => {
    const vols = ks.map((k) => Math.sqrt(w(TRUE, k) / T));
    vols[7] += 0.05;
    const { model, quotes } = setup(engine, vols);
    const weights = new Float64Array(ks.length).fill(1);
    weights[7] = 0;
    const fit = calibrate(engine, model, quotes, { weights });
    for (const [name, v] of Object.entries(TRUE)) expect(fit.named[name]).toBeCloseTo(v, 7);
    expect(fit.rmse).toBeLessThan(1e-9);
    expect(Math.abs(fit.residuals[7])).toBeGreaterThan(0.04);
  });

  it('runs the seeded global stage: its start is tried last by default, first when asked, and the result is a pure function of the seed', () => {
    const { model, quotes } = setup(engine);
    const global = { seed: 7, populationSize: 20, maxGenerations: 10 };
    const last = calibrate(engine, model, quotes, { global, extraStarts: 1 });
    expect(last.runs).toHaveLength(3);
    expect(last.global!.run).toBe(2);
    expect(last.evaluations).toBeGreaterThan(last.global!.evaluations);
    const first = calibrate(engine, model, quotes, { global, extraStarts: 1, globalStart: 'first' });
    expect(first.global!.run).toBe(0);
    expect(first.runs[0].cost).toBe(last.runs[2].cost);
    const again = calibrate(engine, model, quotes, { global, extraStarts: 1 });
    expect(Array.from(again.params)).toEqual(Array.from(last.params));
  });

  it("appends a model's penalty residuals with weight 1 but keeps them out of residuals and rmse", () => {
    const { model, quotes } = setup(engine);
    // Penalty 10 (b - 0.1): pulls b away from its true 0.15.
    const penalised: CalibrationModel<QuoteSubset> = {
      ...model,
      penalty: { size: 1, evaluate(p, out, jac) { out[0] = 10 * (p[1] - 0.1); if (jac) { jac.fill(0, 0, 5); jac[1] = 10; } } },
    };
    const fit = calibrate(engine, penalised, quotes);
    expect(fit.residuals).toHaveLength(ks.length);
    expect(fit.named.b).toBeLessThan(0.15 - 1e-4);
    let ss = 0;
    for (const r of fit.residuals) ss += r * r;
    expect(fit.rmse).toBeCloseTo(Math.sqrt(ss / ks.length), 15);
    // The cost holds the penalty too: 1/2 (sum r^2 + penalty^2) > 1/2 sum r^2.
    expect(fit.cost).toBeGreaterThan(0.5 * ss);
  });

  it('rejects malformed options with an InputError naming the field', () => {
    const { model, quotes } = setup(engine);
    const path = (f: () => unknown) => {
      try { f(); } catch (e) { expect(e).toBeInstanceOf(InputError); return (e as InputError).path; }
      return 'no error';
    };
    expect(path(() => calibrate(engine, model, quotes, { fixed: ['mu'] }))).toBe('fixed[0]');
    expect(path(() => calibrate(engine, model, quotes, { bounds: { lower: { nu: 1 } } }))).toBe('bounds.lower.nu');
    expect(path(() => calibrate(engine, model, quotes, { initial: { a: 1 } }))).toBe('initial.b');
    expect(path(() => calibrate(engine, model, quotes, { weights: [1, 2] }))).toBe('weights');
    expect(path(() => calibrate(engine, model, quotes, { global: { seed: -1 } }))).toBe('global.seed');
    // globalStart is an enum: a typo is an error, not a silent 'last'.
    expect(path(() => calibrate(engine, model, quotes, { globalStart: 'First' as never }))).toBe('globalStart');
    // Weights are checked before any work (a global stage would otherwise search a meaningless cost).
    const ones = ks.map(() => 1);
    expect(path(() => calibrate(engine, model, quotes, { weights: ones.map((x, i) => (i === 3 ? -1 : x)), global: { seed: 1 } }))).toBe('weights[3]');
    expect(path(() => calibrate(engine, model, quotes, { weights: ones.map((x, i) => (i === 0 ? NaN : x)) }))).toBe('weights[0]');
    expect(path(() => calibrate(engine, model, quotes, { weights: ones.map((x, i) => (i === 5 ? '2' : x)) as never }))).toBe('weights[5]');
  });
});
