import type { EngineContext } from '../context.js';
import type { RiskKernels } from '../kernels/risk/kernels.js';

/** The engine's risk kernels (the `RiskKernels` part of the kernel contract). */
export function riskKernels(ctx: EngineContext): RiskKernels {
  return ctx.kernels;
}
