// The Monte Carlo facade: argument validation (InputError with the field path), no mutation,
// cancellation (AbortedError) and progress, the shard seam the worker pool will use (any
// assignment of shards to engines, merged in shard order, is bit-identical; the job survives
// JSON), simulatePaths (layout, memory cap, the same paths as monteCarlo), and the closed forms.
import { beforeAll, describe, expect, it } from 'vitest';
import haug from './fixtures/montecarlo-haug-barrier.json';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import {
  AbortedError, InputError, RiskwasmError, barrierPrice, bsmPrice, createEngine, createMonteCarloJob, geometricAsianPrice,
  mergeShards, monteCarloShard, ShardMerger, SIMULATE_PATHS_MAX_BYTES, type Engine, type MonteCarloArgs, type MonteCarloJob,
} from '../src/index.js';

const gbm = { kind: 'gbm', spot: 100, rate: 0.05, dividendYield: 0.01, vol: 0.3 } as const;
const base: MonteCarloArgs = { model: gbm, payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, paths: 10_000, steps: 4, seed: 123 };

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.values(o).forEach(deepFreeze);
    Object.freeze(o);
  }
  return o;
}


describe('Monte Carlo argument validation', () => {
  it.each([
    [{ paths: 1 }, 'paths'], [{ paths: 2.5 }, 'paths'], [{ steps: 0 }, 'steps'], [{ expiry: 0 }, 'expiry'], [{ seed: -1 }, 'seed'],
    [{ seed: 2 ** 53 }, 'seed'], [{ rng: 'mersenne' }, 'rng'], [{ antithetic: 'yes' }, 'antithetic'], [{ paths: 101, antithetic: true }, 'paths'], [{ paths: 2, antithetic: true }, 'paths'],
    [{ controlVariate: 'delta' }, 'controlVariate'], [{ controlVariate: 'geometricAsian' }, 'controlVariate'], [{ workers: 0 }, 'workers'],
    [{ shardSize: 1001 }, 'shardSize'], [{ importanceSampling: { shift: 'big' } }, 'importanceSampling.shift'], [{ greeks: 'all' }, 'greeks'],
    [{ model: { ...gbm, vol: -0.1 } }, 'model.vol'], [{ model: { ...gbm, spot: NaN } }, 'model.spot'], [{ model: { kind: 'sabr' } }, 'model.kind'],
    [{ model: { kind: 'multiGbm', spots: [1, 2], rate: 0, vols: [0.1, 0.2], correlation: [1, 0, 0, 1] } }, 'payoff.kind'], // a single-asset payoff on multiGbm
    [{ model: { kind: 'heston', spot: 100, rate: 0, v0: 0.04, kappa: 1, theta: 0.04, sigma: 0.5, rho: 1.5 } }, 'model.rho'],
    [{ model: { kind: 'heston', spot: 100, rate: 0, v0: 0.04, kappa: 1, theta: 0.04, sigma: 0.5, rho: 0, scheme: 'milstein' } }, 'model.scheme'],
    [{ model: { kind: 'merton', spot: 100, rate: 0, vol: 0.2, jumpIntensity: 1000, jumpMean: 0, jumpVol: 0.1 }, steps: 1 }, 'steps'],
    [{ payoff: { kind: 'lookback', strike: 1, type: 'call' } }, 'payoff.kind'], [{ payoff: { kind: 'european', strike: 100 } }, 'payoff.type'],
    [{ payoff: { kind: 'barrier', strike: 100, type: 'call', barrier: 90, direction: 'sideways', knock: 'out' } }, 'payoff.direction'],
    [{ payoff: { kind: 'barrier', strike: 100, type: 'call', barrier: 90, direction: 'down' } }, 'payoff.knock'],
    [{ payoff: { kind: 'asian', strike: 100, type: 'call' } }, 'payoff.averaging'],
    [{ greeks: { vega: true }, model: { kind: 'bates', spot: 100, rate: 0, v0: 0.04, kappa: 1, theta: 0.04, sigma: 0.5, rho: 0, jumpIntensity: 1, jumpMean: 0, jumpVol: 0.1 } }, 'greeks.vega'],
  ] as [Partial<Record<string, unknown>>, string][])('%o -> InputError at %s', (patch, path) => {
    expectInputError(() => createMonteCarloJob({ ...base, ...patch } as MonteCarloArgs), path);
  });

  it('seeds: bigint up to 2^64 - 1 splits into the two Philox key words', () => {
    const job = createMonteCarloJob({ ...base, seed: (1n << 64n) - 2n });
    expect([job.seedLo, job.seedHi]).toEqual([0xfffffffe, 0xffffffff]);
    expect(job.seed).toBe('18446744073709551614');
    expect(createMonteCarloJob({ ...base, seed: 2 ** 40 + 5 })).toMatchObject({ seedLo: 5, seedHi: 256 });
    expectInputError(() => createMonteCarloJob({ ...base, seed: 1n << 64n }), 'seed');
  });

  it('the job is plain data: a JSON round trip gives the same shards', async () => {
    const engine = await engineFor('js');
    const job = createMonteCarloJob({ ...base, greeks: true, controlVariate: 'underlying' });
    const copy = JSON.parse(JSON.stringify(job)) as MonteCarloJob;
    expect(Array.from(monteCarloShard(engine, copy, 1))).toEqual(Array.from(monteCarloShard(engine, job, 1)));
  });
});

describe.each(BACKENDS)('Monte Carlo facade (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('does not modify its arguments (deep-frozen input works) and reports what it did', () => {
    const args = deepFreeze({ ...base, greeks: true, antithetic: true, controlVariate: 'underlying' as const });
    const r = engine.monteCarloSync(args);
    expect(r.paths).toBe(10_000);
    expect(r.details).toMatchObject({
      model: 'gbm', payoff: 'european', rng: 'philox', seed: '123', steps: 4, dt: 0.25, shardSize: 4096, shards: 3, antithetic: true, samples: 5000,
    });
    expect(r.details.controlVariate!.beta).toBeGreaterThan(0);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('async monteCarlo with workers gives exactly the numbers of monteCarloSync in this thread', async () => {
    const a = await engine.monteCarlo({ ...base, workers: 4 });
    const b = engine.monteCarloSync(base);
    expect([a.price, a.stdErr]).toEqual([b.price, b.stdErr]);
    expect(a.details.workers).toBe(4);
    // The pool never starts more workers than there are shards.
    expect(a.details.workersUsed).toBe(Math.min(4, a.details.shards));
    expect(b.details.workersUsed).toBe(1);
  });

  it('onProgress reports each shard, ending at 1; an aborted signal throws AbortedError before the next shard', async () => {
    const seen: number[] = [];
    engine.monteCarloSync({ ...base, shardSize: 2000, onProgress: (f) => seen.push(f) });
    expect(seen).toEqual([0.2, 0.4, 0.6, 0.8, 1]);

    const pre = new AbortController();
    pre.abort('stop');
    await expect(engine.monteCarlo({ ...base, signal: pre.signal })).rejects.toBeInstanceOf(AbortedError);

    const ctl = new AbortController();
    let caught: unknown;
    try {
      await engine.monteCarlo({ ...base, shardSize: 1000, signal: ctl.signal, onProgress: (f) => f >= 0.3 && ctl.abort(new Error('user')) });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AbortedError);
    expect(caught).toBeInstanceOf(RiskwasmError);
    expect((caught as AbortedError).name).toBe('AbortError');
    expect((caught as AbortedError).code).toBe('ABORTED');
    expect((caught as AbortedError).shardsDone).toBe(3);
    expect(((caught as AbortedError).reason as Error).message).toBe('user');
    expect(() => engine.monteCarloSync({ ...base, signal: pre.signal })).toThrow(AbortedError);
    expectInputError(() => engine.monteCarloSync({ ...base, onProgress: 5 as unknown as () => void }), 'onProgress');
  });

  it('shard seam: shards run in any order on different engines, merged in shard order, are bit-identical to monteCarlo', async () => {
    const args: MonteCarloArgs = { ...base, paths: 20_000, shardSize: 2048, greeks: true, antithetic: true, controlVariate: 'underlying' };
    const job = createMonteCarloJob(args);
    const other = await createEngine({ backend });
    const accs: Float64Array[] = new Array(job.shardCount);
    for (let s = job.shardCount - 1; s >= 0; s--) accs[s] = monteCarloShard(s % 2 ? engine : other, job, s);
    const merged = mergeShards(job, accs);
    const direct = engine.monteCarloSync(args);
    expect([merged.price, merged.stdErr, merged.greeks!.delta!.value, merged.greeks!.vega!.stdErr]).toEqual(
      [direct.price, direct.stdErr, direct.greeks!.delta!.value, direct.greeks!.vega!.stdErr]);
    // The incremental merger accepts shards in completion order (here reversed) with the same bits.
    const merger = new ShardMerger(job);
    for (let s = job.shardCount - 1; s >= 0; s--) merger.add(s, accs[s]!);
    expect(merger.result().price).toBe(direct.price);
    expectInputError(() => merger.add(0, accs[0]!), 'shardIndex');
    expectInputError(() => new ShardMerger(job).result(), 'shards');
    expectInputError(() => mergeShards(job, accs.slice(1)), 'shards');
    expectInputError(() => mergeShards(job, [...accs.slice(0, -1), new Float64Array(3)]), `shards[${job.shardCount - 1}]`);
    expectInputError(() => monteCarloShard(engine, job, job.shardCount), 'shardIndex');
  });

  it('the shard size is a constant of the job: other sizes agree to rounding (1e-13 relative), not bit for bit', () => {
    const a = engine.monteCarloSync({ ...base, paths: 30_000 });
    const b = engine.monteCarloSync({ ...base, paths: 30_000, shardSize: 1000 });
    expect(Math.abs(a.price - b.price)).toBeLessThan(1e-13 * a.price);
  });

  it('simulatePaths: row-major [paths][steps + 1], column 0 the spot, the same paths monteCarlo prices, firstPath offsets', () => {
    const paths = engine.simulatePaths({ model: gbm, expiry: 1, paths: 64, steps: 4, seed: 123 });
    expect(paths.length).toBe(64 * 5);
    for (let i = 0; i < 64; i++) expect(paths[i * 5]).toBe(100);
    // The European price from the terminal column equals monteCarlo's on the same seed.
    let sum = 0;
    for (let i = 0; i < 64; i++) sum += Math.max(paths[i * 5 + 4]! - 100, 0);
    const r = engine.monteCarloSync({ ...base, paths: 64 });
    expect(sum * Math.exp(-0.05) / 64).toBeCloseTo(r.price, 12);
    const tail = engine.simulatePaths({ model: gbm, expiry: 1, paths: 8, steps: 4, seed: 123, firstPath: 56 });
    expect(Array.from(tail)).toEqual(Array.from(paths.subarray(56 * 5)));
    // Antithetic pairs mirror each other's log increments around the drift.
    const anti = engine.simulatePaths({ model: gbm, expiry: 1, paths: 2, steps: 1, seed: 5, antithetic: true });
    const drift = (0.05 - 0.01 - 0.045) * 1;
    expect(Math.log(anti[1]! / 100) + Math.log(anti[3]! / 100)).toBeCloseTo(2 * drift, 12);
    // Heston paths stay positive; `out` is written in place.
    const out = new Float64Array(16 * 11);
    const h = engine.simulatePaths({ model: { kind: 'heston', spot: 50, rate: 0, v0: 0.09, kappa: 2, theta: 0.09, sigma: 1, rho: -0.7 }, expiry: 2, paths: 16, steps: 10, seed: 1, out });
    expect(h).toBe(out);
    expect(out.every((x) => x > 0)).toBe(true);
  });

  // Issue 11, item 11: simulatePaths honours signal and onProgress (checked between chunks of ~4 MiB).
  // 10 paths of 99,999 steps are 8 MB of output: several chunks whatever the exact chunk size.
  const long = { model: gbm, expiry: 1, paths: 10, steps: 99_999, seed: 9 } as const;

  it('simulatePaths onProgress: fractions in (0, 1], strictly increasing, the last exactly 1; one call for a one-chunk output; same paths as without it', () => {
    const seen: number[] = [];
    const withProgress = engine.simulatePaths({ ...long, onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[0]!).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    expect(seen.at(-1)).toBe(1);
    // Each fraction is a whole number of paths out of 10.
    for (const f of seen) expect(Number.isInteger(Math.round(f * 10)) && Math.abs(f * 10 - Math.round(f * 10)) < 1e-12).toBe(true);
    expect(Array.from(withProgress.subarray(0, 1000))).toEqual(Array.from(engine.simulatePaths(long).subarray(0, 1000)));
    const small: number[] = [];
    engine.simulatePaths({ model: gbm, expiry: 1, paths: 4, steps: 2, seed: 1, onProgress: (f) => small.push(f) });
    expect(small).toEqual([1]);
  });

  it('simulatePaths signal: an aborted signal throws AbortedError before any work; aborting from onProgress stops before the next chunk', () => {
    const pre = new AbortController();
    pre.abort('stop');
    const out = new Float64Array(4 * 3).fill(-1);
    let caught: unknown;
    try {
      engine.simulatePaths({ model: gbm, expiry: 1, paths: 4, steps: 2, seed: 1, out, signal: pre.signal });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AbortedError);
    expect(caught).toMatchObject({ code: 'ABORTED', name: 'AbortError', reason: 'stop', shardsDone: 0 });
    expect(out.every((x) => x === -1)).toBe(true);

    const ctl = new AbortController();
    const reason = new Error('user');
    const seen: number[] = [];
    const partial = new Float64Array(long.paths * (long.steps + 1)).fill(-1);
    caught = undefined;
    try {
      engine.simulatePaths({ ...long, out: partial, signal: ctl.signal, onProgress: (f) => { seen.push(f); ctl.abort(reason); } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AbortedError);
    expect(caught).toBeInstanceOf(RiskwasmError);
    expect(caught).toMatchObject({ reason, shardsDone: 1 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!).toBeLessThan(1);
    // The first chunk's rows are written, the rest untouched.
    const row = long.steps + 1;
    const done = Math.round(seen[0]! * long.paths);
    expect(partial[0]).toBe(100);
    expect(partial[done * row - 1]).not.toBe(-1);
    expect(partial.subarray(done * row).every((x) => x === -1)).toBe(true);
  });

  it('simulatePaths: a malformed signal or onProgress is an InputError naming it', () => {
    expectInputError(() => engine.simulatePaths({ model: gbm, expiry: 1, paths: 4, steps: 2, seed: 1, signal: {} as AbortSignal }), 'signal');
    expectInputError(() => engine.simulatePaths({ model: gbm, expiry: 1, paths: 4, steps: 2, seed: 1, onProgress: 1 as unknown as () => void }), 'onProgress');
  });

  it(`simulatePaths refuses more than ${SIMULATE_PATHS_MAX_BYTES} bytes with an InputError naming paths`, () => {
    expectInputError(() => engine.simulatePaths({ model: gbm, expiry: 1, paths: 200_000, steps: 252, seed: 1 }), 'paths');
    expectInputError(() => engine.simulatePaths({ model: gbm, expiry: 1, paths: 4, steps: 2, seed: 1, out: new Float64Array(3) }), 'out');
  });
});

describe('closed forms', () => {
  it('Reiner-Rubinstein reproduces Haug (1998) p. 72, 72 rows, within 1e-4 (QuantLib tolerance)', () => {
    expect(haug.rows.length).toBe(72);
    for (const r of haug.rows) {
      const v = barrierPrice({
        spot: 100, strike: r.strike, barrier: r.barrier, expiry: 0.5, rate: 0.08, dividendYield: 0.04, vol: r.vol,
        type: r.type as 'call' | 'put', direction: r.direction as 'up' | 'down', knock: r.knock as 'in' | 'out', rebate: 3, rebateTiming: 'hit',
      });
      expect(Math.abs(v - r.expected), JSON.stringify(r)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('barrier in + out = vanilla + discounted rebate (rebate at expiry); geometric Asian with one date is Black-Scholes', () => {
    for (const [direction, H] of [['down', 90], ['up', 115]] as const) {
      for (const type of ['call', 'put'] as const) {
        const a = { spot: 100, strike: 100, barrier: H, expiry: 1, rate: 0.03, dividendYield: 0.01, vol: 0.2, type, direction, rebate: 2 };
        const sum = barrierPrice({ ...a, knock: 'in' }) + barrierPrice({ ...a, knock: 'out' });
        expect(sum).toBeCloseTo(bsmPrice(100, 100, 1, 0.03, 0.01, 0.2, type) + 2 * Math.exp(-0.03), 12);
      }
    }
    expect(geometricAsianPrice(100, 95, 0.7, 0.03, 0.01, 0.2, 'put', 1)).toBeCloseTo(bsmPrice(100, 95, 0.7, 0.03, 0.01, 0.2, 'put'), 13);
  });
});
