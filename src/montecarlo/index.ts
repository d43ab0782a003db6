/** Monte Carlo pricing: public surface (re-exported from src/index.ts). */
export { monteCarlo, monteCarloSync, simulatePaths } from './monte-carlo.js';
export { monteCarloShard, mergeShards, ShardMerger, shardRange, ACCUMULATOR_SIZE } from './shards.js';
export {
  createMonteCarloJob, defaultImportanceShift, DEFAULT_SHARD_SIZE, DEFAULT_REPLICATIONS, SIMULATE_PATHS_MAX_BYTES,
  MAX_ASSETS, MAX_STEPS, MAX_PATHS, MAX_SOBOL_POINTS, MAX_REPLICATIONS, MAX_SHARD_SIZE, MAX_WORKERS, MONTE_CARLO_KEYS, SIMULATE_PATHS_KEYS,
  MONTE_CARLO_DOMAIN, MAX_IMPORTANCE_SHIFT,
  type MonteCarloJob, type ModelSpec, type PayoffSpec, type MultiAssetSpec,
} from './job.js';
export { AbortedError } from './errors.js';
export {
  bsmPrice, bsmDigitalPrice, geometricAsianPrice, barrierPrice, mertonPrice, margrabePrice, geometricBasketPrice, type BarrierPriceArgs,
} from './closed-forms.js';
export {
  nearestCorrelationMatrix, choleskySemidefinite, symmetricEigen, checkCorrelationMatrix, CORRELATION_SYMMETRY_TOLERANCE, PIVOT_TOLERANCE, MAX_MATRIX_SIZE, MAX_NEAREST_ITERATIONS,
  type NearestCorrelationOptions, type NearestCorrelationResult, type CholeskyResult, type SymmetricEigen, type PreparedCorrelation,
} from './correlation.js';
export type * from './types.js';
