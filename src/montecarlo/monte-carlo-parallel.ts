/**
 * Monte Carlo on the worker pool: the same job, the same shards and the same shard-order merge as
 * the in-thread driver (`monteCarlo`), so the result is bit-identical for any worker count.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { createMonteCarloJob } from './job.js';
import { ShardMerger } from './shards.js';
import type { MonteCarloArgs, MonteCarloResult } from './types.js';
import type { ParallelOptions } from '../parallel/options.js';
import { runShards } from '../parallel/run-shards.js';
import { now } from '../clock.js';

/**
 * Pool options of {@link monteCarloParallel}: `pool` and `workerUrl` of {@link ParallelOptions}
 * (`workers`, `signal` and `onProgress` are in the Monte Carlo arguments).
 * @deprecated write `Pick<ParallelOptions, 'pool' | 'workerUrl'>`; kept for one release.
 */
export type MonteCarloParallelOptions = Pick<ParallelOptions, 'pool' | 'workerUrl'>;

const OPTION_KEYS = ['pool', 'workerUrl'] as const satisfies readonly (keyof ParallelOptions)[];


/**
 * Price by Monte Carlo with `args.workers` workers (1: in this thread). Shards are handed out
 * dynamically and folded into a {@link ShardMerger} as they arrive (it restores shard order), so
 * the price, standard error and greeks are identical bit for bit to `monteCarlo(engine, args)`;
 * only `details.workersUsed` and `elapsedMs` differ.
 * @throws InputError for malformed arguments (before any work); AbortedError when `args.signal`
 * aborts; WorkerError if a worker cannot start or dies.
 */
export async function monteCarloParallel(engine: EngineContext, args: MonteCarloArgs, options: Pick<ParallelOptions, 'pool' | 'workerUrl'> = {}): Promise<MonteCarloResult> {
  const t0 = now();
  const job = createMonteCarloJob(args, engine);
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an object');
  checkKeys(options, OPTION_KEYS, 'options');
  const merger = new ShardMerger(job);
  const workers = Math.min(job.workers, job.shardCount);
  await runShards(engine, {
    task: 'monteCarlo', job, shards: job.shardCount, workers, signal: args.signal, onProgress: args.onProgress,
    onShard: (index, acc) => merger.add(index, acc), pool: options.pool, workerUrl: options.workerUrl,
  });
  const result = merger.result(now() - t0);
  result.details.workersUsed = workers;
  return result;
}
