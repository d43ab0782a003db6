// The f64x2 quadrature sum of hestonPriceBatch / batesPriceBatch (two Gauss-Legendre nodes per
// lane, partial sums over even and odd nodes; see assembly/pricing/heston.ts), called on the raw
// kernels of both twins: an odd node count (the last node of each panel alone in lane 0) prices as
// the facade's even counts do, an element's result is the same bits alone or in a batch, and the
// twins agree under the spec's rule (prices to 1e-14 DF sqrt(F K), gradients identical: the twins
// share exp/log/log1p and sin/cos/expm1/atan2).
import { describe, it, expect } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import { priceRows, type Row } from './simd-heston-kernel.js';
import type { Engine } from '../src/index.js';

const PARAMS = { v0: 0.04, kappa: 1.5, theta: 0.05, sigma: 0.6, rho: -0.7 };
const JUMPS = { lambda: 0.5, muJ: -0.1, deltaJ: 0.15 };
const F = 100, DF = 0.95;
// Two expiries, strikes sorted by |ln(F/K)| within each (the facade's order: shared layouts).
const ROWS: Row[] = [0.1, 1.5].flatMap((T) => [100, 95, 106, 80, 125, 60, 170].map((K) => ({ K, T, type: K >= F ? 1 : -1 })));

const price = (e: Engine, rows: Row[], nNodes: number, jumps: boolean) => priceRows(e, rows, nNodes, PARAMS, jumps ? JUMPS : null, F, DF);

const scaleOf = (K: number) => DF * Math.sqrt(F * K);

describe.each(BACKENDS)('f64x2 Heston quadrature sum (%s)', (backend) => {
  for (const jumps of [false, true]) {
    const model = jumps ? 'Bates' : 'Heston';
    it(`${model}: odd node counts (15, 17) price as 16 nodes do, to the quadrature's accuracy`, async () => {
      const e = await engineFor(backend);
      const ref = price(e, ROWS, 16, jumps);
      const nP = jumps ? 8 : 5;
      for (const nNodes of [15, 17]) {
        const r = price(e, ROWS, nNodes, jumps);
        ROWS.forEach((row, i) => {
          expect(r.status[i], `${nNodes} nodes K=${row.K} T=${row.T}`).toBe(0);
          // Both rules are converged to ~1e-15 DF sqrt(F K) (heston-price.test.ts holds 16 nodes to
          // Lewis's references at 1e-14); 1e-13 leaves room for the odd rule's own rounding.
          expect(Math.abs(r.price[i] - ref.price[i]), `${nNodes} nodes K=${row.K} T=${row.T}`).toBeLessThanOrEqual(1e-13 * scaleOf(row.K));
          // The gradient integrals converge more slowly (|dphi/dp| grows with u): 15, 16 and 17 nodes
          // differ by up to 3e-14 DF sqrt(F K) here.
          for (let k = 0; k < nP; k++) {
            expect(Math.abs(r.grad[nP * i + k] - ref.grad[nP * i + k]), `${nNodes} nodes grad ${k} K=${row.K}`).toBeLessThanOrEqual(1e-12 * scaleOf(row.K));
          }
        });
      }
    });

    it(`${model}: each element alone gives the bits it gets in the batch (odd and even node counts)`, async () => {
      const e = await engineFor(backend);
      for (const nNodes of [15, 16]) {
        const batch = price(e, ROWS, nNodes, jumps);
        const nP = jumps ? 8 : 5;
        ROWS.forEach((row, i) => {
          const single = price(e, [row], nNodes, jumps);
          expect(Object.is(single.price[0], batch.price[i]), `${nNodes} nodes K=${row.K} T=${row.T}`).toBe(true);
          expect(single.grad).toEqual(batch.grad.slice(nP * i, nP * i + nP));
        });
      }
    });
  }
});

describe('f64x2 Heston quadrature sum: the twins agree with an odd node count', () => {
  it('WASM and JS within the spec rule (prices to 1e-14 DF sqrt(F K), gradients bit for bit)', async () => {
    const [w, j] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    for (const jumps of [false, true]) {
      const a = price(w, ROWS, 15, jumps), b = price(j, ROWS, 15, jumps), nP = jumps ? 8 : 5;
      ROWS.forEach((row, i) => {
        expect(Math.abs(a.price[i] - b.price[i])).toBeLessThanOrEqual(1e-14 * scaleOf(row.K));
        for (let k = 0; k < nP; k++) expect(Object.is(a.grad[nP * i + k], b.grad[nP * i + k]), `grad ${k} K=${row.K}`).toBe(true);
      });
    }
  });
});
