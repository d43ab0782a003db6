import type { EngineContext } from '../context.js';

/**
 * The engine's kernels, as `ctx.kernels` (the contract's `Kernels` holds the risk kernels).
 * @deprecated write `ctx.kernels` (one way to reach a kernel); kept until risk/garch.ts drops it.
 */
export function riskKernels(ctx: EngineContext): EngineContext['kernels'] {
  return ctx.kernels;
}
