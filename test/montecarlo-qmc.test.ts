// Randomised quasi-Monte Carlo over both backends: Sobol points (Joe-Kuo directions) with a
// seeded digital shift or Owen scrambling per replication; the standard error comes from the
// spread of the replication means. Dimension = steps x draws per step; by default each draw
// slot's normals are built by the Brownian bridge (the RNG kernels' brownianBridgeBatch), so the
// first dimensions carry the terminal values.
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import { barrierPrice, bsmPrice, createMonteCarloJob, geometricAsianPrice, type Engine, type HestonModel, type MonteCarloArgs } from '../src/index.js';

const gbm = { kind: 'gbm', spot: 100, rate: 0.08, dividendYield: 0.04, vol: 0.25 } as const;
const euro = { kind: 'european', strike: 100, type: 'call' } as const;

describe.each(BACKENDS)('Monte Carlo, Sobol QMC (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it.each([['shift', 1], ['shift', 8], ['owen', 8]] as const)('%s scrambling, %d steps: European call within 3 se; 16 replications reported; error far below plain MC on the same budget', (scramble, steps) => {
    const args: MonteCarloArgs = { model: gbm, payoff: euro, expiry: 1, paths: 32_768, steps, seed: 51, rng: 'sobol', qmc: { scramble } };
    const r = engine.monteCarloSync(args);
    const plain = engine.monteCarloSync({ ...args, rng: 'philox' });
    expect(Math.abs(r.price - bsmPrice(100, 100, 1, 0.08, 0.04, 0.25, 'call')) / r.stdErr).toBeLessThan(3);
    expect(r.details.rng).toBe('sobol');
    expect(r.details.replications).toBe(16);
    expect(r.details.pointsPerReplication).toBe(2048);
    expect(r.details.samples).toBe(16);
    expect(r.details.scramble).toBe(scramble);
    expect(r.details.brownianBridge).toBe(true);
    expect((plain.stdErr / r.stdErr) ** 2).toBeGreaterThan(steps === 1 ? 100 : 5);
    expect(r.details.varianceReductionFactor).toBeGreaterThan(steps === 1 ? 100 : 5);
  });

  it('Sobol with antithetic pairs and the geometric-Asian control on an arithmetic Asian: within 3 se of plain MC', () => {
    const payoff = { kind: 'asian', strike: 100, type: 'call', averaging: 'arithmetic' } as const;
    const q = engine.monteCarloSync({ model: gbm, payoff, expiry: 1, paths: 32_768, steps: 12, seed: 52, rng: 'sobol', antithetic: true, controlVariate: 'geometricAsian' });
    const p = engine.monteCarloSync({ model: gbm, payoff, expiry: 1, paths: 100_000, steps: 12, seed: 53, controlVariate: 'geometricAsian' });
    expect(Math.abs(q.price - p.price)).toBeLessThan(3 * Math.hypot(q.stdErr, p.stdErr));
    expect(q.details.controlVariate!.mean).toBeCloseTo(geometricAsianPrice(100, 100, 1, 0.08, 0.04, 0.25, 'call', 12), 12);
  });

  it('Sobol under Heston QE (2 dimensions per step): Lewis ATM call within 3 se', () => {
    const heston: HestonModel = { kind: 'heston', spot: 100, rate: 0.01, dividendYield: 0.02, v0: 0.04, kappa: 4, theta: 0.25, sigma: 1, rho: -0.5 };
    const r = engine.monteCarloSync({ model: heston, payoff: euro, expiry: 1, paths: 16_384, steps: 20, seed: 54, rng: 'sobol', controlVariate: 'underlying' });
    expect(Math.abs(r.price - 16.070154917028834) / r.stdErr).toBeLessThan(3);
  });

  it('validation: too many dimensions, paths not a multiple of the replications, too few replications', () => {
    const base: MonteCarloArgs = { model: gbm, payoff: euro, expiry: 1, paths: 1600, steps: 10, seed: 1, rng: 'sobol' };
    expect(() => createMonteCarloJob({ ...base, steps: 1025 })).toThrowError(expect.objectContaining({ name: 'InputError', path: 'steps' }));
    expect(() => createMonteCarloJob({ ...base, model: { ...gbm, kind: 'merton', jumpIntensity: 1, jumpMean: 0, jumpVol: 0.1 }, steps: 342 }))
      .toThrowError(expect.objectContaining({ path: 'steps' }));
    expect(() => createMonteCarloJob({ ...base, paths: 1601 })).toThrowError(expect.objectContaining({ path: 'paths' }));
    expect(() => createMonteCarloJob({ ...base, qmc: { replications: 1 } })).toThrowError(expect.objectContaining({ path: 'qmc.replications' }));
    expect(() => createMonteCarloJob({ ...base, qmc: { scramble: 'lms' as 'owen' } })).toThrowError(expect.objectContaining({ path: 'qmc.scramble' }));
  });

  it('replications and shard blocks: results do not depend on the shard size beyond rounding (1e-12 relative)', () => {
    const args: MonteCarloArgs = { model: gbm, payoff: euro, expiry: 1, paths: 16_384, steps: 4, seed: 55, rng: 'sobol' };
    const a = engine.monteCarloSync(args);
    const b = engine.monteCarloSync({ ...args, shardSize: 256 });
    expect(b.details.shards).toBe(64);
    expect(Math.abs(a.price - b.price)).toBeLessThan(1e-12 * a.price);
    expect(Math.abs(a.stdErr - b.stdErr)).toBeLessThan(1e-9 * a.stdErr);
  });

  it('the Brownian bridge pays off with many steps: 64-step European call, factor vs plain MC > 20 with it and larger than without it', () => {
    const args: MonteCarloArgs = { model: gbm, payoff: euro, expiry: 1, paths: 16_384, steps: 64, seed: 56, rng: 'sobol' };
    const bridged = engine.monteCarloSync(args);
    const ordered = engine.monteCarloSync({ ...args, qmc: { brownianBridge: false } });
    const ref = bsmPrice(100, 100, 1, 0.08, 0.04, 0.25, 'call');
    expect(Math.abs(bridged.price - ref) / bridged.stdErr).toBeLessThan(3);
    expect(Math.abs(ordered.price - ref) / ordered.stdErr).toBeLessThan(3);
    expect(ordered.details.brownianBridge).toBe(false);
    expect(bridged.details.varianceReductionFactor).toBeGreaterThan(20);
    expect(bridged.details.varianceReductionFactor).toBeGreaterThan(ordered.details.varianceReductionFactor);
  });

  it('bridge with antithetic pairs and a continuous barrier: within 3 se of Reiner-Rubinstein', () => {
    const payoff = { kind: 'barrier', strike: 100, type: 'call', barrier: 90, direction: 'down', knock: 'out' } as const;
    const r = engine.monteCarloSync({ model: gbm, payoff, expiry: 1, paths: 16_384, steps: 32, seed: 57, rng: 'sobol', antithetic: true });
    const ref = barrierPrice({ spot: 100, strike: 100, barrier: 90, expiry: 1, rate: 0.08, dividendYield: 0.04, vol: 0.25, type: 'call', direction: 'down', knock: 'out' });
    expect(Math.abs(r.price - ref) / r.stdErr).toBeLessThan(3);
  });
});
