import type { EngineContext } from './context.js';
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

/**
 * Run a batch kernel over `n` elements in chunks of `ctx.chunkSize`: per chunk, reserve the heap
 * once, copy each input column in, call the kernel, and copy the f64 output block
 * (`outputs.length` columns, column-major) and the u8 status column out.
 *
 * `call(m, inputPointers, pOut, pStatus)` invokes the kernel on a chunk of m elements.
 */
export function runBatch(
  ctx: EngineContext,
  name: string,
  n: number,
  columns: readonly InputColumn[],
  outputs: readonly Float64Array[],
  status: Uint8Array,
  call: (m: number, ptrs: number[], pOut: number, pStatus: number) => number,
): void {
  const { arena } = ctx;
  for (let start = 0; start < n; start += ctx.chunkSize) {
    const m = Math.min(ctx.chunkSize, n - start);
    arena.reset();
    let bytes = columnBytes(m * outputs.length, 8) + columnBytes(m, 1);
    for (const c of columns) bytes += columnBytes(m, c.kind === 'f64' ? 8 : 1);
    arena.reserve(bytes);
    const ptrs = columns.map((c) => arena.alloc(m * (c.kind === 'f64' ? 8 : 1)));
    const pOut = arena.alloc(m * outputs.length * 8);
    const pStatus = arena.alloc(m);
    const views = arena.views; // after every alloc: no view survives a grow
    columns.forEach((c, k) => {
      if (c.kind === 'f64') copyNumbers(views.f64, ptrs[k] >>> 3, c.data, start, m);
      else copyTypes(views.i8, ptrs[k], c.data, start, m);
    });
    const rc = call(m, ptrs, pOut, pStatus);
    if (rc !== 0) throw new KernelError(name, rc);
    const after = arena.views;
    const iOut = pOut >>> 3;
    outputs.forEach((o, c) => o.set(after.f64.subarray(iOut + c * m, iOut + (c + 1) * m), start));
    status.set(after.u8.subarray(pStatus, pStatus + m), start);
  }
}
