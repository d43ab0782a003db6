/**
 * Correlation matrices for the multi-asset Monte Carlo: validation, a pivot-free Cholesky
 * factorisation that accepts positive semi-definite (singular) matrices, a symmetric eigensolver
 * (cyclic Jacobi) for the smallest-eigenvalue diagnostic, and Higham's nearest correlation matrix.
 * Plain TypeScript on small dense matrices (n up to a few hundred): O(n^3) per factorisation or
 * eigen-decomposition. Matrices are row-major Float64Array n x n unless stated.
 */
import { InputError } from '../errors.js';
import { requireInteger, requireNumber, requireNumberArray, requireRecord } from '../arguments.js';
import { checkKeys } from '../option-keys.js';

/**
 * Largest n of an n x n matrix the public functions accept (the Monte Carlo's `MAX_ASSETS`):
 * these are dense O(n^3) algorithms, and Jacobi already takes about a second at n = 256.
 */
export const MAX_MATRIX_SIZE = 256;

/** @throws InputError unless `path` is a string (it names the matrix in error reports). */
function requirePath(path: unknown): string {
  if (typeof path !== 'string') throw new InputError('path', path, 'a string (the name of the matrix in error reports)');
  return path;
}

/** A flat row-major n x n matrix argument: `n` an integer in [0, MAX_MATRIX_SIZE], `matrix` n^2 numbers. */
function requireFlatMatrix(matrix: unknown, n: unknown): number {
  const size = requireInteger(n, 'n', 0, MAX_MATRIX_SIZE);
  requireNumberArray(matrix, 'matrix', size * size, size * size);
  return size;
}

/** Largest symmetry defect |C_ij - C_ji| accepted (and largest |C_ii - 1|). */
export const CORRELATION_SYMMETRY_TOLERANCE = 1e-12;
/**
 * Cholesky pivot tolerance for a unit-diagonal matrix: a pivot below -tol means "not positive
 * semi-definite"; a pivot in [-tol, tol] is a zero pivot (its column of the factor is zero), and
 * then every remaining entry of its Schur-complement column must be below sqrt(tol) in magnitude
 * (for a PSD matrix |r_ij|^2 <= r_jj r_ii <= tol), else the matrix is not PSD either.
 */
const PIVOT_TOLERANCE = 1e-12;

/** Eigenvalues (ascending) and orthonormal eigenvectors (column j of the row-major n x n `vectors`). */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric matrix by the cyclic Jacobi method (G. H. Golub and
 * C. F. Van Loan, Matrix Computations, 4th ed., sec. 8.5; rotation as in Numerical Recipes
 * sec. 11.1): sweeps of plane rotations until the off-diagonal mass is below 1e-30 of the total.
 * Accurate to a few ulps of the largest eigenvalue; O(n^3) per sweep, ~6-10 sweeps.
 * The whole matrix is read; it must be symmetric (NaN entries give NaN results).
 * @param matrix row-major n x n numbers (array or typed array of length n^2).
 * @param n the order, an integer in [0, {@link MAX_MATRIX_SIZE}].
 * @throws InputError naming `n`, `matrix`, `matrix.length` or `matrix[i]` for a malformed argument.
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  requireFlatMatrix(matrix, n);
  return symmetricEigenCore(matrix, n);
}

/** {@link symmetricEigen} on checked arguments. */
function symmetricEigenCore(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  const A = Float64Array.from(matrix as ArrayLike<number>);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += A[i]! * A[i]!;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q]! * A[p * n + q]!;
    if (!(off > 1e-30 * total)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (apq === 0) continue;
        const theta = (A[q * n + q]! - A[p * n + p]!) / (2 * apq);
        const t = Math.abs(theta) > 1e150 ? 0.5 / theta : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A <- P^T A P with P_pp = P_qq = c, P_pq = s, P_qp = -s: columns, then rows.
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!;
          const akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!;
          const aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        A[p * n + q] = 0;
        A[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!;
          const vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[i * n + i]! - A[j * n + j]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = A[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = V[k * n + src]!;
  });
  return { values, vectors };
}

/** Smallest eigenvalue of a symmetric matrix (Jacobi). */
export function smallestEigenvalue(matrix: ArrayLike<number>, n: number): number {
  return n === 0 ? NaN : symmetricEigenCore(matrix, n).values[0]!;
}

/** Result of {@link choleskySemidefinite}. */
export interface CholeskyResult {
  /** True when the matrix is positive semi-definite within the pivot tolerance. */
  ok: boolean;
  /** Lower-triangular L (row-major n x n) with L L^T = C; zero columns at zero pivots. Partial when !ok. */
  factor: Float64Array;
  /** Number of nonzero pivots. */
  rank: number;
  /** Column where the factorisation failed (-1 when ok). */
  failedAt: number;
}

/**
 * Pivot-free Cholesky factorisation C = L L^T of a symmetric positive semi-definite matrix
 * (columns left to right, no row exchanges, so the factor of a one-asset or already-ordered
 * problem is the textbook one). A pivot d_j = C_jj - sum_k L_jk^2 in [-tol, tol] is a zero pivot:
 * column j of L is zero, which requires every Schur-complement entry below it to be at most
 * sqrt(tol) in magnitude (perfectly correlated assets give exact zeros there). A pivot below -tol,
 * or a larger entry under a zero pivot, means C is not PSD: `ok` is false (so does a NaN entry).
 * @param matrix row-major n x n numbers (array or typed array of length n^2); only the lower
 *   triangle and the diagonal are read.
 * @param n the order, an integer in [0, {@link MAX_MATRIX_SIZE}].
 * @param tol the pivot tolerance, a finite number >= 0.
 * @throws InputError naming `n`, `matrix`, `matrix.length`, `matrix[i]` or `tol` for a malformed
 *   argument; a matrix that is not PSD is not an error (`ok: false`).
 */
export function choleskySemidefinite(matrix: ArrayLike<number>, n: number, tol = PIVOT_TOLERANCE): CholeskyResult {
  requireFlatMatrix(matrix, n);
  if (!(requireNumber(tol, 'tol') >= 0 && tol < Infinity)) throw new InputError('tol', tol, 'a finite number >= 0');
  return choleskyCore(matrix, n, tol);
}

/** {@link choleskySemidefinite} on checked arguments. */
function choleskyCore(matrix: ArrayLike<number>, n: number, tol = PIVOT_TOLERANCE): CholeskyResult {
  const L = new Float64Array(n * n);
  const offTol = Math.sqrt(tol);
  let rank = 0;
  for (let j = 0; j < n; j++) {
    let d = matrix[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! * L[j * n + k]!;
    if (d < -tol || !Number.isFinite(d)) return { ok: false, factor: L, rank, failedAt: j };
    if (d <= tol) {
      for (let i = j + 1; i < n; i++) {
        let r = matrix[i * n + j]!;
        for (let k = 0; k < j; k++) r -= L[i * n + k]! * L[j * n + k]!;
        if (Math.abs(r) > offTol) return { ok: false, factor: L, rank, failedAt: j };
      }
      continue;
    }
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    rank++;
    for (let i = j + 1; i < n; i++) {
      let r = matrix[i * n + j]!;
      for (let k = 0; k < j; k++) r -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = r / ljj;
    }
  }
  return { ok: true, factor: L, rank, failedAt: -1 };
}

/**
 * A square matrix from `number[][]` (rows) or a flat row-major `number[]` / `Float64Array` of
 * length n^2, copied into a Float64Array; every entry finite; n at most {@link MAX_MATRIX_SIZE}.
 * `n` is checked when given.
 * @throws InputError naming `path` (or the row) for a ragged, non-square, too large or non-finite input.
 */
export function squareMatrix(value: unknown, path: string, n?: number): { n: number; data: Float64Array } {
  let data: Float64Array;
  let size: number;
  if (Array.isArray(value) && value.length > MAX_MATRIX_SIZE * MAX_MATRIX_SIZE) {
    throw new InputError(`${path}.length`, value.length, `at most ${MAX_MATRIX_SIZE} rows or ${MAX_MATRIX_SIZE}^2 numbers`);
  }
  if (isRows(value)) {
    size = value.length;
    if (size > MAX_MATRIX_SIZE) throw new InputError(`${path}.length`, size, `at most ${MAX_MATRIX_SIZE} rows`);
    data = new Float64Array(size * size);
    (value as ArrayLike<unknown>[]).forEach((row, i) => {
      if (row.length !== size) throw new InputError(`${path}[${i}]`, row, `a row of ${size} numbers (a square matrix)`);
      for (let j = 0; j < size; j++) {
        const x = row[j];
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(`${path}[${i}][${j}]`, x, 'a finite number');
        data[i * size + j] = x;
      }
    });
  } else if (Array.isArray(value) || value instanceof Float64Array) {
    const flat = value as ArrayLike<unknown>;
    size = Math.round(Math.sqrt(flat.length));
    if (size === 0 || size * size !== flat.length) throw new InputError(path, value, 'a square matrix: rows (number[][]) or row-major n x n numbers');
    data = new Float64Array(flat.length);
    for (let i = 0; i < flat.length; i++) {
      const x = flat[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(`${path}[${i}]`, x, 'a finite number');
      data[i] = x;
    }
  } else {
    throw new InputError(path, value, 'a square matrix: rows (number[][]) or row-major n x n numbers (number[] or Float64Array)');
  }
  if (n !== undefined && size !== n) throw new InputError(path, value, `a ${n} x ${n} matrix (one row per asset)`);
  return { n: size, data };
}

/** True for a non-empty array whose every element is an array or typed array (rows of a matrix). */
function isRows(value: unknown): value is ArrayLike<unknown>[] {
  return Array.isArray(value) && value.length > 0 && value.every((r) => Array.isArray(r) || (ArrayBuffer.isView(r) && !(r instanceof DataView)));
}

/**
 * Validate a correlation matrix (not modifying it): square n x n, finite, symmetric to
 * {@link CORRELATION_SYMMETRY_TOLERANCE}, unit diagonal to the same tolerance, entries in [-1, 1].
 * Returns a symmetrised copy ((C + C^T)/2, diagonal exactly 1). Positive semi-definiteness is
 * checked by the factorisation, not here.
 * @param n the expected order, an integer in [1, {@link MAX_MATRIX_SIZE}].
 * @param path the matrix's name in error reports (default `'matrix'`).
 * @throws InputError with the path of the offending entry (or `n`, `path`).
 */
export function checkCorrelationMatrix(value: unknown, n: number, path = 'matrix'): Float64Array {
  requirePath(path);
  requireInteger(n, 'n', 1, MAX_MATRIX_SIZE);
  const { data } = squareMatrix(value, path, n);
  const out = new Float64Array(n * n);
  const flat = !isRows(value);
  const at = (i: number, j: number): string => (flat ? `${path}[${i * n + j}]` : `${path}[${i}][${j}]`);
  for (let i = 0; i < n; i++) {
    const d = data[i * n + i]!;
    if (Math.abs(d - 1) > CORRELATION_SYMMETRY_TOLERANCE) throw new InputError(at(i, i), d, 'a unit diagonal (1 to within 1e-12)');
    out[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      const a = data[i * n + j]!;
      const b = data[j * n + i]!;
      if (!(a >= -1 && a <= 1)) throw new InputError(at(i, j), a, 'a correlation in [-1, 1]');
      if (!(b >= -1 && b <= 1)) throw new InputError(at(j, i), b, 'a correlation in [-1, 1]');
      if (Math.abs(a - b) > CORRELATION_SYMMETRY_TOLERANCE) throw new InputError(at(j, i), b, `a symmetric matrix (${at(i, j)} is ${a}; to within 1e-12)`);
      const m = 0.5 * (a + b);
      out[i * n + j] = m;
      out[j * n + i] = m;
    }
  }
  return out;
}

/** Options of {@link nearestCorrelationMatrix}. */
export interface NearestCorrelationOptions {
  /** Stop when the relative changes of both iterates and their gap are below this (default 1e-12). */
  tolerance?: number;
  /** Iteration limit (default 10000); reaching it is an outcome (`reason: 'maxIterations'`), not an error. */
  maxIterations?: number;
}

const NEAREST_KEYS = ['tolerance', 'maxIterations'] as const satisfies readonly (keyof NearestCorrelationOptions)[];
/** Largest `maxIterations` of {@link nearestCorrelationMatrix}. */
const MAX_NEAREST_ITERATIONS = 1_000_000;

/** Result of {@link nearestCorrelationMatrix}. */
export interface NearestCorrelationResult {
  /** The nearest correlation matrix: symmetric, unit diagonal, positive semi-definite. */
  matrix: number[][];
  /** Frobenius distance ||X - A||_F moved from the input. */
  frobeniusDistance: number;
  iterations: number;
  converged: boolean;
  reason: 'converged' | 'maxIterations';
  /** Smallest eigenvalue of the result (>= 0 up to rounding). */
  smallestEigenvalue: number;
}

/** Projection onto the PSD cone in the Frobenius norm: V max(Lambda, 0) V^T. */
function projectPsd(R: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigenCore(R, n);
  const X = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const lk = values[k]!;
    if (!(lk > 0)) continue;
    for (let i = 0; i < n; i++) {
      const vik = lk * vectors[i * n + k]!;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) X[i * n + j] += vik * vectors[j * n + k]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const m = 0.5 * (X[i * n + j]! + X[j * n + i]!);
    X[i * n + j] = m;
    X[j * n + i] = m;
  }
  return X;
}

function frobenius(a: Float64Array, b?: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = b ? a[i]! - b[i]! : a[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}

/**
 * Core of {@link nearestCorrelationMatrix} on a validated symmetric row-major matrix.
 *
 * N. J. Higham, "Computing the nearest correlation matrix - a problem from finance", IMA J.
 * Numer. Anal. 22(3) 2002, 329-343, Algorithm 3.3 with W = I: alternating projections onto the
 * PSD cone S and the unit-diagonal subspace U with Dykstra's correction applied to the (non
 * affine) projection onto S:
 *   R = Y - dS;  X = P_S(R);  dS = X - R;  Y = P_U(X)
 * stopping as Higham's nearcorr.m does, when the relative changes in X and Y and the relative gap
 * ||Y - X|| / ||Y|| are all <= tolerance. The returned matrix is the final Y made exactly PSD and
 * unit-diagonal: its negative eigenvalues (of the order of the tolerance) are clipped to zero and
 * it is rescaled D^-1/2 Y D^-1/2, a change of the order of the tolerance.
 */
function nearestCorrelationCore(A: Float64Array, n: number, tolerance = 1e-12, maxIterations = 10_000):
  { matrix: Float64Array; iterations: number; converged: boolean; frobeniusDistance: number; smallestEigenvalue: number } {
  let Y: Float64Array = Float64Array.from(A);
  let X: Float64Array = Float64Array.from(A);
  const dS = new Float64Array(n * n);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    const R = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) R[i] = Y[i]! - dS[i]!;
    const Xold = X;
    X = projectPsd(R, n);
    for (let i = 0; i < n * n; i++) dS[i] = X[i]! - R[i]!;
    const Yold = Y;
    Y = Float64Array.from(X);
    for (let i = 0; i < n; i++) Y[i * n + i] = 1;
    const nx = frobenius(X);
    const ny = frobenius(Y);
    const change = Math.max(frobenius(X, Xold) / nx, frobenius(Y, Yold) / ny, frobenius(Y, X) / ny);
    if (change <= tolerance) {
      converged = true;
      break;
    }
  }
  // Exactly PSD and unit diagonal.
  const P = projectPsd(Y, n);
  const out = new Float64Array(n * n);
  const dInv = new Float64Array(n);
  for (let i = 0; i < n; i++) dInv[i] = P[i * n + i]! > 0 ? 1 / Math.sqrt(P[i * n + i]!) : 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = i === j ? 1 : Math.max(-1, Math.min(1, P[i * n + j]! * dInv[i]! * dInv[j]!));
  }
  return { matrix: out, iterations, converged, frobeniusDistance: frobenius(out, A), smallestEigenvalue: smallestEigenvalue(out, n) };
}

/**
 * The nearest correlation matrix (Frobenius norm) to a symmetric matrix `a` (any diagonal: it need
 * not be a correlation matrix), by Higham's alternating projections with Dykstra's correction
 * (`nearestCorrelationCore`). Convergence is linear; typical inputs take tens to a few
 * hundred iterations, each one symmetric eigen-decomposition.
 * @example nearestCorrelationMatrix([[2, -1, 0, 0], [-1, 2, -1, 0], [0, -1, 2, -1], [0, 0, -1, 2]]).matrix[0]
 *   // [1, -0.8084125, 0.1915875, 0.1067750] (to 7 decimals; Higham 2002, NAG g02aa example)
 * @throws InputError for a non-square (or larger than {@link MAX_MATRIX_SIZE}), non-finite or
 *   non-symmetric (beyond 1e-12 relative) input, or a malformed or unknown option.
 */
export function nearestCorrelationMatrix(a: number[][] | ArrayLike<number>, options: NearestCorrelationOptions = {}): NearestCorrelationResult {
  checkKeys(requireRecord(options, 'options'), NEAREST_KEYS, 'options');
  const { n, data } = squareMatrix(a, 'matrix');
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(data[i]!));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    if (Math.abs(data[i * n + j]! - data[j * n + i]!) > CORRELATION_SYMMETRY_TOLERANCE * Math.max(scale, 1)) {
      throw new InputError(`matrix[${j}][${i}]`, data[j * n + i], `a symmetric matrix (matrix[${i}][${j}] is ${data[i * n + j]})`);
    }
    const m = 0.5 * (data[i * n + j]! + data[j * n + i]!);
    data[i * n + j] = m;
    data[j * n + i] = m;
  }
  const tolerance = options.tolerance ?? 1e-12;
  if (typeof tolerance !== 'number' || !(tolerance > 0 && tolerance < 1)) throw new InputError('options.tolerance', options.tolerance, 'a number in (0, 1)');
  const maxIterations = options.maxIterations ?? 10_000;
  requireInteger(maxIterations, 'options.maxIterations', 1, MAX_NEAREST_ITERATIONS);
  const r = nearestCorrelationCore(data, n, tolerance, maxIterations);
  const matrix = Array.from({ length: n }, (_, i) => Array.from(r.matrix.subarray(i * n, i * n + n)));
  return {
    matrix, frobeniusDistance: r.frobeniusDistance, iterations: r.iterations, converged: r.converged,
    reason: r.converged ? 'converged' : 'maxIterations', smallestEigenvalue: r.smallestEigenvalue,
  };
}

/**
 * Above this size a matrix that factors does not get the (diagnostic only) smallest eigenvalue:
 * Jacobi costs ~10 n^3 flops per sweep, ~1 s at n = 256 in JS.
 */
const EIGEN_DIAGNOSTIC_MAX = 64;

/** A validated correlation matrix ready for simulation (plain data). */
export interface PreparedCorrelation {
  /** The correlation matrix simulated (row-major n x n): the input, or its repair. */
  matrix: number[];
  /** Its lower-triangular factor L (row-major), L L^T = matrix (zero columns at zero pivots). */
  factor: number[];
  rank: number;
  /** Smallest eigenvalue of the input (NaN for a PSD input above `EIGEN_DIAGNOSTIC_MAX` (64) assets). */
  smallestEigenvalue: number;
  repaired: boolean;
  /** Frobenius distance moved by the repair (0 when not repaired). */
  frobeniusDistance: number;
  /** Higham iterations (0 when not repaired). */
  iterations: number;
}

/**
 * Validate and factor a model's correlation matrix. Not PSD (the pivot-free Cholesky fails beyond
 * {@link PIVOT_TOLERANCE}): an InputError at `path` giving the smallest eigenvalue, unless `repair`,
 * in which case the nearest correlation matrix (Higham 2002) is factored instead.
 * @throws InputError naming the offending entry or `path`.
 */
export function prepareCorrelation(value: unknown, n: number, repair: boolean, path: string): PreparedCorrelation {
  const C = checkCorrelationMatrix(value, n, path);
  const chol = choleskyCore(C, n);
  if (chol.ok) {
    return {
      matrix: Array.from(C), factor: Array.from(chol.factor), rank: chol.rank,
      smallestEigenvalue: n === 1 ? 1 : n <= EIGEN_DIAGNOSTIC_MAX ? smallestEigenvalue(C, n) : NaN,
      repaired: false, frobeniusDistance: 0, iterations: 0,
    };
  }
  const lambda = smallestEigenvalue(C, n);
  if (!repair) {
    throw new InputError(path, value, `a positive semi-definite correlation matrix (smallest eigenvalue ${lambda.toPrecision(6)}; ` +
      `Cholesky fails at column ${chol.failedAt}); pass repairCorrelation: true to use the nearest correlation matrix (Higham 2002)`);
  }
  const r = nearestCorrelationCore(C, n);
  const fixed = choleskyCore(r.matrix, n);
  if (!fixed.ok) {
    throw new InputError(path, value, `a correlation matrix whose Higham repair factors (smallest eigenvalue after repair ${r.smallestEigenvalue.toPrecision(6)})`);
  }
  return {
    matrix: Array.from(r.matrix), factor: Array.from(fixed.factor), rank: fixed.rank, smallestEigenvalue: lambda,
    repaired: true, frobeniusDistance: r.frobeniusDistance, iterations: r.iterations,
  };
}
