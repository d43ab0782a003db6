// Brownian-bridge path construction in both twins: a hand-computed case, the exact covariance of
// the linear map normals -> increments (fed unit vectors), the bridge property (normal 0 alone
// sets W(T)), a seeded statistical check of Cov(W(s), W(t)) = min(s, t) with Philox normals, and
// WASM/JS bit identity.
import { describe, expect, it } from 'vitest';
import { allocF64, caseRng, putF64, readF64, twins, type Twin } from './fixtures/random-twins.js';

/** Increments for rows of normals on the time grid (one kernel call), as a row-major array. */
function bridge(t: Twin, times: number[], normals: number[], normalise = 0): Float64Array {
  const steps = times.length;
  const nPaths = normals.length / steps;
  t.arena.reset();
  t.arena.reserve(8 * steps + 48 * steps + 16 * normals.length + 256);
  const pTimes = putF64(t, times);
  const pTable = allocF64(t, 6 * steps);
  expect(t.kernels.brownianBridgeInit(steps, pTimes, pTable)).toBe(0);
  const pZ = putF64(t, normals);
  const pOut = allocF64(t, normals.length);
  expect(t.kernels.brownianBridgeBatch(nPaths, steps, pTable, normalise, pZ, pOut)).toBe(0);
  return readF64(t, pOut, normals.length);
}

function cumsum(xs: ArrayLike<number>): number[] {
  let s = 0;
  return Array.from(xs, (x) => (s += x));
}

const GRIDS: [string, number[]][] = [
  ['1 step', [0.7]],
  ['2 steps', [0.5, 1]],
  ['3 steps, irregular', [0.5, 1.25, 3]],
  ['7 steps', [1, 2, 3, 4, 5, 6, 7].map((k) => k / 7)],
  ['16 steps (power of two)', Array.from({ length: 16 }, (_, k) => (k + 1) / 16)],
  ['100 steps, irregular', Array.from({ length: 100 }, (_, k) => ((k + 1) / 100) ** 1.5 * 2)],
];

describe.each(twins)('Brownian bridge ($name twin)', (t) => {
  it('hand-computed case: 4 unit steps, normals (1, 0.5, -1, 2)', () => {
    // Construction (QuantLib order): W(4) = 2 z0 = 2; W(2) = W(4)/2 + z1 = 1.5;
    // W(1) = W(2)/2 + sqrt(1/2) z2 = 0.75 - sqrt(1/2); W(3) = (W(2) + W(4))/2 + sqrt(1/2) z3 = 1.75 + sqrt(2).
    const w = [0.75 - Math.SQRT1_2, 1.5, 1.75 + Math.SQRT2, 2];
    const inc = bridge(t, [1, 2, 3, 4], [1, 0.5, -1, 2]);
    const path = cumsum(inc);
    path.forEach((x, i) => expect(Math.abs(x - w[i]!), `W(${i + 1})`).toBeLessThan(4 * 2 ** -52 * 4));
    // Normalised increments on a unit grid are the same numbers.
    expect(Array.from(bridge(t, [1, 2, 3, 4], [1, 0.5, -1, 2], 1))).toEqual(Array.from(inc));
  });

  it.each(GRIDS)('%s: the map normals -> increments A satisfies A A^T = diag(dt) (exact covariance, 1e-13)', (_, times) => {
    // Feed the identity matrix: row k of the output is A e_k, i.e. column k of A.
    const n = times.length;
    const eye = Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
    for (const normalise of [0, 1]) {
      const cols = bridge(t, times, eye, normalise);
      for (let a = 0; a < n; a++) {
        for (let b = 0; b <= a; b++) {
          let c = 0;
          for (let k = 0; k < n; k++) c += cols[k * n + a]! * cols[k * n + b]!;
          const dt = times[a]! - (a ? times[a - 1]! : 0);
          const want = a === b ? (normalise ? 1 : dt) : 0;
          expect(Math.abs(c - want), `cov(dW${a}, dW${b}) normalise=${normalise}`).toBeLessThan(1e-13 * Math.max(1, times[n - 1]!));
        }
      }
    }
  });

  it.each(GRIDS)('%s: normal 0 alone sets W(T) = sqrt(T) z0 and nothing else moves the end point', (_, times) => {
    const n = times.length;
    const T = times[n - 1]!;
    const z = new Array(n).fill(0);
    z[0] = 1.7;
    const path = cumsum(bridge(t, times, z));
    expect(Math.abs(path[n - 1]! - Math.sqrt(T) * 1.7)).toBeLessThan(1e-14 * n);
    // With z0 = 0 the path is pinned at W(T) = 0 whatever the other normals are.
    const r = caseRng(n);
    const z2 = Array.from({ length: n }, (_, k) => (k === 0 ? 0 : (r() / 2 ** 32 - 0.5) * 6));
    expect(Math.abs(cumsum(bridge(t, times, z2))[n - 1]!)).toBeLessThan(1e-13 * n);
  });

  it('2^15 Philox paths on an irregular 9-step grid: mean 0 and Cov(W(s), W(t)) = min(s, t) within 5 standard errors', () => {
    // se of a sample covariance of a bivariate normal: sqrt((var_s var_t + cov^2) / n).
    const times = [0.1, 0.25, 0.3, 0.5, 0.8, 1, 1.5, 1.6, 2.5];
    const steps = times.length, nPaths = 1 << 15;
    t.arena.reset();
    t.arena.reserve(16 * nPaths * steps + 64 * steps + 256);
    const pTimes = putF64(t, times);
    const pTable = allocF64(t, 6 * steps);
    const pZ = allocF64(t, nPaths * steps);
    const pOut = allocF64(t, nPaths * steps);
    expect(t.kernels.brownianBridgeInit(steps, pTimes, pTable)).toBe(0);
    expect(t.kernels.philoxNormalPaths(nPaths, steps, 2024, 0, 5, 0, 0, pZ)).toBe(0);
    expect(t.kernels.brownianBridgeBatch(nPaths, steps, pTable, 0, pZ, pOut)).toBe(0);
    const inc = readF64(t, pOut, nPaths * steps);
    const sum = new Float64Array(steps), cross = new Float64Array(steps * steps);
    const w = new Float64Array(steps);
    for (let p = 0; p < nPaths; p++) {
      let acc = 0;
      for (let i = 0; i < steps; i++) w[i] = acc += inc[p * steps + i]!;
      for (let i = 0; i < steps; i++) {
        sum[i]! += w[i]!;
        for (let j = 0; j <= i; j++) cross[i * steps + j]! += w[i]! * w[j]!;
      }
    }
    for (let i = 0; i < steps; i++) {
      expect(Math.abs(sum[i]! / nPaths), `mean W(${times[i]})`).toBeLessThan(5 * Math.sqrt(times[i]! / nPaths));
      for (let j = 0; j <= i; j++) {
        const c = cross[i * steps + j]! / nPaths - (sum[i]! / nPaths) * (sum[j]! / nPaths);
        const want = Math.min(times[i]!, times[j]!);
        const se = Math.sqrt((times[i]! * times[j]! + want * want) / nPaths);
        expect(Math.abs(c - want), `cov(W(${times[i]}), W(${times[j]}))`).toBeLessThan(5 * se);
      }
    }
  });

  it('rejects bad grids and counts with status 1', () => {
    t.arena.reset();
    const pTable = allocF64(t, 6 * 4);
    const before = Array.from(readF64(t, pTable, 24));
    for (const times of [[0, 1, 2, 3], [1, 1, 2, 3], [1, 2, Number.NaN, 3], [1, 2, 3, Infinity], [-1, 0.5, 1, 2]]) {
      expect(t.kernels.brownianBridgeInit(4, putF64(t, times), pTable), `times ${times}`).toBe(1);
    }
    expect(t.kernels.brownianBridgeInit(0, putF64(t, [1]), pTable)).toBe(1);
    expect(Array.from(readF64(t, pTable, 24))).toEqual(before);
    expect(t.kernels.brownianBridgeBatch(-1, 4, pTable, 0, pTable, pTable)).toBe(1);
    expect(t.kernels.brownianBridgeBatch(1, 0, pTable, 0, pTable, pTable)).toBe(1);
  });
});

describe('Brownian bridge WASM and JS twins are bit-identical', () => {
  it('on 40 seeded random grids (1..300 steps) and normals', () => {
    const [wasm, js] = twins as [Twin, Twin];
    const r = caseRng(1234);
    for (let c = 0; c < 40; c++) {
      const steps = 1 + (r() % 300);
      let acc = 0;
      const times = Array.from({ length: steps }, () => (acc += (r() + 1) / 2 ** 32));
      const z = Array.from({ length: 3 * steps }, () => (r() / 2 ** 32 - 0.5) * 8);
      for (const normalise of [0, 1]) {
        expect(Array.from(bridge(wasm, times, z, normalise)), `case ${c}`).toEqual(Array.from(bridge(js, times, z, normalise)));
      }
    }
  });
});
