// The f64x2 SVI slice kernel (assembly/calibration/svi-jacobian.ts: two strikes per v128, the
// floor and q = 0 branches as selects) on both twins: every strike's vol and Jacobian row are the
// same bits alone as in a batch of any length (odd lengths end in the scalar loop), both branches
// of the 1% vol floor and sigma = 0 (q = 0 at k = m) included, and WASM equals the JS twin bit for
// bit (pure arithmetic and sqrt: correctly rounded on both backends).
import { describe, it, expect } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import type { Engine } from '../src/index.js';

function evaluate(e: Engine, ks: number[], expiry: number, params: number[], targets: number[] | null): { out: number[]; jac: number[] } {
  const n = ks.length, a = e.arena;
  a.reset();
  a.reserve(1024 + n * 8 * 8);
  a.alloc(16);
  const pk = a.alloc(Math.max(16, 8 * n)), pP = a.alloc(48), pT = targets ? a.alloc(Math.max(16, 8 * n)) : 0;
  const pO = a.alloc(Math.max(16, 8 * n)), pJ = a.alloc(Math.max(16, 40 * n));
  const v = a.views;
  v.f64.set(ks, pk / 8);
  v.f64.set(params, pP / 8);
  if (targets) v.f64.set(targets, pT / 8);
  expect(e.kernels.sviSliceEvaluate(n, pk, expiry, pP, pT, pO, pJ)).toBe(0);
  const w = a.views;
  return { out: Array.from(w.f64.subarray(pO / 8, pO / 8 + n)), jac: Array.from(w.f64.subarray(pJ / 8, pJ / 8 + 5 * n)) };
}

// A smile whose wings sit above the floor and whose centre dips below it (negative a), and a
// sigma = 0 slice with a strike at k = m.
const KS = Array.from({ length: 23 }, (_, i) => -0.9 + 0.08 * i);
const CASES = [
  { label: 'ordinary smile', params: [0.02, 0.15, -0.4, 0.05, 0.2] },
  { label: 'centre below the 1% floor', params: [-0.03, 0.1, 0.2, 0.0, 0.05] },
  { label: 'sigma = 0, a strike at k = m', params: [0.01, 0.2, -0.3, KS[7]!, 0] },
];

describe.each(BACKENDS)('f64x2 SVI slice kernel (%s)', (backend) => {
  for (const c of CASES) {
    it(`${c.label}: each strike alone = in the batch, any batch length`, async () => {
      const e = await engineFor(backend);
      const targets = KS.map((k) => 0.2 + 0.1 * k);
      const full = evaluate(e, KS, 0.5, c.params, targets);
      KS.forEach((k, i) => {
        const one = evaluate(e, [k], 0.5, c.params, [targets[i]!]);
        expect(Object.is(one.out[0], full.out[i]), `k=${k}`).toBe(true);
        one.jac.forEach((x, j) => expect(Object.is(x, full.jac[5 * i + j]), `k=${k} col ${j}`).toBe(true));
      });
      for (const len of [2, 3, 22]) {
        const part = evaluate(e, KS.slice(1, 1 + len), 0.5, c.params, targets.slice(1, 1 + len));
        part.out.forEach((x, i) => expect(Object.is(x, full.out[1 + i])).toBe(true));
        part.jac.forEach((x, i) => expect(Object.is(x, full.jac[5 + i])).toBe(true));
      }
      if (c.label.startsWith('centre')) expect(full.out.some((x, i) => x + targets[i]! < 0.01)).toBe(true); // the floor is exercised
    });
  }
});

describe('f64x2 SVI slice kernel: twins', () => {
  it('WASM = JS bit for bit (values and Jacobians, no target)', async () => {
    const [w, j] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    for (const c of CASES) {
      const a = evaluate(w, KS, 0.25, c.params, null), b = evaluate(j, KS, 0.25, c.params, null);
      expect(a.out.map((x, i) => Object.is(x, b.out[i])).every(Boolean), c.label).toBe(true);
      expect(a.jac.map((x, i) => Object.is(x, b.jac[i])).every(Boolean), c.label).toBe(true);
    }
  });
});
