/**
 * The sharding seam: a job splits into `job.shardCount` shards of `job.shardSize` paths (a
 * constant of the job, independent of the number of workers). `monteCarloShard` runs one shard
 * (one kernel call, or a fixed sequence of calls into the same accumulator) and returns its
 * accumulator vector; `mergeShards` adds the vectors in shard order and assembles the result.
 * Any partition of the shards over workers, processes or machines therefore gives bit-identical
 * results, as long as the merge sees them in shard order.
 */
import type { EngineContext } from '../context.js';
import { InputError, KernelError } from '../errors.js';
import * as L from '../kernels/montecarlo/layout.js';
import { sobolDirectionTable } from '../random/sobol-table.js';
import { SOBOL_MAX_DIMENSIONS } from '../random/sobol-table.js';
import { MemoryArena } from '../memory-arena.js';
import { requireInteger, requireNumber, requireNumberArray, requireRecord } from '../arguments.js';
import { requireEnum } from '../batch-inputs.js';
import { registerShardTasks } from '../parallel/shard-tasks.js';
import {
  drawsPerStep, MAX_ASSETS, MAX_JUMPS_PER_STEP, MAX_PATHS, MAX_REPLICATIONS, MAX_SHARD_SIZE, MAX_SOBOL_POINTS, MAX_STEPS, MAX_WORKERS,
  MONTE_CARLO_DOMAIN, QMC_SCRAMBLE_STREAM_BIT, type MonteCarloJob,
} from './job.js';
import { MAX_LV_POINTS, MAX_LV_TIMES } from './local-vol-grid.js';
import type { GreekEstimate, MonteCarloDetails, MonteCarloResult } from './types.js';

/** Length of a shard accumulator vector (see kernels/montecarlo/layout.ts for its fields). */
export const ACCUMULATOR_SIZE = L.ACC_SIZE;
/** Two-sided 95% normal quantile. */
const Z_95 = 1.959963984540054;
/** Bytes of Sobol draws per kernel call inside a shard. */
const QMC_BLOCK_BYTES = 1 << 20;

/**
 * Reserve heap bytes rounded up to 16 (MemoryArena.reserve passes the raw total to the backing's
 * grow, and the JS backing would otherwise create a buffer whose length is not a multiple of 8).
 */
export function reserveAligned(ctx: EngineContext, bytes: number): void {
  ctx.arena.reserve(Math.ceil(bytes / 16) * 16 + 16);
}

/** Validated jobs (by identity): a job is checked once per object, not once per shard. */
const checkedJobs = new WeakSet<object>();

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new InputError(path, v, 'true or false');
  return v;
}

function same(v: unknown, expected: number, path: string, what: string): void {
  if (v !== expected) throw new InputError(path, v, `${expected} (${what})`);
}

/**
 * Check that `job` is a Monte Carlo job as {@link createMonteCarloJob} makes it (possibly cloned
 * or sent through JSON): the fields a shard run and the merge read, their types and ranges, the
 * shard arithmetic, and the parameter block's sizes, codes and the bounds that keep the kernels'
 * work finite. It does not redo every domain check of `createMonteCarloJob`: make jobs with it.
 * A job object is checked once (jobs are plain data; do not edit one after its first use).
 * @throws InputError naming the field (`job.shardCount`, `job.params[4]`, ...).
 */
function checkMonteCarloJob(value: unknown, path = 'job'): MonteCarloJob {
  const j = requireRecord(value, path);
  if (checkedJobs.has(j)) return j as unknown as MonteCarloJob;
  const rng = requireEnum(j.rng, ['philox', 'sobol'], `${path}.rng`);
  const steps = requireInteger(j.steps, `${path}.steps`, 1, MAX_STEPS);
  const replications = requireInteger(j.replications, `${path}.replications`, 1, rng === 'sobol' ? MAX_REPLICATIONS : 1);
  const shardSize = requireInteger(j.shardSize, `${path}.shardSize`, 2, MAX_SHARD_SIZE);
  const ppr = requireInteger(j.pointsPerReplication, `${path}.pointsPerReplication`, 1, rng === 'sobol' ? MAX_SOBOL_POINTS : MAX_PATHS);
  same(j.paths, ppr * replications, `${path}.paths`, 'pointsPerReplication x replications');
  const spr = Math.ceil(ppr / shardSize);
  same(j.shardsPerReplication, spr, `${path}.shardsPerReplication`, 'ceil(pointsPerReplication / shardSize)');
  same(j.shardCount, spr * replications, `${path}.shardCount`, 'shardsPerReplication x replications');
  requireInteger(j.seedLo, `${path}.seedLo`, 0, 0xffffffff);
  requireInteger(j.seedHi, `${path}.seedHi`, 0, 0xffffffff);
  requireInteger(j.stream, `${path}.stream`, 0, 0x7fffffff);
  requireInteger(j.workers, `${path}.workers`, 1, MAX_WORKERS);
  if (typeof j.seed !== 'string') throw new InputError(`${path}.seed`, j.seed, 'a decimal string');
  const expiry = requireNumber(j.expiry, `${path}.expiry`);
  if (!(expiry >= MONTE_CARLO_DOMAIN.minExpiry && expiry <= MONTE_CARLO_DOMAIN.maxExpiry)) {
    throw new InputError(`${path}.expiry`, expiry, `a number in [${MONTE_CARLO_DOMAIN.minExpiry}, ${MONTE_CARLO_DOMAIN.maxExpiry}]`);
  }
  requireEnum(j.scramble, ['shift', 'owen'], `${path}.scramble`);
  for (const k of ['bridge', 'antithetic', 'importanceSampling', 'delta', 'vega'] as const) bool(j[k], `${path}.${k}`);
  const cv = requireEnum(j.controlVariate, ['none', 'underlying', 'geometricAsian', 'geometricBasket'], `${path}.controlVariate`);
  if (cv !== 'none') requireNumber(j.controlMean, `${path}.controlMean`);
  if (j.importanceSampling) requireNumber(j.isShift, `${path}.isShift`);
  requireEnum(j.greekMethod, ['pathwise', 'likelihoodRatio'], `${path}.greekMethod`);

  const m = requireRecord(j.model, `${path}.model`);
  const kind = requireEnum(m.kind, ['gbm', 'heston', 'merton', 'bates', 'multiGbm', 'localVol'], `${path}.model.kind`);
  const assets = requireInteger(m.assets, `${path}.model.assets`, 1, kind === 'multiGbm' ? MAX_ASSETS : 1);
  if (typeof m.scheme !== 'string') throw new InputError(`${path}.model.scheme`, m.scheme, 'a string');
  const code = requireInteger(m.code, `${path}.model.code`, L.MODEL_GBM, L.MODEL_LOCAL_VOL);
  const codeKind = ['gbm', 'heston', 'heston', 'merton', 'bates', 'multiGbm', 'localVol'][code];
  if (codeKind !== kind) throw new InputError(`${path}.model.code`, code, `the code of model '${kind}'`);
  const dps = drawsPerStep(code, assets);
  same(j.drawsPerStep, dps, `${path}.drawsPerStep`, 'the draws per step of the model');
  same(j.dims, steps * dps, `${path}.dims`, 'steps x drawsPerStep');
  if (rng === 'sobol' && steps * dps > SOBOL_MAX_DIMENSIONS) throw new InputError(`${path}.dims`, j.dims, `at most ${SOBOL_MAX_DIMENSIONS} Sobol dimensions`);
  const p = requireRecord(j.payoff, `${path}.payoff`);
  if (typeof p.kind !== 'string') throw new InputError(`${path}.payoff.kind`, p.kind, 'a payoff kind');

  // [surface] localVol: the block is followed by its nT x nK grid.
  const lv = kind === 'localVol';
  const params = requireNumberArray(j.params, `${path}.params`, L.PARAMS_SIZE, lv ? L.PARAMS_SIZE + MAX_LV_TIMES * MAX_LV_POINTS : L.PARAMS_SIZE);
  for (let i = 0; i < params.length; i++) {
    if (!Number.isFinite(params[i])) throw new InputError(`${path}.params[${i}]`, params[i], 'a finite number');
  }
  same(params[L.P_MODEL], code, `${path}.params[${L.P_MODEL}]`, 'job.model.code');
  same(params[L.P_EXPIRY], expiry, `${path}.params[${L.P_EXPIRY}]`, 'job.expiry');
  same(params[L.P_ASSETS], assets, `${path}.params[${L.P_ASSETS}]`, 'job.model.assets');
  if (lv) {
    const nT = requireInteger(params[L.P_LV_TIMES], `${path}.params[${L.P_LV_TIMES}]`, 2, MAX_LV_TIMES);
    const nK = requireInteger(params[L.P_LV_POINTS], `${path}.params[${L.P_LV_POINTS}]`, 2, MAX_LV_POINTS);
    same(params.length, L.PARAMS_SIZE + nT * nK, `${path}.params.length`, `${L.PARAMS_SIZE} + the local-vol grid's times x points`);
    if (!(params[L.P_LV_DK]! > 0)) throw new InputError(`${path}.params[${L.P_LV_DK}]`, params[L.P_LV_DK], 'a grid spacing > 0');
  }
  requireInteger(params[L.P_PAYOFF], `${path}.params[${L.P_PAYOFF}]`, L.PAYOFF_NONE, L.PAYOFF_WORST_OF);
  requireInteger(params[L.P_ASSET_LONG], `${path}.params[${L.P_ASSET_LONG}]`, 0, Math.max(assets - 1, 1));
  requireInteger(params[L.P_ASSET_SHORT], `${path}.params[${L.P_ASSET_SHORT}]`, 0, Math.max(assets - 1, 1));
  const lambda = params[L.P_JUMP_INTENSITY]!;
  if (!(lambda >= 0 && lambda * (expiry / steps) <= MAX_JUMPS_PER_STEP)) {
    throw new InputError(`${path}.params[${L.P_JUMP_INTENSITY}]`, lambda, `a jump intensity >= 0 with lambda x dt <= ${MAX_JUMPS_PER_STEP}`);
  }
  const blockLength = kind === 'multiGbm' ? L.MA_FACTOR * assets + assets * assets : 0;
  const block = requireNumberArray(j.assetBlock, `${path}.assetBlock`, blockLength, blockLength);
  for (let i = 0; i < blockLength; i++) {
    if (!Number.isFinite(block[i])) throw new InputError(`${path}.assetBlock[${i}]`, block[i], 'a finite number');
  }
  if (kind === 'multiGbm') {
    const multi = requireRecord(m.multi, `${path}.model.multi`);
    const c = requireRecord(multi.correlation, `${path}.model.multi.correlation`);
    requireNumberArray(c.matrix, `${path}.model.multi.correlation.matrix`, assets * assets, assets * assets);
    bool(c.repaired, `${path}.model.multi.correlation.repaired`);
  }
  checkedJobs.add(j);
  return j as unknown as MonteCarloJob;
}

/** @throws InputError unless `ctx` is an engine (or an engine context with its arena and kernels). */
function checkContext(ctx: unknown): EngineContext {
  const c = requireRecord(ctx, 'engine');
  const k = c.kernels as Partial<EngineContext['kernels']> | null;
  if (!(c.arena instanceof MemoryArena) || k === null || typeof k !== 'object' || typeof k.mcShard !== 'function') {
    throw new InputError('engine', ctx, 'an Engine (from createEngine)');
  }
  return c as unknown as EngineContext;
}

/**
 * The path (or Sobol point) range of shard `s`: replication, first index and count within it.
 * @throws InputError for a malformed job or unless `s` is a shard index of the job.
 */
export function shardRange(job: MonteCarloJob, s: number): { replication: number; start: number; count: number } {
  checkMonteCarloJob(job);
  if (!Number.isInteger(s) || s < 0 || s >= job.shardCount) throw new InputError('shardIndex', s, `an integer in [0, ${job.shardCount - 1}]`);
  const replication = Math.floor(s / job.shardsPerReplication);
  const b = s - replication * job.shardsPerReplication;
  const start = b * job.shardSize;
  const count = Math.min(job.shardSize, job.pointsPerReplication - start);
  return { replication, start, count };
}

/**
 * Run shard `shardIndex` of `job` on an engine and return its accumulator vector
 * (Float64Array of {@link ACCUMULATOR_SIZE}). Pure function of (job, shardIndex) and the backend.
 * @throws InputError for a bad engine, job (see `checkMonteCarloJob`) or shard index;
 *   KernelError if the kernel rejects the call (a bug).
 */
export function monteCarloShard(ctx: EngineContext, job: MonteCarloJob, shardIndex: number): Float64Array {
  const k = checkContext(ctx).kernels;
  const { replication, start, count } = shardRange(job, shardIndex);
  const arena = ctx.arena;
  arena.reset();
  // multiGbm: the asset block and the kernel's scratch (allocated first, written after the other allocations).
  const n = job.model.assets;
  const multi = job.model.kind === 'multiGbm';
  const multiBytes = multi ? (job.assetBlock.length + L.MA_SCRATCH_PER_ASSET * n + n * n) * 8 + 32 : 0;
  let pAssets = 0;
  let pScratch = 0;
  const allocMulti = (): void => {
    if (!multi) return;
    pAssets = arena.alloc(job.assetBlock.length * 8);
    pScratch = arena.alloc((L.MA_SCRATCH_PER_ASSET * n + n * n) * 8);
  };
  const writeMulti = (): void => {
    if (multi) arena.views.f64.set(job.assetBlock, pAssets >>> 3);
  };
  const shard = (from: number, paths: number, mode: number, pDraws: number, pBridge: number, pParams: number, pAcc: number): void => {
    const rc = multi
      ? k.mcMultiAssetShard(from, paths, job.steps, n, job.seedLo, job.seedHi, job.stream, pParams, pAssets, mode, pDraws, pAcc, 0, pBridge, pScratch)
      : k.mcShard(from, paths, job.steps, job.seedLo, job.seedHi, job.stream, pParams, mode, pDraws, pAcc, 0, pBridge);
    if (rc !== 0) throw new KernelError(multi ? 'mcMultiAssetShard' : 'mcShard', rc);
  };
  if (job.rng === 'philox') {
    reserveAligned(ctx, job.params.length * 8 + L.ACC_SIZE * 8 + multiBytes + 64);
    const pParams = arena.alloc(job.params.length * 8);
    const pAcc = arena.alloc(L.ACC_SIZE * 8);
    allocMulti();
    const f64 = arena.views.f64;
    f64.set(job.params, pParams >>> 3);
    f64.fill(0, pAcc >>> 3, (pAcc >>> 3) + L.ACC_SIZE);
    writeMulti();
    shard(start, count, L.DRAWS_PHILOX, 0, 0, pParams, pAcc);
    return arena.views.f64.slice(pAcc >>> 3, (pAcc >>> 3) + L.ACC_SIZE);
  }
  // Sobol: points [start, start + count) of the replication, scrambled by its own Philox words;
  // with the bridge, each draw slot's normals go through the Brownian bridge (inside mcShard).
  const dims = job.dims;
  const steps = job.steps;
  const table = sobolDirectionTable(dims);
  const pairs = job.antithetic ? 2 : 1;
  const rowsPerCall = Math.max(1, Math.floor(QMC_BLOCK_BYTES / (dims * 8)));
  const bufRows = Math.min(rowsPerCall, Math.ceil(count / pairs));
  reserveAligned(ctx, job.params.length * 8 + L.ACC_SIZE * 8 + multiBytes + table.length * 4 + dims * 132 + bufRows * dims * 8 + steps * 72 + 256);
  const pParams = arena.alloc(job.params.length * 8);
  const pAcc = arena.alloc(L.ACC_SIZE * 8);
  allocMulti();
  const pTable = arena.alloc(Math.max(4, table.length * 4));
  const pDirs = arena.alloc(dims * 128);
  const pScr = arena.alloc(dims * 4);
  const pBuf = arena.alloc(bufRows * dims * 8);
  const pTimes = arena.alloc(steps * 8);
  const pBridge = arena.alloc(steps * 64);
  const v = arena.views;
  v.f64.set(job.params, pParams >>> 3);
  v.f64.fill(0, pAcc >>> 3, (pAcc >>> 3) + L.ACC_SIZE);
  writeMulti();
  v.u32.set(table, pTable >>> 2);
  const dt = job.expiry / steps;
  for (let i = 0; i < steps; i++) v.f64[(pTimes >>> 3) + i] = (i + 1) * dt;
  let rc = k.sobolInitDirections(dims, pTable, table.length, pDirs);
  if (rc !== 0) throw new KernelError('sobolInitDirections', rc);
  rc = k.philoxUint32Batch(dims, job.seedLo, job.seedHi, (job.stream ^ QMC_SCRAMBLE_STREAM_BIT) >>> 0, replication, 0, pScr);
  if (rc !== 0) throw new KernelError('philoxUint32Batch', rc);
  if (job.bridge) {
    rc = k.brownianBridgeInit(steps, pTimes, pBridge);
    if (rc !== 0) throw new KernelError('brownianBridgeInit', rc);
  }
  const scramble = job.scramble === 'owen' ? 2 : 1;
  const mode = job.bridge ? L.DRAWS_SOBOL_BRIDGE : L.DRAWS_UNIFORM_BUFFER;
  for (let done = 0; done < count;) {
    const paths = Math.min(bufRows * pairs, count - done);
    const rows = paths / pairs;
    rc = k.sobolPoints(rows, dims, (start + done) / pairs, pDirs, scramble, pScr, pBuf);
    if (rc !== 0) throw new KernelError('sobolPoints', rc);
    shard(start + done, paths, mode, pBuf, job.bridge ? pBridge : 0, pParams, pAcc);
    done += paths;
  }
  return arena.views.f64.slice(pAcc >>> 3, (pAcc >>> 3) + L.ACC_SIZE);
}

function addInto(total: Float64Array, a: ArrayLike<number>): void {
  for (let i = 0; i < L.ACC_SIZE; i++) total[i] += a[i]!;
}

interface Moments {
  n: number;
  mean: number;
  variance: number;
}

/** Sample mean and unbiased variance from a count, a sum and a sum of squares. */
function moments(n: number, sum: number, sumSq: number): Moments {
  const mean = sum / n;
  const variance = n > 1 ? Math.max(sumSq - n * mean * mean, 0) / (n - 1) : NaN;
  return { n, mean, variance };
}

function meanAndStdErr(values: number[]): { value: number; stdErr: number } {
  const n = values.length;
  let s = 0;
  for (const x of values) s += x;
  const mean = s / n;
  let ss = 0;
  for (const x of values) ss += (x - mean) * (x - mean);
  return { value: mean, stdErr: Math.sqrt(ss / (n - 1) / n) };
}

/**
 * Folds shard accumulators into replication totals in shard order, whatever order they arrive
 * in (out-of-order shards wait in a buffer until their turn), so the sums are bit-identical for
 * any schedule. Memory: one accumulator per replication plus the shards waiting for their turn.
 */
export class ShardMerger {
  readonly job: MonteCarloJob;
  private readonly reps: Float64Array[];
  private readonly waiting = new Map<number, Float64Array>();
  private next = 0;

  /**
   * A merger for `job`'s shards (see {@link ShardMerger.add}).
   * @throws InputError for a malformed job (see `checkMonteCarloJob`).
   */
  constructor(job: MonteCarloJob) {
    this.job = checkMonteCarloJob(job);
    this.reps = Array.from({ length: job.replications }, () => new Float64Array(L.ACC_SIZE));
  }

  /** Shards folded so far (all shards before this index). */
  get shardsMerged(): number {
    return this.next;
  }

  /** Add shard `index`'s accumulator (each index once). @throws InputError for a bad index, length or repeat. */
  add(index: number, acc: ArrayLike<number>): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.job.shardCount || index < this.next || this.waiting.has(index)) {
      throw new InputError('shardIndex', index, `a shard index in [0, ${this.job.shardCount - 1}] not merged yet`);
    }
    if (acc === null || typeof acc !== 'object' || acc.length !== L.ACC_SIZE) throw new InputError(`shards[${index}]`, acc, `an accumulator of length ${L.ACC_SIZE}`);
    requireNumberArray(acc, `shards[${index}]`, L.ACC_SIZE, L.ACC_SIZE);
    this.waiting.set(index, Float64Array.from(acc));
    for (let a = this.waiting.get(this.next); a !== undefined; a = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      addInto(this.reps[Math.floor(this.next / this.job.shardsPerReplication)]!, a);
      this.next++;
    }
  }

  /** The result once every shard is in. @throws InputError if shards are missing. */
  result(elapsedMs = 0): MonteCarloResult {
    requireNumber(elapsedMs, 'elapsedMs');
    if (this.next !== this.job.shardCount) {
      throw new InputError('shards', this.next, `all ${this.job.shardCount} shard accumulators (have ${this.next} in order)`);
    }
    return assemble(this.job, this.reps, elapsedMs);
  }
}

/**
 * Merge the shard accumulators (indexed by shard, added in shard order) into a result.
 *
 * Pseudo-random: mean and unbiased variance of the samples (paths or antithetic pairs); with a
 * control variate, beta = cov(Y, X) / var(X) from the same sums and price = mean(Y) - beta
 * (mean(X) - E[X]) (beta's estimation adds an O(1/n) bias, negligible at these sizes), stdErr =
 * sqrt(var(Y)(1 - corr^2)(n - 1)/(n - 2) / n). Sobol: each replication gives an estimate (with
 * the pooled beta), and stdErr is their standard deviation over sqrt(replications).
 * @throws InputError unless there is one accumulator of ACCUMULATOR_SIZE per shard.
 */
export function mergeShards(job: MonteCarloJob, shards: readonly ArrayLike<number>[], elapsedMs = 0): MonteCarloResult {
  checkMonteCarloJob(job);
  requireNumber(elapsedMs, 'elapsedMs');
  if (!Array.isArray(shards) || shards.length !== job.shardCount) {
    throw new InputError('shards', shards, `an array of ${job.shardCount} shard accumulators`);
  }
  const m = new ShardMerger(job);
  shards.forEach((a, i) => m.add(i, a));
  return m.result(elapsedMs);
}

function assemble(job: MonteCarloJob, reps: Float64Array[], elapsedMs: number): MonteCarloResult {
  const total = new Float64Array(L.ACC_SIZE);
  for (const t of reps) addInto(total, t);

  const n = total[L.A_SAMPLES]!;
  const y = moments(n, total[L.A_SUM_Y]!, total[L.A_SUM_YY]!);
  const useCv = job.controlVariate !== 'none';
  let beta = 0;
  let cvDetails: MonteCarloDetails['controlVariate'];
  let resVar = y.variance;
  if (useCv) {
    const x = moments(n, total[L.A_SUM_X]!, total[L.A_SUM_XX]!);
    const cov = (total[L.A_SUM_XY]! - n * x.mean * y.mean) / (n - 1);
    beta = x.variance > 0 ? cov / x.variance : 0;
    const corr = x.variance > 0 && y.variance > 0 ? cov / Math.sqrt(x.variance * y.variance) : 0;
    resVar = Math.max(y.variance - beta * cov, 0) * (n > 2 ? (n - 1) / (n - 2) : 1);
    cvDetails = {
      kind: job.controlVariate as 'underlying' | 'geometricAsian' | 'geometricBasket', mean: job.controlMean, sampleMean: x.mean, beta,
      correlation: corr, varianceReductionFactor: resVar > 0 ? y.variance / resVar : Infinity,
    };
  }
  const cvAdjust = (acc: Float64Array): number => {
    const m = acc[L.A_SAMPLES]!;
    const my = acc[L.A_SUM_Y]! / m;
    return useCv ? my - beta * (acc[L.A_SUM_X]! / m - job.controlMean) : my;
  };

  let price: number;
  let stdErr: number;
  let samples: number;
  const greeks: { delta?: GreekEstimate; vega?: GreekEstimate } = {};
  const method = job.greekMethod;
  if (job.rng === 'sobol') {
    const est = meanAndStdErr(reps.map(cvAdjust));
    price = est.value;
    stdErr = est.stdErr;
    samples = job.replications;
    if (job.delta) greeks.delta = { ...meanAndStdErr(reps.map((a) => a[L.A_SUM_D]! / a[L.A_SAMPLES]!)), method };
    if (job.vega) greeks.vega = { ...meanAndStdErr(reps.map((a) => a[L.A_SUM_V]! / a[L.A_SAMPLES]!)), method };
  } else {
    price = cvAdjust(total);
    stdErr = Math.sqrt(resVar / n);
    samples = n;
    const g = (s: number, ss: number): { value: number; stdErr: number } => {
      const m = moments(n, total[s]!, total[ss]!);
      return { value: m.mean, stdErr: Math.sqrt(m.variance / n) };
    };
    if (job.delta) greeks.delta = { ...g(L.A_SUM_D, L.A_SUM_DD), method };
    if (job.vega) greeks.vega = { ...g(L.A_SUM_V, L.A_SUM_VV), method };
  }

  // Plain Monte Carlo on the same number of paths, from per-path moments under P.
  const np = total[L.A_PATHS]!;
  const m1 = total[L.A_PATH_Y]! / np;
  const plainVar = Math.max(total[L.A_PATH_YY]! / np - m1 * m1, 0) * (np / (np - 1));
  const plainStdErr = Math.sqrt(plainVar / np);
  const vr = (a: number, b: number): number => (b > 0 ? a / b : a > 0 ? Infinity : 1);

  const details: MonteCarloDetails = {
    model: job.model.kind, payoff: job.payoff.kind, rng: job.rng, seed: job.seed, stream: job.stream,
    steps: job.steps, dt: job.expiry / job.steps, shardSize: job.shardSize, shards: job.shardCount,
    workers: job.workers, workersUsed: 1, antithetic: job.antithetic, samples,
    plainStdErr, varianceReductionFactor: vr(plainStdErr * plainStdErr, stdErr * stdErr),
    scheme: schemeText(job),
  };
  if (job.rng === 'sobol') {
    details.replications = job.replications;
    details.pointsPerReplication = job.pointsPerReplication;
    details.scramble = job.scramble;
    details.brownianBridge = job.bridge;
  }
  if (cvDetails) details.controlVariate = cvDetails;
  if (job.importanceSampling) {
    const sw = total[L.A_SUM_W]!;
    const ess = (sw * sw) / total[L.A_SUM_WW]!;
    details.importanceSampling = {
      shift: job.isShift, effectiveSampleSize: ess, effectiveSampleFraction: ess / np,
      varianceReductionFactor: vr(plainVar / np, y.variance / n),
    };
  }
  if (job.payoff.kind === 'barrier') details.barrier = { knockProbability: total[L.A_SUM_KNOCK]! / np };
  const mm = job.model.multi;
  if (mm) {
    const n = job.model.assets;
    const c = mm.correlation;
    details.assets = n;
    details.correlationRepaired = c.repaired;
    details.correlation = {
      matrix: Array.from({ length: n }, (_, i) => c.matrix.slice(i * n, i * n + n)), rank: c.rank,
      smallestEigenvalue: c.smallestEigenvalue, repaired: c.repaired, frobeniusDistance: c.frobeniusDistance, iterations: c.iterations,
    };
  }
  const lvg = job.model.localVol;
  if (lvg) {
    details.localVol = {
      times: lvg.times, points: lvg.points, kMin: lvg.kMin, kMax: lvg.kMin + (lvg.points - 1) * lvg.dk,
      minLocalVol: lvg.minLocalVol, maxLocalVol: lvg.maxLocalVol, forwardMismatch: lvg.forwardMismatch,
    };
  }
  const result: MonteCarloResult = {
    price, stdErr, ci95: [price - Z_95 * stdErr, price + Z_95 * stdErr], paths: np, elapsedMs, details,
  };
  if (job.delta || job.vega) result.greeks = greeks;
  return result;
}

function schemeText(job: MonteCarloJob): string {
  const m = job.model;
  if (m.kind === 'multiGbm') {
    return `correlated multi-asset GBM (${m.assets} assets), exact log-normal steps through the pivot-free Cholesky factor of the correlation matrix` +
      (m.multi!.correlation.repaired ? ' (repaired to the nearest correlation matrix, Higham 2002)' : '') + '; payoff on the assets at expiry';
  }
  const base = m.kind === 'localVol'
    ? `local vol (Dupire, from the surface), log-Euler in ln S with sigma at each step's midpoint time and starting k = ln(S / F(t)) (martingale exactly; discretisation bias O(dt), not in stdErr), sigma bilinear on a ${m.localVol?.times} x ${m.localVol?.points} (time x k) grid, flat beyond k in [${m.localVol?.kMin}, ${m.localVol ? m.localVol.kMin + (m.localVol.points - 1) * m.localVol.dk : NaN}]`
    : m.kind === 'gbm' ? 'GBM, exact log-normal steps'
    : m.kind === 'merton' ? 'Merton, exact diffusion step plus compound-Poisson lognormal jumps per step'
    : m.scheme === 'euler' ? `${m.kind === 'bates' ? 'Bates' : 'Heston'}, full-truncation Euler (discretisation bias O(dt))`
    : `${m.kind === 'bates' ? 'Bates: ' : ''}Heston, Andersen QE (psi_c = 1.5) with martingale correction (small discretisation bias; not in stdErr)${m.kind === 'bates' ? ' plus compound-Poisson lognormal jumps per step' : ''}`;
  const p = job.payoff;
  const mon = p.kind === 'barrier'
    ? p.monitoring === 'continuous' ? '; barrier monitored continuously via the Brownian-bridge crossing probability per step' : '; barrier monitored at the step dates'
    : p.kind === 'asian' ? '; average over the step dates t_1..t_n' : '';
  return base + mon;
}

/**
 * The Monte Carlo shard task of the worker pool: job = createMonteCarloJob(args), shards
 * [0, job.shardCount), merged by ShardMerger. Registered when this module loads; the worker
 * script registers it in each worker.
 */
export const monteCarloShardTasks = { monteCarlo: monteCarloShard } as const;
registerShardTasks(monteCarloShardTasks);
