/**
 * Validation and market look-up of margin accounts: every position gets its forward, vol and mark
 * (options priced in one Black-76 batch call for all accounts), every collateral line its USD price.
 * Errors name the path of the offending field in the caller's input.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { black76 } from '../pricing/black-pricing.js';
import type { DeribitChain } from '../market/deribit-chain.js';
import type {
  AssetMarket, InstrumentSpec, MarginAccount, MarginMarket, MarginPosition, ResolvedAccount, ResolvedCollateral, ResolvedPosition,
} from './types.js';
import { dict, own } from '../data-tables.js';
import { requireNumber, requireRecord } from '../arguments.js';
import { checkPath } from './standard-params.js';
import { VolSurface, type VolSurfaceJSON } from '../surface/vol-surface.js'; // [surface]
import { checkSurfaceSource, markVolsBySurface, surfaceFor } from '../surface/surface-marks.js';

/** Assets valued at 1 USD per unit, with no market entry needed. */
export const STABLECOINS: ReadonlySet<string> = new Set(['USD', 'USDC', 'USDT']);

/** Positions at most this close to expiry (years, ~1 second) count as expired. */
const EXPIRED = 1 / (365.25 * 86400);

function num(v: unknown, path: string, check: 'finite' | 'positive' | 'nonnegative' = 'finite'): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (check === 'finite' || (check === 'positive' ? v > 0 : v >= 0));
  if (!ok) throw new InputError(path, v, check === 'finite' ? 'a finite number' : check === 'positive' ? 'a positive finite number' : 'a finite number >= 0');
  return v as number;
}

function optionalNum(v: unknown, path: string, fallback: number, check: 'finite' | 'positive' | 'nonnegative' = 'finite'): number {
  return v === undefined ? fallback : num(v, path, check);
}

/**
 * USD price of one unit of `asset` (stablecoins 1): the index of `market.assets[asset]`.
 * @param path the asset's name in error paths (default `'asset'`).
 * @throws InputError for an asset the market lacks or that is not a non-empty string (`path`), a
 * market without an `assets` object (`market`, `market.assets`), an index that is not a positive
 * finite number (`market.assets.<asset>.index`), or a path that is not a string.
 */
export function assetPrice(market: MarginMarket, asset: unknown, path = 'asset'): number {
  checkPath(path);
  requireRecord(requireRecord(market, 'market').assets, 'market.assets');
  const a = priceOf(market, asset, path);
  return num(a, `market.assets.${asset as string}.index`, 'positive');
}

/** {@link assetPrice} in a market checked by checkMarket (the library's own callers). */
function priceOf(market: MarginMarket, asset: unknown, path: string): number {
  if (typeof asset !== 'string' || asset === '') throw new InputError(path, asset, 'an asset name');
  if (STABLECOINS.has(asset)) return 1;
  // Own properties only: `constructor` or `toString` is an unknown asset, like `DOGE`.
  const a = own(market.assets, asset);
  if (a === null || typeof a !== 'object') throw new InputError(path, asset, `an asset in market.assets (${Object.keys(market.assets).join(', ') || 'none'})`);
  return a.index;
}

/**
 * Forward price (USD) for `expiry` years: an exact listed expiry, else ln(F/S) interpolated linearly
 * in time between listed expiries (flat basis rate beyond them), else the index (no forwards).
 */
export function forwardFor(asset: AssetMarket, expiry: number): number {
  checkAssetMarket(asset, 'asset');
  requireNumber(expiry, 'expiry');
  return forwardOf(asset, expiry);
}

/** {@link forwardFor} of an asset market checked by checkMarket (the library's own callers). */
function forwardOf(asset: AssetMarket, expiry: number): number {
  const fw = asset.forwards;
  if (!fw || fw.length === 0 || expiry <= 0) return asset.index;
  let lo: { expiry: number; price: number } | undefined;
  let hi: { expiry: number; price: number } | undefined;
  for (const f of fw) {
    if (Math.abs(f.expiry - expiry) <= 1e-9) return f.price;
    if (f.expiry < expiry && (!lo || f.expiry > lo.expiry)) lo = f;
    if (f.expiry > expiry && (!hi || f.expiry < hi.expiry)) hi = f;
  }
  const logBasis = (f: { expiry: number; price: number }) => Math.log(f.price / asset.index);
  if (lo && hi) {
    const w = (expiry - lo.expiry) / (hi.expiry - lo.expiry);
    return asset.index * Math.exp((1 - w) * logBasis(lo) + w * logBasis(hi));
  }
  const edge = (lo ?? hi)!;
  return asset.index * Math.exp((logBasis(edge) / edge.expiry) * expiry);
}

/** Keys of a {@link MarginMarket}, an {@link AssetMarket} and one of its forwards. */
const MARKET_KEYS = ['assets', 'vols', 'instruments', 'rate', 'surface'] as const satisfies readonly (keyof MarginMarket)[];
const ASSET_MARKET_KEYS = ['index', 'forwards'] as const satisfies readonly (keyof AssetMarket)[];
const FORWARD_KEYS = ['expiry', 'price'] as const satisfies readonly (keyof NonNullable<AssetMarket['forwards']>[number])[];

/**
 * Validate the market object itself: its keys (an unknown key is an `InputError` with the closest
 * valid key as `suggestion`), every asset's index and forwards, `rate`, and that `vols` and
 * `instruments` are objects (their entries are checked when a position uses them).
 * @throws InputError naming the field (`market.assets.BTC.forwards[2].price`, `market.rat`).
 */
export function checkMarket(market: unknown): MarginMarket {
  if (market === null || typeof market !== 'object') throw new InputError('market', market, 'a market object');
  const m = market as MarginMarket;
  checkKeys(m, MARKET_KEYS, 'market');
  if (m.assets === null || typeof m.assets !== 'object' || Array.isArray(m.assets)) throw new InputError('market.assets', m.assets, 'an object of asset markets');
  for (const [name, a] of Object.entries(m.assets)) checkAssetMarket(a, `market.assets.${name}`);
  if (m.rate !== undefined) num(m.rate, 'market.rate');
  if (m.vols !== undefined && (m.vols === null || typeof m.vols !== 'object')) throw new InputError('market.vols', m.vols, 'an object of vols by instrument');
  if (m.instruments !== undefined && (m.instruments === null || typeof m.instruments !== 'object')) {
    throw new InputError('market.instruments', m.instruments, 'an object of instruments by name');
  }
  if (m.surface !== undefined) checkSurfaceSource(m.surface, 'market.surface'); // [surface]
  return m;
}

/**
 * Validate one asset's market: its keys, a positive index and forwards { expiry > 0, price > 0 }.
 * @throws InputError naming the field (`<apath>.forwards[2].price`).
 */
function checkAssetMarket(a: unknown, apath: string): AssetMarket {
  if (a === null || typeof a !== 'object') throw new InputError(apath, a, 'an asset market { index, forwards? }');
  const am = a as AssetMarket;
  checkKeys(am, ASSET_MARKET_KEYS, apath);
  num(am.index, `${apath}.index`, 'positive');
  if (am.forwards !== undefined) {
    if (!Array.isArray(am.forwards)) throw new InputError(`${apath}.forwards`, am.forwards, 'an array of { expiry, price }');
    am.forwards.forEach((f, i) => {
      if (f === null || typeof f !== 'object') throw new InputError(`${apath}.forwards[${i}]`, f, 'a forward { expiry, price }');
      checkKeys(f, FORWARD_KEYS, `${apath}.forwards[${i}]`);
      num(f.expiry, `${apath}.forwards[${i}].expiry`, 'positive');
      num(f.price, `${apath}.forwards[${i}].price`, 'positive');
    });
  }
  return am;
}

type Settlement = 'usd' | 'coin';

function settlementOf(v: unknown, path: string): Settlement {
  if (v === undefined) return 'usd';
  if (v !== 'usd' && v !== 'coin') throw new InputError(path, v, "'usd' or 'coin'");
  return v;
}

/**
 * A resolved position. A class, so every instance shares one hidden class (this loop runs for
 * hundreds of thousands of positions per call), with the error path built only when read.
 */
class Resolved implements ResolvedPosition {
  kind: ResolvedPosition['kind'];
  asset: string;
  size: number;
  strike = NaN;
  expiry = 0;
  type: 1 | -1 | 0 = 0;
  settlement: 'usd' | 'coin' = 'usd';
  vol = NaN;
  index: number;
  forward: number;
  basis = 0;
  rate: number;
  entryPrice = NaN;
  accruedFunding = 0;
  fundingRate = 0;
  markPerUnit: number;
  instrument: string | undefined;
  private readonly accountPath: string;
  private readonly position: number;
  constructor(kind: ResolvedPosition['kind'], asset: string, size: number, index: number, rate: number, instrument: string | undefined, accountPath: string, position: number) {
    this.kind = kind;
    this.asset = asset;
    this.size = size;
    this.index = index;
    this.forward = index;
    this.rate = rate;
    this.markPerUnit = index;
    this.instrument = instrument;
    this.accountPath = accountPath;
    this.position = position;
  }
  get path(): string {
    return posPath(this.accountPath, this.position);
  }
  /** The same instrument held by another position (its own size, entry and funding set by the caller). */
  copyFor(size: number, accountPath: string, position: number): Resolved {
    const r = new Resolved(this.kind, this.asset, size, this.index, this.rate, this.instrument, accountPath, position);
    r.strike = this.strike;
    r.expiry = this.expiry;
    r.type = this.type;
    r.settlement = this.settlement;
    r.vol = this.vol;
    r.forward = this.forward;
    r.basis = this.basis;
    r.fundingRate = this.fundingRate;
    r.markPerUnit = this.markPerUnit;
    return r;
  }
}

/** Error path of a position (built only when an error is thrown: no closure per position). */
function posPath(accountPath: string, position: number): string {
  return `${accountPath}.positions[${position}]`;
}

/** Forwards per asset and expiry, looked up once per call. */
type ForwardCache = Map<string, Map<number, number>>;

function cachedForward(cache: ForwardCache, mk: MarginMarket, asset: string, T: number): number {
  let byT = cache.get(asset);
  if (!byT) cache.set(asset, (byT = new Map()));
  let F = byT.get(T);
  if (F === undefined) byT.set(T, (F = forwardOf(own(mk.assets, asset)!, T)));
  return F;
}

/** Keys of a {@link MarginAccount}. */
const ACCOUNT_KEYS = ['id', 'description', 'collateral', 'positions'] as const satisfies readonly (keyof MarginAccount)[];
const ACCOUNT_KEY_SET: ReadonlySet<string> = new Set(ACCOUNT_KEYS);

type PositionKey<K> = keyof Extract<MarginPosition, { kind: K }>;
/** Keys of each kind of {@link MarginPosition} (by-name positions under `undefined`). */
const POSITION_KEYS = {
  spot: ['kind', 'asset', 'size', 'instrument'] as const satisfies readonly PositionKey<'spot'>[],
  perpetual: ['kind', 'asset', 'size', 'entryPrice', 'accruedFunding', 'fundingRate', 'settlement', 'instrument'] as const satisfies readonly PositionKey<'perpetual'>[],
  future: ['kind', 'asset', 'size', 'expiry', 'entryPrice', 'settlement', 'instrument'] as const satisfies readonly PositionKey<'future'>[],
  option: ['kind', 'asset', 'size', 'strike', 'expiry', 'type', 'settlement', 'vol', 'instrument'] as const satisfies readonly PositionKey<'option'>[],
  // A by-name position may carry its own vol (it then overrides market.vols).
  byName: ['instrument', 'size', 'entryPrice', 'accruedFunding', 'kind', 'vol'] as const,
};
const POSITION_KEY_SETS = {
  spot: new Set<string>(POSITION_KEYS.spot), perpetual: new Set<string>(POSITION_KEYS.perpetual), future: new Set<string>(POSITION_KEYS.future),
  option: new Set<string>(POSITION_KEYS.option), byName: new Set<string>(POSITION_KEYS.byName),
};
/** Keys of an {@link InstrumentSpec} (a perpetual's spec may carry a `fundingRate`, per year). */
const INSTRUMENT_KEYS = ['kind', 'asset', 'strike', 'expiry', 'type', 'settlement', 'fundingRate'] as const satisfies readonly (keyof Extract<InstrumentSpec, { kind: 'option' }> | 'fundingRate')[];

/**
 * Unknown keys of a position (by its kind; an unknown kind is reported later, at `.kind`).
 * This runs for every position of every account.
 * @throws InputError at `<position>.<key>` with the closest valid key.
 */
function checkPositionKeys(p: Record<string, unknown>, apath: string, pi: number): void {
  const kind = p.kind === undefined ? 'byName' : typeof p.kind === 'string' && Object.hasOwn(POSITION_KEY_SETS, p.kind) ? (p.kind as keyof typeof POSITION_KEYS) : undefined;
  if (kind === undefined) return;
  checkKnownKeys(p, POSITION_KEY_SETS[kind], POSITION_KEYS[kind], apath, pi);
}

/**
 * `checkKeys` without an array per object in the common case: `for...in` walks V8's cached keys and
 * sees every own enumerable key (inherited enumerable ones too: any key outside `set` falls back to
 * `checkKeys`, which judges own keys only, so the outcome is checkKeys's).
 * @throws InputError at `<path>.<key>` (path `posPath(path, pi)` when `pi` is given).
 */
function checkKnownKeys(obj: object, set: ReadonlySet<string>, keys: readonly string[], path: string, pi?: number): void {
  for (const k in obj) {
    if (!set.has(k)) {
      checkKeys(obj, keys, pi === undefined ? path : posPath(path, pi));
      return;
    }
  }
}

/** Unknown keys of a listed instrument. @throws InputError at `market.instruments.<name>.<key>`. */
function checkInstrumentKeys(spec: Record<string, unknown>, path: string): void {
  checkKeys(spec, INSTRUMENT_KEYS, path);
}

/**
 * Validate accounts against a market and resolve every position: forward, vol and mark per unit.
 * Options of all accounts are priced in one Black-76 batch call.
 * @param ctx engine context (runs the pricing kernel).
 * @param accounts one account or an array of them (paths in errors: `account` or `accounts[i]`).
 * @throws InputError for a malformed account, an unknown asset or instrument (names are looked up as
 * own properties: `constructor` is as unknown as `DOGE`), a listed instrument that is not an object
 * (`market.instruments.<name>`), an unknown key on an account, position, instrument or the market
 * (with the closest valid key as `suggestion`), an expired option or future, a missing vol, a
 * negative collateral amount or a short spot position.
 */
export function resolveAccounts(ctx: EngineContext, accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket): ResolvedAccount[] {
  const book = resolveBook(accounts, market, ctx);
  // The units are this module's Resolved (resolveBook makes them), so copyFor is there.
  const units = book.units as Resolved[];
  const { ownerOfUnit, unitOfPos, sizeOfPos, entryOfPos, fundingOfPos, posStart } = book;
  const options: Resolved[] = [];
  for (const u of units) if (u.kind === 'option') options.push(u);
  if (options.length > 0) markOptions(ctx, options);
  const out: ResolvedAccount[] = new Array(book.accounts.length);
  for (let a = 0; a < book.accounts.length; a++) {
    const acc = book.accounts[a];
    const p0 = posStart[a];
    const positions: ResolvedPosition[] = new Array(posStart[a + 1] - p0);
    for (let k = p0; k < posStart[a + 1]; k++) {
      const u = unitOfPos[k];
      const unit = units[u];
      if (ownerOfUnit[u] === k) {
        positions[k - p0] = unit;
        continue;
      }
      // Another position of a listed instrument: the unit's fields, the position's size, entry and funding.
      const r = unit.copyFor(sizeOfPos[k], acc.path, k - p0);
      if (r.kind === 'perpetual' || r.kind === 'future') r.entryPrice = entryOfPos[k];
      if (r.kind === 'perpetual') r.accruedFunding = fundingOfPos[k];
      positions[k - p0] = r;
    }
    out[a] = { id: acc.id, positions, collateral: acc.collateral, path: acc.path };
  }
  return out;
}

/**
 * Accounts validated and resolved to their distinct instruments ("units"), positions as columns: what
 * portfolio margin needs, without an object per position. Every position of a listed instrument
 * (by name, no vol of its own) shares the unit of the first one; any other position is a unit of
 * its own. A unit is the {@link ResolvedPosition} of its first position (size, entry price and
 * funding included). No marks (`markPerUnit` is the index or forward until {@link markOptions}).
 */
export interface ResolvedBook {
  /** Per account: id, collateral and error path (`accounts[i]`, or `account` for a single one). */
  accounts: { id: string; collateral: ResolvedCollateral[]; path: string }[];
  /** First position of each account in the columns below, plus the total at the end. */
  posStart: Int32Array;
  /** Per position: its unit, size (coins), entry price (USD, NaN if none) and accrued funding (USD). */
  unitOfPos: Int32Array;
  sizeOfPos: Float64Array;
  entryOfPos: Float64Array;
  fundingOfPos: Float64Array;
  /** The distinct instruments, in first-seen order. */
  units: ResolvedPosition[];
  /** Per unit: the position (index into the columns) whose object it is. */
  ownerOfUnit: number[];
}

/**
 * The validation and look-up of {@link resolveAccounts} (the same checks, in the same order, the same
 * errors) into a {@link ResolvedBook}. Reads the inputs only; the tables it builds live for this call.
 * @throws InputError as {@link resolveAccounts}.
 */
export function resolveBook(accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, ctx?: EngineContext): ResolvedBook {
  const mk = checkMarket(market);
  const single = !Array.isArray(accounts);
  const list = (single ? [accounts] : accounts) as readonly MarginAccount[];
  const rate = mk.rate ?? 0;
  const forwards: ForwardCache = new Map();
  // Unit of each listed instrument met so far (by-name positions without a vol of their own).
  const templates = new Map<string, number>();
  const units: Resolved[] = [];
  const ownerOfUnit: number[] = [];
  const accs: ResolvedBook['accounts'] = new Array(list.length);
  const posStart = new Int32Array(list.length + 1);
  const cols = new PositionColumns(countPositions(list));
  let k = 0;
  for (let ai = 0; ai < list.length; ai++) {
    const acc = list[ai];
    const apath = single ? 'account' : `accounts[${ai}]`;
    if (acc === null || typeof acc !== 'object') throw new InputError(apath, acc, 'an account { collateral?, positions }');
    checkKnownKeys(acc, ACCOUNT_KEY_SET, ACCOUNT_KEYS, apath);
    if (!Array.isArray(acc.positions)) throw new InputError(`${apath}.positions`, acc.positions, 'an array of positions');
    const id = acc.id === undefined ? String(ai) : acc.id;
    if (typeof id !== 'string') throw new InputError(`${apath}.id`, acc.id, 'a string');
    if (acc.description !== undefined && typeof acc.description !== 'string') throw new InputError(`${apath}.description`, acc.description, 'a string');
    const collateral: ResolvedCollateral[] = [];
    if (acc.collateral !== undefined) {
      if (acc.collateral === null || typeof acc.collateral !== 'object') throw new InputError(`${apath}.collateral`, acc.collateral, 'an object of amounts by asset');
      for (const [asset, amount] of Object.entries(acc.collateral)) {
        const cpath = `${apath}.collateral.${asset}`;
        collateral.push({ asset, amount: num(amount, cpath, 'nonnegative'), price: priceOf(mk, asset, cpath) });
      }
    }
    const raw = acc.positions;
    for (let pi = 0; pi < raw.length; pi++) {
      const p = raw[pi] as MarginPosition & Record<string, unknown>;
      if (p === null || typeof p !== 'object') throw new InputError(posPath(apath, pi), p, 'a position object');
      checkPositionKeys(p, apath, pi);
      // A by-name position takes everything but its size, entry price and funding from the instrument
      // table; books drawn from one chain repeat instruments, so each is looked up once.
      const listedName = p.kind === undefined && p.vol === undefined && typeof p.instrument === 'string' ? p.instrument : undefined;
      const known = listedName === undefined ? undefined : templates.get(listedName);
      if (known !== undefined) {
        const kind = units[known].kind;
        const size = numAt(p.size, apath, pi, 'size');
        if (kind === 'spot' && size < 0) throw new InputError(`${posPath(apath, pi)}.size`, size, 'a size >= 0 (short spot needs a loan)');
        const entry = kind === 'perpetual' || kind === 'future' ? (p.entryPrice === undefined ? NaN : numAt(p.entryPrice, apath, pi, 'entryPrice', 'positive')) : NaN;
        const funding = kind === 'perpetual' && p.accruedFunding !== undefined ? numAt(p.accruedFunding, apath, pi, 'accruedFunding') : 0;
        if (k === cols.unitOfPos.length) cols.grow();
        cols.unitOfPos[k] = known;
        cols.sizeOfPos[k] = size;
        cols.entryOfPos[k] = entry;
        cols.fundingOfPos[k++] = funding;
        continue;
      }
      const r = resolvePosition(p, mk, rate, forwards, apath, pi);
      const u = units.length;
      units.push(r);
      ownerOfUnit.push(k);
      if (k === cols.unitOfPos.length) cols.grow();
      cols.unitOfPos[k] = u;
      cols.sizeOfPos[k] = r.size;
      cols.entryOfPos[k] = r.entryPrice;
      cols.fundingOfPos[k++] = r.accruedFunding;
      if (listedName !== undefined) templates.set(listedName, u);
    }
    posStart[ai + 1] = k;
    accs[ai] = { id, collateral, path: apath };
  }
  if (mk.surface !== undefined) markUnitsBySurface(units, mk.surface, ctx); // [surface]
  return {
    accounts: accs, posStart, units, ownerOfUnit,
    unitOfPos: cols.unitOfPos.subarray(0, k), sizeOfPos: cols.sizeOfPos.subarray(0, k), entryOfPos: cols.entryOfPos.subarray(0, k), fundingOfPos: cols.fundingOfPos.subarray(0, k),
  };
}

/** The position columns of a {@link ResolvedBook} while it is built: sized by a first count, grown if the input grew meanwhile. */
class PositionColumns {
  unitOfPos: Int32Array;
  sizeOfPos: Float64Array;
  entryOfPos: Float64Array;
  fundingOfPos: Float64Array;
  constructor(n: number) {
    this.unitOfPos = new Int32Array(n);
    this.sizeOfPos = new Float64Array(n);
    this.entryOfPos = new Float64Array(n);
    this.fundingOfPos = new Float64Array(n);
  }
  grow(): void {
    const n = 2 * this.unitOfPos.length + 16;
    const g = new PositionColumns(n);
    g.unitOfPos.set(this.unitOfPos);
    g.sizeOfPos.set(this.sizeOfPos);
    g.entryOfPos.set(this.entryOfPos);
    g.fundingOfPos.set(this.fundingOfPos);
    Object.assign(this, g);
  }
}

/** Positions in `list` (accounts whose `positions` is an array), read without checks: the capacity of the columns. */
function countPositions(list: readonly MarginAccount[]): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    const acc = list[i];
    if (acc !== null && typeof acc === 'object' && Array.isArray(acc.positions)) n += acc.positions.length;
  }
  return n;
}

/**
 * {@link num} of a position's field, the error path (`<apath>.positions[pi].<field>`) built only
 * when the check fails.
 * @throws InputError at that path.
 */
function numAt(v: unknown, apath: string, pi: number, field: string, check: 'finite' | 'positive' = 'finite'): number {
  if (typeof v === 'number' && Number.isFinite(v) && (check === 'finite' || v > 0)) return v;
  return num(v, `${posPath(apath, pi)}.${field}`, check);
}

/**
 * One position resolved on its own: the instrument looked up (by-name positions), the market's
 * index, forward and vol, every field checked.
 * @throws InputError at `<apath>.positions[pi]...` (or `market.instruments.<name>...`).
 */
function resolvePosition(p: MarginPosition & Record<string, unknown>, mk: MarginMarket, rate: number, forwards: ForwardCache, apath: string, pi: number): Resolved {
  let spec: Record<string, unknown> = p;
  if (p.kind === undefined) {
    const name = p.instrument;
    if (typeof name !== 'string') throw new InputError(`${posPath(apath, pi)}.kind`, undefined, "'spot', 'perpetual', 'future', 'option', or an instrument name");
    // Own properties only: `constructor` or `toString` is an unknown instrument.
    const listed: unknown = own(mk.instruments, name);
    if (listed === undefined) throw new InputError(`${posPath(apath, pi)}.instrument`, name, 'an instrument listed in market.instruments');
    if (listed === null || typeof listed !== 'object') throw new InputError(`market.instruments.${name}`, listed, 'an instrument { kind, asset, ... }');
    checkInstrumentKeys(listed as Record<string, unknown>, `market.instruments.${name}`);
    spec = listed as Record<string, unknown>;
  }
  const kind = spec.kind as ResolvedPosition['kind'];
  const asset = spec.asset as string;
  const instrument = p.instrument as string | undefined;
  const size = num(p.size, `${posPath(apath, pi)}.size`);
  if (STABLECOINS.has(asset)) throw new InputError(`${posPath(apath, pi)}.asset`, asset, 'a risky asset (stablecoins are collateral)');
  const index = priceOf(mk, asset, `${posPath(apath, pi)}.asset`);
  const r = new Resolved(kind, asset, size, index, rate, instrument, apath, pi);
  if (kind === 'future' || kind === 'option') {
    const T = num(spec.expiry, `${posPath(apath, pi)}.expiry`);
    if (T <= EXPIRED) throw new InputError(`${posPath(apath, pi)}.expiry`, T, 'a time to expiry > 0 years (the position has expired)');
    r.expiry = T;
    r.forward = cachedForward(forwards, mk, asset, T);
    r.basis = Math.log(r.forward / index) / T;
    r.settlement = settlementOf(spec.settlement, `${posPath(apath, pi)}.settlement`);
  }
  switch (kind) {
    case 'spot':
      if (size < 0) throw new InputError(`${posPath(apath, pi)}.size`, size, 'a size >= 0 (short spot needs a loan)');
      break;
    case 'perpetual':
      r.settlement = settlementOf(spec.settlement, `${posPath(apath, pi)}.settlement`);
      r.entryPrice = optionalNum(p.entryPrice, `${posPath(apath, pi)}.entryPrice`, NaN, 'positive');
      r.accruedFunding = optionalNum(p.accruedFunding, `${posPath(apath, pi)}.accruedFunding`, 0);
      r.fundingRate = optionalNum(spec.fundingRate, `${posPath(apath, pi)}.fundingRate`, 0);
      break;
    case 'future':
      r.entryPrice = optionalNum(p.entryPrice, `${posPath(apath, pi)}.entryPrice`, NaN, 'positive');
      r.markPerUnit = r.forward;
      break;
    case 'option': {
      if (spec.type !== 'call' && spec.type !== 'put') throw new InputError(`${posPath(apath, pi)}.type`, spec.type, "'call' or 'put'");
      r.type = spec.type === 'call' ? 1 : -1;
      r.strike = num(spec.strike, `${posPath(apath, pi)}.strike`, 'positive');
      // [surface] A surface for the asset marks every option without a vol of its own (after the book is read, one batch per asset).
      if (p.vol === undefined && mk.surface !== undefined && surfaceFor(mk.surface, asset) !== undefined) {
        r.vol = NaN;
        break;
      }
      const vol = p.vol !== undefined ? p.vol : instrument !== undefined ? own(mk.vols, instrument) : undefined;
      if (vol === undefined) throw new InputError(`${posPath(apath, pi)}.vol`, vol, `an implied vol (on the position or in market.vols${instrument ? `["${instrument}"]` : ''})`);
      r.vol = num(vol, `${posPath(apath, pi)}.vol`, 'nonnegative');
      break;
    }
    default:
      throw new InputError(`${posPath(apath, pi)}.kind`, kind, "'spot', 'perpetual', 'future' or 'option'");
  }
  return r;
}

/**
 * Sets `markPerUnit` (USD per unit) of resolved options from their `forward`, `strike`, `expiry`,
 * `vol` (decimal), `type` and `rate` (continuously compounded) in ONE Black-76 batch call: DF x B(F)
 * for USD-settled, the coin premium B(F)/F valued at `index` (the revaluation kernel's convention)
 * for coin-settled. Shared by resolveAccounts and the portfolio liquidation price, which re-marks
 * options at moved forwards. Writes only `markPerUnit` of the given positions.
 * @throws InputError only for malformed numbers the resolver has already excluded.
 */
export function markOptions(ctx: EngineContext, options: readonly ResolvedPosition[]): void {
  if (options.length === 0) return;
  const r = black76(ctx, {
    forwards: Float64Array.from(options, (o) => o.forward),
    strikes: Float64Array.from(options, (o) => o.strike),
    expiries: Float64Array.from(options, (o) => o.expiry),
    vols: Float64Array.from(options, (o) => o.vol),
    types: Int8Array.from(options, (o) => o.type),
    discountFactors: Float64Array.from(options, (o) => Math.exp(-o.rate * o.expiry)),
  });
  options.forEach((o, i) => {
    o.markPerUnit = o.settlement === 'usd' ? r.price[i] : (r.price[i] / o.forward) * o.index;
  });
}

/** A Deribit instrument name's expiry code, e.g. `27MAR26` (the chain gives the time itself). */
function futureName(instrument: string): string {
  return instrument.split('-').slice(0, 2).join('-');
}

/** Columns of a {@link DeribitChain} that {@link marketFromDeribitChain} reads. */
const CHAIN_COLUMNS = ['currency', 'instrument', 'timeToMaturity', 'forward', 'index', 'markIv', 'strike', 'type'] as const satisfies readonly (keyof DeribitChain)[];

/** Numeric columns of a chain that {@link marketFromDeribitChain} reads. */
const NUMBER_COLUMNS = ['timeToMaturity', 'forward', 'index', 'markIv', 'strike', 'type'] as const satisfies readonly (typeof CHAIN_COLUMNS)[number][];

/** Options of {@link marketFromDeribitChain}. */
export interface DeribitMarketOptions {
  /**
   * Settlement of the listed futures and the perpetual: `'usd'` (default: linear, P&L = size x change
   * of the forward or index) or `'coin'` (Deribit's inverse contracts: USD face size x entry price,
   * P&L in coin; see docs/margin.md).
   */
  futuresSettlement?: 'usd' | 'coin';
}

const DERIBIT_MARKET_OPTION_KEYS = ['futuresSettlement'] as const satisfies readonly (keyof DeribitMarketOptions)[];

/**
 * Market data from a Deribit option-chain snapshot: each currency's index, one forward per expiry
 * (the chain's underlying price), the mark IV per option, and an instrument table for the options,
 * their expiries' futures (`BTC-27MAR26`, marked at the forward) and the perpetual (`BTC-PERPETUAL`,
 * marked at the index), the futures and perpetual linear in USD unless `options.futuresSettlement`
 * is `'coin'`. Deribit options are coin-settled. Rows without a mark IV get no vol entry.
 * `assets`, `vols` and `instruments` are null-prototype objects: a currency or instrument named
 * `__proto__` or `constructor` is an ordinary key.
 * @throws InputError for an empty chain or one with no index price (`chain`, `chain.index (BTC)`),
 * a length that is not a whole number (`chain.length`), a missing or short column
 * (`chain.currency`, ...), a row whose currency or instrument is not a non-empty string
 * (`chain.currency[3]`), options that are not an object or carry an unknown key (`options`,
 * `options.futuresSetlement`), or a futuresSettlement other than 'usd' or 'coin'
 * (`options.futuresSettlement`).
 */
export function marketFromDeribitChain(chain: DeribitChain, options: DeribitMarketOptions = {}): MarginMarket {
  if (chain === null || typeof chain !== 'object' || typeof chain.length !== 'number' || !(chain.length > 0)) {
    throw new InputError('chain', chain, 'a non-empty Deribit chain (loadDeribitChain)');
  }
  const n = chain.length;
  if (!Number.isSafeInteger(n)) throw new InputError('chain.length', n, 'a whole number of rows');
  for (const col of CHAIN_COLUMNS) {
    const c = chain[col] as unknown as ArrayLike<unknown> | null | undefined;
    if (c === null || typeof c !== 'object' || typeof c.length !== 'number' || !(c.length >= n)) throw new InputError(`chain.${col}`, c, `a column of ${n} rows`);
  }
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an options object { futuresSettlement? }');
  checkKeys(options, DERIBIT_MARKET_OPTION_KEYS, 'options');
  const settlement = settlementOf(options.futuresSettlement, 'options.futuresSettlement');
  // Tables keyed by data (currencies, instrument names) are Maps while they are built and
  // null-prototype objects when returned: a row named `__proto__` is an ordinary key.
  // Per currency: [sum, count] of the rows' index, and per expiry [sum, count] of their forwards.
  const forwards = new Map<string, Map<number, [number, number]>>();
  const indexSum = new Map<string, [number, number]>();
  const vols = dict<number>();
  const instruments = dict<InstrumentSpec>();
  for (let i = 0; i < n; i++) {
    const cur = chain.currency[i];
    const T = chain.timeToMaturity[i];
    const name = chain.instrument[i];
    if (typeof cur !== 'string' || cur === '') throw new InputError(`chain.currency[${i}]`, cur, 'a currency name');
    if (typeof name !== 'string' || name === '') throw new InputError(`chain.instrument[${i}]`, name, 'an instrument name');
    // Numbers only (NaN is data: a row without a mark IV): a string would concatenate into a sum.
    for (const col of NUMBER_COLUMNS) if (typeof chain[col][i] !== 'number') throw new InputError(`chain.${col}[${i}]`, chain[col][i], 'a number');
    if (Number.isFinite(chain.index[i])) {
      let s = indexSum.get(cur);
      if (s === undefined) indexSum.set(cur, (s = [0, 0]));
      s[0] += chain.index[i];
      s[1]++;
    }
    let fw = forwards.get(cur);
    if (fw === undefined) forwards.set(cur, (fw = new Map()));
    const f = fw.get(T) ?? [0, 0];
    f[0] += chain.forward[i];
    f[1]++;
    fw.set(T, f);
    if (Number.isFinite(chain.markIv[i]) && chain.markIv[i] > 0) vols[name] = chain.markIv[i];
    instruments[name] = { kind: 'option', asset: cur, strike: chain.strike[i], expiry: T, type: chain.type[i] === 1 ? 'call' : 'put', settlement: 'coin' };
    // Futures and the perpetual are linear in USD by default (size in coins, P&L = size x change of
    // the forward); settlement is written only when coin, so the default table is unchanged.
    instruments[futureName(name)] ??= settlement === 'coin' ? { kind: 'future', asset: cur, expiry: T, settlement } : { kind: 'future', asset: cur, expiry: T };
    instruments[`${cur}-PERPETUAL`] ??= settlement === 'coin' ? { kind: 'perpetual', asset: cur, settlement } : { kind: 'perpetual', asset: cur };
  }
  const assets = dict<AssetMarket>();
  for (const [cur, byT] of forwards) {
    const s = indexSum.get(cur);
    if (!s) throw new InputError(`chain.index (${cur})`, NaN, 'an index price on at least one row');
    // The snapshot's index and each expiry's forward move across rows taken over a second (forwards
    // by up to 5e-4 relative); their means are order-independent, unlike the last row's value.
    assets[cur] = { index: s[0] / s[1], forwards: [...byT].filter(([T]) => T > 0).map(([expiry, [sum, k]]) => ({ expiry, price: sum / k })) };
  }
  return { assets, vols, instruments, rate: 0 };
}

// [surface] Marking options by a VolSurface in place of mark IVs.

/** What `market.surface` holds: one surface (its `underlying`, or every asset when it has none), or surfaces by asset. */
export type MarketSurfaces = VolSurface | VolSurfaceJSON | ReadonlyMap<string, VolSurface | VolSurfaceJSON>;

/**
 * Mark every option of `units` that has no vol of its own from the market's surfaces, sticky strike
 * (one `vol()` batch per asset; see surface/surface-marks.ts).
 * @throws InputError at `market.surface` when a surface needs an engine and none is given, or at
 *   `<position>.vol` when the surface has no vol there.
 */
function markUnitsBySurface(units: readonly Resolved[], surfaces: MarketSurfaces, ctx: EngineContext | undefined): void {
  const unmarked = units.filter((u) => u.kind === 'option' && Number.isNaN(u.vol));
  markVolsBySurface(unmarked, surfaces, ctx, 'market.surface', (u, vol) => { u.vol = vol; });
}

/**
 * The market as it is sent to worker threads: surfaces as their JSON (a VolSurface holds its
 * engine, which does not cross threads); each worker binds them to its own engine.
 */
export function marketForWorkers(market: MarginMarket): MarginMarket {
  const s = market.surface;
  if (s === undefined) return market;
  const json = (v: VolSurface | VolSurfaceJSON) => (v instanceof VolSurface ? v.toJSON() : v);
  return { ...market, surface: s instanceof Map ? new Map([...s].map(([k, v]) => [k, json(v)])) : json(s as VolSurface | VolSurfaceJSON) };
}
