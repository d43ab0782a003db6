// GARCH(1,1) and GJR-GARCH(1,1) log-likelihood of zero-mean returns and its analytic gradient.
// Mirrored in src/kernels/risk/garch-likelihood.ts.
//
//   sigma2_0 = variance0 (given: the sample variance unless the caller says otherwise),
//   sigma2_t = omega + (alpha + gamma 1{r_{t-1} < 0}) r_{t-1}^2 + beta sigma2_{t-1},  t >= 1,
// with r_t = sigma_t z_t, z_t standard normal or Student-t scaled to unit variance (nu > 2):
//   normal: l_t = -1/2 [ln 2 pi + ln sigma2_t + r_t^2 / sigma2_t]
//   t:      l_t = ln Gamma((nu+1)/2) - ln Gamma(nu/2) - 1/2 ln(pi (nu-2)) - 1/2 ln sigma2_t
//                 - (nu+1)/2 ln(1 + r_t^2 / ((nu-2) sigma2_t)).
// The gradient propagates d sigma2_t / d theta = (1, r^2, sigma2_{t-1}, 1{r<0} r^2) + beta d sigma2_{t-1} / d theta.
//
// Logarithms (log, log1p, and inside ln Gamma and digamma) are the shared elementary functions of
// math/elementary.ts, not Math.*: the likelihood and its gradient are bit for bit the same on both
// backends, so a fit (src/risk/garch.ts) takes the same path on each.

import { log, log1p } from "../math/elementary";
import { digamma, logGamma } from "./special";

const LN_2PI: f64 = 1.8378770664093454836;
const LN_PI: f64 = 1.1447298858494001741;
const HALF_LN_2: f64 = 0.34657359027997265471;

/**
 * The Student-t normalising constant per observation, ln Gamma((nu+1)/2) - ln Gamma(nu/2) -
 * ln(pi (nu-2))/2 (at *d = 0), or its derivative in nu (d = 1). For x = nu/2 < 10 the difference of
 * the two ln Gamma; from x = 10 on the asymptotic series of ln Gamma(x + 1/2) - ln Gamma(x) - ln(x)/2
 * (odd powers of 1/x to x^-15, from the Bernoulli polynomials: c_k = (-1)^(k+1) (2^-k - 2) B_(k+1) /
 * (k (k+1)), truncation error < 4e-18 at x = 10), with ln(x)/2 - ln(nu - 2)/2 = -ln(2)/2 - log1p(-2/nu)/2.
 * The direct difference cancels two terms of size x ln x: at nu = 3e14 its rounding error is about 1
 * per observation, which the optimiser used to climb to spurious optima (logL +73 on 300 normals
 * whose true maximum is -428).
 */
function tConstant(nu: f64, derivative: bool): f64 {
  const nuM2 = nu - 2.0;
  const x = 0.5 * nu;
  if (x < 10.0) {
    if (derivative) return 0.5 * digamma(x + 0.5) - 0.5 * digamma(x) - 0.5 / nuM2;
    return logGamma(x + 0.5) - logGamma(x) - 0.5 * (LN_PI + log(nuM2));
  }
  const y = 1.0 / x;
  const y2 = y * y;
  if (derivative) {
    // d/dnu = (psi(x + 1/2) - psi(x)) / 2 - 1/(2 (nu - 2)), psi(x + 1/2) - psi(x) = 1/(2x) + sum -k c_k x^-(k+1).
    const d = y2 * (0.125 + y2 * (-0.015625 + y2 * (0.0078125 + y2 * (-0.00830078125 + y2 * (0.01513671875 +
      y2 * (-0.04217529296875 + y2 * (0.166656494140625 + y2 * -0.8865060806274414)))))));
    return 0.5 * d - 1.0 / (nu * nuM2);
  }
  const s = y * (-0.125 + y2 * (1.0 / 192.0 + y2 * (-1.0 / 640.0 + y2 * (17.0 / 14336.0 + y2 * (-31.0 / 18432.0 +
    y2 * (691.0 / 180224.0 + y2 * (-5461.0 / 425984.0 + y2 * (929569.0 / 15728640.0))))))));
  return s - HALF_LN_2 - 0.5 * log1p(-2.0 / nu) - 0.5 * LN_PI;
}

/**
 * Log-likelihood (sum over the n returns at pReturns) and gradient. model 0 GARCH, 1 GJR;
 * distribution 0 normal, 1 Student-t. pParams: f64 [omega, alpha, beta, gamma, nu] (gamma ignored
 * for GARCH, nu for normal). Writes f64 [6] at pOut: logL, d/domega, d/dalpha, d/dbeta, d/dgamma,
 * d/dnu (0 for unused parameters). pVariances: f64 [n] conditional variances, or 0. A variance
 * that is not positive and finite gives logL = NaN. Returns 0, or 1 for a malformed call.
 */
export function garchLikelihood(
  n: i32, pReturns: usize, model: i32, distribution: i32, pParams: usize, variance0: f64, pOut: usize, pVariances: usize,
): i32 {
  if (n < 1 || model < 0 || model > 1 || distribution < 0 || distribution > 1) return 1;
  const omega = load<f64>(pParams);
  const alpha = load<f64>(pParams + 8);
  const beta = load<f64>(pParams + 16);
  const gamma = model == 1 ? load<f64>(pParams + 24) : 0.0;
  const nu = distribution == 1 ? load<f64>(pParams + 32) : 0.0;
  const isT = distribution == 1;
  if (isT && !(nu > 2.0)) {
    for (let j = 0; j < 6; j++) store<f64>(pOut + (<usize>j << 3), NaN);
    return 0;
  }
  let h = variance0;
  let dW: f64 = 0.0, dA: f64 = 0.0, dB: f64 = 0.0, dG: f64 = 0.0;
  let ll: f64 = 0.0, gW: f64 = 0.0, gA: f64 = 0.0, gB: f64 = 0.0, gG: f64 = 0.0, gN: f64 = 0.0;
  const nuM2 = nu - 2.0;
  const halfNuP1 = 0.5 * (nu + 1.0);
  let ok = true;
  for (let t = 0; t < n; t++) {
    const r = load<f64>(pReturns + (<usize>t << 3));
    if (t > 0) {
      const rp = load<f64>(pReturns + (<usize>(t - 1) << 3));
      const r2p = rp * rp;
      const neg: f64 = rp < 0.0 ? r2p : 0.0;
      const hPrev = h;
      h = omega + alpha * r2p + gamma * neg + beta * hPrev;
      dW = 1.0 + beta * dW;
      dA = r2p + beta * dA;
      dB = hPrev + beta * dB;
      dG = neg + beta * dG;
    }
    if (!(h > 0.0 && h < Infinity)) {
      ok = false;
      break;
    }
    if (pVariances != 0) store<f64>(pVariances + (<usize>t << 3), h);
    const r2 = r * r;
    let dldh: f64;
    if (isT) {
      const q = r2 / (nuM2 * h);
      const l1p = log1p(q);
      ll += -0.5 * log(h) - halfNuP1 * l1p;
      const w = q / (1.0 + q);
      dldh = (halfNuP1 * w - 0.5) / h;
      gN += -0.5 * l1p + halfNuP1 * w / nuM2;
    } else {
      ll += -0.5 * (log(h) + r2 / h);
      dldh = 0.5 * (r2 / h - 1.0) / h;
    }
    gW += dldh * dW;
    gA += dldh * dA;
    gB += dldh * dB;
    gG += dldh * dG;
  }
  if (!ok) {
    for (let j = 0; j < 6; j++) store<f64>(pOut + (<usize>j << 3), NaN);
    return 0;
  }
  const nf = <f64>n;
  if (isT) {
    ll += nf * tConstant(nu, false);
    gN += nf * tConstant(nu, true);
  } else {
    ll -= 0.5 * nf * LN_2PI;
  }
  store<f64>(pOut, ll);
  store<f64>(pOut + 8, gW);
  store<f64>(pOut + 16, gA);
  store<f64>(pOut + 24, gB);
  store<f64>(pOut + 32, model == 1 ? gG : 0.0);
  store<f64>(pOut + 40, isT ? gN : 0.0);
  return 0;
}
