// Heston (1993) European option prices and their analytic gradient with respect to the model
// parameters (v0, kappa, theta, sigma, rho), semi-analytically. Mirrored in
// src/kernels/pricing/heston.ts.
//
// Model: dS/S = (r - q) dt + sqrt(v) dW1, dv = kappa (theta - v) dt + sigma sqrt(v) dW2,
// d<W1, W2> = rho dt. X = ln(S_T / F) has characteristic function phi(z) = E[exp(i z X)] =
// exp(C(z) + v0 B(z)) in the "little Heston trap" form of Albrecher, Mayer, Schoutens and
// Tistaert (Wilmott, Jan 2007), grouped as in Cui, del Bano Rollin and Germano (EJOR 263, 2017):
//   beta = kappa - i rho sigma z,  b = z^2 + i z,  d = sqrt(beta^2 + sigma^2 b)  (Re d >= 0),
//   e = exp(-d T),  Q = (beta + d) - (beta - d) e,
//   B = -b (1 - e) / Q,
//   C = kappa theta / sigma^2 [(beta - d) T - 2 ln(Q / (2 d))].
// Q / (2d) = (1 - g e) / (1 - g) with g = (beta - d)/(beta + d): Albrecher's continuous form, here
// evaluated as log1p((beta - d)(1 - e)/(2 d)). beta - d and beta + d: the larger in modulus is
// formed directly and the other as -sigma^2 b / (larger), so neither cancels (sigma -> 0, or
// Re beta < 0); 1 - e uses a complex expm1 (short expiries).
//
// Price: Lewis's (2001) single integral on the contour z = u - i/2, where b = u^2 + 1/4 is real,
// with a Black-Scholes control variate (Andersen and Piterbarg, Interest Rate Modeling vol. 1,
// sec. 8.4): with x = ln(F/K) and phi_BS(u - i/2) = exp(-w T b / 2),
//   V = DF sqrt(F K) [ bnorm(x, sqrt(w T), type) + 1/pi int_0^inf Re(e^{iux} (phi_BS - phi)) / b du ],
// bnorm the normalised Black function (the same formula for calls and puts, so out-of-the-money
// options are never the difference of two large numbers), w = theta + (v0 - theta)(1 - e^{-kappa T})
// / (kappa T) the expected average variance. The integrand is regular at u = +-i/2 (both
// characteristic functions equal 1 at z = 0 and z = -i), and vanishes as sigma -> 0.
//
// Gradient: V depends on the parameters through phi only (the control variate's price and
// integral cancel exactly whatever w is), so dV/dp = -DF sqrt(F K)/pi int Re(e^{iux} dphi/dp)/b du,
// dphi/dp = phi d(C + v0 B)/dp with the derivatives of Cui et al. (2017, sec. 3) taken by the chain
// rule through beta and d: dd = (beta dbeta + [p = sigma] sigma b)/d, de = -T e dd,
// dQ = (dbeta + dd) - (dbeta - dd) e - (beta - d) de, dB = (b de - B dQ)/Q,
// d ln(Q/2d) = dQ/Q - dd/d. Order in the output rows: v0, kappa, theta, sigma, rho.
//
// Quadrature: u in [0, umax], where the tail envelope u max(|phi|, phi_BS) / b has dropped below
// `tolerance` (doubling search from u = 1, then three bisection steps; a NaN envelope, where phi
// overflows, fails the search). Per element, [0, umax] is cut into panels of widths h0, 2 h0,
// 4 h0, ... (graded towards u = 0, where the nearest singularity of phi, the moment explosion,
// sits) up to capWidth, then of that constant width, until umax - h0; each panel gets the
// nNodes-point Gauss-Legendre rule (nodes, weights on [-1, 1] from the caller). h0 is the width
// hCore = max(1, 1/sqrt(w T)) of the Gaussian core, halved until within wOsc, three periods of
// e^{iux} at the element's own x = ln(F/K); capWidth is the largest h0 2^k within wOsc that the
// graded sequence reaches before umax. So the panels are a function of (expiry, parameters, x)
// only: an element's result never depends on the rest of the batch, its order or the chunking.
// Consecutive elements with the same expiry and the same (h0, capWidth) reuse the phi values (and
// dphi) in the work area, and a layout that differs from the previous one only by a smaller cap
// keeps the graded panels they share: the facade sorts by expiry, then |x|, so a smile of 200
// strikes evaluates phi for a handful of layouts per expiry. More than `maxPanels` panels, or
// umax > 2^20, flag STATUS_NOT_CONVERGED with NaN outputs (expiries of minutes with far strikes).
//
// Bounds and statuses: a price within BOUND_BAND = 1e-12 DF sqrt(F K) outside its no-arbitrage
// bounds DF max(+-(F - K), 0) <= V <= DF F (call) or DF K (put) is put on the bound (the
// quadrature's absolute error is about 1e-15 DF sqrt(F K): Lewis's and the mpmath references
// agree to 2e-16 of it); farther outside, NaN, or a non-finite gradient give NaN and
// STATUS_NOT_CONVERGED. STATUS_INVALID_INPUT: an element out of its domain, one whose bound DF F or
// DF K is not finite, or (for every element with T > 0 that needs the integral) a sigma whose
// square is not a normal number (the formulas divide by sigma^2); with no variance now or ever
// (v0 = theta = 0, no jumps) the intrinsic value is exact and ok whatever sigma. Every loop has a
// fixed bound whatever the inputs.
//
// Work area at pWork: maxPanels * nNodes * 14 f64, per node [u, weight/(pi b), f (re, im),
// dphi/dp (5 x (re, im))], then 2 nNodes f64 of phase factors; with Merton jumps (batesPriceBatch)
// 20 f64 per node (dphi/dp: 8 x (re, im), the last three in lambda, muJ, deltaJ). Each panel's
// block stores field by field (nNodes u, then nNodes weights, ...), so the quadrature sum takes two
// nodes per f64x2: its partial sums over even and odd nodes are added at the end (the JS twin
// keeps the same two partial sums, so the twins stay one algorithm).

import { normalisedBlack } from "./normalised-black";
import { exp, log, log1p } from "../math/elementary";
import { expX2 } from "../math/f64x2-elementary";
import { sinCosX2, COS_X2 } from "../math/f64x2-trig";
import { STATUS_OK, STATUS_INVALID_INPUT, STATUS_NOT_CONVERGED } from "../status";

import { HESTON_WORK_STRIDE as WORK_STRIDE, BATES_WORK_STRIDE } from "./layout";

// Merton lognormal jumps of the current batch (Bates 1996): intensity, mean and sd of the log jump.
let JUMPS: bool = false;
let LAMBDA: f64 = 0.0;
let MU_J: f64 = 0.0;
let DELTA_J: f64 = 0.0;
const OSCILLATIONS_PER_PANEL: f64 = 3.0;
const U_LIMIT: f64 = 1048576.0;

// Complex results of the helpers (stub runtime: no allocation, so pairs go through globals).
let RE: f64 = 0.0;
let IM: f64 = 0.0;

// @ts-ignore: decorator
@inline
function isFiniteF(v: f64): bool {
  return v - v == 0.0;
}

// Principal square root; Re >= 0.
// @ts-ignore: decorator
@inline
function csqrt(a: f64, b: f64): void {
  if (a == 0.0 && b == 0.0) {
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

// (a + ib) / (c + id), Smith's algorithm.
// @ts-ignore: decorator
@inline
function cdiv(a: f64, b: f64, c: f64, d: f64): void {
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

// exp(a + ib) - 1 without cancellation for small |a + ib|.
// @ts-ignore: decorator
@inline
function cexpm1(a: f64, b: f64): void {
  // cos b - 1 = -2 sin^2(b/2), sin b = 2 sin(b/2) cos(b/2), e^a = 1 + expm1(a).
  const s = Math.sin(0.5 * b), c = Math.cos(0.5 * b), m = Math.expm1(a);
  const cm1 = -2.0 * s * s;
  RE = m * (1.0 + cm1) + cm1;
  IM = (1.0 + m) * 2.0 * s * c;
}

// Principal log(1 + a + ib), accurate for small |a + ib|.
// @ts-ignore: decorator
@inline
function clog1p(a: f64, b: f64): void {
  RE = 0.5 * log1p(a * (2.0 + a) + b * b);
  IM = Math.atan2(b, 1.0 + a);
}

// ln phi(u - i/2) and, if grad, d ln phi/d(v0, kappa, theta, sigma, rho) at p:
// [lnphi (re, im), dlnphi (5 x (re, im))].
function logCharacteristic(
  p: usize, u: f64, T: f64, v0: f64, kappa: f64, theta: f64, sigma: f64, rho: f64, grad: bool,
): void {
  const b = u * u + 0.25;
  const s2 = sigma * sigma;
  const br = kappa - 0.5 * rho * sigma;
  const bi = -rho * sigma * u;
  csqrt(br * br - bi * bi + s2 * b, 2.0 * br * bi);
  const dr = RE, di = IM;
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
  const er = RE, ei = IM;
  const xr = 1.0 + er, xi = ei;
  const qr = pr - (mr * xr - mi * xi), qi = pi - (mr * xi + mi * xr);
  cdiv(b * er, b * ei, qr, qi);
  const Br = RE, Bi = IM;
  cdiv(-(mr * er - mi * ei), -(mr * ei + mi * er), 2.0 * dr, 2.0 * di);
  clog1p(RE, IM);
  const Lr = RE, Li = IM;
  const cr = mr * T - 2.0 * Lr, ci = mi * T - 2.0 * Li;
  const kt = (kappa * theta) / s2;
  store<f64>(p, kt * cr + v0 * Br);
  store<f64>(p, kt * ci + v0 * Bi, 8);
  if (!grad) return;
  cdiv(1.0, 0.0, dr, di);
  const idr = RE, idi = IM;
  cdiv(1.0, 0.0, qr, qi);
  const iqr = RE, iqi = IM;
  store<f64>(p, Br, 16);
  store<f64>(p, Bi, 24);
  store<f64>(p, (kappa / s2) * cr, 48);
  store<f64>(p, (kappa / s2) * ci, 56);
  for (let k = 0; k < 3; k++) {
    let gbr: f64, gbi: f64;
    if (k == 0) {
      gbr = 1.0;
      gbi = 0.0;
    } else if (k == 1) {
      gbr = -0.5 * rho;
      gbi = -rho * u;
    } else {
      gbr = -0.5 * sigma;
      gbi = -sigma * u;
    }
    let gdd2r = 2.0 * (br * gbr - bi * gbi);
    const gdd2i = 2.0 * (br * gbi + bi * gbr);
    if (k == 1) gdd2r += 2.0 * sigma * b;
    const gdr = 0.5 * (gdd2r * idr - gdd2i * idi), gdi = 0.5 * (gdd2r * idi + gdd2i * idr);
    const ger = -T * (xr * gdr - xi * gdi), gei = -T * (xr * gdi + xi * gdr);
    const mdr = gbr - gdr, mdi = gbi - gdi;
    const gqr = gbr + gdr - (mdr * xr - mdi * xi) - (mr * ger - mi * gei);
    const gqi = gbi + gdi - (mdr * xi + mdi * xr) - (mr * gei + mi * ger);
    const qqr = gqr * iqr - gqi * iqi, qqi = gqr * iqi + gqi * iqr;
    const tr = b * ger - (Br * gqr - Bi * gqi), ti = b * gei - (Br * gqi + Bi * gqr);
    const gBr = tr * iqr - ti * iqi, gBi = tr * iqi + ti * iqr;
    const gLr = qqr - (gdr * idr - gdi * idi), gLi = qqi - (gdr * idi + gdi * idr);
    const gcr = mdr * T - 2.0 * gLr, gci = mdi * T - 2.0 * gLi;
    let outR = kt * gcr + v0 * gBr, outI = kt * gci + v0 * gBi;
    if (k == 0) {
      outR += (theta / s2) * cr;
      outI += (theta / s2) * ci;
      store<f64>(p, outR, 32);
      store<f64>(p, outI, 40);
    } else if (k == 1) {
      outR -= ((2.0 * kt) / sigma) * cr;
      outI -= ((2.0 * kt) / sigma) * ci;
      store<f64>(p, outR, 64);
      store<f64>(p, outI, 72);
    } else {
      store<f64>(p, outR, 80);
      store<f64>(p, outI, 88);
    }
  }
}

// ---- Two nodes per f64x2: logCharacteristic lane by lane, the same IEEE operations in the same
// order (WASM SIMD has no fused multiply-add; add, sub, mul, div, sqrt and compares are the
// correctly rounded scalar operations), the branches of csqrt and cdiv as selects between both
// sides, and the transcendental functions (sin, cos, expm1, log1p, atan2) as the scalar Math
// calls per lane. So each lane is bit for bit the scalar logCharacteristic of its node: a node's
// values never depend on its lane partner.

// Complex results of the vector helpers (as RE, IM).
let VRE: v128 = f64x2.splat(0.0);
let VIM: v128 = f64x2.splat(0.0);

// @ts-ignore: decorator
@inline
function v(x: f64): v128 {
  return f64x2.splat(x);
}

// @ts-ignore: decorator
@inline
function expm1X2(x: v128): v128 {
  return f64x2.replace_lane(v(Math.expm1(f64x2.extract_lane(x, 0))), 1, Math.expm1(f64x2.extract_lane(x, 1)));
}

// @ts-ignore: decorator
@inline
function log1pX2(x: v128): v128 {
  return f64x2.replace_lane(v(log1p(f64x2.extract_lane(x, 0))), 1, log1p(f64x2.extract_lane(x, 1)));
}

// @ts-ignore: decorator
@inline
function atan2X2(y: v128, x: v128): v128 {
  return f64x2.replace_lane(v(Math.atan2(f64x2.extract_lane(y, 0), f64x2.extract_lane(x, 0))), 1,
    Math.atan2(f64x2.extract_lane(y, 1), f64x2.extract_lane(x, 1)));
}

// csqrt per lane.
// @ts-ignore: decorator
@inline
function csqrtX2(a: v128, b: v128): void {
  const zero = v(0.0);
  const t = f64x2.sqrt(f64x2.mul(v(0.5), f64x2.add(f64x2.abs(a), f64x2.sqrt(f64x2.add(f64x2.mul(a, a), f64x2.mul(b, b))))));
  const t2 = f64x2.mul(v(2.0), t);
  const pos = f64x2.ge(a, zero);
  const origin = v128.and(f64x2.eq(a, zero), f64x2.eq(b, zero));
  const re = v128.bitselect(t, f64x2.div(f64x2.abs(b), t2), pos);
  const im = v128.bitselect(f64x2.div(b, t2), v128.bitselect(t, f64x2.neg(t), f64x2.ge(b, zero)), pos);
  VRE = v128.bitselect(zero, re, origin);
  VIM = v128.bitselect(zero, im, origin);
}

// cdiv per lane (both sides of Smith's test, then the one the scalar code takes).
// @ts-ignore: decorator
@inline
function cdivX2(a: v128, b: v128, c: v128, d: v128): void {
  const first = f64x2.ge(f64x2.abs(c), f64x2.abs(d));
  const r1 = f64x2.div(d, c);
  const den1 = f64x2.add(c, f64x2.mul(d, r1));
  const r2 = f64x2.div(c, d);
  const den2 = f64x2.add(f64x2.mul(c, r2), d);
  VRE = v128.bitselect(f64x2.div(f64x2.add(a, f64x2.mul(b, r1)), den1), f64x2.div(f64x2.add(f64x2.mul(a, r2), b), den2), first);
  VIM = v128.bitselect(f64x2.div(f64x2.sub(b, f64x2.mul(a, r1)), den1), f64x2.div(f64x2.sub(f64x2.mul(b, r2), a), den2), first);
}

// (re, im) of lane 0 at p + off, of lane 1 at p + NODE_BYTES + off.
// @ts-ignore: decorator
@inline
function storeX2(p: usize, off: usize, re: v128, im: v128): void {
  store<f64>(p + off, f64x2.extract_lane(re, 0));
  store<f64>(p + off, f64x2.extract_lane(im, 0), 8);
  store<f64>(p + NODE_BYTES + off, f64x2.extract_lane(re, 1));
  store<f64>(p + NODE_BYTES + off, f64x2.extract_lane(im, 1), 8);
}

// Bytes of one node record (ln phi, and its gradient with jumps: 18 f64).
const NODE_BYTES: usize = 144;

// logCharacteristic at the nodes u (two lanes): lane 0's record at p, lane 1's at p + NODE_BYTES.
function logCharacteristicX2(
  p: usize, u: v128, T: f64, v0: f64, kappa: f64, theta: f64, sigma: f64, rho: f64, grad: bool,
): void {
  const b = f64x2.add(f64x2.mul(u, u), v(0.25));
  const s2 = sigma * sigma;
  const br = kappa - 0.5 * rho * sigma;
  const bi = f64x2.mul(v(-rho * sigma), u);
  const vbr = v(br);
  csqrtX2(f64x2.add(f64x2.sub(v(br * br), f64x2.mul(bi, bi)), f64x2.mul(v(s2), b)), f64x2.mul(v(2.0 * br), bi));
  const dr = VRE, di = VIM;
  const pr0 = f64x2.add(vbr, dr), pi0 = f64x2.add(bi, di), mr0 = f64x2.sub(vbr, dr), mi0 = f64x2.sub(bi, di);
  const plus = f64x2.ge(f64x2.add(f64x2.mul(pr0, pr0), f64x2.mul(pi0, pi0)), f64x2.add(f64x2.mul(mr0, mr0), f64x2.mul(mi0, mi0)));
  const nb = f64x2.mul(v(-s2), b);
  // The smaller of beta -+ d as -sigma^2 b / (the larger): both quotients, the scalar's choice.
  cdivX2(nb, v(0.0), pr0, pi0);
  const qmr = VRE, qmi = VIM;
  cdivX2(nb, v(0.0), mr0, mi0);
  const mr = v128.bitselect(qmr, mr0, plus), mi = v128.bitselect(qmi, mi0, plus);
  const pr = v128.bitselect(pr0, VRE, plus), pi = v128.bitselect(pi0, VIM, plus);
  const hT = v(-T);
  const ea = f64x2.mul(f64x2.neg(dr), v(T)), eb = f64x2.mul(f64x2.neg(di), v(T));
  // cexpm1(ea, eb)
  const hb = f64x2.mul(v(0.5), eb);
  const sn = sinCosX2(hb), cs = COS_X2, em = expm1X2(ea);
  const cm1 = f64x2.mul(f64x2.mul(v(-2.0), sn), sn);
  const er = f64x2.add(f64x2.mul(em, f64x2.add(v(1.0), cm1)), cm1);
  const ei = f64x2.mul(f64x2.mul(f64x2.mul(f64x2.add(v(1.0), em), v(2.0)), sn), cs);
  const xr = f64x2.add(v(1.0), er), xi = ei;
  const qr = f64x2.sub(pr, f64x2.sub(f64x2.mul(mr, xr), f64x2.mul(mi, xi)));
  const qi = f64x2.sub(pi, f64x2.add(f64x2.mul(mr, xi), f64x2.mul(mi, xr)));
  cdivX2(f64x2.mul(b, er), f64x2.mul(b, ei), qr, qi);
  const Br = VRE, Bi = VIM;
  cdivX2(f64x2.neg(f64x2.sub(f64x2.mul(mr, er), f64x2.mul(mi, ei))), f64x2.neg(f64x2.add(f64x2.mul(mr, ei), f64x2.mul(mi, er))),
    f64x2.mul(v(2.0), dr), f64x2.mul(v(2.0), di));
  // clog1p(VRE, VIM)
  const la = VRE, lb = VIM;
  const Lr = f64x2.mul(v(0.5), log1pX2(f64x2.add(f64x2.mul(la, f64x2.add(v(2.0), la)), f64x2.mul(lb, lb))));
  const Li = atan2X2(lb, f64x2.add(v(1.0), la));
  const vT = v(T);
  const cr = f64x2.sub(f64x2.mul(mr, vT), f64x2.mul(v(2.0), Lr)), ci = f64x2.sub(f64x2.mul(mi, vT), f64x2.mul(v(2.0), Li));
  const kt = (kappa * theta) / s2;
  const vkt = v(kt), vv0 = v(v0);
  storeX2(p, 0, f64x2.add(f64x2.mul(vkt, cr), f64x2.mul(vv0, Br)), f64x2.add(f64x2.mul(vkt, ci), f64x2.mul(vv0, Bi)));
  if (!grad) return;
  cdivX2(v(1.0), v(0.0), dr, di);
  const idr = VRE, idi = VIM;
  cdivX2(v(1.0), v(0.0), qr, qi);
  const iqr = VRE, iqi = VIM;
  storeX2(p, 16, Br, Bi);
  const ks2 = v(kappa / s2);
  storeX2(p, 48, f64x2.mul(ks2, cr), f64x2.mul(ks2, ci));
  for (let k = 0; k < 3; k++) {
    let gbr: v128, gbi: v128;
    if (k == 0) {
      gbr = v(1.0);
      gbi = v(0.0);
    } else if (k == 1) {
      gbr = v(-0.5 * rho);
      gbi = f64x2.mul(v(-rho), u);
    } else {
      gbr = v(-0.5 * sigma);
      gbi = f64x2.mul(v(-sigma), u);
    }
    let gdd2r = f64x2.mul(v(2.0), f64x2.sub(f64x2.mul(vbr, gbr), f64x2.mul(bi, gbi)));
    const gdd2i = f64x2.mul(v(2.0), f64x2.add(f64x2.mul(vbr, gbi), f64x2.mul(bi, gbr)));
    if (k == 1) gdd2r = f64x2.add(gdd2r, f64x2.mul(v(2.0 * sigma), b));
    const gdr = f64x2.mul(v(0.5), f64x2.sub(f64x2.mul(gdd2r, idr), f64x2.mul(gdd2i, idi)));
    const gdi = f64x2.mul(v(0.5), f64x2.add(f64x2.mul(gdd2r, idi), f64x2.mul(gdd2i, idr)));
    const ger = f64x2.mul(hT, f64x2.sub(f64x2.mul(xr, gdr), f64x2.mul(xi, gdi)));
    const gei = f64x2.mul(hT, f64x2.add(f64x2.mul(xr, gdi), f64x2.mul(xi, gdr)));
    const mdr = f64x2.sub(gbr, gdr), mdi = f64x2.sub(gbi, gdi);
    const gqr = f64x2.sub(f64x2.sub(f64x2.add(gbr, gdr), f64x2.sub(f64x2.mul(mdr, xr), f64x2.mul(mdi, xi))), f64x2.sub(f64x2.mul(mr, ger), f64x2.mul(mi, gei)));
    const gqi = f64x2.sub(f64x2.sub(f64x2.add(gbi, gdi), f64x2.add(f64x2.mul(mdr, xi), f64x2.mul(mdi, xr))), f64x2.add(f64x2.mul(mr, gei), f64x2.mul(mi, ger)));
    const qqr = f64x2.sub(f64x2.mul(gqr, iqr), f64x2.mul(gqi, iqi)), qqi = f64x2.add(f64x2.mul(gqr, iqi), f64x2.mul(gqi, iqr));
    const tr = f64x2.sub(f64x2.mul(b, ger), f64x2.sub(f64x2.mul(Br, gqr), f64x2.mul(Bi, gqi)));
    const ti = f64x2.sub(f64x2.mul(b, gei), f64x2.add(f64x2.mul(Br, gqi), f64x2.mul(Bi, gqr)));
    const gBr = f64x2.sub(f64x2.mul(tr, iqr), f64x2.mul(ti, iqi)), gBi = f64x2.add(f64x2.mul(tr, iqi), f64x2.mul(ti, iqr));
    const gLr = f64x2.sub(qqr, f64x2.sub(f64x2.mul(gdr, idr), f64x2.mul(gdi, idi)));
    const gLi = f64x2.sub(qqi, f64x2.add(f64x2.mul(gdr, idi), f64x2.mul(gdi, idr)));
    const gcr = f64x2.sub(f64x2.mul(mdr, vT), f64x2.mul(v(2.0), gLr)), gci = f64x2.sub(f64x2.mul(mdi, vT), f64x2.mul(v(2.0), gLi));
    let outR = f64x2.add(f64x2.mul(vkt, gcr), f64x2.mul(vv0, gBr)), outI = f64x2.add(f64x2.mul(vkt, gci), f64x2.mul(vv0, gBi));
    if (k == 0) {
      const ts2 = v(theta / s2);
      storeX2(p, 32, f64x2.add(outR, f64x2.mul(ts2, cr)), f64x2.add(outI, f64x2.mul(ts2, ci)));
    } else if (k == 1) {
      const k2 = v((2.0 * kt) / sigma);
      storeX2(p, 64, f64x2.sub(outR, f64x2.mul(k2, cr)), f64x2.sub(outI, f64x2.mul(k2, ci)));
    } else {
      storeX2(p, 80, outR, outI);
    }
  }
}

// Bates (1996): adds the jump part of ln phi(z), z = u - i/2, to [re, im] at p and, if grad, its
// derivatives in (lambda, muJ, deltaJ) at p + 96 .. p + 143:
//   ln phi_J = T lambda (e^E - 1 - iz kbar), E = iz muJ - z^2 deltaJ^2 / 2, kbar = e^{muJ + deltaJ^2/2} - 1
// (Merton 1976 lognormal jumps; the compensator kbar keeps E[S_T] = F, ln phi_J(-i) = 0). On the
// contour iz = 1/2 + iu and z^2 = u^2 - 1/4 - iu, so Re E = muJ/2 - deltaJ^2 (u^2 - 1/4)/2 and
// Im E = u (muJ + deltaJ^2/2). d/dlambda = T (e^E - 1 - iz kbar), d/dmuJ = T lambda iz (e^E - kbar - 1),
// d/ddeltaJ = T lambda deltaJ (-z^2 e^E - iz (kbar + 1)).
function addJumps(p: usize, u: f64, T: f64, grad: bool): void {
  const d2 = DELTA_J * DELTA_J;
  const kb1 = exp(MU_J + 0.5 * d2);
  const kbar = Math.expm1(MU_J + 0.5 * d2);
  const m = exp(0.5 * MU_J - 0.5 * d2 * (u * u - 0.25)), a = u * (MU_J + 0.5 * d2);
  const eR = m * Math.cos(a), eI = m * Math.sin(a);
  const jr = eR - 1.0 - 0.5 * kbar, ji = eI - u * kbar;
  store<f64>(p, load<f64>(p) + T * LAMBDA * jr);
  store<f64>(p, load<f64>(p, 8) + T * LAMBDA * ji, 8);
  if (!grad) return;
  const tl = T * LAMBDA;
  store<f64>(p, T * jr, 96);
  store<f64>(p, T * ji, 104);
  const xr = eR - kb1, xi = eI;
  store<f64>(p, tl * (0.5 * xr - u * xi), 112);
  store<f64>(p, tl * (0.5 * xi + u * xr), 120);
  const zr = 0.25 - u * u;
  const yr = eR * zr - eI * u - 0.5 * kb1, yi = eR * u + eI * zr - u * kb1;
  store<f64>(p, tl * DELTA_J * yr, 128);
  store<f64>(p, tl * DELTA_J * yi, 136);
}

// u max(|phi|, phi_BS) / b, for the truncation search (uses the first slots at p as scratch).
function tailEnvelope(p: usize, u: f64, T: f64, w: f64, v0: f64, kappa: f64, theta: f64, sigma: f64, rho: f64): f64 {
  logCharacteristic(p, u, T, v0, kappa, theta, sigma, rho, false);
  if (JUMPS) addJumps(p, u, T, false);
  const b = u * u + 0.25;
  return (u * Math.max(exp(load<f64>(p)), exp(-0.5 * w * T * b))) / b;
}

/**
 * Heston European prices, and with gradient = 1 their derivatives with respect to
 * (v0, kappa, theta, sigma, rho), for a batch on forwards. Columns (n each): forward F, strike K,
 * expiry T (years), discount factor DF, type (i8, +1 call / -1 put). Parameters: v0 >= 0,
 * kappa > 0, theta >= 0, sigma > 0, -1 < rho < 1 (else returns 2: a malformed call). Quadrature:
 * the nNodes-point Gauss-Legendre rule at pNodes/pWeights on [-1, 1], tail `tolerance`, at most
 * maxPanels panels, work area pWork of (maxPanels * 14 + 2) * nNodes f64. Writes prices at pOut,
 * gradient rows (row-major n x 5) at pGrad if gradient = 1, u8 statuses at pStatus.
 */
export function hestonPriceBatch(
  n: i32, pForward: usize, pStrike: usize, pExpiry: usize, pDiscount: usize, pType: usize,
  v0: f64, kappa: f64, theta: f64, sigma: f64, rho: f64,
  nNodes: i32, pNodes: usize, pWeights: usize, tolerance: f64, maxPanels: i32, pWork: usize,
  gradient: i32, pOut: usize, pGrad: usize, pStatus: usize,
): i32 {
  if (n < 0 || nNodes < 1 || maxPanels < 1 || !(tolerance > 0.0)) return 1;
  if (!(v0 >= 0.0 && kappa > 0.0 && theta >= 0.0 && sigma > 0.0 && rho > -1.0 && rho < 1.0)
    || !(v0 < Infinity && kappa < Infinity && theta < Infinity && sigma < Infinity)) return 2;
  JUMPS = false;
  LAMBDA = 0.0;
  MU_J = 0.0;
  DELTA_J = 0.0;
  return priceBatch(n, pForward, pStrike, pExpiry, pDiscount, pType, v0, kappa, theta, sigma, rho,
    nNodes, pNodes, pWeights, tolerance, maxPanels, pWork, gradient, pOut, pGrad, pStatus);
}

/**
 * Bates (1996) European prices: Heston plus Merton lognormal jumps (intensity lambda per year,
 * log-jump mean muJ and sd deltaJ; characteristic function the Heston one times
 * exp(T lambda (e^{iz muJ - z^2 deltaJ^2/2} - 1 - iz kbar)), kbar = e^{muJ + deltaJ^2/2} - 1), and
 * with gradient = 1 the row-major n x 8 gradient in (v0, kappa, theta, sigma, rho, lambda, muJ,
 * deltaJ). Same columns and quadrature as hestonPriceBatch; work area (maxPanels * 20 + 2) * nNodes
 * f64; the control variate's variance adds the jumps' lambda (muJ^2 + deltaJ^2). Returns 2 for
 * parameters outside the Heston domain, lambda < 0, deltaJ < 0 or a non-finite muJ.
 */
export function batesPriceBatch(
  n: i32, pForward: usize, pStrike: usize, pExpiry: usize, pDiscount: usize, pType: usize,
  v0: f64, kappa: f64, theta: f64, sigma: f64, rho: f64, lambda: f64, muJ: f64, deltaJ: f64,
  nNodes: i32, pNodes: usize, pWeights: usize, tolerance: f64, maxPanels: i32, pWork: usize,
  gradient: i32, pOut: usize, pGrad: usize, pStatus: usize,
): i32 {
  if (n < 0 || nNodes < 1 || maxPanels < 1 || !(tolerance > 0.0)) return 1;
  if (!(v0 >= 0.0 && kappa > 0.0 && theta >= 0.0 && sigma > 0.0 && rho > -1.0 && rho < 1.0 && lambda >= 0.0 && deltaJ >= 0.0)
    || !(v0 < Infinity && kappa < Infinity && theta < Infinity && sigma < Infinity && lambda < Infinity && deltaJ < Infinity && isFiniteF(muJ))) return 2;
  JUMPS = true;
  LAMBDA = lambda;
  MU_J = muJ;
  DELTA_J = deltaJ;
  return priceBatch(n, pForward, pStrike, pExpiry, pDiscount, pType, v0, kappa, theta, sigma, rho,
    nNodes, pNodes, pWeights, tolerance, maxPanels, pWork, gradient, pOut, pGrad, pStatus);
}

// Prices within this many DF sqrt(F K) outside their no-arbitrage bounds are put on the bound.
const BOUND_BAND: f64 = 1e-12;
// Smallest normal double: sigma^2 below it cannot be divided by (kappa theta / sigma^2).
const MIN_NORMAL: f64 = 2.2250738585072014e-308;

// ln(F/K) for positive finite F, K: the quotient where it is a normal number, else ln F - ln K.
// @ts-ignore: decorator
@inline
function logMoneyness(F: f64, K: f64): f64 {
  const r = F / K;
  return r >= MIN_NORMAL && r < Infinity ? log(r) : log(F) - log(K);
}

// Two node records (ln phi and its gradient) as logCharacteristic(X2) and addJumps write them.
const NODE: usize = memory.data(2 * 18 * 8, 16);
// phi (re, im) and the control variate's characteristic function of a node pair, as f64x2.
const PAIR: usize = memory.data(6 * 8, 16);

// c Re(f) - s Im(f) for two neighbouring nodes, Re at p and Im at p + fs.
// @ts-ignore: decorator
@inline
function termX2(c: v128, s: v128, p: usize, fs: usize): v128 {
  return f64x2.sub(f64x2.mul(c, v128.load(p)), f64x2.mul(s, v128.load(p + fs)));
}

// acc with c Re(f) - s Im(f) of one node (at p, p + fs) added to lane 0.
// @ts-ignore: decorator
@inline
function addLane0(acc: v128, c: f64, s: f64, p: usize, fs: usize): v128 {
  return f64x2.replace_lane(acc, 0, f64x2.extract_lane(acc, 0) + (c * load<f64>(p) - s * load<f64>(p + fs)));
}

// Lane 0 + lane 1.
// @ts-ignore: decorator
@inline
function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// NaN in the price and gradient row of element i, and its status.
function fail(pOut: usize, og: usize, pStatus: usize, i: i32, nP: i32, grad: bool, status: u8): void {
  store<f64>(pOut + (<usize>i << 3), NaN);
  if (grad) for (let k = 0; k < nP; k++) store<f64>(og + (<usize>k << 3), NaN);
  store<u8>(pStatus + <usize>i, status);
}

function priceBatch(
  n: i32, pForward: usize, pStrike: usize, pExpiry: usize, pDiscount: usize, pType: usize,
  v0: f64, kappa: f64, theta: f64, sigma: f64, rho: f64,
  nNodes: i32, pNodes: usize, pWeights: usize, tolerance: f64, maxPanels: i32, pWork: usize,
  gradient: i32, pOut: usize, pGrad: usize, pStatus: usize,
): i32 {
  const STRIDE: i32 = JUMPS ? BATES_WORK_STRIDE : WORK_STRIDE;
  const nP: i32 = JUMPS ? 8 : 5;
  const grad = gradient != 0;
  // No variance now or ever (jumps included): every price is its discounted intrinsic value.
  const noVariance = v0 == 0.0 && theta == 0.0 && (LAMBDA == 0.0 || (MU_J == 0.0 && DELTA_J == 0.0));
  // sigma^2 must be a normal number: the formulas divide by it.
  const paramsOk = sigma * sigma >= MIN_NORMAL;
  // Per expiry (a function of T and the parameters only): control-variate variance w, truncation
  // point umax, width of the Gaussian core.
  let cacheT: f64 = NaN, tOk = false, w: f64 = 0.0, umax: f64 = 0.0, hCore: f64 = 0.0;
  // The panels in the work area: first width h0, widest capWidth, for expiry cacheT. Each element
  // chooses (h0, capWidth) from its own ln(F/K) and the expiry's values above, so its price never
  // depends on the other elements of the batch; consecutive elements that choose the same layout
  // reuse its phi values.
  let layoutH0: f64 = NaN, layoutCap: f64 = NaN, layoutOk = false, panels: i32 = 0;
  // Byte stride between the fields of a panel's nodes (the work area holds each field of a panel
  // as nNodes consecutive f64, so two neighbouring nodes load as one f64x2).
  const fs = <usize>nNodes << 3;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const F = load<f64>(pForward + o);
    const K = load<f64>(pStrike + o);
    const T = load<f64>(pExpiry + o);
    const DF = load<f64>(pDiscount + o);
    const ty = load<i8>(pType + <usize>i);
    const og = pGrad + <usize>(i * nP) * 8;
    // Out of the domain, or a price bound DF F or DF K that is not a finite number.
    if (!(F > 0.0 && K > 0.0 && T >= 0.0 && DF > 0.0) || !isFiniteF(F + K + T + DF) || (ty != 1 && ty != -1)
      || !isFiniteF(DF * F + DF * K)) {
      fail(pOut, og, pStatus, i, nP, grad, STATUS_INVALID_INPUT);
      continue;
    }
    const x = logMoneyness(F, K);
    // No-arbitrage bounds: DF max(ty (F - K), 0) <= V <= DF F (call), DF K (put).
    const lower: f64 = <f64>ty * x > 0.0 ? DF * <f64>ty * (F - K) : 0.0;
    const upper: f64 = ty > 0 ? DF * F : DF * K;
    // Zero expiry, or no variance now or ever: the (discounted) intrinsic value, zero gradient.
    if (T == 0.0 || noVariance) {
      store<f64>(pOut + o, lower);
      if (grad) for (let k = 0; k < nP; k++) store<f64>(og + (<usize>k << 3), 0.0);
      store<u8>(pStatus + <usize>i, STATUS_OK);
      continue;
    }
    if (!paramsOk) {
      fail(pOut, og, pStatus, i, nP, grad, STATUS_INVALID_INPUT);
      continue;
    }
    if (T != cacheT) {
      cacheT = T;
      layoutH0 = NaN; // the truncation search below uses the work area as scratch
      const kT = kappa * T;
      w = theta + (v0 - theta) * (kT > 1e-8 ? -Math.expm1(-kT) / kT : 1.0 - 0.5 * kT);
      if (JUMPS) w += LAMBDA * (MU_J * MU_J + DELTA_J * DELTA_J);
      // A NaN envelope (the characteristic function overflows) is never below the tolerance: the
      // search then fails.
      umax = 1.0;
      while (umax <= U_LIMIT && !(tailEnvelope(pWork, umax, T, w, v0, kappa, theta, sigma, rho) <= tolerance)) umax *= 2.0;
      // First panel: 1, or the width 1/sqrt(wT) of the Gaussian core for short expiries.
      hCore = Math.max(1.0, 1.0 / Math.sqrt(w * T));
      tOk = umax <= U_LIMIT && hCore < Infinity;
      // Three bisection steps in [umax/2, umax] (the envelope is above the tolerance at umax/2).
      if (tOk && umax > 1.0) {
        let a = 0.5 * umax;
        for (let k = 0; k < 3; k++) {
          const c = 0.5 * (a + umax);
          if (!(tailEnvelope(pWork, c, T, w, v0, kappa, theta, sigma, rho) <= tolerance)) a = c;
          else umax = c;
        }
      }
    }
    if (!tOk) {
      fail(pOut, og, pStatus, i, nP, grad, STATUS_NOT_CONVERGED);
      continue;
    }
    // Panel widths h0, 2 h0, ... up to the largest power of two within this element's oscillation
    // cap, then constant. |x| < 1500 (ln of the largest over the smallest double), so wOsc > 0.0125
    // and the doubling stops after at most 27 steps (the count bounds it regardless).
    const ax = Math.abs(x);
    const wOsc: f64 = ax > 0.0 ? (OSCILLATIONS_PER_PANEL * 2.0 * Math.PI) / ax : Infinity;
    // h0: hCore halved until within the cap (few distinct values per expiry, so neighbours share
    // layouts; halving is exact, so every backend gets the same h0). hCore < 2^540 and
    // wOsc > 2^-7, so 550 halvings always suffice.
    let h0 = hCore;
    for (let k = 0; k < 1100 && h0 > wOsc; k++) h0 *= 0.5;
    let capWidth = h0;
    for (let k = 0; k < 64 && capWidth * 2.0 <= wOsc && capWidth * 2.0 < umax; k++) capWidth *= 2.0;
    if (h0 != layoutH0 || capWidth != layoutCap) {
      // Where only the cap shrank (neighbours sorted by |ln(F/K)|), the graded panels up to the
      // first of the new cap's width are the previous layout's: their phi values are kept.
      let keep: i32 = 0;
      if (h0 == layoutH0 && capWidth < layoutCap) {
        keep = 1;
        for (let hk = h0; hk < capWidth && keep < 64; hk *= 2.0) keep++;
        if (keep > panels) keep = panels;
      }
      layoutH0 = h0;
      layoutCap = capWidth;
      layoutOk = true;
      let lo: f64 = 0.0, h = h0;
      panels = 0;
      while (panels == 0 || lo < umax - h0) {
        if (panels == maxPanels) {
          layoutOk = false;
          break;
        }
        const half = 0.5 * h, mid = lo + half;
        const blk = pWork + <usize>(STRIDE * panels * nNodes) * 8;
        for (let q = panels < keep ? nNodes : 0; q < nNodes; q++) {
          const u = mid + half * load<f64>(pNodes + (<usize>q << 3));
          const b = u * u + 0.25;
          // Nodes in pairs (q even, q + 1) through logCharacteristicX2 and the f64x2 exp, sin and
          // cos (each lane the scalar's bits); the last of an odd count alone.
          let rec = NODE, phr: f64, phi: f64, ecv: f64;
          if (q & 1) {
            rec = NODE + NODE_BYTES;
            phr = load<f64>(PAIR, 8);
            phi = load<f64>(PAIR, 24);
            ecv = load<f64>(PAIR, 40);
          } else if (q + 1 < nNodes) {
            const u1 = mid + half * load<f64>(pNodes + (<usize>(q + 1) << 3));
            const uv = f64x2.replace_lane(f64x2.splat(u), 1, u1);
            logCharacteristicX2(NODE, uv, T, v0, kappa, theta, sigma, rho, grad);
            if (JUMPS) {
              addJumps(NODE, u, T, grad);
              addJumps(NODE + NODE_BYTES, u1, T, grad);
            }
            const m = expX2(f64x2.replace_lane(f64x2.splat(load<f64>(NODE)), 1, load<f64>(NODE + NODE_BYTES)));
            const sn = sinCosX2(f64x2.replace_lane(f64x2.splat(load<f64>(NODE, 8)), 1, load<f64>(NODE + NODE_BYTES, 8)));
            const bv = f64x2.add(f64x2.mul(uv, uv), f64x2.splat(0.25));
            v128.store(PAIR, f64x2.mul(m, COS_X2));
            v128.store(PAIR, f64x2.mul(m, sn), 16);
            v128.store(PAIR, expX2(f64x2.mul(f64x2.splat(-0.5 * w * T), bv)), 32);
            phr = load<f64>(PAIR);
            phi = load<f64>(PAIR, 16);
            ecv = load<f64>(PAIR, 32);
          } else {
            logCharacteristic(NODE, u, T, v0, kappa, theta, sigma, rho, grad);
            if (JUMPS) addJumps(NODE, u, T, grad);
            const m = exp(load<f64>(NODE)), ang = load<f64>(NODE, 8);
            phr = m * Math.cos(ang);
            phi = m * Math.sin(ang);
            ecv = exp(-0.5 * w * T * b);
          }
          const at = blk + (<usize>q << 3);
          store<f64>(at, u);
          store<f64>(at + fs, (half * load<f64>(pWeights + (<usize>q << 3))) / (Math.PI * b));
          if (grad) {
            for (let k = 0; k < nP; k++) {
              const a = rec + 16 + (<usize>k << 4);
              const gr = load<f64>(a), gi = load<f64>(a, 8);
              const f = at + fs * <usize>(4 + 2 * k);
              store<f64>(f, phr * gr - phi * gi);
              store<f64>(f + fs, phr * gi + phi * gr);
            }
          }
          store<f64>(at + 2 * fs, ecv - phr);
          store<f64>(at + 3 * fs, -phi);
        }
        lo += h;
        if (h < capWidth) h *= 2.0;
        panels++;
      }
    }
    if (!layoutOk) {
      // Over the panel budget (expiries of minutes with far strikes): NaN, not a wrong number.
      fail(pOut, og, pStatus, i, nP, grad, STATUS_NOT_CONVERGED);
      continue;
    }
    // e^{iux} = e^{i lo x} P_q per panel [lo, lo + h], P_q = e^{i h (t_q + 1) x / 2}: e^{i lo x}
    // advances by e^{i h x} per panel and both factors are squared where h doubles, so the sum
    // needs nNodes + 1 sines and cosines per option instead of one per node. Phase factors at pPh:
    // nNodes cosines, then nNodes sines.
    const pPh = pWork + <usize>(STRIDE * maxPanels * nNodes) * 8;
    const hx = h0 * x;
    const pairs = nNodes & ~1;
    const vhx = f64x2.splat(hx);
    for (let q = 0; q < pairs; q += 2) {
      const a = f64x2.mul(f64x2.mul(f64x2.splat(0.5), f64x2.add(v128.load(pNodes + (<usize>q << 3)), f64x2.splat(1.0))), vhx);
      const sn = sinCosX2(a);
      v128.store(pPh + (<usize>q << 3), COS_X2);
      v128.store(pPh + fs + (<usize>q << 3), sn);
    }
    if (pairs < nNodes) {
      const a = 0.5 * (load<f64>(pNodes + (<usize>pairs << 3)) + 1.0) * hx;
      store<f64>(pPh + (<usize>pairs << 3), Math.cos(a));
      store<f64>(pPh + fs + (<usize>pairs << 3), Math.sin(a));
    }
    // Two partial sums per quantity, nodes q even (lane 0) and q odd (lane 1), each accumulated in
    // (panel, node) order and added at the end: the JS twin sums the same way.
    let sr: f64 = 1.0, si: f64 = 0.0, er = Math.cos(hx), ei = Math.sin(hx), h = h0;
    const zero = f64x2.splat(0.0);
    let sum = zero, g0 = zero, g1 = zero, g2 = zero, g3 = zero, g4 = zero, g5 = zero, g6 = zero, g7 = zero;
    for (let p = 0; p < panels; p++) {
      const base = pWork + <usize>(STRIDE * p * nNodes) * 8;
      const vsr = f64x2.splat(sr), vsi = f64x2.splat(si);
      if (grad) {
        for (let q = 0; q < nNodes; q += 2) {
          const at = base + (<usize>q << 3);
          const pp = pPh + (<usize>q << 3);
          let pr: v128, pi: v128, cw: v128;
          if (q < pairs) {
            pr = v128.load(pp);
            pi = v128.load(pp + fs);
            cw = v128.load(at + fs);
          } else {
            // Odd nNodes: the last node in lane 0; lane 1 adds exact zeros.
            pr = f64x2.replace_lane(zero, 0, load<f64>(pp));
            pi = f64x2.replace_lane(zero, 0, load<f64>(pp + fs));
            cw = f64x2.replace_lane(zero, 0, load<f64>(at + fs));
          }
          const c = f64x2.mul(cw, f64x2.sub(f64x2.mul(vsr, pr), f64x2.mul(vsi, pi)));
          const s = f64x2.mul(cw, f64x2.add(f64x2.mul(vsr, pi), f64x2.mul(vsi, pr)));
          if (q < pairs) {
            sum = f64x2.add(sum, termX2(c, s, at + 2 * fs, fs));
            g0 = f64x2.add(g0, termX2(c, s, at + 4 * fs, fs));
            g1 = f64x2.add(g1, termX2(c, s, at + 6 * fs, fs));
            g2 = f64x2.add(g2, termX2(c, s, at + 8 * fs, fs));
            g3 = f64x2.add(g3, termX2(c, s, at + 10 * fs, fs));
            g4 = f64x2.add(g4, termX2(c, s, at + 12 * fs, fs));
            if (JUMPS) {
              g5 = f64x2.add(g5, termX2(c, s, at + 14 * fs, fs));
              g6 = f64x2.add(g6, termX2(c, s, at + 16 * fs, fs));
              g7 = f64x2.add(g7, termX2(c, s, at + 18 * fs, fs));
            }
          } else {
            const cl = f64x2.extract_lane(c, 0), sl = f64x2.extract_lane(s, 0);
            sum = addLane0(sum, cl, sl, at + 2 * fs, fs);
            g0 = addLane0(g0, cl, sl, at + 4 * fs, fs);
            g1 = addLane0(g1, cl, sl, at + 6 * fs, fs);
            g2 = addLane0(g2, cl, sl, at + 8 * fs, fs);
            g3 = addLane0(g3, cl, sl, at + 10 * fs, fs);
            g4 = addLane0(g4, cl, sl, at + 12 * fs, fs);
            if (JUMPS) {
              g5 = addLane0(g5, cl, sl, at + 14 * fs, fs);
              g6 = addLane0(g6, cl, sl, at + 16 * fs, fs);
              g7 = addLane0(g7, cl, sl, at + 18 * fs, fs);
            }
          }
        }
      } else {
        for (let q = 0; q < pairs; q += 2) {
          const at = base + (<usize>q << 3);
          const pp = pPh + (<usize>q << 3);
          const pr = v128.load(pp), pi = v128.load(pp + fs);
          const c = f64x2.sub(f64x2.mul(vsr, pr), f64x2.mul(vsi, pi));
          const s = f64x2.add(f64x2.mul(vsr, pi), f64x2.mul(vsi, pr));
          sum = f64x2.add(sum, f64x2.mul(v128.load(at + fs), termX2(c, s, at + 2 * fs, fs)));
        }
        if (pairs < nNodes) {
          const q = pairs;
          const at = base + (<usize>q << 3);
          const pp = pPh + (<usize>q << 3);
          const pr = load<f64>(pp), pi = load<f64>(pp + fs);
          const t = load<f64>(at + fs) * ((sr * pr - si * pi) * load<f64>(at + 2 * fs) - (sr * pi + si * pr) * load<f64>(at + 3 * fs));
          sum = f64x2.replace_lane(sum, 0, f64x2.extract_lane(sum, 0) + t);
        }
      }
      const t = sr * er - si * ei;
      si = sr * ei + si * er;
      sr = t;
      if (h < capWidth) {
        const two = f64x2.splat(2.0);
        for (let q = 0; q < pairs; q += 2) {
          const pp = pPh + (<usize>q << 3);
          const pr = v128.load(pp), pi = v128.load(pp + fs);
          v128.store(pp, f64x2.sub(f64x2.mul(pr, pr), f64x2.mul(pi, pi)));
          v128.store(pp + fs, f64x2.mul(f64x2.mul(two, pr), pi));
        }
        if (pairs < nNodes) {
          const pp = pPh + (<usize>pairs << 3);
          const pr = load<f64>(pp), pi = load<f64>(pp + fs);
          store<f64>(pp, pr * pr - pi * pi);
          store<f64>(pp + fs, 2.0 * pr * pi);
        }
        const t2 = er * er - ei * ei;
        ei = 2.0 * er * ei;
        er = t2;
        h *= 2.0;
      }
    }
    const scale = DF * Math.sqrt(F) * Math.sqrt(K);
    let price = scale * (normalisedBlack(x, Math.sqrt(w * T), <f64>ty) + hsum(sum));
    // Quadrature and rounding errors (about 1e-15 DF sqrt(F K)) can put a price just outside
    // [lower, upper]: within BOUND_BAND DF sqrt(F K) it goes onto the bound; further out (or NaN,
    // or a non-finite gradient) the integral failed: NaN and notConverged.
    // Plus the rounding of a price of size up to the upper bound: deep in the money (F = 1e30,
    // K = 1e3) an ulp of DF F dwarfs 1e-12 DF sqrt(F K), and the two backends' last bits would
    // otherwise decide between ok and notConverged.
    const band = BOUND_BAND * scale + 16.0 * 2.220446049250313e-16 * upper;
    if (price < lower && price >= lower - band) price = lower;
    else if (price > upper && price <= upper + band) price = upper;
    let good = price >= lower && price <= upper;
    if (grad) {
      store<f64>(og, -scale * hsum(g0));
      store<f64>(og, -scale * hsum(g1), 8);
      store<f64>(og, -scale * hsum(g2), 16);
      store<f64>(og, -scale * hsum(g3), 24);
      store<f64>(og, -scale * hsum(g4), 32);
      if (JUMPS) {
        store<f64>(og, -scale * hsum(g5), 40);
        store<f64>(og, -scale * hsum(g6), 48);
        store<f64>(og, -scale * hsum(g7), 56);
      }
      for (let k = 0; k < nP; k++) if (!isFiniteF(load<f64>(og + (<usize>k << 3)))) good = false;
    }
    if (!good) {
      fail(pOut, og, pStatus, i, nP, grad, STATUS_NOT_CONVERGED);
      continue;
    }
    store<f64>(pOut + o, price);
    store<u8>(pStatus + <usize>i, STATUS_OK);
  }
  return 0;
}
