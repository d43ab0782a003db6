// Sequential draws for the Monte Carlo path kernels, generated inline (no buffers) from
// Philox4x32-10 in the stream layout of assembly/random/philox.ts: uniform draw j of path p in
// stream s is ((w_2j >>> 12) 2^32 + w_2j+1 + 1/2) 2^-52 where w are the words of
// philox(counter = [j >>> 1 (lo, hi), p, s], key = seed), so one block serves draws 2k and 2k + 1.
// The normal of draw j is inverseNormalCdf(uniform j). Draws must be fetched in order
// j = 0, 1, 2, ... within a path (the odd draw comes from the block the even one computed).
//
// The Philox block below is a copy of the private, hand-unrolled `philoxBlock` in
// assembly/random/philox.ts (not exported there); test/montecarlo-kernels.test.ts checks it against that file's philoxUniformBatch
// bit for bit. Mirrored in src/kernels/montecarlo/draws.ts.
//
// Antithetic paths flip every uniform u -> 1 - u (exact for these u), hence negate every normal:
// inverseNormalCdf(1 - u) = -inverseNormalCdf(u) exactly (AS 241 is odd in u - 1/2).
// Buffer sources: DRAWS_UNIFORM_BUFFER reads row-major [row][dims] uniforms in [0, 1) on the
// 2^-32 grid of the Sobol kernels and centres them in their cell (+ 2^-33, so never 0);
// DRAWS_NORMAL_BUFFER reads normals (e.g. Brownian-bridge ordered), a uniform being Phi(z).

import { inverseNormalCdf } from "../math/inverse-normal";
import { normalCdf } from "../math/normal-distribution";
import { DRAWS_PHILOX, DRAWS_UNIFORM_BUFFER } from "./layout";

const M0: u64 = 0xD2511F53;
const M1: u64 = 0xCD9E8D57;
const W0: u32 = 0x9E3779B9;
const W1: u32 = 0xBB67AE85;
const TWO_M52: f64 = 2.220446049250313080847263336181640625e-16;
const TWO_32: f64 = 4294967296.0;
/** Half a cell of the 2^-32 Sobol grid. */
const HALF_CELL_32: f64 = 1.16415321826934814453125e-10;

let r0: u32 = 0;
let r1: u32 = 0;
let r2: u32 = 0;
let r3: u32 = 0;

// @ts-ignore: decorator
@inline
function philoxBlock(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  let p0: u64, p1: u64, t: u32;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  k0 += W0; k1 += W1;
  p0 = M0 * <u64>c0; p1 = M1 * <u64>c2;
  t = c1; c1 = <u32>p1; c0 = <u32>(p1 >>> 32) ^ t ^ k0;
  t = c3; c3 = <u32>p0; c2 = <u32>(p0 >>> 32) ^ t ^ k1;
  r0 = c0;
  r1 = c1;
  r2 = c2;
  r3 = c3;
}

// @ts-ignore: decorator
@inline
function uniformFromWords(hi: u32, lo: u32): f64 {
  return (<f64>(hi >>> 12) * TWO_32 + <f64>lo + 0.5) * TWO_M52;
}

// The current path's draw source.
let gMode: i32 = 0;
let gSeedLo: u32 = 0;
let gSeedHi: u32 = 0;
let gStream: u32 = 0;
let gPath: u32 = 0;
let gRow: usize = 0;
let gAnti: bool = false;
let gSpare: f64 = 0.0;

/** Set the generator for a kernel call (seed, stream, draw source). */
export function drawsBegin(mode: i32, seedLo: u32, seedHi: u32, stream: u32): void {
  gMode = mode;
  gSeedLo = seedLo;
  gSeedHi = seedHi;
  gStream = stream;
}

/** Start a path: Philox path index (the base index for antithetic pairs), buffer row, flip flag. */
// @ts-ignore: decorator
@inline
export function drawsPath(path: u32, row: usize, anti: bool): void {
  gPath = path;
  gRow = row;
  gAnti = anti;
}

/**
 * Raw draw j of the current path: a uniform in (0, 1) (Philox, uniform buffer) or a normal
 * (normal buffer), after the antithetic flip.
 */
// @ts-ignore: decorator
@inline
export function draw(j: u32): f64 {
  if (gMode == DRAWS_PHILOX) {
    let u: f64;
    if ((j & 1) == 0) {
      philoxBlock(j >>> 1, 0, gPath, gStream, gSeedLo, gSeedHi);
      u = uniformFromWords(r0, r1);
      gSpare = uniformFromWords(r2, r3);
    } else {
      u = gSpare;
    }
    return gAnti ? 1.0 - u : u;
  }
  const x = load<f64>(gRow + (<usize>j << 3));
  if (gMode == DRAWS_UNIFORM_BUFFER) {
    const u = x + HALF_CELL_32;
    return gAnti ? 1.0 - u : u;
  }
  return gAnti ? -x : x;
}

/** A raw draw as a standard normal. */
// @ts-ignore: decorator
@inline
export function asNormal(raw: f64): f64 {
  return gMode == 2 ? raw : inverseNormalCdf(raw);
}

/** A raw draw as a uniform in (0, 1). */
// @ts-ignore: decorator
@inline
export function asUniform(raw: f64): f64 {
  return gMode == 2 ? normalCdf(raw) : raw;
}
