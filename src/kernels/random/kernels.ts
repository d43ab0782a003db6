/**
 * The random-number kernels: their contract (generated from
 * spec/kernels.json into ../kernel-signatures.ts) and
 * the pure-JS twin bound to an arena (to be spread into `createJsKernels` in ../index.ts).
 *
 * All pointers are byte offsets into the engine heap. `u32` arguments are taken modulo 2^32, as
 * WebAssembly does; draw offsets and Sobol indices are integers carried in an f64 (exact to 2^53).
 * Every kernel returns 0, or 1 when the call itself is malformed (nothing is written then).
 */
import type { MemoryArena } from '../../memory-arena.js';
import type { RandomKernels } from '../kernel-signatures.js';
import {
  philox4x32_10, philoxNormalBatch, philoxNormalPaths, philoxUint32Batch, philoxUniformBatch, philoxUniformPaths,
} from './philox.js';
import { sobolInitDirections, sobolPoints } from './sobol.js';
import { brownianBridgeBatch, brownianBridgeInit } from './brownian-bridge.js';

export type { RandomKernels };

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
