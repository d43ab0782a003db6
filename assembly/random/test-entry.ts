// Private entry for testing the random kernels before they are wired into assembly/index.ts.
// Built by scripts/fixtures/build-random-wasm.mjs into test/fixtures/random-kernels.wasm.
export {
  philox4x32_10, philoxUint32Batch, philoxUniformBatch, philoxUniformPaths, philoxNormalBatch, philoxNormalPaths,
} from "./philox";
// The scalar inverse normal the normal kernels use (already exported by assembly/index.ts).
export { inverseNormalCdf } from "../math/inverse-normal";
export { sobolInitDirections, sobolPoints } from "./sobol";
export { brownianBridgeInit, brownianBridgeBatch } from "./brownian-bridge";

/** First byte of linear memory after static data. */
export function heapBase(): usize {
  return __heap_base;
}
