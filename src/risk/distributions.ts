/**
 * Distribution functions for the risk statistics: regularized incomplete gamma and beta
 * (continued fractions with the modified Lentz method, Numerical Recipes 3rd ed. 6.2 and 6.4),
 * chi-square, Student-t (distribution, density, quantile) and binomial distribution functions.
 * Accuracy: checked against mpmath at 50 digits (scripts/fixtures/gen_risk_reference.py):
 * relative error below 1e-12 on the tabulated cases (see test/risk-distributions.test.ts).
 */
import { inverseNormalCdf, normalCdf, normalPdf } from '../math/normal-distribution.js';
import { digamma as digammaKernel, logGamma as logGammaKernel } from '../math/gamma.js';
import { requireNumber } from '../arguments.js';

export { normalCdf, normalPdf, inverseNormalCdf };

/*
 * The public functions below check only that each argument is a number (one typeof test per
 * argument: a string, object or symbol is an InputError naming it, never a TypeError or a number
 * coerced from text); out-of-domain numbers give NaN as each function documents. The library's own
 * callers, whose arguments are numbers by construction, call the same functions.
 */

const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 10000;

/** ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b). */
function logBeta(a: number, b: number): number {
  return logGammaKernel(a) + logGammaKernel(b) - logGammaKernel(a + b);
}

/**
 * ln Gamma(x) for x > 0; Lanczos g = 7, relative error of Gamma about 1e-15.
 * @throws InputError unless `x` is a number; x <= 0 or NaN gives NaN.
 */
export function logGamma(x: number): number {
  requireNumber(x, 'x');
  return logGammaKernel(x);
}

/**
 * psi(x) = d ln Gamma / dx for x > 0: recurrence to x >= 10, then A&S 6.3.18.
 * @throws InputError unless `x` is a number; x <= 0 or NaN gives NaN.
 */
export function digamma(x: number): number {
  requireNumber(x, 'x');
  return digammaKernel(x);
}

function gammaSeries(a: number, x: number): number {
  // P(a, x) = e^{-x} x^a / Gamma(a + 1) * sum_k x^k / ((a+1)...(a+k))
  let ap = a;
  let del = 1 / a;
  let sum = del;
  for (let i = 0; i < MAX_ITER; i++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGammaKernel(a));
}

function gammaContinuedFraction(a: number, x: number): number {
  // Q(a, x) by the Legendre continued fraction, modified Lentz.
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGammaKernel(a)) * h;
}

/**
 * Regularized lower incomplete gamma P(a, x), a > 0, x >= 0.
 * @throws InputError unless `a` and `x` are numbers; out-of-domain numbers (a <= 0, x < 0, NaN) give NaN.
 */
export function gammaP(a: number, x: number): number {
  requireNumber(a, 'a');
  requireNumber(x, 'x');
  return gammaPUnchecked(a, x);
}

function gammaPUnchecked(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}

/**
 * Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), computed without cancellation.
 * @throws InputError unless `a` and `x` are numbers; out-of-domain numbers (a <= 0, x < 0, NaN) give NaN.
 */
export function gammaQ(a: number, x: number): number {
  requireNumber(a, 'a');
  requireNumber(x, 'x');
  return gammaQUnchecked(a, x);
}

function gammaQUnchecked(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/**
 * Regularized incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1. Pass `y` = 1 - x when it is
 * known more accurately than 1 - x (tails of the t and binomial distributions).
 * @throws InputError unless `x`, `a`, `b` (and `y` when given) are numbers; out-of-domain numbers
 *   (a <= 0, b <= 0, x outside [0, 1], y outside [0, 1], NaN) give NaN.
 */
export function betaInc(x: number, a: number, b: number, y?: number): number {
  requireNumber(x, 'x');
  requireNumber(a, 'a');
  requireNumber(b, 'b');
  if (y !== undefined) requireNumber(y, 'y');
  return betaIncUnchecked(x, a, b, y ?? 1 - x);
}

function betaIncUnchecked(x: number, a: number, b: number, y: number): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1) || !(y >= 0) || !(y <= 1)) return NaN;
  if (x === 0) return 0;
  if (y === 0) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(y) - logBeta(a, b));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, y)) / b;
}

/**
 * Chi-square distribution function with k > 0 degrees of freedom.
 * @throws InputError unless `x` and `k` are numbers; k <= 0 or NaN arguments give NaN.
 */
export function chiSquareCdf(x: number, k: number): number {
  requireNumber(x, 'x');
  requireNumber(k, 'k');
  if (!(k > 0)) return NaN;
  return x <= 0 ? 0 : gammaPUnchecked(0.5 * k, 0.5 * x);
}

/**
 * Chi-square survival function P(X > x) (the p-value of a likelihood-ratio statistic x).
 * @throws InputError unless `x` and `k` are numbers; k <= 0 or NaN arguments give NaN.
 */
export function chiSquareSf(x: number, k: number): number {
  requireNumber(x, 'x');
  requireNumber(k, 'k');
  if (!(k > 0)) return NaN;
  return x <= 0 ? 1 : gammaQUnchecked(0.5 * k, 0.5 * x);
}

/**
 * Student-t density with nu > 0 degrees of freedom (standard, not unit-variance).
 * @throws InputError unless `t` and `nu` are numbers; nu <= 0 or NaN arguments give NaN.
 */
export function studentTPdf(t: number, nu: number): number {
  requireNumber(t, 't');
  requireNumber(nu, 'nu');
  return studentTPdfUnchecked(t, nu);
}

function studentTPdfUnchecked(t: number, nu: number): number {
  if (!(nu > 0)) return NaN;
  if (nu === Infinity) return normalPdf(t);
  return Math.exp(logGammaKernel(0.5 * (nu + 1)) - logGammaKernel(0.5 * nu) - 0.5 * Math.log(nu * Math.PI) - 0.5 * (nu + 1) * Math.log1p((t * t) / nu));
}

/**
 * Upper tail P(T > t) of Student's t with nu degrees of freedom, accurate in both tails.
 * @throws InputError unless `t` and `nu` are numbers; nu <= 0 or NaN arguments give NaN.
 */
export function studentTSf(t: number, nu: number): number {
  requireNumber(t, 't');
  requireNumber(nu, 'nu');
  return studentTSfUnchecked(t, nu);
}

function studentTSfUnchecked(t: number, nu: number): number {
  if (!(nu > 0) || Number.isNaN(t)) return NaN;
  if (nu === Infinity) return normalCdf(-t);
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  const t2 = t * t;
  // P(|T| > |t|) = I_{nu/(nu+t^2)}(nu/2, 1/2); x and y = 1 - x both formed without cancellation.
  const x = nu / (nu + t2);
  const y = t2 / (nu + t2);
  const twoTail = betaIncUnchecked(x, 0.5 * nu, 0.5, y);
  return t >= 0 ? 0.5 * twoTail : 1 - 0.5 * twoTail;
}

/**
 * Student-t distribution function P(T <= t).
 * @throws InputError unless `t` and `nu` are numbers; nu <= 0 or NaN arguments give NaN.
 */
export function studentTCdf(t: number, nu: number): number {
  requireNumber(t, 't');
  requireNumber(nu, 'nu');
  return studentTSfUnchecked(-t, nu);
}

/**
 * Student-t quantile: the t with P(T <= t) = p, for p in (0, 1) and nu > 0. Solves the smaller
 * tail for t > 0 by Newton's method on ln P(T > t) inside a bisection bracket, from the
 * Cornish-Fisher start of Abramowitz and Stegun 26.7.5; closed forms for nu = 1 and 2.
 * @throws InputError unless `p` and `nu` are numbers; p = 0 / 1 give -Infinity / Infinity, other
 *   out-of-domain numbers (p outside [0, 1], nu <= 0, NaN) give NaN.
 */
export function studentTQuantile(p: number, nu: number): number {
  requireNumber(p, 'p');
  requireNumber(nu, 'nu');
  if (!(p > 0 && p < 1) || !(nu > 0)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  if (nu === Infinity) return inverseNormalCdf(p);
  if (p === 0.5) return 0;
  const q = Math.min(p, 1 - p);
  const sign = p < 0.5 ? -1 : 1;
  if (nu === 1) return sign / Math.tan(Math.PI * q); // cot(pi q): no cancellation near q = 0
  if (nu === 2) return sign * Math.sqrt(2) * (1 - 2 * q) / Math.sqrt(4 * q * (1 - q));
  const z = -inverseNormalCdf(q);
  const z2 = z * z;
  let t = z + (z * (z2 + 1)) / (4 * nu) + (z * (5 * z2 * z2 + 16 * z2 + 3)) / (96 * nu * nu)
    + (z * (3 * z2 * z2 * z2 + 19 * z2 * z2 + 17 * z2 - 15)) / (384 * nu * nu * nu);
  if (!(t > 0) || !Number.isFinite(t)) t = z > 0 ? z : 1;
  let lo = 0;
  let hi = Infinity;
  const lq = Math.log(q);
  for (let it = 0; it < 200; it++) {
    const s = studentTSfUnchecked(t, nu);
    if (s > q) lo = t;
    else hi = t;
    const g = Math.log(s) - lq;
    const step = (g * s) / studentTPdfUnchecked(t, nu); // g / (d ln S / dt) with d ln S/dt = -f/S
    let next = t + step;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) {
      next = hi === Infinity ? Math.max(2 * t, lo + 1) : 0.5 * (lo + hi);
    }
    if (Math.abs(next - t) <= 4e-16 * Math.abs(t)) {
      t = next;
      break;
    }
    t = next;
  }
  return sign * t;
}

/**
 * Binomial distribution function P(X <= k) for X ~ Bin(n, p): n trials (a non-negative integer),
 * success probability p in [0, 1], any k (floored).
 * @throws InputError unless `k`, `n` and `p` are numbers; out-of-domain numbers (n not a
 *   non-negative integer, p outside [0, 1], NaN) give NaN.
 */
export function binomialCdf(k: number, n: number, p: number): number {
  requireNumber(k, 'k');
  requireNumber(n, 'n');
  requireNumber(p, 'p');
  if (Number.isNaN(k) || !(n >= 0) || !Number.isInteger(n) || !(p >= 0 && p <= 1)) return NaN;
  if (k < 0) return 0;
  if (k >= n) return 1;
  k = Math.floor(k);
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  // P(X <= k) = I_{1-p}(n - k, k + 1)
  return betaIncUnchecked(1 - p, n - k, k + 1, p);
}
