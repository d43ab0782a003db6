// Inverse of the standard normal distribution function, Phi^{-1}(p).
//
// M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution",
// Applied Statistics 37 (1988) 477-484, routine PPND16: three rational approximations of degree
// 7/7, one for |p - 1/2| <= 0.425 in (p - 1/2)^2 and two for the tails in r = sqrt(-ln(min(p, 1-p))),
// split at r = 5. Coefficients checked against two independent public transcriptions (CPython's
// statistics.NormalDist.inv_cdf and J. Burkardt's ASA241) and against the coefficient "hash sums"
// printed with the algorithm; test/inverse-normal.test.ts compares the results with mpmath.
//
// In the tails one Halley step on Phi(x) = q (q = min(p, 1-p), formed exactly since 1 - p is exact
// for p >= 1/2) with Cody's normalCdf, which is accurate in relative terms for x < 0, takes the
// result from AS 241's ~1e-16 to ~1 ulp. In the central region the residual Phi(x) - p would
// lose the digits of p - 1/2 to cancellation, so AS 241's value is returned as is.
// The logarithm of the tails and the exponential of the Halley step are the shared elementary
// functions (./elementary.ts), not Math.log / Math.exp, so that both backends give the same bits.
// Mirrored line for line in src/kernels/math/inverse-normal.ts.

import { exp, log } from "./elementary";
import { logTableX2 } from "./f64x2-elementary";
import { normalCdfGivenPdf, normalCdfOverPdf, normalPdf } from "./normal-distribution";


/**
 * Phi(z) with the shared exp: Cody's normalCdf as normalCdfGivenPdf(z, normalPdf(z)), bit for
 * bit the same on both backends (within an ulp or two of normalCdf, whose tail skips the
 * 1/sqrt(2 pi) sqrt(2 pi) round trip).
 */
export function normalCdfShared(z: f64): f64 {
  return normalCdfGivenPdf(z, normalPdf(z));
}

const SPLIT_CENTRAL: f64 = 0.425;
const SPLIT_TAIL: f64 = 5.0;

// Phi^{-1}(1/2 + q) for |q| <= 0.425, as q * A(r)/B(r) with r = 0.180625 - q^2.
// @ts-ignore: decorator
@inline
function centralQuantile(q: f64): f64 {
  const r = 0.180625 - q * q;
  let num = 2.5090809287301226727e+3;
  num = num * r + 3.3430575583588128105e+4;
  num = num * r + 6.7265770927008700853e+4;
  num = num * r + 4.5921953931549871457e+4;
  num = num * r + 1.3731693765509461125e+4;
  num = num * r + 1.9715909503065514427e+3;
  num = num * r + 1.3314166789178437745e+2;
  num = num * r + 3.3871328727963666080e+0;
  let den = 5.2264952788528545610e+3;
  den = den * r + 2.8729085735721942674e+4;
  den = den * r + 3.9307895800092710610e+4;
  den = den * r + 2.1213794301586595867e+4;
  den = den * r + 5.3941960214247511077e+3;
  den = den * r + 6.8718700749205790830e+2;
  den = den * r + 4.2313330701600911252e+1;
  den = den * r + 1.0;
  return q * num / den;
}

// The tail rationals' coefficients (r <= 5: numerator then denominator, highest degree first;
// then r > 5), loaded from memory: V8 rebuilds every f64.const from a general register at each
// use, a load is one instruction. Same values, same results.
const TAIL: usize = memory.data<f64>([
  7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1, 1.27045825245236838258e+0,
  3.64784832476320460504e+0, 5.76949722146069140550e+0, 4.63033784615654529590e+0, 1.42343711074968357734e+0,
  1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2, 1.48103976427480074590e-1,
  6.89767334985100004550e-1, 1.67638483018380384940e+0, 2.05319162663775882187e+0, 1.0,
  2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3, 2.65321895265761230930e-2,
  2.96560571828504891230e-1, 1.78482653991729133580e+0, 5.46378491116411436990e+0, 6.65790464350110377720e+0,
  2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5, 7.86869131145613259100e-4,
  1.48753612908506148525e-2, 1.36929880922735805310e-1, 5.99832206555887937690e-1, 1.0,
], 16);

// @ts-ignore: decorator
@inline
function tc(i: i32): f64 {
  return load<f64>(TAIL + (<usize>i << 3));
}

// -Phi^{-1}(q) > 0 for 0 < q < 0.075 (so r = sqrt(-ln q) > 1.6).
// @ts-ignore: decorator
@inline
function tailQuantile(q: f64): f64 {
  let r = Math.sqrt(-log(q));
  let o = 0;
  if (r <= SPLIT_TAIL) {
    r -= 1.6;
  } else {
    r -= SPLIT_TAIL;
    o = 16;
  }
  let num = tc(o);
  num = num * r + tc(o + 1);
  num = num * r + tc(o + 2);
  num = num * r + tc(o + 3);
  num = num * r + tc(o + 4);
  num = num * r + tc(o + 5);
  num = num * r + tc(o + 6);
  num = num * r + tc(o + 7);
  let den = tc(o + 8);
  den = den * r + tc(o + 9);
  den = den * r + tc(o + 10);
  den = den * r + tc(o + 11);
  den = den * r + tc(o + 12);
  den = den * r + tc(o + 13);
  den = den * r + tc(o + 14);
  den = den * r + tc(o + 15);
  return num / den;
}

/**
 * Inverse standard normal distribution function: the x with Phi(x) = p.
 * Relative error about 1 ulp in the tails (p < 0.075 or p > 0.925) and below 2e-16 in the centre.
 * p <= 0 gives -Infinity, p >= 1 gives +Infinity, NaN gives NaN.
 */
export function inverseNormalCdf(p: f64): f64 {
  if (p != p) return p;
  if (p <= 0.0) return -Infinity;
  if (p >= 1.0) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= SPLIT_CENTRAL) return centralQuantile(q);
  const tail = q < 0.0 ? p : 1.0 - p;
  let x = -tailQuantile(tail);
  // Halley: u = (Phi(x) - tail)/phi(x), x -= u / (1 + x u / 2).
  const u = normalCdfOverPdf(x) - tail / normalPdf(x);
  x -= u / (1.0 + 0.5 * x * u);
  return q < 0.0 ? x : -x;
}

/**
 * AS 241 alone (no Halley step, no normalCdf call), for Monte Carlo path generation: relative
 * error within 8 ulps in the tails (measured 6.5 ulps, 7e-16; test/inverse-normal.test.ts) and the same value as inverseNormalCdf in the centre
 * (|p - 1/2| <= 0.425, where the two are the same code). Exactly odd about 1/2 where 1 - p is exact.
 * p <= 0 gives -Infinity, p >= 1 gives +Infinity, NaN gives NaN.
 */
export function inverseNormalCdfFast(p: f64): f64 {
  if (p != p) return p;
  if (p <= 0.0) return -Infinity;
  if (p >= 1.0) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= SPLIT_CENTRAL) return centralQuantile(q);
  const x = tailQuantile(q < 0.0 ? p : 1.0 - p);
  return q < 0.0 ? -x : x;
}

/** The tail branch of inverseNormalCdfFast for p in (0, 1) with |p - 1/2| > 0.425 (scalar fallback of SIMD callers). */
export function inverseNormalTailFast(p: f64): f64 {
  const q = p - 0.5;
  const x = tailQuantile(q < 0.0 ? p : 1.0 - p);
  return q < 0.0 ? -x : x;
}

/**
 * The central rational's constants as f64x2 pairs (0.180625, then the numerator and denominator
 * coefficients, highest degree first): loaded from memory, which V8 turns into one load per use,
 * where a v128.const in the loop is rebuilt from general registers every time.
 */
const CENTRAL_X2: usize = memory.data<f64>([
  0.180625, 0.180625,
  2.5090809287301226727e+3, 2.5090809287301226727e+3,
  3.3430575583588128105e+4, 3.3430575583588128105e+4,
  6.7265770927008700853e+4, 6.7265770927008700853e+4,
  4.5921953931549871457e+4, 4.5921953931549871457e+4,
  1.3731693765509461125e+4, 1.3731693765509461125e+4,
  1.9715909503065514427e+3, 1.9715909503065514427e+3,
  1.3314166789178437745e+2, 1.3314166789178437745e+2,
  3.3871328727963666080e+0, 3.3871328727963666080e+0,
  5.2264952788528545610e+3, 5.2264952788528545610e+3,
  2.8729085735721942674e+4, 2.8729085735721942674e+4,
  3.9307895800092710610e+4, 3.9307895800092710610e+4,
  2.1213794301586595867e+4, 2.1213794301586595867e+4,
  5.3941960214247511077e+3, 5.3941960214247511077e+3,
  6.8718700749205790830e+2, 6.8718700749205790830e+2,
  4.2313330701600911252e+1, 4.2313330701600911252e+1,
  1.0, 1.0,
], 16);

// @ts-ignore: decorator
@inline
function cx2(i: i32): v128 {
  return v128.load(CENTRAL_X2 + (<usize>i << 4));
}

/**
 * The central rational of AS 241 on two lanes: Phi^{-1}(1/2 + q) for q = p - 1/2 in each lane,
 * exact only where |q| <= 0.425 (tail lanes give garbage the caller replaces). The same operations
 * in the same order as centralQuantile (WASM SIMD has no fused multiply-add), so each lane is bit
 * for bit the scalar result.
 */
// @ts-ignore: decorator
@inline
export function centralQuantileX2(q: v128): v128 {
  const r = f64x2.sub(cx2(0), f64x2.mul(q, q));
  let num = cx2(1);
  num = f64x2.add(f64x2.mul(num, r), cx2(2));
  num = f64x2.add(f64x2.mul(num, r), cx2(3));
  num = f64x2.add(f64x2.mul(num, r), cx2(4));
  num = f64x2.add(f64x2.mul(num, r), cx2(5));
  num = f64x2.add(f64x2.mul(num, r), cx2(6));
  num = f64x2.add(f64x2.mul(num, r), cx2(7));
  num = f64x2.add(f64x2.mul(num, r), cx2(8));
  let den = cx2(9);
  den = f64x2.add(f64x2.mul(den, r), cx2(10));
  den = f64x2.add(f64x2.mul(den, r), cx2(11));
  den = f64x2.add(f64x2.mul(den, r), cx2(12));
  den = f64x2.add(f64x2.mul(den, r), cx2(13));
  den = f64x2.add(f64x2.mul(den, r), cx2(14));
  den = f64x2.add(f64x2.mul(den, r), cx2(15));
  den = f64x2.add(f64x2.mul(den, r), cx2(16));
  return f64x2.div(f64x2.mul(q, num), den);
}

// One Horner step of num or den: a r + coefficient i.
// @ts-ignore: decorator
@inline
function hornerX2(a: v128, r: v128, i: i32): v128 {
  return f64x2.add(f64x2.mul(a, r), cx2(i));
}

/**
 * centralQuantileX2 of the eight uniforms at pU (four f64x2, 16-byte aligned) into pOut, and
 * the tail lanes (|u - 1/2| > 0.425) as a bit mask (bit k: uniform k). The four rationals run
 * side by side: one is a chain of 16 dependent multiply-adds and a division (about 70 cycles),
 * so written one after another the out-of-order window holds only two or three of them; in step
 * they fill the floating-point pipes. Each lane's operations and their order are
 * centralQuantileX2's, so are its bits.
 */
// @ts-ignore: decorator
@inline
export function centralQuantilesX8(pU: usize, pOut: usize): u32 {
  const half = f64x2.splat(0.5);
  const qa = f64x2.sub(v128.load(pU), half);
  const qb = f64x2.sub(v128.load(pU, 16), half);
  const qc = f64x2.sub(v128.load(pU, 32), half);
  const qd = f64x2.sub(v128.load(pU, 48), half);
  const ra = f64x2.sub(cx2(0), f64x2.mul(qa, qa));
  const rb = f64x2.sub(cx2(0), f64x2.mul(qb, qb));
  const rc = f64x2.sub(cx2(0), f64x2.mul(qc, qc));
  const rd = f64x2.sub(cx2(0), f64x2.mul(qd, qd));
  let na = hornerX2(cx2(1), ra, 2);
  let nb = hornerX2(cx2(1), rb, 2);
  let nc = hornerX2(cx2(1), rc, 2);
  let nd = hornerX2(cx2(1), rd, 2);
  let da = hornerX2(cx2(9), ra, 10);
  let db = hornerX2(cx2(9), rb, 10);
  let dc = hornerX2(cx2(9), rc, 10);
  let dd = hornerX2(cx2(9), rd, 10);
  na = hornerX2(na, ra, 3); nb = hornerX2(nb, rb, 3); nc = hornerX2(nc, rc, 3); nd = hornerX2(nd, rd, 3);
  da = hornerX2(da, ra, 11); db = hornerX2(db, rb, 11); dc = hornerX2(dc, rc, 11); dd = hornerX2(dd, rd, 11);
  na = hornerX2(na, ra, 4); nb = hornerX2(nb, rb, 4); nc = hornerX2(nc, rc, 4); nd = hornerX2(nd, rd, 4);
  da = hornerX2(da, ra, 12); db = hornerX2(db, rb, 12); dc = hornerX2(dc, rc, 12); dd = hornerX2(dd, rd, 12);
  na = hornerX2(na, ra, 5); nb = hornerX2(nb, rb, 5); nc = hornerX2(nc, rc, 5); nd = hornerX2(nd, rd, 5);
  da = hornerX2(da, ra, 13); db = hornerX2(db, rb, 13); dc = hornerX2(dc, rc, 13); dd = hornerX2(dd, rd, 13);
  na = hornerX2(na, ra, 6); nb = hornerX2(nb, rb, 6); nc = hornerX2(nc, rc, 6); nd = hornerX2(nd, rd, 6);
  da = hornerX2(da, ra, 14); db = hornerX2(db, rb, 14); dc = hornerX2(dc, rc, 14); dd = hornerX2(dd, rd, 14);
  na = hornerX2(na, ra, 7); nb = hornerX2(nb, rb, 7); nc = hornerX2(nc, rc, 7); nd = hornerX2(nd, rd, 7);
  da = hornerX2(da, ra, 15); db = hornerX2(db, rb, 15); dc = hornerX2(dc, rc, 15); dd = hornerX2(dd, rd, 15);
  na = hornerX2(na, ra, 8); nb = hornerX2(nb, rb, 8); nc = hornerX2(nc, rc, 8); nd = hornerX2(nd, rd, 8);
  da = hornerX2(da, ra, 16); db = hornerX2(db, rb, 16); dc = hornerX2(dc, rc, 16); dd = hornerX2(dd, rd, 16);
  v128.store(pOut, f64x2.div(f64x2.mul(qa, na), da));
  v128.store(pOut, f64x2.div(f64x2.mul(qb, nb), db), 16);
  v128.store(pOut, f64x2.div(f64x2.mul(qc, nc), dc), 32);
  v128.store(pOut, f64x2.div(f64x2.mul(qd, nd), dd), 48);
  const lim = f64x2.splat(SPLIT_CENTRAL);
  return <u32>i64x2.bitmask(f64x2.gt(f64x2.abs(qa), lim))
    | (<u32>i64x2.bitmask(f64x2.gt(f64x2.abs(qb), lim)) << 2)
    | (<u32>i64x2.bitmask(f64x2.gt(f64x2.abs(qc), lim)) << 4)
    | (<u32>i64x2.bitmask(f64x2.gt(f64x2.abs(qd), lim)) << 6);
}

/** The r <= 5 tail rational's constants as f64x2 pairs (1.6, then TAIL[0..15]), as CENTRAL_X2. */
const TAIL_X2: usize = memory.data<f64>([
  1.6, 1.6,
  7.74545014278341407640e-4, 7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.27238449892691845833e-2,
  2.41780725177450611770e-1, 2.41780725177450611770e-1, 1.27045825245236838258e+0, 1.27045825245236838258e+0,
  3.64784832476320460504e+0, 3.64784832476320460504e+0, 5.76949722146069140550e+0, 5.76949722146069140550e+0,
  4.63033784615654529590e+0, 4.63033784615654529590e+0, 1.42343711074968357734e+0, 1.42343711074968357734e+0,
  1.05075007164441684324e-9, 1.05075007164441684324e-9, 5.47593808499534494600e-4, 5.47593808499534494600e-4,
  1.51986665636164571966e-2, 1.51986665636164571966e-2, 1.48103976427480074590e-1, 1.48103976427480074590e-1,
  6.89767334985100004550e-1, 6.89767334985100004550e-1, 1.67638483018380384940e+0, 1.67638483018380384940e+0,
  2.05319162663775882187e+0, 2.05319162663775882187e+0, 1.0, 1.0,
], 16);

// @ts-ignore: decorator
@inline
function tx2(i: i32): v128 {
  return v128.load(TAIL_X2 + (<usize>i << 4));
}

// One Horner step of the tail rational: a r + coefficient i.
// @ts-ignore: decorator
@inline
function tailHorner(a: v128, r: v128, i: i32): v128 {
  return f64x2.add(f64x2.mul(a, r), tx2(i));
}

// r = sqrt(-ln q) of the listed tails takes logTableX2 (math/f64x2-elementary.ts), logX2's table
// branch alone: the tail probabilities q of inverseNormalTailsListed lie in [2^-53, 0.075], positive
// normal numbers below logX2's near-one interval, where logX2 (hence the shared scalar log) is
// exactly that sequence; without logX2's three range tests and branches the pass over the tails is
// one straight-line loop body.

/** Scratch of inverseNormalTailsListed: r = sqrt(-ln q) of up to TAIL_BLOCK listed draws. */
// @ts-ignore: decorator
@inline
const TAIL_BLOCK: u32 = 256;
const TAIL_R: usize = memory.data(<i32>TAIL_BLOCK * 8, 16);

/**
 * inverseNormalTailFast of the uniforms at pU + 8 i for the `count` indices i listed as u16 at
 * pIdx, written to pOut + 8 i; the uniforms are Philox draws, in [2^-53, 1 - 2^-53] (so the
 * tail probability is a normal number). Two listed draws at a time, without branches on the
 * draws (a mispredicted branch per draw cost more than the arithmetic), in two passes over blocks
 * of up to 256 draws (one loop would be one long dependency chain): the tail probability q = p or
 * 1 - p chosen by a mask, r = sqrt(-ln q) with logTableX2 (logX2's table branch, which is where
 * logX2 takes these q: lane for lane the shared scalar log) and the vector square root, then the
 * r <= 5 rational on f64x2 in the scalar order, two pairs side by side, and the sign of p - 1/2
 * moved onto the result (an exact negation); so each lane is bit for bit inverseNormalTailFast.
 * A pair with a lane beyond r = 5 (p < 1.4e-11) is done in scalar code.
 */
export function inverseNormalTailsListed(count: u32, pIdx: usize, pU: usize, pOut: usize): void {
  const half = f64x2.splat(0.5);
  const one = f64x2.splat(1.0);
  const signBit = i64x2.splat(0x8000000000000000);
  const pairs = count & ~1;
  for (let t0: u32 = 0; t0 < pairs; t0 += TAIL_BLOCK) {
    const end = t0 + TAIL_BLOCK < pairs ? t0 + TAIL_BLOCK : pairs;
    // Pass 1: r = sqrt(-ln q) of the block (a short loop body, so several iterations overlap).
    let t = t0;
    for (; t + 4 <= end; t += 4) {
      const pi = pIdx + (<usize>t << 1);
      const oa = <usize>load<u16>(pi) << 3;
      const ob = <usize>load<u16>(pi, 2) << 3;
      const oc = <usize>load<u16>(pi, 4) << 3;
      const od = <usize>load<u16>(pi, 6) << 3;
      const p = v128.load64_lane(pU + ob, v128.load64_zero(pU + oa), 1);
      const pS = v128.load64_lane(pU + od, v128.load64_zero(pU + oc), 1);
      const lower = f64x2.lt(f64x2.sub(p, half), f64x2.splat(0.0));
      const lowerS = f64x2.lt(f64x2.sub(pS, half), f64x2.splat(0.0));
      const l = logTableX2(v128.bitselect(p, f64x2.sub(one, p), lower));
      const lS = logTableX2(v128.bitselect(pS, f64x2.sub(one, pS), lowerS));
      v128.store(TAIL_R + (<usize>(t - t0) << 3), f64x2.sqrt(f64x2.neg(l)));
      v128.store(TAIL_R + (<usize>(t - t0) << 3), f64x2.sqrt(f64x2.neg(lS)), 16);
    }
    for (; t < end; t += 2) {
      const oa = <usize>load<u16>(pIdx + (<usize>t << 1)) << 3;
      const ob = <usize>load<u16>(pIdx + (<usize>t << 1), 2) << 3;
      const p = v128.load64_lane(pU + ob, v128.load64_zero(pU + oa), 1);
      const lower = f64x2.lt(f64x2.sub(p, half), f64x2.splat(0.0));
      v128.store(TAIL_R + (<usize>(t - t0) << 3), f64x2.sqrt(f64x2.neg(logTableX2(v128.bitselect(p, f64x2.sub(one, p), lower)))));
    }
    // Pass 2: the rational, and the sign of p - 1/2, two pairs side by side (as centralQuantilesX8).
    t = t0;
    for (; t + 4 <= end; t += 4) {
      const pi = pIdx + (<usize>t << 1);
      const oa = <usize>load<u16>(pi) << 3;
      const ob = <usize>load<u16>(pi, 2) << 3;
      const oc = <usize>load<u16>(pi, 4) << 3;
      const od = <usize>load<u16>(pi, 6) << 3;
      let r = v128.load(TAIL_R + (<usize>(t - t0) << 3));
      let s = v128.load(TAIL_R + (<usize>(t - t0) << 3), 16);
      if (v128.any_true(v128.or(f64x2.gt(r, f64x2.splat(SPLIT_TAIL)), f64x2.gt(s, f64x2.splat(SPLIT_TAIL))))) {
        store<f64>(pOut + oa, inverseNormalTailFast(load<f64>(pU + oa)));
        store<f64>(pOut + ob, inverseNormalTailFast(load<f64>(pU + ob)));
        store<f64>(pOut + oc, inverseNormalTailFast(load<f64>(pU + oc)));
        store<f64>(pOut + od, inverseNormalTailFast(load<f64>(pU + od)));
        continue;
      }
      r = f64x2.sub(r, tx2(0));
      s = f64x2.sub(s, tx2(0));
      let num = tailHorner(tx2(1), r, 2);
      let numS = tailHorner(tx2(1), s, 2);
      let den = tailHorner(tx2(9), r, 10);
      let denS = tailHorner(tx2(9), s, 10);
      num = tailHorner(num, r, 3); numS = tailHorner(numS, s, 3);
      den = tailHorner(den, r, 11); denS = tailHorner(denS, s, 11);
      num = tailHorner(num, r, 4); numS = tailHorner(numS, s, 4);
      den = tailHorner(den, r, 12); denS = tailHorner(denS, s, 12);
      num = tailHorner(num, r, 5); numS = tailHorner(numS, s, 5);
      den = tailHorner(den, r, 13); denS = tailHorner(denS, s, 13);
      num = tailHorner(num, r, 6); numS = tailHorner(numS, s, 6);
      den = tailHorner(den, r, 14); denS = tailHorner(denS, s, 14);
      num = tailHorner(num, r, 7); numS = tailHorner(numS, s, 7);
      den = tailHorner(den, r, 15); denS = tailHorner(denS, s, 15);
      num = tailHorner(num, r, 8); numS = tailHorner(numS, s, 8);
      den = tailHorner(den, r, 16); denS = tailHorner(denS, s, 16);
      // q < 0 (a lower tail) negates the quantile: its sign bit is q's (q is never 0 or NaN here).
      const q = f64x2.sub(v128.load64_lane(pU + ob, v128.load64_zero(pU + oa), 1), half);
      const qS = f64x2.sub(v128.load64_lane(pU + od, v128.load64_zero(pU + oc), 1), half);
      const x = v128.xor(f64x2.div(num, den), v128.and(q, signBit));
      const xS = v128.xor(f64x2.div(numS, denS), v128.and(qS, signBit));
      v128.store64_lane(pOut + oa, x, 0);
      v128.store64_lane(pOut + ob, x, 1);
      v128.store64_lane(pOut + oc, xS, 0);
      v128.store64_lane(pOut + od, xS, 1);
    }
    for (; t < end; t += 2) {
      const oa = <usize>load<u16>(pIdx + (<usize>t << 1)) << 3;
      const ob = <usize>load<u16>(pIdx + (<usize>t << 1), 2) << 3;
      let r = v128.load(TAIL_R + (<usize>(t - t0) << 3));
      if (v128.any_true(f64x2.gt(r, f64x2.splat(SPLIT_TAIL)))) {
        store<f64>(pOut + oa, inverseNormalTailFast(load<f64>(pU + oa)));
        store<f64>(pOut + ob, inverseNormalTailFast(load<f64>(pU + ob)));
        continue;
      }
      const q = f64x2.sub(v128.load64_lane(pU + ob, v128.load64_zero(pU + oa), 1), half);
      r = f64x2.sub(r, tx2(0));
      let num = tx2(1);
      num = f64x2.add(f64x2.mul(num, r), tx2(2));
      num = f64x2.add(f64x2.mul(num, r), tx2(3));
      num = f64x2.add(f64x2.mul(num, r), tx2(4));
      num = f64x2.add(f64x2.mul(num, r), tx2(5));
      num = f64x2.add(f64x2.mul(num, r), tx2(6));
      num = f64x2.add(f64x2.mul(num, r), tx2(7));
      num = f64x2.add(f64x2.mul(num, r), tx2(8));
      let den = tx2(9);
      den = f64x2.add(f64x2.mul(den, r), tx2(10));
      den = f64x2.add(f64x2.mul(den, r), tx2(11));
      den = f64x2.add(f64x2.mul(den, r), tx2(12));
      den = f64x2.add(f64x2.mul(den, r), tx2(13));
      den = f64x2.add(f64x2.mul(den, r), tx2(14));
      den = f64x2.add(f64x2.mul(den, r), tx2(15));
      den = f64x2.add(f64x2.mul(den, r), tx2(16));
      // q < 0 (a lower tail) negates the quantile: its sign bit is q's (q is never 0 or NaN here).
      const x = v128.xor(f64x2.div(num, den), v128.and(q, signBit));
      v128.store64_lane(pOut + oa, x, 0);
      v128.store64_lane(pOut + ob, x, 1);
    }
  }
  if (pairs < count) {
    const o = <usize>load<u16>(pIdx + (<usize>pairs << 1)) << 3;
    store<f64>(pOut + o, inverseNormalTailFast(load<f64>(pU + o)));
  }
}
