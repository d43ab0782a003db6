/**
 * Standard (isolated) margin: every position margined on its own by a venue's published rules
 * (see {@link StandardMarginParams}): futures and perpetuals (linear or coin-settled) by risk-limit rates rising with size,
 * short options by the out-of-the-money-discounted formula with a floor plus the mark, long
 * options at their premium, spot holdings none. Accounts are validated and every option priced
 * in one Black-76 batch (resolveAccounts); totals, equity, margin ratios and a status per account.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { requireNumber } from '../arguments.js';
import { accountEquityOf, checkResolvedPosition, inverseFaceOf, isInversePosition, positionEquityOf, type EquityBreakdown } from './equity.js';
import { resolveAccounts } from './market.js';
import {
  checkHaircuts, checkLinearRule, checkOptionRule, checkStandardParams, DERIBIT_STANDARD, GENERIC_STANDARD, ruleFor, type LinearMarginRule, type ShortOptionRule, type StandardMarginParams,
} from './standard-params.js';
import type { MarginAccount, MarginMarket, ResolvedAccount, ResolvedPosition } from './types.js';

export {
  checkStandardParams, checkHaircuts, DERIBIT_STANDARD, GENERIC_STANDARD,
  type LinearMarginRule, type NotionalTier, type ShortOptionRule, type StandardMarginParams,
} from './standard-params.js';

/** Which published rule set a position's margin, with the numbers it used. */
export type MarginRuleName = 'size-linear' | 'notional-tier' | 'short-option' | 'long-option-premium' | 'spot';

/** One position's standard margin (USD). */
export interface PositionMargin {
  /** Path of the position in the input (`accounts[2].positions[0]`). */
  path: string;
  instrument?: string;
  kind: ResolvedPosition['kind'];
  asset: string;
  size: number;
  /**
   * |size| x mark for linear positions and spot; |N| x index / mark for coin-settled futures and
   * perpetuals of USD face N; |size| x the underlying price for options (USD).
   */
  notional: number;
  /** What the position adds to equity (see equity.ts). */
  value: number;
  initialMargin: number;
  maintenanceMargin: number;
  rule: MarginRuleName;
  /** The rule in words with its numbers, e.g. `tier 2 of 10 (notional 100000 <= 250000): IM 1%, MM 0.5% - 50`. */
  detail: string;
  /** Linear: the rates applied (fractions of notional). */
  initialRate?: number;
  maintenanceRate?: number;
  /** Tiered linear: 1-based tier, and whether the notional is past the last cap. */
  tier?: number;
  exceedsRiskLimit?: boolean;
  /** Short option: OTM / underlying subtracted from the initial rate, and whether the floor bound. */
  otmDiscount?: number;
  floored?: boolean;
  /** Fee charged on liquidation: the asset's fee rate x notional (0 without one). */
  liquidationFee: number;
}

/**
 * Where an account stands against its margins. `'invalid'`: equity, IM or MM came out NaN (a
 * value the inputs cannot support, e.g. amounts whose sum overflows); its numbers are not to be used.
 */
export type MarginStatus = 'healthy' | 'marginCall' | 'liquidation' | 'invalid';

/**
 * Status of equity against IM and MM (USD): `'invalid'` when any is NaN or IM/MM is infinite, else `'liquidation'` below
 * MM, `'marginCall'` below IM, `'healthy'`.
 * @throws InputError for an argument that is not a number (`equity`, `im`, `mm`).
 */
export function marginStatus(equity: number, im: number, mm: number): MarginStatus {
  requireNumber(equity, 'equity');
  requireNumber(im, 'im');
  requireNumber(mm, 'mm');
  // Infinite IM or MM (an overflowed notional) is no margin figure either: Infinity < Infinity is
  // false and would read as healthy beside a NaN margin ratio.
  if (Number.isNaN(equity) || !Number.isFinite(im) || !Number.isFinite(mm)) return 'invalid';
  return equity < mm ? 'liquidation' : equity < im ? 'marginCall' : 'healthy';
}

/** Standard margin of one account (USD). */
export interface StandardMarginResult {
  id: string;
  path: string;
  initialMargin: number;
  maintenanceMargin: number;
  /** Equity (collateral after haircuts + P&L + funding + option values) and its parts. */
  equity: number;
  equityBreakdown: EquityBreakdown;
  /** Equity - initial margin (negative: no new risk may be opened). */
  availableMargin: number;
  /** Maintenance margin / equity (Deribit's "MM ratio"; Infinity when equity <= 0 < MM). */
  marginRatio: number;
  /** Initial margin / equity. */
  initialMarginRatio: number;
  /** `liquidation` when equity < MM, `marginCall` when equity < IM, else `healthy`; `invalid` when equity, IM or MM is NaN. */
  status: MarginStatus;
  positions: PositionMargin[];
}

/** Options of {@link standardMargin}. */
export interface StandardMarginOptions {
  /** Collateral haircuts by asset, overriding `params.haircuts` (fractions in [0, 1]; `'*'` default). */
  haircuts?: Readonly<Record<string, number>>;
}

const STANDARD_OPTION_KEYS = ['haircuts'] as const satisfies readonly (keyof StandardMarginOptions)[];

/** A linear position's margin rates and amounts under `rule` at notional |size| x mark. */
export interface LinearMargin {
  initialMargin: number;
  maintenanceMargin: number;
  initialRate: number;
  maintenanceRate: number;
  /** Tier (0-based) for tiered rules; -1 for size-linear. */
  tier: number;
  /** Maintenance amount subtracted (tiered rules). */
  maintenanceAmount: number;
  exceedsRiskLimit: boolean;
}

/**
 * Maintenance amounts of a tiered rule: amount_k = amount_{k-1} + cap_{k-1} (rate_k - rate_{k-1}),
 * which makes notional x rate_k - amount_k continuous at every cap.
 * @param tiers a `'notional-tiers'` rule (validated as {@link checkStandardParams} would).
 * @throws InputError for a malformed rule (`tiers`, `tiers.tiers[2].upTo`, ...).
 */
export function maintenanceAmounts(tiers: LinearMarginRule & { type: 'notional-tiers' }): readonly number[] {
  checkLinearRule(tiers, 'tiers');
  if (tiers.type !== 'notional-tiers') throw new InputError('tiers.type', tiers.type, "'notional-tiers'");
  return tierAmounts(tiers);
}

/** {@link maintenanceAmounts} of a validated rule (the library's own callers). */
export function tierAmounts(tiers: LinearMarginRule & { type: 'notional-tiers' }): readonly number[] {
  let out = AMOUNTS.get(tiers);
  if (out) return out;
  const a = [0];
  for (let k = 1; k < tiers.tiers.length; k++) {
    a.push(a[k - 1] + (tiers.tiers[k - 1].upTo as number) * (tiers.tiers[k].maintenanceRate - tiers.tiers[k - 1].maintenanceRate));
  }
  out = Object.freeze(a);
  // Cached per rule object: validated parameter sets are treated as immutable (the presets are frozen).
  AMOUNTS.set(tiers, out);
  return out;
}

const AMOUNTS = new WeakMap<object, readonly number[]>();

/**
 * Initial and maintenance margin (USD) of a linear position of `size` units marked at `mark` USD.
 * @param rule a linear rule (validated as {@link checkStandardParams} would).
 * @throws InputError for a malformed rule (`rule...`) or a size or mark that is not a number.
 */
export function linearMargin(rule: LinearMarginRule, size: number, mark: number): LinearMargin {
  checkLinearRule(rule, 'rule');
  requireNumber(size, 'size');
  requireNumber(mark, 'mark');
  return linearMarginOf(rule, size, mark);
}

/** {@link linearMargin} under a validated rule (the library's own callers). */
function linearMarginOf(rule: LinearMarginRule, size: number, mark: number): LinearMargin {
  const notional = Math.abs(size) * mark;
  if (rule.type === 'size-linear') {
    const extra = Math.abs(size) * rule.ratePerUnit;
    const im = rule.initialRate + extra, mm = rule.maintenanceRate + extra;
    return { initialMargin: notional * im, maintenanceMargin: notional * mm, initialRate: im, maintenanceRate: mm, tier: -1, maintenanceAmount: 0, exceedsRiskLimit: false };
  }
  const tiers = rule.tiers;
  let k = 0;
  while (k < tiers.length - 1 && notional > (tiers[k].upTo as number)) k++;
  const last = tiers[tiers.length - 1].upTo;
  const amount = tierAmounts(rule)[k];
  return {
    initialMargin: notional * tiers[k].initialRate,
    maintenanceMargin: notional * tiers[k].maintenanceRate - amount,
    initialRate: tiers[k].initialRate,
    maintenanceRate: tiers[k].maintenanceRate,
    tier: k,
    maintenanceAmount: amount,
    exceedsRiskLimit: last !== null && notional > last,
  };
}

/** Short option margin per unit of underlying (USD) and how it was reached. */
export interface ShortOptionMargin {
  initialMargin: number;
  maintenanceMargin: number;
  /** Underlying price U the OTM amount is measured against. */
  underlying: number;
  /** USD value of one coin of formula amount. */
  unit: number;
  otmDiscount: number;
  floored: boolean;
}

/**
 * Short-option margin per unit of underlying (see {@link ShortOptionRule}) for an option on an
 * asset at `index` with forward `forward`, strike, +1 call / -1 put, USD mark per unit.
 * @throws InputError for a malformed rule (`rule...`), a type other than 1 or -1, a number argument
 * that is not a number, or a settlement other than 'usd' or 'coin'.
 */
export function shortOptionMargin(
  rule: ShortOptionRule, type: 1 | -1, strike: number, index: number, forward: number, mark: number, settlement: 'usd' | 'coin',
): ShortOptionMargin {
  checkOptionRule(rule, 'rule');
  if (type !== 1 && type !== -1) throw new InputError('type', type, '1 (call) or -1 (put)');
  requireNumber(strike, 'strike');
  requireNumber(index, 'index');
  requireNumber(forward, 'forward');
  requireNumber(mark, 'mark');
  if (settlement !== 'usd' && settlement !== 'coin') throw new InputError('settlement', settlement, "'usd' or 'coin'");
  return shortOptionMarginOf(rule, type, strike, index, forward, mark, settlement);
}

/** {@link shortOptionMargin} with validated arguments (the library's own callers). */
function shortOptionMarginOf(
  rule: ShortOptionRule, type: 1 | -1, strike: number, index: number, forward: number, mark: number, settlement: 'usd' | 'coin',
): ShortOptionMargin {
  const U = rule.underlying === 'forward' ? forward : index;
  const unit = settlement === 'coin' ? index : U;
  const otm = type === 1 ? Math.max(strike - U, 0) : Math.max(U - strike, 0);
  const discounted = rule.initialRate - otm / U;
  const floored = discounted < rule.initialFloor;
  const imRate = floored ? rule.initialFloor : discounted;
  const markRate = type === 1 ? rule.maintenanceMarkRate.call : rule.maintenanceMarkRate.put;
  const mm = Math.max(rule.maintenanceRate * unit, markRate * mark) + mark;
  // The published put rule floors IM at MM; applying it to calls too keeps IM >= MM for any parameters.
  const im = Math.max(imRate * unit + mark, mm);
  return { initialMargin: im, maintenanceMargin: mm, underlying: U, unit, otmDiscount: otm / U, floored };
}

/** The linear rule of `asset`. @throws InputError at the position's path when params have none. */
export function linearRuleOf(params: StandardMarginParams, p: ResolvedPosition): LinearMarginRule {
  const rule = ruleFor(params.linear, p.asset);
  if (!rule) throw new InputError(`${p.path}.asset`, p.asset, `an asset with a linear rule in params.linear (${Object.keys(params.linear).join(', ')})`);
  return rule;
}

/** The short-option rule of `asset`. @throws InputError at the position's path when params have none. */
export function optionRuleOf(params: StandardMarginParams, p: ResolvedPosition): ShortOptionRule {
  const rule = ruleFor(params.options, p.asset);
  if (!rule) throw new InputError(`${p.path}.asset`, p.asset, `an asset with an option rule in params.options (${Object.keys(params.options).join(', ')})`);
  return rule;
}

// Built as one literal per result: object spread is ~25x slower in V8 and this runs per position.
function result(
  p: ResolvedPosition, value: number, notional: number, im: number, mm: number, rule: MarginRuleName, detail: string, fee: number,
): PositionMargin {
  return {
    path: p.path, instrument: p.instrument, kind: p.kind, asset: p.asset, size: p.size, notional, value,
    initialMargin: im, maintenanceMargin: mm, rule, detail, liquidationFee: fee,
  };
}

/**
 * One resolved position's standard margin (USD); a coin-settled future or perpetual is margined as
 * |N| / mark coins of USD notional |N| x index / mark (N its USD face, see docs/margin.md).
 * @param position a position as resolveAccounts builds it.
 * @throws InputError for a malformed position (`position.<field>`), params (`params...`) or haircuts
 * (`haircuts.<asset>`), or when params have no rule for its asset (`<path>.asset`).
 */
export function positionMargin(position: ResolvedPosition, params: StandardMarginParams, haircuts?: Readonly<Record<string, number>>): PositionMargin {
  const p = checkResolvedPosition(position, 'position');
  if (params !== DERIBIT_STANDARD && params !== GENERIC_STANDARD) checkStandardParams(params);
  return positionMarginOf(p, params, haircuts === undefined ? undefined : checkHaircuts(haircuts, 'haircuts'));
}

/** {@link positionMargin} of a position built by resolveAccounts, validated params and haircuts. */
function positionMarginOf(p: ResolvedPosition, params: StandardMarginParams, haircuts?: Readonly<Record<string, number>>): PositionMargin {
  const value = positionEquityOf(p, haircuts);
  if (p.kind === 'spot') return result(p, value, Math.abs(p.size) * p.index, 0, 0, 'spot', 'spot holding: no margin, counted in equity', 0);
  const feeRate = ruleFor(params.liquidationFee, p.asset) ?? 0;
  if (p.kind === 'option') {
    const q = Math.abs(p.size);
    if (p.size >= 0) {
      const prem = q * p.markPerUnit;
      return result(p, value, q * p.forward, prem, prem, 'long-option-premium', `long option at its premium: ${q} x mark ${p.markPerUnit}`, 0);
    }
    const rule = optionRuleOf(params, p);
    const m = shortOptionMarginOf(rule, p.type as 1 | -1, p.strike, p.index, p.forward, p.markPerUnit, p.settlement);
    const notional = q * m.underlying;
    const detail = `short ${p.type === 1 ? 'call' : 'put'} per unit: IM max(max(${rule.initialRate} - OTM/U ${m.otmDiscount}, floor ${rule.initialFloor})`
      + ` x ${m.unit} + mark ${p.markPerUnit}, MM); MM max(${rule.maintenanceRate} x ${m.unit}, `
      + `${p.type === 1 ? rule.maintenanceMarkRate.call : rule.maintenanceMarkRate.put} x mark) + mark; x ${q}`;
    const r = result(p, value, notional, q * m.initialMargin, q * m.maintenanceMargin, 'short-option', detail, feeRate * notional);
    r.otmDiscount = m.otmDiscount;
    r.floored = m.floored;
    return r;
  }
  const rule = linearRuleOf(params, p);
  // A coin-settled (inverse) position of USD face N is, for the rules, |N| / F coins at the mark F,
  // worth |N| S / F USD at the index S: the tiers read that notional, the size term that coin size.
  const inverse = isInversePosition(p);
  const face = inverse ? inverseFaceOf(p) : NaN;
  const size = inverse ? face / p.markPerUnit : p.size;
  const mark = inverse ? p.index : p.markPerUnit;
  const m = linearMarginOf(rule, size, mark);
  const notional = Math.abs(size) * mark;
  let detail: string;
  if (rule.type === 'size-linear') {
    detail = `size-linear: IM rate ${rule.initialRate} + ${Math.abs(size)} x ${rule.ratePerUnit} = ${m.initialRate}, MM rate ${m.maintenanceRate}, of notional ${notional}`;
  } else {
    const cap = rule.tiers[m.tier].upTo;
    detail = `tier ${m.tier + 1} of ${rule.tiers.length} (notional ${notional} ${m.exceedsRiskLimit ? `> last cap ${cap}` : `<= ${cap ?? 'no cap'}`}): `
      + `IM rate ${m.initialRate}, MM rate ${m.maintenanceRate} - ${m.maintenanceAmount}`;
  }
  if (inverse) {
    detail = `inverse (coin-settled): face N ${face} USD, size |N| / mark ${p.markPerUnit} = ${Math.abs(size)} coins, `
      + `notional |N| x index ${p.index} / mark = ${notional} USD (${rule.type === 'size-linear' ? 'size term on the coin size' : 'tiers on the USD notional'}); ${detail}`;
  }
  const r = result(p, value, notional, m.initialMargin, m.maintenanceMargin, rule.type === 'size-linear' ? 'size-linear' : 'notional-tier', detail, feeRate * notional);
  r.initialRate = m.initialRate;
  r.maintenanceRate = m.maintenanceRate;
  if (m.tier >= 0) {
    r.tier = m.tier + 1;
    r.exceedsRiskLimit = m.exceedsRiskLimit;
  }
  return r;
}

/** Haircuts in force: `options.haircuts`, else `params.haircuts`. @throws InputError for a bad haircut. */
export function haircutsFor(params: StandardMarginParams, options?: StandardMarginOptions): Readonly<Record<string, number>> | undefined {
  if (options?.haircuts !== undefined) return checkHaircuts(options.haircuts, 'options.haircuts');
  return params.haircuts;
}

/** Standard margin of resolved accounts (the engine-free core of {@link standardMargin}). */
export function standardMarginResolved(
  accounts: readonly ResolvedAccount[], params: StandardMarginParams, haircuts?: Readonly<Record<string, number>>,
): StandardMarginResult[] {
  return accounts.map((acc) => {
    const positions = acc.positions.map((p) => positionMarginOf(p, params, haircuts));
    let im = 0, mm = 0;
    for (const p of positions) {
      im += p.initialMargin;
      mm += p.maintenanceMargin;
    }
    const eq = accountEquityOf(acc, haircuts);
    const ratio = (m: number) => (m === 0 ? 0 : eq.equity > 0 ? m / eq.equity : Infinity);
    return {
      id: acc.id, path: acc.path, initialMargin: im, maintenanceMargin: mm, equity: eq.equity, equityBreakdown: eq,
      availableMargin: eq.equity - im, marginRatio: ratio(mm), initialMarginRatio: ratio(im),
      status: marginStatus(eq.equity, im, mm),
      positions,
    };
  });
}

/**
 * Standard (isolated) margin of one account or a batch: per position IM and MM with the rule used,
 * per account totals, equity, margin ratios and status (all USD).
 * @param ctx engine context (prices every option of every account in one Black-76 batch).
 * @param accounts one account (one result) or an array (an array of results).
 * @param params a parameter set, e.g. `DERIBIT_STANDARD` or `GENERIC_STANDARD`.
 * @throws InputError for malformed accounts, market or params (unknown instrument, expired option,
 * missing vol, negative collateral, short spot, an asset without a rule, a settlement other than
 * 'usd' or 'coin': `<position>.settlement`), with the field's path.
 */
export function standardMargin(
  ctx: EngineContext, accounts: MarginAccount, market: MarginMarket, params: StandardMarginParams, options?: StandardMarginOptions,
): StandardMarginResult;
export function standardMargin(
  ctx: EngineContext, accounts: readonly MarginAccount[], market: MarginMarket, params: StandardMarginParams, options?: StandardMarginOptions,
): StandardMarginResult[];
export function standardMargin(
  ctx: EngineContext, accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, params: StandardMarginParams, options?: StandardMarginOptions,
): StandardMarginResult | StandardMarginResult[];
export function standardMargin(
  ctx: EngineContext, accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, params: StandardMarginParams, options?: StandardMarginOptions,
): StandardMarginResult | StandardMarginResult[] {
  checkStandardParams(params);
  if (options !== undefined) {
    if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an options object { haircuts? }');
    checkKeys(options, STANDARD_OPTION_KEYS, 'options');
  }
  const haircuts = haircutsFor(params, options);
  const results = standardMarginResolved(resolveAccounts(ctx, accounts, market), params, haircuts);
  return Array.isArray(accounts) ? results : results[0];
}
