/**
 * Full revaluation on the worker pool: the `'portfolioRevalue'` shard task and the driver behind
 * `engine.revaluePortfolio({ ..., workers })`.
 *
 * Shard k revalues scenarios [k shardSize, (k + 1) shardSize) and writes one block: total P&L
 * (shardSize doubles), then each account's P&L (accounts x shardSize), then per-position P&L
 * (positions x shardSize, with `positionPnl`). Scenarios are independent and each is revalued by
 * the same kernel arithmetic whatever chunk it falls in, so the result is bit-identical to
 * `revaluePortfolio` in one thread for any worker count. The portfolio is packed once in the
 * calling thread; the scenario matrices go to the workers on shared memory where available.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { requireInteger, requireRecord } from '../arguments.js';
import { AbortedError } from '../parallel/errors.js';
import { allocateOutput, runShardsInto } from '../parallel/run-shards.js';
import { registerShardTasks } from '../parallel/shard-tasks.js';
import { checkBatchParallel, sharedMemory, type BatchParallelOptions } from '../pricing/batch-shards.js';
import * as L from '../kernels/risk/layout.js';
import {
  planRevaluation, REVALUE_POOL_KEYS, revaluationOutputs, revaluationResult, revalueRange, type RevaluationPlan, type RevaluationResult, type RevaluePortfolioArgs,
} from './portfolio.js';

/**
 * Below this many position-scenario revaluations a call with `workers` runs in this thread (same
 * result, as a resolved Promise): a worker's messages cost about as much as this much work.
 */
export const REVALUE_IN_THREAD_BELOW = 65536;

/** Most shards per call (each costs a message round trip). */
const TARGET_SHARDS = 32;

/** Job of the `'portfolioRevalue'` shard task (structured-cloneable). */
export interface RevaluationJob {
  /** Positions, assets, accounts (0 without accounts), scenarios, scenarios per shard. */
  n: number;
  nF: number;
  nA: number;
  m: number;
  shardSize: number;
  /** The packed portfolio (kernel layout) and its total-view i32 columns. */
  f64: Float64Array;
  i32: Int32Array;
  totalI32: Int32Array;
  spots: Float64Array;
  numeraires: Int32Array;
  /** Row-major [m][nF] log-returns and vol shocks (or null). */
  lr: Float64Array;
  vs: Float64Array | null;
  volMode: number;
  horizon: number;
  positionPnl: boolean;
}

/** Doubles of one shard's block. */
export function revaluationBlockLength(job: Pick<RevaluationJob, 'n' | 'nA' | 'positionPnl'>, shardSize: number): number {
  return shardSize * (1 + job.nA + (job.positionPnl ? job.n : 0));
}

const checkedJobs = new WeakSet<object>();

function planOf(value: unknown): { job: RevaluationJob; plan: RevaluationPlan } {
  const j = requireRecord(value, 'job') as unknown as RevaluationJob;
  if (!checkedJobs.has(j)) {
    const n = requireInteger(j.n, 'job.n', 1, 2 ** 28);
    const nF = requireInteger(j.nF, 'job.nF', 1, 2 ** 20);
    const nA = requireInteger(j.nA, 'job.nA', 0, 2 ** 20);
    const m = requireInteger(j.m, 'job.m', 1, 2 ** 32);
    requireInteger(j.shardSize, 'job.shardSize', 1, 2 ** 32);
    const arrays: [string, unknown, number, typeof Float64Array | typeof Int32Array][] = [
      ['f64', j.f64, L.POS_F64_COLUMNS * n, Float64Array], ['i32', j.i32, L.POS_I32_COLUMNS * n, Int32Array],
      ['totalI32', j.totalI32, L.POS_I32_COLUMNS * n, Int32Array], ['spots', j.spots, nF, Float64Array],
      ['numeraires', j.numeraires, Math.max(nA, 1), Int32Array], ['lr', j.lr, m * nF, Float64Array],
    ];
    if (j.vs !== null) arrays.push(['vs', j.vs, m * nF, Float64Array]);
    for (const [key, a, len, Ctor] of arrays) {
      if (!(a instanceof Ctor) || a.length !== len) throw new InputError(`job.${key}`, a, `a ${Ctor.name} of length ${len}`);
    }
    // Indices the kernel follows: factor and account of every position.
    for (let i = 0; i < n; i++) {
      const f = j.i32[L.COL_FACTOR * n + i]!;
      const acc = j.i32[L.COL_ACCOUNT * n + i]!;
      if (!(f >= 0 && f < nF) || !(acc >= 0 && acc < Math.max(nA, 1)) || j.totalI32[L.COL_ACCOUNT * n + i] !== 0) throw new InputError('job.i32', j.i32, 'positions with factor and account indices in range');
    }
    for (let a = 0; a < j.numeraires.length; a++) {
      const f = j.numeraires[a]!;
      if (!(f === -1 || (f >= 0 && f < nF))) throw new InputError(`job.numeraires[${a}]`, f, `-1 (USD) or a factor index in [0, ${nF})`);
    }
    requireInteger(j.volMode, 'job.volMode', 0, 2);
    if (typeof j.horizon !== 'number' || !(j.horizon >= 0) || !Number.isFinite(j.horizon)) throw new InputError('job.horizon', j.horizon, 'a number >= 0');
    if (typeof j.positionPnl !== 'boolean') throw new InputError('job.positionPnl', j.positionPnl, 'true or false');
    checkedJobs.add(j);
  }
  const packed = { n: j.n, assets: new Array<string>(j.nF), spots: j.spots, f64: j.f64, i32: j.i32, accountNames: new Array<string>(Math.max(j.nA, 1)), numeraires: j.numeraires };
  const plan: RevaluationPlan = {
    packed, lr: j.lr, vs: j.vs ?? undefined, m: j.m, volMode: j.volMode, horizon: j.horizon, wantPos: j.positionPnl, hasAccounts: j.nA > 0, totalI32: j.totalI32,
  };
  return { job: j, plan };
}

/**
 * The `'portfolioRevalue'` task: revalues shard `shardIndex`'s scenarios into its block (`out`, or
 * a new array). See {@link RevaluationJob}.
 * @throws InputError for a malformed job or shard index; KernelError.
 */
export function revaluationShard(engine: EngineContext, job: RevaluationJob, shardIndex: number, out?: Float64Array): Float64Array {
  const { job: j, plan } = planOf(job);
  const S = j.shardSize;
  const first = shardIndex * S;
  if (!Number.isInteger(shardIndex) || shardIndex < 0 || first >= j.m) throw new InputError('shardIndex', shardIndex, `an integer in [0, ${Math.ceil(j.m / S) - 1}]`);
  const count = Math.min(S, j.m - first);
  const len = revaluationBlockLength(j, S);
  const block = out ?? new Float64Array(len);
  if (block.length < len) throw new InputError('out', block, `a block of ${len} doubles`);
  const accounts = j.nA > 0 ? Array.from({ length: j.nA }, (_, a) => block.subarray((1 + a) * S, (1 + a) * S + count)) : undefined;
  const posPnl = j.positionPnl ? block.subarray((1 + j.nA) * S, (1 + j.nA + j.n) * S) : undefined;
  revalueRange(engine, plan, first, count, block.subarray(0, count), accounts, posPnl, S);
  return block;
}

/** The risk domain's shard tasks (registered here and by the worker script). */
export const revaluationShardTasks = { portfolioRevalue: revaluationShard } as const;
registerShardTasks(revaluationShardTasks);


function shareable(a: Float64Array): Float64Array {
  if (!sharedMemory() || a.buffer instanceof SharedArrayBuffer) return a;
  const s = new Float64Array(new SharedArrayBuffer(a.length * 8));
  s.set(a);
  return s;
}

/**
 * `revaluePortfolio` with `workers`: the scenarios split over the worker pool, the result
 * identical bit for bit; small jobs (below `REVALUE_IN_THREAD_BELOW` revaluations) and
 * `workers: 1` run in this thread.
 * @throws (rejects) InputError for a malformed call or pool option; AbortedError; WorkerError.
 */
export async function revaluePortfolioOnWorkers(ctx: EngineContext, args: RevaluePortfolioArgs & BatchParallelOptions): Promise<RevaluationResult> {
  const plan = planRevaluation(ctx, args, REVALUE_POOL_KEYS);
  const p = checkBatchParallel(args as unknown as Record<string, unknown>);
  const { pnl, accounts, posPnl } = revaluationOutputs(plan);
  const { m, packed } = plan;
  const n = packed.n;
  if (p.workers === 1 || n * m < REVALUE_IN_THREAD_BELOW) {
    if (p.signal?.aborted) throw new AbortedError(p.signal.reason, 0);
    revalueRange(ctx, plan, 0, m, pnl, accounts, posPnl, m);
    p.onProgress?.(1);
    return revaluationResult(plan, pnl, accounts, posPnl);
  }
  const shardSize = Math.max(Math.ceil(REVALUE_IN_THREAD_BELOW / 8 / n), Math.ceil(m / TARGET_SHARDS));
  const shards = Math.ceil(m / shardSize);
  const nA = accounts ? accounts.length : 0;
  const job: RevaluationJob = {
    n, nF: packed.assets.length, nA, m, shardSize, f64: packed.f64, i32: packed.i32, totalI32: plan.totalI32, spots: packed.spots,
    numeraires: packed.numeraires, lr: shareable(plan.lr), vs: plan.vs ? shareable(plan.vs) : null, volMode: plan.volMode, horizon: plan.horizon,
    positionPnl: plan.wantPos,
  };
  const shardLength = revaluationBlockLength(job, shardSize);
  const output = allocateOutput(shards * shardLength);
  await runShardsInto(ctx, output, {
    task: 'portfolioRevalue', job, shards, shardLength, workers: p.workers, items: n * m,
    signal: p.signal, onProgress: p.onProgress, pool: p.pool, workerUrl: p.workerUrl,
  });
  for (let k = 0; k < shards; k++) {
    const first = k * shardSize;
    const count = Math.min(shardSize, m - first);
    const base = k * shardLength;
    pnl.set(output.subarray(base, base + count), first);
    for (let a = 0; a < nA; a++) accounts![a]!.set(output.subarray(base + (1 + a) * shardSize, base + (1 + a) * shardSize + count), first);
    if (posPnl) {
      const pos = base + (1 + nA) * shardSize;
      for (let i = 0; i < n; i++) posPnl.set(output.subarray(pos + i * shardSize, pos + i * shardSize + count), i * m + first);
    }
  }
  return revaluationResult(plan, pnl, accounts, posPnl);
}
