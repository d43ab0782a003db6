// [surface] A volatility surface of raw SVI slices, evaluated at a batch of points: implied vol,
// total variance or Dupire local vol. Mirrored in src/kernels/surface/vol-surface.ts (bit for bit:
// only + - * / sqrt and the shared log of ../math/elementary, in the same order).
//
// Slices at pSlices, ascending expiry, SURFACE_SLICE_COLUMNS f64 each: [T, a, b, rho, m, sigma],
// w_i(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)) with k = ln(K / F_T) (Gatheral 2004).
// In time, at fixed k: w = (T / T_1) w_1(k) before the first slice (0 at T = 0); linear in T
// between consecutive slices (so w(k, .) is nondecreasing wherever w_{i+1}(k) >= w_i(k): calendar
// monotonicity is kept, a violation shows as dw/dT < 0); after the last, constant implied vol
// (extrapolation 0: w = (T / T_n) w_n(k)) or the last pair's forward variance carried on
// (extrapolation 1, linear extension; one slice: constant vol).
// Local vol (output 2): Gatheral (2006) eq. 1.10,
//   sigma_loc^2 = (dw/dT) / (1 - k/w dw/dk + 1/4 (-1/4 - 1/w + k^2/w^2) (dw/dk)^2 + 1/2 d2w/dk2),
// with dw/dk, d2w/dk2 from the SVI closed forms interpolated like w, dw/dT the slope of the scheme.

import { log } from "../math/elementary";
import { STATUS_OK, STATUS_INVALID_INPUT, STATUS_ARBITRAGE } from "../status";

const SURFACE_SLICE_COLUMNS: i32 = 6;

// ln F(T): linear in T through the rows [T_j, ln F_j] (ascending T) at pForwards, end segments extended.
// @ts-ignore: decorator
@inline
function logForward(pForwards: usize, nForwards: i32, T: f64): f64 {
  if (nForwards == 1) return load<f64>(pForwards + 8);
  let j: i32 = 1;
  while (j < nForwards - 1 && load<f64>(pForwards + (<usize>(2 * j) << 3)) < T) j++;
  const pa = pForwards + (<usize>(2 * (j - 1)) << 3), pb = pForwards + (<usize>(2 * j) << 3);
  const Ta = load<f64>(pa), La = load<f64>(pa + 8), Tb = load<f64>(pb), Lb = load<f64>(pb + 8);
  return La + ((T - Ta) / (Tb - Ta)) * (Lb - La);
}

/**
 * For i < n: out[i] = implied vol (output 0), total variance (1) or local vol (2) at
 * (x[i], T[i]) (T[0] for all with broadcastExpiry 1), x a strike (strikeInput 1) or a
 * log-moneyness (0); status[i] ok, invalidInput (T not in (0, inf), x not finite, strike <= 0) or
 * arbitrage (w <= 0; local vol: denominator <= 0 or dw/dT < 0), with NaN. Returns 0, or 1 for a
 * malformed call (n < 0, no slice or forward node, a flag out of range).
 */
export function volSurfaceEvaluate(
  n: i32, pX: usize, pExpiry: usize, broadcastExpiry: i32, strikeInput: i32, output: i32,
  nSlices: i32, pSlices: usize, nForwards: i32, pForwards: usize, extrapolation: i32, pOut: usize, pStatus: usize,
): i32 {
  if (n < 0 || nSlices < 1 || nForwards < 1 || broadcastExpiry < 0 || broadcastExpiry > 1 || strikeInput < 0 || strikeInput > 1 ||
    output < 0 || output > 2 || extrapolation < 0 || extrapolation > 1) return 1;
  const last = nSlices - 1;
  const needDerivatives = output == 2;
  for (let i: i32 = 0; i < n; i++) {
    const T = load<f64>(pExpiry + (broadcastExpiry == 1 ? 0 : <usize>i << 3));
    const x = load<f64>(pX + (<usize>i << 3));
    if (!(T > 0.0) || T == Infinity || !(x - x == 0.0) || (strikeInput == 1 && !(x > 0.0))) {
      store<f64>(pOut + (<usize>i << 3), NaN);
      store<u8>(pStatus + <usize>i, STATUS_INVALID_INPUT);
      continue;
    }
    const k: f64 = strikeInput == 1 ? log(x) - logForward(pForwards, nForwards, T) : x;
    let lo: i32 = 0, hi: i32 = nSlices;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (load<f64>(pSlices + (<usize>(mid * SURFACE_SLICE_COLUMNS) << 3)) < T) lo = mid + 1;
      else hi = mid;
    }
    let w: f64, wT: f64, wk: f64 = 0, wkk: f64 = 0;
    if (lo == 0 || (lo == nSlices && (extrapolation == 0 || nSlices == 1))) {
      const r = pSlices + (<usize>((lo == 0 ? 0 : last) * SURFACE_SLICE_COLUMNS) << 3);
      const T0 = load<f64>(r);
      const d = k - load<f64>(r, 32);
      const sg = load<f64>(r, 40);
      const q = Math.sqrt(d * d + sg * sg);
      const b = load<f64>(r, 16), rho = load<f64>(r, 24);
      const w0 = load<f64>(r, 8) + b * (rho * d + q);
      const scale = T / T0;
      w = scale * w0;
      wT = w0 / T0;
      if (needDerivatives) {
        wk = scale * (b * (rho + d / q));
        wkk = scale * ((b * sg * sg) / (q * q * q));
      }
    } else {
      const s1 = lo == nSlices ? last : lo;
      const r0 = pSlices + (<usize>((s1 - 1) * SURFACE_SLICE_COLUMNS) << 3), r1 = pSlices + (<usize>(s1 * SURFACE_SLICE_COLUMNS) << 3);
      const T0 = load<f64>(r0), T1 = load<f64>(r1);
      const d0 = k - load<f64>(r0, 32), d1 = k - load<f64>(r1, 32);
      const sg0 = load<f64>(r0, 40), sg1 = load<f64>(r1, 40);
      const q0 = Math.sqrt(d0 * d0 + sg0 * sg0), q1 = Math.sqrt(d1 * d1 + sg1 * sg1);
      const b0 = load<f64>(r0, 16), b1 = load<f64>(r1, 16), rho0 = load<f64>(r0, 24), rho1 = load<f64>(r1, 24);
      const w0 = load<f64>(r0, 8) + b0 * (rho0 * d0 + q0);
      const w1 = load<f64>(r1, 8) + b1 * (rho1 * d1 + q1);
      const dT = T1 - T0;
      const alpha = (T - T0) / dT;
      w = w0 + alpha * (w1 - w0);
      wT = (w1 - w0) / dT;
      if (needDerivatives) {
        const wk0 = b0 * (rho0 + d0 / q0), wk1 = b1 * (rho1 + d1 / q1);
        const wkk0 = (b0 * sg0 * sg0) / (q0 * q0 * q0), wkk1 = (b1 * sg1 * sg1) / (q1 * q1 * q1);
        wk = wk0 + alpha * (wk1 - wk0);
        wkk = wkk0 + alpha * (wkk1 - wkk0);
      }
    }
    if (!(w > 0.0)) {
      store<f64>(pOut + (<usize>i << 3), NaN);
      store<u8>(pStatus + <usize>i, STATUS_ARBITRAGE);
      continue;
    }
    let v: f64;
    if (output == 0) v = Math.sqrt(w / T);
    else if (output == 1) v = w;
    else {
      const kw = k / w;
      const g = 1.0 - kw * wk + 0.25 * (-0.25 - 1.0 / w + kw * kw) * (wk * wk) + 0.5 * wkk;
      if (!(g > 0.0) || !(wT >= 0.0)) {
        store<f64>(pOut + (<usize>i << 3), NaN);
        store<u8>(pStatus + <usize>i, STATUS_ARBITRAGE);
        continue;
      }
      v = Math.sqrt(wT / g);
    }
    store<f64>(pOut + (<usize>i << 3), v);
    store<u8>(pStatus + <usize>i, STATUS_OK);
  }
  return 0;
}
