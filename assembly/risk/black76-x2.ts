// Undiscounted Black-76 values of two scenarios at once (f64x2), for the revaluation loop:
// black76Undiscounted of pricing/normalised-black.ts lane for lane. The central and small-t
// regions of Jaeckel's normalised Black run on f64x2 with the same operations in the same order
// (WASM SIMD has no fused multiply-add, and the f64x2 density and distribution functions of
// math/f64x2-normal.ts give the scalar functions' bits), so every lane is bit for bit the scalar
// value; lanes in the asymptotic region (a < -10), a degenerate s, and the e^{x} of the central
// region's second density go through the scalar code per lane. Keep in step with
// pricing/normalised-black.ts (normalisedOtmCallUnscaledGivenPdf, smallTDifference).

import { black76Undiscounted, normalisedOtmCallUnscaled } from "../pricing/normalised-black";
import { NORMAL_CENTRAL_LIMIT } from "../math/normal-distribution";
import { normalPdfX2, normalCdfGivenPdfX2, normalCdfOverPdfGivenPdfX2, normalCdfOverPdfX2 } from "../math/f64x2-normal";

const ASYMPTOTIC_LIMIT: f64 = -10.0;
const SMALL_T_LIMIT: f64 = 0.21;

/** Y(h+t) - Y(h-t) by its Taylor series in t about h (smallTDifference), lane-wise. */
// @ts-ignore: decorator
@inline
function smallTDifferenceX2(h: v128, t: v128): v128 {
  let yPrev = normalCdfOverPdfX2(h);
  let yCur = f64x2.add(f64x2.splat(1.0), f64x2.mul(h, yPrev));
  let power = t;
  let sum = f64x2.mul(yCur, power);
  const t2 = f64x2.mul(t, t);
  for (let n = 1; n < 15; n += 2) {
    const yNext = f64x2.add(f64x2.mul(h, yCur), f64x2.mul(f64x2.splat(<f64>n), yPrev));
    const yNext2 = f64x2.add(f64x2.mul(h, yNext), f64x2.mul(f64x2.splat(<f64>(n + 1)), yCur));
    yPrev = yNext;
    yCur = yNext2;
    power = f64x2.mul(power, f64x2.div(t2, f64x2.splat(<f64>(n + 1) * <f64>(n + 2))));
    sum = f64x2.add(sum, f64x2.mul(yCur, power));
  }
  return f64x2.mul(f64x2.splat(2.0), sum);
}

/** normalisedOtmCallUnscaled(x, s) lane-wise for x <= 0, s > 1e-100. */
// @ts-ignore: decorator
@inline
function otmCallUnscaledX2(x: v128, s: v128): v128 {
  const h = f64x2.div(x, s);
  const t = f64x2.mul(f64x2.splat(0.5), s);
  const a = f64x2.add(h, t);
  // The density's argument is x / s + 0.5 s, formed as the scalar forms it.
  const pdfA = normalPdfX2(f64x2.add(f64x2.div(x, s), f64x2.mul(f64x2.splat(0.5), s)));
  if (v128.any_true(f64x2.lt(a, f64x2.splat(ASYMPTOTIC_LIMIT)))) {
    return f64x2.replace_lane(
      f64x2.splat(normalisedOtmCallUnscaled(f64x2.extract_lane(x, 0), f64x2.extract_lane(s, 0))),
      1, normalisedOtmCallUnscaled(f64x2.extract_lane(x, 1), f64x2.extract_lane(s, 1)),
    );
  }
  const small = f64x2.lt(t, f64x2.splat(SMALL_T_LIMIT));
  const allSmall = i64x2.all_true(small);
  let smallValue = f64x2.splat(0.0);
  if (v128.any_true(small)) {
    smallValue = f64x2.mul(pdfA, smallTDifferenceX2(h, t));
    if (allSmall) return smallValue;
  }
  const b = f64x2.sub(h, t);
  const central = f64x2.le(f64x2.abs(b), f64x2.splat(NORMAL_CENTRAL_LIMIT));
  let pdfB = f64x2.splat(0.0);
  if (v128.any_true(central)) {
    const e = f64x2.replace_lane(f64x2.splat(Math.exp(f64x2.extract_lane(x, 0))), 1, Math.exp(f64x2.extract_lane(x, 1)));
    pdfB = v128.and(f64x2.mul(pdfA, e), central);
  }
  const value = f64x2.sub(normalCdfGivenPdfX2(a, pdfA), f64x2.mul(pdfA, normalCdfOverPdfGivenPdfX2(b, pdfB)));
  return v128.bitselect(smallValue, value, small);
}

/**
 * black76Undiscounted(F, K, x, s, theta) for two lanes of F, x = ln(F/K) and s = vol sqrt(T)
 * (K and theta = +-1 shared): each lane bit for bit the scalar function.
 */
// @ts-ignore: decorator
@inline
export function black76UndiscountedX2(F: v128, K: f64, x: v128, s: v128, theta: f64): v128 {
  if (!i64x2.all_true(f64x2.gt(s, f64x2.splat(1e-100)))) {
    return f64x2.replace_lane(
      f64x2.splat(black76Undiscounted(f64x2.extract_lane(F, 0), K, f64x2.extract_lane(x, 0), f64x2.extract_lane(s, 0), theta)),
      1, black76Undiscounted(f64x2.extract_lane(F, 1), K, f64x2.extract_lane(x, 1), f64x2.extract_lane(s, 1), theta),
    );
  }
  const th = f64x2.splat(theta);
  const K2 = f64x2.splat(K);
  const intrinsic = v128.and(f64x2.mul(th, f64x2.sub(F, K2)), f64x2.gt(f64x2.mul(th, x), f64x2.splat(0.0)));
  return f64x2.add(intrinsic, f64x2.mul(f64x2.min(F, K2), otmCallUnscaledX2(f64x2.neg(f64x2.abs(x)), s)));
}
