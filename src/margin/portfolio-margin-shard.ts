/**
 * The `'portfolioMargin'` shard task: shard k computes the portfolio margin of accounts
 * [k accountsPerShard, (k + 1) accountsPerShard) of a job and returns them packed in one
 * Float64Array; {@link decodePortfolioMarginShard} turns it back into results. A shard is a pure
 * function of (job, k) and every account's arithmetic is independent of the others, so results are
 * identical bit for bit to `portfolioMargin` in one thread, whatever the number of workers.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
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
}

/** What every shard of a {@link PortfolioMarginSplitJob} shares besides the instrument names. */
export interface PortfolioMarginInputs {
  market: MarginMarket;
  grid: ScenarioGrid;
  aggregation: MarginAggregation;
}

/**
 * Job of the `'portfolioMargin'` shard task split into a shared part (market, grid, aggregation,
 * instrument names: store once) and one part per shard (its accounts as columns, see
 * margin-shard-plan.ts); shard k reads `parts[k]` only.
 */
export type PortfolioMarginSplitJob = MarginShardJob<PortfolioMarginInputs>;

/** Header doubles per account: status, IM, MM, scan, worst index, worst P&L, worst asset, contingency, delta shock, asset count, futures contingency. */
const HEADER = 11;
const PER_ASSET = 4;
const JOINT = -1;
const NONE = -2;

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
  return packMarginResults(results, Object.keys(job.market.assets), grid.scenarios.length);
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
  let grid = splitGrids.get(job.shared);
  if (grid === undefined) splitGrids.set(job.shared, (grid = isValidatedGrid(job.shared.inputs.grid) ? job.shared.inputs.grid : scenarioGrid(job.shared.inputs.grid, 'grid')));
  let results: PortfolioMarginResult[];
  try {
    const book = columnBook(part, job.shared);
    results = book ? marginOfBook(engine, book, grid, aggregation) : marginAccounts(engine, shardAccounts(part, job.shared.names), market, grid, aggregation);
  } catch (e) {
    throw reindex(e, part.first);
  }
  return packMarginResults(results, Object.keys(market.assets), grid.scenarios.length);
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

/** Portfolio margin results packed in one Float64Array (the layout decodePortfolioMarginShard reads). */
function packMarginResults(results: readonly PortfolioMarginResult[], names: readonly string[], m: number): Float64Array {
  let len = 0;
  for (const r of results) len += HEADER + PER_ASSET * r.perAsset.length + m + r.contributions.length;
  const out = new Float64Array(len);
  let o = 0;
  for (const r of results) {
    // Element writes, not out.set([...]): no array per account (this runs for every account).
    out[o] = r.status;
    out[o + 1] = r.initialMargin;
    out[o + 2] = r.maintenanceMargin;
    out[o + 3] = r.scanRisk;
    out[o + 4] = r.worstScenario.index;
    out[o + 5] = r.worstScenario.pnl;
    out[o + 6] = assetCode(names, r.worstScenario.asset);
    out[o + 7] = r.addOns.shortOptionContingency;
    out[o + 8] = r.addOns.deltaShock;
    out[o + 9] = r.perAsset.length;
    out[o + 10] = r.addOns.futuresContingency;
    o += HEADER;
    for (const a of r.perAsset) {
      out[o] = assetCode(names, a.asset);
      out[o + 1] = a.scanRisk;
      out[o + 2] = a.worstIndex;
      out[o + 3] = a.netDelta;
      o += PER_ASSET;
    }
    out.set(r.scenarioPnl, o);
    o += m;
    out.set(r.contributions, o);
    o += r.contributions.length;
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

/**
 * Results of one shard from its packed form.
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
  const out: PortfolioMarginResult[] = [];
  let o = 0;
  for (let k = 0; k < count; k++) {
    const acc = accounts[first + k];
    const nPos = acc.positions.length;
    packedHas(packed, o, HEADER);
    // Read in place (no view per account: this runs for every account, on the caller's thread).
    const h = o;
    o += HEADER;
    const worst = packedInt(packed, packed[h + 4], 0, m - 1);
    const worstAsset = packedInt(packed, packed[h + 6], NONE, names.length - 1);
    const nAssets = packedInt(packed, packed[h + 9], 0, names.length + 1);
    packedHas(packed, o, PER_ASSET * nAssets + m + nPos);
    const perAsset: AssetScan[] = new Array(nAssets);
    for (let j = 0; j < nAssets; j++) {
      packedInt(packed, packed[o], JOINT, names.length - 1);
      perAsset[j] = { asset: assetName(names, packed[o])!, scanRisk: packed[o + 1], worstIndex: packed[o + 2], netDelta: packed[o + 3] };
      o += PER_ASSET;
    }
    const scenarioPnl = packed.slice(o, o + m);
    o += m;
    const contributions = packed.slice(o, o + nPos);
    o += nPos;
    const ws = grid.scenarios[worst];
    const worstScenario: PortfolioMarginResult['worstScenario'] = {
      index: worst, name: ws.name, priceMove: ws.priceMove, volShock: ws.volShock, pnl: packed[h + 5], weight: ws.weight,
    };
    const asset = assetName(names, worstAsset);
    if (asset !== undefined && asset !== '*') worstScenario.asset = asset;
    out.push({
      id: acc.id ?? String(first + k), initialMargin: packed[h + 1], maintenanceMargin: packed[h + 2], scanRisk: packed[h + 3], worstScenario, scenarioPnl,
      scenarios: grid.scenarios, contributions,
      addOns: { shortOptionContingency: packed[h + 7], futuresContingency: packed[h + 10], deltaShock: packed[h + 8] }, perAsset,
      status: packed[h],
    });
  }
  return out;
}

/**
 * The worker-pool task of this module: job = PortfolioMarginJob, shard k = accounts [k accountsPerShard, ...) (see portfolioMarginParallel).
 * Registered when this module loads; the worker script registers it in each worker.
 */
export const portfolioMarginShardTasks = { portfolioMargin: portfolioMarginTask } as const;
registerShardTasks(portfolioMarginShardTasks);
