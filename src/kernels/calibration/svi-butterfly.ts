// Pure-JS twin of assembly/calibration/svi-butterfly.ts (same kernel, same argument order; the heap
// views come first). See that file for the conventions.

import type { KernelHeap } from '../heap.js';

/** See assembly/calibration/svi-butterfly.ts. */
export function sviButterflyGrid(heap: KernelHeap, pParams: number, kMin: number, kMax: number, points: number, pOut: number): number {
  points |= 0;
  if (points < 2) return 1;
  const f = heap.f64;
  const ip = pParams >>> 3, io = pOut >>> 3;
  const a = f[ip], b = f[ip + 1], rho = f[ip + 2], m = f[ip + 3], sigma = f[ip + 4];
  scanSviButterfly(a, b, rho, m, sigma, kMin, kMax, points, f, io);
  return 0;
}

/**
 * Durrleman's g of raw SVI (a, b, rho, m, sigma) on `points` >= 2 evenly spaced log-moneyness values
 * from kMin to kMax: writes out[at] = the smallest g (-Infinity where w <= 0 or g is NaN), out[at + 1]
 * = the index of its first occurrence, out[at + 2] = how many g < 0. The one loop of the JS kernel and
 * of the public `sviButterflyCheck` (so both give the same bits as the WASM kernel).
 * @throws Nothing.
 */
export function scanSviButterfly(
  a: number, b: number, rho: number, m: number, sigma: number, kMin: number, kMax: number, points: number, out: Float64Array, at: number,
): void {
  let minG = Infinity, first = -1, negative = 0;
  const bss = b * sigma * sigma, ss = sigma * sigma, span = kMax - kMin, last = points - 1;
  for (let i = 0; i < points; i++) {
    const k = kMin + (span * i) / last;
    const d = k - m;
    const q = Math.sqrt(d * d + ss);
    const w = a + b * (rho * d + q), dw = b * (rho + d / q), d2w = bss / (q * q * q);
    let g: number;
    if (!(w > 0)) g = -Infinity;
    else {
      const t = 1 - (k * dw) / (2 * w);
      g = t * t - ((dw * dw) / 4) * (1 / w + 0.25) + d2w / 2;
      if (Number.isNaN(g)) g = -Infinity;
    }
    if (g < 0) negative++;
    if (g < minG) {
      minG = g;
      first = i;
    }
  }
  out[at] = minG;
  out[at + 1] = first;
  out[at + 2] = negative;
}
