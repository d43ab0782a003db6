/**
 * Seeded Philox4x32-10 draws for the risk module (bootstrap, Acerbi-Szekely critical values,
 * Monte Carlo scenarios, GARCH simulation). Draws are a pure function of (seed, stream, path,
 * offset): given an engine they run in its kernels (WASM or JS twin); without one, in plain
 * JavaScript into the output array (src/math/philox-draws.ts). The numbers are the same bits on
 * every path: Philox is 32-bit integer arithmetic, exact in both WASM and JS, and the normals'
 * inversion takes its log and exp from the twins' shared elementary functions
 * (kernels/math/elementary.ts), not from each runtime's Math.log / Math.exp, which differ in the
 * last bit (test/random-philox.test.ts compares the bytes of all three paths).
 */
import type { EngineContext } from '../context.js';
import { InputError, KernelError } from '../errors.js';
import { MemoryArena } from '../memory-arena.js';
import { philoxDrawsInto, philoxRowsInto } from '../math/philox-draws.js';
import { MAX_ARGUMENT_LENGTH, requireInteger, requireRecord } from '../arguments.js';

/** A seed: a non-negative integer below 2^53 (or a bigint below 2^64). */
export type Seed = number | bigint;

/** Split a seed into its two 32-bit key words. @throws InputError for anything else. */
export function seedWords(seed: unknown, path = 'seed'): [number, number] {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 1n << 64n) throw new InputError(path, seed, 'an integer in [0, 2^64)');
    return [Number(seed & 0xffffffffn), Number(seed >> 32n)];
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
    throw new InputError(path, seed, 'a non-negative integer (or a bigint)');
  }
  return [seed >>> 0, Math.floor(seed / 4294967296)];
}

/** Draws per kernel call (and per call without an engine, in the same chunks). */
const CHUNK = 1 << 16;

function draw(ctx: EngineContext | undefined, normal: boolean, n: number, seed: Seed, stream: number, path: number, offset: number): Float64Array {
  const [lo, hi] = seedWords(seed);
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    if (!ctx) {
      const rc = philoxDrawsInto(out.subarray(start, start + m), normal, lo, hi, stream, path, offset + start);
      if (rc !== 0) throw new KernelError(normal ? 'philoxNormalBatch' : 'philoxUniformBatch', rc);
      continue;
    }
    const { arena, kernels: k } = ctx;
    arena.reset();
    arena.reserve(m * 8 + 16);
    const p = arena.alloc(m * 8);
    const rc = normal
      ? k.philoxNormalBatch(m, lo, hi, stream, path, offset + start, p)
      : k.philoxUniformBatch(m, lo, hi, stream, path, offset + start, p);
    if (rc !== 0) throw new KernelError(normal ? 'philoxNormalBatch' : 'philoxUniformBatch', rc);
    out.set(arena.views.f64.subarray(p >>> 3, (p >>> 3) + m), start);
  }
  return out;
}

/** Largest Philox stream or path index: one 32-bit word of the counter or key. */
const MAX_WORD = 0xffffffff;

/** Guards of the public draw functions (scalar checks only: cheap next to the draws). */
function checkDraw(n: unknown, seed: unknown, stream: unknown, path: unknown, offset: unknown, ctx: unknown): void {
  requireInteger(n, 'n', 0, MAX_ARGUMENT_LENGTH);
  seedWords(seed);
  requireInteger(stream, 'stream', 0, MAX_WORD);
  requireInteger(path, 'path', 0, MAX_WORD);
  requireInteger(offset, 'offset', 0, Number.MAX_SAFE_INTEGER + 1 - (n as number));
  if (ctx !== undefined) {
    const c = requireRecord(ctx, 'ctx');
    if (!(c.arena instanceof MemoryArena) || c.kernels === null || typeof c.kernels !== 'object') throw new InputError('ctx', ctx, 'an Engine (or undefined)');
  }
}

/**
 * n uniforms in (0, 1): draws [offset, offset + n) of Philox (seed, stream, path).
 * @param n an integer in [0, 2^28]; `stream` and `path` integers in [0, 2^32 - 1]; `offset` an
 *   integer with offset + n <= 2^53; `ctx` an Engine or undefined (private pure-JS kernels).
 * @throws InputError naming the malformed argument; KernelError if the kernel rejects the call (a bug).
 */
export function philoxUniforms(n: number, seed: Seed, stream = 0, path = 0, offset = 0, ctx?: EngineContext): Float64Array {
  checkDraw(n, seed, stream, path, offset, ctx);
  return draw(ctx, false, n, seed, stream, path, offset);
}

/**
 * n standard normals (inverse CDF of the uniforms): draws [offset, offset + n) of Philox (seed, stream, path).
 * Arguments as {@link philoxUniforms}.
 * @throws InputError naming the malformed argument; KernelError if the kernel rejects the call (a bug).
 */
export function philoxNormals(n: number, seed: Seed, stream = 0, path = 0, offset = 0, ctx?: EngineContext): Float64Array {
  checkDraw(n, seed, stream, path, offset, ctx);
  return draw(ctx, true, n, seed, stream, path, offset);
}

/**
 * Rows of Philox draws, a chunk of rows per kernel call (`philoxUniformPaths` or
 * `philoxNormalPaths`): row i is draws [0, n) of path firstPath + i of (seed, stream), the same
 * numbers as philoxUniforms / philoxNormals of that path. `visit` gets each row as a view of a
 * chunk copied out of the heap (so it may run kernels itself), valid until it returns. Without
 * `ctx`, the draws run in plain JavaScript (same bits).
 * @throws InputError for a malformed seed; KernelError if the kernel rejects the call (a bug).
 */
export function forEachPhiloxRow(
  ctx: EngineContext | undefined, normal: boolean, nPaths: number, n: number, seed: Seed, stream: number, firstPath: number,
  visit: (path: number, row: Float64Array) => void,
): void {
  const [lo, hi] = seedWords(seed);
  const rows = Math.max(1, Math.floor((1 << 18) / Math.max(n, 1)));
  for (let start = 0; start < nPaths; start += rows) {
    const m = Math.min(rows, nPaths - start);
    if (!ctx) {
      const chunk = new Float64Array(m * n);
      const rc = philoxRowsInto(chunk, normal, m, n, lo, hi, stream, firstPath + start);
      if (rc !== 0) throw new KernelError(normal ? 'philoxNormalPaths' : 'philoxUniformPaths', rc);
      for (let i = 0; i < m; i++) visit(firstPath + start + i, chunk.subarray(i * n, (i + 1) * n));
      continue;
    }
    const { arena, kernels: k } = ctx;
    arena.reset();
    arena.reserve(m * n * 8 + 16);
    const p = arena.alloc(m * n * 8);
    const rc = normal
      ? k.philoxNormalPaths(m, n, lo, hi, stream, firstPath + start, 0, p)
      : k.philoxUniformPaths(m, n, lo, hi, stream, firstPath + start, 0, p);
    if (rc !== 0) throw new KernelError(normal ? 'philoxNormalPaths' : 'philoxUniformPaths', rc);
    const chunk = arena.views.f64.slice(p >>> 3, (p >>> 3) + m * n);
    for (let i = 0; i < m; i++) visit(firstPath + start + i, chunk.subarray(i * n, (i + 1) * n));
  }
}

/**
 * Row-major [nPaths][n] standard normals: row i is Philox path firstPath + i of (seed, stream),
 * draws [0, n), through the engine's `philoxNormalPaths` kernel in chunks of paths.
 */
export function philoxNormalMatrix(ctx: EngineContext, nPaths: number, n: number, seed: Seed, stream = 0, firstPath = 0): Float64Array {
  const out = new Float64Array(nPaths * n);
  forEachPhiloxRow(ctx, true, nPaths, n, seed, stream, firstPath, (path, row) => out.set(row, (path - firstPath) * n));
  return out;
}
