import type { EngineContext } from './context.js';
import type { Kernels } from './kernels/contract.js';
import { KernelError } from './errors.js';
import { columnBytes } from './memory-arena.js';
import { checkNumbers, checkTypes, copyNumbers, copyTypes, type NumberInput, type OptionTypeInput } from './batch-inputs.js';

/** One input column of a batch kernel: f64 numbers or i8 option-type flags. */
export type InputColumn =
  | { kind: 'f64'; data: NumberInput; path: string }
  | { kind: 'i8'; data: OptionTypeInput; path: string };

/** Check every input column (types, elements) before any kernel runs. */
export function checkColumns(columns: readonly InputColumn[]): void {
  for (const c of columns) {
    if (c.kind === 'f64') checkNumbers(c.data, c.path);
    else checkTypes(c.data, c.path);
  }
}

/** Bytes per element of an input column: 8 (f64 numbers) or 1 (i8 option-type flags). */
export type ColumnBytes = 8 | 1;

/**
 * Invoke a batch kernel on a chunk of m elements: `ptrs` holds the input columns' heap offsets in
 * the kernel's argument order; `flag0`, `flag1` are its integer flags (greeks, coin, ...).
 */
export type BatchCall = (kernels: Kernels, m: number, ptrs: readonly number[], flag0: number, flag1: number, pOut: number, pStatus: number) => number;

const NO_OUTPUT = new Float64Array(0);

/**
 * The state of one call of a batch kernel, reused from call to call (see {@link BatchKernel.acquire}):
 * its input columns, their heap offsets, its output columns and flags. Reusing it is what lets a
 * one-option call allocate nothing but its result.
 */
export interface BatchFrame {
  /** Input columns (numbers, arrays, option types), in the kernel's argument order. */
  readonly data: unknown[];
  readonly ptrs: number[];
  /** Output columns [0, nOut), each of the call's length, written from index 0. */
  readonly outs: Float64Array[];
  nOut: number;
  flag0: number;
  flag1: number;
}

/**
 * A batch kernel's input layout (column widths and paths, for checks and errors) and how to call
 * it. One per kernel, at module level.
 */
export class BatchKernel {
  private readonly free: BatchFrame[] = [];
  /**
   * @param name the kernel's name (KernelError).
   * @param bytes bytes per element of each input column, in argument order.
   * @param paths each input column's field name (InputError paths).
   * @param call invokes the kernel on one chunk.
   */
  constructor(readonly name: string, readonly bytes: readonly ColumnBytes[], readonly paths: readonly string[], readonly call: BatchCall) {}

  /**
   * A frame for one call: a free one, or a new one (a call made from inside another, e.g. by a
   * getter of an input array, gets its own). Hand it back with {@link BatchKernel.release}.
   * @throws Nothing.
   */
  acquire(): BatchFrame {
    return this.free.pop() ?? {
      data: new Array<unknown>(this.bytes.length).fill(0), ptrs: new Array<number>(this.bytes.length).fill(0),
      outs: new Array<Float64Array>(8).fill(NO_OUTPUT), nOut: 0, flag0: 0, flag1: 0,
    };
  }

  /**
   * Forget the frame's arrays (the caller's inputs and outputs are not kept alive) and reuse it.
   * @throws Nothing.
   */
  release(f: BatchFrame): void {
    for (let c = 0; c < f.data.length; c++) f.data[c] = 0;
    for (let o = 0; o < f.nOut; o++) f.outs[o] = NO_OUTPUT;
    f.nOut = 0;
    if (this.free.length < 4) this.free.push(f);
  }

  /**
   * Check every input column of a frame (types, elements) before any kernel runs.
   * @throws InputError naming the first malformed column or element (`strikes[3]`).
   */
  check(f: BatchFrame): void {
    for (let c = 0; c < this.bytes.length; c++) {
      if (this.bytes[c] === 8) checkNumbers(f.data[c] as NumberInput, this.paths[c]);
      else checkTypes(f.data[c] as OptionTypeInput, this.paths[c]);
    }
  }
}

/**
 * Run a batch kernel over the elements [first, first + count) of a frame's (checked) inputs, in
 * chunks of `ctx.chunkSize`: per chunk, reserve the heap once, copy each input column in, call
 * the kernel, copy the f64 output block (`f.nOut` columns, column-major) and the u8 status
 * column out. Element first + i lands at index i of each output and at `statusAt + i` of `status`.
 * Views are read after the reservation, so none survives a `memory.grow`; an input getter that
 * calls the same engine during the copy is refused (the arena is locked) rather than let it reset
 * the heap under the columns already copied.
 * @throws InputError for such a re-entrant getter; KernelError when the kernel returns a non-zero code; RangeError when the heap cannot grow.
 */
export function runKernel(
  ctx: EngineContext, kernel: BatchKernel, f: BatchFrame, first: number, count: number, status: Uint8Array, statusAt: number,
): void {
  const { arena } = ctx;
  const bytes = kernel.bytes;
  const nc = bytes.length;
  const w = f.nOut;
  const data = f.data;
  const ptrs = f.ptrs;
  const chunk = ctx.chunkSize;
  for (let s = 0; s < count; s += chunk) {
    const m = Math.min(chunk, count - s);
    arena.reset();
    let total = columnBytes(m * w, 8) + columnBytes(m, 1);
    for (let c = 0; c < nc; c++) total += columnBytes(m, bytes[c]);
    // One allocation carved into 16-byte aligned columns: the layout of one alloc per column.
    let p = arena.alloc(total);
    for (let c = 0; c < nc; c++) {
      ptrs[c] = p;
      p += columnBytes(m, bytes[c]);
    }
    const pOut = p;
    const pStatus = p + columnBytes(m * w, 8);
    const views = arena.views; // after the allocation: nothing below grows the heap
    arena.copying = true;
    try {
      for (let c = 0; c < nc; c++) {
        if (bytes[c] === 8) copyNumbers(views.f64, ptrs[c] >>> 3, data[c] as NumberInput, first + s, m);
        else copyTypes(views.i8, ptrs[c], data[c] as OptionTypeInput, first + s, m);
      }
    } finally {
      arena.copying = false;
    }
    const rc = kernel.call(ctx.kernels, m, ptrs, f.flag0, f.flag1, pOut, pStatus);
    if (rc !== 0) throw new KernelError(kernel.name, rc);
    const after = arena.views;
    const iOut = pOut >>> 3;
    for (let o = 0; o < w; o++) copyOut(f.outs[o], s, after.f64, iOut + o * m, m);
    copyOut(status, statusAt + s, after.u8, pStatus, m);
  }
}

/** dst[at, at + m) = src[from, from + m): a loop for a few elements (no subarray allocated), else `set`. */
function copyOut<A extends Float64Array | Uint8Array>(dst: A, at: number, src: A, from: number, m: number): void {
  if (m > 16) dst.set(src.subarray(from, from + m) as ArrayLike<number>, at);
  else for (let i = 0; i < m; i++) dst[at + i] = src[from + i];
}
