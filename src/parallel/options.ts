/**
 * The options every parallel entry point shares (`runShards`, `portfolioMarginParallel`,
 * `portfolioLiquidationPriceParallel`, the pool's options in part): one type, extended where a
 * call needs more. Their checks are in run-controls.ts.
 */
import { keyList } from '../batch-inputs.js';
import type { WorkerPool } from './pool.js';

/** Options shared by the calls that may run on the worker pool. */
export interface ParallelOptions {
  /**
   * 1 runs in this thread on the caller's engine; n > 1 uses up to n workers (an integer in
   * [1, 1024]); `'auto'`: the core count, capped by the work. Each call states its default.
   */
  workers?: number | 'auto';
  /** Aborts the run: no more shards are handed out, busy workers are terminated, the promise rejects with AbortedError. */
  signal?: AbortSignal;
  /** Called after each completed shard with the fraction done: increasing, ending at exactly 1. */
  onProgress?: (fraction: number) => void;
  /** A pool of your own (see createWorkerPool); default: the shared pool of the engine's module. */
  pool?: WorkerPool;
  /** Worker script override (custom hosting, strict CSP, other bundlers; see worker-host.ts). */
  workerUrl?: URL | string;
}

/** The keys of {@link ParallelOptions}, checked both ways against the type. */
export const PARALLEL_OPTION_KEYS = keyList<ParallelOptions>()(['workers', 'signal', 'onProgress', 'pool', 'workerUrl']);
