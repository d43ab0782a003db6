/**
 * Charts: the Vega-Lite specs come from `riskwasm/charts` (the same specs the CLI renders to
 * files); the page renders them to SVG with the package's `renderSvg` and inserts the markup.
 */
import { renderSvg, type ChartSpec } from 'riskwasm/charts';

/** Render `spec` into `el` (replacing its content); sets `data-rendered` once the SVG is in. */
export async function showChart(el: HTMLElement, spec: ChartSpec): Promise<void> {
  delete el.dataset.rendered;
  const svg = await renderSvg(spec);
  el.innerHTML = svg;
  el.dataset.rendered = String(Date.now());
}
