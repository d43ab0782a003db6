/**
 * What every facade function needs from an engine, in a module of its own at the bottom of the
 * layers: domains import this type, never engine.ts (the composition root that imports them).
 */
import type { Kernels } from './kernels/contract.js';
import type { MemoryArena } from './memory-arena.js';
import type { ResidentHeap } from './resident-arrays.js';

/** What every facade function needs from an engine: its kernels, its arena and its chunk size. */
export interface EngineContext {
  readonly kernels: Kernels;
  readonly arena: MemoryArena;
  readonly chunkSize: number;
  /** The engine's resident arrays (`engine.allocateArray`); undefined until the first one. @internal */
  readonly resident?: ResidentHeap;
}
