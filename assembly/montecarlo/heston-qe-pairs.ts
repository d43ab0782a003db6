// Heston QE path stepping two paths at a time, one per f64x2 lane, for mcShard's common case
// (inline Philox draws, a payoff read from S_T alone): each lane runs the QE step of paths.ts
// (Andersen 2008, psi_c = 1.5, martingale-corrected K0*) with the same operations in the same
// order. The quadratic and exponential branches become masks: a branch is evaluated when some
// lane takes it, then selected per lane; logarithms are logX2 and log1pSmallX2
// (math/f64x2-elementary.ts, lane for lane the shared scalar log and log1pSmall). WASM SIMD has no
// fused multiply-add, so every lane is bit for bit the scalar path and the JS twin. Draws:
// pair-draws.ts (d0 = Uv with its normal, d1 = Z; Bates also d2 = U, the jump count's uniform, and
// d3 = Zj, the jump normal).
//
// hestonQePathQuad steps four paths per call (two independent pairs in one loop) so that one pair's
// chain of divisions and square roots from v to v' (about 80 cycles) overlaps the other's. Where
// the variance rarely nears zero (mcShard decides by the Feller ratio) its quadratic-first kernel
// steps all four lanes by the quadratic branch alone (qeQuadratic: no calls, no selects, log(d) by
// log1pSmall of -2 A a) and redoes a pair's step when a lane needs the exponential branch or an
// outlying log: the exponential branch alone when the quadratic lanes stand (qeFallback), else
// qeVariance. The lanes' arithmetic is unchanged, so are the bits.
// Measured by bench/heston-qe.mjs (process CPU time, loaded machine): 0.93 -> 0.82 s per 1e5 x 252
// on bench/montecarlo.mjs's model (session 7), 0.80 -> 0.64 s (session 10: mostly the draws, now
// 0.29 s; the step loop 0.35 s, 0.27 s of it without the redo). Making the draws inside the step
// loop (one step of the four paths per iteration, the next chunk's) was measured slower: the
// draw work shares the four SIMD pipes and the divider with the step, and one iteration of both
// is more than the out-of-order window holds. The loops are exported for bench/heston-qe/probe.ts.
//
// Session 11: where mcShard has 16 paths left of a quadratic-first model it runs hestonQePathBlock,
// the same lanes grouped differently: 8 pairs stepped step-major, each step in passes (the v -> v'
// chains of all pairs, then the exponential branch of the listed pairs, then K0* and the log step;
// see qeBlock). The chains of 8 independent pairs overlap where two did, so that pass runs at the
// divider's pace (4.4 ns per path-step alone on fixed draws); the redo of a pair with an
// exponential-branch lane no longer discards the other pair's work. Measured (bench/heston-qe.mjs,
// loaded machine): mcShard 0.632 -> 0.615 s. What was left then: the K0* and log-step pass was ~6.5 ns
// per path-step, bound by its instruction count (about 170 per pair: the near-one log polynomial,
// the constants reloaded, V8's spills around logX2's rare branch), and the exponential branch's
// long chain (~1.8 ns per path-step on fresh draws). Tried in the block and dropped (A/B): the
// log(d) range test moved to the chain pass (+7%), or made branch-free with a redo list and the
// log step redone from a saved x (+4%); the exponential branch's logs as selects of both formulas
// (no gain; and 11% slower in the general four-path kernel); a spare pair so that one exponential
// branch always runs (+10%); the log-step pass ordering the listed pairs last (no gain); K0* in a
// pass of its own (no gain); the log(d) range test of all pairs first, then a pass 3 without it
// when all are in range (+3%); the exponential branch before the chains, from v alone (+5%); the
// log-step pass two pairs per iteration (no gain); 8 x 128, 16 x 64, 32 x 64, 32 x 32 paths x
// draws per fill.
//
// Session 12: the correction's log(d), d = 1 - 2 A a, is log1pSmall(-2 A a) (a degree-9 polynomial,
// no table, no split) where |2 A a| <= 2^-6, logX2(d) elsewhere, in every QE kernel and the scalar
// steps of both backends (math/elementary.ts logOneMinus): more accurate (the log no longer sees
// the rounding of d) and about 20 instructions fewer per pair. Pass 3 5.7 -> 4.7 ns per path-step
// in a probe; mcShard on bench/montecarlo.mjs's model 0.607 -> 0.582 s (interleaved A/B, one
// process). The results moved within 1.3e-15 relative (test/montecarlo-pinned-bits.test.ts re-pinned).
// Bates (session 12) runs in the four-path kernels and the pair kernel with `jumps` (four draws a
// step; qeAddJumps adds a lane's jumps after its log step, as paths.ts does, counting them only on
// steps where a lane's uniform passes e^{-lambda dt}); not in the block kernel. Its fills make the
// normals of Uv and Z only (pair-draws.ts pairFillHalves / quadFillHalves, compact at 2k, 2k + 1). 1e5 x 252 on
// bench/montecarlo.mjs's Bates model: 1.44-1.56 s (scalar loop) -> 0.90 s, the same bits.

import { CHUNK } from "./draws";
import { pairBegin, pairFill, pairFillHalves, pairEnd, quadFill, quadFillHalves, quadBuffer, lanesAt, flipUniforms } from "./pair-draws";
import { inverseNormalCdfFast } from "../math/inverse-normal";
import { blockFill, pairEndAt, BLOCK_BUF, BLOCK_PAIRS, BLOCK_DRAWS, BLOCK_PATH_BYTES, END_X, END_SUM_Z, END_XI, END_VX, END_W, END_FIRST } from "./pair-draws";
import { logX2, log1pSmallX2, log1pSmallMask } from "../math/f64x2-elementary";
import { jumpSumsX2 } from "./jump-counts";

/** Andersen's switching level psi_c (paths.ts PSI_C). */
const PSI_C: f64 = 1.5;

// The step constants as f64x2 splats in memory (qeConstants writes them once per call): a load is
// one instruction where V8 rebuilds a v128 constant from general registers at every use, and the
// four-path loop has more live vectors than there are registers.
const QE: usize = memory.data(16 * 20, 16);
const C_ONE: i32 = 0;
const C_TWO: i32 = 1;
const C_HALF: i32 = 2;
const C_PSI: i32 = 3;
export const C_MU: i32 = 4;
const C_THETA: i32 = 5;
const C_E: i32 = 6;
const C_C1: i32 = 7;
const C_C2: i32 = 8;
const C_TWO_A: i32 = 9;
const C_MINUS_A: i32 = 10;
const C_A: i32 = 11;
const C_KV: i32 = 12;
const C_K0: i32 = 13;
const C_K1: i32 = 14;
const C_K2: i32 = 15;
const C_K3: i32 = 16;
const C_K4: i32 = 17;
const C_DRIFT: i32 = 18;

// @ts-ignore: decorator
@inline
export function c(i: i32): v128 {
  return v128.load(QE + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline
function setC(i: i32, x: f64): void {
  v128.store(QE + (<usize>i << 4), f64x2.splat(x));
}

export function qeConstants(
  mu: f64, theta: f64, E: f64, c1: f64, c2: f64, Acorr: f64, Kv: f64, K0: f64, K1: f64, K2: f64, K3: f64, K4: f64, hDrift: f64,
): void {
  setC(C_ONE, 1.0);
  setC(C_TWO, 2.0);
  setC(C_HALF, 0.5);
  setC(C_PSI, PSI_C);
  setC(C_MU, mu);
  setC(C_THETA, theta);
  setC(C_E, E);
  setC(C_C1, c1);
  setC(C_C2, c2);
  setC(C_TWO_A, 2.0 * Acorr);
  setC(C_MINUS_A, -Acorr);
  setC(C_A, Acorr);
  setC(C_KV, Kv);
  setC(C_K0, K0);
  setC(C_K1, K1);
  setC(C_K2, K2);
  setC(C_K3, K3);
  setC(C_K4, K4);
  setC(C_DRIFT, hDrift);
}

/**
 * The quadratic branch's K0* (Andersen's martingale correction): -A b^2 a / d + log(d) / 2 - Kv v
 * with d = 1 - 2 A a, or the constant K0 where d <= 0; logD = log(d), Kvv = Kv v. The one copy of
 * the formula for every QE kernel, so that their lanes stay bit for bit the same.
 */
// @ts-ignore: decorator
@inline
function qeK0(a: v128, b2: v128, d: v128, logD: v128, Kvv: v128): v128 {
  const corrected = f64x2.sub(f64x2.add(f64x2.div(f64x2.mul(f64x2.mul(c(C_MINUS_A), b2), a), d), f64x2.mul(c(C_HALF), logD)), Kvv);
  return v128.bitselect(corrected, c(C_K0), f64x2.gt(d, f64x2.splat(0.0)));
}

/**
 * log(d) of the martingale correction, d = 1 - y, y = 2 A a, as paths.ts's scalar step takes it:
 * log1pSmall(-y) on lanes with |y| <= 2^-6 (from y itself: more accurate than the log of the
 * rounded d, and cheaper), logX2(d) on the others.
 */
// @ts-ignore: decorator
@inline
function qeLogD(y: v128, d: v128): v128 {
  const small = log1pSmallMask(y);
  const l = log1pSmallX2(f64x2.neg(y));
  if (i64x2.all_true(small)) return l;
  return v128.bitselect(l, logX2(d), small);
}

/** k0 of the last qeVariance (no multi-value): read right after the call. */
export let gK0: v128 = f64x2.splat(0.0);

/**
 * The QE variance step of two lanes from v, with the variance draw's normal zv (quadratic branch)
 * and uniform (exponential branch) at uLo + o, uHi + o (lane 1 flipped when `flip`): returns v'
 * and leaves K0* in gK0. paths.ts's scalar step,
 * operation for operation.
 */
// @ts-ignore: decorator
@inline
export function qeVariance(v: v128, zv: v128, uLo: usize, uHi: usize, o: usize, flip: bool): v128 {
  const zero = f64x2.splat(0.0);
  const one = c(C_ONE);
  const theta2 = c(C_THETA);
  const m = f64x2.add(theta2, f64x2.mul(f64x2.sub(v, theta2), c(C_E)));
  const s2 = f64x2.add(f64x2.mul(v, c(C_C1)), c(C_C2));
  const m2 = f64x2.mul(m, m);
  const quad = f64x2.le(s2, f64x2.mul(c(C_PSI), m2));
  const Kvv = f64x2.mul(c(C_KV), v);
  if (i64x2.all_true(quad)) {
    // Every lane quadratic: the branch below without the selects.
    const t2 = f64x2.div(f64x2.mul(c(C_TWO), m2), s2);
    const b2 = f64x2.add(f64x2.sub(t2, one), f64x2.sqrt(f64x2.mul(t2, f64x2.sub(t2, one))));
    const a = f64x2.div(m, f64x2.add(one, b2));
    const bz = f64x2.add(f64x2.sqrt(b2), zv);
    const y = f64x2.mul(c(C_TWO_A), a);
    const d = f64x2.sub(one, y);
    gK0 = qeK0(a, b2, d, qeLogD(y, d), Kvv);
    return f64x2.mul(f64x2.mul(a, bz), bz);
  }
  let vn = zero;
  let k0 = zero;
  if (v128.any_true(quad)) {
    const t2 = f64x2.div(f64x2.mul(c(C_TWO), m2), s2);
    const b2 = f64x2.add(f64x2.sub(t2, one), f64x2.sqrt(f64x2.mul(t2, f64x2.sub(t2, one))));
    const a = f64x2.div(m, f64x2.add(one, b2));
    const bz = f64x2.add(f64x2.sqrt(b2), zv);
    vn = f64x2.mul(f64x2.mul(a, bz), bz);
    const y = f64x2.mul(c(C_TWO_A), a);
    const d = f64x2.sub(one, y);
    k0 = qeK0(a, b2, d, qeLogD(y, d), Kvv);
  }
  if (!i64x2.all_true(quad)) {
    const vnE = qeExponential(m, s2, m2, Kvv, quad, uLo, uHi, o, flip);
    vn = v128.bitselect(vn, vnE, quad);
    k0 = v128.bitselect(k0, gK0, quad);
  }
  gK0 = k0;
  return vn;
}

/**
 * qeVariance's exponential branch on both lanes (m, s^2, m^2 and Kv v of the step; the uniform
 * at uLo + o, uHi + o, lane 1 flipped when `flip`): returns v' and leaves K0* in gK0.
 */
// @ts-ignore: decorator
@inline
function qeExponential(m: v128, s2: v128, m2: v128, Kvv: v128, quad: v128, uLo: usize, uHi: usize, o: usize, flip: bool): v128 {
  const one = c(C_ONE);
  // The uniform (read only here: the exponential branch is the rare one), flipped as draw() flips it.
  const u = flipUniforms(lanesAt(uLo, uHi, o), flip);
  const A2 = c(C_A);
  const psi = f64x2.div(s2, m2);
  const pp = f64x2.div(f64x2.sub(psi, one), f64x2.add(psi, one));
  const onePp = f64x2.sub(one, pp);
  const beta = f64x2.div(onePp, m);
  // Quadratic lanes (their results here are dropped) take log 1: a lane's arguments there can be
  // anything, and one outside logX2's fast range would send both lanes to the scalar log.
  const vnE = v128.andnot(f64x2.div(logX2(v128.bitselect(one, f64x2.div(onePp, f64x2.sub(one, u)), quad)), beta), f64x2.le(u, pp));
  const corrected = f64x2.sub(
    f64x2.neg(logX2(v128.bitselect(one, f64x2.add(pp, f64x2.div(f64x2.mul(beta, onePp), f64x2.sub(beta, A2))), quad))), Kvv,
  );
  gK0 = v128.bitselect(corrected, c(C_K0), f64x2.lt(A2, beta));
  return vnE;
}

/**
 * The step after a qeQuadratic (v, zv) whose lanes are not all good (gOk): qeVariance's result
 * bit for bit. Where every quadratic lane of the pair is good (the usual case: a lane in the
 * exponential branch, |2 A a| <= 2^-6 on the others), qeQuadratic's v' and K0* (vnQ, k0Q) stand on
 * those lanes and only the exponential branch is evaluated; otherwise the whole qeVariance.
 * Returns v' and leaves K0* in gK0.
 */
// @ts-ignore: decorator
@inline
export function qeFallback(v: v128, zv: v128, vnQ: v128, k0Q: v128, ok: v128, uLo: usize, uHi: usize, o: usize, flip: bool): v128 {
  const theta2 = c(C_THETA);
  const m = f64x2.add(theta2, f64x2.mul(f64x2.sub(v, theta2), c(C_E)));
  const s2 = f64x2.add(f64x2.mul(v, c(C_C1)), c(C_C2));
  const m2 = f64x2.mul(m, m);
  const quad = f64x2.le(s2, f64x2.mul(c(C_PSI), m2));
  if (v128.any_true(v128.andnot(quad, ok))) return qeVariance(v, zv, uLo, uHi, o, flip);
  const vnE = qeExponential(m, s2, m2, f64x2.mul(c(C_KV), v), quad, uLo, uHi, o, flip);
  gK0 = v128.bitselect(k0Q, gK0, quad);
  return v128.bitselect(vnQ, vnE, quad);
}

/** All ones on lanes where the last qeQuadratic is the QE step (quadratic branch, |2 A a| <= 2^-6). */
export let gOk: v128 = f64x2.splat(0.0);

/**
 * qeVariance's quadratic branch alone, with log(d) by log1pSmall(-2 A a): returns v' and
 * leaves K0* in gK0 and in gOk the lanes where that is qeVariance's result bit for bit (psi <= psi_c
 * and |2 A a| <= 2^-6). No calls and no branches, so a loop of these keeps its
 * vectors in registers; the caller redoes a step with qeFallback when gOk is not all ones.
 */
// @ts-ignore: decorator
@inline
export function qeQuadratic(v: v128, zv: v128): v128 {
  const zero = f64x2.splat(0.0);
  const one = c(C_ONE);
  const theta2 = c(C_THETA);
  const m = f64x2.add(theta2, f64x2.mul(f64x2.sub(v, theta2), c(C_E)));
  const s2 = f64x2.add(f64x2.mul(v, c(C_C1)), c(C_C2));
  const m2 = f64x2.mul(m, m);
  const quad = f64x2.le(s2, f64x2.mul(c(C_PSI), m2));
  const Kvv = f64x2.mul(c(C_KV), v);
  const t2 = f64x2.div(f64x2.mul(c(C_TWO), m2), s2);
  const b2 = f64x2.add(f64x2.sub(t2, one), f64x2.sqrt(f64x2.mul(t2, f64x2.sub(t2, one))));
  const a = f64x2.div(m, f64x2.add(one, b2));
  const bz = f64x2.add(f64x2.sqrt(b2), zv);
  const y = f64x2.mul(c(C_TWO_A), a);
  gK0 = qeK0(a, b2, f64x2.sub(one, y), log1pSmallX2(f64x2.neg(y)), Kvv);
  gOk = v128.and(quad, log1pSmallMask(y));
  return f64x2.mul(f64x2.mul(a, bz), bz);
}

/** sqrt(K3 v + K4 v'): the conditional standard deviation of the log step. */
// @ts-ignore: decorator
@inline
export function qeSd(v: v128, vn: v128): v128 {
  return f64x2.sqrt(f64x2.add(f64x2.mul(c(C_K3), v), f64x2.mul(c(C_K4), vn)));
}

/** x + (r - q) dt + K0* + K1 v + K2 v' + sd z, in the scalar order. */
// @ts-ignore: decorator
@inline
export function qeLogStep(x: v128, k0: v128, v: v128, vn: v128, sd: v128, z: v128): v128 {
  return f64x2.add(x, f64x2.add(f64x2.add(f64x2.add(f64x2.add(c(C_DRIFT), k0), f64x2.mul(c(C_K1), v)), f64x2.mul(c(C_K2), vn)), f64x2.mul(sd, z)));
}

// Bates (Heston QE plus Merton jumps, four draws a step: Uv, Z, the jump-count uniform U, the jump
// normal Zj): mcShard sets the jump constants before it calls a kernel with `jumps`.
let jLamDt: f64 = 0.0;
let jPois0: f64 = 1.0;
let jMean: f64 = 0.0;
let jVol: f64 = 0.0;

/** The jump constants of the next Bates kernel calls: lambda dt, e^{-lambda dt}, the log-jump mean m and vol delta. */
export function qeJumpConstants(lamDt: f64, pois0: f64, jm: f64, jv: f64): void {
  jLamDt = lamDt;
  jPois0 = pois0;
  jMean = jm;
  jVol = jv;
}

/**
 * x after the step's jumps, as paths.ts's Bates step: x + n m + delta sqrt(n) Zj on a lane whose
 * count n (of the uniform at uLo + o + 16, uHi + o + 16, lane 1 flipped when `flip`) is > 0, x
 * itself (not x + 0) on the others; the jump normal made from the uniform at uLo + o + 24,
 * uHi + o + 24 (negated on lane 1 when `flip`), only on such a step.
 */
// @ts-ignore: decorator
@inline
function qeAddJumps(x: v128, uLo: usize, uHi: usize, o: usize, flip: bool): v128 {
  const u = flipUniforms(lanesAt(uLo, uHi, o + 16), flip);
  const jumped = f64x2.gt(u, f64x2.splat(jPois0));
  if (!v128.any_true(jumped)) return x;
  // The jump normal from its uniform (the jump fills make no normal for it), as normal() gives it.
  const z0 = inverseNormalCdfFast(load<f64>(uLo + o + 24));
  const zj = f64x2.replace_lane(f64x2.splat(z0), 1, flip ? -z0 : inverseNormalCdfFast(load<f64>(uHi + o + 24)));
  const sums = jumpSumsX2(f64x2.extract_lane(u, 0), f64x2.extract_lane(u, 1), f64x2.extract_lane(zj, 0), f64x2.extract_lane(zj, 1), jLamDt, jPois0, jMean, jVol);
  return v128.bitselect(f64x2.add(x, sums), x, jumped);
}

/**
 * Step Philox paths pathA and pathB (or pathA and its antithetic mirror when `flip`) through
 * `steps` Heston QE steps of two draws each from x = x0, v = v0, with the step constants of
 * mcShard (E = e^{-kappa dt}, c1, c2, Acorr = K2 + K4 / 2, Kv = K1 + K3 / 2, K0..K4, hDrift =
 * (r - q) dt) and the importance-sampling shift mu. With `jumps`: Bates (qeJumpConstants), four
 * draws a step. End state: pair-draws.ts's pair 0.
 */
export function hestonQePathPair(
  jumps: bool, pathA: u32, pathB: u32, flip: bool, steps: i32, x0: f64, v0: f64, mu: f64, theta: f64, E: f64,
  c1: f64, c2: f64, Acorr: f64, Kv: f64, K0: f64, K1: f64, K2: f64, K3: f64, K4: f64, hDrift: f64,
): void {
  qeConstants(mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
  const zero = f64x2.splat(0.0);
  pairBegin(flip);
  // Lane 1's normals are lane 0's negated when flipped (an exact sign flip, as draw() does).
  const sign = flip ? i64x2(0, 0x8000000000000000) : zero;
  const uLo = quadBuffer(0, 0, 0);
  const uHi = quadBuffer(0, 1, 0);
  const nLo = quadBuffer(0, 0, 1);
  const nHi = quadBuffer(0, 1, 1);
  let x = f64x2.splat(x0);
  let v = f64x2.splat(v0);
  let sumZ = zero;
  let Xi = zero;
  let Vx = zero;
  let first = zero;
  const dps = jumps ? 4 : 2;
  const draws = steps * dps;
  for (let base = 0; base < draws; base += <i32>CHUNK) {
    const left = draws - base;
    const n = left < <i32>CHUNK ? left : <i32>CHUNK;
    if (jumps) pairFillHalves(pathA, pathB, <u32>base, <u32>n);
    else pairFill(pathA, pathB, <u32>base, <u32>n);
    for (let i = 0; i < n; i += dps) {
      const o = <usize>i << 3;
      // Normals: at the draw index, or (jumps) compact, two a step.
      const on = jumps ? o >> 1 : o;
      const vn = qeVariance(v, v128.xor(lanesAt(nLo, nHi, on), sign), uLo, uHi, o, flip);
      const z = f64x2.add(v128.xor(lanesAt(nLo, nHi, on + 8), sign), c(C_MU));
      const sd = qeSd(v, vn);
      x = qeLogStep(x, gK0, v, vn, sd, z);
      if (jumps) x = qeAddJumps(x, uLo, uHi, o, flip);
      v = vn;
      sumZ = f64x2.add(sumZ, z);
      Xi = f64x2.add(Xi, f64x2.mul(sd, z));
      Vx = f64x2.add(Vx, f64x2.mul(sd, sd));
      if (base == 0 && i == 0) first = v128.and(f64x2.div(z, sd), f64x2.gt(sd, zero));
    }
  }
  pairEnd(0, x, sumZ, Xi, Vx, zero, first);
}

/**
 * hestonQePathPair for two pairs at once: (pathA, pathB) and (pathC, pathD), or with `flip`
 * (pathA, its mirror) and (pathC, its mirror). End state: pair-draws.ts's pairs 0 and 1.
 * `jumps`: Bates, four draws a step (qeJumpConstants). `quadraticFirst` (like `jumps`, a constant at
 * each call site below, so each gets its own loop): try the
 * quadratic-only step (qeQuadratic) on all four lanes and redo a pair's step with qeFallback where
 * some lane needs more; otherwise qeVariance alone. bench/heston-qe/probe.ts times this loop with
 * constants of its own: without `fill` (the draws already in the buffers, made again and again)
 * and without `redo` (quadratic branch alone on every lane: not the QE step, a lower bound).
 */
// @ts-ignore: decorator
@inline
export function qePathQuad(
  fill: bool, redo: bool, quadraticFirst: bool, jumps: bool, pathA: u32, pathB: u32, pathC: u32, pathD: u32, flip: bool, steps: i32, x0: f64, v0: f64, mu: f64, theta: f64, E: f64,
  c1: f64, c2: f64, Acorr: f64, Kv: f64, K0: f64, K1: f64, K2: f64, K3: f64, K4: f64, hDrift: f64,
): void {
  qeConstants(mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
  const zero = f64x2.splat(0.0);
  pairBegin(flip);
  const sign = flip ? i64x2(0, 0x8000000000000000) : zero;
  const uLo = quadBuffer(0, 0, 0);
  const uHi = quadBuffer(0, 1, 0);
  const nLo = quadBuffer(0, 0, 1);
  const nHi = quadBuffer(0, 1, 1);
  const uLoC = quadBuffer(1, 0, 0);
  const uHiC = quadBuffer(1, 1, 0);
  const nLoC = quadBuffer(1, 0, 1);
  const nHiC = quadBuffer(1, 1, 1);
  let x = f64x2.splat(x0);
  let v = f64x2.splat(v0);
  let sumZ = zero;
  let Xi = zero;
  let Vx = zero;
  let first = zero;
  let xC = x;
  let vC = v;
  let sumZC = zero;
  let XiC = zero;
  let VxC = zero;
  let firstC = zero;
  const dps = jumps ? 4 : 2;
  const draws = steps * dps;
  for (let base = 0; base < draws; base += <i32>CHUNK) {
    const left = draws - base;
    const n = left < <i32>CHUNK ? left : <i32>CHUNK;
    if (fill && jumps) quadFillHalves(pathA, pathB, pathC, pathD, <u32>base, <u32>n);
    else if (fill) quadFill(pathA, pathB, pathC, pathD, <u32>base, <u32>n);
    for (let i = 0; i < n; i += dps) {
      const o = <usize>i << 3;
      // Normals: at the draw index, or (jumps) compact, two a step.
      const on = jumps ? o >> 1 : o;
      const zv = v128.xor(lanesAt(nLo, nHi, on), sign);
      const zvC = v128.xor(lanesAt(nLoC, nHiC, on), sign);
      let vn = zero;
      let k0 = zero;
      let vnC = zero;
      let k0C = zero;
      let fullA = true;
      let fullC = true;
      let okA = zero;
      let okC = zero;
      if (quadraticFirst) {
        vn = qeQuadratic(v, zv);
        k0 = gK0;
        okA = gOk;
        fullA = !i64x2.all_true(okA);
        vnC = qeQuadratic(vC, zvC);
        k0C = gK0;
        okC = gOk;
        fullC = !i64x2.all_true(okC);
      }
      // A lane in the exponential branch or with an outlying log: that pair's step redone, the
      // exponential branch alone when the quadratic lanes stand.
      if (quadraticFirst && redo) {
        if (fullA) {
          vn = qeFallback(v, zv, vn, k0, okA, uLo, uHi, o, flip);
          k0 = gK0;
        }
        if (fullC) {
          vnC = qeFallback(vC, zvC, vnC, k0C, okC, uLoC, uHiC, o, flip);
          k0C = gK0;
        }
      } else if (!quadraticFirst) {
        vn = qeVariance(v, zv, uLo, uHi, o, flip);
        k0 = gK0;
        vnC = qeVariance(vC, zvC, uLoC, uHiC, o, flip);
        k0C = gK0;
      }
      const z = f64x2.add(v128.xor(lanesAt(nLo, nHi, on + 8), sign), c(C_MU));
      const sd = qeSd(v, vn);
      x = qeLogStep(x, k0, v, vn, sd, z);
      if (jumps) x = qeAddJumps(x, uLo, uHi, o, flip);
      // Without the redo (a bench bound, not the QE step) a lane can turn NaN: it keeps its v then.
      v = redo ? vn : v128.bitselect(vn, v, f64x2.eq(vn, vn));
      sumZ = f64x2.add(sumZ, z);
      Xi = f64x2.add(Xi, f64x2.mul(sd, z));
      Vx = f64x2.add(Vx, f64x2.mul(sd, sd));
      const zC = f64x2.add(v128.xor(lanesAt(nLoC, nHiC, on + 8), sign), c(C_MU));
      const sdC = qeSd(vC, vnC);
      xC = qeLogStep(xC, k0C, vC, vnC, sdC, zC);
      if (jumps) xC = qeAddJumps(xC, uLoC, uHiC, o, flip);
      vC = redo ? vnC : v128.bitselect(vnC, vC, f64x2.eq(vnC, vnC));
      sumZC = f64x2.add(sumZC, zC);
      XiC = f64x2.add(XiC, f64x2.mul(sdC, zC));
      VxC = f64x2.add(VxC, f64x2.mul(sdC, sdC));
      if (base == 0 && i == 0) {
        first = v128.and(f64x2.div(z, sd), f64x2.gt(sd, zero));
        firstC = v128.and(f64x2.div(zC, sdC), f64x2.gt(sdC, zero));
      }
    }
  }
  pairEnd(0, x, sumZ, Xi, Vx, zero, first);
  pairEnd(1, xC, sumZC, XiC, VxC, zero, firstC);
}

/**
 * The four-path kernel for models whose variance rarely goes near zero (2 kappa theta >= 0.4
 * sigma^2, mcShard decides): most steps are quadratic on all four lanes (the common case of
 * bench/montecarlo.mjs's model: 19% of four-lane steps have a lane in the exponential branch).
 */
export function hestonQePathQuadQuadraticFirst(
  pathA: u32, pathB: u32, pathC: u32, pathD: u32, flip: bool, steps: i32, x0: f64, v0: f64, mu: f64, theta: f64, E: f64,
  c1: f64, c2: f64, Acorr: f64, Kv: f64, K0: f64, K1: f64, K2: f64, K3: f64, K4: f64, hDrift: f64,
): void {
  qePathQuad(true, true, true, false, pathA, pathB, pathC, pathD, flip, steps, x0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
}

/** The four-path kernel for the other models (steps with an exponential-branch lane are common). */
export function hestonQePathQuad(
  pathA: u32, pathB: u32, pathC: u32, pathD: u32, flip: bool, steps: i32, x0: f64, v0: f64, mu: f64, theta: f64, E: f64,
  c1: f64, c2: f64, Acorr: f64, Kv: f64, K0: f64, K1: f64, K2: f64, K3: f64, K4: f64, hDrift: f64,
): void {
  qePathQuad(true, true, false, false, pathA, pathB, pathC, pathD, flip, steps, x0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
}

/** hestonQePathQuadQuadraticFirst for Bates (four draws a step, jumps from qeJumpConstants). */
export function batesQePathQuadQuadraticFirst(
  pathA: u32, pathB: u32, pathC: u32, pathD: u32, flip: bool, steps: i32, x0: f64, v0: f64, mu: f64, theta: f64, E: f64,
  c1: f64, c2: f64, Acorr: f64, Kv: f64, K0: f64, K1: f64, K2: f64, K3: f64, K4: f64, hDrift: f64,
): void {
  qePathQuad(true, true, true, true, pathA, pathB, pathC, pathD, flip, steps, x0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
}

/** hestonQePathQuad for Bates (four draws a step, jumps from qeJumpConstants). */
export function batesQePathQuad(
  pathA: u32, pathB: u32, pathC: u32, pathD: u32, flip: bool, steps: i32, x0: f64, v0: f64, mu: f64, theta: f64, E: f64,
  c1: f64, c2: f64, Acorr: f64, Kv: f64, K0: f64, K1: f64, K2: f64, K3: f64, K4: f64, hDrift: f64,
): void {
  qePathQuad(true, true, false, true, pathA, pathB, pathC, pathD, flip, steps, x0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
}

// The block kernel's scratch per lane pair: v; v', a, b^2 and the quadratic mask of the step's
// variance chain (qeChain); K0* of the exponential branch (pairs listed at this step only).
const BLK_V: usize = memory.data(BLOCK_PAIRS * 16, 16);
const BLK_VN: usize = memory.data(BLOCK_PAIRS * 16, 16);
const BLK_A: usize = memory.data(BLOCK_PAIRS * 16, 16);
const BLK_B2: usize = memory.data(BLOCK_PAIRS * 16, 16);
const BLK_QUAD: usize = memory.data(BLOCK_PAIRS * 16, 16);
const BLK_K0E: usize = memory.data(BLOCK_PAIRS * 16, 16);
/** The pairs of a step with a lane in the exponential branch (u8 indices; entries past the count are scratch). */
const BLK_LIST: usize = memory.data(BLOCK_PAIRS + 16, 16);

/**
 * The quadratic branch's v -> v' chain alone (qeQuadratic's operations up to v', with the step
 * constants passed in: a loop over pairs loads them once): returns v' (not v' on lanes outside
 * the quadratic branch) and stores the quadratic-branch mask (psi <= psi_c) at pQuad, a and b^2
 * at pA and pB2 (what qeCorrection needs).
 */
// @ts-ignore: decorator
@inline
export function qeChain(
  v: v128, zv: v128, one: v128, two: v128, theta2: v128, E: v128, c1: v128, c2: v128, psi: v128, pQuad: usize, pA: usize, pB2: usize,
): v128 {
  const m = f64x2.add(theta2, f64x2.mul(f64x2.sub(v, theta2), E));
  const s2 = f64x2.add(f64x2.mul(v, c1), c2);
  const m2 = f64x2.mul(m, m);
  v128.store(pQuad, f64x2.le(s2, f64x2.mul(psi, m2)));
  const t2 = f64x2.div(f64x2.mul(two, m2), s2);
  const b2 = f64x2.add(f64x2.sub(t2, one), f64x2.sqrt(f64x2.mul(t2, f64x2.sub(t2, one))));
  const a = f64x2.div(m, f64x2.add(one, b2));
  const bz = f64x2.add(f64x2.sqrt(b2), zv);
  v128.store(pA, a);
  v128.store(pB2, b2);
  return f64x2.mul(f64x2.mul(a, bz), bz);
}

/**
 * The quadratic branch's K0* from v and qeChain's a, b^2 (qeVariance's, on the lanes of `quad`:
 * the other lanes take log 1 and their value is not K0*): off the v -> v' chain.
 */
// @ts-ignore: decorator
@inline
export function qeCorrection(v: v128, a: v128, b2: v128, quad: v128): v128 {
  const one = c(C_ONE);
  const y = f64x2.mul(c(C_TWO_A), a);
  const d = f64x2.sub(one, y);
  // Lanes outside the quadratic branch take y = 0, d = 1: the fast log, whatever their a.
  const logD = qeLogD(v128.and(y, quad), v128.bitselect(d, one, quad));
  return qeK0(a, b2, d, logD, f64x2.mul(c(C_KV), v));
}

// @ts-ignore: decorator
@inline
function field(k: i32, f: i32): usize {
  return pairEndAt(k) + (<usize>f << 4);
}

/**
 * BLOCK_PATHS paths stepped step-major: paths path0 + k (k < BLOCK_PATHS, lanes of pair p: paths
 * 2p and 2p + 1), or with `flip` BLOCK_PAIRS Philox paths each with its mirror in lane 1; step
 * constants as hestonQePathPair. End state: pair-draws.ts's pairs 0..BLOCK_PAIRS - 1; the sums of
 * z, sd z, sd^2 and z_1 / sd_1 only with `scores` (0 otherwise: mcShard reads them for the
 * importance-sampling weight and the likelihood-ratio delta, not for a plain European payoff).
 */
export function hestonQePathBlock(
  scores: bool, path0: u32, flip: bool, steps: i32, x0: f64, v0: f64, mu: f64, theta: f64, E: f64,
  c1: f64, c2: f64, Acorr: f64, Kv: f64, K0: f64, K1: f64, K2: f64, K3: f64, K4: f64, hDrift: f64,
): void {
  if (scores) qeBlock(true, true, path0, flip, steps, x0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
  else qeBlock(true, false, path0, flip, steps, x0, v0, mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
}

/**
 * hestonQePathBlock; without `fill` on the draws already in the block buffer (bench/heston-qe/probe.ts).
 * Each step: pass 1 runs the quadratic branch's v -> v' chain (qeChain) on every pair (the pairs
 * are independent, so their chains overlap: no branch, and only the chain's operations between
 * one pair's and the next's), listing branch-free the pairs with a lane in the exponential branch
 * (known early in the chain); pass 2 computes the exponential branch of the listed pairs; pass 3
 * the martingale correction K0* (qeCorrection) and the log step of every pair. Each lane does
 * qeVariance's operations on its own draws, so the bits are the four-path kernels'.
 */
// @ts-ignore: decorator
@inline
export function qeBlock(
  fill: bool, scores: bool, path0: u32, flip: bool, steps: i32, x0: f64, v0: f64, mu: f64, theta: f64, E: f64,
  c1: f64, c2: f64, Acorr: f64, Kv: f64, K0: f64, K1: f64, K2: f64, K3: f64, K4: f64, hDrift: f64,
): void {
  qeConstants(mu, theta, E, c1, c2, Acorr, Kv, K0, K1, K2, K3, K4, hDrift);
  const zero = f64x2.splat(0.0);
  const sign = flip ? i64x2(0, 0x8000000000000000) : zero;
  const pairStride: usize = flip ? BLOCK_PATH_BYTES : BLOCK_PATH_BYTES << 1;
  const laneOff: usize = flip ? 0 : BLOCK_PATH_BYTES;
  const nOff: usize = <usize>BLOCK_DRAWS << 3;
  const xs = f64x2.splat(x0);
  const vs = f64x2.splat(v0);
  for (let p = 0; p < BLOCK_PAIRS; ++p) {
    v128.store(field(p, END_X), xs);
    v128.store(field(p, END_SUM_Z), zero);
    v128.store(field(p, END_XI), zero);
    v128.store(field(p, END_VX), zero);
    v128.store(field(p, END_W), zero);
    v128.store(field(p, END_FIRST), zero);
    v128.store(BLK_V + (<usize>p << 4), vs);
  }
  const draws = steps << 1;
  for (let base = 0; base < draws; base += <i32>BLOCK_DRAWS) {
    const left = draws - base;
    const n = left < <i32>BLOCK_DRAWS ? left : <i32>BLOCK_DRAWS;
    if (fill) blockFill(path0, flip, <u32>base, <u32>n);
    for (let i = 0; i < n; i += 2) {
      const o = <usize>i << 3;
      // Pass 1: the variance chains.
      let nf: i32 = 0;
      let pd = BLOCK_BUF + nOff;
      const kOne = c(C_ONE), kTwo = c(C_TWO), kTheta = c(C_THETA), kE = c(C_E), kC1 = c(C_C1), kC2 = c(C_C2), kPsi = c(C_PSI);
      for (let p = 0; p < BLOCK_PAIRS; ++p) {
        const q = <usize>p << 4;
        const zv = v128.xor(lanesAt(pd, pd + laneOff, o), sign);
        v128.store(BLK_VN + q, qeChain(v128.load(BLK_V + q), zv, kOne, kTwo, kTheta, kE, kC1, kC2, kPsi, BLK_QUAD + q, BLK_A + q, BLK_B2 + q));
        store<u8>(BLK_LIST + <usize>nf, <u8>p);
        nf += 1 - <i32>i64x2.all_true(v128.load(BLK_QUAD + q));
        pd += pairStride;
      }
      // Pass 2: the exponential branch of the listed pairs.
      for (let f = 0; f < nf; ++f) {
        const p = <i32>load<u8>(BLK_LIST + <usize>f);
        const q = <usize>p << 4;
        const uLo = BLOCK_BUF + <usize>p * pairStride;
        const v = v128.load(BLK_V + q);
        const quad = v128.load(BLK_QUAD + q);
        const theta2 = c(C_THETA);
        const m = f64x2.add(theta2, f64x2.mul(f64x2.sub(v, theta2), c(C_E)));
        const s2 = f64x2.add(f64x2.mul(v, c(C_C1)), c(C_C2));
        const vnE = qeExponential(m, s2, f64x2.mul(m, m), f64x2.mul(c(C_KV), v), quad, uLo, uLo + laneOff, o, flip);
        v128.store(BLK_VN + q, v128.bitselect(v128.load(BLK_VN + q), vnE, quad));
        v128.store(BLK_K0E + q, gK0);
      }
      // Pass 3: K0* and the log step of every pair.
      const firstStep = base == 0 && i == 0;
      pd = BLOCK_BUF + nOff;
      for (let p = 0; p < BLOCK_PAIRS; ++p) {
        const q = <usize>p << 4;
        const st = pairEndAt(p);
        const v = v128.load(BLK_V + q);
        const vn = v128.load(BLK_VN + q);
        const quad = v128.load(BLK_QUAD + q);
        const k0 = v128.bitselect(qeCorrection(v, v128.load(BLK_A + q), v128.load(BLK_B2 + q), quad), v128.load(BLK_K0E + q), quad);
        const z = f64x2.add(v128.xor(lanesAt(pd, pd + laneOff, o + 8), sign), c(C_MU));
        const sd = qeSd(v, vn);
        v128.store(st, qeLogStep(v128.load(st), k0, v, vn, sd, z));
        v128.store(BLK_V + q, vn);
        if (scores) {
          v128.store(st, f64x2.add(v128.load(st, 16), z), 16);
          v128.store(st, f64x2.add(v128.load(st, 32), f64x2.mul(sd, z)), 32);
          v128.store(st, f64x2.add(v128.load(st, 48), f64x2.mul(sd, sd)), 48);
          if (firstStep) v128.store(st, v128.and(f64x2.div(z, sd), f64x2.gt(sd, zero)), 80);
        }
        pd += pairStride;
      }
    }
  }
}
