/**
 * `riskwasm worker --redis URL`: a riskwasm/distributed worker (docs/distributed.md). It serves a
 * BullMQ queue until SIGTERM (a clean stop: the shard in hand finishes, exit 0) or Ctrl-C (the same,
 * then exit 130), and reports the shards it ran. The job says which backend to use, so `--backend`
 * does not apply. Loads `bullmq` and `ioredis` (optional dependencies) only when this command runs.
 */
import type { CliCommand, CommandReport } from '../command.js';
import { BadInputError } from '../errors.js';

function positiveInt(v: unknown, field: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new BadInputError(`expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`, { field });
  return n;
}

export const workerCommand: CliCommand = {
  syntax: 'worker',
  description: 'Run riskwasm/distributed shards from a Redis queue (BullMQ) until SIGTERM or Ctrl-C',
  options: [
    { flags: '--redis <url>', description: 'Redis URL, e.g. redis://127.0.0.1:6379 (required)' },
    { flags: '--queue <name>', description: 'Queue name, as given to runDistributed', default: 'riskwasm' },
    { flags: '--concurrency <n>', description: 'Shards at once (1-64); above 1 each on its own worker thread (one process can use n cores)', default: 1 },
    { flags: '--lock-duration <ms>', description: 'Milliseconds before a dead worker\'s shard is handed to another (BullMQ lockDuration)' },
    { flags: '--stalled-interval <ms>', description: 'Milliseconds between checks for stalled shards (BullMQ stalledInterval)' },
  ],
  examples: ['riskwasm worker --redis redis://127.0.0.1:6379', 'riskwasm worker --redis redis://redis:6379 --queue risk-eod'],
  async run(ctx, _args, options): Promise<CommandReport> {
    const url = options.redis;
    if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw new BadInputError(`expected a redis:// or rediss:// URL, got ${JSON.stringify(url)}`, { field: '--redis' });
    const concurrency = positiveInt(options.concurrency, '--concurrency', 1, 64);
    const lockDuration = positiveInt(options.lockDuration, '--lock-duration', 100, 3_600_000);
    const stalledInterval = positiveInt(options.stalledInterval, '--stalled-interval', 100, 3_600_000);
    const queue = String(options.queue ?? 'riskwasm');
    let mod: typeof import('../../distributed/worker.js');
    try {
      mod = await import('../../distributed/worker.js');
    } catch (e) {
      throw new BadInputError(`the worker needs the optional dependencies bullmq and ioredis (npm install bullmq ioredis): ${(e as Error).message}`);
    }
    const started = Date.now();
    const worker = await mod.startWorker({
      connection: url, queue, concurrency,
      ...(lockDuration !== undefined ? { lockDuration } : {}), ...(stalledInterval !== undefined ? { stalledInterval } : {}),
    });
    ctx.note(`riskwasm worker: serving queue '${queue}' on ${url.replace(/\/\/[^@/]*@/, '//***@')} (pid ${process.pid}); SIGTERM or Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGTERM', stop);
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', stop, { once: true });
    });
    await worker.close();
    const json = { schema: 'riskwasm.worker/1', queue, shards: worker.shardsDone, seconds: (Date.now() - started) / 1000 };
    return { json, text: () => `riskwasm worker: ran ${json.shards} shard(s) from queue '${queue}' in ${json.seconds.toFixed(1)} s` };
  },
};
