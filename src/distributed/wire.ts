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
 * Serialise plain data and typed arrays (structured-clone rules). Node's serializer writes a typed
 * array as its own bytes (a host object), so views on a SharedArrayBuffer (the pool's inputs)
 * serialise as plain copies without walking the value first (walking a shard part's collateral
 * lists cost ~5 us an account, measured); they decode onto ordinary memory.
 * @throws DataCloneError for functions, symbols, a bare SharedArrayBuffer, class instances with private state.
 */
export function encode(value: unknown): Buffer {
  return serialize(value);
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

/**
 * The Float64Array {@link encodeValues} wrote: a view of `bytes` when they are 8-aligned and most
 * of their buffer (a large reply arrives on a buffer of its own: no copy of a shard's megabytes),
 * else a copy (a small reply may be a slice of a pooled or socket buffer that a view would keep
 * alive). The caller owns `bytes` from then on.
 */
export function decodeValues(bytes: Uint8Array): Float64Array {
  if (bytes.byteOffset % 8 === 0 && bytes.byteLength % 8 === 0 && 2 * bytes.byteLength >= bytes.buffer.byteLength) return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
