// Normal cdf for the hedge deltas by table plus Taylor: pure-JS twin of
// assembly/hedging/normal-cdf-table.ts (see there for the grid and the error bound, < 3e-13
// absolute). Same table from the shared normalCdf / normalPdf, same operations: the same bits.

import { normalCdf, normalPdf } from '../math/normal-distribution.js';

const HALF_SPAN = 512; // 8 / h
const COLS = 5;
const TAB = new Float64Array((2 * HALF_SPAN + 1) * COLS);
let built = false;

/** Fill the table (once per module): coefficients of u^0..u^4 at z0 = j / 64. */
function buildTable(): void {
  const h2 = 1.0 / 8192.0; // h^2 / 2
  const h3 = 1.0 / 1572864.0; // h^3 / 6
  const h4 = 1.0 / 402653184.0; // h^4 / 24
  for (let j = -HALF_SPAN; j <= HALF_SPAN; ++j) {
    const z = j * 0.015625;
    const f = normalPdf(z);
    const p = (j + HALF_SPAN) * COLS;
    TAB[p] = normalCdf(z);
    TAB[p + 1] = f * 0.015625;
    TAB[p + 2] = -z * f * h2;
    TAB[p + 3] = (z * z - 1.0) * f * h3;
    TAB[p + 4] = (3.0 - z * z) * z * f * h4;
  }
  built = true;
}

/** Call before normalCdfTable in a kernel (builds the table on first use). */
export function normalCdfTableInit(): void {
  if (!built) buildTable();
}

/** Standard normal cdf within 3e-13 absolute (see the WASM twin); normalCdfTableInit first. */
export function normalCdfTable(z: number): number {
  if (!(Math.abs(z) <= 8.0)) return normalCdf(z);
  const t = z * 64.0;
  const j = Math.floor(t + 0.5);
  const u = t - j;
  const p = (j + HALF_SPAN) * COLS;
  return TAB[p]! + u * (TAB[p + 1]! + u * (TAB[p + 2]! + u * (TAB[p + 3]! + u * TAB[p + 4]!)));
}
