// Philox4x32-10, the counter-based generator of J. K. Salmon, M. A. Moraes, R. O. Dror and
// D. E. Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11 (Random123). Pure-JS twin of
// assembly/random/philox.ts: same stream layout, bit-identical outputs.
//
// Stream layout. For key = (seedLo, seedHi), the 32-bit word w (0 <= w < 2^53) of path `path` in
// stream `stream` is lane (w & 3) of
//     philox4x32_10(counter = [blockLo, blockHi, path, stream], key = [seedLo, seedHi])
// where block = floor(w / 4) = blockHi 2^32 + blockLo. Uniform (and normal) draw j uses words
// 2j (high bits) and 2j + 1: block floor(j / 2), lanes 2(j & 1) and 2(j & 1) + 1.
//
// The 32x32 -> 64-bit products: the low word is Math.imul; the high word splits the constant
// multiplier into 16-bit halves, so every intermediate is an integer below 2^49 (exact in f64; >>> 0 floors values in [0, 2^32)):
//     hi(a M) = floor((a Mh + floor(a Ml / 2^16)) / 2^16),   M = Mh 2^16 + Ml.

import type { KernelHeap } from '../heap.js';
import { inverseNormalCdf } from '../math/inverse-normal.js';

const M0 = 0xd2511f53;
const M0_HI = 0xd251;
const M0_LO = 0x1f53;
const M1 = 0xcd9e8d57;
const M1_HI = 0xcd9e;
const M1_LO = 0x8d57;
const INV_65536 = 1 / 65536; // exact: multiplying by it is dividing by 2^16
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

const TWO_M52 = 2.220446049250313080847263336181640625e-16;
const TWO_32 = 4294967296;
const MAX_DRAW = 9007199254740992;

/**
 * Output words of the last block (module state, like the WASM globals; kernels are synchronous).
 * A typed array, not `let`s: a module variable holding a u32 above 2^31 would box a heap number
 * on every store.
 */
export const R = new Uint32Array(4);

/** One Philox4x32-10 block into R (c0, c2 kept as non-negative numbers: they are multiplied). */
export function philoxBlock(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void {
  c0 >>>= 0;
  c2 >>>= 0;
  for (let round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = (k0 + W0) | 0;
      k1 = (k1 + W1) | 0;
    }
    const hi0 = ((c0 * M0_HI + ((c0 * M0_LO) * INV_65536 >>> 0)) * INV_65536) >>> 0;
    const lo0 = Math.imul(c0, M0);
    const hi1 = ((c2 * M1_HI + ((c2 * M1_LO) * INV_65536 >>> 0)) * INV_65536) >>> 0;
    const lo1 = Math.imul(c2, M1);
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  R[0] = c0;
  R[1] = c1;
  R[2] = c2;
  R[3] = c3;
}

/** (hi >>> 12) 2^32 + lo, plus one half, times 2^-52: exact, in [2^-53, 1 - 2^-53]. */
export function uniformFromWords(hi: number, lo: number): number {
  return ((hi >>> 12) * TWO_32 + (lo >>> 0) + 0.5) * TWO_M52;
}

/** True when `offset` is an integer draw index with offset + count <= 2^53. */
export function validDrawRange(count: number, offset: number): boolean {
  return count >= 0 && offset >= 0 && offset === Math.floor(offset) && offset <= MAX_DRAW - count;
}

/** WASM passes u32 arguments modulo 2^32; do the same. */
function u32(x: number): number {
  return x >>> 0;
}

/** WASM passes i32 arguments modulo 2^32 (signed); do the same. */
function i32(x: number): number {
  return x | 0;
}

/**
 * The Philox4x32-10 bijection of one 128-bit counter under a 64-bit key (Random123's
 * `philox4x32_R(10, ctr, key)`): writes the four output words (u32) at `pOut`. Returns 0.
 */
export function philox4x32_10(
  heap: KernelHeap, c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, pOut: number,
): number {
  philoxBlock(u32(c0), u32(c1), u32(c2), u32(c3), u32(k0), u32(k1));
  const out = heap.u32;
  const o = pOut >>> 2;
  out[o] = R[0]!;
  out[o + 1] = R[1]!;
  out[o + 2] = R[2]!;
  out[o + 3] = R[3]!;
  return 0;
}

/**
 * Words [offset, offset + n) of (seed, stream, path) as u32 at `pOut`. Returns 1 (and writes
 * nothing) unless n >= 0 and offset is an integer with offset + n <= 2^53.
 */
export function philoxUint32Batch(
  heap: KernelHeap, n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number, pOut: number,
): number {
  n = i32(n);
  if (!validDrawRange(n, offset)) return 1;
  seedLo = u32(seedLo);
  seedHi = u32(seedHi);
  stream = u32(stream);
  path = u32(path);
  const out = heap.u32;
  let o = pOut >>> 2;
  let block = Math.floor(offset / 4);
  let blockLo = block >>> 0;
  let blockHi = Math.floor(block / TWO_32);
  let l = offset % 4;
  let left = n;
  while (left > 0) {
    philoxBlock(blockLo, blockHi, path, stream, seedLo, seedHi);
    if (l === 0 && left >= 4) {
      out[o] = R[0]!;
      out[o + 1] = R[1]!;
      out[o + 2] = R[2]!;
      out[o + 3] = R[3]!;
      o += 4;
      left -= 4;
    } else {
      while (l < 4 && left > 0) {
        out[o++] = R[l++]!;
        --left;
      }
    }
    l = 0;
    blockLo = (blockLo + 1) >>> 0;
    if (blockLo === 0) ++blockHi;
  }
  return 0;
}

/**
 * Uniforms [offset, offset + n) of (seed, stream, path) as f64 at `pOut`: 52 random bits centred
 * on their cell, (k + 1/2) 2^-52, so never 0 or 1 and symmetric under u -> 1 - u. Returns 1 on a
 * malformed range.
 */
export function philoxUniformBatch(
  heap: KernelHeap, n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number, pOut: number,
): number {
  n = i32(n);
  if (!validDrawRange(n, offset)) return 1;
  uniformRow(heap.f64, pOut >>> 3, n, u32(seedLo), u32(seedHi), u32(stream), u32(path), offset);
  return 0;
}

function uniformRow(
  out: Float64Array, o: number, n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number,
): void {
  const block = Math.floor(offset / 2);
  let blockLo = block >>> 0;
  let blockHi = Math.floor(block / TWO_32);
  let odd = offset % 2 === 1;
  let left = n;
  while (left > 0) {
    philoxBlock(blockLo, blockHi, path, stream, seedLo, seedHi);
    if (!odd) {
      out[o++] = uniformFromWords(R[0]!, R[1]!);
      if (--left === 0) break;
    }
    out[o++] = uniformFromWords(R[2]!, R[3]!);
    --left;
    odd = false;
    blockLo = (blockLo + 1) >>> 0;
    if (blockLo === 0) ++blockHi;
  }
}

/**
 * A row-major [nPaths][n] block of uniforms: row i holds draws [offset, offset + n) of path
 * firstPath + i (path indices wrap modulo 2^32). Returns 1 on a malformed range or nPaths < 0.
 */
export function philoxUniformPaths(
  heap: KernelHeap, nPaths: number, n: number, seedLo: number, seedHi: number, stream: number, firstPath: number,
  offset: number, pOut: number,
): number {
  nPaths = i32(nPaths);
  n = i32(n);
  if (nPaths < 0 || !validDrawRange(n, offset)) return 1;
  const out = heap.f64;
  const o = pOut >>> 3;
  seedLo = u32(seedLo);
  seedHi = u32(seedHi);
  stream = u32(stream);
  for (let i = 0; i < nPaths; ++i) {
    uniformRow(out, o + i * n, n, seedLo, seedHi, stream, (firstPath + i) >>> 0, offset);
  }
  return 0;
}

/**
 * Standard normals [offset, offset + n) of (seed, stream, path) at `pOut` by inversion: normal j
 * = inverseNormalCdf(uniform j), so |normal| <= 8.29. Returns 1 on a malformed range.
 */
export function philoxNormalBatch(
  heap: KernelHeap, n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number, pOut: number,
): number {
  if (philoxUniformBatch(heap, n, seedLo, seedHi, stream, path, offset, pOut) !== 0) return 1;
  toNormals(heap.f64, pOut >>> 3, n | 0);
  return 0;
}

/** Row-major [nPaths][n] standard normals; row i is path firstPath + i, draws [offset, offset + n). */
export function philoxNormalPaths(
  heap: KernelHeap, nPaths: number, n: number, seedLo: number, seedHi: number, stream: number, firstPath: number,
  offset: number, pOut: number,
): number {
  if (philoxUniformPaths(heap, nPaths, n, seedLo, seedHi, stream, firstPath, offset, pOut) !== 0) return 1;
  toNormals(heap.f64, pOut >>> 3, (nPaths | 0) * (n | 0));
  return 0;
}

function toNormals(out: Float64Array, o: number, n: number): void {
  for (let i = o; i < o + n; i++) out[i] = inverseNormalCdf(out[i]!);
}
