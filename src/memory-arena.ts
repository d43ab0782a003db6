import type { KernelHeap } from './kernels/heap.js';
import { InputError } from './errors.js';
import { requireFunction } from './arguments.js';

/** Where an arena's bytes live: WebAssembly linear memory, or a plain ArrayBuffer for the JS twin. */
export interface HeapBacking {
  /** The current buffer (replaced by `grow`). */
  readonly buffer: ArrayBuffer;
  /** First byte the arena may use (after the module's static data). */
  readonly base: number;
  /**
   * Make `buffer.byteLength >= bytes`; may replace `buffer`.
   * @throws RangeError when the memory cannot grow that far.
   */
  grow(bytes: number): void;
}

const ALIGN = 16;

/**
 * A bump allocator over an engine's heap, owned by TypeScript. A compute call resets it, reserves
 * the bytes of one chunk (growing the heap once if needed), carves out its columns and reads the
 * views after the reservation, so no view is ever used across a `memory.grow`.
 */
export class MemoryArena {
  private readonly backing: HeapBacking;
  private top: number;
  /** Where {@link reset} starts: the heap base, raised above the engine-resident arrays (src/resident-arrays.ts). */
  private bottom: number;
  private viewsOf: ArrayBuffer | null = null;
  private cached!: KernelHeap;
  /**
   * Set while a batch copies the caller's columns into the heap. An input whose element getter
   * calls the same engine would reset the arena under the copy and overwrite columns already
   * copied; {@link reset} refuses instead.
   */
  copying = false;

  /**
   * @throws InputError naming `backing` (not an object), `backing.buffer` (not an ArrayBuffer or
   *   SharedArrayBuffer), `backing.base` (not an integer in [0, buffer.byteLength]) or
   *   `backing.grow` (not a function).
   */
  constructor(backing: HeapBacking) {
    if (backing === null || typeof backing !== 'object') throw new InputError('backing', backing, 'a HeapBacking { buffer, base, grow }');
    const buffer: unknown = backing.buffer;
    const shared = typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;
    if (!(buffer instanceof ArrayBuffer) && !shared) throw new InputError('backing.buffer', buffer, 'an ArrayBuffer');
    const base: unknown = backing.base;
    const size = (buffer as ArrayBuffer).byteLength;
    if (typeof base !== 'number' || !Number.isInteger(base) || base < 0 || base > size) throw new InputError('backing.base', base, `an integer in [0, ${size}] (buffer.byteLength)`);
    requireFunction(backing.grow, 'backing.grow');
    this.backing = backing;
    this.top = align(backing.base);
    this.bottom = this.top;
  }

  /** The heap's current buffer (replaced when the heap grows; WebAssembly detaches the old one). */
  get buffer(): ArrayBuffer {
    return this.backing.buffer;
  }

  /**
   * First byte a compute call may use: the resident arrays live between the heap base and the
   * floor, and no call touches them. Moved only between calls, by the resident-array allocator.
   */
  get floor(): number {
    return this.bottom;
  }

  set floor(p: number) {
    this.bottom = align(p);
    this.top = this.bottom;
  }

  /**
   * Make the heap at least `bytes` long (may replace {@link buffer}).
   * @throws RangeError when the heap cannot grow that far.
   */
  ensure(bytes: number): void {
    if (bytes > this.backing.buffer.byteLength) this.backing.grow(bytes);
  }

  /** Bytes of heap currently committed (grows, never shrinks). */
  get capacity(): number {
    return this.backing.buffer.byteLength;
  }

  /**
   * Forget every allocation.
   * @throws InputError when called while a batch's inputs are being copied in (an input getter
   *   that calls the same engine).
   */
  reset(): void {
    if (this.copying) throw new InputError('inputs', '(a getter that calls this engine)', 'plain values: an input element\'s getter called the same engine while its batch was being copied in');
    this.top = this.bottom;
  }

  /**
   * Make room for `bytes` more bytes (each later `alloc` rounds up to 16-byte alignment).
   * @throws RangeError when the heap cannot grow that far (WebAssembly memory limit, allocation failure).
   */
  reserve(bytes: number): void {
    const need = this.top + bytes;
    if (need > this.backing.buffer.byteLength) this.backing.grow(need);
  }

  /**
   * Carve `bytes` out of the reserved region and return its byte offset (16-byte aligned).
   * @throws RangeError when the heap cannot grow that far.
   */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = align(p + bytes);
    if (this.top > this.backing.buffer.byteLength) this.backing.grow(this.top);
    return p;
  }

  /** Typed views over the heap, rebuilt whenever the underlying buffer has been replaced. */
  get views(): KernelHeap {
    const buf = this.backing.buffer;
    if (buf !== this.viewsOf) {
      this.cached = {
        f64: new Float64Array(buf), f32: new Float32Array(buf), u32: new Uint32Array(buf),
        i32: new Int32Array(buf), u8: new Uint8Array(buf), i8: new Int8Array(buf),
      };
      this.viewsOf = buf;
    }
    return this.cached;
  }
}

/** Bytes to reserve for a column of `n` elements of `bytesPer` bytes, with alignment slack. */
export function columnBytes(n: number, bytesPer: number): number {
  return align(n * bytesPer);
}

function align(p: number): number {
  return (p + (ALIGN - 1)) & ~(ALIGN - 1);
}

/** A growable ArrayBuffer standing in for linear memory in the pure-JS backend. */
export class JsHeapBacking implements HeapBacking {
  buffer: ArrayBuffer;
  readonly base = 0;
  constructor(initialBytes = 1 << 16) {
    this.buffer = new ArrayBuffer(initialBytes);
  }
  grow(bytes: number): void {
    if (bytes <= this.buffer.byteLength) return;
    // Contents survive, as WebAssembly's memory.grow keeps them: an alloc past the reserved size
    // then behaves the same on both backends. A multiple of 16 bytes, so every typed view (up to
    // Float64Array) spans the whole buffer.
    const next = new ArrayBuffer(align(Math.max(bytes, Math.ceil(this.buffer.byteLength * 1.5))));
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
  }
}

/**
 * WebAssembly linear memory as a heap backing; grows in 64 KiB pages. Only the arena grows the
 * memory (kernels never allocate), so the buffer is cached and refreshed after each grow: the
 * `memory.buffer` getter is slow enough to show in per-call overhead.
 */
export class WasmHeapBacking implements HeapBacking {
  readonly base: number;
  buffer: ArrayBuffer;
  private readonly memory: WebAssembly.Memory;
  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.base = base;
    this.buffer = memory.buffer as ArrayBuffer;
    LINEAR_MEMORY_BUFFERS.add(this.buffer);
  }
  grow(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
    this.buffer = this.memory.buffer as ArrayBuffer;
    LINEAR_MEMORY_BUFFERS.add(this.buffer);
  }
}

/**
 * Every buffer any engine's WebAssembly memory has had, current or detached by a grow: a view over
 * one is an engine-resident array (or a stale view of one), never a plain caller-owned array.
 */
const LINEAR_MEMORY_BUFFERS = new WeakSet<ArrayBuffer>();

/**
 * Whether `buffer` is, or was before a `memory.grow` detached it, the linear memory of an engine.
 * @throws Nothing.
 */
export function isLinearMemory(buffer: ArrayBufferLike): boolean {
  return LINEAR_MEMORY_BUFFERS.has(buffer as ArrayBuffer);
}
