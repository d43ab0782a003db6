/**
 * The risk kernels: their contract (generated from
 * spec/kernels.json into ../kernel-signatures.ts) and the pure-JS twin
 * bound to an arena (spread into `createJsKernels` in ../index.ts). A new risk kernel is declared
 * in spec/kernels.json and implemented in both twins.
 *
 * All pointers are byte offsets into the engine heap; every kernel returns 0, or 1 for a malformed call.
 */
import type { MemoryArena } from '../../memory-arena.js';
import type { RiskKernels } from '../kernel-signatures.js';
import { garchLikelihood } from './garch-likelihood.js';
import { portfolioRevalue } from './portfolio-revalue.js';
import { tailSelect } from './tail-select.js';

export type { RiskKernels };

/** The pure-JS risk kernels bound to `arena`. */
export function createJsRiskKernels(arena: MemoryArena): RiskKernels {
  return {
    portfolioRevalue: (n, m, nF, nA, pF, pI, pS, pL, pV, mode, h, pN, pScr, pOut, pPos) =>
      portfolioRevalue(arena.views, n, m, nF, nA, pF, pI, pS, pL, pV, mode, h, pN, pScr, pOut, pPos),
    tailSelect: (n, pData, k, pOut) => tailSelect(arena.views, n, pData, k, pOut),
    garchLikelihood: (n, pR, model, dist, pP, v0, pOut, pV) => garchLikelihood(arena.views, n, pR, model, dist, pP, v0, pOut, pV),
  };
}
