// Probe kernels for bench/price-probe/run.mjs (compiled on the fly, never part of the package): the
// stages of the Black-Scholes pair path (prepare / normalised OTM call block / finish) timed apart on
// the real assembly/ modules, and the ceilings a price is judged against (f64x2 exp, log, density,
// division and square-root throughput).
import {
  blackScholesPrepare, blackScholesFinish, BLOCK, C_AX, C_S, C_PDF, C_OTM, C_H, C_IDX,
} from "../../assembly/pricing/black-scholes";
import { normalisedOtmCallUnscaledBlock, otmSmallTX2, otmGeneralX2, gather, NB_X2 } from "../../assembly/pricing/normalised-black";
import { expX2, logX2 } from "../../assembly/math/f64x2-elementary";
import { normalPdfX2, normalCdfGivenPdfX2 } from "../../assembly/math/f64x2-normal";
export { blackScholesBatch } from "../../assembly/pricing/black-scholes";

/** Stage 1 alone over n options (n a multiple of BLOCK); returns the number of pairs that failed it. */
export function probePrepare(n: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize): i32 {
  let bad = 0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    for (let k = 0; k < BLOCK; k += 2) {
      if (!blackScholesPrepare(i0 + k, <usize>k << 3, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType)) bad++;
    }
  }
  return bad;
}

/** Stages 1 + 2 over n options. */
export function probePrepareBlock(n: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize): i32 {
  let bad = 0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    for (let k = 0; k < BLOCK; k += 2) {
      if (!blackScholesPrepare(i0 + k, <usize>k << 3, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType)) bad++;
    }
    normalisedOtmCallUnscaledBlock(BLOCK, C_AX, C_H, C_S, C_PDF, C_OTM, C_IDX);
  }
  return bad;
}

// normalisedOtmCallUnscaledBlock's parts, as it is at the time of writing: 1 the classification pass,
// 2 the small-t pairs, 4 the general pairs (the scalar-only elements left out).
function blockParts(parts: i32, m: i32, pX: usize, pH: usize, pS: usize, pPdf: usize, pOut: usize, pIdx: usize): void {
  const half = v128.load(NB_X2);
  let nSmall = 0;
  let nGeneral = 0;
  const pGeneral = pIdx + (<usize>m << 1);
  if (parts & 1) {
    for (let k = 0; k < m; k += 2) {
      const o = <usize>k << 3;
      const s = v128.load(pS + o);
      const t = f64x2.mul(half, s);
      const a = f64x2.add(v128.load(pH + o), t);
      const vector = v128.and(f64x2.gt(s, f64x2.splat(0.0)), f64x2.ge(a, v128.load(NB_X2, 32)));
      const smallT = f64x2.lt(t, v128.load(NB_X2, 16));
      const v0 = <i32>(i64x2.extract_lane(vector, 0) != 0);
      const v1 = <i32>(i64x2.extract_lane(vector, 1) != 0);
      const small0 = <i32>(i64x2.extract_lane(smallT, 0) != 0) & v0;
      const small1 = <i32>(i64x2.extract_lane(smallT, 1) != 0) & v1;
      store<i16>(pIdx + (<usize>nSmall << 1), <i16>k);
      store<i16>(pGeneral + (<usize>nGeneral << 1), <i16>k);
      nSmall += small0;
      nGeneral += v0 & ~small0;
      store<i16>(pIdx + (<usize>nSmall << 1), <i16>(k + 1));
      store<i16>(pGeneral + (<usize>nGeneral << 1), <i16>(k + 1));
      nSmall += small1;
      nGeneral += v1 & ~small1;
    }
    store<i32>(pIdx + 4 * <usize>m, nSmall);
    store<i32>(pIdx + 4 * <usize>m + 4, nGeneral);
  } else {
    nSmall = load<i32>(pIdx + 4 * <usize>m);
    nGeneral = load<i32>(pIdx + 4 * <usize>m + 4);
  }
  if (parts & 2) {
    for (let j = 0; j < nSmall; j += 2) {
      const k0 = <i32>load<i16>(pIdx + (<usize>j << 1));
      const k1 = j + 1 < nSmall ? <i32>load<i16>(pIdx + (<usize>j << 1), 2) : k0;
      const s = gather(pS, k0, k1);
      const r = otmSmallTX2(gather(pH, k0, k1), f64x2.mul(half, s), gather(pPdf, k0, k1));
      v128.store64_lane(pOut + (<usize>k0 << 3), r, 0);
      v128.store64_lane(pOut + (<usize>k1 << 3), r, 1);
    }
  }
  if (parts & 4) {
    for (let j = 0; j < nGeneral; j += 2) {
      const k0 = <i32>load<i16>(pGeneral + (<usize>j << 1));
      const k1 = j + 1 < nGeneral ? <i32>load<i16>(pGeneral + (<usize>j << 1), 2) : k0;
      const x = gather(pX, k0, k1);
      const s = gather(pS, k0, k1);
      const h = gather(pH, k0, k1);
      const t = f64x2.mul(half, s);
      const r = otmGeneralX2(x, h, t, f64x2.add(h, t), gather(pPdf, k0, k1));
      v128.store64_lane(pOut + (<usize>k0 << 3), r, 0);
      v128.store64_lane(pOut + (<usize>k1 << 3), r, 1);
    }
  }
}

// Room for the classification counts of every block (the parts run apart).
const IDX_ALL: usize = memory.data(65536 * 4 + 4096, 16);

/** Stage 1, then the parts of stage 2 (blockParts), over n options; the classification is kept per block so parts can run without it. */
export function probePrepareParts(parts: i32, n: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize): void {
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    for (let k = 0; k < BLOCK; k += 2) blackScholesPrepare(i0 + k, <usize>k << 3, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType);
    blockParts(parts, BLOCK, C_AX, C_H, C_S, C_PDF, C_OTM, IDX_ALL + <usize>(i0 / BLOCK) * (4 * BLOCK + 16));
  }
}

/** Stage 2 alone, `reps` times on the scratch of the block of options starting at i0 (prepared once). */
export function probeBlockOnly(reps: i32, i0: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize): void {
  for (let k = 0; k < BLOCK; k += 2) blackScholesPrepare(i0 + k, <usize>k << 3, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType);
  for (let r = 0; r < reps; r++) normalisedOtmCallUnscaledBlock(BLOCK, C_AX, C_H, C_S, C_PDF, C_OTM, C_IDX);
}

/** Stage 3 alone, `reps` times on the block of options at i0 (stages 1 and 2 run once). */
export function probeFinishOnly(reps: i32, i0: i32, n: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize, greeks: i32, pOut: usize, pStatus: usize): void {
  for (let k = 0; k < BLOCK; k += 2) blackScholesPrepare(i0 + k, <usize>k << 3, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType);
  normalisedOtmCallUnscaledBlock(BLOCK, C_AX, C_H, C_S, C_PDF, C_OTM, C_IDX);
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < BLOCK; k += 2) blackScholesFinish(n, i0 + k, <usize>k << 3, pSpot, pExpiry, pVol, pRate, pDividend, greeks, pOut, pStatus);
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
