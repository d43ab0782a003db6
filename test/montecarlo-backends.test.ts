// Monte Carlo results do not depend on the backend: every model, payoff, draw source and
// variance-reduction setup the kernels offer gives the same bits on the WASM engine and the JS
// twin, in every output (price, stdErr, ci95, greeks, every detail) and in simulatePaths. Both
// twins draw with the same Philox words, invert with the same AS 241 and the shared log, and step
// with the shared exp/log of math/elementary.ts; before that, 6 of 11 setups differed in the last
// bit (V8's libm vs AssemblyScript's).
import { beforeAll, describe, expect, it } from 'vitest';
import { engineFor } from './backends.js';
import type { Engine, MonteCarloArgs, SimulatePathsArgs } from '../src/index.js';

const gbm = { kind: 'gbm', spot: 100, rate: 0.05, dividendYield: 0.01, vol: 0.3 } as const;
const heston = { kind: 'heston', spot: 100, rate: 0.01, dividendYield: 0.02, v0: 0.04, kappa: 1.5, theta: 0.06, sigma: 0.8, rho: -0.7 } as const;
const jumps = { jumpIntensity: 1.5, jumpMean: -0.1, jumpVol: 0.2 } as const;
const merton = { kind: 'merton', spot: 100, rate: 0.05, dividendYield: 0.01, vol: 0.2, ...jumps } as const;
const bates = { ...heston, kind: 'bates', ...jumps } as const;
const multi = {
  kind: 'multiGbm', spots: [100, 90, 110], rate: 0.03, dividendYields: [0.01, 0, 0.02], vols: [0.25, 0.35, 0.2],
  correlation: [[1, 0.5, 0.2], [0.5, 1, -0.3], [0.2, -0.3, 1]],
} as const;

const call = { kind: 'european', strike: 100, type: 'call' } as const;
const put = { kind: 'european', strike: 95, type: 'put' } as const;
const digital = { kind: 'digital', strike: 105, type: 'put', cash: 2 } as const;
const downOut = { kind: 'barrier', strike: 100, type: 'call', barrier: 85, direction: 'down', knock: 'out' } as const;
const upIn = { kind: 'barrier', strike: 100, type: 'put', barrier: 120, direction: 'up', knock: 'in', monitoring: 'discrete', rebate: 1 } as const;
const asianA = { kind: 'asian', strike: 100, type: 'call', averaging: 'arithmetic' } as const;
const asianG = { kind: 'asian', strike: 100, type: 'put', averaging: 'geometric' } as const;
const sobol = { rng: 'sobol', qmc: { replications: 4 } } as const;
const owenNoBridge = { rng: 'sobol', qmc: { replications: 4, scramble: 'owen', brownianBridge: false } } as const;

type Setup = [string, Omit<MonteCarloArgs, 'expiry' | 'seed'> & { expiry?: number }];
const SETUPS: Setup[] = [
  ['GBM European call, greeks, underlying control', { model: gbm, payoff: call, paths: 4096, steps: 12, greeks: true, controlVariate: 'underlying' }],
  ['GBM European put, antithetic + importance sampling', { model: gbm, payoff: put, paths: 4096, steps: 4, antithetic: true, importanceSampling: true, greeks: true }],
  ['GBM digital, likelihood-ratio greeks', { model: gbm, payoff: digital, paths: 4096, steps: 8, greeks: true }],
  ['GBM down-and-out, continuous monitoring, greeks', { model: gbm, payoff: downOut, paths: 4096, steps: 16, greeks: true }],
  ['GBM up-and-in discrete with rebate', { model: gbm, payoff: upIn, paths: 4096, steps: 16 }],
  ['GBM arithmetic Asian, geometric-Asian control, greeks', { model: gbm, payoff: asianA, paths: 4096, steps: 24, controlVariate: 'geometricAsian', greeks: true }],
  ['GBM geometric Asian, Sobol + bridge', { model: gbm, payoff: asianG, paths: 4096, steps: 16, ...sobol }],
  ['GBM European, Sobol Owen without bridge, antithetic', { model: gbm, payoff: call, paths: 4096, steps: 8, antithetic: true, ...owenNoBridge }],
  ['Heston QE European, greeks, underlying control', { model: heston, payoff: call, paths: 4096, steps: 50, greeks: { delta: true }, controlVariate: 'underlying' }],
  ['Heston QE down-and-out continuous (local variance bridge)', { model: heston, payoff: downOut, paths: 4096, steps: 50 }],
  ['Heston QE arithmetic Asian, Sobol + bridge (uniforms from normals)', { model: heston, payoff: asianA, paths: 4096, steps: 16, ...sobol }],
  ['Heston Euler digital, antithetic', { model: { ...heston, scheme: 'euler' }, payoff: digital, paths: 4096, steps: 50, antithetic: true }],
  ['Merton European, greeks, importance sampling', { model: merton, payoff: call, paths: 4096, steps: 10, greeks: true, importanceSampling: { shift: 0.3 } }],
  ['Merton up-and-in discrete, Sobol', { model: merton, payoff: upIn, paths: 4096, steps: 10, ...sobol }],
  ['Bates European, antithetic, underlying control', { model: bates, payoff: put, paths: 4096, steps: 50, antithetic: true, controlVariate: 'underlying' }],
  ['Bates geometric Asian, Sobol Owen', { model: bates, payoff: asianG, paths: 4096, steps: 12, rng: 'sobol', qmc: { replications: 4, scramble: 'owen' } }],
  ['multiGbm basket, geometric-basket control', { model: multi, payoff: { kind: 'basket', weights: [0.5, 0.3, 0.2], strike: 100, type: 'call' }, paths: 4096, steps: 6, controlVariate: 'geometricBasket' }],
  ['multiGbm geometric basket, antithetic', { model: multi, payoff: { kind: 'geometricBasket', weights: [1, 2, 1], strike: 390, type: 'put' }, paths: 4096, steps: 3, antithetic: true }],
  ['multiGbm spread, underlying control', { model: multi, payoff: { kind: 'spread', strike: 5, type: 'call', assets: [2, 1] }, paths: 4096, steps: 4, controlVariate: 'underlying' }],
  ['multiGbm exchange, Sobol + bridge', { model: multi, payoff: { kind: 'exchange' }, paths: 4096, steps: 8, ...sobol }],
  ['multiGbm best-of', { model: multi, payoff: { kind: 'bestOf', strike: 105, type: 'call' }, paths: 4096, steps: 1 }],
  ['multiGbm worst-of, Sobol Owen without bridge', { model: multi, payoff: { kind: 'worstOf', strike: 90, type: 'put' }, paths: 4096, steps: 4, ...owenNoBridge }],
];

/** Walk two results and report the first path where they differ (numbers compared with Object.is). */
function firstDifference(a: unknown, b: unknown, path = 'result'): string | null {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b) ? null : `${path}: wasm ${String(a)} js ${String(b)}`;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as Float64Array, y = b as Float64Array;
    if (x.length !== y.length) return `${path}.length`;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `${path}[${i}]: wasm ${x[i]} js ${y[i]}`;
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return `${path}: keys ${ka.join()} vs ${kb.join()}`;
    for (const k of ka) {
      if (path === 'result' && k === 'elapsedMs') continue; // wall clock
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${path}: ${String(a)} vs ${String(b)}`;
}

describe('Monte Carlo is bit for bit the same on the WASM and JS backends', () => {
  let wasm: Engine;
  let js: Engine;
  beforeAll(async () => {
    [wasm, js] = await Promise.all([engineFor('wasm'), engineFor('js')]);
  });

  it.each(SETUPS)('%s: every output identical', (_, setup) => {
    const args = { expiry: 1, seed: 20240611, ...setup } as MonteCarloArgs;
    const a = wasm.monteCarloSync(args);
    const b = js.monteCarloSync(args);
    expect(Number.isFinite(a.price) && a.stdErr > 0).toBe(true);
    expect(firstDifference(a, b)).toBeNull();
  });

  it.each([gbm, heston, { ...heston, scheme: 'euler' }, merton, bates, multi] as const)('simulatePaths ($kind): the same path values, antithetic too', (model) => {
    for (const antithetic of [false, true]) {
      const args = { model, expiry: 2, paths: 64, steps: 100, seed: 77, antithetic, firstPath: 10 } as SimulatePathsArgs;
      expect(firstDifference(wasm.simulatePaths(args), js.simulatePaths(args))).toBeNull();
    }
  });
});
