/**
 * Portfolio margin of many accounts on the worker pool: shards of `accountsPerShard` accounts run
 * the registered `'portfolioMargin'` task (resolution and risk matrix both in the workers); the
 * results are identical bit for bit to {@link portfolioMargin} in one thread, for any worker count.
 *
 * The job travels split (margin-shard-plan.ts): market, grid and instrument names once, each
 * shard's accounts as columns on shared memory, so a worker no longer receives a structured clone
 * of every account object (which cost more than the margin itself). Shards are decoded into
 * results as they arrive, while the workers go on with the next ones.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { runShards } from '../parallel/run-shards.js';
import type { ParallelOptions } from '../parallel/options.js';
import { checkMarket, marketForWorkers } from './market.js';
import type { ScenarioGrid } from './grids.js';
import { checkKeys } from '../option-keys.js';
import { checkAggregation, checkGrid, portfolioMargin, type PortfolioMarginOptions, type PortfolioMarginResult } from './portfolio-margin.js';
import { decodePortfolioMarginShard, type PortfolioMarginJob, type PortfolioMarginSplitJob } from './portfolio-margin-shard.js';
import { splitMarginJob } from './margin-shard-plan.js';
import type { MarginAccount, MarginMarket } from './types.js';

/** Options of {@link portfolioMarginParallel}: aggregation plus the pool's ({@link ParallelOptions}). */
export interface PortfolioMarginParallelOptions extends PortfolioMarginOptions, ParallelOptions {
  /**
   * 1 (default) runs in this thread; n > 1 up to n workers; `'auto'`: cores, capped by the work
   * size. Listed books (positions by instrument name) reach the workers as columns on shared
   * memory; accounts of other shapes are copied to every worker, which for large books of such
   * accounts can cost more than the margin itself. The calling thread still builds every result
   * object (with their GC, ~2/3 of one thread's CPU on the Deribit grid, bench/margin-pm.mjs
   * --parallel), which caps the speed-up over one thread at ~1.5x whatever the worker count.
   */
  workers?: number | 'auto';
  /**
   * Accounts per shard: the unit of work handed to a worker. Default: accounts / 16, within
   * [1,000, 8,192]. Each shard revalues the distinct instruments its accounts hold once (~3 ms for
   * the ~750 instruments of a random book on the Deribit chain, ~20% of a 1,000-account shard), so
   * large books take larger shards; 16 shards or more keep the last one's tail short on a few cores.
   */
  accountsPerShard?: number;
}

const OPTION_KEYS = ['aggregation', 'workers', 'accountsPerShard', 'signal', 'onProgress', 'pool', 'workerUrl'] as const satisfies readonly (keyof PortfolioMarginParallelOptions)[];

/** The default shard size for `count` accounts (see PortfolioMarginParallelOptions.accountsPerShard). */
function defaultAccountsPerShard(count: number): number {
  return Math.min(8192, Math.max(1000, Math.ceil(count / 16)));
}

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
  const given = options.accountsPerShard;
  if (given !== undefined && (!Number.isInteger(given) || given < 1)) throw new InputError('options.accountsPerShard', given, 'a positive integer');
  checkMarket(market);
  const single = !Array.isArray(accounts);
  const list = (single ? [accounts] : accounts) as readonly MarginAccount[];
  const per = given ?? defaultAccountsPerShard(list.length);
  if (single) {
    // One account: in this thread (paths then read `account...`, as portfolioMargin's).
    return portfolioMargin(engine, accounts as MarginAccount, market, g, { aggregation });
  }
  let items = 0;
  for (const a of list) items += (Array.isArray(a?.positions) ? a.positions.length : 0) * g.scenarios.length;
  const workers = options.workers ?? 1;
  // In this thread the accounts need no transport: the job holds them as they are.
  const job: PortfolioMarginJob | PortfolioMarginSplitJob = workers === 1
    ? { accounts: list, market, grid: g, aggregation, accountsPerShard: per }
    : splitMarginJob(list, per, { market: marketForWorkers(market), /* [surface] surfaces cross as JSON */ grid: g, aggregation });
  const out: PortfolioMarginResult[] = new Array(list.length);
  await runShards(engine, {
    task: 'portfolioMargin', job, shards: Math.ceil(list.length / per), workers, items, signal: options.signal, onProgress: options.onProgress,
    pool: options.pool, workerUrl: options.workerUrl,
    // Decoded as each shard arrives (any order), while the workers compute the next ones.
    onShard: (k, p) => {
      const first = k * per, count = Math.min(per, list.length - first);
      const rs = decodePortfolioMarginShard(p, list, first, count, market, g);
      for (let j = 0; j < count; j++) out[first + j] = rs[j];
    },
  });
  return out;
}
