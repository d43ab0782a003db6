/**
 * [surface] The local-vol grid of a Monte Carlo job: Dupire local vol sampled from a
 * {@link VolSurface} once per job on (time x log-moneyness) nodes, packed after the kernel's
 * parameter block, so the path stepper (kernels/montecarlo/local-vol-grid.ts, and its WASM twin)
 * interpolates plain numbers, bilinear in (t, k), flat beyond the end nodes.
 *
 * Nodes: `times` (nT) at the midpoints (i + 1/2) T / nT of nT equal intervals of [0, T] (by
 * default nT = steps, capped at {@link DEFAULT_LV_TIMES}: then each step reads its own row, exact
 * in t); `points` (nK, default {@link DEFAULT_LV_POINTS}) log-moneyness nodes equally spaced over
 * k in [-h, h], h = width x sqrt(w(0, T)) (width default 6: six at-the-money standard deviations of
 * ln S_T at expiry), at least {@link MIN_LV_HALF_WIDTH}. k = ln(S / F(t)) against the model's own
 * forward F(t) = S0 e^{(r - q) t}.
 */
import { InputError } from '../errors.js';
import { Status } from '../status.js';
import type { EngineContext } from '../context.js';
import { VolSurface } from '../surface/vol-surface.js';

/** Default and largest time nodes. */
export const DEFAULT_LV_TIMES = 256;
export const MAX_LV_TIMES = 4096;
/** Default and largest log-moneyness nodes. */
export const DEFAULT_LV_POINTS = 401;
export const MAX_LV_POINTS = 4001;
/** Default half-width of the k grid in at-the-money standard deviations at expiry, and its range. */
export const DEFAULT_LV_WIDTH = 6;
export const MAX_LV_WIDTH = 50;
/** Smallest half-width of the k grid (log-moneyness), for very short expiries. */
export const MIN_LV_HALF_WIDTH = 1e-3;

/** The grid request of a localVol model after validation. */
export interface LocalVolGridRequest {
  /** Time nodes, or undefined for the default min(steps, DEFAULT_LV_TIMES) (at least 2). */
  times: number | undefined;
  points: number;
  width: number;
}

/** The sampled grid (plain data, part of the job). */
export interface LocalVolGrid {
  times: number;
  points: number;
  kMin: number;
  dk: number;
  /** Row-major [times][points] local vols (decimals). */
  values: number[];
  /** Smallest and largest local vol on the grid. */
  minLocalVol: number;
  maxLocalVol: number;
  /** Largest |F_surface(t) / (S0 e^{(r - q) t}) - 1| over the surface's expiries up to T (and T). */
  forwardMismatch: number;
  /** At-the-money implied vol of the surface at the expiry (the reference vol of importance sampling). */
  atmVol: number;
}

/**
 * Sample `surface.localVol` on the job's grid (on `ctx` when given, else the surface's own engine).
 * @throws InputError naming `model.surface` when the surface is unbound and no engine is given, or
 *   when a node's local vol is not defined (butterfly or calendar arbitrage there) or outside
 *   [0, maxVol] or with maxLocalVol^2 x expiry > maxVarianceTimesExpiry (the paths could overflow).
 */
export function sampleLocalVolGrid(
  surface: VolSurface, ctx: EngineContext | undefined, spot: number, rate: number, dividendYield: number,
  expiry: number, steps: number, req: LocalVolGridRequest, limits: { maxVol: number; maxVarianceTimesExpiry: number }, path: string,
): LocalVolGrid {
  let s = surface;
  if (ctx !== undefined) s = surface.withEngine(ctx);
  else if (surface.engine === undefined) throw new InputError(`${path}.surface`, surface, 'a VolSurface bound to an engine (engine.volSurface(...) or surface.withEngine(engine))');
  const nT = req.times ?? Math.max(2, Math.min(steps, DEFAULT_LV_TIMES));
  const nK = req.points;
  const w0 = s.totalVariance({ moneyness: [0], expiries: [expiry] });
  if (w0.status[0] !== Status.ok || !(w0.totalVariances[0]! > 0)) {
    throw new InputError(`${path}.surface`, surface, `a surface with a total variance > 0 at k = 0, T = ${expiry} (the expiry)`);
  }
  const atmW = w0.totalVariances[0]!;
  const half = Math.max(req.width * Math.sqrt(atmW), MIN_LV_HALF_WIDTH);
  const kMin = -half;
  const dk = (2 * half) / (nK - 1);
  const n = nT * nK;
  const ks = new Float64Array(n);
  const ts = new Float64Array(n);
  for (let i = 0; i < nT; i++) {
    const t = ((i + 0.5) * expiry) / nT;
    for (let j = 0; j < nK; j++) {
      ks[i * nK + j] = kMin + j * dk;
      ts[i * nK + j] = t;
    }
  }
  const lv = s.localVol({ moneyness: ks, expiries: ts });
  let lo = Infinity;
  let hi = 0;
  for (let q = 0; q < n; q++) {
    const v = lv.localVols[q]!;
    if (lv.status[q] !== Status.ok || !(v >= 0 && v <= limits.maxVol)) {
      throw new InputError(`${path}.surface`, surface,
        `a surface whose local vol is defined and in [0, ${limits.maxVol}] on the simulation grid; at t = ${ts[q]}, k = ${ks[q]} it is ${v} ` +
        `(status ${lv.status[q]}: butterfly or calendar arbitrage, or an extreme wing); narrow ${path}.grid.width or repair the surface`);
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi * hi * expiry > limits.maxVarianceTimesExpiry) {
    throw new InputError(`${path}.surface`, surface, `local vols with max^2 x expiry <= ${limits.maxVarianceTimesExpiry} (max ${hi} at expiry ${expiry}: the paths could overflow)`);
  }
  const carry = rate - dividendYield;
  const checkTimes = [...s.expiries].filter((t) => t <= expiry);
  checkTimes.push(expiry);
  const fwd = s.forward(checkTimes);
  let mismatch = 0;
  checkTimes.forEach((t, i) => {
    mismatch = Math.max(mismatch, Math.abs(fwd[i]! / (spot * Math.exp(carry * t)) - 1));
  });
  return {
    times: nT, points: nK, kMin, dk, values: Array.from(lv.localVols), minLocalVol: lo, maxLocalVol: hi,
    forwardMismatch: mismatch, atmVol: Math.sqrt(atmW / expiry),
  };
}

/** @throws InputError (at `path`) unless `v` is a VolSurface. */
export function requireVolSurface(v: unknown, path: string): VolSurface {
  if (!(v instanceof VolSurface)) throw new InputError(path, v, 'a VolSurface (engine.volSurface(...) or VolSurface.fromJSON(json, engine))');
  return v;
}
