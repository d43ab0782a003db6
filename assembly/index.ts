// The kernels module. Its exports are the kernels of spec/kernels.json (re-exported from
// kernel-exports.ts, generated from the spec; the pure-JS twin in src/kernels/ implements the same
// names and argument lists) and the two functions below, defined here so that the debug build's
// abort message names this file.
export * from "./kernel-exports";

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
