// Butterfly-arbitrage scan of one raw SVI slice: Durrleman's g(k) on a uniform log-moneyness grid
// (Gatheral & Jacquier 2014, eq. 2.1). Mirrored in src/kernels/calibration/svi-butterfly.ts
// (scanSviButterfly, which the public sviButterflyCheck also runs).
//
// w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)), k_i = kMin + ((kMax - kMin) i) / (points - 1);
// g = (1 - k w' / (2 w))^2 - w'^2 / 4 (1 / w + 1 / 4) + w'' / 2, taken as -Infinity where w <= 0
// or g is NaN. Parameters at pParams: [a, b, rho, m, sigma] (f64).

/**
 * out[0] = min over the grid of g (Infinity when no point is below it), out[1] = the first index
 * where it is reached (-1 for none), out[2] = the number of points with g < 0. Returns 0, or 1 for
 * a malformed call (points < 2).
 */
export function sviButterflyGrid(pParams: usize, kMin: f64, kMax: f64, points: i32, pOut: usize): i32 {
  if (points < 2) return 1;
  const a = load<f64>(pParams);
  const b = load<f64>(pParams + 8);
  const rho = load<f64>(pParams + 16);
  const m = load<f64>(pParams + 24);
  const sigma = load<f64>(pParams + 32);
  const bss = b * sigma * sigma, ss = sigma * sigma, span = kMax - kMin, last = <f64>(points - 1);
  // Two grid points per f64x2 (each lane the scalar loop's operations in its order, the branches
  // as selects: the same bits); each lane keeps its own first minimum, merged below (the smaller
  // value, on a tie the smaller index: the scalar loop's first minimum).
  const vKMin = f64x2.splat(kMin), vSpan = f64x2.splat(span), vLast = f64x2.splat(last);
  const va = f64x2.splat(a), vb = f64x2.splat(b), vrho = f64x2.splat(rho), vm = f64x2.splat(m);
  const vss = f64x2.splat(ss), vbss = f64x2.splat(bss);
  const one = f64x2.splat(1.0), two = f64x2.splat(2.0), four = f64x2.splat(4.0), quarter = f64x2.splat(0.25), zero = f64x2.splat(0.0);
  const minusInf = f64x2.splat(-Infinity);
  let vMin = f64x2.splat(Infinity), vAt = f64x2.splat(-1.0);
  let vIdx = f64x2(0.0, 1.0);
  const vStep = f64x2.splat(2.0);
  let vNeg = i64x2.splat(0);
  const pairs = points & ~1;
  for (let i = 0; i < pairs; i += 2) {
    const k = f64x2.add(vKMin, f64x2.div(f64x2.mul(vSpan, vIdx), vLast));
    const d = f64x2.sub(k, vm);
    const q = f64x2.sqrt(f64x2.add(f64x2.mul(d, d), vss));
    const w = f64x2.add(va, f64x2.mul(vb, f64x2.add(f64x2.mul(vrho, d), q)));
    const dw = f64x2.mul(vb, f64x2.add(vrho, f64x2.div(d, q)));
    const d2w = f64x2.div(vbss, f64x2.mul(f64x2.mul(q, q), q));
    const t = f64x2.sub(one, f64x2.div(f64x2.mul(k, dw), f64x2.mul(two, w)));
    const g0 = f64x2.add(
      f64x2.sub(f64x2.mul(t, t), f64x2.mul(f64x2.div(f64x2.mul(dw, dw), four), f64x2.add(f64x2.div(one, w), quarter))),
      f64x2.div(d2w, two),
    );
    const ok = v128.and(f64x2.gt(w, zero), f64x2.eq(g0, g0));
    const g = v128.bitselect(g0, minusInf, ok);
    vNeg = i64x2.sub(vNeg, f64x2.lt(g, zero));
    const lower = f64x2.lt(g, vMin);
    vMin = v128.bitselect(g, vMin, lower);
    vAt = v128.bitselect(vIdx, vAt, lower);
    vIdx = f64x2.add(vIdx, vStep);
  }
  let minG = f64x2.extract_lane(vMin, 0), at = f64x2.extract_lane(vAt, 0);
  const min1 = f64x2.extract_lane(vMin, 1), at1 = f64x2.extract_lane(vAt, 1);
  if (min1 < minG || (min1 == minG && at1 >= 0.0 && (at < 0.0 || at1 < at))) {
    minG = min1;
    at = at1;
  }
  let negative = <f64>(i64x2.extract_lane(vNeg, 0) + i64x2.extract_lane(vNeg, 1));
  for (let i = pairs; i < points; i++) {
    const k = kMin + (span * <f64>i) / last;
    const d = k - m;
    const q = Math.sqrt(d * d + ss);
    const w = a + b * (rho * d + q), dw = b * (rho + d / q), d2w = bss / (q * q * q);
    let g: f64;
    if (!(w > 0.0)) g = -Infinity;
    else {
      const t = 1.0 - (k * dw) / (2.0 * w);
      g = t * t - ((dw * dw) / 4.0) * (1.0 / w + 0.25) + d2w / 2.0;
      if (isNaN(g)) g = -Infinity;
    }
    if (g < 0.0) negative += 1.0;
    if (g < minG) {
      minG = g;
      at = <f64>i;
    }
  }
  store<f64>(pOut, minG);
  store<f64>(pOut + 8, at);
  store<f64>(pOut + 16, negative);
  return 0;
}
