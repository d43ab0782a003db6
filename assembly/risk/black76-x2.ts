// Undiscounted Black-76 values of two scenarios at once (f64x2), for the revaluation loop:
// black76Undiscounted of pricing/normalised-black.ts lane for lane. The out-of-the-money part is
// pricing's normalisedOtmCallUnscaledX2 (its central and small-t regions on f64x2 with the scalar's
// operations in the same order; WASM SIMD has no fused multiply-add), so every lane is bit for bit
// the scalar value; a degenerate s goes through the scalar code per lane.
import { black76Undiscounted, normalisedOtmCallUnscaledX2 } from "../pricing/normalised-black";

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
  return f64x2.add(intrinsic, f64x2.mul(f64x2.min(F, K2), normalisedOtmCallUnscaledX2(f64x2.neg(f64x2.abs(x)), s)));
}
