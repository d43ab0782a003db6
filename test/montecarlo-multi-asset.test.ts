// Correlated multi-asset GBM over both backends: the exchange option against Margrabe, the
// geometric basket against its closed form (Philox, antithetic, Sobol), the geometric-basket
// control on arithmetic baskets, best/worst-of with a zero strike through Margrabe, a one-asset
// model against the single-asset GBM engine bit for bit, the correlation of simulated log-returns,
// semi-definite (perfectly correlated) matrices, non-PSD matrices (InputError, or Higham repair),
// shard determinism, WASM = JS, and validation. Every Monte Carlo check is |MC - exact| < 3 stderr.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fixtures from './fixtures/nearest-correlation.json';
import * as L from '../src/kernels/montecarlo/layout.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import {
  createMonteCarloJob, geometricBasketPrice, InputError, margrabePrice, monteCarlo, monteCarloShard, ShardMerger, bsmPrice,
  type Engine, type MonteCarloArgs, type MonteCarloResult,
} from '../src/index.js';
import { closeSharedPools } from '../src/parallel/index.js';

const corr3 = [[1, 0.6, -0.3], [0.6, 1, 0.2], [-0.3, 0.2, 1]];
const three = {
  kind: 'multiGbm', spots: [100, 90, 110], vols: [0.25, 0.35, 0.2], dividendYields: [0.02, 0, 0.01], rate: 0.05, correlation: corr3,
} as const;
const two = { kind: 'multiGbm', spots: [100, 95], vols: [0.25, 0.3], dividendYields: [0.02, 0.01], rate: 0.05, correlation: [[1, 0.4], [0.4, 1]] } as const;
const m = two;
const margrabe = margrabePrice(m.spots[0], m.spots[1], 1, m.dividendYields[0], m.dividendYields[1], m.vols[0], m.vols[1], 0.4);
const weights = [0.4, 0.35, 0.25];

/** |estimate - reference| in standard errors. */
const z = (r: MonteCarloResult, ref: number): number => Math.abs(r.price - ref) / r.stdErr;

/**
 * A multi-asset job staged in the engine's heap for direct mcMultiAssetShard calls: params, a
 * zeroed accumulator, the asset block and 64 doubles of scratch (pointers into `engine.arena`).
 */
function stageShard(engine: Engine, job: { params: ArrayLike<number>; assetBlock: ArrayLike<number> }, bytes: number) {
  const a = engine.arena;
  a.reset();
  a.reserve(bytes);
  const pP = a.alloc(L.PARAMS_SIZE * 8);
  const pA = a.alloc(L.ACC_SIZE * 8);
  const pB = a.alloc(job.assetBlock.length * 8);
  const pS = a.alloc(64 * 8);
  // Views re-read after the last alloc (an alloc may grow the memory).
  const v = a.views.f64;
  v.set(job.params, pP >>> 3);
  v.fill(0, pA >>> 3, (pA >>> 3) + L.ACC_SIZE);
  v.set(job.assetBlock, pB >>> 3);
  return { a, pP, pA, pB, pS };
}


describe.each(BACKENDS)('Monte Carlo, correlated multi-asset GBM (%s)', (backend) => {
  let engine: Engine;
  const mc = (a: Partial<MonteCarloArgs>): MonteCarloResult =>
    engine.monteCarloSync({ model: three, expiry: 1, paths: 100_000, steps: 1, seed: 11, ...a } as MonteCarloArgs);
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('exchange option: within 3 se of Margrabe (plain and antithetic, 1 and 4 steps)', () => {
    for (const extra of [{ steps: 1 }, { steps: 4, antithetic: true, seed: 12 }]) {
      const r = mc({ model: two, payoff: { kind: 'exchange' }, paths: 200_000, ...extra });
      expect(z(r, margrabe)).toBeLessThan(3);
      expect(r.stdErr / margrabe).toBeLessThan(0.01);
      expect(r.details).toMatchObject({ model: 'multiGbm', payoff: 'exchange', assets: 2, correlationRepaired: false });
    }
    // The other way round, on assets [1, 0].
    const back = margrabePrice(95, 100, 1, 0.01, 0.02, 0.3, 0.25, 0.4);
    expect(z(mc({ model: two, payoff: { kind: 'exchange', assets: [1, 0] }, paths: 200_000, seed: 13 }), back)).toBeLessThan(3);
  });

  it.each(['call', 'put'] as const)('geometric basket %s: within 3 se of the closed form (Philox; antithetic; Sobol with the bridge over 3 steps x 3 assets)', (type) => {
    const payoff = { kind: 'geometricBasket', weights, strike: 100, type } as const;
    const ref = geometricBasketPrice(three.spots, weights, 1, three.rate, three.dividendYields, three.vols, corr3, 100, type);
    expect(z(mc({ payoff }), ref)).toBeLessThan(3);
    expect(z(mc({ payoff, antithetic: true, seed: 5 }), ref)).toBeLessThan(3);
    const q = mc({ payoff, rng: 'sobol', steps: 3, paths: 16 * 4096 });
    expect(q.details.samples).toBe(16);
    expect(z(q, ref)).toBeLessThan(3);
  });

  it('arithmetic basket with the geometric-basket control: agrees with plain MC, variance reduction factor > 10 (measured 115-118, control correlation 0.996)', () => {
    const payoff = { kind: 'basket', weights, strike: 100, type: 'call' } as const;
    const plain = mc({ payoff, seed: 21 });
    const cv = mc({ payoff, seed: 22, controlVariate: 'geometricBasket' });
    expect(Math.abs(cv.price - plain.price) / Math.hypot(cv.stdErr, plain.stdErr)).toBeLessThan(3);
    expect(cv.details.controlVariate!.kind).toBe('geometricBasket');
    expect(cv.details.controlVariate!.mean).toBe(geometricBasketPrice(three.spots, weights, 1, three.rate, three.dividendYields, three.vols, corr3, 100, 'call'));
    expect(cv.details.controlVariate!.varianceReductionFactor).toBeGreaterThan(10);
    expect((plain.stdErr / cv.stdErr) ** 2).toBeGreaterThan(10);
    // The arithmetic basket is worth more than the geometric one (AM-GM, same weights and strike).
    expect(cv.price).toBeGreaterThan(cv.details.controlVariate!.mean);
  });

  it('basket with the underlying control: E[X] = sum w S0 e^{-qT}; the sample mean of the control is within 3 se of it', () => {
    const payoff = { kind: 'basket', weights, strike: 95, type: 'put' } as const;
    const r = mc({ payoff, controlVariate: 'underlying', antithetic: true });
    const mean = weights.reduce((s, w, i) => s + w * three.spots[i]! * Math.exp(-three.dividendYields[i]! * 1), 0);
    expect(r.details.controlVariate!.mean).toBeCloseTo(mean, 12);
    expect(r.details.controlVariate!.varianceReductionFactor).toBeGreaterThan(1);
    // The control's sample mean: a zero-strike basket call on the same seed and draws pays the
    // discounted control itself, so its price is that sample mean and its stdErr the mean's.
    const control = mc({ payoff: { kind: 'basket', weights, strike: 0, type: 'call' }, antithetic: true });
    expect(Math.abs(control.price - mean)).toBeLessThan(3 * control.stdErr);
    expect(control.stdErr).toBeGreaterThan(0);
  });

  it('best-of and worst-of calls with a zero strike: S1 e^{-q1 T} + / S2 e^{-q2 T} - Margrabe(S2 for S1), within 3 se', () => {
    const m21 = margrabePrice(95, 100, 1, 0.01, 0.02, 0.3, 0.25, 0.4);
    const best = mc({ model: two, payoff: { kind: 'bestOf', strike: 0, type: 'call' }, seed: 31 });
    const worst = mc({ model: two, payoff: { kind: 'worstOf', strike: 0, type: 'call' }, seed: 32 });
    expect(z(best, 100 * Math.exp(-0.02) + m21)).toBeLessThan(3);
    expect(z(worst, 95 * Math.exp(-0.01) - m21)).toBeLessThan(3);
  });

  it('spread option with a zero strike is the exchange option (same paths: identical sums); a spread put is priced too', () => {
    const a = mc({ model: two, payoff: { kind: 'exchange' } });
    const b = mc({ model: two, payoff: { kind: 'spread', strike: 0, type: 'call' } });
    expect(b.price).toBe(a.price);
    expect(b.stdErr).toBe(a.stdErr);
    expect(mc({ model: two, payoff: { kind: 'spread', strike: 5, type: 'put' } }).price).toBeGreaterThan(0);
  });

  it('one-asset multiGbm = single-asset GBM bit for bit (Philox, antithetic + underlying control, 7 steps, Sobol + bridge)', () => {
    // The draw layout is the same (draw j = step for one asset), the factor is [1], and the kernel
    // does the same floating-point operations in the same order (x += drift + vol sqrt(dt) Z, the
    // basket 0 + 1 S_T = S_T), so price and stdErr are identical, not merely close.
    const gbm = { kind: 'gbm', spot: 100, rate: 0.05, dividendYield: 0.02, vol: 0.3 } as const;
    const one = { kind: 'multiGbm', spots: [100], rate: 0.05, dividendYields: [0.02], vols: [0.3], correlation: [[1]] } as const;
    const runs: Partial<MonteCarloArgs>[] = [
      { paths: 20_000 },
      { paths: 20_000, steps: 7, antithetic: true, controlVariate: 'underlying', shardSize: 1000 },
      { paths: 8 * 512, steps: 4, rng: 'sobol', qmc: { replications: 8 } },
    ];
    for (const extra of runs) {
      for (const type of ['call', 'put'] as const) {
        const single = mc({ model: gbm, payoff: { kind: 'european', strike: 105, type }, ...extra });
        const multi = mc({ model: one, payoff: { kind: 'basket', weights: [1], strike: 105, type }, ...extra });
        expect(multi.price).toBe(single.price);
        expect(multi.stdErr).toBe(single.stdErr);
        expect(multi.details.plainStdErr).toBe(single.details.plainStdErr);
      }
    }
    const r = mc({ model: one, payoff: { kind: 'basket', weights: [1], strike: 105, type: 'call' }, paths: 200_000, seed: 3 });
    expect(z(r, bsmPrice(100, 105, 1, 0.05, 0.02, 0.3, 'call'))).toBeLessThan(3);
  });

  it('correlation and vols of simulated log-returns match the input (|error| < 4 x the sampling sd (1 - rho^2)/sqrt(N))', () => {
    const paths = 20_000;
    const steps = 4;
    const expiry = 1;
    const out = engine.simulatePaths({ model: three, expiry, paths, steps, seed: 99 });
    expect(out.length).toBe(paths * (steps + 1) * 3);
    expect([out[0], out[1], out[2]]).toEqual([100, 90, 110]);
    // Pool the per-step log-returns of every path: N = paths x steps independent 3-vectors.
    const N = paths * steps;
    const sum = [0, 0, 0];
    const cross = Array.from({ length: 3 }, () => [0, 0, 0]);
    for (let p = 0; p < paths; p++) {
      for (let s = 0; s < steps; s++) {
        const at = (p * (steps + 1) + s) * 3;
        const r = [0, 1, 2].map((a) => Math.log(out[at + 3 + a]! / out[at + a]!));
        for (let a = 0; a < 3; a++) {
          sum[a] += r[a]!;
          for (let b = 0; b < 3; b++) cross[a]![b] += r[a]! * r[b]!;
        }
      }
    }
    const cov = (a: number, b: number): number => (cross[a]![b]! - (sum[a]! * sum[b]!) / N) / (N - 1);
    const dt = expiry / steps;
    for (let a = 0; a < 3; a++) {
      const vol = Math.sqrt(cov(a, a) / dt);
      expect(Math.abs(vol / three.vols[a]! - 1)).toBeLessThan(4 / Math.sqrt(2 * N));
      for (let b = a + 1; b < 3; b++) {
        const rho = cov(a, b) / Math.sqrt(cov(a, a) * cov(b, b));
        const target = corr3[a]![b]!;
        expect(Math.abs(rho - target)).toBeLessThan((4 * (1 - target * target)) / Math.sqrt(N));
      }
    }
  });

  it('semi-definite correlation: perfectly correlated twins give identical paths (exchange price exactly 0); rho = 1 with different vols matches Margrabe', () => {
    const twins = { kind: 'multiGbm', spots: [100, 100], vols: [0.3, 0.3], rate: 0.03, correlation: [[1, 1], [1, 1]] } as const;
    const r = mc({ model: twins, payoff: { kind: 'exchange' } });
    expect(r.price).toBe(0);
    expect(r.details.correlation!.rank).toBe(1);
    // Three assets, rank 2: assets 0 and 2 perfectly correlated, 1 partly.
    const model = { kind: 'multiGbm', spots: [100, 95, 90], vols: [0.2, 0.3, 0.35], rate: 0.03, correlation: [[1, 0.5, 1], [0.5, 1, 0.5], [1, 0.5, 1]] } as const;
    const ex = mc({ model, payoff: { kind: 'exchange', assets: [2, 0] }, paths: 200_000 });
    expect(ex.details.correlation!.rank).toBe(2);
    expect(z(ex, margrabePrice(90, 100, 1, 0, 0, 0.35, 0.2, 1))).toBeLessThan(3);
  });

  it('not PSD: InputError at model.correlation giving the smallest eigenvalue; the input is not modified', () => {
    const bad = fixtures.cases[2]!;
    const model = { ...three, correlation: bad.input.map((r) => r.slice()) };
    const e = expectInputError(() => mc({ model, payoff: { kind: 'bestOf', strike: 100, type: 'call' } }), 'model.correlation');
    expect(e.message).toContain(bad.inputSmallestEigenvalue.toPrecision(6));
    expect(model.correlation).toEqual(bad.input);
  });

  it('not PSD with repairCorrelation: the nearest correlation matrix (numpy/scipy reference to 1e-12) is simulated, and reported', () => {
    const bad = fixtures.cases[2]!;
    const input = bad.input.map((r) => r.slice());
    const payoff = { kind: 'geometricBasket', weights, strike: 100, type: 'call' } as const;
    const r = mc({ model: { ...three, correlation: input, repairCorrelation: true }, payoff });
    expect(input).toEqual(bad.input);
    expect(r.details.correlationRepaired).toBe(true);
    const c = r.details.correlation!;
    expect(c.repaired).toBe(true);
    expect(Math.abs(c.frobeniusDistance - bad.frobeniusDistance)).toBeLessThan(1e-12);
    expect(c.iterations).toBeGreaterThan(1);
    expect(c.smallestEigenvalue).toBeCloseTo(bad.inputSmallestEigenvalue, 12);
    expect(Math.max(...c.matrix.flat().map((x, i) => Math.abs(x - bad.nearest.flat()[i]!)))).toBeLessThan(1e-12); // measured 8.4e-14
    const ref = geometricBasketPrice(three.spots, weights, 1, three.rate, three.dividendYields, three.vols, c.matrix, 100, 'call');
    expect(z(r, ref)).toBeLessThan(3);
    // The same run with the repaired matrix given directly: the same price up to the matrix's rounding.
    const direct = mc({ model: { ...three, correlation: bad.nearest }, payoff });
    expect(Math.abs(direct.price / r.price - 1)).toBeLessThan(1e-12); // measured 1.9e-14
    // A PSD matrix with repairCorrelation is left alone.
    expect(mc({ model: { ...three, repairCorrelation: true }, payoff, paths: 1000 }).details.correlationRepaired).toBe(false);
  });

  it('determinism: shards merged in any order, and shards split into several kernel calls, give the same bits', () => {
    const args = { model: three, payoff: { kind: 'basket', weights, strike: 100, type: 'call' }, expiry: 1, paths: 10_000, steps: 3, seed: 4, shardSize: 2048, antithetic: true, controlVariate: 'geometricBasket' } as MonteCarloArgs;
    const inOrder = engine.monteCarloSync(args);
    const job = createMonteCarloJob(args);
    const merger = new ShardMerger(job);
    for (let s = job.shardCount - 1; s >= 0; s--) merger.add(s, monteCarloShard(engine, job, s));
    const shuffled = merger.result();
    expect(shuffled.price).toBe(inOrder.price);
    expect(shuffled.stdErr).toBe(inOrder.stdErr);
    // Pointer level: one call over [100, 700) = three calls over [100, 102), [102, 400), [400, 700).
    const run = (pieces: [number, number][]): number[] => {
      const { a, pP, pA, pB, pS } = stageShard(engine, job, 8192);
      for (const [start, count] of pieces) {
        expect(engine.kernels.mcMultiAssetShard(start, count, 3, 3, 7, 3, 5, pP, pB, 0, 0, pA, 0, 0, pS)).toBe(0);
      }
      return Array.from(a.views.f64.subarray(pA >>> 3, (pA >>> 3) + L.ACC_SIZE));
    };
    expect(run([[100, 2], [102, 298], [400, 300]])).toEqual(run([[100, 600]]));
  });

  it('malformed kernel calls return 1 and leave the accumulator untouched', () => {
    const job = createMonteCarloJob({ model: two, payoff: { kind: 'exchange' }, expiry: 1, paths: 10, steps: 2, seed: 1, antithetic: true });
    const { a, pP, pA, pB, pS } = stageShard(engine, job, 4096);
    const k = engine.kernels;
    const call = (start: number, count: number, steps: number, n: number, mode = 0): number => k.mcMultiAssetShard(start, count, steps, n, 0, 0, 0, pP, pB, mode, 0, pA, 0, 0, pS);
    expect(call(0, -2, 2, 2)).toBe(1);
    expect(call(0, 4, 0, 2)).toBe(1);
    expect(call(0, 4, 2, 0)).toBe(1);
    expect(call(0, 4, 2, 3)).toBe(1); // n differs from P_ASSETS
    expect(call(1, 4, 2, 2)).toBe(1); // odd start with antithetic pairs
    expect(call(0, 3, 2, 2)).toBe(1);
    expect(call(4294967294, 4, 2, 2)).toBe(1);
    expect(call(0, 4, 2, 2, 4)).toBe(1);
    a.views.f64[(pP >>> 3) + L.P_ASSET_SHORT] = 2; // spread asset out of range
    expect(call(0, 4, 2, 2)).toBe(1);
    a.views.f64[(pP >>> 3) + L.P_ASSET_SHORT] = 1;
    a.views.f64[(pP >>> 3) + L.P_MODEL] = L.MODEL_GBM;
    expect(call(0, 4, 2, 2)).toBe(1);
    expect(Array.from(a.views.f64.subarray(pA >>> 3, (pA >>> 3) + L.ACC_SIZE)).every((x) => x === 0)).toBe(true);
    // mcShard refuses the multi-asset model code.
    a.views.f64[(pP >>> 3) + L.P_MODEL] = L.MODEL_MULTI_GBM;
    expect(k.mcShard(0, 4, 2, 0, 0, 0, pP, 0, 0, pA, 0, 0)).toBe(1);
  });
});

describe('Monte Carlo multi-asset: backends agree', () => {
  it('WASM and JS shard accumulators agree to 1e-14 relative for every multi-asset payoff, plain and antithetic + control, Philox and Sobol', async () => {
    const [wasm, js] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    const payoffs: MonteCarloArgs['payoff'][] = [
      { kind: 'basket', weights: [0.5, -0.2, 0.7], strike: 60, type: 'call' }, { kind: 'geometricBasket', weights, strike: 100, type: 'put' },
      { kind: 'spread', strike: 5, type: 'call', assets: [2, 1] }, { kind: 'exchange' }, { kind: 'bestOf', strike: 110, type: 'call' },
      { kind: 'worstOf', strike: 90, type: 'put' },
    ];
    let worst = 0;
    let identical = 0;
    let total = 0;
    for (const payoff of payoffs) {
      for (const extra of [{}, { antithetic: true, controlVariate: 'underlying' }, { rng: 'sobol', qmc: { replications: 4 } }] as Partial<MonteCarloArgs>[]) {
        const job = createMonteCarloJob({ model: three, payoff, expiry: 1, paths: 4096, steps: 8, seed: 99, ...extra } as MonteCarloArgs);
        const a = monteCarloShard(wasm, job, 0);
        const b = monteCarloShard(js, job, 0);
        for (let i = 0; i < L.ACC_SIZE; i++) {
          total++;
          if (a[i] === b[i]) identical++;
          else worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(a[i]!), Math.abs(b[i]!)));
        }
      }
    }
    expect(worst).toBeLessThan(1e-14);
    expect(identical).toBeGreaterThan(total / 2);
  });
});

describe('Monte Carlo multi-asset on the worker pool', () => {
  afterAll(async () => {
    await closeSharedPools();
  });
  it('2 and 3 workers give the in-thread result bit for bit (the job, asset block included, is plain data)', async () => {
    const engine = await engineFor('wasm');
    const args = {
      model: { ...three, correlation: fixtures.cases[2]!.input, repairCorrelation: true }, payoff: { kind: 'basket', weights, strike: 100, type: 'call' },
      expiry: 1, paths: 12_000, steps: 5, seed: 8, shardSize: 2000, antithetic: true, controlVariate: 'geometricBasket',
    } as MonteCarloArgs;
    const ref = await monteCarlo(engine, args);
    for (const workers of [2, 3]) {
      const r = await monteCarlo(engine, { ...args, workers });
      expect(r.details.workersUsed).toBe(workers);
      expect(Object.is(r.price, ref.price) && Object.is(r.stdErr, ref.stdErr)).toBe(true);
      expect(r.details.correlation).toEqual(ref.details.correlation);
    }
  });
});

describe('Monte Carlo multi-asset validation', () => {
  const base = { model: three, payoff: { kind: 'bestOf', strike: 100, type: 'call' }, expiry: 1, paths: 1000, steps: 1, seed: 1 } as MonteCarloArgs;
  it.each([
    [{ model: { ...three, vols: [0.2, 0.3] } }, 'model.vols'], [{ model: { ...three, spots: [100, -1, 3] } }, 'model.spots[1]'],
    [{ model: { ...three, spots: [] } }, 'model.spots'], [{ model: { ...three, dividendYields: [0, 0, NaN] } }, 'model.dividendYields[2]'],
    [{ model: { ...three, correlation: [[1, 0.2], [0.2, 1]] } }, 'model.correlation'], [{ model: { ...three, correlation: undefined } }, 'model.correlation'],
    [{ model: { ...three, correlation: [[1, 0.6, -0.3], [0.6, 1, 0.2], [-0.3, 0.21, 1]] } }, 'model.correlation[2][1]'],
    [{ model: { ...three, correlation: [1, 0.6, -0.3, 0.6, 1.1, 0.2, -0.3, 0.2, 1] } }, 'model.correlation[4]'],
    [{ model: { ...three, repairCorrelation: 'yes' } }, 'model.repairCorrelation'],
    [{ payoff: { kind: 'european', strike: 100, type: 'call' } }, 'payoff.kind'], [{ payoff: { kind: 'basket', weights: [1, 1], strike: 1, type: 'call' } }, 'payoff.weights'],
    [{ payoff: { kind: 'geometricBasket', weights: [1, 0, 1], strike: 1, type: 'call' } }, 'payoff.weights[1]'],
    [{ payoff: { kind: 'spread', strike: 1, type: 'call', assets: [1, 1] } }, 'payoff.assets[1]'], [{ payoff: { kind: 'exchange', assets: [0, 3] } }, 'payoff.assets[1]'],
    [{ payoff: { kind: 'bestOf', strike: 1 } }, 'payoff.type'],
    [{ controlVariate: 'geometricBasket' }, 'controlVariate'], [{ controlVariate: 'geometricAsian' }, 'controlVariate'],
    [{ payoff: { kind: 'basket', weights: [1, -1, 1], strike: 1, type: 'call' }, controlVariate: 'geometricBasket' }, 'payoff.weights[1]'],
    [{ greeks: true }, 'greeks'], [{ importanceSampling: true }, 'importanceSampling'],
    [{ rng: 'sobol', steps: 400 }, 'steps'],
    [{ model: { kind: 'gbm', spot: 100, rate: 0, vol: 0.2 } }, 'payoff.kind'],
  ] as [Partial<Record<string, unknown>>, string][])('%o -> InputError at %s', (patch, path) => {
    expectInputError(() => createMonteCarloJob({ ...base, ...patch } as MonteCarloArgs), path);
  });

  it('the exchange option on a one-asset model has no second asset', () => {
    const one = { kind: 'multiGbm', spots: [100], rate: 0, vols: [0.2], correlation: [1] } as const;
    expectInputError(() => createMonteCarloJob({ ...base, model: one, payoff: { kind: 'exchange' } }), 'payoff.assets');
  });

  it('the job is plain data (JSON round trip gives the same shard); simulatePaths checks its out array', async () => {
    const engine = await engineFor('js');
    const job = createMonteCarloJob({ ...base, controlVariate: 'underlying' });
    const copy = JSON.parse(JSON.stringify(job));
    expect(Array.from(monteCarloShard(engine, copy, 0))).toEqual(Array.from(monteCarloShard(engine, job, 0)));
    expectInputError(() => engine.simulatePaths({ model: three, expiry: 1, paths: 4, steps: 2, seed: 1, out: new Float64Array(12) }), 'out');
  });
});
