// Delbourgo-Gregory rational cubic interpolation, the shape-preserving interpolant behind the
// initial guesses of the implied volatility solver (implied-volatility.ts).
//
// R. Delbourgo, J. A. Gregory, "Shape preserving piecewise rational interpolation", SIAM J. Sci.
// Stat. Comput. 6 (1985) 967-976; used for implied volatility by P. Jaeckel, "Let's be rational",
// Wilmott (2015) 40-53, section 5. On [xl, xr] with h = xr - xl, t = (x - xl)/h:
//
//   R(x) = [yr t^3 + (r yr - h dr) t^2 (1-t) + (r yl + h dl) t (1-t)^2 + yl (1-t)^3]
//          / [1 + (r - 3) t (1-t)]
//
// interpolates values yl, yr and slopes dl, dr for every control parameter r > -1; r = 3 is the
// cubic Hermite interpolant and r -> infinity tends to the straight line. Differentiating twice
// at t = 0 gives R''(xl) = 2 [r ((yr - yl)/h - dl) - (dr - dl)] / h, so the r matching a wanted
// second derivative at either end is a ratio; the data stay monotone for r >= (dl + dr)/slope and
// convex (concave) for r >= max(|dr - dl|/|dr - slope|, |dr - dl|/|slope - dl|) (their eqs. 3.8
// and 3.18). Mirrored line for line in src/kernels/pricing/rational-cubic.ts.

const EPS: f64 = 2.220446049250313e-16;
const TINY: f64 = 2.2250738585072014e-308;
const MIN_CONTROL: f64 = -(1.0 - 1.4901161193847656e-8); // -(1 - sqrt(eps)): keeps the denominator positive
const MAX_CONTROL: f64 = 2.0 / (EPS * EPS); // beyond this the interpolant is the straight line

/** Delbourgo-Gregory rational cubic on [xl, xr] with end values, end slopes and control parameter r. */
export function rationalCubicInterpolation(
  x: f64, xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, r: f64,
): f64 {
  const h = xr - xl;
  if (Math.abs(h) <= 0.0) return 0.5 * (yl + yr);
  const t = (x - xl) / h;
  if (!(r < MAX_CONTROL)) return yr * t + yl * (1.0 - t);
  const u = 1.0 - t;
  const t2 = t * t;
  const u2 = u * u;
  const num = yr * t2 * t + (r * yr - h * dr) * t2 * u + (r * yl + h * dl) * t * u2 + yl * u2 * u;
  return num / (1.0 + (r - 3.0) * t * u);
}

/** The control parameter for which the interpolant has second derivative d2l at xl. */
export function rationalCubicControlForLeftCurvature(
  xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, d2l: f64,
): f64 {
  const h = xr - xl;
  const num = 0.5 * h * d2l + (dr - dl);
  if (Math.abs(num) < TINY) return 0.0;
  const den = (yr - yl) / h - dl;
  if (Math.abs(den) < TINY) return num > 0.0 ? MAX_CONTROL : MIN_CONTROL;
  return num / den;
}

/** The control parameter for which the interpolant has second derivative d2r at xr. */
export function rationalCubicControlForRightCurvature(
  xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, d2r: f64,
): f64 {
  const h = xr - xl;
  const num = 0.5 * h * d2r + (dr - dl);
  if (Math.abs(num) < TINY) return 0.0;
  const den = dr - (yr - yl) / h;
  if (Math.abs(den) < TINY) return num > 0.0 ? MAX_CONTROL : MIN_CONTROL;
  return num / den;
}

/**
 * Smallest control parameter that keeps the interpolant monotone (if the data are) and convex or
 * concave (if the data are). With preferShape, degenerate data (a zero secant, a slope equal to
 * the secant) ask for the straight line rather than for smoothness.
 */
export function minimumRationalCubicControl(dl: f64, dr: f64, slope: f64, preferShape: bool): f64 {
  const monotone = dl * slope >= 0.0 && dr * slope >= 0.0;
  const convex = dl <= slope && slope <= dr;
  const concave = dl >= slope && slope >= dr;
  if (!monotone && !convex && !concave) return MIN_CONTROL;
  const spread = dr - dl;
  const rightGap = dr - slope;
  const leftGap = slope - dl;
  let rMonotone = -Infinity;
  let rShape = -Infinity;
  if (monotone) {
    if (Math.abs(slope) >= TINY) rMonotone = (dr + dl) / slope;
    else if (preferShape) rMonotone = MAX_CONTROL;
  }
  if (convex || concave) {
    if (Math.abs(leftGap) >= TINY && Math.abs(rightGap) >= TINY) {
      rShape = Math.max(Math.abs(spread / rightGap), Math.abs(spread / leftGap));
    } else if (preferShape) {
      rShape = MAX_CONTROL;
    }
  } else if (monotone && preferShape) {
    rShape = MAX_CONTROL;
  }
  return Math.max(MIN_CONTROL, Math.max(rMonotone, rShape));
}

/** Control parameter fitting d2l at xl, raised to the minimum that preserves the data's shape. */
export function convexControlForLeftCurvature(
  xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, d2l: f64, preferShape: bool,
): f64 {
  const r = rationalCubicControlForLeftCurvature(xl, xr, yl, yr, dl, dr, d2l);
  const rMin = minimumRationalCubicControl(dl, dr, (yr - yl) / (xr - xl), preferShape);
  return Math.max(r, rMin);
}

/** Control parameter fitting d2r at xr, raised to the minimum that preserves the data's shape. */
export function convexControlForRightCurvature(
  xl: f64, xr: f64, yl: f64, yr: f64, dl: f64, dr: f64, d2r: f64, preferShape: bool,
): f64 {
  const r = rationalCubicControlForRightCurvature(xl, xr, yl, yr, dl, dr, d2r);
  const rMin = minimumRationalCubicControl(dl, dr, (yr - yl) / (xr - xl), preferShape);
  return Math.max(r, rMin);
}

// ---- two interpolations per v128 (f64x2) ------------------------------------------------------
// Lane for lane the operations of the functions above (the implied-vol batch's guesses), each lane
// the scalar's bits: the branches become selections
// between values computed by the scalar's own operations (IEEE +, -, *, / and f64x2.max, which
// has Math.max's NaN and signed-zero rules). WASM-only: the JS twin has no pair path.

// Constants, each twice: 0 TINY, 1 MAX_CONTROL, 2 MIN_CONTROL, 3 0.5, 4 1, 5 3, 6 -Infinity.
const RC_X2: usize = memory.data<f64>([
  TINY, TINY, MAX_CONTROL, MAX_CONTROL, MIN_CONTROL, MIN_CONTROL, 0.5, 0.5, 1.0, 1.0, 3.0, 3.0,
  -Infinity, -Infinity,
], 16);

// @ts-ignore: decorator
@inline
function kr(i: i32): v128 {
  return v128.load(RC_X2 + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline
/** rationalCubicInterpolation lane-wise. */
export function rationalCubicInterpolationX2(
  x: v128, xl: v128, xr: v128, yl: v128, yr: v128, dl: v128, dr: v128, r: v128,
): v128 {
  const h = f64x2.sub(xr, xl);
  const t = f64x2.div(f64x2.sub(x, xl), h);
  const one = kr(4);
  const u = f64x2.sub(one, t);
  const t2 = f64x2.mul(t, t);
  const u2 = f64x2.mul(u, u);
  const num = f64x2.add(f64x2.add(f64x2.add(
    f64x2.mul(f64x2.mul(yr, t2), t),
    f64x2.mul(f64x2.mul(f64x2.sub(f64x2.mul(r, yr), f64x2.mul(h, dr)), t2), u)),
    f64x2.mul(f64x2.mul(f64x2.add(f64x2.mul(r, yl), f64x2.mul(h, dl)), t), u2)),
    f64x2.mul(f64x2.mul(yl, u2), u));
  const cubic = f64x2.div(num, f64x2.add(one, f64x2.mul(f64x2.mul(f64x2.sub(r, kr(5)), t), u)));
  const line = f64x2.add(f64x2.mul(yr, t), f64x2.mul(yl, f64x2.sub(one, t)));
  const out = v128.bitselect(cubic, line, f64x2.lt(r, kr(1)));
  // |h| <= 0: the mean of the end values
  return v128.bitselect(f64x2.mul(kr(3), f64x2.add(yl, yr)), out, f64x2.le(f64x2.abs(h), f64x2.splat(0.0)));
}

// rationalCubicControlFor{Left,Right}Curvature's ending given num and den lane-wise.
// @ts-ignore: decorator
@inline
function controlFromRatioX2(num: v128, den: v128): v128 {
  const tiny = kr(0);
  const degenerate = v128.bitselect(kr(1), kr(2), f64x2.gt(num, f64x2.splat(0.0)));
  const r = v128.bitselect(degenerate, f64x2.div(num, den), f64x2.lt(f64x2.abs(den), tiny));
  return v128.and(r, v128.not(f64x2.lt(f64x2.abs(num), tiny)));
}

// minimumRationalCubicControl(dl, dr, slope, preferShape) lane-wise (preferShape a constant at each
// inlined call site).
// @ts-ignore: decorator
@inline
function minimumControlX2(dl: v128, dr: v128, slope: v128, preferShape: bool): v128 {
  const zero = f64x2.splat(0.0);
  const tiny = kr(0);
  const monotone = v128.and(f64x2.ge(f64x2.mul(dl, slope), zero), f64x2.ge(f64x2.mul(dr, slope), zero));
  const convex = v128.and(f64x2.le(dl, slope), f64x2.le(slope, dr));
  const concave = v128.and(f64x2.ge(dl, slope), f64x2.ge(slope, dr));
  const spread = f64x2.sub(dr, dl);
  const rightGap = f64x2.sub(dr, slope);
  const leftGap = f64x2.sub(slope, dl);
  // without preferShape a degenerate case (zero secant, a slope equal to the secant) adds nothing
  const degenerate = preferShape ? kr(1) : kr(6);
  const rMonotone = v128.bitselect(
    v128.bitselect(f64x2.div(f64x2.add(dr, dl), slope), degenerate, f64x2.ge(f64x2.abs(slope), tiny)), kr(6), monotone,
  );
  const shape = v128.or(convex, concave);
  const gaps = v128.and(f64x2.ge(f64x2.abs(leftGap), tiny), f64x2.ge(f64x2.abs(rightGap), tiny));
  let rShape = v128.bitselect(
    v128.bitselect(f64x2.max(f64x2.abs(f64x2.div(spread, rightGap)), f64x2.abs(f64x2.div(spread, leftGap))), degenerate, gaps),
    kr(6), shape,
  );
  // monotone but neither convex nor concave: MAX_CONTROL with preferShape
  if (preferShape) rShape = v128.bitselect(kr(1), rShape, v128.andnot(monotone, shape));
  // neither monotone nor convex nor concave: both candidates are -Infinity, so MIN_CONTROL
  return f64x2.max(kr(2), f64x2.max(rMonotone, rShape));
}

// @ts-ignore: decorator
@inline
/** convexControlForLeftCurvature lane-wise (preferShape a constant at each inlined call site). */
export function convexControlForLeftCurvatureX2(xl: v128, xr: v128, yl: v128, yr: v128, dl: v128, dr: v128, d2l: v128, preferShape: bool): v128 {
  const h = f64x2.sub(xr, xl);
  const num = f64x2.add(f64x2.mul(f64x2.mul(kr(3), h), d2l), f64x2.sub(dr, dl));
  const secant = f64x2.div(f64x2.sub(yr, yl), h);
  const r = controlFromRatioX2(num, f64x2.sub(secant, dl));
  return f64x2.max(r, minimumControlX2(dl, dr, f64x2.div(f64x2.sub(yr, yl), f64x2.sub(xr, xl)), preferShape));
}

// @ts-ignore: decorator
@inline
/** convexControlForRightCurvature lane-wise (preferShape a constant at each inlined call site). */
export function convexControlForRightCurvatureX2(xl: v128, xr: v128, yl: v128, yr: v128, dl: v128, dr: v128, d2r: v128, preferShape: bool): v128 {
  const h = f64x2.sub(xr, xl);
  const num = f64x2.add(f64x2.mul(f64x2.mul(kr(3), h), d2r), f64x2.sub(dr, dl));
  const secant = f64x2.div(f64x2.sub(yr, yl), h);
  const r = controlFromRatioX2(num, f64x2.sub(dr, secant));
  return f64x2.max(r, minimumControlX2(dl, dr, f64x2.div(f64x2.sub(yr, yl), f64x2.sub(xr, xl)), preferShape));
}
