/**
 * The calibration kernels: their contract (merged into `Kernels` in ../contract.ts) and the
 * pure-JS twin bound to an arena (spread into `createJsKernels` in ../index.ts). Each evaluates
 * model implied vols (minus targets) and their analytic Jacobian for a set of quotes in one call.
 */
import type { MemoryArena } from '../../memory-arena.js';
import { sviSliceEvaluate } from './svi-jacobian.js';
import { sabrSliceEvaluate } from './sabr-jacobian.js';
import { ssviEvaluate } from './ssvi-jacobian.js';

export interface CalibrationKernels {
  /**
   * Raw SVI on one expiry slice: out[i] = vol(k_i) - target[i] (pTarget = 0: no target) and, if
   * pJacobian != 0, d vol / d[a, b, rho, m, sigma] row-major n x 5. k = ln(K/F) at pLogMoneyness,
   * params (5 f64) at pParams. Returns 0, or 1 for a malformed call.
   */
  sviSliceEvaluate(n: number, pLogMoneyness: number, expiry: number, pParams: number, pTarget: number, pOut: number, pJacobian: number): number;
  /**
   * Hagan (2002) lognormal SABR on one slice (forward, expiry, fixed beta): out[i] = sigma_B(K_i)
   * - target[i] and d sigma_B / d[alpha, rho, nu] row-major n x 3. Returns 0, or 1 for a malformed call.
   */
  sabrSliceEvaluate(n: number, pStrike: number, forward: number, expiry: number, beta: number, pParams: number, pTarget: number, pOut: number, pJacobian: number): number;
  /**
   * SSVI surface: per quote k (f64), T (f64) and slice index (i32); params [rho, eta | lambda,
   * gamma | unused, theta_0..theta_{S-1}]; phiKind 0 power law, 1 Heston-like. Jacobian row-major
   * n x (3 + S). Returns 0, or 1 for a malformed call.
   */
  ssviEvaluate(
    n: number, pLogMoneyness: number, pExpiry: number, pSlice: number, nSlices: number, phiKind: number, pParams: number,
    pTarget: number, pOut: number, pJacobian: number,
  ): number;
}

/** Every calibration kernel name, for the engine's export check. */
export const CALIBRATION_KERNEL_NAMES = ['sviSliceEvaluate', 'sabrSliceEvaluate', 'ssviEvaluate'] as const satisfies readonly (keyof CalibrationKernels)[];

/** The pure-JS calibration kernels bound to `arena`. */
export function createJsCalibrationKernels(arena: MemoryArena): CalibrationKernels {
  return {
    sviSliceEvaluate: (n, pK, expiry, pParams, pTarget, pOut, pJac) => sviSliceEvaluate(arena.views, n, pK, expiry, pParams, pTarget, pOut, pJac),
    sabrSliceEvaluate: (n, pStrike, forward, expiry, beta, pParams, pTarget, pOut, pJac) =>
      sabrSliceEvaluate(arena.views, n, pStrike, forward, expiry, beta, pParams, pTarget, pOut, pJac),
    ssviEvaluate: (n, pK, pT, pSlice, nSlices, phiKind, pParams, pTarget, pOut, pJac) =>
      ssviEvaluate(arena.views, n, pK, pT, pSlice, nSlices, phiKind, pParams, pTarget, pOut, pJac),
  };
}
