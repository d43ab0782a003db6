/**
 * Philox4x32-10 draws computed in JavaScript into an array of the caller's, for the facade's
 * scalar code that has no engine (`philoxUniforms(n, seed)` without one, the Acerbi-Szekely
 * critical values): the JS twin's own draw routines run over views of the caller's array, so
 * the numbers are the same bits as any engine's kernels give (Philox uses 32-bit integer
 * operations only; the uniform-to-normal inversion is the shared `inverseNormalCdf`). No arena,
 * no engine: nothing but the output array is touched.
 *
 * Uniforms are in (0, 1) with 52 random bits; normals are their inverse normal CDF (|z| <= 8.29).
 */
import type { KernelHeap } from '../kernels/heap.js';
import { philoxNormalBatch, philoxNormalPaths, philoxUniformBatch, philoxUniformPaths } from '../kernels/random/philox.js';

/** The heap views the twin's routines read, over `out`'s buffer. */
function heapOver(out: Float64Array): KernelHeap {
  const b = out.buffer as ArrayBuffer;
  return {
    f64: new Float64Array(b), f32: new Float32Array(b, 0, b.byteLength >>> 2), u32: new Uint32Array(b, 0, b.byteLength >>> 2),
    i32: new Int32Array(b, 0, b.byteLength >>> 2), u8: new Uint8Array(b), i8: new Int8Array(b),
  };
}

/**
 * Fill `out` with draws [offset, offset + out.length) of Philox (seed, stream, path): uniforms,
 * or standard normals when `normal`. Seed as two u32 words; stream and path u32.
 * @returns 0, or 1 for a malformed range (offset + n above 2^53), as the kernel does.
 * @throws Nothing.
 */
export function philoxDrawsInto(
  out: Float64Array, normal: boolean, seedLo: number, seedHi: number, stream: number, path: number, offset: number,
): number {
  const draw = normal ? philoxNormalBatch : philoxUniformBatch;
  return draw(heapOver(out), out.length, seedLo, seedHi, stream, path, offset, out.byteOffset);
}

/**
 * Fill `out` (row-major [nPaths][n], length nPaths n) with rows of Philox draws: row i is draws
 * [0, n) of path firstPath + i of (seed, stream), uniforms or standard normals when `normal`.
 * @returns 0, or 1 for a malformed range, as the kernel does.
 * @throws Nothing.
 */
export function philoxRowsInto(
  out: Float64Array, normal: boolean, nPaths: number, n: number, seedLo: number, seedHi: number, stream: number, firstPath: number,
): number {
  const draw = normal ? philoxNormalPaths : philoxUniformPaths;
  return draw(heapOver(out), nPaths, n, seedLo, seedHi, stream, firstPath, 0, out.byteOffset);
}
