/**
 * The random-number kernels: their contract (to be merged into `Kernels` in ../contract.ts) and
 * the pure-JS twin bound to an arena (to be spread into `createJsKernels` in ../index.ts).
 *
 * All pointers are byte offsets into the engine heap. `u32` arguments are taken modulo 2^32, as
 * WebAssembly does; draw offsets and Sobol indices are integers carried in an f64 (exact to 2^53).
 * Every kernel returns 0, or 1 when the call itself is malformed (nothing is written then).
 */
import type { MemoryArena } from '../../memory-arena.js';
import {
  philox4x32_10, philoxNormalBatch, philoxNormalPaths, philoxUint32Batch, philoxUniformBatch, philoxUniformPaths,
} from './philox.js';
import { sobolInitDirections, sobolPoints } from './sobol.js';
import { brownianBridgeBatch, brownianBridgeInit } from './brownian-bridge.js';

export interface RandomKernels {
  /** Philox4x32-10 of counter (c0..c3) under key (k0, k1); writes 4 u32 words at `pOut`. */
  philox4x32_10(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, pOut: number): number;
  /**
   * Words [offset, offset + n) of the Philox stream (seed = seedHi 2^32 + seedLo, stream, path) as
   * u32 at `pOut`. Word w is lane w & 3 of philox(counter = [w >>> 2 (lo, hi), path, stream], key = seed).
   */
  philoxUint32Batch(n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number, pOut: number): number;
  /**
   * Uniforms [offset, offset + n) in (0, 1) as f64 at `pOut`: draw j = ((w_2j >>> 12) 2^32 + w_2j+1 + 1/2) 2^-52,
   * an odd multiple of 2^-53 in [2^-53, 1 - 2^-53].
   */
  philoxUniformBatch(n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number, pOut: number): number;
  /** Row-major [nPaths][n] uniforms; row i is path firstPath + i, draws [offset, offset + n). */
  philoxUniformPaths(
    nPaths: number, n: number, seedLo: number, seedHi: number, stream: number, firstPath: number, offset: number, pOut: number,
  ): number;
  /** Standard normals [offset, offset + n): normal j = inverseNormalCdf(uniform j), |z| <= 8.29. */
  philoxNormalBatch(n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number, pOut: number): number;
  /** Row-major [nPaths][n] standard normals; row i is path firstPath + i, draws [offset, offset + n). */
  philoxNormalPaths(
    nPaths: number, n: number, seedLo: number, seedHi: number, stream: number, firstPath: number, offset: number, pOut: number,
  ): number;
  /**
   * Sobol direction integers u32 [dims][32] at `pDirections` from the Joe-Kuo table at `pTable`
   * (`tableWords` u32: [s, a, m_1..m_s] for dimensions 2..dims, see src/random/sobol-table.ts).
   */
  sobolInitDirections(dims: number, pTable: number, tableWords: number, pDirections: number): number;
  /**
   * Sobol points [index, index + count) (Gray-code order), row-major [count][dims] f64 in [0, 1).
   * scramble: 0 none, 1 digital shift, 2 Owen (hashed), keyed by u32 words [dims] at `pScramble`.
   */
  sobolPoints(count: number, dims: number, index: number, pDirections: number, scramble: number, pScramble: number, pOut: number): number;
  /**
   * Brownian-bridge table (48 * steps bytes, 8-byte aligned, at `pTable`) for times
   * 0 < t_1 < ... < t_steps (f64 at `pTimes`, years).
   */
  brownianBridgeInit(steps: number, pTimes: number, pTable: number): number;
  /**
   * Row-major [nPaths][steps] normals (normal 0 sets W(T)) to Wiener increments W(t_i) - W(t_{i-1})
   * (divided by sqrt(dt_i) if `normalise` = 1); `pOut` must not overlap `pNormals`.
   */
  brownianBridgeBatch(nPaths: number, steps: number, pTable: number, normalise: number, pNormals: number, pOut: number): number;
}

/** Batch kernels (first argument a count) among the random kernels. */
export const RANDOM_BATCH_KERNELS = [
  'philoxUint32Batch', 'philoxUniformBatch', 'philoxUniformPaths', 'philoxNormalBatch', 'philoxNormalPaths',
  'sobolInitDirections', 'sobolPoints', 'brownianBridgeInit', 'brownianBridgeBatch',
] as const;

/** Every random kernel name, for the engine's export check. */
export const RANDOM_KERNEL_NAMES = ['philox4x32_10', ...RANDOM_BATCH_KERNELS] as const satisfies readonly (keyof RandomKernels)[];

/** The pure-JS random kernels bound to `arena` (each call reads the arena's current views). */
export function createJsRandomKernels(arena: MemoryArena): RandomKernels {
  return {
    philox4x32_10: (c0, c1, c2, c3, k0, k1, pOut) => philox4x32_10(arena.views, c0, c1, c2, c3, k0, k1, pOut),
    philoxUint32Batch: (n, seedLo, seedHi, stream, path, offset, pOut) =>
      philoxUint32Batch(arena.views, n, seedLo, seedHi, stream, path, offset, pOut),
    philoxUniformBatch: (n, seedLo, seedHi, stream, path, offset, pOut) =>
      philoxUniformBatch(arena.views, n, seedLo, seedHi, stream, path, offset, pOut),
    philoxUniformPaths: (nPaths, n, seedLo, seedHi, stream, firstPath, offset, pOut) =>
      philoxUniformPaths(arena.views, nPaths, n, seedLo, seedHi, stream, firstPath, offset, pOut),
    philoxNormalBatch: (n, seedLo, seedHi, stream, path, offset, pOut) =>
      philoxNormalBatch(arena.views, n, seedLo, seedHi, stream, path, offset, pOut),
    philoxNormalPaths: (nPaths, n, seedLo, seedHi, stream, firstPath, offset, pOut) =>
      philoxNormalPaths(arena.views, nPaths, n, seedLo, seedHi, stream, firstPath, offset, pOut),
    sobolInitDirections: (dims, pTable, tableWords, pDirections) =>
      sobolInitDirections(arena.views, dims, pTable, tableWords, pDirections),
    sobolPoints: (count, dims, index, pDirections, scramble, pScramble, pOut) =>
      sobolPoints(arena.views, count, dims, index, pDirections, scramble, pScramble, pOut),
    brownianBridgeInit: (steps, pTimes, pTable) => brownianBridgeInit(arena.views, steps, pTimes, pTable),
    brownianBridgeBatch: (nPaths, steps, pTable, normalise, pNormals, pOut) =>
      brownianBridgeBatch(arena.views, nPaths, steps, pTable, normalise, pNormals, pOut),
  };
}
