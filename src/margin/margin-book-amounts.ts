/**
 * Per-position amounts of the live margin book: a position's standard IM and MM and what it adds
 * to equity, from its instrument (a resolved unit) plus its own size, entry price and funding.
 * The arithmetic is standardMargin's and accountEquity's, step for step (same operations in the
 * same order), so a book's totals equal a from-scratch standardMargin of the same state bit for bit
 * up to the order of the kernels' option marks; the detail strings of standardMargin are not built.
 */
import { InputError } from '../errors.js';
import { ruleFor, type StandardMarginParams } from './standard-params.js';
import { tierAmounts } from './standard-margin.js';
import type { ResolvedPosition } from './types.js';

type OptionRule = StandardMarginParams['options'][string];
type LinearRule = StandardMarginParams['linear'][string];

/** Which equity bucket a position's value falls in (accountEquity's breakdown). */
export const SPOT = 0, OPTION = 1, LINEAR = 2;

/** Equity bucket of a position kind. */
export function bucketOf(kind: ResolvedPosition['kind']): number {
  return kind === 'spot' ? SPOT : kind === 'option' ? OPTION : LINEAR;
}

/** Haircut of `asset` in validated haircuts (`'*'` default, else 0). */
export function haircutIn(haircuts: Readonly<Record<string, number>> | undefined, asset: string): number {
  return ruleFor(haircuts, asset) ?? 0;
}

/**
 * Unrealised P&L (USD) of a future or perpetual of `size` coins with entry price `entry` (NaN: none)
 * on instrument `u` (equity.ts's unrealisedPnl, same operation order).
 */
export function unrealisedOf(u: ResolvedPosition, size: number, entry: number): number {
  if ((u.kind === 'future' || u.kind === 'perpetual') && u.settlement === 'coin') {
    const E = Number.isFinite(entry) ? entry : u.markPerUnit;
    return size * E * (1 / E - 1 / u.markPerUnit) * u.index;
  }
  return Number.isFinite(entry) ? size * (u.markPerUnit - entry) : 0;
}

/**
 * Equity value (USD) of a position in its bucket: spot after haircut, option size x mark, or a
 * linear position's unrealised P&L (funding is kept apart, as accountEquity keeps it).
 */
export function positionValue(u: ResolvedPosition, size: number, entry: number, haircuts: Readonly<Record<string, number>> | undefined): number {
  if (u.kind === 'spot') return size * u.index * (1 - haircutIn(haircuts, u.asset));
  if (u.kind === 'option') return size * u.markPerUnit;
  return unrealisedOf(u, size, entry);
}

/**
 * Standard initial and maintenance margin (USD) of a position, written to `out[0]`, `out[1]`:
 * standardMargin's positionMargin (linearMargin, shortOptionMargin) without its detail string and
 * without an object per call, the same operations in the same order (this runs for every exposed
 * position on every tick; the book's property test holds the two to 1e-12).
 * @param pathOf the position's path for the missing-rule error (built only then).
 * @param cached its rule when the caller looked it up before (the book keeps it on the unit), else undefined.
 * @throws InputError at `<path>.asset` when params have no rule for its asset.
 */
export function standardAmounts(
  u: ResolvedPosition, size: number, entry: number, params: StandardMarginParams, pathOf: (k: number) => string, k: number, out: Float64Array,
  cached?: unknown,
): void {
  if (u.kind === 'spot') {
    out[0] = 0;
    out[1] = 0;
    return;
  }
  if (u.kind === 'option') {
    const q = Math.abs(size);
    if (size >= 0) {
      const prem = q * u.markPerUnit;
      out[0] = prem;
      out[1] = prem;
      return;
    }
    const rule = (cached as OptionRule | undefined) ?? ruleFor(params.options, u.asset);
    if (!rule) throw new InputError(`${pathOf(k)}.asset`, u.asset, `an asset with an option rule in params.options (${Object.keys(params.options).join(', ')})`);
    // shortOptionMargin per unit.
    const type = u.type, mark = u.markPerUnit;
    const U = rule.underlying === 'forward' ? u.forward : u.index;
    const unit = u.settlement === 'coin' ? u.index : U;
    const otm = type === 1 ? Math.max(u.strike - U, 0) : Math.max(U - u.strike, 0);
    const discounted = rule.initialRate - otm / U;
    const imRate = discounted < rule.initialFloor ? rule.initialFloor : discounted;
    const markRate = type === 1 ? rule.maintenanceMarkRate.call : rule.maintenanceMarkRate.put;
    const mm = Math.max(rule.maintenanceRate * unit, markRate * mark) + mark;
    const im = Math.max(imRate * unit + mark, mm);
    out[0] = q * im;
    out[1] = q * mm;
    return;
  }
  const rule = (cached as LinearRule | undefined) ?? ruleFor(params.linear, u.asset);
  if (!rule) throw new InputError(`${pathOf(k)}.asset`, u.asset, `an asset with a linear rule in params.linear (${Object.keys(params.linear).join(', ')})`);
  // A coin-settled position of USD face N: |N| / mark coins at the index (standardMargin's rule).
  const inverse = u.settlement === 'coin';
  const face = inverse ? size * (Number.isFinite(entry) ? entry : u.markPerUnit) : NaN;
  const sz = inverse ? face / u.markPerUnit : size;
  const mark = inverse ? u.index : u.markPerUnit;
  // linearMargin.
  const notional = Math.abs(sz) * mark;
  if (rule.type === 'size-linear') {
    const extra = Math.abs(sz) * rule.ratePerUnit;
    out[0] = notional * (rule.initialRate + extra);
    out[1] = notional * (rule.maintenanceRate + extra);
    return;
  }
  const tiers = rule.tiers;
  let t = 0;
  while (t < tiers.length - 1 && notional > (tiers[t].upTo as number)) t++;
  out[0] = notional * tiers[t].initialRate;
  out[1] = notional * tiers[t].maintenanceRate - tierAmounts(rule)[t];
}

/** An account's totals (USD) as standardMargin reports them. */
export interface AccountTotals {
  initialMargin: number;
  maintenanceMargin: number;
  equity: number;
}

/**
 * Ratio of a margin to equity as standardMargin defines it: 0 for no margin, Infinity when equity
 * <= 0 < margin.
 */
export function marginRatioOf(margin: number, equity: number): number {
  return margin === 0 ? 0 : equity > 0 ? margin / equity : Infinity;
}
