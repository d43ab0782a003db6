/**
 * Volatility models: EWMA (RiskMetrics) and GARCH(1,1) / GJR-GARCH(1,1) fitted by maximum
 * likelihood (normal or unit-variance Student-t innovations; likelihood and analytic gradient in
 * the `garchLikelihood` kernel), plus seeded simulation.
 *
 * Returns are zero-mean; sigma^2_0 = the sample variance (mean of r^2) unless `variance0` is given.
 * The optimiser is BFGS (math/optimise/bfgs.ts) with a backtracking (Armijo) line search on unconstrained coordinates:
 * omega = v0 e^{u0}; persistence P = alpha + beta + gamma/2 = (1 - 1e-8) logistic(u1) < 1; alpha,
 * beta and gamma/2 the shares e^{u2}, 1, e^{u3} of P; nu = 2.05 + e^{u4}. It stops with a reason
 * ('gradient', 'stationaryPoint', 'maxIterations', 'lineSearch'), never throws on non-convergence.
 * Standard errors: the inverse of the observed information (central differences of the analytic
 * gradient in the natural parameters).
 *
 * The likelihood kernel gives the same bits on the WASM and JS backends (its logarithms are the
 * shared elementary functions of kernels/math/elementary.ts), and the optimiser is deterministic
 * JS, so a fit does not depend on the backend. On weakly identified series the
 * likelihood is flat and the optimum found still depends on the data's last bits.
 */
import type { EngineContext } from '../context.js';
import { InputError, KernelError } from '../errors.js';
import { studentTQuantile } from './distributions.js';
import { philoxNormals, philoxUniforms, type Seed } from './random.js';
import { finiteSample } from './tail-measures.js';
import { SIMULATIONS_MAX, checkContext, checkInt, checkOptions } from './validate.js';
import { bfgs, type ValueAndGradient } from '../math/optimise/bfgs.js';

export type GarchModel = 'garch' | 'gjr';
export type GarchDistribution = 'normal' | 't';

export interface FitGarchOptions {
  model?: GarchModel;
  distribution?: GarchDistribution;
  /** sigma^2_0; default the sample variance (mean of r^2: zero-mean returns). */
  variance0?: number;
  maxIterations?: number;
}

/** The keys of FitGarchOptions (an unknown key is an InputError naming the closest). */
const FIT_GARCH_KEYS = ['model', 'distribution', 'variance0', 'maxIterations'] as const satisfies readonly (keyof FitGarchOptions)[];

/** Options of simulateGarch. */
export interface SimulateGarchOptions {
  /** sigma^2_0; default the unconditional variance omega / (1 - persistence). */
  variance0?: number;
  /** Philox stream (default 0). */
  stream?: number;
  /** Engine whose kernels draw the innovations (default: a private pure-JS context, the same numbers). */
  ctx?: EngineContext;
}
const SIMULATE_GARCH_KEYS = ['variance0', 'stream', 'ctx'] as const satisfies readonly (keyof SimulateGarchOptions)[];

export interface GarchParameters {
  model: GarchModel;
  distribution: GarchDistribution;
  omega: number;
  alpha: number;
  beta: number;
  gamma?: number;
  nu?: number;
}

export interface GarchFit extends GarchParameters {
  logLikelihood: number;
  converged: boolean;
  reason: 'gradient' | 'stationaryPoint' | 'maxIterations' | 'lineSearch';
  iterations: number;
  evaluations: number;
  /** alpha + beta + gamma/2. */
  persistence: number;
  /** omega / (1 - persistence). */
  unconditionalVariance: number;
  standardErrors: { omega: number; alpha: number; beta: number; gamma?: number; nu?: number };
  /** sigma^2_t for t = 0..n-1 (variance of r_t given r_0..r_{t-1}). */
  variances: Float64Array;
  /** sigma^2_n: the one-step-ahead forecast after the last return. */
  forecastVariance: number;
  variance0: number;
  observations: number;
}

/**
 * Checks the fields of a GarchParameters (or GarchFit) argument that a computation reads: `model`
 * and `distribution` (when `needDistribution`), finite `omega`, `alpha`, `beta` and (when present)
 * `gamma`, and `nu` > 2 and finite when the distribution is 't'. With `positive`, the variance
 * recursion must stay positive: omega > 0, alpha >= 0, beta >= 0, alpha + gamma >= 0. Other keys
 * (a GarchFit's results) are ignored, so a fit can be passed where parameters are expected.
 * @throws InputError naming `path.field`.
 */
function checkGarchParameters(p: unknown, path: string, needDistribution: boolean, positive: boolean): GarchParameters {
  if (p === null || typeof p !== 'object' || Array.isArray(p) || ArrayBuffer.isView(p)) throw new InputError(path, p, 'an object of GARCH parameters');
  const q = p as Record<string, unknown>;
  if (q.model !== undefined || needDistribution) {
    if (q.model !== 'garch' && q.model !== 'gjr') throw new InputError(`${path}.model`, q.model, "'garch' or 'gjr'");
  }
  if (needDistribution && q.distribution !== 'normal' && q.distribution !== 't') {
    throw new InputError(`${path}.distribution`, q.distribution, "'normal' or 't'");
  }
  const finite = (k: string, optional: boolean): number => {
    const v = q[k];
    if (optional && v === undefined) return 0;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`${path}.${k}`, v, 'a finite number');
    return v;
  };
  const omega = finite('omega', false), alpha = finite('alpha', false), beta = finite('beta', false), gamma = finite('gamma', true);
  if (q.distribution === 't' && (typeof q.nu !== 'number' || !(q.nu > 2 && Number.isFinite(q.nu)))) {
    throw new InputError(`${path}.nu`, q.nu, "a finite number > 2 (unit-variance Student-t innovations)");
  }
  if (q.distribution !== 't' && q.nu !== undefined && typeof q.nu !== 'number') throw new InputError(`${path}.nu`, q.nu, 'a number');
  if (positive) {
    if (!(omega > 0)) throw new InputError(`${path}.omega`, omega, 'a number > 0');
    if (!(alpha >= 0)) throw new InputError(`${path}.alpha`, alpha, 'a number >= 0');
    if (!(beta >= 0)) throw new InputError(`${path}.beta`, beta, 'a number >= 0');
    if (!(alpha + gamma >= 0)) throw new InputError(`${path}.gamma`, gamma, 'a number >= -alpha (the variance must stay positive)');
  }
  return p as GarchParameters;
}

const PMAX = 1 - 1e-8;
const NU_MIN = 2.05;

/** One kernel workspace for repeated likelihood evaluations on one return series. */
class GarchObjective {
  private readonly pR: number;
  private readonly pP: number;
  private readonly pOut: number;
  private readonly pVar: number;
  evaluations = 0;
  constructor(private readonly ctx: EngineContext, private readonly returns: ArrayLike<number>, readonly model: number,
    readonly dist: number, readonly variance0: number) {
    const n = returns.length;
    const a = ctx.arena;
    a.reset();
    a.reserve(16 * n + 256);
    this.pR = a.alloc(8 * n);
    this.pP = a.alloc(40);
    this.pOut = a.alloc(48);
    this.pVar = a.alloc(8 * n);
    const f = a.views.f64;
    for (let i = 0; i < n; i++) f[(this.pR >>> 3) + i] = returns[i];
  }
  /** [logL, grad(omega, alpha, beta, gamma, nu)] at theta. */
  eval(theta: readonly number[], variances = false): Float64Array {
    this.evaluations++;
    const f = this.ctx.arena.views.f64;
    f.set(theta, this.pP >>> 3);
    const rc = this.ctx.kernels.garchLikelihood(this.returns.length, this.pR, this.model, this.dist, this.pP, this.variance0, this.pOut, variances ? this.pVar : 0);
    if (rc !== 0) throw new KernelError('garchLikelihood', rc);
    const g = this.ctx.arena.views.f64;
    return g.slice(this.pOut >>> 3, (this.pOut >>> 3) + 6);
  }
  variances(): Float64Array {
    const f = this.ctx.arena.views.f64;
    return f.slice(this.pVar >>> 3, (this.pVar >>> 3) + this.returns.length);
  }
}

interface Transform { theta: number[]; jac: number[][] } // jac[j][k] = d theta_j / d u_k

function toTheta(u: readonly number[], gjr: boolean, isT: boolean, v0: number): Transform {
  const d = u.length;
  const omega = v0 * Math.exp(u[0]);
  const sig = 1 / (1 + Math.exp(-u[1]));
  const P = PMAX * sig;
  const ea = Math.exp(u[2]);
  const eg = gjr ? Math.exp(u[3]) : 0;
  const D = 1 + ea + eg;
  const alpha = (P * ea) / D, beta = P / D, gamma = (2 * P * eg) / D;
  const iNu = gjr ? 4 : 3;
  const nu = isT ? NU_MIN + Math.exp(u[iNu]) : 0;
  const jac = Array.from({ length: 5 }, () => new Array<number>(d).fill(0));
  jac[0][0] = omega;
  jac[1][1] = alpha * (1 - sig); jac[2][1] = beta * (1 - sig); jac[3][1] = gamma * (1 - sig);
  jac[1][2] = alpha * (1 - ea / D); jac[2][2] = -beta * (ea / D); jac[3][2] = -gamma * (ea / D);
  if (gjr) {
    jac[1][3] = -alpha * (eg / D); jac[2][3] = -beta * (eg / D); jac[3][3] = gamma * (1 - eg / D);
  }
  if (isT) jac[4][iNu] = nu - NU_MIN;
  return { theta: [omega, alpha, beta, gamma, nu], jac };
}

function invert(m: number[][]): number[][] | null {
  const n = m.length;
  const a = m.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (!(Math.abs(a[p][c]) > 0)) return null;
    [a[c], a[p]] = [a[p], a[c]];
    const piv = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      if (f !== 0) for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((r) => r.slice(n));
}

/** The checked call of fitGarch: the finite series, its mean square and the resolved options. */
interface GarchFitSetup {
  r: Float64Array | ArrayLike<number>;
  model: GarchModel;
  distribution: GarchDistribution;
  maxIter: number;
  /** Mean of r^2 (the scale of omega in the unconstrained coordinates). */
  s2: number;
  /** sigma^2_0 of the likelihood. */
  v0: number;
}

/** @throws InputError for a malformed series or option. */
function garchFitSetup(ctx: EngineContext, returns: ArrayLike<number>, options: FitGarchOptions): GarchFitSetup {
  checkContext(ctx);
  const r = finiteSample(returns, 'returns', 10);
  const o = (options ?? {}) as FitGarchOptions;
  checkOptions(o, FIT_GARCH_KEYS, 'options');
  const model = o.model ?? 'garch';
  if (model !== 'garch' && model !== 'gjr') throw new InputError('options.model', model, "'garch' or 'gjr'");
  const distribution = o.distribution ?? 'normal';
  if (distribution !== 'normal' && distribution !== 't') throw new InputError('options.distribution', distribution, "'normal' or 't'");
  const maxIter = o.maxIterations ?? 300;
  checkInt(maxIter, 'options.maxIterations', 1, 100_000);
  const n = r.length;
  let s2 = 0;
  for (let i = 0; i < n; i++) s2 += r[i] * r[i];
  s2 /= n;
  if (!(s2 > 0)) throw new InputError('returns', returns, 'a series that is not all zeros');
  const v0 = o.variance0 ?? s2;
  if (typeof v0 !== 'number' || !(v0 > 0) || !Number.isFinite(v0)) throw new InputError('options.variance0', v0, 'a positive number');
  return { r, model, distribution, maxIter, s2, v0 };
}

/** The starting point in unconstrained coordinates: P = 0.97, alpha = 0.07 (GJR: alpha 0.03, gamma/2 0.04), beta the rest, nu = 8. */
function garchStart(gjr: boolean, isT: boolean): number[] {
  const P0 = 0.97;
  const u: number[] = [Math.log(1 - P0), Math.log(P0 / (PMAX - P0))];
  if (gjr) u.push(Math.log(0.03 / 0.9), Math.log(0.04 / 0.9));
  else u.push(Math.log(0.07 / 0.9));
  if (isT) u.push(Math.log(8 - NU_MIN));
  return u;
}

/** Minus the mean log-likelihood and its gradient in the unconstrained coordinates u (chain rule through toTheta). */
function negativeMeanLogLikelihood(obj: GarchObjective, n: number, gjr: boolean, isT: boolean, s2: number): (u: readonly number[]) => ValueAndGradient {
  return (x) => {
    const d = x.length;
    const t = toTheta(x, gjr, isT, s2);
    const e = obj.eval(t.theta);
    const f = -e[0] / n;
    if (!Number.isFinite(f)) return { f: Infinity, g: new Array<number>(d).fill(NaN) };
    const g = new Array<number>(d).fill(0);
    for (let k = 0; k < d; k++) for (let j = 0; j < 5; j++) g[k] -= (e[1 + j] * t.jac[j][k]) / n;
    return { f, g };
  };
}

/**
 * Standard errors of the natural parameters: the inverse of the observed information, by central
 * differences of the analytic gradient (free parameters only; NaN where the information is singular).
 */
function garchStandardErrors(obj: GarchObjective, t: readonly number[], gjr: boolean, isT: boolean): (j: number) => number {
  const free = [0, 1, 2, ...(gjr ? [3] : []), ...(isT ? [4] : [])];
  const Hn: number[][] = free.map(() => new Array<number>(free.length).fill(0));
  free.forEach((j, a) => {
    const h = Math.max(Math.abs(t[j]) * 1e-4, j === 0 ? t[0] * 1e-4 : 1e-6);
    const up = [...t]; up[j] += h;
    const dn = [...t]; dn[j] -= h;
    const gu = obj.eval(up), gd = obj.eval(dn);
    free.forEach((k, b) => (Hn[a][b] = (gu[1 + k] - gd[1 + k]) / (2 * h)));
  });
  const sym = Hn.map((row, a) => row.map((_, b) => -0.5 * (Hn[a][b] + Hn[b][a])));
  const cov = invert(sym);
  return (j) => {
    const a = free.indexOf(j);
    const v = cov ? cov[a][a] : NaN;
    return v > 0 ? Math.sqrt(v) : NaN;
  };
}

/**
 * Fit GARCH(1,1) or GJR-GARCH(1,1) by maximum likelihood: BFGS (math/optimise/bfgs.ts) on the
 * unconstrained coordinates of the module comment, from persistence 0.97.
 * @throws InputError for a malformed series or option.
 */
export function fitGarch(ctx: EngineContext, returns: ArrayLike<number>, options: FitGarchOptions = {}): GarchFit {
  const { r, model, distribution, maxIter, s2, v0 } = garchFitSetup(ctx, returns, options);
  const n = r.length;
  const gjr = model === 'gjr';
  const isT = distribution === 't';
  const obj = new GarchObjective(ctx, r, gjr ? 1 : 0, isT ? 1 : 0, v0);
  const opt = bfgs(negativeMeanLogLikelihood(obj, n, gjr, isT, s2), garchStart(gjr, isT), { maxIterations: maxIter });
  const { reason } = opt;
  const t = toTheta(opt.x, gjr, isT, s2).theta;
  const final = obj.eval(t, true);
  const variances = obj.variances();
  const se = garchStandardErrors(obj, t, gjr, isT);
  const [omega, alpha, beta, gamma, nu] = t;
  const persistence = alpha + beta + gamma / 2;
  const last = r[n - 1];
  const forecastVariance = omega + (alpha + (last < 0 ? gamma : 0)) * last * last + beta * variances[n - 1];
  const fit: GarchFit = {
    model, distribution, omega, alpha, beta,
    logLikelihood: final[0], converged: reason === 'gradient' || reason === 'stationaryPoint', reason, iterations: opt.iterations,
    evaluations: obj.evaluations, persistence, unconditionalVariance: omega / (1 - persistence),
    standardErrors: { omega: se(0), alpha: se(1), beta: se(2) },
    variances, forecastVariance, variance0: v0, observations: n,
  };
  if (gjr) { fit.gamma = gamma; fit.standardErrors.gamma = se(3); }
  if (isT) { fit.nu = nu; fit.standardErrors.nu = se(4); }
  return fit;
}

/**
 * Log-likelihood and gradient at given parameters (the kernel, for tests and diagnostics).
 * `params` may be a GarchFit (its result fields are ignored); the parameters are not restricted
 * to the stationary region (a diagnostic may look outside it).
 * @throws InputError for a malformed engine, a non-finite or empty series, a `params` whose model,
 *   distribution, omega, alpha, beta, gamma or nu (> 2 for 't') is malformed, or a `variance0` that
 *   is not a positive finite number; KernelError if the kernel rejects the call (a bug).
 */
export function garchLogLikelihood(ctx: EngineContext, returns: ArrayLike<number>, params: GarchParameters, variance0?: number):
  { logLikelihood: number; gradient: { omega: number; alpha: number; beta: number; gamma: number; nu: number }; variances: Float64Array } {
  checkContext(ctx);
  const r = finiteSample(returns, 'returns', 1);
  checkGarchParameters(params, 'params', true, false);
  if (variance0 !== undefined && (typeof variance0 !== 'number' || !(variance0 > 0 && Number.isFinite(variance0)))) {
    throw new InputError('variance0', variance0, 'a positive finite number');
  }
  let s2 = 0;
  for (let i = 0; i < r.length; i++) s2 += r[i] * r[i];
  const obj = new GarchObjective(ctx, r, params.model === 'gjr' ? 1 : 0, params.distribution === 't' ? 1 : 0, variance0 ?? s2 / r.length);
  const e = obj.eval([params.omega, params.alpha, params.beta, params.gamma ?? 0, params.nu ?? 0], true);
  return { logLikelihood: e[0], gradient: { omega: e[1], alpha: e[2], beta: e[3], gamma: e[4], nu: e[5] }, variances: obj.variances() };
}

/** Unit-variance innovations z_t from seeded Philox draws: normal, or t_nu scaled by sqrt((nu-2)/nu). */
function garchInnovations(n: number, distribution: GarchDistribution, nu: number | undefined, seed: Seed, stream = 0, path = 0, ctx?: EngineContext): Float64Array {
  if (distribution === 'normal') return philoxNormals(n, seed, stream, path, 0, ctx);
  const v = nu as number;
  const u = philoxUniforms(n, seed, stream, path, 0, ctx);
  const k = Math.sqrt((v - 2) / v);
  for (let i = 0; i < n; i++) u[i] = k * studentTQuantile(u[i], v);
  return u;
}

/**
 * Simulate n returns of a GARCH / GJR model from sigma^2_0 = the unconditional variance (or
 * `variance0`), with seeded innovations (Philox stream `stream`).
 * Returns per period, decimals.
 * @param n the number of returns, an integer in [0, SIMULATIONS_MAX].
 * @throws InputError for malformed parameters (omega > 0, alpha >= 0, beta >= 0, alpha + gamma >= 0,
 *   nu > 2 for 't'), a non-stationary model (persistence >= 1) without `options.variance0`, a
 *   malformed `n`, seed or option.
 */
export function simulateGarch(params: GarchParameters, n: number, seed: Seed, options: SimulateGarchOptions = {}): Float64Array {
  checkGarchParameters(params, 'params', true, true);
  checkInt(n, 'n', 0, SIMULATIONS_MAX);
  const o = options ?? {};
  checkOptions(o, SIMULATE_GARCH_KEYS, 'options');
  if (o.variance0 !== undefined && (typeof o.variance0 !== 'number' || !(o.variance0 > 0 && Number.isFinite(o.variance0)))) {
    throw new InputError('options.variance0', o.variance0, 'a positive finite number');
  }
  const stream = checkInt(o.stream, 'options.stream', 0, 0xffffffff, 0);
  if (o.ctx !== undefined) checkContext(o.ctx, 'options.ctx');
  const gamma = params.gamma ?? 0;
  const persistence = params.alpha + params.beta + gamma / 2;
  if (o.variance0 === undefined && !(persistence < 1)) {
    throw new InputError('params', params, 'a stationary model (alpha + beta + gamma / 2 < 1), or give options.variance0');
  }
  const z = garchInnovations(n, params.distribution, params.nu, seed, stream, 0, o.ctx);
  let h = o.variance0 ?? params.omega / (1 - persistence);
  const r = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      const rp = r[t - 1];
      h = params.omega + (params.alpha + (rp < 0 ? gamma : 0)) * rp * rp + params.beta * h;
    }
    r[t] = Math.sqrt(h) * z[t];
  }
  return r;
}

/** EWMA (RiskMetrics) variances. */
export interface EwmaResult {
  lambda: number;
  /** sigma^2_t for t = 0..n-1: sigma^2_0 = initial, sigma^2_t = lambda sigma^2_{t-1} + (1 - lambda) r_{t-1}^2. */
  variances: Float64Array;
  /** sigma^2_n, the forecast for the next period. */
  forecastVariance: number;
  initialVariance: number;
}

/**
 * RiskMetrics EWMA (J.P. Morgan/Reuters, RiskMetrics Technical Document, 1996), lambda = 0.94 by
 * default for daily data. Initialisation: sigma^2_0 = the mean of r^2 over the series (zero-mean
 * returns), unless `initialVariance` is given; its weight decays as lambda^t (0.94^100 = 0.2%).
 * Variances per period of the returns (decimals).
 * @throws InputError for a non-finite or empty series, lambda outside (0, 1) or an `initialVariance`
 *   that is not a finite number >= 0.
 */
export function ewmaVariance(returns: ArrayLike<number>, lambda = 0.94, initialVariance?: number): EwmaResult {
  const r = finiteSample(returns, 'returns', 1);
  if (typeof lambda !== 'number' || !(lambda > 0 && lambda < 1)) throw new InputError('lambda', lambda, 'a number in (0, 1)');
  const n = r.length;
  let s2 = 0;
  for (let i = 0; i < n; i++) s2 += r[i] * r[i];
  if (initialVariance !== undefined && (typeof initialVariance !== 'number' || !(initialVariance >= 0 && Number.isFinite(initialVariance)))) {
    throw new InputError('initialVariance', initialVariance, 'a finite number >= 0');
  }
  const init = initialVariance ?? s2 / n;
  const v = new Float64Array(n);
  let h = init;
  for (let t = 0; t < n; t++) {
    if (t > 0) h = lambda * h + (1 - lambda) * r[t - 1] * r[t - 1];
    v[t] = h;
  }
  const forecastVariance = lambda * h + (1 - lambda) * r[n - 1] * r[n - 1];
  return { lambda, variances: v, forecastVariance, initialVariance: init };
}

/**
 * Run fixed GARCH parameters over a new series (sigma^2_0 = its mean square): the variances and
 * the one-step forecast, keeping the fit's parameters (rolling backtests between refits).
 * @throws InputError for a `fit` whose omega, alpha, beta or gamma is malformed (omega > 0,
 *   alpha >= 0, beta >= 0, alpha + gamma >= 0) or a series that is not at least one finite number.
 */
export function garchFilter(fit: GarchFit, returns: ArrayLike<number>): GarchFit {
  checkGarchParameters(fit, 'fit', false, true);
  returns = finiteSample(returns, 'returns', 1);
  const n = returns.length;
  let s2 = 0;
  for (let i = 0; i < n; i++) s2 += returns[i] * returns[i];
  const v0 = s2 / n;
  const gamma = fit.gamma ?? 0;
  const v = new Float64Array(n);
  let h = v0;
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      const rp = returns[t - 1];
      h = fit.omega + (fit.alpha + (rp < 0 ? gamma : 0)) * rp * rp + fit.beta * h;
    }
    v[t] = h;
  }
  const last = returns[n - 1];
  const forecastVariance = fit.omega + (fit.alpha + (last < 0 ? gamma : 0)) * last * last + fit.beta * v[n - 1];
  return { ...fit, variances: v, forecastVariance, variance0: v0, observations: n };
}
