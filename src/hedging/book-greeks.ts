/**
 * Cash greeks of a book of options, futures, perpetuals and spot, per position and aggregated by
 * underlying, expiry bucket, moneyness (strike) bucket, delta bucket and in total.
 *
 * Positions are resolved by the margin module (src/margin/market.ts: the same accounts, instruments,
 * forwards, vols and coin-settled conventions as margin), then every option is repriced with its
 * greeks in ONE Black-76 batch call. Each position's USD value V(S, sigma) as a function of its
 * asset's index S (every forward moves with it: F = S e^{basis T}) and of a parallel vol shift gives
 * the cash greeks:
 * - USD numeraire: delta = S dV/dS (USD per 100% move), gamma = S^2 d2V/dS2 / 100 (change of the
 *   coin delta for a 1% move, valued at S), vega = dV/dsigma / 100 (per vol point), theta = Black-76
 *   theta / 365.25 (per calendar day, forward held), vanna = S d2V/(dS dsigma) / 100 (change of the
 *   USD delta per vol point), volga = d2V/dsigma2 / 10^4 (change of vega per vol point);
 * - coin numeraire (the book counted in coins of its underlying, W = V / S): delta = dW/d ln S in
 *   coins (for a coin-settled option, Black-76's premium-adjusted delta), gamma = S dDelta/dS / 100,
 *   vega, theta, volga = the USD figures / S, vanna = d(coin delta)/dsigma / 100.
 * Marks: the market's vols (venue mark IVs) or a {@link VolSurfaceLike}; with a surface, greeks are
 * sticky-strike (vol at each strike held as the index moves) or sticky-moneyness (vol at each
 * log-moneyness ln(K/F) held: delta and gamma pick up the smile's slope and curvature).
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { Status } from '../status.js';
import { black76 } from '../pricing/black-pricing.js';
import { resolveAccounts } from '../margin/market.js';
import { DAYS_PER_YEAR } from '../margin/grids.js';
import type { MarginAccount, MarginMarket, MarginPosition, ResolvedPosition } from '../margin/types.js';

/**
 * What book greeks need of a vol surface: `VolSurface` (src/surface/vol-surface.ts) satisfies it.
 * `vol` takes exactly one of `strikes` (absolute, the forward's units) or `moneyness`
 * (k = ln(K / F(T))), and `expiries` in years; it returns annualised vols (decimals) and per-element
 * statuses ({@link Status}).
 */
export interface VolSurfaceLike {
  readonly underlying?: string | undefined;
  vol(args: { strikes?: ArrayLike<number>; moneyness?: ArrayLike<number>; expiries: ArrayLike<number> }): { vols: Float64Array; status: Uint8Array };
}

/** The six cash greeks and the value of a position or bucket, in the chosen numeraire (see the module docs). */
export interface CashGreeks {
  /** Value (USD, or coins of the underlying with numeraire 'coin'). */
  value: number;
  /** USD per 100% move of the index (S dV/dS); coins (dW/d ln S) with numeraire 'coin'. */
  delta: number;
  /** Change of the (coin) delta for a 1% index move: USD (S^2 d2V/dS2 / 100), or coins. */
  gamma: number;
  /** Per vol point (0.01 of vol). */
  vega: number;
  /** Value change per calendar day (1/365.25 year), forwards and vols held. */
  theta: number;
  /** Change of delta per vol point. */
  vanna: number;
  /** Change of vega per vol point. */
  volga: number;
}

/** Greek names of {@link CashGreeks} (value excluded). */
export const CASH_GREEK_NAMES = ['delta', 'gamma', 'vega', 'theta', 'vanna', 'volga'] as const;
export type CashGreekName = (typeof CASH_GREEK_NAMES)[number];

/** One bucket of an aggregation: the positions of `asset` whose key lies in [lower, upper). */
export interface GreekBucket extends CashGreeks {
  asset: string;
  /** E.g. `'7d-30d'`, `'0.95-1.05'`, `'perpetual'`, `'linear'`. */
  label: string;
  lower: number;
  upper: number;
  /** Positions in the bucket. */
  count: number;
}

/** Options of `engine.bookGreeks`. */
export interface BookGreeksOptions {
  /** `'usd'` (default) or `'coin'`: amounts in coins of each position's underlying (see the module docs). */
  numeraire?: 'usd' | 'coin';
  /**
   * Mark options off this surface instead of the market's vols: one surface (used for every asset,
   * or only for its `underlying` when set) or a Map from asset to surface.
   */
  surface?: VolSurfaceLike | ReadonlyMap<string, VolSurfaceLike>;
  /** With a surface: `'strike'` (default) or `'moneyness'` (see the module docs). Without one only `'strike'`. */
  sticky?: 'strike' | 'moneyness';
  /** Upper edges of the expiry buckets in years (increasing); default 7, 30, 90, 180, 365 days (/365.25). */
  expiryBuckets?: readonly number[];
  /** Inner edges of the moneyness K/F buckets (increasing); default 0.8, 0.9, 0.95, 1.05, 1.1, 1.2. */
  strikeBuckets?: readonly number[];
  /** Inner edges of the per-unit Black-76 delta buckets (increasing, in (-1, 1)); default -0.75, -0.4, -0.1, 0.1, 0.4, 0.75. */
  deltaBuckets?: readonly number[];
}

const OPTION_KEYS = ['numeraire', 'surface', 'sticky', 'expiryBuckets', 'strikeBuckets', 'deltaBuckets'] as const satisfies readonly (keyof BookGreeksOptions)[];

/** Per-position columns of {@link BookGreeksResult} (book order). */
export interface PositionGreekColumns {
  value: Float64Array;
  delta: Float64Array;
  gamma: Float64Array;
  vega: Float64Array;
  theta: Float64Array;
  vanna: Float64Array;
  volga: Float64Array;
  /** Per-unit Black-76 delta dV76/dF of options (call in [0, 1], put in [-1, 0]); NaN for other kinds. */
  unitDelta: Float64Array;
  /** Implied vol used for each option (decimal); NaN for other kinds. */
  vols: Float64Array;
  /** Per-position {@link Status}: ok, or invalidInput (then the position's columns are NaN and it is left out of the aggregates). */
  status: Uint8Array;
}

/** Result of `engine.bookGreeks`. */
export interface BookGreeksResult {
  numeraire: 'usd' | 'coin';
  sticky: 'strike' | 'moneyness';
  /** Where option vols came from. */
  marks: 'market' | 'surface';
  positions: PositionGreekColumns;
  /** Each position's underlying, kind, expiry (years) and strike (NaN for non-options). */
  assets: string[];
  kinds: ResolvedPosition['kind'][];
  expiries: Float64Array;
  strikes: Float64Array;
  /** Sum over the book; null in the coin numeraire when the book holds several underlyings (coins of different assets do not add). */
  total: CashGreeks | null;
  byUnderlying: Map<string, CashGreeks>;
  byExpiry: GreekBucket[];
  byStrike: GreekBucket[];
  byDelta: GreekBucket[];
  /** {@link Status}.ok, or invalidInput when some position's greeks could not be computed (see positions.status). */
  status: number;
}

/** A book: one margin account or a list of positions. */
export type HedgeBook = MarginAccount | readonly MarginPosition[];

/** Default expiry bucket edges (days). */
const EXPIRY_DAYS = [7, 30, 90, 180, 365];
const STRIKE_EDGES = [0.8, 0.9, 0.95, 1.05, 1.1, 1.2];
const DELTA_EDGES = [-0.75, -0.4, -0.1, 0.1, 0.4, 0.75];
/** Log-moneyness step of the smile's slope and curvature (sticky-moneyness greeks), ~0.1% of strike. */
const SMILE_STEP = 1e-3;

/** Internal: the book resolved plus each position's derivatives of V (USD) in S and sigma. */
export interface BookSensitivities {
  positions: ResolvedPosition[];
  /** V, dV/dS, d2V/dS2, dV/dsigma, theta (per year), d2V/(dS dsigma), d2V/dsigma2, in USD. */
  v: Float64Array; vS: Float64Array; vSS: Float64Array; vSig: Float64Array; theta: Float64Array; vSSig: Float64Array; vSigSig: Float64Array;
  unitDelta: Float64Array;
  vols: Float64Array;
  status: Uint8Array;
  marks: 'market' | 'surface';
  sticky: 'strike' | 'moneyness';
}

function checkEdges(v: unknown, path: string, fallback: readonly number[], lo = -Infinity, hi = Infinity): number[] {
  if (v === undefined) return [...fallback];
  if (!Array.isArray(v) && !ArrayBuffer.isView(v)) throw new InputError(path, v, 'an array of increasing numbers');
  const a = Array.from(v as ArrayLike<unknown>);
  a.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= lo || x >= hi || (i > 0 && x <= (a[i - 1] as number))) {
      throw new InputError(`${path}[${i}]`, x, `a finite number in (${lo}, ${hi}) above the previous edge`);
    }
  });
  return a as number[];
}

function isSurface(v: unknown): v is VolSurfaceLike {
  return v !== null && typeof v === 'object' && typeof (v as VolSurfaceLike).vol === 'function';
}

/** The positions of a book as an account for the margin resolver (`account.positions[i]` in error paths). */
export function bookAccount(book: unknown, path = 'book'): MarginAccount {
  if (Array.isArray(book)) return { positions: book as MarginPosition[] };
  if (book === null || typeof book !== 'object') throw new InputError(path, book, 'an account { positions } or an array of positions');
  return book as MarginAccount;
}

/** Checked options of `engine.bookGreeks`. */
export interface CheckedGreeksOptions {
  numeraire: 'usd' | 'coin';
  surface: VolSurfaceLike | ReadonlyMap<string, VolSurfaceLike> | undefined;
  sticky: 'strike' | 'moneyness';
  expiryBuckets: number[];
  strikeBuckets: number[];
  deltaBuckets: number[];
}

/** @throws InputError at `<path>.<key>` for a malformed option. */
export function checkGreeksOptions(options: unknown, path = 'options'): CheckedGreeksOptions {
  const o = (options ?? {}) as BookGreeksOptions;
  if (typeof o !== 'object') throw new InputError(path, options, 'an options object');
  checkKeys(o, OPTION_KEYS, path);
  const numeraire = o.numeraire ?? 'usd';
  if (numeraire !== 'usd' && numeraire !== 'coin') throw new InputError(`${path}.numeraire`, o.numeraire, "'usd' or 'coin'");
  const sticky = o.sticky ?? 'strike';
  if (sticky !== 'strike' && sticky !== 'moneyness') throw new InputError(`${path}.sticky`, o.sticky, "'strike' or 'moneyness'");
  const s = o.surface;
  if (s !== undefined) {
    if (s instanceof Map) {
      for (const [k, v] of s) if (!isSurface(v)) throw new InputError(`${path}.surface.get(${JSON.stringify(k)})`, v, 'a VolSurface (an object with vol())');
    } else if (!isSurface(s)) throw new InputError(`${path}.surface`, s, 'a VolSurface (an object with vol()) or a Map of them by asset');
  }
  if (sticky === 'moneyness' && s === undefined) throw new InputError(`${path}.sticky`, sticky, "'strike' (sticky-moneyness greeks need a surface's smile: pass options.surface)");
  return {
    numeraire, surface: s, sticky,
    expiryBuckets: checkEdges(o.expiryBuckets, `${path}.expiryBuckets`, EXPIRY_DAYS.map((d) => d / DAYS_PER_YEAR), 0),
    strikeBuckets: checkEdges(o.strikeBuckets, `${path}.strikeBuckets`, STRIKE_EDGES, 0),
    deltaBuckets: checkEdges(o.deltaBuckets, `${path}.deltaBuckets`, DELTA_EDGES, -1, 1),
  };
}

function surfaceFor(s: CheckedGreeksOptions['surface'], asset: string): VolSurfaceLike | undefined {
  if (s === undefined) return undefined;
  if (s instanceof Map) return s.get(asset);
  const one = s as VolSurfaceLike;
  return one.underlying === undefined || one.underlying === asset ? one : undefined;
}

/**
 * With a surface, option positions need no vol of their own or in `market.vols`: the resolver gets
 * a placeholder 0 on copies (the caller's objects are not touched), replaced by the surface's vol.
 */
function withPlaceholderVols(account: MarginAccount, market: MarginMarket, opts: CheckedGreeksOptions): MarginAccount {
  if (opts.surface === undefined || !Array.isArray(account.positions)) return account;
  const positions = account.positions.map((p) => {
    if (p === null || typeof p !== 'object') return p;
    const q = p as Record<string, unknown>;
    if (q.vol !== undefined) return p;
    if (q.kind === 'option') return { ...p, vol: 0 } as MarginPosition;
    if (q.kind === undefined && typeof q.instrument === 'string') {
      const spec = market?.instruments?.[q.instrument] as { kind?: unknown; asset?: unknown } | undefined;
      if (spec && Object.hasOwn(market.instruments!, q.instrument) && spec.kind === 'option' && typeof spec.asset === 'string' && surfaceFor(opts.surface, spec.asset)) {
        return { ...p, vol: 0 } as MarginPosition;
      }
    }
    return p;
  });
  return { ...account, positions };
}

/**
 * Each position's value and derivatives (USD) in the index and a parallel vol shift (see the module
 * docs), options in one Black-76 batch call.
 * @throws InputError as the margin resolver (path `account.positions[i]...`), or at `options...`.
 */
export function bookSensitivities(ctx: EngineContext, book: unknown, market: MarginMarket, opts: CheckedGreeksOptions): BookSensitivities {
  const account = withPlaceholderVols(bookAccount(book), market, opts);
  const positions = resolveAccounts(ctx, account, market)[0].positions;
  const n = positions.length;
  const col = () => new Float64Array(n);
  const out: BookSensitivities = {
    positions, v: col(), vS: col(), vSS: col(), vSig: col(), theta: col(), vSSig: col(), vSigSig: col(), unitDelta: col().fill(NaN), vols: col().fill(NaN),
    status: new Uint8Array(n), marks: opts.surface === undefined ? 'market' : 'surface', sticky: opts.sticky,
  };
  const optIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = positions[i];
    const q = p.size, S = p.index;
    switch (p.kind) {
      case 'spot':
        out.v[i] = q * S;
        out.vS[i] = q;
        break;
      case 'perpetual':
      case 'future': {
        const E = p.entryPrice;
        const mark = p.kind === 'perpetual' ? S : p.forward;
        if (p.settlement === 'usd') {
          out.v[i] = Number.isNaN(E) ? 0 : q * (mark - E);
          out.vS[i] = q * (mark / S);
        } else {
          // Inverse: USD face N = q E (q x mark without an entry), coin P&L N (1/E - 1/mark) at the index S.
          const e = Number.isNaN(E) ? mark : E;
          const N = q * e;
          out.v[i] = S * N * (1 / e - 1 / mark);
          out.vS[i] = N / e;
        }
        break;
      }
      default:
        optIdx.push(i);
    }
  }
  if (optIdx.length > 0) optionSensitivities(ctx, positions, optIdx, opts, out);
  return out;
}

/** Vols of the options in `idx` (market or surface) and, sticky-moneyness, the smile's d sigma/dk and d2 sigma/dk2. */
function optionVols(positions: readonly ResolvedPosition[], idx: readonly number[], opts: CheckedGreeksOptions, status: Uint8Array) {
  const m = idx.length;
  const vols = new Float64Array(m);
  const slope = new Float64Array(m);
  const curve = new Float64Array(m);
  if (opts.surface === undefined) {
    idx.forEach((i, k) => { vols[k] = positions[i].vol; });
    return { vols, slope, curve };
  }
  // One vol() call per surface: group the options by the surface their asset uses.
  const groups = new Map<VolSurfaceLike | undefined, number[]>();
  idx.forEach((i, k) => {
    const s = surfaceFor(opts.surface, positions[i].asset);
    let g = groups.get(s);
    if (!g) groups.set(s, (g = []));
    g.push(k);
  });
  for (const [s, ks] of groups) {
    if (s === undefined) {
      for (const k of ks) vols[k] = positions[idx[k]].vol;
      continue;
    }
    const expiries = Float64Array.from(ks, (k) => positions[idx[k]].expiry);
    const kOf = (k: number) => Math.log(positions[idx[k]].strike / positions[idx[k]].forward);
    const base = s.vol({ strikes: Float64Array.from(ks, (k) => positions[idx[k]].strike), expiries });
    ks.forEach((k, j) => {
      vols[k] = base.vols[j];
      if (base.status[j] !== Status.ok || !(base.vols[j] >= 0)) status[idx[k]] = base.status[j] === Status.ok ? Status.invalidInput : base.status[j];
    });
    if (opts.sticky === 'moneyness') {
      const up = s.vol({ moneyness: Float64Array.from(ks, (k) => kOf(k) + SMILE_STEP), expiries });
      const mid = s.vol({ moneyness: Float64Array.from(ks, kOf), expiries });
      const dn = s.vol({ moneyness: Float64Array.from(ks, (k) => kOf(k) - SMILE_STEP), expiries });
      ks.forEach((k, j) => {
        // Central differences of the smile in log-moneyness: O(h^2) = O(1e-6) relative error.
        slope[k] = (up.vols[j] - dn.vols[j]) / (2 * SMILE_STEP);
        curve[k] = (up.vols[j] - 2 * mid.vols[j] + dn.vols[j]) / (SMILE_STEP * SMILE_STEP);
        if (up.status[j] !== Status.ok || dn.status[j] !== Status.ok || mid.status[j] !== Status.ok) status[idx[k]] = Status.invalidInput;
      });
    }
  }
  return { vols, slope, curve };
}

function optionSensitivities(ctx: EngineContext, positions: readonly ResolvedPosition[], idx: readonly number[], opts: CheckedGreeksOptions, out: BookSensitivities): void {
  const { vols, slope, curve } = optionVols(positions, idx, opts, out.status);
  const P = (k: number) => positions[idx[k]];
  const r = black76(ctx, {
    forwards: Float64Array.from(idx, (_, k) => P(k).forward),
    strikes: Float64Array.from(idx, (_, k) => P(k).strike),
    expiries: Float64Array.from(idx, (_, k) => P(k).expiry),
    vols: Float64Array.from(vols, (v) => (Number.isFinite(v) && v >= 0 ? v : NaN)),
    types: Int8Array.from(idx, (_, k) => P(k).type),
    discountFactors: Float64Array.from(idx, (_, k) => Math.exp(-P(k).rate * P(k).expiry)),
    greeks: true,
  });
  idx.forEach((i, k) => {
    const p = positions[i];
    if (r.status[k] !== Status.ok && out.status[i] === Status.ok) out.status[i] = r.status[k];
    const q = p.size, F = p.forward, c = F / p.index;
    // Sticky-moneyness: sigma(F) = s(ln K - ln F), so dsigma/dF = -s'/F and d2sigma/dF2 = (s'' + s')/F^2 (0 sticky-strike).
    const sF = -slope[k] / F, sFF = (curve[k] + slope[k]) / (F * F);
    const dF = r.delta[k] + r.vega[k] * sF;
    const dFF = r.gamma[k] + 2 * r.vanna[k] * sF + r.volga[k] * sF * sF + r.vega[k] * sFF;
    const vanna = r.vanna[k] + r.volga[k] * sF;
    // USD-settled: V = q V76(F); coin-settled: V = q V76(F) S / F = q V76(F) / c (the coin premium at the index).
    const coin = p.settlement === 'coin';
    const scale = coin ? 1 / c : 1;
    out.v[i] = q * r.price[k] * scale;
    out.vS[i] = q * dF * c * scale;
    out.vSS[i] = q * dFF * c * c * scale;
    out.vSig[i] = q * r.vega[k] * scale;
    out.theta[i] = q * r.theta[k] * scale;
    out.vSSig[i] = q * vanna * c * scale;
    out.vSigSig[i] = q * r.volga[k] * scale;
    out.unitDelta[i] = r.delta[k];
    out.vols[i] = vols[k];
    // A result beyond double range (a vol of 1e308, say) is a failed element, never NaN with status ok.
    if (out.status[i] === Status.ok) {
      const all = [out.v[i], out.vS[i], out.vSS[i], out.vSig[i], out.theta[i], out.vSSig[i], out.vSigSig[i], out.unitDelta[i]];
      if (!all.every(Number.isFinite)) out.status[i] = Status.invalidInput;
    }
  });
}

/** Cash greeks of position i in the numeraire (NaN columns where its status is not ok). */
export function cashGreeksAt(s: BookSensitivities, i: number, numeraire: 'usd' | 'coin', into: CashGreeks): CashGreeks {
  const S = s.positions[i].index;
  const V = s.v[i], VS = s.vS[i], VSS = s.vSS[i], Vs = s.vSig[i], Vss = s.vSigSig[i], VSs = s.vSSig[i];
  if (s.status[i] !== Status.ok) {
    into.value = into.delta = into.gamma = into.vega = into.theta = into.vanna = into.volga = NaN;
    return into;
  }
  if (numeraire === 'usd') {
    into.value = V;
    into.delta = S * VS;
    into.gamma = (S * S * VSS) / 100;
    into.vega = Vs / 100;
    into.theta = s.theta[i] / DAYS_PER_YEAR;
    into.vanna = (S * VSs) / 100;
    into.volga = Vss / 1e4;
  } else {
    // W = V / S: coin delta dW/d ln S = V_S - V/S; its S-derivative V_SS - V_S/S + V/S^2.
    into.value = V / S;
    into.delta = VS - V / S;
    into.gamma = (S * (VSS - VS / S + V / (S * S))) / 100;
    into.vega = Vs / S / 100;
    into.theta = s.theta[i] / S / DAYS_PER_YEAR;
    into.vanna = (VSs - Vs / S) / 100;
    into.volga = Vss / S / 1e4;
  }
  return into;
}

export function zeroGreeks(): CashGreeks {
  return { value: 0, delta: 0, gamma: 0, vega: 0, theta: 0, vanna: 0, volga: 0 };
}

function addInto(a: CashGreeks, b: CashGreeks): void {
  a.value += b.value;
  a.delta += b.delta;
  a.gamma += b.gamma;
  a.vega += b.vega;
  a.theta += b.theta;
  a.vanna += b.vanna;
  a.volga += b.volga;
}

const fmt = (x: number) => String(Number(x.toPrecision(6)));

/** Bucket index of x among inner edges (bucket b holds [edges[b-1], edges[b])). */
function bucketOf(x: number, edges: readonly number[]): number {
  let b = 0;
  while (b < edges.length && x >= edges[b]) b++;
  return b;
}

function bucketBounds(b: number, edges: readonly number[], lo: number, hi: number): [number, number] {
  return [b === 0 ? lo : edges[b - 1], b === edges.length ? hi : edges[b]];
}

/**
 * Aggregate position greeks into buckets per asset. `key(i)` gives a bucket index (or -1 for the
 * special bucket `special`); buckets appear in asset order, then bucket order.
 */
function aggregate(
  n: number, assets: readonly string[], g: readonly CashGreeks[], ok: Uint8Array, key: (i: number) => number, edges: readonly number[],
  label: (b: number) => [string, number, number], special: string,
): GreekBucket[] {
  const byAsset = new Map<string, Map<number, GreekBucket>>();
  for (let i = 0; i < n; i++) {
    if (ok[i] !== Status.ok) continue;
    let m = byAsset.get(assets[i]);
    if (!m) byAsset.set(assets[i], (m = new Map()));
    const b = key(i);
    let bucket = m.get(b);
    if (!bucket) {
      const [l, lower, upper] = b < 0 ? [special, NaN, NaN] : label(b);
      m.set(b, (bucket = { asset: assets[i], label: l, lower, upper, count: 0, ...zeroGreeks() }));
    }
    addInto(bucket, g[i]);
    bucket.count++;
  }
  const out: GreekBucket[] = [];
  for (const m of byAsset.values()) out.push(...[...m.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]));
  void edges;
  return out;
}

/** Aggregated result from sensitivities (shared with calibrateHedge's reports). */
export function greeksResult(s: BookSensitivities, opts: CheckedGreeksOptions): BookGreeksResult {
  const n = s.positions.length;
  const cols: PositionGreekColumns = {
    value: new Float64Array(n), delta: new Float64Array(n), gamma: new Float64Array(n), vega: new Float64Array(n), theta: new Float64Array(n),
    vanna: new Float64Array(n), volga: new Float64Array(n), unitDelta: s.unitDelta.slice(), vols: s.vols.slice(), status: s.status.slice(),
  };
  // A failed position is NaN in every column (its surface vol too), as in every batch result.
  for (let i = 0; i < n; i++) {
    if (s.status[i] !== Status.ok) cols.unitDelta[i] = cols.vols[i] = NaN;
  }
  const per: CashGreeks[] = new Array(n);
  const assets = s.positions.map((p) => p.asset);
  const status = cols.status;
  for (let i = 0; i < n; i++) {
    let g = cashGreeksAt(s, i, opts.numeraire, zeroGreeks());
    if (status[i] === Status.ok && ![g.value, g.delta, g.gamma, g.vega, g.theta, g.vanna, g.volga].every(Number.isFinite)) {
      // Finite derivatives whose cash figure overflows (S^2 x gamma of 1e300, say): a failed element.
      status[i] = Status.invalidInput;
      cols.unitDelta[i] = cols.vols[i] = NaN;
      g = { value: NaN, delta: NaN, gamma: NaN, vega: NaN, theta: NaN, vanna: NaN, volga: NaN };
    }
    per[i] = g;
    cols.value[i] = g.value;
    cols.delta[i] = g.delta;
    cols.gamma[i] = g.gamma;
    cols.vega[i] = g.vega;
    cols.theta[i] = g.theta;
    cols.vanna[i] = g.vanna;
    cols.volga[i] = g.volga;
  }
  const byUnderlying = new Map<string, CashGreeks>();
  const total = zeroGreeks();
  for (let i = 0; i < n; i++) {
    if (status[i] !== Status.ok) continue;
    let u = byUnderlying.get(assets[i]);
    if (!u) byUnderlying.set(assets[i], (u = zeroGreeks()));
    addInto(u, per[i]);
    addInto(total, per[i]);
  }
  const ex = opts.expiryBuckets, st = opts.strikeBuckets, de = opts.deltaBuckets;
  const isOption = (i: number) => s.positions[i].kind === 'option';
  const dayLabel = (y: number) => (Number.isFinite(y) ? `${fmt(y * DAYS_PER_YEAR)}d` : 'inf');
  const byExpiry = aggregate(n, assets, per, status, (i) => (s.positions[i].expiry === 0 ? -1 : bucketOf(s.positions[i].expiry, ex)), ex, (b) => {
    const [lo, hi] = bucketBounds(b, ex, 0, Infinity);
    return [b === ex.length ? `>${dayLabel(lo)}` : b === 0 ? `<=${dayLabel(hi)}` : `${dayLabel(lo)}-${dayLabel(hi)}`, lo, hi];
  }, 'perpetual');
  const byStrike = aggregate(n, assets, per, status, (i) => (isOption(i) ? bucketOf(s.positions[i].strike / s.positions[i].forward, st) : -1), st, (b) => {
    const [lo, hi] = bucketBounds(b, st, 0, Infinity);
    return [b === 0 ? `<${fmt(hi)}` : b === st.length ? `>=${fmt(lo)}` : `${fmt(lo)}-${fmt(hi)}`, lo, hi];
  }, 'linear');
  const byDelta = aggregate(n, assets, per, status, (i) => (isOption(i) ? bucketOf(s.unitDelta[i], de) : -1), de, (b) => {
    const [lo, hi] = bucketBounds(b, de, -1, 1);
    return [`${fmt(lo)}..${fmt(hi)}`, lo, hi];
  }, 'linear');
  const several = byUnderlying.size > 1;
  let overall: number = Status.ok;
  for (let i = 0; i < n; i++) if (status[i] !== Status.ok) overall = Status.invalidInput;
  return {
    numeraire: opts.numeraire, sticky: s.sticky, marks: s.marks, positions: cols, assets, kinds: s.positions.map((p) => p.kind),
    expiries: Float64Array.from(s.positions, (p) => p.expiry), strikes: Float64Array.from(s.positions, (p) => p.strike),
    total: opts.numeraire === 'coin' && several ? null : total, byUnderlying, byExpiry, byStrike, byDelta, status: overall,
  };
}

/**
 * Cash greeks of a book (see the module docs for definitions and units), per position and
 * aggregated by underlying, expiry bucket, moneyness bucket, delta bucket and in total.
 * @param ctx engine context (runs the Black-76 kernel).
 * @param book a margin account or a list of margin positions (sizes in coins, negative = short).
 * @param market indices, forwards, vols and listed instruments (as for margin).
 * @throws InputError for a malformed book or market (paths `account.positions[i]...`, `market...`,
 * as the margin resolver), or a malformed option (`options.sticky`, `options.expiryBuckets[2]`, ...),
 * including sticky 'moneyness' without a surface. A position whose greeks cannot be computed (a
 * surface status not ok, say) gets NaN columns and a non-ok `positions.status`.
 */
export function bookGreeks(ctx: EngineContext, book: HedgeBook, market: MarginMarket, options?: BookGreeksOptions): BookGreeksResult {
  const opts = checkGreeksOptions(options);
  return greeksResult(bookSensitivities(ctx, book, market, opts), opts);
}
