// Sequential draws for the Monte Carlo path kernels: pure-JS twin of assembly/montecarlo/draws.ts
// (same stream layout, bit-identical uniforms). Uniform draw j of path p in stream s is
// ((w_2j >>> 12) 2^32 + w_2j+1 + 1/2) 2^-52 from philox(counter = [j >>> 1 (lo, hi), p, s], key = seed);
// the normal of draw j is inverseNormalCdf(uniform j). Draws must be fetched in order within a path.
//
// The Philox block is a copy of the private `philoxBlock` of src/kernels/random/philox.ts (typed-array
// state, exact 2^-16 products; not exported there); test/montecarlo-kernels.test.ts checks it against philoxUniformBatch bit for bit.

import { inverseNormalCdf } from '../math/inverse-normal.js';
import { normalCdf } from '../math/normal-distribution.js';
import { DRAWS_PHILOX, DRAWS_UNIFORM_BUFFER } from './layout.js';

const M0 = 0xd2511f53;
const M0_HI = 0xd251;
const M0_LO = 0x1f53;
const M1 = 0xcd9e8d57;
const M1_HI = 0xcd9e;
const M1_LO = 0x8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const INV_65536 = 1 / 65536; // exact: multiplying by it is dividing by 2^16
const TWO_M52 = 2.220446049250313080847263336181640625e-16;
const TWO_32 = 4294967296;
const HALF_CELL_32 = 1.16415321826934814453125e-10;

/** Output words of the last block: a typed array (a module `let` above 2^31 would box a heap number). */
const R = new Uint32Array(4);

function philoxBlock(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void {
  c0 >>>= 0;
  c2 >>>= 0;
  for (let round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = (k0 + W0) | 0;
      k1 = (k1 + W1) | 0;
    }
    const hi0 = ((c0 * M0_HI + ((c0 * M0_LO) * INV_65536 >>> 0)) * INV_65536) >>> 0;
    const lo0 = Math.imul(c0, M0);
    const hi1 = ((c2 * M1_HI + ((c2 * M1_LO) * INV_65536 >>> 0)) * INV_65536) >>> 0;
    const lo1 = Math.imul(c2, M1);
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  R[0] = c0;
  R[1] = c1;
  R[2] = c2;
  R[3] = c3;
}

function uniformFromWords(hi: number, lo: number): number {
  return ((hi >>> 12) * TWO_32 + (lo >>> 0) + 0.5) * TWO_M52;
}

let gMode = 0;
let gSeedLo = 0;
let gSeedHi = 0;
let gStream = 0;
let gPath = 0;
let gRow = 0;
let gAnti = false;
let gSpare = 0;
let gF64: Float64Array = new Float64Array(0);

/** Set the generator for a kernel call (seed, stream, draw source, heap view for buffers). */
export function drawsBegin(mode: number, seedLo: number, seedHi: number, stream: number, f64: Float64Array): void {
  gMode = mode;
  gSeedLo = seedLo >>> 0;
  gSeedHi = seedHi >>> 0;
  gStream = stream >>> 0;
  gF64 = f64;
}

/** Start a path: Philox path index (the base index for antithetic pairs), buffer row (byte offset), flip flag. */
export function drawsPath(path: number, row: number, anti: boolean): void {
  gPath = path >>> 0;
  gRow = row >>> 3;
  gAnti = anti;
}

/** Raw draw j of the current path (uniform, or normal for a normal buffer), after the antithetic flip. */
export function draw(j: number): number {
  if (gMode === DRAWS_PHILOX) {
    let u: number;
    if ((j & 1) === 0) {
      philoxBlock(j >>> 1, 0, gPath, gStream, gSeedLo, gSeedHi);
      u = uniformFromWords(R[0]!, R[1]!);
      gSpare = uniformFromWords(R[2]!, R[3]!);
    } else {
      u = gSpare;
    }
    return gAnti ? 1.0 - u : u;
  }
  const x = gF64[gRow + j]!;
  if (gMode === DRAWS_UNIFORM_BUFFER) {
    const u = x + HALF_CELL_32;
    return gAnti ? 1.0 - u : u;
  }
  return gAnti ? -x : x;
}

/** A raw draw as a standard normal. */
export function asNormal(raw: number): number {
  return gMode === 2 ? raw : inverseNormalCdf(raw);
}

/** A raw draw as a uniform in (0, 1). */
export function asUniform(raw: number): number {
  return gMode === 2 ? normalCdf(raw) : raw;
}
