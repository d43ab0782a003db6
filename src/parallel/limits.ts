/**
 * Limits of the worker pool, in a module of their own (no imports) so that the Monte Carlo job
 * validation can check them without loading the pool.
 */

/**
 * Most shards one `runShards` / `runShardsInto` / `WorkerPool.run` call may have (2^22 =
 * 4,194,304). The pool keeps one result per shard until the run ends (an accumulator, or an empty
 * array in block mode) and each shard costs a message round trip (~0.1 ms), so more shards than
 * this is a malformed job (make the shards bigger), not a big one.
 */
export const MAX_POOL_SHARDS = 2 ** 22;

/**
 * Largest `firstShard + shards`: shard indices are below 2^32, so a task can turn a shard index
 * into a 32-bit Philox counter word.
 */
export const MAX_SHARD_INDEX_END = 2 ** 32;
