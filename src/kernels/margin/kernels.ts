/**
 * The margin kernels: their contract (merged into `Kernels` in ../contract.ts) and the pure-JS twin
 * bound to an arena (spread into `createJsKernels` in ../index.ts). The WASM side re-exports
 * assembly/margin/kernels.ts whole, so a new margin kernel is added here and there only.
 *
 * All pointers are byte offsets into the engine heap; every kernel returns 0, or 1 for a malformed call.
 */
import type { MemoryArena } from '../../memory-arena.js';
import { liquidationPrice } from './liquidation-price.js';

export interface MarginKernels {
  /**
   * Liquidation levels (equity = maintenance margin) below and above the index for nProblems
   * (account, asset) problems over nPositions positions grouped by problem (layout:
   * src/kernels/margin/layout.ts): pStarts i32 [nProblems + 1]; pProblems f64 [LIQ_PROB_COLUMNS][nProblems];
   * pTiers f64 [nTiers][3] (upTo, rate, amount); writes f64 [nProblems][2][LIQ_OUT_COLUMNS] at pOut
   * and u8 [nProblems][2] at pStatus (LIQ_FOUND, LIQ_NONE, LIQ_ALREADY, LIQ_NOT_CONVERGED, LIQ_INVALID).
   */
  liquidationPrice(
    nProblems: number, nPositions: number, pPosF64: number, pPosI32: number, pStarts: number, pProblems: number,
    nTiers: number, pTiers: number, maxIterations: number, pOut: number, pStatus: number,
  ): number;
}

/** Every margin kernel name, for the engine's export check. */
export const MARGIN_KERNEL_NAMES = ['liquidationPrice'] as const satisfies readonly (keyof MarginKernels)[];

/** The pure-JS margin kernels bound to `arena`. */
export function createJsMarginKernels(arena: MemoryArena): MarginKernels {
  return {
    liquidationPrice: (nP, n, pF, pI, pSt, pPr, nT, pT, maxIt, pOut, pS) =>
      liquidationPrice(arena.views, nP, n, pF, pI, pSt, pPr, nT, pT, maxIt, pOut, pS),
  };
}
