/**
 * [surface] The surface kernels: their contract (generated from spec/kernels.json into
 * ../kernel-signatures.ts) and the pure-JS twin bound to an arena (spread into `createJsKernels`).
 */
import type { MemoryArena } from '../../memory-arena.js';
import type { SurfaceKernels } from '../kernel-signatures.js';
import { volSurfaceEvaluate } from './vol-surface.js';

export type { SurfaceKernels };

/** The pure-JS surface kernels bound to `arena`. */
export function createJsSurfaceKernels(arena: MemoryArena): SurfaceKernels {
  return {
    volSurfaceEvaluate: (n, pX, pExpiry, broadcastExpiry, strikeInput, output, nSlices, pSlices, nForwards, pForwards, extrapolation, pOut, pStatus) =>
      volSurfaceEvaluate(arena.views, n, pX, pExpiry, broadcastExpiry, strikeInput, output, nSlices, pSlices, nForwards, pForwards, extrapolation, pOut, pStatus),
  };
}
