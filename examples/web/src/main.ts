/**
 * The riskwasm web demo. Imports the package as any user would; see README.md.
 *
 * Start-up: compile the kernels once (createEngine), hand the compiled module to the calibration
 * worker, load the bundled chain and price histories, then show the surface, the calibration
 * controls, the VaR panel and the margin panel. A CSV chosen or dropped by the user replaces the
 * bundled chain (every section is rebuilt from it).
 */
import { createEngine, loadChain, marketFromDeribitChain, InputError, type DeribitChain, type Engine, type Surface } from 'riskwasm';
import { sniffChainFormat, type DemoChainFormat } from './chain-format';
import { mountHedgePanel } from './hedge-panel';
import { exampleMarginAccount } from './margin-account';
import { clearVolSurface, showVolSurface } from './vol-surface-panel';
import { CalibrationClient } from './calibration-client';
import { CalibrationPanel } from './calibration-panel';
import { examplePortfolio } from './example-portfolio';
import { FrameMonitor } from './frame-monitor';
import { mountMarginPanel } from './margin-panel';
import { showRisk } from './risk-panel';
import { SAMPLE_CHAIN_NAME, SAMPLE_SPX_NAME, sampleChainCsv, sampleHistoriesCsv, sampleSpxCsv } from './sample-data';
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
  /** The format the loaded chain was read as (sniffed from its text). */
  format: DemoChainFormat;
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
    const { surface, slices } = showSurface(state.engine, state.chain, currency);
    state.calibration.setSurface(slices, currency);
    try {
      showVolSurface(state.engine, surface, currency);
    } catch (e) {
      // The quotes stay on the page; only the fitted surface is missing.
      clearVolSurface(`no SVI surface: ${describe(e)}`);
      throw e;
    }
  } catch (e) {
    // Neither the surface section nor Calibrate may stay on the previous chain's surface.
    clearSurface();
    clearVolSurface();
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

/** Chains loaded so far: an async hedging run of an older chain reports no error. */
let hedgeRuns = 0;

/** A section that needs a Deribit chain, on another venue's chain: its title and why it is empty. */
function notApplicable(slot: HTMLElement, id: string, title: string, why: string): void {
  const section = document.createElement('section');
  section.id = `${id}-section`;
  section.dataset.testid = `${id}-section`;
  section.dataset.state = 'empty';
  const h = document.createElement('h2');
  h.textContent = title;
  const p = document.createElement('p');
  p.className = 'note';
  p.dataset.testid = `${id}-note`;
  p.textContent = why;
  section.append(h, p);
  slot.replaceChildren(section);
}

function useChain(state: State, csv: string, name: string): void {
  const format = sniffChainFormat(csv);
  const chain = loadChain(csv, { format, fileName: name });
  if (chain.length === 0) throw new Error(`${name}: no option rows (${chain.skipped.length} malformed rows skipped)`);
  state.chain = chain;
  state.format = format;
  errorBox.hidden = true;
  errorBox.textContent = '';
  const source = $('source');
  source.textContent = `${name}: ${chain.length} options (${format === 'cboe' ? 'Cboe, USD prices' : 'Deribit, coin prices'})` + (chain.skipped.length ? `, ${chain.skipped.length} malformed rows skipped` : '');
  source.dataset.name = name;
  source.dataset.format = format;

  const currencies = [...new Set(chain.currency)].sort();
  const select = $('currency') as HTMLSelectElement;
  select.replaceChildren(...currencies.map((c) => new Option(c, c)));
  select.value = currencies.includes('BTC') ? 'BTC' : currencies[0];

  const deribitOnly = `This section uses a Deribit chain (BTC/ETH options and their perpetuals); ${name} is a ${format} chain.`;
  if (format !== 'deribit') {
    eachSection([
      ['surface', () => showCurrency(state, select.value)],
      ['VaR/ES', () => showRisk(state.engine, null, state.histories, deribitOnly)],
      ['margin', () => notApplicable($('margin-slot'), 'margin', '4. Margin: risk matrix of an example account', deribitOnly)],
      ['hedging', () => notApplicable($('hedge-slot'), 'hedge', '5. Hedging the example account', deribitOnly)],
    ]);
    return;
  }
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
    ['hedging', () => {
      const example = exampleMarginAccount(chain, marketFromDeribitChain(chain), ['BTC', 'ETH']);
      const mine = ++hedgeRuns;
      mountHedgePanel($('hedge-slot'), state.engine, chain, example, state.histories).catch((e) => {
        if (mine === hedgeRuns) showError(new Error(`hedging: ${describe(e)}`));
      });
    }],
  ]);
}

/** Reading a file is async: if the user opens another meanwhile, only the last one is used. */
let opening = 0;

async function main(): Promise<void> {
  const frames = new FrameMonitor($('frames'));
  const [engine, chainCsv, histories] = await Promise.all([createEngine(), sampleChainCsv(), sampleHistoriesCsv()]);
  const backend = $('backend');
  backend.textContent = engine.backend === 'wasm' ? 'WebAssembly' : `pure JS (${engine.fallbackReason ?? 'selected'})`;
  backend.dataset.backend = engine.backend;

  const client = new CalibrationClient(engine.backend === 'wasm' ? engine.module ?? null : null);
  const state: State = { engine, chain: null, format: 'deribit', histories, calibration: new CalibrationPanel(client, frames) };
  // `?chain=spx` starts on the bundled Cboe SPX chain (a link to share, and what the screenshots use).
  if (new URLSearchParams(location.search).get('chain') === 'spx') useChain(state, await sampleSpxCsv(), `${SAMPLE_SPX_NAME} (bundled)`);
  else useChain(state, chainCsv, `${SAMPLE_CHAIN_NAME} (bundled)`);

  const bundledButton = (id: string, load: () => Promise<string>, name: string) => $(id).addEventListener('click', () => {
    const mine = ++opening;
    load().then((text) => { if (mine === opening) useChain(state, text, `${name} (bundled)`); }).catch((err) => { if (mine === opening) showError(err); });
  });
  bundledButton('load-deribit', sampleChainCsv, SAMPLE_CHAIN_NAME);
  bundledButton('load-spx', sampleSpxCsv, SAMPLE_SPX_NAME);

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
