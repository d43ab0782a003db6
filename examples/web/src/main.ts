/**
 * The riskwasm web demo. Imports the package as any user would; see README.md.
 *
 * Start-up: compile the kernels once (createEngine), hand the compiled module to the calibration
 * worker, load the bundled chain and price histories, then show the surface, the calibration
 * controls, the VaR panel and the margin panel. A CSV chosen or dropped by the user replaces the
 * bundled chain (every section is rebuilt from it).
 */
import { createEngine, loadDeribitChain, InputError, type DeribitChain, type Engine, type Surface } from 'riskwasm';
import { CalibrationClient } from './calibration-client';
import { CalibrationPanel } from './calibration-panel';
import { examplePortfolio } from './example-portfolio';
import { FrameMonitor } from './frame-monitor';
import { mountMarginPanel } from './margin-panel';
import { showRisk } from './risk-panel';
import { SAMPLE_CHAIN_NAME, sampleChainCsv, sampleHistoriesCsv } from './sample-data';
import { clearSurface, showSurface } from './surface-panel';

const $ = (id: string) => document.getElementById(id)!;
const errorBox = $('error');

function describe(e: unknown): string {
  return e instanceof InputError ? `${e.message} (field ${e.path})` : e instanceof Error ? e.message : String(e);
}

function showError(e: unknown): void {
  errorBox.textContent = describe(e);
  errorBox.hidden = false;
  console.error(e);
}

interface State {
  engine: Engine;
  chain: DeribitChain | null;
  histories: Record<string, string>;
  calibration: CalibrationPanel;
}

/** BTC and ETH surfaces (the example portfolio uses both), skipping a currency the chain lacks. */
function portfolioSurfaces(engine: Engine, chain: DeribitChain): Partial<Record<'BTC' | 'ETH', Surface>> {
  const out: Partial<Record<'BTC' | 'ETH', Surface>> = {};
  for (const c of ['BTC', 'ETH'] as const) if (chain.currency.includes(c)) out[c] = engine.buildSurface(chain, { currency: c });
  return out;
}

function showCurrency(state: State, currency: string): void {
  if (!state.chain) return;
  try {
    const { slices } = showSurface(state.engine, state.chain, currency);
    state.calibration.setSurface(slices, currency);
  } catch (e) {
    // Neither the surface section nor Calibrate may stay on the previous chain's surface.
    clearSurface();
    state.calibration.setSurface([], currency);
    throw e;
  }
}

/**
 * Run the sections that depend on the chain one by one: a section that fails shows its error and
 * the others still follow the new chain (rather than the page half on the old chain, half on the new).
 */
function eachSection(sections: [string, () => void][]): void {
  const failed: string[] = [];
  for (const [name, show] of sections) {
    try {
      show();
    } catch (e) {
      console.error(e);
      failed.push(`${name}: ${describe(e)}`);
    }
  }
  if (failed.length) showError(new Error(failed.join('; ')));
}

function useChain(state: State, csv: string, name: string): void {
  const chain = loadDeribitChain(csv);
  if (chain.length === 0) throw new Error(`${name}: no option rows (${chain.skipped.length} malformed rows skipped)`);
  state.chain = chain;
  errorBox.hidden = true;
  errorBox.textContent = '';
  const source = $('source');
  source.textContent = `${name}: ${chain.length} options` + (chain.skipped.length ? `, ${chain.skipped.length} malformed rows skipped` : '');
  source.dataset.name = name;

  const currencies = [...new Set(chain.currency)].sort();
  const select = $('currency') as HTMLSelectElement;
  select.replaceChildren(...currencies.map((c) => new Option(c, c)));
  select.value = currencies.includes('BTC') ? 'BTC' : currencies[0];

  eachSection([
    ['surface', () => showCurrency(state, select.value)],
    ['VaR/ES', () => {
      try {
        showRisk(state.engine, examplePortfolio(chain, portfolioSurfaces(state.engine, chain)), state.histories);
      } catch (e) {
        showRisk(state.engine, null, state.histories, 'No example portfolio for this chain (see the error above).');
        throw e;
      }
    }],
    ['margin', () => mountMarginPanel($('margin-slot'), { engine: state.engine, chain })],
  ]);
}

async function main(): Promise<void> {
  const frames = new FrameMonitor($('frames'));
  const [engine, chainCsv, histories] = await Promise.all([createEngine(), sampleChainCsv(), sampleHistoriesCsv()]);
  const backend = $('backend');
  backend.textContent = engine.backend === 'wasm' ? 'WebAssembly' : `pure JS (${engine.fallbackReason ?? 'selected'})`;
  backend.dataset.backend = engine.backend;

  const client = new CalibrationClient(engine.backend === 'wasm' ? engine.module ?? null : null);
  const state: State = { engine, chain: null, histories, calibration: new CalibrationPanel(client, frames) };
  useChain(state, chainCsv, `${SAMPLE_CHAIN_NAME} (bundled)`);

  // A failed switch shows its error until a switch succeeds (an error of the chain itself stays).
  let currencyFailed = false;
  ($('currency') as HTMLSelectElement).addEventListener('change', (e) => {
    try {
      showCurrency(state, (e.target as HTMLSelectElement).value);
      if (currencyFailed) errorBox.hidden = true;
      currencyFailed = false;
    } catch (err) {
      showError(err);
      currencyFailed = true;
    }
  });

  // Reading a file is async: if the user opens another meanwhile, only the last one is used.
  let opening = 0;
  const openFile = async (file: File) => {
    const mine = ++opening;
    try {
      const text = await file.text();
      if (mine === opening) useChain(state, text, file.name);
    } catch (err) {
      if (mine === opening) showError(new Error(`${file.name}: ${describe(err)}`));
    }
  };
  const fileInput = $('file-input') as HTMLInputElement;
  fileInput.addEventListener('change', () => {
    const f = fileInput.files?.[0];
    // Cleared so that choosing the same file again (e.g. after fixing it) fires `change` again.
    fileInput.value = '';
    if (f) void openFile(f);
  });
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dragging');
  });
  // dragleave also fires when the pointer crosses into a child element: only leaving the window counts.
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) document.body.classList.remove('dragging');
  });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    const f = e.dataTransfer?.files[0];
    if (f) void openFile(f);
  });
  document.body.dataset.ready = '1';
}

main().catch(showError);
