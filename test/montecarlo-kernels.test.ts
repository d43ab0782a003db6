// The Monte Carlo shard kernel at pointer level: the AS and JS layouts agree, the inline Philox
// draws are the RNG kernels' stream (bit for bit), a shard split into several calls adds up to the
// same bits, malformed calls return 1, and the two backends give the same bits (both step with the
// shared exp/log of math/elementary.ts; with the engines' own libms they differed by up to 4.6e-16).
import { beforeAll, describe, expect, it } from 'vitest';
import asLayout from '../assembly/montecarlo/layout.ts?raw';
import * as L from '../src/kernels/montecarlo/layout.js';
import { BACKENDS, engineFor } from './backends.js';
import { createMonteCarloJob, monteCarloShard, type Engine, type MonteCarloArgs } from '../src/index.js';

const heston = { kind: 'heston', spot: 100, rate: 0.01, dividendYield: 0.02, v0: 0.04, kappa: 4, theta: 0.25, sigma: 1, rho: -0.5 } as const;
const MODELS: Record<string, MonteCarloArgs['model']> = {
  gbm: { kind: 'gbm', spot: 100, rate: 0.05, dividendYield: 0.01, vol: 0.3 },
  qe: heston,
  // Feller ratio 2 kappa theta / sigma^2 = 0.5: WASM's quadratic-first kernels (16-path block) with
  // the exponential branch taken (psi reaches 1 / 0.5 = 2 > 1.5); the Lewis model above never takes it.
  qeMid: { kind: 'heston', spot: 100, rate: 0.01, dividendYield: 0.02, v0: 0.01, kappa: 1, theta: 0.04, sigma: 0.4, rho: -0.7 },
  euler: { ...heston, scheme: 'euler' },
  merton: { kind: 'merton', spot: 100, rate: 0.05, dividendYield: 0.01, vol: 0.2, jumpIntensity: 2, jumpMean: -0.1, jumpVol: 0.15 },
  bates: { ...heston, kind: 'bates', jumpIntensity: 2, jumpMean: -0.1, jumpVol: 0.15 },
};
const PAYOFFS: MonteCarloArgs['payoff'][] = [
  { kind: 'european', strike: 100, type: 'call' },
  { kind: 'digital', strike: 105, type: 'put' },
  { kind: 'barrier', strike: 100, type: 'call', barrier: 85, direction: 'down', knock: 'out' },
  { kind: 'barrier', strike: 100, type: 'put', barrier: 120, direction: 'up', knock: 'in', monitoring: 'discrete', rebate: 1 },
  { kind: 'asian', strike: 100, type: 'call', averaging: 'arithmetic' },
];

/** Run mcShard once per (start, count) piece into one accumulator; returns it. */
function runPieces(engine: Engine, params: number[], steps: number, pieces: [number, number][], drawMode = 0, draws?: Float64Array, rowLen = 0): Float64Array {
  const a = engine.arena;
  a.reset();
  a.reserve(4096 + (draws ? draws.length * 8 : 0));
  const pP = a.alloc(L.PARAMS_SIZE * 8);
  const pA = a.alloc(L.ACC_SIZE * 8);
  const pD = draws ? a.alloc(draws.length * 8) : 0;
  const v = a.views.f64;
  v.set(params, pP >>> 3);
  v.fill(0, pA >>> 3, (pA >>> 3) + L.ACC_SIZE);
  if (draws) v.set(draws, pD >>> 3);
  for (const [start, count] of pieces) {
    const rc = engine.kernels.mcShard(start, count, steps, 7, 3, 5, pP, drawMode, pD ? pD + (start - pieces[0]![0]) * rowLen * 8 : 0, pA, 0, 0);
    expect(rc).toBe(0);
  }
  return a.views.f64.slice(pA >>> 3, (pA >>> 3) + L.ACC_SIZE);
}

describe('Monte Carlo kernel layout', () => {
  it('assembly/montecarlo/layout.ts and src/kernels/montecarlo/layout.ts define the same constants', () => {
    const asConsts = Object.fromEntries([...asLayout.matchAll(/export const (\w+): i32 = (-?\d+);/g)].map((m) => [m[1], Number(m[2])]));
    const jsConsts = Object.fromEntries(Object.entries(L).filter(([, v]) => typeof v === 'number'));
    expect(Object.keys(asConsts).length).toBeGreaterThan(50);
    expect(jsConsts).toEqual(asConsts);
  });
});

describe.each(BACKENDS)('Monte Carlo shard kernel (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  // 6 steps: one chunk of draws; 131 and 150 steps: 131 and 300 draws, across the 256-draw chunks.
  it.each([['gbm', 6], ['euler', 6], ['gbm', 131], ['euler', 150]] as const)('inline Philox draws = inverseNormalCdfFast of philoxUniformBatch (same seed, stream, path): %s, %i steps, bit for bit', (name, steps) => {
    const job = createMonteCarloJob({ model: MODELS[name]!, payoff: PAYOFFS[4]!, expiry: 1, paths: 64, steps, seed: 1, greeks: { delta: true } });
    const dims = job.dims;
    // Normals for paths 0..63 from the RNG engineer's kernel (seed words 7, 3; stream 5), as a buffer.
    const normals = new Float64Array(64 * dims);
    const a = engine.arena;
    for (let p = 0; p < 64; p++) {
      a.reset();
      const pU = a.alloc(dims * 8);
      expect(engine.kernels.philoxUniformBatch(dims, 7, 3, 5, p, 0, pU)).toBe(0);
      const u = a.views.f64.subarray(pU >>> 3, (pU >>> 3) + dims);
      for (let j = 0; j < dims; j++) normals[p * dims + j] = engine.kernels.inverseNormalCdfFast(u[j]!);
    }
    const inline = runPieces(engine, job.params, steps, [[0, 64]]);
    const buffered = runPieces(engine, job.params, steps, [[0, 64]], L.DRAWS_NORMAL_BUFFER, normals, dims);
    expect(Array.from(buffered)).toEqual(Array.from(inline));
  });

  it('a shard split into several kernel calls accumulates the same bits (antithetic pairs included)', () => {
    // Merton with 100 steps: 300 draws per path, a step straddling the 256-draw chunk boundary.
    for (const [model, steps] of [['bates', 8], ['merton', 100]] as const) {
      for (const antithetic of [false, true]) {
        const job = createMonteCarloJob({ model: MODELS[model]!, payoff: PAYOFFS[2]!, expiry: 1, paths: 1000, steps, seed: 1, antithetic, greeks: { delta: true } });
        const whole = runPieces(engine, job.params, steps, [[100, 600]]);
        const split = runPieces(engine, job.params, steps, [[100, 2], [102, 298], [400, 300]]);
        expect(Array.from(split)).toEqual(Array.from(whole));
      }
    }
    // Heston QE on the pair path: the pieces put different paths into 16-path blocks and four-path
    // tails (a block's end handed to the four-path kernel), European and digital (the score sums),
    // plain, antithetic and importance-sampled.
    for (const payoff of [PAYOFFS[0]!, PAYOFFS[1]!]) {
      for (const extra of [{}, { antithetic: true }, { importanceSampling: { shift: 0.3 } }]) {
        const job = createMonteCarloJob({ model: MODELS.qeMid!, payoff, expiry: 1, paths: 1000, steps: 40, seed: 3, greeks: { delta: true }, ...extra });
        const whole = runPieces(engine, job.params, 40, [[100, 600]]);
        const split = runPieces(engine, job.params, 40, [[100, 2], [102, 298], [400, 300]]);
        expect(Array.from(split), `${payoff.kind} ${JSON.stringify(extra)}`).toEqual(Array.from(whole));
      }
    }
  });

  it('malformed calls return 1 and leave the accumulator untouched', () => {
    const job = createMonteCarloJob({ model: MODELS.gbm!, payoff: PAYOFFS[0]!, expiry: 1, paths: 10, steps: 4, seed: 1, antithetic: true });
    const a = engine.arena;
    a.reset();
    a.reserve(4096);
    const pP = a.alloc(L.PARAMS_SIZE * 8);
    const pA = a.alloc(L.ACC_SIZE * 8);
    const v = a.views.f64;
    v.set(job.params, pP >>> 3);
    v.fill(0, pA >>> 3, (pA >>> 3) + L.ACC_SIZE);
    const k = engine.kernels;
    expect(k.mcShard(0, -1, 4, 0, 0, 0, pP, 0, 0, pA, 0, 0)).toBe(1);
    expect(k.mcShard(0, 4, 0, 0, 0, 0, pP, 0, 0, pA, 0, 0)).toBe(1);
    expect(k.mcShard(1, 4, 4, 0, 0, 0, pP, 0, 0, pA, 0, 0)).toBe(1); // odd start with antithetic pairs
    expect(k.mcShard(0, 3, 4, 0, 0, 0, pP, 0, 0, pA, 0, 0)).toBe(1); // odd count with antithetic pairs
    expect(k.mcShard(0.5, 4, 4, 0, 0, 0, pP, 0, 0, pA, 0, 0)).toBe(1);
    expect(k.mcShard(4294967294, 4, 4, 0, 0, 0, pP, 0, 0, pA, 0, 0)).toBe(1);
    expect(k.mcShard(0, 4, 4, 0, 0, 0, pP, 4, 0, pA, 0, 0)).toBe(1);
    a.views.f64[(pP >>> 3) + L.P_MODEL] = 9;
    expect(k.mcShard(0, 4, 4, 0, 0, 0, pP, 0, 0, pA, 0, 0)).toBe(1);
    expect(Array.from(a.views.f64.subarray(pA >>> 3, (pA >>> 3) + L.ACC_SIZE)).every((x) => x === 0)).toBe(true);
  });
});

describe('Monte Carlo backends agree', () => {
  it('WASM and JS give the same bits across draw chunks (Merton, Heston QE: 300 and 400 draws per path)', async () => {
    const [wasm, js] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    for (const [model, steps] of [['merton', 100], ['qe', 200]] as const) {
      const job = createMonteCarloJob({ model: MODELS[model]!, payoff: PAYOFFS[0]!, expiry: 1, paths: 256, steps, seed: 5, shardSize: 256, greeks: { delta: true } });
      const a = monteCarloShard(wasm, job, 0);
      const b = monteCarloShard(js, job, 0);
      for (let i = 0; i < L.ACC_SIZE; i++) expect(Object.is(a[i], b[i]), `${model} acc[${i}]: wasm ${a[i]} js ${b[i]}`).toBe(true);
    }
  });

  it('WASM and JS shard accumulators are bit for bit the same for every model x payoff, plain and antithetic + IS', async () => {
    const [wasm, js] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    let differ = 0;
    let first = '';
    for (const model of Object.values(MODELS)) {
      for (const payoff of PAYOFFS) {
        for (const extra of [{}, { antithetic: true, importanceSampling: { shift: 0.2 } }]) {
          const job = createMonteCarloJob({ model, payoff, expiry: 1, paths: 1024, steps: 16, seed: 99, greeks: { delta: true }, controlVariate: 'underlying', ...extra });
          const a = monteCarloShard(wasm, job, 0);
          const b = monteCarloShard(js, job, 0);
          for (let i = 0; i < L.ACC_SIZE; i++) {
            if (Object.is(a[i], b[i])) continue;
            if (!differ++) first = `${model.kind} ${payoff.kind} acc[${i}]: wasm ${a[i]} js ${b[i]}`;
          }
        }
      }
    }
    expect(differ, first).toBe(0);
  });
});
