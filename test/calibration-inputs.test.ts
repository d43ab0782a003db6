// Issue 11 items 2, 6 and 7 for calibration: unknown option keys are InputErrors naming the path
// (with the closest valid key), malformed quotes and chains are InputErrors naming the field
// instead of RangeError / TypeError, and no option can make a loop run forever.
import { describe, it, expect, beforeAll } from 'vitest';
import jan from '../data/market/deribit_options_snapshot_20260105T153329Z.csv?raw';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import {
  differentialEvolution, levenbergMarquardt, loadDeribitChain, multiStart, sabrInitialGuess, ssviFromInternal, ssviSliceAsSvi,
  sviButterflyCheck, sviCalendarCheck, sviDurrlemanG, sviInitialGuess, sviTotalVariance,
  type DeribitChain, type Engine, type LeastSquaresProblem, type SviParams,
} from '../src/index.js';

const F = 100;
const T = 0.5;
const P: SviParams = { a: 0.02, b: 0.15, rho: -0.4, m: 0.05, sigma: 0.2 };
const STRIKES = Array.from({ length: 15 }, (_, i) => F * Math.exp(-0.5 + (1 / 14) * i));
const VOLS = STRIKES.map((K) => Math.sqrt(sviTotalVariance(P, Math.log(K / F)).w / T));
const QUOTES = { strikes: STRIKES, expiries: T, vols: VOLS };

/** y = p0 exp(p1 x) on 5 points: a tiny least-squares problem for the optimizer entry points. */
const EXP_PROBLEM: LeastSquaresProblem = {
  nParams: 2, nResiduals: 5,
  evaluate(p, r, J) {
    for (let i = 0; i < 5; i++) {
      const e = Math.exp(p[1] * i);
      r[i] = p[0] * e - 2 * Math.exp(0.3 * i);
      if (J) {
        J[2 * i] = e;
        J[2 * i + 1] = p[0] * i * e;
      }
    }
  },
};

describe.each(BACKENDS)('calibration option keys and malformed inputs (%s)', (backend) => {
  let engine: Engine;
  let chain: DeribitChain;
  beforeAll(async () => {
    engine = await engineFor(backend);
    chain = loadDeribitChain(jan);
  });

  it('keys that would be ignored are InputErrors: spot/dividendYield beside forwards, an initial value of the other SSVI phi', () => {
    const base = { forwards: F, quotes: QUOTES };
    expectInputError(() => engine.fitSvi({ ...base, spot: 100 } as never), 'spot');
    expectInputError(() => engine.calibrateSabr({ ...base, dividendYield: 0.01 } as never), 'dividendYield');
    expectInputError(() => engine.fitSsvi({ ...base, phi: 'powerLaw', initial: { lambda: 1 } }), 'initial.lambda');
    expectInputError(() => engine.fitSsvi({ ...base, phi: 'hestonLike', initial: { eta: 1 } }), 'initial.eta');
    expectInputError(() => engine.fitSsvi({ ...base, phi: 'hestonLike', initial: { gamma: 0.3 } }), 'initial.gamma');
  });

  it('an unknown top-level key of every calibration call is an InputError naming it and the closest key', () => {
    const base = { forwards: F, quotes: QUOTES };
    const cases: [() => unknown, string, string | undefined][] = [
      [() => engine.fitSvi({ ...base, globl: { seed: 1 } } as never), 'globl', 'global'],
      [() => engine.fitSvi({ ...base, extraStart: 2 } as never), 'extraStart', 'extraStarts'],
      [() => engine.fitSsvi({ ...base, arbitrageGird: {} } as never), 'arbitrageGird', 'arbitrageGrid'],
      [() => engine.calibrateSabr({ ...base, bta: 0.5 } as never), 'bta', 'beta'],
      [() => engine.calibrateHeston({ ...base, fellerPenalt: 1 } as never), 'fellerPenalt', 'fellerPenalty'],
      [() => engine.calibrateBates({ ...base, maxIteration: 3 } as never), 'maxIteration', 'maxIterations'],
      [() => engine.calibrateHeston({ ...base, rate: 0, dividendYields: 0.01 } as never), 'dividendYields', 'dividendYield'],
    ];
    for (const [call, path, suggestion] of cases) expect(expectInputError(call, path).suggestion).toBe(suggestion);
  });

  it('nested options objects are checked too: quotes, bounds, initial, global, grids', () => {
    const base = { forwards: F, quotes: QUOTES };
    expect(expectInputError(() => engine.fitSvi({ forwards: F, quotes: { ...QUOTES, vol: VOLS } as never }), 'quotes.vol').suggestion).toBe('vols');
    expect(expectInputError(() => engine.fitSvi({ ...base, bounds: { lowr: {} } as never }), 'bounds.lowr').suggestion).toBe('lower');
    expect(expectInputError(() => engine.fitSvi({ ...base, bounds: { lower: { Sigma: 0.1 } } as never }), 'bounds.lower.Sigma').suggestion).toBe('sigma');
    expect(expectInputError(() => engine.calibrateHeston({ ...base, bounds: { upper: { kapa: 10 } } as never }), 'bounds.upper.kapa').suggestion).toBe('kappa');
    expect(expectInputError(() => engine.fitSvi({ ...base, initial: { ...P, Rho: 0.1 } as never }), 'initial.Rho').suggestion).toBe('rho');
    expectInputError(() => engine.calibrateSabr({ ...base, initial: { alpha: 0.2, rho: 0, nu: 1, beta: 1 } as never }), 'initial.beta');
    expectInputError(() => engine.calibrateHeston({ ...base, starts: [{ v0: 0.04, kappa: 2, theta: 0.04, sigma: 1, rho: 0, v: 1 } as never] }), 'starts[0].v');
    expect(expectInputError(() => engine.fitSsvi({ ...base, initial: { rh: -0.3 } as never }), 'initial.rh').suggestion).toBe('rho');
    expectInputError(() => engine.fitSsvi({ ...base, initial: { rho: '0' as never } }), 'initial.rho');
    expect(expectInputError(() => engine.fitSvi({ ...base, global: { seed: 1, populationSise: 10 } as never }), 'global.populationSise').suggestion).toBe('populationSize');
    expect(expectInputError(() => engine.calibrateSabr({ ...base, global: { sed: 1 } as never }), 'global.sed').suggestion).toBe('seed');
    expect(expectInputError(() => engine.fitSvi({ ...base, arbitrageGrid: { kmin: -1 } as never }), 'arbitrageGrid.kmin').suggestion).toBe('kMin');
    expectInputError(() => engine.fitSvi({ ...base, calendarGrid: { points: 1e12 } }), 'calendarGrid.points');
    expectInputError(() => engine.fitSsvi({ ...base, calendarGrid: { kMin: 0, kMax: 0 } }), 'calendarGrid.kMax');
    expect(expectInputError(() => engine.buildSurface(chain, { currency: 'BTC', minExpiries: 0 } as never), 'options.minExpiries').suggestion).toBe('minExpiry');
  });

  it('quotes.strikes with a length that is negative, fractional, huge or infinite is an InputError, for every model', () => {
    const calls = [
      (q: object) => engine.fitSvi({ forwards: F, quotes: q as never }),
      (q: object) => engine.fitSsvi({ forwards: F, quotes: q as never }),
      (q: object) => engine.calibrateSabr({ forwards: F, quotes: q as never }),
      (q: object) => engine.calibrateHeston({ forwards: F, quotes: q as never }),
      (q: object) => engine.calibrateBates({ forwards: F, quotes: q as never }),
    ];
    for (const length of [-1, 1e10, 2.5, Infinity, NaN, 0]) {
      for (const call of calls) expectInputError(() => call({ strikes: { length }, expiries: T, vols: { length } }), 'quotes.strikes');
    }
  });

  it('buildSurface: a chain that is an array, has a bad length or a missing column is an InputError; no loop runs on it', () => {
    expectInputError(() => engine.buildSurface([] as never, { currency: 'BTC' }), 'chain');
    expectInputError(() => engine.buildSurface(null as never, { currency: 'BTC' }), 'chain');
    for (const length of [Infinity, -1, 1e10, 2.5, NaN]) expectInputError(() => engine.buildSurface({ ...chain, length }, { currency: 'BTC' }), 'chain.length');
    // A chain-like object with a length but no columns (the issue's `length = Infinity` spin, and `[]`'s TypeError).
    expectInputError(() => engine.buildSurface({ length: 3 } as never, { currency: 'BTC' }), 'chain.instrument');
    expectInputError(() => engine.buildSurface({ ...chain, strike: chain.strike.subarray(1) }, { currency: 'BTC' }), 'chain.strike');
    expectInputError(() => engine.buildSurface({ ...chain, skipped: undefined as never }, { currency: 'BTC' }), 'chain.skipped');
    expectInputError(() => engine.buildSurface(chain, null as never), 'options');
    expectInputError(() => engine.buildSurface(chain, { currency: 'BTC', minQuotesPerExpiry: '5' as never }), 'options.minQuotesPerExpiry');
    // Bad values in a row of the wanted currency name the row.
    const i = chain.currency.indexOf('BTC');
    const strike = chain.strike.slice();
    strike[i] = NaN;
    expectInputError(() => engine.buildSurface({ ...chain, strike }, { currency: 'BTC' }), `chain.strike[${i}]`);
    const type = chain.type.slice();
    type[i] = 0;
    expectInputError(() => engine.buildSurface({ ...chain, type }, { currency: 'BTC' }), `chain.type[${i}]`);
    const ttm = chain.timeToMaturity.slice();
    ttm[i] = Infinity;
    expectInputError(() => engine.buildSurface({ ...chain, timeToMaturity: ttm }, { currency: 'BTC' }), `chain.timeToMaturity[${i}]`);
    // ...while a row of another currency is not looked at (it is only counted), and an empty chain is a valid, empty surface.
    const eth = chain.currency.indexOf('ETH');
    const strike2 = chain.strike.slice();
    strike2[eth] = NaN;
    expect(engine.buildSurface({ ...chain, strike: strike2 }, { currency: 'BTC' }).kept).toBe(engine.buildSurface(chain, { currency: 'BTC' }).kept);
    const empty = loadDeribitChain(jan.split('\n')[0]);
    expect(engine.buildSurface(empty, { currency: 'BTC' })).toMatchObject({ kept: 0, considered: 0 });
  });

  it('counts that drove unbounded loops are InputErrors: extraStarts, maxIterations, generations, grid points', () => {
    const base = { forwards: F, quotes: QUOTES };
    for (const extraStarts of [Infinity, 1e15, -1, 0.5]) {
      expectInputError(() => engine.fitSvi({ ...base, extraStarts }), 'extraStarts');
      expectInputError(() => engine.fitSsvi({ ...base, extraStarts }), 'extraStarts');
      expectInputError(() => engine.calibrateSabr({ ...base, extraStarts }), 'extraStarts');
      expectInputError(() => engine.calibrateHeston({ ...base, extraStarts }), 'extraStarts');
    }
    expectInputError(() => engine.fitSvi({ ...base, maxIterations: 1e308 }), 'maxIterations');
    expectInputError(() => engine.fitSvi({ ...base, tolerance: 'tight' as never }), 'tolerance');
    expectInputError(() => engine.fitSvi({ ...base, global: { seed: 1, maxGenerations: 1e300 } }), 'global.maxGenerations');
    expectInputError(() => engine.fitSvi({ ...base, onEvaluate: 5 as never }), 'onEvaluate');
    expectInputError(() => engine.fitSvi({ ...base, arbitrageGrid: { points: Infinity } }), 'arbitrageGrid.points');
  });

  it('fitSvi with global and fixed: the fixed parameter stays at its initial value', () => {
    // Before: the DE stage sampled m over its whole box and LM then "held" m at the DE's value.
    const r = engine.fitSvi({ forwards: F, quotes: QUOTES, initial: { ...P, m: 0.1 }, fixed: ['m'], global: { seed: 5, maxGenerations: 10 } });
    expect(r.params[0].m).toBe(0.1);
  });
});

describe('optimizer entry points: unknown keys and unbounded counts', () => {
  it('levenbergMarquardt, multiStart and differentialEvolution check their options', () => {
    expect(expectInputError(() => levenbergMarquardt(EXP_PROBLEM, { initial: [1, 0], maxIteration: 5 } as never), 'maxIteration').suggestion).toBe('maxIterations');
    expectInputError(() => levenbergMarquardt(EXP_PROBLEM, { initial: [1, 0], maxIterations: Infinity }), 'maxIterations');
    expectInputError(() => levenbergMarquardt(EXP_PROBLEM, { initial: [1, 0], initialDamping: 0 }), 'initialDamping');
    expectInputError(() => levenbergMarquardt(EXP_PROBLEM, { initial: [1, 0], functionTolerance: -1 }), 'functionTolerance');
    expectInputError(() => multiStart(EXP_PROBLEM, { starts: [[1, 0]], initial: [1, 0] } as never), 'initial');
    const ok = multiStart(EXP_PROBLEM, { starts: [[1, 0], [3, 1]] });
    expect(Math.abs(ok.params[0] - 2)).toBeLessThan(1e-8); // exact data: y = 2 e^{0.3 x}
    const cost = (p: Float64Array) => p[0] * p[0];
    const de = { lower: [-1], upper: [1], seed: 1 };
    expect(expectInputError(() => differentialEvolution(cost, { ...de, popSize: 10 } as never), 'popSize').suggestion).toBeUndefined();
    expect(expectInputError(() => differentialEvolution(cost, { ...de, maxGeneration: 10 } as never), 'maxGeneration').suggestion).toBe('maxGenerations');
    expectInputError(() => differentialEvolution(cost, { ...de, maxGenerations: Infinity }), 'maxGenerations');
    expectInputError(() => differentialEvolution(cost, { ...de, populationSize: 1e9 }), 'populationSize');
    expectInputError(() => differentialEvolution(cost, { ...de, weight: NaN }), 'weight');
    expectInputError(() => differentialEvolution(cost, { ...de, seeds: [[0, 1]] }), 'seeds[0]');
    expect(Math.abs(differentialEvolution(cost, de).params[0])).toBeLessThan(1e-4);
  });
});

// Issue 11, shape fuzz: the free functions of the calibration module threw TypeError ("Cannot read
// properties of undefined (reading 'm')", "Cannot convert object to primitive value") on a
// malformed call, and sviInitialGuess / sabrInitialGuess / ssviFromInternal looped over
// `{ length: 1e10 }` (a hang). Each is now an InputError naming the argument.
describe('calibration free functions: malformed arguments are InputErrors naming the argument', () => {
  const HUGE = { length: 1e10 } as unknown as number[];

  it('sviTotalVariance, sviDurrlemanG, sviButterflyCheck: SviParams must be a record of numbers with no other key; k a number', () => {
    for (const f of [sviTotalVariance, sviDurrlemanG] as ((p: SviParams, k: number) => unknown)[]) {
      expectInputError(() => f(undefined as never, 0), 'p');
      expectInputError(() => f(null as never, 0), 'p');
      expectInputError(() => f(7 as never, 0), 'p');
      expectInputError(() => f([] as never, 0), 'p');
      expectInputError(() => f({ ...P, a: '0.02' } as never, 0), 'p.a');
      expectInputError(() => f({ a: 0.02, b: 0.15, rho: -0.4, m: 0.05 } as never, 0), 'p.sigma');
      expect(expectInputError(() => f({ ...P, sigm: 0.2 } as never, 0), 'p.sigm').suggestion).toBe('sigma');
      expectInputError(() => f(P, '0' as never), 'k');
      expectInputError(() => f(P, undefined as never), 'k');
    }
    expectInputError(() => sviButterflyCheck(undefined as never), 'p');
    expectInputError(() => sviButterflyCheck({ a: 1 } as never), 'p.b');
    expectInputError(() => sviButterflyCheck(P, null as never), 'grid');
  });

  it('out-of-domain numbers are not errors: NaN where documented; valid calls unchanged', () => {
    expect(sviTotalVariance({ ...P, sigma: NaN }, 0).w).toBeNaN();
    expect(sviDurrlemanG({ ...P, a: -1 }, 0)).toBeNaN(); // w <= 0: NaN (documented)
    const d = 0.1 - P.m, q = Math.hypot(d, P.sigma);
    // Same operations in the same order as the formula in the TSDoc: equal to rounding (1 ulp-level).
    expect(sviTotalVariance(P, 0.1).w).toBeCloseTo(P.a + P.b * (P.rho * d + q), 15);
    // A null-prototype record is a record.
    expect(sviTotalVariance(Object.assign(Object.create(null), P), 0.1).w).toBe(sviTotalVariance(P, 0.1).w);
    expect(sviButterflyCheck(P).arbitrageFree).toBe(sviButterflyCheck({ ...P }, {}).arbitrageFree);
    expect(sviCalendarCheck([P, { ...P, a: P.a + 0.01 }]).arbitrageFree).toBe(true);
  });

  it('sviInitialGuess and sabrInitialGuess: arrays of numbers of one length (no loop over length 1e10)', () => {
    expectInputError(() => sviInitialGuess(HUGE, HUGE), 'k.length');
    expectInputError(() => sviInitialGuess(undefined as never, []), 'k');
    expectInputError(() => sviInitialGuess([], []), 'k.length');
    expectInputError(() => sviInitialGuess([0, 'x'] as never, [0.1, 0.1]), 'k[1]');
    expectInputError(() => sviInitialGuess([0, 0.1], [0.1]), 'w.length');
    expectInputError(() => sviInitialGuess([0, 0.1], [0.1, null] as never), 'w[1]');
    expectInputError(() => sabrInitialGuess(HUGE, HUGE, 100, 1), 'k.length');
    expectInputError(() => sabrInitialGuess([0], [0.2, 0.3], 100, 1), 'vols.length');
    expectInputError(() => sabrInitialGuess([0], [0.2], '100' as never, 1), 'forward');
    expectInputError(() => sabrInitialGuess([0], [0.2], 100, undefined as never), 'beta');
    const k = [-0.2, 0, 0.2];
    expect(sviInitialGuess(k, k.map((x) => sviTotalVariance(P, x).w))).toHaveLength(5);
    expect(sabrInitialGuess(k, [0.25, 0.2, 0.22], 100, 1)).toHaveLength(3);
  });

  it('ssviSliceAsSvi and ssviFromInternal: numbers, a known phi, an output Float64Array of y\'s length (left untouched on error)', () => {
    expectInputError(() => ssviSliceAsSvi('0.04' as never, 1, 0), 'theta');
    expectInputError(() => ssviSliceAsSvi(0.04, {} as never, 0), 'phi');
    expectInputError(() => ssviSliceAsSvi(0.04, 1, undefined as never), 'rho');
    expect(ssviSliceAsSvi(0.04, 1, 2).sigma).toBeNaN(); // |rho| > 1: out of domain, NaN
    const x = new Float64Array(4).fill(7);
    expectInputError(() => ssviFromInternal(HUGE, 'powerLaw', x), 'y.length');
    expectInputError(() => ssviFromInternal([0.1, 0.5], 'powerLaw', x), 'y.length');
    expectInputError(() => ssviFromInternal([0.1, 0.5, 0.3, 'a'] as never, 'powerLaw', x), 'y[3]');
    expectInputError(() => ssviFromInternal([0.1, 0.5, 0.3, 0.04], 'power' as never, x), 'phi');
    expectInputError(() => ssviFromInternal([0.1, 0.5, 0.3, 0.04], 'powerLaw', [0, 0, 0, 0] as never), 'x');
    expectInputError(() => ssviFromInternal([0.1, 0.5, 0.3, 0.04, 0.01], 'powerLaw', x), 'x.length');
    expect(Array.from(x)).toEqual([7, 7, 7, 7]);
    ssviFromInternal([0.1, 0.5, 0.3, 0.04], 'hestonLike', x);
    expect(x[3]).toBe(0.04);
  });

  it('levenbergMarquardt and multiStart check the problem, fixed, weights and each start', () => {
    const opts = { initial: [1, 0] };
    expectInputError(() => levenbergMarquardt(undefined as never, opts), 'problem');
    expectInputError(() => levenbergMarquardt(null as never, opts), 'problem');
    expectInputError(() => levenbergMarquardt({ ...EXP_PROBLEM, nParams: 1e10 }, opts), 'problem.nParams');
    expectInputError(() => levenbergMarquardt({ ...EXP_PROBLEM, nParams: '2' } as never, opts), 'problem.nParams');
    expectInputError(() => levenbergMarquardt({ ...EXP_PROBLEM, nResiduals: 2 ** 30 }, opts), 'problem.nResiduals');
    expectInputError(() => levenbergMarquardt({ ...EXP_PROBLEM, evaluate: undefined } as never, opts), 'problem.evaluate');
    expectInputError(() => levenbergMarquardt({ ...EXP_PROBLEM, hasJacobian: 'no' } as never, opts), 'problem.hasJacobian');
    expectInputError(() => levenbergMarquardt(EXP_PROBLEM, { ...opts, fixed: null } as never), 'fixed');
    expectInputError(() => levenbergMarquardt(EXP_PROBLEM, { ...opts, fixed: [false, 'yes'] } as never), 'fixed[1]');
    expectInputError(() => levenbergMarquardt(EXP_PROBLEM, { ...opts, weights: null } as never), 'weights');
    expectInputError(() => levenbergMarquardt(EXP_PROBLEM, { ...opts, weights: { length: 1e10 } } as never), 'weights.length');
    expectInputError(() => multiStart(undefined as never, { starts: [[1, 0]] }), 'problem');
    expectInputError(() => multiStart(EXP_PROBLEM, { starts: [[1, 0], [1, 'x']] } as never), 'starts[1][1]');
    expectInputError(() => multiStart(EXP_PROBLEM, { starts: [[1, 0], [NaN, 0]] }), 'starts[1][0]');
    // A 0/1 mask (Uint8Array) still works as `fixed`.
    const r = levenbergMarquardt(EXP_PROBLEM, { initial: [2, 0], fixed: Uint8Array.of(1, 0) as never });
    expect(r.params[0]).toBe(2);
  });

  it('differentialEvolution: bounds are arrays of numbers; a cost returning a non-number is an InputError at cost', () => {
    const de = { lower: [-1, -1], upper: [1, 1], seed: 1, maxGenerations: 5 };
    expectInputError(() => differentialEvolution(() => 'x' as never, de), 'cost');
    expectInputError(() => differentialEvolution(() => undefined as never, de), 'cost');
    expectInputError(() => differentialEvolution((p) => p[0], { ...de, lower: '12' as never }), 'lower');
    expectInputError(() => differentialEvolution((p) => p[0], { ...de, lower: [0, '1'] as never }), 'lower[1]');
    // A non-finite upper bound is named as such (it was reported as lower[j]).
    expectInputError(() => differentialEvolution((p) => p[0], { ...de, upper: de.upper.map((u, j) => (j === 0 ? Infinity : u)) }), 'upper[0]');
    expectInputError(() => differentialEvolution((p) => p[0], { ...de, upper: [1] }), 'upper.length');
    expectInputError(() => differentialEvolution((p) => p[0], { ...de, upper: [1, Symbol('s')] as never }), 'upper[1]');
  });
});
