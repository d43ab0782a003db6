// Philox4x32-10 (Salmon et al., SC'11) in both twins: Random123 known-answer vectors, an
// independent BigInt reference, WASM/JS bit identity, the documented stream layout, chunking
// invariance and the distribution of the uniforms.
import { describe, expect, it } from 'vitest';
import { inverseNormalCdf } from '../src/kernels/math/inverse-normal.js';
import { allocF64, allocU32, caseRng, readF64, readU32, twins, type Twin } from './fixtures/random-twins.js';

const hex = (w: number): string => (w >>> 0).toString(16).padStart(8, '0');
const words = (s: string): number[] => s.trim().split(/\s+/).map((h) => parseInt(h, 16));

// Random123 tests/kat_vectors, rows "philox4x32 10": counter[4] key[2] -> output[4]
// (copied in /work/shared/reference/README.md).
const KAT: { counter: string; key: string; out: string }[] = [
  { counter: '00000000 00000000 00000000 00000000', key: '00000000 00000000', out: '6627e8d5 e169c58d bc57ac4c 9b00dbd8' },
  { counter: 'ffffffff ffffffff ffffffff ffffffff', key: 'ffffffff ffffffff', out: '408f276d 41c83b0e a20bc7c6 6d5451fd' },
  { counter: '243f6a88 85a308d3 13198a2e 03707344', key: 'a4093822 299f31d0', out: 'd16cfe09 94fdcceb 5001e420 24126ea1' },
];

/** Philox4x32-10 written from the paper with BigInt products: shares no code with either twin. */
function philoxReference(ctr: number[], key: number[]): number[] {
  const M0 = 0xd2511f53n, M1 = 0xcd9e8d57n, W0 = 0x9e3779b9n, W1 = 0xbb67ae85n, MASK = 0xffffffffn;
  let [c0, c1, c2, c3] = ctr.map(BigInt);
  let [k0, k1] = key.map(BigInt);
  for (let r = 0; r < 10; r++) {
    const p0 = M0 * c0!, p1 = M1 * c2!;
    [c0, c1, c2, c3] = [(p1 >> 32n) ^ c1! ^ k0!, p1 & MASK, (p0 >> 32n) ^ c3! ^ k1!, p0 & MASK];
    k0 = (k0! + W0) & MASK;
    k1 = (k1! + W1) & MASK;
  }
  return [c0!, c1!, c2!, c3!].map(Number);
}

function block(t: Twin, ctr: number[], key: number[]): number[] {
  t.arena.reset();
  const p = allocU32(t, 4);
  expect(t.kernels.philox4x32_10(ctr[0]!, ctr[1]!, ctr[2]!, ctr[3]!, key[0]!, key[1]!, p)).toBe(0);
  return Array.from(readU32(t, p, 4));
}

function uint32s(t: Twin, n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number): Uint32Array {
  t.arena.reset();
  const p = allocU32(t, n);
  expect(t.kernels.philoxUint32Batch(n, seedLo, seedHi, stream, path, offset, p)).toBe(0);
  return readU32(t, p, n);
}

function uniforms(t: Twin, n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number): Float64Array {
  t.arena.reset();
  const p = allocF64(t, n);
  expect(t.kernels.philoxUniformBatch(n, seedLo, seedHi, stream, path, offset, p)).toBe(0);
  return readF64(t, p, n);
}

function normals(t: Twin, n: number, seedLo: number, seedHi: number, stream: number, path: number, offset: number): Float64Array {
  t.arena.reset();
  const p = allocF64(t, n);
  expect(t.kernels.philoxNormalBatch(n, seedLo, seedHi, stream, path, offset, p)).toBe(0);
  return readF64(t, p, n);
}

const [wasm, js] = twins as [Twin, Twin];

describe('Philox reference implementation (BigInt, in this file)', () => {
  it.each(KAT)('reproduces the Random123 vector for counter $counter', ({ counter, key, out }) => {
    expect(philoxReference(words(counter), words(key)).map(hex).join(' ')).toBe(out);
  });
});

describe.each(twins)('Philox4x32-10 ($name twin)', (t) => {
  it.each(KAT)('philox4x32_10 matches Random123 KAT: counter $counter, key $key', ({ counter, key, out }) => {
    expect(block(t, words(counter), words(key)).map(hex).join(' ')).toBe(out);
  });

  it('philox4x32_10 equals the BigInt reference on 2000 seeded random counters and keys', () => {
    const rnd = caseRng(20240611);
    for (let i = 0; i < 2000; i++) {
      const ctr = [rnd(), rnd(), rnd(), rnd()];
      const key = [rnd(), rnd()];
      // Bias some cases to the extremes where carries and sign bits bite.
      if (i % 7 === 0) ctr[0] = 0xffffffff;
      if (i % 11 === 0) ctr[2] = 0x80000000;
      const got = block(t, ctr, key);
      const want = philoxReference(ctr, key);
      if (got.some((w, k) => w !== want[k])) {
        throw new Error(`case ${i}: counter ${ctr.map(hex)} key ${key.map(hex)}: got ${got.map(hex)} want ${want.map(hex)}`);
      }
    }
  });

  it('philoxUint32Batch follows the documented counter layout [block lo, block hi, path, stream]', () => {
    const rnd = caseRng(77);
    for (let i = 0; i < 50; i++) {
      const seedLo = rnd(), seedHi = rnd(), stream = rnd(), path = rnd();
      // Offsets across the 2^32-block boundary (word 2^34) and up to 2^53 - n.
      const offsets = [0, 3, 2 ** 34 - 5, 2 ** 53 - 64, (rnd() % 2 ** 20) * 2 ** 21 + (rnd() % 97)];
      const offset = offsets[i % offsets.length]!;
      const n = 1 + (rnd() % 23);
      const got = uint32s(t, n, seedLo, seedHi, stream, path, offset);
      for (let k = 0; k < n; k++) {
        const w = offset + k;
        const b = Math.floor(w / 4);
        const want = philoxReference([b % 2 ** 32, Math.floor(b / 2 ** 32), path, stream], [seedLo, seedHi])[w % 4];
        expect(got[k], `word ${w}`).toBe(want);
      }
    }
  });

  it('uniform j is built from words 2j and 2j+1: ((w2j >>> 12) 2^32 + w2j+1 + 1/2) 2^-52', () => {
    const n = 257;
    const offset = 2 ** 33 + 1;
    const u = uniforms(t, n, 11, 22, 33, 44, offset);
    const w = uint32s(t, 2 * n, 11, 22, 33, 44, 2 * offset);
    for (let j = 0; j < n; j++) {
      expect(u[j]).toBe(((w[2 * j]! >>> 12) * 2 ** 32 + w[2 * j + 1]! + 0.5) * 2 ** -52);
    }
  });

  it('is independent of chunking: [0, 1000) equals [0, 500) + [500, 1000) and uneven splits', () => {
    const whole = uniforms(t, 1000, 0xdeadbeef, 1, 7, 12345, 0);
    const joined = [...uniforms(t, 500, 0xdeadbeef, 1, 7, 12345, 0), ...uniforms(t, 500, 0xdeadbeef, 1, 7, 12345, 500)];
    expect(joined).toEqual(Array.from(whole));
    const pieces: number[] = [];
    for (const [a, b] of [[0, 1], [1, 4], [4, 11], [11, 12], [12, 999], [999, 1000]] as const) {
      pieces.push(...uniforms(t, b - a, 0xdeadbeef, 1, 7, 12345, a));
    }
    expect(pieces).toEqual(Array.from(whole));
    const wordsWhole = uint32s(t, 1001, 5, 6, 7, 8, 3);
    const wordsSplit = [...uint32s(t, 2, 5, 6, 7, 8, 3), ...uint32s(t, 999, 5, 6, 7, 8, 5)];
    expect(wordsSplit).toEqual(Array.from(wordsWhole));
  });

  it('philoxUniformPaths row i equals philoxUniformBatch of path firstPath + i (wrapping mod 2^32)', () => {
    const nPaths = 5, n = 9, firstPath = 0xfffffffe, offset = 3;
    t.arena.reset();
    const p = allocF64(t, nPaths * n);
    expect(t.kernels.philoxUniformPaths(nPaths, n, 1, 2, 3, firstPath, offset, p)).toBe(0);
    const block = readF64(t, p, nPaths * n);
    for (let i = 0; i < nPaths; i++) {
      expect(Array.from(block.subarray(i * n, (i + 1) * n))).toEqual(Array.from(uniforms(t, n, 1, 2, 3, (firstPath + i) >>> 0, offset)));
    }
  });

  it('different streams, paths and seeds give different sequences', () => {
    const base = uniforms(t, 8, 1, 0, 0, 0, 0);
    for (const [lo, hi, s, p] of [[2, 0, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1]] as const) {
      expect(Array.from(uniforms(t, 8, lo, hi, s, p, 0))).not.toEqual(Array.from(base));
    }
  });

  it('rejects malformed ranges with status 1 and writes nothing', () => {
    for (const [n, offset] of [[-1, 0], [4, -1], [4, 0.5], [4, Number.NaN], [4, Infinity], [4, 2 ** 53 - 3]] as const) {
      t.arena.reset();
      const pu = allocU32(t, 8);
      const pf = allocF64(t, 8);
      expect(t.kernels.philoxUint32Batch(n, 1, 2, 3, 4, offset, pu), `u32 n=${n} offset=${offset}`).toBe(1);
      expect(t.kernels.philoxUniformBatch(n, 1, 2, 3, 4, offset, pf), `f64 n=${n} offset=${offset}`).toBe(1);
      expect(t.kernels.philoxUniformPaths(2, n, 1, 2, 3, 4, offset, pf)).toBe(1);
      expect(Array.from(readU32(t, pu, 8))).toEqual(new Array(8).fill(0));
      expect(readF64(t, pf, 8).every(Number.isNaN)).toBe(true);
    }
    expect(t.kernels.philoxUniformPaths(-1, 4, 1, 2, 3, 4, 0, allocF64(t, 8))).toBe(1);
    // The last admissible draw.
    expect(uniforms(t, 1, 1, 2, 3, 4, 2 ** 53 - 1).length).toBe(1);
  });

  it('uniforms lie on the lattice of odd multiples of 2^-53 inside (0, 1), with the right moments and histogram', () => {
    // 2^18 draws. Tolerances: mean and variance within 5 standard errors; chi-square over 256
    // equal bins within 5 standard deviations of its mean (df = 255, sd = sqrt(2 df)).
    const n = 1 << 18;
    const u = uniforms(t, n, 0x01234567, 0x89abcdef, 2, 3, 0);
    let sum = 0, sumSq = 0;
    const bins = new Float64Array(256);
    for (let i = 0; i < n; i++) {
      const x = u[i]!;
      if (!(x > 0 && x < 1) || (x * 2 ** 53) % 2 !== 1) throw new Error(`draw ${i} = ${x} is off the lattice`);
      sum += x;
      sumSq += (x - 0.5) ** 2;
      bins[Math.floor(x * 256)]!++;
    }
    const mean = sum / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    // Var((U - 1/2)^2) = 1/80 - 1/144.
    expect(Math.abs(sumSq / n - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
    const e = n / 256;
    let chi2 = 0;
    for (const b of bins) chi2 += (b - e) ** 2 / e;
    expect(Math.abs(chi2 - 255)).toBeLessThan(5 * Math.sqrt(2 * 255));
  });

  it('lag-1 serial correlation of uniforms is within 5 standard errors of 0', () => {
    const n = 1 << 17;
    const u = uniforms(t, n, 42, 0, 0, 0, 0);
    let c = 0;
    for (let i = 1; i < n; i++) c += (u[i]! - 0.5) * (u[i - 1]! - 0.5);
    expect(Math.abs(c / (n - 1) / (1 / 12))).toBeLessThan(5 / Math.sqrt(n));
  });
});

describe.each(twins)('Philox normals ($name twin)', (t) => {
  it('normal j is inverseNormalCdf(uniform j) of the same (seed, stream, path, j)', () => {
    const u = uniforms(t, 999, 3, 1, 4, 1, 5926);
    const z = normals(t, 999, 3, 1, 4, 1, 5926);
    expect(Array.from(z)).toEqual(Array.from(u, t.inverseNormalCdf));
  });

  it('is independent of chunking, and philoxNormalPaths row i equals path firstPath + i', () => {
    const whole = normals(t, 1000, 9, 9, 9, 9, 77);
    expect([...normals(t, 500, 9, 9, 9, 9, 77), ...normals(t, 500, 9, 9, 9, 9, 577)]).toEqual(Array.from(whole));
    t.arena.reset();
    const p = allocF64(t, 3 * 1000);
    expect(t.kernels.philoxNormalPaths(3, 1000, 9, 9, 9, 8, 77, p)).toBe(0);
    expect(Array.from(readF64(t, p, 3000).subarray(1000, 2000))).toEqual(Array.from(whole));
    expect(t.kernels.philoxNormalBatch(4, 9, 9, 9, 9, -1, p)).toBe(1);
    expect(t.kernels.philoxNormalPaths(-1, 4, 9, 9, 9, 9, 0, p)).toBe(1);
  });

  it('the uniform lattice ends 2^-53 and 1 - 2^-53 (and a sweep of tail cells) give finite, antisymmetric normals', () => {
    const lo = [2 ** -53, 3 * 2 ** -53];
    for (let k = 10; k <= 52; k++) lo.push((2 ** (52 - k) + 0.5) * 2 ** -52);
    for (const p of lo) {
      const z = t.inverseNormalCdf(p);
      expect(Number.isFinite(z) && z < 0 && z > -8.3, `p = ${p}`).toBe(true);
      expect(t.inverseNormalCdf(1 - p)).toBe(-z);
    }
  });

  it('2^18 normals: mean, variance, kurtosis and the |z| > 3 tail within 5 standard errors; all finite', () => {
    // Standard errors: mean 1/sqrt(n); variance sqrt(2/n); fourth moment sqrt(96/n) (Var z^4 = 105 - 9);
    // tail fraction sqrt(q(1-q)/n) with q = 2 Phi(-3) = 0.0026997960632601866.
    const n = 1 << 18;
    const z = normals(t, n, 0xcafef00d, 0, 1, 2, 0);
    let s1 = 0, s2 = 0, s4 = 0, tail = 0;
    for (const x of z) {
      if (!Number.isFinite(x) || Math.abs(x) > 8.3) throw new Error(`normal ${x} out of range`);
      s1 += x;
      s2 += x * x;
      s4 += x ** 4;
      if (Math.abs(x) > 3) tail++;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    const q = 0.0026997960632601866;
    expect(Math.abs(tail / n - q)).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / n));
  });
});

describe('Philox WASM and JS twins are bit-identical', () => {
  // Normals are bit for bit the same on both twins, tails included: inverseNormalCdf's log and the
  // exp of its Halley step are the shared elementary functions (math/elementary.ts), not the
  // engine's Math.log / Math.exp (musl's in WASM, V8's fdlibm in JS, which disagreed on 458 of
  // 1e5 normals by up to 1.3 ulp). Compared as bytes, so -0 vs 0 or a NaN payload would show.
  const sameBytes = (a: Float64Array, b: Float64Array, label: string): void => {
    expect(a.length, label).toBe(b.length);
    const x = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
    const y = new Uint32Array(b.buffer, b.byteOffset, b.length * 2);
    for (let i = 0; i < x.length; i++) {
      if (x[i] !== y[i]) throw new Error(`${label} draw ${i >> 1}: wasm ${a[i >> 1]} js ${b[i >> 1]}`);
    }
  };

  it('philoxNormals and philoxUniforms of 1e5 draws (the reported case) and 2^18 draws: the same bytes', async () => {
    const { createEngine, philoxNormals, philoxUniforms } = await import('../src/index.js');
    const [ew, ej] = await Promise.all([createEngine({ backend: 'wasm' }), createEngine({ backend: 'js' })]);
    for (const seed of [0, 1, 42, 2024]) {
      sameBytes(philoxNormals(1e5, seed, 0, 0, 0, ew), philoxNormals(1e5, seed, 0, 0, 0, ej), `normals seed ${seed}`);
      sameBytes(philoxUniforms(1e5, seed, 0, 0, 0, ew), philoxUniforms(1e5, seed, 0, 0, 0, ej), `uniforms seed ${seed}`);
    }
    // Without an engine the private pure-JS context gives the same draws too.
    sameBytes(philoxNormals(1e5, 42, 3, 7, 11, ew), philoxNormals(1e5, 42, 3, 7, 11), 'normals, no engine');
    sameBytes(normals(wasm, 1 << 18, 1, 2, 3, 4, 0), normals(js, 1 << 18, 1, 2, 3, 4, 0), 'bulk 2^18');
  });

  it('on 100 seeded random batches and philoxNormalPaths blocks: the same bytes', () => {
    const rnd = caseRng(4242);
    for (let i = 0; i < 100; i++) {
      const args: [number, number, number, number, number, number] = [1 + (rnd() % 300), rnd(), rnd(), rnd(), rnd(), rnd() * 1024 + (rnd() % 1024)];
      sameBytes(normals(wasm, ...args), normals(js, ...args), `case ${i}`);
    }
    const block = (t: Twin): Float64Array => {
      t.arena.reset();
      t.arena.reserve(16 * 4000 + 64);
      const p = allocF64(t, 16 * 4000);
      expect(t.kernels.philoxNormalPaths(16, 4000, 5, 6, 7, 0xfffffff8, 123, p)).toBe(0);
      return readF64(t, p, 16 * 4000);
    };
    sameBytes(block(wasm), block(js), 'philoxNormalPaths 16 x 4000');
  });

  it('on 300 seeded random (seed, stream, path, offset, n) cases, words and uniforms', () => {
    const rnd = caseRng(9001);
    for (let i = 0; i < 300; i++) {
      const seedLo = rnd(), seedHi = rnd(), stream = rnd(), path = rnd();
      const offset = i % 3 === 0 ? rnd() : i % 3 === 1 ? rnd() * 2 ** 20 + rnd() % 2 ** 20 : rnd() % 16;
      const n = 1 + (rnd() % 200);
      const a = uint32s(wasm, n, seedLo, seedHi, stream, path, offset);
      const b = uint32s(js, n, seedLo, seedHi, stream, path, offset);
      expect(Array.from(a), `words case ${i}`).toEqual(Array.from(b));
      const ua = uniforms(wasm, n, seedLo, seedHi, stream, path, offset);
      const ub = uniforms(js, n, seedLo, seedHi, stream, path, offset);
      expect(Array.from(ua), `uniforms case ${i}`).toEqual(Array.from(ub));
    }
  });

  it('accepts the same out-of-range u32 arguments (taken modulo 2^32)', () => {
    const a = uniforms(wasm, 4, -1, 2 ** 32 + 5, -7, 2 ** 33 + 1, 0);
    const b = uniforms(js, 4, -1, 2 ** 32 + 5, -7, 2 ** 33 + 1, 0);
    const c = uniforms(js, 4, 0xffffffff, 5, 0xfffffff9, 1, 0);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(b)).toEqual(Array.from(c));
  });
});
