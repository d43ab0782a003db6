// An independent Black-76 for tests (not the library's Cody-based normal CDF): margin tests check
// the engine's revaluations against it.

/** Standard normal CDF by Marsaglia's (2004) series Phi(x) = 1/2 + phi(x) (x + x^3/3 + x^5/15 + ...): positive terms, ~1e-16 absolute for |x| < 8. */
export function normCdf(x: number): number {
  if (x < -8) return 0;
  if (x > 8) return 1;
  let term = x, sum = x;
  for (let k = 3; k < 400 && Math.abs(term) > 1e-18 * Math.abs(sum); k += 2) {
    term *= (x * x) / k;
    sum += term;
  }
  return 0.5 + sum * Math.exp(-0.5 * x * x - 0.91893853320467274178);
}

/** Undiscounted Black-76 price. */
export function black76(F: number, K: number, T: number, vol: number, type: 'call' | 'put'): number {
  const s = vol * Math.sqrt(T);
  const d1 = Math.log(F / K) / s + s / 2, d2 = d1 - s;
  return type === 'call' ? F * normCdf(d1) - K * normCdf(d2) : K * normCdf(-d2) - F * normCdf(-d1);
}
