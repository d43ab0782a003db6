/**
 * Validation of `engine.simulateHedging` arguments into a {@link HedgingJob}: plain,
 * structured-cloneable data (no functions, no signal) from which any thread turns a shard of
 * paths into per-path P&L, cost and trade counts (hedging-shards.ts).
 */
import { InputError } from '../errors.js';
import { enumOption, keyList, requireObject } from '../batch-inputs.js';
import { checkKeys } from '../option-keys.js';
import { requireArrayLike } from '../arguments.js';
import * as H from '../kernels/hedging/layout.js';
import {
  checkMonteCarloModel, checkMonteCarloModelLimits, checkMonteCarloSeed, MAX_STEPS, MAX_WORKERS, MONTE_CARLO_DOMAIN, type ModelSpec,
} from '../montecarlo/job.js';
import type { HedgePosition, SimulateHedgingArgs } from './simulate-hedging-types.js';
import type { EngineContext } from '../context.js';
import { Status } from '../status.js';
import { DEFAULT_LV_POINTS, DEFAULT_LV_WIDTH, requireVolSurface, sampleLocalVolGrid } from '../montecarlo/local-vol-grid.js';

/** `details.hedgeVolSource` of a localVol model without `hedgeVol`. */
export const LOCAL_VOL_HEDGE_VOL_SOURCE = 'model.surface implied vol at each option\'s strike and expiry (sticky strike)';

const D = MONTE_CARLO_DOMAIN;

/** Most positions in the book. */
export const MAX_HEDGE_POSITIONS = 1000;
/** Most rebalancing frequencies compared in one call. */
export const MAX_FREQUENCIES = 16;
/** Most paths of one call (the per-path outputs are kept: 24 bytes per path and frequency). */
export const MAX_HEDGE_PATHS = 10_000_000;
/** Largest kernel scratch, (steps + 1) x (5 positions + 10) doubles: 32 MiB. */
export const MAX_HEDGE_SCRATCH = 2 ** 22;
/** Default paths per shard. */
const DEFAULT_SHARD_SIZE = 4096;
/** Default quantile probabilities of the P&L distribution. */
export const DEFAULT_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

/** Keys of `engine.simulateHedging` arguments. */
export const SIMULATE_HEDGING_KEYS = keyList<SimulateHedgingArgs>()([
  'model', 'positions', 'strategy', 'rebalance', 'costs', 'paths', 'seed', 'steps', 'workers', 'stream', 'horizon',
  'hedgeVol', 'hedgeOption', 'confidence', 'quantiles', 'samples', 'shardSize', 'signal', 'onProgress',
]);
const POSITION_KEYS = keyList<HedgePosition>()(['type', 'strike', 'expiry', 'quantity']);
const HEDGE_OPTION_KEYS = keyList<NonNullable<SimulateHedgingArgs['hedgeOption']>>()(['type', 'strike', 'expiry']);
const REBALANCE_KEYS = keyList<NonNullable<SimulateHedgingArgs['rebalance']>>()(['every', 'band', 'riskAversion', 'to']);
const COST_KEYS = keyList<NonNullable<SimulateHedgingArgs['costs']>>()(['proportional', 'fixed', 'optionProportional']);

/** A validated simulateHedging call: what every shard needs, plus what the result reports. */
export interface HedgingJob {
  model: ModelSpec;
  strategy: 'none' | 'delta' | 'delta-gamma';
  band: 'none' | 'fixed' | 'whalley-wilmott';
  /** Rebalancing intervals in steps, one run each (same paths). */
  every: number[];
  horizon: number;
  steps: number;
  paths: number;
  seed: string;
  seedLo: number;
  seedHi: number;
  stream: number;
  hedgeVol: number;
  hedgeVolSource: string;
  workers: number;
  shardSize: number;
  shardCount: number;
  nOptions: number;
  /** Option table, row-major [nOptions][OPT_COLUMNS]. */
  options: Float64Array;
  /** The kernel's parameter block (H_PARAMS_SIZE); the intervals go to the kernel as `every`. */
  params: Float64Array;
  confidence: number;
  quantiles: number[];
  samples: boolean;
}

function num(v: unknown, path: string, ok: (x: number) => boolean, expected: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new InputError(path, v, expected);
  return v;
}

function integer(v: unknown, path: string, lo: number, hi: number): number {
  return num(v, path, (x) => Number.isInteger(x) && x >= lo && x <= hi, `an integer in [${lo}, ${hi}]`);
}

function optional<T>(v: unknown, fallback: T, check: (v: unknown) => T): T {
  return v === undefined ? fallback : check(v);
}

/**
 * Default hedge vol of a model (decimal): GBM its vol; Merton the total log-return vol
 * sqrt(vol^2 + lambda (muJ^2 + deltaJ^2)); Heston the root of the expected average variance over
 * the horizon, theta + (v0 - theta)(1 - e^{-kappa T})/(kappa T); Bates that plus the jump variance.
 */
export function defaultHedgeVol(m: ModelSpec, horizon: number): { vol: number; source: string } {
  const jumpVar = m.lambda * (m.muJ * m.muJ + m.deltaJ * m.deltaJ);
  if (m.kind === 'gbm') return { vol: m.vol, source: 'model.vol' };
  if (m.kind === 'merton') return { vol: Math.sqrt(m.vol * m.vol + jumpVar), source: 'sqrt(vol^2 + lambda (muJ^2 + deltaJ^2))' };
  const kt = m.kappa * horizon;
  const avg = m.theta + (m.v0 - m.theta) * (kt > 1e-12 ? -Math.expm1(-kt) / kt : 1);
  return {
    vol: Math.sqrt(Math.max(avg, 0) + jumpVar),
    source: m.kind === 'bates' ? 'sqrt(expected average variance over the horizon + lambda (muJ^2 + deltaJ^2))' : 'sqrt(expected average variance over the horizon)',
  };
}

/** The model of the paths: every kind of the Monte Carlo engine with a single asset. */
function checkHedgingModel(v: unknown): ModelSpec {
  const m = requireObject(v, 'model');
  if (m.kind === 'multiGbm') throw new InputError('model.kind', m.kind, "'gbm', 'heston', 'merton', 'bates' or 'localVol' (one underlying)");
  return checkMonteCarloModel(v);
}

/**
 * [hedging] A localVol model's grid for the horizon and steps (the Monte Carlo engine's, so the
 * paths are simulatePaths' with expiry = horizon), and the surface's implied vols at the strikes
 * and expiries given (sticky strike: each option keeps the vol of its strike).
 * @throws InputError naming `model.surface` (see sampleLocalVolGrid) or an option whose implied vol is not defined.
 */
function localVolHedging(
  model: ModelSpec, raw: Record<string, unknown>, ctx: EngineContext | undefined, horizon: number, steps: number,
  points: { strike: number; expiry: number; path: string }[],
): number[] {
  const g = raw.grid as { times?: number; points?: number; width?: number } | undefined;
  const surface = requireVolSurface(raw.surface, 'model.surface');
  const grid = sampleLocalVolGrid(surface, ctx, model.spot, model.rate, model.dividendYield, horizon, steps,
    { times: g?.times, points: g?.points ?? DEFAULT_LV_POINTS, width: g?.width ?? DEFAULT_LV_WIDTH }, D, 'model');
  model.localVol = grid;
  model.vol = grid.atmVol;
  const bound = ctx === undefined ? surface : surface.withEngine(ctx);
  const iv = bound.vol({ strikes: points.map((p) => p.strike), expiries: points.map((p) => p.expiry) });
  return points.map((p, i) => {
    const v = iv.vols[i]!;
    if (iv.status[i] !== Status.ok || !(v >= D.minVol && v <= D.maxVol)) {
      throw new InputError(p.path, p.strike, `a strike where model.surface has an implied vol in [${D.minVol}, ${D.maxVol}] at expiry ${p.expiry} (it has ${v}, status ${iv.status[i]})`);
    }
    return v;
  });
}

function checkOptionType(v: unknown, path: string): number {
  if (v !== 'call' && v !== 'put') throw new InputError(path, v, "'call' or 'put'");
  return v === 'call' ? 1 : -1;
}

const strikeOf = (v: unknown, path: string): number => num(v, path, (x) => x > 0 && x <= D.maxStrike, `a strike in (0, ${D.maxStrike}]`);
const expiryOf = (v: unknown, path: string): number => num(v, path, (x) => x >= D.minExpiry && x <= D.maxExpiry, `years in [${D.minExpiry}, ${D.maxExpiry}]`);

/**
 * Validate `engine.simulateHedging` arguments (never modifying them) into a job; `ctx` samples a
 * localVol model's surface (default: the surface's own engine).
 * @throws InputError naming the offending field.
 */
export function createHedgingJob(args: SimulateHedgingArgs, ctx?: EngineContext): HedgingJob {
  const a = requireObject(args, 'args');
  checkKeys(a, SIMULATE_HEDGING_KEYS, '');
  const model = checkHedgingModel(a.model);

  const list = requireArrayLike(a.positions, 'positions', 1, MAX_HEDGE_POSITIONS);
  const positions = Array.from(list, (p, i) => {
    const path = `positions[${i}]`;
    const r = requireObject(p, path);
    checkKeys(r, POSITION_KEYS, path);
    return {
      type: checkOptionType(r.type, `${path}.type`), strike: strikeOf(r.strike, `${path}.strike`), expiry: expiryOf(r.expiry, `${path}.expiry`),
      quantity: num(r.quantity, `${path}.quantity`, (x) => Math.abs(x) <= 1e12, 'a finite number of units in [-1e12, 1e12] (negative: sold)'),
    };
  });
  const lastExpiry = Math.max(...positions.map((p) => p.expiry));
  const horizon = optional(a.horizon, lastExpiry, (v) => expiryOf(v, 'horizon'));
  const steps = integer(a.steps, 'steps', 1, MAX_STEPS);
  checkMonteCarloModelLimits(model, horizon, steps);
  if ((steps + 1) * (positions.length * 5 + H.HEDGE_SCRATCH_PER_STEP) > MAX_HEDGE_SCRATCH) {
    throw new InputError('steps', steps, `(steps + 1) x (5 positions + ${H.HEDGE_SCRATCH_PER_STEP}) <= ${MAX_HEDGE_SCRATCH}`);
  }
  const seed = checkMonteCarloSeed(a.seed);
  const stream = optional(a.stream, 0, (v) => integer(v, 'stream', 0, 0x7fffffff));
  const paths = integer(a.paths, 'paths', 2, MAX_HEDGE_PATHS);
  const workers = optional(a.workers, 1, (v) => integer(v, 'workers', 1, MAX_WORKERS));
  const shardSize = optional(a.shardSize, DEFAULT_SHARD_SIZE, (v) => integer(v, 'shardSize', 2, 2 ** 20));

  const strategy = enumOption(a.strategy, ['delta', 'delta-gamma', 'none'] as const, 'delta', 'strategy');
  const defaults = model.kind === 'localVol' ? { vol: 0, source: LOCAL_VOL_HEDGE_VOL_SOURCE } : defaultHedgeVol(model, horizon);
  let hedgeVol = optional(a.hedgeVol, defaults.vol, (v) => num(v, 'hedgeVol', (x) => x >= D.minVol && x <= D.maxVol, `a vol in [${D.minVol}, ${D.maxVol}]`));
  if (model.kind !== 'localVol' && !(hedgeVol >= D.minVol)) throw new InputError('hedgeVol', hedgeVol, `a vol >= ${D.minVol} (the model's default is ${hedgeVol}: give hedgeVol)`);
  let hedge = { type: 1, strike: 0, expiry: 0 };
  if (strategy === 'delta-gamma') {
    const o = requireObject(a.hedgeOption, 'hedgeOption');
    checkKeys(o, HEDGE_OPTION_KEYS, 'hedgeOption');
    hedge = {
      type: checkOptionType(o.type, 'hedgeOption.type'), strike: strikeOf(o.strike, 'hedgeOption.strike'),
      expiry: num(o.expiry, 'hedgeOption.expiry', (x) => x >= horizon && x <= D.maxExpiry, `years in [horizon = ${horizon}, ${D.maxExpiry}]`),
    };
  } else if (a.hedgeOption !== undefined) {
    throw new InputError('hedgeOption', a.hedgeOption, "absent unless strategy is 'delta-gamma'");
  }

  const r = requireObject(a.rebalance ?? {}, 'rebalance');
  checkKeys(r, REBALANCE_KEYS, 'rebalance');
  const everyList = r.every === undefined ? [1] : typeof r.every === 'number' ? [r.every] : Array.from(requireArrayLike(r.every, 'rebalance.every', 1, MAX_FREQUENCIES));
  const every = everyList.map((e, i) => integer(e, typeof r.every === 'object' ? `rebalance.every[${i}]` : 'rebalance.every', 1, steps));
  let band: HedgingJob['band'] = 'none';
  let bandWidth = 0;
  let riskAversion = 1;
  if (r.band !== undefined) {
    if (r.band === 'whalley-wilmott') band = 'whalley-wilmott';
    else {
      band = 'fixed';
      bandWidth = num(r.band, 'rebalance.band', (x) => x >= 0, "a half-width >= 0 in units of the underlying, or 'whalley-wilmott'");
    }
  }
  if (band === 'whalley-wilmott') riskAversion = num(r.riskAversion, 'rebalance.riskAversion', (x) => x > 0, 'a risk aversion > 0 (1/USD)');
  else if (r.riskAversion !== undefined) throw new InputError('rebalance.riskAversion', r.riskAversion, "absent unless band is 'whalley-wilmott'");
  const to = enumOption(r.to, ['edge', 'target'] as const, 'edge', 'rebalance.to');
  if (band === 'none' && r.to !== undefined) throw new InputError('rebalance.to', r.to, 'absent unless a band is given');

  const c = requireObject(a.costs ?? {}, 'costs');
  checkKeys(c, COST_KEYS, 'costs');
  const fraction = (v: unknown, path: string): number => optional(v, 0, (x) => num(x, path, (y) => y >= 0 && y < 1, 'a fraction in [0, 1)'));
  const proportional = fraction(c.proportional, 'costs.proportional');
  const optionProportional = fraction(c.optionProportional, 'costs.optionProportional');
  const fixed = optional(c.fixed, 0, (v) => num(v, 'costs.fixed', (x) => x >= 0 && x <= 1e50, 'a cost per trade >= 0 (USD)'));
  if (band === 'whalley-wilmott' && !(proportional > 0)) throw new InputError('costs.proportional', c.proportional, "a proportional cost > 0 (the Whalley-Wilmott band is 0 without it)");

  const confidence = optional(a.confidence, 0.99, (v) => num(v, 'confidence', (x) => x > 0 && x < 1, 'a level in (0, 1)'));
  const quantiles = a.quantiles === undefined ? [...DEFAULT_QUANTILES]
    : Array.from(requireArrayLike(a.quantiles, 'quantiles', 1, 1000), (q, i) => num(q, `quantiles[${i}]`, (x) => x >= 0 && x <= 1, 'a probability in [0, 1]'));
  const samples = optional(a.samples, false, (v) => {
    if (typeof v !== 'boolean') throw new InputError('samples', v, 'true or false');
    return v;
  });

  // [hedging] Local vol: the grid, and (no hedgeVol given) each option's surface implied vol, the hedge option's last.
  let optionVols = positions.map(() => hedgeVol);
  if (model.kind === 'localVol') {
    const points = positions.map((p, i) => ({ strike: p.strike, expiry: p.expiry, path: `positions[${i}].strike` }));
    if (strategy === 'delta-gamma') points.push({ strike: hedge.strike, expiry: hedge.expiry, path: 'hedgeOption.strike' });
    const vols = localVolHedging(model, a.model as Record<string, unknown>, ctx, horizon, steps, points);
    if (a.hedgeVol === undefined) {
      optionVols = vols.slice(0, positions.length);
      hedgeVol = strategy === 'delta-gamma' ? vols[positions.length]! : model.vol;
    }
  }
  const dt = horizon / steps;
  const nOptions = positions.length;
  const options = new Float64Array(nOptions * H.OPT_COLUMNS);
  positions.forEach((p, k) => {
    const o = k * H.OPT_COLUMNS;
    options[o + H.OPT_QUANTITY] = p.quantity;
    options[o + H.OPT_TYPE] = p.type;
    options[o + H.OPT_STRIKE] = p.strike;
    options[o + H.OPT_EXPIRY] = p.expiry;
    // Settles at the step nearest its expiry (at least step 1); alive past the horizon: marked there.
    options[o + H.OPT_SETTLE] = p.expiry > horizon ? steps + 1 : Math.min(Math.max(Math.round(p.expiry / dt), 1), steps);
    options[o + H.OPT_HEDGE_VOL] = optionVols[k]!;
  });
  const lv = model.localVol;
  const params = new Float64Array(H.H_PARAMS_SIZE + (lv ? lv.values.length : 0));
  {
    const b = 0;
    params[b + H.H_MODEL] = model.code;
    params[b + H.H_SPOT] = model.spot;
    params[b + H.H_RATE] = model.rate;
    params[b + H.H_DIVIDEND] = model.dividendYield;
    params[b + H.H_HORIZON] = horizon;
    params[b + H.H_VOL] = model.vol;
    params[b + H.H_V0] = model.v0;
    params[b + H.H_KAPPA] = model.kappa;
    params[b + H.H_THETA] = model.theta;
    params[b + H.H_VOL_OF_VAR] = model.sigma;
    params[b + H.H_RHO] = model.rho;
    params[b + H.H_JUMP_INTENSITY] = model.lambda;
    params[b + H.H_JUMP_MEAN] = model.muJ;
    params[b + H.H_JUMP_VOL] = model.deltaJ;
    params[b + H.H_HEDGE_VOL] = hedgeVol;
    params[b + H.H_STRATEGY] = strategy === 'none' ? H.STRATEGY_NONE : strategy === 'delta' ? H.STRATEGY_DELTA : H.STRATEGY_DELTA_GAMMA;
    params[b + H.H_BAND_MODE] = band === 'none' ? H.BAND_NONE : band === 'fixed' ? H.BAND_FIXED : H.BAND_WHALLEY_WILMOTT;
    params[b + H.H_BAND] = bandWidth;
    params[b + H.H_RISK_AVERSION] = riskAversion;
    params[b + H.H_TO_EDGE] = to === 'edge' ? 1 : 0;
    params[b + H.H_PROPORTIONAL] = proportional;
    params[b + H.H_FIXED] = fixed;
    params[b + H.H_OPTION_PROPORTIONAL] = optionProportional;
    params[b + H.H_HEDGE_TYPE] = hedge.type;
    params[b + H.H_HEDGE_STRIKE] = hedge.strike;
    params[b + H.H_HEDGE_EXPIRY] = hedge.expiry;
    if (lv) {
      params[b + H.H_LV_TIMES] = lv.times;
      params[b + H.H_LV_POINTS] = lv.points;
      params[b + H.H_LV_KMIN] = lv.kMin;
      params[b + H.H_LV_DK] = lv.dk;
      params.set(lv.values, b + H.H_LV_GRID);
    }
  }
  return {
    model, strategy, band, every, horizon, steps, paths, ...seed, stream, hedgeVol,
    hedgeVolSource: a.hedgeVol === undefined ? defaults.source : 'hedgeVol', workers, shardSize,
    shardCount: Math.ceil(paths / shardSize), nOptions, options, params, confidence, quantiles, samples,
  };
}
