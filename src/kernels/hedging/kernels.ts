/**
 * The discrete-hedging kernels ([hedging] simulate): their contract (generated from
 * spec/kernels.json into ../kernel-signatures.ts) and the pure-JS twin bound to an arena (spread
 * into `createJsKernels` in ../index.ts).
 */
import type { MemoryArena } from '../../memory-arena.js';
import type { HedgingKernels } from '../kernel-signatures.js';
import { hedgeShard } from './hedge-paths.js';

export type { HedgingKernels };

/** The pure-JS hedging kernels bound to `arena`. */
export function createJsHedgingKernels(arena: MemoryArena): HedgingKernels {
  return {
    hedgeShard: (pathStart, count, steps, seedLo, seedHi, stream, pParams, nOptions, pOptions, nRuns, pEvery, pScratch, pPnl, pCost, pTrades) =>
      hedgeShard(arena.views, pathStart, count, steps, seedLo, seedHi, stream, pParams, nOptions, pOptions, nRuns, pEvery, pScratch, pPnl, pCost, pTrades),
  };
}
