import { InputError, WasmUnavailableError } from './errors.js';
import { checkKeys } from './option-keys.js';
import type { Kernels } from './kernels/contract.js';
import { KERNEL_NAMES } from './kernels/contract.js';
import { createJsKernels } from './kernels/index.js';
import { JsHeapBacking, MemoryArena, WasmHeapBacking } from './memory-arena.js';
import { ResidentHeap, type AllocateArrayArgs, type ResidentArray, type ResidentType } from './resident-arrays.js'; // [simd]
import type { EngineContext } from './context.js';
import { compileWasm, defaultWasmUrl, instantiateKernels, type WasmSource } from './wasm-module.js';
import {
  blackScholes, black76, type BlackScholesArgs, type Black76Args, type PricingResult, type PricingResultWithGreeks, type CoinPricingResultWithGreeks,
} from './pricing/black-pricing.js';
import { impliedVol, type ImpliedVolArgs, type ImpliedVolResult } from './pricing/implied-vol.js';
import type { BatchParallelOptions } from './pricing/batch-shards.js';
// [cold] risk/revaluation-shards.js (the workers path of revaluePortfolio) loads on its first use.
import { batesPrice, hestonPrice, type BatesPriceArgs, type BatesPriceResult, type HestonPriceArgs, type HestonPriceResult } from './pricing/heston-price.js';
import { calibrateHeston, type CalibrateHestonArgs, type CalibrateHestonResult } from './calibration/heston-calibration.js';
import { calibrateBates, type CalibrateBatesArgs, type CalibrateBatesResult } from './calibration/bates-calibration.js';
import { calibrate, type CalibrateResult } from './calibration/calibrate.js';
import { monteCarlo, monteCarloSync, simulatePaths } from './montecarlo/monte-carlo.js';
import type { MonteCarloArgs, MonteCarloResult, SimulatePathsArgs } from './montecarlo/types.js';
import { fitSvi, type FitSviArgs, type FitSviResult } from './calibration/svi.js';
import { fitSsvi, type FitSsviArgs, type FitSsviResult } from './calibration/ssvi.js';
import { calibrateSabr, type CalibrateSabrArgs, type CalibrateSabrResult } from './calibration/sabr.js';
import { buildSurface, type BuildSurfaceOptions, type Surface } from './calibration/surface.js';
import type { DeribitChain } from './market/deribit-chain.js';
import {
  valueAtRisk, fitGarch, revaluePortfolio, rollingBacktest, stressTest,
  type ValueAtRiskArgs, type ValueAtRiskResult, type FitGarchOptions, type GarchFit, type RevaluePortfolioArgs,
  type RevaluationResult, type RollingBacktestArgs, type MethodBacktest, type StressTestArgs, type StressTestResult,
} from './risk/index.js';
import { calibrateMargin, type CalibrateMarginArgs, type CalibrateMarginResult } from './margin/margin-calibration.js';
import { marginBookFactory, type MarginBookFactory } from './margin/margin-book.js'; // [realtime]
import { replayMarginBook, type ReplayArgs, type ReplayResult } from './margin/margin-book-replay.js'; // [realtime]
import {
  standardMargin, liquidationPrice, type StandardMarginParams, type StandardMarginOptions, type StandardMarginResult,
  type LiquidationPriceOptions, type LiquidationPriceResult, type MarginAccount, type MarginMarket,
} from './margin/index.js';
import { portfolioMargin, type PortfolioMarginOptions, type PortfolioMarginResult } from './margin/portfolio-margin.js';
import { isValidatedGrid, type ScenarioGrid } from './margin/grids.js';
import { portfolioLiquidationPrice, type PortfolioLiquidationPriceOptions } from './margin/portfolio-liquidation-price.js';
import { portfolioMarginParallel, type PortfolioMarginParallelOptions } from './margin/portfolio-margin-parallel.js';
import { portfolioMarginColumns, type PortfolioMarginColumns, type PortfolioMarginColumnsOptions, type PortfolioMarginSummaryColumns } from './margin/portfolio-margin-columns.js'; // [scale]
import type { MarginAccountColumns } from './margin/margin-account-columns.js'; // [scale] session 8
import { portfolioLiquidationPriceParallel, type PortfolioLiquidationParallelOptions } from './margin/portfolio-liquidation-parallel.js';
import { calibrateHaircut, calibrateHaircuts, type HaircutArgs, type HaircutsArgs, type HaircutResult } from './margin/collateral.js';
import { calibrateLendingParameters, type LendingCalibrationArgs, type LendingCalibrationResult } from './margin/lending.js';
import { stressedVar, type StressedVarArgs } from './risk/stress.js';
import { empiricalTail, type TailEstimate } from './risk/tail-measures.js';
import { portfolioSensitivities, type Sensitivities } from './risk/delta-gamma.js';
import { monteCarloScenarios } from './risk/monte-carlo-var.js';
import type { ScenarioSet } from './risk/portfolio.js';
import { garchLogLikelihood, simulateGarch } from './risk/garch.js';
import { buildVolSurface, type VolSurface, type VolSurfaceInput, type VolSurfaceOptions } from './surface/index.js'; // [surface]
import { philoxNormals, philoxUniforms } from './risk/random.js';
import { runShards, runShardsInto, type RunShardsOptions, type RunShardsIntoOptions } from './parallel/run-shards.js';
// [hedging]
import { bookGreeks, type BookGreeksOptions, type BookGreeksResult, type HedgeBook } from './hedging/book-greeks.js';
import type { CalibrateHedgeArgs, CalibrateHedgeResult } from './hedging/calibrate-hedge.js'; // [cold] loaded on first call
import {
  checkEmpiricalTailArgs, checkGarchLogLikelihoodArgs, checkPhiloxArgs, checkSensitivitiesArgs, checkSimulateGarchArgs, splitScenarioArgs,
  splitCalibrateArgs, type CalibrateArgs, type CalibrateSsviArgs, type CalibrateSsviResult, type CalibrateSviArgs, type CalibrateSviResult, type EmpiricalTailArgs,
  type GarchLogLikelihoodArgs, type MonteCarloScenariosArgs, type PhiloxArgs, type PortfolioSensitivitiesArgs, type SimulateGarchArgs,
} from './engine-args.js';
import type { SimulateHedgingArgs, SimulateHedgingResult } from './hedging/simulate-hedging.js'; // [hedging] simulate; [cold] loaded on first call

// [cold] Modules that only asynchronous methods use, loaded on their first call instead of with
// `import('riskwasm')` (fewer bytes for V8 to compile at a cold start). Once loaded, later calls use
// them at once, so every call but the first reads its arguments synchronously, as before.
let calibrateHedgeModule: typeof import('./hedging/calibrate-hedge.js') | undefined;
let simulateHedgingModule: typeof import('./hedging/simulate-hedging.js') | undefined;
let revaluationShardsModule: typeof import('./risk/revaluation-shards.js') | undefined;

/** Which kernels an engine runs. */
export type Backend = 'wasm' | 'js';

/** Options for {@link createEngine}. */
export interface EngineOptions {
  /** `'auto'` (default) uses WebAssembly and falls back to the JS twin when it cannot load. */
  backend?: 'auto' | Backend;
  /** Override the location of the `.wasm` (URL, bytes or compiled module). */
  wasm?: WasmSource;
  /** Use the debug build (assertions on, abort messages decoded). Ignored with `wasm`. */
  debug?: boolean;
  /** Elements per kernel call; larger batches run in chunks of this size. Default 16384. */
  chunkSize?: number;
}

const DEFAULT_CHUNK = 16384;

/**
 * A compute engine: one backend, one heap. Every compute method is synchronous; engines share no
 * mutable state, so several may run side by side (one per worker, say).
 */
export class Engine implements EngineContext {
  /** The backend that runs the kernels. */
  readonly backend: Backend;
  /** Why `'auto'` fell back to the JS twin (undefined when it did not). */
  readonly fallbackReason?: string;
  /** The raw kernels (pointer-level API over {@link Engine.arena}). */
  readonly kernels: Kernels;
  /** The heap the kernels read and write. */
  readonly arena: MemoryArena;
  /** Elements per kernel call. */
  readonly chunkSize: number;
  /** The compiled kernels this engine instantiated (WASM backend); worker pools post it to their workers. */
  readonly module?: WebAssembly.Module;

  /** @internal use {@link createEngine} or {@link createEngineSync}. */
  constructor(backend: Backend, kernels: Kernels, arena: MemoryArena, chunkSize: number, fallbackReason?: string, module?: WebAssembly.Module) {
    this.backend = backend;
    this.kernels = kernels;
    this.arena = arena;
    this.chunkSize = chunkSize;
    this.fallbackReason = fallbackReason;
    this.module = module;
  }

  /** Heap bytes committed so far (grows to fit the largest chunk, then stays flat). */
  get memoryBytes(): number {
    return this.arena.capacity;
  }

  /**
   * Batch Black-Scholes-Merton prices (and greeks) on spot; see {@link BlackScholesArgs}.
   * Expiries in years, vols decimals, rates and dividend yields continuously compounded.
   * With `workers` (`BatchParallelOptions`): a Promise of the same result, bit for bit, computed on the worker pool.
   * @throws InputError for a malformed call (wrong types, mismatched lengths, unknown option type); a bad element gives NaN and its `status` instead.
   */
  blackScholes(args: BlackScholesArgs & { greeks: true } & BatchParallelOptions): Promise<PricingResultWithGreeks>;
  blackScholes(args: BlackScholesArgs & BatchParallelOptions): Promise<PricingResult>;
  blackScholes(args: BlackScholesArgs & { greeks: true }): PricingResultWithGreeks;
  blackScholes(args: BlackScholesArgs): PricingResult;
  blackScholes(args: BlackScholesArgs): PricingResult | Promise<PricingResult> {
    return blackScholes(this, args);
  }

  /**
   * Batch Black-76 prices (and greeks) on the forward; see {@link Black76Args}.
   * Expiries in years, vols decimals, discount factors (default 1); coin settlement prices in coins (USD value / forward).
   * With `workers` (`BatchParallelOptions`): a Promise of the same result, bit for bit, computed on the worker pool.
   * @throws InputError for a malformed call; a bad element gives NaN and its `status` instead.
   */
  black76(args: Black76Args & { greeks: true; settlement: 'coin' } & BatchParallelOptions): Promise<CoinPricingResultWithGreeks>;
  black76(args: Black76Args & { greeks: true } & BatchParallelOptions): Promise<PricingResultWithGreeks>;
  black76(args: Black76Args & BatchParallelOptions): Promise<PricingResult>;
  black76(args: Black76Args & { greeks: true; settlement: 'coin' }): CoinPricingResultWithGreeks;
  black76(args: Black76Args & { greeks: true }): PricingResultWithGreeks;
  black76(args: Black76Args): PricingResult;
  black76(args: Black76Args): PricingResult | Promise<PricingResult> {
    return black76(this, args);
  }

  /**
   * Batch Black-76 implied volatilities with a per-element status; see {@link ImpliedVolArgs}.
   * Vols returned as decimals; expiries in years; prices in coins with `settlement: 'coin'`.
   * With `workers` (`BatchParallelOptions`): a Promise of the same result, bit for bit, computed on the worker pool.
   * @throws InputError for a malformed call; a price with no implied vol gives NaN and its `status` instead.
   */
  impliedVol(args: ImpliedVolArgs & BatchParallelOptions): Promise<ImpliedVolResult>;
  impliedVol(args: ImpliedVolArgs): ImpliedVolResult;
  impliedVol(args: ImpliedVolArgs): ImpliedVolResult | Promise<ImpliedVolResult> {
    return impliedVol(this, args);
  }

  /**
   * Monte Carlo price (and greeks) of one payoff under one model; see {@link MonteCarloArgs}.
   * Runs shard by shard, yielding between shards so `signal` can abort (AbortedError).
   * @throws (rejects) InputError for malformed arguments (before any work; an unknown key, at any depth, too); AbortedError when `signal` aborts; WorkerError when a worker cannot start.
   */
  monteCarlo(args: MonteCarloArgs): Promise<MonteCarloResult> {
    return monteCarlo(this, args);
  }

  /**
   * {@link Engine.monteCarlo} without yielding: the whole run in one synchronous call.
   * @throws InputError for malformed arguments; AbortedError when `signal` is aborted.
   */
  monteCarloSync(args: MonteCarloArgs): MonteCarloResult {
    return monteCarloSync(this, args);
  }

  /**
   * Spot paths, row-major Float64Array [paths][steps + 1] (InputError above 256 MiB); see {@link SimulatePathsArgs}.
   * Written in chunks of ~4 MiB: `signal` is checked before each, `onProgress` called after each (ending at 1).
   * @throws InputError for malformed arguments (an unknown key too) or more than 256 MiB of output; AbortedError when `signal` is aborted; KernelError if the kernel rejects the call (a bug).
   */
  simulatePaths(args: SimulatePathsArgs): Float64Array {
    return simulatePaths(this, args);
  }

  /**
   * Raw SVI per expiry slice, with butterfly-arbitrage checks per slice and a calendar-arbitrage check between consecutive slices; see {@link FitSviArgs}.
   * Quote vols as decimals, expiries in years; rmse in vol points (0.01 of vol) for the vol objective.
   * @throws InputError for a malformed call (naming the field); a fit that stops early returns its `reason`, it does not throw.
   * @deprecated use {@link Engine.calibrateSvi} (same arguments, same result); removed in the next release.
   */
  fitSvi(args: FitSviArgs): FitSviResult {
    return fitSvi(this, args);
  }

  /**
   * SSVI surface (power-law or Heston-like phi), arbitrage-free by construction; see {@link FitSsviArgs}.
   * Quote vols as decimals, expiries in years; rmse in vol points (0.01 of vol) for the vol objective.
   * @throws InputError for a malformed call (naming the field); a fit that stops early returns its `reason`, it does not throw.
   * @deprecated use {@link Engine.calibrateSsvi} (same arguments, same result); removed in the next release.
   */
  fitSsvi(args: FitSsviArgs): FitSsviResult {
    return fitSsvi(this, args);
  }

  /**
   * Hagan (2002) lognormal SABR per expiry slice, beta fixed; see {@link CalibrateSabrArgs}.
   * Quote vols as decimals, expiries in years; rmse in vol points (0.01 of vol) for the vol objective.
   * @throws InputError for a malformed call (naming the field); a fit that stops early returns its `reason`, it does not throw.
   */
  calibrateSabr(args: CalibrateSabrArgs): CalibrateSabrResult {
    return calibrateSabr(this, args);
  }

  /**
   * Implied-vol surface of one underlying from any OptionChain (`loadChain`: Deribit, Cboe, columns; `chainFromQuotes`),
   * forwards and discount factors per expiry (futures, put-call parity or spot carried), every dropped quote counted; see {@link BuildSurfaceOptions}.
   * Vols as decimals, expiries in years, prices in the chain's `priceUnit`.
   * @throws InputError for a malformed chain or options.
   */
  buildSurface(chain: DeribitChain, options: BuildSurfaceOptions): Surface {
    return buildSurface(this, chain, options);
  }

  /**
   * Batch Heston prices (and gradient with respect to the five parameters); see {@link HestonPriceArgs}.
   * Expiries in years, rates continuously compounded, variances (v0, theta) as decimals, kappa per year.
   * @throws InputError for a malformed call or a parameter out of its domain; a bad element gives NaN and its `status` instead.
   */
  hestonPrice(args: HestonPriceArgs): HestonPriceResult {
    return hestonPrice(this, args);
  }

  /**
   * Batch Bates prices (Heston with Merton jumps; gradient in the eight parameters); see {@link BatesPriceArgs}.
   * Units as {@link Engine.hestonPrice}; lambda per year, muJ and deltaJ in log-price units.
   * @throws InputError as {@link Engine.hestonPrice}, and for lambda < 0, deltaJ < 0 or a non-finite muJ.
   */
  batesPrice(args: BatesPriceArgs): BatesPriceResult {
    return batesPrice(this, args);
  }

  /**
   * Heston calibration to a quote surface (LM, analytic Jacobian, vol or price objective; optional seeded differential-evolution stage `global`); see {@link CalibrateHestonArgs}.
   * Quote vols as decimals, expiries in years; rmse in vol points (0.01 of vol) for the vol objective.
   * @throws InputError for a malformed call (naming the field); a fit that stops early returns its `reason`, it does not throw.
   */
  calibrateHeston(args: CalibrateHestonArgs): CalibrateHestonResult {
    return calibrateHeston(this, args);
  }

  /**
   * Bates calibration (eight parameters); see {@link CalibrateBatesArgs}.
   * Quote vols as decimals, expiries in years; rmse in vol points (0.01 of vol) for the vol objective.
   * @throws InputError for a malformed call (naming the field); a fit that stops early returns its `reason`, it does not throw.
   */
  calibrateBates(args: CalibrateBatesArgs): CalibrateBatesResult {
    return calibrateBates(this, args);
  }

  /**
   * VaR and ES (positive losses) of P&L samples or a revalued portfolio; see {@link ValueAtRiskArgs}.
   * VaR and ES in the P&L's unit (USD for portfolios), at `confidence` in (0, 1), over `horizonDays` days.
   * @throws InputError for a malformed call (naming the field); KernelError if a kernel rejects the call (a bug).
   */
  valueAtRisk(args: ValueAtRiskArgs): ValueAtRiskResult {
    return valueAtRisk(this, args);
  }

  /**
   * GARCH(1,1) / GJR-GARCH(1,1) maximum-likelihood fit of zero-mean returns; see {@link FitGarchOptions}.
   * Returns per period as decimals (e.g. daily log-returns); variances per period.
   * @throws InputError for a malformed series or option.
   */
  fitGarch(returns: ArrayLike<number>, options?: FitGarchOptions): GarchFit {
    return fitGarch(this, returns, options);
  }

  /**
   * Full revaluation of a portfolio over scenarios (P&L in USD, positive = gain); see {@link RevaluePortfolioArgs}.
   * With `workers` (`BatchParallelOptions`): a Promise of the same result, bit for bit, the scenarios split over the worker pool.
   * @throws InputError for a malformed portfolio or scenario set.
   */
  revaluePortfolio(args: RevaluePortfolioArgs & BatchParallelOptions): Promise<RevaluationResult>;
  revaluePortfolio(args: RevaluePortfolioArgs): RevaluationResult;
  revaluePortfolio(args: RevaluePortfolioArgs): RevaluationResult | Promise<RevaluationResult> {
    const a = args as RevaluePortfolioArgs & { workers?: unknown };
    if (a !== null && typeof a === 'object' && a.workers !== undefined) {
      // [cold] asynchronous anyway: the scenario-split shard task loads with the first call that asks for workers.
      const b = a as RevaluePortfolioArgs & BatchParallelOptions;
      if (revaluationShardsModule) return revaluationShardsModule.revaluePortfolioOnWorkers(this, b);
      return import('./risk/revaluation-shards.js').then((m) => (revaluationShardsModule = m).revaluePortfolioOnWorkers(this, b));
    }
    return revaluePortfolio(this, args);
  }

  /**
   * Rolling VaR/ES backtest of several methods on one return series; see {@link RollingBacktestArgs}.
   * @throws InputError for malformed arguments (naming the field).
   */
  rollingBacktest(args: RollingBacktestArgs): { observations: number; window: number; confidence: number; methods: Record<string, MethodBacktest> } {
    return rollingBacktest(this, args);
  }

  /**
   * Historical-window and hypothetical-grid stress tests by full revaluation; see {@link StressTestArgs}.
   * @throws InputError for malformed arguments (naming the field).
   */
  stressTest(args: StressTestArgs): StressTestResult {
    return stressTest(this, args);
  }

  /** Margin parameters (scan range or IM multiplier) calibrated to an ES/VaR target on history, with coverage backtests and procyclicality; see {@link CalibrateMarginArgs}. */
  calibrateMargin(args: CalibrateMarginArgs): CalibrateMarginResult {
    return calibrateMargin(this, args);
  }

  /** Standard (isolated) margin of one account or a batch, USD; see {@link standardMargin} (params e.g. `DERIBIT_STANDARD`). */
  standardMargin(account: MarginAccount, market: MarginMarket, params: StandardMarginParams, options?: StandardMarginOptions): StandardMarginResult;
  standardMargin(accounts: readonly MarginAccount[], market: MarginMarket, params: StandardMarginParams, options?: StandardMarginOptions): StandardMarginResult[];
  standardMargin(accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, params: StandardMarginParams, options?: StandardMarginOptions): StandardMarginResult | StandardMarginResult[] {
    return standardMargin(this, accounts, market, params, options);
  }

  /**
   * Index levels (USD) where equity = maintenance margin under standard margin with a parameter
   * set (e.g. DERIBIT_STANDARD), per account and risky asset, both directions; under portfolio
   * margin use {@link Engine.portfolioLiquidationPrice}.
   * @throws InputError for malformed accounts, market, params or options, with the field's path.
   */
  liquidationPrice(account: MarginAccount, market: MarginMarket, params: StandardMarginParams, options?: LiquidationPriceOptions): LiquidationPriceResult;
  liquidationPrice(accounts: readonly MarginAccount[], market: MarginMarket, params: StandardMarginParams, options?: LiquidationPriceOptions): LiquidationPriceResult[];
  /** @deprecated a scenario grid here means portfolio margin: use {@link Engine.portfolioLiquidationPrice}; removed in the next release. */
  liquidationPrice(account: MarginAccount, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioLiquidationPriceOptions): LiquidationPriceResult;
  /** @deprecated a scenario grid here means portfolio margin: use {@link Engine.portfolioLiquidationPrice}; removed in the next release. */
  liquidationPrice(accounts: readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioLiquidationPriceOptions): LiquidationPriceResult[];
  liquidationPrice(accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, params: StandardMarginParams, options?: LiquidationPriceOptions): LiquidationPriceResult | LiquidationPriceResult[];
  /** @deprecated a scenario grid here means portfolio margin: use {@link Engine.portfolioLiquidationPrice}; removed in the next release. */
  liquidationPrice(accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioLiquidationPriceOptions): LiquidationPriceResult | LiquidationPriceResult[];
  liquidationPrice(
    accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, paramsOrGrid: StandardMarginParams | ScenarioGrid,
    options?: LiquidationPriceOptions | PortfolioLiquidationPriceOptions,
  ): LiquidationPriceResult | LiquidationPriceResult[] {
    // The deprecated call shape: a grid (anything with a `scenarios` array) means portfolio margin.
    const g = paramsOrGrid as { scenarios?: unknown } | null;
    if (isValidatedGrid(g) || (g !== null && typeof g === 'object' && Array.isArray(g.scenarios))) {
      return portfolioLiquidationPrice(this, accounts, market, paramsOrGrid as ScenarioGrid, options as PortfolioLiquidationPriceOptions);
    }
    return liquidationPrice(this, accounts, market, paramsOrGrid as StandardMarginParams, options as LiquidationPriceOptions);
  }

  /**
   * Portfolio margin (risk matrix) of one account (one result) or many (an array): initial and
   * maintenance margin (USD), worst scenario, scenario P&L, each position's share; see
   * {@link PortfolioMarginResult} and the grid presets DERIBIT_GRID, SPAN16_GRID.
   */
  portfolioMargin(account: MarginAccount, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginOptions): PortfolioMarginResult;
  portfolioMargin(accounts: readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginOptions): PortfolioMarginResult[];
  portfolioMargin(
    accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginOptions,
  ): PortfolioMarginResult | PortfolioMarginResult[] {
    return portfolioMargin(this, accounts as readonly MarginAccount[], market, grid, options);
  }

  /**
   * Index levels (USD) where equity = maintenance margin under portfolio margin with a scenario
   * grid (e.g. DERIBIT_GRID), per account and risky asset, both directions.
   * @throws InputError for malformed accounts, market, grid or options, with the field's path.
   */
  portfolioLiquidationPrice(account: MarginAccount, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioLiquidationPriceOptions): LiquidationPriceResult;
  portfolioLiquidationPrice(accounts: readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioLiquidationPriceOptions): LiquidationPriceResult[];
  portfolioLiquidationPrice(
    accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioLiquidationPriceOptions,
  ): LiquidationPriceResult | LiquidationPriceResult[] {
    return portfolioLiquidationPrice(this, accounts, market, grid, options);
  }

  /**
   * {@link Engine.portfolioMargin} on the worker pool (shards of accounts); the same numbers as in thread.
   * @throws (rejects) InputError for malformed accounts, market, grid or options; WorkerError when a worker cannot start; AbortedError when `signal` aborts.
   */
  portfolioMarginParallel(
    accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginParallelOptions,
  ): Promise<PortfolioMarginResult | PortfolioMarginResult[]> {
    return portfolioMarginParallel(this, accounts, market, grid, options);
  }

  /**
   * {@link Engine.portfolioLiquidationPrice} on the worker pool (shards of accounts); the same numbers as in thread.
   * @throws (rejects) InputError for malformed accounts, market, grid or options; WorkerError when a worker cannot start; AbortedError when `signal` aborts.
   */
  portfolioLiquidationPriceParallel(
    accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options?: PortfolioLiquidationParallelOptions,
  ): Promise<LiquidationPriceResult | LiquidationPriceResult[]> {
    return portfolioLiquidationPriceParallel(this, accounts, market, grid, options);
  }

  /**
   * Raw SVI per expiry slice fitted to implied-vol quotes, with butterfly checks per slice and a
   * calendar check between slices; see {@link CalibrateSviArgs}. Quote vols as decimals, expiries
   * in years; rmse in vol points (0.01 of vol) for the vol objective.
   * @throws InputError for a malformed call (naming the field); a fit that stops early returns its `reason`, it does not throw.
   */
  calibrateSvi(args: CalibrateSviArgs): CalibrateSviResult {
    return fitSvi(this, args);
  }

  /**
   * SSVI surface (power-law or Heston-like phi) fitted to implied-vol quotes, arbitrage-free by
   * construction; see {@link CalibrateSsviArgs}. Units as {@link Engine.calibrateSvi}.
   * @throws InputError for a malformed call (naming the field); a fit that stops early returns its `reason`, it does not throw.
   */
  calibrateSsvi(args: CalibrateSsviArgs): CalibrateSsviResult {
    return fitSsvi(this, args);
  }

  /**
   * Any model fitted by the one calibration loop (the loop calibrateHeston, calibrateBates,
   * calibrateSabr, calibrateSvi and calibrateSsvi use): the model's default start and box,
   * overridden by name, then box-constrained Levenberg-Marquardt from every start (and a seeded
   * differential-evolution stage first with `global`), keeping the lowest cost. Residuals are in
   * the model's units (implied vols as decimals for the bundled models); see {@link CalibrateArgs}.
   * @throws InputError for a malformed call (naming the field: `model.names`, `bounds.lower.<name>`,
   *   `fixed[i]`, `weights`, `global.seed`, an unknown key, ...); a fit that stops early returns its
   *   `reason`, it does not throw.
   * @example
   * const fit = engine.calibrate({ model, quotes, fixed: ['m'], global: { seed: 1 } });
   * fit.named; fit.atBounds // e.g. ['rho']
   */
  calibrate<Q>(args: CalibrateArgs<Q>): CalibrateResult {
    const { model, quotes, options } = splitCalibrateArgs(args);
    return calibrate(this, model, quotes, options);
  }

  /**
   * Stressed VaR and ES (positive USD losses at `confidence`) of today's portfolio over the worst
   * `windowDays` stretch of the history; see {@link StressedVarArgs}.
   * @throws InputError for a confidence outside (0, 1), a window outside [20, n], or a history lacking a portfolio asset.
   */
  stressedVar(args: StressedVarArgs): { var: number; es: number; start: string; end: string; windows: number; currentVar: number } {
    return stressedVar(this, args);
  }

  /**
   * Empirical VaR and ES of a sample (one selection kernel call), in the sample's units at
   * `confidence`; see {@link EmpiricalTailArgs}. The sample is not modified.
   * @throws InputError for a sample that is not an array of at least one finite number (naming `sample[i]`), a confidence outside (0, 1), a `sign` other than 1 and -1, or an unknown key.
   */
  empiricalTail(args: EmpiricalTailArgs): TailEstimate {
    const { sample, confidence, sign } = checkEmpiricalTailArgs(args);
    return empiricalTail(this, sample, confidence, sign);
  }

  /**
   * Bump-and-revalue sensitivities of a portfolio at the horizon: USD per unit log-return (delta,
   * gamma) and per unit vol shock; see {@link PortfolioSensitivitiesArgs}.
   * @throws InputError for a malformed portfolio, horizon or volShockMode, or an unknown key.
   */
  portfolioSensitivities(args: PortfolioSensitivitiesArgs): Sensitivities {
    const { portfolio, horizon, volShockMode, assets } = checkSensitivitiesArgs(args);
    return portfolioSensitivities(this, portfolio, horizon, volShockMode, assets);
  }

  /**
   * Seeded Monte Carlo scenarios for full revaluation: vols annualised decimals, drifts per year,
   * horizon in days (the returned `horizon` in years); see {@link MonteCarloScenariosArgs}.
   * @throws InputError naming the malformed option (vols, correlation, horizonDays, paths, seed).
   */
  monteCarloScenarios(args: MonteCarloScenariosArgs): ScenarioSet & { horizon: number; logReturns: Float64Array; volShocks: Float64Array } {
    const { portfolio, options } = splitScenarioArgs(args);
    return monteCarloScenarios(this, portfolio, options);
  }

  /**
   * GARCH / GJR log-likelihood and its gradient at given parameters, with the filtered variances
   * (per period); see {@link GarchLogLikelihoodArgs}.
   * @throws InputError for a non-finite or empty series, malformed parameters, a variance0 that is not positive, or an unknown key.
   */
  garchLogLikelihood(args: GarchLogLikelihoodArgs): { logLikelihood: number; gradient: { omega: number; alpha: number; beta: number; gamma: number; nu: number }; variances: Float64Array } {
    const { returns, params, variance0 } = checkGarchLogLikelihoodArgs(args);
    return garchLogLikelihood(this, returns, params, variance0);
  }

  /**
   * Simulate `n` returns (per period, decimals) of a GARCH / GJR model with seeded innovations
   * drawn by this engine's kernels; see {@link SimulateGarchArgs}.
   * @throws InputError for malformed parameters, a non-stationary model without `variance0`, a malformed `n` or seed, or an unknown key.
   */
  simulateGarch(args: SimulateGarchArgs): Float64Array {
    const { params, n, seed, variance0, stream } = checkSimulateGarchArgs(args);
    const options: { variance0?: number; stream?: number; ctx: EngineContext } = { ctx: this };
    if (variance0 !== undefined) options.variance0 = variance0;
    if (stream !== undefined) options.stream = stream;
    return simulateGarch(params, n, seed, options);
  }

  /**
   * `n` uniforms in (0, 1): draws [offset, offset + n) of Philox4x32-10 (seed, stream, path), the
   * same bits on every backend; see {@link PhiloxArgs}.
   * @throws InputError naming the malformed argument; KernelError if the kernel rejects the call (a bug).
   */
  philoxUniforms(args: PhiloxArgs): Float64Array {
    const { n, seed, stream = 0, path = 0, offset = 0 } = checkPhiloxArgs(args);
    return philoxUniforms(n, seed, stream, path, offset, this);
  }

  /**
   * `n` standard normals from the same Philox draws as {@link Engine.philoxUniforms} (one normal per uniform).
   * @throws InputError naming the malformed argument; KernelError if the kernel rejects the call (a bug).
   */
  philoxNormals(args: PhiloxArgs): Float64Array {
    const { n, seed, stream = 0, path = 0, offset = 0 } = checkPhiloxArgs(args);
    return philoxNormals(n, seed, stream, path, offset, this);
  }

  /**
   * Collateral haircut of one asset calibrated to a tail measure of its MPOR returns; see {@link HaircutArgs}.
   * @throws InputError for malformed arguments (naming the field).
   */
  calibrateHaircut(args: HaircutArgs): HaircutResult {
    return calibrateHaircut(this, args);
  }

  /**
   * {@link Engine.calibrateHaircut} for several assets, keyed by asset; see {@link HaircutsArgs}.
   * @throws InputError for malformed arguments (naming the field).
   */
  calibrateHaircuts(args: HaircutsArgs): Record<string, HaircutResult> {
    return calibrateHaircuts(this, args);
  }

  /**
   * Lending parameters (LTV, liquidation threshold, bonus) calibrated to a tail measure of price
   * history; see {@link LendingCalibrationArgs}.
   * @throws InputError for malformed arguments (naming the field).
   */
  calibrateLendingParameters(args: LendingCalibrationArgs): LendingCalibrationResult {
    return calibrateLendingParameters(this, args);
  }

  /**
   * Run shards [firstShard, firstShard + shards) of a registered shard task on the worker pool;
   * resolves with one Float64Array per shard, in shard order (see docs/parallel.md).
   * @throws (rejects) InputError for malformed options; WorkerError when a worker cannot start; AbortedError when `signal` aborts.
   */
  runShards<J>(options: RunShardsOptions<J>): Promise<Float64Array[]> {
    return runShards(this, options);
  }

  /**
   * {@link Engine.runShards} for block output: shard k fills `output[k shardLength, ...)`; resolves with `output`.
   * @throws (rejects) InputError for a non-Float64Array output or malformed options; WorkerError; AbortedError.
   */
  runShardsInto<J>(output: Float64Array, options: RunShardsIntoOptions<J>): Promise<Float64Array> {
    return runShardsInto(this, output, options);
  }

  // [hedging] book greeks and hedge calibration (src/hedging, docs/hedging.md)
  /**
   * Cash greeks of a book (USD delta per 100% move, gamma per 1% move, vega per vol point, theta per
   * day, vanna, volga; or in coins of the underlying) per position and by underlying, expiry,
   * moneyness and delta bucket, and in total; marks from the market's vols or a VolSurface
   * (sticky-strike or sticky-moneyness). See {@link BookGreeksOptions}.
   * @throws InputError for a malformed book, market or option (naming the field).
   */
  bookGreeks(book: HedgeBook, market: MarginMarket, options?: BookGreeksOptions): BookGreeksResult {
    return bookGreeks(this, book, market, options);
  }

  /**
   * Quantities of hedge instruments for a book: greek targets (least squares, exact when square),
   * minimum variance or ES over scenarios, or minimum portfolio-margin IM under a grid (an LP solved
   * by HiGHS, the optional peer `highs`). See {@link CalibrateHedgeArgs}.
   * @throws (rejects) InputError for malformed arguments; LpSolverMissingError when a solve needs `highs` and it is not installed.
   */
  calibrateHedge(args: CalibrateHedgeArgs): Promise<CalibrateHedgeResult> {
    // [cold] asynchronous anyway: its ~20 KiB (LP set-up, least squares, scenario P&L) load on the first call, not at import.
    if (calibrateHedgeModule) return calibrateHedgeModule.calibrateHedge(this, args);
    return import('./hedging/calibrate-hedge.js').then((m) => (calibrateHedgeModule = m).calibrateHedge(this, args));
  }

  // [surface]
  /**
   * A volatility surface evaluated on this engine: from SVI slices (`fitSvi`'s result or
   * `[{ expiry, params, forward? }]`), an SSVI fit, a Heston / Bates fit (SVI slices of the model's
   * implied vols), or a VolSurface / its JSON (rebound here). Expiries in years, forwards from the
   * slices, `options.forwards` or `options.spot` (with `rate`, `dividendYield`, continuously compounded).
   * @throws InputError naming the offending field of `fit` or `options`.
   */
  volSurface(fit: VolSurfaceInput, options?: VolSurfaceOptions): VolSurface {
    return buildVolSurface(this, fit, options);
  }

  // [hedging] simulate
  /**
   * Discrete hedging of a book of vanillas along simulated paths (GBM, Heston, Merton, Bates: the
   * Monte Carlo engine's paths for the same seed): delta or delta-gamma hedges with Black-Scholes
   * greeks at a hedge vol (decimal), rebalanced every N steps or on a band (fixed or
   * Whalley-Wilmott), with proportional and fixed costs. Resolves with the distribution of hedged
   * P&L (USD, discounted to t = 0), costs and trade counts per rebalancing interval, bit-identical
   * across backends and worker counts. See {@link SimulateHedgingArgs}.
   * @throws (rejects) InputError naming the bad field; AbortedError; WorkerError.
   */
  simulateHedging(args: SimulateHedgingArgs): Promise<SimulateHedgingResult> {
    // [cold] asynchronous anyway: the hedging job and its shard task (~13 KiB) load on the first call, not at import.
    if (simulateHedgingModule) return simulateHedgingModule.simulateHedging(this, args);
    return import('./hedging/simulate-hedging.js').then((m) => (simulateHedgingModule = m).simulateHedging(this, args));
  }

  // [realtime] the live margin book
  /**
   * A live margin book: `engine.marginBook({ accounts, market, params | grid })` keeps accounts
   * between calls for pre-trade what-ifs, fills, deposits and market ticks (see {@link MarginBook});
   * `engine.marginBook.fromJSON(snapshot)` restores a book from `book.toJSON()`. A function property
   * (with `fromJSON` on it) set when the engine is made, bound to this engine.
   * @throws InputError for malformed args or a malformed snapshot.
   */
  readonly marginBook: MarginBookFactory = marginBookFactory(this);

  /**
   * Replay prices tick by tick through a live margin book of synthetic leveraged perpetual accounts
   * (see `replayMarginBook` in margin/margin-book-replay.ts): margin calls and liquidations per tick, totals.
   * @throws InputError for malformed args.
   */
  replayMarginBook(args: ReplayArgs): ReplayResult {
    return replayMarginBook(this, args);
  }

  // [scale] portfolio margin as columns
  /**
   * {@link Engine.portfolioMargin} of a batch as columns (one typed array per field, amounts in USD;
   * `account(i)` builds account i's result on demand): the same numbers bit for bit, without an
   * object per account. See {@link PortfolioMarginColumns}. `accounts` may be a book already in
   * columns ({@link MarginAccountColumns}, [scale] session 8): no account object is read or built.
   * With `options.fields: 'summary'` ([scale] session 8) only the summary columns are produced
   * ({@link PortfolioMarginSummaryColumns}: no scenario P&L, no contributions).
   * @throws InputError for a malformed grid, option, market or account (path `accounts[i]...`; for
   * a book `accounts.size[k]` and the like); `options.fields` other than 'full' or 'summary'.
   */
  portfolioMarginColumns(accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginColumnsOptions & { fields?: 'full' }): PortfolioMarginColumns;
  portfolioMarginColumns(accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options: PortfolioMarginColumnsOptions & { fields: 'summary' }): PortfolioMarginSummaryColumns;
  portfolioMarginColumns(accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginColumnsOptions): PortfolioMarginColumns | PortfolioMarginSummaryColumns;
  portfolioMarginColumns(accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginColumnsOptions): PortfolioMarginColumns | PortfolioMarginSummaryColumns {
    return portfolioMarginColumns(this, accounts, market, grid, options);
  }

  // [simd] engine-resident arrays (session 9)
  // Initialised here, so the engine keeps one hidden class whether or not it ever allocates.
  private residentHeap: ResidentHeap | undefined = undefined;

  /** The engine's resident arrays (`allocateArray`); undefined until the first one. @internal */
  get resident(): ResidentHeap | undefined {
    return this.residentHeap;
  }

  /**
   * A zero-filled typed array that lives in this engine's heap (WebAssembly linear memory), for
   * batch calls without copies: pass `handle.array` as any input or `out` array of `blackScholes`,
   * `black76` or `impliedVol` and the WASM kernels read and write it in place (same results, bit
   * for bit). Read `handle.array` again after any call that may grow memory (another
   * `allocateArray`, a large batch, Monte Carlo, ...): a grow detaches earlier views, and passing a
   * detached one is an InputError. `handle.free()` returns the memory. On the JS backend the array
   * is a plain typed array (same handle, same checks). See {@link ResidentArray}.
   * @throws InputError naming `type` (not 'f64', 'i8' or 'u8') or `length` (not an integer in
   *   [0, 2^28]); RangeError when the heap cannot grow that far.
   */
  allocateArray(args: AllocateArrayArgs<'f64'>): ResidentArray<'f64'>;
  allocateArray(args: AllocateArrayArgs<'i8'>): ResidentArray<'i8'>;
  allocateArray(args: AllocateArrayArgs<'u8'>): ResidentArray<'u8'>;
  allocateArray<T extends ResidentType>(args: AllocateArrayArgs<T>): ResidentArray<T>;
  allocateArray<T extends ResidentType>(args: AllocateArrayArgs<T>): ResidentArray<T> {
    // Headroom: one chunk of the widest batch (7 inputs, 8 outputs, status) above the arrays,
    // at most 32 MiB (an engine made with a huge chunkSize grows on demand instead).
    this.residentHeap ??= new ResidentHeap(this.arena, this.backend === 'wasm', Math.min(this.chunkSize * 128, 32 << 20));
    return this.residentHeap.allocate(args);
  }
}

/** The keys of {@link EngineOptions}. */
const ENGINE_OPTION_KEYS = ['backend', 'wasm', 'debug', 'chunkSize'] as const satisfies readonly (keyof EngineOptions)[];
/** The keys of createEngineSync's options. */
const ENGINE_SYNC_OPTION_KEYS = ['debug', 'chunkSize'] as const satisfies readonly (keyof Omit<EngineOptions, 'backend' | 'wasm'>)[];

function checkOptions(options: EngineOptions, keys: readonly string[]): { backend: 'auto' | Backend; chunkSize: number } {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InputError('options', options, 'an object');
  checkKeys(options, keys, 'options');
  if (options.debug !== undefined && typeof options.debug !== 'boolean') throw new InputError('options.debug', options.debug, 'a boolean');
  const wasm: unknown = options.wasm;
  if (
    wasm !== undefined && typeof wasm !== 'string' && !(wasm instanceof URL) && !(wasm instanceof ArrayBuffer) && !ArrayBuffer.isView(wasm)
    && !(typeof WebAssembly !== 'undefined' && wasm instanceof WebAssembly.Module)
  ) {
    throw new InputError('options.wasm', wasm, 'a URL, a URL string, the .wasm bytes or a WebAssembly.Module');
  }
  const backend = options.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'wasm' && backend !== 'js') {
    throw new InputError('options.backend', backend, "'auto', 'wasm' or 'js'");
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 1 << 22) {
    throw new InputError('options.chunkSize', chunkSize, 'an integer in [1, 4194304]');
  }
  return { backend, chunkSize };
}

function jsEngine(chunkSize: number, fallbackReason?: string): Engine {
  const arena = new MemoryArena(new JsHeapBacking());
  return new Engine('js', createJsKernels(arena), arena, chunkSize, fallbackReason);
}

interface WasmExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
}

function wasmEngine(exports: WebAssembly.Exports, chunkSize: number, module: WebAssembly.Module): Engine {
  const raw = exports as unknown as WasmExports & Kernels;
  for (const name of KERNEL_NAMES) {
    if (typeof raw[name] !== 'function') throw new WasmUnavailableError(`the .wasm does not export kernel ${name}`);
  }
  const arena = new MemoryArena(new WasmHeapBacking(raw.memory, raw.heapBase()));
  // The raw exports are the hot path: no loader wrappers between the facade and the kernels.
  const kernels = {} as Record<string, unknown>;
  for (const name of KERNEL_NAMES) kernels[name] = raw[name];
  return new Engine('wasm', kernels as unknown as Kernels, arena, chunkSize, undefined, module);
}

/**
 * Create an engine. Loads and compiles the `.wasm` once per process (Node: read beside the module;
 * browser: streaming compile from `new URL(..., import.meta.url)`); later calls only instantiate.
 * @throws InputError for a malformed option; WasmUnavailableError when `backend: 'wasm'` cannot load.
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const { backend, chunkSize } = checkOptions(options, ENGINE_OPTION_KEYS);
  if (backend === 'js') return jsEngine(chunkSize);
  try {
    const module = await compileWasm(options.wasm ?? defaultWasmUrl(options.debug));
    return wasmEngine(instantiateKernels(module), chunkSize, module);
  } catch (e) {
    if (backend === 'wasm') {
      throw e instanceof WasmUnavailableError ? e : new WasmUnavailableError('could not instantiate the kernels', e);
    }
    return jsEngine(chunkSize, e instanceof Error ? e.message : String(e));
  }
}

/**
 * Create an engine synchronously from the `.wasm` bytes or a compiled module (workers, custom
 * hosting, strict bundlers). Pass `null` for the pure-JS twin.
 * @throws InputError for a malformed source or option; WasmUnavailableError if it will not compile.
 */
export function createEngineSync(source: BufferSource | WebAssembly.Module | null, options: Omit<EngineOptions, 'backend' | 'wasm'> = {}): Engine {
  const { chunkSize } = checkOptions(options, ENGINE_SYNC_OPTION_KEYS);
  if (source === null) return jsEngine(chunkSize);
  if (typeof WebAssembly === 'undefined') throw new WasmUnavailableError('WebAssembly is not available in this environment');
  if (!(source instanceof WebAssembly.Module) && !ArrayBuffer.isView(source) && !(source instanceof ArrayBuffer)) {
    throw new InputError('source', source, 'an ArrayBuffer, a typed array, a WebAssembly.Module or null');
  }
  try {
    const module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
    return wasmEngine(instantiateKernels(module), chunkSize, module);
  } catch (e) {
    throw e instanceof WasmUnavailableError ? e : new WasmUnavailableError('could not instantiate the kernels', e);
  }
}
