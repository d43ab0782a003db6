/**
 * Seeded i.i.d. bootstrap of VaR and ES estimates (Efron's percentile interval): B resamples of
 * the sample with replacement, index j of resample b = floor(u n) for Philox uniform (seed,
 * stream 13, path b, draw j), the estimator rerun on each.
 */
import type { EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { forEachPhiloxRow, type Seed } from './random.js';
import { BOOTSTRAP_SAMPLES_MAX, checkInt } from './validate.js';

export interface BootstrapInterval {
  /** The (1 - level)/2 and (1 + level)/2 percentiles of the bootstrap estimates. */
  lower: number;
  upper: number;
  /** Standard deviation of the bootstrap estimates. */
  standardError: number;
  mean: number;
}

export function bootstrapInterval(
  ctx: EngineContext, sample: ArrayLike<number>, estimate: (x: Float64Array) => [number, number],
  options: { samples?: number; seed?: Seed; level?: number },
): { var: BootstrapInterval; es: BootstrapInterval; samples: number; level: number } {
  const B = checkInt(options.samples, 'bootstrap.samples', 10, BOOTSTRAP_SAMPLES_MAX, 1000);
  const level = options.level === undefined ? 0.9 : options.level;
  if (typeof level !== 'number' || !(level > 0 && level < 1)) throw new InputError('bootstrap.level', level, 'a number in (0, 1)');
  const seed = options.seed === undefined ? 0 : options.seed;
  const n = sample.length;
  const vs = new Float64Array(B), es = new Float64Array(B);
  const x = new Float64Array(n);
  forEachPhiloxRow(ctx, false, B, n, seed, 13, 0, (b, u) => {
    for (let j = 0; j < n; j++) x[j] = sample[Math.min(n - 1, Math.floor(u[j] * n))];
    [vs[b], es[b]] = estimate(x);
  });
  return { var: summarise(vs, level), es: summarise(es, level), samples: B, level };
}

function summarise(v: Float64Array, level: number): BootstrapInterval {
  const s = Float64Array.from(v).sort();
  const B = s.length;
  const q = (p: number) => {
    const h = (B - 1) * p;
    const lo = Math.floor(h);
    return s[lo] + (h - lo) * ((s[Math.min(lo + 1, B - 1)] ?? s[lo]) - s[lo]);
  };
  let mean = 0;
  for (const x of s) mean += x;
  mean /= B;
  let ss = 0;
  for (const x of s) ss += (x - mean) ** 2;
  return { lower: q((1 - level) / 2), upper: q((1 + level) / 2), standardError: Math.sqrt(ss / (B - 1)), mean };
}
