// Sobol low-discrepancy points in base 2 (I. M. Sobol', USSR Comput. Math. Math. Phys. 7 (1967)),
// 32-bit, with the Joe-Kuo direction numbers (S. Joe and F. Y. Kuo, SIAM J. Sci. Comput. 30 (2008)
// 2635-2654; table new-joe-kuo-6.21201, BSD-style licence in data/sobol/LICENSE-joe-kuo.txt), in the
// Gray-code order of Antonov and Saleev (1979): point n is the XOR of the direction integers v_k
// of dimension d over the set bits k of gray(n) = n ^ (n >> 1). This is the order of Joe and Kuo's
// sobol.cc and of scipy.stats.qmc.Sobol. Mirrored line for line in src/kernels/random/sobol.ts.
//
// Randomisations (seeded by one 32-bit word per dimension, e.g. from philoxUint32Batch):
//  1 random digital shift: x ^ word_d;
//  2 nested uniform (Owen) scrambling by hashing, B. Burley, "Practical hash-based Owen
//    scrambling", JCGT 9(4) 2020, with N. Vegdahl's improved Laine-Karras-style permutation
//    ("Building a better LK hash", 2021): reverse the bits, apply a bijection in which each bit is
//    flipped by a hash of the bits below it and the seed, reverse back. Both keep every (t, m, s)-net
//    property of the unscrambled points.

/** 2^-32. */
const TWO_M32: f64 = 2.3283064365386962890625e-10;
const TWO_32: f64 = 4294967296.0;

/** Scramble modes of sobolPoints. */
export const SOBOL_PLAIN: i32 = 0;
export const SOBOL_DIGITAL_SHIFT: i32 = 1;
export const SOBOL_OWEN: i32 = 2;

/**
 * Direction integers of the first `dims` dimensions into `pDirections`: u32 [dims][32], v[d][k]
 * = m_{k+1} 2^(31-k) for bit k (k = 0 the most significant), extended past the polynomial degree
 * s by Sobol's recurrence. Dimension 0 is the van der Corput sequence (v[0][k] = 2^(31-k)). The
 * table at `pTable` (u32, `tableWords` words) holds [s, a, m_1..m_s] for dimensions 1..dims-1
 * (0-based), as produced by src/random/sobol-table.ts. Returns 1 (writing nothing) if dims < 1 or
 * the table is too short or malformed (s outside 1..31, a >= 2^(s-1), m_i even or >= 2^i).
 */
export function sobolInitDirections(dims: i32, pTable: usize, tableWords: i32, pDirections: usize): i32 {
  if (dims < 1 || tableWords < 0) return 1;
  // Validate the whole table before writing anything.
  let w: i32 = 0;
  for (let d = 1; d < dims; ++d) {
    if (w + 2 > tableWords) return 1;
    const s = load<u32>(pTable + (<usize>w << 2));
    const a = load<u32>(pTable + (<usize>(w + 1) << 2));
    if (s < 1 || s > 31 || <u64>a >= (<u64>1 << <u64>(s - 1)) || w + 2 + <i32>s > tableWords) return 1;
    for (let i: u32 = 1; i <= s; ++i) {
      const m = load<u32>(pTable + (<usize>(w + 1 + <i32>i) << 2));
      if ((m & 1) == 0 || <u64>m >= (<u64>1 << <u64>i)) return 1;
    }
    w += 2 + <i32>s;
  }
  for (let k = 0; k < 32; ++k) store<u32>(pDirections + (<usize>k << 2), <u32>1 << <u32>(31 - k));
  w = 0;
  for (let d = 1; d < dims; ++d) {
    const s = <i32>load<u32>(pTable + (<usize>w << 2));
    const a = load<u32>(pTable + (<usize>(w + 1) << 2));
    const v = pDirections + (<usize>d << 7);
    for (let k = 0; k < 32; ++k) {
      let x: u32;
      if (k < s) {
        x = load<u32>(pTable + (<usize>(w + 2 + k) << 2)) << <u32>(31 - k);
      } else {
        const back = load<u32>(v + (<usize>(k - s) << 2));
        x = back ^ (back >>> <u32>s);
        for (let i = 1; i < s; ++i) {
          if (((a >>> <u32>(s - 1 - i)) & 1) != 0) x ^= load<u32>(v + (<usize>(k - i) << 2));
        }
      }
      store<u32>(v + (<usize>k << 2), x);
    }
    w += 2 + s;
  }
  return 0;
}

/** Reverse the 32 bits of x. */
// @ts-ignore: decorator
@inline
function reverseBits(x: u32): u32 {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return (x >>> 16) | (x << 16);
}

/** Nested uniform (Owen) scramble of a 32-bit coordinate by hashing (Burley 2020, Vegdahl 2021). */
// @ts-ignore: decorator
@inline
export function owenScramble(x: u32, seed: u32): u32 {
  x = reverseBits(x);
  x ^= x * 0x3d20adea;
  x += seed;
  x *= (seed >>> 16) | 1;
  x ^= x * 0x05526c56;
  x ^= x * 0x53a22864;
  return reverseBits(x);
}

/**
 * Sobol points [index, index + count) in `dims` dimensions, row-major [count][dims] f64 in [0, 1)
 * at `pOut` (exact multiples of 2^-32). Any start index works (the first point is computed from
 * gray(index) directly, later ones by one XOR each), so shards may start anywhere and chunking
 * does not change the output. `pDirections` as written by sobolInitDirections for >= dims
 * dimensions. `scramble`: 0 none, 1 digital shift by the u32 words at `pScramble` (one per
 * dimension), 2 Owen scrambling seeded by those words (pScramble is unused for 0). Returns 1
 * (writing nothing) unless count >= 0, dims >= 1, scramble in {0, 1, 2} and index is an integer
 * with index + count <= 2^32.
 */
export function sobolPoints(
  count: i32, dims: i32, index: f64, pDirections: usize, scramble: i32, pScramble: usize, pOut: usize,
): i32 {
  if (count < 0 || dims < 1 || scramble < 0 || scramble > 2) return 1;
  if (!(index >= 0.0) || index != Math.floor(index) || index > TWO_32 - <f64>count) return 1;
  if (count == 0) return 0;
  const first = <u32><u64>index;
  const rowBytes = <usize>dims << 3;
  for (let d = 0; d < dims; ++d) {
    const v = pDirections + (<usize>d << 7);
    const word = scramble == 0 ? 0 : load<u32>(pScramble + (<usize>d << 2));
    let n = first;
    let g = n ^ (n >>> 1);
    let x: u32 = 0;
    while (g != 0) {
      x ^= load<u32>(v + (<usize>ctz(g) << 2));
      g &= g - 1;
    }
    let p = pOut + (<usize>d << 3);
    for (let i = 0; i < count; ++i) {
      const y = scramble == 0 ? x : scramble == 1 ? x ^ word : owenScramble(x, word);
      store<f64>(p, <f64>y * TWO_M32);
      p += rowBytes;
      if (i + 1 < count) {
        x ^= load<u32>(v + (<usize>ctz(~n) << 2));
        ++n;
      }
    }
  }
  return 0;
}
