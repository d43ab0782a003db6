// Standard normal density and distribution function on two doubles at once (f64x2): lane for lane
// the operations of normal-distribution.ts (Cody's ANORM rationals, the compensated exp(-y^2/2)),
// so each lane is bit-identical to the scalar function and has its accuracy (see that file and
// f64x2-elementary.ts for why lane-wise IEEE operations give the scalar's bits). Branches become
// masks: each region's formula is evaluated only when some lane is in it, then selected per lane;
// exp(-y^2/2) for y >= 32 (exp's subnormal range and beyond) goes to the scalar routine per lane.

import { expX2, expX2InRange, logX2, log1pSmallX2 } from "./f64x2-elementary";
import { expMinusHalfSquare } from "./normal-distribution";
import { centralQuantileX2, inverseNormalCdfFast } from "./inverse-normal";


// Every constant of this file, each twice (one v128 per constant), indexed by kc(i): V8 rebuilds
// a v128.const from general registers at each use, a load is one instruction.
const KX2: usize = memory.data<f64>([
  32.0, 32.0,
  134217729.0, 134217729.0,
  2.0, 2.0,
  -0.5, -0.5,
  1.0, 1.0,
  0.5, 0.5,
  0.398942280401432677939946059934, 0.398942280401432677939946059934,
  1.1102230246251565e-16, 1.1102230246251565e-16,
  0.065682337918207449113, 0.065682337918207449113,
  2.2352520354606839287, 2.2352520354606839287,
  47.20258190468824187, 47.20258190468824187,
  161.02823106855587881, 161.02823106855587881,
  976.09855173777669322, 976.09855173777669322,
  1067.6894854603709582, 1067.6894854603709582,
  10260.932208618978205, 10260.932208618978205,
  18154.981253343561249, 18154.981253343561249,
  45507.789335026729956, 45507.789335026729956,
  1.0765576773720192317e-8, 1.0765576773720192317e-8,
  0.39894151208813466764, 0.39894151208813466764,
  22.266688044328115691, 22.266688044328115691,
  8.8831497943883759412, 8.8831497943883759412,
  235.38790178262499861, 235.38790178262499861,
  93.506656132177855979, 93.506656132177855979,
  1519.377599407554805, 1519.377599407554805,
  597.27027639480026226, 597.27027639480026226,
  6485.558298266760755, 6485.558298266760755,
  2494.5375852903726711, 2494.5375852903726711,
  18615.571640885098091, 18615.571640885098091,
  6848.1904505362823326, 6848.1904505362823326,
  34900.952721145977266, 34900.952721145977266,
  11602.651437647350124, 11602.651437647350124,
  38912.003286093271411, 38912.003286093271411,
  9842.7148383839780218, 9842.7148383839780218,
  19685.429676859990727, 19685.429676859990727,
  0.02307344176494017303, 0.02307344176494017303,
  0.21589853405795699, 0.21589853405795699,
  1.28426009614491121, 1.28426009614491121,
  0.1274011611602473639, 0.1274011611602473639,
  0.468238212480865118, 0.468238212480865118,
  0.022235277870649807, 0.022235277870649807,
  0.0659881378689285515, 0.0659881378689285515,
  0.001421619193227893466, 0.001421619193227893466,
  0.00378239633202758244, 0.00378239633202758244,
  2.9112874951168792e-5, 2.9112874951168792e-5,
  7.29751555083966205e-5, 7.29751555083966205e-5,
  5.65685424949238019520675489684, 5.65685424949238019520675489684,
  0.66291, 0.66291, // NORMAL_CENTRAL_LIMIT
  0.0, 0.0,
  2.50662827463100050241576528481, 2.50662827463100050241576528481,
], 16);

// @ts-ignore: decorator
@inline
function kc(i: i32): v128 {
  return v128.load(KX2 + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline
/** exp(-y*y/2) for y >= 0 lane-wise (normal-distribution.ts expMinusHalfSquare, same bits). */
export function expMinusHalfSquareX2(y: v128): v128 {
  if (!i64x2.all_true(f64x2.lt(y, kc(0)))) {
    return f64x2.replace_lane(
      f64x2.splat(expMinusHalfSquare(f64x2.extract_lane(y, 0))), 1, expMinusHalfSquare(f64x2.extract_lane(y, 1)),
    );
  }
  const c = f64x2.mul(kc(1), y);
  const yh = f64x2.sub(c, f64x2.sub(c, y));
  const yl = f64x2.sub(y, yh);
  const hi = f64x2.mul(y, y);
  // ((yh * yh - hi) + 2.0 * yh * yl) + yl * yl
  const lo = f64x2.add(
    f64x2.add(f64x2.sub(f64x2.mul(yh, yh), hi), f64x2.mul(f64x2.mul(kc(2), yh), yl)), f64x2.mul(yl, yl),
  );
  // y < 32: |-y^2/2| < 512, exp's table range.
  return f64x2.mul(expX2InRange(f64x2.mul(kc(3), hi)), f64x2.sub(kc(4), f64x2.mul(kc(5), lo)));
}

// @ts-ignore: decorator
@inline
/** Standard normal density lane-wise (normalPdf). */
export function normalPdfX2(z: v128): v128 {
  return f64x2.mul(kc(6), expMinusHalfSquareX2(f64x2.abs(z)));
}

// Phi(z) - 1/2 for |z| <= 0.66291 (centralPart).
// @ts-ignore: decorator
@inline
function centralPartX2(z: v128): v128 {
  const y = f64x2.abs(z);
  const zsq = v128.and(f64x2.mul(z, z), f64x2.gt(y, kc(7)));
  let num = f64x2.mul(kc(8), zsq);
  let den = zsq;
  num = f64x2.mul(f64x2.add(num, kc(9)), zsq);
  den = f64x2.mul(f64x2.add(den, kc(10)), zsq);
  num = f64x2.mul(f64x2.add(num, kc(11)), zsq);
  den = f64x2.mul(f64x2.add(den, kc(12)), zsq);
  num = f64x2.mul(f64x2.add(num, kc(13)), zsq);
  den = f64x2.mul(f64x2.add(den, kc(14)), zsq);
  return f64x2.div(f64x2.mul(z, f64x2.add(num, kc(15))), f64x2.add(den, kc(16)));
}

// Phi(-y) exp(y^2/2) for y <= sqrt(32) (tailRatio's first form).
// @ts-ignore: decorator
@inline
function tailRatioNearX2(y: v128): v128 {
  let num = f64x2.mul(kc(17), y);
  let den = y;
  num = f64x2.mul(f64x2.add(num, kc(18)), y);
  den = f64x2.mul(f64x2.add(den, kc(19)), y);
  num = f64x2.mul(f64x2.add(num, kc(20)), y);
  den = f64x2.mul(f64x2.add(den, kc(21)), y);
  num = f64x2.mul(f64x2.add(num, kc(22)), y);
  den = f64x2.mul(f64x2.add(den, kc(23)), y);
  num = f64x2.mul(f64x2.add(num, kc(24)), y);
  den = f64x2.mul(f64x2.add(den, kc(25)), y);
  num = f64x2.mul(f64x2.add(num, kc(26)), y);
  den = f64x2.mul(f64x2.add(den, kc(27)), y);
  num = f64x2.mul(f64x2.add(num, kc(28)), y);
  den = f64x2.mul(f64x2.add(den, kc(29)), y);
  num = f64x2.mul(f64x2.add(num, kc(30)), y);
  den = f64x2.mul(f64x2.add(den, kc(31)), y);
  return f64x2.div(f64x2.add(num, kc(32)), f64x2.add(den, kc(33)));
}

// Phi(-y) exp(y^2/2) beyond sqrt(32) (tailRatio's second form, in 1/y^2).
// @ts-ignore: decorator
@inline
function tailRatioFarX2(y: v128): v128 {
  const r = f64x2.div(kc(4), f64x2.mul(y, y));
  let num = f64x2.mul(kc(34), r);
  let den = r;
  num = f64x2.mul(f64x2.add(num, kc(35)), r);
  den = f64x2.mul(f64x2.add(den, kc(36)), r);
  num = f64x2.mul(f64x2.add(num, kc(37)), r);
  den = f64x2.mul(f64x2.add(den, kc(38)), r);
  num = f64x2.mul(f64x2.add(num, kc(39)), r);
  den = f64x2.mul(f64x2.add(den, kc(40)), r);
  num = f64x2.mul(f64x2.add(num, kc(41)), r);
  den = f64x2.mul(f64x2.add(den, kc(42)), r);
  const t = f64x2.div(f64x2.mul(r, f64x2.add(num, kc(43))), f64x2.add(den, kc(44)));
  return f64x2.div(f64x2.sub(kc(6), t), y);
}

// @ts-ignore: decorator
@inline
/** Phi(-y) exp(y^2/2) for y > 0.66291 lane-wise (tailRatio). NaN lanes take the far form, as the scalar does. */
export function tailRatioX2(y: v128): v128 {
  const near = f64x2.le(y, kc(45));
  if (i64x2.all_true(near)) return tailRatioNearX2(y);
  if (!v128.any_true(near)) return tailRatioFarX2(y);
  return v128.bitselect(tailRatioNearX2(y), tailRatioFarX2(y), near);
}

// @ts-ignore: decorator
@inline
/** Phi(z) lane-wise (normalCdf). */
export function normalCdfX2(z: v128): v128 {
  const y = f64x2.abs(z);
  const central = f64x2.le(y, kc(46));
  if (i64x2.all_true(central)) return f64x2.add(kc(5), centralPartX2(z));
  const lower = f64x2.mul(expMinusHalfSquareX2(y), tailRatioX2(y));
  let out = v128.bitselect(lower, f64x2.sub(kc(4), lower), f64x2.lt(z, kc(47)));
  if (v128.any_true(central)) out = v128.bitselect(f64x2.add(kc(5), centralPartX2(z)), out, central);
  return v128.bitselect(out, z, f64x2.eq(z, z)); // NaN stays the argument
}

// @ts-ignore: decorator
@inline
/** Phi(z) given pdf = phi(z) lane-wise (normalCdfGivenPdf). */
export function normalCdfGivenPdfX2(z: v128, pdf: v128): v128 {
  const y = f64x2.abs(z);
  const central = f64x2.le(y, kc(46));
  if (i64x2.all_true(central)) return f64x2.add(kc(5), centralPartX2(z));
  const lower = f64x2.mul(f64x2.mul(pdf, kc(48)), tailRatioX2(y));
  const out = v128.bitselect(lower, f64x2.sub(kc(4), lower), f64x2.lt(z, kc(47)));
  if (!v128.any_true(central)) return out;
  return v128.bitselect(f64x2.add(kc(5), centralPartX2(z)), out, central);
}

// @ts-ignore: decorator
@inline
/** Phi(z)/phi(z) given pdf = phi(z) lane-wise (normalCdfOverPdfGivenPdf). */
export function normalCdfOverPdfGivenPdfX2(z: v128, pdf: v128): v128 {
  const y = f64x2.abs(z);
  const central = f64x2.le(y, kc(46));
  if (i64x2.all_true(central)) return f64x2.div(f64x2.add(kc(5), centralPartX2(z)), pdf);
  const tail = f64x2.mul(kc(48), tailRatioX2(y));
  const out = v128.bitselect(tail, f64x2.sub(f64x2.div(kc(4), pdf), tail), f64x2.lt(z, kc(47)));
  if (!v128.any_true(central)) return out;
  return v128.bitselect(f64x2.div(f64x2.add(kc(5), centralPartX2(z)), pdf), out, central);
}

// @ts-ignore: decorator
@inline
/** Phi(z)/phi(z) lane-wise (normalCdfOverPdf). */
export function normalCdfOverPdfX2(z: v128): v128 {
  const y = f64x2.abs(z);
  const central = f64x2.le(y, kc(46));
  const negative = f64x2.lt(z, kc(47));
  // The density is needed in the central region and for z > 0 only.
  let pdf = kc(4);
  if (!i64x2.all_true(v128.andnot(negative, central))) pdf = normalPdfX2(z);
  if (i64x2.all_true(central)) return f64x2.div(f64x2.add(kc(5), centralPartX2(z)), pdf);
  const tail = f64x2.mul(kc(48), tailRatioX2(y));
  let out = v128.bitselect(tail, f64x2.sub(f64x2.div(kc(4), pdf), tail), negative);
  if (v128.any_true(central)) out = v128.bitselect(f64x2.div(f64x2.add(kc(5), centralPartX2(z)), pdf), out, central);
  return v128.bitselect(out, z, f64x2.eq(z, z));
}

/**
 * Diagnostic, outside the kernel contract (test/simd-math.test.ts compares it with the scalar
 * functions bit for bit): f64 out[i] = f(in[i]) for i < n, two lanes at a time (an odd last element
 * fills both lanes), f = 0 exp, 1 log, 2 normalPdf, 3 normalCdf, 4 normalCdfOverPdf,
 * 5 inverseNormalCdfFast (a pair with a lane outside (0, 1) takes the scalar per lane, as the
 * implied-vol guess does), 6 log1pSmall. Returns 1 for an unknown f or n < 0 (nothing written).
 */
export function simdMathBatch(fn: i32, n: i32, pIn: usize, pOut: usize): i32 {
  if (fn < 0 || fn > 6 || n < 0) return 1;
  for (let i = 0; i < n; i += 2) {
    const o = <usize>i << 3;
    const x = i + 1 < n ? v128.load(pIn + o) : f64x2.splat(load<f64>(pIn + o));
    const y = fn == 0 ? expX2(x) : fn == 1 ? logX2(x) : fn == 2 ? normalPdfX2(x) : fn == 3 ? normalCdfX2(x) : fn == 4 ? normalCdfOverPdfX2(x)
      : fn == 5 ? inverseNormalCdfFastOrScalarX2(x) : log1pSmallX2(x);
    if (i + 1 < n) v128.store(pOut + o, y);
    else store<f64>(pOut + o, f64x2.extract_lane(y, 0));
  }
  return 0;
}


// AS 241's tail rationals, copied from inverse-normal.ts's TAIL (numerator then denominator,
// highest degree first): row i holds coefficient i of the r <= 5 set and of the r > 5 set, each
// twice, so a lane picks its set with one bitselect and runs the scalar's Horner steps; then the
// shifts of r and the constants 0.425, 0.
const TAIL_X2: usize = memory.data<f64>([
  7.74545014278341407640e-4, 7.74545014278341407640e-4, 2.01033439929228813265e-7, 2.01033439929228813265e-7,
  2.27238449892691845833e-2, 2.27238449892691845833e-2, 2.71155556874348757815e-5, 2.71155556874348757815e-5,
  2.41780725177450611770e-1, 2.41780725177450611770e-1, 1.24266094738807843860e-3, 1.24266094738807843860e-3,
  1.27045825245236838258e+0, 1.27045825245236838258e+0, 2.65321895265761230930e-2, 2.65321895265761230930e-2,
  3.64784832476320460504e+0, 3.64784832476320460504e+0, 2.96560571828504891230e-1, 2.96560571828504891230e-1,
  5.76949722146069140550e+0, 5.76949722146069140550e+0, 1.78482653991729133580e+0, 1.78482653991729133580e+0,
  4.63033784615654529590e+0, 4.63033784615654529590e+0, 5.46378491116411436990e+0, 5.46378491116411436990e+0,
  1.42343711074968357734e+0, 1.42343711074968357734e+0, 6.65790464350110377720e+0, 6.65790464350110377720e+0,
  1.05075007164441684324e-9, 1.05075007164441684324e-9, 2.04426310338993978564e-15, 2.04426310338993978564e-15,
  5.47593808499534494600e-4, 5.47593808499534494600e-4, 1.42151175831644588870e-7, 1.42151175831644588870e-7,
  1.51986665636164571966e-2, 1.51986665636164571966e-2, 1.84631831751005468180e-5, 1.84631831751005468180e-5,
  1.48103976427480074590e-1, 1.48103976427480074590e-1, 7.86869131145613259100e-4, 7.86869131145613259100e-4,
  6.89767334985100004550e-1, 6.89767334985100004550e-1, 1.48753612908506148525e-2, 1.48753612908506148525e-2,
  1.67638483018380384940e+0, 1.67638483018380384940e+0, 1.36929880922735805310e-1, 1.36929880922735805310e-1,
  2.05319162663775882187e+0, 2.05319162663775882187e+0, 5.99832206555887937690e-1, 5.99832206555887937690e-1,
  1.0, 1.0, 1.0, 1.0,
  1.6, 1.6, 5.0, 5.0, // the shifts of r
  0.425, 0.425, 0.0, 0.0, // SPLIT_CENTRAL, 0
], 16);

// @ts-ignore: decorator
@inline
function tailCoefficientX2(i: i32, far: v128): v128 {
  const row = TAIL_X2 + (<usize>i << 5);
  return v128.bitselect(v128.load(row, 16), v128.load(row), far);
}

/**
 * inverseNormalCdfFast (AS 241, inverse-normal.ts) on two lanes with 0 < p < 1 in each (the
 * caller's guarantee), each lane the scalar's bits: the central rational where |p - 1/2| <= 0.425,
 * else the tail rational in r = sqrt(-ln min(p, 1 - p)) with the coefficient set of the lane's r.
 */
// @ts-ignore: decorator
@inline
export function inverseNormalCdfFastX2(p: v128): v128 {
  const q = f64x2.sub(p, kc(5));
  const central = f64x2.le(f64x2.abs(q), v128.load(TAIL_X2 + (17 << 5)));
  let c = f64x2.splat(0.0);
  if (v128.any_true(central)) {
    c = centralQuantileX2(q);
    if (i64x2.all_true(central)) return c;
  }
  const lower = f64x2.lt(q, v128.load(TAIL_X2 + (17 << 5), 16));
  const tail = v128.bitselect(p, f64x2.sub(kc(4), p), lower);
  let r = f64x2.sqrt(f64x2.neg(logX2(tail)));
  const far = v128.not(f64x2.le(r, v128.load(TAIL_X2 + (16 << 5), 16)));
  r = f64x2.sub(r, tailCoefficientX2(16, far));
  let num = tailCoefficientX2(0, far);
  for (let i = 1; i < 8; i++) num = f64x2.add(f64x2.mul(num, r), tailCoefficientX2(i, far));
  let den = tailCoefficientX2(8, far);
  for (let i = 9; i < 16; i++) den = f64x2.add(f64x2.mul(den, r), tailCoefficientX2(i, far));
  const x = f64x2.div(num, den);
  return v128.bitselect(c, v128.bitselect(f64x2.neg(x), x, lower), central);
}

// inverseNormalCdfFastX2 where both lanes are in (0, 1), else the scalar per lane.
function inverseNormalCdfFastOrScalarX2(p: v128): v128 {
  if (i64x2.all_true(v128.and(f64x2.gt(p, f64x2.splat(0.0)), f64x2.lt(p, kc(4))))) return inverseNormalCdfFastX2(p);
  return f64x2.replace_lane(f64x2.splat(inverseNormalCdfFast(f64x2.extract_lane(p, 0))), 1, inverseNormalCdfFast(f64x2.extract_lane(p, 1)));
}

// [simd] Black-Scholes block (s10-price): the two regions of normalCdfGivenPdfX2 apart, for callers
// that group lanes by region first (each lane the same bits as normalCdfGivenPdfX2's in its region,
// without the other region's formula or the branches that choose).

// @ts-ignore: decorator
@inline
/** Phi(z) for |z| <= 0.66291 lane-wise: normalCdfGivenPdfX2 (and normalCdfX2) where both lanes are central. */
export function normalCdfCentralX2(z: v128): v128 {
  return f64x2.add(kc(5), centralPartX2(z));
}

// @ts-ignore: decorator
@inline
/** Phi(z) given pdf = phi(z) for |z| > 0.66291 (not NaN) lane-wise: normalCdfGivenPdfX2 where no lane is central. */
export function normalCdfTailGivenPdfX2(z: v128, pdf: v128): v128 {
  return normalCdfTailFromRatioX2(z, pdf, tailRatioX2(f64x2.abs(z)));
}

// @ts-ignore: decorator
@inline
/** normalCdfTailGivenPdfX2 given ratio = tailRatioX2(|z|). */
export function normalCdfTailFromRatioX2(z: v128, pdf: v128, ratio: v128): v128 {
  const lower = f64x2.mul(f64x2.mul(pdf, kc(48)), ratio);
  return v128.bitselect(lower, f64x2.sub(kc(4), lower), f64x2.lt(z, kc(47)));
}

// @ts-ignore: decorator
@inline
/**
 * normalCdfGivenPdfX2 without its branches: both regions' formulas evaluated, each lane selected
 * (same bits). For lanes that mix regions at random, where a mispredicted branch costs more than
 * the formula it skips.
 */
export function normalCdfGivenPdfSelectX2(z: v128, pdf: v128): v128 {
  const central = f64x2.le(f64x2.abs(z), kc(46));
  return v128.bitselect(normalCdfCentralX2(z), normalCdfTailGivenPdfX2(z, pdf), central);
}

// @ts-ignore: decorator
@inline
/**
 * normalCdfOverPdfGivenPdfX2 for lanes z < 0 or central (|z| <= 0.66291), each lane its bits there:
 * the tail's z > 0 form (and its division by the density) left out.
 */
export function normalCdfOverPdfGivenPdfBelowX2(z: v128, pdf: v128): v128 {
  const central = f64x2.le(f64x2.abs(z), kc(46));
  const tail = f64x2.mul(kc(48), tailRatioX2(f64x2.abs(z)));
  if (!v128.any_true(central)) return tail;
  return v128.bitselect(f64x2.div(f64x2.add(kc(5), centralPartX2(z)), pdf), tail, central);
}

// [simd] Greeks from the pricing block's parts (s11-price): Phi(z) rebuilt from the part of its
// formula that costs (the central rational, or the tail ratio) which the block computed anyway,
// each lane the bits of normalCdfGivenPdfSelectX2.

// @ts-ignore: decorator
@inline
/**
 * The costly part of Phi(z) lane-wise: centralPart(z) = Phi(z) - 1/2 where |z| <= 0.66291 (odd in
 * z to the bit: z and -z give parts of opposite sign), else tailRatio(|z|) = Phi(-|z|) e^{z^2/2}
 * (even in z). The tail ratio always, the central rational only when some lane needs it.
 */
export function normalCdfPartX2(z: v128): v128 {
  const central = f64x2.le(f64x2.abs(z), kc(46));
  const tail = tailRatioX2(f64x2.abs(z));
  if (!v128.any_true(central)) return tail;
  return v128.bitselect(centralPartX2(z), tail, central);
}

// @ts-ignore: decorator
@inline
/** Phi(z) - 1/2 for |z| <= 0.66291 lane-wise (normalCdfCentralX2 = 1/2 + this). */
export function normalCdfCentralPartX2(z: v128): v128 {
  return centralPartX2(z);
}

// @ts-ignore: decorator
@inline
/** normalCdfPartX2 without its branch (lanes that mix regions at random). */
export function normalCdfPartSelectX2(z: v128): v128 {
  return v128.bitselect(centralPartX2(z), tailRatioX2(f64x2.abs(z)), f64x2.le(f64x2.abs(z), kc(46)));
}

// @ts-ignore: decorator
@inline
/** Phi(z) given pdf = phi(z) and part = normalCdfPartX2(z) lane-wise: normalCdfGivenPdfSelectX2(z, pdf)'s bits (z not NaN). */
export function normalCdfFromPartX2(z: v128, pdf: v128, part: v128): v128 {
  const lower = f64x2.mul(f64x2.mul(pdf, kc(48)), part);
  const tail = v128.bitselect(lower, f64x2.sub(kc(4), lower), f64x2.lt(z, kc(47)));
  return v128.bitselect(f64x2.add(kc(5), part), tail, f64x2.le(f64x2.abs(z), kc(46)));
}

// @ts-ignore: decorator
@inline
/** normalCdfOverPdfGivenPdfBelowX2(z, pdf)'s bits from part = normalCdfPartX2(z) (z < 0 or central lanes). */
export function normalCdfOverPdfGivenPdfFromPartX2(z: v128, pdf: v128, part: v128): v128 {
  const central = f64x2.le(f64x2.abs(z), kc(46));
  const tail = f64x2.mul(kc(48), part);
  if (!v128.any_true(central)) return tail;
  return v128.bitselect(f64x2.div(f64x2.add(kc(5), part), pdf), tail, central);
}
