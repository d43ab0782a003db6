// Generated from spec/kernels.json by scripts/kernel-spec/generate.mjs (npm run gen:kernels): do not edit.
//
// The kernels of the spec, re-exported from the file that implements each; assembly/index.ts
// exports this module whole. The pure-JS twin (src/kernels/index.ts) implements the same names and
// argument lists, declared in src/kernels/kernel-signatures.ts.
export { normalPdf, normalCdf, normalCdfOverPdf } from "./math/normal-distribution";
export { inverseNormalCdf, inverseNormalCdfFast } from "./math/inverse-normal";
export { normalisedBlack } from "./pricing/normalised-black";
export { normalisedImpliedVolatility, impliedVolatilityBatch } from "./pricing/implied-volatility";
export { blackScholesBatch, black76Batch } from "./pricing/black-scholes";
export { hestonPriceBatch, batesPriceBatch } from "./pricing/heston";
export {
  philox4x32_10, philoxUint32Batch, philoxUniformBatch, philoxUniformPaths, philoxNormalBatch, philoxNormalPaths,
} from "./random/philox";
export { sobolInitDirections, sobolPoints } from "./random/sobol";
export { brownianBridgeInit, brownianBridgeBatch } from "./random/brownian-bridge";
export { mcShard } from "./montecarlo/paths";
export { mcMultiAssetShard } from "./montecarlo/multi-asset";
export { sviSliceEvaluate } from "./calibration/svi-jacobian";
export { sabrSliceEvaluate } from "./calibration/sabr-jacobian";
export { ssviEvaluate } from "./calibration/ssvi-jacobian";
export { portfolioRevalue } from "./risk/portfolio-revalue";
export { tailSelect } from "./risk/tail-select";
export { garchLikelihood } from "./risk/garch-likelihood";
export { liquidationPrice } from "./margin/liquidation-price";
export { volSurfaceEvaluate } from "./surface/vol-surface";
export { hedgeShard } from "./hedging/hedge-paths";
export { sviButterflyGrid } from "./calibration/svi-butterfly";

// Outside the kernel contract:
// Elementary functions over a column (tests compare it with the JS twin bit for bit).
export { elementaryBatch } from "./math/elementary";
// f64x2 elementary and normal functions over a column, two lanes per vector (tests compare each lane with the scalar
// function bit for bit).
export { simdMathBatch } from "./math/f64x2-normal";
// sin and cos over a column, two per f64x2 or scalar, and scalar expm1 and atan2 (tests compare the lanes with the
// scalar, and the JS twin's src/kernels/math/trig.ts with the scalar, bit for bit).
export { trigBatch } from "./math/f64x2-trig";
// [simd] The Monte Carlo draws' normals of given uniforms by the vector draw code (test/draws-far-tail.test.ts compares
// them with inverseNormalCdfFast bit for bit, far tails included).
export { drawNormalsBatch } from "./montecarlo/draws";
