import { InputError } from './errors.js';

/** A numeric batch input: one number (broadcast to the batch) or one value per element. */
export type NumberInput = number | ArrayLike<number>;

/** Option type: one for the batch, one per element, or an Int8Array of +1 (call) / -1 (put). */
export type OptionTypeInput = OptionType | ArrayLike<OptionType> | Int8Array;

/** `'call'` or `'put'`. */
export type OptionType = 'call' | 'put';

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  if (v === null || typeof v !== 'object') return false;
  const len = (v as { length?: unknown }).length;
  return typeof len === 'number' && Number.isInteger(len) && len >= 0;
}

/**
 * The batch length implied by a set of inputs: arrays must agree, scalars broadcast; all scalars
 * give a batch of one. Optional inputs may be `undefined`.
 * @throws InputError naming the first field of the wrong type or with a mismatched length.
 */
export function batchLength(fields: Record<string, unknown>, optional: readonly string[] = []): number {
  let n = -1;
  let firstArray = '';
  for (const path in fields) {
    const v = fields[path];
    if (v === undefined && optional.includes(path)) continue;
    if (typeof v === 'number' || (typeof v === 'string' && path === 'types')) continue;
    if (!isArrayLike(v) || typeof v === 'string') {
      throw new InputError(path, v, path === 'types' ? "'call', 'put', an array of them or an Int8Array of +1/-1" : 'a number or an array of numbers');
    }
    if (n < 0) {
      n = v.length;
      firstArray = path;
    } else if (v.length !== n) {
      throw new InputError(path, v, `length ${n} (the length of ${firstArray})`);
    }
  }
  return n < 0 ? 1 : n;
}

/**
 * Check every element of a numeric input before any kernel runs: a non-number in a plain array is
 * a malformed call, while NaN or an out-of-domain number is left for the kernel to flag per element.
 * @throws InputError naming `path[i]` for the first non-numeric element.
 */
export function checkNumbers(src: NumberInput, path: string): void {
  if (typeof src === 'number' || src instanceof Float64Array) return;
  if (ArrayBuffer.isView(src)) {
    if (src instanceof DataView || typeof (src as unknown as ArrayLike<unknown>)[0] === 'bigint') {
      throw new InputError(path, src, 'a number array (not BigInt or DataView)');
    }
    return;
  }
  for (let i = 0; i < src.length; i++) {
    if (typeof src[i] !== 'number') throw new InputError(`${path}[${i}]`, src[i], 'a number');
  }
}

/**
 * Check every element of an option-type input before any kernel runs.
 * @throws InputError naming `types[i]` for anything but 'call' / 'put' / +1 / -1 (an Int8Array's
 * other values are flagged per element by the kernel instead).
 */
export function checkTypes(src: OptionTypeInput, path = 'types'): void {
  if (typeof src === 'string') {
    typeFlag(src, path);
    return;
  }
  if (src instanceof Int8Array) return;
  for (let i = 0; i < src.length; i++) typeFlag(src[i], `${path}[${i}]`);
}

/** Copy elements [start, start + count) of a checked numeric input into `dst` at `at` (a scalar fills). */
export function copyNumbers(dst: Float64Array, at: number, src: NumberInput, start: number, count: number): void {
  if (typeof src === 'number') {
    dst.fill(src, at, at + count);
  } else if (ArrayBuffer.isView(src) && count > 16) {
    dst.set((src as unknown as Float64Array).subarray(start, start + count), at);
  } else {
    for (let i = 0; i < count; i++) dst[at + i] = src[start + i];
  }
}

/** Copy checked option types [start, start + count) into `dst` as +1 / -1. */
export function copyTypes(dst: Int8Array, at: number, src: OptionTypeInput, start: number, count: number): void {
  if (typeof src === 'string') {
    dst.fill(src === 'call' ? 1 : -1, at, at + count);
  } else if (src instanceof Int8Array) {
    dst.set(src.subarray(start, start + count), at);
  } else {
    for (let i = 0; i < count; i++) {
      const v = src[start + i];
      dst[at + i] = v === 'call' || (v as unknown) === 1 ? 1 : -1;
    }
  }
}

function typeFlag(v: unknown, path: string): number {
  if (v === 'call' || v === 1) return 1;
  if (v === 'put' || v === -1) return -1;
  throw new InputError(path, v, "'call' or 'put'");
}

/**
 * A caller-supplied output array, checked for type and length; or a fresh one.
 * @throws InputError when `given` is not a Float64Array of length n.
 */
export function outputArray(given: unknown, n: number, path: string): Float64Array {
  if (given === undefined) return new Float64Array(n);
  if (!(given instanceof Float64Array) || given.length !== n) throw new InputError(path, given, `a Float64Array of length ${n}`);
  return given;
}

/** @throws InputError unless `v` is one of `allowed` (or undefined, giving `fallback`). */
export function enumOption<T extends string>(v: unknown, allowed: readonly T[], fallback: T, path: string): T {
  return v === undefined ? fallback : requireEnum(v, allowed, path);
}

/** @throws InputError unless `v` is one of `allowed` (undefined included: a required field). */
export function requireEnum<T extends string>(v: unknown, allowed: readonly T[], path: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new InputError(path, v, allowed.map((a) => `'${a}'`).join(' or '));
  }
  return v as T;
}

/** @throws InputError unless `v` is a plain object. */
export function requireObject(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(path, v, 'an object');
  return v as Record<string, unknown>;
}

/** @throws InputError unless `v` is a boolean (or undefined, giving `fallback`). */
export function booleanOption(v: unknown, fallback: boolean, path: string): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new InputError(path, v, 'true or false');
  return v;
}

type KeysOf<T> = readonly (keyof T)[];
type Complete<T, K extends readonly PropertyKey[]> = [Exclude<keyof T, K[number]>] extends [never] ? K : never;

/**
 * The allowed keys of an options type, for `checkKeys`, checked in both directions against the
 * type: a key added to the type but not listed, or listed but not in the type, fails to compile.
 * @example const KEYS = keyList<RunOptions>()(['workers', 'signal']);
 */
export function keyList<T>() {
  return <const K extends KeysOf<T>>(keys: Complete<T, K>): readonly string[] => keys as readonly string[];
}
