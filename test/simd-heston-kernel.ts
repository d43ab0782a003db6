// Raw hestonPriceBatch / batesPriceBatch calls on an engine's kernels and arena, for the
// test/simd-heston-*.test.ts files.
import { expect } from 'vitest';
import { gaussLegendre } from '../src/math/gauss-legendre.js';
import type { Engine } from '../src/index.js';

export interface HestonParams { v0: number; kappa: number; theta: number; sigma: number; rho: number }
export interface JumpParams { lambda: number; muJ: number; deltaJ: number }
export interface Row { K: number; T: number; type: number }
export interface Priced { price: number[]; grad: number[]; status: number[] }

/** Prices and gradients of rows (forward F, discount DF) with an nNodes-point rule, tail 1e-15. */
export function priceRows(
  e: Engine, rows: Row[], nNodes: number, params: HestonParams, jumps: JumpParams | null, F = 100, DF = 0.95,
): Priced {
  const n = rows.length, nP = jumps ? 8 : 5, maxPanels = 256, stride = jumps ? 20 : 14;
  const rule = gaussLegendre(nNodes);
  const a = e.arena;
  a.reset();
  a.reserve(1024 + n * (8 * 4 + 1 + 8 + 8 * nP + 1) + 16 * nNodes + (maxPanels * stride + 2) * nNodes * 8);
  a.alloc(16); // offset 0 means "no column"
  const col = () => a.alloc(Math.max(16, 8 * n));
  const pF = col(), pK = col(), pT = col(), pDF = col(), pTy = a.alloc(Math.max(16, n));
  const pN = a.alloc(8 * nNodes), pW = a.alloc(8 * nNodes), pWork = a.alloc((maxPanels * stride + 2) * nNodes * 8);
  const pOut = col(), pGrad = a.alloc(8 * nP * n), pSt = a.alloc(Math.max(16, n));
  const v = a.views;
  rows.forEach((r, i) => {
    v.f64[pF / 8 + i] = F; v.f64[pK / 8 + i] = r.K; v.f64[pT / 8 + i] = r.T; v.f64[pDF / 8 + i] = DF; v.i8[pTy + i] = r.type;
  });
  v.f64.set(rule.nodes, pN / 8);
  v.f64.set(rule.weights, pW / 8);
  const { v0, kappa, theta, sigma, rho } = params;
  const tail = [nNodes, pN, pW, 1e-15, maxPanels, pWork, 1, pOut, pGrad, pSt] as const;
  const rc = jumps
    ? e.kernels.batesPriceBatch(n, pF, pK, pT, pDF, pTy, v0, kappa, theta, sigma, rho, jumps.lambda, jumps.muJ, jumps.deltaJ, ...tail)
    : e.kernels.hestonPriceBatch(n, pF, pK, pT, pDF, pTy, v0, kappa, theta, sigma, rho, ...tail);
  expect(rc).toBe(0);
  const w = a.views;
  return {
    price: Array.from(w.f64.subarray(pOut / 8, pOut / 8 + n)),
    grad: Array.from(w.f64.subarray(pGrad / 8, pGrad / 8 + nP * n)),
    status: Array.from(w.u8.subarray(pSt, pSt + n)),
  };
}
