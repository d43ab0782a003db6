// The kernels module: every export here is listed in src/kernels/contract.ts, which the pure-JS
// twin (src/kernels/index.ts) implements with the same names and argument order.

export { normalPdf, normalCdf, normalCdfOverPdf } from "./math/normal-distribution";
export { inverseNormalCdf } from "./math/inverse-normal";
export { normalisedBlack } from "./pricing/normalised-black";
export { normalisedImpliedVolatility, impliedVolatilityBatch } from "./pricing/implied-volatility";
export { blackScholesBatch, black76Batch } from "./pricing/black-scholes";
export { hestonPriceBatch } from "./pricing/heston";

/** First byte of linear memory after static data: where the TypeScript-owned arena starts. */
export function heapBase(): usize {
  return __heap_base;
}
