import { InputError } from './errors.js';

/**
 * Argument guards for the public free functions (the batch entry points have batch-inputs.ts).
 * A malformed call must end in an InputError naming the argument, never in a TypeError from deep
 * inside (`Cannot read properties of undefined`) or a loop over `length: Infinity`.
 */

/** The largest array a free function accepts: far above any real use, far below what exhausts memory. */
export const MAX_ARGUMENT_LENGTH = 2 ** 28;

/** @throws InputError unless `v` is a number (any number: domain checks are the caller's). */
export function requireNumber(v: unknown, path: string): number {
  if (typeof v !== 'number') throw new InputError(path, v, 'a number');
  return v;
}

/** @throws InputError unless `v` is a finite number. */
export function requireFinite(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(path, v, 'a finite number');
  return v;
}

/** @throws InputError unless `v` is an integer in [min, max]. */
export function requireInteger(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new InputError(path, v, `an integer in [${min}, ${max}]`);
  return v;
}

/**
 * @throws InputError unless `v` is an array or typed array (or array-like object) whose length is
 * an integer in [minLength, maxLength].
 */
export function requireArrayLike(v: unknown, path: string, minLength = 0, maxLength = MAX_ARGUMENT_LENGTH): ArrayLike<unknown> {
  if (v === null || typeof v !== 'object' || v instanceof DataView) throw new InputError(path, v, 'an array');
  const n = (v as { length?: unknown }).length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < minLength || n > maxLength) {
    throw new InputError(`${path}.length`, n, `an integer in [${minLength}, ${maxLength}]`);
  }
  return v as ArrayLike<unknown>;
}

/**
 * An array of numbers: every element a number (NaN allowed: it is data, flagged downstream).
 * @throws InputError naming `path` (bad container or length) or `path[i]` (the first non-number).
 */
export function requireNumberArray(v: unknown, path: string, minLength = 0, maxLength = MAX_ARGUMENT_LENGTH): ArrayLike<number> {
  const a = requireArrayLike(v, path, minLength, maxLength);
  if (a instanceof Float64Array || a instanceof Float32Array) return a as ArrayLike<number>;
  if (ArrayBuffer.isView(a) && typeof (a as unknown as ArrayLike<unknown>)[0] === 'bigint') throw new InputError(path, v, 'a number array (not BigInt)');
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') throw new InputError(`${path}[${i}]`, a[i], 'a number');
  return a as ArrayLike<number>;
}

/** @throws InputError unless `v` is a non-null, non-array object (an options or record argument). */
export function requireRecord(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) throw new InputError(path, v, 'an object');
  return v as Record<string, unknown>;
}

/** @throws InputError unless `v` is a function. */
export function requireFunction<F extends (...args: never[]) => unknown>(v: unknown, path: string): F {
  if (typeof v !== 'function') throw new InputError(path, v, 'a function');
  return v as F;
}
