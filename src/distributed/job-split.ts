/**
 * Which part of a job every shard needs and which part only one shard needs. The shared part is
 * stored once per job; each shard's part is stored once for that shard, so a worker downloads
 * the market and the grid once and then only the accounts of the shards it runs, instead of the
 * whole book for every job it touches.
 *
 * A split is registered per shard task on both sides (submitter and workers). Without one, the
 * whole job is shared (right for Monte Carlo, whose job is a few hundred bytes, and for revaluation,
 * whose every shard needs every position). `'portfolioMargin'` and `'portfolioLiquidation'` split
 * the job their parallel builders make (`{ shared, parts }`, src/margin/margin-shard-plan.ts):
 * `shared` once, `parts[k]` with shard k. Any other shape (an in-thread `{ accounts, ... }` job
 * sent through a `'shards'` run, say) travels whole, still correct.
 */
import { InputError } from '../errors.js';
import { AccountColumnsPlanner, MarginShardPlanner, type LazyMarginShardJob, type MarginShardJob, type MarginShardPart, type MarginShardShared } from '../margin/margin-shard-plan.js';

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
  /**
   * The job the shard task expects, rebuilt from the shared part and shard `shardIndex`'s part.
   * A worker passes the same decoded `shared` object for every shard of a job it has cached, so a
   * join that keeps it by reference lets the shard task cache per job (by the object's identity).
   */
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

/** The stored shared part of a split margin job: the job's own `shared` and its shard count. */
interface MarginSplitShared {
  shared: MarginShardShared<unknown>;
  shards: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/**
 * The split of the margin tasks' job `{ shared: { names, inputs }, parts }`: `shared` stored once,
 * `parts[k]` with shard k. The joined job is `{ shared, parts }` with `parts` of the job's length
 * holding only `[k]` (the tasks read `parts[k]` and check `k < parts.length`), and `shared` the
 * worker's cached object, the same for every shard of the job: the tasks' per-job caches (the
 * resolved instrument names, the validated grid) then hit from the second shard on.
 */
export const marginJobSplit: JobSplit = {
  split(job) {
    if (!isObject(job) || !isObject(job.shared) || !Array.isArray(job.shared.names) || !Array.isArray(job.parts)) return null;
    const { shared, parts } = job as unknown as MarginShardJob<unknown>;
    // A lazy job (lazyMarginJob): each part planned when it is sent, then dropped by the sender.
    const planner = (job as Partial<LazyMarginShardJob<unknown>>).planner;
    if (planner instanceof MarginShardPlanner || planner instanceof AccountColumnsPlanner) return { shared: { shared, shards: planner.shards } satisfies MarginSplitShared, part: (k) => planner.part(k) };
    const stored: MarginSplitShared = { shared, shards: parts.length };
    return { shared: stored, part: (k) => parts[k] };
  },
  join(shared, part, shardIndex) {
    const s = shared as MarginSplitShared;
    // A holey array: V8 keeps it sparse, so this costs one slot's worth, not the job's shard count.
    const parts = new Array<MarginShardPart>(s.shards);
    const p = part as MarginShardPart;
    parts[shardIndex] = p;
    // A lazy plan's part names its own instruments: the shard's job pairs them with the shared inputs.
    if (p !== null && typeof p === 'object' && Array.isArray(p.names)) return { shared: { names: p.names, inputs: s.shared.inputs }, parts };
    return { shared: s.shared, parts };
  },
};

registerJobSplit('portfolioMargin', marginJobSplit);
registerJobSplit('portfolioLiquidation', marginJobSplit);
