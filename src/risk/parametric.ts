/**
 * Parametric VaR and ES of losses (positive = loss) at confidence c:
 * - normal: VaR = mu + sigma z_c, ES = mu + sigma phi(z_c) / (1 - c);
 * - Student-t (location mu, scale s, nu degrees of freedom; nu fitted by maximum likelihood
 *   unless given): VaR = mu + s t_c, ES = mu + s f_nu(t_c) (nu + t_c^2) / ((nu - 1)(1 - c));
 * - Cornish-Fisher: z_cf = z + (z^2 - 1) S/6 + (z^3 - 3z) K/24 - (2z^3 - 5z) S^2/36 with sample
 *   skewness S and excess kurtosis K; ES integrates the same expansion over the tail exactly:
 *   ES = mu + sigma/(1-c) [I1 + S/6 (I2 - I0) + K/24 (I3 - 3 I1) - S^2/36 (2 I3 - 5 I1)],
 *   I_k = int_{z_c}^inf z^k phi(z) dz (I0 = 1-c, I1 = phi, I2 = z phi + I0, I3 = (z^2 + 2) phi).
 * Moments are sample moments (sigma with n - 1; skewness and kurtosis as population ratios).
 */
import { inverseNormalCdf, logGamma, normalPdf, studentTPdf, studentTQuantile } from './distributions.js';
import { InputError } from '../errors.js';
import { requireNumberArray } from '../arguments.js';
import { STUDENT_T_NU_MAX } from './validate.js';
import { checkConfidence, finiteSample } from './tail-measures.js';

export interface Moments { n: number; mean: number; sd: number; skewness: number; excessKurtosis: number }

/**
 * Sample mean, standard deviation (n - 1), skewness and excess kurtosis (population ratios), in the sample's units.
 * An empty sample gives NaN moments; NaN elements give NaN moments.
 * @throws InputError unless `x` is an array (or typed array) of numbers, naming `x` or the first non-number `x[i]`.
 */
export function sampleMoments(x: ArrayLike<number>): Moments {
  return sampleMomentsUnchecked(requireNumberArray(x, 'x'));
}

/** sampleMoments for the library's own callers (their samples are checked arrays of numbers). */
export function sampleMomentsUnchecked(x: ArrayLike<number>): Moments {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const sd = Math.sqrt(m2 / Math.max(n - 1, 1));
  const p2 = m2 / n;
  return { n, mean, sd, skewness: p2 > 0 ? m3 / n / p2 ** 1.5 : 0, excessKurtosis: p2 > 0 ? m4 / n / (p2 * p2) - 3 : 0 };
}

/** @throws InputError unless `v` is a finite number (>= 0 when `nonNegative`). */
function finiteArg(v: unknown, path: string, nonNegative = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (nonNegative && !(v >= 0))) {
    throw new InputError(path, v, nonNegative ? 'a finite number >= 0' : 'a finite number');
  }
  return v;
}

/**
 * Normal VaR and ES of a loss with mean mu and standard deviation sigma.
 * VaR and ES in the loss's units, at confidence `c` in (0, 1).
 * @throws InputError unless `mu` is a finite number, `sigma` a finite number >= 0 and `c` a number in (0, 1).
 */
export function normalVarEs(mu: number, sigma: number, c: number): { var: number; es: number } {
  finiteArg(mu, 'mu');
  finiteArg(sigma, 'sigma', true);
  checkConfidence(c, 'c');
  return normalVarEsUnchecked(mu, sigma, c);
}

/** normalVarEs for the library's own callers (moments of checked samples; they may overflow to Infinity). */
export function normalVarEsUnchecked(mu: number, sigma: number, c: number): { var: number; es: number } {
  const z = inverseNormalCdf(c);
  return { var: mu + sigma * z, es: mu + (sigma * normalPdf(z)) / (1 - c) };
}

/**
 * Student-t VaR and ES of a loss mu + s T, T ~ t_nu (standard t; nu > 1 for ES).
 * VaR and ES in the loss's units, at confidence `c` in (0, 1).
 * @throws InputError unless `mu` is a finite number, `s` a finite number >= 0, `nu` a number in
 *   (1, STUDENT_T_NU_MAX] (the ES is infinite for nu <= 1; use normalVarEs beyond) and `c` a number in (0, 1).
 */
export function studentTVarEs(mu: number, s: number, nu: number, c: number): { var: number; es: number } {
  finiteArg(mu, 'mu');
  finiteArg(s, 's', true);
  if (typeof nu !== 'number' || !(nu > 1 && nu <= STUDENT_T_NU_MAX)) {
    throw new InputError('nu', nu, `a number in (1, ${STUDENT_T_NU_MAX}] (Student-t degrees of freedom)`);
  }
  checkConfidence(c, 'c');
  return studentTVarEsUnchecked(mu, s, nu, c);
}

/** studentTVarEs for the library's own callers (a fitted or checked nu > 1). */
export function studentTVarEsUnchecked(mu: number, s: number, nu: number, c: number): { var: number; es: number } {
  const t = studentTQuantile(c, nu);
  return { var: mu + s * t, es: mu + (s * studentTPdf(t, nu) * (nu + t * t)) / ((nu - 1) * (1 - c)) };
}

/**
 * Cornish-Fisher VaR and ES (see the file comment).
 * VaR and ES in the loss's units (mu, sigma), at confidence `c` in (0, 1).
 * @throws InputError unless `mu`, `skew` and `exKurt` are finite numbers, `sigma` a finite number
 *   >= 0 and `c` a number in (0, 1).
 */
export function cornishFisherVarEs(mu: number, sigma: number, skew: number, exKurt: number, c: number): { var: number; es: number; z: number } {
  finiteArg(mu, 'mu');
  finiteArg(sigma, 'sigma', true);
  finiteArg(skew, 'skew');
  finiteArg(exKurt, 'exKurt');
  checkConfidence(c, 'c');
  return cornishFisherVarEsUnchecked(mu, sigma, skew, exKurt, c);
}

/** cornishFisherVarEs for the library's own callers (moments of checked samples). */
export function cornishFisherVarEsUnchecked(mu: number, sigma: number, skew: number, exKurt: number, c: number): { var: number; es: number; z: number } {
  const z = inverseNormalCdf(c);
  const z2 = z * z;
  const zcf = z + ((z2 - 1) * skew) / 6 + ((z2 * z - 3 * z) * exKurt) / 24 - ((2 * z2 * z - 5 * z) * skew * skew) / 36;
  const phi = normalPdf(z);
  const I0 = 1 - c, I1 = phi, I2 = z * phi + I0, I3 = (z2 + 2) * phi;
  const tail = I1 + (skew / 6) * (I2 - I0) + (exKurt / 24) * (I3 - 3 * I1) - ((skew * skew) / 36) * (2 * I3 - 5 * I1);
  return { var: mu + sigma * zcf, es: mu + (sigma * tail) / (1 - c), z: zcf };
}

/** Maximum-likelihood location-scale Student-t fit. */
export interface StudentTFit { mu: number; scale: number; nu: number; logLikelihood: number }

function tLogLik(x: ArrayLike<number>, mu: number, s: number, nu: number): number {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = (x[i] - mu) / s;
    sum += Math.log1p((d * d) / nu);
  }
  return n * (logGamma(0.5 * (nu + 1)) - logGamma(0.5 * nu) - 0.5 * Math.log(nu * Math.PI) - Math.log(s)) - 0.5 * (nu + 1) * sum;
}

/** (mu, s) maximising the t likelihood for fixed nu, by the EM iteration (monotone in the likelihood). */
function tLocationScale(x: ArrayLike<number>, nu: number, mu0: number, s0: number): [number, number] {
  const n = x.length;
  let mu = mu0, s2 = s0 * s0;
  for (let it = 0; it < 300; it++) {
    let sw = 0, swx = 0;
    for (let i = 0; i < n; i++) {
      const d = x[i] - mu;
      const w = (nu + 1) / (nu + (d * d) / s2);
      sw += w;
      swx += w * x[i];
    }
    const muNew = swx / sw;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = x[i] - muNew;
      const w = (nu + 1) / (nu + ((x[i] - mu) * (x[i] - mu)) / s2);
      ss += w * d * d;
    }
    const s2New = ss / n;
    const done = Math.abs(muNew - mu) <= 1e-10 * Math.sqrt(s2) && Math.abs(s2New - s2) <= 1e-10 * s2;
    mu = muNew;
    s2 = s2New;
    if (done) break;
  }
  return [mu, Math.sqrt(s2)];
}

/**
 * Fit a location-scale Student-t by maximum likelihood: EM for (mu, s) at each nu, golden-section
 * search of the profile likelihood over ln nu in [ln 1.5, ln 1000] to 1e-4 (or nu fixed when given).
 * mu and scale in the sample's units.
 * @param x the sample: at least 2 finite numbers, not all equal, whose scale squared neither overflows nor underflows.
 * @param fixedNu degrees of freedom to hold fixed, a number in (0, STUDENT_T_NU_MAX]; fitted when undefined.
 * @throws InputError for a sample that is not an array of at least 2 finite numbers with a positive,
 *   representable spread (naming `x` or the first bad `x[i]`), or a `fixedNu` outside (0, STUDENT_T_NU_MAX].
 */
export function fitStudentT(x: ArrayLike<number>, fixedNu?: number): StudentTFit {
  const a = finiteSample(x, 'x', 2);
  if (fixedNu !== undefined && (typeof fixedNu !== 'number' || !(fixedNu > 0 && fixedNu <= STUDENT_T_NU_MAX))) {
    throw new InputError('fixedNu', fixedNu, `a number in (0, ${STUDENT_T_NU_MAX}] (Student-t degrees of freedom) or undefined`);
  }
  // A constant sample has no scale to fit, and a spread whose square overflows or underflows
  // leaves the EM iteration NaN: both are InputErrors, not a NaN fit.
  const sd = sampleMomentsUnchecked(a).sd;
  if (!(sd > 0 && Number.isFinite(sd))) throw new InputError('x', x, 'a sample whose values are not all equal, with a finite standard deviation');
  const fit = fitStudentTUnchecked(a, fixedNu);
  if (!(fit.scale > 0 && Number.isFinite(fit.scale) && Number.isFinite(fit.mu) && Number.isFinite(fit.logLikelihood))) {
    throw new InputError('x', x, 'a sample whose scale squared is a normal double (rescale the data)');
  }
  return fit;
}

/** fitStudentT for the library's own callers (a checked sample and nu). */
export function fitStudentTUnchecked(x: ArrayLike<number>, fixedNu?: number): StudentTFit {
  const m = sampleMomentsUnchecked(x);
  const s0 = m.sd > 0 ? m.sd : 1;
  // Warm start: each profile evaluation starts EM from the previous (mu, s).
  let warm: [number, number] = [m.mean, s0];
  const profile = (nu: number) => {
    const [mu, s] = tLocationScale(x, nu, warm[0], warm[1]);
    warm = [mu, s];
    return { mu, scale: s, nu, logLikelihood: tLogLik(x, mu, s, nu) };
  };
  if (fixedNu !== undefined) return profile(fixedNu);
  let a = Math.log(1.5), b = Math.log(1000);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = profile(Math.exp(c)), fd = profile(Math.exp(d));
  // Golden section to 1e-4 in ln nu (nu to 0.01%).
  while (b - a > 1e-4) {
    if (fc.logLikelihood > fd.logLikelihood) {
      b = d; d = c; fd = fc; c = b - g * (b - a); fc = profile(Math.exp(c));
    } else {
      a = c; c = d; fc = fd; d = a + g * (b - a); fd = profile(Math.exp(d));
    }
  }
  return fc.logLikelihood > fd.logLikelihood ? fc : fd;
}
