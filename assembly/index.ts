// The kernels module: every export here is listed in src/kernels/contract.ts, which the pure-JS
// twin (src/kernels/index.ts) implements with the same names and argument order.

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
export { sviSliceEvaluate } from "./calibration/svi-jacobian";
export { sabrSliceEvaluate } from "./calibration/sabr-jacobian";
export { ssviEvaluate } from "./calibration/ssvi-jacobian";
export * from "./risk/kernels";
export * from "./margin/kernels";
export { mcMultiAssetShard } from "./montecarlo/multi-asset";
// Diagnostic export outside the kernel contract (tests compare it with the JS twin bit for bit).
export { elementaryBatch } from "./math/elementary";
export { simdMathBatch } from "./math/f64x2-normal";

/**
 * Diagnostic: returns 0 for code 0; any other code fails an assertion in the debug build (so its
 * abort message can be decoded and tested) and returns the code in the release build.
 */
export function assertionCheck(code: i32): i32 {
  assert(code == 0, "assertionCheck: nonzero code");
  return code;
}

/** First byte of linear memory after static data: where the TypeScript-owned arena starts. */
export function heapBase(): usize {
  return __heap_base;
}
