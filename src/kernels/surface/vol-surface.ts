// Pure-JS twin of assembly/surface/vol-surface.ts (same kernel, same argument order; the heap
// views come first). See that file for the conventions; the two are bit for bit the same (only
// + - * / sqrt and the shared log of ../math/elementary.ts, in the same order).

import type { KernelHeap } from '../heap.js';
import { log } from '../math/elementary.js';
import { STATUS_ARBITRAGE, STATUS_INVALID_INPUT, STATUS_OK } from '../status.js';

/**
 * Columns of the slice block at pSlices, column-major (column c of slice s at f64 index
 * c nSlices + s): expiry, then raw SVI a, b, rho, m, sigma of total variance in k = ln(K / F_T).
 */
export const SURFACE_SLICE_COLUMNS = 6;

/** See assembly/surface/vol-surface.ts. */
export function volSurfaceEvaluate(
  heap: KernelHeap, n: number, pX: number, pExpiry: number, broadcastExpiry: number, strikeInput: number, output: number,
  nSlices: number, pSlices: number, nForwards: number, pForwards: number, extrapolation: number, pOut: number, pStatus: number,
): number {
  n |= 0;
  nSlices |= 0;
  nForwards |= 0;
  if (n < 0 || nSlices < 1 || nForwards < 1 || (broadcastExpiry | 0) !== broadcastExpiry || broadcastExpiry < 0 || broadcastExpiry > 1 ||
    (strikeInput | 0) !== strikeInput || strikeInput < 0 || strikeInput > 1 || (output | 0) !== output || output < 0 || output > 2 ||
    (extrapolation | 0) !== extrapolation || extrapolation < 0 || extrapolation > 1) return 1;
  const f = heap.f64, st = heap.u8;
  const ix = pX >>> 3, it = pExpiry >>> 3, is = pSlices >>> 3, ifw = pForwards >>> 3, io = pOut >>> 3;
  const last = nSlices - 1;
  const needDerivatives = output === 2;
  for (let i = 0; i < n; i++) {
    const T = f[it + (broadcastExpiry === 1 ? 0 : i)];
    const x = f[ix + i];
    let k: number;
    if (!(T > 0) || T === Infinity || !(x - x === 0) || (strikeInput === 1 && !(x > 0))) {
      f[io + i] = NaN;
      st[pStatus + i] = STATUS_INVALID_INPUT;
      continue;
    }
    if (strikeInput === 1) k = log(x) - surfaceLogForward(f, ifw, nForwards, T);
    else k = x;
    // lo = number of slices with expiry < T (0 before or at the first, nSlices after the last):
    // the WASM twin's branchless lower bound, step for step.
    let base = 0, len = nSlices;
    while (len > 1) {
      const half = len >> 1;
      base = f[is + base + half] < T ? base + half : base;
      len -= half;
    }
    const lo = base + (f[is + base] < T ? 1 : 0);
    let w: number, wT: number, wk = 0, wkk = 0;
    if (lo === 0 || (lo === nSlices && (extrapolation === 0 || nSlices === 1))) {
      // Before the first slice w scales linearly from 0 at T = 0; after the last, constant vol at fixed k.
      const r = is + (lo === 0 ? 0 : last), c = nSlices;
      const T0 = f[r];
      const d = k - f[r + 4 * c];
      const sg = f[r + 5 * c];
      const q = Math.sqrt(d * d + sg * sg);
      const b = f[r + 2 * c], rho = f[r + 3 * c];
      const w0 = f[r + c] + b * (rho * d + q);
      const scale = T / T0;
      w = scale * w0;
      wT = w0 / T0;
      if (needDerivatives) {
        wk = scale * (b * (rho + d / q));
        wkk = scale * ((b * sg * sg) / (q * q * q));
      }
    } else {
      // Between slices lo - 1 and lo (or past the last with the last pair's forward variance):
      // w linear in T at fixed k, so w(k, .) is nondecreasing wherever the slices are ordered.
      // (The WASM twin evaluates the two slices in the two lanes of an f64x2: the same operations.)
      const r0 = is + (lo === nSlices ? last : lo) - 1, r1 = r0 + 1, c = nSlices;
      const T0 = f[r0], T1 = f[r1];
      const d0 = k - f[r0 + 4 * c], d1 = k - f[r1 + 4 * c];
      const sg0 = f[r0 + 5 * c], sg1 = f[r1 + 5 * c];
      const q0 = Math.sqrt(d0 * d0 + sg0 * sg0), q1 = Math.sqrt(d1 * d1 + sg1 * sg1);
      const b0 = f[r0 + 2 * c], b1 = f[r1 + 2 * c], rho0 = f[r0 + 3 * c], rho1 = f[r1 + 3 * c];
      const w0 = f[r0 + c] + b0 * (rho0 * d0 + q0);
      const w1 = f[r1 + c] + b1 * (rho1 * d1 + q1);
      const dT = T1 - T0;
      const alpha = (T - T0) / dT;
      w = w0 + alpha * (w1 - w0);
      wT = (w1 - w0) / dT;
      if (needDerivatives) {
        const wk0 = b0 * (rho0 + d0 / q0), wk1 = b1 * (rho1 + d1 / q1);
        const wkk0 = (b0 * sg0 * sg0) / (q0 * q0 * q0), wkk1 = (b1 * sg1 * sg1) / (q1 * q1 * q1);
        wk = wk0 + alpha * (wk1 - wk0);
        wkk = wkk0 + alpha * (wkk1 - wkk0);
      }
    }
    if (!(w > 0)) {
      f[io + i] = NaN;
      st[pStatus + i] = STATUS_ARBITRAGE;
      continue;
    }
    if (output === 0) f[io + i] = Math.sqrt(w / T);
    else if (output === 1) f[io + i] = w;
    else {
      // Gatheral (2006), eq. 1.10: the Dupire denominator in total variance and log-moneyness.
      const kw = k / w;
      const g = 1 - kw * wk + 0.25 * (-0.25 - 1 / w + kw * kw) * (wk * wk) + 0.5 * wkk;
      if (!(g > 0) || !(wT >= 0)) {
        f[io + i] = NaN;
        st[pStatus + i] = STATUS_ARBITRAGE;
        continue;
      }
      f[io + i] = Math.sqrt(wT / g);
    }
    st[pStatus + i] = STATUS_OK;
  }
  return 0;
}

/**
 * The surface at one point (k = ln(K / F(T)) finite, T in (0, inf)) from the slice block at f64
 * index `is`: implied vol (output 0), total variance (1) or local vol (2); NaN where total variance
 * <= 0 or, for local vol, the denominator is <= 0 or dw/dT < 0 (arbitrage). The WASM twin's
 * surfaceValueAt, operation for operation (for kernels that walk a surface point by point). The
 * batch kernel above repeats these lines inline: V8 does not inline a function this size, and the
 * call cost the batch half its speed (measured); test/vol-surface.test.ts holds the two equal.
 */
export function surfaceValueAt(f: Float64Array, is: number, nSlices: number, k: number, T: number, output: number, extrapolation: number): number {
  const last = nSlices - 1;
  const needDerivatives = output === 2;
  // lo = number of slices with expiry < T (0 before or at the first, nSlices after the last):
  // the WASM twin's branchless lower bound, step for step.
  let base = 0, len = nSlices;
  while (len > 1) {
    const half = len >> 1;
    base = f[is + base + half] < T ? base + half : base;
    len -= half;
  }
  const lo = base + (f[is + base] < T ? 1 : 0);
  let w: number, wT: number, wk = 0, wkk = 0;
  if (lo === 0 || (lo === nSlices && (extrapolation === 0 || nSlices === 1))) {
    // Before the first slice w scales linearly from 0 at T = 0; after the last, constant vol at fixed k.
    const r = is + (lo === 0 ? 0 : last), c = nSlices;
    const T0 = f[r];
    const d = k - f[r + 4 * c];
    const sg = f[r + 5 * c];
    const q = Math.sqrt(d * d + sg * sg);
    const b = f[r + 2 * c], rho = f[r + 3 * c];
    const w0 = f[r + c] + b * (rho * d + q);
    const scale = T / T0;
    w = scale * w0;
    wT = w0 / T0;
    if (needDerivatives) {
      wk = scale * (b * (rho + d / q));
      wkk = scale * ((b * sg * sg) / (q * q * q));
    }
  } else {
    // Between slices lo - 1 and lo (or past the last with the last pair's forward variance):
    // w linear in T at fixed k, so w(k, .) is nondecreasing wherever the slices are ordered.
    // (The WASM twin evaluates the two slices in the two lanes of an f64x2: the same operations.)
    const r0 = is + (lo === nSlices ? last : lo) - 1, r1 = r0 + 1, c = nSlices;
    const T0 = f[r0], T1 = f[r1];
    const d0 = k - f[r0 + 4 * c], d1 = k - f[r1 + 4 * c];
    const sg0 = f[r0 + 5 * c], sg1 = f[r1 + 5 * c];
    const q0 = Math.sqrt(d0 * d0 + sg0 * sg0), q1 = Math.sqrt(d1 * d1 + sg1 * sg1);
    const b0 = f[r0 + 2 * c], b1 = f[r1 + 2 * c], rho0 = f[r0 + 3 * c], rho1 = f[r1 + 3 * c];
    const w0 = f[r0 + c] + b0 * (rho0 * d0 + q0);
    const w1 = f[r1 + c] + b1 * (rho1 * d1 + q1);
    const dT = T1 - T0;
    const alpha = (T - T0) / dT;
    w = w0 + alpha * (w1 - w0);
    wT = (w1 - w0) / dT;
    if (needDerivatives) {
      const wk0 = b0 * (rho0 + d0 / q0), wk1 = b1 * (rho1 + d1 / q1);
      const wkk0 = (b0 * sg0 * sg0) / (q0 * q0 * q0), wkk1 = (b1 * sg1 * sg1) / (q1 * q1 * q1);
      wk = wk0 + alpha * (wk1 - wk0);
      wkk = wkk0 + alpha * (wkk1 - wkk0);
    }
  }
  if (!(w > 0)) return NaN;
  if (output === 0) return Math.sqrt(w / T);
  if (output === 1) return w;
  // Gatheral (2006), eq. 1.10: the Dupire denominator in total variance and log-moneyness.
  const kw = k / w;
  const g = 1 - kw * wk + 0.25 * (-0.25 - 1 / w + kw * kw) * (wk * wk) + 0.5 * wkk;
  if (!(g > 0) || !(wT >= 0)) return NaN;
  return Math.sqrt(wT / g);
}

/** ln F(T): linear in T through the nodes [T_j, ln F_j] at f64 index ifw (ascending T), the end segments extended. */
export function surfaceLogForward(f: Float64Array, ifw: number, nForwards: number, T: number): number {
  if (nForwards === 1) return f[ifw + 1];
  let j = 1;
  while (j < nForwards - 1 && f[ifw + 2 * j] < T) j++;
  const Ta = f[ifw + 2 * (j - 1)], La = f[ifw + 2 * (j - 1) + 1], Tb = f[ifw + 2 * j], Lb = f[ifw + 2 * j + 1];
  return La + ((T - Ta) / (Tb - Ta)) * (Lb - La);
}
