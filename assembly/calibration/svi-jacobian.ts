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
  // Two strikes per f64x2 (each lane the scalar loop's operations, the branches as selects: the
  // same bits), then the scalar loop for an odd last strike.
  const pairs = n & ~1;
  const va = f64x2.splat(a), vb = f64x2.splat(b), vrho = f64x2.splat(rho), vm = f64x2.splat(m);
  const ss = f64x2.splat(sigma * sigma), vsigma = f64x2.splat(sigma), vT = f64x2.splat(expiry);
  const w0 = VOL_FLOOR * VOL_FLOOR * expiry;
  const vw0 = f64x2.splat(w0), half = f64x2.splat(0.5), zero = f64x2.splat(0.0);
  const cFloor = f64x2.splat(0.5 / (VOL_FLOOR * expiry)), vFloor = f64x2.splat(VOL_FLOOR);
  for (let i = 0; i < pairs; i += 2) {
    const o = <usize>i << 3;
    const d = f64x2.sub(v128.load(pLogMoneyness + o), vm);
    const q = f64x2.sqrt(f64x2.add(f64x2.mul(d, d), ss));
    const rq = f64x2.add(f64x2.mul(vrho, d), q);
    const w = f64x2.add(va, f64x2.mul(vb, rq));
    const above = f64x2.ge(w, vw0);
    const volA = f64x2.sqrt(f64x2.div(w, vT));
    const c = v128.bitselect(f64x2.div(half, f64x2.mul(volA, vT)), cFloor, above);
    const vol = v128.bitselect(volA, f64x2.add(vFloor, f64x2.mul(f64x2.sub(w, vw0), cFloor)), above);
    v128.store(pOut + o, pTarget != 0 ? f64x2.sub(vol, v128.load(pTarget + o)) : vol);
    if (pJacobian != 0) {
      const row = pJacobian + <usize>i * 40;
      const qpos = f64x2.gt(q, zero);
      const cb = f64x2.mul(c, vb);
      const j1 = f64x2.mul(c, rq);
      const j2 = f64x2.mul(cb, d);
      const j3 = f64x2.mul(f64x2.neg(cb), f64x2.add(vrho, v128.and(f64x2.div(d, q), qpos)));
      const j4 = v128.and(f64x2.div(f64x2.mul(cb, vsigma), q), qpos);
      // Rows are 5 doubles: lane 0 to row i, lane 1 to row i + 1.
      store<f64>(row, f64x2.extract_lane(c, 0));
      store<f64>(row + 8, f64x2.extract_lane(j1, 0));
      store<f64>(row + 16, f64x2.extract_lane(j2, 0));
      store<f64>(row + 24, f64x2.extract_lane(j3, 0));
      store<f64>(row + 32, f64x2.extract_lane(j4, 0));
      store<f64>(row + 40, f64x2.extract_lane(c, 1));
      store<f64>(row + 48, f64x2.extract_lane(j1, 1));
      store<f64>(row + 56, f64x2.extract_lane(j2, 1));
      store<f64>(row + 64, f64x2.extract_lane(j3, 1));
      store<f64>(row + 72, f64x2.extract_lane(j4, 1));
    }
  }
  for (let i = pairs; i < n; i++) {
    const o = <usize>i << 3;
    const d = load<f64>(pLogMoneyness + o) - m;
    const q = Math.sqrt(d * d + sigma * sigma);
    const w = a + b * (rho * d + q);
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
