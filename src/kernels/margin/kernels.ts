/**
 * The margin kernels: their contract (generated from
 * spec/kernels.json into ../kernel-signatures.ts) and the pure-JS twin
 * bound to an arena (spread into `createJsKernels` in ../index.ts). A new margin kernel is declared
 * in spec/kernels.json and implemented in both twins.
 *
 * All pointers are byte offsets into the engine heap; every kernel returns 0, or 1 for a malformed call.
 */
import type { MemoryArena } from '../../memory-arena.js';
import type { MarginKernels } from '../kernel-signatures.js';
import { liquidationPrice } from './liquidation-price.js';

export type { MarginKernels };

/** The pure-JS margin kernels bound to `arena`. */
export function createJsMarginKernels(arena: MemoryArena): MarginKernels {
  return {
    liquidationPrice: (nP, n, pF, pI, pSt, pPr, nT, pT, maxIt, pOut, pS) =>
      liquidationPrice(arena.views, nP, n, pF, pI, pSt, pPr, nT, pT, maxIt, pOut, pS),
  };
}
