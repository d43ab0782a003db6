// Probe kernels for bench/price-probe/run.mjs (compiled on the fly, never part of the package): the
// passes of the Black-Scholes pair path timed apart, and the ceilings a price is judged against
// (f64x2 exp, log, density, division and square-root throughput). Every pass is the kernel's own
// exported @inline function (assembly/pricing/black-scholes.ts, normalised-black.ts), called here
// as blackScholesBatch calls it: the probe holds no copy of kernel code.
import {
  blackScholesPreparePass, blackScholesFinishPass, blackScholesGreeksCdfPass, blackScholesGreeksRestPass,
  BLOCK, C_AX, C_S, C_PDF, C_OTM, C_H, C_X, C_OK, C_PART_A, C_PART_B,
} from "../../assembly/pricing/black-scholes";
import {
  otmBlockClassifyPass, otmBlockSmall, otmBlockCentral, otmBlockTail, smallTRatioPass, smallTSeriesPass, generalProductPass,
  generalCentralPass, generalTailPass, smallTPartPass,
} from "../../assembly/pricing/normalised-black";
import { expX2, logX2 } from "../../assembly/math/f64x2-elementary";
import { normalPdfX2, normalCdfGivenPdfX2 } from "../../assembly/math/f64x2-normal";
export { blackScholesBatch } from "../../assembly/pricing/black-scholes";

// Per block: its index lists (3 BLOCK i16) and the classification's packed counts, kept so that a
// region pass can run without the classification pass before it.
const LIST_BYTES: usize = <usize>BLOCK * 6 + 16;
const IDX_ALL: usize = memory.data(<i32>(<usize>(65536 / BLOCK) * LIST_BYTES), 16);

/**
 * The passes of blackScholesBatch's pair path selected by `stages`, per block of n options (n a
 * multiple of BLOCK; no scalar pass): 1 prepare, 2 classification (the density, -|x|, h, the
 * region lists), 4 small t: Y(h), 8 small t: series, 16 general: pdfA Y(b), 32 general: Phi(a) a
 * central, 64 general: Phi(a) a in the tail, 128 finish (prices), 256 greeks pass 1 (densities
 * and distribution values), 512 greeks pass 2; 1024: prepare keeps the inputs of greeks pass 2 and
 * the block's passes leave the parts of Phi(a) and Phi(b) for the greeks (as blackScholesBatch does with greeks), 2048 with 1024: small t: those parts. 1 | 2 | ... | 128 is the kernel's pair path for prices, 1 | ... | 4095 with greeks.
 */
export function probeStages(
  stages: i32, n: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize,
  pOut: usize, pStatus: usize,
): void {
  const pA: usize = stages & 1024 ? C_PART_A : 0;
  const pB: usize = stages & 1024 ? C_PART_B : 0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const pIdx = IDX_ALL + <usize>(i0 / BLOCK) * LIST_BYTES;
    const pCounts = pIdx + <usize>BLOCK * 6;
    if (stages & 1) {
      if (stages & 1024) blackScholesPreparePass(i0, BLOCK, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType, true);
      else blackScholesPreparePass(i0, BLOCK, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType, false);
    }
    if (stages & 2) store<i64>(pCounts, otmBlockClassifyPass(BLOCK, C_X, C_OK, C_AX, C_H, C_S, C_PDF, C_OTM, pIdx, pA, pB));
    const counts = load<i64>(pCounts);
    const pCentral = pIdx + (<usize>BLOCK << 1);
    const pTail = pIdx + (<usize>BLOCK << 2);
    if (stages & 4) smallTRatioPass(pIdx, otmBlockSmall(counts), C_H, C_OTM);
    if (stages & 8) smallTSeriesPass(pIdx, otmBlockSmall(counts), C_H, C_S, C_PDF, C_OTM);
    if (stages & 2048) smallTPartPass(pIdx, otmBlockSmall(counts), C_H, C_S, C_PART_A, C_PART_B);
    if (stages & 16) {
      generalProductPass(pTail, otmBlockTail(counts), C_AX, C_H, C_S, C_PDF, C_OTM, pB);
      generalProductPass(pCentral, otmBlockCentral(counts), C_AX, C_H, C_S, C_PDF, C_OTM, pB);
    }
    if (stages & 32) generalCentralPass(pCentral, otmBlockCentral(counts), C_H, C_S, C_OTM, pA);
    if (stages & 64) generalTailPass(pTail, otmBlockTail(counts), C_H, C_S, C_PDF, C_OTM, pA);
    if (stages & 128) blackScholesFinishPass(i0, BLOCK, pOut, pStatus);
    if (stages & 256) blackScholesGreeksCdfPass(BLOCK);
    if (stages & 512) blackScholesGreeksRestPass(n, i0, BLOCK, pOut);
  }
}

/** Ceilings: n values through one routine, two per f64x2, four independent chains. which: 0 exp, 1 log, 2 normal density, 3 division, 4 square root, 5 Phi given the density (tail). */
export function probeCeiling(which: i32, n: i32): f64 {
  let a = f64x2(-0.3, 0.2), b = f64x2(-0.4, 0.1), c = f64x2(-0.5, 0.25), d = f64x2(-0.6, 0.35);
  let s = f64x2.splat(0.0);
  const e = f64x2.splat(1e-9);
  const one = f64x2.splat(1.0);
  const two = f64x2.splat(2.0);
  for (let k = 0; k < n; k += 8) {
    a = f64x2.add(a, e); b = f64x2.add(b, e); c = f64x2.add(c, e); d = f64x2.add(d, e);
    let r: v128;
    if (which == 0) r = f64x2.add(f64x2.add(expX2(a), expX2(b)), f64x2.add(expX2(c), expX2(d)));
    else if (which == 1) r = f64x2.add(f64x2.add(logX2(f64x2.add(a, two)), logX2(f64x2.add(b, two))), f64x2.add(logX2(f64x2.add(c, two)), logX2(f64x2.add(d, two))));
    else if (which == 2) r = f64x2.add(f64x2.add(normalPdfX2(a), normalPdfX2(b)), f64x2.add(normalPdfX2(c), normalPdfX2(d)));
    else if (which == 3) r = f64x2.add(f64x2.add(f64x2.div(one, a), f64x2.div(one, b)), f64x2.add(f64x2.div(one, c), f64x2.div(one, d)));
    else if (which == 4) r = f64x2.add(f64x2.add(f64x2.sqrt(f64x2.add(a, two)), f64x2.sqrt(f64x2.add(b, two))), f64x2.add(f64x2.sqrt(f64x2.add(c, two)), f64x2.sqrt(f64x2.add(d, two))));
    else r = f64x2.add(f64x2.add(normalCdfGivenPdfX2(f64x2.sub(a, two), one), normalCdfGivenPdfX2(f64x2.sub(b, two), one)),
      f64x2.add(normalCdfGivenPdfX2(f64x2.sub(c, two), one), normalCdfGivenPdfX2(f64x2.sub(d, two), one)));
    s = f64x2.add(s, r);
  }
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

export function heapBase(): usize {
  return __heap_base;
}
