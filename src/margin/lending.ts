/**
 * Over-collateralised lending, Aave-style: health factor, borrowing capacity, the liquidation rule
 * and a simulated liquidation, and a calibration of an asset's LTV, liquidation threshold and bonus
 * from its price history.
 *
 * Rules (Aave V2 whitepaper, Frangella and Herskind 2020; aave/protocol-v2 LendingPoolCollateralManager):
 * - HF = sum_i(collateral_i x price_i x LT_i) / sum_j(debt_j x price_j); no debt: HF = Infinity.
 * - Borrowing capacity = sum_i(collateral_i x price_i x LTV_i); a borrow may not take debt above it.
 * - An account with HF < 1 may be liquidated: a liquidator repays up to closeFactor (50%) of one
 *   debt asset and receives collateral worth the repaid amount x (1 + liquidation bonus); when the
 *   chosen collateral is too small, all of it is seized and the repayment shrinks to match.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { calibrateHaircutAs, checkMeasure, type TailMeasure } from './collateral.js';
import { checkKeys } from '../option-keys.js';
import { STABLECOINS } from './market.js';
import { dict, own } from '../data-tables.js';
import type { HistoryInput } from './mpor-returns.js';

/** Risk parameters of one lending asset (decimals). */
export interface LendingAssetParameters {
  /** Loan-to-value: borrowing capacity per USD of collateral. */
  ltv: number;
  /** Liquidation threshold LT: collateral weight in the health factor (LT >= LTV). */
  liquidationThreshold: number;
  /** Liquidation bonus: extra fraction of the repaid debt the liquidator receives in collateral (0.05 = 5%). */
  liquidationBonus: number;
}

/**
 * Aave V2 (Ethereum market) published parameters: LTV / LT / bonus for WETH (as ETH), WBTC and USDC,
 * and the 50% close factor. Source: aave/protocol-v2 markets/aave/reservesConfigs.ts; the same
 * numbers are shipped with their provenance in data/margin/lending-aave-v2.json.
 */
export const AAVE_V2_PARAMETERS: { closeFactor: number; assets: Readonly<Record<string, LendingAssetParameters>> } = {
  closeFactor: 0.5,
  assets: {
    ETH: { ltv: 0.8, liquidationThreshold: 0.825, liquidationBonus: 0.05 },
    WBTC: { ltv: 0.7, liquidationThreshold: 0.75, liquidationBonus: 0.1 },
    USDC: { ltv: 0.8, liquidationThreshold: 0.85, liquidationBonus: 0.05 },
  },
};

/** A collateral line given in full (the price and parameters may also come from the market). */
export interface LendingCollateralLine {
  asset: string;
  /** Units of the asset (>= 0). */
  amount: number;
  /** USD per unit (default: market.prices, stablecoins 1). */
  price?: number;
  ltv?: number;
  liquidationThreshold?: number;
  liquidationBonus?: number;
}

/** A debt line (units of the borrowed asset and optionally its USD price). */
export interface LendingDebtLine { asset: string; amount: number; price?: number }

/** A borrower: collateral and debt, each as amounts by asset or as lines. */
export interface LendingAccount {
  collateral: Record<string, number> | readonly LendingCollateralLine[];
  debt?: Record<string, number> | readonly LendingDebtLine[];
}

/** Prices and parameters for lending accounts. */
export interface LendingMarket {
  /** USD per unit of each asset; stablecoins (USD, USDC, USDT) default to 1. */
  prices?: Record<string, number>;
  /** Parameters per collateral asset (default {@link AAVE_V2_PARAMETERS}.assets). */
  parameters?: Record<string, Partial<LendingAssetParameters>>;
  /** Fraction of one debt asset a liquidation may repay (default 0.5). */
  closeFactor?: number;
}

/** A collateral line after resolution. */
export interface ResolvedLendingCollateral extends LendingAssetParameters {
  asset: string; amount: number; price: number;
  /** amount x price. */
  value: number;
}

/** A debt line after resolution. */
export interface ResolvedLendingDebt { asset: string; amount: number; price: number; value: number }

/** Health, capacity and the lines they came from. */
export interface LendingAssessment {
  healthFactor: number;
  /** sum of collateral market values (USD). */
  collateralValue: number;
  /** sum of collateral value x LT: the debt at which HF = 1 (USD). */
  liquidationValue: number;
  /** sum of collateral value x LTV: borrowing capacity (USD). */
  borrowCapacity: number;
  debtValue: number;
  /** max(0, borrowCapacity - debtValue). */
  availableToBorrow: number;
  /** HF < 1. */
  liquidatable: boolean;
  collateral: ResolvedLendingCollateral[];
  debt: ResolvedLendingDebt[];
}

const ACCOUNT_KEYS = ['collateral', 'debt'] as const satisfies readonly (keyof LendingAccount)[];
const COLLATERAL_LINE_KEYS = [
  'asset', 'amount', 'price', 'ltv', 'liquidationThreshold', 'liquidationBonus',
] as const satisfies readonly (keyof LendingCollateralLine)[];
const DEBT_LINE_KEYS = ['asset', 'amount', 'price'] as const satisfies readonly (keyof LendingDebtLine)[];
const MARKET_KEYS = ['prices', 'parameters', 'closeFactor'] as const satisfies readonly (keyof LendingMarket)[];
/** Keys of one asset's parameters; `reserve` is documented metadata (data/margin/lending-aave-v2.json names the reserve). */
const ASSET_PARAMETER_KEYS = ['ltv', 'liquidationThreshold', 'liquidationBonus', 'reserve'] as const;
const LIQUIDATION_OPTION_KEYS = ['debtAsset', 'collateralAsset', 'repayAmount'] as const satisfies readonly (keyof LiquidationOptions)[];

function finiteIn(v: unknown, path: string, lo: number, hi: number, what: string): number {
  if (typeof v !== 'number' || !(v >= lo && v <= hi)) throw new InputError(path, v, what);
  return v;
}

function entries<T extends { asset: string; amount: number }>(
  v: unknown, path: string, keys: readonly string[],
): { line: Partial<T> & { asset: string; amount: unknown }; path: string }[] {
  if (Array.isArray(v)) {
    return v.map((line, i) => {
      if (line === null || typeof line !== 'object') throw new InputError(`${path}[${i}]`, line, 'a line { asset, amount }');
      checkKeys(line, keys, `${path}[${i}]`);
      if (typeof line.asset !== 'string' || line.asset === '') throw new InputError(`${path}[${i}].asset`, line.asset, 'an asset name');
      return { line, path: `${path}[${i}]` };
    });
  }
  if (v === null || typeof v !== 'object') throw new InputError(path, v, 'an object of amounts by asset or an array of lines');
  return Object.entries(v as Record<string, unknown>).map(([asset, amount]) => ({ line: { asset, amount } as Partial<T> & { asset: string; amount: unknown }, path: `${path}.${asset}` }));
}

function priceOf(asset: string, given: unknown, market: LendingMarket, path: string): number {
  // Own properties only: an asset named `constructor` has no price unless one is given.
  const p = given ?? own(market.prices, asset) ?? (STABLECOINS.has(asset) ? 1 : undefined);
  if (typeof p !== 'number' || !(p > 0) || !Number.isFinite(p)) {
    throw new InputError(given === undefined ? `market.prices.${asset}` : `${path}.price`, p, `a positive USD price for ${asset}`);
  }
  return p;
}

function checkLendingMarket(market: unknown): LendingMarket {
  if (market === undefined) return {};
  if (market === null || typeof market !== 'object') throw new InputError('market', market, 'a lending market { prices?, parameters?, closeFactor? }');
  checkKeys(market, MARKET_KEYS, 'market');
  const m = market as LendingMarket;
  if (m.prices !== undefined && (m.prices === null || typeof m.prices !== 'object')) throw new InputError('market.prices', m.prices, 'an object of USD prices by asset');
  if (m.parameters !== undefined && (m.parameters === null || typeof m.parameters !== 'object')) throw new InputError('market.parameters', m.parameters, 'an object of parameters by asset');
  return m;
}

/**
 * Resolve and assess a lending account: health factor, borrowing capacity, liquidatability.
 * @throws InputError for a negative or non-finite amount, a missing price or parameter, or a
 * parameter outside [0, 1] (LT below LTV included); the path names the line (`account.collateral.ETH`).
 */
export function assessLending(account: LendingAccount, market?: LendingMarket): LendingAssessment {
  if (account === null || typeof account !== 'object') throw new InputError('account', account, 'a lending account { collateral, debt? }');
  checkKeys(account, ACCOUNT_KEYS, 'account');
  const mk = checkLendingMarket(market);
  const params = mk.parameters ?? AAVE_V2_PARAMETERS.assets;
  const collateral = entries<LendingCollateralLine>(account.collateral, 'account.collateral', COLLATERAL_LINE_KEYS).map(({ line, path }): ResolvedLendingCollateral => {
    const amount = finiteIn(line.amount, `${path}${Array.isArray(account.collateral) ? '.amount' : ''}`, 0, Infinity, 'a finite amount >= 0');
    if (!Number.isFinite(amount)) throw new InputError(path, amount, 'a finite amount >= 0');
    const price = priceOf(line.asset, line.price, mk, path);
    // Own properties only: `constructor` or `toString` has no parameters unless given.
    const listed: unknown = own(params, line.asset);
    const def = (listed === undefined ? {} : listed) as Partial<LendingAssetParameters>;
    if (def === null || typeof def !== 'object') throw new InputError(`market.parameters.${line.asset}`, def, 'an object { ltv?, liquidationThreshold, liquidationBonus? }');
    if (params !== AAVE_V2_PARAMETERS.assets) checkKeys(def, ASSET_PARAMETER_KEYS, `market.parameters.${line.asset}`);
    const pick = (k: keyof LendingAssetParameters) => {
      const v = line[k] ?? def[k];
      if (v === undefined) throw new InputError(`${path}.${k}`, v, `a ${k} for ${line.asset} (on the line or in market.parameters)`);
      return finiteIn(v, line[k] !== undefined ? `${path}.${k}` : `market.parameters.${line.asset}.${k}`, 0, 1, 'a fraction in [0, 1]');
    };
    const liquidationThreshold = pick('liquidationThreshold');
    // LTV and bonus are needed for capacity and liquidation only; default them to LT and 0 when absent.
    const ltv = line.ltv ?? def.ltv ?? liquidationThreshold;
    finiteIn(ltv, `${path}.ltv`, 0, liquidationThreshold, `an LTV in [0, LT = ${liquidationThreshold}]`);
    const liquidationBonus = finiteIn(line.liquidationBonus ?? def.liquidationBonus ?? 0, `${path}.liquidationBonus`, 0, 1, 'a fraction in [0, 1]');
    return { asset: line.asset, amount, price, value: amount * price, ltv, liquidationThreshold, liquidationBonus };
  });
  const debt = account.debt === undefined ? [] : entries<LendingDebtLine>(account.debt, 'account.debt', DEBT_LINE_KEYS).map(({ line, path }): ResolvedLendingDebt => {
    const amount = finiteIn(line.amount, `${path}${Array.isArray(account.debt) ? '.amount' : ''}`, 0, Infinity, 'a finite amount >= 0');
    if (!Number.isFinite(amount)) throw new InputError(path, amount, 'a finite amount >= 0');
    const price = priceOf(line.asset, line.price, mk, path);
    return { asset: line.asset, amount, price, value: amount * price };
  });
  let collateralValue = 0, liquidationValue = 0, borrowCapacity = 0, debtValue = 0;
  for (const c of collateral) {
    collateralValue += c.value;
    liquidationValue += c.value * c.liquidationThreshold;
    borrowCapacity += c.value * c.ltv;
  }
  for (const d of debt) debtValue += d.value;
  // Finite amounts and prices can still overflow as products and sums: a health factor of
  // Infinity / Infinity would be NaN and read as not liquidatable.
  if (!Number.isFinite(collateralValue + liquidationValue + borrowCapacity + debtValue)) {
    throw new InputError('account', collateralValue, 'collateral and debt values that fit a double (amount x price overflowed)');
  }
  const healthFactor = debtValue > 0 ? liquidationValue / debtValue : Infinity;
  return {
    healthFactor, collateralValue, liquidationValue, borrowCapacity, debtValue, availableToBorrow: Math.max(0, borrowCapacity - debtValue),
    liquidatable: healthFactor < 1, collateral, debt,
  };
}

/**
 * Aave health factor HF = sum(collateral_i x price_i x LT_i) / sum(debt_j x price_j) (dimensionless;
 * Infinity with no debt; the account is liquidatable below 1).
 * @example healthFactor({ collateral: [{ asset: 'USD', amount: 10000, liquidationThreshold: 0.8 }], debt: { USD: 6000 } }) // 1.3333333333333333
 * @throws InputError as {@link assessLending}.
 */
export function healthFactor(account: LendingAccount, market?: LendingMarket): number {
  return assessLending(account, market).healthFactor;
}

/** Which lines a liquidation uses and how much it repays. */
export interface LiquidationOptions {
  /** Debt asset repaid (default: the largest debt by value). */
  debtAsset?: string;
  /** Collateral asset seized (default: the largest collateral by value). */
  collateralAsset?: string;
  /** Debt units the liquidator offers to repay (default: the close-factor maximum). */
  repayAmount?: number;
}

/** Outcome of {@link simulateLiquidation}. */
export interface LiquidationResult {
  liquidatable: boolean;
  /** Why nothing or less than the maximum was repaid: 'healthy', 'closeFactor', 'repayAmount', 'collateralExhausted'. */
  reason: 'healthy' | 'closeFactor' | 'repayAmount' | 'collateralExhausted';
  healthFactorBefore: number;
  healthFactorAfter: number;
  closeFactor: number;
  debtAsset?: string;
  collateralAsset?: string;
  /** Debt units repaid and their USD value. */
  debtRepaid: number;
  debtRepaidValue: number;
  /** Collateral units seized and their USD value (= repaid value x (1 + bonus) unless collateral ran out). */
  collateralSeized: number;
  collateralSeizedValue: number;
  /** collateralSeizedValue - debtRepaidValue: the liquidator's gross gain, the borrower's loss (USD). */
  bonusValue: number;
  /** The account after the liquidation (amounts by asset). */
  after: { collateral: Record<string, number>; debt: Record<string, number> };
}

/**
 * One Aave V2 liquidation call on an unhealthy account (see the file comment): repay up to
 * closeFactor x the chosen debt, seize (repaid value x (1 + bonus)) / collateral price units of the
 * chosen collateral, capped at the balance. A healthy account is returned unchanged.
 * @throws InputError as {@link assessLending}, or for an asset the account does not hold, or a
 * negative repay amount.
 */
export function simulateLiquidation(account: LendingAccount, market?: LendingMarket, options: LiquidationOptions = {}): LiquidationResult {
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an options object { debtAsset?, collateralAsset?, repayAmount? }');
  checkKeys(options, LIQUIDATION_OPTION_KEYS, 'options');
  const a = assessLending(account, market);
  const mk = checkLendingMarket(market);
  const closeFactor = finiteIn(mk.closeFactor ?? AAVE_V2_PARAMETERS.closeFactor, 'market.closeFactor', 0, 1, 'a fraction in [0, 1]');
  const sum = <T extends { asset: string; amount: number }>(xs: T[]) => {
    const r = dict<number>(); // asset names are data
    for (const x of xs) r[x.asset] = (r[x.asset] ?? 0) + x.amount;
    return r;
  };
  const after = { collateral: sum(a.collateral), debt: sum(a.debt) };
  const base = {
    healthFactorBefore: a.healthFactor, closeFactor, debtRepaid: 0, debtRepaidValue: 0, collateralSeized: 0, collateralSeizedValue: 0, bonusValue: 0,
  };
  if (!a.liquidatable) return { ...base, liquidatable: false, reason: 'healthy', healthFactorAfter: a.healthFactor, after };
  // Nothing to seize: the debt is bad debt a liquidation cannot reduce.
  if (a.collateral.length === 0) return { ...base, liquidatable: true, reason: 'collateralExhausted', healthFactorAfter: a.healthFactor, after };
  const pickLargest = <T extends { asset: string; value: number }>(xs: T[]) => xs.reduce((m, x) => (x.value > m.value ? x : m));
  const choose = <T extends { asset: string; value: number }>(xs: T[], name: string | undefined, path: string): T => {
    if (name === undefined) return pickLargest(xs);
    const lines = xs.filter((x) => x.asset === name);
    if (lines.length === 0) throw new InputError(path, name, `an asset the account holds (${xs.map((x) => x.asset).join(', ')})`);
    return pickLargest(lines);
  };
  const d = choose(a.debt, options.debtAsset, 'options.debtAsset');
  const c = choose(a.collateral, options.collateralAsset, 'options.collateralAsset');
  const debtUnits = after.debt[d.asset];
  const maxRepay = closeFactor * debtUnits;
  let reason: LiquidationResult['reason'] = 'closeFactor';
  let repay = maxRepay;
  if (options.repayAmount !== undefined) {
    const r = finiteIn(options.repayAmount, 'options.repayAmount', 0, Infinity, 'a debt amount >= 0');
    if (r < maxRepay) {
      repay = r;
      reason = 'repayAmount';
    }
  }
  const bonus = c.liquidationBonus;
  const available = after.collateral[c.asset];
  let seized = (repay * d.price * (1 + bonus)) / c.price;
  if (seized > available) {
    seized = available;
    repay = (available * c.price) / (d.price * (1 + bonus));
    reason = 'collateralExhausted';
  }
  after.debt[d.asset] = debtUnits - repay;
  after.collateral[c.asset] = available - seized;
  // Re-assess with the same per-asset parameters the lines resolved to.
  const lines = Object.entries(after.collateral).map(([asset, amount]) => {
    const r = a.collateral.find((x) => x.asset === asset) as ResolvedLendingCollateral;
    return { asset, amount, price: r.price, ltv: r.ltv, liquidationThreshold: r.liquidationThreshold, liquidationBonus: r.liquidationBonus };
  });
  const debtLines = Object.entries(after.debt).map(([asset, amount]) => ({ asset, amount, price: (a.debt.find((x) => x.asset === asset) as ResolvedLendingDebt).price }));
  const healthFactorAfter = healthFactor({ collateral: lines, debt: debtLines }, { prices: {}, parameters: {} });
  return {
    ...base, liquidatable: true, reason, healthFactorAfter, debtAsset: d.asset, collateralAsset: c.asset,
    debtRepaid: repay, debtRepaidValue: repay * d.price, collateralSeized: seized, collateralSeizedValue: seized * c.price,
    bonusValue: seized * c.price - repay * d.price, after,
  };
}

/** Options of {@link calibrateLendingParameters}. */
export interface LendingCalibrationArgs {
  /** Price history of the collateral asset in USD (CSV text, PriceHistory, or prices oldest first). */
  history: HistoryInput;
  /** Confidence of the price-drop estimate (default 0.99). */
  confidence?: number;
  /** Days from the last healthy observation to the completed liquidation (default 1). */
  liquidationHorizonDays?: number;
  /** Tail measure of the price drop (default 'es'). */
  measure?: TailMeasure;
  /** Cost of selling seized collateral (slippage, fees, gas) as a fraction of its value (default 0; see liquidation-cost.ts). */
  liquidationCost?: number;
  /** Liquidator's margin on top of the cost (default 0.02). */
  liquidatorIncentive?: number;
  /** LTV = LT - ltvBuffer (default 0.05, the gap of the published Aave V2 ETH/USDC/WBTC sets). */
  ltvBuffer?: number;
  lookbackDays?: number;
  overlapping?: boolean;
}

/** Calibrated lending parameters, with the inputs of the rule. */
export interface LendingCalibrationResult extends LendingAssetParameters {
  /** Tail price drop d over the liquidation horizon (fraction of value). */
  priceDrop: number;
  /** The rule, in words and numbers. */
  rule: string;
  confidence: number;
  measure: TailMeasure;
  liquidationHorizonDays: number;
  observations: number;
  window: { from?: string; to?: string; prices: number };
  /** Price fall that takes a position borrowed at the LTV to HF = 1: 1 - LTV / LT. */
  cushion: number;
}

const CALIBRATION_KEYS = [
  'history', 'confidence', 'liquidationHorizonDays', 'measure', 'liquidationCost', 'liquidatorIncentive', 'ltvBuffer', 'lookbackDays', 'overlapping',
] as const satisfies readonly (keyof LendingCalibrationArgs)[];

/**
 * Calibrate LTV, liquidation threshold and bonus of one collateral asset from its price history.
 * The rule (this library's, a solvency condition in the spirit of Aave's risk documentation: LTV
 * below LT, a bonus that pays liquidators for the price risk and cost of selling collateral):
 * - bonus = liquidationCost + liquidatorIncentive;
 * - d = VaR or ES of the price-drop fraction 1 - P_{t+h}/P_t over the liquidation horizon h
 *   (the haircut calibration of collateral.ts, floor 0);
 * - LT such that an account liquidatable at HF = 1 (debt = LT x value) still covers its debt plus
 *   the bonus after the drop: value x (1 - d) = debt x (1 + bonus), so LT = (1 - d) / (1 + bonus);
 * - LTV = max(0, LT - ltvBuffer).
 * @throws InputError for a bad history or option (the path names it).
 */
export function calibrateLendingParameters(ctx: EngineContext, args: LendingCalibrationArgs): LendingCalibrationResult {
  if (args === null || typeof args !== 'object') throw new InputError('args', args, 'an object');
  checkKeys(args, CALIBRATION_KEYS, '');
  const measure = checkMeasure(args.measure);
  const cost = finiteIn(args.liquidationCost ?? 0, 'liquidationCost', 0, 1, 'a fraction in [0, 1]');
  const incentive = finiteIn(args.liquidatorIncentive ?? 0.02, 'liquidatorIncentive', 0, 1, 'a fraction in [0, 1]');
  const buffer = finiteIn(args.ltvBuffer ?? 0.05, 'ltvBuffer', 0, 1, 'a fraction in [0, 1]');
  const h = calibrateHaircutAs(ctx, {
    history: args.history, confidence: args.confidence ?? 0.99, mporDays: args.liquidationHorizonDays ?? 1, measure, floor: 0,
    lookbackDays: args.lookbackDays, overlapping: args.overlapping,
  }, 'liquidationHorizonDays');
  const d = Math.max(0, h.estimate);
  const liquidationBonus = cost + incentive;
  const liquidationThreshold = Math.max(0, (1 - d) / (1 + liquidationBonus));
  const ltv = Math.max(0, liquidationThreshold - buffer);
  return {
    ltv, liquidationThreshold, liquidationBonus, priceDrop: d, confidence: h.confidence, measure, liquidationHorizonDays: h.mporDays,
    observations: h.observations, window: h.window, cushion: liquidationThreshold > 0 ? 1 - ltv / liquidationThreshold : 0,
    rule: `LT = (1 - d) / (1 + bonus) with d = ${measure.toUpperCase()}${h.confidence} of the ${h.mporDays}-day price drop = ${d.toFixed(4)}, bonus = cost ${cost} + incentive ${incentive}; LTV = LT - ${buffer}`,
  };
}
