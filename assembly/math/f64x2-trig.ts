// sin and cos of two doubles at once (f64x2): lane for lane the operation sequence of
// AssemblyScript's Math.sin and Math.cos (musl sin.c / cos.c: __rem_pio2's Cody-Waite reduction,
// __sin and __cos kernels), so each lane is bit for bit the scalar Math.sin / Math.cos of that lane
// and a vector kernel built on sinCosX2 keeps the scalar kernel's bits (hence its accuracy: musl's
// sin and cos are within 1 ulp: 0.66 / 0.67 ulp measured against mpmath on the 1450 arguments of
// test/fixtures/simd-heston-trig-reference.json, test/simd-heston-trig.test.ts).
// WASM SIMD has no fused multiply-add, and add, sub, mul, nearest and compares on f64x2 are the
// correctly rounded scalar operations.
//
// Vectorised: |x| <= pi/4 (the kernels on x itself) and pi/4 < |x| < 2^20 pi/2 where one
// Cody-Waite step (33 + 53 bits of pi/2) is enough. Lanes that take another path in the scalar
// code go to Math.sin / Math.cos: |x| < 2^-26 (returned as is / 1), |x| >= 2^20 pi/2 (Payne-Hanek),
// Infinity, NaN, |x| < 3pi/4 with the high word of pi/2 (the 33+33+53-bit special case), and
// |x| >= 3pi/4 where the first step loses more than 16 bits (musl's second and third steps).

// Thresholds as doubles: the scalar code compares the high word ix of |x|; ix <= h is |x| <
// the double with high word h + 1 and low word 0.
const C: usize = memory.data<u64>([
  0x3FE921FC00000000, 0x3FE921FC00000000, // ix <= 0x3FE921FB: |x| ~< pi/4, no reduction
  0x3E50000000000000, 0x3E50000000000000, // ix < 0x3E500000: |x| < 2^-26 (sin x = x)
  0x413921FB00000000, 0x413921FB00000000, // ix < 0x413921FB: |x| ~< 2^20 pi/2, Cody-Waite
  0x4002D97C00000000, 0x4002D97C00000000, // ix < 0x4002D97C: |x| < 3pi/4, one step only
  0x3FF921FB00000000, 0x3FF921FB00000000, // ix == 0x3FF921FB, from
  0x3FF921FC00000000, 0x3FF921FC00000000, //   to: the near-pi/2 special case
  0x3FE45F306DC9C883, 0x3FE45F306DC9C883, // invpio2
  0x3FF921FB54400000, 0x3FF921FB54400000, // pio2_1
  0x3DD0B4611A626331, 0x3DD0B4611A626331, // pio2_1t
  0xBFC5555555555549, 0xBFC5555555555549, // S1
  0x3F8111111110F8A6, 0x3F8111111110F8A6, // S2
  0xBF2A01A019C161D5, 0xBF2A01A019C161D5, // S3
  0x3EC71DE357B1FE7D, 0x3EC71DE357B1FE7D, // S4
  0xBE5AE5E68A2B9CEB, 0xBE5AE5E68A2B9CEB, // S5
  0x3DE5D93A5ACFD57C, 0x3DE5D93A5ACFD57C, // S6
  0x3FA555555555554C, 0x3FA555555555554C, // C1
  0xBF56C16C16C15177, 0xBF56C16C16C15177, // C2
  0x3EFA01A019CB1590, 0x3EFA01A019CB1590, // C3
  0xBE927E4F809C52AD, 0xBE927E4F809C52AD, // C4
  0x3E21EE9EBDB4B1C4, 0x3E21EE9EBDB4B1C4, // C5
  0xBDA8FAE9BE8838D4, 0xBDA8FAE9BE8838D4, // C6
  0x4338000000000000, 0x4338000000000000, // 1.5 * 2^52: q + it has q mod 4 in its low bits
  0x3FE0000000000000, 0x3FE0000000000000, // 0.5
  0x3FF0000000000000, 0x3FF0000000000000, // 1
  0x00000000000007FF, 0x00000000000007FF, // exponent mask (after >> 52)
  0x0000000000000010, 0x0000000000000010, // 16
  0x0000000000000001, 0x0000000000000001,
  0x0000000000000002, 0x0000000000000002,
], 16);

// @ts-ignore: decorator
@inline
function k(i: i32): v128 {
  return v128.load(C + (<usize>i << 4));
}

/** cos of the lanes of the last sinCosX2 argument. */
export let COS_X2: v128 = f64x2.splat(0.0);

// __sin(x, y, iy) and __cos(x, y) of musl, as AssemblyScript's sin_kern / cos_kern.
// @ts-ignore: decorator
@inline
function sinKernel0(x: v128): v128 {
  const z = f64x2.mul(x, x);
  const w = f64x2.mul(z, z);
  const r = f64x2.add(f64x2.add(k(10), f64x2.mul(z, f64x2.add(k(11), f64x2.mul(z, k(12))))),
    f64x2.mul(f64x2.mul(z, w), f64x2.add(k(13), f64x2.mul(z, k(14)))));
  const v = f64x2.mul(z, x);
  return f64x2.add(x, f64x2.mul(v, f64x2.add(k(9), f64x2.mul(z, r))));
}

// @ts-ignore: decorator
@inline
function sinKernel1(x: v128, y: v128): v128 {
  const z = f64x2.mul(x, x);
  const w = f64x2.mul(z, z);
  const r = f64x2.add(f64x2.add(k(10), f64x2.mul(z, f64x2.add(k(11), f64x2.mul(z, k(12))))),
    f64x2.mul(f64x2.mul(z, w), f64x2.add(k(13), f64x2.mul(z, k(14)))));
  const v = f64x2.mul(z, x);
  return f64x2.sub(x, f64x2.sub(f64x2.sub(f64x2.mul(z, f64x2.sub(f64x2.mul(k(22), y), f64x2.mul(v, r))), y), f64x2.mul(v, k(9))));
}

// @ts-ignore: decorator
@inline
function cosKernel(x: v128, y: v128): v128 {
  const z = f64x2.mul(x, x);
  let w = f64x2.mul(z, z);
  const r = f64x2.add(f64x2.mul(z, f64x2.add(k(15), f64x2.mul(z, f64x2.add(k(16), f64x2.mul(z, k(17)))))),
    f64x2.mul(f64x2.mul(w, w), f64x2.add(k(18), f64x2.mul(z, f64x2.add(k(19), f64x2.mul(z, k(20)))))));
  const hz = f64x2.mul(k(22), z);
  const one = k(23);
  w = f64x2.sub(one, hz);
  return f64x2.add(w, f64x2.add(f64x2.sub(f64x2.sub(one, w), hz), f64x2.sub(f64x2.mul(z, r), f64x2.mul(x, y))));
}

/**
 * sin of each lane of x (radians), returned; cos of each lane in COS_X2. Each lane bit for bit
 * AssemblyScript's Math.sin / Math.cos (musl, within 1 ulp). Inlined at its three call sites: an
 * exported function that takes a v128 draws AS112 ("not supported by all embeddings") otherwise.
 */
// @ts-ignore: decorator
@inline
export function sinCosX2(x: v128): v128 {
  const ax = f64x2.abs(x);
  const small = f64x2.lt(ax, k(0));
  let s: v128, c: v128, scalar: v128;
  if (i64x2.all_true(small)) {
    // Both |x| ~< pi/4: the kernels on x itself (y = 0, and __sin's iy = 0 form); |x| < 2^-26 scalar.
    s = sinKernel0(x);
    c = cosKernel(x, f64x2.splat(0.0));
    scalar = f64x2.lt(ax, k(1));
  } else {
    // Reduction: q = nearest(x 2/pi), y0 + y1 = x - q pi/2 (33 + 53 bits of pi/2).
    const q = f64x2.nearest(f64x2.mul(x, k(6)));
    const r = f64x2.sub(x, f64x2.mul(q, k(7)));
    const w = f64x2.mul(q, k(8));
    const y0 = f64x2.sub(r, w);
    const y1 = f64x2.sub(f64x2.sub(r, y0), w);
    // Bits lost in the first step: exponent of x minus exponent of y0.
    const em = k(24);
    const lost = i64x2.sub(v128.and(i64x2.shr_u(x, 52), em), v128.and(i64x2.shr_u(y0, 52), em));
    scalar = v128.or(
      v128.or(f64x2.lt(ax, k(1)), v128.not(f64x2.lt(ax, k(2)))), // tiny, huge, Infinity, NaN
      v128.or(
        v128.or(
          v128.and(f64x2.ge(ax, k(4)), f64x2.lt(ax, k(5))), // near pi/2
          // |x| < 3pi/4 takes q = +-1 by the sign; nearest() differs just below the threshold.
          v128.and(v128.and(f64x2.lt(ax, k(3)), v128.not(small)), f64x2.ne(f64x2.abs(q), k(23))),
        ),
        v128.and(v128.and(f64x2.ge(ax, k(3)), i64x2.gt_s(lost, k(25))), v128.not(small)), // more steps
      ),
    );
    // n = q mod 4 (two's complement, as the scalar's i32 q): the low bits of q + 1.5 2^52.
    const n = f64x2.add(q, k(21));
    const odd = i64x2.eq(v128.and(n, k(26)), k(26));
    const s1 = sinKernel1(y0, y1), c1 = cosKernel(y0, y1);
    s = v128.bitselect(c1, s1, odd);
    s = v128.bitselect(f64x2.neg(s), s, i64x2.eq(v128.and(n, k(27)), k(27)));
    c = v128.bitselect(s1, c1, odd);
    c = v128.bitselect(f64x2.neg(c), c, i64x2.eq(v128.and(i64x2.add(n, k(26)), k(27)), k(27)));
    if (v128.any_true(small)) {
      // One lane |x| ~< pi/4: the kernels on x itself there.
      s = v128.bitselect(sinKernel0(x), s, small);
      c = v128.bitselect(cosKernel(x, f64x2.splat(0.0)), c, small);
    }
  }
  if (v128.any_true(scalar)) {
    if (i64x2.extract_lane(scalar, 0) != 0) {
      const x0 = f64x2.extract_lane(x, 0);
      s = f64x2.replace_lane(s, 0, Math.sin(x0));
      c = f64x2.replace_lane(c, 0, Math.cos(x0));
    }
    if (i64x2.extract_lane(scalar, 1) != 0) {
      const x1 = f64x2.extract_lane(x, 1);
      s = f64x2.replace_lane(s, 1, Math.sin(x1));
      c = f64x2.replace_lane(c, 1, Math.cos(x1));
    }
  }
  COS_X2 = c;
  return s;
}

/**
 * Diagnostic, outside the kernel contract (test/simd-heston-trig.test.ts): for i < n, out[i] =
 * f(in[i]) with f = 0 sin, 1 cos through sinCosX2 (elements 2j and 2j + 1 share a v128; an odd
 * last element has 0 as its partner), 2 Math.sin, 3 Math.cos, 4 Math.expm1, 5 Math.atan2(in[i],
 * out[i]) (out holds the second argument on entry). Returns 1 for an unknown f or n < 0.
 */
export function trigBatch(fn: i32, n: i32, pIn: usize, pOut: usize): i32 {
  if (fn < 0 || fn > 5 || n < 0) return 1;
  if (fn >= 2) {
    for (let i = 0; i < n; i++) {
      const x = load<f64>(pIn + (<usize>i << 3)), o = pOut + (<usize>i << 3);
      store<f64>(o, fn == 2 ? Math.sin(x) : fn == 3 ? Math.cos(x) : fn == 4 ? Math.expm1(x) : Math.atan2(x, load<f64>(o)));
    }
    return 0;
  }
  for (let i = 0; i < n; i += 2) {
    const p = pIn + (<usize>i << 3);
    const x = i + 1 < n ? v128.load(p) : f64x2.replace_lane(f64x2.splat(0.0), 0, load<f64>(p));
    let y = sinCosX2(x);
    if (fn == 1) y = COS_X2;
    store<f64>(pOut + (<usize>i << 3), f64x2.extract_lane(y, 0));
    if (i + 1 < n) store<f64>(pOut + (<usize>(i + 1) << 3), f64x2.extract_lane(y, 1));
  }
  return 0;
}
