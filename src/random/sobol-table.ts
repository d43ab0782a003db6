/**
 * The Joe-Kuo direction-number table as the Sobol kernels read it: a flat u32 array holding, for
 * each dimension 2..dims in turn, `[s, a, m_1, ..., m_s]` (degree s of the primitive polynomial,
 * its inner coefficients a, the initial direction integers m_i, odd and < 2^i).
 *
 * Numbers: S. Joe and F. Y. Kuo, new-joe-kuo-6.21201 (BSD-style licence, data/sobol/LICENSE-joe-kuo.txt).
 */
import { InputError } from '../errors.js';
import {
  SOBOL_DIRECTION_DIMENSIONS, SOBOL_DIRECTION_PACKED, SOBOL_DIRECTION_TABLE_FNV, SOBOL_DIRECTION_TABLE_WORDS,
} from './sobol-directions.js';

/** Largest number of Sobol dimensions riskwasm ships direction numbers for. */
export const SOBOL_MAX_DIMENSIONS = SOBOL_DIRECTION_DIMENSIONS;

let decoded: { table: Uint32Array; ends: Uint32Array } | undefined;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decode(): { table: Uint32Array; ends: Uint32Array } {
  const text = SOBOL_DIRECTION_PACKED;
  const bytes = new Uint8Array(Math.floor((text.replace(/=+$/, '').length * 6) / 8));
  let acc = 0, nAcc = 0, nb = 0;
  for (const ch of text) {
    if (ch === '=') break;
    acc = (acc << 6) | B64.indexOf(ch);
    nAcc += 6;
    if (nAcc >= 8) {
      nAcc -= 8;
      bytes[nb++] = (acc >>> nAcc) & 0xff;
    }
  }
  let bit = 0;
  const take = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++, bit++) v = (v << 1) | ((bytes[bit >> 3]! >>> (7 - (bit & 7))) & 1);
    return v >>> 0;
  };
  const table = new Uint32Array(SOBOL_DIRECTION_TABLE_WORDS);
  const ends = new Uint32Array(SOBOL_DIRECTION_DIMENSIONS);
  let w = 0;
  for (let d = 2; d <= SOBOL_DIRECTION_DIMENSIONS; d++) {
    const s = take(5);
    table[w++] = s;
    table[w++] = take(s - 1);
    for (let i = 1; i <= s; i++) table[w++] = take(i);
    ends[d - 1] = w;
  }
  let fnv = 0x811c9dc5;
  for (let i = 0; i < w; i++) fnv = Math.imul(fnv ^ table[i]!, 0x01000193) >>> 0;
  if (w !== SOBOL_DIRECTION_TABLE_WORDS || fnv !== SOBOL_DIRECTION_TABLE_FNV) {
    throw new Error('sobol-directions: the packed direction numbers are corrupt (checksum mismatch)');
  }
  return { table, ends };
}

/**
 * The flat direction table for the first `dims` dimensions (a view: do not modify), i.e. rows
 * for dimensions 2..dims; length 0 for dims = 1. Decoded once, on first use.
 * @throws InputError (path 'dims') unless dims is an integer in [1, SOBOL_MAX_DIMENSIONS].
 */
export function sobolDirectionTable(dims: number): Uint32Array {
  if (!Number.isInteger(dims) || dims < 1 || dims > SOBOL_MAX_DIMENSIONS) {
    throw new InputError('dims', dims, `an integer in [1, ${SOBOL_MAX_DIMENSIONS}]`);
  }
  decoded ??= decode();
  return decoded.table.subarray(0, decoded.ends[dims - 1]);
}
