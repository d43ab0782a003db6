import { InputError } from './errors.js';
import { rejectUnusableView } from './resident-arrays.js';

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

/** {@link inputLength} of an input that broadcasts (a number; `'call'` / `'put'` for types; an absent optional input). */
export const SCALAR = -1;
/** {@link inputLength} of an input of the wrong type: {@link batchLength} reports it. */
export const MALFORMED = -2;

/**
 * The length one input contributes to a batch, without allocating: the array length, SCALAR for
 * a value that broadcasts, MALFORMED otherwise. The hot path of {@link batchLength}: fold the
 * inputs with {@link joinLength} and, on MALFORMED, call `batchLength` for the error it throws.
 * @param kind 0 a required number input, 1 an optional one, 2 option types.
 * @throws Nothing.
 */
export function inputLength(v: unknown, kind: 0 | 1 | 2): number {
  if (typeof v === 'number') return SCALAR;
  if (typeof v === 'string') return kind === 2 ? SCALAR : MALFORMED;
  if (v === undefined) return kind === 1 ? SCALAR : MALFORMED;
  return isArrayLike(v) ? v.length : MALFORMED;
}

/**
 * Fold one input's {@link inputLength} into the batch length so far (SCALAR before any array):
 * MALFORMED when either is, or when two arrays differ in length.
 * @throws Nothing.
 */
export function joinLength(n: number, m: number): number {
  if (n === MALFORMED || m === MALFORMED) return MALFORMED;
  if (m === SCALAR) return n;
  if (n === SCALAR || n === m) return m;
  return MALFORMED;
}

/**
 * Check every element of a numeric input before any kernel runs: a non-number in a plain array is
 * a malformed call, while NaN or an out-of-domain number is left for the kernel to flag per element.
 * @throws InputError naming `path[i]` for the first non-numeric element.
 */
export function checkNumbers(src: NumberInput, path: string): void {
  if (typeof src === 'number' || src instanceof Float64Array) return;
  if (Array.isArray(src)) {
    // The common plain array first: Array.isArray is inlined, ArrayBuffer.isView is a builtin call.
    for (let i = 0; i < src.length; i++) {
      if (typeof src[i] !== 'number') throw new InputError(`${path}[${i}]`, src[i], 'a number');
    }
    return;
  }
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
    // A loop beats the builtin's call overhead on the one-option calls.
    if (count > 16) dst.fill(src, at, at + count);
    else for (let i = 0; i < count; i++) dst[at + i] = src;
  } else if (count > 16 && ArrayBuffer.isView(src)) {
    dst.set((src as unknown as Float64Array).subarray(start, start + count), at);
  } else {
    for (let i = 0; i < count; i++) dst[at + i] = src[start + i];
  }
}

/** Copy checked option types [start, start + count) into `dst` as +1 / -1. */
export function copyTypes(dst: Int8Array, at: number, src: OptionTypeInput, start: number, count: number): void {
  if (typeof src === 'string') {
    const flag = src === 'call' ? 1 : -1;
    if (count > 16) dst.fill(flag, at, at + count);
    else for (let i = 0; i < count; i++) dst[at + i] = flag;
  } else if (src instanceof Int8Array && count > 16) {
    dst.set(src.subarray(start, start + count), at);
  } else {
    for (let i = 0; i < count; i++) {
      const v = src[start + i];
      // An Int8Array keeps its values (the kernel flags anything but +-1 per element).
      dst[at + i] = typeof v === 'number' ? v : v === 'call' ? 1 : -1;
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
 * @throws InputError when `given` is not a Float64Array of length n (a freed resident array or a
 *   view detached by a memory grow says so).
 */
export function outputArray(given: unknown, n: number, path: string): Float64Array {
  if (given === undefined) return new Float64Array(n);
  if (!(given instanceof Float64Array) || given.length !== n) {
    rejectUnusableView(given, path);
    throw new InputError(path, given, `a Float64Array of length ${n}`);
  }
  return given;
}

/**
 * Before reporting a malformed or empty batch: a freed resident array or a view detached by a
 * memory grow (length 0) among the inputs is the error to report, named by its field.
 * @throws InputError naming the first such field.
 */
export function rejectUnusableInputs(fields: readonly unknown[], paths: readonly string[]): void {
  for (let i = 0; i < fields.length; i++) rejectUnusableView(fields[i], paths[i]);
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
