import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import type { ChainRowIssue, OptionChain, PriceUnit } from '../market/option-chain.js';
import { checkChain, priceUnitOf } from '../market/option-chain.js';
import { chainForwards, type ChainForwardOptions, type ExpiryForward, type ForwardSource } from '../market/parity-forwards.js';
import { priceCheck, quoteLimits, volCheck, type QuoteFilterOptions } from '../market/quote-filters.js';
import { impliedVol } from '../pricing/implied-vol.js';
import { checkKeys } from '../option-keys.js';

/**
 * Why buildSurface dropped a quote. Every option of the chain is kept or counted under one
 * reason, in this order of checks: another underlying; a stale expiry (shorter than `minExpiry`);
 * no forward for its expiry; in the money; no bid; no ask; crossed (bid > ask); locked (bid =
 * ask); bid below `minBidTicks` ticks; relative spread above `maxRelativeSpread`; K / F outside
 * `moneyness`; no implied vol at the bid, or at the ask or mid; |delta| outside `delta`; vega too
 * small (`maxVolPerTick`); slice left with fewer than `minQuotesPerExpiry` quotes.
 */
export type DropReason =
  | 'otherCurrency' | 'expiryTooShort' | 'noForward' | 'inTheMoney' | 'noBid' | 'noAsk' | 'crossed' | 'locked' | 'belowTick'
  | 'wideSpread' | 'outsideMoneyness' | 'bidNoImpliedVol' | 'askNoImpliedVol' | 'outsideDelta' | 'lowVega' | 'sliceTooSmall';

export const DROP_REASONS: readonly DropReason[] = [
  'otherCurrency', 'expiryTooShort', 'noForward', 'inTheMoney', 'noBid', 'noAsk', 'crossed', 'locked', 'belowTick',
  'wideSpread', 'outsideMoneyness', 'bidNoImpliedVol', 'askNoImpliedVol', 'outsideDelta', 'lowVega', 'sliceTooSmall',
];

/** A count of dropped quotes under one reason. */
export interface DropCount { reason: DropReason; count: number }

/** The drops of one expiry (quotes of another underlying are not counted under any expiry). */
export interface ExpiryDrops {
  /** Years. */
  expiry: number;
  expiryDate: string;
  /** Reasons with a count > 0, in {@link DROP_REASONS} order. */
  drops: DropCount[];
}

/** Options of `engine.buildSurface`. */
export interface BuildSurfaceOptions {
  /** Underlying to keep, e.g. 'BTC', 'ETH', 'SPX'; optional when the chain has one underlying. */
  currency?: string;
  /** Drop expiries shorter than this (years): stale expiries. Default 2 / 365 (two days). */
  minExpiry?: number;
  /** Drop slices with fewer quotes than this after filtering. Default 5. */
  minQuotesPerExpiry?: number;
  /**
   * Weights of the squared vol residuals from the bid-ask half-spread h (in vol): 'inverseSpread'
   * (default) w = h0 / h, 'inverseSpreadSquared' w = (h0 / h)^2, or 'uniform'; h0 is the median
   * half-spread, so weights are about 1, and h is floored at `minHalfSpread`.
   */
  weighting?: 'inverseSpread' | 'inverseSpreadSquared' | 'uniform';
  /** Floor of the half-spread in weights (vol decimals). Default 0.0025 (a quarter vol point). */
  minHalfSpread?: number;
  /** Quote-hygiene limits (see {@link QuoteFilterOptions}; defaults `DEFAULT_QUOTE_FILTERS`). */
  filters?: QuoteFilterOptions;
  /** How forwards are found where the chain has no futures (see `chainForwards`; `currency` is this call's). */
  forwards?: Omit<ChainForwardOptions, 'currency'>;
}

const BUILD_SURFACE_KEYS = [
  'currency', 'minExpiry', 'minQuotesPerExpiry', 'weighting', 'minHalfSpread', 'filters', 'forwards',
] as const satisfies readonly (keyof BuildSurfaceOptions)[];

/** One expiry of a {@link Surface}. */
export interface SurfaceExpiry {
  expiry: number;
  /** Expiry timestamp as in the chain (ISO 8601). */
  expiryDate: string;
  /** Forward (USD) of the expiry (see `forwardSource`). */
  forward: number;
  /** Discount factor to expiry (1 for coin-settled prices). */
  discountFactor: number;
  /** Where the forward came from: the chain's futures (Deribit: the median `underlying`), put-call parity, or spot carried. */
  forwardSource: ForwardSource;
  quotes: number;
}

/**
 * An implied-vol surface from a chain, as the columns every calibration call takes
 * (`engine.fitSvi({ forwards: s.forwards, quotes: s.quotes })`), one entry per kept quote,
 * sorted by expiry then strike.
 */
export interface Surface {
  currency: string;
  /** Units of the chain's prices. */
  priceUnit: PriceUnit;
  /** Forward per quote (USD). */
  forwards: Float64Array;
  /** Discount factor per quote (1 for coin-settled prices). */
  discountFactors: Float64Array;
  quotes: {
    strikes: Float64Array;
    expiries: Float64Array;
    types: ('call' | 'put')[];
    /** Implied vol of the mid price (decimal). */
    vols: Float64Array;
    /** Implied vols of the bid and the ask. */
    bids: Float64Array;
    asks: Float64Array;
    weights: Float64Array;
  };
  /**
   * Mid, bid and ask prices in forward units, undiscounted: the Black-76 price with r = 0 divided
   * by F (coin prices as they are; quote-currency prices / (DF F)).
   */
  midPrices: Float64Array;
  bidPrices: Float64Array;
  askPrices: Float64Array;
  /** Instrument name and CSV line of each kept quote. */
  instruments: string[];
  lines: Int32Array;
  expiries: SurfaceExpiry[];
  /** Forward and discounting of every expiry of the underlying, with the parity regression's pairs and residual. */
  forwardCurve: ExpiryForward[];
  /** Options of the chain considered (its length). kept + sum(dropped) = considered. */
  considered: number;
  kept: number;
  /** Drops by reason (every reason, 0 included). */
  dropped: Record<DropReason, number>;
  /** The same counts as a list (reasons with a count > 0, in {@link DROP_REASONS} order). */
  drops: DropCount[];
  /** Drops per expiry of the underlying, ascending expiry (stale and too-small slices included). */
  dropsByExpiry: ExpiryDrops[];
  /** The chain's malformed rows (line number, column, reason), never part of `considered`. */
  malformedRows: ChainRowIssue[];
}

/**
 * The values of row i that buildSurface uses, as the chain readers guarantee them: type +1 or -1,
 * strike positive and finite, forward positive and finite or NaN (none), time to maturity finite
 * and >= 0, bid and ask numbers (NaN: no quote).
 * @throws InputError naming `chain.<column>[i]`.
 */
function checkRow(chain: OptionChain, i: number, needForward: boolean): void {
  const t = chain.type[i];
  if (t !== 1 && t !== -1) throw new InputError(`chain.type[${i}]`, t, '+1 (call) or -1 (put)');
  const K = chain.strike[i];
  if (typeof K !== 'number' || !(K > 0) || K === Infinity) throw new InputError(`chain.strike[${i}]`, K, 'a finite positive number');
  const F = chain.forward[i];
  if (typeof F !== 'number' || (needForward || !Number.isNaN(F) ? !(F > 0) || F === Infinity : false)) throw new InputError(`chain.forward[${i}]`, F, needForward ? 'a finite positive number' : 'a finite positive number or NaN (none)');
  const T = chain.timeToMaturity[i];
  if (typeof T !== 'number' || !(T >= 0) || T === Infinity) throw new InputError(`chain.timeToMaturity[${i}]`, T, 'a finite number >= 0 (years)');
  for (const name of ['bid', 'ask'] as const) {
    const v = chain[name][i];
    if (typeof v !== 'number') throw new InputError(`chain.${name}[${i}]`, v, 'a number (NaN: no quote)');
  }
}

/** The underlying to build: the option, or the chain's only one. */
function underlyingOf(chain: OptionChain, currency: unknown): string {
  if (currency !== undefined) {
    if (typeof currency !== 'string') throw new InputError('options.currency', currency, "an underlying such as 'BTC' or 'SPX'");
    return currency;
  }
  const present = new Set<string>();
  for (let i = 0; i < chain.length && present.size < 2; i++) present.add(chain.currency[i]);
  if (present.size !== 1) throw new InputError('options.currency', currency, `an underlying such as 'BTC' (the chain has ${present.size === 0 ? 'none' : 'several'})`);
  return [...present][0];
}

/**
 * Build an implied-vol surface for one underlying from any {@link OptionChain} (`loadChain`,
 * `loadDeribitChain`, `chainFromQuotes`). Per expiry the forward and discount factor come from
 * `chainForwards` (Deribit: the median `underlying`, no discounting, as before; Cboe: put-call
 * parity); out-of-the-money options only (calls with K >= F, puts with K < F); then the quote
 * filters (`DEFAULT_QUOTE_FILTERS`); prices are inverted with the batch implied-vol kernel at
 * the bid, the ask and the mid (`settlement: 'coin'` for coin prices, `'usd'` with the discount
 * factor for quote-currency prices); weights from the bid-ask spread in vol. Every dropped
 * option is counted by reason, in total and per expiry.
 * @throws InputError for a malformed chain or options.
 */
export function buildSurface(ctx: EngineContext, chain: OptionChain, options: BuildSurfaceOptions): Surface {
  checkChain(chain);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InputError('options', options, "options such as { currency: 'BTC' }");
  checkKeys(options, BUILD_SURFACE_KEYS, 'options');
  const currency = underlyingOf(chain, options.currency);
  const minExpiry = options.minExpiry ?? 2 / 365;
  const minQuotes = options.minQuotesPerExpiry ?? 5;
  const weighting = options.weighting ?? 'inverseSpread';
  if (!['inverseSpread', 'inverseSpreadSquared', 'uniform'].includes(weighting)) throw new InputError('options.weighting', weighting, "'inverseSpread', 'inverseSpreadSquared' or 'uniform'");
  const minHalf = options.minHalfSpread ?? 0.0025;
  if (typeof minExpiry !== 'number' || !(minExpiry >= 0)) throw new InputError('options.minExpiry', minExpiry, 'a number >= 0');
  if (typeof minQuotes !== 'number' || !Number.isInteger(minQuotes) || minQuotes < 1) throw new InputError('options.minQuotesPerExpiry', minQuotes, 'an integer >= 1');
  if (typeof minHalf !== 'number' || !(minHalf > 0) || minHalf === Infinity) throw new InputError('options.minHalfSpread', minHalf, 'a finite positive number');
  const limits = quoteLimits(options.filters, 'options.filters');
  if (options.forwards !== undefined && (options.forwards === null || typeof options.forwards !== 'object' || Array.isArray(options.forwards))) throw new InputError('options.forwards', options.forwards, 'forward options such as { maxPairs: 12 }');
  if (options.forwards !== undefined && 'currency' in options.forwards) throw new InputError('options.forwards.currency', (options.forwards as Record<string, unknown>).currency, 'absent (options.currency selects the underlying)');
  const unit = priceUnitOf(chain);
  const tick = chain.tickSize !== undefined && chain.tickSize > 0 ? chain.tickSize : 0;

  const dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  const byExpiryDrops = new Map<number, { expiryDate: string; counts: Map<DropReason, number> }>();
  const drop = (reason: DropReason, T: number | undefined, expiryDate = '') => {
    dropped[reason]++;
    if (T === undefined) return;
    let e = byExpiryDrops.get(T);
    if (!e) byExpiryDrops.set(T, (e = { expiryDate, counts: new Map() }));
    e.counts.set(reason, (e.counts.get(reason) ?? 0) + 1);
  };
  const n = chain.length;
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) {
    if (chain.currency[i] !== currency) {
      drop('otherCurrency', undefined);
      continue;
    }
    checkRow(chain, i, unit === 'underlying' && chain.venue === undefined);
    const T = chain.timeToMaturity[i];
    if (!byExpiryDrops.has(T)) byExpiryDrops.set(T, { expiryDate: chain.expiry[i] ?? '', counts: new Map() });
    if (!(T >= minExpiry) || !(T > 0)) {
      drop('expiryTooShort', T);
      continue;
    }
    candidates.push(i);
  }
  const forwardCurve = chainForwards(chain, { ...(options.forwards ?? {}), currency });
  const curveOf = new Map(forwardCurve.map((e) => [e.timeToMaturity, e]));
  const pass: number[] = [];
  for (const i of candidates) {
    const T = chain.timeToMaturity[i];
    const curve = curveOf.get(T)!;
    const F = curve.forward;
    const K = chain.strike[i];
    const call = chain.type[i] === 1;
    const bid = chain.bid[i], ask = chain.ask[i];
    let reason: DropReason | undefined;
    if (!(F > 0) || !(curve.discountFactor > 0)) reason = 'noForward';
    else if (call ? K < F : K >= F) reason = 'inTheMoney';
    else if (!(bid > 0)) reason = 'noBid';
    else if (!(ask > 0)) reason = 'noAsk';
    else if (bid > ask) reason = 'crossed';
    else reason = priceCheck(bid, ask, tick, limits) ?? (K / F < limits.moneyness[0] || K / F > limits.moneyness[1] ? 'outsideMoneyness' : undefined);
    if (reason) drop(reason, T);
    else pass.push(i);
  }
  const m = pass.length;
  const F = Float64Array.from(pass, (i) => curveOf.get(chain.timeToMaturity[i])!.forward);
  const D = Float64Array.from(pass, (i) => curveOf.get(chain.timeToMaturity[i])!.discountFactor);
  const K = Float64Array.from(pass, (i) => chain.strike[i]);
  const T = Float64Array.from(pass, (i) => chain.timeToMaturity[i]);
  const types = Int8Array.from(pass, (i) => chain.type[i]);
  const bidP = Float64Array.from(pass, (i) => chain.bid[i]);
  const askP = Float64Array.from(pass, (i) => chain.ask[i]);
  const midP = Float64Array.from(pass, (_, r) => 0.5 * (bidP[r] + askP[r]));
  const coin = unit === 'underlying';
  const iv = (prices: Float64Array) => impliedVol(ctx, { prices, forwards: F, strikes: K, expiries: T, types, settlement: coin ? 'coin' : 'usd', ...(coin ? {} : { discountFactors: D }) }).vols;
  const bidV = iv(bidP), askV = iv(askP), midV = iv(midP);
  // Forward units: the undiscounted Black price / F.
  const norm = (r: number) => (coin ? 1 : 1 / (D[r] * F[r]));
  const ok: number[] = [];
  for (let r = 0; r < m; r++) {
    let reason: DropReason | undefined;
    if (!(bidV[r] > 0)) reason = 'bidNoImpliedVol';
    else if (!(askV[r] > 0) || !(midV[r] > 0)) reason = 'askNoImpliedVol';
    else reason = volCheck(K[r], F[r], T[r], midV[r], types[r] as 1 | -1, tick * norm(r), limits);
    if (reason) drop(reason, T[r]);
    else ok.push(r);
  }
  // Slices too small to fit.
  const count = new Map<number, number>();
  for (const r of ok) count.set(T[r], (count.get(T[r]) ?? 0) + 1);
  let kept = ok.filter((r) => {
    if (count.get(T[r])! >= minQuotes) return true;
    drop('sliceTooSmall', T[r]);
    return false;
  });
  kept = kept.sort((a, b) => T[a] - T[b] || K[a] - K[b]);
  const halfSpreads = kept.map((r) => Math.max(minHalf, 0.5 * (askV[r] - bidV[r])));
  const sorted = [...halfSpreads].sort((a, b) => a - b);
  const h0 = sorted.length ? sorted[sorted.length >> 1] : 1;
  const weights = Float64Array.from(halfSpreads, (h) => (weighting === 'uniform' ? 1 : weighting === 'inverseSpread' ? h0 / h : (h0 / h) ** 2));
  const pick = <A extends Float64Array>(col: A) => Float64Array.from(kept, (r) => col[r]);
  const pickPrice = (col: Float64Array) => Float64Array.from(kept, (r) => col[r] * norm(r));
  const expiries: SurfaceExpiry[] = [];
  for (const r of kept) {
    const last = expiries[expiries.length - 1];
    if (last && last.expiry === T[r]) last.quotes++;
    else expiries.push({ expiry: T[r], expiryDate: chain.expiry[pass[r]] ?? '', forward: F[r], discountFactor: D[r], forwardSource: curveOf.get(T[r])!.source, quotes: 1 });
  }
  const keptCount = kept.length;
  const drops = DROP_REASONS.filter((r) => dropped[r] > 0).map((reason) => ({ reason, count: dropped[reason] }));
  const dropsByExpiry = [...byExpiryDrops.entries()].sort((a, b) => a[0] - b[0]).map(([expiry, e]) => ({
    expiry, expiryDate: e.expiryDate, drops: DROP_REASONS.filter((r) => e.counts.has(r)).map((reason) => ({ reason, count: e.counts.get(reason)! })),
  }));
  return {
    currency,
    priceUnit: unit,
    forwards: pick(F),
    discountFactors: pick(D),
    quotes: {
      strikes: pick(K), expiries: pick(T), types: kept.map((r) => (types[r] === 1 ? 'call' : 'put')),
      vols: pick(midV), bids: pick(bidV), asks: pick(askV), weights,
    },
    midPrices: pickPrice(midP), bidPrices: pickPrice(bidP), askPrices: pickPrice(askP),
    instruments: kept.map((r) => chain.instrument[pass[r]]),
    lines: Int32Array.from(kept, (r) => chain.line[pass[r]]),
    expiries,
    forwardCurve,
    considered: n,
    kept: keptCount,
    dropped,
    drops,
    dropsByExpiry,
    malformedRows: chain.skipped.slice(),
  };
}
