// The Heston / Bates twins share their elementary functions: the JS twin's sin, cos, expm1 and
// atan2 (src/kernels/math/trig.ts) are the WASM build's (AssemblyScript's musl) bit for bit, as exp,
// log and log1p (math/elementary) already were. So the gradients of hestonPriceBatch and
// batesPriceBatch are identical on both backends (spec/kernels.json: pGrad "identical"); prices
// still differ in the last bits through the control variate's normalisedBlack (V8's and
// AssemblyScript's Math.exp / Math.log there), within the spec's 1e-14 DF sqrt(F K).
import { beforeAll, describe, expect, it } from 'vitest';
import { sin, cos, sinCos, SIN_COS, expm1, atan2 } from '../src/kernels/math/trig.js';
import { engineFor } from './backends.js';
import { priceRows, type Row } from './simd-heston-kernel.js';
import { applyDiagnostic, diagnosticInstance } from './diagnostic-batch.js';

let raw: Awaited<ReturnType<typeof diagnosticInstance>>;
beforeAll(async () => {
  raw = await diagnosticInstance();
});

/** The WASM build's scalar fn (2 sin, 3 cos, 4 expm1, 5 atan2(xs[i], ys[i])) over xs. */
function wasmScalar(fn: number, xs: Float64Array, ys?: Float64Array): Float64Array {
  return applyDiagnostic(raw, 'trigBatch', fn, xs, ys);
}

/** Seeded doubles (xorshift32): moderate, wide, near multiples of pi/2, huge, any bit pattern, specials. */
function sweep(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
  const bits = new Float64Array(1), words = new Uint32Array(bits.buffer);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sign = rnd() < 0.5 ? -1 : 1, kind = i % 6;
    let x: number;
    if (kind === 0) x = 4 * rnd();
    else if (kind === 1) x = 800 * rnd();
    else if (kind === 2) x = 10 ** (-20 + 330 * rnd());
    else if (kind === 3) x = Math.round(rnd() * 2 ** 30) * (Math.PI / 2) * (1 + (rnd() - 0.5) * 1e-13);
    else if (kind === 4) x = 2 ** (20 + 3 * rnd()) * (Math.PI / 2); // the Payne-Hanek offsets near 2^20 pi/2
    else { words[0] = (rnd() * 2 ** 32) >>> 0; words[1] = (rnd() * 2 ** 32) >>> 0; x = bits[0]!; }
    xs[i] = sign * x;
  }
  xs.set([0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 1, -1, Math.PI / 2, 709.8, 710, -40, 1e300], 0);
  return xs;
}

describe('src/kernels/math/trig.ts: the WASM build\'s scalar functions, bit for bit', () => {
  const xs = sweep(120_000, 0x7419);
  for (const [name, fn, js] of [['sin', 2, sin], ['cos', 3, cos], ['expm1', 4, expm1]] as const) {
    it(name, () => {
      const want = wasmScalar(fn, xs);
      let differ = 0, first = '';
      xs.forEach((x, i) => {
        const y = js(x);
        if (!Object.is(y, want[i]) && differ++ === 0) first = `${name}(${x}) = ${y}, WASM ${want[i]}`;
      });
      expect(differ, first).toBe(0);
    });
  }
  it('sinCos: sin and cos of one reduction, the same bits as sin and cos', () => {
    let differ = 0, first = '';
    xs.forEach((x) => {
      sinCos(x);
      if ((!Object.is(SIN_COS[0], sin(x)) || !Object.is(SIN_COS[1], cos(x))) && differ++ === 0) first = `sinCos(${x}) = ${SIN_COS[0]}, ${SIN_COS[1]}`;
    });
    expect(differ, first).toBe(0);
  });
  it('atan2 (both arguments from the sweep, and the signed zeros and infinities against each other)', () => {
    const ys = sweep(120_000, 0x2a7a).reverse();
    const special = [0, -0, Infinity, -Infinity, NaN, 1, -1, 5e-324];
    const sx = Float64Array.from(special.flatMap((a) => special.map(() => a)));
    const sy = Float64Array.from(special.flatMap(() => special));
    for (const [a, b] of [[xs, ys], [sx, sy], [ys.map((y) => y * 2 ** 70), xs]] as const) {
      const want = wasmScalar(5, a, b);
      let differ = 0, first = '';
      a.forEach((y, i) => {
        const v = atan2(y, b[i]!);
        if (!Object.is(v, want[i]) && differ++ === 0) first = `atan2(${y}, ${b[i]}) = ${v}, WASM ${want[i]}`;
      });
      expect(differ, first).toBe(0);
    }
  });
});

describe('Heston / Bates: the twins\' gradients are identical', () => {
  const cases = [
    { label: 'equity skew', p: { v0: 0.04, kappa: 1.5, theta: 0.05, sigma: 0.6, rho: -0.7 } },
    { label: 'high vol of vol, rho near -1', p: { v0: 0.09, kappa: 0.3, theta: 0.2, sigma: 1.8, rho: -0.98 } },
    { label: 'small sigma, positive rho', p: { v0: 0.01, kappa: 5, theta: 0.02, sigma: 0.05, rho: 0.6 } },
  ];
  const rows: Row[] = [1 / 365, 0.02, 0.25, 1, 10].flatMap((T) =>
    [100, 99, 103, 90, 115, 70, 150, 30, 400].map((K) => ({ K, T, type: K >= 100 ? 1 : -1 })));
  for (const jumps of [null, { lambda: 0.8, muJ: -0.15, deltaJ: 0.2 }]) {
    for (const c of cases) {
      it(`${jumps ? 'Bates' : 'Heston'}, ${c.label}: gradients bit for bit, prices within 1e-14 DF sqrt(F K), same statuses`, async () => {
        const [w, j] = await Promise.all([engineFor('wasm'), engineFor('js')]);
        for (const nNodes of [16, 15]) {
          const a = priceRows(w, rows, nNodes, c.p, jumps), b = priceRows(j, rows, nNodes, c.p, jumps);
          expect(a.status).toEqual(b.status);
          const ok = a.status.filter((s) => s === 0).length;
          expect(ok, 'most elements priced').toBeGreaterThan(rows.length / 2);
          a.grad.forEach((g, i) => expect(Object.is(g, b.grad[i]), `grad ${i}: ${g} vs ${b.grad[i]}`).toBe(true));
          rows.forEach((r, i) => {
            if (a.status[i] !== 0) return;
            expect(Math.abs(a.price[i]! - b.price[i]!)).toBeLessThanOrEqual(1e-14 * 0.95 * Math.sqrt(100 * r.K));
          });
        }
      });
    }
  }
});
