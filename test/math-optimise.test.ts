// The optimisers of math/optimise/ on standard test functions with known minima. Pure JS, no
// kernel: one run, no backend split.
import { describe, it, expect } from 'vitest';
import { levenbergMarquardt } from '../src/math/optimise/levenberg-marquardt.js';
import { multiStart } from '../src/math/optimise/multi-start.js';
import { differentialEvolution } from '../src/math/optimise/differential-evolution.js';
import { bfgs } from '../src/math/optimise/bfgs.js';
import { cholesky, choleskySolve } from '../src/math/optimise/cholesky.js';
import type { LeastSquaresProblem } from '../src/math/optimise/least-squares.js';
import { InputError } from '../src/index.js';

// Rosenbrock f = 100 (y - x^2)^2 + (1 - x)^2, minimum 0 at (1, 1) (Rosenbrock 1960).
const rosen = (x: readonly number[]) => ({
  f: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2,
  g: [-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)],
});
// Its least-squares form r = (10 (y - x^2), 1 - x).
const rosenLs: LeastSquaresProblem = {
  nParams: 2, nResiduals: 2,
  evaluate(p, r, J) {
    r[0] = 10 * (p[1] - p[0] * p[0]);
    r[1] = 1 - p[0];
    if (J) J.set([-20 * p[0], 10, -1, 0]);
  },
};
// Powell's singular function (More, Garbow & Hillstrom 1981, problem 13): minimum 0 at the origin,
// with a singular Jacobian there (convergence is linear, so the tolerance is looser).
const powell: LeastSquaresProblem = {
  nParams: 4, nResiduals: 4,
  evaluate(p, r, J) {
    r[0] = p[0] + 10 * p[1];
    r[1] = Math.sqrt(5) * (p[2] - p[3]);
    r[2] = (p[1] - 2 * p[2]) ** 2;
    r[3] = Math.sqrt(10) * (p[0] - p[3]) ** 2;
    if (J) {
      J.fill(0);
      J[0] = 1; J[1] = 10;
      J[6] = Math.sqrt(5); J[7] = -Math.sqrt(5);
      J[9] = 2 * (p[1] - 2 * p[2]); J[10] = -4 * (p[1] - 2 * p[2]);
      J[12] = 2 * Math.sqrt(10) * (p[0] - p[3]); J[15] = -2 * Math.sqrt(10) * (p[0] - p[3]);
    }
  },
};

describe('levenbergMarquardt', () => {
  it('reaches the Rosenbrock minimum (1, 1) from the classic start (-1.2, 1), analytic and central-difference Jacobians', () => {
    for (const jacobian of ['analytic', 'central'] as const) {
      const r = levenbergMarquardt(rosenLs, { initial: [-1.2, 1], jacobian });
      // Zero-residual problem: LM converges quadratically, so the point is exact to ~1e-10 (tolerance 1e-10).
      expect(r.params[0]).toBeCloseTo(1, 8);
      expect(r.params[1]).toBeCloseTo(1, 8);
      expect(r.cost).toBeLessThan(1e-20);
      expect(['converged', 'stationaryPoint', 'smallStep']).toContain(r.reason);
    }
  });

  it("reaches Powell's singular minimum (the origin) from (3, -1, 0, 1)", () => {
    const r = levenbergMarquardt(powell, { initial: [3, -1, 0, 1], maxIterations: 500 });
    // Singular Jacobian at the solution: linear convergence; 1e-4 is far below the start's distance 3.3.
    for (const v of r.params) expect(Math.abs(v)).toBeLessThan(1e-4);
  });

  it('stops on a bound and keeps every evaluated point in the box', () => {
    const seen: number[][] = [];
    const r = levenbergMarquardt(rosenLs, { initial: [0, 0], upper: [0.5, 10], onEvaluate: (p) => seen.push([...p]) });
    // With x <= 0.5 the minimum of Rosenbrock is at (0.5, 0.25).
    expect(r.params[0]).toBe(0.5);
    expect(r.params[1]).toBeCloseTo(0.25, 8);
    for (const p of seen) expect(p[0]).toBeLessThanOrEqual(0.5);
  });
});

describe('levenbergMarquardt on a non-finite Jacobian', () => {
  it('stops as nonFinite, not as a stationary point at the start', () => {
    // A NaN column has no norm: read as zero, the gradient test would end the run as converged.
    const p: LeastSquaresProblem = { nParams: 1, nResiduals: 1, evaluate(x, r, J) { r[0] = x[0]! - 3; if (J) J[0] = NaN; } };
    const r = levenbergMarquardt(p, { initial: [0] });
    expect(r.reason).toBe('nonFinite');
  });
});

describe('multiStart', () => {
  it('keeps the start with the lowest cost on a two-minimum problem', () => {
    // r(x) = (x - 1)^2 (x - 3)^2 + 0.1 x > 0: local minima of r^2 near x = 1 (r ~ 0.1, cost ~ 0.005)
    // and x = 3 (r ~ 0.3, cost ~ 0.045), so the two starts end at different costs.
    const p: LeastSquaresProblem = {
      nParams: 1, nResiduals: 1,
      evaluate(x, r, J) {
        const t = x[0]!;
        r[0] = (t - 1) ** 2 * (t - 3) ** 2 + 0.1 * t;
        if (J) J[0] = 4 * (t - 1) * (t - 3) * (t - 2) + 0.1;
      },
    };
    const r = multiStart(p, { starts: [[4], [0]] });
    expect(r.runs).toHaveLength(2);
    expect(Math.abs(r.runs[0]!.cost - r.runs[1]!.cost)).toBeGreaterThan(1e-3);
    expect(r.cost).toBe(Math.min(...r.runs.map((x) => x.cost)));
    // The start at 0 descends to the minimum near 1, the lower one.
    expect(r.bestStart).toBe(1);
    expect(Math.abs(r.params[0]! - 1)).toBeLessThan(0.1);
  });
});

describe('bfgs', () => {
  it('a start where f is not finite stops as lineSearch, not as converged on a small gradient', () => {
    const r = bfgs(() => ({ f: NaN, g: [0] }), [0]);
    expect(r.reason).toBe('lineSearch');
    expect(r.iterations).toBe(0);
  });

  it('reaches the Rosenbrock minimum (1, 1) from (-1.2, 1)', () => {
    const r = bfgs(rosen, [-1.2, 1], { maxIterations: 500 });
    expect(r.reason === 'gradient' || r.reason === 'stationaryPoint').toBe(true);
    // Gradient tolerance 1e-8 near a minimum with Hessian eigenvalues up to ~1000: |x - x*| <~ 1e-6.
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
    expect(r.f).toBeLessThan(1e-10);
  });

  it('minimises a convex quadratic exactly and reports the iteration limit when it is too small', () => {
    // f = (x - 3)^2 + 10 (y + 1)^2: minimum at (3, -1).
    const q = (x: readonly number[]) => ({ f: (x[0] - 3) ** 2 + 10 * (x[1] + 1) ** 2, g: [2 * (x[0] - 3), 20 * (x[1] + 1)] });
    const r = bfgs(q, [0, 0]);
    expect(r.x[0]).toBeCloseTo(3, 8);
    expect(r.x[1]).toBeCloseTo(-1, 8);
    expect(bfgs(q, [0, 0], { maxIterations: 1 }).reason).toBe('maxIterations');
  });

  it('does not modify x0 and rejects malformed calls', () => {
    const x0 = [-1.2, 1];
    bfgs(rosen, x0, { maxIterations: 3 });
    expect(x0).toEqual([-1.2, 1]);
    expect(() => bfgs(rosen, [], {})).toThrow(InputError);
    expect(() => bfgs(rosen, [1, 1], { maxIterations: -1 })).toThrow(InputError);
    expect(() => bfgs(rosen, [1, 1], { maxStep: 0 })).toThrow(InputError);
  });
});

describe('differentialEvolution', () => {
  it('finds the global minimum of the Rastrigin function in 2-d (many local minima), seeded and reproducible', () => {
    const rastrigin = (x: Float64Array) => 20 + x[0] ** 2 - 10 * Math.cos(2 * Math.PI * x[0]) + x[1] ** 2 - 10 * Math.cos(2 * Math.PI * x[1]);
    const opts = { lower: [-5.12, -5.12], upper: [5.12, 5.12], seed: 11, populationSize: 40, maxGenerations: 300 };
    const r = differentialEvolution(rastrigin, opts);
    // The nearest local minima (|x| = 1) cost about 1; the global one 0.
    expect(r.cost).toBeLessThan(1e-6);
    expect(Math.abs(r.params[0])).toBeLessThan(1e-3);
    expect(Math.abs(r.params[1])).toBeLessThan(1e-3);
    const again = differentialEvolution(rastrigin, opts);
    expect(Array.from(again.params)).toEqual(Array.from(r.params));
  });
});

describe('cholesky', () => {
  it('solves a symmetric positive-definite system and refuses an indefinite one', () => {
    const A = [4, 2, 0.6, 2, 5, 1, 0.6, 1, 3];
    const L = Float64Array.from(A);
    expect(cholesky(L, 3, 3)).toBe(true);
    const y = Float64Array.of(1, 2, 3);
    choleskySolve(L, 3, 3, y);
    for (let i = 0; i < 3; i++) {
      const back = A[i * 3] * y[0] + A[i * 3 + 1] * y[1] + A[i * 3 + 2] * y[2];
      expect(back).toBeCloseTo([1, 2, 3][i], 12);
    }
    expect(cholesky(Float64Array.of(1, 2, 2, 1), 2, 2)).toBe(false);
  });
});
