/**
 * Engine-resident arrays: typed arrays that live in an engine's heap (WebAssembly linear memory),
 * so the batch facade hands their byte offsets to a kernel instead of copying them in and out.
 *
 * Layout of a WASM engine's heap: [static data | resident arrays | per-call arena]. The resident
 * region starts at the heap base and ends at the arena's floor; a compute call resets the arena to
 * that floor and never touches the region below it. Blocks come from a first-fit free list with
 * coalescing; freeing the last block lowers the floor again, so alloc/free rounds stay bounded.
 *
 * The JS twin has no linear memory worth sharing (its kernels read an ArrayBuffer the arena owns),
 * so there `allocateArray` hands out plain typed arrays with the same handle, checks and errors:
 * one calling shape, one test suite for both backends.
 *
 * A WebAssembly `memory.grow` detaches every view over the old buffer. A handle's `array` getter
 * re-creates its view after a grow; a view read before a grow and passed in after it (length 0) is
 * an InputError naming the field, never an empty result.
 */
import { InputError } from './errors.js';
import { checkKeys } from './option-keys.js';
import { isLinearMemory, type MemoryArena } from './memory-arena.js';

/** Element type of a resident array: f64 numbers, i8 option-type flags (+1 call / -1 put), u8 bytes. */
export type ResidentType = 'f64' | 'i8' | 'u8';

/** The typed array of each {@link ResidentType}. */
export interface ResidentArrayTypes {
  f64: Float64Array;
  i8: Int8Array;
  u8: Uint8Array;
}

/** Arguments of `engine.allocateArray`. */
export interface AllocateArrayArgs<T extends ResidentType = ResidentType> {
  /** `'f64'` (Float64Array), `'i8'` (Int8Array: option types as +1 / -1) or `'u8'` (Uint8Array). */
  type: T;
  /** Number of elements, an integer in [0, 2^28]. */
  length: number;
}

const ALLOCATE_KEYS = ['type', 'length'] as const satisfies readonly (keyof AllocateArrayArgs)[];
const BYTES: Readonly<Record<ResidentType, number>> = { f64: 8, i8: 1, u8: 1 };
const MAX_LENGTH = 2 ** 28;
const ALIGN = 16;

function align(p: number): number {
  return (p + (ALIGN - 1)) & ~(ALIGN - 1);
}

/** A block of the resident region (or, on the JS twin, the bookkeeping of one plain array). */
export interface ResidentBlock {
  readonly heap: ResidentHeap;
  /** Byte offset in the heap (JS twin: 0). */
  readonly ptr: number;
  /** Bytes reserved (16-byte multiple; JS twin: 0). */
  readonly bytes: number;
  /** Elements of the array. */
  readonly length: number;
  /** Bytes the array's elements span (length x element size). */
  readonly span: number;
  freed: boolean;
}

/** Every view handed out by any engine's allocateArray (re-created views too) and every view made from one (subarrays), to its block. */
const ISSUED = new WeakMap<object, ResidentBlock>();
/** The resident heap whose engine's memory is this buffer (registered when a view over it is made). */
const HEAP_OF_BUFFER = new WeakMap<ArrayBufferLike, ResidentHeap>();
/** Whether any engine in this thread ever allocated a resident array: until then no batch call pays a lookup. */
let anyIssued = false;

/** Engines (their heaps) that ever placed a resident array in linear memory: how many, and the last. */
let heapsInMemory = 0;
let lastHeapInMemory: ResidentHeap | undefined;
/** Whether any JS-twin engine ever handed out a (plain) resident array. */
let plainIssued = false;

/**
 * Whether a resident-array check is needed at all (no engine has handed one out yet: no).
 * @throws Nothing.
 */
export function residentArraysInUse(): boolean {
  return anyIssued;
}

/**
 * Whether a call on `heap`'s engine may be handed a resident array it does not own: another
 * engine's array in linear memory (a getter may grow that memory mid-call), or a JS-twin array (a
 * getter may free it). When not, the batch runner skips looking its columns up (a few lookups per
 * call, ~7% of a call of 8 options).
 * @throws Nothing.
 */
export function foreignArraysPossible(heap: ResidentHeap | undefined): boolean {
  return plainIssued || heapsInMemory > 1 || (heapsInMemory === 1 && lastHeapInMemory !== heap);
}

/**
 * A typed array living in an engine's heap. Read `array` again after any engine call that may grow
 * the heap (another `allocateArray`, a large batch, a Monte Carlo run): a grow detaches the views
 * read before it. `free()` returns the memory; the handle (and every view of it) is unusable after.
 */
export class ResidentArray<T extends ResidentType = ResidentType> {
  /** Element type. */
  readonly type: T;
  /** Number of elements. */
  readonly length: number;
  private readonly block: ResidentBlock;
  private view: ResidentArrayTypes[T];

  /** @internal use `engine.allocateArray`. */
  constructor(type: T, block: ResidentBlock, view: ResidentArrayTypes[T]) {
    this.type = type;
    this.length = block.length;
    this.block = block;
    this.view = view;
  }

  /**
   * The array: a view over the engine's heap (WASM backend; re-created after the heap grows) or a
   * plain typed array (JS backend). Pass it as any input or as an `out` array of the batch
   * pricing calls; the WASM backend then reads and writes it in place.
   * @throws InputError (path `array`) once the array was freed.
   */
  get array(): ResidentArrayTypes[T] {
    const b = this.block;
    if (b.freed) throw new InputError('array', this, 'a resident array not yet freed (this one was freed)');
    const heap = b.heap;
    if (b.bytes > 0 && this.view.buffer !== heap.arena.buffer) {
      this.view = heap.view(this.type, b.ptr, b.length) as ResidentArrayTypes[T];
      ISSUED.set(this.view, b);
    }
    return this.view;
  }

  /** Whether {@link free} was called. */
  get freed(): boolean {
    return this.block.freed;
  }

  /**
   * Return the memory to the engine. The handle and every view of it become unusable: passing one
   * to a call is an InputError.
   * @throws InputError (path `free`) on a second call; while a batch of the same engine is copying
   *   its inputs (a getter that frees an array).
   */
  free(): void {
    const b = this.block;
    if (b.freed) throw new InputError('free', this, 'a resident array not yet freed (free() was already called)');
    b.heap.release(b, b.bytes === 0 ? this.view : undefined);
  }
}

// Views over the heap are made with these subclasses, and so are their `subarray`s (the species
// rule calls the subclass constructor with the view's buffer, offset and length). Two uses:
// - the one-option path takes typed arrays of the plain classes only (`Object.getPrototypeOf(v) ===
//   Float64Array.prototype`, folded by V8 to a map check, instead of reading `.buffer`: a builtin
//   call, ~20 ns, a third of a one-option call with greeks and fourteen array arguments) and leaves
//   every other view to the batch path. A plain view the caller built over an engine's memory
//   buffer by hand is taken as the caller's own;
// - each view records, when it is made, the live block it lies in ({@link ISSUED}), so a call
//   refuses it once that block is freed, whichever engine the call is made on, and even after the
//   memory went to a newer array (a range lookup would then find the newer array's block).
/**
 * Record a new heap view's block: the live block of its owner heap that contains it, else a freed
 * stand-in (a view made from a freed array's view, over memory no live array holds).
 */
function registerView(v: Float64Array | Int8Array | Uint8Array): void {
  const heap = HEAP_OF_BUFFER.get(v.buffer);
  if (heap === undefined) return; // made over a plain buffer (`slice`, `map`...: a copy, never resident)
  const block = heap.find(v.byteOffset, v.byteLength);
  ISSUED.set(v, block ?? { heap, ptr: v.byteOffset, bytes: 0, length: v.length, span: v.byteLength, freed: true });
}
/**
 * A subarray of a freed array's view stays freed: made after the memory went to a newer array,
 * registerView alone would find that array's live block (it sees only buffer, offset and length).
 */
function inheritFreed<T extends object>(parent: object, child: T): T {
  const b = ISSUED.get(parent);
  if (b !== undefined && b.freed) ISSUED.set(child, b);
  return child;
}
/** A Float64Array view over an engine's heap (a resident array, or a view of one). */
class ResidentFloat64Array extends Float64Array {
  constructor(...args: [ArrayBuffer, number, number]) {
    super(...args);
    registerView(this);
  }
  override subarray(begin?: number, end?: number) {
    return inheritFreed(this, super.subarray(begin, end));
  }
}
/** An Int8Array view over an engine's heap. */
class ResidentInt8Array extends Int8Array {
  constructor(...args: [ArrayBuffer, number, number]) {
    super(...args);
    registerView(this);
  }
  override subarray(begin?: number, end?: number) {
    return inheritFreed(this, super.subarray(begin, end));
  }
}
/** A Uint8Array view over an engine's heap. */
class ResidentUint8Array extends Uint8Array {
  constructor(...args: [ArrayBuffer, number, number]) {
    super(...args);
    registerView(this);
  }
  override subarray(begin?: number, end?: number) {
    return inheritFreed(this, super.subarray(begin, end));
  }
}

/**
 * A Float64Array view of `length` elements at byte offset `ptr` of a heap buffer, of the class the
 * one-option path leaves to the batch path (src/pricing/one-option.ts).
 * @throws RangeError when the range lies outside the buffer.
 */
export function residentF64View(buffer: ArrayBuffer, ptr: number, length: number): Float64Array {
  return new ResidentFloat64Array(buffer, ptr, length);
}

/** An engine's resident region: its blocks, its free list, the arena floor above them. */
export class ResidentHeap {
  /** Live blocks, sorted by `ptr` (WASM backend only). */
  private readonly live: ResidentBlock[] = [];
  /** Free ranges inside [start, end), sorted by ptr, never adjacent (coalesced). */
  private readonly holes: { ptr: number; bytes: number }[] = [];
  private readonly start: number;
  private end: number;
  /** Whether this heap placed an array in linear memory yet (counted in {@link foreignArraysPossible}). */
  private placed = false;

  /**
   * @param arena the engine's arena (its floor is moved above the resident region).
   * @param inHeap true for the WASM backend (arrays in linear memory), false for the JS twin (plain arrays).
   * @param headroom bytes kept free above the region for one chunk of a batch call, so a call on resident arrays rarely grows the heap.
   */

  constructor(readonly arena: MemoryArena, readonly inHeap: boolean, private readonly headroom: number) {
    this.start = arena.floor;
    this.end = this.start;
  }

  /** Bytes of the resident region (live blocks and holes). */
  get regionBytes(): number {
    return this.end - this.start;
  }

  /** A view of `length` elements of `type` at byte offset ptr of the current heap buffer. */
  view(type: ResidentType, ptr: number, length: number): Float64Array | Int8Array | Uint8Array {
    const buf = this.arena.buffer;
    HEAP_OF_BUFFER.set(buf, this);
    return type === 'f64' ? residentF64View(buf, ptr, length) : type === 'i8' ? new ResidentInt8Array(buf, ptr, length) : new ResidentUint8Array(buf, ptr, length);
  }

  /**
   * A new zero-filled resident array.
   * @throws InputError naming `args`, `type`, `length`; or `inputs` when called from a getter while
   *   a batch of this engine copies its inputs. RangeError when the heap cannot grow that far.
   */
  allocate<T extends ResidentType>(args: AllocateArrayArgs<T>): ResidentArray<T> {
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InputError('args', args, "an object { type: 'f64' | 'i8' | 'u8', length }");
    checkKeys(args, ALLOCATE_KEYS, '');
    const { type, length } = args;
    if (type !== 'f64' && type !== 'i8' && type !== 'u8') throw new InputError('type', type, "'f64', 'i8' or 'u8'");
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > MAX_LENGTH) {
      throw new InputError('length', length, `an integer in [0, ${MAX_LENGTH}]`);
    }
    this.refuseWhileCopying();
    anyIssued = true;
    if (!this.inHeap) plainIssued = true;
    else if (length > 0 && !this.placed) {
      this.placed = true;
      heapsInMemory++;
      lastHeapInMemory = this;
    }
    if (!this.inHeap || length === 0) {
      // A zero-length array needs no memory (and cannot be told from a detached view by length).
      const block: ResidentBlock = { heap: this, ptr: 0, bytes: 0, length, span: 0, freed: false };
      const plain = (type === 'f64' ? new Float64Array(length) : type === 'i8' ? new Int8Array(length) : new Uint8Array(length)) as ResidentArrayTypes[T];
      ISSUED.set(plain, block);
      return new ResidentArray(type, block, plain);
    }
    const span = length * BYTES[type];
    const bytes = align(span);
    const ptr = this.take(bytes);
    const block: ResidentBlock = { heap: this, ptr, bytes, length, span, freed: false };
    this.insertLive(block);
    const view = this.view(type, ptr, length) as ResidentArrayTypes[T];
    view.fill(0);
    ISSUED.set(view, block);
    return new ResidentArray(type, block, view);
  }

  /**
   * Return a block to the free list (coalescing with its neighbours; the last block lowers the floor).
   * @throws InputError while a batch of this engine copies its inputs.
   */
  release(block: ResidentBlock, plain?: ArrayBufferView): void {
    this.refuseWhileCopying();
    block.freed = true;
    if (block.bytes === 0) {
      // A plain array (JS twin, or zero length): detach its buffer, so a view kept past free() has
      // length 0 everywhere (a batch call then names it as freed) instead of computing on quietly.
      if (plain !== undefined) {
        FREED_PLAIN.add(plain.buffer);
        detach(plain.buffer);
      }
      return;
    }
    const i = this.indexOfLive(block.ptr);
    if (i >= 0 && this.live[i] === block) this.live.splice(i, 1);
    this.giveBack(block.ptr, block.bytes);
  }

  /**
   * The live block containing the byte range [ptr, ptr + bytes), or undefined.
   * @throws Nothing.
   */
  find(ptr: number, bytes: number): ResidentBlock | undefined {
    // Last block starting at or before ptr.
    let lo = 0;
    let hi = this.live.length - 1;
    let hit = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.live[mid].ptr <= ptr) {
        hit = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (hit < 0) return undefined;
    const b = this.live[hit];
    return ptr + bytes <= b.ptr + b.span ? b : undefined;
  }

  /**
   * Whether [ptr, ptr + bytes) reaches at or above the start of the resident region: outside every
   * live block, that is freed memory (also where a freed last block gave its bytes back to the
   * arena, which no caller holds a view of).
   */
  reachesRegion(ptr: number, bytes: number): boolean {
    return ptr + bytes > this.start;
  }

  private refuseWhileCopying(): void {
    if (this.arena.copying) {
      throw new InputError('inputs', '(a getter that calls this engine)', "plain values: an input element's getter allocated or freed a resident array while its batch was being copied in");
    }
  }

  /** First fit in the holes, else extend the region (the arena's floor moves up, the heap grows once with headroom). */
  private take(bytes: number): number {
    const holes = this.holes;
    for (let i = 0; i < holes.length; i++) {
      const h = holes[i];
      if (h.bytes < bytes) continue;
      const ptr = h.ptr;
      if (h.bytes === bytes) holes.splice(i, 1);
      else {
        h.ptr += bytes;
        h.bytes -= bytes;
      }
      return ptr;
    }
    const ptr = this.end;
    this.arena.ensure(ptr + bytes + this.headroom);
    this.end = ptr + bytes;
    this.arena.floor = this.end;
    return ptr;
  }

  private giveBack(ptr: number, bytes: number): void {
    const holes = this.holes;
    let i = 0;
    while (i < holes.length && holes[i].ptr < ptr) i++;
    holes.splice(i, 0, { ptr, bytes });
    // Coalesce with the next hole, then with the previous one.
    if (i + 1 < holes.length && holes[i].ptr + holes[i].bytes === holes[i + 1].ptr) {
      holes[i].bytes += holes[i + 1].bytes;
      holes.splice(i + 1, 1);
    }
    if (i > 0 && holes[i - 1].ptr + holes[i - 1].bytes === holes[i].ptr) {
      holes[i - 1].bytes += holes[i].bytes;
      holes.splice(i, 1);
      i--;
    }
    // A hole that reaches the end gives its bytes back to the arena.
    const last = holes[holes.length - 1];
    if (last !== undefined && last.ptr + last.bytes === this.end) {
      holes.pop();
      this.end = last.ptr;
      this.arena.floor = this.end;
    }
  }

  private indexOfLive(ptr: number): number {
    let lo = 0;
    let hi = this.live.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const p = this.live[mid].ptr;
      if (p === ptr) return mid;
      if (p < ptr) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private insertLive(block: ResidentBlock): void {
    let i = this.live.length;
    while (i > 0 && this.live[i - 1].ptr > block.ptr) i--;
    this.live.splice(i, 0, block);
  }
}

function detachedError(path: string, v: unknown): InputError {
  return new InputError(path, v, "a live view: this one was detached when the engine's memory grew; read the resident array's `.array` again after any call that may grow memory");
}

/**
 * Reject a typed array that is unusable as an input or `out` array: a freed resident array (or a
 * view into one) or a view detached by a `memory.grow`. Anything else passes.
 * @throws InputError naming `path`.
 */
export function rejectUnusableView(v: unknown, path: string): void {
  if (!anyIssued || !ArrayBuffer.isView(v)) return;
  const b = ISSUED.get(v);
  if (b !== undefined) {
    if (b.freed) throw new InputError(path, v, 'a live resident array (this one was freed)');
    // (A subarray of a live array may be empty: the buffer, not the length, says detached.)
    if (b.length !== 0 && v.buffer.byteLength === 0) throw detachedError(path, v);
    return;
  }
  if (v.buffer.byteLength === 0) {
    if (isLinearMemory(v.buffer)) throw detachedError(path, v);
    // A subarray of a JS-twin resident array, freed since (free() detached its buffer).
    if (FREED_PLAIN.has(v.buffer)) throw new InputError(path, v, 'a live resident array (this one was freed)');
  }
}

/** Buffers of plain (JS-twin or empty) resident arrays that free() detached. */
const FREED_PLAIN = new WeakSet<ArrayBufferLike>();

/** Detach an ArrayBuffer (transfer it away), where the host can; else leave it. */
function detach(buffer: ArrayBufferLike): void {
  const clone = (globalThis as { structuredClone?: (v: unknown, o: { transfer: unknown[] }) => unknown }).structuredClone;
  if (clone === undefined || !(buffer instanceof ArrayBuffer)) return;
  try {
    clone(buffer, { transfer: [buffer] });
  } catch {
    // Not transferable here: the freed array stays readable, as any plain array the caller owns.
  }
}

/**
 * The byte offset at which a kernel may read or write `v` in place: `v` is a Float64Array (f64)
 * or Int8Array (i8) view over this engine's current heap inside one live resident array. -1 when
 * it must be copied as any caller-owned array is (a plain array, another engine's array, a
 * resident array of the JS twin, a live resident view of another element type, a view below the
 * resident region); a view above the region's start outside every live array is freed memory.
 * @throws InputError naming `path` for a freed resident array, a detached view, or a view over
 *   this engine's resident region outside every live array (freed memory).
 */
export function residentOffset(heap: ResidentHeap | undefined, v: unknown, bytes: 8 | 1, path: string): number {
  if (!anyIssued || !ArrayBuffer.isView(v)) return -1;
  const view = v as Float64Array | Int8Array;
  const buf = view.buffer;
  if (heap === undefined || !heap.inHeap || buf !== heap.arena.buffer) {
    // Not over this engine's current heap: a detached or freed view is an error (a plain array
    // only when it is empty: a freed one is detached), anything else is copied.
    if (view.length === 0 || isLinearMemory(buf)) rejectUnusableView(v, path);
    return -1;
  }
  const b = ISSUED.get(v);
  if (b !== undefined && b.freed) throw new InputError(path, v, 'a live resident array (this one was freed)');
  const ptr = view.byteOffset;
  const len = view.byteLength;
  if (heap.find(ptr, len) === undefined) {
    if (heap.reachesRegion(ptr, len)) throw new InputError(path, v, 'a view inside a live resident array (this memory was freed)');
    return -1;
  }
  const typeFits = bytes === 8 ? view instanceof Float64Array : view instanceof Int8Array;
  return typeFits ? ptr : -1;
}

/**
 * Whether `v` is a view over this engine's current heap buffer (a resident array the kernel cannot
 * read in place, e.g. of another element type): such a view is detached when the call's own
 * reservation grows the memory, so the batch runner copies it out first.
 * @throws Nothing.
 */
export function viewsHeap(heap: ResidentHeap | undefined, v: unknown): boolean {
  return heap !== undefined && heap.inHeap && ArrayBuffer.isView(v) && v.buffer === heap.arena.buffer;
}

/**
 * The live block a resident view belongs to (for a write-back after an await), or undefined.
 * @throws Nothing.
 */
export function blockOf(heap: ResidentHeap | undefined, v: ArrayBufferView): ResidentBlock | undefined {
  if (!anyIssued) return undefined;
  const b = ISSUED.get(v);
  if (b !== undefined) return b;
  if (heap === undefined || !heap.inHeap || v.buffer !== heap.arena.buffer) return undefined;
  return heap.find(v.byteOffset, v.byteLength);
}

/**
 * An array passed to a call, as it is now: `v` itself, or, when a grow of its engine's memory (the
 * call's own reservation, or a getter, or a worker run meanwhile, that grew another engine holding
 * it) detached it, a fresh view of the same bytes and element type over that engine's current
 * buffer. The synchronous batch path reads inputs and writes outputs through it, the workers path
 * writes its outputs through it.
 * @param block `v`'s block ({@link blockOf}), taken with `ptr` and `length` before anything could grow.
 * @param ptr `v`'s byte offset then; `length` its length then.
 * @throws InputError naming `path` when the resident array was freed during the call.
 */
export function liveView<V extends Float64Array | Int8Array | Uint8Array>(v: V, block: ResidentBlock, ptr: number, length: number, path: string): V {
  if (block.freed) throw new InputError(path, v, 'a resident array kept until the call returns (it was freed during the call)');
  if (block.bytes === 0) return v; // a plain array (JS twin, or zero length): never detached by a grow
  const heap = block.heap;
  if (v.buffer === heap.arena.buffer) return v;
  return heap.view(v instanceof Float64Array ? 'f64' : v instanceof Int8Array ? 'i8' : 'u8', ptr, length) as V;
}
