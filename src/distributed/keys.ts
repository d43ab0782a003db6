/**
 * The Redis keys riskwasm/distributed uses beside BullMQ's own (`bull:<queue>:*`). One prefix per
 * queue, so several queues (teams, priorities) share a Redis without seeing each other's runs.
 *
 * - `riskwasm:<queue>:blob:<sha256>`: a serialised input (the shared part of a job, or one shard's
 *   part), content-addressed, with a TTL.
 * - `riskwasm:<queue>:part:<id>:<k>`: shard k's part of run `id` (per run, not content-addressed:
 *   it serves one run; deleted when its result is read, else it expires with the run's TTL).
 * - `riskwasm:<queue>:run:<id>`: the run's marker (a hash: task, shards). Workers run a shard only
 *   while it exists: deleting it cancels the run's outstanding shards, and its absence after a
 *   Redis restart tells the submitter that the run's state is gone.
 * - `riskwasm:<queue>:res:<id>`: shard results, a hash keyed by shard index (a duplicate
 *   completion overwrites the same bytes and is counted once).
 * - `riskwasm:<queue>:err:<id>`: a failed shard's serialised error, by shard index.
 * - `riskwasm:<queue>:done:<id>`: a list the submitter blocks on: `k` when shard k finished,
 *   `e:k` when it failed for good.
 */
export interface RunKeys {
  /** The run id. */
  id: string;
  run: string;
  res: string;
  err: string;
  done: string;
}

/** The key of a content-addressed blob. */
export function blobKey(queue: string, hash: string): string {
  return `riskwasm:${queue}:blob:${hash}`;
}

/** The key of shard `index`'s part of run `runId`. */
export function partKey(queue: string, runId: string, index: number): string {
  return `riskwasm:${queue}:part:${runId}:${index}`;
}

/** The keys of one run. */
export function runKeys(queue: string, runId: string): RunKeys {
  const p = `riskwasm:${queue}:`;
  return { id: runId, run: `${p}run:${runId}`, res: `${p}res:${runId}`, err: `${p}err:${runId}`, done: `${p}done:${runId}` };
}

/** The BullMQ job id of shard `index` of a run (a custom id, so adding it twice adds it once). */
export function shardJobId(runId: string, index: number): string {
  return `${runId}-${index}`;
}
