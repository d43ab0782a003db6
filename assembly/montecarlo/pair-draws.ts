// Philox draws of two paths side by side for the f64x2 path kernels (gbm-pairs.ts,
// heston-qe-pairs.ts): a chunk of each path's uniforms and normals made by fillDraws (draws.ts,
// the same numbers the scalar kernel reads through draw() and normal()), read back as (path A,
// path B) lane pairs. An antithetic pair has one Philox path: lane 1 reads path A's draws flipped
// as draw() flips them (u -> 1 - u, z -> -z, both exact).

import { CHUNK, fillDraws } from "./draws";

const BUF_UA: usize = memory.data(<i32>CHUNK * 32, 16);
const BUF_NA: usize = BUF_UA + (<usize>CHUNK << 3);
const BUF_UB: usize = BUF_NA + (<usize>CHUNK << 3);
const BUF_NB: usize = BUF_UB + (<usize>CHUNK << 3);
const BUF_T: usize = memory.data(<i32>CHUNK * 2 + 4, 16);

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
  const u = v128.load64_lane(gUB + o, v128.load64_zero(BUF_UA + o), 1);
  return gFlip ? f64x2.replace_lane(u, 1, 1.0 - f64x2.extract_lane(u, 1)) : u;
}

// The end state of the last pair of paths (lane 0 the first path): log spot, sum of z, sum of
// sd z, sum of sd^2, W_T (GBM; 0 otherwise), z_1 / sd_1.
export let pairX: v128 = f64x2.splat(0.0);
export let pairSumZ: v128 = f64x2.splat(0.0);
export let pairXi: v128 = f64x2.splat(0.0);
export let pairVx: v128 = f64x2.splat(0.0);
export let pairW: v128 = f64x2.splat(0.0);
export let pairFirstScore: v128 = f64x2.splat(0.0);

/** Record the end state of a pair (see the globals above). */
// @ts-ignore: decorator
@inline
export function pairEnd(x: v128, sumZ: v128, Xi: v128, Vx: v128, W: v128, first: v128): void {
  pairX = x;
  pairSumZ = sumZ;
  pairXi = Xi;
  pairVx = Vx;
  pairW = W;
  pairFirstScore = first;
}
