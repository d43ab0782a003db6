/**
 * Monte Carlo scenarios for full revaluation: correlated lognormal spot moves and log implied-vol
 * shocks over a horizon, seeded (Philox normals from the engine's `philoxNormalPaths` kernel,
 * path p = scenario p, draws 0..2k-1), so results do not depend on backend or chunking.
 *   r_f = (mu_f - sigma_f^2 / 2) h + sigma_f sqrt(h) (L z)_f            (L: Cholesky of the correlation)
 *   d_f = eta_f sqrt(h) w_f - eta_f^2 h / 2,  w_f = rho_f (L z)_f + sqrt(1 - rho_f^2) e_f
 * applied as vol' = vol e^{d_f} ('log' mode, a martingale in the vol), eta = vol of vol.
 * One step to the horizon: exact for the lognormal spot model, so multi-step paths would add
 * nothing for European repricing at the horizon (stated, not simulated).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import type { Portfolio, ScenarioSet } from './portfolio.js';
import { prepareCorrelation } from '../montecarlo/correlation.js';
import { philoxNormalMatrix, seedWords, type Seed } from './random.js';
import { HORIZON_DAYS_MAX, SIMULATIONS_MAX, checkInt, checkOptions, checkStrings, keysOf, checkContext } from './validate.js';

export interface MonteCarloVarOptions {
  /** Annualised spot vols of the assets (in `assets` order). */
  vols: readonly number[];
  /** Correlation of the spot log-returns (default identity). */
  correlation?: readonly (readonly number[])[];
  /** Annual drifts of the spots (default 0). */
  drifts?: readonly number[];
  /** Annualised vol of log implied vol per asset (default 0: no vol shocks). */
  volOfVol?: readonly number[];
  /** Correlation of each asset's spot and vol shocks (default 0). */
  spotVolCorrelation?: readonly number[];
  /** Horizon in days, a number in (0, 10000] (default 1); scenarios also age the options by horizonDays / 365 years. */
  horizonDays?: number;
  /** Scenarios, an integer in [1, 10^7] (default 10000). */
  paths?: number;
  seed?: Seed;
  /** Asset order (default: portfolio spot keys). */
  assets?: readonly string[];
}

const MONTE_CARLO_KEYS = keysOf<MonteCarloVarOptions>()([
  'vols', 'correlation', 'drifts', 'volOfVol', 'spotVolCorrelation', 'horizonDays', 'paths', 'seed', 'assets',
]);

/**
 * Seeded Monte Carlo scenarios for full revaluation (see the file comment): vols annualised
 * decimals, drifts per year, horizon in days (returned `horizon` in years).
 * @throws InputError naming the malformed option (vols, correlation, horizonDays, paths, seed).
 */
export function monteCarloScenarios(ctx: EngineContext, portfolio: Portfolio, o: MonteCarloVarOptions): ScenarioSet & { horizon: number; logReturns: Float64Array; volShocks: Float64Array } {
  checkContext(ctx);
  checkOptions(o, MONTE_CARLO_KEYS, 'monteCarlo');
  let assets: string[];
  if (o.assets !== undefined) assets = checkStrings(o.assets, 'monteCarlo.assets', 1);
  else {
    const spots = (portfolio as Portfolio | null)?.spots;
    if (spots === null || typeof spots !== 'object') throw new InputError('portfolio.spots', spots, 'an object of spots');
    assets = Object.keys(spots);
  }
  const k = assets.length;
  // Cheap scalar checks first: no draws are made for a call that will be rejected.
  const days = o.horizonDays === undefined ? 1 : o.horizonDays;
  if (typeof days !== 'number' || !(days > 0 && days <= HORIZON_DAYS_MAX)) {
    throw new InputError('monteCarlo.horizonDays', days, `a number in (0, ${HORIZON_DAYS_MAX}]`);
  }
  const paths = checkInt(o.paths, 'monteCarlo.paths', 1, SIMULATIONS_MAX, 10000);
  const seed = o.seed === undefined ? 0 : o.seed;
  seedWords(seed, 'monteCarlo.seed');
  const vec = (v: readonly number[] | undefined, path: string, fallback: number): number[] => {
    if (v === undefined) return new Array<number>(k).fill(fallback);
    if (!Array.isArray(v) || v.length !== k || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new InputError(path, v, `${k} finite numbers (one per asset)`);
    }
    return [...v];
  };
  const vols = vec(o.vols, 'monteCarlo.vols', NaN);
  vols.forEach((v, i) => { if (!(v >= 0)) throw new InputError(`monteCarlo.vols[${i}]`, v, 'a number >= 0'); });
  const drifts = vec(o.drifts, 'monteCarlo.drifts', 0);
  const eta = vec(o.volOfVol, 'monteCarlo.volOfVol', 0);
  const rho = vec(o.spotVolCorrelation, 'monteCarlo.spotVolCorrelation', 0);
  eta.forEach((v, i) => { if (!(v >= 0)) throw new InputError(`monteCarlo.volOfVol[${i}]`, v, 'a number >= 0'); });
  rho.forEach((v, i) => { if (!(v >= -1 && v <= 1)) throw new InputError(`monteCarlo.spotVolCorrelation[${i}]`, v, 'a number in [-1, 1]'); });
  const corr = o.correlation !== undefined ? o.correlation : assets.map((_, i) => assets.map((__, j) => (i === j ? 1 : 0)));
  // The library's correlation checks (unit diagonal, symmetric, in [-1, 1], positive semi-definite)
  // and its pivoted Cholesky, as Monte Carlo paths use: a bad matrix is an InputError, never repaired here.
  const { factor } = prepareCorrelation(corr, k, false, 'monteCarlo.correlation');
  const L = assets.map((_, i) => assets.map((__, j) => factor[i * k + j]!));
  const h = days / 365;
  const z = philoxNormalMatrix(ctx, paths, 2 * k, seed, 5);
  const lr = new Float64Array(paths * k);
  const vs = new Float64Array(paths * k);
  const sq = Math.sqrt(h);
  const x = new Float64Array(k);
  for (let p = 0; p < paths; p++) {
    const row = p * 2 * k;
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j <= i; j++) s += L[i][j] * z[row + j];
      x[i] = s;
    }
    for (let i = 0; i < k; i++) {
      lr[p * k + i] = (drifts[i] - 0.5 * vols[i] * vols[i]) * h + vols[i] * sq * x[i];
      const w = rho[i] * x[i] + Math.sqrt(Math.max(0, 1 - rho[i] * rho[i])) * z[row + k + i];
      vs[p * k + i] = eta[i] * sq * w - 0.5 * eta[i] * eta[i] * h;
      // Finite inputs can still overflow (a vol of 1e200): name the option, not a scenario cell.
      if (!Number.isFinite(lr[p * k + i])) throw new InputError(`monteCarlo.vols[${i}]`, vols[i], `vols and drifts whose ${days}-day log-returns are finite (scenario ${p} gives ${lr[p * k + i]})`);
      if (!Number.isFinite(vs[p * k + i])) throw new InputError(`monteCarlo.volOfVol[${i}]`, eta[i], `vols of vol whose ${days}-day shocks are finite (scenario ${p} gives ${vs[p * k + i]})`);
    }
  }
  return { assets, logReturns: lr, volShocks: vs, volShockMode: 'log', horizon: h };
}
