import type { EngineContext } from '../context.js';
import { KernelError } from '../errors.js';
import type { CalibrationKernels } from '../kernels/kernel-signatures.js';
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
 * Calibration calls it once per residual evaluation on small batches (a 25-quote slice), so it
 * allocates only the two pointer arrays: per-call closures and views cost more than the kernel there.
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
  for (let k = 0; k < inputs.length; k++) bytes += columnBytes(inputs[k].length, inputs[k].BYTES_PER_ELEMENT);
  for (let k = 0; k < outputs.length; k++) {
    const o = outputs[k];
    if (o) bytes += columnBytes(o.length, 8);
  }
  arena.reserve(bytes + 16 * (inputs.length + outputs.length));
  const inPtrs = new Array<number>(inputs.length);
  const outPtrs = new Array<number>(outputs.length);
  for (let k = 0; k < inputs.length; k++) inPtrs[k] = arena.alloc(inputs[k].length * inputs[k].BYTES_PER_ELEMENT);
  for (let k = 0; k < outputs.length; k++) {
    const o = outputs[k];
    outPtrs[k] = o ? arena.alloc(o.length * 8) : 0;
  }
  const v = arena.views;
  for (let k = 0; k < inputs.length; k++) {
    const a = inputs[k];
    if (a instanceof Float64Array) v.f64.set(a, inPtrs[k] >>> 3);
    else v.i32.set(a, inPtrs[k] >>> 2);
  }
  const rc = call(inPtrs, outPtrs);
  if (rc !== 0) throw new KernelError(name, rc);
  const f64 = arena.views.f64;
  for (let k = 0; k < outputs.length; k++) {
    const o = outputs[k];
    if (!o) continue;
    const base = outPtrs[k] >>> 3;
    for (let i = 0; i < o.length; i++) o[i] = f64[base + i];
  }
}
