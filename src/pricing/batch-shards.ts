/**
 * The element-wise pricing kernels (Black-Scholes, Black-76, implied vol) as batch layouts, and
 * their split over the worker pool: the `'pricingBatch'` shard task and the driver behind the
 * `workers` option of `engine.blackScholes`, `engine.black76` and `engine.impliedVol`.
 *
 * Shard k covers elements [k shardSize, (k + 1) shardSize) and writes one block of the output:
 * its `width` f64 columns (column stride shardSize), then its status bytes packed into
 * ceil(shardSize / 8) doubles. Each element's arithmetic depends on that element alone (the fuzz
 * test holds single vs batch bit-identical), so any split over workers gives the bits of one
 * thread. With shared memory (Node; browsers when cross-origin isolated) the inputs are copied once
 * into SharedArrayBuffers and the workers write their blocks in place; otherwise the job is cloned
 * to each worker and the blocks come back as transferred messages.
 */
import type { EngineContext } from '../context.js';
import { hasOwn } from '../data-tables.js';
import { InputError } from '../errors.js';
import { requireInteger, requireRecord } from '../arguments.js';
import { copyNumbers, copyTypes, type NumberInput, type OptionTypeInput } from '../batch-inputs.js';
import { BatchKernel, bindResident, refreshInput, runKernel, type BatchFrame } from '../batch-runner.js';
import { isLinearMemory } from '../memory-arena.js';
import { liveView, residentArraysInUse, type ResidentBlock } from '../resident-arrays.js';
import { AbortedError } from '../parallel/errors.js';
import type { ParallelOptions } from '../parallel/options.js';
import { PARALLEL_OPTION_KEYS } from '../parallel/options.js';
import { WorkerPool } from '../parallel/pool.js';
import { checkWorkers, checkWorkerUrl, runControls } from '../parallel/run-controls.js';
import { allocateOutput, runShardsInto } from '../parallel/run-shards.js';
import { registerShardTasks } from '../parallel/shard-tasks.js';

/** Greek columns, in kernel output order after the price. */
export const GREEK_NAMES = ['delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'] as const;

/** The columns of the pricing kernels' output block, in order: the price, then (with greeks) the seven greeks. */
export const PRICING_OUTPUTS = ['price', ...GREEK_NAMES] as const;

/** {@link PRICING_OUTPUTS} as the InputError paths of `out`'s fields. */
export const PRICING_OUT_PATHS: readonly string[] = PRICING_OUTPUTS.map((name) => `out.${name}`);

/** Black-Scholes: spots, strikes, expiries, vols, rates, dividendYields, types; flag0 = greeks. */
export const BLACK_SCHOLES_KERNEL = new BatchKernel(
  'blackScholesBatch', [8, 8, 8, 8, 8, 8, 1], ['spots', 'strikes', 'expiries', 'vols', 'rates', 'dividendYields', 'types'], PRICING_OUT_PATHS,
  (k, m, p, greeks, _unused, pOut, pStatus) => k.blackScholesBatch(m, p[0], p[1], p[2], p[3], p[4], p[5], p[6], greeks, pOut, pStatus),
);

/** Black-76: forwards, strikes, expiries, vols, discountFactors, types; flag0 = greeks, flag1 = coin. */
export const BLACK76_KERNEL = new BatchKernel(
  'black76Batch', [8, 8, 8, 8, 8, 1], ['forwards', 'strikes', 'expiries', 'vols', 'discountFactors', 'types'], PRICING_OUT_PATHS,
  (k, m, p, greeks, coin, pOut, pStatus) => k.black76Batch(m, p[0], p[1], p[2], p[3], p[4], p[5], coin, greeks, pOut, pStatus),
);

/** Implied vol: prices, forwards, strikes, expiries, discountFactors, types; flag1 = coin. */
export const IMPLIED_VOL_KERNEL = new BatchKernel(
  'impliedVolatilityBatch', [8, 8, 8, 8, 8, 1], ['prices', 'forwards', 'strikes', 'expiries', 'discountFactors', 'types'], ['out'],
  (k, m, p, _unused, coin, pOut, pStatus) => k.impliedVolatilityBatch(m, p[0], p[1], p[2], p[3], p[4], p[5], coin, pOut, pStatus),
);

/** The kernels a {@link PricingBatchJob} may name. */
export type PricingBatchKernel = 'blackScholes' | 'black76' | 'impliedVol';

const KERNELS: ReadonlyMap<string, BatchKernel> = new Map([
  ['blackScholes', BLACK_SCHOLES_KERNEL], ['black76', BLACK76_KERNEL], ['impliedVol', IMPLIED_VOL_KERNEL],
]);

/**
 * Below this many elements a call with `workers` runs in the calling thread (same result, as a
 * resolved Promise): starting or messaging a worker costs about as much as pricing this many
 * options (~3-6 ms price, ~2 ms implied vol on one core), so a second thread could not win.
 */
export const IN_THREAD_BELOW: Readonly<Record<PricingBatchKernel, number>> = { blackScholes: 65536, black76: 65536, impliedVol: 16384 };

/** Most shards per call: each costs a message round trip, and 32 keep two to eight cores busy to the end. */
const TARGET_SHARDS = 32;

/** Job of the `'pricingBatch'` shard task (structured-cloneable). */
export interface PricingBatchJob {
  kernel: PricingBatchKernel;
  /** Batch length. */
  n: number;
  /** Elements per shard (the last shard may have fewer). */
  shardSize: number;
  /** f64 output columns per element: 1 (price or vol), 8 (price and the seven greeks). */
  width: number;
  /** The kernel's flags (see the kernel layouts above). */
  flag0: number;
  flag1: number;
  /** Input columns in kernel order: a number (f64 column) or 'call' / 'put' (types) broadcast, else a Float64Array / Int8Array of length n. */
  columns: readonly (number | string | Float64Array | Int8Array)[];
}

/** Doubles of one shard's output block. */
export function pricingBlockLength(width: number, shardSize: number): number {
  return width * shardSize + Math.ceil(shardSize / 8);
}

const checkedJobs = new WeakSet<object>();

function checkJob(value: unknown): { job: PricingBatchJob; kernel: BatchKernel } {
  const j = requireRecord(value, 'job') as unknown as PricingBatchJob;
  const kernel = typeof j.kernel === 'string' ? KERNELS.get(j.kernel) : undefined;
  if (kernel === undefined) throw new InputError('job.kernel', j.kernel, "'blackScholes', 'black76' or 'impliedVol'");
  if (checkedJobs.has(j)) return { job: j, kernel };
  const n = requireInteger(j.n, 'job.n', 1, 2 ** 32);
  requireInteger(j.shardSize, 'job.shardSize', 1, 2 ** 28);
  requireInteger(j.width, 'job.width', 1, j.kernel === 'impliedVol' ? 1 : 8);
  if (j.width !== 1 && j.width !== 8) throw new InputError('job.width', j.width, '1 or 8');
  requireInteger(j.flag0, 'job.flag0', 0, 1);
  requireInteger(j.flag1, 'job.flag1', 0, 1);
  if (!Array.isArray(j.columns) || j.columns.length !== kernel.bytes.length) throw new InputError('job.columns', j.columns, `an array of ${kernel.bytes.length} columns`);
  j.columns.forEach((c: unknown, i) => {
    const f64 = kernel.bytes[i] === 8;
    const ok = f64 ? typeof c === 'number' || (c instanceof Float64Array && c.length === n) : c === 'call' || c === 'put' || (c instanceof Int8Array && c.length === n);
    if (!ok) throw new InputError(`job.columns[${i}]`, c, f64 ? `a number or a Float64Array of length ${n}` : `'call', 'put' or an Int8Array of length ${n}`);
  });
  checkedJobs.add(j);
  return { job: j, kernel };
}

/**
 * The `'pricingBatch'` task: prices (or inverts) the elements of shard `shardIndex` into its block
 * (`out`, or a new array). See {@link PricingBatchJob} and the module comment for the layout.
 * @throws InputError for a malformed job or shard index; KernelError.
 */
export function pricingBatchShard(engine: EngineContext, job: PricingBatchJob, shardIndex: number, out?: Float64Array): Float64Array {
  const { job: j, kernel } = checkJob(job);
  const S = j.shardSize;
  const first = shardIndex * S;
  if (!Number.isInteger(shardIndex) || shardIndex < 0 || first >= j.n) throw new InputError('shardIndex', shardIndex, `an integer in [0, ${Math.ceil(j.n / S) - 1}]`);
  const count = Math.min(S, j.n - first);
  const len = pricingBlockLength(j.width, S);
  const block = out ?? new Float64Array(len);
  if (block.length < len) throw new InputError('out', block, `a block of ${len} doubles`);
  const f = kernel.acquire();
  for (let c = 0; c < j.columns.length; c++) f.data[c] = j.columns[c];
  f.nOut = j.width;
  for (let o = 0; o < j.width; o++) f.outs[o] = block.subarray(o * S, o * S + count);
  f.flag0 = j.flag0;
  f.flag1 = j.flag1;
  const status = new Uint8Array(block.buffer, block.byteOffset + j.width * S * 8, count);
  runKernel(engine, kernel, f, first, count, status, 0);
  kernel.release(f);
  return block;
}

/** The pricing domain's shard tasks (registered here and by the worker script). */
export const pricingShardTasks = { pricingBatch: pricingBatchShard } as const;
registerShardTasks(pricingShardTasks);

/** The option keys a batch call accepts together with `workers` (those of `ParallelOptions`). */
export const BATCH_PARALLEL_KEYS: readonly string[] = PARALLEL_OPTION_KEYS;

/**
 * Options of a batch on the worker pool: `ParallelOptions` with `workers` given. A call with
 * `workers` returns a Promise of the result the synchronous call returns, bit for bit. Input
 * arrays are copied once into shared memory (Node; browsers when cross-origin isolated), except
 * Float64Arrays (Int8Array types) that already live on a SharedArrayBuffer; without shared memory
 * each worker receives a copy of the inputs and sends its blocks back as messages.
 */
export interface BatchParallelOptions extends ParallelOptions {
  /**
   * n >= 1 workers at most (an integer in [1, 1024]) or `'auto'` (the core count, capped by the
   * batch). 1, or a batch below `IN_THREAD_BELOW`, runs in this thread.
   */
  workers: number | 'auto';
}

/** The checked pool options of a batch call. */
export interface CheckedParallel {
  workers: number | 'auto';
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  pool?: WorkerPool;
  workerUrl?: URL | string;
}

/**
 * Check the pool options of a batch call made with `workers` (keys already checked).
 * @throws InputError naming `workers`, `signal`, `onProgress`, `pool` or `workerUrl`.
 */
export function checkBatchParallel(a: Record<string, unknown>): CheckedParallel {
  const workers = a.workers;
  checkWorkers(workers, 'workers');
  const { signal, onProgress } = runControls(a);
  const pool = a.pool;
  if (pool !== undefined && !(pool instanceof WorkerPool)) throw new InputError('pool', pool, 'a WorkerPool');
  const workerUrl = a.workerUrl;
  checkWorkerUrl(workerUrl, 'workerUrl');
  return { workers, signal, onProgress, pool: pool as WorkerPool | undefined, workerUrl };
}

/**
 * @throws InputError for the first pool option (`signal`, `pool`, ...) given without `workers`:
 * it would be ignored by the synchronous call.
 */
export function rejectParallelKeys(a: Record<string, unknown>): void {
  for (const key of BATCH_PARALLEL_KEYS) {
    if (a[key] !== undefined && hasOwn(a, key)) throw new InputError(key, a[key], 'absent unless workers is given (the Promise form)');
  }
}

/** Whether this host can share memory with workers (SharedArrayBuffer, and not a page without cross-origin isolation). */
export function sharedMemory(): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

/** A checked input column as a job column: scalars stay, arrays become a Float64Array / Int8Array (on shared memory when available). */
function jobColumn(data: unknown, bytes: 8 | 1, n: number, share: boolean): number | string | Float64Array | Int8Array {
  if (typeof data === 'number' || typeof data === 'string') return data;
  // A view over an engine's linear memory (a resident array) is always copied: posted as it is, it
  // would clone the whole memory, or fail once a grow detached it before the post.
  if (bytes === 8) {
    if (data instanceof Float64Array && (!share || data.buffer instanceof SharedArrayBuffer) && !isLinearMemory(data.buffer)) return data;
    const col = share ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
    copyNumbers(col, 0, data as NumberInput, 0, n);
    return col;
  }
  if (data instanceof Int8Array && (!share || data.buffer instanceof SharedArrayBuffer) && !isLinearMemory(data.buffer)) return data;
  const col = share ? new Int8Array(new SharedArrayBuffer(n)) : new Int8Array(n);
  copyTypes(col, 0, data as OptionTypeInput, 0, n);
  return col;
}

/**
 * Run a checked batch (a frame with its inputs, flags and `nOut` output columns of length n) on
 * the worker pool, or in this thread for 1 worker or a small batch, filling the frame's outputs
 * and `status`. Releases the frame before it awaits anything. Resident arrays (engine.allocateArray)
 * are copied to the workers like any input; a resident `out` is written after the workers finish,
 * through a view of the heap as it is then (it may have grown meanwhile).
 * @returns the output columns (the frame's, or fresh views of resident ones).
 * @throws (rejects) AbortedError, WorkerError; what a worker threw; InputError for a freed or
 *   detached resident array, or a resident `out` freed before the workers finished.
 */
export async function runBatchOnWorkers(
  ctx: EngineContext, name: PricingBatchKernel, kernel: BatchKernel, f: BatchFrame, n: number, status: Uint8Array, p: CheckedParallel,
): Promise<Float64Array[]> {
  const width = f.nOut;
  if (p.workers === 1 || n < IN_THREAD_BELOW[name]) {
    let done: Float64Array[];
    try {
      if (p.signal?.aborted) throw new AbortedError(p.signal.reason, 0);
      runKernel(ctx, kernel, f, 0, n, status, 0);
      done = f.outs.slice(0, width); // runKernel may have refreshed a resident out's view
    } finally {
      kernel.release(f);
    }
    p.onProgress?.(1);
    return done;
  }
  const outs = f.outs.slice(0, width);
  const shardSize = Math.max(Math.ceil(IN_THREAD_BELOW[name] / 8), Math.ceil(n / TARGET_SHARDS));
  const shards = Math.ceil(n / shardSize);
  const share = sharedMemory();
  let job: PricingBatchJob;
  // Resident outputs: their blocks, offsets and lengths, to write through the heap as it is after the await.
  let outBlocks: (ResidentBlock | undefined)[] | undefined;
  let outAt: number[] = [];
  let outLength: number[] = [];
  try {
    if (residentArraysInUse()) {
      bindResident(ctx, kernel, f);
      outBlocks = f.outBlock.slice(0, width);
      outAt = f.outAt.slice(0, width);
      outLength = f.outLength.slice(0, width);
    }
    // With resident arrays about, locked as the synchronous copy is: an input getter may not
    // allocate, free or price on this engine while the columns are copied (a grow would detach the
    // resident views being read). Without them, as before: such a getter is harmless here.
    const lock = outBlocks !== undefined && !ctx.arena.copying; // (never release an outer call's lock)
    if (lock) ctx.arena.copying = true;
    try {
      const columns = f.data.map((_, c) => {
        // An input of another engine's heap, which a getter of an earlier column may have grown.
        if (outBlocks !== undefined) refreshInput(kernel, f, c);
        return jobColumn(f.data[c], kernel.bytes[c], n, share);
      });
      job = { kernel: name, n, shardSize, width, flag0: f.flag0, flag1: f.flag1, columns };
    } finally {
      if (lock) ctx.arena.copying = false;
    }
  } finally {
    kernel.release(f);
  }
  const shardLength = pricingBlockLength(width, shardSize);
  const output = allocateOutput(shards * shardLength);
  await runShardsInto(ctx, output, {
    task: 'pricingBatch', job, shards, shardLength, workers: p.workers, items: n * (name === 'impliedVol' ? 8 : 1),
    signal: p.signal, onProgress: p.onProgress, pool: p.pool, workerUrl: p.workerUrl,
  });
  if (outBlocks !== undefined) {
    // The block's own heap: `out` may live in another engine's memory, which may have grown too.
    for (let o = 0; o < width; o++) {
      const b = outBlocks[o];
      if (b !== undefined) outs[o] = liveView(outs[o], b, outAt[o], outLength[o], kernel.outPaths[o]);
    }
  }
  for (let k = 0; k < shards; k++) {
    const first = k * shardSize;
    const count = Math.min(shardSize, n - first);
    const base = k * shardLength;
    for (let o = 0; o < width; o++) outs[o].set(output.subarray(base + o * shardSize, base + o * shardSize + count), first);
    status.set(new Uint8Array(output.buffer, output.byteOffset + (base + width * shardSize) * 8, count), first);
  }
  return outs;
}
