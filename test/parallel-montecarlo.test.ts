// Monte Carlo on the worker pool (Node and Chromium): the registered 'monteCarlo' task with the
// shard-order merge gives the in-thread driver's result bit for bit, for any worker count, for
// pseudo-random and Sobol jobs; abort and progress go through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, monteCarlo, type Engine, type MonteCarloArgs, type MonteCarloResult } from '../src/index.js';
import { AbortedError, closeSharedPools, monteCarloParallel } from '../src/parallel/index.js';
import { BACKENDS, engineFor } from './backends.js';

const gbm = { kind: 'gbm', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.25 } as const;
const heston = { kind: 'heston', spot: 100, rate: 0.02, v0: 0.04, kappa: 1.5, theta: 0.05, sigma: 0.6, rho: -0.7 } as const;

const CASES: [string, MonteCarloArgs][] = [
  ['GBM European call, greeks, control variate', {
    model: gbm, payoff: { kind: 'european', strike: 105, type: 'call' }, expiry: 1, paths: 20_000, steps: 16, seed: 7,
    shardSize: 2048, greeks: true, controlVariate: 'underlying',
  }],
  ['Heston QE down-and-out barrier, antithetic', {
    model: heston, payoff: { kind: 'barrier', strike: 100, type: 'call', barrier: 80, direction: 'down', knock: 'out' },
    expiry: 0.5, paths: 12_000, steps: 24, seed: 11, antithetic: true, shardSize: 1000,
  }],
  ['GBM Asian, Sobol (Owen) replications', {
    model: gbm, payoff: { kind: 'asian', strike: 100, type: 'put', averaging: 'arithmetic' }, expiry: 1, paths: 4096, steps: 12, seed: 3,
    rng: 'sobol', qmc: { replications: 4, scramble: 'owen' }, shardSize: 512,
  }],
];

/** The result without the fields that legitimately differ (time, workers used). */
function comparable(r: MonteCarloResult): unknown {
  const { elapsedMs: _t, details, ...rest } = r;
  const { workers: _w, workersUsed: _u, ...d } = details;
  return { ...rest, details: d };
}

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
});
afterAll(async () => {
  await closeSharedPools();
});

describe.each(BACKENDS)('monteCarloParallel determinism (%s engine, workers on the same backend)', (backend) => {
  it.each(CASES)('%s: identical to monteCarlo for 1, 2 and 3 workers', async (_name, args) => {
    const e = await engineFor(backend);
    const ref = await monteCarlo(e, args);
    for (const workers of [1, 2, 3]) {
      const r = await monteCarloParallel(e, { ...args, workers });
      expect(comparable(r), `${workers} workers`).toEqual(comparable(ref));
      expect(Object.is(r.price, ref.price) && Object.is(r.stdErr, ref.stdErr)).toBe(true);
      expect(r.details.workersUsed).toBe(Math.min(workers, ref.details.shards));
    }
  });
});

describe('monteCarloParallel', () => {

  it('progress reaches 1; abort rejects with AbortedError', async () => {
    const args = CASES[0]![1];
    const seen: number[] = [];
    await monteCarloParallel(engine, { ...args, workers: 2, onProgress: (f) => seen.push(f) });
    expect(seen.at(-1)).toBe(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const ac = new AbortController();
    const running = monteCarloParallel(engine, { ...args, paths: 400_000, steps: 252, workers: 2, signal: ac.signal });
    setTimeout(() => ac.abort('enough'), 50);
    const err = await running.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(err).toMatchObject({ code: 'ABORTED', reason: 'enough' });
  });
});
