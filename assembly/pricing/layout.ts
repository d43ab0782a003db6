// Generated from spec/constants.json by scripts/kernel-spec/generate.mjs (npm run gen:kernels): do not edit.
// Work-area layout of the Heston and Bates kernels (hestonPriceBatch, batesPriceBatch).
//
// The work area at pWork holds maxPanels * nNodes quadrature nodes of a stride of f64 each, then
// 2 nNodes f64 of phase factors. A node is [u, weight/(pi b), f (re, im), dphi/dp (re, im) per parameter].

/** f64 per node, Heston: u, weight, f (2), dphi/dp (5 x 2). */
export const HESTON_WORK_STRIDE: i32 = 14;
/** f64 per node with Merton jumps (Bates): dphi/dp has 8 columns (+ lambda, muJ, deltaJ). */
export const BATES_WORK_STRIDE: i32 = 20;
