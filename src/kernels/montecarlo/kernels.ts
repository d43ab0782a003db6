/**
 * The Monte Carlo kernels: their contract (generated from
 * spec/kernels.json into ../kernel-signatures.ts) and the
 * pure-JS twin bound to an arena (spread into `createJsKernels` in ../index.ts).
 */
import type { MemoryArena } from '../../memory-arena.js';
import type { MonteCarloKernels } from '../kernel-signatures.js';
import { mcShard } from './paths.js';
import { mcMultiAssetShard } from './multi-asset.js';

export type { MonteCarloKernels };

/** The pure-JS Monte Carlo kernels bound to `arena`. */
export function createJsMonteCarloKernels(arena: MemoryArena): MonteCarloKernels {
  return {
    mcShard: (pathStart, count, steps, seedLo, seedHi, stream, pParams, drawMode, pDraws, pAcc, pPaths, pBridge) =>
      mcShard(arena.views, pathStart, count, steps, seedLo, seedHi, stream, pParams, drawMode, pDraws, pAcc, pPaths, pBridge),
    mcMultiAssetShard: (pathStart, count, steps, nAssets, seedLo, seedHi, stream, pParams, pAssets, drawMode, pDraws, pAcc, pPaths, pBridge, pScratch) =>
      mcMultiAssetShard(arena.views, pathStart, count, steps, nAssets, seedLo, seedHi, stream, pParams, pAssets, drawMode, pDraws, pAcc, pPaths, pBridge, pScratch),
  };
}
