// Draws for the Monte Carlo path kernels: pure-JS twin of assembly/montecarlo/draws.ts (same
// stream layout, bit-identical uniforms). Uniform draw j of path p in stream s is
// ((w_2j >>> 12) 2^32 + w_2j+1 + 1/2) 2^-52 from philox(counter = [j >>> 1 (lo, hi), p, s], key = seed);
// the normal of draw j is inverseNormalCdfFast(uniform j) (AS 241 without the tail Halley step).
//
// As in the WASM twin, Philox draws are made a chunk at a time (CHUNK draws, or the rest of the
// path) into module buffers of uniforms and normals, with philoxBlock of src/kernels/random/philox.ts
// (the RNG kernels' own block function). Same numbers as the WASM SIMD code: the central
// rational is plain IEEE arithmetic in the same order (no fused multiply-add on either side);
// tail normals use the shared log of math/elementary.ts (not Math.log), and a uniform from a
// normal buffer is normalCdfShared (the shared exp): bit for bit on both backends.

import type { KernelHeap } from '../heap.js';
import { inverseNormalCdfFast, normalCdfShared } from '../math/inverse-normal.js';
import { brownianBridgeBatch } from '../random/brownian-bridge.js';
import { philoxBlock, R } from '../random/philox.js';
import { DRAWS_NORMAL_BUFFER, DRAWS_PHILOX, DRAWS_SOBOL_BRIDGE, DRAWS_UNIFORM_BUFFER } from './layout.js';

const TWO_M52 = 2.220446049250313080847263336181640625e-16;
const TWO_32 = 4294967296;
const HALF_CELL_32 = 1.16415321826934814453125e-10;

/** Draws per chunk (the WASM twin's value; a multiple of 8). */
const CHUNK = 256;
const BUF_U = new Float64Array(CHUNK);
const BUF_N = new Float64Array(CHUNK);

let gMode = 0;
let gSeedLo = 0;
let gSeedHi = 0;
let gStream = 0;
let gPath = 0;
let gRow = 0;
let gAnti = false;
let gPerPath = 0;
let gBase = 0;
let gCount = 0;
let gF64: Float64Array = new Float64Array(0);

/** Set the generator for a kernel call (seed, stream, draw source, heap view for buffers). */
export function drawsBegin(mode: number, seedLo: number, seedHi: number, stream: number, f64: Float64Array): void {
  gMode = mode;
  gSeedLo = seedLo >>> 0;
  gSeedHi = seedHi >>> 0;
  gStream = stream >>> 0;
  gF64 = f64;
  gPerPath = 0;
  gCount = 0;
}

/** Optional, after drawsBegin: every path of this call uses draws [0, n), so chunks stop at n (0: unknown). */
export function drawsPerPath(n: number): void {
  gPerPath = n >>> 0;
}

/** Start a path: Philox path index (the base index for antithetic pairs), buffer row (byte offset), flip flag. */
export function drawsPath(path: number, row: number, anti: boolean): void {
  gPath = path >>> 0;
  gRow = row >>> 3;
  gAnti = anti;
  gCount = 0;
}

/** DRAWS_SOBOL_BRIDGE: Sobol uniforms to bridged normals in place, slot by slot (see assembly/montecarlo/draws.ts). */
function sobolToBridgedNormals(heap: KernelHeap, rows: number, steps: number, dps: number, pDraws: number, pBridge: number): void {
  const F = heap.f64;
  const pZ = pBridge + steps * 48;
  const pW = pZ + steps * 8;
  const z = pZ >>> 3;
  const w = pW >>> 3;
  const rowLen = steps * dps;
  for (let r = 0; r < rows; ++r) {
    const row = (pDraws >>> 3) + r * rowLen;
    for (let d = 0; d < dps; ++d) {
      for (let i = 0; i < steps; ++i) F[z + i] = inverseNormalCdfFast(F[row + i * dps + d]! + HALF_CELL_32);
      brownianBridgeBatch(heap, 1, steps, pBridge, 1, pZ, pW);
      for (let i = 0; i < steps; ++i) F[row + i * dps + d] = F[w + i]!;
    }
  }
}

let gShardDraws = 0;
let gShardRowBytes = 0;
let gShardAnti = false;

/**
 * Draws of one kernel call over `count` paths of `steps` steps with `dps` slots per step, shared by
 * the single- and multi-asset kernels (see the WASM twin): the Sobol rewrite, drawsBegin, drawsPerPath.
 */
export function drawsShardBegin(
  heap: KernelHeap, drawMode: number, anti: boolean, count: number, steps: number, dps: number,
  seedLo: number, seedHi: number, stream: number, pDraws: number, pBridge: number,
): void {
  if (drawMode === DRAWS_SOBOL_BRIDGE) {
    sobolToBridgedNormals(heap, anti ? count >>> 1 : count, steps, dps, pDraws, pBridge);
    drawMode = DRAWS_NORMAL_BUFFER;
  }
  drawsBegin(drawMode, seedLo, seedHi, stream, heap.f64);
  drawsPerPath(steps * dps);
  gShardDraws = pDraws;
  gShardRowBytes = steps * dps * 8;
  gShardAnti = anti;
}

/** Start path start + i of the call (antithetic pairs share a Philox path and a row); true for the flipped one. */
export function drawsShardPath(start: number, i: number): boolean {
  const odd = gShardAnti && (i & 1) !== 0;
  const path = start + i;
  const base = gShardAnti ? path >>> 1 : path;
  const rowIndex = gShardAnti ? i >>> 1 : i;
  drawsPath(base, gShardDraws + rowIndex * gShardRowBytes, odd);
  return odd;
}

/** Fill the chunk that holds draw j (see the WASM twin). */
function refill(j: number): void {
  const base = j & ~(CHUNK - 1);
  let n = CHUNK;
  if (j < gPerPath && gPerPath - base < CHUNK) n = (gPerPath - base + 1) & ~1;
  gBase = base;
  gCount = n;
  const b0 = base >>> 1;
  for (let k = 0; k < n; k += 2) {
    philoxBlock((b0 + (k >>> 1)) >>> 0, 0, gPath, gStream, gSeedLo, gSeedHi);
    const ua = ((R[0]! >>> 12) * TWO_32 + R[1]! + 0.5) * TWO_M52;
    const ub = ((R[2]! >>> 12) * TWO_32 + R[3]! + 0.5) * TWO_M52;
    BUF_U[k] = ua;
    BUF_U[k + 1] = ub;
    BUF_N[k] = inverseNormalCdfFast(ua);
    BUF_N[k + 1] = inverseNormalCdfFast(ub);
  }
}

/** Raw draw j of the current path (uniform, or normal for a normal buffer), after the antithetic flip. */
export function draw(j: number): number {
  if (gMode === DRAWS_PHILOX) {
    if (j - gBase >= gCount || j < gBase) refill(j);
    const u = BUF_U[j - gBase]!;
    return gAnti ? 1.0 - u : u;
  }
  const x = gF64[gRow + j]!;
  if (gMode === DRAWS_UNIFORM_BUFFER) {
    const u = x + HALF_CELL_32;
    return gAnti ? 1.0 - u : u;
  }
  return gAnti ? -x : x;
}

/** Draw j of the current path as a standard normal: asNormal(draw(j)), bit for bit. */
export function normal(j: number): number {
  if (gMode === DRAWS_PHILOX) {
    if (j - gBase >= gCount || j < gBase) refill(j);
    const z = BUF_N[j - gBase]!;
    return gAnti ? -z : z;
  }
  return asNormal(draw(j));
}

/** Draw j of the current path as a uniform in (0, 1): asUniform(draw(j)). */
export function uniform(j: number): number {
  return asUniform(draw(j));
}

/** A raw draw as a standard normal. */
export function asNormal(raw: number): number {
  return gMode === DRAWS_NORMAL_BUFFER ? raw : inverseNormalCdfFast(raw);
}

/** A raw draw as a uniform in (0, 1). */
export function asUniform(raw: number): number {
  return gMode === DRAWS_NORMAL_BUFFER ? normalCdfShared(raw) : raw;
}
