// Exports for the engine and the tests, not numerics: the assertion probe (a kernel of the
// contract) and the start of the TypeScript-owned heap (outside it).

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
