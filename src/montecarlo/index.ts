/** Monte Carlo pricing: public surface (re-exported from src/index.ts). */
export { monteCarlo, simulatePaths } from './monte-carlo.js';
export { monteCarloShard, mergeShards, ShardMerger, shardRange, ACCUMULATOR_SIZE } from './shards.js';
export {
  createMonteCarloJob, defaultImportanceShift, SIMULATE_PATHS_MAX_BYTES,
  MAX_STEPS, MAX_PATHS, MAX_REPLICATIONS, MAX_SHARD_SIZE, MAX_WORKERS, MONTE_CARLO_KEYS, SIMULATE_PATHS_KEYS,
  MONTE_CARLO_DOMAIN,
  type MonteCarloJob, type ModelSpec, type PayoffSpec, type MultiAssetSpec,
} from './job.js';
export { AbortedError } from './errors.js';
export {
  bsmPrice, bsmDigitalPrice, geometricAsianPrice, barrierPrice, mertonPrice, margrabePrice, geometricBasketPrice, type BarrierPriceArgs,
} from './closed-forms.js';
export {
  nearestCorrelationMatrix, choleskySemidefinite, symmetricEigen, checkCorrelationMatrix, CORRELATION_SYMMETRY_TOLERANCE, MAX_MATRIX_SIZE,
  type NearestCorrelationOptions, type NearestCorrelationResult, type CholeskyResult, type SymmetricEigen, type PreparedCorrelation,
} from './correlation.js';
export type * from './types.js';
// [surface] The local-vol grid of a job (ModelSpec.localVol) and its limits.
export {
  DEFAULT_LV_TIMES, MAX_LV_TIMES, DEFAULT_LV_POINTS, MAX_LV_POINTS, DEFAULT_LV_WIDTH, MAX_LV_WIDTH, MIN_LV_HALF_WIDTH, type LocalVolGrid,
} from './local-vol-grid.js';
