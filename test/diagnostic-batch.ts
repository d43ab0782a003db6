// The diagnostic column exports of the WASM build (elementaryBatch, simdMathBatch, trigBatch,
// drawNormalsBatch): outside
// the kernel contract, so tests reach them through a private instance of the engine's compiled module.
import { expect } from 'vitest';
import { createEngine } from '../src/index.js';

/** A diagnostic batch export: `fn` selects the function; reads n doubles at pIn (a second column at pIn + 4096 * 8 for binary functions), writes n at pOut. */
export type DiagnosticBatch = 'elementaryBatch' | 'simdMathBatch' | 'trigBatch' | 'drawNormalsBatch';

/** What the batch helper needs of an instance: its memory, heapBase and the diagnostic it calls. */
type Raw = { memory: WebAssembly.Memory; heapBase(): number } & { [K in DiagnosticBatch]?: (fn: number, n: number, pIn: number, pOut: number) => number };

/** Elements per pass through the private memory (the second input column starts this many doubles after the first). */
const CHUNK = 4096;

/** A private instance of the WASM engine's module (its memory is not the engine's arena). */
export async function diagnosticInstance(): Promise<Required<Raw>> {
  const engine = await createEngine({ backend: 'wasm' });
  const instance = await WebAssembly.instantiate(engine.module!, { env: { abort: () => { throw new Error('abort'); } } });
  return instance.exports as unknown as Required<Raw>;
}

/**
 * `batch(fn)` of the WASM build over xs (and ys, the second argument of binary functions), `chunk`
 * elements per call (the last call takes the rest).
 */
export function applyDiagnostic(raw: Raw, batch: DiagnosticBatch, fn: number, xs: Float64Array, ys?: Float64Array, chunk = CHUNK): Float64Array {
  const out = new Float64Array(xs.length);
  const base = (raw.heapBase() + 15) & ~15;
  const need = base + chunk * 16;
  if (raw.memory.buffer.byteLength < need) raw.memory.grow(Math.ceil((need - raw.memory.buffer.byteLength) / 65536));
  for (let s = 0; s < xs.length; s += chunk) {
    const m = Math.min(chunk, xs.length - s);
    const f = new Float64Array(raw.memory.buffer);
    f.set(xs.subarray(s, s + m), base >>> 3);
    if (ys) f.set(ys.subarray(s, s + m), (base >>> 3) + chunk);
    expect(raw[batch]!(fn, m, base, base + chunk * 8)).toBe(0);
    out.set(new Float64Array(raw.memory.buffer, base + chunk * 8, m), s);
  }
  return out;
}
