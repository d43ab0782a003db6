// Normal cdf for the hedge deltas by table plus Taylor: Phi(z0 + u h) ~ sum_{k<=4} Phi^(k)(z0) (u h)^k / k!
// on the grid z0 = j h, h = 1/64, |z| <= 8 (|u| <= 1/2), the table's values from the shared Cody
// normalCdf / normalPdf (math/normal-distribution.ts) built once per instance, and the exact
// normalCdf beyond |z| = 8 (and for NaN). Absolute error against the exact Phi: the Taylor
// remainder max|Phi^(5)| (h/2)^5 / 5! = 3 phi(0) 2^-35 / 120 < 3e-13, plus a few ulps of rounding
// (test/hedging-normal-cdf-table.test.ts measures it). A delta off by 3e-13 moves a hedge by 3e-13
// units of the underlying, far below every tolerance of the hedging checks, and costs a fraction
// of Cody's rational (one division, one exp per call). Mirrored line for line in
// src/kernels/hedging/normal-cdf-table.ts: same table, same operations, the same bits.

import { normalCdf, normalPdf } from "../math/normal-distribution";

const HALF_SPAN: i32 = 512; // 8 / h
// Five coefficients and a pad: a row's coefficient pairs are 16-byte loads for the f64x2 gather.
const COLS: i32 = 6;
const TAB: usize = memory.data((2 * HALF_SPAN + 1) * COLS * 8, 16);
let built = false;

/** Fill the table (once per instance): coefficients of u^0..u^4 at z0 = j / 64. */
function buildTable(): void {
  const h2 = 1.0 / 8192.0; // h^2 / 2
  const h3 = 1.0 / 1572864.0; // h^3 / 6
  const h4 = 1.0 / 402653184.0; // h^4 / 24
  for (let j = -HALF_SPAN; j <= HALF_SPAN; ++j) {
    const z = <f64>j * 0.015625;
    const f = normalPdf(z);
    const p = TAB + (<usize>((j + HALF_SPAN) * COLS) << 3);
    store<f64>(p, normalCdf(z));
    store<f64>(p + 8, f * 0.015625);
    store<f64>(p + 16, -z * f * h2);
    store<f64>(p + 24, (z * z - 1.0) * f * h3);
    store<f64>(p + 32, (3.0 - z * z) * z * f * h4);
  }
  built = true;
}

/** Call before normalCdfTable in a kernel (builds the table on first use). */
export function normalCdfTableInit(): void {
  if (!built) buildTable();
}

/** Standard normal cdf within 3e-13 absolute (see above); normalCdfTableInit first. */
// @ts-ignore: decorator
@inline
export function normalCdfTable(z: f64): f64 {
  if (!(Math.abs(z) <= 8.0)) return normalCdf(z);
  const t = z * 64.0;
  const j = Math.floor(t + 0.5);
  const u = t - j;
  const p = TAB + (<usize>((<i32>j + HALF_SPAN) * COLS) << 3);
  return load<f64>(p) + u * (load<f64>(p + 8) + u * (load<f64>(p + 16) + u * (load<f64>(p + 24) + u * load<f64>(p + 32))));
}

// The f64x2 constants, each twice: V8 builds a v128.const from general registers at every use,
// a load is one instruction. |z| mask, 8, 64, 1/2, 1.5 2^52.
const CDF_X2: usize = memory.data<u64>([
  0x7FFFFFFFFFFFFFFF, 0x7FFFFFFFFFFFFFFF,
  0x4020000000000000, 0x4020000000000000,
  0x4050000000000000, 0x4050000000000000,
  0x3FE0000000000000, 0x3FE0000000000000,
  0x4338000000000000, 0x4338000000000000,
], 16);

/** normalCdfTable lane by lane (out of line: the rare lanes beyond |z| = 8, or NaN). */
function normalCdfTableLanes(z: v128): v128 {
  return f64x2.replace_lane(f64x2.splat(normalCdfTable(f64x2.extract_lane(z, 0))), 1, normalCdfTable(f64x2.extract_lane(z, 1)));
}

/**
 * normalCdfTable on two lanes: the same operations lane for lane (IEEE, so the same bits), the two
 * rows gathered as 16-byte coefficient pairs; a lane beyond |z| = 8 (or NaN) sends both to the
 * scalar function.
 */
// @ts-ignore: decorator
@inline
export function normalCdfTableX2(z: v128): v128 {
  if (i64x2.bitmask(f64x2.le(v128.and(z, v128.load(CDF_X2)), v128.load(CDF_X2, 16))) != 3) return normalCdfTableLanes(z);
  const t = f64x2.mul(z, v128.load(CDF_X2, 32));
  const j = f64x2.floor(f64x2.add(t, v128.load(CDF_X2, 48)));
  const u = f64x2.sub(t, j);
  // |j| <= 512: j + 1.5 2^52 is exact, and the low 32 bits of each lane are j (two's complement).
  const idx = f64x2.add(j, v128.load(CDF_X2, 64));
  const p0 = TAB + (<usize>((i32x4.extract_lane(idx, 0) + HALF_SPAN) * COLS) << 3);
  const p1 = TAB + (<usize>((i32x4.extract_lane(idx, 2) + HALF_SPAN) * COLS) << 3);
  const a0 = v128.load(p0);
  const a1 = v128.load(p1);
  const b0 = v128.load(p0, 16);
  const b1 = v128.load(p1, 16);
  let r = f64x2.mul(u, i64x2.shuffle(v128.load(p0, 32), v128.load(p1, 32), 0, 2));
  r = f64x2.mul(u, f64x2.add(i64x2.shuffle(b0, b1, 1, 3), r));
  r = f64x2.mul(u, f64x2.add(i64x2.shuffle(b0, b1, 0, 2), r));
  r = f64x2.mul(u, f64x2.add(i64x2.shuffle(a0, a1, 1, 3), r));
  return f64x2.add(i64x2.shuffle(a0, a1, 0, 2), r);
}
