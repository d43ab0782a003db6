// Brownian-bridge construction of Wiener paths (P. Glasserman, Monte Carlo Methods in Financial
// Engineering, 2004, sec. 3.1 and 5.5.1), construction order and weights as in QuantLib's
// BrownianBridge. Pure-JS twin of assembly/random/brownian-bridge.ts (same operations, same order).
//
// Table at pTable, 48 * steps bytes (8-byte aligned), built by brownianBridgeInit:
//   f64 leftWeight[steps], rightWeight[steps], stdDev[steps], sqrtDt[steps],
//   i32 bridgeIndex[steps], leftIndex[steps], rightIndex[steps], scratch[steps].

import type { KernelHeap } from '../heap.js';

/** Bytes of table per time step. */
export const BRIDGE_TABLE_BYTES_PER_STEP = 48;

/**
 * Build the bridge table for times t_1 < ... < t_steps (f64 at `pTimes`, years, t_0 = 0 implied).
 * Returns 1 (writing nothing) unless steps >= 1 and 0 < t_1 < ... < t_steps are finite.
 */
export function brownianBridgeInit(heap: KernelHeap, steps: number, pTimes: number, pTable: number): number {
  steps |= 0;
  if (steps < 1) return 1;
  const f = heap.f64;
  const n = heap.i32;
  const t = pTimes >>> 3;
  let prev = 0;
  for (let i = 0; i < steps; ++i) {
    const ti = f[t + i]!;
    if (!(ti > prev) || !(ti < Infinity)) return 1;
    prev = ti;
  }
  const lw = pTable >>> 3, rw = lw + steps, sd = rw + steps, sqdt = sd + steps;
  const bi = (pTable + 32 * steps) >>> 2, li = bi + steps, ri = li + steps, map = ri + steps;
  f[sqdt] = Math.sqrt(f[t]!);
  for (let i = 1; i < steps; ++i) f[sqdt + i] = Math.sqrt(f[t + i]! - f[t + i - 1]!);
  for (let i = 0; i < steps; ++i) n[map + i] = 0;
  const last = steps - 1;
  n[map + last] = 1;
  n[bi] = last;
  n[li] = 0;
  n[ri] = 0;
  f[lw] = 0;
  f[rw] = 0;
  f[sd] = Math.sqrt(f[t + last]!);
  let j = 0;
  for (let i = 1; i < steps; ++i) {
    while (n[map + j] !== 0) ++j;
    let k = j;
    while (n[map + k] === 0) ++k;
    const l = j + ((k - 1 - j) >> 1);
    n[map + l] = i + 1;
    n[bi + i] = l;
    n[li + i] = j;
    n[ri + i] = k;
    const tk = f[t + k]!;
    const tl = f[t + l]!;
    if (j !== 0) {
      const tj = f[t + j - 1]!;
      f[lw + i] = (tk - tl) / (tk - tj);
      f[rw + i] = (tl - tj) / (tk - tj);
      f[sd + i] = Math.sqrt(((tl - tj) * (tk - tl)) / (tk - tj));
    } else {
      f[lw + i] = (tk - tl) / tk;
      f[rw + i] = tl / tk;
      f[sd + i] = Math.sqrt((tl * (tk - tl)) / tk);
    }
    j = k + 1;
    if (j >= steps) j = 0;
  }
  return 0;
}

/**
 * Wiener increments from normals by the bridge: rows of `steps` normals at `pNormals` (row-major
 * [nPaths][steps]; normal 0 sets W(T)) to increments W(t_i) - W(t_{i-1}) at `pOut` (same layout),
 * divided by sqrt(t_i - t_{i-1}) when `normalise` = 1. `pOut` must not overlap `pNormals`.
 * Returns 1 if nPaths < 0 or steps < 1.
 */
export function brownianBridgeBatch(
  heap: KernelHeap, nPaths: number, steps: number, pTable: number, normalise: number, pNormals: number, pOut: number,
): number {
  nPaths |= 0;
  steps |= 0;
  if (nPaths < 0 || steps < 1) return 1;
  const f = heap.f64;
  const n = heap.i32;
  const lw = pTable >>> 3, rw = lw + steps, sd = rw + steps, sqdt = sd + steps;
  const bi = (pTable + 32 * steps) >>> 2, li = bi + steps, ri = li + steps;
  for (let path = 0; path < nPaths; ++path) {
    const z = (pNormals >>> 3) + path * steps;
    const w = (pOut >>> 3) + path * steps;
    f[w + steps - 1] = f[sd]! * f[z]!;
    for (let i = 1; i < steps; ++i) {
      const j = n[li + i]!;
      const k = n[ri + i]!;
      const l = n[bi + i]!;
      const right = f[rw + i]! * f[w + k]!;
      const noise = f[sd + i]! * f[z + i]!;
      f[w + l] = j !== 0 ? f[lw + i]! * f[w + j - 1]! + right + noise : right + noise;
    }
    for (let i = steps - 1; i >= 1; --i) {
      let d = f[w + i]! - f[w + i - 1]!;
      if (normalise !== 0) d /= f[sqdt + i]!;
      f[w + i] = d;
    }
    if (normalise !== 0) f[w] = f[w]! / f[sqdt]!;
  }
  return 0;
}
