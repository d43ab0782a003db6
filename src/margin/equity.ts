/**
 * Account equity in USD at today's market: collateral valued at the index less haircuts, spot
 * holdings likewise, unrealised P&L of futures and perpetuals from their entry price (coin-settled
 * ones in coin, valued at the index), accrued funding, and option marks (long options add their
 * value, short options subtract it). Standard margin, liquidation prices and the collateral
 * functions share this one definition.
 */
import { checkHaircuts, ruleFor } from './standard-params.js';
import type { ResolvedAccount, ResolvedPosition } from './types.js';

/** An account's equity and what it is made of (USD). */
export interface EquityBreakdown {
  /** Collateral at the index, after haircuts. */
  collateral: number;
  /** Haircut taken off the collateral and spot holdings. */
  haircut: number;
  /** Spot positions at the index, after haircuts. */
  spot: number;
  /**
   * Unrealised P&L of perpetuals and futures with an entry price: linear size x (mark - entry);
   * coin-settled N (1/entry - 1/mark) x index with N = size x entry.
   */
  unrealisedPnl: number;
  /** Accrued, unsettled funding of perpetuals (positive = received). */
  funding: number;
  /** Option marks: size x USD mark per unit (negative for net short options). */
  optionValue: number;
  /** Sum of the above. */
  equity: number;
}

/** The haircut (fraction in [0, 1]) of `asset`: `haircuts[asset]`, else `haircuts['*']`, else 0. */
export function haircutOf(haircuts: Readonly<Record<string, number>> | undefined, asset: string): number {
  return ruleFor(haircuts, asset) ?? 0;
}

/**
 * Whether a resolved position is a coin-settled (inverse) future or perpetual.
 * @throws Nothing.
 */
export function isInverse(p: ResolvedPosition): boolean {
  return (p.kind === 'future' || p.kind === 'perpetual') && p.settlement === 'coin';
}

/**
 * USD face N of a coin-settled future or perpetual: size (coins) x entry price, or x today's mark
 * (forward for a future, index for a perpetual) without one, so that its P&L today is 0. Signed
 * like the size.
 * @throws Nothing.
 */
export function inverseFace(p: ResolvedPosition): number {
  return p.size * (Number.isFinite(p.entryPrice) ? p.entryPrice : p.markPerUnit);
}

/**
 * Unrealised P&L (USD) of a future or perpetual: linear size x (mark - entry), none without an
 * entry price; coin-settled N (1/entry - 1/mark) coins at the index (N = {@link inverseFace}; 0
 * without an entry price, the face then being fixed at today's mark).
 * @throws Nothing.
 */
export function unrealisedPnl(p: ResolvedPosition): number {
  if (isInverse(p)) {
    const E = Number.isFinite(p.entryPrice) ? p.entryPrice : p.markPerUnit;
    return p.size * E * (1 / E - 1 / p.markPerUnit) * p.index;
  }
  return Number.isFinite(p.entryPrice) ? p.size * (p.markPerUnit - p.entryPrice) : 0;
}

/**
 * USD value a position adds to equity today: spot at the index after haircut, the option's mark
 * value, or a future's or perpetual's unrealised P&L (see {@link unrealisedPnl}) plus accrued
 * funding (USD).
 * @throws Nothing: the position is resolved and haircuts are validated by the callers.
 */
export function positionEquity(p: ResolvedPosition, haircuts?: Readonly<Record<string, number>>): number {
  switch (p.kind) {
    case 'spot':
      return p.size * p.index * (1 - haircutOf(haircuts, p.asset));
    case 'option':
      return p.size * p.markPerUnit;
    default:
      return unrealisedPnl(p) + p.accruedFunding;
  }
}

/**
 * Equity of a resolved account (see {@link EquityBreakdown}), in USD.
 * @param haircuts fraction of each asset's value not counted (`'*'` for every other asset); stablecoins too if listed.
 * @throws InputError for a haircut outside [0, 1] (`haircuts.<asset>`).
 */
export function accountEquity(account: ResolvedAccount, haircuts?: Readonly<Record<string, number>>): EquityBreakdown {
  if (haircuts !== undefined) checkHaircuts(haircuts, 'haircuts');
  const r: EquityBreakdown = { collateral: 0, haircut: 0, spot: 0, unrealisedPnl: 0, funding: 0, optionValue: 0, equity: 0 };
  for (const c of account.collateral) {
    const gross = c.amount * c.price;
    const h = haircutOf(haircuts, c.asset);
    r.collateral += gross * (1 - h);
    r.haircut += gross * h;
  }
  for (const p of account.positions) {
    if (p.kind === 'spot') {
      const gross = p.size * p.index;
      const h = haircutOf(haircuts, p.asset);
      r.spot += gross * (1 - h);
      r.haircut += gross * h;
    } else if (p.kind === 'option') {
      r.optionValue += p.size * p.markPerUnit;
    } else {
      r.unrealisedPnl += unrealisedPnl(p);
      r.funding += p.accruedFunding;
    }
  }
  r.equity = r.collateral + r.spot + r.unrealisedPnl + r.funding + r.optionValue;
  return r;
}
