/**
 * The risk kernels: their contract (merged into `Kernels` in ../contract.ts) and the pure-JS twin
 * bound to an arena (spread into `createJsKernels` in ../index.ts). The WASM side re-exports
 * assembly/risk/kernels.ts whole, so a new risk kernel is added here and there only.
 *
 * All pointers are byte offsets into the engine heap; every kernel returns 0, or 1 for a malformed call.
 */
import type { MemoryArena } from '../../memory-arena.js';
import { garchLikelihood } from './garch-likelihood.js';
import { portfolioRevalue } from './portfolio-revalue.js';
import { tailSelect } from './tail-select.js';

export interface RiskKernels {
  /**
   * Full revaluation of n positions (layout: src/kernels/risk/layout.ts) over m scenarios of
   * nFactors factors, aggregated into nAccounts accounts. pSpots f64 [nFactors]; pLogReturns f64
   * [m][nFactors]; pVolShocks f64 [m][nFactors] or 0 (volMode 0 absolute, 1 relative, 2 log);
   * horizon in years; pNumeraire i32 [nAccounts] (-1 USD or a factor index) or 0; pScratch f64
   * [nFactors][m]; pOut f64 [nAccounts][m] (overwritten); pPositionPnl f64 [n][m] or 0.
   */
  portfolioRevalue(
    n: number, m: number, nFactors: number, nAccounts: number, pPosF64: number, pPosI32: number, pSpots: number,
    pLogReturns: number, pVolShocks: number, volMode: number, horizon: number, pNumeraire: number,
    pScratch: number, pOut: number, pPositionPnl: number,
  ): number;
  /**
   * Floyd-Rivest selection in place: element k (0-based) of the n f64 at pData becomes the k-th
   * smallest; writes f64 [kth, sum before, sum after] at pOut.
   */
  tailSelect(n: number, pData: number, k: number, pOut: number): number;
  /**
   * GARCH(1,1) (model 0) / GJR (1) log-likelihood of n zero-mean returns, normal (0) or
   * unit-variance Student-t (1) innovations; pParams f64 [omega, alpha, beta, gamma, nu];
   * writes f64 [logL, gradient x 5] at pOut and the conditional variances at pVariances (or 0).
   */
  garchLikelihood(
    n: number, pReturns: number, model: number, distribution: number, pParams: number, variance0: number,
    pOut: number, pVariances: number,
  ): number;
}

/** Every risk kernel name, for the engine's export check. */
export const RISK_KERNEL_NAMES = ['portfolioRevalue', 'tailSelect', 'garchLikelihood'] as const satisfies readonly (keyof RiskKernels)[];

/** The pure-JS risk kernels bound to `arena`. */
export function createJsRiskKernels(arena: MemoryArena): RiskKernels {
  return {
    portfolioRevalue: (n, m, nF, nA, pF, pI, pS, pL, pV, mode, h, pN, pScr, pOut, pPos) =>
      portfolioRevalue(arena.views, n, m, nF, nA, pF, pI, pS, pL, pV, mode, h, pN, pScr, pOut, pPos),
    tailSelect: (n, pData, k, pOut) => tailSelect(arena.views, n, pData, k, pOut),
    garchLikelihood: (n, pR, model, dist, pP, v0, pOut, pV) => garchLikelihood(arena.views, n, pR, model, dist, pP, v0, pOut, pV),
  };
}
