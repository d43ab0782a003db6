/**
 * The kernel contract: every compute kernel riskwasm has, with one signature shared by the
 * WebAssembly build (`assembly/`) and the pure-JS twin (`src/kernels/`). Names, argument lists
 * and layouts are written once, in spec/kernels.json and spec/constants.json, and generated into
 * both sides (kernel-signatures.ts here; assembly/index.ts and the layout and status files).
 *
 * Batch kernels take an element count and byte offsets ("pointers") into the engine's heap, where
 * columns are laid out struct-of-arrays: `f64` columns 8-byte aligned, `i8` type flags (+1 call,
 * -1 put), `u8` per-element status codes (see `status.ts`). They write their outputs in place,
 * never allocate, never throw and never call `Math.random`; the return value is 0 unless the
 * call itself was malformed (a bug in the facade, surfaced as `KernelError`).
 *
 * Scalar kernels (plain `f64 -> f64`) are part of the contract so tests can compare the two
 * backends function by function.
 */
export type { Kernels } from './kernel-signatures.js';

export { KERNEL_NAMES } from './kernel-signatures.js';
