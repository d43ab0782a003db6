/**
 * Engine-resident arrays (engine.allocateArray, issue 13 session 9): the batch pricing calls read
 * and write them in place on the WASM backend and copy them on the JS twin; the results must be
 * those of the same call over caller-owned arrays, bit for bit (Object.is), on every path: chunked
 * by pointer (engines with small odd chunk sizes), mixed resident / owned / scalar inputs, greeks
 * in one resident block or in separate arrays, aliasing inputs and outputs, workers. The reference
 * is the existing copying path (itself tested against closed forms elsewhere); a test here fails
 * if the resident path reads a column at the wrong offset, writes a chunk to the wrong place,
 * skips the status, or lets a freed / detached array through.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type PricingResult, type ResidentArray } from '../src/index.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { differences, surface } from './resident-fixtures.js';

const GREEKS = ['delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'] as const;

type Cols = ReturnType<typeof surface>;
const F64_COLS = ['spots', 'strikes', 'expiries', 'vols', 'rates', 'dividendYields'] as const;

/** Copy a surface into resident arrays of `e`; returns the handles (re-read `.array` before use). */
function residentCopy(e: Engine, s: Cols) {
  const n = s.spots.length;
  const h = {
    spots: e.allocateArray({ type: 'f64', length: n }), strikes: e.allocateArray({ type: 'f64', length: n }),
    expiries: e.allocateArray({ type: 'f64', length: n }), vols: e.allocateArray({ type: 'f64', length: n }),
    rates: e.allocateArray({ type: 'f64', length: n }), dividendYields: e.allocateArray({ type: 'f64', length: n }),
    types: e.allocateArray({ type: 'i8', length: n }),
  };
  for (const k of F64_COLS) h[k].array.set(s[k]);
  h.types.array.set(s.types);
  return h;
}

type Handles = ReturnType<typeof residentCopy>;
const views = (h: Handles) => ({
  spots: h.spots.array, strikes: h.strikes.array, expiries: h.expiries.array, vols: h.vols.array,
  rates: h.rates.array, dividendYields: h.dividendYields.array, types: h.types.array,
});
const freeAll = (...hs: ResidentArray[]) => { for (const h of hs) h.free(); };

const ALL = ['price', ...GREEKS];

describe.each(BACKENDS)('resident arrays (%s)', (backend) => {
  // Chunk sizes: the default (one chunk here) and a small odd one (many chunks, pointer offsets not
  // multiples of the pair width).
  for (const chunkSize of [16384, 7]) {
    it(`blackScholes price and greeks over resident arrays = over caller-owned arrays, bad elements included (chunk ${chunkSize})`, async () => {
      const e = await createEngine({ backend, chunkSize });
      const n = 301;
      const s = surface(n);
      const h = residentCopy(e, s);
      const ref = e.blackScholes({ ...s, greeks: true });
      expect(Array.from(ref.status.slice(0, 8)).filter((v) => v !== 0).length).toBeGreaterThanOrEqual(4); // the bad elements are flagged
      // Price only, resident out.
      const outP = e.allocateArray({ type: 'f64', length: n });
      const rp = e.blackScholes({ ...views(h), out: { price: outP.array } });
      expect(differences(rp, ref, ['price'])).toBe(0);
      expect(Object.is(rp.price[1], NaN)).toBe(true);
      // Greeks into one resident block (the kernel's own layout: written in place).
      const blk = e.allocateArray({ type: 'f64', length: 8 * n });
      const b = blk.array;
      const outs = Object.fromEntries(ALL.map((g, i) => [g, b.subarray(i * n, (i + 1) * n)]));
      const rg = e.blackScholes({ ...views(h), greeks: true, out: outs });
      expect(differences(rg, ref, ALL)).toBe(0);
      for (let i = 0; i < ALL.length; i++) for (let k = 0; k < n; k += 37) expect(Object.is(blk.array[i * n + k], (ref as unknown as Record<string, Float64Array>)[ALL[i]][k])).toBe(true);
      // Greeks into eight separate resident arrays (copied out of the arena into them).
      const sep = ALL.map(() => e.allocateArray({ type: 'f64', length: n }));
      const rs = e.blackScholes({ ...views(h), greeks: true, out: Object.fromEntries(ALL.map((g, i) => [g, sep[i].array])) });
      expect(differences(rs, ref, ALL)).toBe(0);
      // Resident inputs are not modified.
      for (const k of F64_COLS) expect(Array.from(h[k].array)).toEqual(Array.from(s[k]));
      freeAll(...Object.values(h), outP, blk, ...sep);
    });
  }

  it('black76 (coin, greeks) and impliedVol over resident arrays = over caller-owned arrays', async () => {
    const e = await createEngine({ backend, chunkSize: 5 });
    const n = 97;
    const s = surface(n);
    const forwards = s.spots, discountFactors = Float64Array.from(s.rates, (r, i) => Math.exp(-r * s.expiries[i]));
    const args = { forwards, strikes: s.strikes, expiries: s.expiries, vols: s.vols, discountFactors, types: s.types };
    const ref = e.black76({ ...args, greeks: true, settlement: 'coin' });
    const hf = e.allocateArray({ type: 'f64', length: n }), hk = e.allocateArray({ type: 'f64', length: n });
    const hd = e.allocateArray({ type: 'f64', length: n }), ht = e.allocateArray({ type: 'i8', length: n });
    hf.array.set(forwards); hk.array.set(s.strikes); hd.array.set(discountFactors); ht.array.set(s.types);
    const r = e.black76({ ...args, forwards: hf.array, strikes: hk.array, discountFactors: hd.array, types: ht.array, greeks: true, settlement: 'coin' });
    expect(differences(r, ref, [...ALL, 'premiumAdjustedDelta'])).toBe(0);
    // Implied vol: prices from the reference, resident prices and resident out.
    const ivArgs = { prices: ref.price, forwards, strikes: s.strikes, expiries: s.expiries, discountFactors, types: s.types, settlement: 'coin' as const };
    const iv = e.impliedVol(ivArgs);
    const hp = e.allocateArray({ type: 'f64', length: n }), ho = e.allocateArray({ type: 'f64', length: n });
    hp.array.set(ref.price);
    const riv = e.impliedVol({ ...ivArgs, prices: hp.array, forwards: hf.array, types: ht.array, out: ho.array });
    expect(riv.status).toEqual(iv.status);
    for (let i = 0; i < n; i++) expect(Object.is(riv.vols[i], iv.vols[i])).toBe(true);
    expect(iv.status.some((v) => v !== 0)).toBe(true);
    expect(Array.from(ho.array)).toEqual(Array.from(iv.vols));
    freeAll(hf, hk, hd, ht, hp, ho);
  });

  it('mixed resident, caller-owned, plain-array and scalar inputs give the caller-owned bits', async () => {
    const e = await createEngine({ backend, chunkSize: 11 });
    const n = 64;
    const s = surface(n);
    const h = residentCopy(e, s);
    const ref = e.blackScholes({ spots: s.spots, strikes: Array.from(s.strikes), expiries: s.expiries, vols: 0.3, rates: s.rates, dividendYields: 0.01, types: 'put', greeks: true });
    const out = { price: new Float64Array(n), delta: e.allocateArray({ type: 'f64', length: n }).array };
    const r = e.blackScholes({
      spots: h.spots.array, strikes: Array.from(s.strikes), expiries: s.expiries, vols: 0.3, rates: h.rates.array, dividendYields: 0.01, types: 'put', greeks: true,
      out: { ...out, delta: out.delta },
    });
    expect(differences(r, ref, ALL)).toBe(0);
    expect(r.price).toBe(out.price);
    // A resident array of another engine is copied as any caller-owned array.
    const other = await createEngine({ backend });
    const ho = other.allocateArray({ type: 'f64', length: n });
    ho.array.set(s.spots);
    const r2 = e.blackScholes({ ...s, spots: ho.array, greeks: true });
    expect(differences(r2, e.blackScholes({ ...s, greeks: true }), ALL)).toBe(0);
    ho.free();
    freeAll(...Object.values(h));
  });

  it('an input that is also the output: the copying path\'s bits, in place and with an offset', async () => {
    const e = await createEngine({ backend, chunkSize: 3 });
    const n = 40;
    const s = surface(n);
    // Reference: the same aliasing over one plain Float64Array (the copying path, chunk by chunk).
    const plain = new Float64Array(n + 1);
    plain.set(s.spots, 0);
    const rPlain = e.blackScholes({ ...s, spots: plain.subarray(0, n), out: { price: plain.subarray(1, n + 1) } });
    const blk = e.allocateArray({ type: 'f64', length: n + 1 });
    blk.array.set(s.spots, 0);
    const rRes = e.blackScholes({ ...s, spots: blk.array.subarray(0, n), out: { price: blk.array.subarray(1, n + 1) } });
    expect(differences(rRes, rPlain, ['price'])).toBe(0);
    expect(Array.from(blk.array)).toEqual(Array.from(plain));
    // Exactly in place: out.price is the spots array.
    const ref = e.blackScholes({ ...s });
    const hs = e.allocateArray({ type: 'f64', length: n });
    hs.array.set(s.spots);
    const rIn = e.blackScholes({ ...s, spots: hs.array, out: { price: hs.array } });
    expect(differences(rIn, ref, ['price'])).toBe(0);
    expect(Array.from(hs.array)).toEqual(Array.from(ref.price));
    freeAll(blk, hs);
  });

  it('free: a second free, a freed handle, a freed array passed in are InputErrors; a fresh array works', async () => {
    const e = await engineFor(backend);
    const n = 20;
    const s = surface(n);
    const h = e.allocateArray({ type: 'f64', length: n });
    h.array.set(s.spots);
    const stale = h.array;
    expect(h.freed).toBe(false);
    h.free();
    expect(h.freed).toBe(true);
    // JS twin: the plain array's buffer is detached by free(), so no kept view computes on quietly;
    // WASM: the view stays over live memory (another array may reuse it), and calls refuse it.
    expect(stale.length).toBe(backend === 'js' ? 0 : n);
    expectInputError(() => h.free(), 'free');
    expectInputError(() => h.array, 'array');
    expectInputError(() => e.blackScholes({ ...s, spots: stale }), 'spots');
    expectInputError(() => e.blackScholes({ ...s, out: { price: stale } }), 'out.price');
    expectInputError(() => e.impliedVol({ prices: stale, forwards: 100, strikes: 100, expiries: 1, types: 'call' }), 'prices');
    // The one-option path leaves a resident array to the batch path, which checks it.
    const one = e.allocateArray({ type: 'f64', length: 1 });
    one.array[0] = 100;
    const v1 = one.array;
    expect(e.blackScholes({ spots: v1, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' }).price[0]).toBe(
      e.blackScholes({ spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' }).price[0]);
    one.free();
    expectInputError(() => e.blackScholes({ spots: v1, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' }), 'spots');
    // A one-element subarray of a resident array, as an input and as `out`, with greeks: the same
    // result as plain arrays while live, an InputError once freed (never the stale memory).
    const blk = e.allocateArray({ type: 'f64', length: 4 });
    const sub = blk.array.subarray(2, 3);
    sub[0] = 100;
    const outSub = blk.array.subarray(3, 4);
    const viaSub = e.blackScholes({ spots: sub, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call', out: { price: outSub } });
    expect(Object.is(viaSub.price[0], e.blackScholes({ spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' }).price[0])).toBe(true);
    expect(blk.array[3]).toBe(viaSub.price[0]);
    blk.free();
    expectInputError(() => e.blackScholes({ spots: sub, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' }), 'spots');
    const plainOne = new Float64Array(1);
    expectInputError(() => e.blackScholes({ spots: plainOne, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call', greeks: true, out: { price: new Float64Array(1), delta: outSub, gamma: new Float64Array(1), vega: new Float64Array(1), theta: new Float64Array(1), rho: new Float64Array(1), vanna: new Float64Array(1), volga: new Float64Array(1) } }), 'out.delta');
    // Bad arguments.
    expectInputError(() => e.allocateArray({ type: 'f32' as never, length: 3 }), 'type');
    expectInputError(() => e.allocateArray({ type: 'f64', length: -1 }), 'length');
    expectInputError(() => e.allocateArray({ type: 'f64', length: 2.5 }), 'length');
    const err = expectInputError(() => e.allocateArray({ type: 'f64', lenght: 3 } as never), 'lenght');
    expect(err.suggestion).toBe('length');
    // Zero-filled, of the right type.
    const z = e.allocateArray({ type: 'u8', length: 5 });
    expect(z.array).toBeInstanceOf(Uint8Array);
    expect(Array.from(z.array)).toEqual([0, 0, 0, 0, 0]);
    expect(z.type).toBe('u8');
    expect(z.length).toBe(5);
    z.free();
  });

  it('a view of a freed resident array is an InputError on any engine, one that holds no resident arrays too (one option and batch), also once its memory went to a newer array', async () => {
    // The arrays come from a WASM engine (the JS twin's are plain arrays, detached by free()); the
    // engine priced on is fresh, it never allocated a resident array: only the view's owner knows
    // the memory was freed. Before session 10 the one-option path read the stale memory there.
    const owner = await createEngine({ backend: 'wasm' });
    const e = await createEngine({ backend });
    const args = { strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' as const };
    const blk = owner.allocateArray({ type: 'f64', length: 8 });
    const tys = owner.allocateArray({ type: 'i8', length: 4 });
    blk.array.fill(100);
    tys.array.fill(1);
    const at = blk.array.byteOffset;
    const one = blk.array.subarray(2, 3);
    const few = blk.array.subarray(0, 4);
    const outOne = blk.array.subarray(5, 6);
    const oneType = tys.array.subarray(1, 2);
    // While live: the bits of plain arrays (copied as any caller-owned array).
    const ref = e.blackScholes({ spots: 100, ...args });
    expect(Object.is(e.blackScholes({ spots: one, ...args }).price[0], ref.price[0])).toBe(true);
    expect(Object.is(e.blackScholes({ spots: 100, ...args, types: oneType }).price[0], ref.price[0])).toBe(true);
    const viaOut = e.blackScholes({ spots: 100, ...args, out: { price: outOne } });
    expect(viaOut.price).toBe(outOne);
    expect(Object.is(blk.array[5], ref.price[0])).toBe(true);
    const refFew = e.blackScholes({ spots: new Float64Array(4).fill(100), ...args });
    expect(differences(e.blackScholes({ spots: few, ...args }), refFew, ['price'])).toBe(0);
    blk.free();
    tys.free();
    const refused = (eng: Engine) => {
      expectInputError(() => eng.blackScholes({ spots: one, ...args }), 'spots');
      expectInputError(() => eng.blackScholes({ spots: 100, ...args, types: oneType }), 'types');
      expectInputError(() => eng.blackScholes({ spots: 100, ...args, out: { price: outOne } }), 'out.price');
      expectInputError(() => eng.blackScholes({ spots: few, ...args }), 'spots');
      expectInputError(() => eng.black76({ forwards: one, strikes: 100, expiries: 1, vols: 0.2, types: 'call' }), 'forwards');
      expectInputError(() => eng.impliedVol({ prices: one, forwards: 100, strikes: 100, expiries: 1, types: 'call' }), 'prices');
    };
    refused(e);
    refused(owner);
    // The freed memory goes to a newer array (the same bytes): the old views stay refused, never
    // read as the newer array.
    const newer = owner.allocateArray({ type: 'f64', length: 8 });
    expect(newer.array.byteOffset).toBe(at);
    newer.array.fill(100);
    refused(e);
    refused(owner);
    newer.free();
  });

  it('a subarray made from a freed array\'s view after its memory went to a newer array is refused, never read as the newer array', async () => {
    // WASM memory: free() does not detach it (the JS twin's free() does, so the subarray cannot be
    // made there and the case is WASM's).
    const owner = await createEngine({ backend: 'wasm' });
    const e = await createEngine({ backend });
    const args = { strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' as const };
    const a = owner.allocateArray({ type: 'f64', length: 8 });
    a.array.fill(50);
    const v = a.array;
    a.free();
    const newer = owner.allocateArray({ type: 'f64', length: 8 });
    expect(newer.array.byteOffset).toBe(v.byteOffset);
    newer.array.fill(200);
    const late = v.subarray(0, 4); // made now, over the newer array's bytes
    for (const eng of [e, owner]) {
      expectInputError(() => eng.blackScholes({ spots: late, ...args }), 'spots');
      expectInputError(() => eng.blackScholes({ spots: late.subarray(1, 2), ...args }), 'spots');
    }
    newer.free();
  });

  it('a resident array of another element type (f64 types) is read as a caller-owned column, also when the call grows the memory', async () => {
    // A call whose reservation grows the WASM heap detached the f64 `types` view the runner then
    // read (every option priced as a put). With chunks of 2^22 options, the greeks of 400,000
    // caller-owned options go through the arena in one chunk (45.6 MB, beyond the 32 MiB headroom).
    const e = await createEngine({ backend, chunkSize: 1 << 22 });
    const n = 400_000;
    const s = surface(n);
    s.types[6] = 1; // a number array of types takes +-1 only (an Int8Array flags other values per element)
    const h = residentCopy(e, s);
    const ref = e.blackScholes({ ...s, greeks: true });
    const types = e.allocateArray({ type: 'f64', length: n });
    for (let i = 0; i < n; i++) types.array[i] = s.types[i];
    const blk = e.allocateArray({ type: 'f64', length: 8 * n });
    const out = () => Object.fromEntries(ALL.map((g, i) => [g, blk.array.subarray(i * n, (i + 1) * n)]));
    // The typed API declares types an Int8Array or a list; a JavaScript caller may pass a numeric
    // array of +-1, which the runtime accepts (checkTypes), so the call must be right for it too.
    const f64Types = types.array as unknown as Int8Array;
    // Resident inputs, then caller-owned ones, greeks into one resident block.
    expect(differences(e.blackScholes({ ...views(h), types: f64Types, greeks: true, out: out() }), ref, ALL)).toBe(0);
    expect(differences(e.blackScholes({ ...s, types: f64Types, greeks: true, out: out() }), ref, ALL)).toBe(0);
    const bytes0 = e.memoryBytes;
    expect(differences(e.blackScholes({ ...s, types: f64Types, greeks: true }), ref, ALL)).toBe(0);
    if (backend === 'wasm') expect(e.memoryBytes).toBeGreaterThan(bytes0); // the case: the call grew the heap
    freeAll(...Object.values(h), types, blk);
  }, 60_000);

  it('memory growth: a view read before the grow is an InputError naming the field (WASM; the JS twin\'s plain arrays never detach); .array again works', async () => {
    const e = await createEngine({ backend });
    const n = 50;
    const s = surface(n);
    const h = e.allocateArray({ type: 'f64', length: n });
    const o = e.allocateArray({ type: 'f64', length: n });
    h.array.set(s.spots);
    const before = h.array;
    const outBefore = o.array;
    const bytes0 = e.memoryBytes;
    const big = e.allocateArray({ type: 'f64', length: 4 << 20 }); // 32 MiB: the WASM heap must grow
    if (backend === 'wasm') expect(e.memoryBytes).toBeGreaterThan(bytes0);
    const ref = e.blackScholes({ ...s });
    if (backend === 'wasm') {
      expect(before.length).toBe(0);
      expectInputError(() => e.blackScholes({ ...s, spots: before }), 'spots');
      expectInputError(() => e.blackScholes({ ...s, spots: h.array, out: { price: outBefore } }), 'out.price');
      // All inputs detached: not an empty result.
      const d = e.blackScholes.bind(e, { spots: before, strikes: before, expiries: before, vols: before, rates: before, types: 'call' });
      expectInputError(d, 'spots');
    } else {
      expect(before).toBe(h.array);
    }
    const r = e.blackScholes({ ...s, spots: h.array, out: { price: o.array } });
    expect(differences(r, ref, ['price'])).toBe(0);
    expect(r.price.length).toBe(n);
    freeAll(h, o, big);
  });

  it('alloc/free reuses memory: 1,000 rounds stay within the first round\'s heap; freeing everything empties the region', async () => {
    const e = await createEngine({ backend });
    const held = [e.allocateArray({ type: 'f64', length: 1000 })];
    const sizes = [17, 4096, 1, 300, 65536, 9];
    const round = (k: number) => {
      const hs = sizes.map((m, i) => e.allocateArray({ type: i % 3 === 0 ? 'i8' : 'f64', length: m + (k % 5) }));
      // Free in a scrambled order (holes in the middle, then coalesced).
      for (const i of [3, 0, 5, 1, 4, 2]) hs[i].free();
    };
    round(0);
    const bytes = e.memoryBytes;
    const region = e.resident!.regionBytes;
    for (let k = 1; k < 1000; k++) round(k);
    expect(e.memoryBytes).toBe(bytes);
    expect(e.resident!.regionBytes).toBe(region);
    held[0].free();
    expect(e.resident!.regionBytes).toBe(0);
    if (backend === 'wasm') {
      // First fit: a freed block's space is handed out again.
      const a = e.allocateArray({ type: 'f64', length: 100 });
      const b = e.allocateArray({ type: 'f64', length: 100 });
      const at = a.array.byteOffset;
      a.free();
      const c = e.allocateArray({ type: 'f64', length: 50 });
      expect(c.array.byteOffset).toBe(at);
      expect(b.array.byteOffset).toBeGreaterThan(at);
      freeAll(b, c);
    }
  });

  it('a getter that allocates, frees or prices during the copy is refused; the engine and the arrays stay intact', async () => {
    const e = await createEngine({ backend, chunkSize: 4 });
    const n = 12;
    const s = surface(n);
    const h = residentCopy(e, s);
    const ref = e.blackScholes({ ...views(h) });
    // Element 9's getter acts on its second read: the first is the check pass (before any copy,
    // where calling the engine is harmless), the second the copy into the heap (chunk 3 of 4).
    const hostile = (action: () => void, at = 9) => {
      const strikes = Array.from(s.strikes);
      let reads = 0;
      Object.defineProperty(strikes, at, { get() { if (++reads === 2) action(); return s.strikes[at]; } });
      return strikes;
    };
    const victim = e.allocateArray({ type: 'f64', length: n });
    for (const action of [
      () => e.allocateArray({ type: 'f64', length: 3 }),
      () => victim.free(),
      () => e.blackScholes({ ...s }),
    ]) {
      expectInputError(() => e.blackScholes({ ...views(h), strikes: hostile(action) }), 'inputs');
    }
    expect(victim.freed).toBe(false);
    // A getter that prices on another engine over resident arrays, mid-copy: allowed (other heap),
    // and this call's own bookkeeping (which columns it reads in place) is untouched.
    const other = await createEngine({ backend, chunkSize: 4 });
    const ho = residentCopy(other, s);
    const otherRef = other.blackScholes({ ...s });
    let otherResult: PricingResult | undefined;
    // (Element 1: the first of three chunks, so the chunks after the getter would show any mix-up.)
    const own = e.blackScholes({ ...views(h), strikes: hostile(() => { otherResult = other.blackScholes({ ...views(ho) }); }, 1) });
    expect(differences(own, ref, ['price'])).toBe(0);
    expect(differences(otherResult!, otherRef, ['price'])).toBe(0);
    freeAll(...Object.values(ho));
    // A getter that frees a resident input before the kernel runs: that input is named.
    const hs = e.allocateArray({ type: 'f64', length: n });
    hs.array.set(s.spots);
    const strikes = Array.from(s.strikes);
    Object.defineProperty(strikes, 0, { get() { if (!hs.freed) hs.free(); return s.strikes[0]; } });
    expectInputError(() => e.blackScholes({ ...views(h), spots: hs.array, strikes }), 'spots');
    // Intact afterwards.
    expect(differences(e.blackScholes({ ...views(h) }), ref, ['price'])).toBe(0);
    for (const k of F64_COLS) expect(Array.from(h[k].array)).toEqual(Array.from(s[k]));
    freeAll(...Object.values(h), victim);
  });

  it('workers: resident inputs and outputs give the one-thread bits', async () => {
    const e = await createEngine({ backend });
    const n = 70_000; // above IN_THREAD_BELOW: really split over the pool
    const s = surface(n);
    const h = residentCopy(e, s);
    const ref = e.blackScholes({ ...s, greeks: true });
    const blk = e.allocateArray({ type: 'f64', length: 8 * n });
    const b = blk.array;
    const r = await e.blackScholes({ ...views(h), greeks: true, out: Object.fromEntries(ALL.map((g, i) => [g, b.subarray(i * n, (i + 1) * n)])), workers: 2 });
    expect(differences(r, ref, ALL)).toBe(0);
    expect(Object.is(blk.array[n + 3], ref.delta[3])).toBe(true);
    const ho = e.allocateArray({ type: 'f64', length: n });
    const riv = await e.impliedVol({ prices: ref.price, forwards: h.spots.array, strikes: h.strikes.array, expiries: h.expiries.array, types: h.types.array, out: ho.array, workers: 2 });
    const iv = e.impliedVol({ prices: ref.price, forwards: s.spots, strikes: s.strikes, expiries: s.expiries, types: s.types });
    for (let i = 0; i < n; i += 13) expect(Object.is(riv.vols[i], iv.vols[i])).toBe(true);
    expect(riv.status).toEqual(iv.status);
    // Without shared memory the job travels as a message: resident views are copied into it (the
    // same bits), and a memory grow between the call and the post cannot detach what is sent.
    const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
    if (isNode) {
      Object.defineProperty(globalThis, 'crossOriginIsolated', { value: false, configurable: true });
      try {
        const pending = e.blackScholes({ ...views(h), workers: 2 });
        const grow = e.allocateArray({ type: 'f64', length: 4 << 20 }); // 32 MiB: the heap grows now
        const rm = await pending;
        expect(differences(rm, e.blackScholes({ ...s }), ['price'])).toBe(0);
        grow.free();
      } finally {
        delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
      }
    }
    // `out` in ANOTHER engine's heap, which grows while the workers run: the result is written
    // through that engine's heap as it is after the await (its view was detached by the grow).
    const other = await createEngine({ backend });
    const oo = other.allocateArray({ type: 'f64', length: n });
    const pendingOther = e.blackScholes({ ...s, out: { price: oo.array }, workers: 2 });
    const growOther = other.allocateArray({ type: 'f64', length: 4 << 20 });
    const ro = await pendingOther;
    expect(ro.price.length).toBe(n);
    expect(differences(ro, e.blackScholes({ ...s }), ['price'])).toBe(0);
    expect(Object.is(oo.array[7], ro.price[7])).toBe(true);
    freeAll(...Object.values(h), blk, ho, oo, growOther);
  }, 60_000);
});

it('allocateArray gives the typed array of each type', async () => {
  for (const backend of BACKENDS) {
    const e = await engineFor(backend);
    const hs = [e.allocateArray({ type: 'i8', length: 3 }), e.allocateArray({ type: 'u8', length: 3 }), e.allocateArray({ type: 'f64', length: 3 })];
    expect(hs[0].array).toBeInstanceOf(Int8Array);
    expect(hs[1].array).toBeInstanceOf(Uint8Array);
    expect(hs[2].array).toBeInstanceOf(Float64Array);
    for (const h of hs) h.free();
  }
});
