/**
 * The `'portfolioLiquidation'` shard task: shard k computes the portfolio-margin liquidation prices
 * of accounts [k accountsPerShard, (k + 1) accountsPerShard) of a job and returns them packed in one
 * Float64Array; {@link decodePortfolioLiquidationShard} turns it back into the results
 * `portfolioLiquidationPrice` returns in one thread. Every side's search depends only on its own
 * account (one round evaluates all open sides, but each side's trial levels and margin numbers are
 * its account's alone), so the results are identical bit for bit whatever the shard size or the
 * number of workers.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import * as L from '../kernels/margin/layout.js';
import type { ScenarioGrid } from './grids.js';
import {
  liquidationLevel, liquidationSearch, liquidationSide, nearestLevel,
  type LiquidationLevel, type LiquidationPriceResult, type LiquidationSide, type LiquidationStatus,
} from './liquidation-price.js';
import { portfolioLiquidationPrice } from './portfolio-liquidation-price.js';
import { checkShardArgs, packedHas, packedInt, reindex, shardPart } from './portfolio-margin-shard.js';
import { shardAccounts, type MarginShardJob } from './margin-shard-plan.js';
import type { MarginAggregation } from './portfolio-margin.js';
import type { MarginStatus } from './standard-margin.js';
import type { MarginAccount, MarginMarket } from './types.js';
import { registerShardTasks } from '../parallel/shard-tasks.js';

/** Search options carried by a job: the structured-cloneable part of PortfolioLiquidationPriceOptions. */
export interface PortfolioLiquidationJobOptions {
  /** Collateral haircuts by asset (fractions in [0, 1]; `'*'` for every other asset). */
  haircuts?: Readonly<Record<string, number>>;
  /** Lowest level searched, as a fraction of the index. */
  lowerFactor?: number;
  /** Highest level searched, as a multiple of the index. */
  upperFactor?: number;
  /** Cap on the refinement iterations per direction. */
  maxIterations?: number;
  /** How assets aggregate in the risk matrix. */
  aggregation?: MarginAggregation;
}

/** Job of the `'portfolioLiquidation'` shard task (structured-cloneable: plain data). */
export interface PortfolioLiquidationJob {
  accounts: readonly MarginAccount[];
  market: MarginMarket;
  grid: ScenarioGrid;
  options: PortfolioLiquidationJobOptions;
  /** Accounts per shard (positive integer). */
  accountsPerShard: number;
}

/** What every shard of a {@link PortfolioLiquidationSplitJob} shares besides the instrument names. */
export interface PortfolioLiquidationInputs {
  market: MarginMarket;
  grid: ScenarioGrid;
  options: PortfolioLiquidationJobOptions;
}

/**
 * Job of the `'portfolioLiquidation'` shard task split into a shared part (market, grid, search
 * options, instrument names: store once) and one part per shard (its accounts as columns, see
 * margin-shard-plan.ts); shard k reads `parts[k]` only.
 */
export type PortfolioLiquidationSplitJob = MarginShardJob<PortfolioLiquidationInputs>;

/** Doubles per account header: equity, MM, margin status code, asset count. */
const HEADER = 4;
/** Doubles per side: price, equity, MM, iterations, evaluations, status code. */
const SIDE = 6;
/** Doubles per asset: asset code (position in Object.keys(market.assets)), index, two sides. */
const PER_ASSET = 2 + 2 * SIDE;

const MARGIN_STATUS: readonly MarginStatus[] = ['healthy', 'marginCall', 'liquidation', 'invalid'];

// The inverse of liquidation-price.ts's status names: a side travels as the kernel code that
// liquidationSide turns back into the same name and reason.
const SIDE_CODE: Record<LiquidationStatus, number> = {
  found: L.LIQ_FOUND, none: L.LIQ_NONE, belowMaintenance: L.LIQ_ALREADY, notConverged: L.LIQ_NOT_CONVERGED, invalid: L.LIQ_INVALID,
};

function packSide(out: Float64Array, o: number, s: LiquidationSide): void {
  out[o] = s.price;
  out[o + 1] = s.equity;
  out[o + 2] = s.maintenanceMargin;
  out[o + 3] = s.iterations;
  out[o + 4] = s.evaluations;
  out[o + 5] = SIDE_CODE[s.status];
}

/**
 * The registered `'portfolioLiquidation'` task: a {@link PortfolioLiquidationSplitJob} (shard k =
 * `parts[k]`, what portfolioLiquidationPriceParallel and distributed runners send) or a
 * {@link PortfolioLiquidationJob} (as {@link portfolioLiquidationShard}).
 * @throws InputError for a malformed job, account, market, grid or option (account paths
 * `accounts[i]...` in the caller's numbering).
 */
export function portfolioLiquidationTask(engine: EngineContext, job: PortfolioLiquidationJob | PortfolioLiquidationSplitJob, shardIndex: number): Float64Array {
  if (job === null || typeof job !== 'object' || !('parts' in job)) return portfolioLiquidationShard(engine, job, shardIndex);
  const part = shardPart(job, shardIndex);
  const { market, grid, options } = job.shared.inputs;
  let results: LiquidationPriceResult[];
  try {
    // An account costs ~5-10 ms of searching here: rebuilding its objects is noise.
    results = portfolioLiquidationPrice(engine, shardAccounts(part, job.shared.names), market, grid, options);
  } catch (e) {
    throw reindex(e, part.first);
  }
  return packLiquidation(results, Object.keys(market.assets));
}

/**
 * The `'portfolioLiquidation'` task on a {@link PortfolioLiquidationJob} (shard k = accounts
 * [k accountsPerShard, ...)): `portfolioLiquidationPrice` on the shard's accounts, packed per account
 * as [equity, MM, status, nAssets] then per asset [asset code, index, below side, above side], a side
 * being [price, equity, MM, iterations, evaluations, status code] (USD for prices, equity and margins).
 * @throws InputError for a malformed job, account, market, grid or option (account paths
 * `accounts[i]...` in the caller's numbering).
 */
export function portfolioLiquidationShard(engine: EngineContext, job: PortfolioLiquidationJob, shardIndex: number): Float64Array {
  let results: LiquidationPriceResult[];
  if (job === null || typeof job !== 'object' || !Array.isArray(job.accounts)) throw new InputError('job', job, 'a PortfolioLiquidationJob');
  const per = job.accountsPerShard;
  if (!Number.isInteger(per) || per < 1) throw new InputError('job.accountsPerShard', per, 'a positive integer');
  if (!Number.isInteger(shardIndex) || shardIndex < 0 || shardIndex * per >= Math.max(job.accounts.length, 1)) {
    throw new InputError('shardIndex', shardIndex, `an integer in [0, ${Math.ceil(job.accounts.length / per) - 1}]`);
  }
  const first = shardIndex * per;
  const slice = job.accounts.slice(first, first + per);
  try {
    results = portfolioLiquidationPrice(engine, slice, job.market, job.grid, job.options);
  } catch (e) {
    throw reindex(e, first);
  }
  return packLiquidation(results, Object.keys(job.market.assets));
}

/** Liquidation results packed (the layout decodePortfolioLiquidationShard reads); `names` = Object.keys(market.assets). */
function packLiquidation(results: readonly LiquidationPriceResult[], names: readonly string[]): Float64Array {
  let len = 0;
  for (const r of results) len += HEADER + PER_ASSET * r.assets.length;
  const out = new Float64Array(len);
  let o = 0;
  for (const r of results) {
    out[o] = r.equity;
    out[o + 1] = r.maintenanceMargin;
    out[o + 2] = MARGIN_STATUS.indexOf(r.status);
    out[o + 3] = r.assets.length;
    o += HEADER;
    for (const a of r.assets) {
      // Risky assets are position underlyings and non-stablecoin collateral, both looked up in
      // market.assets by resolveAccounts, so every one has a code.
      out[o] = names.indexOf(a.asset);
      out[o + 1] = a.index;
      packSide(out, o + 2, a.below);
      packSide(out, o + 2 + SIDE, a.above);
      o += PER_ASSET;
    }
  }
  return out;
}

/**
 * Results of one shard from its packed form, exactly as `portfolioLiquidationPrice` builds them
 * (reasons, top-level figures of each asset and `nearest` from the same helpers).
 * @param packed the shard's array, @param accounts the job's accounts (for ids), @param first the
 * shard's first account, @param count its number of accounts, @param options the job's options
 * (search bounds and iteration cap appear in the reasons).
 * @throws InputError at `options...` for options `portfolioLiquidationPrice` would reject, for
 * arguments of the wrong shape (`packed`, `accounts[i]`, `first`, `count`, `market`) or a packed
 * array that does not match them (`packed`).
 */
export function decodePortfolioLiquidationShard(
  packed: Float64Array, accounts: readonly MarginAccount[], first: number, count: number, market: MarginMarket, options: PortfolioLiquidationJobOptions,
): LiquidationPriceResult[] {
  checkShardArgs(packed, accounts, first, count, market);
  const { lowerFactor, upperFactor, maxIterations } = liquidationSearch(options);
  const names = Object.keys(market.assets);
  const side = (o: number, dir: 0 | 1, index: number): LiquidationSide => {
    const bound = index * (dir === 0 ? lowerFactor : upperFactor);
    return liquidationSide(packed[o + 5], dir, packed[o], packed[o + 1], packed[o + 2], packed[o + 3], packed[o + 4], index, bound, maxIterations);
  };
  const out: LiquidationPriceResult[] = [];
  let o = 0;
  for (let k = 0; k < count; k++) {
    const i = first + k;
    packedHas(packed, o, HEADER);
    packedInt(packed, packed[o + 2], 0, MARGIN_STATUS.length - 1);
    const nAssets = packedInt(packed, packed[o + 3], 0, names.length);
    packedHas(packed, o + HEADER, nAssets * PER_ASSET);
    const result: LiquidationPriceResult = {
      id: accounts[i].id ?? String(i), path: `accounts[${i}]`, equity: packed[o], maintenanceMargin: packed[o + 1],
      status: MARGIN_STATUS[packed[o + 2]], assets: [], nearest: null,
    };
    o += HEADER;
    const assets: LiquidationLevel[] = result.assets;
    for (let j = 0; j < nAssets; j++) {
      packedInt(packed, packed[o], 0, names.length - 1);
      const index = packed[o + 1];
      assets.push(liquidationLevel(names[packed[o]], index, side(o + 2, 0, index), side(o + 2 + SIDE, 1, index)));
      o += PER_ASSET;
    }
    result.nearest = nearestLevel(assets);
    out.push(result);
  }
  return out;
}

/**
 * The worker-pool task of this module: job = PortfolioLiquidationJob, shard k = accounts [k accountsPerShard, ...) (see portfolioLiquidationPriceParallel).
 * Registered when this module loads; the worker script registers it in each worker.
 */
export const portfolioLiquidationShardTasks = { portfolioLiquidation: portfolioLiquidationTask } as const;
registerShardTasks(portfolioLiquidationShardTasks);
