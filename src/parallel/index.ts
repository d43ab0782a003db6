/**
 * Parallel runs of the kernels: a deterministic worker pool for Node `worker_threads` and browser
 * Web Workers. See docs/parallel.md.
 */
export {
  runShards, runShardsInto, allocateOutput, sharedPools, closeSharedPools, MAX_OUTPUT_LENGTH, type RunShardsOptions, type RunShardsIntoOptions,
} from './run-shards.js';
export { MAX_POOL_SHARDS } from './limits.js';
export { WorkerPool, createWorkerPool, type WorkerPoolOptions, type PoolRun } from './pool.js';
export { registerShardTask, getShardTask, philoxSumShard, type ShardTask, type PhiloxSumJob } from './shard-tasks.js';
export { monteCarloParallel, type MonteCarloParallelOptions } from './monte-carlo.js';
export { AbortedError, WorkerError, WorkerExit, serializeError, rebuildError, type SerializedError } from './errors.js';
