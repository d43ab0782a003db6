import { InputError } from '../../errors.js';
import { checkKeys } from '../../option-keys.js';
import { requireArrayLike, requireFunction, requireRecord } from '../../arguments.js';
import { cholesky, choleskySolve } from './cholesky.js';
import type { EndReason, JacobianMode, LeastSquaresProblem, LmOptions, LmResult, LossFunction } from './least-squares.js';

/**
 * Box-constrained Levenberg-Marquardt for small dense problems (a handful to a few dozen
 * parameters, any number of residuals).
 *
 * Algorithm: Moré (1978), "The Levenberg-Marquardt algorithm: implementation and theory" (the
 * MINPACK scaling D = diag of the running maximum of the Jacobian's column norms, and MINPACK's
 * end criteria), with the damping updated trust-region style from the gain ratio (Nielsen 1999;
 * Madsen, Nielsen & Tingleff, "Methods for non-linear least squares problems", 2004, eq. 3.16).
 * Bounds: parameters at a bound whose gradient points outward are frozen for the step (active
 * set); the step is projected into the box and judged by the gain ratio of the projected step,
 * so every point evaluated (finite-difference points included) lies in the box.
 *
 * The normal equations (J^T W J + mu D^2) h = -J^T W r are solved by Cholesky in TypeScript: for
 * n <= ~20 parameters the solve costs far less than one residual evaluation, and crossing into
 * WASM for it would cost more than it saves.
 *
 * Stopping is never an error: see {@link EndReason}.
 * @throws InputError for malformed options (lengths, bounds with lower > upper, bad weights).
 */
export function levenbergMarquardt(problem: LeastSquaresProblem, options: LmOptions): LmResult {
  checkProblem(problem);
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'LM options { initial, ... }');
  checkKeys(options, LM_KEYS, '');
  return lmRun(problem, options);
}

/** Most parameters of a problem: J^T J (nParams^2 doubles) stays within 1 GiB. */
export const LM_MAX_PARAMS = Math.floor(Math.sqrt(2 ** 27));

/**
 * @throws InputError naming `problem`, `problem.nParams` (an integer in [1, LM_MAX_PARAMS]),
 *   `problem.nResiduals` (an integer >= 0 with nResiduals x nParams <= 2^27, the Jacobian's doubles),
 *   `problem.evaluate` (a function) or `problem.hasJacobian` (a boolean when given).
 * @internal shared with multiStart.
 */
export function checkProblem(problem: unknown): void {
  const p = requireRecord(problem, 'problem');
  const n = p.nParams;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > LM_MAX_PARAMS) throw new InputError('problem.nParams', n, `an integer in [1, ${LM_MAX_PARAMS}]`);
  const m = p.nResiduals, mMax = Math.floor(2 ** 27 / n);
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > mMax) {
    throw new InputError('problem.nResiduals', m, `an integer in [0, ${mMax}] (the Jacobian is nResiduals x nParams = ${n} doubles)`);
  }
  requireFunction(p.evaluate, 'problem.evaluate');
  if (p.hasJacobian !== undefined && typeof p.hasJacobian !== 'boolean') throw new InputError('problem.hasJacobian', p.hasJacobian, 'a boolean');
}

/** The keys of {@link LmOptions}. */
export const LM_KEYS = [
  'initial', 'lower', 'upper', 'fixed', 'weights', 'maxIterations', 'tolerance', 'functionTolerance', 'stepTolerance',
  'gradientTolerance', 'jacobian', 'initialDamping', 'onEvaluate', 'loss', 'lossScale',
] as const satisfies readonly (keyof LmOptions)[];

/** Most outer iterations one LM run may be asked for (every loop has a bound). */
export const LM_MAX_ITERATIONS = 1_000_000;

/** Smallest damping: far below any damping a converging run uses, and above 0 so the inner loop ends. */
const MU_FLOOR = 1e-300;

/** Largest damping: beyond it no step decreases the cost (the run ends with `smallStep`). */
const MU_CEILING = 1e32;

/** The checked options of one run. */
export interface LmSettings {
  /** Starting point, projected into the box (the run's current point from then on). */
  x: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  fixed: Uint8Array;
  /** Square roots of the weights. */
  sw: Float64Array;
  ftol: number;
  xtol: number;
  gtol: number;
  maxIter: number;
  damping: number;
  mode: JacobianMode;
  onEvaluate: LmOptions['onEvaluate'];
  /** 0 linear, 1 soft_l1, 2 huber. */
  loss: number;
  /** lossScale^2. */
  f2: number;
}

/** The losses by code (see {@link LossFunction}). */
const LOSSES: readonly LossFunction[] = ['linear', 'soft_l1', 'huber'];

/** rho(z) of loss code `loss`. */
function lossValue(loss: number, z: number): number {
  if (loss === 1) return 2 * (Math.sqrt(1 + z) - 1);
  if (loss === 2) return z <= 1 ? z : 2 * Math.sqrt(z) - 1;
  return z;
}

/** rho'(z) of loss code `loss`: the IRLS weight. */
function lossWeight(loss: number, z: number): number {
  if (loss === 1) return 1 / Math.sqrt(1 + z);
  if (loss === 2) return z <= 1 ? 1 : 1 / Math.sqrt(z);
  return 1;
}

/**
 * The robust cost 1/2 f^2 sum rho(z_i), z_i = w_i r_i^2 / f^2, and the IRLS weights rho'(z_i) of
 * a loss (see {@link LossFunction}); exported for tests and for fit reports.
 * @throws InputError naming `loss` (not a loss name) or `lossScale` (not a finite number > 0),
 *   or `residuals`/`weights` (not arrays of numbers of one length).
 */
export function robustCost(residuals: ArrayLike<number>, loss: LossFunction, lossScale = 1, weights?: ArrayLike<number>): { cost: number; irlsWeights: Float64Array } {
  const code = LOSSES.indexOf(loss);
  if (code < 0) throw new InputError('loss', loss, "'linear', 'soft_l1' or 'huber'");
  if (typeof lossScale !== 'number' || !(lossScale > 0) || lossScale === Infinity) throw new InputError('lossScale', lossScale, 'a finite number > 0');
  const r = requireArrayLike(residuals, 'residuals');
  const sw = sqrtWeights(weights, r.length);
  const f2 = lossScale * lossScale;
  const irlsWeights = new Float64Array(r.length);
  let c = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = r[i];
    if (typeof ri !== 'number') throw new InputError(`residuals[${i}]`, ri, 'a number');
    const z = (ri * sw[i]) ** 2 / f2;
    c += lossValue(code, z);
    irlsWeights[i] = lossWeight(code, z);
  }
  return { cost: 0.5 * f2 * c, irlsWeights };
}

function toleranceOption(v: unknown, fallback: number, path: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= 0) || v === Infinity) throw new InputError(path, v, 'a finite number >= 0');
  return v;
}

function vector(v: ArrayLike<number> | undefined, n: number, path: string, fill: number): Float64Array {
  const out = new Float64Array(n).fill(fill);
  if (v === undefined) {
    if (Number.isNaN(fill)) throw new InputError(path, v, `an array of ${n} numbers`);
    return out;
  }
  if (v === null || typeof v !== 'object' || v.length !== n) throw new InputError(path, v, `an array of ${n} numbers`);
  for (let j = 0; j < n; j++) {
    if (typeof v[j] !== 'number') throw new InputError(`${path}[${j}]`, v[j], 'a number');
    out[j] = v[j];
  }
  return out;
}

/** @throws InputError naming `fixed` or `fixed[j]`. */
function fixedMask(fixed: LmOptions['fixed'], n: number): Uint8Array {
  const mask = new Uint8Array(n);
  if (fixed === undefined) return mask;
  const f = requireArrayLike(fixed, 'fixed');
  if (f.length !== n) throw new InputError('fixed', fixed, `an array of ${n} booleans`);
  for (let j = 0; j < n; j++) {
    const v = f[j];
    if (typeof v !== 'boolean' && v !== 0 && v !== 1) throw new InputError(`fixed[${j}]`, v, 'a boolean');
    mask[j] = v ? 1 : 0;
  }
  return mask;
}

/** @throws InputError naming `weights` or `weights[i]`. */
function sqrtWeights(weights: LmOptions['weights'], m: number): Float64Array {
  const sw = new Float64Array(m).fill(1);
  if (weights === undefined) return sw;
  const ws = requireArrayLike(weights, 'weights');
  if (ws.length !== m) throw new InputError('weights', weights, `an array of ${m} weights`);
  for (let i = 0; i < m; i++) {
    const w = ws[i];
    if (typeof w !== 'number' || !(w >= 0) || w === Infinity) throw new InputError(`weights[${i}]`, w, 'a finite number >= 0');
    sw[i] = Math.sqrt(w);
  }
  return sw;
}

/** @throws InputError naming the malformed option. */
function lmSettings(problem: LeastSquaresProblem, o: LmOptions, initialPath: string, initial: ArrayLike<number> = o.initial): LmSettings {
  const n = problem.nParams;
  if (o.onEvaluate !== undefined && typeof o.onEvaluate !== 'function') throw new InputError('onEvaluate', o.onEvaluate, 'a function');
  const x = vector(initial, n, initialPath, NaN);
  const lo = vector(o.lower, n, 'lower', -Infinity);
  const hi = vector(o.upper, n, 'upper', Infinity);
  const fixed = fixedMask(o.fixed, n);
  for (let j = 0; j < n; j++) {
    if (Number.isNaN(x[j])) throw new InputError(`${initialPath}[${j}]`, x[j], 'a number');
    if (!(lo[j] <= hi[j])) throw new InputError(`lower[${j}]`, lo[j], `a number <= upper[${j}] = ${hi[j]}`);
    x[j] = Math.min(hi[j], Math.max(lo[j], x[j]));
  }
  const sw = sqrtWeights(o.weights, problem.nResiduals);
  const tol = toleranceOption(o.tolerance, 1e-10, 'tolerance');
  const ftol = toleranceOption(o.functionTolerance, tol, 'functionTolerance');
  const xtol = toleranceOption(o.stepTolerance, tol, 'stepTolerance');
  const gtol = toleranceOption(o.gradientTolerance, tol, 'gradientTolerance');
  const maxIter = o.maxIterations ?? 200;
  if (!Number.isInteger(maxIter) || maxIter < 0 || maxIter > LM_MAX_ITERATIONS) throw new InputError('maxIterations', maxIter, `an integer in [0, ${LM_MAX_ITERATIONS}]`);
  const damping = o.initialDamping ?? 1e-3;
  if (typeof damping !== 'number' || !(damping > 0) || damping === Infinity) throw new InputError('initialDamping', damping, 'a finite number > 0');
  const mode = o.jacobian ?? (problem.hasJacobian === false ? 'forward' : 'analytic');
  if (mode !== 'analytic' && mode !== 'forward' && mode !== 'central') throw new InputError('jacobian', mode, "'analytic', 'forward' or 'central'");
  if (mode === 'analytic' && problem.hasJacobian === false) throw new InputError('jacobian', mode, "'forward' or 'central' (the problem has no analytic Jacobian)");
  const loss = o.loss === undefined ? 0 : LOSSES.indexOf(o.loss);
  if (loss < 0) throw new InputError('loss', o.loss, "'linear', 'soft_l1' or 'huber'");
  const scale = o.lossScale ?? 1;
  if (typeof scale !== 'number' || !(scale > 0) || scale === Infinity) throw new InputError('lossScale', scale, 'a finite number > 0');
  return { x, lo, hi, fixed, sw, ftol, xtol, gtol, maxIter, damping, mode, onEvaluate: o.onEvaluate, loss, f2: scale * scale };
}

/**
 * The residual side of a run: the current residuals r and Jacobian J at x, the trial buffers,
 * and the evaluation count. Buffers are swapped, never reallocated, as steps are accepted.
 */
export class Residuals {
  r: Float64Array;
  rt: Float64Array;
  J: Float64Array;
  /** Analytic Jacobian at the trial point (null with finite differences). */
  Jt: Float64Array | null;
  /** J holds the unweighted analytic Jacobian at x (evaluated with the accepted trial point). */
  jFresh = false;
  evaluations = 0;
  private readonly fdR: Float64Array | null;
  private readonly fdR2: Float64Array | null;
  private readonly xp: Float64Array;

  constructor(private problem: LeastSquaresProblem, private s: LmSettings) {
    const m = problem.nResiduals, n = problem.nParams;
    this.r = new Float64Array(m);
    this.rt = new Float64Array(m);
    this.J = new Float64Array(m * n);
    this.Jt = s.mode === 'analytic' ? new Float64Array(m * n) : null;
    this.fdR = s.mode === 'analytic' ? null : new Float64Array(m);
    this.fdR2 = s.mode === 'central' ? new Float64Array(m) : null;
    this.xp = new Float64Array(n);
  }

  /** Start a new run on the same buffers (a workspace reused across warm refits: same sizes and mode). */
  restart(problem: LeastSquaresProblem, s: LmSettings): void {
    this.problem = problem;
    this.s = s;
    this.jFresh = false;
    this.evaluations = 0;
  }

  /** Unweighted residuals at p into out; returns the cost 1/2 |W^1/2 r|^2 (Infinity if not finite). */
  at(p: Float64Array, out: Float64Array, jac: Float64Array | null): number {
    this.problem.evaluate(p, out, jac);
    this.evaluations++;
    const { sw, loss, f2 } = this.s;
    let c = 0;
    if (loss === 0) {
      for (let i = 0; i < out.length; i++) {
        const v = out[i] * sw[i];
        c += v * v;
      }
    } else {
      for (let i = 0; i < out.length; i++) {
        const v = out[i] * sw[i];
        c += lossValue(loss, (v * v) / f2);
      }
      c *= f2;
    }
    c = Number.isFinite(c) ? 0.5 * c : Infinity;
    if (this.s.onEvaluate) this.s.onEvaluate(Float64Array.from(p), c);
    return c;
  }

  /** The weighted Jacobian at x into J (r holds the unweighted residuals at x). */
  jacobianAt(x: Float64Array): void {
    if (this.s.mode === 'analytic') {
      if (!this.jFresh) {
        this.problem.evaluate(x, this.rt, this.J); // rt is scratch here; r stays the accepted residuals
        this.evaluations++;
      }
      this.jFresh = false;
    } else this.differenceJacobian(x);
    const { sw } = this.s, J = this.J, n = this.problem.nParams;
    for (let i = 0; i < sw.length; i++) {
      const s = sw[i];
      if (s !== 1) for (let j = 0; j < n; j++) J[i * n + j] *= s;
    }
  }

  /** Forward or central differences (central where both points lie in the box), stepping inward at a bound. */
  private differenceJacobian(x: Float64Array): void {
    const { lo, hi, fixed, mode } = this.s, J = this.J, r = this.r, xp = this.xp;
    const m = this.problem.nResiduals, n = this.problem.nParams;
    const fdR = this.fdR!, fdR2 = this.fdR2;
    const h0 = mode === 'forward' ? 1.4901161193847656e-8 : 6.055454452393343e-6; // eps^(1/2), eps^(1/3)
    xp.set(x);
    for (let j = 0; j < n; j++) {
      if (fixed[j]) {
        for (let i = 0; i < m; i++) J[i * n + j] = 0;
        continue;
      }
      let h = h0 * Math.max(Math.abs(x[j]), 1);
      if (mode === 'central' && x[j] - h >= lo[j] && x[j] + h <= hi[j]) {
        xp[j] = x[j] + h;
        this.at(xp, fdR, null);
        xp[j] = x[j] - h;
        this.at(xp, fdR2!, null);
        for (let i = 0; i < m; i++) J[i * n + j] = (fdR[i] - fdR2![i]) / (2 * h);
      } else {
        if (x[j] + h > hi[j]) h = -h; // step inward at an upper bound
        xp[j] = x[j] + h;
        h = xp[j] - x[j];
        this.at(xp, fdR, null);
        for (let i = 0; i < m; i++) J[i * n + j] = (fdR[i] - r[i]) / h;
      }
      xp[j] = x[j];
    }
  }

  /** Make the trial point's residuals (and analytic Jacobian) the current ones. */
  accept(): void {
    const tmp = this.r;
    this.r = this.rt;
    this.rt = tmp;
    if (this.Jt) {
      const t = this.J;
      this.J = this.Jt;
      this.Jt = t;
      this.jFresh = true;
    }
  }
}

/**
 * IRLS in square-root-weight form: rows i of the weighted Jacobian and residuals times
 * sqrt(rho'(z_i)), z_i = rw_i^2 / f^2, so that J^T rw is the robust cost's gradient.
 */
function irlsReweight(J: Float64Array, rw: Float64Array, m: number, n: number, loss: number, f2: number): void {
  for (let i = 0; i < m; i++) {
    const s = Math.sqrt(lossWeight(loss, (rw[i] * rw[i]) / f2));
    if (s === 1) continue;
    rw[i] *= s;
    for (let j = 0; j < n; j++) J[i * n + j] *= s;
  }
}

/**
 * The upper triangle of A = J^T W J and g = J^T W r from the weighted Jacobian J (m x n) and the
 * weighted residuals rw.
 */
function normalEquations(J: Float64Array, rw: Float64Array, m: number, n: number, A: Float64Array, g: Float64Array): void {
  // Each entry summed in a register over the rows in order, skipping rows where column a is 0
  // (as the row-by-row accumulation did, so the same sums to the bit), stored once.
  for (let a = 0; a < n; a++) {
    let ga = 0;
    for (let i = 0; i < m; i++) {
      const ja = J[i * n + a];
      if (ja !== 0) ga += ja * rw[i];
    }
    g[a] = ga;
    for (let b = a; b < n; b++) {
      let v = 0;
      for (let i = 0; i < m; i++) {
        const ja = J[i * n + a];
        if (ja !== 0) v += ja * J[i * n + b];
      }
      A[a * n + b] = v;
    }
  }
}

/**
 * The free parameters not held at a bound by an outward gradient, into idx (returns how many),
 * updating More's scaling d; `cosine` is the largest |g_j| / (|J_j| |r|) over them.
 */
function activeSet(s: LmSettings, A: Float64Array, g: Float64Array, d: Float64Array, rNorm: number, idx: Int32Array): { k: number; cosine: number } {
  const { x, lo, hi, fixed } = s, n = x.length;
  let k = 0;
  let cosine = 0;
  for (let j = 0; j < n; j++) {
    if (fixed[j]) continue;
    const colNorm = Math.sqrt(A[j * n + j]);
    d[j] = Math.max(d[j], colNorm);
    const atLo = x[j] <= lo[j] && g[j] > 0;
    const atHi = x[j] >= hi[j] && g[j] < 0;
    if (atLo || atHi) continue;
    idx[k++] = j;
    if (colNorm > 0) cosine = Math.max(cosine, Math.abs(g[j]) / (colNorm * rNorm));
  }
  return { k, cosine };
}

/** Solve (A + mu D^2) h = -g on the k parameters idx; false when the damped matrix is not positive definite. */
function dampedStep(A: Float64Array, g: Float64Array, d: Float64Array, idx: Int32Array, k: number, mu: number, n: number, L: Float64Array, h: Float64Array): boolean {
  for (let a = 0; a < k; a++) {
    const ja = idx[a];
    for (let b = 0; b <= a; b++) {
      const jb = idx[b];
      L[a * n + b] = A[Math.min(ja, jb) * n + Math.max(ja, jb)];
    }
    const dj = d[ja] > 0 ? d[ja] : 1;
    L[a * n + a] += mu * dj * dj;
  }
  if (!cholesky(L, n, k)) return false;
  for (let a = 0; a < k; a++) h[a] = -g[idx[a]];
  choleskySolve(L, n, k, h);
  return true;
}

/**
 * The trial point xt = the box projection of x + h, its step s = xt - x, and the D-scaled norms
 * of the step and of x.
 */
function projectedStep(s: LmSettings, h: Float64Array, idx: Int32Array, k: number, d: Float64Array, xt: Float64Array, step: Float64Array): { stepNorm: number; xNorm: number } {
  const { x, lo, hi } = s;
  xt.set(x);
  step.fill(0);
  let stepNorm = 0;
  let xNorm = 0;
  for (let a = 0; a < k; a++) {
    const j = idx[a];
    const v = Math.min(hi[j], Math.max(lo[j], x[j] + h[a]));
    xt[j] = v;
    step[j] = v - x[j];
    const dj = d[j] > 0 ? d[j] : 1;
    stepNorm += (dj * step[j]) ** 2;
    xNorm += (dj * x[j]) ** 2;
  }
  return { stepNorm: Math.sqrt(stepNorm), xNorm: Math.sqrt(xNorm) };
}

/** Reduction of the linear model for step s: -(g.s + 1/2 s^T A s), A's upper triangle read. */
function predictedReduction(A: Float64Array, g: Float64Array, s: Float64Array, n: number): number {
  let gs = 0;
  let sAs = 0;
  for (let a = 0; a < n; a++) {
    if (s[a] === 0) continue;
    gs += g[a] * s[a];
    for (let b = 0; b < n; b++) if (s[b] !== 0) sAs += A[Math.min(a, b) * n + Math.max(a, b)] * s[a] * s[b];
  }
  return -(gs + 0.5 * sAs);
}

/**
 * One run from `initial` (default `options.initial`; reported as `initialPath` in errors).
 * @internal shared with multiStart.
 * @throws InputError for malformed options.
 */
export function lmRun(problem: LeastSquaresProblem, options: LmOptions, initialPath = 'initial', initial: ArrayLike<number> = options.initial): LmResult {
  const s = lmSettings(problem, options, initialPath, initial);
  return lmSolve(problem, s, new LmWorkspace(problem, s));
}

/**
 * The buffers of LM runs of one size (m residuals, n parameters, analytic Jacobian): allocated
 * once and reused by every run given it, so a warm refit of a small slice allocates nothing per
 * iteration or per run. A run's `params` and `residuals` are the workspace's own buffers: read
 * (or copy) them before the next run on the same workspace.
 * @internal for the lean paths (SVI refits and single-start SVI and SABR fits).
 */
export class LmWorkspace {
  readonly m: number;
  readonly n: number;
  /** The run's current point (settings.x). */
  readonly x: Float64Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly fixed: Uint8Array;
  readonly sw: Float64Array;
  readonly R: Residuals;
  readonly A: Float64Array;
  readonly g: Float64Array;
  readonly d: Float64Array;
  readonly L: Float64Array;
  readonly h: Float64Array;
  readonly step: Float64Array;
  readonly xt: Float64Array;
  readonly idx: Int32Array;

  constructor(problem: LeastSquaresProblem, s: LmSettings) {
    const m = problem.nResiduals, n = problem.nParams;
    this.m = m;
    this.n = n;
    this.x = s.x;
    this.lo = s.lo;
    this.hi = s.hi;
    this.fixed = s.fixed;
    this.sw = s.sw;
    this.R = new Residuals(problem, s);
    this.A = new Float64Array(n * n); // J^T W J (free block used)
    this.g = new Float64Array(n); // J^T W r
    this.d = new Float64Array(n); // More's scaling, running max of column norms
    this.L = new Float64Array(n * n);
    this.h = new Float64Array(n);
    this.step = new Float64Array(n);
    this.xt = new Float64Array(n);
    this.idx = new Int32Array(n);
  }
}

/**
 * A workspace for runs with m residuals and n parameters and an analytic Jacobian, with settings
 * buffers of its own (fill them with {@link lmLeanSettings}).
 * @internal
 */
export function lmWorkspace(m: number, n: number): LmWorkspace {
  const s: LmSettings = {
    x: new Float64Array(n), lo: new Float64Array(n), hi: new Float64Array(n), fixed: new Uint8Array(n), sw: new Float64Array(m),
    ftol: 0, xtol: 0, gtol: 0, maxIter: 0, damping: 1e-3, mode: 'analytic', onEvaluate: undefined, loss: 0, f2: 1,
  };
  return new LmWorkspace({ nParams: n, nResiduals: m, evaluate: () => undefined }, s);
}

/**
 * Settings of a lean run on `ws`, with the defaults of {@link levenbergMarquardt} (damping 1e-3,
 * linear loss, analytic Jacobian): the same checks of the scalar options, none of the vectors
 * (the caller's are checked already: initial finite, lower <= upper, weights finite >= 0), each
 * copied into the workspace (x projected into the box, sw = sqrt(weights), as lmSettings does).
 * @throws InputError naming `maxIterations` or `tolerance`.
 * @internal
 */
export function lmLeanSettings(
  ws: LmWorkspace, initial: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>, fixed: readonly boolean[] | undefined,
  weights: ArrayLike<number>, maxIterations: number | undefined, tolerance: number | undefined,
): LmSettings {
  const n = ws.n, m = ws.m;
  const tol = toleranceOption(tolerance, 1e-10, 'tolerance');
  const maxIter = maxIterations ?? 200;
  if (!Number.isInteger(maxIter) || maxIter < 0 || maxIter > LM_MAX_ITERATIONS) throw new InputError('maxIterations', maxIter, `an integer in [0, ${LM_MAX_ITERATIONS}]`);
  const { x, lo, hi } = ws;
  for (let j = 0; j < n; j++) {
    lo[j] = lower[j];
    hi[j] = upper[j];
    x[j] = Math.min(hi[j], Math.max(lo[j], initial[j]));
    ws.fixed[j] = fixed?.[j] ? 1 : 0;
  }
  for (let i = 0; i < m; i++) ws.sw[i] = Math.sqrt(weights[i]);
  return {
    x, lo, hi, fixed: ws.fixed, sw: ws.sw, ftol: tol, xtol: tol, gtol: tol, maxIter, damping: 1e-3, mode: 'analytic', onEvaluate: undefined, loss: 0, f2: 1,
  };
}

/**
 * One run on a workspace whose settings `s` are its own buffers (see {@link lmLeanSettings}).
 * @internal
 */
export function lmRunIn(problem: LeastSquaresProblem, s: LmSettings, ws: LmWorkspace): LmResult {
  ws.R.restart(problem, s);
  ws.d.fill(0);
  return lmSolve(problem, s, ws);
}

/** The LM iterations of one run (settings checked, buffers sized). */
function lmSolve(problem: LeastSquaresProblem, s: LmSettings, ws: LmWorkspace): LmResult {
  const n = problem.nParams;
  const m = problem.nResiduals;
  const { x, fixed } = s;
  const R = ws.R;
  let cost = R.at(x, R.r, R.Jt ? R.J : null);
  R.jFresh = R.Jt !== null;
  const result = (reason: EndReason, iterations: number, cosine: number): LmResult =>
    ({ params: x, reason, iterations, evaluations: R.evaluations, cost, residuals: R.r, gradientCosine: cosine });
  if (!Number.isFinite(cost)) return result('nonFinite', 0, NaN);

  const { A, g, d, L, h, step, xt, idx } = ws;
  let mu = s.damping;
  let nu = 2;
  let cosine = NaN;
  let iter = 0;
  let freeCount = 0;
  for (let j = 0; j < n; j++) if (!fixed[j]) freeCount++;
  if (freeCount === 0) return result('converged', 0, 0);

  while (true) {
    if (cost === 0) return result('converged', iter, 0);
    if (iter >= s.maxIter) return result('maxIterations', iter, cosine);
    iter++;
    R.jacobianAt(x);
    const rw = R.rt;
    for (let i = 0; i < m; i++) rw[i] = R.r[i] * s.sw[i];
    if (s.loss !== 0) irlsReweight(R.J, rw, m, n, s.loss, s.f2);
    normalEquations(R.J, rw, m, n, A, g);
    // A NaN or infinite Jacobian column has no norm, so the gradient test would read it as a
    // stationary point at the untouched start: stop as nonFinite instead.
    for (let j = 0; j < n; j++) {
      if (!fixed[j] && !(Number.isFinite(g[j]) && Number.isFinite(A[j * n + j]))) return result('nonFinite', iter, NaN);
    }
    let rNorm = 0;
    for (let i = 0; i < m; i++) rNorm += rw[i] * rw[i];
    const active = activeSet(s, A, g, d, Math.sqrt(rNorm), idx);
    const k = active.k;
    cosine = active.cosine;
    if (k === 0 || cosine <= s.gtol) return result('stationaryPoint', iter, cosine);

    // Inner loop: raise the damping until a step decreases the cost.
    while (true) {
      if (!dampedStep(A, g, d, idx, k, mu, n, L, h)) {
        mu *= 10;
        if (!(mu <= MU_CEILING)) return result('smallStep', iter, cosine);
        continue;
      }
      const { stepNorm, xNorm } = projectedStep(s, h, idx, k, d, xt, step);
      const pred = predictedReduction(A, g, step, n);
      if (stepNorm <= s.xtol * (xNorm + s.xtol)) return result('smallStep', iter, cosine);
      // A projected step can leave the linear model no better off: damp harder without evaluating.
      const costT = pred > 0 ? R.at(xt, R.rt, R.Jt) : Infinity;
      const actual = cost - costT;
      const rho = pred > 0 ? actual / pred : -1;
      if (rho > 1e-4) {
        x.set(xt);
        R.accept();
        const before = cost;
        cost = costT;
        // Floored so that a long run of accepted steps cannot drive it to 0 (then no increase
        // would ever reach the ceiling exit below).
        mu = Math.max(MU_FLOOR, mu * Math.max(1 / 3, 1 - (2 * rho - 1) ** 3));
        nu = 2;
        if (actual <= s.ftol * before && pred <= s.ftol * before) return result('converged', iter, cosine);
        break;
      }
      mu *= nu;
      nu *= 2;
      if (!(mu <= MU_CEILING)) return result('smallStep', iter, cosine);
    }
  }
}
