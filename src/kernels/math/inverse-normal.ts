// Inverse of the standard normal distribution function, Phi^{-1}(p).
//
// M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution",
// Applied Statistics 37 (1988) 477-484, routine PPND16: three rational approximations of degree
// 7/7, one for |p - 1/2| <= 0.425 in (p - 1/2)^2 and two for the tails in r = sqrt(-ln(min(p, 1-p))),
// split at r = 5. Coefficients checked against two independent public transcriptions (CPython's
// statistics.NormalDist.inv_cdf and J. Burkardt's ASA241) and against the coefficient "hash sums"
// printed with the algorithm; test/inverse-normal.test.ts compares the results with mpmath.
//
// In the tails one Halley step on Phi(x) = q (q = min(p, 1-p), formed exactly since 1 - p is exact
// for p >= 1/2) with Cody's normalCdf, which is accurate in relative terms for x < 0, takes the
// result from AS 241's ~1e-16 to ~1 ulp. In the central region the residual Phi(x) - p would
// lose the digits of p - 1/2 to cancellation, so AS 241's value is returned as is.
// The logarithm of the tails and the exponential of the Halley step are the shared elementary
// functions (./elementary.ts), not Math.log / Math.exp, so that both backends give the same bits.
// Pure-JS twin of assembly/math/inverse-normal.ts (same steps, same order of operations).

import { exp, log } from './elementary.js';
import { normalCdfGivenPdf, normalCdfOverPdf, normalPdf } from './normal-distribution.js';


/**
 * Phi(z) with the shared exp: Cody's normalCdf as normalCdfGivenPdf(z, normalPdf(z)), bit for
 * bit the same on both backends (within an ulp or two of normalCdf, whose tail skips the
 * 1/sqrt(2 pi) sqrt(2 pi) round trip).
 */
export function normalCdfShared(z: number): number {
  return normalCdfGivenPdf(z, normalPdf(z));
}

const SPLIT_CENTRAL: number = 0.425;
const SPLIT_TAIL: number = 5.0;

// Phi^{-1}(1/2 + q) for |q| <= 0.425, as q * A(r)/B(r) with r = 0.180625 - q^2.
function centralQuantile(q: number): number {
  const r = 0.180625 - q * q;
  let num = 2.5090809287301226727e+3;
  num = num * r + 3.3430575583588128105e+4;
  num = num * r + 6.7265770927008700853e+4;
  num = num * r + 4.5921953931549871457e+4;
  num = num * r + 1.3731693765509461125e+4;
  num = num * r + 1.9715909503065514427e+3;
  num = num * r + 1.3314166789178437745e+2;
  num = num * r + 3.3871328727963666080e+0;
  let den = 5.2264952788528545610e+3;
  den = den * r + 2.8729085735721942674e+4;
  den = den * r + 3.9307895800092710610e+4;
  den = den * r + 2.1213794301586595867e+4;
  den = den * r + 5.3941960214247511077e+3;
  den = den * r + 6.8718700749205790830e+2;
  den = den * r + 4.2313330701600911252e+1;
  den = den * r + 1.0;
  return q * num / den;
}

// -Phi^{-1}(q) > 0 for 0 < q < 0.075 (so r = sqrt(-ln q) > 1.6).
function tailQuantile(q: number): number {
  let r = Math.sqrt(-log(q));
  if (r <= SPLIT_TAIL) {
    r -= 1.6;
    let num = 7.74545014278341407640e-4;
    num = num * r + 2.27238449892691845833e-2;
    num = num * r + 2.41780725177450611770e-1;
    num = num * r + 1.27045825245236838258e+0;
    num = num * r + 3.64784832476320460504e+0;
    num = num * r + 5.76949722146069140550e+0;
    num = num * r + 4.63033784615654529590e+0;
    num = num * r + 1.42343711074968357734e+0;
    let den = 1.05075007164441684324e-9;
    den = den * r + 5.47593808499534494600e-4;
    den = den * r + 1.51986665636164571966e-2;
    den = den * r + 1.48103976427480074590e-1;
    den = den * r + 6.89767334985100004550e-1;
    den = den * r + 1.67638483018380384940e+0;
    den = den * r + 2.05319162663775882187e+0;
    den = den * r + 1.0;
    return num / den;
  }
  r -= SPLIT_TAIL;
  let num = 2.01033439929228813265e-7;
  num = num * r + 2.71155556874348757815e-5;
  num = num * r + 1.24266094738807843860e-3;
  num = num * r + 2.65321895265761230930e-2;
  num = num * r + 2.96560571828504891230e-1;
  num = num * r + 1.78482653991729133580e+0;
  num = num * r + 5.46378491116411436990e+0;
  num = num * r + 6.65790464350110377720e+0;
  let den = 2.04426310338993978564e-15;
  den = den * r + 1.42151175831644588870e-7;
  den = den * r + 1.84631831751005468180e-5;
  den = den * r + 7.86869131145613259100e-4;
  den = den * r + 1.48753612908506148525e-2;
  den = den * r + 1.36929880922735805310e-1;
  den = den * r + 5.99832206555887937690e-1;
  den = den * r + 1.0;
  return num / den;
}

/**
 * Inverse standard normal distribution function: the x with Phi(x) = p.
 * Relative error about 1 ulp in the tails (p < 0.075 or p > 0.925) and below 2e-16 in the centre.
 * p <= 0 gives -Infinity, p >= 1 gives +Infinity, NaN gives NaN.
 */
export function inverseNormalCdf(p: number): number {
  if (p != p) return p;
  if (p <= 0.0) return -Infinity;
  if (p >= 1.0) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= SPLIT_CENTRAL) return centralQuantile(q);
  const tail = q < 0.0 ? p : 1.0 - p;
  let x = -tailQuantile(tail);
  // Halley: u = (Phi(x) - tail)/phi(x), x -= u / (1 + x u / 2).
  const u = normalCdfOverPdf(x) - tail / normalPdf(x);
  x -= u / (1.0 + 0.5 * x * u);
  return q < 0.0 ? x : -x;
}

/**
 * AS 241 alone (no Halley step, no normalCdf call), for Monte Carlo path generation: relative
 * error within 8 ulps in the tails (measured 6.5 ulps, 7e-16; test/inverse-normal.test.ts) and the same value as inverseNormalCdf in the centre. Twin of
 * the WASM inverseNormalCdfFast, bit for bit (the tails use the shared log of ./elementary.ts).
 */
export function inverseNormalCdfFast(p: number): number {
  if (p != p) return p;
  if (p <= 0.0) return -Infinity;
  if (p >= 1.0) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= SPLIT_CENTRAL) return centralQuantile(q);
  const x = tailQuantile(q < 0.0 ? p : 1.0 - p);
  return q < 0.0 ? -x : x;
}
