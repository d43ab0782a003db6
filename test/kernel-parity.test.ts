// Every kernel of spec/kernels.json on both twins, table-driven: the spec, the .wasm's exports and
// the JS twin's kernel object list the same kernels with the same arity (and the .wasm the same
// value types); then each case of kernel-parity-cases.ts runs on the raw kernels of the WASM and
// the JS engine, each in its own arena, and every written column is compared under the spec's
// agreement rule for that kernel (integer columns and status codes always exactly).
import { describe, it, expect, beforeAll } from 'vitest';
import kernelSpec from '../spec/kernels.json';
import constantSpec from '../spec/constants.json';
import { constantValues, isPointer, wasmType, type checkSpec } from '../scripts/kernel-spec/render.mjs';
import { parseLength } from '../scripts/kernel-spec/length.mjs';
import { engineFor } from './backends.js';
import { SCALAR_CASES, batchCases, BRIDGE_TIMES, sobolDims, type Derived, type KernelCase } from './kernel-parity-cases.js';
import { sobolDirectionTable } from '../src/random/sobol-table.js';
import type { Engine } from '../src/index.js';

type Spec = Parameters<typeof checkSpec>[0];
type KernelSpec = Spec['kernels'][number];
type Agreement = KernelSpec['agree'];
type Pointer = Extract<KernelSpec['args'][number], { length: string }>;
const spec = kernelSpec as unknown as Spec;
const CONSTANTS = constantValues(constantSpec as unknown as Parameters<typeof checkSpec>[1]);
const NAMES = spec.kernels.map((k) => k.name);
const EPS = 2 ** -52;

// ---- The .wasm's own view of its exports: names, and value types from the binary. ----

const VALUE_TYPES: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };

/** Exported functions of a .wasm with their parameter and result types (type, import, function, export sections). */
function wasmFunctionTypes(bytes: Uint8Array): Map<string, { params: string[]; results: string[] }> {
  let p = 8;
  const u = () => { let r = 0, shift = 0, b; do { b = bytes[p++]; r += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80); return r; };
  const name = () => { const n = u(); p += n; return new TextDecoder().decode(bytes.subarray(p - n, p)); };
  const limits = () => { const flag = bytes[p++]; u(); if (flag & 1) u(); };
  const types: { params: string[]; results: string[] }[] = [];
  const functions: number[] = [];
  const out = new Map<string, { params: string[]; results: string[] }>();
  while (p < bytes.length) {
    const id = bytes[p++], size = u(), end = p + size;
    if (id === 1) {
      for (let n = u(); n > 0; n--) {
        p++; // 0x60
        const params = Array.from({ length: u() }, () => VALUE_TYPES[bytes[p++]]);
        const results = Array.from({ length: u() }, () => VALUE_TYPES[bytes[p++]]);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u(); n > 0; n--) {
        name(); name();
        const kind = bytes[p++];
        if (kind === 0) functions.push(u());
        else if (kind === 1) { p++; limits(); } else if (kind === 2) limits(); else p += 2;
      }
    } else if (id === 3) {
      for (let n = u(); n > 0; n--) functions.push(u());
    } else if (id === 7) {
      for (let n = u(); n > 0; n--) {
        const exported = name(), kind = bytes[p++], index = u();
        if (kind === 0) out.set(exported, types[functions[index]]);
      }
    }
    p = end;
  }
  return out;
}

async function wasmBytes(): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL('../build/riskwasm.wasm', import.meta.url);
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url));
  }
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}

/** Kernel names in one or two of the three places only, one sentence each. */
function nameDifferences(specNames: string[], wasmNames: string[], jsNames: string[]): string[] {
  const places = [['the spec', new Set(specNames)], ['the WASM exports', new Set(wasmNames)], ['the JS twin', new Set(jsNames)]] as const;
  const all = [...new Set([...specNames, ...wasmNames, ...jsNames])].sort();
  return all.flatMap((n) => {
    const inPlaces = places.filter(([, s]) => s.has(n)).map(([where]) => where);
    return inPlaces.length === 3 ? [] : [`${n}: in ${inPlaces.join(' and ')} only`];
  });
}

describe('kernel contract: the spec, the WASM exports and the JS twin list the same kernels', () => {
  let wasmTypes: Map<string, { params: string[]; results: string[] }>;
  let wasmExports: Record<string, unknown>;
  let js: Engine;
  beforeAll(async () => {
    const bytes = await wasmBytes();
    wasmTypes = wasmFunctionTypes(bytes);
    const module = await WebAssembly.compile(bytes);
    const w = await engineFor('wasm');
    // The build the tests read is the one the engine loaded.
    expect(WebAssembly.Module.exports(module)).toEqual(WebAssembly.Module.exports(w.module!));
    wasmExports = new WebAssembly.Instance(module, { env: { abort() {} } }).exports as Record<string, unknown>;
    js = await engineFor('js');
  });

  it('same names: every kernel in the spec, in the .wasm (besides its diagnostic exports) and in the JS twin', () => {
    const diagnostics = spec.diagnostics.map((d) => d.name);
    const wasmNames = Object.keys(wasmExports).filter((n) => typeof wasmExports[n] === 'function' && !diagnostics.includes(n));
    expect(nameDifferences(NAMES, wasmNames, Object.keys(js.kernels))).toEqual([]);
    for (const d of diagnostics) expect(typeof wasmExports[d], d).toBe('function');
  });

  it('a kernel in one twin only is reported (the check above can fail)', () => {
    const jsOnly = [...NAMES, 'extraJsKernel'];
    const wasmMissing = NAMES.filter((n) => n !== 'tailSelect');
    expect(nameDifferences(NAMES, wasmMissing, jsOnly)).toEqual(['extraJsKernel: in the JS twin only', 'tailSelect: in the spec and the JS twin only']);
  });

  it('same arity on both twins, and the .wasm\'s value types are the spec\'s (pointers and integers i32, f64 f64)', () => {
    for (const k of spec.kernels) {
      expect((wasmExports[k.name] as (...a: number[]) => number).length, `${k.name} (wasm)`).toBe(k.args.length);
      expect((js.kernels as unknown as Record<string, (...a: number[]) => number>)[k.name].length, `${k.name} (js)`).toBe(k.args.length);
      expect(wasmTypes.get(k.name), k.name).toEqual({ params: k.args.map((a) => wasmType(a.kind)), results: [wasmType(k.returns)] });
    }
  });
});

// ---- Running a case on one twin. ----

type Column = Float64Array | Int32Array | Uint32Array | Uint8Array | Int8Array;
const BYTES = { f64: 8, i32: 4, u32: 4, u8: 1, i8: 1 } as const;

function view(e: Engine, type: Pointer['type'], p: number, length: number): Column {
  const v = e.arena.views;
  const [array, shift] = { f64: [v.f64, 3], i32: [v.i32, 2], u32: [v.u32, 2], u8: [v.u8, 0], i8: [v.i8, 0] }[type] as [Column, number];
  return array.subarray(p >>> shift, (p >>> shift) + length);
}

interface Run { returned: number; columns: Record<string, Column> }

function runCase(e: Engine, k: KernelSpec, c: KernelCase): Run {
  const scope = { ...CONSTANTS, ...c.scalars };
  const given = c.inputs ?? {};
  const pointers = k.args.filter(isPointer) as Pointer[];
  const lengths = Object.fromEntries(pointers.map((a) => [a.name, parseLength(a.length).evaluate(scope)]));
  const passed = (a: Pointer) => (a.kind === 'in' ? a.name in given : !c.omit?.includes(a.name));
  for (const a of pointers) {
    if (!passed(a) && !a.optional) throw new Error(`${k.name} ${c.label}: ${a.name} is required`);
    if ((a.kind === 'in' || a.kind === 'inout') && a.name in given) {
      // The case's data has the spec's length: a check of the length expressions themselves.
      expect(given[a.name].length, `${k.name} ${c.label}: ${a.name} length vs spec ${a.length}`).toBe(lengths[a.name]);
    }
  }
  e.arena.reset();
  e.arena.reserve(32 + pointers.reduce((s, a) => s + 16 + lengths[a.name] * BYTES[a.type], 0));
  // Offset 0 means "no column" to the kernels: never hand out the JS heap's first bytes.
  e.arena.alloc(16);
  const at: Record<string, number> = {};
  for (const a of pointers) at[a.name] = passed(a) ? e.arena.alloc(Math.max(16, lengths[a.name] * BYTES[a.type])) : 0;
  for (const a of pointers) {
    if (!at[a.name]) continue;
    const col = view(e, a.type, at[a.name], lengths[a.name]);
    if (a.name in given) col.set(given[a.name]);
    else new Uint8Array(col.buffer, col.byteOffset, col.byteLength).fill(0x5a); // the same sentinel on both twins
  }
  const args = k.args.map((a) => {
    if (isPointer(a)) return at[a.name];
    if (!(a.name in c.scalars)) throw new Error(`${k.name} ${c.label}: no value for ${a.name}`);
    return c.scalars[a.name];
  });
  const returned = (e.kernels as unknown as Record<string, (...a: number[]) => number>)[k.name](...args);
  const columns: Record<string, Column> = {};
  for (const a of pointers) if (at[a.name] && (a.kind === 'out' || a.kind === 'inout')) columns[a.name] = view(e, a.type, at[a.name], lengths[a.name]).slice();
  return { returned, columns };
}

// ---- Agreement. ----

/** Elements of a and b that break the rule, described (empty when they agree). */
function disagreements(a: ArrayLike<number>, b: ArrayLike<number>, rule: Agreement, integer: boolean): string[] {
  const bad: string[] = [];
  let scale = 0;
  if (rule.rule === 'relative' && rule.scale === 'column') for (let i = 0; i < b.length; i++) if (Number.isFinite(b[i])) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length && bad.length < 5; i++) {
    const x = a[i], y = b[i];
    if (Object.is(x, y)) continue;
    if (integer || rule.rule === 'identical') {
      bad.push(`[${i}] wasm ${x} js ${y}`);
      continue;
    }
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (!(Number.isNaN(x) && Number.isNaN(y))) bad.push(`[${i}] wasm ${x} js ${y}`);
      continue;
    }
    const d = Math.abs(x - y);
    const bound = rule.rule === 'ulps'
      ? rule.ulps * EPS * Math.max(Math.abs(x), Math.abs(y))
      : rule.tolerance * (rule.scale === 'column' ? scale : Math.max(Math.abs(x), Math.abs(y), rule.floor ?? 0));
    if (!(d <= bound)) bad.push(`[${i}] wasm ${x} js ${y} (|diff| ${d.toExponential(2)} > ${bound.toExponential(2)})`);
  }
  return bad;
}

function bitsEqual(a: Column, b: Column): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

describe('kernel parity: every kernel of the spec, WASM vs JS twin, under the spec\'s agreement rule', () => {
  let wasm: Engine, js: Engine;
  let derived: Derived;
  let cases: Record<string, KernelCase[]>;
  beforeAll(async () => {
    [wasm, js] = await Promise.all([engineFor('wasm'), engineFor('js')]);
    // Inputs that are another kernel's output, made once by the JS twin and copied into both arenas.
    const a = js.arena;
    a.reset();
    const table = sobolDirectionTable(sobolDims);
    a.reserve(4 * (table.length + 32 * sobolDims) + 8 * 7 * BRIDGE_TIMES.length + 64);
    const pTable = a.alloc(4 * table.length), pDir = a.alloc(4 * 32 * sobolDims);
    a.views.u32.set(table, pTable >>> 2);
    expect(js.kernels.sobolInitDirections(sobolDims, pTable, table.length, pDir)).toBe(0);
    const sobolDirections = a.views.u32.slice(pDir >>> 2, (pDir >>> 2) + 32 * sobolDims);
    const pTimes = a.alloc(8 * BRIDGE_TIMES.length), pBridge = a.alloc(48 * BRIDGE_TIMES.length);
    a.views.f64.set(BRIDGE_TIMES, pTimes >>> 3);
    expect(js.kernels.brownianBridgeInit(BRIDGE_TIMES.length, pTimes, pBridge)).toBe(0);
    derived = { sobolDirections, bridgeTable: a.views.f64.slice(pBridge >>> 3, (pBridge >>> 3) + 6 * BRIDGE_TIMES.length) };
    cases = batchCases(derived);
  });

  it('every kernel of the spec has cases, and every case names a kernel of the spec', () => {
    const covered = [...Object.keys(SCALAR_CASES), ...Object.keys(cases)];
    expect([...covered].sort()).toEqual([...NAMES].sort());
  });

  it.each(spec.kernels.map((k) => [k.name, k] as const))('%s', (name, k) => {
    const measured: string[] = [];
    if (!k.args.some(isPointer)) {
      const rows = SCALAR_CASES[name];
      expect(rows?.length, `${name}: no scalar cases`).toBeGreaterThan(0);
      const a = rows.map((r) => (wasm.kernels as unknown as Record<string, (...x: number[]) => number>)[name](...r));
      const b = rows.map((r) => (js.kernels as unknown as Record<string, (...x: number[]) => number>)[name](...r));
      const bad = disagreements(a, b, k.agree, k.returns !== 'f64');
      expect(bad, `${name} (${k.agree.rule}; ${k.agree.source}) at rows ${bad.map((s) => JSON.stringify(rows[Number(s.slice(1, s.indexOf(']')))])).join(' ')}`).toEqual([]);
      measured.push(`${a.filter((x, i) => Object.is(x, b[i])).length}/${a.length} identical`);
    } else {
      let wellFormed = 0;
      for (const c of cases[name]) {
        const rw = runCase(wasm, k, c), rj = runCase(js, k, c);
        expect(rw.returned, `${name} ${c.label}: returned`).toBe(rj.returned);
        if (rw.returned === 0) wellFormed++;
        for (const a of k.args.filter(isPointer) as Pointer[]) {
          const x = rw.columns[a.name], y = rj.columns[a.name];
          if (!x) continue;
          const rule = a.agree ?? k.agree;
          const bad = disagreements(x, y, rule, a.type !== 'f64');
          expect(bad, `${name} ${c.label}: ${a.name} (${rule.rule}; ${rule.source})`).toEqual([]);
          measured.push(`${a.name} ${bitsEqual(x, y) ? 'bit-identical' : 'within rule'}`);
        }
      }
      // At least one case is a well-formed call: the kernel computed, not only rejected its arguments.
      expect(wellFormed, `${name}: no well-formed case`).toBeGreaterThan(0);
    }
    console.log(`[parity] ${name}: ${[...new Set(measured)].join(', ')}`);
  });
});
