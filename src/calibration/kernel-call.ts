import type { EngineContext } from '../engine.js';
import { KernelError } from '../errors.js';
import type { CalibrationKernels } from '../kernels/calibration/kernels.js';
import { columnBytes } from '../memory-arena.js';

/** The engine's calibration kernels (part of the kernel contract on both backends). */
export function calibrationKernels(ctx: EngineContext): CalibrationKernels {
  return ctx.kernels;
}

/** An f64 or i32 column to copy into the heap before a kernel call. */
type HeapInput = Float64Array | Int32Array;

/**
 * One kernel call over the engine's arena: reset, reserve once, copy `inputs` in, call with their
 * pointers plus pointers to `outSizes` f64 output blocks (0 for a size 0), copy the outputs out.
 */
export function callKernel(
  ctx: EngineContext,
  name: string,
  inputs: HeapInput[],
  outputs: (Float64Array | null)[],
  call: (inPtrs: number[], outPtrs: number[]) => number,
): void {
  const { arena } = ctx;
  arena.reset();
  let bytes = 0;
  for (const a of inputs) bytes += columnBytes(a.length, a.BYTES_PER_ELEMENT);
  for (const o of outputs) if (o) bytes += columnBytes(o.length, 8);
  arena.reserve(bytes + 16 * (inputs.length + outputs.length));
  const inPtrs = inputs.map((a) => arena.alloc(a.length * a.BYTES_PER_ELEMENT));
  const outPtrs = outputs.map((o) => (o ? arena.alloc(o.length * 8) : 0));
  const v = arena.views;
  inputs.forEach((a, k) => {
    if (a instanceof Float64Array) v.f64.set(a, inPtrs[k] >>> 3);
    else v.i32.set(a, inPtrs[k] >>> 2);
  });
  const rc = call(inPtrs, outPtrs);
  if (rc !== 0) throw new KernelError(name, rc);
  const after = arena.views;
  outputs.forEach((o, k) => {
    if (o) o.set(after.f64.subarray(outPtrs[k] >>> 3, (outPtrs[k] >>> 3) + o.length));
  });
}
