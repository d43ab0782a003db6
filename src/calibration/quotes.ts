import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { requireObject, enumOption } from '../batch-inputs.js';
import { checkKeys } from '../option-keys.js';
import { black76 } from '../pricing/black-pricing.js';
import { impliedVol } from '../pricing/implied-vol.js';
import type { EndReason, FitResultBase, LeastSquaresProblem, MarketArgs, QuoteColumns } from './types.js';

/** The keys of {@link MarketArgs} (every calibration call accepts them). */
export const MARKET_KEYS = [
  'spot', 'forwards', 'rate', 'rates', 'dividendYield', 'settlement', 'quotes', 'objective', 'maxIterations', 'tolerance', 'jacobian',
] as const satisfies readonly (keyof MarketArgs)[];

/** The keys of {@link QuoteColumns}. */
const QUOTE_KEYS = ['strikes', 'expiries', 'types', 'prices', 'vols', 'weights', 'bids', 'asks'] as const satisfies readonly (keyof QuoteColumns)[];

/**
 * Most quotes one calibration call takes (2^24, about 16.8 million: thousands of times any listed
 * surface). A larger `quotes.strikes.length` is a malformed call, not an allocation attempt.
 */
export const MAX_QUOTES = 2 ** 24;

/** Quotes checked and normalised for a vol-parametric model (one entry per quote). */
export interface PreparedQuotes {
  n: number;
  strikes: Float64Array;
  expiries: Float64Array;
  forwards: Float64Array;
  /** ln(K / F). */
  logMoneyness: Float64Array;
  /** +1 call, -1 put. */
  types: Int8Array;
  discounts: Float64Array;
  /** Market vols (NaN where a price has no implied vol: such quotes get weight 0). */
  vols: Float64Array;
  /** Market prices (price objective, or prices given). */
  prices: Float64Array | null;
  weights: Float64Array;
  bids: Float64Array | null;
  asks: Float64Array | null;
  /** Units of bids/asks: the quotes were given as vols or as prices. */
  given: 'vol' | 'price';
  objective: 'vol' | 'price';
  settlement: 'usd' | 'coin';
  /** Quote indices per distinct expiry, ascending expiry. */
  slices: { expiry: number; indices: Int32Array }[];
}

function column(v: unknown, n: number, path: string, positive: boolean): Float64Array {
  const out = new Float64Array(n);
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || (positive && !(v > 0))) throw new InputError(path, v, positive ? 'a positive number' : 'a finite number');
    return out.fill(v);
  }
  if (v === null || typeof v !== 'object' || (v as ArrayLike<unknown>).length !== n) throw new InputError(path, v, `a number or an array of ${n} numbers`);
  if (v instanceof Float64Array) {
    // The common case read through a monomorphic typed-array loop (the generic one below sees
    // every array kind of every caller, and its element loads cost more than the check).
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (!Number.isFinite(x) || (positive && !(x > 0))) throw new InputError(`${path}[${i}]`, x, positive ? 'a positive number' : 'a finite number');
      out[i] = x;
    }
    return out;
  }
  const a = v as ArrayLike<unknown>;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || (positive && !(x > 0))) throw new InputError(`${path}[${i}]`, x, positive ? 'a positive number' : 'a finite number');
    out[i] = x;
  }
  return out;
}

function optionalColumn(v: unknown, n: number, path: string): Float64Array | null {
  if (v === undefined) return null;
  if (v === null || typeof v !== 'object' || (v as ArrayLike<unknown>).length !== n) throw new InputError(path, v, `an array of ${n} numbers`);
  const out = new Float64Array(n);
  if (v instanceof Float64Array) {
    out.set(v); // every element is a number (NaN allowed)
    return out;
  }
  const a = v as ArrayLike<unknown>;
  for (let i = 0; i < n; i++) {
    if (typeof a[i] !== 'number') throw new InputError(`${path}[${i}]`, a[i], 'a number (NaN allowed)');
    out[i] = a[i] as number;
  }
  return out;
}

/**
 * @throws InputError unless `v` is undefined or a function (a test hook such as `onEvaluate`).
 */
export function optionalFunction<T>(v: T, path: string): T {
  if (v !== undefined && typeof v !== 'function') throw new InputError(path, v, 'a function');
  return v;
}

/**
 * @throws InputError unless `v` is undefined or an integer in [0, max] (e.g. `extraStarts`).
 */
export function countOption(v: unknown, fallback: number, max: number, path: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new InputError(path, v, `an integer in [0, ${max}]`);
  return v;
}

/**
 * Check and normalise the shared calibration arguments: forwards from `forwards` or from
 * `spot`, `rate(s)` and `dividendYield`; vols from prices with the batch implied-vol kernel (or
 * prices from vols, for the price objective); slices by distinct expiry.
 * @param allowedKeys the keys `args` may have (the calling model's argument type); an unknown key
 *   is an InputError naming it (and the closest valid key). `quotes` is always checked against
 *   {@link QUOTE_KEYS}.
 * @throws InputError for a malformed call (naming the field, e.g. `quotes.strikes[3]`).
 */
export function prepareQuotes(ctx: EngineContext, args: MarketArgs, allowedKeys?: readonly string[]): PreparedQuotes {
  const a = requireObject(args, 'args') as unknown as MarketArgs;
  if (allowedKeys) checkKeys(a, allowedKeys, '');
  const q = requireObject(a.quotes, 'quotes') as unknown as MarketArgs['quotes'];
  checkKeys(q, QUOTE_KEYS, 'quotes');
  const sv = q.strikes as unknown;
  if (sv === null || typeof sv !== 'object' || typeof (sv as ArrayLike<number>).length !== 'number') throw new InputError('quotes.strikes', sv, 'an array of strikes');
  const n = (sv as ArrayLike<number>).length;
  if (!Number.isInteger(n) || n < 1 || n > MAX_QUOTES) throw new InputError('quotes.strikes', sv, `an array of 1 to ${MAX_QUOTES} strikes (length ${n})`);
  const strikes = column(q.strikes, n, 'quotes.strikes', true);
  const expiries = column(q.expiries, n, 'quotes.expiries', true);
  const objective = enumOption(a.objective, ['vol', 'price'] as const, 'vol', 'objective');
  const settlement = enumOption(a.settlement, ['usd', 'coin'] as const, 'usd', 'settlement');
  if (a.rate !== undefined && a.rates !== undefined) throw new InputError('rates', a.rates, 'rate or rates, not both');
  const rateArg = a.rates ?? a.rate ?? 0;
  const discounts = new Float64Array(n);
  let rates: Float64Array | null = null;
  if (rateArg === 0) discounts.fill(1); // no rate (the common case with forwards given): exp(-0 T) = 1
  else {
    rates = column(rateArg, n, a.rates !== undefined ? 'rates' : 'rate', false);
    for (let i = 0; i < n; i++) discounts[i] = Math.exp(-rates[i] * expiries[i]);
  }
  let forwards: Float64Array;
  if (a.forwards !== undefined) {
    // spot and dividendYield only build forwards: beside given forwards they would be ignored.
    if (a.spot !== undefined) throw new InputError('spot', a.spot, 'absent when forwards are given');
    if (a.dividendYield !== undefined) throw new InputError('dividendYield', a.dividendYield, 'absent when forwards are given');
    forwards = column(a.forwards, n, 'forwards', true);
  }
  else if (a.spot !== undefined) {
    const spot = column(a.spot, 1, 'spot', true)[0];
    const qy = a.dividendYield === undefined ? 0 : column(a.dividendYield, 1, 'dividendYield', false)[0];
    forwards = new Float64Array(n);
    for (let i = 0; i < n; i++) forwards[i] = spot * Math.exp(((rates ? rates[i] : 0) - qy) * expiries[i]);
  } else throw new InputError('forwards', undefined, 'forwards, or spot (with rate and dividendYield)');
  const logMoneyness = new Float64Array(n);
  for (let i = 0; i < n; i++) logMoneyness[i] = Math.log(strikes[i] / forwards[i]);
  const types = new Int8Array(n);
  if (q.types === undefined) for (let i = 0; i < n; i++) types[i] = strikes[i] >= forwards[i] ? 1 : -1;
  else if (typeof q.types === 'string') {
    if (q.types !== 'call' && q.types !== 'put') throw new InputError('quotes.types', q.types, "'call' or 'put'");
    types.fill(q.types === 'call' ? 1 : -1);
  } else {
    if (q.types === null || typeof q.types !== 'object' || q.types.length !== n) throw new InputError('quotes.types', q.types, `an array of ${n} 'call' | 'put'`);
    for (let i = 0; i < n; i++) {
      const t = q.types[i];
      if (t !== 'call' && t !== 'put') throw new InputError(`quotes.types[${i}]`, t, "'call' or 'put'");
      types[i] = t === 'call' ? 1 : -1;
    }
  }
  if ((q.vols === undefined) === (q.prices === undefined)) throw new InputError('quotes.vols', q.vols, 'exactly one of quotes.vols and quotes.prices');
  const given = q.vols !== undefined ? 'vol' : 'price';
  let vols: Float64Array;
  let prices: Float64Array | null = null;
  if (given === 'vol') {
    vols = optionalColumn(q.vols, n, 'quotes.vols')!;
    if (objective === 'price') prices = black76(ctx, { forwards, strikes, expiries, vols, types, discountFactors: discounts, settlement }).price.slice();
  } else {
    prices = optionalColumn(q.prices, n, 'quotes.prices')!;
    vols = impliedVol(ctx, { prices, forwards, strikes, expiries, types, discountFactors: discounts, settlement }).vols.slice();
  }
  const weights = new Float64Array(n).fill(1);
  if (q.weights !== undefined) {
    const w = optionalColumn(q.weights, n, 'quotes.weights')!;
    for (let i = 0; i < n; i++) {
      if (!(w[i] >= 0) || w[i] === Infinity) throw new InputError(`quotes.weights[${i}]`, w[i], 'a finite number >= 0');
      weights[i] = w[i];
    }
  }
  for (let i = 0; i < n; i++) if (!Number.isFinite(vols[i]) || !(vols[i] > 0)) weights[i] = 0; // no implied vol: unusable
  const bids = optionalColumn(q.bids, n, 'quotes.bids');
  const asks = optionalColumn(q.asks, n, 'quotes.asks');
  if ((bids === null) !== (asks === null)) throw new InputError(bids ? 'quotes.asks' : 'quotes.bids', undefined, 'bids and asks together');
  return { n, strikes, expiries, forwards, logMoneyness, types, discounts, vols, prices, weights, bids, asks, given, objective, settlement, slices: slicesByExpiry(expiries) };
}

/** Quote indices per distinct expiry, ascending expiry. */
function slicesByExpiry(expiries: Float64Array): PreparedQuotes['slices'] {
  const n = expiries.length;
  // One expiry (a single slice, the warm refit's case): no map, no sort.
  let same = true;
  for (let i = 1; i < n && same; i++) same = expiries[i] === expiries[0];
  if (same) {
    const indices = new Int32Array(n);
    for (let i = 0; i < n; i++) indices[i] = i;
    return [{ expiry: expiries[0], indices }];
  }
  const byExpiry = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = byExpiry.get(expiries[i]);
    if (list) list.push(i);
    else byExpiry.set(expiries[i], [i]);
  }
  return [...byExpiry.entries()].sort((x, y) => x[0] - y[0]).map(([expiry, idx]) => ({ expiry, indices: Int32Array.from(idx) }));
}

/**
 * Model vols and d vol / d params for a subset of quotes: `vols(params, out, jac)` writes the
 * model vols (length = the subset) and, when jac is not null, the row-major Jacobian.
 */
export type VolEvaluator = (params: Float64Array, out: Float64Array, jac: Float64Array | null) => void;

/**
 * The least-squares problem of a vol-parametric model on quotes `idx`: residuals model - market
 * in vols (decimals) or prices (the price objective: Black-76 of the model vol, chain rule
 * through vega).
 */
export function volProblem(ctx: EngineContext, Q: PreparedQuotes, idx: Int32Array, nParams: number, evalVols: VolEvaluator): LeastSquaresProblem {
  const m = idx.length;
  const target = new Float64Array(m);
  for (let r = 0; r < m; r++) target[r] = Q.vols[idx[r]];
  const modelVols = new Float64Array(m);
  if (Q.objective === 'vol') {
    return {
      nParams, nResiduals: m,
      evaluate(p, res, jac) {
        evalVols(p, modelVols, jac);
        for (let r = 0; r < m; r++) res[r] = Number.isFinite(target[r]) ? modelVols[r] - target[r] : 0;
      },
    };
  }
  const pick = (col: Float64Array) => Float64Array.from(idx, (i) => col[i]);
  const F = pick(Q.forwards), K = pick(Q.strikes), T = pick(Q.expiries), D = pick(Q.discounts), P = pick(Q.prices!);
  const types = Int8Array.from(idx, (i) => Q.types[i]);
  const coin = Q.settlement === 'coin';
  return {
    nParams, nResiduals: m,
    evaluate(p, res, jac) {
      evalVols(p, modelVols, jac);
      const pr = black76(ctx, { forwards: F, strikes: K, expiries: T, vols: modelVols, types, discountFactors: D, settlement: Q.settlement, greeks: jac !== null });
      for (let r = 0; r < m; r++) {
        res[r] = Number.isFinite(P[r]) ? pr.price[r] - P[r] : 0;
        if (jac) {
          const vega = coin ? pr.vega![r] / F[r] : pr.vega![r];
          for (let j = 0; j < nParams; j++) jac[r * nParams + j] *= vega;
        }
      }
    },
  };
}

const REASON_RANK: Record<EndReason, number> = { converged: 0, stationaryPoint: 1, smallStep: 2, maxGenerations: 3, maxIterations: 4, nonFinite: 5 };

/** The worst of several slice reasons (nonFinite > maxIterations > smallStep > stationaryPoint > converged). */
export function worstReason(reasons: EndReason[]): EndReason {
  return reasons.reduce((w, r) => (REASON_RANK[r] > REASON_RANK[w] ? r : w), 'converged' as EndReason);
}

/**
 * Fit statistics for quotes `idx` given model vols there: unweighted residuals model - market in
 * vol points (vol objective) or price units, RMSE and max |error| over quotes with weight > 0,
 * and the fraction inside [bid, ask] when those were given (in the units the quotes came in).
 */
export function fitStatistics(ctx: EngineContext, Q: PreparedQuotes, idx: Int32Array, modelVols: Float64Array, residualsOut: Float64Array):
  Pick<FitResultBase, 'rmse' | 'maxAbsError' | 'insideBidAsk'> {
  const m = idx.length;
  let modelPrices: Float64Array | null = null;
  if (Q.objective === 'price' || (Q.bids && Q.given === 'price')) {
    const pick = (col: Float64Array) => Float64Array.from(idx, (i) => col[i]);
    modelPrices = black76(ctx, {
      forwards: pick(Q.forwards), strikes: pick(Q.strikes), expiries: pick(Q.expiries), vols: modelVols,
      types: Int8Array.from(idx, (i) => Q.types[i]), discountFactors: pick(Q.discounts), settlement: Q.settlement,
    }).price;
  }
  let ss = 0, count = 0, maxAbs = 0, inside = 0, withQuote = 0;
  for (let r = 0; r < m; r++) {
    const i = idx[r];
    const e = Q.objective === 'vol' ? 100 * (modelVols[r] - Q.vols[i]) : modelPrices![r] - Q.prices![i];
    const usable = Q.weights[i] > 0 && Number.isFinite(e);
    residualsOut[i] = usable ? e : NaN;
    if (usable) {
      ss += e * e;
      count++;
      maxAbs = Math.max(maxAbs, Math.abs(e));
    }
    if (Q.bids && Q.asks) {
      const b = Q.bids[i], aa = Q.asks[i];
      if (Number.isFinite(b) && Number.isFinite(aa) && Q.weights[i] > 0) {
        const v = Q.given === 'vol' ? modelVols[r] : modelPrices![r];
        withQuote++;
        if (v >= b && v <= aa) inside++;
      }
    }
  }
  return {
    rmse: count ? Math.sqrt(ss / count) : NaN, maxAbsError: count ? maxAbs : NaN, insideBidAsk: Q.bids && withQuote ? inside / withQuote : NaN,
  };
}

