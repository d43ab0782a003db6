// Probe kernels for bench/heston-qe.mjs (compiled on the fly, never part of the package): the parts
// of a Heston QE path step (draws of four paths, the four-path QE step on fixed draws) and the
// ceilings the 0.6 s target is judged against (f64x2 exp, division and square root throughput).
import { quadFill, pairBegin, quadBuffer } from "../../assembly/montecarlo/pair-draws";
import { drawsBegin, fillUniforms, fillCentralNormals } from "../../assembly/montecarlo/draws";
import { inverseNormalTailsListed, inverseNormalCdfFast } from "../../assembly/math/inverse-normal";
import { fillDraws } from "../../assembly/montecarlo/draws";
import { philoxUniformBatch } from "../../assembly/random/philox";
import { qePathQuad } from "../../assembly/montecarlo/heston-qe-pairs";
import { hestonQePathQuadQuadraticFirst, hestonQePathBlock, qeBlock } from "../../assembly/montecarlo/heston-qe-pairs";
import { blockFill, BLOCK_PATHS, BLOCK_DRAWS } from "../../assembly/montecarlo/pair-draws";
import { expX2 } from "../../assembly/math/f64x2-elementary";
export { mcShard } from "../../assembly/montecarlo/paths";

/** n path-steps' worth of quadFill (4 paths x 2 draws per step). */
export function probeQuadFill(n: i32): void {
  drawsBegin(0, 20260101, 0, 0);
  pairBegin(false);
  for (let k = 0; k < n; k += 512) quadFill(<u32>k, <u32>k + 1, <u32>k + 2, <u32>k + 3, 0, 256);
}
// One path's chunk of draws for the parts of fillDraws (the buffers of pair 0, path A).
/** n path-steps' worth (2n draws) of fillDraws' uniforms alone: Philox words to doubles. */
export function probeUniforms(n: i32): void {
  drawsBegin(0, 20260101, 0, 0);
  pairBegin(false);
  const pU = quadBuffer(0, 0, 0);
  for (let k = 0; k < n; k += 128) fillUniforms(<u32>k, 0, 256, pU);
}
/** n path-steps' worth of fillDraws' central normals and tail listing, on one path's fixed uniforms. */
export function probeCentral(n: i32): u32 {
  drawsBegin(0, 20260101, 0, 0);
  pairBegin(false);
  const pU = quadBuffer(0, 0, 0);
  const pN = quadBuffer(0, 0, 1);
  fillUniforms(7, 0, 256, pU);
  let t: u32 = 0;
  for (let k = 0; k < n; k += 128) t += fillCentralNormals(256, pU, pN, PROBE_TAILS);
  return t;
}
/** n path-steps' worth of fillDraws' tail normals (inverseNormalTailsListed), on one path's fixed uniforms. */
export function probeTails(n: i32): void {
  drawsBegin(0, 20260101, 0, 0);
  pairBegin(false);
  const pU = quadBuffer(0, 0, 0);
  const pN = quadBuffer(0, 0, 1);
  fillUniforms(7, 0, 256, pU);
  const tails = fillCentralNormals(256, pU, pN, PROBE_TAILS);
  for (let k = 0; k < n; k += 128) inverseNormalTailsListed(tails, PROBE_TAILS, pU, pN);
}
const PROBE_TAILS: usize = memory.data(256 * 2 + 16, 16);

// The bench model's step constants (mcShard's for kappa 1.5, theta 0.04, xi 0.5, rho -0.7, 252 steps a year; r = q).
const DT: f64 = 1.0 / 252.0;
const KAPPA: f64 = 1.5;
const THETA: f64 = 0.04;
const XI: f64 = 0.5;
const RHO: f64 = -0.7;
const E_: f64 = Math.exp(-KAPPA * DT);
const C1_: f64 = XI * XI * E_ * (1.0 - E_) / KAPPA;
const C2_: f64 = THETA * XI * XI * (1.0 - E_) * (1.0 - E_) / (2.0 * KAPPA);
const R_: f64 = RHO / XI;
const K0_: f64 = -R_ * KAPPA * THETA * DT;
const K1_: f64 = 0.5 * DT * (KAPPA * R_ - 0.5) - R_;
const K2_: f64 = 0.5 * DT * (KAPPA * R_ - 0.5) + R_;
const K3_: f64 = 0.5 * DT * (1.0 - RHO * RHO);

/**
 * n path-steps of the four-path kernel's loop (qePathQuad, quadratic first, bench model) on one
 * chunk of draws of paths 1..4, never refilled: the same 128 steps of draws again and again, so
 * the branch predictor learns where the redos fall. `redo` false: the quadratic branch alone on
 * every lane (not the QE step, a lower bound of its cost).
 */
// @ts-ignore: decorator
@inline
function quadSteps(n: i32, redo: bool): void {
  drawsBegin(0, 20260101, 0, 0);
  pairBegin(false);
  quadFill(1, 2, 3, 4, 0, 256);
  for (let k = 0; k < n; k += 4 * 128) {
    qePathQuad(false, redo, true, false, 1, 2, 3, 4, false, 128, 0.0, 0.04, 0.0, THETA, E_, C1_, C2_, K2_ + 0.5 * K3_, K1_ + 0.5 * K3_, K0_, K1_, K2_, K3_, K3_, 0.0);
  }
}
/** The four-path QE step on fixed draws (quadSteps with the redo: the QE step). */
export function probeQuadSteps(n: i32): void {
  quadSteps(n, true);
}
/** The four-path loop with the quadratic branch alone (no redo: a lower bound). */
export function probeQuadStepsNoFallback(n: i32): void {
  quadSteps(n, false);
}
/** The same loop without the redo on fresh draws: the kernel (qePathQuad with its fills), no redo; minus probeQuadFill. */
export function probeQuadStepsNoFallbackFresh(n: i32): void {
  drawsBegin(0, 20260101, 0, 0);
  pairBegin(false);
  for (let k = 0; k < n; k += 4 * 252) {
    qePathQuad(true, false, true, false, <u32>k, <u32>k + 1, <u32>k + 2, <u32>k + 3, false, 252, 4.6, 0.04, 0.0, THETA, E_, C1_, C2_, K2_ + 0.5 * K3_, K1_ + 0.5 * K3_, K0_, K1_, K2_, K3_, K3_, 0.0);
  }
}
/**
 * n path-steps of the kernel itself (hestonQePathQuadQuadraticFirst: draws and step, four paths of
 * 252 steps per call, the bench model): mcShard's four-path kernel without its per-path bookkeeping.
 */
export function probeKernel(n: i32): void {
  drawsBegin(0, 20260101, 0, 0);
  for (let k = 0; k < n; k += 4 * 252) {
    hestonQePathQuadQuadraticFirst(<u32>k, <u32>k + 1, <u32>k + 2, <u32>k + 3, false, 252, 4.6, 0.04, 0.0, THETA, E_, C1_, C2_, K2_ + 0.5 * K3_, K1_ + 0.5 * K3_, K0_, K1_, K2_, K3_, K3_, 0.0);
  }
}
/** probeKernel for the step-major block kernel (hestonQePathBlock: BLOCK_PATHS paths per call, what mcShard runs on this model). */
export function probeBlockKernel(n: i32): void {
  drawsBegin(0, 20260101, 0, 0);
  for (let k = 0; k < n; k += BLOCK_PATHS * 252) {
    hestonQePathBlock(false, <u32>k, false, 252, 4.6, 0.04, 0.0, THETA, E_, C1_, C2_, K2_ + 0.5 * K3_, K1_ + 0.5 * K3_, K0_, K1_, K2_, K3_, K3_, 0.0);
  }
}
/** n path-steps' worth of blockFill (BLOCK_PATHS paths x BLOCK_DRAWS draws per call). */
export function probeBlockFill(n: i32): void {
  drawsBegin(0, 20260101, 0, 0);
  for (let k = 0; k < n; k += BLOCK_PATHS * (<i32>BLOCK_DRAWS >> 1)) blockFill(<u32>k, false, 0, BLOCK_DRAWS);
}
/** The block kernel's step alone (qeBlock without its fills): one fill of the block buffer, stepped again and again. */
export function probeBlockSteps(n: i32): void {
  drawsBegin(0, 20260101, 0, 0);
  blockFill(1, false, 0, BLOCK_DRAWS);
  for (let k = 0; k < n; k += BLOCK_PATHS * (<i32>BLOCK_DRAWS >> 1)) {
    qeBlock(false, false, 0, false, <i32>BLOCK_DRAWS >> 1, 0.0, 0.04, 0.0, THETA, E_, C1_, C2_, K2_ + 0.5 * K3_, K1_ + 0.5 * K3_, K0_, K1_, K2_, K3_, K3_, 0.0);
  }
}
/** n independent f64x2 divisions (8 chains), and n square roots. */
export function probeDiv(n: i32): f64 {
  let a = f64x2.splat(1.0), b = f64x2.splat(1.1), cc = f64x2.splat(1.2), e = f64x2.splat(1.3);
  let a2 = f64x2.splat(1.4), b2 = f64x2.splat(1.5), c2 = f64x2.splat(1.6), e2 = f64x2.splat(1.7);
  const m = f64x2.splat(1.0000001);
  for (let j = 0; j < n; j += 8) {
    a = f64x2.div(a, m); b = f64x2.div(b, m); cc = f64x2.div(cc, m); e = f64x2.div(e, m);
    a2 = f64x2.div(a2, m); b2 = f64x2.div(b2, m); c2 = f64x2.div(c2, m); e2 = f64x2.div(e2, m);
  }
  return f64x2.extract_lane(f64x2.add(f64x2.add(f64x2.add(a, b), f64x2.add(cc, e)), f64x2.add(f64x2.add(a2, b2), f64x2.add(c2, e2))), 0);
}
export function probeSqrt(n: i32): f64 {
  let s = f64x2.splat(0.0);
  let p = f64x2(1.5, 2.5);
  const d = f64x2.splat(1e-9);
  for (let j = 0; j < n; j += 8) {
    p = f64x2.add(p, d);
    s = f64x2.add(s, f64x2.add(f64x2.add(f64x2.add(f64x2.sqrt(p), f64x2.sqrt(f64x2.add(p, d))), f64x2.add(f64x2.sqrt(f64x2.sub(p, d)), f64x2.sqrt(f64x2.mul(p, d)))),
      f64x2.add(f64x2.add(f64x2.sqrt(f64x2.add(p, p)), f64x2.sqrt(f64x2.mul(p, p))), f64x2.add(f64x2.sqrt(f64x2.sub(p, p)), f64x2.sqrt(f64x2.div(p, p))))));
  }
  return f64x2.extract_lane(s, 0);
}
/** The ceiling: n exponentials, two per f64x2 (expX2, bit for bit the shared scalar exp). */
export function probeExpX2(n: i32): f64 {
  let s = f64x2.splat(0.0);
  let p = f64x2(-0.3, 0.2);
  const d = f64x2.splat(1e-9);
  for (let k = 0; k < n; k += 2) {
    p = f64x2.add(p, d);
    s = f64x2.add(s, expX2(p));
  }
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}
export function heapBase(): usize {
  return __heap_base;
}

// Bit checks of the vector draws against the scalar code (run by bench/heston-qe.mjs before
// timing): the Monte Carlo tests pin typical draws on both backends, but Philox reaches the far
// tail (r > 5, u < 1.4e-11) about once in 7e10 draws, so those lanes are checked here on a list
// of crafted uniforms.
const CHECK_N: i32 = 4096;
const CHECK_IDX: usize = memory.data(CHECK_N * 2, 16);
const CHECK_U: usize = memory.data(CHECK_N * 8, 16);
const CHECK_OUT: usize = memory.data(CHECK_N * 8, 16);

/**
 * inverseNormalTailsListed on CHECK_N tail uniforms from 2^-53 (r = 6.1) up to 0.07 and their
 * mirrors 1 - u: how many differ in any bit from inverseNormalCdfFast.
 */
export function checkTails(): i32 {
  let x: f64 = 1.1102230246251565e-16;
  for (let i = 0; i < CHECK_N; ++i) {
    store<f64>(CHECK_U + (<usize>i << 3), (i & 1) != 0 ? 1.0 - x : x);
    store<u16>(CHECK_IDX + (<usize>i << 1), <u16>i);
    x *= 1.0137;
    if (x > 0.07) x = 1.1102230246251565e-16 * <f64>(i + 3);
  }
  inverseNormalTailsListed(<u32>CHECK_N, CHECK_IDX, CHECK_U, CHECK_OUT);
  let bad = 0;
  for (let i = 0; i < CHECK_N; ++i) {
    const u = load<f64>(CHECK_U + (<usize>i << 3));
    if (load<u64>(CHECK_OUT + (<usize>i << 3)) != reinterpret<u64>(inverseNormalCdfFast(u))) ++bad;
  }
  return bad;
}

/**
 * fillDraws for `paths` paths (chunk lengths 2..256, offsets varied) against the scalar draws:
 * uniforms against philoxUniformBatch, normals against inverseNormalCdfFast of them. Returns how
 * many draws differ in any bit.
 */
export function checkFill(paths: i32): i32 {
  drawsBegin(0, 987654321, 12345, 3);
  pairBegin(false);
  const pU = quadBuffer(0, 0, 0);
  const pN = quadBuffer(0, 0, 1);
  let bad = 0;
  for (let p = 0; p < paths; ++p) {
    const n = <u32>(2 + ((p * 7) % 255)) & ~1;
    const base = <u32>(p * 2);
    fillDraws(<u32>p, base, n, pU, pN, PROBE_TAILS);
    philoxUniformBatch(<i32>n, 987654321, 12345, 3, <u32>p, <f64>base, CHECK_U);
    for (let i: u32 = 0; i < n; ++i) {
      const o = <usize>i << 3;
      if (load<u64>(pU + o) != load<u64>(CHECK_U + o)) ++bad;
      else if (load<u64>(pN + o) != reinterpret<u64>(inverseNormalCdfFast(load<f64>(pU + o)))) ++bad;
    }
  }
  return bad;
}
