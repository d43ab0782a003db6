// The one-option path of the pricing facade (src/pricing/one-option.ts): a call with one option
// skips the batch machinery but must be indistinguishable from it. Checked against the batch path
// itself (a two-option batch never takes the one-option path; on WASM it runs the f64x2 pair code,
// whose lanes equal the scalar element path bit for bit, test/simd-pricing.test.ts): every column
// and the status bit for bit, whatever form each input takes (number, Float64Array(1), [x],
// Int8Array types), hostile values included. Calls the path does not take (anything but one
// option, every malformed call) must be declined, so the batch path raises the contract's errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Status, type Engine } from '../src/index.js';
import { black76One, blackScholesOne, impliedVolOne } from '../src/pricing/one-option.js';
import { BACKENDS, engineFor, expectInputError, propertySeed } from './backends.js';

const COLUMNS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga', 'premiumAdjustedDelta'] as const;

/** Numbers at and past the domain edges, mixed into ordinary values. */
const EDGES = [0, -0, -1, NaN, Infinity, -Infinity, 5e-324, 1e-300, 1e-10, 1e300, -1e308];
const num = (min: number, max: number) => fc.oneof(
  { arbitrary: fc.double({ min, max, noNaN: true }), weight: 5 },
  { arbitrary: fc.constantFrom(...EDGES), weight: 1 },
);

type Form = 0 | 1 | 2;
/** One input in one of the forms a caller may pass: a number, a Float64Array(1), a plain [x]. */
const shape = (x: number, form: Form): number | Float64Array | number[] => (form === 0 ? x : form === 1 ? Float64Array.of(x) : [x]);
const typeShape = (t: number, form: Form): 'call' | 'put' | Int8Array | ('call' | 'put')[] => {
  if (form === 1) return Int8Array.of(t); // an Int8Array keeps any value: the kernel flags it per element
  const name = t === 1 ? 'call' : 'put';
  return form === 0 ? name : [name];
};
const forms = (k: number) => fc.array(fc.constantFrom<Form>(0, 1, 2), { minLength: k, maxLength: k });

/** Every column of `one` equals element 0 of `batch` bit for bit, status too; the same keys. */
function sameAsElement0(one: Record<string, unknown>, batch: Record<string, unknown>): string | undefined {
  const keys = (r: Record<string, unknown>) => Object.keys(r).join(',');
  if (keys(one) !== keys(batch)) return `keys ${keys(one)} vs ${keys(batch)}`;
  for (const k of [...COLUMNS, 'vols'] as const) {
    const a = one[k] as Float64Array | undefined;
    const b = batch[k] as Float64Array | undefined;
    if (a === undefined && b === undefined) continue;
    if (!(a instanceof Float64Array) || a.length !== 1 || !Object.is(a[0], b![0])) return `${k}: ${a?.[0]} vs ${b?.[0]}`;
  }
  const s = one.status as Uint8Array;
  if (!(s instanceof Uint8Array) || s.length !== 1 || s[0] !== (batch.status as Uint8Array)[0]) return `status ${s[0]} vs ${(batch.status as Uint8Array)[0]}`;
  return undefined;
}

describe.each(BACKENDS)('pricing, one option per call (%s)', (backend) => {
  const get = (): Promise<Engine> => engineFor(backend);

  it('property: blackScholes with one option, in any input form, equals element 0 of a two-option batch bit for bit (fast-check)', async () => {
    const e = await get();
    const seed = propertySeed(`blackScholes one option ${backend}`);
    fc.assert(fc.property(
      num(1e-3, 1e5), num(1e-3, 1e5), num(0, 5), num(0, 3), num(-0.2, 0.3), num(-0.1, 0.2), fc.constantFrom(1, -1, 0, 3), fc.boolean(), forms(7),
      fc.boolean(),
      (S, K, T, vol, r, q, type, greeks, f, withQ) => {
        const t = type === 1 || type === -1 ? type : 1;
        const typeForm: Form = type === 1 || type === -1 ? f[6]! : 1; // only an Int8Array can carry 0 or 3
        const args = {
          spots: shape(S, f[0]!), strikes: shape(K, f[1]!), expiries: shape(T, f[2]!), vols: shape(vol, f[3]!), rates: shape(r, f[4]!),
          ...(withQ ? { dividendYields: shape(q, f[5]!) } : {}), types: typeForm === 1 ? Int8Array.of(type) : typeShape(t, typeForm), greeks,
        };
        const one = blackScholesOne(e, args);
        if (one === undefined) return false; // every call of this shape takes the one-option path
        const batch = e.blackScholes({
          spots: [S, 100], strikes: [K, 100], expiries: [T, 1], vols: [vol, 0.2], rates: [r, 0], dividendYields: [withQ ? q : 0, 0],
          types: Int8Array.of(typeForm === 1 ? type : t, 1), greeks,
        });
        const bad = sameAsElement0(one as never, batch as never) ?? sameAsElement0(e.blackScholes(args) as never, batch as never);
        if (bad !== undefined) throw new Error(bad);
        return true;
      },
    ), { seed, numRuns: 400 });
  });

  it('property: black76 (usd and coin settlement) and impliedVol with one option equal element 0 of a two-option batch (fast-check)', async () => {
    const e = await get();
    const seed = propertySeed(`black76 / impliedVol one option ${backend}`);
    fc.assert(fc.property(
      num(1e-3, 1e5), num(1e-3, 1e5), num(0, 5), num(0, 3), num(0.3, 1), fc.constantFrom(1, -1), fc.boolean(), fc.constantFrom(undefined, 'usd', 'coin'),
      forms(6), fc.boolean(),
      (F, K, T, vol, DF, t, greeks, settlement, f, withDf) => {
        const args = {
          forwards: shape(F, f[0]!), strikes: shape(K, f[1]!), expiries: shape(T, f[2]!), vols: shape(vol, f[3]!),
          ...(withDf ? { discountFactors: shape(DF, f[4]!) } : {}), types: typeShape(t, f[5]!), greeks, ...(settlement ? { settlement } : {}),
        } as const;
        const one = black76One(e, args);
        if (one === undefined) return false;
        const batch = e.black76({
          forwards: [F, 100], strikes: [K, 100], expiries: [T, 1], vols: [vol, 0.2], discountFactors: [withDf ? DF : 1, 1], types: Int8Array.of(t, 1),
          greeks, settlement,
        });
        let bad = sameAsElement0(one as never, batch as never) ?? sameAsElement0(e.black76(args) as never, batch as never);
        if (bad !== undefined) throw new Error(`black76: ${bad}`);
        // Invert the price just computed (and a perturbed one: below intrinsic, above the maximum, NaN).
        const price = batch.price[0]!;
        for (const p of [price, price * 1.5, price * 0.5, -price]) {
          const ivArgs = {
            prices: shape(p, f[3]!), forwards: shape(F, f[0]!), strikes: shape(K, f[1]!), expiries: shape(T, f[2]!),
            ...(withDf ? { discountFactors: shape(DF, f[4]!) } : {}), types: typeShape(t, f[5]!), ...(settlement ? { settlement } : {}),
          } as const;
          const iv = impliedVolOne(e, ivArgs);
          if (iv === undefined) return false;
          const ivBatch = e.impliedVol({
            prices: [p, 5], forwards: [F, 100], strikes: [K, 100], expiries: [T, 1], discountFactors: [withDf ? DF : 1, 1], types: Int8Array.of(t, 1), settlement,
          });
          bad = sameAsElement0(iv as never, ivBatch as never) ?? sameAsElement0(e.impliedVol(ivArgs) as never, ivBatch as never);
          if (bad !== undefined) throw new Error(`impliedVol(${p}): ${bad}`);
        }
        return true;
      },
    ), { seed, numRuns: 200 });
  });

  it('writes into the caller\'s one-element out arrays (and returns them); without out every call returns new arrays', async () => {
    const e = await get();
    const base = { spots: 100, strikes: 95, expiries: 0.5, vols: 0.3, rates: 0.02, types: 'put' as const };
    const out = { price: new Float64Array(1), delta: new Float64Array(1), gamma: new Float64Array(1), vega: new Float64Array(1),
      theta: new Float64Array(1), rho: new Float64Array(1), vanna: new Float64Array(1), volga: new Float64Array(1) };
    const r = blackScholesOne(e, { ...base, greeks: true, out })!;
    const ref = e.blackScholes({ ...base, spots: [100, 100], greeks: true });
    for (const k of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'] as const) {
      expect(r[k]).toBe(out[k]);
      expect(Object.is(out[k][0], ref[k][0])).toBe(true);
    }
    // Some outputs given, the others allocated; a greek key present but undefined without greeks.
    const price = new Float64Array(1);
    const part = e.blackScholes({ ...base, out: { price, delta: undefined } });
    expect(part.price).toBe(price);
    const a = e.blackScholes(base);
    const b = e.blackScholes(base);
    expect(a.price).not.toBe(b.price);
    expect(a.status).not.toBe(b.status);
    // Each out field is read once, as the batch path reads it: a getter's first answer is the array used.
    let reads = 0;
    const first = new Float64Array(1);
    const viaGetter = e.blackScholes({ ...base, out: { get price() { reads++; return reads === 1 ? first : new Float64Array(3); } } });
    expect(viaGetter.price).toBe(first);
    expect(reads).toBe(1);
    expect(Object.is(first[0], ref.price[0])).toBe(true);
    // An inherited, non-enumerable out.price of the wrong length: declined, then the batch path's error.
    const inherited = Object.create(Object.defineProperty({}, 'price', { value: new Float64Array(3), enumerable: false })) as object;
    expect(blackScholesOne(e, { ...base, out: inherited })).toBeUndefined();
    expectInputError(() => e.blackScholes({ ...base, out: inherited }), 'out.price');
    const vols = new Float64Array(1);
    const iv = e.impliedVol({ prices: ref.price[0]!, forwards: 100 * Math.exp(0.01), strikes: 95, expiries: 0.5, types: 'put', out: vols });
    expect(iv.vols).toBe(vols);
    expect(iv.status[0]).toBe(Status.ok);
  });

  it('takes an `out` object exactly when the batch path accepts its keys (own output names; inherited keys ignored)', async () => {
    const e = await get();
    const good = { spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0.01, types: 'call' as const };
    const names = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'];
    // Present but undefined: a known name is allowed (even without greeks), anything else is not.
    for (const key of [...names, 'prices', 'Price', 'status', 'premiumAdjustedDelta', 'constructor', '']) {
      for (const greeks of [false, true]) {
        const out: Record<string, unknown> = { [key]: undefined, price: new Float64Array(1) };
        let batchOk = true;
        try {
          e.blackScholes({ ...good, greeks, out: { ...out } } as never);
        } catch {
          batchOk = false;
        }
        expect(batchOk, `batch path, out key '${key}'`).toBe(names.includes(key));
        expect(blackScholesOne(e, { ...good, greeks, out: { ...out } }) !== undefined, `one-option path, out key '${key}', greeks ${greeks}`).toBe(batchOk);
      }
    }
    // An inherited enumerable key is not the caller's own: both paths ignore it.
    const price = new Float64Array(1);
    const withInherited = Object.assign(Object.create({ bogus: new Float64Array(1) }) as object, { price });
    const r = blackScholesOne(e, { ...good, out: withInherited })!;
    expect(r.price).toBe(price);
    expect(Object.is(price[0], e.blackScholes({ ...good, spots: [100, 100] }).price[0])).toBe(true);
  });

  it('declines everything but one well-formed option, so the batch path raises the contract\'s errors', async () => {
    const e = await get();
    const good = { spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0.01, types: 'call' as const };
    const declined: Record<string, unknown>[] = [
      { ...good, spots: [100, 101] }, { ...good, spots: new Float64Array(0) }, { ...good, spots: '100' }, { ...good, spots: ['100'] },
      { ...good, spots: new Float32Array([100]) }, { ...good, rates: undefined }, { ...good, dividendYields: null },
      { ...good, types: 'cal' }, { ...good, types: ['call', 'put'] }, { ...good, types: [2] }, { ...good, types: Int8Array.of(1, 1) },
      { ...good, greeks: 1 }, { ...good, out: null }, { ...good, out: [] }, { ...good, out: { price: new Float64Array(2) } },
      { ...good, out: { price: [0] } }, { ...good, out: { delta: new Float64Array(1) } }, { ...good, out: { prices: new Float64Array(1) } },
    ];
    for (const args of declined) expect(blackScholesOne(e, args as never), JSON.stringify(Object.keys(args))).toBeUndefined();
    // The same calls through the facade: the errors of the batch path, or its results.
    expectInputError(() => e.blackScholes({ ...good, spots: '100' } as never), 'spots');
    expectInputError(() => e.blackScholes({ ...good, spots: ['100'] } as never), 'spots[0]');
    expectInputError(() => e.blackScholes({ ...good, rates: undefined } as never), 'rates');
    expectInputError(() => e.blackScholes({ ...good, types: [2] } as never), 'types[0]');
    expectInputError(() => e.blackScholes({ ...good, greeks: 1 } as never), 'greeks');
    expectInputError(() => e.blackScholes({ ...good, out: { price: new Float64Array(2) } }), 'out.price');
    expectInputError(() => e.blackScholes({ ...good, out: { delta: new Float64Array(1) } }), 'out.delta');
    expectInputError(() => e.blackScholes({ ...good, out: { prices: new Float64Array(1) } } as never), 'out.prices');
    expect(Object.is(e.blackScholes({ ...good, spots: new Float32Array([100]) }).price[0], e.blackScholes(good).price[0])).toBe(true);
    expect(black76One(e, { forwards: 100, strikes: 100, expiries: 1, vols: 0.2, types: 'call', settlement: 'inverse' })).toBeUndefined();
    expectInputError(() => e.black76({ forwards: 100, strikes: 100, expiries: 1, vols: 0.2, types: 'call', settlement: 'inverse' as never }), 'settlement');
    expect(impliedVolOne(e, { prices: 5, forwards: 100, strikes: 100, expiries: 1, types: 'call', out: new Float64Array(2) })).toBeUndefined();
    expectInputError(() => e.impliedVol({ prices: 5, forwards: 100, strikes: 100, expiries: 1, types: 'call', out: new Float64Array(2) }), 'out');
  });

  it('reads every input before touching the heap: a getter that calls the engine cannot change the result; inputs are not mutated', async () => {
    const e = await get();
    const plain = e.blackScholes({ spots: 100, strikes: 90, expiries: 0.25, vols: 0.4, rates: 0.03, types: 'call', greeks: true });
    const strikes = Float64Array.of(90);
    const args = {
      get spots() {
        e.blackScholes({ spots: 50, strikes: 70, expiries: 2, vols: 0.9, rates: 0.1, types: 'put', greeks: true });
        return 100;
      },
      strikes, expiries: [0.25], vols: 0.4,
      get rates() {
        e.impliedVol({ prices: 3, forwards: 120, strikes: 100, expiries: 1, types: 'call' });
        return 0.03;
      },
      types: ['call' as const], greeks: true as const,
    };
    const got = e.blackScholes(args);
    for (const k of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'] as const) expect(Object.is(got[k][0], plain[k][0]), k).toBe(true);
    expect(strikes[0]).toBe(90);
    expect(args.expiries).toEqual([0.25]);
  });
});
