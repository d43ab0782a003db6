/**
 * Margin: accounts and market data, portfolio margin (risk matrix) with Deribit-style and SPAN 16
 * grids.
 */
export type * from './types.js';
export { resolveAccounts, marketFromDeribitChain, forwardFor, assetPrice, checkMarket, STABLECOINS } from './market.js';
export {
  DERIBIT_GRID, SPAN16_GRID, DERIBIT_VEGA_SCALING, DERIBIT_EXTENDED_MOVES, deribitGrid, span16Grid, scenarioGrid, isValidatedGrid, vegaPowerScale,
  type ScenarioGrid, type MarginScenario, type VegaScaling, type MarginAddOns, type DeribitGridParams, type Span16GridParams,
} from './grids.js';
export {
  portfolioMargin, marginResolved,
  type PortfolioMarginResult, type PortfolioMarginOptions, type MarginAggregation, type WorstScenario, type AssetScan,
} from './portfolio-margin.js';
export { portfolioMarginParallel, type PortfolioMarginParallelOptions } from './portfolio-margin-parallel.js';
export { portfolioMarginShard, decodePortfolioMarginShard, type PortfolioMarginJob } from './portfolio-margin-shard.js';
