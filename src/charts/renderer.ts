/**
 * The chart renderer, vega and vega-lite: optional peer dependencies of `riskwasm/charts` and the
 * CLI's `--plot`, loaded on first render so that `riskwasm` installs and imports no third-party
 * package. The specifiers stay literal so that bundlers (Vite, webpack) can bundle the renderer
 * into a page that renders charts.
 */
import { RiskwasmError } from '../errors.js';

/** The renderer's packages and the versions to install (the newest line that supports Node >= 20.19). */
export const CHART_RENDERER_PACKAGES = ['vega@6', 'vega-lite@~6.4.3'] as const;

/**
 * A chart was to be rendered but vega or vega-lite is not installed (or failed to load): install
 * `npm install vega@6 vega-lite@~6.4.3`. `packages` names the missing ones; `cause` is the import error.
 */
export class ChartRendererMissingError extends RiskwasmError {
  readonly packages: string[];
  override readonly cause: unknown;
  constructor(packages: string[], cause?: unknown) {
    super(
      'CHART_RENDERER_MISSING',
      `rendering charts needs the optional peer dependencies ${packages.join(' and ')}, which could not be loaded: npm install ${CHART_RENDERER_PACKAGES.join(' ')}`,
    );
    this.name = 'ChartRendererMissingError';
    this.packages = packages;
    this.cause = cause;
  }
}

/** The two renderer modules. */
export interface ChartRenderer {
  vegaLite: typeof import('vega-lite');
  vega: typeof import('vega');
}

/** How each renderer module is imported (a seam for tests; the default imports the packages). */
export interface ChartRendererImports {
  vegaLite: () => Promise<typeof import('vega-lite')>;
  vega: () => Promise<typeof import('vega')>;
}

const PACKAGE_IMPORTS: ChartRendererImports = { vegaLite: () => import('vega-lite'), vega: () => import('vega') };

/**
 * A loader that imports the renderer once and shares it; a failed attempt is retried on the next call.
 * @returns a function that resolves to the renderer or rejects with ChartRendererMissingError
 * naming the package(s) that did not load (`cause`: the first import error).
 */
export function chartRendererLoader(imports: ChartRendererImports = PACKAGE_IMPORTS): () => Promise<ChartRenderer> {
  let pending: Promise<ChartRenderer> | undefined;
  return () => {
    pending ??= Promise.allSettled([imports.vegaLite(), imports.vega()]).then(([vl, vg]) => {
      if (vl.status === 'fulfilled' && vg.status === 'fulfilled') return { vegaLite: vl.value, vega: vg.value };
      const missing = [vl.status === 'rejected' ? 'vega-lite' : '', vg.status === 'rejected' ? 'vega' : ''].filter(Boolean);
      throw new ChartRendererMissingError(missing, vl.status === 'rejected' ? vl.reason : (vg as PromiseRejectedResult).reason);
    });
    pending.catch(() => { pending = undefined; });
    return pending;
  };
}

/**
 * Import vega and vega-lite (once per process).
 * @throws (rejects) ChartRendererMissingError naming the package(s) that did not load.
 */
export const loadChartRenderer: () => Promise<ChartRenderer> = chartRendererLoader();
