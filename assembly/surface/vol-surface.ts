// [surface] A volatility surface of raw SVI slices, evaluated at a batch of points: implied vol,
// total variance or Dupire local vol. Mirrored in src/kernels/surface/vol-surface.ts (bit for bit:
// only + - * / sqrt and the shared log of ../math/elementary, in the same order).
//
// Slices at pSlices, ascending expiry, column-major: six columns of nSlices f64 each, in the order
// T, a, b, rho, m, sigma (so the parameters of two consecutive slices are one v128 load),
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
import { logX2 } from "../math/f64x2-elementary";
import { STATUS_OK, STATUS_INVALID_INPUT, STATUS_ARBITRAGE } from "../status";

// Column offsets (in f64) of the slice block, times nSlices.
const COL_T: i32 = 0, COL_A: i32 = 1, COL_B: i32 = 2, COL_RHO: i32 = 3, COL_M: i32 = 4, COL_SIGMA: i32 = 5;

// ln F(T): linear in T through the rows [T_j, ln F_j] (ascending T) at pForwards, end segments extended.
// Exported for kernels that walk a surface point by point (a local-vol Monte Carlo).
// @ts-ignore: decorator
@inline
export function surfaceLogForward(pForwards: usize, nForwards: i32, T: f64): f64 {
  if (nForwards == 1) return load<f64>(pForwards + 8);
  let j: i32 = 1;
  while (j < nForwards - 1 && load<f64>(pForwards + (<usize>(2 * j) << 3)) < T) j++;
  const pa = pForwards + (<usize>(2 * (j - 1)) << 3), pb = pForwards + (<usize>(2 * j) << 3);
  const Ta = load<f64>(pa), La = load<f64>(pa + 8), Tb = load<f64>(pb), Lb = load<f64>(pb + 8);
  return La + ((T - Ta) / (Tb - Ta)) * (Lb - La);
}

/**
 * The surface at one point (k = ln(K / F(T)) finite, T in (0, inf)): implied vol (output 0),
 * total variance (1) or local vol (2); NaN where total variance <= 0 or, for local vol, the
 * denominator is <= 0 or dw/dT < 0 (arbitrage). Exported for kernels that walk a surface point by
 * point (a local-vol Monte Carlo); the JS twin's surfaceValueAt is the same operations.
 */
// @ts-ignore: decorator
@inline
export function surfaceValueAt(k: f64, T: f64, output: i32, nSlices: i32, pSlices: usize, extrapolation: i32): f64 {
  const last = nSlices - 1;
  const col = <usize>nSlices << 3; // bytes per column of the slice block
  const needDerivatives = output == 2;
  // lo = number of slices with expiry < T: a branchless lower bound (a fixed number of steps for
  // a given nSlices, each a select), since random expiries would mispredict every branch.
  let base: i32 = 0, len: i32 = nSlices;
  while (len > 1) {
    const half = len >> 1;
    base = select<i32>(base + half, base, load<f64>(pSlices + (<usize>(base + half) << 3)) < T);
    len -= half;
  }
  const lo: i32 = base + <i32>(load<f64>(pSlices + (<usize>base << 3)) < T);
  let w: f64, wT: f64, wk: f64 = 0, wkk: f64 = 0;
  if (lo == 0 || (lo == nSlices && (extrapolation == 0 || nSlices == 1))) {
    const s = <usize>(lo == 0 ? 0 : last) << 3;
    const T0 = load<f64>(pSlices + s);
    const d = k - load<f64>(pSlices + col * COL_M + s);
    const sg = load<f64>(pSlices + col * COL_SIGMA + s);
    const q = Math.sqrt(d * d + sg * sg);
    const b = load<f64>(pSlices + col * COL_B + s), rho = load<f64>(pSlices + col * COL_RHO + s);
    const w0 = load<f64>(pSlices + col * COL_A + s) + b * (rho * d + q);
    const scale = T / T0;
    w = scale * w0;
    wT = w0 / T0;
    if (needDerivatives) {
      wk = scale * (b * (rho + d / q));
      wkk = scale * ((b * sg * sg) / (q * q * q));
    }
  } else {
    // Slices lo - 1 and lo (or the last pair past the last slice), one per lane: the same
    // operations as the scalar branch above, lane by lane.
    const s = <usize>((lo == nSlices ? last : lo) - 1) << 3;
    const vT = v128.load(pSlices + s);
    const vd = f64x2.sub(f64x2.splat(k), v128.load(pSlices + col * COL_M + s));
    const vsg = v128.load(pSlices + col * COL_SIGMA + s);
    const vq = f64x2.sqrt(f64x2.add(f64x2.mul(vd, vd), f64x2.mul(vsg, vsg)));
    const vb = v128.load(pSlices + col * COL_B + s), vrho = v128.load(pSlices + col * COL_RHO + s);
    const vw = f64x2.add(v128.load(pSlices + col * COL_A + s), f64x2.mul(vb, f64x2.add(f64x2.mul(vrho, vd), vq)));
    const T0 = f64x2.extract_lane(vT, 0), T1 = f64x2.extract_lane(vT, 1);
    const w0 = f64x2.extract_lane(vw, 0), w1 = f64x2.extract_lane(vw, 1);
    const dT = T1 - T0;
    const alpha = (T - T0) / dT;
    w = w0 + alpha * (w1 - w0);
    wT = (w1 - w0) / dT;
    if (needDerivatives) {
      const vwk = f64x2.mul(vb, f64x2.add(vrho, f64x2.div(vd, vq)));
      const vwkk = f64x2.div(f64x2.mul(f64x2.mul(vb, vsg), vsg), f64x2.mul(f64x2.mul(vq, vq), vq));
      const wk0 = f64x2.extract_lane(vwk, 0), wk1 = f64x2.extract_lane(vwk, 1);
      const wkk0 = f64x2.extract_lane(vwkk, 0), wkk1 = f64x2.extract_lane(vwkk, 1);
      wk = wk0 + alpha * (wk1 - wk0);
      wkk = wkk0 + alpha * (wkk1 - wkk0);
    }
  }
  if (!(w > 0.0)) return NaN;
  if (output == 0) return Math.sqrt(w / T);
  if (output == 1) return w;
  const kw = k / w;
  const g = 1.0 - kw * wk + 0.25 * (-0.25 - 1.0 / w + kw * kw) * (wk * wk) + 0.5 * wkk;
  if (!(g > 0.0) || !(wT >= 0.0)) return NaN;
  return Math.sqrt(wT / g);
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
  // Strikes: the logs of two strikes at a time (each lane bit for bit the scalar log).
  let logOdd: f64 = 0;
  for (let i: i32 = 0; i < n; i++) {
    let logX: f64 = 0;
    if (strikeInput == 1) {
      if ((i & 1) == 1) logX = logOdd;
      else if (i + 1 < n) {
        const v = logX2(v128.load(pX + (<usize>i << 3)));
        logX = f64x2.extract_lane(v, 0);
        logOdd = f64x2.extract_lane(v, 1);
      } else logX = log(load<f64>(pX + (<usize>i << 3)));
    }
    const T = load<f64>(pExpiry + (broadcastExpiry == 1 ? 0 : <usize>i << 3));
    const x = load<f64>(pX + (<usize>i << 3));
    if (!(T > 0.0) || T == Infinity || !(x - x == 0.0) || (strikeInput == 1 && !(x > 0.0))) {
      store<f64>(pOut + (<usize>i << 3), NaN);
      store<u8>(pStatus + <usize>i, STATUS_INVALID_INPUT);
      continue;
    }
    const k: f64 = strikeInput == 1 ? logX - surfaceLogForward(pForwards, nForwards, T) : x;
    const v = surfaceValueAt(k, T, output, nSlices, pSlices, extrapolation);
    store<f64>(pOut + (<usize>i << 3), v);
    store<u8>(pStatus + <usize>i, v == v ? STATUS_OK : STATUS_ARBITRAGE);
  }
  return 0;
}
