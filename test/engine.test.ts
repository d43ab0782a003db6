import { describe, it, expect, beforeAll } from 'vitest';
import asStatusSource from '../assembly/status.ts?raw';
import * as jsStatus from '../src/kernels/status.js';
import { KERNEL_NAMES } from '../src/kernels/contract.js';
import { BACKENDS, engineFor } from './backends.js';
import {
  createEngine, createEngineSync, InputError, KernelError, RiskwasmError, WasmUnavailableError, Status, statusName, countStatus, type Engine,
} from '../src/index.js';

describe('kernel contract', () => {
  it('both backends implement every kernel named in the contract', async () => {
    for (const b of BACKENDS) {
      const e = await engineFor(b);
      expect(e.backend).toBe(b);
      for (const name of KERNEL_NAMES) expect(typeof e.kernels[name], `${b}.${name}`).toBe('function');
    }
  });

  it('assembly/status.ts and src/kernels/status.ts define the same codes', () => {
    const asCodes = Object.fromEntries([...asStatusSource.matchAll(/export const (STATUS_\w+): u8 = (\d+);/g)].map((m) => [m[1], Number(m[2])]));
    expect(Object.keys(asCodes).length).toBeGreaterThanOrEqual(5);
    expect(asCodes).toEqual({ ...jsStatus });
    expect(statusName(Status.belowIntrinsic)).toBe('belowIntrinsic');
    expect(countStatus(new Uint8Array([0, 0, 1, 3]))).toEqual({ ok: 2, invalidInput: 1, aboveMaximum: 1 });
  });

  it('scalar kernels agree between backends on the normal distribution (to 4 ulps: two exp calls, each within 1 ulp in V8 and in the AssemblyScript port of musl)', async () => {
    const [w, j] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    for (let z = -38; z <= 9; z += 0.0173) {
      for (const f of ['normalCdf', 'normalPdf', 'normalCdfOverPdf'] as const) {
        const a = w.kernels[f](z), b = j.kernels[f](z);
        expect(Math.abs(a - b), `${f}(${z})`).toBeLessThanOrEqual(4 * 2 ** -52 * Math.abs(b));
      }
    }
  });
});

describe('memory arena', () => {
  it('an alloc past the reserved size grows the heap and keeps what was written, on both backends', async () => {
    for (const b of BACKENDS) {
      const { arena } = await engineFor(b);
      arena.reset();
      arena.reserve(64);
      const p = arena.alloc(64);
      arena.views.f64.fill(42, p >>> 3, (p >>> 3) + 8);
      // No reserve: this alloc outgrows the current buffer (WASM memory.grow, JS a new ArrayBuffer).
      const before = arena.views.f64.buffer.byteLength;
      const q = arena.alloc(2 * before);
      const v = arena.views.f64;
      expect(v.buffer.byteLength, b).toBeGreaterThan(before);
      expect(Array.from(v.subarray(p >>> 3, (p >>> 3) + 8)), b).toEqual(new Array(8).fill(42));
      expect(q).toBeGreaterThanOrEqual(p + 64);
      arena.reset();
    }
  });
});

describe('createEngine', () => {
  it('auto picks WebAssembly where it is available, and engines are independent', async () => {
    const a = await createEngine();
    const b = await createEngine({ backend: 'auto' });
    expect(a.backend).toBe('wasm');
    expect(a.fallbackReason).toBeUndefined();
    expect(a.arena).not.toBe(b.arena);
    a.blackScholes({ spots: new Float64Array(50000).fill(100), strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' });
    expect(b.memoryBytes).toBeLessThan(a.memoryBytes);
  });

  it("'auto' falls back to the JS twin when the .wasm cannot be loaded; 'wasm' throws WasmUnavailableError", async () => {
    const bad = new Uint8Array([0, 1, 2, 3]);
    const e = await createEngine({ backend: 'auto', wasm: bad });
    expect(e.backend).toBe('js');
    expect(e.fallbackReason).toBeTypeOf('string');
    await expect(createEngine({ backend: 'wasm', wasm: bad })).rejects.toBeInstanceOf(WasmUnavailableError);
    expect(() => createEngineSync(bad)).toThrow(WasmUnavailableError);
  });

  it('createEngineSync instantiates from bytes or a compiled module and gives identical results', async () => {
    const url = new URL('../build/riskwasm.wasm', import.meta.url);
    const bytes = url.protocol === 'file:'
      ? new Uint8Array(await (await import(/* @vite-ignore */ 'node:fs/promises')).readFile(url))
      : new Uint8Array(await (await fetch(url)).arrayBuffer());
    const fromBytes = createEngineSync(bytes);
    const fromModule = createEngineSync(new WebAssembly.Module(bytes));
    const js = createEngineSync(null);
    expect([fromBytes.backend, fromModule.backend, js.backend]).toEqual(['wasm', 'wasm', 'js']);
    const args = { spots: 100, strikes: [80, 100, 120], expiries: 0.5, vols: 0.3, rates: 0.01, types: 'put' as const };
    expect(fromBytes.blackScholes(args).price).toEqual(fromModule.blackScholes(args).price);
  });

  it('the debug build (assertions on) loads and gives the same numbers', async () => {
    const dbg = await createEngine({ backend: 'wasm', debug: true });
    const rel = await engineFor('wasm');
    const args = { forwards: 3000, strikes: [2000, 3000, 4500], expiries: 0.1, vols: 0.8, types: 'call' as const, greeks: true };
    expect(dbg.black76(args).price).toEqual(rel.black76(args).price);
  });

  it('a failed assertion in the debug build surfaces as KernelError with the decoded message and location', async () => {
    const dbg = await createEngine({ backend: 'wasm', debug: true });
    expect(dbg.kernels.assertionCheck(0)).toBe(0);
    let caught: unknown;
    try {
      dbg.kernels.assertionCheck(3);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(KernelError);
    expect((caught as KernelError).message).toMatch(/assertionCheck: nonzero code at assembly\/index\.ts:\d+:\d+/);
    const rel = await engineFor('wasm');
    expect(rel.kernels.assertionCheck(3)).toBe(3); // release builds carry no assertions
  });

  it('rejects malformed options with InputError naming the field', async () => {
    await expect(createEngine({ backend: 'gpu' as never })).rejects.toMatchObject({ name: 'InputError', path: 'options.backend', value: 'gpu' });
    expect(() => createEngineSync(null, { chunkSize: 0 })).toThrow(InputError);
    expect(() => createEngineSync('nope' as never)).toThrow(InputError);
  });
});

describe.each(BACKENDS)('malformed calls and caller data (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await engineFor(backend);
  });

  const base = () => ({ spots: [100, 101, 102], strikes: [90, 100, 110], expiries: 0.5, vols: 0.25, rates: 0.01, types: 'call' as const });

  const cases: [string, (e: Engine) => unknown, string, unknown][] = [
    ['mismatched lengths', (e) => e.blackScholes({ ...base(), strikes: [1, 2] }), 'strikes', undefined],
    ['a non-number element', (e) => e.blackScholes({ ...base(), vols: [0.2, '0.3' as never, 0.2] }), 'vols[1]', '0.3'],
    ['an unknown option type', (e) => e.blackScholes({ ...base(), types: ['call', 'straddle' as never, 'put'] }), 'types[1]', 'straddle'],
    ['a missing field', (e) => e.blackScholes({ ...base(), rates: undefined as never }), 'rates', undefined],
    ['greeks not a boolean', (e) => e.blackScholes({ ...base(), greeks: 1 as never }), 'greeks', 1],
    ['an out array of the wrong length', (e) => e.blackScholes({ ...base(), out: { price: new Float64Array(2) } }), 'out.price', undefined],
    ['an unknown settlement', (e) => e.black76({ forwards: 1, strikes: 1, expiries: 1, vols: 0.2, types: 'call', settlement: 'eur' as never }), 'settlement', 'eur'],
    ['args not an object', (e) => e.impliedVol(null as never), 'args', null],
    ['a string where numbers belong', (e) => e.impliedVol({ prices: '1' as never, forwards: 1, strikes: 1, expiries: 1, types: 'call' }), 'prices', '1'],
  ];

  it.each(cases)('%s throws InputError with the path', (_label, call, path, value) => {
    let caught: unknown;
    try {
      call(engine);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect(caught).toBeInstanceOf(RiskwasmError);
    const err = caught as InputError;
    expect(err.code).toBe('INPUT');
    expect(err.path).toBe(path);
    if (value !== undefined) expect(err.value).toBe(value);
  });

  it('never mutates what the caller passed in', () => {
    const spots = new Float64Array([100, NaN, 120, 80]);
    const strikes = [100, 100, 100, 100];
    const types = new Int8Array([1, -1, 1, 0]);
    const args = { spots, strikes, expiries: [0.5, 1, 2, 3], vols: 0.3, rates: 0.02, dividendYields: [0, 0.01, 0.02, 0.03], types, greeks: true };
    const snapshot = JSON.stringify({ ...args, spots: Array.from(spots), types: Array.from(types) });
    engine.blackScholes(args);
    engine.black76({ forwards: spots, strikes, expiries: 1, vols: 0.3, types, settlement: 'coin', greeks: true });
    engine.impliedVol({ prices: [5, 5, 5, 5], forwards: spots, strikes, expiries: 1, types });
    expect(JSON.stringify({ ...args, spots: Array.from(spots), types: Array.from(types) })).toBe(snapshot);
  });

  it('writes into caller-supplied out arrays, and an Int8Array type flag other than +-1 is a per-element invalidInput', () => {
    const price = new Float64Array(3);
    const r = engine.blackScholes({ ...base(), types: new Int8Array([1, 0, -1]), out: { price } });
    expect(r.price).toBe(price);
    expect(Array.from(r.status)).toEqual([Status.ok, Status.invalidInput, Status.ok]);
    expect(price[1]).toBeNaN();
  });

  it('scalars broadcast; a batch of all scalars has length one', () => {
    expect(engine.blackScholes({ spots: 100, strikes: 100, expiries: 1, vols: 0.2, rates: 0, types: 'call' }).price.length).toBe(1);
    expect(engine.blackScholes({ spots: 100, strikes: [90, 110], expiries: 1, vols: 0.2, rates: 0, types: 'call' }).price.length).toBe(2);
  });

  it('runs batches larger than a chunk in chunks with identical results', async () => {
    const small = await createEngine({ backend, chunkSize: 7 });
    const n = 1000;
    const strikes = Float64Array.from({ length: n }, (_, i) => 50 + i * 0.1);
    const types = Array.from({ length: n }, (_, i) => (i % 3 ? 'call' : 'put') as 'call' | 'put');
    const args = { spots: 100, strikes, expiries: 0.75, vols: 0.4, rates: 0.03, dividendYields: 0.01, types, greeks: true };
    const a = small.blackScholes(args);
    const b = engine.blackScholes(args);
    expect(a.price).toEqual(b.price);
    expect(a.volga).toEqual(b.volga);
  });

  it('memory stops growing: 10,000 calls of random sizes 1..1e5 (log-uniform)', () => {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const max = 100000;
    const spots = new Float64Array(max).map(() => 50 + 100 * rand());
    let plateau = 0;
    for (let call = 0; call < 10000; call++) {
      const size = Math.max(1, Math.min(max, Math.round(Math.exp(rand() * Math.log(max)))));
      // Zero vol takes the kernel's short intrinsic path: this test is about marshalling and memory, not the math.
      const r = engine.blackScholes({ spots: spots.subarray(0, size), strikes: 100, expiries: 0.5, vols: 0, rates: 0.01, types: 'call' });
      expect(r.price.length).toBe(size);
      if (call === 1000) plateau = engine.memoryBytes;
    }
    expect(engine.memoryBytes).toBe(plateau);
    // One chunk's columns at most: far below the 8e5-byte input of the largest call.
    expect(engine.memoryBytes).toBeLessThan(4 * 1024 * 1024);
  });
});
