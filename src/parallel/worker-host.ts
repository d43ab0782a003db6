/**
 * Starting workers in Node (`worker_threads`) and in browsers (module `Worker`) behind one small
 * interface, and finding the worker script in each setting:
 *
 * - Browser, source or bundled: `new Worker(new URL('./worker-entry.js', import.meta.url), { type:
 *   'module' })`, written literally so Vite (dev server and `vite build`) and webpack 5 recognise the
 *   pattern, bundle the worker and rewrite the URL. Vite's resolver maps the `.js` specifier to
 *   `worker-entry.ts` when this file is itself TypeScript (vitest's browser project).
 * - Node from `dist/` (the published package): `dist/parallel/worker-entry.js` beside this module.
 * - Node from `src/` (vitest runs the TypeScript sources; Node 20 workers cannot load `.ts`): the
 *   built twin `dist/parallel/worker-entry.js` of the same tree. `npm test` builds first; a
 *   missing build is a `WorkerError` that says so.
 * - Anywhere: the `workerUrl` option overrides all of the above (custom hosting, CSP, bundlers
 *   that do not understand the pattern).
 */
import { WorkerError, WorkerExit } from './errors.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** One worker, whatever the host. */
export interface HostWorker {
  post(msg: ToWorker, transfer?: Transferable[]): void;
  /** Messages, and failures: a thrown error in the worker's global scope, a failed load, an exit. */
  listen(onMessage: (msg: FromWorker) => void, onFailure: (cause: unknown) => void): void;
  /** Keep (Node) the process alive while this worker is busy; no-op in browsers. */
  ref(): void;
  /** Let (Node) the process exit while this worker is idle; no-op in browsers. */
  unref(): void;
  terminate(): Promise<void>;
}

/** How to start workers here, and how many cores there are. */
export interface Host {
  kind: 'node' | 'web';
  parallelism: number;
  spawn(workerUrl?: URL | string): HostWorker;
}

type NodeWorkerCtor = typeof import('node:worker_threads').Worker;

let hostPromise: Promise<Host> | undefined;

const NODE_ENTRY = './worker-entry.js';
// src/parallel/worker-host.ts -> dist/parallel/worker-entry.js (tsconfig: rootDir src, outDir dist).
const NODE_ENTRY_FROM_SOURCE = '../../dist/parallel/worker-entry.js';

/** The host of this thread (resolved once). @throws WorkerError when there is no worker support. */
export function loadHost(): Promise<Host> {
  hostPromise ??= detect().catch((e: unknown) => {
    hostPromise = undefined;
    throw e instanceof WorkerError ? e : new WorkerError('workers are not available in this environment', e);
  });
  return hostPromise;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

async function detect(): Promise<Host> {
  // A browser (or a browser-like runtime with Worker) first: vitest's Chromium project may define
  // a `process` shim, and Deno/Bun have `Worker` too.
  if (typeof (globalThis as { Worker?: unknown }).Worker === 'function' && !isNode()) return webHost();
  if (isNode()) return nodeHost();
  throw new WorkerError('no Worker constructor and not Node: workers are not available here');
}

function webHost(): Host {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return {
    kind: 'web',
    parallelism: Math.max(1, nav?.hardwareConcurrency ?? 1),
    spawn(workerUrl) {
      const w = workerUrl === undefined
        ? new Worker(new URL('./worker-entry.js', import.meta.url), { type: 'module' })
        : new Worker(workerUrl, { type: 'module' });
      return {
        post: (m, t) => w.postMessage(m, t ?? []),
        listen(onMessage, onFailure) {
          w.addEventListener('message', (e) => onMessage(e.data as FromWorker));
          w.addEventListener('error', (e) => {
            e.preventDefault();
            onFailure((e as ErrorEvent).error ?? (e as ErrorEvent).message ?? 'the worker script failed to load or threw');
          });
          w.addEventListener('messageerror', () => onFailure('a message from the worker could not be deserialized'));
        },
        ref() {},
        unref() {},
        terminate: async () => w.terminate(),
      };
    },
  };
}

async function nodeHost(): Promise<Host> {
  // Indirect specifiers so browser bundlers never try to resolve Node built-ins.
  const threadsName = 'node:worker_threads';
  const osName = 'node:os';
  const fsName = 'node:fs';
  const [threads, os, fs] = await Promise.all([
    import(/* @vite-ignore */ threadsName) as Promise<typeof import('node:worker_threads')>,
    import(/* @vite-ignore */ osName) as Promise<typeof import('node:os')>,
    import(/* @vite-ignore */ fsName) as Promise<typeof import('node:fs')>,
  ]);
  const Ctor: NodeWorkerCtor = threads.Worker;
  const parallelism = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  let defaultUrl: URL | undefined;
  const entry = (): URL => {
    if (defaultUrl) return defaultUrl;
    const fromSource = /\.[cm]?tsx?$/.test(new URL(import.meta.url).pathname);
    // Non-literal specifiers: bundlers must not copy these Node-only files as browser assets.
    const url = new URL(fromSource ? NODE_ENTRY_FROM_SOURCE : NODE_ENTRY, import.meta.url);
    if (url.protocol === 'file:' && !fs.existsSync(url)) {
      throw new WorkerError(
        fromSource
          ? `running from TypeScript sources, Node workers load the built ${url.pathname}, which does not exist: run \`npm run build\` (or pass workerUrl)`
          : `the worker script ${url.pathname} is missing (pass workerUrl)`,
      );
    }
    return (defaultUrl = url);
  };
  return {
    kind: 'node',
    parallelism: Math.max(1, parallelism),
    spawn(workerUrl) {
      const url = workerUrl === undefined ? entry() : workerUrl instanceof URL ? workerUrl : new URL(workerUrl);
      const w = new Ctor(url);
      let exited = false;
      return {
        post: (m, t) => w.postMessage(m, (t ?? []) as never),
        listen(onMessage, onFailure) {
          w.on('message', (m: FromWorker) => onMessage(m));
          w.on('error', (e) => onFailure(e));
          w.on('messageerror', (e) => onFailure(e));
          w.on('exit', (code) => {
            if (!exited) onFailure(new WorkerExit(code));
            exited = true;
          });
        },
        ref: () => w.ref(),
        unref: () => w.unref(),
        async terminate() {
          if (exited) return;
          exited = true;
          await w.terminate();
        },
      };
    },
  };
}
