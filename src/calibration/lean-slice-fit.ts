/**
 * The lean path of a slice fit (fitSvi, calibrateSabr): one start, the vol objective, the linear
 * loss and the analytic Jacobian, run by Levenberg-Marquardt on buffers reused per engine and
 * slice size. It does the arithmetic of the general loop (`calibrate` with the vol problem: box
 * copied, start projected into it, sqrt weights, the same LM iterations), so it gives the same
 * numbers (test/calibration-svi-lean.test.ts, test/calibration-warm-lean.test.ts), without that
 * loop's per-fit set-up (its options, a fresh LM workspace, per-evaluation arrays), which cost a
 * 25-quote slice more than its kernel calls.
 */
import type { EngineContext } from '../context.js';
import { lmLeanSettings, lmRunIn, lmWorkspace, type LmWorkspace } from '../math/optimise/levenberg-marquardt.js';
import type { EndReason, LeastSquaresProblem } from '../math/optimise/least-squares.js';
import { boundHits, type BoundHit } from './fit-quality.js';
import type { VolEvaluator } from './quotes.js';

/** The buffers of a lean fit of an m-quote slice: the LM workspace, the market and the model vols. */
export interface LeanWorkspace {
  lm: LmWorkspace;
  /** Market vols of the slice (NaN for a quote without one); the caller fills them before a run. */
  target: Float64Array;
  /** Model vols of the last evaluation. */
  modelVols: Float64Array;
}

/**
 * A lean workspace of an m-quote slice with nParams parameters.
 * @throws RangeError for a negative size.
 */
export function leanWorkspace(m: number, nParams: number): LeanWorkspace {
  return { lm: lmWorkspace(m, nParams), target: new Float64Array(m), modelVols: new Float64Array(m) };
}

/** Slice sizes kept per engine (a surface's slices each have their own size; beyond this, the least recent is dropped). */
const SIZES_PER_ENGINE = 32;

/**
 * Workspaces of one model's lean fits, per engine and slice size: made once, reused by every fit
 * (an engine's calls never overlap, so one per size is enough).
 */
export class LeanWorkspaces<W extends LeanWorkspace> {
  private readonly byEngine = new WeakMap<EngineContext, Map<number, W>>();

  /** @param make a new workspace for an m-quote slice. */
  constructor(private readonly make: (m: number) => W) {}

  /**
   * The workspace of `ctx` for an m-quote slice (made on first use; most recent kept last).
   * @throws what `make` throws.
   */
  get(ctx: EngineContext, m: number): W {
    let bySize = this.byEngine.get(ctx);
    if (bySize === undefined) this.byEngine.set(ctx, (bySize = new Map()));
    let ws = bySize.get(m);
    if (ws === undefined) {
      if (bySize.size >= SIZES_PER_ENGINE) bySize.delete(bySize.keys().next().value as number);
      ws = this.make(m);
    } else bySize.delete(m); // re-inserted below: most recent last
    bySize.set(m, ws);
    return ws;
  }
}

/** The start and box of a lean run, in the optimiser's coordinates. */
export interface LeanBox {
  initial: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

/**
 * Whether the lean path may run on this box: LM's option checks accept it (start not NaN, lower <=
 * upper). Otherwise the general path runs and reports it as it always has.
 * @throws Nothing.
 */
export function leanBoxOk(box: LeanBox): boolean {
  for (let j = 0; j < box.initial.length; j++) if (Number.isNaN(box.initial[j]) || !(box.lower[j] <= box.upper[j])) return false;
  return true;
}

let leanSliceFits = 0;

/**
 * Slices fitted by the lean path (SVI and SABR) in this thread so far. @internal: the tests that
 * pin the lean path to the general loop check with it that the lean path really ran.
 * @throws Nothing.
 */
export function leanSliceFitCount(): number {
  return leanSliceFits;
}

/** The outcome of a lean run; `params` are the workspace's: read them before its next run. */
export interface LeanRun {
  params: Float64Array;
  iterations: number;
  reason: EndReason;
  boundHits: BoundHit[];
}

/**
 * One LM run of the lean path on `ws`, whose `target` the caller has filled: residuals model vol
 * minus market vol (0 where the market vol is not finite), as the vol problem writes them.
 * @param evaluate the model vols (and the Jacobian, row-major m x nParams) at a point.
 * @param names the parameter names (bound hits).
 * @throws InputError naming `maxIterations` or `tolerance`; what `evaluate` throws.
 */
export function leanSliceRun(
  ws: LeanWorkspace, evaluate: VolEvaluator, names: readonly string[], box: LeanBox, weights: Float64Array, fixed: boolean[] | undefined,
  maxIterations: number | undefined, tolerance: number | undefined, boundTolerance: number | undefined,
): LeanRun {
  const { target, modelVols } = ws;
  const m = target.length;
  const problem: LeastSquaresProblem = {
    nParams: names.length, nResiduals: m,
    evaluate(p, res, jac) {
      evaluate(p, modelVols, jac);
      for (let r = 0; r < m; r++) res[r] = Number.isFinite(target[r]) ? modelVols[r] - target[r] : 0;
    },
  };
  const s = lmLeanSettings(ws.lm, box.initial, box.lower, box.upper, fixed, weights, maxIterations, tolerance);
  const fit = lmRunIn(problem, s, ws.lm);
  leanSliceFits++;
  return { params: fit.params, iterations: fit.iterations, reason: fit.reason, boundHits: boundHits(fit.params, box.lower, box.upper, fixed, names, boundTolerance) };
}
