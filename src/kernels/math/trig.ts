// sin, cos and expm1 as the WASM build computes them (AssemblyScript's std/assembly/math.ts:
// musl's sin.c, cos.c, __rem_pio2 with the Payne-Hanek step of jdh8/metallic for |x| >= 2^20 pi/2,
// __sin, __cos, and musl's expm1.c), written out in JS operation for operation, so the JS twin of a
// kernel that uses them gets the WASM kernel's bits. V8's Math.sin, Math.cos and Math.expm1 (fdlibm)
// differ from them in the last bit on about 0.5% (sin, cos) and 2% (expm1) of arguments. Each is
// within 1 ulp of the correctly rounded value (musl); test/simd-heston-trig.test.ts checks them
// against the WASM build's scalar functions bit for bit and against mpmath.

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const U64 = new BigUint64Array(F64.buffer);

/** High word of the double x (sign, exponent, top 20 fraction bits). */
function highWord(x: number): number {
  F64[0] = x;
  return U32[1]!;
}

/** The double with high word hi and low word lo. */
function fromWords(hi: number, lo: number): number {
  U32[1] = hi;
  U32[0] = lo;
  return F64[0]!;
}

// __rem_pio2's result: x = q pi/2 + y0 + y1.
let Y0 = 0;
let Y1 = 0;

const PIO2_1 = 1.57079632673412561417e+0;
const PIO2_1T = 6.07710050650619224932e-11;
const PIO2_2 = 6.07710050630396597660e-11;
const PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.02226624871116645580e-21;
const PIO2_3T = 8.47842766036889956997e-32;
const INVPIO2 = 6.36619772367581382433e-1;

// 2^-31 / pi in 64-bit words, then zeros (AssemblyScript's PIO2_TABLE).
const PIO2_TABLE = [
  0x00000000A2F9836En, 0x4E441529FC2757D1n, 0xF534DDC0DB629599n, 0x3C439041FE5163ABn,
  0xDEBBC561B7246E3An, 0x424DD2E006492EEAn, 0x09D1921CFE1DEB1Cn, 0xB129A73EE88235F5n,
  0x2EBB4484E99C7026n, 0xB45F7E413991D639n, 0x835339F49C845F8Bn, 0xBDF9283B1FF897FFn,
  0xDE05980FEF2F118Bn, 0x5A0A6D1F6D367ECFn, 0x27CB09B74F463F66n, 0x9E5FEA2D7527BAC7n,
  0xEBE5F17B3D0739F7n, 0x8A5292EA6BFB5FB1n, 0x1F8D5D0856033046n, 0xFC7B6BABF0CFBC20n,
  0x9AF4361DA9E39161n, 0x5EE61B086599855Fn, 0x14A068408DFFD880n, 0x4D73273106061557n,
];

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => v & M64;
const toF64 = (v: bigint): number => Number(v); // round to nearest, as f64.convert_i64_u
const clz64 = (v: bigint): bigint => (v === 0n ? 64n : BigInt(64 - v.toString(2).length));

/** Payne-Hanek reduction for |x| >= 2^20 pi/2 (jdh8/metallic rem_pio2.c via AssemblyScript); sets Y0, Y1. */
function pio2LargeQuot(x: number): number {
  F64[0] = x;
  const u = U64[0]!;
  const magnitude = u & 0x7FFFFFFFFFFFFFFFn;
  const offset = (magnitude >> 52n) - 1045n;
  const shift = offset & 63n;
  const at = Number(offset >> 6n);
  // |x| in [2^20 pi/2, 2^21) has offset -2: the word before the table (AssemblyScript reads
  // whatever precedes it) only reaches bits of s0 that s0 * significand drops mod 2^64.
  const b0 = at >= 0 ? PIO2_TABLE[at]! : 0n, b1 = PIO2_TABLE[at + 1]!, b2 = PIO2_TABLE[at + 2]!;
  let s0: bigint, s1: bigint, s2: bigint;
  if (shift) {
    const rshift = 64n - shift, b3 = PIO2_TABLE[at + 3]!;
    s0 = u64(b1 >> rshift | b0 << shift);
    s1 = u64(b2 >> rshift | b1 << shift);
    s2 = u64(b3 >> rshift | b2 << shift);
  } else {
    s0 = b0;
    s1 = b1;
    s2 = b2;
  }
  const significand = (u & 0x000FFFFFFFFFFFFFn) | 0x0010000000000000n;
  const prod = s1 * significand;
  const blo = u64(prod), bhi = prod >> 64n;
  const ahi = u64(s0 * significand);
  const clo = u64((s2 >> 32n) * (significand >> 32n));
  const plo = u64(blo + clo);
  const phi = u64(ahi + bhi + (plo < clo ? 1n : 0n));
  const rlo = u64(plo << 2n);
  const rhi = u64(phi << 2n | plo >> 62n);
  const slo = u64(BigInt.asIntN(64, rhi) >> 63n);
  const shi = u64(BigInt.asIntN(64, slo) >> 1n);
  const q = BigInt.asIntN(64, phi) >> 62n;
  const qq = q - BigInt.asIntN(64, slo);
  // pio2_right(rlo ^ slo, rhi ^ shi)
  let q0 = rlo ^ slo, q1 = rhi ^ shi;
  const p0 = 0xC4C6628B80DC1CD1n, p1 = 0xC90FDAA22168C234n;
  const sh = clz64(q1);
  // WASM shifts count mod 64 (q0 >> 64 is q0, q1 = 0 has clz 64).
  q1 = u64(q1 << (sh & 63n) | q0 >> ((64n - sh) & 63n));
  q0 = u64(q0 << (sh & 63n));
  const pr = p1 * q1;
  const lo = u64(pr), hi = pr >> 64n;
  const ahi2 = hi >> 11n;
  const alo = u64(lo >> 11n | hi << 53n);
  const blo2 = BigInt(Math.trunc(2 ** -75 * toF64(p0) * toF64(q1) + 2 ** -75 * toF64(p1) * toF64(q0)));
  let y0 = toF64(ahi2 + (lo < blo2 ? 1n : 0n));
  let y1 = 2 ** -64 * toF64(u64(alo + blo2));
  const shifter = u64(0x3CB0000000000000n - (sh << 52n));
  const signbit = (u ^ rhi) & 0x8000000000000000n;
  U64[0] = shifter | signbit;
  const coeff = F64[0]!;
  y0 *= coeff;
  y1 *= coeff;
  Y0 = y0;
  Y1 = y1;
  return Number(BigInt.asIntN(32, qq));
}

/** __rem_pio2 as AssemblyScript has it: returns q (mod 2^32), sets Y0, Y1. */
function remPio2(x: number, ix: number, sign: boolean): number {
  if (ix < 0x4002D97C) { // |x| < 3pi/4, q = +-1
    let z: number, y0: number, y1: number;
    if (!sign) {
      z = x - PIO2_1;
      if (ix !== 0x3FF921FB) {
        y0 = z - PIO2_1T;
        y1 = (z - y0) - PIO2_1T;
      } else {
        z -= PIO2_2;
        y0 = z - PIO2_2T;
        y1 = (z - y0) - PIO2_2T;
      }
      Y0 = y0;
      Y1 = y1;
      return 1;
    }
    z = x + PIO2_1;
    if (ix !== 0x3FF921FB) {
      y0 = z + PIO2_1T;
      y1 = (z - y0) + PIO2_1T;
    } else {
      z += PIO2_2;
      y0 = z + PIO2_2T;
      y1 = (z - y0) + PIO2_2T;
    }
    Y0 = y0;
    Y1 = y1;
    return -1;
  }
  if (ix < 0x413921FB) { // |x| ~< 2^20 pi/2: Cody-Waite
    const q = roundHalfEven(x * INVPIO2);
    let r = x - q * PIO2_1;
    let w = q * PIO2_1T;
    const j = ix >>> 20;
    let y0 = r - w;
    let i = j - ((highWord(y0) >>> 20) & 0x7FF);
    if (i > 16) {
      let t = r;
      w = q * PIO2_2;
      r = t - w;
      w = q * PIO2_2T - ((t - r) - w);
      y0 = r - w;
      i = j - ((highWord(y0) >>> 20) & 0x7FF);
      if (i > 49) {
        t = r;
        w = q * PIO2_3;
        r = t - w;
        w = q * PIO2_3T - ((t - r) - w);
        y0 = r - w;
      }
    }
    Y0 = y0;
    Y1 = (r - y0) - w;
    return q | 0;
  }
  const q = pio2LargeQuot(x);
  return sign ? -q | 0 : q;
}

/** f64.nearest: round to the nearest integer, ties to even. */
function roundHalfEven(v: number): number {
  const r = Math.round(v); // ties towards +Infinity
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function sinKernel(x: number, y: number, iy: number): number {
  const S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03, S3 = -1.98412698298579493134e-04,
    S4 = 2.75573137070700676789e-06, S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
  const z = x * x;
  const w = z * z;
  const r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
  const v = z * x;
  if (!iy) return x + v * (S1 + z * r);
  return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

function cosKernel(x: number, y: number): number {
  const C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03, C3 = 2.48015872894767294178e-05,
    C4 = -2.75573143513906633035e-07, C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
  const z = x * x;
  let w = z * z;
  const r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
  const hz = 0.5 * z;
  w = 1.0 - hz;
  return w + (((1.0 - w) - hz) + (z * r - x * y));
}

/** sin x (radians), bit for bit the WASM build's Math.sin (musl, within 1 ulp). */
export function sin(x: number): number {
  const hw = highWord(x);
  const sign = hw >>> 31 !== 0;
  const ix = hw & 0x7FFFFFFF;
  if (ix <= 0x3FE921FB) {
    if (ix < 0x3E500000) return x;
    return sinKernel(x, 0.0, 0);
  }
  if (ix >= 0x7FF00000) return x - x;
  const n = remPio2(x, ix, sign);
  const y = n & 1 ? cosKernel(Y0, Y1) : sinKernel(Y0, Y1, 1);
  return n & 2 ? -y : y;
}

/** cos x (radians), bit for bit the WASM build's Math.cos (musl, within 1 ulp). */
export function cos(x: number): number {
  const hw = highWord(x);
  const sign = hw >>> 31 !== 0;
  const ix = hw & 0x7FFFFFFF;
  if (ix <= 0x3FE921FB) {
    if (ix < 0x3E46A09E) return 1.0;
    return cosKernel(x, 0);
  }
  if (ix >= 0x7FF00000) return x - x;
  const n = remPio2(x, ix, sign);
  const y = n & 1 ? sinKernel(Y0, Y1, 1) : cosKernel(Y0, Y1);
  return (n + 1) & 2 ? -y : y;
}

/** sinCos's results: [sin x, cos x]. */
export const SIN_COS = new Float64Array(2);

/** sin x and cos x into SIN_COS with one reduction: exactly sin(x) and cos(x). */
export function sinCos(x: number): void {
  const hw = highWord(x);
  const sign = hw >>> 31 !== 0;
  const ix = hw & 0x7FFFFFFF;
  if (ix <= 0x3FE921FB) {
    SIN_COS[0] = ix < 0x3E500000 ? x : sinKernel(x, 0.0, 0);
    SIN_COS[1] = ix < 0x3E46A09E ? 1.0 : cosKernel(x, 0);
    return;
  }
  if (ix >= 0x7FF00000) {
    SIN_COS[0] = x - x;
    SIN_COS[1] = x - x;
    return;
  }
  const n = remPio2(x, ix, sign);
  const s = sinKernel(Y0, Y1, 1), c = cosKernel(Y0, Y1);
  const ys = n & 1 ? c : s, yc = n & 1 ? s : c;
  SIN_COS[0] = n & 2 ? -ys : ys;
  SIN_COS[1] = (n + 1) & 2 ? -yc : yc;
}

/** e^x - 1, bit for bit the WASM build's Math.expm1 (musl expm1.c, within 1 ulp). */
export function expm1(x: number): number {
  const o_threshold = 7.09782712893383973096e+02, ln2_hi = 6.93147180369123816490e-01,
    ln2_lo = 1.90821492927058770002e-10, invln2 = 1.44269504088896338700e+00,
    Q1 = -3.33333333333331316428e-02, Q2 = 1.58730158725481460165e-03, Q3 = -7.93650757867487942473e-05,
    Q4 = 4.00821782732936239552e-06, Q5 = -2.01099218183624371326e-07, Ox1p1023 = 2 ** 1023;
  const hw = highWord(x);
  const hx = hw & 0x7FFFFFFF;
  const sign = hw >>> 31;
  let k = 0;
  if (hx >= 0x4043687A) {
    if (x !== x) return x;
    if (sign) return -1;
    if (x > o_threshold) return x * Ox1p1023;
  }
  let c = 0.0, t: number;
  if (hx > 0x3FD62E42) {
    k = hx < 0x3FF0A2B2 ? 1 - (sign << 1) : (invln2 * x + (sign ? -0.5 : 0.5)) | 0;
    t = k;
    const hi = x - t * ln2_hi;
    const lo = t * ln2_lo;
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (hx < 0x3C900000) return x;
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const hxq = hxs * hxs;
  const r1 = (1.0 + hxs * Q1) + hxq * ((Q2 + hxs * Q3) + hxq * (Q4 + hxs * Q5));
  t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k === 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) {
    if (x < -0.25) return -2.0 * (e - (x + 0.5));
    return 1.0 + 2.0 * (x - e);
  }
  const twopk = fromWords(((0x3FF + k) << 20) >>> 0, 0);
  let y: number;
  if (k < 0 || k > 56) {
    y = x - e + 1.0;
    if (k === 1024) y = y * 2.0 * Ox1p1023;
    else y = y * twopk;
    return y - 1.0;
  }
  y = fromWords(((0x3FF - k) << 20) >>> 0, 0);
  if (k < 20) y = (1 - y) - e;
  else y = 1 - (e + y);
  return (x + y) * twopk;
}

/** |z| with the sign bit of s. */
function copysign(z: number, s: number): number {
  F64[0] = s;
  const negative = U32[1]! >>> 31 !== 0;
  const a = Math.abs(z);
  return negative ? -a : a;
}

/** atan x, bit for bit the WASM build's Math.atan (musl atan.c). */
export function atan(x: number): number {
  const atanhi0 = 4.63647609000806093515e-01, atanhi1 = 7.85398163397448278999e-01,
    atanhi2 = 9.82793723247329054082e-01, atanhi3 = 1.57079632679489655800e+00,
    atanlo0 = 2.26987774529616870924e-17, atanlo1 = 3.06161699786838301793e-17,
    atanlo2 = 1.39033110312309984516e-17, atanlo3 = 6.12323399573676603587e-17,
    aT0 = 3.33333333333329318027e-01, aT1 = -1.99999999998764832476e-01, aT2 = 1.42857142725034663711e-01,
    aT3 = -1.11111104054623557880e-01, aT4 = 9.09088713343650656196e-02, aT5 = -7.69187620504482999495e-02,
    aT6 = 6.66107313738753120669e-02, aT7 = -5.83357013379057348645e-02, aT8 = 4.97687799461593236017e-02,
    aT9 = -3.65315727442169155270e-02, aT10 = 1.62858201153657823623e-02;
  const sx = x;
  const ix = highWord(x) & 0x7FFFFFFF;
  if (ix >= 0x44100000) {
    if (x !== x) return x;
    return copysign(atanhi3 + 2 ** -120, sx);
  }
  let id: number;
  if (ix < 0x3FDC0000) {
    if (ix < 0x3E400000) return x;
    id = -1;
  } else {
    x = Math.abs(x);
    if (ix < 0x3FF30000) {
      if (ix < 0x3FE60000) {
        id = 0;
        x = (2.0 * x - 1.0) / (2.0 + x);
      } else {
        id = 1;
        x = (x - 1.0) / (x + 1.0);
      }
    } else if (ix < 0x40038000) {
      id = 2;
      x = (x - 1.5) / (1.0 + 1.5 * x);
    } else {
      id = 3;
      x = -1.0 / x;
    }
  }
  const z = x * x;
  const w = z * z;
  const s1 = z * (aT0 + w * (aT2 + w * (aT4 + w * (aT6 + w * (aT8 + w * aT10)))));
  const s2 = w * (aT1 + w * (aT3 + w * (aT5 + w * (aT7 + w * aT9))));
  const s3 = x * (s1 + s2);
  if (id < 0) return x - s3;
  const r = id === 0 ? atanhi0 - ((s3 - atanlo0) - x)
    : id === 1 ? atanhi1 - ((s3 - atanlo1) - x)
      : id === 2 ? atanhi2 - ((s3 - atanlo2) - x)
        : atanhi3 - ((s3 - atanlo3) - x);
  return copysign(r, sx);
}

/** atan2(y, x), bit for bit the WASM build's Math.atan2 (musl atan2.c; V8's differs at |y/x| > 2^64). */
export function atan2(y: number, x: number): number {
  const PI = Math.PI, pi_lo = 1.2246467991473531772e-16;
  if (x !== x || y !== y) return x + y;
  F64[0] = x;
  let ix = U32[1]!;
  const lx = U32[0]!;
  F64[0] = y;
  let iy = U32[1]!;
  const ly = U32[0]!;
  if (((ix - 0x3FF00000) | lx) === 0) return atan(y);
  const m = ((iy >>> 31) & 1) | ((ix >>> 30) & 2);
  ix &= 0x7FFFFFFF;
  iy &= 0x7FFFFFFF;
  if ((iy | ly) === 0) {
    if (m < 2) return y;
    return m === 2 ? PI : -PI;
  }
  if ((ix | lx) === 0) return m & 1 ? -PI / 2 : PI / 2;
  if (ix === 0x7FF00000) {
    if (iy === 0x7FF00000) {
      const t = m & 2 ? 3 * PI / 4 : PI / 4;
      return m & 1 ? -t : t;
    }
    const t = m & 2 ? PI : 0;
    return m & 1 ? -t : t;
  }
  if (ix + (64 << 20) < iy || iy === 0x7FF00000) return m & 1 ? -PI / 2 : PI / 2;
  const z = (m & 2) && iy + (64 << 20) < ix ? 0 : atan(Math.abs(y / x));
  if (m === 0) return z;
  if (m === 1) return -z;
  if (m === 2) return PI - (z - pi_lo);
  return (z - pi_lo) - PI;
}
