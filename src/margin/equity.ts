/**
 * Account equity in USD at today's market: collateral valued at the index less haircuts, spot
 * holdings likewise, unrealised P&L of futures and perpetuals from their entry price (coin-settled
 * ones in coin, valued at the index), accrued funding, and option marks (long options add their
 * value, short options subtract it). Standard margin, liquidation prices and the collateral
 * functions share this one definition.
 */
import { InputError } from '../errors.js';
import { requireArrayLike, requireNumber, requireRecord } from '../arguments.js';
import { checkHaircuts, ruleFor } from './standard-params.js';
import type { ResolvedAccount, ResolvedPosition } from './types.js';

const KINDS: ReadonlySet<unknown> = new Set(['spot', 'perpetual', 'future', 'option']);
const NUMBER_FIELDS = [
  'size', 'strike', 'expiry', 'vol', 'index', 'forward', 'basis', 'rate', 'entryPrice', 'accruedFunding', 'fundingRate', 'markPerUnit',
] as const satisfies readonly (keyof ResolvedPosition)[];

/**
 * Shape check of a {@link ResolvedPosition} handed to a public function (the library's own callers
 * pass positions built by resolveAccounts and skip it): a known kind, string asset and path, numbers
 * where numbers belong (NaN allowed: strike and vol are NaN off options), type +1 / -1 / 0 and a
 * settlement of 'usd' or 'coin'.
 * @throws InputError naming the field (`position.size`).
 */
export function checkResolvedPosition(p: unknown, path: string): ResolvedPosition {
  const r = requireRecord(p, path);
  if (!KINDS.has(r.kind)) throw new InputError(`${path}.kind`, r.kind, "'spot', 'perpetual', 'future' or 'option'");
  if (typeof r.asset !== 'string') throw new InputError(`${path}.asset`, r.asset, 'an asset name');
  for (const k of NUMBER_FIELDS) requireNumber(r[k], `${path}.${k}`);
  if (r.type !== 1 && r.type !== -1 && r.type !== 0) throw new InputError(`${path}.type`, r.type, '1 (call), -1 (put) or 0');
  if (r.settlement !== 'usd' && r.settlement !== 'coin') throw new InputError(`${path}.settlement`, r.settlement, "'usd' or 'coin'");
  if (r.instrument !== undefined && typeof r.instrument !== 'string') throw new InputError(`${path}.instrument`, r.instrument, 'a string');
  if (typeof r.path !== 'string') throw new InputError(`${path}.path`, r.path, 'a string');
  return r as unknown as ResolvedPosition;
}

/**
 * Shape check of a {@link ResolvedAccount} handed to a public function: id and path strings, every
 * position as {@link checkResolvedPosition}, every collateral line { asset, amount, price }.
 * @throws InputError naming the field (`account.positions[2].kind`).
 */
function checkResolvedAccount(a: unknown, path: string): ResolvedAccount {
  const r = requireRecord(a, path);
  if (typeof r.id !== 'string') throw new InputError(`${path}.id`, r.id, 'a string');
  if (typeof r.path !== 'string') throw new InputError(`${path}.path`, r.path, 'a string');
  const ps = requireArrayLike(r.positions, `${path}.positions`);
  for (let i = 0; i < ps.length; i++) checkResolvedPosition(ps[i], `${path}.positions[${i}]`);
  const cs = requireArrayLike(r.collateral, `${path}.collateral`);
  for (let i = 0; i < cs.length; i++) {
    const c = requireRecord(cs[i], `${path}.collateral[${i}]`);
    if (typeof c.asset !== 'string') throw new InputError(`${path}.collateral[${i}].asset`, c.asset, 'an asset name');
    requireNumber(c.amount, `${path}.collateral[${i}].amount`);
    requireNumber(c.price, `${path}.collateral[${i}].price`);
  }
  return r as unknown as ResolvedAccount;
}

/** `haircuts` as given to a public function: undefined or a table of haircuts in [0, 1]. */
function optionalHaircuts(haircuts: unknown): Readonly<Record<string, number>> | undefined {
  return haircuts === undefined ? undefined : checkHaircuts(haircuts, 'haircuts');
}

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

/**
 * The haircut (fraction in [0, 1]) of `asset`: `haircuts[asset]`, else `haircuts['*']`, else 0.
 * @throws InputError for haircuts that are not an object of haircuts in [0, 1] (`haircuts.<asset>`)
 * or an asset that is not a string (`asset`).
 */
export function haircutOf(haircuts: Readonly<Record<string, number>> | undefined, asset: string): number {
  const h = optionalHaircuts(haircuts);
  if (typeof asset !== 'string') throw new InputError('asset', asset, 'an asset name');
  return haircutRate(h, asset);
}

/** {@link haircutOf} on validated haircuts (the library's own callers). */
export function haircutRate(haircuts: Readonly<Record<string, number>> | undefined, asset: string): number {
  return ruleFor(haircuts, asset) ?? 0;
}

/**
 * Whether a resolved position is a coin-settled (inverse) future or perpetual.
 * @throws InputError for a malformed position (`position.<field>`).
 */
export function isInverse(position: ResolvedPosition): boolean {
  return isInversePosition(checkResolvedPosition(position, 'position'));
}

/** {@link isInverse} of a position built by resolveAccounts. */
export function isInversePosition(p: ResolvedPosition): boolean {
  return (p.kind === 'future' || p.kind === 'perpetual') && p.settlement === 'coin';
}

/**
 * USD face N of a coin-settled future or perpetual: size (coins) x entry price, or x today's mark
 * (forward for a future, index for a perpetual) without one, so that its P&L today is 0. Signed
 * like the size.
 * @throws InputError for a malformed position (`position.<field>`).
 */
export function inverseFace(position: ResolvedPosition): number {
  return inverseFaceOf(checkResolvedPosition(position, 'position'));
}

/** {@link inverseFace} of a position built by resolveAccounts. */
export function inverseFaceOf(p: ResolvedPosition): number {
  return p.size * (Number.isFinite(p.entryPrice) ? p.entryPrice : p.markPerUnit);
}

/**
 * Unrealised P&L (USD) of a future or perpetual: linear size x (mark - entry), none without an
 * entry price; coin-settled N (1/entry - 1/mark) coins at the index (N = {@link inverseFace}; 0
 * without an entry price, the face then being fixed at today's mark).
 * @throws InputError for a malformed position (`position.<field>`).
 */
export function unrealisedPnl(position: ResolvedPosition): number {
  return unrealisedPnlOf(checkResolvedPosition(position, 'position'));
}

/** {@link unrealisedPnl} of a position built by resolveAccounts. */
function unrealisedPnlOf(p: ResolvedPosition): number {
  if (isInversePosition(p)) {
    const E = Number.isFinite(p.entryPrice) ? p.entryPrice : p.markPerUnit;
    return p.size * E * (1 / E - 1 / p.markPerUnit) * p.index;
  }
  return Number.isFinite(p.entryPrice) ? p.size * (p.markPerUnit - p.entryPrice) : 0;
}

/**
 * USD value a position adds to equity today: spot at the index after haircut, the option's mark
 * value, or a future's or perpetual's unrealised P&L (see {@link unrealisedPnl}) plus accrued
 * funding (USD).
 * @throws InputError for a malformed position (`position.<field>`) or haircut (`haircuts.<asset>`).
 */
export function positionEquity(position: ResolvedPosition, haircuts?: Readonly<Record<string, number>>): number {
  return positionEquityOf(checkResolvedPosition(position, 'position'), optionalHaircuts(haircuts));
}

/** {@link positionEquity} of a position built by resolveAccounts, with validated haircuts. */
export function positionEquityOf(p: ResolvedPosition, haircuts?: Readonly<Record<string, number>>): number {
  switch (p.kind) {
    case 'spot':
      return p.size * p.index * (1 - haircutRate(haircuts, p.asset));
    case 'option':
      return p.size * p.markPerUnit;
    default:
      return unrealisedPnlOf(p) + p.accruedFunding;
  }
}

/**
 * Equity of a resolved account (see {@link EquityBreakdown}), in USD.
 * @param haircuts fraction of each asset's value not counted (`'*'` for every other asset); stablecoins too if listed.
 * @throws InputError for a haircut outside [0, 1] (`haircuts.<asset>`) or a malformed account
 * (`account.<field>`: accountEquity takes what resolveAccounts returns).
 */
export function accountEquity(account: ResolvedAccount, haircuts?: Readonly<Record<string, number>>): EquityBreakdown {
  return accountEquityOf(checkResolvedAccount(account, 'account'), optionalHaircuts(haircuts));
}

/** {@link accountEquity} of an account built by resolveAccounts, with validated haircuts. */
export function accountEquityOf(account: ResolvedAccount, haircuts?: Readonly<Record<string, number>>): EquityBreakdown {
  const r: EquityBreakdown = { collateral: 0, haircut: 0, spot: 0, unrealisedPnl: 0, funding: 0, optionValue: 0, equity: 0 };
  for (const c of account.collateral) {
    const gross = c.amount * c.price;
    const h = haircutRate(haircuts, c.asset);
    r.collateral += gross * (1 - h);
    r.haircut += gross * h;
  }
  for (const p of account.positions) {
    if (p.kind === 'spot') {
      const gross = p.size * p.index;
      const h = haircutRate(haircuts, p.asset);
      r.spot += gross * (1 - h);
      r.haircut += gross * h;
    } else if (p.kind === 'option') {
      r.optionValue += p.size * p.markPerUnit;
    } else {
      r.unrealisedPnl += unrealisedPnlOf(p);
      r.funding += p.accruedFunding;
    }
  }
  r.equity = r.collateral + r.spot + r.unrealisedPnl + r.funding + r.optionValue;
  return r;
}
