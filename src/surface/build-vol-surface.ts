/**
 * [surface] `engine.volSurface(fitOrFits, options)`: a {@link VolSurface} from SVI slice fits, an
 * SSVI fit, a Heston or Bates fit, or a surface / its JSON (rebound to the engine).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { requireArrayLike } from '../arguments.js';
import { hestonPhi } from '../math/heston-phi.js';
import type { HestonParams, BatesParams } from '../pricing/heston-price.js';
import {
  VolSurface, checkedCalendarGrid, checkedExtrapolation, checkedMeta, checkedSlices,
  type VolSurfaceExtrapolation, type VolSurfaceJSON, type VolSurfaceSlice, type VolSurfaceSource,
} from './vol-surface.js';
import { modelSlices, type ModelSliceOptions } from './model-slices.js';

/** Raw SVI parameters of one slice (as `fitSvi` returns them). */
export interface SviSliceParams {
  a: number;
  b: number;
  rho: number;
  m: number;
  sigma: number;
}

/** One SVI slice as input: its expiry (years), its parameters and (optionally) its forward. */
export interface SviSliceInput {
  expiry: number;
  params: SviSliceParams;
  /** Forward to this expiry; else from `options.forwards` or `options.spot`. */
  forward?: number;
}

/** An SSVI fit as input (`fitSsvi`'s result, or just its `phi` and `params`). */
export interface SsviInput {
  phi: 'powerLaw' | 'hestonLike';
  params: { rho: number; eta?: number; gamma?: number; lambda?: number; thetas: ArrayLike<number>; expiries: ArrayLike<number> };
}

/** A Heston or Bates fit as input (`calibrateHeston` / `calibrateBates`'s result, or just `{ params }`). */
export interface StochasticVolInput {
  params: HestonParams | BatesParams;
}

/** What `engine.volSurface` accepts. */
export type VolSurfaceInput =
  | readonly SviSliceInput[]
  | { slices: readonly SviSliceInput[] }
  | SsviInput
  | StochasticVolInput
  | VolSurface
  | VolSurfaceJSON;

/** Options of `engine.volSurface`. */
export interface VolSurfaceOptions extends ModelSliceOptions {
  /** Forward per slice (ascending expiry), for slices that carry none. */
  forwards?: ArrayLike<number>;
  /** Spot: anchors ln F at T = 0 and, with `rate` and `dividendYield`, gives forwards S e^{(r - q) T} to slices without one. */
  spot?: number;
  /** Continuously compounded rate (decimal), with `spot`. Default 0. */
  rate?: number;
  /** Continuous dividend (or foreign) yield (decimal), with `spot`. Default 0. */
  dividendYield?: number;
  underlying?: string;
  /** ms since the epoch: what the expiries are measured from. */
  valuationTime?: number;
  /** After the last slice. Default `'constantVol'`. */
  extrapolation?: VolSurfaceExtrapolation;
  /** Grid of the calendar check. Default k in [-1.5, 1.5], 301 points. */
  calendarGrid?: { kMin?: number; kMax?: number; points?: number };
}

const OPTION_KEYS = [
  'forwards', 'spot', 'rate', 'dividendYield', 'underlying', 'valuationTime', 'extrapolation', 'calendarGrid', 'expiries', 'strikesPerExpiry', 'moneynessWidth',
] as const satisfies readonly (keyof VolSurfaceOptions)[];

const SVI_KEYS = ['a', 'b', 'rho', 'm', 'sigma'] as const;

/**
 * Build a surface (see {@link VolSurfaceInput}); `options` as {@link VolSurfaceOptions}.
 * Heston / Bates: the model's implied vols on a strike x expiry grid (`options.expiries`, default
 * 1w..2y), each expiry fitted by raw SVI in total variance (`sliceRmse` says how well).
 * @throws InputError naming the offending field: a fit of no known shape (path `fit`), a missing
 *   forward (`options.forwards`), slices not ascending, an out-of-domain parameter, an unknown key.
 */
export function buildVolSurface(ctx: EngineContext, fit: unknown, options: VolSurfaceOptions = {}): VolSurface {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InputError('options', options, 'VolSurfaceOptions (an object)');
  checkKeys(options, OPTION_KEYS, 'options');
  if (fit instanceof VolSurface) {
    rejectBuildOptions(options);
    return fit.withEngine(ctx);
  }
  if (fit !== null && typeof fit === 'object' && (fit as { kind?: unknown }).kind === 'riskwasm.VolSurface') {
    rejectBuildOptions(options);
    return VolSurface.fromJSON(fit, ctx);
  }
  const o = options as Record<string, unknown>;
  const meta = checkedMeta(o, 'options.');
  const extrapolation = checkedExtrapolation(options.extrapolation, 'options.extrapolation');
  const calendarGrid = checkedCalendarGrid(options.calendarGrid, 'options.calendarGrid');
  const forwardOf = forwardSource(options, meta.spot);
  let source: VolSurfaceSource;
  let raw: { expiry: number; forward?: number; p: SviSliceParams }[];
  let sliceRmse: number[] | undefined;
  if (Array.isArray(fit)) {
    source = 'svi';
    raw = sviInputs(fit, 'fit');
  } else if (fit !== null && typeof fit === 'object' && Array.isArray((fit as { slices?: unknown }).slices) && !('phi' in fit)) {
    source = 'svi';
    raw = sviInputs((fit as { slices: unknown[] }).slices, 'fit.slices');
  } else if (fit !== null && typeof fit === 'object' && 'phi' in fit) {
    source = 'ssvi';
    raw = ssviInputs(fit as Record<string, unknown>);
  } else if (fit !== null && typeof fit === 'object' && isStochasticVol((fit as { params?: unknown }).params)) {
    const params = (fit as { params: Record<string, unknown> }).params;
    source = 'lambda' in params ? 'bates' : 'heston';
    const built = modelSlices(ctx, params, options, forwardOf);
    raw = built.slices.map((s) => ({ expiry: s.expiry, forward: s.forward, p: s.params }));
    sliceRmse = built.rmse;
  } else {
    throw new InputError('fit', fit, 'SVI slices [{ expiry, params, forward? }], a fitSvi / fitSsvi / calibrateHeston / calibrateBates result, a VolSurface or its JSON');
  }
  if (source !== 'heston' && source !== 'bates') {
    for (const key of ['expiries', 'strikesPerExpiry', 'moneynessWidth'] as const) {
      if (options[key] !== undefined) throw new InputError(`options.${key}`, options[key], 'absent (a model-built surface option)');
    }
  }
  const slices: VolSurfaceSlice[] = raw.map((r, i) => ({ expiry: r.expiry, forward: r.forward ?? forwardOf(i, r.expiry), ...r.p }));
  return new VolSurface({ source, extrapolation, calendarGrid, slices: checkedSlices(slices, 'slices'), sliceRmse, ...meta }, ctx);
}

/** @throws InputError: a surface or its JSON carries its own settings. */
function rejectBuildOptions(options: VolSurfaceOptions): void {
  for (const key of OPTION_KEYS) {
    if (options[key] !== undefined) throw new InputError(`options.${key}`, options[key], 'absent when rebinding a VolSurface or its JSON (it carries its own settings)');
  }
}

function isStochasticVol(p: unknown): boolean {
  return p !== null && typeof p === 'object' && 'v0' in p && 'kappa' in p && 'theta' in p;
}

/** Forward of slice i at expiry T: `options.forwards[i]`, else spot e^{(r - q) T}. */
function forwardSource(options: VolSurfaceOptions, spot: number | undefined): (i: number, T: number) => number {
  const { forwards, rate, dividendYield } = options;
  for (const [key, v] of [['rate', rate], ['dividendYield', dividendYield]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new InputError(`options.${key}`, v, 'a finite number (continuously compounded decimal)');
    if (v !== undefined && spot === undefined) throw new InputError(`options.${key}`, v, 'absent without options.spot');
  }
  if (forwards !== undefined) {
    const f = requireArrayLike(forwards, 'options.forwards');
    return (i, T) => {
      if (i >= f.length) throw new InputError('options.forwards.length', f.length, `one forward per slice (slice ${i} at T = ${T} has none)`);
      const v = f[i];
      if (typeof v !== 'number' || !(v > 0) || v === Infinity) throw new InputError(`options.forwards[${i}]`, v, 'a forward > 0');
      return v;
    };
  }
  if (spot !== undefined) return (_i, T) => spot * Math.exp(((rate ?? 0) - (dividendYield ?? 0)) * T);
  return (i, T) => {
    throw new InputError('options.forwards', undefined, `a forward for slice ${i} (T = ${T}): the slice's forward, options.forwards, or options.spot (with rate and dividendYield)`);
  };
}

function sviInputs(a: readonly unknown[], path: string): { expiry: number; forward?: number; p: SviSliceParams }[] {
  return a.map((v, i) => {
    const at = `${path}[${i}]`;
    if (v === null || typeof v !== 'object') throw new InputError(at, v, '{ expiry, params: { a, b, rho, m, sigma }, forward? }');
    const o = v as Record<string, unknown>;
    const p = o.params as Record<string, unknown> | undefined;
    if (p === null || typeof p !== 'object') throw new InputError(`${at}.params`, p, '{ a, b, rho, m, sigma }');
    const out = {} as SviSliceParams;
    for (const key of SVI_KEYS) {
      const x = p[key];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(`${at}.params.${key}`, x, 'a finite number');
      out[key] = x;
    }
    if (typeof o.expiry !== 'number') throw new InputError(`${at}.expiry`, o.expiry, 'years > 0');
    if (o.forward !== undefined && typeof o.forward !== 'number') throw new InputError(`${at}.forward`, o.forward, 'a forward > 0');
    return { expiry: o.expiry, forward: o.forward as number | undefined, p: out };
  });
}

/** SSVI slices as raw SVI (Gatheral & Jacquier 2014, section 3 with Delta = mu = 0). */
function ssviInputs(fit: Record<string, unknown>): { expiry: number; p: SviSliceParams }[] {
  const phi = fit.phi;
  if (phi !== 'powerLaw' && phi !== 'hestonLike') throw new InputError('fit.phi', phi, "'powerLaw' or 'hestonLike'");
  const p = fit.params as Record<string, unknown> | undefined;
  if (p === null || typeof p !== 'object') throw new InputError('fit.params', p, '{ rho, eta, gamma | lambda, thetas, expiries }');
  const num = (key: string): number => {
    const v = p[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`fit.params.${key}`, v, 'a finite number');
    return v;
  };
  const rho = num('rho');
  if (!(Math.abs(rho) < 1)) throw new InputError('fit.params.rho', rho, 'rho in (-1, 1)');
  const thetas = requireArrayLike(p.thetas, 'fit.params.thetas', 1) as ArrayLike<number>;
  const expiries = requireArrayLike(p.expiries, 'fit.params.expiries', thetas.length, thetas.length) as ArrayLike<number>;
  let curvature: (theta: number) => number;
  if (phi === 'powerLaw') {
    const eta = num('eta'), gamma = num('gamma');
    curvature = (theta) => eta * Math.pow(theta, -gamma) * Math.pow(1 + theta, gamma - 1);
  } else {
    const lambda = num('lambda');
    curvature = (theta) => hestonPhi(lambda * theta);
  }
  const out: { expiry: number; p: SviSliceParams }[] = [];
  for (let s = 0; s < thetas.length; s++) {
    const theta = thetas[s], T = expiries[s];
    if (typeof theta !== 'number' || !(theta > 0) || theta === Infinity) throw new InputError(`fit.params.thetas[${s}]`, theta, 'an ATM total variance > 0');
    if (typeof T !== 'number') throw new InputError(`fit.params.expiries[${s}]`, T, 'years > 0');
    const ph = curvature(theta);
    if (!(ph > 0) || ph === Infinity) throw new InputError(`fit.params.thetas[${s}]`, theta, `a theta with phi(theta) > 0 finite (got ${ph})`);
    const r2 = Math.sqrt(1 - rho * rho);
    out.push({ expiry: T, p: { a: (theta / 2) * (1 - rho * rho), b: (theta * ph) / 2, rho, m: -rho / ph, sigma: r2 / ph } });
  }
  return out;
}
