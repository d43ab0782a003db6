// Pure-JS twin of assembly/risk/tail-select.ts: Floyd-Rivest SELECT (Algorithm 489), the same
// pivots and swaps, so both backends leave the array in the same order.
import type { KernelHeap } from '../heap.js';

function floydRivest(a: Float64Array, base: number, left: number, right: number, k: number): void {
  while (right > left) {
    if (right - left > 600) {
      const n = right - left + 1;
      const i = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (i - 0.5 * n < 0 ? -1 : 1);
      const newLeft = Math.max(left, Math.floor(k - (i * s) / n + sd));
      const newRight = Math.min(right, Math.floor(k + ((n - i) * s) / n + sd));
      floydRivest(a, base, newLeft, newRight, k);
    }
    const t = a[base + k];
    let i = left;
    let j = right;
    let tmp = a[base + left]; a[base + left] = a[base + k]; a[base + k] = tmp;
    if (a[base + right] > t) { tmp = a[base + right]; a[base + right] = a[base + left]; a[base + left] = tmp; }
    while (i < j) {
      tmp = a[base + i]; a[base + i] = a[base + j]; a[base + j] = tmp;
      i++;
      j--;
      while (a[base + i] < t) i++;
      while (a[base + j] > t) j--;
    }
    if (a[base + left] === t) {
      tmp = a[base + left]; a[base + left] = a[base + j]; a[base + j] = tmp;
    } else {
      j++;
      tmp = a[base + j]; a[base + j] = a[base + right]; a[base + right] = tmp;
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

export function tailSelect(heap: KernelHeap, n: number, pData: number, k: number, pOut: number): number {
  if (n < 1 || k < 0 || k >= n) return 1;
  const a = heap.f64;
  const base = pData >>> 3;
  floydRivest(a, base, 0, n - 1, k);
  let below = 0;
  let above = 0;
  for (let i = 0; i < k; i++) below += a[base + i];
  for (let i = k + 1; i < n; i++) above += a[base + i];
  const o = pOut >>> 3;
  a[o] = a[base + k];
  a[o + 1] = below;
  a[o + 2] = above;
  return 0;
}
