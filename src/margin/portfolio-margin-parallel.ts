/**
 * Portfolio margin of many accounts on the worker pool: shards of `accountsPerShard` accounts run
 * the registered `'portfolioMargin'` task (resolution and risk matrix both in the workers); the
 * results are identical bit for bit to {@link portfolioMargin} in one thread, for any worker count.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { runShards } from '../parallel/run-shards.js';
import type { ParallelOptions } from '../parallel/options.js';
import { checkMarket, marketForWorkers } from './market.js';
import type { ScenarioGrid } from './grids.js';
import { checkKeys } from '../option-keys.js';
import { checkAggregation, checkGrid, portfolioMargin, type PortfolioMarginOptions, type PortfolioMarginResult } from './portfolio-margin.js';
import { decodePortfolioMarginShard, type PortfolioMarginJob } from './portfolio-margin-shard.js';
import type { MarginAccount, MarginMarket } from './types.js';

/** Options of {@link portfolioMarginParallel}: aggregation plus the pool's ({@link ParallelOptions}). */
export interface PortfolioMarginParallelOptions extends PortfolioMarginOptions, ParallelOptions {
  /**
   * 1 (default) runs in this thread; n > 1 up to n workers; `'auto'`: cores, capped by the work
   * size. The default is 1 because the pool copies the whole job (every account object) to every
   * worker: for books that share listed instruments that copy costs more than the margin itself
   * (bench/RESULTS.md: 10,000 accounts x 20 positions take 0.29 s in one thread, 0.72 s on two
   * workers). Workers pay off when each account is expensive (large grids, few shared instruments).
   */
  workers?: number | 'auto';
  /** Accounts per shard (default 1,000): the unit of work handed to a worker. */
  accountsPerShard?: number;
}

const OPTION_KEYS = ['aggregation', 'workers', 'accountsPerShard', 'signal', 'onProgress', 'pool', 'workerUrl'] as const satisfies readonly (keyof PortfolioMarginParallelOptions)[];

/**
 * {@link portfolioMargin} over a worker pool (see the module comment). One account in, one result
 * out; an array in, an array out (same order).
 * @throws (rejects) InputError for a malformed grid or option (before any work) or account (path
 * `accounts[i]...`, from the worker that met it); AbortedError; WorkerError.
 */
export async function portfolioMarginParallel(
  engine: EngineContext, accounts: MarginAccount | readonly MarginAccount[], market: MarginMarket, grid: ScenarioGrid, options: PortfolioMarginParallelOptions = {},
): Promise<PortfolioMarginResult | PortfolioMarginResult[]> {
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an object');
  checkKeys(options, OPTION_KEYS, 'options');
  const g = checkGrid(grid);
  const aggregation = checkAggregation(options.aggregation);
  const per = options.accountsPerShard ?? 1000;
  if (!Number.isInteger(per) || per < 1) throw new InputError('options.accountsPerShard', per, 'a positive integer');
  checkMarket(market);
  const single = !Array.isArray(accounts);
  const list = (single ? [accounts] : accounts) as readonly MarginAccount[];
  if (single) {
    // One account: in this thread (paths then read `account...`, as portfolioMargin's).
    return portfolioMargin(engine, accounts as MarginAccount, market, g, { aggregation });
  }
  let items = 0;
  for (const a of list) items += (Array.isArray(a?.positions) ? a.positions.length : 0) * g.scenarios.length;
  const shards = Math.ceil(list.length / per);
  const job: PortfolioMarginJob = { accounts: list, market: marketForWorkers(market), grid: g, aggregation, accountsPerShard: per }; // [surface] surfaces cross as JSON
  const packed = await runShards(engine, {
    task: 'portfolioMargin', job, shards, workers: options.workers ?? 1, items, signal: options.signal, onProgress: options.onProgress,
    pool: options.pool, workerUrl: options.workerUrl,
  });
  const out: PortfolioMarginResult[] = [];
  packed.forEach((p, k) => {
    const first = k * per;
    for (const r of decodePortfolioMarginShard(p, list, first, Math.min(per, list.length - first), market, g)) out.push(r);
  });
  return out;
}
