/**
 * Margin: accounts and market data, standard and portfolio margin (risk matrix with Deribit-style
 * and SPAN 16 grids), equity, liquidation prices, collateral haircuts, lending, liquidation cost,
 * margin calibration, default waterfall.
 */
export {
  calibrateHaircut, calibrateHaircuts, collateralValue,
  type HaircutArgs, type HaircutsArgs, type HaircutResult, type CollateralLine, type TailMeasure,
} from './collateral.js';
export { priceSeries, mporReturns, type HistoryInput, type PriceSeries } from './mpor-returns.js';
export {
  healthFactor, assessLending, simulateLiquidation, calibrateLendingParameters, AAVE_V2_PARAMETERS,
  type LendingAccount, type LendingMarket, type LendingAssetParameters, type LendingCollateralLine, type LendingDebtLine,
  type LendingAssessment, type ResolvedLendingCollateral, type ResolvedLendingDebt, type LiquidationOptions, type LiquidationResult, type LendingCalibrationArgs, type LendingCalibrationResult,
} from './lending.js';
export {
  liquidationCost, tieredLiquidation,
  type ImpactModel, type BookLevel, type LiquidationCostArgs, type LiquidationCostResult, type TieredLiquidationArgs,
  type TieredLiquidationResult, type LiquidationChunk,
} from './liquidation-cost.js';
export {
  calibrateMargin, esEquivalentConfidence, procyclicality,
  type CalibrateMarginArgs, type CalibrateMarginResult, type CoverageReport, type ProcyclicalityReport, type ApcOptions, type MarginMarketState,
} from './margin-calibration.js';
export {
  defaultWaterfall, WATERFALL_LAYERS,
  type DefaultWaterfallArgs, type DefaultWaterfallResult, type WaterfallMember, type WaterfallLayer, type LayerUsage,
  type ScenarioWaterfall, type CoverSize, type DefaulterRule,
} from './default-waterfall.js';
export type {
  MarginPosition, MarginAccount, AssetMarket, InstrumentSpec, MarginMarket, ResolvedPosition, ResolvedCollateral, ResolvedAccount,
} from './types.js';
export { resolveAccounts, forwardFor, assetPrice, STABLECOINS, marketFromDeribitChain, type DeribitMarketOptions } from './market.js';
export { accountEquity, positionEquity, unrealisedPnl, inverseFace, isInverse, haircutOf, type EquityBreakdown } from './equity.js';
export {
  standardMargin, positionMargin, linearMargin, shortOptionMargin, maintenanceAmounts, checkStandardParams, checkHaircuts, marginStatus,
  DERIBIT_STANDARD, GENERIC_STANDARD,
  type StandardMarginParams, type StandardMarginOptions, type StandardMarginResult, type PositionMargin, type MarginStatus,
  type MarginRuleName, type LinearMarginRule, type NotionalTier, type ShortOptionRule, type LinearMargin, type ShortOptionMargin,
} from './standard-margin.js';
export {
  liquidationPrice, type LiquidationPriceOptions, type LiquidationPriceResult, type LiquidationLevel, type LiquidationSide,
  type LiquidationStatus, type PositionLiquidation,
} from './liquidation-price.js';
export { portfolioLiquidationPrice, type PortfolioLiquidationPriceOptions } from './portfolio-liquidation-price.js';
export {
  DERIBIT_GRID, SPAN16_GRID, DERIBIT_VEGA_SCALING, DAYS_PER_YEAR, deribitGrid, span16Grid, scenarioGrid, vegaPowerScale,
  type ScenarioGrid, type MarginScenario, type VegaScaling, type MarginAddOns, type DeribitGridParams, type Span16GridParams,
} from './grids.js';
export {
  portfolioMargin, marginResolved,
  type PortfolioMarginResult, type PortfolioMarginOptions, type MarginAggregation, type WorstScenario, type AssetScan,
} from './portfolio-margin.js';
export { portfolioMarginParallel, type PortfolioMarginParallelOptions } from './portfolio-margin-parallel.js';
export { portfolioMarginShard, decodePortfolioMarginShard, type PortfolioMarginJob } from './portfolio-margin-shard.js';
export { portfolioLiquidationPriceParallel, type PortfolioLiquidationParallelOptions } from './portfolio-liquidation-parallel.js';
export { portfolioLiquidationShard, decodePortfolioLiquidationShard, type PortfolioLiquidationJob, type PortfolioLiquidationJobOptions } from './portfolio-liquidation-shard.js';
