/**
 * An account book already in columns: one typed array per field over every position and account,
 * instead of one object per account and per position.
 *
 * Why: a book of 1,000,000 accounts x 20 positions as objects is 21 million JS objects (~3.7 GB of
 * heap). Whoever holds them (the engine in one thread, or the submitter of a distributed run) spends
 * 36-60 us of CPU per account resolving positions and collecting garbage around ~15 us of margining
 * (issue 17, session 7). In columns the same book is ~0.25 KB an account in a handful of typed
 * arrays: nothing for the collector to walk, and a shard of it is a slice of each array.
 *
 * What the columns cover: every position refers to an entry of the book's instrument table, which
 * is an instrument name listed in `market.instruments` (its vol from `market.vols`, as a by-name
 * position) or an inline position spec without size (`{ kind: 'spot', asset: 'BTC' }`, `{ kind:
 * 'option', ..., vol }`): each entry is resolved once per book, exactly as a position of that shape
 * would be. Per position: its table entry, size, and optionally entry price and accrued funding.
 * Collateral is an accounts x assets matrix. Ids and descriptions: ids optional, no descriptions.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { own } from '../data-tables.js';
import { checkKeys } from '../option-keys.js';
import { checkMarket, resolveBook, STABLECOINS } from './market.js';
import type { MarginAccount, MarginMarket, MarginPosition, ResolvedPosition } from './types.js';

/** A position's instrument without its amounts: `MarginPosition` minus size, entry price and accrued funding. */
export type MarginInstrumentSpec = MarginPosition extends infer P ? (P extends MarginPosition ? Omit<P, 'size' | 'entryPrice' | 'accruedFunding'> : never) : never;

/**
 * A book of margin accounts in columns (struct of arrays). `n = positionStart.length - 1` accounts;
 * account i's positions are `[positionStart[i], positionStart[i + 1])` of the per-position columns.
 * Structured-cloneable (typed arrays and plain data). Read only: riskwasm never modifies it.
 */
export interface MarginAccountColumns {
  /** Account ids (length n); default: the account's index as a string, as for accounts without `id`. */
  readonly ids?: readonly string[];
  /** Per account, its first position (length n + 1, starts at 0, non-decreasing, ends at the position count). */
  readonly positionStart: Int32Array;
  /**
   * The instrument table positions refer to: a name listed in `market.instruments`, or an inline
   * spec ({@link MarginInstrumentSpec}, e.g. `{ kind: 'spot', asset: 'BTC' }`). Every entry must
   * resolve against the market (even one no position uses).
   */
  readonly instruments: readonly (string | MarginInstrumentSpec)[];
  /** Per position: its index into `instruments`. */
  readonly instrument: Int32Array;
  /** Per position: size (coins; spot >= 0). */
  readonly size: Float64Array;
  /** Per position: entry price (USD; NaN = none). Read for futures and perpetuals only, where it must be positive. */
  readonly entryPrice?: Float64Array;
  /** Per position: accrued funding (USD, positive = received; 0 = none). Read for perpetuals only, where it must be finite. */
  readonly accruedFunding?: Float64Array;
  /** Collateral asset names (stablecoins, or assets of `market.assets`), the columns of `collateral`. */
  readonly collateralAssets?: readonly string[];
  /** Collateral amounts (coins, >= 0), row-major [n][collateralAssets.length]. */
  readonly collateral?: Float64Array;
}

const BOOK_KEYS = ['ids', 'positionStart', 'instruments', 'instrument', 'size', 'entryPrice', 'accruedFunding', 'collateralAssets', 'collateral'] as const satisfies readonly (keyof MarginAccountColumns)[];
const SPEC_AMOUNT_KEYS = ['size', 'entryPrice', 'accruedFunding'] as const;
const POSITION_KEYS: ReadonlySet<string> = new Set(['instrument', 'size', 'entryPrice', 'accruedFunding']);

/**
 * Whether `x` is meant as a {@link MarginAccountColumns} (a non-array object with `positionStart`):
 * the dispatch test of the calls that take either form. Its fields are checked by {@link checkMarginAccountColumns}.
 */
export function isMarginAccountColumns(x: unknown): x is MarginAccountColumns {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && 'positionStart' in x;
}

/** Number of accounts of a book (positionStart's length - 1; 0 for a malformed one, which the checks reject). */
export function accountColumnsLength(book: MarginAccountColumns): number {
  return book.positionStart instanceof Int32Array ? Math.max(0, book.positionStart.length - 1) : 0;
}

/**
 * The book of `accounts` in columns: positions by listed name (`{ instrument, size, entryPrice?,
 * accruedFunding? }`) refer to the name, any other position to an inline spec (the position without
 * its amounts; equal specs share an entry). Entry prices and funding columns only when some
 * position has one; collateral assets in first-seen order (0 where an account has none).
 * `portfolioMargin(accounts)` and `portfolioMarginColumns(marginAccountColumns(accounts))` give the
 * same numbers bit for bit. Descriptions are dropped.
 * @throws InputError at `accounts`, `accounts[i]`, `accounts[i].positions[j]` (not an object, size
 * not a number), `accounts[i].collateral.<asset>` (not a number). Market checks happen when margined.
 */
export function marginAccountColumns(accounts: readonly MarginAccount[]): MarginAccountColumns {
  if (!Array.isArray(accounts)) throw new InputError('accounts', accounts, 'an array of accounts');
  const n = accounts.length;
  const positionStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const acc = accounts[i];
    if (acc === null || typeof acc !== 'object') throw new InputError(`accounts[${i}]`, acc, 'an account { id?, collateral?, positions }');
    if (!Array.isArray(acc.positions)) throw new InputError(`accounts[${i}].positions`, acc.positions, 'an array of positions');
    positionStart[i + 1] = positionStart[i] + acc.positions.length;
  }
  const P = positionStart[n];
  const instrument = new Int32Array(P), size = new Float64Array(P);
  let entryPrice: Float64Array | undefined, accruedFunding: Float64Array | undefined;
  const instruments: (string | MarginInstrumentSpec)[] = [];
  const byName = new Map<string, number>(), bySpec = new Map<string, number>();
  const assets: string[] = [], assetOf = new Map<string, number>();
  const amounts: [number, number, number][] = [];
  let anyId = false;
  for (let i = 0; i < n; i++) {
    const acc = accounts[i];
    if (acc.id !== undefined) anyId = true;
    const ps = acc.positions;
    for (let j = 0; j < ps.length; j++) {
      const p = ps[j] as MarginPosition & Record<string, unknown>;
      const k = positionStart[i] + j;
      if (p === null || typeof p !== 'object') throw new InputError(`accounts[${i}].positions[${j}]`, p, 'a position object');
      if (typeof p.size !== 'number') throw new InputError(`accounts[${i}].positions[${j}].size`, p.size, 'a number');
      let byNameOnly = typeof p.instrument === 'string';
      for (const key in p) if (!POSITION_KEYS.has(key)) byNameOnly = false;
      let t: number | undefined;
      if (byNameOnly) {
        t = byName.get(p.instrument as string);
        if (t === undefined) {
          byName.set(p.instrument as string, (t = instruments.length));
          instruments.push(p.instrument as string);
        }
      } else {
        const spec: Record<string, unknown> = { ...p };
        for (const key of SPEC_AMOUNT_KEYS) delete spec[key];
        const key = JSON.stringify(Object.entries(spec).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
        t = bySpec.get(key);
        if (t === undefined) {
          bySpec.set(key, (t = instruments.length));
          instruments.push(spec as MarginInstrumentSpec);
        }
      }
      instrument[k] = t;
      size[k] = p.size;
      if (p.entryPrice !== undefined) (entryPrice ??= new Float64Array(P).fill(NaN))[k] = typeof p.entryPrice === 'number' ? p.entryPrice : NaN;
      if (p.accruedFunding !== undefined) (accruedFunding ??= new Float64Array(P))[k] = typeof p.accruedFunding === 'number' ? p.accruedFunding : NaN;
    }
    const c = acc.collateral;
    if (c !== undefined && c !== null && typeof c === 'object') {
      for (const [asset, amount] of Object.entries(c)) {
        if (typeof amount !== 'number') throw new InputError(`accounts[${i}].collateral.${asset}`, amount, 'a number');
        let a = assetOf.get(asset);
        if (a === undefined) {
          assetOf.set(asset, (a = assets.length));
          assets.push(asset);
        }
        amounts.push([i, a, amount]);
      }
    }
  }
  const book: { -readonly [K in keyof MarginAccountColumns]: MarginAccountColumns[K] } = { positionStart, instruments, instrument, size };
  if (anyId) book.ids = accounts.map((a, i) => (a.id === undefined ? String(i) : a.id));
  if (entryPrice) book.entryPrice = entryPrice;
  if (accruedFunding) book.accruedFunding = accruedFunding;
  if (assets.length > 0) {
    const A = assets.length;
    const m = new Float64Array(n * A);
    for (const [i, a, x] of amounts) m[i * A + a] = x;
    book.collateralAssets = assets;
    book.collateral = m;
  }
  return book;
}

/** A checked book: its size and each instrument table entry resolved. @internal */
export interface CheckedAccountColumns {
  length: number;
  /** Per table entry, its resolved instrument (size 0). */
  units: ResolvedPosition[];
}

const SPOT = 0, PERPETUAL = 1, FUTURE = 2, OTHER = 3;

/** "account i, position j" of position k (binary search of positionStart; only when reporting an error). */
function whereIs(positionStart: Int32Array, k: number): string {
  let lo = 0, hi = positionStart.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (positionStart[mid] <= k) lo = mid;
    else hi = mid - 1;
  }
  return `account ${lo}, position ${k - positionStart[lo]}`;
}

function requireColumn<T extends Int32Array | Float64Array>(v: unknown, path: string, type: new (n: number) => T, length: number): T {
  if (!(v instanceof type)) throw new InputError(path, v, `a ${type.name}`);
  if (v.length !== length) throw new InputError(`${path}.length`, v.length, `${length}`);
  return v;
}

/**
 * Resolve each instrument table entry as a position of size 0 would be, the error renamed to the entry.
 * @throws InputError at `<path>.instruments[j]...` (or `market...`) for an entry that does not resolve.
 */
function resolveTable(table: readonly unknown[], market: MarginMarket, ctx: EngineContext | undefined, path: string): ResolvedPosition[] {
  const positions = table.map((e, j) => {
    if (typeof e === 'string') return { instrument: e, size: 0 };
    if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new InputError(`${path}.instruments[${j}]`, e, 'an instrument name or a position spec without size');
    for (const key of SPEC_AMOUNT_KEYS) if (key in e) throw new InputError(`${path}.instruments[${j}].${key}`, (e as Record<string, unknown>)[key], 'undefined (amounts go in the columns)');
    return { ...e, size: 0 };
  }) as MarginPosition[];
  let book;
  try {
    book = resolveBook([{ positions }], market, ctx);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const m = /^accounts\[0\]\.positions\[(\d+)\]/.exec(e.path);
    if (m === null) throw e;
    const j = Number(m[1]);
    let rest = e.path.slice(m[0].length);
    if (typeof table[j] === 'string' && rest === '.instrument') rest = '';
    const prefix = `${e.path}: expected `;
    const body = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    const cut = body.lastIndexOf(', got ');
    throw new InputError(`${path}.instruments[${j}]${rest}`, e.value, cut >= 0 ? body.slice(0, cut) : body);
  }
  return Array.from(book.unitOfPos, (u) => book.units[u]);
}

/**
 * Check a {@link MarginAccountColumns} against the market, with portfolioMargin's rules for a
 * position or account (a malformed one rejects the call): the book's shape, each instrument entry
 * (listed, live, priced, with a vol), each position's table index, size (finite; spot >= 0), entry
 * price (futures and perpetuals: NaN or > 0), accrued funding (perpetuals: finite), each collateral
 * asset (priced by the market) and amount (finite >= 0). Reads only.
 * @throws InputError naming the field and element (`accounts.size[41]`, with the account and
 * position in the message; `accounts.instruments[3]`; `accounts.positionStart[7]`).
 * @returns the number of accounts.
 */
export function checkMarginAccountColumns(book: unknown, market: MarginMarket): number {
  return checkAccountColumns(book, market, undefined, 'accounts').length;
}

/** {@link checkMarginAccountColumns} with an engine (a market with vol surfaces) and the book's name in error paths. @internal */
export function checkAccountColumns(book: unknown, market: MarginMarket, ctx: EngineContext | undefined, path: string): CheckedAccountColumns {
  if (!isMarginAccountColumns(book)) throw new InputError(path, book, 'a MarginAccountColumns { positionStart, instruments, instrument, size, ... }');
  checkKeys(book, BOOK_KEYS, path);
  const ps = book.positionStart;
  if (!(ps instanceof Int32Array) || ps.length < 1) throw new InputError(`${path}.positionStart`, ps, 'an Int32Array of accounts + 1 offsets');
  const n = ps.length - 1;
  if (ps[0] !== 0) throw new InputError(`${path}.positionStart[0]`, ps[0], '0');
  for (let i = 0; i < n; i++) if (ps[i + 1] < ps[i]) throw new InputError(`${path}.positionStart[${i + 1}]`, ps[i + 1], `an offset >= positionStart[${i}] (${ps[i]})`);
  const P = ps[n];
  const instrument = requireColumn(book.instrument, `${path}.instrument`, Int32Array, P);
  const size = requireColumn(book.size, `${path}.size`, Float64Array, P);
  const entry = book.entryPrice === undefined ? undefined : requireColumn(book.entryPrice, `${path}.entryPrice`, Float64Array, P);
  const funding = book.accruedFunding === undefined ? undefined : requireColumn(book.accruedFunding, `${path}.accruedFunding`, Float64Array, P);
  if (book.ids !== undefined) {
    if (!Array.isArray(book.ids)) throw new InputError(`${path}.ids`, book.ids, 'an array of strings');
    if (book.ids.length !== n) throw new InputError(`${path}.ids.length`, book.ids.length, `${n} (one per account)`);
    for (let i = 0; i < n; i++) if (typeof book.ids[i] !== 'string') throw new InputError(`${path}.ids[${i}]`, book.ids[i], 'a string');
  }
  if (!Array.isArray(book.instruments)) throw new InputError(`${path}.instruments`, book.instruments, 'an array of instrument names or specs');
  // The codes of the shard columns leave 29 bits for the table index (margin-shard-plan.ts).
  if (book.instruments.length >= 1 << 29) throw new InputError(`${path}.instruments.length`, book.instruments.length, 'fewer than 2^29 entries');
  checkMarket(market);
  const units = resolveTable(book.instruments, market, ctx, path);
  const T = units.length;
  const kind = Uint8Array.from(units, (u) => (u.kind === 'spot' ? SPOT : u.kind === 'perpetual' ? PERPETUAL : u.kind === 'future' ? FUTURE : OTHER));
  for (let k = 0; k < P; k++) {
    const t = instrument[k];
    if (!(t >= 0 && t < T)) throw new InputError(`${path}.instrument[${k}]`, t, `an index into ${path}.instruments, in [0, ${T - 1}] (${whereIs(ps, k)})`);
    const s = size[k], kd = kind[t];
    if (!Number.isFinite(s)) throw new InputError(`${path}.size[${k}]`, s, `a finite size (${whereIs(ps, k)})`);
    if (kd === SPOT && s < 0) throw new InputError(`${path}.size[${k}]`, s, `a size >= 0 (short spot needs a loan; ${whereIs(ps, k)})`);
    if (entry !== undefined && (kd === PERPETUAL || kd === FUTURE)) {
      const x = entry[k];
      if (x === x && !(x > 0 && x < Infinity)) throw new InputError(`${path}.entryPrice[${k}]`, x, `a positive entry price, or NaN for none (${whereIs(ps, k)})`);
    }
    if (funding !== undefined && kd === PERPETUAL && !Number.isFinite(funding[k])) {
      throw new InputError(`${path}.accruedFunding[${k}]`, funding[k], `a finite amount (${whereIs(ps, k)})`);
    }
  }
  if (book.collateral !== undefined || book.collateralAssets !== undefined) {
    const assets = book.collateralAssets;
    if (!Array.isArray(assets)) throw new InputError(`${path}.collateralAssets`, assets, 'an array of asset names (with collateral)');
    for (let a = 0; a < assets.length; a++) {
      const name: unknown = assets[a];
      if (typeof name !== 'string' || name === '') throw new InputError(`${path}.collateralAssets[${a}]`, name, 'an asset name');
      if (!STABLECOINS.has(name)) {
        const m = own(market.assets, name);
        if (m === null || typeof m !== 'object') throw new InputError(`${path}.collateralAssets[${a}]`, name, 'a stablecoin or an asset of market.assets');
      }
    }
    const c = requireColumn(book.collateral, `${path}.collateral`, Float64Array, n * assets.length);
    for (let x = 0; x < c.length; x++) {
      if (!(c[x] >= 0 && c[x] < Infinity)) throw new InputError(`${path}.collateral[${x}]`, c[x], `an amount >= 0 (account ${Math.floor(x / assets.length)}, ${assets[x % assets.length]})`);
    }
  }
  return { length: n, units };
}
