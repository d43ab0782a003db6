import type { MemoryArena } from '../memory-arena.js';
import type { Kernels } from './contract.js';
import { normalCdf, normalCdfOverPdf, normalPdf } from './math/normal-distribution.js';
import { inverseNormalCdf, inverseNormalCdfFast } from './math/inverse-normal.js';
import { normalisedBlack } from './pricing/normalised-black.js';
import { impliedVolatilityBatch, normalisedImpliedVolatility } from './pricing/implied-volatility.js';
import { black76Batch, blackScholesBatch } from './pricing/black-scholes.js';
import { batesPriceBatch, hestonPriceBatch } from './pricing/heston.js';
import { createJsRandomKernels } from './random/kernels.js';
import { createJsMonteCarloKernels } from './montecarlo/kernels.js';
import { createJsCalibrationKernels } from './calibration/kernels.js';
import { createJsRiskKernels } from './risk/kernels.js';
import { createJsMarginKernels } from './margin/kernels.js';
import { createJsSurfaceKernels } from './surface/kernels.js'; // [surface]
import { createJsHedgingKernels } from './hedging/kernels.js'; // [hedging] simulate

/**
 * The pure-JS twin of the kernels module, bound to one arena. Batch kernels receive the arena's
 * current views as their first argument and otherwise take exactly the WASM signature.
 */
export function createJsKernels(arena: MemoryArena): Kernels {
  return {
    ...createJsRandomKernels(arena),
    ...createJsMonteCarloKernels(arena),
    ...createJsCalibrationKernels(arena),
    ...createJsRiskKernels(arena),
    ...createJsMarginKernels(arena),
    ...createJsSurfaceKernels(arena), // [surface]
    ...createJsHedgingKernels(arena), // [hedging] simulate
    assertionCheck: (code) => code,
    normalPdf, normalCdf, normalCdfOverPdf, inverseNormalCdf, inverseNormalCdfFast, normalisedBlack, normalisedImpliedVolatility,
    blackScholesBatch: (n, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType, greeks, pOut, pStatus) =>
      blackScholesBatch(arena.views, n, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType, greeks, pOut, pStatus),
    black76Batch: (n, pForward, pStrike, pExpiry, pVol, pDiscount, pType, coin, greeks, pOut, pStatus) =>
      black76Batch(arena.views, n, pForward, pStrike, pExpiry, pVol, pDiscount, pType, coin, greeks, pOut, pStatus),
    impliedVolatilityBatch: (n, pPrice, pForward, pStrike, pExpiry, pDiscount, pType, coin, pVol, pStatus) =>
      impliedVolatilityBatch(arena.views, n, pPrice, pForward, pStrike, pExpiry, pDiscount, pType, coin, pVol, pStatus),
    hestonPriceBatch: (n, pForward, pStrike, pExpiry, pDiscount, pType, v0, kappa, theta, sigma, rho, nNodes, pNodes, pWeights, tolerance, maxPanels, pWork, gradient, pOut, pGrad, pStatus) =>
      hestonPriceBatch(arena.views, n, pForward, pStrike, pExpiry, pDiscount, pType, v0, kappa, theta, sigma, rho, nNodes, pNodes, pWeights, tolerance, maxPanels, pWork, gradient, pOut, pGrad, pStatus),
    batesPriceBatch: (n, pForward, pStrike, pExpiry, pDiscount, pType, v0, kappa, theta, sigma, rho, lambda, muJ, deltaJ, nNodes, pNodes, pWeights, tolerance, maxPanels, pWork, gradient, pOut, pGrad, pStatus) =>
      batesPriceBatch(arena.views, n, pForward, pStrike, pExpiry, pDiscount, pType, v0, kappa, theta, sigma, rho, lambda, muJ, deltaJ, nNodes, pNodes, pWeights, tolerance, maxPanels, pWork, gradient, pOut, pGrad, pStatus),
  };
}
