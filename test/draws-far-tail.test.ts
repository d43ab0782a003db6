// [simd] The vector draw code of the Monte Carlo kernels (assembly/montecarlo/draws.ts fillDraws:
// the central AS 241 rational four f64x2 at a time, the tail draws listed branch-free and redone
// two pairs side by side, r = sqrt(-ln q) through logX2's table branch) must give each draw the
// bits of the scalar inverseNormalCdfFast, the WASM export and the JS twin alike (the Monte Carlo
// results are bit-identical across backends). Seeded Monte Carlo runs reach the far tail (r > 5,
// u < e^-25 = 1.4e-11) about once in 7e10 draws, so the pinned-bits and WASM-vs-JS tests never
// see it: here crafted uniforms go through the same code via the drawNormalsBatch diagnostic
// (spec/kernels.json) of a private instance of the engine's module.
//
// The uniforms are Philox's: odd multiples of 2^-53 in [2^-53, 1 - 2^-53]. Below e^-25 there are
// only ~62,500 of them, so the r > 5 region is checked exhaustively, each with its mirror 1 - u
// (exact); the r <= 5 tail and the centre by seeded samples. The WASM build is the one under test;
// the reference is the scalar function on both backends (the JS twin has no vector code).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { inverseNormalCdfFast } from '../src/kernels/math/inverse-normal.js';
import { propertySeed } from './backends.js';
import { applyDiagnostic, diagnosticInstance } from './diagnostic-batch.js';
import { rng } from './seeded-random.js';

let raw: Awaited<ReturnType<typeof diagnosticInstance>> & { inverseNormalCdfFast(p: number): number };
beforeAll(async () => {
  raw = (await diagnosticInstance()) as typeof raw;
});

const TWO_M53 = 2 ** -53;
/** e^-25: below it the tail rational of AS 241 is the r > 5 set. */
const FAR = Math.exp(-25);
/** Uniforms per diagnostic call (a multiple of the kernels' 256-draw chunk, so chunk ends fall inside calls too). */
const BATCH = 16384;

/** drawNormalsBatch over us (even length), `batch` uniforms per call (even). */
function vectorNormals(us: Float64Array, batch = BATCH): Float64Array {
  return applyDiagnostic(raw, 'drawNormalsBatch', 0, us, undefined, batch);
}

/** Differences from the scalar function on either backend, as readable lines (first few). */
function mismatches(us: Float64Array, got: Float64Array): string[] {
  const bad: string[] = [];
  for (let i = 0; i < us.length && bad.length < 5; i++) {
    const u = us[i]!;
    const wasm = raw.inverseNormalCdfFast(u);
    const js = inverseNormalCdfFast(u);
    if (!Object.is(got[i], wasm) || !Object.is(wasm, js)) bad.push(`u=${u} vector ${got[i]} scalar WASM ${wasm} JS ${js}`);
  }
  return bad;
}

/** The Philox uniform nearest x from below: an odd multiple of 2^-53 (x in (0, 1/2]). */
function onGrid(x: number): number {
  const k = Math.max(0, Math.floor((x / TWO_M53 - 1) / 2));
  return (2 * k + 1) * TWO_M53;
}

/** Every Philox uniform below e^-25 ((2k + 1) 2^-53), then as many mirrors 1 - u. */
function farTail(): number[] {
  const out: number[] = [];
  for (let k = 0; (2 * k + 1) * TWO_M53 < FAR; k++) out.push((2 * k + 1) * TWO_M53);
  const n = out.length;
  for (let i = 0; i < n; i++) out.push(1 - out[i]!);
  return out;
}

/** Fisher-Yates with a seeded generator, so central and tail draws sit side by side in every lane position. */
function shuffled(xs: number[], seed: number): Float64Array {
  const r = rng(seed);
  const a = Float64Array.from(xs);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

describe('Monte Carlo vector draws against the scalar inverse normal (far tail included)', () => {
  it('every Philox uniform with r > 5 (u < e^-25) and its mirror, mixed with near-tail and central draws: bit for bit', () => {
    const far = farTail();
    // The grid below e^-25 has about 62,560 points: the check covers r up to sqrt(53 ln 2) = 6.06.
    expect(far.length).toBeGreaterThan(2 * 62_000);
    expect(far[0]).toBe(TWO_M53);
    const r = rng(20261207);
    const near: number[] = [];
    const central: number[] = [];
    for (let i = 0; i < 60_000; i++) {
      // Near tail: log-uniform in [e^-25, 0.075) (r from 1.6 to 5), on the grid, half mirrored.
      const u = onGrid(Math.exp(-25 + (25 + Math.log(0.075)) * r()));
      near.push(i & 1 ? 1 - u : u);
      const c = onGrid(0.075 + 0.425 * r());
      central.push(i & 1 ? 1 - c : c);
    }
    // The split points and the extremes of the grid.
    const edges = [TWO_M53, 1 - TWO_M53, 3 * TWO_M53, 1 - 3 * TWO_M53, onGrid(FAR), 1 - onGrid(FAR), onGrid(0.075), 1 - onGrid(0.075), 0.5 + TWO_M53, 0.5 - TWO_M53];
    const us = shuffled([...far, ...near, ...central, ...edges, 0.5, 0.5], 7);
    expect(us.length % 2).toBe(0);
    expect(us.filter((u) => Math.min(u, 1 - u) < FAR).length).toBe(far.length + edges.filter((u) => Math.min(u, 1 - u) < FAR).length);
    expect(mismatches(us, vectorNormals(us))).toEqual([]);
  });

  it('sparse tails (0 to 3 per 8 draws), short and odd-sized chunks: bit for bit', () => {
    const r = rng(99);
    const xs: number[] = [];
    for (let i = 0; i < 40_000; i++) {
      const k = r();
      // 1 draw in 8 in the far tail, 1 in 8 in the near tail, the rest central.
      const u = k < 0.125 ? onGrid(FAR * r()) : k < 0.25 ? onGrid(0.075 * r() ** 6) : onGrid(0.075 + 0.425 * r());
      xs.push(r() < 0.5 ? u : 1 - u);
    }
    const us = Float64Array.from(xs);
    // Call lengths that end chunks anywhere: 2 (one f64x2), 6 and 10 (not a multiple of 8), 258 (a
    // chunk and a pair), 4094.
    for (const batch of [2, 6, 10, 258, 4094]) expect(mismatches(us, vectorNormals(us, batch))).toEqual([]);
  });

  it('property: any Philox uniform below 2^-20 or above 1 - 2^-20, in any lane of a batch, is the scalar inverse normal bit for bit', () => {
    const seed = propertySeed('draws-far-tail');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.boolean(), fc.boolean()), { minLength: 2, maxLength: 64 }), (draws) => {
        const xs = draws.map(([k, mirror, central]) => {
          // k picks an odd multiple of 2^-53 below 2^-20 (log-uniform over its 32 bits), or a central draw.
          const u = central ? onGrid(0.075 + 0.425 * (k / 2 ** 32)) : onGrid(2 ** -20 * 2 ** (-33 * (k / 2 ** 32)));
          return mirror ? 1 - u : u;
        });
        if (xs.length % 2) xs.push(0.5);
        const us = Float64Array.from(xs);
        return mismatches(us, vectorNormals(us)).length === 0;
      }),
      { seed, numRuns: 300 },
    );
  });

  it('the diagnostic refuses an odd length, misaligned buffers and an unknown function (status 1, nothing written)', () => {
    const base = (raw.heapBase() + 15) & ~15;
    const f = new Float64Array(raw.memory.buffer);
    f[(base >>> 3) + 64] = 42;
    expect(raw.drawNormalsBatch(0, 3, base, base + 512)).toBe(1);
    expect(raw.drawNormalsBatch(0, 2, base + 8, base + 512)).toBe(1);
    expect(raw.drawNormalsBatch(1, 2, base, base + 512)).toBe(1);
    expect(raw.drawNormalsBatch(0, -2, base, base + 512)).toBe(1);
    expect(new Float64Array(raw.memory.buffer)[(base >>> 3) + 64]).toBe(42);
  });
});
