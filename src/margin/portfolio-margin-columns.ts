/**
 * Portfolio margin of a batch as columns: one typed array per field over every account, filled
 * from the packed shard results (whole columns copied, no object per account), with each
 * account's {@link PortfolioMarginResult} built only when asked for (`account(i)`).
 *
 * Why: for a book of a million accounts, building a million result objects (two Float64Arrays,
 * a worst-scenario object, add-ons, per-asset rows each) costs the caller's thread about as much
 * CPU as margining the accounts, and ~1 KB of heap per account. Where the caller wants margins,
 * not objects (a risk report, a database write, a distributed run whose submitter should not be
 * the bottleneck), the columns hold the same numbers, bit for bit, for ~0.45 KB an account of 20
 * positions under the Deribit grid and almost no per-account CPU.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { requireInteger, requireRecord } from '../arguments.js';
import { checkKeys } from '../option-keys.js';
import { runShards } from '../parallel/run-shards.js';
import type { WorkerPool } from '../parallel/pool.js';
import type { MarginScenario, ScenarioGrid } from './grids.js';
import { checkMarket, marketForWorkers } from './market.js';
import { checkAggregation, checkGrid, type AssetScan, type MarginAggregation, type PortfolioMarginResult, type WorstScenario } from './portfolio-margin.js';
import {
  COL, JOINT, NONE, checkResultFields, portfolioMarginTask, readMarginShard, type MarginResultFields, type PortfolioMarginInputs, type PortfolioMarginJob, type PortfolioMarginSplitJob,
} from './portfolio-margin-shard.js';
import { accountColumnsJob, accountColumnsPart, lazyMarginJob, splitMarginJob, type MarginShardPart } from './margin-shard-plan.js';
import { checkAccountColumns, isMarginAccountColumns, type MarginAccountColumns } from './margin-account-columns.js';
import { AbortedError } from '../parallel/errors.js';
import type { MarginAccount, MarginMarket } from './types.js';

/**
 * The columns every {@link MarginResultFields} choice produces: account i's values at index i of
 * each per-account column, its per-asset rows at `[assetStart[i] .. assetStart[i + 1])` of the
 * `asset*` columns (amounts in USD).
 */
export interface PortfolioMarginColumnsBase {
  /** Number of accounts. */
  readonly length: number;
  /** Account ids (the account's `id`, or its index as a string; built on first read, see MarginColumns). */
  readonly ids: readonly string[];
  /** The grid's scenarios (a shared reference). */
  readonly scenarios: readonly MarginScenario[];
  /** Asset names the asset codes index (the market's assets, in its key order); code -1 is the joint account `'*'`, -2 none. */
  readonly assets: readonly string[];
  /** Status per account (Status.ok, or Status.invalidInput with NaN margins). */
  readonly status: Int32Array;
  readonly initialMargin: Float64Array;
  readonly maintenanceMargin: Float64Array;
  readonly scanRisk: Float64Array;
  /** Index of the worst scenario into `scenarios`, its counted P&L, and the asset (code) whose scan set it. */
  readonly worstIndex: Int32Array;
  readonly worstPnl: Float64Array;
  readonly worstAsset: Int32Array;
  /** Add-ons (USD). */
  readonly shortOptionContingency: Float64Array;
  readonly futuresContingency: Float64Array;
  readonly deltaShock: Float64Array;
  /** Per account, its first row in the per-asset columns (length + 1 entries). */
  readonly assetStart: Int32Array;
  /** Per-asset rows: asset code, scan risk, worst scenario index, net delta. */
  readonly assetCode: Int32Array;
  readonly assetScanRisk: Float64Array;
  readonly assetWorstIndex: Int32Array;
  readonly assetNetDelta: Float64Array;
}

/**
 * Portfolio margin of `length` accounts, field by field (amounts in USD), every field (`fields:
 * 'full'`, the default). Account i's values are at index i of each per-account column; its scenario
 * P&L at `scenarioPnl[i m .. (i + 1) m)` (m = `scenarios.length`); its position contributions at
 * `contributions[positionStart[i] .. positionStart[i + 1])`; its per-asset rows at
 * `[assetStart[i] .. assetStart[i + 1])` of the `asset*` columns. Same numbers as
 * {@link PortfolioMarginResult}'s fields, bit for bit.
 */
export interface PortfolioMarginColumns extends PortfolioMarginColumnsBase {
  /** The fields produced: every one. */
  readonly fields: 'full';
  /** Counted P&L per scenario, row-major [length][scenarios.length]. */
  readonly scenarioPnl: Float64Array;
  /** Per account, its first position in `contributions` (length + 1 entries). */
  readonly positionStart: Int32Array;
  /** Each position's share of the scan loss, positions in account order. */
  readonly contributions: Float64Array;
  /**
   * Account `i`'s result as {@link portfolioMargin} returns it, built on this call (`scenarioPnl` and
   * `contributions` are views into the columns).
   * @throws InputError unless `i` is an integer in [0, length).
   */
  account(i: number): PortfolioMarginResult;
}

/** One account of {@link PortfolioMarginSummaryColumns}: a {@link PortfolioMarginResult} without `scenarioPnl` and `contributions`. */
export type PortfolioMarginSummary = Omit<PortfolioMarginResult, 'scenarioPnl' | 'contributions'> & { readonly scenarioPnl?: undefined; readonly contributions?: undefined };

/**
 * Portfolio margin of `length` accounts with `fields: 'summary'`: the columns of
 * {@link PortfolioMarginColumnsBase} (margins, scan risk, worst scenario index, P&L and asset,
 * add-ons, status, per-asset rows), bit for bit those of the full result. The scenario P&L and the
 * position contributions were neither packed nor sent: `scenarioPnl`, `positionStart` and
 * `contributions` are undefined (run with `fields: 'full'` for them).
 */
export interface PortfolioMarginSummaryColumns extends PortfolioMarginColumnsBase {
  /** The fields produced: the summary. */
  readonly fields: 'summary';
  /** Not produced with `fields: 'summary'`. */
  readonly scenarioPnl?: undefined;
  /** Not produced with `fields: 'summary'`. */
  readonly positionStart?: undefined;
  /** Not produced with `fields: 'summary'`. */
  readonly contributions?: undefined;
  /**
   * Account `i`'s result as {@link portfolioMargin} returns it, built on this call, without
   * `scenarioPnl` and `contributions` (absent: not produced with `fields: 'summary'`).
   * @throws InputError unless `i` is an integer in [0, length).
   */
  account(i: number): PortfolioMarginSummary;
}

export type { MarginResultFields } from './portfolio-margin-shard.js';

const assetNameOf = (names: readonly string[], code: number): string | undefined => (code === NONE ? undefined : code === JOINT ? '*' : names[code]);

class MarginColumns {
  readonly fields: MarginResultFields;
  readonly length: number;
  /** The ids when known up front; else built on first read as the indices (see `ids`). */
  idList: string[] | undefined;
  readonly scenarios: readonly MarginScenario[];
  readonly assets: readonly string[];
  readonly status: Int32Array;
  readonly initialMargin: Float64Array;
  readonly maintenanceMargin: Float64Array;
  readonly scanRisk: Float64Array;
  readonly worstIndex: Int32Array;
  readonly worstPnl: Float64Array;
  readonly worstAsset: Int32Array;
  readonly shortOptionContingency: Float64Array;
  readonly futuresContingency: Float64Array;
  readonly deltaShock: Float64Array;
  // Undefined with fields 'summary' (see PortfolioMarginSummaryColumns).
  readonly scenarioPnl: Float64Array | undefined;
  readonly positionStart: Int32Array | undefined;
  readonly contributions: Float64Array | undefined;
  readonly assetStart: Int32Array;
  assetCode: Int32Array;
  assetScanRisk: Float64Array;
  assetWorstIndex: Int32Array;
  assetNetDelta: Float64Array;

  constructor(n: number, positionStart: Int32Array | undefined, scenarios: readonly MarginScenario[], assets: readonly string[]) {
    const m = scenarios.length;
    this.fields = positionStart === undefined ? 'summary' : 'full';
    this.length = n;
    this.scenarios = scenarios;
    this.assets = assets;
    this.status = new Int32Array(n);
    this.initialMargin = new Float64Array(n);
    this.maintenanceMargin = new Float64Array(n);
    this.scanRisk = new Float64Array(n);
    this.worstIndex = new Int32Array(n);
    this.worstPnl = new Float64Array(n);
    this.worstAsset = new Int32Array(n);
    this.shortOptionContingency = new Float64Array(n);
    this.futuresContingency = new Float64Array(n);
    this.deltaShock = new Float64Array(n);
    this.scenarioPnl = positionStart === undefined ? undefined : new Float64Array(n * m);
    this.positionStart = positionStart;
    this.contributions = positionStart === undefined ? undefined : new Float64Array(positionStart[n]);
    this.assetStart = new Int32Array(n + 1);
    // Per-asset rows: at most one per asset an account holds; usually 1-2. Sized per shard as they come.
    this.assetCode = new Int32Array(0);
    this.assetScanRisk = new Float64Array(0);
    this.assetWorstIndex = new Int32Array(0);
    this.assetNetDelta = new Float64Array(0);
  }

  /**
   * A book without ids gets its indices as strings, built on first read: a million id strings are
   * a million heap objects that every full collection walks, and most callers of the columns read
   * margins by index.
   */
  get ids(): readonly string[] {
    if (this.idList === undefined) {
      // Pushed (an array preallocated for a large batch would be a slow dictionary).
      const list: string[] = [];
      for (let i = 0; i < this.length; i++) list.push(String(i));
      this.idList = list;
    }
    return this.idList;
  }

  account(i: number): PortfolioMarginResult | PortfolioMarginSummary {
    requireInteger(i, 'i', 0, this.length - 1);
    const m = this.scenarios.length;
    const perAsset: AssetScan[] = [];
    for (let j = this.assetStart[i]; j < this.assetStart[i + 1]; j++) {
      perAsset.push({ asset: assetNameOf(this.assets, this.assetCode[j])!, scanRisk: this.assetScanRisk[j], worstIndex: this.assetWorstIndex[j], netDelta: this.assetNetDelta[j] });
    }
    const w = this.worstIndex[i];
    const ws = this.scenarios[w];
    const worstScenario: WorstScenario = { index: w, name: ws.name, priceMove: ws.priceMove, volShock: ws.volShock, pnl: this.worstPnl[i], weight: ws.weight };
    const asset = assetNameOf(this.assets, this.worstAsset[i]);
    if (asset !== undefined && asset !== '*') worstScenario.asset = asset;
    const id = this.idList === undefined ? String(i) : this.idList[i];
    const addOns = { shortOptionContingency: this.shortOptionContingency[i], futuresContingency: this.futuresContingency[i], deltaShock: this.deltaShock[i] };
    if (this.scenarioPnl === undefined || this.contributions === undefined || this.positionStart === undefined) {
      return { id, initialMargin: this.initialMargin[i], maintenanceMargin: this.maintenanceMargin[i], scanRisk: this.scanRisk[i], worstScenario, scenarios: this.scenarios, addOns, perAsset, status: this.status[i] };
    }
    return {
      id, initialMargin: this.initialMargin[i], maintenanceMargin: this.maintenanceMargin[i], scanRisk: this.scanRisk[i], worstScenario,
      scenarioPnl: this.scenarioPnl.subarray(i * m, (i + 1) * m), scenarios: this.scenarios,
      contributions: this.contributions.subarray(this.positionStart[i], this.positionStart[i + 1]),
      addOns, perAsset, status: this.status[i],
    };
  }

  /** Make room for `extra` more per-asset rows after the first `used` (doubling: amortised O(1) per row). */
  reserveAssetRows(used: number, extra: number): void {
    if (used + extra <= this.assetCode.length) return;
    const cap = Math.max(used + extra, 2 * this.assetCode.length, 1024);
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, used));
      return b;
    };
    this.assetCode = grow(this.assetCode, (k) => new Int32Array(k));
    this.assetScanRisk = grow(this.assetScanRisk, (k) => new Float64Array(k));
    this.assetWorstIndex = grow(this.assetWorstIndex, (k) => new Int32Array(k));
    this.assetNetDelta = grow(this.assetNetDelta, (k) => new Float64Array(k));
  }

  /** Trim the per-asset columns to their rows (views: no copy). */
  seal(): this {
    const rows = this.assetStart[this.length];
    this.assetCode = this.assetCode.subarray(0, rows);
    this.assetScanRisk = this.assetScanRisk.subarray(0, rows);
    this.assetWorstIndex = this.assetWorstIndex.subarray(0, rows);
    this.assetNetDelta = this.assetNetDelta.subarray(0, rows);
    return this;
  }
}

/** The market's asset names in its key order: the per-asset rows' asset codes. @throws InputError for a market without assets. */
function assetNames(market: MarginMarket): string[] {
  return Object.keys(requireRecord(requireRecord(market, 'market').assets, 'market.assets'));
}

/**
 * Fills {@link PortfolioMarginColumns} from packed shard results, in any order. Every shard's packed
 * array is checked against the job (counts, indices and codes in range) before it is copied.
 * @internal used by the in-thread, thread-pool and distributed column paths.
 */
export class MarginColumnsBuilder<F extends MarginResultFields = 'full'> {
  private readonly cols: MarginColumns;
  /** The ids (a copy of the caller's, or read from the accounts when finished); undefined: the indices, built when read. */
  private readonly idOf: ((i: number) => string) | undefined;
  private readonly per: number;
  /** Per-asset rows of each shard (copied into place when every shard is in, as shards finish in any order). */
  private readonly shardRows: (Float64Array | null)[];
  private readonly shardAssets: (Int32Array | null)[];
  private remaining: number;

  /**
   * @param accounts the whole batch (ids and position counts; read, never modified): accounts, or a
   * book in columns already checked by checkMarginAccountColumns.
   * @param accountsPerShard shard k holds accounts [k per, (k + 1) per).
   */
  constructor(accounts: readonly MarginAccount[] | MarginAccountColumns, accountsPerShard: number, grid: ScenarioGrid, market: MarginMarket, fields: F = 'full' as F) {
    const summary = fields === 'summary';
    if (isMarginAccountColumns(accounts)) {
      const book = accounts;
      const n = book.positionStart.length - 1;
      this.cols = new MarginColumns(n, summary ? undefined : book.positionStart.slice(), grid.scenarios, assetNames(market));
      // A copy of the caller's array (its strings shared): a later change to the book does not reach the result.
      const ids = book.ids === undefined ? undefined : book.ids.slice();
      this.idOf = ids === undefined ? undefined : (i) => ids[i];
    } else {
      this.cols = MarginColumnsBuilder.objectColumns(accounts, grid, market, summary);
      this.idOf = (i) => (accounts as readonly MarginAccount[])[i].id ?? String(i);
    }
    this.per = accountsPerShard;
    const shards = Math.ceil(this.cols.length / accountsPerShard);
    this.shardRows = new Array<Float64Array | null>(shards).fill(null);
    this.shardAssets = new Array<Int32Array | null>(shards).fill(null);
    this.remaining = shards;
  }

  /** The columns of an array of accounts (position counts read from the objects). */
  private static objectColumns(accounts: readonly MarginAccount[], grid: ScenarioGrid, market: MarginMarket, summary: boolean): MarginColumns {
    const n = accounts.length;
    if (summary) return new MarginColumns(n, undefined, grid.scenarios, assetNames(market));
    const positionStart = new Int32Array(n + 1);
    // Position counts read without judging: a malformed account fails its shard (with one thread's
    // error) before its result could be added; a count that does not match fails add()'s check.
    for (let i = 0; i < n; i++) {
      let np = 0;
      try {
        const acc = accounts[i];
        if (acc !== null && typeof acc === 'object' && Array.isArray(acc.positions)) np = acc.positions.length;
      } catch {
        // np = 0
      }
      positionStart[i + 1] = positionStart[i] + np;
    }
    return new MarginColumns(n, positionStart, grid.scenarios, assetNames(market));
  }

  /**
   * Copy shard `k`'s packed result into the columns.
   * @throws InputError (`packed`) when it does not match the job (a shard of another job, cut short).
   */
  add(k: number, packed: Float64Array): void {
    const c = this.cols;
    const first = k * this.per;
    const count = Math.min(this.per, c.length - first);
    if (!(count > 0) || this.shardRows[k] !== null) throw new InputError('shardIndex', k, `an integer in [0, ${this.shardRows.length - 1}] not added before`);
    const ps = c.positionStart;
    const p0 = ps === undefined ? 0 : ps[first], p1 = ps === undefined ? 0 : ps[first + count];
    const m = c.scenarios.length;
    const at = readMarginShard(packed, count, p1 - p0, m, c.assets.length, ps === undefined);
    const col = (name: keyof typeof COL): Float64Array => packed.subarray(at.columns + COL[name] * count, at.columns + (COL[name] + 1) * count);
    // Whole columns: typed-array set() converts doubles to Int32 where the column is an index or code.
    c.status.set(col('status'), first);
    c.initialMargin.set(col('im'), first);
    c.maintenanceMargin.set(col('mm'), first);
    c.scanRisk.set(col('scan'), first);
    c.worstIndex.set(col('worst'), first);
    c.worstPnl.set(col('worstPnl'), first);
    c.worstAsset.set(col('worstAsset'), first);
    c.shortOptionContingency.set(col('contingency'), first);
    c.futuresContingency.set(col('futures'), first);
    c.deltaShock.set(col('deltaShock'), first);
    if (c.scenarioPnl !== undefined && c.contributions !== undefined) {
      c.scenarioPnl.set(packed.subarray(at.pnl, at.pnl + count * m), first * m);
      c.contributions.set(packed.subarray(at.contributions, at.contributions + (p1 - p0)), p0);
    }
    const counts = new Int32Array(count);
    counts.set(col('assets'));
    this.shardAssets[k] = counts;
    this.shardRows[k] = packed.subarray(at.assetRows, at.assetRows + 4 * at.assets);
    this.remaining--;
  }

  /**
   * The columns, once every shard is in (per-asset rows laid out in account order).
   * @throws InputError (`shards`) when some shard is missing.
   */
  finish(): F extends 'summary' ? PortfolioMarginSummaryColumns : PortfolioMarginColumns {
    if (this.remaining !== 0) throw new InputError('shards', this.remaining, '0 missing shards');
    const c = this.cols;
    const idOf = this.idOf;
    if (idOf !== undefined) {
      // Pushed (an array preallocated for a large batch would be a slow dictionary).
      const list: string[] = [];
      for (let i = 0; i < c.length; i++) list.push(idOf(i));
      c.idList = list;
    }
    let rows = 0;
    for (let k = 0; k < this.shardRows.length; k++) {
      const counts = this.shardAssets[k]!, packedRows = this.shardRows[k]!;
      const first = k * this.per, nA = packedRows.length / 4;
      c.reserveAssetRows(rows, nA);
      for (let j = 0; j < counts.length; j++) c.assetStart[first + j + 1] = c.assetStart[first + j] + counts[j];
      c.assetCode.set(packedRows.subarray(0, nA), rows);
      c.assetScanRisk.set(packedRows.subarray(nA, 2 * nA), rows);
      c.assetWorstIndex.set(packedRows.subarray(2 * nA, 3 * nA), rows);
      c.assetNetDelta.set(packedRows.subarray(3 * nA, 4 * nA), rows);
      rows += nA;
      this.shardRows[k] = null;
    }
    return c.seal() as unknown as F extends 'summary' ? PortfolioMarginSummaryColumns : PortfolioMarginColumns;
  }
}

/** Options of {@link Engine.portfolioMarginColumns}. */
export interface PortfolioMarginColumnsOptions {
  aggregation?: MarginAggregation;
  /** Accounts margined per step (an integer >= 1, default 8192): bounds the transient result objects, not the numbers. */
  accountsPerShard?: number;
  /**
   * Which result columns to produce and ship: `'full'` (default, {@link PortfolioMarginColumns})
   * or `'summary'` ({@link PortfolioMarginSummaryColumns}: no scenario P&L, no contributions).
   */
  fields?: MarginResultFields;
}

const COLUMN_OPTION_KEYS = ['aggregation', 'accountsPerShard', 'fields'] as const satisfies readonly (keyof PortfolioMarginColumnsOptions)[];

/** Options of the pool form (thread pool or a distributed pool). @internal */
export interface PortfolioMarginColumnsPoolOptions extends PortfolioMarginColumnsOptions {
  pool?: WorkerPool;
  workers?: number | 'auto';
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /**
   * Plan each shard's columns when the pool asks for it (a distributed pool, which stores and drops
   * each part in turn) instead of all up front (a thread pool, which clones the whole job).
   */
  lazyParts?: boolean;
}

const DEFAULT_ACCOUNTS_PER_SHARD = 8192;

/** A split job's shared inputs; `fields` only when not the default (a full job's inputs as before). */
function marginInputs(market: MarginMarket, grid: ScenarioGrid, aggregation: MarginAggregation, fields: MarginResultFields): PortfolioMarginInputs {
  return fields === 'full' ? { market, grid, aggregation } : { market, grid, aggregation, fields };
}

function checkColumnArgs(ctx: EngineContext, accounts: unknown, market: MarginMarket, grid: ScenarioGrid, options: PortfolioMarginColumnsOptions | undefined, keys: readonly string[]) {
  // portfolioMargin's order: the grid, then the options, then accounts and market.
  const g = checkGrid(grid);
  if (options !== undefined && (options === null || typeof options !== 'object')) throw new InputError('options', options, 'an object');
  if (options !== undefined) checkKeys(options, keys, 'options');
  const aggregation = checkAggregation(options?.aggregation);
  const per = options?.accountsPerShard ?? DEFAULT_ACCOUNTS_PER_SHARD;
  if (!Number.isInteger(per) || per < 1) throw new InputError('options.accountsPerShard', per, 'a positive integer');
  const fields = checkResultFields(options?.fields, 'options.fields');
  if (isMarginAccountColumns(accounts)) {
    checkMarket(market);
    const { length } = checkAccountColumns(accounts, market, ctx, 'accounts'); // [surface] ctx binds a JSON surface
    return { g, aggregation, per, fields, list: accounts, length };
  }
  if (!Array.isArray(accounts)) throw new InputError('accounts', accounts, 'an array of accounts or a MarginAccountColumns');
  checkMarket(market);
  return { g, aggregation, per, fields, list: accounts as readonly MarginAccount[], length: accounts.length };
}

/**
 * {@link portfolioMargin} of a batch as {@link PortfolioMarginColumns}, in this thread: the same
 * numbers bit for bit, without an object per account (see the module comment).
 * @param accounts an array of accounts, or a book already in columns ({@link MarginAccountColumns}:
 * no object per account or position is read or built); @param market, grid, as portfolioMargin's.
 * @throws InputError for a malformed grid, option or market, an `accounts` that is neither an array
 * nor a book, a malformed account (path `accounts[i]...`, the first bad account as portfolioMargin
 * reports it) or book (path `accounts.size[k]` and the like, see checkMarginAccountColumns), a
 * `fields` other than `'full'` or `'summary'` (`options.fields`, naming the closest).
 */
export function portfolioMarginColumns(
  ctx: EngineContext, accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginColumnsOptions & { fields?: 'full' },
): PortfolioMarginColumns;
export function portfolioMarginColumns(
  ctx: EngineContext, accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options: PortfolioMarginColumnsOptions & { fields: 'summary' },
): PortfolioMarginSummaryColumns;
export function portfolioMarginColumns(
  ctx: EngineContext, accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginColumnsOptions,
): PortfolioMarginColumns | PortfolioMarginSummaryColumns;
export function portfolioMarginColumns(
  ctx: EngineContext, accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginColumnsOptions,
): PortfolioMarginColumns | PortfolioMarginSummaryColumns {
  const { g, aggregation, per, fields, list, length } = checkColumnArgs(ctx, accounts, market, grid, options, COLUMN_OPTION_KEYS);
  if (isMarginAccountColumns(list)) return bookColumns(ctx, list, length, market, g, aggregation, per, fields);
  const job: PortfolioMarginJob = { accounts: list, market, grid: g, aggregation, accountsPerShard: per };
  if (fields !== 'full') job.fields = fields;
  const shards = Math.ceil(list.length / per);
  // Shard by shard through the registered task (what a worker runs): one shard's objects at a time.
  let builder: MarginColumnsBuilder | undefined;
  for (let k = 0; k < shards; k++) {
    const packed = portfolioMarginTask(ctx, job, k);
    builder ??= new MarginColumnsBuilder(list, per, g, market, fields);
    builder.add(k, packed);
  }
  return (builder ?? new MarginColumnsBuilder(list, per, g, market, fields)).finish();
}

/**
 * A checked book, shard by shard through the registered task on the split job's shape (what a worker
 * runs), each part a view of the book's columns: no account object anywhere.
 */
function bookColumns(
  ctx: EngineContext, book: MarginAccountColumns, n: number, market: MarginMarket, g: ScenarioGrid, aggregation: MarginAggregation, per: number, fields: MarginResultFields,
): PortfolioMarginColumns | PortfolioMarginSummaryColumns {
  const builder = new MarginColumnsBuilder(book, per, g, market, fields);
  const shards = Math.ceil(n / per);
  // One shared object for every shard: the task's per-job caches (resolved table, grid) hit from shard 1 on.
  const shared = { names: book.instruments, inputs: marginInputs(market, g, aggregation, fields) };
  const parts = new Array<MarginShardPart>(shards);
  for (let k = 0; k < shards; k++) {
    parts[k] = accountColumnsPart(book, k * per, Math.min(per, n - k * per), 'view');
    builder.add(k, portfolioMarginTask(ctx, { shared, parts }, k));
    delete parts[k];
  }
  return builder.finish();
}

/**
 * {@link portfolioMarginColumns} on a worker pool (the thread pool, or runDistributed's Redis pool):
 * the split job of portfolioMarginParallel, each shard copied into the columns as it arrives.
 * @throws (rejects) as portfolioMarginColumns; AbortedError; the pool's errors.
 * @internal
 */
export async function portfolioMarginColumnsParallel(
  ctx: EngineContext, accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginColumnsPoolOptions & { fields?: 'full' },
): Promise<PortfolioMarginColumns>;
export async function portfolioMarginColumnsParallel(
  ctx: EngineContext, accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options: PortfolioMarginColumnsPoolOptions & { fields: 'summary' },
): Promise<PortfolioMarginSummaryColumns>;
export async function portfolioMarginColumnsParallel(
  ctx: EngineContext, accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options?: PortfolioMarginColumnsPoolOptions,
): Promise<PortfolioMarginColumns | PortfolioMarginSummaryColumns>;
export async function portfolioMarginColumnsParallel(
  ctx: EngineContext, accounts: readonly MarginAccount[] | MarginAccountColumns, market: MarginMarket, grid: ScenarioGrid, options: PortfolioMarginColumnsPoolOptions = {},
): Promise<PortfolioMarginColumns | PortfolioMarginSummaryColumns> {
  const { g, aggregation, per, fields, list, length } = checkColumnArgs(ctx, accounts, market, grid, options, [...COLUMN_OPTION_KEYS, 'pool', 'workers', 'signal', 'onProgress', 'lazyParts']);
  const workers = options.workers ?? 1;
  const shards = Math.ceil(length / per);
  // One shard (or one worker, no pool): this thread, as runShards would run it.
  if ((workers === 1 && options.pool === undefined) || shards <= 1) {
    if (options.signal?.aborted) throw new AbortedError(options.signal.reason, 0);
    const cols = portfolioMarginColumns(ctx, list, market, g, { aggregation, accountsPerShard: per, fields });
    if (shards > 0) options.onProgress?.(1);
    return cols;
  }
  const builder = new MarginColumnsBuilder(list, per, g, market, fields);
  const inputs = marginInputs(marketForWorkers(market), g, aggregation, fields);
  let job: PortfolioMarginSplitJob;
  if (isMarginAccountColumns(list)) job = accountColumnsJob(list, per, inputs, options.lazyParts === true);
  else job = options.lazyParts ? lazyMarginJob(list, per, inputs) : splitMarginJob(list, per, inputs);
  await runShards(ctx, {
    task: 'portfolioMargin', job, shards, workers, signal: options.signal, onProgress: options.onProgress, pool: options.pool,
    onShard: (k, p) => builder.add(k, p),
  });
  return builder.finish();
}
