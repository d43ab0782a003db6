/**
 * Importing a task module (a module exporting `shardTasks`), in a worker or in the calling thread:
 * one place, so that a module that cannot be imported is the same error whatever the worker count.
 */
import { WorkerError } from './errors.js';

/**
 * `import(url)`, with a failure (not found, syntax error, a throw at load) as a WorkerError whose
 * `cause` is the import's error.
 * @throws (rejects) WorkerError when the module cannot be imported.
 */
export async function importTaskModule(url: string): Promise<unknown> {
  try {
    return await import(/* @vite-ignore */ url);
  } catch (e) {
    throw new WorkerError(`the task module ${url} could not be imported`, e);
  }
}
