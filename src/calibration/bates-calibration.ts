import type { EngineContext } from '../context.js';
import { batesPrice, BATES_PARAM_NAMES, type BatesParams } from '../pricing/heston-price.js';
import { calibratePriceModel, hestonDefaults, type PricingModel, type SortedQuotes, type StochasticVolCalibrationOptions, type StochasticVolFit } from './heston-calibration.js';
import type { PreparedQuotes } from './quotes.js';
import type { MarketArgs } from './types.js';

/** Arguments of `engine.calibrateBates`: as `calibrateHeston`, with the eight Bates parameters. */
export interface CalibrateBatesArgs extends MarketArgs, StochasticVolCalibrationOptions<BatesParams> {}

/** Result of `engine.calibrateBates`. */
export type CalibrateBatesResult = StochasticVolFit<BatesParams>;

/** Bates prices and 8-column gradient on sorted quotes, through `batesPriceBatch` (one kernel call per evaluation). */
function batesModel(ctx: EngineContext, S: SortedQuotes): PricingModel {
  const base = { forwards: S.F, strikes: S.K, expiries: S.T, types: S.types, discountFactors: S.D };
  return {
    names: BATES_PARAM_NAMES,
    price(p, out, grad) {
      const r = batesPrice(ctx, {
        ...base, gradient: grad !== null,
        params: { v0: p[0], kappa: p[1], theta: p[2], sigma: p[3], rho: p[4], lambda: p[5], muJ: p[6], deltaJ: p[7] },
      });
      out.set(r.price);
      if (grad) grad.set(r.gradient!);
    },
  };
}

/**
 * Default Bates box and start: Heston's (see `hestonDefaults`) plus lambda in [0, 5] per year
 * (start 0.5), muJ in [-1, 1] (start -0.05 for a negative skew, else 0.05), deltaJ in [1e-3, 1]
 * (start 0.1).
 */
export function batesDefaults(Q: PreparedQuotes, s: { atmFirst: number; atmLast: number; skew: number }): { initial: Float64Array; lower: Float64Array; upper: Float64Array } {
  const h = hestonDefaults(Q, s);
  const cat = (a: Float64Array, ...b: number[]) => Float64Array.from([...a, ...b]);
  return {
    initial: cat(h.initial, 0.5, s.skew < 0 ? -0.05 : 0.05, 0.1),
    lower: cat(h.lower, 0, -1, 1e-3),
    upper: cat(h.upper, 5, 1, 1),
  };
}

/**
 * Calibrate Bates (1996), Heston with Merton lognormal jumps, to a surface of European quotes:
 * as `calibrateHeston`, with the analytic 8-column Jacobian of `batesPriceBatch` (one kernel call
 * per evaluation). Jump and diffusion parameters trade off on a sparse surface: use several
 * starts (`starts`, `extraStarts`) or fix some (`fixed`).
 * @throws InputError for a malformed call.
 */
export function calibrateBates(ctx: EngineContext, args: CalibrateBatesArgs): CalibrateBatesResult {
  return calibratePriceModel<BatesParams>(ctx, args, (S) => batesModel(ctx, S), batesDefaults, [1, 2, 3]);
}
