/**
 * Liquidation prices under portfolio margin of many accounts on the worker pool: shards of
 * `accountsPerShard` accounts run the registered `'portfolioLiquidation'` task (resolution, the
 * rounds of risk-matrix evaluations and the root search all in the workers); the results are
 * identical bit for bit to {@link portfolioLiquidationPrice} in one thread, for any worker count.
 *
 * Unlike portfolio margin itself, this pays off on workers: an account costs ~10 ms here (about 40
 * rounds of a whole-account risk matrix) against ~0.03 ms to copy it to a worker.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { runShards } from '../parallel/run-shards.js';
import type { ParallelOptions } from '../parallel/options.js';
import { checkWorkers, runControls } from '../parallel/run-controls.js';
import type { ScenarioGrid } from './grids.js';
import type { LiquidationPriceResult } from './liquidation-price.js';
import { PORTFOLIO_LIQUIDATION_OPTION_KEYS, portfolioLiquidationPrice, type PortfolioLiquidationPriceOptions } from './portfolio-liquidation-price.js';
import { checkKeys } from '../option-keys.js';
import { decodePortfolioLiquidationShard, type PortfolioLiquidationJob, type PortfolioLiquidationJobOptions, type PortfolioLiquidationSplitJob } from './portfolio-liquidation-shard.js';
import { splitMarginJob } from './margin-shard-plan.js';
import type { MarginAccount, MarginMarket } from './types.js';
import { marketForWorkers } from './market.js'; // [surface]

/** Options of {@link portfolioLiquidationPriceParallel}: the search's plus the pool's ({@link ParallelOptions}). */
export interface PortfolioLiquidationParallelOptions extends PortfolioLiquidationPriceOptions, ParallelOptions {
  /**
   * `'auto'` (default): the core count, capped by the number of shards (so a batch of one shard
   * runs in this thread, with no worker started); 1 runs in this thread; n > 1 up to n workers.
   * Workers pay off here (unlike `portfolioMarginParallel`, whose default is 1): a shard of 16
   * accounts is ~0.2 s of work against ~0.5 ms to copy it and ~0.1 ms of messages.
   */
  workers?: number | 'auto';
  /**
   * Accounts per shard (default 16): the unit of work handed to a worker. Small, so that shards
   * balance on a few cores (a batch of K shards on n workers ends at most one shard after the
   * ideal K / n); large enough that one shard's messages (~0.1 ms) are noise against its ~0.2 s.
   */
  accountsPerShard?: number;
}

// The order of the original list (an unknown key's suggestion breaks ties by it).
const POOL_KEYS = ['workers', 'accountsPerShard', 'signal', 'onProgress', 'pool', 'workerUrl'] as const satisfies readonly (keyof PortfolioLiquidationParallelOptions)[];

/**
 * {@link portfolioLiquidationPrice} over a worker pool (see the module comment): per account and
 * risky asset, the index levels (USD) below and above today's where equity = the grid's
 * maintenance margin of the whole moved account. One account in, one result out (in this thread);
 * an array in, an array out (same order, paths `accounts[i]`).
 * @param engine the caller's engine (workers run the same backend and WASM module).
 * @param accounts one account or an array of accounts (never modified).
 * @param market indices, forwards, vols (see MarginMarket).
 * @param grid a preset (DERIBIT_GRID, SPAN16_GRID) or a grid of your own (validated by scenarioGrid).
 * @throws (rejects) InputError for a malformed grid, market or option (before any work: `grid...`,
 * `market...`, `options...`, `options.accountsPerShard`, `options.workers`) or account (path
 * `accounts[i]...` in the caller's numbering, from the worker that met it; also
 * `options.upperFactor` when an account's index x upperFactor overflows); AbortedError when
 * `signal` aborts; WorkerError when a worker cannot start or dies.
 */
export async function portfolioLiquidationPriceParallel(
  engine: EngineContext, accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid,
  options: PortfolioLiquidationParallelOptions = {},
): Promise<LiquidationPriceResult | LiquidationPriceResult[]> {
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an object');
  checkKeys(options, [...PORTFOLIO_LIQUIDATION_OPTION_KEYS, ...POOL_KEYS], 'options');
  const per = options.accountsPerShard ?? 16;
  if (!Number.isInteger(per) || per < 1) throw new InputError('options.accountsPerShard', per, 'a positive integer');
  const workers = options.workers ?? 'auto';
  checkWorkers(workers, 'options.workers');
  const { signal, onProgress } = runControls(options, 'options');
  const search: PortfolioLiquidationPriceOptions = { ...options };
  for (const k of POOL_KEYS) delete (search as Record<string, unknown>)[k];
  // No accounts: the in-thread call's own checks of grid, market and every search option, with no work.
  portfolioLiquidationPrice(engine, [], market, grid, search);
  if (!Array.isArray(accounts)) return portfolioLiquidationPrice(engine, accounts as MarginAccount, market, grid, search);
  const list = accounts as readonly MarginAccount[];
  const jobOptions: PortfolioLiquidationJobOptions = {
    haircuts: options.haircuts, lowerFactor: options.lowerFactor, upperFactor: options.upperFactor,
    maxIterations: options.maxIterations, aggregation: options.aggregation,
  };
  const shards = Math.ceil(list.length / per);
  // In this thread the accounts need no transport; for workers the job travels split (shared part
  // once, each shard's accounts as columns on shared memory where the host has it).
  const job: PortfolioLiquidationJob | PortfolioLiquidationSplitJob = workers === 1
    ? { accounts: list, market, grid, options: jobOptions, accountsPerShard: per }
    : splitMarginJob(list, per, { market: marketForWorkers(market), /* [surface] surfaces cross as JSON */ grid, options: jobOptions });
  const out: LiquidationPriceResult[] = new Array(list.length);
  await runShards(engine, {
    task: 'portfolioLiquidation', job, shards, workers, signal, onProgress,
    pool: options.pool, workerUrl: options.workerUrl,
    onShard: (k, p) => {
      const first = k * per, count = Math.min(per, list.length - first);
      const rs = decodePortfolioLiquidationShard(p, list, first, count, market, jobOptions);
      for (let j = 0; j < count; j++) out[first + j] = rs[j];
    },
  });
  return out;
}
