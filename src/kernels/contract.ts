import type { RandomKernels } from './random/kernels.js';
import type { MonteCarloKernels } from './montecarlo/kernels.js';
import { MONTE_CARLO_KERNEL_NAMES } from './montecarlo/kernels.js';
import type { CalibrationKernels } from './calibration/kernels.js';
import { CALIBRATION_KERNEL_NAMES } from './calibration/kernels.js';
import type { RiskKernels } from './risk/kernels.js';
import { RISK_KERNEL_NAMES } from './risk/kernels.js';
import type { MarginKernels } from './margin/kernels.js';
import { MARGIN_KERNEL_NAMES } from './margin/kernels.js';

/**
 * The kernel contract: every compute kernel riskwasm has, with one signature shared by the
 * WebAssembly build (`assembly/`) and the pure-JS twin (`src/kernels/`).
 *
 * Batch kernels take an element count and byte offsets ("pointers") into the engine's heap, where
 * columns are laid out struct-of-arrays: `f64` columns 8-byte aligned, `i8` type flags (+1 call,
 * -1 put), `u8` per-element status codes (see `status.ts`). They write their outputs in place,
 * never allocate, never throw and never call `Math.random`; the return value is 0 unless the
 * call itself was malformed (a bug in the facade, surfaced as `KernelError`).
 *
 * Scalar kernels (plain `f64 -> f64`) are part of the contract so tests can compare the two
 * backends function by function.
 */
export interface Kernels extends RandomKernels, MonteCarloKernels, CalibrationKernels, RiskKernels, MarginKernels {
  /** Diagnostic: 0 for code 0; otherwise a failed assertion (debug WASM build: KernelError) or the code. */
  assertionCheck(code: number): number;
  /** Standard normal density. */
  normalPdf(z: number): number;
  /** Standard normal distribution function, relative accuracy in the lower tail. */
  normalCdf(z: number): number;
  /** Phi(z) / phi(z). */
  normalCdfOverPdf(z: number): number;
  /** Inverse of the standard normal distribution function (probability in (0, 1)). */
  inverseNormalCdf(p: number): number;
  /** AS 241 without the tail refinement (within 8 ulps, measured 7e-16 relative): the inverse the Monte Carlo draws use. */
  inverseNormalCdfFast(p: number): number;
  /**
   * Normalised Black price b(x, s, theta) = theta [e^{x/2} Phi(theta(x/s + s/2)) - e^{-x/2} Phi(theta(x/s - s/2))]
   * with x = ln(F/K), s = sigma sqrt(T), theta = +1 call / -1 put.
   */
  normalisedBlack(x: number, s: number, theta: number): number;
  /** Normalised implied total volatility s = sigma sqrt(T) from a normalised price beta (NaN if none). */
  normalisedImpliedVolatility(beta: number, x: number, theta: number): number;

  /**
   * Black-Scholes-Merton on spot with continuous dividend yield. Output block at `pOut`:
   * column-major [price, delta, gamma, vega, theta, rho, vanna, volga] x n (price only if greeks = 0).
   */
  blackScholesBatch(
    n: number, pSpot: number, pStrike: number, pExpiry: number, pVol: number, pRate: number,
    pDividend: number, pType: number, greeks: number, pOut: number, pStatus: number,
  ): number;
  /**
   * Black-76 on the forward with a discount factor. Same output block as `blackScholesBatch`;
   * `coin` = 1 divides the price (only the price) by the forward.
   */
  black76Batch(
    n: number, pForward: number, pStrike: number, pExpiry: number, pVol: number, pDiscount: number,
    pType: number, coin: number, greeks: number, pOut: number, pStatus: number,
  ): number;
  /**
   * Black-76 implied volatility. `coin` = 1 means prices are in units of the underlying
   * (multiplied by the forward before inversion). Writes vols (NaN where none) and statuses.
   */
  impliedVolatilityBatch(
    n: number, pPrice: number, pForward: number, pStrike: number, pExpiry: number, pDiscount: number,
    pType: number, coin: number, pVol: number, pStatus: number,
  ): number;
  /**
   * Heston prices (and with gradient = 1 the row-major n x 5 gradient with respect to
   * v0, kappa, theta, sigma, rho) on forwards with discount factors; elements with equal
   * consecutive expiries share characteristic-function values. Quadrature: nNodes-point
   * Gauss-Legendre rule at pNodes/pWeights on [-1, 1], tail tolerance, at most maxPanels panels,
   * work area of (maxPanels * 14 + 2) * nNodes f64 at pWork. Returns 2 for parameters outside their domain.
   */
  hestonPriceBatch(
    n: number, pForward: number, pStrike: number, pExpiry: number, pDiscount: number, pType: number,
    v0: number, kappa: number, theta: number, sigma: number, rho: number,
    nNodes: number, pNodes: number, pWeights: number, tolerance: number, maxPanels: number, pWork: number,
    gradient: number, pOut: number, pGrad: number, pStatus: number,
  ): number;
  /**
   * Bates prices: hestonPriceBatch with Merton lognormal jumps (lambda >= 0 per year, log-jump mean
   * muJ, sd deltaJ >= 0); gradient row-major n x 8 in (v0, kappa, theta, sigma, rho, lambda, muJ,
   * deltaJ); work area of (maxPanels * 20 + 2) * nNodes f64.
   */
  batesPriceBatch(
    n: number, pForward: number, pStrike: number, pExpiry: number, pDiscount: number, pType: number,
    v0: number, kappa: number, theta: number, sigma: number, rho: number, lambda: number, muJ: number, deltaJ: number,
    nNodes: number, pNodes: number, pWeights: number, tolerance: number, maxPanels: number, pWork: number,
    gradient: number, pOut: number, pGrad: number, pStatus: number,
  ): number;
}

/** Names of the batch kernels (their first argument is the element count). */
export const BATCH_KERNELS = [
  'blackScholesBatch', 'black76Batch', 'impliedVolatilityBatch',
  'philoxUint32Batch', 'philoxUniformBatch', 'philoxUniformPaths', 'philoxNormalBatch', 'philoxNormalPaths',
  'sobolInitDirections', 'sobolPoints', 'brownianBridgeInit', 'brownianBridgeBatch', 'hestonPriceBatch', 'batesPriceBatch',
] as const;

/** Names of every kernel in the contract, checked against both backends at engine creation. */
export const KERNEL_NAMES = [
  'assertionCheck', 'normalPdf', 'normalCdf', 'normalCdfOverPdf', 'inverseNormalCdf', 'inverseNormalCdfFast', 'normalisedBlack',
  'normalisedImpliedVolatility', 'philox4x32_10', ...BATCH_KERNELS, ...MONTE_CARLO_KERNEL_NAMES,
  ...CALIBRATION_KERNEL_NAMES, ...RISK_KERNEL_NAMES, ...MARGIN_KERNEL_NAMES,
] as const satisfies readonly (keyof Kernels)[];
