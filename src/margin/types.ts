/**
 * Accounts, positions and market data of the margin engine. Conventions: sizes in units of the
 * underlying (coins; negative = short), prices in USD, time in years, vols as decimals, rates
 * continuously compounded. Coin-settled (Deribit inverse) instruments keep their size in coins and
 * are valued in USD at the index, like the risk module's `Position`. A coin-settled future or
 * perpetual of `size` coins has a USD face N = size x entry price (size x today's mark without
 * one): its coin P&L is N (1/entry - 1/mark), counted in USD at the index (see docs/margin.md,
 * "Coin-settled (inverse) futures and perpetuals").
 */
import type { VolSurface, VolSurfaceJSON } from '../surface/vol-surface.js'; // [surface]

/** A position held by a margin account. `instrument` (optional) names it, e.g. `BTC-27MAR26-90000-C`. */
export type MarginPosition =
  /** Spot holding (long only; a short needs a loan, see the lending functions). */
  | { kind: 'spot'; asset: string; size: number; instrument?: string }
  /**
   * Perpetual, linear (`settlement: 'usd'`, the default) or inverse (`'coin'`, Deribit's
   * BTC-PERPETUAL: USD face size x entry price, P&L in coin). `entryPrice` (USD) gives the unrealised
   * P&L; `accruedFunding` (USD, positive = received) is funding accrued but not yet settled;
   * `fundingRate` (per year, paid by longs) makes scenario P&L carry funding over the horizon.
   */
  | {
    kind: 'perpetual'; asset: string; size: number; entryPrice?: number; accruedFunding?: number; fundingRate?: number;
    settlement?: 'usd' | 'coin'; instrument?: string;
  }
  /**
   * Dated future expiring in `expiry` years, marked at the market's forward for that expiry; linear
   * (`settlement: 'usd'`, the default) or inverse (`'coin'`, USD face size x entry price).
   */
  | { kind: 'future'; asset: string; size: number; expiry: number; entryPrice?: number; settlement?: 'usd' | 'coin'; instrument?: string }
  /**
   * European option priced with Black-76 off the forward for its expiry and an implied vol: `vol`
   * here, else `market.vols[instrument]`, else a missing-vol `InputError`.
   */
  | {
    kind: 'option'; asset: string; size: number; strike: number; expiry: number; type: 'call' | 'put';
    settlement?: 'usd' | 'coin'; vol?: number; instrument?: string;
  }
  /** A listed instrument by name only; the market's `instruments` table (e.g. from a Deribit chain) supplies the rest. */
  | { instrument: string; size: number; entryPrice?: number; accruedFunding?: number; kind?: undefined };

/** A margin account: collateral per asset plus positions. */
export interface MarginAccount {
  /** Name used in results and errors (default: the account's index). */
  id?: string;
  /** Free text (documented metadata, as in examples/portfolios/margin-accounts.json); not used in any figure. */
  description?: string;
  /** Collateral amounts per asset (coins; `USD`/`USDC`/`USDT` count 1:1 in USD). Non-negative. */
  collateral?: Record<string, number>;
  positions: readonly MarginPosition[];
}

/** Market data of one underlying asset. */
export interface AssetMarket {
  /** Spot / index price in USD. */
  index: number;
  /** Forward price (USD) per expiry (years); between listed expiries ln(F/S) is interpolated linearly in time. */
  forwards?: readonly { expiry: number; price: number }[];
}

/** What a listed instrument is (the rest of a position comes from the account). */
export type InstrumentSpec =
  /** `fundingRate` (per year, paid by longs) as on a perpetual position. */
  | { kind: 'perpetual'; asset: string; settlement?: 'usd' | 'coin'; fundingRate?: number }
  | { kind: 'future'; asset: string; expiry: number; settlement?: 'usd' | 'coin' }
  | { kind: 'option'; asset: string; strike: number; expiry: number; type: 'call' | 'put'; settlement?: 'usd' | 'coin' };

/** Market data for margining: indices, forwards per expiry, implied vols per option. */
export interface MarginMarket {
  /** Every underlying the accounts reference; stablecoins (`USD`, `USDC`, `USDT`) need no entry. */
  assets: Record<string, AssetMarket>;
  /** Implied vol (decimal) per option instrument name. */
  vols?: Record<string, number>;
  /** Listed instruments by name (see {@link marketFromDeribitChain}). */
  instruments?: Record<string, InstrumentSpec>;
  /** Discount rate for USD-settled options (continuously compounded, default 0). */
  rate?: number;
  // [surface]
  /**
   * Vol surfaces that mark options in place of `vols` (a position's own `vol` still wins): one
   * surface (for its `underlying`, or every asset when it has none), its JSON, or a Map from asset
   * name to surface. Sticky strike: each option's vol is the surface's at its strike and expiry
   * (years from the same valuation time as the positions').
   */
  surface?: VolSurface | VolSurfaceJSON | ReadonlyMap<string, VolSurface | VolSurfaceJSON>;
}

/** A position after validation and market look-up: everything a margin rule or the kernel needs. */
export interface ResolvedPosition {
  kind: 'spot' | 'perpetual' | 'future' | 'option';
  asset: string;
  size: number;
  /** Option strike (USD); NaN for other kinds. */
  strike: number;
  /** Years to expiry; 0 for spot and perpetuals. */
  expiry: number;
  /** +1 call, -1 put; 0 for non-options. */
  type: 1 | -1 | 0;
  settlement: 'usd' | 'coin';
  /** Implied vol (options), else NaN. */
  vol: number;
  /** Index of the asset (USD). */
  index: number;
  /** Forward for the expiry (USD); the index for spot and perpetuals. */
  forward: number;
  /** ln(forward / index) / expiry (0 when expiry is 0). */
  basis: number;
  /** Discount rate of USD-settled options. */
  rate: number;
  /**
   * Entry price of futures and perpetuals (USD; NaN if not given: no unrealised P&L is counted, and a
   * coin-settled one's USD face is size x today's mark).
   */
  entryPrice: number;
  /** Accrued funding (USD, positive = received). */
  accruedFunding: number;
  /** Funding rate per year (perpetuals). */
  fundingRate: number;
  /** Mark value per unit in USD: option premium (coin options: coin price x index), future/perp/spot price. */
  markPerUnit: number;
  /** Instrument name if known. */
  instrument?: string;
  /** Path of the position in the caller's input, for messages (`accounts[3].positions[1]`). */
  path: string;
}

/** A collateral line after look-up. */
export interface ResolvedCollateral {
  asset: string;
  amount: number;
  /** USD price of one unit. */
  price: number;
}

/** An account after validation: resolved positions and collateral. */
export interface ResolvedAccount {
  id: string;
  positions: ResolvedPosition[];
  collateral: ResolvedCollateral[];
  path: string;
}
