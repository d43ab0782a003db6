// Pure-JS twin of assembly/calibration/sabr-jacobian.ts (same kernel, same argument order; the
// heap views come first). See that file for the formula (Hagan et al. 2002, eq. 2.17a).

import type { KernelHeap } from '../heap.js';

const Z_SERIES = 1e-3;

/** See assembly/calibration/sabr-jacobian.ts. */
export function sabrSliceEvaluate(
  heap: KernelHeap, n: number, pStrike: number, forward: number, expiry: number, beta: number, pParams: number, pTarget: number, pOut: number, pJacobian: number,
): number {
  n |= 0;
  if (n < 0 || !(forward > 0) || !(expiry >= 0)) return 1;
  const f = heap.f64;
  const ip = pParams >>> 3, iK = pStrike >>> 3, it = pTarget >>> 3, io = pOut >>> 3, ij = pJacobian >>> 3;
  const alpha = f[ip], rho = f[ip + 1], nu = f[ip + 2];
  const omb = 1 - beta;
  const omb2 = omb * omb;
  for (let i = 0; i < n; i++) {
    const K = f[iK + i];
    const L = Math.log(forward / K);
    const fk = Math.pow(forward * K, 0.5 * omb);
    const L2 = L * L;
    const D = fk * (1 + omb2 * L2 / 24 + omb2 * omb2 * L2 * L2 / 1920);
    const zeta = fk * L / alpha;
    const z = nu * zeta;
    let Y: number, Yz: number, Yr: number;
    if (Math.abs(z) < Z_SERIES) {
      const r2 = rho * rho;
      const c1 = -0.5 * rho;
      const c2 = (2 - 3 * r2) / 12;
      const c3 = rho * (5 - 6 * r2) / 24;
      const c4 = -(225 * r2 * r2 - 240 * r2 + 34) / 720;
      Y = 1 + z * (c1 + z * (c2 + z * (c3 + z * c4)));
      Yz = c1 + z * (2 * c2 + z * (3 * c3 + z * 4 * c4));
      Yr = z * (-0.5 + z * (-0.5 * rho + z * ((5 - 18 * r2) / 24 - z * (15 * r2 - 8) * rho / 12)));
    } else {
      const s = Math.sqrt(1 - 2 * rho * z + z * z);
      const zr = z - rho;
      const num = zr >= 0 ? s + zr : (1 - rho * rho) / (s - zr);
      const x = Math.log(num / (1 - rho));
      const xr = -(z + s) / (s * num) + 1 / (1 - rho);
      Y = z / x;
      Yz = (x - z / s) / (x * x);
      Yr = -z * xr / (x * x);
    }
    const C = 1 + expiry * (omb2 * alpha * alpha / (24 * fk * fk) + rho * beta * nu * alpha / (4 * fk) + (2 - 3 * rho * rho) * nu * nu / 24);
    const A = alpha / D;
    const vol = A * Y * C;
    f[io + i] = pTarget !== 0 ? vol - f[it + i] : vol;
    if (pJacobian !== 0) {
      const row = ij + i * 3;
      const dCa = expiry * (omb2 * alpha / (12 * fk * fk) + rho * beta * nu / (4 * fk));
      const dCr = expiry * (beta * nu * alpha / (4 * fk) - rho * nu * nu / 4);
      const dCn = expiry * (rho * beta * alpha / (4 * fk) + (2 - 3 * rho * rho) * nu / 12);
      f[row] = Y * C / D - A * C * Yz * z / alpha + A * Y * dCa;
      f[row + 1] = A * (C * Yr + Y * dCr);
      f[row + 2] = A * (C * Yz * zeta + Y * dCn);
    }
  }
  return 0;
}
