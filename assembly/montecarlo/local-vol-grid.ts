// [surface] Local vol on the kernel's grid: sigma_loc(t, k) bilinear in (t, k) on the row-major
// [nT][nK] grid at pGrid (time nodes (i + 1/2) T / nT, k nodes kMin + j dk), flat beyond the end
// nodes in both directions. The facade samples VolSurface.localVol on this grid once per job, so
// the path stepper interpolates numbers instead of walking the SVI slices: the same operations
// (+, -, *, /, floor) in the same order in both twins (src/kernels/montecarlo/local-vol-grid.ts),
// hence the same bits.

/** Fractional row of the step with midpoint time (s + 1/2) T / steps: (s + 1/2) nT / steps - 1/2. */
// @ts-ignore: decorator
@inline
export function localVolRow(s: i32, steps: i32, nT: i32): f64 {
  return (<f64>s + 0.5) * <f64>nT / <f64>steps - 0.5;
}

/** sigma_loc at fractional row u and log-moneyness k (clamped to the grid: flat extrapolation). */
// @ts-ignore: decorator
@inline
export function localVolAt(pGrid: usize, nT: i32, nK: i32, kMin: f64, dk: f64, u: f64, k: f64): f64 {
  const lastT = <f64>(nT - 1);
  const ut = u > 0.0 ? (u < lastT ? u : lastT) : 0.0;
  let i = <i32>Math.floor(ut);
  if (i > nT - 2) i = nT - 2;
  const wt = ut - <f64>i;
  const lastK = <f64>(nK - 1);
  const v0 = (k - kMin) / dk;
  const v = v0 > 0.0 ? (v0 < lastK ? v0 : lastK) : 0.0;
  let j = <i32>Math.floor(v);
  if (j > nK - 2) j = nK - 2;
  const a = v - <f64>j;
  const p0 = pGrid + ((<usize>i * <usize>nK + <usize>j) << 3);
  const p1 = p0 + (<usize>nK << 3);
  const g00 = load<f64>(p0);
  const g01 = load<f64>(p0, 8);
  const g10 = load<f64>(p1);
  const g11 = load<f64>(p1, 8);
  const lo = g00 + a * (g01 - g00);
  const hi = g10 + a * (g11 - g10);
  return lo + wt * (hi - lo);
}
