// Correlation matrices: the Jacobi eigensolver, the pivot-free semidefinite Cholesky, validation,
// and Higham's nearest correlation matrix against references from an independent tool
// (scripts/fixtures/gen_nearest_correlation.py: numpy/LAPACK alternating projections and a scipy
// solution of the dual problem, which agree to 1e-15) and against the optimality condition itself.
import { describe, expect, it } from 'vitest';
import { expectInputError } from './backends.js';
import fixtures from './fixtures/nearest-correlation.json';
import {
  checkCorrelationMatrix, choleskySemidefinite, InputError, nearestCorrelationMatrix, symmetricEigen,
} from '../src/index.js';

/** A small seeded generator (mulberry32) so random matrices replay. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const flat = (m: number[][]): number[] => m.flat();
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};
function multiplyLLt(L: ArrayLike<number>, n: number): Float64Array {
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += L[i * n + k]! * L[j * n + k]!;
    C[i * n + j] = s;
  }
  return C;
}
/** A random correlation matrix of rank <= r: rows of a random n x r factor, normalised. */
function randomCorrelation(n: number, r: number, next: () => number): Float64Array {
  const B = Array.from({ length: n }, () => Array.from({ length: r }, () => 2 * next() - 1));
  const rows = B.map((b) => {
    const norm = Math.hypot(...b);
    return b.map((x) => x / norm);
  });
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) C[i * n + j] = i === j ? 1 : rows[i]!.reduce((s, x, k) => s + x * rows[j]![k]!, 0);
  return C;
}

describe('symmetric eigen-decomposition (cyclic Jacobi)', () => {
  it('tridiagonal (2, -1): eigenvalues 2 - 2 cos(k pi / 5) to 1e-14 (measured 1.8e-15: 4 ulps of the largest), orthonormal vectors and V diag V^T = A to 4e-15', () => {
    const A = flat(fixtures.cases[0]!.input);
    const { values, vectors } = symmetricEigen(A, 4);
    const exact = [1, 2, 3, 4].map((k) => 2 - 2 * Math.cos((k * Math.PI) / 5));
    expect(maxAbsDiff(values, exact)).toBeLessThan(1e-14);
    const R = new Float64Array(16);
    const VtV = new Float64Array(16);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) {
      R[i * 4 + j] += vectors[i * 4 + k]! * values[k]! * vectors[j * 4 + k]!;
      VtV[i * 4 + j] += vectors[k * 4 + i]! * vectors[k * 4 + j]!;
    }
    expect(maxAbsDiff(R, A)).toBeLessThan(4e-15); // measured 1.8e-15 (4 ulps of 2)
    expect(maxAbsDiff(VtV, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])).toBeLessThan(4e-15);
  });

  it('random symmetric 12 x 12 (seeded): reconstruction to 1e-14, trace preserved, ascending', () => {
    const next = rng(12);
    const n = 12;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) A[i * n + j] = A[j * n + i] = 2 * next() - 1;
    const { values, vectors } = symmetricEigen(A, n);
    const R = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) R[i * n + j] += vectors[i * n + k]! * values[k]! * vectors[j * n + k]!;
    expect(maxAbsDiff(R, A)).toBeLessThan(1e-14);
    let tr = 0;
    for (let i = 0; i < n; i++) tr += A[i * n + i]!;
    expect(Math.abs(values.reduce((s, x) => s + x, 0) - tr)).toBeLessThan(1e-13);
    for (let k = 1; k < n; k++) expect(values[k]!).toBeGreaterThanOrEqual(values[k - 1]!);
  });
});

describe('pivot-free semidefinite Cholesky', () => {
  it('positive definite: L L^T = C to 2e-16, full rank, lower triangular', () => {
    const C = [1, 0.5, -0.3, 0.5, 1, 0.2, -0.3, 0.2, 1];
    const r = choleskySemidefinite(C, 3);
    expect(r.ok).toBe(true);
    expect(r.rank).toBe(3);
    expect(maxAbsDiff(multiplyLLt(r.factor, 3), C)).toBeLessThan(2.5e-16);
    expect([r.factor[1], r.factor[2], r.factor[5]]).toEqual([0, 0, 0]);
  });

  it('semi-definite: perfectly correlated and anti-correlated assets factor exactly (zero pivots, zero columns)', () => {
    const C = [1, 1, -1, 1, 1, -1, -1, -1, 1];
    const r = choleskySemidefinite(C, 3);
    expect(r).toMatchObject({ ok: true, rank: 1 });
    expect(Array.from(r.factor)).toEqual([1, 0, 0, 1, 0, 0, -1, 0, 0]);
  });

  it('semi-definite: random rank-2 and rank-3 correlation matrices of size 6 (seeded) factor with the right rank, L L^T = C to 1e-12', () => {
    // A zero pivot (|d| <= 1e-12) drops a Schur-complement column of entries up to sqrt(1e-12) = 1e-6;
    // for exactly low-rank matrices those entries are rounding errors (measured up to 3.4e-13).
    const next = rng(7);
    for (const rank of [2, 3]) {
      for (let t = 0; t < 20; t++) {
        const C = randomCorrelation(6, rank, next);
        const r = choleskySemidefinite(C, 6);
        expect(r.ok).toBe(true);
        expect(r.rank).toBe(rank);
        expect(maxAbsDiff(multiplyLLt(r.factor, 6), C)).toBeLessThan(1e-12);
      }
    }
  });

  it('not PSD: ok is false (a negative pivot, or a nonzero entry under a zero pivot)', () => {
    expect(choleskySemidefinite(flat(fixtures.cases[1]!.input), 3).ok).toBe(false);
    expect(choleskySemidefinite(flat(fixtures.cases[2]!.input), 3).ok).toBe(false);
    // d_1 = 0 exactly but the entry below it is 0.5: [[1,1,0],[1,1,0.5],[0,0.5,1]] is indefinite.
    expect(choleskySemidefinite([1, 1, 0, 1, 1, 0.5, 0, 0.5, 1], 3)).toMatchObject({ ok: false, failedAt: 1 });
  });
});

describe('correlation matrix validation', () => {
  it('accepts rows, flat arrays and Float64Array; returns a symmetrised copy; never modifies the input', () => {
    const rows = [[1, 0.3], [0.3 + 5e-13, 1]];
    const copy = JSON.parse(JSON.stringify(rows));
    const c = checkCorrelationMatrix(rows, 2, 'm');
    expect(c[1]).toBe(c[2]);
    expect(rows).toEqual(copy);
    expect(Array.from(checkCorrelationMatrix(new Float64Array([1, 0.3, 0.3, 1]), 2, 'm'))).toEqual([1, 0.3, 0.3, 1]);
  });

  it.each([
    [[[1, 0.3], [0.31, 1]], 'm[1][0]'], [[[1, 1.2], [1.2, 1]], 'm[0][1]'], [[[1, 0], [0, 0.9]], 'm[1][1]'],
    [[[1, NaN], [NaN, 1]], 'm[0][1]'], [[[1, 0], [0]], 'm[1]'], [[1, 0, 0], 'm'], [[1, 0, 0, 1.5], 'm[3]'], ['identity', 'm'],
    [[[1, 0, 0], [0, 1, 0], [0, 0, 1]], 'm'],
  ] as [unknown, string][])('%o -> InputError at %s', (value, path) => {
    expectInputError(() => checkCorrelationMatrix(value, 2, 'm'), path);
  });
});

describe('nearest correlation matrix (Higham 2002)', () => {
  it('Higham (2002) / NAG g02aa example: the published 4 x 4 result to its printed digits', () => {
    const r = nearestCorrelationMatrix([[2, -1, 0, 0], [-1, 2, -1, 0], [0, -1, 2, -1], [0, 0, -1, 2]]);
    // NAG Library Mark 24, g02aa example output (8 significant digits), originally Higham (2002).
    const nag = [
      [1.0, -0.8084125, 0.1915875, 0.10677505],
      [-0.8084125, 1.0, -0.65623269, 0.1915875],
      [0.1915875, -0.65623269, 1.0, -0.8084125],
      [0.10677505, 0.1915875, -0.8084125, 1.0],
    ];
    expect(maxAbsDiff(flat(r.matrix), flat(nag))).toBeLessThan(5e-9);
    expect(r.converged).toBe(true);
    expect(r.reason).toBe('converged');
  });

  it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s: within 1e-12 of the numpy/scipy reference (measured <= 1.6e-13, 28-39 iterations); unit diagonal, PSD; distance as the reference', (_name, c) => {
    const r = nearestCorrelationMatrix(c.input);
    const n = c.input.length;
    expect(maxAbsDiff(flat(r.matrix), flat(c.nearest))).toBeLessThan(1e-12);
    for (let i = 0; i < n; i++) expect(r.matrix[i]![i]).toBe(1);
    expect(r.smallestEigenvalue).toBeGreaterThan(-1e-14);
    expect(choleskySemidefinite(flat(r.matrix), n).ok).toBe(true);
    expect(Math.abs(r.frobeniusDistance - c.frobeniusDistance)).toBeLessThan(1e-12);
    expect(r.iterations).toBeGreaterThan(1);
    expect(r.iterations).toBeLessThan(200);
  });

  it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s: optimal: <X - A, C - X> >= 0 for every extreme rank-one and 2000 random correlation matrices C (seeded)', (_name, c) => {
    // The correlation matrices form a convex set and ||X - A||^2 is strictly convex, so X is the
    // nearest iff the variational inequality <X - A, C - X>_F >= 0 holds for every correlation
    // matrix C (no correlation matrix in any direction from X is closer). Checked on the rank-one
    // sign matrices s s^T (vertices of the elliptope) and on random ones of every rank.
    const n = c.input.length;
    const A = flat(c.input);
    const X = flat(nearestCorrelationMatrix(c.input).matrix);
    const G = X.map((x, i) => x - A[i]!);
    const inner = (C: ArrayLike<number>): number => G.reduce((s, g, i) => s + g * (C[i]! - X[i]!), 0);
    let worst = Infinity;
    for (let mask = 0; mask < 1 << (n - 1); mask++) {
      const s = Array.from({ length: n }, (_, i) => (i > 0 && (mask >> (i - 1)) & 1 ? -1 : 1));
      worst = Math.min(worst, inner(s.flatMap((si) => s.map((sj) => si * sj))));
    }
    const next = rng(2002);
    for (let t = 0; t < 2000; t++) worst = Math.min(worst, inner(randomCorrelation(n, 1 + (t % n), next)));
    // Small perturbations around X itself, pulled back into the set by mixing with the identity.
    for (let t = 0; t < 500; t++) {
      const C = randomCorrelation(n, n, next);
      worst = Math.min(worst, inner(X.map((x, i) => x + 1e-3 * (C[i]! - x))) / 1e-3);
    }
    expect(worst).toBeGreaterThan(-1e-9);
  });

  it('a correlation matrix that is already PSD comes back unchanged (distance < 1e-14, one iteration)', () => {
    const C = [[1, 0.5, 0.2], [0.5, 1, -0.1], [0.2, -0.1, 1]];
    const r = nearestCorrelationMatrix(C);
    expect(maxAbsDiff(flat(r.matrix), flat(C))).toBeLessThan(1e-14);
    expect(r.frobeniusDistance).toBeLessThan(1e-14);
    expect(r.iterations).toBe(1);
  });

  it('the iteration limit is an outcome, not an error', () => {
    const r = nearestCorrelationMatrix(fixtures.cases[3]!.input, { maxIterations: 3 });
    expect(r).toMatchObject({ converged: false, reason: 'maxIterations', iterations: 3 });
    expect(r.smallestEigenvalue).toBeGreaterThan(-1e-14); // still a correlation matrix
  });

  it('malformed inputs are InputErrors; the input is not modified', () => {
    expectInputError(() => nearestCorrelationMatrix([[1, 2], [3, 1]]), 'matrix[1][0]');
    expectInputError(() => nearestCorrelationMatrix([1, 2, 3]), 'matrix');
    expectInputError(() => nearestCorrelationMatrix([[1, 0], [0, 1]], { tolerance: 0 }), 'options.tolerance');
    const input = fixtures.cases[2]!.input.map((r) => r.slice());
    nearestCorrelationMatrix(input);
    expect(input).toEqual(fixtures.cases[2]!.input);
  });
});
