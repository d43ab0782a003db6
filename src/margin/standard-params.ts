/**
 * Parameter sets of standard (isolated, per-position) margin, their validation and the shipped
 * presets. The presets are copies of `data/margin/standard-*.json` (where their sources are
 * documented); a test checks that each preset equals its JSON file, so the two cannot drift.
 * They are restated here because the published package ships `dist/` only, and an import of
 * `../../data/...` from `dist/margin/` would point outside it.
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';

/**
 * Futures and perpetuals: margin as a fraction of notional (|size| x mark, USD).
 * `size-linear` (Deribit): rate = base + |size| x `ratePerUnit` (size in units of the underlying).
 * `notional-tiers` (Binance-style risk limits): initial = notional x the initial rate of the tier
 * holding the whole notional; maintenance = notional x its rate - the tier's maintenance amount,
 * the amount that makes maintenance continuous ("tax bracket"): each slice of notional pays its
 * own tier's rate.
 */
export type LinearMarginRule =
  | { type: 'size-linear'; initialRate: number; maintenanceRate: number; ratePerUnit: number }
  | { type: 'notional-tiers'; tiers: readonly NotionalTier[] };

/** One risk-limit tier: notionals up to `upTo` USD (`null` = no cap), rates as decimals. */
export interface NotionalTier {
  upTo: number | null;
  initialRate: number;
  maintenanceRate: number;
}

/**
 * Short options, per unit of underlying, with U the underlying price (`underlying`: the forward
 * of the expiry or the index), OTM = max(K - U, 0) for calls and max(U - K, 0) for puts, `unit`
 * the USD value of one coin of formula amount (the index for coin-settled options, U for
 * USD-settled) and `mark` the option's USD mark:
 *   MM = max(maintenanceRate x unit, maintenanceMarkRate[type] x mark) + mark
 *   IM = max(max(initialRate - OTM / U, initialFloor) x unit + mark, MM)
 * Long options need their premium: IM = MM = mark.
 */
export interface ShortOptionRule {
  initialRate: number;
  initialFloor: number;
  maintenanceRate: number;
  maintenanceMarkRate: { call: number; put: number };
  underlying: 'forward' | 'index';
}

/** A standard-margin parameter set (see `data/margin/standard-*.json`). */
export interface StandardMarginParams {
  name: string;
  /** Where the numbers come from (publication, retrieval date). */
  source: string;
  notes?: string;
  /** Linear rules by asset; `'*'` applies to assets without their own entry. */
  linear: Readonly<Record<string, LinearMarginRule>>;
  /** Short-option rules by asset; `'*'` as default. */
  options: Readonly<Record<string, ShortOptionRule>>;
  /** Liquidation fee by asset (`'*'` default) as a fraction of notional, reported per position. */
  liquidationFee?: Readonly<Record<string, number>>;
  /** Collateral haircuts by asset (fraction in [0, 1] of the USD value not counted). */
  haircuts?: Readonly<Record<string, number>>;
}

/** Keys of a parameter set: `name`, `source` and `notes` are its documented metadata (the JSON files carry them). */
const PARAMS_KEYS = ['name', 'source', 'notes', 'linear', 'options', 'liquidationFee', 'haircuts'] as const satisfies readonly (keyof StandardMarginParams)[];
const SIZE_LINEAR_KEYS = ['type', 'initialRate', 'maintenanceRate', 'ratePerUnit'] as const satisfies readonly (keyof Extract<LinearMarginRule, { type: 'size-linear' }>)[];
const TIERED_KEYS = ['type', 'tiers'] as const satisfies readonly (keyof Extract<LinearMarginRule, { type: 'notional-tiers' }>)[];
const TIER_KEYS = ['upTo', 'initialRate', 'maintenanceRate'] as const satisfies readonly (keyof NotionalTier)[];
const OPTION_RULE_KEYS = ['initialRate', 'initialFloor', 'maintenanceRate', 'maintenanceMarkRate', 'underlying'] as const satisfies readonly (keyof ShortOptionRule)[];
const MARK_RATE_KEYS = ['call', 'put'] as const satisfies readonly (keyof ShortOptionRule['maintenanceMarkRate'])[];

/** @throws InputError unless a caller-given error-path prefix is a string (it is interpolated into paths). */
export function checkPath(path: unknown, name = 'path'): string {
  if (typeof path !== 'string') throw new InputError(name, path, 'a string (the prefix of error paths)');
  return path;
}

function rate(v: unknown, path: string, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
    throw new InputError(path, v, max === Infinity ? 'a finite rate >= 0 (decimal)' : `a rate in [0, ${max}] (decimal)`);
  }
  return v;
}

function record(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(path, v, 'an object keyed by asset');
  return v as Record<string, unknown>;
}

/** Validate one linear rule. @throws InputError naming the field (`<path>.tiers[2].upTo`). */
export function checkLinearRule(v: unknown, path: string): void {
  const r = record(v, path) as { type?: unknown; tiers?: unknown; initialRate?: unknown; maintenanceRate?: unknown; ratePerUnit?: unknown };
  if (r.type === 'size-linear') {
    checkKeys(r, SIZE_LINEAR_KEYS, path);
    const im = rate(r.initialRate, `${path}.initialRate`);
    const mm = rate(r.maintenanceRate, `${path}.maintenanceRate`);
    rate(r.ratePerUnit, `${path}.ratePerUnit`);
    if (im < mm) throw new InputError(`${path}.initialRate`, im, `a rate >= maintenanceRate (${mm})`);
    return;
  }
  if (r.type !== 'notional-tiers') throw new InputError(`${path}.type`, r.type, "'size-linear' or 'notional-tiers'");
  checkKeys(r, TIERED_KEYS, path);
  if (!Array.isArray(r.tiers) || r.tiers.length === 0) throw new InputError(`${path}.tiers`, r.tiers, 'a non-empty array of tiers');
  let prevCap = 0, prevIm = 0, prevMm = 0;
  r.tiers.forEach((t: unknown, i: number) => {
    const tp = `${path}.tiers[${i}]`;
    const tier = record(t, tp) as { upTo?: unknown; initialRate?: unknown; maintenanceRate?: unknown };
    checkKeys(tier, TIER_KEYS, tp);
    const last = i === (r.tiers as unknown[]).length - 1;
    if (tier.upTo === null) {
      if (!last) throw new InputError(`${tp}.upTo`, null, 'a cap (only the last tier may be uncapped)');
    } else if (typeof tier.upTo !== 'number' || !Number.isFinite(tier.upTo) || !(tier.upTo > prevCap)) {
      throw new InputError(`${tp}.upTo`, tier.upTo, `a notional cap (USD) > ${prevCap}, or null on the last tier`);
    } else {
      prevCap = tier.upTo;
    }
    // Rates that never fall with size keep margin non-decreasing in position size.
    const im = rate(tier.initialRate, `${tp}.initialRate`);
    const mm = rate(tier.maintenanceRate, `${tp}.maintenanceRate`);
    if (im < prevIm) throw new InputError(`${tp}.initialRate`, im, `a rate >= the previous tier's (${prevIm})`);
    if (mm < prevMm) throw new InputError(`${tp}.maintenanceRate`, mm, `a rate >= the previous tier's (${prevMm})`);
    if (im < mm) throw new InputError(`${tp}.initialRate`, im, `a rate >= maintenanceRate (${mm})`);
    prevIm = im;
    prevMm = mm;
  });
}

/** Validate one short-option rule. @throws InputError naming the field (`<path>.maintenanceMarkRate.put`). */
export function checkOptionRule(v: unknown, path: string): void {
  const r = record(v, path) as Partial<Record<keyof ShortOptionRule, unknown>>;
  checkKeys(r, OPTION_RULE_KEYS, path);
  rate(r.initialRate, `${path}.initialRate`);
  rate(r.initialFloor, `${path}.initialFloor`);
  rate(r.maintenanceRate, `${path}.maintenanceRate`);
  const m = record(r.maintenanceMarkRate, `${path}.maintenanceMarkRate`);
  checkKeys(m, MARK_RATE_KEYS, `${path}.maintenanceMarkRate`);
  rate(m.call, `${path}.maintenanceMarkRate.call`);
  rate(m.put, `${path}.maintenanceMarkRate.put`);
  if (r.underlying !== 'forward' && r.underlying !== 'index') throw new InputError(`${path}.underlying`, r.underlying, "'forward' or 'index'");
}

/**
 * Validate a standard-margin parameter set; returns it unchanged (never copied or modified).
 * @param path prefix of error paths (default `'params'`).
 * @throws InputError naming the offending field, e.g. `params.linear.BTC.tiers[2].upTo`, or `path`
 * when it is not a string.
 */
export function checkStandardParams(params: unknown, path = 'params'): StandardMarginParams {
  checkPath(path);
  const p = record(params, path) as Partial<Record<keyof StandardMarginParams, unknown>>;
  checkKeys(p, PARAMS_KEYS, path);
  if (typeof p.name !== 'string') throw new InputError(`${path}.name`, p.name, 'a name');
  if (p.notes !== undefined && typeof p.notes !== 'string') throw new InputError(`${path}.notes`, p.notes, 'a string');
  if (typeof p.source !== 'string' || p.source === '') throw new InputError(`${path}.source`, p.source, 'a statement of where the numbers come from');
  for (const [asset, rule] of Object.entries(record(p.linear, `${path}.linear`))) checkLinearRule(rule, `${path}.linear.${asset}`);
  for (const [asset, rule] of Object.entries(record(p.options, `${path}.options`))) checkOptionRule(rule, `${path}.options.${asset}`);
  if (p.liquidationFee !== undefined) {
    for (const [asset, f] of Object.entries(record(p.liquidationFee, `${path}.liquidationFee`))) rate(f, `${path}.liquidationFee.${asset}`, 1);
  }
  if (p.haircuts !== undefined) checkHaircuts(p.haircuts, `${path}.haircuts`);
  return params as StandardMarginParams;
}

/**
 * Validate haircuts by asset: each a fraction in [0, 1] of the USD value not counted (1: the asset
 * counts for nothing; calibrateHaircut and collateralValue use the same range).
 * @param path the argument's name in error paths (default `'haircuts'`).
 * @throws InputError naming the asset, or `path` when it is not a string.
 */
export function checkHaircuts(haircuts: unknown, path = 'haircuts'): Readonly<Record<string, number>> {
  checkPath(path);
  for (const [asset, h] of Object.entries(record(haircuts, path))) {
    if (typeof h !== 'number' || !(h >= 0 && h <= 1)) throw new InputError(`${path}.${asset}`, h, 'a haircut in [0, 1]');
  }
  return haircuts as Record<string, number>;
}

// Presets are shared by every caller: frozen all the way down so no caller can alter another's.
function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** The rule for `asset` in a by-asset table, falling back to `'*'`. */
export function ruleFor<T>(table: Readonly<Record<string, T>> | undefined, asset: string): T | undefined {
  if (!table) return undefined;
  // Own properties only: an asset named `constructor` or `toString` has no rule of its own.
  return Object.hasOwn(table, asset) ? table[asset] : Object.hasOwn(table, '*') ? table['*'] : undefined;
}

/**
 * Deribit-style standard margin (copy of `data/margin/standard-deribit.json`): BTC/ETH futures and
 * perpetuals at 2% / 1% + size x 0.005% (BTC) or 0.0004% (ETH), short options at
 * max(0.15 - OTM/F, 0.1) + mark (MM 0.075 + mark), long options at the premium.
 */
export const DERIBIT_STANDARD: StandardMarginParams = deepFreeze<StandardMarginParams>({
  name: 'deribit-standard',
  source: "Deribit support, margin change notice of 11 January 2022 (futures and perpetuals: BTC IM 2% + size in BTC x 0.005%, MM 1% + size x 0.005%, liquidation fee 0.75%; ETH IM 2% + size in ETH x 0.0004%, MM 1% + size x 0.0004%, liquidation fee 0.9%); Deribit option margin rules as reproduced by bit.com 'Margin Rules for Coin-Margined Options' (identical formulas) and TSLab 'Deribit margin requirements calculation': short call IM = max(0.15 - OTM/underlying, 0.1) + mark, MM = 0.075 + mark; short put IM = max(max(0.15 - OTM/underlying, 0.1) + mark, MM), MM = max(0.075, 0.075 x mark) + mark; long options at the premium (mark). Retrieved 2026; venues change parameters without notice.",
  notes: "Option amounts are coins per coin of underlying; riskwasm values one coin at the index, so a coin amount a becomes a x index USD and the coin mark is the USD mark. OTM amount and the underlying price are the forward of the option's expiry (Deribit options are margined off their underlying future). Linear rates are fractions of notional (|size| x mark), the size term per coin of |size|.",
  linear: {
    BTC: { type: 'size-linear', initialRate: 0.02, maintenanceRate: 0.01, ratePerUnit: 0.00005 },
    ETH: { type: 'size-linear', initialRate: 0.02, maintenanceRate: 0.01, ratePerUnit: 0.000004 },
  },
  options: {
    '*': { initialRate: 0.15, initialFloor: 0.1, maintenanceRate: 0.075, maintenanceMarkRate: { call: 0, put: 0.075 }, underlying: 'forward' },
  },
  liquidationFee: { BTC: 0.0075, ETH: 0.009 },
});

/**
 * A generic venue (copy of `data/margin/standard-generic.json`): Binance BTCUSDT risk-limit tiers
 * (0.8% / 0.4% up to 50,000 USD notional ... 100% / 50% up to 500,000,000) for every asset, and
 * Aevo's USD short-option rule (max(0.15 - OTM/spot, 0.1) x spot + mark, MM 0.1 x spot + mark).
 */
export const GENERIC_STANDARD: StandardMarginParams = deepFreeze<StandardMarginParams>({
  name: 'generic-standard',
  source: "Linear tiers: Binance Futures announcement 'Updates to Leverage and Margin Tiers of Binance Futures Contracts (2021-03-18)', BTCUSDT 125x perpetual (position in USDT notional: cap, maintenance margin rate, initial margin rate = 1 / max leverage); maintenance by the 'tax bracket' schedule of Binance's 'Leverage and Margin of USDⓈ-M Futures' FAQ (MM = notional x rate - maintenance amount, the amount making MM continuous). Options: Aevo 'Standard Margin' documentation (USD-settled): short call IM = max(0.15 - OTM/spot, 0.1) x spot + mark, MM = 0.1 x spot + mark; short put IM = max(that + mark, MM), MM = max(0.1 x spot, 0.1 x mark) + mark; long options at the premium. Retrieved 2026; venues change parameters without notice.",
  notes: "A generic venue: the BTCUSDT tiers apply to every asset ('*'); past the last cap (500,000,000 USD) a position is flagged exceedsRiskLimit and keeps the last tier's rates. Option amounts are USD per unit of underlying, the underlying price being the index (spot).",
  linear: {
    '*': {
      type: 'notional-tiers',
      tiers: [
        { upTo: 50000, initialRate: 0.008, maintenanceRate: 0.004 },
        { upTo: 250000, initialRate: 0.01, maintenanceRate: 0.005 },
        { upTo: 1000000, initialRate: 0.02, maintenanceRate: 0.01 },
        { upTo: 10000000, initialRate: 0.05, maintenanceRate: 0.025 },
        { upTo: 20000000, initialRate: 0.1, maintenanceRate: 0.05 },
        { upTo: 50000000, initialRate: 0.2, maintenanceRate: 0.1 },
        { upTo: 100000000, initialRate: 0.25, maintenanceRate: 0.125 },
        { upTo: 200000000, initialRate: 0.333, maintenanceRate: 0.15 },
        { upTo: 300000000, initialRate: 0.5, maintenanceRate: 0.25 },
        { upTo: 500000000, initialRate: 1, maintenanceRate: 0.5 },
      ],
    },
  },
  options: {
    '*': { initialRate: 0.15, initialFloor: 0.1, maintenanceRate: 0.1, maintenanceMarkRate: { call: 0, put: 0.1 }, underlying: 'index' },
  },
});
