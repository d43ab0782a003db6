/**
 * The Monte Carlo kernels: their contract (merged into `Kernels` in ../contract.ts) and the
 * pure-JS twin bound to an arena (spread into `createJsKernels` in ../index.ts).
 */
import type { MemoryArena } from '../../memory-arena.js';
import { mcShard } from './paths.js';

export interface MonteCarloKernels {
  /**
   * Simulate paths [pathStart, pathStart + count) (an integer < 2^32 carried in an f64) with
   * `steps` steps, draws from Philox (seed = seedHi 2^32 + seedLo, `stream`) when drawMode = 0, or
   * from the row-major [rows][steps * drawsPerStep] buffer at `pDraws` (1: Sobol uniforms on the
   * 2^-32 grid, 2: normals, 3: Sobol uniforms to bridge; rows = count, or count / 2 with antithetic pairs). Model, payoff and
   * flags come from the f64 parameter block at `pParams` (see montecarlo/layout.ts); the sums are
   * ADDED to the f64 accumulator block at `pAcc`. If `pPaths` != 0 the spot path is written there,
   * row-major [count][steps + 1]. drawMode 3: the buffer holds Sobol uniforms that the kernel
   * turns in place into Brownian-bridge normals per draw slot, with the brownianBridgeInit table
   * (t_i = i dt, 48 steps bytes) followed by 16 steps bytes of scratch at `pBridge` (0 otherwise).
   * Returns 0, or 1 for a malformed call.
   */
  mcShard(
    pathStart: number, count: number, steps: number, seedLo: number, seedHi: number, stream: number,
    pParams: number, drawMode: number, pDraws: number, pAcc: number, pPaths: number, pBridge: number,
  ): number;
}

/** Every Monte Carlo kernel name, for the engine's export check. */
export const MONTE_CARLO_KERNEL_NAMES = ['mcShard'] as const satisfies readonly (keyof MonteCarloKernels)[];

/** The pure-JS Monte Carlo kernels bound to `arena`. */
export function createJsMonteCarloKernels(arena: MemoryArena): MonteCarloKernels {
  return {
    mcShard: (pathStart, count, steps, seedLo, seedHi, stream, pParams, drawMode, pDraws, pAcc, pPaths, pBridge) =>
      mcShard(arena.views, pathStart, count, steps, seedLo, seedHi, stream, pParams, drawMode, pDraws, pAcc, pPaths, pBridge),
  };
}
