// Sobol low-discrepancy points in base 2 (I. M. Sobol', USSR Comput. Math. Math. Phys. 7 (1967)),
// 32-bit, with the Joe-Kuo direction numbers (S. Joe and F. Y. Kuo, SIAM J. Sci. Comput. 30 (2008)
// 2635-2654; table new-joe-kuo-6.21201, BSD-style licence in data/sobol/LICENSE-joe-kuo.txt), in
// Gray-code order (Antonov-Saleev): point n is the XOR of the direction integers of dimension d over
// the set bits of gray(n) = n ^ (n >> 1), as in Joe and Kuo's sobol.cc and scipy.stats.qmc.Sobol.
// Pure-JS twin of assembly/random/sobol.ts (bit-identical).
//
// Randomisations (one 32-bit word per dimension, e.g. from philoxUint32Batch):
//  1 random digital shift x ^ word_d;
//  2 nested uniform (Owen) scrambling by hashing: B. Burley, "Practical hash-based Owen
//    scrambling", JCGT 9(4) 2020, with N. Vegdahl's improved Laine-Karras-style permutation (2021).

import type { KernelHeap } from '../heap.js';

const TWO_M32 = 2.3283064365386962890625e-10;
const TWO_32 = 4294967296;

/** Scramble modes of sobolPoints. */
export const SOBOL_PLAIN = 0;
export const SOBOL_DIGITAL_SHIFT = 1;
export const SOBOL_OWEN = 2;

function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * Direction integers of the first `dims` dimensions into `pDirections`: u32 [dims][32], v[d][k] =
 * m_{k+1} 2^(31-k) (k = 0 the most significant bit), extended by Sobol's recurrence; dimension 0
 * is van der Corput. `pTable` holds `tableWords` u32 words [s, a, m_1..m_s] for dimensions
 * 1..dims-1 (src/random/sobol-table.ts). Returns 1 (writing nothing) if dims < 1 or the table is
 * short or malformed.
 */
export function sobolInitDirections(heap: KernelHeap, dims: number, pTable: number, tableWords: number, pDirections: number): number {
  dims |= 0;
  tableWords |= 0;
  if (dims < 1 || tableWords < 0) return 1;
  const u32 = heap.u32;
  const t = pTable >>> 2;
  let w = 0;
  for (let d = 1; d < dims; ++d) {
    if (w + 2 > tableWords) return 1;
    const s = u32[t + w]!;
    const a = u32[t + w + 1]!;
    if (s < 1 || s > 31 || a >= 2 ** (s - 1) || w + 2 + s > tableWords) return 1;
    for (let i = 1; i <= s; ++i) {
      const m = u32[t + w + 1 + i]!;
      if ((m & 1) === 0 || m >= 2 ** i) return 1;
    }
    w += 2 + s;
  }
  const o = pDirections >>> 2;
  for (let k = 0; k < 32; ++k) u32[o + k] = 2 ** (31 - k);
  w = 0;
  for (let d = 1; d < dims; ++d) {
    const s = u32[t + w]!;
    const a = u32[t + w + 1]!;
    const v = o + d * 32;
    for (let k = 0; k < 32; ++k) {
      let x: number;
      if (k < s) {
        x = u32[t + w + 2 + k]! << (31 - k);
      } else {
        const back = u32[v + k - s]!;
        x = back ^ (back >>> s);
        for (let i = 1; i < s; ++i) {
          if (((a >>> (s - 1 - i)) & 1) !== 0) x ^= u32[v + k - i]!;
        }
      }
      u32[v + k] = x;
    }
    w += 2 + s;
  }
  return 0;
}

function reverseBits(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}

/** Nested uniform (Owen) scramble of a 32-bit coordinate by hashing (Burley 2020, Vegdahl 2021). */
export function owenScramble(x: number, seed: number): number {
  x = reverseBits(x);
  x ^= Math.imul(x, 0x3d20adea);
  x = (x + seed) | 0;
  x = Math.imul(x, (seed >>> 16) | 1);
  x ^= Math.imul(x, 0x05526c56);
  x ^= Math.imul(x, 0x53a22864);
  return reverseBits(x);
}

/**
 * Sobol points [index, index + count) in `dims` dimensions, row-major [count][dims] f64 in [0, 1)
 * at `pOut`. `scramble`: 0 none, 1 digital shift by the u32 words at `pScramble`, 2 Owen
 * scrambling seeded by them. Returns 1 (writing nothing) unless count >= 0, dims >= 1, scramble in
 * {0, 1, 2} and index is an integer with index + count <= 2^32.
 */
export function sobolPoints(
  heap: KernelHeap, count: number, dims: number, index: number, pDirections: number, scramble: number,
  pScramble: number, pOut: number,
): number {
  count |= 0;
  dims |= 0;
  scramble |= 0;
  if (count < 0 || dims < 1 || scramble < 0 || scramble > 2) return 1;
  if (!(index >= 0) || index !== Math.floor(index) || index > TWO_32 - count) return 1;
  if (count === 0) return 0;
  const u32 = heap.u32;
  const out = heap.f64;
  const first = index >>> 0;
  for (let d = 0; d < dims; ++d) {
    const v = (pDirections >>> 2) + d * 32;
    const word = scramble === 0 ? 0 : u32[(pScramble >>> 2) + d]!;
    let n = first;
    let g = (n ^ (n >>> 1)) >>> 0;
    let x = 0;
    while (g !== 0) {
      x ^= u32[v + ctz(g)]!;
      g &= g - 1;
    }
    let p = (pOut >>> 3) + d;
    for (let i = 0; i < count; ++i) {
      const y = scramble === 0 ? x >>> 0 : scramble === 1 ? (x ^ word) >>> 0 : owenScramble(x, word);
      out[p] = y * TWO_M32;
      p += dims;
      if (i + 1 < count) {
        x ^= u32[v + ctz(~n)]!;
        n = (n + 1) >>> 0;
      }
    }
  }
  return 0;
}
