/**
 * Calibration: a box-constrained Levenberg-Marquardt optimizer (plus multi-start and a seeded
 * differential-evolution stage) over "residuals + Jacobian" problems, and the SVI, SSVI and SABR
 * fits built on it, with implied-vol surfaces from Deribit chains.
 */
export type {
  LeastSquaresProblem, EndReason, JacobianMode, LmOptions, LmResult, QuoteColumns, MarketArgs, FitResultBase,
} from './types.js';
export { levenbergMarquardt } from '../math/optimise/levenberg-marquardt.js';
export { multiStart, type MultiStartOptions, type MultiStartResult } from '../math/optimise/multi-start.js';
export { differentialEvolution, type DifferentialEvolutionOptions, type DifferentialEvolutionResult } from '../math/optimise/differential-evolution.js';
export {
  SVI_PARAM_NAMES, MAX_GRID_POINTS, sviTotalVariance, sviDurrlemanG, sviButterflyCheck, sviCalendarCheck, sviInitialGuess,
  type SviParams, type FitSviArgs, type FitSviResult, type SviSliceFit, type SviButterflyCheck, type ArbitrageGrid,
  type CalendarCheck, type CalendarViolation,
} from './svi.js';
export type { GlobalStage } from './calibrate.js';
export { SABR_PARAM_NAMES, sabrInitialGuess, type SabrParams, type CalibrateSabrArgs, type CalibrateSabrResult, type SabrSliceFit } from './sabr.js';
export { ssviFromInternal, ssviSliceAsSvi, type SsviPhi, type SsviParams, type FitSsviArgs, type FitSsviResult, type SsviSliceFit, type SsviArbitrage } from './ssvi.js';
export { DROP_REASONS, type DropReason, type BuildSurfaceOptions, type Surface, type SurfaceExpiry } from './surface.js';
export type { GlobalStageReport } from './heston-calibration.js';
