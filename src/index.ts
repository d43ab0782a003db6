/**
 * riskwasm: WebAssembly-accelerated derivatives risk numerics with a pure-JS twin.
 *
 * Start with {@link createEngine}; every compute method on the returned {@link Engine} is
 * synchronous and batch-first. The calling convention is written down in docs/api.md; the layers
 * under the engine (arena, raw kernels, shard tasks, resolved margin rules) are in
 * `riskwasm/internals`.
 * @packageDocumentation
 */
export { createEngine, createEngineSync, Engine, type Backend, type EngineOptions } from './engine.js';
export type {
  CalibrateArgs, CalibrateSviArgs, CalibrateSviResult, CalibrateSsviArgs, CalibrateSsviResult, PhiloxArgs, EmpiricalTailArgs, PortfolioSensitivitiesArgs,
  MonteCarloScenariosArgs, GarchLogLikelihoodArgs, SimulateGarchArgs,
} from './engine-args.js';
export { RiskwasmError, InputError, WasmUnavailableError, KernelError } from './errors.js';
export { Status, statusName, countStatus, type StatusName } from './status.js';
export {
  GREEK_NAMES, type PricingResult, type PricingOut, type BlackScholesArgs, type Black76Args, type PricingGreeks, type PricingResultWithGreeks,
  type CoinPricingResultWithGreeks,
} from './pricing/black-pricing.js';
export type { ImpliedVolArgs, ImpliedVolResult } from './pricing/implied-vol.js';
export {
  HESTON_PARAM_NAMES, BATES_PARAM_NAMES, type HestonParams, type HestonPriceArgs, type HestonPriceResult,
  type BatesParams, type BatesPriceArgs, type BatesPriceResult,
} from './pricing/heston-price.js';
export { type CalibrateHestonArgs, type CalibrateHestonResult, type StochasticVolCalibrationOptions, type StochasticVolFit, type FellerReport } from './calibration/heston-calibration.js';
export { type CalibrateBatesArgs, type CalibrateBatesResult } from './calibration/bates-calibration.js';
export type { CalibrationModel, CalibrateOptions, CalibrateResult, ParameterBox, PenaltyTerm } from './calibration/calibrate.js';
export { bfgs, type BfgsOptions, type BfgsResult, type BfgsReason, type ValueAndGradient } from './math/optimise/bfgs.js';
export type { NumberInput, OptionType, OptionTypeInput } from './batch-inputs.js';
export type { WasmSource } from './wasm-module.js';
export { loadDeribitChain, CsvRowError, type DeribitChain, type ChainRowIssue, type LoadChainOptions } from './market/deribit-chain.js';
export { loadSampleChain, loadSampleText, sampleDataPath, sampleDataUrl, SAMPLE_DATA, DEFAULT_SAMPLE_CHAIN, type SampleName } from './market/samples.js';
export * from './montecarlo/index.js';
export * from './calibration/index.js';
export {
  allocateOutput, createWorkerPool, WorkerPool, sharedPools, closeSharedPools, registerShardTask, WorkerError,
  type RunShardsOptions, type RunShardsIntoOptions, type WorkerPoolOptions, type ShardTask, type ParallelOptions,
} from './parallel/index.js';
export * from './risk/index.js';
// Types named by public signatures (so the API reference can show them).
export type { PoolRun } from './parallel/index.js';
export type { BatchParallelOptions } from './pricing/batch-shards.js';
export type { StressWindowResult } from './risk/stress.js';
export type { StudentTFit, Moments } from './risk/parametric.js';
export type { TailEstimate } from './risk/tail-measures.js';
export * from './margin/index.js';

// Deprecated for one release (docs/api.md lists each with its replacement). An explicit export
// here takes precedence over the `export *` above, so the tag reaches every importer.

// Free functions that duplicate an Engine method, or take an engine argument: call the method.
export {
  /** @deprecated use `engine.monteCarlo(args)`; removed in the next release. */
  monteCarlo,
  /** @deprecated use `engine.simulatePaths(args)`; removed in the next release. */
  simulatePaths,
} from './montecarlo/index.js';
export {
  /** @deprecated use `engine.valueAtRisk(args)`; removed in the next release. */
  valueAtRisk,
  /** @deprecated use `engine.revaluePortfolio(args)`; removed in the next release. */
  revaluePortfolio,
  /** @deprecated use `engine.fitGarch(returns, options)`; removed in the next release. */
  fitGarch,
  /** @deprecated use `engine.garchLogLikelihood({ returns, params, variance0 })`; removed in the next release. */
  garchLogLikelihood,
  /** @deprecated use `engine.simulateGarch({ params, n, seed, variance0, stream })`; removed in the next release. */
  simulateGarch,
  /** @deprecated use `engine.rollingBacktest(args)`; removed in the next release. */
  rollingBacktest,
  /** @deprecated use `engine.stressTest(args)`; removed in the next release. */
  stressTest,
  /** @deprecated use `engine.stressedVar(args)`; removed in the next release. */
  stressedVar,
  /** @deprecated use `engine.empiricalTail({ sample, confidence, sign })`; removed in the next release. */
  empiricalTail,
  /** @deprecated use `engine.portfolioSensitivities({ portfolio, horizon, volShockMode, assets })`; removed in the next release. */
  portfolioSensitivities,
  /** @deprecated use `engine.monteCarloScenarios({ portfolio, ...options })`; removed in the next release. */
  monteCarloScenarios,
  /** @deprecated use `engine.philoxUniforms({ n, seed, stream, path, offset })`; removed in the next release. */
  philoxUniforms,
  /** @deprecated use `engine.philoxNormals({ n, seed, stream, path, offset })`; removed in the next release. */
  philoxNormals,
} from './risk/index.js';
export {
  /** @deprecated use `engine.calibrateMargin(args)`; removed in the next release. */
  calibrateMargin,
  /** @deprecated use `engine.standardMargin(accounts, market, params, options)`; removed in the next release. */
  standardMargin,
  /** @deprecated use `engine.liquidationPrice(accounts, market, params, options)`; removed in the next release. */
  liquidationPrice,
  /** @deprecated use `engine.portfolioLiquidationPrice(accounts, market, grid, options)`; removed in the next release. */
  portfolioLiquidationPrice,
  /** @deprecated use `engine.portfolioMargin(accounts, market, grid, options)`; removed in the next release. */
  portfolioMargin,
  /** @deprecated use `engine.portfolioMarginParallel(accounts, market, grid, options)`; removed in the next release. */
  portfolioMarginParallel,
  /** @deprecated use `engine.portfolioLiquidationPriceParallel(accounts, market, grid, options)`; removed in the next release. */
  portfolioLiquidationPriceParallel,
  /** @deprecated use `engine.calibrateHaircut(args)`; removed in the next release. */
  calibrateHaircut,
  /** @deprecated use `engine.calibrateHaircuts(args)`; removed in the next release. */
  calibrateHaircuts,
  /** @deprecated use `engine.calibrateLendingParameters(args)`; removed in the next release. */
  calibrateLendingParameters,
} from './margin/index.js';
export {
  /** @deprecated use `engine.runShards(options)`; removed in the next release. */
  runShards,
  /** @deprecated use `engine.runShardsInto(output, options)`; removed in the next release. */
  runShardsInto,
} from './parallel/index.js';

// fit* is statistical estimation from a sample; fitting a volatility model to quotes is calibrate*.
export type {
  /** @deprecated renamed {@link CalibrateSviArgs}; removed in the next release. */
  FitSviArgs,
  /** @deprecated renamed {@link CalibrateSviResult}; removed in the next release. */
  FitSviResult,
  /** @deprecated renamed {@link CalibrateSsviArgs}; removed in the next release. */
  FitSsviArgs,
  /** @deprecated renamed {@link CalibrateSsviResult}; removed in the next release. */
  FitSsviResult,
} from './calibration/index.js';

// Internals: import them from `riskwasm/internals`.
export type {
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  EngineContext,
} from './context.js';
export {
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  MemoryArena,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  type HeapBacking,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  type Kernels,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  type KernelHeap,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  type PhiloxSumJob,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  monteCarloShard,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  mergeShards,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  ShardMerger,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  shardRange,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  ACCUMULATOR_SIZE,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  createMonteCarloJob,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  defaultImportanceShift,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  MONTE_CARLO_KEYS,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  SIMULATE_PATHS_KEYS,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  type MonteCarloJob,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  portfolioMarginShard,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  decodePortfolioMarginShard,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  type PortfolioMarginJob,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  portfolioLiquidationShard,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  decodePortfolioLiquidationShard,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  type PortfolioLiquidationJob,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  type PortfolioLiquidationJobOptions,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  resolveAccounts,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  forwardFor,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  assetPrice,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  marginResolved,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  type ResolvedPosition,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  type ResolvedCollateral,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  type ResolvedAccount,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  accountEquity,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  positionEquity,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  unrealisedPnl,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  inverseFace,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  isInverse,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  haircutOf,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  positionMargin,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  linearMargin,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  shortOptionMargin,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  maintenanceAmounts,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  checkStandardParams,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  checkHaircuts,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  ssviFromInternal,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  sviInitialGuess,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  sabrInitialGuess,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  tailIndex,
  /** @deprecated import from `riskwasm/internals`; removed from the main entry in the next release. */
  checkCorrelationMatrix,
} from './internals.js';
// [hedging] book greeks, hedge calibration, hedge effectiveness (src/hedging, docs/hedging.md)
// [cold] from the defining modules, not the hedging/ barrel: a barrel that re-exports calibrateHedge
// keeps calibrate-hedge.ts (~20 KiB with its helpers) in the root's chunk even though the root does
// not export it (the bundler places a module by the entries that reach it); engine.calibrateHedge
// loads it on the first call instead.
export {
  CASH_GREEK_NAMES,
  type BookGreeksOptions, type BookGreeksResult, type CashGreeks, type CashGreekName, type GreekBucket, type PositionGreekColumns, type VolSurfaceLike,
  type HedgeBook,
} from './hedging/book-greeks.js';
export type { CalibrateHedgeArgs, CalibrateHedgeResult, HedgeInstrument, HedgeTerms, HedgeSolution, WithoutSize } from './hedging/calibrate-hedge.js';
export { hedgeEffectiveness, type HedgeEffectivenessArgs, type HedgeEffectivenessResult, type TailReduction } from './hedging/hedge-effectiveness.js';
export { loadLpSolver, LpSolverMissingError, type LpSolver, type LpStatus } from './hedging/hedge-lp.js';
// [surface] honest fits: quality flags, bound hits, robust loss, Lee's wing bound.
export { robustCost } from './math/optimise/levenberg-marquardt.js';
export type { LossFunction } from './math/optimise/least-squares.js';
export { QUALITY_FLAGS, DEFAULT_QUALITY, type QualityFlag, type FitQuality, type QualityThresholds, type BoundHit } from './calibration/fit-quality.js';
export { LEE_WING_BOUND, SVI_CALENDAR_LAMBDA } from './calibration/svi.js';
// [surface]
export {
  VolSurface, MAX_SURFACE_SLICES, DEFAULT_CALENDAR_GRID,
  type VolPointsArgs, type VolSurfaceSlice, type VolSurfaceExtrapolation, type VolSurfaceSource, type VolSurfaceJSON,
  type SurfaceCalendarCheck, type SurfaceCalendarViolation, type VolSurfaceInput, type VolSurfaceOptions,
  type SviSliceInput, type SviSliceParams, type SsviInput, type StochasticVolInput, type ModelSliceOptions,
} from './surface/index.js';
// [surface] chains: venue-neutral option chains, forwards from parity, quote hygiene (issue 14).
export { type OptionChain, type PriceUnit, type ChainVenue } from './market/option-chain.js';
export { loadChain, CHAIN_FORMATS, type ChainFormat, type LoadAnyChainOptions } from './market/load-chain.js';
export { loadCboeChain, lastSessionClose, type CboeChainOptions } from './market/cboe-chain.js';
export { loadColumnChain, type ChainColumns, type ColumnChainOptions } from './market/column-chain.js';
export { chainFromQuotes, type ChainQuotes } from './market/chain-from-quotes.js';
export { chainForwards, type ExpiryForward, type ChainForwardOptions, type ForwardSource, type DiscountSource } from './market/parity-forwards.js';
export { DEFAULT_QUOTE_FILTERS, DESK_QUOTE_FILTERS, type QuoteFilterOptions, type QuoteLimits } from './market/quote-filters.js';
export { type DropCount, type ExpiryDrops } from './calibration/surface.js';
// [hedging] simulate
export type { HedgePosition, HedgingRun, PnlDistribution, SimulateHedgingArgs, SimulateHedgingResult } from './hedging/simulate-hedging.js';
// [realtime] the live margin book
export {
  MarginBook, MarginBookEvent,
  type MarginBookArgs, type MarginOrder, type MarginBookAccountState, type WhatIfResult, type MarginStatusChange, type MarginMarketChanges,
  type MarginBookSnapshot, type MarginBookEventType, type MarginBookFactory, type MarginQueueEntry,
} from './margin/margin-book.js';
export type { ReplayArgs, ReplayTick, ReplayResult } from './margin/margin-book-replay.js';
export type { PortfolioSurfaces, PortfolioPosition, SurfaceMarkedOption } from './risk/portfolio.js'; // [surface] portfolio.surface (issue 14, wave 2)
// [scale] portfolio margin as columns (engine.portfolioMarginColumns, runDistributed's output: 'columns')
export type { PortfolioMarginColumns, PortfolioMarginColumnsOptions } from './margin/portfolio-margin-columns.js';
// [scale] session 8: an account book already in columns (engine.portfolioMarginColumns, runDistributed)
export { marginAccountColumns, checkMarginAccountColumns, type MarginAccountColumns, type MarginInstrumentSpec } from './margin/margin-account-columns.js';
// [scale] session 8: portfolio margin columns with fields: 'summary' (no scenario P&L, no contributions)
export type { PortfolioMarginColumnsBase, PortfolioMarginSummaryColumns, PortfolioMarginSummary, MarginResultFields } from './margin/portfolio-margin-columns.js';
// [simd] session 9: engine-resident arrays (engine.allocateArray), read and written in place by the batch pricing calls
export type { ResidentArray, AllocateArrayArgs, ResidentType, ResidentArrayTypes } from './resident-arrays.js';
