// Draws for the Monte Carlo path kernels. Philox draws follow the stream layout of
// assembly/random/philox.ts: uniform draw j of path p in stream s is
// ((w_2j >>> 12) 2^32 + w_2j+1 + 1/2) 2^-52 where w are the words of
// philox(counter = [j >>> 1 (lo, hi), p, s], key = seed), so one block serves draws 2j' and 2j' + 1.
// The normal of draw j is inverseNormalCdfFast(uniform j) (AS 241 without the tail Halley step:
// within 8 ulps, about 7e-16 relative, see assembly/math/inverse-normal.ts). Mirrored in src/kernels/montecarlo/draws.ts.
//
// Philox draws are generated a chunk at a time (CHUNK draws, or what is left of the path when the
// kernel said how many draws a path uses) into two small static buffers, uniforms and normals:
// eight Philox blocks per pass (philoxBlocksX8, two interleaved groups of four i32x4 lanes), the
// uniforms two per f64x2 built from their bits (storeUniforms4: exact, the scalar formula's
// doubles), and the central AS 241 rational four f64x2 at a time (centralQuantilesX8); the tail
// draws (15%) are listed without branching and redone two pairs side by side (inverseNormalTailsListed).
// Every lane does the scalar operations in the scalar order, so each draw is still a pure function of
// (seed, stream, path, j), bit for bit what the scalar code and the JS twin give (the tails use
// the shared log of math/elementary.ts, a uniform from a normal buffer normalCdfShared). The buffers are module memory: one instance per thread (the worker pool
// instantiates a module per worker), never shared between threads.
//
// Draws may be fetched in any order within the current chunk; moving past it refills the chunk
// that holds j (draws are fetched in increasing j within a path, so each chunk is made once).
//
// Antithetic paths flip every uniform u -> 1 - u (exact for these u), hence negate every normal:
// inverseNormalCdfFast(1 - u) = -inverseNormalCdfFast(u) exactly (AS 241 is odd in u - 1/2).
// Buffer sources: DRAWS_UNIFORM_BUFFER reads row-major [row][dims] uniforms in [0, 1) on the
// 2^-32 grid of the Sobol kernels and centres them in their cell (+ 2^-33, so never 0);
// DRAWS_NORMAL_BUFFER reads normals (e.g. Brownian-bridge ordered), a uniform being Phi(z).

import { inverseNormalTailsListed, centralQuantileX2, centralQuantilesX8 } from "../math/inverse-normal";
import { inverseNormalCdfFast, normalCdfShared } from "../math/inverse-normal";
import { brownianBridgeBatch } from "../random/brownian-bridge";
import { philoxBlock, philoxBlocksX8, r0, r1, r2, r3, v0, v1, v2, v3, w0, w1, w2, w3 } from "../random/philox";
import { DRAWS_PHILOX, DRAWS_UNIFORM_BUFFER, DRAWS_NORMAL_BUFFER, DRAWS_SOBOL_BRIDGE } from "./layout";

const TWO_M52: f64 = 2.220446049250313080847263336181640625e-16;
const TWO_32: f64 = 4294967296.0;
/** Half a cell of the 2^-32 Sobol grid. */
const HALF_CELL_32: f64 = 1.16415321826934814453125e-10;

/** Draws per chunk (a multiple of 8: four Philox blocks per SIMD pass). */
// @ts-ignore: decorator
@inline
export const CHUNK: u32 = 256;
/** Chunk buffers: CHUNK uniforms, then CHUNK normals (16-byte aligned). */
const BUF_U: usize = memory.data(<i32>CHUNK * 16, 16);
const BUF_N: usize = BUF_U + (<usize>CHUNK << 3);
/** Indices (u16) of the chunk's tail draws (|u - 1/2| > 0.425). */
const BUF_T: usize = memory.data(<i32>CHUNK * 2 + 4, 16);

/**
 * For a 4-bit mask m: the positions of its set bits in increasing order, as four u16 (unused
 * ones 0), at TAIL_NIBBLE + 8 m (fillDraws lists tail draws with it, no branch per draw).
 */
const TAIL_NIBBLE: usize = memory.data<u16>([
  0, 0, 0, 0,
  0, 0, 0, 0,
  1, 0, 0, 0,
  0, 1, 0, 0,
  2, 0, 0, 0,
  0, 2, 0, 0,
  1, 2, 0, 0,
  0, 1, 2, 0,
  3, 0, 0, 0,
  0, 3, 0, 0,
  1, 3, 0, 0,
  0, 1, 3, 0,
  2, 3, 0, 0,
  0, 2, 3, 0,
  1, 2, 3, 0,
  0, 1, 2, 3,
], 8);

/**
 * Append to the u16 list at pT (tails entries so far) the indices i + k of the set bits k of the
 * 8-bit mask m, in increasing order; returns the new count. Two 8-byte stores whatever m is, no
 * branch: entries past the count are scratch, and as tails <= i the stores end by entry i + 8, so
 * a list with room for one entry per draw (2 n bytes) is enough.
 */
// @ts-ignore: decorator
@inline
export function listTails8(pT: usize, tails: u32, m: u32, i: u32): u32 {
  const lo = m & 15;
  const hi = m >>> 4;
  store<u64>(pT + (<usize>tails << 1), load<u64>(TAIL_NIBBLE + (<usize>lo << 3)) + <u64>i * 0x0001000100010001);
  tails += <u32>popcnt(lo);
  store<u64>(pT + (<usize>tails << 1), load<u64>(TAIL_NIBBLE + (<usize>hi << 3)) + <u64>(i + 4) * 0x0001000100010001);
  return tails + <u32>popcnt(hi);
}

// @ts-ignore: decorator
@inline
function uniformFromWords(hi: u32, lo: u32): f64 {
  return (<f64>(hi >>> 12) * TWO_32 + <f64>lo + 0.5) * TWO_M52;
}

// A uniform by its bits. For hi, lo words the uniform (N + 1/2) 2^-52, N = (hi >>> 12) 2^32 + lo
// < 2^52, is exact in every step of the scalar formula, and so is 1 + N 2^-52 - (1 - 2^-53) (the
// difference (2N + 1) 2^-53 has at most 53 significant bits), and 1 + N 2^-52 is the double with
// bits 0x3FF00000 | (hi >>> 12) : lo. So the vector code builds those bits with integer
// operations and makes one subtraction: the same doubles as uniformFromWords without the four
// integer-to-double conversions.
/** 1 - 2^-53. */
const ONE_MINUS_HALF_ULP: f64 = 0.99999999999999988897769753748434595763683319091796875;
/** The exponent bits of 1.0 in the high word of a double. */
const EXP_ONE_HI: i32 = 0x3FF00000;

/** (hi >>> 12) | 0x3FF00000 lane-wise: the high words of 1 + N 2^-52. */
// @ts-ignore: decorator
@inline
function highWords(hi: v128): v128 {
  return v128.or(i32x4.shr_u(hi, 12), i32x4.splat(EXP_ONE_HI));
}

/**
 * Uniforms of four blocks (word N of block i in lane i of xN) at p: draws 2i, 2i + 1 at p + 16 i.
 * Block i's two doubles are the words (x1, high of x0, x3, high of x2) of lane i: a 4 x 4
 * transpose, then one subtraction per two draws (above).
 */
// @ts-ignore: decorator
@inline
function storeUniforms4(x0: v128, x1: v128, x2: v128, x3: v128, p: usize): void {
  const h0 = highWords(x0);
  const h2 = highWords(x2);
  const a = i32x4.shuffle(x1, h0, 0, 4, 1, 5);
  const b = i32x4.shuffle(x3, h2, 0, 4, 1, 5);
  const c = i32x4.shuffle(x1, h0, 2, 6, 3, 7);
  const d = i32x4.shuffle(x3, h2, 2, 6, 3, 7);
  const off = f64x2.splat(ONE_MINUS_HALF_ULP);
  v128.store(p, f64x2.sub(i64x2.shuffle(a, b, 0, 2), off));
  v128.store(p, f64x2.sub(i64x2.shuffle(a, b, 1, 3), off), 16);
  v128.store(p, f64x2.sub(i64x2.shuffle(c, d, 0, 2), off), 32);
  v128.store(p, f64x2.sub(i64x2.shuffle(c, d, 1, 3), off), 48);
}

// The current path's draw source.
let gMode: i32 = 0;
let gSeedLo: u32 = 0;
let gSeedHi: u32 = 0;
let gStream: u32 = 0;
let gPath: u32 = 0;
let gRow: usize = 0;
let gAnti: bool = false;
/** Draws per path (0: unknown, refill whole chunks). */
let gPerPath: u32 = 0;
/** The buffered chunk: draws [gBase, gBase + gCount) of the current path (gCount = 0: none). */
let gBase: u32 = 0;
let gCount: u32 = 0;

/** Set the generator for a kernel call (seed, stream, draw source). */
export function drawsBegin(mode: i32, seedLo: u32, seedHi: u32, stream: u32): void {
  gMode = mode;
  gSeedLo = seedLo;
  gSeedHi = seedHi;
  gStream = stream;
  gPerPath = 0;
  gCount = 0;
}

/**
 * Optional, after drawsBegin: every path of this call uses draws [0, n), so a chunk never
 * generates draws past n (0: unknown).
 */
export function drawsPerPath(n: u32): void {
  gPerPath = n;
}

/** Start a path: Philox path index (the base index for antithetic pairs), buffer row, flip flag. */
// @ts-ignore: decorator
@inline
export function drawsPath(path: u32, row: usize, anti: bool): void {
  gPath = path;
  gRow = row;
  gAnti = anti;
  gCount = 0;
}

/**
 * DRAWS_SOBOL_BRIDGE: rewrite `rows` rows of Sobol uniforms at pDraws ([rows][steps * dps]) in
 * place as normals, slot by slot: column d of a row (positions i * dps + d) is gathered, mapped
 * through the inverse normal CDF (cell-centred), run through the Brownian bridge whose table is at
 * pBridge (brownianBridgeInit for t_i = i dt, 48 * steps bytes; 16 * steps bytes of scratch after
 * it), normalised to unit variance and scattered back to the same column.
 */
function sobolToBridgedNormals(rows: i32, steps: i32, dps: i32, pDraws: usize, pBridge: usize): void {
  const pZ = pBridge + (<usize>steps * 48);
  const pW = pZ + (<usize>steps << 3);
  const rowBytes = <usize>(steps * dps) << 3;
  for (let r = 0; r < rows; ++r) {
    const row = pDraws + <usize>r * rowBytes;
    for (let d = 0; d < dps; ++d) {
      for (let i = 0; i < steps; ++i) {
        store<f64>(pZ + (<usize>i << 3), inverseNormalCdfFast(load<f64>(row + (<usize>(i * dps + d) << 3)) + HALF_CELL_32));
      }
      brownianBridgeBatch(1, steps, pBridge, 1, pZ, pW);
      for (let i = 0; i < steps; ++i) store<f64>(row + (<usize>(i * dps + d) << 3), load<f64>(pW + (<usize>i << 3)));
    }
  }
}

/** Shard layout of the current kernel call (drawsShardBegin): buffer rows, their size, antithetic pairs. */
let gShardDraws: usize = 0;
let gShardRowBytes: usize = 0;
let gShardAnti: bool = false;

/**
 * Draws of one kernel call over `count` paths of `steps` steps with `dps` draw slots per step,
 * shared by the single- and multi-asset kernels: a Sobol buffer at pDraws ([rows][steps * dps],
 * one row per path or per antithetic pair) becomes bridged normals in place, then drawsBegin and
 * drawsPerPath. Paths then start with drawsShardPath.
 */
export function drawsShardBegin(
  drawMode: i32, anti: bool, count: i32, steps: i32, dps: i32, seedLo: u32, seedHi: u32, stream: u32, pDraws: usize, pBridge: usize,
): void {
  if (drawMode == DRAWS_SOBOL_BRIDGE) {
    sobolToBridgedNormals(anti ? count >>> 1 : count, steps, dps, pDraws, pBridge);
    drawMode = DRAWS_NORMAL_BUFFER;
  }
  drawsBegin(drawMode, seedLo, seedHi, stream);
  drawsPerPath(<u32>(steps * dps));
  gShardDraws = pDraws;
  gShardRowBytes = <usize>(steps * dps) << 3;
  gShardAnti = anti;
}

/**
 * Start path start + i of the call: an antithetic pair (i even, i + 1) shares Philox path
 * (start + i) / 2 and buffer row i / 2, the second with every draw flipped (the layout
 * src/montecarlo/shards.ts sizes buffers for). Returns whether this path is the flipped one.
 */
// @ts-ignore: decorator
@inline
export function drawsShardPath(start: u64, i: i32): bool {
  const odd = gShardAnti && (i & 1) != 0;
  const path = start + <u64>i;
  const base = gShardAnti ? path >>> 1 : path;
  const rowIndex = gShardAnti ? i >>> 1 : i;
  drawsPath(<u32>base, gShardDraws + <usize>rowIndex * gShardRowBytes, odd);
  return odd;
}

/**
 * Draws [base, base + n) of Philox path `path` (n even, at most CHUNK) as uniforms at pU and
 * normals at pN (16-byte aligned, 8 n bytes each), using the tail-index scratch at pT (2 n + 4
 * bytes). Uniforms: eight Philox blocks (16 draws) per SIMD pass, then single blocks. Normals:
 * the central rational four f64x2 at a time (centralQuantilesX8); tail lanes are listed
 * (branch-free) and redone two pairs side by side by inverseNormalTailsListed.
 */
export function fillDraws(path: u32, base: u32, n: u32, pU: usize, pN: usize, pT: usize): void {
  fillUniforms(path, base, n, pU);
  inverseNormalTailsListed(fillCentralNormals(n, pU, pN, pT), pT, pU, pN);
}

/** fillDraws' uniforms: draws [base, base + n) of `path` at pU. */
// @ts-ignore: decorator
@inline
export function fillUniforms(path: u32, base: u32, n: u32, pU: usize): void {
  const blocks = n >>> 1;
  const b0 = base >>> 1;
  let k: u32 = 0;
  for (; k + 8 <= blocks; k += 8) {
    philoxBlocksX8(b0 + k, 0, path, gStream, gSeedLo, gSeedHi);
    const p = pU + <usize>(k << 4);
    storeUniforms4(v0, v1, v2, v3, p);
    storeUniforms4(w0, w1, w2, w3, p + 64);
  }
  for (; k < blocks; ++k) {
    philoxBlock(b0 + k, 0, path, gStream, gSeedLo, gSeedHi);
    const p = pU + <usize>(k << 4);
    store<f64>(p, uniformFromWords(r0, r1));
    store<f64>(p, uniformFromWords(r2, r3), 8);
  }
}

/**
 * fillDraws' normals of the central region (|u - 1/2| <= 0.425) for the n uniforms at pU, into
 * pN; the other draws' indices are listed at pT, and their count returned (inverseNormalTailsListed
 * completes them).
 */
// @ts-ignore: decorator
@inline
export function fillCentralNormals(n: u32, pU: usize, pN: usize, pT: usize): u32 {
  let tails: u32 = 0;
  let i: u32 = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 3;
    const m = centralQuantilesX8(pU + o, pN + o);
    // The tail indices among i..i+7, four at a time: the set bits' offsets (TAIL_NIBBLE) plus i in
    // each u16 of one 8-byte store; only the first popcnt of them count.
    tails = listTails8(pT, tails, m, i);
  }
  for (; i < n; i += 2) {
    const o = <usize>i << 3;
    const q = f64x2.sub(v128.load(pU + o), f64x2.splat(0.5));
    v128.store(pN + o, centralQuantileX2(q));
    const m = <u32>i64x2.bitmask(f64x2.gt(f64x2.abs(q), f64x2.splat(0.425)));
    store<u16>(pT + (<usize>tails << 1), <u16>i);
    tails += m & 1;
    store<u16>(pT + (<usize>tails << 1), <u16>(i + 1));
    tails += m >>> 1;
  }
  return tails;
}

/**
 * The chunk length at `base` for paths of gPerPath draws (0: unknown): CHUNK, or what is left of
 * the path rounded up to even.
 */
// @ts-ignore: decorator
@inline
export function chunkLength(base: u32, j: u32): u32 {
  return j < gPerPath && gPerPath - base < CHUNK ? (gPerPath - base + 1) & ~1 : CHUNK;
}

/**
 * Fill the chunk of the current path that holds draw j: draws [base, base + n) with base = j
 * rounded down to a multiple of CHUNK and n = min(CHUNK, draws per path - base) rounded up to even.
 */
function refill(j: u32): void {
  const base = j & ~(CHUNK - 1);
  const n = chunkLength(base, j);
  gBase = base;
  gCount = n;
  fillDraws(gPath, base, n, BUF_U, BUF_N, BUF_T);
}

/**
 * Raw draw j of the current path: a uniform in (0, 1) (Philox, uniform buffer) or a normal
 * (normal buffer), after the antithetic flip.
 */
// @ts-ignore: decorator
@inline
export function draw(j: u32): f64 {
  if (gMode == DRAWS_PHILOX) {
    if (j - gBase >= gCount) refill(j);
    const u = load<f64>(BUF_U + (<usize>(j - gBase) << 3));
    return gAnti ? 1.0 - u : u;
  }
  const x = load<f64>(gRow + (<usize>j << 3));
  if (gMode == DRAWS_UNIFORM_BUFFER) {
    const u = x + HALF_CELL_32;
    return gAnti ? 1.0 - u : u;
  }
  return gAnti ? -x : x;
}

/** Draw j of the current path as a standard normal: asNormal(draw(j)), bit for bit. */
// @ts-ignore: decorator
@inline
export function normal(j: u32): f64 {
  if (gMode == DRAWS_PHILOX) {
    if (j - gBase >= gCount) refill(j);
    const z = load<f64>(BUF_N + (<usize>(j - gBase) << 3));
    return gAnti ? -z : z;
  }
  return asNormal(draw(j));
}

/** Draw j of the current path as a uniform in (0, 1): asUniform(draw(j)). */
// @ts-ignore: decorator
@inline
export function uniform(j: u32): f64 {
  return asUniform(draw(j));
}

/** A raw draw as a standard normal. */
// @ts-ignore: decorator
@inline
export function asNormal(raw: f64): f64 {
  return gMode == DRAWS_NORMAL_BUFFER ? raw : inverseNormalCdfFast(raw);
}

/** A raw draw as a uniform in (0, 1). */
// @ts-ignore: decorator
@inline
export function asUniform(raw: f64): f64 {
  return gMode == DRAWS_NORMAL_BUFFER ? normalCdfShared(raw) : raw;
}

/**
 * Diagnostic, outside the kernel contract (test/draws-far-tail.test.ts compares it with
 * inverseNormalCdfFast bit for bit, far tails included, which Philox draws reach about once in
 * 7e10): out[i] = the Monte Carlo draws' normal of the uniform in[i], i < n, by fillDraws' own
 * vector code (the central AS 241 rational four f64x2 at a time, the tail draws listed and redone
 * two pairs side by side), CHUNK uniforms at a time. fn 0 only. Returns 1 (nothing written) for
 * another fn, a negative or odd n, or pIn, pOut not 16-byte aligned.
 */
export function drawNormalsBatch(fn: i32, n: i32, pIn: usize, pOut: usize): i32 {
  if (fn != 0 || n < 0 || (n & 1) != 0 || ((pIn | pOut) & 15) != 0) return 1;
  for (let s = 0; s < n; s += <i32>CHUNK) {
    const m = n - s < <i32>CHUNK ? n - s : <i32>CHUNK;
    const o = <usize>s << 3;
    inverseNormalTailsListed(fillCentralNormals(<u32>m, pIn + o, pOut + o, BUF_T), BUF_T, pIn + o, pOut + o);
  }
  return 0;
}
