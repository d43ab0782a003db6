// Pure-JS twin of assembly/calibration/svi-jacobian.ts (same kernel, same argument order; the heap
// views come first). See that file for the conventions.

import type { KernelHeap } from '../heap.js';

/**
 * Below this vol the model vol continues linearly in w (value and slope matched, so C1):
 * vol = VOL_FLOOR + (w - w0) / (2 VOL_FLOOR T) for w < w0 = VOL_FLOOR^2 T. A start with negative
 * total variance then still has a gradient that is the true one of the residual.
 */
export const VOL_FLOOR = 0.01;

/** See assembly/calibration/svi-jacobian.ts. */
export function sviSliceEvaluate(
  heap: KernelHeap, n: number, pLogMoneyness: number, expiry: number, pParams: number, pTarget: number, pOut: number, pJacobian: number,
): number {
  n |= 0;
  if (n < 0 || !(expiry > 0)) return 1;
  const f = heap.f64;
  const ip = pParams >>> 3, ik = pLogMoneyness >>> 3, it = pTarget >>> 3, io = pOut >>> 3, ij = pJacobian >>> 3;
  const a = f[ip], b = f[ip + 1], rho = f[ip + 2], m = f[ip + 3], sigma = f[ip + 4];
  for (let i = 0; i < n; i++) {
    const d = f[ik + i] - m;
    const q = Math.sqrt(d * d + sigma * sigma);
    const w = a + b * (rho * d + q);
    const w0 = VOL_FLOOR * VOL_FLOOR * expiry;
    let vol: number, c: number;
    if (w >= w0) {
      vol = Math.sqrt(w / expiry);
      c = 0.5 / (vol * expiry);
    } else {
      c = 0.5 / (VOL_FLOOR * expiry);
      vol = VOL_FLOOR + (w - w0) * c;
    }
    f[io + i] = pTarget !== 0 ? vol - f[it + i] : vol;
    if (pJacobian !== 0) {
      const row = ij + i * 5;
      f[row] = c;
      f[row + 1] = c * (rho * d + q);
      f[row + 2] = c * b * d;
      f[row + 3] = -c * b * (rho + (q > 0 ? d / q : 0));
      f[row + 4] = q > 0 ? c * b * sigma / q : 0;
    }
  }
  return 0;
}
