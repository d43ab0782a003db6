import type { CalibrationModel, ParameterBox } from './calibrate.js';
import { volProblem, type PreparedQuotes, type VolEvaluator } from './quotes.js';

/** Some of the prepared quotes (one expiry slice, or all of them): the quotes a vol model is fitted to. */
export interface QuoteSubset {
  Q: PreparedQuotes;
  /** Quote indices, in the evaluator's row order. */
  indices: Int32Array;
}

/**
 * A vol-parametric model (SVI, SABR, SSVI) for the calibration loop: its kernel evaluator gives
 * model vols and d vol / d params on the subset, turned into vol or price residuals by
 * {@link volProblem}; `defaults` gives the start and box for the subset.
 */
export function volModel(names: readonly string[], evaluator: VolEvaluator, defaults: (quotes: QuoteSubset) => ParameterBox): CalibrationModel<QuoteSubset> {
  return {
    names,
    defaults,
    residuals: (engine, { Q, indices }) => volProblem(engine, Q, indices, names.length, evaluator),
  };
}
