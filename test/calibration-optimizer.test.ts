import { describe, it, expect } from 'vitest';
import { levenbergMarquardt } from '../src/math/optimise/levenberg-marquardt.js';
import { multiStart } from '../src/math/optimise/multi-start.js';
import { differentialEvolution } from '../src/math/optimise/differential-evolution.js';
import type { LeastSquaresProblem } from '../src/calibration/types.js';
import { InputError } from '../src/index.js';

// Rosenbrock as least squares: r = (10 (y - x^2), 1 - x), minimum 0 at (1, 1).
const rosenbrock: LeastSquaresProblem = {
  nParams: 2,
  nResiduals: 2,
  evaluate(p, r, J) {
    r[0] = 10 * (p[1] - p[0] * p[0]);
    r[1] = 1 - p[0];
    if (J) {
      J[0] = -20 * p[0];
      J[1] = 10;
      J[2] = -1;
      J[3] = 0;
    }
  },
};

// Exponential decay y = A e^{-k t} + c on exact data (A, k, c) = (2, 1.3, 0.5).
const T = Float64Array.from({ length: 20 }, (_, i) => i * 0.25);
const Y = T.map((t) => 2 * Math.exp(-1.3 * t) + 0.5);
const decay: LeastSquaresProblem = {
  nParams: 3,
  nResiduals: T.length,
  evaluate(p, r, J) {
    for (let i = 0; i < T.length; i++) {
      const e = Math.exp(-p[1] * T[i]);
      r[i] = p[0] * e + p[2] - Y[i];
      if (J) {
        J[i * 3] = e;
        J[i * 3 + 1] = -p[0] * T[i] * e;
        J[i * 3 + 2] = 1;
      }
    }
  },
};

describe('Levenberg-Marquardt', () => {
  it('solves Rosenbrock from (-1.2, 1) to 1e-10 and says converged', () => {
    const r = levenbergMarquardt(rosenbrock, { initial: [-1.2, 1] });
    expect(['converged', 'stationaryPoint', 'smallStep']).toContain(r.reason);
    expect(Math.abs(r.params[0] - 1)).toBeLessThan(1e-10);
    expect(Math.abs(r.params[1] - 1)).toBeLessThan(1e-10);
    expect(r.cost).toBeLessThan(1e-20);
  });

  it('recovers the decay parameters from several starts, with analytic, forward and central Jacobians', () => {
    for (const start of [[1, 1, 0], [5, 0.1, -1], [0.1, 5, 2]]) {
      for (const jacobian of ['analytic', 'forward', 'central'] as const) {
        const r = levenbergMarquardt(decay, { initial: start, jacobian, lower: [0, 0, -5], upper: [10, 10, 5] });
        const tol = jacobian === 'forward' ? 1e-6 : 1e-9;
        expect(Math.abs(r.params[0] - 2), `${start} ${jacobian}`).toBeLessThan(tol);
        expect(Math.abs(r.params[1] - 1.3), `${start} ${jacobian}`).toBeLessThan(tol);
        expect(Math.abs(r.params[2] - 0.5), `${start} ${jacobian}`).toBeLessThan(tol);
      }
    }
  });

  it('respects bounds at every evaluated point (finite-difference points included) and stops on the bound', () => {
    for (const jacobian of ['analytic', 'forward', 'central'] as const) {
      const seen: Float64Array[] = [];
      const lower = [-2, -1], upper = [0.8, 3];
      const r = levenbergMarquardt(rosenbrock, { initial: [-1.2, 1], lower, upper, jacobian, onEvaluate: (p) => seen.push(p) });
      expect(seen.length).toBeGreaterThan(3);
      for (const p of seen) {
        for (let j = 0; j < 2; j++) {
          expect(p[j]).toBeGreaterThanOrEqual(lower[j]);
          expect(p[j]).toBeLessThanOrEqual(upper[j]);
        }
      }
      // Constrained optimum: x = 0.8 on the bound, y = x^2 = 0.64.
      expect(r.params[0]).toBe(0.8);
      expect(Math.abs(r.params[1] - 0.64)).toBeLessThan(1e-8);
      expect(r.reason).not.toBe('maxIterations');
    }
  });

  it('keeps fixed parameters at their initial value', () => {
    const r = levenbergMarquardt(decay, { initial: [1, 1, 0.5], fixed: [false, false, true] });
    expect(r.params[2]).toBe(0.5);
    expect(Math.abs(r.params[0] - 2)).toBeLessThan(1e-9);
  });

  it('applies weights: a zero weight removes a residual', () => {
    // Two inconsistent observations of one parameter; the weighted mean is the answer.
    const p1: LeastSquaresProblem = { nParams: 1, nResiduals: 2, evaluate(p, r, J) { r[0] = p[0] - 1; r[1] = p[0] - 3; if (J) { J[0] = 1; J[1] = 1; } } };
    expect(levenbergMarquardt(p1, { initial: [0], weights: [1, 3] }).params[0]).toBeCloseTo(2.5, 8);
    expect(levenbergMarquardt(p1, { initial: [0], weights: [0, 1] }).params[0]).toBeCloseTo(3, 8);
  });

  it('returns its reason instead of throwing: maxIterations, nonFinite, stationaryPoint', () => {
    const capped = levenbergMarquardt(rosenbrock, { initial: [-1.2, 1], maxIterations: 2 });
    expect(capped.reason).toBe('maxIterations');
    expect(capped.iterations).toBe(2);
    expect(Number.isFinite(capped.cost)).toBe(true);
    const nan: LeastSquaresProblem = { nParams: 1, nResiduals: 1, evaluate(p, r) { r[0] = Math.sqrt(p[0]); } };
    expect(levenbergMarquardt(nan, { initial: [-1], jacobian: 'forward' }).reason).toBe('nonFinite');
    // A residual that cannot reach zero: r = x^2 + 1, stationary at x = 0.
    const floor: LeastSquaresProblem = { nParams: 1, nResiduals: 1, evaluate(p, r, J) { r[0] = p[0] * p[0] + 1; if (J) J[0] = 2 * p[0]; } };
    const s = levenbergMarquardt(floor, { initial: [0.7] });
    expect(['stationaryPoint', 'converged', 'smallStep']).toContain(s.reason);
    expect(Math.abs(s.params[0])).toBeLessThan(1e-4);
    const flat = levenbergMarquardt(floor, { initial: [0] });
    expect(flat.reason).toBe('stationaryPoint');
  });

  it('rejects malformed options with InputError naming the field', () => {
    const bad = (o: object, path: string) => {
      try {
        levenbergMarquardt(decay, { initial: [1, 1, 1], ...o });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).path).toBe(path);
      }
    };
    bad({ initial: [1, 1] }, 'initial');
    bad({ lower: [0, 2, 0], upper: [1, 1, 1] }, 'lower[1]');
    bad({ weights: [1] }, 'weights');
    bad({ jacobian: 'exact' }, 'jacobian');
    bad({ maxIterations: -1 }, 'maxIterations');
  });

  it('multiStart keeps the best run and reports every run', () => {
    const r = multiStart(decay, { starts: [[0.1, 9, 4], [1, 1, 0]], lower: [0, 0, -5], upper: [10, 10, 5] });
    expect(r.runs.length).toBe(2);
    expect(r.cost).toBeLessThan(1e-20);
    expect(r.cost).toBe(Math.min(...r.runs.map((x) => x.cost)));
  });
});

describe('differential evolution', () => {
  // Rastrigin in 2D: global minimum 0 at the origin among many local minima.
  const rastrigin = (p: Float64Array) => 20 + p[0] * p[0] + p[1] * p[1] - 10 * (Math.cos(2 * Math.PI * p[0]) + Math.cos(2 * Math.PI * p[1]));

  it('finds the global minimum of Rastrigin and is a pure function of the seed', () => {
    const o = { lower: [-5.12, -5.12], upper: [5.12, 5.12], seed: 42, maxGenerations: 300, populationSize: 30 };
    const a = differentialEvolution(rastrigin, o);
    const b = differentialEvolution(rastrigin, o);
    expect(a.params).toEqual(b.params);
    expect(a.evaluations).toBe(b.evaluations);
    expect(a.cost).toBeLessThan(1e-6);
    const c = differentialEvolution(rastrigin, { ...o, seed: 43 });
    expect(c.params).not.toEqual(a.params);
  });

  it('keeps every candidate in the box', () => {
    const seen: number[][] = [];
    differentialEvolution((p) => {
      seen.push([...p]);
      return (p[0] - 10) ** 2;
    }, { lower: [-1], upper: [1], seed: 7, maxGenerations: 20 });
    expect(seen.every(([x]) => x >= -1 && x <= 1)).toBe(true);
  });
});
