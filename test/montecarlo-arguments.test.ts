// Malformed calls of the Monte Carlo free functions (closed forms, correlation helpers, the shard
// seam, the Philox draws): each throws an InputError naming the argument, never a TypeError /
// RangeError, never hangs on a fake array such as `{ length: Infinity }`, and never mutates what
// it was given. Out-of-domain numbers give NaN, as the TSDoc says. The shard functions run over
// both backends. These are the regressions the shape fuzz (test/fuzz/shape-fuzz.mjs) found.
import { describe, expect, it } from 'vitest';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import {
  ACCUMULATOR_SIZE, barrierPrice, bsmDigitalPrice, bsmPrice, checkCorrelationMatrix, choleskySemidefinite, createMonteCarloJob,
  defaultImportanceShift, geometricAsianPrice, geometricBasketPrice, MAX_MATRIX_SIZE, margrabePrice, mergeShards, mertonPrice,
  monteCarloShard, nearestCorrelationMatrix, philoxNormals, philoxUniforms, ShardMerger, shardRange, symmetricEigen,
  type BarrierPriceArgs, type MonteCarloArgs, type MonteCarloJob,
} from '../src/index.js';

/** Call a function with arguments its type does not allow (what a JavaScript caller can do). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const loose = <F extends (...a: any[]) => unknown>(f: F) => f as unknown as (...a: unknown[]) => unknown;

describe('closed forms: arguments', () => {
  it('a non-number is an InputError naming the argument', () => {
    expectInputError(() => loose(bsmPrice)('100', 100, 1, 0.05, 0, 0.2, 'call'), 'spot');
    expectInputError(() => loose(bsmPrice)(100, 100, 1, 0.05, 0, {}, 'call'), 'vol');
    expectInputError(() => loose(bsmDigitalPrice)(100, 100, 1, Symbol('r'), 0, 0.2, 'call'), 'rate');
    expectInputError(() => loose(bsmDigitalPrice)(100, 100, 1, 0.05, 0, 0.2, 'call', '1'), 'cash');
    expectInputError(() => loose(geometricAsianPrice)(100, 100, 1, 0.05, 0, 0.2, 'call', {}), 'n');
    expectInputError(() => loose(mertonPrice)(100, 100, 1, 0.05, 0, 0.2, [1], 0, 0.1, 'call'), 'lambda');
    expectInputError(() => loose(margrabePrice)(100, 100, 1, 0, 0, 0.2, 0.3, '0.5'), 'correlation');
    expectInputError(() => loose(margrabePrice)(), 'spot1');
  });

  it("a type other than 'call' or 'put' is an InputError (it used to price a put)", () => {
    expectInputError(() => loose(bsmPrice)(100, 100, 1, 0.05, 0, 0.2, 'Call'), 'type');
    expectInputError(() => loose(bsmDigitalPrice)(100, 100, 1, 0.05, 0, 0.2, undefined), 'type');
    expectInputError(() => loose(geometricAsianPrice)(100, 100, 1, 0.05, 0, 0.2, 'c', 12), 'type');
    expectInputError(() => loose(mertonPrice)(100, 100, 1, 0.05, 0, 0.2, 1, 0, 0.1, 'CALL'), 'type');
  });

  it('numbers out of the documented domain give NaN, not an error; edges of the domain stay finite', () => {
    expect(bsmPrice(100, 100, 1, 0.05, 0, -0.2, 'call')).toBeNaN();
    expect(bsmPrice(-100, 100, 1, 0.05, 0, 0.2, 'put')).toBeNaN();
    expect(bsmDigitalPrice(100, 100, -1, 0.05, 0, 0.2, 'call')).toBeNaN();
    expect(geometricAsianPrice(100, 100, 1, 0.05, 0, 0.2, 'call', 0)).toBeNaN();
    expect(geometricAsianPrice(100, 100, 1, 0.05, 0, 0.2, 'call', 2.5)).toBeNaN();
    expect(mertonPrice(100, 100, 1, 0.05, 0, 0.2, -1, 0, 0.1, 'call')).toBeNaN();
    expect(margrabePrice(100, 100, 1, 0, 0, 0.2, 0.3, 1.5)).toBeNaN();
    // Vol 0: the discounted intrinsic value (e^{-0.05} (100 e^{0.05} - 90) = 100 - 90 e^{-0.05}).
    expect(bsmPrice(100, 90, 1, 0.05, 0, 0, 'call')).toBeCloseTo(100 - 90 * Math.exp(-0.05), 12);
    // Expiry 0 of the jump series: the intrinsic value (it divided by the expiry: NaN).
    expect(mertonPrice(110, 100, 0, 0.05, 0, 0.2, 1, -0.1, 0.2, 'call')).toBe(10);
  });

  const haug: BarrierPriceArgs = {
    spot: 100, strike: 90, barrier: 95, expiry: 0.5, rate: 0.08, dividendYield: 0.04, vol: 0.25, type: 'call', direction: 'down', knock: 'out',
    rebate: 3, rebateTiming: 'hit',
  };

  it('barrierPrice: a missing or malformed args object, field or option key is an InputError', () => {
    expectInputError(() => loose(barrierPrice)(), 'args');
    expectInputError(() => loose(barrierPrice)([haug]), 'args');
    expectInputError(() => barrierPrice({ ...haug, spot: '100' } as unknown as BarrierPriceArgs), 'spot');
    expectInputError(() => barrierPrice({ ...haug, direction: undefined } as unknown as BarrierPriceArgs), 'direction');
    expectInputError(() => barrierPrice({ ...haug, knock: 'knockOut' } as unknown as BarrierPriceArgs), 'knock');
    expectInputError(() => barrierPrice({ ...haug, rebate: null } as unknown as BarrierPriceArgs), 'rebate');
    expectInputError(() => barrierPrice({ ...haug, rebateTiming: 'now' } as unknown as BarrierPriceArgs), 'rebateTiming');
    const e = expectInputError(() => barrierPrice({ ...haug, dividendYields: 0.04 } as unknown as BarrierPriceArgs), 'dividendYields');
    expect(e.suggestion).toBe('dividendYield');
    // Haug's table value (p. 154, 9.0246 to 4 decimals) is unchanged by the checks.
    expect(barrierPrice(haug)).toBeCloseTo(9.0246, 4);
    expect(barrierPrice({ ...haug, barrier: -1 })).toBeNaN();
    expect(barrierPrice({ ...haug, vol: 0 })).toBeNaN();
  });

  it('geometricBasketPrice: fake arrays, ragged and non-square correlations are InputErrors (no hang)', () => {
    const args = (patch: Record<number, unknown>): unknown[] => {
      const a: unknown[] = [[100, 90], [0.5, 0.5], 1, 0.05, [0, 0], [0.2, 0.3], [[1, 0.4], [0.4, 1]], 95, 'call'];
      for (const [i, v] of Object.entries(patch)) a[Number(i)] = v;
      return a;
    };
    const f = loose(geometricBasketPrice);
    expect(Number.isFinite(f(...args({})))).toBe(true);
    expectInputError(() => f(...args({ 0: { length: Infinity } })), 'spots.length');
    expectInputError(() => f(...args({ 0: { length: 1e10 } })), 'spots.length');
    expectInputError(() => f(...args({ 0: [] })), 'spots.length');
    expectInputError(() => f(...args({ 1: [0.5] })), 'weights.length');
    expectInputError(() => f(...args({ 5: [0.2, '0.3'] })), 'vols[1]');
    expectInputError(() => f(...args({ 6: [[1, 0.4], [0.4]] })), 'correlation[1]');
    expectInputError(() => f(...args({ 6: [[1, 0.4, 0], [0.4, 1, 0], [0, 0, 1]] })), 'correlation');
    expectInputError(() => f(...args({ 6: undefined })), 'correlation');
    expectInputError(() => f(...args({ 7: null })), 'strike');
    expectInputError(() => f(...args({ 8: 'straddle' })), 'type');
    // Flat row-major correlation is the same matrix as rows.
    expect(f(...args({ 6: [1, 0.4, 0.4, 1] }))).toBe(f(...args({})));
    expect(f(...args({ 1: [0.5, -0.5] }))).toBeNaN();
  });
});

describe('correlation helpers: arguments', () => {
  const I2 = [1, 0, 0, 1];

  it('symmetricEigen and choleskySemidefinite check the order, the matrix and the tolerance', () => {
    expectInputError(() => loose(symmetricEigen)(), 'n');
    expectInputError(() => loose(symmetricEigen)(I2, {}), 'n');
    expectInputError(() => loose(symmetricEigen)(I2, MAX_MATRIX_SIZE + 1), 'n');
    expectInputError(() => loose(symmetricEigen)({ length: 1e10 }, 2), 'matrix.length');
    expectInputError(() => loose(symmetricEigen)([1, 0, 0], 2), 'matrix.length');
    expectInputError(() => loose(symmetricEigen)([1, 0, {}, 1], 2), 'matrix[2]');
    expectInputError(() => loose(choleskySemidefinite)(I2, 1e10), 'n');
    expectInputError(() => loose(choleskySemidefinite)(I2, 2, -1), 'tol');
    expectInputError(() => loose(choleskySemidefinite)(I2, 2, '1e-12'), 'tol');
    expectInputError(() => loose(choleskySemidefinite)(new BigInt64Array(4), 2), 'matrix');
    expect(Array.from(symmetricEigen(I2, 2).values)).toEqual([1, 1]);
    expect(choleskySemidefinite([4, 2, 2, 5], 2)).toMatchObject({ ok: true, rank: 2 });
    // A NaN entry is data, not a malformed call: not PSD.
    expect(choleskySemidefinite([1, NaN, NaN, 1], 2).ok).toBe(false);
  });

  it('checkCorrelationMatrix checks n and path, and bounds the size', () => {
    expectInputError(() => loose(checkCorrelationMatrix)([[1, 0], [0, 1]], {}, 'c'), 'n');
    expectInputError(() => loose(checkCorrelationMatrix)([[1, 0], [0, 1]], 2, Symbol('p')), 'path');
    expectInputError(() => loose(checkCorrelationMatrix)({ length: Infinity }, 2, 'c'), 'c');
    expectInputError(() => checkCorrelationMatrix([[1, 0.2], [0.3, 1]], 2, 'c'), 'c[1][0]');
    // Rows as typed arrays are rows (the path names row and column).
    expectInputError(() => checkCorrelationMatrix([Float64Array.of(1, 2), Float64Array.of(2, 1)], 2, 'c'), 'c[0][1]');
    expect(Array.from(checkCorrelationMatrix([[1, 0.5], [0.5, 1]], 2))).toEqual([1, 0.5, 0.5, 1]);
  });

  it('nearestCorrelationMatrix: unknown and malformed options, matrices above the size bound', () => {
    const a = [[2, -1], [-1, 2]];
    const e = expectInputError(() => nearestCorrelationMatrix(a, { tolerence: 1e-10 } as unknown as { tolerance: number }), 'options.tolerence');
    expect(e.suggestion).toBe('tolerance');
    expectInputError(() => loose(nearestCorrelationMatrix)(a, null), 'options');
    expectInputError(() => loose(nearestCorrelationMatrix)(a, { tolerance: '1e-10' }), 'options.tolerance');
    expectInputError(() => nearestCorrelationMatrix(a, { maxIterations: Infinity }), 'options.maxIterations');
    const big = Array.from({ length: MAX_MATRIX_SIZE + 1 }, () => [1]);
    expectInputError(() => nearestCorrelationMatrix(big), 'matrix.length');
    expect(nearestCorrelationMatrix(a).converged).toBe(true);
  });
});

describe('Philox draws: arguments', () => {
  it('count, stream, path, offset and ctx are checked before any draw', () => {
    expectInputError(() => loose(philoxNormals)(Symbol('n'), 1), 'n');
    expectInputError(() => philoxUniforms(1e10, 1), 'n');
    expectInputError(() => philoxUniforms(-1, 1), 'n');
    expectInputError(() => loose(philoxNormals)(4, 1, Symbol('s')), 'stream');
    expectInputError(() => philoxNormals(4, 1, -1), 'stream');
    expectInputError(() => philoxNormals(4, 1, 0, 2 ** 32), 'path');
    expectInputError(() => philoxNormals(4, 1, 0, 0, 2 ** 53), 'offset');
    expectInputError(() => philoxNormals(4, -1), 'seed');
    expectInputError(() => loose(philoxNormals)(4, 1, 0, 0, 0, {}), 'ctx');
    expect(philoxNormals(4, 1, 0, 0, 2 ** 53 - 4)).toHaveLength(4);
  });

  it.each(BACKENDS)('an engine as ctx gives the same draws as the private pure-JS context (%s)', async (backend) => {
    const engine = await engineFor(backend);
    expect(Array.from(philoxUniforms(9, 42, 3, 7, 5, engine))).toEqual(Array.from(philoxUniforms(9, 42, 3, 7, 5)));
  });
});

const base: MonteCarloArgs = {
  model: { kind: 'gbm', spot: 100, rate: 0.05, dividendYield: 0.01, vol: 0.2 },
  payoff: { kind: 'european', strike: 110, type: 'call' },
  expiry: 1, paths: 512, steps: 4, seed: 7, shardSize: 128, importanceSampling: true,
};

/** A deep copy through JSON (a job sent to another process). */
const viaJson = (job: MonteCarloJob): MonteCarloJob => JSON.parse(JSON.stringify(job)) as MonteCarloJob;

describe.each(BACKENDS)('shard seam: arguments (%s)', (backend) => {
  it('monteCarloShard checks the engine, the job and the shard index', async () => {
    const engine = await engineFor(backend);
    const job = createMonteCarloJob(base);
    expectInputError(() => loose(monteCarloShard)(engine), 'job');
    expectInputError(() => loose(monteCarloShard)(engine, [], 0), 'job');
    expectInputError(() => loose(monteCarloShard)(undefined, job, 0), 'engine');
    expectInputError(() => loose(monteCarloShard)({ kernels: {}, arena: {} }, job, 0), 'engine');
    expectInputError(() => monteCarloShard(engine, job, job.shardCount), 'shardIndex');
    expectInputError(() => monteCarloShard(engine, { ...viaJson(job), shardCount: 1e10 }, 0), 'job.shardCount');
    expectInputError(() => monteCarloShard(engine, { ...viaJson(job), steps: Infinity }, 0), 'job.steps');
    expectInputError(() => monteCarloShard(engine, { ...viaJson(job), params: job.params.slice(1) }, 0), 'job.params.length');
    const badExpiry = viaJson(job);
    badExpiry.params[4] = 1e300;
    expectInputError(() => monteCarloShard(engine, badExpiry, 0), 'job.params[4]');
    const noModel = viaJson(job) as Partial<MonteCarloJob>;
    delete noModel.model;
    expectInputError(() => monteCarloShard(engine, noModel as MonteCarloJob, 0), 'job.model');
  });

  it('a job sent through JSON runs the same shard, bit for bit; nothing passed in is mutated', async () => {
    const engine = await engineFor(backend);
    const job = createMonteCarloJob(base);
    const copy = viaJson(job);
    const before = JSON.stringify(copy);
    expect(Array.from(monteCarloShard(engine, copy, 2))).toEqual(Array.from(monteCarloShard(engine, job, 2)));
    expect(JSON.stringify(copy)).toBe(before);
  });

  it('mergeShards, ShardMerger and shardRange check the job, the accumulators and elapsedMs', async () => {
    const engine = await engineFor(backend);
    const job = createMonteCarloJob(base);
    const shards = Array.from({ length: job.shardCount }, (_, s) => monteCarloShard(engine, job, s));
    expectInputError(() => loose(mergeShards)(), 'job');
    expectInputError(() => loose(mergeShards)({ ...viaJson(job), rng: 'mersenne' }, shards), 'job.rng');
    expectInputError(() => loose(mergeShards)(job, { length: Infinity }), 'shards');
    expectInputError(() => loose(mergeShards)(job, shards, '0'), 'elapsedMs');
    expectInputError(() => loose(mergeShards)(job, [{}, ...shards.slice(1)]), 'shards[0]');
    const fake = { length: ACCUMULATOR_SIZE };
    expectInputError(() => loose(mergeShards)(job, [fake, ...shards.slice(1)]), 'shards[0][0]');
    expectInputError(() => loose(shardRange)(undefined, 0), 'job');
    expectInputError(() => loose(shardRange)({ ...viaJson(job), shardsPerReplication: 0 }, 0), 'job.shardsPerReplication');
    expectInputError(() => new (ShardMerger as unknown as new (...a: unknown[]) => ShardMerger)(), 'job');
    const merger = new ShardMerger(viaJson(job));
    expectInputError(() => loose(merger.add.bind(merger))(0, null), 'shards[0]');
    shards.forEach((a, s) => merger.add(s, a));
    expectInputError(() => loose(merger.result.bind(merger))({}), 'elapsedMs');
    expect(merger.result().price).toBe(mergeShards(job, shards).price);
  });

  it('defaultImportanceShift checks its arguments and gives the job its shift', async () => {
    await engineFor(backend);
    const job = createMonteCarloJob(base);
    expect(defaultImportanceShift(job.model, job.payoff, job.expiry, job.steps)).toBe(job.isShift);
    expectInputError(() => loose(defaultImportanceShift)(), 'm');
    expectInputError(() => loose(defaultImportanceShift)({ kind: 'gbm' }, job.payoff, 1, 4), 'm.spot');
    expectInputError(() => loose(defaultImportanceShift)({ ...job.model, kind: 'sabr' }, job.payoff, 1, 4), 'm.kind');
    expectInputError(() => loose(defaultImportanceShift)(job.model, { kind: 'european' }, 1, 4), 'p.strike');
    expectInputError(() => loose(defaultImportanceShift)(job.model, job.payoff, '1', 4), 'expiry');
    expectInputError(() => loose(defaultImportanceShift)(job.model, job.payoff, 1, 0), 'steps');
  });
});
