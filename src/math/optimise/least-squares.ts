/**
 * Nonlinear least squares as the optimisers see it: a problem is residuals and, ideally, their
 * analytic Jacobian as functions of a parameter vector; the optimiser knows nothing else.
 */

/**
 * A nonlinear least-squares problem: minimise 1/2 sum_i w_i r_i(p)^2 over p in a box.
 *
 * `evaluate(p, r, J)` writes the residuals r_i(p) (length `nResiduals`) into `r` and, when `J` is
 * not null, the Jacobian dr_i/dp_j into `J`, row-major `nResiduals x nParams`
 * (`J[i * nParams + j]`). It must not keep `p`, `r` or `J` (the optimizer reuses them). A model
 * without an analytic Jacobian can leave `J` untouched and set `hasJacobian: false`; the
 * optimizer then differences `evaluate` itself.
 *
 * Weights are not part of the problem: the optimizer applies them (`LmOptions.weights`).
 */
export interface LeastSquaresProblem {
  readonly nParams: number;
  readonly nResiduals: number;
  /** False when `evaluate` ignores `J` (finite differences are then used). Default true. */
  readonly hasJacobian?: boolean;
  evaluate(params: Float64Array, residuals: Float64Array, jacobian: Float64Array | null): void;
}

/**
 * Why an optimizer stopped. None of these is an error: every result carries the best parameters
 * found.
 * - `converged`: the relative reduction of the cost, actual and predicted, fell below
 *   `functionTolerance` (or the cost reached zero);
 * - `stationaryPoint`: the (projected) gradient vanished: max_j |J_j . r| / (|J_j| |r|) <= `gradientTolerance`;
 * - `smallStep`: the scaled step fell below `stepTolerance` relative to the scaled parameters, or
 *   the damping grew without finding a decrease;
 * - `maxIterations`: the iteration limit was reached;
 * - `nonFinite`: the residuals are not finite at the starting point (nothing could be done);
 * - `maxGenerations` (differential evolution): the generation limit was reached.
 */
export type EndReason = 'converged' | 'stationaryPoint' | 'smallStep' | 'maxIterations' | 'nonFinite' | 'maxGenerations';

/** How the optimizer obtains the Jacobian. */
export type JacobianMode = 'analytic' | 'forward' | 'central';

/**
 * The loss rho(z) applied to each scaled squared residual z_i = w_i r_i^2 / f^2 (f = `lossScale`);
 * the cost is 1/2 f^2 sum_i rho(z_i) (scipy.optimize.least_squares' convention):
 * - `linear`: rho(z) = z (ordinary least squares; the default);
 * - `soft_l1`: rho(z) = 2 (sqrt(1 + z) - 1), rho'(z) = 1 / sqrt(1 + z);
 * - `huber`: rho(z) = z for z <= 1, 2 sqrt(z) - 1 beyond, rho'(z) = min(1, 1 / sqrt(z)).
 * A residual far beyond f then pulls with a force that stays bounded (soft_l1, huber) instead of
 * growing with it, so one bad quote cannot drag the fit.
 */
export type LossFunction = 'linear' | 'soft_l1' | 'huber';

/** Options of {@link levenbergMarquardt}. Arrays have length `nParams` unless stated. */
export interface LmOptions {
  /** Starting point (projected into the bounds). */
  initial: ArrayLike<number>;
  /** Lower bounds (default -Infinity). */
  lower?: ArrayLike<number>;
  /** Upper bounds (default +Infinity). */
  upper?: ArrayLike<number>;
  /** `fixed[j] = true` keeps p_j at its initial value. */
  fixed?: ArrayLike<boolean>;
  /** Per-residual weights w_i >= 0 (length `nResiduals`): the cost is 1/2 sum w_i r_i^2. Default 1. */
  weights?: ArrayLike<number>;
  /** Outer iterations (Jacobian evaluations) at most. Default 200. */
  maxIterations?: number;
  /** Sets function, step and gradient tolerances at once. Default 1e-10. */
  tolerance?: number;
  functionTolerance?: number;
  stepTolerance?: number;
  gradientTolerance?: number;
  /** `'analytic'` (default when the problem has one), `'forward'` or `'central'` differences. */
  jacobian?: JacobianMode;
  /** Initial damping relative to the scaled J^T J diagonal. Default 1e-3. */
  initialDamping?: number;
  /** Test hook: called with a copy of every point the residuals are evaluated at, and its cost. */
  onEvaluate?: (params: Float64Array, cost: number) => void;
  /**
   * Robust loss (see {@link LossFunction}). Default 'linear'. Implemented by iteratively
   * reweighted least squares in the square-root-weight form: at each outer iteration the
   * (weighted) residual rows and Jacobian rows are multiplied by sqrt(rho'(z_i)), so the
   * step solves (J^T W R J + mu D^2) h = -J^T W R r with R = diag(rho'(z_i)): the exact gradient
   * of the robust cost, and the Gauss-Newton Hessian without the rho'' term (no Triggs correction).
   * Steps are accepted on the robust cost itself.
   */
  loss?: LossFunction;
  /** Soft margin f between inlier and outlier residuals, in the residuals' units (> 0). Default 1. */
  lossScale?: number;
}

/** Result of {@link levenbergMarquardt}. */
export interface LmResult {
  params: Float64Array;
  reason: EndReason;
  /** Outer iterations (accepted or not) performed. */
  iterations: number;
  /** Residual evaluations, finite-difference ones included. */
  evaluations: number;
  /** 1/2 sum w_i r_i^2 at `params` (with a robust `loss`: 1/2 f^2 sum rho(w_i r_i^2 / f^2)). */
  cost: number;
  /** Unweighted residuals r_i at `params`. */
  residuals: Float64Array;
  /** Max over free, non-active parameters of |J_j . r| / (|J_j| |r|) at `params` (weighted). */
  gradientCosine: number;
}
