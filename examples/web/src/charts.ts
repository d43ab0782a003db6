/**
 * Charts: the Vega-Lite specs come from `riskwasm/charts` (the same specs the CLI renders to
 * files); the page renders them to SVG with the package's `renderSvg` and inserts the markup.
 */
import { renderSvg, type ChartSpec } from 'riskwasm/charts';

/** The latest request per element. */
const latest = new WeakMap<HTMLElement, number>();

/**
 * Render `spec` into `el` (replacing its content); sets `data-rendered` once the SVG is in.
 * Resolves without touching `el` if another call for `el` started meanwhile.
 */
export async function showChart(el: HTMLElement, spec: ChartSpec): Promise<void> {
  delete el.dataset.rendered;
  const request = (latest.get(el) ?? 0) + 1;
  latest.set(el, request);
  const svg = await renderSvg(spec);
  // A newer call for the same element (e.g. the user switched grids) wins, whichever renders first.
  if (latest.get(el) !== request) return;
  el.innerHTML = svg;
  el.dataset.rendered = String(Date.now());
}
