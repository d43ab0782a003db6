/**
 * Durrleman's g of raw SVI scanned over an even log-moneyness grid, as a scalar function for the
 * facade: the very loop the `sviButterflyGrid` kernel's JS twin runs (the WASM kernel does the same
 * operations two points per f64x2), so `sviButterflyCheck` and fitSvi's kernel check agree bit for bit.
 */
export { scanSviButterfly } from '../kernels/calibration/svi-butterfly.js';
