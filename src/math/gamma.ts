/**
 * The gamma function's logarithm and its derivative as scalar functions for the facade
 * (Student-t, incomplete gamma and beta): the kernels' own scalar routines
 * (src/kernels/risk/special.ts), so a facade formula and the GARCH likelihood kernel agree to the
 * bit; a facade takes them from here, never from the twin directly.
 *
 * `logGamma(x)`: ln Gamma(x) for x > 0 (Lanczos g = 7, relative error of Gamma about 1e-15).
 * `digamma(x)`: psi(x) = d ln Gamma / dx for x > 0 (recurrence to x >= 10, then A&S 6.3.18).
 * Both give NaN for x <= 0 or NaN and never throw; they do not check argument types (the public
 * `logGamma` / `digamma` of risk/distributions.ts do).
 */
export { digamma, logGamma } from '../kernels/risk/special.js';
