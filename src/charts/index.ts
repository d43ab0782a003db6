/**
 * Chart specs and renderers (`riskwasm/charts`): Vega-Lite specs for IV smiles, the IV surface,
 * P&L histograms with VaR/ES and margin risk matrices, rendered headlessly to SVG. Kept out of
 * the core entry so that `riskwasm` itself imports no third-party module (a bundle of it carries
 * none); vega and vega-lite are still installed with the package, for this entry and the CLI.
 * @packageDocumentation
 */
export {
  smileChart, pnlHistogramChart, riskMatrixChart, ivSurfaceChart,
  type ChartSpec, type SmileChartInput, type SmileSlice, type SmilePoint, type SmileFitPoint,
  type PnlHistogramInput, type RiskMatrixInput, type IvSurfaceInput, type IvSurfacePoint,
} from './specs.js';
export { renderSvg, renderHtml } from './render.js';
