// Pure-JS twin of assembly/risk/garch-likelihood.ts (see there for the model and conventions).
import type { KernelHeap } from '../heap.js';
import { digamma, logGamma } from './special.js';

const LN_2PI = 1.8378770664093454836;
const LN_PI = 1.1447298858494001741;

export function garchLikelihood(
  heap: KernelHeap, n: number, pReturns: number, model: number, distribution: number, pParams: number,
  variance0: number, pOut: number, pVariances: number,
): number {
  if (n < 1 || model < 0 || model > 1 || distribution < 0 || distribution > 1) return 1;
  const f64 = heap.f64;
  const P = pParams >>> 3, O = pOut >>> 3, R = pReturns >>> 3, V = pVariances >>> 3;
  const omega = f64[P], alpha = f64[P + 1], beta = f64[P + 2];
  const gamma = model === 1 ? f64[P + 3] : 0;
  const nu = distribution === 1 ? f64[P + 4] : 0;
  const isT = distribution === 1;
  if (isT && !(nu > 2)) {
    f64.fill(NaN, O, O + 6);
    return 0;
  }
  let h = variance0;
  let dW = 0, dA = 0, dB = 0, dG = 0;
  let ll = 0, gW = 0, gA = 0, gB = 0, gG = 0, gN = 0;
  const nuM2 = nu - 2;
  const halfNuP1 = 0.5 * (nu + 1);
  for (let t = 0; t < n; t++) {
    const r = f64[R + t];
    if (t > 0) {
      const rp = f64[R + t - 1];
      const r2p = rp * rp;
      const neg = rp < 0 ? r2p : 0;
      const hPrev = h;
      h = omega + alpha * r2p + gamma * neg + beta * hPrev;
      dW = 1 + beta * dW;
      dA = r2p + beta * dA;
      dB = hPrev + beta * dB;
      dG = neg + beta * dG;
    }
    if (!(h > 0 && h < Infinity)) {
      f64.fill(NaN, O, O + 6);
      return 0;
    }
    if (pVariances !== 0) f64[V + t] = h;
    const r2 = r * r;
    let dldh: number;
    if (isT) {
      const q = r2 / (nuM2 * h);
      const l1p = Math.log1p(q);
      ll += -0.5 * Math.log(h) - halfNuP1 * l1p;
      const w = q / (1 + q);
      dldh = (halfNuP1 * w - 0.5) / h;
      gN += -0.5 * l1p + (halfNuP1 * w) / nuM2;
    } else {
      ll += -0.5 * (Math.log(h) + r2 / h);
      dldh = (0.5 * (r2 / h - 1)) / h;
    }
    gW += dldh * dW;
    gA += dldh * dA;
    gB += dldh * dB;
    gG += dldh * dG;
  }
  if (isT) {
    ll += n * (logGamma(halfNuP1) - logGamma(0.5 * nu) - 0.5 * (LN_PI + Math.log(nuM2)));
    gN += n * (0.5 * digamma(halfNuP1) - 0.5 * digamma(0.5 * nu) - 0.5 / nuM2);
  } else {
    ll -= 0.5 * n * LN_2PI;
  }
  f64[O] = ll;
  f64[O + 1] = gW;
  f64[O + 2] = gA;
  f64[O + 3] = gB;
  f64[O + 4] = model === 1 ? gG : 0;
  f64[O + 5] = isT ? gN : 0;
  return 0;
}
