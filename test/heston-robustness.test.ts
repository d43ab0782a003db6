import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { BACKENDS, engineFor, expectInputError, propertySeed } from './backends.js';
import { createEngine, InputError, Status, type Backend, type BatesParams, type Engine, type HestonParams, type HestonPriceArgs, type HestonPriceResult } from '../src/index.js';
import { calibrateHeston } from '../src/calibration/heston-calibration.js';
import { calibrateBates } from '../src/calibration/bates-calibration.js';

// Robustness of hestonPrice / batesPrice (issue 11 items 2, 3 and 5): every call returns whatever
// the inputs, an element never changes another element's result (not by one bit, whatever the
// batch around it and the chunk size), and a price is never NaN with status ok nor outside its
// no-arbitrage bounds.

const P: HestonParams = { v0: 0.04, kappa: 2, theta: 0.05, sigma: 0.6, rho: -0.7 };
const JUMPS = { lambda: 0.5, muJ: -0.1, deltaJ: 0.15 };
const B: BatesParams = { ...P, ...JUMPS };

type Pricer = 'heston' | 'bates';
type Args = Omit<HestonPriceArgs, 'params'> & { params: HestonParams | BatesParams };

function price(engine: Engine, pricer: Pricer, args: Args): HestonPriceResult {
  return pricer === 'heston' ? engine.hestonPrice(args as HestonPriceArgs) : engine.batesPrice(args as Parameters<Engine['batesPrice']>[0]);
}

/** Element i of a result as bit patterns (price, status, gradient row), for exact comparison. */
function element(r: HestonPriceResult, i: number): string {
  const nP = r.gradient ? r.gradient.length / r.price.length : 0;
  const bits = (v: number) => {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, v);
    return b.getBigUint64(0).toString(16);
  };
  const g = r.gradient ? Array.from(r.gradient.subarray(nP * i, nP * i + nP), bits).join(',') : '';
  return `${bits(r.price[i])} ${r.status[i]} ${g}`;
}

/**
 * The contract on one result: NaN (price or gradient) only with a non-ok status, a non-ok status
 * only with NaN everywhere, and an ok price within [DF max(+-(F - K), 0), DF F or DF K] exactly
 * (the kernel puts prices within its quadrature error of a bound onto the bound).
 */
function checkContract(r: HestonPriceResult, F: number[], K: number[], DF: number[], types: ('call' | 'put')[], label: string): void {
  const nP = r.gradient ? r.gradient.length / r.price.length : 0;
  for (let i = 0; i < r.price.length; i++) {
    const row = r.gradient ? Array.from(r.gradient.subarray(nP * i, nP * i + nP)) : [];
    if (r.status[i] === Status.ok) {
      const call = types[i] === 'call';
      const lower = Math.max(0, DF[i] * (call ? F[i] - K[i] : K[i] - F[i]));
      const upper = DF[i] * (call ? F[i] : K[i]);
      expect(r.price[i], `${label} [${i}] F=${F[i]} K=${K[i]}`).toBeGreaterThanOrEqual(lower);
      expect(r.price[i], `${label} [${i}] F=${F[i]} K=${K[i]}`).toBeLessThanOrEqual(upper);
      for (const g of row) expect(Number.isFinite(g), `${label} [${i}] gradient`).toBe(true);
    } else {
      expect(r.price[i], `${label} [${i}] status ${r.status[i]}`).toBeNaN();
      for (const g of row) expect(g).toBeNaN();
    }
  }
}

describe.each(BACKENDS)('Heston/Bates robustness (%s)', (backend) => {
  let engine: Engine;
  const chunked = new Map<number, Engine>();
  beforeAll(async () => {
    engine = await engineFor(backend);
    for (const chunkSize of [1, 2, 3, 5]) chunked.set(chunkSize, await createEngine({ backend, chunkSize }));
  });

  describe.each(['heston', 'bates'] as const)('%s', (pricer) => {
    const params = pricer === 'heston' ? P : B;

    it('returns when ln(F/K) overflows (forward 1e300 with strike 1e-9; strike 5e-324): that element NaN + notConverged, the others as priced without it', () => {
      // Before the fix both calls never returned (the oscillation cap became 0).
      for (const gradient of [false, true]) {
        const alone = price(engine, pricer, { forwards: 100, strikes: [90, 100, 120], expiries: 0.5, types: 'call', params, gradient });
        for (const [F, K] of [[1e300, 1e-9], [100, 5e-324], [5e-324, 1e300]]) {
          for (const first of [true, false]) {
            const forwards = first ? [F, 100, 100, 100] : [100, 100, 100, F];
            const strikes = first ? [K, 90, 100, 120] : [90, 100, 120, K];
            const r = price(engine, pricer, { forwards, strikes, expiries: 0.5, types: 'call', params, gradient });
            const bad = first ? 0 : 3;
            expect(r.status[bad], `F=${F} K=${K}`).toBe(Status.notConverged);
            expect(r.price[bad]).toBeNaN();
            for (let j = 0; j < 3; j++) expect(element(r, first ? j + 1 : j)).toBe(element(alone, j));
          }
        }
      }
    });

    it('a far strike in an expiry (1e-30 with F = 100; 1e-10 with F = 70000) does not sink the others of that expiry, nor change their bits', () => {
      // Before the fix every option of the expiry came back NaN / notConverged.
      for (const [F, far, near] of [[100, 1e-30, [80, 95, 100, 105, 130]], [70000, 1e-10, [50000, 65000, 70000, 75000, 90000]]] as const) {
        for (const gradient of [false, true]) {
          const base = { expiries: 0.25, types: 'put' as const, params, gradient };
          const alone = price(engine, pricer, { ...base, forwards: F, strikes: [...near] });
          const mixed = price(engine, pricer, { ...base, forwards: F, strikes: [near[0], near[1], far, near[2], near[3], near[4]] });
          expect(mixed.status[2]).not.toBe(Status.ok);
          expect([0, 1, 3, 4, 5].map((i) => element(mixed, i))).toEqual([0, 1, 2, 3, 4].map((i) => element(alone, i)));
          for (let i = 0; i < near.length; i++) expect(alone.status[i]).toBe(Status.ok);
        }
      }
    });

    it('the other strikes of an expiry, their order and the chunk size never change an element by one bit', () => {
      // Before the fix a wider |ln(F/K)| in the same expiry (or chunk) changed the panels of all.
      const strikes = [60, 100, 140, 85, 300, 115, 30, 100.5];
      const expiries = [0.5, 0.5, 0.5, 0.02, 0.5, 0.02, 2, 2];
      const types: ('call' | 'put')[] = ['put', 'call', 'call', 'put', 'call', 'call', 'put', 'call'];
      for (const gradient of [false, true]) {
        const one = strikes.map((K, i) => element(price(engine, pricer, { forwards: 100, strikes: K, expiries: expiries[i], types: types[i], params, gradient }), 0));
        const all = price(engine, pricer, { forwards: 100, strikes, expiries, types, params, gradient });
        expect(strikes.map((_, i) => element(all, i))).toEqual(one);
        for (const [chunkSize, e] of chunked) {
          const r = price(e, pricer, { forwards: 100, strikes, expiries, types, params, gradient });
          expect(strikes.map((_, i) => element(r, i)), `chunkSize ${chunkSize}`).toEqual(one);
        }
      }
    });

    it('NaN is never ok: kappa, theta or sigma of 1e308, or a sigma whose square is not a normal number, give NaN with a non-ok status (zero expiry stays the intrinsic value)', () => {
      // Before the fix these came back NaN with Status.ok.
      const strikes = [90, 100, 110, 90];
      const expiries = [1, 1, 1, 0];
      for (const patch of [{ kappa: 1e308 }, { theta: 1e308 }, { sigma: 1e308 }, { sigma: 5e-324 }, { sigma: 1e-160 }, { kappa: 1e308, theta: 1e308 }]) {
        for (const gradient of [false, true]) {
          const r = price(engine, pricer, { forwards: 100, strikes, expiries, types: 'call', params: { ...params, ...patch }, gradient });
          checkContract(r, [100, 100, 100, 100], strikes, [1, 1, 1, 1], ['call', 'call', 'call', 'call'], JSON.stringify(patch));
          for (let i = 0; i < 3; i++) expect(r.status[i], JSON.stringify(patch)).not.toBe(Status.ok);
          expect(r.status[3]).toBe(Status.ok);
          expect(r.price[3]).toBe(10);
        }
      }
    });

    it('a price is never below its no-arbitrage lower bound: the 1-day example (strikes 60 put, 140 call; sigma 2.5, rho -0.95) and a sweep of far strikes', () => {
      // Before the fix the example gave -4.4e-15 and -7.0e-15 with status ok.
      const ex = { forwards: 100, strikes: [60, 140], expiries: 1 / 365, types: ['put', 'call'] as ('call' | 'put')[] };
      const exParams = { ...params, v0: 0.09, kappa: 0.3, theta: 0.09, sigma: 2.5, rho: -0.95 };
      const r = price(engine, pricer, { ...ex, params: exParams });
      expect(Array.from(r.status)).toEqual([Status.ok, Status.ok]);
      checkContract(r, [100, 100], ex.strikes, [1, 1], ex.types, 'example');
      // Out-of-the-money options (true value tiny) and deep in-the-money ones (true value just above
      // the intrinsic value), where rounding alone used to cross the bound.
      const strikes: number[] = [], expiries: number[] = [], types: ('call' | 'put')[] = [], F: number[] = [], DF: number[] = [];
      for (const T of [1 / 365, 7 / 365, 0.25, 1]) {
        for (let k = -24; k <= 24; k++) {
          for (const type of ['call', 'put'] as const) {
            strikes.push(100 * Math.exp(0.1 * k * Math.sqrt(T) * 4));
            expiries.push(T);
            types.push(type);
            F.push(100);
            DF.push(0.97);
          }
        }
      }
      for (const p of [exParams, params, { ...params, v0: 0.5, kappa: 0.7, theta: 0.3, sigma: 1.8, rho: 0.3 }]) {
        const s = price(engine, pricer, { forwards: 100, strikes, expiries, types, discountFactors: 0.97, params: p, gradient: true });
        checkContract(s, F, strikes, DF, types, JSON.stringify(p));
      }
    });

    it('unknown keys in the arguments or in params are InputErrors naming the key, with the closest valid one', () => {
      const base = { forwards: 100, strikes: [90, 110], expiries: 1, types: 'call' as const, params };
      const call = (args: Record<string, unknown>) => () => price(engine, pricer, args as unknown as Args);
      expect(expectInputError(call({ ...base, dividendYield: 0.01 }), 'dividendYield').suggestion).toBe('dividendYields');
      expect(expectInputError(call({ ...base, discountFactor: 0.9 }), 'discountFactor').suggestion).toBe('discountFactors');
      expect(expectInputError(call({ ...base, gradients: true }), 'gradients').suggestion).toBe('gradient');
      expect(expectInputError(call({ ...base, params: { ...params, kapa: 2 } }), 'params.kapa').suggestion).toBe('kappa');
      if (pricer === 'bates') expect(expectInputError(call({ ...base, params: { ...params, lamda: 1 } }), 'params.lamda').suggestion).toBe('lambda');
      else {
        // A BatesParams object is a HestonParams (TypeScript subtyping): with lambda 0 (no jumps)
        // hestonPrice takes it; a jump intensity it would have to drop is an InputError.
        expect(element(engine.hestonPrice({ ...base, params: { ...params, lambda: 0, muJ: 0, deltaJ: 0.1 } as HestonParams }), 1)).toBe(element(engine.hestonPrice(base), 1));
        expectInputError(() => engine.hestonPrice({ ...base, params: { ...params, lambda: 1, muJ: 0, deltaJ: 0.1 } as HestonParams }), 'params.lambda');
        // The jump keys beside lambda 0 are checked too (they were accepted unread).
        expectInputError(() => engine.hestonPrice({ ...base, params: { ...params, lambda: 0, muJ: 'x', deltaJ: 0.1 } as never }), 'params.muJ');
      }
    });
  });

  it('Bates with no diffusive variance (v0 = theta = 0) but jumps is not the intrinsic value with status ok', () => {
    // Before the fix the zero-variance shortcut ignored the jumps and returned DF max(F - K, 0).
    const r = engine.batesPrice({ forwards: 100, strikes: [90, 100, 110], expiries: 1, types: 'call', params: { ...B, v0: 0, theta: 0 } });
    for (let i = 0; i < 3; i++) {
      if (r.status[i] === Status.ok) expect(r.price[i]).toBeGreaterThan(Math.max(0, 100 - [90, 100, 110][i]));
      else expect(r.price[i]).toBeNaN();
    }
    // Without jumps (lambda 0) the shortcut still applies.
    const h = engine.batesPrice({ forwards: 100, strikes: [90, 110], expiries: 1, types: 'call', params: { ...B, v0: 0, theta: 0, lambda: 0 } });
    expect(Array.from(h.price)).toEqual([10, 0]);
  });

  it('calibrateHeston and calibrateBates return when the first quote of an expiry has an ln(F/K) that overflows', () => {
    // Before the fix both never returned.
    for (const [F, K] of [[1e300, 1e-9], [100, 5e-324]]) {
      const args = { forwards: [F, 100, 100, 100], quotes: { strikes: [K, 90, 100, 110], expiries: 0.5, vols: [0.3, 0.25, 0.2, 0.22] }, maxIterations: 3 };
      for (const fit of [() => calibrateHeston(engine, args), () => calibrateBates(engine, args)]) {
        try {
          expect(typeof fit().reason).toBe('string');
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
        }
      }
    }
  });
});

describe('Heston/Bates: no element changes another (property, both backends)', () => {
  it('a random extra element appended, prepended or inserted, and a random chunk size, leave every other element bit for bit', async () => {
    const engines: Record<Backend, Engine[]> = { wasm: [], js: [] };
    for (const backend of BACKENDS) {
      engines[backend].push(await engineFor(backend));
      for (const chunkSize of [1, 2, 3, 7]) engines[backend].push(await createEngine({ backend, chunkSize }));
    }
    const seed = propertySeed('heston extra element');
    const hostile = fc.constantFrom(1e300, 1e-300, 5e-324, 0, NaN, Infinity, -0, 1e-30, 1e30);
    const positive = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true });
    const expiry = fc.oneof(fc.constantFrom(1 / 365, 0.1, 0.5, 2), positive(1e-3, 5));
    const option = fc.record({
      F: positive(50, 200),
      z: positive(-2, 2), // ln(K/F) in units of sqrt(T)
      T: expiry,
      call: fc.boolean(),
    });
    const extra = fc.record({
      F: fc.oneof(positive(50, 200), hostile),
      K: fc.oneof(positive(1, 500), positive(1e-12, 1e-6), hostile),
      T: fc.oneof(expiry, hostile),
      call: fc.boolean(),
    });
    const model = fc.record({
      v0: positive(0.005, 0.5), kappa: positive(0.1, 6), theta: positive(0.005, 0.5), sigma: positive(0.05, 2.5), rho: positive(-0.95, 0.95),
      lambda: positive(0, 2), muJ: positive(-0.3, 0.2), deltaJ: positive(0, 0.4),
    });
    fc.assert(
      fc.property(
        fc.array(option, { minLength: 1, maxLength: 8 }), extra, model,
        fc.nat(), fc.nat({ max: 4 }), fc.boolean(), fc.constantFrom<Pricer>('heston', 'bates'), fc.constantFrom<Backend>(...BACKENDS),
        (opts, x, m, where, chunkPick, gradient, pricer, backend) => {
          const forwards = opts.map((o) => o.F);
          const strikes = opts.map((o) => o.F * Math.exp(o.z * Math.sqrt(o.T)));
          const expiries = opts.map((o) => o.T);
          const types = opts.map((o) => (o.call ? 'call' : 'put') as 'call' | 'put');
          const params = pricer === 'heston' ? { v0: m.v0, kappa: m.kappa, theta: m.theta, sigma: m.sigma, rho: m.rho } : m;
          const base = price(engines[backend][0], pricer, { forwards, strikes, expiries, types, params, gradient });
          const at = where % (opts.length + 1); // 0: prepended, opts.length: appended
          const ins = <T,>(a: T[], v: T) => [...a.slice(0, at), v, ...a.slice(at)];
          const r = price(engines[backend][chunkPick], pricer, {
            forwards: ins(forwards, x.F), strikes: ins(strikes, x.K), expiries: ins(expiries, x.T), types: ins(types, x.call ? 'call' : 'put'), params, gradient,
          });
          for (let i = 0; i < opts.length; i++) expect(element(r, i < at ? i : i + 1), `element ${i}`).toBe(element(base, i));
          expect(Number.isNaN(r.price[at])).toBe(r.status[at] !== Status.ok);
        },
      ),
      { seed, numRuns: 150 },
    );
  });
});

describe('Heston/Bates: hostile values in every numeric field return, never NaN with status ok, same statuses on both backends', () => {
  const HOSTILE = [1e300, -1e300, 1e-300, 5e-324, 0, -0, NaN, Infinity, -Infinity];
  const ELEMENT_FIELDS = ['forwards', 'strikes', 'expiries', 'discountFactors', 'spots', 'rates', 'dividendYields'] as const;
  const PARAM_FIELDS = ['v0', 'kappa', 'theta', 'sigma', 'rho', 'lambda', 'muJ', 'deltaJ'] as const;
  // Measured: well under 50 ms per call on either backend (most elements fail fast or need a few
  // hundred panels at most); 5 s only catches a hang or a runaway loop.
  const TIME_LIMIT_MS = 5000;

  it.each(['heston', 'bates'] as const)('%s', async (pricer) => {
    const [w, j] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    const strikes = [80, 100, 125, 100];
    const expiries = [0.5, 0.5, 0.5, 1 / 365];
    const types: ('call' | 'put')[] = ['put', 'call', 'call', 'put'];
    const params = pricer === 'heston' ? P : B;
    const cases: { label: string; args: Args }[] = [];
    for (const field of ELEMENT_FIELDS) {
      for (const v of HOSTILE) {
        for (const at of [0, 1, 3]) {
          const onSpot = field === 'spots' || field === 'dividendYields';
          const args: Record<string, unknown> = { strikes: [...strikes], expiries: [...expiries], types, params, gradient: true };
          if (onSpot) {
            args.spots = [100, 100, 100, 100];
            args.rates = 0.01;
            args.dividendYields = [0.02, 0.02, 0.02, 0.02];
          } else {
            args.forwards = [100, 100, 100, 100];
            if (field === 'rates') args.rates = [0.01, 0.01, 0.01, 0.01];
            else args.discountFactors = [0.99, 0.99, 0.99, 0.99];
          }
          (args[field] as number[])[at] = v;
          cases.push({ label: `${field}[${at}] = ${v}`, args: args as unknown as Args });
        }
      }
    }
    for (const field of PARAM_FIELDS) {
      if (pricer === 'heston' && (field === 'lambda' || field === 'muJ' || field === 'deltaJ')) continue;
      for (const v of HOSTILE) {
        cases.push({ label: `params.${field} = ${v}`, args: { forwards: 100, strikes, expiries, types, params: { ...params, [field]: v }, gradient: true } });
      }
    }
    let worst = 0;
    for (const { label, args } of cases) {
      const results: (HestonPriceResult | InputError)[] = [];
      for (const e of [w, j]) {
        const t0 = performance.now();
        try {
          results.push(price(e, pricer, args));
        } catch (err) {
          expect(err, label).toBeInstanceOf(InputError);
          results.push(err as InputError);
        }
        const dt = performance.now() - t0;
        worst = Math.max(worst, dt);
        expect(dt, label).toBeLessThan(TIME_LIMIT_MS);
      }
      const [a, b] = results;
      if (a instanceof InputError || b instanceof InputError) {
        expect(b instanceof InputError && a instanceof InputError && a.path === b.path, label).toBe(true);
        continue;
      }
      expect(Array.from(a.status), label).toEqual(Array.from(b.status));
      for (const r of [a, b]) {
        for (let i = 0; i < r.price.length; i++) {
          expect(Number.isNaN(r.price[i]), `${label} [${i}]`).toBe(r.status[i] !== Status.ok);
          if (r.status[i] === Status.ok) expect(Number.isFinite(r.price[i]) && r.price[i] >= 0, `${label} [${i}]: ${r.price[i]}`).toBe(true);
          for (let k = 0; k < r.gradient!.length / r.price.length; k++) {
            const g = r.gradient![(r.gradient!.length / r.price.length) * i + k];
            expect(r.status[i] === Status.ok ? Number.isFinite(g) : Number.isNaN(g), `${label} [${i}] gradient`).toBe(true);
          }
        }
      }
    }
    console.log(`[${pricer}] ${cases.length} hostile cases, slowest call ${worst.toFixed(1)} ms`);
  });
});

describe('Heston/Bates: deep in the money, the bound band covers the rounding of the price itself', () => {
  it('F = 1e30, K = 1398 (found by the fuzz harness): both backends ok, on the bound, same status', async () => {
    const params = {
      v0: 0.2821373657071236, kappa: 0.42197590211544, theta: 0.11272680583606876, sigma: 0.01, rho: -1e-134,
      lambda: 5, muJ: 1e-180, deltaJ: 0.5,
    };
    const args = { forwards: [1e30, 1e30, 1e25], strikes: [1397.6882934190164, 1e3, 1], expiries: [0.03553432214219622, 0.5, 2], types: ['call', 'put', 'call'] as const };
    const got = await Promise.all(BACKENDS.map(async (b) => (await engineFor(b)).batesPrice({ ...args, types: [...args.types], params })));
    for (const r of got) {
      // A price of 1e30 carries an ulp of 1.4e14, far above 1e-12 sqrt(F K) = 3.7e4: rounding alone
      // used to push JS's price outside [F - K, F] by more than that band, giving NaN + notConverged.
      expect(Array.from(r.status)).toEqual([Status.ok, Status.ok, Status.ok]);
      expect(r.price[0]).toBeGreaterThanOrEqual(1e30 - 1397.6882934190164);
      expect(r.price[0]).toBeLessThanOrEqual(1e30);
      expect(r.price[1]).toBeGreaterThanOrEqual(0);
      expect(r.price[1]).toBeLessThanOrEqual(1e3);
    }
    expect(Array.from(got[0].status)).toEqual(Array.from(got[1].status));
  });
});
