/**
 * `runShards` / `runShardsInto`: run shards [0, shards) of a registered task, in this thread or on
 * a worker pool, and return them in shard order.
 *
 * Determinism: a shard is a pure function of (job, shardIndex), every worker builds its engine
 * from the same compiled module, and results are indexed by shard. Whatever the number of
 * workers or the order shards finish in, the caller gets the same arrays bit for bit and merges
 * them in shard order (`mergeShards`), so the merged sums are identical too.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { compileWasm, defaultWasmUrl } from '../wasm-module.js';
import { AbortedError } from './errors.js';
import { checkShardRange, checkTaskModules, loadWorkerHost, WorkerPool } from './pool.js';
import type { ParallelOptions } from './options.js';
import { checkCallback, checkWorkers, checkWorkerUrl, runControls } from './run-controls.js';
import { getShardTask, registerTaskModule } from './shard-tasks.js';
import { importTaskModule } from './task-modules.js';
import { now } from '../clock.js';

/** Items (paths x steps, options, ...) below which a second worker does not pay for its messages (TOOLCHAIN.md). */
const MIN_ITEMS_PER_WORKER = 5e4;

/** Options of {@link runShards}: the shared {@link ParallelOptions} plus the task, its job and its shards. */
export interface RunShardsOptions<J = unknown> extends ParallelOptions {
  /** A registered shard task (see shard-tasks.ts), e.g. `'philoxSum'`. */
  task: string;
  /** The job: plain data and typed arrays (structured-cloneable; sent once to each worker). */
  job: J;
  /**
   * Number of shards: an integer in [0, MAX_POOL_SHARDS = 2^22]; shard k is a fixed slice of the
   * job, whatever the workers.
   */
  shards: number;
  /**
   * First shard index (default 0): the run covers shards [firstShard, firstShard + shards), e.g.
   * one machine's share of a job split across machines. Results are still in shard order. An
   * integer >= 0 with firstShard + shards <= 2^32.
   */
  firstShard?: number;
  /**
   * 1 runs every shard in this thread on the caller's engine (no worker overhead). n > 1 uses up
   * to n workers. `'auto'` (default): the core count, capped by `shards` and by `items / 5e4`
   * when `items` is given; 1 means in-thread.
   */
  workers?: number | 'auto';
  /** Size of the whole job in elementary items (e.g. paths x steps; finite, >= 0), used only by `workers: 'auto'`. */
  items?: number;
  /** Cancels the run: no more shards are handed out, busy workers are terminated, the promise rejects with AbortedError. */
  signal?: AbortSignal;
  /** Called after each completed shard with the fraction done: increasing, ending at exactly 1. */
  onProgress?: (fraction: number) => void;
  /**
   * Called with each shard's accumulator as it arrives, in completion order (not shard order): for
   * a streaming, bounded-memory merge (Monte Carlo's `ShardMerger.add(index, acc)`). Before `onProgress`.
   */
  onShard?: (index: number, values: Float64Array) => void;
  /** A pool of your own (see createWorkerPool); default: the shared pool of the engine's module. */
  pool?: WorkerPool;
  /**
   * The compiled kernels for the workers when the engine is WASM and was not created from the
   * default build (workers must run the same binary as the caller for identical results).
   */
  module?: WebAssembly.Module;
  /** Task modules (URLs of modules exporting `shardTasks`) for tasks not registered in shard-tasks.ts. */
  taskModules?: readonly (URL | string)[];
  /** Worker script override (see worker-host.ts for the default in each environment). */
  workerUrl?: URL | string;
}

/** Options of {@link runShardsInto}: those of {@link runShards} plus the output block length. */
export interface RunShardsIntoOptions<J = unknown> extends RunShardsOptions<J> {
  /**
   * Elements per shard block (an integer >= 1): shard firstShard + j writes
   * output[j shardLength, min((j + 1) shardLength, output.length)).
   */
  shardLength: number;
}

/** Keys of {@link RunShardsOptions}, and of {@link RunShardsIntoOptions}. */
const RUN_SHARDS_KEYS = [
  'task', 'job', 'shards', 'firstShard', 'workers', 'items', 'signal', 'onProgress', 'onShard', 'pool', 'module', 'taskModules', 'workerUrl',
] as const satisfies readonly (keyof RunShardsOptions)[];
const RUN_SHARDS_INTO_KEYS = [...RUN_SHARDS_KEYS, 'shardLength'] as const satisfies readonly (keyof RunShardsIntoOptions)[];
// Both directions: every key of the types is listed.
const _allRunShardsKeys: Exclude<keyof RunShardsIntoOptions, (typeof RUN_SHARDS_INTO_KEYS)[number]> extends never ? true : never = true;
void _allRunShardsKeys;

/** Yield to the event loop at most this often while running in-thread (so `signal` can fire). */
const YIELD_EVERY_MS = 15;

/**
 * Run shards [0, shards) of `task` and resolve with their accumulators in shard order.
 * @throws (rejects) InputError for malformed options (before any work); AbortedError when
 * `signal` aborts (at once if it already has); WorkerError if a worker cannot start or dies; any
 * error a task throws, as its own class with its fields.
 * @example
 * const accs = await runShards(engine, { task: 'philoxSum', job, shards: 64, workers: 2 });
 * // accs[k] is shard k's [sum, sumSq, count], identical for workers 1, 2, 3, ...
 */
export async function runShards<J>(engine: EngineContext, options: RunShardsOptions<J>): Promise<Float64Array[]> {
  if (options !== null && typeof options === 'object') checkKeys(options, RUN_SHARDS_KEYS, '');
  return run(engine, options, undefined);
}

/**
 * Run shards whose task writes a block of output each (paths, per-portfolio values): shard k fills
 * `output[k shardLength, ...)`. When `output` is on a SharedArrayBuffer (see {@link allocateOutput};
 * Node always, browsers when cross-origin isolated) workers write it in place and send back only
 * "done"; otherwise each block comes back as a transferred message and is copied in here.
 * Resolves with `output`.
 * @throws (rejects) InputError for a malformed output or options; AbortedError, WorkerError, or what the task threw.
 */
export async function runShardsInto<J>(engine: EngineContext, output: Float64Array, options: RunShardsIntoOptions<J>): Promise<Float64Array> {
  if (!(output instanceof Float64Array)) throw new InputError('output', output, 'a Float64Array');
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an object');
  checkKeys(options, RUN_SHARDS_INTO_KEYS, '');
  const { shardLength, shards } = options;
  if (typeof shardLength !== 'number' || !Number.isInteger(shardLength) || shardLength < 1 || shardLength > MAX_OUTPUT_LENGTH) {
    throw new InputError('shardLength', shardLength, `an integer in [1, ${MAX_OUTPUT_LENGTH}]`);
  }
  if (Number.isInteger(shards) && shards > 0 && (output.length > shards * shardLength || output.length <= (shards - 1) * shardLength)) {
    throw new InputError('output', output, `a Float64Array of length in ((shards - 1) shardLength, shards shardLength] = (${(shards - 1) * shardLength}, ${shards * shardLength}]`);
  }
  await run(engine, options, { output, shardLength });
  return output;
}

/** Largest {@link allocateOutput} length: 2^32 doubles (32 GiB), the most a typed array may hold in V8 and other engines. */
export const MAX_OUTPUT_LENGTH = 2 ** 32;

/**
 * A Float64Array for {@link runShardsInto}: on a SharedArrayBuffer where workers can share it
 * (Node; browsers when `crossOriginIsolated`), else on a plain ArrayBuffer (blocks then travel
 * as messages).
 * @throws InputError unless `length` is an integer in [0, MAX_OUTPUT_LENGTH], or when this
 * environment cannot allocate that much memory (naming `length`).
 */
export function allocateOutput(length: number): Float64Array {
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > MAX_OUTPUT_LENGTH) {
    throw new InputError('length', length, `an integer in [0, ${MAX_OUTPUT_LENGTH}]`);
  }
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  try {
    if (typeof SharedArrayBuffer !== 'undefined' && isolated !== false) return new Float64Array(new SharedArrayBuffer(length * 8));
    return new Float64Array(length);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError('length', length, `a length this environment can allocate (${e.message})`);
    throw e;
  }
}

async function run<J>(
  engine: EngineContext, options: RunShardsOptions<J>, block: { output: Float64Array; shardLength: number } | undefined,
): Promise<Float64Array[]> {
  if (engine === null || typeof engine !== 'object' || !engine.kernels || !engine.arena) throw new InputError('engine', engine, 'an Engine');
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an object');
  const { task, job, shards, firstShard = 0, workers = 'auto', items, signal, onProgress, onShard, pool, module, taskModules, workerUrl } = options;
  if (typeof task !== 'string' || task.length === 0) throw new InputError('task', task, 'the name of a registered shard task');
  checkShardRange(shards, firstShard, '');
  checkWorkers(workers, 'workers');
  if (items !== undefined && !(typeof items === 'number' && Number.isFinite(items) && items >= 0)) throw new InputError('items', items, 'a finite number >= 0');
  runControls({ signal, onProgress });
  checkCallback(onShard, 'onShard');
  if (pool !== undefined && !(pool instanceof WorkerPool)) throw new InputError('pool', pool, 'a WorkerPool');
  if (module !== undefined && !(module instanceof WebAssembly.Module)) throw new InputError('module', module, 'a WebAssembly.Module');
  if (taskModules !== undefined) checkTaskModules(taskModules, 'taskModules');
  checkWorkerUrl(workerUrl, 'workerUrl');
  if (signal?.aborted) throw new AbortedError(signal.reason, 0);

  const n = await workerCount(workers, shards, items, pool);
  if (n <= 1) return inThread(engine, task, job, firstShard, shards, signal, onProgress, onShard, taskModules ?? [], block);

  const backend = (engine as { backend?: string }).backend;
  const usePool = pool ?? sharedPool(
    backend === 'js' ? null : module ?? (engine as { module?: WebAssembly.Module }).module ?? await compileWasm(defaultWasmUrl()),
    engine.chunkSize, taskModules ?? [], workerUrl, n,
  );
  return usePool.run({ task, job, shards, firstShard, maxWorkers: n, signal, onProgress, onShard, output: block?.output, shardLength: block?.shardLength });
}

async function workerCount(workers: number | 'auto', shards: number, items: number | undefined, pool: WorkerPool | undefined): Promise<number> {
  if (workers !== 'auto') return Math.min(workers, Math.max(shards, 1));
  const cores = pool ? pool.size : (await loadWorkerHost().catch(() => ({ parallelism: 1 }))).parallelism;
  let n = Math.min(cores, shards);
  if (items !== undefined) n = Math.min(n, Math.floor(items / MIN_ITEMS_PER_WORKER));
  return Math.max(1, n);
}

const importedTaskModules = new Map<string, Promise<void>>();

async function inThread(
  engine: EngineContext, task: string, job: unknown, first: number, shards: number, signal: AbortSignal | undefined,
  onProgress: ((f: number) => void) | undefined, onShard: ((i: number, v: Float64Array) => void) | undefined, taskModules: readonly (URL | string)[],
  block: { output: Float64Array; shardLength: number } | undefined,
): Promise<Float64Array[]> {
  for (const u of taskModules) {
    const url = String(u);
    let p = importedTaskModules.get(url);
    if (!p) {
      p = importTaskModule(url).then((m: unknown) => registerTaskModule(m, url));
      importedTaskModules.set(url, p);
      p.catch(() => importedTaskModules.delete(url));
    }
    await p;
  }
  const fn = getShardTask(task);
  const results: Float64Array[] = [];
  let lastYield = now();
  for (let j = 0; j < shards; j++) {
    const s = first + j;
    if (now() - lastYield > YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      lastYield = now();
    }
    if (signal?.aborted) throw new AbortedError(signal.reason, j);
    if (block) {
      const { output, shardLength } = block;
      const out = output.subarray(Math.min(j * shardLength, output.length), Math.min((j + 1) * shardLength, output.length));
      const values = fn(engine, job, s, out);
      if (values !== out) out.set(values);
      results.push(new Float64Array(0));
    } else {
      const values = fn(engine, job, s);
      // A view of the engine heap would be overwritten by the next shard: keep a copy.
      results.push(values.buffer === engine.arena.views.u8.buffer ? values.slice() : values);
    }
    onShard?.(s, results[j]!);
    onProgress?.((j + 1) / shards);
  }
  return results;
}

// Shared pools: one per (module, chunk size, task modules, worker script), grown to the largest
// worker count asked of it. Idle workers never keep Node alive; closeSharedPools() ends them.
const shared = new Map<string, { module: WebAssembly.Module | null; pool: WorkerPool }[]>();

function sharedPool(
  module: WebAssembly.Module | null, chunkSize: number, taskModules: readonly (URL | string)[], workerUrl: URL | string | undefined, workers: number,
): WorkerPool {
  const key = JSON.stringify([chunkSize, taskModules.map(String), workerUrl === undefined ? null : String(workerUrl)]);
  let list = shared.get(key);
  if (!list) shared.set(key, (list = []));
  let entry = list.find((e) => e.module === module && !e.pool.closed);
  if (!entry) {
    entry = { module, pool: new WorkerPool({ module, workers, chunkSize, taskModules, workerUrl }) };
    list.push(entry);
  }
  entry.pool.growTo(workers);
  return entry.pool;
}

/**
 * The shared pools `runShards` created (diagnostics, tests).
 * @throws Nothing.
 */
export function sharedPools(): WorkerPool[] {
  return [...shared.values()].flat().map((e) => e.pool).filter((p) => !p.closed);
}

/**
 * Terminate every shared pool's workers (tests, hot reload, before `process.exit`-free shutdown).
 * @throws Nothing (runs still going on those pools reject with WorkerError).
 */
export async function closeSharedPools(): Promise<void> {
  const pools = [...shared.values()].flat().map((e) => e.pool);
  shared.clear();
  await Promise.all(pools.map((p) => p.close()));
}
