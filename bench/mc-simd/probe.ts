// Probe kernels for bench/mc-simd.mjs (compiled on the fly, never part of the package): where the
// time of Monte Carlo path stepping goes (Philox blocks, chunk fill = Philox + AS 241, scalar
// tails, the shared scalar exp/log) and the f64x2 multiply-add ceiling.
import { philoxBlocksX8, v0, v1, v2, v3, w0, w1, w2, w3 } from "../../assembly/random/philox";
import { drawsBegin, fillDraws } from "../../assembly/montecarlo/draws";
import { centralQuantileX2, inverseNormalTailFast } from "../../assembly/math/inverse-normal";
import { log } from "../../assembly/math/elementary";
import { logX2 } from "../../assembly/math/f64x2-elementary";
export { mcShard } from "../../assembly/montecarlo/paths";

const B: usize = memory.data(256 * 16 + 1024, 16);

/** n draws' worth of Philox blocks (8 blocks = 16 draws per pass), words folded into a sink. */
export function probePhilox(n: i32): i32 {
  let s = i32x4.splat(0);
  for (let k = 0; k < n; k += 16) {
    philoxBlocksX8(<u32>k >>> 1, 0, 7, 0, 1, 2);
    s = v128.xor(s, v128.xor(v128.xor(v0, v1), v128.xor(v128.xor(v2, v3), v128.xor(v128.xor(w0, w1), v128.xor(w2, w3)))));
  }
  return i32x4.extract_lane(s, 0);
}
/** n draws through fillDraws (uniforms and normals of 256-draw chunks). */
export function probeFill(n: i32): f64 {
  drawsBegin(0, 1, 2, 0);
  let s = 0.0;
  for (let k = 0; k < n; k += 256) {
    fillDraws(<u32>k, 0, 256, B, B + 2048, B + 4096);
    s += load<f64>(B + 2048);
  }
  return s;
}
/** n central AS 241 rationals, two per f64x2. */
export function probeCentral(n: i32): f64 {
  let q = f64x2(0.1, 0.2);
  let s = f64x2.splat(0);
  const d = f64x2.splat(1e-9);
  for (let j = 0; j < n; j += 2) {
    q = f64x2.add(q, d);
    s = f64x2.add(s, centralQuantileX2(q));
  }
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}
/** n scalar tail quantiles. */
export function probeTail(n: i32): f64 {
  let s = 0.0;
  let p = 1e-3;
  for (let k = 0; k < n; ++k) {
    p += 1e-12;
    s += inverseNormalTailFast(p);
  }
  return s;
}
/** n scalar logs, and n logs two per f64x2. */
export function probeLog(n: i32): f64 {
  let s = 0.0;
  let p = 1e-3;
  for (let k = 0; k < n; ++k) {
    p += 1e-12;
    s += log(p);
  }
  return s;
}
export function probeLogX2(n: i32): f64 {
  let s = f64x2.splat(0.0);
  let p = f64x2(1e-3, 2e-3);
  const d = f64x2.splat(1e-12);
  for (let k = 0; k < n; k += 2) {
    p = f64x2.add(p, d);
    s = f64x2.add(s, logX2(p));
  }
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}
/** The ceiling: n multiply-adds on eight independent f64x2 chains. */
export function probeCeiling(n: i32): f64 {
  let a = f64x2.splat(1.0), b = f64x2.splat(1.1), c = f64x2.splat(1.2), e = f64x2.splat(1.3);
  let a2 = f64x2.splat(1.4), b2 = f64x2.splat(1.5), c2 = f64x2.splat(1.6), e2 = f64x2.splat(1.7);
  const m = f64x2.splat(0.9999999), k = f64x2.splat(1e-7);
  for (let j = 0; j < n; j += 16) {
    a = f64x2.add(f64x2.mul(a, m), k); b = f64x2.add(f64x2.mul(b, m), k);
    c = f64x2.add(f64x2.mul(c, m), k); e = f64x2.add(f64x2.mul(e, m), k);
    a2 = f64x2.add(f64x2.mul(a2, m), k); b2 = f64x2.add(f64x2.mul(b2, m), k);
    c2 = f64x2.add(f64x2.mul(c2, m), k); e2 = f64x2.add(f64x2.mul(e2, m), k);
  }
  const s = f64x2.add(f64x2.add(f64x2.add(a, b), f64x2.add(c, e)), f64x2.add(f64x2.add(a2, b2), f64x2.add(c2, e2)));
  return f64x2.extract_lane(s, 0);
}
export function heapBase(): usize {
  return __heap_base;
}
