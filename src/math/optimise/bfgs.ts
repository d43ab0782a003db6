import { InputError } from '../../errors.js';
import { checkKeys } from '../../option-keys.js';
import { requireFunction, requireNumberArray } from '../../arguments.js';

/**
 * Why {@link bfgs} stopped (none is an error; the result holds the best point found):
 * - `gradient`: max |g_j| < `gradientTolerance`;
 * - `stationaryPoint`: the objective fell by at most 1e-15 (1 + |f|) on `flatIterations` accepted steps in a row;
 * - `maxIterations`: the iteration limit was reached;
 * - `lineSearch`: 40 halvings of the step found no sufficient decrease (Armijo).
 */
export type BfgsReason = 'gradient' | 'stationaryPoint' | 'maxIterations' | 'lineSearch';

/** An objective value and its gradient (length = the point's). A non-finite f counts as +Infinity. */
export interface ValueAndGradient {
  f: number;
  g: number[];
}

/** Options of {@link bfgs}. */
export interface BfgsOptions {
  /** Iterations (accepted steps or failed line searches) at most. Default 300. */
  maxIterations?: number;
  /** Stop when every |g_j| is below this. Default 1e-8. */
  gradientTolerance?: number;
  /** Largest |step_j| before the line search (the direction is scaled down to it). Default 5. */
  maxStep?: number;
  /** Accepted steps in a row with no relative decrease above 1e-15 before `stationaryPoint`. Default 3. */
  flatIterations?: number;
}

export const BFGS_KEYS = ['maxIterations', 'gradientTolerance', 'maxStep', 'flatIterations'] as const satisfies readonly (keyof BfgsOptions)[];

/** Result of {@link bfgs}. */
export interface BfgsResult {
  /** The last accepted point. */
  x: number[];
  /** Objective and gradient at x. */
  f: number;
  g: number[];
  reason: BfgsReason;
  iterations: number;
}

/** Most iterations one run may be asked for (every loop has a bound). */
export const BFGS_MAX_ITERATIONS = 1_000_000;

const ARMIJO = 1e-4;
const MAX_HALVINGS = 40;
/** Curvature s.y below which the inverse-Hessian update is skipped (it would lose positive definiteness). */
const CURVATURE_FLOOR = 1e-14;

/**
 * Unconstrained minimisation by BFGS on the inverse Hessian (Nocedal & Wright, Numerical
 * Optimization, 2nd ed., Algorithm 6.1) with a backtracking line search: step 1, halved until the
 * Armijo condition f(x + t p) <= f(x) + 1e-4 t g.p holds. The search direction restarts from
 * steepest descent when it is not a descent direction, and is capped at `maxStep` per coordinate
 * (for objectives in transformed coordinates, where a long step overflows). Deterministic JS.
 * @param fg the objective and its gradient at a point (must not keep the array).
 * @param x0 the starting point (not modified).
 * @throws InputError naming `fg`, `x0` / `x0[j]`, or a malformed option (`options.maxIterations`, ...).
 * @example
 * bfgs((x) => ({ f: (x[0] - 1) ** 2, g: [2 * (x[0] - 1)] }), [0]).x // [1] (to ~1e-8)
 */
export function bfgs(fg: (x: readonly number[]) => ValueAndGradient, x0: ArrayLike<number>, options: BfgsOptions = {}): BfgsResult {
  requireFunction(fg, 'fg');
  const start = requireNumberArray(x0, 'x0', 1, 10_000);
  if (options === null || typeof options !== 'object') throw new InputError('options', options, '{ maxIterations?, gradientTolerance?, maxStep?, flatIterations? }');
  checkKeys(options, BFGS_KEYS, 'options');
  const maxIter = options.maxIterations ?? 300;
  if (!Number.isInteger(maxIter) || maxIter < 0 || maxIter > BFGS_MAX_ITERATIONS) throw new InputError('options.maxIterations', maxIter, `an integer in [0, ${BFGS_MAX_ITERATIONS}]`);
  const gtol = positiveOption(options.gradientTolerance, 1e-8, 'options.gradientTolerance');
  const maxStep = positiveOption(options.maxStep, 5, 'options.maxStep');
  const flatMax = options.flatIterations ?? 3;
  if (!Number.isInteger(flatMax) || flatMax < 1 || flatMax > BFGS_MAX_ITERATIONS) throw new InputError('options.flatIterations', flatMax, 'an integer >= 1');
  const u = Array.from(start as ArrayLike<number>);
  const d = u.length;
  // A non-finite f counts as +Infinity: the line search rejects such points, and a start there
  // (or a non-finite gradient) has no descent to search, so it stops as lineSearch, not 'gradient'.
  const value = (x: readonly number[]): ValueAndGradient => {
    const v = fg(x);
    return Number.isFinite(v.f) ? v : { f: Infinity, g: v.g };
  };
  let cur = value(u);
  if (cur.f === Infinity || !cur.g.every(Number.isFinite)) return { x: u, f: cur.f, g: cur.g, reason: 'lineSearch', iterations: 0 };
  let H = identity(d);
  let reason: BfgsReason = 'maxIterations';
  let it = 0;
  let flat = 0;
  for (; it < maxIter; it++) {
    const gmax = Math.max(...cur.g.map(Math.abs));
    if (gmax < gtol) { reason = 'gradient'; break; }
    let p = H.map((row) => -dot(row, cur.g));
    if (dot(p, cur.g) >= 0) {
      H = identity(d); // not a descent direction: restart from steepest descent
      p = cur.g.map((g) => -g);
    }
    p = capped(p, maxStep);
    const ls = backtrack(value, u, p, cur);
    if (ls === null) { reason = 'lineSearch'; break; }
    const { step, next } = ls;
    const s = p.map((x) => step * x);
    const y = next.g.map((g, k) => g - cur.g[k]);
    const df = cur.f - next.f;
    for (let k = 0; k < d; k++) u[k] += s[k];
    cur = next;
    H = updatedInverseHessian(H, s, y);
    flat = df <= 1e-15 * (1 + Math.abs(cur.f)) ? flat + 1 : 0;
    if (flat >= flatMax) { reason = 'stationaryPoint'; break; }
  }
  return { x: u, f: cur.f, g: cur.g, reason, iterations: it };
}

function positiveOption(v: unknown, fallback: number, path: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v > 0) || v === Infinity) throw new InputError(path, v, 'a finite number > 0');
  return v;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function identity(d: number): number[][] {
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
}

/** p scaled down so that max |p_j| <= maxStep. */
function capped(p: number[], maxStep: number): number[] {
  const pn = Math.max(...p.map(Math.abs));
  return pn > maxStep ? p.map((x) => (x * maxStep) / pn) : p;
}

/** The first of t = 1, 1/2, ... (41 tries) meeting the Armijo condition along p, or null. */
function backtrack(fg: (x: readonly number[]) => ValueAndGradient, u: readonly number[], p: readonly number[], cur: ValueAndGradient): { step: number; next: ValueAndGradient } | null {
  let step = 1;
  let next = fg(u.map((x, k) => x + step * p[k]));
  const slope = dot(p, cur.g);
  let tries = 0;
  while (!(next.f <= cur.f + ARMIJO * step * slope) && tries < MAX_HALVINGS) {
    step *= 0.5;
    next = fg(u.map((x, k) => x + step * p[k]));
    tries++;
  }
  return next.f <= cur.f + ARMIJO * step * slope ? { step, next } : null;
}

/** The BFGS update of the inverse Hessian for step s and gradient change y (skipped when s.y is not positive). */
function updatedInverseHessian(H: number[][], s: readonly number[], y: readonly number[]): number[][] {
  const sy = dot(s, y);
  if (!(sy > CURVATURE_FLOOR)) return H;
  const Hy = H.map((row) => dot(row, y));
  const yHy = dot(y, Hy);
  return H.map((row, i) => row.map((h, j) => h + ((sy + yHy) * s[i] * s[j]) / (sy * sy) - (Hy[i] * s[j] + s[i] * Hy[j]) / sy));
}
