import { InputError } from '../../errors.js';
import { checkKeys } from '../../option-keys.js';
import { checkProblem, LM_KEYS, lmRun } from './levenberg-marquardt.js';
import type { EndReason, LeastSquaresProblem, LmOptions, LmResult } from './least-squares.js';

/** Options of {@link multiStart}: LM options without `initial`, plus the starting points. */
export interface MultiStartOptions extends Omit<LmOptions, 'initial'> {
  starts: ArrayLike<number>[];
}

/** The keys of {@link MultiStartOptions}. */
export const MULTI_START_KEYS = [...LM_KEYS.filter((k) => k !== 'initial'), 'starts'] as const satisfies readonly (keyof MultiStartOptions)[];

/** The best LM result over several starting points, with every run's reason and cost. */
export interface MultiStartResult extends LmResult {
  /** Index of the start that gave the best cost. */
  bestStart: number;
  runs: { reason: EndReason; cost: number; iterations: number }[];
}

/**
 * Run Levenberg-Marquardt from each start and keep the lowest cost (ties: the first).
 * Iterations and evaluations of the result are summed over every run.
 * @throws InputError for no starts, or as `levenbergMarquardt` for malformed bounds or options.
 */
export function multiStart(problem: LeastSquaresProblem, options: MultiStartOptions): MultiStartResult {
  checkProblem(problem);
  if (options === null || typeof options !== 'object') throw new InputError('options', options, 'multi-start options { starts, ... }');
  checkKeys(options, MULTI_START_KEYS, '');
  const starts = options.starts;
  if (!Array.isArray(starts) || starts.length === 0) throw new InputError('starts', starts, 'a non-empty array of starting points');
  let best: LmResult | null = null;
  let bestStart = 0;
  let iterations = 0;
  let evaluations = 0;
  const runs: MultiStartResult['runs'] = [];
  for (let i = 0; i < starts.length; i++) {
    // The options go to every run as they are, with the start passed beside them (no per-run
    // copy of the options object: a warm refit runs one start, and the copy cost more than its kernel calls).
    const r = lmRun(problem, options as unknown as LmOptions, `starts[${i}]`, starts[i]);
    runs.push({ reason: r.reason, cost: r.cost, iterations: r.iterations });
    iterations += r.iterations;
    evaluations += r.evaluations;
    // lmRun's params and residuals are its own buffers, fresh per run: no copy is needed.
    if (best === null || r.cost < best.cost) {
      best = r;
      bestStart = i;
    }
  }
  const b = best as LmResult;
  return {
    params: b.params, reason: b.reason, iterations, evaluations, cost: b.cost, residuals: b.residuals, gradientCosine: b.gradientCosine,
    bestStart, runs,
  };
}
