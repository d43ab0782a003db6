// [surface] Local vol on the kernel's grid (pure-JS twin of assembly/montecarlo/local-vol-grid.ts):
// sigma_loc(t, k) bilinear in (t, k) on the row-major [nT][nK] grid at pGrid (time nodes
// (i + 1/2) T / nT, k nodes kMin + j dk), flat beyond the end nodes in both directions. The same
// operations in the same order as the AssemblyScript twin, hence the same bits.

/** Fractional row of the step with midpoint time (s + 1/2) T / steps: (s + 1/2) nT / steps - 1/2. */
export function localVolRow(s: number, steps: number, nT: number): number {
  return (s + 0.5) * nT / steps - 0.5;
}

/** sigma_loc at fractional row u and log-moneyness k (clamped to the grid: flat extrapolation); F is the f64 heap view. */
export function localVolAt(F: Float64Array, pGrid: number, nT: number, nK: number, kMin: number, dk: number, u: number, k: number): number {
  const lastT = nT - 1;
  const ut = u > 0.0 ? (u < lastT ? u : lastT) : 0.0;
  let i = Math.floor(ut);
  if (i > nT - 2) i = nT - 2;
  const wt = ut - i;
  const lastK = nK - 1;
  const v0 = (k - kMin) / dk;
  const v = v0 > 0.0 ? (v0 < lastK ? v0 : lastK) : 0.0;
  let j = Math.floor(v);
  if (j > nK - 2) j = nK - 2;
  const a = v - j;
  const q0 = (pGrid >>> 3) + i * nK + j;
  const q1 = q0 + nK;
  const g00 = F[q0]!;
  const g01 = F[q0 + 1]!;
  const g10 = F[q1]!;
  const g11 = F[q1 + 1]!;
  const lo = g00 + a * (g01 - g00);
  const hi = g10 + a * (g11 - g10);
  return lo + wt * (hi - lo);
}
