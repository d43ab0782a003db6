/**
 * Cholesky factorisation and solve of a small dense symmetric positive-definite block, in place.
 * Matrices are row-major with row stride n; only the leading k x k block is used, so one buffer
 * serves every active-set size of an optimiser run.
 */

/**
 * Factor the leading k x k block of L (lower triangle read) into its Cholesky factor, in place.
 * @returns false when the block is not positive definite (L is then partly overwritten).
 */
export function cholesky(L: Float64Array, n: number, k: number): boolean {
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      let v = L[a * n + b];
      for (let c = 0; c < b; c++) v -= L[a * n + c] * L[b * n + c];
      if (a === b) {
        if (!(v > 0)) return false;
        L[a * n + a] = Math.sqrt(v);
      } else L[a * n + b] = v / L[b * n + b];
    }
  }
  return true;
}

/** Solve (L L^T) z = y for the factor of {@link cholesky}, overwriting y (length >= k) with z. */
export function choleskySolve(L: Float64Array, n: number, k: number, y: Float64Array): void {
  for (let a = 0; a < k; a++) {
    let v = y[a];
    for (let c = 0; c < a; c++) v -= L[a * n + c] * y[c];
    y[a] = v / L[a * n + a];
  }
  for (let a = k - 1; a >= 0; a--) {
    let v = y[a];
    for (let c = a + 1; c < k; c++) v -= L[c * n + a] * y[c];
    y[a] = v / L[a * n + a];
  }
}
