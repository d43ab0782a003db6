import type * as Signatures from './kernel-signatures.js';
import type { RandomKernels } from './random/kernels.js';
import type { MonteCarloKernels } from './montecarlo/kernels.js';
import type { CalibrationKernels } from './calibration/kernels.js';
import type { RiskKernels } from './risk/kernels.js';
import type { MarginKernels } from './margin/kernels.js';

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
export type Kernels = Signatures.Kernels;

export { KERNEL_NAMES } from './kernel-signatures.js';

// The area interfaces beside each area's twin (random/kernels.ts, ...) predate the spec: until they
// re-export the generated ones, each must equal its generated twin, argument counts included.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Arities<T> = { [K in keyof T]: T[K] extends (...args: infer P) => number ? P['length'] : never };
type Agrees<Hand, Generated> = Same<Arities<Hand>, Arities<Generated>>;
const areasAgree: [
  Agrees<RandomKernels, Signatures.RandomKernels>, Agrees<MonteCarloKernels, Signatures.MonteCarloKernels>,
  Agrees<CalibrationKernels, Signatures.CalibrationKernels>, Agrees<RiskKernels, Signatures.RiskKernels>,
  Agrees<MarginKernels, Signatures.MarginKernels>,
] = [true, true, true, true, true];
void areasAgree;
