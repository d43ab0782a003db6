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
const COLS: i32 = 5;
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

/** One coefficient of the rows at p0 (lane 0) and p1 (lane 1). */
// @ts-ignore: decorator
@inline
function pairAt(p0: usize, p1: usize): v128 {
  return v128.load64_lane(p1, v128.load64_zero(p0), 1);
}

/**
 * normalCdfTable on two lanes: the same operations lane for lane (IEEE, so the same bits), the two
 * rows gathered by lane loads; a lane beyond |z| = 8 (or NaN) sends both to the scalar function.
 */
// @ts-ignore: decorator
@inline
export function normalCdfTableX2(z: v128): v128 {
  if (!i64x2.all_true(f64x2.le(f64x2.abs(z), f64x2.splat(8.0)))) {
    return f64x2.replace_lane(f64x2.splat(normalCdfTable(f64x2.extract_lane(z, 0))), 1, normalCdfTable(f64x2.extract_lane(z, 1)));
  }
  const t = f64x2.mul(z, f64x2.splat(64.0));
  const j = f64x2.floor(f64x2.add(t, f64x2.splat(0.5)));
  const u = f64x2.sub(t, j);
  const idx = i32x4.trunc_sat_f64x2_s_zero(j);
  const p0 = TAB + (<usize>((i32x4.extract_lane(idx, 0) + HALF_SPAN) * COLS) << 3);
  const p1 = TAB + (<usize>((i32x4.extract_lane(idx, 1) + HALF_SPAN) * COLS) << 3);
  let r = f64x2.mul(u, pairAt(p0 + 32, p1 + 32));
  r = f64x2.mul(u, f64x2.add(pairAt(p0 + 24, p1 + 24), r));
  r = f64x2.mul(u, f64x2.add(pairAt(p0 + 16, p1 + 16), r));
  r = f64x2.mul(u, f64x2.add(pairAt(p0 + 8, p1 + 8), r));
  return f64x2.add(pairAt(p0, p1), r);
}
