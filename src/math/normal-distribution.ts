/**
 * The standard normal distribution as scalar functions for the facade (closed forms, risk
 * statistics): density `normalPdf(z)`, distribution function `normalCdf(z)` and its inverse
 * `inverseNormalCdf(p)`. They are the kernels' own scalar routines (src/kernels/math/), so a
 * facade formula and a kernel agree to the bit; a facade takes them from here, never from the
 * twin directly.
 *
 * Accuracy (see the kernel modules for the algorithms): `normalCdf` a few ulps relative for z < 0
 * down to underflow (z ~ -38.5), absolute error below 1e-16 for z > 0; `inverseNormalCdf` (AS 241
 * plus one Halley step) about 1 ulp relative in the tails, below 2e-16 in the centre, -/+Infinity
 * at p <= 0 / p >= 1, NaN for NaN. None of them throws.
 */
export { normalCdf, normalPdf } from '../kernels/math/normal-distribution.js';
export { inverseNormalCdf } from '../kernels/math/inverse-normal.js';
