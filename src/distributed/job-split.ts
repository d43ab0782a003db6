/**
 * Which part of a job every shard needs and which part only one shard needs. The shared part is
 * stored once per job; each shard's part is stored once for that shard, so a worker downloads
 * the market and the grid once and then only the accounts of the shards it runs, instead of the
 * whole book for every job it touches.
 *
 * A split is registered per shard task on both sides (submitter and workers). Without one, the
 * whole job is shared (right for Monte Carlo, whose job is a few hundred bytes, and for revaluation,
 * whose every shard needs every position). `'portfolioMargin'` and `'portfolioLiquidation'` split
 * `accounts` by shard range when the job has the shape `{ accounts: [...], accountsPerShard }`;
 * any other shape (a builder that already packs per-shard data) travels whole, still correct.
 */
import { InputError } from '../errors.js';
import { packAccounts, unpackAccounts, type PackedAccounts } from './record-columns.js';

/** A job cut into a shared part and per-shard parts. */
export interface SplitJob {
  /** Needed by every shard: stored once. */
  shared: unknown;
  /** Shard k's own part (stored per shard), for k in the run's range. */
  part(shardIndex: number): unknown;
}

/** How the jobs of one shard task split and join. */
export interface JobSplit {
  /** The split of `job`, or null to send it whole (the shape is not one this split knows). */
  split(job: unknown): SplitJob | null;
  /** The job the shard task expects, rebuilt from the shared part and shard `shardIndex`'s part. */
  join(shared: unknown, part: unknown, shardIndex: number): unknown;
}

const splits = new Map<string, JobSplit>();

/**
 * Register how jobs of `task` split (on the submitting side and in every worker: both must agree).
 * @throws InputError for an empty task name or a split without `split` and `join` functions.
 */
export function registerJobSplit(task: string, split: JobSplit): void {
  if (typeof task !== 'string' || task.length === 0) throw new InputError('task', task, 'a non-empty string');
  if (split === null || typeof split !== 'object' || typeof split.split !== 'function' || typeof split.join !== 'function') {
    throw new InputError('split', split, 'an object with split(job) and join(shared, part, shardIndex) functions');
  }
  splits.set(task, split);
}

/** The split registered for `task`, if any. */
export function jobSplitOf(task: string): JobSplit | undefined {
  return splits.get(task);
}

interface AccountsShared {
  rest: Record<string, unknown>;
  length: number;
  per: number;
}

/**
 * Split `{ accounts, accountsPerShard, ...rest }` by account range: shard k's part is
 * accounts [k per, (k + 1) per), as columns (record-columns.ts) when they have the usual shape;
 * the rest (market, grid, options) is shared. The joined job has an
 * `accounts` array of the original length holding only shard k's range (the shard tasks read
 * `length` and `slice(k per, (k + 1) per)`), so error paths keep the caller's numbering.
 */
export const accountRangeSplit: JobSplit = {
  split(job) {
    if (job === null || typeof job !== 'object') return null;
    const { accounts, accountsPerShard, ...rest } = job as { accounts?: unknown; accountsPerShard?: unknown };
    if (!Array.isArray(accounts) || typeof accountsPerShard !== 'number' || !Number.isInteger(accountsPerShard) || accountsPerShard < 1) return null;
    const shared: AccountsShared = { rest, length: accounts.length, per: accountsPerShard };
    return {
      shared,
      part: (k) => {
        const slice = accounts.slice(k * accountsPerShard, (k + 1) * accountsPerShard);
        return packAccounts(slice) ?? { raw: slice };
      },
    };
  },
  join(shared, part, shardIndex) {
    const s = shared as AccountsShared;
    const p = part as PackedAccounts | { raw: unknown[] };
    const slice = 'raw' in p ? p.raw : unpackAccounts(p);
    // A holey array of the book's length: V8 keeps a large sparse array in dictionary mode, so this
    // costs the shard's accounts, not the book's.
    const accounts: unknown[] = new Array<unknown>(s.length);
    const first = shardIndex * s.per;
    for (let i = 0; i < slice.length; i++) accounts[first + i] = slice[i];
    return { ...s.rest, accounts, accountsPerShard: s.per };
  },
};

registerJobSplit('portfolioMargin', accountRangeSplit);
registerJobSplit('portfolioLiquidation', accountRangeSplit);
