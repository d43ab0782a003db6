/**
 * `riskwasm/internals`: the layers under the Engine, for tests, benchmarks, custom shard tasks and
 * tools that drive the kernels directly. Not covered by semver: these change without a
 * deprecation cycle. Everything that computes for a user is an `Engine` method in the main entry
 * (see docs/api.md).
 * @packageDocumentation
 */
export type { EngineContext } from './context.js';
// Memory and raw kernels (pointer-level API: counts and byte offsets into one arena).
export { MemoryArena, type HeapBacking } from './memory-arena.js';
export type { Kernels } from './kernels/contract.js';
export type { KernelHeap } from './kernels/heap.js';
// Shard tasks of the worker pool and the Monte Carlo job behind them.
export { getShardTask, philoxSumShard, type PhiloxSumJob } from './parallel/shard-tasks.js';
export { monteCarloShard, mergeShards, ShardMerger, shardRange, ACCUMULATOR_SIZE } from './montecarlo/shards.js';
export {
  createMonteCarloJob, defaultImportanceShift, MONTE_CARLO_KEYS, SIMULATE_PATHS_KEYS, type MonteCarloJob,
} from './montecarlo/job.js';
export { portfolioMarginShard, decodePortfolioMarginShard, type PortfolioMarginJob } from './margin/portfolio-margin-shard.js';
export {
  portfolioLiquidationShard, decodePortfolioLiquidationShard, type PortfolioLiquidationJob, type PortfolioLiquidationJobOptions,
} from './margin/portfolio-liquidation-shard.js';
// Resolved margin rules: validated accounts and the per-position pieces standard margin adds up.
export { resolveAccounts, forwardFor, assetPrice, checkMarket } from './margin/market.js';
export { marginResolved, type MarginAggregation } from './margin/portfolio-margin.js';
export { isValidatedGrid } from './margin/grids.js';
export type { ResolvedPosition, ResolvedCollateral, ResolvedAccount } from './margin/types.js';
export { accountEquity, positionEquity, unrealisedPnl, inverseFace, isInverse, haircutOf } from './margin/equity.js';
export { positionMargin, linearMargin, shortOptionMargin, maintenanceAmounts } from './margin/standard-margin.js';
export { checkStandardParams, checkHaircuts } from './margin/standard-params.js';
// Calibration internals: the unconstrained parametrisation and the initial guesses.
export { ssviFromInternal } from './calibration/ssvi.js';
export { sviInitialGuess } from './calibration/svi.js';
export { sabrInitialGuess } from './calibration/sabr.js';
// Risk internals.
export { packPortfolio, type PackedPortfolio } from './risk/portfolio.js';
export { tailIndex } from './risk/tail-measures.js';
export { checkCorrelationMatrix } from './montecarlo/correlation.js';
// [scale] Split margin jobs (shared part once, each shard's accounts as columns): what a distributed runner stores and sends.
export { planMarginShards, splitMarginJob, shardAccounts, type MarginShardJob, type MarginShardPart, type MarginShardShared } from './margin/margin-shard-plan.js';
export { portfolioMarginTask, type PortfolioMarginSplitJob, type PortfolioMarginInputs } from './margin/portfolio-margin-shard.js';
export { portfolioLiquidationTask, type PortfolioLiquidationSplitJob, type PortfolioLiquidationInputs } from './margin/portfolio-liquidation-shard.js';
// [scale] portfolio margin as columns: the builder the in-thread, thread-pool and distributed paths fill, and the packed shard layout.
export { portfolioMarginColumns, portfolioMarginColumnsParallel, MarginColumnsBuilder, type PortfolioMarginColumnsPoolOptions } from './margin/portfolio-margin-columns.js';
export { readMarginShard, type MarginShardOffsets } from './margin/portfolio-margin-shard.js';
// [simd] session 9: the resident-array region of an engine's heap
export { ResidentHeap, type ResidentBlock } from './resident-arrays.js';
