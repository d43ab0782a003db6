/**
 * Euler allocation of VaR and ES to positions (Tasche 1999): components that sum to the total.
 * - historical (scenario P&L per position): with the same order statistics as the total,
 *   component VaR_i = L_i in the VaR scenario (E[L_i | L = VaR] on the sample), component
 *   ES_i = [ sum_{tail} w_s L_i,s + (W(L <= VaR) - c) L_i,VaR-scenario ] / (1 - c): they sum to
 *   VaR and ES exactly (VaR components are noisy: a single scenario).
 * - normal: component VaR_i = mu_i + z_c cov(L_i, L) / sigma_L, component ES_i = mu_i +
 *   phi(z_c)/(1-c) cov(L_i, L) / sigma_L.
 * Marginal VaR/ES (per unit of the position's quantity) = component / quantity; incremental
 * VaR/ES = total minus the total without the position (recomputed, not allocated: no sum rule).
 */
import type { EngineContext } from '../context.js';
import { inverseNormalCdf, normalPdf } from './distributions.js';
import { sampleMomentsUnchecked as sampleMoments, normalVarEsUnchecked as normalVarEs } from './parametric.js';
import { empiricalTailUnchecked as empiricalTail, weightedTailUnchecked as weightedTail, tailIndexUnchecked } from './tail-measures.js';

export interface PositionAllocation {
  index: number;
  componentVar: number;
  componentEs: number;
  /** component / quantity, when a quantity is known and non-zero. */
  marginalVar?: number;
  marginalEs?: number;
  incrementalVar: number;
  incrementalEs: number;
}

export interface Allocation {
  positions: PositionAllocation[];
  totalVar: number;
  totalEs: number;
  sumComponentVar: number;
  sumComponentEs: number;
}

export function allocate(
  ctx: EngineContext, pnl: ArrayLike<number>, positionPnl: Float64Array, nPos: number, c: number,
  kind: 'historical' | 'normal', weights?: Float64Array, scale = 1, quantities?: ArrayLike<number>,
): Allocation {
  const m = pnl.length;
  const row = (i: number) => positionPnl.subarray(i * m, (i + 1) * m);
  const comps: { v: number; e: number }[] = [];
  let totalVar: number, totalEs: number;
  const partial = (x: ArrayLike<number>): { var: number; es: number } => {
    if (kind === 'normal') {
      const mm = sampleMoments(x);
      return normalVarEs(-mm.mean, mm.sd, c);
    }
    if (weights) return weightedTail(Float64Array.from(x, (v) => -v), weights, c);
    return empiricalTail(ctx, x, c);
  };
  if (kind === 'normal') {
    const mm = sampleMoments(pnl);
    const t = normalVarEs(-mm.mean, mm.sd, c);
    totalVar = t.var; totalEs = t.es;
    const z = inverseNormalCdf(c);
    const tail = normalPdf(z) / (1 - c);
    for (let i = 0; i < nPos; i++) {
      const r = row(i);
      const mi = sampleMoments(r).mean;
      let cov = 0;
      for (let s = 0; s < m; s++) cov += (r[s] - mi) * (pnl[s] - mm.mean);
      cov /= m - 1;
      const beta = mm.sd > 0 ? cov / mm.sd : 0; // cov(L_i, L)/sigma_L (signs cancel for L = -pnl)
      comps.push({ v: -mi + z * beta, e: -mi + tail * beta });
    }
  } else {
    const losses = Float64Array.from(pnl, (v) => -v);
    const w = weights ?? new Float64Array(m).fill(1);
    let wsum = 0;
    for (let s = 0; s < m; s++) wsum += w[s];
    const order = Array.from({ length: m }, (_, s) => s).sort((a, b) => losses[a] - losses[b]);
    let j: number;
    let cumAtVar: number;
    if (!weights) {
      const k = tailIndexUnchecked(m, c);
      j = k - 1;
      cumAtVar = k / m;
    } else {
      let cum = 0;
      j = 0;
      for (; j < m; j++) {
        cum += w[order[j]] / wsum;
        if (cum >= c - 1e-12) break;
      }
      j = Math.min(j, m - 1);
      cumAtVar = Math.min(cum, 1);
    }
    const sVar = order[j];
    totalVar = losses[sVar];
    let te = 0;
    for (let q = j + 1; q < m; q++) te += (w[order[q]] / wsum) * losses[order[q]];
    totalEs = (te + (cumAtVar - c) * totalVar) / (1 - c);
    for (let i = 0; i < nPos; i++) {
      const r = row(i);
      let e = 0;
      for (let q = j + 1; q < m; q++) e += (w[order[q]] / wsum) * -r[order[q]];
      comps.push({ v: -r[sVar], e: (e + (cumAtVar - c) * -r[sVar]) / (1 - c) });
    }
  }
  const positions: PositionAllocation[] = comps.map((cmp, i) => {
    const without = new Float64Array(m);
    const r = row(i);
    for (let s = 0; s < m; s++) without[s] = pnl[s] - r[s];
    const p = partial(without);
    const a: PositionAllocation = {
      index: i, componentVar: cmp.v * scale, componentEs: cmp.e * scale,
      incrementalVar: (totalVar - p.var) * scale, incrementalEs: (totalEs - p.es) * scale,
    };
    const q = quantities?.[i];
    if (q) {
      a.marginalVar = a.componentVar / q;
      a.marginalEs = a.componentEs / q;
    }
    return a;
  });
  return {
    positions, totalVar: totalVar * scale, totalEs: totalEs * scale,
    sumComponentVar: positions.reduce((s, p) => s + p.componentVar, 0),
    sumComponentEs: positions.reduce((s, p) => s + p.componentEs, 0),
  };
}
