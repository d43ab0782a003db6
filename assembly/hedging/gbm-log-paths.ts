// GBM log-spot paths two at a time, one per f64x2 lane, for hedgeShard: each lane runs the scalar
// GBM step of paths.ts (x += drift + sd z, z the Philox normal of draw j) with the same operations
// in the same order, so each lane is bit for bit the scalar path and the JS twin (WASM SIMD has no
// fused multiply-add). Draws come a chunk at a time from pair-draws.ts.

import { CHUNK } from "../montecarlo/draws";
import { pairBegin, pairFill, pairNormal } from "../montecarlo/pair-draws";

/**
 * Write x_0..x_steps of Philox paths pathA (lane 0) and pathB (lane 1) to pOut, row-major
 * [steps + 1][2] f64, from x_0 = x0 with drift = (r - q - vol^2/2) dt and sd = vol sqrt(dt).
 * The generator (seed, stream) is the one drawsShardBegin set for this call.
 */
export function gbmLogPathPair(pathA: u32, pathB: u32, steps: i32, x0: f64, drift: f64, sd: f64, pOut: usize): void {
  const drift2 = f64x2.splat(drift);
  const sd2 = f64x2.splat(sd);
  pairBegin(false);
  let x = f64x2.splat(x0);
  v128.store(pOut, x);
  let p = pOut + 16;
  for (let base = 0; base < steps; base += <i32>CHUNK) {
    const left = steps - base;
    const m = left < <i32>CHUNK ? left : <i32>CHUNK;
    const n = <u32>((m + 1) & ~1);
    pairFill(pathA, pathB, <u32>base, n);
    for (let i = 0; i < m; ++i) {
      const z = pairNormal(<u32>i);
      x = f64x2.add(x, f64x2.add(drift2, f64x2.mul(sd2, z)));
      v128.store(p, x);
      p += 16;
    }
  }
}
