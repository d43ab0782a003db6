/**
 * Shard plans of the account-batch margin jobs (portfolio margin, portfolio liquidation prices):
 * a job cut into a part every shard shares (market, grid, options, the instrument-name table) and
 * one small part per shard (its accounts as columns).
 *
 * Why columns: a batch of 100,000 accounts x 20 positions is 2 million small objects, and
 * structured-cloning them to a worker costs ~3x the whole margin computation in one thread
 * (measured: 2.7 s against 1.0 s), once per worker. Here the calling thread reads each position
 * once into typed arrays (instrument code, size; entry price and accrued funding only where given),
 * on a SharedArrayBuffer where the host has one, so every worker sees a shard's columns without a
 * copy. The worker rebuilds plain account objects from its shard's columns and runs the same
 * validation and arithmetic as one thread, so results and errors are those of one thread bit for bit.
 *
 * Columns cover the shape of listed books: positions `{ instrument, size, entryPrice?,
 * accruedFunding? }` (the market's `instruments` table supplies the rest) and accounts `{ id?,
 * description?, collateral?, positions }` whose id and description are strings and whose
 * collateral amounts are numbers. Any other account (explicit instrument fields, a position's own
 * vol, a malformed field to be reported) travels as it is, in its shard's `raw` list, and is
 * validated by the worker as before: the plan never judges an input, it only picks a transport.
 *
 * Distributed runners store {@link MarginShardJob.shared} once per job and send `parts[k]` with
 * shard k (typed arrays by value; each part owns its buffers, so a part serialises alone).
 */
import type { EngineContext } from '../context.js';
import { allocateOutput } from '../parallel/run-shards.js';
import { own } from '../data-tables.js';
import { resolveBook, STABLECOINS } from './market.js';
import type { MarginBook } from './portfolio-margin.js';
import type { MarginAccount, MarginMarket, MarginPosition, ResolvedPosition } from './types.js';
import type { MarginAccountColumns, MarginInstrumentSpec } from './margin-account-columns.js';

/** An entry of a shard job's instrument table: a listed name, or an inline spec (a {@link MarginAccountColumns} book's table). */
export type MarginShardInstrument = string | MarginInstrumentSpec;

/** The columns of one shard's accounts: accounts [first, first + count) of the caller's list. */
export interface MarginShardPart {
  /** Index of the shard's first account in the caller's list (error paths and ids use it). */
  first: number;
  /** Number of accounts. */
  count: number;
  /** Per account, its first position in `code`/`size` (length count + 1); an account in `raw` has none. */
  posStart: Int32Array;
  /** Per position: index into the shared `names` table, plus ENTRY and FUNDING flags. */
  code: Int32Array;
  /** Per position: size (coins, as given). */
  size: Float64Array;
  /** Entry prices and accrued funding, in position order, only for the positions whose flags say so. */
  extra: Float64Array;
  /** Local indices (0 .. count - 1) of the accounts sent as they are, increasing, and those accounts. */
  rawIndex: Int32Array;
  raw: MarginAccount[];
  /** Local indices of column accounts with collateral, increasing, and their `[asset, amount]` entries. */
  collateralIndex: Int32Array;
  collateral: [string, number][][];
  /**
   * Collateral as columns (a part cut from a {@link MarginAccountColumns} book): asset names and the
   * amounts row-major [count][collateralAssets.length]; with them, `collateralIndex` and `collateral` are empty.
   */
  collateralAssets?: readonly string[];
  collateralRows?: Float64Array;
  /**
   * The part's own instrument-name table, when it has one (a lazy plan's: {@link MarginShardPlanner});
   * its codes index it instead of the job's shared `names`.
   */
  names?: MarginShardInstrument[];
}

/** What every shard of a margin job shares (store once per job). */
export interface MarginShardShared<S> {
  /**
   * Instruments the columns refer to: names (first-seen order over the whole batch), or a
   * {@link MarginAccountColumns} book's instrument table (names and inline specs).
   */
  names: readonly MarginShardInstrument[];
  /** The job's own shared inputs (market, grid, options). */
  inputs: S;
}

/**
 * A margin job split for the worker pool or a distributed runner: `shared` is the same for every
 * shard, `parts[k]` belongs to shard k alone. Structured-cloneable (plain data and typed arrays).
 */
export interface MarginShardJob<S> {
  shared: MarginShardShared<S>;
  parts: readonly MarginShardPart[];
}

/** Flag bits of `code`: the position has an entry price / accrued funding (next value of `extra`). */
const ENTRY = 1 << 29;
const FUNDING = 1 << 30;
const CODE = ENTRY - 1;
/** Names beyond this many go to `raw` (the code's bits). */
const MAX_NAMES = CODE;

const ACCOUNT_KEYS: ReadonlySet<string> = new Set(['id', 'description', 'collateral', 'positions']);
const POSITION_KEYS: ReadonlySet<string> = new Set(['instrument', 'size', 'entryPrice', 'accruedFunding']);

/** The positions of an account if its shape fits the columns, else undefined. */
function columnPositions(acc: unknown): readonly MarginPosition[] | undefined {
  if (acc === null || typeof acc !== 'object') return undefined;
  for (const k in acc) if (!ACCOUNT_KEYS.has(k)) return undefined;
  const a = acc as MarginAccount;
  if (!Array.isArray(a.positions)) return undefined;
  if (a.id !== undefined && typeof a.id !== 'string') return undefined;
  if (a.description !== undefined && typeof a.description !== 'string') return undefined;
  return a.positions;
}

/** The collateral entries of a column account (null: none; undefined: a shape the columns do not carry). */
function collateralEntries(acc: MarginAccount): [string, number][] | null | undefined {
  const c = acc.collateral;
  if (c === undefined) return null;
  if (c === null || typeof c !== 'object') return undefined;
  const proto: unknown = Object.getPrototypeOf(c);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const entries = Object.entries(c);
  for (const [, v] of entries) if (typeof v !== 'number') return undefined;
  return entries;
}

/** Number of positions a shard's column buffers may need (array lengths, read without checks). */
function positionCapacity(list: readonly MarginAccount[], a0: number, a1: number): number {
  let n = 0;
  for (let i = a0; i < a1; i++) {
    try {
      const acc = list[i];
      if (acc !== null && typeof acc === 'object' && Array.isArray(acc.positions)) n += acc.positions.length;
    } catch {
      // A throwing getter: the account goes raw (writeAccount reads it again and fails the same way).
    }
  }
  return n;
}

/** The columns of one shard while they are written. */
interface PartWriter {
  code: Int32Array;
  size: Float64Array;
  /** Next free position. */
  k: number;
  extra: number[];
  names: string[];
  codes: Map<string, number>;
}

/**
 * Write `acc`'s positions into the columns if the account's shape fits them: its collateral
 * entries (null for none), or undefined (nothing written, the account goes raw). A getter or proxy
 * that throws while read also sends the account raw: the worker, or the structured clone, reports
 * it as before.
 */
function writeAccount(acc: MarginAccount, w: PartWriter): [string, number][] | null | undefined {
  const k0 = w.k, e0 = w.extra.length, n0 = w.names.length;
  try {
    const positions = columnPositions(acc);
    if (positions === undefined || w.k + positions.length > w.code.length) return undefined;
    const coll = collateralEntries(acc);
    if (coll !== undefined && writePositions(positions, w)) return coll;
  } catch {
    // raw
  }
  w.k = k0;
  w.extra.length = e0;
  for (let c = n0; c < w.names.length; c++) w.codes.delete(w.names[c]);
  w.names.length = n0;
  return undefined;
}

/** Write positions `{ instrument, size, entryPrice?, accruedFunding? }` into the columns; false at the first other shape. */
function writePositions(positions: readonly MarginPosition[], w: PartWriter): boolean {
  const { code, size, extra, names, codes } = w;
  for (let pi = 0; pi < positions.length; pi++) {
    const p = positions[pi] as unknown as Record<string, unknown>;
    if (p === null || typeof p !== 'object') return false;
    for (const key in p) if (!POSITION_KEYS.has(key)) return false;
    const name = p.instrument, sz = p.size, entry = p.entryPrice, funding = p.accruedFunding;
    if (typeof name !== 'string' || typeof sz !== 'number') return false;
    if ((entry !== undefined && typeof entry !== 'number') || (funding !== undefined && typeof funding !== 'number')) return false;
    let c = codes.get(name);
    if (c === undefined) {
      if (names.length >= MAX_NAMES) return false;
      codes.set(name, (c = names.length));
      names.push(name);
    }
    if (entry !== undefined) {
      c |= ENTRY;
      extra.push(entry);
    }
    if (funding !== undefined) {
      c |= FUNDING;
      extra.push(funding);
    }
    code[w.k] = c;
    size[w.k++] = sz;
  }
  return true;
}

/**
 * Split `list` into shards of `accountsPerShard` accounts: the instrument-name table (the names the
 * columns use, first-seen order) and one {@link MarginShardPart} per shard. Reads the inputs only
 * (never modifies them, never throws on a malformed account: that one goes to `raw` and the shard
 * task reports it as one thread would).
 * @param list the accounts (an array), @param accountsPerShard a positive integer (checked by the caller).
 * @throws InputError only when the host cannot allocate the columns (`length`).
 */
export function planMarginShards(list: readonly MarginAccount[], accountsPerShard: number): { names: string[]; parts: MarginShardPart[] } {
  const names: string[] = [];
  const codes = new Map<string, number>();
  const parts: MarginShardPart[] = [];
  for (let first = 0; first < list.length; first += accountsPerShard) {
    parts.push(planPart(list, first, Math.min(accountsPerShard, list.length - first), names, codes, allocateOutput));
  }
  return { names, parts };
}

/** One shard's part: accounts [first, first + count) of `list` into columns (see planMarginShards). */
function planPart(
  list: readonly MarginAccount[], first: number, count: number, names: string[], codes: Map<string, number>, allocate: (n: number) => Float64Array,
): MarginShardPart {
  const cap = positionCapacity(list, first, first + count);
  // One buffer per shard (shared memory where the host allows): posStart, code, then size (8-aligned).
  const ints = count + 1 + cap;
  const block = allocate(Math.ceil(ints / 2) + cap);
  const posStart = new Int32Array(block.buffer, 0, count + 1);
  const w: PartWriter = {
    code: new Int32Array(block.buffer, 4 * (count + 1), cap), size: new Float64Array(block.buffer, 8 * Math.ceil(ints / 2), cap),
    k: 0, extra: [], names, codes,
  };
  const rawIndex: number[] = [];
  const raw: MarginAccount[] = [];
  const collateralIndex: number[] = [];
  const collateral: [string, number][][] = [];
  for (let j = 0; j < count; j++) {
    const acc = list[first + j];
    const coll = writeAccount(acc, w);
    if (coll === undefined) {
      rawIndex.push(j);
      raw.push(acc);
    } else if (coll !== null) {
      collateralIndex.push(j);
      collateral.push(coll);
    }
    posStart[j + 1] = w.k;
  }
  return {
    first, count, posStart, code: w.code, size: w.size, extra: Float64Array.from(w.extra),
    rawIndex: Int32Array.from(rawIndex), raw, collateralIndex: Int32Array.from(collateralIndex), collateral,
  };
}

/**
 * A split job whose parts are planned one at a time, when a runner asks for them ({@link
 * MarginShardPlanner.part}), instead of all at once: a distributed runner plans, stores and drops
 * each shard's columns in turn, so the caller's process never holds the whole book twice (its
 * accounts, and their columns). Each part carries its own name table (`part.names`; the shared
 * `names` stay empty), so the shared part is complete before the first shard is planned. `parts`
 * stays empty. Not for a thread pool (the planner holds the caller's accounts; the pool clones
 * the whole job).
 */
export interface LazyMarginShardJob<S> extends MarginShardJob<S> {
  planner: MarginPartPlanner;
}

/**
 * Plans the parts of a batch one at a time (see {@link LazyMarginShardJob}): part k equals
 * planMarginShards' except that its codes index its own `names` (its instruments in first-seen
 * order). Reads the inputs only.
 */
export class MarginShardPlanner implements MarginPartPlanner {
  private readonly list: readonly MarginAccount[];
  private readonly per: number;

  constructor(list: readonly MarginAccount[], accountsPerShard: number) {
    this.list = list;
    this.per = accountsPerShard;
  }

  /** Number of shards. */
  get shards(): number {
    return Math.ceil(this.list.length / this.per);
  }

  /** Shard k's part, planned now on ordinary memory, with its own name table; k in [0, shards). */
  part(k: number): MarginShardPart {
    const first = k * this.per;
    const names: string[] = [];
    const part = planPart(this.list, first, Math.min(this.per, this.list.length - first), names, new Map(), (n) => new Float64Array(n));
    part.names = names;
    return part;
  }
}

/**
 * {@link MarginShardPlanner}'s job: `shared` ready to store, parts planned on request.
 * @throws Nothing for malformed accounts (they travel raw, see planMarginShards).
 */
export function lazyMarginJob<S>(list: readonly MarginAccount[], accountsPerShard: number, inputs: S): LazyMarginShardJob<S> {
  return { shared: { names: [], inputs }, parts: [], planner: new MarginShardPlanner(list, accountsPerShard) };
}

/**
 * {@link planMarginShards} with the job's shared inputs: the split job of a shard task.
 * @throws Nothing for malformed accounts (see planMarginShards).
 */
export function splitMarginJob<S>(list: readonly MarginAccount[], accountsPerShard: number, inputs: S): MarginShardJob<S> {
  const { names, parts } = planMarginShards(list, accountsPerShard);
  return { shared: { names, inputs }, parts };
}

/**
 * The accounts of one shard as plain objects, in the caller's order: column accounts rebuilt
 * (`{ positions, collateral? }`: ids and descriptions stay with the caller, who names the results),
 * raw accounts as they came.
 * @param names the job's shared name table.
 */
export function shardAccounts(part: MarginShardPart, names: readonly MarginShardInstrument[]): MarginAccount[] {
  const { count, posStart, code, size, extra, rawIndex, raw, collateralIndex, collateral, collateralAssets, collateralRows } = part;
  const out: MarginAccount[] = new Array(count);
  let r = 0, c = 0, e = 0;
  for (let j = 0; j < count; j++) {
    if (r < rawIndex.length && rawIndex[r] === j) {
      out[j] = raw[r++];
      continue;
    }
    const p0 = posStart[j], p1 = posStart[j + 1];
    const positions: MarginPosition[] = new Array(p1 - p0);
    for (let k = p0; k < p1; k++) {
      const v = code[k];
      const entry = names[v & CODE];
      const pos = (typeof entry === 'string' ? { instrument: entry, size: size[k] } : { ...entry, size: size[k] }) as MarginPosition & { entryPrice?: number; accruedFunding?: number };
      // An inline spec carries only the amounts its kind has (a book's columns hold them for every position).
      const kind = typeof entry === 'string' ? undefined : (entry as { kind?: unknown }).kind;
      if (v & ENTRY) {
        const x = extra[e++];
        if (kind === undefined || kind === 'perpetual' || kind === 'future') pos.entryPrice = x;
      }
      if (v & FUNDING) {
        const x = extra[e++];
        if (kind === undefined || kind === 'perpetual') pos.accruedFunding = x;
      }
      positions[k - p0] = pos;
    }
    if (collateralAssets !== undefined && collateralRows !== undefined) {
      const A = collateralAssets.length;
      const coll: Record<string, number> = {};
      for (let a = 0; a < A; a++) coll[collateralAssets[a]] = collateralRows[j * A + a];
      out[j] = A > 0 ? { collateral: coll, positions } : { positions };
    } else if (c < collateralIndex.length && collateralIndex[c] === j) {
      out[j] = { collateral: Object.fromEntries(collateral[c++]), positions };
    } else out[j] = { positions };
  }
  return out;
}

/** The resolved instrument of each shared name: `unitOf[code]` indexes `units`, -1 where the name does not resolve. */
interface NamedUnits {
  units: ResolvedPosition[];
  unitOf: Int32Array;
}

// Per job (a worker keeps the shared part for the whole run): each name resolved once, not once a shard.
const namedUnitsCache = new WeakMap<object, NamedUnits>();

/** A table entry as a position of size 0. */
const positionOf = (e: MarginShardInstrument): MarginPosition => (typeof e === 'string' ? { instrument: e, size: 0 } : ({ ...e, size: 0 } as MarginPosition));

/** Each name resolved as a by-name position would be (resolveBook's own code; a name that does not resolve gets -1). */
function namedUnits(shared: MarginShardShared<{ market: MarginMarket }>, ctx?: EngineContext): NamedUnits {
  let nu = namedUnitsCache.get(shared);
  if (nu !== undefined) return nu;
  const { names } = shared;
  const market = shared.inputs.market;
  const unitOf = new Int32Array(names.length).fill(-1);
  const units: ResolvedPosition[] = [];
  try {
    const book = resolveBook([{ positions: names.map(positionOf) }], market, ctx); // [surface] ctx binds a JSON surface
    for (let k = 0; k < names.length; k++) unitOf[k] = book.unitOfPos[k];
    units.push(...book.units);
  } catch {
    // Some name does not resolve (unlisted, expired, no vol): resolve them one by one; shards that
    // hold a bad one take the object path, which reports it exactly as one thread does.
    for (let k = 0; k < names.length; k++) {
      try {
        const book = resolveBook([{ positions: [positionOf(names[k])] }], market, ctx);
        unitOf[k] = units.length;
        units.push(book.units[0]);
      } catch {
        // unitOf[k] stays -1
      }
    }
  }
  namedUnitsCache.set(shared, (nu = { units, unitOf }));
  return nu;
}

/**
 * A shard's accounts as a resolved book straight from the columns (no object per position, no second
 * look-up of an instrument), when every check resolveBook would make passes: each name resolves,
 * sizes are finite (spot ones >= 0), entry prices of futures and perpetuals positive, accrued
 * funding of perpetuals finite, collateral amounts finite >= 0 in assets the market prices. Otherwise
 * undefined: the caller takes the object path ({@link shardAccounts}), whose error is one thread's.
 * Results ids are left empty (the caller names them).
 */
export function columnBook(part: MarginShardPart, shared: MarginShardShared<{ market: MarginMarket }>, ctx?: EngineContext): MarginBook | undefined {
  if (part.raw.length > 0) return undefined;
  const { units, unitOf } = namedUnits(shared, ctx);
  const { count, posStart, code, size, extra } = part;
  const n = posStart[count];
  const unitOfPos = new Int32Array(n);
  // The shard's own units in first-seen order, as resolveBook would list them: the risk matrix's
  // per-call tables (factors, netting classes) then cover this shard's instruments, not the job's.
  const local = new Int32Array(units.length).fill(-1);
  const held: ResolvedPosition[] = [];
  let e = 0;
  for (let k = 0; k < n; k++) {
    const v = code[k];
    const u = unitOf[v & CODE];
    if (u < 0) return undefined;
    const kind = units[u].kind;
    const s = size[k];
    if (!Number.isFinite(s) || (kind === 'spot' && s < 0)) return undefined;
    if (v & ENTRY) {
      const x = extra[e++];
      if ((kind === 'perpetual' || kind === 'future') && !(Number.isFinite(x) && x > 0)) return undefined;
    }
    if (v & FUNDING) {
      const x = extra[e++];
      if (kind === 'perpetual' && !Number.isFinite(x)) return undefined;
    }
    if (local[u] < 0) {
      local[u] = held.length;
      held.push(units[u]);
    }
    unitOfPos[k] = local[u];
  }
  const market = shared.inputs.market;
  const pricedAsset = (asset: string): boolean => {
    if (asset === '' || typeof asset !== 'string') return false;
    if (STABLECOINS.has(asset)) return true;
    const a = own(market.assets, asset);
    return a !== null && typeof a === 'object';
  };
  if (part.collateralAssets !== undefined || part.collateralRows !== undefined) {
    const assets = part.collateralAssets, rows = part.collateralRows;
    if (!Array.isArray(assets) || !(rows instanceof Float64Array) || rows.length !== count * assets.length) return undefined;
    for (const asset of assets) if (!pricedAsset(asset)) return undefined;
    for (let x = 0; x < rows.length; x++) if (!(rows[x] >= 0 && rows[x] < Infinity)) return undefined;
  }
  for (const entries of part.collateral) {
    for (const [asset, amount] of entries) {
      if (!(Number.isFinite(amount) && amount >= 0) || asset === '') return undefined;
      if (!STABLECOINS.has(asset)) {
        const a = own(market.assets, asset);
        if (a === null || typeof a !== 'object') return undefined;
      }
    }
  }
  const accounts = new Array<{ id: string }>(count);
  for (let j = 0; j < count; j++) accounts[j] = { id: '' };
  return { accounts, posStart, unitOfPos, sizeOfPos: size.subarray(0, n), units: held };
}

// [scale] Parts cut from a book already in columns (margin-account-columns.ts): no account object
// is read or built on the planning side; a part is a slice of each of the book's columns.

/** Something that plans the parts of a split job one at a time (see {@link LazyMarginShardJob}). */
export interface MarginPartPlanner {
  readonly shards: number;
  part(k: number): MarginShardPart;
}

/**
 * How a part cut from a book holds its columns: views of the book's arrays where no flag needs
 * writing (in this thread), copies it owns (to send alone: a view would carry the whole book's
 * buffer), or copies on shared memory where the host has it (a thread pool: every worker sees
 * them without a copy).
 */
export type PartColumns = 'view' | 'own' | 'shared';

/**
 * Accounts [first, first + count) of a checked {@link MarginAccountColumns} book as a shard part
 * whose codes index the book's instrument table (the job's shared `names`); `columns` says how it
 * holds them. Reads the book only.
 */
export function accountColumnsPart(book: MarginAccountColumns, first: number, count: number, columns: PartColumns): MarginShardPart {
  const ps = book.positionStart;
  const p0 = ps[first], p1 = ps[first + count];
  const n = p1 - p0;
  // Shared: one block per part (posStart, code, then size 8-aligned), as planPart lays it out.
  const ints = count + 1 + n;
  const block = columns === 'shared' ? allocateOutput(Math.ceil(ints / 2) + n) : undefined;
  const posStart = block ? new Int32Array(block.buffer, 0, count + 1) : new Int32Array(count + 1);
  for (let j = 1; j <= count; j++) posStart[j] = ps[first + j] - p0;
  const codeOut = (): Int32Array => (block ? new Int32Array(block.buffer, 4 * (count + 1), n) : new Int32Array(n));
  const cut = <T extends Int32Array | Float64Array>(a: T, b: number, e: number, into: () => T): T => {
    if (columns === 'view') return a.subarray(b, e) as T;
    const out = into();
    out.set(a.subarray(b, e));
    return out;
  };
  let code: Int32Array;
  let extra = new Float64Array(0);
  const entry = book.entryPrice, funding = book.accruedFunding;
  if (entry === undefined && funding === undefined) code = cut(book.instrument, p0, p1, codeOut);
  else {
    // Flags where a value is given (entry price not NaN, funding not 0), the values in position order.
    code = codeOut();
    const xs: number[] = [];
    for (let k = p0; k < p1; k++) {
      let c = book.instrument[k];
      if (entry !== undefined && entry[k] === entry[k]) {
        c |= ENTRY;
        xs.push(entry[k]);
      }
      if (funding !== undefined && funding[k] !== 0) {
        c |= FUNDING;
        xs.push(funding[k]);
      }
      code[k - p0] = c;
    }
    extra = Float64Array.from(xs);
  }
  const size = cut(book.size, p0, p1, () => (block ? new Float64Array(block.buffer, 8 * Math.ceil(ints / 2), n) : new Float64Array(n)));
  const part: MarginShardPart = {
    first, count, posStart, code, size, extra,
    rawIndex: new Int32Array(0), raw: [], collateralIndex: new Int32Array(0), collateral: [],
  };
  if (book.collateral !== undefined && book.collateralAssets !== undefined) {
    const A = book.collateralAssets.length;
    part.collateralAssets = [...book.collateralAssets];
    part.collateralRows = cut(book.collateral, first * A, (first + count) * A, () => (columns === 'shared' ? allocateOutput(count * A) : new Float64Array(count * A)));
  }
  return part;
}

/** Plans the parts of a {@link MarginAccountColumns} book one at a time (copies, ready to send). */
export class AccountColumnsPlanner implements MarginPartPlanner {
  private readonly book: MarginAccountColumns;
  private readonly per: number;
  private readonly n: number;
  private readonly columns: PartColumns;

  constructor(book: MarginAccountColumns, accountsPerShard: number, columns: PartColumns = 'own') {
    this.book = book;
    this.per = accountsPerShard;
    this.n = book.positionStart.length - 1;
    this.columns = columns;
  }

  get shards(): number {
    return Math.ceil(this.n / this.per);
  }

  part(k: number): MarginShardPart {
    const first = k * this.per;
    return accountColumnsPart(this.book, first, Math.min(this.per, this.n - first), this.columns);
  }
}

/**
 * The split job of a checked {@link MarginAccountColumns} book: the instrument table and `inputs`
 * shared, the parts planned when asked for (`lazy`: a distributed runner stores and drops each in
 * turn) or all now, on shared memory where the host has it (a thread pool).
 * @throws Nothing (the book was checked by checkMarginAccountColumns).
 */
export function accountColumnsJob<S>(book: MarginAccountColumns, accountsPerShard: number, inputs: S, lazy: boolean): MarginShardJob<S> | LazyMarginShardJob<S> {
  const planner = new AccountColumnsPlanner(book, accountsPerShard, lazy ? 'own' : 'shared');
  const shared = { names: book.instruments, inputs };
  if (lazy) return { shared, parts: [], planner };
  const parts: MarginShardPart[] = [];
  for (let k = 0; k < planner.shards; k++) parts.push(planner.part(k));
  return { shared, parts };
}
