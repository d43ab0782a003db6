/**
 * The calibration kernels: their contract (generated from
 * spec/kernels.json into ../kernel-signatures.ts) and the
 * pure-JS twin bound to an arena (spread into `createJsKernels` in ../index.ts). Each evaluates
 * model implied vols (minus targets) and their analytic Jacobian for a set of quotes in one call.
 */
import type { MemoryArena } from '../../memory-arena.js';
import type { CalibrationKernels } from '../kernel-signatures.js';
import { sviSliceEvaluate } from './svi-jacobian.js';
import { sabrSliceEvaluate } from './sabr-jacobian.js';
import { ssviEvaluate } from './ssvi-jacobian.js';
import { sviButterflyGrid } from './svi-butterfly.js';

export type { CalibrationKernels };

/** The pure-JS calibration kernels bound to `arena`. */
export function createJsCalibrationKernels(arena: MemoryArena): CalibrationKernels {
  return {
    sviSliceEvaluate: (n, pK, expiry, pParams, pTarget, pOut, pJac) => sviSliceEvaluate(arena.views, n, pK, expiry, pParams, pTarget, pOut, pJac),
    sabrSliceEvaluate: (n, pStrike, forward, expiry, beta, pParams, pTarget, pOut, pJac) =>
      sabrSliceEvaluate(arena.views, n, pStrike, forward, expiry, beta, pParams, pTarget, pOut, pJac),
    ssviEvaluate: (n, pK, pT, pSlice, nSlices, phiKind, pParams, pTarget, pOut, pJac) =>
      ssviEvaluate(arena.views, n, pK, pT, pSlice, nSlices, phiKind, pParams, pTarget, pOut, pJac),
    sviButterflyGrid: (pParams, kMin, kMax, points, pOut) => sviButterflyGrid(arena.views, pParams, kMin, kMax, points, pOut),
  };
}
