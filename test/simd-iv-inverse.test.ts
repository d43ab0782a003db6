// inverseNormalCdfFastX2 (assembly/math/f64x2-normal.ts), the f64x2 AS 241 behind the vectorised
// lowest-branch guesses of the implied-vol batch: each lane must be exactly the scalar
// inverseNormalCdfFast (WASM export and JS twin, which agree bit for bit by the kernel contract),
// on a sweep whose neighbouring lanes mix the central rational, the two tail rationals (r <= 5,
// r > 5, r = sqrt(-ln min(p, 1 - p))) and both tails, plus the split points and p outside (0, 1).
// Reached through the simdMathBatch diagnostic (fn 5) of a private instance of the engine's module.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/index.js';
import { inverseNormalCdfFast } from '../src/kernels/math/inverse-normal.js';

interface Raw {
  memory: WebAssembly.Memory;
  heapBase(): number;
  simdMathBatch(fn: number, n: number, pIn: number, pOut: number): number;
  inverseNormalCdfFast(p: number): number;
}

let raw: Raw;
beforeAll(async () => {
  const engine = await createEngine({ backend: 'wasm' });
  const instance = await WebAssembly.instantiate(engine.module!, { env: { abort: () => { throw new Error('abort'); } } });
  raw = instance.exports as unknown as Raw;
});

function simdInverse(ps: Float64Array): Float64Array {
  const base = (raw.heapBase() + 15) & ~15;
  const need = base + ps.length * 16;
  if (raw.memory.buffer.byteLength < need) raw.memory.grow(Math.ceil((need - raw.memory.buffer.byteLength) / 65536));
  new Float64Array(raw.memory.buffer).set(ps, base >>> 3);
  expect(raw.simdMathBatch(5, ps.length, base, base + ps.length * 8)).toBe(0);
  return new Float64Array(raw.memory.buffer, base + ps.length * 8, ps.length).slice();
}

/** Seeded uniforms in [0, 1) (mulberry32). */
function uniforms(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

describe('f64x2 inverseNormalCdfFast', () => {
  it('every lane equals the scalar (WASM and JS twin) bit for bit, lanes mixing central, near-tail and far-tail regions', () => {
    const u = uniforms(60_000, 99);
    const ps: number[] = [];
    for (let i = 0; i < u.length; i++) {
      const v = u[i]!;
      const k = i % 4;
      // central | tail with r <= 5 (p down to e^-25) | far tail (p down to 1e-300) | upper tail
      ps.push(k === 0 ? 0.075 + 0.85 * v : k === 1 ? Math.exp(-(1.6 ** 2) - (25 - 1.6 ** 2) * v) : k === 2 ? 10 ** (-11 - 289 * v) : 1 - 10 ** (-1 - 15 * v));
    }
    const specials = [0.075, 0.925, 0.5 - 0.425, 0.5 + 0.425, Math.exp(-25), Math.exp(-25) * (1 + 2 ** -52), 0.5, 5e-324, 1e-300,
      1 - 2 ** -53, 0, 1, -1, 2, NaN];
    // Each special at its own 4 seeded places, so its lane partners are ordinary values.
    const u2 = uniforms(specials.length * 4, 7);
    specials.forEach((s, si) => {
      for (let k = 0; k < 4; k++) ps.splice(Math.floor(u2[si * 4 + k]! * ps.length), 0, s);
    });
    const xs = Float64Array.from(ps);
    const got = simdInverse(xs);
    const bad: string[] = [];
    for (let i = 0; i < xs.length; i++) {
      const want = raw.inverseNormalCdfFast(xs[i]!);
      if (!Object.is(got[i], want) || !Object.is(want, inverseNormalCdfFast(xs[i]!))) bad.push(`p=${xs[i]} simd ${got[i]} scalar ${want}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });
});
