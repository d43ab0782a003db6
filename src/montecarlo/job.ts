/**
 * Validation of `engine.monteCarlo` arguments into a {@link MonteCarloJob}: a plain, serialisable
 * description of the whole run (no functions, no signal) that any process can turn into shard
 * accumulators with `monteCarloShard` and that `mergeShards` turns into a result.
 */
import { InputError } from '../errors.js';
import { booleanOption, enumOption, requireObject } from '../batch-inputs.js';
import { SOBOL_MAX_DIMENSIONS } from '../random/sobol-table.js';
import * as L from '../kernels/montecarlo/layout.js';
import { geometricAsianPrice } from './closed-forms.js';
import type { MonteCarloArgs, SimulatePathsArgs } from './types.js';

/** Default paths per shard. */
export const DEFAULT_SHARD_SIZE = 4096;
/** Default randomised Sobol replications. */
export const DEFAULT_REPLICATIONS = 16;
/** Largest simulatePaths output (bytes): 256 MiB. Price with monteCarlo, which streams. */
export const SIMULATE_PATHS_MAX_BYTES = 256 * 1024 * 1024;
/** Largest steps per path. */
export const MAX_STEPS = 100_000;
/** Largest jump-count mean per step (lambda dt) the Poisson summation accepts. */
export const MAX_JUMPS_PER_STEP = 50;
/** Sobol scramble words use Philox stream `stream ^ QMC_SCRAMBLE_STREAM_BIT`, path = replication. */
export const QMC_SCRAMBLE_STREAM_BIT = 0x80000000;

/** The model after validation (defaults filled, numbers only). */
export interface ModelSpec {
  kind: 'gbm' | 'heston' | 'merton' | 'bates';
  scheme: 'exact' | 'qe' | 'euler';
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
  jumpIntensity: number;
  jumpMean: number;
  jumpVol: number;
}

/** The payoff after validation. */
export interface PayoffSpec {
  kind: 'none' | 'european' | 'digital' | 'barrier' | 'asian';
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
  controlVariate: 'none' | 'underlying' | 'geometricAsian';
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
function optional<T>(v: unknown, fallback: T, check: (v: unknown) => T): T {
  return v === undefined ? fallback : check(v);
}

/** Validate a tagged model object. */
export function checkModel(value: unknown, path = 'model'): ModelSpec {
  const m = requireObject(value, path);
  const kind = m.kind;
  if (kind === 'multiGbm') {
    throw new InputError(`${path}.kind`, kind, "'gbm', 'heston', 'merton' or 'bates' (correlated multi-asset GBM is not implemented yet)");
  }
  const kinds = ['gbm', 'heston', 'merton', 'bates'] as const;
  const k = enumOption(kind, kinds, 'gbm', `${path}.kind`);
  if (kind === undefined) throw new InputError(`${path}.kind`, kind, kinds.map((s) => `'${s}'`).join(', '));
  const spec: ModelSpec = {
    kind: k, scheme: 'exact', code: L.MODEL_GBM,
    spot: positive(m.spot, `${path}.spot`),
    rate: finite(m.rate, `${path}.rate`),
    dividendYield: optional(m.dividendYield, 0, (v) => finite(v, `${path}.dividendYield`)),
    vol: 0, v0: 0, kappa: 0, theta: 0, sigma: 0, rho: 0, jumpIntensity: 0, jumpMean: 0, jumpVol: 0,
  };
  if (k === 'gbm' || k === 'merton') spec.vol = positive(m.vol, `${path}.vol`);
  if (k === 'heston' || k === 'bates') {
    spec.v0 = nonNegative(m.v0, `${path}.v0`);
    spec.kappa = positive(m.kappa, `${path}.kappa`);
    spec.theta = positive(m.theta, `${path}.theta`);
    spec.sigma = positive(m.sigma, `${path}.sigma`);
    spec.rho = num(m.rho, `${path}.rho`, (x) => x >= -1 && x <= 1, 'a number in [-1, 1]');
    spec.scheme = k === 'bates'
      ? enumOption(m.scheme, ['qe'] as const, 'qe', `${path}.scheme`)
      : enumOption(m.scheme, ['qe', 'euler'] as const, 'qe', `${path}.scheme`);
  }
  if (k === 'merton' || k === 'bates') {
    spec.jumpIntensity = nonNegative(m.jumpIntensity, `${path}.jumpIntensity`);
    spec.jumpMean = finite(m.jumpMean, `${path}.jumpMean`);
    spec.jumpVol = nonNegative(m.jumpVol, `${path}.jumpVol`);
  }
  spec.code = k === 'gbm' ? L.MODEL_GBM : k === 'merton' ? L.MODEL_MERTON : k === 'bates' ? L.MODEL_BATES
    : spec.scheme === 'euler' ? L.MODEL_HESTON_EULER : L.MODEL_HESTON_QE;
  return spec;
}

/** Validate a tagged payoff object. */
export function checkPayoff(value: unknown, path = 'payoff'): PayoffSpec {
  const p = requireObject(value, path);
  const kinds = ['european', 'digital', 'barrier', 'asian'] as const;
  if (p.kind === undefined) throw new InputError(`${path}.kind`, p.kind, kinds.map((s) => `'${s}'`).join(', '));
  const kind = enumOption(p.kind, kinds, 'european', `${path}.kind`);
  if (p.type === undefined) throw new InputError(`${path}.type`, p.type, "'call' or 'put'");
  const spec: PayoffSpec = {
    kind, code: L.PAYOFF_EUROPEAN,
    strike: nonNegative(p.strike, `${path}.strike`),
    type: enumOption(p.type, ['call', 'put'] as const, 'call', `${path}.type`),
    cash: 1, barrier: 0, direction: 'up', knock: 'out', rebate: 0, monitoring: 'continuous', averaging: 'arithmetic',
  };
  if (kind === 'digital') {
    spec.code = L.PAYOFF_DIGITAL;
    spec.cash = optional(p.cash, 1, (v) => finite(v, `${path}.cash`));
  } else if (kind === 'barrier') {
    spec.code = L.PAYOFF_BARRIER;
    spec.barrier = positive(p.barrier, `${path}.barrier`);
    if (p.direction === undefined) throw new InputError(`${path}.direction`, p.direction, "'up' or 'down'");
    if (p.knock === undefined) throw new InputError(`${path}.knock`, p.knock, "'in' or 'out'");
    spec.direction = enumOption(p.direction, ['up', 'down'] as const, 'up', `${path}.direction`);
    spec.knock = enumOption(p.knock, ['in', 'out'] as const, 'out', `${path}.knock`);
    spec.rebate = optional(p.rebate, 0, (v) => nonNegative(v, `${path}.rebate`));
    spec.monitoring = enumOption(p.monitoring, ['continuous', 'discrete'] as const, 'continuous', `${path}.monitoring`);
  } else if (kind === 'asian') {
    if (p.averaging === undefined) throw new InputError(`${path}.averaging`, p.averaging, "'arithmetic' or 'geometric'");
    spec.averaging = enumOption(p.averaging, ['arithmetic', 'geometric'] as const, 'arithmetic', `${path}.averaging`);
    spec.code = spec.averaging === 'arithmetic' ? L.PAYOFF_ASIAN_ARITHMETIC : L.PAYOFF_ASIAN_GEOMETRIC;
  }
  return spec;
}

const NO_PAYOFF: PayoffSpec = {
  kind: 'none', code: L.PAYOFF_NONE, strike: 0, type: 'call', cash: 0, barrier: 0, direction: 'up', knock: 'out',
  rebate: 0, monitoring: 'continuous', averaging: 'arithmetic',
};

function checkSeed(v: unknown): { seed: string; seedLo: number; seedHi: number } {
  if (typeof v === 'bigint') {
    if (v < 0n || v >= 1n << 64n) throw new InputError('seed', v, 'an integer in [0, 2^64)');
    return { seed: v.toString(), seedLo: Number(v & 0xffffffffn), seedHi: Number(v >> 32n) };
  }
  const s = integer(v, 'seed', 0, Number.MAX_SAFE_INTEGER);
  return { seed: String(s), seedLo: s % 4294967296, seedHi: Math.floor(s / 4294967296) };
}

/** Draws per step of a model code. */
export function drawsPerStep(code: number): number {
  return code === L.MODEL_GBM ? 1 : code === L.MODEL_MERTON ? 3 : code === L.MODEL_BATES ? 4 : 2;
}

/**
 * Vol used by the default importance shift: the diffusion vol (GBM, Merton), or
 * sqrt((v0 + theta)/2) sqrt(1 - rho^2) for Heston and Bates (the shift moves the normal that is
 * independent of the variance).
 */
function shiftVol(m: ModelSpec): number {
  if (m.kind === 'gbm' || m.kind === 'merton') return m.vol;
  return Math.sqrt(0.5 * (m.v0 + m.theta)) * Math.sqrt(Math.max(1 - m.rho * m.rho, 1e-4));
}

/**
 * Default importance-sampling shift: the mu that moves the median of ln S_T to ln K when every
 * diffusion normal is shifted by mu, mu = (ln(K/S) - (r - q - vol^2/2) T) / (vol sqrt(steps T)).
 * Meant for deep out-of-the-money European and digital payoffs (a heuristic elsewhere).
 */
export function defaultImportanceShift(m: ModelSpec, p: PayoffSpec, expiry: number, steps: number): number {
  const vol = shiftVol(m);
  const strike = p.kind === 'barrier' && p.knock === 'in' ? p.barrier : p.strike;
  if (!(strike > 0)) return 0;
  return (Math.log(strike / m.spot) - (m.rate - m.dividendYield - 0.5 * vol * vol) * expiry) / (vol * Math.sqrt(steps * expiry));
}

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
  b[L.P_JUMP_INTENSITY] = m.jumpIntensity;
  b[L.P_JUMP_MEAN] = m.jumpMean;
  b[L.P_JUMP_VOL] = m.jumpVol;
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
  return b;
}

function checkModelLimits(m: ModelSpec, expiry: number, steps: number): void {
  if (m.jumpIntensity * (expiry / steps) > MAX_JUMPS_PER_STEP) {
    throw new InputError('steps', steps, `enough steps that jumpIntensity x dt <= ${MAX_JUMPS_PER_STEP}`);
  }
}

/**
 * Validate `engine.monteCarlo` arguments (never modifying them) into a job.
 * @throws InputError naming the offending field.
 */
export function createMonteCarloJob(args: MonteCarloArgs): MonteCarloJob {
  const a = requireObject(args, 'args');
  const model = checkModel(a.model);
  const payoff = checkPayoff(a.payoff);
  const expiry = num(a.expiry, 'expiry', (x) => x > 0 && x <= 1000, 'a number of years in (0, 1000]');
  const steps = integer(a.steps, 'steps', 1, MAX_STEPS);
  checkModelLimits(model, expiry, steps);
  const seed = checkSeed(a.seed);
  const stream = optional(a.stream, 0, (v) => integer(v, 'stream', 0, 0x7fffffff));
  const rng = enumOption(a.rng, ['philox', 'sobol'] as const, 'philox', 'rng');
  const antithetic = booleanOption(a.antithetic, false, 'antithetic');
  const workers = optional(a.workers, 1, (v) => integer(v, 'workers', 1, 256));
  const shardSize = optional(a.shardSize, DEFAULT_SHARD_SIZE, (v) =>
    num(v, 'shardSize', (x) => Number.isInteger(x) && x >= 2 && x <= 1 << 20 && x % 2 === 0, 'an even integer in [2, 1048576]'));
  const dps = drawsPerStep(model.code);
  const dims = steps * dps;

  let replications = 1;
  let scramble: 'shift' | 'owen' = 'shift';
  let bridge = false;
  if (rng === 'sobol') {
    const q = a.qmc === undefined ? {} : requireObject(a.qmc, 'qmc');
    replications = optional(q.replications, DEFAULT_REPLICATIONS, (v) => integer(v, 'qmc.replications', 2, 4096));
    scramble = enumOption(q.scramble, ['shift', 'owen'] as const, 'shift', 'qmc.scramble');
    bridge = booleanOption(q.brownianBridge, true, 'qmc.brownianBridge');
    if (dims > SOBOL_MAX_DIMENSIONS) {
      throw new InputError('steps', steps, `steps x ${dps} draws per step <= ${SOBOL_MAX_DIMENSIONS} Sobol dimensions (or rng: 'philox')`);
    }
  } else if (a.qmc !== undefined) {
    requireObject(a.qmc, 'qmc');
  }
  const maxPaths = rng === 'sobol' ? replications * 2 ** 31 : 2 ** 32;
  const paths = integer(a.paths, 'paths', 2, maxPaths);
  if (antithetic && (paths % 2 !== 0 || paths < 4)) throw new InputError('paths', paths, 'an even number >= 4 (antithetic pairs; two pairs at least for a variance)');
  if (rng === 'sobol') {
    if (paths % replications !== 0) throw new InputError('paths', paths, `a multiple of qmc.replications (${replications})`);
    if (antithetic && (paths / replications) % 2 !== 0) throw new InputError('paths', paths, `an even number of points per replication (paths / ${replications})`);
  }
  const pointsPerReplication = paths / replications;

  // Control variate.
  const cvKind = enumOption(a.controlVariate, ['none', 'underlying', 'geometricAsian'] as const, 'none', 'controlVariate');
  let controlMean = 0;
  if (cvKind === 'underlying') {
    controlMean = model.spot * Math.exp(-model.dividendYield * expiry);
  } else if (cvKind === 'geometricAsian') {
    if (model.kind !== 'gbm') throw new InputError('controlVariate', cvKind, "'underlying' or 'none' (the geometric-Asian control needs the GBM closed form)");
    if (payoff.kind !== 'asian') throw new InputError('controlVariate', cvKind, "'underlying' or 'none' (the geometric-Asian control is for Asian payoffs)");
    controlMean = geometricAsianPrice(model.spot, payoff.strike, expiry, model.rate, model.dividendYield, model.vol, payoff.type, steps);
  }
  const cvCode = cvKind === 'underlying' ? L.CV_UNDERLYING : cvKind === 'geometricAsian' ? L.CV_GEOMETRIC_ASIAN : L.CV_NONE;

  // Importance sampling.
  let importanceSampling = false;
  let isShift = 0;
  if (a.importanceSampling !== undefined && a.importanceSampling !== false) {
    importanceSampling = true;
    if (a.importanceSampling === true) {
      isShift = defaultImportanceShift(model, payoff, expiry, steps);
    } else {
      const o = requireObject(a.importanceSampling, 'importanceSampling');
      isShift = o.shift === undefined ? defaultImportanceShift(model, payoff, expiry, steps)
        : num(o.shift, 'importanceSampling.shift', (x) => Math.abs(x) <= 10, 'a number in [-10, 10]');
    }
  }

  // Greeks.
  const lipschitz = payoff.kind === 'european' || payoff.kind === 'asian';
  const flatVol = model.kind === 'gbm' || model.kind === 'merton';
  let delta = false;
  let vega = false;
  if (a.greeks === true) {
    delta = true;
    vega = flatVol;
  } else if (a.greeks !== undefined && a.greeks !== false) {
    const g = requireObject(a.greeks, 'greeks');
    delta = booleanOption(g.delta, false, 'greeks.delta');
    vega = booleanOption(g.vega, false, 'greeks.vega');
    if (vega && !flatVol) {
      throw new InputError('greeks.vega', true, `false for model '${model.kind}' (vega is for GBM and Merton; for stochastic volatility bump the parameters with the same seed: common random numbers)`);
    }
  }
  if (delta && !lipschitz && (model.kind === 'heston' || model.kind === 'bates') && (Math.abs(model.rho) === 1 || model.v0 === 0)) {
    throw new InputError('greeks.delta', true, 'false here: the likelihood-ratio delta of a digital or barrier under Heston needs |rho| < 1 and v0 > 0');
  }
  const greekMask = (delta ? L.GREEK_DELTA : 0) | (vega ? L.GREEK_VEGA : 0);

  const shardsPerReplication = Math.ceil(pointsPerReplication / shardSize);
  return {
    model, payoff, expiry, paths, steps, ...seed, stream, rng, replications, pointsPerReplication, scramble, bridge,
    antithetic, controlVariate: cvKind, controlMean, importanceSampling, isShift, delta, vega,
    greekMethod: lipschitz ? 'pathwise' : 'likelihoodRatio', workers, shardSize,
    shardsPerReplication, shardCount: shardsPerReplication * replications, drawsPerStep: dps, dims,
    params: paramBlock(model, payoff, expiry, { antithetic, cv: cvCode, greeks: greekMask, shift: isShift }),
  };
}

/** Validated simulatePaths arguments. */
export interface SimulatePathsJob {
  paths: number;
  steps: number;
  firstPath: number;
  seedLo: number;
  seedHi: number;
  stream: number;
  params: number[];
  out: Float64Array | undefined;
}

/** Validate `engine.simulatePaths` arguments. @throws InputError, including above {@link SIMULATE_PATHS_MAX_BYTES}. */
export function createSimulatePathsJob(args: SimulatePathsArgs): SimulatePathsJob {
  const a = requireObject(args, 'args');
  const model = checkModel(a.model);
  const expiry = num(a.expiry, 'expiry', (x) => x > 0 && x <= 1000, 'a number of years in (0, 1000]');
  const steps = integer(a.steps, 'steps', 1, MAX_STEPS);
  checkModelLimits(model, expiry, steps);
  const paths = integer(a.paths, 'paths', 1, 2 ** 32);
  const bytes = paths * (steps + 1) * 8;
  if (bytes > SIMULATE_PATHS_MAX_BYTES) {
    throw new InputError('paths', paths, `paths x (steps + 1) x 8 bytes <= ${SIMULATE_PATHS_MAX_BYTES} (256 MiB; this asks for ${bytes}); price with engine.monteCarlo, which never stores paths`);
  }
  const seed = checkSeed(a.seed);
  const stream = optional(a.stream, 0, (v) => integer(v, 'stream', 0, 0x7fffffff));
  const antithetic = booleanOption(a.antithetic, false, 'antithetic');
  const firstPath = optional(a.firstPath, 0, (v) => integer(v, 'firstPath', 0, 2 ** 32 - paths));
  if (antithetic && (paths % 2 !== 0 || firstPath % 2 !== 0)) throw new InputError('paths', paths, 'an even number with an even firstPath (antithetic pairs)');
  const out = a.out;
  if (out !== undefined && (!(out instanceof Float64Array) || out.length !== paths * (steps + 1))) {
    throw new InputError('out', out, `a Float64Array of length ${paths * (steps + 1)}`);
  }
  return {
    paths, steps, firstPath, seedLo: seed.seedLo, seedHi: seed.seedHi, stream,
    params: paramBlock(model, NO_PAYOFF, expiry, { antithetic, cv: L.CV_NONE, greeks: 0, shift: 0 }), out: out as Float64Array | undefined,
  };
}
