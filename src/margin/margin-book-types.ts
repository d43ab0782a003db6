/**
 * The public shapes of the live margin book (arguments, orders, account states, what-if results,
 * status changes, market changes): plain data, shared by the book and its fills planning.
 */
import type { MarginAggregation, PortfolioMarginResult } from './portfolio-margin.js';
import type { ScenarioGrid } from './grids.js';
import type { StandardMarginParams } from './standard-params.js';
import type { MarginStatus } from './standard-margin.js';
import type { AssetMarket, MarginAccount, MarginMarket, MarginPosition } from './types.js';

/** Arguments of `createMarginBook` (`engine.marginBook`). Give `params` (standard margin) or `grid` (portfolio margin). */
export interface MarginBookArgs {
  /** The accounts (ids unique; an account without one gets its index as a string). */
  accounts?: readonly MarginAccount[];
  market: MarginMarket;
  /** Standard (isolated) margin parameters, e.g. `DERIBIT_STANDARD`. */
  params?: StandardMarginParams;
  /** Portfolio margin grid, e.g. `DERIBIT_GRID`. */
  grid?: ScenarioGrid;
  /** Portfolio margin aggregation (default `'per-asset'`). */
  aggregation?: MarginAggregation;
  /** Collateral haircuts in [0, 1] by asset (`'*'` default): standard margin overrides `params.haircuts`; portfolio margin applies them to equity. */
  haircuts?: Readonly<Record<string, number>>;
  /**
   * Warning buffer (fraction >= 0, default 0): a healthy account with equity below IM x (1 + buffer)
   * joins the margin calls with `warning: true`.
   */
  warningBuffer?: number;
}

/**
 * An order or fill: a position description (by instrument name or in full) whose `size` is the
 * traded amount (coins; negative = sell) and `price` the fill price (USD per unit; an option's
 * premium per unit). No `entryPrice` or `accruedFunding`: the book sets them.
 */
export type MarginOrder = MarginPosition & { price: number };

/** Where one account stands (USD). */
export interface MarginBookAccountState {
  id: string;
  initialMargin: number;
  maintenanceMargin: number;
  equity: number;
  /** Equity - IM. */
  availableMargin: number;
  /** MM / equity (Infinity when equity <= 0 < MM). */
  marginRatio: number;
  /** IM / equity. */
  initialMarginRatio: number;
  /** standardMargin's status of equity against IM and MM. */
  status: MarginStatus;
  /** Healthy, but equity < IM x (1 + warningBuffer). */
  warning: boolean;
}

/** What {@link MarginBook.whatIf} returns: the account as if the orders filled, and the account now. */
export interface WhatIfResult extends MarginBookAccountState {
  before: MarginBookAccountState;
  /** Changes (after - before, USD). */
  deltaInitialMargin: number;
  deltaMaintenanceMargin: number;
  deltaEquity: number;
  /** The account's USD collateral after premiums and realised P&L settle (negative: it cannot pay). */
  cashUsd: number;
  /**
   * The orders pass the pre-trade check: the USD collateral can pay, and equity covers IM after the
   * fills or the fills do not raise IM (risk-reducing orders always pass).
   */
  passes: boolean;
  /** `'ok'`, `'cash'` (the USD collateral cannot pay) or `'initialMargin'` (equity below the new IM). */
  reason: 'ok' | 'cash' | 'initialMargin';
  /** Portfolio margin: the account's full result after the fills (scenario P&L, worst scenario, ...). */
  portfolio?: PortfolioMarginResult;
}

/** An account whose status or warning flag changed (the `detail` of the book's events). */
export interface MarginStatusChange {
  id: string;
  from: MarginStatus;
  to: MarginStatus;
  warningBefore: boolean;
  warning: boolean;
  state: MarginBookAccountState;
}

/** Market changes for {@link MarginBook.updateMarket}; anything left out stays. */
export interface MarginMarketChanges {
  /** Per asset: a new index (USD) and/or forwards (replacing the list); a new asset is added. */
  assets?: Readonly<Record<string, { index?: number; forwards?: AssetMarket['forwards'] }>>;
  /** New implied vols (decimals) by instrument name. */
  vols?: Readonly<Record<string, number>>;
  /** New discount rate (continuously compounded). */
  rate?: number;
}

/** Event types a book dispatches. */
export type MarginBookEventType = 'statusChange' | 'marginCall' | 'liquidation';
