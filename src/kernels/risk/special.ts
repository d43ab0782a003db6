// Log-gamma and digamma for positive arguments. Mirrors assembly/risk/special.ts (see there).

// Logarithms are the shared elementary function (musl's algorithm in both twins), so ln Gamma and
// digamma are the same bits on both backends (the GARCH likelihood builds on them).
import { log } from '../math/elementary.js';

const LN_SQRT_2PI = 0.91893853320467274178;

/**
 * ln Gamma(x) for x > 0 (NaN otherwise); Lanczos g = 7, relative error of Gamma ~1e-15.
 * @throws Nothing.
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return NaN;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  a += 676.5203681218851 / (z + 1);
  a += -1259.1392167224028 / (z + 2);
  a += 771.32342877765313 / (z + 3);
  a += -176.61502916214059 / (z + 4);
  a += 12.507343278686905 / (z + 5);
  a += -0.13857109526572012 / (z + 6);
  a += 9.9843695780195716e-6 / (z + 7);
  a += 1.5056327351493116e-7 / (z + 8);
  const t = z + 7.5;
  return LN_SQRT_2PI + (z + 0.5) * log(t) - t + log(a);
}

/**
 * psi(x) = d ln Gamma / dx for x > 0 (NaN otherwise): recurrence to x >= 10, then A&S 6.3.18.
 * @throws Nothing.
 */
export function digamma(x: number): number {
  if (!(x > 0)) return NaN;
  let r = 0;
  while (x < 10) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  const series = f * (-1 / 12 + f * (1 / 120 + f * (-1 / 252 + f * (1 / 240 + f * (-1 / 132 + f * (691 / 32760 - f / 12))))));
  return r + log(x) - 0.5 / x + series;
}
