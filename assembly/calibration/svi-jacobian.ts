// Raw SVI slice: model implied vols and their analytic Jacobian (Gatheral 2004, "A parsimonious
// arbitrage-free implied volatility parameterization"). Mirrored in src/kernels/calibration/svi-jacobian.ts.
//
// Total variance w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)), k = ln(K / F);
// vol(k) = sqrt(w(k) / T). Parameters at pParams: [a, b, rho, m, sigma] (f64).

/**
 * Below this vol the model vol continues linearly in w (value and slope matched, so C1):
 * vol = VOL_FLOOR + (w - w0) / (2 VOL_FLOOR T) for w < w0 = VOL_FLOOR^2 T. A start with negative
 * total variance then still has a gradient that is the true one of the residual.
 */
export const VOL_FLOOR: f64 = 0.01;

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
    const w = a + b * (rho * d + q);
    const w0 = VOL_FLOOR * VOL_FLOOR * expiry;
    let vol: f64, c: f64; // c = d vol / d w
    if (w >= w0) {
      vol = Math.sqrt(w / expiry);
      c = 0.5 / (vol * expiry);
    } else {
      c = 0.5 / (VOL_FLOOR * expiry);
      vol = VOL_FLOOR + (w - w0) * c;
    }
    store<f64>(pOut + o, pTarget != 0 ? vol - load<f64>(pTarget + o) : vol);
    if (pJacobian != 0) {
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
