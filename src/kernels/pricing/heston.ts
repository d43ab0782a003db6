// Pure-JS twin of assembly/pricing/heston.ts (same kernel, same argument order; the heap views
// come first). See that file for the method, the references and the layout of the work area.

import { normalisedBlack } from './normalised-black.js';
import { exp, log, log1p } from '../math/elementary.js';
import { sinCos, SIN_COS, expm1, atan2 } from '../math/trig.js';
import { STATUS_OK, STATUS_INVALID_INPUT, STATUS_NOT_CONVERGED } from '../status.js';
import type { KernelHeap } from '../heap.js';
import { BATES_WORK_STRIDE, HESTON_WORK_STRIDE } from './layout.js';

/** Oscillations of e^{iux} per panel at the group's largest |x|. */
const OSCILLATIONS_PER_PANEL = 3.0;
/** Largest truncation point tried by the doubling search. */
const U_LIMIT = 1048576.0;

// Complex results of the helpers below (no allocation: module-level scratch, like the AS twin).
let RE = 0.0;
let IM = 0.0;

/** Principal square root; Re >= 0. */
function csqrt(a: number, b: number): void {
  if (a === 0.0 && b === 0.0) {
    RE = 0.0;
    IM = 0.0;
    return;
  }
  const t = Math.sqrt(0.5 * (Math.abs(a) + Math.sqrt(a * a + b * b)));
  if (a >= 0.0) {
    RE = t;
    IM = b / (2.0 * t);
  } else {
    RE = Math.abs(b) / (2.0 * t);
    IM = b >= 0.0 ? t : -t;
  }
}

/** (a + ib) / (c + id). */
function cdiv(a: number, b: number, c: number, d: number): void {
  if (Math.abs(c) >= Math.abs(d)) {
    const r = d / c;
    const den = c + d * r;
    RE = (a + b * r) / den;
    IM = (b - a * r) / den;
  } else {
    const r = c / d;
    const den = c * r + d;
    RE = (a * r + b) / den;
    IM = (b * r - a) / den;
  }
}

/** exp(a + ib) - 1 without cancellation for small |a + ib|. */
function cexpm1(a: number, b: number): void {
  // cos b - 1 = -2 sin^2(b/2), sin b = 2 sin(b/2) cos(b/2), e^a = 1 + expm1(a).
  sinCos(0.5 * b);
  const s = SIN_COS[0]!, c = SIN_COS[1]!, m = expm1(a);
  const cm1 = -2.0 * s * s;
  RE = m * (1.0 + cm1) + cm1;
  IM = (1.0 + m) * 2.0 * s * c;
}

/** Principal log(1 + a + ib), accurate for small |a + ib|. */
function clog1p(a: number, b: number): void {
  RE = 0.5 * log1p(a * (2.0 + a) + b * b);
  IM = atan2(b, 1.0 + a);
}

/**
 * ln phi(u - i/2) of X = ln(S_T / F) and, if `grad`, d ln phi / d(v0, kappa, theta, sigma, rho),
 * written to the work area at index `at` as [lnphi (2), dlnphi (5 x 2)] (the caller turns them
 * into phi and dphi). Little-trap form; see the AS twin for the derivation.
 */
function logCharacteristic(
  f64: Float64Array, at: number, u: number, T: number,
  v0: number, kappa: number, theta: number, sigma: number, rho: number, grad: boolean,
): void {
  const b = u * u + 0.25; // z^2 + iz at z = u - i/2: real on this contour
  const s2 = sigma * sigma;
  const br = kappa - 0.5 * rho * sigma; // beta = kappa - i rho sigma z
  const bi = -rho * sigma * u;
  csqrt(br * br - bi * bi + s2 * b, 2.0 * br * bi);
  const dr = RE, di = IM;
  // beta +/- d: the larger directly, the other from (beta + d)(beta - d) = -sigma^2 b.
  let pr = br + dr, pi = bi + di, mr = br - dr, mi = bi - di;
  if (pr * pr + pi * pi >= mr * mr + mi * mi) {
    cdiv(-s2 * b, 0.0, pr, pi);
    mr = RE;
    mi = IM;
  } else {
    cdiv(-s2 * b, 0.0, mr, mi);
    pr = RE;
    pi = IM;
  }
  cexpm1(-dr * T, -di * T);
  const er = RE, ei = IM; // e - 1, e = exp(-dT)
  const xr = 1.0 + er, xi = ei; // e
  // Q = (beta + d) - (beta - d) e
  const qr = pr - (mr * xr - mi * xi), qi = pi - (mr * xi + mi * xr);
  // B = b (e - 1) / Q
  cdiv(b * er, b * ei, qr, qi);
  const Br = RE, Bi = IM;
  // L = ln(Q / 2d) = log1p(W), W = -(beta - d)(e - 1) / (2d)
  cdiv(-(mr * er - mi * ei), -(mr * ei + mi * er), 2.0 * dr, 2.0 * di);
  clog1p(RE, IM);
  const Lr = RE, Li = IM;
  // Cbar = (beta - d) T - 2 L;  ln phi = kappa theta / sigma^2 Cbar + v0 B
  const cr = mr * T - 2.0 * Lr, ci = mi * T - 2.0 * Li;
  const kt = (kappa * theta) / s2;
  f64[at] = kt * cr + v0 * Br;
  f64[at + 1] = kt * ci + v0 * Bi;
  if (!grad) return;
  // 1/d, 1/Q and Q^2 for the chain rule.
  cdiv(1.0, 0.0, dr, di);
  const idr = RE, idi = IM;
  cdiv(1.0, 0.0, qr, qi);
  const iqr = RE, iqi = IM;
  // d/dv0 = B, d/dtheta = kappa / sigma^2 Cbar
  f64[at + 2] = Br;
  f64[at + 3] = Bi;
  f64[at + 6] = (kappa / s2) * cr;
  f64[at + 7] = (kappa / s2) * ci;
  for (let k = 0; k < 3; k++) {
    // k = 0: kappa, 1: sigma, 2: rho. dbeta and d(d^2).
    let gbr: number, gbi: number, gdd2r: number, gdd2i: number;
    if (k === 0) {
      gbr = 1.0;
      gbi = 0.0;
    } else if (k === 1) {
      gbr = -0.5 * rho;
      gbi = -rho * u;
    } else {
      gbr = -0.5 * sigma;
      gbi = -sigma * u;
    }
    gdd2r = 2.0 * (br * gbr - bi * gbi);
    gdd2i = 2.0 * (br * gbi + bi * gbr);
    if (k === 1) gdd2r += 2.0 * sigma * b;
    // dd = d(d^2) / (2d)
    const gdr = 0.5 * (gdd2r * idr - gdd2i * idi), gdi = 0.5 * (gdd2r * idi + gdd2i * idr);
    // de = -T e dd
    const ger = -T * (xr * gdr - xi * gdi), gei = -T * (xr * gdi + xi * gdr);
    // dQ = (dbeta + dd) - (dbeta - dd) e - (beta - d) de
    const mdr = gbr - gdr, mdi = gbi - gdi;
    const gqr = gbr + gdr - (mdr * xr - mdi * xi) - (mr * ger - mi * gei);
    const gqi = gbi + gdi - (mdr * xi + mdi * xr) - (mr * gei + mi * ger);
    // dQ/Q
    const qqr = gqr * iqr - gqi * iqi, qqi = gqr * iqi + gqi * iqr;
    // dB = (b de - B dQ) / Q
    const tr = b * ger - (Br * gqr - Bi * gqi), ti = b * gei - (Br * gqi + Bi * gqr);
    const gBr = tr * iqr - ti * iqi, gBi = tr * iqi + ti * iqr;
    // dL = dQ/Q - dd/d;  dCbar = (dbeta - dd) T - 2 dL
    const gLr = qqr - (gdr * idr - gdi * idi), gLi = qqi - (gdr * idi + gdi * idr);
    const gcr = mdr * T - 2.0 * gLr, gci = mdi * T - 2.0 * gLi;
    let outR = kt * gcr + v0 * gBr, outI = kt * gci + v0 * gBi;
    if (k === 0) {
      outR += (theta / s2) * cr;
      outI += (theta / s2) * ci;
      f64[at + 4] = outR;
      f64[at + 5] = outI;
    } else if (k === 1) {
      outR -= ((2.0 * kt) / sigma) * cr;
      outI -= ((2.0 * kt) / sigma) * ci;
      f64[at + 8] = outR;
      f64[at + 9] = outI;
    } else {
      f64[at + 10] = outR;
      f64[at + 11] = outI;
    }
  }
}

// Merton lognormal jumps of the current batch (Bates 1996): intensity, mean and sd of the log jump.
let JUMPS = false;
let LAMBDA = 0.0;
let MU_J = 0.0;
let DELTA_J = 0.0;

/**
 * Adds the jump part of ln phi(z), z = u - i/2, to the work area at `at` (ln phi at at, at + 1) and,
 * if `grad`, its derivatives in (lambda, muJ, deltaJ) at at + 12 .. at + 17:
 * ln phi_J = T lambda (e^E - 1 - iz kbar), E = iz muJ - z^2 deltaJ^2 / 2, kbar = e^{muJ + deltaJ^2/2} - 1
 * (the compensator keeps E[S_T] = F: ln phi_J(-i) = 0). On the contour iz = 1/2 + iu and
 * z^2 = u^2 - 1/4 - iu, so Re E = muJ/2 - deltaJ^2 (u^2 - 1/4)/2 and Im E = u (muJ + deltaJ^2/2).
 */
function addJumps(f64: Float64Array, at: number, u: number, T: number, grad: boolean): void {
  const d2 = DELTA_J * DELTA_J;
  const kb1 = exp(MU_J + 0.5 * d2); // kbar + 1
  const kbar = expm1(MU_J + 0.5 * d2);
  const m = exp(0.5 * MU_J - 0.5 * d2 * (u * u - 0.25)), a = u * (MU_J + 0.5 * d2);
  sinCos(a);
  const eR = m * SIN_COS[1]!, eI = m * SIN_COS[0]!;
  // e^E - 1 - iz kbar, with iz kbar = kbar/2 + i u kbar
  const jr = eR - 1.0 - 0.5 * kbar, ji = eI - u * kbar;
  f64[at] += T * LAMBDA * jr;
  f64[at + 1] += T * LAMBDA * ji;
  if (!grad) return;
  const tl = T * LAMBDA;
  f64[at + 12] = T * jr;
  f64[at + 13] = T * ji;
  // d/dmuJ: (e^E - kb1) iz, iz = 1/2 + iu
  const xr = eR - kb1, xi = eI;
  f64[at + 14] = tl * (0.5 * xr - u * xi);
  f64[at + 15] = tl * (0.5 * xi + u * xr);
  // d/ddeltaJ: deltaJ (e^E (-z^2) - kb1 iz), -z^2 = 1/4 - u^2 + iu
  const zr = 0.25 - u * u;
  const yr = eR * zr - eI * u - 0.5 * kb1, yi = eR * u + eI * zr - u * kb1;
  f64[at + 16] = tl * DELTA_J * yr;
  f64[at + 17] = tl * DELTA_J * yi;
}

/** Envelope u max(|phi|, phi_BS) / (u^2 + 1/4) of the integrand tail, for the truncation search. */
function tailEnvelope(f64: Float64Array, at: number, u: number, T: number, w: number,
  v0: number, kappa: number, theta: number, sigma: number, rho: number): number {
  logCharacteristic(f64, at, u, T, v0, kappa, theta, sigma, rho, false);
  if (JUMPS) addJumps(f64, at, u, T, false);
  const b = u * u + 0.25;
  return (u * Math.max(exp(f64[at]), exp(-0.5 * w * T * b))) / b;
}

/**
 * Heston (1993) European prices and their gradient with respect to (v0, kappa, theta, sigma, rho)
 * for a batch; see assembly/pricing/heston.ts.
 */
export function hestonPriceBatch(
  heap: KernelHeap, n: number, pForward: number, pStrike: number, pExpiry: number, pDiscount: number, pType: number,
  v0: number, kappa: number, theta: number, sigma: number, rho: number,
  nNodes: number, pNodes: number, pWeights: number, tolerance: number, maxPanels: number, pWork: number,
  gradient: number, pOut: number, pGrad: number, pStatus: number,
): number {
  if (!(v0 >= 0.0 && kappa > 0.0 && theta >= 0.0 && sigma > 0.0 && rho > -1.0 && rho < 1.0)
    || !(v0 < Infinity && kappa < Infinity && theta < Infinity && sigma < Infinity)) return n < 0 || nNodes < 1 || maxPanels < 1 || !(tolerance > 0.0) ? 1 : 2;
  JUMPS = false;
  LAMBDA = 0.0;
  MU_J = 0.0;
  DELTA_J = 0.0;
  return priceBatch(heap, n, pForward, pStrike, pExpiry, pDiscount, pType, v0, kappa, theta, sigma, rho,
    nNodes, pNodes, pWeights, tolerance, maxPanels, pWork, gradient, pOut, pGrad, pStatus);
}

/**
 * Bates (1996) European prices: Heston plus Merton lognormal jumps (intensity lambda per year,
 * log-jump mean muJ and sd deltaJ), and with gradient = 1 the row-major n x 8 gradient in
 * (v0, kappa, theta, sigma, rho, lambda, muJ, deltaJ). Work area (maxPanels * 20 + 2) * nNodes
 * f64. Returns 2 for parameters outside v0 >= 0, kappa > 0, theta >= 0, sigma > 0, |rho| < 1,
 * lambda >= 0, deltaJ >= 0, finite muJ. See assembly/pricing/heston.ts.
 */
export function batesPriceBatch(
  heap: KernelHeap, n: number, pForward: number, pStrike: number, pExpiry: number, pDiscount: number, pType: number,
  v0: number, kappa: number, theta: number, sigma: number, rho: number, lambda: number, muJ: number, deltaJ: number,
  nNodes: number, pNodes: number, pWeights: number, tolerance: number, maxPanels: number, pWork: number,
  gradient: number, pOut: number, pGrad: number, pStatus: number,
): number {
  if (n < 0 || nNodes < 1 || maxPanels < 1 || !(tolerance > 0.0)) return 1;
  if (!(v0 >= 0.0 && kappa > 0.0 && theta >= 0.0 && sigma > 0.0 && rho > -1.0 && rho < 1.0 && lambda >= 0.0 && deltaJ >= 0.0)
    || !(v0 < Infinity && kappa < Infinity && theta < Infinity && sigma < Infinity && lambda < Infinity && deltaJ < Infinity && Number.isFinite(muJ))) return 2;
  JUMPS = true;
  LAMBDA = lambda;
  MU_J = muJ;
  DELTA_J = deltaJ;
  return priceBatch(heap, n, pForward, pStrike, pExpiry, pDiscount, pType, v0, kappa, theta, sigma, rho,
    nNodes, pNodes, pWeights, tolerance, maxPanels, pWork, gradient, pOut, pGrad, pStatus);
}

/** Prices within this many DF sqrt(F K) outside their no-arbitrage bounds are put on the bound. */
const BOUND_BAND = 1e-12;
// Partial sums of the quadrature (price and up to 8 gradient entries, even and odd nodes apart).
const ACC = new Float64Array(18);
/** Smallest normal double: sigma^2 below it cannot be divided by (kappa theta / sigma^2). */
const MIN_NORMAL = 2.2250738585072014e-308;

/** ln(F/K) for positive finite F, K: the quotient where it is a normal number, else ln F - ln K. */
function logMoneyness(F: number, K: number): number {
  const r = F / K;
  return r >= MIN_NORMAL && r < Infinity ? log(r) : log(F) - log(K);
}

/** Writes NaN to the price and gradient row of element i, and its status. */
function fail(f64: Float64Array, u8: Uint8Array, iOut: number, iG: number, pStatus: number, i: number, nP: number, grad: boolean, status: number): void {
  f64[iOut + i] = NaN;
  if (grad) for (let k = 0; k < nP; k++) f64[iG + nP * i + k] = NaN;
  u8[pStatus + i] = status;
}

function priceBatch(
  heap: KernelHeap, n: number, pForward: number, pStrike: number, pExpiry: number, pDiscount: number, pType: number,
  v0: number, kappa: number, theta: number, sigma: number, rho: number,
  nNodes: number, pNodes: number, pWeights: number, tolerance: number, maxPanels: number, pWork: number,
  gradient: number, pOut: number, pGrad: number, pStatus: number,
): number {
  if (n < 0 || nNodes < 1 || maxPanels < 1 || !(tolerance > 0.0)) return 1;
  const STRIDE = JUMPS ? BATES_WORK_STRIDE : HESTON_WORK_STRIDE;
  const nP = JUMPS ? 8 : 5;
  const f64 = heap.f64;
  const u8 = heap.u8;
  const i8 = heap.i8;
  const iF = pForward >>> 3, iK = pStrike >>> 3, iT = pExpiry >>> 3, iD = pDiscount >>> 3;
  const iN = pNodes >>> 3, iW = pWeights >>> 3, iWork = pWork >>> 3, iOut = pOut >>> 3, iG = pGrad >>> 3;
  const grad = gradient !== 0;
  // No variance now or ever (jumps included): every price is its discounted intrinsic value.
  const noVariance = v0 === 0.0 && theta === 0.0 && (LAMBDA === 0.0 || (MU_J === 0.0 && DELTA_J === 0.0));
  // sigma^2 must be a normal number: the formulas divide by it.
  const paramsOk = sigma * sigma >= MIN_NORMAL;
  // Per expiry (a function of T and the parameters only): control-variate variance w, truncation
  // point umax, width of the Gaussian core.
  let cacheT = NaN, tOk = false, w = 0.0, umax = 0.0, hCore = 0.0;
  // The panels in the work area: first width h0, widest capWidth, for expiry cacheT. Each element
  // chooses (h0, capWidth) from its own ln(F/K) and the expiry's values above, so its price never
  // depends on the other elements of the batch; consecutive elements that choose the same layout
  // reuse its phi values.
  let layoutH0 = NaN, layoutCap = NaN, layoutOk = false, panels = 0;
  for (let i = 0; i < n; i++) {
    const F = f64[iF + i], K = f64[iK + i], T = f64[iT + i], DF = f64[iD + i];
    const ty = i8[pType + i];
    // Out of the domain, or a price bound DF F or DF K that is not a finite number.
    if (!(F > 0.0 && K > 0.0 && T >= 0.0 && DF > 0.0) || !Number.isFinite(F + K + T + DF) || (ty !== 1 && ty !== -1)
      || !Number.isFinite(DF * F + DF * K)) {
      fail(f64, u8, iOut, iG, pStatus, i, nP, grad, STATUS_INVALID_INPUT);
      continue;
    }
    const x = logMoneyness(F, K);
    // No-arbitrage bounds: DF max(ty (F - K), 0) <= V <= DF F (call), DF K (put).
    const lower = ty * x > 0.0 ? DF * ty * (F - K) : 0.0;
    const upper = ty > 0 ? DF * F : DF * K;
    // Zero expiry, or no variance now or ever: the (discounted) intrinsic value, zero gradient.
    if (T === 0.0 || noVariance) {
      f64[iOut + i] = lower;
      if (grad) for (let k = 0; k < nP; k++) f64[iG + nP * i + k] = 0.0;
      u8[pStatus + i] = STATUS_OK;
      continue;
    }
    if (!paramsOk) {
      fail(f64, u8, iOut, iG, pStatus, i, nP, grad, STATUS_INVALID_INPUT);
      continue;
    }
    if (T !== cacheT) {
      cacheT = T;
      layoutH0 = NaN; // the truncation search below uses the work area as scratch
      // Control variate: Black-Scholes with the expected average variance.
      const kT = kappa * T;
      w = theta + (v0 - theta) * (kT > 1e-8 ? -expm1(-kT) / kT : 1.0 - 0.5 * kT);
      if (JUMPS) w += LAMBDA * (MU_J * MU_J + DELTA_J * DELTA_J); // the jumps' variance rate
      // Truncation: double u until the tail envelope is below the tolerance (a NaN envelope, where
      // the characteristic function overflows, never is: the search then fails).
      umax = 1.0;
      while (umax <= U_LIMIT && !(tailEnvelope(f64, iWork, umax, T, w, v0, kappa, theta, sigma, rho) <= tolerance)) umax *= 2.0;
      // First panel: 1, or the width 1/sqrt(wT) of the Gaussian core for short expiries.
      hCore = Math.max(1.0, 1.0 / Math.sqrt(w * T));
      tOk = umax <= U_LIMIT && hCore < Infinity; // (NaN fails too)
      // Three bisection steps in [umax/2, umax] (the envelope is above the tolerance at umax/2).
      if (tOk && umax > 1.0) {
        let a = 0.5 * umax;
        for (let k = 0; k < 3; k++) {
          const c = 0.5 * (a + umax);
          if (!(tailEnvelope(f64, iWork, c, T, w, v0, kappa, theta, sigma, rho) <= tolerance)) a = c;
          else umax = c;
        }
      }
    }
    if (!tOk) {
      fail(f64, u8, iOut, iG, pStatus, i, nP, grad, STATUS_NOT_CONVERGED);
      continue;
    }
    // Graded composite Gauss-Legendre: panel widths h0, 2 h0, 4 h0, ... up to the largest power of
    // two within this element's oscillation cap (three periods of e^{iux}), then constant; panels
    // until the truncation point. |x| <= ln(MAX / MIN_SUBNORMAL) < 1500, so wOsc > 0.0125 and the
    // doubling below stops after at most 27 steps (the count bounds it regardless).
    const ax = Math.abs(x);
    const wOsc = ax > 0.0 ? (OSCILLATIONS_PER_PANEL * 2.0 * Math.PI) / ax : Infinity;
    // h0: hCore halved until within the cap (few distinct values per expiry, so neighbours share
    // layouts; halving is exact, so every backend gets the same h0). hCore < 2^540 and
    // wOsc > 2^-7, so 550 halvings always suffice.
    let h0 = hCore;
    for (let k = 0; k < 1100 && h0 > wOsc; k++) h0 *= 0.5;
    let capWidth = h0;
    for (let k = 0; k < 64 && capWidth * 2.0 <= wOsc && capWidth * 2.0 < umax; k++) capWidth *= 2.0;
    if (h0 !== layoutH0 || capWidth !== layoutCap) {
      // Where only the cap shrank (neighbours sorted by |ln(F/K)|), the graded panels up to the
      // first of the new cap's width are the previous layout's: their phi values are kept.
      let keep = 0;
      if (h0 === layoutH0 && capWidth < layoutCap) {
        keep = 1;
        for (let hk = h0; hk < capWidth && keep < 64; hk *= 2.0) keep++;
        if (keep > panels) keep = panels;
      }
      layoutH0 = h0;
      layoutCap = capWidth;
      layoutOk = true;
      let lo = 0.0, h = h0;
      panels = 0;
      while (panels === 0 || lo < umax - h0) {
        if (panels === maxPanels) {
          layoutOk = false;
          break;
        }
        const half = 0.5 * h, mid = lo + half;
        for (let q = panels < keep ? nNodes : 0; q < nNodes; q++) {
          const u = mid + half * f64[iN + q];
          const at = iWork + STRIDE * (panels * nNodes + q);
          logCharacteristic(f64, at + 2, u, T, v0, kappa, theta, sigma, rho, grad);
          if (JUMPS) addJumps(f64, at + 2, u, T, grad);
          const b = u * u + 0.25;
          // phi = exp(ln phi); integrand f = phi_BS - phi; dphi = phi dlnphi.
          const m = exp(f64[at + 2]), ang = f64[at + 3];
          sinCos(ang);
          const phr = m * SIN_COS[1]!, phi = m * SIN_COS[0]!;
          f64[at] = u;
          f64[at + 1] = (half * f64[iW + q]) / (Math.PI * b);
          if (grad) {
            for (let k = 0; k < nP; k++) {
              const gr = f64[at + 4 + 2 * k], gi = f64[at + 5 + 2 * k];
              f64[at + 4 + 2 * k] = phr * gr - phi * gi;
              f64[at + 5 + 2 * k] = phr * gi + phi * gr;
            }
          }
          f64[at + 2] = exp(-0.5 * w * T * b) - phr;
          f64[at + 3] = -phi;
        }
        lo += h;
        if (h < capWidth) h *= 2.0;
        panels++;
      }
    }
    if (!layoutOk) {
      // Over the panel budget (expiries of minutes with far strikes): NaN, not a wrong number.
      fail(f64, u8, iOut, iG, pStatus, i, nP, grad, STATUS_NOT_CONVERGED);
      continue;
    }
    // Sum over the nodes: Re[e^{iux} f] for the price, -Re[e^{iux} dphi] for the gradient.
    // e^{iux} without a sine per node: node q of a panel [lo, lo + h] is lo + h (t_q + 1)/2, so
    // e^{iux} = e^{i lo x} P_q with P_q = e^{i h (t_q + 1) x / 2}; across panels e^{i lo x} advances
    // by e^{i h x}, and where h doubles both factors are squared (phase error ~ eps |u x|, as a
    // direct sine of the rounded product u x would have).
    const iPh = iWork + STRIDE * maxPanels * nNodes;
    const hx = h0 * x;
    for (let q = 0; q < nNodes; q++) {
      const a = 0.5 * (f64[iN + q] + 1.0) * hx;
      sinCos(a);
      f64[iPh + 2 * q] = SIN_COS[1]!;
      f64[iPh + 2 * q + 1] = SIN_COS[0]!;
    }
    // Two partial sums per quantity, nodes q even (index 0) and q odd (index 1), each accumulated
    // in (panel, node) order and added at the end, as the WASM kernel's two f64x2 lanes do.
    sinCos(hx);
    let sr = 1.0, si = 0.0, er = SIN_COS[1]!, ei = SIN_COS[0]!, h = h0;
    const acc = ACC;
    acc.fill(0);
    for (let p = 0; p < panels; p++) {
      const base = iWork + STRIDE * p * nNodes;
      if (grad) {
        for (let q = 0; q < nNodes; q++) {
          const at = base + STRIDE * q;
          const pr = f64[iPh + 2 * q], pi = f64[iPh + 2 * q + 1];
          const cw = f64[at + 1];
          const c = cw * (sr * pr - si * pi), s = cw * (sr * pi + si * pr);
          const l = q & 1;
          acc[l] += c * f64[at + 2] - s * f64[at + 3];
          acc[2 + l] += c * f64[at + 4] - s * f64[at + 5];
          acc[4 + l] += c * f64[at + 6] - s * f64[at + 7];
          acc[6 + l] += c * f64[at + 8] - s * f64[at + 9];
          acc[8 + l] += c * f64[at + 10] - s * f64[at + 11];
          acc[10 + l] += c * f64[at + 12] - s * f64[at + 13];
          if (JUMPS) {
            acc[12 + l] += c * f64[at + 14] - s * f64[at + 15];
            acc[14 + l] += c * f64[at + 16] - s * f64[at + 17];
            acc[16 + l] += c * f64[at + 18] - s * f64[at + 19];
          }
        }
      } else {
        let s0 = acc[0], s1 = acc[1];
        for (let q = 0; q + 1 < nNodes; q += 2) {
          const at = base + STRIDE * q;
          let pr = f64[iPh + 2 * q], pi = f64[iPh + 2 * q + 1];
          s0 += f64[at + 1] * ((sr * pr - si * pi) * f64[at + 2] - (sr * pi + si * pr) * f64[at + 3]);
          const at1 = at + STRIDE;
          pr = f64[iPh + 2 * q + 2];
          pi = f64[iPh + 2 * q + 3];
          s1 += f64[at1 + 1] * ((sr * pr - si * pi) * f64[at1 + 2] - (sr * pi + si * pr) * f64[at1 + 3]);
        }
        if (nNodes & 1) {
          const q = nNodes - 1, at = base + STRIDE * q;
          const pr = f64[iPh + 2 * q], pi = f64[iPh + 2 * q + 1];
          s0 += f64[at + 1] * ((sr * pr - si * pi) * f64[at + 2] - (sr * pi + si * pr) * f64[at + 3]);
        }
        acc[0] = s0;
        acc[1] = s1;
      }
      const t = sr * er - si * ei;
      si = sr * ei + si * er;
      sr = t;
      if (h < capWidth) {
        for (let q = 0; q < nNodes; q++) {
          const pr = f64[iPh + 2 * q], pi = f64[iPh + 2 * q + 1];
          f64[iPh + 2 * q] = pr * pr - pi * pi;
          f64[iPh + 2 * q + 1] = 2.0 * pr * pi;
        }
        const t2 = er * er - ei * ei;
        ei = 2.0 * er * ei;
        er = t2;
        h *= 2.0;
      }
    }
    const scale = DF * Math.sqrt(F) * Math.sqrt(K);
    let price = scale * (normalisedBlack(x, Math.sqrt(w * T), ty) + (acc[0] + acc[1]));
    // Quadrature and rounding errors (about 1e-15 DF sqrt(F K)) can put a price just outside
    // [lower, upper]: within BOUND_BAND DF sqrt(F K) it goes onto the bound; further out (or
    // NaN, or a non-finite gradient) the integral failed: NaN and notConverged.
    // Plus the rounding of a price of size up to the upper bound: deep in the money (F = 1e30,
    // K = 1e3) an ulp of DF F dwarfs 1e-12 DF sqrt(F K), and the two backends' last bits would
    // otherwise decide between ok and notConverged.
    const band = BOUND_BAND * scale + 16.0 * 2.220446049250313e-16 * upper;
    if (price < lower && price >= lower - band) price = lower;
    else if (price > upper && price <= upper + band) price = upper;
    let good = price >= lower && price <= upper;
    if (grad) {
      const o = iG + nP * i;
      f64[o] = -scale * (acc[2] + acc[3]);
      f64[o + 1] = -scale * (acc[4] + acc[5]);
      f64[o + 2] = -scale * (acc[6] + acc[7]);
      f64[o + 3] = -scale * (acc[8] + acc[9]);
      f64[o + 4] = -scale * (acc[10] + acc[11]);
      if (JUMPS) {
        f64[o + 5] = -scale * (acc[12] + acc[13]);
        f64[o + 6] = -scale * (acc[14] + acc[15]);
        f64[o + 7] = -scale * (acc[16] + acc[17]);
      }
      for (let k = 0; k < nP; k++) if (!Number.isFinite(f64[o + k])) good = false;
    }
    if (!good) {
      fail(f64, u8, iOut, iG, pStatus, i, nP, grad, STATUS_NOT_CONVERGED);
      continue;
    }
    f64[iOut + i] = price;
    u8[pStatus + i] = STATUS_OK;
  }
  return 0;
}
