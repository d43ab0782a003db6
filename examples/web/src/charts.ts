/**
 * Charts: the Vega-Lite specs come from `riskwasm/charts` (the same specs the CLI renders to
 * files); the page renders them to SVG with the package's `renderSvg` and inserts the markup.
 */
import { renderSvg, type ChartSpec } from 'riskwasm/charts';

/** The latest request per element. */
const latest = new WeakMap<HTMLElement, number>();

/**
 * Render `spec` into `el` (replacing its content); sets `data-rendered` once the SVG is in.
 * Resolves without touching `el` if another call for `el` started meanwhile. Never rejects: a
 * failed render is shown in `el` (and logged), instead of leaving it "pending" for good.
 */
export async function showChart(el: HTMLElement, spec: ChartSpec): Promise<void> {
  const request = invalidate(el);
  let svg: string;
  try {
    svg = await renderSvg(spec);
  } catch (e) {
    if (latest.get(el) !== request) return;
    const p = document.createElement('p');
    p.className = 'error';
    p.setAttribute('role', 'alert');
    p.textContent = `chart failed: ${e instanceof Error ? e.message : String(e)}`;
    el.replaceChildren(p);
    el.dataset.failed = '1';
    console.error(e);
    return;
  }
  // A newer call for the same element (e.g. the user switched grids) wins, whichever renders first.
  if (latest.get(el) !== request) return;
  el.innerHTML = svg;
  el.dataset.rendered = String(Date.now());
}

/** Empty `el` and drop any render still pending for it (it would otherwise land on the new content). */
export function clearChart(el: HTMLElement): void {
  invalidate(el);
  el.replaceChildren();
}

function invalidate(el: HTMLElement): number {
  delete el.dataset.rendered;
  delete el.dataset.failed;
  const request = (latest.get(el) ?? 0) + 1;
  latest.set(el, request);
  return request;
}
