// Pure-JS twin of assembly/calibration/ssvi-jacobian.ts (same kernel, same argument order; the
// heap views come first). See that file for the formulas (Gatheral & Jacquier 2014).

import type { KernelHeap } from '../heap.js';

/** Heston-like phi as a function of u = lambda theta: (u - 1 + e^-u) / u^2. */
export function hestonPhi(u: number): number {
  if (u < 0.1) {
    return 0.5 - u * (1 / 6 - u * (1 / 24 - u * (1 / 120 - u * (1 / 720 - u * (1 / 5040
      - u * (1 / 40320 - u * (1 / 362880 - u * (1 / 3628800 - u / 39916800))))))));
  }
  return (u - 1 + Math.exp(-u)) / (u * u);
}

/** d/du of {@link hestonPhi}. */
export function hestonPhiPrime(u: number): number {
  if (u < 0.1) {
    return -1 / 6 + u * (2 / 24 - u * (3 / 120 - u * (4 / 720 - u * (5 / 5040 - u * (6 / 40320
      - u * (7 / 362880 - u * (8 / 3628800 - u * 9 / 39916800)))))));
  }
  const e = Math.exp(-u);
  return ((1 - e) * u - 2 * (u - 1 + e)) / (u * u * u);
}

/** See assembly/calibration/ssvi-jacobian.ts. */
export function ssviEvaluate(
  heap: KernelHeap, n: number, pLogMoneyness: number, pExpiry: number, pSlice: number, nSlices: number, phiKind: number, pParams: number,
  pTarget: number, pOut: number, pJacobian: number,
): number {
  n |= 0;
  nSlices |= 0;
  if (n < 0 || nSlices < 1 || (phiKind !== 0 && phiKind !== 1)) return 1;
  const f = heap.f64;
  const i32 = heap.i32;
  const np = 3 + nSlices;
  const ip = pParams >>> 3, ik = pLogMoneyness >>> 3, iT = pExpiry >>> 3, is = pSlice >>> 2, it = pTarget >>> 3, io = pOut >>> 3, ij = pJacobian >>> 3;
  const rho = f[ip], p1 = f[ip + 1], p2 = f[ip + 2];
  const rr = 1 - rho * rho;
  for (let i = 0; i < n; i++) {
    const k = f[ik + i];
    const T = f[iT + i];
    const s = i32[is + i];
    if (s < 0 || s >= nSlices) return 1;
    const theta = f[ip + 3 + s];
    let phi: number, dPhiTheta: number, dPhi1: number, dPhi2: number;
    if (phiKind === 0) {
      phi = p1 * Math.pow(theta, -p2) * Math.pow(1 + theta, p2 - 1);
      dPhi1 = phi / p1;
      dPhi2 = phi * Math.log((1 + theta) / theta);
      dPhiTheta = phi * (-p2 / theta + (p2 - 1) / (1 + theta));
    } else {
      const u = p1 * theta;
      phi = hestonPhi(u);
      const d = hestonPhiPrime(u);
      dPhi1 = d * theta;
      dPhi2 = 0;
      dPhiTheta = d * p1;
    }
    const pk = phi * k + rho;
    const q = Math.sqrt(pk * pk + rr);
    const w = 0.5 * theta * (1 + rho * phi * k + q);
    // Below 1% vol, continue linearly in w (C1), as the SVI kernel does.
    const w0 = 1e-4 * T;
    let vol: number, c: number;
    if (w >= w0) {
      vol = Math.sqrt(w / T);
      c = 0.5 / (vol * T);
    } else {
      c = 0.5 / (0.01 * T);
      vol = 0.01 + (w - w0) * c;
    }
    f[io + i] = pTarget !== 0 ? vol - f[it + i] : vol;
    if (pJacobian !== 0) {
      const row = ij + i * np;
      const wPhi = 0.5 * theta * k * (rho + pk / q);
      for (let j = 0; j < np; j++) f[row + j] = 0;
      f[row] = c * 0.5 * theta * phi * k * (1 + 1 / q);
      f[row + 1] = c * wPhi * dPhi1;
      f[row + 2] = c * wPhi * dPhi2;
      f[row + 3 + s] = c * (w / theta + wPhi * dPhiTheta);
    }
  }
  return 0;
}
