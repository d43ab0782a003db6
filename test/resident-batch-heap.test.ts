/**
 * The batch runner and the heap (issue 13 session 11), both backends:
 * - greeks written into one resident block: the runner used to reserve every copied column for the
 *   whole range at once, so the WASM heap grew by ~50 bytes per option for good (+20 MB at
 *   400,000 options). It now takes that one-call path only when the range fits the heap's headroom,
 *   else it runs chunk by chunk; the heap then grows by at most one chunk's columns, and the
 *   results are the bits of the caller-owned call (the reference: the plain copying path, itself
 *   tested against closed forms elsewhere).
 * - `out` in ANOTHER engine's heap, whose memory an input getter grows (or whose array it frees)
 *   during the synchronous call: the results are written through a fresh view of that heap (they
 *   were lost, or a TypeError was thrown), and a freed `out` is an InputError naming it. The same
 *   for an input there, grown or freed by the getter of an earlier column (a TypeError was thrown,
 *   or with 16 elements or fewer every option came back NaN, invalidInput), on the workers path too.
 * On the JS twin resident arrays are plain arrays (nothing detaches, the heap holds no resident
 * block): the same calls must give the same results there.
 */
import { describe, expect, it, vi } from 'vitest';
import { createEngine } from '../src/index.js';
import { BACKENDS, engineFor, expectInputError } from './backends.js';
import { differences, surface } from './resident-fixtures.js';
import { BLACK_SCHOLES_KERNEL } from '../src/pricing/batch-shards.js';

const OUTS = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'] as const;

/** `values` as a plain array whose element `at` runs `action` on its second read (the first is the check pass, the second the copy into the heap). */
function hostile(values: Float64Array, at: number, action: () => void): number[] {
  const a = Array.from(values);
  let reads = 0;
  Object.defineProperty(a, at, { get() { if (++reads === 2) action(); return values[at]; } });
  return a;
}

describe.each(BACKENDS)('batch runner and the heap (%s)', (backend) => {
  it('greeks into one resident block: the heap grows by at most one chunk, not by the batch; the caller-owned bits', async () => {
    const chunkSize = 16384;
    const e = await createEngine({ backend, chunkSize });
    const n = 400_000;
    const s = surface(n);
    const ref = e.blackScholes({ ...s, greeks: true });
    const blk = e.allocateArray({ type: 'f64', length: 8 * n });
    const bytes0 = e.memoryBytes;
    // What chunking needs: one chunk's output block (8 columns), the six f64 input columns, the
    // types and the status, each 16-byte aligned,
    // rounded up to WebAssembly's 64 KiB pages. (The whole range at once needed 400,000 x 50 bytes
    // = 20 MB more.)
    const bound = Math.ceil((chunkSize * (8 * 8 + 6 * 8 + 1 + 1) + 16 * 16) / 65536) * 65536;
    for (let round = 0; round < 3; round++) {
      const out = Object.fromEntries(OUTS.map((g, i) => [g, blk.array.subarray(i * n, (i + 1) * n)]));
      const r = e.blackScholes({ ...s, greeks: true, out });
      expect(differences(r, ref, OUTS), `round ${round}`).toBe(0);
      expect(Object.is(blk.array[2 * n + 5], ref.gamma[5])).toBe(true); // written in the block itself
      expect(e.memoryBytes - bytes0).toBeLessThanOrEqual(bound);
    }
    // Resident inputs too (read in place): the same bits, the same bound.
    const spots = e.allocateArray({ type: 'f64', length: n });
    spots.array.set(s.spots);
    const bytes1 = e.memoryBytes;
    const out = Object.fromEntries(OUTS.map((g, i) => [g, blk.array.subarray(i * n, (i + 1) * n)]));
    expect(differences(e.blackScholes({ ...s, spots: spots.array, greeks: true, out }), ref, OUTS)).toBe(0);
    expect(e.memoryBytes - bytes1).toBeLessThanOrEqual(bound);
    blk.free();
    spots.free();
  }, 60_000);

  it('a block that fits the headroom is written in one kernel call with the same bits; one that does not, chunk by chunk', async () => {
    // chunkSize 512: 64 KiB of headroom, which holds the ~50 bytes per option the one call copies
    // for 1000 options (two chunks' worth); chunkSize 7 (896 bytes of headroom) does not.
    for (const [chunkSize, calls] of [[512, 1], [7, Math.ceil(1000 / 7)]] as const) {
      const e = await createEngine({ backend, chunkSize });
      const n = 1000;
      const s = surface(n);
      const ref = e.blackScholes({ ...s, greeks: true });
      const blk = e.allocateArray({ type: 'f64', length: 8 * n });
      const out = Object.fromEntries(OUTS.map((g, i) => [g, blk.array.subarray(i * n, (i + 1) * n)]));
      const spy = vi.spyOn(BLACK_SCHOLES_KERNEL, 'call');
      try {
        expect(differences(e.blackScholes({ ...s, greeks: true, out }), ref, OUTS)).toBe(0);
        // The JS twin's arrays are not in any heap: always the chunked copying path.
        expect(spy.mock.calls.length, `chunkSize ${chunkSize}`).toBe(backend === 'wasm' ? calls : Math.ceil(n / chunkSize));
      } finally {
        spy.mockRestore();
      }
      blk.free();
    }
  });

  it('a resident input overlapping the greeks block is read as the copying path reads it, whatever the headroom', async () => {
    // spots over the last 5 prices and the first deltas: chunk by chunk, a chunk's spots are read
    // before that chunk's outputs are written (docs/api.md). The reference is the same aliasing
    // through plain arrays: the caller-owned call over a copy, chunk by chunk by hand.
    const n = 1000;
    for (const chunkSize of [512, 7]) {
      const e = await createEngine({ backend, chunkSize });
      const s = surface(n);
      const blk = e.allocateArray({ type: 'f64', length: 8 * n });
      blk.array.set(s.spots, n - 5);
      const plain = blk.array.slice();
      const spots = blk.array.subarray(n - 5, 2 * n - 5);
      const out = Object.fromEntries(OUTS.map((g, i) => [g, blk.array.subarray(i * n, (i + 1) * n)]));
      e.blackScholes({ ...s, spots, greeks: true, out });
      for (let a = 0; a < n; a += chunkSize) {
        const b = Math.min(n, a + chunkSize);
        const part = (x: Float64Array) => x.slice(a, b);
        const r = e.blackScholes({
          spots: plain.slice(n - 5 + a, n - 5 + b), strikes: part(s.strikes), expiries: part(s.expiries), vols: part(s.vols),
          rates: part(s.rates), dividendYields: part(s.dividendYields), types: s.types.slice(a, b), greeks: true,
        });
        OUTS.forEach((g, i) => plain.set(r[g], i * n + a));
      }
      let diff = 0;
      for (let i = 0; i < 8 * n; i++) if (!Object.is(blk.array[i], plain[i])) diff++;
      expect(diff, `chunkSize ${chunkSize}`).toBe(0);
      blk.free();
    }
  });

  it('out in another engine\'s heap, grown by an input getter during the copy: the results reach it (price, greeks, implied vol; one and many chunks)', async () => {
    for (const chunkSize of [16384, 4]) {
      const e = await createEngine({ backend, chunkSize });
      const other = await createEngine({ backend });
      const n = 50;
      const s = surface(n);
      const ref = e.blackScholes({ ...s, greeks: true });
      const grown: { free(): void }[] = [];
      // 32 MiB on the other engine: its WASM memory must grow, detaching every view of it.
      const grow = () => { grown.push(other.allocateArray({ type: 'f64', length: 4 << 20 })); };

      const o1 = other.allocateArray({ type: 'f64', length: n });
      const r1 = e.blackScholes({ ...s, strikes: hostile(s.strikes, 9, grow), out: { price: o1.array } });
      expect(differences(r1, ref, ['price']), `chunk ${chunkSize}`).toBe(0);
      for (let i = 0; i < n; i++) expect(Object.is(o1.array[i], ref.price[i])).toBe(true);

      const blk = other.allocateArray({ type: 'f64', length: 8 * n });
      const out = Object.fromEntries(OUTS.map((g, i) => [g, blk.array.subarray(i * n, (i + 1) * n)]));
      const r8 = e.blackScholes({ ...s, strikes: hostile(s.strikes, 9, grow), greeks: true, out });
      expect(differences(r8, ref, OUTS)).toBe(0);
      expect(Object.is(blk.array[3 * n + 7], ref.vega[7])).toBe(true);

      const forwards = s.spots.map((x, i) => x * Math.exp(s.rates[i] * s.expiries[i]));
      const prices = e.black76({ forwards, strikes: s.strikes, expiries: s.expiries, vols: s.vols, types: s.types }).price;
      const ivRef = e.impliedVol({ prices, forwards, strikes: s.strikes, expiries: s.expiries, types: s.types });
      const ov = other.allocateArray({ type: 'f64', length: n });
      const iv = e.impliedVol({ prices, forwards, strikes: hostile(s.strikes, 9, grow), expiries: s.expiries, types: s.types, out: ov.array });
      expect(iv.vols.length).toBe(n);
      for (let i = 0; i < n; i++) expect(Object.is(iv.vols[i], ivRef.vols[i])).toBe(true);
      expect(iv.status).toEqual(ivRef.status);
      for (const h of [o1, blk, ov, ...grown]) h.free();
    }
  });

  it('an input in another engine\'s heap, grown by the getter of an earlier column: read through a fresh view (price, implied vol with its types; one and many chunks; workers)', async () => {
    for (const chunkSize of [16384, 4]) {
      const e = await createEngine({ backend, chunkSize });
      const other = await createEngine({ backend });
      const n = 50;
      const s = surface(n);
      const ref = e.blackScholes({ ...s });
      const grown: { free(): void }[] = [];
      const grow = () => { grown.push(other.allocateArray({ type: 'f64', length: 4 << 20 })); };
      // spots (column 0) grows the other heap while it is copied; strikes (column 1) lives there.
      const k = other.allocateArray({ type: 'f64', length: n });
      k.array.set(s.strikes);
      const r = e.blackScholes({ ...s, spots: hostile(s.spots, 9, grow), strikes: k.array });
      expect(differences(r, ref, ['price']), `chunk ${chunkSize}`).toBe(0);

      const forwards = s.spots.map((x, i) => x * Math.exp(s.rates[i] * s.expiries[i]));
      const prices = e.black76({ forwards, strikes: s.strikes, expiries: s.expiries, vols: s.vols, types: s.types }).price;
      const ivRef = e.impliedVol({ prices, forwards, strikes: s.strikes, expiries: s.expiries, types: s.types });
      const t = other.allocateArray({ type: 'i8', length: n });
      t.array.set(s.types);
      const iv = e.impliedVol({ prices: hostile(prices, 9, grow), forwards, strikes: k.array, expiries: s.expiries, types: t.array });
      for (let i = 0; i < n; i++) expect(Object.is(iv.vols[i], ivRef.vols[i])).toBe(true);
      expect(iv.status).toEqual(ivRef.status);
      for (const h of [k, t, ...grown]) h.free();
    }
    // Workers: the job's columns are copied in this thread, through the same fresh view.
    const e = await engineFor(backend);
    const other = await createEngine({ backend });
    const n = 70_000; // above IN_THREAD_BELOW: really split over the pool
    const s = surface(n);
    const ref = e.blackScholes({ ...s });
    const k = other.allocateArray({ type: 'f64', length: n });
    k.array.set(s.strikes);
    const held = e.allocateArray({ type: 'f64', length: 1 }); // this engine holds resident arrays too
    let grown: { free(): void } | undefined;
    const rw = await e.blackScholes({ ...s, spots: hostile(s.spots, 9, () => { grown = other.allocateArray({ type: 'f64', length: 4 << 20 }); }), strikes: k.array, workers: 2 });
    expect(grown).toBeDefined();
    expect(differences(rw, ref, ['price'])).toBe(0);
    for (const h of [k, held, grown!]) h.free();
  }, 60_000);

  it('an input in another engine\'s heap, freed by the getter of an earlier column: an InputError naming it', async () => {
    const e = await createEngine({ backend });
    const other = await createEngine({ backend });
    const n = 50;
    const s = surface(n);
    const k = other.allocateArray({ type: 'f64', length: n });
    k.array.set(s.strikes);
    expectInputError(() => e.blackScholes({ ...s, spots: hostile(s.spots, 9, () => k.free()), strikes: k.array }), 'strikes');
  });

  it('out in another engine\'s heap, freed by an input getter during the copy: an InputError naming it', async () => {
    const e = await createEngine({ backend });
    const other = await createEngine({ backend });
    const n = 50;
    const s = surface(n);
    const o = other.allocateArray({ type: 'f64', length: n });
    expectInputError(() => e.blackScholes({ ...s, strikes: hostile(s.strikes, 9, () => o.free()), out: { price: o.array } }), 'out.price');
    const v = other.allocateArray({ type: 'f64', length: n });
    const view = v.array;
    expectInputError(() => e.impliedVol({ prices: 1, forwards: 100, strikes: hostile(s.strikes, 9, () => v.free()), expiries: 1, types: 'call', out: view }), 'out');
    // The engines work on.
    const r = e.blackScholes({ ...s });
    expect(differences(r, e.blackScholes({ ...s }), ['price'])).toBe(0);
  });
});
