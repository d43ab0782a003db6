// Pure-JS twin of assembly/risk/garch-likelihood.ts (see there for the model and conventions).
// Logarithms are the shared elementary functions of ../math/elementary.ts (not Math.*), so the
// likelihood and gradient are bit for bit the WASM twin's.
import type { KernelHeap } from '../heap.js';
import { log, log1p } from '../math/elementary.js';
import { digamma, logGamma } from './special.js';

const LN_2PI = 1.8378770664093454836;
const LN_PI = 1.1447298858494001741;
const HALF_LN_2 = 0.34657359027997265471;

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
function tConstant(nu: number, derivative: boolean): number {
  const nuM2 = nu - 2;
  const x = 0.5 * nu;
  if (x < 10) {
    if (derivative) return 0.5 * digamma(x + 0.5) - 0.5 * digamma(x) - 0.5 / nuM2;
    return logGamma(x + 0.5) - logGamma(x) - 0.5 * (LN_PI + log(nuM2));
  }
  const y = 1 / x;
  const y2 = y * y;
  if (derivative) {
    const d = y2 * (0.125 + y2 * (-0.015625 + y2 * (0.0078125 + y2 * (-0.00830078125 + y2 * (0.01513671875 +
      y2 * (-0.04217529296875 + y2 * (0.166656494140625 + y2 * -0.8865060806274414)))))));
    return 0.5 * d - 1 / (nu * nuM2);
  }
  const s = y * (-0.125 + y2 * (1 / 192 + y2 * (-1 / 640 + y2 * (17 / 14336 + y2 * (-31 / 18432 +
    y2 * (691 / 180224 + y2 * (-5461 / 425984 + y2 * (929569 / 15728640))))))));
  return s - HALF_LN_2 - 0.5 * log1p(-2 / nu) - 0.5 * LN_PI;
}

export function garchLikelihood(
  heap: KernelHeap, n: number, pReturns: number, model: number, distribution: number, pParams: number,
  variance0: number, pOut: number, pVariances: number,
): number {
  if (n < 1 || model < 0 || model > 1 || distribution < 0 || distribution > 1) return 1;
  const f64 = heap.f64;
  const P = pParams >>> 3, O = pOut >>> 3, R = pReturns >>> 3, V = pVariances >>> 3;
  const omega = f64[P], alpha = f64[P + 1], beta = f64[P + 2];
  const gamma = model === 1 ? f64[P + 3] : 0;
  const nu = distribution === 1 ? f64[P + 4] : 0;
  const isT = distribution === 1;
  if (isT && !(nu > 2)) {
    f64.fill(NaN, O, O + 6);
    return 0;
  }
  let h = variance0;
  let dW = 0, dA = 0, dB = 0, dG = 0;
  let ll = 0, gW = 0, gA = 0, gB = 0, gG = 0, gN = 0;
  const nuM2 = nu - 2;
  const halfNuP1 = 0.5 * (nu + 1);
  for (let t = 0; t < n; t++) {
    const r = f64[R + t];
    if (t > 0) {
      const rp = f64[R + t - 1];
      const r2p = rp * rp;
      const neg = rp < 0 ? r2p : 0;
      const hPrev = h;
      h = omega + alpha * r2p + gamma * neg + beta * hPrev;
      dW = 1 + beta * dW;
      dA = r2p + beta * dA;
      dB = hPrev + beta * dB;
      dG = neg + beta * dG;
    }
    if (!(h > 0 && h < Infinity)) {
      f64.fill(NaN, O, O + 6);
      return 0;
    }
    if (pVariances !== 0) f64[V + t] = h;
    const r2 = r * r;
    let dldh: number;
    if (isT) {
      const q = r2 / (nuM2 * h);
      const l1p = log1p(q);
      ll += -0.5 * log(h) - halfNuP1 * l1p;
      const w = q / (1 + q);
      dldh = (halfNuP1 * w - 0.5) / h;
      gN += -0.5 * l1p + (halfNuP1 * w) / nuM2;
    } else {
      ll += -0.5 * (log(h) + r2 / h);
      dldh = (0.5 * (r2 / h - 1)) / h;
    }
    gW += dldh * dW;
    gA += dldh * dA;
    gB += dldh * dB;
    gG += dldh * dG;
  }
  if (isT) {
    ll += n * tConstant(nu, false);
    gN += n * tConstant(nu, true);
  } else {
    ll -= 0.5 * n * LN_2PI;
  }
  f64[O] = ll;
  f64[O + 1] = gW;
  f64[O + 2] = gA;
  f64[O + 3] = gB;
  f64[O + 4] = model === 1 ? gG : 0;
  f64[O + 5] = isT ? gN : 0;
  return 0;
}
