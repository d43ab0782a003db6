/**
 * The worker side: a BullMQ worker that runs riskwasm shards. Any number of them, in any number
 * of processes or machines, serve one queue; each keeps one engine per backend and a small cache
 * of decoded shared inputs, so a job's market and grid are fetched once per worker, not per shard.
 *
 * A shard runs only while its run's marker exists (a cancelled or lost run's shards are skipped).
 * Its result goes into the run's results hash under its index and the index onto the run's done
 * list, in one MULTI; a shard that throws on its last attempt stores its serialised error (class
 * and fields survive) and pushes `e:<index>`, so the submitter fails with that error.
 *
 * With `concurrency: 1` shards are computed synchronously on this process's main thread. BullMQ
 * renews a job's lock on a timer of that thread, so a shard must then take well under
 * `lockDuration` (default 30 s; riskwasm's default shards take milliseconds to a second): a longer
 * one is seen as stalled and run again elsewhere (still correct, since a duplicate completion
 * writes the same bits and counts once, but wasted). With `concurrency: n > 1` shards run on n
 * worker threads (the same engines, built from the same module: the same bits).
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { createEngine, type Engine } from '../engine.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { monteCarloShardTasks } from '../montecarlo/shards.js';
import { portfolioMarginShardTasks } from '../margin/portfolio-margin-shard.js';
import { portfolioLiquidationShardTasks } from '../margin/portfolio-liquidation-shard.js';
import { pricingShardTasks } from '../pricing/batch-shards.js';
import { revaluationShardTasks } from '../risk/revaluation-shards.js';
import { serializeError } from '../parallel/errors.js';
import { getShardTask, registerShardTasks, registerTaskModule } from '../parallel/shard-tasks.js';
import { importTaskModule } from '../parallel/task-modules.js';
import { checkTaskModules, createWorkerPool, type WorkerPool } from '../parallel/pool.js';
import { blobKey, partKey, runKeys } from './keys.js';
import { jobSplitOf } from './job-split.js';
import { buildId, checkConnection, checkQueueName, openRedis, optionalInteger, type RedisConnection } from './connection.js';
import { DistributedError } from './errors.js';
import type { ShardJobData, SharedInput } from './shard-queue.js';
import { decode, encode, encodeValues } from './wire.js';

/**
 * Store a shard's result (or error) and announce it, atomically and only while the run's marker
 * exists: a shard that finishes after its run was cancelled or lost leaves nothing behind.
 */
const REPORT = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ttl = tonumber(redis.call('HGET', KEYS[1], 'ttl')) or 3600
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('RPUSH', KEYS[3], ARGV[3])
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('EXPIRE', KEYS[3], ttl)
return 1`;

async function report(cmd: Redis, run: string, hash: string, done: string, index: number, bytes: Buffer, entry: string): Promise<boolean> {
  return (await cmd.eval(REPORT, 3, run, hash, done, String(index), bytes, entry)) === 1;
}

/** Options of {@link startWorker}. */
export interface DistributedWorkerOptions {
  /** Redis: a URL, ioredis options or an ioredis client (duplicated). */
  connection: RedisConnection;
  /** Queue name (default `'riskwasm'`), the same as the submitters'. */
  queue?: string;
  /**
   * Shards this worker runs at once (BullMQ concurrency, an integer in [1, 64]; default 1). With 1
   * a shard computes on this process's main thread; with n > 1 each shard computes on one of n
   * worker threads of this process (riskwasm's worker pool), so one process can use n cores and
   * the main thread stays free to renew BullMQ's locks during long shards.
   */
  concurrency?: number;
  /** Milliseconds a shard's lock lasts without renewal (BullMQ `lockDuration`, default 30000): a worker dead this long loses its shard. */
  lockDuration?: number;
  /** Milliseconds between stalled-shard checks (BullMQ `stalledInterval`, default 30000). */
  stalledInterval?: number;
  /** Times a shard may stall (its worker died) before it fails (BullMQ `maxStalledCount`, default 1). */
  maxStalledCount?: number;
  /** Task modules (URLs of modules exporting `shardTasks`) for tasks of your own, imported before the first shard. */
  taskModules?: readonly (URL | string)[];
  /** Decoded shared inputs kept in memory (an integer in [1, 64], default 4). */
  cacheEntries?: number;
}

/** A running worker. */
export interface DistributedWorker {
  /** The queue it serves. */
  readonly queue: string;
  /** Shards completed by this worker. */
  readonly shardsDone: number;
  /** The BullMQ worker (events, metrics, pause/resume). */
  readonly bullWorker: Worker;
  /** Stop taking shards, wait for the ones in hand, close the connections. Idempotent. */
  close(): Promise<void>;
}

const OPTION_KEYS = ['connection', 'queue', 'concurrency', 'lockDuration', 'stalledInterval', 'maxStalledCount', 'taskModules', 'cacheEntries'] as const satisfies readonly (keyof DistributedWorkerOptions)[];

// The domains' tasks, registered explicitly (the package is `sideEffects: false`).
for (const table of [monteCarloShardTasks, portfolioMarginShardTasks, portfolioLiquidationShardTasks, pricingShardTasks, revaluationShardTasks]) registerShardTasks(table);

/**
 * Start a worker serving `queue` on Redis `connection` (see the module comment).
 * @throws InputError for malformed options (before connecting); the import error of a task module.
 * @example
 * const worker = await startWorker({ connection: 'redis://127.0.0.1:6379', queue: 'riskwasm' });
 * process.on('SIGTERM', () => void worker.close());
 */
export async function startWorker(options: DistributedWorkerOptions): Promise<DistributedWorker> {
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an object');
  checkKeys(options, OPTION_KEYS, 'options');
  checkConnection(options.connection, 'options.connection');
  const queue = checkQueueName(options.queue ?? 'riskwasm', 'options.queue');
  const concurrency = optionalInteger(options.concurrency, 'options.concurrency', 1, 64, 1);
  const lockDuration = optionalInteger(options.lockDuration, 'options.lockDuration', 100, 3_600_000, 30_000);
  const stalledInterval = optionalInteger(options.stalledInterval, 'options.stalledInterval', 100, 3_600_000, 30_000);
  const maxStalledCount = optionalInteger(options.maxStalledCount, 'options.maxStalledCount', 0, 100, 1);
  const cacheEntries = optionalInteger(options.cacheEntries, 'options.cacheEntries', 1, 64, 4);
  if (options.taskModules !== undefined) checkTaskModules(options.taskModules, 'options.taskModules');
  for (const u of options.taskModules ?? []) registerTaskModule(await importTaskModule(String(u)), String(u));

  const cmd = openRedis(options.connection);
  cmd.on('error', () => { /* ioredis reconnects; BullMQ reports lasting errors on the worker */ });
  const engines = new Map<string, Promise<Engine>>();
  const cache = new Map<string, SharedInput>();
  let shardsDone = 0;

  const blob = async (hash: string, what: string): Promise<Buffer> => {
    const bytes = await cmd.getBuffer(blobKey(queue, hash));
    if (bytes === null) throw new DistributedError('inputMissing', `the ${what} ${hash.slice(0, 12)}... is not in Redis (expired or lost): submit the job again`);
    return bytes;
  };
  const partBytes = async (run: string, index: number): Promise<Buffer> => {
    const bytes = await cmd.getBuffer(partKey(queue, run, index));
    if (bytes === null) throw new DistributedError('inputMissing', `shard ${index}'s input is not in Redis (expired or lost): submit the job again`);
    return bytes;
  };
  const sharedInput = async (hash: string): Promise<SharedInput> => {
    const hit = cache.get(hash);
    if (hit) {
      cache.delete(hash);
      cache.set(hash, hit);
      return hit;
    }
    const value = decode(await blob(hash, 'job input')) as SharedInput;
    cache.set(hash, value);
    while (cache.size > cacheEntries) cache.delete(cache.keys().next().value!);
    return value;
  };
  const engineFor = (backend: string): Promise<Engine> => {
    let e = engines.get(backend);
    if (!e) {
      e = createEngine({ backend: backend === 'js' ? 'js' : 'wasm' });
      engines.set(backend, e);
      e.catch(() => engines.delete(backend));
    }
    return e;
  };

  const pools = new Map<string, WorkerPool>();
  const poolFor = (backend: string, engine: Engine): WorkerPool => {
    let pool = pools.get(backend);
    if (!pool) {
      pool = createWorkerPool({ module: backend === 'js' ? null : engine.module ?? null, workers: concurrency, taskModules: options.taskModules });
      pools.set(backend, pool);
    }
    return pool;
  };

  const compute = async (d: ShardJobData): Promise<Float64Array> => {
    const input = await sharedInput(d.input);
    const mine = await buildId(input.backend);
    if (input.build !== mine) {
      throw new DistributedError('buildMismatch', `this worker runs riskwasm build ${mine}, the job was submitted from ${input.build}: results would not be bit-identical`);
    }
    let job = input.shared;
    if (input.split) {
      const split = jobSplitOf(input.task);
      if (!split) throw new InputError('task', input.task, 'a task with a job split registered in this worker (registerJobSplit)');
      job = split.join(input.shared, d.part ? decode(await partBytes(d.run, d.index)) : undefined, d.index);
    }
    const engine = await engineFor(input.backend);
    if (concurrency > 1) {
      const pool = poolFor(input.backend, engine);
      if (d.blockLength > 0) {
        const out = new Float64Array(d.blockLength);
        await pool.run({ task: input.task, job, shards: 1, firstShard: d.index, output: out, shardLength: d.blockLength });
        return out;
      }
      return (await pool.run({ task: input.task, job, shards: 1, firstShard: d.index }))[0]!;
    }
    const fn = getShardTask(input.task);
    if (d.blockLength > 0) {
      const out = new Float64Array(d.blockLength);
      const values = fn(engine, job, d.index, out);
      if (values !== out) out.set(values);
      return out;
    }
    return fn(engine, job, d.index);
  };

  const processor = async (job: Job<ShardJobData>): Promise<string> => {
    const d = job.data;
    const keys = runKeys(queue, d.run);
    // Cancelled, finished or lost: nothing to do (and nothing to write).
    if ((await cmd.exists(keys.run)) === 0) return 'skipped';
    const attempts = Math.max(1, job.opts.attempts ?? 1);
    let values: Float64Array;
    try {
      values = await compute(d);
    } catch (e) {
      if (job.attemptsMade + 1 >= attempts) await report(cmd, keys.run, keys.err, keys.done, d.index, encode(serializeError(e)), `e:${d.index}`);
      throw e;
    }
    // encodeValues copies: `values` may be a view of the engine heap.
    if (await report(cmd, keys.run, keys.res, keys.done, d.index, encodeValues(values), String(d.index))) shardsDone++;
    return 'done';
  };

  const bullConnection = openRedis(options.connection);
  bullConnection.on('error', () => { /* as above */ });
  const bullWorker = new Worker<ShardJobData, string>(queue, processor, {
    connection: bullConnection, concurrency, lockDuration, stalledInterval, maxStalledCount,
  });
  bullWorker.on('error', () => { /* connection errors: BullMQ retries */ });
  let closing: Promise<void> | undefined;
  return {
    queue,
    get shardsDone() {
      return shardsDone;
    },
    bullWorker,
    close() {
      closing ??= bullWorker.close().then(async () => {
        await Promise.all([...pools.values()].map((p) => p.close()));
        cmd.disconnect();
        bullConnection.disconnect();
      });
      return closing;
    },
  };
}
