/**
 * riskwasm/distributed: riskwasm's sharded jobs (Monte Carlo pricing and VaR, portfolio margin,
 * liquidation prices, revaluation, any registered shard task) run by BullMQ workers on Redis, with
 * results identical bit for bit to one thread. Node only; needs the optional peer dependencies
 * `bullmq` and `ioredis`. See docs/distributed.md.
 */
export {
  runDistributed, type DistributedJob, type DistributedResult, type DistributedOptions, type DistributedMonteCarlo, type DistributedPortfolioMargin,
  type DistributedPortfolioLiquidation, type DistributedRevaluation, type DistributedMonteCarloVar, type DistributedMonteCarloVarResult, type DistributedShards,
} from './run-distributed.js';
export { startWorker, type DistributedWorker, type DistributedWorkerOptions } from './worker.js';
export { registerJobSplit, type JobSplit, type SplitJob } from './job-split.js';
export { DistributedError, type DistributedFailure } from './errors.js';
export type { RedisConnection } from './connection.js';
export type { ShardQueueStats } from './shard-queue.js';
export type { PortfolioMarginColumns } from '../margin/portfolio-margin-columns.js';
export { AbortedError } from '../parallel/errors.js';
export type { MarginAccountColumns, MarginInstrumentSpec } from '../margin/margin-account-columns.js'; // [scale] session 8
export type { PortfolioMarginSummaryColumns, MarginResultFields } from '../margin/portfolio-margin-columns.js'; // [scale] session 8: fields 'summary'
