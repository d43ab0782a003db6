// Regression pin for the Heston-family Monte Carlo kernels (issue 13 [simd], the Heston QE speed
// work): the f64x2 path stepping may be reorganised for speed (more paths in flight, draws in
// blocks), but every result must keep its bits. The hashes below were taken from the kernels as
// they stood before that work (main at d6ce1b4), on both backends; a change that moves any bit of
// any output (price, stdErr, ci95, greeks, control-variate details) fails here. These are not
// accuracy references (those are the closed forms and k-standard-error checks in
// montecarlo-heston.test.ts and montecarlo-jumps.test.ts): they only say "the same numbers as before".
// Re-pinned once, on purpose (session 12): the QE martingale correction's log(1 - 2 A a) is now
// log1pSmall(-2 A a) where |2 A a| <= 2^-6 (math/elementary.ts logOneMinus), on both backends and in
// every QE kernel; the five Heston QE / Bates hashes below moved, the Euler, GBM and the digital /
// one-step setups (whose outputs do not see the last bits of K0*) did not. Before re-pinning, the
// old and new builds' mcShard accumulators were compared on five Heston setups: equal or within
// 1.3e-15 relative (closing note 12).
//
// The setups cover what the speed work touches and what it must not: Heston QE through the f64x2
// pair path (European, odd path counts so a shard's last path takes the scalar loop, steps across
// the 256-draw chunk boundary, antithetic pairs, importance sampling, likelihood-ratio greeks, a
// variance near zero so both QE branches mix within a vector), Heston QE through the scalar loop
// (Asian and barrier payoffs store nodes), Heston Euler, Bates, and GBM for the shared pair draws.
// Merton (session 12): pinned from the scalar loop, then stepped by the f64x2 pair path; the pins
// must hold (European and digital, antithetic, importance sampling, chunk-crossing steps, a
// lambda dt of 4 so most steps have several jumps, a shard of one antithetic pair).
// Two workers must give the one-thread bits (checked on the European setups).
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import type { Engine, MonteCarloArgs } from '../src/index.js';

const heston = { kind: 'heston', spot: 100, rate: 0.03, dividendYield: 0.01, v0: 0.04, kappa: 1.5, theta: 0.04, sigma: 0.5, rho: -0.7 } as const;
// 2 kappa theta / sigma^2 = 0.125: psi often > 1.5, the exponential branch is common.
const hestonWild = { kind: 'heston', spot: 100, rate: 0.02, dividendYield: 0, v0: 0.02, kappa: 1, theta: 0.05, sigma: 2, rho: -0.5 } as const;
const jumps = { jumpIntensity: 1.5, jumpMean: -0.1, jumpVol: 0.2 } as const;
const batesModel = { ...heston, kind: 'bates', ...jumps } as const;
const merton = { kind: 'merton', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.25, ...jumps } as const;
const call = { kind: 'european', strike: 100, type: 'call' } as const;
const put = { kind: 'european', strike: 95, type: 'put' } as const;
const digital = { kind: 'digital', strike: 105, type: 'put', cash: 2 } as const;
const asian = { kind: 'asian', strike: 100, type: 'call', averaging: 'arithmetic' } as const;
const downOut = { kind: 'barrier', strike: 100, type: 'call', barrier: 85, direction: 'down', knock: 'out' } as const;

type Setup = [string, string, Omit<MonteCarloArgs, 'expiry' | 'seed'>];
// [name, pinned hash (FNV-1a 64 of every number's IEEE-754 bits, see digest()), setup]
const SETUPS: Setup[] = [
  ['Heston QE European, greeks, control, odd paths, 3 shards, 300 steps', '20:0c9c345ccd754b6d', { model: heston, payoff: call, paths: 1025, shardSize: 512, steps: 300, greeks: true, controlVariate: 'underlying' }],
  ['Heston QE wild, digital, antithetic, importance sampling, LR delta', '19:e082519951af5a7c', { model: hestonWild, payoff: digital, paths: 1026, shardSize: 256, steps: 131, antithetic: true, greeks: { delta: true }, importanceSampling: { shift: -0.02 } }],
  ['Heston QE wild European put, 1 step, odd paths', '13:7bd1685f664a6cee', { model: hestonWild, payoff: put, paths: 333, shardSize: 128, steps: 1 }],
  ['Heston QE wild European, 52 steps, greeks', '15:5077fcee36f99ccf', { model: hestonWild, payoff: call, paths: 2047, shardSize: 512, steps: 52, greeks: true }],
  ['Heston QE arithmetic Asian (scalar loop)', '13:5e5d52f01de92c8e', { model: heston, payoff: asian, paths: 513, steps: 40 }],
  ['Heston QE down-and-out continuous (scalar loop)', '16:639d28f53cebe7ee', { model: hestonWild, payoff: downOut, paths: 513, steps: 40, greeks: { delta: true } }],
  ['Heston Euler European, control', '18:00b62624333566db', { model: { ...heston, scheme: 'euler' }, payoff: call, paths: 1025, shardSize: 512, steps: 60, controlVariate: 'underlying' }],
  ['Bates European, antithetic, greeks', '15:8621f5b0de3add8a', { model: { ...heston, kind: 'bates', ...jumps }, payoff: put, paths: 1024, shardSize: 256, steps: 60, antithetic: true, greeks: true }],
  // Bates beyond the row above: pinned from the scalar loop before its four-path f64x2 kernel (session 12).
  ['Bates European, greeks, odd paths, 3 shards, 300 steps', '15:b2a094dbec184a71', { model: batesModel, payoff: call, paths: 1025, shardSize: 512, steps: 300, greeks: true }],
  ['Bates wild digital, antithetic, importance sampling, LR delta', '19:fe0722664ac359b7', { model: { ...hestonWild, kind: 'bates', ...jumps }, payoff: digital, paths: 1026, shardSize: 256, steps: 131, antithetic: true, greeks: { delta: true }, importanceSampling: { shift: -0.02 } }],
  ['Bates European put, busy jumps (lambda dt = 4), odd paths', '15:6f11ced29e351734', { model: { ...batesModel, jumpIntensity: 40 }, payoff: put, paths: 515, shardSize: 128, steps: 10, greeks: true }],
  ['Bates wild European, 52 steps, a shard of 6 paths', '13:8b6d229a3eacb3c0', { model: { ...hestonWild, kind: 'bates', ...jumps }, payoff: call, paths: 2054, shardSize: 256, steps: 52 }],
  // Merton: pinned from the scalar loop before its f64x2 pair path (gbm-pairs.ts, session 12) landed.
  ['Merton European, greeks, odd paths, 3 shards, 300 steps', '17:4e7388ad21408c23', { model: merton, payoff: call, paths: 1025, shardSize: 512, steps: 300, greeks: true }],
  ['Merton digital, antithetic, importance sampling, LR delta', '19:18e0dafe25ef32b3', { model: merton, payoff: digital, paths: 1026, shardSize: 256, steps: 131, antithetic: true, greeks: { delta: true }, importanceSampling: { shift: -0.02 } }],
  ['Merton European put, busy jumps (lambda dt = 4), antithetic, a shard of 2 paths', '17:54762b5d431ca0d2', { model: { ...merton, jumpIntensity: 40 }, payoff: put, paths: 514, shardSize: 128, steps: 10, antithetic: true, greeks: true }],
  ['Merton European, 1 step, odd paths, importance sampling', '17:8b130e2d16efa43c', { model: merton, payoff: call, paths: 333, shardSize: 128, steps: 1, importanceSampling: { shift: 0.1 } }],
  ['GBM European, greeks, odd paths, 257 steps', '17:48be7f06f54157e2', { model: { kind: 'gbm', spot: 100, rate: 0.03, dividendYield: 0.01, vol: 0.3 }, payoff: call, paths: 1023, shardSize: 256, steps: 257, greeks: true }],
];

/** Every number of a result in key order, without the wall time and the worker counts. */
function numbers(x: unknown, out: number[] = [], key = ''): number[] {
  if (key === 'elapsedMs' || key === 'workers' || key === 'workersUsed') return out;
  if (typeof x === 'number') out.push(x);
  else if (Array.isArray(x) || ArrayBuffer.isView(x)) for (const v of Array.from(x as ArrayLike<unknown>)) numbers(v, out);
  else if (x && typeof x === 'object') for (const k of Object.keys(x).sort()) numbers((x as Record<string, unknown>)[k], out, k);
  return out;
}

/** FNV-1a (64-bit) of the little-endian IEEE-754 bytes of the numbers: -0, NaN payloads and every last bit count. */
function digest(xs: number[]): string {
  const bytes = new Uint8Array(new Float64Array(xs).buffer);
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return `${xs.length}:${h.toString(16).padStart(16, '0')}`;
}

describe.each(BACKENDS)('Heston-family Monte Carlo bits pinned (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  it.each(SETUPS)('%s', (_name, pinned, setup) => {
    const r = engine.monteCarloSync({ expiry: 1, seed: 20261206, ...setup } as MonteCarloArgs);
    expect(Number.isFinite(r.price) && r.stdErr > 0).toBe(true);
    expect(digest(numbers(r))).toBe(pinned);
  });

  it.each(SETUPS.filter(([name]) => name.includes('European')))('%s: two workers give the same bits', async (_name, pinned, setup) => {
    const r = await engine.monteCarlo({ expiry: 1, seed: 20261206, ...setup, workers: 2 } as MonteCarloArgs);
    expect(r.details.workersUsed).toBe(2);
    expect(digest(numbers(r))).toBe(pinned);
  });
});
