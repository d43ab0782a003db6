import { describe, it, expect, beforeAll } from 'vitest';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { Status, InputError, type Engine } from '../src/index.js';

// Issue 11 item 5 (Black part): extreme but valid inputs gave NaN prices with status ok. A price
// is never NaN with status ok, never below its no-arbitrage bound, and where a finite price exists
// it is computed. Item 6: unknown keys of the args objects throw InputError with a suggestion.

const GREEKS = ['delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'] as const;

describe.each(BACKENDS)('Black pricing at the edge of double range (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  // [label, spot, strike, vol, rate, call price, put price]; T = 1, q = 0. Expected values are the
  // limits in closed form: a strike <= 1e-307 is worth nothing beside S (call = S, put = 0), a
  // zero-width distribution gives the discounted intrinsic value, spot 5e-324 makes the call
  // worthless and the put K e^{-r}, rate 1e308 discounts the strike to 0.
  const cases: [string, number, number, number, number, number, number][] = [
    ['strike 1e-307', 100, 1e-307, 0.2, 0.05, 100, 0],
    ['strike 5e-324', 100, 5e-324, 0.2, 0.05, 100, 0],
    ['vol 1e-309', 100, 90, 1e-309, 0.05, 100 - 90 * Math.exp(-0.05), 0],
    ['vol 5e-324', 100, 110, 5e-324, 0.05, 0, 110 * Math.exp(-0.05) - 100],
    ['spot 5e-324', 5e-324, 100, 0.2, 0.05, 0, 100 * Math.exp(-0.05)],
    ['rate 1e308', 100, 100, 0.2, 1e308, 100, 0],
  ];
  it.each(cases)('%s: finite limit price with status ok, greeks not NaN', (_, S, K, vol, r, call, put) => {
    const res = engine.blackScholes({ spots: S, strikes: K, expiries: 1, vols: vol, rates: r, types: ['call', 'put'], greeks: true });
    expect(Array.from(res.status)).toEqual([Status.ok, Status.ok]);
    // the limits are reached to rounding (the time value is below 1e-300 in every case)
    expect(Math.abs(res.price[0] - call)).toBeLessThanOrEqual(4e-16 * Math.max(call, 1e-300));
    expect(Math.abs(res.price[1] - put)).toBeLessThanOrEqual(4e-16 * Math.max(put, 1e-300));
    for (const g of GREEKS) for (const i of [0, 1]) expect(res[g][i], `${g}[${i}]`).not.toBeNaN();
  });

  it('Black-76: strike 1e-307, vol 1e-310, forward 5e-324 give the limit prices, status ok', () => {
    const r = engine.black76({
      forwards: [100, 100, 100, 100, 5e-324, 5e-324], strikes: [1e-307, 1e-307, 90, 90, 100, 100], expiries: 1,
      vols: [0.2, 0.2, 1e-310, 1e-310, 0.2, 0.2], discountFactors: 0.9, types: ['call', 'put', 'call', 'put', 'call', 'put'], greeks: true,
    });
    expect(Array.from(r.status)).toEqual(Array(6).fill(Status.ok));
    const expected = [90, 0, 9, 0, 0, 90];
    expected.forEach((v, i) => expect(Math.abs(r.price[i] - v), `i=${i}`).toBeLessThanOrEqual(1e-13 * Math.max(v, 1)));
    for (const g of GREEKS) r[g].forEach((v, i) => expect(v, `${g}[${i}]`).not.toBeNaN());
  });

  it('never NaN with status ok, never below the no-arbitrage bound, on a grid of extreme inputs', () => {
    const vals = [5e-324, 1e-310, 1e-307, 1e-300, 1e-10, 1, 100, 1e10, 1e300, 1e308];
    const S: number[] = [], K: number[] = [], V: number[] = [], R: number[] = [], T: number[] = [];
    for (const s of vals) for (const k of vals) for (const v of [0, 5e-324, 1e-309, 0.2, 1e10, 1e300]) for (const r of [-1e308, -1, 0, 0.05, 1e308]) for (const t of [0, 1e-300, 1, 1e300]) {
      S.push(s); K.push(k); V.push(v); R.push(r); T.push(t);
    }
    for (const type of ['call', 'put'] as const) {
      const res = engine.blackScholes({ spots: S, strikes: K, expiries: T, vols: V, rates: R, types: type, greeks: true });
      const bad: string[] = [];
      for (let i = 0; i < S.length; i++) {
        const label = `${type} S=${S[i]} K=${K[i]} vol=${V[i]} r=${R[i]} T=${T[i]}`;
        if (res.status[i] !== Status.ok) {
          if (!Number.isNaN(res.price[i])) bad.push(`non-ok but not NaN: ${label}`);
          continue;
        }
        const p = res.price[i];
        if (!Number.isFinite(p)) bad.push(`non-finite price with ok: ${label}`);
        for (const g of GREEKS) if (Number.isNaN(res[g][i])) bad.push(`NaN ${g} with ok: ${label}`);
        // no-arbitrage bound max(theta (S - K e^{-rT}), 0), evaluated as the kernel's inputs allow
        const kd = K[i] * Math.exp(-R[i] * T[i]);
        const bound = Math.max((type === 'call' ? 1 : -1) * (S[i] - kd), 0);
        if (Number.isFinite(bound) && p < bound * (1 - 1e-15)) bad.push(`below bound ${bound}: ${p} ${label}`);
      }
      expect(bad.slice(0, 10)).toEqual([]);
    }
  });

  it('unknown keys throw InputError with the closest key (or the model\'s discounting key)', () => {
    const bs = { spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0.03, types: 'call' as const };
    const e1 = expectInputError(() => engine.blackScholes({ ...bs, dividendYield: 0.02 } as never), 'dividendYield');
    expect(e1.suggestion).toBe('dividendYields');
    expect(expectInputError(() => engine.blackScholes({ ...bs, discountFactors: 0.9 } as never), 'discountFactors').suggestion).toBe('rates');
    expect(expectInputError(() => engine.blackScholes({ ...bs, greek: true } as never), 'greek').suggestion).toBe('greeks');
    expect(expectInputError(() => engine.blackScholes({ ...bs, out: { Delta: new Float64Array(1) } } as never), 'out.Delta').suggestion).toBe('delta');
    const b76 = { forwards: 100, strikes: 100, expiries: 1, vols: 0.2, types: 'call' as const };
    expect(expectInputError(() => engine.black76({ ...b76, rates: 0.05 } as never), 'rates').suggestion).toBe('discountFactors');
    expect(expectInputError(() => engine.black76({ ...b76, settlment: 'coin' } as never), 'settlment').suggestion).toBe('settlement');
    const iv = { prices: 5, forwards: 100, strikes: 100, expiries: 1, types: 'call' as const };
    expect(expectInputError(() => engine.impliedVol({ ...iv, rates: 0.05 } as never), 'rates').suggestion).toBe('discountFactors');
    expect(expectInputError(() => engine.impliedVol({ ...iv, discountFactor: 0.9 } as never), 'discountFactor').suggestion).toBe('discountFactors');
    // the error is an InputError carrying the value
    expect(e1).toBeInstanceOf(InputError);
    expect(e1.value).toBe(0.02);
    // every documented key is accepted
    expect(engine.blackScholes({ ...bs, dividendYields: 0.01, greeks: false, out: { price: new Float64Array(1) } }).status[0]).toBe(Status.ok);
    expect(engine.black76({ ...b76, discountFactors: 0.9, settlement: 'usd', greeks: true, out: { price: new Float64Array(1) } }).status[0]).toBe(Status.ok);
    expect(engine.impliedVol({ ...iv, discountFactors: 1, settlement: 'usd', out: new Float64Array(1) }).status[0]).toBe(Status.ok);
  });
});

describe.each(BACKENDS)('Black-Scholes: r - q overflowing while r T and q T do not (%s; found by the fuzz harness)', (backend) => {
  it('r = -1e308, q = 1e308, T = 2.2e-308: the put is priced from r T and q T, never below 0', async () => {
    const e = await engineFor(backend);
    const T = 2.2250738585072014e-308;
    const r = e.blackScholes({ spots: 34802.682352943215, strikes: 1, expiries: T, vols: 1e-165, rates: -1e308, dividendYields: 1e308, types: 'put', greeks: true });
    // e^{-rT} = e^{2.225}, e^{-qT} = e^{-2.225}: the discounted forward S e^{-qT} = 3749 is far above
    // the discounted strike 9.25, so the zero-vol put is worth 0 (it was -3740 with status ok).
    expect(r.status[0]).toBe(Status.ok);
    expect(r.price[0]).toBe(0);
  });
});

describe.each(BACKENDS)('out arrays (%s; review finding)', (backend) => {
  it('a greek array in out without greeks: true is an InputError (it would never be written)', async () => {
    const e = await engineFor(backend);
    expectInputError(() => e.blackScholes({ spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call', out: { delta: new Float64Array(1) } }), 'out.delta');
    const price = new Float64Array(1);
    e.blackScholes({ spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call', out: { price } });
    expect(price[0]).toBeGreaterThan(0);
  });
});
