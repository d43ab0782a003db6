import { expect } from 'vitest';
import { createEngine, InputError, type Backend, type Engine } from '../src/index.js';

/** Both backends: every kernel test runs over each with `describe.each(BACKENDS)`. */
export const BACKENDS: Backend[] = ['wasm', 'js'];

const engines = new Map<Backend, Promise<Engine>>();

/** One engine per backend per test file (engines are cheap, but compiling once keeps runs fast). */
export function engineFor(backend: Backend): Promise<Engine> {
  let e = engines.get(backend);
  if (!e) {
    e = createEngine({ backend });
    engines.set(backend, e);
  }
  return e;
}

/** Relative difference |a - b| / max(|b|, floor). */
export function relDiff(a: number, b: number, floor = 0): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}

/** Unit roundoff of double precision. */
export const EPS = 2 ** -53;

/** A fast-check seed from the environment (FC_SEED) or a fresh one, printed so failures replay. */
export function propertySeed(label: string): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.FC_SEED;
  const seed = env ? Number(env) : (Date.now() ^ 0x5bd1e995) >>> 0;
  console.log(`[fast-check] ${label}: seed ${seed} (replay with FC_SEED=${seed})`);
  return seed;
}

/** Runs `f`, expects an `InputError` (code `INPUT`) naming `path`, and returns it for further checks. */
export function expectInputError(f: () => unknown, path: string): InputError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as InputError).path).toBe(path);
  expect((caught as InputError).code).toBe('INPUT');
  return caught as InputError;
}
