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
  const bss = b * sigma * sigma, ss = sigma * sigma, span = kMax - kMin, last = points - 1;
  let minG = Infinity, at = -1, negative = 0;
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
      at = i;
    }
  }
  f[io] = minG;
  f[io + 1] = at;
  f[io + 2] = negative;
  return 0;
}
