// Log-gamma and digamma for positive arguments. Mirrored in src/kernels/risk/special.ts.
// lgamma: Lanczos (1964) with g = 7, 9 coefficients (as in Numerical Recipes 3rd ed. / Boost's
// table), relative error of Gamma ~1e-15 for x >= 0.5; reflection below. digamma: recurrence up
// to x >= 10, then the asymptotic series (Abramowitz and Stegun 6.3.18).

// Logarithms are the shared elementary function (musl's algorithm in both twins), so ln Gamma and
// digamma are the same bits on both backends (the GARCH likelihood builds on them).
import { log } from "../math/elementary";

const LANCZOS_G: f64 = 7.0;
const LN_SQRT_2PI: f64 = 0.91893853320467274178;

/** ln Gamma(x) for x > 0 (NaN otherwise). */
export function logGamma(x: f64): f64 {
  if (!(x > 0.0)) return NaN;
  if (x < 0.5) {
    // Gamma(x) Gamma(1 - x) = pi / sin(pi x)
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1.0 - x);
  }
  const z = x - 1.0;
  let a: f64 = 0.99999999999980993;
  a += 676.5203681218851 / (z + 1.0);
  a += -1259.1392167224028 / (z + 2.0);
  a += 771.32342877765313 / (z + 3.0);
  a += -176.61502916214059 / (z + 4.0);
  a += 12.507343278686905 / (z + 5.0);
  a += -0.13857109526572012 / (z + 6.0);
  a += 9.9843695780195716e-6 / (z + 7.0);
  a += 1.5056327351493116e-7 / (z + 8.0);
  const t = z + LANCZOS_G + 0.5;
  return LN_SQRT_2PI + (z + 0.5) * log(t) - t + log(a);
}

/** psi(x) = d ln Gamma(x) / dx for x > 0 (NaN otherwise). */
export function digamma(x: f64): f64 {
  if (!(x > 0.0)) return NaN;
  let r: f64 = 0.0;
  while (x < 10.0) {
    r -= 1.0 / x;
    x += 1.0;
  }
  const f = 1.0 / (x * x);
  const series = f * (-1.0 / 12.0 + f * (1.0 / 120.0 + f * (-1.0 / 252.0 + f * (1.0 / 240.0 + f * (-1.0 / 132.0 + f * (691.0 / 32760.0 - f / 12.0))))));
  return r + log(x) - 0.5 / x + series;
}
