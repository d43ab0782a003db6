/**
 * Quote hygiene: the checks a desk runs before a quote may move a fitted surface, each with a
 * default and each drop counted under its reason by `buildSurface`.
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';

/** Limits of the quote filters (every one can be loosened to switch it off). */
export interface QuoteFilterOptions {
  /**
   * Largest relative spread (ask - bid) / mid. Default 1 (the spread as wide as the mid): a bid
   * of 0.0001 against an ask of 0.01 (relative spread 1.96; its mid is 50 times its bid) says
   * nothing about the vol. Infinity: off.
   */
  maxRelativeSpread?: number;
  /**
   * A spread of at most this many ticks of the chain's `tickSize` passes the relative-spread check
   * whatever its ratio to the mid: near the tick floor the ratio measures the price grid, not the
   * market (Deribit's 0.0001 / 0.0003 is a relative spread of 1 and a clean quote). Default 5.
   */
  spreadTicks?: number;
  /** Smallest bid in ticks of the chain's `tickSize` (a one-tick bid is a placeholder). Default 1; 0: off. */
  minBidTicks?: number;
  /**
   * Largest vol move of one tick of price: tick / vega (vol decimals; vega per 1.00 vol, both in
   * the chain's price unit). Default Infinity (off); 0.05 in {@link DESK_QUOTE_FILTERS}: a quote
   * whose price cannot resolve 5 vol points carries no vol information.
   */
  maxVolPerTick?: number;
  /** Range of K / F kept, inclusive. Default [0, Infinity] (off). */
  moneyness?: readonly [number, number];
  /** Range of |delta| (forward delta of the out-of-the-money option at its mid vol) kept. Default [0, 1] (off); [0.005, 1] in {@link DESK_QUOTE_FILTERS}. */
  delta?: readonly [number, number];
}

const KEYS = ['maxRelativeSpread', 'spreadTicks', 'minBidTicks', 'maxVolPerTick', 'moneyness', 'delta'] as const satisfies readonly (keyof QuoteFilterOptions)[];

/** The filter limits with every default filled in. */
export interface QuoteLimits {
  maxRelativeSpread: number;
  spreadTicks: number;
  minBidTicks: number;
  maxVolPerTick: number;
  moneyness: readonly [number, number];
  delta: readonly [number, number];
}

/**
 * The defaults of buildSurface: the spread and tick checks only. The bundled Deribit surfaces keep
 * every quote (their widest spreads are 5 ticks), the ETH put (0.0001 / 0.01, 99 ticks) is
 * dropped. The vega and delta checks are off by default so that existing surfaces keep their
 * quotes; {@link DESK_QUOTE_FILTERS} turns them on.
 */
export const DEFAULT_QUOTE_FILTERS: Readonly<QuoteLimits> = Object.freeze({
  maxRelativeSpread: 1,
  spreadTicks: 5,
  minBidTicks: 1,
  maxVolPerTick: Infinity,
  moneyness: Object.freeze([0, Infinity]) as readonly [number, number],
  delta: Object.freeze([0, 1]) as readonly [number, number],
});

/**
 * A desk's full set: the defaults plus |delta| >= 0.005 and one tick worth at most 5 vol points.
 * On the bundled Deribit snapshots it drops 10 to 23 wing quotes per underlying and about halves
 * the SVI rmse against the mid (BTC 2026-01-05: 0.43 -> 0.22 vol points, inside bid-ask 90% ->
 * 96.5%), at the price of wings fitted from fewer quotes.
 */
export const DESK_QUOTE_FILTERS: Readonly<QuoteLimits> = Object.freeze({
  ...DEFAULT_QUOTE_FILTERS,
  maxVolPerTick: 0.05,
  delta: Object.freeze([0.005, 1]) as readonly [number, number],
});

function range(v: unknown, fallback: readonly [number, number], path: string): readonly [number, number] {
  if (v === undefined) return fallback;
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number' || !(v[0] >= 0) || !(v[1] >= v[0])) throw new InputError(path, v, 'a range [low, high] with 0 <= low <= high');
  return [v[0], v[1]];
}

function limit(v: unknown, fallback: number, path: string, what: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= 0)) throw new InputError(path, v, what);
  return v;
}

/**
 * The checked filter limits, defaults filled in.
 * @throws InputError naming `path.<key>` for a negative or non-number limit, a bad range, or an unknown key.
 */
export function quoteLimits(options: unknown, path = 'filters'): QuoteLimits {
  if (options === undefined) return DEFAULT_QUOTE_FILTERS;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InputError(path, options, 'an object of filter limits');
  checkKeys(options as Record<string, unknown>, KEYS, path);
  const o = options as QuoteFilterOptions;
  return {
    maxRelativeSpread: limit(o.maxRelativeSpread, DEFAULT_QUOTE_FILTERS.maxRelativeSpread, `${path}.maxRelativeSpread`, 'a number >= 0 (Infinity: off)'),
    spreadTicks: limit(o.spreadTicks, DEFAULT_QUOTE_FILTERS.spreadTicks, `${path}.spreadTicks`, 'a number of ticks >= 0'),
    minBidTicks: limit(o.minBidTicks, DEFAULT_QUOTE_FILTERS.minBidTicks, `${path}.minBidTicks`, 'a number of ticks >= 0'),
    maxVolPerTick: limit(o.maxVolPerTick, DEFAULT_QUOTE_FILTERS.maxVolPerTick, `${path}.maxVolPerTick`, 'a vol (decimal) >= 0 (Infinity: off)'),
    moneyness: range(o.moneyness, DEFAULT_QUOTE_FILTERS.moneyness, `${path}.moneyness`),
    delta: range(o.delta, DEFAULT_QUOTE_FILTERS.delta, `${path}.delta`),
  };
}

/**
 * Why a quote fails the price checks, or undefined: locked (bid = ask), bid below the tick floor,
 * spread above `maxRelativeSpread` of the mid and above `spreadTicks` ticks.
 */
export function priceCheck(bid: number, ask: number, tickSize: number, limits: QuoteLimits): 'locked' | 'belowTick' | 'wideSpread' | undefined {
  if (bid === ask) return 'locked';
  if (tickSize > 0 && bid < limits.minBidTicks * tickSize * (1 - 1e-9)) return 'belowTick';
  const spread = ask - bid;
  if (spread / (0.5 * (ask + bid)) > limits.maxRelativeSpread && !(tickSize > 0 && spread <= limits.spreadTicks * tickSize * (1 + 1e-9))) return 'wideSpread';
  return undefined;
}

/** Standard normal density and distribution function (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7: enough for a filter). */
const density = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Why a quote fails the vol checks at its mid implied vol, or undefined: |forward delta| outside
 * `limits.delta`, or one tick worth more than `maxVolPerTick` of vol. `normalizedTick` is the tick
 * in forward units (tick / (DF F) for quote-currency prices, the tick itself for coin prices).
 */
export function volCheck(strike: number, forward: number, expiry: number, vol: number, type: 1 | -1, normalizedTick: number, limits: QuoteLimits): 'outsideDelta' | 'lowVega' | undefined {
  const sd = vol * Math.sqrt(expiry);
  const d1 = Math.log(forward / strike) / sd + 0.5 * sd;
  const delta = Math.abs(type === 1 ? normalCdf(d1) : normalCdf(d1) - 1);
  if (delta < limits.delta[0] || delta > limits.delta[1]) return 'outsideDelta';
  // Vega of the forward-unit price per 1.00 vol: phi(d1) sqrt(T).
  const vega = density(d1) * Math.sqrt(expiry);
  if (normalizedTick > 0 && normalizedTick / vega > limits.maxVolPerTick) return 'lowVega';
  return undefined;
}
