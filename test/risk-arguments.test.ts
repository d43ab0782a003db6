/**
 * Malformed calls of the risk module's free functions (issue 11, the fuzz contract): each throws an
 * InputError naming the argument (checked by class, code and path, not message), never a
 * TypeError/RangeError, never hangs on a claimed length (`{ length: 1e10 }`), and special
 * functions give NaN (not a number computed from coerced text) for out-of-domain numbers.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import {
  ageWeights, betaInc, binomialCdf, chiSquareCdf, chiSquareSf, cornishFisherVarEs, digamma, empiricalTail, ewmaVariance, fitGarch,
  fitStudentT, gammaP, gammaQ, garchFilter, garchLogLikelihood, logGamma, monteCarloScenarios, normalVarEs, philoxNormals,
  portfolioSensitivities, revaluePortfolio, rollingBacktest, sampleMoments, simulateGarch, stressedVar, stressTest, studentTCdf,
  studentTPdf, studentTQuantile, studentTSf, studentTVarEs, tailIndex, valueAtRisk, weightedTail,
  type Engine, type GarchParameters,
} from '../src/index.js';

const HUGE = { length: 1e10 } as never;
const ENDLESS = { length: Infinity } as never;

describe('special functions take numbers', () => {
  it('a non-number argument is an InputError naming it (no string coercion, no TypeError on objects or symbols)', () => {
    expectInputError(() => logGamma('3' as never), 'x');
    expectInputError(() => digamma({} as never), 'x');
    expectInputError(() => gammaP(Symbol('a') as never, 1), 'a');
    expectInputError(() => gammaP(1, '2' as never), 'x');
    expectInputError(() => gammaQ({} as never, 1), 'a');
    expectInputError(() => betaInc(0.5, 1, 1, '0.5' as never), 'y');
    expectInputError(() => betaInc(0.5, [2] as never, 1), 'a');
    expectInputError(() => chiSquareCdf(1, null as never), 'k');
    expectInputError(() => chiSquareSf(undefined as never, 2), 'x');
    expectInputError(() => studentTCdf(1, '5' as never), 'nu');
    expectInputError(() => studentTSf({} as never, 5), 't');
    expectInputError(() => studentTPdf(0, undefined as never), 'nu');
    expectInputError(() => studentTQuantile('0.99' as never, 5), 'p');
    expectInputError(() => binomialCdf(1, '10' as never, 0.5), 'n');
    expectInputError(() => binomialCdf(1, 10, true as never), 'p');
  });

  it('out-of-domain numbers give NaN (not 0 or 1 from a branch that skipped the check)', () => {
    expect(chiSquareCdf(-1, -2)).toBeNaN();
    expect(chiSquareSf(-1, 0)).toBeNaN();
    expect(binomialCdf(1, -3, 0.5)).toBeNaN();
    expect(binomialCdf(1, 2.5, 0.5)).toBeNaN();
    expect(binomialCdf(1, 10, 2)).toBeNaN();
    expect(binomialCdf(NaN, 10, 0.5)).toBeNaN();
    expect(betaInc(0.5, 1, 1, 1.5)).toBeNaN();
    expect(studentTPdf(0, -1)).toBeNaN();
    expect(studentTQuantile(1.5, 5)).toBeNaN();
    expect(gammaP(-1, 1)).toBeNaN();
    expect(logGamma(-1)).toBeNaN();
    // In-domain values: closed forms (I_x(1, 1) = x; chi2 with 2 dof: 1 - e^{-x/2}; Bin(10, 0.5) <= 10 is 1),
    // to rounding (a few ulps).
    expect(betaInc(0.25, 1, 1)).toBeCloseTo(0.25, 14);
    expect(chiSquareCdf(3, 2)).toBeCloseTo(1 - Math.exp(-1.5), 14);
    expect(binomialCdf(10, 10, 0.5)).toBe(1);
  });
});

describe('parametric VaR / ES and moments', () => {
  it('studentTVarEs: nu must be a number in (1, 1e6] (a string, 1 or 0.5 gave a VaR of the wrong sign or an ES below VaR)', () => {
    expectInputError(() => studentTVarEs(0, 1, '5' as never, 0.99), 'nu');
    expectInputError(() => studentTVarEs(0, 1, 1, 0.99), 'nu');
    expectInputError(() => studentTVarEs(0, 1, 0.5, 0.99), 'nu');
    expectInputError(() => studentTVarEs(0, 1, 5, 1), 'c');
    expectInputError(() => studentTVarEs(0, -1, 5, 0.99), 's');
    expectInputError(() => studentTVarEs('0' as never, 1, 5, 0.99), 'mu');
    const r = studentTVarEs(0, 1, 5, 0.99);
    expect(r.es).toBeGreaterThan(r.var);
  });

  it('normalVarEs and cornishFisherVarEs check each argument', () => {
    expectInputError(() => normalVarEs(0, -1, 0.99), 'sigma');
    expectInputError(() => normalVarEs(0, 1, 1), 'c');
    expectInputError(() => normalVarEs({} as never, 1, 0.5), 'mu');
    expectInputError(() => cornishFisherVarEs(0, 1, NaN, 0, 0.99), 'skew');
    expectInputError(() => cornishFisherVarEs(0, 1, 0, '3' as never, 0.99), 'exKurt');
    expectInputError(() => cornishFisherVarEs(0, 1, 0, 0, Symbol('c') as never), 'c');
  });

  it('sampleMoments and fitStudentT: claimed lengths, non-numbers and degenerate samples are InputErrors, at once', () => {
    expectInputError(() => sampleMoments(undefined as never), 'x');
    expectInputError(() => sampleMoments(HUGE), 'x.length');
    expectInputError(() => sampleMoments(['1'] as never), 'x[0]');
    // These hung (a 1e10-step loop over a claimed length) before the check.
    const t0 = performance.now();
    expectInputError(() => fitStudentT(HUGE), 'x[0]');
    expectInputError(() => fitStudentT(ENDLESS), 'x');
    expect(performance.now() - t0).toBeLessThan(1000);
    expectInputError(() => fitStudentT([1, 2, NaN]), 'x[2]');
    expectInputError(() => fitStudentT([3, 3, 3]), 'x');
    expectInputError(() => fitStudentT([1e300, -1e300, 0]), 'x');
    expectInputError(() => fitStudentT([1, 2, 3], 0), 'fixedNu');
    expectInputError(() => fitStudentT([1, 2, 3], '4' as never), 'fixedNu');
    const x = philoxNormals(500, 7);
    const fit = fitStudentT(x);
    for (const v of [fit.mu, fit.scale, fit.nu, fit.logLikelihood]) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('tail measures without an engine', () => {
  it('tailIndex checks n and c (n = 0 gave k = 0, outside [1, n])', () => {
    expectInputError(() => tailIndex(0, 0.5), 'n');
    expectInputError(() => tailIndex('10' as never, 0.99), 'n');
    expectInputError(() => tailIndex(10, 1), 'c');
    expect(tailIndex(100, 0.99)).toBe(99);
  });

  it('weightedTail: elements and weights are checked (a string loss or a negative weight gave a silent number)', () => {
    expectInputError(() => weightedTail(HUGE, [1], 0.99), 'losses.length');
    expectInputError(() => weightedTail([1, 'x', 3] as never, [1, 1, 1], 0.5), 'losses[1]');
    expectInputError(() => weightedTail([1, NaN, 3], [1, 1, 1], 0.5), 'losses[1]');
    expectInputError(() => weightedTail([1, 2], [1, -1], 0.5), 'weights[1]');
    expectInputError(() => weightedTail([1, 2], [0, 0], 0.5), 'weights');
    expectInputError(() => weightedTail([1, 2], [1, 1, 1], 0.5), 'weights');
  });

  it('ageWeights: n and lambda are checked (1e10 was a RangeError from the Float64Array)', () => {
    expectInputError(() => ageWeights(1e10, 0.9), 'n');
    expectInputError(() => ageWeights(-1, 0.9), 'n');
    expectInputError(() => ageWeights(2.5, 0.9), 'n');
    expectInputError(() => ageWeights(3, 2), 'lambda');
    expectInputError(() => ageWeights(3, '0.9' as never), 'lambda');
    expect(Array.from(ageWeights(3, 0.5))).toEqual([0.25, 0.5, 1]);
  });
});

describe('GARCH helpers without an engine', () => {
  const p: GarchParameters = { model: 'garch', distribution: 'normal', omega: 0.05, alpha: 0.08, beta: 0.9 };

  it('simulateGarch checks its parameters, n, options and stationarity', () => {
    expectInputError(() => simulateGarch(undefined as never, 10, 1), 'params');
    expectInputError(() => simulateGarch({ ...p, distribution: 'x' } as never, 10, 1), 'params.distribution');
    expectInputError(() => simulateGarch({ ...p, distribution: 't' }, 10, 1), 'params.nu');
    expectInputError(() => simulateGarch({ ...p, omega: '1' } as never, 10, 1), 'params.omega');
    expectInputError(() => simulateGarch({ ...p, alpha: -0.1 }, 10, 1), 'params.alpha');
    expectInputError(() => simulateGarch(p, 1e10, 1), 'n');
    expectInputError(() => simulateGarch(p, 10, 1, 5 as never), 'options');
    expectInputError(() => simulateGarch(p, 10, 1, { stream: -1 }), 'options.stream');
    expectInputError(() => simulateGarch(p, 10, 1, { variance0: 'x' } as never), 'options.variance0');
    expectInputError(() => simulateGarch(p, 10, 1, { ctx: 5 } as never), 'options.ctx');
    // Persistence >= 1 has no unconditional variance to start from (it gave NaN returns).
    expectInputError(() => simulateGarch({ ...p, alpha: 0.5, beta: 0.6 }, 10, 1), 'params');
    expect(simulateGarch({ ...p, alpha: 0.5, beta: 0.6 }, 10, 1, { variance0: 1 }).every(Number.isFinite)).toBe(true);
  });

  it('garchFilter checks the fit and the series', () => {
    const r = Array.from(philoxNormals(50, 3));
    expectInputError(() => garchFilter(undefined as never, r), 'fit');
    expectInputError(() => garchFilter({ ...p, omega: '0.05' } as never, r), 'fit.omega');
    expectInputError(() => garchFilter(p as never, HUGE), 'returns[0]');
    expectInputError(() => garchFilter(p as never, [1, 'x'] as never), 'returns[1]');
    expectInputError(() => garchFilter(p as never, []), 'returns');
    expect(garchFilter(p as never, r).variances.every((v) => v > 0)).toBe(true);
  });

  it('ewmaVariance checks initialVariance', () => {
    expectInputError(() => ewmaVariance([1, 2], 0.94, '1' as never), 'initialVariance');
    expectInputError(() => ewmaVariance([1, 2], 0.94, -1), 'initialVariance');
  });
});

describe('free functions that take an engine reject anything else as their engine', () => {
  const calls: [string, () => unknown][] = [
    ['empiricalTail', () => empiricalTail(42 as never, [1, 2], 0.5)],
    ['fitGarch', () => fitGarch(null as never, Array.from(philoxNormals(20, 1)))],
    ['garchLogLikelihood', () => garchLogLikelihood(95 as never, [1, 2], { model: 'garch', distribution: 'normal', omega: 1, alpha: 0, beta: 0 })],
    ['valueAtRisk', () => valueAtRisk(undefined as never, {} as never)],
    ['revaluePortfolio', () => revaluePortfolio({} as never, {} as never)],
    ['rollingBacktest', () => rollingBacktest('x' as never, {} as never)],
    ['stressTest', () => stressTest({ arena: {}, kernels: {} } as never, {} as never)],
    ['stressedVar', () => stressedVar(null as never, {} as never)],
    ['monteCarloScenarios', () => monteCarloScenarios(1 as never, {} as never, {} as never)],
    ['portfolioSensitivities', () => portfolioSensitivities(null as never, {} as never, 1, 'log')],
  ];
  it.each(calls)('%s: an InputError naming engine, before the other arguments are read', (_name, f) => {
    expectInputError(f, 'engine');
  });
});

describe.each(BACKENDS)('risk entry points with an engine (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });
  const p: GarchParameters = { model: 'gjr', distribution: 't', omega: 0.05, alpha: 0.04, beta: 0.88, gamma: 0.1, nu: 6 };

  it('empiricalTail: a NaN or non-number element is an InputError naming it (it was selected as if a number)', () => {
    expectInputError(() => empiricalTail(engine, [1, NaN, 2], 0.5), 'sample[1]');
    expectInputError(() => empiricalTail(engine, new Float64Array([1, 2, Infinity]), 0.5), 'sample[2]');
    expectInputError(() => empiricalTail(engine, [1, '2', 3] as never, 0.5), 'sample[1]');
    expectInputError(() => empiricalTail(engine, HUGE, 0.5), 'sample.length');
    expectInputError(() => empiricalTail(engine, { length: 1000 } as never, 0.5), 'sample[0]');
    const t = empiricalTail(engine, [-1, -2, -3, -4], 0.5);
    expect([t.var, t.k]).toEqual([2, 2]);
  });

  it('garchLogLikelihood checks params and variance0 (a fit is accepted as params)', () => {
    const r = Array.from(philoxNormals(100, 5));
    expectInputError(() => garchLogLikelihood(engine, r, undefined as never), 'params');
    expectInputError(() => garchLogLikelihood(engine, r, { ...p, nu: undefined }), 'params.nu');
    expectInputError(() => garchLogLikelihood(engine, r, { ...p, nu: 2 }), 'params.nu');
    expectInputError(() => garchLogLikelihood(engine, r, { ...p, model: 'egarch' } as never), 'params.model');
    expectInputError(() => garchLogLikelihood(engine, r, { ...p, beta: Infinity }), 'params.beta');
    expectInputError(() => garchLogLikelihood(engine, r, p, -1), 'variance0');
    const fit = engine.fitGarch(r, { model: 'garch' });
    expect(Number.isFinite(garchLogLikelihood(engine, r, fit).logLikelihood)).toBe(true);
  });

  it('fitGarch: options must be an object; maxIterations is bounded', () => {
    const r = Array.from(philoxNormals(50, 2));
    expectInputError(() => engine.fitGarch(r, 5 as never), 'options');
    expectInputError(() => engine.fitGarch(r, { maxIterations: 1e9 }), 'options.maxIterations');
    expectInputError(() => fitGarch(engine, r, { maxIterations: 0 }), 'options.maxIterations');
  });
});
