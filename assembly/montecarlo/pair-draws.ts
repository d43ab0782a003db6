// Philox draws of two paths side by side for the f64x2 path kernels (gbm-pairs.ts,
// heston-qe-pairs.ts): a chunk of each path's uniforms and normals made by fillDraws (draws.ts,
// the same numbers the scalar kernel reads through draw() and normal()), read back as (path A,
// path B) lane pairs. An antithetic pair has one Philox path: lane 1 reads path A's draws flipped
// as draw() flips them (u -> 1 - u, z -> -z, both exact). The Heston QE kernel steps two pairs at
// once, (A, B) and (C, D) (quadFill, quadBuffer), and its block kernel BLOCK_PATHS
// paths (blockFill, below); every lane still reads exactly the draws of its own path.

import { CHUNK, fillDraws, fillUniforms, fillCentralNormals } from "./draws";
import { inverseNormalCdfFast, inverseNormalTailsListed } from "../math/inverse-normal";

/** Paths per block of the step-major Heston QE kernel (a power of 2, at least 4; mcShard picks the slot as i & (BLOCK_PATHS - 1)). */
// @ts-ignore: decorator
@inline
export const BLOCK_PATHS: i32 = 16;
/** Lane pairs per block. */
// @ts-ignore: decorator
@inline
export const BLOCK_PAIRS: i32 = BLOCK_PATHS >> 1;
const BUF_UA: usize = memory.data(<i32>CHUNK * 32, 16);
const BUF_NA: usize = BUF_UA + (<usize>CHUNK << 3);
const BUF_UB: usize = BUF_NA + (<usize>CHUNK << 3);
const BUF_NB: usize = BUF_UB + (<usize>CHUNK << 3);
const BUF_T: usize = memory.data(<i32>CHUNK * 2 + 4, 16);
/** The second pair's buffers (quadFill). */
const BUF_UC: usize = memory.data(<i32>CHUNK * 32, 16);
const BUF_NC: usize = BUF_UC + (<usize>CHUNK << 3);
const BUF_UD: usize = BUF_NC + (<usize>CHUNK << 3);
const BUF_ND: usize = BUF_UD + (<usize>CHUNK << 3);

let gFlip: bool = false;
/** Where lane 1 reads: path B's buffers, or path A's when flipped. */
let gUB: usize = BUF_UB;
let gNB: usize = BUF_NB;
/** Lane 1's flips: the sign bit of the normal; 1 - u selected for the uniform. */
let gSign: v128 = i64x2.splat(0);

/** Start a pair of paths (pathB unused when `flip`). */
export function pairBegin(flip: bool): void {
  gFlip = flip;
  gUB = flip ? BUF_UA : BUF_UB;
  gNB = flip ? BUF_NA : BUF_NB;
  gSign = flip ? i64x2(0, 0x8000000000000000) : i64x2(0, 0);
}

/** Fill draws [base, base + n) (n even, <= CHUNK) of both paths. */
export function pairFill(pathA: u32, pathB: u32, base: u32, n: u32): void {
  fillDraws(pathA, base, n, BUF_UA, BUF_NA, BUF_T);
  if (!gFlip) fillDraws(pathB, base, n, BUF_UB, BUF_NB, BUF_T);
}

// The jump models' draws (Merton: Z, the jump-count uniform U, the jump normal Zj; Bates: Uv, Z, U,
// Zj): every uniform, but the normals of each step's leading draws only (Merton's Z; Bates' Uv and
// Z), compact; U needs none, and a jump normal is made from its uniform when a lane jumps.
/** Scratch: the leading uniforms of one path's steps, compact (at most CHUNK / 2, plus padding). */
const BUF_LEADING: usize = memory.data((<i32>CHUNK / 2 + 4) * 8, 16);

/**
 * Draws [base, base + n) (n even, <= CHUNK, base a multiple of `stride`; with take 2 n a multiple
 * of `stride` too) of one path: the uniforms at pU (draw base + j at j), and the normals of the
 * first `take` (1 or 2) draws of each `stride`-draw step
 * at pN, compact (draw base + stride k + t at take k + t): fillDraws' numbers for those draws, bit
 * for bit (the same vector code on the compacted uniforms).
 */
// @ts-ignore: decorator
@inline
function fillLeading(path: u32, base: u32, n: u32, pU: usize, pN: usize, stride: u32, take: u32): void {
  fillUniforms(path, base, n, pU);
  // take is 1 or 2 (a constant at each call site); with 2, n is a multiple of stride.
  let m: u32 = 0;
  for (let j: u32 = 0; j < n; j += stride) {
    store<f64>(BUF_LEADING + (<usize>m << 3), load<f64>(pU + (<usize>j << 3)));
    if (take == 2) store<f64>(BUF_LEADING + (<usize>m << 3), load<f64>(pU + (<usize>j << 3), 8), 8);
    m += take;
  }
  // An odd count is padded with a central uniform (its normal is never read).
  if ((m & 1) != 0) {
    store<f64>(BUF_LEADING + (<usize>m << 3), 0.5);
    ++m;
  }
  inverseNormalTailsListed(fillCentralNormals(m, BUF_LEADING, pN, BUF_T), BUF_T, BUF_LEADING, pN);
}

/**
 * Merton's fill of draws [base, base + n) (n even, <= CHUNK) of both paths: uniforms read by
 * pairUniform(j), the normals of draws 3k (each step's Z) by pairNormal(k); pairNormalOfUniform(j)
 * makes another draw's normal when it is needed (a jump).
 */
export function pairFillThirds(pathA: u32, pathB: u32, base: u32, n: u32): void {
  fillLeading(pathA, base, n, BUF_UA, BUF_NA, 3, 1);
  if (!gFlip) fillLeading(pathB, base, n, BUF_UB, BUF_NB, 3, 1);
}

/**
 * Bates' fill of draws [base, base + n) (n a multiple of 4, <= CHUNK) of both paths: uniforms at
 * their draw index, the normals of draws 4k and 4k + 1 (Uv's and Z's) at 2k and 2k + 1.
 */
export function pairFillHalves(pathA: u32, pathB: u32, base: u32, n: u32): void {
  fillLeading(pathA, base, n, BUF_UA, BUF_NA, 4, 2);
  if (!gFlip) fillLeading(pathB, base, n, BUF_UB, BUF_NB, 4, 2);
}

/** pairFillHalves for the two pairs of the four-path kernels (pathB, pathD unused when flipped). */
export function quadFillHalves(pathA: u32, pathB: u32, pathC: u32, pathD: u32, base: u32, n: u32): void {
  fillLeading(pathA, base, n, BUF_UA, BUF_NA, 4, 2);
  if (!gFlip) fillLeading(pathB, base, n, BUF_UB, BUF_NB, 4, 2);
  fillLeading(pathC, base, n, BUF_UC, BUF_NC, 4, 2);
  if (!gFlip) fillLeading(pathD, base, n, BUF_UD, BUF_ND, 4, 2);
}

/** The normals of draw base + j of the two paths from their uniforms (a jump normal: rarely needed), as normal() gives them. */
export function pairNormalOfUniform(j: u32): v128 {
  const o = <usize>j << 3;
  const z0 = inverseNormalCdfFast(load<f64>(BUF_UA + o));
  const z1 = gFlip ? -z0 : inverseNormalCdfFast(load<f64>(BUF_UB + o));
  return f64x2.replace_lane(f64x2.splat(z0), 1, z1);
}

/** Fill draws [base, base + n) (n even, <= CHUNK) of the two pairs (pathB, pathD unused when flipped). */
export function quadFill(pathA: u32, pathB: u32, pathC: u32, pathD: u32, base: u32, n: u32): void {
  fillDraws(pathA, base, n, BUF_UA, BUF_NA, BUF_T);
  if (!gFlip) fillDraws(pathB, base, n, BUF_UB, BUF_NB, BUF_T);
  fillDraws(pathC, base, n, BUF_UC, BUF_NC, BUF_T);
  if (!gFlip) fillDraws(pathD, base, n, BUF_UD, BUF_ND, BUF_T);
}

/**
 * Where the draws of the last quadFill are: the uniforms (k = 0) and normals (k = 1) of lane 0 of
 * pair p (0: A, 1: C), and of lane 1 (path B, D, or the lane-0 path's when flipped), for kernels
 * that keep the four addresses in locals (lanesAt).
 */
export function quadBuffer(p: i32, lane: i32, k: i32): usize {
  const lo = p == 0 ? BUF_UA : BUF_UC;
  const hi = gFlip ? lo : p == 0 ? BUF_UB : BUF_UD;
  return (lane == 0 ? lo : hi) + (<usize>k * (<usize>CHUNK << 3));
}

/** The doubles at lo + o and hi + o as (lane 0, lane 1). */
// @ts-ignore: decorator
@inline
export function lanesAt(lo: usize, hi: usize, o: usize): v128 {
  return v128.load64_lane(hi + o, v128.load64_zero(lo + o), 1);
}

/** A lane pair's uniforms with lane 1 flipped as draw() flips an antithetic path's (u -> 1 - u, exact) when `flip`. */
// @ts-ignore: decorator
@inline
export function flipUniforms(u: v128, flip: bool): v128 {
  return flip ? f64x2.replace_lane(u, 1, 1.0 - f64x2.extract_lane(u, 1)) : u;
}

/** The normals of draw base + i of the two paths (i < n of the last pairFill). */
// @ts-ignore: decorator
@inline
export function pairNormal(i: u32): v128 {
  const o = <usize>i << 3;
  return v128.xor(v128.load64_lane(gNB + o, v128.load64_zero(BUF_NA + o), 1), gSign);
}

/** The uniforms of draw base + i of the two paths. */
// @ts-ignore: decorator
@inline
export function pairUniform(i: u32): v128 {
  const o = <usize>i << 3;
  return flipUniforms(v128.load64_lane(gUB + o, v128.load64_zero(BUF_UA + o), 1), gFlip);
}

// The end state of the last pair (two pairs, a block's BLOCK_PAIRS) of paths, per pair k at PAIR_END + 96 k: six
// f64x2 fields (lane 0 path A or C, lane 1 path B or D): log spot, sum of z, sum of sd z, sum of
// sd^2, W_T (GBM and Merton; 0 otherwise), z_1 / sd_1. Memory, not globals: mcShard reads path s of a group
// of four, or of a block of BLOCK_PATHS, as slot s (pairEndLane).
const PAIR_END: usize = memory.data(BLOCK_PAIRS * 96, 16);
/** Fields of the end state (pairEndLane). */
export const END_X: i32 = 0;
export const END_SUM_Z: i32 = 1;
export const END_XI: i32 = 2;
export const END_VX: i32 = 3;
export const END_W: i32 = 4;
export const END_FIRST: i32 = 5;

/** Where pair k's end state is (six f64x2 fields, END_*): the block kernel keeps its paths' state there. */
// @ts-ignore: decorator
@inline
export function pairEndAt(k: i32): usize {
  return PAIR_END + <usize>k * 96;
}

/** Record the end state of pair k (0: paths A, B; 1: paths C, D). */
// @ts-ignore: decorator
@inline
export function pairEnd(k: i32, x: v128, sumZ: v128, Xi: v128, Vx: v128, W: v128, first: v128): void {
  const p = PAIR_END + <usize>k * 96;
  v128.store(p, x);
  v128.store(p, sumZ, 16);
  v128.store(p, Xi, 32);
  v128.store(p, Vx, 48);
  v128.store(p, W, 64);
  v128.store(p, first, 80);
}

/** Field `field` (END_*) of path `slot` (0..3: A, B, C, D; up to BLOCK_PATHS - 1 after the block kernel) of the last pairEnd calls. */
// @ts-ignore: decorator
@inline
export function pairEndLane(slot: i32, field: i32): f64 {
  return load<f64>(PAIR_END + <usize>(slot >>> 1) * 96 + (<usize>field << 4) + (<usize>(slot & 1) << 3));
}

// The step-major Heston QE kernel (heston-qe-pairs.ts hestonQePathBlock) steps BLOCK_PATHS paths
// together, BLOCK_DRAWS draws of each per fill: path k's uniforms at BLOCK_BUF + 16 BLOCK_DRAWS k,
// its normals 8 BLOCK_DRAWS bytes after them (k < BLOCK_PATHS / 2 when flipped: one Philox path
// per antithetic pair). 16 paths x 128 draws (32 KB) measured best of 8 x 128, 16 x 64, 32 x 64
// and 32 x 32 (session 11): shorter fills cost more per draw, fewer paths overlap fewer chains.
/** Draws per path per blockFill (a multiple of 16, at most CHUNK). */
// @ts-ignore: decorator
@inline
export const BLOCK_DRAWS: u32 = 128;
/** Bytes of one path's draws in the block buffer (uniforms, then normals). */
// @ts-ignore: decorator
@inline
export const BLOCK_PATH_BYTES: usize = <usize>BLOCK_DRAWS << 4;
export const BLOCK_BUF: usize = memory.data(BLOCK_PATHS * <i32>BLOCK_DRAWS * 16, 16);

/**
 * Fill draws [base, base + n) (n even, <= BLOCK_DRAWS) of the block's paths path0 + k, k <
 * BLOCK_PATHS (k < BLOCK_PATHS / 2 when flipped).
 */
export function blockFill(path0: u32, flip: bool, base: u32, n: u32): void {
  const paths = flip ? BLOCK_PAIRS : BLOCK_PATHS;
  for (let k = 0; k < paths; ++k) {
    const p = BLOCK_BUF + <usize>k * BLOCK_PATH_BYTES;
    fillDraws(path0 + <u32>k, base, n, p, p + (<usize>BLOCK_DRAWS << 3), BUF_T);
  }
}
