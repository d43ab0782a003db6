/**
 * Chart specs and renderers (`riskwasm/charts`): Vega-Lite specs for IV smiles, the IV surface,
 * P&L histograms with VaR/ES and margin risk matrices, rendered headlessly to SVG. Kept out of
 * the core entry so that `riskwasm` itself imports no third-party module (a bundle of it carries
 * none). The renderer, vega and vega-lite, is an optional peer dependency loaded on the first
 * render: `npm install vega@6 vega-lite@~6.4.3` to render (the specs need neither).
 * @packageDocumentation
 */
export {
  smileChart, pnlHistogramChart, riskMatrixChart, ivSurfaceChart,
  type ChartSpec, type SmileChartInput, type SmileSlice, type SmilePoint, type SmileFitPoint,
  type PnlHistogramInput, type RiskMatrixInput, type IvSurfaceInput, type IvSurfacePoint,
} from './specs.js';
export { renderSvg, renderHtml } from './render.js';
export { ChartRendererMissingError, CHART_RENDERER_PACKAGES } from './renderer.js';
// [hedging]
export { hedgeGreeksChart, type HedgeGreeksChartInput, type HedgeGreeksBucket } from './hedge-greeks.js';
// [surface]
export { surfaceVarianceChart, type SurfaceVarianceChartInput } from './surface-variance.js';
export { localVolHeatmapChart, type LocalVolHeatmapInput } from './surface-local-vol.js';
// [hedging] simulate
export { hedgedPnlChart, type HedgedPnlChartInput, type HedgedPnlRun } from './hedged-pnl.js';
