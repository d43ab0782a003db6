/**
 * The checks of the options every parallel call shares (`ParallelOptions`, options.ts): worker count,
 * abort signal, callbacks, worker script. One set of guards for the pool, `runShards`, the Monte
 * Carlo drivers and the margin batches, so the same malformed option is the same InputError.
 */
import { InputError } from '../errors.js';

/** @throws InputError (at `path`) unless `workers` is an integer in [1, 1024] or `'auto'`. */
export function checkWorkers(workers: unknown, path: string): asserts workers is number | 'auto' {
  if (workers !== 'auto' && !(typeof workers === 'number' && Number.isInteger(workers) && workers >= 1 && workers <= 1024)) {
    throw new InputError(path, workers, "an integer in [1, 1024] or 'auto'");
  }
}

/** @throws InputError (at `path`) unless `signal` is undefined or looks like an AbortSignal. */
export function checkSignal(signal: unknown, path: string): asserts signal is AbortSignal | undefined {
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof (signal as { aborted?: unknown }).aborted !== 'boolean')) {
    throw new InputError(path, signal, 'an AbortSignal');
  }
}

/** @throws InputError (at `path`) unless `fn` is undefined or a function (a progress or shard callback). */
export function checkCallback(fn: unknown, path: string): void {
  if (fn !== undefined && typeof fn !== 'function') throw new InputError(path, fn, 'a function');
}

/** @throws InputError (at `path`) unless `url` is undefined, a URL or a string. */
export function checkWorkerUrl(url: unknown, path: string): asserts url is URL | string | undefined {
  if (url !== undefined && !(url instanceof URL) && typeof url !== 'string') throw new InputError(path, url, 'a URL or a string');
}

/**
 * The run controls of a call: `signal` and `onProgress`, checked.
 * @param prefix the options object's path (`'options'`), or `''` when they sit at the top level.
 * @throws InputError for a malformed signal or callback.
 */
export function runControls(
  options: { signal?: unknown; onProgress?: unknown }, prefix = '',
): { signal?: AbortSignal; onProgress?: (fraction: number) => void } {
  const at = (key: string): string => (prefix === '' ? key : `${prefix}.${key}`);
  const { signal, onProgress } = options;
  checkSignal(signal, at('signal'));
  checkCallback(onProgress, at('onProgress'));
  return { signal, onProgress: onProgress as ((fraction: number) => void) | undefined };
}
