// Generated from spec/kernels.json by scripts/kernel-spec/generate.mjs (npm run gen:kernels): do not edit.
//
// Not part of the build: compiled alone with --noEmit (npm run gen:kernels, test/kernel-spec.test.ts),
// so a kernel whose AssemblyScript signature differs from the spec is a compile error here.
import { assertionCheck } from "./index";
import { normalPdf, normalCdf, normalCdfOverPdf } from "./math/normal-distribution";
import { inverseNormalCdf, inverseNormalCdfFast } from "./math/inverse-normal";
import { normalisedBlack } from "./pricing/normalised-black";
import { normalisedImpliedVolatility, impliedVolatilityBatch } from "./pricing/implied-volatility";
import { blackScholesBatch, black76Batch } from "./pricing/black-scholes";
import { hestonPriceBatch, batesPriceBatch } from "./pricing/heston";
import {
  philox4x32_10, philoxUint32Batch, philoxUniformBatch, philoxUniformPaths, philoxNormalBatch, philoxNormalPaths,
} from "./random/philox";
import { sobolInitDirections, sobolPoints } from "./random/sobol";
import { brownianBridgeInit, brownianBridgeBatch } from "./random/brownian-bridge";
import { mcShard } from "./montecarlo/paths";
import { mcMultiAssetShard } from "./montecarlo/multi-asset";
import { sviSliceEvaluate } from "./calibration/svi-jacobian";
import { sabrSliceEvaluate } from "./calibration/sabr-jacobian";
import { ssviEvaluate } from "./calibration/ssvi-jacobian";
import { portfolioRevalue } from "./risk/portfolio-revalue";
import { tailSelect } from "./risk/tail-select";
import { garchLikelihood } from "./risk/garch-likelihood";
import { liquidationPrice } from "./margin/liquidation-price";
import { volSurfaceEvaluate } from "./surface/vol-surface";
import { hedgeShard } from "./hedging/hedge-paths";
import { sviButterflyGrid } from "./calibration/svi-butterfly";

// @ts-ignore: decorator
@inline function use<T>(f: T): void {}

export function checkKernelSignatures(): void {
  const assertionCheckSignature: (code: i32) => i32 = assertionCheck;
  use(assertionCheckSignature);
  const normalPdfSignature: (z: f64) => f64 = normalPdf;
  use(normalPdfSignature);
  const normalCdfSignature: (z: f64) => f64 = normalCdf;
  use(normalCdfSignature);
  const normalCdfOverPdfSignature: (z: f64) => f64 = normalCdfOverPdf;
  use(normalCdfOverPdfSignature);
  const inverseNormalCdfSignature: (p: f64) => f64 = inverseNormalCdf;
  use(inverseNormalCdfSignature);
  const inverseNormalCdfFastSignature: (p: f64) => f64 = inverseNormalCdfFast;
  use(inverseNormalCdfFastSignature);
  const normalisedBlackSignature: (x: f64, s: f64, theta: f64) => f64 = normalisedBlack;
  use(normalisedBlackSignature);
  const normalisedImpliedVolatilitySignature: (beta: f64, x: f64, theta: f64) => f64 = normalisedImpliedVolatility;
  use(normalisedImpliedVolatilitySignature);
  const blackScholesBatchSignature: (
    n: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize,
    greeks: i32, pOut: usize, pStatus: usize,
  ) => i32 = blackScholesBatch;
  use(blackScholesBatchSignature);
  const black76BatchSignature: (
    n: i32, pForward: usize, pStrike: usize, pExpiry: usize, pVol: usize, pDiscount: usize, pType: usize, coin: i32,
    greeks: i32, pOut: usize, pStatus: usize,
  ) => i32 = black76Batch;
  use(black76BatchSignature);
  const impliedVolatilityBatchSignature: (
    n: i32, pPrice: usize, pForward: usize, pStrike: usize, pExpiry: usize, pDiscount: usize, pType: usize, coin: i32,
    pVol: usize, pStatus: usize,
  ) => i32 = impliedVolatilityBatch;
  use(impliedVolatilityBatchSignature);
  const hestonPriceBatchSignature: (
    n: i32, pForward: usize, pStrike: usize, pExpiry: usize, pDiscount: usize, pType: usize, v0: f64, kappa: f64,
    theta: f64, sigma: f64, rho: f64, nNodes: i32, pNodes: usize, pWeights: usize, tolerance: f64, maxPanels: i32,
    pWork: usize, gradient: i32, pOut: usize, pGrad: usize, pStatus: usize,
  ) => i32 = hestonPriceBatch;
  use(hestonPriceBatchSignature);
  const batesPriceBatchSignature: (
    n: i32, pForward: usize, pStrike: usize, pExpiry: usize, pDiscount: usize, pType: usize, v0: f64, kappa: f64,
    theta: f64, sigma: f64, rho: f64, lambda: f64, muJ: f64, deltaJ: f64, nNodes: i32, pNodes: usize, pWeights: usize,
    tolerance: f64, maxPanels: i32, pWork: usize, gradient: i32, pOut: usize, pGrad: usize, pStatus: usize,
  ) => i32 = batesPriceBatch;
  use(batesPriceBatchSignature);
  const philox4x32_10Signature: (
    c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32, pOut: usize,
  ) => i32 = philox4x32_10;
  use(philox4x32_10Signature);
  const philoxUint32BatchSignature: (
    n: i32, seedLo: u32, seedHi: u32, stream: u32, path: u32, offset: f64, pOut: usize,
  ) => i32 = philoxUint32Batch;
  use(philoxUint32BatchSignature);
  const philoxUniformBatchSignature: (
    n: i32, seedLo: u32, seedHi: u32, stream: u32, path: u32, offset: f64, pOut: usize,
  ) => i32 = philoxUniformBatch;
  use(philoxUniformBatchSignature);
  const philoxUniformPathsSignature: (
    nPaths: i32, n: i32, seedLo: u32, seedHi: u32, stream: u32, firstPath: u32, offset: f64, pOut: usize,
  ) => i32 = philoxUniformPaths;
  use(philoxUniformPathsSignature);
  const philoxNormalBatchSignature: (
    n: i32, seedLo: u32, seedHi: u32, stream: u32, path: u32, offset: f64, pOut: usize,
  ) => i32 = philoxNormalBatch;
  use(philoxNormalBatchSignature);
  const philoxNormalPathsSignature: (
    nPaths: i32, n: i32, seedLo: u32, seedHi: u32, stream: u32, firstPath: u32, offset: f64, pOut: usize,
  ) => i32 = philoxNormalPaths;
  use(philoxNormalPathsSignature);
  const sobolInitDirectionsSignature: (
    dims: i32, pTable: usize, tableWords: i32, pDirections: usize,
  ) => i32 = sobolInitDirections;
  use(sobolInitDirectionsSignature);
  const sobolPointsSignature: (
    count: i32, dims: i32, index: f64, pDirections: usize, scramble: i32, pScramble: usize, pOut: usize,
  ) => i32 = sobolPoints;
  use(sobolPointsSignature);
  const brownianBridgeInitSignature: (steps: i32, pTimes: usize, pTable: usize) => i32 = brownianBridgeInit;
  use(brownianBridgeInitSignature);
  const brownianBridgeBatchSignature: (
    nPaths: i32, steps: i32, pTable: usize, normalise: i32, pNormals: usize, pOut: usize,
  ) => i32 = brownianBridgeBatch;
  use(brownianBridgeBatchSignature);
  const mcShardSignature: (
    pathStart: f64, count: i32, steps: i32, seedLo: u32, seedHi: u32, stream: u32, pParams: usize, drawMode: i32,
    pDraws: usize, pAcc: usize, pPaths: usize, pBridge: usize,
  ) => i32 = mcShard;
  use(mcShardSignature);
  const mcMultiAssetShardSignature: (
    pathStart: f64, count: i32, steps: i32, nAssets: i32, seedLo: u32, seedHi: u32, stream: u32, pParams: usize,
    pAssets: usize, drawMode: i32, pDraws: usize, pAcc: usize, pPaths: usize, pBridge: usize, pScratch: usize,
  ) => i32 = mcMultiAssetShard;
  use(mcMultiAssetShardSignature);
  const sviSliceEvaluateSignature: (
    n: i32, pLogMoneyness: usize, expiry: f64, pParams: usize, pTarget: usize, pOut: usize, pJacobian: usize,
  ) => i32 = sviSliceEvaluate;
  use(sviSliceEvaluateSignature);
  const sabrSliceEvaluateSignature: (
    n: i32, pStrike: usize, forward: f64, expiry: f64, beta: f64, pParams: usize, pTarget: usize, pOut: usize,
    pJacobian: usize,
  ) => i32 = sabrSliceEvaluate;
  use(sabrSliceEvaluateSignature);
  const ssviEvaluateSignature: (
    n: i32, pLogMoneyness: usize, pExpiry: usize, pSlice: usize, nSlices: i32, phiKind: i32, pParams: usize,
    pTarget: usize, pOut: usize, pJacobian: usize,
  ) => i32 = ssviEvaluate;
  use(ssviEvaluateSignature);
  const portfolioRevalueSignature: (
    n: i32, m: i32, nFactors: i32, nAccounts: i32, pPosF64: usize, pPosI32: usize, pSpots: usize, pLogReturns: usize,
    pVolShocks: usize, volMode: i32, horizon: f64, pNumeraire: usize, pScratch: usize, pOut: usize, pPositionPnl: usize,
  ) => i32 = portfolioRevalue;
  use(portfolioRevalueSignature);
  const tailSelectSignature: (n: i32, pData: usize, k: i32, pOut: usize) => i32 = tailSelect;
  use(tailSelectSignature);
  const garchLikelihoodSignature: (
    n: i32, pReturns: usize, model: i32, distribution: i32, pParams: usize, variance0: f64, pOut: usize,
    pVariances: usize,
  ) => i32 = garchLikelihood;
  use(garchLikelihoodSignature);
  const liquidationPriceSignature: (
    nProblems: i32, nPositions: i32, pPosF64: usize, pPosI32: usize, pStarts: usize, pProblems: usize, nTiers: i32,
    pTiers: usize, maxIterations: i32, pOut: usize, pStatus: usize,
  ) => i32 = liquidationPrice;
  use(liquidationPriceSignature);
  const volSurfaceEvaluateSignature: (
    n: i32, pX: usize, pExpiry: usize, broadcastExpiry: i32, strikeInput: i32, output: i32, nSlices: i32,
    pSlices: usize, nForwards: i32, pForwards: usize, extrapolation: i32, pOut: usize, pStatus: usize,
  ) => i32 = volSurfaceEvaluate;
  use(volSurfaceEvaluateSignature);
  const hedgeShardSignature: (
    pathStart: f64, count: i32, steps: i32, seedLo: u32, seedHi: u32, stream: u32, pParams: usize, nOptions: i32,
    pOptions: usize, nRuns: i32, pEvery: usize, pScratch: usize, pPnl: usize, pCost: usize, pTrades: usize,
  ) => i32 = hedgeShard;
  use(hedgeShardSignature);
  const sviButterflyGridSignature: (
    pParams: usize, kMin: f64, kMax: f64, points: i32, pOut: usize,
  ) => i32 = sviButterflyGrid;
  use(sviButterflyGridSignature);
}
