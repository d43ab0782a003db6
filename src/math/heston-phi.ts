/**
 * The Heston-like SSVI curvature psi(u) = (u - 1 + e^-u) / u^2 (Gatheral & Jacquier 2014, eq. 4.4
 * with u = lambda theta) and its derivative, as scalar functions for the facade. They are the
 * very functions the `ssviEvaluate` kernel's JS twin uses (a series below u = 0.1, where the
 * closed form cancels), so the facade's arbitrage diagnostics agree with the kernel's values.
 */
export { hestonPhi, hestonPhiPrime } from '../kernels/calibration/ssvi-jacobian.js';
