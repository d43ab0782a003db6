/** Plot files: a chart spec rendered to SVG or to a standalone HTML page, by file extension. */
import { extname } from 'node:path';
import { renderHtml, renderSvg } from '../charts/render.js';
import type { ChartSpec } from '../charts/specs.js';
import { BadInputError } from './errors.js';

/** The plot format of a path, checked before any work starts. @throws BadInputError for another extension. */
export function plotFormat(path: string, option = '--plot'): 'svg' | 'html' {
  const ext = extname(path).toLowerCase();
  if (ext === '.svg') return 'svg';
  if (ext === '.html' || ext === '.htm') return 'html';
  throw new BadInputError(`expected a file name ending in .svg or .html, got ${JSON.stringify(path)}`, { field: option });
}

/** Render a chart for a file of the given format. */
export async function renderPlot(spec: ChartSpec, format: 'svg' | 'html', title: string): Promise<string> {
  return format === 'svg' ? renderSvg(spec) : renderHtml(spec, title);
}
