/**
 * Delta-normal and delta-gamma(-vega) approximations of portfolio P&L. Sensitivities come from
 * the revaluation kernel by central differences (so every instrument kind and settlement is
 * covered), taken at the horizon (options aged by it, so charm is not an error term): for each
 * asset f, with log-return bumps +-eps (eps = 1e-3) and vol bumps +-delta (1e-3, in the
 * scenarios' vol-shock mode):
 *   a_f = dP/dr_f, b_f = d2P/dr_f^2, v_f = dP/dd_f, x_f = d2P/(dr_f dd_f);  theta = P(no move, horizon).
 * P&L ~ theta + sum_f [a_f r_f + b_f r_f^2 / 2 + (v_f + x_f r_f) d_f]   (delta-normal: theta + a'r).
 * With `scenarios`: the approximation is evaluated on every scenario and VaR/ES are the empirical
 * estimates of tail-measures.ts (partial simulation). Without: `covariance` (of the assets'
 * log-returns over the horizon) gives delta-normal VaR = normal with sigma^2 = a' S a, and
 * delta-gamma VaR by Cornish-Fisher on the exact cumulants of the quadratic form
 * Q = a'r + r'Br/2, B = diag(b), r ~ N(0, S):
 *   k1 = tr(BS)/2, k2 = a'Sa + tr((BS)^2)/2, k3 = 3 a'SBSa + tr((BS)^3), k4 = 12 a'S(BS)^2 a + 3 tr((BS)^4)
 * (vega terms need vol scenarios and are left out of the covariance route).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { cornishFisherVarEsUnchecked as cornishFisherVarEs, normalVarEsUnchecked as normalVarEs } from './parametric.js';
import { checkScenarioSet, flattenScenarios, packPortfolio, revaluePortfolio, type Portfolio, type ScenarioSet } from './portfolio.js';
import { empiricalTailUnchecked as empiricalTail } from './tail-measures.js';
import { checkEnum, checkNumber, keysOf, optionalOptions, checkContext } from './validate.js';

export interface DeltaGammaOptions {
  /** Covariance of the assets' log-returns over the horizon (assets in spot order), when no scenarios are given. */
  covariance?: readonly (readonly number[])[];
  /** Horizon in years for theta (default: the scenarios' horizon, else 1/365). */
  horizon?: number;
  /** Vol-shock mode of the vega bump (default: the scenarios' mode, else 'absolute'). */
  volShockMode?: 'absolute' | 'relative' | 'log';
}

export interface Sensitivities {
  assets: string[];
  /** dP/dr per asset (USD per unit log-return). */
  delta: Float64Array;
  /** d2P/dr2 per asset. */
  gamma: Float64Array;
  /** dP/d(vol shock) per asset. */
  vega: Float64Array;
  /** d2P/(dr d vol shock) per asset. */
  vanna: Float64Array;
  /** P&L of the zero move over the horizon. */
  theta: number;
}

const DELTA_GAMMA_KEYS = keysOf<DeltaGammaOptions>()(['covariance', 'horizon', 'volShockMode']);
const VOL_SHOCK_MODES = ['absolute', 'relative', 'log'] as const satisfies readonly NonNullable<DeltaGammaOptions['volShockMode']>[];

const EPS = 1e-3;
const DVOL = 1e-3;

/**
 * Bump-and-revalue sensitivities at the horizon (see the file comment).
 * `horizon` in years; sensitivities in USD per unit log-return (delta, gamma) and per unit vol shock.
 * @throws InputError for a malformed portfolio.
 */
export function portfolioSensitivities(ctx: EngineContext, portfolio: Portfolio, horizon: number, mode: 'absolute' | 'relative' | 'log', assets?: readonly string[]): Sensitivities {
  checkContext(ctx);
  checkNumber(horizon, 'horizon', 'nonNegative');
  checkEnum(mode, VOL_SHOCK_MODES, 'mode');
  const packed = packPortfolio(portfolio, assets);
  const k = packed.assets.length;
  // Per asset: +e, -e, +d, -d, (+e,+d), (+e,-d), (-e,+d), (-e,-d); then the zero move.
  const S = 8;
  const lr = new Float64Array((S * k + 1) * k);
  const vs = new Float64Array((S * k + 1) * k);
  const moves: [number, number][] = [[EPS, 0], [-EPS, 0], [0, DVOL], [0, -DVOL], [EPS, DVOL], [EPS, -DVOL], [-EPS, DVOL], [-EPS, -DVOL]];
  for (let f = 0; f < k; f++) {
    moves.forEach(([e, d], j) => {
      lr[(S * f + j) * k + f] = e;
      vs[(S * f + j) * k + f] = d;
    });
  }
  const r = revaluePortfolio(ctx, { portfolio, scenarios: { assets: packed.assets, logReturns: lr, volShocks: vs, volShockMode: mode, horizon } }).pnl;
  const th = r[S * k];
  const delta = new Float64Array(k), gamma = new Float64Array(k), vega = new Float64Array(k), vanna = new Float64Array(k);
  for (let f = 0; f < k; f++) {
    const p = (j: number) => r[S * f + j];
    delta[f] = (p(0) - p(1)) / (2 * EPS);
    gamma[f] = (p(0) - 2 * th + p(1)) / (EPS * EPS);
    vega[f] = (p(2) - p(3)) / (2 * DVOL);
    vanna[f] = (p(4) - p(5) - p(6) + p(7)) / (4 * EPS * DVOL);
  }
  return { assets: packed.assets, delta, gamma, vega, vanna, theta: th };
}

function matMul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}
function trace(a: number[][]): number {
  return a.reduce((s, row, i) => s + row[i], 0);
}
function quad(x: ArrayLike<number>, m: number[][]): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) for (let j = 0; j < m.length; j++) s += x[i] * m[i][j] * x[j];
  return s;
}

/**
 * Delta-normal / delta-gamma VaR and ES of a portfolio (see the file comment); `options` are
 * valueAtRisk's `deltaGamma`, `scenarios` its scenario set (partial simulation) when given.
 * @throws InputError naming the malformed field (`deltaGamma.covariance`, `scenarios.horizon`, ...).
 */
export function deltaGammaVar(
  ctx: EngineContext, portfolio: Portfolio, c: number, method: 'deltaNormal' | 'deltaGamma', options: DeltaGammaOptions | undefined, scenarios?: ScenarioSet,
): { var: number; es: number; observations: number; details: Record<string, unknown> } {
  const o = (optionalOptions(options, DELTA_GAMMA_KEYS, 'deltaGamma') ?? {}) as DeltaGammaOptions;
  if (scenarios !== undefined) checkScenarioSet(scenarios);
  const horizon = o.horizon !== undefined ? checkNumber(o.horizon, 'deltaGamma.horizon', 'nonNegative')
    : scenarios?.horizon !== undefined ? checkNumber(scenarios.horizon, 'scenarios.horizon', 'nonNegative') : 1 / 365;
  const mode = o.volShockMode !== undefined ? checkEnum(o.volShockMode, VOL_SHOCK_MODES, 'deltaGamma.volShockMode')
    : checkEnum(scenarios?.volShockMode, VOL_SHOCK_MODES, 'scenarios.volShockMode', 'absolute');
  const sens = portfolioSensitivities(ctx, portfolio, horizon, mode, scenarios?.assets);
  const k = sens.assets.length;
  const gammaOn = method === 'deltaGamma';
  const details: Record<string, unknown> = { assets: sens.assets, delta: sens.delta, gamma: sens.gamma, vega: sens.vega, vanna: sens.vanna, theta: sens.theta };
  if (scenarios) {
    const lr = flattenScenarios(scenarios.logReturns, k, 'scenarios.logReturns');
    const vs = scenarios.volShocks === undefined ? undefined : flattenScenarios(scenarios.volShocks, k, 'scenarios.volShocks');
    const m = lr.length / k;
    const pnl = approximatePnl(sens, lr, vs, gammaOn);
    const t = empiricalTail(ctx, pnl, c);
    return { var: t.var, es: t.es, observations: m, details: { ...details, route: 'scenarios' } };
  }
  const S = o.covariance;
  if (!Array.isArray(S) || S.length !== k || S.some((row) => !Array.isArray(row) || row.length !== k)) {
    throw new InputError('deltaGamma.covariance', S, `a ${k} x ${k} covariance matrix (or scenarios)`);
  }
  const Sig = S.map((row) => [...row]);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = Sig[i][j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`deltaGamma.covariance[${i}][${j}]`, v, 'a finite number');
      if (i === j && v < 0) throw new InputError(`deltaGamma.covariance[${i}][${j}]`, v, 'a variance >= 0');
      if (j < i && v !== Sig[j][i]) throw new InputError(`deltaGamma.covariance[${i}][${j}]`, v, `a symmetric matrix (covariance[${j}][${i}] = ${Sig[j][i]})`);
    }
  }
  const a = sens.delta;
  const s2 = quad(a, Sig);
  if (!(s2 >= 0)) throw new InputError('deltaGamma.covariance', S, `a positive semi-definite matrix (delta' S delta = ${s2})`);
  if (!gammaOn) {
    const r = normalVarEs(-sens.theta, Math.sqrt(s2), c);
    return { var: r.var, es: r.es, observations: 0, details: { ...details, route: 'covariance', sd: Math.sqrt(s2) } };
  }
  const B = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? sens.gamma[i] : 0)));
  const BS = matMul(B, Sig);
  const BS2 = matMul(BS, BS);
  const BS3 = matMul(BS2, BS);
  const BS4 = matMul(BS3, BS);
  const SBS = matMul(Sig, BS);
  const SBS2 = matMul(Sig, BS2);
  const k1 = 0.5 * trace(BS) + sens.theta;
  const k2 = s2 + 0.5 * trace(BS2);
  const k3 = 3 * quad(a, SBS) + trace(BS3);
  const k4 = 12 * quad(a, SBS2) + 3 * trace(BS4);
  // Loss = -P&L: odd cumulants change sign. A degenerate (zero-variance) quadratic form is the constant -k1.
  if (!(k2 > 0)) return { var: -k1, es: -k1, observations: 0, details: { ...details, route: 'covariance', mean: k1, sd: 0, skewness: 0, excessKurtosis: 0 } };
  const sd = Math.sqrt(k2);
  const skew = -k3 / k2 ** 1.5;
  const exKurt = k4 / (k2 * k2);
  const r = cornishFisherVarEs(-k1, sd, skew, exKurt, c);
  return { var: r.var, es: r.es, observations: 0, details: { ...details, route: 'covariance', mean: k1, sd, skewness: skew, excessKurtosis: exKurt } };
}

/** Delta(-gamma)(-vega) P&L approximation on scenarios (row-major [m][assets]). */
export function approximatePnl(sens: Sensitivities, lr: Float64Array, vs: Float64Array | undefined, gammaOn: boolean): Float64Array {
  const k = sens.assets.length;
  const m = lr.length / k;
  const pnl = new Float64Array(m);
  for (let s = 0; s < m; s++) {
    let p = sens.theta;
    for (let f = 0; f < k; f++) {
      const r = lr[s * k + f];
      p += sens.delta[f] * r;
      if (gammaOn) {
        p += 0.5 * sens.gamma[f] * r * r;
        if (vs) p += (sens.vega[f] + sens.vanna[f] * r) * vs[s * k + f];
      }
    }
    pnl[s] = p;
  }
  return pnl;
}
