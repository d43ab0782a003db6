/**
 * Errors of the worker pool, and how any error crosses a worker boundary with its class and fields.
 *
 * Structured clone keeps an Error's message but not its class or own fields, so a worker sends
 * {@link SerializedError} (name, code, message, stack and the riskwasm fields) and the main thread
 * rebuilds the same class: an `InputError` thrown by a task in a worker is an `InputError` with the
 * same `path` and `value` in the caller.
 */
import { hasOwn } from '../data-tables.js';
import { InputError, KernelError, RiskwasmError, WasmUnavailableError } from '../errors.js';

/**
 * A sharded run (Monte Carlo, or any worker-pool task) stopped because its `signal` was aborted.
 * `code` is `'ABORTED'`; `name` is `'AbortError'`, the DOM convention, so code that checks
 * `e.name === 'AbortError'` treats it like a cancelled `fetch`. `reason` is `signal.reason`;
 * `shardsDone` says how many shards had finished. One class for the in-thread drivers and the
 * pool, so that callers catch one class.
 */
export class AbortedError extends RiskwasmError {
  readonly reason: unknown;
  readonly shardsDone: number;
  constructor(reason: unknown, shardsDone: number) {
    super('ABORTED', `run aborted after ${shardsDone} shard(s)`);
    this.name = 'AbortError';
    this.reason = reason;
    this.shardsDone = shardsDone;
  }
}

/**
 * A worker could not start (script not found, no worker support, a task module that cannot be
 * imported), died (out of memory, `process.exit` in a task), or a message could not be cloned.
 * `cause` holds what the host reported (for a task module, the import's error); `exitCode` the
 * exit code of a Node worker that exited. Errors thrown *by a task* are not wrapped: they arrive
 * as their own class.
 */
export class WorkerError extends RiskwasmError {
  override readonly cause: unknown;
  /** Exit code of a worker that exited (Node `process.exit(code)` in a task); undefined otherwise. */
  readonly exitCode?: number;
  constructor(message: string, cause?: unknown, exitCode?: number) {
    super('WORKER', message);
    this.name = 'WorkerError';
    this.cause = cause;
    if (exitCode !== undefined) this.exitCode = exitCode;
  }
}

/**
 * What the Node host reports when a worker exits on its own: an Error whose own enumerable
 * `exitCode` survives `JSON.stringify` and structured clone (an Error's message does not).
 */
export class WorkerExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`the worker exited with code ${exitCode}`);
    this.name = 'WorkerExit';
    this.exitCode = exitCode;
  }
}

/** An error flattened for `postMessage`: every field is structured-cloneable. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  /** Own enumerable fields besides name/message/stack/code (path, value, kernel, status, ...). */
  fields: Record<string, unknown>;
  /** False when the thrown value was not an Error (then `message` is its String()). */
  isError: boolean;
  /** Whether it was a RiskwasmError (an unknown subclass is rebuilt as RiskwasmError with its code). */
  riskwasm: boolean;
}

function cloneable(v: unknown): unknown {
  if (v === undefined || v === null || typeof v !== 'object' && typeof v !== 'function') {
    return typeof v === 'symbol' ? String(v) : v;
  }
  try {
    return structuredClone(v);
  } catch {
    return String(v);
  }
}

/** Flatten a thrown value for `postMessage` (never throws). */
export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), fields: { thrown: cloneable(e) }, isError: false, riskwasm: false };
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(e)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'code') continue;
    fields[key] = key === 'cause' ? serializeCause(e.cause) : cloneable((e as unknown as Record<string, unknown>)[key]);
  }
  // `cause` set by the Error constructor's options is own but not enumerable.
  if (!('cause' in fields) && hasOwn(e, 'cause')) fields.cause = serializeCause(e.cause);
  const code = (e as { code?: unknown }).code;
  // A string code travels as `code`; any other code (a number, say) as a field.
  if (code !== undefined && typeof code !== 'string') fields.code = cloneable(code);
  return { name: e.name, message: e.message, stack: e.stack, code: typeof code === 'string' ? code : undefined, fields, isError: true, riskwasm: e instanceof RiskwasmError };
}

function serializeCause(cause: unknown): unknown {
  return cause instanceof Error ? serializeError(cause) : cloneable(cause);
}

const NATIVE: Record<string, new (message: string) => Error> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};

/**
 * Rebuild a serialized error as its class: riskwasm's classes (`InputError`, `KernelError`,
 * `WasmUnavailableError`, `AbortedError`, `WorkerError`, other `RiskwasmError`s by `code`) and the
 * native ones; any other class becomes an `Error` with the same name. Fields and message are
 * restored exactly; the stack is the worker's, with a line saying so.
 */
export function rebuildError(s: SerializedError): Error {
  const f = s.fields;
  let e: Error;
  if (!s.isError) {
    e = new WorkerError(`a task threw a non-Error value: ${s.message}`, f.thrown);
    return e;
  }
  const cause = isSerialized(f.cause) ? rebuildError(f.cause) : f.cause;
  switch (s.name) {
    case 'InputError':
      e = new InputError(String(f.path), f.value, '');
      break;
    case 'KernelError':
      e = new KernelError(String(f.kernel), Number(f.status));
      break;
    case 'WasmUnavailableError':
      e = new WasmUnavailableError(s.message, cause);
      break;
    case 'WorkerError':
      e = new WorkerError(s.message, cause, typeof f.exitCode === 'number' ? f.exitCode : undefined);
      break;
    case 'AbortError':
      e = s.code === 'ABORTED' ? new AbortedError(f.reason, Number(f.shardsDone)) : new Error(s.message);
      break;
    default:
      if (s.riskwasm && s.code === 'INPUT') e = new InputError(String(f.path), f.value, ''); // subclasses such as CsvRowError
      else if (s.riskwasm) e = new RiskwasmError(s.code ?? 'UNKNOWN', s.message);
      else e = new (NATIVE[s.name] ?? Error)(s.message);
  }
  // Restore name, message, code and any remaining own fields verbatim (subclasses: CsvRowError,
  // InputError's suggestion, a foreign class's code, ...). A field the constructor already set
  // (path, kernel, ...) is kept; one it declared but left undefined (suggestion) is restored.
  for (const [key, value] of Object.entries(f)) {
    if (key !== 'cause' && key in e && (e as unknown as Record<string, unknown>)[key] !== undefined) continue;
    Object.defineProperty(e, key, { value: key === 'cause' ? cause : value, enumerable: true, writable: true, configurable: true });
  }
  if (s.code !== undefined && (e as { code?: unknown }).code === undefined) {
    Object.defineProperty(e, 'code', { value: s.code, enumerable: true, writable: true, configurable: true });
  }
  Object.defineProperty(e, 'message', { value: s.message, enumerable: false, writable: true, configurable: true });
  if (e.name !== s.name) Object.defineProperty(e, 'name', { value: s.name, enumerable: false, writable: true, configurable: true });
  if (s.stack) e.stack = `${s.stack}\n    (thrown in a worker; rebuilt in the caller)`;
  return e;
}

function isSerialized(v: unknown): v is SerializedError {
  return typeof v === 'object' && v !== null && typeof (v as SerializedError).name === 'string' && 'fields' in v && 'isError' in v;
}
