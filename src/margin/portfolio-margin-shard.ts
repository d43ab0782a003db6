/**
 * The `'portfolioMargin'` shard task: shard k computes the portfolio margin of accounts
 * [k accountsPerShard, (k + 1) accountsPerShard) of a job and returns them packed in one
 * Float64Array; {@link decodePortfolioMarginShard} turns it back into results. A shard is a pure
 * function of (job, k) and every account's arithmetic is independent of the others, so results are
 * identical bit for bit to `portfolioMargin` in one thread, whatever the number of workers.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { closestKey } from '../option-keys.js';
import { requireArrayLike, requireInteger, requireRecord } from '../arguments.js';
import { isValidatedGrid, scenarioGrid, type ScenarioGrid } from './grids.js';
import { marginAccounts, marginOfBook, type AssetScan, type MarginAggregation, type PortfolioMarginResult } from './portfolio-margin.js';
import type { MarginAccount, MarginMarket } from './types.js';
import { registerShardTasks } from '../parallel/shard-tasks.js';
import { columnBook, shardAccounts, type MarginShardJob } from './margin-shard-plan.js';

/** Job of the `'portfolioMargin'` shard task (structured-cloneable: plain data). */
export interface PortfolioMarginJob {
  accounts: readonly MarginAccount[];
  market: MarginMarket;
  grid: ScenarioGrid;
  aggregation: MarginAggregation;
  /** Accounts per shard (positive integer). */
  accountsPerShard: number;
  /** Which result columns a shard packs (default `'full'`; see {@link MarginResultFields}). */
  fields?: MarginResultFields;
}

/** What every shard of a {@link PortfolioMarginSplitJob} shares besides the instrument names. */
export interface PortfolioMarginInputs {
  market: MarginMarket;
  grid: ScenarioGrid;
  aggregation: MarginAggregation;
  /** Which result columns a shard packs (absent: `'full'`; see {@link MarginResultFields}). */
  fields?: MarginResultFields;
}

/**
 * Which result columns a portfolio margin run produces and ships. `'full'`: every field of
 * PortfolioMarginResult. `'summary'`: all but the scenario P&L vector and the per-position
 * contributions (margins, scan risk, worst scenario with its P&L and asset, add-ons, status and the
 * per-asset rows), ~1/4 of the bytes per account on the Deribit grid.
 */
export type MarginResultFields = 'full' | 'summary';
/** The values of {@link MarginResultFields}. */
export const MARGIN_RESULT_FIELDS = ['full', 'summary'] as const satisfies readonly MarginResultFields[];

/**
 * `v` as a {@link MarginResultFields} (undefined: `'full'`).
 * @throws InputError at `path` for anything else, naming the closest value for a misspelled string.
 */
export function checkResultFields(v: unknown, path: string): MarginResultFields {
  if (v === undefined) return 'full';
  if (v === 'full' || v === 'summary') return v;
  throw new InputError(path, v, "'full' or 'summary'", typeof v === 'string' ? closestKey(v, MARGIN_RESULT_FIELDS) : undefined);
}

/**
 * Job of the `'portfolioMargin'` shard task split into a shared part (market, grid, aggregation,
 * instrument names: store once) and one part per shard (its accounts as columns, see
 * margin-shard-plan.ts); shard k reads `parts[k]` only.
 */
export type PortfolioMarginSplitJob = MarginShardJob<PortfolioMarginInputs>;

/**
 * Packed layout of one shard's results, column by column (so that a reader copies or views whole
 * columns instead of walking per-account records): a header [count, m (scenarios), A (per-asset rows),
 * P (positions)], then COLUMNS columns of `count` doubles (in the order of the constants below), the
 * per-asset rows as 4 columns of A (asset code, scan risk, worst index, net delta), the scenario P&L
 * row-major [count][m], and the contributions of the P positions in account order.
 */
export const SHARD_HEADER = 4;
/** Column numbers of the per-account columns (worst index first: a short array fails its check early). */
export const COL = { worst: 0, status: 1, im: 2, mm: 3, scan: 4, worstPnl: 5, worstAsset: 6, contingency: 7, futures: 8, deltaShock: 9, assets: 10 } as const;
const COLUMNS = 11;
/** Asset codes of the packed form: an index into the market's asset names, or these two. */
export const JOINT = -1;
export const NONE = -2;

function assetCode(names: readonly string[], asset: string | undefined): number {
  if (asset === undefined) return NONE;
  if (asset === '*') return JOINT;
  return names.indexOf(asset);
}

function assetName(names: readonly string[], code: number): string | undefined {
  return code === NONE ? undefined : code === JOINT ? '*' : names[code];
}

/** Rename `accounts[j]` to `accounts[j + offset]` in an error raised on a shard's slice. */
export function reindex(e: unknown, offset: number): unknown {
  if (!(e instanceof InputError) || offset === 0) return e;
  const m = /^accounts\[(\d+)\]/.exec(e.path);
  if (!m) return e;
  const path = `accounts[${Number(m[1]) + offset}]${e.path.slice(m[0].length)}`;
  const prefix = `${e.path}: expected `;
  const body = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  const cut = body.lastIndexOf(', got ');
  return new InputError(path, e.value, cut >= 0 ? body.slice(0, cut) : body);
}

/**
 * The `'portfolioMargin'` task on a {@link PortfolioMarginJob} (every account in the job, shard k =
 * accounts [k accountsPerShard, ...)). The registered task (`portfolioMarginTask` in
 * riskwasm/internals) also takes a split job.
 * @throws InputError for a malformed job or account (paths `accounts[i]...` in the caller's numbering).
 */
export function portfolioMarginShard(engine: EngineContext, job: PortfolioMarginJob, shardIndex: number): Float64Array {
  if (job === null || typeof job !== 'object' || !Array.isArray(job.accounts)) throw new InputError('job', job, 'a PortfolioMarginJob');
  const per = job.accountsPerShard;
  if (!Number.isInteger(per) || per < 1) throw new InputError('job.accountsPerShard', per, 'a positive integer');
  if (!Number.isInteger(shardIndex) || shardIndex < 0 || shardIndex * per >= Math.max(job.accounts.length, 1)) {
    throw new InputError('shardIndex', shardIndex, `an integer in [0, ${Math.ceil(job.accounts.length / per) - 1}]`);
  }
  const first = shardIndex * per;
  const grid = isValidatedGrid(job.grid) ? job.grid : scenarioGrid(job.grid, 'grid');
  const slice = job.accounts.slice(first, first + per);
  let results: PortfolioMarginResult[];
  try {
    results = marginAccounts(engine, slice, job.market, grid, job.aggregation);
  } catch (e) {
    throw reindex(e, first);
  }
  return packMarginResults(results, Object.keys(job.market.assets), grid.scenarios.length, checkResultFields(job.fields, 'job.fields'));
}

// The grid of a split job, validated once per job object (a worker keeps the job for the run).
const splitGrids = new WeakMap<object, ScenarioGrid>();

/**
 * The registered `'portfolioMargin'` task: a {@link PortfolioMarginSplitJob} (shard k = `parts[k]`,
 * what portfolioMarginParallel and distributed runners send) or a {@link PortfolioMarginJob}.
 * @throws InputError for a malformed job or account (paths `accounts[i]...` in the caller's numbering).
 */
export function portfolioMarginTask(engine: EngineContext, job: PortfolioMarginJob | PortfolioMarginSplitJob, shardIndex: number): Float64Array {
  if (job !== null && typeof job === 'object' && 'parts' in job) return splitShard(engine, job, shardIndex);
  return portfolioMarginShard(engine, job, shardIndex);
}

/** The split job's shard: its accounts as a column book (or rebuilt objects), then as {@link PortfolioMarginJob}'s. */
function splitShard(engine: EngineContext, job: PortfolioMarginSplitJob, shardIndex: number): Float64Array {
  const part = shardPart(job, shardIndex);
  const { market, aggregation } = job.shared.inputs;
  const fields = checkResultFields(job.shared.inputs.fields, 'job.shared.inputs.fields');
  let grid = splitGrids.get(job.shared);
  if (grid === undefined) splitGrids.set(job.shared, (grid = isValidatedGrid(job.shared.inputs.grid) ? job.shared.inputs.grid : scenarioGrid(job.shared.inputs.grid, 'grid')));
  let results: PortfolioMarginResult[];
  try {
    const book = columnBook(part, job.shared, engine);
    results = book ? marginOfBook(engine, book, grid, aggregation) : marginAccounts(engine, shardAccounts(part, job.shared.names), market, grid, aggregation);
  } catch (e) {
    throw reindex(e, part.first);
  }
  return packMarginResults(results, Object.keys(market.assets), grid.scenarios.length, fields);
}

/**
 * Shard `k`'s part of a split job, its shape checked (a job that did not come from planMarginShards).
 * @throws InputError naming `job`, `job.parts[k]` or `shardIndex`.
 */
export function shardPart(job: MarginShardJob<unknown>, k: number): MarginShardJob<unknown>['parts'][number] {
  if (job === null || typeof job !== 'object' || !Array.isArray(job.parts) || job.shared === null || typeof job.shared !== 'object' || !Array.isArray(job.shared.names)) {
    throw new InputError('job', job, 'a split margin job { shared: { names, inputs }, parts }');
  }
  if (!Number.isInteger(k) || k < 0 || k >= job.parts.length) throw new InputError('shardIndex', k, `an integer in [0, ${job.parts.length - 1}]`);
  const p = job.parts[k];
  if (p === null || typeof p !== 'object' || !(p.posStart instanceof Int32Array) || !(p.code instanceof Int32Array) || !(p.size instanceof Float64Array)
    || !(p.extra instanceof Float64Array) || !(p.rawIndex instanceof Int32Array) || !Array.isArray(p.raw) || !(p.collateralIndex instanceof Int32Array)
    || !Array.isArray(p.collateral) || !Number.isInteger(p.first) || !Number.isInteger(p.count) || p.posStart.length !== p.count + 1) {
    throw new InputError(`job.parts[${k}]`, p, 'a shard part of planMarginShards');
  }
  return p;
}

/**
 * Portfolio margin results packed in one Float64Array (the layout {@link SHARD_HEADER} describes).
 * `'summary'` packs neither scenario P&L nor contributions: its header says 0 scenarios and 0 positions.
 */
function packMarginResults(results: readonly PortfolioMarginResult[], names: readonly string[], gridM: number, fields: MarginResultFields = 'full'): Float64Array {
  const n = results.length;
  const full = fields === 'full';
  const m = full ? gridM : 0;
  let nA = 0, nP = 0;
  for (const r of results) {
    nA += r.perAsset.length;
    if (full) nP += r.contributions.length;
  }
  const out = new Float64Array(SHARD_HEADER + COLUMNS * n + 4 * nA + n * m + nP);
  out[0] = n;
  out[1] = m;
  out[2] = nA;
  out[3] = nP;
  const c = SHARD_HEADER;
  let a = c + COLUMNS * n;
  let s = a + 4 * nA;
  let p = s + n * m;
  for (let k = 0; k < n; k++) {
    const r = results[k];
    // Element writes, not out.set([...]): no array per account (this runs for every account).
    out[c + COL.worst * n + k] = r.worstScenario.index;
    out[c + COL.status * n + k] = r.status;
    out[c + COL.im * n + k] = r.initialMargin;
    out[c + COL.mm * n + k] = r.maintenanceMargin;
    out[c + COL.scan * n + k] = r.scanRisk;
    out[c + COL.worstPnl * n + k] = r.worstScenario.pnl;
    out[c + COL.worstAsset * n + k] = assetCode(names, r.worstScenario.asset);
    out[c + COL.contingency * n + k] = r.addOns.shortOptionContingency;
    out[c + COL.futures * n + k] = r.addOns.futuresContingency;
    out[c + COL.deltaShock * n + k] = r.addOns.deltaShock;
    out[c + COL.assets * n + k] = r.perAsset.length;
    for (const x of r.perAsset) {
      out[a] = assetCode(names, x.asset);
      out[a + nA] = x.scanRisk;
      out[a + 2 * nA] = x.worstIndex;
      out[a + 3 * nA] = x.netDelta;
      a++;
    }
    if (!full) continue;
    out.set(r.scenarioPnl, s);
    s += m;
    out.set(r.contributions, p);
    p += r.contributions.length;
  }
  return out;
}

/**
 * Shape checks shared by both shard decoders: the packed array, the job's accounts, the shard's
 * account range and the market's asset table.
 * @throws InputError naming the argument (`packed`, `accounts[3]`, `count`, `market.assets`).
 */
export function checkShardArgs(packed: unknown, accounts: unknown, first: unknown, count: unknown, market: unknown): void {
  if (!(packed instanceof Float64Array)) throw new InputError('packed', packed, 'a Float64Array (a shard task\'s result)');
  const list = requireArrayLike(accounts, 'accounts');
  requireInteger(first, 'first', 0, list.length);
  requireInteger(count, 'count', 0, list.length - (first as number));
  for (let k = 0; k < (count as number); k++) {
    const i = (first as number) + k;
    const acc = requireRecord(list[i], `accounts[${i}]`);
    requireArrayLike(acc.positions, `accounts[${i}].positions`);
  }
  requireRecord(requireRecord(market, 'market').assets, 'market.assets');
}

/** @throws InputError unless `packed` holds `need` more doubles from `o` (a shard's array cut short or mismatched with its job). */
export function packedHas(packed: Float64Array, o: number, need: number): void {
  if (!(o + need <= packed.length)) throw new InputError('packed', packed, `a shard result matching the job (${o + need} doubles or more)`);
}

/** @throws InputError unless `v` (read from `packed`) is an integer in [lo, hi]. */
export function packedInt(packed: Float64Array, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new InputError('packed', packed, `a shard result matching the job (found ${v} where an integer in [${lo}, ${hi}] belongs)`);
  return v;
}

/** Where the parts of a packed shard start (offsets into it), after {@link readMarginShard}'s checks. */
export interface MarginShardOffsets {
  count: number;
  m: number;
  /** Per-asset rows and positions in the shard. */
  assets: number;
  positions: number;
  /** Offset of the per-account columns (column c of account k at `columns + c count + k`). */
  columns: number;
  /** Offset of the per-asset columns (asset code, scan risk, worst index, net delta; each `assets` long). */
  assetRows: number;
  /** Offset of the scenario P&L, [count][m]. */
  pnl: number;
  /** Offset of the contributions, positions in account order. */
  contributions: number;
}

/**
 * Check a packed shard against its job (account and position counts, grid size, asset codes and
 * indices in range) and return its offsets.
 * @param positions the shard's position count (the accounts' positions, summed by the caller; 0 for a summary).
 * @param nAssetNames the market's asset count.
 * @param summary the job asked for `'summary'` fields: the shard must hold no scenario P&L nor contributions.
 * @throws InputError (`packed`) for an array that does not match.
 */
export function readMarginShard(packed: Float64Array, count: number, positions: number, m: number, nAssetNames: number, summary = false): MarginShardOffsets {
  packedHas(packed, 0, SHARD_HEADER + COLUMNS * count);
  const mPacked = summary ? 0 : m;
  if (summary) positions = 0;
  packedInt(packed, packed[0], count, count);
  packedInt(packed, packed[1], mPacked, mPacked);
  const nA = packedInt(packed, packed[2], 0, (nAssetNames + 1) * count);
  packedInt(packed, packed[3], positions, positions);
  const columns = SHARD_HEADER;
  const assetRows = columns + COLUMNS * count;
  const pnl = assetRows + 4 * nA;
  const contributions = pnl + count * mPacked;
  packedHas(packed, 0, contributions + positions);
  let total = 0;
  for (let k = 0; k < count; k++) {
    packedInt(packed, packed[columns + COL.worst * count + k], 0, m - 1);
    packedInt(packed, packed[columns + COL.worstAsset * count + k], NONE, nAssetNames - 1);
    total += packedInt(packed, packed[columns + COL.assets * count + k], 0, nAssetNames + 1);
  }
  packedInt(packed, total, nA, nA);
  for (let j = 0; j < nA; j++) packedInt(packed, packed[assetRows + j], JOINT, nAssetNames - 1);
  return { count, m, assets: nA, positions, columns, assetRows, pnl, contributions };
}

/**
 * Results of one shard from its packed form. `scenarioPnl` and `contributions` are views into
 * `packed` (disjoint per account; no copy per account).
 * @param accounts the job's accounts (ids and position counts), @param first the shard's first account.
 * @throws InputError for arguments of the wrong shape (`packed`, `accounts[i]`, `first`, `count`,
 * `market`, `grid`) or a packed array that does not match them (`packed`).
 */
export function decodePortfolioMarginShard(
  packed: Float64Array, accounts: readonly MarginAccount[], first: number, count: number, market: MarginMarket, grid: ScenarioGrid,
): PortfolioMarginResult[] {
  checkShardArgs(packed, accounts, first, count, market);
  if (!isValidatedGrid(grid)) grid = scenarioGrid(grid, 'grid');
  const names = Object.keys(market.assets);
  const m = grid.scenarios.length;
  let positions = 0;
  for (let k = 0; k < count; k++) positions += accounts[first + k].positions.length;
  const at = readMarginShard(packed, count, positions, m, names.length);
  const out: PortfolioMarginResult[] = new Array(count);
  const col = (c: number, k: number): number => packed[at.columns + c * count + k];
  const nA = at.assets;
  let a = at.assetRows, p = at.contributions;
  for (let k = 0; k < count; k++) {
    const acc = accounts[first + k];
    const nPos = acc.positions.length;
    const nAssets = col(COL.assets, k);
    const perAsset: AssetScan[] = new Array(nAssets);
    for (let j = 0; j < nAssets; j++, a++) {
      perAsset[j] = { asset: assetName(names, packed[a])!, scanRisk: packed[a + nA], worstIndex: packed[a + 2 * nA], netDelta: packed[a + 3 * nA] };
    }
    const worst = col(COL.worst, k);
    const ws = grid.scenarios[worst];
    const worstScenario: PortfolioMarginResult['worstScenario'] = {
      index: worst, name: ws.name, priceMove: ws.priceMove, volShock: ws.volShock, pnl: col(COL.worstPnl, k), weight: ws.weight,
    };
    const asset = assetName(names, col(COL.worstAsset, k));
    if (asset !== undefined && asset !== '*') worstScenario.asset = asset;
    out[k] = {
      id: acc.id ?? String(first + k), initialMargin: col(COL.im, k), maintenanceMargin: col(COL.mm, k), scanRisk: col(COL.scan, k), worstScenario,
      scenarioPnl: packed.subarray(at.pnl + k * m, at.pnl + (k + 1) * m), scenarios: grid.scenarios, contributions: packed.subarray(p, p + nPos),
      addOns: { shortOptionContingency: col(COL.contingency, k), futuresContingency: col(COL.futures, k), deltaShock: col(COL.deltaShock, k) }, perAsset,
      status: col(COL.status, k),
    };
    p += nPos;
  }
  return out;
}

/**
 * The worker-pool task of this module: job = PortfolioMarginJob, shard k = accounts [k accountsPerShard, ...) (see portfolioMarginParallel).
 * Registered when this module loads; the worker script registers it in each worker.
 */
export const portfolioMarginShardTasks = { portfolioMargin: portfolioMarginTask } as const;
registerShardTasks(portfolioMarginShardTasks);
