/**
 * How jobs, shard results and errors travel through Redis: Node's structured-clone serialisation
 * (`node:v8`), which keeps every double exactly (NaN payload aside: -0, NaN, Infinity, subnormals),
 * typed arrays, Maps and nested objects, the same rules as a worker thread's `postMessage`. JSON
 * would turn NaN and Infinity into null and -0 into 0, and base64 inflates by a third.
 *
 * Content addressing: a blob's key is the SHA-256 of its serialised bytes, so the same input
 * submitted twice (two runs of one book, a retried submit) is stored once.
 */
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';

/**
 * A copy of `value` safe to serialise: typed arrays on a SharedArrayBuffer (the pool's inputs)
 * become plain copies, since a shared buffer cannot leave the process. Other values are kept
 * (by reference: nothing the caller passed is modified).
 */
function unshare(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) {
    if (typeof SharedArrayBuffer !== 'undefined' && value.buffer instanceof SharedArrayBuffer) {
      const ctor = value.constructor as new (n: number) => ArrayBufferView & { set(a: ArrayLike<number>): void };
      const copy = new ctor((value as unknown as { length: number }).length);
      copy.set(value as unknown as ArrayLike<number>);
      return copy;
    }
    return value;
  }
  const hit = seen.get(value);
  if (hit !== undefined) return hit;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = unshare(value[i], seen);
      if (v !== value[i] && out === null) out = value.slice();
      if (out !== null) out[i] = v;
    }
    const r = out ?? value;
    seen.set(value, r);
    return r;
  }
  if (value instanceof Map || value instanceof Set || value instanceof Date || value instanceof RegExp) return value;
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value)) {
    const u = unshare(v, seen);
    if (u !== v && out === null) out = { ...(value as Record<string, unknown>) };
    if (out !== null) out[k] = u;
  }
  const r = out ?? value;
  seen.set(value, r);
  return r;
}

/** Serialise plain data and typed arrays (structured-clone rules). @throws DataCloneError for functions, symbols, class instances with private state. */
export function encode(value: unknown): Buffer {
  return serialize(unshare(value, new Map()));
}

/** The value {@link encode} serialised. */
export function decode(bytes: Uint8Array): unknown {
  return deserialize(bytes);
}

/** Hex SHA-256 of `bytes`: the content address of a blob. */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A shard's result as raw little-endian doubles (exact, no parsing). */
export function encodeValues(values: Float64Array): Buffer {
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  // Big-endian hosts would need a swap; every Node platform riskwasm supports is little-endian.
  return Buffer.from(bytes);
}

/** The Float64Array {@link encodeValues} wrote (a copy on its own aligned buffer). */
export function decodeValues(bytes: Uint8Array): Float64Array {
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
