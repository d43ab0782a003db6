// Sobol points (Joe-Kuo direction numbers, Gray-code order) in both twins: the published first
// points, an independent implementation (scipy, fixture from scripts/fixtures/gen_sobol.py),
// chunking and start-index invariance, net (stratification) properties with and without
// randomisation, malformed calls, and WASM/JS bit identity.
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { SOBOL_MAX_DIMENSIONS, sobolDirectionTable } from '../src/random/sobol-table.js';
import scipy from './fixtures/random-sobol-scipy.json';
import { allocF64, allocU32, caseRng, putU32, readF64, readU32, twins, type Twin } from './fixtures/random-twins.js';

const PLAIN = 0, SHIFT = 1, OWEN = 2;

function directions(t: Twin, dims: number): number {
  const table = sobolDirectionTable(dims);
  const pTable = putU32(t, table);
  const pDir = allocU32(t, dims * 32);
  expect(t.kernels.sobolInitDirections(dims, pTable, table.length, pDir)).toBe(0);
  return pDir;
}

/** Points [index, index + count) as u32 integers x 2^32 (exact), row-major [count][dims]. */
function points(t: Twin, count: number, dims: number, index: number, scramble = PLAIN, words: ArrayLike<number> = []): Uint32Array {
  t.arena.reset();
  // Reserve everything first: growing the heap may drop its contents (JS twin), as in the facade.
  t.arena.reserve(4 * sobolDirectionTable(dims).length + 132 * dims + 8 * count * dims + 256);
  const pDir = directions(t, dims);
  const pWords = putU32(t, words.length ? words : new Array(dims).fill(0));
  const pOut = allocF64(t, count * dims);
  expect(t.kernels.sobolPoints(count, dims, index, pDir, scramble, pWords, pOut)).toBe(0);
  const x = readF64(t, pOut, count * dims);
  const u = new Uint32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! * 2 ** 32;
    if (!(x[i]! >= 0 && x[i]! < 1) || v !== Math.floor(v)) throw new Error(`point value ${x[i]} is not k 2^-32 in [0, 1)`);
    u[i] = v;
  }
  return u;
}

function column(u: Uint32Array, dims: number, d: number): number[] {
  const out: number[] = [];
  for (let i = d; i < u.length; i += dims) out.push(u[i]!);
  return out;
}

function fnv(ws: Iterable<number>): number {
  let h = 0x811c9dc5;
  for (const w of ws) h = Math.imul(h ^ w, 0x01000193) >>> 0;
  return h;
}

function seededWords(seed: number, n: number): number[] {
  const r = caseRng(seed);
  return Array.from({ length: n }, r);
}

/** Every aligned interval [k 2^-m, (k+1) 2^-m) holds exactly one of the 2^m values. */
function isOneDimNet(col: number[], m: number): boolean {
  const seen = new Uint8Array(1 << m);
  for (const x of col) seen[x >>> (32 - m)]!++;
  return seen.every((c) => c === 1);
}

/** (0, m, 2)-net: every elementary box 2^-a x 2^-(m-a) holds exactly one of the 2^m points. */
function isTwoDimNet(xs: number[], ys: number[], m: number): boolean {
  for (let a = 0; a <= m; a++) {
    const seen = new Uint8Array(1 << m);
    for (let i = 0; i < xs.length; i++) {
      const cx = a === 0 ? 0 : xs[i]! >>> (32 - a);
      const cy = a === m ? 0 : ys[i]! >>> (32 - (m - a));
      seen[(cx << (m - a)) | cy]!++;
    }
    if (!seen.every((c) => c === 1)) return false;
  }
  return true;
}

describe('Sobol direction table (src/random/sobol-table.ts)', () => {
  it('covers 1024 dimensions: dimension 2 is (s, a, m) = (1, 0, 1), dimension 1024 starts (13, 3538)', () => {
    expect(SOBOL_MAX_DIMENSIONS).toBe(1024);
    expect(sobolDirectionTable(1).length).toBe(0);
    expect(Array.from(sobolDirectionTable(3))).toEqual([1, 0, 1, 2, 1, 1, 3]);
    const all = sobolDirectionTable(1024);
    // Last row of new-joe-kuo-6.21201 kept: "1024 13 3538 1 1 5 11 11 33 37 29 263 1019 657 1453 7807".
    expect(Array.from(all.subarray(all.length - 15))).toEqual([13, 3538, 1, 1, 5, 11, 11, 33, 37, 29, 263, 1019, 657, 1453, 7807]);
  });

  it('throws InputError for dims outside [1, 1024]', () => {
    for (const dims of [0, 1025, 2.5, Number.NaN]) {
      expect(() => sobolDirectionTable(dims)).toThrow(InputError);
      try {
        sobolDirectionTable(dims);
      } catch (e) {
        expect((e as InputError).path).toBe('dims');
      }
    }
  });
});

describe.each(twins)('Sobol ($name twin)', (t) => {
  it('first 8 points in 2 dimensions are the published ones (reference/README.md)', () => {
    const u = points(t, 8, 2, 0);
    const want = [[0, 0], [0.5, 0.5], [0.75, 0.25], [0.25, 0.75], [0.375, 0.375], [0.875, 0.875], [0.625, 0.125], [0.125, 0.625]];
    expect(Array.from(u, (x) => x / 2 ** 32)).toEqual(want.flat());
  });

  it(`matches scipy (${scipy.source.split(';')[0]}): 64 dims x 1024 points`, () => {
    const { dims, points: n, first16, fnvPerDim } = scipy.head;
    const u = points(t, n, dims, 0);
    expect(Array.from(u.subarray(0, 16 * dims))).toEqual(first16.flat());
    const mismatched = fnvPerDim.flatMap((h, d) => (fnv(column(u, dims, d)) === h ? [] : [d + 1]));
    expect(mismatched, 'dimensions (1-based) that differ from scipy').toEqual([]);
  });

  it('matches scipy in all 1024 dimensions at start indices up to 2^32 - 8', () => {
    const { dims, starts, pointsPerBlock, pointAt2pow31minus3, fnvPerDim } = scipy.blocks;
    const blocks = starts.map((s) => points(t, pointsPerBlock, dims, s));
    expect(Array.from(blocks[3]!.subarray(0, dims))).toEqual(pointAt2pow31minus3);
    const mismatched = fnvPerDim.flatMap((h, d) => (fnv(blocks.flatMap((b) => column(b, dims, d))) === h ? [] : [d + 1]));
    expect(mismatched, 'dimensions (1-based) that differ from scipy').toEqual([]);
  });

  it.each([['plain', PLAIN], ['digital shift', SHIFT], ['Owen', OWEN]] as const)(
    'is independent of chunking and start index (%s): [0, 1000) = [0, 500) + [500, 1000) = 1-point pieces',
    (_, mode) => {
      const dims = 17;
      const w = seededWords(5, dims);
      const whole = points(t, 1000, dims, 0, mode, w);
      expect([...points(t, 500, dims, 0, mode, w), ...points(t, 500, dims, 500, mode, w)]).toEqual(Array.from(whole));
      for (const i of [0, 1, 2, 3, 255, 256, 511, 999]) {
        expect(Array.from(points(t, 1, dims, i, mode, w))).toEqual(Array.from(whole.subarray(i * dims, (i + 1) * dims)));
      }
    },
  );

  it('digital shift is the XOR of the plain point with the per-dimension word', () => {
    const dims = 40;
    const w = seededWords(6, dims);
    const plain = points(t, 64, dims, 12345, PLAIN);
    const shifted = points(t, 64, dims, 12345, SHIFT, w);
    expect(Array.from(shifted)).toEqual(Array.from(plain, (x, i) => (x ^ w[i % dims]!) >>> 0));
  });

  it.each([['plain', PLAIN], ['digital shift', SHIFT], ['Owen', OWEN]] as const)(
    'stratifies (%s): each of 64 dims is a (0, 10, 1)-net on aligned blocks of 1024 points; dims 1-2 a (0, 10, 2)-net',
    (_, mode) => {
      const dims = 64, m = 10;
      const w = seededWords(7, dims);
      for (const start of [0, 1024 * 1023, 2 ** 31]) {
        const u = points(t, 1 << m, dims, start, mode, w);
        const bad = Array.from({ length: dims }, (_, d) => d).filter((d) => !isOneDimNet(column(u, dims, d), m));
        expect(bad, `start ${start}: dimensions that are not stratified`).toEqual([]);
        expect(isTwoDimNet(column(u, dims, 0), column(u, dims, 1), m), `start ${start}`).toBe(true);
      }
    },
  );

  it('a misaligned block of 1024 points is not a net (the check above can fail)', () => {
    const u = points(t, 1024, 2, 1);
    expect(isTwoDimNet(column(u, 2, 0), column(u, 2, 1), 10)).toBe(false);
  });

  it('Owen scrambling: point 0 over 1024 dimensions with seeded words is uniform (chi-square, 16 bins, 5 sd)', () => {
    // Unscrambled, point 0 is the origin in every dimension; scrambled, each coordinate is an
    // independent U(0, 1) over the seed. df = 15, sd = sqrt(30).
    const dims = 1024;
    const u = points(t, 1, dims, 0, OWEN, seededWords(8, dims));
    const bins = new Array(16).fill(0);
    for (const x of u) bins[x >>> 28]++;
    const chi2 = bins.reduce((s, b) => s + (b - 64) ** 2 / 64, 0);
    expect(Math.abs(chi2 - 15)).toBeLessThan(5 * Math.sqrt(30));
    expect(Array.from(points(t, 1, dims, 0, OWEN, seededWords(9, dims)))).not.toEqual(Array.from(u));
  });

  it('randomised QMC estimate of E[prod_d (1 + (U_d - 1/2))] = 1 over 8 dims is unbiased and beats MC error', () => {
    // 32 independent Owen scramblings x 1024 points. Plain MC with 1024 points has sd
    // sqrt((13/12)^8 - 1) / 32 = 0.030; the spread of the RQMC estimates must be at least 5x
    // smaller (measured: 0.0019) and their mean within 5 standard errors of 1.
    const dims = 8, n = 1024, reps = 32;
    const est: number[] = [];
    for (let r = 0; r < reps; r++) {
      const u = points(t, n, dims, 0, OWEN, seededWords(100 + r, dims));
      let s = 0;
      for (let i = 0; i < n; i++) {
        let p = 1;
        for (let d = 0; d < dims; d++) p *= 0.5 + (u[i * dims + d]! + 0.5) / 2 ** 32;
        s += p;
      }
      est.push(s / n);
    }
    const mean = est.reduce((a, b) => a + b) / reps;
    const sd = Math.sqrt(est.reduce((a, b) => a + (b - mean) ** 2, 0) / (reps - 1));
    expect(sd).toBeLessThan(0.030 / 5);
    expect(Math.abs(mean - 1)).toBeLessThan(5 * sd / Math.sqrt(reps) + 1e-9);
  });

  it('rejects malformed calls with status 1 and writes nothing', () => {
    t.arena.reset();
    t.arena.reserve(1 << 14);
    const pDir = directions(t, 4);
    const pOut = allocF64(t, 16);
    const pW = allocU32(t, 4);
    const bad: [number, number, number, number][] = [
      [-1, 4, 0, PLAIN], [2, 0, 0, PLAIN], [2, 4, -1, PLAIN], [2, 4, 0.5, PLAIN], [2, 4, Number.NaN, PLAIN],
      [2, 4, 2 ** 32 - 1, PLAIN], [2, 4, 0, 3], [2, 4, 0, -1],
    ];
    for (const [count, dims, index, mode] of bad) {
      expect(t.kernels.sobolPoints(count, dims, index, pDir, mode, pW, pOut), `${count} ${dims} ${index} ${mode}`).toBe(1);
    }
    expect(readF64(t, pOut, 16).every(Number.isNaN)).toBe(true);
    // The last admissible point.
    expect(t.kernels.sobolPoints(1, 4, 2 ** 32 - 1, pDir, PLAIN, pW, pOut)).toBe(0);

    const table = Array.from(sobolDirectionTable(4));
    const pD = allocU32(t, 4 * 32);
    const init = (tab: number[], words = tab.length, dims = 4) => t.kernels.sobolInitDirections(dims, putU32(t, tab), words, pD);
    expect(init(table, table.length - 1)).toBe(1); // table too short
    expect(init(table, table.length, 0)).toBe(1); // no dimensions
    const evenM = table.slice();
    evenM[2] = 2;
    expect(init(evenM)).toBe(1);
    const bigA = table.slice();
    bigA[4] = 2; // dimension 3 has s = 2, so a must be < 2
    expect(init(bigA)).toBe(1);
    expect(Array.from(readU32(t, pD, 4 * 32))).toEqual(new Array(128).fill(0));
    expect(init(table)).toBe(0);
  });
});

describe('Sobol WASM and JS twins are bit-identical', () => {
  const [wasm, js] = twins as [Twin, Twin];

  it('direction integers for all 1024 dimensions', () => {
    for (const t of [wasm, js]) {
      t.arena.reset();
      t.arena.reserve(1 << 18);
    }
    expect(Array.from(readU32(wasm, directions(wasm, 1024), 1024 * 32))).toEqual(Array.from(readU32(js, directions(js, 1024), 1024 * 32)));
  });

  it('points on 150 seeded random (count, dims, index, scramble, words) cases', () => {
    const rnd = caseRng(31337);
    for (let i = 0; i < 150; i++) {
      const dims = 1 + (rnd() % (i % 10 === 0 ? 1024 : 40));
      const count = 1 + (rnd() % 64);
      const index = i % 2 ? rnd() % (2 ** 32 - count) : rnd() % 5000;
      const mode = i % 3;
      const w = seededWords(rnd(), dims);
      expect(Array.from(points(wasm, count, dims, index, mode, w)), `case ${i}`).toEqual(Array.from(points(js, count, dims, index, mode, w)));
    }
  });
});
