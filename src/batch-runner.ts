import type { EngineContext } from './context.js';
import type { Kernels } from './kernels/contract.js';
import { KernelError } from './errors.js';
import { columnBytes } from './memory-arena.js';
import { checkNumbers, checkTypes, copyNumbers, copyTypes, type NumberInput, type OptionTypeInput } from './batch-inputs.js';
import { blockOf, foreignArraysPossible, liveView, residentArraysInUse, residentOffset, viewsHeap, type ResidentBlock } from './resident-arrays.js';

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
  /** Per input column: the byte offset of a resident array the kernel reads in place, else -1 (copied). */
  readonly res: number[];
  /** Per input column, during a resident run: whether the kernel reads it at `res` (else it is copied). */
  readonly inPlace: boolean[];
  /** Output columns [0, nOut), each of the call's length, written from index 0. */
  readonly outs: Float64Array[];
  /** Per output column: the byte offset of a resident array of this engine the results go to in place, else -1. */
  readonly outRes: number[];
  /**
   * Per output column: the resident block it lies in (this engine's or another's), else undefined;
   * with its byte offset and length, to view it again when a memory grow detached it mid-call.
   */
  readonly outBlock: (ResidentBlock | undefined)[];
  readonly outAt: number[];
  readonly outLength: number[];
  /** The same per input column copied from a view (not read in place): its block in some engine's heap, else undefined. */
  readonly inBlock: (ResidentBlock | undefined)[];
  readonly inAt: number[];
  readonly inLength: number[];
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
   * @param outPaths each output column's field name, in output-block order (`out`, or `out.price`, `out.delta`, ...).
   * @param call invokes the kernel on one chunk.
   */
  constructor(
    readonly name: string, readonly bytes: readonly ColumnBytes[], readonly paths: readonly string[], readonly outPaths: readonly string[], readonly call: BatchCall,
  ) {}

  /**
   * A frame for one call: a free one, or a new one (a call made from inside another, e.g. by a
   * getter of an input array, gets its own). Hand it back with {@link BatchKernel.release}.
   * @throws Nothing.
   */
  acquire(): BatchFrame {
    return this.free.pop() ?? {
      data: new Array<unknown>(this.bytes.length).fill(0), ptrs: new Array<number>(this.bytes.length).fill(0),
      res: new Array<number>(this.bytes.length).fill(-1), inPlace: new Array<boolean>(this.bytes.length).fill(false),
      outs: new Array<Float64Array>(8).fill(NO_OUTPUT), outRes: new Array<number>(8).fill(-1),
      outBlock: new Array<ResidentBlock | undefined>(8).fill(undefined), outAt: new Array<number>(8).fill(0), outLength: new Array<number>(8).fill(0),
      inBlock: new Array<ResidentBlock | undefined>(this.bytes.length).fill(undefined), inAt: new Array<number>(this.bytes.length).fill(0),
      inLength: new Array<number>(this.bytes.length).fill(0),
      nOut: 0, flag0: 0, flag1: 0,
    };
  }

  /**
   * Forget the frame's arrays (the caller's inputs and outputs are not kept alive) and reuse it.
   * @throws Nothing.
   */
  release(f: BatchFrame): void {
    for (let c = 0; c < f.data.length; c++) {
      f.data[c] = 0;
      f.inBlock[c] = undefined;
    }
    for (let o = 0; o < f.nOut; o++) {
      f.outs[o] = NO_OUTPUT;
      f.outBlock[o] = undefined;
    }
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
 *
 * Resident arrays (src/resident-arrays.ts) of this engine are read and written in place: the
 * kernel reads a resident input at its offset, a one-column output (price, vol) is written straight
 * into a resident `out`, and with greeks the eight outputs are too when they are consecutive
 * columns of one resident array (`out.delta` right after `out.price`, ...: the kernel's output
 * block), in one kernel call over the whole range when the copied columns of that range fit the
 * heap's headroom (else chunk by chunk through the arena, as any output: the heap never grows by
 * the batch length). The arena is then reserved before the first chunk, so nothing grows the heap
 * between binding and the last write. A resident input overlapping a resident output is copied
 * chunk by chunk (from its offset), as a caller-owned array is: a result written in place then
 * never changes an input not yet read. An `out` whose view a grow detached meanwhile (this
 * engine's reservation, or a getter that grew another engine's memory holding it) is written
 * through a fresh view, which replaces it in `f.outs`.
 * @throws InputError for such a re-entrant getter, or an `out` freed during the call;
 *   KernelError when the kernel returns a non-zero code; RangeError when the heap cannot grow.
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
  const res = f.res;
  const outRes = f.outRes;
  // inPlace[c]: the kernel reads column c at its resident offset; a resident column that overlaps an
  // output is copied from that offset instead (the caller's view may be detached by the reserve).
  // Per frame, not module scratch: a getter may price on another engine in the middle of this loop.
  const inPlace = f.inPlace;
  let bound = false;
  // Whether an output may need a fresh view before it is written, an input before it is copied
  // (it lies in some engine's heap, which a getter may grow during the copies).
  let heapOut = false;
  let heapIn = false;
  if (residentArraysInUse()) {
    bound = bindResident(ctx, kernel, f);
    for (let o = 0; o < w; o++) if (f.outBlock[o] !== undefined) heapOut = true;
    for (let c = 0; c < nc; c++) if (f.inBlock[c] !== undefined) heapIn = true;
  }
  let direct = false;
  if (bound) {
    direct = outRes[0] >= 0;
    for (let o = 1; o < w && direct; o++) direct = outRes[o] === outRes[0] + o * count * 8;
    for (let c = 0; c < nc; c++) {
      let ok = res[c] >= 0;
      if (ok) {
        const lo = res[c];
        const hi = lo + (data[c] as ArrayBufferView).byteLength;
        for (let o = 0; o < w; o++) if (outRes[o] >= 0 && lo < outRes[o] + count * 8 && outRes[o] < hi) ok = false;
      }
      inPlace[c] = ok;
    }
  } else {
    for (let c = 0; c < nc; c++) {
      res[c] = -1;
      inPlace[c] = false;
    }
    for (let o = 0; o < w; o++) outRes[o] = -1;
  }
  let chunk = ctx.chunkSize;
  if (direct && w > 1) {
    // The kernel's output block has the column stride of its call: one call over the whole range,
    // unless its copied columns would grow the heap (for good: it never shrinks) beyond its headroom,
    // or a resident input overlapping the block is copied: chunk by chunk it is read as the copying
    // path reads it (each chunk before that chunk's outputs are written), so the bits must not hang
    // on the headroom. Within one chunk both ways are the same and the one call needs less heap.
    let overlapping = false;
    for (let c = 0; c < nc; c++) if (res[c] >= 0 && !inPlace[c]) overlapping = true;
    if (count <= chunk || (!overlapping && arena.floor + chunkBytes(bytes, f, count, true) + 16 <= arena.capacity)) {
      chunk = Math.max(count, 1);
    } else direct = false;
  }
  if (bound) {
    arena.reset();
    arena.reserve(chunkBytes(bytes, f, Math.min(chunk, count), direct) + 16);
  }
  for (let s = 0; s < count; s += chunk) {
    const m = Math.min(chunk, count - s);
    arena.reset();
    // One allocation carved into 16-byte aligned columns: the layout of one alloc per column.
    let p = arena.alloc(chunkBytes(bytes, f, m, direct));
    for (let c = 0; c < nc; c++) {
      if (inPlace[c]) ptrs[c] = res[c] + (first + s) * bytes[c];
      else {
        ptrs[c] = p;
        p += columnBytes(m, bytes[c]);
      }
    }
    const pOut = direct ? outRes[0] + s * 8 : p;
    const pStatus = direct ? p : p + columnBytes(m * w, 8);
    const views = arena.views; // after the allocation: nothing below grows this heap
    arena.copying = true;
    try {
      for (let c = 0; c < nc; c++) {
        if (inPlace[c]) continue;
        if (res[c] >= 0) {
          const from = res[c] + (first + s) * bytes[c];
          if (bytes[c] === 8) views.f64.copyWithin(ptrs[c] >>> 3, from >>> 3, (from >>> 3) + m);
          else views.i8.copyWithin(ptrs[c], from, from + m);
        } else {
          if (heapIn) refreshInput(kernel, f, c);
          if (bytes[c] === 8) copyNumbers(views.f64, ptrs[c] >>> 3, data[c] as NumberInput, first + s, m);
          else copyTypes(views.i8, ptrs[c], data[c] as OptionTypeInput, first + s, m);
        }
      }
    } finally {
      arena.copying = false;
    }
    const rc = kernel.call(ctx.kernels, m, ptrs, f.flag0, f.flag1, pOut, pStatus);
    if (rc !== 0) throw new KernelError(kernel.name, rc);
    const after = arena.views;
    if (heapOut) refreshOuts(kernel, f);
    if (!direct) {
      const iOut = pOut >>> 3;
      for (let o = 0; o < w; o++) {
        if (outRes[o] >= 0) after.f64.copyWithin((outRes[o] >>> 3) + s, iOut + o * m, iOut + o * m + m);
        else copyOut(f.outs[o], s, after.f64, iOut + o * m, m);
      }
    }
    copyOut(status, statusAt + s, after.u8, pStatus, m);
  }
  if (heapOut) refreshOuts(kernel, f);
}

/** Heap bytes of a chunk of m elements: the copied input columns, the output block (unless written in place), the status. */
function chunkBytes(bytes: readonly ColumnBytes[], f: BatchFrame, m: number, direct: boolean): number {
  let total = (direct ? 0 : columnBytes(m * f.nOut, 8)) + columnBytes(m, 1);
  for (let c = 0; c < bytes.length; c++) if (!f.inPlace[c]) total += columnBytes(m, bytes[c]);
  return total;
}

/**
 * Replace each output of a frame that lies in an engine's heap by a live view of it (a getter may
 * have grown another engine's memory during the copies; this engine's reservation may have grown
 * its own).
 * @throws InputError naming the output whose resident array was freed meanwhile.
 */
function refreshOuts(kernel: BatchKernel, f: BatchFrame): void {
  for (let o = 0; o < f.nOut; o++) {
    const b = f.outBlock[o];
    if (b !== undefined) f.outs[o] = liveView(f.outs[o], b, f.outAt[o], f.outLength[o], kernel.outPaths[o]);
  }
}

/**
 * Replace input column c of a frame, when it lies in an engine's heap, by a live view of it (a
 * getter of an earlier column may have grown that engine's memory).
 * @throws InputError naming the column when its resident array was freed meanwhile.
 */
export function refreshInput(kernel: BatchKernel, f: BatchFrame, c: number): void {
  const b = f.inBlock[c];
  if (b !== undefined) f.data[c] = liveView(f.data[c] as Float64Array | Int8Array | Uint8Array, b, f.inAt[c], f.inLength[c], kernel.paths[c]);
}

/** dst[at, at + m) = src[from, from + m): a loop for a few elements (no subarray allocated), else `set`. */
function copyOut<A extends Float64Array | Uint8Array>(dst: A, at: number, src: A, from: number, m: number): void {
  if (m > 16) dst.set(src.subarray(from, from + m) as ArrayLike<number>, at);
  else for (let i = 0; i < m; i++) dst[at + i] = src[from + i];
}

/**
 * Find the frame's resident columns (engine-resident arrays over this engine's current heap, read
 * or written in place) into `f.res` and `f.outRes`, and the block of each output that lies in any
 * engine's heap into `f.outBlock` (with `f.outAt`, `f.outLength`), that of each input copied from
 * a view into `f.inBlock` (with `f.inAt`, `f.inLength`). Runs after every check, so no getter of
 * the caller's can free or move them before the kernel runs (getters during the copies are locked
 * out of this engine).
 * @returns whether any column is resident.
 * @throws InputError naming the field of a freed resident array or a detached view.
 */
export function bindResident(ctx: EngineContext, kernel: BatchKernel, f: BatchFrame): boolean {
  const heap = ctx.resident;
  const bytes = kernel.bytes;
  let any = false;
  const w = f.nOut;
  const foreign = foreignArraysPossible(heap);
  for (let o = 0; o < w; o++) {
    const v = f.outs[o];
    const p = residentOffset(heap, v, 8, kernel.outPaths[o]);
    f.outRes[o] = p;
    if (p >= 0) any = true;
    const b = p >= 0 || foreign ? blockOf(heap, v) : undefined;
    f.outBlock[o] = b;
    if (b !== undefined) {
      f.outAt[o] = v.byteOffset;
      f.outLength[o] = v.length;
    }
  }
  for (let c = 0; c < bytes.length; c++) {
    const d = f.data[c];
    const p = residentOffset(heap, d, bytes[c], kernel.paths[c]);
    f.res[c] = p;
    f.inBlock[c] = undefined;
    if (p >= 0) any = true;
    // A view over this heap read as a caller-owned column (a resident f64 array of types, say):
    // copied now, since the reservation below may grow the memory and detach it.
    else if (viewsHeap(heap, d)) f.data[c] = (d as Float64Array | Int8Array | Uint8Array).slice() as (typeof f.data)[number];
    else if (foreign && ArrayBuffer.isView(d)) {
      // Another engine's resident array (or a JS-twin one): copied, through a live view of it.
      const b = blockOf(heap, d);
      f.inBlock[c] = b;
      if (b !== undefined) {
        f.inAt[c] = d.byteOffset;
        f.inLength[c] = (d as Float64Array).length;
      }
    }
  }
  return any;
}
