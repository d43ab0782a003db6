/**
 * riskwasm: WebAssembly-accelerated derivatives risk numerics with a pure-JS twin.
 *
 * Start with {@link createEngine}; every compute method on the returned {@link Engine} is
 * synchronous and batch-first.
 * @packageDocumentation
 */
export { createEngine, createEngineSync, Engine, type Backend, type EngineOptions } from './engine.js';
export type { EngineContext } from './context.js';
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
export type { NumberInput, OptionType, OptionTypeInput } from './batch-inputs.js';
export type { Kernels } from './kernels/contract.js';
export type { WasmSource } from './wasm-module.js';
export { MemoryArena } from './memory-arena.js';
export { loadDeribitChain, CsvRowError, type DeribitChain, type ChainRowIssue, type LoadChainOptions } from './market/deribit-chain.js';
export { loadSampleChain, loadSampleText, sampleDataPath, sampleDataUrl, SAMPLE_DATA, DEFAULT_SAMPLE_CHAIN, type SampleName } from './market/samples.js';
export * from './montecarlo/index.js';
export * from './calibration/index.js';
export {
  runShards, runShardsInto, allocateOutput, createWorkerPool, WorkerPool, sharedPools, closeSharedPools, registerShardTask,
  WorkerError, MIN_ITEMS_PER_WORKER,
  type RunShardsOptions, type RunShardsIntoOptions, type WorkerPoolOptions, type ShardTask, type PhiloxSumJob,
} from './parallel/index.js';
export * from './risk/index.js';
// Types named by public signatures (so the API reference can show them).
export type { HeapBacking } from './memory-arena.js';
export type { KernelHeap } from './kernels/heap.js';
export type { PoolRun } from './parallel/index.js';
export type { StressWindowResult } from './risk/stress.js';
export type { StudentTFit, Moments } from './risk/parametric.js';
export type { PackedPortfolio } from './risk/portfolio.js';
export * from './margin/index.js';
