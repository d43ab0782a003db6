/**
 * Validation of `engine.monteCarlo` arguments into a {@link MonteCarloJob}: a plain, serialisable
 * description of the whole run (no functions, no signal) that any process can turn into shard
 * accumulators with `monteCarloShard` and that `mergeShards` turns into a result.
 */
import { InputError } from '../errors.js';
import { booleanOption, enumOption, keyList, requireObject } from '../batch-inputs.js';
import { checkKeys } from '../option-keys.js';
import { requireInteger, requireNumber, requireRecord } from '../arguments.js';
import { MAX_POOL_SHARDS } from '../parallel/limits.js';
import { SOBOL_MAX_DIMENSIONS } from '../random/sobol-table.js';
import * as L from '../kernels/montecarlo/layout.js';
import { geometricAsianPrice, geometricBasketPrice } from './closed-forms.js';
import { prepareCorrelation, type PreparedCorrelation } from './correlation.js';
import type {
  AsianPayoff, BarrierPayoff, BasketPayoff, BatesDiffusion, BestWorstOfPayoff, DeprecatedJumpParameters, DigitalPayoff, EuropeanPayoff,
  ExchangePayoff, GbmModel, GeometricBasketPayoff, HestonModel, JumpParameters, LocalVolModel, MertonDiffusion, MonteCarloArgs, MultiGbmModel,
  SimulatePathsArgs, SpreadPayoff,
} from './types.js';
import type { EngineContext } from '../context.js';
import {
  DEFAULT_LV_POINTS, DEFAULT_LV_WIDTH, MAX_LV_POINTS, MAX_LV_TIMES, MAX_LV_WIDTH, requireVolSurface, sampleLocalVolGrid, type LocalVolGrid,
} from './local-vol-grid.js';

/** Default paths per shard. */
const DEFAULT_SHARD_SIZE = 4096;
/** Default randomised Sobol replications. */
const DEFAULT_REPLICATIONS = 16;
/** Largest simulatePaths output (bytes): 256 MiB. Price with monteCarlo, which streams. */
export const SIMULATE_PATHS_MAX_BYTES = 256 * 1024 * 1024;
/** Largest steps per path. */
export const MAX_STEPS = 100_000;
/** Largest jump-count mean per step (lambda dt) the Poisson summation accepts. */
export const MAX_JUMPS_PER_STEP = 50;
/** Sobol scramble words use Philox stream `stream ^ QMC_SCRAMBLE_STREAM_BIT`, path = replication. */
export const QMC_SCRAMBLE_STREAM_BIT = 0x80000000;

/** Largest number of assets of a multiGbm model. */
export const MAX_ASSETS = 256;
/** Largest worker count of a Monte Carlo run. */
export const MAX_WORKERS = 256;
/** Largest shard size (paths per shard). */
export const MAX_SHARD_SIZE = 2 ** 20;
/** Largest path count with Philox draws: the path index is one 32-bit word of the Philox counter. */
export const MAX_PATHS = 2 ** 32;
/** Largest points per Sobol replication (the Sobol index of a point is below 2^31). */
export const MAX_SOBOL_POINTS = 2 ** 31;
/** Largest number of randomised Sobol replications. */
export const MAX_REPLICATIONS = 4096;

/**
 * The domain of Monte Carlo inputs: inside it every simulated path, payoff, greek weight and sum of
 * squares (over up to 2^32 paths) stays a finite double, so a run never returns NaN or Infinity.
 * ln S_T is at most ln 1e50 + 2 x 50 (rates) + 8.3 x 10 (vol sqrt(T) x the largest Philox normal)
 * ~ 300 < 343 = (709 - ln 2^32) / 2. Outside it the call is an InputError naming the field.
 * Expiry in [1e-8, 1000] years; spots in [1e-50, 1e50]; strikes, barriers, rebates and |cash| at
 * most 1e50 (so payoff / spot, the scale of a greek, is at most 1e100); |basket weights| at
 * most 1e6; |rate| and |dividendYield| at most 10 per year and 50 over the expiry (|r| T <= 50);
 * vol in [1e-6, 10] (multiGbm vols in [0, 10]) with vol^2 T <= 100; Heston v0 in [0, 10], theta in
 * [1e-8, 10], kappa in [1e-6, 1e4], sigma in [1e-6, 10], v0 T and theta T <= 100; jumps muJ in
 * [-5, 5], deltaJ in [0, 5], lambda T (|muJ| + deltaJ^2 + |e^{muJ + deltaJ^2/2} - 1|) <= 200.
 */
export const MONTE_CARLO_DOMAIN = {
  minExpiry: 1e-8, maxExpiry: 1000, minSpot: 1e-50, maxSpot: 1e50, maxStrike: 1e50, maxWeight: 1e6, maxRate: 10, maxRateTimesExpiry: 50,
  minVol: 1e-6, maxVol: 10, maxVarianceTimesExpiry: 100, maxVariance: 10, minTheta: 1e-8, minKappa: 1e-6, maxKappa: 1e4,
  minSigma: 1e-6, maxSigma: 10, maxJumpMean: 5, maxJumpVol: 5, maxJumpBudget: 200,
} as const;
const D = MONTE_CARLO_DOMAIN;

// Allowed keys of every public options object, checked in both directions against the types (keyList).
type Jumps = JumpParameters & DeprecatedJumpParameters;
type Qmc = NonNullable<MonteCarloArgs['qmc']>;
type Importance = Exclude<MonteCarloArgs['importanceSampling'], boolean | undefined>;
type Greeks = Exclude<MonteCarloArgs['greeks'], boolean | undefined>;

/** Keys of `engine.monteCarlo` arguments. */
export const MONTE_CARLO_KEYS = keyList<MonteCarloArgs>()([
  'model', 'payoff', 'expiry', 'paths', 'steps', 'seed', 'stream', 'rng', 'qmc', 'antithetic', 'controlVariate',
  'importanceSampling', 'greeks', 'workers', 'shardSize', 'signal', 'onProgress',
]);
/** Keys of `engine.simulatePaths` arguments. */
export const SIMULATE_PATHS_KEYS = keyList<SimulatePathsArgs>()([
  'model', 'expiry', 'paths', 'steps', 'seed', 'stream', 'antithetic', 'firstPath', 'out', 'signal', 'onProgress',
]);
const JUMP_KEYS = ['lambda', 'muJ', 'deltaJ', 'jumpIntensity', 'jumpMean', 'jumpVol'] as const;
const MODEL_KEYS: Readonly<Record<ModelSpec['kind'], readonly string[]>> = {
  gbm: keyList<GbmModel>()(['kind', 'spot', 'rate', 'dividendYield', 'vol']),
  heston: keyList<HestonModel>()(['kind', 'spot', 'rate', 'dividendYield', 'v0', 'kappa', 'theta', 'sigma', 'rho', 'scheme']),
  merton: keyList<MertonDiffusion & Jumps>()(['kind', 'spot', 'rate', 'dividendYield', 'vol', ...JUMP_KEYS]),
  bates: keyList<BatesDiffusion & Jumps>()(['kind', 'spot', 'rate', 'dividendYield', 'v0', 'kappa', 'theta', 'sigma', 'rho', 'scheme', ...JUMP_KEYS]),
  multiGbm: keyList<MultiGbmModel>()(['kind', 'spots', 'rate', 'dividendYields', 'vols', 'correlation', 'repairCorrelation']),
  localVol: keyList<LocalVolModel>()(['kind', 'surface', 'spot', 'rate', 'dividendYield', 'grid']),
};
const LV_GRID_KEYS = keyList<NonNullable<LocalVolModel['grid']>>()(['times', 'points', 'width']);
const PAYOFF_KEYS: Readonly<Record<Exclude<PayoffSpec['kind'], 'none'>, readonly string[]>> = {
  european: keyList<EuropeanPayoff>()(['kind', 'strike', 'type']),
  digital: keyList<DigitalPayoff>()(['kind', 'strike', 'type', 'cash']),
  barrier: keyList<BarrierPayoff>()(['kind', 'strike', 'type', 'barrier', 'direction', 'knock', 'rebate', 'monitoring']),
  asian: keyList<AsianPayoff>()(['kind', 'strike', 'type', 'averaging']),
  basket: keyList<BasketPayoff>()(['kind', 'weights', 'strike', 'type']),
  geometricBasket: keyList<GeometricBasketPayoff>()(['kind', 'weights', 'strike', 'type']),
  spread: keyList<SpreadPayoff>()(['kind', 'strike', 'type', 'assets']),
  exchange: keyList<ExchangePayoff>()(['kind', 'assets']),
  bestOf: keyList<BestWorstOfPayoff>()(['kind', 'strike', 'type']),
  worstOf: keyList<BestWorstOfPayoff>()(['kind', 'strike', 'type']),
};
const QMC_KEYS = keyList<Qmc>()(['replications', 'scramble', 'brownianBridge']);
const IMPORTANCE_KEYS = keyList<Importance>()(['shift']);
const GREEK_KEYS = keyList<Greeks>()(['delta', 'vega']);

/** A multiGbm model after validation: per-asset columns and the factored correlation. */
export interface MultiAssetSpec {
  spots: number[];
  dividendYields: number[];
  vols: number[];
  correlation: PreparedCorrelation;
}

/** The model after validation (defaults filled, numbers only). */
export interface ModelSpec {
  kind: 'gbm' | 'heston' | 'merton' | 'bates' | 'multiGbm' | 'localVol';
  scheme: 'exact' | 'qe' | 'euler' | 'logEuler';
  code: number;
  spot: number;
  rate: number;
  dividendYield: number;
  vol: number;
  v0: number;
  kappa: number;
  theta: number;
  sigma: number;
  rho: number;
  /** Jump intensity per year, mean and standard deviation of the log jump size (0 without jumps). */
  lambda: number;
  muJ: number;
  deltaJ: number;
  /** Number of assets (1 except for multiGbm). */
  assets: number;
  /** multiGbm only. */
  multi?: MultiAssetSpec;
  /** [surface] localVol only: the sampled grid (`vol` holds the surface's at-the-money vol at expiry). */
  localVol?: LocalVolGrid;
}

/** The payoff after validation. */
export interface PayoffSpec {
  kind: 'none' | 'european' | 'digital' | 'barrier' | 'asian' | 'basket' | 'geometricBasket' | 'spread' | 'exchange' | 'bestOf' | 'worstOf';
  code: number;
  strike: number;
  type: 'call' | 'put';
  cash: number;
  barrier: number;
  direction: 'up' | 'down';
  knock: 'in' | 'out';
  rebate: number;
  monitoring: 'continuous' | 'discrete';
  averaging: 'arithmetic' | 'geometric';
  /** Multi-asset: basket weights (empty otherwise). */
  weights: number[];
  /** Multi-asset spread / exchange: long and short asset. */
  assets: [number, number];
}

/** A validated Monte Carlo run: plain data (structured-clone and JSON safe). */
export interface MonteCarloJob {
  model: ModelSpec;
  payoff: PayoffSpec;
  expiry: number;
  paths: number;
  steps: number;
  /** Seed as a decimal string (bigint-safe) and as the two Philox key words. */
  seed: string;
  seedLo: number;
  seedHi: number;
  stream: number;
  rng: 'philox' | 'sobol';
  /** 1 for Philox. */
  replications: number;
  /** paths / replications. */
  pointsPerReplication: number;
  scramble: 'shift' | 'owen';
  /** Sobol: Brownian-bridge ordering of each draw slot's normals (false for Philox). */
  bridge: boolean;
  antithetic: boolean;
  controlVariate: 'none' | 'underlying' | 'geometricAsian' | 'geometricBasket';
  /** Known mean of the control (0 without one). */
  controlMean: number;
  /** Importance-sampling shift (0 = off) and whether IS was requested. */
  importanceSampling: boolean;
  isShift: number;
  delta: boolean;
  vega: boolean;
  greekMethod: 'pathwise' | 'likelihoodRatio';
  workers: number;
  shardSize: number;
  /** Shards per replication and in total (shard s is block s % perRep of replication floor(s / perRep)). */
  shardsPerReplication: number;
  shardCount: number;
  drawsPerStep: number;
  /** Draws per path: steps x drawsPerStep (the Sobol dimension). */
  dims: number;
  /** The kernel's f64 parameter block. */
  params: number[];
  /** multiGbm: the kernel's f64 asset block (5 n + n^2 values, MA_* in the layout); empty otherwise. */
  assetBlock: number[];
}

function num(v: unknown, path: string, ok: (x: number) => boolean, expected: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new InputError(path, v, expected);
  return v;
}
const finite = (v: unknown, path: string): number => num(v, path, () => true, 'a finite number');
const positive = (v: unknown, path: string): number => num(v, path, (x) => x > 0, 'a finite number > 0');
const nonNegative = (v: unknown, path: string): number => num(v, path, (x) => x >= 0, 'a finite number >= 0');
function integer(v: unknown, path: string, lo: number, hi: number): number {
  return num(v, path, (x) => Number.isInteger(x) && x >= lo && x <= hi, `an integer in [${lo}, ${hi}]`);
}
const between = (lo: number, hi: number) => (v: unknown, path: string): number => num(v, path, (x) => x >= lo && x <= hi, `a number in [${lo}, ${hi}]`);
const spotValue = between(D.minSpot, D.maxSpot);
const rateValue = between(-D.maxRate, D.maxRate);
const strikeValue = between(0, D.maxStrike);
function optional<T>(v: unknown, fallback: T, check: (v: unknown) => T): T {
  return v === undefined ? fallback : check(v);
}

/** Validate a tagged model object. */
function checkModel(value: unknown, path = 'model'): ModelSpec {
  const m = requireObject(value, path);
  const kind = m.kind;
  const kinds = ['gbm', 'heston', 'merton', 'bates', 'multiGbm', 'localVol'] as const;
  const k = enumOption(kind, kinds, 'gbm', `${path}.kind`);
  if (kind === undefined) throw new InputError(`${path}.kind`, kind, kinds.map((s) => `'${s}'`).join(', '));
  checkKeys(m, MODEL_KEYS[k], path);
  if (k === 'multiGbm') return checkMultiGbm(m, path);
  if (k === 'localVol') {
    // [surface] Checked here (so a malformed surface or grid fails first); sampled by withLocalVolGrid.
    requireVolSurface(m.surface, `${path}.surface`);
    localVolGridRequest(m.grid, `${path}.grid`);
  }
  const spec: ModelSpec = {
    kind: k, scheme: 'exact', code: L.MODEL_GBM,
    spot: spotValue(m.spot, `${path}.spot`),
    rate: rateValue(m.rate, `${path}.rate`),
    dividendYield: optional(m.dividendYield, 0, (v) => rateValue(v, `${path}.dividendYield`)),
    vol: 0, v0: 0, kappa: 0, theta: 0, sigma: 0, rho: 0, lambda: 0, muJ: 0, deltaJ: 0, assets: 1,
  };
  if (k === 'gbm' || k === 'merton') spec.vol = between(D.minVol, D.maxVol)(m.vol, `${path}.vol`);
  if (k === 'heston' || k === 'bates') {
    spec.v0 = between(0, D.maxVariance)(m.v0, `${path}.v0`);
    spec.kappa = between(D.minKappa, D.maxKappa)(m.kappa, `${path}.kappa`);
    spec.theta = between(D.minTheta, D.maxVariance)(m.theta, `${path}.theta`);
    spec.sigma = between(D.minSigma, D.maxSigma)(m.sigma, `${path}.sigma`);
    spec.rho = num(m.rho, `${path}.rho`, (x) => x >= -1 && x <= 1, 'a number in [-1, 1]');
    spec.scheme = k === 'bates'
      ? enumOption(m.scheme, ['qe'] as const, 'qe', `${path}.scheme`)
      : enumOption(m.scheme, ['qe', 'euler'] as const, 'qe', `${path}.scheme`);
  }
  if (k === 'merton' || k === 'bates') {
    spec.lambda = jumpParameter(m, 'lambda', 'jumpIntensity', path, nonNegative);
    spec.muJ = jumpParameter(m, 'muJ', 'jumpMean', path, between(-D.maxJumpMean, D.maxJumpMean));
    spec.deltaJ = jumpParameter(m, 'deltaJ', 'jumpVol', path, between(0, D.maxJumpVol));
  }
  spec.code = k === 'gbm' ? L.MODEL_GBM : k === 'merton' ? L.MODEL_MERTON : k === 'bates' ? L.MODEL_BATES
    : k === 'localVol' ? L.MODEL_LOCAL_VOL : spec.scheme === 'euler' ? L.MODEL_HESTON_EULER : L.MODEL_HESTON_QE;
  if (k === 'localVol') spec.scheme = 'logEuler';
  return spec;
}

/** [surface] The `grid` option of a localVol model. @throws InputError naming `model.grid...`. */
function localVolGridRequest(v: unknown, path: string): { times: number | undefined; points: number; width: number } {
  if (v === undefined) return { times: undefined, points: DEFAULT_LV_POINTS, width: DEFAULT_LV_WIDTH };
  const g = requireObject(v, path);
  checkKeys(g, LV_GRID_KEYS, path);
  return {
    times: optional(g.times, undefined, (x) => integer(x, `${path}.times`, 2, MAX_LV_TIMES)),
    points: optional(g.points, DEFAULT_LV_POINTS, (x) => integer(x, `${path}.points`, 3, MAX_LV_POINTS)),
    width: optional(g.width, DEFAULT_LV_WIDTH, (x) => num(x, `${path}.width`, (y) => y > 0 && y <= MAX_LV_WIDTH, `a number in (0, ${MAX_LV_WIDTH}]`)),
  };
}

/**
 * [surface] A localVol model's grid: sample the surface (on `ctx` when given) for this expiry and
 * step count; `vol` becomes the at-the-money implied vol at expiry. Other models pass through.
 * @throws InputError naming `model.surface` (see sampleLocalVolGrid).
 */
function withLocalVolGrid(spec: ModelSpec, model: unknown, expiry: number, steps: number, ctx: EngineContext | undefined): void {
  if (spec.kind !== 'localVol') return;
  const m = model as Record<string, unknown>;
  const grid = sampleLocalVolGrid(requireVolSurface(m.surface, 'model.surface'), ctx, spec.spot, spec.rate, spec.dividendYield, expiry, steps,
    localVolGridRequest(m.grid, 'model.grid'), D, 'model');
  spec.localVol = grid;
  spec.vol = grid.atmVol;
}

/**
 * A jump parameter under its name (`lambda`) or its deprecated alias (`jumpIntensity`): either
 * one; both only when they are equal. Missing both is an InputError at the name.
 */
function jumpParameter(m: Record<string, unknown>, name: string, alias: string, path: string, check: (v: unknown, p: string) => number): number {
  const a = m[alias];
  if (a === undefined) return check(m[name], `${path}.${name}`);
  const old = check(a, `${path}.${alias}`);
  if (m[name] === undefined) return old;
  const x = check(m[name], `${path}.${name}`);
  if (x !== old) {
    throw new InputError(`${path}.${alias}`, a, `${x} (the value of ${path}.${name}) or no ${alias}: ${alias} is the deprecated name of ${name}; give one of the two`);
  }
  return x;
}

function numberColumn(v: unknown, path: string, n: number | undefined, check: (x: unknown, p: string) => number): number[] {
  if (!Array.isArray(v) && !(v instanceof Float64Array)) throw new InputError(path, v, n === undefined ? 'an array of numbers, one per asset' : `an array of ${n} numbers (one per asset)`);
  const a = Array.from(v as ArrayLike<unknown>);
  if (a.length === 0 || a.length > MAX_ASSETS) throw new InputError(path, v, `1 to ${MAX_ASSETS} numbers (one per asset)`);
  if (n !== undefined && a.length !== n) throw new InputError(path, v, `an array of ${n} numbers (one per asset, as model.spots)`);
  return a.map((x, i) => check(x, `${path}[${i}]`));
}

/** Validate a multiGbm model; factor (or, on request, repair) its correlation matrix. */
function checkMultiGbm(m: Record<string, unknown>, path: string): ModelSpec {
  const spots = numberColumn(m.spots, `${path}.spots`, undefined, spotValue);
  const n = spots.length;
  const vols = numberColumn(m.vols, `${path}.vols`, n, between(0, D.maxVol));
  const dividendYields = m.dividendYields === undefined ? new Array<number>(n).fill(0) : numberColumn(m.dividendYields, `${path}.dividendYields`, n, rateValue);
  const rate = rateValue(m.rate, `${path}.rate`);
  const repair = booleanOption(m.repairCorrelation, false, `${path}.repairCorrelation`);
  if (m.correlation === undefined) throw new InputError(`${path}.correlation`, m.correlation, `a ${n} x ${n} correlation matrix`);
  const correlation = prepareCorrelation(m.correlation, n, repair, `${path}.correlation`);
  return {
    kind: 'multiGbm', scheme: 'exact', code: L.MODEL_MULTI_GBM, spot: spots[0]!, rate, dividendYield: dividendYields[0]!, vol: vols[0]!,
    v0: 0, kappa: 0, theta: 0, sigma: 0, rho: 0, lambda: 0, muJ: 0, deltaJ: 0, assets: n,
    multi: { spots, dividendYields, vols, correlation },
  };
}

const SINGLE_PAYOFFS = ['european', 'digital', 'barrier', 'asian'] as const;
const MULTI_PAYOFFS = ['basket', 'geometricBasket', 'spread', 'exchange', 'bestOf', 'worstOf'] as const;

/**
 * Validate a tagged payoff object against the model's number of assets (`assets` > 1 or
 * `multi` = true: the multi-asset payoffs; otherwise the single-asset ones).
 */
function checkPayoff(value: unknown, path = 'payoff', model?: { kind: string; assets: number }): PayoffSpec {
  const p = requireObject(value, path);
  const multi = model?.kind === 'multiGbm';
  const kinds = multi ? MULTI_PAYOFFS : SINGLE_PAYOFFS;
  const expected = kinds.map((s) => `'${s}'`).join(', ') + (multi ? ' (payoffs of the multiGbm model)' : '');
  if (p.kind === undefined || !(kinds as readonly unknown[]).includes(p.kind)) throw new InputError(`${path}.kind`, p.kind, expected);
  const kind = p.kind as Exclude<PayoffSpec['kind'], 'none'>;
  checkKeys(p, PAYOFF_KEYS[kind], path);
  if (kind === 'exchange') {
    return { ...NO_PAYOFF, kind, code: L.PAYOFF_SPREAD, type: 'call', assets: assetPair(p.assets, `${path}.assets`, model!.assets) };
  }
  if (p.type === undefined) throw new InputError(`${path}.type`, p.type, "'call' or 'put'");
  const spec: PayoffSpec = {
    kind, code: L.PAYOFF_EUROPEAN,
    strike: strikeValue(p.strike, `${path}.strike`),
    type: enumOption(p.type, ['call', 'put'] as const, 'call', `${path}.type`),
    cash: 1, barrier: 0, direction: 'up', knock: 'out', rebate: 0, monitoring: 'continuous', averaging: 'arithmetic',
    weights: [], assets: [0, 1],
  };
  if (multi) {
    const n = model!.assets;
    if (kind === 'basket' || kind === 'geometricBasket') {
      spec.code = kind === 'basket' ? L.PAYOFF_BASKET : L.PAYOFF_GEOMETRIC_BASKET;
      spec.weights = numberColumn(p.weights, `${path}.weights`, n, kind === 'basket' ? between(-D.maxWeight, D.maxWeight)
        : (v, q) => num(v, q, (x) => x > 0 && x <= D.maxWeight, `a number in (0, ${D.maxWeight}]`));
    } else if (kind === 'spread') {
      spec.code = L.PAYOFF_SPREAD;
      spec.assets = assetPair(p.assets, `${path}.assets`, n);
    } else {
      spec.code = kind === 'bestOf' ? L.PAYOFF_BEST_OF : L.PAYOFF_WORST_OF;
    }
    return spec;
  }
  if (kind === 'digital') {
    spec.code = L.PAYOFF_DIGITAL;
    spec.cash = optional(p.cash, 1, (v) => between(-D.maxStrike, D.maxStrike)(v, `${path}.cash`));
  } else if (kind === 'barrier') {
    spec.code = L.PAYOFF_BARRIER;
    spec.barrier = num(p.barrier, `${path}.barrier`, (x) => x > 0 && x <= D.maxStrike, `a number in (0, ${D.maxStrike}]`);
    if (p.direction === undefined) throw new InputError(`${path}.direction`, p.direction, "'up' or 'down'");
    if (p.knock === undefined) throw new InputError(`${path}.knock`, p.knock, "'in' or 'out'");
    spec.direction = enumOption(p.direction, ['up', 'down'] as const, 'up', `${path}.direction`);
    spec.knock = enumOption(p.knock, ['in', 'out'] as const, 'out', `${path}.knock`);
    spec.rebate = optional(p.rebate, 0, (v) => strikeValue(v, `${path}.rebate`));
    spec.monitoring = enumOption(p.monitoring, ['continuous', 'discrete'] as const, 'continuous', `${path}.monitoring`);
  } else if (kind === 'asian') {
    if (p.averaging === undefined) throw new InputError(`${path}.averaging`, p.averaging, "'arithmetic' or 'geometric'");
    spec.averaging = enumOption(p.averaging, ['arithmetic', 'geometric'] as const, 'arithmetic', `${path}.averaging`);
    spec.code = spec.averaging === 'arithmetic' ? L.PAYOFF_ASIAN_ARITHMETIC : L.PAYOFF_ASIAN_GEOMETRIC;
  }
  return spec;
}

function assetPair(v: unknown, path: string, n: number): [number, number] {
  if (v === undefined) {
    if (n < 2) throw new InputError(path, v, 'two distinct asset indices (the model has one asset)');
    return [0, 1];
  }
  if (!Array.isArray(v) || v.length !== 2) throw new InputError(path, v, `[i, j]: two distinct asset indices in [0, ${n - 1}]`);
  const i = integer(v[0], `${path}[0]`, 0, n - 1);
  const j = integer(v[1], `${path}[1]`, 0, n - 1);
  if (i === j) throw new InputError(`${path}[1]`, j, `an asset index other than ${i}`);
  return [i, j];
}

const NO_PAYOFF: PayoffSpec = {
  kind: 'none', code: L.PAYOFF_NONE, strike: 0, type: 'call', cash: 0, barrier: 0, direction: 'up', knock: 'out',
  rebate: 0, monitoring: 'continuous', averaging: 'arithmetic', weights: [], assets: [0, 1],
};

function checkSeed(v: unknown): { seed: string; seedLo: number; seedHi: number } {
  if (typeof v === 'bigint') {
    if (v < 0n || v >= 1n << 64n) throw new InputError('seed', v, 'an integer in [0, 2^64)');
    return { seed: v.toString(), seedLo: Number(v & 0xffffffffn), seedHi: Number(v >> 32n) };
  }
  const s = integer(v, 'seed', 0, Number.MAX_SAFE_INTEGER);
  return { seed: String(s), seedLo: s % 4294967296, seedHi: Math.floor(s / 4294967296) };
}

/** Draws per step of a model code (multiGbm: one per asset, `assets`). */
export function drawsPerStep(code: number, assets = 1): number {
  return code === L.MODEL_GBM || code === L.MODEL_LOCAL_VOL ? 1 : code === L.MODEL_MERTON ? 3 : code === L.MODEL_BATES ? 4 : code === L.MODEL_MULTI_GBM ? assets : 2;
}

/**
 * Vol used by the default importance shift: the diffusion vol (GBM, Merton), or
 * sqrt((v0 + theta)/2) sqrt(1 - rho^2) for Heston and Bates (the shift moves the normal that is
 * independent of the variance).
 */
function shiftVol(m: ModelSpec): number {
  if (m.kind === 'gbm' || m.kind === 'merton' || m.kind === 'localVol') return m.vol;
  return Math.sqrt(0.5 * (m.v0 + m.theta)) * Math.sqrt(Math.max(1 - m.rho * m.rho, 1e-4));
}

/**
 * Default importance-sampling shift: the mu that moves the median of ln S_T to ln K when every
 * diffusion normal is shifted by mu, mu = (ln(K/S) - (r - q - vol^2/2) T) / (vol sqrt(steps T)).
 * Meant for deep out-of-the-money European and digital payoffs (a heuristic elsewhere). Clamped
 * to [-MAX_IMPORTANCE_SHIFT, MAX_IMPORTANCE_SHIFT] = [-10, 10], the range of an explicit shift.
 * Model units as in {@link ModelSpec} (years, continuously compounded rates, decimal vols).
 * Numbers out of the domain give 0 (no shift) when the formula is NaN.
 * @param m a validated model (`job.model`): `kind` and the numbers `spot`, `rate`,
 *   `dividendYield` and either `vol` (GBM, Merton) or `v0`, `theta`, `rho` (Heston, Bates).
 * @param p a validated payoff (`job.payoff`): `kind`, `strike` and, for a barrier, `knock` and `barrier`.
 * @param expiry years (a number); `steps` an integer in [1, {@link MAX_STEPS}].
 * @throws InputError naming the malformed argument or field (`m.spot`, `p.strike`, `steps`, ...).
 */
export function defaultImportanceShift(m: ModelSpec, p: PayoffSpec, expiry: number, steps: number): number {
  const mo = requireRecord(m, 'm');
  const kind = enumOption(mo.kind, ['gbm', 'heston', 'merton', 'bates', 'multiGbm'] as const, 'gbm', 'm.kind');
  if (mo.kind === undefined) throw new InputError('m.kind', mo.kind, "'gbm', 'heston', 'merton', 'bates' or 'multiGbm'");
  const fields = kind === 'gbm' || kind === 'merton' || kind === 'multiGbm' ? ['spot', 'rate', 'dividendYield', 'vol'] : ['spot', 'rate', 'dividendYield', 'v0', 'theta', 'rho'];
  for (const f of fields) requireNumber(mo[f], `m.${f}`);
  const po = requireRecord(p, 'p');
  if (typeof po.kind !== 'string') throw new InputError('p.kind', po.kind, 'a payoff kind');
  if (po.kind === 'barrier' && po.knock === 'in') requireNumber(po.barrier, 'p.barrier');
  else requireNumber(po.strike, 'p.strike');
  requireNumber(expiry, 'expiry');
  requireInteger(steps, 'steps', 1, MAX_STEPS);
  return importanceShift(m, p, expiry, steps);
}

/** {@link defaultImportanceShift} on a validated model and payoff. */
function importanceShift(m: ModelSpec, p: PayoffSpec, expiry: number, steps: number): number {
  const vol = shiftVol(m);
  const strike = p.kind === 'barrier' && p.knock === 'in' ? p.barrier : p.strike;
  if (!(strike > 0)) return 0;
  const mu = (Math.log(strike / m.spot) - (m.rate - m.dividendYield - 0.5 * vol * vol) * expiry) / (vol * Math.sqrt(steps * expiry));
  // The range an explicit shift may take: a larger one would only make the weights overflow.
  return Number.isNaN(mu) ? 0 : Math.max(-MAX_IMPORTANCE_SHIFT, Math.min(MAX_IMPORTANCE_SHIFT, mu));
}

/** Largest |shift| of importance sampling, given or default (the default is clamped to it). */
const MAX_IMPORTANCE_SHIFT = 10;

function paramBlock(m: ModelSpec, p: PayoffSpec, expiry: number, flags: { antithetic: boolean; cv: number; greeks: number; shift: number }): number[] {
  const b = new Array<number>(L.PARAMS_SIZE).fill(0);
  b[L.P_MODEL] = m.code;
  b[L.P_SPOT] = m.spot;
  b[L.P_RATE] = m.rate;
  b[L.P_DIVIDEND] = m.dividendYield;
  b[L.P_EXPIRY] = expiry;
  b[L.P_VOL] = m.vol;
  b[L.P_V0] = m.v0;
  b[L.P_KAPPA] = m.kappa;
  b[L.P_THETA] = m.theta;
  b[L.P_VOL_OF_VAR] = m.sigma;
  b[L.P_RHO] = m.rho;
  b[L.P_JUMP_INTENSITY] = m.lambda;
  b[L.P_JUMP_MEAN] = m.muJ;
  b[L.P_JUMP_VOL] = m.deltaJ;
  b[L.P_PAYOFF] = p.code;
  b[L.P_STRIKE] = p.strike;
  b[L.P_TYPE] = p.type === 'call' ? 1 : -1;
  b[L.P_CASH] = p.cash;
  b[L.P_BARRIER] = p.barrier;
  b[L.P_DIRECTION] = p.direction === 'up' ? 1 : -1;
  b[L.P_KNOCK_IN] = p.knock === 'in' ? 1 : 0;
  b[L.P_REBATE] = p.rebate;
  b[L.P_CONTINUOUS] = p.monitoring === 'continuous' ? 1 : 0;
  b[L.P_ANTITHETIC] = flags.antithetic ? 1 : 0;
  b[L.P_CONTROL] = flags.cv;
  b[L.P_GREEKS] = flags.greeks;
  b[L.P_IS_SHIFT] = flags.shift;
  b[L.P_ASSETS] = m.assets;
  b[L.P_ASSET_LONG] = p.assets[0];
  b[L.P_ASSET_SHORT] = p.assets[1];
  const lv = m.localVol;
  if (lv) {
    // [surface] The local-vol grid follows the block (P_LV_GRID = PARAMS_SIZE).
    b[L.P_LV_TIMES] = lv.times;
    b[L.P_LV_POINTS] = lv.points;
    b[L.P_LV_KMIN] = lv.kMin;
    b[L.P_LV_DK] = lv.dk;
    for (const v of lv.values) b.push(v);
  }
  return b;
}

/** The multi-asset kernel's asset block: spots, dividend yields, vols, payoff weights, control weights, factor. */
function assetBlock(m: ModelSpec, p: PayoffSpec): number[] {
  const mm = m.multi;
  if (!mm) return [];
  const n = m.assets;
  return [...mm.spots, ...mm.dividendYields, ...mm.vols, ...(p.weights.length === n ? p.weights : new Array<number>(n).fill(0)),
    ...underlyingWeights(n, p), ...mm.correlation.factor];
}

/** CV_UNDERLYING weights c: the basket weights, +1 / -1 on a spread's assets, 1 on every asset otherwise. */
function underlyingWeights(n: number, p: PayoffSpec): number[] {
  if (p.weights.length === n) return p.weights.slice();
  const c = new Array<number>(n).fill(p.kind === 'spread' || p.kind === 'exchange' ? 0 : 1);
  if (p.kind === 'spread' || p.kind === 'exchange') {
    c[p.assets[0]] = 1;
    c[p.assets[1]] = -1;
  }
  return c;
}

/** The parts of {@link MONTE_CARLO_DOMAIN} that involve the expiry or the steps. */
function checkModelLimits(m: ModelSpec, expiry: number, steps: number): void {
  if (m.lambda * (expiry / steps) > MAX_JUMPS_PER_STEP) {
    throw new InputError('steps', steps, `enough steps that lambda x dt <= ${MAX_JUMPS_PER_STEP}`);
  }
  const over = (x: number, bound: number, path: string, value: number, what: string): void => {
    if (x > bound) throw new InputError(path, value, `${what} <= ${bound} (expiry ${expiry}: the paths would overflow)`);
  };
  const mm = m.multi;
  const rates = mm ? [['rate', m.rate] as const, ...mm.dividendYields.map((q, i) => [`dividendYields[${i}]`, q] as const)]
    : [['rate', m.rate] as const, ['dividendYield', m.dividendYield] as const];
  for (const [key, r] of rates) over(Math.abs(r) * expiry, D.maxRateTimesExpiry, `model.${key}`, r, `|${key.replace(/\[\d+\]$/, '')}| x expiry`);
  if (mm) mm.vols.forEach((v, i) => over(v * v * expiry, D.maxVarianceTimesExpiry, `model.vols[${i}]`, v, 'vol^2 x expiry'));
  else if (m.kind === 'gbm' || m.kind === 'merton') over(m.vol * m.vol * expiry, D.maxVarianceTimesExpiry, 'model.vol', m.vol, 'vol^2 x expiry');
  if (m.kind === 'heston' || m.kind === 'bates') {
    over(m.v0 * expiry, D.maxVarianceTimesExpiry, 'model.v0', m.v0, 'v0 x expiry');
    over(m.theta * expiry, D.maxVarianceTimesExpiry, 'model.theta', m.theta, 'theta x expiry');
  }
  if (m.lambda > 0) {
    const k = Math.abs(Math.expm1(m.muJ + 0.5 * m.deltaJ * m.deltaJ));
    over(m.lambda * expiry * (Math.abs(m.muJ) + m.deltaJ * m.deltaJ + k), D.maxJumpBudget, 'model.lambda', m.lambda,
      'lambda x expiry x (|muJ| + deltaJ^2 + |e^(muJ + deltaJ^2/2) - 1|)');
  }
}

/**
 * Validate `engine.monteCarlo` arguments (never modifying them) into a job.
 * @param ctx the engine that samples a localVol model's surface (default: the surface's own engine).
 * @throws InputError naming the offending field.
 */
export function createMonteCarloJob(args: MonteCarloArgs, ctx?: EngineContext): MonteCarloJob {
  const a = requireObject(args, 'args');
  checkKeys(a, MONTE_CARLO_KEYS, '');
  const model = checkModel(a.model);
  const payoff = checkPayoff(a.payoff, 'payoff', model);
  const expiry = num(a.expiry, 'expiry', (x) => x >= D.minExpiry && x <= D.maxExpiry, `a number of years in [${D.minExpiry}, ${D.maxExpiry}]`);
  const steps = integer(a.steps, 'steps', 1, MAX_STEPS);
  checkModelLimits(model, expiry, steps);
  withLocalVolGrid(model, a.model, expiry, steps, ctx);
  const seed = checkSeed(a.seed);
  const stream = optional(a.stream, 0, (v) => integer(v, 'stream', 0, 0x7fffffff));
  const rng = enumOption(a.rng, ['philox', 'sobol'] as const, 'philox', 'rng');
  const antithetic = booleanOption(a.antithetic, false, 'antithetic');
  const workers = optional(a.workers, 1, (v) => integer(v, 'workers', 1, MAX_WORKERS));
  const shardSize = optional(a.shardSize, DEFAULT_SHARD_SIZE, (v) =>
    num(v, 'shardSize', (x) => Number.isInteger(x) && x >= 2 && x <= MAX_SHARD_SIZE && x % 2 === 0, `an even integer in [2, ${MAX_SHARD_SIZE}]`));
  const dps = drawsPerStep(model.code, model.assets);
  const dims = steps * dps;
  const { replications, scramble, bridge } = checkQmc(a.qmc, rng, steps, dps, model.kind === 'multiGbm');
  const paths = checkPaths(a.paths, rng, replications, antithetic);
  const pointsPerReplication = paths / replications;
  const cv = controlVariate(a.controlVariate, model, payoff, expiry, steps);
  const { importanceSampling, isShift } = importanceSamplingShift(a.importanceSampling, model, payoff, expiry, steps);
  const { delta, vega, lipschitz } = checkGreeks(a.greeks, model, payoff);
  const greekMask = (delta ? L.GREEK_DELTA : 0) | (vega ? L.GREEK_VEGA : 0);
  const shardsPerReplication = shardsOf(pointsPerReplication, shardSize, replications, workers);
  return {
    model, payoff, expiry, paths, steps, ...seed, stream, rng, replications, pointsPerReplication, scramble, bridge,
    antithetic, controlVariate: cv.kind, controlMean: cv.mean, importanceSampling, isShift, delta, vega,
    greekMethod: lipschitz ? 'pathwise' : 'likelihoodRatio', workers, shardSize,
    shardsPerReplication, shardCount: shardsPerReplication * replications, drawsPerStep: dps, dims,
    params: paramBlock(model, payoff, expiry, { antithetic, cv: cv.code, greeks: greekMask, shift: isShift }),
    assetBlock: assetBlock(model, payoff),
  };
}

/**
 * The `qmc` options: replications, scrambling and Brownian bridge for `rng: 'sobol'` (defaults
 * otherwise, after checking the keys of a `qmc` given anyway); steps x draws per step must fit the
 * Sobol table's dimensions.
 * @throws InputError naming `qmc...` or `steps`.
 */
function checkQmc(
  qmc: unknown, rng: 'philox' | 'sobol', steps: number, dps: number, multi: boolean,
): { replications: number; scramble: 'shift' | 'owen'; bridge: boolean } {
  if (rng !== 'sobol') {
    if (qmc !== undefined) checkKeys(requireObject(qmc, 'qmc'), QMC_KEYS, 'qmc');
    return { replications: 1, scramble: 'shift', bridge: false };
  }
  const q = qmc === undefined ? {} : requireObject(qmc, 'qmc');
  checkKeys(q, QMC_KEYS, 'qmc');
  const replications = optional(q.replications, DEFAULT_REPLICATIONS, (v) => integer(v, 'qmc.replications', 2, MAX_REPLICATIONS));
  const scramble = enumOption(q.scramble, ['shift', 'owen'] as const, 'shift', 'qmc.scramble');
  const bridge = booleanOption(q.brownianBridge, true, 'qmc.brownianBridge');
  if (steps * dps > SOBOL_MAX_DIMENSIONS) {
    throw new InputError('steps', steps, `steps x ${dps} draws per step${multi ? ' (one per asset)' : ''} <= ${SOBOL_MAX_DIMENSIONS} Sobol dimensions (or rng: 'philox')`);
  }
  return { replications, scramble, bridge };
}

/**
 * The path count: at most MAX_PATHS (Sobol: replications x MAX_SOBOL_POINTS), even with at least
 * two antithetic pairs when `antithetic`, a whole number of (antithetic) points per replication.
 * @throws InputError naming `paths`.
 */
function checkPaths(value: unknown, rng: 'philox' | 'sobol', replications: number, antithetic: boolean): number {
  const maxPaths = rng === 'sobol' ? replications * MAX_SOBOL_POINTS : MAX_PATHS;
  const paths = integer(value, 'paths', 2, maxPaths);
  if (antithetic && (paths % 2 !== 0 || paths < 4)) throw new InputError('paths', paths, 'an even number >= 4 (antithetic pairs; two pairs at least for a variance)');
  if (rng === 'sobol') {
    if (paths % replications !== 0) throw new InputError('paths', paths, `a multiple of qmc.replications (${replications})`);
    if (antithetic && (paths / replications) % 2 !== 0) throw new InputError('paths', paths, `an even number of points per replication (paths / ${replications})`);
  }
  return paths;
}

type ControlVariateKind = MonteCarloJob['controlVariate'];

/**
 * The control variate: its kind, its known mean (discounted forward of the underlying or the
 * basket's weighted forwards; the geometric Asian or geometric basket closed form) and its kernel code.
 * @throws InputError naming `controlVariate` (a control the model or payoff does not have) or `payoff.weights[i]`.
 */
function controlVariate(
  value: unknown, model: ModelSpec, payoff: PayoffSpec, expiry: number, steps: number,
): { kind: ControlVariateKind; mean: number; code: number } {
  const kind = enumOption(value, ['none', 'underlying', 'geometricAsian', 'geometricBasket'] as const, 'none', 'controlVariate');
  const multi = model.kind === 'multiGbm';
  let mean = 0;
  if (kind === 'geometricBasket') {
    if (!multi || (payoff.kind !== 'basket' && payoff.kind !== 'geometricBasket')) {
      throw new InputError('controlVariate', kind, "'underlying' or 'none' (the geometric-basket control is for basket payoffs of the multiGbm model)");
    }
    payoff.weights.forEach((w, i) => {
      if (!(w > 0)) throw new InputError(`payoff.weights[${i}]`, w, "a weight > 0 (the geometric-basket control needs positive weights)");
    });
    const mm = model.multi!;
    mean = geometricBasketPrice(mm.spots, payoff.weights, expiry, model.rate, mm.dividendYields, mm.vols, mm.correlation.matrix, payoff.strike, payoff.type);
  } else if (kind === 'underlying' && multi) {
    const mm = model.multi!;
    const c = underlyingWeights(model.assets, payoff);
    for (let i = 0; i < model.assets; i++) mean += c[i]! * mm.spots[i]! * Math.exp(-mm.dividendYields[i]! * expiry);
  } else if (kind === 'underlying') {
    mean = model.spot * Math.exp(-model.dividendYield * expiry);
  } else if (kind === 'geometricAsian') {
    if (model.kind !== 'gbm') throw new InputError('controlVariate', kind, "'underlying' or 'none' (the geometric-Asian control needs the GBM closed form)");
    if (payoff.kind !== 'asian') throw new InputError('controlVariate', kind, "'underlying' or 'none' (the geometric-Asian control is for Asian payoffs)");
    mean = geometricAsianPrice(model.spot, payoff.strike, expiry, model.rate, model.dividendYield, model.vol, payoff.type, steps);
  }
  const code = kind === 'underlying' ? L.CV_UNDERLYING : kind === 'geometricAsian' ? L.CV_GEOMETRIC_ASIAN
    : kind === 'geometricBasket' ? L.CV_GEOMETRIC_BASKET : L.CV_NONE;
  return { kind, mean, code };
}

/**
 * Importance sampling: off, on with the default drift shift, or on with `{ shift }` (in units of
 * the per-step standard normal). Not for multiGbm.
 * @throws InputError naming `importanceSampling...`.
 */
function importanceSamplingShift(
  value: unknown, model: ModelSpec, payoff: PayoffSpec, expiry: number, steps: number,
): { importanceSampling: boolean; isShift: number } {
  if (value === undefined || value === false) return { importanceSampling: false, isShift: 0 };
  if (model.kind === 'multiGbm') throw new InputError('importanceSampling', value, 'false or undefined (importance sampling is not available for multiGbm)');
  if (value === true) return { importanceSampling: true, isShift: importanceShift(model, payoff, expiry, steps) };
  const o = requireObject(value, 'importanceSampling');
  checkKeys(o, IMPORTANCE_KEYS, 'importanceSampling');
  const isShift = o.shift === undefined ? importanceShift(model, payoff, expiry, steps)
    : num(o.shift, 'importanceSampling.shift', (x) => Math.abs(x) <= MAX_IMPORTANCE_SHIFT, `a number in [-${MAX_IMPORTANCE_SHIFT}, ${MAX_IMPORTANCE_SHIFT}]`);
  return { importanceSampling: true, isShift };
}

/**
 * Which greeks to estimate (`true`: delta, and vega where the model has a flat vol) and whether
 * the payoff is Lipschitz (pathwise estimators) or not (likelihood ratio).
 * @throws InputError naming `greeks...` for greeks the model or payoff cannot have.
 */
function checkGreeks(value: unknown, model: ModelSpec, payoff: PayoffSpec): { delta: boolean; vega: boolean; lipschitz: boolean } {
  if (model.kind === 'multiGbm' && value !== undefined && value !== false) {
    throw new InputError('greeks', value, 'false or undefined (greeks are not available for multiGbm: bump the inputs with the same seed, common random numbers)');
  }
  if (model.kind === 'localVol' && value !== undefined && value !== false) {
    throw new InputError('greeks', value, 'false or undefined (greeks are not available for localVol: bump spot or the surface with the same seed, common random numbers)');
  }
  const lipschitz = payoff.kind === 'european' || payoff.kind === 'asian';
  const flatVol = model.kind === 'gbm' || model.kind === 'merton';
  let delta = false;
  let vega = false;
  if (value === true) {
    delta = true;
    vega = flatVol;
  } else if (value !== undefined && value !== false) {
    const g = requireObject(value, 'greeks');
    checkKeys(g, GREEK_KEYS, 'greeks');
    delta = booleanOption(g.delta, false, 'greeks.delta');
    vega = booleanOption(g.vega, false, 'greeks.vega');
    if (vega && !flatVol) {
      throw new InputError('greeks.vega', true, `false for model '${model.kind}' (vega is for GBM and Merton; for stochastic volatility bump the parameters with the same seed: common random numbers)`);
    }
  }
  if (delta && !lipschitz && (model.kind === 'heston' || model.kind === 'bates') && (Math.abs(model.rho) === 1 || model.v0 === 0)) {
    throw new InputError('greeks.delta', true, 'false here: the likelihood-ratio delta of a digital or barrier under Heston needs |rho| < 1 and v0 > 0');
  }
  return { delta, vega, lipschitz };
}

/**
 * Shards per replication: ceil(points per replication / shard size); with workers > 1 the whole
 * job may have at most MAX_POOL_SHARDS shards.
 * @throws InputError naming `shardSize`.
 */
function shardsOf(pointsPerReplication: number, shardSize: number, replications: number, workers: number): number {
  const shardsPerReplication = Math.ceil(pointsPerReplication / shardSize);
  if (workers > 1 && shardsPerReplication * replications > MAX_POOL_SHARDS) {
    throw new InputError('shardSize', shardSize,
      `a shard size giving at most ${MAX_POOL_SHARDS} shards with workers > 1 (paths / shardSize = ${shardsPerReplication * replications}; the pool keeps one accumulator per shard)`);
  }
  return shardsPerReplication;
}

/** Validated simulatePaths arguments. */
interface SimulatePathsJob {
  paths: number;
  steps: number;
  firstPath: number;
  seedLo: number;
  seedHi: number;
  stream: number;
  params: number[];
  /** Number of assets (1 except for multiGbm) and the multi-asset kernel's asset block. */
  assets: number;
  assetBlock: number[];
  out: Float64Array | undefined;
}

/**
 * Validate `engine.simulatePaths` arguments (`ctx` samples a localVol surface, as in createMonteCarloJob).
 * @throws InputError, including above {@link SIMULATE_PATHS_MAX_BYTES}.
 */
export function createSimulatePathsJob(args: SimulatePathsArgs, ctx?: EngineContext): SimulatePathsJob {
  const a = requireObject(args, 'args');
  checkKeys(a, SIMULATE_PATHS_KEYS, '');
  const model = checkModel(a.model);
  const expiry = num(a.expiry, 'expiry', (x) => x >= D.minExpiry && x <= D.maxExpiry, `a number of years in [${D.minExpiry}, ${D.maxExpiry}]`);
  const steps = integer(a.steps, 'steps', 1, MAX_STEPS);
  checkModelLimits(model, expiry, steps);
  withLocalVolGrid(model, a.model, expiry, steps, ctx);
  const paths = integer(a.paths, 'paths', 1, MAX_PATHS);
  const n = model.assets;
  const bytes = paths * (steps + 1) * n * 8;
  if (bytes > SIMULATE_PATHS_MAX_BYTES) {
    throw new InputError('paths', paths, `paths x (steps + 1) x 8 bytes <= ${SIMULATE_PATHS_MAX_BYTES} (256 MiB; this asks for ${bytes}); price with engine.monteCarlo, which never stores paths`);
  }
  const seed = checkSeed(a.seed);
  const stream = optional(a.stream, 0, (v) => integer(v, 'stream', 0, 0x7fffffff));
  const antithetic = booleanOption(a.antithetic, false, 'antithetic');
  const firstPath = optional(a.firstPath, 0, (v) => integer(v, 'firstPath', 0, MAX_PATHS - paths));
  if (antithetic && (paths % 2 !== 0 || firstPath % 2 !== 0)) throw new InputError('paths', paths, 'an even number with an even firstPath (antithetic pairs)');
  const out = a.out;
  if (out !== undefined && (!(out instanceof Float64Array) || out.length !== paths * (steps + 1) * n)) {
    throw new InputError('out', out, `a Float64Array of length ${paths * (steps + 1) * n}${n > 1 ? ' (paths x (steps + 1) x assets)' : ''}`);
  }
  return {
    paths, steps, firstPath, seedLo: seed.seedLo, seedHi: seed.seedHi, stream,
    params: paramBlock(model, NO_PAYOFF, expiry, { antithetic, cv: L.CV_NONE, greeks: 0, shift: 0 }), out: out as Float64Array | undefined,
    assets: n, assetBlock: assetBlock(model, NO_PAYOFF),
  };
}

// [hedging] simulate: the model, seed and model-limit checks, shared with engine.simulateHedging
// (whose paths are this engine's paths).
export { checkModel as checkMonteCarloModel, checkSeed as checkMonteCarloSeed, checkModelLimits as checkMonteCarloModelLimits };
