/**
 * Argument objects of the Engine methods that replaced engine-first free functions (see
 * docs/api.md): one object per call, the same key for the same quantity as elsewhere, unknown
 * keys rejected. The computing stays in the domain modules; this file only names and checks the
 * new call shapes.
 */
import { requireFunction, requireRecord } from './arguments.js';
import { checkKeys } from './option-keys.js';
import { keyList } from './batch-inputs.js';
import { InputError } from './errors.js';
import type { CalibrateOptions, CalibrationModel } from './calibration/calibrate.js';
import type { FitSviArgs, FitSviResult } from './calibration/svi.js';
import type { FitSsviArgs, FitSsviResult } from './calibration/ssvi.js';
import type { GarchParameters } from './risk/garch.js';
import type { Portfolio } from './risk/portfolio.js';
import type { MonteCarloVarOptions } from './risk/monte-carlo-var.js';
import type { DeltaGammaOptions } from './risk/delta-gamma.js';
import type { Seed } from './risk/random.js';

/** Arguments of `Engine.calibrateSvi` (raw SVI per expiry slice to implied-vol quotes). */
export type CalibrateSviArgs = FitSviArgs;
/** Result of `Engine.calibrateSvi`. */
export type CalibrateSviResult = FitSviResult;
/** Arguments of `Engine.calibrateSsvi` (an SSVI surface to implied-vol quotes). */
export type CalibrateSsviArgs = FitSsviArgs;
/** Result of `Engine.calibrateSsvi`. */
export type CalibrateSsviResult = FitSsviResult;

/** Arguments of `Engine.philoxUniforms` and `Engine.philoxNormals`: draws [offset, offset + n) of Philox (seed, stream, path). */
export interface PhiloxArgs {
  /** Number of draws, an integer in [0, 2^28]. */
  n: number;
  seed: Seed;
  /** Philox stream, an integer in [0, 2^32 - 1] (default 0). */
  stream?: number;
  /** Path index, an integer in [0, 2^32 - 1] (default 0). */
  path?: number;
  /** First draw index, an integer with offset + n <= 2^53 (default 0). */
  offset?: number;
}

/** Arguments of `Engine.empiricalTail`. */
export interface EmpiricalTailArgs {
  /** P&L samples (`sign` -1, the default) or losses (`sign` 1); not modified. */
  sample: ArrayLike<number>;
  /** Confidence level in (0, 1), e.g. 0.99. */
  confidence: number;
  /** -1: `sample` is P&L, losses are -pnl (default); 1: `sample` holds losses. */
  sign?: 1 | -1;
}

/** Arguments of `Engine.portfolioSensitivities`. */
export interface PortfolioSensitivitiesArgs {
  portfolio: Portfolio;
  /** Horizon in years (>= 0): options are aged by it before bumping. */
  horizon: number;
  /** How a vol shock moves implied vols (as {@link DeltaGammaOptions.volShockMode}). */
  volShockMode: NonNullable<DeltaGammaOptions['volShockMode']>;
  /** Asset order of the result (default: the portfolio's spot keys). */
  assets?: readonly string[];
}

/** Arguments of `Engine.monteCarloScenarios`: the portfolio plus the scenario options. */
export interface MonteCarloScenariosArgs extends MonteCarloVarOptions {
  portfolio: Portfolio;
}

/** Arguments of `Engine.garchLogLikelihood`. */
export interface GarchLogLikelihoodArgs {
  /** Returns per period, decimals (e.g. daily log-returns). */
  returns: ArrayLike<number>;
  /** Parameters to evaluate at (a GarchFit works: its result fields are ignored). */
  params: GarchParameters;
  /** sigma^2_0, a positive number (default: the mean of the squared returns). */
  variance0?: number;
}

/** Arguments of `Engine.simulateGarch`. */
export interface SimulateGarchArgs {
  params: GarchParameters;
  /** Number of returns to simulate. */
  n: number;
  seed: Seed;
  /** sigma^2_0; default the unconditional variance omega / (1 - persistence). */
  variance0?: number;
  /** Philox stream (default 0). */
  stream?: number;
}

const PHILOX_KEYS = ['n', 'seed', 'stream', 'path', 'offset'] as const satisfies readonly (keyof PhiloxArgs)[];
const EMPIRICAL_TAIL_KEYS = ['sample', 'confidence', 'sign'] as const satisfies readonly (keyof EmpiricalTailArgs)[];
const SENSITIVITIES_KEYS = ['portfolio', 'horizon', 'volShockMode', 'assets'] as const satisfies readonly (keyof PortfolioSensitivitiesArgs)[];
const GARCH_LL_KEYS = ['returns', 'params', 'variance0'] as const satisfies readonly (keyof GarchLogLikelihoodArgs)[];
const SIMULATE_GARCH_KEYS = ['params', 'n', 'seed', 'variance0', 'stream'] as const satisfies readonly (keyof SimulateGarchArgs)[];

/** @throws InputError unless `args` is an object whose keys are all in `keys` (naming the unknown key). */
function checkArgs<T>(args: T, keys: readonly string[]): T {
  checkKeys(requireRecord(args, 'args'), keys, '');
  return args;
}

/** @throws InputError for a non-object or an unknown key. */
export const checkPhiloxArgs = (args: PhiloxArgs): PhiloxArgs => checkArgs(args, PHILOX_KEYS);
/** @throws InputError for a non-object or an unknown key. */
export const checkEmpiricalTailArgs = (args: EmpiricalTailArgs): EmpiricalTailArgs => checkArgs(args, EMPIRICAL_TAIL_KEYS);
/** @throws InputError for a non-object or an unknown key. */
export const checkSensitivitiesArgs = (args: PortfolioSensitivitiesArgs): PortfolioSensitivitiesArgs => checkArgs(args, SENSITIVITIES_KEYS);
/** @throws InputError for a non-object or an unknown key. */
export const checkGarchLogLikelihoodArgs = (args: GarchLogLikelihoodArgs): GarchLogLikelihoodArgs => checkArgs(args, GARCH_LL_KEYS);
/** @throws InputError for a non-object or an unknown key. */
export const checkSimulateGarchArgs = (args: SimulateGarchArgs): SimulateGarchArgs => checkArgs(args, SIMULATE_GARCH_KEYS);

/**
 * Split {@link MonteCarloScenariosArgs} into the portfolio and the scenario options (a new object:
 * the caller's is not modified); the options' keys are checked by monteCarloScenarios itself.
 * @throws InputError for a non-object.
 */
export function splitScenarioArgs(args: MonteCarloScenariosArgs): { portfolio: Portfolio; options: MonteCarloVarOptions } {
  const { portfolio, ...options } = requireRecord(args, 'args') as unknown as MonteCarloScenariosArgs;
  return { portfolio, options };
}

/**
 * Arguments of `Engine.calibrate`: the model, the quotes it reads, and the options of the one
 * calibration loop (start, bounds and fixed parameters by the model's names, weights, a seeded
 * global stage).
 * @typeParam Q the quotes the model reads.
 */
export interface CalibrateArgs<Q> extends CalibrateOptions {
  /** Parameter names, a default start and box, and the residuals over the engine's kernels. */
  model: CalibrationModel<Q>;
  /** The quotes, in whatever form the model reads. */
  quotes: Q;
}

const CALIBRATE_KEYS = keyList<CalibrateArgs<unknown>>()([
  'model', 'quotes', 'method', 'initial', 'starts', 'extraStarts', 'bounds', 'fixed', 'weights', 'global', 'globalStart',
  'maxIterations', 'tolerance', 'jacobian', 'onEvaluate',
  'loss', 'lossScale', 'quality', // [surface] robust loss and quality thresholds
]);

/**
 * Split {@link CalibrateArgs} into the model, the quotes and the loop's options (a new object: the
 * caller's is not modified); the options' values are checked by the loop itself.
 * @throws InputError for a non-object, an unknown key, or a model without `names` (an array of
 *   strings), `defaults` and `residuals` (functions).
 */
export function splitCalibrateArgs<Q>(args: CalibrateArgs<Q>): { model: CalibrationModel<Q>; quotes: Q; options: CalibrateOptions } {
  checkKeys(requireRecord(args, 'args'), CALIBRATE_KEYS, '');
  const { model, quotes, ...options } = args;
  const m = requireRecord(model, 'model');
  if (!Array.isArray(m.names) || !m.names.every((n) => typeof n === 'string')) throw new InputError('model.names', m.names, 'an array of parameter names');
  requireFunction(m.defaults, 'model.defaults');
  requireFunction(m.residuals, 'model.residuals');
  return { model, quotes, options };
}
