// Issue 11, items 6 and 7 for Monte Carlo: every options object of monteCarlo / monteCarloSync /
// simulatePaths / createMonteCarloJob, nested ones included (model, payoff, qmc,
// importanceSampling, greeks), rejects an unknown key with an InputError naming its path and the
// closest valid key; integer counts that are huge, infinite, NaN, negative, fractional or of the
// wrong type are InputErrors naming the field; and a seeded property test feeds hostile values
// into every field and checks that nothing escapes as anything but an InputError.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, engineFor, expectInputError, propertySeed } from './backends.js';
import {
  createMonteCarloJob, InputError, MAX_PATHS, MONTE_CARLO_DOMAIN as D, MAX_REPLICATIONS, MAX_SHARD_SIZE, MAX_STEPS, MAX_WORKERS, MONTE_CARLO_KEYS,
  SIMULATE_PATHS_KEYS, type Engine, type MonteCarloArgs, type SimulatePathsArgs,
} from '../src/index.js';
import { closeSharedPools, MAX_POOL_SHARDS } from '../src/parallel/index.js';

const gbm = { kind: 'gbm', spot: 100, rate: 0.05, dividendYield: 0.01, vol: 0.3 } as const;
const heston = { kind: 'heston', spot: 100, rate: 0.02, v0: 0.04, kappa: 1.5, theta: 0.05, sigma: 0.6, rho: -0.7 } as const;
const merton = { kind: 'merton', spot: 100, rate: 0.05, vol: 0.2, lambda: 1, muJ: -0.1, deltaJ: 0.15 } as const;
const two = { kind: 'multiGbm', spots: [100, 95], vols: [0.25, 0.3], rate: 0.05, correlation: [[1, 0.4], [0.4, 1]] } as const;
const base: MonteCarloArgs = { model: gbm, payoff: { kind: 'european', strike: 100, type: 'call' }, expiry: 1, paths: 64, steps: 2, seed: 1 };
const sim: SimulatePathsArgs = { model: gbm, expiry: 1, paths: 8, steps: 2, seed: 1 };

afterAll(async () => {
  await closeSharedPools();
});

/** Runs f, expects an InputError at `path` whose suggestion is `suggestion`. */
function expectUnknownKey(f: () => unknown, path: string, suggestion: string | undefined): void {
  const e = expectInputError(f, path);
  expect(e.suggestion).toBe(suggestion);
}

/** The same, for a function that returns a promise. */
async function expectUnknownKeyAsync(f: () => Promise<unknown>, path: string, suggestion: string | undefined): Promise<void> {
  const e = await f().then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(InputError);
  expect((e as InputError).path).toBe(path);
  expect((e as InputError).suggestion).toBe(suggestion);
}

// [patch of the args, path of the unknown key, expected suggestion]
const MC_TYPOS: [string, Record<string, unknown>, string, string | undefined][] = [
  ['antitheic', { antitheic: true }, 'antitheic', 'antithetic'],
  ['contolVariate', { contolVariate: 'underlying' }, 'contolVariate', 'controlVariate'],
  ['seeds', { seeds: 3 }, 'seeds', 'seed'],
  ['worker', { worker: 2 }, 'worker', 'workers'],
  ['model.dividendYeild', { model: { ...gbm, dividendYeild: 0.02 } }, 'model.dividendYeild', 'dividendYield'],
  ['model.v0 on gbm', { model: { ...gbm, v0: 0.04 } }, 'model.v0', 'vol'],
  ['heston model.sigma typo', { model: { ...heston, sigm: 0.5 } }, 'model.sigm', 'sigma'],
  ['merton model.lamda', { model: { ...merton, lamda: 2 } }, 'model.lamda', 'lambda'],
  ['multiGbm model.correlations', { model: { ...two, correlations: two.correlation }, payoff: { kind: 'exchange' } }, 'model.correlations', 'correlation'],
  ['payoff.strik', { payoff: { kind: 'european', strike: 100, type: 'call', strik: 90 } }, 'payoff.strik', 'strike'],
  ['payoff.rebate on a european', { payoff: { kind: 'european', strike: 100, type: 'call', rebate: 1 } }, 'payoff.rebate', undefined],
  ['payoff.monitor on a barrier', {
    payoff: { kind: 'barrier', strike: 100, type: 'call', barrier: 80, direction: 'down', knock: 'out', monitor: 'discrete' },
  }, 'payoff.monitor', 'monitoring'],
  ['basket payoff.weight', { model: two, payoff: { kind: 'basket', weight: [0.5, 0.5], weights: [0.5, 0.5], strike: 100, type: 'call' } }, 'payoff.weight', 'weights'],
  ['qmc.replication', { rng: 'sobol', qmc: { replication: 4 } }, 'qmc.replication', 'replications'],
  ['qmc.replication with philox too', { qmc: { replication: 4 } }, 'qmc.replication', 'replications'],
  ['importanceSampling.shfit', { importanceSampling: { shfit: 1 } }, 'importanceSampling.shfit', 'shift'],
  ['greeks.gamma', { greeks: { delta: true, gamma: true } }, 'greeks.gamma', undefined],
  ['greeks.deltas', { greeks: { deltas: true } }, 'greeks.deltas', 'delta'],
];

describe('unknown option keys (Monte Carlo)', () => {
  it('the key lists are the types: every MonteCarloArgs / SimulatePathsArgs key, and onProgress and signal in both', () => {
    expect(MONTE_CARLO_KEYS).toContain('antithetic');
    expect(MONTE_CARLO_KEYS).toContain('onProgress');
    expect(SIMULATE_PATHS_KEYS).toEqual(expect.arrayContaining(['signal', 'onProgress', 'firstPath', 'out']));
  });

  it.each(MC_TYPOS)('createMonteCarloJob: %s', (_name, patch, path, suggestion) => {
    expectUnknownKey(() => createMonteCarloJob({ ...base, ...patch } as MonteCarloArgs), path, suggestion);
  });

  it('a valid key spelled right is accepted at every level (the lists are not too short)', () => {
    expect(() => createMonteCarloJob({
      ...base, stream: 1, antithetic: true, controlVariate: 'underlying', importanceSampling: { shift: 0.1 }, greeks: { delta: true, vega: true },
      workers: 1, shardSize: 32, signal: new AbortController().signal, onProgress: () => undefined, qmc: {},
    })).not.toThrow();
    expect(() => createMonteCarloJob({ ...base, rng: 'sobol', paths: 64, qmc: { replications: 4, scramble: 'owen', brownianBridge: false } })).not.toThrow();
    expect(() => createMonteCarloJob({
      ...base, payoff: { kind: 'barrier', strike: 100, type: 'put', barrier: 120, direction: 'up', knock: 'in', rebate: 1, monitoring: 'discrete' },
    })).not.toThrow();
    expect(() => createMonteCarloJob({ ...base, model: { ...two, dividendYields: [0, 0], repairCorrelation: true }, payoff: { kind: 'spread', strike: 1, type: 'call', assets: [1, 0] } })).not.toThrow();
  });
});

describe.each(BACKENDS)('unknown option keys and malformed counts through the engine (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('monteCarlo({ ..., antitheic: true }) throws (sync) and rejects (async, in-thread and with workers) with suggestion antithetic', async () => {
    const args = { ...base, antitheic: true } as MonteCarloArgs;
    expectUnknownKey(() => engine.monteCarloSync(args), 'antitheic', 'antithetic');
    await expectUnknownKeyAsync(() => engine.monteCarlo(args), 'antitheic', 'antithetic');
    await expectUnknownKeyAsync(() => engine.monteCarlo({ ...args, workers: 2, paths: 20_000 }), 'antitheic', 'antithetic');
  });

  it.each(MC_TYPOS)('monteCarloSync: %s', (_name, patch, path, suggestion) => {
    expectUnknownKey(() => engine.monteCarloSync({ ...base, ...patch } as MonteCarloArgs), path, suggestion);
  });

  it('simulatePaths: unknown keys at the top and in the model', () => {
    expectUnknownKey(() => engine.simulatePaths({ ...sim, antitheic: true } as SimulatePathsArgs), 'antitheic', 'antithetic');
    expectUnknownKey(() => engine.simulatePaths({ ...sim, firstpath: 2 } as SimulatePathsArgs), 'firstpath', 'firstPath');
    expectUnknownKey(() => engine.simulatePaths({ ...sim, payoff: base.payoff } as SimulatePathsArgs), 'payoff', undefined);
    expectUnknownKey(() => engine.simulatePaths({ ...sim, model: { ...heston, kapa: 1 } } as SimulatePathsArgs), 'model.kapa', 'kappa');
  });

  // Values that are not a valid count anywhere: huge, infinite, NaN, negative, fractional, wrong types.
  const BAD_COUNTS: unknown[] = [1e308, Infinity, -Infinity, NaN, -1, 2.5, -0.5, '8', null, true, 8n, [8], {}];

  it.each([
    ['paths', {}], ['steps', {}], ['stream', {}], ['workers', {}], ['shardSize', {}], ['seed', {}],
    ['qmc.replications', { rng: 'sobol' }],
  ] as const)('monteCarloSync: %s of 1e308, Infinity, NaN, -1, 2.5, a string, ... is an InputError naming it', (field, extra) => {
    for (const bad of BAD_COUNTS) {
      if (field === 'seed' && typeof bad === 'bigint') continue; // a bigint seed is valid
      const args: Record<string, unknown> = { ...base, ...extra };
      if (field === 'qmc.replications') args.qmc = { replications: bad };
      else args[field] = bad;
      expectInputError(() => engine.monteCarloSync(args as unknown as MonteCarloArgs), field);
    }
  });

  it.each(['paths', 'steps', 'stream', 'firstPath', 'seed'] as const)('simulatePaths: %s of 1e308, Infinity, NaN, -1, 2.5, ... is an InputError naming it', (field) => {
    for (const bad of BAD_COUNTS) {
      if (field === 'seed' && typeof bad === 'bigint') continue;
      expectInputError(() => engine.simulatePaths({ ...sim, [field]: bad } as unknown as SimulatePathsArgs), field);
    }
  });

  it('the documented upper bounds hold exactly: one past each is an InputError, the bound itself is not', () => {
    // Validation only (createMonteCarloJob does no work): paths = 2^32 is a valid job.
    expect(createMonteCarloJob({ ...base, paths: MAX_PATHS }).paths).toBe(MAX_PATHS);
    expectInputError(() => createMonteCarloJob({ ...base, paths: MAX_PATHS + 2 }), 'paths');
    expect(createMonteCarloJob({ ...base, steps: MAX_STEPS }).steps).toBe(MAX_STEPS);
    expectInputError(() => createMonteCarloJob({ ...base, steps: MAX_STEPS + 1 }), 'steps');
    expect(createMonteCarloJob({ ...base, workers: MAX_WORKERS }).workers).toBe(MAX_WORKERS);
    expectInputError(() => createMonteCarloJob({ ...base, workers: MAX_WORKERS + 1 }), 'workers');
    expect(createMonteCarloJob({ ...base, shardSize: MAX_SHARD_SIZE }).shardSize).toBe(MAX_SHARD_SIZE);
    expectInputError(() => createMonteCarloJob({ ...base, shardSize: MAX_SHARD_SIZE + 2 }), 'shardSize');
    expect(createMonteCarloJob({ ...base, rng: 'sobol', paths: 2 * MAX_REPLICATIONS, qmc: { replications: MAX_REPLICATIONS } }).replications).toBe(MAX_REPLICATIONS);
    expectInputError(() => createMonteCarloJob({ ...base, rng: 'sobol', qmc: { replications: MAX_REPLICATIONS + 1 } }), 'qmc.replications');
    // With workers the pool keeps one accumulator per shard: at most MAX_POOL_SHARDS of them.
    expect(createMonteCarloJob({ ...base, paths: MAX_POOL_SHARDS * 2, shardSize: 2, workers: 2 }).shardCount).toBe(MAX_POOL_SHARDS);
    expectInputError(() => createMonteCarloJob({ ...base, paths: MAX_POOL_SHARDS * 2 + 2, shardSize: 2, workers: 2 }), 'shardSize');
    expect(createMonteCarloJob({ ...base, paths: MAX_POOL_SHARDS * 2 + 2, shardSize: 2 }).shardCount).toBe(MAX_POOL_SHARDS + 1); // in-thread: no such limit
    // simulatePaths: the path index is one 32-bit Philox word; the output is capped in bytes.
    expectInputError(() => engine.simulatePaths({ ...sim, paths: 4, firstPath: MAX_PATHS - 2 }), 'firstPath');
  });
});

// Hostile values for the property test: wrong types, non-finite and extreme numbers, fake arrays.
const HOSTILE: unknown[] = [
  undefined, null, NaN, Infinity, -Infinity, 1e308, -1e308, 5e-324, -1, 0, -0, 0.5, 2.5, 2 ** 53, '1', '', 'call', true, false, 3n, -3n,
  {}, [], [1], [NaN, 1], { length: -1 }, { length: 1e10 }, { length: Infinity }, new Float64Array(3), () => 1, Symbol('x'),
  Object.create(null), { __proto__: { vol: 0.2 } }, new Date(0),
];

/** Every field path of an args object that the property test may replace (top level and one level down). */
const FIELDS: Record<string, string[]> = {
  '': ['model', 'payoff', 'expiry', 'paths', 'steps', 'seed', 'stream', 'rng', 'qmc', 'antithetic', 'controlVariate', 'importanceSampling', 'greeks', 'shardSize', 'signal', 'onProgress'],
  model: ['kind', 'spot', 'rate', 'dividendYield', 'vol', 'v0', 'kappa', 'theta', 'sigma', 'rho', 'scheme', 'lambda', 'muJ', 'deltaJ', 'jumpIntensity', 'spots', 'vols', 'correlation'],
  payoff: ['kind', 'strike', 'type', 'barrier', 'direction', 'knock', 'rebate', 'cash', 'averaging', 'weights', 'assets'],
  qmc: ['replications', 'scramble', 'brownianBridge'],
};

const STARTS: MonteCarloArgs[] = [
  base,
  { ...base, model: heston, payoff: { kind: 'barrier', strike: 100, type: 'call', barrier: 80, direction: 'down', knock: 'out' }, greeks: true },
  { ...base, model: merton, payoff: { kind: 'digital', strike: 100, type: 'put' }, antithetic: true },
  { ...base, model: { ...heston, kind: 'bates', lambda: 0.5, muJ: -0.1, deltaJ: 0.1 }, payoff: { kind: 'asian', strike: 100, type: 'call', averaging: 'geometric' } },
  { ...base, model: two, payoff: { kind: 'basket', weights: [0.5, 0.5], strike: 100, type: 'call' }, controlVariate: 'geometricBasket' },
  { ...base, rng: 'sobol', paths: 64, qmc: { replications: 4 } },
];

function mutate(args: MonteCarloArgs, edits: [string, string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...args };
  for (const [parent, key, value] of edits) {
    if (parent === '') {
      out[key] = value;
    } else {
      const p = out[parent];
      out[parent] = p !== null && typeof p === 'object' && !Array.isArray(p) ? { ...(p as object), [key]: value } : { [key]: value };
    }
  }
  return out;
}

describe.each(BACKENDS)('property: hostile values in any field never escape as anything but an InputError (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it('monteCarloSync and simulatePaths, 300 seeded cases each', () => {
    const seed = propertySeed(`montecarlo-options ${backend}`);
    const parents = Object.keys(FIELDS);
    const edit = fc.integer({ min: 0, max: parents.length - 1 }).chain((pi) => {
      const parent = parents[pi]!;
      return fc.tuple(fc.constant(parent), fc.oneof(fc.constantFrom(...FIELDS[parent]!), fc.constantFrom('antitheic', 'strikes', 'jumpVol', '__proto__', 'constructor')),
        fc.constantFrom(...HOSTILE));
    });
    let thrown = 0;
    let ran = 0;
    fc.assert(fc.property(fc.constantFrom(...STARTS), fc.array(edit, { minLength: 1, maxLength: 3 }), (start, edits) => {
      const args = mutate(start, edits);
      for (const call of [() => engine.monteCarloSync(args as unknown as MonteCarloArgs), () => engine.simulatePaths({
        model: args.model, expiry: args.expiry, paths: args.paths, steps: args.steps, seed: args.seed, stream: args.stream, antithetic: args.antithetic,
      } as SimulatePathsArgs)]) {
        let result: unknown;
        try {
          result = call();
        } catch (e) {
          thrown++;
          if (!(e instanceof InputError)) throw new Error(`escaped as ${(e as Error)?.name}: ${(e as Error)?.message} for ${describeEdits(edits)}`);
          expect(typeof e.path).toBe('string');
          continue;
        }
        ran++;
        // A call that was accepted computed something finite (the domain keeps the paths and
        // sums finite): prices and standard errors, and paths >= 0 (a tiny spot may underflow).
        if (result instanceof Float64Array) {
          expect(result.every((x) => x >= 0 && Number.isFinite(x)), describeEdits(edits)).toBe(true);
        } else {
          const r = result as { price: number; stdErr: number };
          expect(Number.isFinite(r.price) && Number.isFinite(r.stdErr), describeEdits(edits)).toBe(true);
        }
      }
    }), { seed, numRuns: 300 });
    // The test exercised both outcomes (hostile values are not all rejected for the same reason).
    expect(thrown).toBeGreaterThan(100);
    expect(ran).toBeGreaterThan(10);
  });
});

function describeEdits(edits: [string, string, unknown][]): string {
  return edits.map(([p, k, v]) => `${p ? p + '.' : ''}${k} = ${typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? 'Symbol' : JSON.stringify(v) ?? String(v)}`).join(', ');
}

// The domain (MONTE_CARLO_DOMAIN): finite but extreme inputs gave NaN or Infinity prices with no
// error (rate 1e308, spot 1e308, vol 1e308, subnormal kappa, theta or sigma, a subnormal spot with
// importance sampling, ...). Outside the domain: an InputError naming the field; at its edges:
// finite prices, standard errors, greeks and paths.
describe.each(BACKENDS)('Monte Carlo domain (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });
  const bates = { ...heston, kind: 'bates', lambda: 1, muJ: -0.1, deltaJ: 0.15 } as const;

  it.each([
    [{ model: { ...gbm, rate: 1e308 } }, 'model.rate'], [{ model: { ...gbm, rate: -1e20 } }, 'model.rate'], [{ model: { ...gbm, dividendYield: -700 } }, 'model.dividendYield'],
    [{ model: { ...gbm, spot: 1e308 } }, 'model.spot'], [{ model: { ...gbm, spot: 5e-324 } }, 'model.spot'], [{ model: { ...gbm, vol: 1e308 } }, 'model.vol'],
    [{ model: { ...gbm, vol: 5e-324 } }, 'model.vol'], [{ model: { ...heston, kappa: 5e-324 } }, 'model.kappa'], [{ model: { ...heston, theta: 5e-324 } }, 'model.theta'],
    [{ model: { ...heston, sigma: 1e308 } }, 'model.sigma'], [{ model: { ...heston, v0: 1e308 } }, 'model.v0'], [{ model: { ...merton, muJ: 1e308 } }, 'model.muJ'],
    [{ model: { ...merton, deltaJ: 1e308 } }, 'model.deltaJ'], [{ payoff: { kind: 'european', strike: 1e308, type: 'put' } }, 'payoff.strike'],
    [{ payoff: { kind: 'digital', strike: 100, type: 'put', cash: 1e308 } }, 'payoff.cash'], [{ expiry: 5e-324 }, 'expiry'],
    [{ payoff: { kind: 'barrier', strike: 100, type: 'call', barrier: 1e308, direction: 'up', knock: 'in' } }, 'payoff.barrier'],
    [{ model: { ...two, spots: [100, 1e308] }, payoff: { kind: 'exchange' } }, 'model.spots[1]'],
    [{ model: two, payoff: { kind: 'basket', weights: [1e308, 1], strike: 1, type: 'call' } }, 'payoff.weights[0]'],
    // Bounds that involve the expiry.
    [{ model: { ...gbm, rate: D.maxRate }, expiry: D.maxRateTimesExpiry / D.maxRate * 1.01 }, 'model.rate'],
    [{ model: { ...gbm, vol: D.maxVol }, expiry: 1.01 * D.maxVarianceTimesExpiry / D.maxVol ** 2 }, 'model.vol'],
    [{ model: { ...heston, theta: 1 }, expiry: 101, steps: 200 }, 'model.theta'],
    [{ model: { ...two, vols: [0.2, 10] }, payoff: { kind: 'exchange' }, expiry: 1.01 }, 'model.vols[1]'],
    [{ model: { ...two, dividendYields: [0, -10] }, payoff: { kind: 'exchange' }, expiry: 5.01 }, 'model.dividendYields[1]'],
    [{ model: { ...merton, lambda: 100, muJ: 2, deltaJ: 0 }, steps: 8 }, 'model.lambda'],
  ] as [Record<string, unknown>, string][])('%o -> InputError at %s', (patch, path) => {
    expectInputError(() => engine.monteCarloSync({ ...base, ...patch } as MonteCarloArgs), path);
    if (patch.payoff === undefined) {
      expectInputError(() => engine.simulatePaths({ ...sim, ...(patch as object), paths: 8 } as SimulatePathsArgs), path);
    }
  });

  it('at the edges of the domain every price, standard error, greek and path is finite', () => {
    const edges: Record<string, number[]> = {
      spot: [D.minSpot, D.maxSpot], rate: [-D.maxRate, D.maxRate], dividendYield: [-D.maxRate, D.maxRate], vol: [D.minVol, D.maxVol],
      v0: [0, D.maxVariance], theta: [D.minTheta, D.maxVariance], kappa: [D.minKappa, D.maxKappa], sigma: [D.minSigma, D.maxSigma],
      muJ: [-D.maxJumpMean, D.maxJumpMean], deltaJ: [0, D.maxJumpVol],
    };
    const payoffs = (S: number) => [
      { kind: 'european', strike: D.maxStrike, type: 'put' },
      { kind: 'digital', strike: S, type: 'put', cash: D.maxStrike },
      { kind: 'barrier', strike: S, type: 'call', barrier: S * 1.2, direction: 'up', knock: 'in', rebate: D.maxStrike },
    ];
    const bad: string[] = [];
    let runs = 0;
    // At the jump budget with large jumps: lambda T (2 + 4 + e^4 - 1) = 3.3 x 59.6 = 197.
    const bigJumps = [{ ...merton, lambda: 3.3, muJ: 2, deltaJ: 2 }, { ...bates, lambda: 3.3, muJ: -2, deltaJ: 2 }];
    for (const m of [gbm, heston, merton, bates, ...bigJumps] as Record<string, unknown>[]) {
      for (const f of Object.keys(m).filter((k) => k in edges || (k === 'spot' && 'lambda' in m))) {
        for (const v of edges[f]!) {
          for (const expiry of [D.minExpiry, 1]) {
            // A jump-size edge needs a small lambda to stay inside the jump budget (lambda T (|muJ| + deltaJ^2 + |k|) <= 200).
            const model = { ...m, [f]: v, ...(f === 'muJ' || f === 'deltaJ' ? { lambda: 1e-4 } : {}) };
            for (const payoff of payoffs((model as Record<string, unknown>).spot as number)) {
              for (const extra of [{ greeks: true }, { controlVariate: 'underlying', antithetic: true }, { importanceSampling: true, greeks: { delta: true } }]) {
                const args = { model, payoff, expiry, paths: 32, steps: 2, seed: 3, ...extra } as MonteCarloArgs;
                let r;
                try {
                  r = engine.monteCarloSync(args);
                } catch (e) {
                  // Only combinations the facade refuses anyway (vega under stochastic vol, ...).
                  expect(e, JSON.stringify(args)).toBeInstanceOf(InputError);
                  continue;
                }
                runs++;
                const g = [r.greeks?.delta?.value, r.greeks?.delta?.stdErr, r.greeks?.vega?.value, r.greeks?.vega?.stdErr].filter((x) => x !== undefined);
                if (![r.price, r.stdErr, ...g].every(Number.isFinite)) bad.push(`${JSON.stringify(args)}: ${r.price} ${r.stdErr} ${g}`);
              }
            }
            const paths = engine.simulatePaths({ model, expiry, paths: 4, steps: 2, seed: 1 } as SimulatePathsArgs);
            if (!paths.every((x) => Number.isFinite(x) && x >= 0)) bad.push(`simulatePaths ${JSON.stringify(model)} T=${expiry}`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
    expect(runs).toBeGreaterThan(400);
  });
});
