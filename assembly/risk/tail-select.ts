// Order-statistic selection for VaR and ES without a full sort: Floyd and Rivest's SELECT
// (Comm. ACM 18(3), 1975, Algorithm 489), expected n + min(k, n - k) + o(n) comparisons.
// Mirrored in src/kernels/risk/tail-select.ts (same pivots, same swaps: identical permutations).

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
function swap(p: usize, i: i32, j: i32): void {
  const pi = p + (<usize>i << 3);
  const pj = p + (<usize>j << 3);
  const t = load<f64>(pi);
  store<f64>(pi, load<f64>(pj));
  store<f64>(pj, t);
}

function floydRivest(p: usize, left: i32, right: i32, k: i32): void {
  while (right > left) {
    if (right - left > 600) {
      const n = <f64>(right - left + 1);
      const i = <f64>(k - left + 1);
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2.0 * z) / 3.0);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (i - 0.5 * n < 0.0 ? -1.0 : 1.0);
      const newLeft = <i32>Math.max(<f64>left, Math.floor(<f64>k - (i * s) / n + sd));
      const newRight = <i32>Math.min(<f64>right, Math.floor(<f64>k + ((n - i) * s) / n + sd));
      floydRivest(p, newLeft, newRight, k);
    }
    const t = at(p, k);
    let i = left;
    let j = right;
    swap(p, left, k);
    if (at(p, right) > t) swap(p, right, left);
    while (i < j) {
      swap(p, i, j);
      i++;
      j--;
      while (at(p, i) < t) i++;
      while (at(p, j) > t) j--;
    }
    if (at(p, left) == t) {
      swap(p, left, j);
    } else {
      j++;
      swap(p, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

/**
 * Rearrange the n f64 at pData (no NaN) so that element k (0-based) is the k-th smallest, every
 * element before it <= it and every element after >= it. Writes f64 [3] at pOut: the k-th smallest,
 * the sum of the elements before it and the sum of those after it. Returns 0, or 1 if k is not in [0, n).
 */
export function tailSelect(n: i32, pData: usize, k: i32, pOut: usize): i32 {
  if (n < 1 || k < 0 || k >= n) return 1;
  floydRivest(pData, 0, n - 1, k);
  let below: f64 = 0.0;
  let above: f64 = 0.0;
  for (let i = 0; i < k; i++) below += at(pData, i);
  for (let i = k + 1; i < n; i++) above += at(pData, i);
  store<f64>(pOut, at(pData, k));
  store<f64>(pOut + 8, below);
  store<f64>(pOut + 16, above);
  return 0;
}
