/**
 * A pool of workers, each with its own engine, fed shard indices from a work queue.
 *
 * Shards go to whichever worker is free (dynamic assignment keeps every core busy when shards
 * take uneven time); results are stored by shard index, so what the caller gets back does not
 * depend on the assignment. Workers start lazily, on the first run that needs them, and are
 * reused by later runs.
 *
 * Lifecycle: `close()` terminates every worker and rejects runs still going. In Node, idle workers
 * are `unref()`ed, so a pool that is never closed does not keep the process alive; busy ones are
 * `ref()`ed until their shard is back. A worker that crashes is dropped (its run rejects with
 * `WorkerError`) and replaced on demand; workers cancelled by an abort are terminated and replaced
 * the same way.
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { keyList } from '../batch-inputs.js';
import { MAX_POOL_SHARDS, MAX_SHARD_INDEX_END } from './limits.js';
import { AbortedError, WorkerError, WorkerExit, rebuildError } from './errors.js';
import { PROTOCOL_VERSION, type FromWorker } from './protocol.js';
import type { Host, HostWorker } from './worker-host.js';
import { checkCallback, checkSignal, checkWorkers, checkWorkerUrl } from './run-controls.js';

/**
 * Options of {@link WorkerPool}. `workers` and `workerUrl` mean what they mean in `ParallelOptions`
 * (options.ts, which names this class, so the pool does not import it back).
 */
export interface WorkerPoolOptions {
  /** Number of workers (an integer in [1, 1024]) or `'auto'` (the number of cores). Default `'auto'`. */
  workers?: number | 'auto';
  /**
   * The compiled kernels every worker instantiates (`createEngineSync(module)`); `null` for the
   * pure-JS twin. Results are bit-identical to the caller's engine only with the same build.
   */
  module: WebAssembly.Module | null;
  /** Engine chunk size in the workers (elements per kernel call, an integer in [1, 2^22]). Default 16384. */
  chunkSize?: number;
  /** URLs of task modules (export `shardTasks`) each worker imports before its first shard. */
  taskModules?: readonly (URL | string)[];
  /** Worker script, when the default resolution does not fit (see worker-host.ts). */
  workerUrl?: URL | string;
}

/** One run handed to {@link WorkerPool.run}. */
export interface PoolRun {
  task: string;
  job: unknown;
  /** Number of shards: an integer in [0, MAX_POOL_SHARDS = 2^22]. */
  shards: number;
  /** Index of the first shard: the run covers shards [firstShard, firstShard + shards). Default 0. */
  firstShard?: number;
  /** At most this many workers of the pool work on this run (an integer >= 1). Default: all. */
  maxWorkers?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** Called with each shard's accumulator as it arrives (any order), before `onProgress`. */
  onShard?: (index: number, values: Float64Array) => void;
  /** Block output: shard firstShard + j fills output[j shardLength, (j + 1) shardLength) (shared memory: in the worker). */
  output?: Float64Array;
  /** Elements per shard block (an integer >= 1; required with `output`). */
  shardLength?: number;
}

// Both directions: every key of the types is listed (keyList).
const POOL_OPTION_KEYS = keyList<WorkerPoolOptions>()(['workers', 'module', 'chunkSize', 'taskModules', 'workerUrl']);
const POOL_RUN_KEYS = keyList<PoolRun>()([
  'task', 'job', 'shards', 'firstShard', 'maxWorkers', 'signal', 'onProgress', 'onShard', 'output', 'shardLength',
]);

interface Slot {
  id: number;
  worker: HostWorker;
  /** Runs whose job this worker holds. */
  jobs: Set<number>;
  busy: { run: RunState; index: number } | null;
  dead: boolean;
}

interface RunState {
  id: number;
  spec: PoolRun;
  shared: boolean;
  next: number;
  done: number;
  inFlight: number;
  results: (Float64Array | null)[];
  finished: boolean;
  resolve(v: Float64Array[]): void;
  reject(e: unknown): void;
  onAbort?: () => void;
}

/**
 * The host of this thread (worker-host.ts, loaded with the first run that needs it: the
 * worker_threads / Worker glue is not part of a cold `import('riskwasm')`).
 * @throws (rejects) WorkerError when there is no worker support or the module cannot be loaded.
 */
export function loadWorkerHost(): Promise<Host> {
  return import('./worker-host.js').then(
    (m) => m.loadHost(),
    (e: unknown) => {
      throw new WorkerError('could not load the worker host module', e);
    },
  );
}

let nextPoolId = 0;
let nextRunId = 0;

/** True when `a` lives on a SharedArrayBuffer (workers can write it in place). */
export function isShared(a: Float64Array): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

/**
 * A worker pool bound to one compiled module. Create with {@link createWorkerPool} (or let
 * `runShards` use the shared pool of its engine's module). See the module comment for lifecycle.
 */
export class WorkerPool {
  /** Unique id (diagnostics). */
  readonly id = nextPoolId++;
  readonly module: WebAssembly.Module | null;
  readonly chunkSize: number;
  readonly taskModules: readonly string[];
  readonly workerUrl?: URL | string;
  private sizeWanted: number | 'auto';
  private host?: Host;
  private readonly slots: Slot[] = [];
  private readonly runs: RunState[] = [];
  private slotIds = 0;
  private isClosed = false;
  private terminations: Promise<void>[] = [];
  /** Workers started over the pool's life (tests: replacement after an abort or a crash). */
  spawned = 0;

  /**
   * A pool with the given options (same as {@link createWorkerPool}).
   * @throws InputError for malformed options (workers start lazily, on the first run).
   */
  constructor(options: WorkerPoolOptions) {
    if (options === null || typeof options !== 'object') throw new InputError('options', options, 'an object');
    checkKeys(options, POOL_OPTION_KEYS, 'options');
    const { module, workers = 'auto', chunkSize = 16384, taskModules = [], workerUrl } = options;
    if (module !== null && !(typeof WebAssembly !== 'undefined' && module instanceof WebAssembly.Module)) {
      throw new InputError('options.module', module, 'a WebAssembly.Module or null (JS twin)');
    }
    checkWorkers(workers, 'options.workers');
    if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 1 << 22) {
      throw new InputError('options.chunkSize', chunkSize, 'an integer in [1, 4194304]');
    }
    checkTaskModules(taskModules, 'options.taskModules');
    checkWorkerUrl(workerUrl, 'options.workerUrl');
    this.module = module;
    this.sizeWanted = workers;
    this.chunkSize = chunkSize;
    this.taskModules = taskModules.map(String);
    this.workerUrl = workerUrl;
  }

  /** Maximum number of workers ('auto' resolves to the core count on first use). */
  get size(): number {
    return this.sizeWanted === 'auto' ? (this.host?.parallelism ?? 1) : this.sizeWanted;
  }

  /** Workers currently alive (started and not terminated). */
  get liveWorkers(): number {
    return this.slots.length;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** @internal let a shared pool grow to the largest worker count asked of it. */
  growTo(workers: number): void {
    if (this.sizeWanted !== 'auto' && workers > this.sizeWanted) this.sizeWanted = workers;
  }

  /**
   * Run shards [0, shards) of `task` on `job`; resolves with one Float64Array per shard, in shard
   * order (empty arrays in block-output mode, where the values are in `output`).
   * @throws (rejects) AbortedError, WorkerError, or whatever the task threw, rebuilt as its class.
   */
  async run(spec: PoolRun): Promise<Float64Array[]> {
    checkPoolRun(spec);
    if (this.isClosed) throw new WorkerError('the pool is closed');
    if (spec.signal?.aborted) throw new AbortedError(spec.signal.reason, 0);
    this.host ??= await loadWorkerHost();
    if (this.isClosed) throw new WorkerError('the pool is closed');
    if (spec.signal?.aborted) throw new AbortedError(spec.signal.reason, 0);
    return new Promise<Float64Array[]>((resolve, reject) => {
      const run: RunState = {
        id: nextRunId++, spec, shared: spec.output !== undefined && isShared(spec.output),
        next: 0, done: 0, inFlight: 0, results: new Array<Float64Array | null>(spec.shards).fill(null),
        finished: false, resolve, reject,
      };
      if (spec.shards === 0) return resolve([]);
      if (spec.signal) {
        run.onAbort = () => this.fail(run, new AbortedError(spec.signal!.reason, run.done), true);
        spec.signal.addEventListener('abort', run.onAbort, { once: true });
      }
      this.runs.push(run);
      this.pump();
    });
  }

  /**
   * Terminate every worker; runs still going reject with WorkerError. Idempotent.
   * @throws Nothing.
   */
  async close(): Promise<void> {
    if (!this.isClosed) {
      this.isClosed = true;
      for (const run of [...this.runs]) this.fail(run, new WorkerError('the pool was closed during the run'), false);
      for (const slot of [...this.slots]) this.kill(slot);
    }
    await Promise.all(this.terminations);
  }

  // ---------------------------------------------------------------------------------------------

  private spawn(): Slot {
    const worker = this.host!.spawn(this.workerUrl);
    const slot: Slot = { id: this.slotIds++, worker, jobs: new Set(), busy: null, dead: false };
    this.spawned++;
    worker.listen((m) => this.onMessage(slot, m), (cause) => this.onFailure(slot, cause));
    worker.post({ type: 'init', module: this.module, chunkSize: this.chunkSize, taskModules: [...this.taskModules] });
    this.slots.push(slot);
    return slot;
  }

  private kill(slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    slot.worker.unref();
    this.terminations.push(slot.worker.terminate().catch(() => undefined));
  }

  /** Hand out shards: each free worker takes the next shard of the oldest run that wants workers. */
  private pump(): void {
    for (;;) {
      const run = this.runs.find((r) => r.next < r.spec.shards && r.inFlight < (r.spec.maxWorkers ?? Infinity));
      if (!run) break;
      let slot = this.slots.find((s) => s.busy === null);
      if (!slot) {
        if (this.slots.length >= this.size) break;
        try {
          slot = this.spawn();
        } catch (e) {
          this.fail(run, e instanceof WorkerError ? e : new WorkerError('could not start a worker', e), false);
          continue;
        }
      }
      if (!slot.jobs.has(run.id)) {
        slot.jobs.add(run.id);
        const s = run.spec;
        try {
          slot.worker.post({
            type: 'job', run: run.id, task: s.task, job: s.job,
            firstShard: s.firstShard ?? 0, output: run.shared ? s.output! : null, outputLength: s.output?.length ?? 0, shardLength: s.output ? s.shardLength! : 0,
          });
        } catch (e) {
          // DataCloneError: the job is not structured-cloneable.
          slot.jobs.delete(run.id);
          this.fail(run, new InputError('job', s.job, `a structured-cloneable job (${e instanceof Error ? e.message : String(e)})`), false);
          continue;
        }
      }
      const index = (run.spec.firstShard ?? 0) + run.next++;
      run.inFlight++;
      slot.busy = { run, index };
      slot.worker.ref();
      slot.worker.post({ type: 'shard', run: run.id, index });
    }
  }

  private release(slot: Slot): void {
    slot.busy = null;
    slot.worker.unref();
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (slot.dead) return;
    if (m.type === 'ready') {
      if (m.protocol !== PROTOCOL_VERSION) {
        this.onFailure(slot, new WorkerError(`the worker script speaks protocol ${m.protocol}, this pool ${PROTOCOL_VERSION}: a stale build? (npm run build)`));
      }
      return;
    }
    if (m.type === 'error' && m.index < 0) {
      // The worker could not build its engine or import a task module: it is of no use.
      return this.onFailure(slot, rebuildError(m.error), true);
    }
    const busy = slot.busy;
    if (!busy || busy.run.id !== m.run || busy.index !== m.index) return;
    const run = busy.run;
    run.inFlight--;
    this.release(slot);
    if (!run.finished) {
      if (m.type === 'error') {
        this.fail(run, rebuildError(m.error), false);
      } else {
        this.complete(run, m.index, m.values);
      }
    }
    this.pump();
  }

  private complete(run: RunState, index: number, values: Float64Array | null): void {
    const { output, shardLength } = run.spec;
    const j = index - (run.spec.firstShard ?? 0);
    if (output && !run.shared && values) output.set(values.subarray(0, Math.max(0, Math.min(shardLength!, output.length - j * shardLength!))), j * shardLength!);
    run.results[j] = output ? new Float64Array(0) : values;
    run.done++;
    try {
      run.spec.onShard?.(index, run.results[j]!);
      run.spec.onProgress?.(run.done / run.spec.shards);
    } catch (e) {
      return this.fail(run, e, false);
    }
    if (run.finished) return; // onProgress aborted the run
    if (run.done === run.spec.shards) {
      this.finish(run);
      run.resolve(run.results as Float64Array[]);
    }
  }

  /** A worker failed: drop it; its run (or, for a failed start, every run it was serving) rejects. */
  private onFailure(slot: Slot, cause: unknown, rebuilt = false): void {
    if (slot.dead) return;
    const run = slot.busy?.run;
    this.kill(slot);
    if (run && !run.finished) {
      run.inFlight--;
      // The run is lost: free its other workers at once too (replaced on demand).
      this.fail(run, rebuilt ? cause : hostFailure(cause), true);
    }
    this.pump();
  }

  private finish(run: RunState): void {
    run.finished = true;
    const i = this.runs.indexOf(run);
    if (i >= 0) this.runs.splice(i, 1);
    if (run.onAbort) run.spec.signal!.removeEventListener('abort', run.onAbort);
    for (const slot of this.slots) {
      if (slot.jobs.delete(run.id)) slot.worker.post({ type: 'end', run: run.id });
    }
  }

  /**
   * Reject a run. On abort, workers still computing its shards are terminated (replaced on
   * demand) so the caller is not kept waiting and the cores are free at once; after a task error
   * they finish their current shard, whose result is dropped.
   */
  private fail(run: RunState, error: unknown, terminateBusy: boolean): void {
    if (run.finished) return;
    this.finish(run);
    if (terminateBusy) {
      for (const slot of [...this.slots]) if (slot.busy?.run === run) this.kill(slot);
    }
    run.reject(error);
    queueMicrotask(() => this.pump());
  }
}

/** The WorkerError for a failure the host reported (an exit keeps its code as `exitCode`). */
function hostFailure(cause: unknown): WorkerError {
  if (cause instanceof WorkerError) return cause;
  if (cause instanceof WorkerExit) return new WorkerError(`a worker exited with code ${cause.exitCode} during a shard`, cause, cause.exitCode);
  return new WorkerError('a worker failed', cause);
}

/**
 * Check a shard count and first shard index: shards in [0, MAX_POOL_SHARDS], firstShard >= 0 with
 * firstShard + shards <= 2^32. Paths are `prefix + 'shards'` and `prefix + 'firstShard'`.
 * @throws InputError naming the field.
 */
export function checkShardRange(shards: unknown, firstShard: unknown, prefix: string): void {
  if (typeof shards !== 'number' || !Number.isInteger(shards) || shards < 0 || shards > MAX_POOL_SHARDS) {
    throw new InputError(`${prefix}shards`, shards, `an integer in [0, ${MAX_POOL_SHARDS}] (MAX_POOL_SHARDS: make the shards bigger)`);
  }
  if (typeof firstShard !== 'number' || !Number.isInteger(firstShard) || firstShard < 0 || firstShard + shards > MAX_SHARD_INDEX_END) {
    throw new InputError(`${prefix}firstShard`, firstShard, 'an integer >= 0 with firstShard + shards <= 2^32');
  }
}

/** @throws InputError unless `taskModules` is an array of URLs or strings. */
export function checkTaskModules(taskModules: unknown, path: string): asserts taskModules is readonly (URL | string)[] {
  if (!Array.isArray(taskModules)) throw new InputError(path, taskModules, 'an array of URLs');
  taskModules.forEach((u: unknown, i) => {
    if (!(u instanceof URL) && typeof u !== 'string') throw new InputError(`${path}[${i}]`, u, 'a URL or a string');
  });
}

/** Validate a {@link PoolRun} handed to `WorkerPool.run` directly (runShards has checked its own). */
function checkPoolRun(spec: PoolRun): void {
  if (spec === null || typeof spec !== 'object') throw new InputError('spec', spec, 'an object');
  checkKeys(spec, POOL_RUN_KEYS, 'spec');
  if (typeof spec.task !== 'string' || spec.task.length === 0) throw new InputError('spec.task', spec.task, 'the name of a registered shard task');
  checkShardRange(spec.shards, spec.firstShard ?? 0, 'spec.');
  const { maxWorkers, signal, onProgress, onShard, output, shardLength } = spec;
  if (maxWorkers !== undefined && !(typeof maxWorkers === 'number' && Number.isInteger(maxWorkers) && maxWorkers >= 1)) {
    throw new InputError('spec.maxWorkers', maxWorkers, 'an integer >= 1');
  }
  checkSignal(signal, 'spec.signal');
  checkCallback(onProgress, 'spec.onProgress');
  checkCallback(onShard, 'spec.onShard');
  if (output !== undefined) {
    if (!(output instanceof Float64Array)) throw new InputError('spec.output', output, 'a Float64Array');
    if (typeof shardLength !== 'number' || !Number.isInteger(shardLength) || shardLength < 1) throw new InputError('spec.shardLength', shardLength, 'an integer >= 1');
  }
}

/**
 * A pool of your own (closed by you). See {@link WorkerPoolOptions}.
 * @throws InputError for malformed options.
 */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  return new WorkerPool(options);
}
