// The margin kernels, re-exported whole by assembly/index.ts (`export * from "./margin/kernels"`), so
// new margin kernels need no change outside assembly/margin/. Listed in src/kernels/margin/kernels.ts.
export { liquidationPrice } from "./liquidation-price";
