/**
 * Small dense least squares for hedge ratios: minimise ||A x - b|| (A row-major m x n). Householder
 * QR (Golub and Van Loan, Matrix Computations, 4th ed., 5.3.3) with column pivoting, so a square
 * nonsingular system is solved exactly (to rounding) and an overdetermined one in the least-squares
 * sense without forming A'A (which would square the condition number of a greek matrix whose rows
 * differ by orders of magnitude). An underdetermined or rank-deficient system gets the basic
 * solution of the pivoted QR on its numerical rank, then the minimum-norm one through the
 * complete orthogonal decomposition (GVL 5.5.2).
 */

/** Result: x (length n), the numerical rank and whether the system was rank-deficient. */
export interface LeastSquaresSolution {
  x: Float64Array;
  rank: number;
}

/**
 * Minimum-norm least-squares solution of A x = b.
 * @param A row-major m x n (not modified).
 * @param b length m (not modified).
 * @param rcond relative threshold on |R_kk| / |R_00| below which a column counts as dependent.
 */
export function leastSquares(A: Float64Array, b: Float64Array, m: number, n: number, rcond = 1e-12): LeastSquaresSolution {
  // Work on columns: R (m x n) column-major copy.
  const R = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) R[j * m + i] = A[i * n + j];
  const y = Float64Array.from(b);
  const perm = Int32Array.from({ length: n }, (_, j) => j);
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) norms[j] = colNorm2(R, m, j, 0);
  const steps = Math.min(m, n);
  const vs: Float64Array[] = [];
  let rank = 0;
  let r00 = 0;
  for (let k = 0; k < steps; k++) {
    // Pivot: the remaining column of largest norm below row k.
    let p = k;
    for (let j = k + 1; j < n; j++) if (norms[j] > norms[p]) p = j;
    if (p !== k) {
      swapCols(R, m, p, k);
      [perm[p], perm[k]] = [perm[k], perm[p]];
      [norms[p], norms[k]] = [norms[k], norms[p]];
    }
    const alphaNorm = Math.sqrt(colNorm2(R, m, k, k));
    if (k === 0) r00 = alphaNorm;
    if (alphaNorm === 0 || alphaNorm <= rcond * r00) break;
    // Householder vector v with (I - 2 v v'/v'v) R[k:, k] = -sign(x0) ||x|| e1.
    const x0 = R[k * m + k];
    const alpha = x0 >= 0 ? -alphaNorm : alphaNorm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = R[k * m + i];
    v[0] -= alpha;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
    vs.push(v);
    rank++;
    if (vv === 0) continue;
    for (let j = k; j < n; j++) applyReflector(R, m, j, k, v, vv);
    applyReflectorVec(y, k, v, vv);
    for (let j = k + 1; j < n; j++) norms[j] = colNorm2(R, m, j, k + 1);
  }
  const x = new Float64Array(n);
  if (rank === 0) return { x, rank };
  // R11 z1 + R12 z2 = y1. Basic solution z2 = 0 when rank = n; else minimum norm via the
  // complete orthogonal decomposition: solve with R' = [R11 R12] by QR of its transpose.
  const z = new Float64Array(n);
  if (rank === n) {
    for (let i = rank - 1; i >= 0; i--) {
      let s = y[i];
      for (let j = i + 1; j < rank; j++) s -= R[j * m + i] * z[j];
      z[i] = s / R[i * m + i];
    }
  } else {
    // T = [R11 R12]' (n x rank), min ||z|| s.t. T' z = y1: z = Q [L^-T y1; 0] with T = Q L (QR of T).
    const T = new Float64Array(n * rank); // row-major n x rank
    for (let i = 0; i < rank; i++) for (let j = i; j < n; j++) T[j * rank + i] = R[j * m + i];
    const qr = leastSquaresTransposeSolve(T, n, rank, y.subarray(0, rank));
    z.set(qr);
  }
  for (let j = 0; j < n; j++) x[perm[j]] = z[j];
  return { x, rank };
}

/** min ||z|| subject to T' z = c, T row-major p x r with full column rank r (Householder QR of T). */
function leastSquaresTransposeSolve(T: Float64Array, p: number, r: number, c: Float64Array): Float64Array {
  const C = new Float64Array(p * r); // column-major
  for (let i = 0; i < p; i++) for (let j = 0; j < r; j++) C[j * p + i] = T[i * r + j];
  const vs: { v: Float64Array; vv: number }[] = [];
  for (let k = 0; k < r; k++) {
    const nrm = Math.sqrt(colNorm2(C, p, k, k));
    const x0 = C[k * p + k];
    const alpha = x0 >= 0 ? -nrm : nrm;
    const v = new Float64Array(p - k);
    for (let i = k; i < p; i++) v[i - k] = C[k * p + i];
    v[0] -= alpha;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
    vs.push({ v, vv });
    if (vv !== 0) for (let j = k; j < r; j++) applyReflector(C, p, j, k, v, vv);
  }
  // T = Q [U; 0] with U upper r x r: T' z = U' (Q' z)_1 = c, so w = U'^-1 c, z = Q [w; 0].
  const w = new Float64Array(p);
  for (let i = 0; i < r; i++) {
    let s = c[i];
    for (let j = 0; j < i; j++) s -= C[i * p + j] * w[j];
    w[i] = s / C[i * p + i];
  }
  for (let k = r - 1; k >= 0; k--) if (vs[k].vv !== 0) applyReflectorVec(w, k, vs[k].v, vs[k].vv);
  return w;
}

function colNorm2(R: Float64Array, m: number, j: number, from: number): number {
  let s = 0;
  for (let i = from; i < m; i++) s += R[j * m + i] * R[j * m + i];
  return s;
}

function swapCols(R: Float64Array, m: number, a: number, b: number): void {
  for (let i = 0; i < m; i++) {
    const t = R[a * m + i];
    R[a * m + i] = R[b * m + i];
    R[b * m + i] = t;
  }
}

function applyReflector(R: Float64Array, m: number, j: number, k: number, v: Float64Array, vv: number): void {
  let s = 0;
  for (let i = k; i < m; i++) s += v[i - k] * R[j * m + i];
  const f = (2 * s) / vv;
  for (let i = k; i < m; i++) R[j * m + i] -= f * v[i - k];
}

function applyReflectorVec(y: Float64Array, k: number, v: Float64Array, vv: number): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * y[k + i];
  const f = (2 * s) / vv;
  for (let i = 0; i < v.length; i++) y[k + i] -= f * v[i];
}
