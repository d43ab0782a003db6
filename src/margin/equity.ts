/**
 * Account equity in USD at today's market: collateral valued at the index less haircuts, spot
 * holdings likewise, unrealised P&L of linear positions from their entry price, accrued funding,
 * and option marks (long options add their value, short options subtract it). Standard margin,
 * liquidation prices and the collateral functions share this one definition.
 */
import { InputError } from '../errors.js';
import type { ResolvedAccount, ResolvedPosition } from './types.js';

/** An account's equity and what it is made of (USD). */
export interface EquityBreakdown {
  /** Collateral at the index, after haircuts. */
  collateral: number;
  /** Haircut taken off the collateral and spot holdings. */
  haircut: number;
  /** Spot positions at the index, after haircuts. */
  spot: number;
  /** Unrealised P&L of perpetuals and futures with an entry price: size x (mark - entry). */
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
  if (!haircuts) return 0;
  const h = Object.prototype.hasOwnProperty.call(haircuts, asset) ? haircuts[asset] : haircuts['*'];
  return h ?? 0;
}

/**
 * Rejects a coin-settled (inverse) future: standard margin, equity and liquidation prices value
 * futures as linear in USD (P&L = size x change of the forward), which is not an inverse future's
 * P&L; only the portfolio margin values them as inverse (see portfolio-margin.ts).
 * @throws InputError at `<position path>.settlement`.
 */
export function checkLinearSettlement(p: ResolvedPosition): void {
  if (p.kind === 'future' && p.settlement === 'coin') {
    throw new InputError(`${p.path}.settlement`, p.settlement,
      "'usd' (coin-settled inverse futures are supported only by portfolioMargin; standard margin, equity and liquidation prices treat futures as linear)");
  }
}

/**
 * USD value a position adds to equity today: spot at the index after haircut, linear P&L from the
 * entry price (none without one) plus accrued funding, or the option's mark value.
 * @throws InputError for a coin-settled future (see {@link checkLinearSettlement}).
 */
export function positionEquity(p: ResolvedPosition, haircuts?: Readonly<Record<string, number>>): number {
  switch (p.kind) {
    case 'spot':
      return p.size * p.index * (1 - haircutOf(haircuts, p.asset));
    case 'option':
      return p.size * p.markPerUnit;
    default:
      checkLinearSettlement(p);
      return (Number.isFinite(p.entryPrice) ? p.size * (p.markPerUnit - p.entryPrice) : 0) + p.accruedFunding;
  }
}

/**
 * Equity of a resolved account (see {@link EquityBreakdown}), in USD.
 * @param haircuts fraction of each asset's value not counted (`'*'` for every other asset); stablecoins too if listed.
 * @throws InputError for a haircut outside [0, 1], or a coin-settled future (see {@link checkLinearSettlement}).
 */
export function accountEquity(account: ResolvedAccount, haircuts?: Readonly<Record<string, number>>): EquityBreakdown {
  if (haircuts !== undefined) {
    for (const [asset, h] of Object.entries(haircuts)) {
      if (typeof h !== 'number' || !(h >= 0 && h <= 1)) throw new InputError(`haircuts.${asset}`, h, 'a haircut in [0, 1]');
    }
  }
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
      checkLinearSettlement(p);
      if (Number.isFinite(p.entryPrice)) r.unrealisedPnl += p.size * (p.markPerUnit - p.entryPrice);
      r.funding += p.accruedFunding;
    }
  }
  r.equity = r.collateral + r.spot + r.unrealisedPnl + r.funding + r.optionValue;
  return r;
}
