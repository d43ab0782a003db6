// Standard normal density and distribution function on two doubles at once (f64x2): lane for lane
// the operations of normal-distribution.ts (Cody's ANORM rationals, the compensated exp(-y^2/2)),
// so each lane is bit-identical to the scalar function and has its accuracy (see that file and
// f64x2-elementary.ts for why lane-wise IEEE operations give the scalar's bits). Branches become
// masks: each region's formula is evaluated only when some lane is in it, then selected per lane;
// exp(-y^2/2) for y >= 32 (exp's subnormal range and beyond) goes to the scalar routine per lane.

import { expX2, logX2 } from "./f64x2-elementary";
import { expMinusHalfSquare, NORMAL_CENTRAL_LIMIT } from "./normal-distribution";

const INV_SQRT_2PI: f64 = 0.398942280401432677939946059934;
const SQRT_2PI: f64 = 2.50662827463100050241576528481;
const SQRT_32: f64 = 5.65685424949238019520675489684;
const TINY: f64 = 1.1102230246251565e-16;

// @ts-ignore: decorator
@inline
function sp(v: f64): v128 {
  return f64x2.splat(v);
}

// @ts-ignore: decorator
@inline
/** exp(-y*y/2) for y >= 0 lane-wise (normal-distribution.ts expMinusHalfSquare, same bits). */
export function expMinusHalfSquareX2(y: v128): v128 {
  if (!i64x2.all_true(f64x2.lt(y, sp(32.0)))) {
    return f64x2.replace_lane(
      f64x2.splat(expMinusHalfSquare(f64x2.extract_lane(y, 0))), 1, expMinusHalfSquare(f64x2.extract_lane(y, 1)),
    );
  }
  const c = f64x2.mul(sp(134217729.0), y);
  const yh = f64x2.sub(c, f64x2.sub(c, y));
  const yl = f64x2.sub(y, yh);
  const hi = f64x2.mul(y, y);
  // ((yh * yh - hi) + 2.0 * yh * yl) + yl * yl
  const lo = f64x2.add(
    f64x2.add(f64x2.sub(f64x2.mul(yh, yh), hi), f64x2.mul(f64x2.mul(sp(2.0), yh), yl)), f64x2.mul(yl, yl),
  );
  return f64x2.mul(expX2(f64x2.mul(sp(-0.5), hi)), f64x2.sub(sp(1.0), f64x2.mul(sp(0.5), lo)));
}

// @ts-ignore: decorator
@inline
/** Standard normal density lane-wise (normalPdf). */
export function normalPdfX2(z: v128): v128 {
  return f64x2.mul(sp(INV_SQRT_2PI), expMinusHalfSquareX2(f64x2.abs(z)));
}

// Phi(z) - 1/2 for |z| <= 0.66291 (centralPart).
// @ts-ignore: decorator
@inline
function centralPartX2(z: v128): v128 {
  const y = f64x2.abs(z);
  const zsq = v128.and(f64x2.mul(z, z), f64x2.gt(y, sp(TINY)));
  let num = f64x2.mul(sp(0.065682337918207449113), zsq);
  let den = zsq;
  num = f64x2.mul(f64x2.add(num, sp(2.2352520354606839287)), zsq);
  den = f64x2.mul(f64x2.add(den, sp(47.20258190468824187)), zsq);
  num = f64x2.mul(f64x2.add(num, sp(161.02823106855587881)), zsq);
  den = f64x2.mul(f64x2.add(den, sp(976.09855173777669322)), zsq);
  num = f64x2.mul(f64x2.add(num, sp(1067.6894854603709582)), zsq);
  den = f64x2.mul(f64x2.add(den, sp(10260.932208618978205)), zsq);
  return f64x2.div(f64x2.mul(z, f64x2.add(num, sp(18154.981253343561249))), f64x2.add(den, sp(45507.789335026729956)));
}

// Phi(-y) exp(y^2/2) for y <= sqrt(32) (tailRatio's first form).
// @ts-ignore: decorator
@inline
function tailRatioNearX2(y: v128): v128 {
  let num = f64x2.mul(sp(1.0765576773720192317e-8), y);
  let den = y;
  num = f64x2.mul(f64x2.add(num, sp(0.39894151208813466764)), y);
  den = f64x2.mul(f64x2.add(den, sp(22.266688044328115691)), y);
  num = f64x2.mul(f64x2.add(num, sp(8.8831497943883759412)), y);
  den = f64x2.mul(f64x2.add(den, sp(235.38790178262499861)), y);
  num = f64x2.mul(f64x2.add(num, sp(93.506656132177855979)), y);
  den = f64x2.mul(f64x2.add(den, sp(1519.377599407554805)), y);
  num = f64x2.mul(f64x2.add(num, sp(597.27027639480026226)), y);
  den = f64x2.mul(f64x2.add(den, sp(6485.558298266760755)), y);
  num = f64x2.mul(f64x2.add(num, sp(2494.5375852903726711)), y);
  den = f64x2.mul(f64x2.add(den, sp(18615.571640885098091)), y);
  num = f64x2.mul(f64x2.add(num, sp(6848.1904505362823326)), y);
  den = f64x2.mul(f64x2.add(den, sp(34900.952721145977266)), y);
  num = f64x2.mul(f64x2.add(num, sp(11602.651437647350124)), y);
  den = f64x2.mul(f64x2.add(den, sp(38912.003286093271411)), y);
  return f64x2.div(f64x2.add(num, sp(9842.7148383839780218)), f64x2.add(den, sp(19685.429676859990727)));
}

// Phi(-y) exp(y^2/2) beyond sqrt(32) (tailRatio's second form, in 1/y^2).
// @ts-ignore: decorator
@inline
function tailRatioFarX2(y: v128): v128 {
  const r = f64x2.div(sp(1.0), f64x2.mul(y, y));
  let num = f64x2.mul(sp(0.02307344176494017303), r);
  let den = r;
  num = f64x2.mul(f64x2.add(num, sp(0.21589853405795699)), r);
  den = f64x2.mul(f64x2.add(den, sp(1.28426009614491121)), r);
  num = f64x2.mul(f64x2.add(num, sp(0.1274011611602473639)), r);
  den = f64x2.mul(f64x2.add(den, sp(0.468238212480865118)), r);
  num = f64x2.mul(f64x2.add(num, sp(0.022235277870649807)), r);
  den = f64x2.mul(f64x2.add(den, sp(0.0659881378689285515)), r);
  num = f64x2.mul(f64x2.add(num, sp(0.001421619193227893466)), r);
  den = f64x2.mul(f64x2.add(den, sp(0.00378239633202758244)), r);
  const t = f64x2.div(f64x2.mul(r, f64x2.add(num, sp(2.9112874951168792e-5))), f64x2.add(den, sp(7.29751555083966205e-5)));
  return f64x2.div(f64x2.sub(sp(INV_SQRT_2PI), t), y);
}

// @ts-ignore: decorator
@inline
/** Phi(-y) exp(y^2/2) for y > 0.66291 lane-wise (tailRatio). NaN lanes take the far form, as the scalar does. */
export function tailRatioX2(y: v128): v128 {
  const near = f64x2.le(y, sp(SQRT_32));
  if (i64x2.all_true(near)) return tailRatioNearX2(y);
  if (!v128.any_true(near)) return tailRatioFarX2(y);
  return v128.bitselect(tailRatioNearX2(y), tailRatioFarX2(y), near);
}

// @ts-ignore: decorator
@inline
/** Phi(z) lane-wise (normalCdf). */
export function normalCdfX2(z: v128): v128 {
  const y = f64x2.abs(z);
  const central = f64x2.le(y, sp(NORMAL_CENTRAL_LIMIT));
  if (i64x2.all_true(central)) return f64x2.add(sp(0.5), centralPartX2(z));
  const lower = f64x2.mul(expMinusHalfSquareX2(y), tailRatioX2(y));
  let out = v128.bitselect(lower, f64x2.sub(sp(1.0), lower), f64x2.lt(z, sp(0.0)));
  if (v128.any_true(central)) out = v128.bitselect(f64x2.add(sp(0.5), centralPartX2(z)), out, central);
  return v128.bitselect(out, z, f64x2.eq(z, z)); // NaN stays the argument
}

// @ts-ignore: decorator
@inline
/** Phi(z) given pdf = phi(z) lane-wise (normalCdfGivenPdf). */
export function normalCdfGivenPdfX2(z: v128, pdf: v128): v128 {
  const y = f64x2.abs(z);
  const central = f64x2.le(y, sp(NORMAL_CENTRAL_LIMIT));
  if (i64x2.all_true(central)) return f64x2.add(sp(0.5), centralPartX2(z));
  const lower = f64x2.mul(f64x2.mul(pdf, sp(SQRT_2PI)), tailRatioX2(y));
  const out = v128.bitselect(lower, f64x2.sub(sp(1.0), lower), f64x2.lt(z, sp(0.0)));
  if (!v128.any_true(central)) return out;
  return v128.bitselect(f64x2.add(sp(0.5), centralPartX2(z)), out, central);
}

// @ts-ignore: decorator
@inline
/** Phi(z)/phi(z) given pdf = phi(z) lane-wise (normalCdfOverPdfGivenPdf). */
export function normalCdfOverPdfGivenPdfX2(z: v128, pdf: v128): v128 {
  const y = f64x2.abs(z);
  const central = f64x2.le(y, sp(NORMAL_CENTRAL_LIMIT));
  if (i64x2.all_true(central)) return f64x2.div(f64x2.add(sp(0.5), centralPartX2(z)), pdf);
  const tail = f64x2.mul(sp(SQRT_2PI), tailRatioX2(y));
  const out = v128.bitselect(tail, f64x2.sub(f64x2.div(sp(1.0), pdf), tail), f64x2.lt(z, sp(0.0)));
  if (!v128.any_true(central)) return out;
  return v128.bitselect(f64x2.div(f64x2.add(sp(0.5), centralPartX2(z)), pdf), out, central);
}

// @ts-ignore: decorator
@inline
/** Phi(z)/phi(z) lane-wise (normalCdfOverPdf). */
export function normalCdfOverPdfX2(z: v128): v128 {
  const y = f64x2.abs(z);
  const central = f64x2.le(y, sp(NORMAL_CENTRAL_LIMIT));
  const negative = f64x2.lt(z, sp(0.0));
  // The density is needed in the central region and for z > 0 only.
  let pdf = sp(1.0);
  if (!i64x2.all_true(v128.andnot(negative, central))) pdf = normalPdfX2(z);
  if (i64x2.all_true(central)) return f64x2.div(f64x2.add(sp(0.5), centralPartX2(z)), pdf);
  const tail = f64x2.mul(sp(SQRT_2PI), tailRatioX2(y));
  let out = v128.bitselect(tail, f64x2.sub(f64x2.div(sp(1.0), pdf), tail), negative);
  if (v128.any_true(central)) out = v128.bitselect(f64x2.div(f64x2.add(sp(0.5), centralPartX2(z)), pdf), out, central);
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
