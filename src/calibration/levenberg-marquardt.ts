import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { requireArrayLike, requireFunction, requireRecord } from '../arguments.js';
import type { EndReason, LeastSquaresProblem, LmOptions, LmResult } from './types.js';

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
const LM_MAX_PARAMS = Math.floor(Math.sqrt(2 ** 27));

/**
 * @throws InputError naming `problem`, `problem.nParams` (an integer in [1, LM_MAX_PARAMS]),
 *   `problem.nResiduals` (an integer >= 0 with nResiduals x nParams <= 2^27, the Jacobian's doubles),
 *   `problem.evaluate` (a function) or `problem.hasJacobian` (a boolean when given).
 */
function checkProblem(problem: unknown): void {
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
const LM_KEYS = [
  'initial', 'lower', 'upper', 'fixed', 'weights', 'maxIterations', 'tolerance', 'functionTolerance', 'stepTolerance',
  'gradientTolerance', 'jacobian', 'initialDamping', 'onEvaluate',
] as const satisfies readonly (keyof LmOptions)[];

/** The keys of {@link MultiStartOptions}. */
const MULTI_START_KEYS = [...LM_KEYS.filter((k) => k !== 'initial'), 'starts'] as const satisfies readonly (keyof MultiStartOptions)[];

/** Most outer iterations one LM run may be asked for (every loop has a bound). */
const LM_MAX_ITERATIONS = 1_000_000;

/** Smallest damping: far below any damping a converging run uses, and above 0 so the inner loop ends. */
const MU_FLOOR = 1e-300;

function toleranceOption(v: unknown, fallback: number, path: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= 0) || v === Infinity) throw new InputError(path, v, 'a finite number >= 0');
  return v;
}

function lmRun(problem: LeastSquaresProblem, options: LmOptions, initialPath = 'initial'): LmResult {
  const n = problem.nParams;
  const m = problem.nResiduals;
  const o = options;
  if (o.onEvaluate !== undefined && typeof o.onEvaluate !== 'function') throw new InputError('onEvaluate', o.onEvaluate, 'a function');
  const x = vector(o.initial, n, initialPath, NaN);
  const lo = vector(o.lower, n, 'lower', -Infinity);
  const hi = vector(o.upper, n, 'upper', Infinity);
  const fixed = new Uint8Array(n);
  if (o.fixed !== undefined) {
    const f = requireArrayLike(o.fixed, 'fixed');
    if (f.length !== n) throw new InputError('fixed', o.fixed, `an array of ${n} booleans`);
    for (let j = 0; j < n; j++) {
      const v = f[j];
      if (typeof v !== 'boolean' && v !== 0 && v !== 1) throw new InputError(`fixed[${j}]`, v, 'a boolean');
      fixed[j] = v ? 1 : 0;
    }
  }
  for (let j = 0; j < n; j++) {
    if (Number.isNaN(x[j])) throw new InputError(`${initialPath}[${j}]`, x[j], 'a number');
    if (!(lo[j] <= hi[j])) throw new InputError(`lower[${j}]`, lo[j], `a number <= upper[${j}] = ${hi[j]}`);
    x[j] = Math.min(hi[j], Math.max(lo[j], x[j]));
  }
  const sw = new Float64Array(m).fill(1);
  if (o.weights !== undefined) {
    const ws = requireArrayLike(o.weights, 'weights');
    if (ws.length !== m) throw new InputError('weights', o.weights, `an array of ${m} weights`);
    for (let i = 0; i < m; i++) {
      const w = ws[i];
      if (typeof w !== 'number' || !(w >= 0) || w === Infinity) throw new InputError(`weights[${i}]`, w, 'a finite number >= 0');
      sw[i] = Math.sqrt(w);
    }
  }
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

  let r = new Float64Array(m);
  let rt = new Float64Array(m);
  let J = new Float64Array(m * n);
  let Jt = mode === 'analytic' ? new Float64Array(m * n) : null; // analytic Jacobian at the trial point
  let jFresh = false; // J holds the unweighted analytic Jacobian at x
  const fdR = mode === 'analytic' ? null : new Float64Array(m);
  const fdR2 = mode === 'central' ? new Float64Array(m) : null;
  const xt = new Float64Array(n);
  const xp = new Float64Array(n);
  let evaluations = 0;

  // Weighted residuals at p into out; returns the cost 1/2 |W^1/2 r|^2 (Infinity if not finite).
  const residualsAt = (p: Float64Array, out: Float64Array, jac: Float64Array | null): number => {
    problem.evaluate(p, out, jac);
    evaluations++;
    let c = 0;
    for (let i = 0; i < m; i++) {
      const v = out[i] * sw[i];
      c += v * v;
    }
    c = Number.isFinite(c) ? 0.5 * c : Infinity;
    if (o.onEvaluate) o.onEvaluate(Float64Array.from(p), c);
    return c;
  };
  // Weighted Jacobian at x (r already holds the unweighted residuals at x).
  const jacobianAt = (): void => {
    if (mode === 'analytic') {
      if (!jFresh) {
        problem.evaluate(x, rt, J); // rt is scratch here; r stays the accepted residuals
        evaluations++;
      }
      jFresh = false;
    } else {
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
          residualsAt(xp, fdR!, null);
          xp[j] = x[j] - h;
          residualsAt(xp, fdR2!, null);
          for (let i = 0; i < m; i++) J[i * n + j] = (fdR![i] - fdR2![i]) / (2 * h);
        } else {
          if (x[j] + h > hi[j]) h = -h; // step inward at an upper bound
          xp[j] = x[j] + h;
          h = xp[j] - x[j];
          residualsAt(xp, fdR!, null);
          for (let i = 0; i < m; i++) J[i * n + j] = (fdR![i] - r[i]) / h;
        }
        xp[j] = x[j];
      }
    }
    for (let i = 0; i < m; i++) {
      const s = sw[i];
      if (s !== 1) for (let j = 0; j < n; j++) J[i * n + j] *= s;
    }
  };

  let cost = residualsAt(x, r, Jt ? J : null);
  jFresh = Jt !== null;
  const result = (reason: EndReason, iterations: number, cosine: number): LmResult =>
    ({ params: x, reason, iterations, evaluations, cost, residuals: r, gradientCosine: cosine });
  if (!Number.isFinite(cost)) return result('nonFinite', 0, NaN);

  const A = new Float64Array(n * n); // J^T W J (free block used)
  const g = new Float64Array(n); // J^T W r
  const d = new Float64Array(n); // More's scaling, running max of column norms
  const L = new Float64Array(n * n);
  const h = new Float64Array(n);
  const s = new Float64Array(n);
  const idx = new Int32Array(n);
  let mu = damping;
  let nu = 2;
  let cosine = NaN;
  let iter = 0;
  let freeCount = 0;
  for (let j = 0; j < n; j++) if (!fixed[j]) freeCount++;
  if (freeCount === 0) return result('converged', 0, 0);

  while (true) {
    if (cost === 0) return result('converged', iter, 0);
    if (iter >= maxIter) return result('maxIterations', iter, cosine);
    iter++;
    jacobianAt();
    // Weighted residual vector and normal equations.
    for (let i = 0; i < m; i++) rt[i] = r[i] * sw[i];
    A.fill(0);
    g.fill(0);
    for (let i = 0; i < m; i++) {
      const row = i * n;
      const ri = rt[i];
      for (let a = 0; a < n; a++) {
        const ja = J[row + a];
        if (ja === 0) continue;
        g[a] += ja * ri;
        for (let b = a; b < n; b++) A[a * n + b] += ja * J[row + b];
      }
    }
    const rNorm = Math.sqrt(2 * cost);
    // Active set and gradient test.
    let k = 0;
    cosine = 0;
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
    if (k === 0 || cosine <= gtol) return result('stationaryPoint', iter, cosine);

    // Inner loop: raise the damping until a step decreases the cost.
    while (true) {
      // (A + mu D^2) h = -g on the free, inactive set.
      for (let a = 0; a < k; a++) {
        const ja = idx[a];
        for (let b = 0; b <= a; b++) {
          const jb = idx[b];
          L[a * n + b] = A[Math.min(ja, jb) * n + Math.max(ja, jb)];
        }
        const dj = d[ja] > 0 ? d[ja] : 1;
        L[a * n + a] += mu * dj * dj;
      }
      if (!cholesky(L, n, k)) {
        mu *= 10;
        if (!(mu <= 1e32)) return result('smallStep', iter, cosine);
        continue;
      }
      for (let a = 0; a < k; a++) h[a] = -g[idx[a]];
      choleskySolve(L, n, k, h);
      // Projected trial point and its scaled step.
      xt.set(x);
      s.fill(0);
      let stepNorm = 0;
      let xNorm = 0;
      for (let a = 0; a < k; a++) {
        const j = idx[a];
        const v = Math.min(hi[j], Math.max(lo[j], x[j] + h[a]));
        xt[j] = v;
        s[j] = v - x[j];
        const dj = d[j] > 0 ? d[j] : 1;
        stepNorm += (dj * s[j]) ** 2;
        xNorm += (dj * x[j]) ** 2;
      }
      stepNorm = Math.sqrt(stepNorm);
      xNorm = Math.sqrt(xNorm);
      // Predicted reduction of the linear model for the projected step: -(g.s + 1/2 s^T A s).
      let gs = 0;
      let sAs = 0;
      for (let a = 0; a < n; a++) {
        if (s[a] === 0) continue;
        gs += g[a] * s[a];
        for (let b = 0; b < n; b++) if (s[b] !== 0) sAs += A[Math.min(a, b) * n + Math.max(a, b)] * s[a] * s[b];
      }
      const pred = -(gs + 0.5 * sAs);
      if (stepNorm <= xtol * (xNorm + xtol)) return result('smallStep', iter, cosine);
      // A projected step can leave the linear model no better off: damp harder without evaluating.
      const costT = pred > 0 ? residualsAt(xt, rt, Jt) : Infinity;
      const actual = cost - costT;
      const rho = pred > 0 ? actual / pred : -1;
      if (rho > 1e-4) {
        x.set(xt);
        const tmp = r;
        r = rt;
        rt = tmp;
        if (Jt) {
          const t = J;
          J = Jt;
          Jt = t;
          jFresh = true;
        }
        const before = cost;
        cost = costT;
        // Floored so that a long run of accepted steps cannot drive it to 0 (then no increase
        // would ever reach the 1e32 exit below).
        mu = Math.max(MU_FLOOR, mu * Math.max(1 / 3, 1 - (2 * rho - 1) ** 3));
        nu = 2;
        if (actual <= ftol * before && pred <= ftol * before) return result('converged', iter, cosine);
        break;
      }
      mu *= nu;
      nu *= 2;
      if (!(mu <= 1e32)) return result('smallStep', iter, cosine);
    }
  }
}

/** In-place Cholesky of the leading k x k block of L (row stride n, lower triangle read). */
function cholesky(L: Float64Array, n: number, k: number): boolean {
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      let v = L[a * n + b];
      for (let c = 0; c < b; c++) v -= L[a * n + c] * L[b * n + c];
      if (a === b) {
        if (!(v > 0)) return false;
        L[a * n + a] = Math.sqrt(v);
      } else L[a * n + b] = v / L[b * n + b];
    }
  }
  return true;
}

function choleskySolve(L: Float64Array, n: number, k: number, y: Float64Array): void {
  for (let a = 0; a < k; a++) {
    let v = y[a];
    for (let c = 0; c < a; c++) v -= L[a * n + c] * y[c];
    y[a] = v / L[a * n + a];
  }
  for (let a = k - 1; a >= 0; a--) {
    let v = y[a];
    for (let c = a + 1; c < k; c++) v -= L[c * n + a] * y[c];
    y[a] = v / L[a * n + a];
  }
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

/** Options of {@link multiStart}: LM options without `initial`, plus the starting points. */
export interface MultiStartOptions extends Omit<LmOptions, 'initial'> {
  starts: ArrayLike<number>[];
}

/** The best LM result over several starting points, with every run's reason and cost. */
export interface MultiStartResult extends LmResult {
  /** Index of the start that gave the best cost. */
  bestStart: number;
  runs: { reason: EndReason; cost: number; iterations: number }[];
}

/**
 * Run {@link levenbergMarquardt} from each start and keep the lowest cost (ties: the first).
 * Iterations and evaluations of the result are summed over every run.
 * @throws InputError for no starts, or as {@link levenbergMarquardt} for malformed bounds or options.
 */
export function multiStart(problem: LeastSquaresProblem, options: MultiStartOptions): MultiStartResult {
  checkProblem(problem);
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'multi-start options { starts, ... }');
  checkKeys(options, MULTI_START_KEYS, '');
  const { starts, ...lmOptions } = options;
  if (!Array.isArray(starts) || starts.length === 0) throw new InputError('starts', starts, 'a non-empty array of starting points');
  let best: LmResult | null = null;
  let bestStart = 0;
  let iterations = 0;
  let evaluations = 0;
  const runs: MultiStartResult['runs'] = [];
  starts.forEach((start, i) => {
    const r = lmRun(problem, { ...lmOptions, initial: start }, `starts[${i}]`);
    const params = Float64Array.from(r.params);
    const residuals = Float64Array.from(r.residuals);
    runs.push({ reason: r.reason, cost: r.cost, iterations: r.iterations });
    iterations += r.iterations;
    evaluations += r.evaluations;
    if (best === null || r.cost < best.cost) {
      best = { ...r, params, residuals };
      bestStart = i;
    }
  });
  return { ...(best as unknown as LmResult), iterations, evaluations, bestStart, runs };
}
