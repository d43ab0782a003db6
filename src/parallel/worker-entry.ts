/**
 * The worker script: one engine per worker, built synchronously from the compiled module the pool
 * posts (no fetch, no file access in the worker), then shard after shard from the pool's queue.
 *
 * The same file runs as a Node `worker_threads` ESM worker and as a browser module Worker. Task
 * errors go back serialized (class and fields survive); the worker stays usable after them.
 *
 * This is the worker's composition root (as engine.ts is the main thread's): the one module of
 * parallel/ that imports the engine and the domains, to register their shard tasks. The rest of
 * parallel/ imports nothing above the core.
 */
import { createEngineSync, type Engine } from '../engine.js';
import { monteCarloShardTasks } from '../montecarlo/shards.js';
import { portfolioMarginShardTasks } from '../margin/portfolio-margin-shard.js';
import { portfolioLiquidationShardTasks } from '../margin/portfolio-liquidation-shard.js';
import { pricingShardTasks } from '../pricing/batch-shards.js';
import { revaluationShardTasks } from '../risk/revaluation-shards.js';
import { hedgingShardTasks } from '../hedging/hedging-shards.js'; // [hedging] simulate
import { serializeError } from './errors.js';
import { importTaskModule } from './task-modules.js';
import { PROTOCOL_VERSION, type FromWorker, type ToWorker } from './protocol.js';
import { getShardTask, registerShardTasks, registerTaskModule } from './shard-tasks.js';

interface Port {
  post(msg: FromWorker, transfer?: Transferable[]): void;
  listen(fn: (msg: ToWorker) => void): void;
}

interface RunState {
  task: string;
  job: unknown;
  firstShard: number;
  output: Float64Array | null;
  outputLength: number;
  shardLength: number;
}

// The domains' tasks, registered explicitly: an import kept only for its side effect could be
// dropped by a bundler (the package declares `sideEffects: false`).
for (const table of [monteCarloShardTasks, portfolioMarginShardTasks, portfolioLiquidationShardTasks, pricingShardTasks, revaluationShardTasks]) registerShardTasks(table);
registerShardTasks(hedgingShardTasks); // [hedging] simulate

let engine: Engine | undefined;
const runs = new Map<number, RunState>();
// Messages that arrive while `init` is still importing task modules wait here, in order.
let queue: ToWorker[] | null = [];

function start(port: Port): void {
  port.listen((msg) => {
    if (msg.type === 'init' || !queue) handle(port, msg);
    else queue.push(msg);
  });
}

function handle(port: Port, msg: ToWorker): void {
  switch (msg.type) {
    case 'init':
      return void init(port, msg);
    case 'job':
      runs.set(msg.run, { task: msg.task, job: msg.job, firstShard: msg.firstShard, output: msg.output, outputLength: msg.outputLength, shardLength: msg.shardLength });
      return;
    case 'end':
      runs.delete(msg.run);
      return;
    case 'shard':
      return shard(port, msg.run, msg.index);
  }
}

async function init(port: Port, msg: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  try {
    engine = createEngineSync(msg.module, { chunkSize: msg.chunkSize });
    for (const url of msg.taskModules) registerTaskModule(await importTaskModule(url), url);
    port.post({ type: 'ready', protocol: PROTOCOL_VERSION, backend: engine.backend });
  } catch (e) {
    port.post({ type: 'error', run: -1, index: -1, error: serializeError(e) });
  }
  const pending = queue ?? [];
  queue = null;
  for (const m of pending) handle(port, m);
}

function shard(port: Port, run: number, index: number): void {
  const state = runs.get(run);
  try {
    if (!state || !engine) throw new Error(`worker: shard ${index} of unknown run ${run}`);
    const fn = getShardTask(state.task);
    if (state.shardLength > 0) {
      // Block mode: the shard's block of the shared output, or a block of our own sent back.
      const from = Math.min((index - state.firstShard) * state.shardLength, state.outputLength);
      const to = Math.min(from + state.shardLength, state.outputLength);
      const out = state.output ? state.output.subarray(from, to) : new Float64Array(to - from);
      const values = fn(engine, state.job, index, out);
      if (values !== out) out.set(values);
      if (state.output) port.post({ type: 'result', run, index, values: null });
      else port.post({ type: 'result', run, index, values: out }, [out.buffer as ArrayBuffer]);
    } else {
      const values = fn(engine, state.job, index);
      // Transfer the buffer unless the task returned a view of something it keeps (or shared memory).
      const whole = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength && values.buffer instanceof ArrayBuffer
        && values.buffer !== engine.arena.views.u8.buffer;
      const sent = whole ? values : values.slice();
      port.post({ type: 'result', run, index, values: sent }, [sent.buffer as ArrayBuffer]);
    }
  } catch (e) {
    port.post({ type: 'error', run, index, error: serializeError(e) });
  }
}

// Browser (and Deno/Bun) workers have a global scope with postMessage; Node has parentPort.
const scope = globalThis as unknown as {
  WorkerGlobalScope?: unknown;
  postMessage?: (m: unknown, t?: Transferable[]) => void;
  addEventListener?: (t: string, f: (e: MessageEvent) => void) => void;
};
if (typeof scope.WorkerGlobalScope !== 'undefined' && typeof scope.postMessage === 'function') {
  start({
    post: (m, t) => scope.postMessage!(m, t ?? []),
    listen: (fn) => scope.addEventListener!('message', (e) => fn(e.data as ToWorker)),
  });
} else {
  // Indirect specifier: browser bundlers must not try to resolve a Node built-in.
  const threads = 'node:worker_threads';
  void import(/* @vite-ignore */ threads).then((m: typeof import('node:worker_threads')) => {
    const parent = m.parentPort;
    if (!parent) throw new Error('riskwasm worker-entry: not running in a worker');
    start({
      post: (msg, t) => parent.postMessage(msg, (t ?? []) as never),
      listen: (fn) => parent.on('message', fn),
    });
  });
}
