import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import type { ChainRowIssue, DeribitChain } from '../market/deribit-chain.js';
import { impliedVol } from '../pricing/implied-vol.js';
import { checkKeys } from '../option-keys.js';
import { MAX_QUOTES } from './quotes.js';

/** Why buildSurface dropped a quote. Every option of the chain is kept or counted under one reason. */
export type DropReason =
  | 'otherCurrency' | 'expiryTooShort' | 'inTheMoney' | 'noBid' | 'noAsk' | 'crossed'
  | 'bidNoImpliedVol' | 'askNoImpliedVol' | 'sliceTooSmall';

export const DROP_REASONS: readonly DropReason[] = [
  'otherCurrency', 'expiryTooShort', 'inTheMoney', 'noBid', 'noAsk', 'crossed', 'bidNoImpliedVol', 'askNoImpliedVol', 'sliceTooSmall',
];

/** Options of `engine.buildSurface`. */
export interface BuildSurfaceOptions {
  /** Underlying currency to keep, e.g. 'BTC' or 'ETH'. */
  currency: string;
  /** Drop expiries shorter than this (years). Default 2 / 365 (two days). */
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
}

const BUILD_SURFACE_KEYS = [
  'currency', 'minExpiry', 'minQuotesPerExpiry', 'weighting', 'minHalfSpread',
] as const satisfies readonly (keyof BuildSurfaceOptions)[];

/** Most options in one chain (2^24, as the most quotes of a calibration call). */
const MAX_CHAIN_ROWS = MAX_QUOTES;

/** The chain columns buildSurface reads. */
const CHAIN_COLUMNS = ['instrument', 'currency', 'type', 'strike', 'expiry', 'timeToMaturity', 'bid', 'ask', 'forward', 'line'] as const satisfies readonly (keyof DeribitChain)[];

/**
 * Check the shape of a chain before any loop runs over it: `length` an integer in
 * [0, MAX_CHAIN_ROWS], every column read an array of that length, `skipped` an array.
 * Row values are checked where they are used (see {@link buildSurface}).
 * @throws InputError naming `chain`, `chain.length` or `chain.<column>`.
 */
function checkChainShape(chain: unknown): DeribitChain {
  if (chain === null || typeof chain !== 'object' || Array.isArray(chain)) throw new InputError('chain', chain, 'a DeribitChain (loadDeribitChain)');
  const c = chain as Record<string, unknown>;
  const n = c.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_CHAIN_ROWS) throw new InputError('chain.length', n, `an integer in [0, ${MAX_CHAIN_ROWS}] (a DeribitChain from loadDeribitChain)`);
  for (const name of CHAIN_COLUMNS) {
    const v = c[name] as ArrayLike<unknown> | null | undefined;
    if (v === null || typeof v !== 'object' || v.length !== n) throw new InputError(`chain.${name}`, v, `an array of ${n} values (chain.length)`);
  }
  if (!Array.isArray(c.skipped)) throw new InputError('chain.skipped', c.skipped, 'an array of malformed-row reports');
  return chain as DeribitChain;
}

/** One expiry of a {@link Surface}. */
export interface SurfaceExpiry {
  expiry: number;
  /** Expiry timestamp as in the chain (ISO 8601). */
  expiryDate: string;
  /** Forward (USD): the median `underlying` of the expiry's options. */
  forward: number;
  quotes: number;
}

/**
 * An implied-vol surface from a chain, as the columns every calibration call takes
 * (`engine.fitSvi({ forwards: s.forwards, quotes: s.quotes })`), one entry per kept quote,
 * sorted by expiry then strike.
 */
export interface Surface {
  currency: string;
  /** Forward per quote (USD). */
  forwards: Float64Array;
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
  /** Mid, bid and ask prices in forward units (coins per coin: the USD price / forward). */
  midPrices: Float64Array;
  bidPrices: Float64Array;
  askPrices: Float64Array;
  /** Instrument name and CSV line of each kept quote. */
  instruments: string[];
  lines: Int32Array;
  expiries: SurfaceExpiry[];
  /** Options of the chain considered (its length). kept + sum(dropped) = considered. */
  considered: number;
  kept: number;
  dropped: Record<DropReason, number>;
  /** The chain's malformed rows (line number, column, reason), never part of `considered`. */
  malformedRows: ChainRowIssue[];
}

/**
 * The values of row i that buildSurface uses, as loadDeribitChain guarantees them: type +1 or -1,
 * strike and forward positive and finite, time to maturity finite and >= 0, bid and ask numbers
 * (NaN: no quote).
 * @throws InputError naming `chain.<column>[i]`.
 */
function checkRow(chain: DeribitChain, i: number): void {
  const t = chain.type[i];
  if (t !== 1 && t !== -1) throw new InputError(`chain.type[${i}]`, t, '+1 (call) or -1 (put)');
  for (const name of ['strike', 'forward'] as const) {
    const v = chain[name][i];
    if (typeof v !== 'number' || !(v > 0) || v === Infinity) throw new InputError(`chain.${name}[${i}]`, v, 'a finite positive number');
  }
  const T = chain.timeToMaturity[i];
  if (typeof T !== 'number' || !(T >= 0) || T === Infinity) throw new InputError(`chain.timeToMaturity[${i}]`, T, 'a finite number >= 0 (years)');
  for (const name of ['bid', 'ask'] as const) {
    const v = chain[name][i];
    if (typeof v !== 'number') throw new InputError(`chain.${name}[${i}]`, v, 'a number (NaN: no quote)');
  }
}

/**
 * Build an implied-vol surface for one currency from a Deribit chain (see `loadDeribitChain`):
 * per expiry the forward is the median `underlying`; out-of-the-money options only (calls with
 * K >= F, puts with K < F); quotes without a bid or an ask, or crossed (bid > ask), dropped;
 * coin prices are already in forward units (USD price / F), inverted with the batch implied-vol
 * kernel (`settlement: 'coin'`, no discounting, as Deribit's marks) at the bid, the ask and the
 * mid; weights from the bid-ask spread in vol. Every dropped option is counted by reason.
 * @throws InputError for a malformed chain or options.
 */
export function buildSurface(ctx: EngineContext, chain: DeribitChain, options: BuildSurfaceOptions): Surface {
  checkChainShape(chain);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InputError('options', options, "options such as { currency: 'BTC' }");
  checkKeys(options, BUILD_SURFACE_KEYS, 'options');
  if (typeof options.currency !== 'string') throw new InputError('options.currency', options.currency, "a currency such as 'BTC'");
  const minExpiry = options.minExpiry ?? 2 / 365;
  const minQuotes = options.minQuotesPerExpiry ?? 5;
  const weighting = options.weighting ?? 'inverseSpread';
  if (!['inverseSpread', 'inverseSpreadSquared', 'uniform'].includes(weighting)) throw new InputError('options.weighting', weighting, "'inverseSpread', 'inverseSpreadSquared' or 'uniform'");
  const minHalf = options.minHalfSpread ?? 0.0025;
  if (typeof minExpiry !== 'number' || !(minExpiry >= 0)) throw new InputError('options.minExpiry', minExpiry, 'a number >= 0');
  if (typeof minQuotes !== 'number' || !Number.isInteger(minQuotes) || minQuotes < 1) throw new InputError('options.minQuotesPerExpiry', minQuotes, 'an integer >= 1');
  if (typeof minHalf !== 'number' || !(minHalf > 0) || minHalf === Infinity) throw new InputError('options.minHalfSpread', minHalf, 'a finite positive number');

  const dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  const n = chain.length;
  // Forward per expiry: median of `underlying` over the currency's options of that expiry.
  const byExpiry = new Map<number, number[]>();
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) {
    if (chain.currency[i] !== options.currency) {
      dropped.otherCurrency++;
      continue;
    }
    checkRow(chain, i);
    if (!(chain.timeToMaturity[i] >= minExpiry)) {
      dropped.expiryTooShort++;
      continue;
    }
    const T = chain.timeToMaturity[i];
    const list = byExpiry.get(T);
    if (list) list.push(i);
    else byExpiry.set(T, [i]);
    candidates.push(i);
  }
  const forwardOf = new Map<number, number>();
  for (const [T, idx] of byExpiry) {
    const f = idx.map((i) => chain.forward[i]).sort((a, b) => a - b);
    forwardOf.set(T, f.length % 2 ? f[(f.length - 1) >> 1] : 0.5 * (f[f.length / 2 - 1] + f[f.length / 2]));
  }
  const pass: number[] = [];
  for (const i of candidates) {
    const F = forwardOf.get(chain.timeToMaturity[i])!;
    const K = chain.strike[i];
    const call = chain.type[i] === 1;
    if (call ? K < F : K >= F) dropped.inTheMoney++;
    else if (!(chain.bid[i] > 0)) dropped.noBid++;
    else if (!(chain.ask[i] > 0)) dropped.noAsk++;
    else if (chain.bid[i] > chain.ask[i]) dropped.crossed++;
    else pass.push(i);
  }
  const m = pass.length;
  const F = Float64Array.from(pass, (i) => forwardOf.get(chain.timeToMaturity[i])!);
  const K = Float64Array.from(pass, (i) => chain.strike[i]);
  const T = Float64Array.from(pass, (i) => chain.timeToMaturity[i]);
  const types = Int8Array.from(pass, (i) => chain.type[i]);
  const bidP = Float64Array.from(pass, (i) => chain.bid[i]);
  const askP = Float64Array.from(pass, (i) => chain.ask[i]);
  const midP = Float64Array.from(pass, (_, r) => 0.5 * (bidP[r] + askP[r]));
  const iv = (prices: Float64Array) => impliedVol(ctx, { prices, forwards: F, strikes: K, expiries: T, types, settlement: 'coin' }).vols;
  const bidV = iv(bidP), askV = iv(askP), midV = iv(midP);
  const ok: number[] = [];
  for (let r = 0; r < m; r++) {
    if (!(bidV[r] > 0)) dropped.bidNoImpliedVol++;
    else if (!(askV[r] > 0) || !(midV[r] > 0)) dropped.askNoImpliedVol++;
    else ok.push(r);
  }
  // Slices too small to fit.
  const count = new Map<number, number>();
  for (const r of ok) count.set(T[r], (count.get(T[r]) ?? 0) + 1);
  let kept = ok.filter((r) => {
    if (count.get(T[r])! >= minQuotes) return true;
    dropped.sliceTooSmall++;
    return false;
  });
  kept = kept.sort((a, b) => T[a] - T[b] || K[a] - K[b]);
  const halfSpreads = kept.map((r) => Math.max(minHalf, 0.5 * (askV[r] - bidV[r])));
  const sorted = [...halfSpreads].sort((a, b) => a - b);
  const h0 = sorted.length ? sorted[sorted.length >> 1] : 1;
  const weights = Float64Array.from(halfSpreads, (h) => (weighting === 'uniform' ? 1 : weighting === 'inverseSpread' ? h0 / h : (h0 / h) ** 2));
  const pick = <A extends Float64Array>(col: A) => Float64Array.from(kept, (r) => col[r]);
  const expiries: SurfaceExpiry[] = [];
  for (const r of kept) {
    const last = expiries[expiries.length - 1];
    if (last && last.expiry === T[r]) last.quotes++;
    else expiries.push({ expiry: T[r], expiryDate: chain.expiry[pass[r]] ?? '', forward: F[r], quotes: 1 });
  }
  const keptCount = kept.length;
  return {
    currency: options.currency,
    forwards: pick(F),
    quotes: {
      strikes: pick(K), expiries: pick(T), types: kept.map((r) => (types[r] === 1 ? 'call' : 'put')),
      vols: pick(midV), bids: pick(bidV), asks: pick(askV), weights,
    },
    midPrices: pick(midP), bidPrices: pick(bidP), askPrices: pick(askP),
    instruments: kept.map((r) => chain.instrument[pass[r]]),
    lines: Int32Array.from(kept, (r) => chain.line[pass[r]]),
    expiries,
    considered: n,
    kept: keptCount,
    dropped,
    malformedRows: chain.skipped.slice(),
  };
}
