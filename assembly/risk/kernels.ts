// The risk kernels, re-exported whole by assembly/index.ts (`export * from "./risk/kernels"`), so
// new risk kernels need no change outside assembly/risk/. Listed in src/kernels/risk/kernels.ts.
export { portfolioRevalue } from "./portfolio-revalue";
export { tailSelect } from "./tail-select";
export { garchLikelihood } from "./garch-likelihood";
