/** Margin: accounts and market data, standard margin, equity, liquidation prices. */
export type {
  MarginPosition, MarginAccount, AssetMarket, InstrumentSpec, MarginMarket, ResolvedPosition, ResolvedCollateral, ResolvedAccount,
} from './types.js';
export { resolveAccounts, forwardFor, assetPrice, checkMarket, STABLECOINS, marketFromDeribitChain } from './market.js';
export { accountEquity, positionEquity, haircutOf, type EquityBreakdown } from './equity.js';
export {
  standardMargin, positionMargin, linearMargin, shortOptionMargin, maintenanceAmounts, checkStandardParams, checkHaircuts,
  DERIBIT_STANDARD, GENERIC_STANDARD,
  type StandardMarginParams, type StandardMarginOptions, type StandardMarginResult, type PositionMargin, type MarginStatus,
  type MarginRuleName, type LinearMarginRule, type NotionalTier, type ShortOptionRule, type LinearMargin, type ShortOptionMargin,
} from './standard-margin.js';
export {
  liquidationPrice, type LiquidationPriceOptions, type LiquidationPriceResult, type LiquidationLevel, type LiquidationSide,
  type LiquidationStatus, type PositionLiquidation,
} from './liquidation-price.js';
