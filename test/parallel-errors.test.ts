// Issue 11, item 12 (errors across the worker boundary) and items 6/7 for the parallel entry
// points, in Node (worker_threads from dist/) and Chromium (module Web Workers), on both backends:
// - a custom error's `code` (string or not) and a constructor-given `cause` survive the boundary,
//   as they do in-thread (workers: 1); an InputError keeps its `suggestion`;
// - a task module that cannot be imported is a WorkerError (cause: the import's error) for any
//   worker count; a module without `shardTasks` stays an InputError;
// - a worker that calls process.exit (Node) is a WorkerError with `exitCode`, and its cause
//   carries the code through JSON (it was `{}`);
// - unknown option keys and malformed counts are InputErrors naming the field.
// Deterministic: no timing; every failure happens at a fixed shard or at worker start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import { createMonteCarloJob, InputError, RiskwasmError, type Engine, type MonteCarloArgs } from '../src/index.js';
import { compileWasm, defaultWasmUrl } from '../src/wasm-module.js';
import {
  allocateOutput, closeSharedPools, createWorkerPool, MAX_OUTPUT_LENGTH, MAX_POOL_SHARDS, monteCarloParallel, runShards, runShardsInto,
  WorkerError, type PhiloxSumJob, type PoolRun, type WorkerPool,
} from '../src/parallel/index.js';

const TASKS = new URL('./fixtures/parallel-tasks.js', import.meta.url);
const BROKEN = new URL('./fixtures/parallel-broken-tasks.js', import.meta.url);
const MISSING = new URL('./fixtures/parallel-no-such-tasks.js', import.meta.url);
const NO_TASKS = new URL('./fixtures/parallel-no-tasks.js', import.meta.url);
const IS_NODE = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string'
  && typeof (globalThis as { window?: unknown }).window === 'undefined';
const JOB: PhiloxSumJob = { seedLo: 1, seedHi: 2, stream: 0, pathsPerShard: 16, drawsPerPath: 8 };

let module: WebAssembly.Module;
beforeAll(async () => {
  module = await compileWasm(defaultWasmUrl());
});
afterAll(async () => {
  await closeSharedPools();
});

const settle = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);

describe.each(BACKENDS)('errors across the worker boundary (%s)', (backend) => {
  let engine: Engine;
  let pool: WorkerPool;
  beforeAll(async () => {
    engine = await engineFor(backend);
    pool = createWorkerPool({ module: backend === 'wasm' ? module : null, workers: 2, taskModules: [TASKS] });
  });
  afterAll(async () => {
    await pool.close();
  });
  const fail = (kind: string, workers: number) =>
    settle(runShards(engine, { task: 'fail', job: { at: 2, kind }, shards: 4, workers, taskModules: [TASKS], ...(workers > 1 ? { pool } : {}) }));

  it("a custom error's string code survives, as in-thread (workers: 1)", async () => {
    for (const workers of [1, 2]) {
      const e = await fail('custom', workers);
      expect(e, `${workers} workers`).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(RiskwasmError);
      expect(e).toMatchObject({ name: 'ValidationFailure', message: 'fail: a custom error', code: 'CUSTOM', path: 'job.x', value: [1, 2] });
    }
  });

  it('a numeric code and a cause given to the Error constructor survive too', async () => {
    for (const workers of [1, 2]) {
      const e = await fail('coded', workers) as Error & { code?: unknown };
      expect(e, `${workers} workers`).toBeInstanceOf(Error);
      expect(e.message).toBe('fail: a coded error');
      expect(e.code).toBe(17);
      expect(e.cause).toBeInstanceOf(RangeError);
      expect((e.cause as Error).message).toBe('fail: the cause');
    }
  });

  it("an InputError from a worker keeps its suggestion (the philoxSum job's keys are checked)", async () => {
    for (const workers of [1, 2]) {
      const e = await settle(runShards(engine, { task: 'philoxSum', job: { ...JOB, pathPerShard: 4 } as unknown as PhiloxSumJob, shards: 3, workers }));
      expect(e, `${workers} workers`).toBeInstanceOf(InputError);
      expect(e).toMatchObject({ path: 'job.pathPerShard', value: 4, suggestion: 'pathsPerShard' });
    }
  });

  it.each([['throws at load', BROKEN], ['does not exist', MISSING]] as const)(
    'a task module that %s is a WorkerError (cause: the import error) for 1 and 2 workers; the pool is not hung',
    async (_what, url) => {
      for (const workers of [1, 2]) {
        const own = createWorkerPool({ module: backend === 'wasm' ? module : null, workers: 2, taskModules: [url] });
        try {
          const e = await settle(runShards(engine, { task: 'never', job: {}, shards: 4, workers, taskModules: [url], ...(workers > 1 ? { pool: own } : {}) }));
          expect(e, `${workers} workers`).toBeInstanceOf(WorkerError);
          expect((e as WorkerError).code).toBe('WORKER');
          expect((e as WorkerError).cause).toBeInstanceOf(Error);
          expect((e as WorkerError).message).toContain(url.pathname.split('/').at(-1));
          expect(own.liveWorkers).toBe(0);
        } finally {
          await own.close();
        }
      }
    },
  );

  it('a task module without a shardTasks export stays an InputError naming taskModules (1 and 2 workers)', async () => {
    for (const workers of [1, 2]) {
      const own = createWorkerPool({ module: backend === 'wasm' ? module : null, workers: 2, taskModules: [NO_TASKS] });
      try {
        const e = await settle(runShards(engine, { task: 'never', job: {}, shards: 2, workers, taskModules: [NO_TASKS], ...(workers > 1 ? { pool: own } : {}) }));
        expect(e, `${workers} workers`).toBeInstanceOf(InputError);
        expect((e as InputError).path).toBe('taskModules');
      } finally {
        await own.close();
      }
    }
  });

  it.runIf(IS_NODE)('Node: a worker that calls process.exit(7) is a WorkerError with exitCode 7, and its cause keeps the code through JSON', async () => {
    const e = await settle(runShards(engine, { task: 'fail', job: { at: 1, kind: 'exit' }, shards: 4, workers: 2, pool }));
    expect(e).toBeInstanceOf(WorkerError);
    expect(e).toMatchObject({ code: 'WORKER', exitCode: 7 });
    const cause = (e as WorkerError).cause;
    expect(cause).toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(cause))).toMatchObject({ exitCode: 7 });
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ code: 'WORKER', exitCode: 7 });
    // The pool replaced the worker and works.
    const ok = await runShards(engine, { task: 'fail', job: { at: -1, kind: 'exit' }, shards: 4, workers: 2, pool });
    expect(ok.map((a) => a[0])).toEqual([0, 1, 2, 3]);
  });
});

describe.each(BACKENDS)('parallel options: unknown keys and malformed counts (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });
  const BAD_COUNTS: unknown[] = [1e308, Infinity, -Infinity, NaN, -1, 2.5, '2', null, true, 2n, [2], {}];

  async function expectInput(p: Promise<unknown> | (() => unknown), path: string, suggestion?: string): Promise<void> {
    const e = typeof p === 'function' ? (() => { try { p(); return undefined; } catch (x) { return x; } })() : await settle(p);
    expect(e, `${path} ${String(e)}`).toBeInstanceOf(InputError);
    expect((e as InputError).path).toBe(path);
    if (suggestion !== undefined) expect((e as InputError).suggestion).toBe(suggestion);
  }

  it('unknown keys: runShards, runShardsInto, createWorkerPool, WorkerPool.run, monteCarloParallel', async () => {
    await expectInput(runShards(engine, { task: 'philoxSum', job: JOB, shards: 2, worker: 2 } as never), 'worker', 'workers');
    await expectInput(runShards(engine, { task: 'philoxSum', job: JOB, shards: 2, onprogress: () => 0 } as never), 'onprogress', 'onProgress');
    await expectInput(runShardsInto(engine, new Float64Array(4), { task: 'fillBlock', job: {}, shards: 2, shardLenght: 2 } as never), 'shardLenght', 'shardLength');
    await expectInput(() => createWorkerPool({ module: null, worker: 2 } as never), 'options.worker', 'workers');
    const pool = createWorkerPool({ module: null, workers: 1 });
    try {
      await expectInput(pool.run({ task: 'philoxSum', job: JOB, shards: 2, maxWorker: 1 } as unknown as PoolRun), 'spec.maxWorker', 'maxWorkers');
      await expectInput(pool.run({ task: 'philoxSum', job: JOB, shards: MAX_POOL_SHARDS + 1 }), 'spec.shards');
      expect(pool.spawned).toBe(0);
    } finally {
      await pool.close();
    }
    const args: MonteCarloArgs = { model: { kind: 'gbm', spot: 100, rate: 0, vol: 0.2 }, payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, paths: 64, steps: 1, seed: 1 };
    await expectInput(monteCarloParallel(engine, args, { pol: undefined } as never), 'options.pol', 'pool');
    await expectInput(monteCarloParallel(engine, { ...args, antitheic: true } as MonteCarloArgs), 'antitheic', 'antithetic');
  });

  it('runShards: shards, firstShard, workers, items of 1e308, Infinity, NaN, -1, 2.5, ... are InputErrors naming them', async () => {
    for (const bad of BAD_COUNTS) {
      await expectInput(runShards(engine, { task: 'philoxSum', job: JOB, shards: bad as number, workers: 2 }), 'shards');
      await expectInput(runShards(engine, { task: 'philoxSum', job: JOB, shards: 2, firstShard: bad as number }), 'firstShard');
      await expectInput(runShards(engine, { task: 'philoxSum', job: JOB, shards: 2, workers: bad as number }), 'workers');
      // items is a size hint (any finite number >= 0, 1e308 and 2.5 included), not a count.
      if (bad !== 1e308 && bad !== 2.5) await expectInput(runShards(engine, { task: 'philoxSum', job: JOB, shards: 2, items: bad as number }), 'items');
      await expectInput(runShardsInto(engine, new Float64Array(4), { task: 'fillBlock', job: {}, shards: 2, shardLength: bad as number }), 'shardLength');
      await expectInput(() => createWorkerPool({ module: null, workers: bad as number }), 'options.workers');
      await expectInput(() => createWorkerPool({ module: null, chunkSize: bad as number }), 'options.chunkSize');
      await expectInput(() => allocateOutput(bad as number), 'length');
    }
  });

  it(`shard counts above MAX_POOL_SHARDS (${MAX_POOL_SHARDS}) are InputErrors, not a RangeError from an array of 2^32 results or a run of 2^32 shards`, async () => {
    for (const workers of [1, 2]) {
      await expectInput(runShards(engine, { task: 'philoxSum', job: JOB, shards: 2 ** 32, workers }), 'shards');
      await expectInput(runShards(engine, { task: 'philoxSum', job: JOB, shards: MAX_POOL_SHARDS + 1, workers }), 'shards');
    }
    await expectInput(runShards(engine, { task: 'philoxSum', job: JOB, shards: 4, firstShard: 2 ** 32 - 2 }), 'firstShard');
    await expectInput(() => allocateOutput(MAX_OUTPUT_LENGTH + 1), 'length');
    // Monte Carlo with workers: a job of more shards than the pool takes is an InputError at shardSize (in-thread it is fine).
    const big = { model: { kind: 'gbm', spot: 100, rate: 0, vol: 0.2 }, payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, steps: 1, seed: 1 } as const;
    await expectInput(() => createMonteCarloJob({ ...big, paths: 2 ** 32, shardSize: 2, workers: 2 }), 'shardSize');
    expect(createMonteCarloJob({ ...big, paths: 2 ** 32, shardSize: 2 }).shardCount).toBe(2 ** 31);
  });
});
