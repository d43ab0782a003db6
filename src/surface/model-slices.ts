/**
 * [surface] SVI slices of a Heston or Bates model: the model's implied vols on a log-moneyness x
 * expiry grid (semi-analytic prices, then Black-76 inversion), each expiry fitted by raw SVI
 * (Levenberg-Marquardt, analytic Jacobian, residuals in vol to first order). The surface then
 * evaluates (and differentiates, for local vol) through these slices: the model's own local vol
 * is not available in closed form, and SVI slices of a smooth model fit it to a few hundredths
 * of a vol point inside the grid (`sliceRmse` reports it per expiry).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { requireArrayLike } from '../arguments.js';
import { levenbergMarquardt } from '../math/optimise/levenberg-marquardt.js';
import { batesPrice, hestonPrice, type BatesParams, type HestonParams } from '../pricing/heston-price.js';
import { impliedVol } from '../pricing/implied-vol.js';
import { Status } from '../status.js';

/** Options of a model-built surface (Heston / Bates fits only). */
export interface ModelSliceOptions {
  /** Expiries of the slices, years, ascending. Default [1/52, 1/12, 0.25, 0.5, 1, 2]. */
  expiries?: ArrayLike<number>;
  /** Log-moneyness points per expiry. Default 41 (in [7, 1001]). */
  strikesPerExpiry?: number;
  /** Half-width of each expiry's k grid in standard deviations sqrt(max(v0, theta) T). Default 3 (in (0, 10]). */
  moneynessWidth?: number;
}

const DEFAULT_EXPIRIES = [1 / 52, 1 / 12, 0.25, 0.5, 1, 2];

interface Slice {
  expiry: number;
  forward: number;
  params: { a: number; b: number; rho: number; m: number; sigma: number };
}

/**
 * @throws InputError naming `options.expiries` (not ascending positive), `options.strikesPerExpiry`,
 *   `options.moneynessWidth`, `fit.params.<name>` (out of the model's domain), or
 *   `options.expiries[j]` when the model gives fewer than 6 implied vols at that expiry.
 */
export function modelSlices(ctx: EngineContext, params: Record<string, unknown>, options: ModelSliceOptions, forwardOf: (i: number, T: number) => number): { slices: Slice[]; rmse: number[] } {
  const expiries = options.expiries === undefined ? DEFAULT_EXPIRIES : Array.from(requireArrayLike(options.expiries, 'options.expiries', 1, 1000) as ArrayLike<number>);
  expiries.forEach((T, j) => {
    if (typeof T !== 'number' || !(T > 0) || T === Infinity || (j > 0 && !(T > expiries[j - 1]))) throw new InputError(`options.expiries[${j}]`, T, 'years > 0, ascending');
  });
  const N = options.strikesPerExpiry ?? 41;
  if (typeof N !== 'number' || !Number.isInteger(N) || N < 7 || N > 1001) throw new InputError('options.strikesPerExpiry', N, 'an integer in [7, 1001]');
  const width = options.moneynessWidth ?? 3;
  if (typeof width !== 'number' || !(width > 0 && width <= 10)) throw new InputError('options.moneynessWidth', width, 'a number in (0, 10]');
  const isBates = 'lambda' in params;
  const num = (key: string): number => {
    const v = params[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`fit.params.${key}`, v, 'a finite number');
    return v;
  };
  const v0 = num('v0'), theta = num('theta');
  const vbar = Math.max(v0, theta, 1e-4);
  const E = expiries.length, n = E * N;
  const F = new Float64Array(n), K = new Float64Array(n), T = new Float64Array(n), k = new Float64Array(n);
  const types: ('call' | 'put')[] = new Array(n);
  const forwards = expiries.map((t, j) => forwardOf(j, t));
  for (let j = 0; j < E; j++) {
    const kMax = width * Math.sqrt(vbar * expiries[j]);
    for (let i = 0; i < N; i++) {
      const r = j * N + i;
      k[r] = -kMax + (2 * kMax * i) / (N - 1);
      F[r] = forwards[j];
      K[r] = forwards[j] * Math.exp(k[r]);
      T[r] = expiries[j];
      types[r] = k[r] >= 0 ? 'call' : 'put';
    }
  }
  const base = { forwards: F, strikes: K, expiries: T, types };
  // hestonPrice / batesPrice check the parameters (an InputError names `params.<name>`).
  const priced = isBates
    ? batesPrice(ctx, { ...base, params: params as unknown as BatesParams })
    : hestonPrice(ctx, { ...base, params: params as unknown as HestonParams });
  const iv = impliedVol(ctx, { prices: priced.price, forwards: F, strikes: K, expiries: T, types });
  const slices: Slice[] = [];
  const rmse: number[] = [];
  for (let j = 0; j < E; j++) {
    const ks: number[] = [], vols: number[] = [];
    for (let i = 0; i < N; i++) {
      const r = j * N + i;
      if (iv.status[r] === Status.ok && priced.status[r] === Status.ok && iv.vols[r] > 0) {
        ks.push(k[r]);
        vols.push(iv.vols[r]);
      }
    }
    if (ks.length < 6) throw new InputError(`options.expiries[${j}]`, expiries[j], `an expiry where the model gives at least 6 implied vols (${ks.length} of ${N})`);
    const fit = fitSviSlice(Float64Array.from(ks), Float64Array.from(vols), expiries[j]);
    slices.push({ expiry: expiries[j], forward: forwards[j], params: fit.params });
    rmse.push(fit.rmse);
  }
  return { slices, rmse };
}

/** Raw SVI fitted to (k, vol) at expiry T: the best of two starts; rmse in vol points. */
function fitSviSlice(k: Float64Array, vol: Float64Array, T: number): { params: Slice['params']; rmse: number } {
  const n = k.length;
  const w = Float64Array.from(vol, (v) => v * v * T);
  let kLo = Infinity, kHi = -Infinity, wMax = 0, iAtm = 0;
  for (let i = 0; i < n; i++) {
    kLo = Math.min(kLo, k[i]);
    kHi = Math.max(kHi, k[i]);
    wMax = Math.max(wMax, w[i]);
    if (Math.abs(k[i]) < Math.abs(k[iAtm])) iAtm = i;
  }
  // Wing slopes of w from the end points: b (1 +- rho) in SVI.
  const sL = (w[1] - w[0]) / (k[1] - k[0]), sR = (w[n - 1] - w[n - 2]) / (k[n - 1] - k[n - 2]);
  const b0 = Math.min(1.9, Math.max(1e-3, (sR - sL) / 2));
  const rho0 = Math.max(-0.9, Math.min(0.9, (sR + sL) / (2 * b0)));
  const problem = {
    nParams: 5, nResiduals: n,
    evaluate(p: Float64Array, r: Float64Array, J: Float64Array | null) {
      const [a, b, rho, m, sigma] = p;
      for (let i = 0; i < n; i++) {
        const d = k[i] - m, q = Math.sqrt(d * d + sigma * sigma);
        const c = 1 / (2 * vol[i] * T); // d vol / d w at the market point: residuals in vol to first order
        r[i] = (a + b * (rho * d + q) - w[i]) * c;
        if (J) {
          J[5 * i] = c;
          J[5 * i + 1] = (rho * d + q) * c;
          J[5 * i + 2] = b * d * c;
          J[5 * i + 3] = -b * (rho + d / q) * c;
          J[5 * i + 4] = ((b * sigma) / q) * c;
        }
      }
    },
  };
  const lower = [-wMax, 0, -0.999, kLo - 1, 1e-4], upper = [wMax, 2, 0.999, kHi + 1, 2];
  let best: Float64Array | undefined, bestCost = Infinity;
  for (const sigma0 of [0.1, 0.5]) {
    const a0 = Math.max(-wMax, Math.min(wMax, w[iAtm] - b0 * sigma0 * Math.sqrt(1 - rho0 * rho0)));
    const res = levenbergMarquardt(problem, { initial: [a0, b0, rho0, 0, sigma0], lower, upper, maxIterations: 300, tolerance: 1e-14 });
    if (best === undefined || res.cost < bestCost) {
      bestCost = res.cost;
      best = res.params;
    }
  }
  const p = best!;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = k[i] - p[3];
    const wi = p[0] + p[1] * (p[2] * d + Math.sqrt(d * d + p[4] * p[4]));
    const e = Math.sqrt(Math.max(wi, 0) / T) - vol[i];
    ss += e * e;
  }
  return { params: { a: p[0], b: p[1], rho: p[2], m: p[3], sigma: p[4] }, rmse: 100 * Math.sqrt(ss / n) };
}
