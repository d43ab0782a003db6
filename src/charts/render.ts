/**
 * Headless rendering of the chart specs: Vega-Lite -> Vega -> SVG text, with no canvas and no
 * DOM, so the same call works in Node (CLI) and in a browser or worker (web demo).
 */
import type { ChartSpec } from './specs.js';
import { InputError } from '../errors.js';
import { loadChartRenderer } from './renderer.js';

/**
 * Renders a Vega-Lite spec (e.g. from {@link smileChart}) to a standalone SVG document string.
 * Text widths are estimated when no canvas is available (Node), so labels may differ by a few
 * pixels from a browser rendering of the same spec.
 * @throws InputError when `spec` is not an object; ChartRendererMissingError when vega or vega-lite
 * (optional peer dependencies) is not installed; errors from vega-lite/vega for an invalid spec.
 */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  if (spec === null || typeof spec !== 'object') throw new InputError('spec', spec, 'a Vega-Lite spec object');
  const { vegaLite, vega } = await loadChartRenderer();
  const vg = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Renders a spec to a self-contained HTML page with the SVG inline: no script, no CDN, so it
 * opens offline and can be archived as is.
 * @param title page title (HTML-escaped); default `'riskwasm chart'`.
 * @throws as {@link renderSvg}.
 */
export async function renderHtml(spec: ChartSpec, title = 'riskwasm chart'): Promise<string> {
  const svg = await renderSvg(spec);
  const t = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}svg{max-width:100%;height:auto}</style>
</head>
<body>
<h1 style="font-size:1.2rem">${t}</h1>
${svg}
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
