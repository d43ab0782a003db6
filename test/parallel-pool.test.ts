// The deterministic worker pool (src/parallel): the same tests in Node (worker_threads, workers
// loaded from dist/) and in Chromium (module Web Workers served by Vite). Determinism for any
// worker count and completion order, abort, progress, error classes across the worker boundary,
// block output on shared memory or messages, and lifecycle (no workers left after close).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, InputError, RiskwasmError, type Engine } from '../src/index.js';
import { compileWasm, defaultWasmUrl } from '../src/wasm-module.js';
import {
  AbortedError, WorkerError, allocateOutput, closeSharedPools, createWorkerPool, runShards, runShardsInto, sharedPools,
  type PhiloxSumJob, type WorkerPool,
} from '../src/parallel/index.js';

const TASKS = new URL('./fixtures/parallel-tasks.js', import.meta.url);
const IS_NODE = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string'
  && typeof (globalThis as { window?: unknown }).window === 'undefined';

const JOB: PhiloxSumJob = { seedLo: 0x9e3779b9, seedHi: 7, stream: 3, pathsPerShard: 64, drawsPerPath: 100 };

/** Bit patterns, so -0 vs 0 and NaN payloads would show. */
function bits(arrays: Float64Array[]): string[] {
  return arrays.map((a) => Array.from(new BigUint64Array(a.slice().buffer), (w) => w.toString(16)).join(','));
}

function sumInOrder(arrays: Float64Array[]): number[] {
  const t = new Array<number>(arrays[0]!.length).fill(0);
  for (const a of arrays) a.forEach((v, i) => (t[i]! += v));
  return t;
}

let wasm: Engine;
let js: Engine;
let module: WebAssembly.Module;

beforeAll(async () => {
  [wasm, js, module] = await Promise.all([createEngine({ backend: 'wasm' }), createEngine({ backend: 'js' }), compileWasm(defaultWasmUrl())]);
});

afterAll(async () => {
  await closeSharedPools();
  expect(sharedPools()).toEqual([]);
});

describe('runShards: determinism', () => {
  it('philoxSum accumulators are bit-identical for 1 (in-thread), 2 and 3 workers, on both backends', async () => {
    for (const engine of [wasm, js]) {
      const one = await runShards(engine, { task: 'philoxSum', job: JOB, shards: 13, workers: 1 });
      expect(one).toHaveLength(13);
      for (const workers of [2, 3]) {
        const many = await runShards(engine, { task: 'philoxSum', job: JOB, shards: 13, workers });
        expect(bits(many), `${engine.backend}, ${workers} workers`).toEqual(bits(one));
      }
      // Sanity: 13 x 64 x 100 standard normals: count exact, mean ~ 0, variance ~ 1.
      const [s, ss, n] = sumInOrder(one);
      expect(n).toBe(13 * 64 * 100);
      expect(Math.abs(s! / n!)).toBeLessThan(4 / Math.sqrt(n!));
      expect(Math.abs(ss! / n! - 1)).toBeLessThan(0.05);
    }
    // The two backends draw the same uniforms; the inversions agree to a few ulps, so the sums
    // agree to rounding (each backend is deterministic on its own, checked above).
    const a = await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 3, workers: 1 });
    const b = await runShards(js, { task: 'philoxSum', job: JOB, shards: 3, workers: 2 });
    for (let k = 0; k < 3; k++) {
      expect(b[k]![2]).toBe(a[k]![2]);
      // 6,400 draws of |z| < ~6, each within a few ulps across backends: |difference| <= 6400 x 4
      // x 2.2e-16 x 6 ~ 3.4e-11 (measured 4.3e-14).
      expect(Math.abs(b[k]![0]! - a[k]![0]!)).toBeLessThan(3.4e-11);
      expect(Math.abs(b[k]![1]! / a[k]![1]! - 1)).toBeLessThan(1e-13);
    }
  });

  it('shards finishing out of order still come back in shard order, identical to in-thread', async () => {
    // Shard 0 blocks until shard 3 starts on the other worker (a gate on shared memory, not a
    // timed spin: CI once saw the second worker start so late that shard 0 finished first).
    const gated = typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
    expect(gated, 'SharedArrayBuffer (cross-origin isolation in the browser project)').toBe(true);
    const base = { seedLo: 11, seedHi: 0, n: 1000 };
    const job = { ...base, delayMs: [0, 0, 0, 0, 0, 0, 40, 0], gate: new Int32Array(new SharedArrayBuffer(4)), holdShard: 0, releaseShard: 3 };
    const order: number[] = [];
    const many = await runShards(wasm, {
      task: 'delayedUniformSum', job, shards: 8, workers: 2, taskModules: [TASKS], onShard: (i) => order.push(i),
    });
    expect(Atomics.load(job.gate, 0)).toBe(1);
    expect(order).toHaveLength(8);
    expect(order.slice(0, 2)).toEqual([1, 2]);
    expect(order.indexOf(0)).toBeGreaterThan(1);
    expect([...order].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const one = await runShards(wasm, { task: 'delayedUniformSum', job: { ...base, delayMs: [] }, shards: 8, workers: 1, taskModules: [TASKS] });
    expect(bits(many)).toEqual(bits(one));
  });

  it('a job split over "machines" by firstShard ranges and merged per shard in shard order equals the whole run', async () => {
    const whole = await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 10, workers: 1 });
    // Three "machines" with different worker counts and uneven ranges.
    const parts = await Promise.all([
      runShards(wasm, { task: 'philoxSum', job: JOB, firstShard: 0, shards: 3, workers: 2 }),
      runShards(wasm, { task: 'philoxSum', job: JOB, firstShard: 3, shards: 6, workers: 3 }),
      runShards(wasm, { task: 'philoxSum', job: JOB, firstShard: 9, shards: 1, workers: 1 }),
    ]);
    expect(bits(parts.flat())).toEqual(bits(whole));
    expect(sumInOrder(parts.flat())).toEqual(sumInOrder(whole));
    // Block output of a range lands at the start of its own output.
    const out = new Float64Array(2 * 5);
    await runShardsInto(wasm, out, { task: 'fillBlock', job: { scale: 100 }, firstShard: 4, shards: 2, shardLength: 5, workers: 2, taskModules: [TASKS] });
    expect(Array.from(out)).toEqual([400, 401, 402, 403, 404, 500, 501, 502, 503, 504]);
  });

  it("workers: 'auto' with a small `items` runs in-thread; shards: 0 resolves to []", async () => {
    const pools = sharedPools().length;
    const spawnedBefore = sharedPools().reduce((t, p) => t + p.spawned, 0);
    const r = await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 4, items: 4 * 64 * 100 });
    expect(r).toHaveLength(4);
    expect(sharedPools().length).toBe(pools);
    expect(sharedPools().reduce((t, p) => t + p.spawned, 0)).toBe(spawnedBefore);
    expect(await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 0, workers: 2 })).toEqual([]);
  });
});

describe('runShards: progress', () => {
  it.each([1, 2])('onProgress is increasing and ends at exactly 1 (%i workers)', async (workers) => {
    const seen: number[] = [];
    await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 9, workers, onProgress: (f) => seen.push(f) });
    expect(seen).toHaveLength(9);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    expect(seen[0]!).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(1);
  });
});

describe('runShards: abort', () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = createWorkerPool({ module, workers: 2, taskModules: [TASKS] });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('an already aborted signal rejects at once, with no worker started', async () => {
    const reason = new Error('user cancelled');
    const t0 = performance.now();
    const err = await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 4, workers: 2, pool, signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
    // Generous bound (a loaded CI machine): the point is no shard ran; spawned === 0 below proves it.
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(AbortedError);
    expect(err).toBeInstanceOf(RiskwasmError);
    expect(err).toMatchObject({ code: 'ABORTED', name: 'AbortError', reason, shardsDone: 0 });
    expect(pool.spawned).toBe(0);
  });

  it('aborting mid-run rejects promptly, terminates the busy workers, and the pool works afterwards', async () => {
    const ac = new AbortController();
    // 4 shards of 3 s each on 2 workers: abort after 300 ms, while both are busy.
    const running = runShards(wasm, { task: 'spin', job: { ms: 3000 }, shards: 4, workers: 2, pool, signal: ac.signal });
    const reason = 'stop';
    await new Promise((r) => setTimeout(r, 300));
    expect(pool.liveWorkers).toBe(2);
    const t0 = performance.now();
    ac.abort(reason);
    const err = await running.catch((e: unknown) => e);
    // Well under one 3 s shard: the run did not wait for the busy workers (loose for loaded CI).
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(AbortedError);
    expect(err).toMatchObject({ code: 'ABORTED', reason, shardsDone: 0 });
    expect(pool.liveWorkers).toBe(0);
    // Reusable: new workers start on demand and the results are right.
    const after = await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 5, workers: 2, pool });
    const ref = await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 5, workers: 1 });
    expect(bits(after)).toEqual(bits(ref));
    expect(pool.spawned).toBe(4);
  });

  it('aborting an in-thread run (workers: 1) rejects between shards', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 60);
    const err = await runShards(wasm, { task: 'spin', job: { ms: 20 }, shards: 100, workers: 1, taskModules: [TASKS], signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).shardsDone).toBeGreaterThan(0);
    expect((err as AbortedError).shardsDone).toBeLessThan(100);
  });
});

describe('runShards: errors', () => {
  it.each([1, 2])('an InputError thrown by a task keeps its class and fields (%i workers)', async (workers) => {
    const err = await runShards(wasm, { task: 'philoxSum', job: { ...JOB, pathsPerShard: -1 }, shards: 4, workers }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err).toBeInstanceOf(RiskwasmError);
    expect(err).toMatchObject({ name: 'InputError', code: 'INPUT', path: 'job.pathsPerShard', value: -1 });
  });

  it('an unknown task is an InputError naming `task`', async () => {
    const err = await runShards(wasm, { task: 'noSuchTask', job: {}, shards: 2, workers: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ path: 'task', value: 'noSuchTask' });
  });

  it('native and foreign errors from a worker keep class, name, message and fields; the pool is not hung', async () => {
    const pool = createWorkerPool({ module, workers: 2, taskModules: [TASKS] });
    try {
      const run = (kind: string) => runShards(wasm, { task: 'fail', job: { at: 3, kind }, shards: 6, workers: 2, pool }).catch((e: unknown) => e);
      const type = await run('type');
      expect(type).toBeInstanceOf(TypeError);
      expect((type as Error).message).toBe('fail: a TypeError from a task');
      const custom = await run('custom');
      expect(custom).toBeInstanceOf(Error);
      expect(custom).not.toBeInstanceOf(RiskwasmError);
      expect(custom).toMatchObject({ name: 'ValidationFailure', message: 'fail: a custom error', path: 'job.x', value: [1, 2] });
      const thrown = await run('nonError');
      expect(thrown).toBeInstanceOf(WorkerError);
      expect(thrown).toMatchObject({ code: 'WORKER', cause: 42 });
      // Task errors leave the workers alive and usable.
      expect(pool.spawned).toBe(2);
      const ok = await runShards(wasm, { task: 'fail', job: { at: -1, kind: 'type' }, shards: 6, workers: 2, pool });
      expect(ok.map((a) => a[0])).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await pool.close();
    }
  });

  it('a worker script that cannot load rejects with WorkerError (no hang)', async () => {
    const bad = new URL('./fixtures/parallel-no-such-worker.js', import.meta.url);
    const pool = createWorkerPool({ module, workers: 2, workerUrl: bad });
    try {
      const err = await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 4, workers: 2, pool }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkerError);
      expect((err as WorkerError).code).toBe('WORKER');
      expect(pool.liveWorkers).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('a job that cannot be cloned is an InputError naming `job`', async () => {
    const err = await runShards(wasm, { task: 'philoxSum', job: { ...JOB, f: () => 1 }, shards: 4, workers: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ path: 'job' });
  });

  it('malformed options are InputErrors before any work', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ task: '', job: JOB, shards: 1 }, 'task'],
      [{ task: 'philoxSum', job: JOB, shards: 1.5 }, 'shards'],
      [{ task: 'philoxSum', job: JOB, shards: 2, workers: 0 }, 'workers'],
      [{ task: 'philoxSum', job: JOB, shards: 2, onProgress: 3 }, 'onProgress'],
      [{ task: 'philoxSum', job: JOB, shards: 2, signal: {} }, 'signal'],
    ];
    for (const [options, path] of cases) {
      const err = await runShards(wasm, options as never).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(InputError);
      expect((err as InputError).path).toBe(path);
    }
  });
});

describe('runShardsInto: block output', () => {
  const SHARDS = 7;
  const LEN = 1000;
  const TOTAL = SHARDS * LEN - 300; // the last block is short
  const expected = Float64Array.from({ length: TOTAL }, (_, j) => Math.floor(j / LEN) * 1e6 + (j % LEN));

  it.each([
    ['shared output', true, 1], ['shared output', true, 2], ['plain output (messages)', false, 2],
  ] as const)('%s, %s workers: every block in place', async (_label, shared, workers) => {
    const output = shared ? allocateOutput(TOTAL) : new Float64Array(TOTAL);
    if (shared && typeof SharedArrayBuffer !== 'undefined') expect(output.buffer).toBeInstanceOf(SharedArrayBuffer);
    const r = await runShardsInto(wasm, output, { task: 'fillBlock', job: { scale: 1e6 }, shards: SHARDS, shardLength: LEN, workers, taskModules: [TASKS] });
    expect(r).toBe(output);
    expect(Array.from(output)).toEqual(Array.from(expected));
  });

  it('a task that returns a fresh block (ignoring `out`) is copied in', async () => {
    const output = new Float64Array(TOTAL);
    await runShardsInto(wasm, output, { task: 'returnBlock', job: { len: LEN, total: TOTAL }, shards: SHARDS, shardLength: LEN, workers: 2, taskModules: [TASKS] });
    expect(Array.from(output)).toEqual(Array.from({ length: TOTAL }, (_, j) => -j));
  });

  it('an output length that does not match shards x shardLength is an InputError', async () => {
    const err = await runShardsInto(wasm, new Float64Array(10), { task: 'fillBlock', job: {}, shards: 3, shardLength: 2 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InputError', path: 'output' });
  });
});

describe('lifecycle', () => {
  it('close() terminates every worker; runs after close reject; close is idempotent', async () => {
    const pool = createWorkerPool({ module, workers: 2 });
    await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 4, workers: 2, pool });
    expect(pool.liveWorkers).toBe(2);
    await pool.close();
    expect(pool.closed).toBe(true);
    expect(pool.liveWorkers).toBe(0);
    await pool.close();
    const err = await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 4, workers: 2, pool }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
  });

  it('close() during a run rejects it with WorkerError', async () => {
    const pool = createWorkerPool({ module, workers: 2, taskModules: [TASKS] });
    const running = runShards(wasm, { task: 'spin', job: { ms: 2000 }, shards: 4, workers: 2, pool }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    await pool.close();
    expect(await running).toBeInstanceOf(WorkerError);
    expect(pool.liveWorkers).toBe(0);
  });

  it('runShards reuses one shared pool per module, grown to the largest worker count; closeSharedPools ends it', async () => {
    await closeSharedPools();
    await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 4, workers: 2 });
    await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 4, workers: 2 });
    expect(sharedPools()).toHaveLength(1);
    expect(sharedPools()[0]!.spawned).toBe(2);
    await runShards(wasm, { task: 'philoxSum', job: JOB, shards: 4, workers: 3 });
    expect(sharedPools()).toHaveLength(1);
    expect(sharedPools()[0]!.liveWorkers).toBe(3);
    await runShards(js, { task: 'philoxSum', job: JOB, shards: 4, workers: 2 });
    expect(sharedPools()).toHaveLength(2); // the JS twin has its own pool (module null)
    const pools = sharedPools();
    await closeSharedPools();
    expect(sharedPools()).toEqual([]);
    for (const p of pools) {
      expect(p.closed).toBe(true);
      expect(p.liveWorkers).toBe(0);
    }
  });

  it.runIf(IS_NODE)('Node: a worker that exits mid-shard rejects the run with WorkerError and is replaced', async () => {
    const pool = createWorkerPool({ module, workers: 2, taskModules: [TASKS] });
    try {
      const err = await runShards(wasm, { task: 'fail', job: { at: 1, kind: 'exit' }, shards: 4, workers: 2, pool }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkerError);
      expect(String((err as WorkerError).cause)).toMatch(/code 7/);
      const ok = await runShards(wasm, { task: 'fail', job: { at: -1, kind: 'exit' }, shards: 4, workers: 2, pool });
      expect(ok.map((a) => a[0])).toEqual([0, 1, 2, 3]);
    } finally {
      await pool.close();
    }
  });
});
