/**
 * Linear and convex quadratic programs of hedge calibration, solved by HiGHS (the University of
 * Edinburgh's LP/MIP/QP solver) compiled to WebAssembly: the `highs` npm package, an OPTIONAL peer
 * dependency loaded on the first solve, so a program that never calibrates a margin- or ES-optimal
 * hedge neither downloads nor compiles its 3.5 MB of WebAssembly.
 *
 * Why HiGHS: the margin objective (worst loss over a grid plus add-ons) and the expected-shortfall
 * objective (Rockafellar-Uryasev) are LPs whose optimum sits at a vertex; a simplex solver returns
 * that vertex to machine precision with a proof of optimality (its status), and HiGHS is the
 * best-kept open-source LP solver (MIT, used by SciPy's `linprog` since 1.6). Its WebAssembly build
 * runs in Node and browsers alike; bundlers copy `highs.wasm` through its
 * `new URL('highs.wasm', import.meta.url)`. Why a peer and not bundled: riskwasm's dist carries no
 * third-party runtime code a caller did not ask for (the package test installs nothing else), and
 * a 3.5 MB binary per install for one method is the wrong default. A caller who hosts the binary
 * elsewhere passes a loaded instance (`lpSolver`).
 */
import { InputError, RiskwasmError } from '../errors.js';

/** The `highs` package could not be imported: `npm install highs` (an optional peer dependency). */
export class LpSolverMissingError extends RiskwasmError {
  readonly packages: readonly string[] = ['highs'];
  constructor(cause?: unknown) {
    super('LP_SOLVER_MISSING', 'the LP solver package `highs` is not installed: npm install highs@^1.15 (an optional peer dependency of riskwasm, needed by calibrateHedge objective "margin" and measure "es")');
    this.name = 'LpSolverMissingError';
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** What riskwasm uses of a loaded `highs` module (its `raw` one-shot calls). */
export interface LpSolver {
  readonly infinity: number;
  readonly raw: {
    lpCall(model: unknown): { status: number; value?: { modelStatus: number; solution: { colValue: ArrayLike<number> } } };
    qpCall(model: unknown): { status: number; value?: { modelStatus: number; solution: { colValue: ArrayLike<number> } } };
  };
}

let pending: Promise<LpSolver> | undefined;

/**
 * The HiGHS solver, imported and instantiated once per process (a failed attempt is retried).
 * @throws (rejects) LpSolverMissingError when `highs` is not installed or fails to load.
 */
export function loadLpSolver(): Promise<LpSolver> {
  // External in the bundle (scripts/bundle.mjs): highs stays the caller's package, resolved by their bundler or Node.
  pending ??= import('highs').then(
    async (m) => (m.default as unknown as () => Promise<LpSolver>)(),
    (e: unknown) => { throw new LpSolverMissingError(e); },
  );
  pending.catch(() => { pending = undefined; });
  return pending;
}

/** A solver given by the caller, checked for the calls riskwasm makes. @throws InputError at `path`. */
export function checkLpSolver(v: unknown, path: string): LpSolver {
  const s = v as LpSolver;
  if (s === null || typeof s !== 'object' || typeof s.infinity !== 'number' || typeof s.raw?.lpCall !== 'function' || typeof s.raw?.qpCall !== 'function') {
    throw new InputError(path, v, 'a loaded highs module (await (await import("highs")).default())');
  }
  return s;
}

/** Model status names of HiGHS (constants.modelStatus), for results. */
const MODEL_STATUS: readonly LpStatus[] = [
  'notSet', 'loadError', 'modelError', 'presolveError', 'solveError', 'postsolveError', 'empty', 'optimal', 'infeasible',
  'unboundedOrInfeasible', 'unbounded', 'objectiveBound', 'objectiveTarget', 'timeLimit', 'iterationLimit', 'unknown', 'solutionLimit', 'interrupted',
];
/** HiGHS's model status (constants.modelStatus by name), or 'error' when the call itself failed. */
export type LpStatus =
  | 'notSet' | 'loadError' | 'modelError' | 'presolveError' | 'solveError' | 'postsolveError' | 'empty' | 'optimal' | 'infeasible'
  | 'unboundedOrInfeasible' | 'unbounded' | 'objectiveBound' | 'objectiveTarget' | 'timeLimit' | 'iterationLimit' | 'unknown'
  | 'solutionLimit' | 'interrupted' | 'error';

/**
 * A dense program: minimise cost'x + 1/2 x'Hx subject to rowLower <= A x <= rowUpper and
 * lower <= x <= upper (infinite bounds as +-Infinity). A: row-major nRows x nCols. H (optional):
 * row-major nCols x nCols, symmetric positive semidefinite.
 */
export interface DenseProgram {
  cost: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  A: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  H?: Float64Array;
}

/** Solution of a {@link DenseProgram}: x (NaN unless status 'optimal') and the solver's status. */
export interface ProgramSolution {
  x: Float64Array;
  status: LpStatus;
}

/** Solve a dense LP or convex QP with HiGHS (sparse CSR of the nonzeros). */
export function solveDense(solver: LpSolver, p: DenseProgram): ProgramSolution {
  const n = p.cost.length;
  const m = p.rowLower.length;
  const inf = solver.infinity;
  const clip = (a: Float64Array) => Array.from(a, (v) => (v === Infinity ? inf : v === -Infinity ? -inf : v));
  const starts = new Int32Array(m + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) {
      const a = p.A[r * n + j];
      if (a !== 0) {
        indices.push(j);
        values.push(a);
      }
    }
    starts[r + 1] = indices.length;
  }
  const model: Record<string, unknown> = {
    numCols: n, numRows: m, colCost: Array.from(p.cost), colLower: clip(p.lower), colUpper: clip(p.upper), rowLower: clip(p.rowLower), rowUpper: clip(p.rowUpper),
    matrix: { format: 'csr', numRows: m, numCols: n, starts, indices: Int32Array.from(indices), values: Float64Array.from(values) },
  };
  let r;
  if (p.H) {
    // Lower triangle, compressed by column.
    const hs = new Int32Array(n + 1);
    const hi: number[] = [];
    const hv: number[] = [];
    for (let j = 0; j < n; j++) {
      for (let i = j; i < n; i++) {
        const h = p.H[i * n + j];
        if (h !== 0) {
          hi.push(i);
          hv.push(h);
        }
      }
      hs[j + 1] = hi.length;
    }
    r = solver.raw.qpCall({ ...model, hessian: { format: 'triangular', dimension: n, starts: hs, indices: Int32Array.from(hi), values: Float64Array.from(hv) } });
  } else r = solver.raw.lpCall(model);
  const status: LpStatus = r.status === -1 || !r.value ? 'error' : (MODEL_STATUS[r.value.modelStatus] ?? 'unknown');
  const x = new Float64Array(n).fill(NaN);
  if (status === 'optimal' && r.value) for (let j = 0; j < n; j++) x[j] = r.value.solution.colValue[j];
  return { x, status };
}
