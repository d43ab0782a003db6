/**
 * The shard-task registry, imported by the main thread and by every worker. It knows no domain:
 * each domain registers its own tasks when its shard module loads (`'monteCarlo'` in
 * montecarlo/shards.ts, `'portfolioMargin'` and `'portfolioLiquidation'` in margin/), and the
 * worker script (worker-entry.ts, a composition root) imports those modules.
 *
 * A shard task is a pure function `(engine, job, shardIndex) => Float64Array`: it computes one
 * fixed slice of a job (a counter range of paths, a block of portfolios) on the engine it is given
 * and returns that slice's accumulator vector (sums, sums of squares, counts, ...) or, for
 * {@link runShardsInto}, its block of output. The same (job, shardIndex) must give the same bits on
 * any thread, so results never depend on how shards were spread over workers.
 *
 * Tasks registered by the modules worker-entry.ts imports exist in every worker. Tasks of your own go in a module
 * whose export `shardTasks` maps names to functions; pass its URL as `taskModules` and each worker
 * (and the caller's thread) imports it. See docs/parallel.md.
 */
import type { EngineContext } from '../context.js';
import { InputError, KernelError } from '../errors.js';
import { checkKeys } from '../option-keys.js';

/**
 * One shard of a job. `out`, given only by {@link runShardsInto}, is the shard's block of the
 * caller's output (on shared memory when available): write the values there and return `out`
 * (returning another array also works; the pool copies it in).
 */
export type ShardTask<J = unknown> = (engine: EngineContext, job: J, shardIndex: number, out?: Float64Array) => Float64Array;

const tasks = new Map<string, ShardTask>();

/**
 * Register (or replace) a shard task under `name` in this thread. To make a task available in
 * workers, register it in this module or put it in a task module (see the module comment).
 * @throws InputError for an empty name or a non-function.
 */
export function registerShardTask<J>(name: string, fn: ShardTask<J>): void {
  if (typeof name !== 'string' || name.length === 0) throw new InputError('name', name, 'a non-empty string');
  if (typeof fn !== 'function') throw new InputError('fn', fn, 'a function (engine, job, shardIndex) => Float64Array');
  tasks.set(name, fn as ShardTask);
}

/** The task registered under `name`. @throws InputError if there is none. */
export function getShardTask(name: string): ShardTask {
  const fn = tasks.get(name);
  if (!fn) throw new InputError('task', name, `a registered shard task (have: ${[...tasks.keys()].join(', ') || 'none'})`);
  return fn;
}

/**
 * Register every task of a table `{ name: task }` (a domain's tasks, a task module's `shardTasks`).
 * @throws InputError for an empty name or a non-function.
 */
export function registerShardTasks(table: Readonly<Record<string, ShardTask<never>>>): void {
  for (const [name, fn] of Object.entries(table)) registerShardTask(name, fn as ShardTask);
}

/** Register every function of a task module's `shardTasks` export. @throws InputError if it has none. */
export function registerTaskModule(mod: unknown, url: string): void {
  const table = (mod as { shardTasks?: unknown } | null)?.shardTasks;
  if (table === null || typeof table !== 'object') throw new InputError('taskModules', url, 'a module exporting `shardTasks` (an object of functions)');
  registerShardTasks(table as Record<string, ShardTask<never>>);
}

/**
 * Job of the built-in `'philoxSum'` task: shard k draws `drawsPerPath` standard normals
 * (Philox4x32-10, inversion) for each of the paths [k pathsPerShard, (k + 1) pathsPerShard) of
 * stream (seed, stream) and returns [sum, sum of squares, count]. Cheap, deterministic, and heavy
 * enough at scale to measure a pool's speed-up; also the pool's own test task.
 */
export interface PhiloxSumJob {
  /** Seed as two u32 words (seed = seedHi 2^32 + seedLo). */
  seedLo: number;
  seedHi: number;
  /** Philox stream (u32). */
  stream: number;
  /** Paths per shard (positive integer). */
  pathsPerShard: number;
  /** Normals per path (positive integer). */
  drawsPerPath: number;
}

const PHILOX_SUM_KEYS = ['seedLo', 'seedHi', 'stream', 'pathsPerShard', 'drawsPerPath'] as const satisfies readonly (keyof PhiloxSumJob)[];

/** Doubles per kernel call inside a philoxSum shard (1 MiB of heap). */
const PHILOX_SUM_BLOCK = 1 << 17;

function positiveInt(value: unknown, path: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) throw new InputError(path, value, `an integer in [1, ${max}]`);
  return value;
}

function u32(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new InputError(path, value, 'an integer in [0, 2^32 - 1]');
  return value;
}

/** The `'philoxSum'` task (see {@link PhiloxSumJob}). */
export function philoxSumShard(engine: EngineContext, job: PhiloxSumJob, shardIndex: number): Float64Array {
  if (job === null || typeof job !== 'object') throw new InputError('job', job, 'a PhiloxSumJob object');
  checkKeys(job, PHILOX_SUM_KEYS, 'job');
  const seedLo = u32(job.seedLo, 'job.seedLo');
  const seedHi = u32(job.seedHi, 'job.seedHi');
  const stream = u32(job.stream, 'job.stream');
  const pathsPerShard = positiveInt(job.pathsPerShard, 'job.pathsPerShard', 2 ** 31 - 1);
  const draws = positiveInt(job.drawsPerPath, 'job.drawsPerPath', 2 ** 31 - 1);
  const firstPath = shardIndex * pathsPerShard;
  if (!Number.isInteger(shardIndex) || shardIndex < 0 || firstPath + pathsPerShard > 2 ** 32) {
    throw new InputError('shardIndex', shardIndex, 'an integer >= 0 with every path index below 2^32');
  }
  const arena = engine.arena;
  const k = engine.kernels;
  let sum = 0;
  let sumSq = 0;
  // Whole paths per call when they fit, else one path in pieces: the summation order is fixed by
  // (job, shardIndex) alone.
  const rows = Math.max(1, Math.min(pathsPerShard, Math.floor(PHILOX_SUM_BLOCK / draws)));
  const cols = Math.min(draws, PHILOX_SUM_BLOCK);
  arena.reset();
  arena.reserve(rows * cols * 8 + 16);
  const p = arena.alloc(rows * cols * 8);
  for (let path = 0; path < pathsPerShard; path += rows) {
    const m = Math.min(rows, pathsPerShard - path);
    for (let offset = 0; offset < draws; offset += cols) {
      const n = Math.min(cols, draws - offset);
      const rc = k.philoxNormalPaths(m, n, seedLo, seedHi, stream, firstPath + path, offset, p);
      if (rc !== 0) throw new KernelError('philoxNormalPaths', rc);
      const f64 = arena.views.f64;
      const end = (p >>> 3) + m * n;
      for (let i = p >>> 3; i < end; i++) {
        const z = f64[i]!;
        sum += z;
        sumSq += z * z;
      }
    }
  }
  return Float64Array.of(sum, sumSq, pathsPerShard * draws);
}

registerShardTask('philoxSum', philoxSumShard);
