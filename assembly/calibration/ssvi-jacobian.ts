// SSVI surface (Gatheral & Jacquier 2014, "Arbitrage-free SVI volatility surfaces", Quantitative
// Finance 14(1), eq. 4.1): model implied vols and their analytic Jacobian. Mirrored in
// src/kernels/calibration/ssvi-jacobian.ts.
//
//   w(k, theta) = theta / 2 (1 + rho phi k + sqrt((phi k + rho)^2 + 1 - rho^2)),  vol = sqrt(w / T)
// with theta the ATM total variance of the quote's slice and phi = phi(theta):
//   phiKind 0, power law (GJ eq. 4.5): phi = eta theta^-gamma (1 + theta)^(gamma - 1), params (eta, gamma);
//   phiKind 1, Heston-like (GJ eq. 4.4): phi = (u - 1 + e^-u) / u^2 with u = lambda theta, param lambda
//              (the second shape slot is unused and its Jacobian column is 0).
// Parameters at pParams: [rho, eta | lambda, gamma | unused, theta_0, ..., theta_{S-1}] (3 + S f64);
// the quote's slice index s (i32, 0 <= s < S) at pSlice, its expiry T at pExpiry.

// @ts-ignore: decorator
@inline
function hestonPhi(u: f64): f64 {
  if (u < 0.1) {
    // sum_{k>=2} (-u)^(k-2) / k!, ten terms: error below u^10 / 12! < 3e-19.
    return 0.5 - u * (1.0 / 6.0 - u * (1.0 / 24.0 - u * (1.0 / 120.0 - u * (1.0 / 720.0 - u * (1.0 / 5040.0
      - u * (1.0 / 40320.0 - u * (1.0 / 362880.0 - u * (1.0 / 3628800.0 - u / 39916800.0))))))));
  }
  return (u - 1.0 + Math.exp(-u)) / (u * u);
}

// @ts-ignore: decorator
@inline
function hestonPhiPrime(u: f64): f64 {
  if (u < 0.1) {
    // sum_{k>=3} (-1)^k (k-2) u^(k-3) / k!
    return -1.0 / 6.0 + u * (2.0 / 24.0 - u * (3.0 / 120.0 - u * (4.0 / 720.0 - u * (5.0 / 5040.0 - u * (6.0 / 40320.0
      - u * (7.0 / 362880.0 - u * (8.0 / 3628800.0 - u * 9.0 / 39916800.0)))))));
  }
  const e = Math.exp(-u);
  return ((1.0 - e) * u - 2.0 * (u - 1.0 + e)) / (u * u * u);
}

/**
 * For i < n: out[i] = vol_i - target[i] (target 0 when pTarget = 0) and, when pJacobian != 0,
 * row i of d vol_i / d params (row-major n x (3 + nSlices)). Below 1% vol the vol continues linearly in w.
 * Returns 0, or 1 for a malformed call (n < 0, nSlices < 1, unknown phiKind).
 */
export function ssviEvaluate(
  n: i32, pLogMoneyness: usize, pExpiry: usize, pSlice: usize, nSlices: i32, phiKind: i32, pParams: usize,
  pTarget: usize, pOut: usize, pJacobian: usize,
): i32 {
  if (n < 0 || nSlices < 1 || (phiKind != 0 && phiKind != 1)) return 1;
  const np = 3 + nSlices;
  const rho = load<f64>(pParams);
  const p1 = load<f64>(pParams + 8);
  const p2 = load<f64>(pParams + 16);
  const rr = 1.0 - rho * rho;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const k = load<f64>(pLogMoneyness + o);
    const T = load<f64>(pExpiry + o);
    let s = load<i32>(pSlice + (<usize>i << 2));
    if (s < 0 || s >= nSlices) return 1;
    const theta = load<f64>(pParams + (<usize>(3 + s) << 3));
    let phi: f64, dPhiTheta: f64, dPhi1: f64, dPhi2: f64;
    if (phiKind == 0) {
      phi = p1 * Math.pow(theta, -p2) * Math.pow(1.0 + theta, p2 - 1.0);
      dPhi1 = phi / p1;
      dPhi2 = phi * Math.log((1.0 + theta) / theta);
      dPhiTheta = phi * (-p2 / theta + (p2 - 1.0) / (1.0 + theta));
    } else {
      const u = p1 * theta;
      phi = hestonPhi(u);
      const d = hestonPhiPrime(u);
      dPhi1 = d * theta;
      dPhi2 = 0.0;
      dPhiTheta = d * p1;
    }
    const pk = phi * k + rho;
    const q = Math.sqrt(pk * pk + rr);
    const w = 0.5 * theta * (1.0 + rho * phi * k + q);
    // Below 1% vol, continue linearly in w (C1), as the SVI kernel does.
    const w0 = 1e-4 * T;
    let vol: f64, c: f64;
    if (w >= w0) {
      vol = Math.sqrt(w / T);
      c = 0.5 / (vol * T);
    } else {
      c = 0.5 / (0.01 * T);
      vol = 0.01 + (w - w0) * c;
    }
    store<f64>(pOut + o, pTarget != 0 ? vol - load<f64>(pTarget + o) : vol);
    if (pJacobian != 0) {
      const row = pJacobian + (<usize>(i * np) << 3);
      const wPhi = 0.5 * theta * k * (rho + pk / q); // dw/dphi
      for (let j = 0; j < np; j++) store<f64>(row + (<usize>j << 3), 0.0);
      store<f64>(row, c * 0.5 * theta * phi * k * (1.0 + 1.0 / q));
      store<f64>(row + 8, c * wPhi * dPhi1);
      store<f64>(row + 16, c * wPhi * dPhi2);
      store<f64>(row + (<usize>(3 + s) << 3), c * (w / theta + wPhi * dPhiTheta));
    }
  }
  return 0;
}
