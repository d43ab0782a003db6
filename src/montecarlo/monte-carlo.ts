/**
 * Monte Carlo drivers: `monteCarlo` (async: yields to the event loop between shards so an
 * AbortSignal can fire), `monteCarloSync`, and `simulatePaths`. Shards run in this thread, in
 * order; the worker pool will distribute the same shards and merge them the same way.
 */
import type { EngineContext } from '../context.js';
import { KernelError } from '../errors.js';
import * as L from '../kernels/montecarlo/layout.js';
import { AbortedError } from './errors.js';
import { createMonteCarloJob, createSimulatePathsJob, type MonteCarloJob } from './job.js';
import { monteCarloShard, reserveAligned, ShardMerger } from './shards.js';
import type { MonteCarloArgs, MonteCarloResult, SimulatePathsArgs } from './types.js';
import { now } from '../clock.js';
import { runControls } from '../parallel/run-controls.js';

/** Yield to the event loop at most this often (ms of compute between yields). */
const YIELD_EVERY_MS = 15;


function controls(args: MonteCarloArgs | SimulatePathsArgs): { signal?: AbortSignal; onProgress?: (f: number) => void } {
  return runControls(args);
}

/**
 * Price by Monte Carlo, synchronously: every shard in order in this thread. `signal` is checked
 * before each shard (it can only have been aborted beforehand or from `onProgress`).
 * @throws InputError for malformed arguments; AbortedError when the signal is aborted.
 */
export function monteCarloSync(ctx: EngineContext, args: MonteCarloArgs): MonteCarloResult {
  const t0 = now();
  const job = createMonteCarloJob(args, ctx);
  const { signal, onProgress } = controls(args);
  const merger = new ShardMerger(job);
  for (let s = 0; s < job.shardCount; s++) {
    if (signal?.aborted) throw new AbortedError(signal.reason, s);
    merger.add(s, monteCarloShard(ctx, job, s));
    onProgress?.((s + 1) / job.shardCount);
  }
  return merger.result(now() - t0);
}

/**
 * Price by Monte Carlo: see {@link MonteCarloArgs} and {@link MonteCarloResult}. With `workers`
 * > 1 the shards run on the worker pool (src/parallel); otherwise in order in this thread,
 * yielding to the event loop every ~15 ms so `signal` can abort. Either way the shard sums are
 * merged in shard order, so the result does not depend on the worker count.
 * @throws InputError for malformed arguments (before any work); AbortedError when aborted;
 * WorkerError when a worker cannot start.
 */
export async function monteCarlo(ctx: EngineContext, args: MonteCarloArgs): Promise<MonteCarloResult> {
  const t0 = now();
  const job = createMonteCarloJob(args, ctx);
  if (job.workers > 1 && job.shardCount > 1) {
    // Loaded on demand: callers who never use workers never load the pool.
    const { monteCarloParallel } = await import('./monte-carlo-parallel.js');
    return monteCarloParallel(ctx, args);
  }
  const { signal, onProgress } = controls(args);
  return runJob(ctx, job, t0, signal, onProgress);
}

async function runJob(
  ctx: EngineContext, job: MonteCarloJob, t0: number, signal?: AbortSignal, onProgress?: (f: number) => void,
): Promise<MonteCarloResult> {
  const merger = new ShardMerger(job);
  let lastYield = now();
  for (let s = 0; s < job.shardCount; s++) {
    if (now() - lastYield > YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      lastYield = now();
    }
    if (signal?.aborted) throw new AbortedError(signal.reason, s);
    merger.add(s, monteCarloShard(ctx, job, s));
    onProgress?.((s + 1) / job.shardCount);
  }
  return merger.result(now() - t0);
}

/** Bytes of output per simulatePaths kernel call (a chunk: the unit of progress and abort). */
const SIMULATE_CHUNK_BYTES = 1 << 22;

/**
 * Simulate spot paths: a row-major Float64Array [paths][steps + 1] (column 0 is the spot); for
 * multiGbm [paths][steps + 1][assets]. Path i is path firstPath + i of a Philox `monteCarlo` run
 * with the same model, seed, stream, steps and antithetic flag. Refuses (InputError) above 256 MiB
 * of output. Paths are written in chunks of about 4 MiB: `signal` is checked before each chunk and
 * `onProgress` called after each with the fraction of paths written (ending at exactly 1).
 * @throws InputError for malformed arguments or more than 256 MiB of output; AbortedError when
 * `signal` is aborted (before the first chunk, or from `onProgress`); KernelError if the kernel
 * rejects the call (a bug).
 */
export function simulatePaths(ctx: EngineContext, args: SimulatePathsArgs): Float64Array {
  const job = createSimulatePathsJob(args, ctx);
  const { signal, onProgress } = controls(args);
  if (signal?.aborted) throw new AbortedError(signal.reason, 0); // before allocating the output
  const n = job.assets;
  const multi = job.assetBlock.length > 0;
  const row = (job.steps + 1) * n;
  const out = job.out ?? new Float64Array(job.paths * row);
  const k = ctx.kernels;
  const arena = ctx.arena;
  const chunk = Math.max(2, Math.floor(SIMULATE_CHUNK_BYTES / (row * 8)) & ~1);
  const scratch = (L.MA_SCRATCH_PER_ASSET * n + n * n) * 8;
  for (let done = 0, chunks = 0; done < job.paths; chunks++) {
    if (signal?.aborted) throw new AbortedError(signal.reason, chunks);
    const m = Math.min(chunk, job.paths - done);
    arena.reset();
    reserveAligned(ctx, job.params.length * 8 + L.ACC_SIZE * 8 + m * row * 8 + (multi ? job.assetBlock.length * 8 + scratch + 16 : 0) + 64);
    const pParams = arena.alloc(job.params.length * 8);
    const pAcc = arena.alloc(L.ACC_SIZE * 8);
    const pPaths = arena.alloc(m * row * 8);
    const pAssets = multi ? arena.alloc(job.assetBlock.length * 8) : 0;
    const pScratch = multi ? arena.alloc(scratch) : 0;
    const v = arena.views;
    v.f64.set(job.params, pParams >>> 3);
    v.f64.fill(0, pAcc >>> 3, (pAcc >>> 3) + L.ACC_SIZE);
    if (multi) v.f64.set(job.assetBlock, pAssets >>> 3);
    const rc = multi
      ? k.mcMultiAssetShard(job.firstPath + done, m, job.steps, n, job.seedLo, job.seedHi, job.stream, pParams, pAssets, L.DRAWS_PHILOX, 0, pAcc, pPaths, 0, pScratch)
      : k.mcShard(job.firstPath + done, m, job.steps, job.seedLo, job.seedHi, job.stream, pParams, L.DRAWS_PHILOX, 0, pAcc, pPaths, 0);
    if (rc !== 0) throw new KernelError(multi ? 'mcMultiAssetShard' : 'mcShard', rc);
    out.set(arena.views.f64.subarray(pPaths >>> 3, (pPaths >>> 3) + m * row), done * row);
    done += m;
    onProgress?.(done / job.paths);
  }
  return out;
}
