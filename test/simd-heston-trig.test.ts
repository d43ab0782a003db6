// f64x2 sin and cos (assembly/math/f64x2-trig.ts, used by the Heston / Bates pricer two nodes at a
// time) through the diagnostic export trigBatch: each lane is bit for bit the WASM build's scalar
// Math.sin / Math.cos, whatever its lane partner, on a seeded sweep over every path of the scalar
// code (no reduction, one Cody-Waite step, near multiples of pi/2 where musl takes two or three
// steps, the 3pi/4 and pi/2 special cases, |x| >= 2^20 pi/2, Infinity, NaN, subnormals), and the
// lanes are within 1 ulp of the correctly rounded value (mpmath fixture; musl's documented bound).
import { beforeAll, describe, expect, it } from 'vitest';
import ref from './fixtures/simd-heston-trig-reference.json';
import { applyDiagnostic, diagnosticInstance } from './diagnostic-batch.js';

let raw: Awaited<ReturnType<typeof diagnosticInstance>>;
beforeAll(async () => {
  raw = await diagnosticInstance();
});

/** trigBatch(fn) over xs (fn 0 sin, 1 cos as f64x2 pairs (2j, 2j + 1); 2 sin, 3 cos scalar). */
function apply(fn: number, xs: Float64Array): Float64Array {
  return applyDiagnostic(raw, 'trigBatch', fn, xs);
}

/** Seeded arguments (xorshift32) over the scalar code's paths. */
function sweep(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
  const bits = new Float64Array(1), words = new Uint32Array(bits.buffer);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sign = rnd() < 0.5 ? -1 : 1, kind = i % 8;
    let x: number;
    if (kind === 0) x = (rnd() * Math.PI) / 2;
    else if (kind === 1) x = 100 * rnd();
    else if (kind === 2) x = 10 ** (-12 + 18.5 * rnd());
    else if (kind === 3) x = Math.round(rnd() * 2 ** 21) * (Math.PI / 2) * (1 + (rnd() - 0.5) * 1e-13); // two or three steps
    else if (kind === 4) x = 2.356194490192345 + (rnd() - 0.5) * 2e-8; // 3pi/4 and its high-word threshold
    else if (kind === 5) x = Math.PI / 2 + (rnd() - 0.5) * 1e-6; // high word of pi/2
    else if (kind === 6) { words[0] = (rnd() * 2 ** 32) >>> 0; words[1] = (rnd() * 2 ** 31) >>> 0; x = bits[0]!; } // any bits
    else x = 10 ** (6 + 300 * rnd());
    xs[i] = sign * x;
  }
  xs.set([0, -0, Infinity, -Infinity, NaN, 5e-324, 2 ** -26, 2 ** -27, Math.PI / 4, 0.7853981852531433, 1647099.3291652855, 1e300], 0);
  return xs;
}

const BITS = new Float64Array(1);
const BITS_U = new Uint32Array(BITS.buffer);
/** The spacing of doubles at |y|. */
function ulpOf(y: number): number {
  BITS[0] = Math.abs(y);
  const e = (BITS_U[1]! >>> 20) & 0x7ff;
  return e <= 52 ? 5e-324 * 2 ** Math.max(e - 1, 0) : 2 ** (e - 1075);
}

describe('f64x2 sin and cos (assembly/math/f64x2-trig.ts)', () => {
  for (const [name, vec, scalar] of [['sin', 0, 2], ['cos', 1, 3]] as const) {
    it(`${name}: every lane is the scalar Math.${name} bit for bit, whatever its partner`, () => {
      const xs = sweep(200_000, name === 'sin' ? 0x5eed : 0xc05);
      const want = apply(scalar, xs);
      // As pairs (0, 1), (2, 3), ... and shifted by one: each element in the other lane, beside
      // another partner.
      const a = apply(vec, xs);
      const b = apply(vec, xs.subarray(1));
      let differ = 0, first = '';
      for (let i = 0; i < xs.length; i++) {
        const ok = Object.is(a[i], want[i]) && (i === 0 || Object.is(b[i - 1], want[i]));
        if (!ok && differ++ === 0) first = `${name}(${xs[i]}): lanes ${a[i]}, ${i ? b[i - 1] : '-'} vs scalar ${want[i]}`;
      }
      expect(differ, first).toBe(0);
    });

    it(`${name}: lanes within 1 ulp of the correctly rounded value (mpmath)`, () => {
      const rows = (ref as unknown as Record<string, [number, number, number][]>)[name]!;
      const xs = Float64Array.from(rows, (r) => r[0]);
      const y = apply(vec, xs);
      let worst = 0;
      rows.forEach(([x, hi, lo], i) => {
        const e = Math.abs((y[i]! - hi - lo) / ulpOf(hi));
        expect(e, `${name}(${x})`).toBeLessThan(1);
        worst = Math.max(worst, e);
      });
      console.log(`[f64x2-trig] ${name}: worst error ${worst.toFixed(3)} ulp against mpmath over ${rows.length} arguments`);
    });
  }
});
