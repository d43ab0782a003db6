/**
 * The `'hedgeSimulate'` shard task: shard k runs paths [k shardSize, (k + 1) shardSize) of a
 * {@link HedgingJob} through one hedgeShard call (each path hedged once per rebalancing interval) and writes one
 * block, [runs][3][shardSize] doubles (P&L, cost, trades per path). A path's outputs depend only on
 * (job, path index), never on the shard it falls in or the thread that runs it, so any worker
 * count gives the same arrays bit for bit.
 */
import type { EngineContext } from '../context.js';
import { InputError, KernelError } from '../errors.js';
import { requireInteger, requireRecord } from '../arguments.js';
import { MemoryArena } from '../memory-arena.js';
import { registerShardTasks } from '../parallel/shard-tasks.js';
import * as H from '../kernels/hedging/layout.js';
import type { HedgingJob } from './hedging-job.js';

/** Doubles of one shard's block. */
export function hedgingBlockLength(job: Pick<HedgingJob, 'every' | 'shardSize'>): number {
  return job.every.length * 3 * job.shardSize;
}

const checkedJobs = new WeakSet<object>();

/** The fields a shard reads, checked once per job object (jobs may arrive cloned from another thread). */
function checkJob(value: unknown): HedgingJob {
  const j = requireRecord(value, 'job');
  if (checkedJobs.has(j)) return j as unknown as HedgingJob;
  const steps = requireInteger(j.steps, 'job.steps', 1, 100_000);
  const paths = requireInteger(j.paths, 'job.paths', 2, 2 ** 32);
  const shardSize = requireInteger(j.shardSize, 'job.shardSize', 2, 2 ** 20);
  requireInteger(j.shardCount, 'job.shardCount', Math.ceil(paths / shardSize), Math.ceil(paths / shardSize));
  const n = requireInteger(j.nOptions, 'job.nOptions', 1, 1000);
  requireInteger(j.seedLo, 'job.seedLo', 0, 0xffffffff);
  requireInteger(j.seedHi, 'job.seedHi', 0, 0xffffffff);
  requireInteger(j.stream, 'job.stream', 0, 0x7fffffff);
  if (!Array.isArray(j.every) || j.every.length < 1) throw new InputError('job.every', j.every, 'a non-empty array of intervals');
  if (!(j.options instanceof Float64Array) || j.options.length !== n * H.OPT_COLUMNS) throw new InputError('job.options', j.options, `a Float64Array of ${n * H.OPT_COLUMNS}`);
  // [hedging] Local vol: the grid follows the block (H_LV_GRID).
  const grid = j.params instanceof Float64Array && j.params.length > H.H_LV_GRID ? j.params[H.H_LV_TIMES]! * j.params[H.H_LV_POINTS]! : 0;
  if (!(j.params instanceof Float64Array) || j.params.length !== H.H_PARAMS_SIZE + grid) throw new InputError('job.params', j.params, `a Float64Array of ${H.H_PARAMS_SIZE} (plus the local-vol grid)`);
  j.every.forEach((e: unknown, r: number) => requireInteger(e, `job.every[${r}]`, 1, steps));
  if ((steps + 1) * (5 * n + H.HEDGE_SCRATCH_PER_STEP) > 2 ** 22) throw new InputError('job.steps', steps, 'a kernel scratch of at most 2^22 doubles');
  checkedJobs.add(j);
  return j as unknown as HedgingJob;
}

/** @throws InputError unless `ctx` is an engine (or an engine context with its arena and kernels). */
function checkContext(ctx: unknown): EngineContext {
  const c = requireRecord(ctx, 'engine');
  const k = c.kernels as Partial<EngineContext['kernels']> | null;
  if (!(c.arena instanceof MemoryArena) || k === null || typeof k !== 'object' || typeof k.hedgeShard !== 'function') {
    throw new InputError('engine', ctx, 'an Engine (from createEngine)');
  }
  return c as unknown as EngineContext;
}

/**
 * Run shard `shardIndex` of `job` into its block (`out`, or a new array): for each run r,
 * P&L at [r][0][i], cost at [r][1][i], trades at [r][2][i] for path k shardSize + i.
 * @throws InputError for a malformed engine, job or shard index; KernelError if the kernel rejects the call (a bug).
 */
export function hedgingShard(ctx: EngineContext, job: HedgingJob, shardIndex: number, out?: Float64Array): Float64Array {
  const k = checkContext(ctx).kernels;
  const j = checkJob(job);
  if (!Number.isInteger(shardIndex) || shardIndex < 0 || shardIndex >= j.shardCount) throw new InputError('shardIndex', shardIndex, `an integer in [0, ${j.shardCount - 1}]`);
  const S = j.shardSize;
  const first = shardIndex * S;
  const count = Math.min(S, j.paths - first);
  const len = hedgingBlockLength(j);
  const block = out ?? new Float64Array(len);
  if (block.length < len) throw new InputError('out', block, `a block of ${len} doubles`);
  const arena = ctx.arena;
  const n = j.nOptions;
  const scratch = (j.steps + 1) * (5 * n + H.HEDGE_SCRATCH_PER_STEP);
  const runs = j.every.length;
  arena.reset();
  // Rounded up to 16 bytes: the JS backing grows to exactly the reserved length.
  arena.reserve(Math.ceil(((j.params.length + n * H.OPT_COLUMNS + runs + scratch + 3 * runs * count) * 8 + 160) / 16) * 16);
  const pParams = arena.alloc(j.params.length * 8);
  const pOptions = arena.alloc(n * H.OPT_COLUMNS * 8);
  const pEvery = arena.alloc(runs * 8);
  const pScratch = arena.alloc(scratch * 8);
  const pPnl = arena.alloc(runs * count * 8);
  const pCost = arena.alloc(runs * count * 8);
  const pTrades = arena.alloc(runs * count * 8);
  const f64 = arena.views.f64;
  f64.set(j.params, pParams >>> 3);
  f64.set(j.options, pOptions >>> 3);
  f64.set(j.every, pEvery >>> 3);
  // One kernel call for every interval: each path is made once and hedged once per interval.
  const rc = k.hedgeShard(first, count, j.steps, j.seedLo, j.seedHi, j.stream, pParams, n, pOptions, runs, pEvery, pScratch, pPnl, pCost, pTrades);
  if (rc !== 0) throw new KernelError('hedgeShard', rc);
  const v = arena.views.f64;
  for (let r = 0; r < runs; r++) {
    const base = r * 3 * S;
    const at = r * count;
    block.set(v.subarray((pPnl >>> 3) + at, (pPnl >>> 3) + at + count), base);
    block.set(v.subarray((pCost >>> 3) + at, (pCost >>> 3) + at + count), base + S);
    block.set(v.subarray((pTrades >>> 3) + at, (pTrades >>> 3) + at + count), base + 2 * S);
  }
  return block;
}

/** The hedging domain's shard tasks (registered here and by the worker script). */
export const hedgingShardTasks = { hedgeSimulate: hedgingShard } as const;
registerShardTasks(hedgingShardTasks);
