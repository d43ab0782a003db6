// The WASM implied-vol batch works in blocks of 256 quotes: it lists the quotes that need the
// common solve, evaluates b for two listed quotes per v128, groups them by guess branch and then
// by objective (lowest, middle, upper) and refines two quotes of one objective per v128; the other
// quotes (invalid, at the money, ln beta) take the scalar routine in place. Each quote must get
// the single call's bits whatever its neighbours, block position or group size: checked on
// batches that put every branch side by side across block boundaries, with groups of odd size
// (a lone last quote in a group), a block with nothing to list, and tiny batches. Both backends
// (the JS twin has no blocks: the comparison holds trivially there and guards the facade).
import { describe, expect, it } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import { Status, type Engine } from '../src/index.js';
import { rng } from './seeded-random.js';
import { applyDiagnostic, diagnosticInstance } from './diagnostic-batch.js';

type Quotes = { prices: Float64Array; forwards: Float64Array; strikes: Float64Array; expiries: Float64Array; types: Int8Array };

/**
 * Quotes of one category each (F = 1, T = 1, so s = vol and x = ln(F/K)):
 * 0 lowest branch (x = -3 .. -8, s = 0.05 .. 0.5), 1 middle (s near sqrt(2|x|)),
 * 2 upper (x = -0.01 .. -0.5, s = 3 .. 8: beta near b_max), 3 at the money (x = 0),
 * 4 price below 1e-290 (ln beta), 5 invalid (negative price), 6 one-day small s (small-t region).
 */
function quotes(e: Engine, categories: number[], seed: number): Quotes {
  const u = rng(seed);
  const n = categories.length;
  const forwards = new Float64Array(n).fill(1), strikes = new Float64Array(n), expiries = new Float64Array(n).fill(1);
  const vols = new Float64Array(n), types = new Int8Array(n);
  categories.forEach((c, i) => {
    let x = -0.5, s = 0.3;
    if (c === 0 || c === 4) { x = -(3 + 5 * u()); s = 0.05 + 0.45 * u(); }
    if (c === 1) { x = -(0.05 + 2 * u()); s = Math.sqrt(-2 * x) * (0.7 + 0.6 * u()); }
    if (c === 2) { x = -(0.01 + 0.49 * u()); s = 3 + 5 * u(); }
    if (c === 3) x = 0;
    if (c === 5) s = 0.2 + u();
    if (c === 6) { x = -(0.001 + 0.05 * u()); s = 0.01 + 0.05 * u(); }
    types[i] = u() < 0.5 ? 1 : -1;
    // a put with x = ln(F/K) > 0 reduces to the same out-of-the-money call as a call with -x
    strikes[i] = Math.exp(types[i] === 1 ? -x : x);
    vols[i] = s;
  });
  const prices = e.black76({ forwards, strikes, expiries, vols, types }).price.slice();
  categories.forEach((c, i) => {
    if (c === 4) prices[i] = prices[i]! * 1e-300;
    if (c === 5) prices[i] = -1;
  });
  return { prices, forwards, strikes, expiries, types };
}

/** Indices where the batch differs from one call per quote (Object.is on the vol, and the status). */
function differences(e: Engine, q: Quotes): string[] {
  const batch = e.impliedVol(q);
  const out: string[] = [];
  for (let i = 0; i < q.prices.length; i++) {
    const one = <T extends Float64Array | Int8Array>(a: T) => a.slice(i, i + 1) as T;
    const r = e.impliedVol({ prices: one(q.prices), forwards: one(q.forwards), strikes: one(q.strikes), expiries: one(q.expiries), types: one(q.types) });
    if (!Object.is(r.vols[0], batch.vols[i]) || r.status[0] !== batch.status[i]) {
      out.push(`[${i}] batch ${batch.vols[i]} (${batch.status[i]}) single ${r.vols[0]} (${r.status[0]})`);
    }
  }
  return out;
}

describe.each(BACKENDS)('implied vol blocks = single calls, %s', (backend) => {
  it('a 2 x 256 + 3 batch with every branch shuffled across block boundaries', async () => {
    const e = await engineFor(backend);
    const u = rng(7);
    const categories = Array.from({ length: 2 * 256 + 3 }, () => Math.floor(u() * 7));
    const q = quotes(e, categories, 11);
    const r = e.impliedVol(q);
    // every category but the invalid one is solved (status ok), so each branch was exercised
    categories.forEach((c, i) => expect(r.status[i], `[${i}] category ${c}`).toBe(c === 5 ? Status.invalidInput : Status.ok));
    expect(differences(e, q)).toEqual([]);
  });

  it('groups of one and of odd size: blocks of a single branch, a lone quote of another, and a block with nothing to list', async () => {
    const e = await engineFor(backend);
    const categories: number[] = [];
    for (const c of [0, 1, 2, 6]) {
      for (let i = 0; i < 255; i++) categories.push(c);
      categories.push((c + 1) % 3); // one quote of another branch in the block
    }
    for (let i = 0; i < 256; i++) categories.push(i % 2 ? 3 : 5); // nothing listed in this block
    const q = quotes(e, categories, 12);
    expect(differences(e, q)).toEqual([]);
  });

  // The WASM batch validates and reduces two quotes per v128 (ln(F/K) by log1p near the money, by
  // ln(F/K) or ln F - ln K elsewhere, e^{x/2}); a pair where either quote is not a common solve goes
  // to the per-quote routine. Neighbours here straddle every boundary of that reduction: F/K just
  // inside and outside (0.5, 2), F = K and F = K (1 + eps), ratios that over- or underflow, tiny
  // and huge F, coin-settled prices, invalid and boundary prices, in every pairing.
  it('pairs straddling every case of the paired validation and ln(F/K): each quote = its single call, USD and coin', async () => {
    const e = await engineFor(backend);
    const u = rng(21);
    const pairs: [number, number][] = [
      [1, 1], [1, 1 + 2 ** -52], [1, 1 - 2 ** -53], [1, 2], [1, 2 - 2 ** -51], [1, 2 + 2 ** -51], [2, 1], [1, 0.5], [1, 0.5 + 2 ** -53],
      [1, 0.5 - 2 ** -54], [1, 1.4142135], [1, 0.7071], [1, 1 / 1.4142135], [1, 0.75], [1e300, 1e-10], [1e-10, 1e300], [1e-300, 1e-300 * 1.01],
      [1e300, 0.9e300], [3, 1], [63250, 70000], [63250, 20000], [1, 1e-5], [5e-324, 1e-310], [1, 0],
    ];
    const n = 600;
    const forwards = new Float64Array(n), strikes = new Float64Array(n), expiries = new Float64Array(n), prices = new Float64Array(n);
    const types = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      // half the quotes at the listed (F, K), half at random ratios on both sides of 0.5 and 2
      const F0 = 100 * Math.exp(4 * (u() - 0.5));
      const [F, K] = u() < 0.5 ? pairs[Math.floor(u() * pairs.length)]! : [F0, F0 * Math.exp(2.4 * (u() - 0.5))];
      forwards[i] = F; strikes[i] = K; expiries[i] = [1 / 365, 0.25, 2][Math.floor(u() * 3)]!;
      types[i] = u() < 0.5 ? 1 : -1;
    }
    const vols = Float64Array.from({ length: n }, () => 0.05 + 2 * u());
    const ok = (v: number) => v > 0 && v < Infinity;
    const priced = e.black76({
      forwards: forwards.map((v) => (ok(v) ? v : 1)), strikes: strikes.map((v) => (ok(v) ? v : 1)), expiries, vols, types,
    }).price;
    for (let i = 0; i < n; i++) {
      const r = u();
      // mostly model prices; some at zero, negative, at the maximum, or tiny (ln beta branch)
      prices[i] = r < 0.8 ? priced[i]! : r < 0.85 ? 0 : r < 0.9 ? -1 : r < 0.95 ? (types[i]! > 0 ? forwards[i]! : strikes[i]!) : priced[i]! * 1e-300;
    }
    const q = { prices, forwards, strikes, expiries, types };
    const r = e.impliedVol(q);
    expect(r.status.filter((s) => s === Status.ok).length).toBeGreaterThan(n / 2); // the common solve is exercised
    expect(differences(e, q)).toEqual([]);
    const coin = { ...q, prices: prices.map((p, i) => p / forwards[i]!) };
    const batch = e.impliedVol({ ...coin, settlement: 'coin' });
    for (let i = 0; i < n; i++) {
      const one = <T extends Float64Array | Int8Array>(a: T) => a.slice(i, i + 1) as T;
      const s = e.impliedVol({ prices: one(coin.prices), forwards: one(forwards), strikes: one(strikes), expiries: one(expiries), types: one(types), settlement: 'coin' });
      expect(Object.is(s.vols[0], batch.vols[i]) && s.status[0] === batch.status[i], `coin [${i}]`).toBe(true);
    }
  });

  it('tiny batches: 1, 2 and 3 quotes of mixed branches', async () => {
    const e = await engineFor(backend);
    for (const categories of [[0], [2], [0, 2], [1, 0], [2, 1, 0], [4, 2, 1]]) {
      const q = quotes(e, categories, 13);
      expect(differences(e, q), categories.join(',')).toEqual([]);
    }
  });
});

// The pair path must be the scalar solve, not merely agree with single calls (a single call is a
// batch of one and takes the same vector code with its quote in both lanes). Out-of-the-money
// calls on F = 1, DF = 1, T = 1 reduce to beta = price / sqrt(K) and x = -|ln(1/K)| (log1p((1 - K)/K)
// for K < 2, as the batch's logMoneyness), so the batch's vol must be the scalar kernel
// normalisedImpliedVolatility(beta, x, +1) to the bit. ln and log1p are the backend's own: on WASM
// its elementary.ts log / log1p (the diagnostic export; AssemblyScript's Math.log / Math.log1p
// bits), on the JS twin Math.log / Math.log1p.
describe.each(BACKENDS)('implied vol batch = the scalar solve, %s', (backend) => {
  it('2,000 out-of-the-money calls over the lowest, middle, upper and small-t branches, F/K on both sides of 1/2', async () => {
    const e = await engineFor(backend);
    const u = rng(31);
    const n = 2000;
    const strikes = new Float64Array(n), vols = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // x = ln(F/K) in [-6, -1e-3] (log-uniform), s from 0.01 (small t, deep out of the money) to 6
      strikes[i] = Math.exp(10 ** (-3 + 3.78 * u()));
      vols[i] = 10 ** (-2 + 2.78 * u());
    }
    const forwards = new Float64Array(n).fill(1), expiries = new Float64Array(n).fill(1), types = new Int8Array(n).fill(1);
    const prices = e.black76({ forwards, strikes, expiries, vols, types }).price;
    const batch = e.impliedVol({ prices, forwards, strikes, expiries, types });
    const near = Array.from(strikes, (k) => 1 / k > 0.5);
    const args = Float64Array.from(strikes, (k, i) => (near[i] ? (1 - k) / k : 1 / k));
    let logs: Float64Array;
    if (backend === 'wasm') {
      const raw = await diagnosticInstance();
      const l1p = applyDiagnostic(raw, 'elementaryBatch', 2, args);
      const ln = applyDiagnostic(raw, 'elementaryBatch', 1, args);
      logs = Float64Array.from(args, (_, i) => (near[i] ? l1p[i]! : ln[i]!));
    } else {
      logs = Float64Array.from(args, (a, i) => (near[i] ? Math.log1p(a) : Math.log(a)));
    }
    const bad: string[] = [];
    let solved = 0;
    for (let i = 0; i < n; i++) {
      const beta = prices[i]! / (Math.sqrt(1) * Math.sqrt(strikes[i]!));
      // below 2^-960 the batch takes ln beta from ln(price) - ln(F K)/2, the scalar kernel from beta
      if (!(beta >= 2 ** -960)) continue;
      const x = -Math.abs(logs[i]!);
      const scalar = e.kernels.normalisedImpliedVolatility(beta, x, 1);
      if (batch.status[i] === Status.ok) solved++;
      if (!Object.is(scalar, batch.vols[i])) bad.push(`[${i}] K=${strikes[i]} vol=${vols[i]} batch ${batch.vols[i]} scalar ${scalar}`);
    }
    expect(solved).toBeGreaterThan(1500);
    expect(bad.slice(0, 5)).toEqual([]);
  });
});
