/** Monte Carlo pricing: public surface (re-exported from src/index.ts). */
export { monteCarlo, monteCarloSync, simulatePaths } from './monte-carlo.js';
export { monteCarloShard, mergeShards, ShardMerger, shardRange, ACCUMULATOR_SIZE } from './shards.js';
export {
  createMonteCarloJob, defaultImportanceShift, DEFAULT_SHARD_SIZE, DEFAULT_REPLICATIONS, SIMULATE_PATHS_MAX_BYTES,
  type MonteCarloJob, type ModelSpec, type PayoffSpec,
} from './job.js';
export { AbortedError } from './errors.js';
export { bsmPrice, bsmDigitalPrice, geometricAsianPrice, barrierPrice, mertonPrice, type BarrierPriceArgs } from './closed-forms.js';
export type * from './types.js';
