// Philox4x32-10, the counter-based generator of J. K. Salmon, M. A. Moraes, R. O. Dror and
// D. E. Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11 (Random123). Ten rounds of two
// 32x32->64-bit multiplies and XORs with a Weyl-sequence key schedule; only 32-bit integer
// operations, so the pure-JS twin (src/kernels/random/philox.ts) agrees bit for bit.
//
// Stream layout (the same in both twins). For key = (seedLo, seedHi), the 32-bit *word* w
// (w = 0, 1, 2, ... < 2^53) of path `path` in stream `stream` is lane (w & 3) of
//     philox4x32_10(counter = [blockLo, blockHi, path, stream], key = [seedLo, seedHi])
// where block = w >>> 2 = blockHi * 2^32 + blockLo. Draw j as a *uniform* (and as a normal, which
// is the inverse normal CDF of uniform j) uses words 2j (high bits) and 2j+1 (low bits): block
// j >>> 1, lanes 2(j & 1) and 2(j & 1) + 1. Every output is therefore a pure function of
// (seed, stream, path, j): independent of chunking, batch size and backend.

import { inverseNormalCdf } from "../math/inverse-normal";

const M0: u64 = 0xD2511F53;
const M1: u64 = 0xCD9E8D57;
const W0: u32 = 0x9E3779B9;
const W1: u32 = 0xBB67AE85;

/** 2^-52: a 52-bit integer k maps to (k + 1/2) 2^-52, an odd multiple of 2^-53 in (0, 1). */
const TWO_M52: f64 = 2.220446049250313080847263336181640625e-16;
const TWO_32: f64 = 4294967296.0;
/** Largest offset + count accepted: draws are numbered exactly in an f64. */
const MAX_DRAW: f64 = 9007199254740992.0;

// The four output words of the last block (module globals: no allocation, no multi-value;
// exported for assembly/montecarlo/draws.ts, which reads them after philoxBlock).
export let r0: u32 = 0;
export let r1: u32 = 0;
export let r2: u32 = 0;
export let r3: u32 = 0;

/**
 * One Philox4x32-10 block into r0..r3. Each round: (hi, lo) = M0 c0 and M1 c2 as 64-bit products;
 * c = [hi(M1 c2) ^ c1 ^ k0, lo(M1 c2), hi(M0 c0) ^ c3 ^ k1, lo(M0 c0)]; the key is bumped by the
 * Weyl constants (W0, W1) between rounds. Unrolled by hand (binaryen does not unroll loops).
 */
// @ts-ignore: decorator
@inline
export function philoxBlock(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  let p0: u64, p1: u64, t: u32;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  r0 = c0;
  r1 = c1;
  r2 = c2;
  r3 = c3;
}

// The multipliers and Weyl increments as i32x4 splats, loaded from memory: V8 rebuilds a
// v128.const from general registers at every use, a load is one instruction.
const PHILOX_X4: usize = memory.data<u32>([
  <u32>M0, <u32>M0, <u32>M0, <u32>M0, <u32>M1, <u32>M1, <u32>M1, <u32>M1,
  W0, W0, W0, W0, W1, W1, W1, W1,
], 16);

// The output words of the last philoxBlocksX8: vN (wN) holds word N of blocks b..b+3 (b+4..b+7),
// one block per i32x4 lane.
export let v0: v128 = i32x4.splat(0);
export let v1: v128 = i32x4.splat(0);
export let v2: v128 = i32x4.splat(0);
export let v3: v128 = i32x4.splat(0);
export let w0: v128 = i32x4.splat(0);
export let w1: v128 = i32x4.splat(0);
export let w2: v128 = i32x4.splat(0);
export let w3: v128 = i32x4.splat(0);

/**
 * Eight Philox4x32-10 blocks at once, counters [b + i, c1, c2, c3] for i = 0..7 (b + i wrapping
 * modulo 2^32): lanes of v0..v3 are blocks b..b+3, lanes of w0..w3 blocks b+4..b+7, bit for bit
 * philoxBlock of each. The high words of the 32x32->64-bit products come from
 * i64x2.extmul_{low,high}_i32x4_u, gathered back into i32x4 lanes with one shuffle; the low words
 * are i32x4.mul (the same bits, without a second shuffle: V8 spends two shuffles per extmul, the
 * round's bottleneck). Two independent groups of four are interleaved because one round is a
 * chain of dependent operations (latency-bound).
 */
// @ts-ignore: decorator
@inline
export function philoxBlocksX8(b: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  const m0 = v128.load(PHILOX_X4);
  const m1 = v128.load(PHILOX_X4, 16);
  const dw0 = v128.load(PHILOX_X4, 32);
  const dw1 = v128.load(PHILOX_X4, 48);
  let x0 = i32x4.add(i32x4.splat(<i32>b), i32x4(0, 1, 2, 3));
  let a0 = i32x4.add(i32x4.splat(<i32>b), i32x4(4, 5, 6, 7));
  let x1 = i32x4.splat(<i32>c1);
  let a1 = x1;
  let x2 = i32x4.splat(<i32>c2);
  let a2 = x2;
  let x3 = i32x4.splat(<i32>c3);
  let a3 = x3;
  let y0 = i32x4.splat(<i32>k0);
  let y1 = i32x4.splat(<i32>k1);
  for (let round = 0; round < 10; ++round) {
    const p0l = i64x2.extmul_low_i32x4_u(x0, m0);
    const p0h = i64x2.extmul_high_i32x4_u(x0, m0);
    const p1l = i64x2.extmul_low_i32x4_u(x2, m1);
    const p1h = i64x2.extmul_high_i32x4_u(x2, m1);
    const q0l = i64x2.extmul_low_i32x4_u(a0, m0);
    const q0h = i64x2.extmul_high_i32x4_u(a0, m0);
    const q1l = i64x2.extmul_low_i32x4_u(a2, m1);
    const q1h = i64x2.extmul_high_i32x4_u(a2, m1);
    const n1 = i32x4.mul(x2, m1);
    const n3 = i32x4.mul(x0, m0);
    const b1 = i32x4.mul(a2, m1);
    const b3 = i32x4.mul(a0, m0);
    x0 = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), x1), y0);
    x1 = n1;
    x2 = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), x3), y1);
    x3 = n3;
    a0 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), a1), y0);
    a1 = b1;
    a2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), a3), y1);
    a3 = b3;
    y0 = i32x4.add(y0, dw0);
    y1 = i32x4.add(y1, dw1);
  }
  v0 = x0;
  v1 = x1;
  v2 = x2;
  v3 = x3;
  w0 = a0;
  w1 = a1;
  w2 = a2;
  w3 = a3;
}

/** Lane `lane` (0..3) of the last block. */
// @ts-ignore: decorator
@inline
function lane(l: u32): u32 {
  return l == 0 ? r0 : l == 1 ? r1 : l == 2 ? r2 : r3;
}

/** (hi >>> 12) 2^32 + lo, plus one half, times 2^-52: exact, in [2^-53, 1 - 2^-53]. */
// @ts-ignore: decorator
@inline
export function uniformFromWords(hi: u32, lo: u32): f64 {
  return (<f64>(hi >>> 12) * TWO_32 + <f64>lo + 0.5) * TWO_M52;
}

/** True when `offset` is an integer draw index with offset + count <= 2^53. */
// @ts-ignore: decorator
@inline
export function validDrawRange(count: i32, offset: f64): bool {
  return count >= 0 && offset >= 0.0 && offset == Math.floor(offset) && offset <= MAX_DRAW - <f64>count;
}

/**
 * The Philox4x32-10 bijection of one 128-bit counter under a 64-bit key (Random123's
 * `philox4x32_R(10, ctr, key)`): writes the four output words (u32) at `pOut`. Returns 0.
 */
export function philox4x32_10(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32, pOut: usize): i32 {
  philoxBlock(c0, c1, c2, c3, k0, k1);
  store<u32>(pOut, r0);
  store<u32>(pOut, r1, 4);
  store<u32>(pOut, r2, 8);
  store<u32>(pOut, r3, 12);
  return 0;
}

/**
 * Words [offset, offset + n) of (seed, stream, path) as u32 at `pOut` (see the layout above).
 * Returns 1 (and writes nothing) unless n >= 0 and offset is an integer with offset + n <= 2^53.
 */
export function philoxUint32Batch(
  n: i32, seedLo: u32, seedHi: u32, stream: u32, path: u32, offset: f64, pOut: usize,
): i32 {
  if (!validDrawRange(n, offset)) return 1;
  let w = <u64>offset;
  const end = w + <u64>n;
  let p = pOut;
  while (w < end) {
    const block = w >>> 2;
    philoxBlock(<u32>block, <u32>(block >>> 32), path, stream, seedLo, seedHi);
    let l = <u32>(w & 3);
    if (l == 0 && end - w >= 4) {
      store<u32>(p, r0);
      store<u32>(p, r1, 4);
      store<u32>(p, r2, 8);
      store<u32>(p, r3, 12);
      p += 16;
      w += 4;
    } else {
      while (l < 4 && w < end) {
        store<u32>(p, lane(l));
        p += 4;
        ++w;
        ++l;
      }
    }
  }
  return 0;
}

/**
 * Uniforms [offset, offset + n) of (seed, stream, path) as f64 at `pOut`: 52 random bits centred
 * on their cell, (k + 1/2) 2^-52, so never 0 or 1 and symmetric under u -> 1 - u. Draw j uses
 * words 2j (high 20 bits) and 2j + 1. Returns 1 on a malformed range (see philoxUint32Batch).
 */
export function philoxUniformBatch(
  n: i32, seedLo: u32, seedHi: u32, stream: u32, path: u32, offset: f64, pOut: usize,
): i32 {
  if (!validDrawRange(n, offset)) return 1;
  let j = <u64>offset;
  const end = j + <u64>n;
  let p = pOut;
  while (j < end) {
    const block = j >>> 1;
    philoxBlock(<u32>block, <u32>(block >>> 32), path, stream, seedLo, seedHi);
    if ((j & 1) == 0) {
      store<f64>(p, uniformFromWords(r0, r1));
      p += 8;
      ++j;
      if (j == end) break;
    }
    store<f64>(p, uniformFromWords(r2, r3));
    p += 8;
    ++j;
  }
  return 0;
}

/**
 * A row-major [nPaths][n] block of uniforms: row i holds draws [offset, offset + n) of path
 * firstPath + i (path indices wrap modulo 2^32). One kernel call per Monte Carlo chunk.
 * Returns 1 on a malformed range or nPaths < 0.
 */
export function philoxUniformPaths(
  nPaths: i32, n: i32, seedLo: u32, seedHi: u32, stream: u32, firstPath: u32, offset: f64, pOut: usize,
): i32 {
  if (nPaths < 0 || !validDrawRange(n, offset)) return 1;
  const rowBytes = <usize>n << 3;
  for (let i = 0; i < nPaths; ++i) {
    philoxUniformBatch(n, seedLo, seedHi, stream, firstPath + <u32>i, offset, pOut + <usize>i * rowBytes);
  }
  return 0;
}

/**
 * Standard normals [offset, offset + n) of (seed, stream, path) at `pOut` by inversion: normal j
 * = inverseNormalCdf(uniform j) (AS 241 + a Halley step, assembly/math/inverse-normal.ts), so
 * normal j and uniform j come from the same two words and |normal| <= 8.29 (uniforms stay within
 * [2^-53, 1 - 2^-53]). Inversion keeps the sequence monotone in the uniforms, which QMC, antithetic
 * and common-random-number schemes rely on. Returns 1 on a malformed range.
 */
export function philoxNormalBatch(
  n: i32, seedLo: u32, seedHi: u32, stream: u32, path: u32, offset: f64, pOut: usize,
): i32 {
  if (philoxUniformBatch(n, seedLo, seedHi, stream, path, offset, pOut) != 0) return 1;
  for (let i = 0; i < n; ++i) {
    const p = pOut + (<usize>i << 3);
    store<f64>(p, inverseNormalCdf(load<f64>(p)));
  }
  return 0;
}

/** Row-major [nPaths][n] standard normals; row i is path firstPath + i, draws [offset, offset + n). */
export function philoxNormalPaths(
  nPaths: i32, n: i32, seedLo: u32, seedHi: u32, stream: u32, firstPath: u32, offset: f64, pOut: usize,
): i32 {
  if (philoxUniformPaths(nPaths, n, seedLo, seedHi, stream, firstPath, offset, pOut) != 0) return 1;
  const total = <usize>nPaths * <usize>n;
  for (let i: usize = 0; i < total; ++i) {
    const p = pOut + (i << 3);
    store<f64>(p, inverseNormalCdf(load<f64>(p)));
  }
  return 0;
}
