// Probe kernels for bench/price-probe/run.mjs (compiled on the fly, never part of the package): the
// stages of the Black-Scholes pair path (prepare / normalised OTM call block / finish) timed apart on
// the real assembly/ modules, and the ceilings a price is judged against (f64x2 exp, log, density,
// division and square-root throughput).
import {
  blackScholesPrepare, BLOCK, C_AX, C_S, C_PDF, C_OTM, C_H, C_IDX, C_X, C_OK,
} from "../../assembly/pricing/black-scholes";
import { normalisedOtmCallUnscaledBlock, taylorDifferenceX2, gather, NB_X2 } from "../../assembly/pricing/normalised-black";
import { expX2, logX2 } from "../../assembly/math/f64x2-elementary";
import { normalPdfX2, normalCdfGivenPdfX2, normalCdfOverPdfX2, normalCdfOverPdfGivenPdfX2, normalCdfCentralX2, normalCdfTailGivenPdfX2 } from "../../assembly/math/f64x2-normal";
export { blackScholesBatch } from "../../assembly/pricing/black-scholes";

/** Stage 1 alone over n options (n a multiple of BLOCK); returns the number of pairs that failed it. */
export function probePrepare(n: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize): i32 {
  let bad = 0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    for (let k = 0; k < BLOCK; k += 2) {
      const ok = blackScholesPrepare(i0 + k, <usize>k << 3, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType);
      store<u8>(C_OK + <usize>k, ok ? 1 : 0);
      if (!ok) bad++;
    }
  }
  return bad;
}

/** Stages 1 + 2 over n options. */
export function probePrepareBlock(n: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize): i32 {
  let bad = 0;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    for (let k = 0; k < BLOCK; k += 2) {
      const ok = blackScholesPrepare(i0 + k, <usize>k << 3, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType);
      store<u8>(C_OK + <usize>k, ok ? 1 : 0);
      if (!ok) bad++;
    }
    normalisedOtmCallUnscaledBlock(BLOCK, C_X, C_OK, C_AX, C_H, C_S, C_PDF, C_OTM, C_IDX);
  }
  return bad;
}

// normalisedOtmCallUnscaledBlock's parts, as it is at the time of writing: 1 the density and
// classification pass, 2 Y(h) of the small-t pairs, 4 their series, 8 pdfA Y(b) of the general pairs, 16 Phi(a)
// of those with a central, 32 of those with a in the tail (the scalar-only elements left out).
function blockParts(parts: i32, m: i32, pX: usize, pH: usize, pS: usize, pPdf: usize, pOut: usize, pIdx: usize): void {
  const half = v128.load(NB_X2);
  let nSmall = 0;
  let nCentral = 0;
  let nTail = 0;
  const pCentral = pIdx + (<usize>m << 1);
  const pTail = pIdx + (<usize>m << 2);
  if (parts & 1) {
    for (let k = 0; k < m; k += 2) {
      const o = <usize>k << 3;
      const s = v128.load(pS + o);
      const t = f64x2.mul(half, s);
      let h: v128;
      if (load<u8>(C_OK + <usize>k) != 0) {
        const ax = f64x2.neg(f64x2.abs(v128.load(C_X + o)));
        v128.store(pX + o, ax);
        h = f64x2.div(ax, s);
        v128.store(pH + o, h);
        v128.store(pPdf + o, normalPdfX2(f64x2.add(h, t)));
      } else {
        h = v128.load(pH + o);
      }
      const a = f64x2.add(h, t);
      const vector = i64x2.bitmask(v128.and(f64x2.gt(s, f64x2.splat(0.0)), f64x2.ge(a, v128.load(NB_X2, 32))));
      const small = i64x2.bitmask(f64x2.lt(t, v128.load(NB_X2, 16))) & vector;
      const central = i64x2.bitmask(f64x2.le(f64x2.abs(a), v128.load(NB_X2, 48))) & vector & ~small;
      const tail = vector & ~small & ~central;
      store<i16>(pIdx + (<usize>nSmall << 1), <i16>k);
      store<i16>(pCentral + (<usize>nCentral << 1), <i16>k);
      store<i16>(pTail + (<usize>nTail << 1), <i16>k);
      nSmall += small & 1;
      nCentral += central & 1;
      nTail += tail & 1;
      store<i16>(pIdx + (<usize>nSmall << 1), <i16>(k + 1));
      store<i16>(pCentral + (<usize>nCentral << 1), <i16>(k + 1));
      store<i16>(pTail + (<usize>nTail << 1), <i16>(k + 1));
      nSmall += small >> 1;
      nCentral += central >> 1;
      nTail += tail >> 1;
    }
    store<i32>(pIdx + 6 * <usize>m, nSmall);
    store<i32>(pIdx + 6 * <usize>m + 4, nCentral);
    store<i32>(pIdx + 6 * <usize>m + 8, nTail);
  } else {
    nSmall = load<i32>(pIdx + 6 * <usize>m);
    nCentral = load<i32>(pIdx + 6 * <usize>m + 4);
    nTail = load<i32>(pIdx + 6 * <usize>m + 8);
  }
  if (parts & 2) {
    for (let j = 0; j < nSmall; j += 2) {
      const k0 = <i32>load<i16>(pIdx + (<usize>j << 1));
      const k1 = j + 1 < nSmall ? <i32>load<i16>(pIdx + (<usize>j << 1), 2) : k0;
      const y0 = normalCdfOverPdfX2(gather(pH, k0, k1));
      v128.store64_lane(pOut + (<usize>k0 << 3), y0, 0);
      v128.store64_lane(pOut + (<usize>k1 << 3), y0, 1);
    }
  }
  if (parts & 4) {
    for (let j = 0; j < nSmall; j += 2) {
      const k0 = <i32>load<i16>(pIdx + (<usize>j << 1));
      const k1 = j + 1 < nSmall ? <i32>load<i16>(pIdx + (<usize>j << 1), 2) : k0;
      const t = f64x2.mul(half, gather(pS, k0, k1));
      const r = f64x2.mul(gather(pPdf, k0, k1), taylorDifferenceX2(gather(pH, k0, k1), t, gather(pOut, k0, k1)));
      v128.store64_lane(pOut + (<usize>k0 << 3), r, 0);
      v128.store64_lane(pOut + (<usize>k1 << 3), r, 1);
    }
  }
  if (parts & 8) {
    for (let li = 0; li < 2; li++) {
      const pList = li == 0 ? pTail : pCentral;
      const n = li == 0 ? nTail : nCentral;
      for (let j = 0; j < n; j += 2) {
        const k0 = <i32>load<i16>(pList + (<usize>j << 1));
        const k1 = j + 1 < n ? <i32>load<i16>(pList + (<usize>j << 1), 2) : k0;
        const t = f64x2.mul(v128.load(NB_X2), gather(pS, k0, k1));
        const b = f64x2.sub(gather(pH, k0, k1), t);
        const pdfA = gather(pPdf, k0, k1);
        const central = f64x2.le(f64x2.abs(b), v128.load(NB_X2, 48));
        let pdfB = f64x2.splat(0.0);
        if (v128.any_true(central)) pdfB = v128.and(f64x2.mul(pdfA, expX2(gather(pX, k0, k1))), central);
        const r = f64x2.mul(pdfA, normalCdfOverPdfGivenPdfX2(b, pdfB));
        v128.store64_lane(pOut + (<usize>k0 << 3), r, 0);
        v128.store64_lane(pOut + (<usize>k1 << 3), r, 1);
      }
    }
  }
  if (parts & 16) {
    for (let j = 0; j < nCentral; j += 2) {
      const k0 = <i32>load<i16>(pCentral + (<usize>j << 1));
      const k1 = j + 1 < nCentral ? <i32>load<i16>(pCentral + (<usize>j << 1), 2) : k0;
      const h = gather(pH, k0, k1);
      const a = f64x2.add(h, f64x2.mul(half, gather(pS, k0, k1)));
      const r = f64x2.sub(normalCdfCentralX2(a), gather(pOut, k0, k1));
      v128.store64_lane(pOut + (<usize>k0 << 3), r, 0);
      v128.store64_lane(pOut + (<usize>k1 << 3), r, 1);
    }
  }
  if (parts & 32) {
    for (let j = 0; j < nTail; j += 2) {
      const k0 = <i32>load<i16>(pTail + (<usize>j << 1));
      const k1 = j + 1 < nTail ? <i32>load<i16>(pTail + (<usize>j << 1), 2) : k0;
      const h = gather(pH, k0, k1);
      const a = f64x2.add(h, f64x2.mul(half, gather(pS, k0, k1)));
      const r = f64x2.sub(normalCdfTailGivenPdfX2(a, gather(pPdf, k0, k1)), gather(pOut, k0, k1));
      v128.store64_lane(pOut + (<usize>k0 << 3), r, 0);
      v128.store64_lane(pOut + (<usize>k1 << 3), r, 1);
    }
  }
}

// Room for the classification counts of every block (the parts run apart).
const IDX_ALL: usize = memory.data(65536 * 6 + 8192, 16);

/** Stage 1, then the parts of stage 2 (blockParts), over n options; the classification is kept per block so parts can run without it. */
export function probePrepareParts(parts: i32, n: i32, pSpot: usize, pStrike: usize, pExpiry: usize, pVol: usize, pRate: usize, pDividend: usize, pType: usize): void {
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    for (let k = 0; k < BLOCK; k += 2) {
      const ok = blackScholesPrepare(i0 + k, <usize>k << 3, pSpot, pStrike, pExpiry, pVol, pRate, pDividend, pType);
      store<u8>(C_OK + <usize>k, ok ? 1 : 0);
    }
    blockParts(parts, BLOCK, C_AX, C_H, C_S, C_PDF, C_OTM, IDX_ALL + <usize>(i0 / BLOCK) * (6 * BLOCK + 16));
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
