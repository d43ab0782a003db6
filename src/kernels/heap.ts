/**
 * Views over the byte heap a pure-JS kernel reads and writes. The JS twin of every WASM kernel
 * takes the same pointer arguments (byte offsets) as its WASM sibling; it resolves them against
 * these views, so the facade marshals data identically for both backends.
 *
 * The views are replaced whenever the heap grows, so a kernel must read `heap.f64` (etc.) once at
 * the start of each call and never keep a view across calls.
 */
export interface KernelHeap {
  f64: Float64Array;
  f32: Float32Array;
  u32: Uint32Array;
  i32: Int32Array;
  u8: Uint8Array;
  i8: Int8Array;
}
