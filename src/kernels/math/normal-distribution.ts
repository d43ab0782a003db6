// Standard normal density and distribution function to near machine precision over the whole
// range, in *relative* terms in the lower tail: W. J. Cody, "Rational Chebyshev approximations
// for the error function", Math. Comp. 23 (1969), in the form of his ANORM routine (TOMS 715,
// 1993), which approximates Phi(z) directly in z (no division by sqrt(2) that would perturb the
// argument and cost ~z^2 ulps in the tail). Pure-JS twin of
// assembly/math/normal-distribution.ts.

// exp is the shared elementary function (musl's algorithm in both twins), so that densities and
// distribution values are the same bits on both backends (random draws depend on them).
import { exp } from './elementary.js';

const INV_SQRT_2PI: number = 0.398942280401432677939946059934;
const SQRT_2PI: number = 2.50662827463100050241576528481;
const SQRT_32: number = 5.65685424949238019520675489684;
/** |z| up to which Phi is evaluated by its central rational form (no exponential needed). */
export const NORMAL_CENTRAL_LIMIT: number = 0.66291;
const SMALL_Z: number = NORMAL_CENTRAL_LIMIT;
const TINY: number = 1.1102230246251565e-16;

/**
 * exp(-y*y/2) for y >= 0 with the rounding error of y*y compensated: y*y = hi + lo exactly (Dekker's
 * product via Veltkamp's split), and exp(-(hi + lo)/2) = exp(-hi/2) (1 - lo/2) to second order
 * (|lo| <= ulp(hi)). Without it the tail would lose ~y^2/2 ulps; one exp instead of two.
 */
export function expMinusHalfSquare(y: number): number {
  if (!(y < 40.0)) return y == y ? 0.0 : y; // exp(-800) underflows; NaN stays NaN
  const c = 134217729.0 * y; // 2^27 + 1
  const yh = c - (c - y);
  const yl = y - yh;
  const hi = y * y;
  const lo = ((yh * yh - hi) + 2.0 * yh * yl) + yl * yl;
  return exp(-0.5 * hi) * (1.0 - 0.5 * lo);
}

/** Standard normal density phi(z). */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * expMinusHalfSquare(Math.abs(z));
}

// Phi(z) for |z| <= 0.66291, minus one half: z * P(z^2)/Q(z^2).
function centralPart(z: number): number {
  const y = Math.abs(z);
  const zsq = y > TINY ? z * z : 0.0;
  let num = 0.065682337918207449113 * zsq;
  let den = zsq;
  num = (num + 2.2352520354606839287) * zsq;
  den = (den + 47.20258190468824187) * zsq;
  num = (num + 161.02823106855587881) * zsq;
  den = (den + 976.09855173777669322) * zsq;
  num = (num + 1067.6894854603709582) * zsq;
  den = (den + 10260.932208618978205) * zsq;
  return z * (num + 18154.981253343561249) / (den + 45507.789335026729956);
}

// Phi(-y) * exp(y^2/2) for y > 0.66291 (rational in y up to sqrt(32), in 1/y^2 beyond).
function tailRatio(y: number): number {
  if (y <= SQRT_32) {
    let num = 1.0765576773720192317e-8 * y;
    let den = y;
    num = (num + 0.39894151208813466764) * y;
    den = (den + 22.266688044328115691) * y;
    num = (num + 8.8831497943883759412) * y;
    den = (den + 235.38790178262499861) * y;
    num = (num + 93.506656132177855979) * y;
    den = (den + 1519.377599407554805) * y;
    num = (num + 597.27027639480026226) * y;
    den = (den + 6485.558298266760755) * y;
    num = (num + 2494.5375852903726711) * y;
    den = (den + 18615.571640885098091) * y;
    num = (num + 6848.1904505362823326) * y;
    den = (den + 34900.952721145977266) * y;
    num = (num + 11602.651437647350124) * y;
    den = (den + 38912.003286093271411) * y;
    return (num + 9842.7148383839780218) / (den + 19685.429676859990727);
  }
  const r = 1.0 / (y * y);
  let num = 0.02307344176494017303 * r;
  let den = r;
  num = (num + 0.21589853405795699) * r;
  den = (den + 1.28426009614491121) * r;
  num = (num + 0.1274011611602473639) * r;
  den = (den + 0.468238212480865118) * r;
  num = (num + 0.022235277870649807) * r;
  den = (den + 0.0659881378689285515) * r;
  num = (num + 0.001421619193227893466) * r;
  den = (den + 0.00378239633202758244) * r;
  const t = r * (num + 2.9112874951168792e-5) / (den + 7.29751555083966205e-5);
  return (INV_SQRT_2PI - t) / y;
}

/**
 * Standard normal distribution function Phi(z), relative error of a few ulps for z < 0 down to
 * underflow (z ~ -38.5) and absolute error below 1e-16 for z > 0.
 */
export function normalCdf(z: number): number {
  const y = Math.abs(z);
  if (y <= SMALL_Z) return 0.5 + centralPart(z);
  if (z != z) return z;
  const lower = expMinusHalfSquare(y) * tailRatio(y);
  return z < 0.0 ? lower : 1.0 - lower;
}

/**
 * Phi(z) given pdf = phi(z) already computed (by the caller, or derived from a neighbour's density):
 * saves the two exponentials of a fresh evaluation. Same accuracy as normalCdf when pdf is.
 */
export function normalCdfGivenPdf(z: number, pdf: number): number {
  const y = Math.abs(z);
  if (y <= SMALL_Z) return 0.5 + centralPart(z);
  const lower = pdf * SQRT_2PI * tailRatio(y);
  return z < 0.0 ? lower : 1.0 - lower;
}

/** Phi(z) / phi(z) given pdf = phi(z) (used only for |z| <= 0.66291, where the ratio needs it). */
export function normalCdfOverPdfGivenPdf(z: number, pdf: number): number {
  const y = Math.abs(z);
  if (y <= SMALL_Z) return (0.5 + centralPart(z)) / pdf;
  if (z < 0.0) return SQRT_2PI * tailRatio(y);
  return 1.0 / pdf - SQRT_2PI * tailRatio(y);
}

/** Upper tail 1 - Phi(z) = Phi(-z), without cancellation for large z. */
export function normalCdfComplement(z: number): number {
  return normalCdf(-z);
}

/**
 * Phi(z) / phi(z) (the reciprocal of the normal hazard rate, Mills' ratio of -z), accurate for
 * z <= 0 where Phi itself underflows long before the ratio does. Overflows for z >~ 37.
 */
export function normalCdfOverPdf(z: number): number {
  const y = Math.abs(z);
  if (y <= SMALL_Z) return (0.5 + centralPart(z)) / normalPdf(z);
  if (z != z) return z;
  if (z < 0.0) return SQRT_2PI * tailRatio(y);
  return 1.0 / normalPdf(z) - SQRT_2PI * tailRatio(y);
}
