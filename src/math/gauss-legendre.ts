/**
 * Gauss-Legendre quadrature: nodes and weights of the n-point rule on [-1, 1], which integrates
 * every polynomial of degree <= 2n - 1 exactly.
 *
 * Algorithm: Newton's method on the Legendre polynomial P_n, evaluated with the three-term
 * recurrence (k+1) P_{k+1} = (2k+1) x P_k - k P_{k-1}, from Tricomi's initial guess
 * x_i ~ cos(pi (i - 1/4) / (n + 1/2)); weights w_i = 2 / ((1 - x_i^2) P_n'(x_i)^2). Only the
 * positive half is iterated; the rule is symmetric, so nodes are mirrored exactly. Newton stops
 * when the step falls below 1e-15 and then takes one more step (quadratic convergence makes that
 * final step exact to rounding). See Golub and Welsch (1969) for the eigenvalue alternative and
 * Press et al., *Numerical Recipes* 3rd ed. sec. 4.6 (`gauleg`) for this one.
 *
 * Rules are cached per n (they are immutable: do not write into the returned arrays).
 *
 * @example
 * const { nodes, weights } = gaussLegendre(2); // nodes -/+ 1/sqrt(3), weights 1, 1
 */
interface GaussLegendreRule {
  /** Nodes in increasing order, in (-1, 1). */
  readonly nodes: Float64Array;
  /** Positive weights summing to 2. */
  readonly weights: Float64Array;
}

const cache = new Map<number, GaussLegendreRule>();

/** Largest supported rule (the recurrence is O(n) per evaluation, so O(n^2) per rule). */
const GAUSS_LEGENDRE_MAX_NODES = 4096;

/**
 * The n-point Gauss-Legendre rule on [-1, 1] (cached).
 * @param n number of nodes, an integer in [1, 4096].
 * @throws RangeError for any other n.
 */
export function gaussLegendre(n: number): GaussLegendreRule {
  if (!Number.isInteger(n) || n < 1 || n > GAUSS_LEGENDRE_MAX_NODES) {
    throw new RangeError(`gaussLegendre: n must be an integer in [1, ${GAUSS_LEGENDRE_MAX_NODES}], got ${n}`);
  }
  let rule = cache.get(n);
  if (rule === undefined) {
    rule = computeRule(n);
    cache.set(n, rule);
  }
  return rule;
}

/** P_n(x) and P_n'(x) by the three-term recurrence. */
function legendre(n: number, x: number): [number, number] {
  let p0 = 1;
  let p1 = x;
  for (let k = 1; k < n; k++) {
    const p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
    p0 = p1;
    p1 = p2;
  }
  // P_n' = n (x P_n - P_{n-1}) / (x^2 - 1)
  const dp = (n * (x * p1 - p0)) / (x * x - 1);
  return [p1, dp];
}

function computeRule(n: number): GaussLegendreRule {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const half = Math.floor(n / 2);
  for (let i = 1; i <= half; i++) {
    // i-th largest root.
    let x = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0, last = false; iter < 100; iter++) {
      const [p, d] = legendre(n, x);
      const dx = p / d;
      x -= dx;
      dp = d;
      if (last) break;
      if (Math.abs(dx) <= 1e-15) last = true;
    }
    dp = legendre(n, x)[1];
    const w = 2 / ((1 - x * x) * dp * dp);
    nodes[n - i] = x;
    nodes[i - 1] = -x;
    weights[n - i] = w;
    weights[i - 1] = w;
  }
  if (n % 2 === 1) {
    // Middle node 0: P_n'(0) = n P_{n-1}(0).
    const [, d] = legendre(n, 0);
    nodes[half] = 0;
    weights[half] = 2 / (d * d);
  }
  return { nodes, weights };
}
