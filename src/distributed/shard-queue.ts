/**
 * The submitting side: a {@link WorkerPool} whose "workers" are BullMQ workers anywhere on the
 * network. Because it is a pool, every existing job builder (`monteCarloParallel`,
 * `portfolioMarginParallel`, `portfolioLiquidationPriceParallel`, `revaluePortfolio` with
 * `workers`, `runShards`) runs on it unchanged: whatever job a builder makes flows through, and
 * the builder's own shard-order merge makes the result identical bit for bit to one thread.
 *
 * One run: the job's shared part is stored once (content-addressed blob with a TTL), each shard's
 * part (if the task has a {@link JobSplit}) once per shard under a per-run key (hashing a part that
 * belongs to one run would buy nothing; it is deleted once its result is read); one BullMQ job
 * per shard carries only ids (run, shared blob hash, shard index). Workers write each result into the run's results hash by
 * shard index and push the index on the run's done list, which this side blocks on. A shard that
 * completes twice (a stalled shard retried while the first worker was still alive) writes the same
 * bytes and is counted once.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { now } from '../clock.js';
import { AbortedError, rebuildError, type SerializedError } from '../parallel/errors.js';
import { WorkerPool, type PoolRun } from '../parallel/pool.js';
import { blobKey, partKey, runKeys, shardJobId, type RunKeys } from './keys.js';
import { jobSplitOf } from './job-split.js';
import { openRedis, type RedisConnection } from './connection.js';
import { DistributedError } from './errors.js';
import { contentHash, decode, decodeValues, encode } from './wire.js';

/** What a BullMQ job of a shard carries (a few hundred bytes of JSON). */
export interface ShardJobData {
  /** Run id. */
  run: string;
  /** Hash of the shared input blob ({@link SharedInput}). */
  input: string;
  /** Whether this shard has its own part (stored under the run's part key for its index) or the job travels whole. */
  part: boolean;
  /** Shard index. */
  index: number;
  /** Length of the shard's output block (runShardsInto), 0 for accumulator tasks. */
  blockLength: number;
}

/** The shared blob of a run. */
export interface SharedInput {
  task: string;
  /** `${backend}:${wasm hash}` of the submitter: workers refuse another build. */
  build: string;
  backend: string;
  /** The whole job, or its shared part when `split`. */
  shared: unknown;
  split: boolean;
}

/** Settings of a {@link RedisShardPool}, checked by the caller. */
export interface ShardQueueSettings {
  connection: RedisConnection;
  queue: string;
  /** Attempts per shard (BullMQ `attempts`): a shard that throws fails the run after this many. */
  attempts: number;
  /** Lifetime of stored inputs and of a run's keys, seconds. */
  ttlSeconds: number;
  /** Fail with DistributedError 'unavailable' after Redis has not answered for this long, ms. */
  redisTimeoutMs: number;
  /** The submitting engine's backend ('wasm' or 'js'): workers run the same one. */
  backend: string;
  build: string;
  /** BullMQ priority of the shards (1 highest), or 0 for none. */
  priority: number;
}

/** Diagnostics of the last run of a pool (bench, docs). */
export interface ShardQueueStats {
  /** Bytes of the shared blob and of all shard parts together. */
  sharedBytes: number;
  partBytes: number;
  /** Bytes of the largest shard part (what one shard downloads beside the shared blob). */
  maxPartBytes: number;
  /** Milliseconds to store the inputs and enqueue the shards. */
  submitMs: number;
  /** Milliseconds from enqueued to the last result read. */
  waitMs: number;
  /** Completions seen twice (counted once). */
  duplicates: number;
  /** Bytes of the shard results read back (each shard once). */
  resultBytes: number;
}

/**
 * Shards enqueued per batch, and the input bytes after which a batch goes out early: workers start
 * on the first shards while this side still packs the rest.
 */
const BATCH = 64;
const BATCH_BYTES = 4 << 20;
/** Seconds each blocking wait lasts before the liveness check (marker present, Redis answering). */
const BLOCK_SECONDS = 1;

/** What a dropped shard result leaves behind (non-null: a duplicate completion is still recognised). */
const DROPPED = new Float64Array(0);

/** A worker pool that runs shards through BullMQ (see the module comment). @internal built by runDistributed. */
export class RedisShardPool extends WorkerPool {
  private readonly settings: ShardQueueSettings;
  private readonly cmd: Redis;
  private readonly queue: Queue;
  private pending: Promise<unknown>[] = [];
  private blockers = new Set<Redis>();
  /** Whether the current run's shards have parts (per-run keys to delete). */
  private split = false;
  /**
   * Whether run() keeps each shard's array for its return value. runDistributed turns it off for
   * jobs whose driver consumes every shard in `onShard` (portfolio margin as columns): each shard's
   * megabytes are then garbage once copied, instead of all staying alive until the run ends.
   */
  retainResults = true;
  /** Statistics of the last run. */
  stats: ShardQueueStats = { sharedBytes: 0, partBytes: 0, maxPartBytes: 0, submitMs: 0, waitMs: 0, duplicates: 0, resultBytes: 0 };

  constructor(settings: ShardQueueSettings) {
    // 1024 "workers": the job builders cap the count by their shard count; Redis does the scheduling.
    super({ module: null, workers: 1024 });
    this.settings = settings;
    this.cmd = openRedis(settings.connection);
    this.cmd.on('error', () => { /* reconnects; the run's watchdog reports a lasting outage */ });
    this.queue = new Queue(settings.queue, { connection: this.cmd });
    this.queue.on('error', () => { /* as above */ });
  }

  /** Run shards [firstShard, firstShard + shards) of `spec.task` on the queue's workers; results in shard order. */
  override async run(spec: PoolRun): Promise<Float64Array[]> {
    if (this.closed) throw new DistributedError('unavailable', 'the distributed pool is closed');
    const { signal } = spec;
    if (signal?.aborted) throw new AbortedError(signal.reason, 0);
    if (spec.shards === 0) return [];
    const runId = randomUUID();
    const keys = runKeys(this.settings.queue, runId);
    const first = spec.firstShard ?? 0;
    const t0 = now();
    const enqueued: { ids: string[] } = { ids: [] };
    let submitted = false;
    try {
      await this.submit(spec, runId, keys, first, enqueued);
      submitted = true;
    } finally {
      if (!submitted) this.track(this.cancel(keys, first, enqueued.ids, []));
    }
    const t1 = now();
    this.stats.submitMs = t1 - t0;
    const blocking = openRedis(this.settings.connection);
    blocking.on('error', () => { /* see the watchdog */ });
    this.blockers.add(blocking);
    try {
      return await this.wait(spec, keys, first, blocking, enqueued.ids);
    } finally {
      this.stats.waitMs = now() - t1;
      this.blockers.delete(blocking);
      blocking.disconnect();
    }
  }

  private async putBlob(hash: string, bytes: Buffer, known: boolean): Promise<void> {
    const key = blobKey(this.settings.queue, hash);
    // A blob already there (the same book submitted again) is not sent twice: refresh its TTL.
    if (known && (await this.cmd.expire(key, this.settings.ttlSeconds)) === 1) return;
    await this.cmd.set(key, bytes, 'EX', this.settings.ttlSeconds);
  }

  private async submit(spec: PoolRun, runId: string, keys: RunKeys, first: number, enqueued: { ids: string[] }): Promise<void> {
    const s = this.settings;
    const split = jobSplitOf(spec.task)?.split(spec.job) ?? null;
    this.split = split !== null;
    const shared: SharedInput = { task: spec.task, build: s.build, backend: s.backend, shared: split ? split.shared : spec.job, split: split !== null };
    const sharedBytes = encode(shared);
    const input = contentHash(sharedBytes);
    this.stats = { sharedBytes: sharedBytes.byteLength, partBytes: 0, maxPartBytes: 0, submitMs: 0, waitMs: 0, duplicates: 0, resultBytes: 0 };
    await this.putBlob(input, sharedBytes, true);
    await this.cmd.multi().hset(keys.run, 'task', spec.task, 'shards', spec.shards, 'first', first, 'ttl', s.ttlSeconds).expire(keys.run, s.ttlSeconds).exec();
    for (let j0 = 0; j0 < spec.shards;) {
      if (spec.signal?.aborted) throw new AbortedError(spec.signal.reason, 0);
      const jobs = [];
      const parts = this.cmd.pipeline();
      let batchBytes = 0;
      let j = j0;
      for (; j < spec.shards && j < j0 + BATCH && batchBytes < BATCH_BYTES; j++) {
        const index = first + j;
        if (split) {
          const bytes = encode(split.part(index));
          this.stats.partBytes += bytes.byteLength;
          this.stats.maxPartBytes = Math.max(this.stats.maxPartBytes, bytes.byteLength);
          batchBytes += bytes.byteLength;
          parts.set(partKey(s.queue, runId, index), bytes, 'EX', s.ttlSeconds);
        }
        const blockLength = spec.output && spec.shardLength ? Math.max(0, Math.min(spec.shardLength, spec.output.length - j * spec.shardLength)) : 0;
        const data: ShardJobData = { run: runId, input, part: split !== null, index, blockLength };
        const jobId = shardJobId(runId, index);
        jobs.push({
          name: spec.task, data,
          opts: { jobId, attempts: s.attempts, removeOnComplete: true, removeOnFail: { age: s.ttlSeconds }, ...(s.priority > 0 ? { priority: s.priority } : {}) },
        });
      }
      if (split) await parts.exec();
      await this.queue.addBulk(jobs);
      for (const x of jobs) enqueued.ids.push(x.opts.jobId);
      j0 = j;
    }
  }

  private wait(spec: PoolRun, keys: RunKeys, first: number, blocking: Redis, jobIds: string[]): Promise<Float64Array[]> {
    const { shards, signal, onProgress, onShard, output, shardLength } = spec;
    const s = this.settings;
    const results: (Float64Array | null)[] = new Array<Float64Array | null>(shards).fill(null);
    let done = 0;
    let lastOk = now();
    let lastRefresh = now();
    return new Promise<Float64Array[]>((resolve, reject) => {
      let finished = false;
      const finish = (error: unknown, value?: Float64Array[]): void => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        signal?.removeEventListener('abort', onAbort);
        if (error !== null) {
          this.track(this.cancel(keys, first, jobIds, results));
          reject(error);
        } else {
          this.track(this.cmd.del(keys.run, keys.res, keys.err, keys.done).catch(() => 0));
          resolve(value!);
        }
      };
      const onAbort = (): void => finish(new AbortedError(signal!.reason, done));
      signal?.addEventListener('abort', onAbort, { once: true });
      const watchdog = setInterval(() => {
        if (now() - lastOk > s.redisTimeoutMs + BLOCK_SECONDS * 1000) {
          finish(new DistributedError('unavailable', `Redis did not answer for ${s.redisTimeoutMs} ms (queue '${s.queue}'); the run's ${shards - done} outstanding shard(s) have no result`, done));
        }
      }, 250);

      const accept = async (index: number): Promise<void> => {
        const j = index - first;
        if (!(j >= 0 && j < shards)) return;
        if (results[j] !== null) {
          this.stats.duplicates++;
          return;
        }
        const bytes = await this.cmd.hgetBuffer(keys.res, String(index));
        if (finished) return;
        // Its input is not needed any more (a duplicate completion does not read it).
        if (this.split) this.track(this.cmd.unlink(partKey(s.queue, keys.id, index)).catch(() => 0));
        if (bytes === null) throw new DistributedError('stateLost', `shard ${index}'s result is gone from Redis (restarted without persistence or flushed)`, done);
        this.stats.resultBytes += bytes.byteLength;
        const values = decodeValues(bytes);
        if (output && shardLength) {
          const at = j * shardLength;
          if (values.length !== Math.min(shardLength, output.length - at)) throw new DistributedError('stateLost', `shard ${index}'s block has ${values.length} values`, done);
          output.set(values, at);
          results[j] = new Float64Array(0);
        } else {
          results[j] = values;
        }
        done++;
        onShard?.(index, results[j]!);
        if (!this.retainResults && onShard) results[j] = DROPPED;
        onProgress?.(done / shards);
      };

      const liveness = async (): Promise<void> => {
        const [[, exists], [, stored]] = (await this.cmd.multi().exists(keys.run).hlen(keys.res).exec()) as [[unknown, number], [unknown, number]];
        if (exists === 0) {
          throw new DistributedError('stateLost', `Redis lost run state (queue '${s.queue}': restarted without persistence, flushed, or the run outlived ttlSeconds); no result after ${done} of ${shards} shard(s)`, done);
        }
        // Results whose "done" entry was lost (popped just before a restart): read them directly.
        if (stored > done) for (const f of await this.cmd.hkeys(keys.res)) if (!finished) await accept(Number(f));
        if (now() - lastRefresh > (s.ttlSeconds * 1000) / 3) {
          lastRefresh = now();
          await this.cmd.multi().expire(keys.run, s.ttlSeconds).expire(keys.res, s.ttlSeconds).expire(keys.done, s.ttlSeconds).exec();
        }
      };

      const loop = async (): Promise<void> => {
        while (!finished) {
          const item = await blocking.blpop(keys.done, BLOCK_SECONDS);
          lastOk = now();
          if (finished) return;
          if (item === null) {
            await liveness();
          } else if (item[1].startsWith('e:') && results[Number(item[1].slice(2)) - first] != null) {
            // A late retry of a shard whose result is already in (its part was deleted once read,
            // so the retry failed with inputMissing): the shard succeeded; count the duplicate.
            this.stats.duplicates++;
          } else if (item[1].startsWith('e:')) {
            const index = Number(item[1].slice(2));
            const bytes = await this.cmd.hgetBuffer(keys.err, String(index));
            if (bytes === null) throw new DistributedError('stateLost', `shard ${index} failed but its error is gone from Redis`, done);
            throw rebuildError(decode(bytes) as SerializedError);
          } else {
            await accept(Number(item[1]));
          }
          if (done === shards) finish(null, results as Float64Array[]);
        }
      };
      loop().catch((e: unknown) => finish(e));
    });
  }

  /** Stop a run: workers skip its shards once the marker is gone; queued ones are removed. */
  private async cancel(keys: RunKeys, first: number, jobIds: readonly string[], results: readonly (Float64Array | null)[]): Promise<void> {
    try {
      await this.cmd.del(keys.run);
      await Promise.all(jobIds.map((id, j) => (results[j] ? 0 : this.queue.remove(id).catch(() => 0))));
      await this.cmd.del(keys.res, keys.err, keys.done);
      if (this.split && jobIds.length > 0) await this.cmd.unlink(...jobIds.map((_, j) => partKey(this.settings.queue, keys.id, first + j)));
    } catch {
      // Redis gone: the marker's TTL ends the run's keys; workers skip shards of a missing run.
    }
  }

  private track(p: Promise<unknown>): void {
    this.pending.push(p);
  }

  /** Wait for cleanups, then close the connections. Idempotent. */
  override async close(): Promise<void> {
    if (this.closed) return;
    for (const b of this.blockers) b.disconnect();
    await Promise.all(this.pending);
    await this.queue.close().catch(() => undefined);
    this.cmd.disconnect();
    await super.close();
  }
}
