// engine.calibrate({ model, quotes, ...options }): the public form of the generic calibration loop
// (docs/api.md: it reaches kernels through the model, so it is an Engine method taking one
// object). It must give exactly the loop's result (same code: Object.is on every number), check
// its keys and the model's shape, and leave the caller's object alone. The loop itself is tested
// in calibration-calibrate.test.ts.
import { describe, it, expect, beforeAll } from 'vitest';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import type { CalibrateArgs, CalibrationModel, Engine } from '../src/index.js';
import { calibrate } from '../src/calibration/calibrate.js';
import { prepareQuotes } from '../src/calibration/quotes.js';
import { sviDefaultBounds, sviEvaluator, SVI_PARAM_NAMES } from '../src/calibration/svi.js';
import { volModel, type QuoteSubset } from '../src/calibration/vol-model.js';

const F = 100, T = 0.5;
const TRUE = { a: 0.02, b: 0.15, rho: -0.4, m: 0.05, sigma: 0.2 };
const START = Float64Array.of(0.01, 0.1, 0, 0, 0.1);
const ks = Array.from({ length: 25 }, (_, i) => -0.6 + 0.05 * i);
const w = (k: number): number => TRUE.a + TRUE.b * (TRUE.rho * (k - TRUE.m) + Math.sqrt((k - TRUE.m) ** 2 + TRUE.sigma ** 2));

function setup(engine: Engine): { model: CalibrationModel<QuoteSubset>; quotes: QuoteSubset } {
  const vols = ks.map((k) => Math.sqrt(w(k) / T));
  const Q = prepareQuotes(engine, { forwards: F, quotes: { strikes: ks.map((k) => F * Math.exp(k)), expiries: T, vols } });
  const model = volModel(SVI_PARAM_NAMES, sviEvaluator(engine, Float64Array.from(Q.logMoneyness), T), () => ({ initial: START, ...sviDefaultBounds(-0.6, 0.6, 0.1) }));
  return { model, quotes: { Q, indices: Int32Array.from(ks, (_, i) => i) } };
}

describe.each(BACKENDS)('engine.calibrate (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('equals the loop it wraps, with and without options', () => {
    const { model, quotes } = setup(engine);
    expect(engine.calibrate({ model, quotes })).toEqual(calibrate(engine, model, quotes));
    const options = { fixed: ['m'], bounds: { upper: { rho: -0.5 } }, global: { seed: 7, maxGenerations: 5 }, extraStarts: 2 };
    const viaMethod = engine.calibrate({ model, quotes, ...options });
    expect(viaMethod).toEqual(calibrate(engine, model, quotes, options));
    // The options reached the loop (the assertion above would also hold if both ignored them).
    expect(viaMethod.named.m).toBe(START[3]);
    expect(viaMethod.atBounds).toContain('rho');
    expect(viaMethod.global?.generations).toBeGreaterThan(0);
  });

  it('recovers the quotes\' parameters (the method runs a real fit)', () => {
    const { model, quotes } = setup(engine);
    const fit = engine.calibrate({ model, quotes });
    // Exact quotes: LM stops at tolerance 1e-10 on the cost, parameters to ~1e-8.
    for (const [name, v] of Object.entries(TRUE)) expect(fit.named[name]).toBeCloseTo(v, 7);
    expect(fit.converged).toBe(true);
  });

  it('does not modify the caller\'s arguments object', () => {
    const { model, quotes } = setup(engine);
    const args: CalibrateArgs<QuoteSubset> = { model, quotes, fixed: ['m'] };
    const keys = Object.keys(args);
    engine.calibrate(args);
    expect(Object.keys(args)).toEqual(keys);
    expect(args.fixed).toEqual(['m']);
  });

  it('rejects an unknown key, a non-object and a malformed model with an InputError naming the field', () => {
    const { model, quotes } = setup(engine);
    expectInputError(() => engine.calibrate({ model, quotes, fixd: ['m'] } as unknown as CalibrateArgs<QuoteSubset>), 'fixd');
    expectInputError(() => engine.calibrate(null as unknown as CalibrateArgs<QuoteSubset>), 'args');
    expectInputError(() => engine.calibrate({ quotes } as unknown as CalibrateArgs<QuoteSubset>), 'model');
    expectInputError(() => engine.calibrate({ model: { ...model, names: 'abc' }, quotes } as unknown as CalibrateArgs<QuoteSubset>), 'model.names');
    expectInputError(() => engine.calibrate({ model: { ...model, residuals: 1 }, quotes } as unknown as CalibrateArgs<QuoteSubset>), 'model.residuals');
    // Option values are still checked by the loop, under their own names.
    expectInputError(() => engine.calibrate({ model, quotes, fixed: ['mu'] }), 'fixed[0]');
  });
});
