// Raw SVI slice: model implied vols and their analytic Jacobian (Gatheral 2004, "A parsimonious
// arbitrage-free implied volatility parameterization"). Mirrored in src/kernels/calibration/svi-jacobian.ts.
//
// Total variance w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)), k = ln(K / F);
// vol(k) = sqrt(w(k) / T). Parameters at pParams: [a, b, rho, m, sigma] (f64).

/** Total variance below which the vol is taken at this floor (its gradient still pushes w up). */
export const SVI_W_FLOOR: f64 = 1e-12;

/**
 * For i < n: out[i] = vol(k_i) - target[i] (target taken as 0 when pTarget = 0) and, when
 * pJacobian != 0, row i of the Jacobian d vol(k_i) / d[a, b, rho, m, sigma] (row-major n x 5).
 * k at pLogMoneyness. Returns 0, or 1 for a malformed call (n < 0, expiry not > 0).
 */
export function sviSliceEvaluate(
  n: i32, pLogMoneyness: usize, expiry: f64, pParams: usize, pTarget: usize, pOut: usize, pJacobian: usize,
): i32 {
  if (n < 0 || !(expiry > 0.0)) return 1;
  const a = load<f64>(pParams);
  const b = load<f64>(pParams + 8);
  const rho = load<f64>(pParams + 16);
  const m = load<f64>(pParams + 24);
  const sigma = load<f64>(pParams + 32);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const d = load<f64>(pLogMoneyness + o) - m;
    const q = Math.sqrt(d * d + sigma * sigma);
    let w = a + b * (rho * d + q);
    if (!(w > SVI_W_FLOOR)) w = SVI_W_FLOOR;
    const vol = Math.sqrt(w / expiry);
    store<f64>(pOut + o, pTarget != 0 ? vol - load<f64>(pTarget + o) : vol);
    if (pJacobian != 0) {
      const c = 0.5 / (vol * expiry); // d vol / d w
      const row = pJacobian + <usize>i * 40;
      store<f64>(row, c);
      store<f64>(row + 8, c * (rho * d + q));
      store<f64>(row + 16, c * b * d);
      store<f64>(row + 24, -c * b * (rho + (q > 0.0 ? d / q : 0.0)));
      store<f64>(row + 32, q > 0.0 ? c * b * sigma / q : 0.0);
    }
  }
  return 0;
}
