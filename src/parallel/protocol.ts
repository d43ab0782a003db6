/**
 * Messages between the pool and its workers (all structured-cloneable).
 *
 * pool -> worker: `init` once (module or null for the JS twin, chunk size, task modules), then per
 * run a `job` (the job is cloned once per worker, not per shard), any number of `shard`s, and `end`.
 * worker -> pool: `ready` (or `error` with index -1 if the engine or a task module failed), then
 * one `result` or `error` per shard.
 */
import type { SerializedError } from './errors.js';

/** Bumped whenever a message changes shape; the worker echoes it in `ready`. */
export const PROTOCOL_VERSION = 1;

export type ToWorker =
  | { type: 'init'; module: WebAssembly.Module | null; chunkSize: number; taskModules: string[] }
  /** Block mode when shardLength > 0: `output` is the shared output, or null (blocks travel back as messages). */
  | { type: 'job'; run: number; task: string; job: unknown; firstShard: number; output: Float64Array | null; outputLength: number; shardLength: number }
  | { type: 'shard'; run: number; index: number }
  | { type: 'end'; run: number };

export type FromWorker =
  | { type: 'ready'; protocol: number; backend: string }
  /** `values` is null when the shard was written into a shared output. */
  | { type: 'result'; run: number; index: number; values: Float64Array | null }
  | { type: 'error'; run: number; index: number; error: SerializedError };
