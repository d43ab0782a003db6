// The f64x2 pricing kernels compute two options per v128 and send uncommon pairs to the scalar
// element path; each lane must be the scalar path's double. Checked by pricing a batch (pairs) and
// the same options one call each (n = 1 runs the scalar element path), on inputs that put common
// and rare lanes side by side: deep out of and in the money (asymptotic region, underflowing
// densities), tiny and zero vol sqrt(T), small-t and central regions, subnormal and huge ratios,
// invalid elements and type flags, calls and puts. Both backends (the JS twin has no pairs: the
// same comparison holds trivially and guards the facade).
import { describe, expect, it } from 'vitest';
import { BACKENDS, engineFor } from './backends.js';
import { rng } from './seeded-random.js';

const GREEKS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'] as const;

/** Options whose neighbours fall in different regions of the pricing code. */
function mixedInputs(n: number, seed: number) {
  const u = rng(seed);
  const spots = new Float64Array(n), strikes = new Float64Array(n), expiries = new Float64Array(n), vols = new Float64Array(n);
  const rates = new Float64Array(n), dividendYields = new Float64Array(n), discountFactors = new Float64Array(n);
  const types = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(u() * 10);
    const S = 100 * Math.exp(4 * (u() - 0.5));
    let T = 1 / 365 + 2 * u();
    let vol = 0.05 + 1.5 * u();
    let z = 6 * (u() - 0.5); // log-moneyness in sd
    if (kind === 0) z = -(12 + 30 * u()); // deep OTM: asymptotic region or zero value
    if (kind === 9) z = 12 + 30 * u(); // deep ITM: the greeks' density divided out by F/K, or underflowed (then its own)
    if (kind === 1) vol = 1e-9 * u(); // tiny vol sqrt(T)
    if (kind === 2) vol = 0; // s = 0: intrinsic only
    if (kind === 3) T = 0;
    if (kind === 4) z = u() < 0.5 ? 0 : 1e-12; // at the money
    spots[i] = S;
    strikes[i] = kind === 5 ? (u() < 0.5 ? 1e-307 : 1e300) : S * Math.exp(-z * vol * Math.sqrt(T));
    if (!(strikes[i]! > 0)) strikes[i] = S;
    expiries[i] = T;
    vols[i] = vol;
    rates[i] = kind === 6 ? -0.01 : 0.08 * u();
    dividendYields[i] = u() < 0.5 ? 0 : 0.04 * u();
    discountFactors[i] = Math.exp(-rates[i]! * T);
    types[i] = u() < 0.5 ? 1 : -1;
    if (kind === 7 && u() < 0.3) spots[i] = u() < 0.5 ? NaN : -1; // invalid element (NaN, status invalid)
    if (kind === 7 && u() < 0.2) types[i] = [0, 2, -128, 127][Math.floor(u() * 4)]!; // a type flag other than +-1: invalid
    if (kind === 8 && u() < 0.3) types[i] = 1; // runs of the same type
  }
  return { spots, strikes, expiries, vols, rates, dividendYields, discountFactors, types };
}

function pick(a: ReturnType<typeof mixedInputs>, i: number) {
  const one = <T extends Float64Array | Int8Array>(x: T) => x.slice(i, i + 1) as T;
  return {
    spots: one(a.spots), strikes: one(a.strikes), expiries: one(a.expiries), vols: one(a.vols), rates: one(a.rates),
    dividendYields: one(a.dividendYields), discountFactors: one(a.discountFactors), types: one(a.types),
  };
}

describe.each(BACKENDS)('pair path = scalar path, %s', (backend) => {
  for (const greeks of [false, true]) {
    it(`blackScholes${greeks ? ' with greeks' : ''}: a 2,001-option mixed batch equals 2,001 single calls bit for bit`, async () => {
      const e = await engineFor(backend);
      const a = mixedInputs(2001, greeks ? 11 : 12);
      const { discountFactors: _d, ...bs } = a;
      const batch = e.blackScholes({ ...bs, greeks }) as unknown as Record<string, Float64Array> & { status: Uint8Array };
      let bad = 0, first = '';
      let ok = 0;
      for (let i = 0; i < a.spots.length; i++) {
        const { discountFactors: _x, ...one } = pick(a, i);
        const r = e.blackScholes({ ...one, greeks }) as unknown as Record<string, Float64Array> & { status: Uint8Array };
        if (r.status[0] === 0) ok++;
        for (const g of greeks ? GREEKS : (['price'] as const)) {
          if (!Object.is(r[g]![0], batch[g]![i]) || r.status[0] !== batch.status[i]) {
            if (!bad) first = `${g}[${i}]: batch ${batch[g]![i]} single ${r[g]![0]}`;
            bad++;
          }
        }
      }
      expect(bad, first).toBe(0);
      expect(ok).toBeGreaterThan(1500); // the sweep is mostly valid options, so pairs are exercised
    });

    it(`black76${greeks ? ' with greeks' : ''} (usd and coin): a 2,001-option mixed batch equals single calls bit for bit`, async () => {
      const e = await engineFor(backend);
      const a = mixedInputs(2001, greeks ? 21 : 22);
      for (const settlement of ['usd', 'coin'] as const) {
        const args = (x: ReturnType<typeof pick>) => ({
          forwards: x.spots, strikes: x.strikes, expiries: x.expiries, vols: x.vols, discountFactors: x.discountFactors, types: x.types, greeks, settlement,
        });
        const batch = e.black76(args(a)) as unknown as Record<string, Float64Array> & { status: Uint8Array };
        let bad = 0, first = '';
        for (let i = 0; i < a.spots.length; i++) {
          const r = e.black76(args(pick(a, i))) as unknown as Record<string, Float64Array> & { status: Uint8Array };
          for (const g of greeks ? GREEKS : (['price'] as const)) {
            if (!Object.is(r[g]![0], batch[g]![i]) || r.status[0] !== batch.status[i]) {
              if (!bad) first = `${settlement} ${g}[${i}]: batch ${batch[g]![i]} single ${r[g]![0]}`;
              bad++;
            }
          }
        }
        expect(bad, first).toBe(0);
      }
    });
  }
});

describe.each(BACKENDS)('implied vol pair path = scalar path, %s', (backend) => {
  it('impliedVol: a 4,001-quote batch over every branch (lowest, middle, upper, ln beta, at the money, invalid) equals single calls bit for bit', async () => {
    const e = await engineFor(backend);
    const u = rng(31);
    const n = 4001;
    const forwards = new Float64Array(n), strikes = new Float64Array(n), expiries = new Float64Array(n), vols = new Float64Array(n);
    const discountFactors = new Float64Array(n), types = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      const kind = Math.floor(u() * 8);
      const F = 100 * Math.exp(3 * (u() - 0.5));
      const T = kind === 0 ? 1 / 365 : 1 / 365 + 2 * u();
      const vol = kind === 1 ? 0.01 + 0.05 * u() : 0.1 + 2.5 * u();
      const z = kind === 2 ? -(6 + 10 * u()) : kind === 3 ? 0 : 8 * (u() - 0.5);
      forwards[i] = F;
      strikes[i] = kind === 3 ? F : F * Math.exp(-z * vol * Math.sqrt(T));
      expiries[i] = T;
      vols[i] = vol;
      discountFactors[i] = Math.exp(-0.03 * T);
      types[i] = u() < 0.5 ? 1 : -1;
    }
    const prices = e.black76({ forwards, strikes, expiries, vols, discountFactors, types }).price;
    for (let i = 0; i < n; i += 97) prices[i] = i % 2 ? -1 : prices[i]! * 1e-300; // invalid and ln-beta quotes among the pairs
    const batch = e.impliedVol({ prices, forwards, strikes, expiries, discountFactors, types });
    let bad = 0, first = '', ok = 0;
    for (let i = 0; i < n; i++) {
      const one = (a: Float64Array | Int8Array) => a.slice(i, i + 1);
      const r = e.impliedVol({
        prices: one(prices) as Float64Array, forwards: one(forwards) as Float64Array, strikes: one(strikes) as Float64Array,
        expiries: one(expiries) as Float64Array, discountFactors: one(discountFactors) as Float64Array, types: one(types) as Int8Array,
      });
      if (r.status[0] === 0) ok++;
      if (!Object.is(r.vols[0], batch.vols[i]) || r.status[0] !== batch.status[i]) {
        if (!bad) first = `[${i}]: batch ${batch.vols[i]} (${batch.status[i]}) single ${r.vols[0]} (${r.status[0]})`;
        bad++;
      }
    }
    expect(bad, first).toBe(0);
    expect(ok).toBeGreaterThan(3500);
  });
});
