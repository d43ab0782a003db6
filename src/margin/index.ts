/** Margin: collateral haircuts, lending, liquidation cost, margin calibration, default waterfall. */
export {
  calibrateHaircut, calibrateHaircuts, collateralValue,
  type HaircutArgs, type HaircutsArgs, type HaircutResult, type CollateralLine, type TailMeasure,
} from './collateral.js';
export { priceSeries, mporReturns, type HistoryInput, type PriceSeries } from './mpor-returns.js';
export {
  healthFactor, assessLending, simulateLiquidation, calibrateLendingParameters, AAVE_V2_PARAMETERS,
  type LendingAccount, type LendingMarket, type LendingAssetParameters, type LendingCollateralLine, type LendingDebtLine,
  type LendingAssessment, type LiquidationOptions, type LiquidationResult, type LendingCalibrationArgs, type LendingCalibrationResult,
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
