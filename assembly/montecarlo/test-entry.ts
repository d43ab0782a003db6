// Private entry for compiling the Monte Carlo kernel alone (asc smoke build); the package build
// exports mcShard from assembly/index.ts.
export { mcShard } from "./paths";

/** First byte of linear memory after static data. */
export function heapBase(): usize {
  return __heap_base;
}
