// SABR slice: Hagan, Kumar, Lesniewski & Woodward (2002), "Managing smile risk", Wilmott
// Magazine, eq. (2.17a): the lognormal (Black) implied vol expansion, with its analytic gradient
// in (alpha, rho, nu) for a fixed beta. Mirrored in src/kernels/calibration/sabr-jacobian.ts.
//
//   sigma_B(K) = alpha / D * Y(z) * C,  L = ln(F/K), fk = (F K)^((1-beta)/2),
//   D = fk (1 + (1-beta)^2 L^2 / 24 + (1-beta)^4 L^4 / 1920),
//   z = nu / alpha * fk * L,  Y(z) = z / x(z),  x(z) = ln((sqrt(1 - 2 rho z + z^2) + z - rho) / (1 - rho)),
//   C = 1 + T ((1-beta)^2 alpha^2 / (24 fk^2) + rho beta nu alpha / (4 fk) + (2 - 3 rho^2) nu^2 / 24).
// Y and its derivatives use their Taylor series (through z^4, from sympy) when |z| < 1e-3.
// Parameters at pParams: [alpha, rho, nu] (f64).

const Z_SERIES: f64 = 1e-3;

/**
 * For i < n: out[i] = sigma_B(K_i) - target[i] (target 0 when pTarget = 0) and, when
 * pJacobian != 0, row i of d sigma_B / d[alpha, rho, nu] (row-major n x 3).
 * Returns 0, or 1 for a malformed call (n < 0, forward not > 0, expiry negative or NaN).
 */
export function sabrSliceEvaluate(
  n: i32, pStrike: usize, forward: f64, expiry: f64, beta: f64, pParams: usize, pTarget: usize, pOut: usize, pJacobian: usize,
): i32 {
  if (n < 0 || !(forward > 0.0) || !(expiry >= 0.0)) return 1;
  const alpha = load<f64>(pParams);
  const rho = load<f64>(pParams + 8);
  const nu = load<f64>(pParams + 16);
  const omb = 1.0 - beta;
  const omb2 = omb * omb;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const K = load<f64>(pStrike + o);
    const L = Math.log(forward / K);
    const fk = Math.pow(forward * K, 0.5 * omb);
    const L2 = L * L;
    const D = fk * (1.0 + omb2 * L2 / 24.0 + omb2 * omb2 * L2 * L2 / 1920.0);
    const zeta = fk * L / alpha; // z / nu
    const z = nu * zeta;
    let Y: f64, Yz: f64, Yr: f64;
    if (Math.abs(z) < Z_SERIES) {
      const r2 = rho * rho;
      const c1 = -0.5 * rho;
      const c2 = (2.0 - 3.0 * r2) / 12.0;
      const c3 = rho * (5.0 - 6.0 * r2) / 24.0;
      const c4 = -(225.0 * r2 * r2 - 240.0 * r2 + 34.0) / 720.0;
      Y = 1.0 + z * (c1 + z * (c2 + z * (c3 + z * c4)));
      Yz = c1 + z * (2.0 * c2 + z * (3.0 * c3 + z * 4.0 * c4));
      Yr = z * (-0.5 + z * (-0.5 * rho + z * ((5.0 - 18.0 * r2) / 24.0 - z * (15.0 * r2 - 8.0) * rho / 12.0)));
    } else {
      const s = Math.sqrt(1.0 - 2.0 * rho * z + z * z);
      const zr = z - rho;
      // num = s + z - rho, computed without cancellation when z - rho < 0.
      const num = zr >= 0.0 ? s + zr : (1.0 - rho * rho) / (s - zr);
      const x = Math.log(num / (1.0 - rho));
      const xr = -(z + s) / (s * num) + 1.0 / (1.0 - rho);
      Y = z / x;
      Yz = (x - z / s) / (x * x);
      Yr = -z * xr / (x * x);
    }
    const C = 1.0 + expiry * (omb2 * alpha * alpha / (24.0 * fk * fk) + rho * beta * nu * alpha / (4.0 * fk) + (2.0 - 3.0 * rho * rho) * nu * nu / 24.0);
    const A = alpha / D;
    const vol = A * Y * C;
    store<f64>(pOut + o, pTarget != 0 ? vol - load<f64>(pTarget + o) : vol);
    if (pJacobian != 0) {
      const row = pJacobian + <usize>i * 24;
      const dCa = expiry * (omb2 * alpha / (12.0 * fk * fk) + rho * beta * nu / (4.0 * fk));
      const dCr = expiry * (beta * nu * alpha / (4.0 * fk) - rho * nu * nu / 4.0);
      const dCn = expiry * (rho * beta * alpha / (4.0 * fk) + (2.0 - 3.0 * rho * rho) * nu / 12.0);
      store<f64>(row, Y * C / D - A * C * Yz * z / alpha + A * Y * dCa);
      store<f64>(row + 8, A * (C * Yr + Y * dCr));
      store<f64>(row + 16, A * (C * Yz * zeta + Y * dCn));
    }
  }
  return 0;
}
