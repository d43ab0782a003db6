/**
 * Argument checks shared by the market-risk entry points: plain objects with known keys, arrays
 * with a sane length, enums, bounded integers. Each throws an InputError naming the field path.
 *
 * Documented upper bounds (they keep every allocation and loop proportional to what the caller
 * can reasonably ask for; a larger request is an InputError, never a RangeError or a hang):
 * - {@link HORIZON_DAYS_MAX}: horizons in days (10,000 days, about 27 years);
 * - {@link SIMULATIONS_MAX}: simulated paths and scenarios (10^7: 80 MB of P&L);
 * - {@link BOOTSTRAP_SAMPLES_MAX}: bootstrap resamples (10^6);
 * - {@link STUDENT_T_NU_MAX}: Student-t degrees of freedom given as options (10^6);
 * - {@link WEIGHTS_LENGTH_MAX}: age weights (10^7).
 */
import { InputError } from '../errors.js';
import { checkKeys } from '../option-keys.js';
import { requireInteger, requireRecord } from '../arguments.js';
import { booleanOption, enumOption, keyList, requireEnum } from '../batch-inputs.js';
import { MemoryArena } from '../memory-arena.js';
import type { EngineContext } from '../context.js';

/**
 * Largest Student-t degrees of freedom accepted as an option: the library's t quantile and density
 * (log-gamma differences) lose accuracy beyond about 1e7, and at 1e6 the t VaR is within 4e-6
 * (relative) of the normal one: use the normal method for larger nu.
 */
export const STUDENT_T_NU_MAX = 1_000_000;
/** Largest horizon in days accepted by `valueAtRisk` and Monte Carlo scenarios. */
export const HORIZON_DAYS_MAX = 10_000;
/** Largest number of simulated paths / scenarios (`simulations`, `monteCarlo.paths`, `esSimulations`). */
export const SIMULATIONS_MAX = 10_000_000;
/** Largest number of bootstrap resamples (`bootstrap.samples`). */
export const BOOTSTRAP_SAMPLES_MAX = 1_000_000;
/** Longest weight vector `ageWeights` builds (80 MB; far beyond any daily history). */
export const WEIGHTS_LENGTH_MAX = 10_000_000;

/** The keys of an options type, checked at compile time to be exactly the type's keys: `keyList` of batch-inputs.ts. */
export const keysOf = keyList;

const pathOf = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/**
 * `v` must be a plain (non-array) object whose keys are all in `allowed`.
 * @param path the object's path (`''` for top-level arguments: keys are reported bare).
 * @param name how to name the object itself when it is not an object (`'args'` for top level).
 */
export function checkOptions(v: unknown, allowed: readonly string[], path: string, name = path): Record<string, unknown> {
  const o = requireRecord(v, name);
  checkKeys(o, allowed, path);
  return o;
}

/** Optional nested options object (undefined passes through). */
export function optionalOptions(v: unknown, allowed: readonly string[], path: string): Record<string, unknown> | undefined {
  return v === undefined ? undefined : checkOptions(v, allowed, path);
}

/**
 * An array-like whose `length` is a non-negative safe integer of at least `min` (elements are the
 * caller's to check). Strings and functions are rejected.
 */
export function checkArrayLike(v: unknown, path: string, min = 0, what = 'an array of numbers'): ArrayLike<unknown> {
  if (v === null || typeof v !== 'object') throw new InputError(path, v, what);
  const n = (v as { length?: unknown }).length;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new InputError(path, v, what);
  if (n < min) throw new InputError(path, v, `${what} with at least ${min} elements`);
  return v as ArrayLike<unknown>;
}

/** A true array (Array.isArray) of at least `min` elements. */
export function checkArray(v: unknown, path: string, min = 0, what = 'an array'): readonly unknown[] {
  if (!Array.isArray(v)) throw new InputError(path, v, what);
  if (v.length < min) throw new InputError(path, v, `${what} with at least ${min} elements`);
  return v;
}

/** An array of strings. */
export function checkStrings(v: unknown, path: string, min = 0): string[] {
  const a = checkArray(v, path, min, 'an array of strings');
  a.forEach((s, i) => { if (typeof s !== 'string') throw new InputError(`${path}[${i}]`, s, 'a string'); });
  return [...(a as string[])];
}

/** One of `values` (or `fallback` when undefined). */
export function checkEnum<T extends string>(v: unknown, values: readonly T[], path: string, fallback?: T): T {
  return v === undefined && fallback !== undefined ? fallback : requireEnum(v, values, path);
}

/** An integer in [min, max] (or `fallback` when undefined). */
export function checkInt(v: unknown, path: string, min: number, max: number, fallback?: number): number {
  return v === undefined && fallback !== undefined ? fallback : requireInteger(v, path, min, max);
}

/** A finite number, optionally > 0 or >= 0 (or `fallback` when undefined). */
export function checkNumber(v: unknown, path: string, sign: 'any' | 'positive' | 'nonNegative' = 'any', fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || (sign === 'positive' && !(v > 0)) || (sign === 'nonNegative' && !(v >= 0))) {
    throw new InputError(path, v, sign === 'positive' ? 'a positive finite number' : sign === 'nonNegative' ? 'a finite number >= 0' : 'a finite number');
  }
  return v;
}

/** A boolean, or undefined (false). */
export function checkBoolean(v: unknown, path: string): boolean {
  return booleanOption(v, false, path);
}


export { pathOf };

/**
 * The engine argument of the free functions that run kernels (`fitGarch(engine, ...)`): an Engine
 * or another EngineContext (kernels, a MemoryArena and a chunk size).
 * @throws InputError naming `path` for anything else.
 */
export function checkContext(ctx: unknown, path = 'engine'): EngineContext {
  if (ctx === null || typeof ctx !== 'object' || !((ctx as EngineContext).arena instanceof MemoryArena)
    || (ctx as EngineContext).kernels === null || typeof (ctx as EngineContext).kernels !== 'object') {
    throw new InputError(path, ctx, 'an Engine (from createEngine)');
  }
  return ctx as EngineContext;
}
