// Standard normal density and distribution function on two doubles at once (f64x2): lane for lane
// the operations of normal-distribution.ts (Cody's ANORM rationals, the compensated exp(-y^2/2)),
// so each lane is bit-identical to the scalar function and has its accuracy (see that file and
// f64x2-elementary.ts for why lane-wise IEEE operations give the scalar's bits). Branches become
// masks: each region's formula is evaluated only when some lane is in it, then selected per lane;
// exp(-y^2/2) for y >= 32 (exp's subnormal range and beyond) goes to the scalar routine per lane.

import { expX2, logX2 } from "./f64x2-elementary";
import { expMinusHalfSquare } from "./normal-distribution";


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
  return f64x2.mul(expX2(f64x2.mul(kc(3), hi)), f64x2.sub(kc(4), f64x2.mul(kc(5), lo)));
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
 * fills both lanes), f = 0 exp, 1 log, 2 normalPdf, 3 normalCdf, 4 normalCdfOverPdf. Returns 1 for
 * an unknown f or n < 0 (nothing written).
 */
export function simdMathBatch(fn: i32, n: i32, pIn: usize, pOut: usize): i32 {
  if (fn < 0 || fn > 4 || n < 0) return 1;
  for (let i = 0; i < n; i += 2) {
    const o = <usize>i << 3;
    const x = i + 1 < n ? v128.load(pIn + o) : f64x2.splat(load<f64>(pIn + o));
    const y = fn == 0 ? expX2(x) : fn == 1 ? logX2(x) : fn == 2 ? normalPdfX2(x) : fn == 3 ? normalCdfX2(x) : normalCdfOverPdfX2(x);
    if (i + 1 < n) v128.store(pOut + o, y);
    else store<f64>(pOut + o, f64x2.extract_lane(y, 0));
  }
  return 0;
}
