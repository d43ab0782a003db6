/**
 * Forwards and discount factors per expiry from the chain itself: a venue's futures where it
 * lists them, else put-call parity C - P = DF (F - K) regressed robustly on the near-the-money
 * strikes quoted on both sides, else the spot carried at the term structure's rate.
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { checkChain, priceUnitOf, type OptionChain, type PriceUnit } from './option-chain.js';

/** Where an expiry's forward came from. */
export type ForwardSource = 'futures' | 'parity' | 'spot-carry';

/**
 * Where an expiry's discount factor came from: `'parity'` (the regression's slope, when its rate
 * is known to `maxRateError`), `'term-structure'` (the rate of the nearest expiries whose slope
 * was, linear in T, flat beyond), `'rate'` (the `rate` option), `'none'` (coin-settled prices:
 * no discounting, DF = 1). When no expiry pins a rate and no `rate` is given, an expiry's own
 * slope is used if its rate lies in [-5%, 25%] (`'parity'`, with its `rateStandardError`).
 */
export type DiscountSource = 'parity' | 'term-structure' | 'rate' | 'none';

/** The forward and discounting of one expiry of a chain. */
export interface ExpiryForward {
  /** Underlying name. */
  currency: string;
  /** Expiry (ISO 8601, as in the chain). */
  expiry: string;
  /** Years. */
  timeToMaturity: number;
  /** Forward price (quote currency, USD). NaN when no source gives one. */
  forward: number;
  /** Discount factor to expiry (1 for coin-settled prices). */
  discountFactor: number;
  /** Continuously compounded rate -ln(DF) / T (NaN at T = 0). */
  rate: number;
  source: ForwardSource;
  discountSource: DiscountSource;
  /** Call-put pairs in the parity regression (0 for other sources). */
  pairsUsed: number;
  /** Pairs the Huber weights cut below 1 (outliers), of `pairsUsed`. */
  pairsDownweighted: number;
  /** RMS of the parity residuals C - P - DF (F - K) over the pairs used, in the chain's price unit (NaN for other sources). */
  residualRms: number;
  /** Standard error of the parity slope's rate (NaN when not from parity). */
  rateStandardError: number;
  /** Number of options of the expiry in the chain. */
  options: number;
}

/** Options of {@link chainForwards}. */
export interface ChainForwardOptions {
  /** Only this underlying (default: every one in the chain). */
  currency?: string;
  /** Nearest-the-money pairs (smallest |C - P|) in the regression. Default 12. */
  maxPairs?: number;
  /** Fewest pairs for a parity forward (else spot-carry). Default 3. */
  minPairs?: number;
  /**
   * Largest standard error (decimal rate) of the slope's rate for the slope to set the discount
   * factor; a shorter expiry takes the term structure's rate instead. Default 0.005 (50 bp).
   */
  maxRateError?: number;
  /** Rate (continuously compounded) when no expiry's parity gives one, and for futures in quote units. Default 0. */
  rate?: number;
  /** Dividend yield for spot-carry forwards when no parity expiry gives the carry. Default 0. */
  dividendYield?: number;
  /** `'auto'` (default): futures when the chain has them, else parity; `'parity'`: parity even beside futures. */
  prefer?: 'auto' | 'parity';
}

const KEYS = ['currency', 'maxPairs', 'minPairs', 'maxRateError', 'rate', 'dividendYield', 'prefer'] as const satisfies readonly (keyof ChainForwardOptions)[];

/** Huber's tuning constant (95% efficiency under normal errors). */
const HUBER_C = 1.345;
/** MAD to standard deviation under normal errors. */
const MAD_SCALE = 1.4826;
const IRLS_ITERATIONS = 30;

/** One expiry's parity regression. */
export interface ParityFit {
  forward: number;
  /** DF for quote-currency prices; for coin-settled prices the fitted level (1 in theory). */
  discountFactor: number;
  pairsUsed: number;
  pairsDownweighted: number;
  residualRms: number;
  /** Standard error of the discount factor's slope. */
  discountStandardError: number;
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/**
 * Robust (Huber IRLS) fit of put-call parity on near-the-money pairs of one expiry.
 * Quote-currency prices: C - P = DF (F - K), a line in K (slope -DF) unless `fixedDiscount` is
 * given, then only F is fitted. Coin-settled prices (`'underlying'`): c - p = 1 - K / F, only F
 * is fitted. Pairs: the `maxPairs` strikes with smallest |C - P| (nearest the forward), weights
 * 1 / (half-spread of C + half-spread of P) times Huber's.
 * @param strikes, callMids, putMids, halfSpreads per pair (half-spread of C plus of P), any order.
 * @param tickSize the price step (0 when unknown): floors the noise in the slope's standard error.
 * @returns undefined with fewer than `minPairs` pairs or a fit without a positive forward and DF.
 */
export function parityFit(strikes: ArrayLike<number>, callMids: ArrayLike<number>, putMids: ArrayLike<number>, halfSpreads: ArrayLike<number>,
  unit: PriceUnit, maxPairs: number, minPairs: number, tickSize: number, fixedDiscount?: number): ParityFit | undefined {
  const all: number[] = [];
  for (let i = 0; i < strikes.length; i++) all.push(i);
  all.sort((a, b) => Math.abs(callMids[a] - putMids[a]) - Math.abs(callMids[b] - putMids[b]) || strikes[a] - strikes[b]);
  const use = all.slice(0, maxPairs);
  const m = use.length;
  if (m < minPairs) return undefined;
  const K = use.map((i) => strikes[i]);
  const y = use.map((i) => callMids[i] - putMids[i]);
  const spread = median(use.map((i) => halfSpreads[i]));
  const w0 = use.map((i) => 1 / Math.max(halfSpreads[i], 0.1 * spread, 1e-300));
  const Kbar = K.reduce((s, k) => s + k, 0) / m;
  const x = K.map((k) => k - Kbar);
  const huber = new Array<number>(m).fill(1);
  let alpha = 0, beta = 0;
  const free = unit === 'quote' && fixedDiscount === undefined;
  let F = NaN;
  const residuals = new Array<number>(m).fill(0);
  let seBeta = NaN;
  for (let it = 0; it < IRLS_ITERATIONS; it++) {
    let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (let r = 0; r < m; r++) {
      const w = w0[r] * huber[r];
      sw += w; sx += w * x[r]; sy += w * y[r]; sxx += w * x[r] * x[r]; sxy += w * x[r] * y[r];
    }
    if (free) {
      const xm = sx / sw, ym = sy / sw;
      const vxx = sxx - sw * xm * xm;
      if (!(vxx > 0)) return undefined;
      beta = (sxy - sw * xm * ym) / vxx;
      alpha = ym - beta * xm;
      F = Kbar - alpha / beta;
      for (let r = 0; r < m; r++) residuals[r] = y[r] - (alpha + beta * x[r]);
    } else if (unit === 'quote') {
      // y = DF (F - K): F = K + y / DF per pair, weighted mean.
      let s = 0;
      for (let r = 0; r < m; r++) s += w0[r] * huber[r] * (K[r] + y[r] / fixedDiscount!);
      F = s / sw;
      beta = -fixedDiscount!;
      for (let r = 0; r < m; r++) residuals[r] = y[r] - fixedDiscount! * (F - K[r]);
    } else {
      // y = 1 - K / F is linear in G = 1 / F: G = (1 - y) / K per pair.
      let s = 0, sk = 0;
      for (let r = 0; r < m; r++) {
        const w = w0[r] * huber[r] * K[r] * K[r];
        s += w * ((1 - y[r]) / K[r]);
        sk += w;
      }
      F = sk / s;
      beta = -1 / F;
      for (let r = 0; r < m; r++) residuals[r] = y[r] - (1 - K[r] / F);
    }
    const scale = Math.max(MAD_SCALE * median(residuals.map(Math.abs)), 1e-12 * (Math.abs(F) || 1));
    let changed = false;
    for (let r = 0; r < m; r++) {
      const a = Math.abs(residuals[r]);
      const h = a <= HUBER_C * scale ? 1 : (HUBER_C * scale) / a;
      if (Math.abs(h - huber[r]) > 1e-9) changed = true;
      huber[r] = h;
    }
    if (free) {
      // Standard error of the slope. The noise of C - P is at least the rounding of two mids to
      // half a tick (variance tick^2 / 24), so quotes that line up on parity tick for tick cannot
      // claim a rate to the basis point.
      // Residuals weighted by their Huber weights: an outlier the fit ignores does not inflate it.
      let ss = 0, sh = 0, sx2 = 0, sxx2 = 0;
      for (let r = 0; r < m; r++) {
        ss += huber[r] * residuals[r] * residuals[r]; sh += huber[r]; sx2 += x[r]; sxx2 += x[r] * x[r];
      }
      const variance = Math.max(sh > 2 ? ss / (sh - 2) : Infinity, (tickSize * tickSize) / 24);
      seBeta = Math.sqrt(variance / (sxx2 - (sx2 * sx2) / m));
    }
    if (!changed && it > 0) break;
  }
  const DF = free ? -beta : unit === 'quote' ? fixedDiscount! : 1;
  if (!(F > 0) || !Number.isFinite(F) || !(DF > 0)) return undefined;
  const rms = Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / m);
  return { forward: F, discountFactor: DF, pairsUsed: m, pairsDownweighted: huber.filter((h) => h < 1).length, residualRms: rms, discountStandardError: free ? seBeta : NaN };
}

function checkCount(v: unknown, fallback: number, min: number, path: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 1e6) throw new InputError(path, v, `an integer in [${min}, 1000000]`);
  return v;
}

function checkRate(v: unknown, fallback: number, path: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 10) throw new InputError(path, v, 'a finite rate in [-10, 10] (continuously compounded, decimal)');
  return v;
}

/** Rate at T from the (T, rate) points, linear in T between them, flat beyond; undefined with none. */
function rateAt(points: { T: number; rate: number }[], T: number): number | undefined {
  if (points.length === 0) return undefined;
  if (T <= points[0].T) return points[0].rate;
  for (let j = 1; j < points.length; j++) {
    if (T <= points[j].T) {
      const a = points[j - 1], b = points[j];
      return a.rate + ((b.rate - a.rate) * (T - a.T)) / (b.T - a.T);
    }
  }
  return points[points.length - 1].rate;
}

/**
 * The forward and discount factor of every expiry of a chain (one entry per underlying and
 * expiry, ascending time to expiry). Sources, per expiry: `'futures'` when the chain carries a
 * forward (Deribit's `underlying`; the median over the expiry's options); else `'parity'`: a
 * Huber-robust regression of C - P = DF (F - K) on the `maxPairs` nearest-the-money strikes quoted
 * on both sides (mids of two-sided, uncrossed quotes), `pairsUsed` and `residualRms` reported; else
 * `'spot-carry'`: spot (the chain's `index`) times exp(carry T), the carry interpolated from the
 * parity expiries (ln(F / S) / T), or `rate - dividendYield` without any.
 * The discount factor: see {@link DiscountSource}; for a short expiry the slope of C - P on K is too
 * flat to pin DF, so it takes the rate of the expiries where it is pinned (`maxRateError`).
 * Rows with a non-finite strike or time to expiry, or a type other than +1 / -1, are left out of
 * the regression (buildSurface rejects them first).
 * @throws InputError for a malformed chain shape (`chain.length`, `chain.<column>`) or options.
 */
export function chainForwards(chain: OptionChain, options: ChainForwardOptions = {}): ExpiryForward[] {
  checkChain(chain);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InputError('options', options, 'an options object');
  checkKeys(options, KEYS, 'options');
  const maxPairs = checkCount(options.maxPairs, 12, 2, 'options.maxPairs');
  const minPairs = checkCount(options.minPairs, 3, 2, 'options.minPairs');
  const rateOption = checkRate(options.rate, 0, 'options.rate');
  const dividendYield = checkRate(options.dividendYield, 0, 'options.dividendYield');
  const maxRateError = options.maxRateError ?? 0.005;
  if (typeof maxRateError !== 'number' || !(maxRateError > 0)) throw new InputError('options.maxRateError', maxRateError, 'a positive rate error (decimal)');
  const prefer = options.prefer ?? 'auto';
  if (prefer !== 'auto' && prefer !== 'parity') throw new InputError('options.prefer', prefer, "'auto' or 'parity'");
  if (options.currency !== undefined && typeof options.currency !== 'string') throw new InputError('options.currency', options.currency, 'an underlying name');
  const unit = priceUnitOf(chain);
  const index = chain.index ?? new Float64Array(chain.length).fill(NaN);
  const tick = chain.tickSize !== undefined && chain.tickSize > 0 && chain.tickSize < Infinity ? chain.tickSize : 0;

  // Group the options of each (underlying, expiry).
  const groups = new Map<string, { currency: string; T: number; expiry: string; rows: number[] }>();
  for (let i = 0; i < chain.length; i++) {
    const currency = chain.currency[i];
    if (options.currency !== undefined && currency !== options.currency) continue;
    const T = chain.timeToMaturity[i];
    const K = chain.strike[i];
    if (!(T >= 0 && T < Infinity) || !(K > 0 && K < Infinity) || (chain.type[i] !== 1 && chain.type[i] !== -1)) continue;
    const key = `${currency}\u0000${T}`;
    const g = groups.get(key);
    if (g) g.rows.push(i);
    else groups.set(key, { currency, T, expiry: chain.expiry[i] ?? '', rows: [i] });
  }
  const list = [...groups.values()].sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : a.T - b.T));
  const out: ExpiryForward[] = [];
  // Pass 1: futures and free parity fits; which slopes pin a rate.
  type Work = { g: (typeof list)[number]; pairs?: { K: number[]; C: number[]; P: number[]; H: number[] }; fit?: ParityFit; entry: ExpiryForward };
  const work: Work[] = [];
  for (const g of list) {
    const fwd = g.rows.map((i) => chain.forward[i]).filter((f) => f > 0 && f < Infinity);
    const spots = g.rows.map((i) => index[i]).filter((s) => s > 0 && s < Infinity);
    const entry: ExpiryForward = {
      currency: g.currency, expiry: g.expiry, timeToMaturity: g.T, forward: NaN, discountFactor: NaN, rate: NaN,
      source: 'spot-carry', discountSource: unit === 'underlying' ? 'none' : 'rate', pairsUsed: 0, pairsDownweighted: 0,
      residualRms: NaN, rateStandardError: NaN, options: g.rows.length,
    };
    const w: Work = { g, entry };
    work.push(w);
    if (fwd.length > 0 && prefer === 'auto') {
      entry.source = 'futures';
      entry.forward = median(fwd);
      continue;
    }
    if (!(g.T > 0)) {
      entry.forward = spots.length ? median(spots) : NaN;
      continue;
    }
    // Two-sided, uncrossed mids by strike.
    const calls = new Map<number, [number, number]>(), puts = new Map<number, [number, number]>();
    for (const i of g.rows) {
      const b = chain.bid[i], a = chain.ask[i];
      if (!(b > 0) || !(a >= b) || a === Infinity) continue;
      const side = chain.type[i] === 1 ? calls : puts;
      const prev = side.get(chain.strike[i]);
      if (!prev || a - b < 2 * prev[1]) side.set(chain.strike[i], [0.5 * (a + b), 0.5 * (a - b)]);
    }
    const pairs = { K: [] as number[], C: [] as number[], P: [] as number[], H: [] as number[] };
    for (const [K, c] of calls) {
      const p = puts.get(K);
      if (!p) continue;
      pairs.K.push(K); pairs.C.push(c[0]); pairs.P.push(p[0]); pairs.H.push(c[1] + p[1]);
    }
    w.pairs = pairs;
    const fit = parityFit(pairs.K, pairs.C, pairs.P, pairs.H, unit, maxPairs, minPairs, tick);
    if (!fit) continue;
    w.fit = fit;
    entry.source = 'parity';
    entry.forward = fit.forward;
    entry.pairsUsed = fit.pairsUsed;
    entry.pairsDownweighted = fit.pairsDownweighted;
    entry.residualRms = fit.residualRms;
    if (unit === 'quote') {
      entry.rateStandardError = fit.discountStandardError / (fit.discountFactor * g.T);
      if (entry.rateStandardError <= maxRateError) {
        entry.discountFactor = fit.discountFactor;
        entry.discountSource = 'parity';
      }
    }
  }
  // Pass 2: the term structure of pinned rates (and of carries) per underlying.
  for (const currency of new Set(list.map((g) => g.currency))) {
    const mine = work.filter((w) => w.g.currency === currency);
    const pinned = mine.filter((w) => w.entry.discountSource === 'parity').map((w) => ({ T: w.g.T, rate: -Math.log(w.entry.discountFactor) / w.g.T }));
    const spot = median(mine.flatMap((w) => w.g.rows.map((i) => index[i]).filter((s) => s > 0 && s < Infinity)));
    const carries = mine.filter((w) => w.entry.source !== 'spot-carry' && w.g.T > 0 && spot > 0 && w.entry.forward > 0).map((w) => ({ T: w.g.T, rate: Math.log(w.entry.forward / spot) / w.g.T }));
    for (const w of mine) {
      const e = w.entry;
      if (unit === 'underlying') e.discountFactor = 1;
      else if (e.discountSource !== 'parity') {
        const r = rateAt(pinned, w.g.T);
        const own = w.fit ? -Math.log(w.fit.discountFactor) / w.g.T : NaN;
        if (r === undefined && options.rate === undefined && own >= -0.05 && own <= 0.25) {
          // Nothing pins a rate and none was given: the expiry's own slope beats assuming 0.
          e.discountSource = 'parity';
          e.discountFactor = w.fit!.discountFactor;
          e.rate = own;
          out.push(e);
          continue;
        }
        e.discountSource = r === undefined ? 'rate' : 'term-structure';
        e.discountFactor = Math.exp(-(r ?? rateOption) * w.g.T);
        if (e.source === 'parity' && w.pairs) {
          // Refit the forward with the discount factor fixed: a noisy slope no longer moves it.
          const fit = parityFit(w.pairs.K, w.pairs.C, w.pairs.P, w.pairs.H, unit, maxPairs, minPairs, tick, e.discountFactor);
          if (fit) {
            e.forward = fit.forward;
            e.residualRms = fit.residualRms;
            e.pairsDownweighted = fit.pairsDownweighted;
          }
        }
      }
      if (e.source === 'spot-carry' && w.g.T > 0) {
        const c = rateAt(carries, w.g.T) ?? rateOption - dividendYield;
        e.forward = spot > 0 ? spot * Math.exp(c * w.g.T) : NaN;
      }
      e.rate = w.g.T > 0 ? -Math.log(e.discountFactor) / w.g.T : NaN;
      out.push(e);
    }
  }
  return out;
}
