/**
 * Hedging: book greeks, hedge calibration (greek-neutral, scenario-optimal, margin-optimal) and
 * hedge effectiveness. Methodology: docs/hedging.md.
 */
export {
  bookGreeks, CASH_GREEK_NAMES,
  type BookGreeksOptions, type BookGreeksResult, type CashGreeks, type CashGreekName, type GreekBucket, type PositionGreekColumns, type VolSurfaceLike,
  type HedgeBook,
} from './book-greeks.js';
export {
  calibrateHedge,
  type CalibrateHedgeArgs, type CalibrateHedgeResult, type HedgeInstrument, type HedgeTerms, type HedgeSolution, type WithoutSize,
} from './calibrate-hedge.js';
export { hedgeEffectiveness, type HedgeEffectivenessArgs, type HedgeEffectivenessResult, type TailReduction } from './hedge-effectiveness.js';
export { loadLpSolver, LpSolverMissingError, type LpSolver, type LpStatus } from './hedge-lp.js';
// [hedging] simulate-hedging.ts (the hedge-sim branch) adds its export line here on merge.
