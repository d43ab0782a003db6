// Generated from spec/kernels.json by scripts/kernel-spec/generate.mjs (npm run gen:kernels): do not edit.
//
// The kernel contract, one interface per area. Pointers are byte offsets into the engine heap (see
// contract.ts); lengths are in elements of the pointer's type.

/** The diagnostics kernels. */
export interface DiagnosticKernels {
  /** Diagnostic: 0 for code 0; otherwise a failed assertion (debug WASM build: KernelError) or the code. */
  assertionCheck(code: number): number;
}

/** The math kernels. */
export interface MathKernels {
  /** Standard normal density. */
  normalPdf(z: number): number;

  /** Standard normal distribution function, relative accuracy in the lower tail. */
  normalCdf(z: number): number;

  /** Phi(z) / phi(z). */
  normalCdfOverPdf(z: number): number;

  /** Inverse of the standard normal distribution function (probability in (0, 1)). */
  inverseNormalCdf(p: number): number;

  /**
   * AS 241 without the tail refinement (within 8 ulps, measured 7e-16 relative): the inverse the Monte Carlo draws
   * use.
   */
  inverseNormalCdfFast(p: number): number;
}

/** The pricing kernels. */
export interface PricingKernels {
  /**
   * Normalised Black price b(x, s, theta) = theta [e^{x/2} Phi(theta(x/s + s/2)) - e^{-x/2} Phi(theta(x/s - s/2))]
   * with x = ln(F/K), s = sigma sqrt(T), theta = +1 call / -1 put.
   */
  normalisedBlack(x: number, s: number, theta: number): number;

  /** Normalised implied total volatility s = sigma sqrt(T) from a normalised price beta (NaN if none). */
  normalisedImpliedVolatility(beta: number, x: number, theta: number): number;

  /**
   * Black-Scholes-Merton on spot with continuous dividend yield. Output block at `pOut`: column-major [price, delta,
   * gamma, vega, theta, rho, vanna, volga] x n (price only if greeks = 0).
   * @param pSpot f64 [n], read
   * @param pStrike f64 [n], read
   * @param pExpiry f64 [n], read
   * @param pVol f64 [n], read
   * @param pRate f64 [n], read
   * @param pDividend f64 [n], read
   * @param pType i8 [n], read
   * @param pOut f64 [8 * n], written
   * @param pStatus u8 [n], written
   */
  blackScholesBatch(
    n: number, pSpot: number, pStrike: number, pExpiry: number, pVol: number, pRate: number, pDividend: number,
    pType: number, greeks: number, pOut: number, pStatus: number,
  ): number;

  /**
   * Black-76 on the forward with a discount factor. Same output block as `blackScholesBatch`; `coin` = 1 divides the
   * price (only the price) by the forward.
   * @param pForward f64 [n], read
   * @param pStrike f64 [n], read
   * @param pExpiry f64 [n], read
   * @param pVol f64 [n], read
   * @param pDiscount f64 [n], read
   * @param pType i8 [n], read
   * @param pOut f64 [8 * n], written
   * @param pStatus u8 [n], written
   */
  black76Batch(
    n: number, pForward: number, pStrike: number, pExpiry: number, pVol: number, pDiscount: number, pType: number,
    coin: number, greeks: number, pOut: number, pStatus: number,
  ): number;

  /**
   * Black-76 implied volatility. `coin` = 1 means prices are in units of the underlying (multiplied by the forward
   * before inversion). Writes vols (NaN where none) and statuses.
   * @param pPrice f64 [n], read
   * @param pForward f64 [n], read
   * @param pStrike f64 [n], read
   * @param pExpiry f64 [n], read
   * @param pDiscount f64 [n], read
   * @param pType i8 [n], read
   * @param pVol f64 [n], written
   * @param pStatus u8 [n], written
   */
  impliedVolatilityBatch(
    n: number, pPrice: number, pForward: number, pStrike: number, pExpiry: number, pDiscount: number, pType: number,
    coin: number, pVol: number, pStatus: number,
  ): number;

  /**
   * Heston prices (and with gradient = 1 the row-major n x 5 gradient with respect to v0, kappa, theta, sigma, rho)
   * on forwards with discount factors; elements with equal consecutive expiries share characteristic-function values.
   * Quadrature: nNodes-point Gauss-Legendre rule at pNodes/pWeights on [-1, 1], tail tolerance, at most maxPanels
   * panels, work area of (maxPanels * 14 + 2) * nNodes f64 at pWork. Returns 2 for parameters outside their domain.
   * @param pForward f64 [n], read
   * @param pStrike f64 [n], read
   * @param pExpiry f64 [n], read
   * @param pDiscount f64 [n], read
   * @param pType i8 [n], read
   * @param pNodes f64 [nNodes], read
   * @param pWeights f64 [nNodes], read
   * @param pWork f64 [(maxPanels * HESTON_WORK_STRIDE + 2) * nNodes], scratch
   * @param pOut f64 [n], written
   * @param pGrad f64 [5 * n], written (or 0)
   * @param pStatus u8 [n], written
   */
  hestonPriceBatch(
    n: number, pForward: number, pStrike: number, pExpiry: number, pDiscount: number, pType: number, v0: number,
    kappa: number, theta: number, sigma: number, rho: number, nNodes: number, pNodes: number, pWeights: number,
    tolerance: number, maxPanels: number, pWork: number, gradient: number, pOut: number, pGrad: number, pStatus: number,
  ): number;

  /**
   * Bates prices: hestonPriceBatch with Merton lognormal jumps (lambda >= 0 per year, log-jump mean muJ, sd deltaJ >=
   * 0); gradient row-major n x 8 in (v0, kappa, theta, sigma, rho, lambda, muJ, deltaJ); work area of (maxPanels * 20
   * + 2) * nNodes f64.
   * @param pForward f64 [n], read
   * @param pStrike f64 [n], read
   * @param pExpiry f64 [n], read
   * @param pDiscount f64 [n], read
   * @param pType i8 [n], read
   * @param pNodes f64 [nNodes], read
   * @param pWeights f64 [nNodes], read
   * @param pWork f64 [(maxPanels * BATES_WORK_STRIDE + 2) * nNodes], scratch
   * @param pOut f64 [n], written
   * @param pGrad f64 [8 * n], written (or 0)
   * @param pStatus u8 [n], written
   */
  batesPriceBatch(
    n: number, pForward: number, pStrike: number, pExpiry: number, pDiscount: number, pType: number, v0: number,
    kappa: number, theta: number, sigma: number, rho: number, lambda: number, muJ: number, deltaJ: number,
    nNodes: number, pNodes: number, pWeights: number, tolerance: number, maxPanels: number, pWork: number,
    gradient: number, pOut: number, pGrad: number, pStatus: number,
  ): number;
}

/** The random kernels. */
export interface RandomKernels {
  /**
   * Philox4x32-10 of counter (c0..c3) under key (k0, k1); writes 4 u32 words at `pOut`.
   * @param pOut u32 [4], written
   */
  philox4x32_10(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, pOut: number): number;

  /**
   * Words [offset, offset + n) of the Philox stream (seed = seedHi 2^32 + seedLo, stream, path) as u32 at `pOut`.
   * Word w is lane w & 3 of philox(counter = [w >>> 2 (lo, hi), path, stream], key = seed).
   * @param pOut u32 [n], written
   */
  philoxUint32Batch(
    n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number, pOut: number,
  ): number;

  /**
   * Uniforms [offset, offset + n) in (0, 1) as f64 at `pOut`: draw j = ((w_2j >>> 12) 2^32 + w_2j+1 + 1/2) 2^-52, an
   * odd multiple of 2^-53 in [2^-53, 1 - 2^-53].
   * @param pOut f64 [n], written
   */
  philoxUniformBatch(
    n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number, pOut: number,
  ): number;

  /**
   * Row-major [nPaths][n] uniforms; row i is path firstPath + i, draws [offset, offset + n).
   * @param pOut f64 [nPaths * n], written
   */
  philoxUniformPaths(
    nPaths: number, n: number, seedLo: number, seedHi: number, stream: number, firstPath: number, offset: number,
    pOut: number,
  ): number;

  /**
   * Standard normals [offset, offset + n): normal j = inverseNormalCdf(uniform j), |z| <= 8.29.
   * @param pOut f64 [n], written
   */
  philoxNormalBatch(
    n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number, pOut: number,
  ): number;

  /**
   * Row-major [nPaths][n] standard normals; row i is path firstPath + i, draws [offset, offset + n).
   * @param pOut f64 [nPaths * n], written
   */
  philoxNormalPaths(
    nPaths: number, n: number, seedLo: number, seedHi: number, stream: number, firstPath: number, offset: number,
    pOut: number,
  ): number;

  /**
   * Sobol direction integers u32 [dims][32] at `pDirections` from the Joe-Kuo table at `pTable` (`tableWords` u32:
   * [s, a, m_1..m_s] for dimensions 2..dims, see src/random/sobol-table.ts).
   * @param pTable u32 [tableWords], read
   * @param pDirections u32 [32 * dims], written
   */
  sobolInitDirections(dims: number, pTable: number, tableWords: number, pDirections: number): number;

  /**
   * Sobol points [index, index + count) (Gray-code order), row-major [count][dims] f64 in [0, 1). scramble: 0 none, 1
   * digital shift, 2 Owen (hashed), keyed by u32 words [dims] at `pScramble`.
   * @param pDirections u32 [32 * dims], read
   * @param pScramble u32 [dims], read (or 0)
   * @param pOut f64 [count * dims], written
   */
  sobolPoints(
    count: number, dims: number, index: number, pDirections: number, scramble: number, pScramble: number, pOut: number,
  ): number;

  /**
   * Brownian-bridge table (48 * steps bytes, 8-byte aligned, at `pTable`) for times 0 < t_1 < ... < t_steps (f64 at
   * `pTimes`, years).
   * @param pTimes f64 [steps], read
   * @param pTable f64 [6 * steps], written
   */
  brownianBridgeInit(steps: number, pTimes: number, pTable: number): number;

  /**
   * Row-major [nPaths][steps] normals (normal 0 sets W(T)) to Wiener increments W(t_i) - W(t_{i-1}) (divided by
   * sqrt(dt_i) if `normalise` = 1); `pOut` must not overlap `pNormals`.
   * @param pTable f64 [6 * steps], read
   * @param pNormals f64 [nPaths * steps], read
   * @param pOut f64 [nPaths * steps], written
   */
  brownianBridgeBatch(
    nPaths: number, steps: number, pTable: number, normalise: number, pNormals: number, pOut: number,
  ): number;
}

/** The montecarlo kernels. */
export interface MonteCarloKernels {
  /**
   * Simulate paths [pathStart, pathStart + count) (an integer < 2^32 carried in an f64) with `steps` steps, draws
   * from Philox (seed = seedHi 2^32 + seedLo, `stream`) when drawMode = 0, or from the row-major [rows][steps *
   * drawsPerStep] buffer at `pDraws` (1: Sobol uniforms on the 2^-32 grid, 2: normals, 3: Sobol uniforms to bridge;
   * rows = count, or count / 2 with antithetic pairs). Model, payoff and flags come from the f64 parameter block at
   * `pParams` (see montecarlo/layout.ts); the sums are ADDED to the f64 accumulator block at `pAcc`. If `pPaths` != 0
   * the spot path is written there, row-major [count][steps + 1]. drawMode 3: the buffer holds Sobol uniforms that
   * the kernel turns in place into Brownian-bridge normals per draw slot, with the brownianBridgeInit table (t_i = i
   * dt, 48 steps bytes) followed by 16 steps bytes of scratch at `pBridge` (0 otherwise). [surface] MODEL_LOCAL_VOL:
   * the block at `pParams` is PARAMS_SIZE + nT nK f64 long, the local-vol grid (P_LV_*) after its first PARAMS_SIZE
   * values. Returns 0, or 1 for a malformed call.
   * @param pParams f64 [PARAMS_SIZE], read
   * @param pDraws f64 [count * steps * 4], read (or 0)
   * @param pAcc f64 [ACC_SIZE], read and written
   * @param pPaths f64 [count * (steps + 1)], written (or 0)
   * @param pBridge f64 [8 * steps], scratch (or 0)
   */
  mcShard(
    pathStart: number, count: number, steps: number, seedLo: number, seedHi: number, stream: number, pParams: number,
    drawMode: number, pDraws: number, pAcc: number, pPaths: number, pBridge: number,
  ): number;

  /**
   * Correlated multi-asset GBM: simulate paths [pathStart, pathStart + count) of `nAssets` assets with `steps` steps
   * (draw j = step x nAssets + asset), draws as in `mcShard` (the buffer rows are [steps * nAssets]). The f64
   * parameter block at `pParams` carries the scalars (MODEL_MULTI_GBM, P_ASSETS = nAssets, rate, expiry, payoff,
   * strike, type, spread assets, antithetic, control); the f64 asset block at `pAssets` the spots, dividend yields,
   * vols, payoff weights, control weights and the lower-triangular correlation factor (5 nAssets + nAssets^2 values,
   * MA_* in montecarlo/layout.ts). The sums are ADDED to the accumulator block at `pAcc` (no greeks, no importance
   * sampling). `pScratch`: (4 nAssets + nAssets^2) f64 the kernel overwrites. If `pPaths` != 0 the spots are written
   * there, row-major [count][steps + 1][nAssets]. Returns 0, or 1 for a malformed call.
   * @param pParams f64 [PARAMS_SIZE], read
   * @param pAssets f64 [5 * nAssets + nAssets * nAssets], read
   * @param pDraws f64 [count * steps * nAssets], read (or 0)
   * @param pAcc f64 [ACC_SIZE], read and written
   * @param pPaths f64 [count * (steps + 1) * nAssets], written (or 0)
   * @param pBridge f64 [8 * steps], scratch (or 0)
   * @param pScratch f64 [4 * nAssets + nAssets * nAssets], scratch
   */
  mcMultiAssetShard(
    pathStart: number, count: number, steps: number, nAssets: number, seedLo: number, seedHi: number, stream: number,
    pParams: number, pAssets: number, drawMode: number, pDraws: number, pAcc: number, pPaths: number, pBridge: number,
    pScratch: number,
  ): number;
}

/** The calibration kernels. */
export interface CalibrationKernels {
  /**
   * Raw SVI on one expiry slice: out[i] = vol(k_i) - target[i] (pTarget = 0: no target) and, if pJacobian != 0, d vol
   * / d[a, b, rho, m, sigma] row-major n x 5. k = ln(K/F) at pLogMoneyness, params (5 f64) at pParams. Returns 0, or
   * 1 for a malformed call.
   * @param pLogMoneyness f64 [n], read
   * @param pParams f64 [5], read
   * @param pTarget f64 [n], read (or 0)
   * @param pOut f64 [n], written
   * @param pJacobian f64 [5 * n], written (or 0)
   */
  sviSliceEvaluate(
    n: number, pLogMoneyness: number, expiry: number, pParams: number, pTarget: number, pOut: number, pJacobian: number,
  ): number;

  /**
   * Hagan (2002) lognormal SABR on one slice (forward, expiry, fixed beta): out[i] = sigma_B(K_i) - target[i] and d
   * sigma_B / d[alpha, rho, nu] row-major n x 3. Returns 0, or 1 for a malformed call.
   * @param pStrike f64 [n], read
   * @param pParams f64 [3], read
   * @param pTarget f64 [n], read (or 0)
   * @param pOut f64 [n], written
   * @param pJacobian f64 [3 * n], written (or 0)
   */
  sabrSliceEvaluate(
    n: number, pStrike: number, forward: number, expiry: number, beta: number, pParams: number, pTarget: number,
    pOut: number, pJacobian: number,
  ): number;

  /**
   * SSVI surface: per quote k (f64), T (f64) and slice index (i32); params [rho, eta | lambda, gamma | unused,
   * theta_0..theta_{S-1}]; phiKind 0 power law, 1 Heston-like. Jacobian row-major n x (3 + S). Returns 0, or 1 for a
   * malformed call.
   * @param pLogMoneyness f64 [n], read
   * @param pExpiry f64 [n], read
   * @param pSlice i32 [n], read
   * @param pParams f64 [3 + nSlices], read
   * @param pTarget f64 [n], read (or 0)
   * @param pOut f64 [n], written
   * @param pJacobian f64 [n * (3 + nSlices)], written (or 0)
   */
  ssviEvaluate(
    n: number, pLogMoneyness: number, pExpiry: number, pSlice: number, nSlices: number, phiKind: number,
    pParams: number, pTarget: number, pOut: number, pJacobian: number,
  ): number;

  /**
   * [simd] Durrleman's g of one raw SVI slice (params [a, b, rho, m, sigma] at pParams) on the grid k_i = kMin +
   * ((kMax - kMin) i) / (points - 1), g = -Infinity where w <= 0 or g is NaN: out[0] = min g (Infinity if none
   * below), out[1] = its first index (-1 for none), out[2] = points with g < 0. Returns 0, or 1 for a malformed call
   * (points < 2).
   * @param pParams f64 [5], read
   * @param pOut f64 [3], written
   */
  sviButterflyGrid(pParams: number, kMin: number, kMax: number, points: number, pOut: number): number;
}

/** The risk kernels. */
export interface RiskKernels {
  /**
   * Full revaluation of n positions (layout: src/kernels/risk/layout.ts) over m scenarios of nFactors factors,
   * aggregated into nAccounts accounts. pSpots f64 [nFactors]; pLogReturns f64 [m][nFactors]; pVolShocks f64
   * [m][nFactors] or 0 (volMode 0 absolute, 1 relative, 2 log); horizon in years; pNumeraire i32 [nAccounts] (-1 USD
   * or a factor index) or 0; pScratch f64 [nFactors][m]; pOut f64 [nAccounts][m] (overwritten); pPositionPnl f64
   * [n][m] or 0.
   * @param pPosF64 f64 [POS_F64_COLUMNS * n], read
   * @param pPosI32 i32 [POS_I32_COLUMNS * n], read
   * @param pSpots f64 [nFactors], read
   * @param pLogReturns f64 [m * nFactors], read
   * @param pVolShocks f64 [m * nFactors], read (or 0)
   * @param pNumeraire i32 [nAccounts], read (or 0)
   * @param pScratch f64 [nFactors * m], scratch
   * @param pOut f64 [nAccounts * m], written
   * @param pPositionPnl f64 [n * m], written (or 0)
   */
  portfolioRevalue(
    n: number, m: number, nFactors: number, nAccounts: number, pPosF64: number, pPosI32: number, pSpots: number,
    pLogReturns: number, pVolShocks: number, volMode: number, horizon: number, pNumeraire: number, pScratch: number,
    pOut: number, pPositionPnl: number,
  ): number;

  /**
   * Floyd-Rivest selection in place: element k (0-based) of the n f64 at pData becomes the k-th smallest; writes f64
   * [kth, sum before, sum after] at pOut.
   * @param pData f64 [n], read and written
   * @param pOut f64 [3], written
   */
  tailSelect(n: number, pData: number, k: number, pOut: number): number;

  /**
   * GARCH(1,1) (model 0) / GJR (1) log-likelihood of n zero-mean returns, normal (0) or unit-variance Student-t (1)
   * innovations; pParams f64 [omega, alpha, beta, gamma, nu]; writes f64 [logL, gradient x 5] at pOut and the
   * conditional variances at pVariances (or 0).
   * @param pReturns f64 [n], read
   * @param pParams f64 [5], read
   * @param pOut f64 [6], written
   * @param pVariances f64 [n], written (or 0)
   */
  garchLikelihood(
    n: number, pReturns: number, model: number, distribution: number, pParams: number, variance0: number, pOut: number,
    pVariances: number,
  ): number;
}

/** The margin kernels. */
export interface MarginKernels {
  /**
   * Liquidation levels (equity = maintenance margin) below and above the index for nProblems (account, asset)
   * problems over nPositions positions grouped by problem (layout: src/kernels/margin/layout.ts): pStarts i32
   * [nProblems + 1]; pProblems f64 [LIQ_PROB_COLUMNS][nProblems]; pTiers f64 [nTiers][3] (upTo, rate, amount); writes
   * f64 [nProblems][2][LIQ_OUT_COLUMNS] at pOut and u8 [nProblems][2] at pStatus (LIQ_FOUND, LIQ_NONE, LIQ_ALREADY,
   * LIQ_NOT_CONVERGED, LIQ_INVALID).
   * @param pPosF64 f64 [LIQ_POS_F64_COLUMNS * nPositions], read
   * @param pPosI32 i32 [LIQ_POS_I32_COLUMNS * nPositions], read
   * @param pStarts i32 [nProblems + 1], read
   * @param pProblems f64 [LIQ_PROB_COLUMNS * nProblems], read
   * @param pTiers f64 [LIQ_TIER_COLUMNS * nTiers], read
   * @param pOut f64 [nProblems * 2 * LIQ_OUT_COLUMNS], written
   * @param pStatus u8 [nProblems * 2], written
   */
  liquidationPrice(
    nProblems: number, nPositions: number, pPosF64: number, pPosI32: number, pStarts: number, pProblems: number,
    nTiers: number, pTiers: number, maxIterations: number, pOut: number, pStatus: number,
  ): number;
}

/** The surface kernels. */
export interface SurfaceKernels {
  /**
   * [surface] Vol surface of raw SVI slices, ascending expiry, column-major at pSlices (columns expiry, a, b, rho, m,
   * sigma of nSlices f64 each) at n points: x = strike (strikeInput 1; k = ln x - ln F(T), ln F linear in T through
   * the rows [T, ln F] of pForwards) or log-moneyness k (strikeInput 0); expiries per point, or pExpiry[0] for all
   * (broadcastExpiry 1). Total variance linear in T at fixed k between slices, w T / T_1 before the first, constant
   * vol (extrapolation 0) or the last pair's forward variance (1) after the last. output 0 implied vol, 1 total
   * variance, 2 Dupire local vol (Gatheral's formula, analytic derivatives). Per-point status: invalidInput,
   * arbitrage (w <= 0, or local variance not positive). Returns 0, or 1 for a malformed call.
   * @param pX f64 [n], read
   * @param pExpiry f64 [n], read
   * @param pSlices f64 [6 * nSlices], read
   * @param pForwards f64 [2 * nForwards], read
   * @param pOut f64 [n], written
   * @param pStatus u8 [n], written
   */
  volSurfaceEvaluate(
    n: number, pX: number, pExpiry: number, broadcastExpiry: number, strikeInput: number, output: number,
    nSlices: number, pSlices: number, nForwards: number, pForwards: number, extrapolation: number, pOut: number,
    pStatus: number,
  ): number;
}

/** The hedging kernels. */
export interface HedgingKernels {
  /**
   * Discrete hedging along Monte Carlo paths [pathStart, pathStart + count) (an integer < 2^32 carried in an f64)
   * with `steps` steps over the horizon: the paths of mcShard with the same model, seed (seedHi 2^32 + seedLo),
   * `stream` and Philox draws. A book of `nOptions` vanillas (row-major option table at `pOptions`, hedging/layout.ts
   * OPT_*) is bought or sold at t = 0 at Black-Scholes prices at the hedge vol and hedged in the underlying (and a
   * hedge option for delta-gamma) with the strategy, rebalancing rule and costs of the parameter block at `pParams`
   * (H_*), once per rebalancing interval of `pEvery` (nRuns integers >= 1, in steps) on the same paths. [hedging]
   * MODEL_LOCAL_VOL: the block at `pParams` is H_PARAMS_SIZE + nT nK f64 long, the local-vol grid (H_LV_*) after its
   * first H_PARAMS_SIZE values. Writes per run and path, row-major [nRuns][count], the P&L discounted to t = 0
   * (`pPnl`), the discounted costs paid (`pCost`) and the number of rebalancings with a trade (`pTrades`). Returns 0,
   * or 1 for a malformed call.
   * @param pParams f64 [H_PARAMS_SIZE], read
   * @param pOptions f64 [nOptions * OPT_COLUMNS], read
   * @param pEvery f64 [nRuns], read
   * @param pScratch f64 [(steps + 1) * (nOptions * 5 + HEDGE_SCRATCH_PER_STEP)], scratch
   * @param pPnl f64 [nRuns * count], written
   * @param pCost f64 [nRuns * count], written
   * @param pTrades f64 [nRuns * count], written
   */
  hedgeShard(
    pathStart: number, count: number, steps: number, seedLo: number, seedHi: number, stream: number, pParams: number,
    nOptions: number, pOptions: number, nRuns: number, pEvery: number, pScratch: number, pPnl: number, pCost: number,
    pTrades: number,
  ): number;
}

/** Every kernel: what both twins implement. */
export interface Kernels extends
  DiagnosticKernels, MathKernels, PricingKernels, RandomKernels, MonteCarloKernels, CalibrationKernels, RiskKernels,
  MarginKernels, SurfaceKernels, HedgingKernels {}

/** Names of every kernel in the contract, checked against both backends at engine creation. */
export const KERNEL_NAMES = [
  'assertionCheck', 'normalPdf', 'normalCdf', 'normalCdfOverPdf', 'inverseNormalCdf', 'inverseNormalCdfFast',
  'normalisedBlack', 'normalisedImpliedVolatility', 'blackScholesBatch', 'black76Batch', 'impliedVolatilityBatch',
  'hestonPriceBatch', 'batesPriceBatch', 'philox4x32_10', 'philoxUint32Batch', 'philoxUniformBatch',
  'philoxUniformPaths', 'philoxNormalBatch', 'philoxNormalPaths', 'sobolInitDirections', 'sobolPoints',
  'brownianBridgeInit', 'brownianBridgeBatch', 'mcShard', 'mcMultiAssetShard', 'sviSliceEvaluate', 'sabrSliceEvaluate',
  'ssviEvaluate', 'portfolioRevalue', 'tailSelect', 'garchLikelihood', 'liquidationPrice', 'volSurfaceEvaluate',
  'hedgeShard', 'sviButterflyGrid',
] as const satisfies readonly (keyof Kernels)[];
