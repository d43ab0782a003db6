/**
 * Collateral haircuts calibrated from history, and cross-collateral value.
 *
 * A haircut h protects the venue against the fall of the collateral's value between the last margin
 * call and the close-out of a defaulting account, the margin period of risk (MPOR). With the
 * collateral's MPOR loss fraction L = 1 - P_{t+h} / P_t (the negative simple MPOR return), the
 * calibrated haircut is
 *     haircut = min(1, max(floor, VaR_c(L) or ES_c(L)))
 * with the empirical VaR/ES conventions of src/risk/tail-measures.ts (VaR = L_(ceil(nc)), ES the
 * Acerbi-Tasche tail mean). This is the "own estimate" haircut of the Basel framework (BCBS,
 * "Basel III: Finalising post-crisis reforms", 2017, CRE22: 99% one-tailed VaR over the liquidation
 * period, with supervisory floors) and of EMIR RTS 153/2013 art. 41 (haircuts covering the value fall
 * over the liquidation period at at least 99% confidence); the floor is the supervisory minimum.
 * MPOR returns are overlapping by default (see mpor-returns.ts).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkConfidence, empiricalTail } from '../risk/tail-measures.js';
import { checkKeys } from '../option-keys.js';
import { STABLECOINS } from './market.js';
import { dict, own } from '../data-tables.js';
import { checkDays, mporReturns, priceSeries, type HistoryInput } from './mpor-returns.js';

/** Which tail measure sets a haircut or a margin. */
export type TailMeasure = 'var' | 'es';

/** Options of {@link calibrateHaircut}. */
export interface HaircutArgs {
  /** Price history of the collateral asset in USD (CSV text, PriceHistory, or prices oldest first). */
  history: HistoryInput;
  /** Confidence level in (0, 1), e.g. 0.99. */
  confidence: number;
  /** Margin period of risk in days (default 2, the EMIR minimum for exchange-traded derivatives). */
  mporDays?: number;
  /** 'es' (default) or 'var'. */
  measure?: TailMeasure;
  /** Minimum haircut, a fraction in [0, 1] (default 0). */
  floor?: number;
  /** Use only the most recent `lookbackDays` days of the history (default: all of it). */
  lookbackDays?: number;
  /** Overlapping MPOR returns (default true; see mpor-returns.ts). */
  overlapping?: boolean;
}

/** A calibrated haircut, with what it was computed from. */
export interface HaircutResult {
  /** min(1, max(floor, estimate)): the fraction of market value not counted as collateral. */
  haircut: number;
  /** The chosen tail measure of the MPOR loss fraction (may be below the floor, even negative). */
  estimate: number;
  /** Both measures of the MPOR loss fraction at the confidence. */
  var: number;
  es: number;
  floor: number;
  /** True when the floor, not the estimate, set the haircut. */
  floorBinds: boolean;
  measure: TailMeasure;
  confidence: number;
  mporDays: number;
  overlapping: boolean;
  /** Number of MPOR returns the estimate used. */
  observations: number;
  /** The price window used: first and last date (when the history has dates) and the number of prices. */
  window: { from?: string; to?: string; prices: number };
}

function fraction(v: unknown, path: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new InputError(path, v, 'a fraction in [0, 1]');
  return v;
}

/** @throws InputError unless the measure is 'var' or 'es'. */
export function checkMeasure(v: unknown, path = 'measure'): TailMeasure {
  if (v === undefined) return 'es';
  if (v !== 'var' && v !== 'es') throw new InputError(path, v, "'var' or 'es'");
  return v;
}

const HAIRCUT_KEYS = ['history', 'confidence', 'mporDays', 'measure', 'floor', 'lookbackDays', 'overlapping'] as const satisfies readonly (keyof HaircutArgs)[];

/** Options after validation; `mporPath` names the MPOR field as the caller spelled it, for errors. */
interface HaircutOptions { c: number; h: number; measure: TailMeasure; overlapping: boolean; lookback?: number; mporPath: string }

function haircutOptions(args: Omit<HaircutArgs, 'history'>, mporPath = 'mporDays'): HaircutOptions {
  const c = checkConfidence(args.confidence);
  const h = args.mporDays === undefined ? 2 : checkDays(args.mporDays, mporPath);
  const measure = checkMeasure(args.measure);
  const overlapping = args.overlapping ?? true;
  if (typeof overlapping !== 'boolean') throw new InputError('overlapping', overlapping, 'a boolean');
  const lookback = args.lookbackDays === undefined ? undefined : checkDays(args.lookbackDays, 'lookbackDays');
  return { c, h, measure, overlapping, lookback, mporPath };
}

function haircutFromHistory(ctx: EngineContext, history: unknown, floor: number, o: HaircutOptions, path: string): HaircutResult {
  const s = priceSeries(history, path);
  const n = s.close.length;
  const from = Math.max(0, n - 1 - (o.lookback ?? n - 1));
  const { returns } = mporReturns(s.close, o.h, o.overlapping, from, n - 1);
  if (returns.length < 2) throw new InputError(o.mporPath, o.h, `an MPOR leaving at least 2 returns in ${path}'s window of ${n - from} prices`);
  // Simple returns are P&L per unit of value: losses are their negatives (the tail kernel's sign -1).
  const t = empiricalTail(ctx, returns, o.c);
  const estimate = o.measure === 'es' ? t.es : t.var;
  const haircut = Math.min(1, Math.max(floor, estimate));
  return {
    haircut, estimate, var: t.var, es: t.es, floor, floorBinds: floor >= estimate, measure: o.measure, confidence: o.c, mporDays: o.h,
    overlapping: o.overlapping, observations: returns.length, window: { from: s.dates?.[from], to: s.dates?.[n - 1], prices: n - from },
  };
}

/**
 * Haircut of one collateral asset from its price history (see the file comment for the rule).
 * One `tailSelect` kernel call on the MPOR returns.
 * @throws InputError for a bad history, confidence, MPOR, floor, lookback or measure, or a window
 * with fewer than 2 MPOR returns.
 */
export function calibrateHaircut(ctx: EngineContext, args: HaircutArgs): HaircutResult {
  return calibrateHaircutAs(ctx, args, 'mporDays');
}

/**
 * {@link calibrateHaircut} for a caller whose own argument supplies `mporDays` under another name
 * (the lending calibration's `liquidationHorizonDays`): MPOR errors carry `mporPath`.
 * @throws InputError as calibrateHaircut.
 */
export function calibrateHaircutAs(ctx: EngineContext, args: HaircutArgs, mporPath: string): HaircutResult {
  if (args === null || typeof args !== 'object') throw new InputError('args', args, 'an object');
  checkKeys(args, HAIRCUT_KEYS, '');
  const o = haircutOptions(args, mporPath);
  return haircutFromHistory(ctx, args.history, fraction(args.floor, 'floor', 0), o, 'history');
}

/** Options of {@link calibrateHaircuts}: one history per asset, the rest shared (floors per asset). */
export interface HaircutsArgs extends Omit<HaircutArgs, 'history'> {
  histories: Record<string, HistoryInput>;
  /** Floor per asset (default `floor`, else 0). */
  floors?: Record<string, number>;
}

const HAIRCUTS_KEYS = [
  'histories', 'floors', 'confidence', 'mporDays', 'measure', 'floor', 'lookbackDays', 'overlapping',
] as const satisfies readonly (keyof HaircutsArgs)[];

/**
 * Haircuts of several collateral assets (see {@link calibrateHaircut}); errors name the asset
 * (`histories.BTC`, `floors.BTC`).
 * @throws InputError as calibrateHaircut.
 */
export function calibrateHaircuts(ctx: EngineContext, args: HaircutsArgs): Record<string, HaircutResult> {
  if (args === null || typeof args !== 'object') throw new InputError('args', args, 'an object');
  checkKeys(args, HAIRCUTS_KEYS, '');
  if (args.histories === null || typeof args.histories !== 'object') throw new InputError('histories', args.histories, 'an object of histories by asset');
  if (args.floors !== undefined && (args.floors === null || typeof args.floors !== 'object')) throw new InputError('floors', args.floors, 'an object of floors by asset');
  const o = haircutOptions(args);
  const shared = fraction(args.floor, 'floor', 0);
  const out = dict<HaircutResult>(); // asset names are data
  for (const [asset, history] of Object.entries(args.histories)) {
    const given = own(args.floors, asset);
    const floor = given === undefined ? shared : fraction(given, `floors.${asset}`, 0);
    out[asset] = haircutFromHistory(ctx, history, floor, o, `histories.${asset}`);
  }
  return out;
}

/** One collateral line of {@link collateralValue}. */
export interface CollateralLine {
  asset: string;
  amount: number;
  /** USD per unit. */
  price: number;
  haircut: number;
  /** amount x price. */
  marketValue: number;
  /** amount x price x (1 - haircut). */
  value: number;
}

/**
 * Cross-collateral value: sum over assets of amount x price x (1 - haircut), in USD.
 * @param collateral amounts per asset (units of the asset, >= 0).
 * @param prices USD price per unit; stablecoins (USD, USDC, USDT) default to 1.
 * @param haircuts fraction in [0, 1] per asset (a number from {@link calibrateHaircut}, or its result).
 * @throws InputError for a negative amount, a missing or non-positive price, or a missing or
 * out-of-range haircut (the path names the asset).
 */
export function collateralValue(
  collateral: Record<string, number>, prices: Record<string, number>, haircuts: Record<string, number | HaircutResult>,
): { value: number; marketValue: number; lines: CollateralLine[] } {
  if (collateral === null || typeof collateral !== 'object') throw new InputError('collateral', collateral, 'an object of amounts by asset');
  if (prices === null || typeof prices !== 'object') throw new InputError('prices', prices, 'an object of USD prices by asset');
  if (haircuts === null || typeof haircuts !== 'object') throw new InputError('haircuts', haircuts, 'an object of haircuts by asset');
  let value = 0;
  let marketValue = 0;
  const lines = Object.entries(collateral).map(([asset, amount]): CollateralLine => {
    if (typeof amount !== 'number' || !(amount >= 0) || !Number.isFinite(amount)) throw new InputError(`collateral.${asset}`, amount, 'a finite amount >= 0');
    // Own properties only: an asset named `constructor` has no price unless one is given.
    const price = own(prices, asset) ?? (STABLECOINS.has(asset) ? 1 : undefined);
    if (typeof price !== 'number' || !(price > 0) || !Number.isFinite(price)) throw new InputError(`prices.${asset}`, price, 'a positive USD price');
    const hc = own(haircuts, asset);
    const haircut = typeof hc === 'object' && hc !== null ? hc.haircut : hc;
    if (typeof haircut !== 'number' || !(haircut >= 0 && haircut <= 1)) throw new InputError(`haircuts.${asset}`, haircut, 'a haircut in [0, 1]');
    const mv = amount * price;
    const v = mv * (1 - haircut);
    value += v;
    marketValue += mv;
    return { asset, amount, price, haircut, marketValue: mv, value: v };
  });
  return { value, marketValue, lines };
}
