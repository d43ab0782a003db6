/**
 * `runDistributed(engine, job, options)`: one of riskwasm's sharded jobs run by BullMQ workers
 * (see startWorker) instead of this machine's threads. Each job kind goes through the library's
 * own parallel driver with a {@link RedisShardPool} as its pool, so the job, its shards and the
 * shard-order merge are exactly those of the thread pool and of one thread: the result is the same
 * bit for bit, whatever the number of workers, their speed or the order shards finish in.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { monteCarloParallel } from '../montecarlo/monte-carlo-parallel.js';
import { MAX_WORKERS as MAX_MONTE_CARLO_WORKERS } from '../montecarlo/job.js';
import type { MonteCarloArgs, MonteCarloResult } from '../montecarlo/types.js';
import { portfolioMarginParallel } from '../margin/portfolio-margin-parallel.js';
import { portfolioMarginColumnsParallel, type MarginResultFields, type PortfolioMarginColumns, type PortfolioMarginSummaryColumns } from '../margin/portfolio-margin-columns.js';
import { checkResultFields } from '../margin/portfolio-margin-shard.js';
import { portfolioLiquidationPriceParallel } from '../margin/portfolio-liquidation-parallel.js';
import type { PortfolioMarginResult, MarginAggregation } from '../margin/portfolio-margin.js';
import type { PortfolioLiquidationPriceOptions } from '../margin/portfolio-liquidation-price.js';
import type { LiquidationPriceResult } from '../margin/liquidation-price.js';
import type { ScenarioGrid } from '../margin/grids.js';
import type { MarginAccount, MarginMarket } from '../margin/types.js';
import { accountColumnsLength, isMarginAccountColumns, type MarginAccountColumns } from '../margin/margin-account-columns.js';
import { revaluePortfolioOnWorkers } from '../risk/revaluation-shards.js';
import type { Portfolio, RevaluationResult, RevaluePortfolioArgs } from '../risk/portfolio.js';
import { monteCarloScenarios, type MonteCarloVarOptions } from '../risk/monte-carlo-var.js';
import { checkConfidence, empiricalTail } from '../risk/tail-measures.js';
import { checkShardRange } from '../parallel/pool.js';
import { runControls } from '../parallel/run-controls.js';
import { buildId, checkConnection, checkQueueName, optionalInteger, type RedisConnection } from './connection.js';
import { RedisShardPool, type ShardQueueStats } from './shard-queue.js';

/** Monte Carlo pricing (`engine.monteCarlo(args)`); `args.workers`, `signal` and `onProgress` are set by runDistributed. */
export interface DistributedMonteCarlo {
  kind: 'monteCarlo';
  args: MonteCarloArgs;
}

/** Portfolio margin of many accounts (`portfolioMarginParallel`). */
export interface DistributedPortfolioMargin {
  kind: 'portfolioMargin';
  /**
   * The accounts, or a book already in columns ({@link MarginAccountColumns}: each shard then
   * carries a slice of its columns, and neither the submitter nor a worker builds an account
   * object; its result is always columns).
   */
  accounts: readonly MarginAccount[] | MarginAccountColumns;
  market: MarginMarket;
  grid: ScenarioGrid;
  aggregation?: MarginAggregation;
  /**
   * `'objects'` (default): a `PortfolioMarginResult[]`, one object per account, as
   * `engine.portfolioMargin`. `'columns'`: a {@link PortfolioMarginColumns} (one typed array per
   * field, `account(i)` builds an object on demand), as `engine.portfolioMarginColumns`: the same
   * numbers, and the submitter copies whole columns instead of building an object per account.
   * A {@link MarginAccountColumns} book gives columns (default), and `'objects'` is refused.
   */
  output?: 'objects' | 'columns';
  /**
   * Which result columns the workers pack and send (see {@link MarginResultFields}): `'full'`
   * (default) or `'summary'` (a {@link PortfolioMarginSummaryColumns}: margins, worst scenario,
   * add-ons, status and per-asset rows; no scenario P&L, no contributions). `'summary'` gives
   * columns: `output` must then be `'columns'` or undefined.
   */
  fields?: MarginResultFields;
}

/** Liquidation prices under portfolio margin (`portfolioLiquidationPriceParallel`). */
export interface DistributedPortfolioLiquidation {
  kind: 'portfolioLiquidation';
  accounts: readonly MarginAccount[];
  market: MarginMarket;
  grid: ScenarioGrid;
  options?: PortfolioLiquidationPriceOptions;
}

/** Full revaluation of a portfolio under scenarios (`engine.revaluePortfolio(args)`). */
export interface DistributedRevaluation {
  kind: 'revaluePortfolio';
  args: RevaluePortfolioArgs;
}

/**
 * Monte Carlo VaR: scenarios from `monteCarloScenarios(portfolio, scenarios)` (drawn here: cheap
 * next to the revaluation), the revaluation on the workers, then VaR and ES of the P&L.
 */
export interface DistributedMonteCarloVar {
  kind: 'monteCarloVar';
  portfolio: Portfolio;
  scenarios: MonteCarloVarOptions;
  /** Confidence in (0, 1), e.g. 0.99. */
  confidence: number;
}

/** Any registered shard task: shards [0, shards) of `job`, returned in shard order (as `runShards`). */
export interface DistributedShards {
  kind: 'shards';
  task: string;
  job: unknown;
  shards: number;
}

/** The jobs {@link runDistributed} runs. */
export type DistributedJob =
  | DistributedMonteCarlo | DistributedPortfolioMargin | DistributedPortfolioLiquidation
  | DistributedRevaluation | DistributedMonteCarloVar | DistributedShards;

/** Monte Carlo VaR's result: the revaluation and its tail. VaR and ES in USD, positive losses. */
export interface DistributedMonteCarloVarResult {
  var: number;
  es: number;
  confidence: number;
  revaluation: RevaluationResult;
}

/** The result of each job kind. */
export type DistributedResult<J extends DistributedJob> =
  J extends DistributedMonteCarlo ? MonteCarloResult
    : J extends DistributedPortfolioMargin ? (J extends { fields: 'summary' } ? PortfolioMarginSummaryColumns
      : J extends { output: 'columns' } | { accounts: MarginAccountColumns } ? PortfolioMarginColumns : PortfolioMarginResult[])
      : J extends DistributedPortfolioLiquidation ? LiquidationPriceResult[]
        : J extends DistributedRevaluation ? RevaluationResult
          : J extends DistributedMonteCarloVar ? DistributedMonteCarloVarResult
            : Float64Array[];

/** Options of {@link runDistributed}. */
export interface DistributedOptions {
  /** Redis: a URL (`'redis://127.0.0.1:6379'`), ioredis options, or an ioredis client (duplicated, not closed). */
  connection: RedisConnection;
  /** Queue name (default `'riskwasm'`): workers started on the same name run the shards. */
  queue?: string;
  /**
   * The shard size: paths per shard for Monte Carlo (its `shardSize`, default the job's), accounts
   * per shard for portfolio margin (default 1000) and liquidation (default 16). Revaluation and
   * Monte Carlo VaR size their shards from the scenario count (an InputError if given). An integer >= 1.
   */
  shardSize?: number;
  /** Cancels the run: outstanding shards are removed from the queue or skipped; rejects with AbortedError. */
  signal?: AbortSignal;
  /** Called after each completed shard with the fraction done: increasing, ending at exactly 1. */
  onProgress?: (fraction: number) => void;
  /** Attempts per shard (an integer in [1, 100], default 1: shards are deterministic, so a throw repeats). */
  attempts?: number;
  /** Lifetime of the stored inputs and of the run's keys, seconds (an integer in [10, 604800], default 3600; refreshed while the run waits). */
  ttlSeconds?: number;
  /** Fail with DistributedError `'unavailable'` when Redis has not answered for this many ms (an integer in [1000, 86400000], default 30000). */
  redisTimeoutMs?: number;
  /** BullMQ priority of the shards (an integer in [1, 2097152], 1 highest); default none (first in, first out). */
  priority?: number;
  /** Called after the run with the queue's statistics (bytes stored, submit and wait times, duplicate completions). */
  onStats?: (stats: ShardQueueStats) => void;
}

const OPTION_KEYS = [
  'connection', 'queue', 'shardSize', 'signal', 'onProgress', 'attempts', 'ttlSeconds', 'redisTimeoutMs', 'priority', 'onStats',
] as const satisfies readonly (keyof DistributedOptions)[];

const KINDS = ['monteCarlo', 'portfolioMargin', 'portfolioLiquidation', 'revaluePortfolio', 'monteCarloVar', 'shards'] as const;

/** Keys of each job kind (an unknown key is an InputError with the closest valid one). */
const JOB_KEYS: Record<(typeof KINDS)[number], readonly string[]> = {
  monteCarlo: ['kind', 'args'],
  portfolioMargin: ['kind', 'accounts', 'market', 'grid', 'aggregation', 'output', 'fields'],
  portfolioLiquidation: ['kind', 'accounts', 'market', 'grid', 'options'],
  revaluePortfolio: ['kind', 'args'],
  monteCarloVar: ['kind', 'portfolio', 'scenarios', 'confidence'],
  shards: ['kind', 'task', 'job', 'shards'],
};

/**
 * Run `job` on the BullMQ workers serving `options.queue` (see {@link startWorker}); the result is
 * the one the same engine gives in one thread, bit for bit (only timings and
 * `details.workersUsed` differ). Jobs of one shard run in this thread.
 * @param engine the submitting engine: its backend (`'wasm'` or `'js'`) is the one the workers use.
 * @throws (rejects) InputError for a malformed job or option (before any Redis traffic) or what a
 * shard threw (its class and fields, after `attempts`); AbortedError when `signal` aborts;
 * DistributedError when Redis lost the run, stayed unreachable for `redisTimeoutMs`, or a worker
 * runs another build.
 * @example
 * const r = await runDistributed(engine, { kind: 'monteCarlo', args }, { connection: 'redis://127.0.0.1:6379' });
 */
export async function runDistributed<J extends DistributedJob>(engine: EngineContext, job: J, options: DistributedOptions): Promise<DistributedResult<J>> {
  if (engine === null || typeof engine !== 'object' || !engine.kernels || !engine.arena) throw new InputError('engine', engine, 'an Engine');
  if (job === null || typeof job !== 'object') throw new InputError('job', job, `an object with kind ${KINDS.map((k) => `'${k}'`).join(', ')}`);
  const kind = (job as { kind?: unknown }).kind;
  if (!(KINDS as readonly unknown[]).includes(kind)) throw new InputError('job.kind', kind, KINDS.map((k) => `'${k}'`).join(', '));
  checkKeys(job, JOB_KEYS[kind as (typeof KINDS)[number]], 'job');
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an object');
  checkKeys(options, OPTION_KEYS, 'options');
  checkConnection(options.connection, 'options.connection');
  const queue = checkQueueName(options.queue ?? 'riskwasm', 'options.queue');
  const shardSize = options.shardSize === undefined ? undefined : optionalInteger(options.shardSize, 'options.shardSize', 1, 2 ** 32, 1);
  if (shardSize !== undefined && (kind === 'revaluePortfolio' || kind === 'monteCarloVar' || kind === 'shards')) {
    throw new InputError('options.shardSize', shardSize, `undefined for a '${kind}' job (its shards are sized by the job)`);
  }
  const { signal, onProgress } = runControls(options, 'options');
  if (options.onStats !== undefined && typeof options.onStats !== 'function') throw new InputError('options.onStats', options.onStats, 'a function');
  const attempts = optionalInteger(options.attempts, 'options.attempts', 1, 100, 1);
  const ttlSeconds = optionalInteger(options.ttlSeconds, 'options.ttlSeconds', 10, 604_800, 3600);
  const redisTimeoutMs = optionalInteger(options.redisTimeoutMs, 'options.redisTimeoutMs', 1000, 86_400_000, 30_000);
  const priority = optionalInteger(options.priority, 'options.priority', 1, 2_097_152, 0);
  if (kind === 'shards') {
    const j = job as DistributedShards;
    if (typeof j.task !== 'string' || j.task.length === 0) throw new InputError('job.task', j.task, 'the name of a registered shard task');
    checkShardRange(j.shards, 0, 'job.');
  }
  if (kind === 'portfolioMargin') {
    const output = (job as DistributedPortfolioMargin).output;
    if (output !== undefined && output !== 'objects' && output !== 'columns') throw new InputError('job.output', output, "'objects' or 'columns'");
    if (output === 'objects' && isMarginAccountColumns((job as DistributedPortfolioMargin).accounts)) {
      throw new InputError('job.output', output, "'columns' or undefined for accounts given as a MarginAccountColumns");
    }
    const fields = checkResultFields((job as DistributedPortfolioMargin).fields, 'job.fields');
    if (fields === 'summary' && output === 'objects') throw new InputError('job.output', output, "'columns' or undefined with fields 'summary'");
  }
  if (kind === 'monteCarloVar') checkConfidence((job as DistributedMonteCarloVar).confidence, 'job.confidence');

  const backend = (engine as { backend?: string }).backend === 'js' ? 'js' : 'wasm';
  const pool = new RedisShardPool({
    connection: options.connection, queue, attempts, ttlSeconds, redisTimeoutMs, backend, build: await buildId(backend), priority,
  });
  try {
    const result = await dispatch(engine, job, pool, shardSize, signal, onProgress);
    options.onStats?.(pool.stats);
    return result as DistributedResult<J>;
  } finally {
    await pool.close();
  }
}

async function dispatch(
  engine: EngineContext, job: DistributedJob, pool: RedisShardPool, shardSize: number | undefined,
  signal: AbortSignal | undefined, onProgress: ((f: number) => void) | undefined,
): Promise<unknown> {
  const controls = { signal, onProgress };
  switch (job.kind) {
    case 'monteCarlo': {
      if (job.args === null || typeof job.args !== 'object') throw new InputError('job.args', job.args, 'MonteCarloArgs');
      const args: MonteCarloArgs = { ...job.args, workers: MAX_MONTE_CARLO_WORKERS, ...controls };
      if (shardSize !== undefined) args.shardSize = shardSize;
      return monteCarloParallel(engine, args, { pool });
    }
    case 'portfolioMargin': {
      const book = isMarginAccountColumns(job.accounts);
      if (!book && !Array.isArray(job.accounts)) throw new InputError('job.accounts', job.accounts, 'an array of accounts or a MarginAccountColumns');
      if (book || job.output === 'columns' || job.fields === 'summary') {
        // Each shard is copied into the columns as it arrives and each part planned as it is sent
        // (a book's part is a slice of its columns): the submitter holds neither all parts nor all
        // packed results at once.
        pool.retainResults = false;
        const n = book ? accountColumnsLength(job.accounts as MarginAccountColumns) : (job.accounts as readonly MarginAccount[]).length;
        return portfolioMarginColumnsParallel(engine, job.accounts, job.market, job.grid, {
          lazyParts: true, fields: job.fields,
          aggregation: job.aggregation, accountsPerShard: shardSize ?? Math.min(8192, Math.max(1000, Math.ceil(n / 16))), workers: pool.size, pool, ...controls,
        });
      }
      return portfolioMarginParallel(engine, job.accounts as readonly MarginAccount[], job.market, job.grid, {
        aggregation: job.aggregation, accountsPerShard: shardSize, workers: pool.size, pool, ...controls,
      });
    }
    case 'portfolioLiquidation':
      if (!Array.isArray(job.accounts)) throw new InputError('job.accounts', job.accounts, 'an array of accounts');
      if (job.options !== undefined && (job.options === null || typeof job.options !== 'object')) throw new InputError('job.options', job.options, 'an object');
      return portfolioLiquidationPriceParallel(engine, job.accounts, job.market, job.grid, {
        ...job.options, accountsPerShard: shardSize, workers: pool.size, pool, ...controls,
      });
    case 'revaluePortfolio':
      if (job.args === null || typeof job.args !== 'object') throw new InputError('job.args', job.args, 'RevaluePortfolioArgs');
      return revaluePortfolioOnWorkers(engine, { ...job.args, workers: pool.size, pool, ...controls });
    case 'monteCarloVar': {
      const scenarios = monteCarloScenarios(engine, job.portfolio, job.scenarios);
      const revaluation = await revaluePortfolioOnWorkers(engine, { portfolio: job.portfolio, scenarios, workers: pool.size, pool, ...controls });
      const tail = empiricalTail(engine, revaluation.pnl, job.confidence);
      return { var: tail.var, es: tail.es, confidence: job.confidence, revaluation };
    }
    case 'shards':
      // Straight to the pool: even one shard goes to a worker.
      return pool.run({ task: job.task, job: job.job, shards: job.shards, signal, onProgress });
  }
}
