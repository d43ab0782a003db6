// Pure-JS twin of assembly/pricing/heston.ts (same kernel, same argument order; the heap views
// come first). See that file for the method, the references and the layout of the work area.

import { normalisedBlack } from './normalised-black.js';
import { STATUS_OK, STATUS_INVALID_INPUT, STATUS_NOT_CONVERGED } from '../status.js';
import type { KernelHeap } from '../heap.js';

/**
 * f64 slots per quadrature node in the work area: u, weight, f (2), dphi/dp (5 x 2). The work
 * area holds maxPanels * nNodes such nodes, then 2 nNodes f64 of phase factors.
 */
export const HESTON_WORK_STRIDE = 14;
/** The same with Merton jumps (Bates): dphi/dp has 8 columns. */
export const BATES_WORK_STRIDE = 20;
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
  const s = Math.sin(0.5 * b), c = Math.cos(0.5 * b), m = Math.expm1(a);
  const cm1 = -2.0 * s * s;
  RE = m * (1.0 + cm1) + cm1;
  IM = (1.0 + m) * 2.0 * s * c;
}

/** Principal log(1 + a + ib), accurate for small |a + ib|. */
function clog1p(a: number, b: number): void {
  RE = 0.5 * Math.log1p(a * (2.0 + a) + b * b);
  IM = Math.atan2(b, 1.0 + a);
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
  const kb1 = Math.exp(MU_J + 0.5 * d2); // kbar + 1
  const kbar = Math.expm1(MU_J + 0.5 * d2);
  const m = Math.exp(0.5 * MU_J - 0.5 * d2 * (u * u - 0.25)), a = u * (MU_J + 0.5 * d2);
  const eR = m * Math.cos(a), eI = m * Math.sin(a);
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
  return (u * Math.max(Math.exp(f64[at]), Math.exp(-0.5 * w * T * b))) / b;
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
    || !Number.isFinite(v0 + kappa + theta + sigma)) return n < 0 || nNodes < 1 || maxPanels < 1 || !(tolerance > 0.0) ? 1 : 2;
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
    || !Number.isFinite(v0 + kappa + theta + sigma + lambda + muJ + deltaJ)) return 2;
  JUMPS = true;
  LAMBDA = lambda;
  MU_J = muJ;
  DELTA_J = deltaJ;
  return priceBatch(heap, n, pForward, pStrike, pExpiry, pDiscount, pType, v0, kappa, theta, sigma, rho,
    nNodes, pNodes, pWeights, tolerance, maxPanels, pWork, gradient, pOut, pGrad, pStatus);
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
  let groupT = NaN; // expiry of the characteristic-function values in the work area
  let groupEnd = 0; // first element after the current group
  let panels = 0; // panels (of nNodes nodes each) in the work area
  let h0 = 1.0; // first (narrowest) panel of the current group
  let capWidth = 1.0; // widest panel of the current group
  let groupOk = false;
  let w = 0.0; // control-variate variance
  for (let i = 0; i < n; i++) {
    const F = f64[iF + i], K = f64[iK + i], T = f64[iT + i], DF = f64[iD + i];
    const ty = i8[pType + i];
    if (!(F > 0.0 && K > 0.0 && T >= 0.0 && DF > 0.0) || !Number.isFinite(F + K + T + DF) || (ty !== 1 && ty !== -1)) {
      f64[iOut + i] = NaN;
      if (grad) for (let k = 0; k < nP; k++) f64[iG + nP * i + k] = NaN;
      u8[pStatus + i] = STATUS_INVALID_INPUT;
      continue;
    }
    const x = Math.log(F / K);
    const scale = DF * Math.sqrt(F) * Math.sqrt(K);
    // Zero expiry, or no variance now or ever: the (discounted) intrinsic value, zero gradient.
    if (T === 0.0 || (v0 === 0.0 && theta === 0.0)) {
      f64[iOut + i] = ty * x > 0.0 ? DF * ty * (F - K) : 0.0;
      if (grad) for (let k = 0; k < nP; k++) f64[iG + nP * i + k] = 0.0;
      u8[pStatus + i] = STATUS_OK;
      continue;
    }
    if (T !== groupT || i >= groupEnd) {
      // New group: consecutive elements with this expiry share the nodes and phi values.
      groupT = T;
      let xmax = Math.abs(x);
      let j = i + 1;
      while (j < n && f64[iT + j] === T) {
        const xj = Math.log(f64[iF + j] / f64[iK + j]);
        if (Math.abs(xj) > xmax && Number.isFinite(xj)) xmax = Math.abs(xj);
        j++;
      }
      groupEnd = j;
      // Control variate: Black-Scholes with the expected average variance.
      const kT = kappa * T;
      w = theta + (v0 - theta) * (kT > 1e-8 ? -Math.expm1(-kT) / kT : 1.0 - 0.5 * kT);
      if (JUMPS) w += LAMBDA * (MU_J * MU_J + DELTA_J * DELTA_J); // the jumps' variance rate
      // Truncation: double u until the tail envelope is below the tolerance.
      let umax = 1.0;
      while (umax <= U_LIMIT && tailEnvelope(f64, iWork, umax, T, w, v0, kappa, theta, sigma, rho) > tolerance) umax *= 2.0;
      groupOk = umax <= U_LIMIT;
      // Three bisection steps in [umax/2, umax] (the envelope is above the tolerance at umax/2).
      if (groupOk && umax > 1.0) {
        let a = 0.5 * umax;
        for (let k = 0; k < 3; k++) {
          const c = 0.5 * (a + umax);
          if (tailEnvelope(f64, iWork, c, T, w, v0, kappa, theta, sigma, rho) > tolerance) a = c;
          else umax = c;
        }
      }
      // Graded composite Gauss-Legendre: panel widths 1, 2, 4, ... up to the largest power of two
      // within the oscillation cap, then constant; panels until the truncation point.
      const wOsc = xmax > 0.0 ? (OSCILLATIONS_PER_PANEL * 2.0 * Math.PI) / xmax : Infinity;
      // First panel: 1, or the width 1/sqrt(wT) of the Gaussian core for short expiries.
      // (never wider than the oscillation cap: three periods of e^{iux} at the largest |x|).
      h0 = Math.min(Math.max(1.0, 1.0 / Math.sqrt(w * T)), wOsc);
      capWidth = h0;
      while (capWidth * 2.0 <= wOsc && capWidth < umax) capWidth *= 2.0;
      let lo = 0.0, h = h0;
      panels = 0;
      while (groupOk && (panels === 0 || lo < umax - h0)) {
        if (panels === maxPanels) {
          groupOk = false;
          break;
        }
        const half = 0.5 * h, mid = lo + half;
        for (let q = 0; q < nNodes; q++) {
          const u = mid + half * f64[iN + q];
          const at = iWork + STRIDE * (panels * nNodes + q);
          logCharacteristic(f64, at + 2, u, T, v0, kappa, theta, sigma, rho, grad);
          if (JUMPS) addJumps(f64, at + 2, u, T, grad);
          const b = u * u + 0.25;
          // phi = exp(ln phi); integrand f = phi_BS - phi; dphi = phi dlnphi.
          const m = Math.exp(f64[at + 2]), ang = f64[at + 3];
          const phr = m * Math.cos(ang), phi = m * Math.sin(ang);
          f64[at] = u;
          f64[at + 1] = (half * f64[iW + q]) / (Math.PI * b);
          if (grad) {
            for (let k = 0; k < nP; k++) {
              const gr = f64[at + 4 + 2 * k], gi = f64[at + 5 + 2 * k];
              f64[at + 4 + 2 * k] = phr * gr - phi * gi;
              f64[at + 5 + 2 * k] = phr * gi + phi * gr;
            }
          }
          f64[at + 2] = Math.exp(-0.5 * w * T * b) - phr;
          f64[at + 3] = -phi;
        }
        lo += h;
        if (h < capWidth) h *= 2.0;
        panels++;
      }
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
      f64[iPh + 2 * q] = Math.cos(a);
      f64[iPh + 2 * q + 1] = Math.sin(a);
    }
    let sr = 1.0, si = 0.0, er = Math.cos(hx), ei = Math.sin(hx), h = h0;
    let sum = 0.0, g0 = 0.0, g1 = 0.0, g2 = 0.0, g3 = 0.0, g4 = 0.0, g5 = 0.0, g6 = 0.0, g7 = 0.0;
    for (let p = 0; p < panels; p++) {
      const base = iWork + STRIDE * p * nNodes;
      if (grad) {
        for (let q = 0; q < nNodes; q++) {
          const at = base + STRIDE * q;
          const pr = f64[iPh + 2 * q], pi = f64[iPh + 2 * q + 1];
          const cw = f64[at + 1];
          const c = cw * (sr * pr - si * pi), s = cw * (sr * pi + si * pr);
          sum += c * f64[at + 2] - s * f64[at + 3];
          g0 += c * f64[at + 4] - s * f64[at + 5];
          g1 += c * f64[at + 6] - s * f64[at + 7];
          g2 += c * f64[at + 8] - s * f64[at + 9];
          g3 += c * f64[at + 10] - s * f64[at + 11];
          g4 += c * f64[at + 12] - s * f64[at + 13];
          if (JUMPS) {
            g5 += c * f64[at + 14] - s * f64[at + 15];
            g6 += c * f64[at + 16] - s * f64[at + 17];
            g7 += c * f64[at + 18] - s * f64[at + 19];
          }
        }
      } else {
        for (let q = 0; q < nNodes; q++) {
          const at = base + STRIDE * q;
          const pr = f64[iPh + 2 * q], pi = f64[iPh + 2 * q + 1];
          sum += f64[at + 1] * ((sr * pr - si * pi) * f64[at + 2] - (sr * pi + si * pr) * f64[at + 3]);
        }
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
    // Over the panel budget: NaN, like every status other than ok.
    const ok = groupOk ? 1.0 : NaN;
    f64[iOut + i] = ok * scale * (normalisedBlack(x, Math.sqrt(w * T), ty) + sum);
    if (grad) {
      const o = iG + nP * i;
      f64[o] = -ok * scale * g0;
      f64[o + 1] = -ok * scale * g1;
      f64[o + 2] = -ok * scale * g2;
      f64[o + 3] = -ok * scale * g3;
      f64[o + 4] = -ok * scale * g4;
      if (JUMPS) {
        f64[o + 5] = -ok * scale * g5;
        f64[o + 6] = -ok * scale * g6;
        f64[o + 7] = -ok * scale * g7;
      }
    }
    u8[pStatus + i] = groupOk ? STATUS_OK : STATUS_NOT_CONVERGED;
  }
  return 0;
}
